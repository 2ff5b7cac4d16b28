"""DynamoDB: tables, items, the expression language, Query/Scan, batches, transactions, TTL and
the change records DynamoDB Streams serves.

State (store tables):

* ``dynamodb.tables``: ``(account, region, name) -> table record`` (see ``tables.py``).
* ``dynamodb.items`` (ordered): ``(account, region, name, pk, sk) -> item`` in wire format, where
  ``pk`` is four bytes of the partition key's MD5 followed by its order-preserving bytes (so a Scan
  goes in hash order, as AWS's does, and parallel-scan segments are key ranges) and ``sk`` the sort
  key's order-preserving bytes (``b""`` without a sort key). A Query seeks to its range in O(log n).
* ``dynamodb.streams``: ``stream ARN -> stream record``; ``dynamodb.stream_records`` (ordered):
  ``(stream ARN, sequence number) -> record``, read by ``streams.DynamoDBStreamsBackend``.
* ``dynamodb.tokens``: TransactWriteItems idempotency tokens; ``dynamodb.meta``: counters.
* ``dynamodb.backups`` / ``dynamodb.backup_items``: on-demand backups and the items they hold;
  ``dynamodb.history`` (ordered): the writes to tables with point-in-time recovery on (see ``backups.py``).

The storage engine (``engine.TableEngine``, ``self.engine``) owns key encoding, key ranges, paging,
item sizes, secondary indexes and TTL order (derived, kept in step through ``table.watch``), writes
with their stream records, stream retention and the lazy TTL sweep. This module parses requests and
answers them in AWS's words; PartiQL (``partiql.py``) and DynamoDB Streams (``streams.py``) use the
same engine.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from typing import Any, Literal, cast

from ...core.clock import from_epoch
from ...api import dynamodb
from ...core.dispatch import Ctx, RequestContext, ServiceBackend
from ...core.errors import AwsError
from ...core.partitions import dns_suffix
from ...core.validation import constraint_errors
from . import expressions as E
from . import legacy
from . import values as V
from .engine import ENVELOPE, TableEngine, after, cancel
from .expressions import ExprError
from .tables import (ON_DEMAND_WARM, IndexInfo, TableInfo, check_definitions, check_projection, check_throughput,
                     check_warm_throughput, index_record, raised_warm_throughput)
from . import schema
from .backups import BackupOperations
from .policies import PolicyOperations
from .transfers import TransferOperations

_CHECKED_OPERATIONS = frozenset((
    "CreateTable", "UpdateTable", "DeleteTable", "DescribeTable", "ListTables", "TagResource",
    "UntagResource", "ListTagsOfResource", "UpdateTimeToLive", "DescribeTimeToLive",
    "UpdateContinuousBackups", "DescribeContinuousBackups", "CreateBackup", "DescribeBackup", "DeleteBackup",
    "ListBackups", "RestoreTableFromBackup", "RestoreTableToPointInTime",
))
#: enum parameters AWS checks on data-plane calls (botocore does not check enums)
_ENUM_PARAMS = frozenset(("ReturnConsumedCapacity", "ReturnItemCollectionMetrics", "Select",
                          "ReturnValuesOnConditionCheckFailure", "ConditionalOperator"))
_BATCH_GET_BYTES = 16 * 1024 * 1024
#: a table record's index lists and the TableDescription members that describe them
_INDEX_FIELDS: tuple[tuple[str, Literal["LocalSecondaryIndexes", "GlobalSecondaryIndexes"]], ...] = (
    ("lsis", "LocalSecondaryIndexes"), ("gsis", "GlobalSecondaryIndexes"))
_TOKEN_SECONDS = 600
_NAME_KEY = re.compile(r"#[A-Za-z0-9_]+")
#: key faults against the table's schema (as opposed to malformed values, refused before anything runs)
_SCHEMA_FAULT = re.compile(r"Type mismatch for key|does not match the schema|Missing the key")


class Bound:
    """A request's expressions, parsed and bound to its names and values."""

    __slots__ = ("condition", "update", "projection", "filter", "key")

    def __init__(self) -> None:
        self.condition = self.update = self.projection = self.filter = self.key = None


_EMPTY = Bound()
_EXPRESSION_KINDS = (
    ("ConditionExpression", "condition", "Condition"),
    ("UpdateExpression", "update", "Update"),
    ("KeyConditionExpression", "key", "KeyCondition"),
    ("FilterExpression", "filter", "Filter"),
    ("ProjectionExpression", "projection", "Projection"),
)


def bind_expressions(params: Mapping[str, Any], allowed: tuple[str, ...]) -> Bound:
    """Parse and bind the expression parameters of a request, checking names and values as AWS does."""
    names = params.get("ExpressionAttributeNames")
    values = params.get("ExpressionAttributeValues")
    present = [k for k in _EXPRESSION_KINDS if k[1] in allowed and k[0] in params]
    if not present and names is None and values is None:
        return _EMPTY
    legacy.refuse_mixing(params, [k[0] for k in present])
    cache_key = _binding_key(params, present, names, values)
    if cache_key is not None:
        cached = _BOUND.get(cache_key)
        if cached is not None:
            return cached
    bound = _bind(params, present, names, values)
    if cache_key is not None:
        if len(_BOUND) > 1024:
            _BOUND.clear()
        _BOUND[cache_key] = bound
    return bound


#: bound expressions of recent requests, by expression texts, names and (scalar) values: bound trees
#: are immutable, so requests that repeat themselves (the common case) skip parsing and binding
_BOUND: dict[tuple, Bound] = {}
_SCALARS = {"S": str, "N": str, "B": bytes, "BOOL": bool, "NULL": bool}


def _binding_key(params: Mapping[str, Any], present: list, names: dict | None, values: dict | None) -> tuple | None:
    fingerprint = []
    for name, value in (values or {}).items():
        if value.__class__ is not dict or len(value) != 1:
            return None
        (kind, inner), = value.items()
        if _SCALARS.get(kind) is not inner.__class__:
            return None
        fingerprint.append((name, kind, inner))
    return (tuple((k[0], params[k[0]]) for k in present), tuple(names.items()) if names is not None else None,
            tuple(fingerprint) if values is not None else None)


