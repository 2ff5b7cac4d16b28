"""The journal's fast path (a Packer without an error handler, frames written straight into the mapping)
writes exactly the bytes of the general encoders, and falls back to them for what only they can write.
Facts: docs/persistence.md "Files" (frame layout) and codec.py's module docstring (lone surrogates
round-trip through ``surrogatepass``)."""

from __future__ import annotations

import os

from kumo_intercept import kumo
from kumo_intercept.store.codec import COMMIT, SEGMENT, frame, pack, read_header, strict_packer
from kumo_intercept.store.persistence import recover

VALUES = [
    [7, [("sqs.messages", (1, 1), {"body": "hello world", "sent": 1796388345.43, "rc": 0, "vid": None})]],
    [2 ** 63 - 1, [("s3.objects", ("bench", "k1"), {"data": b"x" * 512, "ck": {"CRC32": "OwttXQ=="}})]],
    [0, [("t.k", "ü☃\U0001F600", ["a", 1.5, True, {"n": -(2 ** 63)}]), ("t.k", "gone")]],
    [1, [("t.k", 1, {"big": 2 ** 70})]],  # past 64 bits: written by the ``default`` hook
]


def test_the_strict_packer_writes_what_pack_writes():
    packer = strict_packer()
    for value in VALUES:
        assert packer.pack(value) == pack(value)


def test_frames_written_into_the_mapping_are_the_frames_built_as_bytes(tmp_path):
    path = str(tmp_path / "d")
    with kumo(data_dir=path) as aws:
        journal = aws.store.journal
        segment = journal.segment
        first = journal.last_seq + 1
        for value in VALUES:
            journal.append(COMMIT, value)
    with open(os.path.join(path, segment), "rb") as f:
        data = f.read()
    _header, _seq, at = read_header(data, segment, SEGMENT)
    for seq, value in enumerate(VALUES, start=first):
        built = frame(seq, COMMIT, pack(value))
        assert data[at:at + len(built)] == built
        at += len(built)


def test_a_lone_surrogate_among_other_changes_is_journaled_and_recovered_exactly(tmp_path):
    path = str(tmp_path / "d")
    with kumo(data_dir=path) as aws:
        table = aws.store.table("t.k")
        with aws.store.transaction():
            table.put("plain", {"v": "ascii"})
            table.put("odd", {"v": "x\ud800y", "w": "ü"})
        table.put("after", 1)  # the strict packer is usable again after the fallback
    assert recover(path).state.records["t.k"] == {"plain": {"v": "ascii"}, "odd": {"v": "x\ud800y", "w": "ü"},
                                                   "after": 1}
