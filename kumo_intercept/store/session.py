"""The emulator's side of persistence: opening its data directory at start, restart, named snapshots,
restore, export, seeding from an exported directory, and the restart-equivalence test mode.

Nothing here is service-specific: every service's state is records in the store, so loading records,
dropping the backends (they rebuild their derived indexes from the records) and resuming the id
generator and the virtual clock is a whole restart.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
from functools import partial
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Callable, TypeVar, cast

from ..core.clock import VirtualClock
from ..core.errors import ConfigurationError, KumoError
from ..core.ids import IdGenerator
from .blobs import BlobStore

if TYPE_CHECKING:
    from ..emulator import Emulator
    from .journal import Journal
    from .persistence import DataDir, State

# The journal, codec and data-directory modules are imported where they are first needed, not here:
# `import kumo_intercept` must stay cheap, and most emulators never open a data directory.

ENV_DATA_DIR = "KUMO_DATA_DIR"
ENV_RESTART = "KUMO_RESTART_EVERY_CALL"
_NAME = re.compile(r"^[\w.@:+=-]{1,200}$")
R = TypeVar("R")


class RestartMismatch(KumoError):
    """Restart-equivalence mode: the state recovered from disk differs from the state in memory."""


def resolve_data_dir(data_dir: Any) -> str | None:
    """``data_dir``, else ``$KUMO_DATA_DIR``; under pytest-xdist the default gets a ``<worker>`` subfolder."""
    if data_dir is None:
        root = os.environ.get(ENV_DATA_DIR)
        if not root:
            return None
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        data_dir = os.path.join(root, worker) if worker else root
    path: str = os.path.abspath(os.fspath(data_dir))
    return path


def restart_every_call() -> bool:
    return os.environ.get(ENV_RESTART, "") not in ("", "0", "false", "no")


class Persistence:
    """Owned by one emulator; the data directory is opened at the outermost ``start`` and closed at stop."""

    def __init__(self, emulator: "Emulator", data_dir: Any, durability: Any, from_snapshot: Any) -> None:
        self.emulator = emulator
        self.data_dir = resolve_data_dir(data_dir)
        self.durability = durability
        from .journal import parse_durability

        self.mode, _ = parse_durability(durability)  # a bad value fails at kumo(...), not at start
        self.from_snapshot = os.path.abspath(os.fspath(from_snapshot)) if from_snapshot is not None else None
        self.restart_every_call = restart_every_call()
        self.directory: DataDir | None = None
        self.checkpoints: dict[str, State] = {}
        self._temp_dir: str | None = None
        self._clock_hooked = False
        self._quiet = False
        self._seeded = False
        self._in_flight = 0  # intercepted calls in progress (restart-equivalence mode waits for none)
        self._flight_lock = threading.Lock()

    # -- open / close ------------------------------------------------------------------------------
    def open(self) -> None:
        """At the outermost start: seed from ``from_snapshot`` and/or recover the data directory."""
        em = self.emulator
        if self.restart_every_call and self.data_dir is None:
            self._temp_dir = tempfile.mkdtemp(prefix="kumo-restart-")
            self.data_dir = self._temp_dir
        want_seed = self.from_snapshot is not None and not self._seeded
        if self.data_dir is None:
            if want_seed:
                seed = self._read_seed()
                self._link_seed_blobs(em.store.blobs.directory)
                self._load(seed)
                self._seeded = True
            return
        self._hook_clock()
        from .persistence import DataDir

        directory = DataDir(self.data_dir, self.durability)
        recovered = directory.recover()
        try:
            blobs = BlobStore(directory.blobs_dir)
            blobs.durable = self.mode != "process"
            blobs.retained = True
            em.store.blobs.close()
            em.store.blobs = blobs
            state = recovered.state
            # the seed fills a new directory; one that already has state keeps it
            seeding = want_seed and state.seq == 0 and not recovered.manifest["snapshot"]
            if seeding:
                state = self._read_seed()
                self._link_seed_blobs(directory.blobs_dir)
            self._load(state)
            ids = partial(attrgetter("ids.counter"), em)  # read at every commit: no Python-level lambda
            em.store.journal = directory.start(state=state, capture=self.capture, ids=ids, clock=self._clock_value,
                                               owner_lock=em.lock, blobs=blobs, kept=self._kept)
            self.directory = directory
            if seeding:
                with em.lock:
                    directory.rebase(self.capture())
            self._seeded = self._seeded or want_seed
        except BaseException:
            em.store.journal = None
            directory.close()
            raise
        if self.mode == "fsync" or self.restart_every_call:
            em.dispatch_hook = self._around_dispatch

    def open_seed_only(self) -> None:
        """Load ``from_snapshot`` into memory, with no data directory (not even ``$KUMO_DATA_DIR``) and
        no restart-equivalence mode: reading a seed without changing anything (the CLI's ``info``)."""
        self.data_dir = None
        self.restart_every_call = False
        self.open()

    def close(self) -> None:
        """At the outermost stop: write the CLOSE frame, release the directory."""
        self.close_directory_only()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None
            self.data_dir = None

    def _read_seed(self) -> State:
        path = self.from_snapshot
        assert path is not None
        if not os.path.isdir(path):
            raise ConfigurationError(f"from_snapshot: {path} is not a directory (make one with aws.export())")
        from .persistence import recover

        return recover(path).state  # read-only: the seed is never modified

    def _link_seed_blobs(self, target: str) -> None:
        from .persistence import BLOBS, link_or_copy

        source = os.path.join(self.from_snapshot or "", BLOBS)
        if os.path.isdir(source):
            os.makedirs(target, exist_ok=True)
            for name in os.listdir(source):
                if not name.startswith("."):
                    link_or_copy(os.path.join(source, name), os.path.join(target, name))

    # -- state in and out ---------------------------------------------------------------------------
    def _clock_value(self) -> float | None:
        clock = self.emulator.clock
        return clock.time() if isinstance(clock, VirtualClock) else None

    def capture(self) -> State:
        """The committed state, ids and clock (caller holds the emulator's lock)."""
        em = self.emulator
        if em.store.in_transaction:
            raise KumoError("cannot capture the state while a call is changing it (inside a handler)")
        journal = self._journal()
        from .persistence import State

        return State(em.store.export_records(), journal.last_seq if journal is not None else 0,
                     em.ids.counter, self._clock_value())

    def _load(self, state: State) -> None:
        """Replace memory with ``state``: records, ids, clock; backends rebuild from the records."""
        em = self.emulator
        with em.lock:
            em.store.import_records(state.records)
            running = em.drop_backends()
            if state.ids != em.ids.counter:
                ids = IdGenerator(em.ids.seed)
                ids.resume(state.ids)
                em.ids = ids
            if state.clock is not None and isinstance(em.clock, VirtualClock):
                self._quiet = True
                try:
                    em.clock.set(state.clock)  # no pollers yet: nothing runs before the journal is open
                finally:
                    self._quiet = False
            em.resume_backends(running)

    def _hook_clock(self) -> None:
        clock = self.emulator.clock
        if not self._clock_hooked and isinstance(clock, VirtualClock):
            clock.on_change(self._clock_moved)
            self._clock_hooked = True

    def _clock_moved(self) -> None:
        journal = self._journal()
        if journal is not None and not self._quiet:
            journal.record_clock(self.emulator.clock.time())

    def _journal(self) -> "Journal | None":
        # the store knows its journal only as something to commit to; the one it holds is always ours
        return cast("Journal | None", self.emulator.store.journal)

    def _kept(self) -> set[str]:
        kept: set[str] = set()
        for keeper in self.emulator.store.blobs.keepers:
            kept.update(keeper())
        return kept

    # -- operations ---------------------------------------------------------------------------------
    def _exclusive(self) -> Any:
        return self.directory.exclusive() if self.directory is not None else contextlib.nullcontext()

    def restart(self, check: bool = False) -> None:
        """Drop memory and recover from the data directory, inside the process."""
        em = self.emulator
        if self.directory is None:
            raise ConfigurationError("restart() needs a data directory: kumo(data_dir=...) or KUMO_DATA_DIR")
        self._refuse_under_lock("restart()")
        self.directory.quiesce()  # before taking the lock: a running compaction needs it
        with em.lock:
            before = self._dump() if check else None
            self.close_directory_only()
            em.store.import_records({})  # memory is gone; the backends are rebuilt once it is loaded
            self.open()
            if before is not None:
                self._compare(before)

    def close_directory_only(self) -> None:
        em = self.emulator
        directory, self.directory = self.directory, None
        if directory is not None:
            try:
                directory.close()
            finally:
                em.store.journal = None
                em.dispatch_hook = None

    def reset(self) -> None:
        """After ``aws.reset()`` cleared memory: make the empty state the directory's state."""
        if self.directory is not None:
            self.directory.rebase(self.capture())

    def snapshot(self, name: str) -> None:
        if not isinstance(name, str) or not _NAME.match(name):
            raise ConfigurationError(f"a snapshot name is 1-200 letters, digits or . _ - @ : + =, not {name!r}")
        em = self.emulator
        with self._exclusive():
            with em.lock:
                state = self.capture()
                em.store.blobs.retained = True  # its records may outlive the objects that use the blobs
            if self.directory is not None:
                self.directory.write_checkpoint(name, state)
            self.checkpoints[name] = state

    def restore(self, name: str) -> None:
        em = self.emulator
        state = self.checkpoints.get(name)
        if state is None and self.directory is not None:
            state = self.directory.read_checkpoint(name)
        if state is None:
            raise ConfigurationError(f"no snapshot named {name!r}; there are: {self.snapshot_names() or 'none'}")
        with em.lock:
            if em.store.in_transaction:
                raise KumoError("restore() cannot run inside a call")
            em.store.import_records(state.records)
            em.resume_backends(em.drop_backends())
            if self.directory is not None:
                self.directory.rebase(self.capture())

    def snapshot_names(self) -> list[str]:
        names = set(self.checkpoints)
        if self.directory is not None:
            names.update(self.directory.checkpoint_names())
        return sorted(names)

    def export(self, path: Any, label: str | None) -> dict[str, Any]:
        em = self.emulator
        with self._exclusive():
            with em.lock:
                state = self.capture()
                em.store.blobs.retained = True
                blobs_dir = em.store.blobs.created_directory
            from .persistence import export_state

            return export_state(state, os.fspath(path), blobs_dir=blobs_dir, label=label)

    def compact(self) -> dict[str, Any]:
        if self.directory is None:
            raise ConfigurationError("compact() needs a data directory")
        if self.emulator.store.in_transaction:
            raise KumoError("compact() cannot run inside a call")
        self._refuse_under_lock("compact()")
        return self.directory.compact()

    def _refuse_under_lock(self, what: str) -> None:
        """Both wait for a background compaction, which needs the emulator's lock: a caller holding it
        would wait forever."""
        if self.emulator.lock._is_owned():  # type: ignore[attr-defined]
            raise KumoError(f"{what} cannot run while this thread holds aws.lock (a background compaction "
                            "may be waiting for it); call it after leaving the `with aws.lock:` block")

    # -- restart-equivalence mode ---------------------------------------------------------------------
    def _around_dispatch(self, call: Callable[[], R]) -> R:
        """The emulator's dispatch hook with ``fsync`` durability or in restart-equivalence mode."""
        em = self.emulator
        journal = self._journal()
        with self._flight_lock:
            self._in_flight += 1
        try:
            if journal is not None and journal.mode == "fsync":
                with journal.deferred():  # waits for the group fsync after the lock is released
                    result = call()
            else:
                result = call()
        finally:
            with self._flight_lock:
                self._in_flight -= 1
                last = not self._in_flight
        # restart-equivalence mode: once no call is in flight (a long poll in another thread holds
        # the backends it started with), restart from disk and check nothing was lost
        if self.restart_every_call and last and not em.call_depth and self.directory is not None:
            self.restart(check=True)
        return result

    def _dump(self) -> dict[str, Any]:
        from .codec import pack_exact

        em = self.emulator
        tables = {name: (table.ordered, pack_exact(list(table.items())), table)
                  for name, table in em.store.tables().items() if len(table)}
        return {"tables": tables, "ids": em.ids.counter, "clock": self._clock_value()}

    def _compare(self, before: dict[str, Any]) -> None:
        em = self.emulator
        for name, (ordered, _packed, _table) in before["tables"].items():
            if ordered:
                em.store.table(name, ordered=True)
        after = self._dump()
        problems = []
        for key in ("ids", "clock"):
            if before[key] != after[key]:
                problems.append(f"{key}: {before[key]!r} before, {after[key]!r} after")
        for name in sorted(set(before["tables"]) | set(after["tables"])):
            old, new = before["tables"].get(name), after["tables"].get(name)
            if (old and old[1]) != (new and new[1]):
                problems.append(f"table {name} differs" + _first_difference(old and old[2], new and new[2]))
        if problems:
            raise RestartMismatch("restart-equivalence mode: the state recovered from disk differs from "
                                  "the state in memory: " + "; ".join(problems))


def _first_difference(before: Any, after: Any) -> str:
    """Where two versions of a table first differ: a key's value, a missing key, or the order."""
    from .codec import pack_exact

    old = dict(before.items()) if before is not None else {}
    new = dict(after.items()) if after is not None else {}
    for key in list(old) + [k for k in new if k not in old]:
        if key not in new:
            return f" (key {key!r} is missing after the restart)"
        if key not in old:
            return f" (key {key!r} appeared after the restart)"
        if pack_exact(old[key]) != pack_exact(new[key]):
            return f" (key {key!r}: {old[key]!r:.200} before, {new[key]!r:.200} after)"
    return " (same records, different order)"
