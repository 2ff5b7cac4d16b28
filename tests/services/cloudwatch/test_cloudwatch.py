"""CloudWatch metrics basics through boto3: PutMetricData, statistics, GetMetricData, ListMetrics, alarms."""

from __future__ import annotations

import datetime
import json

import boto3
import pytest
from botocore.exceptions import ClientError

START = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
pytestmark = pytest.mark.kumo(clock="virtual", start_time="2025-01-01T01:00:00Z")


@pytest.fixture
def cw(kumo):
    return boto3.client("cloudwatch")


def _at(minutes: float) -> datetime.datetime:
    return START + datetime.timedelta(minutes=minutes)


def _put(cw, value, minutes, name="Latency", dims=(("Service", "api"),), **extra):
    datum = {"MetricName": name, "Value": value, "Timestamp": _at(minutes), "Unit": "Milliseconds",
             "Dimensions": [{"Name": k, "Value": v} for k, v in dims], **extra}
    cw.put_metric_data(Namespace="App", MetricData=[datum])


def test_statistics_per_period(cw):
    for minutes, value in ((0, 10), (1, 30), (2, 20), (6, 100)):
        _put(cw, value, minutes)
    result = cw.get_metric_statistics(
        Namespace="App", MetricName="Latency", Dimensions=[{"Name": "Service", "Value": "api"}],
        StartTime=_at(0), EndTime=_at(10), Period=300,
        Statistics=["SampleCount", "Average", "Sum", "Minimum", "Maximum"], ExtendedStatistics=["p50"])
    assert result["Label"] == "Latency"
    first, second = result["Datapoints"]
    assert first["Timestamp"] == _at(0) and second["Timestamp"] == _at(5)
    assert (first["SampleCount"], first["Sum"], first["Average"], first["Minimum"], first["Maximum"]) == (
        3.0, 60.0, 20.0, 10.0, 30.0)
    assert first["ExtendedStatistics"] == {"p50": 20.0}
    assert first["Unit"] == "Milliseconds"
    assert second["Sum"] == 100.0
    other = cw.get_metric_statistics(Namespace="App", MetricName="Latency", StartTime=_at(0), EndTime=_at(10),
                                     Period=300, Statistics=["Sum"])
    assert other["Datapoints"] == []  # dimensions must match exactly


def test_statistic_sets_and_values_with_counts(cw):
    cw.put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "Size", "Timestamp": _at(1), "StatisticValues": {
            "SampleCount": 4, "Sum": 40, "Minimum": 5, "Maximum": 15}},
        {"MetricName": "Size", "Timestamp": _at(2), "Values": [1, 2], "Counts": [2, 1]}])
    [point] = cw.get_metric_statistics(Namespace="App", MetricName="Size", StartTime=_at(0), EndTime=_at(5),
                                       Period=300, Statistics=["SampleCount", "Sum", "Minimum"])["Datapoints"]
    assert (point["SampleCount"], point["Sum"], point["Minimum"]) == (7.0, 44.0, 1.0)


def test_get_metric_data(cw):
    for minutes in range(3):
        _put(cw, minutes + 1, minutes)
    result = cw.get_metric_data(StartTime=_at(0), EndTime=_at(3), MetricDataQueries=[
        {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "App", "MetricName": "Latency",
                                               "Dimensions": [{"Name": "Service", "Value": "api"}]},
                                    "Period": 60, "Stat": "Sum"}}])
    [series] = result["MetricDataResults"]
    assert series["Id"] == "m1" and series["StatusCode"] == "Complete"
    assert series["Values"] == [3.0, 2.0, 1.0]  # newest first by default
    assert series["Timestamps"] == [_at(2), _at(1), _at(0)]


def test_list_metrics(cw):
    _put(cw, 1, 0)
    _put(cw, 1, 0, dims=(("Service", "web"),))
    _put(cw, 1, 0, name="Errors")
    metrics = cw.list_metrics(Namespace="App")["Metrics"]
    assert len(metrics) == 3
    web = cw.list_metrics(Dimensions=[{"Name": "Service", "Value": "web"}])["Metrics"]
    assert web == [{"Namespace": "App", "MetricName": "Latency", "Dimensions": [{"Name": "Service", "Value": "web"}]}]
    assert len(cw.list_metrics(MetricName="Errors")["Metrics"]) == 1


def test_put_metric_data_errors(cw):
    with pytest.raises(ClientError) as err:
        cw.put_metric_data(Namespace="AWS/Lambda", MetricData=[{"MetricName": "x", "Value": 1}])
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as err:
        cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "x", "Value": 1,
                                                         "Timestamp": START - datetime.timedelta(days=30)}])
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_alarms_are_stored_and_notify_sns(kumo, cw):
    pytest.importorskip("kumo_intercept.services.sns.backend")
    sqs, sns = boto3.client("sqs"), boto3.client("sns")
    url = sqs.create_queue(QueueName="alarms")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name="pager")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    cw.put_metric_alarm(AlarmName="high-latency", MetricName="Latency", Namespace="App", Statistic="Average",
                        Period=60, EvaluationPeriods=1, Threshold=100, ComparisonOperator="GreaterThanThreshold",
                        AlarmActions=[topic], Dimensions=[{"Name": "Service", "Value": "api"}],
                        Tags=[{"Key": "team", "Value": "core"}])
    [alarm] = cw.describe_alarms(AlarmNames=["high-latency"])["MetricAlarms"]
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert alarm["AlarmArn"] == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:high-latency"
    assert cw.describe_alarms_for_metric(MetricName="Latency", Namespace="App")["MetricAlarms"][0]["AlarmName"] == \
        "high-latency"
    assert cw.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"] == [{"Key": "team", "Value": "core"}]
    cw.set_alarm_state(AlarmName="high-latency", StateValue="ALARM", StateReason="testing")
    assert cw.describe_alarms(StateValue="ALARM")["MetricAlarms"][0]["StateReason"] == "testing"
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    notification = json.loads(json.loads(message["Body"])["Message"])
    assert (notification["NewStateValue"], notification["OldStateValue"]) == ("ALARM", "INSUFFICIENT_DATA")
    cw.delete_alarms(AlarmNames=["high-latency"])
    assert cw.describe_alarms()["MetricAlarms"] == []
    with pytest.raises(cw.exceptions.ResourceNotFound):
        cw.delete_alarms(AlarmNames=["high-latency"])


@pytest.mark.kumo(strict=True, clock="virtual", start_time="2025-01-01T01:00:00Z")
def test_strict_mode(cw):
    _put(cw, 1, 0)
    cw.get_metric_statistics(Namespace="App", MetricName="Latency", StartTime=_at(0), EndTime=_at(5), Period=60,
                             Statistics=["Sum"])
    cw.list_metrics()
    cw.put_metric_alarm(AlarmName="a", MetricName="Latency", Namespace="App", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    cw.describe_alarms()
