"""AWS Step Functions: state machines (standard and express), versions, aliases, executions with
their history, task tokens and activities.

Executions are durable and lazy (see interpreter.py): an execution is a record, its history events
and its journal in store tables; it advances on deferred work after StartExecution, on a task token's
answer, and from the poller when the clock reaches the time it waits for. Nothing sleeps.

Internal API (``emulator.ports.workflows``, WorkflowPort):
  start_execution_internal(state_machine_arn, input, account, region) -> execution ARN
"""

from __future__ import annotations

import json
import random
import re
from typing import Any, Callable

from ...api import stepfunctions as sfn
from ...core.clock import VirtualClock, from_epoch
from ...core.dispatch import Ctx, RequestContext, ServiceBackend
from ...core.errors import AwsError, NotEmulatedError
from ...core.tokens import offset_page
from ...core.partitions import arn_prefix
from . import asl, jsonata_mode, schema, teststate
from .failures import StateFailure, Suspend
from .host import ExecutionHost
from .interpreter import Run, Scope, iso, to_json

_NAME = re.compile(r"^[^\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]{1,80}$")
_MACHINE_ARN = re.compile(r"^arn:aws[\w-]*:states:([^:]+):(\d{12}):stateMachine:([^:]+)(?::([^:]+))?$")
_TASK_ARN = re.compile(r"^arn:aws[\w-]*:states:([^:]+):(\d{12}):activity:([^:]+)$")
_ACTIVITY_POLL_SECONDS = 60
_SYNC_LIMIT = 10_000  # replays of one StartSyncExecution before it is reported as stuck
_TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


def _invalid_token() -> AwsError:
    return sfn.invalid_token("Invalid Token: 'Invalid token'")


def _uses_jsonata(node: Any) -> bool:
    """Whether a definition sets QueryLanguage JSONata anywhere (the machine, a state, a branch)."""
    if isinstance(node, dict):
        return node.get("QueryLanguage") == "JSONata" or any(_uses_jsonata(v) for v in node.values())
    if isinstance(node, list):
        return any(_uses_jsonata(v) for v in node)
    return False


def _existing(table: Any, arn: str, pattern: re.Pattern, missing: Callable[[], AwsError]) -> dict:
    """The record of ``arn``: InvalidArn for an ARN of another kind, ``missing()`` for an absent one."""
    record = table.get(arn)
    if record is None:
        if not pattern.match(arn):
            raise sfn.invalid_arn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
        raise missing()
    return dict(record)


def _page(ctx: RequestContext[Any], items: list, key: str) -> Any:
    """One page of a List call's ``key`` from ``maxResults``/``nextToken`` (default page size 100)."""
    page, token = offset_page(items, ctx.params.get("maxResults") or 100, ctx.params.get("nextToken"),
                              sfn.invalid_token("Invalid Token"))
    out: dict[str, Any] = {key: page}
    if token:
        out["nextToken"] = token
    return out


def _tag_map(tags: Any) -> dict[str, str]:
    """Tags as a dict; a tag without a key is refused as AWS's model validation does."""
    out: dict[str, str] = {}
    for index, tag in enumerate(tags or [], start=1):
        if tag.get("key") is None:
            raise sfn.validation_exception(f"1 validation error detected: Value null at 'tags.{index}.member.key' "
                                           "failed to satisfy constraint: Member must not be null")
        out[tag["key"]] = tag.get("value", "")
    return out


def _tags_out(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in tags.items()]


