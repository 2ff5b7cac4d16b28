"""Kinesis Data Streams: provisioned and on-demand streams, shards, records, resharding, consumers.

State (records in the store):

- ``kinesis.streams`` ``arn`` -> the stream: name, account, region, mode, retention (hours), creation
  time, encryption, tags, enhanced-monitoring metrics, resource policy, its shards (a list, creation
  order: id, hash-key range as decimal strings, parent ids, starting/ending counter, opened/closed
  times), the next shard number, and its enhanced fan-out consumers by name.
- ``kinesis.records`` (ordered) ``(arn, shard id, counter)`` -> ``[data, partition key, arrival time,
  encrypted]``. The counter is ``kinesis.meta["seq"]``, one per emulator, so it orders records within a
  shard (and across shards); the sequence number shown is ``shards.SEQUENCE_BASE + counter``.

Time is the emulator clock: a stream is ACTIVE as soon as CreateStream returns (AWS needs a few
seconds in CREATING; nothing here can run while a stream would be creating, so the emulator moves it
at once, as it does with resharding and UPDATING), iterators expire 5 minutes after they were issued,
and records older than the retention period are removed lazily when their shard is read.

Internal API (the ``StreamPort`` of core/ports.py, for Lambda event source mappings and Firehose):

* ``shard_ids(stream_arn) -> list[str]``: every shard of the stream, parents before children (closed
  shards too: their records are still readable until retention drops them); KeyError for no stream.
* ``read_records(stream_arn, shard_id, after_sequence_number, limit) -> list[dict]``: up to ``limit``
  records after a sequence number (None: from the trim horizon), as GetRecords shows them
  (``SequenceNumber``, ``ApproximateArrivalTimestamp`` an aware datetime, ``Data`` bytes,
  ``PartitionKey``, ``EncryptionType`` when encrypted).
"""

from __future__ import annotations

import base64
import datetime
from typing import Any, Iterator

from ...api import kinesis
from ...core.clock import from_epoch
from ...core.dispatch import Ctx, RequestContext, ServiceBackend
from ...core.errors import AwsError, NotEmulatedError
from . import schema
from . import shards as S
from . import subscription

DEFAULT_RETENTION_HOURS = 24
MAX_RETENTION_HOURS = 8760
ITERATOR_SECONDS = 300
ON_DEMAND_SHARDS = 4
SHARD_LIMIT = 500
ON_DEMAND_STREAM_LIMIT = 50
CONSUMER_LIMIT = 20
MAX_RECORD_BYTES = 1_048_576  # a stream's default; UpdateMaxRecordSize raises it up to 10 MiB
DEFAULT_MAX_RECORD_KIB = 1024
MAX_WARM_MIBPS = 10 * 1024  # "Scale to more than 10 GiBps for an on-demand stream" (UpdateStreamWarmThroughput)
COMMITMENT_SECONDS = 86_400  # a throughput commitment lasts at least 24 hours (MinimumThroughputBillingCommitmentInput)
MAX_PUT_RECORDS_BYTES = 5 * 1_048_576
MAX_PUT_RECORDS = 500
MAX_GET_RECORDS = 10_000
MAX_GET_RECORDS_BYTES = 10 * 1_048_576
MAX_TAGS = 50
_ALL_METRICS = ["IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
                "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded",
                "IteratorAgeMilliseconds"]
#: the control-plane calls get the model's max-length/pattern/enum checks; data-plane calls check
#: their few limits by hand (walking every record of a PutRecords would cost more than the call)
_MODEL_CHECKED = frozenset({
    "CreateStream", "DeleteStream", "DescribeStream", "DescribeStreamSummary", "ListStreams",
    "ListShards", "SplitShard", "MergeShards", "UpdateShardCount", "UpdateStreamMode",
    "IncreaseStreamRetentionPeriod", "DecreaseStreamRetentionPeriod", "AddTagsToStream",
    "RemoveTagsFromStream", "ListTagsForStream", "TagResource", "UntagResource", "ListTagsForResource",
    "RegisterStreamConsumer", "DeregisterStreamConsumer", "DescribeStreamConsumer",
    "ListStreamConsumers", "StartStreamEncryption", "StopStreamEncryption", "EnableEnhancedMonitoring",
    "DisableEnhancedMonitoring", "GetShardIterator", "PutResourcePolicy", "GetResourcePolicy",
    "DeleteResourcePolicy", "UpdateAccountSettings", "UpdateMaxRecordSize", "UpdateStreamWarmThroughput",
})

#: KMS's error code -> the Kinesis error AWS answers with when the stream's key is refused
_KMS_ERRORS = {"NotFoundException": kinesis.kms_not_found_exception,
               "DisabledException": kinesis.kms_disabled_exception,
               "KMSInvalidStateException": kinesis.kms_invalid_state_exception}


def _java_date(epoch: float) -> str:
    """A time as AWS's Java services print it in messages: ``Wed Jan 01 00:00:00 UTC 2025``."""
    return from_epoch(epoch).strftime("%a %b %d %H:%M:%S UTC %Y")


