"""The fast path: while an emulator is active, a call skips what only a request on the wire needs.

botocore's ``_make_api_call`` resolves an endpoint from the service's rule set, serializes the params
into a request (body, URL, headers, User-Agent) and then emits ``before-call``, where the emulator
answers. None of that request is ever sent, and together it costs about half of botocore's own time
per call. While an emulator is active two methods of ``botocore.client.BaseClient`` are replaced:

* ``_resolve_endpoint_ruleset`` returns a placeholder endpoint without evaluating the rule set;
* ``_convert_to_request_dict`` runs botocore's parameter validation (if the client validates) and
  returns a minimal request dict: the checksum headers the caller set (botocore's checksum resolution
  reads them) and the request context.

Everything else in ``_make_api_call`` runs as always: ``provide-client-params`` and
``before-parameter-build`` customisations, checksum resolution, ``before-call`` (where the emulator
or a Stubber answers) and ``after-call``.

A call takes the full path instead when ``Endpoint.make_request`` has been wrapped (a test counting
requests, a tracing library), or when someone other than botocore or kumo_intercept listens to an
event of the request pipeline for it (``before-endpoint-resolution``, ``before-call``,
``request-created``, ``choose-signer``, ``before-sign``, ``before-send``, ``response-received``,
``before-parse``): such a handler expects a real request. So do presigned URLs, which need a real
endpoint. Which handlers listen is read from botocore's emitter once per client and operation, and
read again whenever a handler is registered or unregistered (botocore then replaces the emitter's
lookup cache).
"""

from __future__ import annotations

import functools
import urllib.parse
import weakref
from typing import Any, Callable

from botocore.endpoint import Endpoint
from botocore.exceptions import ParamValidationError
from botocore.validate import ParamValidationDecorator, ParamValidator

#: request-context key marking a call served on the fast path (set by the endpoint step, read by the
#: serialization step of the same call)
FAST = "kumo_intercept.fast"
#: never contacted; botocore's checksum resolution reads only its scheme
PLACEHOLDER_ENDPOINT = "https://kumo-intercept.invalid"
#: ``host:port`` of the emulator's HTTP servers in this process (``aws.serve()``): a client whose
#: endpoint_url names one really sends, so it takes the full path
SERVED_ENDPOINTS: set[str] = set()

#: events of botocore's request pipeline whose handlers expect a serialized request
_SEND_SIDE_EVENTS = (
    "before-endpoint-resolution.{service}",
    "before-call.{service}.{operation}",
    "request-created.{service}.{operation}",
    "choose-signer.{service}.{operation}",
    "before-sign.{service}.{operation}",
    "before-send.{service}.{operation}",
    "response-received.{service}.{operation}",
    "before-parse.{service}.{operation}",
)
_OWN_PACKAGES = ("botocore", "kumo_intercept")
#: botocore's sending method as it was when kumo_intercept was imported: a test or a tracing library
#: that wraps it wants to see every call go through it
_MAKE_REQUEST = Endpoint.make_request

#: per botocore emitter (by id, dropped when the emitter is collected): (the emitter's lookup cache the
#: decisions were made against, operation -> whether the fast path serves it)
_decisions: dict[int, tuple[dict[str, Any], dict[str, bool]]] = {}


def replacements() -> list[tuple[str, Callable[[Callable[..., Any]], Callable[..., Any]]]]:
    """The ``BaseClient`` methods to replace while an emulator is active, with their wrapper makers."""
    return [("_resolve_endpoint_ruleset", _skip_endpoint_resolution),
            ("_convert_to_request_dict", _skip_serialization)]


