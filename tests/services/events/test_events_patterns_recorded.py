"""Event patterns as AWS's event ruler answers them, pinned to LocalStack's AWS-validated pattern
templates (tests/aws/services/events/event_pattern_templates/, whose ``_NEG``/``_EXC`` name says
what AWS answered, and test_events_patterns.snapshot.json for the refusals' wording). Each case names
the template it learned its fact from; events and patterns here are our own.
"""

from __future__ import annotations

import json

import pytest


def matches(events, pattern: dict, detail: dict) -> bool:
    event = {"id": "1", "source": "orders", "detail-type": "placed", "account": "123456789012",
             "region": "us-east-1", "time": "2026-01-01T00:00:00Z", "detail": detail}
    answer = events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))
    return answer["Result"]


def refusal(events, pattern: dict) -> str:
    with pytest.raises(events.exceptions.InvalidEventPatternException) as err:
        events.put_rule(Name="recorded", EventPattern=json.dumps(pattern))
    return err.value.response["Error"]["Message"].split("\n at [Source:")[0]


@pytest.mark.parametrize("operand, value, expected", [
    # content_anything_prefix_null / _int_value / _list / _list_NEG / _list_int / _list_null
    ({"prefix": "pend"}, None, True),
    ({"prefix": "pend"}, 7, True),
    ({"prefix": ["pend", "fail"]}, "shipped", True),
    ({"prefix": ["pend", "fail"]}, "failed", False),
    ({"prefix": ["pend", "fail"]}, 7, True),
    ({"prefix": ["pend", "fail"]}, None, True),
    # content_anything_suffix_null / _list / _list_NEG
    ({"suffix": ".tmp"}, None, True),
    ({"suffix": [".tmp", ".bak"]}, "report.pdf", True),
    ({"suffix": [".tmp", ".bak"]}, "report.bak", False),
    # content_anything_wildcard_int / _null / _list_null
    ({"wildcard": "*/cache/*"}, 12, True),
    ({"wildcard": "*/cache/*"}, None, True),
    ({"wildcard": ["*/cache/*", "*/tmp/*"]}, None, True),
    # content_anything_but_ignorecase_null / _list_null
    ({"equals-ignore-case": "pending"}, None, True),
    ({"equals-ignore-case": ["pending", "failed"]}, None, True),
])
def test_anything_but_operators_let_non_strings_through(events, operand, value, expected):
    assert matches(events, {"detail": {"state": [{"anything-but": operand}]}}, {"state": value}) is expected


def test_anything_but_misses_an_absent_field(events):
    """content_anything_prefix_list_missing_NEG, content_anything_suffix_list_missing_NEG."""
    assert matches(events, {"detail": {"state": [{"anything-but": {"prefix": ["a", "b"]}}]}}, {}) is False


def test_dot_joined_field_names_match_nested_ones(events):
    """dot_joining_event and dot_joining_pattern: event-ruler reads names dot-joined on both sides."""
    assert matches(events, {"detail": {"order": {"status": ["paid"]}}}, {"order.status": "paid"}) is True
    assert matches(events, {"detail": {"order.status": ["paid"]}}, {"order": {"status": "paid"}}) is True
    assert matches(events, {"detail": {"order.status": ["paid"]}}, {"order": {"status": "open"}}) is False


@pytest.mark.parametrize("pattern, reason", [
    # content_anything_prefix_ignorecase_EXC / content_anything_suffix_ignorecase_EXC
    ({"a": [{"anything-but": {"prefix": {"equals-ignore-case": "x"}}}]},
     "Value of anything-but must be an array or single string/number value."),
    ({"a": [{"anything-but": {"suffix": {"equals-ignore-case": "x"}}}]},
     "Value of anything-but must be an array or single string/number value."),
    # content_anything_suffix_list_null_type_EXC / content_anything_prefix_list_type_EXC
    ({"a": [{"anything-but": {"suffix": [None, ".x"]}}]}, "prefix/suffix match pattern must be a string"),
    ({"a": [{"anything-but": {"prefix": [1, "x"]}}]}, "prefix/suffix match pattern must be a string"),
    # content_anything_but_ignorecase_list_EXC
    ({"a": [{"anything-but": {"equals-ignore-case": [1, "x"]}}]},
     "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."),
    # content_ip_address_bad_mask_EXC: the mask is checked before the address
    ({"a": [{"cidr": "nope-/24x"}]}, "Malformed CIDR, mask bits must be an integer"),
    # content_wildcard_complex_EXC
    ({"arn": [{"wildcard": "*:*:*:*:*:rule/*"}]},
     "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a "
     "wildcard character"),
])
def test_refusals_in_aws_words(events, pattern, reason):
    assert refusal(events, pattern) == f"Event pattern is not valid. Reason: {reason}"


def test_wildcard_complexity_counts_all_patterns_of_a_field(events):
    """content_wildcard_repeating (accepted) against content_wildcard_complex_EXC (refused): the limit is on
    how many pattern prefixes one value can match at once, summed over the field's wildcard patterns."""
    events.put_rule(Name="deep", EventPattern=json.dumps({"key": [{"wildcard": "/home/*/a/a/a/a/a/f.txt"}]}))
    events.put_rule(Name="two", EventPattern=json.dumps({"key": [{"wildcard": "*/in/*.csv"},
                                                                 {"wildcard": "*/in/*.tsv"}]}))
    four = {"key": [{"wildcard": f"*/in/*.{kind}"} for kind in ("csv", "tsv", "psv", "txt")]}
    assert refusal(events, four).endswith("Rule is too complex - try using fewer wildcard characters or fewer "
                                          "repeating character sequences after a wildcard character")


def test_wildcard_complexity_counts_or_branches_together(events):
    """The four patterns refused together above, split over ``$or`` branches: event-ruler
    puts every sub-rule of an ``$or`` into one machine, and branches reaching the same field from the same
    state share its value machine (GenericMachine.addStep), whose complexity the limit is on
    (MachineComplexityEvaluator) -- so AWS refuses the split pattern as it refuses the joined one."""
    split = {"$or": [{"key": [{"wildcard": f"*/in/*.{kind}"}]} for kind in ("csv", "tsv", "psv", "txt")]}
    assert refusal(events, split).endswith("Rule is too complex - try using fewer wildcard characters or fewer "
                                           "repeating character sequences after a wildcard character")
    nested = {"detail": {"$or": [{"key": [{"wildcard": "*/in/*.csv"}, {"wildcard": "*/in/*.tsv"}]},
                                 {"key": [{"wildcard": "*/in/*.psv"}, {"wildcard": "*/in/*.txt"}]}]}}
    assert refusal(events, nested).endswith("fewer repeating character sequences after a wildcard character")


def test_or_branches_apart_in_the_machine_are_counted_apart(events):
    """Two branches share a field's value machine only when every field before it (in name order) names the
    same values: after ``a`` = 1 and ``a`` = 2 the field ``key`` sits in two machines, each simple enough."""
    apart = {"$or": [{"a": ["1"], "key": [{"wildcard": f"*/in/*.{kind}"} for kind in ("csv", "tsv")]},
                     {"a": ["2"], "key": [{"wildcard": f"*/in/*.{kind}"} for kind in ("psv", "txt")]}]}
    events.put_rule(Name="apart", EventPattern=json.dumps(apart))
    same = {"$or": [{"key": [{"wildcard": "*/in/*.csv"}]}, {"key": [{"wildcard": "*/in/*.csv"}], "z": ["1"]}]}
    events.put_rule(Name="same-pattern-twice", EventPattern=json.dumps(same))
