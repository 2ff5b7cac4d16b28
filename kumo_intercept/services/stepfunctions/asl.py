"""Validation of Amazon States Language definitions, as CreateStateMachine and
ValidateStateMachineDefinition do it: every problem is listed, each as a diagnostic
``{severity, code, message, location}`` with a JSON-pointer location (``/States/X/Next``).

Wording of the codes and messages: LocalStack's AWS-recorded
tests/aws/services/stepfunctions/v2/test_sfn_api_validation.snapshot.json ("These fields are
required: [States, StartAt]" at "/", "Definition must be a valid JSON object", the express
".waitForTaskToken" message) and the States Language specification for the rules themselves.
"""

from __future__ import annotations

import json
from typing import Any

from . import intrinsics, jsonpath

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
_TERMINAL = ("Succeed", "Fail")
_PATH_FIELDS = ("InputPath", "OutputPath", "ResultPath", "ItemsPath")
_TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector")
_COMPARATORS = frozenset(
    f"{kind}{op}{suffix}"
    for kind in ("String", "Numeric", "Timestamp")
    for op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    for suffix in ("", "Path")
) | {"BooleanEquals", "BooleanEqualsPath", "StringMatches", "IsNull", "IsPresent", "IsNumeric",
     "IsString", "IsBoolean", "IsTimestamp"}

Diagnostic = dict[str, str]


def _error(code: str, message: str, location: str | None = None) -> Diagnostic:
    out = {"severity": "ERROR", "code": code, "message": message}
    if location is not None:
        out["location"] = location
    return out


def parse_definition(text: str) -> tuple[Any, list[Diagnostic]]:
    """The parsed definition and the diagnostics of parsing it."""
    if not text.strip():
        return None, [_error("SCHEMA_VALIDATION_FAILED", "Definition must be a valid JSON object")]
    try:
        definition = json.loads(text)
    except ValueError as exc:
        return None, [_error("INVALID_JSON_DESCRIPTION", str(exc))]
    if not isinstance(definition, dict):
        return None, [_error("SCHEMA_VALIDATION_FAILED", "Definition must be a valid JSON object")]
    return definition, []


def validate(text: str, machine_type: str = "STANDARD") -> tuple[Any, list[Diagnostic]]:
    definition, problems = parse_definition(text)
    if definition is not None:
        _machine(definition, "", machine_type, problems)
    return definition, problems


def failure_message(problems: list[Diagnostic]) -> str:
    """InvalidDefinition's message on create/update: the problems in one line."""
    listed = ", ".join(
        f"{p['code']}: {p['message']}" + (f" at {p['location']}" if "location" in p else "")
        for p in problems)
    return f"Invalid State Machine Definition: '{listed}'"


def _machine(machine: dict, at: str, machine_type: str, problems: list[Diagnostic]) -> None:
    missing = [name for name in ("States", "StartAt") if name not in machine]
    if missing:
        problems.append(_error("SCHEMA_VALIDATION_FAILED",
                               f"These fields are required: [{', '.join(missing)}]", at or "/"))
    states = machine.get("States")
    if "States" in machine and (not isinstance(states, dict) or not states):
        problems.append(_error("SCHEMA_VALIDATION_FAILED", "States must be a non-empty object", f"{at}/States"))
        return
    if not isinstance(states, dict):
        return
    if machine.get("QueryLanguage") == "JSONata":
        for name, state in states.items():
            if isinstance(state, dict) and state.get("QueryLanguage") == "JSONPath":
                problems.append(_error("SCHEMA_VALIDATION_FAILED", "'QueryLanguage' can not be 'JSONPath' if set "
                                       "to 'JSONata' for whole state machine", f"{at}/States/{name}"))
    start = machine.get("StartAt")
    if "StartAt" in machine and start not in states:
        problems.append(_error("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {start}", f"{at}/StartAt"))
    for name, state in states.items():
        _state(name, state, states, f"{at}/States/{name}", machine_type, problems)


def _state(name: str, state: Any, states: dict, at: str, machine_type: str,
           problems: list[Diagnostic]) -> None:
    if not isinstance(state, dict) or "Type" not in state:
        problems.append(_error("SCHEMA_VALIDATION_FAILED", "These fields are required: [Type]", at))
        return
    kind = state["Type"]
    if kind not in STATE_TYPES:
        problems.append(_error("SCHEMA_VALIDATION_FAILED", f"Value is not a valid state type: {kind}", f"{at}/Type"))
        return
    if len(name) > 80:
        problems.append(_error("SCHEMA_VALIDATION_FAILED", "State name is longer than 80 characters", at))
    _transition(kind, state, states, at, problems)
    _paths(state, at, problems)
    if kind == "Task":
        _task(state, at, machine_type, problems)
    elif kind == "Choice":
        _choice(state, states, at, problems)
    elif kind == "Wait":
        given = [f for f in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if f in state]
        if len(given) != 1:
            problems.append(_error("SCHEMA_VALIDATION_FAILED",
                                   "A Wait state needs exactly one of: [Seconds, Timestamp, SecondsPath, TimestampPath]", at))
    elif kind == "Parallel":
        branches = state.get("Branches")
        if not isinstance(branches, list) or not branches:
            problems.append(_error("SCHEMA_VALIDATION_FAILED", "These fields are required: [Branches]", at))
        else:
            for i, branch in enumerate(branches):
                _machine(branch, f"{at}/Branches/{i}", machine_type, problems)
    elif kind == "Map":
        processor = state.get("ItemProcessor", state.get("Iterator"))
        field = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
        if not isinstance(processor, dict):
            problems.append(_error("SCHEMA_VALIDATION_FAILED", "These fields are required: [ItemProcessor]", at))
        else:
            _machine(processor, f"{at}/{field}", machine_type, problems)
    for kind_field in ("Retry", "Catch"):
        for i, rule in enumerate(state.get(kind_field) or []):
            if not isinstance(rule, dict) or "ErrorEquals" not in rule:
                problems.append(_error("SCHEMA_VALIDATION_FAILED", "These fields are required: [ErrorEquals]",
                                       f"{at}/{kind_field}/{i}"))
            elif kind_field == "Catch" and rule.get("Next") not in states:
                problems.append(_error("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {rule.get('Next')}",
                                       f"{at}/Catch/{i}/Next"))


