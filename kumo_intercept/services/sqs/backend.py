"""SQS: queues and the exact message lifecycle (visibility, in flight, delay, retention, DLQ, FIFO).

State (records in the store; every state change of a message is a ``put`` of a new record):

- ``sqs.queues`` (ordered) ``(account, region, name)`` -> the queue: ``qid`` (never reused), ARN, URL,
  attributes as AWS returns them (strings), tags, times.
- ``sqs.messages`` ``(qid, n)`` -> one message: body, attributes, MD5s, ``sent``, ``vis`` (when it is
  or becomes visible), ``rc`` (receive count), ``rt`` (last receive), ``first`` (first receive), FIFO
  group / deduplication id / sequence number. ``n`` grows per queue, so it is send order.
- ``sqs.seq``: the last ``qid`` and each queue's last ``n``. ``sqs.deleted``: when a name was deleted
  (QueueDeletedRecently). ``sqs.dedup``: FIFO deduplication ids for 5 minutes. ``sqs.attempts``: FIFO
  ReceiveRequestAttemptIds for 5 minutes. ``sqs.tasks``: message move tasks.

Everything time-driven is evaluated lazily against the emulator clock when a queue is touched, through
the derived indexes of ``index.QueueIndex`` (O(log n) per call at any depth). Receipt handles name the
message and the receive that produced them, so a stale handle is recognised in O(1).

Long polling: with the wall clock a receive waits (releasing the emulator lock) until a message can be
returned or ``WaitTimeSeconds`` pass, waking at every committed change and when the next delayed or
in-flight message becomes visible; with a virtual clock it never sleeps: it advances the clock to the
moment the first message becomes available inside the window, or to the end of the window. Moves to a
dead-letter queue and retention expiry happen in the receive that returns (or ends the window).

Internal API for other services (plain Python, no request context; errors are ``AwsError`` as SQS
returns them, e.g. the NonExistentQueue error for an unknown queue):

- ``deliver_message(queue_arn, body, *, message_attributes=None, message_system_attributes=None,
  message_group_id=None, deduplication_id=None, delay_seconds=None) -> str``: enqueue as SendMessage
  would (same validation, deduplication and MD5s); returns the MessageId.
- ``receive_for_consumer(queue_arn, max_messages, visibility_timeout=None) -> list[dict]``: receive as
  ReceiveMessage with ``AttributeNames=["All"]`` and ``MessageAttributeNames=["All"]``; the message
  dicts are those of ReceiveMessage's output (Body, ReceiptHandle, MessageId, MD5OfBody, Attributes,
  MessageAttributes, MD5OfMessageAttributes). Never waits.
- ``delete_by_receipt(queue_arn, receipt_handle) -> None``: DeleteMessage.
- ``queue_attributes(queue_arn) -> dict[str, str]``: GetQueueAttributes with ``All``.
- ``queue_arn_for_url(url) -> str``: the ARN of the queue a URL names.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import re
from typing import Any, Callable, TypeVar, cast

from ...core.clock import VirtualClock
from ...api import sqs
from ...core.dispatch import TRACE_HEADER, Ctx, RequestContext, ServiceBackend
from ...core.errors import AwsError
from ...core.partitions import dns_suffix, dns_suffix_pattern
from .errors import (invalid_parameter, invalid_value, kms_refusal, missing_parameter, no_such_queue, over_limit,
                     purge_in_progress, resource_not_found)
from .index import QueueIndex
from .messages import attributes_md5, check_body, md5_hex, normalise_attributes, select_attributes
from . import schema

# -- limits and defaults AWS documents --------------------------------------------------------------
DEDUP_WINDOW = 300.0
ATTEMPT_WINDOW = 300.0
PURGE_INTERVAL = 60.0
RECREATE_DELAY = 60.0
MAX_VISIBILITY = 43200
MAX_BATCH = 10
#: a batch's bodies and attributes together, whatever the queue's MaximumMessageSize (recorded:
#: LocalStack's test_send_message_batch_with_oversized_contents_with_updated_maximum_message_size)
MAX_BATCH_BYTES = 1_048_576
_SEQUENCE_BASE = 18_000_000_000_000_000_000

_INT_ATTRIBUTES = {
    "DelaySeconds": (0, 900, "0"),
    "MaximumMessageSize": (1024, 1_048_576, "1048576"),
    "MessageRetentionPeriod": (60, 1_209_600, "345600"),
    "ReceiveMessageWaitTimeSeconds": (0, 20, "0"),
    "VisibilityTimeout": (0, MAX_VISIBILITY, "30"),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400, "300"),
}
_BOOL_ATTRIBUTES = ("FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled")
_ENUM_ATTRIBUTES = {
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}
_FIFO_ONLY = ("FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
_SETTABLE = frozenset(
    [*_INT_ATTRIBUTES, *_BOOL_ATTRIBUTES, *_ENUM_ATTRIBUTES, "Policy", "RedrivePolicy",
     "RedriveAllowPolicy", "KmsMasterKeyId"]
)
_READ_ONLY = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
              "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn")
_QUEUE_ATTRIBUTE_NAMES = frozenset([*_SETTABLE, *_READ_ONLY, "All"])
#: GetQueueAttributes ``All``, in the order AWS lists them
_ALL_ORDER = (
    "QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp",
    "VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod", "DelaySeconds", "Policy",
    "RedriveAllowPolicy", "RedrivePolicy", "ReceiveMessageWaitTimeSeconds", "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "FifoQueue", "DeduplicationScope",
    "FifoThroughputLimit", "ContentBasedDeduplication",
)
_SYSTEM_ATTRIBUTE_NAMES = frozenset([
    "All", "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
    "SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
])
_PERMISSION_ACTIONS = frozenset([
    "*", "ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl",
    "ListDeadLetterSourceQueues", "PurgeQueue", "ReceiveMessage", "SendMessage",
    "ListQueueTags", "ListMessageMoveTasks", "StartMessageMoveTask", "CancelMessageMoveTask",
])

_QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,75}\.fifo$")
_URL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/]*)?/*([^/]+)/([^/?#]+)/?$")
_ARN = re.compile(r"^arn:aws[\w-]*:sqs:([^:]*):(\d{12}):([^:]+)$")
_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_TOKEN_CHARS = re.compile(r"^[\x21-\x7e]{1,128}$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@functools.lru_cache(maxsize=1)
def _host_region() -> re.Pattern[str]:
    """The pattern whose group 1 is the region a queue URL's host names: ``sqs.<region>.`` then the DNS suffix
    of any partition (botocore's partitions data through core.partitions: ``amazonaws.com``,
    ``amazonaws.com.cn`` in China, ``c2s.ic.gov`` in aws-iso…). Compiled on first use: it reads that data."""
    return re.compile(rf"^(?:[a-z]+://)?(?:sqs|queue)\.([a-z0-9-]+)\.{dns_suffix_pattern()}(?:[:/]|$)", re.I)


_NO_NAMES: frozenset = frozenset()
#: the success entry type of a batch call
_Entry = TypeVar("_Entry")


def _ms(seconds: float) -> str:
    return str(int(seconds * 1000))


def _json_dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _json_map(text: str, error: AwsError) -> dict:
    """``text`` parsed as a JSON object, or ``error`` raised."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        raise error
    return value


def _check_policy(text: str) -> None:
    """AWS refuses a queue policy that is no policy document: not a JSON object, no statement (an empty
    ``Statement`` list included), a statement that is no object or whose Effect is neither Allow nor Deny.
    All with one answer (seen from AWS in terraform-provider-aws PR 42209 and cloud-custodian issue 1816,
    which removed a policy's last statement)."""
    refusal = sqs.invalid_attribute_value("Invalid value for the parameter Policy.")
    statements = _json_map(text, refusal).get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not statements or not isinstance(statements, list):
        raise refusal
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            raise refusal


class Queue:
    """Derived view of one queue record: its parsed settings and its message index."""

    __slots__ = ("key", "rec", "qid", "account", "region", "name", "arn", "url", "fifo", "vt", "delay",
                 "retention", "max_size", "wait", "max_receives", "dlq_arn", "content_dedup",
                 "group_scope", "index")

    def __init__(self, key: tuple, rec: dict, index: QueueIndex) -> None:
        attrs = rec["attrs"]
        self.key = key
        self.rec = rec
        self.qid = rec["qid"]
        self.account, self.region, self.name = key
        self.arn = rec["arn"]
        self.url = rec["url"]
        self.fifo = attrs.get("FifoQueue") == "true"
        self.vt = int(attrs["VisibilityTimeout"])
        self.delay = int(attrs["DelaySeconds"])
        self.retention = int(attrs["MessageRetentionPeriod"])
        self.max_size = int(attrs["MaximumMessageSize"])
        self.wait = int(attrs["ReceiveMessageWaitTimeSeconds"])
        self.content_dedup = attrs.get("ContentBasedDeduplication") == "true"
        self.group_scope = attrs.get("DeduplicationScope") == "messageGroup"
        redrive = attrs.get("RedrivePolicy")
        if redrive:
            policy = json.loads(redrive)
            self.dlq_arn: str | None = policy["deadLetterTargetArn"]
            self.max_receives = int(policy["maxReceiveCount"])
        else:
            self.dlq_arn, self.max_receives = None, 0
        self.index = index


