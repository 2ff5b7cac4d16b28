"""The active segment is written through a shared mapping of space reserved ahead of the frames: a
killed process leaves zeros after its last frame, which the next open trims (nothing kept aside), and a
live directory verifies as ok."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kumo_intercept import kumo
from kumo_intercept.integrations.cli import main
from kumo_intercept.store.codec import SEGMENT, iter_frames, read_header
from kumo_intercept.store.errors import PersistenceError
from kumo_intercept.store.persistence import ZERO_TAIL, recover

from store_helpers import records

KILLED_WRITER = """
import os, signal, sys
from kumo_intercept import kumo
aws = kumo(data_dir=sys.argv[1]).start()
table = aws.store.table("t.k")
for i in range(int(sys.argv[2])):
    table.put(i, {"n": i, "pad": "x" * 50})
print("acked", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _segments(path: str) -> list[str]:
    return sorted(n for n in os.listdir(path) if n.startswith("seg-") and "." not in n)


def _kill_after(path: str, writes: int) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KUMO_RESTART_EVERY_CALL"}
    result = subprocess.run([sys.executable, "-c", KILLED_WRITER, path, str(writes)], capture_output=True,
                            text=True, timeout=60, env=env)
    assert result.stdout.strip() == "acked" and result.returncode == -9, result.stderr


def test_a_killed_writer_leaves_reserved_zeros_that_the_next_open_trims_without_keeping_them(tmp_path):
    path = str(tmp_path)
    _kill_after(path, 300)
    newest = os.path.join(path, _segments(path)[-1])
    rec = recover(path)
    assert rec.torn is not None and rec.torn[2] == ZERO_TAIL
    reserved_from = rec.torn[1]
    assert os.path.getsize(newest) > reserved_from  # zeros reserved past the last frame
    with kumo(data_dir=path) as aws:
        assert records(aws)["t.k"] == {i: {"n": i, "pad": "x" * 50} for i in range(300)}
    assert os.path.getsize(newest) == reserved_from
    assert not [n for n in os.listdir(path) if ".corrupt" in n]


def test_a_segment_grows_past_its_reserve_and_ends_trimmed_at_a_clean_stop(tmp_path):
    path = str(tmp_path)
    value = {"pad": "y" * 1000}
    with kumo(data_dir=path) as aws:
        aws.persistence.directory.auto_compact = False
        table = aws.store.table("t.big")
        for i in range(3000):  # ~3 MiB: several reservations and remappings
            table.put(i, value)
        newest = os.path.join(path, _segments(path)[-1])
        assert os.path.getsize(newest) > aws.store.journal._offset
    rec = recover(path)
    assert rec.torn is None and rec.state.clean
    assert os.path.getsize(newest) == rec.files[_segments(path)[-1]]
    assert len(rec.state.records["t.big"]) == 3000


def test_a_directory_in_use_verifies_ok_and_names_its_reserved_space(tmp_path, capsys):
    path = str(tmp_path)
    with kumo(data_dir=path) as aws:
        aws.store.table("t.k").put("a", 1)
        assert main(["verify", path]) == 0
        out = capsys.readouterr().out
        assert "ok" in out and "zero bytes reserved after its last frame" in out


def test_a_torn_frame_before_the_reserved_zeros_is_still_kept_aside(tmp_path):
    path = str(tmp_path)
    _kill_after(path, 10)
    newest = os.path.join(path, _segments(path)[-1])
    end = recover(path).torn[1]
    with open(newest, "r+b") as f:  # half a frame's worth of bytes where the next frame would start
        f.seek(end)
        f.write(b"\x11" * 12)
    rec = recover(path)
    assert rec.torn is not None and rec.torn[1] == end and rec.torn[2] != ZERO_TAIL
    with kumo(data_dir=path) as aws:
        assert len(records(aws)["t.k"]) == 10
    with open(newest + ".corrupt", "rb") as f:
        assert f.read().startswith(b"\x11" * 12)


def test_a_forked_child_can_neither_write_to_nor_trim_its_parents_segment(tmp_path):
    path = str(tmp_path)
    with kumo(data_dir=path) as aws:
        table = aws.store.table("t.k")
        table.put("before", 1)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: its write is refused, and leaving the block must not touch the segment
            status = 1
            try:
                try:
                    table.put("child", 2)
                except PersistenceError as exc:
                    status = 0 if "fork" in str(exc) else 2
                aws.stop()
            finally:
                os.write(write, bytes([status]))
                os._exit(0)
        os.waitpid(pid, 0)
        assert os.read(read, 1) == b"\x00"
        table.put("after", 3)  # the parent goes on writing through its mapping
    assert recover(path).state.records["t.k"] == {"before": 1, "after": 3}


def test_without_posix_fallocate_the_reserve_is_written_as_zeros(tmp_path, monkeypatch):
    import errno

    def unsupported(fd: int, offset: int, length: int) -> None:
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    monkeypatch.setattr(os, "posix_fallocate", unsupported)
    with kumo(data_dir=str(tmp_path)) as aws:
        table = aws.store.table("t.k")
        for i in range(200):
            table.put(i, {"pad": "z" * 500})
    assert len(recover(str(tmp_path)).state.records["t.k"]) == 200


def test_a_full_disk_at_the_reservation_stops_the_journal_and_keeps_memory_consistent(tmp_path, monkeypatch):
    import errno

    from kumo_intercept.store.errors import JournalStopped

    with kumo(data_dir=str(tmp_path)) as aws:
        table = aws.store.table("t.k")
        table.put("kept", 1)

        def full(fd: int, offset: int, length: int) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "posix_fallocate", full)
        try:
            for i in range(2000):  # until the segment needs more space
                table.put(i, {"pad": "z" * 500})
        except JournalStopped as exc:
            assert "No space left" in str(exc)
        else:
            raise AssertionError("the journal never needed more space")
        assert i not in table  # the change that could not be journaled is not in memory either
        monkeypatch.undo()
    records = recover(str(tmp_path)).state.records["t.k"]
    assert records["kept"] == 1 and len(records) == i + 1