def _transition(kind: str, state: dict, states: dict, at: str, problems: list[Diagnostic]) -> None:
    if kind in _TERMINAL or kind == "Choice":
        return
    if "Next" in state:
        if state["Next"] not in states:
            problems.append(_error("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {state['Next']}", f"{at}/Next"))
    elif state.get("End") is not True:
        problems.append(_error("SCHEMA_VALIDATION_FAILED", "This field MUST be present: [Next or End]", at))


def _paths(state: dict, at: str, problems: list[Diagnostic]) -> None:
    for field in _PATH_FIELDS:
        value = state.get(field)
        if isinstance(value, str) and not _valid_path(value):
            problems.append(_error("SCHEMA_VALIDATION_FAILED", f"The value for the field '{field}' must be a valid JSONPath",
                                   f"{at}/{field}"))
    for field in _TEMPLATE_FIELDS:
        _template(state.get(field), f"{at}/{field}", problems)


def _valid_path(path: str) -> bool:
    try:
        jsonpath.parse(path[1:] if path.startswith("$$") else path)
    except jsonpath.PathError:
        return False
    return True


def _template(payload: Any, at: str, problems: list[Diagnostic]) -> None:
    if isinstance(payload, dict):
        for key, value in payload.items():
            where = f"{at}/{key}"
            if key.endswith(".$") and isinstance(value, str):
                if value.startswith("States."):
                    try:
                        call = intrinsics.parse(value)
                    except intrinsics.IntrinsicError:
                        problems.append(_error("SCHEMA_VALIDATION_FAILED",
                                               f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call",
                                               where))
                        continue
                    if call.name not in intrinsics.NAMES:
                        problems.append(_error("SCHEMA_VALIDATION_FAILED",
                                               f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call",
                                               where))
                elif not _valid_path(value):
                    problems.append(_error("SCHEMA_VALIDATION_FAILED",
                                           f"The value for the field '{key}' must be a valid JSONPath", where))
            else:
                _template(value, where, problems)
    elif isinstance(payload, list):
        for i, item in enumerate(payload):
            _template(item, f"{at}/{i}", problems)


def _task(state: dict, at: str, machine_type: str, problems: list[Diagnostic]) -> None:
    resource = state.get("Resource")
    if not isinstance(resource, str):
        problems.append(_error("SCHEMA_VALIDATION_FAILED", "These fields are required: [Resource]", at))
        return
    if not resource.startswith("arn:"):
        problems.append(_error("SCHEMA_VALIDATION_FAILED", "Value is not a valid resource ARN", f"{at}/Resource"))
    if machine_type == "EXPRESS" and resource.endswith(".waitForTaskToken"):
        problems.append(_error("SCHEMA_VALIDATION_FAILED",
                               "Express state machine does not support '.waitForTaskToken' service integration ",
                               f"{at}/Resource"))


def _choice(state: dict, states: dict, at: str, problems: list[Diagnostic]) -> None:
    choices = state.get("Choices")
    if not isinstance(choices, list) or not choices:
        problems.append(_error("SCHEMA_VALIDATION_FAILED", "These fields are required: [Choices]", at))
        return
    for i, rule in enumerate(choices):
        where = f"{at}/Choices/{i}"
        if not isinstance(rule, dict):
            continue
        if rule.get("Next") not in states:
            problems.append(_error("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {rule.get('Next')}", f"{where}/Next"))
        _rule(rule, where, problems)
    if "Default" in state and state["Default"] not in states:
        problems.append(_error("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {state['Default']}", f"{at}/Default"))


def _rule(rule: dict, at: str, problems: list[Diagnostic]) -> None:
    if "Condition" in rule:
        return  # JSONata: one expression
    if "And" in rule or "Or" in rule:
        key = "And" if "And" in rule else "Or"
        for i, sub in enumerate(rule[key] or []):
            _rule(sub, f"{at}/{key}/{i}", problems)
        return
    if "Not" in rule:
        _rule(rule["Not"], f"{at}/Not", problems)
        return
    operators = [key for key in rule if key in _COMPARATORS]
    if len(operators) != 1 or "Variable" not in rule:
        problems.append(_error("SCHEMA_VALIDATION_FAILED",
                               "A choice rule needs a Variable and exactly one comparison operator", at))
