"""One writer per directory (in this or another process), and a failing fsync stops writes loudly."""

from __future__ import annotations

import errno
import os
import subprocess
import sys

import boto3
import pytest

from kumo_intercept import kumo
from kumo_intercept.store import journal as journal_module
from kumo_intercept.store.errors import DataDirLocked, JournalStopped
from kumo_intercept.store.persistence import recover

def test_a_second_opener_in_this_process_is_refused_naming_the_pid(tmp_path):
    with kumo(data_dir=str(tmp_path)):
        other = kumo(data_dir=str(tmp_path))
        with pytest.raises(DataDirLocked) as info:
            other.persistence.open()
        assert info.value.pid == os.getpid()
        assert str(os.getpid()) in str(info.value) and "this process" in str(info.value)
    with kumo(data_dir=str(tmp_path)):  # released at stop
        pass


def test_a_second_process_is_refused_naming_the_holders_pid(tmp_path):
    code = (
        "import sys\n"
        "from kumo_intercept import kumo\n"
        "from kumo_intercept.store.errors import DataDirLocked\n"
        "try:\n"
        f"    kumo(data_dir={str(tmp_path)!r}).start()\n"
        "except DataDirLocked as exc:\n"
        "    print('LOCKED', exc.pid); sys.exit(3)\n"
    )
    with kumo(data_dir=str(tmp_path)):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 3, result.stderr
    assert result.stdout.split() == ["LOCKED", str(os.getpid())]


@pytest.mark.parametrize("durability", ["fsync", 0.01])
def test_an_fsync_failure_stops_the_journal_and_every_later_write(tmp_path, monkeypatch, durability):
    path = str(tmp_path / "d")
    aws = kumo(data_dir=path, durability=durability).start()
    try:
        sts = boto3.client("sts")
        sts.get_federation_token(Name="before")
        aws.store.journal.sync()

        def eio(fd: int) -> None:
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(journal_module, "_fdatasync", eio)
        if durability == "fsync":
            with pytest.raises(JournalStopped, match="fsync .* failed"):
                sts.get_federation_token(Name="during")
        else:
            sts.get_federation_token(Name="during")  # acknowledged before its sync
            with pytest.raises(JournalStopped):
                aws.store.journal.sync()
        monkeypatch.setattr(journal_module, "_fdatasync", os.fdatasync)
        with pytest.raises(JournalStopped):  # never retried, even once fsync works again
            sts.get_federation_token(Name="after")
        with pytest.raises(JournalStopped):
            aws.store.table("x.y").put("k", 1)
        assert "k" not in aws.store.table("x.y")  # memory did not keep what the journal refused
    finally:
        aws.stop()
    sessions = {v["Arn"].rsplit("/", 1)[1] for v in recover(path).state.records["sts.credentials"].values()}
    assert "before" in sessions and "after" not in sessions


def test_an_injected_eio_failpoint_in_a_subprocess_stops_the_writer_loudly(tmp_path):
    code = (
        "from kumo_intercept import kumo\n"
        f"with kumo(data_dir={str(tmp_path)!r}, durability='fsync') as aws:\n"
        "    for i in range(5):\n"
        "        aws.store.table('t').put(i, i)\n"
    )
    env = {**os.environ, "KUMO_FAILPOINTS": "fsync=eio@4"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode != 0
    assert "JournalStopped" in result.stderr and "injected EIO" in result.stderr
    assert len(recover(str(tmp_path)).state.records.get("t", {})) < 5


def test_unstorable_records_fail_the_call_without_stopping_the_journal(tmp_path):
    with kumo(data_dir=str(tmp_path)) as aws:
        with pytest.raises(Exception, match="cannot be stored"):
            aws.store.table("x").put("k", {"bad": object()})
        assert "k" not in aws.store.table("x")
        aws.store.table("x").put("k", {"good": 1})
    assert recover(str(tmp_path)).state.records["x"] == {"k": {"good": 1}}
