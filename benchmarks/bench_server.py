"""The HTTP server: S3 GetObject (1 KiB) and DynamoDB GetItem per second over one keep-alive
connection, and the first answer after start, side by side with moto's ThreadedMotoServer.

    python benchmarks/bench_server.py [--seconds 3] [--rounds 3]

Targets (issue 17.5): >= 3,000 GetObject and >= 3,000 GetItem per second from one client, >= 5x
moto's server; first answer <= 300 ms after start. Each server runs in its own process (started as a
user would: ``python -m kumo_intercept serve`` and moto's ``ThreadedMotoServer``); the client sends
prepared requests with ``http.client`` so that the server, not botocore, is measured. Rounds
alternate between the servers; the figures are ranges over rounds. Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

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


def _start(kind: str) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start a server process; returns it, its endpoint and the seconds until its first answer."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    if kind == "kumo":
        command = [sys.executable, "-m", "kumo_intercept", "serve", "--port", str(port)]
    else:
        command = [sys.executable, "-c", _MOTO, str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, **_ENV})
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
    """Requests per second over one keep-alive connection."""
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


def _get_object(endpoint: str, seconds: float) -> float:
    headers = {key: value.format(service="s3") for key, value in _AUTH.items()}
    headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
    return _rate(endpoint, "GET", "/bench/one-kib", headers, b"", seconds)


def _get_item(endpoint: str, seconds: float) -> float:
    headers = {key: value.format(service="dynamodb") for key, value in _AUTH.items()}
    headers.update({"X-Amz-Target": "DynamoDB_20120810.GetItem", "Content-Type": "application/x-amz-json-1.0"})
    body = json.dumps({"TableName": "bench", "Key": {"id": {"S": "k"}}}).encode()
    return _rate(endpoint, "POST", "/", headers, body, seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    try:
        import moto.server  # noqa: F401
        kinds = ["kumo", "moto"]
    except ImportError:
        kinds = ["kumo"]
        print("moto's server is not installed (pip install 'moto[server]'): kumo_intercept alone")
    results: dict[str, dict[str, list[float]]] = {kind: {"first answer ms": [], "GetObject/s": [], "GetItem/s": []}
                                                  for kind in kinds}
    for _round in range(args.rounds):
        for kind in kinds:
            process, endpoint, first = _start(kind)
            try:
                _seed(endpoint)
                results[kind]["first answer ms"].append(first * 1000)
                results[kind]["GetObject/s"].append(_get_object(endpoint, args.seconds))
                results[kind]["GetItem/s"].append(_get_item(endpoint, args.seconds))
            finally:
                process.terminate()
                process.wait()
    for metric in ("first answer ms", "GetObject/s", "GetItem/s"):
        cells = [f"{kind} {min(v):,.0f}-{max(v):,.0f}" for kind in kinds for v in [results[kind][metric]]]
        ratio = ""
        if len(kinds) == 2 and metric != "first answer ms":
            ratio = f"  (kumo/moto {min(results['kumo'][metric]) / max(results['moto'][metric]):.1f}x-" \
                    f"{max(results['kumo'][metric]) / min(results['moto'][metric]):.1f}x)"
        print(f"{metric:>16}: " + ", ".join(cells) + ratio)


if __name__ == "__main__":
    main()
