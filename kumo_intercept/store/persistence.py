"""The data directory: lock, manifest, recovery, compaction, named checkpoints, seed export, salvage.

Layout (see docs/persistence.md for the whole protocol)::

    LOCK                flock(LOCK_EX|LOCK_NB) for the store's lifetime; holds the owner's pid
    MANIFEST            the single source of truth: snapshot, its sequence, the ordered segments,
                        the next file number, named checkpoints, label
    snap-NNNNNN         the state as of sequence X (RECORDS frames, then END)
    seg-NNNNNN          journal segments: HEADER (base sequence, ids, clock), then COMMIT/CLOCK/CLOSE
    chk-NNNNNN          named checkpoints (``aws.snapshot(name)``), same format as a snapshot
    blobs/<sha256>      large payloads, content-addressed
    *.corrupt           torn tails cut off the newest segment at open, kept for inspection

Every file is published by ``*.tmp`` → fsync → ``os.replace`` → fsync of the directory; every open
starts a fresh segment, so nothing is ever appended after a tail that might be torn.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import itertools
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from . import failpoints
from .codec import (CHECKPOINT, CLOCK, CLOSE, COMMIT, END, FRAME_TYPES, MANIFEST, RECORDS, SEGMENT,
                    SNAPSHOT, BadFrame, as_key, frame, header_bytes, iter_frames, only_zeros, pack, payload_of,
                    read_header, unpack, valid_frame_after)
from .errors import CorruptionError, DataDirLocked, DataDirReadOnly, PersistenceError
from .journal import Journal, fdatasync, parse_durability
from .schema import Catalog, service_catalog

LOCK_NAME = "LOCK"
MANIFEST_NAME = "MANIFEST"
BLOBS = "blobs"
#: after a crash (no CLOSE frame) the id generator skips this many bytes: ids drawn by read-only calls
#: after the last journaled change were never written down, and must never be handed out again
CRASH_ID_GAP = 1 << 32
SEGMENT_BYTES = 64 << 20
COMPACT_MIN_BYTES = 4 << 20
#: an open with more segments than this compacts (many short sessions leave many small segments)
MAX_SEGMENTS = 16
_CHUNK_RECORDS = 512
_PREFIXES = ("seg-", "snap-", "chk-")
#: the reason given for a newest segment that ends in zeros: the rest of the space the journal reserves
#: ahead of its frames (a segment in use, or left by a crash). Trimmed at open; nothing is kept aside.
ZERO_TAIL = "only zeros after the last frame (space reserved ahead of the journal)"
#: what decoding a checksummed payload of the wrong shape raises
_MALFORMED = (TypeError, ValueError, KeyError, IndexError, AttributeError)
#: what the directory holds is private to its owner, whatever the umask
FILE_MODE = 0o600
DIR_MODE = 0o700


@dataclass
class State:
    """Records plus what a restart must continue exactly: last sequence, id generator, clock."""

    records: dict[str, dict[Any, Any]] = field(default_factory=dict)
    seq: int = 0
    ids: int = 0
    clock: float | None = None
    clean: bool = True  # the last session ended with a CLOSE frame (or there was none)
    #: the layout version of each table as the files read say (store/schema.py); empty for live state
    versions: dict[str, int] = field(default_factory=dict)

    def tables_with_records(self) -> list[str]:
        return [name for name, data in self.records.items() if data]


@dataclass
class Recovery:
    state: State
    manifest: dict[str, Any]
    torn: tuple[str, int, str] | None = None  # (segment, offset, reason) of a torn tail
    frames: int = 0
    files: dict[str, int] = field(default_factory=dict)  # name -> size
    blob_refs: set[str] = field(default_factory=set)


# -- small file helpers ---------------------------------------------------------------------------
def fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise CorruptionError(path, None, "the file is missing (the MANIFEST names it)") from None


def publish(directory: str, name: str, chunks: Iterable[bytes], failpoint: str = "manifest") -> int:
    """Write ``name`` atomically: tmp file, fsync, rename, directory fsync. Returns its size."""
    final = os.path.join(directory, name)
    tmp = final + ".tmp"
    size = 0
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        for chunk in chunks:
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view):]
            size += len(chunk)
        os.fsync(fd)
    finally:
        os.close(fd)
    failpoints.hit(f"{failpoint}.tmp_written")
    os.replace(tmp, final)
    failpoints.hit(f"{failpoint}.renamed")
    fsync_dir(directory)
    return size


def make_private_dir(path: str) -> None:
    """Create ``path`` (and missing parents) readable by its owner only; an existing one is left as is."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        os.mkdir(path, DIR_MODE)
    except FileExistsError:
        return
    os.chmod(path, DIR_MODE)  # exact, whatever the umask


def file_name(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}"


def new_manifest(label: str | None = None) -> dict[str, Any]:
    return {"snapshot": None, "snapshot_seq": 0, "segments": [], "next_file": 1, "checkpoints": {},
            "label": label, "created": time.time()}


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return header_bytes(MANIFEST, manifest.get("snapshot_seq", 0), manifest)


