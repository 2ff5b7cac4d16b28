"""CloudWatch Logs vended-log deliveries, mixed into the Logs backend: delivery sources
(PutDeliverySource), delivery destinations (PutDeliveryDestination and its policy) and the deliveries
pairing one with the other (CreateDelivery), with their Get/Describe/Delete operations. They are
stored configuration: no AWS resource sends logs here, so nothing flows through a delivery.

Facts: LocalStack's AWS-recorded test_logs_delivery.py (the views, which leave out tags and
outputFormat nobody set; "Requested Delivery Source does not exist in this account." and its
destination and delivery forms; "Cannot access provided service." for a resource that cannot be a
source), the API reference of each operation (a source's logType per service, in PutDeliverySource's
"logType" list; a destination's type from its resource ARN: S3, CWL, FH or XRAY; ConflictException
for a second delivery between the same source and destination; ResourceNotFoundException for names
and ids that do not exist) and botocore's model (name patterns and lengths, the outputFormat enum,
checked as ValidationException, the error these operations model for input).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from ...api import logs as api
from ...core.dispatch import Ctx, RequestContext
from ...core.errors import AwsError
from ...core.partitions import arn_prefix
from ...core.tokens import decode_token, encode_token
from ...core.validation import check_input

if TYPE_CHECKING:
    from ...store.store import OrderedTable

#: the ARN service of each AWS service PutDeliverySource accepts -> its log types (API reference)
SOURCE_LOG_TYPES: dict[str, frozenset[str]] = {
    "bedrock": frozenset({"APPLICATION_LOGS", "TRACES"}),
    "cloudfront": frozenset({"ACCESS_LOGS"}),
    "codewhisperer": frozenset({"EVENT_LOGS"}),
    "mediapackagev2": frozenset({"EGRESS_ACCESS_LOGS", "INGRESS_ACCESS_LOGS"}),
    "mediatailor": frozenset({"AD_DECISION_SERVER_LOGS", "MANIFEST_SERVICE_LOGS", "TRANSCODE_LOGS"}),
    "entityresolution": frozenset({"WORKFLOW_LOGS"}),
    "sso": frozenset({"ERROR_LOGS"}),
    "pcs": frozenset({"PCS_SCHEDULER_LOGS", "PCS_JOBCOMP_LOGS"}),
    "q": frozenset({"EVENT_LOGS"}),
    "qbusiness": frozenset({"EVENT_LOGS"}),
    "ses": frozenset({"APPLICATION_LOG", "TRAFFIC_POLICY_DEBUG_LOGS"}),
    "workmail": frozenset({"ACCESS_CONTROL_LOGS", "AUTHENTICATION_LOGS", "WORKMAIL_AVAILABILITY_PROVIDER_LOGS",
                           "WORKMAIL_MAILBOX_ACCESS_LOGS", "WORKMAIL_PERSONAL_ACCESS_TOKEN_LOGS"}),
    "ec2": frozenset({"EVENT_LOGS"}),  # VPC Route Server
}
#: a destination resource's ARN service -> deliveryDestinationType
DESTINATION_TYPES = {"s3": "S3", "logs": "CWL", "firehose": "FH", "xray": "XRAY"}
_PAGE = 50


def _validation(message: str) -> AwsError:
    return AwsError("ValidationException", message, 400)


def _not_found(message: str) -> AwsError:
    return api.resource_not_found_exception(message)


def _conflict(message: str) -> AwsError:
    return AwsError("ConflictException", message, 400)


def _page(items: list[Any], ctx: RequestContext[Any], field: str) -> dict[str, Any]:
    start = decode_token(ctx.params.get("nextToken"), _validation("The specified nextToken is invalid.")) or 0
    limit = ctx.params.get("limit") or _PAGE
    output: dict[str, Any] = {field: items[start:start + limit]}
    if start + limit < len(items):
        output["nextToken"] = encode_token(start + limit)
    return output


def _existing(table: OrderedTable, key: tuple, kind: str) -> tuple[tuple, dict]:
    """The record under ``key``, or ResourceNotFoundException naming the ``kind`` of thing missing."""
    record = table.get(key)
    if record is None:
        raise _not_found(f"Requested {kind} does not exist in this account.")
    return key, record


class DeliveryOperations:
    """The delivery handlers of ``LogsBackend`` (``self`` is the backend)."""

    if TYPE_CHECKING:
        delivery_sources: OrderedTable
        delivery_destinations: OrderedTable
        deliveries: OrderedTable

    @staticmethod
    def _checked(ctx: RequestContext[Any]) -> None:
        """The model's patterns, lengths and enums, as these operations answer them."""
        check_input(ctx.model.input_shape, ctx.params, "ValidationException")

    @staticmethod
    def _delivery_range(ctx: RequestContext[Any]) -> tuple[tuple, tuple]:
        return (ctx.account, ctx.region), (ctx.account, ctx.region + "\x00")

    def delivery_rows(self) -> dict[str, list[dict[str, Any]]]:
        """The inspection rows (``aws.state.logs.summary()``) of the delivery sources, destinations and
        deliveries."""
        return {
            "delivery_sources": [{"name": key[2], "account": key[0], "region": key[1], "service": record["service"],
                                  "log_type": record["logType"], "resource_arn": record["resourceArn"]}
                                 for key, record in self.delivery_sources.items()],
            "delivery_destinations": [{"name": key[2], "account": key[0], "region": key[1], "type": record["type"],
                                       "resource_arn": record["resourceArn"], "has_policy": bool(record.get("policy"))}
                                      for key, record in self.delivery_destinations.items()],
            "deliveries": [{"id": key[2], "account": key[0], "region": key[1], "source": record["source"],
                            "destination_arn": record["destination"], "type": record["type"]}
                           for key, record in self.deliveries.items()],
        }

    # -- sources ------------------------------------------------------------------------------------
    def put_delivery_source(self, ctx: Ctx[api.PutDeliverySourceRequest]) -> api.PutDeliverySourceResult:
        self._checked(ctx)
        params = ctx.params
        resource_arn, log_type = params["resourceArn"], params["logType"]
        parts = resource_arn.split(":")
        service = parts[2] if len(parts) > 5 else ""
        if service not in SOURCE_LOG_TYPES:
            raise _not_found("Cannot access provided service.")
        if log_type not in SOURCE_LOG_TYPES[service]:
            raise _validation(f"Log type {log_type} is not supported for service {service}.")
        key = (ctx.account, ctx.region, params["name"])
        existing = self.delivery_sources.get(key)
        if existing is not None and (existing["resourceArn"] != resource_arn or existing["logType"] != log_type):
            raise _conflict(f"Delivery source {params['name']} already exists for another resource or log type.")
        record = {"resourceArn": resource_arn, "logType": log_type, "service": service,
                  "tags": dict(params.get("tags") or (existing or {}).get("tags") or {})}
        self.delivery_sources.put(key, record)
        return {"deliverySource": self._delivery_source_view(ctx, key, record)}

    @staticmethod
    def _delivery_source_view(ctx: RequestContext[Any], key: tuple, record: dict) -> api.DeliverySource:
        view: api.DeliverySource = {
            "name": key[2], "arn": ctx.arn(f"delivery-source:{key[2]}", region=key[1], account=key[0]),
            "resourceArns": [record["resourceArn"]], "service": record["service"], "logType": record["logType"]}
        if record["tags"]:  # AWS leaves tags out when there are none
            view["tags"] = dict(record["tags"])
        return view

    def _delivery_source(self, ctx: RequestContext[Any], name: str) -> tuple[tuple, dict]:
        return _existing(self.delivery_sources, (ctx.account, ctx.region, name), "Delivery Source")

    def get_delivery_source(self, ctx: Ctx[api.GetDeliverySourceRequest]) -> api.GetDeliverySourceResult:
        key, record = self._delivery_source(ctx, ctx.params["name"])
        return {"deliverySource": self._delivery_source_view(ctx, key, record)}

    def describe_delivery_sources(self, ctx: Ctx[api.DescribeDeliverySourcesRequest]) -> api.DescribeDeliverySourcesResult:
        items = [self._delivery_source_view(ctx, key, record)
                 for key, record in self.delivery_sources.items_range(*self._delivery_range(ctx), inclusive=(True, False))]
        return cast(api.DescribeDeliverySourcesResponse, _page(items, ctx, "deliverySources"))

    def delete_delivery_source(self, ctx: Ctx[api.DeleteDeliverySourceRequest]) -> api.DeleteDeliverySourceResult:
        key = (ctx.account, ctx.region, ctx.params["name"])
        if key not in self.delivery_sources:  # AWS's two full stops (recorded: test_delete_delivery_source)
            raise _not_found("Requested Delivery Source does not exist in this account..")
        if any(record["source"] == key[2] for record in self._deliveries_here(ctx)):
            raise _conflict(f"Delivery source {key[2]} is used by a delivery; delete the delivery first.")
        self.delivery_sources.delete(key)
        return {}

    # -- destinations -------------------------------------------------------------------------------
    def put_delivery_destination(self, ctx: Ctx[api.PutDeliveryDestinationRequest]) -> api.PutDeliveryDestinationResult:
        self._checked(ctx)
        params = ctx.params
        key = (ctx.account, ctx.region, params["name"])
        existing = self.delivery_destinations.get(key)
        configuration = params.get("deliveryDestinationConfiguration")
        if configuration is None:
            raise _validation("deliveryDestinationConfiguration is required.")
        resource_arn = configuration["destinationResourceArn"]
        parts = resource_arn.split(":")
        kind = DESTINATION_TYPES.get(parts[2]) if len(parts) > 5 else None
        if kind is None:
            raise _validation(f"Destination resource {resource_arn} is not a supported delivery destination.")
        output_format = params.get("outputFormat") or (existing or {}).get("outputFormat")
        if existing is not None and existing.get("outputFormat") not in (None, output_format):
            # moto's word (test_put_delivery_destination), not recorded from AWS
            raise _validation("The outputFormat of an existing delivery destination cannot be changed.")
        record = {"resourceArn": resource_arn, "type": kind, "outputFormat": output_format,
                  "tags": dict(params.get("tags") or (existing or {}).get("tags") or {}),
                  "policy": (existing or {}).get("policy")}
        self.delivery_destinations.put(key, record)
        return {"deliveryDestination": self._delivery_destination_view(ctx, key, record)}

    @staticmethod
    def _delivery_destination_arn(key: tuple) -> str:
        return f"{arn_prefix(key[1])}:logs:{key[1]}:{key[0]}:delivery-destination:{key[2]}"

    def _delivery_destination_view(self, ctx: RequestContext[Any], key: tuple, record: dict) -> api.DeliveryDestination:
        # AWS answers without tags, even to the PutDeliveryDestination that set them, and without an
        # outputFormat nobody gave (LocalStack's AWS-recorded test_put_delivery_destination*)
        view: api.DeliveryDestination = {
            "name": key[2], "arn": self._delivery_destination_arn(key), "deliveryDestinationType": record["type"],
            "deliveryDestinationConfiguration": {"destinationResourceArn": record["resourceArn"]}}
        if record["outputFormat"]:
            view["outputFormat"] = record["outputFormat"]
        return view

    def _delivery_destination(self, ctx: RequestContext[Any], name: str) -> tuple[tuple, dict]:
        return _existing(self.delivery_destinations, (ctx.account, ctx.region, name), "Delivery Destination")

    def get_delivery_destination(self, ctx: Ctx[api.GetDeliveryDestinationRequest]) -> api.GetDeliveryDestinationResult:
        key, record = self._delivery_destination(ctx, ctx.params["name"])
        return {"deliveryDestination": self._delivery_destination_view(ctx, key, record)}

    def describe_delivery_destinations(
            self, ctx: Ctx[api.DescribeDeliveryDestinationsRequest]) -> api.DescribeDeliveryDestinationsResult:
        items = [self._delivery_destination_view(ctx, key, record) for key, record
                 in self.delivery_destinations.items_range(*self._delivery_range(ctx), inclusive=(True, False))]
        return cast(api.DescribeDeliveryDestinationsResponse, _page(items, ctx, "deliveryDestinations"))

    def delete_delivery_destination(
            self, ctx: Ctx[api.DeleteDeliveryDestinationRequest]) -> api.DeleteDeliveryDestinationResult:
        key, _record = self._delivery_destination(ctx, ctx.params["name"])
        arn = self._delivery_destination_arn(key)
        if any(record["destination"] == arn for record in self._deliveries_here(ctx)):
            raise _conflict(f"Delivery destination {key[2]} is used by a delivery; delete the delivery first.")
        self.delivery_destinations.delete(key)
        return {}

    def put_delivery_destination_policy(
            self, ctx: Ctx[api.PutDeliveryDestinationPolicyRequest]) -> api.PutDeliveryDestinationPolicyResult:
        self._checked(ctx)
        key, record = self._delivery_destination(ctx, ctx.params["deliveryDestinationName"])
        policy = ctx.params["deliveryDestinationPolicy"]
        self.delivery_destinations.put(key, {**record, "policy": policy})
        return {"policy": {"deliveryDestinationPolicy": policy}}

    def get_delivery_destination_policy(
            self, ctx: Ctx[api.GetDeliveryDestinationPolicyRequest]) -> api.GetDeliveryDestinationPolicyResult:
        _key, record = self._delivery_destination(ctx, ctx.params["deliveryDestinationName"])
        policy = record.get("policy")
        return {"policy": {"deliveryDestinationPolicy": policy} if policy else {}}

    def delete_delivery_destination_policy(
            self, ctx: Ctx[api.DeleteDeliveryDestinationPolicyRequest]) -> api.DeleteDeliveryDestinationPolicyResult:
        key, record = self._delivery_destination(ctx, ctx.params["deliveryDestinationName"])
        if not record.get("policy"):
            raise _not_found(f"Delivery destination {key[2]} has no policy.")
        self.delivery_destinations.put(key, {**record, "policy": None})
        return {}

    # -- deliveries ---------------------------------------------------------------------------------
    def _deliveries_here(self, ctx: RequestContext[Any]) -> list[dict]:
        return [record for _key, record in self.deliveries.items_range(*self._delivery_range(ctx),
                                                                         inclusive=(True, False))]

    def create_delivery(self, ctx: Ctx[api.CreateDeliveryRequest]) -> api.CreateDeliveryResult:
        self._checked(ctx)
        params = ctx.params
        source_key, _source = self._delivery_source(ctx, params["deliverySourceName"])
        arn = params["deliveryDestinationArn"]
        parts = arn.split(":")
        if len(parts) != 7 or parts[5] != "delivery-destination":
            raise _validation(f"Invalid delivery destination ARN: {arn}")
        _destination_key, destination = self._delivery_destination(ctx, parts[6])
        if any(record["source"] == source_key[2] and record["destination"] == arn
               for record in self._deliveries_here(ctx)):
            raise _conflict(f"A delivery between {source_key[2]} and {arn} already exists.")
        delivery_id = ctx.ids.chars(16)
        record: dict[str, Any] = {"source": source_key[2], "destination": arn, "type": destination["type"]}
        for optional in ("recordFields", "fieldDelimiter", "s3DeliveryConfiguration", "tags"):
            if optional in params:
                record[optional] = params[optional]  # type: ignore[literal-required]  # names listed above
        key = (ctx.account, ctx.region, delivery_id)
        self.deliveries.put(key, record)
        return {"delivery": self._delivery_view(ctx, key, record)}

    @staticmethod
    def _delivery_view(ctx: RequestContext[Any], key: tuple, record: dict) -> api.Delivery:
        view: dict[str, Any] = {"id": key[2], "arn": ctx.arn(f"delivery:{key[2]}", region=key[1], account=key[0]),
                                "deliverySourceName": record["source"], "deliveryDestinationArn": record["destination"],
                                "deliveryDestinationType": record["type"]}
        for optional in ("recordFields", "fieldDelimiter", "s3DeliveryConfiguration", "tags"):
            if optional in record:
                view[optional] = record[optional]
        return cast(api.Delivery, view)

    def _delivery(self, ctx: RequestContext[Any]) -> tuple[tuple, dict]:
        return _existing(self.deliveries, (ctx.account, ctx.region, ctx.params["id"]), "Delivery")

    def get_delivery(self, ctx: Ctx[api.GetDeliveryRequest]) -> api.GetDeliveryResult:
        key, record = self._delivery(ctx)
        return {"delivery": self._delivery_view(ctx, key, record)}

    def describe_deliveries(self, ctx: Ctx[api.DescribeDeliveriesRequest]) -> api.DescribeDeliveriesResult:
        items = [self._delivery_view(ctx, key, record)
                 for key, record in self.deliveries.items_range(*self._delivery_range(ctx), inclusive=(True, False))]
        return cast(api.DescribeDeliveriesResponse, _page(items, ctx, "deliveries"))

    def update_delivery_configuration(
            self, ctx: Ctx[api.UpdateDeliveryConfigurationRequest]) -> api.UpdateDeliveryConfigurationResult:
        self._checked(ctx)
        key, record = self._delivery(ctx)
        changes = {name: ctx.params[name] for name in ("recordFields", "fieldDelimiter", "s3DeliveryConfiguration")
                   if name in ctx.params}  # type: ignore[literal-required]  # names listed above
        self.deliveries.put(key, {**record, **changes})
        return {}

    def delete_delivery(self, ctx: Ctx[api.DeleteDeliveryRequest]) -> api.DeleteDeliveryResult:
        key, _record = self._delivery(ctx)
        self.deliveries.delete(key)
        return {}
