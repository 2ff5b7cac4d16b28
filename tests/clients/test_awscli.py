"""The AWS CLI (v1, the ``awscli`` package) run in-process under an emulator.

Three ways in: ``python -m kumo_intercept aws ...`` as a real subprocess (state kept in ``--data-dir``
between invocations), the same entry point called in-process (``aws_cli.main``), and awscli's own driver
(``create_clidriver().main``) under a ``kumo`` emulator, to compare what the CLI prints with what boto3 sees.

What the CLI v1 prints is its own behaviour, given AWS's wire format: timestamps exactly as they came
over the wire (awscli/customizations/scalarparse.py, ``cli_timestamp_format = wire`` by default), blobs
base64-encoded, blob arguments base64-encoded once more before sending (clidriver.py's v2 migration
warning: "v1 ... will automatically encode the value to base64").
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from awscli.clidriver import CLIDriver, create_clidriver

import kumo_intercept
from kumo_intercept import Emulator, kumo
from kumo_intercept.integrations import aws_cli

TRUST_LAMBDA = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
HANDLER = "def handler(event, context):\n    return {'echo': event}\n"
LS_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +(\d+) (.+)$")  # `aws s3 ls` prints local time


@pytest.fixture(autouse=True)
def cli_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No profile, region, credentials or config of the machine reach the CLI; files land in tmp_path."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID",
                 "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_OUTPUT", "KUMO_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def aws() -> Iterator[Emulator]:
    with kumo() as emulator:
        yield emulator


_LOADER: list[Any] = []  # botocore's model loader, shared by the drivers as awscli/testutils.py does


def driver() -> CLIDriver:
    """A fresh driver whose session reuses the first one's (cached) service models."""
    fresh = create_clidriver()
    if _LOADER:
        fresh.session.register_component("data_loader", _LOADER[0])
    else:
        _LOADER.append(fresh.session.get_component("data_loader"))
    return fresh


