"""A bucket's inventory, analytics and metrics configurations: sets of configurations by Id, each
kind stored in ``s3.config`` under ``(bucket, kind)`` as ``{id: configuration}``.

Put (204) replaces the configuration of its Id, Get and Delete answer ``NoSuchConfiguration`` (404)
for an unknown Id, List returns them ordered by Id, 100 a page, with an opaque continuation token.
Facts from LocalStack's AWS-recorded snapshots: test_s3.py test_s3_inventory_report_crud,
test_s3_put_inventory_report_exceptions (IdMismatch, InvalidS3DestinationBucket, MalformedXML for
values outside the schema's enums), test_put_bucket_inventory_config_order, test_s3_analytics_configurations
(an Id mismatch is MalformedXML), and test_s3_api.py TestS3MetricsConfiguration (100 a page, delete twice
is NoSuchConfiguration). The 1,000-per-bucket limit is the S3 user guide's, for each kind.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, Callable

from ...api import NoMembers
from ...core.dispatch import RequestContext
from ...core.errors import AwsError
from .common import malformed_xml
from .config import freeze, thaw

if TYPE_CHECKING:
    from ...store.store import Table

PAGE = 100
LIMIT = 1000


class Kind:
    """One kind of Id-keyed configuration: its request member, its list member and its Id check."""

    def __init__(self, name: str, member: str, id_mismatch: Callable[[], AwsError]) -> None:
        self.name = name
        self.member = member
        self.list_member = f"{member}List"
        self.id_mismatch = id_mismatch


def _id_mismatch() -> AwsError:
    return AwsError("IdMismatch", "Document ID does not match the specified configuration ID.", 400)


INVENTORY = Kind("inventory", "InventoryConfiguration", _id_mismatch)
ANALYTICS = Kind("analytics", "AnalyticsConfiguration", malformed_xml)
METRICS = Kind("metrics", "MetricsConfiguration", malformed_xml)


def _no_such_configuration() -> AwsError:
    return AwsError("NoSuchConfiguration", "The specified configuration does not exist.", 404)


def check_enums(shape: Any, value: Any) -> None:
    """MalformedXML for a value outside its shape's enum anywhere in ``value`` (botocore does not check
    enums; S3's schema validation does)."""
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                check_enums(member, value[name])
    elif shape.type_name == "list" and isinstance(value, list):
        for entry in value:
            check_enums(shape.member, entry)
    elif shape.type_name == "string" and shape.enum and value not in shape.enum:
        raise malformed_xml()


class IdConfigurations:
    """Put/Get/Delete/List of the Id-keyed configuration kinds (a component of the S3 backend)."""

    def __init__(self, config: Table, bucket_of: Callable[[RequestContext[Any], str], dict]) -> None:
        self.config = config
        self.bucket_of = bucket_of

    def _all(self, ctx: RequestContext[Any], kind: Kind) -> tuple[str, dict]:
        name = ctx.params["Bucket"]
        self.bucket_of(ctx, name)
        return name, self.config.get((name, kind.name)) or {}

    def put(self, ctx: RequestContext[Any], kind: Kind) -> NoMembers:
        name, configurations = self._all(ctx, kind)
        configuration = ctx.params[kind.member]
        check_enums(ctx.model.input_shape.members[kind.member], configuration)
        if configuration["Id"] != ctx.params["Id"]:
            raise kind.id_mismatch()
        if kind is INVENTORY:
            destination = configuration["Destination"]["S3BucketDestination"]["Bucket"]
            if not destination.startswith("arn:") or ":s3:::" not in destination:
                raise AwsError("InvalidS3DestinationBucket", "Invalid bucket ARN.", 400)
        if ctx.params["Id"] not in configurations and len(configurations) >= LIMIT:
            raise AwsError("TooManyConfigurations", f"You are attempting to create a new configuration but have "
                           f"already reached the {LIMIT:,}-configuration limit.", 400)
        self.config.put((name, kind.name), {**configurations, ctx.params["Id"]: freeze(configuration)})
        ctx.status = 204
        return {}

    def get(self, ctx: RequestContext[Any], kind: Kind) -> dict[str, Any]:
        _, configurations = self._all(ctx, kind)
        if ctx.params["Id"] not in configurations:
            raise _no_such_configuration()
        return {kind.member: thaw(configurations[ctx.params["Id"]])}

    def delete(self, ctx: RequestContext[Any], kind: Kind) -> NoMembers:
        name, configurations = self._all(ctx, kind)
        if ctx.params["Id"] not in configurations:
            raise _no_such_configuration()
        remaining = {k: v for k, v in configurations.items() if k != ctx.params["Id"]}
        if remaining:
            self.config.put((name, kind.name), remaining)
        else:
            self.config.delete((name, kind.name))
        ctx.status = 204
        return {}

    def list(self, ctx: RequestContext[Any], kind: Kind) -> dict[str, Any]:
        _, configurations = self._all(ctx, kind)
        ids = sorted(configurations)
        token = ctx.params.get("ContinuationToken")
        out: dict[str, Any] = {}
        if token is not None:
            try:
                after = base64.urlsafe_b64decode(token.encode()).decode()
            except ValueError:
                raise AwsError("InvalidArgument", "The continuation token provided is incorrect", 400,
                               ArgumentName="continuation-token") from None
            ids = [i for i in ids if i > after]
            out["ContinuationToken"] = token
        page = ids[:PAGE]
        out["IsTruncated"] = len(ids) > PAGE
        if page:
            out[kind.list_member] = [thaw(configurations[i]) for i in page]
        if len(ids) > PAGE:
            out["NextContinuationToken"] = base64.urlsafe_b64encode(page[-1].encode()).decode()
        return out


def legacy_notification(configuration: dict) -> dict[str, Any]:
    """GetBucketNotification's (deprecated) answer from a bucket's notification configuration: the first
    topic, queue and Lambda configuration (the old form holds one of each)."""
    out: dict[str, Any] = {}
    for member, legacy, target, target_name in (
            ("TopicConfigurations", "TopicConfiguration", "TopicArn", "Topic"),
            ("QueueConfigurations", "QueueConfiguration", "QueueArn", "Queue"),
            ("LambdaFunctionConfigurations", "CloudFunctionConfiguration", "LambdaFunctionArn", "CloudFunction")):
        entries = configuration.get(member) or []
        if not entries:
            continue
        first = entries[0]
        events = list(first["Events"])
        shown: dict[str, Any] = {"Id": first["Id"], "Events": events, target_name: first[target]}
        if len(events) == 1:
            shown["Event"] = events[0]  # the old single-event member reads the same element
        out[legacy] = shown
    return out
