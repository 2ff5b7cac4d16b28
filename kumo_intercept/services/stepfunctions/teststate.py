"""TestState: one state run on its own, outside any execution, as the API reference describes it —
no retries (an error a retrier matches is ``RETRIABLE``), a Catch gives ``CAUGHT_ERROR`` and the
catcher's next state, waits elapse at once, a ``mock`` result or error stands in for the task call,
and ``inspectionLevel`` DEBUG/TRACE adds the data after each processing step (JSONPath states).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ...core.partitions import arn_prefix
from . import asl, jsonpath
from .host import ExecutionHost
from .failures import StateFailure, Suspend
from .interpreter import Run, Scope, iso, matching, to_json

if TYPE_CHECKING:
    from .backend import StepFunctionsBackend

_MAX_WAITS = 1000


class ScratchHost(ExecutionHost):
    """An execution host that keeps its journal and events in memory and can use a mocked task."""

    def __init__(self, backend: "StepFunctionsBackend", record: dict, mock: dict | None) -> None:
        super().__init__(backend, record, fast_forward=True)
        self.steps: dict[str, Any] = {}
        self.mock = mock
        self.last_result: Any = None

    def journal(self, key: str) -> Any:
        return self.steps.get(key)

    def record(self, key: str, value: Any) -> None:
        self.steps[key] = value

    def append_event(self, event_type: str, details: dict | None, previous: int) -> int:
        self.events += 1
        return self.events

    def token(self, token: str, state: dict) -> dict:
        raise StateFailure("States.Runtime", "TestState does not wait for a task token: give a mock result")

    def run_task(self, run: Run, scope: Scope, state: dict, params: Any, context: dict) -> Any:
        if self.mock is not None and ("errorOutput" in self.mock or "result" in self.mock):
            if "errorOutput" in self.mock:
                raise StateFailure(self.mock["errorOutput"].get("error", ""), self.mock["errorOutput"].get("cause", ""))
            self.last_result = json.loads(self.mock["result"])
        else:
            self.last_result = super().run_task(run, scope, state, params, context)
        return self.last_result


def problems(definition: dict, state_name: str | None) -> list[dict[str, str]]:
    """The diagnostics of the state TestState would run: a whole machine as CreateStateMachine checks it,
    a lone state as the only state of a machine whose transitions lead to placeholder states."""
    if "States" in definition:
        _, found = asl.validate(json.dumps(definition))
        if not found and state_name is not None and state_name not in definition["States"]:
            found = [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
                      "message": f"The state {state_name} is not in the definition", "location": "/States"}]
        return found
    name = state_name or "TestState"
    targets = [definition.get("Next"), definition.get("Default"),
               *[r.get("Next") for r in definition.get("Choices") or [] if isinstance(r, dict)],
               *[c.get("Next") for c in definition.get("Catch") or [] if isinstance(c, dict)]]
    states: dict[str, Any] = {t: {"Type": "Succeed"} for t in targets if isinstance(t, str) and t != name}
    states[name] = definition
    _, found = asl.validate(json.dumps({"StartAt": name, "States": states}))
    return found


def test_state(backend: "StepFunctionsBackend", params: dict, account: str, region: str, request_id: str) -> dict:
    definition = json.loads(params["definition"])
    if "States" in definition:
        name = params.get("stateName") or definition["StartAt"]
        state, language = definition["States"][name], definition.get("QueryLanguage", "JSONPath")
    else:
        name, state, language = params.get("stateName", "TestState"), definition, "JSONPath"
    data = json.loads(params.get("input", "{}"))
    arn = f"{arn_prefix(region)}:states:{region}:{account}:execution:TestState:{request_id}"
    record = {"executionArn": arn, "account": account, "region": region, "events": 0,
              "machineName": "TestState", "stateMachineArn": f"{arn_prefix(region)}:states:{region}:{account}:stateMachine:TestState",
              "roleArn": params.get("roleArn")}
    host = ScratchHost(backend, record, params.get("mock") or None)
    run = Run(host, {"QueryLanguage": language}, {}, seed=request_id)
    context = {"Execution": {"Id": arn, "Input": data, "Name": request_id, "StartTime": iso(host.now())},
               "State": {"Name": name, "EnteredTime": iso(host.now()), "RetryCount": 0}}
    bare = {k: v for k, v in state.items() if k not in ("Retry", "Catch")}
    out: dict[str, Any] = {}
    try:
        output, following = _run(run, host, name, bare, data, context)
    except StateFailure as failure:
        out.update(error=failure.error, cause=failure.cause)
        catcher = matching(state.get("Catch") or [], failure.error)
        if matching(state.get("Retry") or [], failure.error) is not None:
            out["status"] = "RETRIABLE"
        elif catcher is not None:
            error_output = {"Error": failure.error, "Cause": failure.cause}
            out.update(status="CAUGHT_ERROR", nextState=catcher["Next"],
                       output=to_json(jsonpath.write(data, catcher.get("ResultPath", "$"), error_output)))
        else:
            out["status"] = "FAILED"
        return out
    out.update(status="SUCCEEDED", output=to_json(output))
    if following is not None:
        out["nextState"] = following
    if params.get("inspectionLevel") in ("DEBUG", "TRACE"):
        out["inspectionData"] = _inspection(run, host, state, data, context, language)
    return out


def _run(run: Run, host: ScratchHost, name: str, state: dict, data: Any, context: dict) -> tuple[Any, str | None]:
    for _ in range(_MAX_WAITS):
        try:
            return run.state(name, state, data, Scope("t", 0), context)
        except Suspend as suspended:
            if suspended.wake_at is None:
                raise StateFailure("States.Runtime", "TestState cannot wait for an outside event") from None
            host.local_time = suspended.wake_at
    raise StateFailure("States.Runtime", "TestState did not finish")


def _inspection(run: Run, host: ScratchHost, state: dict, data: Any, context: dict, language: str) -> dict:
    """The data after each step of JSONPath input/output processing (the input only for JSONata)."""
    inspection: dict[str, Any] = {"input": to_json(data)}
    if language == "JSONata" or state["Type"] not in ("Task", "Pass", "Parallel", "Map"):
        return inspection
    effective = run.path(data, state.get("InputPath", "$"), context)
    inspection["afterInputPath"] = to_json(effective)
    parameters = run.fill(state["Parameters"], effective, context) if "Parameters" in state else effective
    inspection["afterParameters"] = to_json(parameters)
    if state["Type"] == "Task":
        result = host.last_result
        inspection["result"] = to_json(result)
        selected = run.fill(state["ResultSelector"], result, context) if "ResultSelector" in state else result
        inspection["afterResultSelector"] = to_json(selected)
        inspection["afterResultPath"] = to_json(jsonpath.write(data, state.get("ResultPath", "$"), selected))
    return inspection
