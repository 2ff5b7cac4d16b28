"""One HTTP request in, one HTTP response out: routing as AWS does, then the emulator's dispatch.

The service comes from the request's own evidence, strongest first: ``X-Amz-Target`` (JSON
protocol), the ``/service/<Target>/operation/<Op>`` path of RPC-v2-CBOR, the signing name in the
credential scope (``Authorization`` or ``X-Amz-Credential``), the host name (``sqs.us-east-1.amazonaws.com``),
a Query ``Action`` one emulated service defines; anything else is S3 (path-style or virtual-hosted).
A request signed for a service kumo_intercept does not emulate is answered 501, naming it.
"""

from __future__ import annotations

import functools
import re
import traceback
import urllib.parse
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from botocore.config import Config

from ..core import partitions
from ..core.dispatch import ANONYMOUS, TRACE_HEADER
from ..core.errors import AwsError, KumoError, NotEmulatedError
from ..core.interceptor import add_unvalidated_config
from ..core.responses import new_request_id, response_metadata
from . import decode, encode, models, s3
from .headers import Headers

if TYPE_CHECKING:
    from ..emulator import Emulator

Wire = encode.Wire
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
_SIGV2 = re.compile(r"^AWS ([^:\s]+):")
_FORM = "application/x-www-form-urlencoded"
_CBOR_PATH = re.compile(r"^/service/([^/]+)/operation/([^/]+)$")
#: wire calls are checked as AWS's deserializer checks them (types, required members): the emulator
#: does that for calls whose client config is in this set
WIRE_CONFIG = Config()
add_unvalidated_config(WIRE_CONFIG)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Headers
    body: bytes
    host: str
    scheme: str = "http"
    #: filled by routing
    access_key: str | None = None
    region: str | None = None
    signing_name: str | None = None
    form: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, method: str, url: str, headers: Mapping[str, str], body: bytes) -> "Request":
        scheme, netloc, path, query_string = _split(url)
        merged = headers.copy() if isinstance(headers, Headers) else Headers(headers)
        host = merged.get("host") or netloc
        query = urllib.parse.parse_qs(query_string, keep_blank_values=True) if query_string else {}
        request = cls(method.upper(), path or "/", query, merged, body, host.lower(), scheme or "http")
        if merged.get("content-type", "").startswith(_FORM) and body:
            try:
                request.form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                raise decode.malformed("query", "The request body is not UTF-8") from None
        request.read_credentials()
        return request

    def read_credentials(self) -> None:
        authorization = self.headers.get("authorization", "")
        found = _CREDENTIAL.search(authorization) or _CREDENTIAL.search(
            "Credential=" + self.query.get("X-Amz-Credential", [""])[0])
        if found:
            self.access_key, self.region, self.signing_name = found.groups()
            return
        legacy = _SIGV2.match(authorization)
        self.access_key = legacy.group(1) if legacy else self.query.get("AWSAccessKeyId", [None])[0]

    def param(self, name: str) -> str | None:
        values = self.form.get(name) or self.query.get(name)
        return values[0] if values else None

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}{self.path}"


def _split(url: str) -> tuple[str, str, str, str]:
    """Scheme, host, path and query string of a request target. A server's target is a path (and
    query): split at its ``?`` as ``urlsplit`` would split it, without its general machinery; whole
    URLs, and targets urlsplit would clean or cut (``#``, controls, non-ASCII), go through it."""
    if url[:1] == "/" and url[1:2] != "/" and "#" not in url and url.isascii() and url.isprintable():
        path, _, query = url.partition("?")
        return "", "", path, query
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc, parts.path, parts.query


class _Routed:
    """Where a request goes: the service model, the protocol it speaks, the operation and its params."""

    def __init__(self, service: Any, protocol: str, operation: Any, params: dict[str, Any]) -> None:
        self.service, self.protocol, self.operation, self.params = service, protocol, operation, params


def handle(emulator: "Emulator", method: str, url: str, headers: Mapping[str, str], body: bytes) -> Wire:
    """Serve one HTTP request with ``emulator``: ``url`` is the path and query (or a whole URL);
    returns ``(status, headers, body)``. Never raises for anything the request holds."""
    status, answer_headers, answer = _answer(emulator, method, url, headers, body)
    if status < 200 or status in _BODILESS:
        # RFC 9110 sections 15.2, 15.3.5, 15.4.5: these answers end at their header section; a body
        # would be read as the start of the next answer on the connection (clients refuse it)
        return status, {name: value for name, value in answer_headers.items()
                        if name.lower() != "content-length"}, b""
    return status, answer_headers, answer


#: statuses whose answers have no content (besides 1xx)
_BODILESS = frozenset({204, 304})


