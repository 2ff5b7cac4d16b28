"""The state store: named tables of records, grouped into transactions.

Rules every service follows, so that persistence, snapshots and rollback are correct by construction:

* All durable state lives in tables as records: ``key -> value``. Keys are str, int, bytes or tuples
  of those; values are msgpack-able (dict, list, str, bytes, int, float, bool, None; times as epoch
  floats).
* Records are never mutated in place: build a new value and ``put`` it. That makes snapshots a shallow
  copy and lets a failed operation be rolled back exactly.
* Derived structures (secondary indexes, visibility order…) are rebuilt from the records and kept in
  step through ``Table.watch``: watchers see every change, including the undo of a rolled-back one.

Every mutation is written to an undo log while a transaction is open. ``commit`` of the outermost
transaction hands the whole change to the journal (if any) as one unit, so a crash never leaves half
an operation on disk; ``rollback`` undoes the change in memory.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Protocol

from sortedcontainers import SortedDict

from .blobs import BlobStore

MISSING: Any = object()  # the "no record" marker in undo entries and journal ops
Watcher = Callable[[Any, Any, Any], object]  # (key, old value or None, new value or None)


class Journal(Protocol):
    """What the store needs of a journal (the persistence layer provides one)."""

    def commit(self, ops: list[tuple[Any, ...]]) -> None:
        """Durably record one atomic change: ``(table name, key, new value)`` ops, ``(table name, key)``
        for a removal."""


class Table:
    """A hash table of records. Reads are plain dict reads; writes go through the store's log."""

    ordered = False

    def __init__(self, store: "Store", name: str, data: dict[Any, Any] | None = None) -> None:
        self.name = name
        self._store = store
        self._data: dict[Any, Any] = self._new_data(data or {})
        self._watchers: list[Watcher] = []

    @staticmethod
    def _new_data(items: dict[Any, Any]) -> dict[Any, Any]:
        return dict(items)

    # -- reads ------------------------------------------------------------------------------
    def get(self, key: Any, default: Any = None) -> Any:
        return self._data.get(key, default)

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __contains__(self, key: Any) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._data)

    def keys(self) -> Iterable[Any]:
        return self._data.keys()

    def values(self) -> Iterable[Any]:
        return self._data.values()

    def items(self) -> Iterable[tuple[Any, Any]]:
        return self._data.items()

    # -- writes -----------------------------------------------------------------------------
    def put(self, key: Any, value: Any) -> None:
        """Insert or replace the record at ``key`` (``value`` must not be mutated afterwards)."""
        data = self._data
        old = data.get(key, MISSING)
        data[key] = value
        self._store._logged(self, key, old, value)
        if self._watchers:
            self._tell(key, old, value)

    def delete(self, key: Any) -> Any:
        """Remove the record at ``key``; returns the old value, or None if there was none."""
        old = self._data.pop(key, MISSING)
        if old is MISSING:
            return None
        self._store._logged(self, key, old, MISSING)
        if self._watchers:
            self._tell(key, old, MISSING)
        return old

    def watch(self, watcher: Watcher) -> None:
        """Call ``watcher(key, old, new)`` after every change (None stands for "no record")."""
        self._watchers.append(watcher)

    # -- store internals --------------------------------------------------------------------
    def _tell(self, key: Any, old: Any, new: Any) -> None:
        old = None if old is MISSING else old
        new = None if new is MISSING else new
        for watcher in self._watchers:
            watcher(key, old, new)

    def _restore(self, key: Any, value: Any) -> None:
        """Undo one change: put back ``value`` (or remove the key if MISSING), telling watchers."""
        current = self._data.get(key, MISSING)
        if value is MISSING:
            self._data.pop(key, None)
        else:
            self._data[key] = value
        if self._watchers:
            self._tell(key, current, value)

    def _replace_all(self, data: dict[Any, Any]) -> None:
        self._data = self._new_data(data)
        self._watchers.clear()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {len(self)} records>"


class OrderedTable(Table):
    """A table kept in key order (sortedcontainers): O(log n) range scans and seeks.

    Keys must be mutually comparable. Python compares ``str`` by code point, which is the same order
    as comparing their UTF-8 bytes, so S3 keys sort as S3 sorts them.
    """

    ordered = True
    _data: Any  # a SortedDict, which has no type information

    @staticmethod
    def _new_data(items: dict[Any, Any]) -> SortedDict:
        return SortedDict(items)

    def irange(
        self,
        minimum: Any = None,
        maximum: Any = None,
        inclusive: tuple[bool, bool] = (True, True),
        reverse: bool = False,
    ) -> Iterator[Any]:
        """Keys between ``minimum`` and ``maximum`` (None means unbounded), in order."""
        keys: Iterator[Any] = self._data.irange(minimum, maximum, inclusive, reverse)
        return keys

    def items_range(
        self,
        minimum: Any = None,
        maximum: Any = None,
        inclusive: tuple[bool, bool] = (True, True),
        reverse: bool = False,
    ) -> Iterator[tuple[Any, Any]]:
        data = self._data
        for key in data.irange(minimum, maximum, inclusive, reverse):
            yield key, data[key]

    def first_key(self) -> Any:
        return self._data.peekitem(0)[0] if self._data else None

    def last_key(self) -> Any:
        return self._data.peekitem(-1)[0] if self._data else None

    def bisect_left(self, key: Any) -> int:
        index: int = self._data.bisect_left(key)
        return index

    def key_at(self, index: int) -> Any:
        return self._data.peekitem(index)[0]


