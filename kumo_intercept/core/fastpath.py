"""The fast path: while an emulator is active, a call skips what only a request on the wire needs.

botocore's ``_make_api_call`` resolves an endpoint from the service's rule set, serializes the params
into a request (body, URL, headers, User-Agent) and then emits ``before-call``, whose listeners build
the request further (headers, the URL) and where the emulator answers. None of that request is ever
sent, and together it costs about half of botocore's own time per call. While an emulator is active
three methods of ``botocore.client.BaseClient`` are replaced:

* ``_make_api_call``: a call whose request pipeline only botocore's request building and
  kumo_intercept listen to is answered in process. botocore's steps run as always — history,
  ``provide-client-params`` and ``before-parameter-build`` customisations, parameter validation,
  checksum resolution, ``after-call``, the error raised from the answer — but no endpoint is resolved,
  nothing is serialized and ``before-call`` is not emitted: kumo_intercept's handler is called
  directly. Any other call goes to botocore's method (with the two replacements below);
* ``_resolve_endpoint_ruleset`` returns a placeholder endpoint without evaluating the rule set;
* ``_convert_to_request_dict`` runs botocore's parameter validation (if the client validates) and
  returns a minimal request dict: the checksum headers the caller set (botocore's checksum resolution
  reads them) and the request context.

Validation is botocore's ParamValidator, which of its methods validates a shape worked out once per
shape (``ShapeValidator``).

A call takes the full path instead when ``Endpoint.make_request`` has been wrapped (a test counting
requests, a tracing library), or when someone other than botocore or kumo_intercept listens to an
event of the request pipeline for it (``before-endpoint-resolution``, ``before-call``,
``request-created``, ``choose-signer``, ``before-sign``, ``before-send``, ``response-received``,
``before-parse``): such a handler expects a real request. So do presigned URLs, which need a real
endpoint. A Stubber (botocore's, answering at ``before-call``) keeps ``before-call`` emitted, so it
answers first. Which handlers listen is read from botocore's emitter once per client and operation,
and read again whenever a handler is registered or unregistered (botocore then replaces the
emitter's lookup cache).
"""

from __future__ import annotations

import copy
import functools
import urllib.parse
import weakref
from typing import Any, Callable

import botocore.client
from botocore.auth import resolve_auth_scheme_preference
from botocore.context import ClientContext, get_context, reset_context, set_context
from botocore.endpoint import Endpoint
from botocore.exceptions import ParamValidationError
from botocore.httpchecksum import resolve_checksum_context
from botocore.validate import ParamValidationDecorator, ParamValidator

from .errors import KumoError

#: request-context key marking a call served on the fast path (set by the endpoint step, read by the
#: serialization step of the same call)
FAST = "kumo_intercept.fast"
#: never contacted; botocore's checksum resolution reads only its scheme
PLACEHOLDER_ENDPOINT = "https://kumo-intercept.invalid"
#: ``host:port`` of the emulator's HTTP servers in this process (``aws.serve()``): a client whose
#: endpoint_url names one really sends, so it takes the full path
SERVED_ENDPOINTS: set[str] = set()

_BEFORE_CALL = "before-call.{service}.{operation}"
#: events of botocore's request pipeline whose handlers expect a serialized request
_SEND_SIDE_EVENTS = (
    "before-endpoint-resolution.{service}",
    _BEFORE_CALL,
    "request-created.{service}.{operation}",
    "choose-signer.{service}.{operation}",
    "before-sign.{service}.{operation}",
    "before-send.{service}.{operation}",
    "response-received.{service}.{operation}",
    "before-parse.{service}.{operation}",
)
_OWN_PACKAGES = ("botocore", "kumo_intercept")
#: botocore's modules whose ``before-call`` handlers answer a call (the Stubber); botocore's others
#: only build the request
_ANSWERING_MODULES = frozenset({"botocore.stub"})
#: botocore's sending method as it was when kumo_intercept was imported: a test or a tracing library
#: that wraps it wants to see every call go through it
_MAKE_REQUEST = Endpoint.make_request

