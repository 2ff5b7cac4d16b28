"""Where kumo_intercept meets botocore.

Two handlers join ``botocore.handlers.BUILTIN_HANDLERS`` when kumo_intercept is imported, so every
botocore session created afterwards (and every client made from it) carries them; they do nothing
while no emulator is active:

* ``before-parameter-build``: keeps a reference to the api params in the request context. botocore's
  own customisations mutate that dict in place, so by ``before-call`` it holds the final, validated
  params.
* ``before-call``: hands the call to the active emulator and returns ``(http, parsed)``, which makes
  botocore skip signing, retries, HTTP and parsing. A call the fast path answers in process
  (core/fastpath.py) gets the same handler called directly, without the event.

A call that botocore's fast path declined (core/fastpath.py: someone else listens to its request
pipeline) is not answered at ``before-call``: botocore signs and sends it, so every send-side handler
runs on the real request (and one answering at ``before-send`` wins), and the send itself is answered
in-process from the serialized request by the emulator's wire protocols.

While an emulator is active, process-wide patches make clients need neither credentials nor a region,
make any request that would still reach botocore's HTTP layer fail loudly, and build each client's
User-Agent string once (it is never sent), and let botocore's waiters sleep on the emulator's clock (a
virtual clock moves by the waiter's delay; nothing sleeps). They are undone when the outermost emulator
stops. Clients created meanwhile whose session replaced botocore's timestamp or blob parser (the AWS
CLI does) are noted, so that their answers come parsed as theirs (see core/scalars.py).
"""

from __future__ import annotations

import inspect
import os
import sys
import threading
import time
import types
import weakref
from typing import TYPE_CHECKING, Any, Callable

import botocore
import botocore.client
import botocore.endpoint
import botocore.handlers
import botocore.httpsession
import botocore.session
import botocore.useragent
import botocore.waiter
from botocore.credentials import Credentials
from botocore.signers import RequestSigner
from botocore.utils import ensure_boolean

from . import fastpath
from .dispatch import ANONYMOUS
from .errors import ConfigurationError, KumoError
from .scalars import remember_parser_defaults

if TYPE_CHECKING:
    from ..emulator import Emulator

PARAMS_KEY = "kumo_intercept.params"
_FAKE_CREDENTIALS = Credentials("AKIAKUMOINTERCEPT000", "kumo-intercept-fake-secret-key")


class NetworkBlockedError(KumoError):
    """A request reached botocore's HTTP layer while an emulator was active."""


class _State:
    active: "Emulator | None" = None
    depth = 0
    lock = threading.RLock()
    patches: list[tuple[Any, str, Any]] = []
    registered: list[tuple[Any, str, Callable[..., Any], str]] = []
    unvalidated_clients = False
    #: ``host:port`` of the emulator's HTTP servers in this process (``aws.serve()``): clients pointed at
    #: them with ``endpoint_url`` really send, so their calls cross the wire as from another process
    served: set[str] = fastpath.SERVED_ENDPOINTS


state = _State()
#: the configs of clients made without botocore's parameter validation (``Config(parameter_validation=
#: False)`` or the profile's ``parameter_validation = false``); each call carries its client's config
#: in botocore's request context, so the emulator can tell such calls apart at no cost to others
UNVALIDATED_CONFIGS: "weakref.WeakSet[Any]" = weakref.WeakSet()


def parameter_validation_off(botocore_context: dict[str, Any] | None) -> bool:
    """Whether the call comes from a client made without botocore's parameter validation."""
    if not state.unvalidated_clients:  # none was ever made: no weak-set lookup per call
        return False
    config = botocore_context.get("client_config") if botocore_context else None
    return config is not None and config in UNVALIDATED_CONFIGS


def active() -> "Emulator | None":
    """The emulator serving calls right now, or None."""
    return state.active


def add_served_endpoint(netloc: str) -> None:
    state.served.add(netloc)


def remove_served_endpoint(netloc: str) -> None:
    state.served.discard(netloc)


def _crosses_the_wire(emulator: "Emulator", request_dict: dict[str, Any]) -> bool:
    """A call to the emulator's own server goes over HTTP, unless it is made while serving a call
    (a backend's or a Lambda function's own client): that one stays in the thread serving it."""
    return emulator.call_depth == 0 and fastpath.served_endpoint(request_dict.get("url"))


# -- the two event handlers ------------------------------------------------------------------
class _Sending(threading.local):
    """Per thread: whether the call in progress travels botocore's full path, so its sends (retries
    included) are answered in-process; any other request reaching botocore's HTTP layer is blocked."""

    full_path = False


_sending = _Sending()


def _remember_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    if state.active is not None:
        context[PARAMS_KEY] = params
        _sending.full_path = False


