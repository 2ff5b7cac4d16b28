"""Dispatch: from a botocore (service, operation) to the backend method that serves it.

A service backend is a class with one method per operation, named as botocore names the client
method (``GetCallerIdentity`` -> ``get_caller_identity``). It takes a ``RequestContext`` and returns
the parsed output dict, or raises ``AwsError``. Backends are imported on first use, so importing
kumo_intercept stays cheap, and built once per emulator from the records in its store.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Generic, TypeVar

from botocore import xform_name

from .errors import AwsError
from .partitions import partition
from .validation import check_input

if TYPE_CHECKING:
    import datetime

    from ..emulator import Emulator
    from .clock import Clock
    from .ids import IdGenerator
    from ..store import Store
    from ..store.schema import Catalog, ServiceSchema

#: botocore service name -> "module:Class" of its backend. One line per emulated service.
BACKENDS: dict[str, str] = {
    "sts": "kumo_intercept.services.sts.backend:StsBackend",
    "iam": "kumo_intercept.services.iam.backend:IamBackend",
    "sqs": "kumo_intercept.services.sqs.backend:SqsBackend",
    "s3": "kumo_intercept.services.s3.backend:S3Backend",
    "dynamodb": "kumo_intercept.services.dynamodb.backend:DynamoDBBackend",
    "dynamodbstreams": "kumo_intercept.services.dynamodb.streams:DynamoDBStreamsBackend",
    "sns": "kumo_intercept.services.sns.backend:SnsBackend",
    "events": "kumo_intercept.services.events.backend:EventsBackend",
    "logs": "kumo_intercept.services.logs.backend:LogsBackend",
    "lambda": "kumo_intercept.services.awslambda.backend:LambdaBackend",
    "cloudwatch": "kumo_intercept.services.cloudwatch.backend:CloudWatchBackend",
    "kms": "kumo_intercept.services.kms.backend:KmsBackend",
    "secretsmanager": "kumo_intercept.services.secretsmanager.backend:SecretsManagerBackend",
    "ssm": "kumo_intercept.services.ssm.backend:SsmBackend",
    "kinesis": "kumo_intercept.services.kinesis.backend:KinesisBackend",
    "firehose": "kumo_intercept.services.firehose.backend:FirehoseBackend",
    "stepfunctions": "kumo_intercept.services.stepfunctions.backend:StepFunctionsBackend",
    "scheduler": "kumo_intercept.services.scheduler.backend:SchedulerBackend",
    "ses": "kumo_intercept.services.ses.v1:SesBackend",
    "sesv2": "kumo_intercept.services.ses.v2:SesV2Backend",
}


#: the params type of a call: a TypedDict of kumo_intercept.api, e.g. ``sqs.SendMessageRequest``
P = TypeVar("P")

#: key of a call's context holding the ``X-Amzn-Trace-Id`` header of a request that was really sent
#: (through botocore's full path or the HTTP server); in-process calls carry no headers
TRACE_HEADER = "kumo_intercept.trace_header"
#: key of a call's context marking an anonymous request: a client made with
#: ``Config(signature_version=UNSIGNED)``, or a request that reached the wire unsigned (no credential in
#: its Authorization header, query or POST form), for an operation that is not anonymous by its model
ANONYMOUS = "kumo_intercept.anonymous"


class RequestContext(Generic[P]):
    """Everything a handler knows about one call.

    Generic in its params type only for the type checker: ``ctx.params`` is the dict botocore built,
    never converted or copied, so ``def send_message(self, ctx: Ctx[SendMessageRequest])`` costs nothing.
    """

    __slots__ = (
        "emulator", "service", "operation", "params", "account", "region",
        "request_id", "access_key", "status", "headers", "model", "botocore_context", "authorization",
    )

    def __init__(
        self,
        emulator: "Emulator",
        service: str,
        operation: str,
        params: P,
        account: str,
        region: str,
        request_id: str,
        access_key: str | None,
        model: Any = None,
        botocore_context: dict[str, Any] | None = None,
    ) -> None:
        self.emulator = emulator
        self.service = service
        self.operation = operation
        #: the api params exactly as botocore validated and customised them
        self.params = params
        self.account = account
        self.region = region
        self.request_id = request_id
        #: the access key id of the calling client's credentials, if any
        self.access_key = access_key
        #: HTTP status and extra response headers; a handler may change them (S3's 204, 206…)
        self.status = 200
        self.headers: dict[str, str] = {}
        #: botocore's OperationModel of the call
        self.model = model
        #: botocore's request context: what it resolved before the call, e.g. ``["checksum"]`` holds
        #: the request checksum algorithm the client would have sent (its Config included)
        self.botocore_context = botocore_context if botocore_context is not None else {}
        #: what IAM enforcement decided (``kumo(iam=...)``), kept in the call's ledger entry
        self.authorization: Any = None

    @property
    def clock(self) -> "Clock":
        return self.emulator.clock

    @property
    def ids(self) -> "IdGenerator":
        return self.emulator.ids

    @property
    def store(self) -> "Store":
        return self.emulator.store

    def now(self) -> "datetime.datetime":
        return self.emulator.clock.now()

    def time(self) -> float:
        return self.emulator.clock.time()

    def arn(self, resource: str, *, service: str | None = None, region: str | None = None,
            account: str | None = None) -> str:
        """An ARN in this call's partition, account and region (pass region="" for global ones: their
        partition is still the calling region's)."""
        return (
            f"arn:{partition(self.region)}:{service or self.service}:{self.region if region is None else region}:"
            f"{self.account if account is None else account}:{resource}"
        )

    @property
    def anonymous(self) -> bool:
        """Whether the call was made without credentials (see ``ANONYMOUS``)."""
        return bool(self.botocore_context.get(ANONYMOUS))

    def __repr__(self) -> str:
        return f"<RequestContext {self.service}.{self.operation} {self.account}/{self.region} {self.request_id}>"


