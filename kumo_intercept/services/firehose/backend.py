"""Amazon Data Firehose: Direct PUT and Kinesis-sourced delivery streams to S3.

State (records in the store):

- ``firehose.streams`` ``(account, region, name)`` -> the delivery stream: ARN, type, times, version,
  its one destination (``Kind`` "S3" or "ExtendedS3", ``Config`` the configuration with AWS's defaults
  filled in), the Kinesis source, encryption and tags.
- ``firehose.buffer`` (ordered) ``(arn, n)`` -> ``[data, arrival time, record id]``: records waiting for
  delivery (``n`` grows per emulator, ``firehose.meta["seq"]``).
- ``firehose.positions`` ``(arn, shard id)`` -> the last Kinesis sequence number read from a shard.

Delivery is lazy on the emulator clock: a poller (it runs after every outermost call and whenever a
virtual clock moves) reads new records from Kinesis sources through the StreamPort, then writes the
buffer of each stream to S3 through the ObjectStorePort once it holds ``BufferingHints.SizeInMBs`` or
its oldest record is ``IntervalInSeconds`` old. A Lambda processor is invoked (synchronously, through
the FunctionPort) on each object's records just before it is written; records it marks
ProcessingFailed (or all of them, when the function fails) go to the ``ErrorOutputPrefix``. A write
that fails (no bucket) keeps the records buffered and is tried again at the next poll.

Internal methods for other services (the ``DeliveryStreamPort`` of core/ports.py):

* ``put_record_internal(delivery_stream_arn, data) -> str``: PutRecord to a Direct PUT stream named by
  ARN, as a service publishing to it (SES event destinations); ResourceNotFoundException as PutRecord.
"""

from __future__ import annotations

import json
from typing import Any

from ...api import firehose
from ...core.clock import from_epoch
from ...core.dispatch import Ctx, RequestContext, ServiceBackend, attempt
from ...core.errors import AwsError, NotEmulatedError
from . import delivery as D
from . import schema

MAX_RECORD_BYTES = 1_024_000
MAX_BATCH_RECORDS = 500
MAX_BATCH_BYTES = 4 * 1_048_576
MAX_TAGS = 50
MIB = 1_048_576
#: destination and source configurations AWS accepts that the emulator does not deliver to
_NOT_EMULATED = (
    "RedshiftDestinationConfiguration", "ElasticsearchDestinationConfiguration",
    "AmazonopensearchserviceDestinationConfiguration", "AmazonOpenSearchServerlessDestinationConfiguration",
    "SplunkDestinationConfiguration", "HttpEndpointDestinationConfiguration",
    "SnowflakeDestinationConfiguration", "IcebergDestinationConfiguration", "MSKSourceConfiguration",
    "DatabaseSourceConfiguration",
)
_S3_DEFAULTS: dict[str, Any] = {
    "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 300}, "CompressionFormat": "UNCOMPRESSED",
    "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"}, "Prefix": "", "ErrorOutputPrefix": "",
    "CloudWatchLoggingOptions": {"Enabled": False},
}
_MODEL_CHECKED = frozenset({
    "CreateDeliveryStream", "DeleteDeliveryStream", "DescribeDeliveryStream", "ListDeliveryStreams",
    "UpdateDestination", "TagDeliveryStream", "UntagDeliveryStream", "ListTagsForDeliveryStream",
    "StartDeliveryStreamEncryption", "StopDeliveryStreamEncryption",
})


