"""SSM Parameter Store: String, StringList and SecureString parameters with versions, labels, tiers,
policies, tags, allowed patterns and data types; the public ``/aws/service/...`` parameters (public.py).

Every other SSM operation (documents, Run Command, sessions, patching…) has no handler, so the
dispatcher raises NotEmulatedError for it.

State: one ordered table, ``ssm.parameters``, keyed ``(account, region, name)`` so a path is a range
scan. A record is ``{"Name", "Tags", "Versions": [...], "Expires"}``; each version holds everything
GetParameterHistory reports about it (value, type, tier, labels, policies…), oldest first, at most 100.

SecureString values under a customer key (``KeyId`` other than ``alias/aws/ssm``) are encrypted through
the KeyPort (``emulator.ports.keys``) with the encryption context ``{"PARAMETER_ARN": arn}`` AWS uses.
Under the default key they are stored as given; without decryption, reads return an opaque base64
token drawn from the seeded generator in place of the ciphertext.

An Expiration policy deletes the parameter lazily: the first call that touches it after the
timestamp (on the emulator clock) finds it gone.
"""

from __future__ import annotations

import base64
import re
import warnings
from typing import Any, Callable, Iterable, Sequence, cast

from ...core.clock import from_epoch
from ...api import ssm
from ...core.dispatch import Ctx, RequestContext, ServiceBackend
from ...core.errors import AwsError, NotEmulatedError
from ...core.linear_regex import Regex, RegexError
from ...core.ports import KeyPort
from ...core.tags import tags_merged, tags_without
from ...core.tokens import offset_page
from ...core.partitions import arn_prefix
from . import schema
from .policies import parse_policies
from .public import PREFIX as PUBLIC_PREFIX
from .public import PUBLISHED, public_parameters

DEFAULT_KEY = "alias/aws/ssm"
MAX_VERSIONS = 100
MAX_LABELS = 10
#: value size limits of the tiers (Parameter Store user guide, "Managing parameter tiers")
TIER_LIMITS = {"Standard": 4096, "Advanced": 8192}
MAX_HIERARCHY_LEVELS = 15
_NAME = re.compile(r"^[a-zA-Z0-9_.\-/]+$")
_LABEL = re.compile(r"^[a-zA-Z_.\-][a-zA-Z0-9_.\-]{0,99}$")
_AMI = re.compile(r"^ami-[a-f0-9]{8,17}$")
_ARN = re.compile(r"^arn:aws[\w-]*:ssm:[\w-]+:\d{12}:parameter(/.*)$")
_DATA_TYPES = ("text", "aws:ec2:image", "aws:ssm:integration")

Key = tuple[str, str, str]


def _error(code: str, message: str = "") -> AwsError:
    """An SSM error; the modeled member is the lower-case ``message``."""
    return AwsError(code, message, fields={"message": message} if message else None)