class Cli:
    """Runs awscli's driver in-process, one fresh driver per command, as one ``aws`` process would."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, *args: str, status: int = 0) -> str:
        code = driver().main(list(args))
        out, err = self.capsys.readouterr()
        assert code == status, (args, out, err)
        self.err = err
        return out

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--output", "json"))


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)


def read_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# -- aws s3 ---------------------------------------------------------------------------------------------
def test_s3_ls_lists_buckets_and_keys(aws: Emulator, cli: Cli) -> None:
    """The failure this fixes: `aws s3 ls` parses the raw timestamps it asked for."""
    assert cli("s3", "mb", "s3://cli-bucket").strip() == "make_bucket: cli-bucket"
    boto3.client("s3").put_object(Bucket="cli-bucket", Key="dir/a.txt", Body=b"12345")
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d cli-bucket$", cli("s3", "ls").strip())
    lines = cli("s3", "ls", "s3://cli-bucket", "--recursive").splitlines()
    assert [LS_LINE.match(line).groups() for line in lines] == [("5", "dir/a.txt")]  # type: ignore[union-attr]
    assert cli("s3", "ls", "s3://cli-bucket").split() == ["PRE", "dir/"]


def test_s3_cp_up_and_down_recursive_sync_rm_and_rb_force(aws: Emulator, cli: Cli, tmp_path: Path) -> None:
    files = {"a.txt": b"alpha", "sub/b.bin": bytes(range(256)), "sub/deeper/c.txt": b""}
    write_tree(tmp_path / "tree", files)
    cli("s3", "mb", "s3://cli-copy")
    cli("s3", "cp", "tree/a.txt", "s3://cli-copy/one/a.txt")
    assert boto3.client("s3").get_object(Bucket="cli-copy", Key="one/a.txt")["Body"].read() == b"alpha"
    cli("s3", "cp", "s3://cli-copy/one/a.txt", "back.txt")
    assert (tmp_path / "back.txt").read_bytes() == b"alpha"
    cli("s3", "cp", "tree", "s3://cli-copy/up", "--recursive")
    cli("s3", "cp", "s3://cli-copy/up", "down", "--recursive")
    assert read_tree(tmp_path / "down") == files
    out = cli("s3", "sync", "tree", "s3://cli-copy/synced")
    assert out.count("upload:") == 3
    assert cli("s3", "sync", "tree", "s3://cli-copy/synced") == ""  # nothing changed: nothing to do
    cli("s3", "sync", "s3://cli-copy/synced", "mirror")
    assert read_tree(tmp_path / "mirror") == files
    assert cli("s3", "sync", "s3://cli-copy/synced", "mirror") == ""
    assert "delete: s3://cli-copy/one/a.txt" in cli("s3", "rm", "s3://cli-copy/one/a.txt")
    cli("s3", "rb", "s3://cli-copy", status=1)  # not empty
    assert "BucketNotEmpty" in cli.err
    assert "remove_bucket: cli-copy" in cli("s3", "rb", "s3://cli-copy", "--force")
    assert boto3.client("s3").list_buckets()["Buckets"] == []


def test_s3_cp_of_a_large_file_goes_through_multipart_upload(aws: Emulator, cli: Cli, tmp_path: Path) -> None:
    """The CLI splits files over its 8 MiB multipart_threshold into parts (awscli s3 configuration docs)."""
    body = os.urandom(9 * 1024 * 1024)
    (tmp_path / "big.bin").write_bytes(body)
    cli("s3", "mb", "s3://cli-big")
    cli("s3", "cp", "big.bin", "s3://cli-big/big.bin")
    aws.calls.assert_called("s3.CompleteMultipartUpload", times=1, Key="big.bin")
    cli("s3", "cp", "s3://cli-big/big.bin", "again.bin")
    assert (tmp_path / "again.bin").read_bytes() == body


# -- aws s3api ------------------------------------------------------------------------------------------
def test_s3api_put_get_head_and_list_in_each_output_format(aws: Emulator, cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "body.txt").write_bytes(b"payload")
    cli("s3api", "create-bucket", "--bucket", "cli-api")
    put = cli.json("s3api", "put-object", "--bucket", "cli-api", "--key", "k.txt", "--body", "body.txt")
    assert put["ETag"] == boto3.client("s3").head_object(Bucket="cli-api", Key="k.txt")["ETag"]
    got = cli.json("s3api", "get-object", "--bucket", "cli-api", "--key", "k.txt", "out.txt")
    assert (tmp_path / "out.txt").read_bytes() == b"payload" and got["ContentLength"] == 7
    assert re.match(r"^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$", got["LastModified"])  # the header as sent
    listed = cli.json("s3api", "list-objects-v2", "--bucket", "cli-api")["Contents"]
    assert [o["Key"] for o in listed] == ["k.txt"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$", listed[0]["LastModified"])
    text = cli("s3api", "list-objects-v2", "--bucket", "cli-api", "--query", "Contents[].[Key,Size]",
               "--output", "text")
    assert text.split() == ["k.txt", "7"]
    table = cli("s3api", "list-objects-v2", "--bucket", "cli-api", "--output", "table")
    assert "ListObjectsV2" in table and "|  k.txt" in table
    cli("s3api", "get-object", "--bucket", "cli-api", "--key", "missing", "out.txt", status=255)
    assert "NoSuchKey" in cli.err


# -- aws sqs, dynamodb, lambda --------------------------------------------------------------------------
def test_sqs_create_send_receive(aws: Emulator, cli: Cli) -> None:
    url = cli.json("sqs", "create-queue", "--queue-name", "cli-queue")["QueueUrl"]
    assert url == boto3.client("sqs").get_queue_url(QueueName="cli-queue")["QueueUrl"]
    sent = cli.json("sqs", "send-message", "--queue-url", url, "--message-body", "hello",
                    "--message-attributes", '{"kind": {"DataType": "Binary", "BinaryValue": "raw"}}')
    received = cli.json("sqs", "receive-message", "--queue-url", url, "--message-attribute-names", "All")
    message = received["Messages"][0]
    assert (message["MessageId"], message["Body"]) == (sent["MessageId"], "hello")
    # v1 sent base64("raw"); SQS kept b"raw" and answers it base64-encoded, which the CLI prints as is
    assert message["MessageAttributes"]["kind"]["BinaryValue"] == base64.b64encode(b"raw").decode()
    assert cli("sqs", "receive-message", "--queue-url", url, "--output", "text") == ""  # in flight


def test_dynamodb_create_put_get_query(aws: Emulator, cli: Cli) -> None:
    created = cli.json("dynamodb", "create-table", "--table-name", "cli-table", "--billing-mode", "PAY_PER_REQUEST",
                       "--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
                       "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE")
    described = boto3.client("dynamodb").describe_table(TableName="cli-table")["Table"]
    # DynamoDB sends epoch seconds as a JSON number ("CreationDateTime": 1.36372808007E9 in its API reference)
    assert created["TableDescription"]["CreationDateTime"] == pytest.approx(
        described["CreationDateTime"].timestamp(), abs=0.001)
    for sk in ("1", "2"):
        cli("dynamodb", "put-item", "--table-name", "cli-table",
            "--item", json.dumps({"pk": {"S": "a"}, "sk": {"N": sk}, "bin": {"B": "AAEC"}}))
    item = cli.json("dynamodb", "get-item", "--table-name", "cli-table",
                    "--key", '{"pk": {"S": "a"}, "sk": {"N": "1"}}')["Item"]
    assert item["bin"] == {"B": base64.b64encode(b"AAEC").decode()}  # v1 encodes blob arguments once more
    query = ["dynamodb", "query", "--table-name", "cli-table", "--key-condition-expression", "pk = :p",
             "--expression-attribute-values", '{":p": {"S": "a"}}']
    assert cli.json(*query)["Count"] == 2
    assert cli(*query, "--query", "Items[].sk.N", "--output", "text").split() == ["1", "2"]
    table = cli(*query, "--output", "table")
    assert "Query" in table and re.search(r"\|\s+None\s+\|\s+2\s+\|\s+2\s+\|", table)  # capacity, counts


def test_lambda_create_function_from_a_zip_list_and_invoke(aws: Emulator, cli: Cli, tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "fn.zip", "w") as archive:
        archive.writestr("app.py", HANDLER)
    role = cli.json("iam", "create-role", "--role-name", "cli-fn-role",
                    "--assume-role-policy-document", TRUST_LAMBDA)["Role"]["Arn"]
    assert cli.json("lambda", "list-functions")["Functions"] == []
    created = cli.json("lambda", "create-function", "--function-name", "cli-fn", "--runtime", "python3.12",
                       "--handler", "app.handler", "--role", role, "--zip-file", "fileb://fn.zip")
    assert created["FunctionName"] == "cli-fn" and created["Role"] == role
    names = cli("lambda", "list-functions", "--query", "Functions[].FunctionName", "--output", "text")
    assert names.split() == ["cli-fn"]
    assert "cli-fn" in cli("lambda", "list-functions", "--output", "table")
    invoked = cli.json("lambda", "invoke", "--function-name", "cli-fn", "--payload", '{"n": 1}', "result.json")
    assert invoked["StatusCode"] == 200
    assert json.loads((tmp_path / "result.json").read_text()) == {"echo": {"n": 1}}


def test_cli_timestamp_format_iso8601_is_honoured(aws: Emulator, cli: Cli, cli_environment: Path) -> None:
    """``cli_timestamp_format = iso8601`` in the config file: the CLI reformats the wire value."""
    (cli_environment / "aws-config").write_text("[default]\ncli_timestamp_format = iso8601\n")
    cli("s3", "mb", "s3://cli-iso")
    created = cli.json("s3api", "list-buckets")["Buckets"][0]["CreationDate"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", created), created


def test_endpoint_url_and_region_options(aws: Emulator, cli: Cli) -> None:
    """`--endpoint-url` changes nothing (every call is served in-process); `--region` is the client's."""
    cli("--endpoint-url", "http://localhost:4566", "s3", "mb", "s3://cli-endpoint")
    assert "cli-endpoint" in cli("--endpoint-url", "http://localhost:4566", "s3", "ls")
    url = cli.json("--region", "eu-west-1", "sqs", "create-queue", "--queue-name", "regional")["QueueUrl"]
    assert url == "https://sqs.eu-west-1.amazonaws.com/123456789012/regional"


