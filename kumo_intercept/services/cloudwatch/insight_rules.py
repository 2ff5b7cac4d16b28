"""CloudWatch Contributor Insights rules (PutInsightRule, DescribeInsightRules, DeleteInsightRules,
EnableInsightRules, DisableInsightRules), mixed into the CloudWatch backend. Rules are stored
configuration: GetInsightRuleReport, which evaluates a rule over log events, is not emulated.

Facts: LocalStack's AWS-recorded test_cloudwatch.py::test_insight_rule (the rule as described:
``Definition`` as given, ``Schema`` as ``<name>/<version>`` of the definition's schema,
``ManagedRule`` and ``ApplyOnTransformedLogs`` false; an empty ``Failures`` list from
Delete/Enable/Disable) and the API reference (PutInsightRule: RuleState ENABLED or DISABLED,
ENABLED by default; the rule's ARN ``arn:aws:cloudwatch:<region>:<account>:insight-rule/<name>``;
per-rule PartialFailure entries for names that do not exist).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ...api import cloudwatch as api
from ...core.dispatch import Ctx, RequestContext
from ...core.errors import AwsError

if TYPE_CHECKING:
    from ...store.store import OrderedTable

_STATES = ("ENABLED", "DISABLED")
_PAGE = 500


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message, 400, fields={"message": message})


def _schema_label(definition: dict) -> str:
    """``CloudWatchLogRule/1`` for ``{"Schema": {"Name": "CloudWatchLogRule", "Version": 1}}``."""
    schema = definition.get("Schema")
    if isinstance(schema, dict):
        return f"{schema.get('Name')}/{schema.get('Version', 1)}"
    return f"{schema}/1"


#: left out on purpose (the backend's ``not_emulated``)
NOT_EMULATED = {"GetInsightRuleReport": "a report needs the rule evaluated over CloudWatch Logs log events, "
                                        "which this emulator does not do"}


class InsightRuleOperations:
    """The Contributor Insights handlers of ``CloudWatchBackend`` (``self`` is the backend)."""

    if TYPE_CHECKING:
        insight_rules: OrderedTable

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
                                     "Tags": tags})
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
        return self._each_rule(ctx, lambda key, rule: self.insight_rules.put(key, {**rule, "State": state}))

    def enable_insight_rules(self, ctx: Ctx[api.EnableInsightRulesInput]) -> api.EnableInsightRulesOutput:
        return {"Failures": self._set_rule_state(ctx, "ENABLED")}

    def disable_insight_rules(self, ctx: Ctx[api.DisableInsightRulesInput]) -> api.DisableInsightRulesOutput:
        return {"Failures": self._set_rule_state(ctx, "DISABLED")}
