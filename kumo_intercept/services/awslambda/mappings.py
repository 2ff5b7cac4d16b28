"""Event source mappings: SQS queues, DynamoDB streams and Kinesis streams feeding a function.

Delivery is deterministic: the mappings are polled by an emulator poller, which runs after every
outermost intercepted call and in ``aws.drain()``, so work a call makes pending (a message sent, an
item written) is delivered before that call returns. Each pass delivers at most one batch per
mapping (per shard for streams) and reports whether it did work, so the emulator keeps polling until
everything is settled.

* SQS: up to ``BatchSize`` messages per invocation. With ``MaximumBatchingWindowInSeconds`` the batch
  waits until it is full or the window has passed on the emulator clock (advance a virtual clock to
  flush it). Messages are deleted when the function succeeds; on failure they stay in flight and come
  back after the queue's visibility timeout (then the queue's redrive policy moves them to its DLQ).
  With ``FunctionResponseTypes=["ReportBatchItemFailures"]`` only the reported messages stay.
* Streams: records in order per shard from ``StartingPosition``. On failure the batch is retried
  (immediately, ``MaximumRetryAttempts`` times; ``-1``, the default, blocks the shard and retries once
  per poll pass), bisected first with ``BisectBatchOnFunctionError``, and finally sent to the
  ``DestinationConfig.OnFailure`` destination as AWS describes the batch.
* ``FilterCriteria`` patterns (EventBridge syntax) select records; SQS messages that match no filter
  are deleted, stream records that match none are skipped.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from ...core.clock import from_epoch
from ...api import awslambda
from ...core.dispatch import Ctx, RequestContext
from ...core.errors import AwsError, NotEmulatedError
from ...core.ports import StreamPort
from ...core.partitions import arn_prefix, arn_prefix_of
from . import runtime
from .errors import lambda_error as _error
from . import schema

if TYPE_CHECKING:
    from ...emulator import Emulator
    from .backend import Outcome

_SOURCE = re.compile(r"^arn:aws[a-zA-Z-]*:(?P<service>sqs|dynamodb|kinesis):(?P<region>[a-z0-9-]+):"
                     r"(?P<account>\d{12}):(?P<resource>.+)$")
_ITEM_FAILURES = "ReportBatchItemFailures"


def _lambda_json(value: Any) -> Any:
    """``json.dumps`` default for records as other backends return them: bytes as base64, times as
    epoch numbers."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime.datetime):
        stamp = value.timestamp()
        return int(stamp) if stamp == int(stamp) else stamp
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class FunctionHost(Protocol):
    """What event source mappings use of the Lambda backend (which implements it)."""

    def locate(self, ctx: RequestContext, ref: str, qualifier: str | None = None,
               *, allow_qualifier: bool = True) -> tuple[tuple[str, str, str], str | None]: ...
    def has_function(self, key: tuple[str, str, str]) -> bool: ...
    def check_qualifier(self, key: tuple[str, str, str], qualifier: str | None) -> None: ...
    def function_arn_of(self, key: tuple[str, str, str], qualifier: str | None = None) -> str: ...
    def parse_arn(self, function_arn: str, qualifier: str | None) -> tuple[tuple[str, str, str], str | None]: ...
    def version_record(self, key: tuple[str, str, str], qualifier: str | None) -> dict: ...
    def route(self, key: tuple[str, str, str], qualifier: str | None, record: dict) -> dict: ...
    def run(self, key: tuple[str, str, str], record: dict, invoked_arn: str, payload: bytes, request_id: str,
            client_context: dict | None = None) -> Outcome: ...
    def deliver(self, destination: str, document: dict, key: tuple[str, str, str], function_arn: str,
                success: bool) -> None: ...
    def page(self, rows: list, params: Mapping[str, Any], name: str, default_size: int = 50) -> Any: ...


