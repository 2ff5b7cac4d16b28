"""CloudWatch dashboards, composite alarms and alarm history through boto3.

Facts: LocalStack's AWS-recorded test_cloudwatch.py snapshots: test_dashboard_lifecycle (the dashboard
ARN arn:aws:cloudwatch::<account>:dashboard/<name>, Size, prefix filtering, an empty list after delete),
test_invalid_dashboard_name (InvalidParameterValue, the message ending in a newline), and
test_trigger_composite_alarm (a rule ALARM("<arn>") OR ALARM("<arn>") follows its children, StateReasonData
{"triggeringAlarms": [{"arn", "state": {"value", "timestamp"}}]}, AlarmActions and OKActions notified);
the API reference for DescribeAlarmHistory (HistoryItemType ConfigurationUpdate | StateUpdate | Action,
ScanBy, MaxRecords) and the user guide ("Creating a composite alarm": the rule syntax).
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.kumo(clock="virtual", strict=True)

BODY = json.dumps({"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 6, "height": 6,
                                "properties": {"metrics": [["AWS/EC2", "CPUUtilization"]], "region": "us-east-1"}}]})


@pytest.fixture
def cw(kumo):
    return boto3.client("cloudwatch")


def test_dashboard_lifecycle(cw):
    cw.put_dashboard(DashboardName="test-board", DashboardBody=BODY)
    got = cw.get_dashboard(DashboardName="test-board")
    assert got["DashboardArn"] == "arn:aws:cloudwatch::123456789012:dashboard/test-board"
    assert json.loads(got["DashboardBody"]) == json.loads(BODY)
    [entry] = cw.list_dashboards()["DashboardEntries"]
    assert entry["DashboardName"] == "test-board" and entry["Size"] == len(BODY)
    assert cw.list_dashboards(DashboardNamePrefix="no-valid")["DashboardEntries"] == []
    assert len(cw.list_dashboards(DashboardNamePrefix="test")["DashboardEntries"]) == 1
    cw.delete_dashboards(DashboardNames=["test-board"])
    assert cw.list_dashboards()["DashboardEntries"] == []
    with pytest.raises(ClientError) as exc:
        cw.get_dashboard(DashboardName="test-board")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_dashboard_refusals(cw):
    with pytest.raises(ClientError) as exc:
        cw.put_dashboard(DashboardName="test:invalid", DashboardBody=BODY)
    assert exc.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert exc.value.response["Error"]["Message"] == (
        "The value for field DashboardName contains invalid characters. It can only contain alphanumerics, "
        "dash (-) and underscore (_).\n")
    with pytest.raises(cw.exceptions.DashboardInvalidInputError):
        cw.put_dashboard(DashboardName="board", DashboardBody="[1, 2]")
    cw.put_dashboard(DashboardName="kept", DashboardBody=BODY)
    with pytest.raises(ClientError):  # one missing name: nothing is deleted
        cw.delete_dashboards(DashboardNames=["kept", "missing"])
    assert [e["DashboardName"] for e in cw.list_dashboards()["DashboardEntries"]] == ["kept"]


def _metric_alarm(cw, name: str) -> str:
    cw.put_metric_alarm(AlarmName=name, MetricName="CPUUtilization", Namespace="AWS/EC2", EvaluationPeriods=1,
                        Period=10, Statistic="Sum", ComparisonOperator="GreaterThanThreshold", Threshold=30)
    return cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["AlarmArn"]


def _queue_for(topic_name: str) -> tuple[str, str]:
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name=topic_name)["TopicArn"]
    url = sqs.create_queue(QueueName=f"{topic_name}-q")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    return topic, url


def _messages(url: str) -> list[dict]:
    sqs = boto3.client("sqs")
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    for message in got:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [json.loads(m["Body"]) for m in got]


def _composite(cw, name: str) -> dict:
    return cw.describe_alarms(AlarmNames=[name], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"][0]


def test_composite_alarm_follows_its_children(cw):
    first, second = _metric_alarm(cw, "simple-1"), _metric_alarm(cw, "simple-2")
    alarm_topic, alarm_queue = _queue_for("alarm-topic")
    ok_topic, ok_queue = _queue_for("ok-topic")
    cw.put_composite_alarm(AlarmName="composite", AlarmDescription="composite alarm description",
                           AlarmRule=f'ALARM("{first}") OR ALARM("{second}")',
                           AlarmActions=[alarm_topic], OKActions=[ok_topic])
    assert _composite(cw, "composite")["StateValue"] == "OK"  # evaluated at once: no child in ALARM
    _messages(ok_queue)
    cw.set_alarm_state(AlarmName="simple-1", StateValue="ALARM", StateReason="test")
    alarm = _composite(cw, "composite")
    assert alarm["StateValue"] == "ALARM" and alarm["AlarmRule"] == f'ALARM("{first}") OR ALARM("{second}")'
    triggering = json.loads(alarm["StateReasonData"])["triggeringAlarms"]
    assert [(t["arn"], t["state"]["value"]) for t in triggering] == [(first, "ALARM")]
    [notified] = _messages(alarm_queue)
    assert notified["NewStateValue"] == "ALARM" and notified["AlarmName"] == "composite"
    cw.set_alarm_state(AlarmName="simple-2", StateValue="ALARM", StateReason="test")
    assert _messages(alarm_queue) == []  # already in ALARM: unchanged
    cw.set_alarm_state(AlarmName="simple-1", StateValue="OK", StateReason="test")
    assert _composite(cw, "composite")["StateValue"] == "ALARM"  # simple-2 still in ALARM
    cw.set_alarm_state(AlarmName="simple-2", StateValue="OK", StateReason="test")
    assert _composite(cw, "composite")["StateValue"] == "OK"
    assert [m["NewStateValue"] for m in _messages(ok_queue)] == ["OK"]
    # describe_alarms without AlarmTypes lists metric alarms only
    listed = cw.describe_alarms()
    assert listed["CompositeAlarms"] == [] and len(listed["MetricAlarms"]) == 2


def test_composite_rule_syntax(cw):
    _metric_alarm(cw, "a1")
    _metric_alarm(cw, "a2")
    cw.put_composite_alarm(AlarmName="c", AlarmRule="NOT (ALARM(a1) AND OK(a2)) AND TRUE")
    cw.set_alarm_state(AlarmName="a2", StateValue="OK", StateReason="r")
    cw.set_alarm_state(AlarmName="a1", StateValue="ALARM", StateReason="r")
    assert _composite(cw, "c")["StateValue"] == "OK"
    with pytest.raises(ClientError):
        cw.put_composite_alarm(AlarmName="bad", AlarmRule="ALARM(a1) AND")
    cw.put_composite_alarm(AlarmName="outer", AlarmRule="ALARM(c) OR ALARM(a1)")
    with pytest.raises(ClientError):  # c would depend on itself through outer
        cw.put_composite_alarm(AlarmName="c", AlarmRule="ALARM(outer)")


def test_alarm_history(kumo, cw):
    topic, _ = _queue_for("history-topic")
    cw.put_metric_alarm(AlarmName="h", MetricName="m", Namespace="App", EvaluationPeriods=1, Period=60,
                        Statistic="Sum", ComparisonOperator="GreaterThanThreshold", Threshold=1,
                        AlarmActions=[topic])
    kumo.clock.advance(1)
    cw.set_alarm_state(AlarmName="h", StateValue="ALARM", StateReason="because")
    items = cw.describe_alarm_history(AlarmName="h")["AlarmHistoryItems"]
    assert [i["HistoryItemType"] for i in items] == ["Action", "StateUpdate", "ConfigurationUpdate"]
    assert items[1]["HistorySummary"] == "Alarm updated from INSUFFICIENT_DATA to ALARM"
    assert items[2]["HistorySummary"] == 'Alarm "h" created'
    assert json.loads(items[1]["HistoryData"])["newState"]["stateValue"] == "ALARM"
    ascending = cw.describe_alarm_history(AlarmName="h", ScanBy="TimestampAscending", MaxRecords=1)
    assert ascending["AlarmHistoryItems"][0]["HistoryItemType"] == "ConfigurationUpdate"
    assert cw.describe_alarm_history(AlarmName="h", HistoryItemType="StateUpdate",
                                     NextToken=ascending["NextToken"])["AlarmHistoryItems"] == []
    kumo.clock.advance(31 * 86400)  # kept 30 days
    assert cw.describe_alarm_history(AlarmName="h")["AlarmHistoryItems"] == []


def test_dashboards_show_in_the_inspection_view(kumo, cw):
    cw.put_dashboard(DashboardName="ops", DashboardBody=json.dumps({"widgets": []}))
    assert kumo.state.cloudwatch.summary()["dashboards"] == [
        {"name": "ops", "account": "123456789012", "bytes": len(json.dumps({"widgets": []}))}]


def test_put_metric_alarm_checks_extended_statistics(cw):
    """PutMetricAlarm in the API reference: ExtendedStatistic is a percentile such as p99 (or another
    extended statistic of the user guide, tm90, TM(10%:90%)), EvaluateLowSampleCountPercentile is
    evaluate or ignore."""
    common = {"MetricName": "Latency", "Namespace": "App", "EvaluationPeriods": 1, "Period": 60, "Threshold": 1.0,
              "ComparisonOperator": "GreaterThanThreshold"}
    for statistic in ("p99", "p99.9", "tm90", "TM(10%:90%)"):
        cw.put_metric_alarm(AlarmName=f"ok-{statistic}", ExtendedStatistic=statistic, **common)
    with pytest.raises(ClientError) as err:
        cw.put_metric_alarm(AlarmName="bad", ExtendedStatistic="90", **common)
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as err:
        cw.put_metric_alarm(AlarmName="bad", ExtendedStatistic="p90", EvaluateLowSampleCountPercentile="maybe",
                            **common)
    assert err.value.response["Error"]["Code"] == "ValidationError"
