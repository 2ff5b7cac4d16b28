"""IAM: users, groups, roles, managed and inline policies, instance profiles, credentials, providers.

IAM is global: every record is keyed by account only (never region). Names of users, groups, roles
and instance profiles are unique per account regardless of case, so those tables are keyed by
``(account, name.lower())`` and ordered, which is also the order List* answers in.

Policy documents are stored as the text the caller sent and returned URL-encoded, as AWS returns
them (botocore decodes them into dicts). Time is the emulator clock; ids come from ``ctx.ids``.

Derived state: ``self._attached`` maps ``(account, policy ARN)`` to the entities it is attached to,
rebuilt from the user/group/role records and kept in step with table watchers.

Port (``IdentityPort``): ``role_exists``, ``role_record``, ``principal_for_access_key``,
``identity_provider``, ``trust_allows``; ``resource_facts`` (``ResourcePolicyPort``: a role's trust
policy). For enforcement (enforcement.py): ``principal_policies`` (a user's or role's parsed policies,
kept in ``self._authorization`` until any IAM record changes, ``generation`` counting the changes) and
``managed_policy``.
"""

from __future__ import annotations

import base64
import csv
import functools
import hashlib
import hmac
import io
import json
import re
import struct
import xml.etree.ElementTree as ElementTree
from typing import Any, Callable, Iterable, Mapping, Sequence, TypedDict, TypeVar, cast
from urllib.parse import quote as _url_quote

from ...core.clock import from_epoch, to_epoch
from ...api import NoMembers, iam
from ...core.dispatch import Ctx, RequestContext, ServiceBackend
from ...core.errors import AwsError, NotEmulatedError
from ...core.partitions import arn_prefix, arn_prefix_of
from ...core.tokens import decode_token, encode_token
from . import documents, schema
from .catalog import AWS_MANAGED_POLICIES, aws_policy_arn, aws_policy_name, is_aws_policy_arn
from .evaluator import (UNCHECKED_IDENTITY, Authorization, ContextValue, Policy, PolicySet, PrincipalPolicies, Request,
                        authorize, grants_service, resource_decides)
from .namespaces import SERVICE_NAMES, granted_namespaces

_MAX_VERSIONS = 5
_ACCESS_KEYS_PER_USER = 2
_ATTACHED_PER_ENTITY = 10
_GROUPS_PER_USER = 10
_TAGS_PER_RESOURCE = 50
_REPORT_SECONDS = 4 * 3600
_DEFAULT_MAX_ITEMS = 100
_ENTITY_ARN = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):(user|group|role|policy|instance-profile)(/(?:.*/)?)([^/]+)$")
_KINDS = ("user", "group", "role")
_SLR_NAMES = {
    "autoscaling.amazonaws.com": "AutoScaling", "elasticbeanstalk.amazonaws.com": "ElasticBeanstalk",
    "ecs.amazonaws.com": "ECS", "rds.amazonaws.com": "RDS", "elasticloadbalancing.amazonaws.com":
    "ElasticLoadBalancing", "lambda.amazonaws.com": "Lambda", "batch.amazonaws.com": "Batch",
    "eks.amazonaws.com": "AmazonEKS", "es.amazonaws.com": "AmazonElasticsearchService",
    "opensearchservice.amazonaws.com": "AmazonOpenSearchService", "config.amazonaws.com": "Config",
    "organizations.amazonaws.com": "Organizations", "sso.amazonaws.com": "SSO",
}
_SERVICE_CREDENTIAL_SERVICES = frozenset({"codecommit.amazonaws.com", "cassandra.amazonaws.com",
                                          "bedrock.amazonaws.com"})
_REPORT_COLUMNS = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated"
).split(",")


#: an item of a Marker/MaxItems page
Item = TypeVar("Item")
#: an output shape that has a Tags member
Shape = TypeVar("Shape", bound=Mapping[str, Any])
#: every List*Tags response has this shape (Tags, IsTruncated, Marker); likewise the two below
TagPage = iam.ListUserTagsResponse
AttachedPage = iam.ListAttachedUserPoliciesResponse
InlinePage = iam.ListUserPoliciesResponse


class MarkerPage(TypedDict, total=False):
    """What a Marker/MaxItems List* response says about the pages after this one."""

    IsTruncated: bool
    Marker: str


def _not_found(message: str) -> AwsError:
    return iam.no_such_entity_exception(message)


def _exists(message: str) -> AwsError:
    return iam.entity_already_exists_exception(message)


def _conflict(message: str) -> AwsError:
    return iam.delete_conflict_exception(message)


def _limit(message: str) -> AwsError:
    return iam.limit_exceeded_exception(message)


@functools.lru_cache(maxsize=4096)
def quote(document: str) -> str:
    """A policy document URL-encoded as IAM returns it (cached: encoding costs ~20 µs a call)."""
    return _url_quote(document)