def _answer(emulator: "Emulator", method: str, url: str, headers: Mapping[str, str], body: bytes) -> Wire:
    request: Request | None = None
    speaking: tuple[Any, str] | None = None  # the service and protocol, once known
    try:
        request = Request.parse(method, url, headers, body)
        speaking = service, protocol = _service(request)
        if service.service_name == "s3":
            answered = s3.before_dispatch(emulator, request)
            if answered is not None:
                return answered
        routed = _route(request, service, protocol)
        return _checksummed(service, _dispatch(emulator, request, routed))
    except (AwsError, KumoError) as exc:
        service, protocol = speaking or _fallback(request)
        if isinstance(exc, AwsError):
            error = exc
        elif isinstance(exc, NotEmulatedError):
            error = AwsError("NotImplemented", exc.summary + ". See docs/coverage.md for what is emulated.", 501)
        else:
            error = AwsError(_internal_code(service), str(exc), 500)
        return _checksummed(service, answer_error(emulator, service, protocol, error))
    except Exception as exc:  # a bug of the wire layer itself: an AWS-style 500, not a dropped connection
        traceback.print_exc()
        service, protocol = speaking or _fallback(request)
        return answer_error(emulator, service, protocol, AwsError(
            _internal_code(service), f"kumo_intercept failed while serving this request: {exc!r}. This is a bug "
            "in kumo_intercept; please report it with the traceback the server printed.", 500))


def _checksummed(service: Any, answer: Wire) -> Wire:
    """DynamoDB's answers carry the CRC32 of their body in ``x-amz-crc32`` (a decimal number), which
    SDKs check when it is there (botocore's retry rules for DynamoDB, the Go SDK v2's and the
    JavaScript SDK's response checksum validation, as the Go SDK's DynamoDB customizations document)."""
    status, headers, body = answer
    if service.service_name != "dynamodb" or not isinstance(body, bytes):
        return answer
    return status, {**headers, "x-amz-crc32": str(zlib.crc32(body))}, body


def _internal_code(service: Any) -> str:
    return "InternalError" if service.protocol == "rest-xml" else "InternalFailure"


def answer_error(emulator: "Emulator", service: Any, protocol: str, error: AwsError) -> encode.Answer:
    """An error found before the emulator's dispatch (routing, reading the request), in the
    protocol's error form."""
    name = service.service_name
    request_id = new_request_id(name, emulator.ids)
    host_id = emulator.ids.b64(48) if name == "s3" else None
    metadata = response_metadata(name, request_id, error.status, error.headers, emulator.clock.time(), host_id)
    details = {"Code": error.code, "Message": error.message, **error.extra}
    if protocol in models.QUERY_PROTOCOLS and "Type" not in details:
        details["Type"] = "Sender" if error.status < 500 else "Receiver"
    return encode.error(service, {"Error": details, "ResponseMetadata": metadata, **error.fields},
                        error.status, protocol)


# -- the service ----------------------------------------------------------------------------------
def _fallback(request: Request | None) -> tuple[Any, str]:
    """The protocol to refuse a request in when no service claims it: the protocol of the service its
    credential scope names, else its form says which (S3's for a request that could not be read)."""
    if request is None:
        return models.service_model("s3"), "rest-xml"
    unemulated = _unemulated_model(request.signing_name)
    if unemulated is not None:
        return unemulated, unemulated.protocol
    if request.headers.get("x-amz-target"):
        return models.service_model("dynamodb"), "json"
    if request.param("Action") is not None:
        return models.service_model("sts"), "query"
    return models.service_model("s3"), "rest-xml"


def _service(request: Request) -> tuple[Any, str]:
    target = request.headers.get("x-amz-target")
    if target:
        prefix = target.rpartition(".")[0]
        service = models.by_target_prefix().get(prefix)
        if service is None:
            _refuse_unemulated(request, target.rpartition(".")[2])
            raise AwsError("UnknownOperationException", f"Unknown target {target!r}", 400)
        return service, "json"
    cbor = _CBOR_PATH.match(request.path)
    if cbor and request.headers.get("smithy-protocol") == "rpc-v2-cbor":
        service = models.by_target_prefix().get(cbor.group(1))
        if service is None:
            _refuse_unemulated(request, cbor.group(2))
            raise AwsError("UnknownOperationException", f"Unknown service {cbor.group(1)!r}", 404)
        return service, "smithy-rpc-v2-cbor"
    action = request.param("Action")
    if request.signing_name == "s3" or (action is None and request.signing_name is None
                                        and not _on_aws_host(request)):
        return models.service_model("s3"), "rest-xml"  # without loading every other model first
    candidates = ((models.by_signing_name().get(request.signing_name) if request.signing_name else None)
                  or _host_services(request) or [])
    if action is not None:
        speaking = [model for model in candidates if models.speaks_query(model)]
        if speaking:
            return speaking[0], "query"
        if not candidates:
            _refuse_unemulated(request, action)
            return _query_service(action), "query"
    rest = [model for model in candidates if model.protocol in ("rest-json", "rest-xml")]
    if rest:
        return rest[0], rest[0].protocol
    if candidates:
        raise AwsError("UnknownOperationException", "The request names no operation of "
                       f"{candidates[0].service_name} (no X-Amz-Target or Action)", 400)
    _refuse_unemulated(request, None)
    return models.service_model("s3"), "rest-xml"