class StepFunctionsBackend(ServiceBackend):
    service_name = "stepfunctions"
    input_error_code = "ValidationException"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.machines = schema.MACHINES.open(self.store)          # machine ARN -> record
        self.versions = schema.VERSIONS.open(self.store)          # version ARN -> record
        self.aliases = schema.ALIASES.open(self.store)            # alias ARN -> record
        self.executions = schema.EXECUTIONS.open(self.store)      # execution ARN -> record
        self.history = schema.HISTORY.open_ordered(self.store)    # (execution ARN, id) -> event
        self.journal = schema.JOURNAL.open_ordered(self.store)    # (execution ARN, step) -> [events, value]
        self.tokens = schema.TOKENS.open(self.store)              # task token -> record
        self.activities = schema.ACTIVITIES.open(self.store)      # activity ARN -> record
        self.activity_tasks = schema.ACTIVITY_TASKS.open_ordered(self.store)  # (ARN, seq) -> task
        self.map_runs = schema.MAP_RUNS.open(self.store)          # map run ARN -> record
        self._wakes: dict[str, float] = {}
        self._definitions: dict[str, dict] = {}
        for key, record in self.executions.items():
            self._index(key, None, record)
        self.executions.watch(self._index)
        emulator.pollers.append(self._advance_due)

    def _index(self, key: str, old: dict | None, new: dict | None) -> None:
        self._wakes.pop(key, None)
        if new is not None and new["status"] == "RUNNING" and new.get("wakeAt") is not None:
            self._wakes[key] = new["wakeAt"]

    # -- state machines ----------------------------------------------------------------------------
    def _validated(self, text: str, machine_type: str) -> dict:
        definition, problems = asl.validate(text, machine_type)
        if problems:
            raise sfn.invalid_definition(asl.failure_message(problems))
        if _uses_jsonata(definition) and not jsonata_mode.available():
            raise NotEmulatedError("stepfunctions", "CreateStateMachine", jsonata_mode.EXTRA_MISSING)
        return definition

    def _machine(self, arn: str) -> dict:
        return _existing(self.machines, arn, _MACHINE_ARN,
                         lambda: sfn.state_machine_does_not_exist(f"State Machine Does Not Exist: '{arn}'"))

    def create_state_machine(self, ctx: Ctx[sfn.CreateStateMachineRequest]) -> sfn.CreateStateMachineResult:
        p = ctx.params
        machine_type = p.get("type", "STANDARD")
        if not _NAME.match(p["name"]):
            raise sfn.invalid_name(f"Invalid Name: '{p['name']}'")
        self._validated(p["definition"], machine_type)
        arn = ctx.arn(f"stateMachine:{p['name']}", service="states")
        now = ctx.time()
        existing = self.machines.get(arn)
        if existing is not None:
            if existing["definition"] != p["definition"] or existing["roleArn"] != p["roleArn"]:
                raise sfn.state_machine_already_exists(f"State Machine Already Exists: '{arn}'")
            return {"stateMachineArn": arn, "creationDate": from_epoch(existing["creationDate"])}
        record = {"arn": arn, "name": p["name"], "definition": p["definition"], "roleArn": p["roleArn"],
                  "type": machine_type, "creationDate": now, "revisionId": ctx.ids.uuid4(),
                  "description": p.get("versionDescription", ""), "versions": 0,
                  "tags": _tag_map(p.get("tags")),
                  "loggingConfiguration": p.get("loggingConfiguration", {"level": "OFF", "includeExecutionData": False}),
                  "tracingConfiguration": p.get("tracingConfiguration", {"enabled": False}),
                  "account": ctx.account, "region": ctx.region}
        self.machines.put(arn, record)
        out: sfn.CreateStateMachineResult = {"stateMachineArn": arn, "creationDate": from_epoch(now)}
        if p.get("publish"):
            version = self._publish(arn, p.get("versionDescription"), now)
            out["stateMachineVersionArn"] = version
        return out

    def describe_state_machine(self, ctx: Ctx[sfn.DescribeStateMachineRequest]) -> sfn.DescribeStateMachineResult:
        arn = ctx.params["stateMachineArn"]
        if arn in self.versions:
            version = self.versions[arn]
            machine = {**self._machine(version["machineArn"]), **version}
        else:
            machine = self._machine(arn)
        out: sfn.DescribeStateMachineResult = {
            "stateMachineArn": arn, "name": machine["name"], "status": "ACTIVE",
            "definition": machine["definition"], "roleArn": machine["roleArn"], "type": machine["type"],
            "creationDate": from_epoch(machine["creationDate"]),
            "loggingConfiguration": machine["loggingConfiguration"],
            "tracingConfiguration": machine["tracingConfiguration"], "revisionId": machine["revisionId"]}
        if machine.get("description"):
            out["description"] = machine["description"]
        return out

    def update_state_machine(self, ctx: Ctx[sfn.UpdateStateMachineRequest]) -> sfn.UpdateStateMachineResult:
        p = ctx.params
        machine = self._machine(p["stateMachineArn"])
        if not any(k in p for k in ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration")):
            raise sfn.missing_required_parameter(
                "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified")
        if "definition" in p:
            self._validated(p["definition"], machine["type"])
        changed = {k: p[k] for k in ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration") if k in p}
        updated = {**machine, **changed, "updateDate": ctx.time(),
                   "revisionId": ctx.ids.uuid4() if changed.get("definition", machine["definition"]) != machine["definition"]
                   or changed.get("roleArn", machine["roleArn"]) != machine["roleArn"] else machine["revisionId"]}
        self.machines.put(machine["arn"], updated)
        out: sfn.UpdateStateMachineResult = {"updateDate": from_epoch(updated["updateDate"]),
                                             "revisionId": updated["revisionId"]}
        if p.get("publish"):
            out["stateMachineVersionArn"] = self._publish(machine["arn"], p.get("versionDescription"), ctx.time())
        return out

    def delete_state_machine(self, ctx: Ctx[sfn.DeleteStateMachineRequest]) -> sfn.DeleteStateMachineResult:
        arn = ctx.params["stateMachineArn"]
        if not _MACHINE_ARN.match(arn):
            raise sfn.invalid_arn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
        if arn in self.machines:
            self.machines.delete(arn)
            for key in [k for k, v in self.versions.items() if v["machineArn"] == arn]:
                self.versions.delete(key)
            for key in [k for k, v in self.aliases.items() if v["machineArn"] == arn]:
                self.aliases.delete(key)
        return {}

    def list_state_machines(self, ctx: Ctx[sfn.ListStateMachinesRequest]) -> sfn.ListStateMachinesResult:
        items = [{"stateMachineArn": m["arn"], "name": m["name"], "type": m["type"],
                  "creationDate": from_epoch(m["creationDate"])}
                 for m in sorted(self.machines.values(), key=lambda m: m["creationDate"])
                 if m["account"] == ctx.account and m["region"] == ctx.region]
        return _page(ctx, items, "stateMachines")

    # -- versions and aliases ---------------------------------------------------------------------
    def _publish(self, machine_arn: str, description: str | None, now: float) -> str:
        machine = self.machines[machine_arn]
        latest = max((v for v in self.versions.values() if v["machineArn"] == machine_arn),
                     key=lambda v: v["version"], default=None)
        if latest is not None and latest["revisionId"] == machine["revisionId"]:
            return str(latest["arn"])  # AWS returns the existing version for an unchanged revision
        number = machine["versions"] + 1
        arn = f"{machine_arn}:{number}"
        self.machines.put(machine_arn, {**machine, "versions": number})
        self.versions.put(arn, {"arn": arn, "machineArn": machine_arn, "version": number,
                                "definition": machine["definition"], "roleArn": machine["roleArn"],
                                "revisionId": machine["revisionId"], "creationDate": now,
                                "description": description or ""})
        return arn

    def publish_state_machine_version(self, ctx: Ctx[sfn.PublishStateMachineVersionRequest]
                                      ) -> sfn.PublishStateMachineVersionResult:
        machine = self._machine(ctx.params["stateMachineArn"])
        if ctx.params.get("revisionId") not in (None, machine["revisionId"]):
            raise sfn.conflict_exception(
                f"Failed to publish the State Machine version for revision {ctx.params['revisionId']}. "
                f"The current State Machine revision is {machine['revisionId']}.")
        arn = self._publish(machine["arn"], ctx.params.get("description"), ctx.time())
        return {"stateMachineVersionArn": arn, "creationDate": from_epoch(self.versions[arn]["creationDate"])}

    def list_state_machine_versions(self, ctx: Ctx[sfn.ListStateMachineVersionsRequest]
                                    ) -> sfn.ListStateMachineVersionsResult:
        machine = self._machine(ctx.params["stateMachineArn"])
        items = [{"stateMachineVersionArn": v["arn"], "creationDate": from_epoch(v["creationDate"])}
                 for v in sorted(self.versions.values(), key=lambda v: -v["version"])
                 if v["machineArn"] == machine["arn"]]
        return _page(ctx, items, "stateMachineVersions")

    def delete_state_machine_version(self, ctx: Ctx[sfn.DeleteStateMachineVersionRequest]
                                     ) -> sfn.DeleteStateMachineVersionResult:
        arn = ctx.params["stateMachineVersionArn"]
        if any(arn in [r["stateMachineVersionArn"] for r in a["routingConfiguration"]] for a in self.aliases.values()):
            raise sfn.conflict_exception(f"Version to be deleted must not be referenced by an alias. "
                                         f"Current list of aliases referencing this version: {arn}")
        if arn in self.versions:
            self.versions.delete(arn)
        return {}

    def _routing(self, routing: list[Any]) -> list[dict]:
        for route in routing:
            if route["stateMachineVersionArn"] not in self.versions:
                raise sfn.resource_not_found(f"Resource not found: '{route['stateMachineVersionArn']}'",
                                             resourceName=route["stateMachineVersionArn"])
        if sum(r["weight"] for r in routing) != 100:
            raise sfn.validation_exception("Sum of routing configuration weights must equal 100.")
        return [dict(r) for r in routing]

    def create_state_machine_alias(self, ctx: Ctx[sfn.CreateStateMachineAliasRequest]
                                   ) -> sfn.CreateStateMachineAliasResult:
        p = ctx.params
        routing = self._routing([dict(r) for r in p["routingConfiguration"]])
        machine_arn = self.versions[routing[0]["stateMachineVersionArn"]]["machineArn"]
        arn = f"{machine_arn}:{p['name']}"
        existing = self.aliases.get(arn)
        if existing is not None and existing["routingConfiguration"] != routing:
            raise sfn.conflict_exception(f"Failed to create alias because an alias with the same name and a "
                                         f"different routing configuration already exists.")
        now = existing["creationDate"] if existing else ctx.time()
        self.aliases.put(arn, {"arn": arn, "machineArn": machine_arn, "name": p["name"],
                               "description": p.get("description", ""), "routingConfiguration": routing,
                               "creationDate": now, "updateDate": now})
        return {"stateMachineAliasArn": arn, "creationDate": from_epoch(now)}

    def _alias(self, arn: str) -> dict:
        alias = self.aliases.get(arn)
        if alias is None:
            raise sfn.resource_not_found(f"Request references a resource that does not exist.", resourceName=arn)
        return alias

    def describe_state_machine_alias(self, ctx: Ctx[sfn.DescribeStateMachineAliasRequest]
                                     ) -> sfn.DescribeStateMachineAliasResult:
        alias = self._alias(ctx.params["stateMachineAliasArn"])
        out: sfn.DescribeStateMachineAliasResult = {
            "stateMachineAliasArn": alias["arn"], "name": alias["name"],
            "routingConfiguration": alias["routingConfiguration"],  # type: ignore[typeddict-item]
            "creationDate": from_epoch(alias["creationDate"]), "updateDate": from_epoch(alias["updateDate"])}
        if alias["description"]:
            out["description"] = alias["description"]
        return out

    def update_state_machine_alias(self, ctx: Ctx[sfn.UpdateStateMachineAliasRequest]
                                   ) -> sfn.UpdateStateMachineAliasResult:
        alias = self._alias(ctx.params["stateMachineAliasArn"])
        changed = dict(alias, updateDate=ctx.time())
        if "routingConfiguration" in ctx.params:
            changed["routingConfiguration"] = self._routing([dict(r) for r in ctx.params["routingConfiguration"]])
        if "description" in ctx.params:
            changed["description"] = ctx.params["description"]
        self.aliases.put(alias["arn"], changed)
        return {"updateDate": from_epoch(changed["updateDate"])}

    def delete_state_machine_alias(self, ctx: Ctx[sfn.DeleteStateMachineAliasRequest]
                                   ) -> sfn.DeleteStateMachineAliasResult:
        arn = ctx.params["stateMachineAliasArn"]
        if arn in self.aliases:
            self.aliases.delete(arn)
        return {}

    def list_state_machine_aliases(self, ctx: Ctx[sfn.ListStateMachineAliasesRequest]
                                   ) -> sfn.ListStateMachineAliasesResult:
        machine = self._machine(ctx.params["stateMachineArn"])
        items = [{"stateMachineAliasArn": a["arn"], "creationDate": from_epoch(a["creationDate"])}
                 for a in self.aliases.values() if a["machineArn"] == machine["arn"]]
        return _page(ctx, items, "stateMachineAliases")

    # -- tags ---------------------------------------------------------------------------------------
    def _tagged(self, arn: str) -> tuple[Any, dict]:
        for table in (self.machines, self.activities):
            if arn in table:
                return table, table[arn]
        raise sfn.resource_not_found(f"Resource not found: '{arn}'", resourceName=arn)

    def tag_resource(self, ctx: Ctx[sfn.TagResourceRequest]) -> sfn.TagResourceResult:
        table, record = self._tagged(ctx.params["resourceArn"])
        tags = {**record["tags"], **_tag_map(ctx.params["tags"])}
        if len(tags) > 50:
            raise sfn.too_many_tags("Too many tags", resourceName=ctx.params["resourceArn"])
        table.put(record["arn"], {**record, "tags": tags})
        return {}

    def untag_resource(self, ctx: Ctx[sfn.UntagResourceRequest]) -> sfn.UntagResourceResult:
        table, record = self._tagged(ctx.params["resourceArn"])
        drop = set(ctx.params["tagKeys"])
        table.put(record["arn"], {**record, "tags": {k: v for k, v in record["tags"].items() if k not in drop}})
        return {}

    def list_tags_for_resource(self, ctx: Ctx[sfn.ListTagsForResourceRequest]) -> sfn.ListTagsForResourceResult:
        _, record = self._tagged(ctx.params["resourceArn"])
        return {"tags": _tags_out(record["tags"])}  # type: ignore[typeddict-item]

    # -- validation ----------------------------------------------------------------------------------
    def validate_state_machine_definition(self, ctx: Ctx[sfn.ValidateStateMachineDefinitionRequest]
                                          ) -> sfn.ValidateStateMachineDefinitionResult:
        _, problems = asl.validate(ctx.params["definition"], ctx.params.get("type", "STANDARD"))
        limit = ctx.params.get("maxResults") or 100
        return {"result": "FAIL" if problems else "OK", "diagnostics": problems[:limit],  # type: ignore[typeddict-item]
                "truncated": len(problems) > limit}

    # -- executions -------------------------------------------------------------------------------------
    def _resolve(self, arn: str) -> tuple[dict, str | None, str | None, str]:
        """(machine, version ARN, alias ARN, definition) for a machine, version or alias ARN."""
        if arn in self.aliases:
            alias = self.aliases[arn]
            routes = alias["routingConfiguration"]
            pick = random.Random(self.emulator.ids.counter).uniform(0, 100)
            for route in routes:
                pick -= route["weight"]
                if pick <= 0 or route is routes[-1]:
                    version = self.versions[route["stateMachineVersionArn"]]
                    return self.machines[version["machineArn"]], version["arn"], arn, version["definition"]
        if arn in self.versions:
            version = self.versions[arn]
            return self.machines[version["machineArn"]], arn, None, version["definition"]
        machine = self._machine(arn)
        return machine, None, None, machine["definition"]

    def start_execution_internal(self, state_machine_arn: str, input: str, account: str, region: str) -> str:
        return self.start(state_machine_arn, input, name=None, parent=None)

    def start(self, state_machine_arn: str, input: str, *, name: str | None, parent: str | None) -> str:
        """StartExecution: a new execution record and its ExecutionStarted event; it runs on deferred work.
        ``parent``: the execution whose ``states:startExecution.sync`` task waits for this one."""
        machine, version_arn, alias_arn, definition = self._resolve(state_machine_arn)
        try:
            json.loads(input)
        except ValueError:
            raise sfn.invalid_execution_input(f"Invalid State Machine Execution Input: '{input}'") from None
        name = name or self.emulator.ids.uuid4()
        if not _NAME.match(name):
            raise sfn.invalid_name(f"Invalid Name: '{name}'")
        kind = "express:" if machine["type"] == "EXPRESS" else "execution:"
        arn = f"{arn_prefix(machine['region'])}:states:{machine['region']}:{machine['account']}:{kind}{machine['name']}:{name}"
        if machine["type"] == "EXPRESS":
            arn += f":{self.emulator.ids.uuid4()}"
        existing = self.executions.get(arn)
        if existing is not None:
            if existing["status"] == "RUNNING" and existing["input"] == input:
                return arn  # StartExecution is idempotent for a running standard execution with the same input
            raise sfn.execution_already_exists(f"Execution Already Exists: '{arn}'")
        now = self.emulator.clock.time()
        record = {"executionArn": arn, "stateMachineArn": machine["arn"], "name": name, "status": "RUNNING",
                  "startDate": now, "input": input, "definition": definition, "roleArn": machine["roleArn"],
                  "type": machine["type"], "account": machine["account"], "region": machine["region"],
                  "events": 1, "wakeAt": None, "parent": parent, "versionArn": version_arn, "aliasArn": alias_arn,
                  "machineName": machine["name"], "updateDate": machine.get("updateDate")}
        self.executions.put(arn, record)
        started: dict[str, Any] = {"input": input, "inputDetails": {"truncated": False}, "roleArn": machine["roleArn"]}
        if version_arn:
            started["stateMachineVersionArn"] = version_arn
        if alias_arn:
            started["stateMachineAliasArn"] = alias_arn
        self.history.put((arn, 1), {"type": "ExecutionStarted", "timestamp": now, "previousEventId": 0,
                                    "executionStartedEventDetails": started})
        self.emulator.defer(lambda: self._advance(arn))
        return arn

    def _definition(self, text: str) -> dict:
        definition = self._definitions.get(text)
        if definition is None:
            definition = self._definitions[text] = json.loads(text)
        return definition

    def _advance(self, arn: str, fast_forward: bool = False) -> None:
        """Replay an execution as far as it can go now; store how it ended or when to wake it."""
        record = self.executions.get(arn)
        if record is None or record["status"] != "RUNNING":
            return
        host = ExecutionHost(self, record, fast_forward)
        definition = self._definition(record["definition"])
        context = {"Execution": {"Id": arn, "Input": json.loads(record["input"]), "Name": record["name"],
                                 "RoleArn": record["roleArn"], "StartTime": iso(record["startDate"])},
                   "StateMachine": {"Id": record["stateMachineArn"], "Name": record["machineName"]}}
        deadline = record["startDate"] + definition["TimeoutSeconds"] if "TimeoutSeconds" in definition else None
        for _ in range(_SYNC_LIMIT if fast_forward else 1):
            scope = Scope("x", 0)  # AWS: the first state's entered event has previousEventId 0
            run = Run(host, definition, context, seed=arn)
            try:
                if deadline is not None and host.now() >= deadline:
                    raise StateFailure("States.Timeout", "")
                output = run.execute(definition, context["Execution"]["Input"], scope)
            except Suspend as suspended:
                wake = suspended.wake_at
                if deadline is not None:
                    wake = deadline if wake is None else min(wake, deadline)
                if fast_forward and wake is not None:
                    host.local_time = wake
                    continue
                self._save(host, {"wakeAt": wake})
                return
            except StateFailure as failure:
                timed_out = failure.error == "States.Timeout" and deadline is not None and host.now() >= deadline
                self._finish(host, scope, "TIMED_OUT" if timed_out else "FAILED",
                             error=failure.error, cause=failure.cause)
                return
            self._finish(host, scope, "SUCCEEDED", output=to_json(output))
            return
        self._finish(host, Scope("x", host.events), "FAILED", error="States.Runtime",
                     cause="The execution did not finish within the emulator's replay limit")

    def _save(self, host: ExecutionHost, changes: dict) -> None:
        current = self.executions[host.arn]
        self.executions.put(host.arn, {**current, **changes, "events": host.events})

    def _finish(self, host: ExecutionHost, scope: Scope, status: str, *, output: str | None = None,
                error: str | None = None, cause: str | None = None) -> None:
        event_type = {"SUCCEEDED": "ExecutionSucceeded", "FAILED": "ExecutionFailed",
                      "TIMED_OUT": "ExecutionTimedOut", "ABORTED": "ExecutionAborted"}[status]
        key = event_type[0].lower() + event_type[1:] + "EventDetails"
        details = ({"output": output, "outputDetails": {"truncated": False}} if status == "SUCCEEDED"
                   else {"error": error or "", "cause": cause or ""})
        host.append_event(event_type, {key: details}, scope.previous_event if scope.name else host.events)
        changes: dict[str, Any] = {"status": status, "stopDate": host.now(), "wakeAt": None}
        if output is not None:
            changes["output"] = output
        if status != "SUCCEEDED":
            changes.update(error=error or "", cause=cause or "")
        self._save(host, changes)
        parent = host.execution.get("parent")
        if parent:
            self.emulator.defer(lambda: self._advance(parent))

    def _advance_due(self) -> bool:
        """Poller: advance every execution whose wake time the clock has reached."""
        now = self.emulator.clock.time()
        due = [arn for arn, when in self._wakes.items() if when <= now]
        for arn in due:
            self._advance(arn)
        return bool(due)

    def start_execution(self, ctx: Ctx[sfn.StartExecutionRequest]) -> sfn.StartExecutionResult:
        p = ctx.params
        arn = self.start(p["stateMachineArn"], p.get("input", "{}"), name=p.get("name"), parent=None)
        return {"executionArn": arn, "startDate": from_epoch(self.executions[arn]["startDate"])}

    def start_sync_execution(self, ctx: Ctx[sfn.StartSyncExecutionRequest]) -> sfn.StartSyncExecutionResult:
        p = ctx.params
        machine, _, _, _ = self._resolve(p["stateMachineArn"])
        if machine["type"] != "EXPRESS":
            raise sfn.state_machine_type_not_supported(
                "This operation is not supported by this type of state machine")
        arn = self.start(p["stateMachineArn"], p.get("input", "{}"), name=p.get("name"), parent=None)
        self._advance(arn, fast_forward=True)
        record = self.executions[arn]
        out: sfn.StartSyncExecutionResult = {
            "executionArn": arn, "stateMachineArn": record["stateMachineArn"], "name": record["name"],
            "startDate": from_epoch(record["startDate"]), "stopDate": from_epoch(record["stopDate"]),
            "status": record["status"], "input": record["input"], "inputDetails": {"included": True},
            "billingDetails": {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100}}
        if record["status"] == "SUCCEEDED":
            out["output"] = record["output"]
            out["outputDetails"] = {"included": True}
        else:
            out["error"], out["cause"] = record["error"], record["cause"]
        return out

    def _execution(self, arn: str) -> dict:
        record = self.executions.get(arn)
        if record is None:
            if ":execution:" not in arn and ":express:" not in arn:
                raise sfn.invalid_arn(f"Invalid Arn: 'Resource type not valid in this context: execution'")
            raise sfn.execution_does_not_exist(f"Execution Does Not Exist: '{arn}'")
        return record

    def describe_execution(self, ctx: Ctx[sfn.DescribeExecutionRequest]) -> sfn.DescribeExecutionResult:
        record = self._execution(ctx.params["executionArn"])
        out: sfn.DescribeExecutionResult = {
            "executionArn": record["executionArn"], "stateMachineArn": record["stateMachineArn"],
            "name": record["name"], "status": record["status"], "startDate": from_epoch(record["startDate"]),
            "input": record["input"], "inputDetails": {"included": True},
            "redriveCount": record.get("redriveCount", 0)}
        if record.get("redriveDate") is not None:
            out["redriveDate"] = from_epoch(record["redriveDate"])
        if record["status"] in ("FAILED", "TIMED_OUT", "ABORTED") and record["type"] == "STANDARD":
            out["redriveStatus"] = "REDRIVABLE"
        elif record["status"] != "RUNNING":
            out["redriveStatus"] = "NOT_REDRIVABLE"
        if record["status"] != "RUNNING":
            out["stopDate"] = from_epoch(record["stopDate"])
        if record["status"] == "SUCCEEDED":
            out["output"] = record["output"]
            out["outputDetails"] = {"included": True}
        elif record["status"] in ("FAILED", "TIMED_OUT", "ABORTED"):
            if record.get("error"):
                out["error"] = record["error"]
            if record.get("cause"):
                out["cause"] = record["cause"]
        if record["versionArn"]:
            out["stateMachineVersionArn"] = record["versionArn"]
        if record["aliasArn"]:
            out["stateMachineAliasArn"] = record["aliasArn"]
        return out

    def redrive_execution(self, ctx: Ctx[sfn.RedriveExecutionRequest]) -> sfn.RedriveExecutionResult:
        """Runs a failed, timed-out or aborted standard execution again from the state that failed:
        the journal after that state's entry is forgotten, the steps before it are kept (not re-run)."""
        record = self._execution(ctx.params["executionArn"])
        arn = record["executionArn"]
        if record["type"] == "EXPRESS" or record["status"] not in ("FAILED", "TIMED_OUT", "ABORTED"):
            raise sfn.execution_not_redrivable(f"Execution is {record['status']}: '{arn}'")
        restart_from = self._unfinished_state_entry(arn)
        for key, (recorded_at, _) in list(self.journal.items_range((arn, ""), (arn, "\uffff"))):
            if recorded_at >= restart_from:
                self.journal.delete(key)
        host = ExecutionHost(self, record)
        host.append_event("ExecutionRedriven", {"executionRedrivenEventDetails": {
            "redriveCount": record.get("redriveCount", 0) + 1}}, host.events)
        now = ctx.time()
        redriven = {**record, "status": "RUNNING", "events": host.events, "redriveCount": record.get("redriveCount", 0) + 1,
                    "redriveDate": now, "startDate": record["startDate"]}
        for field in ("stopDate", "error", "cause", "output"):
            redriven.pop(field, None)
        self.executions.put(arn, redriven)
        self.emulator.defer(lambda: self._advance(arn))
        return {"redriveDate": from_epoch(now)}

    def _unfinished_state_entry(self, arn: str) -> int:
        """The id of the last StateEntered event whose state did not exit: where the execution failed."""
        exited: set[str] = set()
        for (_, event_id), event in reversed(list(self.history.items_range((arn, 0), (arn, float("inf"))))):
            details = event.get("stateExitedEventDetails") or event.get("stateEnteredEventDetails")
            if details is None:
                continue
            if event["type"].endswith("StateExited"):
                exited.add(details["name"])
            elif details["name"] not in exited:
                return int(event_id)
        return 2  # nothing entered: run everything again

    def describe_state_machine_for_execution(self, ctx: Ctx[sfn.DescribeStateMachineForExecutionRequest]
                                             ) -> sfn.DescribeStateMachineForExecutionResult:
        record = self._execution(ctx.params["executionArn"])
        machine = self.machines.get(record["stateMachineArn"], {})
        return {"stateMachineArn": record["stateMachineArn"], "name": record["machineName"],
                "definition": record["definition"], "roleArn": record["roleArn"],
                "updateDate": from_epoch(record.get("updateDate") or machine.get("creationDate", record["startDate"])),
                "loggingConfiguration": machine.get("loggingConfiguration", {"level": "OFF"}),
                "tracingConfiguration": machine.get("tracingConfiguration", {"enabled": False})}

    def list_executions(self, ctx: Ctx[sfn.ListExecutionsRequest]) -> sfn.ListExecutionsResult:
        p = ctx.params
        target = p.get("stateMachineArn")
        if target is None:
            raise sfn.validation_exception("Must provide a StateMachine ARN or MapRun ARN")
        machine, _, _, _ = self._resolve(target)
        if machine["type"] == "EXPRESS":
            raise sfn.state_machine_type_not_supported(
                "This operation is not supported by this type of state machine")
        status = p.get("statusFilter")
        records = sorted((r for r in self.executions.values() if r["stateMachineArn"] == machine["arn"]
                          and (status is None or r["status"] == status)
                          and (target == machine["arn"] or target in (r["versionArn"], r["aliasArn"]))),
                         key=lambda r: -r["startDate"])
        items = []
        for r in records:
            item = {"executionArn": r["executionArn"], "stateMachineArn": r["stateMachineArn"], "name": r["name"],
                    "status": r["status"], "startDate": from_epoch(r["startDate"])}
            if r["status"] != "RUNNING":
                item["stopDate"] = from_epoch(r["stopDate"])
            items.append(item)
        return _page(ctx, items, "executions")

    def get_execution_history(self, ctx: Ctx[sfn.GetExecutionHistoryRequest]) -> sfn.GetExecutionHistoryResult:
        p = ctx.params
        arn = self._execution(p["executionArn"])["executionArn"]
        with_data = p.get("includeExecutionData", True)
        events = []
        for (_, event_id), event in self.history.items_range((arn, 0), (arn, float("inf"))):
            out = {"id": event_id, "timestamp": from_epoch(event["timestamp"]), "type": event["type"],
                   "previousEventId": event["previousEventId"]}
            for key, value in event.items():
                if key.endswith("EventDetails"):
                    out[key] = value if with_data else {k: v for k, v in value.items()
                                                        if k not in ("input", "output", "parameters")}
            events.append(out)
        if p.get("reverseOrder"):
            events.reverse()
        return _page(ctx, events, "events")

    def stop_execution(self, ctx: Ctx[sfn.StopExecutionRequest]) -> sfn.StopExecutionResult:
        record = self._execution(ctx.params["executionArn"])
        if record["status"] == "RUNNING":
            host = ExecutionHost(self, record)
            self._finish(host, Scope("", host.events), "ABORTED", error=ctx.params.get("error", ""),
                         cause=ctx.params.get("cause", ""))
            for token, value in list(self.tokens.items()):
                if value["execution"] == record["executionArn"] and not value["closed"]:
                    self.tokens.put(token, {**value, "closed": True})
        return {"stopDate": from_epoch(self.executions[record["executionArn"]]["stopDate"])}

    def test_state(self, ctx: Ctx[sfn.TestStateRequest]) -> sfn.TestStateResult:
        p = ctx.params
        definition, problems = asl.parse_definition(p["definition"])
        if definition is not None:
            problems = teststate.problems(definition, p.get("stateName"))
        if problems:
            raise sfn.invalid_definition(asl.failure_message(problems))
        try:
            json.loads(p.get("input", "{}"))
        except ValueError:
            raise sfn.invalid_execution_input(f"Invalid State Machine Execution Input: '{p.get('input')}'") from None
        mock = p.get("mock") or {}
        if "errorOutput" not in mock and "result" in mock:
            try:
                json.loads(mock["result"])
            except ValueError:
                raise sfn.validation_exception("The mock result must be valid JSON") from None
        return teststate.test_state(self, dict(p), ctx.account, ctx.region, ctx.request_id)  # type: ignore[return-value]

    # -- map runs ------------------------------------------------------------------------------------
    def _map_run(self, arn: str) -> dict:
        record = self.map_runs.get(arn)
        if record is None:
            raise sfn.resource_not_found(f"Resource not found: '{arn}'", resourceName=arn)
        return dict(record)

    def describe_map_run(self, ctx: Ctx[sfn.DescribeMapRunRequest]) -> sfn.DescribeMapRunResult:
        run = self._map_run(ctx.params["mapRunArn"])
        running = run["total"] if run["status"] == "RUNNING" else 0
        counts = {"pending": 0, "running": running, "succeeded": run["succeeded"], "failed": run["failed"],
                  "timedOut": 0, "aborted": run["aborted"], "total": run["total"], "resultsWritten": run["succeeded"]}
        out: sfn.DescribeMapRunResult = {
            "mapRunArn": run["mapRunArn"], "executionArn": run["executionArn"], "status": run["status"],
            "startDate": from_epoch(run["startDate"]), "maxConcurrency": run["maxConcurrency"],
            "toleratedFailureCount": run["toleratedFailureCount"],
            "toleratedFailurePercentage": run["toleratedFailurePercentage"],
            "itemCounts": counts, "executionCounts": counts}  # type: ignore[typeddict-item]
        if run.get("stopDate") is not None:
            out["stopDate"] = from_epoch(run["stopDate"])
        return out

    def list_map_runs(self, ctx: Ctx[sfn.ListMapRunsRequest]) -> sfn.ListMapRunsResult:
        arn = self._execution(ctx.params["executionArn"])["executionArn"]
        items = []
        for run in sorted(self.map_runs.values(), key=lambda r: r["startDate"]):
            if run["executionArn"] == arn:
                item = {"executionArn": arn, "mapRunArn": run["mapRunArn"], "stateMachineArn": run["stateMachineArn"],
                        "startDate": from_epoch(run["startDate"])}
                if run.get("stopDate") is not None:
                    item["stopDate"] = from_epoch(run["stopDate"])
                items.append(item)
        return _page(ctx, items, "mapRuns")

    def update_map_run(self, ctx: Ctx[sfn.UpdateMapRunRequest]) -> sfn.UpdateMapRunResult:
        """Stored and reported; iterations run one after another whatever the concurrency."""
        run = self._map_run(ctx.params["mapRunArn"])
        changes = {k: ctx.params[k] for k in ("maxConcurrency", "toleratedFailureCount", "toleratedFailurePercentage")  # type: ignore[literal-required]
                   if k in ctx.params}
        self.map_runs.put(run["mapRunArn"], {**run, **changes})
        return {}

    # -- task tokens -----------------------------------------------------------------------------------
    def _open_token(self, token: str) -> dict:
        record = self.tokens.get(token)
        if record is None:
            raise _invalid_token()
        if record["closed"] or self.executions[record["execution"]]["status"] != "RUNNING":
            raise sfn.task_timed_out("Task Timed Out: 'Provided task does not exist anymore'")
        return record

    def _answer(self, token: str, outcome: dict) -> None:
        record = self._open_token(token)
        self.tokens.put(token, {**record, "outcome": outcome, "closed": True})
        self.emulator.defer(lambda: self._advance(record["execution"]))

    def send_task_success(self, ctx: Ctx[sfn.SendTaskSuccessRequest]) -> sfn.SendTaskSuccessResult:
        try:
            output = json.loads(ctx.params["output"])
        except ValueError:
            raise sfn.invalid_output(f"Invalid Output: '{ctx.params['output']}'") from None
        self._answer(ctx.params["taskToken"], {"ok": output})
        return {}

    def send_task_failure(self, ctx: Ctx[sfn.SendTaskFailureRequest]) -> sfn.SendTaskFailureResult:
        self._answer(ctx.params["taskToken"], {"error": ctx.params.get("error", ""), "cause": ctx.params.get("cause", "")})
        return {}

    def send_task_heartbeat(self, ctx: Ctx[sfn.SendTaskHeartbeatRequest]) -> sfn.SendTaskHeartbeatResult:
        token = ctx.params["taskToken"]
        record = self._open_token(token)
        if record["heartbeat_seconds"] is not None:
            self.tokens.put(token, {**record, "heartbeat_at": ctx.time() + record["heartbeat_seconds"]})
            self.emulator.defer(lambda: self._advance(record["execution"]))
        return {}

    # -- activities ----------------------------------------------------------------------------------------
    def create_activity(self, ctx: Ctx[sfn.CreateActivityRequest]) -> sfn.CreateActivityResult:
        name = ctx.params["name"]
        if not _NAME.match(name):
            raise sfn.invalid_name(f"Invalid Name: '{name}'")
        arn = ctx.arn(f"activity:{name}", service="states")
        record = self.activities.get(arn)
        if record is None:
            record = {"arn": arn, "name": name, "creationDate": ctx.time(), "account": ctx.account,
                      "region": ctx.region, "tags": _tag_map(ctx.params.get("tags"))}
            self.activities.put(arn, record)
        return {"activityArn": arn, "creationDate": from_epoch(record["creationDate"])}

    def _activity(self, arn: str) -> dict:
        return _existing(self.activities, arn, _TASK_ARN,
                         lambda: sfn.activity_does_not_exist(f"Activity Does Not Exist: '{arn}'"))

    def describe_activity(self, ctx: Ctx[sfn.DescribeActivityRequest]) -> sfn.DescribeActivityResult:
        record = self._activity(ctx.params["activityArn"])
        return {"activityArn": record["arn"], "name": record["name"], "creationDate": from_epoch(record["creationDate"])}

    def delete_activity(self, ctx: Ctx[sfn.DeleteActivityRequest]) -> sfn.DeleteActivityResult:
        arn = ctx.params["activityArn"]
        if not _TASK_ARN.match(arn):
            raise sfn.invalid_arn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
        if arn in self.activities:
            self.activities.delete(arn)
        return {}

    def list_activities(self, ctx: Ctx[sfn.ListActivitiesRequest]) -> sfn.ListActivitiesResult:
        items = [{"activityArn": a["arn"], "name": a["name"], "creationDate": from_epoch(a["creationDate"])}
                 for a in sorted(self.activities.values(), key=lambda a: a["creationDate"])
                 if a["account"] == ctx.account and a["region"] == ctx.region]
        return _page(ctx, items, "activities")

    def get_activity_task(self, ctx: Ctx[sfn.GetActivityTaskRequest]) -> sfn.GetActivityTaskResult:
        """Long poll of 60 seconds, as on AWS. With the wall clock it waits (lock released) for a task to be
        scheduled; with a virtual clock it never sleeps: an empty poll moves the clock to the end of the
        window, as SQS's ReceiveMessage does."""
        arn = self._activity(ctx.params["activityArn"])["arn"]
        deadline = ctx.time() + _ACTIVITY_POLL_SECONDS
        while True:
            for key, task in self.activity_tasks.items_range((arn, 0), (arn, float("inf"))):
                self.activity_tasks.delete(key)
                return {"taskToken": task["token"], "input": task["input"]}
            remaining = deadline - ctx.time()
            if remaining <= 0:
                return {}
            if isinstance(ctx.clock, VirtualClock):
                ctx.clock.advance(remaining)
                return {}
            self.emulator.wait(remaining)

    # -- inspection --------------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        counts: dict[str, dict[str, int]] = {}
        for record in self.executions.values():
            per = counts.setdefault(record["stateMachineArn"], {})
            per[record["status"]] = per.get(record["status"], 0) + 1
        return {"state_machines": [{"name": m["name"], "arn": m["arn"], "type": m["type"],
                                    "account": m["account"], "region": m["region"],
                                    "executions": counts.get(m["arn"], {})} for m in self.machines.values()],
                "activities": [{"name": a["name"], "arn": a["arn"]} for a in self.activities.values()],
                "waiting_executions": len(self._wakes)}
