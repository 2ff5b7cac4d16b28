"""GetMetricData with Metrics Insights queries (an Expression that is SELECT … FROM …).

Facts: the user guide's "Metrics Insights query components and syntax" (AVG/COUNT/MAX/MIN/SUM, FROM a
namespace or SCHEMA(namespace, keys…) with exactly those dimensions, WHERE with = and != on single-quoted
label values joined by AND/OR, GROUP BY with "Other" for a metric without the key and groups in ascending
order, ORDER BY FUNCTION() ASC|DESC, LIMIT up to 500, case-insensitive keywords, double-quoted names) and
moto's aws_verified test_get_metric_data_with_expressive_expression (a SUM over a statistic set answers
its Sum; the label is the group value with GROUP BY, the Id without; the query's own Period).
"""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.exceptions import ClientError

from kumo_intercept import NotEmulatedError

pytestmark = pytest.mark.kumo(clock="virtual", strict=True)


@pytest.fixture
def cw(kumo):
    return boto3.client("cloudwatch")


@pytest.fixture
def window(cw, kumo):
    """Requests per host and path over two minutes; one metric has no Host, one no dimensions."""
    now = kumo.clock.now().replace(second=0, microsecond=0)
    first, second = now - dt.timedelta(minutes=2), now - dt.timedelta(minutes=1)

    def put(value, stamp, **dimensions):
        cw.put_metric_data(Namespace="Web/App", MetricData=[{
            "MetricName": "Requests", "Value": value, "Timestamp": stamp,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()]}])
    put(10, first, Host="a", Path="/x")
    put(20, second, Host="a", Path="/x")
    put(5, first, Host="b", Path="/x")
    put(1, first, Host="a", Path="/y")
    put(7, second, Path="/x")
    put(100, first)
    return now - dt.timedelta(minutes=5), now + dt.timedelta(minutes=1)


def select(cw, window, expression, **query):
    start, end = window
    return cw.get_metric_data(MetricDataQueries=[{"Id": "q", "Expression": expression, "Period": 60, **query}],
                              StartTime=start, EndTime=end, ScanBy="TimestampAscending")["MetricDataResults"]


def values(results):
    return {r["Label"]: r["Values"] for r in results}


def test_one_series_over_every_matching_metric(cw, window):
    results = select(cw, window, 'SELECT SUM(Requests) FROM "Web/App"')
    assert values(results) == {"q": [116.0, 27.0]}
    assert values(select(cw, window, 'select avg(Requests) from "Web/App"', Label="avg")) == {"avg": [29.0, 13.5]}
    assert values(select(cw, window, 'SELECT COUNT(Requests) FROM "Web/App"')) == {"q": [4.0, 2.0]}
    assert values(select(cw, window, 'SELECT MAX(Requests) FROM "Web/App"')) == {"q": [100.0, 20.0]}
    assert values(select(cw, window, 'SELECT MIN("Requests") FROM "Web/App"')) == {"q": [1.0, 7.0]}


def test_schema_keeps_metrics_with_exactly_those_dimensions(cw, window):
    assert values(select(cw, window, 'SELECT SUM(Requests) FROM SCHEMA("Web/App", Path, Host)')) == {
        "q": [16.0, 20.0]}
    assert values(select(cw, window, 'SELECT SUM(Requests) FROM SCHEMA("Web/App")')) == {"q": [100.0]}


def test_where_with_equality_and_or(cw, window):
    assert values(select(cw, window, """SELECT SUM(Requests) FROM "Web/App" WHERE Host = 'a' AND Path != '/y'""")) \
        == {"q": [10.0, 20.0]}
    assert values(select(cw, window,
                         """SELECT SUM(Requests) FROM "Web/App" WHERE (Host = 'b' OR Path = '/y') AND Host != 'z'""")) \
        == {"q": [6.0]}


def test_group_by_order_by_and_limit(cw, window):
    grouped = select(cw, window, """SELECT SUM(Requests) FROM "Web/App" WHERE Path = '/x' GROUP BY Host""")
    assert [(r["Label"], r["Values"]) for r in grouped] == [("Other", [7.0]), ("a", [10.0, 20.0]), ("b", [5.0])]
    top = select(cw, window, """SELECT SUM(Requests) FROM "Web/App" GROUP BY Host, Path ORDER BY MAX() DESC LIMIT 2""")
    assert [r["Label"] for r in top] == ["Other Other", "a /x"]
    ascending = select(cw, window, 'SELECT SUM(Requests) FROM "Web/App" GROUP BY Host ORDER BY SUM() ASC')
    assert [r["Label"] for r in ascending] == ["b", "a", "Other"]


@pytest.mark.parametrize("expression", [
    "SELECT SUM(Requests)",                                   # no FROM
    'SELECT MEDIAN(Requests) FROM "Web/App"',                 # not a Metrics Insights function
    'SELECT SUM(Requests) FROM Web/App',                      # a namespace with / must be quoted
    """SELECT SUM(Requests) FROM "Web/App" WHERE Host = "a\"""",  # label values are single-quoted
    'SELECT SUM(Requests) FROM "Web/App" LIMIT 501',
    'SELECT SUM(Requests) FROM "Web/App" ORDER BY MAX() DOWN',
    'SELECT SUM(LIMIT) FROM "Web/App"',                       # a keyword as a name must be quoted
])
def test_queries_outside_the_grammar_are_refused(cw, window, expression):
    with pytest.raises(ClientError) as err:
        select(cw, window, expression)
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_operators_beyond_the_grammar_are_not_emulated(cw, window):
    with pytest.raises(NotEmulatedError, match="LIKE"):
        select(cw, window, """SELECT SUM(Requests) FROM "Web/App" WHERE Host LIKE 'a%'""")


def test_a_query_result_feeds_metric_math(cw, window):
    start, end = window
    results = cw.get_metric_data(MetricDataQueries=[
        {"Id": "total", "Expression": 'SELECT SUM(Requests) FROM "Web/App"', "Period": 60, "ReturnData": False},
        {"Id": "half", "Expression": "total / 2"}], StartTime=start, EndTime=end,
        ScanBy="TimestampAscending")["MetricDataResults"]
    assert values(results) == {"half": [58.0, 13.5]}
