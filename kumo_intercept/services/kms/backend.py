"""KMS: keys, aliases, key policies, grants, rotation, tags — and the cryptography in operations.py.

Records (ordered tables, keyed by ``(account, region, …)`` as KMS partitions them):
- ``kms.keys`` ``(account, region, key_id)``: the key's metadata, ``Materials`` (symmetric and
  HMAC key material, one entry per rotation; ciphertexts name the one they were made with),
  ``Private`` (PEM of an RSA/ECC key, made on first use), ``Tags``, ``Policy``, ``Rotation``.
- ``kms.aliases`` ``(account, region, alias_name)`` and ``kms.grants`` ``(account, region, grant_id)``.

Time is lazy: a key whose deletion date has passed is removed when next touched, and automatic
rotations that have come due are added when the key is next used.

Internal API (the KeyPort in core/ports.py, for S3 SSE-KMS, SQS, SNS, SSM, Secrets Manager):
``check_key_usable``, ``encrypt_internal``, ``decrypt_internal``, ``generate_data_key_internal``;
key ids may be key ids, key ARNs, alias names or alias ARNs.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping, TypedDict, TypeVar

from ...core.clock import from_epoch
from ...api import kms
from ...core.dispatch import Ctx, RequestContext
from ...core.errors import AwsError, NotEmulatedError
from ...core.tokens import decode_token, encode_token
from .keys import AWS_MANAGED_PREFIX, DAY, DEFAULT_ROTATION_DAYS, arn_parts, default_policy, invalid_state, not_found
from .operations import CryptoOperations
from .specs import SYMMETRIC, check_spec_and_usage

_MAX_TAGS = 50
_ON_DEMAND_ROTATION_LIMIT = 10
_GRANT_TOKEN_PREFIX = "AQpAM2"


class KmsBackend(CryptoOperations):
    input_error_code = "ValidationException"

    # -- keys ---------------------------------------------------------------------------------
    def create_key(self, ctx: Ctx[kms.CreateKeyRequest]) -> kms.CreateKeyResult:
        params = ctx.params
        if params.get("Origin", "AWS_KMS") != "AWS_KMS" or "CustomKeyStoreId" in params:
            raise NotEmulatedError("kms", "CreateKey", "only keys with Origin AWS_KMS are emulated")
        if params.get("MultiRegion"):
            raise NotEmulatedError("kms", "CreateKey", "multi-Region keys are not emulated")
        spec = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or SYMMETRIC
        usage = check_spec_and_usage(spec, params.get("KeyUsage"))
        tags = self._checked_tags(params.get("Tags", []), {})
        policy = params.get("Policy")
        if policy is not None:
            self._check_policy(policy)
        record = self.new_key(ctx.account, ctx.region, spec, usage, params.get("Description", ""),
                               policy or default_policy(ctx.account, ctx.region))
        record["Tags"] = tags
        self.save_key(record)
        return {"KeyMetadata": self.metadata(record)}

    def describe_key(self, ctx: Ctx[kms.DescribeKeyRequest]) -> kms.DescribeKeyResult:
        return {"KeyMetadata": self.metadata(self.key_record(ctx))}

    def list_keys(self, ctx: Ctx[kms.ListKeysRequest]) -> kms.ListKeysResult:
        rows: list[kms.KeyListEntry] = [{"KeyId": r["KeyId"], "KeyArn": r["Arn"]}
                                        for r in self.settle_all(ctx.account, ctx.region)]
        keys, tail = page(ctx.params, rows, lambda row: row["KeyId"], default_limit=100)
        return {"Keys": keys, **tail}

    def update_key_description(self, ctx: Ctx[kms.UpdateKeyDescriptionRequest]) -> kms.UpdateKeyDescriptionResult:
        record = self.key_record(ctx)
        self.require_not_pending_deletion(record)
        self.save_key({**record, "Description": ctx.params["Description"]})
        return {}

    def enable_key(self, ctx: Ctx[kms.EnableKeyRequest]) -> kms.EnableKeyResult:
        record = self.key_record(ctx)
        self.require_not_pending_deletion(record)
        self.save_key({**record, "KeyState": "Enabled"})
        return {}

    def disable_key(self, ctx: Ctx[kms.DisableKeyRequest]) -> kms.DisableKeyResult:
        record = self.key_record(ctx)
        self.require_not_pending_deletion(record)
        self.save_key({**record, "KeyState": "Disabled"})
        return {}

    def schedule_key_deletion(self, ctx: Ctx[kms.ScheduleKeyDeletionRequest]) -> kms.ScheduleKeyDeletionResult:
        days = ctx.params.get("PendingWindowInDays", 30)
        if not 7 <= days <= 30:
            raise AwsError("ValidationException", f"PendingWindowInDays should be between 7 and 30, but it is {days}")
        record = self.key_record(ctx)
        self.require_not_pending_deletion(record)
        deletion = self.now() + days * DAY
        self.save_key({**record, "KeyState": "PendingDeletion", "DeletionDate": deletion})
        return {"KeyId": record["Arn"], "DeletionDate": from_epoch(deletion), "KeyState": "PendingDeletion",
                "PendingWindowInDays": days}

    def cancel_key_deletion(self, ctx: Ctx[kms.CancelKeyDeletionRequest]) -> kms.CancelKeyDeletionResult:
        record = self.key_record(ctx)
        if record["KeyState"] != "PendingDeletion":
            raise invalid_state(record["Arn"], "not pending deletion")
        # AWS leaves a key whose deletion was cancelled disabled (docs: "Cancel key deletion")
        self.save_key({**record, "KeyState": "Disabled", "DeletionDate": None})
        return {"KeyId": record["Arn"]}

    # -- rotation -----------------------------------------------------------------------------
    def _rotatable(self, ctx: RequestContext[Any]) -> dict:
        record = self.key_record(ctx)
        self.require_enabled(record)
        if record["KeySpec"] != SYMMETRIC:
            raise kms.unsupported_operation_exception("")
        return record

    def enable_key_rotation(self, ctx: Ctx[kms.EnableKeyRotationRequest]) -> kms.EnableKeyRotationResult:
        record = self._rotatable(ctx)
        period = ctx.params.get("RotationPeriodInDays", DEFAULT_ROTATION_DAYS)
        self.save_key({**record, "Rotation": {"Period": period, "Next": self.now() + period * DAY}})
        return {}

    def disable_key_rotation(self, ctx: Ctx[kms.DisableKeyRotationRequest]) -> kms.DisableKeyRotationResult:
        record = self._rotatable(ctx)
        self.save_key({**record, "Rotation": None})
        return {}

    def get_key_rotation_status(self, ctx: Ctx[kms.GetKeyRotationStatusRequest]) -> kms.GetKeyRotationStatusResult:
        record = self.key_record(ctx)
        if record["KeySpec"] != SYMMETRIC:
            raise kms.unsupported_operation_exception("")
        rotation = record["Rotation"]
        result: kms.GetKeyRotationStatusResponse = {"KeyId": record["Arn"], "KeyRotationEnabled": rotation is not None}
        if rotation is not None:
            result["RotationPeriodInDays"] = rotation["Period"]
            result["NextRotationDate"] = from_epoch(rotation["Next"])
        return result

    def rotate_key_on_demand(self, ctx: Ctx[kms.RotateKeyOnDemandRequest]) -> kms.RotateKeyOnDemandResult:
        record = self._rotatable(ctx)
        if record["OnDemandRotations"] >= _ON_DEMAND_ROTATION_LIMIT:
            raise kms.limit_exceeded_exception("The on-demand rotations limit has been reached for the given keyId. "
                           f"No more on-demand rotations can be performed for this key: {record['Arn']}")
        material = self.new_material(SYMMETRIC, self.now(), "ON_DEMAND")
        self.save_key({**record, "Materials": [*record["Materials"], material],
                    "OnDemandRotations": record["OnDemandRotations"] + 1})
        return {"KeyId": record["Arn"]}

    def list_key_rotations(self, ctx: Ctx[kms.ListKeyRotationsRequest]) -> kms.ListKeyRotationsResult:
        record = self.key_record(ctx)
        if record["KeySpec"] != SYMMETRIC:
            raise kms.unsupported_operation_exception("")
        everything = ctx.params.get("IncludeKeyMaterial") == "ALL_KEY_MATERIAL"
        rows: list[kms.RotationsListEntry] = []
        for material in record["Materials"]:
            if material["Type"] is None and not everything:
                continue
            row: kms.RotationsListEntry = {"KeyId": record["Arn"], "KeyMaterialId": material["Id"]}
            if material["Type"] is not None:
                row["RotationDate"], row["RotationType"] = from_epoch(material["Created"]), material["Type"]
            rows.append(row)
        rotations, tail = page(ctx.params, rows, None, default_limit=100)
        return {"Rotations": rotations, **tail}

    # -- aliases ------------------------------------------------------------------------------
    @staticmethod
    def _check_alias_name(name: str) -> None:
        if not name.startswith("alias/"):
            raise AwsError("ValidationException", 'Alias must start with the prefix "alias/". Please see '
                                                  "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")
        if name.startswith(AWS_MANAGED_PREFIX):
            raise AwsError("NotAuthorizedException", "")

    def _alias_target_key(self, ctx: RequestContext[Any]) -> dict:
        record = self.key_record(ctx, "TargetKeyId")
        self.require_not_pending_deletion(record)
        return record

    def create_alias(self, ctx: Ctx[kms.CreateAliasRequest]) -> kms.CreateAliasResult:
        name = ctx.params["AliasName"]
        self._check_alias_name(name)
        existing = self.aliases.get((ctx.account, ctx.region, name))
        if existing is not None:
            raise kms.already_exists_exception(f"An alias with the name {existing['AliasArn']} already exists")
        record = self._alias_target_key(ctx)
        self.put_alias(ctx.account, ctx.region, name, record["KeyId"], self.now())
        return {}

    def _existing_alias(self, ctx: RequestContext[Any]) -> dict:
        name = ctx.params["AliasName"]
        self._check_alias_name(name)
        alias = self.aliases.get((ctx.account, ctx.region, name))
        if alias is None:
            raise not_found(f"Alias {ctx.arn(name)} is not found.")
        return dict(alias)

    def update_alias(self, ctx: Ctx[kms.UpdateAliasRequest]) -> kms.UpdateAliasResult:
        alias = self._existing_alias(ctx)
        record = self._alias_target_key(ctx)
        current = self.find_key(alias["TargetKeyId"], ctx.account, ctx.region)
        if (current["KeySpec"] == SYMMETRIC) != (record["KeySpec"] == SYMMETRIC) or \
                current["KeyUsage"] != record["KeyUsage"]:
            raise AwsError("ValidationException",
                           "The current and new KMS key must be the same type and have the same key usage.")
        self.put_alias(ctx.account, ctx.region, alias["AliasName"], record["KeyId"], alias["Created"])
        return {}

    def delete_alias(self, ctx: Ctx[kms.DeleteAliasRequest]) -> kms.DeleteAliasResult:
        alias = self._existing_alias(ctx)
        self.aliases.delete((ctx.account, ctx.region, alias["AliasName"]))
        return {}

    def list_aliases(self, ctx: Ctx[kms.ListAliasesRequest]) -> kms.ListAliasesResult:
        self.settle_all(ctx.account, ctx.region)
        target = None
        if "KeyId" in ctx.params:
            target = self.key_record(ctx)["KeyId"]
        rows: list[kms.AliasListEntry] = []
        for _, alias in self.aliases_in(ctx.account, ctx.region):
            if target is not None and alias["TargetKeyId"] != target:
                continue
            rows.append({"AliasName": alias["AliasName"], "AliasArn": alias["AliasArn"],
                         "TargetKeyId": alias["TargetKeyId"], "CreationDate": from_epoch(alias["Created"]),
                         "LastUpdatedDate": from_epoch(alias["Updated"])})
        aliases, tail = page(ctx.params, rows, lambda row: row["AliasName"], default_limit=50)
        return {"Aliases": aliases, **tail}

    # -- key policies -------------------------------------------------------------------------
    @staticmethod
    def _check_policy_name(ctx: RequestContext[Any]) -> None:
        if ctx.params.get("PolicyName", "default") != "default":
            raise not_found("No such policy exists")

    @staticmethod
    def _check_policy(policy: str) -> None:
        try:
            document = json.loads(policy)
        except ValueError:
            document = None
        if not isinstance(document, dict) or "Statement" not in document:
            raise kms.malformed_policy_document_exception("The policy is not a valid JSON key policy.")

    def get_key_policy(self, ctx: Ctx[kms.GetKeyPolicyRequest]) -> kms.GetKeyPolicyResult:
        self._check_policy_name(ctx)
        return {"Policy": self.key_record(ctx)["Policy"], "PolicyName": "default"}

    def put_key_policy(self, ctx: Ctx[kms.PutKeyPolicyRequest]) -> kms.PutKeyPolicyResult:
        self._check_policy_name(ctx)
        record = self.key_record(ctx)
        self._check_policy(ctx.params["Policy"])
        self.save_key({**record, "Policy": ctx.params["Policy"]})
        return {}

    def list_key_policies(self, ctx: Ctx[kms.ListKeyPoliciesRequest]) -> kms.ListKeyPoliciesResult:
        self.key_record(ctx)
        names, tail = page(ctx.params, ["default"], str, default_limit=100)
        return {"PolicyNames": names, **tail}

    # -- tags ---------------------------------------------------------------------------------
    @staticmethod
    def _checked_tags(tags: list[kms.Tag], current: dict[str, str]) -> dict[str, str]:
        """``current`` with ``tags`` applied; TagException with AWS's messages (LocalStack snapshots
        test_tag_key_with_duplicate_tag_keys_raises_error, test_create_key_with_too_many_tags_…)."""
        keys = [tag["TagKey"] for tag in tags]
        if len(set(keys)) != len(keys):
            raise kms.tag_exception("Duplicate tag keys")
        if any(key.lower().startswith("aws:") for key in keys):
            raise kms.tag_exception("Tags beginning with aws: are reserved")
        merged = {**current, **{tag["TagKey"]: tag["TagValue"] for tag in tags}}
        if len(merged) > _MAX_TAGS:
            raise kms.tag_exception("Too many tags")
        return merged

    def tag_resource(self, ctx: Ctx[kms.TagResourceRequest]) -> kms.TagResourceResult:
        record = self.key_record(ctx)
        self.require_not_pending_deletion(record)
        self.save_key({**record, "Tags": self._checked_tags(ctx.params["Tags"], record["Tags"])})
        return {}

    def untag_resource(self, ctx: Ctx[kms.UntagResourceRequest]) -> kms.UntagResourceResult:
        record = self.key_record(ctx)
        self.require_not_pending_deletion(record)
        removed = set(ctx.params["TagKeys"])
        self.save_key({**record, "Tags": {k: v for k, v in record["Tags"].items() if k not in removed}})
        return {}

    def list_resource_tags(self, ctx: Ctx[kms.ListResourceTagsRequest]) -> kms.ListResourceTagsResult:
        record = self.key_record(ctx)
        rows: list[kms.Tag] = [{"TagKey": key, "TagValue": value} for key, value in sorted(record["Tags"].items())]
        tags, tail = page(ctx.params, rows, lambda row: row["TagKey"], default_limit=50)
        return {"Tags": tags, **tail}

    # -- grants -------------------------------------------------------------------------------
    def create_grant(self, ctx: Ctx[kms.CreateGrantRequest]) -> kms.CreateGrantResult:
        params = ctx.params
        record = self.key_record(ctx)
        self.require_not_pending_deletion(record)
        grant = {
            "KeyId": record["KeyId"], "KeyArn": record["Arn"], "Name": params.get("Name"),
            "GranteePrincipal": params["GranteePrincipal"], "RetiringPrincipal": params.get("RetiringPrincipal"),
            "Operations": list(params["Operations"]), "Constraints": params.get("Constraints"),
        }
        if grant["Name"] is not None:  # a retried CreateGrant with the same name and grant is idempotent
            for _, existing in self.grants_in(ctx.account, ctx.region):
                if all(existing[field] == value for field, value in grant.items()):
                    return {"GrantToken": existing["Token"], "GrantId": existing["GrantId"]}
        self.dry_run(ctx)
        grant_id = ctx.ids.hex(64)
        token = _GRANT_TOKEN_PREFIX + ctx.ids.urlsafe(180)
        self.grants.put((ctx.account, ctx.region, grant_id),
                        {**grant, "GrantId": grant_id, "Token": token, "Created": ctx.time()})
        return {"GrantToken": token, "GrantId": grant_id}

    @staticmethod
    def _grant_entry(grant: dict, ctx: RequestContext) -> kms.GrantListEntry:
        entry: kms.GrantListEntry = {
            "KeyId": grant["KeyArn"], "GrantId": grant["GrantId"], "CreationDate": from_epoch(grant["Created"]),
            "GranteePrincipal": grant["GranteePrincipal"], "IssuingAccount": ctx.arn("root", service="iam", region=""),
            "Operations": grant["Operations"],
        }
        if grant["Name"] is not None:
            entry["Name"] = grant["Name"]
        if grant["RetiringPrincipal"] is not None:
            entry["RetiringPrincipal"] = grant["RetiringPrincipal"]
        if grant["Constraints"] is not None:
            entry["Constraints"] = grant["Constraints"]
        return entry

    def list_grants(self, ctx: Ctx[kms.ListGrantsRequest]) -> kms.ListGrantsResult:
        params = ctx.params
        record = self.key_record(ctx)
        grant_id = params.get("GrantId")
        if grant_id is not None and (ctx.account, ctx.region, grant_id) not in self.grants:
            raise kms.invalid_grant_id_exception("")
        rows = [self._grant_entry(grant, ctx) for _, grant in self.grants_in(ctx.account, ctx.region)
                if grant["KeyId"] == record["KeyId"]
                and grant_id in (None, grant["GrantId"])
                and params.get("GranteePrincipal") in (None, grant["GranteePrincipal"])]
        grants, tail = page(params, rows, lambda row: row["GrantId"], default_limit=50)
        return {"Grants": grants, **tail}

    def list_retirable_grants(self, ctx: Ctx[kms.ListRetirableGrantsRequest]) -> kms.ListRetirableGrantsResult:
        principal = ctx.params["RetiringPrincipal"]
        self.settle_all(ctx.account, ctx.region)
        rows = [self._grant_entry(grant, ctx) for _, grant in self.grants_in(ctx.account, ctx.region)
                if grant["RetiringPrincipal"] == principal]
        grants, tail = page(ctx.params, rows, lambda row: row["GrantId"], default_limit=50)
        return {"Grants": grants, **tail}

    def retire_grant(self, ctx: Ctx[kms.RetireGrantRequest]) -> kms.RetireGrantResult:
        params = ctx.params
        token = params.get("GrantToken")
        if token is not None:
            found = [key for key, grant in self.grants_in(ctx.account, ctx.region) if grant["Token"] == token]
            if not found:
                raise kms.invalid_grant_token_exception("")
            self.dry_run(ctx)
            self.grants.delete(found[0])
            return {}
        if "GrantId" not in params or "KeyId" not in params:
            raise AwsError("ValidationException", "Grant token OR (grant ID, key ID) must be specified")
        self._delete_grant(ctx)
        return {}

    def revoke_grant(self, ctx: Ctx[kms.RevokeGrantRequest]) -> kms.RevokeGrantResult:
        self._delete_grant(ctx)
        return {}

    def _delete_grant(self, ctx: RequestContext[Any]) -> None:
        record = self.key_record(ctx)
        key = (ctx.account, ctx.region, ctx.params["GrantId"])
        grant = self.grants.get(key)
        if grant is None or grant["KeyId"] != record["KeyId"]:
            raise kms.invalid_grant_id_exception("")
        self.dry_run(ctx)
        self.grants.delete(key)

    # -- inspection ---------------------------------------------------------------------------
    def resource_facts(self, arn: str) -> dict[str, Any] | None:
        """ResourcePolicyPort: the key a key or alias ARN names, its key policy, grants and tags."""
        parts = arn_parts(arn)
        if parts is None:
            return None
        try:
            record = self.find_key(arn, parts[1], parts[0])
        except AwsError:
            return None
        grants = [grant for _, grant in self.grants_in(record["Account"], record["Region"])
                  if grant["KeyId"] == record["KeyId"]]
        return {"Arn": record["Arn"], "Policy": record["Policy"], "Tags": dict(record["Tags"]), "Grants": grants}

    def summary(self) -> dict[str, Any]:
        now = self.now()  # read-only: keys past their deletion date are left out, not removed
        aliases: dict[str, list[str]] = {}
        for _, alias in self.aliases.items():
            aliases.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
        grants: dict[str, int] = {}
        for _, grant in self.grants.items():
            grants[grant["KeyId"]] = grants.get(grant["KeyId"], 0) + 1
        keys = [{
            "id": r["KeyId"], "account": r["Account"], "region": r["Region"], "spec": r["KeySpec"],
            "usage": r["KeyUsage"], "state": r["KeyState"], "manager": r["KeyManager"],
            "aliases": aliases.get(r["KeyId"], []), "grants": grants.get(r["KeyId"], 0),
            "rotations": max(0, len(r["Materials"]) - 1), "tags": dict(r["Tags"]),
        } for _, r in self.keys.items() if r["DeletionDate"] is None or r["DeletionDate"] > now]
        return {"keys": keys}


class PageTail(TypedDict, total=False):
    """What a KMS List* response says about the pages after this one."""

    Truncated: bool
    NextMarker: str


Row = TypeVar("Row")


def page(params: Mapping[str, Any], rows: list[Row], sort_key: Callable[[Row], str] | None, *,
         default_limit: int) -> tuple[list[Row], PageTail]:
    """One page of ``rows`` after the request's Marker, and AWS's ``Truncated``/``NextMarker`` for it.
    With ``sort_key`` the rows are sorted and a marker names the last row returned (so deletions
    between pages skip nothing); without, the rows keep their order and a marker counts them."""
    invalid = kms.invalid_marker_exception("")
    after = decode_token(params.get("Marker"), invalid)
    if after is not None and not isinstance(after, str):
        raise invalid
    if sort_key is None:
        if after is not None and not after.isdigit():
            raise invalid
        start = int(after or 0)
    else:
        rows = sorted(rows, key=sort_key)
        start = 0 if after is None else next((i for i, row in enumerate(rows) if sort_key(row) > after), len(rows))
    limit = params.get("Limit", default_limit)
    chunk = rows[start:start + limit]
    truncated = start + limit < len(rows)
    tail: PageTail = {"Truncated": truncated}
    if truncated:
        tail["NextMarker"] = encode_token(sort_key(chunk[-1]) if sort_key is not None else str(start + limit))
    return chunk, tail
