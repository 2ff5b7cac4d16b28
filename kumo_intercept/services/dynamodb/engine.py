"""The DynamoDB storage engine: what the DynamoDB, PartiQL and Streams front ends share.

Key encoding (``hashed`` partition prefix + range key bytes), key ranges of key conditions, paging of
table and index ranges, item size accounting, secondary indexes and TTL order (derived state built from
the items and kept in step by store watchers), writes with their stream records, stream retention and
the lazy TTL sweep. Request parsing and AWS's per-operation wording stay in ``backend.py`` and
``partiql.py``; this module knows tables, items and keys.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import Any, Callable, Iterator, Protocol

from sortedcontainers import SortedList

from ...api import dynamodb
from ...core.clock import Clock
from ...core.dispatch import RequestContext
from ...core.errors import AwsError
from ...core.ids import IdGenerator
from ...store.store import OrderedTable, Table
from . import expressions as E
from . import values as V
from .expressions import UpdateError
from .tables import IndexInfo, TableInfo

PAGE_BYTES = 1024 * 1024
#: expiry times further back than this are not TTL timestamps (AWS ignores them)
TTL_HORIZON = 5 * 365 * 86400
STREAM_RETENTION = 24 * 3600
NOT_FOUND = "Requested resource not found"
_RANGE_KEYS_TOO_BIG = ("One or more parameter values were invalid: Aggregated size of all range keys has exceeded "
                       "the size limit of 1024 bytes")
#: PutItem, UpdateItem and DeleteItem report their request's validation errors in this envelope
ENVELOPE = "1 validation error detected: "


class WriteContext(Protocol):
    """What a write needs of its request: ids for stream records and the time."""

    @property
    def ids(self) -> IdGenerator: ...

    def time(self) -> float: ...


def hashed(raw: bytes) -> bytes:
    return hashlib.md5(raw).digest()[:4] + raw


def after(key: tuple) -> tuple:
    """The smallest key tuple greater than ``key`` and everything that extends it."""
    return key[:-1] + (key[-1] + (b"\x00" if isinstance(key[-1], bytes) else "\x00"),)


def successor(prefix: bytes) -> bytes | None:
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])


def key_component(raw: bytes) -> bytes:
    """One attribute of a multi-attribute index key: escaped and terminated, so that joined components
    sort as the tuple of their values and no component's bytes are a prefix of another's."""
    return raw.replace(b"\x00", b"\x00\xff") + b"\x00\x00"


def composite_key(values: Iterator[dict]) -> bytes:
    return b"".join(key_component(V.key_bytes(value)) for value in values)


class TableEngine:
    """A region's tables as stored items plus their derived state; one per DynamoDB backend."""

    def __init__(self, clock: Clock, ids: IdGenerator, tables: Table, items: OrderedTable,
                 records: OrderedTable, meta: Table, history: OrderedTable) -> None:
        self.clock = clock
        self.ids = ids
        self.tables = tables
        self.items = items
        self.records = records
        self.meta = meta
        self.history = history
        self._info: dict[tuple, TableInfo] = {}
        self._stats: dict[tuple, list[int]] = {}
        self._indexes: dict[tuple, dict[str, SortedList]] = {}
        self._index_stats: dict[tuple, list[int]] = {}
        self._ttl: dict[tuple, SortedList] = {}
        #: size of every stored item, and the size of the item being written (computed by its handler)
        self._sizes: dict[tuple, int] = {}
        self._size_hint: tuple[dict, int] | None = None
        #: key ranges of recent queries (see ``key_range``)
        self._ranges: dict[tuple, tuple[tuple, TableInfo, IndexInfo | None, tuple[tuple, tuple, tuple]]] = {}
        for tkey in list(tables.keys()):
            self._rebuild(tkey)
        tables.watch(self._on_table)
        items.watch(self._on_item)

    def table_counts(self, tkey: tuple) -> tuple[int, int]:
        """(items, bytes) of a table."""
        count, size = self._stats.get(tkey, (0, 0))
        return count, size

    def index_counts(self, tkey: tuple, index_name: str) -> tuple[int, int]:
        """(items, bytes) of a secondary index."""
        count, size = self._index_stats.get((tkey, index_name), (0, 0))
        return count, size

    def stored_size(self, key: tuple) -> int | None:
        """The size of a stored item, as counted when it was written."""
        return self._sizes.get(key)

    # == derived state ==============================================================================
    def table_info(self, tkey: tuple) -> TableInfo | None:
        info = self._info.get(tkey)
        if info is None:
            record = self.tables.get(tkey)
            if record is None:
                return None
            info = self._info[tkey] = TableInfo(tkey, record)
        return info

    def _rebuild(self, tkey: tuple) -> None:
        """Build a table's counters, indexes and TTL order from its items."""
        self._info.pop(tkey, None)
        info = self.table_info(tkey)
        for name in [k for k in self._index_stats if k[0] == tkey]:
            del self._index_stats[name]
        self._stats[tkey] = [0, 0]
        if info is None:
            self._indexes.pop(tkey, None)
            self._ttl.pop(tkey, None)
            self._stats.pop(tkey, None)
            return
        self._indexes[tkey] = {ix.name: SortedList() for ix in info.indexes.values()}
        for ix in info.indexes.values():
            self._index_stats[(tkey, ix.name)] = [0, 0]
        if info.ttl:
            self._ttl[tkey] = SortedList()
        else:
            self._ttl.pop(tkey, None)
        for key, item in self.items.items_range(tkey, after(tkey), (True, False)):
            self._track(info, key, None, item)

    def _on_table(self, tkey: tuple, old: dict | None, new: dict | None) -> None:
        self._info.pop(tkey, None)
        if old is None or new is None or old.get("gsis") != new.get("gsis") or old.get("ttl") != new.get("ttl"):
            self._rebuild(tkey)

    def _on_item(self, key: tuple, old: dict | None, new: dict | None) -> None:
        info = self.table_info(key[:3])
        if info is not None:
            self._track(info, key, old, new)
        elif new is None:
            self._sizes.pop(key, None)

    def check_size(self, item: dict, message: str = "Item size has exceeded the maximum allowed size",
                   size: int | None = None) -> None:
        """AWS's 400 KB limit; the size is kept for the watcher that counts table bytes."""
        if size is None:
            size = V.item_size(item)
        if size > V.MAX_ITEM_BYTES:
            raise V.invalid(message)
        self._size_hint = (item, size)

    def _track(self, info: TableInfo, key: tuple, old: dict | None, new: dict | None) -> None:
        tkey = info.key
        sizes = self._sizes
        old_size = 0
        if old is not None:
            stored = sizes.pop(key, None)
            old_size = stored if stored is not None else V.item_size(old)
        new_size = 0
        if new is not None:
            hint = self._size_hint
            new_size = hint[1] if hint is not None and hint[0] is new else V.item_size(new)
            sizes[key] = new_size
        stats = self._stats.setdefault(tkey, [0, 0])
        stats[0] += (new is not None) - (old is not None)
        stats[1] += new_size - old_size
        indexes = self._indexes.get(tkey)
        if indexes:
            for ix in info.indexes.values():
                before = self.index_key(ix, key, old) if old is not None else None
                after = self.index_key(ix, key, new) if new is not None else None
                if before == after and old_size == new_size:
                    continue
                entries = indexes[ix.name]
                counts = self._index_stats[(tkey, ix.name)]
                if before is not None and old is not None:
                    entries.discard(before)
                    counts[0] -= 1
                    counts[1] -= old_size if ix.projection == "ALL" else V.item_size(ix.project(old))
                if after is not None and new is not None:
                    entries.add(after)
                    counts[0] += 1
                    counts[1] += new_size if ix.projection == "ALL" else V.item_size(ix.project(new))
        if info.ttl:
            order = self._ttl.get(tkey)
            if order is not None:
                before_at = expiry(old, info.ttl)
                after_at = expiry(new, info.ttl)
                if before_at != after_at:
                    if before_at is not None:
                        order.discard((before_at, key))
                    if after_at is not None:
                        order.add((after_at, key))

    @staticmethod
    def indexed(ix: IndexInfo, item: dict) -> bool:
        """Whether an item has all the index's key attributes, with their types (indexes are sparse)."""
        for name, kind in ix.types.items():
            value = item.get(name)
            if value is None or kind not in value:
                return False
        return True

    @classmethod
    def index_key(cls, ix: IndexInfo, key: tuple, item: dict) -> tuple | None:
        """An item's position in an index: (index pk, index sk, table pk, table sk), or None."""
        if not cls.indexed(ix, item):
            return None
        if ix.composite:
            return (hashed(composite_key(item[n] for n in ix.hash_names)),
                    composite_key(item[n] for n in ix.range_names), key[3], key[4])
        range_bytes = V.key_bytes(item[ix.range_name]) if ix.range_name else b""
        return (hashed(V.key_bytes(item[ix.hash_name])), range_bytes, key[3], key[4])

    # == lookups =====================================================================================
    def table(self, ctx: RequestContext, name: str, message: str | None = None) -> TableInfo:
        account, region = ctx.account, ctx.region
        if name.startswith("arn:"):
            parts = name.split(":", 5)
            if len(parts) == 6 and parts[5].startswith("table/"):
                region, account, name = parts[3], parts[4], parts[5][6:]
        info = self.table_info((account, region, name))
        if info is None:
            raise dynamodb.resource_not_found_exception(message or NOT_FOUND)
        return info

    def key(self, info: TableInfo, key: dict, what: str = "The provided key element does not match the schema",
            envelope: bool = False) -> tuple:
        """The storage key for a Key parameter (exactly the table's key attributes); ``envelope`` words a
        malformed value as PutItem/UpdateItem/DeleteItem do."""
        hash_value = key.get(info.hash_name)
        expected = 2 if info.range_name else 1
        if hash_value is None or len(key) != expected or (info.range_name and info.range_name not in key):
            raise V.invalid(what)
        hash_bytes = self._key_part(hash_value, info.hash_type, info.hash_name, what, envelope)
        range_bytes = b""
        if info.range_name:
            range_bytes = self._key_part(key[info.range_name], info.range_type, info.range_name, what, envelope)
        return info.key + (hashed(hash_bytes), range_bytes)

    def _key_part(self, value: dict, kind: str | None, name: str | None, what: str, envelope: bool) -> bytes:
        """The order-preserving bytes of one key attribute of a Key parameter, checked against its type."""
        value = self.enveloped(V.canon, value) if envelope else V.canon(value)
        if kind not in value:
            raise V.invalid(what)
        raw = V.key_bytes(value)
        if not raw and kind != "N":
            raise V.invalid("One or more parameter values are not valid. The AttributeValue for a key attribute "
                            f"cannot contain an empty {'string' if kind == 'S' else 'binary'} value. Key: {name}")
        return raw

    def item_key(self, info: TableInfo, item: dict) -> tuple:
        """The storage key of a whole (canonical) item, with AWS's checks of its key attributes."""
        parts = []
        for name, kind, limit in ((info.hash_name, info.hash_type, 2048), (info.range_name, info.range_type, 1024)):
            if name is None:
                parts.append(b"")
                continue
            value = item.get(name)
            if value is None:
                raise V.invalid(f"One or more parameter values were invalid: Missing the key {name} in the item")
            actual = V.type_of(value)
            if actual != kind:
                raise V.invalid(f"One or more parameter values were invalid: Type mismatch for key {name} "
                                f"expected: {kind} actual: {actual}")
            raw = V.key_bytes(value)
            if not raw and kind != "N":
                raise V.invalid("One or more parameter values are not valid. The AttributeValue for a key attribute "
                                f"cannot contain an empty {'string' if kind == 'S' else 'binary'} value. Key: {name}")
            if len(raw) > limit:
                if limit == 2048:
                    raise V.invalid("One or more parameter values were invalid: Size of hashkey has exceeded the "
                                    "maximum size limit of2048 bytes")
                raise V.invalid(_RANGE_KEYS_TOO_BIG)
            parts.append(raw)
        return info.key + (hashed(parts[0]), parts[1])

    @staticmethod
    def check_index_keys(info: TableInfo, item: dict, update: bool = False) -> None:
        for ix in info.indexes.values():
            for name in ix.range_names:
                sort_value = item.get(name)
                if sort_value and ("S" in sort_value or "B" in sort_value) and len(V.key_bytes(sort_value)) > 1024:
                    raise V.invalid(_RANGE_KEYS_TOO_BIG)  # a table's partition key may be an index's sort key
            for name, kind in ix.types.items():
                if name in (info.hash_name, info.range_name):
                    continue
                value = item.get(name)
                if value is None:
                    continue
                actual = V.type_of(value)
                if actual != kind:
                    raise V.invalid(f"One or more parameter values were invalid: Type mismatch for Index Key {name} "
                                    f"Expected: {kind} Actual: {actual} IndexName: {ix.name}")
                if kind != "N" and not value[kind]:
                    if update:
                        raise V.invalid("One or more parameter values are not valid. The update expression "
                                        "attempted to update a secondary index key to a value that is not supported. "
                                        "The AttributeValue for a key attribute cannot contain an empty string value.")
                    raise V.invalid("One or more parameter values are not valid. A value specified for a secondary "
                                    "index key is not supported. The AttributeValue for a key attribute cannot "
                                    f"contain an empty string value. IndexName: {ix.name}, IndexKey: {name}")

    # == writes, streams and TTL ======================================================================
    def write(self, ctx: WriteContext, info: TableInfo, key: tuple, old: dict | None, new: dict | None,
              service: bool = False) -> None:
        if new is None:
            if old is None:
                return
            self.items.delete(key)
        else:
            self.items.put(key, new)
        if info.stream_arn is not None and old != new:
            self._record(ctx, info, info.stream_arn, old, new, service)
        if info.record.get("pitr") and old != new:
            self._remember(info, key, old)

    def _remember(self, info: TableInfo, key: tuple, old: dict | None) -> None:
        """Keep the item as it was before a write to a table with point-in-time recovery, so that a
        restore can undo the writes made after its restore time; drops a few entries past the
        recovery period (amortised, as stream records are)."""
        sequence = self.meta.get("history", 0) + 1
        self.meta.put("history", sequence)
        now = self.clock.time()
        self.history.put((*info.key, now, sequence), {"key": [key[3], key[4]], "old": old})
        horizon = now - info.record.get("pitr_days", 35) * 86400
        for entry in list(self.history.irange(info.key, (*info.key, horizon), (True, False)))[:4]:
            self.history.delete(entry)

    def forget_history(self, tkey: tuple) -> None:
        """Drop a table's write history (point-in-time recovery disabled, or the table deleted)."""
        for entry in list(self.history.irange(tkey, after(tkey), (True, False))):
            self.history.delete(entry)

    def items_at(self, tkey: tuple, when: float) -> dict[tuple, dict]:
        """The table's items as they were at ``when``: today's, with every later write undone
        (newest first) from the history."""
        items = {key[3:]: item for key, item in self.items.items_range(tkey, after(tkey), (True, False))}
        later = self.history.irange((*tkey, when, math.inf), after(tkey), (False, False), reverse=True)
        for entry in list(later):
            change = self.history[entry]
            item_key = tuple(change["key"])
            if change["old"] is None:
                items.pop(item_key, None)
            else:
                items[item_key] = change["old"]
        return items

    def _record(self, ctx: WriteContext, info: TableInfo, stream_arn: str, old: dict | None, new: dict | None,
                service: bool) -> None:
        """Append a change (``old`` and ``new`` not both None) to the table's stream."""
        sequence = self.meta.get("sequence", 0) + 1
        self.meta.put("sequence", sequence)
        view = info.view_type
        image = new if new is not None else old
        assert image is not None
        keys = info.key_of(image)
        body: dict[str, Any] = {"ApproximateCreationDateTime": int(ctx.time()), "Keys": keys}
        if new is not None and view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
            body["NewImage"] = new
        if old is not None and view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
            body["OldImage"] = old
        body["SequenceNumber"] = str(100000000000000000000 + sequence)
        body["SizeBytes"] = V.item_size(keys) + sum(V.item_size(body[k]) for k in ("NewImage", "OldImage") if k in body)
        body["StreamViewType"] = view
        record: dict[str, Any] = {
            "eventID": ctx.ids.hex(32),
            "eventName": "INSERT" if old is None else "REMOVE" if new is None else "MODIFY",
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": info.key[1],
            "dynamodb": body,
        }
        if service:
            record["userIdentity"] = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
        self.records.put((stream_arn, sequence), record)
        self.trim_stream(stream_arn, most=4)  # amortised: each write drops a few expired records

    def trim_stream(self, arn: str, most: int | None = None) -> int | None:
        """Drop (up to ``most`` of) a stream's records past the 24-hour retention; returns the first
        retained sequence number, or None when none is left (or ``most`` ran out)."""
        horizon = self.clock.time() - STREAM_RETENTION
        records = self.records
        dropped = 0
        while most is None or dropped < most:
            key = next(iter(records.irange((arn,), (arn + "\x00",), (True, False))), None)
            if key is None:
                return None
            if records[key]["dynamodb"]["ApproximateCreationDateTime"] >= horizon:
                return key[1]
            records.delete(key)
            dropped += 1
        return None

    def expire(self, info: TableInfo) -> None:
        """Delete the table's items whose TTL has passed (AWS's background sweep, done lazily)."""
        if not info.ttl:
            return
        order = self._ttl.get(info.key)
        if not order:
            return
        now = self.clock.time()
        if order[0][0] >= now:
            return
        due = list(order.irange((now - TTL_HORIZON,), (now,), (True, False)))
        if not due:
            return
        context = ServiceContext(self.clock, self.ids)
        for _at, key in due:
            old = self.items.get(key)
            if old is not None:
                self.write(context, info, key, old, None, service=True)

    def expire_due(self) -> None:
        """Run the TTL sweep over every table (internal API)."""
        for tkey in list(self._ttl):
            info = self.table_info(tkey)
            if info is not None:
                self.expire(info)

    @staticmethod
    def capacity(info: TableInfo, mode: str | None, units: float,
                 indexes: dict[str, float] | None = None) -> dynamodb.ConsumedCapacity | None:
        """ConsumedCapacity as AWS reports it: the total, and with INDEXES the table's and each index's."""
        if mode not in ("TOTAL", "INDEXES"):
            return None
        indexes = indexes or {}
        out: dynamodb.ConsumedCapacity = {"TableName": info.name, "CapacityUnits": units + sum(indexes.values())}
        if mode == "INDEXES":
            out["Table"] = {"CapacityUnits": units}
            gsis: dict[str, dynamodb.Capacity] = {
                n: {"CapacityUnits": u} for n, u in indexes.items() if info.indexes[n].kind == "GSI"}
            lsis: dict[str, dynamodb.Capacity] = {n: {"CapacityUnits": u} for n, u in indexes.items() if info.indexes[n].kind == "LSI"}
            if gsis:
                out["GlobalSecondaryIndexes"] = gsis
            if lsis:
                out["LocalSecondaryIndexes"] = lsis
        return out

    @staticmethod
    def read_units(size: int, consistent: bool) -> float:
        units = float(max(1, math.ceil(size / 4096)))
        return units if consistent else units / 2

    @staticmethod
    def enveloped(check: Any, params: Mapping[str, Any]) -> Any:
        """Run a request check of PutItem/UpdateItem/DeleteItem, wording its refusal as AWS does for those
        operations (inside "1 validation error detected: ", as us-east-1 and eu-west-2 answer since 2026)."""
        try:
            return check(params)
        except AwsError as exc:
            if exc.code == "ValidationException" and not exc.message.startswith(ENVELOPE):
                exc.message = ENVELOPE + exc.message
            raise

    @staticmethod
    def check_key_updates(info: TableInfo, actions: list) -> None:
        for action in actions:
            name = action[1][1][0]
            if name == info.hash_name or name == info.range_name:
                raise V.invalid(f"One or more parameter values were invalid: Cannot update attribute {name}. "
                                "This attribute is part of the key")

    def updated(self, info: TableInfo, key: tuple, key_param: dict, old: dict | None, actions: list) -> dict:
        base = old if old is not None else {name: V.canon(value) for name, value in key_param.items()}
        try:
            new = E.apply_update(actions, base) if actions else dict(base)
        except UpdateError as exc:
            raise V.invalid(exc.message) from None
        if info.indexes:
            self.check_index_keys(info, new, update=True)
        size = self._sizes.get(key) if old is not None else None
        if size is not None:  # the stored size, corrected by the top-level attributes the update touched
            for name in {action[1][1][0] for action in actions}:
                if name in old:  # type: ignore[operator]
                    size -= V.item_size({name: old[name]})  # type: ignore[index]
                if name in new:
                    size += V.item_size({name: new[name]})
        self.check_size(new, "Item size to update has exceeded the maximum allowed size", size)
        return new

    def start_after(self, info: TableInfo, ix: IndexInfo | None, start: dict) -> tuple:
        """The position (a key in the table or index) an ExclusiveStartKey names."""
        message = "The provided starting key is invalid: The provided key element does not match the schema"
        names = ix.key_names if ix is not None else tuple(n for n in (info.hash_name, info.range_name) if n)
        if set(start) != set(names):
            raise V.invalid(message)
        table_key = {n: start[n] for n in (info.hash_name, info.range_name) if n}
        try:
            key = self.key(info, table_key, message)
        except AwsError as exc:
            raise V.invalid(message if "does not match" in exc.message else exc.message) from None
        if ix is None:
            return key
        item = {n: V.canon(v) for n, v in start.items()}
        position = self.index_key(ix, key, item)
        if position is None:
            raise V.invalid(message)
        return position

    def key_range(self, info: TableInfo, ix: IndexInfo | None, condition: tuple,
                  legacy_conditions: bool = False) -> tuple[tuple, tuple, tuple]:
        """(partition prefix, low, high): the half-open key range a key condition selects.

        Remembered per (condition, table, index): a repeated query binds to the very same (immutable)
        condition tree, and a range depends on nothing else. The entry keeps its condition, table and
        index alive, so their ids cannot be reused while it is there."""
        cache_key = (id(condition), id(info), id(ix), legacy_conditions)
        cached = self._ranges.get(cache_key)
        if cached is not None and cached[0] is condition and cached[1] is info and cached[2] is ix:
            return cached[3]
        found = self._key_range(info, ix, condition, legacy_conditions)
        if len(self._ranges) > 1024:
            self._ranges.clear()
        self._ranges[cache_key] = (condition, info, ix, found)
        return found

    def _key_range(self, info: TableInfo, ix: IndexInfo | None, condition: tuple,
                   legacy_conditions: bool) -> tuple[tuple, tuple, tuple]:
        parts: list[tuple] = []

        def flatten(node: tuple) -> None:
            kind = node[0]
            if kind == "and":
                flatten(node[1])
                flatten(node[2])
            elif kind in ("or", "not"):
                raise V.invalid(f"Invalid operator used in KeyConditionExpression: {kind.upper()}")
            elif kind == "in":
                raise V.invalid("Invalid operator used in KeyConditionExpression: IN")
            else:
                parts.append(node)

        flatten(condition)
        composite = ix is not None and ix.composite
        if len(parts) > 2 and legacy_conditions and not composite:
            raise V.invalid("Conditions can be of length 1 or 2 only")
        hash_name = ix.hash_name if ix else info.hash_name
        range_name = ix.range_name if ix else info.range_name
        hash_type = ix.hash_type if ix else info.hash_type
        range_type = ix.range_type if ix else info.range_type
        conditions: dict[str, tuple] = {}
        operands: tuple
        for part in parts:
            kind = part[0]
            if kind == "cmp":
                op, left, right = part[1], part[2], part[3]
                if left[0] != "path" and right[0] == "path":
                    left, right = right, left
                    op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
                if op == "<>":
                    raise V.invalid("Unsupported operator on KeyConditionExpression: operator: <>")
                if left[0] != "path" or right[0] != "value":
                    raise V.invalid("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
                                    if right[0] == "path" else "Query key condition not supported")
                name, operands = left[1], (right[1],)
            elif kind == "between":
                if part[1][0] != "path" or part[2][0] != "value" or part[3][0] != "value":
                    raise V.invalid("Query key condition not supported")
                op, name, operands = "between", part[1][1], (part[2][1], part[3][1])
            elif kind == "fn" and part[1] == "begins_with":
                if part[2][0][0] != "path" or part[2][1][0] != "value":
                    raise V.invalid("Query key condition not supported")
                op, name, operands = "begins_with", part[2][0][1], (part[2][1][1],)
            elif kind == "fn":
                raise V.invalid(f"Invalid KeyConditionExpression: Invalid function name; function: {part[1]}")
            else:
                raise V.invalid("Query key condition not supported")
            if len(name) != 1 or not isinstance(name[0], str):
                raise V.invalid("KeyConditionExpressions cannot contain nested attributes")
            attribute = name[0]
            if attribute in conditions:
                raise V.invalid("Invalid KeyConditionExpression: KeyConditionExpressions must only contain one "
                                "condition per key")
            conditions[attribute] = (op, operands)
        key_count = len(ix.types) if ix is not None else (2 if range_name else 1)
        if len(parts) > key_count and (composite or not legacy_conditions):
            raise V.invalid(f"The number of query conditions ({len(parts)}) exceeds the number of key attributes "
                            f"defined in the schema ({key_count})")
        if ix is not None and ix.composite:
            return self._composite_range(ix, conditions)
        if hash_name not in conditions:
            if len(conditions) == 1 and next(iter(conditions.values()))[0] != "=":
                raise V.invalid("Query key condition not supported")
            raise V.invalid(f"Query condition missed key schema element: {hash_name}")
        for attribute in conditions:
            if attribute not in (hash_name, range_name):
                raise V.invalid(f"Query condition missed key schema element: {range_name}" if range_name
                                else "Query key condition not supported")
        hash_bytes = _partition_operand(hash_name, hash_type, conditions[hash_name])
        prefix = (info.key if ix is None else ()) + (hashed(hash_bytes),)
        low: tuple = prefix
        high: tuple = after(prefix)
        if range_name in conditions:
            op, operands = conditions[range_name]
            _check_sort_operands(range_type, op, operands)
            encoded = [V.key_bytes(o) for o in operands]
            if op == "=":
                low, high = prefix + (encoded[0],), prefix + (encoded[0] + b"\x00",)
            elif op == "<":
                high = prefix + (encoded[0],)
            elif op == "<=":
                high = prefix + (encoded[0] + b"\x00",)
            elif op == ">":
                low = prefix + (encoded[0] + b"\x00",)
            elif op == ">=":
                low = prefix + (encoded[0],)
            elif op == "between":
                low, high = prefix + (encoded[0],), prefix + (encoded[1] + b"\x00",)
            elif op == "begins_with":
                low = prefix + (encoded[0],)
                upper = successor(encoded[0])
                if upper is not None:
                    high = prefix + (upper,)
        return prefix, low, high

    @staticmethod
    def _composite_range(ix: IndexInfo, conditions: dict[str, tuple]) -> tuple[tuple, tuple, tuple]:
        """The key range of a Query of a multi-attribute index: an equality on every HASH attribute and on
        a left-to-right run of RANGE attributes, the last one named taking any sort key condition
        (developer guide, "Multi-attribute keys pattern"; the refusal's wording as AWS answered it in
        eu-west-2, October 2026, per a public AWS-run conformance suite)."""
        for name in ix.hash_names:
            if name not in conditions:
                raise V.invalid(f"Query condition missed key schema element: {name}")
        unknown = [name for name in conditions if name not in ix.types]
        if unknown:
            missing = [name for name in ix.range_names if name not in conditions]
            raise V.invalid(f"Query condition missed key schema element: {missing[0]}" if missing
                            else "Query key condition not supported")
        prefix = (hashed(b"".join(key_component(_partition_operand(name, ix.types[name], conditions[name]))
                                  for name in ix.hash_names)),)
        named = [name for name in ix.range_names if name in conditions]
        if not named:
            return prefix, prefix, after(prefix)
        last = named[-1]
        leading = ix.range_names[:ix.range_names.index(last)]
        lacking = [name for name in leading if conditions.get(name, ("",))[0] != "="]
        if lacking:
            raise V.invalid(f"RANGE key attributes {', '.join(lacking)} must have equality conditions specified in "
                            f"the query because a condition is present on key attribute {last}")
        for name in named:
            _check_sort_operands(ix.types[name], *conditions[name])
        lead = composite_key(conditions[name][1][0] for name in leading)
        low, high = _component_bounds(lead, *conditions[last])
        return prefix, prefix + (low,), (prefix + (high,)) if high is not None else after(prefix)

    def walk(self, info: TableInfo, ix: IndexInfo | None, low: tuple, high: tuple | None,
             reverse: bool) -> Iterator[tuple[dict, int]]:
        """(item, size read) pairs of a table or index range, items as the index holds them."""
        data = self.items
        sizes = self._sizes
        if ix is None:
            for key, item in data.items_range(low, high, (True, False), reverse):
                yield item, sizes.get(key) or V.item_size(item)
            return
        entries = self._indexes[info.key][ix.name]
        tkey = info.key
        project = ix.projection != "ALL" and ix.kind == "GSI"
        for position in entries.irange(low, high, (True, False), reverse):
            key = tkey + (position[2], position[3])
            item = data.get(key)
            if item is not None:
                if project:
                    item = ix.project(item)
                    yield item, V.item_size(item)
                else:
                    yield item, sizes.get(key) or V.item_size(item)

    def page(self, ctx: RequestContext, info: TableInfo, ix: IndexInfo | None, params: Mapping[str, Any], low: tuple,
             high: tuple | None, reverse: bool, filter_: Any, projection: dict | None,
             select: str) -> dynamodb.QueryOutput:
        limit = params.get("Limit")
        count = scanned = size = 0
        items: list[dict] = []
        last = None
        want_items = select != "COUNT"
        answered = _answered_item(ix, projection, select)
        for item, item_bytes in self.walk(info, ix, low, high, reverse):
            scanned += 1
            size += item_bytes
            if filter_ is None or E.evaluate(filter_, item):
                count += 1
                if want_items:
                    items.append(answered(item))
            if (limit is not None and scanned >= limit) or size >= PAGE_BYTES:
                last = item
                break
        out: dynamodb.QueryOutput = {}
        if want_items:
            out["Items"] = items
        out["Count"] = count
        out["ScannedCount"] = scanned
        if last is not None:
            names = ix.key_names if ix is not None else tuple(n for n in (info.hash_name, info.range_name) if n)
            last_key: dict[str, Any] = {n: V.copy_value(last[n]) for n in names}
            out["LastEvaluatedKey"] = last_key
        mode = params.get("ReturnConsumedCapacity")
        if mode is not None and mode != "NONE":
            units = self.read_units(size, bool(params.get("ConsistentRead")))
            if ix is not None:
                capacity = self.capacity(info, mode, 0.0 if mode == "INDEXES" else units,
                                         {ix.name: units} if mode == "INDEXES" else None)
            else:
                capacity = self.capacity(info, mode, units)
            if capacity is not None:  # always: the enum check let TOTAL and INDEXES through only
                out["ConsumedCapacity"] = capacity
        return out


