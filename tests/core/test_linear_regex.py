"""User patterns never hang: regexes and wildcards are matched in linear time.

The yes/no slow cases run in a worker thread with a generous 5 s bound (a backtracking engine takes
minutes on them); the capture cases assert only their answers (the suite's timeout reports a hang).
Captures are checked against Python's ``re`` (leftmost-first, as the engines AWS uses).
"""

from __future__ import annotations

import json
import random
import re
import threading
from typing import Any, Callable

import boto3
import pytest

from kumo_intercept import Emulator, kumo
from kumo_intercept.core.linear_regex import Regex, RegexError, Wildcard
from kumo_intercept.services.eventpatterns import PatternError, compile_pattern

BOUND = 5.0
EVIL_TEXT = "a" * 30 + "!"


def within_bound(work: Callable[[], Any]) -> Any:
    """``work()``'s result; fails if it does not finish within BOUND seconds."""
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(work()), daemon=True)
    worker.start()
    worker.join(BOUND)
    assert not worker.is_alive(), f"did not finish within {BOUND} s"
    return result[0]


@pytest.fixture
def aws() -> Any:
    with kumo(clock="virtual") as emulator:
        yield emulator


def test_nested_quantifiers_do_not_backtrack() -> None:
    assert within_bound(lambda: Regex("(a+)+$").search(EVIL_TEXT)) is False
    assert within_bound(lambda: Regex("(a|aa)*b").search("a" * 5000)) is False
    assert Regex("(a+)+$").search("a" * 30) is True


def test_many_stars_wildcard_is_linear() -> None:
    pattern = "*a" * 30 + "*b"
    pieces = pattern.split("*")
    assert within_bound(lambda: Wildcard(pieces).fullmatch("a" * 60)) is False
    assert Wildcard(pieces).fullmatch("a" * 60 + "b") is True


@pytest.mark.parametrize("pattern", [
    "a", "^a", "a$", "^$", "[hc]at", "colou?r", "a{3,5}", "^a{2}b", "x|y|zz", "[^abc]+$", r"\d{1,3}\.\d+",
    "(?i)error", "ERR(OR)?", "[a-c-]x", ".*b", "a.c", "(?:ab)*c$", r"\w+@\w+", r"[\]]", "a{2,}", "^(a|b)*$",
])
def test_answers_as_pythons_re_does(pattern: str) -> None:
    rng = random.Random(pattern)
    compiled, reference = Regex(pattern), re.compile(pattern)
    for _ in range(300):
        text = "".join(rng.choice("abcxyz.-@19 ERROr\nhatcolr]") for _ in range(rng.randrange(12)))
        assert compiled.search(text) == (reference.search(text) is not None), (pattern, text)


@pytest.mark.parametrize("pattern", [r"(a)\1", "(?=a)", "(?<!a)b", r"\bword", "a{2,1}", "(", "*a"])
def test_constructs_that_need_backtracking_are_refused(pattern: str) -> None:
    with pytest.raises(RegexError):
        Regex(pattern)


def test_logs_regex_filter_pattern_runs_linear(aws: Emulator) -> None:
    logs = boto3.client("logs")
    # "Supported regular expressions (regex) syntax" (CloudWatch Logs guide): no () groups, so the
    # nested form is refused, and a long run of alternatives/quantifiers still answers at once
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.test_metric_filter(filterPattern="%(a+)+$%", logEventMessages=[EVIL_TEXT])
    result = within_bound(lambda: logs.test_metric_filter(filterPattern="%a+a+a+a+a+a+a+a+a+a+a+b%",
                                                          logEventMessages=[EVIL_TEXT, "a" * 12 + "b"]))
    assert [m["eventMessage"] for m in result["matches"]] == ["a" * 12 + "b"]


def test_logs_wildcard_value_runs_linear(aws: Emulator) -> None:
    logs = boto3.client("logs")
    pattern = '{ $.v = "' + "*a" * 30 + '*b" }'
    messages = [json.dumps({"v": "a" * 60}), json.dumps({"v": "a" * 60 + "b"})]
    result = within_bound(lambda: logs.test_metric_filter(filterPattern=pattern, logEventMessages=messages))
    assert [m["eventNumber"] for m in result["matches"]] == [2]


def test_insights_like_regex_runs_linear(aws: Emulator) -> None:
    logs = boto3.client("logs")
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    now = int(aws.clock.time() * 1000)
    logs.put_log_events(logGroupName="g", logStreamName="s",
                        logEvents=[{"timestamp": now, "message": EVIL_TEXT}, {"timestamp": now, "message": "aaa"}])
    query = logs.start_query(logGroupName="g", startTime=now // 1000 - 60, endTime=now // 1000 + 60,
                             queryString="filter @message like /(a+)+$/ | fields @message")["queryId"]
    results = within_bound(lambda: logs.get_query_results(queryId=query))["results"]
    assert [[f["value"] for f in row if f["field"] == "@message"] for row in results] == [["aaa"]]


