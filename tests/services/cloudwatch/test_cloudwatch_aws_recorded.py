"""CloudWatch answers pinned to AWS's recordings.

Facts: LocalStack's AWS-recorded test_cloudwatch.py snapshots — test_put_metric_data_validation (Value
with Values or with StatisticValues: InvalidParameterCombination naming the pair; Values and Counts of
different sizes: InvalidParameterValue; Values with StatisticValues accepted), test_invalid_amount_of_datapoints
(GetMetricStatistics over 1,440 data points: InvalidParameterCombination with AWS's words; StartTime equal
to EndTime: InvalidParameterValue), test_set_alarm_invalid_input (a StateValue outside the enum:
ValidationError "1 validation error detected"; an unknown alarm: ResourceNotFound, 404, no words),
test_tagging_metric_alarm (ListTagsForResource of a deleted alarm: no tags, no error) and
test_list_metrics_uniqueness (one metric however many data points).
"""

from __future__ import annotations

import datetime

import boto3
import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.kumo(clock="virtual", strict=True)


@pytest.fixture
def cw(kumo):
    return boto3.client("cloudwatch")


def _error(err: pytest.ExceptionInfo) -> tuple[str, str, int]:
    response = err.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize("datum, code, words", [
    ({"Value": 1.5, "Values": [1.0, 10.0]}, "InvalidParameterCombination",
     "The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive and you "
     "have specified both."),
    ({"Values": [1.0, 10.0], "Counts": [2, 4, 5]}, "InvalidParameterValue",
     "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size."),
    ({"Value": 1.5, "StatisticValues": {"SampleCount": 10, "Sum": 55, "Minimum": 1, "Maximum": 10}},
     "InvalidParameterCombination",
     "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually exclusive "
     "and you have specified both."),
])
def test_put_metric_data_value_combinations(cw, datum, code, words):
    with pytest.raises(ClientError) as err:
        cw.put_metric_data(Namespace="ns", MetricData=[{"MetricName": "m", "Unit": "Count", **datum}])
    assert _error(err) == (code, words, 400)


def test_values_with_statistic_values_are_accepted(cw):
    cw.put_metric_data(Namespace="ns", MetricData=[{
        "MetricName": "m", "Values": [1.0, 10.0], "Unit": "Count",
        "StatisticValues": {"SampleCount": 10, "Sum": 55, "Minimum": 1, "Maximum": 10}}])
    assert [m["MetricName"] for m in cw.list_metrics(Namespace="ns")["Metrics"]] == ["m"]


def test_get_metric_statistics_datapoint_limit(cw, kumo):
    now = kumo.clock.now()
    with pytest.raises(ClientError) as err:
        cw.get_metric_statistics(Namespace="namespace", MetricName="metric_name", StartTime=now,
                                 EndTime=now + datetime.timedelta(days=1), Period=1, Statistics=["SampleCount"])
    assert _error(err) == ("InvalidParameterCombination", "You have requested up to 86400 datapoints, which exceeds "
                           "the limit of 1440. You may reduce the datapoints requested by increasing Period, or "
                           "decreasing the time range.", 400)
    with pytest.raises(ClientError) as err:
        cw.get_metric_statistics(Namespace="namespace", MetricName="metric_name", StartTime=now, EndTime=now,
                                 Period=1, Statistics=["SampleCount"])
    assert _error(err) == ("InvalidParameterValue", "The parameter StartTime must be less than the parameter EndTime.",
                           400)
    out = cw.get_metric_statistics(Namespace="namespace", MetricName="metric_name", StartTime=now,
                                   EndTime=now + datetime.timedelta(days=1), Period=60, Statistics=["SampleCount"])
    assert (out["Label"], out["Datapoints"]) == ("metric_name", [])


def test_set_alarm_state_errors(cw):
    with pytest.raises(ClientError) as err:
        cw.set_alarm_state(AlarmName="a", StateValue="INVALID", StateReason="test")
    code, message, status = _error(err)
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith("1 validation error detected: Value 'INVALID' at 'stateValue' failed to satisfy "
                              "constraint: Member must satisfy enum value set: [")
    with pytest.raises(ClientError) as err:
        cw.set_alarm_state(AlarmName="a-nonexistent", StateValue="OK", StateReason="test")
    assert _error(err) == ("ResourceNotFound", "", 404)


def test_a_deleted_alarm_lists_no_tags(cw):
    cw.put_metric_alarm(AlarmName="a", Namespace="ns", MetricName="m", EvaluationPeriods=1, Period=60,
                        Statistic="Sum", Threshold=30, ComparisonOperator="GreaterThanThreshold",
                        Tags=[{"Key": "Environment", "Value": "Production"}])
    arn = cw.describe_alarms(AlarmNames=["a"])["MetricAlarms"][0]["AlarmArn"]
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "Environment", "Value": "Production"}]
    cw.delete_alarms(AlarmNames=["a"])
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == []


def test_list_metrics_lists_each_metric_once(cw):
    for value in (15, 30, 15):
        cw.put_metric_data(Namespace="ns", MetricData=[{
            "MetricName": "MemoryUtilization", "Value": value,
            "Dimensions": [{"Name": "InstanceId", "Value": "i-46cdcd06a11207ab3"}]}])
    assert len(cw.list_metrics(Namespace="ns")["Metrics"]) == 1
    with pytest.raises(ClientError) as err:  # a token ListMetrics never handed out
        cw.list_metrics(NextToken="not-a-token")
    assert _error(err)[0] == "InvalidParameterValue"


def test_default_labels_name_the_stat_when_a_metric_is_asked_twice(cw, kumo):
    """test_get_metric_data_with_zero_and_labels ("metric1 Average" beside "metric1 Sum"),
    test_get_metric_data_for_multiple_metrics and test_get_metric_data_with_dimensions ("metric1" alone)."""
    now = kumo.clock.now()
    cw.put_metric_data(Namespace="ns", MetricData=[
        {"MetricName": "metric1", "Value": value, "Unit": "Seconds"} for value in (0, 2, 4, 3.5, 7, 100)] + [
        {"MetricName": "metric2", "Value": 1}])

    def labels(*queries):
        out = cw.get_metric_data(MetricDataQueries=[
            {"Id": query_id, "MetricStat": {"Metric": {"Namespace": "ns", "MetricName": name}, "Period": 60,
                                            "Stat": stat}} for query_id, name, stat in queries],
            StartTime=now - datetime.timedelta(seconds=60), EndTime=now + datetime.timedelta(seconds=60))
        return {r["Id"]: (r["Label"], r["Values"]) for r in out["MetricDataResults"]}
    assert labels(("avg", "metric1", "Average"), ("sum", "metric1", "Sum"), ("other", "metric2", "Sum")) == {
        "avg": ("metric1 Average", [116.5 / 6]), "sum": ("metric1 Sum", [116.5]), "other": ("metric2", [1.0])}
    assert labels(("one", "metric1", "Minimum")) == {"one": ("metric1", [0.0])}
