"""aiobotocore clients (and what is built on them, such as s3fs) served by the emulator.

An ``AioSession`` registers botocore's built-in handlers on its async event emitter, so its clients
carry the interceptor's hooks, and the emitter awaits a handler that returns an awaitable. What an
aiobotocore call needs beyond a botocore one, all here so that aiobotocore stays optional (this module
is imported only once aiobotocore is):

* ``serve`` answers with a coroutine. A streaming input whose ``read()`` is a coroutine is read first.
  Streaming output members become aiobotocore's own
  ``AioStreamingBody`` (``await read()``, ``async for``, ``async with``, ``iter_chunks``,
  ``iter_lines``) and event streams its ``AioEventStream``, both over stand-ins for the aiohttp
  response they read. Injected faults are retried by awaiting the client's async ``needs-retry``
  handlers, waiting on the emulator's clock.
* While an emulator is active (``patch_while_active``): aiohttp and httpx sessions refuse to send (a
  session created before kumo_intercept was imported lacks the hooks) except to the emulator's own
  HTTP servers (``aws.serve()``; a client with that ``endpoint_url`` really sends), sessions skip the credential
  provider chain, clients get the emulator's region, and waiters sleep on the emulator's clock.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import tempfile
from typing import IO, TYPE_CHECKING, Any, AsyncIterator, Callable, Coroutine

import botocore.session

from . import fastpath, interceptor
from .clock import VirtualClock
from .errors import ConfigurationError
from .faults import Response
from .streams import ResponseBody, ResponseEventStream, ResponseStream

try:
    import aiohttp
    import aiobotocore.httpsession
    import aiobotocore.session
    import aiobotocore.waiter
    from aiobotocore.credentials import AioCredentials
    from aiobotocore.eventstream import AioEventStream
    from aiobotocore.parsers import create_parser
    from aiobotocore.response import AioStreamingBody
    from aiobotocore.signers import AioRequestSigner
except ImportError as missing:  # not installed, or older than its async bodies (3.9)
    raise ConfigurationError(
        "serving aiobotocore clients (and s3fs) needs aiobotocore 3.9 or later: "
        "pip install 'kumo_intercept[aio]'"
    ) from missing

if TYPE_CHECKING:
    from ..emulator import Emulator
    from .clock import Clock

_READ_SIZE = 1024 * 1024
_SPOOL_IN_MEMORY = 8 * _READ_SIZE


# -- serving a call ------------------------------------------------------------------------------
def serve(emulator: "Emulator", model: Any, request_dict: dict[str, Any], request_signer: Any,
          attempt: Callable[[], Response]) -> Any:
    """The ``before-call`` answer for a client whose signer is not botocore's own: a coroutine for an
    aiobotocore client (its emitter awaits it)."""
    if not isinstance(request_signer, AioRequestSigner):  # some other signer: served as botocore's
        return emulator.faults.serve(model, request_dict, request_signer, attempt)
    if not _patched():  # aiobotocore was imported after the emulator started
        with interceptor.state.lock:
            patch_while_active()
    return _serve(emulator, model, request_dict, request_signer, attempt)


async def _serve(emulator: "Emulator", model: Any, request_dict: dict[str, Any], request_signer: Any,
                 attempt: Callable[[], Response]) -> Response:
    if model.has_streaming_input:
        await _read_async_inputs(request_dict)
    http, parsed = await _with_retries(emulator, model, request_dict, request_signer, attempt)
    if http.status_code < 300 and (model.has_streaming_output or model.has_event_stream_output):
        for name, value in parsed.items():
            if isinstance(value, ResponseBody):
                parsed[name] = _async_body(value)
            elif isinstance(value, ResponseEventStream):
                parsed[name] = _async_event_stream(value, model)
    return http, parsed


async def _read_async_inputs(request_dict: dict[str, Any]) -> None:
    """aiobotocore sends a body whose ``read()`` is a coroutine (an aiofiles file, aiohttp's
    ``StreamReader``: its checksum wrapper awaits the reads); backends read synchronously, so such a
    body is read here first, into a file that stays in memory up to a few MiB."""
    params: dict[str, Any] = request_dict.get("context", {}).get(interceptor.PARAMS_KEY) or {}
    for name, value in list(params.items()):
        if inspect.iscoroutinefunction(getattr(value, "read", None)):
            params[name] = await _spooled(value)


async def _spooled(stream: Any) -> IO[bytes]:
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)
    while chunk := await stream.read(_READ_SIZE):
        spool.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
    spool.seek(0)
    return spool


async def _with_retries(emulator: "Emulator", model: Any, request_dict: dict[str, Any], request_signer: Any,
                        attempt: Callable[[], Response]) -> Response:
    """``Faults.serve`` for an aiobotocore client: its ``needs-retry`` handlers are coroutines."""
    response, retry = emulator.faults.first_attempt(model, request_dict, request_signer, attempt)
    if retry is None:
        return response
    while (delay := retry.delay(await retry.emitter.emit(retry.event, **retry.needs_retry_kwargs()))) is not None:
        await _clock_sleep(emulator.clock, delay)
        retry.again(attempt)
    return retry.finish()


async def _clock_sleep(clock: "Clock", seconds: float) -> None:
    """Let ``seconds`` pass on the emulator's clock without blocking the event loop."""
    if isinstance(clock, VirtualClock):
        clock.advance(seconds)
    else:
        await asyncio.sleep(seconds)


