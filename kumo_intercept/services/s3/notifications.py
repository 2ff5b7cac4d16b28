"""Event notifications: the bucket's notification configuration (validated against the destination
services), and delivery of S3 events to SQS, SNS, Lambda and EventBridge in AWS's shapes.

Deliveries are queued with ``emulator.defer`` (S3 delivers asynchronously); they run before the
intercepted call that caused them returns, or at ``aws.drain()``. A delivery that fails (the queue was
deleted since) is dropped, as AWS drops it.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import quote_plus

from ...api import s3
from ...core.dispatch import RequestContext
from ...core.errors import AwsError, NotEmulatedError
from ...core.partitions import arn_prefix
from .common import invalid_argument, malformed_xml
from .config import freeze, thaw

if TYPE_CHECKING:
    from ...emulator import Emulator
    from ...store.store import Table

EVENTS = frozenset({
    "s3:ReducedRedundancyLostObject", "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated", "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete", "s3:Replication:*",
    "s3:Replication:OperationFailedReplication", "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:LifecycleTransition", "s3:IntelligentTiering", "s3:ObjectAcl:Put", "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated", "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put", "s3:ObjectTagging:Delete",
})
_KINDS = (("QueueConfigurations", "QueueArn", "sqs"), ("TopicConfigurations", "TopicArn", "sns"),
          ("LambdaFunctionConfigurations", "LambdaFunctionArn", "lambda"))
#: eventVersion by event family (AWS's documented values)
_VERSIONS = {"ObjectRestore:Completed": "2.2", "ObjectTagging": "2.3", "ObjectAcl": "2.3",
             "LifecycleExpiration": "2.3", "LifecycleTransition": "2.3", "IntelligentTiering": "2.3",
             "Replication": "2.3"}
#: EventBridge detail-type and reason by S3 event name
_BRIDGE = {
    "ObjectCreated:Put": ("Object Created", "PutObject"),
    "ObjectCreated:Post": ("Object Created", "POST Object"),
    "ObjectCreated:Copy": ("Object Created", "CopyObject"),
    "ObjectCreated:CompleteMultipartUpload": ("Object Created", "CompleteMultipartUpload"),
    "ObjectRemoved:Delete": ("Object Deleted", "DeleteObject"),
    "ObjectRemoved:DeleteMarkerCreated": ("Object Deleted", "DeleteObject"),
    "ObjectRestore:Post": ("Object Restore Initiated", "RestoreObject"),
    "ObjectRestore:Completed": ("Object Restore Completed", "RestoreObject"),
    "ObjectTagging:Put": ("Object Tags Added", "PutObjectTagging"),
    "ObjectTagging:Delete": ("Object Tags Deleted", "DeleteObjectTagging"),
    "ObjectAcl:Put": ("Object ACL Updated", "PutObjectAcl"),
}


def _iso(epoch: float) -> str:
    moment = _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def principal_id(account: str) -> str:
    """A stable principal id of the account, in the form S3 puts into events."""
    digest = hashlib.sha256(f"kumo-principal-{account}".encode()).hexdigest().upper()
    return "A" + "".join(c for c in digest if c.isalnum())[:13]


def _matches(patterns: list[str], event: str) -> bool:
    full = "s3:" + event
    family = full.rsplit(":", 1)[0] + ":*"
    return full in patterns or family in patterns


def _filter_ok(conf: dict, key: str) -> bool:
    rules = ((conf.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
    for rule in rules:
        name = rule["Name"].lower()
        if name == "prefix" and not key.startswith(rule["Value"]):
            return False
        if name == "suffix" and not key.endswith(rule["Value"]):
            return False
    return True


def bucket_arn(bucket: Mapping[str, Any]) -> str:
    """A bucket's ARN, in its region's partition."""
    return f"{arn_prefix(bucket['region'])}:s3:::{bucket['name']}"


class Notifications:
    """A bucket's notification configuration and the delivery of its events (a component of the S3
    backend, which passes it the config table and its event sequence counter)."""

    def __init__(self, emulator: Emulator, config: Table, next_seq: Callable[[], int]) -> None:
        self.emulator = emulator
        self.config = config
        self.next_seq = next_seq
        #: names of buckets with a notification configuration (derived from ``s3.config``): a write
        #: into any other bucket costs one set look-up
        self.buckets: set[str] = {k[0] for k in config.keys() if k[1] == "notification"}
        config.watch(self._on_config)

    def _on_config(self, key: Any, old: Any, new: Any) -> None:
        if key[1] == "notification":
            (self.buckets.add if new is not None else self.buckets.discard)(key[0])

    # -- configuration ------------------------------------------------------------------------
    def configure(self, ctx: RequestContext, bucket: dict, conf: Mapping[str, Any]) -> None:
        """PutBucketNotificationConfiguration: validate (test events to queues and topics, functions
        checked to exist) and store the configuration."""
        name = bucket["name"]
        stored: dict[str, Any] = {}
        ids = set()
        failed: list[str] = []
        tests: list[tuple[str, str]] = []
        for section, arn_member, service in _KINDS:
            entries = []
            for entry in conf.get(section) or []:
                events = entry.get("Events") or []
                for event in events:
                    if event not in EVENTS:
                        raise invalid_argument("The event is not supported for notifications", event, event)
                if not events:
                    raise malformed_xml()
                entry = dict(entry)
                entry.setdefault("Id", self.emulator.ids.chars(48, "abcdefghijklmnopqrstuvwxyz0123456789-"))
                if entry["Id"] in ids:
                    raise invalid_argument("Duplicate notification configuration id", "Id", entry["Id"])
                ids.add(entry["Id"])
                rules = ((entry.get("Filter") or {}).get("Key") or {}).get("FilterRules")
                if rules is not None:
                    normal = []
                    seen = set()
                    for rule in rules:
                        rule_name = rule["Name"].lower()
                        if rule_name not in ("prefix", "suffix"):
                            raise invalid_argument("filter rule name must be either prefix or suffix",
                                                   "FilterRule.Name", rule["Name"])
                        if rule_name in seen:
                            raise invalid_argument(f"Cannot specify more than one {rule_name} rule in a filter.",
                                                   "FilterRule.Name", rule["Name"])
                        seen.add(rule_name)
                        normal.append({"Name": rule_name.capitalize(), "Value": rule["Value"]})
                    entry["Filter"] = {"Key": {"FilterRules": normal}}
                arn = entry[arn_member]
                if len(arn.split(":")) < 6:  # arn:partition:service:region:account:resource
                    raise invalid_argument("The ARN is not well formed", arn_member, arn)
                if service == "lambda":
                    if not self._function_exists(arn):
                        failed.append(arn)
                else:
                    tests.append((service, arn))
                entries.append(entry)
            if entries:
                stored[section] = entries
        self._check_overlap(stored)
        test_event = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": _iso(ctx.time()),
                                 "Bucket": name, "RequestId": ctx.request_id,
                                 "HostId": self.emulator.ids.b64(48)})
        for service, arn in tests:  # AWS checks a queue or topic by sending it the test event
            try:
                self._send(service, arn, test_event, bucket, strict=True)
            except AwsError:
                failed.append(arn)
        if failed:
            members: dict[str, Any] = {}
            for index, arn in enumerate(failed, 1):
                what = {"sqs": "queue", "sns": "topic"}.get(arn.split(":")[2], "Lambda function")
                members[f"ArgumentName{index}"] = arn
                members[f"ArgumentValue{index}"] = f"The destination {what} does not exist"
            raise AwsError("InvalidArgument", "Unable to validate the following destination configurations", 400,
                           **members)
        if "EventBridgeConfiguration" in conf and conf["EventBridgeConfiguration"] is not None:
            stored["EventBridgeConfiguration"] = {}
        if stored:
            self.config.put((name, "notification"), freeze(stored))
        else:
            self.config.delete((name, "notification"))

    @staticmethod
    def _check_overlap(stored: dict) -> None:
        seen: list[tuple[str, str, str, str]] = []
        for section, _arn, _service in _KINDS:
            for entry in stored.get(section, []):
                rules = {r["Name"]: r["Value"] for r in ((entry.get("Filter") or {}).get("Key") or {}).get("FilterRules", [])}
                prefix, suffix = rules.get("Prefix", ""), rules.get("Suffix", "")
                for event in entry["Events"]:
                    family = event.rsplit(":", 1)[0]
                    for other_event, other_family, other_prefix, other_suffix in seen:
                        same_event = (event == other_event or event.endswith(":*") and family == other_family
                                      or other_event.endswith(":*") and family == other_family)
                        prefixes = prefix.startswith(other_prefix) or other_prefix.startswith(prefix)
                        suffixes = suffix.endswith(other_suffix) or other_suffix.endswith(suffix)
                        if same_event and prefixes and suffixes:
                            raise invalid_argument("Configurations overlap. Configurations on the same bucket "
                                                   "cannot share a common event type.", "Event", event)
                    seen.append((event, family, prefix, suffix))

    def _function_exists(self, arn: str) -> bool:
        try:
            functions = self.emulator.ports.functions
        except NotEmulatedError:
            return True  # the service is not emulated: nothing to check against
        return functions.function_exists(arn)

    def configuration(self, bucket_name: str) -> s3.NotificationConfiguration:
        return thaw(self.config.get((bucket_name, "notification")) or {})

    # -- delivery -----------------------------------------------------------------------------
    def notify(self, ctx: RequestContext, bucket: dict, event: str, key: str, record: dict) -> None:
        """Deliver the event to every matching destination of the bucket (deferred, as S3 is async)."""
        name = bucket["name"]
        if name not in self.buckets:
            return
        conf = self.config.get((name, "notification"))
        if not conf:
            return
        sequencer = f"{int(ctx.time() * 1000):012X}{self.next_seq():08X}"
        for section, arn_member, service in _KINDS:
            for entry in conf.get(section, []):
                if _matches(entry["Events"], event) and _filter_ok(entry, key):
                    body = json.dumps(self._event_record(ctx, bucket, event, key, record, entry["Id"], sequencer))
                    self._deliver(service, entry[arn_member], body, bucket)
        if "EventBridgeConfiguration" in conf and event in _BRIDGE:
            self._deliver_bridge(ctx, bucket, event, key, record, sequencer)

    def _event_record(self, ctx: RequestContext, bucket: dict, event: str, key: str, record: dict,
                      configuration_id: str, sequencer: str) -> dict:
        obj: dict[str, Any] = {"key": quote_plus(key, safe="/")}
        if event.startswith(("ObjectCreated", "ObjectRestore", "ObjectTagging", "ObjectAcl")) and not record.get("dm"):
            obj["size"] = record["size"]
            obj["eTag"] = record["etag"].strip('"')
        if bucket.get("versioning"):
            obj["versionId"] = record.get("vid") or "null"
        obj["sequencer"] = sequencer
        family = event.split(":")[0]
        return {"Records": [{
            "eventVersion": _VERSIONS.get(event, _VERSIONS.get(family, "2.1")),
            "eventSource": "aws:s3",
            "awsRegion": bucket["region"],
            "eventTime": _iso(ctx.time()),
            "eventName": event,
            "userIdentity": {"principalId": f"AWS:{principal_id(ctx.account)}"},
            "requestParameters": {"sourceIPAddress": "127.0.0.1"},
            "responseElements": {"x-amz-request-id": ctx.request_id, "x-amz-id-2": self.emulator.ids.b64(48)},
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": configuration_id,
                "bucket": {"name": bucket["name"], "ownerIdentity": {"principalId": principal_id(bucket["account"])},
                           "arn": bucket_arn(bucket)},
                "object": obj,
            },
        }]}

    def _deliver(self, service: str, arn: str, body: str, bucket: dict) -> None:
        self.emulator.defer(lambda: self._send(service, arn, body, bucket))

    def _send(self, service: str, arn: str, body: str, bucket: dict, strict: bool = False) -> None:
        ports = self.emulator.ports
        try:
            ports.authorize_delivery("s3.amazonaws.com", arn, bucket_arn(bucket), bucket["account"])
            if service == "sqs":
                ports.queues.deliver_message(arn, body)
            elif service == "sns":
                ports.topics.publish_internal(arn, body, subject="Amazon S3 Notification")
            else:
                ports.functions.invoke_internal(arn, body.encode(), invocation_type="Event")
        except NotEmulatedError:
            pass
        except AwsError:
            if strict:
                raise
            # AWS drops an event it cannot deliver

    def _deliver_bridge(self, ctx: RequestContext, bucket: dict, event: str, key: str, record: dict,
                        sequencer: str) -> None:
        detail_type, reason = _BRIDGE[event]
        obj: dict[str, Any] = {"key": key}
        if not record.get("dm") and event.startswith(("ObjectCreated", "ObjectRestore")):
            obj["size"] = record["size"]
            obj["etag"] = record["etag"].strip('"')
        if bucket.get("versioning"):
            obj["version-id"] = record.get("vid") or "null"
        obj["sequencer"] = sequencer
        detail: dict[str, Any] = {"version": "0", "bucket": {"name": bucket["name"]}, "object": obj,
                                  "request-id": ctx.request_id, "requester": ctx.account,
                                  "source-ip-address": "127.0.0.1", "reason": reason}
        if event.startswith("ObjectRemoved"):
            detail["deletion-type"] = ("Delete Marker Created" if event.endswith("DeleteMarkerCreated")
                                       else "Permanently Deleted")
        entry = {"Source": "aws.s3", "DetailType": detail_type, "Detail": json.dumps(detail),
                 "Resources": [bucket_arn(bucket)], "EventBusName": "default"}
        account, region = bucket["account"], bucket["region"]

        def deliver() -> None:
            try:
                self.emulator.ports.event_buses.put_events_internal(account, region, [entry])
            except (AwsError, NotEmulatedError):
                pass

        self.emulator.defer(deliver)