def test_an_operation_not_emulated_fails_with_its_name(aws: Emulator, cli: Cli) -> None:
    cli("ec2", "describe-instances", status=255)
    assert "kumo_intercept does not emulate ec2.DescribeInstances" in cli.err


# -- the entry point: python -m kumo_intercept aws ... ----------------------------------------------------
def entry(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = aws_cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_data_dir_keeps_state_between_invocations(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = str(tmp_path / "state")
    assert entry(capsys, "--data-dir", data, "sqs", "create-queue", "--queue-name", "kept")[0] == 0
    assert entry(capsys, f"--data-dir={data}", "sqs", "send-message", "--queue-url",
                 "https://sqs.us-east-1.amazonaws.com/123456789012/kept", "--message-body", "later")[0] == 0
    code, out, _ = entry(capsys, "--data-dir", data, "sqs", "receive-message", "--queue-url",
                         "https://sqs.us-east-1.amazonaws.com/123456789012/kept", "--output", "json")
    assert code == 0 and json.loads(out)["Messages"][0]["Body"] == "later"
    code, out, _ = entry(capsys, "sqs", "list-queues", "--output", "json")  # no directory: an empty state
    assert code == 0 and "kept" not in out
    code, _, err = entry(capsys, "--data-dir", data, "s3", "rb", "s3://no-such-bucket")
    assert code == 1 and "NoSuchBucket" in err  # the CLI's own status for a failed s3 command


def test_seed_and_account_options(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a data directory each invocation starts empty; the seed decides the ids it generates."""
    user_ids = []
    for seed in ("7", "7", "8"):
        code, out, err = entry(capsys, "--seed", seed, "--account-id", "210987654321", "iam", "create-user",
                               "--user-name", "seeded", "--query", "User.[UserId,Arn]", "--output", "text")
        user_id, arn = out.split()
        assert code == 0 and arn == "arn:aws:iam::210987654321:user/seeded", err
        user_ids.append(user_id)
    assert user_ids[0] == user_ids[1] != user_ids[2]


def test_entry_point_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = entry(capsys, "--data-dir")
    assert code == 255 and "--data-dir needs a value" in err
    assert aws_cli.split_options(["--seed", "random", "--output", "json", "s3", "ls"]) == (
        {"seed": None}, ["--output", "json", "s3", "ls"])


def run(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    """``python -m kumo_intercept aws --data-dir DATA ARGS`` in a process of its own."""
    root = str(Path(kumo_intercept.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "kumo_intercept", "aws", "--data-dir", str(data), *args],
                          capture_output=True, text=True, timeout=120, env=env)


def test_as_a_command_state_survives_each_process(tmp_path: Path) -> None:
    data = tmp_path / "state"
    with kumo(data_dir=str(data)):
        boto3.client("s3").create_bucket(Bucket="cli-process")
    (tmp_path / "note.txt").write_bytes(b"kept across processes")
    assert run("s3", "cp", "note.txt", "s3://cli-process/note.txt", data=data).returncode == 0
    listed = run("s3", "ls", "s3://cli-process", data=data)
    assert listed.returncode == 0, listed.stderr
    assert LS_LINE.match(listed.stdout.strip()).groups() == ("21", "note.txt")  # type: ignore[union-attr]
    with kumo(data_dir=str(data)):  # the directory is this process's now: another one is refused
        busy = run("s3", "ls", data=data)
        assert boto3.client("s3").get_object(Bucket="cli-process", Key="note.txt")["Body"].read() == \
            b"kept across processes"
    assert busy.returncode == 255 and "in use" in busy.stderr
