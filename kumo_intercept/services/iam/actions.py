"""What a call asks IAM for: its action(s), the resource each acts on, and the request's own
condition keys, derived from botocore's models with a compact rule set.

The fact source is AWS's Service Authorization Reference
(docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
and, for S3, "Required permissions for Amazon S3 API operations"
(docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html). The rules:

* the action is ``<prefix>:<OperationName>``, the prefix being the service's signing name in botocore's
  model (``states`` for Step Functions, ``dynamodb`` for DynamoDB Streams, ``ses`` for SES v2),
  except for the operations in ``ACTION_NAMES``;
* the resource is the ARN built from the first input member of the operation that the service's row
  of ``RESOURCE_MEMBERS`` names (a name or an ARN; a queue URL); none: ``*``;
* a few operations act on several resources or with several actions (``MULTI``): S3's CopyObject reads
  the source and writes the target, a DynamoDB batch or transaction acts on each table it names,
  KMS's ReEncrypt decrypts under one key and encrypts under another.

The plan of each (service, operation) is worked out once from the model and kept.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Mapping, NamedTuple
from urllib.parse import unquote

from ...core.partitions import arn_prefix

#: operations whose IAM action is not named after them (Service Authorization Reference; S3 from
#: "Required permissions for Amazon S3 API operations")
ACTION_NAMES: dict[tuple[str, str], str] = {
    ("s3", "ListObjects"): "s3:ListBucket", ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "HeadBucket"): "s3:ListBucket", ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "ListObjectVersions"): "s3:ListBucketVersions", ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "ListMultipartUploads"): "s3:ListBucketMultipartUploads", ("s3", "ListParts"): "s3:ListMultipartUploadParts",
    ("s3", "CreateMultipartUpload"): "s3:PutObject", ("s3", "UploadPart"): "s3:PutObject",
    ("s3", "CompleteMultipartUpload"): "s3:PutObject", ("s3", "UploadPartCopy"): "s3:PutObject",
    ("s3", "CopyObject"): "s3:PutObject", ("s3", "DeleteObjects"): "s3:DeleteObject",
    ("s3", "SelectObjectContent"): "s3:GetObject",
    ("s3", "PutBucketNotificationConfiguration"): "s3:PutBucketNotification",
    ("s3", "GetBucketNotificationConfiguration"): "s3:GetBucketNotification",
    ("s3", "PutBucketLifecycleConfiguration"): "s3:PutLifecycleConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3", "DeleteBucketLifecycle"): "s3:PutLifecycleConfiguration",
    ("s3", "PutBucketCors"): "s3:PutBucketCORS", ("s3", "GetBucketCors"): "s3:GetBucketCORS",
    ("s3", "DeleteBucketCors"): "s3:PutBucketCORS",
    ("s3", "PutBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "DeleteBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "DeleteBucketTagging"): "s3:PutBucketTagging",
    ("s3", "PutPublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "DeletePublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3", "PutBucketReplication"): "s3:PutReplicationConfiguration",
    ("s3", "DeleteBucketReplication"): "s3:PutReplicationConfiguration",
    ("s3", "GetObjectLockConfiguration"): "s3:GetBucketObjectLockConfiguration",
    ("s3", "PutObjectLockConfiguration"): "s3:PutBucketObjectLockConfiguration",
    ("s3", "DeleteBucketWebsite"): "s3:DeleteBucketWebsite",
    ("s3", "GetBucketOwnershipControls"): "s3:GetBucketOwnershipControls",
    ("s3", "DeleteBucketOwnershipControls"): "s3:PutBucketOwnershipControls",
    ("lambda", "Invoke"): "lambda:InvokeFunction", ("lambda", "InvokeWithResponseStream"): "lambda:InvokeFunction",
    # SQS authorizes a batch with its single-message action (the batch actions are no IAM actions)
    ("sqs", "SendMessageBatch"): "sqs:SendMessage", ("sqs", "DeleteMessageBatch"): "sqs:DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "sqs:ChangeMessageVisibility",
    ("sns", "PublishBatch"): "sns:Publish",
}

#: the IAM prefix of services whose signing name is not it
_PREFIXES = {"cloudwatch": "cloudwatch"}

#: operations no policy controls: GetCallerIdentity and GetSessionToken ("No permissions are required",
#: STS API Reference; IAM User Guide, "Permissions for GetSessionToken"), and the federation calls,
#: made without AWS credentials (STS checks the role's trust policy itself)
ALWAYS_ALLOWED = frozenset({("sts", "GetCallerIdentity"), ("sts", "GetSessionToken"),
                            ("sts", "AssumeRoleWithWebIdentity"), ("sts", "AssumeRoleWithSAML")})


class Target(NamedTuple):
    """One authorization a call needs: the action on a resource, with request keys of its own."""

    action: str
    resource: str
    context: Mapping[str, Any]


_NO_KEYS: Mapping[str, Any] = {}
#: builds a resource ARN from a member's value: (value, params, account, region) -> ARN
Builder = Callable[[str, Mapping[str, Any], str, str], str]


def _arn(service: str, resource: str, *, regional: bool = True) -> Builder:
    """An ARN template ``{value}`` fills; a value that is an ARN already is taken as it is."""
    def build(value: str, params: Mapping[str, Any], account: str, region: str) -> str:
        if value.startswith("arn:"):
            return value
        name = value.lstrip("/") if resource.startswith("parameter/") else value  # SSM: /a/b -> parameter/a/b
        return f"{arn_prefix(region)}:{service}:{region if regional else ''}:{account}:{resource.replace('{value}', name)}"
    return build


def _queue(value: str, params: Mapping[str, Any], account: str, region: str) -> str:
    """``https://sqs.<region>.amazonaws.com/<account>/<name>`` (or a name, or the ARN) -> the queue's ARN."""
    if value.startswith("arn:"):
        return value
    parts = value.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2].isdigit():
        account = parts[-2]
    return f"{arn_prefix(region)}:sqs:{region}:{account}:{parts[-1]}"


