"""Errors of the data directory (persistence). All are ``KumoError``s with a message naming file and offset."""

from __future__ import annotations

from ..core.errors import KumoError


class PersistenceError(KumoError):
    """Something about a data directory prevents opening, writing or reading it."""


class CorruptionError(PersistenceError):
    """A damaged byte, a missing file or an impossible sequence: refused, never decoded into wrong state.

    ``path`` and ``offset`` say where the damage was found (offset None: the whole file).
    """

    def __init__(self, path: str, offset: int | None, reason: str) -> None:
        self.path = path
        self.offset = offset
        self.reason = reason
        where = f"{path}" if offset is None else f"{path} at offset {offset}"
        super().__init__(
            f"kumo_intercept data directory damaged: {where}: {reason}. Nothing was loaded. "
            "`python -m kumo_intercept verify DIR` reports every problem; "
            "`python -m kumo_intercept salvage DIR OUT` copies the valid prefix into a new directory."
        )


class FormatVersionError(CorruptionError):
    """A file written by a format version this kumo_intercept does not know: refused, never guessed."""


class DataDirLocked(PersistenceError):
    """Another emulator (in this or another process) holds the data directory."""

    def __init__(self, path: str, pid: int | None) -> None:
        self.path = path
        self.pid = pid
        import os

        holder = "an unknown process" if pid is None else f"process {pid}"
        if pid == os.getpid():
            holder += " (this process: another emulator that is still running)"
        super().__init__(
            f"the data directory {path} is in use by {holder}; one emulator at a time may open it. "
            "Stop the other one, or give this emulator its own data_dir."
        )


class DataDirReadOnly(PersistenceError):
    """The data directory cannot be written (permissions, a read-only file system). An emulator always
    writes its data directory (every open starts a new segment); to start from a directory without
    changing it, use ``kumo(from_snapshot=PATH)``."""

    def __init__(self, path: str, cause: OSError) -> None:
        self.path = path
        super().__init__(
            f"the data directory {path} is not writable ({cause.strerror or cause}); an emulator writes its "
            "data directory at every open. To start from it without changing it, use "
            f"kumo(from_snapshot={path!r}) (alone, or with a data_dir of its own)."
        )


class StorageError(PersistenceError):
    """The storage refused a write (no space left, quota, read-only device): the call that wrote was
    rolled back; the journal is not affected."""


class JournalStopped(PersistenceError):
    """A write or fsync of the journal failed: the journal accepts no further writes (never retried).

    State on disk is intact up to the last acknowledged change; reopen the directory to continue.
    """
