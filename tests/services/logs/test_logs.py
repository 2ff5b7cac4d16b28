"""CloudWatch Logs: groups, streams, writing and reading events, filter patterns, filters, errors."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError


def _put(logs, stream, messages, start_ms, step=1):
    group, name = stream
    return logs.put_log_events(logGroupName=group, logStreamName=name, logEvents=[
        {"timestamp": start_ms + i * step, "message": m} for i, m in enumerate(messages)])


# -- groups --------------------------------------------------------------------------------------------
def test_create_describe_and_delete_groups(logs, now_ms):
    logs.create_log_group(logGroupName="/app/web", tags={"team": "web"})
    logs.create_log_group(logGroupName="/app/worker")
    logs.create_log_group(logGroupName="/other")
    groups = logs.describe_log_groups(logGroupNamePrefix="/app/")["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/app/web", "/app/worker"]
    web = groups[0]
    assert web["arn"] == "arn:aws:logs:us-east-1:123456789012:log-group:/app/web:*"
    assert web["logGroupArn"] == "arn:aws:logs:us-east-1:123456789012:log-group:/app/web"
    assert web["creationTime"] == now_ms
    assert web["storedBytes"] == 0 and web["metricFilterCount"] == 0
    assert "retentionInDays" not in web
    with pytest.raises(logs.exceptions.ResourceAlreadyExistsException) as err:
        logs.create_log_group(logGroupName="/app/web")
    assert err.value.response["Error"]["Message"] == "The specified log group already exists"
    logs.delete_log_group(logGroupName="/app/web")
    with pytest.raises(logs.exceptions.ResourceNotFoundException) as err:
        logs.delete_log_group(logGroupName="/app/web")
    assert err.value.response["Error"]["Message"] == "The specified log group does not exist."


def test_describe_log_groups_paginates(logs):
    for i in range(7):
        logs.create_log_group(logGroupName=f"/g/{i}")
    first = logs.describe_log_groups(limit=3)
    assert [g["logGroupName"] for g in first["logGroups"]] == ["/g/0", "/g/1", "/g/2"]
    names = [g["logGroupName"] for page in logs.get_paginator("describe_log_groups").paginate(
        PaginationConfig={"PageSize": 3}) for g in page["logGroups"]]
    assert names == [f"/g/{i}" for i in range(7)]


def test_invalid_group_name(logs):
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.create_log_group(logGroupName="has space")


def test_retention(aws, logs, stream, now_ms):
    logs.put_retention_policy(logGroupName="/app/web", retentionInDays=1)
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 1
    _put(logs, stream, ["old"], now_ms)
    aws.clock.advance(2 * 86400)
    assert logs.get_log_events(logGroupName="/app/web", logStreamName="web-1")["events"] == []
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.put_retention_policy(logGroupName="/app/web", retentionInDays=2)
    logs.delete_retention_policy(logGroupName="/app/web")
    assert "retentionInDays" not in logs.describe_log_groups()["logGroups"][0]


def test_tags(logs):
    logs.create_log_group(logGroupName="/t", tags={"a": "1"})
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/t"
    logs.tag_resource(resourceArn=arn, tags={"b": "2"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1", "b": "2"}
    logs.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert logs.list_tags_log_group(logGroupName="/t")["tags"] == {"b": "2"}
    logs.tag_log_group(logGroupName="/t", tags={"c": "3"})
    logs.untag_log_group(logGroupName="/t", tags=["b"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"c": "3"}
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.list_tags_for_resource(resourceArn="arn:aws:logs:us-east-1:123456789012:log-group:/missing")


# -- streams --------------------------------------------------------------------------------------------
def test_streams(logs, stream, now_ms):
    logs.create_log_stream(logGroupName="/app/web", logStreamName="web-2")
    with pytest.raises(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_stream(logGroupName="/app/web", logStreamName="web-2")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.create_log_stream(logGroupName="/missing", logStreamName="x")
    _put(logs, ("/app/web", "web-2"), ["a", "b"], now_ms - 1000)
    described = logs.describe_log_streams(logGroupName="/app/web")["logStreams"]
    assert [s["logStreamName"] for s in described] == ["web-1", "web-2"]
    web2 = described[1]
    assert web2["firstEventTimestamp"] == now_ms - 1000 and web2["lastEventTimestamp"] == now_ms - 999
    assert web2["lastIngestionTime"] == now_ms
    assert web2["arn"] == "arn:aws:logs:us-east-1:123456789012:log-group:/app/web:log-stream:web-2"
    newest = logs.describe_log_streams(logGroupName="/app/web", orderBy="LastEventTime", descending=True)
    assert newest["logStreams"][0]["logStreamName"] == "web-2"
    assert [s["logStreamName"] for s in logs.describe_log_streams(
        logGroupName="/app/web", logStreamNamePrefix="web-2")["logStreams"]] == ["web-2"]
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.describe_log_streams(logGroupName="/app/web", logStreamNamePrefix="w", orderBy="LastEventTime")
    logs.delete_log_stream(logGroupName="/app/web", logStreamName="web-2")
    assert [s["logStreamName"] for s in logs.describe_log_streams(logGroupName="/app/web")["logStreams"]] == ["web-1"]


# -- writing -----------------------------------------------------------------------------------------------
def test_put_log_events_rules(logs, stream, now_ms):
    with pytest.raises(logs.exceptions.InvalidParameterException) as err:
        logs.put_log_events(logGroupName="/app/web", logStreamName="web-1", logEvents=[
            {"timestamp": now_ms, "message": "b"}, {"timestamp": now_ms - 1, "message": "a"}])
    assert err.value.response["Error"]["Message"] == (
        "Log events in a single PutLogEvents request must be in chronological order.")
    with pytest.raises(logs.exceptions.InvalidParameterException) as err:
        logs.put_log_events(logGroupName="/app/web", logStreamName="web-1", logEvents=[
            {"timestamp": now_ms - 90_000_000, "message": "a"}, {"timestamp": now_ms, "message": "b"}])
    assert "cannot span more than 24 hours" in err.value.response["Error"]["Message"]
    with pytest.raises(logs.exceptions.ResourceNotFoundException) as err:
        logs.put_log_events(logGroupName="/app/web", logStreamName="missing",
                            logEvents=[{"timestamp": now_ms, "message": "a"}])
    assert err.value.response["Error"]["Message"] == "The specified log stream does not exist."
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.put_log_events(logGroupName="/app/web", logStreamName="web-1",
                            logEvents=[{"timestamp": now_ms, "message": "x" * 262_200}])


def test_too_old_and_too_new_events_are_rejected(logs, stream, now_ms):
    response = logs.put_log_events(logGroupName="/app/web", logStreamName="web-1", logEvents=[
        {"timestamp": now_ms - 15 * 86_400_000, "message": "ancient"},
        {"timestamp": now_ms - 15 * 86_400_000 + 1, "message": "ancient too"},
    ])
    assert response["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 2}
    response = logs.put_log_events(logGroupName="/app/web", logStreamName="web-1", logEvents=[
        {"timestamp": now_ms, "message": "fine"},
        {"timestamp": now_ms + 3 * 3_600_000, "message": "future"},
    ])
    assert response["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    messages = [e["message"] for e in logs.get_log_events(logGroupName="/app/web", logStreamName="web-1")["events"]]
    assert messages == ["fine"]
    assert response["nextSequenceToken"].isdigit()


# -- reading -------------------------------------------------------------------------------------------------
def test_get_log_events_forward_and_backward(logs, stream, now_ms):
    _put(logs, stream, [f"m{i}" for i in range(10)], now_ms - 100)
    latest = logs.get_log_events(logGroupName="/app/web", logStreamName="web-1", limit=3)
    assert [e["message"] for e in latest["events"]] == ["m7", "m8", "m9"]
    assert latest["events"][0]["timestamp"] == now_ms - 93 and latest["events"][0]["ingestionTime"] == now_ms
    earlier = logs.get_log_events(logGroupName="/app/web", logStreamName="web-1", limit=3,
                                  nextToken=latest["nextBackwardToken"])
    assert [e["message"] for e in earlier["events"]] == ["m4", "m5", "m6"]
    head = logs.get_log_events(logGroupName="/app/web", logStreamName="web-1", limit=4, startFromHead=True)
    assert [e["message"] for e in head["events"]] == ["m0", "m1", "m2", "m3"]
    following = logs.get_log_events(logGroupName="/app/web", logStreamName="web-1", limit=4,
                                    nextToken=head["nextForwardToken"])
    assert [e["message"] for e in following["events"]] == ["m4", "m5", "m6", "m7"]
    assert latest["nextForwardToken"].startswith("f/") and latest["nextBackwardToken"].startswith("b/")
    # at the end the forward token stays put
    end = logs.get_log_events(logGroupName="/app/web", logStreamName="web-1", nextToken=latest["nextForwardToken"])
    assert end["events"] == [] and end["nextForwardToken"] == latest["nextForwardToken"]
    window = logs.get_log_events(logGroupName="/app/web", logStreamName="web-1", startTime=now_ms - 98,
                                 endTime=now_ms - 95, startFromHead=True)
    assert [e["message"] for e in window["events"]] == ["m2", "m3", "m4"]


def test_events_from_several_calls_stay_in_time_order(logs, stream, now_ms):
    _put(logs, stream, ["late"], now_ms)
    _put(logs, stream, ["early"], now_ms - 10)
    got = logs.get_log_events(logGroupName="/app/web", logStreamName="web-1", startFromHead=True)["events"]
    assert [e["message"] for e in got] == ["early", "late"]


LINES = [
    "ERROR Connection refused to db",
    "INFO request served in 12 ms",
    "WARN disk 91% full",
    json.dumps({"level": "ERROR", "latency": 150, "user": {"id": "u1"}, "tags": ["a", "b"]}),
    json.dumps({"level": "INFO", "latency": 20, "user": {"id": "u2"}, "flag": True}),
    '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 404 2326',
    '10.0.0.8 - ann [10/Oct/2000:13:56:01 -0700] "POST /login HTTP/1.0" 200 51',
]

FILTERS = [
    ("", list(range(7))),
    ("ERROR", [0, 3]),
    ("ERROR Connection", [0]),
    ('"Connection refused"', [0]),
    ('"refused Connection"', []),
    ("?WARN ?INFO", [1, 2, 4]),
    ("INFO -served", [4]),
    ("%[0-9]+ ms%", [1]),
    ('{ $.level = "ERROR" }', [3]),
    ("{ $.latency > 100 }", [3]),
    ("{ $.latency >= 20 && $.level = \"INFO\" }", [4]),
    ('{ ($.level = "ERROR") || ($.latency < 30) }', [3, 4]),
    ('{ $.user.id = "u*" }', [3, 4]),
    ('{ $.level != "ERROR" }', [4]),
    ("{ $.flag IS TRUE }", [4]),
    ("{ $.flag NOT EXISTS }", [3]),
    ('{ $.tags[1] = "b" }', [3]),
    ("[ip, identity, user, timestamp, request, status = 404, size]", [5]),
    ("[ip, identity, user, timestamp, request, status = 2*, size < 100]", [6]),
    ('[ip = 10.*, ...]', [6]),
    ("[..., status, size > 1000]", [5]),
]


@pytest.mark.parametrize("pattern, expected", FILTERS)
def test_filter_patterns(logs, stream, now_ms, pattern, expected):
    _put(logs, stream, LINES, now_ms - 100)
    found = logs.filter_log_events(logGroupName="/app/web", filterPattern=pattern)["events"]
    assert [e["message"] for e in found] == [LINES[i] for i in expected]


def test_filter_log_events_across_streams_with_paging(logs, stream, now_ms):
    logs.create_log_stream(logGroupName="/app/web", logStreamName="web-2")
    _put(logs, stream, ["a0", "a1", "a2"], now_ms - 100, step=10)
    _put(logs, ("/app/web", "web-2"), ["b0", "b1", "b2"], now_ms - 95, step=10)
    everything = logs.filter_log_events(logGroupName="/app/web")
    assert [e["message"] for e in everything["events"]] == ["a0", "b0", "a1", "b1", "a2", "b2"]
    first = everything["events"][0]
    assert first["logStreamName"] == "web-1" and first["eventId"].isdigit()
    page = logs.filter_log_events(logGroupName="/app/web", limit=4)
    rest = logs.filter_log_events(logGroupName="/app/web", limit=4, nextToken=page["nextToken"])
    assert [e["message"] for e in page["events"] + rest["events"]] == ["a0", "b0", "a1", "b1", "a2", "b2"]
    assert "nextToken" not in rest
    only = logs.filter_log_events(logGroupName="/app/web", logStreamNames=["web-2"], startTime=now_ms - 90)
    assert [e["message"] for e in only["events"]] == ["b1", "b2"]
    by_arn = logs.filter_log_events(logGroupIdentifier="arn:aws:logs:us-east-1:123456789012:log-group:/app/web",
                                    logStreamNamePrefix="web-1")
    assert [e["message"] for e in by_arn["events"]] == ["a0", "a1", "a2"]


# -- subscription and metric filters -------------------------------------------------------------------------
def test_subscription_filters_are_stored_with_a_limit_of_two(logs, stream):
    for name in ("one", "two"):
        logs.put_subscription_filter(logGroupName="/app/web", filterName=name, filterPattern="ERROR",
                                     destinationArn="arn:aws:lambda:us-east-1:123456789012:function:f")
    with pytest.raises(logs.exceptions.LimitExceededException):
        logs.put_subscription_filter(logGroupName="/app/web", filterName="three", filterPattern="",
                                     destinationArn="arn:aws:lambda:us-east-1:123456789012:function:f")
    described = logs.describe_subscription_filters(logGroupName="/app/web")["subscriptionFilters"]
    assert [f["filterName"] for f in described] == ["one", "two"]
    assert described[0]["destinationArn"].endswith(":function:f") and described[0]["distribution"] == "ByLogStream"
    logs.delete_subscription_filter(logGroupName="/app/web", filterName="one")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.delete_subscription_filter(logGroupName="/app/web", filterName="one")


def test_metric_filters(logs, stream):
    logs.put_metric_filter(logGroupName="/app/web", filterName="errors", filterPattern="ERROR",
                           metricTransformations=[{"metricName": "Errors", "metricNamespace": "App",
                                                   "metricValue": "1"}])
    [described] = logs.describe_metric_filters(logGroupName="/app/web")["metricFilters"]
    assert described["filterName"] == "errors" and described["metricTransformations"][0]["metricName"] == "Errors"
    assert logs.describe_log_groups()["logGroups"][0]["metricFilterCount"] == 1
    assert logs.describe_metric_filters(metricName="Errors", metricNamespace="App")["metricFilters"][0][
        "filterName"] == "errors"
    logs.delete_metric_filter(logGroupName="/app/web", filterName="errors")
    assert logs.describe_metric_filters(logGroupName="/app/web")["metricFilters"] == []


def test_test_metric_filter_extracts_fields(logs):
    result = logs.test_metric_filter(filterPattern="[ip, identity, user, timestamp, request, status = 404, size]",
                                     logEventMessages=[LINES[5], LINES[6]])
    [match] = result["matches"]
    assert match["eventNumber"] == 1
    assert match["extractedValues"]["$status"] == "404"
    assert match["extractedValues"]["$request"] == "GET /apache_pb.gif HTTP/1.0"


def test_put_log_events_internal_creates_group_and_stream(aws, logs, now_ms):
    aws.backend("logs").put_log_events_internal("123456789012", "us-east-1", "/aws/lambda/fn",
                                                "2025/01/01/[$LATEST]abc", [(now_ms, "START"), (now_ms - 1, "init")])
    got = logs.get_log_events(logGroupName="/aws/lambda/fn", logStreamName="2025/01/01/[$LATEST]abc",
                              startFromHead=True)["events"]
    assert [e["message"] for e in got] == ["init", "START"]
    summary = aws.backend("logs").summary()
    assert summary["log_groups"][0]["name"] == "/aws/lambda/fn" and summary["log_groups"][0]["streams"] == 1


def test_groups_are_per_account_and_region(logs):
    logs.create_log_group(logGroupName="/shared-name")
    west = boto3.client("logs", region_name="eu-west-1")
    assert west.describe_log_groups()["logGroups"] == []
    west.create_log_group(logGroupName="/shared-name")
    with pytest.raises(ClientError):
        logs.create_log_group(logGroupName="/shared-name")


def test_subscription_filter_feeds_a_lambda_function(aws, logs, stream, now_ms):
    import base64
    import gzip

    from kumo_intercept.services.awslambda import register_callable

    received = []
    arn = register_callable("log-processor", lambda event, context: received.append(event))
    logs.put_subscription_filter(logGroupName="/app/web", filterName="errors", filterPattern="ERROR",
                                 destinationArn=arn)
    _put(logs, stream, ["INFO fine", "ERROR broken", "ERROR again"], now_ms)
    [event] = received
    document = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    assert document["messageType"] == "DATA_MESSAGE"
    assert (document["logGroup"], document["logStream"]) == ("/app/web", "web-1")
    assert document["subscriptionFilters"] == ["errors"]
    assert [e["message"] for e in document["logEvents"]] == ["ERROR broken", "ERROR again"]
    _put(logs, stream, ["INFO quiet"], now_ms + 10)
    assert len(received) == 1


def test_stored_settings(logs, stream):
    logs.associate_kms_key(logGroupName="/app/web", kmsKeyId="arn:aws:kms:us-east-1:123456789012:key/k")
    assert logs.describe_log_groups()["logGroups"][0]["kmsKeyId"].endswith(":key/k")
    logs.disassociate_kms_key(logGroupName="/app/web")
    assert "kmsKeyId" not in logs.describe_log_groups()["logGroups"][0]
    policy = json.dumps({"Name": "p", "Version": "2021-06-01", "Statement": []})
    logs.put_data_protection_policy(logGroupIdentifier="/app/web", policyDocument=policy)
    assert logs.get_data_protection_policy(logGroupIdentifier="/app/web")["policyDocument"] == policy
    logs.delete_data_protection_policy(logGroupIdentifier="/app/web")
    assert "policyDocument" not in logs.get_data_protection_policy(logGroupIdentifier="/app/web")
    logs.put_resource_policy(policyName="events", policyDocument=json.dumps({"Statement": []}))
    assert [p["policyName"] for p in logs.describe_resource_policies()["resourcePolicies"]] == ["events"]
    logs.delete_resource_policy(policyName="events")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.delete_resource_policy(policyName="events")
    destination = logs.put_destination(destinationName="central", targetArn="arn:aws:kinesis:us-east-1:123456789012:stream/s",
                                       roleArn="arn:aws:iam::123456789012:role/r")["destination"]
    assert destination["arn"] == "arn:aws:logs:us-east-1:123456789012:destination:central"
    logs.put_destination_policy(destinationName="central", accessPolicy="{}")
    assert logs.describe_destinations()["destinations"][0]["accessPolicy"] == "{}"
    logs.delete_destination(destinationName="central")
    assert logs.describe_destinations()["destinations"] == []


def test_subscription_filter_refuses_a_destination_that_is_no_arn(logs, stream):
    """Found by tests/core/test_fuzz.py: an ARN without its service part is refused, not an internal error."""
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.put_subscription_filter(logGroupName="/app/web", filterName="f", filterPattern="",
                                     destinationArn="arn:aws")