#: what the fast path does for a client's operation: someone else listens to its request pipeline, so
#: botocore's full path; skip endpoint resolution and serialization (kumo_intercept's ``before-call``
#: handler does not listen: a client made before import, which fails loudly when it sends); or, as
#: well, answer in process without emitting ``before-call`` (only botocore's request building and
#: kumo_intercept's answer listen to it)
FULL_PATH, SKIP_REQUEST, IN_PROCESS = 0, 1, 2
#: per botocore emitter (by id, dropped when the emitter is collected): (the emitter's lookup cache the
#: decisions were made against, operation -> FULL_PATH, SKIP_REQUEST or IN_PROCESS)
_decisions: dict[int, tuple[dict[str, Any], dict[str, int]]] = {}

Answer = Callable[..., Any]


def replacements(answer: Answer) -> list[tuple[str, Callable[[Callable[..., Any]], Callable[..., Any]]]]:
    """The ``BaseClient`` methods to replace while an emulator is active, with their wrapper makers.

    ``answer`` is kumo_intercept's ``before-call`` handler: called as botocore would call it, it returns
    ``(http, parsed)``."""
    return [("_make_api_call", lambda original: _answer_in_process(original, answer)),
            ("_resolve_endpoint_ruleset", _skip_endpoint_resolution),
            ("_convert_to_request_dict", _skip_serialization)]


def _answer_in_process(original: Callable[..., Any], answer: Answer) -> Callable[..., Any]:
    """botocore's ``_make_api_call``, and for a call only botocore and kumo_intercept listen to, the
    same steps without the request: no endpoint, no serialization, and ``before-call`` not emitted, as
    its only other listeners build the request (headers, URL) that is never sent; kumo_intercept's
    handler answers directly. ``botocore_make_api_call_mirrored`` in tests/core/test_fastpath.py pins
    the botocore source mirrored here."""

    @functools.wraps(original)
    def make_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        operation_model = self.meta.service_model.operation_model(operation_name)
        if (decision(self, operation_model) != IN_PROCESS
                or (SERVED_ENDPOINTS and served_endpoint(self.meta.endpoint_url))):
            return original(self, operation_name, api_params)
        # botocore's @with_current_context, without contextlib's generator (a microsecond a call): the
        # call's own copy of the current client context, set back when it ends
        current = get_context()
        token = set_context(ClientContext() if current is None else copy.deepcopy(current))
        try:
            return _call_in_process(self, operation_model, api_params, answer)
        finally:
            reset_context(token)

    return make_api_call


def _call_in_process(client: Any, operation_model: Any, api_params: dict[str, Any], answer: Answer) -> Any:
    service_model = client.meta.service_model
    operation_name = operation_model.name
    botocore.client.history_recorder.record(
        "API_CALL", {"service": service_model.service_name, "operation": operation_name, "params": api_params})
    if operation_model.deprecated:
        botocore.client.logger.debug("Warning: %s.%s() is deprecated", service_model.service_name, operation_name)
    if operation_model.auth and client.meta.config.auth_scheme_preference:
        auth_type = resolve_auth_scheme_preference(client.meta.config.auth_scheme_preference.split(","),
                                                   operation_model.auth)
    else:
        auth_type = operation_model.resolved_auth_type
    request_context = {
        "client_region": client.meta.region_name,
        "client_config": client.meta.config,
        "has_streaming_input": operation_model.has_streaming_input,
        "auth_type": auth_type,
        "unsigned_payload": operation_model.unsigned_payload,
        "auth_options": service_model.metadata.get("auth"),
        FAST: True,
    }
    api_params = client._emit_api_params(api_params=api_params, operation_model=operation_model,
                                         context=request_context)
    request_dict = _request_dict(client, api_params, operation_model, PLACEHOLDER_ENDPOINT, request_context)
    resolve_checksum_context(request_dict, operation_model, api_params)
    response = answer(model=operation_model, params=request_dict, request_signer=client._request_signer,
                      context=request_context)
    if response is None:  # the emulator stopped meanwhile (another thread); nothing was sent
        raise KumoError(f"no emulator was active any more to answer {operation_name}")
    http, parsed_response = response
    service_id = service_model.service_id.hyphenize()
    client.meta.events.emit(f"after-call.{service_id}.{operation_name}", http_response=http,
                            parsed=parsed_response, model=operation_model, context=request_context)
    if http.status_code >= 300:
        error_info = parsed_response.get("Error", {})
        error_code = request_context.get("error_code_override") or error_info.get("Code")
        raise client.exceptions.from_code(error_code)(parsed_response, operation_name)
    return parsed_response


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
        return _request_dict(self, api_params, operation_model, endpoint_url, context)

    return convert