def _signed_for_unemulated(signing_name: str) -> bool:
    """Whether the credential scope names a service kumo_intercept does not emulate (``ec2``). S3's
    own signing names (``s3-object-lambda``, ``s3express``) are S3's; S3 requests load no other model."""
    return not signing_name.startswith("s3") and signing_name not in models.by_signing_name()


def _unemulated_model(signing_name: str | None) -> Any | None:
    """botocore's model of the service a request is signed for, when kumo_intercept does not emulate it."""
    if signing_name is None or not _signed_for_unemulated(signing_name):
        return None
    return models.any_service_model(signing_name)


def _refuse_unemulated(request: Request, operation: str | None) -> None:
    """A request signed for a service kumo_intercept does not emulate is refused as not emulated, as
    the call is in-process, rather than read as another service's request."""
    name = request.signing_name
    if name is not None and _signed_for_unemulated(name):
        raise NotEmulatedError(name, operation, f"no backend for the service {name!r}")


@functools.lru_cache(maxsize=1)
def _aws_host() -> "re.Pattern[str]":
    """An AWS endpoint's host name in any partition: the endpoint prefix (``sqs``) and, when named,
    the region (``sqs.us-east-1.amazonaws.com``, ``sqs.cn-north-1.amazonaws.com.cn``, ``sqs.us-iso-east-1.c2s.ic.gov``)."""
    return re.compile(rf"^(?:[^.]+\.)*?(?P<prefix>[a-z0-9-]+)\.(?:(?P<region>{partitions.region_pattern()})\.)?"
                      rf"{partitions.dns_suffix_pattern()}$", re.ASCII)  # ASCII: a tenth of the compile time


def _on_aws_host(request: Request) -> bool:
    return _aws_endpoint(request.host) is not None


@functools.lru_cache(maxsize=256)
def _aws_endpoint(host: str) -> tuple[str, str | None] | None:
    """The endpoint prefix and region (when named) of an AWS host, None for any other host;
    remembered, as a client sends request after request to one host."""
    found = _aws_host().match(_hostname(host))
    return None if found is None else (found.group("prefix"), found.group("region"))


def _hostname(host: str) -> str:
    return host.rpartition(":")[0] if ":" in host else host


def _host_services(request: Request) -> list[Any]:
    found = _aws_endpoint(request.host)
    if found is None:
        return []
    prefix, region = found
    if request.region is None and region:
        request.region = region
    return models.by_endpoint_prefix().get(prefix, [])


def _query_service(action: str) -> Any:
    for model in models.query_services():
        if action in model.operation_names:
            return model
    raise AwsError("InvalidAction", f"The action {action} is not valid for this web service.", 400)


# -- the operation and its params -------------------------------------------------------------------
def _route(request: Request, service: Any, protocol: str) -> _Routed:
    if protocol == "json":
        name = request.headers["x-amz-target"].rpartition(".")[2]
        operation = _operation(service, name, "UnknownOperationException", f"Unknown operation {name!r}")
        return _Routed(service, protocol, operation, decode.json_params(operation, request.body, protocol))
    if protocol == "smithy-rpc-v2-cbor":
        name = _CBOR_PATH.match(request.path).group(2)  # type: ignore[union-attr]
        operation = _operation(service, name, "UnknownOperationException", f"Unknown operation {name!r}")
        return _Routed(service, protocol, operation, decode.json_params(operation, request.body, protocol))
    if protocol == "query":
        return _route_query(request, service)
    return _route_rest(request, service, protocol)


def _operation(service: Any, name: str, code: str, message: str) -> Any:
    if name not in service.operation_names:
        raise AwsError(code, message, 400)
    return service.operation_model(name)


