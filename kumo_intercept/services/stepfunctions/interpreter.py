"""The interpreter of JSONPath-mode state machines, durable by replay.

An execution is re-run from its start each time it can advance. Everything that must not happen
twice or must read the same on every run (a task's outcome, a wait's deadline, a history event's
id, a task token) is a *step*: a journal entry keyed by its scope (the branch or Map iteration it
runs in) and its ordinal in that scope. A step already in the journal is read back instead of redone.
When a step cannot finish yet (a Wait before its deadline, a task token without an answer) the run
raises ``Suspend``; the backend stores nothing but the journal, and runs the execution again when
the clock reaches the wake time or the answer arrives. Parallel branches and Map iterations run in
order and each suspends on its own, so a branch waiting a day does not hold back its siblings.

Semantics: the States Language specification (states-language.net) and the Step Functions developer
guide (input/output processing, error handling, Retry/Catch, the context object).
"""

from __future__ import annotations

import calendar
import datetime as _dt
import json
import random
import re
from typing import Any, Protocol

from ...core.linear_regex import Wildcard
from . import jsonata_mode, jsonpath
from .failures import StateFailure, Suspend
from .intrinsics import IntrinsicError, Intrinsics


class Host(Protocol):
    """What the interpreter asks of the backend for one execution."""

    def now(self) -> float: ...

    def journal(self, key: str) -> Any: ...

    def record(self, key: str, value: Any) -> None: ...

    def append_event(self, event_type: str, details: dict | None, previous: int) -> int: ...

    def new_token(self) -> str: ...

    def start_map_run(self, label: str, state: dict, total: int, limits: "MapLimits") -> str: ...

    def map_run_limits(self, map_run_arn: str) -> "MapLimits": ...

    def end_map_run(self, map_run_arn: str, status: str, succeeded: int, failed: int, total: int) -> bool: ...

    def run_task(self, run: "Run", scope: "Scope", state: dict, params: Any, context: dict) -> Any: ...


def to_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def parse_time(text: str) -> float:
    """An ISO-8601 timestamp as the spec allows (RFC 3339, ``Z`` or an offset) in epoch seconds."""
    value = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(text)
    return calendar.timegm(value.utctimetuple()) + value.microsecond / 1e6


def iso(epoch: float) -> str:
    moment = _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


THRESHOLD_ERROR = "States.ExceedToleratedFailureThreshold"
# the cause AWS gives (LocalStack's AWS-recorded test_state_configuration.snapshot.json)
THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded"


class MapLimits(dict):
    """A Map's ``MaxConcurrency`` (0: no limit), ``ToleratedFailureCount`` and
    ``ToleratedFailurePercentage`` as evaluated when the state started."""

    def tolerates(self) -> bool:
        return bool(self["ToleratedFailureCount"] or self["ToleratedFailurePercentage"])

    def exceeded(self, failed: int, total: int) -> bool:
        """Whether ``failed`` of ``total`` items exceed a tolerance that is set (0: not set)."""
        count, percentage = self["ToleratedFailureCount"], self["ToleratedFailurePercentage"]
        return bool(count and failed > count) or bool(percentage and failed * 100 > percentage * total)


class Scope:
    """A thread of states (the execution, a branch, a Map iteration): its steps and last event."""

    def __init__(self, name: str, previous_event: int, variables: dict | None = None) -> None:
        self.name = name
        self.count = 0
        self.previous_event = previous_event
        #: workflow variables (Assign) visible in this thread; a branch starts with a copy of its parent's
        self.variables: dict[str, Any] = dict(variables or {})

    def next_key(self) -> str:
        self.count += 1
        return f"{self.name}:{self.count}"