def _subscription_topic(value: str, params: Mapping[str, Any], account: str, region: str) -> str:
    return value.rsplit(":", 1)[0] if value.count(":") >= 6 else value


def _function(value: str, params: Mapping[str, Any], account: str, region: str) -> str:
    """A function name, partial or full ARN (with the call's ``Qualifier``) -> its ARN."""
    if not value.startswith("arn:"):
        parts = value.split(":")
        if len(parts) >= 3 and parts[-2] == "function" or len(parts) == 4:  # 123456789012:function:name[:q]
            account = parts[0]
            value = ":".join(parts[2:])
        value = f"{arn_prefix(region)}:lambda:{region}:{account}:function:{value}"
    qualifier = params.get("Qualifier")
    return f"{value}:{qualifier}" if qualifier and value.count(":") == 6 else value


def _table(value: str, params: Mapping[str, Any], account: str, region: str) -> str:
    arn = value if value.startswith("arn:") else f"{arn_prefix(region)}:dynamodb:{region}:{account}:table/{value}"
    index = params.get("IndexName")
    return f"{arn}/index/{index}" if index else arn


def _key(value: str, params: Mapping[str, Any], account: str, region: str) -> str:
    if value.startswith("arn:"):
        return value
    return f"{arn_prefix(region)}:kms:{region}:{account}:{value if value.startswith('alias/') else 'key/' + value}"