def _validation(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def _not_found() -> AwsError:
    return _error("ParameterNotFound")  # AWS sends no message with it


def _version_not_found(name: str, selector: str) -> AwsError:
    return _error("ParameterVersionNotFound",
                  f"Systems Manager could not find version {selector} of {name}. Verify the version and try again.")


class SsmBackend(ServiceBackend):
    service_name = "ssm"
    input_error_code = "ValidationException"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.parameters = schema.PARAMETERS.open_ordered(self.store)

    # -- names and lookups ----------------------------------------------------------------------
    @staticmethod
    def _name_of(text: str) -> str:
        """A parameter name from a name or an ARN (``…:parameter/name`` or ``…:parameter/a/b``)."""
        match = _ARN.match(text)
        if match is None:
            return text
        rest = match.group(1)
        return rest if rest.count("/") > 1 else rest[1:]

    @staticmethod
    def _arn(ctx: RequestContext[Any], name: str) -> str:
        return ctx.arn(f"parameter{name}" if name.startswith("/") else f"parameter/{name}")

    def _record(self, ctx: RequestContext[Any], name: str) -> tuple[Key, dict[str, Any]] | None:
        """The parameter, None if there is none; an expiration that has come due happens here."""
        key = (ctx.account, ctx.region, name)
        record = self.parameters.get(key)
        if record is None:
            return None
        if record.get("Expires") is not None and record["Expires"] <= ctx.time():
            self.parameters.delete(key)
            return None
        return key, record

    def _split_selector(self, text: str) -> tuple[str, str | None]:
        name = self._name_of(text)
        if ":" in name:
            base, selector = name.rsplit(":", 1)
            return base, selector
        return name, None

    def _selected(self, ctx: RequestContext[Any], text: str) -> tuple[dict[str, Any], dict[str, Any], str | None]:
        """(record, version, selector) for ``name``, ``name:version`` or ``name:label``."""
        name, selector = self._split_selector(text)
        found = self._record(ctx, name)
        if found is None:
            public = self._public(ctx, name)
            if public is None or selector not in (None, "1"):
                raise _not_found()
            return public, public["Versions"][0], selector
        record = found[1]
        if selector is None:
            return record, record["Versions"][-1], None
        if selector.isdigit():
            version = next((v for v in record["Versions"] if v["Version"] == int(selector)), None)
        else:
            version = next((v for v in record["Versions"] if selector in v["Labels"]), None)
        if version is None:
            raise _version_not_found(name, selector)
        return record, version, selector

    @staticmethod
    def _public(ctx: RequestContext[Any], name: str) -> dict[str, Any] | None:
        found = public_parameters(ctx.region).get(name) if name.startswith(PUBLIC_PREFIX) else None
        if found is None:
            return None
        value, data_type = found
        version = {"Version": 1, "Value": value, "Type": "String", "DataType": data_type, "Tier": "Standard",
                   "Labels": [], "Policies": [], "Modified": PUBLISHED, "User": ""}
        return {"Name": name, "Tags": [], "Versions": [version], "Public": True}

    # -- values ---------------------------------------------------------------------------------
    def _keys(self, key_id: str) -> KeyPort:
        try:
            return self.emulator.ports.keys
        except NotEmulatedError:
            raise NotEmulatedError("ssm", None, f"KeyId {key_id!r} needs KMS, which is not emulated in this "
                                   f"build; only the default key {DEFAULT_KEY} works without it") from None

    def _sealed(self, ctx: RequestContext[Any], name: str, kind: str, key_id: str | None, value: str) -> dict[str, Any]:
        if kind != "SecureString":
            return {"Value": value}
        if key_id is None or key_id == DEFAULT_KEY:
            return {"Value": value, "Opaque": ctx.ids.b64(96 + len(value.encode()))}
        keys = self._keys(key_id)
        try:
            keys.check_key_usable(key_id, ctx.account, ctx.region)
        except AwsError:
            raise _error("InvalidKeyId", f"Invalid KeyId: {key_id}") from None
        cipher = keys.encrypt_internal(key_id, value.encode(), ctx.account, ctx.region,
                                       {"PARAMETER_ARN": self._arn(ctx, name)})
        return {"Cipher": cipher}

    def _value(self, ctx: RequestContext[Any], record: dict[str, Any], version: dict[str, Any], decrypt: bool) -> str:
        if version["Type"] != "SecureString":
            return version["Value"]
        if not decrypt:
            return version.get("Opaque") or base64.b64encode(version["Cipher"]).decode()
        if "Value" in version:
            return version["Value"]
        try:
            plain, _ = self._keys(version["KeyId"]).decrypt_internal(
                version["Cipher"], ctx.account, ctx.region, {"PARAMETER_ARN": self._arn(ctx, record["Name"])})
        except AwsError:  # the key is disabled or gone: InvalidKeyId is the reads' one KMS-related error
            raise _error("InvalidKeyId", f"Invalid KeyId: {version['KeyId']}") from None
        return plain.decode()

    # -- PutParameter ---------------------------------------------------------------------------
    @staticmethod
    def _check_name(name: str) -> None:
        lowered = name.lower().lstrip("/")
        if lowered.startswith(("aws", "ssm")):
            if name.lower().startswith("/aws/"):
                raise _validation(f"No access to reserved parameter name: {name}.")
            raise _validation('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).')
        if not _NAME.match(name) or "//" in name or ("/" in name and not name.startswith("/")):
            raise _validation('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed '
                              'as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be '
                              'formed as a mix of letters, numbers and the following 3 symbols .-_')
        if name.count("/") > MAX_HIERARCHY_LEVELS:
            raise _error("HierarchyLevelLimitExceededException",
                         f"Parameter name: hierarchy levels exceed the limit of {MAX_HIERARCHY_LEVELS}.")

    @staticmethod
    def _tier(requested: str | None, previous: str | None, value: str, has_policies: bool) -> str:
        if requested is None:
            requested = previous or "Standard"
        if requested == "Intelligent-Tiering":
            fits = len(value) <= TIER_LIMITS["Standard"] and not has_policies
            requested = "Standard" if fits and previous != "Advanced" else "Advanced"
        if requested == "Standard" and previous == "Advanced":
            raise _validation("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from "
                              "the advanced-parameter tier to the standard-parameter tier. If necessary, you can "
                              "delete the advanced parameter and recreate it as a standard parameter.")
        if requested == "Standard" and len(value) > TIER_LIMITS["Standard"]:
            raise _validation("Standard tier parameters support a maximum parameter value of 4096 characters. To "
                              "create a larger parameter value, upgrade the parameter to use the advanced-parameter "
                              "tier.")
        if requested == "Standard" and has_policies:
            raise _validation("Parameter policies are supported only for the advanced-parameter tier.")
        if len(value) > TIER_LIMITS["Advanced"]:
            raise _validation("1 validation error detected: Value at 'value' failed to satisfy constraint: Member "
                              "must have length less than or equal to 8192.")
        return requested

    @staticmethod
    def _check_value(value: str, kind: str, pattern: str | None, data_type: str) -> None:
        if data_type not in _DATA_TYPES:
            raise _validation(f"The following data type is not supported: {data_type} (Data type names are all "
                              f"lowercase.)")
        if data_type == "aws:ec2:image" and kind != "String":
            raise _validation("Parameters of data type aws:ec2:image must be of type String.")
        if data_type == "aws:ssm:integration" and kind != "SecureString":
            raise _validation("Parameters of data type aws:ssm:integration must be of type SecureString.")
        if pattern and not _allowed_pattern(pattern)(value):
            raise _error("ParameterPatternMismatchException",
                         f"Parameter value, cannot be validated against allowedPattern: {pattern}")

    def put_parameter(self, ctx: Ctx[ssm.PutParameterRequest]) -> ssm.PutParameterResult:
        p = ctx.params
        name = self._name_of(p["Name"])
        self._check_name(name)
        value = p["Value"]
        found = self._record(ctx, name)
        if found is not None and not p.get("Overwrite", False):
            raise _error("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the "
                                                   "overwrite option in the request to true.")
        if found is not None and p.get("Tags"):
            raise _validation("Invalid request: tags and overwrite can't be used together. To create a parameter "
                              "with tags, please remove overwrite flag. To update tags for an existing parameter, "
                              "please use AddTagsToResource or RemoveTagsFromResource.")
        previous = found[1]["Versions"][-1] if found is not None else None
        kind = p.get("Type") or (previous["Type"] if previous else None)
        if kind is None:
            raise _validation("A parameter type is required when you create a parameter.")
        data_type = p.get("DataType") or (previous["DataType"] if previous else "text")
        pattern = p.get("AllowedPattern", previous.get("AllowedPattern") if previous else None)
        self._check_value(value, kind, pattern, data_type)
        if previous is not None and data_type != previous["DataType"] and {data_type, previous["DataType"]} & {
                "aws:ec2:image", "aws:ssm:integration"}:
            raise _validation(f"You can't change the data type of parameter {name} from {previous['DataType']} to "
                              f"{data_type}.")
        policies, expires = parse_policies(p["Policies"], ctx.time()) if p.get("Policies") else ([], None)
        tier = self._tier(p.get("Tier"), previous["Tier"] if previous else None, value, bool(policies))
        key_id = (p.get("KeyId") or (previous or {}).get("KeyId") or DEFAULT_KEY) if kind == "SecureString" else None
        if "KeyId" in p and kind != "SecureString":
            raise _validation("KeyId is required for SecureString type parameter only.")
        versions = list(found[1]["Versions"]) if found is not None else []
        if len(versions) >= MAX_VERSIONS:
            oldest = versions[0]
            if oldest["Labels"]:
                raise _error("ParameterMaxVersionLimitExceeded",
                             f"You attempted to create a new version of {name} by calling the PutParameter API with "
                             f"the overwrite flag. Version {oldest['Version']}, the oldest version, can't be deleted "
                             f"because it has a label associated with it. Move the label to another version of the "
                             f"parameter, and try again.")
            versions = versions[1:]
        number = previous["Version"] + 1 if previous else 1
        version: dict[str, Any] = {
            "Version": number, "Type": kind, "DataType": data_type, "Tier": tier, "Labels": [],
            "Policies": policies, "Modified": ctx.time(), "User": ctx.arn("root", service="iam", region=""),
            **self._sealed(ctx, name, kind, key_id, value),
        }
        description = p.get("Description", previous.get("Description") if previous else None)
        for field, given in (("KeyId", key_id), ("Description", description), ("AllowedPattern", pattern)):
            if given is not None:
                version[field] = given
        record = {"Name": name, "Tags": found[1]["Tags"] if found is not None else list(p.get("Tags", [])),
                  "Versions": [*versions, version], "Expires": expires}
        # AWS checks aws:ec2:image values after answering: PutParameter succeeds, and a value that is not an
        # AMI id leaves the parameter as it was (the PutParameter API reference, DataType). Only the AMI id's
        # form is checked here: EC2 images are not emulated.
        if data_type != "aws:ec2:image" or _AMI.match(value):
            self.parameters.put((ctx.account, ctx.region, name), record)
        return {"Version": number, "Tier": tier}

    # -- reading --------------------------------------------------------------------------------
    def _parameter(self, ctx: RequestContext[Any], record: dict[str, Any], version: dict[str, Any], decrypt: bool,
                   selector: str | None = None) -> ssm.Parameter:
        out: ssm.Parameter = {"Name": record["Name"], "Type": version["Type"],
                               "Value": self._value(ctx, record, version, decrypt), "Version": version["Version"]}
        if selector is not None:
            out["Selector"] = f":{selector}"
        out["LastModifiedDate"] = from_epoch(version["Modified"])
        out["ARN"] = (f"{arn_prefix(ctx.region)}:ssm:{ctx.region}::parameter{record['Name']}" if record.get("Public")
                      else self._arn(ctx, record["Name"]))
        out["DataType"] = version["DataType"]
        return out

    def get_parameter(self, ctx: Ctx[ssm.GetParameterRequest]) -> ssm.GetParameterResult:
        p = ctx.params
        record, version, selector = self._selected(ctx, p["Name"])
        return {"Parameter": self._parameter(ctx, record, version, p.get("WithDecryption", False), selector)}

    def get_parameters(self, ctx: Ctx[ssm.GetParametersRequest]) -> ssm.GetParametersResult:
        p = ctx.params
        found: list[ssm.Parameter] = []
        invalid: list[str] = []
        for text in dict.fromkeys(p["Names"]):
            try:
                record, version, selector = self._selected(ctx, text)
            except AwsError:
                invalid.append(text)
                continue
            found.append(self._parameter(ctx, record, version, p.get("WithDecryption", False), selector))
        return {"Parameters": found, "InvalidParameters": invalid}

    def _live(self, ctx: RequestContext[Any], prefix: str = "") -> Iterable[dict[str, Any]]:
        """This account and region's parameters whose names start with ``prefix``, in name order."""
        now = ctx.time()
        low = (ctx.account, ctx.region, prefix)
        high = (ctx.account, ctx.region, prefix + "\U0010ffff")
        for key, record in list(self.parameters.items_range(low, high)):
            if record.get("Expires") is not None and record["Expires"] <= now:
                self.parameters.delete(key)
                continue
            yield record

    def get_parameters_by_path(self, ctx: Ctx[ssm.GetParametersByPathRequest]) -> ssm.GetParametersByPathResult:
        p = ctx.params
        path = p["Path"]
        if not path.startswith("/") or "//" in path or not _NAME.match(path):
            raise _validation(f"The parameter doesn't meet the parameter name requirements. The parameter name must "
                              f"begin with a forward slash \"/\". Path: {path}")
        filters = p.get("ParameterFilters", [])
        check_filters(filters, by_path=True)
        base = path if path.endswith("/") else path + "/"
        recursive = p.get("Recursive", False)
        if path.startswith(PUBLIC_PREFIX) or path.rstrip("/") == PUBLIC_PREFIX.rstrip("/"):
            records: Iterable[dict[str, Any]] = (self._public(ctx, name) or {} for name in public_parameters(ctx.region)
                                                 if name.startswith(base))
        else:
            records = self._live(ctx, base if base != "/" else "")
        chosen = []
        for record in records:
            name = record["Name"]
            relative = (name if name.startswith("/") else "/" + name)[len(base):]
            if not recursive and "/" in relative:
                continue
            if filters and not parameter_matches(record, filters):
                continue
            chosen.append(record)
        page, next_token = _page(chosen, p.get("MaxResults", 10), p.get("NextToken"))
        decrypt = p.get("WithDecryption", False)
        response: ssm.GetParametersByPathResult = {
            "Parameters": [self._parameter(ctx, r, r["Versions"][-1], decrypt) for r in page]}
        if next_token:
            response["NextToken"] = next_token
        return response

    def _metadata(self, ctx: RequestContext[Any], record: dict[str, Any]) -> ssm.ParameterMetadata:
        latest = record["Versions"][-1]
        out: ssm.ParameterMetadata = {"Name": record["Name"], "ARN": self._arn(ctx, record["Name"]),
                                      "Type": latest["Type"]}
        if "KeyId" in latest:
            out["KeyId"] = latest["KeyId"]
        out["LastModifiedDate"] = from_epoch(latest["Modified"])
        out["LastModifiedUser"] = latest["User"]
        if "Description" in latest:
            out["Description"] = latest["Description"]
        if "AllowedPattern" in latest:
            out["AllowedPattern"] = latest["AllowedPattern"]
        out["Version"], out["Tier"] = latest["Version"], latest["Tier"]
        out["Policies"], out["DataType"] = latest["Policies"], latest["DataType"]
        return out

    def describe_parameters(self, ctx: Ctx[ssm.DescribeParametersRequest]) -> ssm.DescribeParametersResult:
        p = ctx.params
        if p.get("Shared"):
            raise NotEmulatedError("ssm", "DescribeParameters", "parameters shared through AWS RAM (Shared=True)")
        filters: list[ssm.ParameterStringFilter] = [
            {"Key": f["Key"], "Option": "BeginsWith" if f["Key"] == "Name" else "Equals", "Values": f["Values"]}
            for f in p.get("Filters", [])]
        filters += p.get("ParameterFilters", [])
        check_filters(filters, by_path=False)
        chosen = [r for r in self._live(ctx) if parameter_matches(r, filters)]
        page, next_token = _page(chosen, p.get("MaxResults", 50), p.get("NextToken"))
        response: ssm.DescribeParametersResult = {"Parameters": [self._metadata(ctx, r) for r in page]}
        if next_token:
            response["NextToken"] = next_token
        return response

    def get_parameter_history(self, ctx: Ctx[ssm.GetParameterHistoryRequest]) -> ssm.GetParameterHistoryResult:
        p = ctx.params
        found = self._record(ctx, self._name_of(p["Name"]))
        if found is None:
            raise _not_found()
        record = found[1]
        decrypt = p.get("WithDecryption", False)
        entries: list[ssm.ParameterHistory] = []
        for version in record["Versions"]:
            entry: ssm.ParameterHistory = {"Name": record["Name"], "Type": version["Type"]}
            if "KeyId" in version:
                entry["KeyId"] = version["KeyId"]
            entry["LastModifiedDate"] = from_epoch(version["Modified"])
            entry["LastModifiedUser"] = version["User"]
            if "Description" in version:
                entry["Description"] = version["Description"]
            entry["Value"] = self._value(ctx, record, version, decrypt)
            if "AllowedPattern" in version:
                entry["AllowedPattern"] = version["AllowedPattern"]
            entry["Version"], entry["Labels"], entry["Tier"] = version["Version"], version["Labels"], version["Tier"]
            entry["Policies"], entry["DataType"] = version["Policies"], version["DataType"]
            entries.append(entry)
        page, next_token = _page(entries, p.get("MaxResults", 50), p.get("NextToken"))
        response: ssm.GetParameterHistoryResult = {"Parameters": page}
        if next_token:
            response["NextToken"] = next_token
        return response

    # -- labels ---------------------------------------------------------------------------------
    def _labelled_version(self, ctx: RequestContext[Any]) -> tuple[Key, dict[str, Any], int]:
        p = ctx.params
        found = self._record(ctx, self._name_of(p["Name"]))
        if found is None:
            raise _not_found()
        key, record = found
        number = p.get("ParameterVersion", record["Versions"][-1]["Version"])
        if not any(v["Version"] == number for v in record["Versions"]):
            raise _version_not_found(record["Name"], str(number))
        return key, record, number

    def label_parameter_version(self, ctx: Ctx[ssm.LabelParameterVersionRequest]) -> ssm.LabelParameterVersionResult:
        key, record, number = self._labelled_version(ctx)
        labels = list(dict.fromkeys(ctx.params["Labels"]))
        invalid = [label for label in labels if not _LABEL.match(label) or label.lower().startswith(("aws", "ssm"))]
        valid = [label for label in labels if label not in invalid]
        versions = []
        for version in record["Versions"]:
            if version["Version"] == number:
                kept = list(dict.fromkeys([*version["Labels"], *valid]))
                if len(kept) > MAX_LABELS:
                    raise _error("ParameterVersionLabelLimitExceeded", "A parameter version can have maximum 10 "
                                                                       "labels. Move one or more labels to another "
                                                                       "version and try again.")
                versions.append({**version, "Labels": kept})
            else:  # a label names one version: it moves here
                versions.append({**version, "Labels": [lb for lb in version["Labels"] if lb not in valid]})
        self.parameters.put(key, {**record, "Versions": versions})
        return {"InvalidLabels": invalid, "ParameterVersion": number}

    def unlabel_parameter_version(
            self, ctx: Ctx[ssm.UnlabelParameterVersionRequest]) -> ssm.UnlabelParameterVersionResult:
        key, record, number = self._labelled_version(ctx)
        wanted = list(dict.fromkeys(ctx.params["Labels"]))
        version = next(v for v in record["Versions"] if v["Version"] == number)
        removed = [label for label in wanted if label in version["Labels"]]
        versions = [{**v, "Labels": [lb for lb in v["Labels"] if lb not in removed]} if v["Version"] == number else v
                    for v in record["Versions"]]
        self.parameters.put(key, {**record, "Versions": versions})
        return {"RemovedLabels": removed, "InvalidLabels": [label for label in wanted if label not in removed]}

    # -- deletion -------------------------------------------------------------------------------
    def delete_parameter(self, ctx: Ctx[ssm.DeleteParameterRequest]) -> ssm.DeleteParameterResult:
        found = self._record(ctx, self._name_of(ctx.params["Name"]))
        if found is None:
            raise _not_found()
        self.parameters.delete(found[0])
        return {}

    def delete_parameters(self, ctx: Ctx[ssm.DeleteParametersRequest]) -> ssm.DeleteParametersResult:
        deleted, invalid = [], []
        for text in dict.fromkeys(ctx.params["Names"]):
            found = self._record(ctx, self._name_of(text))
            if found is None:
                invalid.append(text)
            else:
                self.parameters.delete(found[0])
                deleted.append(text)
        return {"DeletedParameters": deleted, "InvalidParameters": invalid}

    # -- tags -----------------------------------------------------------------------------------
    def _tagged(self, ctx: RequestContext[Any]) -> tuple[Key, dict[str, Any]]:
        p = ctx.params
        if p["ResourceType"] != "Parameter":
            raise NotEmulatedError("ssm", ctx.operation, f"resource type {p['ResourceType']} (only Parameter is)")
        found = self._record(ctx, self._name_of(p["ResourceId"]))
        if found is None:
            raise _error("InvalidResourceId")
        return found

    def add_tags_to_resource(self, ctx: Ctx[ssm.AddTagsToResourceRequest]) -> ssm.AddTagsToResourceResult:
        key, record = self._tagged(ctx)
        # core.tags works on plain tag dicts; the request's tags are those dicts, typed as ssm.Tag
        tags = tags_merged(record["Tags"], cast("list[dict[str, str]]", ctx.params["Tags"]))
        if len(tags) > 50:
            raise _error("TooManyTagsError", "The Tags parameter contains more than 50 tags.")
        self.parameters.put(key, {**record, "Tags": tags})
        return {}

    def remove_tags_from_resource(
            self, ctx: Ctx[ssm.RemoveTagsFromResourceRequest]) -> ssm.RemoveTagsFromResourceResult:
        key, record = self._tagged(ctx)
        self.parameters.put(key, {**record, "Tags": tags_without(record["Tags"], ctx.params["TagKeys"])})
        return {}

    def list_tags_for_resource(self, ctx: Ctx[ssm.ListTagsForResourceRequest]) -> ssm.ListTagsForResourceResult:
        return {"TagList": self._tagged(ctx)[1]["Tags"]}

    # -- inspection -----------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        parameters = []
        for (account, region, name), record in self.parameters.items():
            latest = record["Versions"][-1]
            parameters.append({"name": name, "account": account, "region": region, "type": latest["Type"],
                               "version": latest["Version"], "tier": latest["Tier"],
                               "labels": sum(len(v["Labels"]) for v in record["Versions"])})
        return {"parameters": parameters}


# -- filters (DescribeParameters, GetParametersByPath) ---------------------------------------------
#: the options each key allows (ParameterStringFilter API reference: Equals and BeginsWith for all
#: DescribeParameters keys, Contains also for Name, Recursive/OneLevel for Path, only Equals for Label)
_OPTIONS = {"Name": ("Equals", "BeginsWith", "Contains"), "Type": ("Equals", "BeginsWith"),
            "KeyId": ("Equals", "BeginsWith"), "Tier": ("Equals", "BeginsWith"), "Label": ("Equals",),
            "DataType": ("Equals", "BeginsWith"), "Path": ("Recursive", "OneLevel")}
_BY_PATH_KEYS = ("Type", "KeyId", "Label")
_ENUMS = {"Type": ("String", "StringList", "SecureString"), "Tier": ("Standard", "Advanced", "Intelligent-Tiering")}


def check_filters(filters: Sequence[ssm.ParameterStringFilter], *, by_path: bool) -> None:
    seen: set[str] = set()
    for f in filters:
        key = f["Key"]
        if by_path and key not in _BY_PATH_KEYS and not key.startswith("tag:"):
            raise _error("InvalidFilterKey", f"The following filter key is not valid: {key}. Valid filter "
                                                    f"keys include: [Type, KeyId, Label].")
        if not key.startswith("tag:") and key not in _OPTIONS:
            raise _error("InvalidFilterKey", f"The following filter key is not valid: {key}.")
        if key in seen:
            raise _validation(f"The following filter is duplicated in the request: {key}. A request can contain "
                              f"only one occurrence of a specific filter.")
        seen.add(key)
        allowed = _OPTIONS.get(key, ("Equals", "BeginsWith"))
        option = f.get("Option", allowed[0] if key != "Path" else "OneLevel")
        if by_path and key != "Label":
            allowed = ("Equals", "BeginsWith")
        if option not in allowed:
            raise _error("InvalidFilterOption", f"The following filter option is not valid: {option}. Valid "
                                                       f"options include: [{', '.join(allowed)}].")
        values = f.get("Values")
        if not values and not key.startswith("tag:"):
            raise _error("InvalidFilterValue", f"The following filter values are missing : null for filter "
                                                      f"key {key}.")
        for value in values or []:
            if key in _ENUMS and option == "Equals" and value not in _ENUMS[key]:
                raise _error("InvalidFilterValue", f"The following filter value is not valid: {value}. Valid "
                                                          f"values include: [{', '.join(_ENUMS[key])}].")
            if key == "Path" and (not value.startswith("/") or value.lower().startswith(("/aws", "/ssm"))):
                raise _validation(f"The parameter doesn't meet the parameter name requirements. Path: {value}")


def _option_matches(option: str, candidate: str, value: str) -> bool:
    if option == "Equals":
        return candidate == value
    if option == "BeginsWith":
        return candidate.startswith(value)
    return value in candidate  # Contains


def _slashed(name: str) -> str:
    return name if name.startswith("/") else "/" + name


def _filter_matches(record: dict[str, Any], f: ssm.ParameterStringFilter) -> bool:
    key, values = f["Key"], f.get("Values") or []
    latest = record["Versions"][-1]
    if key.startswith("tag:"):
        tag_values = [t["Value"] for t in record["Tags"] if t["Key"] == key[4:]]
        if not tag_values:
            return False
        option = f.get("Option", "Equals")
        return not values or any(_option_matches(option, tv, v) for tv in tag_values for v in values)
    if key == "Path":
        recursive = f.get("Option", "OneLevel") == "Recursive"
        name = _slashed(record["Name"])
        for value in values:
            base = value if value.endswith("/") else value + "/"
            if name.startswith(base) and (recursive or "/" not in name[len(base):]):
                return True
        return False
    if key == "Label":
        labels = [label for v in record["Versions"] for label in v["Labels"]]
        return any(v in labels for v in values)
    option = f.get("Option", "Equals")
    if key == "Name":  # "a" and "/a" name the same top-level parameter in a Name filter
        name = record["Name"]
        if option == "Contains":
            return any(v in name for v in values)
        return any(_option_matches(option, _slashed(name), _slashed(v)) for v in values)
    field = {"Type": "Type", "KeyId": "KeyId", "Tier": "Tier", "DataType": "DataType"}[key]
    actual = latest.get(field)
    return actual is not None and any(_option_matches(option, actual, v) for v in values)


def parameter_matches(record: dict[str, Any], filters: Sequence[ssm.ParameterStringFilter]) -> bool:
    return all(_filter_matches(record, f) for f in filters)


def _page(items: list[Any], limit: int, token: str | None) -> tuple[list[Any], str | None]:
    return offset_page(items, limit, token, _error("InvalidNextToken", "The specified token isn't valid."))


def _allowed_pattern(pattern: str) -> Callable[[str], bool]:
    """Whether a value matches ``AllowedPattern`` as a whole (AWS: Java's ``matches``). The pattern is the
    user's: matched in linear time (core.linear_regex), so ``(a+)+$`` against a long value answers at once
    instead of backtracking for minutes; only a pattern that needs backtracking (back-references,
    look-around) runs on Python's ``re``."""
    with warnings.catch_warnings():  # "possible nested set" and the like: the user's pattern, not ours
        warnings.simplefilter("ignore")
        try:
            compiled = re.compile(pattern)
        except (re.error, OverflowError, RecursionError):
            raise _error("InvalidAllowedPatternException",
                         "The allowed pattern is not a valid regular expression.") from None
    try:
        return Regex(f"^(?:{pattern})$").search
    except RegexError:
        return lambda value: compiled.fullmatch(value) is not None
