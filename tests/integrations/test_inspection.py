"""Inspection without boto3 calls: ``aws.state`` and the assertion helpers of ``aws.calls``, plus the
plain-text and HTML views of the emulator."""

from __future__ import annotations

import json
from decimal import Decimal
from unittest.mock import ANY

import boto3
import pytest

from kumo_intercept import kumo
from kumo_intercept.inspection import contains, human_size, to_json
from role_helpers import create_role

ROLE = "arn:aws:iam::111122223333:role/deployer"


@pytest.fixture
def aws():
    with kumo(clock="virtual") as emulator:
        yield emulator


@pytest.fixture
def sts(aws):
    return boto3.client("sts")


@pytest.fixture
def role(aws):
    """The role the AssumeRole calls name (on AWS it must exist and trust the caller)."""
    return create_role(ROLE)


def test_state_lists_services_that_hold_records(aws, sts):
    assert aws.state.services() == []
    assert repr(aws.state) == "no resources yet"
    sts.get_session_token()
    sts.get_federation_token(Name="deploy")
    assert aws.state.services() == ["sts"]
    assert aws.state.tables() == {"sts.credentials": 2}
    assert aws.state.sts.records() == {"sts.credentials": 2}
    assert repr(aws.state) == "sts: records: sts.credentials 2"


def test_state_refuses_services_that_are_not_emulated(aws):
    with pytest.raises(AttributeError, match="not an emulated service"):
        aws.state.appmesh
    with pytest.raises(KeyError, match="not an emulated service"):
        aws.state["appmesh"]


def test_a_service_without_resources_gives_empty_lists(aws):
    queues = aws.state.sqs.queues
    assert queues == [] and queues.names() == []
    with pytest.raises(KeyError, match="no queues named 'orders'; it has: none"):
        queues("orders")
    with pytest.raises(AttributeError, match=r"sqs reports \['queues', 'messages'\], not 'queus'"):
        aws.state.sqs.queus  # a typo fails even before anything exists
    assert aws.state.services() == [], "looking does not create state"


def test_calls_find_matches_params_by_subset(aws, sts, role):
    sts.assume_role(RoleArn=ROLE, RoleSessionName="deploy", DurationSeconds=900)
    sts.assume_role(RoleArn=ROLE, RoleSessionName="audit")
    sts.get_caller_identity()
    assert len(aws.calls.find("sts.AssumeRole")) == 2
    assert len(aws.calls.find("sts.assume_role", RoleSessionName="audit")) == 1
    assert len(aws.calls.find("sts", ok=True)) == 3
    assert aws.calls.find("sts.AssumeRole", DurationSeconds=lambda seconds: seconds < 1000)[0].params[
        "RoleSessionName"] == "deploy"
    assert aws.calls.find("sts.AssumeRole", RoleArn=ANY, RoleSessionName="nobody") == []


def test_assert_called_counts_and_explains_what_happened(aws, sts, role):
    sts.assume_role(RoleArn=ROLE, RoleSessionName="deploy")
    sts.assume_role(RoleArn=ROLE, RoleSessionName="deploy")
    assert len(aws.calls.assert_called("sts.AssumeRole", times=2, RoleSessionName="deploy")) == 2
    with pytest.raises(AssertionError) as caught:
        aws.calls.assert_called("sts.AssumeRole", RoleSessionName="audit")
    message = str(caught.value)
    assert "expected sts.AssumeRole with params containing {'RoleSessionName': 'audit'} at least once, found 0" in message
    assert "calls to sts.AssumeRole (2, last 2 shown)" in message and '"RoleSessionName": "deploy"' in message
    with pytest.raises(AssertionError, match="1 time"):
        aws.calls.assert_called("sts.AssumeRole", times=1)


def test_assert_not_called(aws, sts):
    sts.get_caller_identity()
    aws.calls.assert_not_called("sts.AssumeRole")
    with pytest.raises(AssertionError, match="expected no sts.get_caller_identity, found 1"):
        aws.calls.assert_not_called("sts.get_caller_identity")


def test_assert_order_allows_calls_in_between(aws, sts, role):
    sts.get_caller_identity()
    sts.get_session_token()
    sts.assume_role(RoleArn=ROLE, RoleSessionName="deploy")
    aws.calls.assert_order("sts.GetCallerIdentity", "sts.AssumeRole")
    aws.calls.assert_order("sts", "sts", "sts")
    with pytest.raises(AssertionError, match="sts.GetCallerIdentity did not follow"):
        aws.calls.assert_order("sts.AssumeRole", "sts.GetCallerIdentity")


def test_failed_calls_are_found_with_ok_false(aws, sts):
    aws.faults.error("AccessDenied", "sts", "AssumeRole", status=403)
    with pytest.raises(Exception):
        sts.assume_role(RoleArn=ROLE, RoleSessionName="deploy")
    [failed] = aws.calls.find("sts.AssumeRole", ok=False)
    assert failed.error == "AccessDenied"


def test_calls_export_as_json_lines(aws, sts):
    sts.get_session_token(DurationSeconds=900)
    [line] = aws.calls.to_jsonl().splitlines()
    record = json.loads(line)
    assert record["params"] == {"DurationSeconds": 900}
    assert record["response"]["Credentials"]["Expiration"] == "2025-01-01T00:15:00+00:00"


def test_text_view_shows_headline_resources_and_recent_calls(aws, sts):
    sts.get_session_token()
    lines = []
    aws._repr_pretty_(type("Printer", (), {"text": lambda self, text: lines.append(text)})(), False)
    text = lines[0]
    assert text.startswith("kumo_intercept emulator (active) · account 123456789012 · us-east-1 · virtual clock")
    assert "sts: records: sts.credentials 1" in text
    assert "recent calls (1 of 1)" in text and "sts.GetSessionToken  ok" in text


