"""CloudWatch Contributor Insights rules (PutInsightRule, DescribeInsightRules, DeleteInsightRules,
EnableInsightRules, DisableInsightRules, GetInsightRuleReport), mixed into the CloudWatch backend.

A rule reads CloudWatch Logs as AWS's rules do, from the events ingested while it is enabled: each record
keeps the ``Enabled`` windows (``[[from, to or None], ...]``, epoch seconds) of its state, and
GetInsightRuleReport runs the rule (``contributor_insights.py``) over the events the Logs port hands out
whose ingestion time falls in one. The definition is stored as given and checked when a report is asked.

Facts: LocalStack's AWS-recorded test_cloudwatch.py::test_insight_rule (the rule as described:
``Definition`` as given, ``Schema`` as ``<name>/<version>`` of the definition's schema,
``ManagedRule`` and ``ApplyOnTransformedLogs`` false; an empty ``Failures`` list from
Delete/Enable/Disable; a report without data: ``AggregationStatistic`` ``SampleCount`` for a Count rule,
``KeyLabels`` the rule's keys, zero ``AggregateValue`` and ``ApproximateUniqueCount``, no
``Contributors``, a data point of zeros for each period of the range) and the API reference
(PutInsightRule: RuleState ENABLED or DISABLED, ENABLED by default; the rule's ARN
``arn:aws:cloudwatch:<region>:<account>:insight-rule/<name>``; per-rule PartialFailure entries for
names that do not exist; GetInsightRuleReport's statistics, MaxContributorCount 1 to 100 (10 by
default) and OrderBy ``Sum`` or ``Maximum``).
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, cast

from ...api import cloudwatch as api
from ...core.clock import from_epoch
from ...core.dispatch import Ctx, RequestContext
from ...core.errors import AwsError
from . import contributor_insights as insights

if TYPE_CHECKING:
    from ...emulator import Emulator
    from ...store.store import OrderedTable

_STATES = ("ENABLED", "DISABLED")
_PAGE = 500
_ORDER_BY = ("Sum", "Maximum")
#: the most data points a report holds (the emulator's bound, as GetMetricData's MaxDatapoints bounds it)
MAX_REPORT_PERIODS = 100_800


_invalid = insights.invalid


def _schema_label(definition: dict) -> str:
    """``CloudWatchLogRule/1`` for ``{"Schema": {"Name": "CloudWatchLogRule", "Version": 1}}``."""
    schema = definition.get("Schema")
    if isinstance(schema, dict):
        return f"{schema.get('Name')}/{schema.get('Version', 1)}"
    return f"{schema}/1"


def _windows(rule: dict | None, state: str, now: float) -> list[list[float | None]]:
    """The rule's enabled windows after it takes ``state`` at ``now``: a window opens when it becomes
    ENABLED and closes when it becomes DISABLED."""
    windows = [] if rule is None else [list(window) for window in _enabled_windows(rule)]
    is_open = bool(windows) and windows[-1][1] is None
    if state == "ENABLED" and not is_open:
        windows.append([now, None])
    elif state == "DISABLED" and is_open:
        windows[-1][1] = now
    return windows


def _enabled_windows(rule: dict) -> list[list[float | None]]:
    """A rule's ``Enabled`` windows; a record from before windows were kept counts as enabled throughout
    while ENABLED."""
    return rule.get("Enabled", [[0.0, None]] if rule["State"] == "ENABLED" else [])


def _while_enabled(windows: list[list[float | None]], ingested_ms: int) -> bool:
    seconds = ingested_ms / 1000.0
    return any(start is not None and start <= seconds and (end is None or seconds < end) for start, end in windows)


class InsightRuleOperations:
    """The Contributor Insights handlers of ``CloudWatchBackend`` (``self`` is the backend)."""

    if TYPE_CHECKING:
        insight_rules: OrderedTable
        emulator: Emulator

    def put_insight_rule(self, ctx: Ctx[api.PutInsightRuleInput]) -> api.PutInsightRuleOutput:
        params = ctx.params
        state = params.get("RuleState", "ENABLED")
        if state not in _STATES:
            raise _invalid(f"The value {state} for parameter RuleState is invalid.")
        try:
            definition = json.loads(params["RuleDefinition"])
        except ValueError:
            definition = None
        if not isinstance(definition, dict):
            raise _invalid("The value for parameter RuleDefinition is not a valid JSON object.")
        key = (ctx.account, ctx.region, params["RuleName"])
        tags = {**(self.insight_rules.get(key) or {}).get("Tags", {}),
                **{t["Key"]: t["Value"] for t in params.get("Tags") or []}}
        self.insight_rules.put(key, {"Definition": params["RuleDefinition"], "Schema": _schema_label(definition),
                                     "State": state, "ApplyOnTransformedLogs": bool(params.get("ApplyOnTransformedLogs")),
                                     "Tags": tags, "Enabled": _windows(self.insight_rules.get(key), state, ctx.time())})
        return {}

    def describe_insight_rules(self, ctx: Ctx[api.DescribeInsightRulesInput]) -> api.DescribeInsightRulesOutput:
        rules: list[api.InsightRule] = [
            {"Name": key[2], "State": rule["State"], "Schema": rule["Schema"], "Definition": rule["Definition"],
             "ManagedRule": False, "ApplyOnTransformedLogs": rule["ApplyOnTransformedLogs"]}
            for key, rule in self.insight_rules.items_range((ctx.account, ctx.region),
                                                            (ctx.account, ctx.region + "\x00"), inclusive=(True, False))]
        token = ctx.params.get("NextToken")
        if token is not None and not token.isdigit():
            raise api.invalid_next_token("The service returned an invalid NextToken.")
        start, size = int(token or 0), ctx.params.get("MaxResults") or _PAGE
        out: api.DescribeInsightRulesOutput = {"InsightRules": rules[start:start + size]}
        if start + size < len(rules):
            out["NextToken"] = str(start + size)
        return out

    def _each_rule(self, ctx: RequestContext[Any], change: Any) -> list[api.PartialFailure]:
        """Apply ``change(key, rule)`` to each named rule; the names that do not exist are failures."""
        failures: list[api.PartialFailure] = []
        for name in ctx.params["RuleNames"]:
            key = (ctx.account, ctx.region, name)
            rule = self.insight_rules.get(key)
            if rule is None:
                failures.append({"FailureResource": name, "ExceptionType": "ResourceNotFoundException",
                                 "FailureCode": "404", "FailureDescription": f"Rule {name} does not exist."})
            else:
                change(key, rule)
        return failures

    def delete_insight_rules(self, ctx: Ctx[api.DeleteInsightRulesInput]) -> api.DeleteInsightRulesOutput:
        return {"Failures": self._each_rule(ctx, lambda key, _rule: self.insight_rules.delete(key))}

    def _set_rule_state(self, ctx: RequestContext[Any], state: str) -> list[api.PartialFailure]:
        now = ctx.time()
        return self._each_rule(ctx, lambda key, rule: self.insight_rules.put(
            key, {**rule, "State": state, "Enabled": _windows(rule, state, now)}))

    def enable_insight_rules(self, ctx: Ctx[api.EnableInsightRulesInput]) -> api.EnableInsightRulesOutput:
        return {"Failures": self._set_rule_state(ctx, "ENABLED")}

    def disable_insight_rules(self, ctx: Ctx[api.DisableInsightRulesInput]) -> api.DisableInsightRulesOutput:
        return {"Failures": self._set_rule_state(ctx, "DISABLED")}

    def get_insight_rule_report(self, ctx: Ctx[api.GetInsightRuleReportInput]) -> api.GetInsightRuleReportOutput:
        params = ctx.params
        name = params["RuleName"]
        record = self.insight_rules.get((ctx.account, ctx.region, name))
        if record is None:
            raise AwsError("ResourceNotFoundException", f"Rule {name} does not exist.", 404)
        start, end, period = params["StartTime"].timestamp(), params["EndTime"].timestamp(), params["Period"]
        starts = _report_periods(start, end, period)
        metrics = list(params.get("Metrics") or [])
        unknown = [metric for metric in metrics if metric not in insights.METRICS]
        if unknown:
            raise _invalid(f"The value {unknown[0]} for parameter Metrics is invalid; the metrics are "
                           + ", ".join(insights.METRICS) + ".")
        limit = params.get("MaxContributorCount", 10)
        if not 1 <= limit <= 100:
            raise _invalid(f"The value {limit} for parameter MaxContributorCount is invalid; it ranges from 1 to 100.")
        order_by = params.get("OrderBy", "Sum")
        if order_by not in _ORDER_BY:
            raise _invalid(f"The value {order_by} for parameter OrderBy is invalid; it is Sum or Maximum.")
        rule = insights.parse_rule(record["Definition"], ctx.account, ctx.region)
        windows = _enabled_windows(record)
        events = self.emulator.ports.logs.read_log_events_internal(
            ctx.account, ctx.region, rule.log_groups, int(start * 1000), int(end * 1000))
        by_bucket = insights.buckets(rule, ((timestamp, message) for timestamp, message, ingested in events
                                            if _while_enabled(windows, ingested)), period)
        top, total, unique = insights.ranked_contributors(by_bucket, order_by, limit)
        return {
            "KeyLabels": rule.keys,
            "AggregationStatistic": "SampleCount" if rule.value_field is None else "Sum",
            "AggregateValue": total, "ApproximateUniqueCount": unique,
            "Contributors": [{"Keys": list(keys), "ApproximateAggregateValue": value,
                              "Datapoints": [{"Timestamp": from_epoch(at), "ApproximateValue": v} for at, v in points]}
                             for keys, value, points in top],
            "MetricDatapoints": [cast(api.InsightRuleMetricDatapoint, {"Timestamp": from_epoch(point.pop("Start")), **point})
                                 for point in insights.metric_datapoints(by_bucket, starts, metrics)],
        }


def _report_periods(start: float, end: float, period: int) -> list[float]:
    """The starts of the periods a report covers, aligned to the epoch: AWS answered a one-hour report of
    300-second periods with 13 data points (LocalStack's AWS-recorded test_insight_rule)."""
    if start >= end:
        raise _invalid("The parameter StartTime must be less than the parameter EndTime.")
    first = math.floor(start / period) * period
    if (end - first) / period > MAX_REPORT_PERIODS:
        raise _invalid(f"The report would have more than {MAX_REPORT_PERIODS} data points; ask for a shorter "
                       "time range or a longer Period.")
    return [float(stamp) for stamp in range(first, math.ceil(end), period)]