# -- bodies and event streams as aiobotocore hands them out ----------------------------------------
class _BodyContent:
    """What ``AioStreamingBody`` reads of aiohttp's ``StreamReader``."""

    def __init__(self, raw: ResponseStream) -> None:
        self._raw = raw

    async def read(self, n: int = -1) -> bytes:
        if self._raw.closed:  # as aiohttp's: aiobotocore reports it as ResponseStreamingError
            raise aiohttp.ClientConnectionError("Connection closed")
        return self._raw.read(n)

    def at_eof(self) -> bool:
        return self._raw.at_eof()


class _EventContent:
    """What ``AioEventStream`` reads of aiohttp's ``StreamReader``: the encoded events of a botocore
    event stream's raw body. Each is produced in a worker thread, since producing one may wait for
    records on a wall clock, and the event loop must keep running whatever writes them."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    async def iter_chunks(self) -> AsyncIterator[tuple[bytes, bool]]:
        events = self._raw.stream()
        while (event := await asyncio.to_thread(next, events, None)) is not None:
            yield event, True


class _Response:
    """What aiobotocore reads of aiohttp's ``ClientResponse`` under a body or an event stream."""

    url = None  # named by aiobotocore's read-timeout error, which nothing here raises

    def __init__(self, raw: Any, content: _BodyContent | _EventContent) -> None:
        self._raw = raw
        self.content = content

    def close(self) -> None:
        self._raw.close()


def _async_body(body: ResponseBody) -> AioStreamingBody:
    raw = body.raw_stream
    return AioStreamingBody(_Response(raw, _BodyContent(raw)), raw.length)


def _async_event_stream(stream: ResponseEventStream, model: Any) -> AioEventStream:
    raw = stream.raw_stream
    parser = create_parser(model.service_model.resolved_protocol).EVENT_STREAM_PARSER_CLS()
    return AioEventStream(_Response(raw, _EventContent(raw)), stream.output_shape, parser, stream.operation_name)


# -- process-wide patches while an emulator is active ---------------------------------------------
async def _blocked_send(self: Any, request: Any) -> Any:
    raise interceptor.NetworkBlockedError(
        f"kumo_intercept blocked a real HTTP request to {getattr(request, 'url', '?')} from an aiobotocore "
        "client: its session was created before kumo_intercept was imported, so it does not carry its "
        "hooks. Import kumo_intercept (or use its pytest plugin) before creating aiobotocore, aioboto3 or "
        "s3fs sessions, or create the session again."
    )


async def _get_credentials(self: aiobotocore.session.AioSession) -> AioCredentials:
    """The session's own credentials, else the environment's, else fake ones; never the provider chain
    (which could ask instance metadata over the network). botocore's method is patched to decide."""
    credentials = botocore.session.Session.get_credentials(self)
    if not isinstance(credentials, AioCredentials):
        credentials = AioCredentials(credentials.access_key, credentials.secret_key, credentials.token)
    return credentials


def _wrap_create_client(original: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Coroutine[Any, Any, Any]]:
    signature = inspect.signature(original)

    async def create_client(self: aiobotocore.session.AioSession, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        interceptor.default_region(self, bound)
        client = await original(*bound.args, **bound.kwargs)
        interceptor.remember_validation(self, bound, client)
        return client

    return create_client


def _on_emulator_clock(original: Callable[[Any, float], Coroutine[Any, Any, None]]) -> Callable[..., Any]:
    """A waiter's ``_sleep``: a virtual clock moves by the delay, any other clock sleeps as before."""

    async def sleep(self: Any, seconds: float) -> None:
        emulator = interceptor.active()
        if emulator is not None and isinstance(emulator.clock, VirtualClock):
            emulator.clock.advance(seconds)
            seconds = 0
        await original(self, seconds)

    return sleep


def _patch(owner: Any, name: str, replacement: Any) -> None:
    """Replace ``owner.name`` until the outermost emulator stops (the interceptor undoes it)."""
    interceptor.state.patches.append((owner, name, owner.__dict__[name]))
    setattr(owner, name, replacement)


def _guard(original: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Coroutine[Any, Any, Any]]:
    """A session's send: only to the emulator's own HTTP servers, as botocore's (core/interceptor.py)."""

    async def send(self: Any, request: Any) -> Any:
        if interceptor.state.served and fastpath.served_endpoint(getattr(request, "url", None)):
            return await original(self, request)
        return await _blocked_send(self, request)

    send.kumo_guard = True  # type: ignore[attr-defined]
    return send


def _patched() -> bool:
    return getattr(aiobotocore.httpsession.AIOHTTPSession.__dict__["send"], "kumo_guard", False)


def patch_while_active() -> None:
    """Apply the patches (once per activation; the caller holds the interceptor's lock)."""
    if _patched():
        return
    _patch(aiobotocore.httpsession.AIOHTTPSession, "send", _guard(aiobotocore.httpsession.AIOHTTPSession.send))
    httpx_session = sys.modules.get("aiobotocore.httpxsession")  # imported only by clients that use it
    if httpx_session is not None:
        _patch(httpx_session.HttpxSession, "send", _guard(httpx_session.HttpxSession.send))
    session_class = aiobotocore.session.AioSession
    _patch(session_class, "get_credentials", _get_credentials)
    _patch(session_class, "_create_client", _wrap_create_client(session_class._create_client))
    for waiter in (aiobotocore.waiter.AIOWaiter, aiobotocore.waiter.AnyioWaiter):  # asyncio's and anyio's
        _patch(waiter, "_sleep", _on_emulator_clock(waiter.__dict__["_sleep"]))
