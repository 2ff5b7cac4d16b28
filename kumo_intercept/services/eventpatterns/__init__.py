"""The event pattern language of EventBridge rules, SNS filter policies and Lambda event filters.

A shared library, not a service: it has no backend, no tables and no entry in ``BACKENDS``. It lives
under ``services/`` because only services use it, and the services that do import it instead of each
other (services never import each other; a library beside them keeps that rule).

Both services run AWS's event-ruler; this module compiles a pattern once into a tree of small Python
matchers and tests events against it without re-reading the pattern:

    matcher = compile_pattern('{"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}')
    matcher({"source": "shop", "detail": {"total": 120}})   # True

Supported, as event-ruler has them: exact strings, numbers (compared numerically), ``true``,
``false`` and ``null``; ``prefix`` and ``suffix`` (also with ``equals-ignore-case`` inside);
``anything-but`` with a value, a list of strings or of numbers, or ``prefix``/``suffix``/
``equals-ignore-case``/``wildcard`` inside; ``numeric`` ranges; ``exists``; ``cidr``;
``equals-ignore-case``; ``wildcard``; ``$or``; nested keys; and arrays in the event (a field matches
if any element does; a nested pattern matches if one element object matches it whole).

``PatternError`` carries event-ruler's own reason text (for JSON text, followed by the parser's
location as AWS reports it: see ``check_pattern_text``); callers wrap it in their service's error
(``InvalidEventPatternException`` for EventBridge, ``InvalidParameter`` for SNS).
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from typing import Any, Callable

from ...core.linear_regex import Wildcard

__all__ = [
    "ANYTHING_BUT_OPERATORS", "SNS_ANYTHING_BUT", "WILDCARD_COMPLEXITY_LIMIT", "wildcard_complexity",
    "PatternError", "compile_pattern", "compile_value", "check_pattern_text", "parse_pattern", "Matcher",
    "pattern_stats", "sns_attributes_event", "sns_numbers", "compile_sns_policy",
]

MISSING: Any = object()
_EMPTY: dict = {}
_NUMBER_TYPES = (int, float)
OR_KEY = "$or"
#: names event-ruler reserves: none may be a field name inside ``$or``
RESERVED_IN_OR = frozenset({
    "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric",
    "cidr", "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case", "date-after",
    "date-on-or-after", "date-before", "date-on-or-before", "in-date-range", "ip-address-in-range",
    "ip-address-not-in-range",
})
_NUMERIC_OPS = frozenset({"<", "<=", "=", ">", ">="})
#: the operators EventBridge's event-ruler takes inside ``anything-but``
ANYTHING_BUT_OPERATORS = frozenset({"prefix", "suffix", "equals-ignore-case", "wildcard"})
#: SNS filter policies take only ``prefix`` there (recorded from AWS: LocalStack's
#: test_validate_policy_nested_anything_but_operator refuses suffix and exists)
SNS_ANYTHING_BUT = frozenset({"prefix"})

Matcher = Callable[[Any], bool]


class PatternError(ValueError):
    """A pattern that event-ruler would refuse; ``reason`` is its message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _is_number(value: Any) -> bool:
    kind = type(value)
    return kind is int or kind is float


# -- value tests: each takes one scalar of the event and says whether it matches -----------------
def _exact_strings(values: frozenset) -> Callable[[Any], bool]:
    return lambda v: type(v) is str and v in values


def _exact_numbers(values: frozenset) -> Callable[[Any], bool]:
    return lambda v: (type(v) is int or type(v) is float) and v in values


def _prefix(text: str, ignore_case: bool) -> Callable[[Any], bool]:
    if ignore_case:
        folded = text.casefold()
        return lambda v: type(v) is str and v.casefold().startswith(folded)
    return lambda v: type(v) is str and v.startswith(text)


def _suffix(text: str, ignore_case: bool) -> Callable[[Any], bool]:
    if ignore_case:
        folded = text.casefold()
        return lambda v: type(v) is str and v.casefold().endswith(folded)
    return lambda v: type(v) is str and v.endswith(text)


def _wildcard_regex(text: str) -> Wildcard:
    """event-ruler's wildcard: ``*`` is any run of characters, ``\\*`` and ``\\\\`` are literals.
    Matched piece by piece (linear_regex.Wildcard), so no pattern can make matching backtrack."""
    out: list[str] = [""]
    i = 0
    previous_star = False
    while i < len(text):
        char = text[i]
        if char == "\\":
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if nxt not in ("*", "\\"):
                raise PatternError(f"Invalid escape character at pos {i}")
            out[-1] += nxt
            i += 2
            previous_star = False
            continue
        if char == "*":
            if previous_star:
                raise PatternError(f"Consecutive wildcard characters at pos {i}")
            out.append("")
            previous_star = True
        else:
            out[-1] += char
            previous_star = False
        i += 1
    return Wildcard(out)


#: event-ruler's machine complexity at which EventBridge refuses a rule: "*:*:*:*:*:event-bus/*"
#: (10) is refused, "/Users/*/dir/dir/dir/dir/dir/doc.txt" (7) accepted (LocalStack's
#: content_wildcard_complex_EXC and content_wildcard_repeating templates, recorded from AWS)
WILDCARD_COMPLEXITY_LIMIT = 10
_TOO_COMPLEX = ("Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences "
                "after a wildcard character")
#: subsets of matcher states the complexity walk visits at most (patterns that many are rare)
_COMPLEXITY_WALK = 20_000


def _wildcard_tokens(text: str) -> tuple[str | None, ...]:
    """A wildcard pattern as tokens: None for ``*``, else one literal character."""
    tokens: list[str | None] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            tokens.append(text[i + 1])
            i += 2
        else:
            tokens.append(None if text[i] == "*" else text[i])
            i += 1
    return tuple(tokens)