class FirehoseBackend(ServiceBackend):
    service_name = "firehose"
    input_error_code = "ValidationException"
    input_checked_operations = _MODEL_CHECKED

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.streams = schema.STREAMS.open(self.store)
        self.buffer = schema.BUFFER.open_ordered(self.store)
        self.positions = schema.POSITIONS.open(self.store)
        self.meta = schema.META.open(self.store)
        #: arn -> buffered bytes (derived from ``firehose.buffer``, kept in step by its watcher)
        self._buffered: dict[str, int] = {}
        for (arn, _n), value in self.buffer.items():
            self._buffered[arn] = self._buffered.get(arn, 0) + len(value[0])
        self.buffer.watch(self._buffer_changed)
        self._polling = False
        if len(self.streams):
            self._start_polling()

    def _buffer_changed(self, key: Any, old: Any, new: Any) -> None:
        change = (len(new[0]) if new is not None else 0) - (len(old[0]) if old is not None else 0)
        self._buffered[key[0]] = self._buffered.get(key[0], 0) + change

    def _start_polling(self) -> None:
        if not self._polling:
            self._polling = True
            self.emulator.pollers.append(self._poll)

    # =============================================================================================
    # delivery streams
    # =============================================================================================
    def _stream(self, ctx: RequestContext[Any], name: str | None = None) -> dict:
        name = name or ctx.params["DeliveryStreamName"]
        stream = self.streams.get((ctx.account, ctx.region, name))
        if stream is None:
            raise firehose.resource_not_found_exception(f"Firehose {name} under account {ctx.account} not found.")
        return stream

    @staticmethod
    def _destination(params: dict) -> tuple[str, dict]:
        given = [name for name in _NOT_EMULATED if name in params]
        if given:
            raise NotEmulatedError("firehose", "CreateDeliveryStream",
                                   f"{', '.join(given)}: only S3 destinations (S3DestinationConfiguration, "
                                   "ExtendedS3DestinationConfiguration) and Direct PUT or Kinesis sources are "
                                   "emulated")
        kinds = [k for k in ("ExtendedS3", "S3") if f"{k}DestinationConfiguration" in params]
        if len(kinds) != 1:
            raise firehose.invalid_argument_exception(
                "Exactly one destination configuration must be provided: S3DestinationConfiguration or "
                "ExtendedS3DestinationConfiguration.")
        return kinds[0], FirehoseBackend._s3_config(dict(params[f"{kinds[0]}DestinationConfiguration"]))

    @staticmethod
    def _s3_config(config: dict) -> dict:
        for unsupported in ("DataFormatConversionConfiguration", "DynamicPartitioningConfiguration"):
            if (config.get(unsupported) or {}).get("Enabled"):
                raise NotEmulatedError("firehose", None, unsupported)
        merged = {**_S3_DEFAULTS, **config}
        merged["BufferingHints"] = {**_S3_DEFAULTS["BufferingHints"], **(config.get("BufferingHints") or {})}
        D.compressed(b"", merged["CompressionFormat"])  # refuses formats the emulator cannot write
        D.check_prefixes(merged["Prefix"], merged["ErrorOutputPrefix"])
        D.lambda_arn(merged.get("ProcessingConfiguration"))  # refuses processor types it cannot run
        return merged

    def _kinesis_source(self, ctx: RequestContext[Any], params: dict) -> dict | None:
        kind = params.get("DeliveryStreamType", "DirectPut")
        if kind == "DirectPut":
            if "KinesisStreamSourceConfiguration" in params:
                raise firehose.invalid_argument_exception(
                    "KinesisSourceStreamConfig is only allowed for KinesisStreamAsSource DeliveryStreamType.")
            return None
        if kind != "KinesisStreamAsSource":
            raise NotEmulatedError("firehose", "CreateDeliveryStream", f"DeliveryStreamType {kind}")
        source = params.get("KinesisStreamSourceConfiguration")
        if not source:
            raise firehose.invalid_argument_exception(
                "KinesisSourceStreamConfig is required for KinesisStreamAsSource DeliveryStreamType.")
        arn = source["KinesisStreamARN"]
        try:
            shards = self.emulator.ports.stream("kinesis").shard_ids(arn)
        except KeyError:
            name, account = arn.rsplit("/", 1)[-1], arn.split(":")[4]
            raise firehose.invalid_argument_exception(f"Stream {name} under account {account} not found.") from None
        return {"StreamArn": arn, "RoleArn": source["RoleARN"], "Start": ctx.time(), "Shards": shards}

    def create_delivery_stream(self, ctx: Ctx[firehose.CreateDeliveryStreamRequest]
                               ) -> firehose.CreateDeliveryStreamResult:
        params: Any = ctx.params
        name = params["DeliveryStreamName"]
        key = (ctx.account, ctx.region, name)
        if key in self.streams:
            raise firehose.resource_in_use_exception(f"Firehose {name} under accountId {ctx.account} already exists")
        kind, config = self._destination(params)
        source = self._kinesis_source(ctx, params)
        tags = {t["Key"]: t.get("Value", "") for t in params.get("Tags") or []}
        if len(tags) > MAX_TAGS:
            raise firehose.limit_exceeded_exception(f"A delivery stream cannot have more than {MAX_TAGS} tags.")
        encryption = params.get("DeliveryStreamEncryptionConfigurationInput")
        now = ctx.time()
        arn = ctx.arn(f"deliverystream/{name}")
        stream = {
            "Name": name, "Arn": arn, "Account": ctx.account, "Region": ctx.region, "Created": now, "Updated": now,
            "Type": "KinesisStreamAsSource" if source else "DirectPut", "Version": 1,
            "Destination": {"Id": "destinationId-000000000001", "Kind": kind, "Config": config},
            "Source": source and {k: v for k, v in source.items() if k != "Shards"}, "Tags": tags,
            "Encryption": self._encryption_record(encryption) if encryption else None,
        }
        self.streams.put(key, stream)
        if source:
            self._start_at_latest(arn, source["StreamArn"], source["Shards"])
        self._start_polling()
        return {"DeliveryStreamARN": arn}

    def _start_at_latest(self, arn: str, source_arn: str, shards: list[str]) -> None:
        """Firehose reads a Kinesis source from LATEST (the developer guide's "Kinesis as source")."""
        port = self.emulator.ports.stream("kinesis")
        for shard in shards:
            after = None
            while batch := port.read_records(source_arn, shard, after, 10_000):
                after = batch[-1]["SequenceNumber"]
            if after is not None:
                self.positions.put((arn, shard), after)

    @staticmethod
    def _encryption_record(given: dict) -> dict:
        key_type = given.get("KeyType", "AWS_OWNED_CMK")
        if key_type == "CUSTOMER_MANAGED_CMK" and not given.get("KeyARN"):
            raise firehose.invalid_argument_exception("KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK.")
        return {"Status": "ENABLED", "KeyType": key_type, **({"KeyARN": given["KeyARN"]} if given.get("KeyARN") else {})}

    def _s3_description(self, config: dict) -> dict[str, Any]:
        out = {name: config[name] for name in ("RoleARN", "BucketARN", "BufferingHints", "CompressionFormat",
                                               "EncryptionConfiguration", "CloudWatchLoggingOptions")}
        for optional in ("Prefix", "ErrorOutputPrefix"):
            if config.get(optional):
                out[optional] = config[optional]
        return out

    def describe_delivery_stream(self, ctx: Ctx[firehose.DescribeDeliveryStreamRequest]
                                 ) -> firehose.DescribeDeliveryStreamResult:
        stream = self._stream(ctx)
        destination = stream["Destination"]
        config = destination["Config"]
        shown: dict[str, Any] = {"DestinationId": destination["Id"], "S3DestinationDescription": self._s3_description(config)}
        if destination["Kind"] == "ExtendedS3":
            extended = {**self._s3_description(config), "S3BackupMode": config.get("S3BackupMode", "Disabled")}
            if config.get("ProcessingConfiguration"):
                extended["ProcessingConfiguration"] = config["ProcessingConfiguration"]
            shown["ExtendedS3DestinationDescription"] = extended
        description: Any = {
            "DeliveryStreamName": stream["Name"], "DeliveryStreamARN": stream["Arn"], "DeliveryStreamStatus": "ACTIVE",
            "DeliveryStreamType": stream["Type"], "VersionId": str(stream["Version"]),
            "CreateTimestamp": from_epoch(stream["Created"]), "Destinations": [shown], "HasMoreDestinations": False,
        }
        if stream["Type"] == "DirectPut":  # AWS shows none for a Kinesis-sourced stream (LocalStack's
            # resource_providers/test_firehose.snapshot.json, recorded against AWS)
            description["DeliveryStreamEncryptionConfiguration"] = stream["Encryption"] or {"Status": "DISABLED"}
        if stream["Version"] > 1:
            description["LastUpdateTimestamp"] = from_epoch(stream["Updated"])
        if stream["Source"]:
            source = stream["Source"]
            description["Source"] = {"KinesisStreamSourceDescription": {
                "KinesisStreamARN": source["StreamArn"], "RoleARN": source["RoleArn"],
                "DeliveryStartTimestamp": from_epoch(source["Start"])}}
        return {"DeliveryStreamDescription": description}

    def list_delivery_streams(self, ctx: Ctx[firehose.ListDeliveryStreamsRequest]
                              ) -> firehose.ListDeliveryStreamsResult:
        params = ctx.params
        kind = params.get("DeliveryStreamType")
        names = sorted(s["Name"] for (account, region, _n), s in self.streams.items()
                       if account == ctx.account and region == ctx.region and (kind is None or s["Type"] == kind))
        after = params.get("ExclusiveStartDeliveryStreamName")
        if after:
            names = [n for n in names if n > after]
        limit = params.get("Limit", 10)
        return {"DeliveryStreamNames": names[:limit], "HasMoreDeliveryStreams": len(names) > limit}

    def delete_delivery_stream(self, ctx: Ctx[firehose.DeleteDeliveryStreamRequest]
                               ) -> firehose.DeleteDeliveryStreamResult:
        stream = self._stream(ctx)
        self.streams.delete((ctx.account, ctx.region, stream["Name"]))
        arn = stream["Arn"]
        for key in list(self.buffer.irange((arn,), (arn + "\x00",), (True, False))):
            self.buffer.delete(key)
        for key in [k for k in self.positions if k[0] == arn]:
            self.positions.delete(key)
        return {}

    def update_destination(self, ctx: Ctx[firehose.UpdateDestinationRequest]) -> firehose.UpdateDestinationResult:
        params: Any = ctx.params
        stream = self._stream(ctx)
        if params["CurrentDeliveryStreamVersionId"] != str(stream["Version"]):
            raise firehose.concurrent_modification_exception(
                f"Cannot update firehose: {stream['Name']} since the current version id: "
                f"{params['CurrentDeliveryStreamVersionId']} and latest version id: {stream['Version']} does not match")
        destination = stream["Destination"]
        if params["DestinationId"] != destination["Id"]:
            raise firehose.invalid_argument_exception(
                f"Destination Id {params['DestinationId']} not found for firehose {stream['Name']}.")
        others = [k for k in params if k.endswith("DestinationUpdate") and not k.endswith("S3DestinationUpdate")]
        if others:
            raise NotEmulatedError("firehose", "UpdateDestination", f"{', '.join(others)}: only S3 destinations")
        kind = "ExtendedS3" if "ExtendedS3DestinationUpdate" in params else destination["Kind"]
        update = params.get("ExtendedS3DestinationUpdate") or params.get("S3DestinationUpdate") or {}
        config = self._s3_config({**destination["Config"], **update,
                                  "BufferingHints": {**destination["Config"]["BufferingHints"],
                                                     **(update.get("BufferingHints") or {})}})
        self.streams.put((ctx.account, ctx.region, stream["Name"]), {
            **stream, "Version": stream["Version"] + 1, "Updated": ctx.time(),
            "Destination": {**destination, "Kind": kind, "Config": config}})
        return {}

    # -- encryption and tags ------------------------------------------------------------------------
    def start_delivery_stream_encryption(self, ctx: Ctx[firehose.StartDeliveryStreamEncryptionRequest]
                                         ) -> firehose.StartDeliveryStreamEncryptionResult:
        stream = self._stream(ctx)
        if stream["Type"] != "DirectPut":
            raise firehose.invalid_argument_exception(
                f"Encryption is not supported for firehose {stream['Name']} of type {stream['Type']}; encrypt the "
                "source stream instead.")
        given: Any = ctx.params.get("DeliveryStreamEncryptionConfigurationInput") or {}
        self.streams.put((ctx.account, ctx.region, stream["Name"]),
                         {**stream, "Encryption": self._encryption_record(given)})
        return {}

    def stop_delivery_stream_encryption(self, ctx: Ctx[firehose.StopDeliveryStreamEncryptionRequest]
                                        ) -> firehose.StopDeliveryStreamEncryptionResult:
        stream = self._stream(ctx)
        self.streams.put((ctx.account, ctx.region, stream["Name"]), {**stream, "Encryption": {"Status": "DISABLED"}})
        return {}

    def tag_delivery_stream(self, ctx: Ctx[firehose.TagDeliveryStreamRequest]) -> firehose.TagDeliveryStreamResult:
        stream = self._stream(ctx)
        tags = {**stream["Tags"], **{t["Key"]: t.get("Value", "") for t in ctx.params["Tags"]}}
        if len(tags) > MAX_TAGS:
            raise firehose.limit_exceeded_exception(f"A delivery stream cannot have more than {MAX_TAGS} tags.")
        self.streams.put((ctx.account, ctx.region, stream["Name"]), {**stream, "Tags": tags})
        return {}

    def untag_delivery_stream(self, ctx: Ctx[firehose.UntagDeliveryStreamRequest]
                              ) -> firehose.UntagDeliveryStreamResult:
        stream = self._stream(ctx)
        removed = set(ctx.params["TagKeys"])
        tags = {k: v for k, v in stream["Tags"].items() if k not in removed}
        self.streams.put((ctx.account, ctx.region, stream["Name"]), {**stream, "Tags": tags})
        return {}

    def list_tags_for_delivery_stream(self, ctx: Ctx[firehose.ListTagsForDeliveryStreamRequest]
                                      ) -> firehose.ListTagsForDeliveryStreamResult:
        stream = self._stream(ctx)
        keys = sorted(stream["Tags"])
        after = ctx.params.get("ExclusiveStartTagKey")
        if after:
            keys = [k for k in keys if k > after]
        limit = ctx.params.get("Limit", 50)
        return {"Tags": [{"Key": k, "Value": stream["Tags"][k]} for k in keys[:limit]], "HasMoreTags": len(keys) > limit}

    # =============================================================================================
    # records
    # =============================================================================================
    def _writable(self, ctx: RequestContext[Any]) -> dict:
        stream = self._stream(ctx)
        if stream["Type"] != "DirectPut":
            raise firehose.invalid_argument_exception(
                "This operation is not permitted on KinesisStreamAsSource delivery stream type.")
        return stream

    def _buffered_record(self, stream: dict, data: bytes, arrival: float) -> str:
        counter = self.meta.get("seq", 0) + 1
        self.meta.put("seq", counter)
        record_id = self.emulator.ids.b64(48)
        self.buffer.put((stream["Arn"], counter), [bytes(data), arrival, record_id])
        return record_id

    @staticmethod
    def _too_large(path: str) -> AwsError:
        return AwsError("ValidationException",
                        f"1 validation error detected: Value at '{path}' failed to satisfy constraint: Member must "
                        f"have length less than or equal to {MAX_RECORD_BYTES}")

    def put_record(self, ctx: Ctx[firehose.PutRecordRequest]) -> firehose.PutRecordResult:
        data = ctx.params["Record"]["Data"]
        if len(data) > MAX_RECORD_BYTES:
            raise self._too_large("record.data")
        stream = self._writable(ctx)
        record_id = self._buffered_record(stream, data, ctx.time())
        return {"RecordId": record_id, "Encrypted": bool(stream["Encryption"])
                and stream["Encryption"]["Status"] == "ENABLED"}

    def put_record_internal(self, delivery_stream_arn: str, data: bytes) -> str:
        _, region, account, resource = (delivery_stream_arn.split(":", 5) + [""] * 6)[2:6]
        name = resource.partition("/")[2]
        stream = self.streams.get((account, region, name))
        if stream is None or stream["Type"] != "DirectPut":
            raise firehose.resource_not_found_exception(f"Firehose {name} under account {account} not found.")
        return self._buffered_record(stream, data, self.emulator.clock.time())

    def put_record_batch(self, ctx: Ctx[firehose.PutRecordBatchRequest]) -> firehose.PutRecordBatchResult:
        records = ctx.params["Records"]
        if len(records) > MAX_BATCH_RECORDS:
            raise AwsError("ValidationException",
                           "1 validation error detected: Value at 'records' failed to satisfy constraint: Member "
                           f"must have length less than or equal to {MAX_BATCH_RECORDS}")
        total = 0
        for index, record in enumerate(records, 1):
            if len(record["Data"]) > MAX_RECORD_BYTES:
                raise self._too_large(f"records.{index}.member.data")
            total += len(record["Data"])
        if total > MAX_BATCH_BYTES:
            raise firehose.invalid_argument_exception(
                f"Records size exceeds {MAX_BATCH_BYTES // MIB} MiB limit for PutRecordBatch.")
        stream = self._writable(ctx)
        now = ctx.time()
        responses: list[firehose.PutRecordBatchResponseEntry] = [
            {"RecordId": self._buffered_record(stream, record["Data"], now)} for record in records]
        return {"FailedPutCount": 0, "Encrypted": bool(stream["Encryption"])
                and stream["Encryption"]["Status"] == "ENABLED", "RequestResponses": responses}

    # =============================================================================================
    # delivery (the poller)
    # =============================================================================================
    def _poll(self) -> bool:
        if not len(self.streams):
            return False
        now = self.emulator.clock.time()
        did_work = False
        for stream in list(self.streams.values()):
            if stream["Source"]:
                did_work |= self._pull(stream)
            did_work |= self._flush_if_due(stream, now)
        return did_work

    def _pull(self, stream: dict) -> bool:
        """Buffer what the Kinesis source got since the last pull."""
        port = self.emulator.ports.stream("kinesis")
        source = stream["Source"]["StreamArn"]
        try:
            shards = port.shard_ids(source)
        except KeyError:
            return False  # the source stream is gone; AWS reports it in the stream's FailureDescription
        pulled = False
        for shard in shards:
            key = (stream["Arn"], shard)
            batch = port.read_records(source, shard, self.positions.get(key), 10_000)
            for record in batch:
                self._buffered_record(stream, record["Data"], record["ApproximateArrivalTimestamp"].timestamp())
            if batch:
                self.positions.put(key, batch[-1]["SequenceNumber"])
                pulled = True
        return pulled

    def _flush_if_due(self, stream: dict, now: float) -> bool:
        arn = stream["Arn"]
        if not self._buffered.get(arn):
            return False
        hints = stream["Destination"]["Config"]["BufferingHints"]
        size_limit = hints["SizeInMBs"] * MIB
        first = next(self.buffer.irange((arn,), (arn + "\x00",), (True, False)))
        if self._buffered[arn] < size_limit and now - self.buffer[first][1] < hints["IntervalInSeconds"]:
            return False
        delivered = False
        for chunk in self._chunks(arn, size_limit):
            _result, error = attempt(self.store, self._deliver, stream, chunk, now)
            if error is not None:
                return delivered  # kept buffered; tried again at the next poll
            delivered = True
        return delivered

    def _chunks(self, arn: str, size_limit: int) -> list[list[tuple[tuple[str, int], list]]]:
        chunks: list[list[tuple[tuple[str, int], list]]] = [[]]
        size = 0
        for key in self.buffer.irange((arn,), (arn + "\x00",), (True, False)):
            if size >= size_limit:
                chunks.append([])
                size = 0
            value = self.buffer[key]
            chunks[-1].append((key, value))
            size += len(value[0])
        return chunks

    def _deliver(self, stream: dict, chunk: list[tuple[tuple[str, int], list]], now: float) -> None:
        config = stream["Destination"]["Config"]
        records = [(value[2], value[0], value[1]) for _key, value in chunk]
        oldest = records[0][2]
        function = D.lambda_arn(config.get("ProcessingConfiguration"))
        if function:
            data, failed = self._transform(stream, function, records)
        else:
            data, failed = [record[1] for record in records], []
        bucket = config["BucketARN"].split(":::", 1)[-1]
        if data:
            body, suffix = D.compressed(b"".join(data), config["CompressionFormat"])
            self._write(stream, bucket, D.expand_prefix(config["Prefix"], oldest, self._random), oldest, body, suffix)
        if failed:
            by_id = {rid: (raw, arrival) for rid, raw, arrival in records}
            lines = b"".join(D.error_document(code, self._error_message(code), by_id[rid][0], by_id[rid][1], now, 1,
                                              function) for rid, code in failed)
            prefix = D.expand_prefix(config["ErrorOutputPrefix"], oldest, self._random, "processing-failed")
            self._write(stream, bucket, prefix, oldest, lines, "")
        for key, _value in chunk:
            self.buffer.delete(key)

    def _write(self, stream: dict, bucket: str, prefix: str, oldest: float, body: bytes, suffix: str) -> None:
        name = D.object_name(stream["Name"], stream["Version"], oldest, self.emulator.ids.uuid4())
        self.emulator.ports.objects.put_object_internal(bucket, f"{prefix}{name}{suffix}", body,
                                                        stream["Account"], stream["Region"])

    def _random(self) -> str:
        return self.emulator.ids.chars(11).lower()

    @staticmethod
    def _error_message(code: str) -> str:
        return {"Lambda.ProcessingFailed": "The record was marked as ProcessingFailed by the Lambda function.",
                "Lambda.FunctionError": "The Lambda function was successfully invoked but it returned an error result.",
                "Lambda.MissingRecordId": "One or more record Ids were not returned.",
                }.get(code, "The Lambda function returned an invalid result for the record.")

    def _transform(self, stream: dict, function: str, records: list[tuple[str, bytes, float]]
                   ) -> tuple[list[bytes], list[tuple[str, str]]]:
        event = D.transformation_event(self.emulator.ids.uuid4(), stream["Arn"], stream["Region"], records)
        result = self.emulator.ports.functions.invoke_internal(function, event, invocation_type="RequestResponse")
        if result.get("FunctionError"):
            return [], [(rid, "Lambda.FunctionError") for rid, _data, _arrival in records]
        try:
            response = json.loads(result.get("Payload") or b"null")
        except ValueError:
            response = None
        return D.transformed(response if isinstance(response, dict) else {}, records)

    # =============================================================================================
    # inspection
    # =============================================================================================
    def summary(self) -> dict[str, Any]:
        return {"delivery_streams": [
            {"name": s["Name"], "account": s["Account"], "region": s["Region"], "arn": s["Arn"], "type": s["Type"],
             "destination": s["Destination"]["Kind"], "bucket": s["Destination"]["Config"]["BucketARN"],
             "buffered_bytes": self._buffered.get(s["Arn"], 0)}
            for s in self.streams.values()]}