class EventSourceMappings:
    """Event source mappings (a component of the Lambda backend): the mapping records, their read
    positions, the poller that feeds functions, and the mapping handlers the backend delegates to."""

    def __init__(self, emulator: Emulator, host: FunctionHost) -> None:
        self.emulator = emulator
        self.host = host
        store = emulator.store
        self.mappings = schema.EVENT_SOURCE_MAPPINGS.open(store)    # uuid -> record
        #: (uuid, shard) -> {"After": sequence}; ("window", uuid[, shard]) -> when a partial batch began waiting
        self.positions = schema.ESM_POSITIONS.open(store)
        self._order: list[str] | None = None
        self._polling = False
        self.mappings.watch(self._mapping_changed)
        if len(self.mappings):
            self._start_polling()

    def _mapping_changed(self, key: Any, old: Any, new: Any) -> None:
        self._order = None

    def _start_polling(self) -> None:
        if not self._polling:
            self._polling = True
            self.emulator.pollers.append(self._poll_mappings)

    # =============================================================================================
    # the API
    # =============================================================================================
    def _mapping_out(self, uuid: str, record: dict,
                     state: str | None = None) -> awslambda.EventSourceMappingConfiguration:
        kind = record["Kind"]
        out: awslambda.EventSourceMappingConfiguration = {"UUID": uuid}
        if kind != "sqs":
            out["StartingPosition"] = record["StartingPosition"]
            if record.get("StartingPositionTimestamp") is not None:
                out["StartingPositionTimestamp"] = from_epoch(record["StartingPositionTimestamp"])
        out["BatchSize"] = record["BatchSize"]
        out["MaximumBatchingWindowInSeconds"] = record["MaximumBatchingWindowInSeconds"]
        if kind != "sqs":
            out["ParallelizationFactor"] = record.get("ParallelizationFactor", 1)
        out["EventSourceArn"] = record["EventSourceArn"]
        if record.get("FilterCriteria"):
            out["FilterCriteria"] = record["FilterCriteria"]
        out["FunctionArn"] = record["FunctionArn"]
        out["LastModified"] = from_epoch(record["LastModified"])
        if kind != "sqs":
            out["LastProcessingResult"] = record.get("LastProcessingResult", "No records processed")
        out["State"] = state or ("Enabled" if record["Enabled"] else "Disabled")
        out["StateTransitionReason"] = "USER_INITIATED"
        if kind != "sqs":
            on_failure = record.get("OnFailure")
            out["DestinationConfig"] = {"OnFailure": {"Destination": on_failure} if on_failure else {}}
            out["MaximumRecordAgeInSeconds"] = record["MaximumRecordAgeInSeconds"]
            out["BisectBatchOnFunctionError"] = record["BisectBatchOnFunctionError"]
            out["MaximumRetryAttempts"] = record["MaximumRetryAttempts"]
            out["TumblingWindowInSeconds"] = record.get("TumblingWindowInSeconds", 0)
        out["FunctionResponseTypes"] = list(record.get("FunctionResponseTypes") or [])
        if record.get("ScalingConfig"):
            out["ScalingConfig"] = {**record["ScalingConfig"]}
        out["EventSourceMappingArn"] = (f"{arn_prefix(record['Region'])}:lambda:{record['Region']}:{record['Account']}:"
                                        f"event-source-mapping:{uuid}")
        return out

    def _mapping_function(self, ctx: RequestContext, name: str) -> tuple[tuple[str, str, str], str | None, str]:
        key, qualifier = self.host.locate(ctx, name)
        if not self.host.has_function(key):
            raise _error("ResourceNotFoundException", "Function does not exist", 404)
        if qualifier is not None:
            self.host.check_qualifier(key, qualifier)
        return key, qualifier, self.host.function_arn_of(key, qualifier)

    def _check_source(self, ctx: RequestContext, arn: str) -> tuple[str, dict]:
        match = _SOURCE.match(arn)
        if match is None:
            raise _error("InvalidParameterValueException", f"Unrecognized event source: {arn}")
        service = match["service"]
        if service == "sqs":
            try:
                attributes = self.emulator.ports.queues.queue_attributes(arn)
            except (AwsError, KeyError, LookupError):
                raise _error("InvalidParameterValueException",
                             "Error occurred while ReceiveMessage. SQS Error Code: "
                             "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue "
                             "does not exist for this wsdl version.")
            return "sqs", attributes or {}
        if service == "dynamodb":
            if "/stream/" not in match["resource"]:
                raise _error("InvalidParameterValueException", f"Unrecognized event source: {arn}")
            try:
                self.emulator.ports.stream("dynamodbstreams").shard_ids(arn)
            except (AwsError, KeyError, LookupError):
                raise _error("InvalidParameterValueException", f"Stream not found: {arn}")
            return "dynamodb", {}
        try:
            self.emulator.ports.stream("kinesis").shard_ids(arn)
        except NotEmulatedError:
            raise NotEmulatedError("lambda", "CreateEventSourceMapping",
                                   "Kinesis event sources need a Kinesis backend, which is not emulated yet")
        except (AwsError, KeyError, LookupError):
            raise _error("InvalidParameterValueException", f"Stream not found: {arn}")
        return "kinesis", {}

    @staticmethod
    def _check_visibility(queue: dict, function: dict) -> None:
        """AWS refuses an SQS mapping whose messages could reappear while the function still runs."""
        visibility = int(queue.get("VisibilityTimeout", 30))
        if visibility < function["Timeout"]:
            raise _error("InvalidParameterValueException",
                         f"Queue visibility timeout: {visibility} seconds is less than Function timeout: "
                         f"{function['Timeout']} seconds")

    def _mapping_settings(self, kind: str, params: Mapping[str, Any], base: dict, queue: dict | None = None) -> dict:
        record = dict(base)
        for name in ("BatchSize", "MaximumBatchingWindowInSeconds", "ParallelizationFactor",
                     "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "MaximumRetryAttempts",
                     "TumblingWindowInSeconds"):
            if name in params:
                record[name] = params[name]
        if "FilterCriteria" in params:
            criteria = params["FilterCriteria"] or {}
            filters = criteria.get("Filters") or []
            for entry in filters:
                self._compile_filter(entry.get("Pattern", ""))
            record["FilterCriteria"] = {"Filters": [dict(f) for f in filters]} if filters else None
        if "FunctionResponseTypes" in params:
            record["FunctionResponseTypes"] = list(params["FunctionResponseTypes"])
        if "DestinationConfig" in params:
            target = (params["DestinationConfig"].get("OnFailure") or {}).get("Destination")
            if target and kind == "sqs":
                raise _error("InvalidParameterValueException",
                             "Unsupported DestinationConfig parameter for given event source mapping type.")
            record["OnFailure"] = target
        if "ScalingConfig" in params:
            record["ScalingConfig"] = dict(params["ScalingConfig"]) or None
        batch = record["BatchSize"]
        window = record["MaximumBatchingWindowInSeconds"]
        if kind == "sqs":
            fifo = record["EventSourceArn"].endswith(".fifo")
            if batch > (10 if fifo else 10000):
                raise _error("InvalidParameterValueException",
                             f"BatchSize must be less than or equal to {10 if fifo else 10000}.")
            if fifo and window:
                raise _error("InvalidParameterValueException", "Batching window is not supported for FIFO queues")
            if batch > 10 and not window:
                raise _error("InvalidParameterValueException",
                             "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
                             "greater than 10")
        return record

    @staticmethod
    def _compile_filter(pattern: str) -> Any:
        try:
            from ..eventpatterns import PatternError, compile_pattern
        except ImportError:
            raise NotEmulatedError("lambda", None, "FilterCriteria needs services.eventpatterns") from None
        try:
            return compile_pattern(pattern)
        except PatternError as exc:
            raise _error("InvalidParameterValueException", f"Invalid filter pattern definition. {exc}") from None

    def create_event_source_mapping(self, ctx: Ctx[awslambda.CreateEventSourceMappingRequest]) -> awslambda.CreateEventSourceMappingResult:
        params = ctx.params
        arn = params.get("EventSourceArn")
        if not arn:
            raise _error("InvalidParameterValueException", "Unrecognized event source, must be kafka or MQ type")
        kind, queue = self._check_source(ctx, arn)
        key, qualifier, function_arn = self._mapping_function(ctx, params["FunctionName"])
        if kind == "sqs":
            self._check_visibility(queue, self.host.version_record(key, qualifier))
        for uuid, other in self.mappings.items():
            if other["EventSourceArn"] == arn and other["FunctionArn"] == function_arn:
                raise _error("ResourceConflictException",
                             f"The event source arn (\" {arn} \") and function (\" {key[2]} \") provided mapping "
                             f"already exists. Please update or delete the existing mapping with UUID {uuid}", 409)
        if kind == "sqs":
            if params.get("StartingPosition"):
                raise _error("InvalidParameterValueException",
                             "StartingPosition is not valid for SQS event sources.")
        elif not params.get("StartingPosition"):
            raise _error("InvalidParameterValueException",
                         "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
                         "constraint: Member must not be null.")
        uuid = ctx.ids.uuid4()
        base: dict[str, Any] = {
            "Kind": kind, "Account": ctx.account, "Region": ctx.region, "EventSourceArn": arn,
            "FunctionArn": function_arn, "Enabled": params.get("Enabled", True),
            "BatchSize": 10 if kind == "sqs" else 100, "MaximumBatchingWindowInSeconds": 0,
            "MaximumRecordAgeInSeconds": -1, "BisectBatchOnFunctionError": False, "MaximumRetryAttempts": -1,
            "ParallelizationFactor": 1, "TumblingWindowInSeconds": 0, "FilterCriteria": None,
            "FunctionResponseTypes": [], "OnFailure": None, "StartingPosition": params.get("StartingPosition"),
            "StartingPositionTimestamp": (params["StartingPositionTimestamp"].timestamp()
                                          if params.get("StartingPositionTimestamp") else None),
            "Tags": dict(params.get("Tags") or {}), "LastModified": ctx.time(),
            "Seq": max((m.get("Seq", 0) for m in self.mappings.values()), default=0) + 1,
        }
        record = self._mapping_settings(kind, params, base)
        if kind != "sqs" and record["StartingPosition"] == "LATEST":
            self._skip_to_latest(uuid, record)
        self.mappings.put(uuid, record)
        self._start_polling()
        ctx.status = 202
        return self._mapping_out(uuid, record, "Creating")

    def _mapping(self, ctx: RequestContext) -> tuple[str, dict]:
        uuid = ctx.params["UUID"]
        record = self.mappings.get(uuid)
        if record is None:
            raise _error("ResourceNotFoundException",
                         f"The resource you requested does not exist. (Service: Lambda, Status Code: 404, "
                         f"Request ID: {ctx.request_id})", 404)
        return uuid, record

    def get_event_source_mapping(self, ctx: Ctx[awslambda.GetEventSourceMappingRequest]) -> awslambda.GetEventSourceMappingResult:
        return self._mapping_out(*self._mapping(ctx))

    def update_event_source_mapping(self, ctx: Ctx[awslambda.UpdateEventSourceMappingRequest]) -> awslambda.UpdateEventSourceMappingResult:
        uuid, record = self._mapping(ctx)
        params = ctx.params
        updated = self._mapping_settings(record["Kind"], params, record)
        if "FunctionName" in params:
            key, qualifier, updated["FunctionArn"] = self._mapping_function(ctx, params["FunctionName"])
            if record["Kind"] == "sqs":
                self._check_visibility(self.emulator.ports.queues.queue_attributes(record["EventSourceArn"]),
                                       self.host.version_record(key, qualifier))
        if "Enabled" in params:
            updated["Enabled"] = params["Enabled"]
        updated["LastModified"] = ctx.time()
        self.mappings.put(uuid, updated)
        state = "Updating"
        if "Enabled" in params and params["Enabled"] != record["Enabled"]:
            state = "Enabling" if params["Enabled"] else "Disabling"
        ctx.status = 202
        return self._mapping_out(uuid, updated, state)

    def delete_event_source_mapping(self, ctx: Ctx[awslambda.DeleteEventSourceMappingRequest]) -> awslambda.DeleteEventSourceMappingResult:
        uuid, record = self._mapping(ctx)
        self.mappings.delete(uuid)
        for position in [k for k in self.positions.keys() if uuid in k[:2]]:
            self.positions.delete(position)
        ctx.status = 202
        return self._mapping_out(uuid, record, "Deleting")

    def list_event_source_mappings(self, ctx: Ctx[awslambda.ListEventSourceMappingsRequest]) -> awslambda.ListEventSourceMappingsResult:
        params = ctx.params
        function_arn = None
        if params.get("FunctionName"):
            key, qualifier = self.host.locate(ctx, params["FunctionName"])
            function_arn = self.host.function_arn_of(key, qualifier)
        rows = []
        for uuid in self._mapping_order():
            record = self.mappings[uuid]
            if (record["Account"], record["Region"]) != (ctx.account, ctx.region):
                continue
            if params.get("EventSourceArn") and record["EventSourceArn"] != params["EventSourceArn"]:
                continue
            if function_arn and record["FunctionArn"] != function_arn:
                continue
            rows.append(self._mapping_out(uuid, record))
        return self.host.page(rows, params, "EventSourceMappings", 100)

    def summary(self) -> list[dict]:
        return [{"uuid": uuid, "source": self.mappings[uuid]["EventSourceArn"],
                 "function": self.mappings[uuid]["FunctionArn"], "enabled": self.mappings[uuid]["Enabled"],
                 "batch_size": self.mappings[uuid]["BatchSize"]} for uuid in self._mapping_order()]

    # =============================================================================================
    # polling
    # =============================================================================================
    def _mapping_order(self) -> list[str]:
        if self._order is None:
            self._order = [uuid for uuid, _ in sorted(self.mappings.items(), key=lambda item: item[1]["Seq"])]
        return self._order

    def _poll_mappings(self) -> bool:
        did_work = False
        for uuid in self._mapping_order():
            record = self.mappings.get(uuid)
            if record is None or not record["Enabled"]:
                continue
            try:
                target = self._target(record)
            except AwsError:
                continue  # the function (or its alias) is gone: nothing is consumed
            if record["Kind"] == "sqs":
                did_work |= self._poll_queue(uuid, record, target)
            else:
                did_work |= self._poll_stream(uuid, record, target)
        return did_work

    def _target(self, record: dict) -> tuple[tuple[str, str, str], str | None, dict]:
        key, qualifier = self.host.parse_arn(record["FunctionArn"], None)
        return key, qualifier, self.host.version_record(key, qualifier)

    def _window_open(self, window_key: tuple, window: int, count: int, batch: int) -> bool:
        """True while a partial batch should keep waiting for its batching window (whose start is
        kept with the positions, so it survives restarts)."""
        position_key = ("window", *window_key)
        if not window or count >= batch:
            if position_key in self.positions:
                self.positions.delete(position_key)
            return False
        now = self.emulator.clock.time()
        started = self.positions.get(position_key)
        if started is None:
            self.positions.put(position_key, now)
            started = now
        if now - started < window:
            return True
        self.positions.delete(position_key)
        return False

    def _invoke_batch(self, record: dict, target: tuple, event: dict) -> "Outcome":
        key, qualifier, version = target
        version = self.host.route(key, qualifier, version)
        payload = json.dumps(event, default=_lambda_json).encode()
        return self.host.run(key, version, record["FunctionArn"], payload,
                             self.emulator.ids.uuid4())

    @staticmethod
    def _reported_failures(outcome: "Outcome", record: dict) -> list[str] | None:
        """Item identifiers the function reported as failed (``[]``: none); None if the whole batch failed."""
        if outcome.error is not None:
            return None
        if _ITEM_FAILURES not in (record.get("FunctionResponseTypes") or []):
            return []
        try:
            response = json.loads(outcome.payload) if outcome.payload else None
        except ValueError:
            return []
        if not isinstance(response, dict) or not response.get("batchItemFailures"):
            return []
        failures = response["batchItemFailures"]
        if not isinstance(failures, list):
            return None
        identifiers = []
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if not isinstance(identifier, str) or not identifier:
                return None  # a malformed report fails the whole batch, as AWS treats it
            identifiers.append(identifier)
        return identifiers

    def _matchers(self, record: dict) -> list[Any] | None:
        criteria = record.get("FilterCriteria")
        if not criteria:
            return None
        return [self._compile_filter(entry.get("Pattern", "")) for entry in criteria["Filters"]]

    # -- SQS ---------------------------------------------------------------------------------------
    def _poll_queue(self, uuid: str, record: dict, target: tuple) -> bool:
        sqs = self.emulator.ports.queues
        queue_arn = record["EventSourceArn"]
        batch = record["BatchSize"]
        try:
            if record["MaximumBatchingWindowInSeconds"]:
                attributes = sqs.queue_attributes(queue_arn) or {}
                available = int(attributes.get("ApproximateNumberOfMessages", 0))
                if not available or self._window_open((uuid,), record["MaximumBatchingWindowInSeconds"],
                                                      available, batch):
                    return False
            messages: list[dict] = []
            while len(messages) < batch:
                received = sqs.receive_for_consumer(queue_arn, min(10, batch - len(messages)))
                if not received:
                    break
                messages.extend(received)
        except (AwsError, KeyError, LookupError):
            return False  # the queue is gone
        if not messages:
            return False
        region = queue_arn.split(":")[3]
        records = [self._sqs_record(message, queue_arn, region) for message in messages]
        matchers = self._matchers(record)
        if matchers is not None:
            selected = []
            for message, event_record in zip(messages, records):
                if any(match(self._filterable_sqs(event_record)) for match in matchers):
                    selected.append(event_record)
                else:
                    sqs.delete_by_receipt(queue_arn, message["ReceiptHandle"])
            records = selected
            if not records:
                return True
        outcome = self._invoke_batch(record, target, {"Records": records})
        failed = self._reported_failures(outcome, record)
        if failed is None:
            return True  # messages come back after their visibility timeout
        failed_ids = set(failed)
        known = {r["messageId"] for r in records}
        if not failed_ids <= known:
            return True  # an unknown identifier fails the whole batch
        for event_record in records:
            if event_record["messageId"] not in failed_ids:
                sqs.delete_by_receipt(queue_arn, event_record["receiptHandle"])
        return True

    @staticmethod
    def _sqs_record(message: dict, queue_arn: str, region: str) -> dict:
        attributes = {}
        for name, value in (message.get("MessageAttributes") or {}).items():
            converted: dict[str, Any] = {"stringListValues": [], "binaryListValues": [],
                                         "dataType": value.get("DataType", "String")}
            if "StringValue" in value:
                converted["stringValue"] = value["StringValue"]
            if "BinaryValue" in value:
                raw = value["BinaryValue"]
                converted["binaryValue"] = base64.b64encode(raw).decode() if isinstance(raw, bytes) else raw
            attributes[name] = converted
        out = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message.get("Body", ""),
            "attributes": {k: str(v) for k, v in (message.get("Attributes") or {}).items()},
            "messageAttributes": attributes,
            "md5OfBody": message.get("MD5OfBody", ""),
        }
        if message.get("MD5OfMessageAttributes"):
            out["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        out.update(eventSource="aws:sqs", eventSourceARN=queue_arn, awsRegion=region)
        return out

    @staticmethod
    def _filterable_sqs(event_record: dict) -> dict:
        """What SQS filters see: the record, with a JSON body parsed."""
        body = event_record["body"]
        try:
            parsed = json.loads(body)
        except ValueError:
            return event_record
        return {**event_record, "body": parsed} if isinstance(parsed, dict) else event_record

    # -- streams -----------------------------------------------------------------------------------
    def _stream_source(self, record: dict) -> StreamPort:
        return self.emulator.ports.stream("dynamodbstreams" if record["Kind"] == "dynamodb" else "kinesis")

    @staticmethod
    def _sequence(kind: str, raw: dict) -> str:
        return raw["dynamodb"]["SequenceNumber"] if kind == "dynamodb" else raw["SequenceNumber"]

    def _skip_to_latest(self, uuid: str, record: dict) -> None:
        source = self._stream_source(record)
        arn = record["EventSourceArn"]
        for shard in source.shard_ids(arn):
            after = None
            while True:
                batch = source.read_records(arn, shard, after, 1000)
                if not batch:
                    break
                after = self._sequence(record["Kind"], batch[-1])
            if after is not None:
                self.positions.put((uuid, shard), {"After": after})

    def _poll_stream(self, uuid: str, record: dict, target: tuple) -> bool:
        source = self._stream_source(record)
        arn = record["EventSourceArn"]
        kind = record["Kind"]
        did_work = False
        try:
            shards = source.shard_ids(arn)
        except (AwsError, KeyError, LookupError):
            return False
        for shard in shards:
            position = self.positions.get((uuid, shard)) or {}
            raw = source.read_records(arn, shard, position.get("After"), record["BatchSize"])
            if not raw:
                continue
            if kind == "kinesis" and record.get("StartingPositionTimestamp") and not position:
                cutoff = record["StartingPositionTimestamp"]
                skipped = [r for r in raw if r["ApproximateArrivalTimestamp"].timestamp() < cutoff]
                if skipped:
                    self._checkpoint(uuid, shard, self._sequence(kind, skipped[-1]))
                    did_work = True
                    continue
            if self._window_open((uuid, shard), record["MaximumBatchingWindowInSeconds"], len(raw),
                                 record["BatchSize"]):
                continue
            matchers = self._matchers(record)
            events = [self._stream_record(record, shard, r) for r in raw]
            if matchers is not None:
                pairs = [(r, e) for r, e in zip(raw, events)
                         if any(match(self._filterable_stream(kind, e)) for match in matchers)]
                if not pairs:
                    self._checkpoint(uuid, shard, self._sequence(kind, raw[-1]))
                    did_work = True
                    continue
                last = self._sequence(kind, raw[-1])
                raw, events = [p[0] for p in pairs], [p[1] for p in pairs]
            else:
                last = self._sequence(kind, raw[-1])
            if self._deliver_stream(uuid, record, target, shard, raw, events):
                self._checkpoint(uuid, shard, last)
                did_work = True
        return did_work

    def _checkpoint(self, uuid: str, shard: str, sequence: str) -> None:
        self.positions.put((uuid, shard), {"After": sequence})

    def _set_result(self, uuid: str, text: str) -> None:
        record = self.mappings.get(uuid)
        if record is not None and record.get("LastProcessingResult") != text:
            self.mappings.put(uuid, {**record, "LastProcessingResult": text})

    def _deliver_stream(self, uuid: str, record: dict, target: tuple, shard: str, raw: list[dict],
                        events: list[dict]) -> bool:
        """Deliver one batch until it is settled (True) or the shard stays blocked on it (False)."""
        kind = record["Kind"]
        retries = record["MaximumRetryAttempts"]
        attempts = 0
        while True:
            outcome = self._invoke_batch(record, target, {"Records": events})
            failed = self._reported_failures(outcome, record)
            attempts += 1
            if failed == []:
                self._set_result(uuid, "OK")
                return True
            self._set_result(uuid, "PROBLEM: Function call failed")
            if failed:
                sequences = [self._sequence(kind, r) for r in raw]
                indexes = [sequences.index(f) for f in failed if f in sequences]
                first = min(indexes) if len(indexes) == len(failed) else 0
                if first:
                    self._checkpoint(uuid, shard, sequences[first - 1])
                    raw, events = raw[first:], events[first:]
            if record["BisectBatchOnFunctionError"] and len(raw) > 1:
                middle = len(raw) // 2
                if not self._deliver_stream(uuid, record, target, shard, raw[:middle], events[:middle]):
                    return False
                self._checkpoint(uuid, shard, self._sequence(kind, raw[middle - 1]))
                return self._deliver_stream(uuid, record, target, shard, raw[middle:], events[middle:])
            too_old = self._too_old(record, kind, raw)
            if retries == -1 and not too_old:
                return False  # blocked: retried at the next poll pass
            if too_old or attempts > retries:
                if record.get("OnFailure"):
                    self._send_batch_failure(record, target, shard, raw, outcome, attempts)
                return True

    def _too_old(self, record: dict, kind: str, raw: list[dict]) -> bool:
        limit = record["MaximumRecordAgeInSeconds"]
        if limit == -1:
            return False
        first = raw[0]["dynamodb"]["ApproximateCreationDateTime"] if kind == "dynamodb" else \
            raw[0]["ApproximateArrivalTimestamp"]
        stamp = first.timestamp() if isinstance(first, datetime.datetime) else float(first)
        return self.emulator.clock.time() - stamp > limit

    def _send_batch_failure(self, record: dict, target: tuple, shard: str, raw: list[dict], outcome: "Outcome",
                            attempts: int) -> None:
        kind = record["Kind"]

        def arrival(item: dict) -> str:
            stamp = item["dynamodb"]["ApproximateCreationDateTime"] if kind == "dynamodb" else \
                item["ApproximateArrivalTimestamp"]
            epoch = stamp.timestamp() if isinstance(stamp, datetime.datetime) else float(stamp)
            return runtime.iso_millis(epoch)

        response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": outcome.version}
        if outcome.error is not None:
            response_context["functionError"] = "Unhandled"
        info = {
            "shardId": shard, "startSequenceNumber": self._sequence(kind, raw[0]),
            "endSequenceNumber": self._sequence(kind, raw[-1]),
            "approximateArrivalOfFirstRecord": arrival(raw[0]), "approximateArrivalOfLastRecord": arrival(raw[-1]),
            "batchSize": len(raw), "streamArn": record["EventSourceArn"],
        }
        document = {
            "requestContext": {"requestId": outcome.request_id, "functionArn": record["FunctionArn"],
                               "condition": "RetryAttemptsExhausted", "approximateInvokeCount": attempts},
            "responseContext": response_context,
            "version": "1.0",
            "timestamp": runtime.iso_millis(self.emulator.clock.time()),
            ("DDBStreamBatchInfo" if kind == "dynamodb" else "KinesisBatchInfo"): info,
        }
        self.host.deliver(record["OnFailure"], document, target[0], record["FunctionArn"], False)

    @staticmethod
    def _stream_record(record: dict, shard: str, raw: dict) -> dict:
        arn = record["EventSourceArn"]
        if record["Kind"] == "dynamodb":
            event = json.loads(json.dumps(raw, default=_lambda_json))
            event["eventSourceARN"] = arn
            return event
        data = raw.get("Data", b"")
        arrival = raw.get("ApproximateArrivalTimestamp")
        return {
            "kinesis": {
                "kinesisSchemaVersion": "1.0", "partitionKey": raw.get("PartitionKey", ""),
                "sequenceNumber": raw["SequenceNumber"],
                "data": base64.b64encode(data).decode() if isinstance(data, bytes) else data,
                "approximateArrivalTimestamp": arrival.timestamp() if isinstance(arrival, datetime.datetime)
                else arrival,
            },
            "eventSource": "aws:kinesis", "eventVersion": "1.0",
            "eventID": f"{shard}:{raw['SequenceNumber']}", "eventName": "aws:kinesis:record",
            "invokeIdentityArn": f"{arn_prefix_of(arn)}:iam::{record['Account']}:role/kumo-lambda-role",
            "awsRegion": arn.split(":")[3], "eventSourceARN": arn,
        }

    @staticmethod
    def _filterable_stream(kind: str, event: dict) -> dict:
        if kind != "kinesis":
            return event
        try:
            data = json.loads(base64.b64decode(event["kinesis"]["data"]))
        except ValueError:
            return event
        return {**event, "data": data}
