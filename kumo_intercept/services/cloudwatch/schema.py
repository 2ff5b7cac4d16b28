"""CloudWatch's tables (see store/schema.py): metric data points, metrics, alarms."""

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
}, total=False)

#: (account, region, namespace, name, dimensions, timestamp, unit, n) -> a data point
DATA = TableSpec("cloudwatch.data", DataRecord, ordered=True)
#: (account, region, namespace, name, dimensions) -> the metric's dimensions and last put
METRICS = TableSpec("cloudwatch.metrics", MetricsRecord)
#: (account, region, name) -> the alarm
ALARMS = TableSpec("cloudwatch.alarms", AlarmsRecord)

SCHEMA = ServiceSchema(tables=(DATA, METRICS, ALARMS))

