"""GetInsightRuleReport: Contributor Insights rules run over CloudWatch Logs events.

Facts: LocalStack's AWS-recorded test_cloudwatch.py::test_insight_rule (a report without data:
AggregationStatistic "SampleCount" for a Count rule, KeyLabels the rule's keys, zero AggregateValue and
ApproximateUniqueCount, no Contributors, 13 data points of zero UniqueContributors for one hour of
300-second periods); the user guide's "Contributor Insights rule syntax" (JSON property notation, CLF
fields numbered from 1 with `Fields` aliases, the filter operators ANDed, AggregateOn Count/Sum with
ValueOf, `*` as a log group prefix) and the GetInsightRuleReport API reference (the statistics,
MaxContributorCount, OrderBy Sum/Maximum, InvalidParameterValue for bad input).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import boto3
import pytest
from botocore.exceptions import ClientError

from kumo_intercept import NotEmulatedError

pytestmark = pytest.mark.kumo(clock="virtual", strict=True, start_time=1_700_000_000)

START = 1_700_000_000 // 300 * 300  # a period boundary at or before the emulator's start


def rule(**overrides) -> str:
    body = {"Schema": {"Name": "CloudWatchLogRule", "Version": 1}, "LogGroupNames": ["api-*"],
            "LogFormat": "JSON", "Contribution": {"Keys": ["$.ip"]}, "AggregateOn": "Count"}
    body.update(overrides)
    return json.dumps(body)


@pytest.fixture
def cw(kumo):
    return boto3.client("cloudwatch")


@pytest.fixture
def logs(kumo):
    client = boto3.client("logs")
    for group in ("api-prod", "other"):
        client.create_log_group(logGroupName=group)
        client.create_log_stream(logGroupName=group, logStreamName="s")
    return client


def put(logs, group: str, *events: tuple[int, dict | str]) -> None:
    """Events at START + offset seconds (PutLogEvents wants them in order)."""
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": (START + offset) * 1000, "message": json.dumps(m) if isinstance(m, dict) else m}
        for offset, m in sorted(events, key=lambda event: event[0])])


def report(cw, name: str, **options):
    options.setdefault("StartTime", datetime.fromtimestamp(START, timezone.utc))
    options.setdefault("EndTime", datetime.fromtimestamp(START + 900, timezone.utc))
    options.setdefault("Period", 300)
    return cw.get_insight_rule_report(RuleName=name, **options)


def test_a_count_rule_ranks_contributors_by_their_events(cw, logs):
    cw.put_insight_rule(RuleName="ips", RuleDefinition=rule())
    put(logs, "api-prod", (10, {"ip": "1.1.1.1"}), (20, {"ip": "2.2.2.2"}), (30, {"ip": "1.1.1.1"}),
        (400, {"ip": "1.1.1.1"}), (410, {"ip": "3.3.3.3"}), (420, "not json"), (430, {"other": 1}))
    put(logs, "other", (10, {"ip": "9.9.9.9"}))  # not a group the rule names
    out = report(cw, "ips", Metrics=["UniqueContributors", "SampleCount", "MaxContributorValue", "Sum"])
    assert out["KeyLabels"] == ["$.ip"]
    assert out["AggregationStatistic"] == "SampleCount"
    assert out["AggregateValue"] == 5.0
    assert out["ApproximateUniqueCount"] == 3
    assert [(c["Keys"], c["ApproximateAggregateValue"]) for c in out["Contributors"]] == [
        (["1.1.1.1"], 3.0), (["2.2.2.2"], 1.0), (["3.3.3.3"], 1.0)]
    assert [(p["Timestamp"].timestamp(), p["ApproximateValue"]) for p in out["Contributors"][0]["Datapoints"]] == [
        (START, 2.0), (START + 300, 1.0)]
    assert [{k: v for k, v in p.items() if k != "Timestamp"} for p in out["MetricDatapoints"]] == [
        {"UniqueContributors": 2.0, "SampleCount": 3.0, "MaxContributorValue": 2.0, "Sum": 3.0},
        {"UniqueContributors": 2.0, "SampleCount": 2.0, "MaxContributorValue": 1.0, "Sum": 2.0},
        {"UniqueContributors": 0.0, "SampleCount": 0.0, "MaxContributorValue": 0.0, "Sum": 0.0}]
    assert len(report(cw, "ips", MaxContributorCount=1)["Contributors"]) == 1


def test_a_sum_rule_with_filters_and_several_keys(cw, logs):
    definition = rule(Contribution={
        "Keys": ["$.ip", "$.request.method"], "ValueOf": "$.bytes",
        "Filters": [{"Match": "$.request.method", "In": ["PUT", "POST"]}, {"Match": "$.status", "EqualTo": 200},
                    {"Match": "$.bytes", "GreaterThan": 0}, {"Match": "$.debug", "IsPresent": False}]},
        AggregateOn="Sum")
    cw.put_insight_rule(RuleName="bytes", RuleDefinition=definition)
    put(logs, "api-prod",
        (10, {"ip": "a", "request": {"method": "PUT"}, "status": 200, "bytes": 100}),
        (20, {"ip": "a", "request": {"method": "PUT"}, "status": 200, "bytes": 50}),
        (30, {"ip": "b", "request": {"method": "POST"}, "status": 200, "bytes": 500}),
        (40, {"ip": "b", "request": {"method": "GET"}, "status": 200, "bytes": 900}),      # not PUT/POST
        (50, {"ip": "c", "request": {"method": "PUT"}, "status": 500, "bytes": 900}),      # not 200
        (60, {"ip": "d", "request": {"method": "PUT"}, "status": 200, "bytes": 9, "debug": 1}))
    out = report(cw, "bytes", Metrics=["Minimum", "Maximum", "Average"])
    assert out["AggregationStatistic"] == "Sum"
    assert out["KeyLabels"] == ["$.ip", "$.request.method"]
    assert [(c["Keys"], c["ApproximateAggregateValue"]) for c in out["Contributors"]] == [
        (["b", "POST"], 500.0), (["a", "PUT"], 150.0)]
    assert out["AggregateValue"] == 650.0
    assert {k: v for k, v in out["MetricDatapoints"][0].items() if k != "Timestamp"} == {
        "Minimum": 50.0, "Maximum": 500.0, "Average": 650.0 / 3}


def test_order_by_maximum_ranks_by_the_best_period(cw, logs):
    cw.put_insight_rule(RuleName="ips", RuleDefinition=rule())
    put(logs, "api-prod", *[(10 + i, {"ip": "burst"}) for i in range(3)],
        *[(300 * i + 5, {"ip": "steady"}) for i in range(3)])
    by_sum = [c["Keys"] for c in report(cw, "ips")["Contributors"]]
    by_max = [c["Keys"] for c in report(cw, "ips", OrderBy="Maximum")["Contributors"]]
    assert by_sum == [["burst"], ["steady"]]  # 3 each: ties go by key
    put(logs, "api-prod", (600, {"ip": "steady"}))
    assert [c["Keys"] for c in report(cw, "ips")["Contributors"]] == [["steady"], ["burst"]]
    assert [c["Keys"] for c in report(cw, "ips", OrderBy="Maximum")["Contributors"]] == [["burst"], ["steady"]]
    assert by_max == [["burst"], ["steady"]]


def test_clf_fields_by_position_and_alias(cw, logs):
    definition = rule(LogFormat="CLF", Fields={"1": "IpAddress", "6": "StatusCode"},
                      Contribution={"Keys": ["IpAddress", "5"], "Filters": [{"Match": "StatusCode", "EqualTo": 200}]})
    cw.put_insight_rule(RuleName="clf", RuleDefinition=definition)
    put(logs, "api-prod",
        (10, '10.0.0.1 - - [10/Oct/2023:13:55:36 -0700] "GET /a HTTP/1.1" 200 2326'),
        (20, '10.0.0.1 - - [10/Oct/2023:13:55:37 -0700] "GET /a HTTP/1.1" 404 10'))
    out = report(cw, "clf")
    assert [(c["Keys"], c["ApproximateAggregateValue"]) for c in out["Contributors"]] == [
        (["10.0.0.1", "GET /a HTTP/1.1"], 1.0)]


def test_only_events_ingested_while_the_rule_is_enabled_count(cw, logs, kumo):
    put(logs, "api-prod", (10, {"ip": "before"}))
    kumo.clock.advance(1)
    cw.put_insight_rule(RuleName="ips", RuleDefinition=rule())
    kumo.clock.advance(1)
    put(logs, "api-prod", (20, {"ip": "while"}))
    kumo.clock.advance(1)
    cw.disable_insight_rules(RuleNames=["ips"])
    put(logs, "api-prod", (30, {"ip": "disabled"}))
    kumo.clock.advance(1)
    cw.enable_insight_rules(RuleNames=["ips"])
    put(logs, "api-prod", (40, {"ip": "again"}))
    assert sorted(c["Keys"][0] for c in report(cw, "ips")["Contributors"]) == ["again", "while"]


def test_a_report_without_data_as_aws_answers_it(cw, logs):
    cw.put_insight_rule(RuleName="ips", RuleDefinition=rule())
    start = datetime.fromtimestamp(START + 17, timezone.utc)  # an hour not on period boundaries
    out = report(cw, "ips", StartTime=start, EndTime=datetime.fromtimestamp(START + 17 + 3600, timezone.utc),
                 Metrics=["UniqueContributors"], MaxContributorCount=10)
    assert {k: v for k, v in out.items() if k != "MetricDatapoints" and k != "ResponseMetadata"} == {
        "AggregateValue": 0.0, "AggregationStatistic": "SampleCount", "ApproximateUniqueCount": 0,
        "Contributors": [], "KeyLabels": ["$.ip"]}
    assert [set(p) for p in out["MetricDatapoints"]] == [{"Timestamp", "UniqueContributors"}] * 13
    assert {p["UniqueContributors"] for p in out["MetricDatapoints"]} == {0.0}


@pytest.mark.parametrize("options, words", [
    ({"Metrics": ["P99"]}, "Metrics"),
    ({"MaxContributorCount": 101}, "MaxContributorCount"),
    ({"OrderBy": "Average"}, "OrderBy"),
    ({"EndTime": datetime.fromtimestamp(START, timezone.utc)}, "EndTime"),
])
def test_bad_report_parameters_are_invalid_parameter_values(cw, logs, options, words):
    cw.put_insight_rule(RuleName="ips", RuleDefinition=rule())
    with pytest.raises(ClientError) as err:
        report(cw, "ips", **options)
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert words in err.value.response["Error"]["Message"]


@pytest.mark.parametrize("overrides", [
    {"Schema": "CloudWatchLogRule"}, {"LogFormat": "XML"}, {"AggregateOn": "Average"},
    {"AggregateOn": "Sum"},  # Sum without ValueOf
    {"Contribution": {"Keys": []}}, {"Contribution": {"Keys": ["ip"]}},  # not JSON property notation
    {"Contribution": {"Keys": ["$.ip"], "Filters": [{"Match": "$.a", "Like": ["x"]}]}},
    {"Contribution": {"Keys": ["$.ip"], "Filters": [{"Match": "$.a", "EqualTo": "200"}]}},
    {"LogGroupARNs": ["arn:aws:logs:us-east-1:123456789012:log-group:api-prod"]},  # with LogGroupNames
])
def test_a_rule_outside_the_syntax_is_refused_when_reported(cw, logs, overrides):
    cw.put_insight_rule(RuleName="bad", RuleDefinition=rule(**overrides))
    with pytest.raises(ClientError) as err:
        report(cw, "bad")
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_unknown_rule_and_other_accounts_log_groups(cw, logs):
    with pytest.raises(ClientError) as err:
        report(cw, "missing")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
    own = json.loads(rule())
    del own["LogGroupNames"]
    own["LogGroupARNs"] = ["arn:aws:logs:us-east-1:123456789012:log-group:api-prod"]
    cw.put_insight_rule(RuleName="own", RuleDefinition=json.dumps(own))
    put(logs, "api-prod", (10, {"ip": "x"}))
    assert report(cw, "own")["ApproximateUniqueCount"] == 1
    own["LogGroupARNs"] = ["arn:aws:logs:us-east-1:210987654321:log-group:api-prod"]
    cw.put_insight_rule(RuleName="cross", RuleDefinition=json.dumps(own))
    with pytest.raises(NotEmulatedError, match="cross-account"):
        report(cw, "cross")
