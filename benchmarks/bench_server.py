"""The HTTP server: S3 GetObject (1 KiB) and DynamoDB GetItem per second over one keep-alive
connection, and the first answer after start, side by side with moto's ThreadedMotoServer.

    python benchmarks/bench_server.py [--seconds 3] [--rounds 3] [--starts 5]
    python benchmarks/bench_server.py --wire [--rounds 5]   # wire.handle alone, in this process

Targets (issue 17.5): >= 3,000 GetObject and >= 3,000 GetItem per second from one client, >= 5x
moto's server; first answer <= 300 ms after start. Each server runs in its own process (started as a
user would: ``python -m kumo_intercept serve`` and moto's ``ThreadedMotoServer``); the client sends
prepared requests so that the server, not botocore, is measured: with ``http.client`` (about as much
CPU per request as kumo_intercept's server: the two take turns on the connection, so the rate is one
over their sum), and with a socket client that costs little (the request's bytes prepared once, the
answer read up to its Content-Length, as ``wrk`` or ``ab -k`` measure a server). Starts and
rounds alternate between the servers; the figures are ranges (first answers over ``--starts`` starts,
rates over rounds). Run it on an idle machine.

Servers run from compiled bytecode, as an installed package does (pip compiles at install time):
``PYTHONDONTWRITEBYTECODE`` is dropped for them, bytecode goes to a temporary ``PYTHONPYCACHEPREFIX``
(the source tree is left alone) and one unmeasured start of each server writes it. kumo_intercept's
first answer is also measured from source, as a fresh checkout or CI starts it (with
``PYTHONDONTWRITEBYTECODE=1``: the project's modules are compiled at each start, the installed
libraries' bytecode is used as usual). On Linux the server's CPU time is shown too (from
``/proc``), per request and up to the first answer: it varies less than the rates and times when
other processes share the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Callable

import boto3

_ENV = {"AWS_ACCESS_KEY_ID": "AKIDBENCH", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_DEFAULT_REGION": "us-east-1"}
_AUTH = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20250101/us-east-1/{service}/aws4_request, "
                          "SignedHeaders=host, Signature=0", "X-Amz-Date": "20250101T000000Z"}
_MOTO = ("from moto.server import ThreadedMotoServer; import sys, time; "
         "s = ThreadedMotoServer(port=int(sys.argv[1]), verbose=False); s.start(); time.sleep(10**9)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_env(bytecode: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **_ENV, "PYTHONPYCACHEPREFIX": bytecode}


def _cpu_seconds(process: subprocess.Popen[bytes]) -> float | None:
    """User and system CPU time of a process so far (Linux), else None."""
    try:
        with open(f"/proc/{process.pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _source_env() -> dict[str, str]:
    """Without bytecode of the project (it is compiled at each start); the installed libraries keep
    theirs."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPYCACHEPREFIX"}
    return {**env, **_ENV, "PYTHONDONTWRITEBYTECODE": "1"}


