"""GetMetricData metric math through boto3.

Facts: the user guide's "Using metric math" (expressions over query ids, + - * / ^, arrays, SUM/AVG/MIN/
MAX of an array per timestamp and of one series as a scalar, FILL, RATE, METRICS(); an expression's
label is its Id unless given; ReturnData=False hides a query's own result) and MetricDataQuery in the
API reference (one of Expression and MetricStat).
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


def _stat(name: str) -> dict:
    return {"Metric": {"Namespace": "App", "MetricName": name}, "Period": 60, "Stat": "Sum"}


@pytest.fixture
def window(cw, kumo):
    now = kumo.clock.now().replace(second=0, microsecond=0)
    for minute, (errors, requests) in enumerate([(1, 10), (3, 20)]):
        stamp = now - dt.timedelta(minutes=2 - minute)
        cw.put_metric_data(Namespace="App", MetricData=[
            {"MetricName": "Errors", "Value": errors, "Timestamp": stamp},
            {"MetricName": "Requests", "Value": requests, "Timestamp": stamp}])
    return now - dt.timedelta(minutes=5), now + dt.timedelta(minutes=1)


def _query(cw, window, *queries):
    start, end = window
    results = cw.get_metric_data(MetricDataQueries=list(queries), StartTime=start, EndTime=end,
                                 ScanBy="TimestampAscending")["MetricDataResults"]
    return {r["Id"]: r for r in results}


def test_arithmetic_between_series_and_scalars(cw, window):
    results = _query(cw, window,
                     {"Id": "errors", "MetricStat": _stat("Errors"), "ReturnData": False},
                     {"Id": "requests", "MetricStat": _stat("Requests"), "ReturnData": False},
                     {"Id": "rate", "Expression": "100 * errors / requests", "Label": "Error rate"},
                     {"Id": "both", "Expression": "errors + requests ^ 2 - (1)"})
    assert set(results) == {"rate", "both"}
    assert results["rate"]["Label"] == "Error rate" and results["rate"]["Values"] == [10.0, 15.0]
    assert results["both"]["Label"] == "both" and results["both"]["Values"] == [100.0, 402.0]
    assert len(results["rate"]["Timestamps"]) == 2


def test_functions_and_arrays(cw, window):
    results = _query(cw, window,
                     {"Id": "errors", "MetricStat": _stat("Errors"), "ReturnData": False},
                     {"Id": "requests", "MetricStat": _stat("Requests"), "ReturnData": False},
                     {"Id": "per_minute", "Expression": "SUM([errors, requests])"},
                     {"Id": "total", "Expression": "SUM(METRICS())"},
                     {"Id": "growth", "Expression": "RATE(requests) * 60"},
                     {"Id": "average", "Expression": "AVG(errors)"})
    assert results["per_minute"]["Values"] == [11.0, 23.0]
    assert results["total"]["Values"] == [11.0, 23.0]
    assert results["growth"]["Values"] == [10.0]
    assert set(results["average"]["Values"]) == {2.0}  # a scalar is drawn over the whole range


def test_fill_and_division_by_zero(cw, window):
    results = _query(cw, window,
                     {"Id": "errors", "MetricStat": _stat("Errors"), "ReturnData": False},
                     {"Id": "filled", "Expression": "FILL(errors, 0)"},
                     {"Id": "nothing", "Expression": "errors / 0"})
    assert sorted(results["filled"]["Values"]) == [0.0] * 4 + [1.0, 3.0]
    assert results["nothing"]["Values"] == []


def test_errors(cw, window):
    start, end = window
    with pytest.raises(ClientError) as err:
        cw.get_metric_data(MetricDataQueries=[{"Id": "e1", "Label": "nothing"}], StartTime=start, EndTime=end)
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
    for expression in ("unknown * 2", "SUM(", "NOPE(errors)"):
        with pytest.raises(ClientError) as err:
            _query(cw, window, {"Id": "e1", "Expression": expression})
        assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(NotEmulatedError, match="SEARCH"):
        _query(cw, window, {"Id": "e1", "Expression": "SEARCH('{App} Errors', 'Sum')", "Period": 60})
    with pytest.raises(ClientError) as err:
        cw.get_metric_data(MetricDataQueries=[{"Id": "e1", "MetricStat": _stat("Errors")}], StartTime=end,
                           EndTime=start)
    assert err.value.response["Error"]["Code"] == "ValidationError"