class SqsBackend(ServiceBackend):
    service_name = "sqs"
    missing_parameter = ("MissingParameter", "The request must contain the parameter {name}.")
    #: AWS's quota of in-flight messages per queue (a class attribute so tests can lower it)
    MAX_IN_FLIGHT = 120_000

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        store = self.store
        self.queues = schema.QUEUES.open_ordered(store)
        self.messages = schema.MESSAGES.open(store)
        self.seq = schema.SEQ.open(store)
        self.deleted = schema.DELETED.open(store)
        self.dedup = schema.DEDUP.open(store)
        self.attempts = schema.ATTEMPTS.open(store)
        self.tasks = schema.TASKS.open(store)
        self._by_key: dict[tuple, Queue] = {}
        self._by_arn: dict[str, Queue] = {}
        self._by_qid: dict[int, Queue] = {}
        self._index: dict[int, QueueIndex] = {}
        self._urls: dict[str, tuple[str, str]] = {}
        self._running: set[str] = set()
        for key, rec in self.queues.items():
            self._on_queue(key, None, rec)
        for key, rec in self.messages.items():
            self._on_message(key, None, rec)
        # pruning order of FIFO deduplication ids and receive attempts, oldest first
        for table, order in ((self.dedup, "dedup_order"), (self.attempts, "attempt_order")):
            for key, rec in sorted(table.items(), key=lambda item: item[1]["t"]):
                getattr(self._index_for(key[0]), order).append((rec["t"], key))
        for key, task in self.tasks.items():
            if task["status"] == "RUNNING":
                self._running.add(key)
        self.queues.watch(self._on_queue)
        self.messages.watch(self._on_message)
        self.tasks.watch(self._on_task)

    # -- derived state ------------------------------------------------------------------------------
    def _index_for(self, qid: int, fifo: bool | None = None) -> QueueIndex:
        index = self._index.get(qid)
        if index is None:
            if fifo is None:
                queue = self._by_qid.get(qid)
                fifo = queue.fifo if queue is not None else False
            messages = self.messages
            index = self._index[qid] = QueueIndex(fifo, lambda n: messages.get((qid, n)))
        return index

    def _on_queue(self, key: tuple, old: dict | None, new: dict | None) -> None:
        if old is not None:
            queue = self._by_key.pop(key, None)
            if queue is not None:
                self._by_arn.pop(queue.arn, None)
                self._by_qid.pop(queue.qid, None)
                if new is None or new["qid"] != old["qid"]:
                    self._index.pop(old["qid"], None)
        if new is not None:
            fifo = new["attrs"].get("FifoQueue") == "true"
            queue = Queue(key, new, self._index_for(new["qid"], fifo))
            self._by_key[key] = queue
            self._by_arn[queue.arn] = queue
            self._by_qid[queue.qid] = queue

    def _on_message(self, key: tuple, old: dict | None, new: dict | None) -> None:
        self._index_for(key[0]).change(key[1], old, new)

    def _on_task(self, key: str, old: dict | None, new: dict | None) -> None:
        if new is not None and new["status"] == "RUNNING":
            self._running.add(key)
        else:
            self._running.discard(key)

    # -- lookups ------------------------------------------------------------------------------------
    def _queue(self, ctx: RequestContext[Any]) -> Queue:
        url = ctx.params["QueueUrl"]
        parsed = self._urls.get(url)
        if parsed is None:
            match = _URL.match(url)
            if match is None:
                if _QUEUE_NAME.match(url) or _FIFO_NAME.match(url):
                    # AWS takes a bare queue name for the caller's own queue (recorded: LocalStack's
                    # test_posting_to_queue_via_queue_name)
                    return self._found(ctx, self._by_key.get((ctx.account, ctx.region, url)))
                if _SCHEME.match(url):  # a URL naming no queue (moto's aws_verified test_get_queue_url_error_not_exists)
                    raise no_such_queue()
                raise sqs.invalid_address(f"The address {url} is not valid for this endpoint.")
            parsed = (match.group(1), match.group(2))
            if len(self._urls) > 10_000:
                self._urls.clear()
            self._urls[url] = parsed
        return self._found(ctx, self._by_key.get((parsed[0], ctx.region, parsed[1])))

    def _found(self, ctx: RequestContext[Any], queue: Queue | None) -> Queue:
        """The queue a request names, its move tasks advanced; AWS's error when there is none."""
        if queue is None:
            raise no_such_queue()
        if self._running:
            self._advance_tasks(ctx.time())
        return queue

    def _queue_by_arn(self, arn: str) -> Queue:
        queue = self._by_arn.get(arn)
        if queue is None:
            raise no_such_queue()
        if self._running:
            self._advance_tasks(self.emulator.clock.time())
        return queue

    def _next_n(self, queue: Queue) -> int:
        """The next message number of ``queue``. FIFO queues keep it durable (it makes their
        SequenceNumbers, which never go back); a standard queue derives it from its messages: a number
        reused after every message is gone is harmless, as receipt handles also name the MessageId."""
        if not queue.fifo:
            return queue.index.last_n + 1
        n = max(self.seq.get(queue.qid, 0), queue.index.last_n) + 1
        self.seq.put(queue.qid, n)
        return n

    @staticmethod
    def _url(account: str, region: str, name: str) -> str:
        """The queue URL AWS answers: the SQS endpoint of the region's partition (AWS General Reference,
        "Amazon SQS endpoints": ``sqs.cn-north-1.amazonaws.com.cn`` in China), then account and name."""
        return f"https://sqs.{region}.{dns_suffix(region)}/{account}/{name}"

    # -- attributes ---------------------------------------------------------------------------------
    def _check_attributes(self, given: dict[str, str], *, fifo: bool, arn: str, creating: bool,
                          account: str, region: str) -> dict[str, str]:
        """AWS's checks of queue attributes; returns them normalised as GetQueueAttributes shows them."""
        out: dict[str, str] = {}
        if given.get("KmsMasterKeyId") and str(given.get("SqsManagedSseEnabled")).lower() == "true":
            raise sqs.invalid_attribute_name("You can use one type of server-side encryption (SSE) at one time. "
                                             "You can either enable KMS SSE or SQS SSE.")
        for name, value in given.items():
            self._check_attribute_name(name, str(value).lower(), fifo=fifo, creating=creating)
            if not isinstance(value, str):
                value = str(value)
            if name in _INT_ATTRIBUTES:
                low, high, _default = _INT_ATTRIBUTES[name]
                try:
                    number = int(value.strip())
                except ValueError:
                    number = None
                if number is None or not low <= number <= high:
                    raise sqs.invalid_attribute_value(f"Invalid value for the parameter {name}.")
                out[name] = str(number)
            elif name in _BOOL_ATTRIBUTES:
                if value.lower() not in ("true", "false"):
                    raise sqs.invalid_attribute_value(f"Invalid value for the parameter {name}.")
                out[name] = value.lower()
            elif name in _ENUM_ATTRIBUTES:
                if value not in _ENUM_ATTRIBUTES[name]:
                    raise sqs.invalid_attribute_value(f"Invalid value for the parameter {name}.")
                out[name] = value
            elif name == "Policy":
                if value:
                    _check_policy(value)
                out[name] = value
            elif name == "RedrivePolicy":
                out[name] = self._check_redrive(value, fifo=fifo, arn=arn, account=account, region=region)
            elif name == "RedriveAllowPolicy":
                out[name] = self._check_redrive_allow(value)
            else:  # KmsMasterKeyId
                out[name] = value
        return out

    @staticmethod
    def _check_attribute_name(name: str, value: str, *, fifo: bool, creating: bool) -> None:
        """Which attributes a queue of each type takes (recorded from AWS in LocalStack's
        test_create_standard_queue_with_fifo_attribute_raises_error, test_set_unsupported_attribute_*):
        a standard queue knows no FIFO attribute, not even ``FifoQueue=false``; a FIFO queue may be
        told it is one, never that it is not."""
        if name not in _SETTABLE:
            raise sqs.invalid_attribute_name(f"Unknown Attribute {name}.")
        if not fifo and name in _FIFO_ONLY:
            if name in ("DeduplicationScope", "FifoThroughputLimit"):
                raise sqs.invalid_attribute_name(f"You can specify the {name} only when FifoQueue is set to true.")
            raise sqs.invalid_attribute_name(f"Unknown Attribute {name}.")
        if name == "FifoQueue" and not creating and value != "true":
            raise sqs.invalid_attribute_value("Invalid value for the parameter FifoQueue. Reason: Modifying "
                                              "queue type is not supported.")

    def _check_redrive(self, value: str, *, fifo: bool, arn: str, account: str, region: str) -> str:
        if value == "":
            return ""

        def bad(reason: str) -> AwsError:
            return invalid_value("RedrivePolicy", value, reason)

        policy = _json_map(value, bad("Redrive policy is not a valid JSON map."))
        # maxReceiveCount is named first: AWS refuses "{}" for lacking it (community.aws issue 2321)
        for member in ("maxReceiveCount", "deadLetterTargetArn"):
            if member not in policy:
                raise bad(f"Redrive policy does not contain mandatory attribute: {member}.")
        unknown = set(policy) - {"deadLetterTargetArn", "maxReceiveCount"}
        if unknown:
            raise bad("Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount].")
        count = policy["maxReceiveCount"]
        try:
            count = int(count)
        except (TypeError, ValueError):
            raise bad(f"Invalid value for maxReceiveCount: {policy['maxReceiveCount']}, valid values are "
                      "from 1 to 1000 both inclusive.") from None
        if not 1 <= count <= 1000:
            raise bad(f"Invalid value for maxReceiveCount: {count}, valid values are from 1 to 1000 both inclusive.")
        target = policy["deadLetterTargetArn"]
        match = _ARN.match(target) if isinstance(target, str) else None
        dlq = self._by_arn.get(target) if match else None
        if dlq is None or dlq.account != account or dlq.region != region:
            raise bad("Dead letter target does not exist.")
        if dlq.fifo != fifo:
            raise bad("Dead-letter queue must be same type of queue as the source.")
        allow = dlq.rec["attrs"].get("RedriveAllowPolicy")
        if allow:
            rule = json.loads(allow)
            permission = rule.get("redrivePermission")
            if permission == "denyAll" or (permission == "byQueue" and arn not in rule.get("sourceQueueArns", [])):
                raise bad(f"Queue {arn} is not allowed to use {target} as its dead-letter queue by the "
                          "target's RedriveAllowPolicy.")
        return _json_dumps({"deadLetterTargetArn": target, "maxReceiveCount": count})

    @staticmethod
    def _check_redrive_allow(value: str) -> str:
        if value == "":
            return ""

        def bad(reason: str) -> AwsError:
            return invalid_value("RedriveAllowPolicy", value, reason)

        policy = _json_map(value, bad("Redrive allow policy is not a valid JSON map."))
        permission = policy.get("redrivePermission")
        if permission not in ("allowAll", "denyAll", "byQueue"):
            raise bad("Invalid value for redrivePermission. Valid values are allowAll, denyAll and byQueue.")
        sources = policy.get("sourceQueueArns")
        if permission == "byQueue":
            if not sources or not isinstance(sources, list):
                raise bad("sourceQueueArns must be specified when redrivePermission is byQueue.")
            if len(sources) > 10:
                raise bad("The maximum number of sourceQueueArns is 10.")
        elif sources is not None:
            raise bad("sourceQueueArns can be specified only when redrivePermission is byQueue.")
        return _json_dumps(policy)

    @staticmethod
    def _apply_attributes(current: dict[str, str], changes: dict[str, str]) -> dict[str, str]:
        """The attributes after ``changes`` (checked ones), with the rules that tie attributes together."""
        attrs = dict(current)
        for name, value in changes.items():
            if value == "" and name in ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId"):
                attrs.pop(name, None)
            else:
                attrs[name] = value
        if "KmsMasterKeyId" in changes:
            if attrs.get("KmsMasterKeyId"):
                attrs["SqsManagedSseEnabled"] = "false"
                attrs.setdefault("KmsDataKeyReusePeriodSeconds", "300")
            else:
                attrs.pop("KmsDataKeyReusePeriodSeconds", None)
        if changes.get("SqsManagedSseEnabled") == "true":
            attrs.pop("KmsMasterKeyId", None)
            attrs.pop("KmsDataKeyReusePeriodSeconds", None)
        if attrs.get("FifoThroughputLimit") == "perMessageGroupId" and attrs.get("DeduplicationScope") == "queue":
            raise sqs.invalid_attribute_value(
                "Invalid value for the parameter FifoThroughputLimit. Reason: The perMessageGroupId value "
                "is allowed only when the value for DeduplicationScope is messageGroup.",
            )
        return attrs

    def _attributes(self, queue: Queue, now: float, names: Any = None) -> dict[str, str]:
        self._expire(queue, now)
        visible, in_flight, delayed = queue.index.counts(now)
        rec = queue.rec
        values = dict(rec["attrs"])
        values["QueueArn"] = queue.arn
        values["ApproximateNumberOfMessages"] = str(visible)
        values["ApproximateNumberOfMessagesNotVisible"] = str(in_flight)
        values["ApproximateNumberOfMessagesDelayed"] = str(delayed)
        values["CreatedTimestamp"] = str(int(rec["created"]))
        values["LastModifiedTimestamp"] = str(int(rec["modified"]))
        if names is None or "All" in names:
            return {name: values[name] for name in _ALL_ORDER if name in values}
        return {name: values[name] for name in _ALL_ORDER if name in names and name in values}

    # -- queues -------------------------------------------------------------------------------------
    def create_queue(self, ctx: Ctx[sqs.CreateQueueRequest]) -> sqs.CreateQueueResult:
        params = ctx.params
        name = params["QueueName"]
        given = params.get("Attributes") or {}
        fifo_value = str(given.get("FifoQueue", "false")).lower()
        fifo = fifo_value == "true"
        if fifo or name.endswith(".fifo"):
            if not _FIFO_NAME.match(name) or not fifo:
                raise invalid_parameter(
                    "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                    "underscores, must end with .fifo suffix and be 1 to 80 in length."
                )
        elif not _QUEUE_NAME.match(name):
            raise invalid_parameter("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
        key = (ctx.account, ctx.region, name)
        arn = ctx.arn(name)
        attrs = self._check_attributes(given, fifo=fifo, arn=arn, creating=True,
                                       account=ctx.account, region=ctx.region)
        tags = params.get("tags") or {}
        self._check_tags(tags, name)
        existing = self._by_key.get(key)
        if existing is not None:
            current = existing.rec["attrs"]
            for attr, value in attrs.items():
                # attributes a queue shows only when set (KMS reuse period…) compare with their default
                if current.get(attr, _INT_ATTRIBUTES.get(attr, (0, 0, ""))[2]) != value:
                    raise sqs.queue_name_exists(f"A queue already exists with the same name and a different value for attribute {attr}")
            return {"QueueUrl": existing.url}
        now = ctx.time()
        deleted_at = self.deleted.get(key)
        if deleted_at is not None:
            if now - deleted_at < RECREATE_DELAY:
                raise sqs.queue_deleted_recently("You must wait 60 seconds after deleting a queue before you can create "
                                "another queue with the same name.")
            self.deleted.delete(key)
        defaults = {attr: spec[2] for attr, spec in _INT_ATTRIBUTES.items() if attr != "KmsDataKeyReusePeriodSeconds"}
        defaults["SqsManagedSseEnabled"] = "true"
        if fifo:
            defaults.update(FifoQueue="true", ContentBasedDeduplication="false",
                            DeduplicationScope="queue", FifoThroughputLimit="perQueue")
        attrs.pop("FifoQueue", None)
        qid = self.seq.get("qid", 0) + 1
        self.seq.put("qid", qid)
        url = self._url(ctx.account, ctx.region, name)
        self.queues.put(key, {
            "qid": qid, "arn": arn, "url": url, "created": now, "modified": now,
            "attrs": self._apply_attributes(defaults, attrs), "tags": dict(tags), "purged": None,
        })
        return {"QueueUrl": url}

    def get_queue_url(self, ctx: Ctx[sqs.GetQueueUrlRequest]) -> sqs.GetQueueUrlResult:
        account = ctx.params.get("QueueOwnerAWSAccountId") or ctx.account
        queue = self._by_key.get((account, ctx.region, ctx.params["QueueName"]))
        if queue is None:
            raise no_such_queue()
        return {"QueueUrl": queue.url}

    def delete_queue(self, ctx: Ctx[sqs.DeleteQueueRequest]) -> sqs.DeleteQueueResult:
        queue = self._queue(ctx)
        self._drop_messages(queue, queue.index.all_messages())
        for _t, key in queue.index.dedup_order:
            self.dedup.delete(key)
        for _t, key in queue.index.attempt_order:
            self.attempts.delete(key)
        self.seq.delete(queue.qid)
        self.deleted.put(queue.key, ctx.time())
        self.queues.delete(queue.key)
        return {}

    def _drop_messages(self, queue: Queue, numbers: list[int]) -> None:
        delete = self.messages.delete
        qid = queue.qid
        for n in numbers:
            delete((qid, n))

    def list_queues(self, ctx: Ctx[sqs.ListQueuesRequest]) -> sqs.ListQueuesResult:
        params = ctx.params
        prefix = params.get("QueueNamePrefix", "")
        start = (ctx.account, ctx.region, prefix)
        after = self._decode_token(params.get("NextToken"))
        names = [key[2] for key in self.queues.irange(start, (ctx.account, ctx.region, "\U0010ffff"))
                 if key[2].startswith(prefix) and (after is None or key[2] > after)]
        limit = params.get("MaxResults")
        out: sqs.ListQueuesResult = {}
        if limit is not None:
            self._check_max_results(limit, 1000)
            if len(names) > limit:
                names = names[:limit]
                out["NextToken"] = self._encode_token(names[-1])
        else:
            names = names[:1000]
        urls = [self._by_key[(ctx.account, ctx.region, name)].url for name in names]
        if urls:
            out["QueueUrls"] = urls
        return out

    @staticmethod
    def _check_max_results(limit: int, maximum: int) -> None:
        if not 1 <= limit <= maximum:
            raise invalid_value("MaxResults", limit, f"MaxResults must be an integer between 1 and {maximum}.")

    @staticmethod
    def _encode_token(last: str) -> str:
        return base64.b64encode(_json_dumps({"after": last}).encode()).decode()

    @staticmethod
    def _decode_token(token: str | None) -> str | None:
        if token is None:
            return None
        try:
            return json.loads(base64.b64decode(token, validate=True))["after"]
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise invalid_parameter("Invalid NextToken value.") from None

    def get_queue_attributes(self, ctx: Ctx[sqs.GetQueueAttributesRequest]) -> sqs.GetQueueAttributesResult:
        queue = self._queue(ctx)
        names = ctx.params.get("AttributeNames") or []
        for name in names:
            if name not in _QUEUE_ATTRIBUTE_NAMES:
                raise sqs.invalid_attribute_name(f"Unknown Attribute {name}.")
        if not names:
            return {}
        attributes = self._attributes(queue, ctx.time(), names)
        return {"Attributes": attributes} if attributes else {}

    def set_queue_attributes(self, ctx: Ctx[sqs.SetQueueAttributesRequest]) -> sqs.SetQueueAttributesResult:
        queue = self._queue(ctx)
        given = ctx.params["Attributes"]
        changes = self._check_attributes(given, fifo=queue.fifo, arn=queue.arn, creating=False,
                                         account=queue.account, region=queue.region)
        rec = queue.rec
        attrs = self._apply_attributes(rec["attrs"], changes)
        self.queues.put(queue.key, {**rec, "attrs": attrs, "modified": ctx.time()})
        return {}

    def purge_queue(self, ctx: Ctx[sqs.PurgeQueueRequest]) -> sqs.PurgeQueueResult:
        queue = self._queue(ctx)
        now = ctx.time()
        purged = queue.rec.get("purged")
        if purged is not None and now - purged < PURGE_INTERVAL:
            raise purge_in_progress(f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.")
        self._drop_messages(queue, queue.index.all_messages())
        self.queues.put(queue.key, {**queue.rec, "purged": now})
        return {}

    def list_dead_letter_source_queues(self, ctx: Ctx[sqs.ListDeadLetterSourceQueuesRequest]) -> sqs.ListDeadLetterSourceQueuesResult:
        queue = self._queue(ctx)
        params = ctx.params
        after = self._decode_token(params.get("NextToken"))
        names = [key[2] for key in self.queues.irange((queue.account, queue.region, ""),
                                                        (queue.account, queue.region, "\U0010ffff"))
                 if self._by_key[key].dlq_arn == queue.arn and (after is None or key[2] > after)]
        token = None
        limit = params.get("MaxResults")
        if limit is not None:
            self._check_max_results(limit, 1000)
            if len(names) > limit:
                names = names[:limit]
                token = self._encode_token(names[-1])
        out: sqs.ListDeadLetterSourceQueuesResult = {
            "queueUrls": [self._by_key[(queue.account, queue.region, name)].url for name in names]}
        if token is not None:
            out["NextToken"] = token
        return out

    # -- tags and permissions -----------------------------------------------------------------------
    @staticmethod
    def _check_tags(tags: dict[str, str], name: str, existing: int = 0) -> None:
        if len(tags) + existing > 50:
            raise invalid_parameter(f"Too many tags added for queue {name}.")
        for key in tags:
            if not 1 <= len(key) <= 128:
                raise invalid_parameter("Tag keys must be between 1 and 128 characters in length.")

    def tag_queue(self, ctx: Ctx[sqs.TagQueueRequest]) -> sqs.TagQueueResult:
        queue = self._queue(ctx)
        tags = ctx.params["Tags"]
        if not tags:
            raise missing_parameter("Tags")
        current = queue.rec["tags"]
        merged = {**current, **tags}
        self._check_tags(merged, queue.name)
        self.queues.put(queue.key, {**queue.rec, "tags": merged})
        return {}

    def untag_queue(self, ctx: Ctx[sqs.UntagQueueRequest]) -> sqs.UntagQueueResult:
        queue = self._queue(ctx)
        keys = ctx.params["TagKeys"]
        if not keys:
            raise missing_parameter("TagKeys")
        tags = {k: v for k, v in queue.rec["tags"].items() if k not in keys}
        self.queues.put(queue.key, {**queue.rec, "tags": tags})
        return {}

    def list_queue_tags(self, ctx: Ctx[sqs.ListQueueTagsRequest]) -> sqs.ListQueueTagsResult:
        tags = self._queue(ctx).rec["tags"]
        return {"Tags": dict(tags)} if tags else {}

    def add_permission(self, ctx: Ctx[sqs.AddPermissionRequest]) -> sqs.AddPermissionResult:
        queue = self._queue(ctx)
        params = ctx.params
        label, accounts, actions = params["Label"], params["AWSAccountIds"], params["Actions"]
        if not re.match(r"^[A-Za-z0-9_-]{1,80}$", label):
            raise invalid_value("Label", label, "Can only include alphanumeric characters, hyphens, or "
                                "underscores. 1 to 80 in length")
        if not actions:
            raise missing_parameter("Actions")
        if not accounts:
            raise invalid_value("PrincipalId", "[]", "Unable to verify.")
        if len(actions) > 7:
            raise over_limit(f"{len(actions)} Actions were found, maximum allowed is 7.")
        for action in actions:
            if action not in _PERMISSION_ACTIONS:
                raise invalid_value("ActionName", f"SQS:{action}", "Only the queue owner is allowed to invoke this action.")
        policy = self._policy(queue)
        if any(statement.get("Sid") == label for statement in policy["Statement"]):
            raise invalid_value("Label", label, "Already exists.")
        principals = [ctx.arn("root", service="iam", region="", account=account) for account in accounts]
        sqs_actions = [f"SQS:{action}" for action in actions]
        policy["Statement"].append({
            "Sid": label,
            "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": sqs_actions[0] if len(sqs_actions) == 1 else sqs_actions,
            "Resource": queue.arn,
        })
        self._put_policy(queue, policy, ctx.time())
        return {}

    def remove_permission(self, ctx: Ctx[sqs.RemovePermissionRequest]) -> sqs.RemovePermissionResult:
        queue = self._queue(ctx)
        label = ctx.params["Label"]
        policy = self._policy(queue)
        statements = [s for s in policy["Statement"] if s.get("Sid") != label]
        if len(statements) == len(policy["Statement"]):
            raise invalid_value("Label", label, "can't find label on existing policy.")
        policy["Statement"] = statements
        self._put_policy(queue, policy if statements else None, ctx.time())
        return {}

    @staticmethod
    def _policy(queue: Queue) -> dict:
        text = queue.rec["attrs"].get("Policy")
        if text:
            policy = json.loads(text)
            policy.setdefault("Statement", [])
            if isinstance(policy["Statement"], dict):
                policy["Statement"] = [policy["Statement"]]
            return policy
        return {"Version": "2012-10-17", "Id": f"{queue.arn}/SQSDefaultPolicy", "Statement": []}

    def _put_policy(self, queue: Queue, policy: dict | None, now: float) -> None:
        attrs = dict(queue.rec["attrs"])
        if policy is None:
            attrs.pop("Policy", None)
        else:
            attrs["Policy"] = _json_dumps(policy)
        self.queues.put(queue.key, {**queue.rec, "attrs": attrs, "modified": now})

    # -- sending ------------------------------------------------------------------------------------
    def _send(self, queue: Queue, now: float, body: str, attributes: dict | None, system: dict | None,
              group: str | None, dedup: str | None, delay: int | None, sender: str,
              in_batch: bool = False) -> sqs.SendMessageResult:
        """Validate and enqueue one message; returns SendMessage's output members."""
        if not body:
            raise missing_parameter("MessageBody")
        data = check_body(body)
        attrs, attrs_size = normalise_attributes(attributes)
        sys_attrs, _ = normalise_attributes(system, system=True)
        size = len(data) + attrs_size
        if size > queue.max_size:  # a batch entry words it its own way (test_send_batch_message_size)
            problem = "cannot be validated" if in_batch else "are invalid"
            raise invalid_parameter(
                f"One or more parameters {problem}. Reason: Message must be shorter than {queue.max_size} bytes."
            )
        if delay is not None:
            if queue.fifo and delay:
                raise invalid_value("DelaySeconds", delay,
                                    "The request include parameter that is not valid for this queue type.")
            if not 0 <= delay <= 900:
                raise invalid_value("DelaySeconds", delay, "DelaySeconds must be >= 0 and <= 900.")
        if delay is None or queue.fifo:  # FIFO queues delay per queue only (an explicit 0 is accepted)
            delay = queue.delay
        kms_key = queue.rec["attrs"].get("KmsMasterKeyId")
        if kms_key:
            self._check_kms_key(queue, kms_key)
        if group is not None and not _TOKEN_CHARS.match(group):
            raise invalid_value("MessageGroupId", group, "MessageGroupId can only include alphanumeric and "
                                "punctuation characters. 1 to 128 in length.")
        if dedup is not None:
            if not queue.fifo:
                raise invalid_value("MessageDeduplicationId", dedup,
                                    "The request include parameter that is not valid for this queue type.")
            if not _TOKEN_CHARS.match(dedup):
                raise invalid_value("MessageDeduplicationId", dedup, "MessageDeduplicationId can only include "
                                    "alphanumeric and punctuation characters. 1 to 128 in length.")
        out: sqs.SendMessageResult = {"MD5OfMessageBody": md5_hex(data)}
        md5_attrs = attributes_md5(attrs) if attrs else None
        md5_sys = attributes_md5(sys_attrs) if sys_attrs else None
        if md5_attrs:
            out["MD5OfMessageAttributes"] = md5_attrs
        if md5_sys:
            out["MD5OfMessageSystemAttributes"] = md5_sys
        qid = queue.qid
        record: dict[str, Any] = {"body": body, "md5": out["MD5OfMessageBody"], "sent": now,
                                  "vis": now + delay, "rc": 0, "sender": sender}
        if queue.fifo:
            if group is None:
                raise missing_parameter("MessageGroupId")
            if dedup is None:
                if not queue.content_dedup:
                    raise invalid_parameter("The queue should either have ContentBasedDeduplication enabled "
                                            "or MessageDeduplicationId provided explicitly")
                dedup = hashlib.sha256(data).hexdigest()
            dedup_key = (qid, group if queue.group_scope else "", dedup)
            self._prune_dedup(queue.index, now)
            seen = self.dedup.get(dedup_key)
            if seen is not None and now - seen["t"] < DEDUP_WINDOW:
                out["MessageId"] = seen["id"]
                out["SequenceNumber"] = seen["seq"]
                return out
            n = self._next_n(queue)
            message_id = self.emulator.ids.uuid4()
            sequence = str(_SEQUENCE_BASE + n)
            self.dedup.put(dedup_key, {"t": now, "id": message_id, "seq": sequence})
            queue.index.dedup_order.append((now, dedup_key))
            record["dedup"] = dedup
            record["seq"] = sequence
            out["SequenceNumber"] = sequence
        else:
            n = self._next_n(queue)
            message_id = self.emulator.ids.uuid4()
        if group is not None:
            record["group"] = group
        record["id"] = message_id
        if attrs:
            record["ma"] = attrs
            record["md5a"] = md5_attrs
        if sys_attrs:
            record["sa"] = sys_attrs
        self.messages.put((qid, n), record)
        out["MessageId"] = message_id
        return out

    def _prune_dedup(self, index: QueueIndex, now: float) -> None:
        order = index.dedup_order
        while order and order[0][0] + DEDUP_WINDOW <= now:
            t, key = order.popleft()
            rec = self.dedup.get(key)
            if rec is not None and rec["t"] == t:
                self.dedup.delete(key)

    def _check_kms_key(self, queue: Queue, key_id: str) -> None:
        """SSE-KMS: SetQueueAttributes takes any key id, each send needs the key usable (SQS
        developer guide, "Encryption at rest": SQS calls KMS for data keys when messages are sent;
        botocore's model lists KmsNotFound, KmsDisabled… as SendMessage errors)."""
        try:
            self.emulator.ports.keys.check_key_usable(key_id, queue.account, queue.region)
        except AwsError as refused:
            raise kms_refusal(refused) from None

    def send_message(self, ctx: Ctx[sqs.SendMessageRequest]) -> sqs.SendMessageResult:
        queue = self._queue(ctx)
        params = ctx.params
        return self._send(queue, ctx.time(), params["MessageBody"], params.get("MessageAttributes"),
                          _traced(params.get("MessageSystemAttributes"), ctx), params.get("MessageGroupId"),
                          params.get("MessageDeduplicationId"), params.get("DelaySeconds"), ctx.account)

    def _check_batch(self, entries: list[dict], entry_name: str) -> None:
        if not entries:
            raise sqs.empty_batch_request(f"There should be at least one {entry_name} in the request.")
        if len(entries) > MAX_BATCH:
            raise sqs.too_many_entries_in_batch_request(f"Maximum number of entries per request are {MAX_BATCH}. You have sent {len(entries)}.")
        seen: set[str] = set()
        for entry in entries:
            entry_id = entry["Id"]
            if not _BATCH_ID.match(entry_id):
                raise sqs.invalid_batch_entry_id("A batch entry id can only contain alphanumeric characters, hyphens and "
                                "underscores. It can be at most 80 letters long.")
            if entry_id in seen:
                raise sqs.batch_entry_ids_not_distinct(f"Id {entry_id} repeated.")
            seen.add(entry_id)

    @staticmethod
    def _failure(entry_id: str, error: AwsError) -> sqs.BatchResultErrorEntry:
        return {"Id": entry_id, "SenderFault": error.status < 500, "Code": error.code, "Message": error.message}

    def _batch(self, ctx: RequestContext[Any], entry_name: str, apply: Callable[[Queue, Any, float], _Entry],
               check: Callable[[Queue, Any], None] | None = None,
               ) -> tuple[list[_Entry], list[sqs.BatchResultErrorEntry]]:
        """A batch call: the request-wide checks, then ``apply(queue, entry, now)`` per entry, whose
        AwsError becomes that entry's failure and whose result is its success entry."""
        queue = self._queue(ctx)
        entries = ctx.params["Entries"]
        self._check_batch(entries, entry_name)
        if check is not None:
            check(queue, entries)
        now = ctx.time()
        successful: list[_Entry] = []
        failed: list[sqs.BatchResultErrorEntry] = []
        for entry in entries:
            try:
                successful.append(apply(queue, entry, now))
            except AwsError as error:
                failed.append(self._failure(entry["Id"], error))
        return successful, failed

    @staticmethod
    def _check_send_batch(queue: Queue, entries: list[dict]) -> None:
        """What fails a whole SendMessageBatch rather than one entry: its total size, and on a FIFO
        queue an entry without a group id, or without a deduplication id where the queue makes none
        (recorded: LocalStack's test_send_batch_missing_*_for_fifo_queue)."""
        if queue.fifo:
            if any(entry.get("MessageGroupId") is None for entry in entries):
                raise invalid_parameter("The request must contain the parameter MessageGroupId.")
            if not queue.content_dedup and any(entry.get("MessageDeduplicationId") is None for entry in entries):
                raise invalid_parameter("The queue should either have ContentBasedDeduplication enabled "
                                        "or MessageDeduplicationId provided explicitly")
        total = 0
        for entry in entries:
            total += len(entry["MessageBody"].encode("utf-8", "surrogatepass"))
            for name, value in (entry.get("MessageAttributes") or {}).items():
                raw = value.get("StringValue") or value.get("BinaryValue") or b""
                total += len(name) + len(value.get("DataType", "")) + len(raw)
        if total > MAX_BATCH_BYTES:
            raise sqs.batch_request_too_long(f"Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. "
                                             f"You have sent {total} bytes.")

    def send_message_batch(self, ctx: Ctx[sqs.SendMessageBatchRequest]) -> sqs.SendMessageBatchResult:
        def send(queue: Queue, entry: sqs.SendMessageBatchRequestEntry, now: float) -> sqs.SendMessageBatchResultEntry:
            sent = self._send(queue, now, entry["MessageBody"], entry.get("MessageAttributes"),
                              _traced(entry.get("MessageSystemAttributes"), ctx), entry.get("MessageGroupId"),
                              entry.get("MessageDeduplicationId"), entry.get("DelaySeconds"), ctx.account,
                              in_batch=True)
            # _send always sets MessageId and MD5OfMessageBody, which the batch entry requires
            return cast(sqs.SendMessageBatchResultEntry, {"Id": entry["Id"], **sent})

        successful, failed = self._batch(ctx, "SendMessageBatchRequestEntry", send, self._check_send_batch)
        return {"Successful": successful, "Failed": failed}

    # -- receiving ----------------------------------------------------------------------------------
    def _expire(self, queue: Queue, now: float) -> None:
        sent = queue.index.sent
        if sent and sent[0][0] <= now - queue.retention:
            self._drop_messages(queue, queue.index.expired(now - queue.retention))

    def _dlq(self, queue: Queue) -> Queue | None:
        if queue.dlq_arn is None:
            return None
        return self._by_arn.get(queue.dlq_arn)

    def _move(self, source: Queue, n: int, rec: dict, target: Queue, now: float, *, redrive: bool) -> None:
        """Move one message to ``target``: to a dead-letter queue (keeping its receive history) or back
        out of one (a message move task: it arrives as a fresh message)."""
        self.messages.delete((source.qid, n))
        moved = dict(rec)
        moved["vis"] = now
        if redrive:
            moved["rc"] = 0
            moved.pop("first", None)
            moved.pop("rt", None)
            moved.pop("dlq", None)
        else:
            moved["dlq"] = source.arn
            if target.fifo:
                moved["sent"] = now  # a FIFO dead-letter queue resets the enqueue time
        m = self._next_n(target)
        if target.fifo:
            moved["seq"] = str(_SEQUENCE_BASE + m)
            moved.setdefault("group", "default")
            moved.setdefault("dedup", moved["id"])
        else:
            moved.pop("seq", None)
            moved.pop("dedup", None)
        self.messages.put((target.qid, m), moved)

    def _receive(self, queue: Queue, now: float, count: int, visibility: int,
                 attempt: str | None = None) -> list[tuple[int, dict]]:
        """Receive up to ``count`` messages at ``now``: the lifecycle step of ReceiveMessage."""
        self._expire(queue, now)
        index = queue.index
        if attempt is not None:
            again = self._retry_attempt(queue, now, visibility, attempt)
            if again is not None:
                return again
        in_flight = index.in_flight(now) if len(index.recv) + count > self.MAX_IN_FLIGHT else 0
        if in_flight >= self.MAX_IN_FLIGHT:
            if queue.fifo:
                return []
            raise over_limit(f"Too many messages in flight. The maximum number of in-flight "
                            f"messages per queue is {self.MAX_IN_FLIGHT}.")
        count = min(count, self.MAX_IN_FLIGHT - in_flight)
        dlq = self._dlq(queue)
        limit = queue.max_receives if dlq is not None else 0
        out: list[tuple[int, dict]] = []
        seen: set[int] = set()
        messages = self.messages
        qid = queue.qid
        until = now + visibility
        while len(out) < count:
            numbers = index.visible_in_order(now, count - len(out), seen)
            if not numbers:
                break
            moved = False
            for n in numbers:
                seen.add(n)
                key = (qid, n)
                rec = messages[key]
                if limit and rec["rc"] >= limit:
                    self._move(queue, n, rec, dlq, now, redrive=False)  # type: ignore[arg-type]
                    moved = True
                    continue
                new = {**rec, "rc": rec["rc"] + 1, "vis": until, "rt": now}
                if "first" not in rec:
                    new["first"] = now
                messages.put(key, new)
                out.append((n, new))
            if not moved and not queue.fifo:
                break
        if attempt is not None and out:
            self._remember_attempt(queue, now, attempt, out)
        return out

    def _retry_attempt(self, queue: Queue, now: float, visibility: int, attempt: str) -> list | None:
        order = queue.index.attempt_order
        while order and order[0][0] + ATTEMPT_WINDOW <= now:
            t, key = order.popleft()
            rec = self.attempts.get(key)
            if rec is not None and rec["t"] == t:
                self.attempts.delete(key)
        entry = self.attempts.get((queue.qid, attempt))
        if entry is None or now - entry["t"] >= ATTEMPT_WINDOW:
            return None
        current = []
        for n, rc, vis in entry["messages"]:
            rec = self.messages.get((queue.qid, n))
            if rec is None or rec["rc"] != rc or rec["vis"] != vis or vis <= now:
                return None
            current.append((n, rec))
        out = []
        for n, rec in current:
            new = {**rec, "vis": now + visibility}
            self.messages.put((queue.qid, n), new)
            out.append((n, new))
        self.attempts.put((queue.qid, attempt), {
            "t": entry["t"], "messages": [[n, rec["rc"], rec["vis"]] for n, rec in out]})
        return out

    def _remember_attempt(self, queue: Queue, now: float, attempt: str, out: list) -> None:
        key = (queue.qid, attempt)
        self.attempts.put(key, {"t": now, "messages": [[n, rec["rc"], rec["vis"]] for n, rec in out]})
        queue.index.attempt_order.append((now, key))

    def _handle(self, qid: int, n: int, rec: dict) -> str:
        return "AQEB" + base64.b64encode(f"{qid}:{n}:{rec['rc']}:{rec['id']}".encode()).decode()

    @staticmethod
    def _parse_handle(queue: Queue, handle: str) -> tuple[int, int, str]:
        """(n, receive count, message id) named by a receipt handle of ``queue``."""
        try:
            if not handle.startswith("AQEB"):
                raise ValueError
            qid, n, rc, message_id = base64.b64decode(handle[4:], validate=True).decode().split(":")
            if int(qid) != queue.qid:
                raise ValueError
            return int(n), int(rc), message_id
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise sqs.receipt_handle_is_invalid(f'The input receipt handle "{handle}" is not a valid receipt handle.') from None

    def _format(self, queue: Queue, n: int, rec: dict, system: frozenset | set, all_system: bool,
                attribute_names: list[str]) -> sqs.Message:
        message: sqs.Message = {
            "MessageId": rec["id"],
            "ReceiptHandle": self._handle(queue.qid, n, rec),
            "MD5OfBody": rec["md5"],
            "Body": rec["body"],
        }
        if system or all_system:
            values = {
                "SenderId": rec["sender"],
                "SentTimestamp": _ms(rec["sent"]),
                "ApproximateReceiveCount": str(rec["rc"]),
                "ApproximateFirstReceiveTimestamp": _ms(rec.get("first", rec["sent"])),
            }
            if "group" in rec:
                values["MessageGroupId"] = rec["group"]
            if "dedup" in rec:
                values["MessageDeduplicationId"] = rec["dedup"]
            if "seq" in rec:
                values["SequenceNumber"] = rec["seq"]
            if "sa" in rec:
                values["AWSTraceHeader"] = rec["sa"]["AWSTraceHeader"]["StringValue"]
            if "dlq" in rec:
                values["DeadLetterQueueSourceArn"] = rec["dlq"]
            message["Attributes"] = values if all_system else {k: v for k, v in values.items() if k in system}
        attrs = rec.get("ma")
        if attrs and attribute_names:
            selected = select_attributes(attrs, attribute_names)
            if selected:
                # stored records hold MessageAttributeValue dicts, as normalise_attributes checked them
                message["MessageAttributes"] = cast("dict[str, sqs.MessageAttributeValue]",
                                                    {name: dict(value) for name, value in selected.items()})
                message["MD5OfMessageAttributes"] = (rec["md5a"] if len(selected) == len(attrs)
                                                     else attributes_md5(selected))
        return message

    def receive_message(self, ctx: Ctx[sqs.ReceiveMessageRequest]) -> sqs.ReceiveMessageResult:
        queue = self._queue(ctx)
        params = ctx.params
        count = params.get("MaxNumberOfMessages", 1)
        if not 1 <= count <= 10:
            raise invalid_value("MaxNumberOfMessages", count, "Must be between 1 and 10, if provided.")
        visibility = params.get("VisibilityTimeout")
        if visibility is not None and not 0 <= visibility <= MAX_VISIBILITY:
            raise invalid_value("VisibilityTimeout", visibility, f"Must be >= 0 and <= {MAX_VISIBILITY}, if provided.")
        wait = params.get("WaitTimeSeconds")
        if wait is not None and not 0 <= wait <= 20:
            raise invalid_value("WaitTimeSeconds", wait, "Must be >= 0 and <= 20, if provided.")
        system: frozenset | set = _NO_NAMES
        if "AttributeNames" in params or "MessageSystemAttributeNames" in params:
            system = set(params.get("AttributeNames") or ())
            system.update(params.get("MessageSystemAttributeNames") or ())
            for name in system:
                if name not in _SYSTEM_ATTRIBUTE_NAMES and name not in _QUEUE_ATTRIBUTE_NAMES:
                    raise sqs.invalid_attribute_name(f"Unknown Attribute {name}.")
        attempt = params.get("ReceiveRequestAttemptId")
        if attempt is not None:
            if not _TOKEN_CHARS.match(attempt):
                raise invalid_value("ReceiveRequestAttemptId", attempt, "ReceiveRequestAttemptId can only include "
                                    "alphanumeric and punctuation characters. 1 to 128 in length.")
            if not queue.fifo:
                attempt = None
        received = self._receive_waiting(ctx, queue, count, visibility, queue.wait if wait is None else wait, attempt)
        if not received:
            return {}
        queue = self._by_qid.get(queue.qid) or queue
        all_system = "All" in system
        names = params.get("MessageAttributeNames") or []
        return {"Messages": [self._format(queue, n, rec, system, all_system, names) for n, rec in received]}

    def _receive_waiting(self, ctx: RequestContext[Any], queue: Queue, count: int, visibility: int | None,
                         wait: int, attempt: str | None) -> list[tuple[int, dict]]:
        clock = ctx.clock
        now = clock.time()
        deadline = now + wait
        virtual = isinstance(clock, VirtualClock)
        qid = queue.qid
        while True:
            vt = queue.vt if visibility is None else visibility
            final = wait == 0 or now >= deadline
            # Only a receive that returns messages (or ends the poll) changes state: moving messages
            # to the dead-letter queue or dropping expired ones while waiting would keep the lock.
            if final or attempt is not None or self._deliverable(queue, now):
                received = self._receive(queue, now, count, vt, attempt)
                if received or final:
                    return received
            upcoming = queue.index.next_visible(now)
            target = deadline if upcoming is None else min(upcoming, deadline)
            if virtual:
                clock.advance(target - now)  # type: ignore[attr-defined]
                now = clock.time()
            else:
                if not self._can_wait():
                    return []  # this call already changed state: it cannot release the lock
                self.emulator.wait(max(target - now, 0.0))
                now = clock.time()
            current = self._by_qid.get(qid)
            if current is None:
                raise no_such_queue()
            queue = current

    def _deliverable(self, queue: Queue, now: float) -> bool:
        """Whether a receive at ``now`` would return a message (read only): a visible message that
        has neither outlived the retention period nor reached the redrive policy's receive count."""
        index = queue.index
        if not index.has_visible(now):
            return False
        cutoff = now - queue.retention
        limit = queue.max_receives if self._dlq(queue) is not None else 0
        skip: set[int] = set()
        while True:
            numbers = index.visible_in_order(now, MAX_BATCH, skip)
            if not numbers:
                return False
            for n in numbers:
                rec = self.messages[(queue.qid, n)]
                if rec["sent"] > cutoff and not (limit and rec["rc"] >= limit):
                    return True
                skip.add(n)

    def _can_wait(self) -> bool:
        undo = self.store.suspend()
        self.store.resume(undo)
        return not undo

    # -- deleting and visibility --------------------------------------------------------------------
    def _delete(self, queue: Queue, handle: str, now: float) -> None:
        n, rc, message_id = self._parse_handle(queue, handle)
        key = (queue.qid, n)
        rec = self.messages.get(key)
        if rec is None or rec["id"] != message_id:
            return  # already deleted: AWS reports success
        if rec["rc"] != rc or (queue.fifo and rec["vis"] <= now):
            if queue.fifo:
                raise invalid_value("ReceiptHandle", handle, "The receipt handle has expired.")
            return  # a stale handle: the call succeeds, the message stays (AWS documents this)
        self.messages.delete(key)

    def delete_message(self, ctx: Ctx[sqs.DeleteMessageRequest]) -> sqs.DeleteMessageResult:
        queue = self._queue(ctx)
        self._delete(queue, ctx.params["ReceiptHandle"], ctx.time())
        return {}

    def delete_message_batch(self, ctx: Ctx[sqs.DeleteMessageBatchRequest]) -> sqs.DeleteMessageBatchResult:
        def delete(queue: Queue, entry: sqs.DeleteMessageBatchRequestEntry,
                   now: float) -> sqs.DeleteMessageBatchResultEntry:
            self._delete(queue, entry["ReceiptHandle"], now)
            return {"Id": entry["Id"]}

        successful, failed = self._batch(ctx, "DeleteMessageBatchRequestEntry", delete)
        return {"Successful": successful, "Failed": failed}

    def _change_visibility(self, queue: Queue, handle: str, timeout: int, now: float) -> None:
        if not 0 <= timeout <= MAX_VISIBILITY:
            raise invalid_value("VisibilityTimeout", timeout, f"Must be >= 0 and <= {MAX_VISIBILITY}, if provided.")
        n, rc, message_id = self._parse_handle(queue, handle)
        key = (queue.qid, n)
        rec = self.messages.get(key)
        if rec is None or rec["id"] != message_id:
            raise invalid_value("ReceiptHandle", handle,
                                "Message does not exist or is not available for visibility timeout change.")
        if rec["rc"] != rc:  # received again since; an expired but latest receipt still works
            raise sqs.message_not_inflight("Message does not exist or is not available for visibility timeout change.")
        if now + timeout - rec["rt"] > MAX_VISIBILITY:
            raise invalid_value("VisibilityTimeout", timeout,
                                f"Total VisibilityTimeout for the message is beyond the limit [{MAX_VISIBILITY} seconds]")
        self.messages.put(key, {**rec, "vis": now + timeout})

    def change_message_visibility(self, ctx: Ctx[sqs.ChangeMessageVisibilityRequest]) -> sqs.ChangeMessageVisibilityResult:
        queue = self._queue(ctx)
        params = ctx.params
        self._change_visibility(queue, params["ReceiptHandle"], params["VisibilityTimeout"], ctx.time())
        return {}

    def change_message_visibility_batch(self, ctx: Ctx[sqs.ChangeMessageVisibilityBatchRequest]) -> sqs.ChangeMessageVisibilityBatchResult:
        def change(queue: Queue, entry: sqs.ChangeMessageVisibilityBatchRequestEntry,
                   now: float) -> sqs.ChangeMessageVisibilityBatchResultEntry:
            self._change_visibility(queue, entry["ReceiptHandle"], entry.get("VisibilityTimeout", 0), now)
            return {"Id": entry["Id"]}

        successful, failed = self._batch(ctx, "ChangeMessageVisibilityBatchRequestEntry", change)
        return {"Successful": successful, "Failed": failed}

    # -- message move tasks (DLQ redrive) -----------------------------------------------------------
    def _task_handle(self, task_id: str, source: str) -> str:
        return base64.b64encode(_json_dumps({"taskId": task_id, "sourceArn": source}).encode()).decode()

    def _advance_tasks(self, now: float) -> None:
        for key in list(self._running):
            task = self.tasks.get(key)
            if task is not None and task["status"] == "RUNNING":
                self._advance_task(key, task, now)

    def _advance_task(self, key: str, task: dict, now: float) -> None:
        """Move what a running task has moved by ``now`` (all at once without a rate limit)."""
        source = self._by_arn.get(task["source"])
        rate = task.get("rate")
        target = task["to_move"] if rate is None else min(task["to_move"], int((now - task["started"]) * rate))
        want = target - task["moved"]
        moved = 0
        failure = None if source is not None else "AWS.SimpleQueueService.NonExistentQueue"
        if want > 0 and source is not None:
            for n in source.index.visible_in_order(now, want, set()):
                rec = self.messages[(source.qid, n)]
                destination = self._by_arn.get(task.get("dest") or rec.get("dlq", ""))
                if destination is None:
                    failure = "AWS.SimpleQueueService.NonExistentQueue"
                    break
                self._move(source, n, rec, destination, now, redrive=True)
                moved += 1
        done = task["moved"] + moved >= task["to_move"] or (want > 0 and moved < want)
        if moved or done or failure:
            task = {**task, "moved": task["moved"] + moved}
            if failure:
                task.update(status="FAILED", failure=failure)
            elif done:
                task["status"] = "COMPLETED"
            self.tasks.put(key, task)

    def start_message_move_task(self, ctx: Ctx[sqs.StartMessageMoveTaskRequest]) -> sqs.StartMessageMoveTaskResult:
        params = ctx.params
        source_arn = params["SourceArn"]
        source = self._by_arn.get(source_arn)
        if source is None:
            raise resource_not_found("The resource that you specified for the SourceArn parameter doesn't exist.")
        now = ctx.time()
        if self._running:
            self._advance_tasks(now)
        if not any(q.dlq_arn == source_arn for q in self._by_key.values()):
            raise invalid_parameter("Source queue must be configured as a Dead Letter Queue.")
        destination_arn = params.get("DestinationArn")
        if destination_arn is not None and destination_arn not in self._by_arn:
            raise resource_not_found("The resource that you specified for the DestinationArn parameter doesn't exist.")
        rate = params.get("MaxNumberOfMessagesPerSecond")
        if rate is not None and not 1 <= rate <= 500:
            raise invalid_value("MaxNumberOfMessagesPerSecond", rate, "Must be between 1 and 500.")
        for key in self._running:
            if self.tasks[key]["source"] == source_arn:
                raise invalid_parameter("There is already a task running. Only one active task is allowed for "
                                        "a source queue arn at a given time.")
        self._expire(source, now)
        task_id = ctx.ids.uuid4()
        task = {"id": task_id, "source": source_arn, "dest": destination_arn, "rate": rate, "started": now,
                "to_move": source.index.counts(now)[0], "moved": 0, "status": "RUNNING"}
        self.tasks.put(task_id, task)
        self._advance_task(task_id, task, now)
        return {"TaskHandle": self._task_handle(task_id, source_arn)}

    def _task_by_handle(self, handle: str) -> tuple[str, dict]:
        """The task a handle names. AWS tells a handle it cannot read from one naming an unknown queue or
        task (recorded: LocalStack's test_cancel_with_invalid_task_handle, ..._source_arn_in_task_handle,
        ..._task_id_in_task_handle)."""
        try:
            decoded = json.loads(base64.b64decode(handle, validate=True))
            task_id, source = decoded["taskId"], decoded["sourceArn"]
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise invalid_parameter("Value for parameter TaskHandle is invalid.") from None
        if not isinstance(source, str) or source not in self._by_arn:
            raise resource_not_found("The resource that you specified for the SourceArn parameter doesn't exist.")
        task = self.tasks.get(task_id) if isinstance(task_id, str) else None
        if task is None:
            raise resource_not_found("Task does not exist.")
        return task_id, task

    def cancel_message_move_task(self, ctx: Ctx[sqs.CancelMessageMoveTaskRequest]) -> sqs.CancelMessageMoveTaskResult:
        if self._running:
            self._advance_tasks(ctx.time())
        task_id, task = self._task_by_handle(ctx.params["TaskHandle"])
        if task["status"] != "RUNNING":
            raise invalid_parameter("Only active tasks can be cancelled.")
        self.tasks.put(task_id, {**task, "status": "CANCELLED"})
        return {"ApproximateNumberOfMessagesMoved": task["moved"]}

    def list_message_move_tasks(self, ctx: Ctx[sqs.ListMessageMoveTasksRequest]) -> sqs.ListMessageMoveTasksResult:
        params = ctx.params
        source_arn = params["SourceArn"]
        if source_arn not in self._by_arn:
            raise resource_not_found("The resource that you specified for the SourceArn parameter doesn't exist.")
        limit = params.get("MaxResults", 1)
        if not 1 <= limit <= 10:
            raise invalid_value("MaxResults", limit, "MaxResults must be an integer between 1 and 10.")
        if self._running:
            self._advance_tasks(ctx.time())
        tasks = sorted((t for t in self.tasks.values() if t["source"] == source_arn),
                       key=lambda t: t["started"], reverse=True)[:limit]
        results: list[sqs.ListMessageMoveTasksResultEntry] = []
        for task in tasks:
            entry: sqs.ListMessageMoveTasksResultEntry = {}
            if task["status"] == "RUNNING":
                entry["TaskHandle"] = self._task_handle(task["id"], source_arn)
            entry["Status"] = task["status"]
            entry["SourceArn"] = source_arn
            if task.get("dest"):
                entry["DestinationArn"] = task["dest"]
            if task.get("rate") is not None:
                entry["MaxNumberOfMessagesPerSecond"] = task["rate"]
            entry["ApproximateNumberOfMessagesMoved"] = task["moved"]
            entry["ApproximateNumberOfMessagesToMove"] = task["to_move"]
            if task.get("failure"):
                entry["FailureReason"] = task["failure"]
            entry["StartedTimestamp"] = int(task["started"] * 1000)
            results.append(entry)
        return {"Results": results}

    # -- inspection ---------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        now = self.emulator.clock.time()
        queues = []
        for key in self.queues:
            queue = self._by_key[key]
            visible, in_flight, delayed = queue.index.counts(now)
            queues.append({"name": queue.name, "account": queue.account, "region": queue.region,
                           "url": queue.url, "fifo": queue.fifo, "visible": visible,
                           "in_flight": in_flight, "delayed": delayed})
        return {"queues": queues}

    # -- internal API for other services ------------------------------------------------------------
    def deliver_message(self, queue_arn: str, body: str, *, message_attributes: dict | None = None,
                        message_system_attributes: dict | None = None, message_group_id: str | None = None,
                        deduplication_id: str | None = None, delay_seconds: int | None = None) -> str:
        """Enqueue as SendMessage would; returns the MessageId (see the module docstring)."""
        with self.emulator.lock:
            queue = self._queue_by_arn(queue_arn)
            result = self._send(queue, self.emulator.clock.time(), body, message_attributes,
                                message_system_attributes, message_group_id, deduplication_id,
                                delay_seconds, queue.account)
            if not self.store.in_transaction:  # called outside any call: wake long polls ourselves
                self.emulator.changed.notify_all()
            return result["MessageId"]

    def receive_for_consumer(self, queue_arn: str, max_messages: int,
                             visibility_timeout: int | None = None) -> list[sqs.Message]:
        """Receive as ReceiveMessage with All attributes would (see the module docstring)."""
        with self.emulator.lock:
            queue = self._queue_by_arn(queue_arn)
            now = self.emulator.clock.time()
            received = self._receive(queue, now, max(1, min(max_messages, 10)),
                                     queue.vt if visibility_timeout is None else visibility_timeout)
            return [self._format(queue, n, rec, frozenset(), True, ["All"]) for n, rec in received]

    def delete_by_receipt(self, queue_arn: str, receipt_handle: str) -> None:
        with self.emulator.lock:
            queue = self._queue_by_arn(queue_arn)
            self._delete(queue, receipt_handle, self.emulator.clock.time())

    def resource_facts(self, arn: str) -> dict[str, Any] | None:
        """ResourcePolicyPort: a queue's policy and tags."""
        queue = self._by_arn.get(arn)
        if queue is None:
            return None
        return {"Arn": arn, "Policy": queue.rec["attrs"].get("Policy"), "Tags": dict(queue.rec.get("tags") or {})}

    def queue_attributes(self, queue_arn: str) -> dict[str, str]:
        with self.emulator.lock:
            queue = self._queue_by_arn(queue_arn)
            return self._attributes(queue, self.emulator.clock.time())

    def queue_arn_for_url(self, url: str) -> str:
        match = _URL.match(url)
        if match is None:
            raise sqs.invalid_address(f"The address {url} is not valid for this endpoint.")
        account, name = match.groups()
        host = _host_region().match(url)
        region = host.group(1) if host else self.emulator.region
        queue = self._by_key.get((account, region, name))
        if queue is None:
            candidates = [q for key, q in self._by_key.items() if key[0] == account and key[2] == name]
            if len(candidates) != 1:
                raise no_such_queue()
            queue = candidates[0]
        return queue.arn


def _traced(system: dict | None, ctx: RequestContext[Any]) -> dict | None:
    """A sent request's X-Ray header (``X-Amzn-Trace-Id``) becomes the AWSTraceHeader of each message
    it sends, unless the message sets that system attribute itself, which wins (AWS X-Ray Developer
    Guide, "Amazon SQS and AWS X-Ray")."""
    header = ctx.botocore_context.get(TRACE_HEADER) if ctx.botocore_context else None
    if not header or (system and "AWSTraceHeader" in system):
        return system
    return {**(system or {}), "AWSTraceHeader": {"DataType": "String", "StringValue": header}}
