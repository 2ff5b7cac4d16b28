"""The journal writer: appends checksummed frames to the active segment, under one of three durabilities.

* ``process`` (default): a frame is copied into the active segment through a shared memory mapping
  before the call returns. Those pages are the kernel's page cache, so the frame survives a process
  kill (``kill -9``) as an ``os.write`` would, without a system call per change; nothing is fsynced.
* ``fsync``: group commit. The frame is written, then the call waits until an ``fdatasync`` that
  started after the write has finished; one fdatasync covers every frame written meanwhile, so
  concurrent writers share them. A writer that finds no sync running syncs itself (a lone writer pays
  no thread hand-off); writers that arrive during a sync each wait on a lock of their own, and the
  ``kumo-journal-group-sync`` thread then syncs for them back to back until none is left waiting. The
  emulator waits *after* releasing its lock (``deferred()``), so other threads keep working while a
  sync runs.
* an interval (seconds): writes as ``process``; a background thread fdatasyncs every interval.

The active segment grows by a quarter of its size (64 KiB to 1 MiB at a time), reserved on disk first
(a full disk is then an error at the reservation, never a SIGBUS while copying), with ``process`` faulted in
writable at once (``MADV_POPULATE_WRITE``: one page fault per page costs more than the frames written
into it), and is trimmed to its last frame when it ends. After a crash its newest segment ends in
zeros: the next open trims them.

Any failed write or fsync stops the journal for good (``JournalStopped``): after a failed fsync the
kernel may have dropped the dirty pages, so retrying could report success for data that is gone.
"""

from __future__ import annotations

import errno
import mmap
import os
import re
import signal
import sys
import threading
import time
import weakref
import zlib
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Protocol

from . import failpoints
from .codec import CLOCK, CLOSE, COMMIT, FRAME_HEAD, FRAME_OVERHEAD, FRAME_REST, frame, pack, strict_packer
from .errors import JournalStopped, PersistenceError


_fdatasync = getattr(os, "fdatasync", os.fsync)
_armed = failpoints.armed  # empty unless a test arms a failpoint (one truth test per append)
#: the C functions ``append`` writes a frame with, bound once (they run once per committed call)
_crc32, _pack_rest, _pack_head = zlib.crc32, FRAME_REST.pack, FRAME_HEAD.pack_into

#: the active segment's file and mapping grow by a quarter of its size, within these bounds: small
#: directories stay small, large ones remap rarely
GROWTH_MIN, GROWTH_MAX = 64 << 10, 1 << 20

#: gathering writers before a sync pays only when an fsync is long next to waking them (a Python thread
#: wake-up costs 15–30 µs on the 2-vCPU machines measured; 8 writers then take ~0.2 ms to come back)
GATHER_MIN_FSYNC_SECONDS = 0.0005

#: Linux's MADV_POPULATE_WRITE (5.14+), which Python 3.11's mmap module does not name
_MADV_POPULATE_WRITE = getattr(mmap, "MADV_POPULATE_WRITE", 23) if sys.platform == "linux" else None


def fdatasync(fd: int) -> None:
    """fdatasync, through the ``fsync`` failpoint (tests inject EIO here)."""
    if failpoints.active():
        failpoints.hit("fsync")
    _fdatasync(fd)


def parse_durability(value: Any) -> tuple[str, float]:
    """``"process"``, ``"fsync"``, or an interval: seconds as a number, or ``"250ms"``, ``"2s"``,
    ``"interval=250ms"``. Returns (mode, interval seconds)."""
    from ..core.errors import ConfigurationError

    if value in (None, "process"):
        return "process", 0.0
    if value == "fsync":
        return "fsync", 0.0
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return "interval", float(value)
    if isinstance(value, str):
        match = re.fullmatch(r"(?:interval[=:]?)?\s*(\d+(?:\.\d+)?)\s*(ms|s)?", value.strip())
        if match:
            seconds = float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
            if seconds > 0:
                return "interval", seconds
    raise ConfigurationError(
        f"durability must be 'process', 'fsync' or an interval such as 0.1 or '100ms', not {value!r}")


#: a forked child shares the parent's open segment and mapping: it must neither write nor trim it
FORKED = ("this process is a fork of the one that opened the data directory; only that process writes "
          "to it (start a separate emulator in the child, with a data directory of its own)")
_journals: "weakref.WeakSet[Journal]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for journal in list(_journals):
        journal._forked = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class _NoBlobs:
    bytes_written = 0


