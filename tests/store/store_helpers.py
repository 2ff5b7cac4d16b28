"""Helpers for the persistence tests: small data directories with a known history (the ``small_dir``
fixture in conftest.py is built here)."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

from kumo_intercept import kumo
from kumo_intercept.store.codec import FRAME_OVERHEAD, PREFIX_SIZE, iter_frames, read_header, SEGMENT


def put_ops(aws: Any, ops: list[tuple[str, Any, Any]]) -> None:
    """Apply ``(table, key, value or None=delete)`` ops as one transaction (one journal frame)."""
    with aws.lock, aws.store.transaction():
        for table, key, value in ops:
            if value is None:
                aws.store.table(table).delete(key)
            else:
                aws.store.table(table).put(key, value)


def records(aws: Any) -> dict:
    return {name: dict(t.items()) for name, t in aws.store.tables().items() if len(t)}


def nonempty(recs: dict) -> dict:
    return {name: dict(t) for name, t in recs.items() if t}


BATCHES = [
    [("t.a", "k1", {"v": 1, "l": [1, 2]}), ("t.b", ("acct", "us-east-1", 7), {"blob": None})],
    [("t.a", "k2", {"v": b"\x00\xff", "f": 1.5})],
    [("t.a", "k1", None), ("t.c", (("nested", 1), b"raw"), [True, None])],
    [("t.a", "k3", {"v": "x" * 40})],
    [("t.b", ("acct", "us-east-1", 7), None), ("t.b", ("acct", "eu-west-1", 8), {"n": -3})],
    [("t.a", "k4", {"v": list(range(10))})],
    [("t.c", 5, "five")],
]


@pytest.fixture
def small_dir(tmp_path: Any) -> dict:
    """A data directory with a snapshot (after 3 batches) and a newest segment holding 4 more.

    Returns the path, the expected records after each frame of the newest segment
    (``states[i]`` = after i of its commits) and the frame offsets of that segment.
    """
    path = str(tmp_path / "data")
    with kumo(data_dir=path) as aws:
        for batch in BATCHES[:3]:
            put_ops(aws, batch)
        aws.compact()
        states = [records(aws)]
        for batch in BATCHES[3:]:
            put_ops(aws, batch)
            states.append(records(aws))
    manifest_segments = sorted(n for n in os.listdir(path) if n.startswith("seg-"))
    newest = manifest_segments[-1]
    data = open(os.path.join(path, newest), "rb").read()
    _h, _s, pos = read_header(data, newest, SEGMENT)
    offsets = [off for off, *_ in iter_frames(data, pos)]
    return {"path": path, "states": states, "newest": newest, "header_end": pos, "frames": offsets,
            "size": len(data)}


def copy_dir(src: str, dst: str) -> str:
    shutil.copytree(src, dst)
    try:
        os.unlink(os.path.join(dst, "LOCK"))
    except FileNotFoundError:
        pass
    return dst


__all__ = ["put_ops", "records", "nonempty", "copy_dir", "FRAME_OVERHEAD", "PREFIX_SIZE"]
