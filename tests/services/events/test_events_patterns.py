"""The event pattern language, through TestEventPattern and PutRule's validation."""

from __future__ import annotations

import json

import pytest

EVENT = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {
        "instance-id": "i-1234567890abcdef0",
        "state": "terminated",
        "c-count": 5,
        "d-count": 3.5,
        "x-limit": 301.8,
        "source-ip": "10.0.0.123",
        "empty": "",
        "nothing": None,
        "flag": True,
        "location": "eu-west-1a",
        "tags": ["blue", "green"],
        "items": [{"sku": "A-1", "qty": 1}, {"sku": "B-2", "qty": 5}],
        "nested": {"deeper": {"value": "Hello World"}},
    },
}

CASES = [
    # exact values
    ({"source": ["aws.ec2"]}, True),
    ({"source": ["aws.s3"]}, False),
    ({"source": ["aws.s3", "aws.ec2"]}, True),
    ({"detail": {"state": ["terminated"]}}, True),
    ({"detail": {"c-count": [5]}}, True),
    ({"detail": {"c-count": [5.0]}}, True),
    ({"detail": {"c-count": ["5"]}}, False),
    ({"detail": {"empty": [""]}}, True),
    ({"detail": {"nothing": [None]}}, True),
    ({"detail": {"flag": [True]}}, True),
    ({"detail": {"flag": [1]}}, False),
    ({"detail": {"missing": [None]}}, False),
    ({"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}, True),
    # arrays in the event
    ({"detail": {"tags": ["green"]}}, True),
    ({"detail": {"tags": ["red"]}}, False),
    ({"detail": {"items": {"sku": ["B-2"], "qty": [5]}}}, True),
    ({"detail": {"items": {"sku": ["A-1"], "qty": [5]}}}, False),
    # prefix / suffix / equals-ignore-case / wildcard
    ({"detail": {"state": [{"prefix": "term"}]}}, True),
    ({"detail": {"state": [{"prefix": "run"}]}}, False),
    ({"detail": {"state": [{"prefix": {"equals-ignore-case": "TERM"}}]}}, True),
    ({"detail": {"location": [{"suffix": "-1a"}]}}, True),
    ({"detail": {"location": [{"suffix": {"equals-ignore-case": "-1A"}}]}}, True),
    ({"detail": {"state": [{"equals-ignore-case": "TERMINATED"}]}}, True),
    ({"detail": {"location": [{"wildcard": "eu-*-1?"}]}}, False),
    ({"detail": {"location": [{"wildcard": "eu-*-1a"}]}}, True),
    ({"detail": {"nested": {"deeper": {"value": [{"wildcard": "*World"}]}}}}, True),
    # anything-but
    ({"detail": {"state": [{"anything-but": "running"}]}}, True),
    ({"detail": {"state": [{"anything-but": ["terminated", "stopped"]}]}}, False),
    ({"detail": {"c-count": [{"anything-but": [1, 2, 3]}]}}, True),
    ({"detail": {"c-count": [{"anything-but": 5}]}}, False),
    ({"detail": {"state": [{"anything-but": {"prefix": "term"}}]}}, False),
    ({"detail": {"state": [{"anything-but": {"suffix": "ated"}}]}}, False),
    ({"detail": {"state": [{"anything-but": {"equals-ignore-case": ["RUNNING", "STOPPED"]}}]}}, True),
    ({"detail": {"state": [{"anything-but": {"wildcard": "term*"}}]}}, False),
    ({"detail": {"missing": [{"anything-but": "x"}]}}, False),
    # numeric
    ({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}, True),
    ({"detail": {"c-count": [{"numeric": [">", 5]}]}}, False),
    ({"detail": {"d-count": [{"numeric": ["<", 10]}]}}, True),
    ({"detail": {"x-limit": [{"numeric": ["=", 3.018e2]}]}}, True),
    ({"detail": {"state": [{"numeric": [">", 0]}]}}, False),
    # exists
    ({"detail": {"state": [{"exists": True}]}}, True),
    ({"detail": {"missing": [{"exists": False}]}}, True),
    ({"detail": {"state": [{"exists": False}]}}, False),
    ({"detail": {"nested": [{"exists": True}]}}, False),
    # cidr
    ({"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}, True),
    ({"detail": {"source-ip": [{"cidr": "10.0.1.0/24"}]}}, False),
    # $or
    ({"source": ["aws.ec2"], "$or": [{"detail": {"c-count": [{"numeric": [">", 10]}]}},
                                     {"detail": {"d-count": [{"numeric": ["<", 10]}]}}]}, True),
    ({"detail": {"$or": [{"c-count": [{"numeric": [">", 10]}]}, {"x-limit": [0]}]}}, False),
    # every field must match
    ({"source": ["aws.ec2"], "detail-type": ["Other"]}, False),
]


@pytest.mark.parametrize("pattern, expected", CASES)
def test_pattern_matching(events, pattern, expected):
    result = events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(EVENT))
    assert result["Result"] is expected


INVALID = [
    ({"source": "aws.ec2"}, '"source" must be an object or an array'),
    ({"source": []}, "Empty arrays are not allowed"),
    ({}, "Empty objects are not allowed"),
    ({"a": [{"prefix": 1}]}, "prefix match pattern must be a string"),
    ({"a": [{"numeric": [">", "x"]}]}, "Value of > must be numeric"),
    ({"a": [{"numeric": ["~", 1]}]}, "Unrecognized numeric range operator: ~"),
    ({"a": [{"numeric": [">", 1, ">", 2]}]}, "Bad numeric range operator: >"),
    ({"a": [{"exists": "true"}]}, "exists match pattern must be either true or false."),
    ({"a": [{"anything-but": ["x", 1]}]},
     "Inside anything but list, either all values are number or string, mixed type is not supported"),
    ({"a": [{"anything-but": {"contains": "x"}}]}, "Unsupported anything-but pattern: contains"),
    ({"a": [{"regex": "x"}]}, "Unrecognized match type regex"),
    ({"a": [{"wildcard": "a**b"}]}, "Consecutive wildcard characters at pos 2"),
    ({"a": [{"prefix": "x", "suffix": "y"}]}, "Only one key allowed in match expression"),
    ({"$or": [{"a": ["x"]}]}, "There must have at least 2 Objects in $or relationship."),
    ({"a": [["nested"]]}, "Match value must be String, number, true, false, or null"),
]


@pytest.mark.parametrize("pattern, reason", INVALID)
def test_invalid_patterns(events, pattern, reason):
    with pytest.raises(events.exceptions.InvalidEventPatternException) as err:
        events.put_rule(Name="r", EventPattern=json.dumps(pattern))
    message = err.value.response["Error"]["Message"]
    assert message.startswith(f"Event pattern is not valid. Reason: {reason}")
    with pytest.raises(events.exceptions.InvalidEventPatternException):
        events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(EVENT))


@pytest.mark.parametrize("pattern, reason, column", [
    ('{"source": "aws.ec2"}', '"source" must be an object or an array', 13),
    ('{"source": []}', "Empty arrays are not allowed", 14),
    ('{"a": [{"numeric": [">", 5, "<", 1]}]}', "Bottom must be less than top", 36),
    ('{"a": [{"regex": "x"}]}', "Unrecognized match type regex", 19),
    ('[1]', "Filter is not an object", 2),
])
def test_invalid_patterns_say_where_the_parser_stood(events, pattern, reason, column):
    with pytest.raises(events.exceptions.InvalidEventPatternException) as err:
        events.put_rule(Name="r", EventPattern=pattern)
    assert err.value.response["Error"]["Message"] == (
        f'Event pattern is not valid. Reason: {reason}\n at [Source: (String)"{pattern}"; line: 1, column: {column}]')


def test_pattern_that_is_not_json(events):
    with pytest.raises(events.exceptions.InvalidEventPatternException) as err:
        events.put_rule(Name="r", EventPattern="{source: x")
    assert err.value.response["Error"]["Message"].startswith("Event pattern is not valid. Reason: ")


def test_test_event_pattern_checks_the_event(events):
    with pytest.raises(events.exceptions.ClientError) as err:
        events.test_event_pattern(EventPattern='{"source": ["x"]}', Event='{"source": "x"}')
    assert err.value.response["Error"]["Code"] == "ValidationException"
