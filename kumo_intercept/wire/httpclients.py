"""Requests to AWS made with HTTP libraries, served in-process while an emulator is active.

A presigned URL (``generate_presigned_url``) or a POST form (``generate_presigned_post``) is fetched
with an HTTP library, not with botocore. While an emulator is active, these libraries' requests to an
AWS host (``*.amazonaws.com``, or another partition's: ``*.amazonaws.com.cn``, ``*.c2s.ic.gov``…) go to ``wire.handle`` instead of the network:

- urllib3 (and so requests): ``HTTPConnectionPool.urlopen``;
- httpx: ``HTTPTransport.handle_request`` and ``AsyncHTTPTransport.handle_async_request``;
- aiohttp: ``ClientSession._request`` (its only entry every request passes through);
- urllib.request: ``HTTPHandler.http_open`` and ``HTTPSHandler.https_open``.

httpx and aiohttp are patched when imported before the emulator is activated. A request to an AWS
service kumo_intercept does not emulate raises ``NetworkBlockedError`` naming it; it is never sent.
Requests to other hosts (the emulator's own server on 127.0.0.1 included) are left alone. The
patches go through ``interceptor._patch`` (passed in), so deactivation undoes them.
"""

from __future__ import annotations

import datetime
import email.message
import functools
import http.client
import io
import re
import sys
import time
import types
import urllib.parse
import urllib.response
from typing import Any, Callable, Iterable

import urllib3
from botocore.awsrequest import AWSResponse

from ..core import interceptor, partitions

Patch = Callable[[Any, str, Any], None]
_S3_LABEL = re.compile(r"^s3(?:-|$)")
#: DynamoDB's account-based endpoints (``123456789012.ddb.us-east-1.amazonaws.com``, chosen by botocore's
#: ``account_id_endpoint_mode``); the request names DynamoDB in its X-Amz-Target header
_DYNAMODB_ACCOUNT_HOST = re.compile(r"^\d{12}\.ddb\.")


def aws_service_host(host: str) -> bool:
    """Whether ``host`` (no port) is an AWS endpoint, in any partition."""
    return _aws_host().search(host) is not None


@functools.lru_cache(maxsize=1)
def _aws_host() -> "re.Pattern[str]":
    from . import models  # botocore's data loads on the first request made with an HTTP library

    return re.compile(rf"(?:^|\.){partitions.dns_suffix_pattern()}$")


def _emulated(host: str) -> bool:
    from . import models, s3  # the wire layer loads on the first request to AWS, not at activation

    labels = host.split(".")
    if s3.virtual_bucket(host) is not None or any(_S3_LABEL.match(label) for label in labels):
        return True
    if _DYNAMODB_ACCOUNT_HOST.match(host):
        return True
    return any(host.startswith(prefix + ".") for prefix in models.by_endpoint_prefix())