def _log_group(value: str, params: Mapping[str, Any], account: str, region: str) -> str:
    """A log group's calls act on ``log-group:<name>:log-stream:<stream>``, the stream empty for the
    group's own (AWS's denials name them so: "…log-group:/aws/lambda/f:log-stream: because…" for
    CreateLogGroup, elastic/apm-aws-lambda#526; "…log-group:/aws/lambda/f:log-stream:2019/12/16/…"
    for CreateLogStream, aws-solutions/aws-crr-monitor#8), so ``log-group:<name>:*`` covers both."""
    if value.startswith("arn:"):
        return value
    return f"{arn_prefix(region)}:logs:{region}:{account}:log-group:{value}:log-stream:{params.get('logStreamName', '')}"


def _bus_or_rule(kind: str) -> Builder:
    def build(value: str, params: Mapping[str, Any], account: str, region: str) -> str:
        if value.startswith("arn:"):
            return value
        bus = params.get("EventBusName", "default")
        bus = bus.rsplit("/", 1)[-1]
        if kind == "rule":
            return f"{arn_prefix(region)}:events:{region}:{account}:rule/{'' if bus == 'default' else bus + '/'}{value}"
        return f"{arn_prefix(region)}:events:{region}:{account}:event-bus/{value}"
    return build


def _bucket(value: str, params: Mapping[str, Any], account: str, region: str) -> str:
    key = params.get("Key")
    return f"{arn_prefix(region)}:s3:::{value}/{key}" if key is not None else f"{arn_prefix(region)}:s3:::{value}"


#: service -> (input member, builder) in order of preference: the first member a call carries names
#: the resource (Service Authorization Reference, "Resource types defined by …" of each service)
RESOURCE_MEMBERS: dict[str, tuple[tuple[str, Builder], ...]] = {
    "s3": (("Bucket", _bucket),),
    "sqs": (("QueueUrl", _queue), ("QueueName", _queue)),
    "sns": (("TopicArn", _arn("sns", "{value}")), ("TargetArn", _arn("sns", "{value}")),
            ("ResourceArn", _arn("sns", "{value}")), ("SubscriptionArn", _subscription_topic),
            ("Name", _arn("sns", "{value}"))),
    "lambda": (("FunctionName", _function), ("Resource", _function)),
    "dynamodb": (("TableName", _table), ("TableArn", _table), ("ResourceArn", _table)),
    "dynamodbstreams": (("StreamArn", _table),),
    "kms": (("KeyId", _key), ("TargetKeyId", _key)),
    "secretsmanager": (("SecretId", _arn("secretsmanager", "secret:{value}")),
                       ("Name", _arn("secretsmanager", "secret:{value}-??????")),
                       ("ResourceArn", _arn("secretsmanager", "secret:{value}"))),
    "events": (("Rule", _bus_or_rule("rule")), ("ResourceARN", _bus_or_rule("bus")),
               ("EventBusName", _bus_or_rule("bus"))),
    "logs": (("logGroupName", _log_group), ("logGroupIdentifier", _log_group), ("resourceArn", _log_group)),
    "ssm": (("Name", _arn("ssm", "parameter/{value}")), ("Path", _arn("ssm", "parameter/{value}"))),
    "kinesis": (("StreamARN", _arn("kinesis", "stream/{value}")), ("StreamName", _arn("kinesis", "stream/{value}"))),
    "firehose": (("DeliveryStreamName", _arn("firehose", "deliverystream/{value}")),),
    "stepfunctions": (("stateMachineArn", _arn("states", "stateMachine:{value}")),
                      ("executionArn", _arn("states", "execution:{value}")),
                      ("resourceArn", _arn("states", "{value}"))),
    "iam": (("UserName", _arn("iam", "user/{value}", regional=False)),
            ("RoleName", _arn("iam", "role/{value}", regional=False)),
            ("GroupName", _arn("iam", "group/{value}", regional=False)),
            ("PolicyArn", _arn("iam", "{value}", regional=False)),
            ("InstanceProfileName", _arn("iam", "instance-profile/{value}", regional=False))),
    "sts": (("RoleArn", _arn("iam", "{value}", regional=False)),),
}
#: events' rule operations name the rule in ``Name``; its bus operations name the bus there
_EVENTS_RULE_OPERATIONS = frozenset({"PutRule", "DeleteRule", "DescribeRule", "EnableRule", "DisableRule",
                                     "ListTargetsByRule"})


