"""JSON paths into log events (core/jsonpath.py), through the two languages that use them.

Facts:
- LOGS: the CloudWatch Logs user guide's "Filter pattern syntax for metric filters, subscription filters,
  filter log events, and Live Tail", section "Using filter patterns to match terms in JSON log events":
  property selectors ``$.a.b``, ``[index]`` after a property, ``$.['name.with.periods']``, the wildcard
  selector (``$.*`` any object field, ``$.arrayKey[*]`` any array element), its quotas (one wildcard in a
  selector, three wildcard selectors in a pattern), ``IS NULL`` and ``NOT EXISTS``; the page's example event
  is ``EVENT`` below.
- RULES: the CloudWatch user guide's "Contributor Insights rule syntax", *JSON property format notation*:
  ``Keys``, ``ValueOf`` and ``Match`` are ``$`` then ``.name`` / ``[index]`` steps, such as ``$.endpoints[0]``,
  ``$.users[1].name`` and ``$.requestParameters.instanceId``.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import boto3
import pytest
from botocore.exceptions import ClientError

from kumo_intercept.core import jsonpath

pytestmark = pytest.mark.kumo(clock="virtual", strict=True, start_time=1_700_000_000)

EVENT = json.dumps({"eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111",
                    "arrayKey": ["value", "another value"],
                    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
                    "SomeObject": None, "cluster.name": "c"})


@pytest.fixture
def logs(kumo):
    return boto3.client("logs")


def matches(logs, pattern: str, *messages: str) -> list[int]:
    """The (1-based) numbers of the messages TestMetricFilter says the pattern matches."""
    found = logs.test_metric_filter(filterPattern=pattern, logEventMessages=list(messages) or [EVENT])
    return [match["eventNumber"] for match in found["matches"]]


@pytest.mark.parametrize("pattern, matched", [
    ('{ $.eventType = "UpdateTrail" }', True),
    ('{ $.arrayKey[0] = "value" }', True),
    ('{ $.arrayKey[1] = "value" }', False),
    ("{ $.objectList[1].id = 2 }", True),
    ("{ $.objectList[2].id = 2 }", False),           # past the array's end selects nothing
    ('{ $.eventType[0] = "UpdateTrail" }', False),   # an index into a string selects nothing
    ("{ $.SomeObject IS NULL }", True),
    ("{ $.SomeOtherObject NOT EXISTS }", True),
    ("{ $.SomeObject NOT EXISTS }", False),          # null is a value: the property exists
    ('{ $.arrayKey = "value" }', False),              # a selector pointing to an array or object matches
    ('{ $.arrayKey != "value" }', False),             # neither = nor !=
    ("{ $.objectList[0] != 1 }", False),
])
def test_logs_selectors_walk_properties_and_array_elements(logs, pattern, matched):
    """LOGS: the page's examples against its example event."""
    assert matches(logs, pattern) == ([1] if matched else [])


def test_logs_bracket_notation_selects_a_property_with_periods(logs):
    """LOGS: ``$.['cluster.name']`` names the property ``cluster.name``; ``$.cluster.name`` would walk into a
    property ``cluster`` the event does not have."""
    assert matches(logs, "{ $.['cluster.name'] = \"c\" }") == [1]
    assert matches(logs, '{ $.cluster.name = "c" }') == []


@pytest.mark.parametrize("pattern, matched", [
    ('{ $.arrayKey[*] = "another value" }', True),   # any array element
    ('{ $.arrayKey[*] = "third value" }', False),
    ('{ $.* = "111.111.111.111" }', True),           # any object field
    ("{ $.objectList[*].id = 2 }", True),
    ("{ $.objectList[*].id > 2 }", False),
    ("{ $.objectList[*].missing NOT EXISTS }", True),
    ("{ $.objectList[*].id NOT EXISTS }", False),
])
def test_logs_wildcard_selector_matches_when_any_selected_value_does(logs, pattern, matched):
    """LOGS: "You can use the JSON wildcard to select any array element or any JSON object field"."""
    assert matches(logs, pattern) == ([1] if matched else [])


