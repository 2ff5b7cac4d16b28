"""EventBridge: event buses, rules with event patterns or schedules, targets with input
transformation, PutEvents with in-process delivery, archives and replays, tags.

Delivery is synchronous: by the time ``PutEvents`` returns, every matching rule's targets have
received the event (SQS queues, SNS topics, other buses, CloudWatch Logs groups, Lambda functions,
Step Functions state machines). Targets of services the emulator does not run (Kinesis, ECS…) are
recorded in ``EventsBackend.undelivered()`` instead; an API destination target (an HTTP request to a
third party) raises NotEmulatedError from the call whose event would invoke it. Connections keep their
credentials in a Secrets Manager secret (``events!connection/<name>/<uuid>``), through ``ports.call``.

Schedules (``rate(...)``, ``cron(...)``) fire against the emulator clock, every due tick in time
order, each tick's event timed at the tick: a poller registered with the emulator fires them when
any intercepted call completes (and ``aws.drain()`` does too), and every EventBridge call fires them
before it does its own work. So after ``aws.clock.advance(300)``, the first intercepted call delivers
the due scheduled events by the time it returns; a ``ReceiveMessage`` made as that first call runs
before the delivery and does not see them yet (call ``aws.drain()`` first). A rate schedule ticks
every period after the rule was created (or enabled); cron schedules are evaluated in UTC.

Internal API (plain Python, for other services):

- ``EventsBackend.put_events_internal(account, region, entries) -> list[dict]``: ``entries`` as
  PutEvents' ``Entries`` (``Source``, ``DetailType``, ``Detail``, ``Resources``, ``Time``,
  ``EventBusName``); returns PutEvents' result entries (``{"EventId": …}`` or ``{"ErrorCode": …,
  "ErrorMessage": …}``). AWS services may use ``aws.*`` sources. Used by S3's EventBridge notifications.
- ``EventsBackend.undelivered() -> list[dict]``: events for targets the emulator does not run, and
  deliveries AWS would have given up on, with the reason.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Mapping, Sequence, cast

from ...core.clock import from_epoch, to_epoch
from ...api import NoMembers
from ...api import events as api
from ...core.dispatch import Ctx, RequestContext, ServiceBackend, attempt
from ...core.errors import AwsError, NotEmulatedError
from ...core.tokens import decode_token, encode_token
from ..eventpatterns import PatternError, compile_pattern
from ...core.schedule import ScheduleError, parse_schedule
from .transform import PathError, compile_path, input_path, transform
from . import schema

#: targets EventBridge reaches as their RoleArn -> the call that role must be allowed (botocore service,
#: operation, params from the target ARN) (EventBridge User Guide, "Using resource-based policies" and
#: "IAM roles for sending events to targets")
_ROLE_CALLS: dict[str, tuple[str, str, Callable[[str], dict]]] = {
    "states": ("stepfunctions", "StartExecution", lambda arn: {"stateMachineArn": arn}),
    "events": ("events", "PutEvents", lambda arn: {"Entries": [{"EventBusName": arn}]}),
}
_BUS_ARN = re.compile(r"^arn:aws[\w-]*:events:([a-z0-9-]+):(\d{12}):event-bus/(.+)$")
_RULE_ARN = re.compile(r"^arn:aws[\w-]*:events:([a-z0-9-]+):(\d{12}):rule/(?:([^/]+)/)?([^/]+)$")
_ARCHIVE_ARN = re.compile(r"^arn:aws[\w-]*:events:([a-z0-9-]+):(\d{12}):archive/(.+)$")
_ANY_ARN = re.compile(r"^arn:aws[\w-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)$")
_BUS_NAME = re.compile(r"^[/.\-_A-Za-z0-9]{1,256}$")
_MAX_TARGETS = 5
_ARCHIVE_RULE_OWNER = "prod.vhs.events.aws.internal"
_ARCHIVE_RULE_PREFIX = "Events-Archive-"
_MAX_ENTRY_BYTES = 262144
_MAX_TICKS_PER_POLL = 100_000
_MAX_HOPS = 5
_DEFAULT_LIMIT = 100
_PREDEFINED = ("aws.events.rule-arn", "aws.events.rule-name", "aws.events.event.ingestion-time",
               "aws.events.event", "aws.events.event.json")


def _archive_service_arn(region: str) -> str:
    """The target of archives' managed rules: the region's archive service, no account, no resource."""
    return f"arn:aws:events:{region}:::"


def _not_found(message: str) -> AwsError:
    return api.resource_not_found_exception(message)


#: the settings a bus is created and updated with, and echoes back
_BUS_SETTINGS = ("Description", "KmsKeyIdentifier", "DeadLetterConfig", "LogConfig")


def _bus_settings(bus: dict) -> dict:
    return {field: bus[field] for field in _BUS_SETTINGS if bus.get(field) is not None}


def _validation(message: str) -> AwsError:
    return AwsError("ValidationException", message, 400)


def _from_token(token: str | None) -> Any:
    """The value a NextToken of ours carries; AWS's error for anything else."""
    return decode_token(token, _validation("The nextToken provided is invalid."))


