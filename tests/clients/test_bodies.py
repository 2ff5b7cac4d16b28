"""Streaming bodies behave as the real ones: botocore's ``StreamingBody`` over urllib3 for boto3, and
aiobotocore's ``AioStreamingBody`` over aiohttp for aiobotocore.

The oracle is the real stack: every scenario below also runs on a body fetched from a loopback HTTP
server, wrapped as botocore's endpoint (``StreamingBody(urllib3 response, Content-Length)``) and
aiobotocore's ``get_response`` (``AioStreamingBody(aiohttp response, Content-Length)``) wrap AWS's, and
the emulated S3 GetObject body must give the same outcome: the same value, or the same exception class.
Two object sizes cover both kinds of stored body (inline bytes and blob segments).
"""

from __future__ import annotations

import asyncio
import http.server
import threading
from typing import Any, Awaitable, Callable, Iterator

import aiobotocore.session
import aiohttp
import boto3
import pytest
import urllib3
from aiobotocore.response import AioStreamingBody
from botocore.response import StreamingBody

from kumo_intercept import kumo
from kumo_intercept.services.s3.common import INLINE_LIMIT

SMALL = b"".join(b"line %d of a small body\n" % i for i in range(100))
LARGE = b"".join(b"line %06d of a body kept in blob files\n" % i for i in range(INLINE_LIMIT // 30))
assert len(LARGE) > INLINE_LIMIT
SIZES = {"small": SMALL, "large": LARGE}

Outcome = tuple[str, Any]


def _outcome(run: Callable[[], Any]) -> Outcome:
    try:
        return ("value", run())
    except Exception as exc:  # the class is the outcome to compare
        return ("raises", type(exc).__name__)


# -- the scenarios: what code does with a body ----------------------------------------------------
def _read_parts(body: Any, size: int) -> list[int]:
    return [len(chunk) for chunk in iter(lambda: body.read(size), b"")]


def _close_after(body: Any, amount: int | None) -> Any:
    body.read(amount)
    body.close()
    return body


SYNC: dict[str, Callable[[Any], Any]] = {
    "read all": lambda body: body.read(),
    "read in parts": lambda body: _read_parts(body, 7000),
    "iter_chunks": lambda body: [len(c) for c in body.iter_chunks(65536)],
    "iterate": lambda body: sum(len(c) for c in body),
    "iter_lines": lambda body: list(body.iter_lines())[-2:],
    "iter_lines keepends": lambda body: list(body.iter_lines(chunk_size=100, keepends=True))[:2],
    "readlines": lambda body: len(body.readlines()),
    "tell": lambda body: (body.read(7), body.tell()),
    "readinto": lambda body: (body.readinto(buffer := bytearray(10)), bytes(buffer)),
    "readable at the end and after close": lambda body: (body.readable(), body.read() and body.readable(),
                                                         body.close() or body.readable()),
    "set_socket_timeout": lambda body: body.set_socket_timeout(5.0),
    "read() after reading all and closing": lambda body: _close_after(body, None).read(),
    "read(n) after reading all and closing": lambda body: _close_after(body, None).read(3),
    "readinto after reading all and closing": lambda body: _close_after(body, None).readinto(bytearray(3)),
    "tell after closing": lambda body: _close_after(body, 5).tell(),
    "read() after closing part-way": lambda body: _close_after(body, 5).read(),
    "read(n) after closing part-way": lambda body: _close_after(body, 5).read(3),
    "readinto after closing part-way": lambda body: _close_after(body, 5).readinto(bytearray(3)),
    "readlines after closing": lambda body: _close_after(body, 5).readlines(),
    "read(n) after closing unread": lambda body: _close_after(body, 0).read(3),
    "read(n) after a with block": lambda body: (body.__enter__().read(4), body.__exit__(None, None, None),
                                                body.read(3)),
}


async def _async_read_parts(body: Any, size: int) -> list[int]:
    sizes = []
    while chunk := await body.read(size):
        sizes.append(len(chunk))
    return sizes


async def _async_close_after(body: Any, amount: int | None) -> Any:
    await body.read(amount)
    body.close()
    return body


async def _async_with(body: Any) -> int:
    async with body as entered:
        return len(await entered.read())


#: aiohttp's ``read(n)`` answers with what has arrived, up to n bytes: reads in parts are compared by
#: the total they give and by every part staying within its limit
ASYNC: dict[str, Callable[[Any], Awaitable[Any]]] = {
    "read all": lambda body: body.read(),
    "read in parts": lambda body: _within(_async_read_parts(body, 7000), 7000),
    "iter_chunks": lambda body: _within(_collect(body.iter_chunks(65536), len), 65536),
    "async for": lambda body: _within(_collect(body, len), 1024),
    "iter_lines": lambda body: _collect(body.iter_lines(), None),
    "readlines": lambda body: body.readlines(),
    "tell": lambda body: _then(body.read(7), lambda: body.tell()),
    "readable at the end": lambda body: _then(body.read(), lambda: body.readable()),
    "set_socket_timeout": lambda body: _sync(lambda: body.set_socket_timeout(5.0)),
    "read() after reading all and closing": lambda body: _then(_async_close_after(body, None), lambda: body.read()),
    "read(n) after closing part-way": lambda body: _then(_async_close_after(body, 5), lambda: body.read(3)),
    "read after aclose": lambda body: _then(body.aclose(), lambda: body.read(3)),
    "read after an async with block": lambda body: _then(_async_with(body), lambda: body.read(3)),
}


async def _within(sizes: Awaitable[list[int]], limit: int) -> tuple[int, bool]:
    found = await sizes
    return sum(found), max(found) <= limit


async def _collect(chunks: Any, measure: Callable[[bytes], Any] | None) -> list[Any]:
    return [measure(chunk) if measure else chunk async for chunk in chunks]


async def _then(first: Awaitable[Any], then: Callable[[], Any]) -> Any:
    await first
    result = then()
    return await result if asyncio.iscoroutine(result) else result


async def _sync(call: Callable[[], Any]) -> Any:
    return call()


async def _async_outcome(run: Callable[[], Awaitable[Any]]) -> Outcome:
    try:
        return ("value", await run())
    except Exception as exc:  # the class is the outcome to compare
        return ("raises", type(exc).__name__)


# -- the oracle: the same scenarios over urllib3 and aiohttp ----------------------------------------
class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        data = SIZES[self.path.strip("/")]
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def real() -> Iterator[dict[str, dict[str, Outcome]]]:
    """Each scenario's outcome on the real stacks, keyed ``sync``/``async`` then ``size:scenario``.

    Module-scoped so it runs before the suite's per-test network guard: it talks to a loopback server only.
    """
    server = _Server(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        yield {"sync": _urllib3_outcomes(base), "async": asyncio.run(_aiohttp_outcomes(base))}
    finally:
        server.shutdown()
        server.server_close()


def _urllib3_outcomes(base: str) -> dict[str, Outcome]:
    pool = urllib3.PoolManager()
    outcomes = {}
    for size in SIZES:
        for name, scenario in SYNC.items():
            response = pool.request("GET", f"{base}/{size}", preload_content=False)
            body = StreamingBody(response, int(response.headers["Content-Length"]))
            outcomes[f"{size}:{name}"] = _outcome(lambda: scenario(body))
    pool.clear()
    return outcomes


async def _aiohttp_outcomes(base: str) -> dict[str, Outcome]:
    outcomes = {}
    async with aiohttp.ClientSession() as session:
        for size in SIZES:
            for name, scenario in ASYNC.items():
                response = await session.get(f"{base}/{size}")
                body = AioStreamingBody(response, response.headers["Content-Length"])
                outcomes[f"{size}:{name}"] = await _async_outcome(lambda: scenario(body))
                response.release()
    return outcomes


# -- the emulated bodies ----------------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
def test_boto3_bodies_behave_as_over_urllib3(real, size):
    with kumo():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="bodies")
        s3.put_object(Bucket="bodies", Key=size, Body=SIZES[size])
        for name, scenario in SYNC.items():
            body = s3.get_object(Bucket="bodies", Key=size)["Body"]
            assert isinstance(body, StreamingBody)
            assert _outcome(lambda: scenario(body)) == real["sync"][f"{size}:{name}"], name


@pytest.mark.parametrize("size", SIZES)
def test_aiobotocore_bodies_behave_as_over_aiohttp(real, size):
    async def outcomes() -> dict[str, Outcome]:
        found = {}
        async with aiobotocore.session.get_session().create_client("s3") as s3:
            await s3.create_bucket(Bucket="bodies")
            await s3.put_object(Bucket="bodies", Key=size, Body=SIZES[size])
            for name, scenario in ASYNC.items():
                body = (await s3.get_object(Bucket="bodies", Key=size))["Body"]
                assert isinstance(body, AioStreamingBody)
                found[name] = await _async_outcome(lambda: scenario(body))
        return found

    with kumo():
        found = asyncio.run(outcomes())
    for name in ASYNC:
        assert found[name] == real["async"][f"{size}:{name}"], name


def test_the_oracle_sees_the_documented_differences(real):
    """The facts the emulated bodies are held to, spelled out (and proof the oracle ran): urllib3 answers
    b"" after a full read and close, fails a part-way one; aiohttp fails any read after close, and
    aiobotocore refuses set_socket_timeout."""
    sync, aio = real["sync"], real["async"]
    assert sync["large:read() after reading all and closing"] == ("value", b"")
    assert sync["large:read(n) after closing part-way"] == ("raises", "ResponseStreamingError")
    assert sync["large:read() after closing part-way"] == ("raises", "IncompleteReadError")
    assert sync["small:set_socket_timeout"] == ("value", None)
    assert aio["small:read() after reading all and closing"] == ("raises", "ResponseStreamingError")
    assert aio["small:set_socket_timeout"] == ("raises", "NotImplementedError")
    assert aio["large:iter_chunks"] == ("value", (len(LARGE), True))


@pytest.mark.parametrize("size", SIZES)
def test_range_reads_give_the_range_and_its_length(size):
    """S3 GetObject with Range (RFC 9110 byte ranges; AWS S3 API reference, GetObject "Range"): 206,
    ContentRange ``bytes first-last/total``, a body of exactly that range whose length botocore checks."""
    data = SIZES[size]
    first, last = len(data) - 1000, len(data) - 501
    with kumo():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="ranges")
        s3.put_object(Bucket="ranges", Key="k", Body=data)
        got = s3.get_object(Bucket="ranges", Key="k", Range=f"bytes={first}-{last}")
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert got["ContentRange"] == f"bytes {first}-{last}/{len(data)}"
        assert got["ContentLength"] == 500
        assert [len(c) for c in got["Body"].iter_chunks(200)] == [200, 200, 100]
        tail = s3.get_object(Bucket="ranges", Key="k", Range="bytes=-10")["Body"]
        assert tail.read() == data[-10:]
        assert tail.read() == b"" and tail.tell() == 10
