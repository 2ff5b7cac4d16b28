"""IAM policy evaluation, pure Python: does a set of policies allow a request?

One evaluation logic (``authorize``) serves IAM enforcement, SimulatePrincipalPolicy /
SimulateCustomPolicy and STS's trust-policy check. It follows the documented evaluation logic
(docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):

* an explicit ``Deny`` in any policy wins; otherwise an ``Allow`` in an identity policy (or a
  resource policy naming the principal) allows; otherwise the request is implicitly denied;
* a permissions boundary, when given, must also allow (it never grants by itself);
* ``Action``/``NotAction`` match case-insensitively, ``Resource``/``NotResource`` case-sensitively,
  both with the ``*`` and ``?`` wildcards; ``${aws:username}``-style policy variables in resources
  and condition values are replaced from the request context;
* ``Principal``/``NotPrincipal`` (resource and trust policies) match ``AWS`` ARNs or account ids,
  ``Service``, ``Federated`` and ``*``;
* conditions: every operator in ``CONDITION_OPERATORS``, each with ``…IfExists`` and the
  ``ForAllValues:`` / ``ForAnyValue:`` set qualifiers. Condition keys are case-insensitive.

The API is typed and has no AWS-call dependencies: build a ``Request``, parse documents with
``Policy.parse``, group them in ``PolicySet``s and call ``authorize``.
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Container, Iterable, Iterator, Literal, Mapping, NamedTuple, Sequence

from ...core.partitions import arn_prefix_of

Decision = Literal["allowed", "explicitDeny", "implicitDeny"]
ContextValue = str | Sequence[str]


@dataclass(frozen=True)
class Position:
    """1-based line and column of a statement in its policy text."""

    line: int
    column: int


@dataclass(frozen=True)
class Statement:
    index: int
    body: Mapping[str, Any]
    start: Position
    end: Position

    @functools.cached_property
    def effect(self) -> str:
        return str(self.body.get("Effect", ""))

    @functools.cached_property
    def resources(self) -> tuple[tuple[str, ...] | None, bool]:
        """(its ``Resource`` or ``NotResource`` patterns, whether they are ``NotResource``); (None, False)
        when it has neither."""
        if "Resource" in self.body:
            return tuple(_strings(self.body["Resource"])), False
        if "NotResource" in self.body:
            return tuple(_strings(self.body["NotResource"])), True
        return None, False

    @functools.cached_property
    def checks(self) -> "tuple[Check, ...] | None":
        """Its Condition block, parsed once (enforcement checks the same statements call after call)."""
        return compile_conditions(self.body.get("Condition") or {})


@dataclass(frozen=True)
class Policy:
    """A parsed policy document, named by where it comes from (``source_id``, ``source_type``)."""

    source_id: str
    source_type: str
    statements: tuple[Statement, ...]

    @classmethod
    def parse(cls, document: str | Mapping[str, Any], source_id: str = "",
              source_type: str = "none") -> "Policy":
        """Parse a policy (text or decoded); raises ValueError if it is not a JSON object."""
        text = document if isinstance(document, str) else json.dumps(document)
        decoded = json.loads(text)
        if not isinstance(decoded, dict):
            raise ValueError("a policy is a JSON object")
        raw = decoded.get("Statement", [])
        bodies = raw if isinstance(raw, list) else [raw]
        spans = _statement_spans(text)
        statements = []
        for index, body in enumerate(bodies):
            start, end = spans[index] if index < len(spans) else (Position(1, 1), Position(1, 1))
            statements.append(Statement(index, body if isinstance(body, dict) else {}, start, end))
        return cls(source_id, source_type, tuple(statements))


class LazyContext(Mapping[str, ContextValue]):
    """Condition keys already keyed lower-case: the request's own, then layers that are the same for
    every request of a principal, then keys worked out only when a condition asks for them (the
    clock's). Enforcement builds one per call; most calls meet no condition at all."""

    __slots__ = ("_layers", "_computed")

    def __init__(self, request_keys: Mapping[str, ContextValue], *stable: Mapping[str, ContextValue],
                 computed: Mapping[str, Callable[[], ContextValue]] | None = None) -> None:
        self._layers = (request_keys, *stable)
        self._computed = computed or {}

    def lookup(self, lowered: str) -> ContextValue | None:
        for layer in self._layers:
            found = layer.get(lowered)
            if found is not None:
                return found
        compute = self._computed.get(lowered)
        return compute() if compute is not None else None

    def _all(self) -> dict[str, ContextValue]:
        merged: dict[str, ContextValue] = {name: compute() for name, compute in self._computed.items()}
        for layer in reversed(self._layers):
            merged.update(layer)
        return merged

    def __getitem__(self, key: str) -> ContextValue:
        found = self.lookup(key.lower())
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Any:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def lowered_keys(keys: Mapping[str, ContextValue]) -> dict[str, ContextValue]:
    return {name.lower(): value for name, value in keys.items()}


class Request:
    """What is asked: an action on a resource by a principal, with condition context keys. (A plain
    class with slots: enforcement builds one per call, and a frozen dataclass costs a microsecond.)"""

    __slots__ = ("action", "resource", "principal", "principal_aliases", "principal_kind", "context", "_lowered")

    def __init__(self, action: str, resource: str = "*", principal: str | None = None,
                 principal_aliases: tuple[str, ...] = (),
                 principal_kind: Literal["AWS", "Service", "Federated"] = "AWS",
                 context: Mapping[str, ContextValue] | None = None) -> None:
        self.action = action
        self.resource = resource
        self.principal = principal
        #: the principal's other identities: account id, the role ARN behind an assumed-role session…
        self.principal_aliases = principal_aliases
        #: ``Service`` / ``Federated`` principals (``lambda.amazonaws.com``, an OIDC provider ARN…)
        self.principal_kind = principal_kind
        self.context: Mapping[str, ContextValue] = context if context is not None else {}
        #: the context keyed lower-case, built on the first condition asked (most statements have none)
        self._lowered: dict[str, ContextValue] | None = None

    def value(self, key: str) -> list[str] | None:
        """The request's values of a condition key (case-insensitive), or None when absent."""
        return self.lowered_value(key.lower())

    def lowered_value(self, key: str) -> list[str] | None:
        """``value`` of a key already lower-cased."""
        if isinstance(self.context, LazyContext):
            found = self.context.lookup(key)
        else:
            lowered = self._lowered
            if lowered is None:
                lowered = self._lowered = {name.lower(): value for name, value in self.context.items()}
            found = lowered.get(key)
        if found is None:
            return None
        return [found] if isinstance(found, str) else [str(v) for v in found]


class MatchedStatement(NamedTuple):
    source_id: str
    source_type: str
    effect: str
    start: Position
    end: Position


def action_matches(body: Mapping[str, Any], action: str) -> bool:
    """Whether a statement's ``Action``/``NotAction`` covers the action (case-insensitive)."""
    if "Action" in body:
        return any(_wildcard(p, action, fold=True) for p in _strings(body["Action"]))
    if "NotAction" in body:
        return not any(_wildcard(p, action, fold=True) for p in _strings(body["NotAction"]))
    return True


def _statement_resource_matches(statement: Statement, request: Request) -> bool:
    patterns, negated = statement.resources
    if patterns is None:
        return True
    resource = request.resource
    hit = any(_wildcard(_substitute(p, request) if "${" in p else p, resource) for p in patterns)
    return hit != negated


def grants_service(policy: Policy, namespace: str) -> bool:
    """Whether an ``Allow`` statement of the policy covers some action of a service namespace
    (``s3``), as ListPoliciesGrantingServiceAccess reports; ``NotAction`` grants unless it names the
    whole service."""
    for statement in policy.statements:
        if statement.effect != "Allow":
            continue
        if "Action" in statement.body:
            services = (pattern.split(":", 1)[0] for pattern in _strings(statement.body["Action"]))
            if any(_wildcard(service, namespace, fold=True) for service in services):
                return True
        elif "NotAction" in statement.body:
            whole = {"*", f"{namespace}:*".lower()}
            if not any(pattern.lower() in whole for pattern in _strings(statement.body["NotAction"])):
                return True
    return False


# -- principals ---------------------------------------------------------------------------------
def _names_principal(principal: Any, request: Request) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for kind, values in principal.items():
        if kind != request.principal_kind:
            continue
        for value in _strings(values):
            if value == "*" or _principal_value_matches(value, request):
                return True
    return False


def _principal_value_matches(value: str, request: Request) -> bool:
    candidates = [request.principal or "", *request.principal_aliases]
    if request.principal_kind != "AWS":
        return value in candidates
    if value.isdigit() and len(value) == 12:
        value = f"{arn_prefix_of(request.principal or '')}:iam::{value}:root"
    if value.endswith(":root"):
        account = value.split(":")[4]
        return any(_account_of(candidate) == account for candidate in candidates)
    return any(_wildcard(value, candidate) for candidate in candidates)


def _account_of(arn: str) -> str:
    if arn.isdigit():
        return arn
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


#: how a resource policy's principal names the caller: not at all, by its account (a delegation to
#: the account's IAM policies), by the role behind its session, or as itself (or everyone)
NO_MATCH, BY_ACCOUNT, BY_ROLE, EXACTLY = 0, 1, 2, 3


def principal_match(body: Mapping[str, Any], request: Request) -> int:
    """How strongly a statement's ``Principal`` names the request's principal (see NO_MATCH…EXACTLY);
    a ``NotPrincipal`` that leaves the caller out names it exactly."""
    if "Principal" not in body:
        return EXACTLY if "NotPrincipal" in body and not _names_principal(body["NotPrincipal"], request) else NO_MATCH
    principal = body["Principal"]
    if principal == "*":
        return EXACTLY
    if not isinstance(principal, dict):
        return NO_MATCH
    best = NO_MATCH
    for value in _strings(principal.get(request.principal_kind, [])):
        best = max(best, _value_strength(value, request))
    return best


def _value_strength(value: str, request: Request) -> int:
    if value == "*" or (request.principal is not None and _wildcard(value, request.principal)):
        return EXACTLY
    if request.principal_kind != "AWS":
        return EXACTLY if value in request.principal_aliases else NO_MATCH
    if any(value == alias for alias in request.principal_aliases):
        return BY_ROLE
    account = value if value.isdigit() and len(value) == 12 else value.split(":")[4] if value.endswith(":root") else None
    if account is not None and account == _account_of(request.principal or ""):
        return BY_ACCOUNT
    return NO_MATCH


class PolicySet:
    """Policies of one kind (a principal's identity policies, a boundary, a resource policy), with
    their statements sorted by action on first use: enforcement asks the same few actions again and
    again, so only statements whose ``Action`` covers the action are looked at per call."""

    __slots__ = ("policies", "_by_action")

    def __init__(self, policies: Iterable[Policy]) -> None:
        self.policies = tuple(policies)
        self._by_action: dict[str, tuple[tuple[Policy, Statement], ...]] = {}

    def candidates(self, action: str) -> tuple[tuple[Policy, Statement], ...]:
        found = self._by_action.get(action)
        if found is None:
            found = self._by_action[action] = tuple(
                (policy, statement) for policy in self.policies for statement in policy.statements
                if action_matches(statement.body, action))
        return found


class PrincipalPolicies(NamedTuple):
    """What IAM holds for one user or role, for enforcement: its identity policies (its own and its
    groups', inline and managed), its permissions boundary, and its tags."""

    identity: PolicySet
    boundary: PolicySet | None
    tags: Mapping[str, str]


#: the policy kinds as AWS names them in access denied messages
IDENTITY, RESOURCE, BOUNDARY, SESSION = ("identity-based policy", "resource-based policy", "permissions boundary",
                                         "session policy")


class Authorization(NamedTuple):
    """What was decided for one request, and why: ``reason`` is the policy kind with the explicit
    deny, or the one that lacked an allow (None when allowed); ``matched`` the statements that
    decided (the denying ones, or those that allowed); ``boundary_allowed`` whether the permissions
    boundary (when there is one) allows the request; ``sides`` the identity side's and the resource
    side's own decisions, when a resource policy of another account took part."""

    decision: Decision
    reason: str | None
    matched: tuple[MatchedStatement, ...]
    boundary_allowed: bool | None = None
    sides: tuple[Decision, Decision] | None = None

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"


#: (allows with their principal match strength, denies) of one policy set for a request
Matches = tuple[list[tuple[MatchedStatement, int]], list[MatchedStatement]]
_NO_MATCHES: Matches = ([], [])


def _matches(policies: PolicySet | None, request: Request, with_principal: bool = False,
             missing: list[str] | None = None) -> Matches:
    """(allows with their principal match strength, denies) of one policy set for the request (the
    shared empty answer when nothing matches: callers only read it)."""
    candidates = policies.candidates(request.action) if policies is not None else ()
    if not candidates:
        return _NO_MATCHES
    allows: list[tuple[MatchedStatement, int]] = []
    denies: list[MatchedStatement] = []
    for policy, statement in candidates:
        strength = principal_match(statement.body, request) if with_principal else EXACTLY
        if strength == NO_MATCH or not _statement_resource_matches(statement, request) \
                or not checks_hold(statement.checks, request, missing):
            continue
        _sort(_matched(policy, statement), strength, statement.effect, allows, denies)
    return allows, denies


def _matched(policy: Policy, statement: Statement) -> MatchedStatement:
    return MatchedStatement(policy.source_id, policy.source_type, statement.effect, statement.start, statement.end)


def _sort(match: MatchedStatement, strength: int, effect: str, allows: list[tuple[MatchedStatement, int]],
          denies: list[MatchedStatement]) -> None:
    if effect == "Deny":
        denies.append(match)
    else:
        allows.append((match, strength))


def authorize(request: Request, identity: PolicySet, *, resource: PolicySet | None = None,
              boundary: PolicySet | None = None, session: PolicySet | None = None,
              same_account: bool = True, resource_decides: bool = False,
              missing: list[str] | None = None) -> Authorization:
    """AWS's evaluation logic for one request by an IAM principal
    (docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html and
    …/reference_policies_evaluation-logic-cross-account.html):

    * an explicit deny in any policy wins;
    * in one account, a resource policy naming the principal itself (a user or a role session ARN, or
      ``*``) allows on its own; one naming the role behind a session counts as that session's identity
      permissions; one naming only the account delegates to the identity policies;
    * identity permissions must also be allowed by the permissions boundary and the session policy,
      when there are ones;
    * across accounts (or where the resource policy decides, as a KMS key policy or a role's trust
      policy does) the resource policy must allow too, and naming the account is then enough for it.

    ``missing`` collects the condition keys that matching statements asked for and the request lacked
    (the simulation's MissingContextValues).
    """
    return _decide(_matches(identity, request, missing=missing),
                   _matches(resource, request, with_principal=True, missing=missing),
                   _matches(boundary, request, missing=missing), _matches(session, request, missing=missing),
                   boundary is not None, session is not None, same_account, resource_decides,
                   resource is not None)


def _decide(identity: Matches, resource: Matches, boundary: Matches, session: Matches, bounded: bool,
            scoped: bool, same_account: bool, resource_decides: bool, with_resource_policy: bool) -> Authorization:
    """The evaluation logic of ``authorize`` on the statements that matched, policy kind by kind."""
    identity_allows, denies = identity
    resource_allows, resource_denies = resource
    boundary_allows, boundary_denies = boundary
    session_allows, session_denies = session
    boundary_allowed = bool(boundary_allows) and not boundary_denies if bounded else None
    sides = (_identity_side(identity, boundary, session, bounded, scoped), _resource_side(resource)) \
        if with_resource_policy and not same_account else None
    for kind, found in ((IDENTITY, denies), (RESOURCE, resource_denies), (BOUNDARY, boundary_denies),
                        (SESSION, session_denies)):
        if found:
            return Authorization("explicitDeny", kind, tuple(found), boundary_allowed, sides)
    if (not same_account or resource_decides) and not resource_allows:
        return Authorization("implicitDeny", RESOURCE, (), boundary_allowed, sides)
    exact = [match for match, strength in resource_allows if strength == EXACTLY]
    if same_account and exact:
        return Authorization("allowed", None, tuple(exact), boundary_allowed, sides)
    by_role = [match for match, strength in resource_allows if strength == BY_ROLE]
    granted = [match for match, _ in identity_allows] + (by_role if same_account else [])
    if not granted:
        return Authorization("implicitDeny", IDENTITY, (), boundary_allowed, sides)
    if bounded and not boundary_allows:
        return Authorization("implicitDeny", BOUNDARY, (), boundary_allowed, sides)
    if scoped and not session_allows:
        return Authorization("implicitDeny", SESSION, (), boundary_allowed, sides)
    resource_matched = [match for match, _ in resource_allows] if not same_account or resource_decides else []
    return Authorization("allowed", None, tuple(granted + resource_matched), boundary_allowed, sides)


def _identity_side(identity: Matches, boundary: Matches, session: Matches, bounded: bool, scoped: bool) -> Decision:
    """The caller's account's own decision on a cross-account request (its identity policies, limited
    by its boundary and session policy)."""
    if identity[1] or boundary[1] or session[1]:
        return "explicitDeny"
    if identity[0] and (boundary[0] or not bounded) and (session[0] or not scoped):
        return "allowed"
    return "implicitDeny"


def _resource_side(resource: Matches) -> Decision:
    return "explicitDeny" if resource[1] else "allowed" if resource[0] else "implicitDeny"


class _Candidate(NamedTuple):
    """A statement whose action, principal and resource match a request: ``dynamic`` when it must be
    checked against each request (conditions on keys that vary, or policy variables in its
    resources), else it is known to apply."""

    match: MatchedStatement
    strength: int
    statement: Statement
    dynamic: bool


class PreparedAuthorization:
    """``authorize`` for one principal, action and resource, with what cannot change between its
    requests worked out once: the statements whose action, principal and resource match, and whose
    conditions read only ``stable`` keys (the same in every request: the principal's own) and hold.
    Each request then checks only the other conditions (and variable resources), and the decision for
    each outcome of those checks is remembered. Enforcement keeps one per (caller, action, resource,
    resource policy) until IAM changes."""

    __slots__ = ("_sets", "_dynamic", "_flags", "_answers", "clocked")

    def __init__(self, request: Request, identity: PolicySet, resource: PolicySet | None,
                 boundary: PolicySet | None, session: PolicySet | None, same_account: bool,
                 resource_decides: bool, stable: Container[str] = ()) -> None:
        self._sets = tuple(_static_candidates(policies, request, index == 1, stable)
                           for index, policies in enumerate((identity, resource, boundary, session)))
        #: (conditions, the statement when its resource has policy variables) of each dynamic candidate
        self._dynamic = tuple((candidate.statement.checks, candidate.statement if _variable_resource(candidate.statement)
                               else None) for candidates in self._sets for candidate in candidates if candidate.dynamic)
        self._flags = (boundary is not None, session is not None, same_account, resource_decides, resource is not None)
        self._answers: dict[tuple[bool, ...], Authorization] = {}
        #: whether its conditions read nothing but ``stable`` keys and the clock's: then every request
        #: in the same second gets the same answer (aws:CurrentTime and aws:EpochTime count seconds)
        self.clocked = all(variable is None and _settled(checks, stable, CLOCK_KEYS) for checks, variable in self._dynamic)

    @property
    def static(self) -> bool:
        """Whether every request gets the same answer (no statement has conditions to check)."""
        return not self._dynamic

    def decide(self, request: Request) -> Authorization:
        holds = tuple((variable is None or _statement_resource_matches(variable, request)) and checks_hold(checks, request)
                      for checks, variable in self._dynamic)
        found = self._answers.get(holds)
        if found is None:
            found = self._answers[holds] = self._combine(iter(holds))
        return found

    def _combine(self, holds: Iterator[bool]) -> Authorization:
        found: list[Matches] = []
        for candidates in self._sets:
            allows: list[tuple[MatchedStatement, int]] = []
            denies: list[MatchedStatement] = []
            for candidate in candidates:
                if not candidate.dynamic or next(holds):
                    _sort(candidate.match, candidate.strength, candidate.statement.effect, allows, denies)
            found.append((allows, denies))
        return _decide(found[0], found[1], found[2], found[3], *self._flags)


def _static_candidates(policies: PolicySet | None, request: Request, with_principal: bool,
                       stable: Container[str]) -> tuple[_Candidate, ...]:
    candidates = []
    for policy, statement in policies.candidates(request.action) if policies is not None else ():
        strength = principal_match(statement.body, request) if with_principal else EXACTLY
        if strength == NO_MATCH:
            continue
        variable = _variable_resource(statement)
        if not variable and not _statement_resource_matches(statement, request):
            continue
        dynamic = variable or not _settled(statement.checks, stable)
        if dynamic or checks_hold(statement.checks, request):
            candidates.append(_Candidate(_matched(policy, statement), strength, statement, dynamic))
    return tuple(candidates)


def _variable_resource(statement: Statement) -> bool:
    """Whether a statement's resources have policy variables (``${aws:username}``…)."""
    return any("${" in pattern for pattern in statement.resources[0] or ())


#: the condition keys the clock gives, lower-cased
CLOCK_KEYS = frozenset({"aws:currenttime", "aws:epochtime"})


def _settled(checks: tuple[Check, ...] | None, stable: Container[str], also: Container[str] = ()) -> bool:
    """Whether conditions give the same answer for every request: they read only ``stable`` keys (or
    ``also``), with no policy variable in their values (a malformed block never holds)."""
    return checks is None or all((check.lowered in stable or check.lowered in also)
                                 and not any("${" in value for value in check.expected) for check in checks)


#: an identity side that allows everything: for checks of a resource policy alone (STS's trust check
#: when enforcement is off, where the caller's own policies are not consulted)
UNCHECKED_IDENTITY = PolicySet([Policy("unchecked", "none", (
    Statement(0, {"Effect": "Allow", "Action": "*", "Resource": "*"}, Position(1, 1), Position(1, 1)),))])


def resource_decides(action: str, resource: str) -> bool:
    """Whether the resource's policy decides even in its own account: a KMS key policy must allow
    (naming the account delegates to IAM policies), and so must a role's trust policy for
    sts:AssumeRole* (not for IAM's own actions on the role)."""
    service = resource.split(":", 3)[2] if resource.startswith("arn:") else ""
    return service == "kms" or (service == "iam" and action.startswith("sts:"))


# -- conditions ---------------------------------------------------------------------------------
Comparison = Callable[[str, str], bool]


def _string_equals(expected: str, actual: str) -> bool:
    return expected == actual


def _string_equals_ignore_case(expected: str, actual: str) -> bool:
    return expected.lower() == actual.lower()


def _string_like(pattern: str, actual: str) -> bool:
    return _wildcard(pattern, actual)


def _numeric(compare: Callable[[float, float], bool]) -> Comparison:
    def check(expected: str, actual: str) -> bool:
        try:
            return compare(float(actual), float(expected))
        except ValueError:
            return False
    return check


def _date(compare: Callable[[float, float], bool]) -> Comparison:
    def check(expected: str, actual: str) -> bool:
        left, right = _epoch(actual), _epoch(expected)
        return left is not None and right is not None and compare(left, right)
    return check


@functools.lru_cache(maxsize=1024)  # policies compare the same dates (and aws:CurrentTime) again and again
def _epoch(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


def _bool(expected: str, actual: str) -> bool:
    return expected.lower() == actual.lower()


def _ip_address(expected: str, actual: str) -> bool:
    try:
        return ipaddress.ip_address(actual) in ipaddress.ip_network(expected, strict=False)
    except ValueError:
        return False


def _arn_like(pattern: str, actual: str) -> bool:
    """ARN operators compare the six colon-separated parts each with wildcards."""
    wanted, given = pattern.split(":", 5), actual.split(":", 5)
    if len(wanted) != 6 or len(given) != 6:
        return False
    return all(_wildcard(w, g) for w, g in zip(wanted, given))


#: operator -> (comparison, negated). Every one also takes ``IfExists`` and the set qualifiers.
CONDITION_OPERATORS: dict[str, tuple[Comparison, bool]] = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    "NumericEquals": (_numeric(lambda a, b: a == b), False),
    "NumericNotEquals": (_numeric(lambda a, b: a == b), True),
    "NumericLessThan": (_numeric(lambda a, b: a < b), False),
    "NumericLessThanEquals": (_numeric(lambda a, b: a <= b), False),
    "NumericGreaterThan": (_numeric(lambda a, b: a > b), False),
    "NumericGreaterThanEquals": (_numeric(lambda a, b: a >= b), False),
    "DateEquals": (_date(lambda a, b: a == b), False),
    "DateNotEquals": (_date(lambda a, b: a == b), True),
    "DateLessThan": (_date(lambda a, b: a < b), False),
    "DateLessThanEquals": (_date(lambda a, b: a <= b), False),
    "DateGreaterThan": (_date(lambda a, b: a > b), False),
    "DateGreaterThanEquals": (_date(lambda a, b: a >= b), False),
    "Bool": (_bool, False),
    "BinaryEquals": (_string_equals, False),
    "IpAddress": (_ip_address, False),
    "NotIpAddress": (_ip_address, True),
    "ArnEquals": (_arn_like, False),
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
}


def split_operator(name: str) -> tuple[str | None, str, bool]:
    """``ForAnyValue:StringLikeIfExists`` -> ("ForAnyValue", "StringLike", True)."""
    qualifier: str | None = None
    if ":" in name:
        qualifier, name = name.split(":", 1)
    if_exists = name.endswith("IfExists") and name != "IfExists"
    return qualifier, name[: -len("IfExists")] if if_exists else name, if_exists


class Check(NamedTuple):
    """One key of one operator of a Condition block, parsed."""

    qualifier: str | None
    base: str
    if_exists: bool
    key: str
    expected: tuple[str, ...]
    lowered: str


def compile_conditions(condition: Any) -> tuple[Check, ...] | None:
    """A Condition block as checks (every one must hold); None when it is malformed (never holds)."""
    if not isinstance(condition, Mapping):  # an unchecked (session) policy's malformed block
        return None
    checks = []
    for operator, keys in condition.items():
        if not isinstance(keys, dict):
            return None
        qualifier, base, if_exists = split_operator(operator)
        for key, values in keys.items():
            checks.append(Check(qualifier, base, if_exists, key, tuple(_strings(values)), key.lower()))
    return tuple(checks)


def conditions_hold(condition: Mapping[str, Any], request: Request, missing: list[str] | None = None) -> bool:
    """Every operator and every key in a Condition block must hold (values of one key are ORed)."""
    return checks_hold(compile_conditions(condition), request, missing)


def checks_hold(checks: tuple[Check, ...] | None, request: Request, missing: list[str] | None = None) -> bool:
    if checks is None:
        return False
    return all(_check_holds(check, request, missing) for check in checks)


def _check_holds(check: Check, request: Request, missing: list[str] | None) -> bool:
    qualifier, base, if_exists, key, expected, lowered = check
    actual = request.lowered_value(lowered)
    if base == "Null":
        wants_absent = [value.lower() == "true" for value in expected]
        return (actual is None) in wants_absent
    if base not in CONDITION_OPERATORS:
        return False
    compare, negated = CONDITION_OPERATORS[base]
    if actual is None:
        if missing is not None:
            missing.append(key)
        if qualifier == "ForAllValues":
            return True
        return if_exists or (negated and qualifier is None)
    wanted = [_substitute(value, request) for value in expected]

    def matches(value: str) -> bool:
        return any(compare(want, value) for want in wanted)

    if qualifier == "ForAllValues":
        return all(matches(value) != negated for value in actual)
    if negated:
        return not any(matches(value) for value in actual)
    return any(matches(value) for value in actual)


# -- helpers ------------------------------------------------------------------------------------
_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


def _substitute(text: str, request: Request) -> str:
    """Replace ``${aws:username}`` and friends from the request context (``${*}`` etc. are literal)."""
    if "${" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _SPECIAL:
            return _SPECIAL[name]
        key, _, default = name.partition(",")
        values = request.value(key.strip())
        if values:
            return values[0]
        return default.strip().strip("'") if default else match.group(0)

    return _VARIABLE.sub(replace, text)


def _wildcard(pattern: str, value: str, fold: bool = False) -> bool:
    """``*`` matches any run of characters and ``?`` one character; nothing else is special."""
    if fold:
        pattern, value = pattern.lower(), value.lower()
    if "*" not in pattern and "?" not in pattern:
        return pattern == value
    return _compiled(pattern).fullmatch(value) is not None


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
        compiled = _PATTERNS[pattern] = re.compile(regex, re.DOTALL)
    return compiled


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


def _statement_spans(text: str) -> list[tuple[Position, Position]]:
    """Where each object of the ``Statement`` array (or the single object) starts and ends, as the
    simulation reports them: the column just past its opening brace, and just past its closing one
    (AWS CLI's simulate-custom-policy example: a statement whose ``{`` is the 37th character starts at
    column 38; LocalStack's AWS recording test_simulate_principle_policy: 40th → 41, ``}`` 112th → 113)."""
    match = re.search(r'"Statement"\s*:\s*', text)
    if match is None:
        return []
    decoder = json.JSONDecoder()
    index = match.end()
    if text.startswith("{", index):
        return [(_position(text, index + 1), _position(text, decoder.raw_decode(text, index)[1]))]
    offsets: list[tuple[int, int]] = []
    index += 1
    while True:
        while index < len(text) and (text[index].isspace() or text[index] == ","):
            index += 1
        if index >= len(text) or text[index] != "{":
            break
        end = decoder.raw_decode(text, index)[1]
        offsets.append((index, end))
        index = end
    return [(_position(text, a + 1), _position(text, b)) for a, b in offsets]


def _position(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Position(line, column)


__all__ = [
    "Authorization", "BOUNDARY", "CLOCK_KEYS", "CONDITION_OPERATORS", "Check", "ContextValue", "Decision", "IDENTITY", "LazyContext",
    "MatchedStatement", "Policy", "PolicySet", "Position", "PreparedAuthorization", "PrincipalPolicies", "RESOURCE",
    "Request", "SESSION", "Statement", "UNCHECKED_IDENTITY", "action_matches", "authorize", "checks_hold",
    "compile_conditions", "conditions_hold", "grants_service", "lowered_keys", "principal_match", "resource_decides",
    "split_operator",
]