@pytest.mark.parametrize("pattern", [
    '{ $.objectList[*].* = "a" }',                                                  # two in one selector
    '{ $.a[*] = 1 || $.b[*] = 1 || $.c[*] = 1 || $.d[*] = 1 }',                   # four selectors
])
def test_logs_wildcard_quotas(logs, pattern):
    """LOGS: "You can only use up to one wildcard selector in a property selector, and up to three wildcard
    selectors in a filter pattern with compound expressions"."""
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.test_metric_filter(filterPattern=pattern, logEventMessages=[EVENT])
    assert matches(logs, '{ $.a[*] = 1 || $.b[*] = 1 || $.arrayKey[*] = "value" }') == [1]


# -- Contributor Insights rules -------------------------------------------------------------------------------
START = 1_700_000_000 // 300 * 300


def test_rule_keys_walk_properties_and_array_elements(kumo):
    """RULES: the page's example paths as a rule's Keys, ValueOf and Match; an event missing a key does not
    contribute."""
    logs, cw = boto3.client("logs"), boto3.client("cloudwatch")
    logs.create_log_group(logGroupName="trail")
    logs.create_log_stream(logGroupName="trail", logStreamName="s")
    events = [{"endpoints": ["e1"], "users": [{}, {"name": "ann"}], "requestParameters": {"instanceId": "i-1"}},
              {"endpoints": ["e1"], "users": [{}, {"name": "bob"}], "requestParameters": {"instanceId": "i-2"}},
              {"endpoints": ["e2"], "users": [{"name": "cy"}], "requestParameters": {"instanceId": "i-3"}}]
    logs.put_log_events(logGroupName="trail", logStreamName="s", logEvents=[
        {"timestamp": (START + 10 + i) * 1000, "message": json.dumps(event)} for i, event in enumerate(events)])
    cw.put_insight_rule(RuleName="users", RuleDefinition=json.dumps({
        "Schema": {"Name": "CloudWatchLogRule", "Version": 1}, "LogGroupNames": ["trail"], "LogFormat": "JSON",
        "Contribution": {"Keys": ["$.endpoints[0]", "$.users[1].name"],
                         "Filters": [{"Match": "$.requestParameters.instanceId", "StartsWith": ["i-"]}]},
        "AggregateOn": "Count"}))
    out = cw.get_insight_rule_report(RuleName="users", Period=300,
                                     StartTime=datetime.fromtimestamp(START, timezone.utc),
                                     EndTime=datetime.fromtimestamp(START + 300, timezone.utc))
    assert sorted(c["Keys"] for c in out["Contributors"]) == [["e1", "ann"], ["e1", "bob"]]


def test_rules_with_a_field_that_is_not_a_json_property_path_are_refused(kumo):
    """RULES: fields "must be specified using JSON property format notation" (the report refuses the rule)."""
    cw = boto3.client("cloudwatch")
    for number, field in enumerate(("ip", "$", "$.", "$.a[x]", "$.a.")):
        cw.put_insight_rule(RuleName=f"r{number}", RuleDefinition=json.dumps({
            "Schema": {"Name": "CloudWatchLogRule", "Version": 1}, "LogGroupNames": ["g"],
            "LogFormat": "JSON", "Contribution": {"Keys": [field]}, "AggregateOn": "Count"}))
        with pytest.raises(ClientError) as err:
            cw.get_insight_rule_report(RuleName=f"r{number}", Period=300,
                                       StartTime=datetime.fromtimestamp(START, timezone.utc),
                                       EndTime=datetime.fromtimestamp(START + 300, timezone.utc))
        assert err.value.response["Error"]["Code"] == "InvalidParameterValue", field


# -- the walk itself ----------------------------------------------------------------------------------------------
def test_values_fan_out_at_a_wildcard_and_value_says_missing_for_nothing():
    """LOGS (the wildcard selects every field of an object, every element of an array) and RULES (a path
    names one value); ``None`` is JSON's null, a value, and not ``MISSING``."""
    document = {"a": [{"b": 1}, {"b": 2}, {"c": 3}], "n": None}
    assert list(jsonpath.values(document, ("a", jsonpath.Wildcard.ANY, "b"))) == [1, 2]
    assert list(jsonpath.values(document, (jsonpath.Wildcard.ANY,))) == [document["a"], None]
    assert jsonpath.value(document, ("a", 1, "b")) == 2
    assert jsonpath.value(document, ("n",)) is None
    assert jsonpath.value(document, ("a", 3)) is jsonpath.MISSING
    assert jsonpath.value(document, ("a", "b")) is jsonpath.MISSING