def wildcard_complexity(patterns: list[str]) -> int:
    """The most prefixes of one field's wildcard patterns that one value can match at once, counted as
    event-ruler's MachineComplexityEvaluator counts them (``*a*a*a*`` against ``aaa``: 7), capped at
    WILDCARD_COMPLEXITY_LIMIT. A walk over the sets of states a value can leave the matcher in."""
    machines = [_wildcard_tokens(text) for text in patterns]
    alphabet = {token for tokens in machines for token in tokens if token is not None} | {"\0"}

    def closure(states: set) -> frozenset:
        pending = list(states)
        while pending:
            which, at = pending.pop()
            tokens = machines[which]
            if at < len(tokens) and tokens[at] is None and (which, at + 1) not in states:
                states.add((which, at + 1))
                pending.append((which, at + 1))
        return frozenset(states)

    def step(states: frozenset, char: str) -> frozenset:
        nxt = set()
        for which, at in states:
            tokens = machines[which]
            if at and tokens[at - 1] is None:
                nxt.add((which, at))  # a star takes any character
            if at < len(tokens) and tokens[at] == char:
                nxt.add((which, at + 1))
        return closure(nxt)

    start = closure({(which, 0) for which in range(len(machines))})
    seen = {start}
    pending = [start]
    worst = 0
    while pending and len(seen) < _COMPLEXITY_WALK:
        states = pending.pop()
        for char in alphabet:
            nxt = step(states, char)
            if not nxt or nxt in seen:
                continue
            worst = max(worst, sum(1 for _which, at in nxt if at))
            if worst >= WILDCARD_COMPLEXITY_LIMIT:
                return WILDCARD_COMPLEXITY_LIMIT
            seen.add(nxt)
            pending.append(nxt)
    return worst


def _wildcard_patterns(values: list) -> list[str]:
    """A field's wildcard patterns: ``wildcard`` and anything-but ``wildcard`` operands."""
    patterns: list[str] = []
    for value in values:
        if not isinstance(value, dict):
            continue
        operand = value.get("wildcard")
        if operand is None and isinstance(value.get("anything-but"), dict):
            operand = value["anything-but"].get("wildcard")
        patterns.extend(item for item in (operand if isinstance(operand, list) else [operand])
                        if isinstance(item, str))
    return patterns


#: sub-rules an ``$or`` pattern is expanded into at most for the complexity check; past it each field is
#: checked on its own (an ``$or`` that large is no rule anyone writes)
_MAX_SUB_RULES = 1024


def _sub_rules(node: dict, prefix: str = "") -> list[dict[str, list]] | None:
    """The rules event-ruler's compiler makes of a (compiled, so well-formed) pattern: one per choice of
    ``$or`` branches, each mapping dot-joined field names to their value lists; None past _MAX_SUB_RULES."""
    rules: list[dict[str, list]] = [{}]
    for key, value in _undotted(node).items():
        if key == OR_KEY:
            alternatives: list[dict[str, list]] = []
            for branch in value:
                expanded = _sub_rules(branch, prefix)
                if expanded is None:
                    return None
                alternatives.extend(expanded)
        elif isinstance(value, dict):
            nested = _sub_rules(value, f"{prefix}{key}.")
            if nested is None:
                return None
            alternatives = nested
        else:
            alternatives = [{prefix + key: value}]
        rules = [{**rule, **alternative} for rule in rules for alternative in alternatives]
        if len(rules) > _MAX_SUB_RULES:
            return None
    return rules


def _value_machines(pattern: dict) -> list[list[str]]:
    """The wildcard patterns of each value machine event-ruler builds for ``pattern``.

    The sub-rules of an ``$or`` go into one machine: each walks its fields in name order from the start
    state, and two sub-rules share a field's value machine while every field before it names the same
    values. The complexity limit is on the worst of these machines, so wildcards of one field in different
    ``$or`` branches count together (event-ruler's GenericMachine.addStep and MachineComplexityEvaluator).
    """
    rules = _sub_rules(pattern)
    if rules is None:  # too many to expand: each field alone
        return [_wildcard_patterns(values) for values in _leaf_lists(pattern)]
    machines: dict[tuple, dict[str, None]] = {}
    for rule in rules:
        path: tuple = ()
        for name in sorted(rule):
            values = rule[name]
            found = _wildcard_patterns(values)
            if found:
                machines.setdefault((path, name), {}).update(dict.fromkeys(found))
            path += ((name, json.dumps(values, sort_keys=True)),)
    return [list(patterns) for patterns in machines.values()]


def _leaf_lists(node: dict) -> list[list]:
    """Every value list of a pattern, wherever it stands."""
    out: list[list] = []
    for key, value in node.items():
        if key == OR_KEY:
            for branch in value:
                out.extend(_leaf_lists(branch))
        elif isinstance(value, dict):
            out.extend(_leaf_lists(value))
        else:
            out.append(value)
    return out


def _check_wildcard_complexity(pattern: dict) -> None:
    """Refuse a pattern one of whose value machines is too complex for event-ruler."""
    checked: set[frozenset] = set()
    for patterns in _value_machines(pattern):
        key = frozenset(patterns)
        if key in checked:
            continue
        checked.add(key)
        if wildcard_complexity(patterns) >= WILDCARD_COMPLEXITY_LIMIT:
            raise PatternError(_TOO_COMPLEX)


def _wildcard(text: str) -> Callable[[Any], bool]:
    fullmatch = _wildcard_regex(text).fullmatch
    return lambda v: type(v) is str and fullmatch(v)


