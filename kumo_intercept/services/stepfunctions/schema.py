"""Step Functions' tables (see store/schema.py): machines, versions, aliases, activities, and per
execution its record, history, journal (interpreter.py), task tokens, activity tasks and map runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from ...store.schema import ServiceSchema, TableSpec

if TYPE_CHECKING:
    from ...core.dispatch import ServiceBackend

MachineRecord = TypedDict("MachineRecord", {
    "arn": str, "name": str, "definition": str, "roleArn": str, "type": str, "creationDate": float,
    "updateDate": float, "revisionId": str, "description": str, "versions": int, "tags": dict,
    "loggingConfiguration": dict, "tracingConfiguration": dict, "account": str, "region": str,
}, total=False)

VersionRecord = TypedDict("VersionRecord", {
    "arn": str, "machineArn": str, "version": int, "definition": str, "roleArn": str, "revisionId": str,
    "creationDate": float, "description": str,
}, total=False)

AliasRecord = TypedDict("AliasRecord", {
    "arn": str, "machineArn": str, "name": str, "description": str, "routingConfiguration": list,
    "creationDate": float, "updateDate": float,
}, total=False)

ExecutionRecord = TypedDict("ExecutionRecord", {
    "executionArn": str, "stateMachineArn": str, "name": str, "status": str, "startDate": float,
    "stopDate": float, "input": str, "output": str, "error": str, "cause": str, "definition": str,
    "roleArn": str, "type": str, "account": str, "region": str, "events": int, "wakeAt": float | None,
    "parent": str | None, "versionArn": str | None, "aliasArn": str | None, "machineName": str,
    "updateDate": float | None, "redriveCount": int, "redriveDate": float,
}, total=False)

TokenRecord = TypedDict("TokenRecord", {
    "execution": str, "outcome": dict | None, "closed": bool, "timeout_at": float | None,
    "heartbeat_seconds": int | None, "heartbeat_at": float | None,
}, total=False)

ActivityRecord = TypedDict("ActivityRecord", {
    "arn": str, "name": str, "creationDate": float, "account": str, "region": str, "tags": dict,
}, total=False)

ActivityTaskRecord = TypedDict("ActivityTaskRecord", {"token": str, "input": str}, total=False)

MapRunRecord = TypedDict("MapRunRecord", {
    "mapRunArn": str, "executionArn": str, "stateMachineArn": str, "status": str, "startDate": float,
    "stopDate": float, "total": int, "succeeded": int, "failed": int, "aborted": int, "maxConcurrency": int,
    "toleratedFailureCount": int, "toleratedFailurePercentage": float,
}, total=False)


def executions_view(backend: "ServiceBackend", state_machine_arn: str | None = None) -> list[dict]:
    """``aws.state.stepfunctions.executions(arn=None)``: name, status and dates of each execution."""
    table = EXECUTIONS.open(backend.store)
    return [{"arn": r["executionArn"], "name": r["name"], "status": r["status"], "start": r["startDate"],
             "stop": r.get("stopDate")}
            for r in table.values() if state_machine_arn in (None, r["stateMachineArn"])]


def history_view(backend: "ServiceBackend", execution_arn: str) -> list[dict]:
    """``aws.state.stepfunctions.history(arn)``: the execution's events (id, type, previous id)."""
    table = HISTORY.open_ordered(backend.store)
    return [{"id": key[1], "type": event["type"], "previousEventId": event["previousEventId"]}
            for key, event in table.items_range((execution_arn, 0), (execution_arn, float("inf")))]


#: state machine ARN -> the machine
MACHINES = TableSpec("stepfunctions.machines", MachineRecord)
#: version ARN (``<machine ARN>:<n>``) -> the version
VERSIONS = TableSpec("stepfunctions.versions", VersionRecord)
#: alias ARN (``<machine ARN>:<alias>``) -> the alias
ALIASES = TableSpec("stepfunctions.aliases", AliasRecord)
#: execution ARN -> the execution
EXECUTIONS = TableSpec("stepfunctions.executions", ExecutionRecord)
#: (execution ARN, event id) -> the history event (type, timestamp, previousEventId, details)
HISTORY = TableSpec("stepfunctions.history", dict, ordered=True)
#: (execution ARN, step key) -> [history length when recorded, the step's value]
JOURNAL = TableSpec("stepfunctions.journal", list, ordered=True)
#: task token -> its execution and answer
TOKENS = TableSpec("stepfunctions.tokens", TokenRecord)
#: activity ARN -> the activity
ACTIVITIES = TableSpec("stepfunctions.activities", ActivityRecord)
#: (activity ARN, sequence) -> a scheduled task waiting for GetActivityTask
ACTIVITY_TASKS = TableSpec("stepfunctions.activity_tasks", ActivityTaskRecord, ordered=True)
#: map run ARN -> a distributed Map's map run
MAP_RUNS = TableSpec("stepfunctions.map_runs", MapRunRecord)

SCHEMA = ServiceSchema(
    tables=(MACHINES, VERSIONS, ALIASES, EXECUTIONS, HISTORY, JOURNAL, TOKENS, ACTIVITIES, ACTIVITY_TASKS, MAP_RUNS),
    views={"executions": executions_view, "history": history_view})