def _start(kind: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start a server process; returns it, its endpoint and the seconds until its first answer."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    if kind == "kumo":
        command = [sys.executable, "-m", "kumo_intercept", "serve", "--port", str(port)]
    else:
        command = [sys.executable, "-c", _MOTO, str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    while True:
        try:
            urllib.request.urlopen(endpoint + "/", timeout=1).read()  # ListBuckets (S3 is the default route)
            return process, endpoint, time.perf_counter() - started
        except (ConnectionError, OSError):
            if process.poll() is not None:
                raise RuntimeError(f"{kind} server exited with {process.returncode}") from None
            time.sleep(0.002)


def _seed(endpoint: str) -> None:
    s3 = boto3.client("s3", endpoint_url=endpoint, **_client_args())
    s3.create_bucket(Bucket="bench")
    s3.put_object(Bucket="bench", Key="one-kib", Body=b"x" * 1024)
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, **_client_args())
    ddb.create_table(TableName="bench", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    ddb.put_item(TableName="bench", Item={"id": {"S": "k"}, "v": {"S": "x" * 100}})


def _client_args() -> dict[str, str]:
    return {"region_name": "us-east-1", "aws_access_key_id": "AKIDBENCH", "aws_secret_access_key": "secret"}


def _rate(endpoint: str, method: str, path: str, headers: dict[str, str], body: bytes, seconds: float) -> float:
    """Requests per second over one keep-alive connection of ``http.client``."""
    connection = http.client.HTTPConnection(endpoint.removeprefix("http://"))
    count, deadline = 0, time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        count += 1
    connection.close()
    return count / (time.perf_counter() - started)


_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)


def _socket_rate(endpoint: str, method: str, path: str, headers: dict[str, str], body: bytes,
                 seconds: float) -> float:
    """Requests per second over one keep-alive connection of a client that costs little: the request's
    bytes prepared once, each answer read up to its ``Content-Length`` (as a load generator such as
    ``wrk`` or ``ab -k`` measures a server; ``http.client`` costs about as much CPU per request as the
    server). A connection the server closes is opened again, as ``http.client`` does."""
    host, _, port = endpoint.removeprefix("http://").partition(":")
    fields = {"Host": f"{host}:{port}", "Content-Length": str(len(body)), **headers}
    request = (f"{method} {path} HTTP/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in fields.items())
               + "\r\n").encode("latin-1") + body
    connection = socket.create_connection((host, int(port)))
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    count, buffered, deadline = 0, b"", time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        connection.sendall(request)
        answer = _socket_answer(connection, buffered)
        if answer is None:
            connection.close()
            connection = socket.create_connection((host, int(port)))
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buffered = b""
            continue
        status, keep, buffered = answer
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
        count += 1
        if not keep:
            connection.close()
            connection = socket.create_connection((host, int(port)))
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buffered = b""
    connection.close()
    return count / (time.perf_counter() - started)


def _socket_answer(connection: socket.socket, buffered: bytes) -> tuple[int, bool, bytes] | None:
    """One answer's status, whether the connection stays open, and the bytes read past it; None when the
    server closed the connection before answering."""
    while (end := buffered.find(b"\r\n\r\n")) < 0:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        buffered += chunk
    head, rest = buffered[:end], buffered[end + 4:]
    length = _CONTENT_LENGTH.search(head)
    if length is None:
        raise RuntimeError(f"an answer without Content-Length: {head[:200]!r}")
    size = int(length.group(1))
    while len(rest) < size:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        rest += chunk
    keep = re.search(rb"\r\nconnection:[ \t]*close", head, re.IGNORECASE) is None
    return int(head[9:12]), keep, rest[size:]


Request = tuple[str, str, dict[str, str], bytes]


def _get_object_request() -> Request:
    headers = {key: value.format(service="s3") for key, value in _AUTH.items()}
    headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
    return "GET", "/bench/one-kib", headers, b""


def _get_item_request() -> Request:
    headers = {key: value.format(service="dynamodb") for key, value in _AUTH.items()}
    headers.update({"X-Amz-Target": "DynamoDB_20120810.GetItem", "Content-Type": "application/x-amz-json-1.0"})
    body = json.dumps({"TableName": "bench", "Key": {"id": {"S": "k"}}}).encode()
    return "POST", "/", headers, body


#: the measured requests, and the clients sending them (metric name suffix, rate function)
_REQUESTS: tuple[tuple[str, Callable[[], Request]], ...] = (("GetObject", _get_object_request),
                                                           ("GetItem", _get_item_request))
_CLIENTS: tuple[tuple[str, Callable[..., float]], ...] = (("", _rate), (" (socket client)", _socket_rate))


def _wire_alone(rounds: int, count: int = 2000) -> None:
    """``--wire``: microseconds per ``wire.handle`` call in this process, the same requests one after
    another (no HTTP, no kernel, no client sharing the processor): the Python work per request, with
    less noise than the rates. Requests back to back run with warm caches, so this is about half of
    the server's CPU per request."""
    from kumo_intercept.emulator import Emulator
    from kumo_intercept.wire.handler import handle
    from kumo_intercept.wire.headers import Headers

    emulator = Emulator().start()
    server = emulator.serve(port=0)
    _seed(server.endpoint_url)
    for name, make_request in _REQUESTS:
        method, path, headers, body = make_request()
        fields = Headers({"Host": server.endpoint_url.removeprefix("http://"), "Content-Length": str(len(body)),
                          **headers})
        times = []
        for _round in range(rounds + 1):  # the first round warms up
            started = time.perf_counter()
            for _ in range(count):
                status, _headers, _body = handle(emulator, method, path, fields, body)
            times.append((time.perf_counter() - started) * 1e6 / count)
            if status != 200:
                raise RuntimeError(f"{name}: HTTP {status}")
        print(f"{'wire.handle ' + name + ' us':>30}: {min(times[1:]):.1f}-{max(times[1:]):.1f}")
    emulator.stop()


def _first_answer(results: dict[str, list[float]], how: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    """Record the time to a started server's first answer, and its CPU time until then when known."""
    results[f"first answer{how} ms"].append(seconds * 1000)
    cpu = _cpu_seconds(process)
    if cpu is not None:
        results[f"first answer{how} CPU ms"].append(cpu * 1000)


def _measure(process: subprocess.Popen[bytes], run: Callable[[], float], count_seconds: float) -> tuple[float, float | None]:
    """Requests per second, and the server's CPU microseconds per request when known."""
    before = _cpu_seconds(process)
    rate = run()
    after = _cpu_seconds(process)
    cpu = None if before is None or after is None else (after - before) * 1e6 / (rate * count_seconds)
    return rate, cpu


def _starts(kinds: list[str], env: dict[str, str], count: int, results: dict[str, dict[str, list[float]]],
            how: str = "") -> None:
    """``count`` starts of each server (alternating), each stopped after its first answer."""
    for _start_number in range(count):
        for kind in kinds:
            process, _endpoint, first = _start(kind, env)
            _first_answer(results[kind], how, process, first)
            process.terminate()
            process.wait()


def _rates(kinds: list[str], env: dict[str, str], rounds: int, seconds: float,
           results: dict[str, dict[str, list[float]]]) -> None:
    for _round in range(rounds):
        for kind in kinds:
            process, endpoint, _first = _start(kind, env)
            try:
                _seed(endpoint)
                for client, rate_of in _CLIENTS:
                    for name, make_request in _REQUESTS:
                        rate, cpu = _measure(process, lambda: rate_of(endpoint, *make_request(), seconds), seconds)
                        results[kind][f"{name}/s{client}"].append(rate)
                        if cpu is not None:
                            results[kind][f"{name} server CPU us{client}"].append(cpu)
            finally:
                process.terminate()
                process.wait()


def _print(kinds: list[str], metrics: tuple[str, ...], results: dict[str, dict[str, list[float]]]) -> None:
    for metric in metrics:
        shown = [kind for kind in kinds if results[kind][metric]]
        if not shown:
            continue
        cells = [f"{kind} {min(v):,.0f}-{max(v):,.0f}" for kind in shown for v in [results[kind][metric]]]
        ratio = ""
        if len(shown) == 2 and "/s" in metric:
            ratio = f"  (kumo/moto {min(results['kumo'][metric]) / max(results['moto'][metric]):.1f}x-" \
                    f"{max(results['kumo'][metric]) / min(results['moto'][metric]):.1f}x)"
        print(f"{metric:>40}: " + ", ".join(cells) + ratio)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--starts", type=int, default=5, help="starts of each server, for the first answer")
    parser.add_argument("--wire", action="store_true", help="only kumo_intercept's wire.handle, in this process")
    args = parser.parse_args()
    if args.wire:
        _wire_alone(args.rounds)
        return
    try:
        import moto.server  # noqa: F401
        kinds = ["kumo", "moto"]
    except ImportError:
        kinds = ["kumo"]
        print("moto's server is not installed (pip install 'moto[server]'): kumo_intercept alone")
    metrics = ("first answer ms", "first answer CPU ms", "first answer from source ms",
               "first answer from source CPU ms",
               *(f"{name}{what}{client}" for client, _rate_of in _CLIENTS
                 for what in ("/s", " server CPU us") for name, _request in _REQUESTS))
    results: dict[str, dict[str, list[float]]] = {kind: {metric: [] for metric in metrics} for kind in kinds}
    with tempfile.TemporaryDirectory(prefix="bench-bytecode-") as bytecode:
        env = _server_env(bytecode)
        _starts(kinds, env, 1, {kind: {metric: [] for metric in metrics} for kind in kinds})  # writes the bytecode
        _starts(kinds, env, args.starts, results)
        _starts(["kumo"], _source_env(), args.starts, results, " from source")
        _rates(kinds, env, args.rounds, args.seconds, results)
    _print(kinds, metrics, results)


if __name__ == "__main__":
    main()
