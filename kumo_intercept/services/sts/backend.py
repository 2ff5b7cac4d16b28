"""STS: who is calling, and temporary credentials that act as someone else.

Credentials the emulator issues are kept in the ``sts.credentials`` table, keyed by access key id;
the dispatcher looks a client's key up there to choose the account it acts in (see
``Emulator.account_for``). Roles are not checked against IAM: any well-formed role ARN can be assumed.
"""

from __future__ import annotations

import re
from typing import Any

from ...api import sts
from ...core.clock import from_epoch
from ...core.dispatch import Ctx, RequestContext, ServiceBackend
from ...core.errors import AwsError
from . import schema

_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$")
_DEFAULT_SESSION_SECONDS = 3600
_DEFAULT_TOKEN_SECONDS = 43200
#: AssumeRole's limit when the role's MaxSessionDuration is the default (IAM is not emulated).
_ROLE_MAX_SESSION_SECONDS = 3600


class StsBackend(ServiceBackend):
    service_name = "sts"
    input_error_code = "ValidationError"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.credentials = schema.CREDENTIALS.open(self.store)

    # -- identity -----------------------------------------------------------------------------
    def _identity(self, ctx: RequestContext[Any]) -> sts.GetCallerIdentityResult:
        issued = self.credentials.get(ctx.access_key) if ctx.access_key else None
        if issued is not None:
            return {"UserId": issued["UserId"], "Account": issued["Account"], "Arn": issued["Arn"]}
        return {"UserId": ctx.account, "Account": ctx.account, "Arn": f"arn:aws:iam::{ctx.account}:root"}

    def get_caller_identity(self, ctx: Ctx[sts.GetCallerIdentityRequest]) -> sts.GetCallerIdentityResult:
        return self._identity(ctx)

    # -- temporary credentials ----------------------------------------------------------------
    def _issue(self, ctx: RequestContext[Any], seconds: int,
               identity: sts.GetCallerIdentityResult) -> sts.Credentials:
        access_key = ctx.ids.access_key_id("ASIA")
        expires = ctx.time() + seconds
        record = {**identity, "Expiration": expires}
        self.credentials.put(access_key, record)
        return {
            "AccessKeyId": access_key,
            "SecretAccessKey": ctx.ids.chars(40),
            "SessionToken": "FwoGZXIvYXdzE" + ctx.ids.b64(96),
            "Expiration": from_epoch(int(expires)),
        }

    def get_session_token(self, ctx: Ctx[sts.GetSessionTokenRequest]) -> sts.GetSessionTokenResult:
        seconds = ctx.params.get("DurationSeconds", _DEFAULT_TOKEN_SECONDS)
        return {"Credentials": self._issue(ctx, seconds, self._identity(ctx))}

    def assume_role(self, ctx: Ctx[sts.AssumeRoleRequest]) -> sts.AssumeRoleResult:
        params = ctx.params
        role_arn = params["RoleArn"]
        match = _ROLE_ARN.match(role_arn)
        if match is None:
            raise AwsError("ValidationError", f"{role_arn} is invalid")
        seconds = params.get("DurationSeconds", _DEFAULT_SESSION_SECONDS)
        if seconds > _ROLE_MAX_SESSION_SECONDS:
            raise AwsError(
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            )
        account, role_name = match.groups()
        session_name = params["RoleSessionName"]
        role_id = "AROA" + ctx.ids.upper_alnum(17)
        identity: sts.GetCallerIdentityResult = {
            "UserId": f"{role_id}:{session_name}",
            "Account": account,
            "Arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}",
        }
        response: sts.AssumeRoleResult = {
            "Credentials": self._issue(ctx, seconds, identity),
            "AssumedRoleUser": {"AssumedRoleId": identity["UserId"], "Arn": identity["Arn"]},
        }
        if "Policy" in params or "PolicyArns" in params or "Tags" in params:
            response["PackedPolicySize"] = self._packed_policy_percent(params)
        if "SourceIdentity" in params:
            response["SourceIdentity"] = params["SourceIdentity"]
        return response

    @staticmethod
    def _packed_policy_percent(params: sts.AssumeRoleRequest) -> int:
        """AWS reports how full the packed session policy is, in percent of its limit."""
        size = len(params.get("Policy", "")) + sum(len(p["arn"]) for p in params.get("PolicyArns", []))
        size += sum(len(t["Key"]) + len(t["Value"]) for t in params.get("Tags", []))
        percent = max(1, size * 100 // 2048)
        if percent > 100:
            raise sts.packed_policy_too_large_exception(
                f"Packed size of consumed session policies and session tags exceeds 2048 "
                f"characters by {size * 100 // 2048 - 100}%.")
        return percent