class KinesisBackend(ServiceBackend):
    service_name = "kinesis"
    input_error_code = "ValidationException"
    input_checked_operations = _MODEL_CHECKED

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.streams = schema.STREAMS.open(self.store)
        self.records = schema.RECORDS.open_ordered(self.store)
        self.meta = schema.META.open(self.store)
        self.subscriptions = schema.SUBSCRIPTIONS.open(self.store)
        self.commitments = schema.COMMITMENTS.open(self.store)
        #: arn -> (the stream record it was built from, open shards' starting hash keys, their ids)
        self._routes: dict[str, tuple[dict, list[int], list[str]]] = {}

    # =============================================================================================
    # streams
    # =============================================================================================
    def _arn(self, ctx: RequestContext[Any], name: str) -> str:
        return ctx.arn(f"stream/{name}")

    def _stream_arn(self, ctx: RequestContext[Any]) -> str:
        params = ctx.params
        arn = params.get("StreamARN")
        if arn:
            return arn
        name = params.get("StreamName")
        if not name:
            raise kinesis.invalid_argument_exception("Either StreamName or StreamARN should be provided.")
        return self._arn(ctx, name)

    def _stream(self, ctx: RequestContext[Any], arn: str | None = None) -> dict:
        arn = arn or self._stream_arn(ctx)
        stream = self.streams.get(arn)
        if stream is None:
            name = arn.rsplit("/", 1)[-1]
            account = arn.split(":")[4] if arn.count(":") >= 5 else ctx.account
            raise kinesis.resource_not_found_exception(f"Stream {name} under account {account} not found.")
        return stream

    def _open_shards(self, stream: dict) -> list[dict]:
        return [s for s in stream["Shards"] if s["EndSeq"] is None]

    def _account_open_shards(self, account: str, region: str) -> int:
        return sum(len(self._open_shards(s)) for s in self.streams.values()
                   if s["Account"] == account and s["Region"] == region)

    def _check_shard_limit(self, ctx: RequestContext[Any], added: int) -> None:
        current = self._account_open_shards(ctx.account, ctx.region)
        if current + added > SHARD_LIMIT:
            raise kinesis.limit_exceeded_exception(
                f"This request would exceed the shard limit for the account {ctx.account} in {ctx.region}. "
                f"Current shard count for the account: {current}. Limit: {SHARD_LIMIT}. Number of "
                f"additional shards that would have resulted from this request: {added}. Refer to the AWS "
                "Service Limits page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) "
                "for current limits and how to request higher limits.")

    def _new_shards(self, stream: dict, ranges: list[tuple[int, int]], now: float,
                    parents: list[tuple[str | None, str | None]] | None = None) -> dict:
        """The stream with new open shards for ``ranges`` (and their parents), numbered on from it."""
        number = stream["NextShard"]
        start = self._next_counter()
        added = []
        for i, (low, high) in enumerate(ranges):
            parent, adjacent = parents[i] if parents else (None, None)
            added.append({"Id": S.shard_id(number + i), "Start": str(low), "End": str(high),
                          "Parent": parent, "Adjacent": adjacent, "StartSeq": start, "EndSeq": None,
                          "Opened": now, "Closed": None})
        return {**stream, "Shards": [*stream["Shards"], *added], "NextShard": number + len(ranges)}

    def _closed(self, stream: dict, ids: set[str], now: float) -> dict:
        end = self._next_counter()
        return {**stream, "Shards": [{**s, "EndSeq": end, "Closed": now} if s["Id"] in ids else s
                                     for s in stream["Shards"]]}

    def _next_counter(self) -> int:
        counter = self.meta.get("seq", 0) + 1
        self.meta.put("seq", counter)
        return counter

    def create_stream(self, ctx: Ctx[kinesis.CreateStreamRequest]) -> kinesis.CreateStreamResult:
        params = ctx.params
        name = params["StreamName"]
        arn = self._arn(ctx, name)
        if arn in self.streams:
            raise kinesis.resource_in_use_exception(f"Stream {name} under account {ctx.account} already exists.")
        details = params.get("StreamModeDetails")
        mode = details["StreamMode"] if details else "PROVISIONED"
        if mode == "ON_DEMAND":
            count = params.get("ShardCount", ON_DEMAND_SHARDS)
            on_demand = sum(1 for s in self.streams.values() if s["Account"] == ctx.account
                            and s["Region"] == ctx.region and s["Mode"] == "ON_DEMAND")
            if on_demand >= ON_DEMAND_STREAM_LIMIT:
                raise kinesis.limit_exceeded_exception(
                    f"This request would exceed the on-demand stream limit for the account {ctx.account} in "
                    f"{ctx.region}. Limit: {ON_DEMAND_STREAM_LIMIT}.")
        elif "ShardCount" in params:
            count = params["ShardCount"]
            if count < 1:
                raise kinesis.validation_exception(
                    f"1 validation error detected: Value '{count}' at 'shardCount' failed to satisfy "
                    "constraint: Member must have value greater than or equal to 1")
        elif "StreamModeDetails" in params:
            raise kinesis.validation_exception(
                "1 validation error detected: Value null at 'shardCount' failed to satisfy constraint: "
                "Member must not be null")
        else:
            count = ON_DEMAND_SHARDS  # AWS gives a stream created with neither 4 shards (LocalStack's
            # test_create_stream_without_shard_count, recorded against AWS)
        self._check_shard_limit(ctx, count)
        now = ctx.time()
        stream: dict[str, Any] = {"Name": name, "Arn": arn, "Account": ctx.account, "Region": ctx.region, "Created": now,
                  "Mode": mode, "Retention": DEFAULT_RETENTION_HOURS, "Encryption": "NONE", "KeyId": None,
                  "Tags": dict(params.get("Tags") or {}), "Metrics": [], "Policy": None, "Shards": [],
                  "NextShard": 0, "Consumers": {}}
        if "MaxRecordSizeInKiB" in params:
            stream["MaxRecordKiB"] = params["MaxRecordSizeInKiB"]
        if "WarmThroughputMiBps" in params:
            stream["WarmMiBps"] = self._warm_target(ctx, stream, params["WarmThroughputMiBps"])
        self.streams.put(arn, self._new_shards(stream, S.even_ranges(count), now))
        return {}

    def _shown_shard(self, shard: dict) -> kinesis.Shard:
        sequence: kinesis.SequenceNumberRange = {"StartingSequenceNumber": S.sequence_text(shard["StartSeq"])}
        if shard["EndSeq"] is not None:
            sequence["EndingSequenceNumber"] = S.sequence_text(shard["EndSeq"])
        out: kinesis.Shard = {"ShardId": shard["Id"],
                              "HashKeyRange": {"StartingHashKey": shard["Start"], "EndingHashKey": shard["End"]},
                              "SequenceNumberRange": sequence}
        if shard["Parent"]:
            out["ParentShardId"] = shard["Parent"]
        if shard["Adjacent"]:
            out["AdjacentParentShardId"] = shard["Adjacent"]
        return out

    def _common(self, stream: dict) -> dict[str, Any]:
        out: dict[str, Any] = {
            "StreamName": stream["Name"], "StreamARN": stream["Arn"], "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": stream["Mode"]},
            "RetentionPeriodHours": stream["Retention"],
            "StreamCreationTimestamp": from_epoch(stream["Created"]),
            "EnhancedMonitoring": [{"ShardLevelMetrics": list(stream["Metrics"])}],
            "EncryptionType": stream["Encryption"],
        }
        if stream["KeyId"]:
            out["KeyId"] = stream["KeyId"]
        return out

    @staticmethod
    def _sizing(stream: dict) -> dict[str, Any]:
        """DescribeStreamSummary's members for the options set at create or since (none by default)."""
        out: dict[str, Any] = {}
        if "MaxRecordKiB" in stream:
            out["MaxRecordSizeInKiB"] = stream["MaxRecordKiB"]
        if "WarmMiBps" in stream:
            out["WarmThroughput"] = {"TargetMiBps": stream["WarmMiBps"], "CurrentMiBps": stream["WarmMiBps"]}
        return out

    def describe_stream(self, ctx: Ctx[kinesis.DescribeStreamRequest]) -> kinesis.DescribeStreamResult:
        stream = self._stream(ctx)
        shards = stream["Shards"]
        start = ctx.params.get("ExclusiveStartShardId")
        if start:
            ids = [s["Id"] for s in shards]
            shards = shards[ids.index(start) + 1:] if start in ids else [s for s in shards if s["Id"] > start]
        limit = ctx.params.get("Limit", 100)
        description: Any = {**self._common(stream), "Shards": [self._shown_shard(s) for s in shards[:limit]],
                            "HasMoreShards": len(shards) > limit}
        return {"StreamDescription": description}

    def describe_stream_summary(self, ctx: Ctx[kinesis.DescribeStreamSummaryRequest]
                                ) -> kinesis.DescribeStreamSummaryResult:
        stream = self._stream(ctx)
        summary: Any = {**self._common(stream), "OpenShardCount": len(self._open_shards(stream)),
                        "ConsumerCount": len(stream["Consumers"]), **self._sizing(stream)}
        return {"StreamDescriptionSummary": summary}

    def list_streams(self, ctx: Ctx[kinesis.ListStreamsRequest]) -> kinesis.ListStreamsResult:
        params = ctx.params
        found = sorted((s for s in self.streams.values()
                        if s["Account"] == ctx.account and s["Region"] == ctx.region), key=lambda s: s["Name"])
        after = params.get("ExclusiveStartStreamName")
        token = params.get("NextToken")
        if token:
            if after:
                raise kinesis.invalid_argument_exception(
                    "NextToken and ExclusiveStartStreamName cannot be provided together.")
            after = token
        if after:
            found = [s for s in found if s["Name"] > after]
        limit = params.get("Limit", 100)
        page = found[:limit]
        out: kinesis.ListStreamsResult = {
            "StreamNames": [s["Name"] for s in page], "HasMoreStreams": len(found) > limit,
            "StreamSummaries": [{"StreamName": s["Name"], "StreamARN": s["Arn"], "StreamStatus": "ACTIVE",
                                 "StreamModeDetails": {"StreamMode": s["Mode"]},
                                 "StreamCreationTimestamp": from_epoch(s["Created"])} for s in page],
        }
        if len(found) > limit:
            out["NextToken"] = page[-1]["Name"]
        return out

    def delete_stream(self, ctx: Ctx[kinesis.DeleteStreamRequest]) -> kinesis.DeleteStreamResult:
        stream = self._stream(ctx)
        if stream["Consumers"] and not ctx.params.get("EnforceConsumerDeletion"):
            raise kinesis.resource_in_use_exception(
                f"Stream {stream['Name']} under account {ctx.account} has registered consumers. "
                "Deregister them or set EnforceConsumerDeletion to true.")
        self.streams.delete(stream["Arn"])
        self._forget_subscriptions({c["Arn"] for c in stream["Consumers"].values()})
        for key in list(self.records.irange((stream["Arn"],), (stream["Arn"] + "\x00",), (True, False))):
            self.records.delete(key)
        return {}

    def update_stream_mode(self, ctx: Ctx[kinesis.UpdateStreamModeRequest]) -> kinesis.UpdateStreamModeResult:
        stream = self._stream(ctx, ctx.params["StreamARN"])
        self.streams.put(stream["Arn"], {**stream, "Mode": ctx.params["StreamModeDetails"]["StreamMode"]})
        return {}

    def describe_limits(self, ctx: Ctx[kinesis.DescribeLimitsRequest]) -> kinesis.DescribeLimitsResult:
        on_demand = sum(1 for s in self.streams.values() if s["Account"] == ctx.account
                        and s["Region"] == ctx.region and s["Mode"] == "ON_DEMAND")
        return {"ShardLimit": SHARD_LIMIT, "OpenShardCount": self._account_open_shards(ctx.account, ctx.region),
                "OnDemandStreamCount": on_demand, "OnDemandStreamCountLimit": ON_DEMAND_STREAM_LIMIT}

    # -- retention -------------------------------------------------------------------------------
    def increase_stream_retention_period(self, ctx: Ctx[kinesis.IncreaseStreamRetentionPeriodRequest]
                                         ) -> kinesis.IncreaseStreamRetentionPeriodResult:
        stream = self._stream(ctx)
        hours = ctx.params["RetentionPeriodHours"]
        if hours > MAX_RETENTION_HOURS:
            raise kinesis.invalid_argument_exception(
                f"Maximum allowed retention period is {MAX_RETENTION_HOURS} hours. Requested retention period "
                f"({hours} hours) is too long.")
        if hours < stream["Retention"]:
            raise kinesis.invalid_argument_exception(
                f"Requested retention period ({hours} hours) for stream {stream['Name']} can not be shorter than "
                f"existing retention period ({stream['Retention']} hours). Use DecreaseRetentionPeriod API.")
        self.streams.put(stream["Arn"], {**stream, "Retention": hours})
        return {}

    def decrease_stream_retention_period(self, ctx: Ctx[kinesis.DecreaseStreamRetentionPeriodRequest]
                                         ) -> kinesis.DecreaseStreamRetentionPeriodResult:
        stream = self._stream(ctx)
        hours = ctx.params["RetentionPeriodHours"]
        if hours < DEFAULT_RETENTION_HOURS:
            raise kinesis.invalid_argument_exception(
                f"Minimum allowed retention period is {DEFAULT_RETENTION_HOURS} hours. Requested retention "
                f"period ({hours} hours) is too short.")
        if hours > stream["Retention"]:
            raise kinesis.invalid_argument_exception(
                f"Requested retention period ({hours} hours) for stream {stream['Name']} can not be longer than "
                f"existing retention period ({stream['Retention']} hours). Use IncreaseRetentionPeriod API.")
        self.streams.put(stream["Arn"], {**stream, "Retention": hours})
        return {}

    # =============================================================================================
    # records
    # =============================================================================================
    def _route(self, stream: dict) -> tuple[list[int], list[str]]:
        cached = self._routes.get(stream["Arn"])
        if cached is None or cached[0] is not stream:
            opened = sorted(self._open_shards(stream), key=lambda s: int(s["Start"]))
            cached = (stream, [int(s["Start"]) for s in opened], [s["Id"] for s in opened])
            self._routes[stream["Arn"]] = cached
        return cached[1], cached[2]

    @staticmethod
    def _check_key(partition_key: str, path: str) -> None:
        if not 1 <= len(partition_key) <= 256:
            raise kinesis.validation_exception(
                f"1 validation error detected: Value '{partition_key}' at '{path}partitionKey' failed to satisfy "
                "constraint: Member must have length less than or equal to 256")

    @staticmethod
    def _hash_key(partition_key: str, explicit: str | None) -> int:
        if explicit is None:
            return S.partition_hash(partition_key)
        if not explicit.isdigit() or int(explicit) >= S.HASH_SPACE:
            raise kinesis.invalid_argument_exception(
                "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value "
                f"was {explicit}")
        return int(explicit)

    @staticmethod
    def _blob(data: bytes | bytearray | str) -> bytes:
        """A record's Data as bytes: botocore accepts str for blobs and encodes it as UTF-8 when it
        serializes, which an intercepted call skips."""
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)

    def _append(self, stream: dict, data: bytes, partition_key: str, hash_key: int, now: float) -> tuple[str, str]:
        starts, ids = self._route(stream)
        shard = S.shard_for_hash(starts, ids, hash_key)
        counter = self._next_counter()
        self.records.put((stream["Arn"], shard, counter),
                         [data, partition_key, now, stream["Encryption"] == "KMS"])
        return shard, S.sequence_text(counter)

    def _encryption(self, stream: dict) -> dict[str, str]:
        return {"EncryptionType": stream["Encryption"]} if stream["Encryption"] == "KMS" else {}

    @staticmethod
    def _max_record_bytes(stream: dict) -> int:
        return stream.get("MaxRecordKiB", DEFAULT_MAX_RECORD_KIB) * 1024

    def _check_size(self, stream: dict, size: int, path: str) -> None:
        limit = self._max_record_bytes(stream)
        if size > limit:
            raise kinesis.validation_exception(
                f"1 validation error detected: Value at '{path}' failed to satisfy constraint: Member must have "
                f"length less than or equal to {limit}")

    def put_record(self, ctx: Ctx[kinesis.PutRecordRequest]) -> kinesis.PutRecordResult:
        params = ctx.params
        data = self._blob(params["Data"])
        key = params["PartitionKey"]
        self._check_key(key, "")
        stream = self._stream(ctx)
        self._check_size(stream, len(data), "data")
        hash_key = self._hash_key(key, params.get("ExplicitHashKey"))
        shard, sequence = self._append(stream, data, key, hash_key, ctx.time())
        out: Any = {"ShardId": shard, "SequenceNumber": sequence, **self._encryption(stream)}
        return out

    def put_records(self, ctx: Ctx[kinesis.PutRecordsRequest]) -> kinesis.PutRecordsResult:
        entries = ctx.params["Records"]
        if len(entries) > MAX_PUT_RECORDS:
            raise kinesis.validation_exception(
                "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have "
                f"length less than or equal to {MAX_PUT_RECORDS}")
        total = 0
        stream = self._stream(ctx)
        blobs = [self._blob(entry["Data"]) for entry in entries]
        for index, (entry, data) in enumerate(zip(entries, blobs), 1):
            self._check_key(entry["PartitionKey"], f"records.{index}.member.")
            size = len(data)
            self._check_size(stream, size, f"records.{index}.member.data")
            total += size + len(entry["PartitionKey"].encode("utf-8", "surrogatepass"))
        # a stream taking large records takes one in a batch (the 5 MB request limit predates them)
        if total > max(MAX_PUT_RECORDS_BYTES, self._max_record_bytes(stream)):
            raise kinesis.invalid_argument_exception("Records size exceeds 5 MB limit")
        # an out-of-range ExplicitHashKey fails the whole request, not its entry (kinesalite's
        # test/putRecords.js, run against AWS); so nothing here fails single entries
        hash_keys = [self._hash_key(entry["PartitionKey"], entry.get("ExplicitHashKey")) for entry in entries]
        now = ctx.time()
        results: list[kinesis.PutRecordsResultEntry] = []
        for entry, data, hash_key in zip(entries, blobs, hash_keys):
            shard, sequence = self._append(stream, data, entry["PartitionKey"], hash_key, now)
            results.append({"SequenceNumber": sequence, "ShardId": shard})
        out: Any = {"FailedRecordCount": 0, "Records": results, **self._encryption(stream)}
        return out

    # -- reading ---------------------------------------------------------------------------------
    def _shard(self, stream: dict, shard_id: str) -> dict:
        for shard in stream["Shards"]:
            if shard["Id"] == shard_id:
                return shard
        raise kinesis.resource_not_found_exception(
            f"Shard {shard_id} in stream {stream['Name']} under account {stream['Account']} does not exist")

    def _trim(self, stream: dict, shard: str, now: float) -> None:
        """Drop the shard's records older than the retention period (they are in arrival order)."""
        oldest = now - stream["Retention"] * 3600
        records = self.records
        while True:
            key = next(records.irange((stream["Arn"], shard), (stream["Arn"], shard + "\x00"), (True, False)), None)
            if key is None or records[key][2] >= oldest:
                return
            records.delete(key)

    def _keys(self, arn: str, shard: str, position: int) -> Iterator[tuple[str, str, int]]:
        return self.records.irange((arn, shard, position), (arn, shard + "\x00"), (True, False))

    def _last_counter(self, arn: str, shard: str) -> int | None:
        key = next(self.records.irange((arn, shard), (arn, shard + "\x00"), (True, False), reverse=True), None)
        return key[2] if key is not None else None

    def get_shard_iterator(self, ctx: Ctx[kinesis.GetShardIteratorRequest]) -> kinesis.GetShardIteratorResult:
        params = ctx.params
        stream = self._stream(ctx)
        shard = self._shard(stream, params["ShardId"])
        now = ctx.time()
        position = self._start(ctx, stream, shard, params["ShardIteratorType"], params.get("StartingSequenceNumber"),
                               params.get("Timestamp"), now)
        return {"ShardIterator": S.encode_iterator(stream["Arn"], shard["Id"], position, now)}

    def _start(self, ctx: RequestContext[Any], stream: dict, shard: dict, kind: str, number: str | None,
               when: Any, now: float) -> int:
        """The counter a reader starting at this position reads first (GetShardIterator, SubscribeToShard)."""
        self._trim(stream, shard["Id"], now)
        if kind == "TRIM_HORIZON":
            return 0
        if kind == "LATEST":
            return (shard["EndSeq"] if shard["EndSeq"] is not None else self.meta.get("seq", 0)) + 1
        if kind == "AT_TIMESTAMP":
            return self._position_at(stream, shard, when, now)
        if kind not in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            raise kinesis.invalid_argument_exception(f"Invalid ShardIteratorType {kind}.")
        if number is None:
            raise kinesis.invalid_argument_exception(f"StartingSequenceNumber must be specified for {kind}.")
        counter = S.sequence_counter(number)
        if counter is None or counter < shard["StartSeq"] or (shard["EndSeq"] is not None and counter > shard["EndSeq"]):
            raise kinesis.invalid_argument_exception(
                f"StartingSequenceNumber {number} used in {ctx.operation} on shard {shard['Id']} in stream "
                f"{stream['Name']} under account {ctx.account} is invalid.")
        return counter if kind == "AT_SEQUENCE_NUMBER" else counter + 1

    def _position_at(self, stream: dict, shard: dict, when: Any, now: float) -> int:
        if when is None:
            raise kinesis.invalid_argument_exception("Timestamp must be specified for ShardIteratorType AT_TIMESTAMP.")
        stamp = when.timestamp() if isinstance(when, datetime.datetime) else float(when)
        if stamp > now:
            raise kinesis.invalid_argument_exception(
                "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
                f"timestampInMillis: {int(stamp * 1000)}, currentTimestampInMillis: {int(now * 1000)}")
        for key in self._keys(stream["Arn"], shard["Id"], 0):
            if self.records[key][2] >= stamp:
                return key[2]
        return self.meta.get("seq", 0) + 1

    def _shown_record(self, key: tuple[str, str, int], value: list) -> kinesis.Record:
        out: kinesis.Record = {"SequenceNumber": S.sequence_text(key[2]),
                               "ApproximateArrivalTimestamp": from_epoch(value[2]),
                               "Data": value[0], "PartitionKey": value[1]}
        if value[3]:
            out["EncryptionType"] = "KMS"
        return out

    def get_records(self, ctx: Ctx[kinesis.GetRecordsRequest]) -> kinesis.GetRecordsResult:
        params = ctx.params
        limit = params.get("Limit", MAX_GET_RECORDS)
        if limit > MAX_GET_RECORDS:
            raise kinesis.validation_exception(
                f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member "
                f"must have value less than or equal to {MAX_GET_RECORDS}")
        decoded = S.decode_iterator(params["ShardIterator"])
        if decoded is None:
            raise kinesis.invalid_argument_exception("Invalid ShardIterator.")
        arn, shard_id, position, issued = decoded
        now = ctx.time()
        if now - issued > ITERATOR_SECONDS:
            raise kinesis.expired_iterator_exception(
                f"Iterator expired. The iterator was created at time {_java_date(issued)} while right now it is "
                f"{_java_date(now)} which is further in the future than the tolerated delay of "
                f"{ITERATOR_SECONDS * 1000} milliseconds.")
        stream = self._stream(ctx, arn)
        shard = self._shard(stream, shard_id)
        self._trim(stream, shard_id, now)
        records: list[kinesis.Record] = []
        size = 0
        behind = 0
        next_position = position
        for key in self._keys(arn, shard_id, position):
            value = self.records[key]
            if len(records) >= limit or (records and size + len(value[0]) > MAX_GET_RECORDS_BYTES):
                behind = int((now - value[2]) * 1000)
                break
            records.append(self._shown_record(key, value))
            size += len(value[0])
            next_position = key[2] + 1
        out: kinesis.GetRecordsResult = {"Records": records, "MillisBehindLatest": behind}
        at_end = shard["EndSeq"] is not None and behind == 0 and (
            next_position > (self._last_counter(arn, shard_id) or 0))
        if at_end:
            out["ChildShards"] = self._children(stream, shard_id)
        else:
            out["NextShardIterator"] = S.encode_iterator(arn, shard_id, next_position, now)
        return out

    def _children(self, stream: dict, shard_id: str) -> list[kinesis.ChildShard]:
        return [{"ShardId": s["Id"], "ParentShards": [p for p in (s["Parent"], s["Adjacent"]) if p],
                 "HashKeyRange": {"StartingHashKey": s["Start"], "EndingHashKey": s["End"]}}
                for s in stream["Shards"] if shard_id in (s["Parent"], s["Adjacent"])]

    # =============================================================================================
    # shards: listing and resharding
    # =============================================================================================
    def list_shards(self, ctx: Ctx[kinesis.ListShardsRequest]) -> kinesis.ListShardsResult:
        params = ctx.params
        token = params.get("NextToken")
        if token:
            if params.get("StreamName") or params.get("StreamARN"):
                raise kinesis.invalid_argument_exception(
                    "NextToken and StreamName cannot be provided together.")
            arn, _, after = token.partition("|")
            stream = self._stream(ctx, arn)
        else:
            stream = self._stream(ctx)
            after = params.get("ExclusiveStartShardId") or ""
        shards = [s for s in stream["Shards"] if s["Id"] > after]
        shards = self._filtered(shards, params.get("ShardFilter"))
        limit = params.get("MaxResults", 1000)
        page = shards[:limit]
        out: kinesis.ListShardsResult = {"Shards": [self._shown_shard(s) for s in page]}
        if len(shards) > limit:
            out["NextToken"] = f"{stream['Arn']}|{page[-1]['Id']}"
        return out

    @staticmethod
    def _filtered(shards: list[dict], shard_filter: Any) -> list[dict]:
        if not shard_filter:
            return shards
        kind = shard_filter["Type"]
        if kind == "AFTER_SHARD_ID":
            after = shard_filter.get("ShardId")
            if not after:
                raise kinesis.invalid_argument_exception("ShardId must be provided for AFTER_SHARD_ID filter.")
            return [s for s in shards if s["Id"] > after]
        if kind == "AT_LATEST":
            return [s for s in shards if s["EndSeq"] is None]
        if kind in ("AT_TRIM_HORIZON", "FROM_TRIM_HORIZON"):
            return shards  # closed shards stay listed for the retention period
        when = shard_filter.get("Timestamp")
        if when is None:
            raise kinesis.invalid_argument_exception(f"Timestamp must be provided for {kind} filter.")
        stamp = when.timestamp()
        if kind == "AT_TIMESTAMP":
            return [s for s in shards if s["Opened"] <= stamp and (s["Closed"] is None or s["Closed"] > stamp)]
        return [s for s in shards if s["Closed"] is None or s["Closed"] > stamp]  # FROM_TIMESTAMP

    def _open_shard(self, ctx: RequestContext[Any], stream: dict, shard_id: str) -> dict:
        shard = self._shard(stream, shard_id)
        if shard["EndSeq"] is not None:
            raise kinesis.invalid_argument_exception(
                f"Shard {shard_id} in stream {stream['Name']} under account {ctx.account} has already been "
                "merged or split, and thus is not eligible for merging or splitting.")
        return shard

    def _check_provisioned(self, stream: dict, operation: str) -> None:
        if stream["Mode"] == "ON_DEMAND":
            raise kinesis.validation_exception(
                f"{operation} is not supported for stream {stream['Name']} in ON_DEMAND capacity mode.")

    def split_shard(self, ctx: Ctx[kinesis.SplitShardRequest]) -> kinesis.SplitShardResult:
        params = ctx.params
        stream = self._stream(ctx)
        self._check_provisioned(stream, "SplitShard")
        shard = self._open_shard(ctx, stream, params["ShardToSplit"])
        new_start = params["NewStartingHashKey"]
        low, high = int(shard["Start"]), int(shard["End"])
        if not new_start.isdigit() or not low + 1 < int(new_start) < high:
            raise kinesis.invalid_argument_exception(
                f"NewStartingHashKey {new_start} used in SplitShard() on shard {shard['Id']} in stream "
                f"{stream['Name']} under account {ctx.account} is not both greater than one plus the shard's "
                f"StartingHashKey {low} and less than the shard's EndingHashKey {high}.")
        self._check_shard_limit(ctx, 1)
        split = int(new_start)
        now = ctx.time()
        closed = self._closed(stream, {shard["Id"]}, now)
        parents: list[tuple[str | None, str | None]] = [(shard["Id"], None), (shard["Id"], None)]
        self.streams.put(stream["Arn"], self._new_shards(closed, [(low, split - 1), (split, high)], now, parents))
        return {}

    def merge_shards(self, ctx: Ctx[kinesis.MergeShardsRequest]) -> kinesis.MergeShardsResult:
        params = ctx.params
        stream = self._stream(ctx)
        self._check_provisioned(stream, "MergeShards")
        first = self._open_shard(ctx, stream, params["ShardToMerge"])
        second = self._open_shard(ctx, stream, params["AdjacentShardToMerge"])
        a_low, a_high, b_low, b_high = (int(first["Start"]), int(first["End"]), int(second["Start"]),
                                        int(second["End"]))
        if a_high + 1 != b_low and b_high + 1 != a_low:
            raise kinesis.invalid_argument_exception(
                f"Shards {first['Id']} and {second['Id']} in stream {stream['Name']} under account {ctx.account} "
                "are not an adjacent pair of shards eligible for merging")
        now = ctx.time()
        closed = self._closed(stream, {first["Id"], second["Id"]}, now)
        merged = [(min(a_low, b_low), max(a_high, b_high))]
        self.streams.put(stream["Arn"], self._new_shards(closed, merged, now, [(first["Id"], second["Id"])]))
        return {}

    def update_shard_count(self, ctx: Ctx[kinesis.UpdateShardCountRequest]) -> kinesis.UpdateShardCountResult:
        params = ctx.params
        stream = self._stream(ctx)
        self._check_provisioned(stream, "UpdateShardCount")
        target = params["TargetShardCount"]
        opened = sorted(self._open_shards(stream), key=lambda s: int(s["Start"]))
        current = len(opened)
        if target > 2 * current or target * 2 < current:
            raise kinesis.limit_exceeded_exception(
                f"UpdateShardCount failed for {stream['Name']} under account {ctx.account}. Target shard count "
                f"{target} must be between half and double the current open shard count {current}.")
        self._check_shard_limit(ctx, max(0, target - current))
        now = ctx.time()
        ranges = S.even_ranges(target)
        parents = []
        for low, high in ranges:
            overlapping = [s["Id"] for s in opened if int(s["Start"]) <= high and int(s["End"]) >= low]
            parents.append((overlapping[0], overlapping[1] if len(overlapping) > 1 else None))
        closed = self._closed(stream, {s["Id"] for s in opened}, now)
        self.streams.put(stream["Arn"], self._new_shards(closed, ranges, now, parents))
        return {"StreamName": stream["Name"], "StreamARN": stream["Arn"], "CurrentShardCount": current,
                "TargetShardCount": target}

    # =============================================================================================
    # consumers (enhanced fan-out) and SubscribeToShard
    # =============================================================================================
    def _consumer_out(self, stream: dict, name: str, consumer: dict, status: str = "ACTIVE") -> dict[str, Any]:
        return {"ConsumerName": name, "ConsumerARN": consumer["Arn"], "ConsumerStatus": status,
                "ConsumerCreationTimestamp": from_epoch(consumer["Created"])}

    def register_stream_consumer(self, ctx: Ctx[kinesis.RegisterStreamConsumerRequest]
                                 ) -> kinesis.RegisterStreamConsumerResult:
        stream = self._stream(ctx, ctx.params["StreamARN"])
        name = ctx.params["ConsumerName"]
        if name in stream["Consumers"]:
            raise kinesis.resource_in_use_exception(
                f"Consumer {name} under stream {stream['Name']} already exists for account {ctx.account}.")
        if len(stream["Consumers"]) >= CONSUMER_LIMIT:
            raise kinesis.limit_exceeded_exception(
                f"Consumer limit of {CONSUMER_LIMIT} reached for stream {stream['Name']} under account "
                f"{ctx.account}.")
        now = ctx.time()
        consumer = {"Arn": f"{stream['Arn']}/consumer/{name}:{int(now)}", "Created": now,
                    "Tags": dict(ctx.params.get("Tags") or {})}
        self.streams.put(stream["Arn"], {**stream, "Consumers": {**stream["Consumers"], name: consumer}})
        out: Any = {"Consumer": self._consumer_out(stream, name, consumer, "CREATING")}
        return out

    def _consumer(self, ctx: RequestContext[Any]) -> tuple[dict, str, dict]:
        params = ctx.params
        consumer_arn = params.get("ConsumerARN")
        if consumer_arn:
            stream_arn, _, rest = consumer_arn.partition("/consumer/")
            name = rest.rsplit(":", 1)[0]
        else:
            stream_arn, name = params.get("StreamARN"), params.get("ConsumerName")
            if not stream_arn or not name:
                raise kinesis.invalid_argument_exception(
                    "Either ConsumerARN or both ConsumerName and StreamARN must be provided.")
        stream = self.streams.get(stream_arn)
        consumer = stream["Consumers"].get(name) if stream else None
        if stream is None or consumer is None or (consumer_arn and consumer["Arn"] != consumer_arn):
            raise kinesis.resource_not_found_exception(
                f"Consumer {name} under stream {stream_arn.rsplit('/', 1)[-1]} under account {ctx.account} "
                "not found.")
        return stream, name, consumer

    def describe_stream_consumer(self, ctx: Ctx[kinesis.DescribeStreamConsumerRequest]
                                 ) -> kinesis.DescribeStreamConsumerResult:
        stream, name, consumer = self._consumer(ctx)
        out: Any = {"ConsumerDescription": {**self._consumer_out(stream, name, consumer), "StreamARN": stream["Arn"]}}
        return out

    def list_stream_consumers(self, ctx: Ctx[kinesis.ListStreamConsumersRequest]
                              ) -> kinesis.ListStreamConsumersResult:
        params = ctx.params
        stream = self._stream(ctx, params["StreamARN"])
        names = sorted(stream["Consumers"], key=lambda n: stream["Consumers"][n]["Created"])
        after = params.get("NextToken")
        if after:
            names = names[names.index(after) + 1:] if after in names else []
        limit = params.get("MaxResults", 100)
        out: Any = {"Consumers": [self._consumer_out(stream, n, stream["Consumers"][n]) for n in names[:limit]]}
        if len(names) > limit:
            out["NextToken"] = names[limit - 1]
        return out

    def deregister_stream_consumer(self, ctx: Ctx[kinesis.DeregisterStreamConsumerRequest]
                                   ) -> kinesis.DeregisterStreamConsumerResult:
        stream, name, consumer = self._consumer(ctx)
        consumers = {n: c for n, c in stream["Consumers"].items() if n != name}
        self.streams.put(stream["Arn"], {**stream, "Consumers": consumers})
        self._forget_subscriptions({consumer["Arn"]})
        return {}

    def _forget_subscriptions(self, consumer_arns: set[str]) -> None:
        for key in [k for k in self.subscriptions if k[0] in consumer_arns]:
            self.subscriptions.delete(key)

    def subscribe_to_shard(self, ctx: Ctx[kinesis.SubscribeToShardRequest]) -> kinesis.SubscribeToShardResult:
        params = ctx.params
        stream, _name, _consumer = self._consumer_for_arn(ctx, params["ConsumerARN"])
        shard = self._shard(stream, params["ShardId"])
        now = ctx.time()
        key = (params["ConsumerARN"], shard["Id"])
        previous = self.subscriptions.get(key)
        if previous is not None and now - previous < subscription.RESUBSCRIBE_SECONDS:
            raise kinesis.resource_in_use_exception(
                f"Another active subscription exists for consumer {params['ConsumerARN']} and shard {shard['Id']}; "
                f"subscribe again {subscription.RESUBSCRIBE_SECONDS} seconds or more after the previous call.")
        self.subscriptions.put(key, now)  # a later subscription takes over: this one's stream then ends
        start = params["StartingPosition"]
        position = self._start(ctx, stream, shard, start["Type"], start.get("SequenceNumber"), start.get("Timestamp"),
                               now)
        body = subscription.SubscriptionBody(self.emulator, params["ConsumerARN"], stream["Arn"], shard["Id"],
                                             position, now)
        out: Any = {"EventStream": subscription.event_stream(body, ctx.model)}
        return out

    def subscription_event(self, consumer_arn: str, stream_arn: str, shard_id: str, position: int, started: float
                           ) -> tuple[dict | None, int, bool]:
        """The next SubscribeToShardEvent (JSON-ready) of a subscription reading from ``position``, the
        position after it, and whether the subscription ends with it; (None, …) when the stream or the
        consumer is gone or a later subscription has taken over."""
        if self.subscriptions.get((consumer_arn, shard_id)) != started:
            return None, position, True
        stream = self.streams.get(stream_arn)
        shard = next((s for s in stream["Shards"] if s["Id"] == shard_id), None) if stream else None
        if stream is None or shard is None:
            return None, position, True
        now = self.emulator.clock.time()
        oldest = now - stream["Retention"] * 3600
        records: list[dict] = []
        behind = 0
        for key in self._keys(stream_arn, shard_id, position):
            value = self.records[key]
            if value[2] < oldest:
                continue  # expired; GetRecords drops it when it next reads the shard
            if len(records) >= MAX_GET_RECORDS:
                behind = int((now - value[2]) * 1000)
                break
            record = {"SequenceNumber": S.sequence_text(key[2]), "ApproximateArrivalTimestamp": value[2],
                      "Data": base64.b64encode(value[0]).decode(), "PartitionKey": value[1]}
            if value[3]:
                record["EncryptionType"] = "KMS"
            records.append(record)
            position = key[2] + 1
        event: dict[str, Any] = {"Records": records, "MillisBehindLatest": behind,
                                 "ContinuationSequenceNumber": S.sequence_text(max(position - 1, shard["StartSeq"]))}
        done = now - started >= subscription.SUBSCRIPTION_SECONDS
        if shard["EndSeq"] is not None and behind == 0:
            event["ChildShards"] = self._children(stream, shard_id)
            done = True
        return event, position, done

    # =============================================================================================
    # encryption, monitoring, policies
    # =============================================================================================
    def _key_arn(self, ctx: RequestContext[Any], key_id: str) -> str:
        """The KMS key as KMS checks it, when KMS is emulated (otherwise the id as given); KMS's refusal
        comes back as the Kinesis error modeled for it (KMSNotFoundException…)."""
        try:
            keys = self.emulator.ports.keys
        except NotEmulatedError:
            return key_id
        try:
            return keys.check_key_usable(key_id, ctx.account, ctx.region)
        except AwsError as exc:
            raise _KMS_ERRORS.get(exc.code, kinesis.kms_access_denied_exception)(exc.message) from None

    def start_stream_encryption(self, ctx: Ctx[kinesis.StartStreamEncryptionRequest]
                                ) -> kinesis.StartStreamEncryptionResult:
        stream = self._stream(ctx)
        key_id = ctx.params["KeyId"]
        if key_id != "alias/aws/kinesis":
            self._key_arn(ctx, key_id)
        self.streams.put(stream["Arn"], {**stream, "Encryption": ctx.params["EncryptionType"], "KeyId": key_id})
        return {}

    def stop_stream_encryption(self, ctx: Ctx[kinesis.StopStreamEncryptionRequest]
                               ) -> kinesis.StopStreamEncryptionResult:
        stream = self._stream(ctx)
        self.streams.put(stream["Arn"], {**stream, "Encryption": "NONE", "KeyId": None})
        return {}

    def _monitoring(self, ctx: RequestContext[Any], enable: bool) -> kinesis.EnhancedMonitoringOutput:
        stream = self._stream(ctx)
        asked = ctx.params["ShardLevelMetrics"]
        chosen = set(_ALL_METRICS) if "ALL" in asked else set(asked)
        before = stream["Metrics"]
        after = sorted(set(before) | chosen) if enable else sorted(set(before) - chosen)
        self.streams.put(stream["Arn"], {**stream, "Metrics": after})
        return {"StreamName": stream["Name"], "StreamARN": stream["Arn"], "CurrentShardLevelMetrics": list(before),
                "DesiredShardLevelMetrics": after}

    def enable_enhanced_monitoring(self, ctx: Ctx[kinesis.EnableEnhancedMonitoringRequest]
                                   ) -> kinesis.EnableEnhancedMonitoringResult:
        return self._monitoring(ctx, True)

    def disable_enhanced_monitoring(self, ctx: Ctx[kinesis.DisableEnhancedMonitoringRequest]
                                    ) -> kinesis.DisableEnhancedMonitoringResult:
        return self._monitoring(ctx, False)

    def _policy_stream(self, ctx: RequestContext[Any]) -> dict:
        arn = ctx.params["ResourceARN"]
        return self._stream(ctx, arn.partition("/consumer/")[0])

    def put_resource_policy(self, ctx: Ctx[kinesis.PutResourcePolicyRequest]) -> kinesis.PutResourcePolicyResult:
        stream = self._policy_stream(ctx)
        self.streams.put(stream["Arn"], {**stream, "Policy": ctx.params["Policy"]})
        return {}

    def get_resource_policy(self, ctx: Ctx[kinesis.GetResourcePolicyRequest]) -> kinesis.GetResourcePolicyResult:
        return {"Policy": self._policy_stream(ctx)["Policy"] or "{}"}

    def delete_resource_policy(self, ctx: Ctx[kinesis.DeleteResourcePolicyRequest]
                               ) -> kinesis.DeleteResourcePolicyResult:
        stream = self._policy_stream(ctx)
        if not stream["Policy"]:
            raise kinesis.resource_not_found_exception(f"No resource policy found for resource ARN {stream['Arn']}.")
        self.streams.put(stream["Arn"], {**stream, "Policy": None})
        return {}

    # =============================================================================================
    # tags
    # =============================================================================================
    def _retagged(self, stream: dict, added: dict[str, str], removed: list[str]) -> dict:
        tags = {k: v for k, v in {**stream["Tags"], **added}.items() if k not in removed}
        if len(tags) > MAX_TAGS:
            raise kinesis.invalid_argument_exception(
                f"Failed to add tags to stream {stream['Name']} under account {stream['Account']} because a "
                f"given stream cannot have more than {MAX_TAGS} tags associated with it.")
        return {**stream, "Tags": tags}

    def add_tags_to_stream(self, ctx: Ctx[kinesis.AddTagsToStreamRequest]) -> kinesis.AddTagsToStreamResult:
        stream = self._stream(ctx)
        self.streams.put(stream["Arn"], self._retagged(stream, dict(ctx.params["Tags"]), []))
        return {}

    def remove_tags_from_stream(self, ctx: Ctx[kinesis.RemoveTagsFromStreamRequest]
                                ) -> kinesis.RemoveTagsFromStreamResult:
        stream = self._stream(ctx)
        self.streams.put(stream["Arn"], self._retagged(stream, {}, list(ctx.params["TagKeys"])))
        return {}

    def list_tags_for_stream(self, ctx: Ctx[kinesis.ListTagsForStreamRequest]) -> kinesis.ListTagsForStreamResult:
        stream = self._stream(ctx)
        keys = sorted(stream["Tags"])
        after = ctx.params.get("ExclusiveStartTagKey")
        if after:
            keys = [k for k in keys if k > after]
        limit = ctx.params.get("Limit", 50)
        return {"Tags": [{"Key": k, "Value": stream["Tags"][k]} for k in keys[:limit]],
                "HasMoreTags": len(keys) > limit}

    def tag_resource(self, ctx: Ctx[kinesis.TagResourceRequest]) -> kinesis.TagResourceResult:
        self._tag_arn(ctx, dict(ctx.params["Tags"]), [])
        return {}

    def untag_resource(self, ctx: Ctx[kinesis.UntagResourceRequest]) -> kinesis.UntagResourceResult:
        self._tag_arn(ctx, {}, list(ctx.params["TagKeys"]))
        return {}

    def list_tags_for_resource(self, ctx: Ctx[kinesis.ListTagsForResourceRequest]
                               ) -> kinesis.ListTagsForResourceResult:
        arn = ctx.params["ResourceARN"]
        if "/consumer/" in arn:
            tags = self._consumer_for_arn(ctx, arn)[2]["Tags"]
        else:
            tags = self._stream(ctx, arn)["Tags"]
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}

    def _consumer_for_arn(self, ctx: RequestContext[Any], arn: str) -> tuple[dict, str, dict]:
        stream = self._stream(ctx, arn.partition("/consumer/")[0])
        name = arn.partition("/consumer/")[2].rsplit(":", 1)[0]
        consumer = stream["Consumers"].get(name)
        if consumer is None or consumer["Arn"] != arn:
            raise kinesis.resource_not_found_exception(
                f"Consumer {name} under stream {stream['Name']} under account {ctx.account} not found.")
        return stream, name, consumer

    def _tag_arn(self, ctx: RequestContext[Any], added: dict[str, str], removed: list[str]) -> None:
        arn = ctx.params["ResourceARN"]
        if "/consumer/" not in arn:
            stream = self._stream(ctx, arn)
            self.streams.put(stream["Arn"], self._retagged(stream, added, removed))
            return
        stream, name, consumer = self._consumer_for_arn(ctx, arn)
        tags = {k: v for k, v in {**consumer["Tags"], **added}.items() if k not in removed}
        consumers = {**stream["Consumers"], name: {**consumer, "Tags": tags}}
        self.streams.put(stream["Arn"], {**stream, "Consumers": consumers})

    # =============================================================================================
    # record size, warm throughput and the account's throughput commitment
    # =============================================================================================
    def update_max_record_size(self, ctx: Ctx[kinesis.UpdateMaxRecordSizeRequest]
                               ) -> kinesis.UpdateMaxRecordSizeResult:
        stream = self._stream(ctx)
        self.streams.put(stream["Arn"], {**stream, "MaxRecordKiB": ctx.params["MaxRecordSizeInKiB"]})
        return {}

    def _commitment(self, ctx: RequestContext[Any]) -> dict[str, Any]:
        """The account's commitment as it stands now: a disable asked for before the 24 hours were
        over takes effect at their end (evaluated lazily, on the emulator clock)."""
        record = self.commitments.get((ctx.account, ctx.region))
        if record is None:
            return {"Status": "DISABLED", "Started": None, "Ended": None, "EarliestEnd": None}
        if record["Status"] == "ENABLED_UNTIL_EARLIEST_ALLOWED_END" and ctx.time() >= (record["EarliestEnd"] or 0):
            return {**record, "Status": "DISABLED", "Ended": record["EarliestEnd"]}
        return dict(record)

    @staticmethod
    def _shown_commitment(record: dict[str, Any]) -> kinesis.MinimumThroughputBillingCommitmentOutput:
        out: kinesis.MinimumThroughputBillingCommitmentOutput = {"Status": record["Status"]}
        for member, field in (("StartedAt", "Started"), ("EndedAt", "Ended"), ("EarliestAllowedEndAt", "EarliestEnd")):
            if record[field] is not None:
                out[member] = from_epoch(record[field])  # type: ignore[literal-required]
        return out

    def describe_account_settings(self, ctx: Ctx[kinesis.DescribeAccountSettingsRequest]
                                  ) -> kinesis.DescribeAccountSettingsResult:
        return {"MinimumThroughputBillingCommitment": self._shown_commitment(self._commitment(ctx))}

    def update_account_settings(self, ctx: Ctx[kinesis.UpdateAccountSettingsRequest]
                                ) -> kinesis.UpdateAccountSettingsResult:
        record = self._commitment(ctx)
        now = ctx.time()
        wanted = ctx.params["MinimumThroughputBillingCommitment"]["Status"]
        if wanted == "ENABLED" and record["Status"] == "DISABLED":
            record = {"Status": "ENABLED", "Started": now, "Ended": None, "EarliestEnd": now + COMMITMENT_SECONDS}
        elif wanted == "ENABLED":  # enabling again cancels a pending disable
            record = {**record, "Status": "ENABLED"}
        elif record["Status"] != "DISABLED":
            ends_now = now >= record["EarliestEnd"]
            record = {**record, "Status": "DISABLED" if ends_now else "ENABLED_UNTIL_EARLIEST_ALLOWED_END",
                      "Ended": now if ends_now else None}
        self.commitments.put((ctx.account, ctx.region), record)
        return {"MinimumThroughputBillingCommitment": self._shown_commitment(record)}

    def _warm_target(self, ctx: RequestContext[Any], stream: dict, mibps: int) -> int:
        """A warm throughput target, checked as UpdateStreamWarmThroughput documents: on-demand streams
        of accounts with the throughput commitment enabled, at most 10 GiBps."""
        if stream["Mode"] != "ON_DEMAND":
            raise kinesis.invalid_argument_exception(
                f"Warm throughput is not supported for stream {stream['Name']} in PROVISIONED mode. Warm "
                "throughput is only supported for streams in ON_DEMAND mode.")
        if self._commitment(ctx)["Status"] == "DISABLED":
            raise kinesis.invalid_argument_exception(
                f"Warm throughput requires the MinimumThroughputBillingCommitment of account {ctx.account} to be "
                "enabled. Use UpdateAccountSettings to enable it.")
        if mibps > MAX_WARM_MIBPS:
            raise kinesis.validation_exception(
                f"1 validation error detected: Value '{mibps}' at 'warmThroughputMiBps' failed to satisfy "
                f"constraint: Member must have value less than or equal to {MAX_WARM_MIBPS}")
        return mibps

    def update_stream_warm_throughput(self, ctx: Ctx[kinesis.UpdateStreamWarmThroughputRequest]
                                      ) -> kinesis.UpdateStreamWarmThroughputResult:
        stream = self._stream(ctx)
        target = self._warm_target(ctx, stream, ctx.params["WarmThroughputMiBps"])
        previous = stream.get("WarmMiBps", 0)
        self.streams.put(stream["Arn"], {**stream, "WarmMiBps": target})
        # AWS answers while the stream scales (UPDATING), with the throughput it had until then
        return {"StreamARN": stream["Arn"], "StreamName": stream["Name"],
                "WarmThroughput": {"TargetMiBps": target, "CurrentMiBps": previous}}

    # =============================================================================================
    # inspection and the StreamPort
    # =============================================================================================
    def summary(self) -> dict[str, Any]:
        streams = []
        for arn, stream in self.streams.items():
            shards = [{"id": s["Id"], "open": s["EndSeq"] is None,
                       "records": sum(1 for _ in self._keys(arn, s["Id"], 0))} for s in stream["Shards"]]
            streams.append({"name": stream["Name"], "account": stream["Account"], "region": stream["Region"],
                            "arn": arn, "mode": stream["Mode"], "retention_hours": stream["Retention"],
                            "shards": shards, "consumers": sorted(stream["Consumers"])})
        return {"streams": streams}

    def shard_ids(self, stream_arn: str) -> list[str]:
        stream = self.streams.get(stream_arn)
        if stream is None:
            raise KeyError(stream_arn)
        return [s["Id"] for s in stream["Shards"]]

    def read_records(self, stream_arn: str, shard_id: str, after_sequence_number: str | None,
                     limit: int) -> list[dict]:
        stream = self.streams.get(stream_arn)
        if stream is None:
            return []
        self._trim(stream, shard_id, self.emulator.clock.time())
        position = 0
        if after_sequence_number is not None:
            position = (S.sequence_counter(after_sequence_number) or 0) + 1
        out: list[dict] = []
        for key in self._keys(stream_arn, shard_id, position):
            out.append(dict(self._shown_record(key, self.records[key])))
            if len(out) >= limit:
                break
        return out