def _partition_operand(name: str, kind: str | None, condition: tuple) -> bytes:
    """The key bytes of a Query's partition key condition, which must be an equality of the key's type."""
    op, operands = condition
    if op != "=":
        raise V.invalid("Query key condition not supported")
    value = operands[0]
    if kind not in value:
        raise V.invalid("One or more parameter values were invalid: Condition parameter type does not match schema type")
    raw = V.key_bytes(value)
    if not raw and kind != "N":
        raise V.invalid("One or more parameter values are not valid. The AttributeValue for a key attribute "
                        f"cannot contain an empty string value. Key: {name}")
    return raw


def _check_sort_operands(kind: str | None, op: str, operands: tuple) -> None:
    for operand in operands:
        if kind not in operand:
            raise V.invalid("One or more parameter values were invalid: Condition parameter type does not "
                            "match schema type")
    if op == "begins_with" and kind == "N":
        raise V.invalid("Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
                        "operator or function: begins_with, operand type: N")
    if op == "between" and (V.compare(operands[0], operands[1]) or 0) > 0:
        raise V.invalid("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be "
                        "greater than or equal to lower bound; lower bound operand: AttributeValue: "
                        f"{V.describe(operands[0])}, upper bound operand: AttributeValue: "
                        f"{V.describe(operands[1])}")