def read_manifest(directory: str) -> dict[str, Any]:
    path = os.path.join(directory, MANIFEST_NAME)
    data = _read(path)
    try:
        manifest, _seq, end = read_header(data, path, MANIFEST)
    except BadFrame as bad:  # published atomically: a MANIFEST is never legitimately torn
        raise CorruptionError(path, bad.offset, bad.reason) from None
    if end != len(data):
        raise CorruptionError(path, end, f"{len(data) - end} unexpected bytes after the manifest")
    for key, kind in (("segments", list), ("next_file", int), ("checkpoints", dict), ("snapshot_seq", int)):
        if not isinstance(manifest.get(key), kind):
            raise CorruptionError(path, None, f"manifest field {key!r} is missing or malformed")
    named = [("snapshot", "snap-", manifest.get("snapshot"))] if manifest.get("snapshot") is not None else []
    named += [("segments", "seg-", name) for name in manifest["segments"]]
    named += [("checkpoints", "chk-", name) for name in manifest["checkpoints"].values()]
    for key, prefix, name in named:
        if not is_plain_name(name, prefix):
            raise CorruptionError(path, None, f"MANIFEST field {key!r} names {name!r}, which is not a file "
                                              f"name of the form {prefix}NNNNNN inside the directory")
    return manifest


def is_plain_name(name: object, prefix: str = "") -> bool:
    """Whether ``name`` (read from a file, so untrusted) is a plain file name inside the directory: no
    separator, no ``..``, not absolute, no NUL, starting with ``prefix``."""
    return (isinstance(name, str) and name.startswith(prefix) and name not in ("", ".", "..")
            and "/" not in name and "\\" not in name and "\x00" not in name and os.path.basename(name) == name)


# -- snapshots --------------------------------------------------------------------------------------
def snapshot_chunks(state: State, kind: int, info: dict[str, Any], refs: set[str], catalog: Catalog) -> Iterable[bytes]:
    """The bytes of a snapshot/checkpoint file of ``state``, in ~1 MB pieces; fills ``refs`` with the
    blob ids the records reference (as the catalog's table specs say). Packs 512 records at a time so
    other threads keep the GIL. The header holds each table's layout version."""
    counts = {name: len(data) for name, data in state.records.items() if data}
    seq = state.seq
    out = [header_bytes(kind, seq, {"seq": seq, "ids": state.ids, "clock": state.clock, "tables": counts,
                                    "versions": catalog.versions(counts), "records": sum(counts.values()),
                                    "created": time.time(), **info})]
    size = len(out[0])
    for name, data in state.records.items():
        if not data:
            continue
        # chunk by chunk: a list of every (key, record) pair would live long enough to reach the
        # oldest GC generation and set off a full collection that holds the GIL for 100+ ms
        items = iter(data.items())
        while chunk := list(itertools.islice(items, _CHUNK_RECORDS)):
            payload = pack([name, chunk])
            if catalog.holds_blobs(name):
                for _key, record in chunk:
                    refs.update(catalog.blob_ids(name, record))
            piece = frame(seq, RECORDS, payload)
            out.append(piece)
            size += len(piece)
            if size >= 1 << 20:
                yield b"".join(out)
                out, size = [], 0
    out.append(frame(seq, END, pack({"records": sum(counts.values())})))
    yield b"".join(out)


def read_snapshot(path: str, kind: int = SNAPSHOT, data: bytes | None = None) -> tuple[State, dict[str, Any], int]:
    """(state, header, frames) of a snapshot or checkpoint file; any damage is a CorruptionError."""
    data = _read(path) if data is None else data
    offset = 0
    try:
        header, seq, pos = read_header(data, path, kind)
        records: dict[str, dict[Any, Any]] = {}
        frames = 1
        for offset, _seq, ftype, start, end in iter_frames(data, pos):
            frames += 1
            if ftype == RECORDS:
                name, items = payload_of(data, start, end, path, offset)
                table = records.get(name)
                if table is None:
                    table = records[name] = {}
                for key, value in items:
                    table[as_key(key) if key.__class__ is list else key] = value
            elif ftype == END:
                if end != len(data):
                    raise CorruptionError(path, end, "unexpected bytes after the snapshot's END frame")
                total = sum(len(t) for t in records.values())
                if total != header.get("records"):
                    raise CorruptionError(path, offset, f"snapshot holds {total} records, its header "
                                                        f"says {header.get('records')}")
                state = State(records, seq, header.get("ids", 0), header.get("clock"),
                              versions=dict(header.get("versions") or {}))
                return state, header, frames
            else:
                raise CorruptionError(path, offset, f"unexpected {FRAME_TYPES[ftype]} frame in a snapshot")
    except BadFrame as bad:
        raise CorruptionError(path, bad.offset, bad.reason) from None
    except _MALFORMED as exc:  # a checksummed frame whose payload has the wrong shape: a crafted file
        raise CorruptionError(path, offset, f"malformed frame ({exc!r})") from None
    raise CorruptionError(path, len(data), "snapshot ends without its END frame (incomplete)")


