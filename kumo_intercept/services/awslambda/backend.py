"""Lambda: functions that run as Python inside the test process, no containers.

Functions, versions, aliases (with weighted routing), layers, tags, concurrency, function URLs,
resource policies, event invoke configs and event source mappings are stored records. ``Invoke`` runs
the handler in the calling thread, without the emulator lock (``Emulator.user_code``: the call's changes
so far are journaled first), so boto3 calls made by the handler, and by threads it starts, reach this
same emulator (see ``runtime.py`` for code loading, module and environment isolation).
Event source mappings are a component (``mappings.EventSourceMappings``, ``self.event_source_mappings``)
that reaches this class through its ``FunctionHost`` protocol; their handlers here delegate to it.

What differs from AWS, on purpose:

* A handler cannot be stopped: it always runs to the end. If it ran longer than the function's timeout
  (wall time, or the emulator clock's advance during the call, whichever is larger) the invocation is
  reported as AWS reports a timeout, and its result is discarded; its side effects remain.
* Asynchronous retries (``MaximumRetryAttempts``, 2 by default) run immediately, one after the other,
  instead of after one and two minutes; ``MaximumEventAgeInSeconds`` is stored but not applied.
* Credentials inside a handler are the function's account id as access key id (so boto3 calls act in
  the function's account); the execution role is not assumed.
* One handler runs at a time in the process (handlers swap ``sys.stdout``, the working directory and
  ``sys.modules``). A handler that waits for a thread which itself invokes a function synchronously
  fails once that invocation has waited for its turn longer than its function's timeout.
* An invocation is not atomic with the call that caused it: what that call changed before the
  handler started is journaled before the handler runs (as in AWS, where they are separate).

Internal API (plain Python, for other services; the ``FunctionPort`` of ``emulator.ports.functions``):

``invoke_internal(function_arn, payload, *, invocation_type="Event", qualifier=None) -> dict``
    Invoke a function as a service does (S3 notifications, SNS, EventBridge). ``function_arn`` may
    carry a qualifier (``…:function:name:alias``). ``payload`` is the JSON event as bytes (or str).
    ``"RequestResponse"`` runs now and returns ``{"StatusCode": 200, "Payload": bytes,
    "ExecutedVersion": …, "FunctionError": "Unhandled"}`` (FunctionError only on failure);
    ``"Event"`` queues the invocation with ``emulator.defer`` (it runs before the current intercepted
    call returns, with async retries, destinations and DLQ) and returns ``{"StatusCode": 202,
    "Payload": b""}``; ``"DryRun"`` checks and returns ``{"StatusCode": 204, "Payload": b""}``.
    Raises ``AwsError("ResourceNotFoundException")`` if the function or qualifier does not exist.

``function_exists(function_arn) -> bool``
    Whether the function (and the qualifier in the ARN, if any) exists.

A plain Python callable can serve as a function's handler, without a zip: see
``kumo_intercept.services.awslambda.register_callable``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import math
import os
import re
import sys
import time
import weakref
from collections.abc import Mapping
from typing import Any, Callable, Literal, Mapping, overload


from ...core.clock import from_epoch
from ...api import awslambda
from ...core.dispatch import Ctx, RequestContext, ServiceBackend
from ...core.errors import AwsError, KumoError, NotEmulatedError
from ...core.streams import response_body
from ...core.partitions import arn_prefix, dns_suffix
from . import runtime
from .errors import invalid as _invalid, lambda_error as _error
from .mappings import EventSourceMappings
from . import schema

LATEST = "$LATEST"
_FUNCTION_REF = re.compile(
    r"^(?:arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?(?:function:)?(?P<name>[a-zA-Z0-9\-_.]+)"
    r"(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9\-_]+))?$"
)
_LAYER_VERSION_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:(?P<name>[a-zA-Z0-9\-_]+)"
    r":(?P<version>\d+)$"
)
_LAYER_NAME_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:(?P<name>[a-zA-Z0-9\-_]+)$"
)
_RESERVED_ENV = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})
_ZIP_LIMIT = 50 * 1024 * 1024
_UNZIPPED_LIMIT = 262_144_000
_SYNC_PAYLOAD_LIMIT = 6_291_456
_SYNC_RESPONSE_LIMIT = 6_291_556
#: runtimes CreateFunction/UpdateFunctionConfiguration refuse as no longer supported (recorded from AWS:
#: LocalStack's test_create_deprecated_function_runtime_with_validation_enabled, for java8, go1.x, provided,
#: ruby2.7, nodejs14.x, python3.7, dotnetcore3.1 and nodejs12.x; the older ones were retired before them)
_RETIRED_RUNTIMES = frozenset({
    "java8", "go1.x", "provided", "ruby2.7", "nodejs14.x", "python3.7", "dotnetcore3.1", "nodejs12.x",
    "nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10", "nodejs10.x", "python2.7", "python3.6",
    "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "ruby2.5",
})
_RUNTIME_OPERATIONS = frozenset({"CreateFunction", "UpdateFunctionConfiguration"})
_ASYNC_PAYLOAD_LIMIT = 262_144
_ACCOUNT_CONCURRENCY = 1000

#: callables registered as handlers, per store (so per emulator): token -> callable
_CALLABLES: "weakref.WeakKeyDictionary[Any, dict[str, Callable[..., Any]]]" = weakref.WeakKeyDictionary()


def _check_runtime_known(input_shape: Any, runtime: str | None) -> None:
    """An unknown runtime is InvalidParameterValueException listing the runtimes still accepted, without
    the "1 validation error detected" prefix other constraints get (recorded from AWS: LocalStack's
    test_create_lambda_exceptions, invalid_runtime_exc and uppercase_runtime_exc). AWS lists them in an
    order of its own; here they come in the model's order."""
    if runtime is None:
        return
    known = input_shape.members["Runtime"].enum
    if runtime in known:
        return
    accepted = ", ".join(name for name in known if name not in _RETIRED_RUNTIMES)
    raise _invalid(f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value "
                   f"set: [{accepted}] or be a valid ARN")


_session: Any = None


def _botocore_session() -> Any:
    global _session
    if _session is None:
        import botocore.session
        _session = botocore.session.get_session()
    return _session


def _lambda_time(epoch: float) -> str:
    """Lambda's own timestamp text: ``2025-01-01T00:00:00.000+0000``."""
    moment = from_epoch(epoch)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _b64_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _payload_bytes(payload: Any) -> bytes:
    if payload is None:
        return b""
    if isinstance(payload, str):
        return payload.encode()
    if isinstance(payload, (bytes, bytearray)):
        return bytes(payload)
    if hasattr(payload, "read"):
        data = payload.read()
        return data.encode() if isinstance(data, str) else bytes(data)
    raise _error("InvalidRequestContentException", "Could not parse request body into json")


_ENV_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_]*")


class _Environment:
    """A warm execution environment of one function version (see runtime.py)."""

    __slots__ = ("revision", "handler", "namespace", "log_stream", "environ", "task_root", "ensure_ascii",
                 "credentials_expire")

    def __init__(self, revision: str, handler: Callable[..., Any] | None, namespace: runtime.Namespace | None,
                 log_stream: str, environ: runtime.Environ, task_root: str | None, ensure_ascii: bool) -> None:
        self.revision = revision
        self.handler = handler
        self.namespace = namespace
        self.log_stream = log_stream
        self.environ = environ
        self.task_root = task_root
        self.ensure_ascii = ensure_ascii
        #: when the execution role's credentials in ``environ`` expire (0: none issued yet)
        self.credentials_expire = 0.0


class Outcome:
    """One invocation's result."""

    __slots__ = ("payload", "error", "log_lines", "version", "request_id")

    def __init__(self, payload: bytes, error: dict | None, log_lines: list[str], version: str,
                 request_id: str) -> None:
        self.payload = payload
        self.error = error
        self.log_lines = log_lines
        self.version = version
        self.request_id = request_id