def _skip_endpoint_resolution(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def resolve(self: Any, operation_model: Any, params: Any, request_context: dict[str, Any],
                ignore_signing_region: bool = False) -> Any:
        # botocore's own calls carry the client config in their context; presigning does not and
        # needs a real endpoint
        if (ignore_signing_region or "client_config" not in request_context
                or request_context.get("is_presign_request") or not serves_fast(self, operation_model)
                or (SERVED_ENDPOINTS and served_endpoint(self.meta.endpoint_url))):
            return original(self, operation_model, params, request_context, ignore_signing_region)
        request_context[FAST] = True
        return PLACEHOLDER_ENDPOINT, {}, None

    return resolve


def served_endpoint(url: str | None) -> bool:
    """Whether ``url`` names one of the emulator's own HTTP servers in this process."""
    return bool(SERVED_ENDPOINTS) and bool(url) and urllib.parse.urlsplit(url).netloc in SERVED_ENDPOINTS


def _skip_serialization(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def convert(self: Any, api_params: dict[str, Any], operation_model: Any, endpoint_url: str,
                context: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
                set_user_agent_header: bool = True) -> dict[str, Any]:
        if context is None or not context.get(FAST):
            request: dict[str, Any] = original(self, api_params, operation_model, endpoint_url, context,
                                               headers, set_user_agent_header)
            return request
        if isinstance(getattr(self, "_serializer", None), ParamValidationDecorator):
            input_shape = operation_model.input_shape
            if input_shape is not None:
                validate_parameters(api_params, input_shape)
        return {
            "url_path": "/", "query_string": "", "method": operation_model.http.get("method", "POST"),
            "headers": _checksum_headers(operation_model, api_params), "body": b"",
            "url": endpoint_url, "context": context,
        }

    return convert


def validate_parameters(params: dict[str, Any], shape: Any) -> None:
    """botocore's ``validate_parameters``, with ``ShapeValidator``: the same checks, the same
    ParamValidationError and report."""
    report = _VALIDATOR.validate(params, shape)
    if report.has_errors():
        raise ParamValidationError(report=report.generate_report())


class ShapeValidator(ParamValidator):  # type: ignore[misc]
    """botocore's ParamValidator, every check and message its own, except that which of its methods
    validates a shape is worked out once per shape. botocore works it out again for every value of
    every call (is the shape a JSON-value header? a document? else by its type name), which is about
    a third of what validating a DynamoDB item costs.

    botocore's shapes are stable objects (a model's member shapes are cached properties), so they key
    the cache; it is bounded, as clients (and their models) come and go.
    """

    def _validate(self, params: Any, shape: Any, errors: Any, name: str) -> None:
        validate = _VALIDATE_SHAPE.get(shape)
        if validate is None:
            validate = _validation_method(shape)
        validate(self, params, shape, errors, name)


#: botocore shape -> the ParamValidator function validating its values
_VALIDATE_SHAPE: dict[Any, Callable[..., None]] = {}
_VALIDATE_SHAPE_LIMIT = 16384
_VALIDATOR = ShapeValidator()


def _validation_method(shape: Any) -> Callable[..., None]:
    """What ``ParamValidator._validate`` would call for ``shape`` (as a function of the validator)."""
    special = ParamValidator._check_special_validation_cases(_VALIDATOR, shape)
    method: Callable[..., None] = (special.__func__ if special is not None
                                   else getattr(ParamValidator, f"_validate_{shape.type_name}"))
    if len(_VALIDATE_SHAPE) >= _VALIDATE_SHAPE_LIMIT:
        _VALIDATE_SHAPE.clear()
    _VALIDATE_SHAPE[shape] = method
    return method


def serves_fast(client: Any, operation_model: Any) -> bool:
    """Whether every listener of the request pipeline for this client's call is botocore's own or
    kumo_intercept's (cached until a handler is registered or unregistered on the client), and nobody
    wrapped botocore's ``Endpoint.make_request``."""
    if Endpoint.make_request is not _MAKE_REQUEST:
        return False
    events = client.meta.events
    emitter = getattr(events, "_emitter", events)
    lookup = getattr(emitter, "_lookup_cache", None)
    entry = _decisions.get(id(emitter))
    if entry is None or entry[0] is not lookup:
        if lookup is None or getattr(emitter, "_handlers", None) is None:
            return False  # an emitter botocore did not make: nothing to read, take the full path
        entry = _decisions_against(emitter, lookup)
    name = operation_model.name
    decision = entry[1].get(name)
    if decision is None:
        decision = entry[1][name] = not _foreign_listeners(emitter, operation_model)
    return decision


def _decisions_against(emitter: Any, lookup: dict[str, Any]) -> tuple[dict[str, Any], dict[str, bool]]:
    """A fresh decision table for ``emitter`` as its handlers are now (``lookup``: its lookup cache)."""
    key = id(emitter)
    if key not in _decisions:  # the entry goes with the emitter, before its id can be reused
        weakref.finalize(emitter, _decisions.pop, key, None)
    entry = _decisions[key] = (lookup, {})
    return entry


def _foreign_listeners(emitter: Any, operation_model: Any) -> list[Any]:
    service = operation_model.service_model.service_id.hyphenize()
    found = []
    for template in _SEND_SIDE_EVENTS:
        event = template.format(service=service, operation=operation_model.name)
        found += [handler for handler in emitter._handlers.prefix_search(event) if not _is_own(handler)]
    return found


def _is_own(handler: Any) -> bool:
    target = handler.func if isinstance(handler, functools.partial) else handler
    module = getattr(target, "__module__", None) or ""
    return module.split(".", 1)[0] in _OWN_PACKAGES


def _checksum_headers(operation_model: Any, api_params: dict[str, Any]) -> dict[str, str]:
    """The ``x-amz-checksum-*`` headers the caller's params set: botocore computes no checksum of its
    own when one is there."""
    members = _checksum_header_members(operation_model)
    if not members:
        return {}
    return {header: str(api_params[member]) for member, header in members if member in api_params}


@functools.lru_cache(maxsize=4096)
def _checksum_header_members(operation_model: Any) -> tuple[tuple[str, str], ...]:
    """An operation's input members sent as ``x-amz-checksum-*`` headers: (member, header name)."""
    shape = operation_model.input_shape
    if shape is None:
        return ()
    return tuple(
        (name, member.serialization["name"]) for name, member in shape.members.items()
        if member.serialization.get("location") == "header"
        and member.serialization.get("name", "").lower().startswith("x-amz-checksum-")
    )