def action_prefix(service_model: Any) -> str:
    name: str = service_model.service_name
    return _PREFIXES.get(name) or service_model.signing_name or name


Plan = Callable[[Mapping[str, Any], str, str], "list[Target]"]


@functools.lru_cache(maxsize=None)
def plan(service: str, operation: str, operation_model: Any) -> Plan:
    """How to find the targets of one operation's calls, worked out once from its model."""
    action = ACTION_NAMES.get((service, operation)) or f"{action_prefix(operation_model.service_model)}:{operation}"
    special = MULTI.get((service, operation))
    if special is not None:
        return lambda params, account, region: special(action, params, account, region)
    shape = operation_model.input_shape
    members = set(shape.members) if shape is not None else set()
    rules = RESOURCE_MEMBERS.get(service, ())
    if service == "events":
        name_kind = "rule" if operation in _EVENTS_RULE_OPERATIONS else "bus"
        rules = (("Name", _bus_or_rule(name_kind)), *rules)
    present = [(member, build) for member, build in rules if member in members]
    keys = _REQUEST_KEYS.get(service)
    if keys is _tags and not members & _TAG_MEMBERS:
        keys = None  # most calls carry no tags: nothing to look for

    def targets(params: Mapping[str, Any], account: str, region: str) -> list[Target]:
        context = keys(params) if keys is not None else _NO_KEYS
        for member, build in present:
            value = params.get(member)
            if isinstance(value, str) and value:
                return [Target(action, build(value, params, account, region), context)]
        return [Target(action, "*", context)]

    return targets


# -- operations with several targets ------------------------------------------------------------
def _copy(action: str, params: Mapping[str, Any], account: str, region: str) -> list[Target]:
    """CopyObject/UploadPartCopy: s3:PutObject on the target, s3:GetObject on the source."""
    source = params.get("CopySource")
    if isinstance(source, Mapping):
        text = f"{source.get('Bucket', '')}/{source.get('Key', '')}"
    else:
        text = unquote(str(source or "").lstrip("/").split("?versionId=")[0])
    return [Target(action, _bucket(params["Bucket"], params, account, region), _s3_keys(params)),
            Target("s3:GetObject", f"{arn_prefix(region)}:s3:::{text}", _NO_KEYS)]


def _sse_kms_write(action: str, params: Mapping[str, Any], account: str, region: str) -> list[Target]:
    """PutObject/CreateMultipartUpload: with SSE-KMS under a named key, S3 also asks KMS for a data key
    as the caller, with kms:ViaService (KMS Developer Guide, "kms:ViaService"; S3 User Guide,
    "Permissions for SSE-KMS": the caller needs kms:GenerateDataKey on the key)."""
    targets = [Target(action, _bucket(params["Bucket"], params, account, region), _s3_keys(params))]
    key_id = params.get("SSEKMSKeyId")
    if key_id and str(params.get("ServerSideEncryption", "")).startswith("aws:kms"):
        targets.append(Target("kms:GenerateDataKey", _key(key_id, params, account, region),
                              {"kms:ViaService": f"s3.{region}.amazonaws.com", "kms:CallerAccount": account}))
    return targets


def _delete_objects(action: str, params: Mapping[str, Any], account: str, region: str) -> list[Target]:
    bucket = params["Bucket"]
    return [Target("s3:DeleteObjectVersion" if entry.get("VersionId") else action,
                   f"{arn_prefix(region)}:s3:::{bucket}/{entry['Key']}", _NO_KEYS)
            for entry in params.get("Delete", {}).get("Objects", [])]