class Run:
    """One replay of one execution."""

    def __init__(self, host: Host, definition: dict, context: dict, seed: str) -> None:
        self.host = host
        self.definition = definition
        self.context = context
        self.intrinsics = Intrinsics(random.Random(seed))
        self.language = definition.get("QueryLanguage", "JSONPath")

    # -- steps ----------------------------------------------------------------------------------
    def once(self, scope: Scope, make: Any) -> Any:
        """A step: the journal's value for the scope's next key, else ``make()`` recorded."""
        key = scope.next_key()
        value = self.host.journal(key)
        if value is None:
            value = make()
            self.host.record(key, value)
        return value

    def event(self, scope: Scope, event_type: str, details: dict | None = None) -> int:
        event_id = self.once(scope, lambda: self.host.append_event(event_type, details, scope.previous_event))
        scope.previous_event = event_id
        return int(event_id)

    def sleep_until(self, scope: Scope, deadline: float) -> None:
        """A timed step: suspends until the clock reaches ``deadline`` (journaled on first run)."""
        due = self.once(scope, lambda: deadline)
        if self.host.now() < due:
            raise Suspend(due)

    # -- machines and states ----------------------------------------------------------------------
    def execute(self, machine: dict, data: Any, scope: Scope) -> Any:
        name = machine["StartAt"]
        states = machine["States"]
        while True:
            state = states[name]
            kind = state["Type"]
            self.event(scope, f"{kind}StateEntered",
                       {"stateEnteredEventDetails": {"name": name, "input": to_json(data),
                                                     "inputDetails": {"truncated": False}}})
            context = {**self.context, "State": {"Name": name, "EnteredTime": iso(self.host.now()),
                                                 "RetryCount": 0}}
            output, following = self.state(name, state, data, scope, context)
            self.event(scope, f"{kind}StateExited",
                       {"stateExitedEventDetails": {"name": name, "output": to_json(output),
                                                    "outputDetails": {"truncated": False}}})
            if following is None:
                return output
            name, data = following, output

    def state(self, name: str, state: dict, data: Any, scope: Scope, context: dict) -> tuple[Any, str | None]:
        if state.get("QueryLanguage", self.language) == "JSONata":
            return self.jsonata_state(name, state, data, scope, context)
        kind = state["Type"]
        if kind == "Fail":
            raise StateFailure(*self._fail_fields(state, data, context))
        if kind == "Choice":
            effective = self.path(data, state.get("InputPath", "$"), context)
            following = self.choose(state, effective, context)
            return self.output(state, effective, context), following
        if kind == "Succeed":
            return self.output(state, self.path(data, state.get("InputPath", "$"), context), context), None
        if kind == "Wait":
            effective = self.path(data, state.get("InputPath", "$"), context)
            self.sleep_until(scope, self._wait_deadline(state, effective, context))
            return self.output(state, effective, context), self._next(state)
        return self.guarded(name, state, data, scope, context)

    def _fail_fields(self, state: dict, data: Any, context: dict) -> tuple[str, str]:
        error = state.get("Error", "")
        cause = state.get("Cause", "")
        if "ErrorPath" in state:
            error = self.dynamic(state["ErrorPath"], data, context)
        if "CausePath" in state:
            cause = self.dynamic(state["CausePath"], data, context)
        return str(error), str(cause)

    def _wait_deadline(self, state: dict, data: Any, context: dict) -> float:
        now = self.host.now()
        if "Seconds" in state:
            return now + float(state["Seconds"])
        if "SecondsPath" in state:
            seconds = self.path(data, state["SecondsPath"], context)
            if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
                raise StateFailure("States.Runtime", f"The SecondsPath parameter does not reference a valid "
                                   f"non-negative integer value: {seconds!r}")
            return now + float(seconds)
        text = state["Timestamp"] if "Timestamp" in state else self.path(data, state["TimestampPath"], context)
        try:
            return parse_time(text)
        except (ValueError, AttributeError, TypeError):
            raise StateFailure("States.Runtime", f"The TimestampPath parameter does not reference a valid "
                               f"ISO-8601 extended offset date-time format string: {text!r}") from None

    @staticmethod
    def _next(state: dict) -> str | None:
        return None if state.get("End") else state["Next"]

    # -- input and output processing ------------------------------------------------------------
    def path(self, data: Any, path: str | None, context: dict) -> Any:
        if path is None:
            return {}
        try:
            return jsonpath.read(data, path, context)
        except jsonpath.PathError:
            raise StateFailure("States.Runtime", f"Invalid path '{path}' : No results for path: {path}") from None

    def dynamic(self, expression: str, data: Any, context: dict) -> Any:
        if expression.startswith("States."):
            return self.intrinsic(expression, data, context)
        return self.path(data, expression, context)

    def intrinsic(self, expression: str, data: Any, context: dict) -> Any:
        try:
            return self.intrinsics(expression, data, context)
        except IntrinsicError as exc:
            raise StateFailure("States.IntrinsicFailure", str(exc)) from None

    def fill(self, payload: Any, data: Any, context: dict) -> Any:
        try:
            return jsonpath.template(payload, data, context, self.intrinsic)
        except jsonpath.PathError as exc:
            raise StateFailure("States.Runtime", f"The JSONPath in the payload template could not be found: {exc}") from None

    def output(self, state: dict, data: Any, context: dict) -> Any:
        return self.path(data, state.get("OutputPath", "$"), context) if "OutputPath" not in state or \
            state["OutputPath"] is not None else {}

    def place(self, state: dict, data: Any, result: Any, context: dict, result_path: Any = "$") -> Any:
        path = state.get("ResultPath", result_path) if result_path == "$" else result_path
        try:
            placed = jsonpath.write(data, path, result)
        except jsonpath.PathError as exc:
            raise StateFailure("States.Runtime", str(exc)) from None
        return self.output(state, placed, context)

    # -- Task, Pass, Parallel, Map with Retry and Catch ---------------------------------------------
    def guarded(self, name: str, state: dict, data: Any, scope: Scope, context: dict) -> tuple[Any, str | None]:
        jsonata = state.get("QueryLanguage", self.language) == "JSONata"
        attempts: dict[int, int] = {}
        while True:
            try:
                if jsonata:
                    return self.jsonata_attempt(name, state, data, scope, context), self._next(state)
                return self.jsonpath_attempt(name, state, data, scope, context), self._next(state)
            except StateFailure as failure:
                delay = self._retry_delay(state, failure.error, attempts)
                if delay is not None:
                    self.sleep_until(scope, self.host.now() + delay)
                    context = {**context, "State": {**context["State"], "RetryCount": sum(attempts.values())}}
                    continue
                catcher = matching(state.get("Catch") or [], failure.error)
                if catcher is None:
                    raise
                error_output = {"Error": failure.error, "Cause": failure.cause}
                if jsonata:
                    bindings = self.bindings(scope, data, context, errorOutput=error_output)
                    return self.finish_jsonata(catcher, scope, bindings, error_output), catcher["Next"]
                return self.place(state, data, error_output, context, catcher.get("ResultPath", "$")), catcher["Next"]

    def jsonpath_attempt(self, name: str, state: dict, data: Any, scope: Scope, context: dict) -> Any:
        effective = self.path(data, state.get("InputPath", "$"), context)
        result = self.act(name, state, effective, scope, context)
        if "ResultSelector" in state:
            result = self.fill(state["ResultSelector"], result, context)
        return self.place(state, data, result, context)

    def _retry_delay(self, state: dict, error: str, attempts: dict[int, int]) -> float | None:
        for index, retrier in enumerate(state.get("Retry") or []):
            if matches(retrier["ErrorEquals"], error):
                done = attempts.get(index, 0)
                if done >= retrier.get("MaxAttempts", 3):
                    return None
                attempts[index] = done + 1
                delay = retrier.get("IntervalSeconds", 1) * retrier.get("BackoffRate", 2.0) ** done
                if "MaxDelaySeconds" in retrier:
                    delay = min(delay, retrier["MaxDelaySeconds"])
                if retrier.get("JitterStrategy") == "FULL":
                    delay = self.intrinsics.rng.uniform(0, delay)
                return float(delay)
        return None

    def act(self, name: str, state: dict, data: Any, scope: Scope, context: dict) -> Any:
        kind = state["Type"]
        if kind == "Pass":
            if "Result" in state:
                return state["Result"]
            return self.fill(state["Parameters"], data, context) if "Parameters" in state else data
        if kind == "Task" and state["Resource"].endswith(".waitForTaskToken"):
            context = {**context, "Task": {"Token": self.once(scope, self.host.new_token)}}
        params = self.fill(state["Parameters"], data, context) if "Parameters" in state else data
        if kind == "Task":
            return self.host.run_task(self, scope, state, params, context)
        if kind == "Parallel":
            return self.parallel(state, params, scope)
        return self.map(name, state, data, scope, context)

    def parallel(self, state: dict, data: Any, scope: Scope) -> list:
        started = self.event(scope, "ParallelStateStarted")
        base = scope.next_key()
        branches = [Scope(f"{base}/b{i}", started, scope.variables) for i in range(len(state["Branches"]))]
        results = self._threads([(branch, data, s) for branch, s in zip(state["Branches"], branches)])
        scope.previous_event = max(s.previous_event for s in branches)
        self.event(scope, "ParallelStateSucceeded")
        return results

    def map(self, name: str, state: dict, data: Any, scope: Scope, context: dict) -> list:
        items = self._items(state, data, scope, context)
        if not isinstance(items, list):
            raise StateFailure("States.Runtime", "The ItemsPath of the Map state does not reference an array")
        processor: dict = state.get("ItemProcessor") or state["Iterator"]
        distributed = (processor.get("ProcessorConfig") or {}).get("Mode") == "DISTRIBUTED"
        limits = self.map_limits(state, data, scope, context, distributed)
        started = self.event(scope, "MapStateStarted", {"mapStateStartedEventDetails": {"length": len(items)}})
        map_run = None
        if distributed:
            map_run = self.once(scope, lambda: self.host.start_map_run(state.get("Label", name), state, len(items),
                                                                       limits))
            self.event(scope, "MapRunStarted", {"mapRunStartedEventDetails": {"mapRunArn": map_run}})
            limits = self.host.map_run_limits(map_run)  # UpdateMapRun may have changed them since
        base = scope.next_key()
        threads = []
        for index, item in enumerate(items):
            item_context = {**context, "Map": {"Item": {"Index": index, "Value": item}}}
            selector = state.get("ItemSelector", state.get("Parameters"))
            if selector is None:
                value = item
            elif state.get("QueryLanguage", self.language) == "JSONata":
                value = jsonata_mode.fill(selector, self.bindings(scope, data, item_context))
            else:
                value = self.fill(selector, data, item_context)
            threads.append((processor, value, Scope(f"{base}/i{index}", started, scope.variables), index, name))
        tally = {"succeeded": 0, "failed": 0}
        try:
            results = self._iterations(threads, limits, tally)
        except StateFailure as failure:
            if map_run is not None:
                self.once(scope, lambda: self.host.end_map_run(map_run, "FAILED", tally["succeeded"], tally["failed"],
                                                               len(items)))
                self.event(scope, "MapRunFailed", {"mapRunFailedEventDetails": {
                    "error": failure.error, "cause": failure.cause}})
            raise
        if threads:
            scope.previous_event = max(t[2].previous_event for t in threads)
        if map_run is not None:
            self.once(scope, lambda: self.host.end_map_run(map_run, "SUCCEEDED", tally["succeeded"], tally["failed"],
                                                           len(items)))
            self.event(scope, "MapRunSucceeded")
        self.event(scope, "MapStateSucceeded")
        return results

    def map_limits(self, state: dict, data: Any, scope: Scope, context: dict, distributed: bool) -> MapLimits:
        """MaxConcurrency and the failure tolerance (distributed mode only, as AWS documents it), each
        given as a number, a ``…Path`` into the state input (JSONPath) or a ``{% %}`` expression
        (JSONata). Evaluated again on every replay: the same input gives the same limits."""
        jsonata = state.get("QueryLanguage", self.language) == "JSONata"
        limits = MapLimits()
        for field, kind in (("MaxConcurrency", int), ("ToleratedFailureCount", int),
                            ("ToleratedFailurePercentage", float)):
            value: Any = 0
            if field.startswith("Tolerated") and not distributed:
                pass
            elif f"{field}Path" in state:
                value = self.path(data, state[f"{field}Path"], context)
            elif field in state:
                value = jsonata_mode.evaluate(state[field], self.bindings(scope, data, context)) if jsonata \
                    else state[field]
            valid = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 and (
                kind is float or value == int(value)) and (field != "ToleratedFailurePercentage" or value <= 100)
            if not valid:
                raise StateFailure("States.Runtime", f"The {field} value {to_json(value)} is invalid: it must be "
                                   f"a {'number between 0 and 100' if kind is float else 'non-negative integer'}")
            limits[field] = kind(value)
        return limits

    def _iterations(self, threads: list[tuple], limits: MapLimits, tally: dict[str, int]) -> list:
        """Run a Map's iterations in order, at most ``MaxConcurrency`` in flight (an iteration that
        suspends holds its slot; the next starts on a later run, once one is free). A failed iteration
        fails the Map unless the tolerance allows it: its result is then its error output. Counts the
        finished iterations in ``tally``; suspends while any iteration is unfinished."""
        results: list[Any] = []
        wakes: list[float | None] = []
        waiting = False
        for machine, value, scope, index, name in threads:
            begun = self.host.journal(f"{scope.name}:1") is not None
            if not begun and limits["MaxConcurrency"] and len(wakes) >= limits["MaxConcurrency"]:
                waiting = True  # no free slot: this iteration has not started yet
                continue
            self.event(scope, "MapIterationStarted", {"mapIterationStartedEventDetails": {"name": name, "index": index}})
            try:
                results.append(self.execute(machine, value, scope))
            except Suspend as suspended:
                wakes.append(suspended.wake_at)
                continue
            except StateFailure as failure:
                tally["failed"] += 1
                self.event(scope, "MapIterationFailed", {"mapIterationFailedEventDetails": {"name": name, "index": index}})
                if not limits.tolerates():
                    raise
                if limits.exceeded(tally["failed"], len(threads)):
                    raise StateFailure(THRESHOLD_ERROR, THRESHOLD_CAUSE) from None
                results.append({"Error": failure.error, "Cause": failure.cause})
                continue
            tally["succeeded"] += 1
            self.event(scope, "MapIterationSucceeded", {"mapIterationSucceededEventDetails": {"name": name, "index": index}})
        if wakes or waiting:
            timed = [w for w in wakes if w is not None]
            raise Suspend(min(timed) if timed else None)
        return results

    def _items(self, state: dict, data: Any, scope: Scope, context: dict) -> Any:
        reader = state.get("ItemReader")
        if reader is None and state.get("QueryLanguage", self.language) == "JSONata":
            return jsonata_mode.evaluate(state["Items"], self.bindings(scope, data, context)) \
                if "Items" in state else data
        if reader is None:
            return self.path(data, state.get("ItemsPath", "$"), context)
        params = self.fill(reader.get("Parameters", {}), data, context)
        return self.once(scope, lambda: self.host.run_task(self, scope, {"Resource": reader["Resource"],
                                                                          "ItemReader": reader}, params, context))

    def _threads(self, threads: list[tuple]) -> list:
        """Run Parallel branches: all of them get their turn; suspends if any must wait."""
        results: list[Any] = []
        wakes: list[float | None] = []
        for machine, value, scope in threads:
            try:
                results.append(self.execute(machine, value, scope))
            except Suspend as suspended:
                wakes.append(suspended.wake_at)
        if wakes:
            timed = [w for w in wakes if w is not None]
            raise Suspend(min(timed) if timed else None)
        return results

    # -- QueryLanguage JSONata --------------------------------------------------------------------
    def bindings(self, scope: Scope, data: Any, context: dict, **states: Any) -> dict:
        return {**scope.variables, "states": {"input": data, "context": context, **states}}

    def jsonata_state(self, name: str, state: dict, data: Any, scope: Scope, context: dict) -> tuple[Any, str | None]:
        kind = state["Type"]
        bindings = self.bindings(scope, data, context)
        if kind == "Fail":
            raise StateFailure(str(jsonata_mode.evaluate(state.get("Error", ""), bindings)),
                               str(jsonata_mode.evaluate(state.get("Cause", ""), bindings)))
        if kind == "Choice":
            for rule in state["Choices"]:
                if jsonata_mode.evaluate(rule["Condition"], bindings) is True:
                    return self.finish_jsonata(rule, scope, bindings, data), str(rule["Next"])
            if "Default" not in state:
                raise StateFailure("States.NoChoiceMatched", f"No Matches! at {to_json(data)}")
            return self.finish_jsonata(state, scope, bindings, data), str(state["Default"])
        if kind == "Wait":
            self.sleep_until(scope, self._jsonata_deadline(state, bindings))
            return self.finish_jsonata(state, scope, bindings, data), self._next(state)
        if kind == "Succeed":
            return self.finish_jsonata(state, scope, bindings, data), None
        return self.guarded(name, state, data, scope, context)

    def _jsonata_deadline(self, state: dict, bindings: dict) -> float:
        if "Seconds" in state:
            seconds = jsonata_mode.evaluate(state["Seconds"], bindings)
            if not _is_number(seconds) or seconds < 0:
                raise StateFailure("States.QueryEvaluationError", f"The Seconds field is not a non-negative number: {seconds!r}")
            return self.host.now() + float(seconds)
        text = jsonata_mode.evaluate(state["Timestamp"], bindings)
        try:
            return parse_time(text)
        except (ValueError, AttributeError, TypeError):
            raise StateFailure("States.QueryEvaluationError", f"The Timestamp field is not a valid timestamp: {text!r}") from None

    def jsonata_attempt(self, name: str, state: dict, data: Any, scope: Scope, context: dict) -> Any:
        kind = state["Type"]
        bindings = self.bindings(scope, data, context)
        if kind == "Pass":
            return self.finish_jsonata(state, scope, bindings, data)
        arguments = jsonata_mode.fill(state["Arguments"], bindings) if "Arguments" in state else data
        if kind == "Task":
            if state["Resource"].endswith(".waitForTaskToken"):
                context = {**context, "Task": {"Token": self.once(scope, self.host.new_token)}}
                bindings = self.bindings(scope, data, context)
                arguments = jsonata_mode.fill(state["Arguments"], bindings) if "Arguments" in state else data
            result = self.host.run_task(self, scope, state, arguments, context)
        elif kind == "Parallel":
            result = self.parallel(state, arguments, scope)
        else:
            result = self.map(name, state, data, scope, context)
        return self.finish_jsonata(state, scope, {**bindings, "states": {**bindings["states"], "result": result}}, result)

    def finish_jsonata(self, holder: dict, scope: Scope, bindings: dict, default: Any) -> Any:
        """A state's (or a choice rule's, or a catcher's) Output and Assign, both evaluated with the
        variables as they were before the state assigns any."""
        output = jsonata_mode.fill(holder["Output"], bindings) if "Output" in holder else default
        if "Assign" in holder:
            scope.variables.update(jsonata_mode.fill(holder["Assign"], bindings))
        return output

    # -- Choice -----------------------------------------------------------------------------------
    def choose(self, state: dict, data: Any, context: dict) -> str:
        for rule in state["Choices"]:
            if self.rule(rule, data, context):
                return str(rule["Next"])
        if "Default" in state:
            return str(state["Default"])
        raise StateFailure("States.NoChoiceMatched", f"No Matches! at {to_json(data)}")

    def rule(self, rule: dict, data: Any, context: dict) -> bool:
        if "And" in rule:
            return all(self.rule(sub, data, context) for sub in rule["And"])
        if "Or" in rule:
            return any(self.rule(sub, data, context) for sub in rule["Or"])
        if "Not" in rule:
            return not self.rule(rule["Not"], data, context)
        variable = rule["Variable"]
        present = jsonpath.exists(data, variable, context)
        if "IsPresent" in rule:
            return present == rule["IsPresent"]
        if not present:
            raise StateFailure("States.Runtime", f"Invalid path '{variable}': The choice state's condition "
                               "path references an invalid value.")
        value = jsonpath.read(data, variable, context)
        for operator, expected in rule.items():
            if operator in ("Variable", "Next"):
                continue
            if operator.endswith("Path"):
                operator, expected = operator[:-4], self.path(data, expected, context)
            return _compare(operator, value, expected)
        return False