def test_eventbridge_and_sns_wildcards_run_linear() -> None:
    # AWS refuses such a pattern at create time (event-ruler's complexity limit) ...
    pattern = json.dumps({"detail": {"v": [{"wildcard": "*a" * 30 + "*b"}]}})
    with pytest.raises(PatternError, match="Rule is too complex"):
        compile_pattern(pattern)
    # ... and the wildcard matcher itself stays linear however many stars it is given
    matcher = Wildcard([""] + ["a"] * 30 + ["b"])
    assert within_bound(lambda: matcher.fullmatch("a" * 60)) is False
    assert matcher.fullmatch("a" * 60 + "b") is True
    accepted = compile_pattern(json.dumps({"detail": {"v": [{"wildcard": "*a*a*b"}]}}))
    assert within_bound(lambda: accepted({"detail": {"v": "a" * 5000}})) is False


# -- captures (Regex.find): the oracle is Python's ``re``, leftmost-first like the PCRE/Java engines
# AWS uses for ``parse /…(?<name>…)…/`` ("parse" in the CloudWatch Logs Insights query syntax guide)
CAPTURE_CASES = [
    (r"user=(?P<user>\w+) id=(?P<id>\d+)", ["GET user=bob id=42 ok", "user= id=1", "user=x id=1 user=y id=2"]),
    (r"(?<verb>GET|POST) (?<path>\S+)", ["10.0.0.9 POST /login 500", "PUT /x", "GET  /two-spaces"]),
    (r"((a)(b(c)?))+", ["abcab", "xabab", "ac"]),
    (r"(a|ab)(c|bcd)(d*)", ["abcd", "acd", "abd"]),
    (r"(x)?(y)?z", ["z", "yz", "xz", "xyz"]),
    (r"(?:(a)|b)*c", ["abc", "bac", "c"]),
    (r"(a*?)(a*)(a+?)", ["aaaa", "a", "b"]),
    (r"<(.+)>", ["<a><b>", "<>"]),
    (r"<(.+?)>", ["<a><b>", "x<yy>"]),
    (r"(\d{2,3}?)(\d*)", ["12345", "1"]),
    (r"^(\w+)@(\w+)$", ["me@host", "me@host\n", " me@host"]),
    (r"(a$|b)", ["ba", "a\n", "c"]),
    (r"(?i)(?P<word>err(or)?)", ["An ERROR here", "eRr", "none"]),
    (r"(a|)*", ["aa", "b"]),
    (r"(a*)+b", ["aab", "b"]),
    (r"(a?){2,3}?$", ["aa\n", "a"]),
]


def _named_for_re(pattern: str) -> str:
    return re.sub(r"\(\?<(\w+)>", r"(?P<\1>", pattern)  # ``re`` spells Insights' (?<name>…) (?P<name>…)


def _outcome(match: Any) -> Any:
    """What a ``re.Match`` or a ``RegexMatch`` found, comparable between the two (None: no match)."""
    return match and (match.span(), match.group(), match.groups(), match.groupdict())


@pytest.mark.parametrize("pattern,texts", CAPTURE_CASES)
def test_captures_agree_with_re(pattern: str, texts: list[str]) -> None:
    compiled, reference = Regex(pattern), re.compile(_named_for_re(pattern))
    for text in texts:
        assert _outcome(compiled.find(text)) == _outcome(reference.search(text)), (pattern, text)


def test_random_captures_agree_with_re() -> None:
    """Random patterns mixing groups, alternation, lazy and greedy repetition and anchors, over short
    texts where ``re`` does not backtrack for long."""
    rng = random.Random(7)
    pieces = ["a", "b", ".", "[ab]", "^", "$", "(a|)", "(b*)", "(a+?)", "(?:ab|a)", "(a?){1,2}", "(.)*?"]
    for _ in range(400):
        pattern = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 5)))
        compiled, reference = Regex(pattern), re.compile(pattern)
        for _ in range(10):
            text = "".join(rng.choice("aab\n") for _ in range(rng.randrange(7)))
            assert _outcome(compiled.find(text)) == _outcome(reference.search(text)), (pattern, text)


def test_group_names_are_checked() -> None:
    assert Regex(r"(?<a>x)(?P<b>y)(z)").group_names == ("a", "b", None)
    for pattern in ["(?<a>x)(?<a>y)", "(?<1a>x)", "(?<a x)"]:
        with pytest.raises(RegexError):
            Regex(pattern)


def test_catastrophic_patterns_capture_in_one_pass() -> None:
    # no timing assertion: ``re`` takes minutes to hours on the non-matching and the near-miss texts
    # (the suite's own timeout would catch a hang); the answers are checked
    assert Regex("(a+)+$").find(EVIL_TEXT) is None
    near_miss = Regex("(a+)+b").find("a" * 5000 + "!ab")
    assert near_miss is not None and (near_miss.span(), near_miss.groups()) == ((5001, 5003), ("a",))
    assert Regex("(a|aa)*c").find("a" * 5000) is None
    found = Regex("(a|aa)*c").find("a" * 5000 + "c")
    assert found is not None and (found.span(), found.groups()) == ((0, 5001), ("a",))
    assert Regex("(.*)*x").find("y" * 5000) is None
    found = Regex("(.*)*x").find("y" * 5000 + "x")
    assert found is not None and (found.span(), found.groups()) == ((0, 5001), ("",))