# -- segments ---------------------------------------------------------------------------------------
def replay_segment(path: str, data: bytes, state: State, newest: bool, refs: set[str] | None = None,
                   catalog: Catalog | None = None) -> tuple[int, tuple[int, str] | None]:
    """Apply a segment's frames to ``state``. Returns (frames, torn) where torn is (offset, reason) if
    the newest segment ends in a torn tail; any other damage raises CorruptionError. With ``refs``,
    adds the blob ids the written records reference (``catalog`` says where records hold them)."""
    records = state.records
    frames = 0
    offset = 0
    try:
        header, hseq, pos = read_header(data, path, SEGMENT)
        if hseq != state.seq:
            raise CorruptionError(path, 8, f"segment starts after sequence {hseq}, but the state before it "
                                           f"ends at {state.seq} (a file is missing or out of order)")
        state.ids = max(state.ids, header.get("ids", 0))
        if header.get("clock") is not None:
            state.clock = header["clock"]
        state.versions.update(header.get("versions") or {})
        state.clean = False
        frames = 1
        for offset, seq, ftype, start, end in iter_frames(data, pos):
            if seq != state.seq + 1:
                raise CorruptionError(path, offset, f"frame has sequence {seq}, expected {state.seq + 1}")
            payload = payload_of(data, start, end, path, offset)
            if ftype == COMMIT:
                state.ids, ops = payload
                for op in ops:
                    table = records.get(op[0])
                    if table is None:
                        table = records[op[0]] = {}
                    key = op[1]
                    if key.__class__ is list:
                        key = as_key(key)
                    if len(op) == 3:
                        table[key] = op[2]
                        if refs is not None and catalog is not None:
                            refs.update(catalog.blob_ids(op[0], op[2]))
                    else:
                        table.pop(key, None)
                state.clean = False
            elif ftype == CLOCK:
                state.clock = payload[0]
                state.clean = False
            elif ftype == CLOSE:
                state.ids = payload[0]
                if payload[1] is not None:
                    state.clock = payload[1]
                state.clean = True
            else:
                raise CorruptionError(path, offset, f"unexpected {FRAME_TYPES[ftype]} frame in a segment")
            state.seq = seq
            frames += 1
    except _MALFORMED as exc:  # a checksummed frame whose payload has the wrong shape: a crafted file
        raise CorruptionError(path, offset, f"malformed frame ({exc!r})") from None
    except BadFrame as bad:
        if newest and only_zeros(data, bad.offset):
            return frames, (bad.offset, ZERO_TAIL)
        if newest and valid_frame_after(data, bad.offset, state.seq + 1) is None:
            return frames, (bad.offset, bad.reason)
        raise CorruptionError(path, bad.offset, bad.reason + (
            " (valid frames follow, so this is not a torn tail)" if newest else "")) from None
    return frames, None


def segment_refs(data: bytes, catalog: Catalog, pos: int = 0) -> tuple[set[str], int]:
    """The blob ids the records written in a segment reference, from offset ``pos`` (0: its start) up
    to its first bad frame (the active segment ends in reserved zeros), and the offset scanned up to.
    Frames that name no blob-holding table are not decoded."""
    needles = [name.encode() for name in catalog.blob_tables()]
    refs: set[str] = set()
    try:
        if not pos:
            _header, _seq, pos = read_header(data, "", SEGMENT)
        for _offset, _fseq, ftype, start, end in iter_frames(data, pos):
            if ftype == COMMIT and any(data.find(n, start, end) != -1 for n in needles):
                for op in unpack(data[start:end])[1]:
                    if len(op) == 3:
                        refs.update(catalog.blob_ids(op[0], op[2]))
            pos = end
    except (BadFrame, CorruptionError):
        pass
    return refs, pos


def recover(directory: str, *, with_refs: bool = False, catalog: Catalog | None = None) -> Recovery:
    """Read a data directory without changing it: the state after its last valid frame. A table whose
    layout version (as the files say) is not the one ``catalog`` declares is refused (PersistenceError).
    ``catalog`` defaults to every emulated service's tables."""
    catalog = catalog or service_catalog()
    manifest = read_manifest(directory)
    refs: set[str] = set()
    files = {MANIFEST_NAME: os.path.getsize(os.path.join(directory, MANIFEST_NAME))}
    state = State()
    frames = 1
    if manifest["snapshot"]:
        path = os.path.join(directory, manifest["snapshot"])
        data = _read(path)
        files[manifest["snapshot"]] = len(data)
        state, _header, count = read_snapshot(path, SNAPSHOT, data)
        frames += count
        if with_refs:
            refs.update(catalog.refs_of(state.records))
        if state.seq != manifest["snapshot_seq"]:
            raise CorruptionError(path, None, f"snapshot is at sequence {state.seq}, the MANIFEST says "
                                              f"{manifest['snapshot_seq']}")
    torn = None
    segments = manifest["segments"]
    for i, name in enumerate(segments):
        path = os.path.join(directory, name)
        data = _read(path)
        files[name] = len(data)
        count, cut = replay_segment(path, data, state, i == len(segments) - 1, refs if with_refs else None,
                                    catalog)
        frames += count
        if cut is not None:
            torn = (name, cut[0], cut[1])
    if not state.clean:
        state.ids += CRASH_ID_GAP
    catalog.check(state.versions, state.tables_with_records(), directory)
    return Recovery(state, manifest, torn, frames, files, refs)