def _request_dict(client: Any, api_params: dict[str, Any], operation_model: Any, endpoint_url: str,
                  context: dict[str, Any]) -> dict[str, Any]:
    """What the fast path has of botocore's request: the params validated (if the client validates),
    the checksum headers the caller set (botocore's checksum resolution reads them), the context."""
    if isinstance(getattr(client, "_serializer", None), ParamValidationDecorator):
        input_shape = operation_model.input_shape
        if input_shape is not None:
            validate_parameters(api_params, input_shape)
    return {
        "url_path": "/", "query_string": "", "method": operation_model.http.get("method", "POST"),
        "headers": _checksum_headers(operation_model, api_params), "body": b"",
        "url": endpoint_url, "context": context,
    }


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
    return decision(client, operation_model) != FULL_PATH


def decision(client: Any, operation_model: Any) -> int:
    """FULL_PATH, SKIP_REQUEST or IN_PROCESS for this client's call (see ``serves_fast``; IN_PROCESS
    when, as well, kumo_intercept's handler listens to ``before-call`` and the client's endpoint is not
    one of the emulator's own servers)."""
    if Endpoint.make_request is not _MAKE_REQUEST:
        return FULL_PATH
    events = client.meta.events
    emitter = getattr(events, "_emitter", events)
    lookup = getattr(emitter, "_lookup_cache", None)
    entry = _decisions.get(id(emitter))
    if entry is None or entry[0] is not lookup:
        if lookup is None or getattr(emitter, "_handlers", None) is None:
            return FULL_PATH  # an emitter botocore did not make: nothing to read, take the full path
        entry = _decisions_against(emitter, lookup)
    name = operation_model.name
    decided = entry[1].get(name)
    if decided is None:
        decided = entry[1][name] = _decide(emitter, operation_model)
    return decided


def _decide(emitter: Any, operation_model: Any) -> int:
    service = operation_model.service_model.service_id.hyphenize()
    listeners = {template: emitter._handlers.prefix_search(template.format(service=service,
                                                                           operation=operation_model.name))
                 for template in _SEND_SIDE_EVENTS}
    if any(not _is_own(handler) for handlers in listeners.values() for handler in handlers):
        return FULL_PATH
    before_call = listeners[_BEFORE_CALL]
    if any(_module(handler) in _ANSWERING_MODULES for handler in before_call):
        return SKIP_REQUEST  # its answer comes first, as botocore emits it
    return IN_PROCESS if any(_package(handler) == "kumo_intercept" for handler in before_call) else SKIP_REQUEST


def _decisions_against(emitter: Any, lookup: dict[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    """A fresh decision table for ``emitter`` as its handlers are now (``lookup``: its lookup cache)."""
    key = id(emitter)
    if key not in _decisions:  # the entry goes with the emitter, before its id can be reused
        weakref.finalize(emitter, _decisions.pop, key, None)
    entry = _decisions[key] = (lookup, {})
    return entry


def _module(handler: Any) -> str:
    target = handler.func if isinstance(handler, functools.partial) else handler
    return getattr(target, "__module__", None) or ""


def _package(handler: Any) -> str:
    return _module(handler).split(".", 1)[0]


def _is_own(handler: Any) -> bool:
    return _package(handler) in _OWN_PACKAGES


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