def _numeric_range(low: float | None, low_open: bool, high: float | None, high_open: bool) -> Callable[[Any], bool]:
    def test(v: Any) -> bool:
        if not (type(v) is int or type(v) is float):
            return False
        if low is not None and (v <= low if low_open else v < low):
            return False
        if high is not None and (v >= high if high_open else v > high):
            return False
        return True
    return test


def _cidr(text: str) -> Callable[[Any], bool]:
    if "/" not in text:
        raise PatternError("Malformed CIDR, one '/' required")
    if not text.rpartition("/")[2].isdigit():  # checked before the address (content_ip_address_bad_mask_EXC)
        raise PatternError("Malformed CIDR, mask bits must be an integer")
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise PatternError(f"Nonstandard IP address: {text.split('/')[0]}") from None

    def test(v: Any) -> bool:
        if type(v) is not str:
            return False
        try:
            return ipaddress.ip_address(v) in network
        except ValueError:
            return False
    return test


# -- compiled nodes --------------------------------------------------------------------------------
class _Leaf:
    """The patterns of one field: matches when any value of the field passes any test."""

    __slots__ = ("tests", "absent_ok", "present_ok", "single")

    is_leaf = True

    def __init__(self, tests: list[Callable[[Any], bool]], absent_ok: bool, present_ok: bool) -> None:
        self.tests = tuple(tests)
        self.absent_ok = absent_ok
        self.present_ok = present_ok
        self.single = self.tests[0] if len(self.tests) == 1 else None

    def match(self, raw: Any) -> bool:
        if raw is MISSING:
            return self.absent_ok
        kind = type(raw)
        if kind is list:
            values = _scalars(raw)
            if not values:
                return self.absent_ok
        elif kind is dict:
            return self.absent_ok
        else:
            if self.present_ok:
                return True
            single = self.single
            if single is not None:
                return single(raw)
            for test in self.tests:
                if test(raw):
                    return True
            return False
        if self.present_ok:
            return True
        for test in self.tests:
            for value in values:
                if test(value):
                    return True
        return False


def _scalars(values: list) -> list:
    out: list = []
    for value in values:
        kind = type(value)
        if kind is list:
            out.extend(_scalars(value))
        elif kind is not dict:
            out.append(value)
    return out


class _Object:
    """An object of the pattern: every field matches, and one branch of every ``$or`` does."""

    __slots__ = ("fields", "ors")

    is_leaf = False

    def __init__(self, fields: list[tuple[str, Any]], ors: list[tuple["_Object", ...]]) -> None:
        self.fields = tuple(fields)
        self.ors = tuple(ors)

    def match(self, event: Any) -> bool:
        get = event.get if type(event) is dict else _EMPTY.get
        for key, node in self.fields:
            value = get(key, MISSING)
            if value is MISSING and not node.is_leaf and get is not _EMPTY.get:
                value = _dotted_members(event, key)
            if node.is_leaf:
                if not node.match(value):
                    return False
                continue
            kind = type(value)
            if kind is dict:
                if not node.match(value):
                    return False
            elif kind is list:
                objects = [item for item in value if type(item) is dict]
                if objects:
                    if not any(node.match(item) for item in objects):
                        return False
                elif not node.match(_EMPTY):
                    return False
            elif not node.match(_EMPTY):
                return False
        for branches in self.ors:
            for branch in branches:
                if branch.match(event):
                    break
            else:
                return False
        return True


def _dotted_members(event: dict, key: str) -> Any:
    """An event's ``"key.rest"`` fields as the object ``{"rest": ...}``: event-ruler reads field names
    dot-joined, so ``{"state.status": "x"}`` is ``{"state": {"status": "x"}}`` (recorded from AWS:
    LocalStack's dot_joining_event template)."""
    start = key + "."
    members = {name[len(start):]: value for name, value in event.items() if name.startswith(start)}
    return members or MISSING


def _undotted(obj: dict) -> dict:
    """A pattern object with its dot-joined field names made nested objects (``{"state.status": [...]}``
    is ``{"state": {"status": [...]}}``: LocalStack's dot_joining_pattern template). A name that would
    clash with a field of its own (``"a": [...]`` beside ``"a.b"``) stays as it is."""
    if not any("." in key for key in obj if key != OR_KEY):
        return obj
    out = {key: value for key, value in obj.items() if "." not in key or key == OR_KEY}
    for key, value in obj.items():
        head, dot, rest = key.partition(".")
        if not dot or key == OR_KEY:
            continue
        nested = out.get(head) if head and rest else ()
        if nested is None:
            out[head] = {rest: value}
        elif isinstance(nested, dict) and rest not in nested:
            out[head] = {**nested, rest: value}
        else:
            out[key] = value
    return out


