"""Opt-in IAM enforcement: every call made with a principal's credentials authorized as AWS would.

``kumo(iam="enforce")`` makes the emulator call ``Enforcement.authorize(ctx)`` before each handler
(``kumo(iam="audit")`` the same, recording would-be denials in the call ledger without failing; the
default ``"off"`` never imports this module). Who calls comes from the access key:

* an IAM user's access key: the user (its policies, its groups', its permissions boundary);
* credentials STS issued: the role session (the role's policies and boundary, the session policies
  passed to AssumeRole*), the user behind GetSessionToken, the federated user (the session policy
  intersected with its user's policies);
* anything else (no key, the default fake credentials, a 12-digit key, a key nobody issued) is the
  account's root, which is allowed everything, as AWS's root is.

What each call asks for (action, resources, request keys) comes from ``actions.plan``; resource
policies, tags, KMS grants and DynamoDB key schemas through ``ResourcePolicyPort`` (core/ports.py);
the decision from ``evaluator.PreparedAuthorization`` (``authorize``'s logic, prepared once per caller,
action, resource and resource policy until IAM changes; see ``Enforcement.decide``). Organizations'
SCPs are out of scope.

The denial is the service's: code and status as each protocol answers access denied, and AWS's
message, "User: <arn> is not authorized to perform: <action> on resource: <arn> because no
identity-based policy allows the <action> action" and its variants (IAM User Guide, "Troubleshoot
access denied error messages"; S3 quotes the resource, SQS lower-cases the action, SNS upper-cases
its prefix, as their answers show).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Mapping, NamedTuple

from ...core.errors import AwsError, KumoError, modeled_error
from ...core.ports import RESOURCE_POLICY_SERVICES
from .actions import ALWAYS_ALLOWED, Target, plan
from .evaluator import (BOUNDARY, IDENTITY, RESOURCE, SESSION, Authorization, ContextValue, LazyContext,
                        MatchedStatement, Policy, PolicySet, Position, PreparedAuthorization, PrincipalPolicies,
                        Request, authorize, lowered_keys, resource_decides)

if TYPE_CHECKING:
    from ...core.dispatch import RequestContext
    from ...core.ledger import Call
    from ...emulator import Emulator
    from .backend import IamBackend

Mode = Literal["off", "audit", "enforce"]
MODES: tuple[Mode, ...] = ("off", "audit", "enforce")
#: resource policies kept parsed, by their text (cleared past this many)
_PARSED_LIMIT = 1024
#: where every request comes from, for aws:SourceIp conditions (nothing here has a network address)
SOURCE_IP = "127.0.0.1"
#: operations AWS authorizes entry by entry -> the actions of their entries: a refused entry fails
#: alone (S3 API Reference, DeleteObjects: "AccessDenied" in the result's Error elements; Secrets
#: Manager's BatchGetSecretValue: an AccessDeniedException entry in Errors); the handler reads the
#: verdicts (``ctx.authorization``)
PER_ENTRY: dict[tuple[str, str], frozenset[str]] = {
    ("s3", "DeleteObjects"): frozenset({"s3:DeleteObject", "s3:DeleteObjectVersion"}),
    ("secretsmanager", "BatchGetSecretValue"): frozenset({"secretsmanager:GetSecretValue"}),
}
#: services whose denial names the resource as the request named it, and the member naming it: Secrets
#: Manager says "on resource: <SecretId as given>" (AWS answers quoted in nautobot-app-secrets-providers#64,
#: mongodb/awscdk-resources-mongodbatlas#207: "…secretsmanager:GetSecretValue on resource:
#: sharepoint_account because no identity-based policy allows…"; an ARN given is named as it is)
_NAMED_AS_GIVEN = {"secretsmanager": "SecretId"}
#: what a service delivering to a target does there
_DELIVERY_ACTIONS = {"sqs": "sqs:SendMessage", "sns": "sns:Publish", "lambda": "lambda:InvokeFunction"}
#: how an anonymous request's principal is written in the verdicts of ``aws.iam.explain``
ANONYMOUS_PRINCIPAL = "anonymous"
#: the ACL permission that allows an S3 action (FULL_CONTROL allows them all)
_ACL_PERMISSIONS = {"s3:GetObject": "READ", "s3:GetObjectVersion": "READ", "s3:ListBucket": "READ",
                    "s3:ListBucketVersions": "READ", "s3:PutObject": "WRITE", "s3:DeleteObject": "WRITE",
                    "s3:GetObjectAcl": "READ_ACP", "s3:GetBucketAcl": "READ_ACP",
                    "s3:PutObjectAcl": "WRITE_ACP", "s3:PutBucketAcl": "WRITE_ACP"}
_EXPLICIT = {IDENTITY: "an identity-based policy", RESOURCE: "a resource-based policy",
             BOUNDARY: "a permissions boundary", SESSION: "a session policy"}


@dataclass(frozen=True)
class Caller:
    """An IAM principal making calls: its ARN as AWS writes it in messages, its account, its
    policies, and the condition keys it brings to every request."""

    arn: str
    account: str
    policies: PrincipalPolicies | None
    session: PolicySet | None
    aliases: tuple[str, ...]
    #: its condition keys, keyed lower-case: the same in each of its requests (no request sets one)
    keys: Mapping[str, ContextValue]
    #: (action, resource, resource policy) -> its decision prepared (the statements that can apply
    #: found once; only conditions are checked per call), and the verdict last made with it. The
    #: caller, and so these, are dropped whenever IAM changes (``Enforcement.caller``); a changed
    #: resource policy is another key.
    decided: dict[tuple[str, str, str | None], "Prepared"] = field(default_factory=dict)


class Prepared:
    """One (caller, action, resource, resource policy)'s prepared decision and its last verdict
    (``static``: the same for every call, no condition to check; ``clocked``: the same for every call
    in one second of the emulator clock, ``second`` being the last verdict's)."""

    __slots__ = ("authorization", "static", "clocked", "second", "verdict")

    def __init__(self, authorization: PreparedAuthorization) -> None:
        self.authorization = authorization
        self.static = authorization.static
        self.clocked = authorization.clocked
        self.second = -1
        self.verdict: Verdict | None = None


class Verdict(NamedTuple):
    """The decision on one (action, resource) of a call, as ``aws.iam.explain(call)`` shows it."""

    principal: str
    action: str
    resource: str
    authorization: Authorization
    #: the policies the decision was made with (identity, resource, boundary, session)
    sources: tuple[PolicySet | None, ...]
    #: made by an enforcing emulator (a denial fails the call, or the entry of a batch AWS authorizes
    #: entry by entry), not an auditing one
    enforced: bool = False

    @property
    def allowed(self) -> bool:
        return self.authorization.allowed

    @property
    def decision(self) -> str:
        return self.authorization.decision

    @property
    def reason(self) -> str | None:
        return self.authorization.reason

    @property
    def statements(self) -> tuple[str, ...]:
        """Each deciding statement as ``<policy> (<type>) <effect>: <JSON>``."""
        texts = []
        for match in self.authorization.matched:
            body = _statement_body(self.sources, match)
            texts.append(f"{match.source_id} ({match.source_type}) {match.effect}: {json.dumps(body, sort_keys=True)}"
                         if body is not None else f"{match.source_id} ({match.source_type}) {match.effect}")
        return tuple(texts)

    def denial_message(self, service: str, named: str | None = None) -> str:
        """The message ``service`` answers this denial with, as AWS words it (``named``: the resource
        as the request named it, for services that word it so)."""
        action = self.action
        if service == "sqs":
            action = action.lower()
        elif service == "sns":
            action = "SNS:" + action.split(":", 1)[1]
        resource = f'"{self.resource}"' if service == "s3" else named or self.resource
        reason = self.authorization.reason or IDENTITY
        because = (f"with an explicit deny in {_EXPLICIT[reason]}" if self.decision == "explicitDeny"
                   else f"because no {reason} allows the {action} action")
        return f"User: {self.principal} is not authorized to perform: {action} on resource: {resource} {because}"

    def __str__(self) -> str:
        head = f"{self.decision}: {self.principal} {self.action} on {self.resource}"
        if self.authorization.reason is not None:
            explicit = self.decision == "explicitDeny"
            head += f" ({'explicit deny in' if explicit else 'no allow in'} {self.authorization.reason})"
        return "\n".join([head, *(f"  {line}" for line in self.statements)])


class Enforcement:
    """The authorization hook of one emulator (``Emulator.authorize``) and ``aws.iam``."""

    def __init__(self, emulator: "Emulator", mode: Mode) -> None:
        self.emulator = emulator
        self.mode = mode
        self.enforcing = mode == "enforce"
        self._callers: dict[str, Caller | None] = {}
        self._seen: tuple[Any, int] = (None, -1)
        self._parsed: dict[str, PolicySet] = {}
        self._regions: dict[str, dict[str, ContextValue]] = {}
        #: deliveries by AWS services that the target's policy did not allow (see authorize_delivery)
        self.refused_deliveries: list[Verdict] = []
        #: keys worked out only when a condition asks (the emulator clock's time of the check)
        self._clock_keys = {"aws:currenttime": self._current_time, "aws:epochtime": self._epoch_time}
        self._second: tuple[int, str] = (-1, "")
        self._now = 0

    def _second_now(self) -> int:
        """The emulator clock's second, read once per decision: the clock keys of that decision are
        of this second (so a verdict remembered for the second is exactly what they give)."""
        self._now = int(self.emulator.clock.time())
        return self._now

    def _current_time(self) -> str:
        second = self._now
        if second != self._second[0]:  # formatted once a second, not once a call
            moment = datetime.datetime.fromtimestamp(second, datetime.timezone.utc)
            self._second = (second, moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
        return self._second[1]

    def _epoch_time(self) -> str:
        return str(self._now)

    # -- the hook ------------------------------------------------------------------------------
    def authorize(self, ctx: "RequestContext[Any]") -> None:
        """Authorize one call before its handler runs: raise the service's access denied error when
        enforcing, note the decision on the call's ledger entry either way."""
        if ctx.anonymous:
            self._authorize_anonymous(ctx)
            return
        caller = self.caller(ctx.access_key)
        if caller is None or (ctx.service, ctx.operation) in ALWAYS_ALLOWED:
            return
        verdicts = []
        per_entry = PER_ENTRY.get((ctx.service, ctx.operation), frozenset())
        for target in plan(ctx.service, ctx.operation, ctx.model)(ctx.params, ctx.account, ctx.region):
            verdict = self.decide(caller, target, ctx.region)
            verdicts.append(verdict)
            if not verdict.allowed and verdict.action not in per_entry:
                ctx.authorization = tuple(verdicts)
                if self.enforcing:
                    member = _NAMED_AS_GIVEN.get(ctx.service)
                    raise denial(ctx.service, ctx.model.service_model, verdict,
                                 ctx.params.get(member) if member is not None else None)
                return
        ctx.authorization = tuple(verdicts)

    def _authorize_anonymous(self, ctx: "RequestContext[Any]") -> None:
        """An unsigned request: S3 serves it where the bucket policy allows everyone (``"*"``) or the
        ACL grants AllUsers the permission, unless Block Public Access restricts or ignores those
        (S3 User Guide, "Blocking public access"; "Access Denied" otherwise); every other service
        refuses it, as a request missing its authentication token (``missing_authentication``)."""
        if ctx.service != "s3":
            refusal = Authorization("implicitDeny", IDENTITY, ())
            ctx.authorization = (Verdict(ANONYMOUS_PRINCIPAL, f"{ctx.service}:{ctx.operation}", "*", refusal,
                                         (), self.enforcing),)
            if self.enforcing:
                raise missing_authentication(ctx.model.service_model)
            return
        verdicts = []
        for target in plan(ctx.service, ctx.operation, ctx.model)(ctx.params, ctx.account, ctx.region):
            verdict = self._anonymous_verdict(target)
            verdicts.append(verdict)
            if not verdict.allowed:
                ctx.authorization = tuple(verdicts)
                if self.enforcing:
                    raise AwsError("AccessDenied", "Access Denied", 403)
                return
        ctx.authorization = tuple(verdicts)

    def _anonymous_verdict(self, target: Target) -> Verdict:
        """Whether everyone may do ``target``: the resource's policy decides (an explicit deny wins);
        without an allow there, the ACL's grant to AllUsers of the action's permission allows."""
        facts = self._facts(target.resource) or {}
        policy = None if facts.get("RestrictPublicBuckets") else self._policy_set(facts.get("Policy"))
        request = Request(target.action, target.resource, context={**target.context, "aws:SecureTransport": "true",
                                                                   "aws:SourceIp": SOURCE_IP})
        outcome = authorize(request, PolicySet(()), resource=policy, resource_decides=True)
        if outcome.decision == "implicitDeny" and self._acl_allows(target, facts):
            outcome = Authorization("allowed", None, ())
        return Verdict(ANONYMOUS_PRINCIPAL, target.action, target.resource, outcome,
                       (None, policy, None, None), self.enforcing)

    def _acl_allows(self, target: Target, facts: Mapping[str, Any]) -> bool:
        """ACL permissions (S3 User Guide, "Access control list (ACL) overview": READ lists a bucket and
        reads an object, WRITE on the bucket creates and deletes its objects)."""
        permission = _ACL_PERMISSIONS.get(target.action)
        if permission is None:
            return False
        if permission == "WRITE":  # granted on the bucket, for its objects
            facts = self._facts(target.resource.split("/", 1)[0]) or {}
        granted = facts.get("PublicGrants", frozenset())
        return permission in granted or "FULL_CONTROL" in granted

    def caller(self, access_key: str | None) -> Caller | None:
        """Who a key acts as; None for the account root (allowed everything)."""
        if not access_key:
            return None
        iam: IamBackend = self.emulator.backend("iam")  # type: ignore[assignment]
        seen = (iam, iam.generation)
        if seen != self._seen:
            self._callers.clear()
            self._seen = seen
        if access_key in self._callers:
            return self._callers[access_key]
        found = self._callers[access_key] = self._resolve(iam, access_key)
        return found

    def _resolve(self, iam: "IamBackend", access_key: str) -> Caller | None:
        session = self.emulator.ports.credentials.session_for_access_key(access_key)
        if session is None:
            user = iam.principal_for_access_key(access_key)
            if user is None:
                return None
            return self._principal(iam, user["Arn"], user["Arn"], user["Account"], None, (), {}, user["UserId"])
        kind, account = session["Kind"], session["Account"]
        limits = self._session_policies(iam, session) if ("Policies" in session or "PolicyArns" in session
                                                          or kind == "federated-user") else None
        tags = session.get("Tags", {})
        if kind == "assumed-role":
            return self._principal(iam, session["RoleArn"], session["Arn"], account, limits,
                                   (session["RoleArn"],), tags, session["UserId"])
        parent = session.get("ParentArn", session["Arn"])
        if parent.endswith(":root"):
            return None
        return self._principal(iam, parent, session["Arn"], account, limits, (), tags, session["UserId"])

    def _principal(self, iam: "IamBackend", entity: str, arn: str, account: str, session: PolicySet | None,
                   aliases: tuple[str, ...], session_tags: Mapping[str, str], user_id: str) -> Caller:
        policies = iam.principal_policies(entity)
        tags = {**(policies.tags if policies is not None else {}), **session_tags}
        keys: dict[str, Any] = {"aws:PrincipalArn": entity, "aws:PrincipalAccount": account,
                                "aws:PrincipalType": "AssumedRole" if aliases else
                                ("FederatedUser" if ":federated-user/" in arn else "User"),
                                "aws:userid": user_id, "aws:SecureTransport": "true", "aws:SourceIp": SOURCE_IP,
                                "aws:MultiFactorAuthPresent": "false", "aws:ViaAWSService": "false"}
        if not aliases:
            keys["aws:username"] = entity.rsplit("/", 1)[-1]
        keys.update({f"aws:PrincipalTag/{key}": value for key, value in tags.items()})
        return Caller(arn, account, policies, session, aliases, lowered_keys(keys))

    def _session_policies(self, iam: "IamBackend", session: Mapping[str, Any]) -> PolicySet:
        """The session policies of credentials: inline ones (one that is no JSON object grants nothing)
        and managed ones by ARN."""
        policies = []
        for index, text in enumerate(session.get("Policies", []), start=1):
            try:
                policies.append(Policy.parse(text, f"SessionPolicy.{index}", "session"))
            except ValueError:
                continue
        managed = (iam.managed_policy(arn) for arn in session.get("PolicyArns", []))
        return PolicySet(policies + [policy for policy in managed if policy is not None])

    # -- one decision ----------------------------------------------------------------------------
    def decide(self, caller: Caller, target: Target, region: str) -> Verdict:
        """The decision on one target of a call by ``caller``: prepared once per (action, resource,
        resource policy) and caller, then only the conditions of the statements that have them are
        checked against this call."""
        facts = self._facts(target.resource)
        resource = facts.get("Arn", target.resource) if facts else target.resource
        decides = resource_decides(target.action, resource)
        if decides and facts is None:  # no such key or role: the handler answers NotFound as AWS does
            return Verdict(caller.arn, target.action, resource, Authorization("allowed", None, ()), (), self.enforcing)
        text = facts.get("Policy") if facts else None
        grants = facts.get("Grants") if facts else None
        memo = (target.action, resource, text)
        prepared = caller.decided.get(memo)
        if prepared is not None and prepared.static and not grants:  # the usual case: decided already
            return prepared.verdict  # type: ignore[return-value]  # a static one has made its verdict
        second = self._second_now()
        if prepared is not None and prepared.second == second and not grants:
            return prepared.verdict  # type: ignore[return-value]  # decided in this second already
        request = self._request(caller, target, resource, facts, region)
        if prepared is None:
            prepared = self._prepare(caller, memo, request, facts, decides)
        outcome = prepared.authorization.decide(request)
        if grants and outcome.decision == "implicitDeny":
            # KMS grants come and go without a policy change: looked at on every call they could allow
            outcome = _by_grant(grants, caller, target) or outcome
        verdict = prepared.verdict
        if verdict is None or verdict.authorization is not outcome:
            verdict = prepared.verdict = self._verdict(caller, target.action, resource, outcome, text)
        if prepared.clocked:
            prepared.second = second
        return verdict

    def _prepare(self, caller: Caller, memo: tuple[str, str, str | None], request: Request,
                 facts: Mapping[str, Any] | None, decides: bool) -> Prepared:
        if len(caller.decided) >= _PARSED_LIMIT:
            caller.decided.clear()
        _, resource, text = memo
        owner = (facts or {}).get("Account") or _account_of(resource) or caller.account
        policies = caller.policies
        prepared = caller.decided[memo] = Prepared(PreparedAuthorization(
            request, policies.identity if policies else PolicySet(()), self._policy_set(text),
            policies.boundary if policies else None, caller.session, owner == caller.account, decides,
            stable=caller.keys))
        return prepared

    def _verdict(self, caller: Caller, action: str, resource: str, outcome: Authorization,
                 text: str | None) -> Verdict:
        policies = caller.policies
        sources = (policies.identity if policies else None, self._policy_set(text),
                   policies.boundary if policies else None, caller.session)
        return Verdict(caller.arn, action, resource, outcome, sources, self.enforcing)

    def _request(self, caller: Caller, target: Target, resource: str, facts: Mapping[str, Any] | None,
                 region: str) -> Request:
        """The request as conditions see it: the call's own keys, the resource's tags, the caller's
        keys, the region, and the clock's keys worked out only when a condition asks."""
        extra = lowered_keys(target.context) if target.context else {}
        if facts:
            tags = facts.get("Tags")
            if tags:
                extra.update({f"aws:resourcetag/{key.lower()}": value for key, value in tags.items()})
            _leading_keys(extra, facts)
        extra.pop("dynamodb:itemkey", None)  # the item's key, only for dynamodb:LeadingKeys
        regional = self._regions.get(region)
        if regional is None:
            regional = self._regions[region] = {"aws:requestedregion": region}
        context = LazyContext(extra, caller.keys, regional, computed=self._clock_keys)
        return Request(target.action, resource, principal=caller.arn, principal_aliases=caller.aliases,
                       context=context)

    def _facts(self, resource: str) -> dict[str, Any] | None:
        if not resource.startswith("arn:"):
            return None
        service = RESOURCE_POLICY_SERVICES.get(resource.split(":", 3)[2])
        if service is None:
            return None
        return self.emulator.ports.resource_policies(service).resource_facts(resource)

    def _policy_set(self, text: str | None) -> PolicySet | None:
        if not text:
            return None
        found = self._parsed.get(text)
        if found is None:
            if len(self._parsed) >= _PARSED_LIMIT:
                self._parsed.clear()
            try:
                found = PolicySet([Policy.parse(text, "ResourcePolicy", "resource")])
            except ValueError:  # stored unparsed by a service that does not check it: grants nothing
                found = PolicySet(())
            self._parsed[text] = found
        return found

    # -- AWS services delivering to resources ------------------------------------------------------
    def authorize_delivery(self, service_principal: str, resource: str, source_arn: str, source_account: str) -> None:
        """An AWS service acting on a resource for a source (an S3 bucket, SNS topic, EventBridge rule):
        only the resource's policy can allow it, with aws:SourceArn and aws:SourceAccount set
        (IAM User Guide, "The confused deputy problem"; S3, SNS and EventBridge document the target
        policies their deliveries need)."""
        action = _DELIVERY_ACTIONS.get(resource.split(":", 3)[2] if resource.count(":") >= 3 else "")
        facts = self._facts(resource)
        if action is None or facts is None:
            return  # a target without a resource policy, or none at all: the delivery goes on as it would
        request = Request(action, facts["Arn"], principal=service_principal, principal_kind="Service",
                          context={"aws:SourceArn": source_arn, "aws:SourceAccount": source_account,
                                   "aws:SecureTransport": "true"})
        outcome = authorize(request, PolicySet(()), resource=self._policy_set(facts.get("Policy")),
                            resource_decides=True)
        if outcome.allowed:
            return
        verdict = Verdict(service_principal, action, facts["Arn"], outcome,
                          (None, self._policy_set(facts.get("Policy")), None, None), self.enforcing)
        self.refused_deliveries.append(verdict)
        if self.enforcing:
            raise AwsError("AccessDenied", f"{service_principal} is not authorized to perform: {action} on resource: "
                           f"{facts['Arn']} because no resource-based policy allows the {action} action", 403)

    # -- aws.iam -----------------------------------------------------------------------------------
    def explain(self, call: "Call") -> str:
        """Which statements allowed a call in the ledger, or which policy kind denied it and why."""
        verdicts = call.authorization
        if verdicts is None:
            if self.mode == "off":
                raise KumoError("IAM enforcement is off: start the emulator with kumo(iam='audit') or "
                                "kumo(iam='enforce') to have calls authorized and explained.")
            return f"{call.name} was not checked: it was made as the account root (or default credentials), " \
                   "which is allowed everything"
        return "\n".join(str(verdict) for verdict in verdicts)

    def denials(self) -> list["Call"]:
        """Calls of the ledger that were (enforce) or would have been (audit) denied."""
        return [call for call in self.emulator.calls
                if call.authorization is not None and not all(v.allowed for v in call.authorization)]


def _account_of(arn: str) -> str:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) > 5 else ""


def _leading_keys(extra: dict[str, Any], facts: Mapping[str, Any]) -> None:
    """dynamodb:LeadingKeys: the partition key value of the item a call names (Key or Item)."""
    item_key = extra.get("dynamodb:itemkey")
    partition = facts.get("PartitionKey")
    if item_key and partition and partition in item_key:
        extra["dynamodb:leadingkeys"] = [str(item_key[partition])]


def _by_grant(grants: list[dict[str, Any]], caller: Caller, target: Target) -> Authorization | None:
    """A KMS grant allowing the operation to the caller (its ARN or its role's), constraints met
    (docs.aws.amazon.com/kms/latest/developerguide/grants.html)."""
    operation = target.action.split(":", 1)[1]
    context = {key.split(":", 2)[2]: value for key, value in target.context.items()
               if key.startswith("kms:EncryptionContext:")}
    for grant in grants:
        if grant["GranteePrincipal"] not in (caller.arn, *caller.aliases) or operation not in grant["Operations"]:
            continue
        constraints = grant.get("Constraints") or {}
        equals = constraints.get("EncryptionContextEquals")
        subset = constraints.get("EncryptionContextSubset")
        if equals is not None and context != equals:
            continue
        if subset is not None and any(context.get(key) != value for key, value in subset.items()):
            continue
        match = MatchedStatement(f"grant:{grant.get('GrantId', '')}", "kms-grant", "Allow", Position(1, 1), Position(1, 1))
        return Authorization("allowed", None, (match,))
    return None


def _statement_body(sets: tuple[PolicySet | None, ...], match: MatchedStatement) -> Any:
    for policies in sets:
        for policy in policies.policies if policies is not None else ():
            if policy.source_id != match.source_id or policy.source_type != match.source_type:
                continue
            for statement in policy.statements:
                if statement.start == match.start and statement.effect == match.effect:
                    return statement.body
    return None


# -- the services' answers ------------------------------------------------------------------------
def denial(service: str, service_model: Any, verdict: Verdict, named: str | None = None) -> AwsError:
    """The access denied error the service answers, worded as AWS words it: ``AccessDeniedException``
    with status 400 for JSON services, 403 for REST-JSON ones (DynamoDB, KMS, Secrets Manager, Logs,
    EventBridge, SSM: "status code: 400"; Lambda: "Status Code: 403", in the AWS answers the tests cite)."""
    message = verdict.denial_message(service, named)
    if service == "sns":
        return AwsError("AuthorizationError", message, 403)
    if service_model.metadata.get("awsQueryCompatible") is not None:
        return modeled_error("AccessDenied", message, 403, {}, query_error_shape="AccessDeniedException")
    if service_model.protocol in ("query", "rest-xml", "ec2"):
        return AwsError("AccessDenied", message, 403)
    return AwsError("AccessDeniedException", message, 403 if service_model.protocol == "rest-json" else 400)


def missing_authentication(service_model: Any) -> AwsError:
    """How a service refuses an unsigned request: ``MissingAuthenticationToken`` 403 "Request is missing
    Authentication Token" for query services (an STS answer quoted in amzn/selling-partner-api-docs#3081;
    the code and status are in the Common Errors of every query API reference),
    ``MissingAuthenticationTokenException`` for JSON ones (400, as their other authentication errors;
    403 behind REST-JSON's gateways, "Missing Authentication Token")."""
    if service_model.protocol in ("query", "rest-xml", "ec2") or service_model.metadata.get("awsQueryCompatible") is not None:
        return AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
    if service_model.protocol == "rest-json":
        return AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403)
    return AwsError("MissingAuthenticationTokenException", "Request is missing Authentication Token", 400)


def load(emulator: "Emulator", mode: Mode) -> Enforcement:
    return Enforcement(emulator, mode)


__all__ = ["ANONYMOUS_PRINCIPAL", "Caller", "Enforcement", "MODES", "Mode", "PER_ENTRY", "SOURCE_IP", "Verdict", "denial",
           "load", "missing_authentication"]