class LambdaBackend(ServiceBackend):
    service_name = "lambda"
    input_error_code = "ValidationException"

    def handler_for(self, operation: str) -> Callable[[RequestContext[Any]], dict[str, Any]] | None:
        """Lambda words an unknown runtime its own way, before the other constraints are checked."""
        handler = super().handler_for(operation)
        if handler is None or operation not in _RUNTIME_OPERATIONS:
            return handler
        checked = handler

        def runtime_checked(ctx: RequestContext[Any]) -> dict[str, Any]:
            _check_runtime_known(ctx.model.input_shape, ctx.params.get("Runtime"))
            return checked(ctx)

        return runtime_checked

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        store = self.store
        self.functions = schema.FUNCTIONS.open(store)            # (account, region, name)
        self.versions = schema.VERSIONS.open_ordered(store)      # (account, region, name, int)
        self.aliases = schema.ALIASES.open(store)                # (account, region, name, alias)
        self.layers = schema.LAYERS.open_ordered(store)          # (account, region, layer, int)
        self.invoke_configs = schema.EVENT_INVOKE_CONFIGS.open(store)  # (acct, region, name, qual)
        self.url_configs = schema.URL_CONFIGS.open(store)        # (account, region, name, qualifier)
        self.policies = schema.POLICIES.open(store)              # (account, region, name, qualifier)
        self.provisioned = schema.PROVISIONED_CONCURRENCY.open(store)
        self._environments: dict[tuple, _Environment] = {}
        self.invocations = schema.INVOCATIONS.open(store)      # (account, region, name, version) -> n
        self._logs_missing = False
        self._s3_clients: dict[tuple[str, str], Any] = {}
        self.event_source_mappings = EventSourceMappings(emulator, self)

    # =============================================================================================
    # names and lookups
    # =============================================================================================
    def locate(self, ctx: RequestContext, ref: str, qualifier: str | None = None,
               *, allow_qualifier: bool = True) -> tuple[tuple[str, str, str], str | None]:
        match = _FUNCTION_REF.match(ref)
        if match is None:
            raise _invalid(f"1 validation error detected: Value '{ref}' at 'functionName' failed to satisfy "
                           "constraint: Member must satisfy regular expression pattern")
        derived = match.group("qualifier")
        if derived is not None:
            if not allow_qualifier:
                raise _invalid(f"Unsupported function name format: {ref}")
            if qualifier is not None and qualifier != derived:
                raise _invalid("The derived qualifier from the function name does not match the specified "
                               "qualifier.")
            qualifier = derived
        key = (match.group("account") or ctx.account, match.group("region") or ctx.region, match.group("name"))
        return key, qualifier

    @staticmethod
    def function_arn_of(key: tuple[str, str, str], qualifier: str | None = None) -> str:
        account, region, name = key
        arn = f"{arn_prefix(region)}:lambda:{region}:{account}:function:{name}"
        return f"{arn}:{qualifier}" if qualifier else arn

    def _not_found(self, key: tuple[str, str, str], qualifier: str | None = None) -> AwsError:
        return _error("ResourceNotFoundException", f"Function not found: {self.function_arn_of(key, qualifier)}", 404)

    def _function(self, key: tuple[str, str, str]) -> dict:
        record = self.functions.get(key)
        if record is None:
            raise self._not_found(key)
        return record

    def _unqualified(self, ctx: RequestContext) -> tuple[tuple[str, str, str], dict]:
        """The function ``FunctionName`` names (no qualifier allowed) and its record; 404 if missing."""
        key, _ = self.locate(ctx, ctx.params["FunctionName"], allow_qualifier=False)
        return key, self._function(key)

    def version_record(self, key: tuple[str, str, str], qualifier: str | None) -> dict:
        """The configuration record a qualifier names: $LATEST, a version number or an alias
        (an alias resolves to its primary version)."""
        record = self._function(key)
        if qualifier is None or qualifier == LATEST:
            return record
        if qualifier.isdigit():
            version = self.versions.get((*key, int(qualifier)))
            if version is None:
                raise self._not_found(key, qualifier)
            return version
        alias = self.aliases.get((*key, qualifier))
        if alias is None:
            raise self._not_found(key, qualifier)
        return self.version_record(key, alias["FunctionVersion"])

    def check_qualifier(self, key: tuple[str, str, str], qualifier: str | None) -> None:
        self.version_record(key, qualifier)

    # =============================================================================================
    # configuration output
    # =============================================================================================
    def _configuration(self, record: dict, *,
                       state: awslambda.FunctionConfiguration | None = None) -> awslambda.FunctionConfiguration:
        version = record["Version"]
        arn = record["FunctionArn"] if version == LATEST else f"{record['FunctionArn']}:{version}"
        out: awslambda.FunctionConfiguration = {
            "FunctionName": record["FunctionName"],
            "FunctionArn": arn,
        }
        if record.get("Runtime"):
            out["Runtime"] = record["Runtime"]
        out["Role"] = record["Role"]
        if record.get("Handler"):
            out["Handler"] = record["Handler"]
        out.update({
            "CodeSize": record["CodeSize"],
            "Description": record.get("Description", ""),
            "Timeout": record["Timeout"],
            "MemorySize": record["MemorySize"],
            "LastModified": _lambda_time(record["LastModified"]),
            "CodeSha256": record["CodeSha256"],
            "Version": version,
        })
        if record.get("VpcConfig"):
            out["VpcConfig"] = {**record["VpcConfig"], "VpcId": record["VpcConfig"].get("VpcId", "")}
        if record.get("DeadLetterConfig"):
            out["DeadLetterConfig"] = {**record["DeadLetterConfig"]}
        if record.get("Environment") is not None:
            out["Environment"] = {"Variables": dict(record["Environment"])}
        if record.get("KMSKeyArn"):
            out["KMSKeyArn"] = record["KMSKeyArn"]
        out["TracingConfig"] = {"Mode": record.get("TracingMode", "PassThrough")}
        out["RevisionId"] = record["RevisionId"]
        if record.get("Layers"):
            out["Layers"] = [{"Arn": arn_, "CodeSize": self._layer_size(arn_)} for arn_ in record["Layers"]]
        out["State"] = "Active"
        out["LastUpdateStatus"] = "Successful"
        if state:
            out.update(state)
        out["PackageType"] = record.get("PackageType", "Zip")
        if record.get("ImageUri"):
            out["ImageConfigResponse"] = {}
        out["Architectures"] = list(record.get("Architectures") or ["x86_64"])
        out["EphemeralStorage"] = {"Size": record.get("EphemeralStorage", 512)}
        out["SnapStart"] = {"ApplyOn": record.get("SnapStart", "None"), "OptimizationStatus": "Off"}
        out["LoggingConfig"] = {**(record.get("LoggingConfig") or {})} or {
            "LogFormat": "Text", "LogGroup": f"/aws/lambda/{record['FunctionName']}"}
        return out

    def _layer_size(self, arn: str) -> int:
        match = _LAYER_VERSION_ARN.match(arn)
        if match is None:
            return 0
        layer = self.layers.get((match["account"], match["region"], match["name"], int(match["version"])))
        return layer["CodeSize"] if layer else 0

    # =============================================================================================
    # code
    # =============================================================================================
    def _store_code(self, ctx: RequestContext, code: Mapping[str, Any]) -> dict:
        """A ``Code`` (or layer ``Content``) parameter as the record's code fields."""
        if code.get("ImageUri"):
            return {"ImageUri": code["ImageUri"], "CodeSize": 0,
                    "CodeSha256": hashlib.sha256(code["ImageUri"].encode()).hexdigest()}
        if code.get("ZipFile") is not None:
            data = _payload_bytes(code["ZipFile"])
        elif code.get("S3Bucket") and code.get("S3Key"):
            data = self._s3_object(ctx.account, ctx.region, code["S3Bucket"], code["S3Key"],
                                   code.get("S3ObjectVersion"))
        else:
            raise _invalid("Please provide a source for function code.")
        if len(data) > _ZIP_LIMIT:
            raise _error("RequestEntityTooLargeException",
                         f"Request must be smaller than {_ZIP_LIMIT} bytes for the CreateFunction operation", 413)
        try:
            unzipped = runtime.check_zip(data)
        except ValueError:
            raise _invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
        if unzipped > _UNZIPPED_LIMIT:
            raise _invalid(f"Unzipped size must be smaller than {_UNZIPPED_LIMIT} bytes")
        blob_id, size = self.store.blobs.write([data])
        return {"Blob": blob_id, "CodeSize": size, "CodeSha256": _b64_sha256(data)}

    def _s3_object(self, account: str, region: str, bucket: str, key: str, version: str | None) -> bytes:
        """Code from the emulated S3, read through a nested GetObject as the caller's account."""
        from botocore.exceptions import ClientError

        client = self._s3_clients.get((account, region))
        if client is None:
            client = self._s3_clients[(account, region)] = _botocore_session().create_client(
                "s3", region_name=region, aws_access_key_id=account, aws_secret_access_key="kumo-lambda")
        params = {"Bucket": bucket, "Key": key}
        if version:
            params["VersionId"] = version
        try:
            return client.get_object(**params)["Body"].read()
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            raise _invalid(f"Error occurred while GetObject. S3 Error Code: {code}. S3 Error Message: "
                           f"{exc.response['Error'].get('Message', '')}") from None

    # =============================================================================================
    # functions
    # =============================================================================================
    def _check_config(self, ctx: RequestContext, params: Mapping[str, Any]) -> None:
        runtime_name = params.get("Runtime")
        if runtime_name in _RETIRED_RUNTIMES:
            raise _invalid(f"The runtime parameter of {runtime_name} is no longer supported for creating or updating "
                           "AWS Lambda functions. We recommend you use a supported runtime while creating or "
                           "updating functions.")
        timeout = params.get("Timeout")
        if timeout is not None and timeout > 900:
            raise AwsError("ValidationException", f"1 validation error detected: Value '{timeout}' at 'timeout' "
                           "failed to satisfy constraint: Member must have value less than or equal to 900")
        memory = params.get("MemorySize")
        if memory is not None and memory > 10240:
            raise _invalid("'MemorySize' value failed to satisfy constraint: Member must have value less than "
                           "or equal to 10240")
        variables = (params.get("Environment") or {}).get("Variables")
        if variables:
            if not all(_ENV_NAME.fullmatch(name) for name in variables):
                # the model's key pattern asks for two characters; one-letter names stay accepted, as before
                raise AwsError("ValidationException", "1 validation error detected: Value at 'environment.variables' "
                               "failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy "
                               "regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")
            reserved = sorted(k for k in variables if k in _RESERVED_ENV)
            if reserved:
                raise _invalid("Lambda was unable to configure your environment variables because the "
                               "environment variables you have provided contains reserved keys that are "
                               f"currently not supported for modification. Reserved keys used in this request: "
                               f"{', '.join(reserved)}")
            if len(json.dumps(variables, separators=(",", ":"))) > 4096:
                raise _invalid("Lambda was unable to configure your environment variables because the "
                               "environment variables you have provided exceeded the 4KB limit.")
        for layer in params.get("Layers") or []:
            match = _LAYER_VERSION_ARN.match(layer)
            if match is None or (match["account"], match["region"], match["name"],
                                 int(match["version"])) not in self.layers:
                raise _invalid(f"Layer version {layer} does not exist.")
        if len(params.get("Layers") or []) > 5:
            raise _invalid("Cannot reference more than 5 layers.")
        dlq = (params.get("DeadLetterConfig") or {}).get("TargetArn")
        if dlq and not re.match(r"^arn:aws[a-zA-Z-]*:(sqs|sns):", dlq):
            raise _invalid("The provided target arn is invalid for the DeadLetterConfig: " + dlq)

    @staticmethod
    def _config_fields(params: Mapping[str, Any]) -> dict[str, Any]:
        """The updatable configuration members of CreateFunction/UpdateFunctionConfiguration."""
        fields: dict[str, Any] = {}
        for name in ("Runtime", "Role", "Handler", "Description", "Timeout", "MemorySize", "KMSKeyArn"):
            if name in params:
                fields[name] = params[name]
        if "Environment" in params:
            fields["Environment"] = dict(params["Environment"].get("Variables") or {})
        if "Layers" in params:
            fields["Layers"] = list(params["Layers"])
        if "DeadLetterConfig" in params:
            fields["DeadLetterConfig"] = dict(params["DeadLetterConfig"]) if params["DeadLetterConfig"].get(
                "TargetArn") else None
        if "TracingConfig" in params:
            fields["TracingMode"] = params["TracingConfig"].get("Mode", "PassThrough")
        if "VpcConfig" in params:
            vpc = params["VpcConfig"]
            fields["VpcConfig"] = {"SubnetIds": list(vpc.get("SubnetIds", [])),
                                   "SecurityGroupIds": list(vpc.get("SecurityGroupIds", []))} if vpc else None
        if "EphemeralStorage" in params:
            fields["EphemeralStorage"] = params["EphemeralStorage"]["Size"]
        if "SnapStart" in params:
            fields["SnapStart"] = params["SnapStart"].get("ApplyOn", "None")
        if "LoggingConfig" in params:
            fields["LoggingConfig"] = dict(params["LoggingConfig"])
        return fields

    def _check_role(self, params: Mapping[str, Any]) -> None:
        """Lambda assumes the execution role: it must exist and trust lambda.amazonaws.com (AWS Lambda API
        reference, InvalidParameterValueException: "if you provided an IAM role for AWS Lambda to assume
        … that AWS Lambda is unable to assume you will get this exception")."""
        if "Role" in params and not self.emulator.ports.identity.trust_allows(
                params["Role"], "lambda.amazonaws.com", principal_kind="Service"):
            raise _invalid("The role defined for the function cannot be assumed by Lambda.")

    def create_function(self, ctx: Ctx[awslambda.CreateFunctionRequest]) -> awslambda.CreateFunctionResult:
        params = ctx.params
        key, qualifier = self.locate(ctx, params["FunctionName"])
        if qualifier is not None:
            raise _invalid("Unsupported function name format: " + params["FunctionName"])
        package_type = params.get("PackageType", "Zip")
        if package_type == "Zip" and not (params.get("Runtime") and params.get("Handler")):
            raise _invalid("Runtime and Handler are mandatory parameters for functions created with "
                           "deployment packages.")
        if key in self.functions:
            raise _error("ResourceConflictException", f"Function already exist: {key[2]}", 409)
        self._check_config(ctx, params)
        self._check_role(params)
        code = self._store_code(ctx, params["Code"])
        now = ctx.time()
        record: dict[str, Any] = {
            "FunctionName": key[2], "FunctionArn": self.function_arn_of(key), "Version": LATEST,
            "Description": "", "Timeout": 3, "MemorySize": 128, "Environment": None,
            "PackageType": package_type, "Architectures": list(params.get("Architectures") or ["x86_64"]),
            **self._config_fields(params), **code,
            "LastModified": now, "RevisionId": ctx.ids.uuid4(), "Tags": dict(params.get("Tags") or {}),
            "NextVersion": 1, "Created": now,
        }
        self.functions.put(key, record)
        state: awslambda.FunctionConfiguration = {"State": "Pending", "StateReason": "The function is being created.",
                 "StateReasonCode": "Creating"}
        if params.get("Publish"):
            version = self._publish(ctx, key, None)
            ctx.status = 201
            return self._configuration(version, state=state)
        ctx.status = 201
        return self._configuration(record, state=state)

    def get_function(self, ctx: Ctx[awslambda.GetFunctionRequest]) -> awslambda.GetFunctionResult:
        key, qualifier = self.locate(ctx, ctx.params["FunctionName"], ctx.params.get("Qualifier"))
        record = self.version_record(key, qualifier)
        function = self.functions[key]
        out: awslambda.GetFunctionResult = {"Configuration": self._configuration(record)}
        if record.get("ImageUri"):
            out["Code"] = {"RepositoryType": "ECR", "ImageUri": record["ImageUri"]}
        else:
            out["Code"] = {
                "RepositoryType": "S3",
                "Location": f"https://awslambda-{key[1]}-tasks.s3.{key[1]}.{dns_suffix(key[1])}/snapshots/{key[0]}/"
                            f"{key[2]}-{record.get('Blob', 'callable')}",
            }
        if function.get("Tags"):
            out["Tags"] = dict(function["Tags"])
        if function.get("ReservedConcurrency") is not None:
            out["Concurrency"] = {"ReservedConcurrentExecutions": function["ReservedConcurrency"]}
        return out

    def get_function_configuration(self, ctx: Ctx[awslambda.GetFunctionConfigurationRequest]) -> awslambda.GetFunctionConfigurationResult:
        key, qualifier = self.locate(ctx, ctx.params["FunctionName"], ctx.params.get("Qualifier"))
        return self._configuration(self.version_record(key, qualifier))

    def list_functions(self, ctx: Ctx[awslambda.ListFunctionsRequest]) -> awslambda.ListFunctionsResult:
        params = ctx.params
        everything = params.get("FunctionVersion") == "ALL"
        rows: list[awslambda.FunctionConfiguration] = []
        for key in sorted(k for k in self.functions.keys() if k[0] == ctx.account and k[1] == ctx.region):
            record = self.functions[key]
            rows.append(self._configuration(record))
            if everything:
                rows.extend(self._configuration(v) for _, v in self.versions.items_range(
                    (*key, 0), (*key, sys.maxsize)))
        return self.page(rows, params, "Functions")

    @staticmethod
    def page(rows: list, params: Mapping[str, Any], name: str, default_size: int = 50) -> Any:
        """One page of ``rows`` for ``Marker``/``MaxItems`` (the marker is the next row's index)."""
        start = int(params["Marker"]) if str(params.get("Marker", "")).isdigit() else 0
        size = params.get("MaxItems") or default_size
        out: dict[str, Any] = {name: rows[start:start + size]}
        if start + size < len(rows):
            out["NextMarker"] = str(start + size)
        return out

    def delete_function(self, ctx: Ctx[awslambda.DeleteFunctionRequest]) -> awslambda.DeleteFunctionResult:
        key, qualifier = self.locate(ctx, ctx.params["FunctionName"], ctx.params.get("Qualifier"))
        self._function(key)
        if qualifier is not None:
            if qualifier == LATEST:
                raise _invalid("$LATEST version cannot be deleted without deleting the function.")
            if not qualifier.isdigit() or (*key, int(qualifier)) not in self.versions:
                raise self._not_found(key, qualifier)
            for alias_key, alias in list(self.aliases.items()):
                if alias_key[:3] == key and qualifier in (alias["FunctionVersion"],
                                                          *((alias.get("RoutingConfig") or {}).get(
                                                              "AdditionalVersionWeights") or {})):
                    raise _error("ResourceConflictException",
                                 f"Unable to delete version because the following aliases reference it: "
                                 f"[{alias_key[3]}]", 409)
            self.versions.delete((*key, int(qualifier)))
            ctx.status = 204
            return {}
        self.functions.delete(key)
        for table in (self.versions, self.aliases, self.invoke_configs, self.url_configs, self.policies,
                      self.provisioned):
            for other in [k for k in table.keys() if k[:3] == key]:
                table.delete(other)
        ctx.status = 204
        return {}

    def update_function_code(self, ctx: Ctx[awslambda.UpdateFunctionCodeRequest]) -> awslambda.UpdateFunctionCodeResult:
        params = ctx.params
        key, record = self._unqualified(ctx)
        self._check_revision(record, params)
        code_param = {k: params[k] for k in ("ZipFile", "S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri")
                      if params.get(k) is not None}
        code = self._store_code(ctx, code_param)
        updated = {**record, **code, "LastModified": ctx.time(), "RevisionId": ctx.ids.uuid4()}
        updated.pop("Callable", None)
        if "Architectures" in params:
            updated["Architectures"] = list(params["Architectures"])
        if params.get("DryRun"):
            return self._configuration(updated)
        self.functions.put(key, updated)
        if params.get("Publish"):
            return self._configuration(self._publish(ctx, key, None))
        return self._configuration(updated, state={
            "LastUpdateStatus": "InProgress", "LastUpdateStatusReason": "The function is being created.",
            "LastUpdateStatusReasonCode": "Creating"})

    def update_function_configuration(self, ctx: Ctx[awslambda.UpdateFunctionConfigurationRequest]) -> awslambda.UpdateFunctionConfigurationResult:
        params = ctx.params
        key, record = self._unqualified(ctx)
        self._check_revision(record, params)
        self._check_config(ctx, params)
        self._check_role(params)
        updated = {**record, **self._config_fields(params), "LastModified": ctx.time(),
                   "RevisionId": ctx.ids.uuid4()}
        self.functions.put(key, updated)
        return self._configuration(updated, state={
            "LastUpdateStatus": "InProgress", "LastUpdateStatusReason": "The function is being created.",
            "LastUpdateStatusReasonCode": "Creating"})

    @staticmethod
    def _check_revision(record: dict, params: Mapping[str, Any]) -> None:
        revision = params.get("RevisionId")
        if revision is not None and revision != record["RevisionId"]:
            raise _error("PreconditionFailedException",
                         "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/"
                         "GetAlias API to retrieve the latest Revision Id", 412)

    # -- versions ---------------------------------------------------------------------------------
    def _publish(self, ctx: RequestContext, key: tuple[str, str, str], description: str | None) -> dict:
        function = self.functions[key]
        last = function.get("PublishedRevision")
        if last is not None and last[0] == function["RevisionId"]:
            existing = self.versions.get((*key, last[1]))
            if existing is not None:
                return existing
        number = function["NextVersion"]
        version = {k: v for k, v in function.items()
                   if k not in ("Tags", "NextVersion", "ReservedConcurrency", "PublishedRevision")}
        version.update(Version=str(number), RevisionId=ctx.ids.uuid4(), LastModified=ctx.time())
        if description is not None:
            version["Description"] = description
        self.versions.put((*key, number), version)
        self.functions.put(key, {**function, "NextVersion": number + 1,
                                 "PublishedRevision": [function["RevisionId"], number]})
        return version

    def publish_version(self, ctx: Ctx[awslambda.PublishVersionRequest]) -> awslambda.PublishVersionResult:
        params = ctx.params
        key, record = self._unqualified(ctx)
        self._check_revision(record, params)
        sha = params.get("CodeSha256")
        if sha is not None and sha != record["CodeSha256"]:
            raise _invalid(f"CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST "
                           f"({record['CodeSha256']}). Please try again")
        ctx.status = 201
        return self._configuration(self._publish(ctx, key, params.get("Description")))

    def list_versions_by_function(self, ctx: Ctx[awslambda.ListVersionsByFunctionRequest]) -> awslambda.ListVersionsByFunctionResult:
        key, record = self._unqualified(ctx)
        rows = [self._configuration(record)]
        rows += [self._configuration(v) for _, v in self.versions.items_range((*key, 0), (*key, sys.maxsize))]
        return self.page(rows, ctx.params, "Versions")

    # -- aliases -----------------------------------------------------------------------------------
    def _alias_out(self, key: tuple, alias: dict) -> awslambda.AliasConfiguration:
        out: awslambda.AliasConfiguration = {"AliasArn": self.function_arn_of(key[:3], key[3]), "Name": key[3], "FunctionVersion": alias["FunctionVersion"],
               "Description": alias.get("Description", ""), "RevisionId": alias["RevisionId"]}
        if alias.get("RoutingConfig"):
            out["RoutingConfig"] = {"AdditionalVersionWeights": dict(alias["RoutingConfig"])}
        return out

    def _check_routing(self, key: tuple[str, str, str], version: str, routing: Mapping[str, Any] | None) -> dict | None:
        self.version_record(key, version)  # the primary version must exist (an alias name is not one)
        if not (version == LATEST or version.isdigit()):
            raise self._not_found(key, version)
        weights = (routing or {}).get("AdditionalVersionWeights") or {}
        if len(weights) > 1:
            raise _invalid("Number of items in AdditionalVersionWeights cannot be greater than 1")
        for other, weight in weights.items():
            if other == version:
                raise _invalid(f"Invalid function version {other}. Function version {other} is already included "
                               "in routing configuration.")
            if not other.isdigit() or (*key, int(other)) not in self.versions:
                raise _invalid(f"Function version {other} does not exist")
            if not 0.0 <= weight <= 1.0:
                raise _invalid("Invalid weight; the value must be between 0.0 and 1.0")
        return dict(weights) or None

    def create_alias(self, ctx: Ctx[awslambda.CreateAliasRequest]) -> awslambda.CreateAliasResult:
        params = ctx.params
        key, _ = self._unqualified(ctx)
        alias_key = (*key, params["Name"])
        if alias_key in self.aliases:
            raise _error("ResourceConflictException", f"Alias already exists: {self.function_arn_of(key, params['Name'])}", 409)
        routing = self._check_routing(key, params["FunctionVersion"], params.get("RoutingConfig"))
        alias = {"FunctionVersion": params["FunctionVersion"], "Description": params.get("Description", ""),
                 "RoutingConfig": routing, "RevisionId": ctx.ids.uuid4()}
        self.aliases.put(alias_key, alias)
        ctx.status = 201
        return self._alias_out(alias_key, alias)

    def _alias(self, ctx: RequestContext) -> tuple[tuple, dict]:
        key, _ = self._unqualified(ctx)
        alias_key = (*key, ctx.params["Name"])
        alias = self.aliases.get(alias_key)
        if alias is None:
            raise _error("ResourceNotFoundException", f"Cannot find alias arn: {self.function_arn_of(key, ctx.params['Name'])}",
                         404)
        return alias_key, alias

    def get_alias(self, ctx: Ctx[awslambda.GetAliasRequest]) -> awslambda.GetAliasResult:
        return self._alias_out(*self._alias(ctx))

    def update_alias(self, ctx: Ctx[awslambda.UpdateAliasRequest]) -> awslambda.UpdateAliasResult:
        params = ctx.params
        alias_key, alias = self._alias(ctx)
        self._check_revision(alias, params)
        version = params.get("FunctionVersion", alias["FunctionVersion"])
        routing = alias.get("RoutingConfig")
        if "RoutingConfig" in params:
            routing = self._check_routing(alias_key[:3], version, params["RoutingConfig"])
        else:
            self._check_routing(alias_key[:3], version, None)
        updated = {**alias, "FunctionVersion": version, "RoutingConfig": routing,
                   "Description": params.get("Description", alias.get("Description", "")),
                   "RevisionId": ctx.ids.uuid4()}
        self.aliases.put(alias_key, updated)
        return self._alias_out(alias_key, updated)

    def delete_alias(self, ctx: Ctx[awslambda.DeleteAliasRequest]) -> awslambda.DeleteAliasResult:
        alias_key, _ = self._alias(ctx)
        self.aliases.delete(alias_key)
        ctx.status = 204
        return {}

    def list_aliases(self, ctx: Ctx[awslambda.ListAliasesRequest]) -> awslambda.ListAliasesResult:
        key, _ = self._unqualified(ctx)
        wanted = ctx.params.get("FunctionVersion")
        rows = [self._alias_out(k, a) for k, a in sorted(self.aliases.items()) if k[:3] == key
                and (wanted is None or a["FunctionVersion"] == wanted)]
        return self.page(rows, ctx.params, "Aliases")

    # -- layers ------------------------------------------------------------------------------------
    def _layer_key(self, ctx: RequestContext, name: str) -> tuple[str, str, str]:
        match = _LAYER_NAME_ARN.match(name)
        if match:
            return (match["account"], match["region"], match["name"])
        return (ctx.account, ctx.region, name)

    def _layer_out(self, key: tuple, layer: dict) -> awslambda.GetLayerVersionResponse:
        layer_arn = f"{arn_prefix(key[1])}:lambda:{key[1]}:{key[0]}:layer:{key[2]}"
        out: awslambda.GetLayerVersionResponse = {
            "Content": {"Location": f"https://awslambda-{key[1]}-layers.s3.{key[1]}.{dns_suffix(key[1])}/snapshots/"
                                    f"{key[0]}/{key[2]}-{layer['Blob']}",
                        "CodeSha256": layer["CodeSha256"], "CodeSize": layer["CodeSize"]},
            "LayerArn": layer_arn, "LayerVersionArn": f"{layer_arn}:{key[3]}",
            "Description": layer.get("Description", ""), "CreatedDate": _lambda_time(layer["Created"]),
            "Version": key[3],
        }
        members: Any = out  # the optional members, by name
        for name in ("CompatibleRuntimes", "LicenseInfo", "CompatibleArchitectures"):
            if layer.get(name):
                members[name] = layer[name]
        return out

    def publish_layer_version(self, ctx: Ctx[awslambda.PublishLayerVersionRequest]) -> awslambda.PublishLayerVersionResult:
        params = ctx.params
        key = self._layer_key(ctx, params["LayerName"])
        code = self._store_code(ctx, params["Content"])
        last = [k for k in self.layers.irange((*key, 0), (*key, sys.maxsize))]
        number = (last[-1][3] if last else 0) + 1
        layer = {**code, "Description": params.get("Description", ""), "Created": ctx.time(),
                 "CompatibleRuntimes": list(params.get("CompatibleRuntimes") or []),
                 "CompatibleArchitectures": list(params.get("CompatibleArchitectures") or []),
                 "LicenseInfo": params.get("LicenseInfo")}
        self.layers.put((*key, number), layer)
        ctx.status = 201
        return self._layer_out((*key, number), layer)

    def _layer_version(self, key: tuple) -> dict:
        layer = self.layers.get(key)
        if layer is None:
            raise _error("ResourceNotFoundException", "The resource you requested does not exist.", 404)
        return layer

    def get_layer_version(self, ctx: Ctx[awslambda.GetLayerVersionRequest]) -> awslambda.GetLayerVersionResult:
        key = (*self._layer_key(ctx, ctx.params["LayerName"]), ctx.params["VersionNumber"])
        return self._layer_out(key, self._layer_version(key))

    def get_layer_version_by_arn(self, ctx: Ctx[awslambda.GetLayerVersionByArnRequest]) -> awslambda.GetLayerVersionByArnResult:
        match = _LAYER_VERSION_ARN.match(ctx.params["Arn"])
        if match is None:
            raise AwsError("ValidationException", "1 validation error detected: Value at 'arn' failed to satisfy "
                           "constraint: Member must satisfy regular expression pattern")
        key = (match["account"], match["region"], match["name"], int(match["version"]))
        return self._layer_out(key, self._layer_version(key))

    def delete_layer_version(self, ctx: Ctx[awslambda.DeleteLayerVersionRequest]) -> awslambda.DeleteLayerVersionResult:
        self.layers.delete((*self._layer_key(ctx, ctx.params["LayerName"]), ctx.params["VersionNumber"]))
        ctx.status = 204
        return {}

    def list_layer_versions(self, ctx: Ctx[awslambda.ListLayerVersionsRequest]) -> awslambda.ListLayerVersionsResult:
        key = self._layer_key(ctx, ctx.params["LayerName"])
        rows = []
        for version_key in reversed(list(self.layers.irange((*key, 0), (*key, sys.maxsize)))):
            out = self._layer_out(version_key, self.layers[version_key])
            out.pop("Content")
            out.pop("LayerArn")
            rows.append(out)
        return self.page(rows, ctx.params, "LayerVersions")

    def list_layers(self, ctx: Ctx[awslambda.ListLayersRequest]) -> awslambda.ListLayersResult:
        latest: dict[tuple, tuple] = {}
        for key in self.layers.keys():
            if key[0] == ctx.account and key[1] == ctx.region:
                latest[key[:3]] = key
        rows = []
        for name_key in sorted(latest):
            out = self._layer_out(latest[name_key], self.layers[latest[name_key]])
            layer_arn = out.pop("LayerArn")
            out.pop("Content")
            rows.append({"LayerName": name_key[2], "LayerArn": layer_arn, "LatestMatchingVersion": out})
        return self.page(rows, ctx.params, "Layers")

    # -- tags --------------------------------------------------------------------------------------
    def _tag_target(self, ctx: RequestContext, arn: str) -> tuple[Any, Any, dict]:
        if ":event-source-mapping:" in arn:
            uuid = arn.rsplit(":", 1)[1]
            mapping = self.event_source_mappings.mappings.get(uuid)
            if mapping is None:
                raise _error("ResourceNotFoundException", f"The resource you requested does not exist. "
                             f"(Service: Lambda, Status Code: 404, Request ID: {ctx.request_id})", 404)
            return self.event_source_mappings.mappings, uuid, mapping
        key, qualifier = self.locate(ctx, arn)
        if qualifier is not None:
            raise _invalid("Tags on function aliases and versions are not supported. Please specify a function "
                           "ARN.")
        return self.functions, key, self._function(key)

    def tag_resource(self, ctx: Ctx[awslambda.TagResourceRequest]) -> awslambda.TagResourceResult:
        table, key, record = self._tag_target(ctx, ctx.params["Resource"])
        table.put(key, {**record, "Tags": {**(record.get("Tags") or {}), **ctx.params["Tags"]}})
        ctx.status = 204
        return {}

    def untag_resource(self, ctx: Ctx[awslambda.UntagResourceRequest]) -> awslambda.UntagResourceResult:
        table, key, record = self._tag_target(ctx, ctx.params["Resource"])
        removed = set(ctx.params["TagKeys"])
        table.put(key, {**record, "Tags": {k: v for k, v in (record.get("Tags") or {}).items() if k not in removed}})
        ctx.status = 204
        return {}

    def list_tags(self, ctx: Ctx[awslambda.ListTagsRequest]) -> awslambda.ListTagsResult:
        _, _, record = self._tag_target(ctx, ctx.params["Resource"])
        return {"Tags": dict(record.get("Tags") or {})}

    # -- concurrency -------------------------------------------------------------------------------
    def _reserved_total(self, account: str, region: str, excluding: tuple | None = None) -> int:
        return sum(r.get("ReservedConcurrency") or 0 for k, r in self.functions.items()
                   if k[:2] == (account, region) and k != excluding)

    def put_function_concurrency(self, ctx: Ctx[awslambda.PutFunctionConcurrencyRequest]) -> awslambda.PutFunctionConcurrencyResult:
        key, record = self._unqualified(ctx)
        value = ctx.params["ReservedConcurrentExecutions"]
        if self._reserved_total(*key[:2], excluding=key) + value > _ACCOUNT_CONCURRENCY - 100:
            raise _invalid("Specified ReservedConcurrentExecutions for function decreases account's "
                           "UnreservedConcurrentExecution below its minimum value of [100].")
        self.functions.put(key, {**record, "ReservedConcurrency": value})
        return {"ReservedConcurrentExecutions": value}

    def get_function_concurrency(self, ctx: Ctx[awslambda.GetFunctionConcurrencyRequest]) -> awslambda.GetFunctionConcurrencyResult:
        value = self._unqualified(ctx)[1].get("ReservedConcurrency")
        return {} if value is None else {"ReservedConcurrentExecutions": value}

    def delete_function_concurrency(self, ctx: Ctx[awslambda.DeleteFunctionConcurrencyRequest]) -> awslambda.DeleteFunctionConcurrencyResult:
        key, record = self._unqualified(ctx)
        self.functions.put(key, {**record, "ReservedConcurrency": None})
        ctx.status = 204
        return {}

    def _provisioned_key(self, ctx: RequestContext) -> tuple:
        key, qualifier = self.locate(ctx, ctx.params["FunctionName"], ctx.params.get("Qualifier"))
        if qualifier is None or qualifier == LATEST:
            raise _invalid("Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
        self.check_qualifier(key, qualifier)
        return (*key, qualifier)

    def put_provisioned_concurrency_config(self, ctx: Ctx[awslambda.PutProvisionedConcurrencyConfigRequest]) -> awslambda.PutProvisionedConcurrencyConfigResult:
        pkey = self._provisioned_key(ctx)
        wanted = ctx.params["ProvisionedConcurrentExecutions"]
        record = {"Requested": wanted, "LastModified": ctx.time()}
        self.provisioned.put(pkey, record)
        ctx.status = 202
        return {"RequestedProvisionedConcurrentExecutions": wanted, "AllocatedProvisionedConcurrentExecutions": 0,
                "AvailableProvisionedConcurrentExecutions": 0, "Status": "IN_PROGRESS",
                "LastModified": _lambda_time(record["LastModified"])}

    def _provisioned_out(self, pkey: tuple, record: dict) -> awslambda.GetProvisionedConcurrencyConfigResponse:
        wanted = record["Requested"]
        return {"RequestedProvisionedConcurrentExecutions": wanted, "AllocatedProvisionedConcurrentExecutions": wanted,
                "AvailableProvisionedConcurrentExecutions": wanted, "Status": "READY",
                "LastModified": _lambda_time(record["LastModified"])}

    def get_provisioned_concurrency_config(self, ctx: Ctx[awslambda.GetProvisionedConcurrencyConfigRequest]) -> awslambda.GetProvisionedConcurrencyConfigResult:
        pkey = self._provisioned_key(ctx)
        record = self.provisioned.get(pkey)
        if record is None:
            raise _error("ProvisionedConcurrencyConfigNotFoundException",
                         "No Provisioned Concurrency Config found for this function", 404)
        return self._provisioned_out(pkey, record)

    def delete_provisioned_concurrency_config(self, ctx: Ctx[awslambda.DeleteProvisionedConcurrencyConfigRequest]) -> awslambda.DeleteProvisionedConcurrencyConfigResult:
        self.provisioned.delete(self._provisioned_key(ctx))
        ctx.status = 204
        return {}

    def list_provisioned_concurrency_configs(self, ctx: Ctx[awslambda.ListProvisionedConcurrencyConfigsRequest]) -> awslambda.ListProvisionedConcurrencyConfigsResult:
        key, _ = self._unqualified(ctx)
        rows = [{"FunctionArn": self.function_arn_of(key, k[3]), **self._provisioned_out(k, r)}
                for k, r in sorted(self.provisioned.items()) if k[:3] == key]
        return self.page(rows, ctx.params, "ProvisionedConcurrencyConfigs")

    def get_account_settings(self, ctx: Ctx[awslambda.GetAccountSettingsRequest]) -> awslambda.GetAccountSettingsResult:
        mine = [r for k, r in self.functions.items() if k[:2] == (ctx.account, ctx.region)]
        reserved = sum(r.get("ReservedConcurrency") or 0 for r in mine)
        return {
            "AccountLimit": {"TotalCodeSize": 80_530_636_800, "CodeSizeUnzipped": _UNZIPPED_LIMIT,
                             "CodeSizeZipped": _ZIP_LIMIT, "ConcurrentExecutions": _ACCOUNT_CONCURRENCY,
                             "UnreservedConcurrentExecutions": _ACCOUNT_CONCURRENCY - reserved},
            "AccountUsage": {"TotalCodeSize": sum(r["CodeSize"] for r in mine), "FunctionCount": len(mine)},
        }

    # -- function URLs -----------------------------------------------------------------------------
    def _url_key(self, ctx: RequestContext) -> tuple[tuple, dict | None]:
        key, qualifier = self.locate(ctx, ctx.params["FunctionName"], ctx.params.get("Qualifier"))
        self._function(key)
        if qualifier is not None and qualifier != LATEST:
            self.check_qualifier(key, qualifier)
        url_key = (*key, qualifier or "")
        return url_key, self.url_configs.get(url_key)

    def _existing_url(self, ctx: RequestContext) -> tuple[tuple, dict]:
        url_key, record = self._url_key(ctx)
        if record is None:
            raise _error("ResourceNotFoundException", "The resource you requested does not exist.", 404)
        return url_key, record

    @overload
    def _url_out(self, url_key: tuple, record: dict, *,
                 modified: Literal[True] = True) -> awslambda.GetFunctionUrlConfigResponse: ...

    @overload
    def _url_out(self, url_key: tuple, record: dict, *,
                 modified: Literal[False]) -> awslambda.CreateFunctionUrlConfigResponse: ...

    def _url_out(self, url_key: tuple, record: dict, *, modified: bool = True
                 ) -> awslambda.GetFunctionUrlConfigResponse | awslambda.CreateFunctionUrlConfigResponse:
        """A function URL configuration; ``modified`` adds LastModifiedTime (CreateFunctionUrlConfig has none)."""
        out: awslambda.CreateFunctionUrlConfigResponse = {"FunctionUrl": record["FunctionUrl"], "FunctionArn": self.function_arn_of(url_key[:3], url_key[3] or None),
               "AuthType": record["AuthType"], "CreationTime": _lambda_time(record["Created"]),
               "InvokeMode": record.get("InvokeMode", "BUFFERED")}
        if record.get("Cors"):
            out["Cors"] = {**record["Cors"]}
        if modified:
            return {**out, "LastModifiedTime": _lambda_time(record["LastModified"])}
        return out

    def create_function_url_config(self, ctx: Ctx[awslambda.CreateFunctionUrlConfigRequest]) -> awslambda.CreateFunctionUrlConfigResult:
        url_key, record = self._url_key(ctx)
        if record is not None:
            raise _error("ResourceConflictException",
                         f"Failed to create function url config for [functionArn = "
                         f"{self.function_arn_of(url_key[:3], url_key[3] or None)}]. Error message:  FunctionUrlConfig "
                         "exists for this Lambda function", 409)
        now = ctx.time()
        record = {"FunctionUrl": f"https://{ctx.ids.chars(32, 'abcdefghijklmnopqrstuvwxyz0123456789')}"
                                 f".lambda-url.{url_key[1]}.on.aws/",
                  "AuthType": ctx.params["AuthType"], "Cors": ctx.params.get("Cors"),
                  "InvokeMode": ctx.params.get("InvokeMode", "BUFFERED"), "Created": now, "LastModified": now}
        self.url_configs.put(url_key, record)
        ctx.status = 201
        return self._url_out(url_key, record, modified=False)

    def get_function_url_config(self, ctx: Ctx[awslambda.GetFunctionUrlConfigRequest]) -> awslambda.GetFunctionUrlConfigResult:
        url_key, record = self._existing_url(ctx)
        return self._url_out(url_key, record)

    def update_function_url_config(self, ctx: Ctx[awslambda.UpdateFunctionUrlConfigRequest]) -> awslambda.UpdateFunctionUrlConfigResult:
        url_key, record = self._existing_url(ctx)
        updated = {**record, "LastModified": ctx.time()}
        for name in ("AuthType", "Cors", "InvokeMode"):
            if name in ctx.params:
                updated[name] = ctx.params[name]
        self.url_configs.put(url_key, updated)
        return self._url_out(url_key, updated)

    def delete_function_url_config(self, ctx: Ctx[awslambda.DeleteFunctionUrlConfigRequest]) -> awslambda.DeleteFunctionUrlConfigResult:
        url_key, _ = self._existing_url(ctx)
        self.url_configs.delete(url_key)
        ctx.status = 204
        return {}

    def list_function_url_configs(self, ctx: Ctx[awslambda.ListFunctionUrlConfigsRequest]) -> awslambda.ListFunctionUrlConfigsResult:
        key, _ = self._unqualified(ctx)
        rows = [self._url_out(k, r) for k, r in sorted(self.url_configs.items()) if k[:3] == key]
        return self.page(rows, ctx.params, "FunctionUrlConfigs")

    # -- resource policies -------------------------------------------------------------------------
    def add_permission(self, ctx: Ctx[awslambda.AddPermissionRequest]) -> awslambda.AddPermissionResult:
        params = ctx.params
        key, qualifier = self.locate(ctx, params["FunctionName"], params.get("Qualifier"))
        function = self._function(key)
        if qualifier is not None:
            self.check_qualifier(key, qualifier)
        self._check_revision(function, params)
        policy_key = (*key, qualifier or "")
        statements = list(self.policies.get(policy_key) or [])
        if any(s["Sid"] == params["StatementId"] for s in statements):
            raise _error("ResourceConflictException",
                         f"The statement id ({params['StatementId']}) provided already exists. Please provide a "
                         "new statement id, or remove the existing statement.", 409)
        principal = params["Principal"]
        statement: dict[str, Any] = {
            "Sid": params["StatementId"], "Effect": "Allow",
            "Principal": {"Service": principal} if principal.endswith(".amazonaws.com") else
            ("*" if principal == "*" else {"AWS": principal if principal.startswith("arn:")
                                           else ctx.arn("root", service="iam", region="", account=principal)}),
            "Action": params["Action"], "Resource": self.function_arn_of(key, qualifier),
        }
        condition: dict[str, Any] = {}
        if params.get("SourceArn"):
            condition["ArnLike"] = {"AWS:SourceArn": params["SourceArn"]}
        if params.get("SourceAccount"):
            condition["StringEquals"] = {"AWS:SourceAccount": params["SourceAccount"]}
        if params.get("FunctionUrlAuthType"):
            condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = params["FunctionUrlAuthType"]
        if condition:
            statement["Condition"] = condition
        statements.append(statement)
        self.policies.put(policy_key, statements)
        ctx.status = 201
        return {"Statement": json.dumps(statement, separators=(",", ":"))}

    def get_policy(self, ctx: Ctx[awslambda.GetPolicyRequest]) -> awslambda.GetPolicyResult:
        key, qualifier = self.locate(ctx, ctx.params["FunctionName"], ctx.params.get("Qualifier"))
        function = self._function(key)
        statements = self.policies.get((*key, qualifier or ""))
        if not statements:
            raise _error("ResourceNotFoundException", "The resource you requested does not exist.", 404)
        policy = {"Version": "2012-10-17", "Id": "default", "Statement": statements}
        return {"Policy": json.dumps(policy, separators=(",", ":")), "RevisionId": function["RevisionId"]}

    def remove_permission(self, ctx: Ctx[awslambda.RemovePermissionRequest]) -> awslambda.RemovePermissionResult:
        key, qualifier = self.locate(ctx, ctx.params["FunctionName"], ctx.params.get("Qualifier"))
        self._function(key)
        policy_key = (*key, qualifier or "")
        statements = list(self.policies.get(policy_key) or [])
        kept = [s for s in statements if s["Sid"] != ctx.params["StatementId"]]
        if len(kept) == len(statements):
            raise _error("ResourceNotFoundException", "Statement " + ctx.params["StatementId"] +
                         " is not found in resource policy.", 404)
        if kept:
            self.policies.put(policy_key, kept)
        else:
            self.policies.delete(policy_key)
        ctx.status = 204
        return {}

    # -- event invoke configs (async retries and destinations) -------------------------------------
    def _invoke_config_key(self, ctx: RequestContext) -> tuple:
        key, qualifier = self.locate(ctx, ctx.params["FunctionName"], ctx.params.get("Qualifier"))
        self._function(key)
        if qualifier is not None:
            self.check_qualifier(key, qualifier)
        return (*key, qualifier or LATEST)

    def _invoke_config_out(self, config_key: tuple, config: dict) -> awslambda.FunctionEventInvokeConfig:
        out: awslambda.FunctionEventInvokeConfig = {"LastModified": from_epoch(config["LastModified"]),
                               "FunctionArn": self.function_arn_of(config_key[:3], config_key[3])}
        for name in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
            if config.get(name) is not None:
                out[name] = config[name]
        out["DestinationConfig"] = {
            "OnSuccess": {"Destination": config["OnSuccess"]} if config.get("OnSuccess") else {},
            "OnFailure": {"Destination": config["OnFailure"]} if config.get("OnFailure") else {}}
        return out

    def _write_invoke_config(self, ctx: RequestContext, base: dict) -> awslambda.FunctionEventInvokeConfig:
        params = ctx.params
        config_key = self._invoke_config_key(ctx)
        config = dict(base)
        for name in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
            if name in params:
                config[name] = params[name]
        if "DestinationConfig" in params:
            for kind in ("OnSuccess", "OnFailure"):
                if kind in params["DestinationConfig"]:
                    target = params["DestinationConfig"][kind].get("Destination")
                    if target and not re.match(r"^arn:aws[a-zA-Z-]*:(sqs|sns|lambda|events|s3):", target):
                        raise _invalid(f"The provided destination config {kind} is invalid.")
                    config[kind] = target
        config["LastModified"] = ctx.time()
        self.invoke_configs.put(config_key, config)
        return self._invoke_config_out(config_key, config)

    def put_function_event_invoke_config(self, ctx: Ctx[awslambda.PutFunctionEventInvokeConfigRequest]) -> awslambda.PutFunctionEventInvokeConfigResult:
        return self._write_invoke_config(ctx, {})

    def update_function_event_invoke_config(self, ctx: Ctx[awslambda.UpdateFunctionEventInvokeConfigRequest]) -> awslambda.UpdateFunctionEventInvokeConfigResult:
        config_key = self._invoke_config_key(ctx)
        return self._write_invoke_config(ctx, self.invoke_configs.get(config_key) or {})

    def get_function_event_invoke_config(self, ctx: Ctx[awslambda.GetFunctionEventInvokeConfigRequest]) -> awslambda.GetFunctionEventInvokeConfigResult:
        config_key = self._invoke_config_key(ctx)
        config = self.invoke_configs.get(config_key)
        if config is None:
            raise _error("ResourceNotFoundException",
                         f"The function {self.function_arn_of(config_key[:3], config_key[3])} doesn't have an "
                         "EventInvokeConfig", 404)
        return self._invoke_config_out(config_key, config)

    def delete_function_event_invoke_config(self, ctx: Ctx[awslambda.DeleteFunctionEventInvokeConfigRequest]) -> awslambda.DeleteFunctionEventInvokeConfigResult:
        config_key = self._invoke_config_key(ctx)
        if self.invoke_configs.delete(config_key) is None:
            raise _error("ResourceNotFoundException",
                         f"The function {self.function_arn_of(config_key[:3], config_key[3])} doesn't have an "
                         "EventInvokeConfig", 404)
        ctx.status = 204
        return {}

    def list_function_event_invoke_configs(self, ctx: Ctx[awslambda.ListFunctionEventInvokeConfigsRequest]) -> awslambda.ListFunctionEventInvokeConfigsResult:
        key, _ = self._unqualified(ctx)
        rows = [self._invoke_config_out(k, c) for k, c in sorted(self.invoke_configs.items()) if k[:3] == key]
        return self.page(rows, ctx.params, "FunctionEventInvokeConfigs")

    # =============================================================================================
    # invoking
    # =============================================================================================
    def invoke(self, ctx: Ctx[awslambda.InvokeRequest]) -> awslambda.InvokeResult:
        params = ctx.params
        key, qualifier = self.locate(ctx, params["FunctionName"], params.get("Qualifier"))
        kind = params.get("InvocationType", "RequestResponse")
        payload = _payload_bytes(params.get("Payload"))
        limit = _ASYNC_PAYLOAD_LIMIT if kind == "Event" else _SYNC_PAYLOAD_LIMIT
        if len(payload) > limit:
            raise _error("RequestTooLargeException",
                         f"Request must be smaller than {limit} bytes for the InvokeFunction operation", 413)
        self._check_json(payload)
        record = self.version_record(key, qualifier)
        function = self.functions[key]
        if function.get("ReservedConcurrency") == 0:
            raise AwsError("TooManyRequestsException", "Rate Exceeded.", 429,
                           fields={"Type": "User", "message": "Rate Exceeded.",
                                   "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"})
        if kind == "DryRun":
            ctx.status = 204
            return {"StatusCode": 204, "Payload": response_body(b"")}
        if kind == "Event":
            self._defer_async(key, qualifier, payload)
            ctx.status = 202
            return {"StatusCode": 202, "Payload": response_body(b"")}
        client_context = None
        if params.get("ClientContext"):
            try:
                client_context = json.loads(base64.b64decode(params["ClientContext"]))
            except ValueError:
                raise _error("InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON "
                             "object.")
        record = self.route(key, qualifier, record)
        outcome = self.run(key, record, self.function_arn_of(key, qualifier), payload, ctx.request_id, client_context)
        out: awslambda.InvocationResponse = {"StatusCode": 200}
        if outcome.error is not None:
            out["FunctionError"] = "Unhandled"
        if params.get("LogType") == "Tail":
            out["LogResult"] = runtime.tail(outcome.log_lines)
        out["ExecutedVersion"] = outcome.version
        out["Payload"] = response_body(outcome.payload)
        members: Any = out  # read by name
        for name, header in (("FunctionError", "X-Amz-Function-Error"), ("LogResult", "X-Amz-Log-Result"),
                             ("ExecutedVersion", "X-Amz-Executed-Version")):
            if name in out:
                ctx.headers[header.lower()] = members[name]
        return out

    def invoke_async(self, ctx: Ctx[awslambda.InvokeAsyncRequest]) -> awslambda.InvokeAsyncResult:
        key, qualifier = self.locate(ctx, ctx.params["FunctionName"])
        payload = _payload_bytes(ctx.params.get("InvokeArgs"))
        self._check_json(payload)
        self.version_record(key, qualifier)
        self._defer_async(key, qualifier, payload)
        ctx.status = 202
        return {"Status": 202}

    @staticmethod
    def _check_json(payload: bytes) -> None:
        if not payload:
            return
        try:
            json.loads(payload)
        except (ValueError, RecursionError) as exc:
            raise _error("InvalidRequestContentException",
                         f"Could not parse request body into json: Could not parse payload into json: {exc}")

    def route(self, key: tuple[str, str, str], qualifier: str | None, record: dict) -> dict:
        """An alias with weighted routing picks its version with the seeded generator."""
        if qualifier is None or qualifier == LATEST or qualifier.isdigit():
            return record
        alias = self.aliases.get((*key, qualifier))
        routing = alias.get("RoutingConfig") if alias else None
        if not routing:
            return record
        draw = int.from_bytes(self.emulator.ids.bytes(4), "big") / 2**32
        for version, weight in routing.items():
            if draw < weight:
                return self.version_record(key, version)
        return record

    # -- the internal API ---------------------------------------------------------------------------
    def parse_arn(self, function_arn: str, qualifier: str | None) -> tuple[tuple[str, str, str], str | None]:
        match = _FUNCTION_REF.match(function_arn)
        if match is None:
            raise _error("ResourceNotFoundException", f"Function not found: {function_arn}", 404)
        derived = match.group("qualifier")
        key = (match.group("account") or self.emulator.account_id, match.group("region") or self.emulator.region,
               match.group("name"))
        return key, qualifier or derived

    def has_function(self, key: tuple[str, str, str]) -> bool:
        return key in self.functions

    def function_exists(self, function_arn: str) -> bool:
        key, qualifier = self.parse_arn(function_arn, None)
        try:
            self.version_record(key, qualifier)
        except AwsError:
            return False
        return True

    def invoke_internal(self, function_arn: str, payload: bytes | str, *, invocation_type: str = "Event",
                        qualifier: str | None = None) -> dict:
        key, qualifier = self.parse_arn(function_arn, qualifier)
        data = _payload_bytes(payload)
        record = self.version_record(key, qualifier)
        if invocation_type == "DryRun":
            return {"StatusCode": 204, "Payload": b""}
        if invocation_type == "Event":
            self._defer_async(key, qualifier, data)
            return {"StatusCode": 202, "Payload": b""}
        record = self.route(key, qualifier, record)
        outcome = self.run(key, record, self.function_arn_of(key, qualifier), data, self.emulator.ids.uuid4())
        out: dict[str, Any] = {"StatusCode": 200, "Payload": outcome.payload, "ExecutedVersion": outcome.version}
        if outcome.error is not None:
            out["FunctionError"] = "Unhandled"
        return out

    # -- asynchronous invocation: retries, destinations, DLQ ------------------------------------------
    def _defer_async(self, key: tuple[str, str, str], qualifier: str | None, payload: bytes) -> None:
        request_id = self.emulator.ids.uuid4()
        self.emulator.defer(lambda: self._run_async(key, qualifier, payload, request_id))

    def _event_config(self, key: tuple[str, str, str], qualifier: str | None) -> dict:
        return (self.invoke_configs.get((*key, qualifier or LATEST))
                or (self.invoke_configs.get((*key, LATEST)) if qualifier else None) or {})

    def _run_async(self, key: tuple[str, str, str], qualifier: str | None, payload: bytes, request_id: str) -> None:
        try:
            record = self.version_record(key, qualifier)
        except AwsError:
            return  # deleted since the event was accepted: AWS drops it
        config = self._event_config(key, qualifier)
        retries = config.get("MaximumRetryAttempts")
        retries = 2 if retries is None else retries
        invoked_arn = self.function_arn_of(key, qualifier)
        outcome = None
        attempts = 0
        for attempts in range(1, retries + 2):
            outcome = self.run(key, self.route(key, qualifier, record), invoked_arn, payload, request_id)
            if outcome.error is None:
                break
        assert outcome is not None
        function_arn = self.function_arn_of(key, outcome.version)
        if outcome.error is None:
            if config.get("OnSuccess"):
                self._send_result(config["OnSuccess"], key, function_arn, request_id, payload, outcome, "Success",
                                  attempts)
            return
        if config.get("OnFailure"):
            self._send_result(config["OnFailure"], key, function_arn, request_id, payload, outcome,
                              "RetriesExhausted", attempts)
        dlq = (record.get("DeadLetterConfig") or {}).get("TargetArn")
        if dlq:
            self._dead_letter(dlq, payload, request_id, outcome)

    def _send_result(self, destination: str, key: tuple[str, str, str], function_arn: str, request_id: str,
                     payload: bytes, outcome: Outcome, condition: str, attempts: int) -> None:
        response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": outcome.version}
        if outcome.error is not None:
            response_context["functionError"] = "Unhandled"
        try:
            request_payload = json.loads(payload) if payload else {}
        except ValueError:
            request_payload = payload.decode("utf-8", "replace")
        try:
            response_payload = json.loads(outcome.payload) if outcome.payload else None
        except ValueError:
            response_payload = outcome.payload.decode("utf-8", "replace")
        record = {
            "version": "1.0",
            "timestamp": runtime.iso_millis(self.emulator.clock.time()),
            "requestContext": {"requestId": request_id, "functionArn": function_arn, "condition": condition,
                               "approximateInvokeCount": attempts},
            "requestPayload": request_payload,
            "responseContext": response_context,
            "responsePayload": response_payload,
        }
        success = outcome.error is None
        self.deliver(destination, record, key, function_arn, success)

    def deliver(self, destination: str, document: dict, key: tuple[str, str, str], function_arn: str,
                success: bool) -> None:
        """Send an invocation record to a destination: SQS, SNS, Lambda or EventBridge."""
        body = json.dumps(document, separators=(",", ":"))
        service = destination.split(":", 3)[2]
        if service == "sqs":
            self.emulator.ports.queues.deliver_message(destination, body)
        elif service == "sns":
            self.emulator.ports.topics.publish_internal(destination, body)
        elif service == "lambda":
            self.invoke_internal(destination, body.encode(), invocation_type="Event")
        elif service == "events":
            entry = {"Source": "lambda",
                     "DetailType": "Lambda Function Invocation Result - " + ("Success" if success else "Failure"),
                     "Detail": body, "Resources": [function_arn], "EventBusName": destination}
            self.emulator.ports.event_buses.put_events_internal(key[0], key[1], [entry])
        else:
            raise NotEmulatedError("lambda", None, f"destinations of type {service}")

    def _dead_letter(self, target: str, payload: bytes, request_id: str, outcome: Outcome) -> None:
        error = outcome.error or {}
        attributes = {
            "RequestID": {"DataType": "String", "StringValue": request_id},
            "ErrorCode": {"DataType": "Number", "StringValue": "200"},
            "ErrorMessage": {"DataType": "String", "StringValue": str(error.get("errorMessage", ""))[:1024]},
        }
        body = payload.decode("utf-8", "replace") if payload else "{}"
        if ":sqs:" in target:
            self.emulator.ports.queues.deliver_message(target, body, message_attributes=attributes)
        else:
            self.emulator.ports.topics.publish_internal(target, body, message_attributes=attributes)

    # -- running a handler ----------------------------------------------------------------------------
    def _environment(self, key: tuple[str, str, str], record: dict) -> _Environment:
        env_key = (*key, record["Version"])
        env = self._environments.get(env_key)
        if env is not None and env.revision == record["RevisionId"]:
            return env
        callable_handler = None
        namespace = None
        task_root = None
        token = record.get("Callable")
        if token is not None:
            callable_handler = _CALLABLES.get(self.store, {}).get(token)
            if callable_handler is None:
                raise KumoError(f"the callable registered for Lambda function {key[2]!r} belongs to another "
                                "emulator; register it again")
        else:
            runtime_name = record.get("Runtime") or ""
            if not runtime_name.startswith("python") or record.get("ImageUri"):
                what = f"the {runtime_name} runtime" if runtime_name else "container image functions"
                raise NotEmulatedError("lambda", "Invoke", f"{what} cannot run in-process; only Python runtimes "
                                       "(zip packages or callables registered with register_callable) are executed")
            task_root = runtime.code_directory(self.store.blobs, record["Blob"])
            paths = [task_root]
            for layer_arn in reversed(record.get("Layers") or []):
                match = _LAYER_VERSION_ARN.match(layer_arn)
                assert match is not None  # checked when the function was configured
                layer = self.layers.get((match["account"], match["region"], match["name"], int(match["version"])))
                if layer is not None:
                    paths.extend(runtime.layer_paths(runtime.code_directory(self.store.blobs, layer["Blob"])))
            namespace = runtime.Namespace(paths, task_root)
        now = self.emulator.clock.time()
        stream = (f"{from_epoch(now).strftime('%Y/%m/%d')}/[{record['Version']}]"
                  f"{self.emulator.ids.hex(32)}")
        group = self._log_group(record)
        runtime_name = record.get("Runtime") or "python3.12"
        environ = {
            "AWS_LAMBDA_FUNCTION_NAME": key[2], "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(record["MemorySize"]),
            "AWS_LAMBDA_FUNCTION_VERSION": record["Version"], "AWS_LAMBDA_LOG_GROUP_NAME": group,
            "AWS_LAMBDA_LOG_STREAM_NAME": stream, "AWS_REGION": key[1], "AWS_DEFAULT_REGION": key[1],
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime_name}", "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "LAMBDA_TASK_ROOT": task_root or os.getcwd(), "LAMBDA_RUNTIME_DIR": "/var/runtime",
            "_HANDLER": record.get("Handler") or "",
            **(record.get("Environment") or {}),
        }
        ensure_ascii = runtime.python_version(runtime_name) < (3, 12)  # 3.12 stopped escaping unicode
        env = _Environment(record["RevisionId"], callable_handler, namespace, stream, runtime.Environ(environ), task_root,
                           ensure_ascii)
        self._environments[env_key] = env
        return env

    def _act_as_role(self, key: tuple[str, str, str], record: dict, env: _Environment) -> None:
        """Give the handler's environment session credentials of the execution role, as Lambda does
        (``arn:aws:sts::<account>:assumed-role/<role>/<function>``), issued anew when they would expire
        during the call. A role IAM does not hold (``register_callable`` creates none; a role deleted
        since) leaves the function's account id as access key: its calls act as that account."""
        now = self.emulator.clock.time()
        if now + record["Timeout"] < env.credentials_expire:
            return
        try:
            issued = self.emulator.ports.credentials.issue_role_session(record["Role"], key[2])
        except KeyError:
            issued = {"AccessKeyId": key[0], "SecretAccessKey": "kumo-lambda-account", "SessionToken": "",
                      "Expiration": math.inf}
        env.environ = runtime.Environ({**env.environ.values, "AWS_ACCESS_KEY_ID": issued["AccessKeyId"],
                                       "AWS_SECRET_ACCESS_KEY": issued["SecretAccessKey"],
                                       "AWS_SESSION_TOKEN": issued["SessionToken"]})
        env.credentials_expire = issued["Expiration"]

    @staticmethod
    def _log_group(record: dict) -> str:
        return (record.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{record['FunctionName']}"

    def run(self, key: tuple[str, str, str], record: dict, invoked_arn: str, payload: bytes, request_id: str,
            client_context: dict | None = None) -> Outcome:
        """Run the handler of ``record`` (one version's configuration) once, now."""
        env = self._environment(key, record)
        self._act_as_role(key, record, env)
        clock = self.emulator.clock
        version = record["Version"]
        timeout = record["Timeout"]
        started = clock.time()
        context = runtime.LambdaContext(
            clock=clock, deadline=started + timeout, aws_request_id=request_id, function_name=key[2],
            function_version=version, invoked_function_arn=invoked_arn, memory_limit_in_mb=record["MemorySize"],
            log_group_name=env.environ["AWS_LAMBDA_LOG_GROUP_NAME"], log_stream_name=env.log_stream,
            client_context=client_context)
        capture = runtime.Capture()
        # without the emulator lock: threads the handler starts may call boto3 while it waits for them
        with self.emulator.user_code(timeout, f"Lambda function {key[2]}"):
            handler_log = runtime.log_handler
            previous_log = (handler_log.capture, handler_log.request_id, handler_log.clock)
            handler_log.capture, handler_log.request_id, handler_log.clock = capture, request_id, clock
            root_logger = logging.getLogger()
            add_handler = handler_log not in root_logger.handlers  # not yet there: this is the outermost call
            if add_handler:
                root_logger.addHandler(handler_log)
            saved_environ = env.environ.set()
            stdout, stderr = sys.stdout, sys.stderr
            sys.stdout = sys.stderr = capture
            cwd = None
            if env.task_root is not None:
                cwd = os.getcwd()
                os.chdir(env.task_root)
            entered = env.namespace.enter() if env.namespace is not None else None
            init_ms = None
            error: dict | None = None
            body = b""
            tick = time.perf_counter()
            try:
                try:
                    if env.handler is None:
                        assert env.namespace is not None  # only callables have a handler without a namespace
                        try:
                            env.handler = runtime.load_handler(record["Handler"], env.namespace,
                                                               record.get("Runtime") or "python3.12")
                        finally:
                            now = time.perf_counter()
                            init_ms = (now - tick) * 1000
                            tick = now
                    event = json.loads(payload) if payload else {}
                    result = env.handler(event, context)
                    body = runtime.marshal(result, env.ensure_ascii)
                except KumoError:
                    raise
                except (Exception, SystemExit) as exc:  # the handler's own failure
                    error = runtime.error_payload(exc, request_id, env.namespace)
                    capture.add_event(runtime.error_log_line(error))
            finally:
                elapsed = time.perf_counter() - tick
                if entered is not None and env.namespace is not None:
                    env.namespace.exit(*entered)
                if cwd is not None:
                    os.chdir(cwd)
                sys.stdout, sys.stderr = stdout, stderr
                env.environ.restore(saved_environ)
                if add_handler:
                    root_logger.removeHandler(handler_log)
                handler_log.capture, handler_log.request_id, handler_log.clock = previous_log
        capture.flush_partial()
        ended = clock.time()
        duration = max(elapsed, ended - started)
        timed_out = duration > timeout
        if timed_out:
            error = {"errorType": "Sandbox.Timedout",
                     "errorMessage": f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"}
            capture.events.append(f"{runtime.iso_millis(ended)} {request_id} Task timed out after "
                                  f"{timeout:.2f} seconds")
        if error is not None:
            body = json.dumps(error).encode()
        elif len(body) > _SYNC_RESPONSE_LIMIT:
            # AWS's words name the limit, not the size (test_lambda_too_large_response)
            error = {"errorMessage": f"Response payload size exceeded maximum allowed payload size "
                                     f"({_SYNC_RESPONSE_LIMIT} bytes).",
                     "errorType": "Function.ResponseSizeTooLarge"}
            body = json.dumps(error).encode()
        duration_ms = min(duration, timeout) * 1000
        report = (f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
                  f"Billed Duration: {max(1, -int(-duration_ms // 1))} ms\tMemory Size: {record['MemorySize']} MB\t"
                  f"Max Memory Used: {min(record['MemorySize'], 48)} MB\t")
        if init_ms is not None:
            report += f"Init Duration: {init_ms:.2f} ms\t"
        if timed_out:
            report += "Status: timeout"
        lines = [f"START RequestId: {request_id} Version: {version}", *capture.events,
                 f"END RequestId: {request_id}", report]
        self._write_log(key, env, started, ended, lines)
        counter_key = (*key, version)
        self.invocations.put(counter_key, self.invocations.get(counter_key, 0) + 1)
        return Outcome(body, error, lines, version, request_id)

    def _write_log(self, key: tuple[str, str, str], env: _Environment, started: float, ended: float,
                   lines: list[str]) -> None:
        if self._logs_missing:
            return
        try:
            logs = self.emulator.ports.logs
        except NotEmulatedError:
            self._logs_missing = True
            return
        first, last = int(started * 1000), int(ended * 1000)
        events = [(first, line) for line in lines[:-2]] + [(last, lines[-2]), (last, lines[-1])]
        logs.put_log_events_internal(key[0], key[1], env.environ["AWS_LAMBDA_LOG_GROUP_NAME"], env.log_stream, events)

    # -- event source mappings (the EventSourceMappings component) -----------------------------------
    def create_event_source_mapping(self, ctx: Ctx[awslambda.CreateEventSourceMappingRequest]) -> awslambda.CreateEventSourceMappingResult:
        return self.event_source_mappings.create_event_source_mapping(ctx)

    def get_event_source_mapping(self, ctx: Ctx[awslambda.GetEventSourceMappingRequest]) -> awslambda.GetEventSourceMappingResult:
        return self.event_source_mappings.get_event_source_mapping(ctx)

    def update_event_source_mapping(self, ctx: Ctx[awslambda.UpdateEventSourceMappingRequest]) -> awslambda.UpdateEventSourceMappingResult:
        return self.event_source_mappings.update_event_source_mapping(ctx)

    def delete_event_source_mapping(self, ctx: Ctx[awslambda.DeleteEventSourceMappingRequest]) -> awslambda.DeleteEventSourceMappingResult:
        return self.event_source_mappings.delete_event_source_mapping(ctx)

    def list_event_source_mappings(self, ctx: Ctx[awslambda.ListEventSourceMappingsRequest]) -> awslambda.ListEventSourceMappingsResult:
        return self.event_source_mappings.list_event_source_mappings(ctx)

    # =============================================================================================
    # callables as handlers
    # =============================================================================================
    def register_callable(self, function_name: str, handler: Callable[..., Any], *, account: str | None = None,
                          region: str | None = None, runtime_name: str = "python3.12", timeout: int = 3,
                          memory_size: int = 128, environment: dict[str, str] | None = None,
                          role: str | None = None) -> str:
        if not callable(handler):
            raise TypeError(f"register_callable needs a callable, got {type(handler).__name__}")
        account = account or self.emulator.account_id
        region = region or self.emulator.region
        key = (account, region, function_name)
        ids = self.emulator.ids
        token = f"callable:{ids.hex(16)}"
        _CALLABLES.setdefault(self.store, {})[token] = handler
        label = f"{getattr(handler, '__module__', None) or 'callable'}.{getattr(handler, '__qualname__', 'handler')}"
        now = self.emulator.clock.time()
        with self.emulator.lock, self.store.transaction():
            record = self.functions.get(key)
            code = {"Callable": token, "CodeSize": 0,
                    "CodeSha256": base64.b64encode(hashlib.sha256(token.encode()).digest()).decode()}
            if record is None:
                record = {
                    "FunctionName": function_name, "FunctionArn": self.function_arn_of(key), "Version": LATEST,
                    "Runtime": runtime_name, "Role": role or f"{arn_prefix(region)}:iam::{account}:role/kumo-lambda-role",
                    "Handler": label, "Description": "", "Timeout": timeout, "MemorySize": memory_size,
                    "Environment": dict(environment) if environment is not None else None,
                    "PackageType": "Zip", "Architectures": ["x86_64"], "Tags": {}, "NextVersion": 1,
                    "Created": now,
                }
            else:
                record = {k: v for k, v in record.items() if k not in ("Blob", "ImageUri")}
                if environment is not None:
                    record["Environment"] = dict(environment)
            record.update(code, LastModified=now, RevisionId=ids.uuid4())
            self.functions.put(key, record)
        return record["FunctionArn"]

    # =============================================================================================
    # inspection
    # =============================================================================================
    def resource_facts(self, arn: str) -> dict[str, Any] | None:
        """ResourcePolicyPort: a function's (or version's, alias's) resource policy and tags."""
        parts = arn.split(":")
        if len(parts) < 7 or parts[5] != "function":
            return None
        key = (parts[4], parts[3], parts[6])
        function = self.functions.get(key)
        if function is None:
            return None
        statements = self.policies.get((*key, parts[7] if len(parts) > 7 else ""))
        policy = json.dumps({"Version": "2012-10-17", "Statement": statements}) if statements else None
        return {"Arn": arn, "Policy": policy, "Tags": dict(function.get("Tags") or {})}

    def summary(self) -> dict[str, Any]:
        functions = []
        for key, record in sorted(self.functions.items()):
            functions.append({
                "name": key[2], "account": key[0], "region": key[1], "runtime": record.get("Runtime"),
                "handler": record.get("Handler"), "state": "Active",
                "code": "callable" if record.get("Callable") else "zip",
                "versions": sum(1 for _ in self.versions.irange((*key, 0), (*key, sys.maxsize))),
                "invocations": sum(n for k, n in self.invocations.items() if k[:3] == key),
            })
        out: dict[str, Any] = {"functions": functions}
        mappings = self.event_source_mappings.summary()
        if mappings:
            out["event_source_mappings"] = mappings
        return out