def _serve(model: Any, params: dict[str, Any], context: dict[str, Any], request_signer: Any = None, **_: Any) -> Any:
    """``params`` is botocore's request dict; the api params were kept by ``_remember_params``."""
    emulator = state.active
    if emulator is None or (state.served and _crosses_the_wire(emulator, params)):
        return None
    api_params = context.get(PARAMS_KEY)
    if api_params is None:
        raise KumoError(
            "this client's session lacks kumo_intercept's parameter hook; create the client after "
            "importing kumo_intercept"
        )
    if takes_the_full_path(model, context, request_signer):
        _sending.full_path = True
        lend_credentials(context, request_signer)
        return None  # botocore signs and sends the request; ``_answer_sent`` answers it
    if getattr(request_signer, "_signature_version", None) is botocore.UNSIGNED and model.resolved_auth_type != "none":
        context[ANONYMOUS] = True  # a client made with Config(signature_version=UNSIGNED)
    credentials = getattr(request_signer, "_credentials", None)
    access_key = getattr(credentials, "access_key", None) if credentials is not None else None
    region = context.get("client_region") or emulator.region
    if type(request_signer) is RequestSigner and not emulator.faults:  # the common case: one call
        return emulator.dispatch(model, api_params, access_key, region, context)

    def attempt() -> Any:
        return emulator.dispatch(model, api_params, access_key, region, context)

    if type(request_signer) is not RequestSigner and request_signer is not None:
        from . import aio  # an aiobotocore client: async bodies and retries (aiobotocore is optional)
        return aio.serve(emulator, model, params, request_signer, attempt)
    # injected faults (aws.faults) are retried through the client's own retry handler
    return emulator.faults.serve(model, params, request_signer, attempt)


def takes_the_full_path(model: Any, context: dict[str, Any], request_signer: Any) -> bool:
    """A call of a botocore client that the fast path declined (core/fastpath.py: someone else listens
    to the request pipeline) is sent, so every send-side handler runs on a real request; event-stream
    answers exist in-process only, so those calls are still answered at ``before-call``."""
    return (not context.get(fastpath.FAST) and type(request_signer) is RequestSigner
            and not model.has_event_stream_output)


def lend_credentials(context: dict[str, Any], request_signer: Any) -> None:
    """A client made before the emulator started, where no credentials resolve (no environment
    variables, no ~/.aws), holds none, and botocore refuses to sign without (NoCredentialsError): its
    request is signed with the fake credentials instead, for this call only, as a client made while the
    emulator is active gets them (``_get_credentials``). Unsigned clients stay unsigned."""
    if getattr(request_signer, "_credentials", None) is None:
        context["signing"] = {**context.get("signing", {}), "request_credentials": _FAKE_CREDENTIALS}


def _answer_sent(request: Any) -> Any:
    """Answer a request that travelled botocore's full path from its serialized form, through the
    emulator's wire protocols, exactly as its HTTP server would (kumo_intercept/wire)."""
    from ..wire.httpclients import answer_botocore_request  # loads only when a call takes this path

    full_path = _sending.full_path  # calls made while serving (a Lambda handler's) may change it
    try:
        return answer_botocore_request(request)
    finally:
        _sending.full_path = full_path


_HANDLERS = (
    ("before-parameter-build", _remember_params, "kumo-remember-params"),
    ("before-call", _serve, "kumo-serve"),
)


def install_builtin_handlers() -> None:
    """Add the handlers to every botocore session created from now on (idempotent)."""
    for event, handler, _uid in _HANDLERS:
        if not any(spec[1] is handler for spec in botocore.handlers.BUILTIN_HANDLERS):
            botocore.handlers.BUILTIN_HANDLERS.append((event, handler, botocore.handlers.REGISTER_FIRST))


# -- process-wide patches while active -------------------------------------------------------
def _get_credentials(self: botocore.session.Session) -> Credentials:
    """Credentials without the provider chain: explicit ones, else the environment's, else fake ones.

    The chain could read SSO caches, run credential processes or ask instance metadata over the
    network; none of that is needed when no request is signed.
    """
    if self._credentials is not None:
        return self._credentials
    key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        return Credentials(key, secret, os.environ.get("AWS_SESSION_TOKEN"))
    return _FAKE_CREDENTIALS


