"""DynamoDB Streams: ListStreams, DescribeStream, GetShardIterator and GetRecords over the change
records the DynamoDB backend writes (``dynamodb.streams`` and ``dynamodb.stream_records``).

Each stream has one shard. Sequence numbers are 21-digit decimal strings that grow with every
change in the emulator; records are kept for 24 hours of emulator time. Shard iterators expire after
15 minutes, as AWS's do. TTL deletions that are due are carried out before every read, so their
REMOVE records (with ``userIdentity`` naming the DynamoDB service principal) show up without a
call to the table.

Internal API (plain Python, no request context), for the Lambda backend's event source mappings:

* ``shard_ids(stream_arn) -> list[str]``: the stream's shards, oldest first; KeyError for a stream
  that does not exist.
* ``read_records(stream_arn, shard_id, after_sequence_number, limit) -> list[dict]``: up to ``limit``
  records after ``after_sequence_number`` (None: from the oldest retained record), exactly as
  GetRecords' ``Records`` shows them: ``eventID``, ``eventName`` (INSERT/MODIFY/REMOVE),
  ``eventVersion`` "1.1", ``eventSource`` "aws:dynamodb", ``awsRegion``, ``dynamodb``
  {``ApproximateCreationDateTime`` (an aware datetime), ``Keys``, ``NewImage``, ``OldImage``,
  ``SequenceNumber``, ``SizeBytes``, ``StreamViewType``} and, for TTL removals, ``userIdentity``
  {``PrincipalId``: "dynamodb.amazonaws.com", ``Type``: "Service"}. Attribute values are in wire
  form (B as bytes). A Lambda event wants ``ApproximateCreationDateTime`` as epoch seconds: use
  ``.timestamp()``.
* ``latest_stream_arn(table, account, region) -> str | None``: the table's enabled stream (``table``
  is a table name or ARN).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ...core.clock import from_epoch
from ...api import dynamodbstreams
from ...core.dispatch import Ctx, RequestContext, ServiceBackend
from ...core.errors import AwsError
from . import values as V
from .backend import DynamoDBBackend
from .engine import STREAM_RETENTION, TableEngine
from . import schema

_ITERATOR_SECONDS = 15 * 60
_BASE = 100000000000000000000


def _sequence(text: str) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise AwsError("ValidationException", f"Invalid SequenceNumber: {text}") from None
    return value - _BASE


class DynamoDBStreamsBackend(ServiceBackend):
    service_name = "dynamodbstreams"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.streams = schema.STREAMS.open(self.store)
        self.records = schema.STREAM_RECORDS.open_ordered(self.store)

    @property
    def _tables(self) -> TableEngine:
        """The engine of the DynamoDB backend (same service folder), which writes the stream records."""
        backend = self.emulator.backend("dynamodb")
        assert isinstance(backend, DynamoDBBackend)
        return backend.engine

    # -- internal API -----------------------------------------------------------------------------
    def shard_ids(self, stream_arn: str) -> list[str]:
        stream = self.streams.get(stream_arn)
        if stream is None:
            raise KeyError(stream_arn)
        return [stream["shard"]]

    def read_records(self, stream_arn: str, shard_id: str, after_sequence_number: str | None,
                     limit: int) -> list[dict]:
        stream = self.streams.get(stream_arn)
        if stream is None or stream["shard"] != shard_id:
            return []
        self._tables.expire_due()
        start = 0 if after_sequence_number is None else _sequence(after_sequence_number) + 1
        return [self._shown(r) for _seq, r in self._read(stream_arn, start, limit)]

    def latest_stream_arn(self, table: str, account: str, region: str) -> str | None:
        if table.startswith("arn:"):
            parts = table.split(":", 5)
            account, region, table = parts[4], parts[3], parts[5].split("/")[1]
        record = schema.TABLES.open(self.store).get((account, region, table))
        stream = record.get("stream") if record else None
        return stream["arn"] if stream else None

    # -- reading ----------------------------------------------------------------------------------
    def _read(self, arn: str, start: int, limit: int) -> list[tuple[int, dict]]:
        self._tables.trim_stream(arn)
        records = self.records
        out = []
        for key in records.irange((arn, start), (arn + "\x00",), (True, False)):
            out.append((key[1], records[key]))
            if len(out) >= limit:
                break
        return out

    @staticmethod
    def _shown(record: dict) -> dict:
        body = record["dynamodb"]
        shown_body: dict[str, Any] = {"ApproximateCreationDateTime": from_epoch(body["ApproximateCreationDateTime"])}
        for field in ("Keys", "NewImage", "OldImage"):
            if field in body:
                shown_body[field] = V.copy_item(body[field])
        for field in ("SequenceNumber", "SizeBytes", "StreamViewType"):
            shown_body[field] = body[field]
        shown = {k: v for k, v in record.items() if k not in ("dynamodb", "userIdentity")}
        shown["dynamodb"] = shown_body
        if "userIdentity" in record:
            shown["userIdentity"] = dict(record["userIdentity"])
        return shown

    def _stream(self, ctx: RequestContext, arn: str) -> dict:
        stream = self.streams.get(arn)
        if stream is None or stream["account"] != ctx.account:
            raise dynamodbstreams.resource_not_found_exception(f"Requested resource not found: Stream: {arn} not found")
        return stream

    def _bounds(self, stream: dict) -> tuple[int, int | None]:
        """(first retained sequence, last sequence if the shard is closed)."""
        first = self._tables.trim_stream(stream["arn"])
        if first is None:  # nothing retained: the shard starts after everything written so far
            first = max(stream.get("first", 1), schema.META.open(self.store).get("sequence", 0) + 1)
        return first, stream.get("last_sequence") if stream["disabled"] is not None else None

    # -- operations -------------------------------------------------------------------------------
    def list_streams(self, ctx: Ctx[dynamodbstreams.ListStreamsRequest]) -> dynamodbstreams.ListStreamsResult:
        params = ctx.params
        table = params.get("TableName")
        found = sorted((s for s in self.streams.values()
                        if s["account"] == ctx.account and s["region"] == ctx.region
                        and (table is None or s["table"] == table)
                        and (s["disabled"] is None or ctx.time() - s["disabled"] < STREAM_RETENTION)),
                       key=lambda s: (s["created"], s["arn"]))
        start = params.get("ExclusiveStartStreamArn")
        if start is not None:
            arns = [s["arn"] for s in found]
            found = found[arns.index(start) + 1:] if start in arns else found
        limit = params.get("Limit", 100)
        out: dynamodbstreams.ListStreamsResult = {"Streams": [{"StreamArn": s["arn"], "TableName": s["table"],
                                            "StreamLabel": s["label"]} for s in found[:limit]]}
        if len(found) > limit:
            out["LastEvaluatedStreamArn"] = found[limit - 1]["arn"]
        return out

    def describe_stream(self, ctx: Ctx[dynamodbstreams.DescribeStreamRequest]) -> dynamodbstreams.DescribeStreamResult:
        stream = self._stream(ctx, ctx.params["StreamArn"])
        first, last = self._bounds(stream)
        shard: dynamodbstreams.Shard = {"ShardId": stream["shard"],
                                 "SequenceNumberRange": {"StartingSequenceNumber": str(_BASE + first)}}
        if last is not None:
            shard["SequenceNumberRange"]["EndingSequenceNumber"] = str(_BASE + last)
        shards = [shard]
        start_shard = ctx.params.get("ExclusiveStartShardId")
        if start_shard == stream["shard"]:
            shards = []
        key_schema: list[Any] = [dict(e) for e in stream["key_schema"]]  # copies of the record's plain dicts
        return {"StreamDescription": {
            "StreamArn": stream["arn"],
            "StreamLabel": stream["label"],
            "StreamStatus": "ENABLED" if stream["disabled"] is None else "DISABLED",
            "StreamViewType": stream["view_type"],
            "CreationRequestDateTime": from_epoch(stream["created"]),
            "TableName": stream["table"],
            "KeySchema": key_schema,
            "Shards": shards,
        }}

    def _iterator(self, ctx: RequestContext, arn: str, shard: str, position: int) -> str:
        token = json.dumps([shard, position, round(ctx.time(), 3)], separators=(",", ":"))
        return f"{arn}|1|{base64.b64encode(token.encode()).decode()}"

    def get_shard_iterator(self, ctx: Ctx[dynamodbstreams.GetShardIteratorRequest]) -> dynamodbstreams.GetShardIteratorResult:
        params = ctx.params
        stream = self._stream(ctx, params["StreamArn"])
        if params["ShardId"] != stream["shard"]:
            raise dynamodbstreams.resource_not_found_exception("Requested resource not found: Shard does not exist")
        kind = params["ShardIteratorType"]
        first, last = self._bounds(stream)
        if kind == "TRIM_HORIZON":
            position = first
        elif kind == "LATEST":
            position = (last + 1) if last is not None else schema.META.open(self.store).get("sequence", 0) + 1
        else:
            number = params.get("SequenceNumber")
            if number is None:
                raise AwsError("ValidationException",
                               f"Must specify a sequence number for iterator type {kind}")
            sequence = _sequence(number)
            if sequence < first - 1:
                raise dynamodbstreams.trimmed_data_access_exception("The operation attempted to read past the oldest stream record in a shard.")
            position = sequence if kind == "AT_SEQUENCE_NUMBER" else sequence + 1
        return {"ShardIterator": self._iterator(ctx, stream["arn"], stream["shard"], position)}

    def get_records(self, ctx: Ctx[dynamodbstreams.GetRecordsRequest]) -> dynamodbstreams.GetRecordsResult:
        params = ctx.params
        text = params["ShardIterator"]
        try:
            arn, _version, token = text.rsplit("|", 2)
            shard, position, created = json.loads(base64.b64decode(token))
        except Exception:
            raise AwsError("ValidationException", "Invalid ShardIterator") from None
        stream = self._stream(ctx, arn)
        if ctx.time() - created > _ITERATOR_SECONDS:
            raise dynamodbstreams.expired_iterator_exception(f"Iterator expired. The iterator was created at time "
                           f"{from_epoch(created).strftime('%a %b %d %H:%M:%S UTC %Y')} while right now it is "
                           f"{from_epoch(ctx.time()).strftime('%a %b %d %H:%M:%S UTC %Y')} which is further in the "
                           f"future than the tolerated delay of 900000 milliseconds.")
        self._tables.expire_due()
        stream = self.streams[arn]
        limit = params.get("Limit", 1000)
        if limit > 1000:
            raise AwsError("ValidationException",
                           f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: "
                           "Member must have value less than or equal to 1000")
        found = self._read(arn, position, limit)
        records: list[Any] = [self._shown(r) for _seq, r in found]  # plain dicts, as read_records gives them
        out: dynamodbstreams.GetRecordsResult = {"Records": records}
        next_position = found[-1][0] + 1 if found else position
        _first, last = self._bounds(stream)
        if last is None or next_position <= last:
            out["NextShardIterator"] = self._iterator(ctx, arn, shard, next_position)
        return out
