"""SNS: topics (standard and FIFO), subscriptions for every protocol, filter policies, publishing
with in-process delivery, platform applications and SMS settings.

Delivery happens inside the publishing call: by the time ``Publish`` returns, the message is in every
subscribed SQS queue (in AWS's JSON envelope, or raw), a Lambda subscriber has been invoked, and what
would have gone to an HTTP(S), email or SMS endpoint, a mobile platform endpoint or Firehose is in the
outbox. No network is used.

Internal API (plain Python, for other services):

- ``SnsBackend.publish_internal(topic_arn, message, *, subject=None, message_attributes=None,
  message_structure=None, message_group_id=None, deduplication_id=None) -> str``: publish as the topic's
  owner would and return the MessageId; raises ``AwsError("NotFound")`` if the topic does not exist.
  ``message_attributes`` are in Publish's form (``{"name": {"DataType": "String", "StringValue": "x"}}``).
  Used by S3 event notifications and EventBridge targets.
- ``SnsBackend.outbox() -> list[dict]``: everything SNS would have sent outside AWS, oldest first. Each
  entry has ``Protocol`` (http, https, email, email-json, sms, application, firehose), ``Endpoint``,
  ``Type`` (Notification, SubscriptionConfirmation, UnsubscribeConfirmation, SandboxVerification),
  ``MessageId``, ``TopicArn``, ``SubscriptionArn``, ``Subject``, ``Body`` (the exact text sent: the
  JSON envelope for http(s) and email-json, the plain message for email and sms), ``Headers`` (http)
  and ``Timestamp`` (epoch seconds); confirmation requests carry ``Token`` and ``SubscribeURL``.
- ``SnsBackend.delivery_failures() -> list[dict]``: deliveries AWS would have given up on (a deleted
  queue, a missing function), with the reason; AWS does not report these to the publisher either.

Subscriptions to sqs, lambda, application and firehose endpoints are confirmed at once; http, https,
email and email-json stay pending until ``ConfirmSubscription`` with the token found in the outbox.
SMS subscriptions are confirmed at once, as AWS does.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Iterable

from ...api import sns as api
from ...core.dispatch import Ctx, RequestContext, ServiceBackend, attempt
from ...core.errors import AwsError
from ...core.tokens import decode_token, encode_token
from ...core.partitions import arn_prefix, arn_prefix_of
from ..eventpatterns import (
    SNS_ANYTHING_BUT, PatternError, check_pattern_text, compile_pattern, compile_sns_policy, pattern_stats,
    sns_attributes_event, sns_numbers,
)
from .envelope import Notification, confirmation_message, endpoint, iso_timestamp
from . import schema

_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_FIFO_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,251}\.fifo$")
_ARN = re.compile(r"^arn:aws[\w-]*:sns:([a-z0-9-]+):(\d{12}):(.+)$")
_SQS_ARN = re.compile(r"^arn:aws[\w-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}(\.fifo)?$")
_LAMBDA_ARN = re.compile(r"^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]{1,64}(:[\w$-]+)?$")
_FIREHOSE_ARN = re.compile(r"^arn:aws[\w-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream/[\w.-]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9]{5,15}$")
_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
_PAGE = 100
_MAX_MESSAGE_BYTES = 262144
_MAX_TAGS = 50
_DEDUP_WINDOW = 300.0
_PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose")
_CONFIRM_AT_ONCE = frozenset({"sqs", "lambda", "application", "firehose", "sms"})
_RAW_CAPABLE = frozenset({"sqs", "http", "https", "firehose"})
_TOPIC_ATTRIBUTES = frozenset({
    "DeliveryPolicy", "DisplayName", "Policy", "KmsMasterKeyId", "SignatureVersion", "TracingConfig",
    "ContentBasedDeduplication", "FifoTopic", "FifoThroughputScope", "ArchivePolicy",
    "ApplicationSuccessFeedbackRoleArn", "ApplicationSuccessFeedbackSampleRate",
    "ApplicationFailureFeedbackRoleArn", "HTTPSuccessFeedbackRoleArn", "HTTPSuccessFeedbackSampleRate",
    "HTTPFailureFeedbackRoleArn", "LambdaSuccessFeedbackRoleArn", "LambdaSuccessFeedbackSampleRate",
    "LambdaFailureFeedbackRoleArn", "SQSSuccessFeedbackRoleArn", "SQSSuccessFeedbackSampleRate",
    "SQSFailureFeedbackRoleArn", "FirehoseSuccessFeedbackRoleArn", "FirehoseSuccessFeedbackSampleRate",
    "FirehoseFailureFeedbackRoleArn",
})
_SUBSCRIPTION_ATTRIBUTES = frozenset({
    "DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
    "SubscriptionRoleArn", "ReplayPolicy",
})
_EFFECTIVE_DELIVERY_POLICY = json.dumps({
    "http": {
        "defaultHealthyRetryPolicy": {
            "minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3, "numMaxDelayRetries": 0,
            "numNoDelayRetries": 0, "numMinDelayRetries": 0, "backoffFunction": "linear",
        },
        "disableSubscriptionOverrides": False,
        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
    }
}, separators=(",", ":"))
_DEFAULT_SMS_ATTRIBUTES: dict[str, str] = {}


#: what a subscription's attributes are when not set, for Subscribe's idempotency (recorded from AWS:
#: LocalStack's test_subscribe_idempotency)
_SUBSCRIPTION_DEFAULTS = {"RawMessageDelivery": "false", "FilterPolicyScope": "MessageAttributes"}


def _invalid(message: str) -> AwsError:
    return api.invalid_parameter_exception(message)


def _from_token(token: str | None) -> Any:
    """The value a NextToken of ours carries; AWS's error for anything else."""
    return decode_token(token, _invalid("Invalid parameter: NextToken"))


def _not_found(message: str) -> AwsError:
    return api.not_found_exception(message)


def _bad_value(message: str) -> AwsError:
    return api.invalid_parameter_value_exception(message)


def _check_attribute_name(name: str) -> None:
    """Message attribute names: letters, digits, ``-``, ``_`` and ``.`` (not first, last or doubled)."""
    if len(name.encode()) > 256:
        raise _bad_value("Length of message attribute name must be less than 256 bytes.")
    if _ATTRIBUTE_NAME.match(name) and not name.startswith(".") and not name.endswith(".") and ".." not in name:
        return
    if name.startswith("."):
        raise _bad_value("Invalid message attribute name starting with character '.' was found.")
    if name.endswith("."):
        raise _bad_value("Invalid message attribute name ending with character '.' was found.")
    for index, char in enumerate(name):
        if not (char.isascii() and (char.isalnum() or char in "-_.")):
            raise _bad_value(f"Invalid non-alphanumeric character '#x{ord(char):X}' was found in the message "
                             "attribute name. Can only include alphanumeric characters, hyphens, underscores, "
                             "or dots.")
        if char == "." and name[index - 1] == ".":
            raise _bad_value("Message attribute name can not have successive '.' character.")



def _tags_dict(tags: list[api.Tag] | None) -> dict[str, str]:
    out = {tag["Key"]: tag["Value"] for tag in tags or ()}
    if len(out) < len(tags or ()):
        raise _invalid("Invalid parameter: Duplicated keys are not allowed.")
    return out


def _default_policy(topic_arn: str, account: str) -> str:
    return json.dumps({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Effect": "Allow",
            "Sid": "__default_statement_ID",
            "Principal": {"AWS": "*"},
            "Action": [
                "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic", "SNS:Publish",
            ],
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
        }],
    }, separators=(",", ":"))



#: KMS's error code -> the code SNS answers with (the error shapes of botocore's SNS model)
_KMS_REFUSALS = {"NotFoundException": "KMSNotFound", "DisabledException": "KMSDisabled",
                 "KMSInvalidStateException": "KMSInvalidState"}