class SegmentHost(Protocol):
    """What the journal asks of the data directory that owns it (persistence.DataDir implements it)."""

    path: str

    def new_segment(self, base: int, sync: bool) -> tuple[int, str]:
        """Create the next segment after sequence ``base`` (header written); returns (fd, name)."""
        ...

    def appended(self, journal: "Journal") -> None:
        """Called after each append: the directory may decide to compact."""
        ...


class Journal:
    """Appends frames for one open data directory. Thread-safe; ``commit`` is what the store calls."""

    def __init__(self, directory: SegmentHost, mode: str, interval: float, fd: int, segment: str, offset: int,
                 seq: int, ids: Callable[[], int], clock: Callable[[], float | None],
                 segment_bytes: int) -> None:
        self._dir = directory
        self.mode = mode
        self._fd = fd
        self.segment = segment
        self._offset = offset  # end of the last frame in the active segment
        self._map: mmap.mmap | None = None  # the segment from file offset _map_start to _map_end
        self._map_start = 0
        self._map_end = offset  # the file's end: reserved (zeros) past the frames once mapped
        self._seq = seq  # last sequence written
        self._synced = seq  # last sequence known durable (fsync / interval modes)
        self._ids = ids
        self._clock = clock
        self._segment_bytes = segment_bytes
        self._lock = threading.Lock()  # appends, rolls
        self._pack = strict_packer().pack
        #: guards ``_synced``, ``_syncing`` and ``_waiters``; ``_idle`` is signalled when no sync runs
        self._sync_lock = threading.Lock()
        self._idle = threading.Condition(self._sync_lock)
        self._syncing = False  # a leader, the sync thread or a segment roll owns the descriptor's sync
        #: (sequence, lock held until that sequence is durable) of writers waiting for a running sync
        self._waiters: list[tuple[int, Any]] = []
        self._arrival = threading.Condition(self._sync_lock)  # a waiter registered (while gathering)
        self._gathering = False
        #: writers the next sync should cover: those left waiting by the last one plus those it woke,
        #: who are likely to be back with a new change
        self._expected = 0
        self._fsync_seconds = 0.0  # how long the last fdatasync took
        self._kick = threading.Lock()  # released to hand the sync over to the sync thread
        self._kick.acquire()
        self._flusher: threading.Thread | None = None
        self._stop_flusher = False
        self._failed: BaseException | None = None
        self._local = threading.local()
        self._closed = False
        self._forked = False  # set in a forked child (its locks may be held by threads it lacks)
        _journals.add(self)
        self.bytes_written = 0  # since the last snapshot (compaction's trigger)
        #: compaction starts once journal bytes plus ``blobs.bytes_written`` pass this (DataDir sets it)
        self.compact_at = float("inf")
        self.blobs: Any = _NoBlobs
        self._ticker: threading.Thread | None = None
        self._stop_ticker = threading.Event()
        if mode == "interval":
            self._ticker = threading.Thread(target=self._tick, args=(interval,), name="kumo-journal-interval",
                                            daemon=True)
            self._ticker.start()

    # -- what the store calls ---------------------------------------------------------------
    def commit(self, ops: list[tuple[Any, ...]]) -> None:
        seq = self.append(COMMIT, [self._ids(), ops])
        if self.mode == "fsync":
            local = self._local
            if getattr(local, "depth", 0):
                local.seq = seq  # deferred(): waits on leaving
            else:
                self.wait_durable(seq)

    def record_clock(self, time: float) -> None:
        self.append(CLOCK, [time])

    @property
    def last_seq(self) -> int:
        return self._seq

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Commits inside the block do not wait for their fsync; leaving the outermost block waits for
        the last of them, or, if the block wrote nothing, for everything written so far (a read must not
        return state that is not yet durable either)."""
        local = self._local
        depth = getattr(local, "depth", 0)
        local.depth = depth + 1
        if not depth:
            local.seq = 0
        try:
            yield
        finally:
            local.depth = depth
        if not depth and self.mode == "fsync":
            # a writer saw nothing newer than its own frame: it held the lock from its reads to its commit
            target = local.seq or self._seq
            if self._synced < target:
                self.wait_durable(target)

    # -- appending ----------------------------------------------------------------------------
    def append(self, ftype: int, value: Any) -> int:
        """Write one frame holding ``value`` (msgpack); returns its sequence number.

        This runs once per committed call, so the common case (the frame fits in the mapped reserve, no
        failpoint armed) is written here, with nothing but C calls: the payload into the mapping, then
        the header. Either order writes the same bytes, and a kill part-way leaves a frame whose checksum
        fails (a torn tail)."""
        if self._forked:
            raise PersistenceError(FORKED)
        with self._lock:
            if self._failed is not None or self._closed:
                raise self._stopped() if self._failed is not None else PersistenceError(
                    "the journal is closed (the emulator was stopped)")
            try:
                payload = self._pack(value)  # one Packer, used under the lock
            except UnicodeEncodeError:  # a lone surrogate: the packer with the error handler writes it
                payload = _encoded(value)
            except (TypeError, ValueError, OverflowError) as exc:
                raise _unstorable(exc) from None
            length = len(payload)
            seq = self._seq + 1
            offset = self._offset
            end = offset + FRAME_OVERHEAD + length
            if end <= self._map_end and not _armed:
                mapping: Any = self._map  # mapped: the reserve reaches past the frame
                at = offset - self._map_start
                start = at + FRAME_OVERHEAD
                mapping[start:start + length] = payload
                crc = _crc32(payload, _crc32(_pack_rest(length, seq, ftype)))
                _pack_head(mapping, at, crc, length, seq, ftype)
            else:
                end = offset + self._write(frame(seq, ftype, payload))
            self._seq = seq
            self._offset = end
            self.bytes_written += end - offset
            if end >= self._segment_bytes:
                self._roll_locked()
            grown = self.bytes_written + self.blobs.bytes_written > self.compact_at
        if grown:
            self._dir.appended(self)
        return seq

    def _write(self, data: bytes) -> int:
        """Copy a whole frame into the mapping at the end of the segment, growing it first if needed, through
        the ``append`` failpoint (caller holds ``_lock``); returns its size. A failure stops the journal.
        ``append`` writes a frame that fits, with no failpoint armed, itself."""
        end = self._offset + len(data)
        try:
            if end > self._map_end:
                self._grow(end)
            at = self._offset - self._map_start
            if failpoints.active() and failpoints.hit("append") == "torn":
                half = max(1, len(data) // 2)
                self._map[at:at + half] = data[:half]  # type: ignore[index]
                os.kill(os.getpid(), signal.SIGKILL)
            self._map[at:at + len(data)] = data  # type: ignore[index]
        except OSError as exc:
            self._fail(exc, "write")
            raise self._stopped() from exc
        return len(data)

    def _or_stop(self, what: str, action: Callable[..., Any], *args: Any) -> None:
        """Run ``action``; an OSError stops the journal."""
        try:
            action(*args)
        except OSError as exc:
            self._fail(exc, what)
            raise self._stopped() from exc

    def _grow(self, end: int) -> None:
        """Reserve the segment's file up to past ``end`` and map it from the current frame on."""
        step = min(GROWTH_MAX, max(GROWTH_MIN, end // 4))
        size = -(-(end + step) // GROWTH_MIN) * GROWTH_MIN
        _reserve(self._fd, self._map_end, size)
        start = self._offset - self._offset % mmap.ALLOCATIONGRANULARITY
        mapping = mmap.mmap(self._fd, size - start, offset=start)
        if self.mode == "process":
            _prefault(mapping, self._offset - start)
        if self._map is not None:
            self._map.close()
        self._map, self._map_start, self._map_end = mapping, start, size

    def _end_segment(self) -> None:
        """Unmap the active segment and trim its file to the last frame (the reserve held zeros)."""
        if self._map is not None:
            self._map.close()
            self._map = None
        os.ftruncate(self._fd, self._offset)

    def _switch_to(self, fd: int, segment: str) -> None:
        """Continue in the new segment ``fd`` (header written) once the active one has ended; caller
        holds ``_lock`` and owns the sync."""
        old, self._fd, self.segment = self._fd, fd, segment
        self._offset = self._map_end = os.fstat(fd).st_size
        os.close(old)

    def replace_segment(self, fd: int, segment: str) -> None:
        """Continue in ``fd`` instead of the active segment, which the caller dropped from the MANIFEST
        (rebase; caller holds ``_lock``)."""
        with self._sync_lock:
            self._wait_idle_locked()
        try:
            self._end_segment()
            self._switch_to(fd, segment)
        finally:
            self._finish_round(None)

    def _fail(self, exc: BaseException, what: str) -> None:
        if self._failed is None:
            self._failed = JournalStopped(
                f"{what} of the journal segment {self._dir.path}/{self.segment} failed ({exc}); the journal "
                "is stopped and accepts no further writes. What was acknowledged before is on disk; "
                "reopen the data directory (restart) once the cause is fixed.")

    def _not_durable(self) -> BaseException:
        if self._failed is not None:
            return self._stopped()
        return PersistenceError("the journal was closed before this change was synced")

    def _stopped(self) -> BaseException:
        assert self._failed is not None
        return JournalStopped(str(self._failed))

    # -- durability -----------------------------------------------------------------------------
    def wait_durable(self, seq: int) -> None:
        """Return once frame ``seq`` is on stable storage (group commit)."""
        if self._forked:
            raise PersistenceError(FORKED)
        with self._sync_lock:
            if self._synced >= seq:
                return
            if self._failed is not None or self._closed:
                raise self._not_durable()
            lead = not self._syncing
            if lead:
                self._syncing = True
            else:
                waiter = threading.Lock()
                waiter.acquire()
                self._waiters.append((seq, waiter))
                if self._gathering:
                    self._arrival.notify()
        if lead:
            try:
                self._gather(writer=True)
            except BaseException:  # interrupted: whoever waits must still get a sync
                self._give_up_sync()
                raise
            if self._sync_once():
                self._hand_over()
        else:
            waiter.acquire()  # released once a sync covers ``seq``, or by a failure
            if self._synced < seq:
                raise self._not_durable()

    def _sync_once(self) -> bool:
        """One fdatasync of everything written so far, by the owner of ``_syncing``; wakes the writers
        it covers. Returns whether writers that arrived meanwhile still wait (``_syncing`` stays set)."""
        target, fd = self._seq, self._fd
        started = time.monotonic()
        try:
            fdatasync(fd)
        except OSError as exc:
            self._fail(exc, "fsync")
            self._finish_round(None)
            raise self._stopped() from exc
        except BaseException:  # interrupted (KeyboardInterrupt): not known to be synced
            self._give_up_sync()
            raise
        self._fsync_seconds = time.monotonic() - started
        return self._finish_round(target)

    def _give_up_sync(self) -> None:
        """The owner of ``_syncing`` stops without syncing: the sync thread takes over any waiter."""
        if self._finish_round(None):
            self._hand_over()

    def _finish_round(self, synced: int | None) -> bool:
        """Record ``synced`` as durable and wake the waiters it covers; ``_syncing`` is cleared unless
        some are left. Returns whether some are left."""
        with self._sync_lock:
            if synced is not None and synced > self._synced:
                self._synced = synced
            ended = self._failed is not None or self._closed  # everyone wakes to learn it
            left = []
            for seq, waiter in self._waiters:
                if seq <= self._synced or ended:
                    waiter.release()
                else:
                    left.append((seq, waiter))
            self._expected = len(self._waiters)  # the woken and the left
            self._waiters = left
            if left:
                return True
            self._syncing = False
            self._idle.notify_all()
            return False

    def _hand_over(self) -> None:
        """Writers still wait: the sync thread syncs for them, so this writer's call can return."""
        if self._flusher is None:
            self._flusher = threading.Thread(target=self._flush, name="kumo-journal-group-sync",
                                             daemon=True)
            self._flusher.start()
        self._kick.release()

    def _flush(self) -> None:
        while True:
            self._kick.acquire()
            if self._stop_flusher:
                return
            try:
                while True:
                    self._gather(writer=False)
                    if not self._sync_once():
                        break
            except PersistenceError:  # recorded in _failed; every waiter was woken to raise it
                pass
            except BaseException as exc:  # never leave writers waiting on a thread that died
                self._fail(exc, "fsync")
                self._finish_round(None)

    def _gather(self, writer: bool) -> None:
        """Before syncing for the writers that wait, give the ones the last sync woke up to half an
        fsync to write their next change, so one fdatasync covers both groups.

        Without it the writers settle into two groups that take turns, each waiting for two syncs:
        on a slow disk (1 ms fsync) 4 changes per fsync instead of 7.5 with 8 writers. On a fast one
        the wait costs more than it saves, so it is skipped there.
        """
        if self._fsync_seconds < GATHER_MIN_FSYNC_SECONDS:
            return
        with self._sync_lock:
            expected = self._expected - writer  # a writer syncing was one of them
            deadline = time.monotonic() + self._fsync_seconds / 2
            self._gathering = True
            try:
                while len(self._waiters) < expected:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return
                    self._arrival.wait(remaining)
            finally:
                self._gathering = False

    def _wait_idle_locked(self) -> None:
        """Wait until no sync runs, then own it (caller holds ``_sync_lock``)."""
        while self._syncing:
            self._idle.wait()
        self._syncing = True

    def sync(self) -> None:
        """Make everything written so far durable (any mode)."""
        self.wait_durable(self._seq)

    def _tick(self, interval: float) -> None:
        while not self._stop_ticker.wait(interval):
            if self._synced < self._seq and self._failed is None:
                try:
                    self.sync()
                except Exception:  # recorded in _failed: the next commit raises
                    return

    # -- segments -------------------------------------------------------------------------------
    def _roll_locked(self) -> None:
        """Start a new segment (caller holds ``_lock``); the old one is synced first unless ``process``."""
        with self._sync_lock:
            self._wait_idle_locked()
        synced = None
        try:
            self._or_stop("trim", self._end_segment)
            if self.mode != "process":
                self._or_stop("fsync", fdatasync, self._fd)
            fd, name = self._dir.new_segment(self._seq, sync=self.mode != "process")
            self._switch_to(fd, name)
            if self.mode != "process":
                synced = self._seq
        finally:
            if self._finish_round(synced):  # sync() callers of a 'process' journal: sync them now
                self._hand_over()

    @contextmanager
    def paused(self, *, refuse_if_stopped: bool = False) -> Iterator[None]:
        """Hold off every append (and roll) for the block: the data directory swaps segments or takes
        the state as of ``last_seq`` meanwhile. With ``refuse_if_stopped``, a stopped journal raises."""
        with self._lock:
            if refuse_if_stopped and self._failed is not None:
                raise self._stopped()
            yield

    def roll_paused(self) -> str:
        """Start a new segment inside ``paused()``; returns its name."""
        self._roll_locked()
        return self.segment

    def roll(self) -> str:
        """Start a new segment now (compaction); returns the name of the new one."""
        with self._lock:
            if self._failed is not None:
                raise self._stopped()
            self._roll_locked()
            return self.segment

    def close(self, clean: bool = True) -> None:
        """Write the CLOSE frame (ids and clock exactly as they are), sync unless ``process``, close."""
        if self._forked:  # the parent's segment stays as it is; only this process's handles go
            if not self._closed:
                self._closed = True
                if self._map is not None:
                    self._map.close()
                os.close(self._fd)
            return
        if self._ticker is not None:
            self._stop_ticker.set()
            self._ticker.join()
        with self._lock:
            if self._closed:
                return
            with self._sync_lock:
                self._wait_idle_locked()  # the sync thread must be done with the descriptor
            try:
                if clean and self._failed is None:
                    self._seq += 1
                    self._offset += self._write(frame(self._seq, CLOSE, pack([self._ids(), self._clock()])))
                if self._failed is None:
                    self._end_segment()
                if clean and self._failed is None and self.mode != "process":
                    fdatasync(self._fd)
                    self._synced = self._seq
            except (OSError, PersistenceError):
                pass  # the journal stays valid without its CLOSE frame (ids then skip ahead)
            finally:
                self._closed = True
                if self._map is not None:
                    self._map.close()
                os.close(self._fd)
                self._stop_sync_thread()
                self._finish_round(None)  # anyone still waiting learns the journal is closed

    def _stop_sync_thread(self) -> None:
        if self._flusher is not None:
            self._stop_flusher = True
            self._kick.release()  # it is idle: waiting for the next hand-over
            self._flusher.join()
            self._flusher = None


def _prefault(mapping: mmap.mmap, start: int) -> None:
    """Fault the mapping's pages from ``start`` on in, writable, in one system call (durability
    ``process``): else the first write to each page of reserved space takes a page fault of its own,
    ~10 µs on the machines measured, i.e. ~0.5 µs per change of ~200 bytes. The pages hold the same zeros
    either way. (Not with syncs: writing a page back write-protects it again, so faulting in ahead of
    time would be wasted, and each sync would write the reserved zeros too.) A kernel without it (EINVAL)
    just faults page by page."""
    if _MADV_POPULATE_WRITE is None:
        return
    start -= start % mmap.PAGESIZE
    try:
        mapping.madvise(_MADV_POPULATE_WRITE, start, len(mapping) - start)
    except (OSError, ValueError):
        pass


def _encoded(value: Any) -> bytes:
    """``value`` packed with the error handler that writes lone surrogates (``codec.pack``)."""
    try:
        return pack(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise _unstorable(exc) from None


def _unstorable(exc: BaseException) -> PersistenceError:
    return PersistenceError(
        f"a change cannot be stored in the journal: {exc}. Records must be msgpack-able "
        "(see docs/writing-a-backend.md, State rules)")


def _reserve(fd: int, start: int, end: int) -> None:
    """Allocate the file's blocks from ``start`` (its end) to ``end`` as zeros, so writes through a
    mapping of them cannot run out of space."""
    if hasattr(os, "posix_fallocate"):
        try:
            os.posix_fallocate(fd, start, end - start)
            return
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):  # a file system without it
                raise
    os.pwrite(fd, bytes(end - start), start)
