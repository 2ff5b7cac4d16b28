"""State: the store every service keeps its records in, and (with a data directory) its journal."""

from .store import OrderedTable, Store, Table
from .blobs import BlobStore

__all__ = ["Store", "Table", "OrderedTable", "BlobStore"]
