"""CloudWatch Logs: log groups and streams, PutLogEvents with AWS's ordering and size rules,
GetLogEvents with forward/backward tokens, FilterLogEvents with AWS's filter pattern syntax,
retention, tags, subscription filters and metric filters (stored; TestMetricFilter evaluates), and
Logs Insights queries (``insights.py``): StartQuery runs the query at once over the events stored
then, so GetQueryResults finds it ``Complete``. Vended-log delivery sources, destinations and
deliveries are stored configuration (``deliveries.py``); export tasks write the group's events to S3
through the object-store port when they are created (``exports.py``).

Subscription filters whose destination is a Lambda function feed it as AWS does: each write's
matching events arrive as one asynchronous invocation with the gzipped, base64-encoded
``{"awslogs": {"data": …}}`` event. Other destinations (Kinesis, Firehose, Logs destinations) are
stored only.

Internal API (plain Python, for other services):

- ``LogsBackend.put_log_events_internal(account, region, group, stream, events) -> None``: append
  ``events`` (``(timestamp_ms, message)`` pairs, any order) to the stream, creating the group and the
  stream if they are missing. Used by Lambda for function logs and by EventBridge log-group targets.
- ``LogsBackend.read_log_events_internal(account, region, group_patterns, start_ms, end_ms)``: the
  ``(timestamp, message, ingestion time)`` events of the groups named (``name*`` a prefix), oldest first;
  CloudWatch's GetInsightRuleReport runs a Contributor Insights rule over them.

Retention is applied lazily: events older than the group's retention are not returned.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from typing import Any, Mapping, Sequence, cast

from ...api import logs as api
from ...core.dispatch import Ctx, RequestContext, ServiceBackend
from ...core.errors import AwsError
from ...core.partitions import arn_prefix
from ...core.tokens import decode_token, encode_token
from ...core.validation import check_input
from .deliveries import DeliveryOperations
from .exports import ExportOperations
from .filters import FilterError, compile_filter
from .insights import QueryError, make_record, run_query
from . import schema

_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                   2922, 3288, 3653)
_DAY_MS = 86_400_000
_MAX_BATCH_BYTES = 1_048_576
_EVENT_OVERHEAD = 26
_MAX_EVENT_BYTES = 262_144 - _EVENT_OVERHEAD
_DEFAULT_PAGE = 50
_MAX_EVENTS = 10_000
_TOKEN_DIGITS = 56
_TS_DIGITS = 16


def _invalid(message: str) -> AwsError:
    return api.invalid_parameter_exception(message)


def _from_token(token: str | None) -> Any:
    """The value a NextToken of ours carries; AWS's error for anything else."""
    return decode_token(token, _invalid("The specified nextToken is invalid."))


def _missing(message: str) -> AwsError:
    return api.resource_not_found_exception(message)