def _table_batch(item_action: str | None) -> Callable[[str, Mapping[str, Any], str, str], list[Target]]:
    """BatchGetItem/BatchWriteItem (one target per table, the batch's own action) and
    TransactGet/WriteItems (one per item, the item's own action: dynamodb:PutItem…)."""
    def targets(action: str, params: Mapping[str, Any], account: str, region: str) -> list[Target]:
        if item_action is None:
            return [Target(action, _table(name, {}, account, region), _NO_KEYS) for name in params.get("RequestItems", {})]
        found = []
        for item in params.get("TransactItems", []):
            for kind, body in item.items():
                name = "GetItem" if kind == "Get" else "ConditionCheckItem" if kind == "ConditionCheck" else f"{kind}Item"
                found.append(Target(f"dynamodb:{name}", _table(body["TableName"], {}, account, region),
                                    _dynamodb_keys(body)))
        return found
    return targets


def _re_encrypt(action: str, params: Mapping[str, Any], account: str, region: str) -> list[Target]:
    return [Target("kms:ReEncryptFrom", _key(params.get("SourceKeyId", "*"), params, account, region), _NO_KEYS),
            Target("kms:ReEncryptTo", _key(params["DestinationKeyId"], params, account, region), _NO_KEYS)]


def _put_events(action: str, params: Mapping[str, Any], account: str, region: str) -> list[Target]:
    buses = {entry.get("EventBusName") or "default" for entry in params.get("Entries", [])} or {"default"}
    return [Target(action, _bus_or_rule("bus")(bus, {}, account, region), _NO_KEYS) for bus in sorted(buses)]


def _batch_secrets(action: str, params: Mapping[str, Any], account: str, region: str) -> list[Target]:
    """BatchGetSecretValue needs its own action and secretsmanager:GetSecretValue on each secret it
    names (Secrets Manager API Reference, BatchGetSecretValue)."""
    build = _arn("secretsmanager", "secret:{value}")
    return [Target(action, "*", _NO_KEYS), *(Target("secretsmanager:GetSecretValue", build(secret, {}, account, region),
                                                    _NO_KEYS) for secret in params.get("SecretIdList", []))]


def _get_parameters(action: str, params: Mapping[str, Any], account: str, region: str) -> list[Target]:
    build = _arn("ssm", "parameter/{value}")
    return [Target(action, build(name, {}, account, region), _NO_KEYS) for name in params.get("Names", [])]


MULTI: dict[tuple[str, str], Callable[[str, Mapping[str, Any], str, str], list[Target]]] = {
    ("s3", "CopyObject"): _copy, ("s3", "UploadPartCopy"): _copy, ("s3", "DeleteObjects"): _delete_objects,
    ("s3", "PutObject"): _sse_kms_write, ("s3", "CreateMultipartUpload"): _sse_kms_write,
    ("dynamodb", "BatchGetItem"): _table_batch(None), ("dynamodb", "BatchWriteItem"): _table_batch(None),
    ("dynamodb", "TransactGetItems"): _table_batch("item"), ("dynamodb", "TransactWriteItems"): _table_batch("item"),
    ("kms", "ReEncrypt"): _re_encrypt, ("secretsmanager", "BatchGetSecretValue"): _batch_secrets, ("events", "PutEvents"): _put_events, ("ssm", "GetParameters"): _get_parameters,
}


# -- request condition keys -----------------------------------------------------------------------
_TAG_MEMBERS = frozenset({"Tags", "TagList", "tags", "TagSet", "Tagging"})


