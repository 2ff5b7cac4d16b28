"""State: the store every service keeps its records in, and (with a data directory) its journal."""

from .store import OrderedTable, Store, Table
from .blobs import BlobStore
from .errors import CorruptionError, DataDirLocked, FormatVersionError, JournalStopped, PersistenceError

__all__ = ["Store", "Table", "OrderedTable", "BlobStore", "PersistenceError", "CorruptionError",
           "FormatVersionError", "DataDirLocked", "JournalStopped"]
