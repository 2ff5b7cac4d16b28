"""CloudWatch Logs' tables (see store/schema.py): groups, streams, events, filters, queries."""

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

SCHEMA = ServiceSchema(tables=(
    GROUPS, STREAMS, EVENTS, SUBSCRIPTION_FILTERS, METRIC_FILTERS, RESOURCE_POLICIES, DESTINATIONS,
    QUERIES,
))