def _kumo_files(directory: str) -> list[str]:
    return [n for n in os.listdir(directory) if n.startswith(_PREFIXES) or n == MANIFEST_NAME]


# -- the writable data directory ------------------------------------------------------------------------
class DataDir:
    """One data directory opened for writing: holds its LOCK until ``close``.

    ``recover()`` reads the state (cutting a torn tail off), then ``start(...)`` opens a fresh segment and
    returns the journal the store writes through. ``capture`` (given to ``start``) returns the
    committed state under the owner's lock; compaction, checkpoints and rebase use it.
    """

    def __init__(self, path: str, durability: Any = "process", *, segment_bytes: int = SEGMENT_BYTES,
                 compact_min_bytes: int = COMPACT_MIN_BYTES, auto_compact: bool = True,
                 catalog: Catalog | None = None) -> None:
        self.path = os.path.abspath(path)
        #: the declared tables: layout versions written and checked, blob ids compaction keeps
        self.catalog = catalog or service_catalog()
        self.mode, self.interval = parse_durability(durability)
        self.segment_bytes = segment_bytes
        self.compact_min_bytes = compact_min_bytes
        self.auto_compact = auto_compact
        self.blobs_dir = os.path.join(self.path, BLOBS)
        self.journal: Journal | None = None
        self.manifest: dict[str, Any] = {}
        self._lock_fd: int | None = None
        self._manifest_lock = threading.RLock()
        self._compact_lock = threading.Lock()  # one compaction (or checkpoint/export) at a time
        self._compacting = False
        self._closing = False
        self._compactor: threading.Thread | None = None
        self.compaction_error: BaseException | None = None
        self._live_bytes = 0
        self._epoch = 0  # bumped by rebase: a compaction that captured an older state is abandoned
        self._checkpoint_refs: dict[str, set[str]] = {}
        self._segment_scans: dict[str, tuple[set[str], int]] = {}  # name -> (blob ids, offset scanned)
        self._owner_lock: Any = threading.RLock()
        self._capture: Callable[[], State] | None = None
        self._kept: Callable[[], Iterable[str]] = lambda: ()

    # -- lock -------------------------------------------------------------------------------------
    def _acquire(self) -> None:
        make_private_dir(self.path)
        make_private_dir(self.blobs_dir)
        fd = os.open(os.path.join(self.path, LOCK_NAME), os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise
            try:
                pid: int | None = int(os.pread(fd, 32, 0).decode().strip() or "x")
            except ValueError:
                pid = None
            os.close(fd)
            raise DataDirLocked(self.path, pid) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._lock_fd = fd

    def _release(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # drops the flock
            self._lock_fd = None

    # -- open -------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _writable(self) -> Iterator[None]:
        """Opening writes (LOCK, MANIFEST, a new segment): a directory that refuses writes is a clear
        ``DataDirReadOnly``, not a bare ``PermissionError``."""
        try:
            yield
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise DataDirReadOnly(self.path, exc) from exc
            raise

    def recover(self) -> Recovery:
        """Lock, read, cut a torn tail off the newest segment (kept as ``*.corrupt``), drop leftovers."""
        with self._writable():
            self._acquire()
        try:
            if not os.path.exists(os.path.join(self.path, MANIFEST_NAME)):
                stray = _kumo_files(self.path)
                if stray:
                    raise CorruptionError(os.path.join(self.path, MANIFEST_NAME), None,
                                          f"MANIFEST is missing but {sorted(stray)[:3]} are present")
                with self._writable():
                    publish(self.path, MANIFEST_NAME, [manifest_bytes(new_manifest())])
            rec = recover(self.path, catalog=self.catalog)
            self.manifest = rec.manifest
            with self._writable():
                if rec.torn is not None:
                    self._cut_tail(*rec.torn)
                self._remove_leftovers()
            if self.manifest["snapshot"]:
                self._live_bytes = rec.files.get(self.manifest["snapshot"], 0)
            return rec
        except BaseException:
            self._release()
            raise

    @staticmethod
    def _keep_aside(path: str, offset: int) -> None:
        """Copy the file's bytes from ``offset`` on to ``<path>.corrupt`` (or ``.corrupt.N``)."""
        with open(path, "rb") as f:
            f.seek(offset)
            tail = f.read()
        aside = path + ".corrupt"
        n = 1
        while os.path.exists(aside):
            aside = f"{path}.corrupt.{n}"
            n += 1
        with os.fdopen(os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE), "wb") as f:
            f.write(tail)
            f.flush()
            os.fsync(f.fileno())

    def _cut_tail(self, segment: str, offset: int, reason: str) -> None:
        path = os.path.join(self.path, segment)
        if reason != ZERO_TAIL:  # zeros hold nothing worth keeping
            self._keep_aside(path, offset)
        if offset <= 8 or not _has_header(path, offset):
            # nothing of the segment survived: drop it from the manifest, then delete it
            self.manifest["segments"] = [s for s in self.manifest["segments"] if s != segment]
            self._publish_manifest()
            os.unlink(path)
        else:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.ftruncate(fd, offset)
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(self.path)
        failpoints.hit("open.tail_cut")

    def _remove_leftovers(self) -> None:
        named = set(self.manifest["segments"]) | set(self.manifest["checkpoints"].values())
        if self.manifest["snapshot"]:
            named.add(self.manifest["snapshot"])
        for name in os.listdir(self.path):
            stale_tmp = name.endswith(".tmp") and (name.startswith(_PREFIXES) or name == MANIFEST_NAME + ".tmp")
            orphan = name.startswith(_PREFIXES) and ".corrupt" not in name and name not in named
            if stale_tmp or orphan:
                os.unlink(os.path.join(self.path, name))

    def start(self, *, state: State, capture: Callable[[], State], ids: Callable[[], int],
              clock: Callable[[], float | None], owner_lock: Any = None,
              blobs: Any = None,
              kept: Callable[[], Iterable[str]] | None = None) -> Journal:
        """Open a fresh segment after the recovered ``state`` and return the journal."""
        self._capture = capture
        self._ids, self._clock = ids, clock
        if owner_lock is not None:
            self._owner_lock = owner_lock
        if kept is not None:
            self._kept = kept
        with self._writable():
            fd, name = self.new_segment(state.seq, sync=self.mode != "process")
        self.journal = Journal(self, self.mode, self.interval, fd, name, os.fstat(fd).st_size, state.seq,
                               ids, clock, self.segment_bytes)
        if blobs is not None:
            self.journal.blobs = blobs
        self._set_compact_at()
        if len(self.manifest["segments"]) > MAX_SEGMENTS:
            self.compact()
        return self.journal

    # -- manifest and segments ----------------------------------------------------------------------
    def _publish_manifest(self) -> None:
        with self._manifest_lock:
            publish(self.path, MANIFEST_NAME, [manifest_bytes(self.manifest)])

    def _next_file(self, prefix: str) -> str:
        with self._manifest_lock:
            number = self.manifest["next_file"]
            self.manifest["next_file"] = number + 1
            return file_name(prefix, number)

    def _create_segment(self, base: int, sync: bool) -> tuple[int, str]:
        name = self._next_file("seg")
        fd = os.open(os.path.join(self.path, name), os.O_RDWR | os.O_CREAT | os.O_TRUNC, FILE_MODE)  # mapped
        try:
            info = {"seq": base, "ids": self._ids(), "clock": self._clock(), "pid": os.getpid(),
                    "created": time.time(), "versions": self.catalog.past_first()}
            data = header_bytes(SEGMENT, base, info)
            os.write(fd, data)
            if sync:
                fdatasync(fd)
        except BaseException:
            os.close(fd)
            raise
        return fd, name

    def new_segment(self, base: int, sync: bool) -> tuple[int, str]:
        """Create the next segment (header after sequence ``base``) and publish a MANIFEST naming it."""
        with self._manifest_lock:
            fd, name = self._create_segment(base, sync)
            self.manifest["segments"] = self.manifest["segments"] + [name]
            try:
                self._publish_manifest()
            except BaseException:
                os.close(fd)
                raise
            return fd, name

    # -- compaction ---------------------------------------------------------------------------------
    def appended(self, journal: Journal) -> None:
        """Called after each append: starts a background compaction when the journal outgrew the state."""
        if not self.auto_compact or self._compacting or self._closing:
            return
        if journal.bytes_written + journal.blobs.bytes_written > journal.compact_at:
            self._compacting = True
            self._compactor = threading.Thread(target=self._compact_in_background, name="kumo-compaction",
                                               daemon=True)
            self._compactor.start()

    def _set_compact_at(self) -> None:
        """Compact once the journal (plus new blob bytes) outgrows the live state (or the minimum)."""
        journal = self.journal
        if journal is not None:
            journal.compact_at = max(self.compact_min_bytes, self._live_bytes) + journal.blobs.bytes_written

    def _compact_in_background(self) -> None:
        try:
            self.compact()
        except BaseException as exc:  # kept for the owner; the journal goes on
            self.compaction_error = exc
        finally:
            self._compacting = False

    def wait_for_compaction(self) -> None:
        thread = self._compactor
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def quiesce(self) -> None:
        """Start no more background compactions and wait for a running one. Call it without holding the
        owner's lock (a compaction needs it): ``close`` does, so the owner calls this first."""
        self._closing = True
        self.wait_for_compaction()

    def compact(self) -> dict[str, Any]:
        """Roll to a new segment at sequence X, write the state as of X as a snapshot, publish it and a
        MANIFEST naming it, then delete what the MANIFEST no longer names and collect unreferenced blobs.
        Writers wait only for the roll and a shallow copy of the records."""
        journal = self.journal
        assert journal is not None and self._capture is not None
        with self._compact_lock:
            self._compacting = True
            try:
                with self._owner_lock:
                    with journal.paused():
                        first_new = journal.roll_paused()
                        state = self._capture()
                        state.seq = journal.last_seq
                        journal.bytes_written = 0
                        epoch = self._epoch
                    blobs_before = set(os.listdir(self.blobs_dir))
                failpoints.hit("compact.rolled")
                refs: set[str] = set()
                name = self._next_file("snap")
                size = publish(self.path, name, snapshot_chunks(state, SNAPSHOT, {}, refs, self.catalog), "compact.snapshot")
                failpoints.hit("compact.snapshot_published")
                with self._manifest_lock:
                    if epoch != self._epoch:  # a restore replaced the state meanwhile
                        os.unlink(os.path.join(self.path, name))
                        return {"abandoned": True}
                    old = self.manifest
                    segments = old["segments"]
                    keep = segments[segments.index(first_new):]
                    self.manifest = {**old, "snapshot": name, "snapshot_seq": state.seq, "segments": keep}
                    self._publish_manifest()
                failpoints.hit("compact.manifest_published")
                self._live_bytes = size
                self._delete_unnamed(old)
                failpoints.hit("compact.files_deleted")
                live_blob_bytes = self._collect_blobs(blobs_before, refs)
                self._live_bytes = size + live_blob_bytes
                self._set_compact_at()
                return {"snapshot": name, "seq": state.seq, "bytes": size,
                        "records": sum(len(t) for t in state.records.values())}
            finally:
                self._compacting = False

    def _delete_unnamed(self, old: dict[str, Any]) -> None:
        with self._manifest_lock:
            named = set(self.manifest["segments"]) | set(self.manifest["checkpoints"].values())
            named.add(self.manifest["snapshot"])
        gone = [n for n in [old.get("snapshot"), *old["segments"], *old["checkpoints"].values()]
                if n and n not in named]
        for name in gone:
            try:
                os.unlink(os.path.join(self.path, name))
            except FileNotFoundError:
                pass
            self._checkpoint_refs.pop(name, None)
        if gone:
            fsync_dir(self.path)

    def _checkpoint_blob_refs(self) -> set[str]:
        refs: set[str] = set()
        for name in self.manifest["checkpoints"].values():
            found = self._checkpoint_refs.get(name)
            if found is None:
                state, _header, _frames = read_snapshot(os.path.join(self.path, name), CHECKPOINT)
                found = self._checkpoint_refs[name] = self.catalog.refs_of(state.records)
            refs |= found
        return refs

    def _segment_refs(self) -> set[str]:
        """Blob ids the live segments' records reference. Segments only grow, so each is scanned from
        where the last scan stopped: the pass under the owner's lock reads only the newest frames."""
        refs: set[str] = set()
        scanned: dict[str, tuple[set[str], int]] = {}
        for name in list(self.manifest["segments"]):
            try:
                data = _read(os.path.join(self.path, name))
            except CorruptionError:
                continue
            known, pos = self._segment_scans.get(name, (set(), 0))
            found, pos = segment_refs(data, self.catalog, pos)
            scanned[name] = (known | found, pos)
            refs |= known | found
        self._segment_scans = scanned  # segments no longer named are forgotten
        return refs

    def _collect_blobs(self, before: set[str], refs: set[str]) -> int:
        """Delete blobs that existed at the roll and that nothing on disk references any more: not the
        snapshot, not a checkpoint, not a frame after the roll, not a pinned reader. Returns the bytes of
        the blobs kept."""
        stale_tmp = {n for n in before if n.startswith(".")}
        candidates = {n for n in before if not n.startswith(".")} - refs
        if candidates:
            candidates -= self._checkpoint_blob_refs()
        if candidates:
            candidates -= self._segment_refs()  # most of the scan happens without the owner's lock
        if candidates or stale_tmp:
            with self._owner_lock:  # no handler runs: no blob is being written or newly referenced
                candidates -= self._segment_refs()
                candidates -= set(self._kept())
                for name in sorted(candidates | stale_tmp):
                    try:
                        os.unlink(os.path.join(self.blobs_dir, name))
                    except FileNotFoundError:
                        pass
                    failpoints.hit("compact.blob_deleted")
        kept = 0
        for name in before - candidates - stale_tmp:
            try:
                kept += os.path.getsize(os.path.join(self.blobs_dir, name))
            except OSError:
                pass
        return kept

    # -- whole-state replacement (restore, reset, seeding) ------------------------------------------
    def rebase(self, state: State) -> None:
        """Make ``state`` the directory's state (caller holds the owner's lock, no transaction open):
        write it as the snapshot, start a new segment after it, publish one MANIFEST naming both."""
        journal = self.journal
        assert journal is not None
        with journal.paused(refuse_if_stopped=True):
            if self.mode != "process":
                journal.sync()
            state.seq = journal.last_seq
            name = self._next_file("snap")
            refs: set[str] = set()
            size = publish(self.path, name, snapshot_chunks(state, SNAPSHOT, {}, refs, self.catalog), "rebase.snapshot")
            with self._manifest_lock:
                fd, segment = self._create_segment(state.seq, sync=self.mode != "process")
                old = self.manifest
                self.manifest = {**old, "snapshot": name, "snapshot_seq": state.seq, "segments": [segment]}
                self._publish_manifest()
                self._epoch += 1
            journal.replace_segment(fd, segment)
            journal.bytes_written = 0
            self._live_bytes = size
            self._set_compact_at()
            self._delete_unnamed(old)

    # -- named checkpoints ----------------------------------------------------------------------------
    def exclusive(self) -> Any:
        """Held around capturing a state and writing it out (checkpoint, export): no compaction runs
        meanwhile, so no blob the captured records reference is collected. Take it before the owner's
        lock."""
        return self._compact_lock

    def write_checkpoint(self, name: str, state: State) -> None:
        """Publish ``state`` as the checkpoint ``name`` (caller holds ``exclusive()``)."""
        file = self._next_file("chk")
        refs: set[str] = set()
        publish(self.path, file, snapshot_chunks(state, CHECKPOINT, {"name": name}, refs, self.catalog), "checkpoint")
        self._checkpoint_refs[file] = refs
        with self._manifest_lock:
            old = self.manifest
            self.manifest = {**old, "checkpoints": {**old["checkpoints"], name: file}}
            self._publish_manifest()
        self._delete_unnamed(old)

    def read_checkpoint(self, name: str) -> State | None:
        file = self.manifest["checkpoints"].get(name)
        if file is None:
            return None
        path = os.path.join(self.path, file)
        state, _header, _frames = read_snapshot(path, CHECKPOINT)
        self.catalog.check(state.versions, state.tables_with_records(), path)
        return state

    def checkpoint_names(self) -> list[str]:
        return sorted(self.manifest["checkpoints"])

    # -- close ------------------------------------------------------------------------------------------
    def close(self) -> None:
        """Wait for a running compaction, write the CLOSE frame, release the lock."""
        try:
            self.quiesce()
            if self.journal is not None:
                self.journal.close()
        finally:
            self._release()


def _has_header(path: str, offset: int) -> bool:
    """Whether the first ``offset`` bytes of a segment hold its whole prefix and HEADER frame."""
    with open(path, "rb") as f:
        data = f.read(offset)
    try:
        read_header(data, path, SEGMENT)
    except (BadFrame, CorruptionError):
        return False
    return True


# -- seeds: export, salvage -------------------------------------------------------------------------------
def export_state(state: State, path: str, *, blobs_dir: str | None, label: str | None = None,
                 missing_blobs_ok: bool = False, catalog: Catalog | None = None) -> dict[str, Any]:
    """Publish ``state`` as a self-contained seed directory at ``path``: built in a temporary sibling,
    fsynced, then renamed into place (so a reader sees nothing or everything). Returns its MANIFEST."""
    catalog = catalog or service_catalog()
    path = os.path.abspath(path)
    if os.path.exists(path):
        raise PersistenceError(f"cannot export to {path}: it already exists (exports never overwrite)")
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}-{threading.get_ident()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.mkdir(tmp, DIR_MODE)
    os.mkdir(os.path.join(tmp, BLOBS), DIR_MODE)
    try:
        refs: set[str] = set()
        snap = file_name("snap", 1)
        publish(tmp, snap, snapshot_chunks(state, SNAPSHOT, {"label": label}, refs, catalog), "export.snapshot")
        missing = []
        for blob in sorted(refs):
            source = os.path.join(blobs_dir, blob) if blobs_dir else None
            if source is None or not os.path.exists(source):
                missing.append(blob)
                continue
            link_or_copy(source, os.path.join(tmp, BLOBS, blob))
        if missing and not missing_blobs_ok:
            raise PersistenceError(f"cannot export: {len(missing)} referenced blob(s) are missing, "
                                   f"e.g. {missing[0]}")
        fsync_dir(os.path.join(tmp, BLOBS))
        manifest = {**new_manifest(label), "snapshot": snap, "snapshot_seq": state.seq, "next_file": 2,
                    "exported": time.time(), "records": sum(len(t) for t in state.records.values())}
        publish(tmp, MANIFEST_NAME, [manifest_bytes(manifest)], "export.manifest")
        os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    fsync_dir(parent)
    manifest["missing_blobs"] = missing
    return manifest


def link_or_copy(source: str, target: str) -> None:
    """Hard-link a (never modified in place) blob file; copy across file systems."""
    try:
        os.link(source, target)
    except FileExistsError:
        pass
    except OSError:
        shutil.copyfile(source, target)
        os.chmod(target, FILE_MODE)
        with open(target, "rb") as f:
            os.fsync(f.fileno())


def salvage(source: str, out: str) -> dict[str, Any]:
    """Copy the newest intact state of a damaged directory into a new seed directory ``out``.

    That is the snapshot plus the segments up to the first damaged frame (later segments depend on
    it), or a named checkpoint taken after that point: always a state that existed, never a mix. A
    damaged snapshot is not patched together from its intact frames: the newest intact checkpoint is
    used instead, and with none there is nothing to salvage (PersistenceError). Reports what was dropped."""
    source = os.path.abspath(source)
    report: dict[str, Any] = {"source": source, "out": os.path.abspath(out), "dropped": [], "rebuilt": None,
                              "base": None}
    try:
        manifest = read_manifest(source)
    except CorruptionError as exc:
        manifest = _manifest_from_files(source)
        report["rebuilt"] = f"{os.path.basename(exc.path or '')}: {exc.reason}"
    state: State | None = State()  # no snapshot: the history starts from the empty state
    if manifest["snapshot"]:
        try:
            state = read_snapshot(os.path.join(source, manifest["snapshot"]))[0]
            report["base"] = manifest["snapshot"]
        except CorruptionError as exc:
            state = None
            report["dropped"].append(str(exc))
    if state is not None:
        _replay_prefix(source, manifest, state, report)
    newest = _newest_checkpoint(source, manifest, report)
    if newest is not None and (state is None or newest[1].seq > state.seq):
        report["base"], state = newest
    if state is None:
        raise PersistenceError(f"nothing to salvage in {source}: its snapshot is damaged and no intact "
                               "checkpoint exists (a state patched from intact frames never existed)")
    state.ids += CRASH_ID_GAP
    catalog = service_catalog()
    catalog.check(state.versions, state.tables_with_records(), source)  # the seed is labelled current
    exported = export_state(state, out, blobs_dir=os.path.join(source, BLOBS),
                            label=f"salvaged from {source}", missing_blobs_ok=True, catalog=catalog)
    report.update(seq=state.seq, records=sum(len(t) for t in state.records.values()),
                  missing_blobs=exported["missing_blobs"])
    return report


def _replay_prefix(source: str, manifest: dict[str, Any], state: State, report: dict[str, Any]) -> None:
    """Apply the segments after ``state`` up to the first damaged frame (whole frames only)."""
    segments = manifest["segments"]
    if report["rebuilt"]:
        segments = _segments_after(source, segments, state.seq)
    for i, name in enumerate(segments):
        path = os.path.join(source, name)
        try:
            replay_segment(path, _read(path), state, i == len(segments) - 1)
        except CorruptionError as exc:
            report["dropped"].append(str(exc))  # ``state`` holds every frame before the damage
            return


def _newest_checkpoint(source: str, manifest: dict[str, Any], report: dict[str, Any]) -> tuple[str, State] | None:
    """(file, state) of the intact named checkpoint with the highest sequence, if any."""
    names = list(manifest["checkpoints"].values())
    if report["rebuilt"]:
        names = sorted(n for n in os.listdir(source) if n.startswith("chk-") and "." not in n)
    found: list[tuple[int, str, State]] = []
    for name in names:
        try:
            state = read_snapshot(os.path.join(source, name), CHECKPOINT)[0]
        except CorruptionError as exc:
            report["dropped"].append(str(exc))
            continue
        found.append((state.seq, name, state))
    if not found:
        return None
    _seq, name, state = max(found, key=lambda item: item[0])
    return name, state


def _manifest_from_files(source: str) -> dict[str, Any]:
    """What the MANIFEST would name, read off the files when it is unreadable: the newest intact
    snapshot, then every segment in file order (``salvage`` follows their sequence numbers)."""
    manifest = new_manifest()
    names = sorted(n for n in os.listdir(source) if "." not in n)
    snapshots = []
    for name in names:
        if name.startswith("snap-"):
            try:
                snapshots.append((read_snapshot(os.path.join(source, name))[0].seq, name))
            except CorruptionError:
                pass
    if snapshots:
        manifest["snapshot_seq"], manifest["snapshot"] = max(snapshots)
    manifest["segments"] = [n for n in names if n.startswith("seg-")]
    return manifest


def _segments_after(source: str, names: list[str], seq: int) -> list[str]:
    """The segments (in file order) from the first one that starts at sequence ``seq``: earlier ones
    are already in the snapshot. Their headers say where each starts; replay checks the chain."""
    for i, name in enumerate(names):
        with open(os.path.join(source, name), "rb") as f:
            head = f.read(1 << 16)  # prefix and HEADER frame: a few hundred bytes
        try:
            _header, base, _pos = read_header(head, name, SEGMENT)
        except (BadFrame, CorruptionError):
            continue
        if base == seq:
            return names[i:]
    return []


__all__ = ["DataDir", "State", "Recovery", "recover", "read_manifest", "read_snapshot", "export_state",
           "salvage"]
