"""Large payloads (S3 bodies and parts) kept in files instead of on the Python heap."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import stat
import tempfile
import threading
from typing import BinaryIO, Callable, Iterable

from . import failpoints
from .errors import CorruptionError, StorageError

_BLOB_ID = re.compile(r"^[0-9a-f]{64}$")
_HASH_CHUNK = 1 << 20
#: write errors that mean the storage cannot take the blob (reported as StorageError, state unchanged)
_STORAGE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO)


class BlobStore:
    """Content-addressed files under one directory (a temporary one unless a directory is given).

    ``write`` streams chunks into a temp file, then renames it to its SHA-256; equal contents share
    one file. Blobs are referenced by id from records; removing unreferenced ones is the owner's job
    (``discard``), or, with persistence, compaction's.

    The directory may come from elsewhere (a data directory, a seed), so a blob is opened without
    following symbolic links, and the first time a blob this store did not write is opened, its
    content is checked against its id: a damaged blob is a ``CorruptionError``, never a wrong body.
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
        #: blobs whose content is known to match their id (written here, or checked once)
        self._verified: set[str] = set()

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
        if not isinstance(blob_id, str) or not _BLOB_ID.match(blob_id):
            raise CorruptionError(self.directory, None, f"a record names the blob {blob_id!r}, which is not a "
                                                        "blob id (64 lowercase hex digits)")
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
                    failpoints.hit("blob.write")
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
        except BaseException as exc:
            if os.path.exists(tmp):
                os.unlink(tmp)
            if isinstance(exc, OSError) and exc.errno in _STORAGE_ERRNOS:
                raise StorageError(f"could not store a blob in {self.directory}: {exc.strerror or exc} "
                                   f"(after {size} bytes). Nothing of it was kept and the call changed "
                                   "nothing; free space (or fix the device) and retry.") from exc
            raise
        self.bytes_written += size
        self._verified.add(blob_id)
        return blob_id, size

    def open(self, blob_id: str) -> BinaryIO:
        """The blob's file, read-only; a symbolic link or a blob whose content does not match its id
        (checked at its first open) is a ``CorruptionError``."""
        path = self.path(blob_id)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise CorruptionError(path, None, "the blob is a symbolic link (never followed)") from None
            raise
        f = os.fdopen(fd, "rb")
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise CorruptionError(path, None, "the blob is not a regular file")
            if blob_id not in self._verified:
                self._verify(f, path, blob_id)
        except BaseException:
            f.close()
            raise
        return f

    def _verify(self, f: BinaryIO, path: str, blob_id: str) -> None:
        digest = hashlib.sha256()
        while chunk := f.read(_HASH_CHUNK):
            digest.update(chunk)
        if digest.hexdigest() != blob_id:
            raise CorruptionError(path, None, f"the blob's content has SHA-256 {digest.hexdigest()}, not the "
                                              "id it is stored under (a damaged or replaced file)")
        f.seek(0)
        self._verified.add(blob_id)

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
