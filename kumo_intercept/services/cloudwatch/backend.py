"""CloudWatch metrics basics: PutMetricData, GetMetricStatistics, GetMetricData (metric queries),
ListMetrics, and alarms as stored records (PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric,
SetAlarmState, DeleteAlarms, Enable/DisableAlarmActions, tags). Dashboards (``dashboards.py``),
Contributor Insights rules (``insight_rules.py``) and anomaly detectors (``anomaly_detectors.py``) are
stored configuration mixed in from their modules.

State:

- ``cloudwatch.data`` (ordered) ``(account, region, namespace, metric, dimensions, timestamp, request id,
  index)`` -> one datum: ``{"Values": [...], "Counts": [...]}`` or ``{"Stats": {SampleCount, Sum,
  Minimum, Maximum}}``, and its ``Unit``. ``dimensions`` is the canonical text of the sorted
  dimensions (``"Name=Value\\x00…"``).
- ``cloudwatch.metrics`` ``(account, region, namespace, metric, dimensions)`` -> ``{"Dimensions",
  "Last"}`` for ListMetrics.
- ``cloudwatch.alarms`` ``(account, region, name)`` -> the alarm as DescribeAlarms shows it, with
  epoch times.

Internal method for other services (the ``MetricPort`` of core/ports.py):
``put_metric_data_internal(account, region, namespace, metric_data)`` stores plain ``Value`` data
points now, in any namespace (AWS services publish to ``AWS/…``, which PutMetricData refuses).

Statistics are computed from the stored data at read time (periods aligned to the epoch, as
CloudWatch aligns them); percentiles (``p99``, ``p50.5``) come from raw values. Alarms are not
evaluated against the data: their state changes only through ``SetAlarmState``, which (with actions
enabled) publishes AWS's alarm message to SNS topics among the state's actions. GetMetricData
evaluates metric math expressions (``metric_math.py``) and Metrics Insights SELECT queries
(``metrics_insights.py``) over the stored data.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from typing import Any, Iterable, Mapping, cast

from ...core.clock import from_epoch
from ...api import NoMembers
from ...api import cloudwatch as api
from ...core.dispatch import Ctx, RequestContext, ServiceBackend
from ...core.errors import AwsError
from . import composite, metric_math, metrics_insights, schema
from .anomaly_detectors import AnomalyDetectorOperations
from .dashboards import DashboardOperations
from .insight_rules import InsightRuleOperations

_STATS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
_STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
HISTORY_SECONDS = 30 * 86400
#: pNN.NN and the trimmed/winsorized/percentile-rank forms of the user guide's "CloudWatch statistics
#: definitions": tm99, TM(10%:90%), PR(:300), ...
_EXTENDED_STATISTIC = re.compile(r"(?:p|tm|wm|tc|ts)(?:100|\d{1,2}(?:\.\d+)?)|(?:TM|WM|TC|TS|PR|IQM)(?:\(.*\))?",
                                 re.IGNORECASE)
_ACTIONS = {"OK": "OKActions", "ALARM": "AlarmActions", "INSUFFICIENT_DATA": "InsufficientDataActions"}


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message, 400, fields={"message": message})


def _dimensions_key(dimensions: Iterable[api.Dimension] | None) -> str:
    return "\x00".join(f"{d['Name']}={d['Value']}" for d in sorted(dimensions or [], key=lambda d: d["Name"]))


def _dimensions(key: str) -> list[dict]:
    if not key:
        return []
    return [{"Name": name, "Value": value} for name, _, value in (part.partition("=") for part in key.split("\x00"))]


def _iso(epoch: float) -> str:
    return from_epoch(epoch).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(epoch * 1000) % 1000:03d}+0000"


#: the most data points GetMetricData returns per call (MaxDatapoints, GetMetricData API reference)
_MAX_DATAPOINTS = 100_800
#: the most data points a GetMetricStatistics call may ask for (its API reference: 1,440)
_MAX_STATISTICS_DATAPOINTS = 1440

class CloudWatchBackend(DashboardOperations, InsightRuleOperations, AnomalyDetectorOperations, ServiceBackend):
    service_name = "cloudwatch"
    #: the model's max/pattern/enum checks, worded "1 validation error detected: ..." with the code AWS
    #: sends (LocalStack's AWS-recorded test_set_alarm_invalid_input: ValidationError for a StateValue
    #: outside the enum)
    input_error_code = "ValidationError"
    missing_parameter = ("MissingParameter", "The parameter {name} is required.")

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.data = schema.DATA.open_ordered(self.store)
        self.metrics = schema.METRICS.open(self.store)
        self.alarms = schema.ALARMS.open(self.store)
        self.dashboards = schema.DASHBOARDS.open(self.store)
        self.history = schema.HISTORY.open_ordered(self.store)
        self.insight_rules = schema.INSIGHT_RULES.open_ordered(self.store)
        self.anomaly_detectors = schema.ANOMALY_DETECTORS.open_ordered(self.store)
        #: the last history sequence number handed out (derived: gaps after a rolled-back call are harmless)
        self._history_seq = max((key[3] for key in self.history.keys()), default=0)

    # -- metric data --------------------------------------------------------------------------
    def put_metric_data(self, ctx: Ctx[api.PutMetricDataRequest]) -> api.PutMetricDataResult:
        params = ctx.params
        namespace = params["Namespace"]
        if namespace.startswith("AWS/"):
            raise _invalid(f"The value {namespace} for parameter Namespace is invalid.")
        data = params.get("MetricData") or []
        if not data:
            raise AwsError("MissingParameter", "The parameter MetricData is required.", 400,
                           fields={"message": "The parameter MetricData is required."})
        now = ctx.time()
        for index, datum in enumerate(data):
            where = f"MetricData.member.{index + 1}"
            self._check_value_combination(datum, where)
            stamp = datum["Timestamp"].timestamp() if datum.get("Timestamp") is not None else now
            if stamp < now - 14 * 86400 or stamp > now + 2 * 3600:
                raise _invalid(f"The parameter {where}.Timestamp must specify a time no more than two weeks in "
                               "the past and no more than two hours in the future.")
            if "StatisticValues" in datum:
                record: dict[str, Any] = {"Stats": dict(datum["StatisticValues"])}
            elif "Values" in datum:
                values = [float(v) for v in datum["Values"]]
                counts = [float(c) for c in datum.get("Counts") or [1.0] * len(values)]
                if len(counts) != len(values):
                    raise _invalid(f"The parameters {where}.Values and {where}.Counts must be of the same size.")
                record = {"Values": values, "Counts": counts}
            elif "Value" in datum:
                value = float(datum["Value"])
                if math.isnan(value) or math.isinf(value):
                    raise _invalid(f"The value {datum['Value']} for parameter {where}.Value is invalid.")
                record = {"Values": [value], "Counts": [1.0]}
            else:
                raise AwsError("MissingParameter", f"The parameter {where}.Value is required.", 400,
                               fields={"message": f"The parameter {where}.Value is required."})
            record["Unit"] = datum.get("Unit", "None")
            self._store_datum(ctx.account, ctx.region, namespace, datum, record, (stamp, ctx.request_id, index), now)
        return {}

    @staticmethod
    def _check_value_combination(datum: Mapping[str, Any], where: str) -> None:
        """Value excludes Values and StatisticValues; Values with StatisticValues is accepted (AWS does:
        LocalStack's AWS-recorded test_put_metric_data_validation, words and code included)."""
        for other in ("Values", "StatisticValues"):
            if "Value" in datum and other in datum:
                message = (f"The parameters {where}.Value and {where}.{other} are mutually exclusive and you "
                           "have specified both.")
                raise AwsError("InvalidParameterCombination", message, 400, fields={"message": message})

    def _store_datum(self, account: str, region: str, namespace: str, datum: Mapping[str, Any], record: dict,
                     where: tuple[float, str, int], now: float) -> None:
        """One datum's record at (timestamp, request id, index), and its metric for ListMetrics."""
        metric_key = (account, region, namespace, datum["MetricName"], _dimensions_key(datum.get("Dimensions")))
        self.data.put((*metric_key, *where), record)
        known = self.metrics.get(metric_key)
        if known is None or known["Last"] < now:
            self.metrics.put(metric_key, {"Dimensions": [dict(d) for d in datum.get("Dimensions") or []],
                                          "Last": now})

    def put_metric_data_internal(self, account: str, region: str, namespace: str,
                                 metric_data: list[dict[str, Any]]) -> None:
        now = self.emulator.clock.time()
        batch = self.emulator.ids.hex(16)  # stands in for the request id that keeps data points apart
        for index, datum in enumerate(metric_data):
            record = {"Values": [float(datum["Value"])], "Counts": [1.0], "Unit": datum.get("Unit", "None")}
            self._store_datum(account, region, namespace, datum, record, (now, batch, index), now)

    def _points(self, metric_key: tuple, start: float, end: float, unit: str | None) -> list[tuple[float, dict]]:
        low = (*metric_key, start)
        high = (*metric_key, end)
        out = []
        for key, record in self.data.items_range(low, high, (True, False)):
            if unit is None or record.get("Unit") == unit:
                out.append((key[5], record))
        return out

    @staticmethod
    def _aggregate(records: list[dict], stats: list[str]) -> dict[str, float]:
        count = total = 0.0
        low, high = math.inf, -math.inf
        raw: list[tuple[float, float]] = []
        for record in records:
            if "Stats" in record:
                s = record["Stats"]
                count += s["SampleCount"]
                total += s["Sum"]
                low = min(low, s["Minimum"])
                high = max(high, s["Maximum"])
            else:
                for value, weight in zip(record["Values"], record["Counts"]):
                    count += weight
                    total += value * weight
                    low = min(low, value)
                    high = max(high, value)
                    raw.append((value, weight))
        out: dict[str, float] = {}
        for stat in stats:
            if stat == "SampleCount":
                out[stat] = count
            elif stat == "Sum":
                out[stat] = total
            elif stat == "Average":
                out[stat] = total / count if count else 0.0
            elif stat == "Minimum":
                out[stat] = low
            elif stat == "Maximum":
                out[stat] = high
            elif stat.startswith("p"):
                out[stat] = CloudWatchBackend._percentile(raw, float(stat[1:]))
            else:
                raise _invalid(f"The value {stat} for parameter Stat is invalid.")
        return out

    @staticmethod
    def _percentile(raw: list[tuple[float, float]], percent: float) -> float:
        if not raw:
            return 0.0
        ordered = sorted(raw)
        total = sum(weight for _, weight in ordered)
        wanted = total * percent / 100.0
        seen = 0.0
        for value, weight in ordered:
            seen += weight
            if seen >= wanted:
                return value
        return ordered[-1][0]

    def _buckets(self, metric_key: tuple, start: float, end: float, period: int,
                 unit: str | None) -> dict[float, list[dict]]:
        buckets: dict[float, list[dict]] = {}
        for stamp, record in self._points(metric_key, start, end, unit):
            buckets.setdefault(math.floor(stamp / period) * period, []).append(record)
        return buckets

    def get_metric_statistics(self, ctx: Ctx[api.GetMetricStatisticsRequest]) -> api.GetMetricStatisticsResult:
        params = ctx.params
        stats = list(params.get("Statistics") or []) + list(params.get("ExtendedStatistics") or [])
        if not stats:
            raise AwsError("MissingParameter", "Must specify either Statistics or ExtendedStatistics.", 400,
                           fields={"message": "Must specify either Statistics or ExtendedStatistics."})
        start, end = params["StartTime"].timestamp(), params["EndTime"].timestamp()
        if start >= end:
            raise _invalid("The parameter StartTime must be less than the parameter EndTime.")
        period = params["Period"]
        wanted = math.ceil((end - start) / period)
        if wanted > _MAX_STATISTICS_DATAPOINTS:  # LocalStack's AWS-recorded test_invalid_amount_of_datapoints
            message = (f"You have requested up to {wanted} datapoints, which exceeds the limit of "
                       f"{_MAX_STATISTICS_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, "
                       "or decreasing the time range.")
            raise AwsError("InvalidParameterCombination", message, 400, fields={"message": message})
        metric_key = (ctx.account, ctx.region, params["Namespace"], params["MetricName"],
                      _dimensions_key(params.get("Dimensions")))
        unit = params.get("Unit")
        points: list[api.Datapoint] = []
        for bucket, records in sorted(self._buckets(metric_key, start, end, period, unit).items()):
            values = self._aggregate(records, stats)
            point: dict[str, Any] = {"Timestamp": from_epoch(bucket)}
            for stat in params.get("Statistics") or []:
                point[stat] = values[stat]
            if params.get("ExtendedStatistics"):
                point["ExtendedStatistics"] = {s: values[s] for s in params["ExtendedStatistics"]}
            point["Unit"] = unit or records[0].get("Unit", "None")
            points.append(cast("api.Datapoint", point))  # its statistics' keys are the caller's names
        return {"Label": params["MetricName"], "Datapoints": points}

    def get_metric_data(self, ctx: Ctx[api.GetMetricDataRequest]) -> api.GetMetricDataResult:
        params = ctx.params
        start, end = params["StartTime"].timestamp(), params["EndTime"].timestamp()
        descending = params.get("ScanBy", "TimestampDescending") == "TimestampDescending"
        self._check_time_range(start, end)
        queries = params["MetricDataQueries"]
        for index, query in enumerate(queries):
            self._check_query(query, index)
        stats = {query["Id"]: self._stat_series(ctx, query["MetricStat"], start, end)
                 for query in queries if "MetricStat" in query}
        values = self._math_values(ctx, queries, stats, start, end)
        results: list[api.MetricDataResult] = []
        asked = Counter(query["MetricStat"]["Metric"].get("MetricName", "") for query in queries if "MetricStat" in query)
        shared = {name for name, times in asked.items() if times > 1}
        for query in queries:
            if query.get("ReturnData") is False:
                continue
            try:
                value = values.value(query["Id"])
            except metric_math.MathError as exc:
                raise _invalid(str(exc)) from None
            if isinstance(value, list):  # an array (METRICS()): one result per series
                results.extend(self._result(query["Id"], label, series, descending) for label, series in value)
            else:
                results.append(self._result(query["Id"], self._label(query, shared),
                                            self._as_series(value, values.grid), descending))
        return {"MetricDataResults": results, "Messages": []}

    @staticmethod
    def _check_time_range(start: float, end: float) -> None:
        # AWS refuses an empty or reversed range; the words are moto's (test_get_metric_data_endtime_*),
        # not recorded by us
        if int(start) == int(end):
            message = "The parameter StartTime must not equal parameter EndTime."
        elif start > end:
            message = "The parameter EndTime must be greater than StartTime."
        else:
            return
        raise AwsError("ValidationError", message, 400, fields={"message": message})

    @staticmethod
    def _check_query(query: Mapping[str, Any], index: int) -> None:
        if ("Expression" in query) == ("MetricStat" in query):
            # "Within one MetricDataQuery object, you must specify either Expression or MetricStat but
            # not both" (MetricDataQuery in the CloudWatch API reference)
            raise _invalid(f"Exactly one element of Expression and MetricStat must be specified in "
                           f"MetricDataQueries.member.{index + 1}.")

    def _stat_series(self, ctx: RequestContext[Any], stat: Mapping[str, Any], start: float,
                     end: float) -> dict[float, float]:
        metric = stat["Metric"]
        metric_key = (ctx.account, ctx.region, metric.get("Namespace", ""), metric.get("MetricName", ""),
                      _dimensions_key(metric.get("Dimensions")))
        buckets = self._buckets(metric_key, start, end, stat["Period"], stat.get("Unit"))
        return {bucket: self._aggregate(records, [stat["Stat"]])[stat["Stat"]] for bucket, records in buckets.items()}

    def _math_values(self, ctx: RequestContext[Any], queries: list[Any], stats: dict[str, dict[float, float]],
                     start: float, end: float) -> metric_math.Queries:
        expressions = {query["Id"]: query["Expression"] for query in queries if "Expression" in query}
        periods = [query["MetricStat"]["Period"] for query in queries if "MetricStat" in query]
        period = min(periods) if periods else 60
        first = math.ceil(start / period) * period
        # a call answers at most MaxDatapoints' maximum per series (GetMetricData API reference): the
        # grid scalars are drawn on stops there, whatever range a caller asks for
        stop = min(math.ceil(end), first + period * _MAX_DATAPOINTS) if expressions else first
        grid = [float(b) for b in range(first, stop, period)]
        # a Metrics Insights query aggregates over its own Period (MetricDataQuery in the API reference)
        query_periods = {query["Id"]: query.get("Period", period) for query in queries}
        return metric_math.Queries(expressions, stats, grid, lambda query_id, text: self._select(
            ctx, metrics_insights.parse(text), query_periods[query_id], start, end))

    def _select(self, ctx: RequestContext[Any], query: metrics_insights.SelectQuery, period: int, start: float,
                end: float) -> metric_math.Value:
        """A Metrics Insights query's answer: one series without GROUP BY, else a series per group
        (labelled with its values) that has data in the range, ranked and limited."""
        groups: dict[tuple[str, ...], dict[float, list[dict]]] = {}
        for key in self.metrics.keys():
            if key[:4] != (ctx.account, ctx.region, query.namespace, query.metric):
                continue
            dimensions = {d["Name"]: d["Value"] for d in _dimensions(key[4])}
            if not query.matches(dimensions):
                continue
            buckets = groups.setdefault(query.group(dimensions), {})
            for bucket, records in self._buckets(key, start, end, period, None).items():
                buckets.setdefault(bucket, []).extend(records)
        series = {group: {bucket: self._aggregate(records, [query.statistic])[query.statistic]
                          for bucket, records in buckets.items()} for group, buckets in groups.items()}
        if not query.group_by:
            return series.get((), {})
        return metrics_insights.rank(query, [(" ".join(group), points) for group, points in series.items() if points])

    @staticmethod
    def _as_series(value: Any, grid: list[float]) -> dict[float, float]:
        """A scalar result is drawn as a flat line over the query's time range."""
        return value if isinstance(value, dict) else {stamp: float(value) for stamp in grid if math.isfinite(value)}

    @staticmethod
    def _label(query: Mapping[str, Any], shared: set[str]) -> str:
        """The Label given, else a metric's name — followed by its Stat when another query of the call names
        the same metric (LocalStack's AWS-recorded test_get_metric_data_with_zero_and_labels: "metric1 Average"
        beside "metric1 Sum"; test_get_metric_data_for_multiple_metrics and _with_dimensions: "metric1") —,
        else an expression's Id."""
        if query.get("Label"):
            return str(query["Label"])
        if "MetricStat" in query:
            name = query["MetricStat"]["Metric"].get("MetricName")
            if name is None:
                return str(query["Id"])
            return f"{name} {query['MetricStat']['Stat']}" if name in shared else str(name)
        return str(query["Id"])

    @staticmethod
    def _result(query_id: str, label: str, series: dict[float, float], descending: bool) -> api.MetricDataResult:
        rows = sorted(series.items(), reverse=descending)
        return {"Id": query_id, "Label": label, "Timestamps": [from_epoch(stamp) for stamp, _ in rows],
                "Values": [value for _, value in rows], "StatusCode": "Complete"}

    def list_metrics(self, ctx: Ctx[api.ListMetricsRequest]) -> api.ListMetricsResult:
        params = ctx.params
        wanted_dims = params.get("Dimensions") or []
        recent = params.get("RecentlyActive") == "PT3H"
        now = ctx.time()
        rows: list[api.Metric] = []
        for key, record in sorted(self.metrics.items()):
            account, region, namespace, name, _dims = key
            if (account, region) != (ctx.account, ctx.region):
                continue
            if params.get("Namespace") and namespace != params["Namespace"]:
                continue
            if params.get("MetricName") and name != params["MetricName"]:
                continue
            if recent and now - record["Last"] > 3 * 3600:
                continue
            have = {d["Name"]: d["Value"] for d in record["Dimensions"]}
            if any(f["Name"] not in have or ("Value" in f and have[f["Name"]] != f["Value"]) for f in wanted_dims):
                continue
            rows.append({"Namespace": namespace, "MetricName": name, "Dimensions": record["Dimensions"]})
        token = params.get("NextToken")
        if token is not None and not (token.isdigit() and int(token) <= len(rows)):
            # a token ListMetrics did not hand out (the words are moto's test_list_metrics_paginated's)
            raise _invalid("Request parameter NextToken is invalid")
        start = int(token or 0)
        out: api.ListMetricsOutput = {"Metrics": rows[start:start + 500]}
        if start + 500 < len(rows):
            out["NextToken"] = str(start + 500)
        return out

    # -- alarms -------------------------------------------------------------------------------
    def put_metric_alarm(self, ctx: Ctx[api.PutMetricAlarmRequest]) -> api.PutMetricAlarmResult:
        params = ctx.params
        if "Metrics" not in params and not ("MetricName" in params and "Namespace" in params):
            raise _invalid("Metrics list or MetricName and Namespace must be specified.")
        if "Metrics" not in params and not (params.get("Statistic") or params.get("ExtendedStatistic")):
            raise AwsError("MissingParameter", "Either Statistic or ExtendedStatistic must be specified.", 400,
                           fields={"message": "Either Statistic or ExtendedStatistic must be specified."})
        for name in ("EvaluationPeriods", "ComparisonOperator"):  # required by AWS, optional in the model
            if name not in params:
                raise AwsError("MissingParameter", f"The parameter {name} is required.", 400,
                               fields={"message": f"The parameter {name} is required."})
        self._check_alarm_statistics(params)
        key = (ctx.account, ctx.region, params["AlarmName"])
        now = ctx.time()
        existing = self.alarms.get(key)
        alarm: dict[str, Any] = {
            "AlarmName": params["AlarmName"], "AlarmArn": ctx.arn(f"alarm:{params['AlarmName']}"),
            "AlarmConfigurationUpdatedTimestamp": now, "ActionsEnabled": params.get("ActionsEnabled", True),
            "OKActions": list(params.get("OKActions") or []), "AlarmActions": list(params.get("AlarmActions") or []),
            "InsufficientDataActions": list(params.get("InsufficientDataActions") or []),
            "StateValue": "INSUFFICIENT_DATA", "StateReason": "Unchecked: Initial alarm creation",
            "StateUpdatedTimestamp": now, "StateTransitionedTimestamp": now,
            "Dimensions": [dict(d) for d in params.get("Dimensions") or []],
            "EvaluationPeriods": params["EvaluationPeriods"], "ComparisonOperator": params["ComparisonOperator"],
        }
        if existing is not None:
            for name in ("StateValue", "StateReason", "StateUpdatedTimestamp", "StateTransitionedTimestamp",
                         "StateReasonData"):
                if name in existing:
                    alarm[name] = existing[name]
        given: Mapping[str, Any] = params
        for name in ("AlarmDescription", "MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Period",
                     "Unit", "DatapointsToAlarm", "Threshold", "TreatMissingData",
                     "EvaluateLowSampleCountPercentile", "ThresholdMetricId"):
            if name in given:
                alarm[name] = given[name]
        if "Metrics" in params:
            alarm["Metrics"] = json.loads(json.dumps(params["Metrics"]))
        alarm["Tags"] = {**(existing or {}).get("Tags", {}), **{t["Key"]: t["Value"] for t in params.get("Tags") or []}}
        self.alarms.put(key, alarm)
        self._configuration_history(ctx, alarm, existing is None)
        return {}

    @staticmethod
    def _check_alarm_statistics(params: Mapping[str, Any]) -> None:
        """ExtendedStatistic is a percentile (p0.0 to p100) or another documented extended statistic, and
        EvaluateLowSampleCountPercentile ``evaluate`` or ``ignore`` (PutMetricAlarm in the API reference; the
        words as moto's test_put_metric_alarm_error_* record them)."""
        extended = params.get("ExtendedStatistic")
        if extended is not None and not _EXTENDED_STATISTIC.fullmatch(extended):
            raise _invalid(f"The value {extended} for parameter ExtendedStatistic is not supported.")
        option = params.get("EvaluateLowSampleCountPercentile")
        if option is not None and option not in ("evaluate", "ignore"):
            message = (f"Option {option} is not supported. Supported options for parameter "
                       "EvaluateLowSampleCountPercentile are evaluate and ignore.")
            raise AwsError("ValidationError", message, 400, fields={"message": message})

    def put_composite_alarm(self, ctx: Ctx[api.PutCompositeAlarmRequest]) -> api.PutCompositeAlarmResult:
        """A composite alarm: its rule is checked and evaluated at once against the alarms it names, and
        again whenever one of them changes state (``_transition``)."""
        params = ctx.params
        if len(params["AlarmRule"]) > composite.MAX_RULE_LENGTH:
            raise _invalid(f"The value for parameter AlarmRule exceeds {composite.MAX_RULE_LENGTH} characters.")
        rule = composite.parse(params["AlarmRule"])
        key = (ctx.account, ctx.region, params["AlarmName"])
        self._check_no_cycle(key, composite.alarms_named(rule))
        existing = self.alarms.get(key)
        if existing is not None and not existing.get("Composite"):
            raise _invalid(f"The alarm {params['AlarmName']} is a metric alarm; it cannot become a composite alarm.")
        now = ctx.time()
        alarm: dict[str, Any] = {
            "AlarmName": params["AlarmName"], "AlarmArn": ctx.arn(f"alarm:{params['AlarmName']}"),
            "AlarmRule": params["AlarmRule"], "Composite": True, "AlarmConfigurationUpdatedTimestamp": now,
            "ActionsEnabled": params.get("ActionsEnabled", True),
            "OKActions": list(params.get("OKActions") or []), "AlarmActions": list(params.get("AlarmActions") or []),
            "InsufficientDataActions": list(params.get("InsufficientDataActions") or []),
            "StateValue": "INSUFFICIENT_DATA", "StateReason": "Unchecked: Initial alarm creation",
            "StateUpdatedTimestamp": now, "StateTransitionedTimestamp": now,
            "Tags": {**(existing or {}).get("Tags", {}), **{t["Key"]: t["Value"] for t in params.get("Tags") or []}},
        }
        given: Mapping[str, Any] = params
        for name in ("AlarmDescription", "ActionsSuppressor", "ActionsSuppressorWaitPeriod",
                     "ActionsSuppressorExtensionPeriod"):
            if name in given:
                alarm[name] = given[name]
        for name in ("StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp",
                     "StateTransitionedTimestamp"):
            if existing is not None and name in existing:
                alarm[name] = existing[name]
        self.alarms.put(key, alarm)
        self._configuration_history(ctx, alarm, existing is None)
        self._evaluate_composite(ctx, key, alarm, None)
        return {}

    @staticmethod
    def _alarm_out(ctx: RequestContext[Any], alarm: dict) -> api.MetricAlarm:
        members = _members(ctx.model.service_model, "CompositeAlarm" if alarm.get("Composite") else "MetricAlarm")
        out: dict[str, Any] = {k: v for k, v in alarm.items() if k in members}
        for name in ("AlarmConfigurationUpdatedTimestamp", "StateUpdatedTimestamp", "StateTransitionedTimestamp"):
            if name in out:
                out[name] = from_epoch(out[name])
        return cast("api.MetricAlarm", out)  # the record's fields are MetricAlarm's, times as epochs

    def _my_alarms(self, ctx: RequestContext[Any]) -> list[dict]:
        return [a for k, a in sorted(self.alarms.items()) if k[:2] == (ctx.account, ctx.region)]

    def describe_alarms(self, ctx: Ctx[api.DescribeAlarmsRequest]) -> api.DescribeAlarmsResult:
        params = ctx.params
        types = params.get("AlarmTypes") or ["MetricAlarm"]
        rows: list[api.MetricAlarm] = []
        composites: list[Any] = []
        for alarm in self._my_alarms(ctx):
            if params.get("AlarmNames") and alarm["AlarmName"] not in params["AlarmNames"]:
                continue
            if params.get("AlarmNamePrefix") and not alarm["AlarmName"].startswith(params["AlarmNamePrefix"]):
                continue
            if params.get("StateValue") and alarm["StateValue"] != params["StateValue"]:
                continue
            if params.get("ActionPrefix") and not any(
                    a.startswith(params["ActionPrefix"]) for kind in _ACTIONS.values() for a in alarm[kind]):
                continue
            (composites if alarm.get("Composite") else rows).append(self._alarm_out(ctx, alarm))
        size = params.get("MaxRecords") or 50
        start = int(params["NextToken"]) if str(params.get("NextToken", "")).isdigit() else 0
        # one page runs over the metric alarms, then the composite ones (each kind only if asked for)
        listed = [("MetricAlarm", a) for a in rows if "MetricAlarm" in types] + \
                 [("CompositeAlarm", a) for a in composites if "CompositeAlarm" in types]
        page = listed[start:start + size]
        out: api.DescribeAlarmsOutput = {"MetricAlarms": [a for kind, a in page if kind == "MetricAlarm"],
                                         "CompositeAlarms": [a for kind, a in page if kind == "CompositeAlarm"]}
        if start + size < len(listed):
            out["NextToken"] = str(start + size)
        return out

    def describe_alarms_for_metric(self, ctx: Ctx[api.DescribeAlarmsForMetricRequest]) -> api.DescribeAlarmsForMetricResult:
        params = ctx.params
        dims = _dimensions_key(params.get("Dimensions"))
        rows: list[api.MetricAlarm] = []
        for alarm in self._my_alarms(ctx):
            if alarm.get("MetricName") != params["MetricName"] or alarm.get("Namespace") != params["Namespace"]:
                continue
            if "Dimensions" in params and _dimensions_key(alarm["Dimensions"]) != dims:
                continue
            if params.get("Statistic") and alarm.get("Statistic") != params["Statistic"]:
                continue
            if params.get("Period") and alarm.get("Period") != params["Period"]:
                continue
            rows.append(self._alarm_out(ctx, alarm))
        return {"MetricAlarms": rows}

    def _alarm(self, ctx: RequestContext[Any], name: str) -> tuple[tuple, dict]:
        key = (ctx.account, ctx.region, name)
        alarm = self.alarms.get(key)
        if alarm is None:  # AWS sends no words (LocalStack's AWS-recorded test_set_alarm_invalid_input)
            raise AwsError("ResourceNotFound", "", 404, fields={"message": ""})
        return key, alarm

    def delete_alarms(self, ctx: Ctx[api.DeleteAlarmsRequest]) -> api.DeleteAlarmsResult:
        keys = [self._alarm(ctx, name)[0] for name in ctx.params["AlarmNames"]]
        for key in keys:
            self.alarms.delete(key)
        return {}

    def set_alarm_state(self, ctx: Ctx[api.SetAlarmStateRequest]) -> api.SetAlarmStateResult:
        params = ctx.params
        key, alarm = self._alarm(ctx, params["AlarmName"])
        if "StateReasonData" in params:
            try:
                json.loads(params["StateReasonData"])
            except (ValueError, RecursionError):
                raise _invalid(f"The value {params['StateReasonData']} for parameter StateReasonData is invalid.") from None
        self._transition(ctx, key, alarm, params["StateValue"], params["StateReason"], params.get("StateReasonData"))
        return {}

    def _transition(self, ctx: RequestContext[Any], key: tuple, alarm: dict, state: str, reason: str,
                    reason_data: str | None) -> None:
        """Set an alarm's state: its history, its actions on a change of state, then the composite alarms
        that name it, evaluated again."""
        old_state = alarm["StateValue"]
        now = ctx.time()
        updated = {**alarm, "StateValue": state, "StateReason": reason, "StateUpdatedTimestamp": now}
        if reason_data is not None:
            updated["StateReasonData"] = reason_data
        if old_state != state:
            updated["StateTransitionedTimestamp"] = now
        self.alarms.put(key, updated)
        self._record_history(ctx, updated, "StateUpdate", f"Alarm updated from {old_state} to {state}", {
            "version": "1.0", "oldState": {"stateValue": old_state, "stateReason": alarm["StateReason"]},
            "newState": {"stateValue": state, "stateReason": reason}})
        if old_state != state and updated["ActionsEnabled"]:
            self._notify(ctx, updated, old_state)
        if old_state != state:
            for other_key, other in list(self.alarms.items()):
                if other_key[:2] == key[:2] and other.get("Composite"):
                    self._evaluate_composite(ctx, other_key, other, updated)

    def _check_no_cycle(self, key: tuple, named: set[str]) -> None:
        """A composite alarm may not depend on itself, directly or through other composite alarms."""
        seen: set[str] = set()
        pending = [name.rsplit(":alarm:", 1)[-1] for name in named]
        while pending:
            name = pending.pop()
            if name == key[2]:
                raise composite.rule_error("the rule depends on the alarm itself")
            if name in seen:
                continue
            seen.add(name)
            child = self.alarms.get((key[0], key[1], name))
            if child is not None and child.get("Composite"):
                pending += [n.rsplit(":alarm:", 1)[-1]
                            for n in composite.alarms_named(composite.parse(child["AlarmRule"]))]

    def _evaluate_composite(self, ctx: RequestContext[Any], key: tuple, alarm: dict, changed: dict | None) -> None:
        """A composite alarm's state from its rule (TRUE: ALARM, FALSE: OK), set when it differs; ``changed``
        is the child whose change caused the evaluation (None at PutCompositeAlarm)."""
        rule = composite.parse(alarm["AlarmRule"])
        named = composite.alarms_named(rule)
        if changed is not None and not named & {changed["AlarmName"], changed["AlarmArn"]}:
            return

        def state_of(name: str) -> str | None:
            child = self.alarms.get((key[0], key[1], name.rsplit(":alarm:", 1)[-1]))
            return None if child is None else child["StateValue"]

        state = "ALARM" if composite.evaluate(rule, state_of) else "OK"
        if state == alarm["StateValue"]:
            return
        triggering = [] if changed is None else [{"arn": changed["AlarmArn"], "state": {
            "value": changed["StateValue"], "timestamp": _iso(changed["StateUpdatedTimestamp"])}}]
        reason = (f"{changed['AlarmArn']} transitioned to {changed['StateValue']} at "
                  f"{from_epoch(changed['StateUpdatedTimestamp']).strftime('%A %d %B, %Y %H:%M:%S UTC')}"
                  if changed is not None else f"The alarm rule evaluated to {state == 'ALARM'}")
        self._transition(ctx, key, alarm, state, reason, json.dumps({"triggeringAlarms": triggering}))

    def _notify(self, ctx: RequestContext[Any], alarm: dict, old_state: str) -> None:
        message: dict[str, Any] = {
            "AlarmName": alarm["AlarmName"], "AlarmDescription": alarm.get("AlarmDescription"),
            "AWSAccountId": ctx.account, "AlarmConfigurationUpdatedTimestamp": _iso(
                alarm["AlarmConfigurationUpdatedTimestamp"]),
            "NewStateValue": alarm["StateValue"], "NewStateReason": alarm["StateReason"],
            "StateChangeTime": _iso(alarm["StateUpdatedTimestamp"]), "Region": ctx.region,
            "AlarmArn": alarm["AlarmArn"], "OldStateValue": old_state,
        }
        if alarm.get("Composite"):
            message["AlarmRule"] = alarm["AlarmRule"]
        else:
            message["Trigger"] = {
                "MetricName": alarm.get("MetricName"), "Namespace": alarm.get("Namespace"),
                "StatisticType": "Statistic", "Statistic": str(alarm.get("Statistic", "")).upper(),
                "Unit": alarm.get("Unit"),
                "Dimensions": [{"value": d["Value"], "name": d["Name"]} for d in alarm["Dimensions"]],
                "Period": alarm.get("Period"), "EvaluationPeriods": alarm["EvaluationPeriods"],
                "ComparisonOperator": alarm["ComparisonOperator"], "Threshold": alarm.get("Threshold"),
                "TreatMissingData": alarm.get("TreatMissingData", "missing"),
                "EvaluateLowSampleCountPercentile": alarm.get("EvaluateLowSampleCountPercentile", "")}
        subject = f'{alarm["StateValue"]}: "{alarm["AlarmName"]}" in {ctx.region}'
        body = json.dumps(message)
        for action in alarm[_ACTIONS[alarm["StateValue"]]]:
            if action.split(":")[2:3] == ["sns"]:
                self.emulator.ports.topics.publish_internal(action, body, subject=subject[:100])
                self._record_history(ctx, alarm, "Action", f"Successfully executed action {action}", {
                    "actionState": "Succeeded", "notificationResource": action,
                    "stateUpdateTimestamp": int(alarm["StateUpdatedTimestamp"] * 1000)})

    def _set_actions(self, ctx: RequestContext[Any], enabled: bool) -> NoMembers:
        for name in ctx.params["AlarmNames"]:
            key = (ctx.account, ctx.region, name)
            alarm = self.alarms.get(key)
            if alarm is not None:
                self.alarms.put(key, {**alarm, "ActionsEnabled": enabled})
        return {}

    def enable_alarm_actions(self, ctx: Ctx[api.EnableAlarmActionsRequest]) -> api.EnableAlarmActionsResult:
        return self._set_actions(ctx, True)

    def disable_alarm_actions(self, ctx: Ctx[api.DisableAlarmActionsRequest]) -> api.DisableAlarmActionsResult:
        return self._set_actions(ctx, False)

    # -- alarm history ------------------------------------------------------------------------
    def _record_history(self, ctx: RequestContext[Any], alarm: dict, kind: str, summary: str, data: dict) -> None:
        self._history_seq += 1
        self.history.put((ctx.account, ctx.region, ctx.time(), self._history_seq), {
            "AlarmName": alarm["AlarmName"], "AlarmType": "CompositeAlarm" if alarm.get("Composite") else "MetricAlarm",
            "HistoryItemType": kind, "HistorySummary": summary, "HistoryData": json.dumps(data)})

    def _configuration_history(self, ctx: RequestContext[Any], alarm: dict, created: bool) -> None:
        shown = {k: v for k, v in alarm.items() if k not in ("Tags", "Composite")}
        change = ("Create", "createdAlarm") if created else ("Update", "updatedAlarm")
        self._record_history(ctx, alarm, "ConfigurationUpdate",
                             f'Alarm "{alarm["AlarmName"]}" {"created" if created else "updated"}',
                             {"version": "1.0", "type": change[0], change[1]: shown})

    def describe_alarm_history(self, ctx: Ctx[api.DescribeAlarmHistoryRequest]) -> api.DescribeAlarmHistoryResult:
        """The history of the last 30 days (AWS keeps it that long), newest first unless
        ``ScanBy=TimestampAscending``; ``NextToken`` is the position in that order."""
        params = ctx.params
        now = ctx.time()
        start = params["StartDate"].timestamp() if params.get("StartDate") else now - HISTORY_SECONDS
        end = params["EndDate"].timestamp() if params.get("EndDate") else now
        low = (ctx.account, ctx.region, max(start, now - HISTORY_SECONDS))
        high = (ctx.account, ctx.region, end, math.inf)
        types = params.get("AlarmTypes") or ["MetricAlarm", "CompositeAlarm"]
        items = [(key, item) for key, item in self.history.items_range(low, high, (True, True))
                 if params.get("AlarmName") in (None, item["AlarmName"]) and item["AlarmType"] in types
                 and params.get("HistoryItemType") in (None, item["HistoryItemType"])]
        if params.get("ScanBy", "TimestampDescending") == "TimestampDescending":
            items.reverse()
        token = params.get("NextToken")
        if token is not None and not token.isdigit():
            raise api.invalid_next_token("The service returned an invalid NextToken.")
        position = int(token or 0)
        size = params.get("MaxRecords") or 100
        page = items[position:position + size]
        out: api.DescribeAlarmHistoryResult = {"AlarmHistoryItems": [
            {**item, "Timestamp": from_epoch(key[2])} for key, item in page]}  # type: ignore[typeddict-item]
        if position + size < len(items):
            out["NextToken"] = str(position + size)
        return out

    # -- tags ---------------------------------------------------------------------------------
    def _tagged(self, ctx: RequestContext[Any]) -> tuple[Any, tuple, dict]:
        """The table, key and record of the alarm or insight rule ``ResourceARN`` names."""
        arn = ctx.params["ResourceARN"]
        parts = arn.split(":")
        kind, _, rule = parts[5].partition("/") if len(parts) > 5 else ("", "", "")
        table, key = (self.alarms, (parts[4], parts[3], ":".join(parts[6:]))) if kind == "alarm" and len(parts) > 6 \
            else (self.insight_rules, (parts[4], parts[3], rule)) if kind == "insight-rule" else (None, ())
        record = table.get(key) if table is not None else None
        if record is None:
            raise AwsError("ResourceNotFoundException", "Resource not found", 404,
                           fields={"ResourceType": kind or "alarm", "ResourceId": arn})
        return table, key, record

    def tag_resource(self, ctx: Ctx[api.TagResourceRequest]) -> api.TagResourceResult:
        table, key, record = self._tagged(ctx)
        tags = {**record.get("Tags", {}), **{t["Key"]: t["Value"] for t in ctx.params["Tags"]}}
        table.put(key, {**record, "Tags": tags})
        return {}

    def untag_resource(self, ctx: Ctx[api.UntagResourceRequest]) -> api.UntagResourceResult:
        table, key, record = self._tagged(ctx)
        removed = set(ctx.params["TagKeys"])
        table.put(key, {**record, "Tags": {k: v for k, v in record.get("Tags", {}).items() if k not in removed}})
        return {}

    def list_tags_for_resource(self, ctx: Ctx[api.ListTagsForResourceRequest]) -> api.ListTagsForResourceResult:
        try:
            _table, _key, record = self._tagged(ctx)
        except AwsError:
            if ":alarm:" not in ctx.params["ResourceARN"]:
                raise
            # an alarm that does not exist (any more) has no tags: LocalStack's AWS-recorded
            # test_tagging_metric_alarm lists [] after DeleteAlarms
            record = {}
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(record.get("Tags", {}).items())]}

    # -- inspection ---------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        metrics: dict[tuple, int] = {}
        for key in self.data.keys():
            metrics[key[:5]] = metrics.get(key[:5], 0) + 1
        return {
            "metrics": [{"namespace": k[2], "name": k[3], "dimensions": _dimensions(k[4]), "account": k[0],
                         "region": k[1], "datapoints": n} for k, n in sorted(metrics.items())],
            "alarms": [{"name": k[2], "account": k[0], "region": k[1], "state": a["StateValue"]}
                       for k, a in sorted(self.alarms.items())],
            "dashboards": [{"name": k[1], "account": k[0], "bytes": len(d["Body"].encode())}
                           for k, d in sorted(self.dashboards.items())],
            "insight_rules": [{"name": k[2], "account": k[0], "region": k[1], "state": r["State"]}
                              for k, r in self.insight_rules.items()],
            "anomaly_detectors": self.anomaly_detector_rows(),
        }


@functools.lru_cache(maxsize=None)
def _members(service_model: Any, shape_name: str) -> frozenset[str]:
    """The member names of a shape of the model (an alarm's output drops the record's other fields)."""
    return frozenset(service_model.shape_for(shape_name).members)