def _tags(params: Mapping[str, Any]) -> dict[str, Any]:
    """aws:RequestTag/<key> and aws:TagKeys from a request's tags, in whichever form the service takes
    them (``Tags``/``TagList``/``tags`` as a list of Key/Value pairs or a map, S3's ``Tagging``)."""
    raw: Any = None
    for member in ("Tags", "TagList", "tags", "TagSet"):
        if member in params:
            raw = params[member]
            break
    if isinstance(params.get("Tagging"), Mapping):
        raw = params["Tagging"].get("TagSet")
    if raw is None:
        return {}
    pairs = raw.items() if isinstance(raw, Mapping) else (
        (entry.get("Key", entry.get("key", entry.get("TagKey"))), entry.get("Value", entry.get("value", entry.get("TagValue"))))
        for entry in raw if isinstance(entry, Mapping))
    keys: dict[str, Any] = {}
    for key, value in pairs:
        if isinstance(key, str):
            keys[f"aws:RequestTag/{key}"] = "" if value is None else str(value)
    if keys:
        keys["aws:TagKeys"] = [name.split("/", 1)[1] for name in keys]
    return keys


def _s3_keys(params: Mapping[str, Any]) -> dict[str, Any]:
    """S3's keys (Service Authorization Reference, "Condition keys for Amazon S3")."""
    keys = _tags(params)
    for member, key in (("Prefix", "s3:prefix"), ("Delimiter", "s3:delimiter"), ("MaxKeys", "s3:max-keys"),
                        ("VersionId", "s3:VersionId"), ("ACL", "s3:x-amz-acl"),
                        ("ServerSideEncryption", "s3:x-amz-server-side-encryption"),
                        ("SSEKMSKeyId", "s3:x-amz-server-side-encryption-aws-kms-key-id")):
        if member in params:
            keys[key] = str(params[member])
    return keys


def _dynamodb_keys(params: Mapping[str, Any]) -> dict[str, Any]:
    """dynamodb:Attributes (the attribute names a call reads or writes) and the item's key values; the
    enforcement turns the latter into dynamodb:LeadingKeys once it knows the table's partition key."""
    keys: dict[str, Any] = {}
    item = params.get("Item") or params.get("Key")
    if isinstance(item, Mapping):
        keys["dynamodb:Attributes"] = sorted(item)
        keys["dynamodb:ItemKey"] = {name: next(iter(value.values()), "") for name, value in item.items()
                                    if isinstance(value, Mapping)}
    if "AttributesToGet" in params:
        keys["dynamodb:Attributes"] = list(params["AttributesToGet"])
    if "Select" in params:
        keys["dynamodb:Select"] = params["Select"]
    if "ReturnValues" in params:
        keys["dynamodb:ReturnValues"] = params["ReturnValues"]
    return keys


def _kms_keys(params: Mapping[str, Any]) -> dict[str, Any]:
    """kms:EncryptionContext:<key>, kms:EncryptionContextKeys and the key spec of CreateKey."""
    keys = _tags(params)
    context = params.get("EncryptionContext") or {}
    for name, value in context.items():
        keys[f"kms:EncryptionContext:{name}"] = value
    if context:
        keys["kms:EncryptionContextKeys"] = list(context)
    for member, key in (("KeySpec", "kms:KeySpec"), ("KeyUsage", "kms:KeyUsage"),
                        ("EncryptionAlgorithm", "kms:EncryptionAlgorithm"), ("GrantOperations", "kms:GrantOperations")):
        if member in params:
            keys[key] = params[member]
    return keys


def _sns_keys(params: Mapping[str, Any]) -> dict[str, Any]:
    keys = _tags(params)
    for member, key in (("Protocol", "sns:Protocol"), ("Endpoint", "sns:Endpoint")):
        if member in params:
            keys[key] = str(params[member])
    return keys


_REQUEST_KEYS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "s3": _s3_keys, "dynamodb": _dynamodb_keys, "kms": _kms_keys, "sns": _sns_keys,
    **{service: _tags for service in ("sqs", "lambda", "secretsmanager", "events", "logs", "ssm", "kinesis",
                                      "firehose", "stepfunctions", "iam", "sts", "scheduler", "cloudwatch")},
}


__all__ = ["ACTION_NAMES", "ALWAYS_ALLOWED", "MULTI", "RESOURCE_MEMBERS", "Target", "action_prefix", "plan"]
