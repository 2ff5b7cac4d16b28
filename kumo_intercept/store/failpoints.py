"""Failpoints for crash and fault tests: named places in the persistence code where a test can make the
process die or an I/O call fail.

``KUMO_FAILPOINTS="compact.snapshot_written=kill,fsync=eio@3"`` (read at import, or ``configure()``):
each entry is ``name=action[@n]``; the action fires on the n-th time the point is reached (default the
first). Actions: ``kill`` (SIGKILL this process), ``eio`` (raise ``OSError(EIO)``), ``enospc`` (raise
``OSError(ENOSPC)``), ``torn`` (only at
``append``: write half the frame, then SIGKILL). Points: ``append``, ``fsync``, ``manifest.tmp_written``,
``manifest.renamed``, ``compact.rolled``, ``compact.snapshot.tmp_written``, ``compact.snapshot.renamed``,
``compact.snapshot_published``, ``compact.manifest_published``, ``compact.files_deleted``,
``compact.blob_deleted``, ``open.tail_cut``, ``blob.write`` (each chunk of a blob; publishing any other file: ``<what>.tmp_written`` and
``<what>.renamed``). Unset, every point costs one dict look-up on a cold path (``append``: one truth test of
``armed``).
"""

from __future__ import annotations

import errno
import os
import signal
from typing import Any

#: the armed points (name -> [action, countdown]); empty unless a test arms some. Always the same dict
#: (``configure`` refills it), so a hot path may hold it and test its truth instead of calling ``active()``
armed: dict[str, list[Any]] = {}


def configure(spec: str | None) -> None:
    armed.clear()
    for item in (spec or "").split(","):
        item = item.strip()
        if not item:
            continue
        name, _, action = item.partition("=")
        action = action or "kill"
        action, _, count = action.partition("@")
        armed[name.strip()] = [action.strip(), int(count or 1)]


def active() -> bool:
    return bool(armed)


def hit(name: str) -> str | None:
    """Reach the point ``name``: act if it is armed and due; returns the action for callers that act
    themselves (``torn``)."""
    point = armed.get(name)
    if point is None:
        return None
    point[1] -= 1
    if point[1] > 0:
        return None
    action: str = point[0]
    del armed[name]
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if action == "eio":
        raise OSError(errno.EIO, f"injected EIO at failpoint {name}")
    if action == "enospc":
        raise OSError(errno.ENOSPC, f"No space left on device (injected at failpoint {name})")
    return action


configure(os.environ.get("KUMO_FAILPOINTS"))
