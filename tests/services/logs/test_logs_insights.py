"""CloudWatch Logs Insights queries over stored events."""

from __future__ import annotations

import json

import pytest

LINES = [
    json.dumps({"level": "ERROR", "latency": 150, "host": "a", "user": {"id": "u1"}}),
    json.dumps({"level": "INFO", "latency": 20, "host": "a", "user": {"id": "u2"}}),
    json.dumps({"level": "INFO", "latency": 40, "host": "b", "user": {"id": "u1"}}),
    "127.0.0.1 GET /index.html 200 512",
    "10.0.0.9 POST /login 500 31",
]


def _store(logs, now_ms, messages):
    """Puts ``messages`` in /app/s1, a second apart from ``now_ms - 5000`` on; returns ``now_ms``."""
    logs.create_log_group(logGroupName="/app")
    logs.create_log_stream(logGroupName="/app", logStreamName="s1")
    logs.put_log_events(logGroupName="/app", logStreamName="s1", logEvents=[
        {"timestamp": now_ms - 5000 + i * 1000, "message": message} for i, message in enumerate(messages)])
    return now_ms


@pytest.fixture
def loaded(logs, now_ms):
    return _store(logs, now_ms, LINES)


def _query(logs, text, now_ms, **kwargs):
    query_id = logs.start_query(logGroupName="/app", startTime=now_ms // 1000 - 3600,
                                endTime=now_ms // 1000 + 60, queryString=text, **kwargs)["queryId"]
    result = logs.get_query_results(queryId=query_id)
    assert result["status"] == "Complete"
    return [{cell["field"]: cell["value"] for cell in row} for row in result["results"]], result


def test_filter_fields_sort_limit(logs, loaded):
    rows, result = _query(logs, 'fields @timestamp, level, latency | filter latency > 30 | sort latency desc',
                          loaded)
    assert [(r["level"], r["latency"]) for r in rows] == [("ERROR", "150"), ("INFO", "40")]
    assert rows[0]["@timestamp"] == "2024-12-31 23:59:55.000"
    assert "@ptr" in rows[0]
    assert result["statistics"]["recordsScanned"] == 5 and result["statistics"]["recordsMatched"] == 2


def test_like_and_default_fields(logs, loaded):
    rows, _ = _query(logs, "filter @message like /POST|GET/ | limit 1", loaded)
    assert len(rows) == 1
    assert set(rows[0]) == {"@timestamp", "@message", "@logStream", "@log", "@ptr"}
    assert rows[0]["@message"] == LINES[4]  # newest first without a sort
    assert rows[0]["@log"] == "123456789012:/app"


def test_stats_by_field(logs, loaded):
    rows, _ = _query(logs, "filter ispresent(level) | stats count(*) as n, avg(latency) as avg_ms by host "
                           "| sort host", loaded)
    assert rows == [{"host": "a", "n": "2", "avg_ms": "85"}, {"host": "b", "n": "1", "avg_ms": "40"}]


def test_nested_fields_and_in(logs, loaded):
    rows, _ = _query(logs, 'fields user.id | filter user.id in ["u1"] and level != "ERROR"', loaded)
    assert [r["user.id"] for r in rows] == ["u1"]


def test_parse_glob_and_regex(logs, loaded):
    rows, _ = _query(logs, 'parse @message "* * * * *" as ip, verb, path, status, bytes '
                           '| filter status >= 500 | display ip, path', loaded)
    assert [{k: v for k, v in r.items() if k != "@ptr"} for r in rows] == [{"ip": "10.0.0.9", "path": "/login"}]
    query = r"parse @message /(?<verb>GET|POST) (?<path>\S+)/ | filter ispresent(verb) | stats count(*) by verb"
    rows, _ = _query(logs, query + " | sort verb", loaded)
    assert rows == [{"verb": "GET", "count(*)": "1"}, {"verb": "POST", "count(*)": "1"}]


def test_stats_by_time_bin(logs, loaded):
    rows, _ = _query(logs, "stats count(*) as n by bin(1h)", loaded)
    assert rows == [{"bin(1h)": "1735686000000", "n": "5"}]


def test_malformed_query_and_unknown_group(logs, loaded):
    with pytest.raises(logs.exceptions.MalformedQueryException):
        _query(logs, "frobnicate everything", loaded)
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.start_query(logGroupName="/missing", startTime=0, endTime=1, queryString="fields @message")


def test_describe_and_stop_queries(logs, loaded):
    query_id = logs.start_query(logGroupName="/app", startTime=0, endTime=loaded // 1000,
                                queryString="fields @message")["queryId"]
    [query] = logs.describe_queries()["queries"]
    assert (query["queryId"], query["status"], query["logGroupName"]) == (query_id, "Complete", "/app")
    assert logs.stop_query(queryId=query_id)["success"] is False


# -- user regexes and globs run in linear time ("parse" in the CloudWatch Logs Insights query syntax
# guide: a glob with * or a regex with named capturing groups (?<name>…)); ``re`` would backtrack for
# minutes on these texts, so a hang here is a failure the suite's timeout reports
@pytest.fixture
def evil(logs, now_ms):
    return _store(logs, now_ms, ["a" * 40 + "!", "aaa", "key=" * 2000, "key=1 key=2 end"])


def test_parse_regex_with_nested_repetition_answers_at_once(logs, evil):
    rows, _ = _query(logs, "parse @message /(?<x>(a+)+)$/ | filter ispresent(x) | display x", evil)
    assert [row["x"] for row in rows] == ["aaa"]


def test_parse_glob_over_long_non_matching_messages(logs, evil):
    # as a regex, "*key=*key=*key=* end" is (.*?)key=(.*?)key=(.*?)key=(.*) end: ``re`` backtracks
    # polynomially (about n**4) over 2000 "key=" with no " end"
    rows, _ = _query(logs, 'parse @message "*key=*key=*key=* end" as a, b, c, d | filter ispresent(b) '
                           "| display a, b, c, d", evil)
    assert rows == []
    rows, _ = _query(logs, 'parse @message "key=* key=* end" as first, second | filter ispresent(first) '
                           "| display first, second", evil)
    assert [(row["first"], row["second"]) for row in rows] == [("1", "2")]


def test_parse_glob_stars_are_lazy_but_the_last_is_greedy(logs, evil):
    # the glob is read like the regex (.*?)=(.*) (the first = splits, the last * takes the rest)
    rows, _ = _query(logs, 'parse @message "*=*" as name, rest | filter name = "key" | display rest | limit 1',
                     evil)
    assert rows[0]["rest"] == "1 key=2 end"


@pytest.mark.parametrize("query", [
    r"parse @message /(?<x>a)\1/",  # a back-reference needs backtracking
    "parse @message /(?<=a)(?<x>b)/",  # so does look-behind
    "fields /a+/ as x",  # a regex is read only by like, =~ and parse
])
def test_regex_the_linear_engine_cannot_run_is_a_malformed_query(logs, evil, query):
    with pytest.raises(logs.exceptions.MalformedQueryException):
        _query(logs, query, evil)
