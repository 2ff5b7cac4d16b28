"""Durability ``fsync``: concurrent writers share fdatasyncs, and a failing one reaches every waiter."""

from __future__ import annotations

import errno
import threading
import time

import boto3
import pytest

from kumo_intercept import kumo
from kumo_intercept.store import journal as journal_module
from kumo_intercept.store.errors import JournalStopped
from kumo_intercept.store.persistence import recover

WRITERS, CALLS = 8, 5


def _slow_disk(monkeypatch, seconds: float, fail: bool = False) -> list[int]:
    """fdatasync takes ``seconds`` (and then fails with EIO if ``fail``); returns the call counter."""
    calls = [0]

    def fdatasync(fd: int) -> None:
        calls[0] += 1
        time.sleep(seconds)
        if fail:
            raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(journal_module, "_fdatasync", fdatasync)
    return calls


def _writers(work) -> list[BaseException]:
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            work(n)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
        assert not t.is_alive(), "a writer never got its fsync"
    return errors


def test_concurrent_writers_share_fdatasyncs_and_every_call_is_durable(tmp_path, monkeypatch):
    with kumo(data_dir=str(tmp_path), durability="fsync") as aws:
        syncs = _slow_disk(monkeypatch, 0.01)

        def work(n: int) -> None:
            sts = boto3.client("sts")
            for i in range(CALLS):
                sts.get_federation_token(Name=f"w{n}-{i}")

        assert _writers(work) == []
        journal = aws.store.journal
        assert journal._synced == journal.last_seq
        # one fsync per call would be 40; group commit shares them (about 8 changes per fsync here)
        assert syncs[0] <= WRITERS * CALLS // 2, syncs[0]
    sessions = recover(str(tmp_path)).state.records["sts.credentials"]
    assert len(sessions) == WRITERS * CALLS


def test_a_lone_writer_pays_one_fdatasync_per_call(tmp_path, monkeypatch):
    with kumo(data_dir=str(tmp_path), durability="fsync"):
        syncs = _slow_disk(monkeypatch, 0)
        sts = boto3.client("sts")
        for i in range(5):
            sts.get_federation_token(Name=f"alone-{i}")
        assert syncs[0] == 5


def test_a_failing_fdatasync_stops_every_waiting_writer(tmp_path, monkeypatch):
    aws = kumo(data_dir=str(tmp_path), durability="fsync").start()
    try:
        boto3.client("sts").get_federation_token(Name="before")
        _slow_disk(monkeypatch, 0.02, fail=True)

        def work(n: int) -> None:
            boto3.client("sts").get_federation_token(Name=f"doomed-{n}")

        errors = _writers(work)
        assert len(errors) == WRITERS
        assert all(isinstance(exc, JournalStopped) and "fsync" in str(exc) for exc in errors), errors
        with pytest.raises(JournalStopped):
            aws.store.table("x.y").put("k", 1)
    finally:
        aws.stop()
    sessions = {v["Arn"].rsplit("/", 1)[1] for v in recover(str(tmp_path)).state.records["sts.credentials"].values()}
    assert "before" in sessions


def test_an_interrupted_sync_leaves_no_writer_waiting(tmp_path, monkeypatch):
    calls = [0]

    def fdatasync(fd: int) -> None:
        calls[0] += 1
        if calls[0] == 1:  # the first leader is interrupted while the others pile up behind it
            time.sleep(0.05)
            raise KeyboardInterrupt

    with kumo(data_dir=str(tmp_path), durability="fsync") as aws:
        monkeypatch.setattr(journal_module, "_fdatasync", fdatasync)
        table = aws.store.table("t.k")

        def work(n: int) -> None:
            with aws.store.journal.deferred():
                with aws.lock, aws.store.transaction():
                    table.put(n, n)

        errors = _writers(work)
        assert [type(exc) for exc in errors] == [KeyboardInterrupt]
        journal = aws.store.journal
        assert journal._synced == journal.last_seq
    assert len(recover(str(tmp_path)).state.records["t.k"]) == WRITERS