def certificate_expiry(pem: str) -> float:
    """The notAfter time of a PEM X.509 certificate (read from its DER: Certificate > TBSCertificate >
    Validity), as IAM reports it in ``Expiration``; MalformedCertificate when it is not one."""
    malformed = iam.malformed_certificate_exception("Unable to parse certificate. Please ensure the certificate is in PEM format.")
    body = re.search(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", pem, re.DOTALL)
    try:
        der = base64.b64decode("".join(body.group(1).split()) if body else "", validate=True)
        _, start, _ = _der_item(der, 0)  # Certificate
        _, index, _ = _der_item(der, start)  # TBSCertificate
        tag, start, end = _der_item(der, index)
        skip = 3 if tag == 0xA0 else 2  # [0] version is optional; then serial, signature, issuer
        index = end
        for _ in range(skip):
            index = _der_item(der, index)[2]
        _, validity, _ = _der_item(der, index)
        not_after_at = _der_item(der, validity)[2]
        tag, start, end = _der_item(der, not_after_at)
        text = der[start:end].decode()
    except (ValueError, IndexError, UnicodeDecodeError):
        raise malformed from None
    if tag == 0x17:  # UTCTime: two-digit years, 50-99 are 19xx
        text = ("19" if int(text[:2]) >= 50 else "20") + text
    return to_epoch(f"{text[:4]}-{text[4:6]}-{text[6:8]}T{text[8:10]}:{text[10:12]}:{text[12:14]}Z")


def _der_item(der: bytes, index: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER item at ``index``."""
    tag, length = der[index], der[index + 1]
    index += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(der[index:index + count], "big")
        index += count
    if index + length > len(der):
        raise ValueError("truncated DER")
    return tag, index, index + length


def _account_of_arn(arn: str) -> str:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) > 5 else ""


#: how the simulation names the policy types it matched statements in: every identity-based policy
#: is an "IAM Policy" (LocalStack's AWS recording test_simulate_principle_policy for managed policies,
#: Terraform's TestAccIAMPrincipalPolicySimulationDataSource_basic for inline ones; botocore's enum
#: lists older values)
_SIMULATED_TYPES = {"resource": "resource"}
_IDENTITY_TYPE = "IAM Policy"


def _evaluation_result(action: str, resource: str, outcome: Authorization, missing: list[str],
                       specific: bool) -> iam.EvaluationResult:
    """An EvaluationResult as AWS shapes it: with ResourceArns given, the missing context keys go in
    ResourceSpecificResults and EvalDecisionDetails is present (empty within one account); for ``*``
    neither (botocore's iam model documentation of EvaluationResult; LocalStack's AWS recording
    test_simulate_principle_policy)."""
    matched: list[iam.Statement] = [
        {"SourcePolicyId": m.source_id, "SourcePolicyType": _SIMULATED_TYPES.get(m.source_type, _IDENTITY_TYPE),  # type: ignore[typeddict-item]
         "StartPosition": {"Line": m.start.line, "Column": m.start.column},
         "EndPosition": {"Line": m.end.line, "Column": m.end.column}} for m in outcome.matched]
    details: dict[str, Any] = {"IAM Policy": outcome.sides[0], "Resource Policy": outcome.sides[1]} \
        if outcome.sides is not None else {}
    boundary: iam.PermissionsBoundaryDecisionDetail | None = None if outcome.boundary_allowed is None else \
        {"AllowedByPermissionsBoundary": outcome.boundary_allowed}
    result: iam.EvaluationResult = {
        "EvalActionName": action, "EvalResourceName": resource, "EvalDecision": outcome.decision,
        "MatchedStatements": matched, "MissingContextValues": [] if specific else missing,
        "OrganizationsDecisionDetail": {"AllowedByOrganizations": True}}
    if specific or details:
        result["EvalDecisionDetails"] = details
    if boundary is not None:
        result["PermissionsBoundaryDecisionDetail"] = boundary
    if specific:
        entry: iam.ResourceSpecificResult = {"EvalResourceName": resource, "EvalResourceDecision": outcome.decision,
                                             "MatchedStatements": matched, "MissingContextValues": missing}
        if details:
            entry["EvalDecisionDetails"] = details
        if boundary is not None:
            entry["PermissionsBoundaryDecisionDetail"] = boundary
        result["ResourceSpecificResults"] = [entry]
    return result


def _iso(epoch: float) -> str:
    return from_epoch(int(epoch)).strftime("%Y-%m-%dT%H:%M:%S+00:00")


class Kind:
    """What differs between users, groups, roles and instance profiles."""

    def __init__(self, name: str, label: str, field: str, id_prefix: str, arn_kind: str,
                 missing: str, duplicate: str) -> None:
        self.name, self.label, self.field, self.id_prefix = name, label, field, id_prefix
        self.arn_kind, self.missing, self.duplicate = arn_kind, missing, duplicate


KINDS = {
    "user": Kind("user", "User", "UserName", "AIDA", "user",
                 "The user with name {} cannot be found.", "User with name {} already exists."),
    "group": Kind("group", "Group", "GroupName", "AGPA", "group",
                  "The group with name {} cannot be found.", "Group with name {} already exists."),
    "role": Kind("role", "Role", "RoleName", "AROA", "role",
                 "The role with name {} cannot be found.", "Role with name {} already exists."),
    "instance_profile": Kind("instance_profile", "InstanceProfile", "InstanceProfileName", "AIPA",
                             "instance-profile", "Instance Profile {} cannot be found.",
                             "Instance Profile {} already exists."),
}


_ORGANIZATIONS = "it needs AWS Organizations, which kumo_intercept does not emulate"
_DELEGATION = "delegation requests are a partner-console workflow kumo_intercept does not model"


class IamBackend(ServiceBackend):
    service_name = "iam"
    input_error_code = "ValidationError"
    not_emulated = {
        **dict.fromkeys(("ListOrganizationsFeatures", "EnableOrganizationsRootCredentialsManagement",
                         "DisableOrganizationsRootCredentialsManagement", "EnableOrganizationsRootSessions",
                         "DisableOrganizationsRootSessions", "GenerateOrganizationsAccessReport",
                         "GetOrganizationsAccessReport"), _ORGANIZATIONS),
        **dict.fromkeys(("CreateDelegationRequest", "GetDelegationRequest", "ListDelegationRequests",
                         "AcceptDelegationRequest", "RejectDelegationRequest", "UpdateDelegationRequest",
                         "AssociateDelegationRequest", "SendDelegationToken"), _DELEGATION),
        "GetHumanReadableSummary": "its summaries are prose AWS generates",
    }

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        store = self.store
        self.tables = {kind: schema.ENTITIES[kind].open_ordered(store) for kind in KINDS}
        self.policies = schema.POLICIES.open_ordered(store)
        self.access_keys = schema.ACCESS_KEYS.open(store)
        self.login_profiles = schema.LOGIN_PROFILES.open(store)
        self.mfa_devices = schema.MFA_DEVICES.open_ordered(store)
        self.providers = schema.PROVIDERS.open_ordered(store)
        self.accounts = schema.ACCOUNTS.open(store)
        self.deletion_tasks = schema.DELETION_TASKS.open(store)
        #: server and signing certificates, SSH keys, service-specific credentials: (account, kind, id)
        self.certificates = schema.CERTIFICATES.open(store)
        self.access_reports = schema.ACCESS_REPORTS.open(store)
        self._attached: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for kind in _KINDS:
            table = self.tables[kind]
            for key, record in table.items():
                self._index_attachments(kind, key, None, record)
            table.watch(self._watcher(kind))
        #: principal ARN -> its parsed policies, for enforcement; any change to an entity or a policy
        #: (or its undo) empties it
        self._authorization: dict[str, PrincipalPolicies] = {}
        #: counts those changes, so enforcement knows when what it derived from IAM is stale
        self.generation = 0
        for watched in (*self.tables.values(), self.policies, self.access_keys):
            watched.watch(self._forget_authorization)

    # -- derived: which entities a managed policy is attached to ----------------------------------
    def _watcher(self, kind: str) -> Callable[[Any, Any, Any], None]:
        return lambda key, old, new: self._index_attachments(kind, key, old, new)

    def _index_attachments(self, kind: str, key: Any, old: dict | None, new: dict | None) -> None:
        account = key[0]
        for arn in (old or {}).get("Attached", []):
            self._attached.get((account, arn), set()).discard((kind, key[1]))
        for arn in (new or {}).get("Attached", []):
            self._attached.setdefault((account, arn), set()).add((kind, key[1]))

    def _forget_authorization(self, key: Any, old: Any, new: Any) -> None:
        self._authorization.clear()
        self.generation += 1

    def _attachment_count(self, account: str, arn: str) -> int:
        return len(self._attached.get((account, arn), ()))

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _arn(ctx: RequestContext[Any], kind: str, path: str, name: str) -> str:
        return ctx.arn(f"{kind}{path}{name}", service="iam", region="")

    def _get(self, kind: str, ctx: RequestContext[Any], name: str) -> dict:
        record = self.tables[kind].get((ctx.account, name.lower()))
        if record is None:
            raise _not_found(KINDS[kind].missing.format(name))
        return record

    def _put(self, kind: str, record: dict) -> None:
        account = record["Arn"].split(":")[4]
        self.tables[kind].put((account, record[KINDS[kind].field].lower()), record)

    def _in_account(self, kind: str, account: str) -> Iterable[dict]:
        table = self.tables[kind]
        for key in table.irange((account,), (account, "\uffff")):
            yield table[key]

    def _page(self, ctx: RequestContext[Any], items: Sequence[Item]) -> tuple[list[Item], MarkerPage]:
        """Marker/MaxItems pagination: the page of ``items``, and IsTruncated with the Marker of the next
        page (the offset of its first item)."""
        invalid = AwsError("ValidationError", "Invalid Marker.")
        start = decode_token(ctx.params.get("Marker"), invalid) or 0
        if not isinstance(start, int) or start < 0:
            raise invalid
        count = ctx.params.get("MaxItems", _DEFAULT_MAX_ITEMS)
        page = list(items[start:start + count])
        more: MarkerPage = {"IsTruncated": start + count < len(items)}
        if more["IsTruncated"]:
            more["Marker"] = encode_token(start + count)
        return page, more

    def _new_entity(self, kind: str, ctx: RequestContext[Any], name: str, path: str, **fields: Any) -> dict:
        spec = KINDS[kind]
        if (ctx.account, name.lower()) in self.tables[kind]:
            raise _exists(spec.duplicate.format(name))
        record = {
            "Path": path, spec.field: name, f"{spec.label}Id": spec.id_prefix + ctx.ids.upper_alnum(17),
            "Arn": self._arn(ctx, spec.arn_kind, path, name), "CreateDate": ctx.time(),
            "Tags": self._checked_tags(ctx.params.get("Tags", [])), **fields,
        }
        self._put(kind, record)
        return record

    @staticmethod
    def _checked_tags(tags: Sequence[Mapping[str, Any]]) -> list[iam.Tag]:
        keys = [tag["Key"].lower() for tag in tags]
        if len(keys) != len(set(keys)):
            raise iam.invalid_input_exception(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
        if len(tags) > _TAGS_PER_RESOURCE:
            raise _limit("The number of tags has reached the maximum limit.")
        return [{"Key": tag["Key"], "Value": tag["Value"]} for tag in tags]

    def _tagged(self, record: dict, tags: Sequence[iam.Tag]) -> dict:
        merged = {tag["Key"]: tag for tag in record.get("Tags", [])}
        merged.update({tag["Key"]: {"Key": tag["Key"], "Value": tag["Value"]} for tag in tags})
        return {**record, "Tags": self._checked_tags(list(merged.values()))}

    @staticmethod
    def _untagged(record: dict, keys: list[str]) -> dict:
        return {**record, "Tags": [tag for tag in record.get("Tags", []) if tag["Key"] not in keys]}

    @staticmethod
    def _with_tags(out: Shape, record: dict) -> Shape:
        """``out`` (an output shape with a ``Tags`` member) with the record's tags, when it has some."""
        if record.get("Tags"):
            # every shape passed here has Tags; a TypeVar cannot say so, hence the plain dict view
            cast("dict[str, Any]", out)["Tags"] = list(record["Tags"])
        return out

    @staticmethod
    def _boundary(record: dict, out: iam.User | iam.Role | iam.UserDetail | iam.RoleDetail) -> None:
        if record.get("PermissionsBoundary"):
            out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                          "PermissionsBoundaryArn": record["PermissionsBoundary"]}

    # -- output shapes ------------------------------------------------------------------------
    def _user_out(self, record: dict, tags: bool = True) -> iam.User:
        out: iam.User = {"Path": record["Path"], "UserName": record["UserName"], "UserId": record["UserId"],
                         "Arn": record["Arn"], "CreateDate": from_epoch(record["CreateDate"])}
        self._boundary(record, out)
        return self._with_tags(out, record) if tags else out

    def _group_out(self, record: dict) -> iam.Group:
        return {"Path": record["Path"], "GroupName": record["GroupName"], "GroupId": record["GroupId"],
                "Arn": record["Arn"], "CreateDate": from_epoch(record["CreateDate"])}

    def _role_out(self, record: dict, full: bool = True) -> iam.Role:
        out: iam.Role = {"Path": record["Path"], "RoleName": record["RoleName"], "RoleId": record["RoleId"],
                         "Arn": record["Arn"], "CreateDate": from_epoch(record["CreateDate"])}
        out["AssumeRolePolicyDocument"] = quote(record["AssumeRolePolicyDocument"])
        if record.get("Description"):
            out["Description"] = record["Description"]
        out["MaxSessionDuration"] = record["MaxSessionDuration"]
        if full:
            self._boundary(record, out)
            self._with_tags(out, record)
            out["RoleLastUsed"] = {}
        return out

    def _profile_out(self, ctx: RequestContext[Any], record: dict) -> iam.InstanceProfile:
        roles = [self.tables["role"].get((record["Arn"].split(":")[4], name.lower())) for name in record["Roles"]]
        out: iam.InstanceProfile = {
            "Path": record["Path"], "InstanceProfileName": record["InstanceProfileName"],
            "InstanceProfileId": record["InstanceProfileId"], "Arn": record["Arn"],
            "CreateDate": from_epoch(record["CreateDate"]),
            "Roles": [self._role_out(role, full=False) for role in roles if role is not None]}
        return self._with_tags(out, record)

    # == users ===================================================================================
    def create_user(self, ctx: Ctx[iam.CreateUserRequest]) -> iam.CreateUserResult:
        params = ctx.params
        boundary = params.get("PermissionsBoundary")
        if boundary:
            self._policy(ctx, boundary, attachable=True)
        record = self._new_entity("user", ctx, params["UserName"], params.get("Path", "/"),
                                  PermissionsBoundary=boundary, Inline={}, Attached=[], Groups=[])
        return {"User": self._user_out(record)}

    def get_user(self, ctx: Ctx[iam.GetUserRequest]) -> iam.GetUserResult:
        name = ctx.params.get("UserName")
        if name is None:
            caller = self._caller_user(ctx)
            if caller is None:
                # AWS answers the root user without the Path and UserName the model marks required
                root = cast(iam.User, {"UserId": ctx.account, "Arn": ctx.arn("root", service="iam", region=""),
                                       "CreateDate": from_epoch(0)})
                return {"User": root}
            return {"User": self._user_out(caller)}
        return {"User": self._user_out(self._get("user", ctx, name))}

    def _caller_user(self, ctx: RequestContext[Any]) -> dict | None:
        record = self.access_keys.get(ctx.access_key) if ctx.access_key else None
        if record is None:
            return None
        return self.tables["user"].get((record["Account"], record["UserName"].lower()))

    def _user_name(self, ctx: RequestContext[Any]) -> str:
        """UserName, or the calling IAM user when it is left out."""
        name = self._user_name_or_root(ctx)
        if name is None:
            raise NotEmulatedError("iam", ctx.operation, "credentials of the account root user")
        return name

    def _user_name_or_root(self, ctx: RequestContext[Any]) -> str | None:
        """UserName, the calling IAM user when it is left out, or None for the account root user
        (who has no access keys, MFA devices or certificates here)."""
        name = ctx.params.get("UserName")
        if name is not None:
            return str(self._get("user", ctx, name)["UserName"])
        caller = self._caller_user(ctx)
        return None if caller is None else str(caller["UserName"])

    def list_users(self, ctx: Ctx[iam.ListUsersRequest]) -> iam.ListUsersResult:
        users = self._by_path(self._in_account("user", ctx.account), ctx.params.get("PathPrefix"))
        listed, more = self._page(ctx, [self._user_out(u, tags=False) for u in users])
        return {"Users": listed, **more}

    @staticmethod
    def _by_path(records: Iterable[dict], prefix: str | None) -> list[dict]:
        return [r for r in records if not prefix or r["Path"].startswith(prefix)]

    def update_user(self, ctx: Ctx[iam.UpdateUserRequest]) -> iam.UpdateUserResult:
        return self._update_entity("user", ctx)

    def _update_entity(self, kind: str, ctx: RequestContext[Any]) -> NoMembers:
        spec = KINDS[kind]
        record = self._get(kind, ctx, ctx.params[spec.field])
        new_name = ctx.params.get(f"New{spec.field}", record[spec.field])
        new_path = ctx.params.get("NewPath", record["Path"])
        if new_name.lower() != record[spec.field].lower() and (ctx.account, new_name.lower()) in self.tables[kind]:
            raise _exists(spec.duplicate.format(new_name))
        self.tables[kind].delete((ctx.account, record[spec.field].lower()))
        updated = {**record, spec.field: new_name, "Path": new_path,
                   "Arn": self._arn(ctx, spec.arn_kind, new_path, new_name)}
        self._put(kind, updated)
        if kind == "user":
            self._rename_user_references(ctx.account, record["UserName"], new_name)
        elif kind == "group":
            for user in list(self._in_account("user", ctx.account)):
                if record["GroupName"] in user["Groups"]:
                    groups = [new_name if g == record["GroupName"] else g for g in user["Groups"]]
                    self._put("user", {**user, "Groups": groups})
        return {}

    def _rename_user_references(self, account: str, old: str, new: str) -> None:
        for key, record in list(self.access_keys.items()):
            if record["Account"] == account and record["UserName"] == old:
                self.access_keys.put(key, {**record, "UserName": new})
        profile = self.login_profiles.get((account, old.lower()))
        if profile is not None:
            self.login_profiles.delete((account, old.lower()))
            self.login_profiles.put((account, new.lower()), {**profile, "UserName": new})
        for key, device in list(self.mfa_devices.items()):
            if key[0] == account and device.get("UserName") == old:
                self.mfa_devices.put(key, {**device, "UserName": new})

    def delete_user(self, ctx: Ctx[iam.DeleteUserRequest]) -> iam.DeleteUserResult:
        user = self._get("user", ctx, ctx.params["UserName"])
        name = user["UserName"]
        if user["Inline"]:
            raise _conflict("Cannot delete entity, must delete policies first.")
        if user["Attached"]:
            raise _conflict("Cannot delete entity, must detach all policies first.")
        if user["Groups"]:
            raise _conflict("Cannot delete entity, must remove user from all groups first.")
        if any(k["Account"] == ctx.account and k["UserName"] == name for k in self.access_keys.values()):
            raise _conflict("Cannot delete entity, must delete access keys first.")
        if (ctx.account, name.lower()) in self.login_profiles:
            raise _conflict("Cannot delete entity, must delete login profile first.")
        if any(k[0] == ctx.account and d.get("UserName") == name for k, d in self.mfa_devices.items()):
            raise _conflict("Cannot delete entity, must remove MFA device first.")
        self.tables["user"].delete((ctx.account, name.lower()))
        return {}

    # == groups ==================================================================================
    def create_group(self, ctx: Ctx[iam.CreateGroupRequest]) -> iam.CreateGroupResult:
        record = self._new_entity("group", ctx, ctx.params["GroupName"], ctx.params.get("Path", "/"),
                                  Inline={}, Attached=[])
        return {"Group": self._group_out(record)}

    def _group_members(self, account: str, group_name: str) -> list[dict]:
        return [u for u in self._in_account("user", account) if group_name in u["Groups"]]

    def get_group(self, ctx: Ctx[iam.GetGroupRequest]) -> iam.GetGroupResult:
        group = self._get("group", ctx, ctx.params["GroupName"])
        users = [self._user_out(u, tags=False) for u in self._group_members(ctx.account, group["GroupName"])]
        listed, more = self._page(ctx, users)
        return {"Group": self._group_out(group), "Users": listed, **more}

    def list_groups(self, ctx: Ctx[iam.ListGroupsRequest]) -> iam.ListGroupsResult:
        groups = self._by_path(self._in_account("group", ctx.account), ctx.params.get("PathPrefix"))
        listed, more = self._page(ctx, [self._group_out(g) for g in groups])
        return {"Groups": listed, **more}

    def update_group(self, ctx: Ctx[iam.UpdateGroupRequest]) -> iam.UpdateGroupResult:
        return self._update_entity("group", ctx)

    def delete_group(self, ctx: Ctx[iam.DeleteGroupRequest]) -> iam.DeleteGroupResult:
        group = self._get("group", ctx, ctx.params["GroupName"])
        if self._group_members(ctx.account, group["GroupName"]):
            raise _conflict("Cannot delete entity, must remove users from group first.")
        if group["Inline"]:
            raise _conflict("Cannot delete entity, must delete policies first.")
        if group["Attached"]:
            raise _conflict("Cannot delete entity, must detach all policies first.")
        self.tables["group"].delete((ctx.account, group["GroupName"].lower()))
        return {}

    def add_user_to_group(self, ctx: Ctx[iam.AddUserToGroupRequest]) -> iam.AddUserToGroupResult:
        group = self._get("group", ctx, ctx.params["GroupName"])
        user = self._get("user", ctx, ctx.params["UserName"])
        if group["GroupName"] not in user["Groups"]:
            if len(user["Groups"]) >= _GROUPS_PER_USER:
                raise _limit(f"Cannot exceed quota for GroupsPerUser: {_GROUPS_PER_USER}")
            self._put("user", {**user, "Groups": [*user["Groups"], group["GroupName"]]})
        return {}

    def remove_user_from_group(self, ctx: Ctx[iam.RemoveUserFromGroupRequest]) -> iam.RemoveUserFromGroupResult:
        group = self._get("group", ctx, ctx.params["GroupName"])
        user = self._get("user", ctx, ctx.params["UserName"])
        if group["GroupName"] not in user["Groups"]:
            raise _not_found(f"The user with name {user['UserName']} cannot be found.")
        self._put("user", {**user, "Groups": [g for g in user["Groups"] if g != group["GroupName"]]})
        return {}

    def list_groups_for_user(self, ctx: Ctx[iam.ListGroupsForUserRequest]) -> iam.ListGroupsForUserResult:
        user = self._get("user", ctx, ctx.params["UserName"])
        groups = [self._get("group", ctx, name) for name in user["Groups"]]
        listed, more = self._page(ctx, [self._group_out(g) for g in groups])
        return {"Groups": listed, **more}

    # == roles ===================================================================================
    def create_role(self, ctx: Ctx[iam.CreateRoleRequest]) -> iam.CreateRoleResult:
        params = ctx.params
        trust = params["AssumeRolePolicyDocument"]
        self._check_trust_policy(trust)
        boundary = params.get("PermissionsBoundary")
        if boundary:
            self._policy(ctx, boundary, attachable=True)
        record = self._new_entity(
            "role", ctx, params["RoleName"], params.get("Path", "/"), AssumeRolePolicyDocument=trust,
            Description=params.get("Description", ""), MaxSessionDuration=params.get("MaxSessionDuration", 3600),
            PermissionsBoundary=boundary, Inline={}, Attached=[], ServiceLinked=False)
        return {"Role": self._role_out(record)}

    @staticmethod
    def _check_trust_policy(document: str) -> None:
        documents.check_trust_policy(document)
        if documents.size(document) > documents.TRUST_POLICY_SIZE:
            raise _limit(f"Cannot exceed quota for ACLSizePerRole: {documents.TRUST_POLICY_SIZE}")

    def get_role(self, ctx: Ctx[iam.GetRoleRequest]) -> iam.GetRoleResult:
        return {"Role": self._role_out(self._get("role", ctx, ctx.params["RoleName"]))}

    def list_roles(self, ctx: Ctx[iam.ListRolesRequest]) -> iam.ListRolesResult:
        roles = self._by_path(self._in_account("role", ctx.account), ctx.params.get("PathPrefix"))
        out = []
        for role in roles:
            item = self._role_out(role, full=False)
            self._boundary(role, item)
            out.append(item)
        listed, more = self._page(ctx, out)
        return {"Roles": listed, **more}

    def _modifiable_role(self, ctx: RequestContext[Any], name: str) -> dict:
        role = self._get("role", ctx, name)
        if role.get("ServiceLinked"):
            raise iam.unmodifiable_entity_exception(f"Cannot perform the operation on the protected role "
                           f"'{role['RoleName']}' - this role is only modifiable by AWS")
        return role

    def update_role(self, ctx: Ctx[iam.UpdateRoleRequest]) -> iam.UpdateRoleResult:
        role = self._modifiable_role(ctx, ctx.params["RoleName"])
        changes = {key: ctx.params[key] for key in ("Description", "MaxSessionDuration") if key in ctx.params}
        self._put("role", {**role, **changes})
        return {}

    def update_role_description(self, ctx: Ctx[iam.UpdateRoleDescriptionRequest]) -> iam.UpdateRoleDescriptionResult:
        role = self._modifiable_role(ctx, ctx.params["RoleName"])
        updated = {**role, "Description": ctx.params["Description"]}
        self._put("role", updated)
        return {"Role": self._role_out(updated)}

    def update_assume_role_policy(
            self, ctx: Ctx[iam.UpdateAssumeRolePolicyRequest]) -> iam.UpdateAssumeRolePolicyResult:
        role = self._modifiable_role(ctx, ctx.params["RoleName"])
        self._check_trust_policy(ctx.params["PolicyDocument"])
        self._put("role", {**role, "AssumeRolePolicyDocument": ctx.params["PolicyDocument"]})
        return {}

    def delete_role(self, ctx: Ctx[iam.DeleteRoleRequest]) -> iam.DeleteRoleResult:
        role = self._modifiable_role(ctx, ctx.params["RoleName"])
        self._delete_role(ctx, role)
        return {}

    def _delete_role(self, ctx: RequestContext[Any], role: dict) -> None:
        name = role["RoleName"]
        if any(name in p["Roles"] for p in self._in_account("instance_profile", ctx.account)):
            raise _conflict("Cannot delete entity, must remove roles from instance profile first.")
        if role["Attached"]:
            raise _conflict("Cannot delete entity, must detach all policies first.")
        if role["Inline"]:
            raise _conflict("Cannot delete entity, must delete policies first.")
        self.tables["role"].delete((ctx.account, name.lower()))

    def put_role_permissions_boundary(
            self, ctx: Ctx[iam.PutRolePermissionsBoundaryRequest]) -> iam.PutRolePermissionsBoundaryResult:
        return self._set_boundary("role", ctx, ctx.params["PermissionsBoundary"])

    def delete_role_permissions_boundary(
            self, ctx: Ctx[iam.DeleteRolePermissionsBoundaryRequest]) -> iam.DeleteRolePermissionsBoundaryResult:
        return self._set_boundary("role", ctx, None)

    def put_user_permissions_boundary(
            self, ctx: Ctx[iam.PutUserPermissionsBoundaryRequest]) -> iam.PutUserPermissionsBoundaryResult:
        return self._set_boundary("user", ctx, ctx.params["PermissionsBoundary"])

    def delete_user_permissions_boundary(
            self, ctx: Ctx[iam.DeleteUserPermissionsBoundaryRequest]) -> iam.DeleteUserPermissionsBoundaryResult:
        return self._set_boundary("user", ctx, None)

    def _set_boundary(self, kind: str, ctx: RequestContext[Any], arn: str | None) -> NoMembers:
        name = ctx.params[KINDS[kind].field]
        record = self._modifiable_role(ctx, name) if kind == "role" else self._get(kind, ctx, name)
        if arn is not None:
            self._policy(ctx, arn, attachable=True)
        self._put(kind, {**record, "PermissionsBoundary": arn})
        return {}

    # -- service-linked roles -----------------------------------------------------------------
    def create_service_linked_role(
            self, ctx: Ctx[iam.CreateServiceLinkedRoleRequest]) -> iam.CreateServiceLinkedRoleResult:
        service = ctx.params["AWSServiceName"]
        base = _SLR_NAMES.get(service) or "".join(
            part[:1].upper() + part[1:] for part in re.split(r"[.-]", service.removesuffix(".amazonaws.com")))
        suffix = ctx.params.get("CustomSuffix")
        name = f"AWSServiceRoleFor{base}" + (f"_{suffix}" if suffix else "")
        if (ctx.account, name.lower()) in self.tables["role"]:
            raise iam.invalid_input_exception(f"Service role name {name} has been taken in this account, "
                           "please try a different suffix.")
        trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": [service]}, "Action": ["sts:AssumeRole"]}]})
        record = self._new_entity("role", ctx, name, f"/aws-service-role/{service}/",
                                  AssumeRolePolicyDocument=trust, Description=ctx.params.get("Description", ""),
                                  MaxSessionDuration=3600, PermissionsBoundary=None, Inline={}, Attached=[],
                                  ServiceLinked=True)
        return {"Role": self._role_out(record)}

    def delete_service_linked_role(
            self, ctx: Ctx[iam.DeleteServiceLinkedRoleRequest]) -> iam.DeleteServiceLinkedRoleResult:
        role = self._get("role", ctx, ctx.params["RoleName"])
        if not role.get("ServiceLinked"):
            raise AwsError("ValidationError", f"Role {role['RoleName']} is not a service linked role.")
        self._put("role", {**role, "Attached": [], "Inline": {}})
        self._delete_role(ctx, {**role, "Attached": [], "Inline": {}})
        service = role["Path"].split("/")[2]
        task = f"task{role['Path']}{role['RoleName']}/{ctx.ids.uuid4()}"
        self.deletion_tasks.put((ctx.account, task), {"Status": "SUCCEEDED", "Service": service})
        return {"DeletionTaskId": task}

    def get_service_linked_role_deletion_status(
            self, ctx: Ctx[iam.GetServiceLinkedRoleDeletionStatusRequest]) -> iam.GetServiceLinkedRoleDeletionStatusResult:
        task = self.deletion_tasks.get((ctx.account, ctx.params["DeletionTaskId"]))
        if task is None:
            raise _not_found(f"Deletion task {ctx.params['DeletionTaskId']} cannot be found.")
        return {"Status": task["Status"]}

    # == instance profiles =======================================================================
    def create_instance_profile(self, ctx: Ctx[iam.CreateInstanceProfileRequest]) -> iam.CreateInstanceProfileResult:
        record = self._new_entity("instance_profile", ctx, ctx.params["InstanceProfileName"],
                                  ctx.params.get("Path", "/"), Roles=[])
        return {"InstanceProfile": self._profile_out(ctx, record)}

    def get_instance_profile(self, ctx: Ctx[iam.GetInstanceProfileRequest]) -> iam.GetInstanceProfileResult:
        record = self._get("instance_profile", ctx, ctx.params["InstanceProfileName"])
        return {"InstanceProfile": self._profile_out(ctx, record)}

    def list_instance_profiles(self, ctx: Ctx[iam.ListInstanceProfilesRequest]) -> iam.ListInstanceProfilesResult:
        profiles = self._by_path(self._in_account("instance_profile", ctx.account), ctx.params.get("PathPrefix"))
        listed, more = self._page(ctx, [self._profile_out(ctx, p) for p in profiles])
        return {"InstanceProfiles": listed, **more}

    def list_instance_profiles_for_role(
            self, ctx: Ctx[iam.ListInstanceProfilesForRoleRequest]) -> iam.ListInstanceProfilesForRoleResult:
        role = self._get("role", ctx, ctx.params["RoleName"])
        profiles = [p for p in self._in_account("instance_profile", ctx.account) if role["RoleName"] in p["Roles"]]
        listed, more = self._page(ctx, [self._profile_out(ctx, p) for p in profiles])
        return {"InstanceProfiles": listed, **more}

    def add_role_to_instance_profile(
            self, ctx: Ctx[iam.AddRoleToInstanceProfileRequest]) -> iam.AddRoleToInstanceProfileResult:
        profile = self._get("instance_profile", ctx, ctx.params["InstanceProfileName"])
        role = self._get("role", ctx, ctx.params["RoleName"])
        if profile["Roles"]:
            raise _limit("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
        self._put("instance_profile", {**profile, "Roles": [role["RoleName"]]})
        return {}

    def remove_role_from_instance_profile(
            self, ctx: Ctx[iam.RemoveRoleFromInstanceProfileRequest]) -> iam.RemoveRoleFromInstanceProfileResult:
        profile = self._get("instance_profile", ctx, ctx.params["InstanceProfileName"])
        role = self._get("role", ctx, ctx.params["RoleName"])
        if role["RoleName"] not in profile["Roles"]:
            raise _not_found(f"The role with name {role['RoleName']} cannot be found.")
        self._put("instance_profile", {**profile, "Roles": [r for r in profile["Roles"] if r != role["RoleName"]]})
        return {}

    def delete_instance_profile(self, ctx: Ctx[iam.DeleteInstanceProfileRequest]) -> iam.DeleteInstanceProfileResult:
        profile = self._get("instance_profile", ctx, ctx.params["InstanceProfileName"])
        if profile["Roles"]:
            raise _conflict("Cannot delete entity, must remove roles from instance profile first.")
        self.tables["instance_profile"].delete((ctx.account, profile["InstanceProfileName"].lower()))
        return {}

    # == tags ====================================================================================
    def _tag_entity(self, kind: str, ctx: RequestContext[Any]) -> NoMembers:
        record = self._get(kind, ctx, ctx.params[KINDS[kind].field])
        self._put(kind, self._tagged(record, ctx.params["Tags"]))
        return {}

    def _untag_entity(self, kind: str, ctx: RequestContext[Any]) -> NoMembers:
        record = self._get(kind, ctx, ctx.params[KINDS[kind].field])
        self._put(kind, self._untagged(record, ctx.params["TagKeys"]))
        return {}

    def _list_entity_tags(self, kind: str, ctx: RequestContext[Any]) -> TagPage:
        listed, more = self._page(ctx, self._get(kind, ctx, ctx.params[KINDS[kind].field])["Tags"])
        return {"Tags": listed, **more}

    def tag_user(self, ctx: Ctx[iam.TagUserRequest]) -> iam.TagUserResult:
        return self._tag_entity("user", ctx)

    def untag_user(self, ctx: Ctx[iam.UntagUserRequest]) -> iam.UntagUserResult:
        return self._untag_entity("user", ctx)

    def list_user_tags(self, ctx: Ctx[iam.ListUserTagsRequest]) -> iam.ListUserTagsResult:
        return self._list_entity_tags("user", ctx)

    def tag_role(self, ctx: Ctx[iam.TagRoleRequest]) -> iam.TagRoleResult:
        return self._tag_entity("role", ctx)

    def untag_role(self, ctx: Ctx[iam.UntagRoleRequest]) -> iam.UntagRoleResult:
        return self._untag_entity("role", ctx)

    def list_role_tags(self, ctx: Ctx[iam.ListRoleTagsRequest]) -> iam.ListRoleTagsResult:
        return self._list_entity_tags("role", ctx)

    def tag_instance_profile(self, ctx: Ctx[iam.TagInstanceProfileRequest]) -> iam.TagInstanceProfileResult:
        return self._tag_entity("instance_profile", ctx)

    def untag_instance_profile(self, ctx: Ctx[iam.UntagInstanceProfileRequest]) -> iam.UntagInstanceProfileResult:
        return self._untag_entity("instance_profile", ctx)

    def list_instance_profile_tags(
            self, ctx: Ctx[iam.ListInstanceProfileTagsRequest]) -> iam.ListInstanceProfileTagsResult:
        return self._list_entity_tags("instance_profile", ctx)

    def tag_policy(self, ctx: Ctx[iam.TagPolicyRequest]) -> iam.TagPolicyResult:
        key, policy = self._local_policy(ctx, ctx.params["PolicyArn"])
        self.policies.put(key, self._tagged(policy, ctx.params["Tags"]))
        return {}

    def untag_policy(self, ctx: Ctx[iam.UntagPolicyRequest]) -> iam.UntagPolicyResult:
        key, policy = self._local_policy(ctx, ctx.params["PolicyArn"])
        self.policies.put(key, self._untagged(policy, ctx.params["TagKeys"]))
        return {}

    def list_policy_tags(self, ctx: Ctx[iam.ListPolicyTagsRequest]) -> iam.ListPolicyTagsResult:
        listed, more = self._page(ctx, self._local_policy(ctx, ctx.params["PolicyArn"])[1]["Tags"])
        return {"Tags": listed, **more}

    # == managed policies ========================================================================
    def _policy_key(self, ctx: RequestContext[Any], arn: str, message: str) -> tuple[str, str]:
        if not arn.startswith("arn:"):
            raise AwsError("ValidationError", "Invalid ARN:  Could not be parsed!")
        match = _ENTITY_ARN.match(arn)
        if match is None or match.group(2) != "policy" or match.group(1) != ctx.account:
            raise _not_found(message)
        return ctx.account, match.group(4)

    @staticmethod
    def _check_partition(ctx: RequestContext[Any], arn: str) -> None:
        """IAM refuses an ARN of another partition than the caller's: "The partition name must match the
        partition of the AWS account from where you are calling the API" (AWS's notice on IAM ARN
        validation, quoted in cloud-gov/aws-broker#383), answered "ValidationError: Invalid ARN partition"
        (AttachRolePolicy from cn-northwest-1 with arn:aws:iam::aws:policy/…, pulumi/pulumi-aws-apigateway#347)."""
        if arn.startswith("arn:") and arn_prefix_of(arn) != arn_prefix(ctx.region):
            raise AwsError("ValidationError", "Invalid ARN partition")

    def _local_policy(self, ctx: RequestContext[Any], arn: str, message: str | None = None) -> tuple[tuple[str, str], dict]:
        message = message or f"Policy {arn} was not found."
        self._check_partition(ctx, arn)
        if is_aws_policy_arn(arn):
            raise _not_found(message)
        key = self._policy_key(ctx, arn, message)
        record = self.policies.get(key)
        if record is None or record["Arn"] != arn:
            raise _not_found(message)
        return key, record

    def _policy(self, ctx: RequestContext[Any], arn: str, attachable: bool = False) -> dict:
        """A customer or AWS managed policy by an ARN in the caller's partition (AWS ones from the catalog)."""
        message = f"Policy {arn} does not exist or is not attachable." if attachable else f"Policy {arn} was not found."
        if not is_aws_policy_arn(arn):
            return self._local_policy(ctx, arn, message)[1]
        self._check_partition(ctx, arn)
        name = aws_policy_name(arn)
        if name is None:
            raise _not_found(message)
        return self._aws_policy(name, arn_prefix_of(arn))

    @staticmethod
    def _aws_policy(name: str, prefix: str) -> dict:
        """The catalog's policy ``name`` as named in the partition ``prefix`` names (``arn:aws-cn``)."""
        path, document = AWS_MANAGED_POLICIES[name]
        created = 1423785600.0  # 2015-02-13, when AWS managed policies were introduced
        return {"PolicyName": name, "PolicyId": "ANPA" + hashlib.sha1(name.encode()).hexdigest()[:17].upper(),
                "Arn": aws_policy_arn(prefix, name), "Path": path, "DefaultVersionId": "v1",
                "Description": "", "CreateDate": created, "UpdateDate": created, "Tags": [],
                "Versions": {"v1": {"Document": document, "CreateDate": created}}, "NextVersion": 2}

    def _local_policies(self, account: str) -> list[dict]:
        return [self.policies[key] for key in self.policies.irange((account,), (account, "\uffff"))]

    def _policy_out(self, ctx: RequestContext[Any], record: dict, detail: bool = True) -> iam.Policy:
        out: iam.Policy = {
            "PolicyName": record["PolicyName"], "PolicyId": record["PolicyId"], "Arn": record["Arn"],
            "Path": record["Path"], "DefaultVersionId": record["DefaultVersionId"],
            "AttachmentCount": self._attachment_count(ctx.account, record["Arn"]),
            "PermissionsBoundaryUsageCount": self._boundary_count(ctx.account, record["Arn"]), "IsAttachable": True}
        if detail and record.get("Description"):
            out["Description"] = record["Description"]
        out["CreateDate"] = from_epoch(record["CreateDate"])
        out["UpdateDate"] = from_epoch(record["UpdateDate"])
        return self._with_tags(out, record) if detail else out

    def _boundary_count(self, account: str, arn: str) -> int:
        return sum(1 for kind in ("user", "role") for r in self._in_account(kind, account)
                   if r.get("PermissionsBoundary") == arn)

    def _check_managed_document(self, document: str) -> None:
        documents.check_identity_policy(document)
        if documents.size(document) > documents.MANAGED_POLICY_SIZE:
            raise _limit(f"Cannot exceed quota for PolicySize: {documents.MANAGED_POLICY_SIZE}")

    def create_policy(self, ctx: Ctx[iam.CreatePolicyRequest]) -> iam.CreatePolicyResult:
        params = ctx.params
        name, path = params["PolicyName"], params.get("Path", "/")
        document = params["PolicyDocument"]
        self._check_managed_document(document)
        if (ctx.account, name) in self.policies:
            raise _exists(f"A policy called {name} already exists. Duplicate names are not allowed.")
        now = ctx.time()
        record = {"PolicyName": name, "PolicyId": "ANPA" + ctx.ids.upper_alnum(17),
                  "Arn": self._arn(ctx, "policy", path, name), "Path": path,
                  "DefaultVersionId": "v1", "Description": params.get("Description", ""),
                  "CreateDate": now, "UpdateDate": now, "Tags": self._checked_tags(params.get("Tags", [])),
                  "Versions": {"v1": {"Document": document, "CreateDate": now}}, "NextVersion": 2}
        self.policies.put((ctx.account, name), record)
        return {"Policy": self._policy_out(ctx, record)}

    def get_policy(self, ctx: Ctx[iam.GetPolicyRequest]) -> iam.GetPolicyResult:
        return {"Policy": self._policy_out(ctx, self._policy(ctx, ctx.params["PolicyArn"]))}

    def list_policies(self, ctx: Ctx[iam.ListPoliciesRequest]) -> iam.ListPoliciesResult:
        params = ctx.params
        scope = params.get("Scope", "All")
        records: list[dict] = []
        if scope in ("All", "AWS"):
            records += [self._aws_policy(name, arn_prefix(ctx.region)) for name in sorted(AWS_MANAGED_POLICIES)]
        if scope in ("All", "Local"):
            records += self._local_policies(ctx.account)
        records = self._by_path(records, params.get("PathPrefix"))
        if params.get("OnlyAttached"):
            records = [r for r in records if self._attachment_count(ctx.account, r["Arn"])]
        if params.get("PolicyUsageFilter") == "PermissionsBoundary":
            records = [r for r in records if self._boundary_count(ctx.account, r["Arn"])]
        elif params.get("PolicyUsageFilter") == "PermissionsPolicy":
            records = [r for r in records if self._attachment_count(ctx.account, r["Arn"])]
        listed, more = self._page(ctx, [self._policy_out(ctx, r, detail=False) for r in records])
        return {"Policies": listed, **more}

    def delete_policy(self, ctx: Ctx[iam.DeletePolicyRequest]) -> iam.DeletePolicyResult:
        key, policy = self._local_policy(ctx, ctx.params["PolicyArn"])
        if self._attachment_count(ctx.account, policy["Arn"]) or self._boundary_count(ctx.account, policy["Arn"]):
            raise _conflict("Cannot delete a policy attached to entities.")
        if len(policy["Versions"]) > 1:
            raise _conflict("This policy has more than one version. Before you delete a policy, you must "
                            "delete the policy's versions. The default version is deleted with the policy.")
        self.policies.delete(key)
        return {}

    def _version_out(self, policy: dict, version_id: str, with_document: bool = True) -> iam.PolicyVersion:
        version = policy["Versions"][version_id]
        out: iam.PolicyVersion = {"VersionId": version_id, "IsDefaultVersion": version_id == policy["DefaultVersionId"],
                                  "CreateDate": from_epoch(version["CreateDate"])}
        if with_document:
            out["Document"] = quote(version["Document"])
        return out

    def _version(self, ctx: RequestContext[Any], policy: dict) -> str:
        version_id = ctx.params["VersionId"]
        if version_id not in policy["Versions"]:
            raise _not_found(f"Policy {policy['Arn']} version {version_id} does not exist or is not attachable.")
        return str(version_id)

    def create_policy_version(self, ctx: Ctx[iam.CreatePolicyVersionRequest]) -> iam.CreatePolicyVersionResult:
        key, policy = self._local_policy(ctx, ctx.params["PolicyArn"])
        document = ctx.params["PolicyDocument"]
        self._check_managed_document(document)
        if len(policy["Versions"]) >= _MAX_VERSIONS:
            raise _limit(f"A managed policy can have up to {_MAX_VERSIONS} versions. Before you create a new "
                         "version, you must delete an existing version.")
        version_id = f"v{policy['NextVersion']}"
        now = ctx.time()
        versions = {**policy["Versions"], version_id: {"Document": document, "CreateDate": now}}
        updated = {**policy, "Versions": versions, "NextVersion": policy["NextVersion"] + 1, "UpdateDate": now}
        if ctx.params.get("SetAsDefault"):
            updated["DefaultVersionId"] = version_id
        self.policies.put(key, updated)
        return {"PolicyVersion": self._version_out(updated, version_id, with_document=False)}

    def get_policy_version(self, ctx: Ctx[iam.GetPolicyVersionRequest]) -> iam.GetPolicyVersionResult:
        policy = self._policy(ctx, ctx.params["PolicyArn"])
        return {"PolicyVersion": self._version_out(policy, self._version(ctx, policy))}

    def list_policy_versions(self, ctx: Ctx[iam.ListPolicyVersionsRequest]) -> iam.ListPolicyVersionsResult:
        policy = self._policy(ctx, ctx.params["PolicyArn"])
        ordered = sorted(policy["Versions"], key=lambda v: int(v[1:]), reverse=True)
        listed, more = self._page(ctx, [self._version_out(policy, v, with_document=False) for v in ordered])
        return {"Versions": listed, **more}

    def set_default_policy_version(
            self, ctx: Ctx[iam.SetDefaultPolicyVersionRequest]) -> iam.SetDefaultPolicyVersionResult:
        key, policy = self._local_policy(ctx, ctx.params["PolicyArn"])
        self.policies.put(key, {**policy, "DefaultVersionId": self._version(ctx, policy), "UpdateDate": ctx.time()})
        return {}

    def delete_policy_version(self, ctx: Ctx[iam.DeletePolicyVersionRequest]) -> iam.DeletePolicyVersionResult:
        key, policy = self._local_policy(ctx, ctx.params["PolicyArn"])
        version_id = self._version(ctx, policy)
        if version_id == policy["DefaultVersionId"]:
            raise _conflict("Cannot delete the default version of a policy.")
        versions = {v: body for v, body in policy["Versions"].items() if v != version_id}
        self.policies.put(key, {**policy, "Versions": versions})
        return {}

    # -- attach / detach ----------------------------------------------------------------------
    def _attach(self, kind: str, ctx: RequestContext[Any]) -> NoMembers:
        name = ctx.params[KINDS[kind].field]
        record = self._modifiable_role(ctx, name) if kind == "role" else self._get(kind, ctx, name)
        arn = ctx.params["PolicyArn"]
        self._policy(ctx, arn, attachable=True)
        if arn not in record["Attached"]:
            if len(record["Attached"]) >= _ATTACHED_PER_ENTITY:
                raise _limit(f"Cannot exceed quota for PoliciesPer{KINDS[kind].label}: {_ATTACHED_PER_ENTITY}")
            self._put(kind, {**record, "Attached": [*record["Attached"], arn]})
        return {}

    def _detach(self, kind: str, ctx: RequestContext[Any]) -> NoMembers:
        name = ctx.params[KINDS[kind].field]
        record = self._modifiable_role(ctx, name) if kind == "role" else self._get(kind, ctx, name)
        arn = ctx.params["PolicyArn"]
        self._check_partition(ctx, arn)
        if arn not in record["Attached"]:
            raise _not_found(f"Policy {arn} was not found.")
        self._put(kind, {**record, "Attached": [a for a in record["Attached"] if a != arn]})
        return {}

    def _list_attached(self, kind: str, ctx: RequestContext[Any]) -> AttachedPage:
        record = self._get(kind, ctx, ctx.params[KINDS[kind].field])
        prefix = ctx.params.get("PathPrefix")
        attached: list[iam.AttachedPolicy] = [
            {"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn} for arn in record["Attached"]
            if not prefix or arn.split(":", 5)[5].removeprefix("policy").startswith(prefix)]
        listed, more = self._page(ctx, attached)
        return {"AttachedPolicies": listed, **more}

    def attach_user_policy(self, ctx: Ctx[iam.AttachUserPolicyRequest]) -> iam.AttachUserPolicyResult:
        return self._attach("user", ctx)

    def attach_group_policy(self, ctx: Ctx[iam.AttachGroupPolicyRequest]) -> iam.AttachGroupPolicyResult:
        return self._attach("group", ctx)

    def attach_role_policy(self, ctx: Ctx[iam.AttachRolePolicyRequest]) -> iam.AttachRolePolicyResult:
        return self._attach("role", ctx)

    def detach_user_policy(self, ctx: Ctx[iam.DetachUserPolicyRequest]) -> iam.DetachUserPolicyResult:
        return self._detach("user", ctx)

    def detach_group_policy(self, ctx: Ctx[iam.DetachGroupPolicyRequest]) -> iam.DetachGroupPolicyResult:
        return self._detach("group", ctx)

    def detach_role_policy(self, ctx: Ctx[iam.DetachRolePolicyRequest]) -> iam.DetachRolePolicyResult:
        return self._detach("role", ctx)

    def list_attached_user_policies(
            self, ctx: Ctx[iam.ListAttachedUserPoliciesRequest]) -> iam.ListAttachedUserPoliciesResult:
        return self._list_attached("user", ctx)

    def list_attached_group_policies(
            self, ctx: Ctx[iam.ListAttachedGroupPoliciesRequest]) -> iam.ListAttachedGroupPoliciesResult:
        return self._list_attached("group", ctx)

    def list_attached_role_policies(
            self, ctx: Ctx[iam.ListAttachedRolePoliciesRequest]) -> iam.ListAttachedRolePoliciesResult:
        return self._list_attached("role", ctx)

    def list_entities_for_policy(self, ctx: Ctx[iam.ListEntitiesForPolicyRequest]) -> iam.ListEntitiesForPolicyResult:
        params = ctx.params
        policy = self._policy(ctx, params["PolicyArn"])
        wanted = params.get("EntityFilter")
        usage = params.get("PolicyUsageFilter")
        prefix = params.get("PathPrefix")
        rows: list[tuple[str, dict]] = []
        for kind in _KINDS:
            if wanted not in (None, "LocalManagedPolicy", "AWSManagedPolicy") and wanted.lower() != kind:
                continue
            for record in self._in_account(kind, ctx.account):
                attached = policy["Arn"] in record["Attached"]
                boundary = record.get("PermissionsBoundary") == policy["Arn"]
                if usage == "PermissionsPolicy" and not attached or usage == "PermissionsBoundary" and not boundary:
                    continue
                if (attached or boundary) and (not prefix or record["Path"].startswith(prefix)):
                    rows.append((kind, record))
        listed, more = self._page(ctx, rows)
        groups: list[iam.PolicyGroup] = []
        users: list[iam.PolicyUser] = []
        roles: list[iam.PolicyRole] = []
        for kind, record in listed:
            if kind == "group":
                groups.append({"GroupName": record["GroupName"], "GroupId": record["GroupId"]})
            elif kind == "user":
                users.append({"UserName": record["UserName"], "UserId": record["UserId"]})
            else:
                roles.append({"RoleName": record["RoleName"], "RoleId": record["RoleId"]})
        return {"PolicyGroups": groups, "PolicyUsers": users, "PolicyRoles": roles, **more}

    # == inline policies =========================================================================
    def _put_inline(self, kind: str, ctx: RequestContext[Any]) -> NoMembers:
        name = ctx.params[KINDS[kind].field]
        record = self._modifiable_role(ctx, name) if kind == "role" else self._get(kind, ctx, name)
        document = ctx.params["PolicyDocument"]
        documents.check_identity_policy(document)
        inline = {**record["Inline"], ctx.params["PolicyName"]: document}
        limit = documents.INLINE_AGGREGATE_SIZE[kind]
        if sum(documents.size(text) for text in inline.values()) > limit:
            raise _limit(f"Maximum policy size of {limit} bytes exceeded for {kind} {record[KINDS[kind].field]}")
        self._put(kind, {**record, "Inline": inline})
        return {}

    def _get_inline(self, kind: str, ctx: RequestContext[Any]) -> tuple[str, str, str]:
        """The entity's name, the inline policy's name and its document as Get*Policy returns it."""
        field = KINDS[kind].field
        record = self._get(kind, ctx, ctx.params[field])
        name = ctx.params["PolicyName"]
        if name not in record["Inline"]:
            raise _not_found(f"The {kind} policy with name {name} cannot be found.")
        return record[field], name, quote(record["Inline"][name])

    def _delete_inline(self, kind: str, ctx: RequestContext[Any]) -> NoMembers:
        name = ctx.params[KINDS[kind].field]
        record = self._modifiable_role(ctx, name) if kind == "role" else self._get(kind, ctx, name)
        policy_name = ctx.params["PolicyName"]
        if policy_name not in record["Inline"]:
            raise _not_found(f"The {kind} policy with name {policy_name} cannot be found.")
        self._put(kind, {**record, "Inline": {k: v for k, v in record["Inline"].items() if k != policy_name}})
        return {}

    def _list_inline(self, kind: str, ctx: RequestContext[Any]) -> InlinePage:
        record = self._get(kind, ctx, ctx.params[KINDS[kind].field])
        listed, more = self._page(ctx, sorted(record["Inline"]))
        return {"PolicyNames": listed, **more}

    def put_user_policy(self, ctx: Ctx[iam.PutUserPolicyRequest]) -> iam.PutUserPolicyResult:
        return self._put_inline("user", ctx)

    def put_group_policy(self, ctx: Ctx[iam.PutGroupPolicyRequest]) -> iam.PutGroupPolicyResult:
        return self._put_inline("group", ctx)

    def put_role_policy(self, ctx: Ctx[iam.PutRolePolicyRequest]) -> iam.PutRolePolicyResult:
        return self._put_inline("role", ctx)

    def get_user_policy(self, ctx: Ctx[iam.GetUserPolicyRequest]) -> iam.GetUserPolicyResult:
        entity, name, document = self._get_inline("user", ctx)
        return {"UserName": entity, "PolicyName": name, "PolicyDocument": document}

    def get_group_policy(self, ctx: Ctx[iam.GetGroupPolicyRequest]) -> iam.GetGroupPolicyResult:
        entity, name, document = self._get_inline("group", ctx)
        return {"GroupName": entity, "PolicyName": name, "PolicyDocument": document}

    def get_role_policy(self, ctx: Ctx[iam.GetRolePolicyRequest]) -> iam.GetRolePolicyResult:
        entity, name, document = self._get_inline("role", ctx)
        return {"RoleName": entity, "PolicyName": name, "PolicyDocument": document}

    def delete_user_policy(self, ctx: Ctx[iam.DeleteUserPolicyRequest]) -> iam.DeleteUserPolicyResult:
        return self._delete_inline("user", ctx)

    def delete_group_policy(self, ctx: Ctx[iam.DeleteGroupPolicyRequest]) -> iam.DeleteGroupPolicyResult:
        return self._delete_inline("group", ctx)

    def delete_role_policy(self, ctx: Ctx[iam.DeleteRolePolicyRequest]) -> iam.DeleteRolePolicyResult:
        return self._delete_inline("role", ctx)

    def list_user_policies(self, ctx: Ctx[iam.ListUserPoliciesRequest]) -> iam.ListUserPoliciesResult:
        return self._list_inline("user", ctx)

    def list_group_policies(self, ctx: Ctx[iam.ListGroupPoliciesRequest]) -> iam.ListGroupPoliciesResult:
        return self._list_inline("group", ctx)

    def list_role_policies(self, ctx: Ctx[iam.ListRolePoliciesRequest]) -> iam.ListRolePoliciesResult:
        return self._list_inline("role", ctx)

    # == access keys =============================================================================
    def create_access_key(self, ctx: Ctx[iam.CreateAccessKeyRequest]) -> iam.CreateAccessKeyResult:
        user = self._user_name(ctx)
        owned = [k for k in self.access_keys.values() if k["Account"] == ctx.account and k["UserName"] == user]
        if len(owned) >= _ACCESS_KEYS_PER_USER:
            raise _limit(f"Cannot exceed quota for AccessKeysPerUser: {_ACCESS_KEYS_PER_USER}")
        key_id = ctx.ids.access_key_id("AKIA")
        now = ctx.time()
        self.access_keys.put(key_id, {"Account": ctx.account, "UserName": user, "Status": "Active", "CreateDate": now})
        return {"AccessKey": {"UserName": user, "AccessKeyId": key_id, "Status": "Active",
                              "SecretAccessKey": ctx.ids.chars(40), "CreateDate": from_epoch(now)}}

    def _access_key(self, ctx: RequestContext[Any], user: str) -> dict:
        key_id = ctx.params["AccessKeyId"]
        record = self.access_keys.get(key_id)
        if record is None or record["Account"] != ctx.account or record["UserName"] != user:
            raise _not_found(f"The Access Key with id {key_id} cannot be found.")
        return record

    def update_access_key(self, ctx: Ctx[iam.UpdateAccessKeyRequest]) -> iam.UpdateAccessKeyResult:
        record = self._access_key(ctx, self._user_name(ctx))
        self.access_keys.put(ctx.params["AccessKeyId"], {**record, "Status": ctx.params["Status"]})
        return {}

    def delete_access_key(self, ctx: Ctx[iam.DeleteAccessKeyRequest]) -> iam.DeleteAccessKeyResult:
        self._access_key(ctx, self._user_name(ctx))
        self.access_keys.delete(ctx.params["AccessKeyId"])
        return {}

    def list_access_keys(self, ctx: Ctx[iam.ListAccessKeysRequest]) -> iam.ListAccessKeysResult:
        user = self._user_name_or_root(ctx)
        keys: list[iam.AccessKeyMetadata] = [] if user is None else [  # the root user has no keys here
            {"UserName": user, "AccessKeyId": key_id, "Status": k["Status"], "CreateDate": from_epoch(k["CreateDate"])}
            for key_id, k in sorted(self.access_keys.items(), key=lambda item: item[1]["CreateDate"])
            if k["Account"] == ctx.account and k["UserName"] == user]
        listed, more = self._page(ctx, keys)
        return {"AccessKeyMetadata": listed, **more}

    def get_access_key_last_used(self, ctx: Ctx[iam.GetAccessKeyLastUsedRequest]) -> iam.GetAccessKeyLastUsedResult:
        record = self.access_keys.get(ctx.params["AccessKeyId"])
        if record is None:
            raise AwsError("AccessDenied", "You are not authorized to perform this operation.", 403)
        return {"UserName": record["UserName"], "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}}

    # == login profiles and the password policy ==================================================
    def create_login_profile(self, ctx: Ctx[iam.CreateLoginProfileRequest]) -> iam.CreateLoginProfileResult:
        user = self._user_name(ctx)
        key = (ctx.account, user.lower())
        if key in self.login_profiles:
            raise _exists(f"Login Profile for user {user} already exists.")
        password = ctx.params.get("Password")
        if password is not None:
            self._check_password(ctx.account, password)
        now = ctx.time()
        record = {"UserName": user, "CreateDate": now, "PasswordHash": self._password_hash(password),
                  "PasswordResetRequired": ctx.params.get("PasswordResetRequired", False)}
        self.login_profiles.put(key, record)
        return {"LoginProfile": self._login_out(record)}

    @staticmethod
    def _password_hash(password: str | None) -> str:
        return hashlib.sha256(password.encode()).hexdigest() if password is not None else ""

    @staticmethod
    def _login_out(record: dict) -> iam.LoginProfile:
        return {"UserName": record["UserName"], "CreateDate": from_epoch(record["CreateDate"]),
                "PasswordResetRequired": record["PasswordResetRequired"]}

    def _login_profile(self, ctx: RequestContext[Any], user: str) -> dict:
        record = self.login_profiles.get((ctx.account, user.lower()))
        if record is None:
            raise _not_found(f"Login Profile for User {user} cannot be found.")
        return record

    def get_login_profile(self, ctx: Ctx[iam.GetLoginProfileRequest]) -> iam.GetLoginProfileResult:
        return {"LoginProfile": self._login_out(self._login_profile(ctx, self._user_name(ctx)))}

    def update_login_profile(self, ctx: Ctx[iam.UpdateLoginProfileRequest]) -> iam.UpdateLoginProfileResult:
        user = self._user_name(ctx)
        record = self._login_profile(ctx, user)
        changes: dict[str, Any] = {}
        if "Password" in ctx.params:
            self._check_password(ctx.account, ctx.params["Password"])
            changes["PasswordHash"] = self._password_hash(ctx.params["Password"])
        if "PasswordResetRequired" in ctx.params:
            changes["PasswordResetRequired"] = ctx.params["PasswordResetRequired"]
        self.login_profiles.put((ctx.account, user.lower()), {**record, **changes})
        return {}

    def delete_login_profile(self, ctx: Ctx[iam.DeleteLoginProfileRequest]) -> iam.DeleteLoginProfileResult:
        user = self._user_name(ctx)
        self._login_profile(ctx, user)
        self.login_profiles.delete((ctx.account, user.lower()))
        return {}

    def _account(self, account: str) -> dict:
        return self.accounts.get(account) or {"Aliases": [], "PasswordPolicy": None, "Report": None}

    def _check_password(self, account: str, password: str) -> None:
        policy = self._account(account)["PasswordPolicy"] or {}
        minimum = policy.get("MinimumPasswordLength", 8)
        checks = [
            (len(password) >= minimum, f"Password should have a minimum length of {minimum}"),
            (not policy.get("RequireUppercaseCharacters") or any(c.isupper() for c in password),
             "Password should have at least one uppercase letter"),
            (not policy.get("RequireLowercaseCharacters") or any(c.islower() for c in password),
             "Password should have at least one lowercase letter"),
            (not policy.get("RequireNumbers") or any(c.isdigit() for c in password),
             "Password should have at least one number"),
            (not policy.get("RequireSymbols") or any(not c.isalnum() for c in password),
             "Password should have at least one symbol"),
        ]
        for ok, message in checks:
            if not ok:
                raise iam.password_policy_violation_exception(message)

    def update_account_password_policy(
            self, ctx: Ctx[iam.UpdateAccountPasswordPolicyRequest]) -> iam.UpdateAccountPasswordPolicyResult:
        params = ctx.params
        policy = {
            "MinimumPasswordLength": params.get("MinimumPasswordLength", 6),
            "RequireSymbols": params.get("RequireSymbols", False),
            "RequireNumbers": params.get("RequireNumbers", False),
            "RequireUppercaseCharacters": params.get("RequireUppercaseCharacters", False),
            "RequireLowercaseCharacters": params.get("RequireLowercaseCharacters", False),
            "AllowUsersToChangePassword": params.get("AllowUsersToChangePassword", False),
            "ExpirePasswords": "MaxPasswordAge" in params,
            "HardExpiry": params.get("HardExpiry", False),
        }
        for key in ("MaxPasswordAge", "PasswordReusePrevention"):
            if key in params:
                policy[key] = params[key]
        self.accounts.put(ctx.account, {**self._account(ctx.account), "PasswordPolicy": policy})
        return {}

    def get_account_password_policy(
            self, ctx: Ctx[iam.GetAccountPasswordPolicyRequest]) -> iam.GetAccountPasswordPolicyResult:
        policy = self._account(ctx.account)["PasswordPolicy"]
        if policy is None:
            raise _not_found(f"The Password Policy with domain name {ctx.account} cannot be found.")
        return {"PasswordPolicy": {**policy}}

    def delete_account_password_policy(
            self, ctx: Ctx[iam.DeleteAccountPasswordPolicyRequest]) -> iam.DeleteAccountPasswordPolicyResult:
        self.get_account_password_policy(ctx)
        self.accounts.put(ctx.account, {**self._account(ctx.account), "PasswordPolicy": None})
        return {}

    # == account alias and summary ===============================================================
    def create_account_alias(self, ctx: Ctx[iam.CreateAccountAliasRequest]) -> iam.CreateAccountAliasResult:
        alias = ctx.params["AccountAlias"]
        for account, record in self.accounts.items():
            if alias in record["Aliases"] and account != ctx.account:
                raise _exists(f"The account alias {alias} already exists.")
        self.accounts.put(ctx.account, {**self._account(ctx.account), "Aliases": [alias]})
        return {}

    def delete_account_alias(self, ctx: Ctx[iam.DeleteAccountAliasRequest]) -> iam.DeleteAccountAliasResult:
        alias = ctx.params["AccountAlias"]
        if alias not in self._account(ctx.account)["Aliases"]:
            raise _not_found(f"The account alias {alias} cannot be found.")
        self.accounts.put(ctx.account, {**self._account(ctx.account), "Aliases": []})
        return {}

    def list_account_aliases(self, ctx: Ctx[iam.ListAccountAliasesRequest]) -> iam.ListAccountAliasesResult:
        listed, more = self._page(ctx, list(self._account(ctx.account)["Aliases"]))
        return {"AccountAliases": listed, **more}

    def get_account_summary(self, ctx: Ctx[iam.GetAccountSummaryRequest]) -> iam.GetAccountSummaryResult:
        account = ctx.account
        count = {kind: sum(1 for _ in self._in_account(kind, account)) for kind in KINDS}
        policies = self._local_policies(account)
        devices = [d for k, d in self.mfa_devices.items() if k[0] == account]
        summary = {
            "Users": count["user"], "UsersQuota": 5000, "Groups": count["group"], "GroupsQuota": 300,
            "Roles": count["role"], "RolesQuota": 1000, "InstanceProfiles": count["instance_profile"],
            "InstanceProfilesQuota": 1000, "Policies": len(policies), "PoliciesQuota": 1500,
            "PolicyVersionsInUse": sum(len(p["Versions"]) for p in policies), "PolicyVersionsInUseQuota": 10000,
            "VersionsPerPolicyQuota": _MAX_VERSIONS, "PolicySizeQuota": documents.MANAGED_POLICY_SIZE,
            "UserPolicySizeQuota": documents.INLINE_AGGREGATE_SIZE["user"],
            "GroupPolicySizeQuota": documents.INLINE_AGGREGATE_SIZE["group"],
            "RolePolicySizeQuota": documents.INLINE_AGGREGATE_SIZE["role"],
            "AssumeRolePolicySizeQuota": documents.TRUST_POLICY_SIZE, "GroupsPerUserQuota": _GROUPS_PER_USER,
            "AccessKeysPerUserQuota": _ACCESS_KEYS_PER_USER, "SigningCertificatesPerUserQuota": 2,
            "AttachedPoliciesPerUserQuota": _ATTACHED_PER_ENTITY, "AttachedPoliciesPerGroupQuota": _ATTACHED_PER_ENTITY,
            "AttachedPoliciesPerRoleQuota": _ATTACHED_PER_ENTITY,
            "ServerCertificates": sum(1 for k in self.certificates.keys() if k[:2] == (account, "server-certificate")),
            "ServerCertificatesQuota": 20, "MFADevices": len(devices),
            "MFADevicesInUse": sum(1 for d in devices if d.get("UserName")), "AccountMFAEnabled": 0,
            "AccountAccessKeysPresent": 0, "AccountSigningCertificatesPresent": 0,
            "GlobalEndpointTokenVersion": self._account(account).get("TokenVersion", 1),
            "Providers": sum(1 for k in self.providers.keys() if k[0] == account),
        }
        return {"SummaryMap": summary}

    # == MFA devices =============================================================================
    def create_virtual_mfa_device(
            self, ctx: Ctx[iam.CreateVirtualMFADeviceRequest]) -> iam.CreateVirtualMFADeviceResult:
        name, path = ctx.params["VirtualMFADeviceName"], ctx.params.get("Path", "/")
        serial = self._arn(ctx, "mfa", path, name)
        if (ctx.account, serial) in self.mfa_devices:
            raise _exists("MFADevice entity at the same path and name already exists.")
        seed = base64.b32encode(ctx.ids.bytes(40)).decode()
        tags = self._checked_tags(ctx.params.get("Tags", []))
        self.mfa_devices.put((ctx.account, serial), {"SerialNumber": serial, "Seed": seed, "UserName": None,
                                                     "EnableDate": None, "Tags": tags})
        device: iam.VirtualMFADevice = {"SerialNumber": serial, "Base32StringSeed": seed.encode()}
        return {"VirtualMFADevice": self._with_tags(device, self.mfa_devices[(ctx.account, serial)])}

    def _device(self, ctx: RequestContext[Any], serial: str) -> dict:
        record = self.mfa_devices.get((ctx.account, serial))
        if record is None:
            raise _not_found(f"VirtualMFADevice with serial number {serial} doesn't exist.")
        return record

    @staticmethod
    def _totp(seed: str, step: int) -> str:
        digest = hmac.new(base64.b32decode(seed), struct.pack(">Q", step), hashlib.sha1).digest()
        offset = digest[-1] & 0x0F
        return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"

    def _check_codes(self, ctx: RequestContext[Any], seed: str) -> None:
        """Two consecutive TOTP codes (RFC 6238, 30-second steps) near the emulator clock's now."""
        now = int(ctx.time()) // 30
        first, second = ctx.params["AuthenticationCode1"], ctx.params["AuthenticationCode2"]
        if not any(self._totp(seed, step) == first and self._totp(seed, step + 1) == second
                   for step in range(now - 10, now + 2)):
            raise iam.invalid_authentication_code_exception("Authentication code for device is not valid.")

    def enable_mfa_device(self, ctx: Ctx[iam.EnableMFADeviceRequest]) -> iam.EnableMFADeviceResult:
        user = self._get("user", ctx, ctx.params["UserName"])
        device = self._device(ctx, ctx.params["SerialNumber"])
        if device["UserName"]:
            raise _exists("MFA Device is already in use.")
        self._check_codes(ctx, device["Seed"])
        self.mfa_devices.put((ctx.account, device["SerialNumber"]),
                             {**device, "UserName": user["UserName"], "EnableDate": ctx.time()})
        return {}

    def resync_mfa_device(self, ctx: Ctx[iam.ResyncMFADeviceRequest]) -> iam.ResyncMFADeviceResult:
        device = self._device(ctx, ctx.params["SerialNumber"])
        self._check_codes(ctx, device["Seed"])
        return {}

    def deactivate_mfa_device(self, ctx: Ctx[iam.DeactivateMFADeviceRequest]) -> iam.DeactivateMFADeviceResult:
        serial = ctx.params["SerialNumber"]
        device = self._device(ctx, serial)
        user = ctx.params.get("UserName")
        if device["UserName"] is None or (user is not None and device["UserName"] != user):
            raise _not_found(f"MFA Device with serial number {serial} does not exist.")
        self.mfa_devices.put((ctx.account, serial), {**device, "UserName": None, "EnableDate": None})
        return {}

    def delete_virtual_mfa_device(
            self, ctx: Ctx[iam.DeleteVirtualMFADeviceRequest]) -> iam.DeleteVirtualMFADeviceResult:
        device = self._device(ctx, ctx.params["SerialNumber"])
        if device["UserName"]:
            raise _conflict("MFA VirtualDevice in use. Must deactivate first.")
        self.mfa_devices.delete((ctx.account, device["SerialNumber"]))
        return {}

    def _device_out(self, ctx: RequestContext[Any], device: dict) -> iam.VirtualMFADevice:
        out: iam.VirtualMFADevice = {"SerialNumber": device["SerialNumber"]}
        if device["UserName"]:
            user = self.tables["user"].get((ctx.account, device["UserName"].lower()))
            if user is not None:
                out["User"] = self._user_out(user, tags=False)
            out["EnableDate"] = from_epoch(device["EnableDate"])
        return self._with_tags(out, device)

    def list_virtual_mfa_devices(self, ctx: Ctx[iam.ListVirtualMFADevicesRequest]) -> iam.ListVirtualMFADevicesResult:
        status = ctx.params.get("AssignmentStatus", "Any")
        devices = [d for k, d in self.mfa_devices.items() if k[0] == ctx.account
                   and (status == "Any" or (status == "Assigned") == bool(d["UserName"]))]
        listed, more = self._page(ctx, [self._device_out(ctx, d) for d in devices])
        return {"VirtualMFADevices": listed, **more}

    def list_mfa_devices(self, ctx: Ctx[iam.ListMFADevicesRequest]) -> iam.ListMFADevicesResult:
        user = self._user_name_or_root(ctx)
        devices: list[iam.MFADevice] = [
            {"UserName": user, "SerialNumber": d["SerialNumber"], "EnableDate": from_epoch(d["EnableDate"])}
            for k, d in self.mfa_devices.items()
            if user is not None and k[0] == ctx.account and d["UserName"] == user]
        listed, more = self._page(ctx, devices)
        return {"MFADevices": listed, **more}

    def get_mfa_device(self, ctx: Ctx[iam.GetMFADeviceRequest]) -> iam.GetMFADeviceResult:
        device = self._device(ctx, ctx.params["SerialNumber"])
        out: iam.GetMFADeviceResponse = {"SerialNumber": device["SerialNumber"]}
        if device["UserName"]:
            out["UserName"], out["EnableDate"] = device["UserName"], from_epoch(device["EnableDate"])
        return out

    def tag_mfa_device(self, ctx: Ctx[iam.TagMFADeviceRequest]) -> iam.TagMFADeviceResult:
        device = self._device(ctx, ctx.params["SerialNumber"])
        self.mfa_devices.put((ctx.account, device["SerialNumber"]), self._tagged(device, ctx.params["Tags"]))
        return {}

    def untag_mfa_device(self, ctx: Ctx[iam.UntagMFADeviceRequest]) -> iam.UntagMFADeviceResult:
        device = self._device(ctx, ctx.params["SerialNumber"])
        self.mfa_devices.put((ctx.account, device["SerialNumber"]), self._untagged(device, ctx.params["TagKeys"]))
        return {}

    def list_mfa_device_tags(self, ctx: Ctx[iam.ListMFADeviceTagsRequest]) -> iam.ListMFADeviceTagsResult:
        listed, more = self._page(ctx, self._device(ctx, ctx.params["SerialNumber"])["Tags"])
        return {"Tags": listed, **more}

    # == identity providers (OIDC and SAML) ======================================================
    def _provider(self, ctx: RequestContext[Any], arn: str, kind: str) -> dict:
        record = self.providers.get((ctx.account, arn))
        if record is None or record["Kind"] != kind:
            raise _not_found(f"OpenIDConnect Provider not found for arn {arn}" if kind == "oidc"
                             else f"Manifest not found for arn {arn}")
        return record

    def _put_provider(self, ctx: RequestContext[Any], record: dict) -> None:
        self.providers.put((ctx.account, record["Arn"]), record)

    def create_open_id_connect_provider(
            self, ctx: Ctx[iam.CreateOpenIDConnectProviderRequest]) -> iam.CreateOpenIDConnectProviderResult:
        url = ctx.params["Url"]
        if not url.startswith("https://"):
            raise AwsError("ValidationError", "Invalid URL: the URL must begin with https://")
        host = url.removeprefix("https://").rstrip("/")
        arn = ctx.arn(f"oidc-provider/{host}", service="iam", region="")
        if (ctx.account, arn) in self.providers:
            raise _exists(f"Provider with url {url} already exists.")
        record = {"Kind": "oidc", "Arn": arn, "Url": host, "ClientIDList": list(ctx.params.get("ClientIDList", [])),
                  "ThumbprintList": list(ctx.params.get("ThumbprintList", [])), "CreateDate": ctx.time(),
                  "Tags": self._checked_tags(ctx.params.get("Tags", []))}
        self._put_provider(ctx, record)
        out: iam.CreateOpenIDConnectProviderResponse = {"OpenIDConnectProviderArn": arn}
        return self._with_tags(out, record)

    def get_open_id_connect_provider(
            self, ctx: Ctx[iam.GetOpenIDConnectProviderRequest]) -> iam.GetOpenIDConnectProviderResult:
        record = self._provider(ctx, ctx.params["OpenIDConnectProviderArn"], "oidc")
        out: iam.GetOpenIDConnectProviderResponse = {
               "Url": record["Url"], "ClientIDList": list(record["ClientIDList"]),
               "ThumbprintList": list(record["ThumbprintList"]), "CreateDate": from_epoch(record["CreateDate"])}
        return self._with_tags(out, record)

    def list_open_id_connect_providers(
            self, ctx: Ctx[iam.ListOpenIDConnectProvidersRequest]) -> iam.ListOpenIDConnectProvidersResult:
        return {"OpenIDConnectProviderList": [{"Arn": r["Arn"]} for k, r in self.providers.items()
                                              if k[0] == ctx.account and r["Kind"] == "oidc"]}

    def delete_open_id_connect_provider(
            self, ctx: Ctx[iam.DeleteOpenIDConnectProviderRequest]) -> iam.DeleteOpenIDConnectProviderResult:
        arn = ctx.params["OpenIDConnectProviderArn"]
        if (ctx.account, arn) in self.providers:
            self._provider(ctx, arn, "oidc")
            self.providers.delete((ctx.account, arn))
        return {}

    def _update_provider(self, ctx: RequestContext[Any], arn: str, kind: str, **changes: Any) -> NoMembers:
        self._put_provider(ctx, {**self._provider(ctx, arn, kind), **changes})
        return {}

    def add_client_id_to_open_id_connect_provider(
            self, ctx: Ctx[iam.AddClientIDToOpenIDConnectProviderRequest]) -> iam.AddClientIDToOpenIDConnectProviderResult:
        arn = ctx.params["OpenIDConnectProviderArn"]
        ids = self._provider(ctx, arn, "oidc")["ClientIDList"]
        client = ctx.params["ClientID"]
        return self._update_provider(ctx, arn, "oidc", ClientIDList=ids if client in ids else [*ids, client])

    def remove_client_id_from_open_id_connect_provider(
            self, ctx: Ctx[iam.RemoveClientIDFromOpenIDConnectProviderRequest]) -> iam.RemoveClientIDFromOpenIDConnectProviderResult:
        arn = ctx.params["OpenIDConnectProviderArn"]
        ids = self._provider(ctx, arn, "oidc")["ClientIDList"]
        return self._update_provider(ctx, arn, "oidc", ClientIDList=[i for i in ids if i != ctx.params["ClientID"]])

    def update_open_id_connect_provider_thumbprint(
            self, ctx: Ctx[iam.UpdateOpenIDConnectProviderThumbprintRequest]) -> iam.UpdateOpenIDConnectProviderThumbprintResult:
        return self._update_provider(ctx, ctx.params["OpenIDConnectProviderArn"], "oidc",
                                     ThumbprintList=list(ctx.params["ThumbprintList"]))

    def tag_open_id_connect_provider(
            self, ctx: Ctx[iam.TagOpenIDConnectProviderRequest]) -> iam.TagOpenIDConnectProviderResult:
        record = self._provider(ctx, ctx.params["OpenIDConnectProviderArn"], "oidc")
        self._put_provider(ctx, self._tagged(record, ctx.params["Tags"]))
        return {}

    def untag_open_id_connect_provider(
            self, ctx: Ctx[iam.UntagOpenIDConnectProviderRequest]) -> iam.UntagOpenIDConnectProviderResult:
        record = self._provider(ctx, ctx.params["OpenIDConnectProviderArn"], "oidc")
        self._put_provider(ctx, self._untagged(record, ctx.params["TagKeys"]))
        return {}

    def list_open_id_connect_provider_tags(
            self, ctx: Ctx[iam.ListOpenIDConnectProviderTagsRequest]) -> iam.ListOpenIDConnectProviderTagsResult:
        listed, more = self._page(ctx, self._provider(ctx, ctx.params["OpenIDConnectProviderArn"], "oidc")["Tags"])
        return {"Tags": listed, **more}

    @staticmethod
    def _saml_valid_until(metadata: str, now: float) -> float:
        try:
            root = ElementTree.fromstring(metadata)
        except ElementTree.ParseError:
            raise iam.invalid_input_exception("Could not parse metadata") from None
        valid_until = root.get("validUntil")
        if valid_until:
            return to_epoch(valid_until)
        return now + 100 * 365 * 86400

    def create_saml_provider(self, ctx: Ctx[iam.CreateSAMLProviderRequest]) -> iam.CreateSAMLProviderResult:
        name = ctx.params["Name"]
        arn = ctx.arn(f"saml-provider/{name}", service="iam", region="")
        if (ctx.account, arn) in self.providers:
            raise _exists(f"SAMLProvider {name} already exists.")
        metadata = ctx.params["SAMLMetadataDocument"]
        now = ctx.time()
        record = {"Kind": "saml", "Arn": arn, "Metadata": metadata, "CreateDate": now,
                  "ValidUntil": self._saml_valid_until(metadata, now), "UUID": ctx.ids.uuid4(),
                  "Tags": self._checked_tags(ctx.params.get("Tags", []))}
        self._put_provider(ctx, record)
        out: iam.CreateSAMLProviderResponse = {"SAMLProviderArn": arn}
        return self._with_tags(out, record)

    def get_saml_provider(self, ctx: Ctx[iam.GetSAMLProviderRequest]) -> iam.GetSAMLProviderResult:
        record = self._provider(ctx, ctx.params["SAMLProviderArn"], "saml")
        out: iam.GetSAMLProviderResponse = {
               "SAMLProviderUUID": record["UUID"], "SAMLMetadataDocument": record["Metadata"],
               "CreateDate": from_epoch(record["CreateDate"]), "ValidUntil": from_epoch(record["ValidUntil"])}
        return self._with_tags(out, record)

    def update_saml_provider(self, ctx: Ctx[iam.UpdateSAMLProviderRequest]) -> iam.UpdateSAMLProviderResult:
        arn = ctx.params["SAMLProviderArn"]
        metadata = ctx.params.get("SAMLMetadataDocument")
        changes = {} if metadata is None else {"Metadata": metadata,
                                               "ValidUntil": self._saml_valid_until(metadata, ctx.time())}
        self._update_provider(ctx, arn, "saml", **changes)
        return {"SAMLProviderArn": arn}

    def delete_saml_provider(self, ctx: Ctx[iam.DeleteSAMLProviderRequest]) -> iam.DeleteSAMLProviderResult:
        arn = ctx.params["SAMLProviderArn"]
        self._provider(ctx, arn, "saml")
        self.providers.delete((ctx.account, arn))
        return {}

    def list_saml_providers(self, ctx: Ctx[iam.ListSAMLProvidersRequest]) -> iam.ListSAMLProvidersResult:
        return {"SAMLProviderList": [
            {"Arn": r["Arn"], "ValidUntil": from_epoch(r["ValidUntil"]), "CreateDate": from_epoch(r["CreateDate"])}
            for k, r in self.providers.items() if k[0] == ctx.account and r["Kind"] == "saml"]}

    def tag_saml_provider(self, ctx: Ctx[iam.TagSAMLProviderRequest]) -> iam.TagSAMLProviderResult:
        record = self._provider(ctx, ctx.params["SAMLProviderArn"], "saml")
        self._put_provider(ctx, self._tagged(record, ctx.params["Tags"]))
        return {}

    def untag_saml_provider(self, ctx: Ctx[iam.UntagSAMLProviderRequest]) -> iam.UntagSAMLProviderResult:
        record = self._provider(ctx, ctx.params["SAMLProviderArn"], "saml")
        self._put_provider(ctx, self._untagged(record, ctx.params["TagKeys"]))
        return {}

    def list_saml_provider_tags(self, ctx: Ctx[iam.ListSAMLProviderTagsRequest]) -> iam.ListSAMLProviderTagsResult:
        listed, more = self._page(ctx, self._provider(ctx, ctx.params["SAMLProviderArn"], "saml")["Tags"])
        return {"Tags": listed, **more}

    # == certificates, SSH keys, service-specific credentials ====================================
    def upload_server_certificate(
            self, ctx: Ctx[iam.UploadServerCertificateRequest]) -> iam.UploadServerCertificateResult:
        params = ctx.params
        name, path = params["ServerCertificateName"], params.get("Path", "/")
        key = (ctx.account, "server-certificate", name.lower())
        if key in self.certificates:
            raise _exists(f"The Server Certificate with name {name} already exists.")
        expiration = certificate_expiry(params["CertificateBody"])
        record = {"Path": path, "ServerCertificateName": name, "ServerCertificateId": "ASCA" + ctx.ids.upper_alnum(17),
                  "Arn": self._arn(ctx, "server-certificate", path, name), "UploadDate": ctx.time(),
                  "Expiration": expiration, "CertificateBody": params["CertificateBody"],
                  "CertificateChain": params.get("CertificateChain"),
                  "Tags": self._checked_tags(params.get("Tags", []))}
        self.certificates.put(key, record)
        out: iam.UploadServerCertificateResponse = {
            "ServerCertificateMetadata": self._server_certificate_metadata(record)}
        return self._with_tags(out, record)

    @staticmethod
    def _server_certificate_metadata(record: dict) -> iam.ServerCertificateMetadata:
        return {"Path": record["Path"], "ServerCertificateName": record["ServerCertificateName"],
                "ServerCertificateId": record["ServerCertificateId"], "Arn": record["Arn"],
                "UploadDate": from_epoch(record["UploadDate"]), "Expiration": from_epoch(record["Expiration"])}

    def _server_certificate(self, ctx: RequestContext[Any], name: str) -> tuple[tuple[str, str, str], dict]:
        key = (ctx.account, "server-certificate", name.lower())
        record = self.certificates.get(key)
        if record is None:
            raise _not_found(f"The Server Certificate with name {name} cannot be found.")
        return key, record

    def get_server_certificate(self, ctx: Ctx[iam.GetServerCertificateRequest]) -> iam.GetServerCertificateResult:
        record = self._server_certificate(ctx, ctx.params["ServerCertificateName"])[1]
        out: iam.ServerCertificate = {"ServerCertificateMetadata": self._server_certificate_metadata(record),
                                      "CertificateBody": record["CertificateBody"]}
        if record["CertificateChain"]:
            out["CertificateChain"] = record["CertificateChain"]
        return {"ServerCertificate": self._with_tags(out, record)}

    def list_server_certificates(self, ctx: Ctx[iam.ListServerCertificatesRequest]) -> iam.ListServerCertificatesResult:
        records = [r for k, r in self.certificates.items() if k[:2] == (ctx.account, "server-certificate")]
        records = self._by_path(sorted(records, key=lambda r: r["ServerCertificateName"].lower()),
                                ctx.params.get("PathPrefix"))
        listed, more = self._page(ctx, [self._server_certificate_metadata(r) for r in records])
        return {"ServerCertificateMetadataList": listed, **more}

    def update_server_certificate(
            self, ctx: Ctx[iam.UpdateServerCertificateRequest]) -> iam.UpdateServerCertificateResult:
        key, record = self._server_certificate(ctx, ctx.params["ServerCertificateName"])
        name = ctx.params.get("NewServerCertificateName", record["ServerCertificateName"])
        path = ctx.params.get("NewPath", record["Path"])
        new_key = (ctx.account, "server-certificate", name.lower())
        if new_key != key and new_key in self.certificates:
            raise _exists(f"The Server Certificate with name {name} already exists.")
        self.certificates.delete(key)
        self.certificates.put(new_key, {**record, "ServerCertificateName": name, "Path": path,
                                        "Arn": self._arn(ctx, "server-certificate", path, name)})
        return {}

    def delete_server_certificate(
            self, ctx: Ctx[iam.DeleteServerCertificateRequest]) -> iam.DeleteServerCertificateResult:
        self.certificates.delete(self._server_certificate(ctx, ctx.params["ServerCertificateName"])[0])
        return {}

    def tag_server_certificate(self, ctx: Ctx[iam.TagServerCertificateRequest]) -> iam.TagServerCertificateResult:
        key, record = self._server_certificate(ctx, ctx.params["ServerCertificateName"])
        self.certificates.put(key, self._tagged(record, ctx.params["Tags"]))
        return {}

    def untag_server_certificate(self, ctx: Ctx[iam.UntagServerCertificateRequest]) -> iam.UntagServerCertificateResult:
        key, record = self._server_certificate(ctx, ctx.params["ServerCertificateName"])
        self.certificates.put(key, self._untagged(record, ctx.params["TagKeys"]))
        return {}

    def list_server_certificate_tags(
            self, ctx: Ctx[iam.ListServerCertificateTagsRequest]) -> iam.ListServerCertificateTagsResult:
        listed, more = self._page(ctx, self._server_certificate(ctx, ctx.params["ServerCertificateName"])[1]["Tags"])
        return {"Tags": listed, **more}

    def _user_credentials(self, ctx: RequestContext[Any], kind: str, user: str | None) -> list[tuple[Any, dict]]:
        owned = ((k, r) for k, r in self.certificates.items() if k[:2] == (ctx.account, kind) and r["UserName"] == user)
        return sorted(owned, key=lambda item: item[1]["UploadDate"])

    def _user_credential(self, ctx: RequestContext[Any], kind: str, user: str, credential_id: str,
                         missing: str) -> tuple[Any, dict]:
        key = (ctx.account, kind, credential_id)
        record = self.certificates.get(key)
        if record is None or record["UserName"] != user:
            raise _not_found(missing)
        return key, record

    def upload_signing_certificate(
            self, ctx: Ctx[iam.UploadSigningCertificateRequest]) -> iam.UploadSigningCertificateResult:
        user = self._user_name(ctx)
        certificate_expiry(ctx.params["CertificateBody"])
        if len(self._user_credentials(ctx, "signing-certificate", user)) >= 2:
            raise _limit("Cannot exceed quota for SigningCertificatesPerUser: 2")
        certificate_id = ctx.ids.upper_alnum(32)
        record = {"UserName": user, "CertificateId": certificate_id, "CertificateBody": ctx.params["CertificateBody"],
                  "Status": "Active", "UploadDate": ctx.time()}
        self.certificates.put((ctx.account, "signing-certificate", certificate_id), record)
        return {"Certificate": self._signing_out(record)}

    @staticmethod
    def _signing_out(record: dict) -> iam.SigningCertificate:
        return {"UserName": record["UserName"], "CertificateId": record["CertificateId"],
                "CertificateBody": record["CertificateBody"], "Status": record["Status"],
                "UploadDate": from_epoch(record["UploadDate"])}

    def list_signing_certificates(
            self, ctx: Ctx[iam.ListSigningCertificatesRequest]) -> iam.ListSigningCertificatesResult:
        records = self._user_credentials(ctx, "signing-certificate", self._user_name_or_root(ctx))
        listed, more = self._page(ctx, [self._signing_out(r) for _, r in records])
        return {"Certificates": listed, **more}

    def _signing_certificate(self, ctx: RequestContext[Any]) -> tuple[Any, dict]:
        certificate_id = ctx.params["CertificateId"]
        return self._user_credential(ctx, "signing-certificate", self._user_name(ctx), certificate_id,
                                     f"The Certificate with id {certificate_id} cannot be found.")

    def update_signing_certificate(
            self, ctx: Ctx[iam.UpdateSigningCertificateRequest]) -> iam.UpdateSigningCertificateResult:
        key, record = self._signing_certificate(ctx)
        self.certificates.put(key, {**record, "Status": ctx.params["Status"]})
        return {}

    def delete_signing_certificate(
            self, ctx: Ctx[iam.DeleteSigningCertificateRequest]) -> iam.DeleteSigningCertificateResult:
        self.certificates.delete(self._signing_certificate(ctx)[0])
        return {}

    def upload_ssh_public_key(self, ctx: Ctx[iam.UploadSSHPublicKeyRequest]) -> iam.UploadSSHPublicKeyResult:
        user = self._get("user", ctx, ctx.params["UserName"])["UserName"]
        body = ctx.params["SSHPublicKeyBody"].strip()
        parts = body.split()
        try:
            blob = base64.b64decode(parts[1], validate=True)
        except (IndexError, ValueError):
            raise iam.invalid_public_key_exception("Public key is malformed") from None
        if not parts[0].startswith("ssh-"):
            raise iam.unrecognized_public_key_encoding_exception("Unrecognized public key encoding")
        fingerprint = ":".join(f"{b:02x}" for b in hashlib.md5(blob).digest())
        if any(r["Fingerprint"] == fingerprint for _, r in self._user_credentials(ctx, "ssh-public-key", user)):
            raise iam.duplicate_ssh_public_key_exception("The SSH public key is already associated with the user")
        key_id = "APKA" + ctx.ids.upper_alnum(16)
        record = {"UserName": user, "SSHPublicKeyId": key_id, "Fingerprint": fingerprint, "SSHPublicKeyBody": body,
                  "Status": "Active", "UploadDate": ctx.time()}
        self.certificates.put((ctx.account, "ssh-public-key", key_id), record)
        return {"SSHPublicKey": self._ssh_out(record)}

    @staticmethod
    def _ssh_out(record: dict) -> iam.SSHPublicKey:
        return {"UserName": record["UserName"], "SSHPublicKeyId": record["SSHPublicKeyId"],
                "Fingerprint": record["Fingerprint"], "SSHPublicKeyBody": record["SSHPublicKeyBody"],
                "Status": record["Status"], "UploadDate": from_epoch(record["UploadDate"])}

    @staticmethod
    def _ssh_metadata(record: dict) -> iam.SSHPublicKeyMetadata:
        return {"UserName": record["UserName"], "SSHPublicKeyId": record["SSHPublicKeyId"],
                "Status": record["Status"], "UploadDate": from_epoch(record["UploadDate"])}

    def _ssh_key(self, ctx: RequestContext[Any]) -> tuple[Any, dict]:
        user = self._get("user", ctx, ctx.params["UserName"])["UserName"]
        key_id = ctx.params["SSHPublicKeyId"]
        return self._user_credential(ctx, "ssh-public-key", user, key_id,
                                     f"The Public Key with id {key_id} cannot be found.")

    def get_ssh_public_key(self, ctx: Ctx[iam.GetSSHPublicKeyRequest]) -> iam.GetSSHPublicKeyResult:
        return {"SSHPublicKey": self._ssh_out(self._ssh_key(ctx)[1])}

    def list_ssh_public_keys(self, ctx: Ctx[iam.ListSSHPublicKeysRequest]) -> iam.ListSSHPublicKeysResult:
        records = self._user_credentials(ctx, "ssh-public-key", self._user_name_or_root(ctx))
        listed, more = self._page(ctx, [self._ssh_metadata(r) for _, r in records])
        return {"SSHPublicKeys": listed, **more}

    def update_ssh_public_key(self, ctx: Ctx[iam.UpdateSSHPublicKeyRequest]) -> iam.UpdateSSHPublicKeyResult:
        key, record = self._ssh_key(ctx)
        self.certificates.put(key, {**record, "Status": ctx.params["Status"]})
        return {}

    def delete_ssh_public_key(self, ctx: Ctx[iam.DeleteSSHPublicKeyRequest]) -> iam.DeleteSSHPublicKeyResult:
        self.certificates.delete(self._ssh_key(ctx)[0])
        return {}

    def create_service_specific_credential(
            self, ctx: Ctx[iam.CreateServiceSpecificCredentialRequest]) -> iam.CreateServiceSpecificCredentialResult:
        user = self._get("user", ctx, ctx.params["UserName"])["UserName"]
        service = ctx.params["ServiceName"]
        if service not in _SERVICE_CREDENTIAL_SERVICES:
            raise _not_found(f"No such service {service} is supported for Service Specific Credentials")
        existing = self._user_credentials(ctx, "service-credential", user)
        if sum(1 for _, r in existing if r["ServiceName"] == service) >= 2:
            raise _limit("Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2")
        credential_id = "ACCA" + ctx.ids.upper_alnum(17)
        record = {"UserName": user, "ServiceName": service, "ServiceUserName": f"{user}-at-{ctx.account}",
                  "ServiceSpecificCredentialId": credential_id, "Status": "Active", "UploadDate": ctx.time()}
        self.certificates.put((ctx.account, "service-credential", credential_id), record)
        return self._with_new_password(ctx, record)

    def _with_new_password(self, ctx: RequestContext[Any],
                           record: dict) -> iam.CreateServiceSpecificCredentialResponse:
        """The credential as Create/Reset answer it (the two responses have one shape): with a new
        password (never stored)."""
        credential: iam.ServiceSpecificCredential = {
            "UserName": record["UserName"], "ServiceName": record["ServiceName"],
            "ServiceUserName": record["ServiceUserName"],
            "ServiceSpecificCredentialId": record["ServiceSpecificCredentialId"], "Status": record["Status"],
            "CreateDate": from_epoch(record["UploadDate"]), "ServicePassword": ctx.ids.b64(33)}
        return {"ServiceSpecificCredential": credential}

    @staticmethod
    def _service_credential_out(record: dict) -> iam.ServiceSpecificCredentialMetadata:
        return {"UserName": record["UserName"], "ServiceName": record["ServiceName"],
                "ServiceUserName": record["ServiceUserName"],
                "ServiceSpecificCredentialId": record["ServiceSpecificCredentialId"], "Status": record["Status"],
                "CreateDate": from_epoch(record["UploadDate"])}

    def _service_credential(self, ctx: RequestContext[Any]) -> tuple[Any, dict]:
        user = self._user_name(ctx)
        credential_id = ctx.params["ServiceSpecificCredentialId"]
        return self._user_credential(ctx, "service-credential", user, credential_id,
                                     f"No such credential {credential_id} exists")

    def list_service_specific_credentials(
            self, ctx: Ctx[iam.ListServiceSpecificCredentialsRequest]) -> iam.ListServiceSpecificCredentialsResult:
        service = ctx.params.get("ServiceName")
        records = [r for _, r in self._user_credentials(ctx, "service-credential", self._user_name_or_root(ctx))
                   if service is None or r["ServiceName"] == service]
        listed, more = self._page(ctx, [self._service_credential_out(r) for r in records])
        return {"ServiceSpecificCredentials": listed, **more}

    def update_service_specific_credential(
            self, ctx: Ctx[iam.UpdateServiceSpecificCredentialRequest]) -> iam.UpdateServiceSpecificCredentialResult:
        key, record = self._service_credential(ctx)
        self.certificates.put(key, {**record, "Status": ctx.params["Status"]})
        return {}

    def reset_service_specific_credential(
            self, ctx: Ctx[iam.ResetServiceSpecificCredentialRequest]) -> iam.ResetServiceSpecificCredentialResult:
        return self._with_new_password(ctx, self._service_credential(ctx)[1])

    def delete_service_specific_credential(
            self, ctx: Ctx[iam.DeleteServiceSpecificCredentialRequest]) -> iam.DeleteServiceSpecificCredentialResult:
        self.certificates.delete(self._service_credential(ctx)[0])
        return {}

    def change_password(self, ctx: Ctx[iam.ChangePasswordRequest]) -> iam.ChangePasswordResult:
        caller = self._caller_user(ctx)
        if caller is None:
            raise iam.invalid_user_type_exception("Only IAM Users can change their own password.")
        key = (ctx.account, caller["UserName"].lower())
        profile = self._login_profile(ctx, caller["UserName"])
        if profile["PasswordHash"] != self._password_hash(ctx.params["OldPassword"]):
            raise AwsError("AccessDenied", "The old password is incorrect.", 403)
        self._check_password(ctx.account, ctx.params["NewPassword"])
        self.login_profiles.put(key, {**profile, "PasswordHash": self._password_hash(ctx.params["NewPassword"]),
                                      "PasswordResetRequired": False})
        return {}

    def set_security_token_service_preferences(
            self, ctx: Ctx[iam.SetSecurityTokenServicePreferencesRequest]) -> iam.SetSecurityTokenServicePreferencesResult:
        version = 2 if ctx.params["GlobalEndpointTokenVersion"] == "v2Token" else 1
        self.accounts.put(ctx.account, {**self._account(ctx.account), "TokenVersion": version})
        return {}

    # == credential report =======================================================================
    def generate_credential_report(
            self, ctx: Ctx[iam.GenerateCredentialReportRequest]) -> iam.GenerateCredentialReportResult:
        account = self._account(ctx.account)
        report = account["Report"]
        if report is not None and ctx.time() - report["GeneratedTime"] < _REPORT_SECONDS:
            return {"State": "COMPLETE"}
        content = self._credential_report_csv(ctx)
        self.accounts.put(ctx.account, {**account, "Report": {"GeneratedTime": ctx.time(), "Content": content}})
        return {"State": "STARTED", "Description": "No report exists. Starting a new report generation task"}

    def _credential_report_csv(self, ctx: RequestContext[Any]) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(_REPORT_COLUMNS)
        root = ["<root_account>", ctx.arn("root", service="iam", region=""), _iso(0), "not_supported", "N/A",
                "not_supported", "not_supported", "false"]
        writer.writerow(root + ["false", "N/A", "N/A", "N/A", "N/A"] * 2 + ["false", "N/A"] * 2)
        for user in self._in_account("user", ctx.account):
            profile = self.login_profiles.get((ctx.account, user["UserName"].lower()))
            mfa = any(k[0] == ctx.account and d["UserName"] == user["UserName"] for k, d in self.mfa_devices.items())
            row = [user["UserName"], user["Arn"], _iso(user["CreateDate"]), str(profile is not None).lower(),
                   "N/A" if profile is None else "no_information",
                   "N/A" if profile is None else _iso(profile["CreateDate"]), "N/A", str(mfa).lower()]
            keys = sorted((k for k in self.access_keys.values()
                           if k["Account"] == ctx.account and k["UserName"] == user["UserName"]),
                          key=lambda k: k["CreateDate"])
            for slot in range(2):
                if slot < len(keys):
                    active = str(keys[slot]["Status"] == "Active").lower()
                    row += [active, _iso(keys[slot]["CreateDate"]), "N/A", "N/A", "N/A"]
                else:
                    row += ["false", "N/A", "N/A", "N/A", "N/A"]
            writer.writerow(row + ["false", "N/A"] * 2)
        return out.getvalue()

    def get_credential_report(self, ctx: Ctx[iam.GetCredentialReportRequest]) -> iam.GetCredentialReportResult:
        report = self._account(ctx.account)["Report"]
        if report is None:
            raise iam.credential_report_not_present_exception("Credential report not present.")
        if ctx.time() - report["GeneratedTime"] >= _REPORT_SECONDS:
            raise iam.credential_report_expired_exception("Credential report has expired.")
        return {"Content": report["Content"].encode(), "ReportFormat": "text/csv",
                "GeneratedTime": from_epoch(report["GeneratedTime"])}

    # == outbound web identity federation =========================================================
    def enable_outbound_web_identity_federation(
            self, ctx: Ctx[iam.EnableOutboundWebIdentityFederationRequest]) -> iam.EnableOutboundWebIdentityFederationResult:
        account = self._account(ctx.account)
        if account.get("OutboundEnabled"):
            raise iam.feature_enabled_exception(
                "Outbound web identity federation is already enabled for this account.")
        # the account keeps its issuer URL: enabling it again after disabling gives the same one
        issuer = account.get("OutboundIssuer") or f"https://{ctx.ids.uuid4()}.tokens.sts.global.api.aws"
        self.accounts.put(ctx.account, {**account, "OutboundEnabled": True, "OutboundIssuer": issuer})
        return {"IssuerIdentifier": issuer}

    def get_outbound_web_identity_federation_info(
            self, ctx: Ctx[iam.GetOutboundWebIdentityFederationInfoRequest]
    ) -> iam.GetOutboundWebIdentityFederationInfoResult:
        return {"IssuerIdentifier": self._outbound_issuer(ctx), "JwtVendingEnabled": True}

    def disable_outbound_web_identity_federation(
            self, ctx: Ctx[iam.DisableOutboundWebIdentityFederationRequest]) -> NoMembers:
        self._outbound_issuer(ctx)
        self.accounts.put(ctx.account, {**self._account(ctx.account), "OutboundEnabled": False})
        return {}

    def _outbound_issuer(self, ctx: RequestContext[Any]) -> str:
        account = self._account(ctx.account)
        if not account.get("OutboundEnabled"):
            raise iam.feature_disabled_exception("Outbound web identity federation is not enabled for this account.")
        issuer: str = account["OutboundIssuer"]
        return issuer

    # == access advisor: when services were last accessed =========================================
    def generate_service_last_accessed_details(
            self, ctx: Ctx[iam.GenerateServiceLastAccessedDetailsRequest]) -> iam.GenerateServiceLastAccessedDetailsResponse:
        policies, entities = self._access_scope(ctx, ctx.params["Arn"])
        job_id = ctx.ids.uuid4()
        self.access_reports.put((ctx.account, job_id), {
            "Arn": ctx.params["Arn"], "JobType": ctx.params.get("Granularity", "SERVICE_LEVEL"),
            "CreateDate": ctx.time(), "Services": granted_namespaces(policies),
            "Entities": [self._entity_info(kind, record) for kind, record in entities]})
        return {"JobId": job_id}

    def _access_scope(self, ctx: RequestContext[Any], arn: str) -> tuple[list[Policy], list[tuple[str, dict]]]:
        """The permissions policies a report on ``arn`` reads, and the users and roles that could use them."""
        match = _ENTITY_ARN.match(arn)
        if is_aws_policy_arn(arn) or (match is not None and match.group(2) == "policy"):
            policy = self._policy(ctx, arn)
            users_and_roles: list[tuple[str, dict]] = []
            for kind, name in sorted(self._attached.get((ctx.account, arn), ())):
                users_and_roles += self._acting_with(ctx, kind, self.tables[kind][(ctx.account, name)])
            return [Policy.parse(policy["Versions"][policy["DefaultVersionId"]]["Document"])], users_and_roles
        kind, record = self._entity_by_arn(ctx, arn)
        policies = [policy for _, owner in self._policy_owners(ctx, kind, record)
                    for policy in self._owned_policies(owner)]
        return policies, self._acting_with(ctx, kind, record)

    def _acting_with(self, ctx: RequestContext[Any], kind: str, record: dict) -> list[tuple[str, dict]]:
        """Who acts with an entity's policies: a group's users, else the user or role itself."""
        if kind == "group":
            return [("user", user) for user in self._group_members(ctx.account, record["GroupName"])]
        return [(kind, record)]

    @staticmethod
    def _entity_info(kind: str, record: dict) -> iam.EntityInfo:
        spec = KINDS[kind]
        return {"Arn": record["Arn"], "Name": record[spec.field], "Type": kind.upper(), "Id": record[f"{spec.label}Id"],
                "Path": record["Path"]}

    def get_service_last_accessed_details(
            self, ctx: Ctx[iam.GetServiceLastAccessedDetailsRequest]) -> iam.GetServiceLastAccessedDetailsResponse:
        report = self._access_report(ctx)
        services: list[iam.ServiceLastAccessed] = [
            {"ServiceName": SERVICE_NAMES[namespace], "ServiceNamespace": namespace, "TotalAuthenticatedEntities": 0}
            for namespace in report["Services"]]
        page, more = self._page(ctx, services)
        return {"JobStatus": "COMPLETED", "JobType": report["JobType"], "JobCreationDate": from_epoch(report["CreateDate"]),
                "JobCompletionDate": from_epoch(report["CreateDate"]), "ServicesLastAccessed": page, **more}

    def get_service_last_accessed_details_with_entities(
            self, ctx: Ctx[iam.GetServiceLastAccessedDetailsWithEntitiesRequest]
    ) -> iam.GetServiceLastAccessedDetailsWithEntitiesResponse:
        report = self._access_report(ctx)
        namespace = ctx.params["ServiceNamespace"]
        if namespace not in SERVICE_NAMES:
            raise iam.invalid_input_exception(f"Invalid service namespace: {namespace}")
        granted = namespace in report["Services"]
        details: list[iam.EntityDetails] = [{"EntityInfo": info} for info in report["Entities"]] if granted else []
        page, more = self._page(ctx, details)
        return {"JobStatus": "COMPLETED", "JobCreationDate": from_epoch(report["CreateDate"]),
                "JobCompletionDate": from_epoch(report["CreateDate"]), "EntityDetailsList": page, **more}

    def _access_report(self, ctx: RequestContext[Any]) -> dict:
        report = self.access_reports.get((ctx.account, ctx.params["JobId"]))
        if report is None:
            raise _not_found(f"No job found with id {ctx.params['JobId']}.")
        return report

    # == authorization details ===================================================================
    def _inline_list(self, record: dict) -> list[iam.PolicyDetail]:
        return [{"PolicyName": name, "PolicyDocument": quote(doc)} for name, doc in sorted(record["Inline"].items())]

    @staticmethod
    def _attached_list(record: dict) -> list[iam.AttachedPolicy]:
        return [{"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn} for arn in record["Attached"]]

    def _user_detail(self, ctx: RequestContext[Any], user: dict) -> iam.UserDetail:
        out: iam.UserDetail = {"Path": user["Path"], "UserName": user["UserName"], "UserId": user["UserId"],
                               "Arn": user["Arn"], "CreateDate": from_epoch(user["CreateDate"])}
        self._boundary(user, out)
        self._with_tags(out, user)
        out["UserPolicyList"] = self._inline_list(user)
        out["GroupList"] = list(user["Groups"])
        out["AttachedManagedPolicies"] = self._attached_list(user)
        return out

    def _group_detail(self, ctx: RequestContext[Any], group: dict) -> iam.GroupDetail:
        return {**self._group_out(group), "GroupPolicyList": self._inline_list(group),
                "AttachedManagedPolicies": self._attached_list(group)}

    def _role_detail(self, ctx: RequestContext[Any], role: dict) -> iam.RoleDetail:
        out: iam.RoleDetail = {"Path": role["Path"], "RoleName": role["RoleName"], "RoleId": role["RoleId"],
                               "Arn": role["Arn"], "CreateDate": from_epoch(role["CreateDate"]),
                               "AssumeRolePolicyDocument": quote(role["AssumeRolePolicyDocument"])}
        self._boundary(role, out)
        self._with_tags(out, role)
        out["RoleLastUsed"] = {}
        profiles = [p for p in self._in_account("instance_profile", ctx.account) if role["RoleName"] in p["Roles"]]
        out["InstanceProfileList"] = [self._profile_out(ctx, p) for p in profiles]
        out["RolePolicyList"] = self._inline_list(role)
        out["AttachedManagedPolicies"] = self._attached_list(role)
        return out

    def _policy_detail(self, ctx: RequestContext[Any], policy: dict) -> iam.ManagedPolicyDetail:
        out: iam.ManagedPolicyDetail = {
            "PolicyName": policy["PolicyName"], "PolicyId": policy["PolicyId"], "Arn": policy["Arn"],
            "Path": policy["Path"], "DefaultVersionId": policy["DefaultVersionId"],
            "AttachmentCount": self._attachment_count(ctx.account, policy["Arn"]),
            "PermissionsBoundaryUsageCount": self._boundary_count(ctx.account, policy["Arn"]), "IsAttachable": True,
            "CreateDate": from_epoch(policy["CreateDate"]), "UpdateDate": from_epoch(policy["UpdateDate"])}
        if policy.get("Description"):
            out["Description"] = policy["Description"]
        ordered = sorted(policy["Versions"], key=lambda v: int(v[1:]), reverse=True)
        out["PolicyVersionList"] = [self._version_out(policy, v) for v in ordered]
        return out

    def get_account_authorization_details(
            self, ctx: Ctx[iam.GetAccountAuthorizationDetailsRequest]) -> iam.GetAccountAuthorizationDetailsResult:
        wanted = set(ctx.params.get("Filter") or ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"])
        rows: list[tuple[str, dict]] = []
        for kind, label in (("user", "User"), ("group", "Group"), ("role", "Role")):
            if label in wanted:
                rows += [(kind, r) for r in self._in_account(kind, ctx.account)]
        if "LocalManagedPolicy" in wanted:
            rows += [("policy", policy) for policy in self._local_policies(ctx.account)]
        if "AWSManagedPolicy" in wanted:
            aws_policies = (self._aws_policy(name, arn_prefix(ctx.region)) for name in sorted(AWS_MANAGED_POLICIES))
            rows += [("policy", policy) for policy in aws_policies if self._attachment_count(ctx.account, policy["Arn"])]
        listed, more = self._page(ctx, rows)
        users: list[iam.UserDetail] = []
        groups: list[iam.GroupDetail] = []
        roles: list[iam.RoleDetail] = []
        policies: list[iam.ManagedPolicyDetail] = []
        for kind, record in listed:
            if kind == "user":
                users.append(self._user_detail(ctx, record))
            elif kind == "group":
                groups.append(self._group_detail(ctx, record))
            elif kind == "role":
                roles.append(self._role_detail(ctx, record))
            else:
                policies.append(self._policy_detail(ctx, record))
        return {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies,
                **more}

    # == policy simulation =======================================================================
    def _input_policies(self, ctx: RequestContext[Any], key: str) -> list[Policy]:
        policies = []
        for index, text in enumerate(ctx.params.get(key, []), start=1):
            documents.parse(text)
            policies.append(Policy.parse(text, f"{key}.{index}", "none"))
        return policies

    def _entity_by_arn(self, ctx: RequestContext[Any], arn: str) -> tuple[str, dict]:
        """(kind, record) of the user, group or role an ARN names, in the caller's account."""
        match = _ENTITY_ARN.match(arn)
        if match is None or match.group(2) not in _KINDS or match.group(1) != ctx.account:
            raise iam.invalid_input_exception(
                f"Invalid Entity Arn: {arn} does not clearly define entity type and name.")
        kind, name = match.group(2), match.group(4)
        record = self.tables[kind].get((ctx.account, name.lower()))
        if record is None:
            raise _not_found(KINDS[kind].missing.format(name))
        return kind, record

    def _policy_owners(self, ctx: RequestContext[Any], kind: str, record: dict) -> list[tuple[str, dict]]:
        """The entity and, for a user, its groups: whose policies apply to it."""
        owners = [(kind, record)]
        if kind == "user":
            groups = (self.tables["group"].get((ctx.account, name.lower())) for name in record["Groups"])
            owners += [("group", group) for group in groups if group is not None]
        return owners

    def _simulated_principal(self, ctx: RequestContext[Any], arn: str) -> tuple[dict, PolicySet, PolicySet | None]:
        """(record, identity policies, permissions boundary) of the user, group or role a simulation
        names: the same policies enforcement reads."""
        kind, record = self._entity_by_arn(ctx, arn)
        found = self.principal_policies(record["Arn"]) if kind != "group" else None
        if found is None:
            return record, PolicySet(self._owned_policies(record)), None
        return record, found.identity, found.boundary

    @staticmethod
    def _managed_type(arn: str) -> str:
        return "aws-managed" if is_aws_policy_arn(arn) else "user-managed"

    def list_policies_granting_service_access(
            self, ctx: Ctx[iam.ListPoliciesGrantingServiceAccessRequest]) -> iam.ListPoliciesGrantingServiceAccessResult:
        kind, record = self._entity_by_arn(ctx, ctx.params["Arn"])
        owners = self._policy_owners(ctx, kind, record)
        result: list[iam.ListPoliciesGrantingServiceAccessEntry] = []
        for namespace in ctx.params["ServiceNamespaces"]:
            granting: list[iam.PolicyGrantingServiceAccess] = []
            for owner_kind, owner in owners:
                for name, document in sorted(owner["Inline"].items()):
                    if grants_service(Policy.parse(document), namespace):
                        granting.append({"PolicyName": name, "PolicyType": "INLINE", "EntityType": owner_kind.upper(),
                                         "EntityName": owner[KINDS[owner_kind].field]})
                for arn in owner["Attached"]:
                    # read as enforcement reads it: the entity holds the ARN in the partition it was attached in
                    policy = self.managed_policy(arn)
                    if policy is not None and grants_service(policy, namespace):
                        granting.append({"PolicyName": policy.source_id, "PolicyType": "MANAGED", "PolicyArn": arn})
            result.append({"ServiceNamespace": namespace, "Policies": granting})
        return {"PoliciesGrantingServiceAccess": result, "IsTruncated": False}

    def simulate_principal_policy(
            self, ctx: Ctx[iam.SimulatePrincipalPolicyRequest]) -> iam.SimulatePrincipalPolicyResult:
        source = ctx.params["PolicySourceArn"]
        record, identity, boundary = self._simulated_principal(ctx, source)
        identity = PolicySet([*identity.policies, *self._input_policies(ctx, "PolicyInputList")])
        boundary = self._input_boundary(ctx) or boundary
        user_id = record.get("UserId", record.get("RoleId", ""))
        context = {"aws:username": record.get("UserName", ""), "aws:userid": user_id}
        caller = ctx.params.get("CallerArn", source)
        return self._simulate(ctx, identity, boundary, caller, {k: v for k, v in context.items() if v})

    def simulate_custom_policy(self, ctx: Ctx[iam.SimulateCustomPolicyRequest]) -> iam.SimulateCustomPolicyResult:
        identity = PolicySet(self._input_policies(ctx, "PolicyInputList"))
        return self._simulate(ctx, identity, self._input_boundary(ctx), ctx.params.get("CallerArn"), {})

    def _input_boundary(self, ctx: RequestContext[Any]) -> PolicySet | None:
        """The permissions boundary passed in; it replaces the entity's own (API reference)."""
        boundaries = self._input_policies(ctx, "PermissionsBoundaryPolicyInputList")
        return PolicySet(boundaries) if boundaries else None

    def _simulate(self, ctx: RequestContext[Any], identity: PolicySet, boundary: PolicySet | None,
                  caller: str | None, context: dict[str, ContextValue]) -> iam.SimulatePolicyResponse:
        """Each action on each resource decided by ``evaluator.authorize``, as enforcement decides calls.
        The resource policy is treated as attached to every resource; its owner is ``ResourceOwner``
        (or the resource ARN's account), else the caller's account (API reference, SimulateCustomPolicy)."""
        params = ctx.params
        context = {**context, "aws:CurrentTime": _iso(ctx.time()), "aws:EpochTime": str(int(ctx.time()))}
        caller_account = ctx.account
        if caller:
            if len(caller.split(":")) < 6:  # the same answer as for other unparsable ARNs here
                raise AwsError("ValidationError", "Invalid ARN:  Could not be parsed!")
            caller_account = caller.split(":")[4]
            context["aws:PrincipalArn"] = caller
            context["aws:PrincipalAccount"] = caller_account
        for entry in params.get("ContextEntries", []):
            if "ContextKeyName" in entry:  # optional in the model; an entry naming no key sets none (inferred)
                context[entry["ContextKeyName"]] = list(entry.get("ContextKeyValues", []))
        resource_policy = None
        if "ResourcePolicy" in params:
            documents.parse(params["ResourcePolicy"])
            resource_policy = PolicySet([Policy.parse(params["ResourcePolicy"], "ResourcePolicy", "resource")])
        owner = self._resource_owner(params.get("ResourceOwner")) or caller_account
        invalid = [arn for arn in params.get("ResourceArns", []) if arn != "*" and not arn.startswith("arn:")]
        if invalid:  # AWS's words (amazon-ecs-exec-checker#35, a key id given as a resource)
            raise iam.invalid_input_exception(f"ResourceNames are not in a valid ARN format: {invalid[0]}.")
        results: list[iam.EvaluationResult] = []
        for action in params["ActionNames"]:
            for resource in params.get("ResourceArns") or ["*"]:
                missing: list[str] = []
                request = Request(action, resource, principal=caller, context=context)
                # without a resource policy only the identity side is simulated (none is looked up)
                same_account = resource_policy is None or (_account_of_arn(resource) or owner) == caller_account
                outcome = authorize(request, identity, resource=resource_policy, boundary=boundary,
                                    same_account=same_account, missing=missing,
                                    resource_decides=resource_policy is not None and resource_decides(action, resource))
                results.append(_evaluation_result(action, resource, outcome, list(dict.fromkeys(missing)),
                                                  specific=resource != "*"))
        page, more = self._page(ctx, results)
        return {"EvaluationResults": page, **more}

    @staticmethod
    def _resource_owner(owner: str | None) -> str:
        """The account of a ResourceOwner, given as ``arn:aws:iam::<account>:root`` (API reference); a
        bare account id is refused with AWS's words (boto/botocore#1346)."""
        if owner is None:
            return ""
        account = _account_of_arn(owner)
        if not (account.isdigit() and len(account) == 12):
            raise iam.invalid_input_exception(f"'{owner}' is not a valid as a Resource Owner.")
        return account

    @staticmethod
    def _context_keys(texts: Iterable[str]) -> list[str]:
        keys: dict[str, None] = {}
        for text in texts:
            for statement in Policy.parse(documents.parse(text)).statements:
                for block in (statement.body.get("Condition") or {}).values():
                    keys.update(dict.fromkeys(block))
        return sorted(keys, key=str.lower)

    def get_context_keys_for_custom_policy(
            self, ctx: Ctx[iam.GetContextKeysForCustomPolicyRequest]) -> iam.GetContextKeysForCustomPolicyResult:
        return {"ContextKeyNames": self._context_keys(ctx.params["PolicyInputList"])}

    def get_context_keys_for_principal_policy(
            self, ctx: Ctx[iam.GetContextKeysForPrincipalPolicyRequest]) -> iam.GetContextKeysForPrincipalPolicyResult:
        _, identity, _ = self._simulated_principal(ctx, ctx.params["PolicySourceArn"])
        texts = [json.dumps({"Statement": [s.body for s in p.statements]}) for p in identity.policies]
        return {"ContextKeyNames": self._context_keys(texts + list(ctx.params.get("PolicyInputList", [])))}

    # == inspection ==============================================================================
    def summary(self) -> dict[str, Any]:
        def rows(kind: str) -> list[dict[str, Any]]:
            field = KINDS[kind].field
            return [{"name": r[field], "account": key[0], "region": "global", "arn": r["Arn"],
                     "attached": len(r.get("Attached", [])), "inline": len(r.get("Inline", {}))}
                    for key, r in self.tables[kind].items()]
        return {
            "users": rows("user"), "groups": rows("group"), "roles": rows("role"),
            "instance_profiles": [{"name": r["InstanceProfileName"], "account": key[0], "region": "global",
                                   "roles": list(r["Roles"])} for key, r in self.tables["instance_profile"].items()],
            "policies": [{"name": r["PolicyName"], "account": key[0], "region": "global", "arn": r["Arn"],
                          "versions": len(r["Versions"]), "default": r["DefaultVersionId"],
                          "attachments": self._attachment_count(key[0], r["Arn"])} for key, r in self.policies.items()],
            "access_keys": [{"name": key_id, "account": r["Account"], "region": "global", "user": r["UserName"],
                             "status": r["Status"]} for key_id, r in self.access_keys.items()],
        }

    # == enforcement (services/iam/enforcement.py) ================================================
    def principal_policies(self, arn: str) -> PrincipalPolicies | None:
        """A user's or role's policies, boundary and tags, parsed once and kept until IAM changes;
        None when IAM holds no such user or role."""
        cached = self._authorization.get(arn)
        if cached is not None:
            return cached
        match = _ENTITY_ARN.match(arn)
        if match is None or match.group(2) not in ("user", "role"):
            return None
        kind, account = match.group(2), match.group(1)
        record = self.tables[kind].get((account, match.group(4).lower()))
        if record is None or record["Arn"] != arn:
            return None
        owners = [record] + [group for group in (self.tables["group"].get((account, name.lower()))
                                                 for name in record.get("Groups", ())) if group is not None]
        policies = [policy for owner in owners for policy in self._owned_policies(owner)]
        boundary = self.managed_policy(record["PermissionsBoundary"]) if record.get("PermissionsBoundary") else None
        cached = self._authorization[arn] = PrincipalPolicies(
            PolicySet(policies), PolicySet([boundary]) if boundary is not None else None,
            {tag["Key"]: tag["Value"] for tag in record.get("Tags", ())})
        return cached

    def _owned_policies(self, owner: dict) -> list[Policy]:
        kind = owner["Arn"].split(":")[5].split("/")[0]
        entity = owner["Arn"].rsplit("/", 1)[1]
        # an inline policy is named <kind>_<entity>_<policy>, as the simulation names it (Terraform's
        # acceptance test TestAccIAMPrincipalPolicySimulationDataSource_basic, run against AWS)
        policies = [Policy.parse(document, f"{kind}_{entity}_{name}", kind)
                    for name, document in sorted(owner["Inline"].items())]
        managed = (self.managed_policy(arn) for arn in owner["Attached"])
        return policies + [policy for policy in managed if policy is not None]

    def _managed_record(self, arn: str) -> dict | None:
        """A customer or AWS managed policy by ARN, AWS ones in any partition; None when there is none."""
        name = aws_policy_name(arn)
        if name is not None:
            return self._aws_policy(name, arn_prefix_of(arn))
        match = _ENTITY_ARN.match(arn)
        found = self.policies.get((match.group(1), match.group(4))) if match and match.group(2) == "policy" else None
        return found if found is not None and found["Arn"] == arn else None

    def managed_policy(self, arn: str) -> Policy | None:
        """The default version of a customer or AWS managed policy (AWS ones in any partition), parsed;
        None when there is none."""
        record = self._managed_record(arn)
        if record is None:
            return None
        return Policy.parse(record["Versions"][record["DefaultVersionId"]]["Document"], record["PolicyName"],
                            self._managed_type(arn))

    def resource_facts(self, arn: str) -> dict[str, Any] | None:
        """ResourcePolicyPort: a role's trust policy is the resource policy of sts:AssumeRole*."""
        record = self._role_by_arn(arn)
        if record is None:
            return None
        return {"Arn": record["Arn"], "Policy": record["AssumeRolePolicyDocument"],
                "Tags": {tag["Key"]: tag["Value"] for tag in record.get("Tags", ())}}

    # == IdentityPort ============================================================================
    def _role_by_arn(self, role_arn: str) -> dict | None:
        match = _ENTITY_ARN.match(role_arn)
        if match is None or match.group(2) != "role":
            return None
        record = self.tables["role"].get((match.group(1), match.group(4).lower()))
        return record if record is not None and record["Arn"] == role_arn else None

    def role_exists(self, role_arn: str) -> bool:
        return self._role_by_arn(role_arn) is not None

    def role_record(self, role_arn: str) -> dict | None:
        record = self._role_by_arn(role_arn)
        if record is None:
            return None
        # the port hands the trust policy over parsed, unlike the API's URL-encoded text
        return {**self._role_out(record), "AssumeRolePolicyDocument": json.loads(record["AssumeRolePolicyDocument"])}

    def principal_for_access_key(self, access_key: str) -> dict | None:
        record = self.access_keys.get(access_key)
        if record is None or record["Status"] != "Active":
            return None
        user = self.tables["user"].get((record["Account"], record["UserName"].lower()))
        if user is None:
            return None
        return {"Account": record["Account"], "Arn": user["Arn"], "UserId": user["UserId"],
                "UserName": user["UserName"]}

    def identity_provider(self, provider_arn: str) -> dict | None:
        parts = provider_arn.split(":")
        record = self.providers.get((parts[4], provider_arn)) if len(parts) > 5 else None
        if record is None:
            return None
        return {key: value for key, value in record.items() if key != "Metadata"}

    def trust_allows(self, role_arn: str, principal: str, *, principal_kind: str = "AWS",
                     aliases: Sequence[str] = (), action: str = "sts:AssumeRole",
                     context: Mapping[str, ContextValue] | None = None) -> bool:
        record = self._role_by_arn(role_arn)
        if record is None:
            return False
        trust = PolicySet([Policy.parse(record["AssumeRolePolicyDocument"], "trust", "resource")])
        request = Request(action, role_arn, principal=principal, principal_aliases=tuple(aliases),
                          principal_kind=principal_kind,  # type: ignore[arg-type]
                          context=dict(context or {}))
        # the trust policy alone decides here: the caller's own policies are enforcement's to check
        return authorize(request, UNCHECKED_IDENTITY, resource=trust, same_account=False).allowed