def _iso(epoch: float) -> str:
    return from_epoch(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")



def _tags(tags: list[api.Tag] | None) -> dict[str, str]:
    out = {tag["Key"]: tag["Value"] for tag in tags or ()}
    if len(out) < len(tags or ()):
        raise _validation("Invalid parameter: Duplicated keys are not allowed.")
    return out


def _bound(start: tuple) -> tuple:
    return (*start[:-1], start[-1] + "\x00")


#: AuthParameters member -> (its secret fields: parameter -> key in the secret's JSON)
_SECRET_FIELDS = {
    "BasicAuthParameters": {"Username": "username", "Password": "password"},
    "ApiKeyAuthParameters": {"ApiKeyName": "api_key_name", "ApiKeyValue": "api_key_value"},
    "OAuthParameters": {"AuthorizationEndpoint": "authorization_endpoint", "HttpMethod": "http_method"},
}


def _connection_secret(parameters: Mapping[str, Any]) -> str:
    """The JSON a connection keeps in its Secrets Manager secret (LocalStack's AWS-recorded
    test_connection_secrets: username/password, api_key_name/api_key_value, client_id/client_secret/
    authorization_endpoint/http_method; invocation_http_parameters when the connection has them)."""
    secret: dict[str, Any] = {}
    for member, fields in _SECRET_FIELDS.items():
        given = parameters.get(member) or {}
        if member == "OAuthParameters" and given:
            client = given.get("ClientParameters") or {}
            secret.update({"client_id": client.get("ClientID"), "client_secret": client.get("ClientSecret")})
        secret.update({key: given[name] for name, key in fields.items() if name in given})
    if "InvocationHttpParameters" in parameters:
        secret["invocation_http_parameters"] = parameters["InvocationHttpParameters"]
    return json.dumps(secret)


def _pattern_error(exc: PatternError) -> AwsError:
    return api.invalid_event_pattern_exception(f"Event pattern is not valid. Reason: {exc.reason}")



class EventsBackend(ServiceBackend):
    service_name = "events"
    input_error_code = "ValidationException"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.buses = schema.BUSES.open_ordered(self.store)          # (account, region, name)
        self.rules = schema.RULES.open_ordered(self.store)          # (account, region, bus, name)
        self.archives = schema.ARCHIVES.open_ordered(self.store)    # (account, region, name)
        self.archived = schema.ARCHIVED.open_ordered(self.store)    # (account, region, archive, seq)
        self.replays = schema.REPLAYS.open_ordered(self.store)      # (account, region, name)
        self.undelivered_table = schema.UNDELIVERED.open_ordered(self.store)
        self.connections = schema.CONNECTIONS.open_ordered(self.store)            # (account, region, name)
        self.destinations = schema.API_DESTINATIONS.open_ordered(self.store)      # (account, region, name)
        # derived: bus key -> [(rule key, rule, matcher)] of enabled pattern rules
        self._bus_rules: dict[tuple, list[tuple[tuple, dict, Any]]] = {}
        self._next_due: float | None = None
        self._schedules_known = False
        self.rules.watch(self._rule_changed)
        emulator.pollers.append(self._poll)

    def _rule_changed(self, key: tuple, old: Any, new: Any) -> None:
        self._bus_rules.pop(key[:3], None)
        if (old and old.get("ScheduleExpression")) or (new and new.get("ScheduleExpression")):
            self._schedules_known = False

    # -- names and ARNs -------------------------------------------------------------------------
    @staticmethod
    def _bus_arn(key: tuple) -> str:
        account, region, name = key
        return f"arn:aws:events:{region}:{account}:event-bus/{name}"

    @staticmethod
    def _rule_arn(key: tuple) -> str:
        account, region, bus, name = key
        if bus == "default":
            return f"arn:aws:events:{region}:{account}:rule/{name}"
        return f"arn:aws:events:{region}:{account}:rule/{bus}/{name}"

    def _bus_key(self, ctx_account: str, ctx_region: str, name: str | None) -> tuple[str, str, str]:
        """The bus a ``EventBusName`` parameter names: a name in the caller's account, or an ARN."""
        name = name or "default"
        match = _BUS_ARN.match(name)
        if match:
            region, account, bus = match.groups()
            return account, region, bus
        return ctx_account, ctx_region, name

    def _bus(self, key: tuple) -> dict | None:
        bus = self.buses.get(key)
        if bus is None and key[2] == "default":
            return {"Default": True, "Tags": {}, "Created": 0.0, "Modified": 0.0}
        return bus

    def _require_bus(self, key: tuple) -> dict:
        bus = self._bus(key)
        if bus is None:
            raise _not_found(f"Event bus {key[2]} does not exist.")
        return bus

    def _editable_bus(self, key: tuple, now: float) -> dict:
        """A copy of the bus to change and put back, modified ``now``; the implicit default bus becomes a
        stored one."""
        bus = dict(self._require_bus(key))
        bus.pop("Default", None)
        bus.setdefault("Tags", {})
        bus.setdefault("Created", now)
        bus["Modified"] = now
        return bus

    def _rule(self, ctx: RequestContext[Any], name: str, bus_name: str | None) -> tuple[tuple, dict]:
        bus_key = self._bus_key(ctx.account, ctx.region, bus_name)
        key = (*bus_key, name)
        rule = self.rules.get(key)
        if rule is None:
            raise _not_found(f"Rule {name} does not exist on EventBus {bus_key[2]}.")
        return key, rule

    # -- buses ----------------------------------------------------------------------------------
    def create_event_bus(self, ctx: Ctx[api.CreateEventBusRequest]) -> api.CreateEventBusResult:
        self._fire_due()
        params = ctx.params
        name = params["Name"]
        if name == "default":
            raise api.resource_already_exists_exception("Event bus default already exists.")
        if not _BUS_NAME.match(name) or ("/" in name and not params.get("EventSourceName")):
            raise _validation(f"Event bus name {name} is not valid.")
        key = (ctx.account, ctx.region, name)
        if key in self.buses:
            raise api.resource_already_exists_exception(f"Event bus {name} already exists.")
        now = ctx.time()
        record = {
            "Description": params.get("Description"),
            "KmsKeyIdentifier": params.get("KmsKeyIdentifier"),
            "DeadLetterConfig": params.get("DeadLetterConfig"),
            "LogConfig": params.get("LogConfig"),
            "Policy": None,
            "Tags": _tags(params.get("Tags")),
            "Created": now,
            "Modified": now,
        }
        self.buses.put(key, record)
        return {"EventBusArn": self._bus_arn(key), **_bus_settings(record)}

    def update_event_bus(self, ctx: Ctx[api.UpdateEventBusRequest]) -> api.UpdateEventBusResult:
        params = ctx.params
        key = self._bus_key(ctx.account, ctx.region, params.get("Name"))
        bus = self._editable_bus(key, ctx.time())
        given: Mapping[str, Any] = params
        for field in _BUS_SETTINGS:
            if field in given:
                bus[field] = given[field]
        self.buses.put(key, bus)
        return {"Arn": self._bus_arn(key), "Name": key[2], **_bus_settings(bus)}

    def describe_event_bus(self, ctx: Ctx[api.DescribeEventBusRequest]) -> api.DescribeEventBusResult:
        self._fire_due()
        key = self._bus_key(ctx.account, ctx.region, ctx.params.get("Name"))
        bus = self._require_bus(key)
        return cast(api.DescribeEventBusResponse, self._bus_view(key, bus, detail=True))

    def _bus_view(self, key: tuple, bus: dict, detail: bool = False) -> dict:
        view: dict[str, Any] = {"Name": key[2], "Arn": self._bus_arn(key)}
        if bus.get("Description"):
            view["Description"] = bus["Description"]
        if detail:
            for field in ("KmsKeyIdentifier", "DeadLetterConfig", "LogConfig"):
                if bus.get(field):
                    view[field] = bus[field]
        if bus.get("Policy"):
            view["Policy"] = bus["Policy"]
        if bus.get("Created"):  # the implicit default bus has no creation record
            view["CreationTime"] = from_epoch(bus["Created"])
            view["LastModifiedTime"] = from_epoch(bus["Modified"])
        return view

    def delete_event_bus(self, ctx: Ctx[api.DeleteEventBusRequest]) -> api.DeleteEventBusResult:
        name = ctx.params["Name"]
        if name == "default":
            raise _validation("Cannot delete event bus default.")
        key = self._bus_key(ctx.account, ctx.region, name)
        if key in self.buses:
            for rule_key in list(self.rules.irange(key, _bound(key), inclusive=(True, False))):
                self.rules.delete(rule_key)
            self.buses.delete(key)
        return {}

    def list_event_buses(self, ctx: Ctx[api.ListEventBusesRequest]) -> api.ListEventBusesResult:
        self._fire_due()
        params = ctx.params
        prefix = params.get("NamePrefix") or ""
        limit = params.get("Limit") or _DEFAULT_LIMIT
        start = _from_token(params.get("NextToken"))
        keys = [(ctx.account, ctx.region, "default")] if "default".startswith(prefix) else []
        keys += [k for k in self.buses.irange((ctx.account, ctx.region, prefix),
                                              (ctx.account, ctx.region, prefix + "\U0010ffff"))
                 if k[2] != "default"]
        keys.sort()
        if start:
            keys = [k for k in keys if k[2] >= start]
        page, rest = keys[:limit], keys[limit:]
        buses = [cast(api.EventBus, self._bus_view(k, self._bus(k) or {})) for k in page]
        output: api.ListEventBusesResponse = {"EventBuses": buses}
        if rest:
            output["NextToken"] = encode_token(rest[0][2])
        return output

    def put_permission(self, ctx: Ctx[api.PutPermissionRequest]) -> api.PutPermissionResult:
        params = ctx.params
        key = self._bus_key(ctx.account, ctx.region, params.get("EventBusName"))
        bus = self._editable_bus(key, ctx.time())
        if params.get("Policy"):
            try:
                document = json.loads(params["Policy"])
            except (ValueError, RecursionError):
                raise _validation("This policy contains invalid Json") from None
            statements = document.get("Statement") if isinstance(document, dict) else None
            if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
                raise _validation("This policy contains invalid Json")  # Put/RemovePermission edit that list
            bus["Policy"] = params["Policy"]
        else:
            for name in ("Action", "Principal", "StatementId"):
                if not params.get(name):
                    raise _validation(f"Parameter {name} must be specified.")
            policy: dict[str, Any] = (json.loads(bus["Policy"]) if bus.get("Policy")
                                      else {"Version": "2012-10-17", "Statement": []})
            principal = params["Principal"]
            statement: dict[str, Any] = {
                "Sid": params["StatementId"],
                "Effect": "Allow",
                "Principal": "*" if principal == "*" else {"AWS": f"arn:aws:iam::{principal}:root"},
                "Action": params["Action"],
                "Resource": self._bus_arn(key),
            }
            condition = params.get("Condition")
            if condition:
                statement["Condition"] = {condition["Type"]: {condition["Key"]: condition["Value"]}}
            policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") != params["StatementId"]]
            policy["Statement"].append(statement)
            bus["Policy"] = json.dumps(policy, separators=(",", ":"))
        self.buses.put(key, bus)
        return {}

    def remove_permission(self, ctx: Ctx[api.RemovePermissionRequest]) -> api.RemovePermissionResult:
        params = ctx.params
        key = self._bus_key(ctx.account, ctx.region, params.get("EventBusName"))
        bus = self._editable_bus(key, ctx.time())
        if params.get("RemoveAllPermissions"):
            bus["Policy"] = None
        else:
            if not params.get("StatementId"):
                raise _validation("Parameter StatementId is required.")
            policy = json.loads(bus["Policy"]) if bus.get("Policy") else {"Statement": []}
            kept = [s for s in policy["Statement"] if s.get("Sid") != params.get("StatementId")]
            if len(kept) == len(policy["Statement"]):
                raise _not_found("Statement with the provided id does not exist.")
            policy["Statement"] = kept
            bus["Policy"] = json.dumps(policy, separators=(",", ":")) if kept else None
        self.buses.put(key, bus)
        return {}

    # -- rules ------------------------------------------------------------------------------------
    def put_rule(self, ctx: Ctx[api.PutRuleRequest]) -> api.PutRuleResult:
        self._fire_due()
        params = ctx.params
        name = params["Name"]
        bus_key = self._bus_key(ctx.account, ctx.region, params.get("EventBusName"))
        self._require_bus(bus_key)
        pattern = params.get("EventPattern")
        schedule = params.get("ScheduleExpression")
        if not pattern and not schedule:
            raise _validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
        if pattern:
            try:
                compile_pattern(pattern)
            except PatternError as exc:
                raise _pattern_error(exc) from None
        now = ctx.time()
        if schedule:
            if bus_key[2] != "default":
                raise _validation("ScheduleExpression is supported only on the default event bus.")
            try:
                parsed = parse_schedule(schedule)
            except ScheduleError:
                raise _validation("Parameter ScheduleExpression is not valid.") from None
        key = (*bus_key, name)
        existing = self.rules.get(key)
        state = params.get("State") or "ENABLED"
        record = {
            "EventPattern": pattern,
            "ScheduleExpression": schedule,
            "State": state,
            "Description": params.get("Description"),
            "RoleArn": params.get("RoleArn"),
            "Targets": existing["Targets"] if existing else [],
            "Tags": existing["Tags"] if existing else _tags(params.get("Tags")),
            "Created": existing["Created"] if existing else now,
            "CreatedBy": ctx.account,
            "Anchor": now,
            "NextFire": None,
        }
        if schedule:
            if existing and existing.get("ScheduleExpression") == schedule:
                record["Anchor"] = existing.get("Anchor", now)
            record["NextFire"] = parsed.next_after(now, record["Anchor"])
        self.rules.put(key, record)
        return {"RuleArn": self._rule_arn(key)}

    def _rule_view(self, key: tuple, rule: dict, full: bool = False) -> api.DescribeRuleResponse:
        view: api.DescribeRuleResponse = {"Name": key[3], "Arn": self._rule_arn(key)}
        if rule.get("EventPattern"):
            view["EventPattern"] = rule["EventPattern"]
        if rule.get("ScheduleExpression"):
            view["ScheduleExpression"] = rule["ScheduleExpression"]
        view["State"] = rule["State"]
        if rule.get("Description") is not None:
            view["Description"] = rule["Description"]
        if rule.get("RoleArn"):
            view["RoleArn"] = rule["RoleArn"]
        if rule.get("ManagedBy"):
            view["ManagedBy"] = rule["ManagedBy"]
        view["EventBusName"] = key[2]
        if full:
            view["CreatedBy"] = rule.get("CreatedBy", key[0])
        return view

    def describe_rule(self, ctx: Ctx[api.DescribeRuleRequest]) -> api.DescribeRuleResult:
        self._fire_due()
        key, rule = self._rule(ctx, ctx.params["Name"], ctx.params.get("EventBusName"))
        return self._rule_view(key, rule, full=True)

    def delete_rule(self, ctx: Ctx[api.DeleteRuleRequest]) -> api.DeleteRuleResult:
        bus_key = self._bus_key(ctx.account, ctx.region, ctx.params.get("EventBusName"))
        key = (*bus_key, ctx.params["Name"])
        rule = self.rules.get(key)
        if rule is None:
            return {}
        if rule.get("ManagedBy") and not ctx.params.get("Force"):
            raise api.managed_rule_exception(f"Rule {key[3]} is managed by {rule['ManagedBy']} and can't be deleted.")
        if rule["Targets"] and not rule.get("ManagedBy"):
            raise _validation("Rule can't be deleted since it has targets.")
        self.rules.delete(key)
        return {}

    def _set_state(self, ctx: RequestContext[Any], state: str) -> NoMembers:
        key, rule = self._rule(ctx, ctx.params["Name"], ctx.params.get("EventBusName"))
        record = {**rule, "State": state}
        if state == "ENABLED" and rule.get("ScheduleExpression") and rule["State"] != "ENABLED":
            now = ctx.time()
            record["Anchor"] = now
            record["NextFire"] = parse_schedule(rule["ScheduleExpression"]).next_after(now, now)
        self.rules.put(key, record)
        return {}

    def enable_rule(self, ctx: Ctx[api.EnableRuleRequest]) -> api.EnableRuleResult:
        self._fire_due()
        return self._set_state(ctx, "ENABLED")

    def disable_rule(self, ctx: Ctx[api.DisableRuleRequest]) -> api.DisableRuleResult:
        self._fire_due()
        return self._set_state(ctx, "DISABLED")

    def list_rules(self, ctx: Ctx[api.ListRulesRequest]) -> api.ListRulesResult:
        self._fire_due()
        params = ctx.params
        bus_key = self._bus_key(ctx.account, ctx.region, params.get("EventBusName"))
        self._require_bus(bus_key)
        prefix = params.get("NamePrefix") or ""
        start = _from_token(params.get("NextToken"))
        low = (*bus_key, max(prefix, start) if start else prefix)
        limit = params.get("Limit") or _DEFAULT_LIMIT
        rules: list[api.Rule] = []
        output: api.ListRulesResponse = {"Rules": rules}
        for key, rule in self.rules.items_range(low, (*bus_key, prefix + "\U0010ffff")):
            if len(rules) == limit:
                output["NextToken"] = encode_token(key[3])
                break
            rules.append(self._rule_view(key, rule))
        return output

    def list_rule_names_by_target(self, ctx: Ctx[api.ListRuleNamesByTargetRequest]) -> api.ListRuleNamesByTargetResult:
        params = ctx.params
        bus_key = self._bus_key(ctx.account, ctx.region, params.get("EventBusName"))
        target = params["TargetArn"]
        start = _from_token(params.get("NextToken"))
        limit = params.get("Limit") or _DEFAULT_LIMIT
        names: list[str] = []
        output: api.ListRuleNamesByTargetResponse = {"RuleNames": names}
        for key, rule in self.rules.items_range((*bus_key, start or ""), _bound(bus_key), inclusive=(True, False)):
            if any(t["Arn"] == target for t in rule["Targets"]):
                if len(names) == limit:
                    output["NextToken"] = encode_token(key[3])
                    break
                names.append(key[3])
        return output

    def test_event_pattern(self, ctx: Ctx[api.TestEventPatternRequest]) -> api.TestEventPatternResult:
        try:
            matcher = compile_pattern(ctx.params["EventPattern"])
        except PatternError as exc:
            raise _pattern_error(exc) from None
        try:
            event = json.loads(ctx.params["Event"])
        except (ValueError, RecursionError):
            event = None
        # the API reference lists resources too, but AWS accepts events without it
        if not isinstance(event, dict) or any(
                field not in event for field in ("id", "account", "source", "time", "region", "detail-type")):
            raise _validation("Parameter Event is not valid.")
        return {"Result": bool(matcher(event))}

    # -- targets ----------------------------------------------------------------------------------
    def _check_target(self, target: api.Target) -> str | None:
        """None if the target is acceptable, else the ValidationException message."""
        target_id = target["Id"]
        arn = target["Arn"]
        match = _ANY_ARN.match(arn)
        if match is None:
            return f"Parameter {arn} is not valid. Reason: Provided Arn is not in correct format."
        given = [name for name in ("Input", "InputPath", "InputTransformer") if target.get(name) is not None]
        if len(given) > 1:
            return f"Only one of Input, InputPath, or InputTransformer must be provided for target {target_id}."
        if target.get("Input") is not None:
            try:
                json.loads(target["Input"])
            except (ValueError, RecursionError):
                return f"Input for target {target_id} is not a valid JSON text."
        if target.get("InputPath") is not None:
            try:
                compile_path(target["InputPath"])
            except PathError:
                return f"Input path {target['InputPath']} for target {target_id} is not a valid JSON path."
        transformer = target.get("InputTransformer")
        if transformer is not None:
            paths = transformer.get("InputPathsMap") or {}
            if len(paths) > 100:
                return "InputTransformer: InputPathsMap can contain at most 100 entries."
            for name, path in paths.items():
                if name.startswith("aws.") or name in _PREDEFINED:
                    return f"InputTransformer: InputPathsMap contains a reserved key {name}."
                try:
                    compile_path(path)
                except PathError:
                    return f"Input path {path} for key {name} in InputPathsMap is not a valid JSON path."
        service = match.group(1)
        if service == "sqs" and arn.endswith(".fifo") and not (target.get("SqsParameters") or {}).get("MessageGroupId"):
            return f"Parameter(s) SqsParameters must be specified for target: {target_id}."
        return None

    def put_targets(self, ctx: Ctx[api.PutTargetsRequest]) -> api.PutTargetsResult:
        self._fire_due()
        params = ctx.params
        key, rule = self._rule(ctx, params["Rule"], params.get("EventBusName"))
        targets = {t["Id"]: t for t in rule["Targets"]}
        failed: list[api.PutTargetsResultEntry] = []
        for target in params["Targets"]:
            message = self._check_target(target)
            if message is not None:
                raise _validation(message)
            if target["Id"] not in targets and len(targets) >= _MAX_TARGETS:
                raise api.limit_exceeded_exception("The requested resource exceeds the maximum number allowed.")
            targets[target["Id"]] = dict(target)
        self.rules.put(key, {**rule, "Targets": list(targets.values())})
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    def remove_targets(self, ctx: Ctx[api.RemoveTargetsRequest]) -> api.RemoveTargetsResult:
        params = ctx.params
        key, rule = self._rule(ctx, params["Rule"], params.get("EventBusName"))
        drop = set(params["Ids"])
        self.rules.put(key, {**rule, "Targets": [t for t in rule["Targets"] if t["Id"] not in drop]})
        return {"FailedEntryCount": 0, "FailedEntries": []}

    def list_targets_by_rule(self, ctx: Ctx[api.ListTargetsByRuleRequest]) -> api.ListTargetsByRuleResult:
        self._fire_due()
        params = ctx.params
        _key, rule = self._rule(ctx, params["Rule"], params.get("EventBusName"))
        targets = rule["Targets"]
        start = _from_token(params.get("NextToken")) or 0
        limit = params.get("Limit") or _DEFAULT_LIMIT
        page = cast("list[api.Target]", [dict(t) for t in targets[start:start + limit]])
        output: api.ListTargetsByRuleResponse = {"Targets": page}
        if start + limit < len(targets):
            output["NextToken"] = encode_token(start + limit)
        return output

    # -- tags -------------------------------------------------------------------------------------
    def _tagged(self, arn: str) -> tuple[Any, tuple, dict]:
        match = _RULE_ARN.match(arn)
        if match:
            region, account, bus, name = match.groups()
            key: tuple[str, ...] = (account, region, bus or "default", name)
            rule = self.rules.get(key)
            if rule is None:
                raise _not_found(f"Rule {name} does not exist on EventBus {bus or 'default'}.")
            return self.rules, key, rule
        match = _BUS_ARN.match(arn)
        if match:
            region, account, name = match.groups()
            key = (account, region, name)
            bus = self._bus(key)
            if bus is None:
                raise _not_found(f"Event bus {name} does not exist.")
            bus = {k: v for k, v in bus.items() if k != "Default"}
            bus.setdefault("Created", 0.0)
            bus.setdefault("Modified", 0.0)
            return self.buses, key, bus
        raise _validation("Parameter ResourceARN is not valid. Reason: Provided Arn is not in correct format.")

    def tag_resource(self, ctx: Ctx[api.TagResourceRequest]) -> api.TagResourceResult:
        table, key, record = self._tagged(ctx.params["ResourceARN"])
        tags = {**record.get("Tags", {}), **_tags(ctx.params["Tags"])}
        table.put(key, {**record, "Tags": tags})
        return {}

    def untag_resource(self, ctx: Ctx[api.UntagResourceRequest]) -> api.UntagResourceResult:
        table, key, record = self._tagged(ctx.params["ResourceARN"])
        drop = set(ctx.params["TagKeys"])
        table.put(key, {**record, "Tags": {k: v for k, v in record.get("Tags", {}).items() if k not in drop}})
        return {}

    def list_tags_for_resource(self, ctx: Ctx[api.ListTagsForResourceRequest]) -> api.ListTagsForResourceResult:
        _table, _key, record = self._tagged(ctx.params["ResourceARN"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in record.get("Tags", {}).items()]}

    # -- events -----------------------------------------------------------------------------------
    def put_events(self, ctx: Ctx[api.PutEventsRequest]) -> api.PutEventsResult:
        self._fire_due()
        results = self._put_entries(ctx.account, ctx.region, ctx.params["Entries"], from_aws=False)
        failed = sum(1 for result in results if "ErrorCode" in result)
        return {"FailedEntryCount": failed, "Entries": results}

    def put_events_internal(self, account: str, region: str, entries: list[dict]) -> list[dict]:
        """PutEvents on behalf of an AWS service (``aws.*`` sources allowed); returns the result entries."""
        with self.emulator.lock:
            return cast("list[dict]", self._put_entries(account, region, entries, from_aws=True))

    def _put_entries(self, account: str, region: str, entries: Sequence[Mapping[str, Any]],
                     from_aws: bool) -> list[api.PutEventsResultEntry]:
        total = 0
        for entry in entries:
            # surrogatepass: a JSON string can carry a lone surrogate
            total += len((entry.get("Detail") or "").encode("utf-8", "surrogatepass")) + len(entry.get("Source") or "") \
                + len(entry.get("DetailType") or "") + sum(len(r) for r in entry.get("Resources") or ())
        if total > _MAX_ENTRY_BYTES:
            raise _validation("Total size of the entries in the request is over the limit.")
        now = self.emulator.clock.time()
        ids = self.emulator.ids
        results: list[api.PutEventsResultEntry] = []
        for entry in entries:
            error = self._entry_error(entry, from_aws)
            if error is not None:
                results.append({"ErrorCode": error[0], "ErrorMessage": error[1]})
                continue
            bus_key = self._bus_key(account, region, entry.get("EventBusName"))
            event_id = ids.uuid4()
            if self._bus(bus_key) is None:  # accepted and dropped (LocalStack's test_put_events_nonexistent_event_bus)
                results.append({"EventId": event_id})
                continue
            when = entry.get("Time")
            event = {
                "version": "0",
                "id": event_id,
                "detail-type": entry["DetailType"],
                "source": entry["Source"],
                "account": bus_key[0],
                "time": _iso(to_epoch(when) if when is not None else now),
                "region": bus_key[1],
                "resources": list(entry.get("Resources") or ()),
                "detail": json.loads(entry["Detail"]),
            }
            self._route(bus_key, event, now, 0, None)
            results.append({"EventId": event_id})
        return results

    @staticmethod
    def _entry_error(entry: Mapping[str, Any], from_aws: bool) -> tuple[str, str] | None:
        for field in ("Source", "DetailType", "Detail"):
            if not entry.get(field):
                return "InvalidArgument", f"Parameter {field} is not valid. Reason: {field} is a required argument."
        try:
            detail = json.loads(entry["Detail"])
        except (ValueError, RecursionError):
            return "MalformedDetail", "Detail is malformed."
        if not isinstance(detail, dict):
            return "MalformedDetail", "Detail is malformed."
        if not from_aws and entry["Source"].startswith("aws."):
            return "NotAuthorizedForSourceException", "Not authorized for the source."
        return None

    def _rules_for(self, bus_key: tuple) -> list[tuple[tuple, dict, Any]]:
        cached = self._bus_rules.get(bus_key)
        if cached is None:
            cached = []
            for key, rule in self.rules.items_range(bus_key, _bound(bus_key), inclusive=(True, False)):
                if rule.get("EventPattern") and rule["State"] != "DISABLED":
                    cached.append((key, rule, compile_pattern(rule["EventPattern"])))
            self._bus_rules[bus_key] = cached
        return cached

    def _route(self, bus_key: tuple, event: dict, now: float, hops: int, only: set[str] | None) -> None:
        """Send ``event`` to every matching rule's targets on the bus (archives are managed rules' targets)."""
        text: str | None = None
        for key, rule, matcher in self._rules_for(bus_key):
            if only is not None and self._rule_arn(key) not in only:
                continue
            if not matcher(event):
                continue
            if text is None:
                text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
            for target in rule["Targets"]:
                self._deliver(key, target, event, text, now, hops)

    def _deliver(self, rule_key: tuple, target: dict, event: dict, text: str, now: float, hops: int) -> None:
        _result, error = attempt(self.store, self._deliver_one, rule_key, target, event, text, now, hops)
        if error is not None:
            self._delivery_failed(rule_key, target, event, text, now, error)

    def _deliver_one(self, rule_key: tuple, target: dict, event: dict, text: str, now: float, hops: int) -> None:
        arn = target["Arn"]
        if arn == _archive_service_arn(rule_key[1]) and rule_key[3].startswith(_ARCHIVE_RULE_PREFIX):
            self._archive_from_rule(rule_key, event, now)
            return
        body = self._input_for(rule_key, target, event, text, now)
        service = arn.split(":", 3)[2]
        if "RoleArn" in target and service in _ROLE_CALLS:  # EventBridge acts as the target's role
            api, operation, call_params = _ROLE_CALLS[service]
            self.emulator.ports.authorize_as_role(target["RoleArn"], api, operation, call_params(arn), rule_key[0],
                                                  rule_key[1])
        elif "RoleArn" not in target:  # else the target's resource policy must let EventBridge in
            self.emulator.ports.authorize_delivery("events.amazonaws.com", arn, self._rule_arn(rule_key), rule_key[0])
        if service == "sqs":
            params = target.get("SqsParameters") or {}
            fifo = arn.endswith(".fifo")
            self.emulator.ports.queues.deliver_message(
                arn, body,
                message_group_id=params.get("MessageGroupId") if fifo else None,
                deduplication_id=event["id"] if fifo else None,
            )
        elif service == "sns":
            self.emulator.ports.topics.publish_internal(arn, body)
        elif service == "events" and ":event-bus/" in arn:
            match = _BUS_ARN.match(arn)
            if match is None:
                raise _not_found(f"Event bus {arn} does not exist.")
            region, account, name = match.groups()
            target_bus = (account, region, name)
            if self._bus(target_bus) is None:
                raise _not_found(f"Event bus {name} does not exist.")
            if hops < _MAX_HOPS:  # the event itself travels between buses, as in AWS
                self._route(target_bus, event, now, hops + 1, None)
        elif service == "logs":
            group = arn.split(":log-group:", 1)[1] if ":log-group:" in arn else arn.rsplit(":", 1)[1]
            if group.endswith(":*"):
                group = group[:-2]
            parts = arn.split(":")
            self.emulator.ports.logs.put_log_events_internal(
                parts[4], parts[3], group, event["id"], [(int(now * 1000), body)])
        elif service == "lambda":
            self.emulator.ports.functions.invoke_internal(
                arn, body.encode(), invocation_type="Event")
        elif service == "states":
            parts = arn.split(":")
            self.emulator.ports.workflows.start_execution_internal(arn, body, parts[4], parts[3])
        elif service == "events" and ":api-destination/" in arn:
            self._invoke_api_destination(arn)
        else:
            self._record_undelivered(rule_key, target, body, now, "NotEmulated",
                                     f"targets of {service} are recorded, not delivered")

    def _invoke_api_destination(self, arn: str) -> None:
        """An API destination target would be an HTTP request to a third party: the emulator sends nothing
        anywhere, so the event that would invoke it raises (the call that published it is undone)."""
        destination = next((r for r in self.destinations.values() if r["Arn"] == arn), None)
        endpoint = destination["InvocationEndpoint"] if destination else "(a deleted API destination)"
        method = destination["HttpMethod"] if destination else "HTTP"
        raise NotEmulatedError(
            "events", "API destination invocation",
            f"a rule target would send {method} {endpoint} through {arn}; kumo_intercept makes no network "
            "requests. Point the rule at an emulated target (an SQS queue, a Lambda function) in tests")

    def _input_for(self, rule_key: tuple, target: dict, event: dict, text: str, now: float) -> str:
        if target.get("Input") is not None:
            return target["Input"]
        if target.get("InputPath") is not None:
            return input_path(event, target["InputPath"])
        transformer = target.get("InputTransformer")
        if transformer is not None:
            predefined = {
                "aws.events.rule-arn": self._rule_arn(rule_key),
                "aws.events.rule-name": rule_key[3],
                "aws.events.event.ingestion-time": _iso(now),
                "aws.events.event": event,
                "aws.events.event.json": event,
            }
            return transform(event, transformer, predefined)
        return text

    def _record_undelivered(self, rule_key: tuple, target: dict, body: str, now: float, code: str,
                            message: str) -> None:
        last = self.undelivered_table.last_key()
        self.undelivered_table.put(0 if last is None else last + 1, {
            "RuleArn": self._rule_arn(rule_key), "TargetId": target["Id"], "TargetArn": target["Arn"],
            "Body": body, "ErrorCode": code, "ErrorMessage": message, "Timestamp": now,
        })

    def _delivery_failed(self, rule_key: tuple, target: dict, event: dict, text: str, now: float,
                         error: AwsError) -> None:
        self._record_undelivered(rule_key, target, text, now, error.code, error.message)
        dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
        if not dead_letter:
            return
        attributes = {
            "RULE_ARN": {"DataType": "String", "StringValue": self._rule_arn(rule_key)},
            "TARGET_ARN": {"DataType": "String", "StringValue": target["Arn"]},
            "ERROR_CODE": {"DataType": "String", "StringValue": error.code},
            "ERROR_MESSAGE": {"DataType": "String", "StringValue": error.message or error.code},
        }
        attempt(self.store, self._deliver_dead_letter, dead_letter, text, attributes)

    def _deliver_dead_letter(self, queue_arn: str, text: str, attributes: dict) -> None:
        self.emulator.ports.queues.deliver_message(queue_arn, text, message_attributes=attributes)

    def undelivered(self) -> list[dict]:
        return [dict(entry) for entry in self.undelivered_table.values()]

    # -- schedules --------------------------------------------------------------------------------
    def _schedule_due(self) -> float | None:
        if not self._schedules_known:
            due = None
            for rule in self.rules.values():
                next_fire = rule.get("NextFire")
                if next_fire is not None and rule["State"] != "DISABLED" and (due is None or next_fire < due):
                    due = next_fire
            self._next_due = due
            self._schedules_known = True
        return self._next_due

    def _poll(self) -> bool:
        due = self._schedule_due()
        if due is None or self.emulator.clock.time() < due:
            return False
        return self._fire_due()

    def _fire_due(self) -> bool:
        """Fire every due schedule tick, earliest first; True if any fired."""
        due = self._schedule_due()
        if due is None:
            return False
        now = self.emulator.clock.time()
        if now < due:
            return False
        fired = 0
        while fired < _MAX_TICKS_PER_POLL:
            earliest: tuple | None = None
            earliest_time = now
            for key, rule in self.rules.items():
                next_fire = rule.get("NextFire")
                if next_fire is None or rule["State"] == "DISABLED" or next_fire > earliest_time:
                    continue
                if earliest is None or next_fire < earliest_time or key < earliest:
                    earliest, earliest_time = key, next_fire
            if earliest is None:
                break
            rule = self.rules[earliest]
            tick = rule["NextFire"]
            schedule = parse_schedule(rule["ScheduleExpression"])
            self.rules.put(earliest, {**rule, "NextFire": schedule.next_after(tick, rule.get("Anchor", tick))})
            self._fire(earliest, rule, tick)
            fired += 1
        return fired > 0

    def _fire(self, key: tuple, rule: dict, tick: float) -> None:
        event = {
            "version": "0",
            "id": self.emulator.ids.uuid4(),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": key[0],
            "time": _iso(tick),
            "region": key[1],
            "resources": [self._rule_arn(key)],
            "detail": {},
        }
        text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        for target in rule["Targets"]:
            self._deliver(key, target, event, text, tick, 0)

    # -- archives and replays -------------------------------------------------------------------
    def _archive_from_rule(self, rule_key: tuple, event: dict, now: float) -> None:
        """Keep ``event`` in the archive whose managed rule matched it (the archive of the rule's name)."""
        archive_key = (rule_key[0], rule_key[1], rule_key[3][len(_ARCHIVE_RULE_PREFIX):])
        archive = self.archives.get(archive_key)
        if archive is not None and archive["State"] == "ENABLED":
            self._archive(archive_key, archive, event, now)

    def _archive(self, key: tuple, archive: dict, event: dict, now: float) -> None:
        text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        seq = archive.get("Seq", 0) + 1
        self.archived.put((*key, seq), {"Event": text, "Time": to_epoch(event["time"]), "Ingested": now})
        self.archives.put(key, {**archive, "Seq": seq, "EventCount": archive.get("EventCount", 0) + 1,
                                "SizeBytes": archive.get("SizeBytes", 0) + len(text.encode())})

    def _archive_arn(self, key: tuple) -> str:
        return f"arn:aws:events:{key[1]}:{key[0]}:archive/{key[2]}"

    def create_archive(self, ctx: Ctx[api.CreateArchiveRequest]) -> api.CreateArchiveResult:
        params = ctx.params
        name = params["ArchiveName"]
        key = (ctx.account, ctx.region, name)
        if key in self.archives:
            raise api.resource_already_exists_exception(f"Archive {name} already exists.")
        source = params["EventSourceArn"]
        match = _BUS_ARN.match(source)
        if match is None or self._bus((match.group(2), match.group(1), match.group(3))) is None:
            raise _not_found(f"Event bus {match.group(3) if match else source} does not exist.")
        pattern = params.get("EventPattern")
        if pattern:
            try:
                compile_pattern(pattern)
            except PatternError as exc:
                raise _pattern_error(exc) from None
        now = ctx.time()
        self.archives.put(key, {
            "EventSourceArn": source, "Description": params.get("Description"), "EventPattern": pattern,
            "RetentionDays": params.get("RetentionDays", 0), "State": "ENABLED", "Created": now,
            "EventCount": 0, "SizeBytes": 0, "Seq": 0, "KmsKeyIdentifier": params.get("KmsKeyIdentifier"),
        })
        bus_key = (match.group(2), match.group(1), match.group(3))
        self._put_archive_rule(bus_key, key, pattern, now)
        return {"ArchiveArn": self._archive_arn(key), "State": "ENABLED", "CreationTime": from_epoch(now)}

    def _put_archive_rule(self, bus_key: tuple, archive_key: tuple, pattern: str | None, now: float) -> None:
        """AWS archives through a managed rule on the bus: ``Events-Archive-<name>``, which leaves replayed
        events out. Its one target is the region's archive service (``arn:aws:events:<region>:::``) with an
        input transformer naming the archive, the event and its ingestion time (as moto's aws_verified
        test_archive_actual_events lists them from AWS)."""
        merged = json.loads(pattern) if pattern else {}
        merged["replay-name"] = [{"exists": False}]
        name = _ARCHIVE_RULE_PREFIX + archive_key[2]
        template = (f'{{"archive-arn": "{self._archive_arn(archive_key)}", "event": <aws.events.event.json>, '
                    '"ingestion-time": <aws.events.event.ingestion-time>}')
        target = {"Id": name, "Arn": _archive_service_arn(archive_key[1]),
                  "InputTransformer": {"InputPathsMap": {}, "InputTemplate": template}}
        self.rules.put((*bus_key, name), {
            "EventPattern": json.dumps(merged, separators=(",", ":")), "ScheduleExpression": None,
            "State": "ENABLED", "Description": None, "RoleArn": None, "ManagedBy": _ARCHIVE_RULE_OWNER,
            "Targets": [target], "Tags": {}, "Created": now,
            "CreatedBy": bus_key[0], "Anchor": now, "NextFire": None,
        })

    def _archive_rule_key(self, archive_key: tuple, archive: dict) -> tuple:
        match = _BUS_ARN.match(archive["EventSourceArn"])
        assert match is not None
        return match.group(2), match.group(1), match.group(3), _ARCHIVE_RULE_PREFIX + archive_key[2]

    def _archive_record(self, ctx: RequestContext[Any], name: str) -> tuple[tuple, dict]:
        key = (ctx.account, ctx.region, name)
        archive = self.archives.get(key)
        if archive is None:
            raise _not_found(f"Archive {name} does not exist.")
        return key, archive

    def _archive_view(self, key: tuple, archive: dict, full: bool) -> api.DescribeArchiveResponse:
        view: api.DescribeArchiveResponse = {"ArchiveName": key[2], "EventSourceArn": archive["EventSourceArn"],
                                "State": archive["State"]}
        if full:
            view["ArchiveArn"] = self._archive_arn(key)
            if archive.get("Description") is not None:
                view["Description"] = archive["Description"]
            if archive.get("EventPattern"):
                view["EventPattern"] = archive["EventPattern"]
            if archive.get("KmsKeyIdentifier"):
                view["KmsKeyIdentifier"] = archive["KmsKeyIdentifier"]
        view.update({"RetentionDays": archive["RetentionDays"], "SizeBytes": archive["SizeBytes"],
                     "EventCount": archive["EventCount"], "CreationTime": from_epoch(archive["Created"])})
        return view

    def describe_archive(self, ctx: Ctx[api.DescribeArchiveRequest]) -> api.DescribeArchiveResult:
        key, archive = self._archive_record(ctx, ctx.params["ArchiveName"])
        return self._archive_view(key, archive, True)

    def update_archive(self, ctx: Ctx[api.UpdateArchiveRequest]) -> api.UpdateArchiveResult:
        params = ctx.params
        key, archive = self._archive_record(ctx, params["ArchiveName"])
        record = dict(archive)
        if "EventPattern" in params:
            try:
                compile_pattern(params["EventPattern"])
            except PatternError as exc:
                raise _pattern_error(exc) from None
            record["EventPattern"] = params["EventPattern"]
            rule_key = self._archive_rule_key(key, record)
            self._put_archive_rule(rule_key[:3], key, params["EventPattern"] or None, ctx.time())
        for field in ("Description", "RetentionDays", "KmsKeyIdentifier"):
            if field in params:
                record[field] = params[field]
        self.archives.put(key, record)
        return {"ArchiveArn": self._archive_arn(key), "State": record["State"],
                "CreationTime": from_epoch(record["Created"])}

    def delete_archive(self, ctx: Ctx[api.DeleteArchiveRequest]) -> api.DeleteArchiveResult:
        key, archive = self._archive_record(ctx, ctx.params["ArchiveName"])
        for event_key in list(self.archived.irange(key, _bound(key), inclusive=(True, False))):
            self.archived.delete(event_key)
        self.rules.delete(self._archive_rule_key(key, archive))
        self.archives.delete(key)
        return {}

    def list_archives(self, ctx: Ctx[api.ListArchivesRequest]) -> api.ListArchivesResult:
        return cast(api.ListArchivesResponse,
                    self._list_by_source(ctx, "ListArchives", self.archives, self._archive_view, "Archives"))

    def _list_by_source(self, ctx: RequestContext[Any], operation: str, table: Any,
                        view: Callable[[tuple, dict, bool], Mapping[str, Any]], field: str) -> dict[str, Any]:
        """ListArchives and ListReplays: one optional filter (name prefix, source or state), paged."""
        params = ctx.params
        filters = [name for name in ("NamePrefix", "EventSourceArn", "State") if params.get(name)]
        if len(filters) > 1:
            raise _validation(f"At most one filter is allowed for {operation}. Use either : State, "
                              "EventSourceArn, or NamePrefix.")
        prefix = params.get("NamePrefix") or ""
        items = [
            view(key, record, False)
            for key, record in table.items_range((ctx.account, ctx.region, prefix),
                                                 (ctx.account, ctx.region, prefix + "\U0010ffff"))
            if (not params.get("EventSourceArn") or record["EventSourceArn"] == params["EventSourceArn"])
            and (not params.get("State") or record["State"] == params["State"])
        ]
        return self._page(items, params, field)

    @staticmethod
    def _page(items: list[Any], params: Mapping[str, Any], field: str) -> dict[str, Any]:
        start = _from_token(params.get("NextToken")) or 0
        limit = params.get("Limit") or _DEFAULT_LIMIT
        output: dict[str, Any] = {field: items[start:start + limit]}
        if start + limit < len(items):
            output["NextToken"] = encode_token(start + limit)
        return output

    def start_replay(self, ctx: Ctx[api.StartReplayRequest]) -> api.StartReplayResult:
        params = ctx.params
        name = params["ReplayName"]
        key = (ctx.account, ctx.region, name)
        if key in self.replays:
            raise api.resource_already_exists_exception(f"Replay {name} already exists.")
        match = _ARCHIVE_ARN.match(params["EventSourceArn"])
        archive_key = (match.group(2), match.group(1), match.group(3)) if match else None
        archive = self.archives.get(archive_key) if archive_key else None
        if archive is None:
            archive_name = match.group(3) if match else params["EventSourceArn"]
            raise _validation(f"Parameter EventSourceArn is not valid. Reason: Archive {archive_name} does not exist.")
        destination = params["Destination"]
        bus_match = _BUS_ARN.match(destination.get("Arn", ""))
        if bus_match is None:
            raise _validation("Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.")
        if destination["Arn"] != archive["EventSourceArn"]:
            raise _validation("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not "
                              "permitted.")
        start, end = to_epoch(params["EventStartTime"]), to_epoch(params["EventEndTime"])
        if start >= end:
            raise _validation("Parameter EventEndTime is not valid. Reason: EventStartTime must be before "
                              "EventEndTime.")
        now = ctx.time()
        self.replays.put(key, {
            "Description": params.get("Description"), "EventSourceArn": params["EventSourceArn"],
            "Destination": dict(destination), "EventStartTime": start, "EventEndTime": end,
            "State": "STARTING", "ReplayStartTime": now, "ReplayEndTime": None, "EventLastReplayedTime": None,
        })
        self.emulator.defer(lambda: self._run_replay(key))
        return {"ReplayArn": self._replay_arn(key), "State": "STARTING", "ReplayStartTime": from_epoch(now)}

    def _run_replay(self, key: tuple) -> None:
        replay = self.replays.get(key)
        if replay is None or replay["State"] not in ("STARTING", "RUNNING"):
            return
        match = _ARCHIVE_ARN.match(replay["EventSourceArn"])
        assert match is not None
        archive_key = (match.group(2), match.group(1), match.group(3))
        bus = _BUS_ARN.match(replay["Destination"]["Arn"])
        assert bus is not None
        bus_key = (bus.group(2), bus.group(1), bus.group(3))
        only = set(replay["Destination"].get("FilterArns") or ()) or None
        now = self.emulator.clock.time()
        last = None
        for _event_key, stored in list(self.archived.items_range(archive_key, _bound(archive_key),
                                                                 inclusive=(True, False))):
            if not (replay["EventStartTime"] <= stored["Time"] < replay["EventEndTime"]):
                continue
            event = json.loads(stored["Event"])
            event["replay-name"] = key[2]
            self._route(bus_key, event, now, 0, only)
            last = stored["Time"]
        self.replays.put(key, {**replay, "State": "COMPLETED", "ReplayEndTime": now,
                               "EventLastReplayedTime": last})

    def _replay_arn(self, key: tuple) -> str:
        return f"arn:aws:events:{key[1]}:{key[0]}:replay/{key[2]}"

    def _replay_view(self, key: tuple, replay: dict, full: bool) -> api.DescribeReplayResponse:
        view: dict[str, Any] = {"ReplayName": key[2], "EventSourceArn": replay["EventSourceArn"],
                                "State": replay["State"]}
        if full:
            view["ReplayArn"] = self._replay_arn(key)
            if replay.get("Description") is not None:
                view["Description"] = replay["Description"]
            view["Destination"] = dict(replay["Destination"])
        view["EventStartTime"] = from_epoch(replay["EventStartTime"])
        view["EventEndTime"] = from_epoch(replay["EventEndTime"])
        if replay.get("EventLastReplayedTime") is not None:
            view["EventLastReplayedTime"] = from_epoch(replay["EventLastReplayedTime"])
        view["ReplayStartTime"] = from_epoch(replay["ReplayStartTime"])
        if replay.get("ReplayEndTime") is not None:
            view["ReplayEndTime"] = from_epoch(replay["ReplayEndTime"])
        return cast(api.DescribeReplayResponse, view)

    def describe_replay(self, ctx: Ctx[api.DescribeReplayRequest]) -> api.DescribeReplayResult:
        key = (ctx.account, ctx.region, ctx.params["ReplayName"])
        replay = self.replays.get(key)
        if replay is None:
            raise _not_found(f"Replay {key[2]} does not exist.")
        return self._replay_view(key, replay, True)

    def list_replays(self, ctx: Ctx[api.ListReplaysRequest]) -> api.ListReplaysResult:
        return cast(api.ListReplaysResponse,
                    self._list_by_source(ctx, "ListReplays", self.replays, self._replay_view, "Replays"))

    def cancel_replay(self, ctx: Ctx[api.CancelReplayRequest]) -> api.CancelReplayResult:
        key = (ctx.account, ctx.region, ctx.params["ReplayName"])
        replay = self.replays.get(key)
        if replay is None:
            raise _not_found(f"Replay {key[2]} does not exist.")
        if replay["State"] not in ("STARTING", "RUNNING"):
            raise api.illegal_status_exception(f"Replay {key[2]} is not in a valid state for this operation.")
        self.replays.put(key, {**replay, "State": "CANCELLED"})
        return {"ReplayArn": self._replay_arn(key), "State": "CANCELLING"}

    # -- connections and API destinations (stored; deliveries to them are recorded, not sent) ------------
    def create_connection(self, ctx: Ctx[api.CreateConnectionRequest]) -> api.CreateConnectionResult:
        params = ctx.params
        key = (ctx.account, ctx.region, params["Name"])
        if key in self.connections:
            raise api.resource_already_exists_exception(f"Connection {key[2]} already exists.")
        now = ctx.time()
        uid = ctx.ids.uuid4()
        state = "AUTHORIZING" if params["AuthorizationType"] == "OAUTH_CLIENT_CREDENTIALS" else "AUTHORIZED"
        secret = self.emulator.ports.call("secretsmanager", "CreateSecret", {
            "Name": f"events!connection/{key[2]}/{uid}", "ClientRequestToken": ctx.ids.uuid4(),
            "SecretString": _connection_secret(params["AuthParameters"])},
            ctx.account, ctx.region)
        record: dict[str, Any] = {
            "Arn": f"arn:aws:events:{ctx.region}:{ctx.account}:connection/{key[2]}/{uid}",
            "SecretArn": secret["ARN"],
            "Description": params.get("Description"), "AuthorizationType": params["AuthorizationType"],
            "AuthParameters": params["AuthParameters"], "State": state, "Created": now, "Modified": now,
            "Authorized": now,
        }
        self.connections.put(key, record)
        return {"ConnectionArn": record["Arn"], "ConnectionState": state, "CreationTime": from_epoch(now),
                "LastModifiedTime": from_epoch(now)}

    def _connection(self, ctx: RequestContext[Any]) -> tuple[tuple, dict]:
        key = (ctx.account, ctx.region, ctx.params["Name"])
        record = self.connections.get(key)
        if record is None:
            raise _not_found(f"Failed to describe the connection(s). Connection '{key[2]}' does not exist.")
        return key, record

    @staticmethod
    def _redacted(parameters: dict) -> api.ConnectionAuthResponseParameters:
        """AuthParameters as Describe shows them: secrets left out."""
        out = json.loads(json.dumps(parameters))
        out.get("ApiKeyAuthParameters", {}).pop("ApiKeyValue", None)
        out.get("BasicAuthParameters", {}).pop("Password", None)
        out.get("OAuthParameters", {}).get("ClientParameters", {}).pop("ClientSecret", None)
        return out

    def describe_connection(self, ctx: Ctx[api.DescribeConnectionRequest]) -> api.DescribeConnectionResult:
        key, record = self._connection(ctx)
        view: api.DescribeConnectionResponse = {
            "ConnectionArn": record["Arn"], "Name": key[2], "ConnectionState": record["State"],
            "AuthorizationType": record["AuthorizationType"], "SecretArn": record["SecretArn"],
            "AuthParameters": self._redacted(record["AuthParameters"]),
            "CreationTime": from_epoch(record["Created"]), "LastModifiedTime": from_epoch(record["Modified"]),
            "LastAuthorizedTime": from_epoch(record["Authorized"])}
        if record.get("Description") is not None:
            view["Description"] = record["Description"]
        return view

    def _connection_summary(self, key: tuple, record: dict) -> api.DeauthorizeConnectionResponse:
        return {"ConnectionArn": record["Arn"], "ConnectionState": record["State"],
                "CreationTime": from_epoch(record["Created"]), "LastModifiedTime": from_epoch(record["Modified"]),
                "LastAuthorizedTime": from_epoch(record["Authorized"])}

    def update_connection(self, ctx: Ctx[api.UpdateConnectionRequest]) -> api.UpdateConnectionResult:
        key, record = self._connection(ctx)
        params = ctx.params
        record = {**record, "Modified": ctx.time()}
        for field in ("Description", "AuthorizationType", "AuthParameters"):
            if field in params:
                record[field] = params[field]
        if "AuthParameters" in params:
            self.emulator.ports.call("secretsmanager", "PutSecretValue", {
                "SecretId": record["SecretArn"], "ClientRequestToken": ctx.ids.uuid4(),
                "SecretString": _connection_secret(record["AuthParameters"])},
                ctx.account, ctx.region)
        self.connections.put(key, record)
        return self._connection_summary(key, record)

    def deauthorize_connection(self, ctx: Ctx[api.DeauthorizeConnectionRequest]) -> api.DeauthorizeConnectionResult:
        key, record = self._connection(ctx)
        record = {**record, "State": "DEAUTHORIZED", "Modified": ctx.time()}
        self.connections.put(key, record)
        return self._connection_summary(key, record)

    def delete_connection(self, ctx: Ctx[api.DeleteConnectionRequest]) -> api.DeleteConnectionResult:
        key, record = self._connection(ctx)
        self.connections.delete(key)
        self.emulator.ports.call("secretsmanager", "DeleteSecret", {
            "SecretId": record["SecretArn"], "ForceDeleteWithoutRecovery": True}, ctx.account, ctx.region)
        return {**self._connection_summary(key, record), "ConnectionState": "DELETING"}

    def list_connections(self, ctx: Ctx[api.ListConnectionsRequest]) -> api.ListConnectionsResult:
        params = ctx.params
        prefix = params.get("NamePrefix") or ""
        items = [{"Name": key[2], "AuthorizationType": record["AuthorizationType"],
                  **self._connection_summary(key, record)}
                 for key, record in self.connections.items_range((ctx.account, ctx.region, prefix),
                                                                 (ctx.account, ctx.region, prefix + "\U0010ffff"))
                 if not params.get("ConnectionState") or record["State"] == params["ConnectionState"]]
        return cast(api.ListConnectionsResponse, self._page(items, params, "Connections"))

    def create_api_destination(self, ctx: Ctx[api.CreateApiDestinationRequest]) -> api.CreateApiDestinationResult:
        params = ctx.params
        key = (ctx.account, ctx.region, params["Name"])
        if key in self.destinations:
            raise api.resource_already_exists_exception(f"An api-destination '{key[2]}' already exists.")
        if not any(c["Arn"] == params["ConnectionArn"] for c in self.connections.values()):
            raise _not_found(f"Connection '{params['ConnectionArn']}' does not exist.")
        now = ctx.time()
        record: dict[str, Any] = {
            "Arn": f"arn:aws:events:{ctx.region}:{ctx.account}:api-destination/{key[2]}/{ctx.ids.uuid4()}",
            "Description": params.get("Description"), "ConnectionArn": params["ConnectionArn"],
            "InvocationEndpoint": params["InvocationEndpoint"], "HttpMethod": params["HttpMethod"],
            "InvocationRateLimitPerSecond": params.get("InvocationRateLimitPerSecond", 300),
            "State": "ACTIVE", "Created": now, "Modified": now,
        }
        self.destinations.put(key, record)
        return {"ApiDestinationArn": record["Arn"], "ApiDestinationState": "ACTIVE",
                "CreationTime": from_epoch(now), "LastModifiedTime": from_epoch(now)}

    def _destination(self, ctx: RequestContext[Any]) -> tuple[tuple, dict]:
        key = (ctx.account, ctx.region, ctx.params["Name"])
        record = self.destinations.get(key)
        if record is None:
            raise _not_found(f"An api-destination '{key[2]}' does not exist.")
        return key, record

    def _destination_view(self, key: tuple, record: dict) -> api.DescribeApiDestinationResponse:
        view: api.DescribeApiDestinationResponse = {
            "ApiDestinationArn": record["Arn"], "Name": key[2], "ApiDestinationState": record["State"],
            "ConnectionArn": record["ConnectionArn"], "InvocationEndpoint": record["InvocationEndpoint"],
            "HttpMethod": record["HttpMethod"],
            "InvocationRateLimitPerSecond": record["InvocationRateLimitPerSecond"],
            "CreationTime": from_epoch(record["Created"]), "LastModifiedTime": from_epoch(record["Modified"])}
        if record.get("Description") is not None:
            view["Description"] = record["Description"]
        return view

    def describe_api_destination(self, ctx: Ctx[api.DescribeApiDestinationRequest]) -> api.DescribeApiDestinationResult:
        return self._destination_view(*self._destination(ctx))

    def update_api_destination(self, ctx: Ctx[api.UpdateApiDestinationRequest]) -> api.UpdateApiDestinationResult:
        key, record = self._destination(ctx)
        record = {**record, "Modified": ctx.time()}
        for field in ("Description", "ConnectionArn", "InvocationEndpoint", "HttpMethod",
                      "InvocationRateLimitPerSecond"):
            if field in ctx.params:
                record[field] = ctx.params[field]
        self.destinations.put(key, record)
        return {"ApiDestinationArn": record["Arn"], "ApiDestinationState": record["State"],
                "CreationTime": from_epoch(record["Created"]), "LastModifiedTime": from_epoch(record["Modified"])}

    def delete_api_destination(self, ctx: Ctx[api.DeleteApiDestinationRequest]) -> api.DeleteApiDestinationResult:
        key, _record = self._destination(ctx)
        self.destinations.delete(key)
        return {}

    def list_api_destinations(self, ctx: Ctx[api.ListApiDestinationsRequest]) -> api.ListApiDestinationsResult:
        params = ctx.params
        prefix = params.get("NamePrefix") or ""
        items: list[api.ApiDestination] = []
        for key, record in self.destinations.items_range((ctx.account, ctx.region, prefix),
                                                         (ctx.account, ctx.region, prefix + "\U0010ffff")):
            if params.get("ConnectionArn") and record["ConnectionArn"] != params["ConnectionArn"]:
                continue
            view = self._destination_view(key, record)
            view.pop("Description", None)
            items.append(view)
        return cast(api.ListApiDestinationsResponse, self._page(items, params, "ApiDestinations"))

    # -- inspection -------------------------------------------------------------------------------
    def resource_facts(self, arn: str) -> dict[str, Any] | None:
        """ResourcePolicyPort: an event bus's resource policy and tags (a rule's bus policy is not
        asked: rule operations are authorized by identity policies, as on AWS)."""
        match = _BUS_ARN.match(arn)
        bus = self._bus((match.group(2), match.group(1), match.group(3))) if match else None
        if bus is None:
            return None
        return {"Arn": arn, "Policy": bus.get("Policy"), "Tags": dict(bus.get("Tags") or {})}

    def summary(self) -> dict[str, Any]:
        buses = [{"name": "default", "account": self.emulator.account_id, "region": self.emulator.region,
                  "arn": self._bus_arn((self.emulator.account_id, self.emulator.region, "default"))}]
        buses += [{"name": k[2], "account": k[0], "region": k[1], "arn": self._bus_arn(k)}
                  for k in self.buses.keys() if k[2] != "default"]
        rules = [{"name": k[3], "bus": k[2], "account": k[0], "region": k[1], "state": r["State"],
                  "pattern": r.get("EventPattern"), "schedule": r.get("ScheduleExpression"),
                  "targets": len(r["Targets"])} for k, r in self.rules.items()]
        summary: dict[str, Any] = {"buses": buses, "rules": rules}
        if len(self.archives):
            summary["archives"] = [{"name": k[2], "events": a["EventCount"]} for k, a in self.archives.items()]
        if len(self.undelivered_table):
            summary["undelivered"] = len(self.undelivered_table)
        return summary
