"""CloudWatch Logs' tables (see store/schema.py): groups, streams, events, filters, queries,
vended-log deliveries and export tasks."""

from __future__ import annotations

from typing import Any, TypedDict

from ...store.schema import ServiceSchema, TableSpec


GroupsRecord = TypedDict("GroupsRecord", {
    "Class": str,
    "Created": int,
    "DataProtection": dict | None,
    "KmsKeyId": str | None,
    "Retention": int | None,
    "StoredBytes": int,
    "Tags": dict,
}, total=False)

StreamsRecord = TypedDict("StreamsRecord", {
    "Created": int,
    "First": int | None,
    "Ingested": int | None,
    "Last": int | None,
    "Seq": int,
    "StoredBytes": int,
}, total=False)


SubscriptionFiltersRecord = TypedDict("SubscriptionFiltersRecord", {
    "applyOnTransformedLogs": bool,
    "creationTime": int,
    "destinationArn": str,
    "distribution": str,
    "filterPattern": str,
    "roleArn": Any,
}, total=False)

MetricFiltersRecord = TypedDict("MetricFiltersRecord", {
    "applyOnTransformedLogs": bool,
    "creationTime": int,
    "filterPattern": str,
    "metricTransformations": list,
}, total=False)

ResourcePoliciesRecord = TypedDict("ResourcePoliciesRecord", {
    "lastUpdatedTime": int,
    "policyDocument": str,
    "policyName": str,
    "policyScope": str,
    "revisionId": str,
}, total=False)

DestinationsRecord = TypedDict("DestinationsRecord", {
    "accessPolicy": str | None,
    "creationTime": int,
    "roleArn": str,
    "tags": dict,
    "targetArn": str,
}, total=False)

QueriesRecord = TypedDict("QueriesRecord", {
    "createTime": int,
    "logGroupName": str,
    "queryString": str,
    "results": list,
    "statistics": dict,
    "status": str,
}, total=False)

DeliverySourcesRecord = TypedDict("DeliverySourcesRecord", {
    "logType": str,
    "resourceArn": str,
    "service": str,
    "tags": dict,
}, total=False)

DeliveryDestinationsRecord = TypedDict("DeliveryDestinationsRecord", {
    "outputFormat": str,
    "policy": str | None,
    "resourceArn": str,
    "tags": dict,
    "type": str,
}, total=False)

DeliveriesRecord = TypedDict("DeliveriesRecord", {
    "destination": str,
    "fieldDelimiter": str,
    "recordFields": list,
    "s3DeliveryConfiguration": dict,
    "source": str,
    "tags": dict,
    "type": str,
}, total=False)

ExportTasksRecord = TypedDict("ExportTasksRecord", {
    "completionTime": int,
    "creationTime": int,
    "destination": str,
    "destinationPrefix": str,
    "from": int,
    "logGroupName": str,
    "status": str,
    "taskName": str | None,
    "to": int,
}, total=False)

#: (account, region, group) -> the log group
GROUPS = TableSpec("logs.groups", GroupsRecord, ordered=True)
#: (account, region, group, stream) -> the log stream
STREAMS = TableSpec("logs.streams", StreamsRecord, ordered=True)
#: (account, region, group, stream, timestamp, seq) -> [message, ingestion time]
EVENTS = TableSpec("logs.events", list, ordered=True)
#: (account, region, group, name) -> the subscription filter
SUBSCRIPTION_FILTERS = TableSpec("logs.subscription_filters", SubscriptionFiltersRecord, ordered=True)
#: (account, region, group, name) -> the metric filter
METRIC_FILTERS = TableSpec("logs.metric_filters", MetricFiltersRecord, ordered=True)
#: (account, region, name) -> the resource policy
RESOURCE_POLICIES = TableSpec("logs.resource_policies", ResourcePoliciesRecord, ordered=True)
#: (account, region, name) -> the destination
DESTINATIONS = TableSpec("logs.destinations", DestinationsRecord, ordered=True)
#: (account, region, query id) -> an Insights query
QUERIES = TableSpec("logs.queries", QueriesRecord, ordered=True)

#: (account, region, name) -> a vended-log delivery source
DELIVERY_SOURCES = TableSpec("logs.delivery_sources", DeliverySourcesRecord, ordered=True)
#: (account, region, name) -> a delivery destination
DELIVERY_DESTINATIONS = TableSpec("logs.delivery_destinations", DeliveryDestinationsRecord, ordered=True)
#: (account, region, id) -> a delivery (a source paired with a destination)
DELIVERIES = TableSpec("logs.deliveries", DeliveriesRecord, ordered=True)
#: (account, region, task id) -> an export task to S3
EXPORT_TASKS = TableSpec("logs.export_tasks", ExportTasksRecord, ordered=True)

SCHEMA = ServiceSchema(tables=(
    GROUPS, STREAMS, EVENTS, SUBSCRIPTION_FILTERS, METRIC_FILTERS, RESOURCE_POLICIES, DESTINATIONS,
    QUERIES, DELIVERY_SOURCES, DELIVERY_DESTINATIONS, DELIVERIES, EXPORT_TASKS,
))