def matches(names: list[str], error: str) -> bool:
    return error in names or ("States.ALL" in names) or (
        "States.TaskFailed" in names and error not in ("States.Timeout", "States.Runtime"))


def matching(catchers: list[dict], error: str) -> dict | None:
    return next((c for c in catchers if matches(c["ErrorEquals"], error)), None)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _timestamp(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_time(value)
    except ValueError:
        return None


def _compare(operator: str, value: Any, expected: Any) -> bool:
    if operator.startswith("Is"):
        checks = {"IsNull": value is None, "IsNumeric": _is_number(value), "IsString": isinstance(value, str),
                  "IsBoolean": isinstance(value, bool), "IsTimestamp": _timestamp(value) is not None}
        return checks[operator] == expected
    if operator == "BooleanEquals":
        return isinstance(value, bool) and value == expected
    if operator == "StringMatches":
        return isinstance(value, str) and _glob(value, expected)
    for kind, accepts in (("String", lambda v: isinstance(v, str)), ("Numeric", _is_number),
                          ("Timestamp", lambda v: _timestamp(v) is not None)):
        if operator.startswith(kind):
            if not accepts(value) or not accepts(expected):
                return False
            if kind == "Timestamp":
                value, expected = _timestamp(value), _timestamp(expected)
            relation = operator[len(kind):]
            return {"Equals": value == expected, "LessThan": value < expected,
                    "GreaterThan": value > expected, "LessThanEquals": value <= expected,
                    "GreaterThanEquals": value >= expected}[relation]
    raise StateFailure("States.Runtime", f"Unknown comparison operator {operator}")


def _glob(text: str, pattern: str) -> bool:
    """StringMatches: ``*`` matches any run of characters, ``\\*`` a literal star (linear time)."""
    pieces = [piece.replace("\\*", "*").replace("\\\\", "\\") for piece in re.split(r"(?<!\\)\*", pattern)]
    return Wildcard(pieces).fullmatch(text)
