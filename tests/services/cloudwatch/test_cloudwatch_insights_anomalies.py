"""CloudWatch Contributor Insights rules and anomaly detectors through boto3.

Facts: LocalStack's AWS-recorded test_cloudwatch.py snapshots: test_insight_rule (the described rule:
Definition as given, Schema "CloudWatchLogRule/1", ManagedRule and ApplyOnTransformedLogs false, an
empty Failures list from Delete/Enable/DisableInsightRules) and test_anomaly_detector_lifecycle (legacy
members echoed beside SingleMetricAnomalyDetector with the AccountId, Configuration with empty
ExcludedTimeRanges, StateValue PENDING_TRAINING); the API reference for the insight-rule ARN
(TagResource), PartialFailure, InvalidParameterCombination and ResourceNotFoundException.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.kumo(clock="virtual", strict=True)

RULE = json.dumps({"Schema": {"Name": "CloudWatchLogRule", "Version": 1}, "LogGroupNames": ["api-*"],
                   "LogFormat": "JSON", "Contribution": {"Keys": ["$.ip"]}, "AggregateOn": "Count"})
DIMENSIONS = [{"Name": "Host", "Value": "web-1"}]


@pytest.fixture
def cw(kumo):
    return boto3.client("cloudwatch")


def test_insight_rule_lifecycle(cw):
    cw.put_insight_rule(RuleName="top-ips", RuleDefinition=RULE, Tags=[{"Key": "team", "Value": "web"}])
    cw.put_insight_rule(RuleName="quiet", RuleDefinition=RULE, RuleState="DISABLED")
    rules = {r["Name"]: r for r in cw.describe_insight_rules()["InsightRules"]}
    assert rules["top-ips"] == {"Name": "top-ips", "State": "ENABLED", "Schema": "CloudWatchLogRule/1",
                                "Definition": RULE, "ManagedRule": False, "ApplyOnTransformedLogs": False}
    assert rules["quiet"]["State"] == "DISABLED"
    assert cw.disable_insight_rules(RuleNames=["top-ips"])["Failures"] == []
    assert cw.enable_insight_rules(RuleNames=["quiet"])["Failures"] == []
    assert {r["Name"]: r["State"] for r in cw.describe_insight_rules()["InsightRules"]} == {
        "top-ips": "DISABLED", "quiet": "ENABLED"}
    arn = "arn:aws:cloudwatch:us-east-1:123456789012:insight-rule/top-ips"
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "web"}]
    failures = cw.delete_insight_rules(RuleNames=["top-ips", "missing"])["Failures"]
    assert [f["FailureResource"] for f in failures] == ["missing"]
    assert [r["Name"] for r in cw.describe_insight_rules()["InsightRules"]] == ["quiet"]
    with pytest.raises(ClientError) as err:
        cw.put_insight_rule(RuleName="bad", RuleDefinition="not json")
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_anomaly_detector_lifecycle(cw):
    cw.put_anomaly_detector(Namespace="App", MetricName="Latency", Stat="Sum", Dimensions=DIMENSIONS,
                            Configuration={})
    cw.put_anomaly_detector(SingleMetricAnomalyDetector={"Namespace": "App", "MetricName": "Errors",
                                                         "Stat": "Average"})
    detectors = cw.describe_anomaly_detectors(MetricName="Latency")["AnomalyDetectors"]
    assert detectors == [{
        "Namespace": "App", "MetricName": "Latency", "Stat": "Sum", "Dimensions": DIMENSIONS,
        "Configuration": {"ExcludedTimeRanges": []}, "StateValue": "PENDING_TRAINING",
        "SingleMetricAnomalyDetector": {"AccountId": "123456789012", "Namespace": "App", "MetricName": "Latency",
                                        "Stat": "Sum", "Dimensions": DIMENSIONS}}]
    assert len(cw.describe_anomaly_detectors(AnomalyDetectorTypes=["SINGLE_METRIC"])["AnomalyDetectors"]) == 2
    assert cw.describe_anomaly_detectors(AnomalyDetectorTypes=["METRIC_MATH"])["AnomalyDetectors"] == []
    with pytest.raises(ClientError) as err:
        cw.put_anomaly_detector(Namespace="App", MetricName="Latency", Stat="Sum", SingleMetricAnomalyDetector={
            "Namespace": "App", "MetricName": "Latency", "Stat": "Sum"})
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"
    cw.delete_anomaly_detector(Namespace="App", MetricName="Latency", Stat="Sum", Dimensions=DIMENSIONS)
    with pytest.raises(ClientError) as err:
        cw.delete_anomaly_detector(Namespace="App", MetricName="Latency", Stat="Sum", Dimensions=DIMENSIONS)
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert [d["MetricName"] for d in cw.describe_anomaly_detectors()["AnomalyDetectors"]] == ["Errors"]


def test_insight_rules_show_in_the_inspection_view(kumo, cw):
    cw.put_insight_rule(RuleName="quiet", RuleDefinition=RULE, RuleState="DISABLED")
    assert kumo.state.cloudwatch.summary()["insight_rules"] == [
        {"name": "quiet", "account": "123456789012", "region": "us-east-1", "state": "DISABLED"}]


def test_anomaly_detectors_show_in_the_inspection_view(kumo, cw):
    cw.put_anomaly_detector(Namespace="App", MetricName="Latency", Stat="Sum", Dimensions=DIMENSIONS)
    cw.put_anomaly_detector(MetricMathAnomalyDetector={"MetricDataQueries": [
        {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "App", "MetricName": "Errors"}, "Period": 60,
                                    "Stat": "Sum"}}]})
    rows = kumo.state.cloudwatch.summary()["anomaly_detectors"]
    where = {"account": "123456789012", "region": "us-east-1", "state": "PENDING_TRAINING"}
    assert sorted(rows, key=lambda row: row["type"]) == [
        {"type": "METRIC_MATH", **where, "queries": ["m1"]},
        {"type": "SINGLE_METRIC", **where, "namespace": "App", "metric": "Latency", "stat": "Sum",
         "dimensions": DIMENSIONS}]