class SnsBackend(ServiceBackend):
    service_name = "sns"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        # (account, region, name) -> topic
        self.topics = schema.TOPICS.open_ordered(self.store)
        # (account, region, topic name, subscription id) -> subscription
        self.subscriptions = schema.SUBSCRIPTIONS.open_ordered(self.store)
        # (topic arn, deduplication id) -> {"Expires", "MessageId", "SequenceNumber"}
        self.dedup = schema.DEDUP.open(self.store)
        # sequence number -> what would have left AWS
        self.outbox_table = schema.OUTBOX.open_ordered(self.store)
        self.failures = schema.DELIVERY_FAILURES.open_ordered(self.store)
        # (account, region, platform, name) -> platform application
        self.applications = schema.PLATFORM_APPLICATIONS.open_ordered(self.store)
        # (account, region, platform, application name, id) -> platform endpoint
        self.endpoints = schema.PLATFORM_ENDPOINTS.open_ordered(self.store)
        self.sms_attributes = schema.SMS_ATTRIBUTES.open(self.store)
        self.opted_out = schema.OPTED_OUT.open_ordered(self.store)
        self.sandbox_numbers = schema.SANDBOX_NUMBERS.open_ordered(self.store)
        # derived: topic key -> subscriptions in delivery order, built on first publish
        self._fanout: dict[tuple, list[dict]] = {}
        self.subscriptions.watch(self._subscription_changed)

    def _subscription_changed(self, key: tuple, old: Any, new: Any) -> None:
        self._fanout.pop(key[:3], None)

    # -- look-ups -------------------------------------------------------------------------------
    @staticmethod
    def _parse_arn(arn: str, what: str = "TopicArn") -> tuple[str, str, str]:
        match = _ARN.match(arn or "")
        if match is None:
            parts = len((arn or "").split(":"))
            if parts < 6:
                raise _invalid(f"Invalid parameter: {what} Reason: An ARN must have at least 6 elements, not {parts}")
            raise _invalid(f"Invalid parameter: {what}")
        region, account, resource = match.groups()
        return region, account, resource

    def _topic_key(self, arn: str, ctx_region: str | None = None) -> tuple[str, str, str]:
        region, account, name = self._parse_arn(arn)
        if ":" in name or "/" in name:
            raise _invalid("Invalid parameter: TopicArn")
        if ctx_region is not None and region != ctx_region:
            raise _invalid("Invalid parameter: TopicArn")
        return account, region, name

    def _topic(self, arn: str, ctx_region: str | None = None) -> tuple[tuple, dict]:
        key = self._topic_key(arn, ctx_region)
        topic = self.topics.get(key)
        if topic is None:
            raise _not_found("Topic does not exist")
        return key, topic

    @staticmethod
    def _topic_arn(key: tuple) -> str:
        account, region, name = key
        return f"{arn_prefix(region)}:sns:{region}:{account}:{name}"

    def _subscription_key(self, arn: str) -> tuple[str, str, str, str]:
        region, account, resource = self._parse_arn(arn, "SubscriptionArn")
        name, sep, sub_id = resource.rpartition(":")
        if not sep:
            raise _invalid("Invalid parameter: SubscriptionId")  # a topic ARN, without the subscription id
        if not name or ":" in name:
            raise _invalid("Invalid parameter: SubscriptionArn")
        return account, region, name, sub_id

    def _subscription(self, arn: str) -> tuple[tuple, dict]:
        key = self._subscription_key(arn)
        sub = self.subscriptions.get(key)
        if sub is None:
            raise _not_found("Subscription does not exist")
        return key, sub

    def _topic_subscriptions(self, key: tuple) -> Iterable[tuple[tuple, dict]]:
        account, region, name = key
        return self.subscriptions.items_range((account, region, name), (account, region, name + "\x00"),
                                              inclusive=(True, False))

    # -- topics ---------------------------------------------------------------------------------
    def create_topic(self, ctx: Ctx[api.CreateTopicRequest]) -> api.CreateTopicResult:
        params = ctx.params
        name = params["Name"]
        attributes = dict(params.get("Attributes") or {})
        tags = _tags_dict(params.get("Tags"))
        fifo = attributes.get("FifoTopic", "false").lower() == "true"
        # a .fifo name needs FifoTopic=true and FifoTopic=true a .fifo name (recorded from AWS: LocalStack's
        # test_create_topic_name_constraints, name-contains-fifo and fifo-name-not-contains-fifo)
        if not (_FIFO_TOPIC_NAME if fifo else _TOPIC_NAME).match(name) or name.endswith(".fifo") != fifo:
            raise _invalid("Invalid parameter: Topic Name")
        for attribute in attributes:
            if attribute not in _TOPIC_ATTRIBUTES and attribute != "DataProtectionPolicy":
                raise _invalid(f"Invalid parameter: Attributes Reason: Unknown attribute: {attribute}")
        data_protection = attributes.pop("DataProtectionPolicy", params.get("DataProtectionPolicy"))
        self._check_topic_attributes(attributes, fifo)
        if fifo:
            attributes["FifoTopic"] = "true"
            attributes.setdefault("ContentBasedDeduplication", "false")
        else:
            attributes.pop("FifoTopic", None)
        key = (ctx.account, ctx.region, name)
        arn = self._topic_arn(key)
        existing = self.topics.get(key)
        if existing is not None:
            current = existing["Attributes"]
            if any(current.get(k) != v for k, v in attributes.items() if k != "Policy"):
                raise _invalid("Invalid parameter: Attributes Reason: Topic already exists with different attributes")
            if tags and any(existing["Tags"].get(k) != v for k, v in tags.items()):
                raise _invalid("Invalid parameter: Tags Reason: Topic already exists with different tags")
            return {"TopicArn": arn}
        if len(tags) > _MAX_TAGS:
            raise api.tag_limit_exceeded_exception("Could not complete request: tag quota of per resource exceeded")
        attributes.setdefault("Policy", _default_policy(arn, ctx.account))
        attributes.setdefault("DisplayName", "")
        self.topics.put(key, {
            "Attributes": attributes,
            "Tags": tags,
            "DataProtectionPolicy": data_protection,
            "Deleted": 0,
            "Created": ctx.time(),
        })
        return {"TopicArn": arn}

    @staticmethod
    def _check_topic_attributes(attributes: dict, fifo: bool) -> None:
        for name, value in attributes.items():
            if name == "ContentBasedDeduplication":
                if not fifo:
                    raise _invalid("Invalid parameter: ContentBasedDeduplication Reason: Content-based "
                                   "deduplication can only be set for FIFO topics")
                if value.lower() not in ("true", "false"):
                    raise _invalid("Invalid parameter: ContentBasedDeduplication Reason: Invalid value "
                                   f"[{value}] for ContentBasedDeduplication")
            elif name == "FifoThroughputScope" and not fifo:
                raise _invalid("Invalid parameter: FifoThroughputScope Reason: To set FifoThroughputScope, "
                               "topic must be FIFO")
            elif name == "SignatureVersion" and value not in ("1", "2"):
                raise _invalid("Invalid parameter: SignatureVersion")
            elif name in ("Policy", "DeliveryPolicy") and value:
                try:
                    json.loads(value)
                except (ValueError, RecursionError):
                    raise _invalid(f"Invalid parameter: {name}: failed to parse JSON.") from None
            elif name == "DisplayName" and len(value) > 100:
                raise _invalid("Invalid parameter: DisplayName")

    def delete_topic(self, ctx: Ctx[api.DeleteTopicRequest]) -> api.DeleteTopicResult:
        key = self._topic_key(ctx.params["TopicArn"], ctx.region)
        if self.topics.get(key) is None:
            return {}  # deleting a topic that is not there succeeds
        for sub_key, _sub in list(self._topic_subscriptions(key)):
            self.subscriptions.delete(sub_key)
        self.topics.delete(key)
        return {}

    def list_topics(self, ctx: Ctx[api.ListTopicsRequest]) -> api.ListTopicsResult:
        start = _from_token(ctx.params.get("NextToken"))
        low = (ctx.account, ctx.region, start) if start else (ctx.account, ctx.region)
        keys = self.topics.irange(low, (ctx.account, ctx.region + "\x00"), inclusive=(True, False))
        topics: list[api.Topic] = []
        output: api.ListTopicsResponse = {"Topics": topics}
        for key in keys:
            if len(topics) == _PAGE:
                output["NextToken"] = encode_token(key[2])
                break
            topics.append({"TopicArn": self._topic_arn(key)})
        return output

    def get_topic_attributes(self, ctx: Ctx[api.GetTopicAttributesRequest]) -> api.GetTopicAttributesResult:
        key, topic = self._topic(ctx.params["TopicArn"], ctx.region)
        arn = self._topic_arn(key)
        confirmed = pending = 0
        for _sub_key, sub in self._topic_subscriptions(key):
            if sub["Confirmed"]:
                confirmed += 1
            else:
                pending += 1
        attributes = {
            "TopicArn": arn,
            "Owner": key[0],
            "SubscriptionsPending": str(pending),
            "SubscriptionsConfirmed": str(confirmed),
            "SubscriptionsDeleted": str(topic["Deleted"]),
            "EffectiveDeliveryPolicy": _EFFECTIVE_DELIVERY_POLICY,
        }
        attributes.update(topic["Attributes"])
        return {"Attributes": attributes}

    def set_topic_attributes(self, ctx: Ctx[api.SetTopicAttributesRequest]) -> api.SetTopicAttributesResult:
        params = ctx.params
        key, topic = self._topic(params["TopicArn"], ctx.region)
        name = params["AttributeName"]
        value = params.get("AttributeValue", "")
        if name == "DataProtectionPolicy":
            self.topics.put(key, {**topic, "DataProtectionPolicy": value or None})
            return {}
        if name not in _TOPIC_ATTRIBUTES or name == "FifoTopic":
            raise _invalid("Invalid parameter: AttributeName")
        fifo = topic["Attributes"].get("FifoTopic") == "true"
        self._check_topic_attributes({name: value}, fifo)
        attributes = dict(topic["Attributes"])
        if name == "Policy" and not value:
            value = _default_policy(self._topic_arn(key), key[0])
        attributes[name] = value
        self.topics.put(key, {**topic, "Attributes": attributes})
        return {}

    def add_permission(self, ctx: Ctx[api.AddPermissionRequest]) -> api.AddPermissionResult:
        params = ctx.params
        key, topic = self._topic(params["TopicArn"], ctx.region)
        label = params["Label"]
        policy = json.loads(topic["Attributes"]["Policy"])
        statements = policy.setdefault("Statement", [])
        if any(statement.get("Sid") == label for statement in statements):
            raise _invalid("Invalid parameter: Statement already exists")
        actions = params["ActionName"]
        if not actions:
            raise _invalid("Invalid parameter: Policy statement action out of service scope!")
        for action in actions:
            if action not in ("*",) and action[:1].upper() + action[1:] not in _SNS_ACTIONS:
                raise _invalid("Invalid parameter: Policy statement action out of service scope!")
        principals = [ctx.arn("root", service="iam", region="", account=account) for account in params["AWSAccountId"]]
        statements.append({
            "Sid": label,
            "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": [f"SNS:{a}" for a in actions] if len(actions) > 1 else f"SNS:{actions[0]}",
            "Resource": self._topic_arn(key),
        })
        attributes = {**topic["Attributes"], "Policy": json.dumps(policy, separators=(",", ":"))}
        self.topics.put(key, {**topic, "Attributes": attributes})
        return {}

    def remove_permission(self, ctx: Ctx[api.RemovePermissionRequest]) -> api.RemovePermissionResult:
        params = ctx.params
        key, topic = self._topic(params["TopicArn"], ctx.region)
        policy = json.loads(topic["Attributes"]["Policy"])
        statements = policy.get("Statement", [])
        kept = [s for s in statements if s.get("Sid") != params["Label"]]
        if len(kept) != len(statements):
            policy["Statement"] = kept
            attributes = {**topic["Attributes"], "Policy": json.dumps(policy, separators=(",", ":"))}
            self.topics.put(key, {**topic, "Attributes": attributes})
        return {}

    def put_data_protection_policy(self, ctx: Ctx[api.PutDataProtectionPolicyRequest]) -> api.PutDataProtectionPolicyResult:
        key, topic = self._topic(ctx.params["ResourceArn"], ctx.region)
        text = ctx.params["DataProtectionPolicy"]
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            raise _invalid("Invalid parameter: DataProtectionPolicy Reason: Failed to parse JSON") from None
        self.topics.put(key, {**topic, "DataProtectionPolicy": text})
        return {}

    def get_data_protection_policy(self, ctx: Ctx[api.GetDataProtectionPolicyRequest]) -> api.GetDataProtectionPolicyResult:
        _key, topic = self._topic(ctx.params["ResourceArn"], ctx.region)
        policy = topic.get("DataProtectionPolicy")
        return {"DataProtectionPolicy": policy} if policy else {}

    # -- tags -------------------------------------------------------------------------------------
    def _tagged(self, arn: str) -> tuple[tuple, dict]:
        try:
            key = self._topic_key(arn)
        except AwsError:
            raise api.resource_not_found_exception("Resource does not exist") from None
        topic = self.topics.get(key)
        if topic is None:
            raise api.resource_not_found_exception("Resource does not exist")
        return key, topic

    def tag_resource(self, ctx: Ctx[api.TagResourceRequest]) -> api.TagResourceResult:
        key, topic = self._tagged(ctx.params["ResourceArn"])
        tags = {**topic["Tags"], **_tags_dict(ctx.params["Tags"])}
        if len(tags) > _MAX_TAGS:
            raise api.tag_limit_exceeded_exception("Could not complete request: tag quota of per resource exceeded")
        self.topics.put(key, {**topic, "Tags": tags})
        return {}

    def untag_resource(self, ctx: Ctx[api.UntagResourceRequest]) -> api.UntagResourceResult:
        key, topic = self._tagged(ctx.params["ResourceArn"])
        drop = set(ctx.params["TagKeys"])
        self.topics.put(key, {**topic, "Tags": {k: v for k, v in topic["Tags"].items() if k not in drop}})
        return {}

    def list_tags_for_resource(self, ctx: Ctx[api.ListTagsForResourceRequest]) -> api.ListTagsForResourceResult:
        _key, topic = self._tagged(ctx.params["ResourceArn"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in topic["Tags"].items()]}

    # -- subscriptions --------------------------------------------------------------------------
    def _check_endpoint(self, protocol: str, endpoint: str | None, topic_key: tuple, region: str) -> str:
        if protocol not in _PROTOCOLS:
            raise _invalid(f"Invalid parameter: Amazon SNS does not support this protocol string: {protocol}")
        endpoint = endpoint or ""
        if protocol == "sqs":
            if not _SQS_ARN.match(endpoint):
                raise _invalid("Invalid parameter: SQS endpoint ARN")
            if endpoint.endswith(".fifo") and not topic_key[2].endswith(".fifo"):
                raise _invalid("Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can "
                               "not be subscribed to standard SNS topics")
        elif protocol == "lambda":
            if not _LAMBDA_ARN.match(endpoint):
                raise _invalid("Invalid parameter: Lambda endpoint ARN")
        elif protocol == "firehose":
            if not _FIREHOSE_ARN.match(endpoint):
                raise _invalid("Invalid parameter: Firehose endpoint ARN")
        elif protocol in ("http", "https"):
            if not endpoint.lower().startswith(protocol + "://") or len(endpoint) <= len(protocol) + 3:
                raise _invalid("Invalid parameter: Endpoint must match the specified protocol")
        elif protocol in ("email", "email-json"):
            if not _EMAIL.match(endpoint):
                raise _invalid("Invalid parameter: Email address")
        elif protocol == "sms":
            if not _PHONE.match(endpoint.replace("-", "").replace(" ", "")):
                raise _invalid(f"Invalid SMS endpoint: {endpoint}")
            endpoint = endpoint.replace("-", "").replace(" ", "")
        elif protocol == "application":
            endpoint_key = self._endpoint_key(endpoint)
            if endpoint_key is None:
                raise _invalid("Invalid parameter: Endpoint Reason: Endpoint ARN is not a valid platform endpoint")
            if endpoint_key not in self.endpoints:  # worded (no space after "arn") as moto's aws_verified
                # test_publish_to_deleted_platform_endpoint recorded it
                raise _invalid(f"Invalid parameter: Endpoint Reason: Endpoint does not exist for endpoint arn{endpoint}")
        if topic_key[2].endswith(".fifo") and protocol not in ("sqs",):
            raise _invalid(f"Invalid parameter: Endpoint Reason: Invalid protocol {protocol} for a FIFO topic")
        return endpoint

    def _check_subscription_attributes(self, attributes: dict, protocol: str, prefix: str,
                                       topic_arn: str = "", endpoint: str = "") -> dict:
        """Check subscription attributes; ``prefix`` is "Attributes Reason: " on Subscribe, "" on Set."""
        checked = {}
        for name, value in attributes.items():
            if name not in _SUBSCRIPTION_ATTRIBUTES:
                raise _invalid(f"Invalid parameter: {prefix}AttributeName")
            checked[name] = value
        if "RawMessageDelivery" in checked:
            value = checked["RawMessageDelivery"]
            if value.lower() not in ("true", "false"):
                raise _invalid(f"Invalid parameter: {prefix}RawMessageDelivery: Invalid value [{value}]. "
                               "Must be true or false.")
            if value.lower() == "true" and protocol not in _RAW_CAPABLE:
                raise _invalid(f"Invalid parameter: {prefix}Delivery protocol [{protocol}] does not support "
                               "raw message delivery.")
            checked["RawMessageDelivery"] = value.lower()
        scope = checked.get("FilterPolicyScope")
        if scope is not None and scope not in ("MessageAttributes", "MessageBody"):
            raise _invalid(f"Invalid parameter: {prefix}FilterPolicyScope: Invalid value [{scope}]. "
                           "Please use either MessageBody or MessageAttributes")
        policy = checked.get("FilterPolicy")
        if policy:
            self._check_filter_policy(policy, scope or "MessageAttributes", prefix)
        for name in ("RedrivePolicy", "DeliveryPolicy", "ReplayPolicy"):
            text = checked.get(name)
            if not text:
                continue
            try:
                value = json.loads(text)
            except (ValueError, RecursionError):
                raise _invalid(f"Invalid parameter: {prefix}{name}: failed to parse JSON.") from None
            if name != "RedrivePolicy":
                continue
            target = value.get("deadLetterTargetArn", "") if isinstance(value, dict) else ""
            if not _SQS_ARN.match(str(target)):
                raise _invalid(f"Invalid parameter: {prefix}RedrivePolicy: deadLetterTargetArn is an invalid arn")
            if topic_arn.endswith(".fifo") and endpoint.endswith(".fifo") and not str(target).endswith(".fifo"):
                raise _invalid(f"Invalid parameter: {prefix}RedrivePolicy: must use a FIFO queue as DLQ for a "
                               "FIFO Subscription to a FIFO Topic.")
        return checked

    @staticmethod
    def _check_filter_policy(text: str, scope: str, prefix: str) -> None:
        where = f"Invalid parameter: {prefix}FilterPolicy: "
        try:
            policy = json.loads(text)
        except (ValueError, RecursionError):
            raise _invalid(where + "failed to parse JSON.") from None
        # AWS checks the policy as compact JSON (its errors quote it so), and its syntax before its scope
        # (recorded: LocalStack's test_validate_policy_string_operators, ..._nested_anything_but_operator)
        compact = json.dumps(policy, separators=(",", ":"), ensure_ascii=False)
        try:
            check_pattern_text(compact, SNS_ANYTHING_BUT)
            compile_pattern(compact)
        except PatternError as exc:
            raise _invalid(where + exc.reason) from None
        if scope == "MessageAttributes" and any(isinstance(value, dict) for value in policy.values()):
            raise _invalid("Invalid parameter: Filter policy scope MessageAttributes does not support nested "
                           "filter policy")
        keys, combinations = pattern_stats(policy)
        if keys > 5 and scope == "MessageAttributes" or len(policy) > 5:
            raise _invalid(where + "Filter policy can not have more than 5 keys")
        if combinations > 150:
            raise _invalid(where + "Filter policy is too complex")

    def subscribe(self, ctx: Ctx[api.SubscribeRequest]) -> api.SubscribeResult:
        params = ctx.params
        topic_key, topic = self._topic(params["TopicArn"], ctx.region)
        protocol = params["Protocol"]
        endpoint = self._check_endpoint(protocol, params.get("Endpoint"), topic_key, ctx.region)
        attributes = self._check_subscription_attributes(dict(params.get("Attributes") or {}), protocol,
                                                         "Attributes Reason: ", self._topic_arn(topic_key), endpoint)
        for key, sub in self._topic_subscriptions(topic_key):
            if sub["Protocol"] == protocol and sub["Endpoint"] == endpoint:
                current = sub["Attributes"]
                if any(current.get(k, _SUBSCRIPTION_DEFAULTS.get(k)) != v for k, v in attributes.items()):
                    raise _invalid("Invalid parameter: Attributes Reason: Subscription already exists with "
                                   "different attributes")
                if sub["Confirmed"] or params.get("ReturnSubscriptionArn"):
                    return {"SubscriptionArn": sub["Arn"]}
                return {"SubscriptionArn": "pending confirmation"}
        sub_id = ctx.ids.uuid4()
        key = (*topic_key, sub_id)
        topic_arn = self._topic_arn(topic_key)
        arn = f"{topic_arn}:{sub_id}"
        confirmed = protocol in _CONFIRM_AT_ONCE
        if attributes.get("FilterPolicy") == "":  # no policy: its scope goes too (test_create_subscriptions_with_attributes)
            del attributes["FilterPolicy"]
            attributes.pop("FilterPolicyScope", None)
        if "FilterPolicy" in attributes and "FilterPolicyScope" not in attributes:
            attributes["FilterPolicyScope"] = "MessageAttributes"
        attributes.setdefault("RawMessageDelivery", "false")
        record = {
            "Arn": arn,
            "TopicArn": topic_arn,
            "Protocol": protocol,
            "Endpoint": endpoint,
            "Owner": ctx.account,
            "Attributes": attributes,
            "Confirmed": confirmed,
            "Authenticated": confirmed,
            "Token": None,
            "Created": ctx.time(),
        }
        if not confirmed:
            token = ctx.ids.hex(224)
            record["Token"] = token
            self._send_confirmation(ctx.region, record, topic_arn, token, subscribe=True)
        self.subscriptions.put(key, record)
        if confirmed or params.get("ReturnSubscriptionArn"):
            return {"SubscriptionArn": arn}
        return {"SubscriptionArn": "pending confirmation"}

    def _send_confirmation(self, region: str, sub: dict, topic_arn: str, token: str, *, subscribe: bool) -> None:
        message_id = self.emulator.ids.uuid4()
        now = self.emulator.clock.time()
        kind = "SubscriptionConfirmation" if subscribe else "UnsubscribeConfirmation"
        url = f"{endpoint(region)}/?Action=ConfirmSubscription&TopicArn={topic_arn}&Token={token}"
        protocol = sub["Protocol"]
        entry: dict[str, Any] = {
            "Protocol": protocol,
            "Endpoint": sub["Endpoint"],
            "Type": kind,
            "MessageId": message_id,
            "TopicArn": topic_arn,
            "SubscriptionArn": sub["Arn"],
            "Token": token,
            "SubscribeURL": url,
            "Timestamp": now,
        }
        if protocol in ("http", "https", "email-json"):
            entry["Subject"] = None
            entry["Body"] = confirmation_message(kind=kind, message_id=message_id, token=token,
                                                 topic_arn=topic_arn, region=region,
                                                 timestamp=iso_timestamp(now), subscribe=subscribe,
                                                 subscription_arn=sub["Arn"])
            if protocol != "email-json":
                entry["Headers"] = self._http_headers(kind, message_id, topic_arn, None)
        else:
            topic_name = topic_arn.rsplit(":", 1)[1]
            entry["Subject"] = "AWS Notification - Subscription Confirmation"
            entry["Body"] = (
                f"You have chosen to subscribe to the topic: \n{topic_arn}\n\n"
                f"To confirm this subscription, click or visit the link below (If this was in error no "
                f"action is necessary): \nConfirm subscription\n{url}\n"
                if subscribe else f"You have been unsubscribed from the topic: {topic_name}\n")
        self._outbox_put(entry)

    @staticmethod
    def _http_headers(kind: str, message_id: str, topic_arn: str, subscription_arn: str | None,
                      raw: bool = False) -> dict[str, str]:
        headers = {
            "x-amz-sns-message-type": kind,
            "x-amz-sns-message-id": message_id,
            "x-amz-sns-topic-arn": topic_arn,
            "Content-Type": "text/plain; charset=UTF-8",
            "User-Agent": "Amazon Simple Notification Service Agent",
        }
        if subscription_arn:
            headers["x-amz-sns-subscription-arn"] = subscription_arn
        if raw:
            headers["x-amz-sns-rawdelivery"] = "true"
        return headers

    def _outbox_put(self, entry: dict) -> None:
        last = self.outbox_table.last_key()
        self.outbox_table.put(0 if last is None else last + 1, entry)

    def confirm_subscription(self, ctx: Ctx[api.ConfirmSubscriptionRequest]) -> api.ConfirmSubscriptionResult:
        params = ctx.params
        topic_key, _topic = self._topic(params["TopicArn"], ctx.region)
        token = params["Token"]
        for key, sub in self._topic_subscriptions(topic_key):
            if sub.get("Token") == token:
                if not sub["Confirmed"]:
                    authenticated = str(params.get("AuthenticateOnUnsubscribe", "false")).lower() == "true"
                    self.subscriptions.put(key, {**sub, "Confirmed": True, "Authenticated": authenticated})
                return {"SubscriptionArn": sub["Arn"]}
        raise _invalid("Invalid parameter: Token")

    def unsubscribe(self, ctx: Ctx[api.UnsubscribeRequest]) -> api.UnsubscribeResult:
        key = self._subscription_key(ctx.params["SubscriptionArn"])
        sub = self.subscriptions.get(key)
        if sub is None:
            return {}  # unsubscribing twice succeeds
        self.subscriptions.delete(key)
        topic_key = key[:3]
        topic = self.topics.get(topic_key)
        if topic is not None:
            self.topics.put(topic_key, {**topic, "Deleted": topic["Deleted"] + 1})
        if sub["Confirmed"] and sub["Protocol"] in ("http", "https"):
            self._send_confirmation(key[1], sub, sub["TopicArn"], sub.get("Token") or ctx.ids.hex(224),
                                    subscribe=False)
        return {}

    def _subscription_view(self, sub: dict) -> api.Subscription:
        return {
            "SubscriptionArn": sub["Arn"] if sub["Confirmed"] else "PendingConfirmation",
            "Owner": sub["Owner"],
            "Protocol": sub["Protocol"],
            "Endpoint": sub["Endpoint"],
            "TopicArn": sub["TopicArn"],
        }

    def _list_subscriptions(self, low: tuple, high: tuple, token: str | None) -> api.ListSubscriptionsResponse:
        start = _from_token(token)
        if start:
            low = tuple(start)
        subs: list[api.Subscription] = []
        output: api.ListSubscriptionsResponse = {"Subscriptions": subs}
        for key, sub in self.subscriptions.items_range(low, high, inclusive=(True, False)):
            if len(subs) == _PAGE:
                output["NextToken"] = encode_token(list(key))
                break
            subs.append(self._subscription_view(sub))
        return output

    def list_subscriptions(self, ctx: Ctx[api.ListSubscriptionsRequest]) -> api.ListSubscriptionsResult:
        return self._list_subscriptions((ctx.account, ctx.region), (ctx.account, ctx.region + "\x00"),
                                        ctx.params.get("NextToken"))

    def list_subscriptions_by_topic(self, ctx: Ctx[api.ListSubscriptionsByTopicRequest]) -> api.ListSubscriptionsByTopicResult:
        topic_key, _topic = self._topic(ctx.params["TopicArn"], ctx.region)
        account, region, name = topic_key
        return self._list_subscriptions(topic_key, (account, region, name + "\x00"), ctx.params.get("NextToken"))

    def get_subscription_attributes(self, ctx: Ctx[api.GetSubscriptionAttributesRequest]) -> api.GetSubscriptionAttributesResult:
        _key, sub = self._subscription(ctx.params["SubscriptionArn"])
        attributes = {
            "SubscriptionArn": sub["Arn"],
            "TopicArn": sub["TopicArn"],
            "Owner": sub["Owner"],
            "Protocol": sub["Protocol"],
            "Endpoint": sub["Endpoint"],
            "PendingConfirmation": "false" if sub["Confirmed"] else "true",
            "ConfirmationWasAuthenticated": "true" if sub["Authenticated"] else "false",
            "SubscriptionPrincipal": f"{arn_prefix_of(sub['TopicArn'])}:iam::{sub['Owner']}:root",
        }
        if sub["Protocol"] in ("http", "https"):
            attributes["EffectiveDeliveryPolicy"] = _EFFECTIVE_DELIVERY_POLICY
        attributes.update(sub["Attributes"])
        return {"Attributes": attributes}

    def set_subscription_attributes(self, ctx: Ctx[api.SetSubscriptionAttributesRequest]) -> api.SetSubscriptionAttributesResult:
        params = ctx.params
        name = params["AttributeName"]
        if name not in _SUBSCRIPTION_ATTRIBUTES:
            raise _invalid("Invalid parameter: AttributeName")
        key, sub = self._subscription(params["SubscriptionArn"])
        value = params.get("AttributeValue", "")
        attributes = dict(sub["Attributes"])
        if name == "FilterPolicy" and not value:
            attributes.pop("FilterPolicy", None)
            attributes.pop("FilterPolicyScope", None)
        else:
            if name == "FilterPolicy":
                scope = attributes.get("FilterPolicyScope", "MessageAttributes")
                self._check_filter_policy(value, scope, "")
                attributes.setdefault("FilterPolicyScope", "MessageAttributes")
            elif name == "FilterPolicyScope":
                checked = self._check_subscription_attributes({name: value}, sub["Protocol"], "", sub["TopicArn"],
                                                              sub["Endpoint"])
                value = checked[name]
                if "FilterPolicy" in attributes:
                    self._check_filter_policy(attributes["FilterPolicy"], value, "")
            else:
                checked = self._check_subscription_attributes({name: value}, sub["Protocol"], "", sub["TopicArn"],
                                                              sub["Endpoint"])
                value = checked[name]
            attributes[name] = value
        self.subscriptions.put(key, {**sub, "Attributes": attributes})
        return {}

    # -- publishing -----------------------------------------------------------------------------
    @staticmethod
    def _check_message_attributes(attributes: dict | None) -> int:
        """Validate Publish's MessageAttributes; returns their size in bytes."""
        if not attributes:
            return 0
        size = 0
        for name, attribute in attributes.items():
            _check_attribute_name(name)
            data_type = attribute.get("DataType", "")
            base = data_type.split(".", 1)[0]
            if base not in ("String", "Number", "Binary") or (data_type != base and len(data_type) == len(base) + 1):
                raise _bad_value(f"The message attribute '{name}' has an invalid message attribute type, the set of "
                                 "supported type prefixes is Binary, Number, and String.")
            field = "Binary" if base == "Binary" else "String"
            if "StringValue" not in attribute and "BinaryValue" not in attribute:
                raise _bad_value(f"The message attribute '{name}' must contain non-empty message attribute value "
                                 f"for message attribute type '{data_type}'.")
            value = attribute.get(f"{field}Value")
            if value is None:
                raise _bad_value(f"The message attribute '{name}' with type '{data_type}' must use field '{field}'.")
            if len(value) == 0:
                raise _bad_value(f"The message attribute '{name}' must contain non-empty message attribute value "
                                 f"for message attribute type '{data_type}'.")
            if base == "Number":
                try:
                    number = float(value)
                except ValueError:
                    number = float("nan")
                if number != number or abs(number) > 1e18:
                    raise _bad_value(f"Could not cast message attribute '{name}' value to number.")
            elif data_type == "String.Array":
                try:
                    parsed = json.loads(value)
                except (ValueError, RecursionError):
                    parsed = None
                if not isinstance(parsed, list) or any(isinstance(item, (dict, list)) for item in parsed):
                    raise _bad_value(f"The message attribute '{name}' with type 'String.Array' has an invalid "
                                     "value.")
            size += len(value) if base == "Binary" else len(value.encode())
            size += len(name.encode()) + len(data_type.encode())
        return size

    @staticmethod
    def _check_message(message: str, structure: str | None, attribute_bytes: int) -> dict | None:
        if message == "":
            raise _invalid("Invalid parameter: Empty message")
        if len(message.encode()) + attribute_bytes > _MAX_MESSAGE_BYTES:
            raise _invalid("Invalid parameter: Message too long")
        if structure is None:
            return None
        if structure != "json":
            raise _invalid("Invalid parameter: MessageStructure")
        try:
            per_protocol = json.loads(message)
        except (ValueError, RecursionError):
            raise _invalid("Invalid parameter: Message Structure - JSON message body failed to parse") from None
        if not isinstance(per_protocol, dict):
            raise _invalid("Invalid parameter: Message Structure - JSON message body failed to parse")
        if "default" not in per_protocol:
            raise _invalid("Invalid parameter: Message Structure - No default entry in JSON message body")
        for protocol, text in per_protocol.items():
            if not isinstance(text, str):
                raise _invalid("Invalid parameter: Message Structure - JSON message body failed to parse")
        return per_protocol

    @staticmethod
    def _check_subject(subject: str | None) -> None:
        if subject is None:
            return
        if (not subject or len(subject) > 100 or subject[0] == " "
                or any(ord(c) < 32 or ord(c) > 126 for c in subject)):
            raise _invalid("Invalid parameter: Subject")

    def publish(self, ctx: Ctx[api.PublishRequest]) -> api.PublishResult:
        params = ctx.params
        topic_arn = params.get("TopicArn")
        target_arn = params.get("TargetArn")
        phone = params.get("PhoneNumber")
        if sum(1 for value in (topic_arn, target_arn, phone) if value) != 1:
            if not (topic_arn or target_arn or phone):
                raise _invalid("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
            raise _invalid("Invalid parameter: TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber "
                           "may be specified")
        message = params["Message"]
        subject = params.get("Subject")
        attributes = params.get("MessageAttributes")
        attribute_bytes = self._check_message_attributes(attributes)
        # a disabled endpoint is refused before the message is read (moto's aws_verified
        # test_publish_to_disabled_platform_endpoint: EndpointDisabled for a message that is no JSON)
        endpoint = self._target_endpoint(target_arn) if target_arn and ":endpoint/" in target_arn else None
        per_protocol = self._check_message(message, params.get("MessageStructure"), attribute_bytes)
        self._check_subject(subject)
        if phone:
            return {"MessageId": self._publish_sms(ctx, phone, message, per_protocol, attributes)}
        arn = topic_arn or target_arn
        assert arn is not None  # exactly one of TopicArn, TargetArn, PhoneNumber was given
        if endpoint is not None:
            return {"MessageId": self._publish_endpoint(ctx, arn, endpoint, message, per_protocol, subject)}
        key, topic = self._topic(arn, ctx.region)
        message_id, sequence = self._publish(key, topic, message, subject, attributes, per_protocol,
                                             params.get("MessageGroupId"), params.get("MessageDeduplicationId"))
        output: api.PublishResponse = {"MessageId": message_id}
        if sequence is not None:
            output["SequenceNumber"] = sequence
        return output

    def publish_batch(self, ctx: Ctx[api.PublishBatchRequest]) -> api.PublishBatchResult:
        params = ctx.params
        entries = params["PublishBatchRequestEntries"]
        key, topic = self._topic(params["TopicArn"], ctx.region)
        if not entries:
            raise api.empty_batch_request_exception("The batch request doesn't contain any entries.")
        if len(entries) > 10:
            raise api.too_many_entries_in_batch_request_exception(
                "The batch request contains more entries than permissible.")
        ids = [entry["Id"] for entry in entries]
        if len(set(ids)) != len(ids):
            raise api.batch_entry_ids_not_distinct_exception(
                "Two or more batch entries in the request have the same Id.")
        for entry_id in ids:
            if not _BATCH_ID.match(entry_id):
                raise api.invalid_batch_entry_id_exception(
                    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                    "It can be at most 80 letters long.")
        total = sum(len(entry["Message"].encode()) for entry in entries)
        if total > _MAX_MESSAGE_BYTES:
            raise api.batch_request_too_long_exception("The length of all the messages put together is more than "
                                                       "the limit.")
        # AWS refuses the whole request when an entry is invalid; Failed is for delivery-side faults
        fifo = self.topics[key]["Attributes"].get("FifoTopic") == "true"
        content_dedup = self.topics[key]["Attributes"].get("ContentBasedDeduplication") == "true"
        checked = []
        for entry in entries:
            attributes = entry.get("MessageAttributes")
            attribute_bytes = self._check_message_attributes(attributes)
            per_protocol = self._check_message(entry["Message"], entry.get("MessageStructure"), attribute_bytes)
            self._check_subject(entry.get("Subject"))
            if fifo and not entry.get("MessageGroupId"):
                raise _invalid("Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
            if fifo and not content_dedup and not entry.get("MessageDeduplicationId"):
                raise _invalid("Invalid parameter: The topic should either have ContentBasedDeduplication enabled "
                               "or MessageDeduplicationId provided explicitly")
            checked.append((entry, attributes, per_protocol))
        successful: list[api.PublishBatchResultEntry] = []
        for entry, attributes, per_protocol in checked:
            message_id, sequence = self._publish(
                key, self.topics[key], entry["Message"], entry.get("Subject"), attributes, per_protocol,
                entry.get("MessageGroupId"), entry.get("MessageDeduplicationId"))
            result: api.PublishBatchResultEntry = {"Id": entry["Id"], "MessageId": message_id}
            if sequence is not None:
                result["SequenceNumber"] = sequence
            successful.append(result)
        return {"Successful": successful, "Failed": []}

    def publish_internal(
        self,
        topic_arn: str,
        message: str,
        *,
        subject: str | None = None,
        message_attributes: dict | None = None,
        message_structure: str | None = None,
        message_group_id: str | None = None,
        deduplication_id: str | None = None,
    ) -> str:
        """Publish as the topic's owner (S3 notifications, EventBridge targets); returns the MessageId."""
        with self.emulator.lock:
            return self._publish_as_owner(topic_arn, message, subject, message_attributes, message_structure,
                                          message_group_id, deduplication_id)

    def _publish_as_owner(self, topic_arn: str, message: str, subject: str | None, message_attributes: dict | None,
                          message_structure: str | None, message_group_id: str | None,
                          deduplication_id: str | None) -> str:
        attribute_bytes = self._check_message_attributes(message_attributes)
        per_protocol = self._check_message(message, message_structure, attribute_bytes)
        key, topic = self._topic(topic_arn)
        if topic["Attributes"].get("FifoTopic") == "true" and deduplication_id is None \
                and topic["Attributes"].get("ContentBasedDeduplication") != "true":
            deduplication_id = hashlib.sha256(message.encode()).hexdigest()
        message_id, _sequence = self._publish(key, topic, message, subject, message_attributes, per_protocol,
                                              message_group_id, deduplication_id)
        return message_id

    def _check_kms_key(self, key: tuple, key_id: str) -> None:
        """SSE: SetTopicAttributes takes any key id, each publish needs the key usable; SNS answers
        KMS's refusal with its KMS* errors (botocore's model lists KMSNotFoundException,
        KMSDisabledException… as Publish errors)."""
        try:
            self.emulator.ports.keys.check_key_usable(key_id, key[0], key[1])
        except AwsError as refused:
            code = _KMS_REFUSALS.get(refused.code, "KMSAccessDenied")
            raise AwsError(code, refused.message, 400) from None

    def _publish(self, key: tuple, topic: dict, message: str, subject: str | None, attributes: dict | None,
                 per_protocol: dict | None, group_id: str | None, dedup_id: str | None) -> tuple[str, str | None]:
        topic_attributes = topic["Attributes"]
        if topic_attributes.get("KmsMasterKeyId"):
            self._check_kms_key(key, topic_attributes["KmsMasterKeyId"])
        fifo = topic_attributes.get("FifoTopic") == "true"
        topic_arn = self._topic_arn(key)
        emulator = self.emulator
        now = emulator.clock.time()
        sequence: str | None = None
        if fifo:
            if not group_id:
                raise _invalid("Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
            if dedup_id is None:
                if topic_attributes.get("ContentBasedDeduplication") != "true":
                    raise _invalid("Invalid parameter: The topic should either have ContentBasedDeduplication "
                                   "enabled or MessageDeduplicationId provided explicitly")
                dedup_id = hashlib.sha256(message.encode()).hexdigest()
            scope = topic_attributes.get("FifoThroughputScope") == "MessageGroup"
            dedup_key = (topic_arn, group_id if scope else "", dedup_id)
            seen = self.dedup.get(dedup_key)
            if seen is not None and seen["Expires"] > now:
                return seen["MessageId"], seen["SequenceNumber"]
            counter = topic.get("Sequence", 0) + 1
            self.topics.put(key, {**topic, "Sequence": counter})
            sequence = f"{10 ** 19 + counter * 1000:020d}"
        elif dedup_id is not None:
            raise _invalid("Invalid parameter: MessageDeduplicationId Reason: The request includes "
                           "MessageDeduplicationId parameter that is not valid for this topic type")
        message_id = emulator.ids.uuid4()
        if fifo:
            self.dedup.put(dedup_key, {"Expires": now + _DEDUP_WINDOW, "MessageId": message_id,
                                       "SequenceNumber": sequence})
        subscriptions = self._fanout.get(key)
        if subscriptions is None:
            subscriptions = self._fanout[key] = [sub for _k, sub in self._topic_subscriptions(key)]
        if not subscriptions:
            return message_id, sequence
        notification = Notification(
            message_id=message_id, topic_arn=topic_arn, region=key[1], subject=subject, message=message,
            per_protocol=per_protocol, timestamp=iso_timestamp(now), attributes=attributes,
            sequence_number=sequence, fifo=fifo, signature_version=topic_attributes.get("SignatureVersion", "1"),
        )
        attributes_event: dict | None = None
        body_event: Any = None
        for sub in subscriptions:
            if not sub["Confirmed"]:
                continue
            sub_attributes = sub["Attributes"]
            policy = sub_attributes.get("FilterPolicy")
            if policy:
                matcher = compile_sns_policy(policy)
                if sub_attributes.get("FilterPolicyScope") == "MessageBody":
                    if body_event is None:
                        try:
                            body_event = sns_numbers(json.loads(notification.message_for(sub["Protocol"])))
                        except ValueError:
                            body_event = False
                    if type(body_event) is not dict or not matcher(body_event):
                        continue
                else:
                    if attributes_event is None:
                        attributes_event = sns_numbers(sns_attributes_event(attributes))
                    if not matcher(attributes_event):
                        continue
            self._deliver(sub, notification, group_id, dedup_id, now)
        return message_id, sequence

    # -- delivery -------------------------------------------------------------------------------
    def _deliver(self, sub: dict, notification: Notification, group_id: str | None, dedup_id: str | None,
                 now: float) -> None:
        raw = sub["Attributes"].get("RawMessageDelivery") == "true"
        _result, error = attempt(self.store, self._deliver_one, sub, notification, raw, group_id, dedup_id, now)
        if error is not None:
            self._delivery_failed(sub, notification, error, group_id, dedup_id, now)

    def _deliver_one(self, sub: dict, notification: Notification, raw: bool, group_id: str | None,
                     dedup_id: str | None, now: float) -> None:
        protocol = sub["Protocol"]
        if protocol in ("sqs", "lambda"):
            self.emulator.ports.authorize_delivery("sns.amazonaws.com", sub["Endpoint"], sub["TopicArn"],
                                                   sub["TopicArn"].split(":")[4])
        if protocol == "sqs":
            self._deliver_sqs(sub["Endpoint"], sub, notification, raw, group_id, dedup_id)
        elif protocol == "lambda":
            payload = json.dumps(notification.lambda_event(sub["Arn"]), ensure_ascii=False).encode()
            self.emulator.ports.functions.invoke_internal(sub["Endpoint"], payload, invocation_type="Event")
        else:
            self._deliver_outside(sub, notification, raw, now)

    def _deliver_sqs(self, queue_arn: str, sub: dict, notification: Notification, raw: bool,
                     group_id: str | None, dedup_id: str | None) -> None:
        sqs = self.emulator.ports.queues
        fifo_queue = queue_arn.endswith(".fifo")
        if raw:
            body = notification.message_for("sqs")
            attributes = self._sqs_attributes(notification.attributes)
        else:
            body = notification.envelope("sqs", sub["Arn"])
            attributes = None
        sqs.deliver_message(
            queue_arn, body, message_attributes=attributes,
            message_group_id=group_id if fifo_queue else None,
            deduplication_id=(dedup_id or notification.message_id) if fifo_queue else None,
        )

    @staticmethod
    def _sqs_attributes(attributes: dict | None) -> dict | None:
        if not attributes:
            return None
        out = {}
        for name, attribute in attributes.items():
            data_type = attribute.get("DataType", "String")
            if data_type.startswith("Binary"):
                value = attribute.get("BinaryValue", b"")
                out[name] = {"DataType": data_type, "BinaryValue": value.encode() if isinstance(value, str) else value}
            else:
                out[name] = {"DataType": data_type, "StringValue": attribute.get("StringValue", "")}
        return out

    def _deliver_outside(self, sub: dict, notification: Notification, raw: bool, now: float) -> None:
        protocol = sub["Protocol"]
        entry: dict[str, Any] = {
            "Protocol": protocol,
            "Endpoint": sub["Endpoint"],
            "Type": "Notification",
            "MessageId": notification.message_id,
            "TopicArn": notification.topic_arn,
            "SubscriptionArn": sub["Arn"],
            "Subject": notification.subject,
            "Timestamp": now,
        }
        if protocol in ("http", "https"):
            entry["Body"] = notification.message_for(protocol) if raw else notification.envelope(protocol, sub["Arn"])
            entry["Headers"] = self._http_headers("Notification", notification.message_id,
                                                  notification.topic_arn, sub["Arn"], raw)
        elif protocol == "email-json":
            entry["Body"] = notification.envelope(protocol, sub["Arn"])
        elif protocol == "email":
            entry["Subject"] = notification.subject or "AWS Notification Message"
            entry["Body"] = notification.message_for(protocol)
        elif protocol == "firehose":
            entry["Body"] = notification.message_for(protocol) if raw else notification.envelope(protocol, sub["Arn"])
        elif protocol == "application":
            endpoint_key = self._endpoint_key(sub["Endpoint"])
            platform = endpoint_key[2] if endpoint_key else "default"
            entry["Body"] = notification.message_for(platform)
            endpoint = self.endpoints.get(endpoint_key) if endpoint_key else None
            if endpoint is None or endpoint["Attributes"].get("Enabled", "true") != "true":
                raise api.endpoint_disabled_exception("Endpoint is disabled")
        else:  # sms
            entry["Body"] = notification.message_for(protocol)
        self._outbox_put(entry)

    def _delivery_failed(self, sub: dict, notification: Notification, error: AwsError, group_id: str | None,
                         dedup_id: str | None, now: float) -> None:
        last = self.failures.last_key()
        self.failures.put(0 if last is None else last + 1, {
            "SubscriptionArn": sub["Arn"], "Protocol": sub["Protocol"], "Endpoint": sub["Endpoint"],
            "MessageId": notification.message_id, "TopicArn": notification.topic_arn,
            "ErrorCode": error.code, "ErrorMessage": error.message, "Timestamp": now,
        })
        redrive = sub["Attributes"].get("RedrivePolicy")
        if not redrive:
            return
        dead_letter = json.loads(redrive).get("deadLetterTargetArn")
        if not dead_letter:
            return
        attempt(self.store, self._deliver_sqs, dead_letter, sub, notification,
                 sub["Attributes"].get("RawMessageDelivery") == "true", group_id, dedup_id)

    # -- SMS and mobile endpoints ---------------------------------------------------------------
    def _publish_sms(self, ctx: RequestContext[Any], phone: str, message: str, per_protocol: dict | None,
                     attributes: dict | None) -> str:
        number = phone.replace("-", "").replace(" ", "")
        if not _PHONE.match(number):
            raise _invalid(f"Invalid parameter: PhoneNumber Reason: {phone} is not valid to publish to")
        if (ctx.account, ctx.region, number) in self.opted_out:
            raise api.opted_out_exception("Phone number is opted out")
        text = per_protocol.get("sms", per_protocol["default"]) if per_protocol else message
        if len(text.encode()) > 1600:
            raise _invalid("Invalid parameter: Message too long")
        message_id = ctx.ids.uuid4()
        self._outbox_put({
            "Protocol": "sms", "Endpoint": number, "Type": "Notification", "MessageId": message_id,
            "TopicArn": None, "SubscriptionArn": None, "Subject": None, "Body": text,
            "Attributes": {k: v.get("StringValue") for k, v in (attributes or {}).items()},
            "Timestamp": ctx.time(),
        })
        return message_id

    def _target_endpoint(self, arn: str) -> dict:
        """The enabled platform endpoint a Publish's TargetArn names, or AWS's refusal."""
        key = self._endpoint_key(arn)
        endpoint = self.endpoints.get(key) if key else None
        if endpoint is None:
            raise _invalid("Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified")
        if endpoint["Attributes"].get("Enabled", "true") != "true":
            raise api.endpoint_disabled_exception("Endpoint is disabled")
        return endpoint

    def _publish_endpoint(self, ctx: RequestContext[Any], arn: str, endpoint: dict, message: str,
                          per_protocol: dict | None, subject: str | None) -> str:
        platform = arn.split("/")[1]
        text = per_protocol.get(platform, per_protocol["default"]) if per_protocol else message
        message_id = ctx.ids.uuid4()
        self._outbox_put({
            "Protocol": "application", "Endpoint": arn, "Type": "Notification", "MessageId": message_id,
            "TopicArn": None, "SubscriptionArn": None, "Subject": subject, "Body": text,
            "Token": endpoint["Attributes"].get("Token"), "Timestamp": ctx.time(),
        })
        return message_id

    @staticmethod
    def _application_key(arn: str) -> tuple[str, str, str, str] | None:
        match = _ARN.match(arn or "")
        if match is None:
            return None
        region, account, resource = match.groups()
        parts = resource.split("/")
        if len(parts) != 3 or parts[0] != "app":
            return None
        return account, region, parts[1], parts[2]

    @staticmethod
    def _endpoint_key(arn: str) -> tuple[str, str, str, str, str] | None:
        match = _ARN.match(arn or "")
        if match is None:
            return None
        region, account, resource = match.groups()
        parts = resource.split("/")
        if len(parts) != 4 or parts[0] != "endpoint":
            return None
        return account, region, parts[1], parts[2], parts[3]

    def _application(self, arn: str) -> tuple[tuple, dict]:
        key = self._application_key(arn)
        if key is None:
            raise _invalid("Invalid parameter: PlatformApplicationArn Reason: Wrong number of slashes in "
                           "relative portion of the ARN.")
        app = self.applications.get(key)
        if app is None:
            raise _not_found("PlatformApplication does not exist")
        return key, app

    def create_platform_application(self, ctx: Ctx[api.CreatePlatformApplicationRequest]) -> api.CreatePlatformApplicationResult:
        params = ctx.params
        name, platform = params["Name"], params["Platform"]
        if name == "":
            raise _invalid("Invalid parameter:  Reason: cannot be empty")
        if len(name) > 256:
            raise _invalid(f"Invalid parameter: {name} Reason: must be at most 256 characters long")
        if not re.match(r"^[A-Za-z0-9_.-]{1,256}$", name):
            raise _invalid(f"Invalid parameter: {name} Reason: must contain only characters 'a'-'z', 'A'-'Z', "
                           "'0'-'9', '_', '-', and '.'")
        if platform not in ("ADM", "APNS", "APNS_SANDBOX", "GCM", "FCM", "BAIDU", "MPNS", "WNS", "APNS_VOIP",
                            "APNS_VOIP_SANDBOX"):
            raise _invalid(f"Invalid parameter: Platform Reason: {platform} is not supported")
        attributes = dict(params.get("Attributes") or {})
        credential, principal = "PlatformCredential" in attributes, "PlatformPrincipal" in attributes
        if platform in ("GCM", "FCM") and not credential:
            raise _invalid("Invalid parameter: Attributes Reason: PlatformCredential attribute required")
        if principal and not credential:
            raise _invalid("Invalid parameter: Attributes Reason: PlatformPrincipal attribute provided without "
                           "PlatformCredential")
        if credential and not principal and platform not in ("GCM", "FCM"):
            raise _invalid("Invalid parameter: Attributes Reason: PlatformCredential attribute provided without "
                           "PlatformPrincipal")
        key = (ctx.account, ctx.region, platform, name)
        stored = {k: v for k, v in attributes.items() if k not in ("PlatformCredential", "PlatformPrincipal")}
        stored.setdefault("Enabled", "true")
        self.applications.put(key, {"Attributes": stored, "Secret": attributes, "Created": ctx.time()})
        return {"PlatformApplicationArn": f"{arn_prefix(ctx.region)}:sns:{ctx.region}:{ctx.account}:app/{platform}/{name}"}

    def get_platform_application_attributes(self, ctx: Ctx[api.GetPlatformApplicationAttributesRequest]) -> api.GetPlatformApplicationAttributesResult:
        _key, app = self._application(ctx.params["PlatformApplicationArn"])
        return {"Attributes": dict(app["Attributes"])}

    def set_platform_application_attributes(self, ctx: Ctx[api.SetPlatformApplicationAttributesRequest]) -> api.SetPlatformApplicationAttributesResult:
        key, app = self._application(ctx.params["PlatformApplicationArn"])
        attributes = dict(app["Attributes"])
        for name, value in ctx.params["Attributes"].items():
            if name not in ("PlatformCredential", "PlatformPrincipal"):
                attributes[name] = value
        self.applications.put(key, {**app, "Attributes": attributes})
        return {}

    def delete_platform_application(self, ctx: Ctx[api.DeletePlatformApplicationRequest]) -> api.DeletePlatformApplicationResult:
        key = self._application_key(ctx.params["PlatformApplicationArn"])
        if key is not None and key in self.applications:
            self.applications.delete(key)
            for endpoint_key in list(self.endpoints.irange(key, (*key[:3], key[3] + "\x00"),
                                                           inclusive=(True, False))):
                if endpoint_key[3] == key[3]:
                    self.endpoints.delete(endpoint_key)
        return {}

    def list_platform_applications(self, ctx: Ctx[api.ListPlatformApplicationsRequest]) -> api.ListPlatformApplicationsResult:
        start = _from_token(ctx.params.get("NextToken"))
        low = tuple(start) if start else (ctx.account, ctx.region)
        apps: list[api.PlatformApplication] = []
        output: api.ListPlatformApplicationsResponse = {"PlatformApplications": apps}
        for key, app in self.applications.items_range(low, (ctx.account, ctx.region + "\x00"),
                                                      inclusive=(True, False)):
            if len(apps) == _PAGE:
                output["NextToken"] = encode_token(list(key))
                break
            apps.append({"PlatformApplicationArn": f"{arn_prefix(key[1])}:sns:{key[1]}:{key[0]}:app/{key[2]}/{key[3]}",
                         "Attributes": dict(app["Attributes"])})
        return output

    def create_platform_endpoint(self, ctx: Ctx[api.CreatePlatformEndpointRequest]) -> api.CreatePlatformEndpointResult:
        params = ctx.params
        app_key, _app = self._application(params["PlatformApplicationArn"])
        token = params["Token"]
        attributes = dict(params.get("Attributes") or {})
        self._check_endpoint_attributes(attributes)
        if "CustomUserData" in params and "CustomUserData" not in attributes:
            attributes["CustomUserData"] = params["CustomUserData"]
        account, region, platform, name = app_key
        for key, endpoint in self.endpoints.items_range(app_key, (account, region, platform, name + "\x00"),
                                                        inclusive=(True, False)):
            if key[3] == name and endpoint["Attributes"].get("Token") == token:
                arn = f"{arn_prefix(region)}:sns:{region}:{account}:endpoint/{platform}/{name}/{key[4]}"
                current = endpoint["Attributes"]
                if any(current.get(k) != v for k, v in attributes.items()):
                    raise _invalid(f"Invalid parameter: Token Reason: Endpoint {arn} already exists with the "
                                   "same Token, but different attributes.")
                return {"EndpointArn": arn}
        endpoint_id = ctx.ids.uuid4()
        stored = {"Enabled": "true", **attributes, "Token": token}
        self.endpoints.put((*app_key, endpoint_id), {"Attributes": stored, "Created": ctx.time()})
        return {"EndpointArn": f"{arn_prefix(region)}:sns:{region}:{account}:endpoint/{platform}/{name}/{endpoint_id}"}

    @staticmethod
    def _check_endpoint_attributes(attributes: dict) -> None:
        for name, value in attributes.items():
            if name not in ("Enabled", "Token", "CustomUserData"):
                raise _invalid(f"Invalid parameter: Attributes Reason: Invalid attribute name: {name}")
            if name == "CustomUserData" and len(value.encode()) > 2048:
                raise _invalid("Invalid parameter: Attributes Reason: Invalid value for attribute: CustomUserData: "
                               "must be at most 2048 bytes long in UTF-8 encoding")
            if name == "Enabled" and value not in ("true", "false"):
                raise _invalid("Invalid parameter: Attributes Reason: Invalid value for attribute: Enabled")

    def _endpoint(self, arn: str) -> tuple[tuple, dict]:
        key = self._endpoint_key(arn)
        endpoint = self.endpoints.get(key) if key else None
        if endpoint is None:
            raise _not_found("Endpoint does not exist")
        return key, endpoint  # type: ignore[return-value]

    def get_endpoint_attributes(self, ctx: Ctx[api.GetEndpointAttributesRequest]) -> api.GetEndpointAttributesResult:
        _key, endpoint = self._endpoint(ctx.params["EndpointArn"])
        return {"Attributes": dict(endpoint["Attributes"])}

    def set_endpoint_attributes(self, ctx: Ctx[api.SetEndpointAttributesRequest]) -> api.SetEndpointAttributesResult:
        self._check_endpoint_attributes(ctx.params["Attributes"])
        key, endpoint = self._endpoint(ctx.params["EndpointArn"])
        attributes = {**endpoint["Attributes"], **ctx.params["Attributes"]}
        self.endpoints.put(key, {**endpoint, "Attributes": attributes})
        return {}

    def delete_endpoint(self, ctx: Ctx[api.DeleteEndpointRequest]) -> api.DeleteEndpointResult:
        key = self._endpoint_key(ctx.params["EndpointArn"])
        if key is not None and key in self.endpoints:
            self.endpoints.delete(key)
        return {}

    def list_endpoints_by_platform_application(self, ctx: Ctx[api.ListEndpointsByPlatformApplicationRequest]) -> api.ListEndpointsByPlatformApplicationResult:
        app_key, _app = self._application(ctx.params["PlatformApplicationArn"])
        account, region, platform, name = app_key
        start = _from_token(ctx.params.get("NextToken"))
        low = tuple(start) if start else app_key
        endpoints: list[api.Endpoint] = []
        output: api.ListEndpointsByPlatformApplicationResponse = {"Endpoints": endpoints}
        for key, endpoint in self.endpoints.items_range(low, (account, region, platform, name + "\x00"),
                                                        inclusive=(True, False)):
            if key[3] != name:
                continue
            if len(endpoints) == _PAGE:
                output["NextToken"] = encode_token(list(key))
                break
            endpoints.append({"EndpointArn": f"{arn_prefix(region)}:sns:{region}:{account}:endpoint/{platform}/{name}/{key[4]}",
                              "Attributes": dict(endpoint["Attributes"])})
        return output

    # -- SMS settings -----------------------------------------------------------------------------
    def set_sms_attributes(self, ctx: Ctx[api.SetSMSAttributesRequest]) -> api.SetSMSAttributesResult:
        key = (ctx.account, ctx.region)
        current = self.sms_attributes.get(key, {})
        attributes = dict(ctx.params["attributes"])
        allowed = {"MonthlySpendLimit", "DeliveryStatusIAMRole", "DeliveryStatusSuccessSamplingRate",
                   "DefaultSenderID", "DefaultSMSType", "UsageReportS3Bucket"}
        for name, value in attributes.items():
            if name not in allowed:
                raise _invalid(f"{name} is not a valid attribute")
            if name == "DefaultSMSType" and value not in ("Promotional", "Transactional"):
                raise _invalid("DefaultSMSType is invalid")
        self.sms_attributes.put(key, {**current, **attributes})
        return {}

    def get_sms_attributes(self, ctx: Ctx[api.GetSMSAttributesRequest]) -> api.GetSMSAttributesResult:
        current = {"MonthlySpendLimit": "1", **self.sms_attributes.get((ctx.account, ctx.region), {})}
        names = ctx.params.get("attributes")
        if names:
            current = {k: v for k, v in current.items() if k in names}
        return {"attributes": dict(current)}

    def check_if_phone_number_is_opted_out(self, ctx: Ctx[api.CheckIfPhoneNumberIsOptedOutRequest]) -> api.CheckIfPhoneNumberIsOptedOutResult:
        number = ctx.params["phoneNumber"]
        if not _PHONE.match(number):
            raise _invalid("Invalid parameter: PhoneNumber Reason: input incorrectly formatted")
        return {"isOptedOut": (ctx.account, ctx.region, number) in self.opted_out}

    def list_phone_numbers_opted_out(self, ctx: Ctx[api.ListPhoneNumbersOptedOutRequest]) -> api.ListPhoneNumbersOptedOutResult:
        start = _from_token(ctx.params.get("nextToken"))
        low = (ctx.account, ctx.region, start) if start else (ctx.account, ctx.region)
        numbers: list[str] = []
        output: api.ListPhoneNumbersOptedOutResponse = {"phoneNumbers": numbers}
        for key in self.opted_out.irange(low, (ctx.account, ctx.region + "\x00"), inclusive=(True, False)):
            if len(numbers) == _PAGE:
                output["nextToken"] = encode_token(key[2])
                break
            numbers.append(key[2])
        return output

    def opt_in_phone_number(self, ctx: Ctx[api.OptInPhoneNumberRequest]) -> api.OptInPhoneNumberResult:
        number = ctx.params["phoneNumber"]
        if not _PHONE.match(number):
            raise _invalid("Invalid parameter: PhoneNumber Reason: input incorrectly formatted")
        self.opted_out.delete((ctx.account, ctx.region, number))
        return {}

    def opt_out_internal(self, account: str, region: str, phone_number: str) -> None:
        """Record that a phone number replied STOP (what a recipient would do; for tests)."""
        self.opted_out.put((account, region, phone_number), {"Time": self.emulator.clock.time()})

    def get_sms_sandbox_account_status(self, ctx: Ctx[api.GetSMSSandboxAccountStatusRequest]) -> api.GetSMSSandboxAccountStatusResult:
        return {"IsInSandbox": False}

    def create_sms_sandbox_phone_number(self, ctx: Ctx[api.CreateSMSSandboxPhoneNumberRequest]) -> api.CreateSMSSandboxPhoneNumberResult:
        number = ctx.params["PhoneNumber"]
        if not _PHONE.match(number):
            raise _invalid("Invalid parameter: PhoneNumber Reason: input incorrectly formatted")
        code = ctx.ids.digits(6)
        self.sandbox_numbers.put((ctx.account, ctx.region, number), {"Status": "Pending", "Code": code})
        self._outbox_put({
            "Protocol": "sms", "Endpoint": number, "Type": "SandboxVerification", "MessageId": ctx.ids.uuid4(),
            "TopicArn": None, "SubscriptionArn": None, "Subject": None,
            "Body": f"Your verification code is {code}", "Code": code, "Timestamp": ctx.time(),
        })
        return {}

    def verify_sms_sandbox_phone_number(self, ctx: Ctx[api.VerifySMSSandboxPhoneNumberRequest]) -> api.VerifySMSSandboxPhoneNumberResult:
        key = (ctx.account, ctx.region, ctx.params["PhoneNumber"])
        record = self.sandbox_numbers.get(key)
        if record is None:
            raise api.resource_not_found_exception("Phone number does not exist")
        if record["Code"] != ctx.params["OneTimePassword"]:
            raise AwsError("VerificationException", "Invalid one-time password", 400,
                           fields={"Status": "Pending"})
        self.sandbox_numbers.put(key, {**record, "Status": "Verified"})
        return {}

    def list_sms_sandbox_phone_numbers(self, ctx: Ctx[api.ListSMSSandboxPhoneNumbersRequest]) -> api.ListSMSSandboxPhoneNumbersResult:
        numbers: list[api.SMSSandboxPhoneNumber] = [{"PhoneNumber": key[2], "Status": record["Status"]}
                   for key, record in self.sandbox_numbers.items_range(
                       (ctx.account, ctx.region), (ctx.account, ctx.region + "\x00"), inclusive=(True, False))]
        return {"PhoneNumbers": numbers}

    def delete_sms_sandbox_phone_number(self, ctx: Ctx[api.DeleteSMSSandboxPhoneNumberRequest]) -> api.DeleteSMSSandboxPhoneNumberResult:
        key = (ctx.account, ctx.region, ctx.params["PhoneNumber"])
        if self.sandbox_numbers.delete(key) is None:
            raise api.resource_not_found_exception("Phone number does not exist")
        return {}

    def list_origination_numbers(self, ctx: Ctx[api.ListOriginationNumbersRequest]) -> api.ListOriginationNumbersResult:
        return {"PhoneNumbers": []}

    # -- inspection -------------------------------------------------------------------------------
    def outbox(self) -> list[dict]:
        """What SNS would have sent to http(s), email, sms, mobile and Firehose endpoints, oldest first."""
        return [dict(entry) for entry in self.outbox_table.values()]

    def delivery_failures(self) -> list[dict]:
        return [dict(entry) for entry in self.failures.values()]

    def resource_facts(self, arn: str) -> dict[str, Any] | None:
        """ResourcePolicyPort: a topic's access policy and tags."""
        parts = arn.split(":")
        topic = self.topics.get((parts[4], parts[3], parts[5])) if len(parts) == 6 else None
        if topic is None:
            return None
        return {"Arn": arn, "Policy": topic["Attributes"].get("Policy"), "Tags": dict(topic["Tags"])}

    def summary(self) -> dict[str, Any]:
        topics = []
        counts: dict[tuple, list[int]] = {}
        for key, sub in self.subscriptions.items():
            entry = counts.setdefault(key[:3], [0, 0])
            entry[0 if sub["Confirmed"] else 1] += 1
        for key, topic in self.topics.items():
            confirmed, pending = counts.get(key, (0, 0))
            topics.append({
                "name": key[2], "arn": self._topic_arn(key), "account": key[0], "region": key[1],
                "fifo": topic["Attributes"].get("FifoTopic") == "true",
                "subscriptions": confirmed, "pending": pending,
            })
        summary: dict[str, Any] = {"topics": topics, "outbox": len(self.outbox_table)}
        if len(self.failures):
            summary["delivery_failures"] = len(self.failures)
        if len(self.applications):
            summary["platform_applications"] = len(self.applications)
        return summary


_SNS_ACTIONS = frozenset({
    "GetTopicAttributes", "SetTopicAttributes", "AddPermission", "RemovePermission", "DeleteTopic",
    "Subscribe", "ListSubscriptionsByTopic", "Publish", "Receive", "ConfirmSubscription",
    "Unsubscribe", "ListTopics", "CreateTopic",
})