def _wrap_create_client(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    def create_client(self: botocore.session.Session, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        default_region(self, bound)
        client = original(*bound.args, **bound.kwargs)
        remember_validation(self, bound, client)
        remember_parser_defaults(self, client)
        return client

    create_client.__wrapped__ = original  # type: ignore[attr-defined]
    return create_client


def default_region(session: botocore.session.Session, bound: inspect.BoundArguments) -> None:
    """Give a client being created (``bound``: its ``create_client`` arguments) the emulator's region
    when neither the call, its config nor the session names one."""
    if (
        bound.arguments.get("region_name") is None
        and getattr(bound.arguments.get("config"), "region_name", None) is None
        and session.get_config_variable("region") is None
    ):
        bound.arguments["region_name"] = state.active.region if state.active else None


def remember_validation(session: botocore.session.Session, bound: inspect.BoundArguments, client: Any) -> None:
    """Note a client made without botocore's parameter validation (see ``UNVALIDATED_CONFIGS``)."""
    if not _validates_parameters(session, bound.arguments.get("config")):
        add_unvalidated_config(client.meta.config)


def add_unvalidated_config(config: Any) -> None:
    """Calls carrying ``config`` in their context get the checks botocore's validation would have made
    (clients without it, and requests read off the wire)."""
    UNVALIDATED_CONFIGS.add(config)
    state.unvalidated_clients = True


def _validates_parameters(session: botocore.session.Session, config: Any) -> bool:
    """Whether botocore validates the params of a client made with ``config`` (as botocore decides)."""
    if config is not None and not config.parameter_validation:
        return False
    raw = session.get_scoped_config().get("parameter_validation")
    return raw is None or ensure_boolean(raw)


_UA_CACHE = "_kumo_user_agent"


def _wrap_user_agent(original: Callable[..., Any]) -> Callable[..., Any]:
    """Build each client's User-Agent once instead of at every call.

    botocore formats the header anew for every request (about half of its per-call cost), yet no
    request is sent while an emulator is active, so the first string serves for all.
    """

    def to_string(self: Any) -> str:
        cached: str | None = self.__dict__.get(_UA_CACHE)
        if cached is None:
            cached = self.__dict__[_UA_CACHE] = original(self)
        return cached

    return to_string


def _guard_send(original: Callable[..., Any]) -> Callable[..., Any]:
    """botocore's send: a call on botocore's full path is answered in-process, even when its client
    names the emulator's own server (the emulator's own calls, such as a Scheduler universal target
    run while the clock advances, hold the lock the server's threads wait for); other requests go
    really only to the emulator's own servers; anything else is blocked."""

    def send(self: Any, request: Any) -> Any:
        if _sending.full_path:
            return _answer_sent(request)
        if state.served and fastpath.served_endpoint(getattr(request, "url", None)):
            return original(self, request)
        return _blocked_send(request)

    return send


def _blocked_send(request: Any) -> Any:
    raise NetworkBlockedError(
        f"kumo_intercept blocked a real HTTP request to {getattr(request, 'url', '?')}: a client made "
        "before kumo_intercept was imported does not carry its hooks. Import kumo_intercept (or use "
        "its pytest plugin) before creating boto3 sessions and clients, or create the client again."
    )


def _clock_sleep(seconds: float) -> None:
    emulator = state.active
    if emulator is None:
        time.sleep(seconds)
    else:
        emulator.clock.sleep(seconds)


#: what ``botocore.waiter`` and ``botocore.endpoint`` (retry back-off) see as the ``time`` module while
#: an emulator is active
_EMULATOR_TIME = types.SimpleNamespace(**{**vars(time), "sleep": _clock_sleep})


def _patch(owner: Any, name: str, replacement: Any) -> None:
    state.patches.append((owner, name, owner.__dict__[name]))
    setattr(owner, name, replacement)


def _register_on_default_session() -> None:
    """Serve clients of a boto3 default session created before kumo_intercept was imported. Without
    boto3 imported there is none (and an HTTP server's start need not import it)."""
    boto3 = sys.modules.get("boto3")
    session = getattr(boto3, "DEFAULT_SESSION", None)
    if session is None:
        return
    events = session._session.get_component("event_emitter")
    for event, handler, uid in _HANDLERS:
        events.register_first(event, handler, unique_id=uid)
        state.registered.append((events, event, handler, uid))


def _patch_aiobotocore() -> None:
    try:
        from . import aio
    except ConfigurationError:  # an aiobotocore too old to serve: its clients fail loudly when they call
        return
    aio.patch_while_active()


def activate(emulator: "Emulator") -> "Emulator":
    """Make ``emulator`` serve every call in the process; joins the active one if there is one."""
    with state.lock:
        if state.active is not None:
            state.depth += 1
            return state.active
        install_builtin_handlers()
        _patch(botocore.session.Session, "get_credentials", _get_credentials)
        _patch(botocore.session.Session, "create_client",
               _wrap_create_client(botocore.session.Session.create_client))
        _patch(botocore.httpsession.URLLib3Session, "send", _guard_send(botocore.httpsession.URLLib3Session.send))
        _patch(botocore.waiter, "time", _EMULATOR_TIME)
        _patch(botocore.endpoint, "time", _EMULATOR_TIME)
        _patch(botocore.useragent.UserAgentString, "to_string",
               _wrap_user_agent(botocore.useragent.UserAgentString.to_string))
        for name, wrap in fastpath.replacements(_serve):
            _patch(botocore.client.BaseClient, name, wrap(getattr(botocore.client.BaseClient, name)))
        _register_on_default_session()
        if "aiobotocore" in sys.modules:  # its sessions and clients need the async twins of the above
            _patch_aiobotocore()
        from ..wire.httpclients import intercept  # presigned URLs fetched with requests, urllib3, httpx…

        intercept(_patch)
        state.active = emulator
        state.depth = 1
        return emulator


def deactivate() -> "Emulator | None":
    """Undo one activation; returns the emulator if this was the outermost one (now stopped)."""
    with state.lock:
        if state.active is None:
            return None
        state.depth -= 1
        if state.depth > 0:
            return None
        emulator, state.active = state.active, None
        while state.patches:
            owner, name, original = state.patches.pop()
            setattr(owner, name, original)
        while state.registered:
            events, event, handler, uid = state.registered.pop()
            events.unregister(event, handler, unique_id=uid)
        return emulator