def serve(method: str, scheme: str, host: str, target: str, headers: Iterable[tuple[str, str]],
          body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Answer one request to an AWS host (or to the emulator's own server) with the active emulator."""
    emulator = interceptor.active()
    # the emulator's own server too: its own calls are answered in the thread that makes them
    if emulator is None or not (_emulated(host) or host in interceptor.state.served):
        raise interceptor.NetworkBlockedError(
            f"kumo_intercept blocked a {method} request to {scheme}://{host}{target.split('?')[0]}: "
            "no emulated AWS service answers at that host, and nothing leaves the process while an "
            "emulator is active.")
    from . import handle

    merged = dict(headers)
    if not any(name.lower() == "host" for name in merged):
        merged["Host"] = host
    status, answer_headers, answer = handle(emulator, method, f"{scheme}://{host}{target}", merged, body)
    return status, answer_headers, answer if isinstance(answer, bytes) else b"".join(answer)


def answer_botocore_request(request: Any) -> Any:
    """A request botocore signed and sent on its full path (core/interceptor.py), answered as the
    ``AWSResponse`` its HTTP session would return; reading the body runs its read callbacks (the
    progress s3transfer reports)."""
    parts = urllib.parse.urlsplit(request.url)
    headers = [(name, value.decode("latin-1") if isinstance(value, bytes) else value)
               for name, value in request.headers.items()]
    status, answer_headers, body = serve(request.method, parts.scheme, parts.netloc, _target(request.url)[0],
                                         headers, _read(request.body))
    payload = b"" if request.method == "HEAD" else body  # a HEAD answer has no body, errors included
    raw = urllib3.HTTPResponse(body=io.BytesIO(payload), headers=urllib3.HTTPHeaderDict(answer_headers),
                               status=status, preload_content=False, decode_content=False,
                               request_method=request.method)
    return AWSResponse(request.url, status, raw.headers, raw)


def _read(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk) for chunk in body)


def _target(url: str) -> tuple[str, str | None]:
    """``(path?query, host or None)`` of a request line's URL (absolute when sent to a proxy)."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path or "/"
    return (path + ("?" + parts.query if parts.query else "")), parts.hostname


# -- urllib3 (requests) ---------------------------------------------------------------------------
def _wrap_urlopen(original: Callable[..., Any]) -> Callable[..., Any]:
    def urlopen(self: Any, method: str, url: str, body: Any = None, headers: Any = None, *args: Any,
                **kwargs: Any) -> Any:
        host = str(self.host)
        if not aws_service_host(host):
            return original(self, method, url, body, headers, *args, **kwargs)
        target, _ = _target(url)
        status, out_headers, content = serve(method, self.scheme, host, target, dict(headers or {}).items(),
                                             _read(body))
        return urllib3.HTTPResponse(
            body=io.BytesIO(content), headers=urllib3.HTTPHeaderDict(out_headers), status=status,
            reason=http.client.responses.get(status, ""), preload_content=kwargs.get("preload_content", True),
            decode_content=kwargs.get("decode_content", True), request_method=method,
            request_url=f"{self.scheme}://{host}{target}", enforce_content_length=False)

    return urlopen


# -- urllib.request -------------------------------------------------------------------------------
def _wrap_opener(original: Callable[..., Any], scheme: str) -> Callable[..., Any]:
    def open_(self: Any, request: Any) -> Any:
        host = request.host.rpartition(":")[0] if re.search(r":\d+$", request.host) else request.host
        if not aws_service_host(host):
            return original(self, request)
        target, _ = _target(request.full_url)
        status, out_headers, content = serve(request.get_method(), scheme, host, target,
                                             request.header_items(), _read(request.data))
        message = email.message.Message()
        for name, value in out_headers.items():
            message[name] = value
        response = urllib.response.addinfourl(io.BytesIO(content), message, request.full_url, status)
        response.msg = http.client.responses.get(status, "")  # type: ignore[attr-defined]  # urllib's HTTPErrorProcessor reads it
        return response

    return open_


# -- httpx ----------------------------------------------------------------------------------------
def _httpx_answer(request: Any, body: bytes) -> Any:
    import httpx

    url = request.url
    target = url.raw_path.decode("ascii")
    status, headers, content = serve(request.method, url.scheme, url.host, target,
                                     [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
                                     body)
    return httpx.Response(status, headers=list(headers.items()), content=content, request=request)


def _wrap_httpx(original: Callable[..., Any]) -> Callable[..., Any]:
    def handle_request(self: Any, request: Any) -> Any:
        if not aws_service_host(request.url.host):
            return original(self, request)
        return _httpx_answer(request, request.read())

    return handle_request


def _wrap_httpx_async(original: Callable[..., Any]) -> Callable[..., Any]:
    async def handle_async_request(self: Any, request: Any) -> Any:
        if not aws_service_host(request.url.host):
            return await original(self, request)
        return _httpx_answer(request, await request.aread())

    return handle_async_request


# -- aiohttp --------------------------------------------------------------------------------------
class AiohttpResponse:
    """What code reads of an aiohttp ``ClientResponse``, for an answer that never used a socket."""

    def __init__(self, method: str, url: Any, status: int, headers: dict[str, str], body: bytes) -> None:
        from multidict import CIMultiDict, CIMultiDictProxy

        self.method, self.url, self.status = method, url, status
        self.reason = http.client.responses.get(status, "")
        self.headers = CIMultiDictProxy(CIMultiDict(headers))
        self._body = body
        self.content = _AsyncReader(body)
        self.ok = status < 400

    async def read(self) -> bytes:
        return self._body

    async def text(self, encoding: str | None = None, errors: str = "strict") -> str:
        return self._body.decode(encoding or "utf-8", errors)

    async def json(self, **_: Any) -> Any:
        import json
        return json.loads(self._body) if self._body else None

    def raise_for_status(self) -> None:
        if self.status >= 400:
            import aiohttp
            raise aiohttp.ClientResponseError(None, (), status=self.status, message=self.reason,  # type: ignore[arg-type]
                                              headers=self.headers)

    def release(self) -> None:
        return None

    def close(self) -> None:
        return None

    async def wait_for_close(self) -> None:
        return None

    async def __aenter__(self) -> "AiohttpResponse":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        return None


class _AsyncReader:
    def __init__(self, body: bytes) -> None:
        self._stream = io.BytesIO(body)

    async def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)

    async def readany(self) -> bytes:
        return self._stream.read()

    async def iter_chunked(self, size: int) -> Any:
        while chunk := self._stream.read(size):
            yield chunk


def _aiohttp_body(data: Any, json_body: Any) -> bytes:
    if json_body is not None:
        import json
        return json.dumps(json_body).encode()
    if data is None:
        return b""
    if isinstance(data, dict):
        return urllib.parse.urlencode(data).encode()
    if hasattr(data, "_value") or type(data).__name__ == "FormData":
        raise interceptor.NetworkBlockedError(
            "kumo_intercept serves aiohttp requests to AWS with bytes, str, dict or file bodies; encode a "
            "multipart form yourself (or use requests/httpx) for a POST upload")
    return _read(data)


def _wrap_aiohttp(original: Callable[..., Any]) -> Callable[..., Any]:
    import yarl

    async def request(self: Any, method: str, str_or_url: Any, *args: Any, **kwargs: Any) -> Any:
        url = yarl.URL(str_or_url)
        if kwargs.get("params"):
            url = url.update_query(kwargs["params"])
        if not aws_service_host(url.host or ""):
            return await original(self, method, str_or_url, *args, **kwargs)
        target = url.raw_path_qs
        headers = dict(kwargs.get("headers") or {})
        status, out_headers, content = serve(method.upper(), url.scheme, url.host or "", target, headers.items(),
                                             _aiohttp_body(kwargs.get("data"), kwargs.get("json")))
        return AiohttpResponse(method.upper(), url, status, out_headers, content)

    return request


# -- presigning on the emulator's clock ---------------------------------------------------------------
def _clock_time() -> float:
    emulator = interceptor.active()
    return emulator.clock.time() if emulator is not None else time.time()


def _clock_datetime(remove_tzinfo: bool = True) -> datetime.datetime:
    """botocore's ``get_current_datetime`` on the emulator's clock."""
    now = datetime.datetime.fromtimestamp(_clock_time(), datetime.timezone.utc)
    return now.replace(tzinfo=None) if remove_tzinfo else now


#: what ``botocore.auth`` sees as the ``time`` module (SigV2 query expiry) while an emulator is active
_SIGNER_TIME = types.SimpleNamespace(**{**vars(time), "time": _clock_time})


def _sign_on_the_emulator_clock(patch: Patch) -> None:
    """Presigned URLs and POST policies get their date and expiry from the emulator's clock, against
    which the wire layer checks them (a virtual clock's URL expires when the clock is advanced)."""
    import botocore.auth
    import botocore.signers

    patch(botocore.auth, "get_current_datetime", _clock_datetime)
    patch(botocore.signers, "get_current_datetime", _clock_datetime)
    patch(botocore.auth, "time", _SIGNER_TIME)


# -- applying ---------------------------------------------------------------------------------------
def intercept(patch: Patch) -> None:
    """Apply every patch this module knows to the libraries loaded now (urllib3 and urllib always)."""
    import urllib.request

    import urllib3.connectionpool

    _sign_on_the_emulator_clock(patch)
    pool = urllib3.connectionpool.HTTPConnectionPool
    patch(pool, "urlopen", _wrap_urlopen(pool.urlopen))
    patch(urllib.request.HTTPHandler, "http_open", _wrap_opener(urllib.request.HTTPHandler.http_open, "http"))
    if hasattr(urllib.request, "HTTPSHandler"):
        https = urllib.request.HTTPSHandler
        patch(https, "https_open", _wrap_opener(https.https_open, "https"))
    httpx = sys.modules.get("httpx")
    if httpx is not None:
        patch(httpx.HTTPTransport, "handle_request", _wrap_httpx(httpx.HTTPTransport.handle_request))
        patch(httpx.AsyncHTTPTransport, "handle_async_request",
              _wrap_httpx_async(httpx.AsyncHTTPTransport.handle_async_request))
    aiohttp = sys.modules.get("aiohttp")
    if aiohttp is not None:
        patch(aiohttp.ClientSession, "_request", _wrap_aiohttp(aiohttp.ClientSession._request))
