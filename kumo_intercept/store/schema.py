"""Record schemas: each service declares the tables it keeps, in one place (``services/<svc>/schema.py``).

A ``TableSpec`` names a table, says whether it is ordered, which layout version its records have,
what a record looks like (a ``TypedDict``, or a plain type for tables of scalars) and where a record
holds blob ids. Backends open their tables from the specs; persistence writes each table's version
into snapshot files (data directory, named checkpoints, exported seeds) and refuses to load a table
whose recorded version differs from the declared one; compaction keeps exactly the blobs the specs'
``blobs`` functions name.

    OBJECTS = TableSpec("s3.objects", ObjectRecord, ordered=True, blobs=segment_blobs)
    SCHEMA = ServiceSchema(tables=(BUCKETS, OBJECTS), views={"objects": objects_view})

    self.objects = OBJECTS.open(store)          # in the backend's __init__

Bump ``version`` when a record's layout changes in a way older records cannot be read as: a data
directory written before then is refused with a PersistenceError naming the table and both versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from .errors import PersistenceError

if TYPE_CHECKING:
    from .store import OrderedTable, Store, Table

#: the version of a table that a file written before versions existed holds
FIRST_VERSION = 1
BlobIds = Callable[[Any], Iterable[str]]
#: a read-only view offered as ``aws.state.<service>.<name>(...)``: ``view(backend, *args, **kwargs)``
View = Callable[..., Any]


def no_blobs(record: Any) -> Iterable[str]:
    """The ``blobs`` of a table whose records reference no blob."""
    return ()


@dataclass(frozen=True)
class TableSpec:
    """One table: its name (``"<service>.<what>"``), record type, order, layout version, blob ids."""

    name: str
    record: Any
    ordered: bool = False
    version: int = FIRST_VERSION
    #: the blob ids a record references (compaction and exports keep those blobs)
    blobs: BlobIds = no_blobs

    def open(self, store: "Store") -> "Table":
        """The table in ``store``, created empty on first use, ordered if the spec says so."""
        return store.table(self.name, ordered=self.ordered)

    def open_ordered(self, store: "Store") -> "OrderedTable":
        if not self.ordered:
            raise TypeError(f"{self.name} is declared unordered")
        return store.ordered_table(self.name)


@dataclass(frozen=True)
class ServiceSchema:
    """What a service module declares: its tables and the read-only views inspection offers."""

    tables: tuple[TableSpec, ...]
    views: Mapping[str, View] = field(default_factory=dict)


class Catalog:
    """Every declared table, by name: versions and blob references for persistence."""

    def __init__(self, specs: Iterable[TableSpec] = ()) -> None:
        self.specs: dict[str, TableSpec] = {}
        for spec in specs:
            known = self.specs.get(spec.name)
            if known is not None and known != spec:
                raise ValueError(f"table {spec.name} is declared twice, differently")
            self.specs[spec.name] = spec
        self._blob_tables = {name: spec.blobs for name, spec in self.specs.items() if spec.blobs is not no_blobs}

    def version(self, table: str) -> int:
        spec = self.specs.get(table)
        return spec.version if spec is not None else FIRST_VERSION

    def versions(self, tables: Iterable[str]) -> dict[str, int]:
        """The declared version of each of ``tables`` (what a snapshot file records)."""
        return {name: self.version(name) for name in tables}

    def check(self, recorded: Mapping[str, int], tables: Iterable[str], where: str) -> None:
        """Refuse records of a table whose recorded layout version is not the declared one."""
        for name in sorted(tables):
            found, declared = recorded.get(name, FIRST_VERSION), self.version(name)
            if found != declared:
                raise PersistenceError(
                    f"{where}: table {name} holds records of layout version {found}, this kumo_intercept "
                    f"reads version {declared}; load it with the version that wrote it (export, then "
                    "migrate), or start from an empty data directory")

    def past_first(self) -> dict[str, int]:
        """The tables whose layout is past ``FIRST_VERSION``, with their versions: a journal segment's
        header records these (it is written before anyone knows which tables its frames will touch;
        a table it does not name is at the first version)."""
        return {name: spec.version for name, spec in self.specs.items() if spec.version != FIRST_VERSION}

    def blob_tables(self) -> list[str]:
        return sorted(self._blob_tables)

    def holds_blobs(self, table: str) -> bool:
        return table in self._blob_tables

    def blob_ids(self, table: str, record: Any) -> Iterable[str]:
        blobs = self._blob_tables.get(table)
        return blobs(record) if blobs is not None else ()

    def refs_of(self, records: Mapping[str, Mapping[Any, Any]]) -> set[str]:
        """Every blob id the records of every table reference."""
        refs: set[str] = set()
        for name, blobs in self._blob_tables.items():
            for record in records.get(name, {}).values():
                refs.update(blobs(record))
        return refs


def service_catalog() -> Catalog:
    """Every table the emulated services declare (their ``schema`` modules, found through BACKENDS)."""
    from ..core.dispatch import catalog

    return catalog()
