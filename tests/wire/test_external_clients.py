"""Clients outside the process against ``python -m kumo_intercept serve`` or ``aws.serve()``: the AWS CLI
v1 (a Python package, run as a subprocess) and the AWS SDK for JavaScript v3 (from the npm registry,
when node and npm are on the machine)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import boto3
import pytest

from kumo_intercept import kumo

pytestmark = pytest.mark.allow_network

_JS_PACKAGES = ["@aws-sdk/client-s3", "@aws-sdk/client-sqs", "@aws-sdk/client-dynamodb", "@aws-sdk/client-sns"]
_ENV = {"AWS_ACCESS_KEY_ID": "AKIDCLI", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_DEFAULT_REGION": "us-east-1"}


def _aws(endpoint: str, *args: str, stdin: bytes | None = None) -> str:
    environment = {**os.environ, **_ENV}
    environment.pop("AWS_ENDPOINT_URL", None)
    done = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", endpoint, *args], env=environment,
                          capture_output=True, input=stdin, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def test_aws_cli_v1(served, tmp_path):
    pytest.importorskip("awscli")
    endpoint = str(served.endpoint_url)
    source = tmp_path / "report.csv"
    source.write_bytes(b"a,b\n1,2\n")
    _aws(endpoint, "s3", "mb", "s3://cli-bucket")
    _aws(endpoint, "s3", "cp", str(source), "s3://cli-bucket/reports/report.csv")
    assert "reports/report.csv" in _aws(endpoint, "s3", "ls", "s3://cli-bucket", "--recursive")
    _aws(endpoint, "s3", "cp", "s3://cli-bucket/reports/report.csv", str(tmp_path / "back.csv"))
    assert (tmp_path / "back.csv").read_bytes() == b"a,b\n1,2\n"
    url = json.loads(_aws(endpoint, "sqs", "create-queue", "--queue-name", "cli-queue"))["QueueUrl"]
    _aws(endpoint, "sqs", "send-message", "--queue-url", url, "--message-body", "hi")
    assert json.loads(_aws(endpoint, "sqs", "receive-message", "--queue-url", url))["Messages"][0]["Body"] == "hi"
    assert json.loads(_aws(endpoint, "dynamodb", "list-tables")) == {"TableNames": []}
    assert json.loads(_aws(endpoint, "sts", "get-caller-identity"))["Account"] == "123456789012"
    _aws(endpoint, "s3", "rb", "s3://cli-bucket", "--force")
    assert [call.name for call in served.calls][-1] == "s3.DeleteBucket"


def _node_modules() -> Path:
    """The JS SDK's packages, installed once into a cache folder (KUMO_NPM_CACHE or the temp dir)."""
    root = Path(os.environ.get("KUMO_NPM_CACHE", Path(tempfile.gettempdir()) / "kumo-intercept-npm"))
    if not all((root / "node_modules" / package).is_dir() for package in _JS_PACKAGES):
        root.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(root), *_JS_PACKAGES],
                              capture_output=True, timeout=600)
        if done.returncode != 0:
            pytest.skip(f"npm could not install the AWS SDK for JavaScript v3: {done.stderr.decode()[-300:]}")
    return root / "node_modules"


def test_javascript_sdk_v3(served):
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not on this machine: the JavaScript SDK test needs them")
    modules = _node_modules()
    done = subprocess.run(["node", str(Path(__file__).with_name("js") / "sdk_v3.cjs"), str(served.endpoint_url)],
                          env={**os.environ, "NODE_PATH": str(modules)}, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    answers = json.loads(done.stdout)
    assert answers["s3"] == {"body": "hello from js", "keys": ["big", "hello.txt"]}
    assert answers["messaging"] == {"sqs": "from js", "sns": "fan out"}
    assert answers["dynamodb"] == {"item": "2", "count": 2}


def test_serve_command_until_sigterm(tmp_path):
    """``python -m kumo_intercept serve``: health, then SIGTERM stops it and flushes the data directory."""
    data = tmp_path / "state"
    server = subprocess.Popen([sys.executable, "-m", "kumo_intercept", "serve", "--port", "0", "--data-dir", str(data),
                               "--clock", "virtual"], stdout=subprocess.PIPE, cwd=Path(__file__).parents[2])
    try:
        assert server.stdout is not None
        line = server.stdout.readline().decode()
        endpoint = line.split(" serving on ")[1].split()[0]
        health = json.loads(urllib.request.urlopen(endpoint + "/_kumo/health").read())
        assert health["clock"] == "virtual" and health["data_dir"] == str(data)
        _aws(endpoint, "s3", "mb", "s3://kept-bucket")
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    with kumo(data_dir=str(data)):
        assert [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]] == ["kept-bucket"]


def test_pyarrow_writes_and_reads_parquet(served):
    """pyarrow's S3 filesystem (the AWS SDK for C++) against the server: multipart write, ranged reads."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.fs as pafs
    import pyarrow.parquet as pq

    boto3.client("s3").create_bucket(Bucket="lake")
    fs = pafs.S3FileSystem(access_key="AKIDARROW", secret_key="secret", region="us-east-1", scheme="http",
                           endpoint_override=str(served.endpoint_url).removeprefix("http://"))
    pq.write_table(pa.table({"id": [1, 2, 3], "name": ["a", "b", "c"]}), "lake/data/t.parquet", filesystem=fs)
    assert pq.read_table("lake/data/t.parquet", filesystem=fs).to_pydict() == {"id": [1, 2, 3],
                                                                                "name": ["a", "b", "c"]}
    assert served.calls.names().count("s3.CompleteMultipartUpload") == 1