class Store:
    """Named tables plus the transaction log. One per emulator; used under the emulator's lock."""

    def __init__(self, blobs: BlobStore | None = None) -> None:
        self._tables: dict[str, Table] = {}
        self._undo: list[tuple[Table, Any, Any, Any] | None] | None = None
        self.journal: Journal | None = None
        self.blobs = blobs or BlobStore()

    # -- tables -----------------------------------------------------------------------------
    def table(self, name: str, *, ordered: bool = False) -> Table:
        """The table called ``name``, created empty on first use.

        Name tables ``"<service>.<what>"``. A table recovered from disk comes back unordered until its
        service asks for it with ``ordered=True``.
        """
        table = self._tables.get(name)
        if table is None or (ordered and not table.ordered):
            cls = OrderedTable if ordered else Table
            table = cls(self, name, table._data if table is not None else None)
            self._tables[name] = table
        return table

    def ordered_table(self, name: str) -> OrderedTable:
        table = self.table(name, ordered=True)
        assert isinstance(table, OrderedTable)
        return table

    def tables(self) -> dict[str, Table]:
        return dict(self._tables)

    def existing(self, name: str) -> Table | None:
        """The table called ``name`` if it exists (never creates one; no copy of the table list)."""
        return self._tables.get(name)

    # -- transactions -----------------------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        return self._undo is not None

    def begin(self) -> int:
        """Open a transaction (or a savepoint inside the open one); returns its savepoint.

        The outermost transaction's savepoint is 0; a nested one's is its undo position plus one, so
        it is never 0, even when the outer transaction has changed nothing yet.
        """
        if self._undo is None:
            self._undo = []
            return 0
        return len(self._undo) + 1

    def commit(self, savepoint: int) -> bool:
        """Close what ``begin`` opened; the outermost commit writes the change to the journal.

        Returns whether the outermost transaction changed anything.
        """
        if savepoint:
            return False
        undo, self._undo = self._undo, None
        return self._journal(undo) if undo else False

    def split(self) -> bool:
        """Journal the open transaction's changes so far, which no rollback undoes any more; the
        transaction stays open, its savepoints stay valid (user code is about to run without the
        emulator's lock: other threads must not see changes that could still be taken back).
        Returns whether there was anything to journal."""
        undo = self._undo
        if not undo:
            return False
        changed = self._journal(undo)
        undo[:] = [None] * len(undo)  # keeps every savepoint's position
        return changed

    def _journal(self, undo: list[Any]) -> bool:
        """Hand the changes in ``undo`` (None: journaled by ``split`` already) to the journal as one unit;
        if it refuses them, memory must not keep them either. Returns whether there were any."""
        journal = self.journal
        if journal is None:
            return undo.count(None) != len(undo)
        # one pass from the undo log to the ops the journal writes: this runs once per committed call, and
        # most calls change one record (no comprehension then: one Python call less)
        if len(undo) == 1 and undo[0] is not None:
            table, key, _old, new = undo[0]
            ops = [(table.name, key) if new is MISSING else (table.name, key, new)]
        else:
            ops = [(entry[0].name, entry[1]) if entry[3] is MISSING else (entry[0].name, entry[1], entry[3])
                   for entry in undo if entry is not None]
            if not ops:
                return False
        try:
            journal.commit(ops)
        except BaseException:
            for entry in reversed(undo):
                if entry is not None:
                    entry[0]._restore(entry[1], entry[2])
            raise
        return True

    def rollback(self, savepoint: int) -> None:
        """Undo every change since ``savepoint``; the outermost rollback closes the transaction."""
        undo = self._undo
        if undo is None:
            return
        keep = savepoint - 1 if savepoint else 0
        while len(undo) > keep:
            entry = undo.pop()
            if entry is not None:  # None: journaled by ``split``, no longer undone
                entry[0]._restore(entry[1], entry[2])
        if not savepoint:
            self._undo = None

    @contextmanager
    def transaction(self) -> Iterator["Store"]:
        """All changes inside the block are one atomic unit: committed together or not at all."""
        savepoint = self.begin()
        try:
            yield self
        except BaseException:
            self.rollback(savepoint)
            raise
        self.commit(savepoint)

    def suspend(self) -> list[Any] | None:
        """Detach the open transaction (a long poll releasing the lock); give it back to ``resume``."""
        undo, self._undo = self._undo, None
        return undo

    def resume(self, undo: list[Any] | None) -> None:
        self._undo = undo

    def _logged(self, table: Table, key: Any, old: Any, new: Any) -> None:
        undo = self._undo
        if undo is not None:
            undo.append((table, key, old, new))
        elif self.journal is not None:
            try:
                self.journal.commit([(table.name, key) if new is MISSING else (table.name, key, new)])
            except BaseException:
                table._restore(key, old)
                raise

    # -- whole-state operations -------------------------------------------------------------
    def export_records(self) -> dict[str, dict[Any, Any]]:
        """Every table's records (shallow copies: records are immutable). Ordered tables included."""
        return {name: dict(table._data) for name, table in self._tables.items()}

    def import_records(self, records: dict[str, dict[Any, Any]]) -> None:
        """Replace all state with ``records`` (watchers are dropped: backends rebuild from records)."""
        if self._undo:
            raise RuntimeError("cannot replace the store's state inside a transaction")
        self._tables = {}
        for name, data in records.items():
            self._tables[name] = Table(self, name, data)

    def clear(self) -> None:
        """Drop every record (``aws.reset()``)."""
        self.import_records({})

    def __repr__(self) -> str:
        return f"<Store {len(self._tables)} tables>"
