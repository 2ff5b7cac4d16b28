"""Contributor Insights rules run over log events, for GetInsightRuleReport.

The rule language of the user guide's "Contributor Insights rule syntax": ``Schema``
``{"Name": "CloudWatchLogRule", "Version": 1}``, ``LogGroupNames`` (a trailing ``*`` is a prefix) or
``LogGroupARNs`` of the caller's own account and region, ``LogFormat`` ``JSON`` (fields in JSON property
notation: ``$.a.b``, ``$.list[0].name``) or ``CLF`` (fields numbered from 1, ``Fields`` naming them),
``Contribution`` with one to four ``Keys``, up to four ``Filters`` (``In``, ``NotIn``, ``StartsWith``,
``GreaterThan``, ``LessThan``, ``EqualTo``, ``NotEqualTo``, ``IsPresent``; ANDed) and ``ValueOf``, and
``AggregateOn`` ``Count`` or ``Sum``.

The report's figures follow the GetInsightRuleReport API reference: each matched event is one
observation of its contributor (the values of its keys), worth 1 (Count) or its ``ValueOf`` (Sum).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from ...core import jsonpath
from ...core.errors import AwsError, NotEmulatedError
from ...core.jsonpath import MISSING

SCHEMA = {"Name": "CloudWatchLogRule", "Version": 1}
#: the statistics GetInsightRuleReport's ``Metrics`` may ask for
METRICS = ("UniqueContributors", "MaxContributorValue", "SampleCount", "Sum", "Minimum", "Maximum", "Average")
_MAX_KEYS = 4
_MAX_FILTERS = 4
_MAX_FILTER_STRINGS = 10
_JSON_STEP = re.compile(r"\.(?P<name>[^.\[\]]+)|\[(?P<index>\d+)\]")
#: a CLF line's fields: a bracketed date, a quoted request, or a run of non-blanks
_CLF_FIELD = re.compile(r'\[([^\]]*)\]|"((?:[^"\\]|\\.)*)"|(\S+)')

Field = Callable[[Any], Any]   # a parsed event -> the field's value, or MISSING


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message, 400, fields={"message": message})


@dataclass(frozen=True)
class Rule:
    """A parsed rule: what to read, how to parse each message, and what an event contributes."""

    log_groups: list[str]
    parse: Callable[[str], Any]
    keys: list[str]
    key_fields: list[Field]
    filters: list[Callable[[Any], bool]]
    value_field: Field | None

    def observe(self, message: str) -> tuple[tuple[str, ...], float] | None:
        """(the contributor's key values, the observation's value) of a matching event, else None: an event
        that does not parse, misses a key, or (Sum) has no numeric ``ValueOf`` contributes nothing."""
        event = self.parse(message)
        if event is MISSING or not all(matches(event) for matches in self.filters):
            return None
        values = [field(event) for field in self.key_fields]
        if any(value is MISSING for value in values):
            return None
        if self.value_field is None:
            return tuple(_text(value) for value in values), 1.0
        number = _number(self.value_field(event))
        if number is None:
            return None
        return tuple(_text(value) for value in values), number


def parse_rule(definition: str, account: str, region: str) -> Rule:
    """The rule a definition describes; InvalidParameterValue naming what is wrong with it."""
    try:
        body = json.loads(definition)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise invalid("The value for parameter RuleDefinition is not a valid JSON object.")
    if body.get("Schema") != SCHEMA:
        raise invalid('The rule Schema must be {"Name": "CloudWatchLogRule", "Version": 1}.')
    log_format = body.get("LogFormat")
    if log_format not in ("JSON", "CLF"):
        raise invalid("The rule LogFormat must be JSON or CLF.")
    contribution = body.get("Contribution")
    if not isinstance(contribution, dict):
        raise invalid("The rule must have a Contribution object.")
    field = _json_field if log_format == "JSON" else _clf_fields(body.get("Fields"))
    keys = contribution.get("Keys")
    if not isinstance(keys, list) or not 1 <= len(keys) <= _MAX_KEYS or not all(isinstance(k, str) for k in keys):
        raise invalid(f"The rule Contribution must have between 1 and {_MAX_KEYS} Keys.")
    return Rule(log_groups=_log_groups(body, account, region), parse=_parse_json if log_format == "JSON" else _parse_clf,
                keys=list(keys), key_fields=[field(key) for key in keys],
                filters=[_filter(item, field) for item in _filters(contribution)],
                value_field=_value_field(body.get("AggregateOn"), contribution.get("ValueOf"), field))


def _log_groups(body: dict, account: str, region: str) -> list[str]:
    names, arns = body.get("LogGroupNames"), body.get("LogGroupARNs")
    if (names is None) == (arns is None):
        raise invalid("The rule must have either LogGroupNames or LogGroupARNs, but not both.")
    listed = names if names is not None else arns
    if not isinstance(listed, list) or not listed or not all(isinstance(item, str) for item in listed):
        raise invalid("The rule's log groups must be a non-empty list of strings.")
    return list(names) if names is not None else [_own_group(arn, account, region) for arn in listed]


def _own_group(arn: str, account: str, region: str) -> str:
    """The log group name of an ARN in the caller's account and region (monitoring other accounts is
    CloudWatch cross-account observability, which is not emulated)."""
    parts = arn.split(":")
    if len(parts) < 7 or parts[:3] != ["arn", "aws", "logs"] or parts[5] != "log-group":
        raise invalid(f"The log group ARN {arn} is not valid.")
    if (parts[4], parts[3]) != (account, region):
        raise NotEmulatedError("cloudwatch", "GetInsightRuleReport",
                               "LogGroupARNs of other accounts or regions (cross-account observability)")
    return parts[6]


def _filters(contribution: dict) -> list[dict]:
    filters = contribution.get("Filters", [])
    if not isinstance(filters, list) or len(filters) > _MAX_FILTERS or not all(isinstance(f, dict) for f in filters):
        raise invalid(f"The rule Contribution may have at most {_MAX_FILTERS} Filters.")
    return filters


def _value_field(aggregate_on: Any, value_of: Any, field: Callable[[str], Field]) -> Field | None:
    if aggregate_on == "Count":
        return None
    if aggregate_on != "Sum":
        raise invalid("The rule AggregateOn must be Count or Sum.")
    if not isinstance(value_of, str):
        raise invalid("A rule that aggregates on Sum must name its ValueOf field.")
    return field(value_of)


# -- fields -------------------------------------------------------------------------------------------
def _parse_json(message: str) -> Any:
    try:
        return json.loads(message)
    except (ValueError, RecursionError):
        return MISSING


def _json_field(path: Any) -> Field:
    """``$.a.b[0]``: the steps from the root of the event's JSON object (no wildcards: the rule syntax has none)."""
    def not_a_field(_position: int) -> AwsError:
        return invalid(f"The field {path} must be in JSON property format, such as $.name.")
    if not isinstance(path, str):
        raise not_a_field(0)
    steps = jsonpath.parse(_JSON_STEP, path, not_a_field)
    if not steps:
        raise not_a_field(0)
    return lambda event: jsonpath.value(event, steps)