def test_views_list_the_faults_in_force(aws, sts):
    aws.faults.throttle("sqs", "SendMessage", count=2)
    aws.faults.latency(1.5, "sts")
    sts.get_caller_identity()
    lines = []
    aws._repr_pretty_(type("Printer", (), {"text": lambda self, text: lines.append(text)})(), False)
    assert "faults (2)" in lines[0]
    assert "error    sqs      SendMessage  0 of 2" in lines[0]
    assert "latency  sts      *            1" in lines[0]
    assert "<h4>faults (2)</h4>" in aws._repr_html_()


def test_html_view_escapes_and_tabulates(aws, sts):
    aws.faults.error("<Denied>", "sts", "GetCallerIdentity")
    with pytest.raises(Exception):
        sts.get_caller_identity()
    page = aws._repr_html_()
    assert page.startswith('<div class="kumo-emulator">')
    assert "<td>&lt;Denied&gt;</td>" in page and "<Denied>" not in page
    assert "<h4>recent calls (1 of 1)</h4>" in page


def test_contains_and_helpers():
    assert contains({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}, "d": 3})
    assert not contains({"a": {"b": 2}}, {"a": {"b": 1}})
    assert not contains({"a": 1}, {"b": 1})
    assert contains([1, 2], [1, 2]) and not contains([1], [1, 2])
    assert [human_size(n) for n in (0, 1023, 2048, 5 * 1024**3)] == ["0 B", "1023 B", "2.0 KiB", "5.0 GiB"]
    assert json.loads(to_json({"body": b"\x00hi", "stream": object()})) == {
        "body": {"$bytes": "AGhp"}, "stream": "<object>"}


def test_documented_read_methods_of_services(aws):
    sns = boto3.client("sns")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
    [sent] = aws.state.sns.outbox()
    assert (sent["Protocol"], sent["Endpoint"], sent["Type"]) == ("email", "ops@example.com",
                                                                  "SubscriptionConfirmation")
    assert aws.state.sns.delivery_failures() == []
    assert aws.state.events.undelivered() == []


def test_resources_come_from_each_services_summary(aws):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="now")
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
    boto3.client("sqs", region_name="eu-west-1").create_queue(QueueName="jobs")
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="photos")
    s3.put_object(Bucket="photos", Key="a.jpg", Body=b"x" * 3000)

    assert aws.state.services() == ["s3", "sqs"]
    queues = aws.state.sqs.queues
    assert sorted(queues.names()) == ["jobs", "jobs"]
    with pytest.raises(KeyError, match="2 queues are named 'jobs' in sqs; pass account= or region="):
        queues("jobs")
    here = queues("jobs", region="us-east-1")
    assert (here["visible"], here["in_flight"], here["delayed"]) == (1, 0, 1)
    assert aws.state.s3.buckets("photos")["objects"] == 1
    assert aws.state.summary()["s3"]["buckets"][0]["bytes"] == 3000
    assert aws.state.s3.kinds() == ["buckets"]
    with pytest.raises(AttributeError, match=r"sqs reports \['queues', 'messages'\], not 'topics'"):
        aws.state.sqs.topics

    text = repr(aws.state)
    assert "s3 · buckets (1)" in text and "2.9 KiB" in text and "sqs · queues (2)" in text
    assert "<td>photos</td>" in aws.state.s3._repr_html_()
    assert "<th>visible</th>" in queues._repr_html_()


def test_contents_of_buckets_queues_and_tables(aws):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="photos")
    for key in ("2025/b.jpg", "2025/a.jpg", "2024/c.jpg"):
        s3.put_object(Bucket="photos", Key=key, Body=b"x" * 10, Metadata={"camera": "x100"})
    objects = aws.state.s3.objects("photos", prefix="2025/")
    assert [obj["key"] for obj in objects] == ["2025/a.jpg", "2025/b.jpg"]
    assert objects[0]["size"] == 10 and objects[0]["metadata"] == {"camera": "x100"}
    assert objects[0]["etag"] == s3.head_object(Bucket="photos", Key="2025/a.jpg")["ETag"]
    assert len(aws.state.s3.objects("photos")) == 3
    with pytest.raises(KeyError, match="no bucket named 'videos'; it has: \\['photos'\\]"):
        aws.state.s3.objects("videos")

    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="first")
    sqs.send_message(QueueUrl=url, MessageBody="second", DelaySeconds=30)
    sqs.receive_message(QueueUrl=url)
    messages = aws.state.sqs.messages("jobs")
    assert [(m["body"], m["visible"], m["receive_count"]) for m in messages] == [
        ("first", False, 1), ("second", False, 0)]
    aws.clock.advance(31)
    assert all(m["visible"] for m in aws.state.sqs.messages("jobs"))
    with pytest.raises(KeyError, match="no queue named 'jobs' in 123456789012/eu-west-1"):
        aws.state.sqs.messages("jobs", region="eu-west-1")

    table = boto3.resource("dynamodb").create_table(
        TableName="orders", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    boto3.resource("dynamodb").create_table(
        TableName="orders2", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}]).put_item(Item={"pk": "x"})
    table.put_item(Item={"pk": "1", "total": 9, "tags": {"gift"}})
    assert aws.state.dynamodb.items("orders") == [{"pk": "1", "total": Decimal(9), "tags": {"gift"}}]
    reported = r"\['backups', 'exports', 'imports', 'resource_policies', 'tables', 'items'\]"
    with pytest.raises(AttributeError, match=rf"dynamodb reports {reported}, not 'rows'"):
        aws.state.dynamodb.rows