def _component_bounds(lead: bytes, op: str, operands: tuple) -> tuple[bytes, bytes | None]:
    """[low, high) of a multi-attribute sort key whose leading components are ``lead`` and whose next one
    meets ``op``; None: to the end of the partition."""
    if op == "begins_with":
        start = lead + V.key_bytes(operands[0]).replace(b"\x00", b"\x00\xff")
        return start, successor(start)
    if op == "between":
        return lead + key_component(V.key_bytes(operands[0])), _beyond(lead + key_component(V.key_bytes(operands[1])))
    exact = lead + key_component(V.key_bytes(operands[0]))
    end = _beyond(lead) if lead else None
    bounds = {"=": (exact, _beyond(exact)), "<": (lead, exact), "<=": (lead, _beyond(exact)),
              ">": (_beyond(exact), end), ">=": (exact, end)}
    return bounds[op]


def _beyond(components: bytes) -> bytes:
    """Greater than ``components`` (joined key components) and every key that starts with them."""
    return components[:-1] + b"\x01"


def _answered_item(ix: IndexInfo | None, projection: dict | None, select: str) -> Callable[[dict], dict]:
    """How a Query or Scan answers with an item it read (decided once a page, not at every item)."""
    if projection is not None:
        return lambda item: E.project(item, projection)
    if ix is not None and ix.kind == "LSI" and select == "ALL_PROJECTED_ATTRIBUTES":
        return lambda item: V.copy_item(ix.project(item))
    return V.copy_item


class ServiceContext:
    """What ``write`` needs of a request context, for work DynamoDB does on its own (TTL)."""

    def __init__(self, clock: Clock, ids: IdGenerator) -> None:
        self.ids = ids
        self._clock = clock

    def time(self) -> float:
        return self._clock.time()


def cancel(reasons: list[dict]) -> None:
    """Cancel a transaction, with one reason per action in AWS's form."""
    codes = ", ".join(r["Code"] for r in reasons)
    raise AwsError("TransactionCanceledException",
                   f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
                   fields={"CancellationReasons": reasons})


def expiry(item: dict | None, attribute: str) -> float | None:
    if item is None:
        return None
    value = item.get(attribute)
    if value is None or "N" not in value:
        return None
    try:
        return float(value["N"])
    except (ValueError, OverflowError):
        return None