def _parse_clf(message: str) -> Any:
    return [next(group for group in match.groups() if group is not None) for match in _CLF_FIELD.finditer(message)]


def _clf_fields(aliases: Any) -> Callable[[Any], Field]:
    """CLF fields by position from 1, or by the names ``Fields`` gives positions."""
    if aliases is None:
        aliases = {}
    if not isinstance(aliases, dict) or not all(str(k).isdigit() and isinstance(v, str) for k, v in aliases.items()):
        raise invalid('The rule Fields must map CLF field positions to names, such as {"4": "IpAddress"}.')
    positions = {name: int(position) for position, name in aliases.items()}

    def field(name: Any) -> Field:
        position = positions.get(name) if isinstance(name, str) else None
        if position is None:
            if not isinstance(name, str) or not name.isdigit() or int(name) < 1:
                raise invalid(f"The field {name} is neither a CLF field position nor a name given in Fields.")
            position = int(name)
        index = position - 1
        return lambda event: event[index] if index < len(event) else MISSING
    return field


def _text(value: Any) -> str:
    """A key's value as the report shows it."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, separators=(",", ":"))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is MISSING:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


# -- filters ------------------------------------------------------------------------------------------
def _filter(item: dict, field: Callable[[str], Field]) -> Callable[[Any], bool]:
    operators = [name for name in item if name != "Match"]
    if "Match" not in item or len(operators) != 1 or operators[0] not in _OPERATORS:
        raise invalid("Each rule filter must have a Match field and one of the operators "
                      + ", ".join(_OPERATORS) + ".")
    read = field(item["Match"])
    return _OPERATORS[operators[0]](read, item[operators[0]])


def _strings(operand: Any) -> list[str]:
    if not isinstance(operand, list) or not 1 <= len(operand) <= _MAX_FILTER_STRINGS or \
            not all(isinstance(s, str) for s in operand):
        raise invalid(f"The filter operators In, NotIn and StartsWith take a list of 1 to "
                      f"{_MAX_FILTER_STRINGS} strings.")
    return operand


def _numeric(operand: Any) -> float:
    if isinstance(operand, bool) or not isinstance(operand, (int, float)):
        raise invalid("The filter operators GreaterThan, LessThan, EqualTo and NotEqualTo take a number.")
    return float(operand)


def _string_test(test: Callable[[str, list[str]], bool]) -> Callable[[Field, Any], Callable[[Any], bool]]:
    def build(read: Field, operand: Any) -> Callable[[Any], bool]:
        wanted = _strings(operand)

        def matches(event: Any) -> bool:
            value = read(event)
            return value is not MISSING and test(_text(value), wanted)
        return matches
    return build


def _number_test(test: Callable[[float, float], bool]) -> Callable[[Field, Any], Callable[[Any], bool]]:
    def build(read: Field, operand: Any) -> Callable[[Any], bool]:
        wanted = _numeric(operand)

        def matches(event: Any) -> bool:
            number = _number(read(event))
            return number is not None and test(number, wanted)
        return matches
    return build


def _is_present(read: Field, operand: Any) -> Callable[[Any], bool]:
    if not isinstance(operand, bool):
        raise invalid("The filter operator IsPresent takes true or false.")
    return lambda event: (read(event) is not MISSING) == operand


_OPERATORS: dict[str, Callable[[Field, Any], Callable[[Any], bool]]] = {
    "In": _string_test(lambda value, wanted: value in wanted),
    "NotIn": _string_test(lambda value, wanted: value not in wanted),
    "StartsWith": _string_test(lambda value, wanted: value.startswith(tuple(wanted))),
    "GreaterThan": _number_test(lambda value, wanted: value > wanted),
    "LessThan": _number_test(lambda value, wanted: value < wanted),
    "EqualTo": _number_test(lambda value, wanted: value == wanted),
    "NotEqualTo": _number_test(lambda value, wanted: value != wanted),
    "IsPresent": _is_present,
}


# -- the report ---------------------------------------------------------------------------------------
@dataclass
class Bucket:
    """One period's observations: per contributor its aggregate, and the observations' figures."""

    contributors: dict[tuple[str, ...], float]
    count: int = 0
    total: float = 0.0
    low: float = math.inf
    high: float = -math.inf

    def add(self, contributor: tuple[str, ...], value: float) -> None:
        self.contributors[contributor] = self.contributors.get(contributor, 0.0) + value
        self.count += 1
        self.total += value
        self.low = min(self.low, value)
        self.high = max(self.high, value)

    def statistic(self, name: str) -> float:
        """A statistic of the period; 0 for a period without observations (as AWS reports
        UniqueContributors then: LocalStack's AWS-recorded test_insight_rule)."""
        if not self.count:
            return 0.0
        return {"UniqueContributors": float(len(self.contributors)),
                "MaxContributorValue": max(self.contributors.values()),
                "SampleCount": float(self.count), "Sum": self.total, "Minimum": self.low,
                "Maximum": self.high, "Average": self.total / self.count}[name]


def buckets(rule: Rule, events: Iterable[tuple[int, str]], period: int) -> dict[float, Bucket]:
    """The rule's observations of ``(timestamp ms, message)`` events, by period start (epoch seconds,
    periods aligned to the epoch as CloudWatch aligns them)."""
    out: dict[float, Bucket] = {}
    for timestamp_ms, message in events:
        observed = rule.observe(message)
        if observed is not None:
            start = float(timestamp_ms // 1000 // period * period)
            out.setdefault(start, Bucket({})).add(*observed)
    return out


def ranked_contributors(by_bucket: dict[float, Bucket], order_by: str,
                        limit: int) -> tuple[list[tuple[tuple[str, ...], float, list[tuple[float, float]]]], float, int]:
    """The top ``limit`` contributors as (keys, total, [(period start, value)]), the sum of every
    observation's contribution, and how many contributors there were."""
    totals: dict[tuple[str, ...], float] = {}
    points: dict[tuple[str, ...], list[tuple[float, float]]] = {}
    for start in sorted(by_bucket):
        for contributor, value in by_bucket[start].contributors.items():
            totals[contributor] = totals.get(contributor, 0.0) + value
            points.setdefault(contributor, []).append((start, value))
    if order_by == "Maximum":
        rank: Callable[[tuple[str, ...]], float] = lambda c: max(value for _, value in points[c])
    else:
        rank = totals.__getitem__
    ordered = sorted(totals, key=lambda c: (-rank(c), c))[:limit]
    return [(c, totals[c], points[c]) for c in ordered], math.fsum(totals.values()), len(totals)


def metric_datapoints(by_bucket: dict[float, Bucket], starts: Sequence[float],
                      metrics: Sequence[str]) -> list[dict[str, Any]]:
    empty = Bucket({})
    return [{"Start": start, **{name: by_bucket.get(start, empty).statistic(name) for name in metrics}}
            for start in starts]
