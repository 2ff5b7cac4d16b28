"""A handler's environment variables are its own (other threads never see them), and a handler may
start threads that call boto3 and wait for them: the emulator's lock is not held while it runs.

Facts: AWS's Python runtime exposes the function's variables through the process environment of its
own execution environment (docs: "Working with Lambda environment variables"); here one process hosts
many, so each invocation's variables live in its thread."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import boto3
import pytest

from kumo_intercept.core.errors import KumoError
from kumo_intercept.services.awslambda import register_callable


def test_other_threads_never_see_an_invocations_variables_while_it_runs(lam, kumo):
    os.environ.pop("ONLY_IN_HANDLER", None)
    inside = threading.Event()
    done = threading.Event()
    seen: list[object] = []

    def handler(event, context):
        inside.set()
        done.wait(10)
        return {"get": os.environ["ONLY_IN_HANDLER"], "getenv": os.getenv("ONLY_IN_HANDLER"),
                "in": "ONLY_IN_HANDLER" in os.environ, "copy": os.environ.copy().get("ONLY_IN_HANDLER"),
                "iter": "ONLY_IN_HANDLER" in list(os.environ), "name": os.environ["AWS_LAMBDA_FUNCTION_NAME"]}

    register_callable("envy", handler, environment={"ONLY_IN_HANDLER": "secret"})

    def reader() -> None:
        inside.wait(10)
        try:
            seen.extend([os.environ.get("ONLY_IN_HANDLER"), os.getenv("ONLY_IN_HANDLER"),
                         "ONLY_IN_HANDLER" in os.environ, "ONLY_IN_HANDLER" in os.environ.copy(),
                         "ONLY_IN_HANDLER" in dict(os.environ.items()), len(os.environ) == len(list(os.environ))])
            os.environ["PATH"]  # a process variable stays readable: no KeyError in other threads
        finally:
            done.set()

    thread = threading.Thread(target=reader)
    thread.start()
    result = lam.invoke(FunctionName="envy")["Payload"].read()
    thread.join(10)
    assert seen == [None, None, False, False, False, True]
    assert b'"get": "secret", "getenv": "secret", "in": true, "copy": "secret", "iter": true' in result
    assert "ONLY_IN_HANDLER" not in os.environ and type(os.environ).__name__ == "_Environ"  # restored exactly


def test_a_subprocess_started_by_the_handler_gets_its_variables(lam):
    def handler(event, context):
        os.environ["SET_BY_HANDLER"] = "too"
        code = "import os; print(os.environ.get('FROM_FUNCTION'), os.environ.get('SET_BY_HANDLER'))"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        spawned = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                                   close_fds=False)  # close_fds=False: the posix_spawn path
        read_end, write_end = os.pipe()
        pid = os.posix_spawn(sys.executable, [sys.executable, "-c", code], os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, write_end, 1)])
        os.close(write_end)
        os.waitpid(pid, 0)
        with os.fdopen(read_end) as pipe:
            direct = pipe.read().strip()
        return [out.strip(), spawned.communicate()[0].strip(), direct]

    register_callable("spawner", handler, environment={"FROM_FUNCTION": "yes"})
    payload = lam.invoke(FunctionName="spawner")["Payload"].read()
    assert payload == b'["yes too", "yes too", "yes too"]'
    assert "SET_BY_HANDLER" not in os.environ and "FROM_FUNCTION" not in os.environ


def test_a_handler_may_start_a_thread_that_calls_boto3_and_join_it(lam, sqs):
    url = sqs.create_queue(QueueName="from-thread")["QueueUrl"]

    def handler(event, context):
        def send() -> None:
            boto3.client("sqs").send_message(QueueUrl=url, MessageBody="sent by a thread",
                                              MessageAttributes={"seen": {"DataType": "String",
                                                                          "StringValue": os.environ["SETTING"]}})
        worker = threading.Thread(target=send)
        worker.start()
        worker.join()  # used to wait forever: the invoking thread held the emulator's lock
        return "joined"

    register_callable("fan-out", handler, environment={"SETTING": "inherited"})
    assert lam.invoke(FunctionName="fan-out")["Payload"].read() == b'"joined"'
    [message] = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    assert message["Body"] == "sent by a thread"
    assert message["MessageAttributes"]["seen"]["StringValue"] == "inherited"  # the thread sees the variables
    assert threading.Thread.start.__name__ == "start"  # put back once no handler runs


def test_a_handler_waiting_for_a_thread_that_invokes_a_function_fails_after_the_timeout(lam, kumo):
    register_callable("inner", lambda event, context: "inner ran", timeout=1)
    errors: list[BaseException] = []

    def handler(event, context):
        def invoke() -> None:
            try:
                boto3.client("lambda").invoke(FunctionName="inner")
            except BaseException as exc:  # noqa: BLE001 - reported to the test
                errors.append(exc)
        worker = threading.Thread(target=invoke)
        worker.start()
        worker.join()
        return "outer done"

    register_callable("outer", handler, timeout=5)
    assert lam.invoke(FunctionName="outer")["Payload"].read() == b'"outer done"'
    [error] = errors
    assert isinstance(error, KumoError) and "one handler at a time" in str(error) and "inner" in str(error)
    assert lam.invoke(FunctionName="inner")["Payload"].read() == b'"inner ran"'  # the turn was given back
