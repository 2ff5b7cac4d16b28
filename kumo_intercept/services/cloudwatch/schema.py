"""CloudWatch's tables (see store/schema.py): metric data points, metrics, alarms, dashboards,
alarm history, Contributor Insights rules, anomaly detectors."""

from __future__ import annotations

from typing import TypedDict

from ...store.schema import ServiceSchema, TableSpec


DataRecord = TypedDict("DataRecord", {
    "Counts": list,
    "Stats": dict,
    "Unit": str,
    "Values": list,
}, total=False)

MetricsRecord = TypedDict("MetricsRecord", {
    "Dimensions": list,
    "Last": float,
}, total=False)

AlarmsRecord = TypedDict("AlarmsRecord", {
    "ActionsEnabled": bool,
    "AlarmActions": list,
    "AlarmArn": str,
    "AlarmConfigurationUpdatedTimestamp": float,
    "AlarmName": str,
    "ComparisonOperator": str,
    "Dimensions": list,
    "EvaluationPeriods": int,
    "InsufficientDataActions": list,
    "MetricName": str,
    "Namespace": str,
    "OKActions": list,
    "Period": int,
    "StateReason": str,
    "StateTransitionedTimestamp": float,
    "StateUpdatedTimestamp": float,
    "StateValue": str,
    "Statistic": str,
    "Tags": dict,
    "Threshold": int,
    "AlarmRule": str,         # composite alarms only
    "Composite": bool,
    "StateReasonData": str,
}, total=False)

DashboardsRecord = TypedDict("DashboardsRecord", {
    "Body": str,
    "LastModified": float,
    "Tags": dict,
}, total=False)

HistoryRecord = TypedDict("HistoryRecord", {
    "AlarmName": str,
    "AlarmType": str,
    "HistoryItemType": str,
    "HistorySummary": str,
    "HistoryData": str,
}, total=False)

InsightRulesRecord = TypedDict("InsightRulesRecord", {
    "ApplyOnTransformedLogs": bool,
    "Definition": str,
    "Schema": str,
    "State": str,
    "Tags": dict,
}, total=False)

AnomalyDetectorsRecord = TypedDict("AnomalyDetectorsRecord", {
    "ExcludedTimeRanges": list,
    "MetricCharacteristics": dict,
    "MetricTimezone": str,
}, total=False)

#: (account, region, namespace, name, dimensions, timestamp, unit, n) -> a data point
DATA = TableSpec("cloudwatch.data", DataRecord, ordered=True)
#: (account, region, namespace, name, dimensions) -> the metric's dimensions and last put
METRICS = TableSpec("cloudwatch.metrics", MetricsRecord)
#: (account, region, name) -> the alarm
ALARMS = TableSpec("cloudwatch.alarms", AlarmsRecord)

#: (account, name) -> a dashboard (dashboards are global: their ARNs name no region)
DASHBOARDS = TableSpec("cloudwatch.dashboards", DashboardsRecord)
#: (account, region, timestamp, sequence) -> an alarm history item
HISTORY = TableSpec("cloudwatch.history", HistoryRecord, ordered=True)

#: (account, region, name) -> a Contributor Insights rule
INSIGHT_RULES = TableSpec("cloudwatch.insight_rules", InsightRulesRecord, ordered=True)
#: (account, region, the detector's metric or math queries as canonical JSON) -> an anomaly detector
ANOMALY_DETECTORS = TableSpec("cloudwatch.anomaly_detectors", AnomalyDetectorsRecord, ordered=True)

SCHEMA = ServiceSchema(tables=(DATA, METRICS, ALARMS, DASHBOARDS, HISTORY, INSIGHT_RULES, ANOMALY_DETECTORS))

