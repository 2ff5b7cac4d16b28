"""Invoke runs the handler in-process: isolated modules, environment, context, errors, timeouts, logs."""

from __future__ import annotations

import base64
import json
import os
import sys

import boto3
import pytest

from kumo_intercept import NotEmulatedError
from kumo_intercept.services.awslambda import register_callable
from lambda_helpers import create, make_zip


def _invoke(lam, name, event=None, **kwargs):
    out = lam.invoke(FunctionName=name, Payload=json.dumps(event if event is not None else {}), **kwargs)
    return out, json.loads(out["Payload"].read())


def test_result_event_and_context(lam):
    create(lam, "ctx", {"app.py": """
        def handler(event, context):
            return {
                "event": event,
                "name": context.function_name, "version": context.function_version,
                "arn": context.invoked_function_arn, "memory": context.memory_limit_in_mb,
                "request": context.aws_request_id, "group": context.log_group_name,
                "stream": context.log_stream_name, "remaining": context.get_remaining_time_in_millis(),
            }
    """}, Timeout=7, MemorySize=512)
    out, body = _invoke(lam, "ctx", {"n": 1})
    assert out["StatusCode"] == 200 and "FunctionError" not in out
    assert out["ExecutedVersion"] == "$LATEST"
    assert body["event"] == {"n": 1}
    assert body["name"] == "ctx" and body["version"] == "$LATEST" and body["memory"] == "512"
    assert body["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:ctx"
    assert body["request"] == out["ResponseMetadata"]["RequestId"]
    assert body["group"] == "/aws/lambda/ctx"
    assert body["stream"].split("/")[3].startswith("[$LATEST]")
    assert 0 < body["remaining"] <= 7000


def test_empty_payload_is_an_empty_event_and_none_is_null(lam):
    create(lam, "f", {"app.py": "def handler(e, c):\n    assert e == {}\n"})
    out = lam.invoke(FunctionName="f")
    assert out["Payload"].read() == b"null"


@pytest.mark.kumo(clock="virtual")
def test_remaining_time_reads_the_emulator_clock(lam, kumo):
    def handler(event, context):
        before = context.get_remaining_time_in_millis()
        kumo.clock.advance(1.5)
        return [before, context.get_remaining_time_in_millis()]
    register_callable("clocked", handler, timeout=10)
    assert _invoke(lam, "clocked")[1] == [10000, 8500]


def test_modules_of_the_same_name_never_collide(lam):
    create(lam, "one", {"app.py": "import helpers\ndef handler(e, c):\n    return helpers.NAME\n",
                        "helpers/__init__.py": "from .inner import NAME\n", "helpers/inner.py": "NAME = 'one'\n"})
    create(lam, "two", {"app.py": "import helpers\ndef handler(e, c):\n    return helpers.NAME\n",
                        "helpers/__init__.py": "from .inner import NAME\n", "helpers/inner.py": "NAME = 'two'\n"})
    for _ in range(2):
        assert _invoke(lam, "one")[1] == "one"
        assert _invoke(lam, "two")[1] == "two"
    assert "app" not in sys.modules and "helpers" not in sys.modules and "helpers.inner" not in sys.modules


def test_a_test_process_module_of_the_same_name_is_put_back(lam):
    create(lam, "f", {"json.py": "X = 'mine'\n", "app.py": "import json\ndef handler(e, c):\n    return json.X\n"})
    original = sys.modules["json"]
    out = lam.invoke(FunctionName="f")
    assert out["Payload"].read() == b'"mine"'
    assert sys.modules["json"] is original


def test_module_state_is_warm_until_the_code_changes(lam):
    create(lam, "count", {"app.py": "calls = 0\ndef handler(e, c):\n    global calls\n    calls += 1\n    return calls\n"})
    assert [_invoke(lam, "count")[1] for _ in range(3)] == [1, 2, 3]
    lam.update_function_code(FunctionName="count", ZipFile=make_zip(
        {"app.py": "def handler(e, c):\n    return 'new code'\n"}))
    assert _invoke(lam, "count")[1] == "new code"


def test_environment_variables_only_during_the_call(lam):
    os.environ.pop("MY_SETTING", None)
    create(lam, "env", {"app.py": """
        import os
        def handler(event, context):
            return {k: os.environ.get(k) for k in ("MY_SETTING", "AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME")}
    """}, Environment={"Variables": {"MY_SETTING": "on"}})
    assert _invoke(lam, "env")[1] == {"MY_SETTING": "on", "AWS_REGION": "us-east-1", "AWS_LAMBDA_FUNCTION_NAME": "env"}
    assert "MY_SETTING" not in os.environ
    assert os.environ.get("AWS_LAMBDA_FUNCTION_NAME") is None


def test_boto3_inside_the_handler_reaches_the_same_emulator(lam, sqs):
    url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    create(lam, "sender", {"app.py": """
        import os, boto3
        sqs = boto3.client("sqs")
        def handler(event, context):
            sqs.send_message(QueueUrl=event["url"], MessageBody="from lambda")
            return boto3.client("sts").get_caller_identity()["Account"]
    """})
    assert _invoke(lam, "sender", {"url": url})[1] == "123456789012"
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "from lambda"


def test_handler_error_payload(lam):
    create(lam, "boom", {"app.py": "def handler(event, context):\n    raise ValueError('bad input')\n"})
    out, body = _invoke(lam, "boom")
    assert out["StatusCode"] == 200 and out["FunctionError"] == "Unhandled"
    assert body["errorMessage"] == "bad input" and body["errorType"] == "ValueError"
    assert body["requestId"] == out["ResponseMetadata"]["RequestId"]
    assert body["stackTrace"] == ['  File "/var/task/app.py", line 2, in handler\n'
                                 "    raise ValueError('bad input')\n"]


@pytest.mark.parametrize("files, handler, error_type, message", [
    ({"app.py": "import not_there\n"}, "app.handler", "Runtime.ImportModuleError",
     "Unable to import module 'app': No module named 'not_there'"),
    ({"app.py": "x = 1\n"}, "app.handler", "Runtime.HandlerNotFound", "Handler 'handler' missing on module 'app'"),
    ({"app.py": "def handler(:\n"}, "app.handler", "Runtime.UserCodeSyntaxError", "Syntax error in module 'app'"),
    ({"app.py": "x = 1\n"}, "nodot", "Runtime.MalformedHandlerName", "Bad handler 'nodot'"),
    ({"app.py": "def handler(e, c):\n    return {1, 2}\n"}, "app.handler", "Runtime.MarshalError",
     "Unable to marshal response: Object of type set is not JSON serializable"),
])
def test_runtime_errors(lam, files, handler, error_type, message):
    create(lam, "f", files, handler=handler)
    out, body = _invoke(lam, "f")
    assert out["FunctionError"] == "Unhandled"
    assert body["errorType"] == error_type
    assert body["errorMessage"].startswith(message)


def test_handler_in_a_subfolder_and_decimal_results(lam):
    create(lam, "f", {"src/app.py": "from decimal import Decimal\ndef handler(e, c):\n    return {'n': Decimal('2'), 'x': Decimal('1.5')}\n"},
           handler="src/app.handler")
    assert _invoke(lam, "f")[1] == {"n": 2, "x": 1.5}


@pytest.mark.kumo(clock="virtual")
def test_timeouts_as_aws_reports_them(lam, kumo):
    side_effects = []

    def slow(event, context):
        kumo.clock.advance(5)
        side_effects.append("ran")
        return "too late"
    register_callable("slow", slow, timeout=3)
    out = lam.invoke(FunctionName="slow", LogType="Tail")
    body = json.loads(out["Payload"].read())
    assert out["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout"
    assert body["errorMessage"].endswith("Task timed out after 3.00 seconds")
    assert side_effects == ["ran"]
    log = base64.b64decode(out["LogResult"]).decode()
    assert "Task timed out after 3.00 seconds" in log and "Status: timeout" in log


def test_log_tail_has_start_output_end_report(lam):
    create(lam, "talk", {"app.py": """
        import logging
        logger = logging.getLogger()
        logger.setLevel(logging.INFO)
        def handler(event, context):
            print("first line")
            print("second\\nthird")
            logger.info("logged %s", 42)
            return 1
    """})
    out = lam.invoke(FunctionName="talk", LogType="Tail")
    lines = base64.b64decode(out["LogResult"]).decode().splitlines()
    request_id = out["ResponseMetadata"]["RequestId"]
    assert lines[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert lines[1:4] == ["first line", "second", "third"]
    assert lines[4].startswith("[INFO]\t") and lines[4].endswith(f"\t{request_id}\tlogged 42")
    assert lines[5] == f"END RequestId: {request_id}"
    assert lines[6].startswith(f"REPORT RequestId: {request_id}\tDuration: ")
    assert "Init Duration" in lines[6]
    logging_root = __import__("logging").getLogger()
    logging_root.setLevel(__import__("logging").WARNING)


def test_log_tail_is_the_last_4_kb(lam):
    create(lam, "chatty", {"app.py": "def handler(e, c):\n    print('x' * 10000)\n"})
    out = lam.invoke(FunctionName="chatty", LogType="Tail")
    assert len(base64.b64decode(out["LogResult"])) == 4096


def test_logs_reach_cloudwatch_logs(lam):
    pytest.importorskip("kumo_intercept.services.logs.backend")
    create(lam, "logged", {"app.py": "def handler(e, c):\n    print('hello logs')\n"})
    lam.invoke(FunctionName="logged")
    logs = boto3.client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/lambda/logged")["logStreams"]
    assert len(streams) == 1
    events = logs.get_log_events(logGroupName="/aws/lambda/logged",
                                 logStreamName=streams[0]["logStreamName"])["events"]
    messages = [e["message"] for e in events]
    assert messages[0].startswith("START RequestId:") and "hello logs" in messages
    assert messages[-1].startswith("REPORT RequestId:")


def test_dry_run_and_event_invocations(lam, sqs):
    calls = []
    register_callable("f", lambda event, context: calls.append(event))
    dry = lam.invoke(FunctionName="f", InvocationType="DryRun")
    assert dry["StatusCode"] == 204 and calls == []
    event = lam.invoke(FunctionName="f", InvocationType="Event", Payload=b'{"async": true}')
    assert event["StatusCode"] == 202 and event["Payload"].read() == b""
    assert calls == [{"async": True}]  # delivered before the call returned


def test_bad_payload_and_missing_function(lam):
    register_callable("f", lambda e, c: None)
    with pytest.raises(lam.exceptions.InvalidRequestContentException):
        lam.invoke(FunctionName="f", Payload=b"{not json")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName="nope")


def test_other_runtimes_are_not_emulated_at_invoke(lam):
    create(lam, "node", {"index.js": "exports.handler = async () => 1;"}, handler="index.handler",
           Runtime="nodejs20.x")
    with pytest.raises(NotEmulatedError, match="nodejs20.x"):
        lam.invoke(FunctionName="node")


def test_register_callable_replaces_code_and_keeps_configuration(lam):
    create(lam, "f", {"app.py": "def handler(e, c):\n    return 'zip'\n"}, Environment={"Variables": {"A": "b"}})
    arn = register_callable("f", lambda event, context: __import__("os").environ["A"])
    assert arn == "arn:aws:lambda:us-east-1:123456789012:function:f"
    assert _invoke(lam, "f")[1] == "b"
    assert lam.get_function_configuration(FunctionName="f")["State"] == "Active"


def test_register_callable_needs_an_emulator():
    with pytest.raises(Exception, match="active emulator"):
        register_callable("f", lambda e, c: None)


def test_a_function_invoking_another(lam):
    register_callable("inner", lambda event, context: event["x"] * 2)
    create(lam, "outer", {"app.py": """
        import json, boto3
        def handler(event, context):
            out = boto3.client("lambda").invoke(FunctionName="inner", Payload=json.dumps({"x": 21}))
            return json.loads(out["Payload"].read())
    """})
    assert _invoke(lam, "outer")[1] == 42


def test_functions_in_another_account(kumo):
    other = boto3.client("lambda", aws_access_key_id="111122223333", aws_secret_access_key="x")
    arn = create(other, "f", {"app.py": "import boto3\ndef handler(e, c):\n    return boto3.client('sts').get_caller_identity()['Account']\n"},
                 Role="arn:aws:iam::111122223333:role/lambda-role")["FunctionArn"]
    assert arn.startswith("arn:aws:lambda:us-east-1:111122223333:")
    assert json.loads(other.invoke(FunctionName="f")["Payload"].read()) == "111122223333"
    with pytest.raises(Exception):
        boto3.client("lambda").get_function(FunctionName="f")


def test_nested_invocations_keep_each_ones_output(lam):
    import logging

    def inner(event, context):
        print("inner says")
        logging.getLogger().warning("inner warns")

    def outer(event, context):
        print("outer before")
        boto3.client("lambda").invoke(FunctionName="inner")
        logging.getLogger().warning("outer warns")
        print("outer after")
    register_callable("inner", inner)
    register_callable("outer", outer)
    lines = base64.b64decode(lam.invoke(FunctionName="outer", LogType="Tail")["LogResult"]).decode().splitlines()
    output = [line.split("\t")[-1] for line in lines[1:-2]]
    assert output == ["outer before", "outer warns", "outer after"]


def test_vendored_boto3_and_botocore_never_replace_the_emulators(lam):
    create(lam, "vendored", {
        "botocore/__init__.py": "raise ImportError('the vendored botocore must not be imported')\n",
        "boto3/__init__.py": "raise ImportError('the vendored boto3 must not be imported')\n",
        "app.py": "import boto3\ndef handler(e, c):\n    return boto3.client('sts').get_caller_identity()['Account']\n",
    })
    assert _invoke(lam, "vendored")[1] == "123456789012"
