"""STS: who is calling, and temporary credentials that act as someone else.

Credentials the emulator issues are kept in the ``sts.credentials`` table, keyed by access key id,
with the identity they act as and their expiry on the emulator clock; the dispatcher looks a
client's key up there to choose the account it acts in (see ``Emulator.account_for``) and answers
``ExpiredToken`` once they have expired. An IAM user's access key acts as that user (asked through
``emulator.ports.identity``).

Roles are IAM's: AssumeRole* needs the role to exist and its trust policy to allow the caller
(checked through the identity port's ``trust_allows``), and honours its MaxSessionDuration.
Services acting as a role (Lambda's execution role) get its session credentials through the
``CredentialsPort`` (``issue_role_session``), as AWS services assume roles without a client call;
``session_for_access_key`` tells IAM enforcement whom credentials act as, with the session policies
and tags AssumeRole* and GetFederationToken were given.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import xml.etree.ElementTree as ElementTree
from typing import Any, Mapping, Sequence

from ...core.clock import from_epoch
from ...api import sts
from ...core.dispatch import Ctx, RequestContext, ServiceBackend
from ...core.errors import AwsError
from ...core.partitions import arn_prefix_of
from . import schema

_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$")
_DEFAULT_SESSION_SECONDS = 3600
_DEFAULT_TOKEN_SECONDS = 43200
_ROOT_MAX_SECONDS = 3600
_CHAINED_MAX_SECONDS = 3600
_SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"
_SESSION_NAME_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"


def _access_denied(message: str) -> AwsError:
    return AwsError("AccessDenied", message, 403)


class StsBackend(ServiceBackend):
    service_name = "sts"
    input_error_code = "ValidationError"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.credentials = schema.CREDENTIALS.open(self.store)

    # -- identity -----------------------------------------------------------------------------
    def _caller(self, ctx: RequestContext[Any]) -> dict[str, Any]:
        """Who is calling: ``UserId``, ``Account``, ``Arn``, and ``Kind`` (root, user, session,
        assumed-role, federated-user); assumed roles also carry ``RoleArn``."""
        if ctx.access_key:
            issued = self.credentials.get(ctx.access_key)
            if issued is not None:
                return issued
            user = self.emulator.iam_principal(ctx.access_key)
            if user is not None:
                return {"UserId": user["UserId"], "Account": user["Account"], "Arn": user["Arn"], "Kind": "user"}
        return {"UserId": ctx.account, "Account": ctx.account, "Arn": ctx.arn("root", service="iam", region=""),
                "Kind": "root"}

    def get_caller_identity(self, ctx: Ctx[sts.GetCallerIdentityRequest]) -> sts.GetCallerIdentityResult:
        caller = self._caller(ctx)
        return {"UserId": caller["UserId"], "Account": caller["Account"], "Arn": caller["Arn"]}

    def get_access_key_info(self, ctx: Ctx[sts.GetAccessKeyInfoRequest]) -> sts.GetAccessKeyInfoResult:
        return {"Account": self.emulator.account_for(ctx.params["AccessKeyId"])}

    def decode_authorization_message(
            self, ctx: Ctx[sts.DecodeAuthorizationMessageRequest]) -> sts.DecodeAuthorizationMessageResult:
        # no emulated service issues encoded authorization messages yet, so none can be decoded
        raise sts.invalid_authorization_message_exception("The authorization message is invalid.")

    # -- temporary credentials ----------------------------------------------------------------
    def _issue(self, ctx: RequestContext[Any], seconds: int, identity: Mapping[str, Any]) -> sts.Credentials:
        credentials = self._new_credentials(seconds, identity)
        return {"AccessKeyId": credentials["AccessKeyId"], "SecretAccessKey": credentials["SecretAccessKey"],
                "SessionToken": credentials["SessionToken"], "Expiration": from_epoch(int(credentials["Expiration"]))}

    def _new_credentials(self, seconds: int, identity: Mapping[str, Any]) -> dict[str, Any]:
        """Stored credentials acting as ``identity``; ``Expiration`` in epoch seconds."""
        ids = self.emulator.ids
        access_key = ids.access_key_id("ASIA")
        expires = self.emulator.clock.time() + seconds
        self.credentials.put(access_key, {**identity, "Expiration": expires})
        return {"AccessKeyId": access_key, "SecretAccessKey": ids.chars(40),
                "SessionToken": "FwoGZXIvYXdzE" + ids.b64(96), "Expiration": expires}

    def _refuse_session_credentials(self, ctx: RequestContext[Any], caller: Mapping[str, Any]) -> None:
        if caller["Kind"] not in ("root", "user"):
            raise _access_denied(f"Cannot call {ctx.operation} with session credentials")

    def get_session_token(self, ctx: Ctx[sts.GetSessionTokenRequest]) -> sts.GetSessionTokenResult:
        caller = self._caller(ctx)
        self._refuse_session_credentials(ctx, caller)
        seconds = ctx.params.get("DurationSeconds", _DEFAULT_TOKEN_SECONDS)
        if caller["Kind"] == "root":
            seconds = min(seconds, _ROOT_MAX_SECONDS)
        identity = {**caller, "Kind": "session"}
        return {"Credentials": self._issue(ctx, seconds, identity)}

    def get_federation_token(self, ctx: Ctx[sts.GetFederationTokenRequest]) -> sts.GetFederationTokenResult:
        caller = self._caller(ctx)
        self._refuse_session_credentials(ctx, caller)
        params = ctx.params
        seconds = params.get("DurationSeconds", _DEFAULT_TOKEN_SECONDS)
        if caller["Kind"] == "root":
            seconds = min(seconds, _ROOT_MAX_SECONDS)
        name, account = params["Name"], caller["Account"]
        identity = {"UserId": f"{account}:{name}", "Account": account,
                    "Arn": ctx.arn(f"federated-user/{name}", service="sts", region="", account=account), "Kind": "federated-user",
                    "ParentArn": caller["Arn"], **self._session_limits(params)}
        response: sts.GetFederationTokenResponse = {
            "Credentials": self._issue(ctx, seconds, identity),
            "FederatedUser": {"FederatedUserId": identity["UserId"], "Arn": identity["Arn"]},
        }
        if "Policy" in params or "PolicyArns" in params or "Tags" in params:
            response["PackedPolicySize"] = self._packed_policy_percent(params)
        return response

    # -- roles --------------------------------------------------------------------------------
    def _role(self, role_arn: str) -> tuple[str, dict | None]:
        match = _ROLE_ARN.match(role_arn)
        if match is None:
            raise AwsError("ValidationError", f"{role_arn} is invalid")
        return match.group(1), self.emulator.ports.identity.role_record(role_arn)

    @staticmethod
    def _duration(ctx: RequestContext[Any], role: Mapping[str, Any], chained: bool = False) -> int:
        seconds = int(ctx.params.get("DurationSeconds", _DEFAULT_SESSION_SECONDS))
        if chained and seconds > _CHAINED_MAX_SECONDS:
            raise AwsError("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit "
                           "for roles assumed by role chaining.")
        if seconds > role["MaxSessionDuration"]:
            raise AwsError("ValidationError",
                           "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        return seconds

    def _session(self, ctx: RequestContext[Any], account: str, role: Mapping[str, Any], session_name: str,
                 seconds: int) -> sts.AssumeRoleResponse:
        """Credentials acting as the role; the response's ``Credentials`` and ``AssumedRoleUser``."""
        identity = {**self._role_identity(account, role, session_name), **self._session_limits(ctx.params)}
        response: sts.AssumeRoleResponse = {
            "Credentials": self._issue(ctx, seconds, identity),
            "AssumedRoleUser": {"AssumedRoleId": identity["UserId"], "Arn": identity["Arn"]},
        }
        if "Policy" in ctx.params or "PolicyArns" in ctx.params or "Tags" in ctx.params:
            response["PackedPolicySize"] = self._packed_policy_percent(ctx.params)
        return response

    @staticmethod
    def _session_limits(params: Mapping[str, Any]) -> dict[str, Any]:
        """The session policies and tags a request passed, kept with the credentials for IAM
        enforcement (an empty request keeps nothing)."""
        limits: dict[str, Any] = {}
        if "Policy" in params:
            limits["Policies"] = [params["Policy"]]
        if "PolicyArns" in params:
            limits["PolicyArns"] = [entry["arn"] for entry in params["PolicyArns"] if "arn" in entry]
        if params.get("Tags"):
            limits["Tags"] = {tag["Key"]: tag["Value"] for tag in params["Tags"]}
        return limits

    @staticmethod
    def _role_identity(account: str, role: Mapping[str, Any], session_name: str) -> dict[str, Any]:
        return {
            "UserId": f"{role['RoleId']}:{session_name}", "Account": account,
            "Arn": f"arn:{role['Arn'].split(':')[1]}:sts::{account}:assumed-role/{role['RoleName']}/{session_name}",
            "Kind": "assumed-role", "RoleArn": role["Arn"],
        }

    # -- the CredentialsPort --------------------------------------------------------------------
    def issue_role_session(self, role_arn: str, session_name: str, seconds: int = _DEFAULT_SESSION_SECONDS) -> dict[str, Any]:
        try:
            account, role = self._role(role_arn)
        except AwsError:  # not a role ARN: no such role either
            raise KeyError(role_arn) from None
        if role is None:
            raise KeyError(role_arn)
        return self._new_credentials(seconds, self._role_identity(account, role, session_name))

    def session_for_access_key(self, access_key: str) -> dict[str, Any] | None:
        return self.credentials.get(access_key)

    def assume_role(self, ctx: Ctx[sts.AssumeRoleRequest]) -> sts.AssumeRoleResult:
        params = ctx.params
        role_arn = params["RoleArn"]
        account, role = self._role(role_arn)
        caller = self._caller(ctx)
        context: dict[str, str | Sequence[str]] = {
            "aws:PrincipalArn": caller.get("RoleArn", caller["Arn"]), "aws:PrincipalAccount": caller["Account"],
            "sts:RoleSessionName": params["RoleSessionName"],
            "aws:MultiFactorAuthPresent": "true" if "TokenCode" in params else "false",
        }
        if "ExternalId" in params:
            context["sts:ExternalId"] = params["ExternalId"]
        if "SourceIdentity" in params:
            context["sts:SourceIdentity"] = params["SourceIdentity"]
        for tag in params.get("Tags", []):
            context[f"aws:RequestTag/{tag['Key']}"] = tag["Value"]
        if params.get("Tags"):
            context["aws:TagKeys"] = [tag["Key"] for tag in params["Tags"]]
        aliases = [caller["RoleArn"]] if "RoleArn" in caller else []
        if role is None or not self.emulator.ports.identity.trust_allows(
                role_arn, caller["Arn"], aliases=aliases, context=context):
            raise _access_denied(f"User: {caller['Arn']} is not authorized to perform: sts:AssumeRole "
                                 f"on resource: {role_arn}")
        seconds = self._duration(ctx, role, chained=caller["Kind"] == "assumed-role")
        response = self._session(ctx, account, role, params["RoleSessionName"], seconds)
        if "SourceIdentity" in params:
            response["SourceIdentity"] = params["SourceIdentity"]
        return response

    def assume_role_with_web_identity(
            self, ctx: Ctx[sts.AssumeRoleWithWebIdentityRequest]) -> sts.AssumeRoleWithWebIdentityResult:
        params = ctx.params
        role_arn = params["RoleArn"]
        account, role = self._role(role_arn)
        claims = self._jwt_claims(params["WebIdentityToken"])
        issuer = str(claims.get("iss", ""))
        host = issuer.removeprefix("https://").rstrip("/")
        audience = claims.get("aud", "")
        audience = audience[0] if isinstance(audience, list) and audience else str(audience)
        provider_arn = f"{arn_prefix_of(role_arn)}:iam::{account}:oidc-provider/{host}"
        provider = self.emulator.ports.identity.identity_provider(provider_arn)
        if provider is None or provider.get("Kind") != "oidc":
            raise sts.invalid_identity_token_exception(f"No OpenIDConnect provider found in your account for {issuer}")
        if audience not in provider["ClientIDList"]:
            raise sts.invalid_identity_token_exception("Incorrect token audience")
        if "exp" in claims and float(claims["exp"]) <= ctx.time():
            raise sts.expired_token_exception("Token expired: current date/time must be before the "
                           "expiration date/time.")
        subject = str(claims.get("sub", ""))
        context = {f"{host}:sub": subject, f"{host}:aud": audience, "aws:FederatedProvider": provider_arn}
        if role is None or not self.emulator.ports.identity.trust_allows(
                role_arn, provider_arn, principal_kind="Federated", action="sts:AssumeRoleWithWebIdentity",
                context=context):
            raise _access_denied("Not authorized to perform sts:AssumeRoleWithWebIdentity")
        session = self._session(ctx, account, role, params["RoleSessionName"], self._duration(ctx, role))
        return {**session, "SubjectFromWebIdentityToken": subject, "Provider": issuer, "Audience": audience}

    @staticmethod
    def _jwt_claims(token: str) -> dict[str, Any]:
        parts = token.split(".")
        try:
            payload = parts[1] + "=" * (-len(parts[1]) % 4)
            claims = json.loads(base64.urlsafe_b64decode(payload))
        except (IndexError, ValueError, binascii.Error):
            raise sts.invalid_identity_token_exception("Couldn't parse the provided token") from None
        if not isinstance(claims, dict):
            raise sts.invalid_identity_token_exception("Couldn't parse the provided token")
        return claims

    def assume_role_with_saml(self, ctx: Ctx[sts.AssumeRoleWithSAMLRequest]) -> sts.AssumeRoleWithSAMLResult:
        params = ctx.params
        role_arn, provider_arn = params["RoleArn"], params["PrincipalArn"]
        account, role = self._role(role_arn)
        assertion = self._saml_assertion(params["SAMLAssertion"])
        provider = self.emulator.ports.identity.identity_provider(provider_arn)
        if provider is None or provider.get("Kind") != "saml":
            raise sts.invalid_identity_token_exception(f"SAML provider {provider_arn} does not exist.")
        context = {"SAML:aud": assertion["Audience"], "SAML:sub": assertion["Subject"],
                   "SAML:iss": assertion["Issuer"]}
        if role is None or not self.emulator.ports.identity.trust_allows(
                role_arn, provider_arn, principal_kind="Federated", action="sts:AssumeRoleWithSAML",
                context=context):
            raise _access_denied("Not authorized to perform sts:AssumeRoleWithSAML")
        session = self._session(ctx, account, role, assertion["SessionName"], self._duration(ctx, role))
        qualifier = hashlib.sha1(f"{assertion['Issuer']}{account}/{provider_arn.rsplit('/', 1)[1]}".encode())
        return {**session, "Subject": assertion["Subject"], "SubjectType": assertion["SubjectType"],
                "Issuer": assertion["Issuer"], "Audience": assertion["Audience"],
                "NameQualifier": base64.b64encode(qualifier.digest()).decode()}

    @staticmethod
    def _saml_assertion(encoded: str) -> dict[str, str]:
        """Issuer, subject, audience and session name of a base64 SAML response (not its signature)."""
        invalid = sts.invalid_identity_token_exception("Invalid SAML response")
        try:
            root = ElementTree.fromstring(base64.b64decode(encoded))
        except (ValueError, binascii.Error, ElementTree.ParseError):
            raise invalid from None
        name_id = root.find(f".//{_SAML}Subject/{_SAML}NameID")
        issuer = root.find(f".//{_SAML}Issuer")
        audience = root.find(f".//{_SAML}Audience")
        session = root.find(f".//{_SAML}Attribute[@Name='{_SESSION_NAME_ATTRIBUTE}']/{_SAML}AttributeValue")
        if name_id is None or issuer is None or session is None:
            raise invalid
        subject_type = (name_id.get("Format") or "").rsplit(":", 1)[-1] or "unspecified"
        return {"Subject": name_id.text or "", "SubjectType": subject_type, "Issuer": issuer.text or "",
                "Audience": (audience.text if audience is not None else None) or "https://signin.aws.amazon.com/saml",
                "SessionName": session.text or ""}

    @staticmethod
    def _packed_policy_percent(params: Mapping[str, Any]) -> int:
        """AWS reports how full the packed session policy is, in percent of its limit."""
        size = len(params.get("Policy", "")) + sum(len(p.get("arn", "")) for p in params.get("PolicyArns", []))
        size += sum(len(t["Key"]) + len(t["Value"]) for t in params.get("Tags", []))
        percent = max(1, size * 100 // 2048)
        if percent > 100:
            raise sts.packed_policy_too_large_exception(
                f"Packed size of consumed session policies and session tags exceeds 2048 "
                f"characters by {size * 100 // 2048 - 100}%.")
        return percent
