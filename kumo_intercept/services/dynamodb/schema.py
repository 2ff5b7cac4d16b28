"""DynamoDB's and DynamoDB Streams' tables (see store/schema.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from ...store.schema import ServiceSchema, TableSpec

if TYPE_CHECKING:
    from ...core.dispatch import ServiceBackend

TablesRecord = TypedDict("TablesRecord", {
    "arn": str,
    "attribute_definitions": list,
    "billing_changed": float,
    "billing_mode": str,
    "created": float,
    "deletion_protection": bool,
    "gsis": list,
    "id": str,
    "key_schema": list,
    "last_stream": dict,
    "lsis": list,
    "name": str,
    "pitr": bool,
    "pitr_days": int,
    "pitr_since": float,
    "restore": dict,          # RestoreSummary of a restored table (epoch RestoreDateTime)
    "sse": Any,
    "stream": dict | None,
    "table_class": Any,
    "tags": dict,
    "throughput": dict | None,
    "ttl": str | None,
    "ttl_last": str,
    "warm": dict,
}, total=False)

# dynamodb.items: an item: attribute name -> AttributeValue (``{"S": ...}``)

StreamsRecord = TypedDict("StreamsRecord", {
    "account": str,
    "arn": str,
    "created": float,
    "disabled": float | None,
    "first": int,
    "key_schema": list,
    "label": str,
    "last_sequence": int,
    "region": str,
    "shard": str,
    "table": str,
    "table_arn": str,
    "view_type": str,
}, total=False)

StreamRecordsRecord = TypedDict("StreamRecordsRecord", {
    "awsRegion": str,
    "dynamodb": dict,
    "eventID": str,
    "eventName": str,
    "eventSource": str,
    "eventVersion": str,
    "userIdentity": dict,
}, total=False)

TokensRecord = TypedDict("TokensRecord", {
    "digest": str,
    "result": dict,
    "time": float,
}, total=False)


#: (account, region, table) -> the table's description and settings
TABLES = TableSpec("dynamodb.tables", TablesRecord)
#: (account, region, table, hash key bytes, range key bytes) -> the item
ITEMS = TableSpec("dynamodb.items", dict[str, dict], ordered=True)
#: stream arn -> the stream
STREAMS = TableSpec("dynamodb.streams", StreamsRecord)
#: (stream arn, sequence number) -> a stream record
STREAM_RECORDS = TableSpec("dynamodb.stream_records", StreamRecordsRecord, ordered=True)
#: (account, region, client token) -> an idempotent TransactWriteItems
TOKENS = TableSpec("dynamodb.tokens", TokensRecord)
BackupsRecord = TypedDict("BackupsRecord", {
    "arn": str,
    "name": str,
    "account": str,
    "region": str,
    "type": str,            # USER
    "created": float,
    "size": int,
    "count": int,
    "table": dict,          # the source table's record when the backup was made
    "expires": float,       # SYSTEM backups only: when it is gone
}, total=False)

HistoryRecord = TypedDict("HistoryRecord", {
    "key": list,            # [hash key bytes, range key bytes] of the item written
    "old": "dict | None",   # the item before the write (None: there was none)
}, total=False)

#: backup ARN -> an on-demand backup
BACKUPS = TableSpec("dynamodb.backups", BackupsRecord)
#: (backup ARN, hash key bytes, range key bytes) -> an item the backup holds
BACKUP_ITEMS = TableSpec("dynamodb.backup_items", dict[str, dict], ordered=True)
#: (account, region, table, time, sequence) -> a write to a table with point-in-time recovery enabled
HISTORY = TableSpec("dynamodb.history", HistoryRecord, ordered=True)
TransfersRecord = TypedDict("TransfersRecord", {
    "kind": str,            # export | import
    "account": str,
    "region": str,
    "table": str,           # the table's ARN
    "description": dict,    # ExportDescription / ImportTableDescription (times as epoch seconds)
}, total=False)

#: export or import ARN -> an export to S3 or an import from S3
TRANSFERS = TableSpec("dynamodb.transfers", TransfersRecord)
#: name -> a counter ("sequence": the last stream sequence number; "history": the last history entry)
META = TableSpec("dynamodb.meta", int)


def items_view(backend: "ServiceBackend", table: str, *, account: str | None = None,
               region: str | None = None) -> list[dict[str, Any]]:
    """``aws.state.dynamodb.items(table)``: every item as Python values (numbers are ``Decimal``, as
    boto3's resource gives them)."""
    emulator = backend.emulator
    where = (account or emulator.account_id, region or emulator.region)
    if (*where, table) not in TABLES.open(backend.store):
        raise KeyError(f"dynamodb has no table named {table!r} in {where[0]}/{where[1]}")
    items = ITEMS.open_ordered(backend.store).items_range(
        (*where, table), (*where, table + "\x00"), (True, False))
    # boto3 is imported only when items are read
    from boto3.dynamodb.types import TypeDeserializer  # type: ignore[import-untyped]

    deserializer = TypeDeserializer()
    return [{name: deserializer.deserialize(value) for name, value in item.items()}
            for key, item in items if key[2] == table]


SCHEMA = ServiceSchema(tables=(TABLES, ITEMS, STREAMS, STREAM_RECORDS, TOKENS, META, BACKUPS, BACKUP_ITEMS, HISTORY,
                               TRANSFERS),
                       views={"items": items_view})

