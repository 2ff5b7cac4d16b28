"""One execution as the interpreter sees it (the ``Host`` of interpreter.py): its journal and history
in the backend's tables, its tasks through integrations.py, its tokens, activities, map runs and
child executions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core.partitions import arn_prefix
from . import integrations
from .interpreter import MapLimits, Run, Scope, iso, to_json

if TYPE_CHECKING:
    from .backend import StepFunctionsBackend


class ExecutionHost:
    """One execution as the interpreter sees it: its journal, its history, its tasks."""

    def __init__(self, backend: "StepFunctionsBackend", record: dict, fast_forward: bool = False) -> None:
        self.backend = backend
        self.execution = record
        self.arn: str = record["executionArn"]
        self.account: str = record["account"]
        self.region: str = record["region"]
        self.ports = backend.emulator.ports
        self.ids = backend.emulator.ids
        self.events: int = record["events"]
        #: StartSyncExecution: waits elapse at once on the execution's own clock
        self.fast_forward = fast_forward
        self.local_time: float | None = None

    def now(self) -> float:
        real = self.backend.emulator.clock.time()
        return max(real, self.local_time) if self.local_time is not None else real

    def journal(self, key: str) -> Any:
        entry = self.backend.journal.get((self.arn, key))
        return None if entry is None else entry[1]

    def record(self, key: str, value: Any) -> None:
        # with the history length at the time, so a redrive can forget what came after a failed state
        self.backend.journal.put((self.arn, key), [self.events, value])

    def append_event(self, event_type: str, details: dict | None, previous: int) -> int:
        self.events += 1
        event = {"type": event_type, "timestamp": self.now(), "previousEventId": previous, **(details or {})}
        self.backend.history.put((self.arn, self.events), event)
        return self.events

    def new_token(self) -> str:
        return self.ids.b64(96)

    def run_task(self, run: Run, scope: Scope, state: dict, params: Any, context: dict) -> Any:
        return integrations.run_task(self, run, scope, state, params, context)

    # -- tokens, activities, child executions --------------------------------------------------
    def token(self, token: str, state: dict) -> dict:
        record = self.backend.tokens.get(token)
        if record is None:
            now = self.now()
            record = {"execution": self.arn, "outcome": None, "closed": False,
                      "timeout_at": now + state["TimeoutSeconds"] if "TimeoutSeconds" in state else None,
                      "heartbeat_seconds": state.get("HeartbeatSeconds"),
                      "heartbeat_at": now + state["HeartbeatSeconds"] if "HeartbeatSeconds" in state else None}
            self.backend.tokens.put(token, record)
        return record

    def close_token(self, token: str) -> None:
        self.backend.tokens.put(token, {**self.backend.tokens[token], "closed": True})

    def schedule_activity(self, activity_arn: str, token: str, payload: str, state: dict) -> int:
        self.token(token, state)
        seq = self.backend.emulator.ids.counter
        self.backend.activity_tasks.put((activity_arn, seq), {"token": token, "input": payload})
        return seq

    def start_map_run(self, label: str, state: dict, total: int, limits: MapLimits) -> str:
        """A distributed Map's map run: a record DescribeMapRun/ListMapRuns read."""
        arn = (f"{arn_prefix(self.region)}:states:{self.region}:{self.account}:mapRun:"
               f"{self.execution['machineName']}/{label}:{self.ids.uuid4()}")
        self.backend.map_runs.put(arn, {
            "mapRunArn": arn, "executionArn": self.arn, "stateMachineArn": self.execution["stateMachineArn"],
            "status": "RUNNING", "startDate": self.now(), "total": total, "succeeded": 0, "failed": 0,
            "aborted": 0, "maxConcurrency": limits["MaxConcurrency"],
            "toleratedFailureCount": limits["ToleratedFailureCount"],
            "toleratedFailurePercentage": limits["ToleratedFailurePercentage"]})
        return arn

    def map_run_limits(self, map_run_arn: str) -> MapLimits:
        """The map run's limits as they stand (UpdateMapRun changes them while it runs)."""
        run = self.backend.map_runs[map_run_arn]
        return MapLimits(MaxConcurrency=run["maxConcurrency"], ToleratedFailureCount=run["toleratedFailureCount"],
                         ToleratedFailurePercentage=run["toleratedFailurePercentage"])

    def end_map_run(self, map_run_arn: str, status: str, succeeded: int, failed: int, total: int) -> bool:
        """Items not counted as succeeded or failed when the run ends were aborted."""
        counts = {"succeeded": succeeded, "failed": failed, "aborted": max(total - succeeded - failed, 0)}
        self.backend.map_runs.put(map_run_arn, {**self.backend.map_runs[map_run_arn], **counts,
                                                "status": status, "stopDate": self.now()})
        return True

    def start_child(self, params: dict) -> dict:
        given = params.get("Input", {})
        arn = self.backend.start(params["StateMachineArn"], given if isinstance(given, str) else to_json(given),
                                 name=params.get("Name"), parent=self.arn)
        return {"ExecutionArn": arn, "StartDate": iso(self.backend.executions[arn]["startDate"])}

    def child(self, execution_arn: str) -> dict:
        return dict(self.backend.executions[execution_arn])
