"""Damage of every kind is either cut off as a torn tail (newest segment only) or refused with a
CorruptionError naming file and offset — never decoded into wrong state, never a bare traceback."""

from __future__ import annotations

import os
import random

import pytest

from kumo_intercept import kumo
from kumo_intercept.store.errors import CorruptionError, FormatVersionError
from kumo_intercept.store.persistence import recover

from store_helpers import copy_dir, nonempty, records


def _expected_prefix(small_dir: dict, cut: int) -> dict:
    """Records after the commits whose frames end at or before ``cut`` in the newest segment."""
    frames = small_dir["frames"] + [small_dir["size"]]
    whole = sum(1 for i in range(len(frames) - 1) if frames[i + 1] <= cut)
    return small_dir["states"][min(whole, len(small_dir["states"]) - 1)]


def _truncate(path: str, size: int) -> None:
    with open(path, "r+b") as f:
        f.truncate(size)


def _flip(path: str, byte: int, bit: int) -> None:
    with open(path, "r+b") as f:
        f.seek(byte)
        value = f.read(1)[0]
        f.seek(byte)
        f.write(bytes([value ^ (1 << bit)]))


def test_truncating_the_newest_segment_at_every_offset_recovers_exactly_a_prefix(small_dir, tmp_path):
    src, newest = small_dir["path"], small_dir["newest"]
    work = copy_dir(src, str(tmp_path / "work"))
    original = open(os.path.join(src, newest), "rb").read()
    seen = set()
    for cut in range(len(original) + 1):
        with open(os.path.join(work, newest), "wb") as f:
            f.write(original[:cut])
        rec = recover(work)
        got = nonempty(rec.state.records)
        assert got == _expected_prefix(small_dir, cut), f"cut at {cut}"
        assert (rec.torn is None) == (cut in small_dir["frames"] + [small_dir["size"]] and cut >= small_dir["header_end"]) or cut < small_dir["header_end"]
        seen.add(len(got.get("t.a", {})))
    assert len(seen) > 1


def test_opening_cuts_the_torn_tail_keeps_it_aside_and_goes_on(small_dir):
    path, newest = small_dir["path"], small_dir["newest"]
    frames = small_dir["frames"]
    cut = frames[2] + 5  # inside the third commit
    _truncate(os.path.join(path, newest), cut)
    with kumo(data_dir=path) as aws:
        assert records(aws) == small_dir["states"][2]
        aws.store.table("t.a").put("after", {"ok": True})
    corrupt = [n for n in os.listdir(path) if n.endswith(".corrupt")]
    assert corrupt == [newest + ".corrupt"]
    assert os.path.getsize(os.path.join(path, corrupt[0])) == 5
    with kumo(data_dir=path) as aws:  # the cut segment is now an inner one, and valid
        assert aws.store.table("t.a")["after"] == {"ok": True}


@pytest.mark.parametrize("name", ["snapshot", "MANIFEST"])
def test_truncating_snapshot_or_manifest_anywhere_is_refused_with_file_and_offset(small_dir, tmp_path, name):
    src = small_dir["path"]
    fname = next(n for n in os.listdir(src) if n.startswith("snap-")) if name == "snapshot" else "MANIFEST"
    work = copy_dir(src, str(tmp_path / "work"))
    original = open(os.path.join(src, fname), "rb").read()
    for cut in range(len(original)):
        with open(os.path.join(work, fname), "wb") as f:
            f.write(original[:cut])
        with pytest.raises(CorruptionError) as info:
            recover(work)
        assert fname in str(info.value) and info.value.path.endswith(fname)
    with open(os.path.join(work, fname), "wb") as f:
        f.write(original)
    assert nonempty(recover(work).state.records) == small_dir["states"][-1]


def test_every_bit_flip_is_detected_at_the_damaged_frame(small_dir, tmp_path):
    src = small_dir["path"]
    final = small_dir["states"][-1]
    frames = small_dir["frames"] + [small_dir["size"]]
    work = copy_dir(src, str(tmp_path / "work"))
    files = [n for n in os.listdir(src) if n.startswith(("snap-", "seg-")) or n == "MANIFEST"]
    for name in files:
        original = open(os.path.join(src, name), "rb").read()
        for byte in range(len(original)):
            for bit in range(8):
                with open(os.path.join(work, name), "wb") as f:
                    f.write(original)
                _flip(os.path.join(work, name), byte, bit)
                try:
                    rec = recover(work)
                except CorruptionError as exc:
                    assert exc.path.endswith(name)
                    continue
                # only a damaged last frame of the newest segment may pass, as a torn tail at that frame
                assert name == small_dir["newest"], (name, byte, bit)
                assert rec.torn is not None and rec.torn[1] <= byte, (byte, bit, rec.torn)
                damaged = max(i for i in range(len(frames) - 1) if frames[i] <= byte) if byte >= frames[0] else -1
                assert rec.torn[1] == frames[damaged] if damaged >= 0 else True
                got = nonempty(rec.state.records)
                assert got == (small_dir["states"][damaged] if damaged >= 0 else small_dir["states"][0]) or got == final
        with open(os.path.join(work, name), "wb") as f:
            f.write(original)


@pytest.mark.parametrize("tail", [b"\x00" * 4096, b"\x00" * 7, bytes(random.Random(1).randrange(256) for _ in range(999))])
def test_zero_filled_or_garbage_tail_of_the_newest_segment_is_cut(small_dir, tail):
    path, newest = small_dir["path"], small_dir["newest"]
    with open(os.path.join(path, newest), "ab") as f:
        f.write(tail)
    rec = recover(path)
    assert rec.torn is not None and rec.torn[0] == newest and rec.torn[1] == small_dir["size"]
    assert nonempty(rec.state.records) == small_dir["states"][-1]


def test_garbage_after_an_inner_file_is_refused(small_dir):
    path = small_dir["path"]
    snap = next(n for n in os.listdir(path) if n.startswith("snap-"))
    with open(os.path.join(path, snap), "ab") as f:
        f.write(b"\x00" * 64)
    with pytest.raises(CorruptionError) as info:
        recover(path)
    assert info.value.offset is not None and snap in str(info.value)


def test_damage_in_the_middle_of_the_newest_segment_is_not_mistaken_for_a_torn_tail(small_dir):
    path, newest = small_dir["path"], small_dir["newest"]
    _flip(os.path.join(path, newest), small_dir["frames"][1] + 20, 3)
    with pytest.raises(CorruptionError) as info:
        with kumo(data_dir=path):
            pass
    assert info.value.offset == small_dir["frames"][1]
    assert "valid frames follow" in str(info.value)
    assert not [n for n in os.listdir(path) if n.endswith(".corrupt")]  # nothing was changed


def test_an_unknown_format_version_is_refused(small_dir):
    path = small_dir["path"]
    with open(os.path.join(path, "MANIFEST"), "r+b") as f:
        f.seek(4)
        f.write((99).to_bytes(2, "little"))
    with pytest.raises(FormatVersionError, match="format version 99"):
        recover(path)


def test_a_missing_segment_is_refused(small_dir):
    path, newest = small_dir["path"], small_dir["newest"]
    os.unlink(os.path.join(path, newest))
    with pytest.raises(CorruptionError, match="missing"):
        recover(path)