def _route_query(request: Request, service: Any) -> _Routed:
    action = request.param("Action")
    if not action:
        raise AwsError("MissingAction", "Missing Action", 400)
    operation = _operation(service, action, "InvalidAction",
                           f"The action {action} is not valid for this web service.")
    form = {**request.query, **request.form}
    params = decode.query_params(operation, form, "query")
    shape = operation.input_shape
    if shape is not None and "QueueUrl" in shape.members and "QueueUrl" not in params and request.path != "/":
        params["QueueUrl"] = request.url  # SQS's Query API names the queue by the request's path
    return _Routed(service, "query", operation, params)


def _route_rest(request: Request, service: Any, protocol: str) -> _Routed:
    found = models.match_route(service.service_name, request.method, request.path, request.query, request.headers)
    if found == "method":
        raise AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405,
                       Method=request.method, ResourceType="OBJECT" if request.path.count("/") > 1 else "BUCKET")
    if found is None or isinstance(found, str):
        raise AwsError("UnknownOperationException" if protocol == "rest-json" else "NoSuchOperation",
                       f"No {service.service_name} operation answers {request.method} {request.path}", 404)
    route, labels = found
    operation = service.operation_model(route.operation)
    params = decode.rest_params(operation, labels, request.query, request.headers, request.body, protocol)
    return _Routed(service, protocol, operation, params)


# -- the call ---------------------------------------------------------------------------------------
def _context(request: Request, operation: Any) -> dict[str, Any]:
    """What botocore's client would have recorded for the call; a checksum only for operations that
    take one (the ``httpChecksum`` trait), as botocore records it."""
    context: dict[str, Any] = {"client_config": WIRE_CONFIG}
    if request.access_key is None and operation.resolved_auth_type != "none":
        context[ANONYMOUS] = True  # signed by nobody: what AWS does with it is enforcement's to say
    trace = request.headers.get("x-amzn-trace-id")
    if trace:
        context[TRACE_HEADER] = trace
    algorithm = s3.checksum_algorithm(request.headers) if _takes_request_checksum(operation) else None
    if algorithm is not None:
        context["checksum"] = {"request_algorithm": {"algorithm": algorithm}}
    return context


def _takes_request_checksum(operation: Any) -> bool:
    """Whether botocore would record a request checksum algorithm for the operation: one with a
    ``requestAlgorithmMember`` or a required checksum (GetObject's trait only validates answers)."""
    trait = operation.http_checksum
    return bool(operation.http_checksum_required or trait.get("requestAlgorithmMember")
                or trait.get("requestChecksumRequired"))


def _dispatch(emulator: "Emulator", request: Request, routed: _Routed) -> Wire:
    region = request.region or emulator.region
    operation = routed.operation
    for name in operation.idempotent_members:
        # every SDK fills an idempotency token the caller left out (botocore's generate_idempotent_uuid):
        # a request sent without one is served as an SDK's would be
        routed.params.setdefault(name, emulator.ids.uuid4())
    http, parsed = emulator.faults.serve(
        operation, {}, None,
        lambda: emulator.dispatch(operation, routed.params, request.access_key, region, _context(request, operation)))
    if http.status_code >= 300 and "Error" in parsed:
        return encode.error(routed.service, parsed, http.status_code, routed.protocol)
    if routed.service.service_name == "sqs" and not _on_aws_host(request):
        _queue_urls_on_this_endpoint(parsed, request.host)
    return encode.result(operation, parsed, routed.protocol)


_QUEUE_URL_MEMBERS = ("QueueUrl", "QueueUrls", "queueUrls")


def _queue_urls_on_this_endpoint(parsed: dict[str, Any], host: str) -> None:
    """Queue URLs name the endpoint the client called, as AWS's name its SQS endpoint: SDKs that send
    to the queue URL's host (the JavaScript SDK's ``useQueueUrlAsEndpoint``) then reach this server.
    The backend reads a queue URL of any host."""
    for name in _QUEUE_URL_MEMBERS:
        value = parsed.get(name)
        if isinstance(value, str):
            parsed[name] = _on_this_endpoint(value, host)
        elif isinstance(value, list):
            parsed[name] = [_on_this_endpoint(url, host) for url in value]


def _on_this_endpoint(url: str, host: str) -> str:
    """``url`` with this server's host in place of an AWS host (of any partition)."""
    scheme, netloc, path, query, fragment = urllib.parse.urlsplit(url)
    if _aws_host().match(netloc) is None:
        return url
    return urllib.parse.urlunsplit(("http", host, path, query, fragment))


def dispatch_operation(emulator: "Emulator", request: Request, operation: Any, params: dict[str, Any]) -> Wire:
    """Run one operation of the request's service with params built by the caller (S3's POST
    uploads become PutObject)."""
    service = operation.service_model
    return _dispatch(emulator, request, _Routed(service, service.protocol, operation, params))
