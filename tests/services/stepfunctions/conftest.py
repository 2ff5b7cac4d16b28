"""Fixtures of the Step Functions tests: a client, and helpers that create a machine and run it."""

from __future__ import annotations

import io
import json
import textwrap
import zipfile
from typing import Any, Callable

import boto3
import pytest

from sfn_helpers import ROLE


@pytest.fixture
def sfn(aws: Any) -> Any:
    return boto3.client("stepfunctions")


@pytest.fixture
def machine(sfn: Any) -> Callable[..., str]:
    """Create a state machine from a definition dict; returns its ARN."""
    counter = iter(range(1000))

    def create(definition: dict, *, type: str = "STANDARD", name: str | None = None) -> str:
        return sfn.create_state_machine(name=name or f"m{next(counter)}", definition=json.dumps(definition),
                                        roleArn=ROLE, type=type)["stateMachineArn"]
    return create


@pytest.fixture
def run(sfn: Any, machine: Callable[..., str]) -> Callable[..., dict]:
    """Create a machine, start it with an input, return DescribeExecution."""

    def execute(definition: dict, data: Any = None, **kwargs: Any) -> dict:
        arn = machine(definition, **kwargs)
        execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(data if data is not None else {}))
        return sfn.describe_execution(executionArn=execution["executionArn"])
    return execute


@pytest.fixture
def function(aws: Any) -> Callable[[str, str], str]:
    """Create a Python Lambda function from the body of ``handler(event, context)``; returns its ARN."""
    lam = boto3.client("lambda")

    def create(name: str, body: str) -> str:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("app.py", "def handler(event, context):\n" + textwrap.indent(textwrap.dedent(body), "    "))
        return lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                                   Code={"ZipFile": buffer.getvalue()})["FunctionArn"]
    return create
