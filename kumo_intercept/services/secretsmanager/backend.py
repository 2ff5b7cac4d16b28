"""Secrets Manager: secrets and their versions, staging labels, deletion, rotation, policies, replicas.

State: one table, ``secretsmanager.secrets``, keyed ``(account, region, name)``. A record holds the
secret's metadata and its versions (``Versions``: version id -> {Created, Stages, value}; ``Order``:
version ids oldest first). A replica is a small record in its own region that points at its primary
(``ReplicaOf``); reads see the primary's versions, writes are refused as AWS refuses them.

Values are stored as given unless a customer KMS key is named (``KmsKeyId``): then each version's
value is a ciphertext from the KeyPort (``emulator.ports.keys``), bound to the encryption context
``{"SecretARN", "SecretVersionId"}`` as AWS binds it. The default key ``alias/aws/secretsmanager``
needs no KMS.

Time is the emulator clock: a scheduled deletion takes effect when the secret is next touched after
its ``DeletionDate``; automatic rotation (``RotationRules``) runs from an emulator poller when the
clock passes ``NextRotationDate`` — after any call, or as soon as a virtual clock is advanced.

Rotation calls the secret's Lambda function through the FunctionPort four times, synchronously,
with ``{"Step": "createSecret" | "setSecret" | "testSecret" | "finishSecret", "SecretId": arn,
"ClientRequestToken": token}``, as AWS's rotation protocol does; the function calls back into this
backend with boto3.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any, Iterable, Literal, Mapping, Sequence, TypedDict, cast

from ...core.clock import from_epoch
from ...api import secretsmanager
from ...core.dispatch import Ctx, RequestContext, ServiceBackend, attempt
from ...core.errors import AwsError, NotEmulatedError
from ...core.ports import KeyPort
from ...core.schedule import Cron, ScheduleError, parse_schedule
from ...core.tags import tags_merged, tags_without
from ...core.tokens import offset_page
from . import schema
from .filters import matches
from .passwords import random_password

CURRENT, PREVIOUS, PENDING = "AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"
DEFAULT_KEY = "alias/aws/secretsmanager"
ROTATION_STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
DAY = 86400.0
#: AWS keeps at most this many versions; the oldest deprecated (unlabelled) ones go first
MAX_VERSIONS = 100
MAX_STAGES_PER_VERSION = 20
_NAME = re.compile(r"^[A-Za-z0-9/_+=.@!-]+$")
#: the tag a secret managed by another service carries, its value that service (``events``…): moto's
#: aws_verified test_kms_key_is_created reads it from an EventBridge connection's secret on AWS
OWNING_SERVICE_TAG = "aws:secretsmanager:owningService"
_ARN = re.compile(r"^arn:aws[\w-]*:secretsmanager:([\w-]+):(\d{12}):secret:(.+)$")

Key = tuple[str, str, str]
#: a version's value as GetSecretValue returns it
SecretValue = TypedDict("SecretValue", {"SecretString": str, "SecretBinary": bytes}, total=False)
#: the metadata members DescribeSecret and a ListSecrets entry share, copied from the record when present
_COPIED: tuple[Literal["Description", "KmsKeyId", "Type", "OwningService", "PrimaryRegion"], ...] = (
    "Description", "KmsKeyId", "Type", "OwningService", "PrimaryRegion")


def _error(code: str, message: str) -> AwsError:
    """A Secrets Manager error: the message is also the modeled ``Message`` member, as AWS sends it."""
    return AwsError(code, message, fields={"Message": message})


def _not_found() -> AwsError:
    return _error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")


def _managed_by_another_service() -> AwsError:
    """A customer changing a secret another service manages: InvalidRequestException, whose documented
    causes include "The secret is managed by another service, and you must use that service to update
    it" (Secrets Manager API reference, InvalidRequestException of PutSecretValue, UpdateSecret…; User Guide,
    "Secrets managed by other AWS services"). No recording of AWS's exact message was found: it is that
    sentence."""
    return _error("InvalidRequestException",
                  "The secret is managed by another service, and you must use that service to update it.")


def _marked_for_deletion() -> AwsError:
    return _error("InvalidRequestException",
                  "You can't perform this operation on the secret because it was marked for deletion.")


def _day(epoch: float) -> float:
    """AWS records LastAccessedDate to the day (midnight UTC)."""
    return epoch - epoch % DAY


def _with_stages(version: dict[str, Any], stages: Iterable[str]) -> dict[str, Any]:
    return {**version, "Stages": sorted(set(stages))}


def move_stages(versions: dict[str, Any], target: str, stages: Iterable[str]) -> dict[str, Any]:
    """Versions after attaching ``stages`` to ``target``: each label leaves the version that held it,
    and the version that loses AWSCURRENT gets AWSPREVIOUS (taken from wherever it was)."""
    out = dict(versions)
    for stage in stages:
        holder = next((vid for vid, v in out.items() if stage in v["Stages"] and vid != target), None)
        if holder is not None:
            out[holder] = _with_stages(out[holder], (s for s in out[holder]["Stages"] if s != stage))
        if stage == CURRENT and holder is not None:
            out = {vid: _with_stages(v, (s for s in v["Stages"] if s != PREVIOUS)) for vid, v in out.items()}
            out[holder] = _with_stages(out[holder], [*out[holder]["Stages"], PREVIOUS])
        out[target] = _with_stages(out[target], [*out[target]["Stages"], stage])
    return out


def _has_value(version: dict[str, Any]) -> bool:
    """False for the placeholder version a rotation labels AWSPENDING before createSecret fills it."""
    return "String" in version or "Binary" in version or "Cipher" in version


def _holder(record: dict[str, Any], stage: str) -> str | None:
    return next((vid for vid, v in record["Versions"].items() if stage in v["Stages"]), None)


def _check_tag_keys(tags: Sequence[secretsmanager.Tag]) -> None:
    """A tag needs its Key (optional in the model's Tag shape); tags are stored and merged by it."""
    for index, tag in enumerate(tags, 1):
        if "Key" not in tag:
            raise AwsError("ValidationException", f"1 validation error detected: Value null at "
                           f"'tags.{index}.member.key' failed to satisfy constraint: Member must not be null")


def _cannot_invoke() -> AwsError:
    """A rotation function that is missing or cannot be invoked (LocalStack snapshot
    test_rotate_secret_invalid_lambda_arn)."""
    return _error("AccessDeniedException", "Secrets Manager cannot invoke the specified Lambda function. "
                                           "Ensure that the function policy grants access to the principal "
                                           "secretsmanager.amazonaws.com.")


class SecretsManagerBackend(ServiceBackend):
    service_name = "secretsmanager"
    input_error_code = "ValidationException"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.secrets = schema.SECRETS.open(self.store)
        self._by_arn: dict[str, Key] = {}
        #: secrets with automatic rotation -> when it is next due (derived from the records)
        self._rotation_due: dict[Key, float] = {}
        for key, record in self.secrets.items():
            self._index(key, None, record)
        self.secrets.watch(self._index)
        emulator.pollers.append(self._rotate_due_secrets)

    def _index(self, key: Key, old: dict | None, new: dict | None) -> None:
        if old is not None:
            self._by_arn.pop(old["ARN"], None)
            self._rotation_due.pop(key, None)
        if new is not None:
            self._by_arn[new["ARN"]] = key
            rotation = new.get("Rotation")
            if rotation and rotation["Enabled"] and rotation.get("Next") is not None:
                self._rotation_due[key] = rotation["Next"]

    # -- finding secrets ------------------------------------------------------------------------
    def _key_for(self, ctx: RequestContext[Any], secret_id: str) -> Key | None:
        if secret_id.startswith("arn:"):
            key = self._by_arn.get(secret_id)
            if key is not None:
                return key
            match = _ARN.match(secret_id)  # a partial ARN: the name without the random suffix
            if match is None:
                return None
            key = (match.group(2), match.group(1), match.group(3))
            return key if key in self.secrets else None
        return (ctx.account, ctx.region, secret_id)

    def _find(self, ctx: RequestContext[Any], secret_id: str) -> tuple[Key, dict[str, Any]] | None:
        """The secret's key and record, None when there is none; a deletion that has come due happens here."""
        key = self._key_for(ctx, secret_id)
        record = self.secrets.get(key) if key is not None else None
        if record is None or key is None:
            return None
        if record.get("DeletionDate") is not None and record["DeletionDate"] <= ctx.time():
            self.secrets.delete(key)
            return None
        return key, record

    def _secret(self, ctx: RequestContext[Any], secret_id: str | None = None, *,
                deleted_ok: bool = False) -> tuple[Key, dict[str, Any]]:
        found = self._find(ctx, ctx.params["SecretId"] if secret_id is None else secret_id)
        if found is None:
            raise _not_found()
        if not deleted_ok and found[1].get("DeletionDate") is not None:
            raise _marked_for_deletion()
        return found

    def _primary(self, ctx: RequestContext[Any], *, deleted_ok: bool = False) -> tuple[Key, dict[str, Any]]:
        """The secret for an operation a replica refuses."""
        key, record = self._secret(ctx, deleted_ok=deleted_ok)
        if "ReplicaOf" in record:
            raise _error("InvalidRequestException",
                         f"Operation is not permitted on a replica secret. Call it on the primary secret "
                         f"in {record['ReplicaOf']}.")
        return key, record

    def _writable(self, ctx: RequestContext[Any]) -> tuple[Key, dict[str, Any]]:
        """The secret for a customer's change: a primary that no other service manages."""
        key, record = self._primary(ctx)
        if "OwningService" in record:
            raise _managed_by_another_service()
        return key, record

    def _view(self, key: Key, record: dict[str, Any]) -> dict[str, Any]:
        """What reads see: a replica shows its primary's metadata and versions under its own ARN."""
        primary_region = record.get("ReplicaOf")
        if primary_region is None:
            return record
        primary = self.secrets.get((key[0], primary_region, key[2])) or {}
        shared = {k: v for k, v in primary.items() if k not in ("ARN", "Replicas", "Policy", "DeletionDate")}
        return {**shared, "ARN": record["ARN"], "PrimaryRegion": primary_region, "Created": record["Created"]}

    # -- values and KMS -------------------------------------------------------------------------
    def _keys(self, key_id: str) -> KeyPort:
        try:
            return self.emulator.ports.keys
        except NotEmulatedError:
            raise NotEmulatedError("secretsmanager", None, f"KmsKeyId {key_id!r} needs KMS, which is not emulated "
                                   f"in this build; only the default key {DEFAULT_KEY} works without it") from None

    def _check_key(self, ctx: RequestContext[Any], key_id: str | None) -> None:
        if key_id is None or key_id == DEFAULT_KEY:
            return
        try:
            self._keys(key_id).check_key_usable(key_id, ctx.account, ctx.region)
        except AwsError as exc:
            raise _error("EncryptionFailure", f"Access to KMS is not allowed: {exc.message}") from None

    @staticmethod
    def _value(params: Mapping[str, Any]) -> str | bytes | None:
        string, binary = params.get("SecretString"), params.get("SecretBinary")
        if string is not None and binary is not None:
            raise _error("InvalidParameterException",
                         "You can't specify both a binary secret value and a string secret value in the same secret.")
        return string if string is not None else binary

    def _sealed(self, account: str, region: str, key_id: str | None, arn: str, version_id: str,
                value: str | bytes) -> dict[str, Any]:
        if key_id is None or key_id == DEFAULT_KEY:
            return {"String": value} if isinstance(value, str) else {"Binary": value}
        plain = b"S" + value.encode() if isinstance(value, str) else b"B" + value
        context = {"SecretARN": arn, "SecretVersionId": version_id}
        try:
            cipher = self._keys(key_id).encrypt_internal(key_id, plain, account, region, context)
        except AwsError as exc:  # the key was disabled or deleted since the secret chose it
            raise _error("EncryptionFailure", f"Access to KMS is not allowed: {exc.message}") from None
        return {"Cipher": cipher, "Kms": key_id}

    def _opened(self, account: str, region: str, arn: str, version_id: str,
                version: dict[str, Any]) -> SecretValue:
        if "String" in version:
            return {"SecretString": version["String"]}
        if "Binary" in version:
            return {"SecretBinary": version["Binary"]}
        context = {"SecretARN": arn, "SecretVersionId": version_id}
        try:
            plain, _ = self._keys(version["Kms"]).decrypt_internal(version["Cipher"], account, region, context)
        except AwsError as exc:
            raise _error("DecryptionFailure", f"Secrets Manager can't decrypt the protected secret text using "
                                              f"the provided KMS key: {exc.message}") from None
        return {"SecretString": plain[1:].decode()} if plain[:1] == b"S" else {"SecretBinary": plain[1:]}

    def _add_version(self, ctx: RequestContext[Any], record: dict[str, Any], token: str, value: str | bytes,
                     stages: list[str]) -> tuple[dict[str, Any], bool]:
        """The record with a new version ``token`` holding ``value`` under ``stages``, and whether it
        changed: the same token with the same value is the same version (idempotent retry)."""
        versions = record["Versions"]
        existing = versions.get(token)
        if existing is not None and _has_value(existing):
            given: SecretValue = {"SecretString": value} if isinstance(value, str) else {"SecretBinary": value}
            if self._opened(ctx.account, ctx.region, record["ARN"], token, existing) == given:
                return record, False
            raise _error("ResourceExistsException",
                         "You can't modify an existing version, you can only create a new version.")
        version = {"Created": ctx.time(), "Stages": [],
                   **self._sealed(ctx.account, ctx.region, record.get("KmsKeyId"), record["ARN"], token, value)}
        if existing is not None:  # a rotation's placeholder (labelled AWSPENDING, no value yet)
            version = {**version, "Created": existing["Created"], "Stages": existing["Stages"]}
        new_versions = move_stages({**versions, token: version}, token, stages)
        order = record["Order"] if token in record["Order"] else [*record["Order"], token]
        now = ctx.time()
        return self._trimmed({**record, "Versions": new_versions, "Order": order, "Changed": now}, now), True

    @staticmethod
    def _trimmed(record: dict[str, Any], now: float) -> dict[str, Any]:
        """The record without its oldest deprecated versions beyond 100 — never one less than a day old
        (UpdateSecret API reference)."""
        order = list(record["Order"])
        versions = dict(record["Versions"])
        for vid in list(order):
            if len(order) <= MAX_VERSIONS:
                break
            if not versions[vid]["Stages"] and versions[vid]["Created"] <= now - DAY:
                order.remove(vid)
                del versions[vid]
        return {**record, "Versions": versions, "Order": order}

    def _rekeyed(self, ctx: RequestContext[Any], record: dict[str, Any], key_id: str) -> dict[str, Any]:
        """The record under a new KMS key: the versions labelled AWSCURRENT, AWSPENDING or AWSPREVIOUS are
        encrypted again with it (UpdateSecret's KmsKeyId); an empty key id means the default key."""
        key_id = key_id or DEFAULT_KEY
        versions = dict(record["Versions"])
        for vid, version in versions.items():
            if _has_value(version) and {CURRENT, PENDING, PREVIOUS} & set(version["Stages"]):
                opened = self._opened(ctx.account, ctx.region, record["ARN"], vid, version)
                value = opened["SecretString"] if "SecretString" in opened else opened["SecretBinary"]
                bare = {k: v for k, v in version.items() if k not in ("String", "Binary", "Cipher", "Kms")}
                versions[vid] = {**bare, **self._sealed(ctx.account, ctx.region, key_id, record["ARN"], vid, value)}
        return {**record, "KmsKeyId": key_id, "Versions": versions}

    # -- create, update, put --------------------------------------------------------------------
    def create_secret(self, ctx: Ctx[secretsmanager.CreateSecretRequest]) -> secretsmanager.CreateSecretResult:
        return self._create(ctx, None)

    def _create(self, ctx: Ctx[secretsmanager.CreateSecretRequest],
                owning_service: str | None) -> secretsmanager.CreateSecretResponse:
        """CreateSecret; a secret another service creates for the customer records that service."""
        p = ctx.params
        name = p["Name"]
        if not _NAME.match(name):
            raise AwsError("ValidationException", "Invalid name. Must be a valid name containing alphanumeric "
                                                  "characters, or any of the following: -/_+=.@!")
        value = self._value(p)
        key = (ctx.account, ctx.region, name)
        found = self._find(ctx, name)
        if found is not None:
            if found[1].get("DeletionDate") is not None:
                raise _error("InvalidRequestException", "You can't create this secret because a secret with this "
                                                        "name is already scheduled for deletion.")
            raise _error("ResourceExistsException", f"The operation failed because the secret {name} already exists.")
        self._check_key(ctx, p.get("KmsKeyId"))
        _check_tag_keys(p.get("Tags", []))
        now = ctx.time()
        record: dict[str, Any] = {
            "Name": name, "ARN": ctx.arn(f"secret:{name}-{ctx.ids.chars(6)}"), "Created": now, "Changed": now,
            "Tags": list(p.get("Tags", [])), "Versions": {}, "Order": [],
        }
        for field in ("Description", "KmsKeyId", "Type"):
            if field in p:
                record[field] = p[field]
        if owning_service is not None:
            record["OwningService"] = owning_service
        response: secretsmanager.CreateSecretResponse = {"ARN": record["ARN"], "Name": name}
        if value is not None:
            token = p["ClientRequestToken"]
            record, _ = self._add_version(ctx, record, token, value, [CURRENT])
            response["VersionId"] = token
        self.secrets.put(key, record)
        if p.get("AddReplicaRegions"):
            record = self._replicate(ctx, key, record, p["AddReplicaRegions"],
                                     p.get("ForceOverwriteReplicaSecret", False))
            response["ReplicationStatus"] = self._replication_status(record)
        return response

    def put_secret_value(self, ctx: Ctx[secretsmanager.PutSecretValueRequest]) -> secretsmanager.PutSecretValueResult:
        return self._put_value(ctx, *self._writable(ctx))

    def _put_value(self, ctx: Ctx[secretsmanager.PutSecretValueRequest], key: Key,
                   record: dict[str, Any]) -> secretsmanager.PutSecretValueResponse:
        p = ctx.params
        value = self._value(p)
        if value is None:
            raise _error("InvalidRequestException", "You must provide either SecretString or SecretBinary.")
        token = p["ClientRequestToken"]
        stages = p.get("VersionStages") or [CURRENT]
        new, changed = self._add_version(ctx, record, token, value, stages)
        if changed:
            self.secrets.put(key, new)
        return {"ARN": record["ARN"], "Name": record["Name"], "VersionId": token,
                "VersionStages": new["Versions"][token]["Stages"]}

    def update_secret(self, ctx: Ctx[secretsmanager.UpdateSecretRequest]) -> secretsmanager.UpdateSecretResult:
        p = ctx.params
        key, record = self._writable(ctx)
        value = self._value(p)
        record = {**record, **{f: p[f] for f in ("Description", "Type") if f in p}, "Changed": ctx.time()}
        if "KmsKeyId" in p and (p["KmsKeyId"] or DEFAULT_KEY) != record.get("KmsKeyId", DEFAULT_KEY):
            self._check_key(ctx, p["KmsKeyId"] or DEFAULT_KEY)
            record = self._rekeyed(ctx, record, p["KmsKeyId"])
        response: secretsmanager.UpdateSecretResponse = {"ARN": record["ARN"], "Name": record["Name"]}
        if value is not None:
            record, _ = self._add_version(ctx, record, p["ClientRequestToken"], value, [CURRENT])
            response["VersionId"] = p["ClientRequestToken"]
        self.secrets.put(key, record)
        return response

    def update_secret_version_stage(
            self, ctx: Ctx[secretsmanager.UpdateSecretVersionStageRequest]) -> secretsmanager.UpdateSecretVersionStageResult:
        p = ctx.params
        key, record = self._writable(ctx)
        stage, remove_from, move_to = p["VersionStage"], p.get("RemoveFromVersionId"), p.get("MoveToVersionId")
        versions = record["Versions"]
        for vid in (remove_from, move_to):
            if vid is not None and vid not in versions:
                raise _error("ResourceNotFoundException",
                             f"Secrets Manager can't find the specified secret value for VersionId: {vid}")
        holder = _holder(record, stage)
        if remove_from is not None and holder != remove_from:
            raise _error("InvalidParameterException", f"The staging label {stage} is not currently attached to "
                                                      f"version {remove_from}.")
        if move_to is not None and holder is not None and holder != move_to and remove_from is None:
            raise _error("InvalidParameterException",
                         f"The parameter RemoveFromVersionId can't be empty. Staging label {stage} is currently "
                         f"attached to version {holder}, so you must explicitly reference that version in "
                         f"RemoveFromVersionId.")
        if move_to is None and stage == CURRENT:
            raise _error("InvalidParameterException", "You can't remove the staging label AWSCURRENT from a version "
                                                      "without moving it to another version.")
        if move_to is not None:
            if len(set(versions[move_to]["Stages"]) | {stage}) > MAX_STAGES_PER_VERSION:
                raise _error("LimitExceededException", "A version can have at most 20 staging labels.")
            versions = move_stages(versions, move_to, [stage])
        elif remove_from is not None:
            kept = (s for s in versions[remove_from]["Stages"] if s != stage)
            versions = {**versions, remove_from: _with_stages(versions[remove_from], kept)}
        self.secrets.put(key, self._trimmed({**record, "Versions": versions, "Changed": ctx.time()}, ctx.time()))
        return {"ARN": record["ARN"], "Name": record["Name"]}

    # -- reading --------------------------------------------------------------------------------
    def _version_id(self, record: dict[str, Any], version_id: str | None, stage: str | None) -> str:
        if version_id is not None:
            version = record["Versions"].get(version_id)
            if version is None or not _has_value(version):
                raise _error("ResourceNotFoundException",
                             f"Secrets Manager can't find the specified secret value for VersionId: {version_id}")
            if stage is not None and stage not in version["Stages"]:
                raise _error("InvalidRequestException",
                             "You provided a VersionStage that is not associated to the provided VersionId.")
            return version_id
        label = stage or CURRENT
        holder = _holder(record, label)
        if holder is None or not _has_value(record["Versions"][holder]):
            raise _error("ResourceNotFoundException",
                         f"Secrets Manager can't find the specified secret value for staging label: {label}")
        return holder

    def _secret_value(self, ctx: RequestContext[Any], key: Key, record: dict[str, Any], version_id: str | None,
                      stage: str | None) -> secretsmanager.GetSecretValueResponse:
        view = self._view(key, record)
        vid = self._version_id(view, version_id, stage)
        self._touch(ctx, key, record, vid)
        version = view["Versions"][vid]
        owner_region = record.get("ReplicaOf", key[1])  # a replica's values are sealed under its primary's ARN
        owner_arn = self.secrets[(key[0], owner_region, key[2])]["ARN"]
        return {"ARN": view["ARN"], "Name": view["Name"], "VersionId": vid,
                **self._opened(ctx.account, owner_region, owner_arn, vid, version),
                "VersionStages": version["Stages"], "CreatedDate": from_epoch(version["Created"])}

    def _touch(self, ctx: RequestContext[Any], key: Key, record: dict[str, Any], version_id: str) -> None:
        """Record the day of access on the secret and the version — a write only when the day changes."""
        today = _day(ctx.time())
        if "ReplicaOf" in record:
            if record.get("Accessed") != today:
                self.secrets.put(key, {**record, "Accessed": today})
            return
        version = record["Versions"][version_id]
        if record.get("Accessed") != today or version.get("Accessed") != today:
            self.secrets.put(key, {**record, "Accessed": today,
                                   "Versions": {**record["Versions"], version_id: {**version, "Accessed": today}}})

    def get_secret_value(self, ctx: Ctx[secretsmanager.GetSecretValueRequest]) -> secretsmanager.GetSecretValueResult:
        p = ctx.params
        key, record = self._secret(ctx)
        return self._secret_value(ctx, key, record, p.get("VersionId"), p.get("VersionStage"))

    def batch_get_secret_value(
            self, ctx: Ctx[secretsmanager.BatchGetSecretValueRequest]) -> secretsmanager.BatchGetSecretValueResult:
        p = ctx.params
        ids, filters = p.get("SecretIdList"), p.get("Filters")
        if (ids is None) == (filters is None):
            raise _error("InvalidParameterException", "Either 'SecretIdList' or 'Filters' must be provided.")
        if ids is not None and "MaxResults" in p:
            raise _error("InvalidParameterException", "'Filters' not specified. 'Filters' must also be specified "
                                                      "when 'MaxResults' is provided in an API call.")
        values: list[secretsmanager.SecretValueEntry] = []
        errors: list[secretsmanager.APIErrorType] = []
        response: secretsmanager.BatchGetSecretValueResponse = {}
        if ids is None:
            listed = self._listed(ctx, filters or [], False)
            page, next_token = self._page(listed, p.get("MaxResults", 20), p.get("NextToken"))
            ids = [self._view(key, record)["ARN"] for key, record in page]
            if next_token:
                response["NextToken"] = next_token
        refused = {verdict.resource: verdict for verdict in ctx.authorization or ()  # by IAM enforcement
                   if verdict.enforced and not verdict.allowed}
        for secret_id in ids:
            try:
                key, record = self._secret(ctx, secret_id)
                if record["ARN"] in refused:
                    raise _error("AccessDeniedException", refused[record["ARN"]].denial_message("secretsmanager"))
                values.append(self._secret_value(ctx, key, record, None, None))
            except AwsError as exc:
                errors.append({"SecretId": secret_id, "ErrorCode": exc.code, "Message": exc.message})
        response["SecretValues"], response["Errors"] = values, errors
        return response

    def _described(self, key: Key, record: dict[str, Any],
                   out: secretsmanager.DescribeSecretResponse | secretsmanager.SecretListEntry) -> dict[str, list[str]]:
        """Fill ``out`` (DescribeSecret's response or a ListSecrets entry) with what both report; returns
        the staging labels of the labelled versions, which each reports under its own member name."""
        view = self._view(key, record)
        out["ARN"], out["Name"] = view["ARN"], view["Name"]
        for field in _COPIED:
            if field in view:
                out[field] = view[field]
        rotation = view.get("Rotation")
        if rotation:
            out["RotationEnabled"] = rotation["Enabled"]
            out["RotationLambdaARN"] = rotation["Lambda"]
            out["RotationRules"] = rotation["Rules"]
            if rotation.get("Last") is not None:
                out["LastRotatedDate"] = from_epoch(rotation["Last"])
            if rotation["Enabled"] and rotation.get("Next") is not None:
                out["NextRotationDate"] = from_epoch(rotation["Next"])
        out["LastChangedDate"] = from_epoch(view["Changed"])
        if record.get("Accessed") is not None:
            out["LastAccessedDate"] = from_epoch(record["Accessed"])
        if view.get("DeletionDate") is not None:
            out["DeletedDate"] = from_epoch(view["DeletionDate"])
        if view.get("Tags"):
            out["Tags"] = view["Tags"]
        out["CreatedDate"] = from_epoch(view["Created"])
        return {vid: v["Stages"] for vid, v in view["Versions"].items() if v["Stages"]}

    def describe_secret(self, ctx: Ctx[secretsmanager.DescribeSecretRequest]) -> secretsmanager.DescribeSecretResult:
        key, record = self._secret(ctx, deleted_ok=True)
        out: secretsmanager.DescribeSecretResponse = {}
        staged = self._described(key, record, out)
        if staged:
            out["VersionIdsToStages"] = staged
        if record.get("Replicas"):
            out["ReplicationStatus"] = self._replication_status(record)
        return out

    def _list_entry(self, key: Key, record: dict[str, Any]) -> secretsmanager.SecretListEntry:
        entry: secretsmanager.SecretListEntry = {}
        staged = self._described(key, record, entry)
        if staged:
            entry["SecretVersionsToStages"] = staged
        return entry

    def _listed(self, ctx: RequestContext[Any], filters: Sequence[secretsmanager.Filter],
                include_deleted: bool) -> list[tuple[Key, dict[str, Any]]]:
        now = ctx.time()
        out = []
        for key, record in list(self.secrets.items()):
            if key[0] != ctx.account or key[1] != ctx.region:
                continue
            due = record.get("DeletionDate")
            if due is not None and due <= now:
                self.secrets.delete(key)
                continue
            if due is not None and not include_deleted:
                continue
            if filters and not matches(self._view(key, record), filters):
                continue
            out.append((key, record))
        return out

    @staticmethod
    def _page(items: list[Any], limit: int, token: str | None) -> tuple[list[Any], str | None]:
        return offset_page(items, limit, token, _error("InvalidNextTokenException", "The NextToken value is invalid."))

    _SORT_KEYS = {
        "created-date": lambda r: r["Created"], "name": lambda r: r["Name"],
        "last-accessed-date": lambda r: r.get("Accessed") or 0.0, "last-changed-date": lambda r: r["Changed"],
    }

    def list_secrets(self, ctx: Ctx[secretsmanager.ListSecretsRequest]) -> secretsmanager.ListSecretsResult:
        p = ctx.params
        for f in p.get("Filters", []):
            if not f.get("Values"):
                raise _error("InvalidParameterException",
                             "Invalid filter values: each filter needs at least one value.")
        listed = self._listed(ctx, p.get("Filters", []), p.get("IncludePlannedDeletion", False))
        sort_key = self._SORT_KEYS[p.get("SortBy", "created-date")]
        listed.sort(key=lambda item: sort_key(self._view(*item)), reverse=p.get("SortOrder", "asc") == "desc")
        page, next_token = self._page(listed, p.get("MaxResults", 100), p.get("NextToken"))
        response: secretsmanager.ListSecretsResponse = {"SecretList": [self._list_entry(k, r) for k, r in page]}
        if next_token:
            response["NextToken"] = next_token
        return response

    def list_secret_version_ids(
            self, ctx: Ctx[secretsmanager.ListSecretVersionIdsRequest]) -> secretsmanager.ListSecretVersionIdsResult:
        p = ctx.params
        key, record = self._secret(ctx)
        view = self._view(key, record)
        entries: list[secretsmanager.SecretVersionsListEntry] = []
        for vid in view["Order"]:
            version = view["Versions"][vid]
            if not version["Stages"] and not p.get("IncludeDeprecated", False):
                continue
            entry: secretsmanager.SecretVersionsListEntry = {"VersionId": vid}
            if version["Stages"]:
                entry["VersionStages"] = version["Stages"]
            if version.get("Accessed") is not None:
                entry["LastAccessedDate"] = from_epoch(version["Accessed"])
            entry["CreatedDate"] = from_epoch(version["Created"])
            entry["KmsKeyIds"] = [version.get("Kms") or "DefaultEncryptionKey"]
            entries.append(entry)
        page, next_token = self._page(entries, p.get("MaxResults", 100), p.get("NextToken"))
        response: secretsmanager.ListSecretVersionIdsResponse = {"Versions": page, "ARN": view["ARN"],
                                                                 "Name": view["Name"]}
        if next_token:
            response["NextToken"] = next_token
        return response

    # -- deletion -------------------------------------------------------------------------------
    def delete_secret(self, ctx: Ctx[secretsmanager.DeleteSecretRequest]) -> secretsmanager.DeleteSecretResult:
        p = ctx.params
        force, window = p.get("ForceDeleteWithoutRecovery", False), p.get("RecoveryWindowInDays")
        if force and window is not None:
            raise _error("InvalidParameterException",
                         "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
        if window is not None and not 7 <= window <= 30:
            raise _error("InvalidParameterException",
                         "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
        key, record = self._secret(ctx, deleted_ok=True)
        if "ReplicaOf" in record:  # "When you delete a replica, it is deleted immediately" (DeleteSecret docs)
            self._drop_replicas((key[0], record["ReplicaOf"], key[2]), [key[1]])
            return {"ARN": record["ARN"], "Name": record["Name"], "DeletionDate": ctx.now()}
        if record.get("Replicas"):
            raise _error("InvalidRequestException", f"You can't delete secret {record['Name']} that still has "
                                                    f"replica regions {[r['Region'] for r in record['Replicas']]}")
        if force:
            self.secrets.delete(key)
            return {"ARN": record["ARN"], "Name": record["Name"], "DeletionDate": ctx.now()}
        if record.get("DeletionDate") is not None:
            raise _marked_for_deletion()
        due = ctx.time() + (window if window is not None else 30) * DAY
        self.secrets.put(key, {**record, "DeletionDate": due})
        return {"ARN": record["ARN"], "Name": record["Name"], "DeletionDate": from_epoch(due)}

    def restore_secret(self, ctx: Ctx[secretsmanager.RestoreSecretRequest]) -> secretsmanager.RestoreSecretResult:
        key, record = self._primary(ctx, deleted_ok=True)
        self.secrets.put(key, {k: v for k, v in record.items() if k != "DeletionDate"})
        return {"ARN": record["ARN"], "Name": record["Name"]}

    # -- tags -----------------------------------------------------------------------------------
    def tag_resource(self, ctx: Ctx[secretsmanager.TagResourceRequest]) -> secretsmanager.TagResourceResult:
        _check_tag_keys(ctx.params["Tags"])
        key, record = self._primary(ctx)
        # core.tags works on plain tag dicts; the request's tags are those dicts, typed as secretsmanager.Tag
        added = cast("list[dict[str, str]]", ctx.params["Tags"])
        self.secrets.put(key, {**record, "Tags": tags_merged(record["Tags"], added)})
        return {}

    def untag_resource(self, ctx: Ctx[secretsmanager.UntagResourceRequest]) -> secretsmanager.UntagResourceResult:
        key, record = self._primary(ctx)
        self.secrets.put(key, {**record, "Tags": tags_without(record["Tags"], ctx.params["TagKeys"])})
        return {}

    # -- resource policies ----------------------------------------------------------------------
    @staticmethod
    def _policy_document(text: str) -> dict[str, Any]:
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if not isinstance(document, dict) or not isinstance(document.get("Statement"), (list, dict)):
            raise _error("MalformedPolicyDocumentException", "This resource policy contains a syntax error.")
        return document

    @staticmethod
    def _public_statements(document: dict[str, Any]) -> list[dict[str, Any]]:
        """Allow statements any principal ("*") can use without a condition: what BlockPublicPolicy refuses."""
        statements = document["Statement"]
        statements = statements if isinstance(statements, list) else [statements]
        public = []
        for statement in statements:
            principal = statement.get("Principal")
            aws = principal.get("AWS") if isinstance(principal, dict) else None
            anyone = principal == "*" or aws == "*" or (isinstance(aws, list) and "*" in aws)
            if statement.get("Effect") == "Allow" and anyone and not statement.get("Condition"):
                public.append(statement)
        return public

    def put_resource_policy(
            self, ctx: Ctx[secretsmanager.PutResourcePolicyRequest]) -> secretsmanager.PutResourcePolicyResult:
        p = ctx.params
        key, record = self._primary(ctx)
        document = self._policy_document(p["ResourcePolicy"])
        if p.get("BlockPublicPolicy", False) and self._public_statements(document):
            raise _error("PublicPolicyException", "The BlockPublicPolicy parameter is set to true, and the resource "
                                                  "policy did not prevent broad access to the secret.")
        self.secrets.put(key, {**record, "Policy": p["ResourcePolicy"]})
        return {"ARN": record["ARN"], "Name": record["Name"]}

    def get_resource_policy(
            self, ctx: Ctx[secretsmanager.GetResourcePolicyRequest]) -> secretsmanager.GetResourcePolicyResult:
        key, record = self._secret(ctx)
        out: secretsmanager.GetResourcePolicyResponse = {"ARN": record["ARN"], "Name": record["Name"]}
        if "Policy" in record:
            out["ResourcePolicy"] = record["Policy"]
        return out

    def delete_resource_policy(
            self, ctx: Ctx[secretsmanager.DeleteResourcePolicyRequest]) -> secretsmanager.DeleteResourcePolicyResult:
        key, record = self._primary(ctx)
        self.secrets.put(key, {k: v for k, v in record.items() if k != "Policy"})
        return {"ARN": record["ARN"], "Name": record["Name"]}

    def validate_resource_policy(
            self, ctx: Ctx[secretsmanager.ValidateResourcePolicyRequest]) -> secretsmanager.ValidateResourcePolicyResult:
        p = ctx.params
        if "SecretId" in p:
            self._secret(ctx)
        document = self._policy_document(p["ResourcePolicy"])
        errors: list[secretsmanager.ValidationErrorsEntry] = [{"CheckName": "PUBLIC_ACCESS_CHECK",
                   "ErrorMessage": "The resource policy grants public access to the secret."}
                  for _ in self._public_statements(document)[:1]]
        return {"PolicyValidationPassed": not errors, "ValidationErrors": errors}

    # -- replication ----------------------------------------------------------------------------
    @staticmethod
    def _replication_status(record: dict[str, Any]) -> list[secretsmanager.ReplicationStatusType]:
        return [cast("secretsmanager.ReplicationStatusType", {k: v for k, v in replica.items() if v is not None})
                for replica in record.get("Replicas", [])]

    def _replicate(self, ctx: RequestContext[Any], key: Key, record: dict[str, Any],
                   regions: Sequence[secretsmanager.ReplicaRegionType],
                   overwrite: bool) -> dict[str, Any]:
        replicas = {r["Region"]: r for r in record.get("Replicas", [])}
        for index, wanted in enumerate(regions, 1):
            region = wanted.get("Region")
            if region is None:  # optional in the model's RegionType
                raise AwsError("ValidationException", f"1 validation error detected: Value null at "
                               f"'addReplicaRegions.{index}.member.region' failed to satisfy constraint: "
                               "Member must not be null")
            if region == key[1]:
                raise _error("InvalidParameterException", "Invalid replica region: it is the primary region.")
            replica_key = (key[0], region, key[2])
            occupant = self.secrets.get(replica_key)
            status = {"Region": region, "KmsKeyId": wanted.get("KmsKeyId", DEFAULT_KEY), "Status": "InSync",
                      "StatusMessage": "Replication succeeded"}
            if occupant is not None and occupant.get("ReplicaOf") != key[1] and not overwrite:
                status = {**status, "Status": "Failed", "StatusMessage": f"Replication failed: Secret name already "
                                                                         f"exists in Region: {region}."}
            else:
                suffix = record["ARN"].rsplit("-", 1)[1]
                arn = ctx.arn(f"secret:{key[2]}-{suffix}", region=region)
                self.secrets.put(replica_key, {"Name": key[2], "ARN": arn, "ReplicaOf": key[1], "Created": ctx.time()})
            replicas[region] = status
        record = {**record, "Replicas": list(replicas.values())}
        self.secrets.put(key, record)
        return record

    def replicate_secret_to_regions(
            self, ctx: Ctx[secretsmanager.ReplicateSecretToRegionsRequest]) -> secretsmanager.ReplicateSecretToRegionsResult:
        p = ctx.params
        key, record = self._primary(ctx)
        record = self._replicate(ctx, key, record, p["AddReplicaRegions"], p.get("ForceOverwriteReplicaSecret", False))
        return {"ARN": record["ARN"], "ReplicationStatus": self._replication_status(record)}

    def remove_regions_from_replication(
            self, ctx: Ctx[secretsmanager.RemoveRegionsFromReplicationRequest]) -> secretsmanager.RemoveRegionsFromReplicationResult:
        key, record = self._primary(ctx)
        record = self._drop_replicas(key, ctx.params["RemoveReplicaRegions"])
        return {"ARN": record["ARN"], "ReplicationStatus": self._replication_status(record)}

    def _drop_replicas(self, key: Key, regions: Iterable[str]) -> dict[str, Any]:
        """Delete the primary ``key``'s replicas in ``regions``; returns the primary's new record."""
        removed = set(regions)
        for region in removed:
            replica_key = (key[0], region, key[2])
            if (self.secrets.get(replica_key) or {}).get("ReplicaOf") == key[1]:
                self.secrets.delete(replica_key)
        record = self.secrets[key]
        record = {**record, "Replicas": [r for r in record.get("Replicas", []) if r["Region"] not in removed]}
        self.secrets.put(key, record)
        return record

    def stop_replication_to_replica(
            self, ctx: Ctx[secretsmanager.StopReplicationToReplicaRequest]) -> secretsmanager.StopReplicationToReplicaResult:
        key, record = self._secret(ctx)
        primary_region = record.get("ReplicaOf")
        if primary_region is None:
            raise _error("InvalidRequestException", "StopReplicationToReplica can only be called on a replica secret.")
        primary_key = (key[0], primary_region, key[2])
        primary = self.secrets[primary_key]
        standalone = {**self._view(key, record), "Changed": ctx.time()}
        standalone = {k: v for k, v in standalone.items() if k not in ("ReplicaOf", "PrimaryRegion", "Rotation")}
        self.secrets.put(key, self._reencrypted(ctx, standalone, primary))
        self.secrets.put(primary_key, {**primary, "Replicas": [r for r in primary.get("Replicas", [])
                                                               if r["Region"] != key[1]]})
        return {"ARN": record["ARN"]}

    def _reencrypted(self, ctx: RequestContext[Any], standalone: dict[str, Any], primary: dict[str, Any]) -> dict[str, Any]:
        """The promoted replica's versions, their KMS-sealed values bound to its own ARN and sealed
        under the replica's own key (a key of its region; aws/secretsmanager unless one was given)."""
        replica_key = next((r["KmsKeyId"] for r in primary.get("Replicas", []) if r["Region"] == ctx.region),
                           DEFAULT_KEY)
        versions = {}
        for vid, version in standalone["Versions"].items():
            if "Cipher" in version:
                plain = self._opened(ctx.account, primary["ARN"].split(":")[3], primary["ARN"], vid, version)
                value: str | bytes = plain["SecretString"] if "SecretString" in plain else plain["SecretBinary"]
                sealed = self._sealed(ctx.account, ctx.region, replica_key, standalone["ARN"], vid, value)
                version = {k: v for k, v in version.items() if k not in ("Cipher", "Kms")} | sealed
            versions[vid] = version
        return {**standalone, "Versions": versions}

    # -- rotation -------------------------------------------------------------------------------
    @staticmethod
    def _next_rotation(rules: Mapping[str, Any], after: float) -> float:
        """When rotation is next due: AutomaticallyAfterDays and rate() count from the last rotation
        (rate(N days) windows open at midnight UTC); cron() is its next firing."""
        if "ScheduleExpression" in rules:
            schedule = parse_schedule(rules["ScheduleExpression"])
            if isinstance(schedule, Cron):
                return schedule.next_after(after, after) or after + 1000 * DAY
            if schedule.seconds % DAY == 0:
                return _day(after) + schedule.seconds
            return after + schedule.seconds
        return after + rules["AutomaticallyAfterDays"] * DAY

    @staticmethod
    def _checked_rules(rules: secretsmanager.RotationRulesType) -> secretsmanager.RotationRulesType:
        if ("AutomaticallyAfterDays" in rules) == ("ScheduleExpression" in rules):
            raise _error("InvalidParameterException",
                         "You must specify either AutomaticallyAfterDays or ScheduleExpression in RotationRules.")
        expression = rules.get("ScheduleExpression")
        if expression is not None:
            try:
                schedule = parse_schedule(expression)
            except ScheduleError:
                raise _error("InvalidParameterException", f"Invalid ScheduleExpression: {expression}") from None
            if not isinstance(schedule, Cron) and (schedule.seconds < 4 * 3600 or schedule.seconds % 3600):
                raise _error("InvalidParameterException",
                             "The rotation schedule must be in hours or days, at least every four hours.")
        return rules.copy()

    def rotate_secret(self, ctx: Ctx[secretsmanager.RotateSecretRequest]) -> secretsmanager.RotateSecretResult:
        p = ctx.params
        key, record = self._writable(ctx)
        previous = record.get("Rotation") or {}
        function_arn = p.get("RotationLambdaARN") or previous.get("Lambda")
        if not function_arn:
            raise _error("InvalidRequestException", "No Lambda rotation function ARN is associated with this secret.")
        rules = self._checked_rules(p["RotationRules"]) if "RotationRules" in p else previous.get("Rules")
        token = p["ClientRequestToken"]
        pending = _holder(record, PENDING)
        if pending is not None and pending != token and CURRENT not in record["Versions"][pending]["Stages"]:
            raise _error("InvalidRequestException", "A previous rotation isn't complete. That rotation will be "
                                                    "reattempted.")
        now = ctx.time()
        rotation = {"Enabled": True, "Lambda": function_arn, "Rules": rules or {},
                    "Last": previous.get("Last"), "Next": self._next_rotation(rules, now) if rules else None}
        self.secrets.put(key, {**record, "Rotation": rotation})
        if p.get("RotateImmediately", True):
            self._rotate(key, token)
        elif not self.emulator.ports.functions.function_exists(function_arn):
            # AWS tests the configuration by invoking the function's testSecret step (RotateImmediately's
            # documentation); that step is not run here, but a function that is missing fails as it would
            raise _cannot_invoke()
        return {"ARN": record["ARN"], "Name": record["Name"], "VersionId": token}

    def cancel_rotate_secret(
            self, ctx: Ctx[secretsmanager.CancelRotateSecretRequest]) -> secretsmanager.CancelRotateSecretResult:
        key, record = self._writable(ctx)
        rotation = record.get("Rotation")
        if not rotation or not rotation["Enabled"]:
            raise _error("InvalidRequestException", "Secrets Manager can't cancel rotation because rotation is not "
                                                    "enabled for this secret.")
        self.secrets.put(key, {**record, "Rotation": {**rotation, "Enabled": False, "Next": None}})
        response: secretsmanager.CancelRotateSecretResponse = {"ARN": record["ARN"], "Name": record["Name"]}
        pending = _holder(record, PENDING)
        if pending is not None:
            response["VersionId"] = pending
        return response

    def _rotate(self, key: Key, token: str) -> bool:
        """Run the four rotation steps for version ``token``; True when the new version became AWSCURRENT.
        A failing step stops the rotation and leaves AWSPENDING where it is, as on AWS."""
        record = self.secrets[key]
        if token not in record["Versions"]:
            placeholder = {"Created": self.emulator.clock.time(), "Stages": []}
            versions = move_stages({**record["Versions"], token: placeholder}, token, [PENDING])
            record = {**record, "Versions": versions, "Order": [*record["Order"], token]}
            self.secrets.put(key, record)
        functions = self.emulator.ports.functions
        for step in ROTATION_STEPS:
            payload = json.dumps({"Step": step, "SecretId": record["ARN"], "ClientRequestToken": token})
            try:
                result = functions.invoke_internal(record["Rotation"]["Lambda"], payload,
                                                   invocation_type="RequestResponse")
            except AwsError:
                raise _cannot_invoke() from None
            if result.get("FunctionError"):
                return False
        record = self.secrets[key]
        version = record["Versions"].get(token)
        if version is None or CURRENT not in version["Stages"]:
            return False
        now = self.emulator.clock.time()
        rotation = record["Rotation"]
        rules = rotation["Rules"]
        versions = {**record["Versions"], token: _with_stages(version, (s for s in version["Stages"] if s != PENDING))}
        next_due = self._next_rotation(rules, now) if rules and rotation["Enabled"] else None
        self.secrets.put(key, {**record, "Versions": versions, "Rotation": {**rotation, "Last": now, "Next": next_due}})
        return True

    def _rotate_due_secrets(self) -> bool:
        """Poller: rotate every secret whose NextRotationDate the clock has passed. The next attempt is
        scheduled first, so a rotation that fails is tried again at the next window, as on AWS."""
        now = self.emulator.clock.time()
        due = [key for key, when in self._rotation_due.items() if when <= now]
        for key in due:
            record = self.secrets[key]
            rotation = record["Rotation"]
            next_due = self._next_rotation(rotation["Rules"], now)
            self.secrets.put(key, {**record, "Rotation": {**rotation, "Next": next_due}})
            if record.get("DeletionDate") is None:
                attempt(self.store, self._rotate, key, self.emulator.ids.uuid4())
        return bool(due)

    # -- secrets other services manage (SecretPort) ---------------------------------------------
    def _service_context(self, operation: str, params: dict[str, Any], account: str,
                         region: str) -> RequestContext[Any]:
        """The request of an owning service's call: made in the secret's account and region."""
        return RequestContext(self.emulator, "secretsmanager", operation, params, account, region,
                              self.emulator.ids.hex(16), None)

    def _service_context_by_arn(self, operation: str, secret_arn: str, params: dict[str, Any]) -> RequestContext[Any]:
        key = self._by_arn.get(secret_arn)
        if key is None:
            raise _not_found()
        return self._service_context(operation, {"SecretId": secret_arn, **params}, key[0], key[1])

    def create_managed_secret(self, account: str, region: str, name: str, value: str, owning_service: str) -> str:
        """SecretPort: the secret a service creates for the customer, owned by it and tagged so
        (moto's aws_verified test_kms_key_is_created: OwningService and the owningService tag)."""
        params = {"Name": name, "SecretString": value, "ClientRequestToken": self.emulator.ids.uuid4(),
                  "Tags": [{"Key": OWNING_SERVICE_TAG, "Value": owning_service}]}
        return self._create(self._service_context("CreateSecret", params, account, region), owning_service)["ARN"]

    def put_managed_secret_value(self, secret_arn: str, value: str) -> None:
        """SecretPort: the owning service's new AWSCURRENT version (customers are refused it)."""
        ctx = self._service_context_by_arn("PutSecretValue", secret_arn, {
            "SecretString": value, "ClientRequestToken": self.emulator.ids.uuid4()})
        self._put_value(ctx, *self._primary(ctx))

    def delete_managed_secret(self, secret_arn: str) -> None:
        """SecretPort: the owning service deletes the secret without a recovery window."""
        self.delete_secret(self._service_context_by_arn("DeleteSecret", secret_arn,
                                                        {"ForceDeleteWithoutRecovery": True}))

    # -- passwords ------------------------------------------------------------------------------
    def get_random_password(
            self, ctx: Ctx[secretsmanager.GetRandomPasswordRequest]) -> secretsmanager.GetRandomPasswordResult:
        return {"RandomPassword": random_password(ctx.params, ctx.ids)}

    # -- inspection -----------------------------------------------------------------------------
    def resource_facts(self, arn: str) -> dict[str, Any] | None:
        """ResourcePolicyPort: a secret's (full or partial ARN) resource policy and tags."""
        key = self._by_arn.get(arn)
        if key is None:
            match = _ARN.match(arn)
            key = (match.group(2), match.group(1), match.group(3)) if match else None
        record = self.secrets.get(key) if key is not None else None
        if record is None:
            return None
        return {"Arn": record["ARN"], "Policy": record.get("Policy"),
                "Tags": {tag["Key"]: tag["Value"] for tag in record["Tags"]}}

    def summary(self) -> dict[str, Any]:
        secrets = []
        for (account, region, name), record in self.secrets.items():
            entry: dict[str, Any] = {"name": name, "account": account, "region": region, "arn": record["ARN"]}
            if "ReplicaOf" in record:
                entry["replica_of"] = record["ReplicaOf"]
            else:
                entry["versions"] = len(record["Versions"])
                entry["current"] = _holder(record, CURRENT)
                entry["rotation"] = bool(record.get("Rotation", {}).get("Enabled"))
                if record.get("DeletionDate") is not None:
                    entry["deletion_date"] = _dt.datetime.fromtimestamp(record["DeletionDate"], _dt.timezone.utc)
            secrets.append(entry)
        return {"secrets": secrets}