@pytest.mark.parametrize("durability", ["process", "fsync"])
def test_segments_roll_over_trimmed_and_recover_in_order(tmp_path, durability):
    path = str(tmp_path)
    with kumo(data_dir=path, durability=durability) as aws:
        aws.persistence.directory.auto_compact = False
        aws.store.journal._segment_bytes = 20_000  # roll every ~20 KB instead of 64 MiB
        table = aws.store.table("t.k")
        for i in range(300):
            table.put(i % 120, {"i": i, "pad": "r" * 300})
        segments = _segments(path)
        assert len(segments) >= 5
        for name in segments[:-1]:  # every finished segment ends exactly at its last frame
            with open(os.path.join(path, name), "rb") as f:
                data = f.read()
            _header, _seq, pos = read_header(data, name, SEGMENT)
            assert [end for *_, end in iter_frames(data, pos)][-1] == len(data)
    rec = recover(path)
    assert rec.torn is None
    assert rec.state.records["t.k"] == {i % 120: {"i": i, "pad": "r" * 300} for i in range(300)}


def test_frames_larger_than_a_reservation_step_are_written_whole(tmp_path):
    path = str(tmp_path)
    big = "b" * (3 << 20)  # three times the largest growth step
    with kumo(data_dir=path) as aws:
        aws.persistence.directory.auto_compact = False
        table = aws.store.table("t.k")
        table.put("small", 1)
        with aws.lock, aws.store.transaction():  # one frame holding both
            table.put("big", big)
            table.put("after", 2)
        table.put("last", 3)
    assert recover(path).state.records["t.k"] == {"small": 1, "big": big, "after": 2, "last": 3}
