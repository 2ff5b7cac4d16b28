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
from typing import Any, Callable

from ...core.clock import from_epoch
from ...core.dispatch import RequestContext
from ...core.errors import AwsError, NotEmulatedError
from ...core.tokens import decode_token, encode_token
from .keys import AWS_MANAGED_PREFIX, DAY, DEFAULT_ROTATION_DAYS, default_policy, invalid_state, not_found
from .operations import CryptoOperations
from .specs import SYMMETRIC, check_spec_and_usage

_MAX_TAGS = 50
_ON_DEMAND_ROTATION_LIMIT = 10
_GRANT_TOKEN_PREFIX = "AQpAM2"


class KmsBackend(CryptoOperations):
    input_error_code = "ValidationException"

    # -- keys ---------------------------------------------------------------------------------
    def create_key(self, ctx: RequestContext) -> dict[str, Any]:
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
        record = self._new_key(ctx.account, ctx.region, spec, usage, params.get("Description", ""),
                               policy or default_policy(ctx.account))
        record["Tags"] = tags
        self._save(record)
        return {"KeyMetadata": self.metadata(record)}

    def describe_key(self, ctx: RequestContext) -> dict[str, Any]:
        return {"KeyMetadata": self.metadata(self._key(ctx))}

    def list_keys(self, ctx: RequestContext) -> dict[str, Any]:
        rows = [{"KeyId": r["KeyId"], "KeyArn": r["Arn"]} for r in self.settle_all(ctx.account, ctx.region)]
        return page(ctx.params, rows, "Keys", lambda row: row["KeyId"], default_limit=100)

    def update_key_description(self, ctx: RequestContext) -> dict[str, Any]:
        record = self._key(ctx)
        self._require_not_pending_deletion(record)
        self._save({**record, "Description": ctx.params["Description"]})
        return {}

    def enable_key(self, ctx: RequestContext) -> dict[str, Any]:
        record = self._key(ctx)
        self._require_not_pending_deletion(record)
        self._save({**record, "KeyState": "Enabled"})
        return {}

    def disable_key(self, ctx: RequestContext) -> dict[str, Any]:
        record = self._key(ctx)
        self._require_not_pending_deletion(record)
        self._save({**record, "KeyState": "Disabled"})
        return {}

    def schedule_key_deletion(self, ctx: RequestContext) -> dict[str, Any]:
        days = ctx.params.get("PendingWindowInDays", 30)
        if not 7 <= days <= 30:
            raise AwsError("ValidationException", f"PendingWindowInDays should be between 7 and 30, but it is {days}")
        record = self._key(ctx)
        self._require_not_pending_deletion(record)
        deletion = self.now() + days * DAY
        self._save({**record, "KeyState": "PendingDeletion", "DeletionDate": deletion})
        return {"KeyId": record["Arn"], "DeletionDate": from_epoch(deletion), "KeyState": "PendingDeletion",
                "PendingWindowInDays": days}

    def cancel_key_deletion(self, ctx: RequestContext) -> dict[str, Any]:
        record = self._key(ctx)
        if record["KeyState"] != "PendingDeletion":
            raise invalid_state(record["Arn"], "not pending deletion")
        # AWS leaves a key whose deletion was cancelled disabled (docs: "Cancel key deletion")
        self._save({**record, "KeyState": "Disabled", "DeletionDate": None})
        return {"KeyId": record["Arn"]}

    # -- rotation -----------------------------------------------------------------------------
    def _rotatable(self, ctx: RequestContext) -> dict:
        record = self._key(ctx)
        self._require_enabled(record)
        if record["KeySpec"] != SYMMETRIC:
            raise AwsError("UnsupportedOperationException", "")
        return record

    def enable_key_rotation(self, ctx: RequestContext) -> dict[str, Any]:
        record = self._rotatable(ctx)
        period = ctx.params.get("RotationPeriodInDays", DEFAULT_ROTATION_DAYS)
        self._save({**record, "Rotation": {"Period": period, "Next": self.now() + period * DAY}})
        return {}

    def disable_key_rotation(self, ctx: RequestContext) -> dict[str, Any]:
        record = self._rotatable(ctx)
        self._save({**record, "Rotation": None})
        return {}

    def get_key_rotation_status(self, ctx: RequestContext) -> dict[str, Any]:
        record = self._key(ctx)
        if record["KeySpec"] != SYMMETRIC:
            raise AwsError("UnsupportedOperationException", "")
        rotation = record["Rotation"]
        result: dict[str, Any] = {"KeyId": record["Arn"], "KeyRotationEnabled": rotation is not None}
        if rotation is not None:
            result["RotationPeriodInDays"] = rotation["Period"]
            result["NextRotationDate"] = from_epoch(rotation["Next"])
        return result

    def rotate_key_on_demand(self, ctx: RequestContext) -> dict[str, Any]:
        record = self._rotatable(ctx)
        if record["OnDemandRotations"] >= _ON_DEMAND_ROTATION_LIMIT:
            raise AwsError("LimitExceededException",
                           "The on-demand rotations limit has been reached for the given keyId. "
                           f"No more on-demand rotations can be performed for this key: {record['Arn']}")
        material = self._new_material(SYMMETRIC, self.now(), "ON_DEMAND")
        self._save({**record, "Materials": [*record["Materials"], material],
                    "OnDemandRotations": record["OnDemandRotations"] + 1})
        return {"KeyId": record["Arn"]}

    def list_key_rotations(self, ctx: RequestContext) -> dict[str, Any]:
        record = self._key(ctx)
        if record["KeySpec"] != SYMMETRIC:
            raise AwsError("UnsupportedOperationException", "")
        everything = ctx.params.get("IncludeKeyMaterial") == "ALL_KEY_MATERIAL"
        rows = []
        for material in record["Materials"]:
            if material["Type"] is None and not everything:
                continue
            row = {"KeyId": record["Arn"], "KeyMaterialId": material["Id"]}
            if material["Type"] is not None:
                row.update(RotationDate=from_epoch(material["Created"]), RotationType=material["Type"])
            rows.append(row)
        return page(ctx.params, rows, "Rotations", None, default_limit=100)

    # -- aliases ------------------------------------------------------------------------------
    @staticmethod
    def _check_alias_name(name: str) -> None:
        if not name.startswith("alias/"):
            raise AwsError("ValidationException", 'Alias must start with the prefix "alias/". Please see '
                                                  "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")
        if name.startswith(AWS_MANAGED_PREFIX):
            raise AwsError("NotAuthorizedException", "")

    def _alias_target_key(self, ctx: RequestContext) -> dict:
        record = self._key(ctx, "TargetKeyId")
        self._require_not_pending_deletion(record)
        return record

    def create_alias(self, ctx: RequestContext) -> dict[str, Any]:
        name = ctx.params["AliasName"]
        self._check_alias_name(name)
        existing = self.aliases.get((ctx.account, ctx.region, name))
        if existing is not None:
            raise AwsError("AlreadyExistsException", f"An alias with the name {existing['AliasArn']} already exists")
        record = self._alias_target_key(ctx)
        self._put_alias(ctx.account, ctx.region, name, record["KeyId"], self.now())
        return {}

    def _existing_alias(self, ctx: RequestContext) -> dict:
        name = ctx.params["AliasName"]
        self._check_alias_name(name)
        alias = self.aliases.get((ctx.account, ctx.region, name))
        if alias is None:
            raise not_found(f"Alias arn:aws:kms:{ctx.region}:{ctx.account}:{name} is not found.")
        return dict(alias)

    def update_alias(self, ctx: RequestContext) -> dict[str, Any]:
        alias = self._existing_alias(ctx)
        record = self._alias_target_key(ctx)
        current = self.find_key(alias["TargetKeyId"], ctx.account, ctx.region)
        if (current["KeySpec"] == SYMMETRIC) != (record["KeySpec"] == SYMMETRIC) or \
                current["KeyUsage"] != record["KeyUsage"]:
            raise AwsError("ValidationException",
                           "The current and new KMS key must be the same type and have the same key usage.")
        self._put_alias(ctx.account, ctx.region, alias["AliasName"], record["KeyId"], alias["Created"])
        return {}

    def delete_alias(self, ctx: RequestContext) -> dict[str, Any]:
        alias = self._existing_alias(ctx)
        self.aliases.delete((ctx.account, ctx.region, alias["AliasName"]))
        return {}

    def list_aliases(self, ctx: RequestContext) -> dict[str, Any]:
        self.settle_all(ctx.account, ctx.region)
        target = None
        if "KeyId" in ctx.params:
            target = self._key(ctx)["KeyId"]
        rows = []
        for _, alias in self._aliases_in(ctx.account, ctx.region):
            if target is not None and alias["TargetKeyId"] != target:
                continue
            rows.append({"AliasName": alias["AliasName"], "AliasArn": alias["AliasArn"],
                         "TargetKeyId": alias["TargetKeyId"], "CreationDate": from_epoch(alias["Created"]),
                         "LastUpdatedDate": from_epoch(alias["Updated"])})
        return page(ctx.params, rows, "Aliases", lambda row: row["AliasName"], default_limit=50)

    # -- key policies -------------------------------------------------------------------------
    @staticmethod
    def _check_policy_name(ctx: RequestContext) -> None:
        if ctx.params.get("PolicyName", "default") != "default":
            raise not_found("No such policy exists")

    @staticmethod
    def _check_policy(policy: str) -> None:
        try:
            document = json.loads(policy)
        except ValueError:
            document = None
        if not isinstance(document, dict) or "Statement" not in document:
            raise AwsError("MalformedPolicyDocumentException", "The policy is not a valid JSON key policy.")

    def get_key_policy(self, ctx: RequestContext) -> dict[str, Any]:
        self._check_policy_name(ctx)
        return {"Policy": self._key(ctx)["Policy"], "PolicyName": "default"}

    def put_key_policy(self, ctx: RequestContext) -> dict[str, Any]:
        self._check_policy_name(ctx)
        record = self._key(ctx)
        self._check_policy(ctx.params["Policy"])
        self._save({**record, "Policy": ctx.params["Policy"]})
        return {}

    def list_key_policies(self, ctx: RequestContext) -> dict[str, Any]:
        self._key(ctx)
        return page(ctx.params, ["default"], "PolicyNames", str, default_limit=100)

    # -- tags ---------------------------------------------------------------------------------
    @staticmethod
    def _checked_tags(tags: list[dict], current: dict[str, str]) -> dict[str, str]:
        """``current`` with ``tags`` applied; TagException with AWS's messages (LocalStack snapshots
        test_tag_key_with_duplicate_tag_keys_raises_error, test_create_key_with_too_many_tags_…)."""
        keys = [tag["TagKey"] for tag in tags]
        if len(set(keys)) != len(keys):
            raise AwsError("TagException", "Duplicate tag keys")
        if any(key.lower().startswith("aws:") for key in keys):
            raise AwsError("TagException", "Tags beginning with aws: are reserved")
        merged = {**current, **{tag["TagKey"]: tag["TagValue"] for tag in tags}}
        if len(merged) > _MAX_TAGS:
            raise AwsError("TagException", "Too many tags")
        return merged

    def tag_resource(self, ctx: RequestContext) -> dict[str, Any]:
        record = self._key(ctx)
        self._require_not_pending_deletion(record)
        self._save({**record, "Tags": self._checked_tags(ctx.params["Tags"], record["Tags"])})
        return {}

    def untag_resource(self, ctx: RequestContext) -> dict[str, Any]:
        record = self._key(ctx)
        self._require_not_pending_deletion(record)
        removed = set(ctx.params["TagKeys"])
        self._save({**record, "Tags": {k: v for k, v in record["Tags"].items() if k not in removed}})
        return {}

    def list_resource_tags(self, ctx: RequestContext) -> dict[str, Any]:
        record = self._key(ctx)
        rows = [{"TagKey": key, "TagValue": value} for key, value in sorted(record["Tags"].items())]
        return page(ctx.params, rows, "Tags", lambda row: row["TagKey"], default_limit=50)

    # -- grants -------------------------------------------------------------------------------
    def create_grant(self, ctx: RequestContext) -> dict[str, Any]:
        params = ctx.params
        record = self._key(ctx)
        self._require_not_pending_deletion(record)
        grant = {
            "KeyId": record["KeyId"], "KeyArn": record["Arn"], "Name": params.get("Name"),
            "GranteePrincipal": params["GranteePrincipal"], "RetiringPrincipal": params.get("RetiringPrincipal"),
            "Operations": list(params["Operations"]), "Constraints": params.get("Constraints"),
        }
        if grant["Name"] is not None:  # a retried CreateGrant with the same name and grant is idempotent
            for _, existing in self._grants_in(ctx.account, ctx.region):
                if all(existing[field] == value for field, value in grant.items()):
                    return {"GrantToken": existing["Token"], "GrantId": existing["GrantId"]}
        self._dry_run(ctx)
        grant_id = ctx.ids.hex(64)
        token = _GRANT_TOKEN_PREFIX + ctx.ids.urlsafe(180)
        self.grants.put((ctx.account, ctx.region, grant_id),
                        {**grant, "GrantId": grant_id, "Token": token, "Created": ctx.time()})
        return {"GrantToken": token, "GrantId": grant_id}

    @staticmethod
    def _grant_entry(grant: dict, account: str) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "KeyId": grant["KeyArn"], "GrantId": grant["GrantId"], "CreationDate": from_epoch(grant["Created"]),
            "GranteePrincipal": grant["GranteePrincipal"], "IssuingAccount": f"arn:aws:iam::{account}:root",
            "Operations": grant["Operations"],
        }
        for field in ("Name", "RetiringPrincipal", "Constraints"):
            if grant[field] is not None:
                entry[field] = grant[field]
        return entry

    def list_grants(self, ctx: RequestContext) -> dict[str, Any]:
        params = ctx.params
        record = self._key(ctx)
        grant_id = params.get("GrantId")
        if grant_id is not None and (ctx.account, ctx.region, grant_id) not in self.grants:
            raise AwsError("InvalidGrantIdException", "")
        rows = [self._grant_entry(grant, ctx.account) for _, grant in self._grants_in(ctx.account, ctx.region)
                if grant["KeyId"] == record["KeyId"]
                and grant_id in (None, grant["GrantId"])
                and params.get("GranteePrincipal") in (None, grant["GranteePrincipal"])]
        return page(params, rows, "Grants", lambda row: row["GrantId"], default_limit=50)

    def list_retirable_grants(self, ctx: RequestContext) -> dict[str, Any]:
        principal = ctx.params["RetiringPrincipal"]
        self.settle_all(ctx.account, ctx.region)
        rows = [self._grant_entry(grant, ctx.account) for _, grant in self._grants_in(ctx.account, ctx.region)
                if grant["RetiringPrincipal"] == principal]
        return page(ctx.params, rows, "Grants", lambda row: row["GrantId"], default_limit=50)

    def retire_grant(self, ctx: RequestContext) -> dict[str, Any]:
        params = ctx.params
        token = params.get("GrantToken")
        if token is not None:
            found = [key for key, grant in self._grants_in(ctx.account, ctx.region) if grant["Token"] == token]
            if not found:
                raise AwsError("InvalidGrantTokenException", "")
            self._dry_run(ctx)
            self.grants.delete(found[0])
            return {}
        if "GrantId" not in params or "KeyId" not in params:
            raise AwsError("ValidationException", "Grant token OR (grant ID, key ID) must be specified")
        self._delete_grant(ctx)
        return {}

    def revoke_grant(self, ctx: RequestContext) -> dict[str, Any]:
        self._delete_grant(ctx)
        return {}

    def _delete_grant(self, ctx: RequestContext) -> None:
        record = self._key(ctx)
        key = (ctx.account, ctx.region, ctx.params["GrantId"])
        grant = self.grants.get(key)
        if grant is None or grant["KeyId"] != record["KeyId"]:
            raise AwsError("InvalidGrantIdException", "")
        self._dry_run(ctx)
        self.grants.delete(key)

    # -- inspection ---------------------------------------------------------------------------
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


def page(params: dict[str, Any], rows: list, member: str, sort_key: Callable[[Any], str] | None, *,
         default_limit: int) -> dict[str, Any]:
    """One page of ``rows`` after the request's Marker, in AWS's ``Truncated``/``NextMarker`` form.
    With ``sort_key`` the rows are sorted and a marker names the last row returned (so deletions
    between pages skip nothing); without, the rows keep their order and a marker counts them."""
    invalid = AwsError("InvalidMarkerException", "")
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
    result: dict[str, Any] = {member: chunk, "Truncated": truncated}
    if truncated:
        result["NextMarker"] = encode_token(sort_key(chunk[-1]) if sort_key is not None else str(start + limit))
    return result