#: the short name handlers annotate with: ``ctx: Ctx[SendMessageRequest]``
Ctx = RequestContext


class ServiceBackend:
    """Base class of a service backend: one instance per emulator, rebuilt from the store on demand.

    Subclasses set ``service_name`` and define one method per operation. State lives in
    ``self.store`` tables only; anything else on the instance must be derivable from those records.
    """

    service_name: ClassVar[str]
    #: the error code AWS uses for a constraint it checks server-side (max length, pattern, enum);
    #: set it to have every call's params checked against the model before the handler runs
    input_error_code: ClassVar[str | None] = None
    #: the operations whose params get those checks (None: every operation); a service whose hot
    #: data-plane calls carry large payloads can limit the walk to its control-plane calls
    input_checked_operations: ClassVar[frozenset[str] | None] = None
    #: the code and message (``{name}``: the member) of a required member a client left out with
    #: botocore's validation off, for services that do not answer with "Member must not be null"
    missing_parameter: ClassVar[tuple[str, str] | None] = None
    #: operations left out on purpose -> why; their NotEmulatedError says it
    not_emulated: ClassVar[dict[str, str]] = {}

    def __init__(self, emulator: "Emulator") -> None:
        self.emulator = emulator
        self.store = emulator.store

    def handler_for(self, operation: str) -> Callable[[RequestContext[Any]], dict[str, Any]] | None:
        handler: Callable[[RequestContext[Any]], dict[str, Any]] | None = getattr(self, xform_name(operation), None)
        if not callable(handler):
            return None
        code = self.input_error_code
        checked_operations = self.input_checked_operations
        if code is None or (checked_operations is not None and operation not in checked_operations):
            return handler

        def checked(ctx: RequestContext[Any]) -> dict[str, Any]:
            if ctx.params:
                check_input(ctx.model.input_shape, ctx.params, code)
            return handler(ctx)

        return checked

    def summary(self) -> dict[str, Any]:
        """Resources and their counts, for inspection and notebooks: ``{"queues": [{"name": …,
        "account": …, "region": …, "visible": 3, …}, …]}``. Services override it."""
        return {}

    def emulated_operations(self, operation_names: list[str]) -> list[str]:
        return [op for op in operation_names if self.handler_for(op) is not None]


def backend_class(service: str) -> type[ServiceBackend] | None:
    """The backend class for a botocore service name, imported on first use; None if not emulated."""
    spec = BACKENDS.get(service)
    if spec is None:
        return None
    module_name, _, class_name = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None  # listed, not written yet
        raise
    backend: type[ServiceBackend] = getattr(module, class_name)
    return backend


def service_schema(service: str) -> "ServiceSchema | None":
    """The ``SCHEMA`` a service declares in the ``schema`` module beside its backend (its tables and
    inspection views); None for a service without one."""
    spec = BACKENDS.get(service)
    if spec is None:
        return None
    package = spec.partition(":")[0].rpartition(".")[0]
    try:
        module = importlib.import_module(package + ".schema")
    except ModuleNotFoundError as exc:
        if exc.name and (package + ".schema").startswith(exc.name):
            return None
        raise
    return getattr(module, "SCHEMA", None)


@functools.lru_cache(maxsize=1)
def catalog() -> "Catalog":
    """Every table every emulated service declares (persistence checks versions and finds blob ids
    with it)."""
    from ..store.schema import Catalog, TableSpec

    specs: list[TableSpec] = []
    for service in BACKENDS:
        schema = service_schema(service)
        if schema is not None:
            specs.extend(schema.tables)
    return Catalog(specs)


def attempt(store: "Store", work: Callable[..., Any], *args: Any) -> tuple[Any, AwsError | None]:
    """Run ``work(*args)`` as a unit inside the current call: on AwsError its changes are undone and
    the error is returned, not raised (a failed delivery must not undo the publish that caused it)."""
    try:
        with store.transaction():
            return work(*args), None
    except AwsError as exc:
        return None, exc


def require(condition: bool, message: str, code: str = "ValidationError", status: int = 400) -> None:
    """Raise an AwsError unless ``condition`` holds — for one-line parameter checks in handlers."""
    if not condition:
        raise AwsError(code, message, status)
