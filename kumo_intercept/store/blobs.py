"""Large payloads (S3 bodies and parts) kept in files instead of on the Python heap."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from typing import BinaryIO, Callable, Iterable


class BlobStore:
    """Content-addressed files under one directory (a temporary one unless a directory is given).

    ``write`` streams chunks into a temp file, then renames it to its SHA-256; equal contents share
    one file. Blobs are referenced by id from records; removing unreferenced ones is the owner's job
    (``discard``), or, with persistence, compaction's.
    """

    def __init__(self, directory: str | None = None) -> None:
        self._directory = directory
        self._owns_directory = directory is None
        self._lock = threading.Lock()
        #: persistence: fsync each blob (and its directory entry) before it is referenced (``fsync``
        #: durability), and leave collection to compaction (``discard`` does nothing; records on
        #: disk or in named snapshots may still reference the blob)
        self.durable = False
        self.retained = False
        #: bytes written so far (compaction's trigger counts them)
        self.bytes_written = 0
        #: callables returning blob ids that must outlive their records (open readers); compaction
        #: never collects those
        self.keepers: list[Callable[[], Iterable[str]]] = []

    @property
    def directory(self) -> str:
        with self._lock:
            if self._directory is None:
                self._directory = tempfile.mkdtemp(prefix="kumo-blobs-")
            return self._directory

    @property
    def created_directory(self) -> str | None:
        """The directory if one exists already (reading this never creates the temporary one)."""
        return self._directory

    def path(self, blob_id: str) -> str:
        return os.path.join(self.directory, blob_id)

    def write(self, chunks: Iterable[bytes], fsync: bool | None = None) -> tuple[str, int]:
        """Store the concatenated ``chunks``; returns ``(blob id, size)``."""
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                if fsync is None:
                    fsync = self.durable
                if fsync:
                    out.flush()
                    os.fsync(out.fileno())
            blob_id = digest.hexdigest()
            os.replace(tmp, self.path(blob_id))
            if fsync:
                dir_fd = os.open(self.directory, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        self.bytes_written += size
        return blob_id, size

    def open(self, blob_id: str) -> BinaryIO:
        return open(self.path(blob_id), "rb")

    def read(self, blob_id: str, start: int = 0, length: int | None = None) -> bytes:
        with self.open(blob_id) as f:
            f.seek(start)
            return f.read() if length is None else f.read(length)

    def size(self, blob_id: str) -> int:
        return os.path.getsize(self.path(blob_id))

    def exists(self, blob_id: str) -> bool:
        return os.path.exists(self.path(blob_id))

    def discard(self, blob_id: str) -> None:
        """Delete a blob no record references any more (a no-op once ``retained``: compaction collects)."""
        if self.retained:
            return
        try:
            os.unlink(self.path(blob_id))
        except FileNotFoundError:
            pass

    def ids(self) -> list[str]:
        if self._directory is None:
            return []
        return [name for name in os.listdir(self._directory) if not name.startswith(".")]

    def close(self) -> None:
        """Remove the directory if it is a temporary one of ours."""
        if self._owns_directory and self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None