def _bind(params: Mapping[str, Any], present: list, names: dict | None, values: dict | None) -> Bound:
    if names is not None:
        if not names:
            raise V.invalid("ExpressionAttributeNames must not be empty")
        if not present:
            raise V.invalid("ExpressionAttributeNames can only be specified when using expressions")
        for key in names:
            if _NAME_KEY.fullmatch(key) is None:
                raise V.invalid(f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"')
    if values is not None:
        if not values:
            raise V.invalid("ExpressionAttributeValues must not be empty")
        if not present:
            raise V.invalid("ExpressionAttributeValues can only be specified when using expressions")
    bound = Bound()
    parsed = []
    tree: Any
    for param, slot, label in present:
        try:
            if slot == "update":
                tree = E.parse_update(params[param])
            elif slot == "projection":
                tree = E.parse_projection(params[param])
            else:
                tree = E.parse_condition(params[param])
        except ExprError as exc:
            raise V.invalid(f"Invalid {label}Expression: {exc.message}") from None
        parsed.append((slot, label, tree))
    binder = E.Binder(names, V.canon_values(values))
    result: Any
    for slot, label, tree in parsed:
        try:
            if slot == "update":
                result = binder.update(tree)
            elif slot == "projection":
                result = binder.projection(tree)
            else:
                result = binder.condition(tree)
        except ExprError as exc:
            raise V.invalid(f"Invalid {label}Expression: {exc.message}") from None
        setattr(bound, slot, result)
    binder.unused()
    return bound


#: what DeleteTable's description keeps (recorded: LocalStack's test_table_crud, delete-table)
_DELETED_TABLE_MEMBERS = frozenset({"DeletionProtectionEnabled", "ItemCount", "ProvisionedThroughput", "TableArn",
                                    "TableId", "TableName", "TableSizeBytes", "TableStatus"})
def _warm_throughput(asked: dict | None, on_demand: bool, throughput: Mapping[str, Any],
                     creating: bool) -> Any:
    """WarmThroughput of a table or index (a TableWarmThroughputDescription or an index's; None): AWS's
    on-demand default or the provisioned capacity, raised by what was asked for; none at creation unless
    asked for."""
    if creating:
        return {**asked, "Status": "UPDATING"} if asked else None
    if on_demand:
        base = dict(ON_DEMAND_WARM)
    else:
        base = {"ReadUnitsPerSecond": throughput["ReadCapacityUnits"],
                "WriteUnitsPerSecond": throughput["WriteCapacityUnits"]}
    raised = {member: max(value, (asked or {}).get(member, value)) for member, value in base.items()}
    return {**raised, "Status": "ACTIVE"}


class DynamoDBBackend(BackupOperations, PolicyOperations, TransferOperations, ServiceBackend):
    service_name = "dynamodb"
    input_error_code = "ValidationException"
    input_checked_operations = _CHECKED_OPERATIONS

    def handler_for(self, operation: str) -> Any:
        """Data-plane calls get AWS's enum checks of their small parameters only (the full model walk is
        kept for control-plane calls, see ``input_checked_operations``)."""
        handler = super().handler_for(operation)
        if handler is None or operation in _CHECKED_OPERATIONS:
            return handler

        def enum_checked(ctx: RequestContext) -> dict:
            present = ctx.params.keys() & _ENUM_PARAMS
            if present:
                errors = constraint_errors(ctx.model.input_shape, {k: ctx.params[k] for k in sorted(present)})
                if errors:
                    noun = "error" if len(errors) == 1 else "errors"
                    raise V.invalid(f"{len(errors)} validation {noun} detected: " + "; ".join(errors))
            return handler(ctx)

        return enum_checked

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        store = self.store
        self.tables = schema.TABLES.open(store)
        self.items = schema.ITEMS.open_ordered(store)
        self.streams = schema.STREAMS.open(store)
        self.records = schema.STREAM_RECORDS.open_ordered(store)
        self.tokens = schema.TOKENS.open(store)
        self.meta = schema.META.open(store)
        self.backups = schema.BACKUPS.open(store)
        self.backup_items = schema.BACKUP_ITEMS.open_ordered(store)
        self.history = schema.HISTORY.open_ordered(store)
        self.transfers = schema.TRANSFERS.open(store)
        self.engine = TableEngine(emulator.clock, emulator.ids, self.tables, self.items, self.records, self.meta,
                                  self.history)

    # == capacity and metrics =======================================================================
    def _write_capacity(self, info: TableInfo, mode: str | None, old: dict | None,
                        new: dict | None) -> dynamodb.ConsumedCapacity | None:
        if mode not in ("TOTAL", "INDEXES"):
            return None
        size = max(V.item_size(old) if old else 0, V.item_size(new) if new else 0)
        units = float(max(1, math.ceil(size / 1024)))
        touched: dict[str, float] = {}
        for ix in info.indexes.values():
            had = old is not None and self.engine.indexed(ix, old)
            has = new is not None and self.engine.indexed(ix, new)
            if had or has:
                touched[ix.name] = float(had + has) if old != new else 0.0
        return self.engine.capacity(info, mode, units, {k: v for k, v in touched.items() if v})

    @staticmethod
    def _collection_metrics(info: TableInfo, params: Mapping[str, Any],
                            item: dict | None) -> dynamodb.ItemCollectionMetrics | None:
        if params.get("ReturnItemCollectionMetrics") != "SIZE" or not info.lsis or item is None:
            return None
        collection_key: dict[str, Any] = {info.hash_name: V.copy_value(item[info.hash_name])}
        return {"ItemCollectionKey": collection_key, "SizeEstimateRangeGB": [0.0, 1.0]}

    # == items =======================================================================================
    @staticmethod
    def _fail_condition(params: Mapping[str, Any], old: dict | None) -> None:
        item = None
        if params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
            item = V.copy_item(old)
        raise dynamodb.conditional_check_failed_exception("The conditional request failed", Item=item)

    def _condition(self, params: Mapping[str, Any]) -> Any:
        bound = bind_expressions(params, ("condition",))
        if bound.condition is None and "Expected" in params:
                return legacy.expected(params["Expected"], params.get("ConditionalOperator"))
        if bound.condition is None and "ConditionalOperator" in params:
            raise V.invalid("ConditionalOperator can only be used when Filter or Expected has two or more elements")
        return bound.condition

    def put_item(self, ctx: Ctx[dynamodb.PutItemRequest]) -> dynamodb.PutItemResult:
        params = ctx.params
        info = self.engine.table(ctx, params["TableName"])
        self._check_old_only_returns(params)
        condition = self.engine.enveloped(self._condition, params)
        item = self.engine.enveloped(V.canon_item, params["Item"])
        key = self.engine.item_key(info, item)
        if info.indexes:
            self.engine.check_index_keys(info, item)
        self.engine.check_size(item)
        return self._conditional_write(ctx, info, key, condition, item)

    @staticmethod
    def _check_old_only_returns(params: Mapping[str, Any]) -> None:
        """PutItem and DeleteItem allow ReturnValues NONE and ALL_OLD only."""
        if params.get("ReturnValues", "NONE") not in ("NONE", "ALL_OLD"):
            raise V.invalid(ENVELOPE + "ReturnValues can only be ALL_OLD or NONE")

    def _conditional_write(self, ctx: RequestContext, info: TableInfo, key: Any, condition: Any,
                           new: dict | None) -> dynamodb.PutItemOutput:
        """Replace (or, with ``new`` None, delete) the item at ``key`` if ``condition`` holds."""
        params = ctx.params
        self.engine.expire(info)
        old = self.items.get(key)
        if condition is not None and not E.evaluate(condition, old):
            self._fail_condition(params, old)
        self.engine.write(ctx, info, key, old, new)
        out: dynamodb.PutItemOutput = {}
        if params.get("ReturnValues") == "ALL_OLD" and old is not None:
            out["Attributes"] = V.copy_item(old)
        self._finish_write(out, params, info, old, new)
        return out

    def _finish_write(self, out: dynamodb.PutItemOutput, params: Mapping[str, Any], info: TableInfo, old: dict | None, new: dict | None) -> None:
        mode = params.get("ReturnConsumedCapacity")
        if mode is not None and mode != "NONE":
            capacity = self._write_capacity(info, mode, old, new)
            if capacity:
                out["ConsumedCapacity"] = capacity
        if info.lsis:
            metrics = self._collection_metrics(info, params, new if new is not None else old)
            if metrics:
                out["ItemCollectionMetrics"] = metrics

    def get_item(self, ctx: Ctx[dynamodb.GetItemRequest]) -> dynamodb.GetItemResult:
        params = ctx.params
        # the expressions are checked before the table and key (moto's AWS-verified
        # test_empty_expressionattributenames)
        projection = self._projection(params)
        info = self.engine.table(ctx, params["TableName"])
        key = self.engine.key(info, params["Key"])
        self.engine.expire(info)
        item = self.items.get(key)
        out: dynamodb.GetItemResult = {}
        if item is not None:
            out["Item"] = E.project(item, projection) if projection is not None else V.copy_item(item)
        mode = params.get("ReturnConsumedCapacity")
        if mode is not None and mode != "NONE":
            units = self.engine.read_units(V.item_size(item) if item else 0, bool(params.get("ConsistentRead")))
            capacity = self.engine.capacity(info, mode, units)
            if capacity is not None:  # always: the enum check let TOTAL and INDEXES through only
                out["ConsumedCapacity"] = capacity
        return out

    def _projection(self, params: Mapping[str, Any]) -> dict | None:
        bound = bind_expressions(params, ("projection",))
        if bound.projection is not None:
            return E.projection_tree(bound.projection)
        names = params.get("AttributesToGet")
        if names is not None:
            if len(set(names)) != len(names):
                raise V.invalid(f"One or more parameter values were invalid: Duplicate value in attribute name: "
                                f"{next(n for n in names if names.count(n) > 1)}")
            return {name: True for name in names}
        return None

    def delete_item(self, ctx: Ctx[dynamodb.DeleteItemRequest]) -> dynamodb.DeleteItemResult:
        params = ctx.params
        info = self.engine.table(ctx, params["TableName"])
        self._check_old_only_returns(params)
        key = self.engine.key(info, params["Key"], envelope=True)
        condition = self.engine.enveloped(self._condition, params)
        return self._conditional_write(ctx, info, key, condition, None)

    def update_item(self, ctx: Ctx[dynamodb.UpdateItemRequest]) -> dynamodb.UpdateItemResult:
        params = ctx.params
        info = self.engine.table(ctx, params["TableName"])
        returns = params.get("ReturnValues", "NONE")
        if returns not in ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"):
            raise V.invalid("Return values set to invalid value")
        key = self.engine.key(info, params["Key"], envelope=True)
        actions, condition = self.engine.enveloped(self._update_request, params)
        self.engine.check_key_updates(info, actions)
        self.engine.expire(info)
        old = self.items.get(key)
        if condition is not None and not E.evaluate(condition, old):
            self._fail_condition(params, old)
        new = self.engine.updated(info, key, params["Key"], old, actions)
        if old is None:
            self.engine.item_key(info, new)  # a new item's key is held to the key size limits
        self.engine.write(ctx, info, key, old, new)
        out: dynamodb.UpdateItemResult = {}
        source = None
        if returns == "ALL_OLD":
            source = old
        elif returns == "ALL_NEW":
            source = new
        if source is not None:
            out["Attributes"] = V.copy_item(source)
        elif returns in ("UPDATED_OLD", "UPDATED_NEW") and actions:
            tree = E.projection_tree([("path", a[1][1]) for a in actions])
            chosen = old if returns == "UPDATED_OLD" else new
            projected = E.project(chosen, tree) if chosen else {}
            if projected:
                out["Attributes"] = projected
        self._finish_write(out, params, info, old, new)
        return out

    def _update_request(self, params: Mapping[str, Any]) -> tuple[list, Any]:
        bound = bind_expressions(params, ("update", "condition"))
        condition = bound.condition
        actions = bound.update
        if actions is None and "AttributeUpdates" in params:
            actions = legacy.attribute_updates(params["AttributeUpdates"])
        if condition is None and "Expected" in params:
            condition = legacy.expected(params["Expected"], params.get("ConditionalOperator"))
        return actions or [], condition

    # == query and scan ==============================================================================
    def _read_target(self, info: TableInfo, params: Mapping[str, Any]) -> IndexInfo | None:
        name = params.get("IndexName")
        if name is None:
            return None
        ix = info.indexes.get(name)
        if ix is None:
            raise V.invalid(f"The table does not have the specified index: {name}")
        if ix.kind == "GSI" and params.get("ConsistentRead"):
            raise V.invalid("Consistent reads are not supported on global secondary indexes")
        return ix

    @staticmethod
    def _select(params: Mapping[str, Any], ix: IndexInfo | None, projection: Any, query: bool = False) -> str:
        """The Select a read uses, with AWS's refusals (Query words them with the "1 validation error"
        envelope, Scan without)."""
        envelope = "1 validation error detected: " if query else ""
        select = params.get("Select")
        if select is None:
            select = "SPECIFIC_ATTRIBUTES" if projection is not None else (
                "ALL_PROJECTED_ATTRIBUTES" if ix is not None else "ALL_ATTRIBUTES")
        elif projection is not None and select != "SPECIFIC_ATTRIBUTES":
            which = "ProjectionExpression" if "ProjectionExpression" in params else "AttributesToGet"
            wanted = "only the Count" if select == "COUNT" else select
            raise V.invalid(f"{envelope}Cannot specify the {which} when choosing to get {wanted}")
        elif select == "SPECIFIC_ATTRIBUTES" and projection is None:
            raise V.invalid(f"{envelope}Select type SPECIFIC_ATTRIBUTES requires a ProjectionExpression or "
                            "AttributesToGet")
        elif select == "ALL_PROJECTED_ATTRIBUTES" and ix is None:
            raise V.invalid(f"{envelope}ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
        elif select == "ALL_ATTRIBUTES" and ix is not None and ix.kind == "GSI" and ix.projection != "ALL":
            raise V.invalid(f"One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported "
                            f"for global secondary index {ix.name} because its projection type is not ALL")
        if projection is not None and ix is not None and ix.kind == "GSI" and ix.projection != "ALL":
            missing = [name for name in projection if name not in ix.key_names and name not in ix.non_key]
            if missing:
                raise V.invalid(f"One or more parameter values were invalid: Global secondary index {ix.name} does "
                                f"not project [{', '.join(missing)}]")
        return select

    def query(self, ctx: Ctx[dynamodb.QueryRequest]) -> dynamodb.QueryResult:
        params = ctx.params
        info = self.engine.table(ctx, params["TableName"])
        ix = self._read_target(info, params)
        bound = bind_expressions(params, ("key", "filter", "projection"))
        key_condition = bound.key
        if key_condition is None and "KeyConditions" in params:
            key_condition = legacy.key_conditions(params["KeyConditions"])
        if key_condition is None:
            raise V.invalid("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
        filter_ = bound.filter
        if filter_ is None and "QueryFilter" in params:
            filter_ = legacy.filters(params["QueryFilter"], params.get("ConditionalOperator"))
        projection = self._read_projection(params, bound)
        select = self._select(params, ix, projection, query=True)
        key_attributes = tuple(ix.types) if ix else (info.hash_name, info.range_name)
        if filter_ is not None:
            for path in E.paths_in(filter_):
                if path[0] in key_attributes:
                    raise V.invalid("Filter Expression can only contain non-primary key attributes: "
                                    f"Primary key attribute: {path[0]}")
        prefix, low, high = self.engine.key_range(info, ix, key_condition, legacy_conditions=bound.key is None)
        forward = params.get("ScanIndexForward", True)
        start = params.get("ExclusiveStartKey")
        if start is not None:
            position = self.engine.start_after(info, ix, start)
            if position[:len(prefix)] != prefix:
                raise V.invalid("The provided starting key is outside query boundaries based on provided conditions")
            if forward:
                low = max(low, after(position))
            else:
                high = min(high, position)
        self.engine.expire(info)
        return self.engine.page(ctx, info, ix, params, low, high, not forward, filter_, projection, select)

    def _read_projection(self, params: Mapping[str, Any], bound: Bound) -> dict | None:
        if bound.projection is not None:
            return E.projection_tree(bound.projection)
        names = params.get("AttributesToGet")
        if names is not None:
            return {name: True for name in names}
        return None

    def scan(self, ctx: Ctx[dynamodb.ScanRequest]) -> dynamodb.ScanResult:
        with V.older_wording():
            return self._scan(ctx)

    def _scan(self, ctx: Ctx[dynamodb.ScanRequest]) -> dynamodb.ScanResult:
        params = ctx.params
        info = self.engine.table(ctx, params["TableName"])
        ix = self._read_target(info, params)
        bound = bind_expressions(params, ("filter", "projection"))
        filter_ = bound.filter
        if filter_ is None and "ScanFilter" in params:
                filter_ = legacy.filters(params["ScanFilter"], params.get("ConditionalOperator"))
        projection = self._read_projection(params, bound)
        select = self._select(params, ix, projection)
        segment: int | None = params.get("Segment")
        total: int | None = params.get("TotalSegments")
        if segment is not None and total is None:
            raise V.invalid("The TotalSegments parameter is required but was not present in the request when "
                            "Segment parameter is present")
        if total is not None and segment is None:
            raise V.invalid("The Segment parameter is required but was not present in the request when parameter "
                            "TotalSegments is present")
        prefix = info.key if ix is None else ()
        low: tuple = prefix
        high: tuple | None = after(info.key) if ix is None else None
        if total is not None and segment is not None:
            if segment >= total:
                raise V.invalid(f"The Segment parameter is zero-based and must be less than parameter "
                                f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}")
            start = -(-segment * 2**32 // total)
            low = prefix + (start.to_bytes(4, "big"),)
            if segment + 1 < total:
                end = -(-(segment + 1) * 2**32 // total)
                high = prefix + (end.to_bytes(4, "big"),)
        start_key = params.get("ExclusiveStartKey")
        if start_key is not None:
            position = self.engine.start_after(info, ix, start_key)
            low = max(low, after(position))
        self.engine.expire(info)
        return self.engine.page(ctx, info, ix, params, low, high, False, filter_, projection, select)

    # == batches ======================================================================================
    def batch_get_item(self, ctx: Ctx[dynamodb.BatchGetItemRequest]) -> dynamodb.BatchGetItemResult:
        request = ctx.params["RequestItems"]
        for name, spec in request.items():
            if len(spec["Keys"]) > 100:
                raise V.invalid(f"1 validation error detected: Value at 'RequestItems.{name}.member.Keys' failed to "
                                "satisfy constraint: Member must have length less than or equal to 100")
        if sum(len(r["Keys"]) for r in request.values()) > 100:
            raise V.invalid("Too many items requested for the BatchGetItem call")
        if any("AttributesToGet" in r for r in request.values()) and any(
                "ProjectionExpression" in r for r in request.values()):
            legacy.refuse_mixing({"AttributesToGet": True}, ["ProjectionExpression"])
        # expressions are checked before any table is looked up (moto's AWS-verified
        # test_batch_get_item_unused_attribute_name: a ValidationException for an unknown table)
        projections = {name: self._projection(spec) for name, spec in request.items()}
        plans = []
        for name, spec in request.items():
            info = self.engine.table(ctx, name)
            keys = []
            seen = set()
            for key in spec["Keys"]:
                storage = self.engine.key(info, key)
                if storage in seen:
                    raise V.invalid("Provided list of item keys contains duplicates")
                seen.add(storage)
                keys.append((storage, key))
            plans.append((name, info, spec, keys, projections[name]))
        responses: dict[str, list] = {}
        unprocessed: dict[str, Any] = {}
        capacities: dict[str, float] = {}
        size = 0
        for name, info, spec, keys, projection in plans:
            self.engine.expire(info)
            found = responses.setdefault(name, [])
            consistent = bool(spec.get("ConsistentRead"))
            for storage, key in keys:
                if size >= _BATCH_GET_BYTES:
                    rest = unprocessed.setdefault(name, {k: v for k, v in spec.items() if k != "Keys"})
                    rest.setdefault("Keys", []).append(key)
                    continue
                item = self.items.get(storage)
                item_bytes = V.item_size(item) if item is not None else 0
                capacities[name] = capacities.get(name, 0.0) + self.engine.read_units(item_bytes, consistent)
                if item is not None:
                    size += item_bytes
                    found.append(E.project(item, projection) if projection is not None else V.copy_item(item))
        out: dynamodb.BatchGetItemResult = {"Responses": responses, "UnprocessedKeys": unprocessed}
        mode = ctx.params.get("ReturnConsumedCapacity")
        if mode in ("TOTAL", "INDEXES"):
            consumed = (self.engine.capacity(self.engine.table(ctx, n), mode, u) for n, u in capacities.items())
            out["ConsumedCapacity"] = [c for c in consumed if c is not None]  # all: mode is TOTAL or INDEXES
        return out

    def batch_write_item(self, ctx: Ctx[dynamodb.BatchWriteItemRequest]) -> dynamodb.BatchWriteItemResult:
        with V.older_wording():
            return self._batch_write_item(ctx)

    def _batch_write_item(self, ctx: RequestContext) -> dynamodb.BatchWriteItemResult:
        request = ctx.params["RequestItems"]
        for name, writes in request.items():
            if len(writes) > 25:
                raise V.invalid(f"1 validation error detected: Value at 'RequestItems.{name}.member' failed to "
                                "satisfy constraint: Member must have length less than or equal to 25")
        if sum(len(w) for w in request.values()) > 25:
            raise V.invalid("Too many items requested for the BatchWriteItem call")
        plans = []
        for name, writes in request.items():
            info = self.engine.table(ctx, name)
            seen = set()
            for write in writes:
                put, delete = write.get("PutRequest"), write.get("DeleteRequest")
                if (put is None) == (delete is None):
                    raise V.invalid("Supplied AttributeValue has more than one datatypes set, must contain exactly "
                                    "one of the supported datatypes" if put else
                                    "1 validation error detected: WriteRequest must contain exactly one of "
                                    "PutRequest or DeleteRequest")
                if put is not None:
                    item = V.canon_item(put["Item"])
                    try:
                        key = self.engine.item_key(info, item)
                    except AwsError as exc:
                        if not _SCHEMA_FAULT.search(exc.message):
                            raise
                        raise V.invalid("The provided key element does not match the schema") from None
                    if info.indexes:
                        self.engine.check_index_keys(info, item)
                    self.engine.check_size(item)
                else:
                    item = None
                    key = self.engine.key(info, delete["Key"])
                if key in seen:
                    raise V.invalid("Provided list of item keys contains duplicates")
                seen.add(key)
                plans.append((info, key, item))
        mode = ctx.params.get("ReturnConsumedCapacity")
        capacities: dict[str, dynamodb.ConsumedCapacity] = {}
        metrics: dict[str, list] = {}
        for info, key, item in plans:
            self.engine.expire(info)
            old = self.items.get(key)
            self.engine.write(ctx, info, key, old, item)
            if mode in ("TOTAL", "INDEXES"):
                one = self._write_capacity(info, mode, old, item)
                if one is not None:
                    capacities[info.name] = _add_capacity(capacities.get(info.name), one)
            got = self._collection_metrics(info, ctx.params, item if item is not None else old)
            if got:
                metrics.setdefault(info.name, []).append(got)
        out: dynamodb.BatchWriteItemResult = {"UnprocessedItems": {}}
        if capacities:
            out["ConsumedCapacity"] = list(capacities.values())
        if metrics:
            out["ItemCollectionMetrics"] = metrics
        return out

    # == transactions ==================================================================================
    def transact_get_items(self, ctx: Ctx[dynamodb.TransactGetItemsRequest]) -> dynamodb.TransactGetItemsResult:
        with V.older_wording():
            return self._transact_get_items(ctx)

    def _transact_get_items(self, ctx: RequestContext) -> dynamodb.TransactGetItemsResult:
        entries = ctx.params["TransactItems"]
        if len(entries) > 100:
            raise V.invalid("1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: "
                            "Member must have length less than or equal to 100")
        plans = []
        seen = set()
        faults: list[str | None] = []
        for entry in entries:
            get = entry["Get"]
            info = self.engine.table(ctx, get["TableName"])
            projection = self._projection(get)
            try:
                key = self.engine.key(info, get["Key"])
            except AwsError as exc:
                if not _SCHEMA_FAULT.search(exc.message):
                    raise
                faults.append(exc.message)  # a key that does not fit the schema cancels the transaction
                continue
            faults.append(None)
            if key in seen:
                raise V.invalid("Transaction request cannot include multiple operations on one item")
            seen.add(key)
            plans.append((info, key, projection))
        if any(faults):
            cancel([{"Code": "ValidationError", "Message": f} if f else {"Code": "None"} for f in faults])
        responses: list[dynamodb.ItemResponse] = []
        capacities: dict[str, dynamodb.ConsumedCapacity] = {}
        mode = ctx.params.get("ReturnConsumedCapacity")
        for info, key, projection in plans:
            self.engine.expire(info)
            item = self.items.get(key)
            if item is None:
                responses.append({})
            else:
                responses.append({"Item": E.project(item, projection) if projection is not None else V.copy_item(item)})
            if mode in ("TOTAL", "INDEXES"):
                units = 2.0 * max(1, math.ceil((V.item_size(item) if item else 0) / 4096))
                one = self.engine.capacity(info, mode, units)
                if one is not None:
                    capacities[info.name] = _add_capacity(capacities.get(info.name), one)
        out: dynamodb.TransactGetItemsResult = {"Responses": responses}
        if capacities:
            out["ConsumedCapacity"] = list(capacities.values())
        return out

    def transact_write_items(self, ctx: Ctx[dynamodb.TransactWriteItemsRequest]) -> dynamodb.TransactWriteItemsResult:
        with V.older_wording():
            return self._transact_write_items(ctx)

    def _transact_write_items(self, ctx: RequestContext) -> dynamodb.TransactWriteItemsResult:
        params = ctx.params
        entries = params["TransactItems"]
        if len(entries) > 100:
            raise V.invalid("1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: "
                            "Member must have length less than or equal to 100")
        token = params.get("ClientRequestToken")
        digest = None
        if token:
            digest = hashlib.sha256(json.dumps({k: v for k, v in params.items() if k != "ClientRequestToken"},
                                               sort_keys=True, default=repr).encode()).hexdigest()
            previous = self._token(ctx, token)
            if previous is not None:
                if previous["digest"] != digest:
                    raise dynamodb.idempotent_parameter_mismatch_exception(
                        "Request parameters do not match the parameters of the original request with the same "
                        "ClientRequestToken")
                return V.copy_result(previous["result"])
        plans = []
        seen = set()
        for entry in entries:
            kinds = [k for k in ("ConditionCheck", "Put", "Delete", "Update") if k in entry]
            if len(kinds) != 1:
                raise V.invalid("TransactItems can only contain one of Check, Put, Update or Delete")
            kind = kinds[0]
            spec = entry[kind]
            # an action's expressions refuse the whole request before its table and key are looked at (moto's
            # AWS-verified test_transact_write_item_*_unused_attribute_name)
            bind_expressions(spec, ("update", "condition") if kind == "Update" else ("condition",))
            info = self.engine.table(ctx, spec["TableName"])
            item = V.canon_item(spec["Item"]) if kind == "Put" else None
            try:
                key = self.engine.item_key(info, item) if item is not None else self.engine.key(info, spec["Key"])
            except AwsError as exc:
                if not _SCHEMA_FAULT.search(exc.message):
                    raise
                # a key of the wrong type or shape cancels the transaction rather than refusing the request
                plans.append([kind, info, None, None, exc.message, spec])
                continue
            if item is not None:
                if info.indexes:
                    self.engine.check_index_keys(info, item)
                self.engine.check_size(item)
                condition = self._condition(spec)
                plan = [kind, info, key, condition, item, spec]
            elif kind == "Update":
                actions, condition = self._update_request(spec)
                self.engine.check_key_updates(info, actions)
                plan = [kind, info, key, condition, actions, spec]
            else:
                bound = bind_expressions(spec, ("condition",))
                condition = bound.condition
                if kind == "ConditionCheck" and condition is None:
                    raise V.invalid("The ConditionExpression for a ConditionCheck is required")
                plan = [kind, info, key, condition, None, spec]
            if key in seen:
                raise V.invalid("Transaction request cannot include multiple operations on one item")
            seen.add(key)
            plans.append(plan)
        reasons: list[dict] = []
        failed = False
        writes = []
        for kind, info, key, condition, payload, spec in plans:
            if key is None:
                reasons.append({"Code": "ValidationError", "Message": payload})
                failed = True
                continue
            self.engine.expire(info)
            old = self.items.get(key)
            if condition is not None and not E.evaluate(condition, old):
                reason: dict[str, Any] = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
                if spec.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
                    reason["Item"] = V.copy_item(old)
                reasons.append(reason)
                failed = True
                continue
            try:
                if kind == "Put":
                    new = payload
                elif kind == "Update":
                    new = self.engine.updated(info, key, spec["Key"], old, payload)
                elif kind == "Delete":
                    new = None
                else:
                    reasons.append({"Code": "None"})
                    continue
            except AwsError as exc:
                reasons.append({"Code": "ValidationError", "Message": exc.message})
                failed = True
                continue
            reasons.append({"Code": "None"})
            writes.append((info, key, old, new))
        if failed:
            cancel(reasons)
        for info, key, old, new in writes:
            self.engine.write(ctx, info, key, old, new)
        result = self._transact_result(ctx, [(info.key, old, new) for info, _key, old, new in writes], params)
        if token:
            self.tokens.put((ctx.account, ctx.region, token),
                            {"time": ctx.time(), "digest": digest, "result": V.copy_result(result)})
        return result

    def _token(self, ctx: RequestContext, token: str) -> dict | None:
        key = (ctx.account, ctx.region, token)
        found = self.tokens.get(key)
        now = ctx.time()
        if found is not None and now - found["time"] > _TOKEN_SECONDS:
            self.tokens.delete(key)
            return None
        if len(self.tokens) > 1000:
            for stale in [k for k, v in self.tokens.items() if now - v["time"] > _TOKEN_SECONDS]:
                self.tokens.delete(stale)
        return found

    def _transact_result(self, ctx: RequestContext, summary: list,
                         params: Mapping[str, Any]) -> dynamodb.TransactWriteItemsResult:
        out: dynamodb.TransactWriteItemsResult = {}
        mode = params.get("ReturnConsumedCapacity")
        if mode in ("TOTAL", "INDEXES"):
            capacities: dict[str, dynamodb.ConsumedCapacity] = {}
            for tkey, old, new in summary:
                info = self.engine.table_info(tkey)
                if info is None:
                    continue
                one = self._write_capacity(info, mode, old, new)
                if one:
                    one = cast("dynamodb.ConsumedCapacity", _scale_capacity(one, 2.0))
                    capacities[info.name] = _add_capacity(capacities.get(info.name), one)
            out["ConsumedCapacity"] = list(capacities.values())
        if params.get("ReturnItemCollectionMetrics") == "SIZE":
            metrics: dict[str, list] = {}
            for tkey, old, new in summary:
                info = self.engine.table_info(tkey)
                got = self._collection_metrics(info, params, new if new is not None else old) if info else None
                if got:
                    metrics.setdefault(info.name, []).append(got)  # type: ignore[union-attr]
            if metrics:
                out["ItemCollectionMetrics"] = metrics
        return out

    # == PartiQL =======================================================================================
    def execute_statement(self, ctx: Ctx[dynamodb.ExecuteStatementRequest]) -> dynamodb.ExecuteStatementResult:
        from . import partiql
        return partiql.execute_statement(self.engine, ctx)

    def batch_execute_statement(self, ctx: Ctx[dynamodb.BatchExecuteStatementRequest]) -> dynamodb.BatchExecuteStatementResult:
        from . import partiql
        return partiql.batch_execute_statement(self.engine, ctx)

    def execute_transaction(self, ctx: Ctx[dynamodb.ExecuteTransactionRequest]) -> dynamodb.ExecuteTransactionResult:
        from . import partiql
        return partiql.execute_transaction(self.engine, ctx)

    # == tables ========================================================================================
    def create_table(self, ctx: Ctx[dynamodb.CreateTableRequest]) -> dynamodb.CreateTableResult:
        params = ctx.params
        name = params["TableName"]
        for member in ("KeySchema", "AttributeDefinitions"):  # optional in the model, required by AWS
            if params.get(member) is None:
                raise V.invalid(f"1 validation error detected: Value null at '{member[0].lower() + member[1:]}' "
                                "failed to satisfy constraint: Member must not be null")
        if not params["AttributeDefinitions"]:  # ack-api-quirks DynamoDB catalogue, DDB-TABLE-042
            raise V.invalid("Invalid KeySchema: Some index key attribute have no definition")
        check_definitions(params)
        billing = params.get("BillingMode", "PROVISIONED")
        throughput = check_throughput(params, billing)
        check_warm_throughput(params, billing)
        tkey = (ctx.account, ctx.region, name)
        if tkey in self.tables:
            raise dynamodb.resource_in_use_exception(f"Table already exists: {name}")
        now = ctx.time()
        arn = ctx.arn(f"table/{name}")
        record: dict[str, Any] = {
            "name": name, "arn": arn, "id": ctx.ids.uuid4(), "created": now,
            "key_schema": [dict(e) for e in params["KeySchema"]],
            "attribute_definitions": [dict(d) for d in params["AttributeDefinitions"]],
            "billing_mode": billing, "throughput": throughput,
            "gsis": [index_record(i, now) for i in params.get("GlobalSecondaryIndexes") or ()],
            "lsis": [index_record(i, now) for i in params.get("LocalSecondaryIndexes") or ()],
            "stream": None, "ttl": None, "pitr": False,
            "deletion_protection": bool(params.get("DeletionProtectionEnabled", False)),
            "tags": {t["Key"]: t["Value"] for t in params.get("Tags") or ()},
            "table_class": params.get("TableClass"),
            "sse": self._sse(ctx, params.get("SSESpecification")),
        }
        if params.get("WarmThroughput"):
            record["warm"] = dict(params["WarmThroughput"])
        spec = params.get("StreamSpecification")
        if spec and spec.get("StreamEnabled"):
            if "StreamViewType" not in spec:
                raise V.invalid("One or more parameter values were invalid: Table is being created with a stream "
                                "enabled, UpdateViewType is required")
            record["stream"] = self._new_stream(ctx, record, spec)
        elif spec and "StreamViewType" in spec:
            raise V.invalid("One or more parameter values were invalid: Table is being created with a stream "
                            "disabled, UpdateViewType should not be specified")
        self.tables.put(tkey, record)
        if params.get("ResourcePolicy"):
            self.set_policy(ctx, TableInfo(tkey, record), params["ResourcePolicy"])
        return {"TableDescription": self._describe(tkey, "CREATING", creating=True)}

    def _sse(self, ctx: RequestContext, spec: Mapping[str, Any] | None) -> dynamodb.SSEDescription | None:
        if not spec or not spec.get("Enabled"):
            return None
        key = spec.get("KMSMasterKeyId") or ctx.arn(f"key/{ctx.ids.uuid4()}", service="kms")
        if not key.startswith("arn:"):
            key = ctx.arn(f"key/{key}", service="kms")
        return {"Status": "ENABLED", "SSEType": spec.get("SSEType", "KMS"), "KMSMasterKeyArn": key}

    def _new_stream(self, ctx: RequestContext, record: dict, spec: Mapping[str, Any]) -> dict:
        view = spec["StreamViewType"]
        label = from_epoch(ctx.time()).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        arn = f"{record['arn']}/stream/{label}"
        if arn in self.streams:
            label = label[:-3] + f"{(int(label[-3:]) + len(self.streams)) % 1000:03d}"
            arn = f"{record['arn']}/stream/{label}"
        shard = "shardId-" + f"{int(ctx.time() * 1000):020d}" + "-" + ctx.ids.hex(8)
        self.streams.put(arn, {
            "arn": arn, "label": label, "view_type": view, "account": ctx.account, "region": ctx.region,
            "table": record["name"], "table_arn": record["arn"], "created": ctx.time(),
            "key_schema": record["key_schema"], "disabled": None, "shard": shard,
            "first": self.meta.get("sequence", 0) + 1,
        })
        return {"arn": arn, "label": label, "view_type": view}

    def _describe(self, tkey: tuple, status: str | None = None, creating: bool = False) -> dynamodb.TableDescription:
        """A table's description as AWS words it (recorded: LocalStack's test_gsi_with_billing_mode,
        test_table_crud, test_table_warm_throughput): a BillingModeSummary for on-demand tables (and
        tables whose mode changed), no OnDemandThroughput unless set, WarmThroughput from the
        describe after creation on (at creation only when asked for, then UPDATING)."""
        record = self.tables[tkey]
        count, size = self.engine.table_counts(tkey)
        throughput = record["throughput"] or {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
        # copies of the record's lists of plain dicts (the request's shapes, validated when stored)
        definitions: list[Any] = [dict(d) for d in record["attribute_definitions"]]
        key_schema: list[Any] = [dict(e) for e in record["key_schema"]]
        out: dynamodb.TableDescription = {
            "AttributeDefinitions": definitions,
            "TableName": record["name"],
            "KeySchema": key_schema,
            "TableStatus": status or record.get("status", "ACTIVE"),
            "CreationDateTime": from_epoch(record["created"]),
            "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, **throughput},
            "TableSizeBytes": size,
            "ItemCount": count,
            "TableArn": record["arn"],
            "TableId": record["id"],
        }
        on_demand = record["billing_mode"] == "PAY_PER_REQUEST"
        if on_demand or "billing_changed" in record:
            summary: dynamodb.BillingModeSummary = {"BillingMode": record["billing_mode"]}
            if on_demand and not creating:
                summary["LastUpdateToPayPerRequestDateTime"] = from_epoch(record.get("billing_changed", record["created"]))
            out["BillingModeSummary"] = summary
        warm = _warm_throughput(record.get("warm"), on_demand, throughput, creating)
        if warm is not None:
            out["WarmThroughput"] = warm
        for kind, field in _INDEX_FIELDS:
            if not record[kind]:
                continue
            described: list[Any] = []
            for index in record[kind]:
                icount, isize = self.engine.index_counts(tkey, index["IndexName"])
                entry: dict[str, Any] = {
                    "IndexName": index["IndexName"],
                    "KeySchema": [dict(e) for e in index["KeySchema"]],
                    "Projection": {k: (list(v) if isinstance(v, list) else v) for k, v in index["Projection"].items()},
                }
                if kind == "gsis":
                    entry["IndexStatus"] = index.get("status_once") or "ACTIVE"
                    pt = index.get("ProvisionedThroughput") or {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
                    entry["ProvisionedThroughput"] = {"NumberOfDecreasesToday": 0, **pt}
                    index_warm = _warm_throughput(index.get("WarmThroughput"), on_demand, pt, creating)
                    if index_warm is not None:
                        entry["WarmThroughput"] = index_warm
                entry["IndexSizeBytes"] = isize
                entry["ItemCount"] = icount
                entry["IndexArn"] = f"{record['arn']}/index/{index['IndexName']}"
                described.append(entry)
            out[field] = described
        stream = record.get("stream")
        if stream:
            out["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["view_type"]}
        if stream or record.get("last_stream"):
            last = stream or record["last_stream"]
            out["LatestStreamLabel"] = last["label"]
            out["LatestStreamArn"] = last["arn"]
        if record.get("sse"):
            out["SSEDescription"] = {**record["sse"]}
        if record.get("table_class"):
            out["TableClassSummary"] = {"TableClass": record["table_class"]}
        out["DeletionProtectionEnabled"] = record["deletion_protection"]
        restore = record.get("restore")
        if restore:
            restored: dynamodb.RestoreSummary = {"RestoreDateTime": from_epoch(restore["RestoreDateTime"]),
                                                 "RestoreInProgress": out["TableStatus"] == "CREATING"}
            for member in ("SourceBackupArn", "SourceTableArn"):
                if member in restore:
                    restored[member] = restore[member]  # type: ignore[literal-required]
            out["RestoreSummary"] = restored
        return out

    def describe_table(self, ctx: Ctx[dynamodb.DescribeTableRequest]) -> dynamodb.DescribeTableResult:
        name = ctx.params["TableName"]
        info = self.engine.table(ctx, name, f"Requested resource not found: Table: {name} not found")
        return {"Table": self._describe(info.key)}

    def delete_table(self, ctx: Ctx[dynamodb.DeleteTableRequest]) -> dynamodb.DeleteTableResult:
        name = ctx.params["TableName"]
        info = self.engine.table(ctx, name, f"Requested resource not found: Table: {name} not found")
        record = info.record
        if record["deletion_protection"]:
            raise V.invalid("Resource cannot be deleted as it is currently protected against deletion. Disable "
                            "deletion protection first.")
        described = self._describe(info.key, "DELETING")
        if record["pitr"]:
            self.keep_system_backup(ctx, info)
        described = {k: v for k, v in described.items() if k in _DELETED_TABLE_MEMBERS}  # type: ignore[assignment]
        for key in list(self.items.irange(info.key, after(info.key), (True, False))):
            self.items.delete(key)
        if record.get("stream"):
            self._disable_stream(ctx, record["stream"]["arn"])
        self.engine.forget_history(info.key)
        self.tables.delete(info.key)
        return {"TableDescription": described}

    def _disable_stream(self, ctx: RequestContext, arn: str) -> None:
        stream = self.streams.get(arn)
        if stream is not None and stream["disabled"] is None:
            last = next(iter(self.records.irange((arn,), (arn + "\x00",), (True, False), reverse=True)), None)
            self.streams.put(arn, {**stream, "disabled": ctx.time(),
                                   "last_sequence": last[1] if last else stream["first"] - 1})

    def list_tables(self, ctx: Ctx[dynamodb.ListTablesRequest]) -> dynamodb.ListTablesResult:
        params = ctx.params
        limit = params.get("Limit", 100)
        start = params.get("ExclusiveStartTableName")
        names = sorted(k[2] for k in self.tables.keys() if k[0] == ctx.account and k[1] == ctx.region)
        if start is not None:
            names = [n for n in names if n > start]
        out: dynamodb.ListTablesResult = {"TableNames": names[:limit]}
        if len(names) > limit:
            out["LastEvaluatedTableName"] = names[limit - 1]
        return out

    def update_table(self, ctx: Ctx[dynamodb.UpdateTableRequest]) -> dynamodb.UpdateTableResult:
        params = ctx.params
        name = params["TableName"]
        info = self.engine.table(ctx, name, f"Requested resource not found: Table: {name} not found")
        record = dict(info.record)
        changes = [k for k in ("ProvisionedThroughput", "BillingMode", "StreamSpecification",
                               "GlobalSecondaryIndexUpdates", "SSESpecification", "ReplicaUpdates",
                               "DeletionProtectionEnabled", "TableClass", "OnDemandThroughput",
                               "WarmThroughput", "AttributeDefinitions") if k in params]
        if not [c for c in changes if c != "AttributeDefinitions"]:
            raise V.invalid("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                            "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
                            "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
                            "OnDemandThroughput, WarmThroughput or TableClass is required")
        for alone, what in (("SSESpecification", "Server-Side Encryption"), ("TableClass", "TableClass"),
                            ("DeletionProtectionEnabled", "DeletionProtection")):
            if alone in changes and len([c for c in changes if c != "AttributeDefinitions"]) > 1:
                raise V.invalid(f"One or more parameter values were invalid: {what} modification must be the only "
                                "operation in the request")
        if "StreamSpecification" in params and any(
                "Create" in u or "Delete" in u for u in params.get("GlobalSecondaryIndexUpdates") or ()):
            raise V.invalid("One or more parameter values were invalid: You cannot create or delete index while "
                            "changing stream status")
        status = "ACTIVE"
        if "AttributeDefinitions" in params:
            merged = {d["AttributeName"]: d["AttributeType"] for d in record["attribute_definitions"]}
            for d in params["AttributeDefinitions"]:
                if merged.get(d["AttributeName"], d["AttributeType"]) != d["AttributeType"]:
                    raise V.invalid("One or more parameter values were invalid: Cannot change the type of an "
                                    f"existing key attribute: {d['AttributeName']}")
                merged[d["AttributeName"]] = d["AttributeType"]
            record["attribute_definitions"] = [{"AttributeName": k, "AttributeType": v} for k, v in merged.items()]
        billing: str = params.get("BillingMode") or record["billing_mode"]
        if "BillingMode" in params and billing != record["billing_mode"]:
            record["billing_mode"] = billing
            record["billing_changed"] = ctx.time()
            status = "UPDATING"
            if billing == "PAY_PER_REQUEST":
                record["throughput"] = None
                record["gsis"] = [{k: v for k, v in g.items() if k != "ProvisionedThroughput"} for g in record["gsis"]]
            elif "ProvisionedThroughput" not in params:
                raise V.invalid("One or more parameter values were invalid: ProvisionedThroughput must be specified "
                                "when BillingMode is PROVISIONED")
        if "ProvisionedThroughput" in params:
            if billing == "PAY_PER_REQUEST":
                raise V.invalid("One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                                "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
            pt = params["ProvisionedThroughput"]
            new = {"ReadCapacityUnits": pt["ReadCapacityUnits"], "WriteCapacityUnits": pt["WriteCapacityUnits"]}
            current = record["throughput"]
            if current == new and "BillingMode" not in params and len(changes) == 1:
                raise V.invalid(
                    "The provisioned throughput for the table will not change. The requested value equals the current "
                    f"value. Current ReadCapacityUnits provisioned for the table: {current['ReadCapacityUnits']}. "
                    f"Requested ReadCapacityUnits: {new['ReadCapacityUnits']}. Current WriteCapacityUnits provisioned "
                    f"for the table: {current['WriteCapacityUnits']}. Requested WriteCapacityUnits: "
                    f"{new['WriteCapacityUnits']}. Refer to the Amazon DynamoDB Developer Guide for current limits "
                    "and how to request higher limits.")
            record["throughput"] = new
            status = "UPDATING"
        if "GlobalSecondaryIndexUpdates" in params:
            record["gsis"] = self._index_updates(ctx, record, params["GlobalSecondaryIndexUpdates"], billing)
        if "StreamSpecification" in params:
            spec = params["StreamSpecification"]
            current_stream = record.get("stream")
            if spec.get("StreamEnabled"):
                if "StreamViewType" not in spec:
                    raise V.invalid("One or more parameter values were invalid: If stream is being enabled then "
                                    "UpdateViewType is required")
                if current_stream is not None:
                    raise V.invalid(f"Table already has an enabled stream: TableName: {name}")
                record["stream"] = self._new_stream(ctx, record, spec)
            else:
                if "StreamViewType" in spec:
                    raise V.invalid("One or more parameter values were invalid: If stream is being disabled, then "
                                    "UpdateViewType must not be specified")
                if current_stream is None:
                    raise V.invalid(f"Table has no stream to disable: TableName: {name}")
                self._disable_stream(ctx, current_stream["arn"])
                record["last_stream"] = current_stream
                record["stream"] = None
        warm_before = self._describe(info.key).get("WarmThroughput") if "WarmThroughput" in params else None
        if warm_before is not None:
            record["warm"] = raised_warm_throughput(warm_before, params["WarmThroughput"])
        if "DeletionProtectionEnabled" in params:
            record["deletion_protection"] = bool(params["DeletionProtectionEnabled"])
        if "TableClass" in params:
            record["table_class"] = params["TableClass"]
        if "SSESpecification" in params:
            record["sse"] = self._sse(ctx, params["SSESpecification"])
        self.tables.put(info.key, record)
        described = self._describe(info.key, status)
        if warm_before is not None:  # the answer shows the warm throughput before the change (ack-api-quirks)
            described["WarmThroughput"] = {**warm_before, "Status": "UPDATING"}
        before = {g["IndexName"] for g in info.record["gsis"]}
        for gsi in described.get("GlobalSecondaryIndexes", []):
            if gsi["IndexName"] not in before:
                gsi["IndexStatus"] = "CREATING"
                gsi["Backfilling"] = False
        return {"TableDescription": described}

    def _index_updates(self, ctx: RequestContext, record: dict, updates: list[dynamodb.GlobalSecondaryIndexUpdate],
                       billing: str) -> list[dict]:
        gsis = [dict(g) for g in record["gsis"]]
        types = {d["AttributeName"]: d["AttributeType"] for d in record["attribute_definitions"]}
        if sum(1 for u in updates if "Create" in u or "Delete" in u) > 1:
            raise dynamodb.limit_exceeded_exception("Subscriber limit exceeded: Only 1 online index can be created "
                                                    "or deleted simultaneously per table")
        for update in updates:
            if "Create" in update:
                spec = update["Create"]
                index_name = spec["IndexName"]
                if any(g["IndexName"] == index_name for g in gsis + record["lsis"]):
                    raise V.invalid("Attempting to create an index which already exists")
                if len(gsis) >= 20:
                    raise dynamodb.limit_exceeded_exception("GSI count exceeds the per-table limit of 20")
                from .tables import check_key_schema
                check_key_schema(spec["KeySchema"], multi_attribute=True)
                check_projection(spec)
                missing = [e["AttributeName"] for e in spec["KeySchema"] if e["AttributeName"] not in types]
                if missing:
                    raise V.invalid("One or more parameter values were invalid: Some index key attributes are not "
                                    f"defined in AttributeDefinitions. Keys: [{', '.join(missing)}], "
                                    f"AttributeDefinitions: [{', '.join(types)}]")
                if billing == "PROVISIONED" and not spec.get("ProvisionedThroughput"):
                    raise V.invalid("One or more parameter values were invalid: ProvisionedThroughput must be "
                                    f"specified for index: {index_name}")
                if billing == "PAY_PER_REQUEST" and spec.get("ProvisionedThroughput"):
                    raise V.invalid("One or more parameter values were invalid: ProvisionedThroughput should not be "
                                    f"specified for index: {index_name} when BillingMode is PAY_PER_REQUEST")
                gsis.append(index_record(spec, ctx.time()))
            elif "Delete" in update:
                index_name = update["Delete"]["IndexName"]
                if not any(g["IndexName"] == index_name for g in gsis):
                    raise dynamodb.resource_not_found_exception(
                        f"Requested resource not found: Index: {index_name} not found")
                gsis = [g for g in gsis if g["IndexName"] != index_name]
            elif "Update" in update:
                change = update["Update"]
                index_name = change["IndexName"]
                found = [g for g in gsis if g["IndexName"] == index_name]
                if not found:
                    raise dynamodb.resource_not_found_exception(
                        f"Requested resource not found: Index: {index_name} not found")
                if "ProvisionedThroughput" in change:
                    pt = change["ProvisionedThroughput"]
                    found[0]["ProvisionedThroughput"] = {"ReadCapacityUnits": pt["ReadCapacityUnits"],
                                                         "WriteCapacityUnits": pt["WriteCapacityUnits"]}
        return gsis

    # -- tags ---------------------------------------------------------------------------------------
    def _by_arn(self, ctx: RequestContext, arn: str) -> TableInfo:
        parts = arn.split(":", 5)
        if len(parts) == 6 and parts[2] == "dynamodb" and parts[5].startswith("table/"):
            name = parts[5][6:].split("/", 1)[0]
            info = self.engine.table_info((parts[4], parts[3], name))
            if info is not None:
                return info
        raise dynamodb.resource_not_found_exception(f"Requested resource not found: ResourcArn: {arn} not found")

    def tag_resource(self, ctx: Ctx[dynamodb.TagResourceRequest]) -> dynamodb.TagResourceResult:
        info = self._by_arn(ctx, ctx.params["ResourceArn"])
        tags = dict(info.record["tags"])
        tags.update({t["Key"]: t["Value"] for t in ctx.params["Tags"]})
        if len(tags) > 50:
            raise V.invalid("Number of Tags exceed the current limit for the provided ResourceArn")
        self.tables.put(info.key, {**info.record, "tags": tags})
        return {}

    def untag_resource(self, ctx: Ctx[dynamodb.UntagResourceRequest]) -> dynamodb.UntagResourceResult:
        info = self._by_arn(ctx, ctx.params["ResourceArn"])
        tags = {k: v for k, v in info.record["tags"].items() if k not in ctx.params["TagKeys"]}
        self.tables.put(info.key, {**info.record, "tags": tags})
        return {}

    def list_tags_of_resource(self, ctx: Ctx[dynamodb.ListTagsOfResourceRequest]) -> dynamodb.ListTagsOfResourceResult:
        info = self._by_arn(ctx, ctx.params["ResourceArn"])
        tags: list[dynamodb.Tag] = [{"Key": k, "Value": v} for k, v in info.record["tags"].items()]
        token = ctx.params.get("NextToken") or "0"
        if not token.isdigit():  # a token this backend never issued
            raise V.invalid("Invalid NextToken")
        start = int(token)
        page = tags[start:start + 100]
        out: dynamodb.ListTagsOfResourceResult = {"Tags": page}
        if start + 100 < len(tags):
            out["NextToken"] = str(start + 100)
        return out

    # -- TTL, backups, limits -----------------------------------------------------------------------
    def update_time_to_live(self, ctx: Ctx[dynamodb.UpdateTimeToLiveRequest]) -> dynamodb.UpdateTimeToLiveResult:
        params = ctx.params
        info = self.engine.table(ctx, params["TableName"])
        spec = params["TimeToLiveSpecification"]
        enabled, attribute = spec["Enabled"], spec["AttributeName"]
        current = info.record.get("ttl")
        if enabled and current:
            raise V.invalid("TimeToLive is already enabled")
        if not enabled and not current:
            raise V.invalid("TimeToLive is already disabled")
        if not enabled and current != attribute:
            raise V.invalid(f"TimeToLive is active on a different AttributeName: current AttributeName is {current}")
        self.tables.put(info.key, {**info.record, "ttl": attribute if enabled else None,
                                   "ttl_last": attribute})
        return {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attribute}}

    def describe_time_to_live(self, ctx: Ctx[dynamodb.DescribeTimeToLiveRequest]) -> dynamodb.DescribeTimeToLiveResult:
        info = self.engine.table(ctx, ctx.params["TableName"])
        attribute = info.record.get("ttl")
        if attribute:
            return {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": attribute}}
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}

    def _continuous_backups(self, ctx: RequestContext, record: dict) -> dynamodb.ContinuousBackupsDescription:
        pitr: dynamodb.PointInTimeRecoveryDescription = {"PointInTimeRecoveryStatus": "ENABLED" if record["pitr"] else "DISABLED"}
        if record["pitr"]:
            now = ctx.time()
            pitr["RecoveryPeriodInDays"] = record.get("pitr_days", 35)
            pitr["EarliestRestorableDateTime"] = from_epoch(max(record["pitr_since"], now - pitr["RecoveryPeriodInDays"] * 86400))
            pitr["LatestRestorableDateTime"] = from_epoch(now - 300 if now - 300 > record["pitr_since"] else now)
        return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": pitr}

    def _backup_table(self, ctx: RequestContext, name: str) -> TableInfo:
        try:
            return self.engine.table(ctx, name)
        except AwsError:
            raise dynamodb.table_not_found_exception(f"Table not found: {name}") from None

    def update_continuous_backups(self, ctx: Ctx[dynamodb.UpdateContinuousBackupsRequest]) -> dynamodb.UpdateContinuousBackupsResult:
        params = ctx.params
        info = self._backup_table(ctx, params["TableName"])
        spec = params["PointInTimeRecoverySpecification"]
        enabled = spec["PointInTimeRecoveryEnabled"]
        if not enabled and "RecoveryPeriodInDays" in spec:
            raise V.invalid("Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time "
                            "recovery.")
        record = {**info.record, "pitr": enabled}
        if not enabled:
            self.engine.forget_history(info.key)
        if enabled:
            if not info.record["pitr"]:
                record["pitr_since"] = ctx.time()
            record["pitr_days"] = spec.get("RecoveryPeriodInDays", info.record.get("pitr_days", 35))
        self.tables.put(info.key, record)
        return {"ContinuousBackupsDescription": self._continuous_backups(ctx, record)}

    def describe_continuous_backups(self, ctx: Ctx[dynamodb.DescribeContinuousBackupsRequest]) -> dynamodb.DescribeContinuousBackupsResult:
        info = self._backup_table(ctx, ctx.params["TableName"])
        return {"ContinuousBackupsDescription": self._continuous_backups(ctx, info.record)}

    def describe_limits(self, ctx: Ctx[dynamodb.DescribeLimitsRequest]) -> dynamodb.DescribeLimitsResult:
        return {"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
                "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}

    def describe_endpoints(self, ctx: Ctx[dynamodb.DescribeEndpointsRequest]) -> dynamodb.DescribeEndpointsResult:
        return {"Endpoints": [{"Address": f"dynamodb.{ctx.region}.{dns_suffix(ctx.region)}", "CachePeriodInMinutes": 1440}]}

    # -- inspection ---------------------------------------------------------------------------------
    def resource_facts(self, arn: str) -> dict[str, Any] | None:
        """ResourcePolicyPort: a table's (or index's) tags and partition key, for aws:ResourceTag and
        dynamodb:LeadingKeys, and its resource policy."""
        parts = arn.split(":", 5)
        path = parts[5].split("/") if len(parts) == 6 else []
        record = self.tables.get((parts[4], parts[3], path[1])) if len(path) >= 2 and path[0] == "table" else None
        if record is None:
            return None
        schema = record["key_schema"]
        if len(path) >= 4 and path[2] == "index":
            indexes = [index for index in (*record["gsis"], *record["lsis"]) if index["IndexName"] == path[3]]
            schema = indexes[0]["KeySchema"] if indexes else schema
        partition = next((entry["AttributeName"] for entry in schema if entry["KeyType"] == "HASH"), None)
        policy = record.get("policy")
        return {"Arn": arn, "Policy": policy["text"] if policy else None, "Tags": dict(record.get("tags") or {}), "PartitionKey": partition}

    def summary(self) -> dict[str, Any]:
        tables = []
        for tkey, record in sorted(self.tables.items()):
            count, size = self.engine.table_counts(tkey)
            tables.append({
                "name": tkey[2], "account": tkey[0], "region": tkey[1], "items": count, "bytes": size,
                "status": record.get("status", "ACTIVE"),
                "indexes": [i["IndexName"] for i in record["gsis"] + record["lsis"]],
            })
        backups = [{"name": b["name"], "account": b["account"], "region": b["region"], "table": b["table"]["name"],
                    "type": b["type"], "items": b["count"], "bytes": b["size"]}
                   for _, b in sorted(self.backups.items(), key=lambda item: item[1]["created"])]
        policies = [{"table": tkey[2], "account": tkey[0], "region": tkey[1], "revision": record["policy"]["revision"],
                     "policy": record["policy"]["text"]}
                    for tkey, record in sorted(self.tables.items()) if record.get("policy")]
        return {"tables": tables, "backups": backups, "exports": self._transfer_summary("export"),
                "imports": self._transfer_summary("import"), "resource_policies": policies}

    def _transfer_summary(self, kind: str) -> list[dict[str, Any]]:
        """Exports to S3 or imports from S3, oldest first: what the inspection view shows of them."""
        shown = []
        for record in sorted((r for r in self.transfers.values() if r["kind"] == kind),
                             key=lambda r: r["description"]["StartTime"]):
            description = record["description"]
            entry = {"arn": description[f"{kind.capitalize()}Arn"], "table": record["table"].rsplit("/", 1)[1],
                     "account": record["account"], "region": record["region"],
                     "status": description[f"{kind.capitalize()}Status"]}
            if kind == "export":
                entry.update(bucket=description["S3Bucket"], items=description.get("ItemCount", 0))
            else:
                entry.update(bucket=description["S3BucketSource"]["S3Bucket"],
                             items=description["ImportedItemCount"], errors=description["ErrorCount"])
            shown.append(entry)
        return shown


def _add_capacity(total: dynamodb.ConsumedCapacity | None,
                  one: dynamodb.ConsumedCapacity) -> dynamodb.ConsumedCapacity:
    if total is None:
        return one
    merged: dict[str, Any] = dict(total)
    merged["CapacityUnits"] = merged.get("CapacityUnits", 0.0) + one["CapacityUnits"]
    if "Table" in one:
        merged["Table"] = {k: merged.get("Table", {}).get(k, 0.0) + v for k, v in one["Table"].items()}
    return cast("dynamodb.ConsumedCapacity", merged)


def _scale_capacity(capacity: Mapping[str, Any], factor: float) -> dict[str, Any]:
    scaled: dict[str, Any] = {}
    for k, v in capacity.items():
        if isinstance(v, float):
            scaled[k] = v * factor
        elif isinstance(v, dict):
            scaled[k] = _scale_capacity(v, factor)
        else:
            scaled[k] = v
    return scaled