class LogsBackend(DeliveryOperations, ExportOperations, ServiceBackend):
    service_name = "logs"
    #: the model's limits (filter name 512, pattern 1024, one metric transformation, limit 10000) in
    #: AWS's "1 validation error detected" words (recorded from AWS: LocalStack's
    #: test_put_metric_filter_invalid_*, test_get_log_events_limit_validation, ...); group and stream
    #: names are checked in their own words below
    input_error_code = "InvalidParameterException"
    #: moto's aws_verified test_arn_formats_log_group_and_stream, test_describe_too_many_log_*,
    #: test_describe_log_streams_invalid_order_by and test_delete_metric_filter_invalid_* record the same
    #: words for DescribeLogGroups/LogStreams and the metric filter calls
    input_checked_operations = frozenset({"PutMetricFilter", "PutSubscriptionFilter", "GetLogEvents",
                                          "FilterLogEvents", "TestMetricFilter", "DescribeLogGroups",
                                          "DescribeLogStreams", "DescribeMetricFilters",
                                          "DescribeSubscriptionFilters", "DeleteSubscriptionFilter"})

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.groups = schema.GROUPS.open_ordered(self.store)            # (account, region, group)
        self.streams = schema.STREAMS.open_ordered(self.store)          # (account, region, group, stream)
        self.events = schema.EVENTS.open_ordered(self.store)            # (account, region, group, stream, ts, seq)
        self.subscription_filters = schema.SUBSCRIPTION_FILTERS.open_ordered(self.store)  # (a, r, group, name)
        self.metric_filters = schema.METRIC_FILTERS.open_ordered(self.store)              # (a, r, group, name)
        self.resource_policies = schema.RESOURCE_POLICIES.open_ordered(self.store)  # (account, region, name)
        self.destinations = schema.DESTINATIONS.open_ordered(self.store)            # (account, region, name)
        self.queries = schema.QUERIES.open_ordered(self.store)                      # (account, region, id)
        self.delivery_sources = schema.DELIVERY_SOURCES.open_ordered(self.store)    # (account, region, name)
        self.delivery_destinations = schema.DELIVERY_DESTINATIONS.open_ordered(self.store)  # (a, r, name)
        self.deliveries = schema.DELIVERIES.open_ordered(self.store)                # (account, region, id)
        self.export_tasks = schema.EXPORT_TASKS.open_ordered(self.store)            # (account, region, id)
        # derived: group key -> [(filter name, matcher, destination arn)] of its subscription filters
        self._subscribers: dict[tuple, list[tuple[str, Any, str]]] = {}
        self.subscription_filters.watch(lambda key, old, new: self._subscribers.pop(key[:3], None))

    # -- helpers -----------------------------------------------------------------------------------
    @staticmethod
    def _group_arn(key: tuple, star: bool = True) -> str:
        account, region, name = key
        return f"{arn_prefix(region)}:logs:{region}:{account}:log-group:{name}" + (":*" if star else "")

    def _group_key(self, ctx: RequestContext[Any], name: str | None = None, identifier: str | None = None) -> tuple:
        params = ctx.params
        name = name or params.get("logGroupName")
        identifier = identifier or params.get("logGroupIdentifier")
        if name and identifier:  # LocalStack's AWS-recorded test_describe_log_streams_with_log_group_identifier
            raise api.validation_exception("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
        if identifier and identifier.startswith("arn:"):
            parts = identifier.split(":")
            if len(parts) < 7 or parts[5] != "log-group":
                raise _invalid("The specified log group identifier is not valid.")
            return parts[4], parts[3], parts[6]
        name = name or identifier
        if not name:
            raise _invalid("Either logGroupName or logGroupIdentifier must be specified.")
        return ctx.account, ctx.region, name

    def _group(self, key: tuple) -> dict:
        group = self.groups.get(key)
        if group is None:
            raise _missing("The specified log group does not exist.")
        return group

    def _stream(self, group_key: tuple, name: str) -> tuple[tuple, dict]:
        self._group(group_key)
        key = (*group_key, name)
        stream = self.streams.get(key)
        if stream is None:
            raise _missing("The specified log stream does not exist.")
        return key, stream

    def _new_group(self, key: tuple, now: float, **fields: Any) -> dict:
        record: dict[str, Any] = {"Created": int(now * 1000), "Retention": None, "KmsKeyId": None, "Tags": {},
                  "Class": "STANDARD", "StoredBytes": 0}
        record.update(fields)
        self.groups.put(key, record)
        return record

    def _new_stream(self, key: tuple, now: float) -> dict:
        record = {"Created": int(now * 1000), "First": None, "Last": None, "Ingested": None, "Seq": 0,
                  "StoredBytes": 0}
        self.streams.put(key, record)
        return record

    def _cutoff(self, group: dict, now: float) -> int | None:
        retention = group.get("Retention")
        return int(now * 1000) - retention * _DAY_MS if retention else None

    # -- groups ------------------------------------------------------------------------------------
    def create_log_group(self, ctx: Ctx[api.CreateLogGroupRequest]) -> api.CreateLogGroupResult:
        params = ctx.params
        key = (ctx.account, ctx.region, params["logGroupName"])
        self._check_group_name(key[2])
        if key in self.groups:
            raise api.resource_already_exists_exception("The specified log group already exists")
        self._new_group(key, ctx.time(), KmsKeyId=params.get("kmsKeyId"), Tags=dict(params.get("tags") or {}),
                        Class=params.get("logGroupClass") or "STANDARD")
        return {}

    @staticmethod
    def _check_name_length(name: str) -> None:
        if len(name) > 512:  # recorded: LocalStack's test_create_log_group_invalid_name_length
            raise _invalid("Invalid LogGroup or LogStream, both must have length less than or equal to 512.")

    def _check_group_name(self, name: str) -> None:
        self._check_name_length(name)
        if not re.fullmatch(r"[\.\-_/#A-Za-z0-9]+", name):
            raise _invalid(f"1 validation error detected: Value '{name}' at 'logGroupName' failed to satisfy "
                           "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+")

    def delete_log_group(self, ctx: Ctx[api.DeleteLogGroupRequest]) -> api.DeleteLogGroupResult:
        key = self._group_key(ctx)
        self._group(key)
        for table in (self.events, self.streams, self.subscription_filters, self.metric_filters):
            for item in list(table.irange((*key, ""), (*key, "\U0010ffff"))):
                table.delete(item)
        self.groups.delete(key)
        return {}

    def _group_view(self, key: tuple, group: dict) -> api.LogGroup:
        metric_filters = sum(1 for _ in self.metric_filters.irange((*key, ""), (*key, "\U0010ffff")))
        view: api.LogGroup = {
            "logGroupName": key[2],
            "creationTime": group["Created"],
            "metricFilterCount": metric_filters,
            "arn": self._group_arn(key),
            "storedBytes": group["StoredBytes"],
        }
        if group.get("Retention"):
            view["retentionInDays"] = group["Retention"]
        if group.get("KmsKeyId"):
            view["kmsKeyId"] = group["KmsKeyId"]
        view["logGroupClass"] = group.get("Class", "STANDARD")
        view["logGroupArn"] = self._group_arn(key, star=False)
        return view

    def describe_log_groups(self, ctx: Ctx[api.DescribeLogGroupsRequest]) -> api.DescribeLogGroupsResult:
        params = ctx.params
        prefix = params.get("logGroupNamePrefix") or ""
        pattern = params.get("logGroupNamePattern")
        if prefix and pattern:
            raise _invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
        limit = params.get("limit") or _DEFAULT_PAGE
        start = _from_token(params.get("nextToken"))
        low = (ctx.account, ctx.region, max(prefix, start) if start else prefix)
        groups: list[api.LogGroup] = []
        output: api.DescribeLogGroupsResponse = {"logGroups": groups}
        wanted_class = params.get("logGroupClass")
        for key, group in self.groups.items_range(low, (ctx.account, ctx.region, prefix + "\U0010ffff")):
            if pattern and pattern.lower() not in key[2].lower():
                continue
            if wanted_class and group.get("Class", "STANDARD") != wanted_class:
                continue
            if len(groups) == limit:
                output["nextToken"] = encode_token(key[2])
                break
            groups.append(self._group_view(key, group))
        return output

    def list_log_groups(self, ctx: Ctx[api.ListLogGroupsRequest]) -> api.ListLogGroupsResult:
        params = ctx.params
        pattern = params.get("logGroupNamePattern")
        limit = params.get("limit") or _DEFAULT_PAGE
        start = _from_token(params.get("nextToken")) or ""
        groups: list[api.LogGroupSummary] = []
        output: api.ListLogGroupsResponse = {"logGroups": groups}
        for key, group in self.groups.items_range((ctx.account, ctx.region, start),
                                                  (ctx.account, ctx.region + "\x00"), inclusive=(True, False)):
            if pattern and pattern.lower() not in key[2].lower():
                continue
            if len(groups) == limit:
                output["nextToken"] = encode_token(key[2])
                break
            groups.append({"logGroupName": key[2], "logGroupArn": self._group_arn(key, star=False),
                           "logGroupClass": group.get("Class", "STANDARD")})
        return output

    def put_retention_policy(self, ctx: Ctx[api.PutRetentionPolicyRequest]) -> api.PutRetentionPolicyResult:
        key = self._group_key(ctx)
        days = ctx.params["retentionInDays"]
        if days not in _RETENTION_DAYS:
            raise _invalid(f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy "
                           f"constraint: Member must satisfy enum value set: "
                           f"[{', '.join(str(d) for d in _RETENTION_DAYS)}]")
        group = self._group(key)
        self.groups.put(key, {**group, "Retention": days})
        return {}

    def delete_retention_policy(self, ctx: Ctx[api.DeleteRetentionPolicyRequest]) -> api.DeleteRetentionPolicyResult:
        key = self._group_key(ctx)
        group = self._group(key)
        self.groups.put(key, {**group, "Retention": None})
        return {}

    # -- tags -------------------------------------------------------------------------------------
    def tag_log_group(self, ctx: Ctx[api.TagLogGroupRequest]) -> api.TagLogGroupResult:
        key = self._group_key(ctx)
        group = self._group(key)
        self.groups.put(key, {**group, "Tags": {**group["Tags"], **ctx.params["tags"]}})
        return {}

    def untag_log_group(self, ctx: Ctx[api.UntagLogGroupRequest]) -> api.UntagLogGroupResult:
        key = self._group_key(ctx)
        group = self._group(key)
        drop = set(ctx.params["tags"])
        self.groups.put(key, {**group, "Tags": {k: v for k, v in group["Tags"].items() if k not in drop}})
        return {}

    def list_tags_log_group(self, ctx: Ctx[api.ListTagsLogGroupRequest]) -> api.ListTagsLogGroupResult:
        group = self._group(self._group_key(ctx))
        return {"tags": dict(group["Tags"])}

    def _tagged(self, arn: str) -> tuple[Any, str, tuple, dict]:
        """The table, tags field, key and record of the taggable resource ``arn`` names: a log group,
        a destination, or a delivery source, destination or delivery (TagResource's resource types)."""
        parts = arn.split(":")
        if len(parts) < 6 or parts[2] != "logs":
            raise _invalid(f"Invalid ARN: {arn}")
        kinds = {"log-group": (self.groups, "Tags"), "destination": (self.destinations, "tags"),
                 "delivery-source": (self.delivery_sources, "tags"),
                 "delivery-destination": (self.delivery_destinations, "tags"), "delivery": (self.deliveries, "tags")}
        table, field = kinds.get(parts[5], (None, ""))
        key = (parts[4], parts[3], parts[6]) if len(parts) > 6 else ()
        record = table.get(key) if table is not None and key else None
        if record is None:
            raise _missing("The specified resource does not exist.")
        return table, field, key, record

    def tag_resource(self, ctx: Ctx[api.TagResourceRequest]) -> api.TagResourceResult:
        table, field, key, record = self._tagged(ctx.params["resourceArn"])
        tags = {**(record.get(field) or {}), **ctx.params["tags"]}
        if len(tags) > 50:
            raise AwsError("TooManyTagsException", "A resource can have no more than 50 tags.", 400,
                           fields={"resourceName": ctx.params["resourceArn"]})
        table.put(key, {**record, field: tags})
        return {}

    def untag_resource(self, ctx: Ctx[api.UntagResourceRequest]) -> api.UntagResourceResult:
        table, field, key, record = self._tagged(ctx.params["resourceArn"])
        drop = set(ctx.params["tagKeys"])
        table.put(key, {**record, field: {k: v for k, v in (record.get(field) or {}).items() if k not in drop}})
        return {}

    def list_tags_for_resource(self, ctx: Ctx[api.ListTagsForResourceRequest]) -> api.ListTagsForResourceResult:
        _table, field, _key, record = self._tagged(ctx.params["resourceArn"])
        return {"tags": dict(record.get(field) or {})}

    # -- streams ----------------------------------------------------------------------------------
    def create_log_stream(self, ctx: Ctx[api.CreateLogStreamRequest]) -> api.CreateLogStreamResult:
        group_key = self._group_key(ctx)
        self._group(group_key)
        name = ctx.params["logStreamName"]
        self._check_name_length(name)
        if ":" in name or "*" in name:
            raise _invalid(f"1 validation error detected: Value '{name}' at 'logStreamName' failed to satisfy "
                           "constraint: Member must satisfy regular expression pattern: [^:*]*")
        key = (*group_key, name)
        if key in self.streams:
            raise api.resource_already_exists_exception("The specified log stream already exists")
        self._new_stream(key, ctx.time())
        return {}

    def delete_log_stream(self, ctx: Ctx[api.DeleteLogStreamRequest]) -> api.DeleteLogStreamResult:
        key, stream = self._stream(self._group_key(ctx), ctx.params["logStreamName"])
        group_key = key[:3]
        for item in list(self.events.irange((*key, -(1 << 62)), (*key, 1 << 62))):
            self.events.delete(item)
        self.streams.delete(key)
        group = self.groups[group_key]
        self.groups.put(group_key, {**group, "StoredBytes": max(0, group["StoredBytes"] - stream["StoredBytes"])})
        return {}

    def describe_log_streams(self, ctx: Ctx[api.DescribeLogStreamsRequest]) -> api.DescribeLogStreamsResult:
        params = ctx.params
        group_key = self._group_key(ctx)
        self._group(group_key)
        prefix = params.get("logStreamNamePrefix") or ""
        order = params.get("orderBy") or "LogStreamName"
        descending = bool(params.get("descending"))
        if prefix and order == "LastEventTime":
            raise _invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
        limit = params.get("limit") or _DEFAULT_PAGE
        items = list(self.streams.items_range((*group_key, prefix), (*group_key, prefix + "\U0010ffff")))
        if order == "LastEventTime":
            items.sort(key=lambda item: (item[1]["Last"] or 0, item[0][3]))
        if descending:
            items.reverse()
        start = _from_token(params.get("nextToken")) or 0
        page = items[start:start + limit]
        output: api.DescribeLogStreamsResponse = {"logStreams": [self._stream_view(k, s) for k, s in page]}
        if start + limit < len(items):
            output["nextToken"] = encode_token(start + limit)
        return output

    def _stream_view(self, key: tuple, stream: dict) -> api.LogStream:
        view: api.LogStream = {"logStreamName": key[3], "creationTime": stream["Created"]}
        if stream["First"] is not None:
            view["firstEventTimestamp"] = stream["First"]
            view["lastEventTimestamp"] = stream["Last"]
            view["lastIngestionTime"] = stream["Ingested"]
        view["uploadSequenceToken"] = f"{49_000_000_000_000_000_000_000_000_000_000_000_000_000 + stream['Seq']:056d}"
        view["arn"] = f"{self._group_arn(key[:3], star=False)}:log-stream:{key[3]}"
        view["storedBytes"] = 0
        return view

    # -- writing ----------------------------------------------------------------------------------
    def put_log_events(self, ctx: Ctx[api.PutLogEventsRequest]) -> api.PutLogEventsResult:
        params = ctx.params
        group_key = self._group_key(ctx)
        stream_key, stream = self._stream(group_key, params["logStreamName"])
        events = params["logEvents"]
        if len(events) > _MAX_EVENTS:
            raise _invalid("1 validation error detected: Value at 'logEvents' failed to satisfy constraint: "
                           "Member must have length less than or equal to 10000")
        size = 0
        previous = None
        for event in events:
            message = event["message"]
            length = len(message.encode())
            if length > _MAX_EVENT_BYTES:
                raise _invalid("Log event too large: the maximum size of a log event is 256 KB (including 26 "
                               "bytes of overhead).")
            size += length + _EVENT_OVERHEAD
            timestamp = event["timestamp"]
            if previous is not None and timestamp < previous:
                raise _invalid("Log events in a single PutLogEvents request must be in chronological order.")
            previous = timestamp
        if size > _MAX_BATCH_BYTES:
            raise _invalid("Upload too large: the maximum batch size is 1,048,576 bytes.")
        if events and events[-1]["timestamp"] - events[0]["timestamp"] > _DAY_MS:
            raise _invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
        now = ctx.time()
        now_ms = int(now * 1000)
        group = self.groups[group_key]
        too_old_end = expired_end = too_new_start = None
        cutoff = self._cutoff(group, now)
        accepted = []
        for index, event in enumerate(events):
            timestamp = event["timestamp"]
            if timestamp > now_ms + 2 * 3_600_000:
                if too_new_start is None:
                    too_new_start = index
                continue
            if timestamp < now_ms - 14 * _DAY_MS:
                too_old_end = index + 1
                continue
            if cutoff is not None and timestamp < cutoff:
                expired_end = index + 1
                continue
            accepted.append((timestamp, event["message"]))
        self._append(stream_key, stream, group_key, group, accepted, now_ms)
        token = self._stream_view(stream_key, self.streams[stream_key])["uploadSequenceToken"]
        output: api.PutLogEventsResponse = {"nextSequenceToken": token}
        rejected: api.RejectedLogEventsInfo = {}
        if too_new_start is not None:
            rejected["tooNewLogEventStartIndex"] = too_new_start
        if too_old_end is not None:
            rejected["tooOldLogEventEndIndex"] = too_old_end
        if expired_end is not None:
            rejected["expiredLogEventEndIndex"] = expired_end
        if rejected:
            output["rejectedLogEventsInfo"] = rejected
        return output

    def _append(self, stream_key: tuple, stream: dict, group_key: tuple, group: dict,
                events: list[tuple[int, str]], now_ms: int) -> None:
        if not events:
            return
        seq = stream["Seq"]
        stored = 0
        put = self.events.put
        first, last = stream["First"], stream["Last"]
        for timestamp, message in events:
            seq += 1
            put((*stream_key, timestamp, seq), [message, now_ms])
            stored += len(message.encode()) + _EVENT_OVERHEAD
            first = timestamp if first is None or timestamp < first else first
            last = timestamp if last is None or timestamp > last else last
        self.streams.put(stream_key, {**stream, "Seq": seq, "First": first, "Last": last, "Ingested": now_ms,
                                      "StoredBytes": stream["StoredBytes"] + stored})
        self.groups.put(group_key, {**group, "StoredBytes": group["StoredBytes"] + stored})
        subscribers = self._subscribers.get(group_key)
        if subscribers is None:
            subscribers = self._subscribers[group_key] = [
                (key[3], compile_filter(record["filterPattern"]), record["destinationArn"])
                for key, record in self.subscription_filters.items_range((*group_key, ""),
                                                                          (*group_key, "\U0010ffff"))]
        for name, matcher, destination in subscribers:
            matched = [(timestamp, message, stream["Seq"] + index + 1)
                       for index, (timestamp, message) in enumerate(events) if matcher(message) is not None]
            if matched:
                self._send_to_subscriber(stream_key, name, destination, matched)

    def _send_to_subscriber(self, stream_key: tuple, name: str, destination: str,
                            events: list[tuple[int, str, int]]) -> None:
        """A subscription filter's delivery: Lambda functions get AWS's gzipped ``awslogs`` event."""
        if destination.split(":")[2:3] != ["lambda"]:
            return  # Kinesis, Firehose and cross-account destinations are stored, not fed
        account, _region, group, stream = stream_key
        document = {
            "messageType": "DATA_MESSAGE", "owner": account, "logGroup": group, "logStream": stream,
            "subscriptionFilters": [name],
            "logEvents": [{"id": f"{timestamp:020d}{seq:036d}", "timestamp": timestamp, "message": message}
                          for timestamp, message, seq in events],
        }
        data = base64.b64encode(gzip.compress(json.dumps(document).encode(), mtime=0)).decode()
        payload = json.dumps({"awslogs": {"data": data}}).encode()
        self.emulator.ports.functions.invoke_internal(destination, payload, invocation_type="Event")

    def put_log_events_internal(self, account: str, region: str, group: str, stream: str,
                                events: list[tuple[int, str]]) -> None:
        """Append events to a stream, creating the group and stream if needed (Lambda, EventBridge)."""
        with self.emulator.lock:
            self._put_internal(account, region, group, stream, events)

    def _put_internal(self, account: str, region: str, group: str, stream: str,
                      events: list[tuple[int, str]]) -> None:
        now = self.emulator.clock.time()
        group_key = (account, region, group)
        group_record = self.groups.get(group_key) or self._new_group(group_key, now)
        stream_key = (*group_key, stream)
        stream_record = self.streams.get(stream_key) or self._new_stream(stream_key, now)
        ordered = sorted(((int(ts), str(msg)) for ts, msg in events), key=lambda e: e[0])
        self._append(stream_key, stream_record, group_key, group_record, ordered, int(now * 1000))

    def read_log_events_internal(self, account: str, region: str, group_patterns: Sequence[str], start_ms: int,
                                 end_ms: int) -> list[tuple[int, str, int]]:
        """The events of the named groups (``name*`` a prefix) in ``[start_ms, end_ms)``, oldest first,
        within each group's retention: what a Contributor Insights rule reads (CloudWatch)."""
        now = self.emulator.clock.time()
        found: list[tuple[int, str, int]] = []
        for group_key in self._groups_named(account, region, group_patterns):
            cutoff = self._cutoff(self.groups[group_key], now)
            low = start_ms if cutoff is None else max(start_ms, cutoff)
            for stream_key in self.streams.irange((*group_key, ""), (*group_key, "\U0010ffff")):
                found.extend((key[4], message, ingested)
                             for key, (message, ingested) in self._stream_events(stream_key, low, end_ms))
        found.sort(key=lambda event: event[0])
        return found

    def _groups_named(self, account: str, region: str, patterns: Sequence[str]) -> list[tuple]:
        """The keys of the existing groups that ``patterns`` name (a trailing ``*`` makes a prefix), once each."""
        keys: set[tuple] = set()
        for pattern in patterns:
            if pattern.endswith("*"):
                keys.update(self.groups.irange((account, region, pattern[:-1]),
                                               (account, region, pattern[:-1] + "\U0010ffff")))
            elif (account, region, pattern) in self.groups:
                keys.add((account, region, pattern))
        return sorted(keys)

    # -- reading ----------------------------------------------------------------------------------
    def _stream_events(self, stream_key: tuple, start: int | None, end: int | None) -> list[tuple[tuple, Any]]:
        low = (*stream_key, start if start is not None else -(1 << 62))
        high = (*stream_key, end if end is not None else (1 << 62))
        return list(self.events.items_range(low, high, inclusive=(True, False)))

    @staticmethod
    def _token(direction: str, timestamp: int, seq: int) -> str:
        return f"{direction}/{timestamp + (1 << 50):0{_TS_DIGITS}d}{seq:0{_TOKEN_DIGITS - _TS_DIGITS}d}"

    @staticmethod
    def _parse_token(token: str) -> tuple[str, tuple[int, int]]:
        direction, _, digits = token.partition("/")
        if direction not in ("f", "b") or len(digits) != _TOKEN_DIGITS or not digits.isdigit():
            raise _invalid("The specified nextToken is invalid.")
        return direction, (int(digits[:_TS_DIGITS]) - (1 << 50), int(digits[_TS_DIGITS:]))

    def get_log_events(self, ctx: Ctx[api.GetLogEventsRequest]) -> api.GetLogEventsResult:
        params = ctx.params
        group_key = self._group_key(ctx)
        stream_key, _stream = self._stream(group_key, params["logStreamName"])
        group = self.groups[group_key]
        cutoff = self._cutoff(group, ctx.time())
        start = params.get("startTime")
        if cutoff is not None:
            start = cutoff if start is None else max(start, cutoff)
        low = (*stream_key, start if start is not None else -(1 << 62), 0)
        high = (*stream_key, params.get("endTime") if params.get("endTime") is not None else (1 << 62), 0)
        limit = params.get("limit") or _MAX_EVENTS
        token = params.get("nextToken")
        if token:
            direction, position = self._parse_token(token)
            forward = direction == "f"
            if forward:
                low = max(low, (*stream_key, *position))
            else:
                high = min(high, (*stream_key, *position))
        else:
            forward = bool(params.get("startFromHead"))
        keys = self.events.irange(low, high, inclusive=(True, False), reverse=not forward)
        chosen: list[tuple[tuple, Any]] = []
        total = 0
        for key in keys:
            value = self.events[key]
            total += len(value[0].encode()) + _EVENT_OVERHEAD
            if len(chosen) == limit or (total > _MAX_BATCH_BYTES and chosen):
                break
            chosen.append((key, value))
        if not forward:
            chosen.reverse()
        if chosen:
            first, last = chosen[0][0], chosen[-1][0]
            forward_token = self._token("f", last[4], last[5] + 1)
            backward_token = self._token("b", first[4], first[5])
        elif token:
            forward_token = backward_token = token
            if forward:
                backward_token = "b/" + token[2:]
            else:
                forward_token = "f/" + token[2:]
        else:
            edge = low if forward else high
            forward_token = self._token("f", edge[4], edge[5])
            backward_token = self._token("b", edge[4], edge[5])
        return {
            "events": [{"timestamp": key[4], "message": value[0], "ingestionTime": value[1]}
                       for key, value in chosen],
            "nextForwardToken": forward_token,
            "nextBackwardToken": backward_token,
        }

    def filter_log_events(self, ctx: Ctx[api.FilterLogEventsRequest]) -> api.FilterLogEventsResult:
        params = ctx.params
        group_key = self._group_key(ctx)
        group = self._group(group_key)
        names = params.get("logStreamNames")
        prefix = params.get("logStreamNamePrefix")
        if names and prefix:
            raise _invalid("logStreamNames and logStreamNamePrefix are mutually exclusive")
        try:
            matcher = compile_filter(params.get("filterPattern"))
        except FilterError:
            raise _invalid("Invalid filter pattern") from None
        start = params.get("startTime")
        cutoff = self._cutoff(group, ctx.time())
        if cutoff is not None:
            start = cutoff if start is None else max(start, cutoff)
        end = params.get("endTime")
        if names:
            stream_keys = [(*group_key, name) for name in names if (*group_key, name) in self.streams]
        else:
            stream_prefix = prefix or ""
            stream_keys = list(self.streams.irange((*group_key, stream_prefix),
                                                   (*group_key, stream_prefix + "\U0010ffff")))
        found: list[tuple[int, str, int, str, int]] = []
        for stream_key in stream_keys:
            for key, (message, ingested) in self._stream_events(stream_key, start, end):
                if matcher(message) is not None:
                    found.append((key[4], key[3], key[5], message, ingested))
        found.sort()
        resume = _from_token(params.get("nextToken"))
        if resume:
            resume_at = tuple(resume)
            found = [item for item in found if item[:3] >= resume_at]
        limit = params.get("limit") or _MAX_EVENTS
        page = found[:limit]
        output: api.FilterLogEventsResponse = {
            "events": [{
                "logStreamName": stream,
                "timestamp": timestamp,
                "message": message,
                "ingestionTime": ingested,
                "eventId": f"{timestamp:020d}{seq:036d}",
            } for timestamp, stream, seq, message, ingested in page],
            "searchedLogStreams": [{"logStreamName": k[3], "searchedCompletely": len(found) <= limit}
                                   for k in stream_keys],
        }
        if len(found) > limit:
            output["nextToken"] = encode_token(list(found[limit][:3]))
        return output

    # -- subscription and metric filters ----------------------------------------------------------
    def _check_pattern(self, text: str | None) -> None:
        try:
            compile_filter(text)
        except FilterError:
            raise _invalid("Invalid character(s) in term") from None

    def put_subscription_filter(self, ctx: Ctx[api.PutSubscriptionFilterRequest]) -> api.PutSubscriptionFilterResult:
        params = ctx.params
        group_key = self._group_key(ctx)
        destination_parts = params["destinationArn"].split(":")
        if destination_parts[2:3] == ["lambda"] and destination_parts[4:5] != [group_key[0]]:
            # checked before the group (LocalStack's AWS-recorded test_put_subscription_filter_errors)
            raise api.access_denied_exception(
                "Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies to create "
                "cross account lambda triggers.")
        self._group(group_key)
        self._check_pattern(params["filterPattern"])
        key = (*group_key, params["filterName"])
        existing = list(self.subscription_filters.irange((*group_key, ""), (*group_key, "\U0010ffff")))
        if key not in self.subscription_filters and len(existing) >= 2:
            raise api.limit_exceeded_exception("Resource limit exceeded.")
        destination = params["destinationArn"]
        parts = destination.split(":")
        if parts[0] != "arn" or len(parts) < 6:
            raise _invalid("Invalid destination ARN")
        vendor = parts[2]
        if vendor in ("kinesis", "firehose") and not params.get("roleArn"):  # test_put_subscription_filter_errors
            raise _invalid(f"destinationArn for vendor {vendor} cannot be used without roleArn")
        self.subscription_filters.put(key, {
            "filterPattern": params["filterPattern"], "destinationArn": destination,
            "roleArn": params.get("roleArn"), "distribution": params.get("distribution") or "ByLogStream",
            "applyOnTransformedLogs": bool(params.get("applyOnTransformedLogs")),
            "creationTime": int(ctx.time() * 1000),
        })
        return {}

    def describe_subscription_filters(self, ctx: Ctx[api.DescribeSubscriptionFiltersRequest]) -> api.DescribeSubscriptionFiltersResult:
        params = ctx.params
        group_key = self._group_key(ctx)
        self._group(group_key)
        prefix = params.get("filterNamePrefix") or ""
        items = []
        for key, record in self.subscription_filters.items_range((*group_key, prefix),
                                                                 (*group_key, prefix + "\U0010ffff")):
            view = {"filterName": key[3], "logGroupName": key[2], **{k: v for k, v in record.items() if v is not None}}
            items.append(view)
        return cast(api.DescribeSubscriptionFiltersResponse, self._page(items, params, "subscriptionFilters"))

    def delete_subscription_filter(self, ctx: Ctx[api.DeleteSubscriptionFilterRequest]) -> api.DeleteSubscriptionFilterResult:
        group_key = self._group_key(ctx)
        self._group(group_key)
        if self.subscription_filters.delete((*group_key, ctx.params["filterName"])) is None:
            raise _missing("The specified subscription filter does not exist.")
        return {}

    def put_metric_filter(self, ctx: Ctx[api.PutMetricFilterRequest]) -> api.PutMetricFilterResult:
        params = ctx.params
        group_key = self._group_key(ctx)
        self._group(group_key)
        self._check_pattern(params["filterPattern"])
        self.metric_filters.put((*group_key, params["filterName"]), {
            "filterPattern": params["filterPattern"],
            "metricTransformations": [dict(t) for t in params["metricTransformations"]],
            "creationTime": int(ctx.time() * 1000),
            "applyOnTransformedLogs": bool(params.get("applyOnTransformedLogs")),
        })
        return {}

    def describe_metric_filters(self, ctx: Ctx[api.DescribeMetricFiltersRequest]) -> api.DescribeMetricFiltersResult:
        params = ctx.params
        name = params.get("logGroupName")
        metric_name, namespace = params.get("metricName"), params.get("metricNamespace")
        if bool(metric_name) != bool(namespace):
            raise _invalid("metricName and metricNamespace must be specified together.")
        prefix = params.get("filterNamePrefix") or ""
        low: tuple[str, ...]
        high: tuple[str, ...]
        if name:
            low, high = (ctx.account, ctx.region, name, prefix), (ctx.account, ctx.region, name, prefix + "\U0010ffff")
        else:
            if prefix:
                raise _invalid("filterNamePrefix requires logGroupName.")
            low, high = (ctx.account, ctx.region), (ctx.account, ctx.region + "\x00")
        items = []
        for key, record in self.metric_filters.items_range(low, high, inclusive=(True, False)):
            if metric_name and not any(t["metricName"] == metric_name and t["metricNamespace"] == namespace
                                       for t in record["metricTransformations"]):
                continue
            items.append({"filterName": key[3], "filterPattern": record["filterPattern"],
                          "metricTransformations": [dict(t) for t in record["metricTransformations"]],
                          "creationTime": record["creationTime"], "logGroupName": key[2],
                          "applyOnTransformedLogs": record.get("applyOnTransformedLogs", False)})
        return cast(api.DescribeMetricFiltersResponse, self._page(items, params, "metricFilters"))

    def delete_metric_filter(self, ctx: Ctx[api.DeleteMetricFilterRequest]) -> api.DeleteMetricFilterResult:
        # a group name over 512 characters gets the group-name words before the model's checks
        # (LocalStack's AWS-recorded test_delete_metric_filter_invalid_log_group_name and _filter_name)
        self._check_name_length(ctx.params["logGroupName"])
        check_input(ctx.model.input_shape, dict(ctx.params), self.input_error_code)
        group_key = self._group_key(ctx)
        self._group(group_key)
        if self.metric_filters.delete((*group_key, ctx.params["filterName"])) is None:
            raise _missing("The specified metric filter does not exist.")
        return {}

    def test_metric_filter(self, ctx: Ctx[api.TestMetricFilterRequest]) -> api.TestMetricFilterResult:
        try:
            matcher = compile_filter(ctx.params["filterPattern"])
        except FilterError:
            raise _invalid("Invalid filter pattern") from None
        matches: list[api.MetricFilterMatchRecord] = []
        for number, message in enumerate(ctx.params["logEventMessages"], start=1):
            extracted = matcher(message)
            if extracted is not None:
                matches.append({"eventNumber": number, "eventMessage": message, "extractedValues": extracted})
        return {"matches": matches}

    @staticmethod
    def _page(items: list[Any], params: Mapping[str, Any], field: str) -> dict[str, Any]:
        start = _from_token(params.get("nextToken")) or 0
        limit = params.get("limit") or _DEFAULT_PAGE
        output: dict[str, Any] = {field: items[start:start + limit]}
        if start + limit < len(items):
            output["nextToken"] = encode_token(start + limit)
        return output

    # -- stored settings: KMS keys, data protection, resource policies, destinations ----------------
    def associate_kms_key(self, ctx: Ctx[api.AssociateKmsKeyRequest]) -> api.AssociateKmsKeyResult:
        key = self._group_key(ctx)
        group = self._group(key)
        self.groups.put(key, {**group, "KmsKeyId": ctx.params["kmsKeyId"]})
        return {}

    def disassociate_kms_key(self, ctx: Ctx[api.DisassociateKmsKeyRequest]) -> api.DisassociateKmsKeyResult:
        key = self._group_key(ctx)
        group = self._group(key)
        self.groups.put(key, {**group, "KmsKeyId": None})
        return {}

    def put_data_protection_policy(self, ctx: Ctx[api.PutDataProtectionPolicyRequest]) -> api.PutDataProtectionPolicyResult:
        key = self._group_key(ctx)
        group = self._group(key)
        document = ctx.params["policyDocument"]
        try:
            json.loads(document)
        except (ValueError, RecursionError):
            raise _invalid("The policy document is not valid JSON.") from None
        now_ms = int(ctx.time() * 1000)
        self.groups.put(key, {**group, "DataProtection": {"policyDocument": document, "lastUpdatedTime": now_ms}})
        return {"logGroupIdentifier": ctx.params["logGroupIdentifier"], "policyDocument": document,
                "lastUpdatedTime": now_ms}

    def get_data_protection_policy(self, ctx: Ctx[api.GetDataProtectionPolicyRequest]) -> api.GetDataProtectionPolicyResult:
        group = self._group(self._group_key(ctx))
        policy = group.get("DataProtection")
        output: dict[str, Any] = {"logGroupIdentifier": ctx.params["logGroupIdentifier"]}
        if policy:
            output.update(policy)
        return cast(api.GetDataProtectionPolicyResponse, output)  # the stored policy has the result's fields

    def delete_data_protection_policy(self, ctx: Ctx[api.DeleteDataProtectionPolicyRequest]) -> api.DeleteDataProtectionPolicyResult:
        key = self._group_key(ctx)
        group = self._group(key)
        if not group.get("DataProtection"):
            raise _missing("No data protection policy found for the log group.")
        self.groups.put(key, {**group, "DataProtection": None})
        return {}

    def put_resource_policy(self, ctx: Ctx[api.PutResourcePolicyRequest]) -> api.PutResourcePolicyResult:
        params = ctx.params
        name = params.get("policyName") or "default"
        document = params.get("policyDocument") or "{}"
        try:
            json.loads(document)
        except (ValueError, RecursionError):
            raise _invalid("The policy document is not valid JSON.") from None
        key = (ctx.account, ctx.region, name)
        if key not in self.resource_policies and len(self.resource_policies) >= 10:
            raise api.limit_exceeded_exception("Resource limit exceeded.")
        record: api.ResourcePolicy = {"policyName": name, "policyDocument": document,
                                      "lastUpdatedTime": int(ctx.time() * 1000), "policyScope": "ACCOUNT",
                                      "revisionId": ctx.ids.hex(32)}
        self.resource_policies.put(key, record)
        return {"resourcePolicy": record.copy(), "revisionId": record["revisionId"]}

    def describe_resource_policies(self, ctx: Ctx[api.DescribeResourcePoliciesRequest]) -> api.DescribeResourcePoliciesResult:
        items = [dict(record) for _key, record in self.resource_policies.items_range(
            (ctx.account, ctx.region), (ctx.account, ctx.region + "\x00"), inclusive=(True, False))]
        return cast(api.DescribeResourcePoliciesResponse, self._page(items, ctx.params, "resourcePolicies"))

    def delete_resource_policy(self, ctx: Ctx[api.DeleteResourcePolicyRequest]) -> api.DeleteResourcePolicyResult:
        name = ctx.params.get("policyName") or "default"
        if self.resource_policies.delete((ctx.account, ctx.region, name)) is None:
            raise _missing(f"Policy with name [{name}] does not exist.")  # test_delete_resource_policy_not_found
        return {}

    def put_destination(self, ctx: Ctx[api.PutDestinationRequest]) -> api.PutDestinationResult:
        params = ctx.params
        key = (ctx.account, ctx.region, params["destinationName"])
        existing = self.destinations.get(key)
        record = {
            "targetArn": params["targetArn"], "roleArn": params["roleArn"],
            "accessPolicy": existing.get("accessPolicy") if existing else None,
            "creationTime": existing["creationTime"] if existing else int(ctx.time() * 1000),
            "tags": dict(params.get("tags") or (existing or {}).get("tags") or {}),
        }
        self.destinations.put(key, record)
        return {"destination": self._destination_view(key, record)}

    def _destination_view(self, key: tuple, record: dict) -> api.Destination:
        view: api.Destination = {"destinationName": key[2], "targetArn": record["targetArn"],
                                 "roleArn": record["roleArn"],
                                 "arn": f"{arn_prefix(key[1])}:logs:{key[1]}:{key[0]}:destination:{key[2]}",
                                 "creationTime": record["creationTime"]}
        if record.get("accessPolicy"):
            view["accessPolicy"] = record["accessPolicy"]
        return view

    def put_destination_policy(self, ctx: Ctx[api.PutDestinationPolicyRequest]) -> api.PutDestinationPolicyResult:
        key = (ctx.account, ctx.region, ctx.params["destinationName"])
        record = self.destinations.get(key)
        if record is None:
            raise _missing("The specified destination does not exist.")
        self.destinations.put(key, {**record, "accessPolicy": ctx.params["accessPolicy"]})
        return {}

    def describe_destinations(self, ctx: Ctx[api.DescribeDestinationsRequest]) -> api.DescribeDestinationsResult:
        prefix = ctx.params.get("DestinationNamePrefix") or ""
        items = [self._destination_view(key, record) for key, record in self.destinations.items_range(
            (ctx.account, ctx.region, prefix), (ctx.account, ctx.region, prefix + "\U0010ffff"))]
        return cast(api.DescribeDestinationsResponse, self._page(items, ctx.params, "destinations"))

    def delete_destination(self, ctx: Ctx[api.DeleteDestinationRequest]) -> api.DeleteDestinationResult:
        if self.destinations.delete((ctx.account, ctx.region, ctx.params["destinationName"])) is None:
            raise _missing("The specified destination does not exist.")
        return {}

    # -- Logs Insights: queries run at StartQuery over the events stored then ---------------------------
    def start_query(self, ctx: Ctx[api.StartQueryRequest]) -> api.StartQueryResult:
        params = ctx.params
        names = [n for n in ([params.get("logGroupName")] + list(params.get("logGroupNames") or [])
                             + list(params.get("logGroupIdentifiers") or [])) if n]
        if not names:
            raise _invalid("Either logGroupName, logGroupNames or logGroupIdentifiers must be specified.")
        keys = []
        for name in names:
            key = self._group_key(ctx, identifier=name) if name.startswith("arn:") else \
                (ctx.account, ctx.region, name)
            if key not in self.groups:  # AWS's words, Java SDK suffix included (test_start_query_log_group_not_found)
                raise _missing(f"Log group '{key[2]}' does not exist for account ID '{key[0]}' (Service: AWSLogs; "
                               "Status Code: 400; Error Code: ResourceNotFoundException; Request ID: "
                               f"{ctx.request_id}; Proxy: null)")
            keys.append(key)
        start_ms, end_ms = params["startTime"] * 1000, params["endTime"] * 1000 + 999
        if start_ms > end_ms:
            raise _invalid("endTime cannot be less than startTime")
        now = ctx.time()
        records = []
        scanned_bytes = 0
        for group_key in keys:
            cutoff = self._cutoff(self.groups[group_key], now)
            low = max(start_ms, cutoff) if cutoff is not None else start_ms
            log = f"{group_key[0]}:{group_key[2]}"
            for stream_key in self.streams.irange((*group_key, ""), (*group_key, "\U0010ffff")):
                for key, (message, ingested) in self._stream_events(stream_key, low, end_ms + 1):
                    ptr = base64.b64encode(json.dumps(list(key[2:])).encode()).decode()
                    records.append(make_record(key[4], message, key[3], log, ingested, ptr))
                    scanned_bytes += len(message.encode())
        try:
            rows, matched = run_query(params["queryString"], records, params.get("limit") or _MAX_EVENTS)
        except (QueryError, RecursionError) as exc:  # RecursionError: nested too deeply to parse
            raise AwsError("MalformedQueryException", str(exc), 400,
                           fields={"queryCompileError": {"message": str(exc)}}) from None
        query_id = ctx.ids.uuid4()
        self.queries.put((ctx.account, ctx.region, query_id), {
            "queryString": params["queryString"], "logGroupName": keys[0][2], "createTime": int(now * 1000),
            "status": "Complete", "results": rows,
            "statistics": {"recordsMatched": float(matched), "recordsScanned": float(len(records)),
                           "bytesScanned": float(scanned_bytes), "logGroupsScanned": float(len(keys))},
        })
        return {"queryId": query_id}

    def _query(self, ctx: RequestContext[Any]) -> tuple[tuple, dict]:
        key = (ctx.account, ctx.region, ctx.params["queryId"])
        query = self.queries.get(key)
        if query is None:
            raise _missing("The query does not exist.")
        return key, query

    def get_query_results(self, ctx: Ctx[api.GetQueryResultsRequest]) -> api.GetQueryResultsResult:
        _key, query = self._query(ctx)
        results = cast("list[list[api.ResultField]]", [[dict(cell) for cell in row] for row in query["results"]])
        statistics = cast(api.QueryStatistics, dict(query["statistics"]))
        return {"queryLanguage": "CWLI", "results": results, "statistics": statistics, "status": query["status"]}

    def stop_query(self, ctx: Ctx[api.StopQueryRequest]) -> api.StopQueryResult:
        self._query(ctx)
        return {"success": False}  # queries complete when they start: nothing is left to stop

    def describe_queries(self, ctx: Ctx[api.DescribeQueriesRequest]) -> api.DescribeQueriesResult:
        params = ctx.params
        items: list[api.QueryInfo] = [{"queryLanguage": "CWLI", "queryId": key[2], "queryString": query["queryString"],
                  "status": query["status"], "createTime": query["createTime"], "logGroupName": query["logGroupName"]}
                 for key, query in self.queries.items_range((ctx.account, ctx.region),
                                                            (ctx.account, ctx.region + "\x00"), inclusive=(True, False))
                 if (not params.get("logGroupName") or query["logGroupName"] == params["logGroupName"])
                 and (not params.get("status") or query["status"] == params["status"])]
        items.sort(key=lambda item: item["createTime"], reverse=True)
        limit = params.get("maxResults") or 1000
        return {"queries": items[:limit]}

    # -- inspection -------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        counts: dict[tuple, int] = {}
        for key in self.streams.keys():
            counts[key[:3]] = counts.get(key[:3], 0) + 1
        return {"log_groups": [
            {"name": key[2], "account": key[0], "region": key[1], "streams": counts.get(key, 0),
             "stored_bytes": group["StoredBytes"], "retention_days": group.get("Retention")}
            for key, group in self.groups.items()
        ], **self.delivery_rows(), "export_tasks": self.export_task_rows()}