# -- compilation ---------------------------------------------------------------------------------
def parse_pattern(text: str) -> Any:
    """JSON text to a Python value, with event-ruler's wording for text that is not JSON."""
    try:
        return json.loads(text, parse_float=float, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise PatternError(_json_reason(exc)) from None
    except RecursionError:  # Jackson, which event-ruler parses with, stops at 1000 levels
        raise PatternError("Document nesting depth exceeds the maximum allowed (1000, from "
                           "`StreamReadConstraints.getMaxNestingDepth()`)") from None


def _reject_constant(name: str) -> Any:
    raise PatternError(f"Non-standard token '{name}': enable JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS to allow")


def _json_reason(exc: json.JSONDecodeError) -> str:
    doc, pos = exc.doc, exc.pos
    char = doc[pos] if pos < len(doc) else ""
    if not char:
        return "Unexpected end-of-input: expected close marker for Object"
    return f"Unexpected character ('{char}' (code {ord(char)})): was expecting double-quote to start field name"


def _compile_object(obj: dict, inside_or: bool) -> _Object:
    if not obj:
        raise PatternError("Empty objects are not allowed")
    fields: list[tuple[str, Any]] = []
    ors: list[tuple[_Object, ...]] = []
    for key, value in _undotted(obj).items():
        if key == OR_KEY:
            ors.append(_compile_or(value))
            continue
        if inside_or and key in RESERVED_IN_OR:
            raise PatternError(f"{key} is Ruler reserved fieldName which cannot be used inside {OR_KEY}.")
        if isinstance(value, dict):
            fields.append((key, _compile_object(value, inside_or)))
        elif isinstance(value, list):
            fields.append((key, _compile_leaf(value)))
        else:
            raise PatternError(f'"{key}" must be an object or an array')
    return _Object(fields, ors)


def _compile_or(value: Any) -> tuple[_Object, ...]:
    if not isinstance(value, list):
        raise PatternError(f"It must be an Array followed with {OR_KEY}.")
    branches = []
    for item in value:
        if not isinstance(item, dict):
            raise PatternError(f"Only JSON object is allowed in array of {OR_KEY} relationship.")
        branches.append(_compile_object(item, True))
    if len(branches) < 2:
        raise PatternError(f"There must have at least 2 Objects in {OR_KEY} relationship.")
    return tuple(branches)


def _compile_leaf(values: list) -> _Leaf:
    if not values:
        raise PatternError("Empty arrays are not allowed")
    tests: list[Callable[[Any], bool]] = []
    strings: set[str] = set()
    numbers: set[float] = set()
    absent_ok = False
    present_ok = False
    other: list[Callable[[Any], bool]] = []
    for value in values:
        if isinstance(value, str):
            strings.add(value)
        elif value is None:
            other.append(lambda v: v is None)
        elif value is True:
            other.append(lambda v: v is True)
        elif value is False:
            other.append(lambda v: v is False)
        elif isinstance(value, (int, float)):
            numbers.add(value)
        elif isinstance(value, dict):
            kind, test = _compile_expression(value)
            if kind == "exists":
                if test:
                    present_ok = True
                else:
                    absent_ok = True
            else:
                other.append(test)
        else:
            raise PatternError("Match value must be String, number, true, false, or null")
    if strings:
        tests.append(_exact_strings(frozenset(strings)))
    if numbers:
        tests.append(_exact_numbers(frozenset(numbers)))
    tests.extend(other)
    if not tests:
        tests.append(lambda v: False)
    return _Leaf(tests, absent_ok, present_ok)


def _single(expression: dict) -> tuple[str, Any]:
    if not expression:
        raise PatternError("Match expression name not found")
    if len(expression) > 1:
        raise PatternError("Only one key allowed in match expression")
    return next(iter(expression.items()))


def _string_operand(operand: Any, what: str) -> tuple[str, bool]:
    """A prefix/suffix operand: a string, or {"equals-ignore-case": string}."""
    if isinstance(operand, str):
        return operand, False
    if isinstance(operand, dict) and len(operand) == 1 and "equals-ignore-case" in operand:
        inner = operand["equals-ignore-case"]
        if not isinstance(inner, str):
            raise PatternError("equals-ignore-case match pattern must be a string")
        return inner, True
    raise PatternError(f"{what} match pattern must be a string")


def _compile_expression(expression: dict) -> tuple[str, Any]:
    name, operand = _single(expression)
    if name == "exactly":
        if not isinstance(operand, str):
            raise PatternError("exact match pattern must be a string")
        return "test", _exact_strings(frozenset((operand,)))
    if name == "prefix":
        text, ignore_case = _string_operand(operand, "prefix")
        return "test", _prefix(text, ignore_case)
    if name == "suffix":
        text, ignore_case = _string_operand(operand, "suffix")
        return "test", _suffix(text, ignore_case)
    if name == "equals-ignore-case":
        if not isinstance(operand, str):
            raise PatternError("equals-ignore-case match pattern must be a string")
        folded = operand.casefold()
        return "test", lambda v: type(v) is str and v.casefold() == folded
    if name == "wildcard":
        if not isinstance(operand, str):
            raise PatternError("wildcard match pattern must be a string")
        return "test", _wildcard(operand)
    if name == "numeric":
        return "test", _compile_numeric(operand)
    if name == "exists":
        if not isinstance(operand, bool):
            raise PatternError("exists match pattern must be either true or false.")
        return "exists", operand
    if name == "cidr":
        if not isinstance(operand, str):
            raise PatternError("prefix match pattern must be a string")
        return "test", _cidr(operand)
    if name == "anything-but":
        return "test", _compile_anything_but(operand)
    raise PatternError(f"Unrecognized match type {name}")


def _compile_numeric(operand: Any) -> Callable[[Any], bool]:
    if not isinstance(operand, list):
        raise PatternError("Value of numeric must be an array.")
    if not operand or not isinstance(operand[0], str):
        member = json.dumps(operand[0]) if operand else "]"
        raise PatternError(f"Invalid member in numeric match: {member}")
    operator = operand[0]
    if operator not in _NUMERIC_OPS:
        raise PatternError(f"Unrecognized numeric range operator: {operator}")
    if len(operand) < 2 or not _is_number(operand[1]):
        raise PatternError(f"Value of {'equals' if operator == '=' else operator} must be numeric")
    value = operand[1]
    if operator in ("=", "<", "<="):
        if len(operand) > 2:
            raise PatternError("Too many elements in numeric expression")
        if operator == "=":
            return _numeric_range(value, False, value, False)
        return _numeric_range(None, False, value, operator == "<")
    if len(operand) == 2:
        return _numeric_range(value, operator == ">", None, False)
    top_operator = operand[2]
    if not isinstance(top_operator, str):
        raise PatternError(f"Bad value in numeric range: {json.dumps(top_operator)}")
    if top_operator not in ("<", "<="):
        raise PatternError(f"Bad numeric range operator: {top_operator}")
    if len(operand) < 4 or not _is_number(operand[3]):
        raise PatternError(f"Value of {top_operator} must be numeric")
    if len(operand) > 4:
        raise PatternError("Too many terms in numeric range expression")
    top = operand[3]
    if top <= value:
        raise PatternError("Bottom must be less than top")
    return _numeric_range(value, operator == ">", top, top_operator == "<")


def _compile_anything_but(operand: Any) -> Callable[[Any], bool]:
    if isinstance(operand, dict):
        if not operand:
            raise PatternError("Anything-But expression name not found")
        if len(operand) > 1:
            raise PatternError("Only one key allowed in match expression")
        name, inner = next(iter(operand.items()))
        # each lets through any value that is not a string, null included (recorded from AWS:
        # LocalStack's content_anything_*_null and _int templates)
        if name in ("prefix", "suffix"):
            if isinstance(inner, dict):
                raise PatternError("Value of anything-but must be an array or single string/number value.")
            items = inner if isinstance(inner, list) else [inner]
            if not all(isinstance(item, str) for item in items):
                raise PatternError("prefix/suffix match pattern must be a string")
            if not all(items):
                raise PatternError("Null prefix/suffix not allowed")
            affixes = tuple(items)
            if name == "prefix":
                return lambda v: type(v) is not str or not v.startswith(affixes)
            return lambda v: type(v) is not str or not v.endswith(affixes)
        if name == "equals-ignore-case":
            items = inner if isinstance(inner, list) else [inner]
            if not all(isinstance(item, str) for item in items) or (isinstance(inner, list) and not inner):
                raise PatternError("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
            folded = frozenset(item.casefold() for item in items)
            return lambda v: type(v) is not str or v.casefold() not in folded
        if name == "wildcard":
            items = inner if isinstance(inner, list) else [inner]
            if not items or not all(isinstance(item, str) for item in items):
                raise PatternError("wildcard match pattern must be a string")
            regexes = [_wildcard_regex(item) for item in items]
            return lambda v: type(v) is not str or not any(r.fullmatch(v) for r in regexes)
        raise PatternError(f"Unsupported anything-but pattern: {name}")
    if isinstance(operand, list):
        has_string = any(isinstance(item, str) for item in operand)
        has_number = any(_is_number(item) for item in operand)
        for item in operand:
            if not (isinstance(item, str) or _is_number(item)):
                raise PatternError("Inside anything but list, start|null|boolean is not supported.")
        if has_string == has_number:
            raise PatternError("Inside anything but list, either all values are number or string, mixed type is not supported")
        excluded = frozenset(operand)
    elif isinstance(operand, str):
        has_number, excluded = False, frozenset((operand,))
    elif _is_number(operand):
        has_number, excluded = True, frozenset((operand,))
    else:
        raise PatternError("Value of anything-but must be an array or single string/number value.")
    if has_number:
        return lambda v: (type(v) is int or type(v) is float) and v not in excluded
    # a string exclusion set lets every non-string value through, as event-ruler's byte matching does
    return lambda v: type(v) is not str or v not in excluded


@functools.lru_cache(maxsize=4096)
def _compile_text(text: str) -> Matcher:
    check_pattern_text(text)  # refusals in AWS's words, with the parser's location
    pattern = parse_pattern(text)
    return compile_value(pattern)


def compile_value(pattern: Any) -> Matcher:
    """Compile an already-parsed pattern (a dict) into a matcher."""
    if not isinstance(pattern, dict):
        raise PatternError("Filter is not an object")
    matcher = _compile_object(pattern, False).match
    _check_wildcard_complexity(pattern)
    return matcher


def compile_pattern(pattern: str | dict) -> Matcher:
    """A matcher for ``pattern`` (JSON text or a parsed dict); text patterns are cached."""
    if isinstance(pattern, str):
        return _compile_text(pattern)
    return compile_value(pattern)


# -- SNS specifics -----------------------------------------------------------------------------------
def pattern_stats(pattern: dict) -> tuple[int, int]:
    """(number of leaf keys, combinations) as SNS counts them for its filter policy limits."""
    keys = 0
    combinations = 1

    def walk(node: dict, depth: int) -> None:
        nonlocal keys, combinations
        for key, value in node.items():
            if key == OR_KEY and isinstance(value, list):
                for branch in value:
                    if isinstance(branch, dict):
                        walk(branch, depth)
            elif isinstance(value, dict):
                walk(value, depth + 1)
            elif isinstance(value, list):
                keys += 1
                combinations *= max(1, len(value))
    walk(pattern, 1)
    return keys, combinations


#: SNS compares numbers to five digits after the decimal point (AWS's "Amazon SNS filter policy
#: constraints": numeric matching has five digits of accuracy after the decimal point)
SNS_NUMBER_DECIMALS = 5


def sns_numbers(value: Any) -> Any:
    """``value`` with every fractional number rounded to the digits SNS compares."""
    if type(value) is float:
        return round(value, SNS_NUMBER_DECIMALS)
    if isinstance(value, dict):
        return {key: sns_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [sns_numbers(item) for item in value]
    return value


@functools.lru_cache(maxsize=4096)
def compile_sns_policy(text: str) -> Matcher:
    """A matcher for an SNS filter policy already accepted: its numbers as SNS compares them, so the
    events it is given must be passed through ``sns_numbers`` too."""
    return compile_value(sns_numbers(parse_pattern(text)))


def sns_attributes_event(attributes: dict | None) -> dict:
    """SNS message attributes as the object a MessageAttributes-scope filter policy is tested on.

    Strings stay strings, numbers become numbers, ``String.Array`` values become lists; binary
    attributes are not filterable and are left out.
    """
    event: dict[str, Any] = {}
    if not attributes:
        return event
    for name, attribute in attributes.items():
        data_type = attribute.get("DataType", "String")
        base = data_type.split(".", 1)[0]
        if data_type == "String.Array":
            try:
                value = json.loads(attribute.get("StringValue", ""))
            except (ValueError, RecursionError):
                continue
            event[name] = value if isinstance(value, list) else [value]
        elif base == "Number":
            text = attribute.get("StringValue", "")
            try:
                number: Any = int(text)
            except ValueError:
                try:
                    number = float(text)
                except ValueError:
                    continue
            event[name] = number
        elif base == "String":
            event[name] = attribute.get("StringValue", "")
    return event


# -- checking pattern text as AWS does -------------------------------------------------------------------
# AWS compiles patterns with event-ruler's streaming compiler on top of a Jackson parser: a refusal is
# the compiler's reason followed by where the parser stood, e.g.
#
#     "source" must be an object or an array
#      at [Source: (String)"{"source": "aws.ec2"}"; line: 1, column: 13]
#
# Where the parser stands follows Jackson's rules, reproduced here: after a field name it has already
# read the start of the value; a string token is read lazily (only its opening quote, until the
# compiler asks for its text); numbers and literals are read whole. ``check_pattern_text(text)`` raises
# ``PatternError`` with that full message, or returns None.
_WS = " \t\r\n"
_SOURCE_LIMIT = 500

START_OBJECT, END_OBJECT, START_ARRAY, END_ARRAY = "{", "}", "[", "]"
FIELD_NAME, STRING, NUMBER_INT, NUMBER_FLOAT = "name", "string", "int", "float"
TRUE, FALSE, NULL = "true", "false", "null"
_NUMERIC = (NUMBER_INT, NUMBER_FLOAT)



class _JsonCursor:
    """A Jackson-like pull parser over the text, tracking the input position as Jackson does."""

    def __init__(self, text: str, anything_but: frozenset[str] = ANYTHING_BUT_OPERATORS) -> None:
        self.text = text
        #: the operators the dialect allows inside ``anything-but`` (SNS: prefix only)
        self.anything_but = anything_but
        self.pos = 0
        self.stack: list[list[Any]] = []   # [kind ("obj"/"arr"), has_values]
        self.stash: str | None = None      # the value token read along with a field name
        self.incomplete = False            # current token is a string whose body is unread
        self.token: str | None = None
        self.value: Any = None             # text of the current token (when known)
        self.name: str | None = None

    # -- errors ---------------------------------------------------------------------------------
    def location(self) -> str:
        text = self.text
        line = text.count("\n", 0, self.pos) + 1
        column = self.pos - (text.rfind("\n", 0, self.pos) + 1) + 1
        if len(text) > _SOURCE_LIMIT:
            source = f'(String)"{text[:_SOURCE_LIMIT]}"[truncated {len(text) - _SOURCE_LIMIT} chars]'
        else:
            source = f'(String)"{text}"'
        return f"[Source: {source}; line: {line}, column: {column}]"

    def barf(self, message: str) -> None:
        raise PatternError(f"{message}\n at {self.location()}")

    def _unexpected(self, expecting: str) -> None:
        if self.pos >= len(self.text):
            self.barf(f"Unexpected end-of-input: {expecting}")
        char = self.text[self.pos]
        self.pos += 1
        self.barf(f"Unexpected character ('{char}' (code {ord(char)})): {expecting}")

    # -- lexing ---------------------------------------------------------------------------------
    def _skip_ws(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _WS:
            pos += 1
        self.pos = pos

    def _read_string(self) -> str:
        """The string body from the current position (just past the opening quote)."""
        text = self.text
        out: list[str] = []
        pos = self.pos
        while True:
            if pos >= len(text):
                self.pos = pos
                self.barf("Unexpected end-of-input: was expecting closing quote for a string value")
            char = text[pos]
            if char == '"':
                self.pos = pos + 1
                return "".join(out)
            if char == "\\":
                escape = text[pos + 1:pos + 2]
                if escape == "u":
                    out.append(chr(int(text[pos + 2:pos + 6], 16)))
                    pos += 6
                    continue
                out.append({"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(escape, escape))
                pos += 2
                continue
            out.append(char)
            pos += 1

    def _start_value(self) -> str:
        self._skip_ws()
        text, pos = self.text, self.pos
        if pos >= len(text):
            self._unexpected("expected a value")
        char = text[pos]
        if char == '"':
            self.pos = pos + 1
            self.incomplete = True
            self.value = None
            return STRING
        if char in "{[":
            self.pos = pos + 1
            return char
        if char == "-" or char.isdigit():
            end = pos + 1
            while end < len(text) and (text[end].isdigit() or text[end] in ".eE+-"):
                end += 1
            literal = text[pos:end]
            try:
                float(literal)
            except ValueError:
                self.pos = end
                self.barf(f"Unexpected character in number: {literal}")
            self.pos = end
            self.value = literal
            return NUMBER_FLOAT if any(c in literal for c in ".eE") else NUMBER_INT
        for word in (TRUE, FALSE, NULL):
            if text.startswith(word, pos):
                self.pos = pos + len(word)
                self.value = word
                return word
        self._unexpected("expected a valid value (JSON String, Number, Array, Object or token 'null', "
                         "'true' or 'false')")
        return ""  # unreachable

    def _enter(self, token: str) -> None:
        if token == START_OBJECT:
            self.stack.append(["obj", False])
        elif token == START_ARRAY:
            self.stack.append(["arr", False])

    def next(self) -> str | None:
        if self.stash is not None:
            token, self.stash = self.stash, None
            self._enter(token)
            self.token = token
            return token
        if self.incomplete:
            self._read_string()
            self.incomplete = False
        if not self.stack:
            self._skip_ws()
            if self.pos >= len(self.text):
                self.token = None
                return None
            token = self._start_value()
            self._enter(token)
            self.token = token
            return token
        frame = self.stack[-1]
        self._skip_ws()
        text = self.text
        closer = "}" if frame[0] == "obj" else "]"
        if self.pos < len(text) and text[self.pos] == closer:
            self.pos += 1
            self.stack.pop()
            self.token = END_OBJECT if closer == "}" else END_ARRAY
            return self.token
        if frame[1]:
            if self.pos >= len(text) or text[self.pos] != ",":
                kind = "OBJECT" if frame[0] == "obj" else "ARRAY"
                self._unexpected(f"was expecting comma to separate {kind} entries")
            self.pos += 1
            self._skip_ws()
        frame[1] = True
        if frame[0] == "obj":
            if self.pos >= len(text) or text[self.pos] != '"':
                self._unexpected("was expecting double-quote to start field name")
            self.pos += 1
            self.name = self._read_string()
            self._skip_ws()
            if self.pos >= len(text) or text[self.pos] != ":":
                self._unexpected("was expecting a colon to separate field name and value")
            self.pos += 1
            self.stash = self._start_value()
            self.token = FIELD_NAME
            return FIELD_NAME
        token = self._start_value()
        self._enter(token)
        self.token = token
        return token

    def text_value(self) -> str:
        """The current token's text (completing a lazily read string, as Jackson's getText does)."""
        if self.token == STRING and self.incomplete:
            self.value = self._read_string()
            self.incomplete = False
        if self.token in (START_OBJECT, END_OBJECT, START_ARRAY, END_ARRAY):
            return self.token
        if self.token == FIELD_NAME:
            return self.name or ""
        return "" if self.value is None else str(self.value)


# -- event-ruler's JsonRuleCompiler, checks only --------------------------------------------------------
def check_pattern_text(text: str, anything_but: frozenset[str] = frozenset()) -> None:
    """Raise PatternError (with AWS's location suffix) if event-ruler would refuse ``text``.
    ``anything_but`` narrows the operators allowed inside ``anything-but`` (SNS_ANYTHING_BUT)."""
    parser = _JsonCursor(text, anything_but or ANYTHING_BUT_OPERATORS)
    if parser.next() != START_OBJECT:
        parser.barf("Filter is not an object")
    _check_object(parser, inside_or=False)
    if parser.next() is not None:
        parser._unexpected("expected end of input")


def _check_object(parser: _JsonCursor, inside_or: bool) -> None:
    present = False
    while parser.next() != END_OBJECT:
        present = True
        name = parser.name or ""
        if name == OR_KEY:
            _check_or(parser)
            continue
        if inside_or and name in RESERVED_IN_OR:
            parser.barf(f"{name} is Ruler reserved fieldName which cannot be used inside {OR_KEY}.")
        token = parser.next()
        if token == START_OBJECT:
            _check_object(parser, inside_or)
        elif token == START_ARRAY:
            _check_rules(parser)
        else:
            parser.barf(f'"{name}" must be an object or an array')
    if not present:
        parser.barf("Empty objects are not allowed")


def _check_or(parser: _JsonCursor) -> None:
    if parser.next() != START_ARRAY:
        parser.barf(f"It must be an Array followed with {OR_KEY}.")
    count = 0
    while (token := parser.next()) != END_ARRAY:
        count += 1
        if token == START_OBJECT:
            _check_object(parser, inside_or=True)
        else:
            parser.barf(f"Only JSON object is allowed in array of {OR_KEY} relationship.")
    if count < 2:
        parser.barf(f"There must have at least 2 Objects in {OR_KEY} relationship.")


def _check_rules(parser: _JsonCursor) -> None:
    count = 0
    while (token := parser.next()) != END_ARRAY:
        count += 1
        if token == START_OBJECT:
            _check_expression(parser)
        elif token == STRING:
            parser.text_value()
        elif token in _NUMERIC or token in (TRUE, FALSE, NULL):
            pass
        else:
            parser.barf("Match value must be String, number, true, false, or null")
    if count == 0:
        parser.barf("Empty arrays are not allowed")


def _check_end_of_expression(parser: _JsonCursor) -> None:
    if parser.next() != END_OBJECT:
        parser.barf("Only one key allowed in match expression")


def _check_string_operand(parser: _JsonCursor, what: str) -> None:
    """``"text"`` or ``{"equals-ignore-case": "text"}`` (prefix and suffix take both)."""
    token = parser.next()
    if token == START_OBJECT and what in ("prefix", "suffix"):
        if parser.next() != FIELD_NAME or parser.name != "equals-ignore-case":
            parser.barf(f"Unsupported {what} pattern: {parser.name}")
        if parser.next() != STRING:
            parser.barf("equals-ignore-case match pattern must be a string")
        parser.text_value()
        _check_end_of_expression(parser)
        return
    if token != STRING:
        parser.barf(f"{what} match pattern must be a string")
    parser.text_value()


def _check_expression(parser: _JsonCursor) -> None:
    if parser.next() != FIELD_NAME:
        parser.barf("Match expression name not found")
    name = parser.name
    if name in ("exactly", "prefix", "suffix", "equals-ignore-case", "wildcard"):
        _check_string_operand(parser, "exact" if name == "exactly" else name)
        _check_end_of_expression(parser)
    elif name == "numeric":
        if parser.next() != START_ARRAY:
            parser.barf("Value of numeric must be an array.")
        _check_numeric(parser)
        if parser.next() != END_OBJECT:
            parser.barf("Too many elements in numeric expression")
    elif name == "anything-but":
        _check_anything_but(parser)
    elif name == "exists":
        if parser.next() not in (TRUE, FALSE):
            parser.barf("exists match pattern must be either true or false.")
        _check_end_of_expression(parser)
    elif name == "cidr":
        if parser.next() != STRING:
            parser.barf("prefix match pattern must be a string")
        parser.text_value()
        _check_end_of_expression(parser)
    else:
        parser.barf(f"Unrecognized match type {name}")


def _check_numeric(parser: _JsonCursor) -> None:
    if parser.next() != STRING:
        parser.barf(f"Invalid member in numeric match: {parser.text_value()}")
    operator = parser.text_value()
    token = parser.next()
    if operator in ("=", "<", "<="):
        if token not in _NUMERIC:
            parser.barf(f"Value of {'equals' if operator == '=' else operator} must be numeric")
        if parser.next() != END_ARRAY:
            parser.barf("Too many elements in numeric expression")
        return
    if operator not in (">", ">="):
        parser.barf(f"Unrecognized numeric range operator: {operator}")
    if token not in _NUMERIC:
        parser.barf(f"Value of {operator} must be numeric")
    bottom = float(parser.value)
    token = parser.next()
    if token == END_ARRAY:
        return
    if token != STRING:
        parser.barf(f"Bad value in numeric range: {parser.text_value()}")
    top_operator = parser.text_value()
    if top_operator not in ("<", "<="):
        parser.barf(f"Bad numeric range operator: {top_operator}")
    if parser.next() not in _NUMERIC:
        parser.barf(f"Value of {top_operator} must be numeric")
    top = float(parser.value)
    if parser.next() != END_ARRAY:
        parser.barf("Too many terms in numeric range expression")
    if bottom >= top:
        parser.barf("Bottom must be less than top")


def _check_anything_but(parser: _JsonCursor) -> None:
    ignore_case = False
    token = parser.next()
    if token == START_OBJECT:
        if parser.next() != FIELD_NAME:
            parser.barf("Anything-But expression name not found")
        operator = parser.name
        if operator not in parser.anything_but:
            parser.barf(f"Unsupported anything-but pattern: {operator}")
        if operator == "equals-ignore-case":
            ignore_case = True
            token = parser.next()
        elif operator == "wildcard":
            token = parser.next()
            if token == START_ARRAY:
                while (item := parser.next()) != END_ARRAY:
                    if item != STRING:
                        parser.barf("wildcard match pattern must be a string")
                    parser.text_value()
            elif token == STRING:
                parser.text_value()
            else:
                parser.barf("wildcard match pattern must be a string")
            _check_end_of_expression(parser)
            _check_end_of_expression(parser)
            return
        else:
            if operator not in ("prefix", "suffix"):
                parser.barf(f"Unsupported anything-but pattern: {operator}")
            _check_anything_but_affixes(parser, operator or "")
            _check_end_of_expression(parser)
            _check_end_of_expression(parser)
            return
    if token not in (START_ARRAY, STRING, NUMBER_INT, NUMBER_FLOAT):
        parser.barf("Value of anything-but must be an array or single string/number value.")
    if token == START_ARRAY:
        has_number = has_string = False
        while (item := parser.next()) != END_ARRAY:
            if item == STRING:
                parser.text_value()
                has_string = True
            elif item in _NUMERIC and not ignore_case:
                has_number = True
            elif ignore_case:
                parser.barf("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not "
                            "supported.")
            else:
                parser.barf("Inside anything but list, start|null|boolean is not supported.")
        if not ignore_case and has_number == has_string:
            parser.barf("Inside anything but list, either all values are number or string, mixed type is not "
                        "supported")
    elif ignore_case and token != STRING:
        parser.barf("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
    elif token == STRING:
        parser.text_value()
    if parser.next() != END_OBJECT:
        parser.barf("Too many elements in numeric expression")
    if ignore_case and parser.next() != END_OBJECT:
        parser.barf("Too many elements in numeric expression")


def _check_anything_but_affixes(parser: _JsonCursor, operator: str) -> None:
    """The operand of anything-but prefix/suffix: a non-empty string or a list of them (recorded from
    AWS: LocalStack's content_anything_prefix_list / _suffix_list templates); an object is refused."""
    token = parser.next()
    if token == START_OBJECT:
        parser.barf("Value of anything-but must be an array or single string/number value.")
    # SNS's ruler names the operator and takes no list (test_validate_policy_nested_anything_but_operator)
    narrow = parser.anything_but is not ANYTHING_BUT_OPERATORS
    wrong_type = f"{operator} match pattern must be a string" if narrow else "prefix/suffix match pattern must be a string"
    in_list = token == START_ARRAY and not narrow
    if in_list:
        token = parser.next()
    while token != END_ARRAY:
        if token != STRING:
            parser.barf(wrong_type)
        if not parser.text_value():
            parser.barf("Null prefix/suffix not allowed")
        if not in_list:
            return
        token = parser.next()
