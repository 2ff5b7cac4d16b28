"""Step Functions benchmark: a 10-state standard execution of Lambda tasks, run to completion.

    python benchmarks/bench_stepfunctions.py

Target (issue "Streams and workflows", item 8): emulator time per state ≤ 5 ms. StartExecution
returns after the execution has run (deferred work before the call returns), so one call is the
whole execution: µs per call / 10 is the time per state. Shown beside it: the same 10 Lambda
invokes called directly, a 10-Pass-state machine, and the botocore floor of StartExecution.
"""

from __future__ import annotations

import io
import json
import zipfile

import boto3

from common import compare, floor_client, report

from kumo_intercept import kumo

ROLE = "arn:aws:iam::123456789012:role/bench"
STATES = 10


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {'n': event['n'] + 1}\n")
    return buffer.getvalue()


def _chain(state: dict) -> dict:
    names = [f"S{i}" for i in range(STATES)]
    return {"StartAt": names[0], "States": {
        name: {**state, **({"Next": names[i + 1]} if i + 1 < STATES else {"End": True})}
        for i, name in enumerate(names)}}


def bench_execution() -> None:
    floor = floor_client("stepfunctions", {"StartExecution": {"executionArn": "arn", "startDate": 0}})
    aws = kumo().start()
    try:
        lam, sfn = boto3.client("lambda"), boto3.client("stepfunctions")
        function = lam.create_function(FunctionName="inc", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                                       Code={"ZipFile": _zip()})["FunctionArn"]
        tasks = sfn.create_state_machine(name="tasks", roleArn=ROLE,
                                         definition=json.dumps(_chain({"Type": "Task", "Resource": function})))
        passes = sfn.create_state_machine(name="passes", roleArn=ROLE,
                                          definition=json.dumps(_chain({"Type": "Pass"})))
        payload = json.dumps({"n": 0})
        execution = sfn.start_execution(stateMachineArn=tasks["stateMachineArn"], input=payload)
        assert json.loads(sfn.describe_execution(executionArn=execution["executionArn"])["output"]) == {"n": STATES}

        def direct() -> None:
            for _ in range(STATES):
                lam.invoke(FunctionName="inc", Payload=payload)

        results = compare({
            "floor": lambda: floor.start_execution(stateMachineArn="arn:aws:states:us-east-1:1:stateMachine:x"),
            "kumo 10 Lambda tasks": lambda: sfn.start_execution(stateMachineArn=tasks["stateMachineArn"], input=payload),
            "kumo 10 Pass states": lambda: sfn.start_execution(stateMachineArn=passes["stateMachineArn"], input=payload),
            "kumo 10 direct invokes": direct,
        }, emulator=aws, calls=30, rounds=5, warmup=5)
    finally:
        aws.stop()
    report("A 10-state execution run to completion by StartExecution", results)
    for name in ("kumo 10 Lambda tasks", "kumo 10 Pass states"):
        print(f"{name}: {results[name] / STATES / 1000:.2f} ms per state (target ≤ 5 ms)")
    print(f"orchestration over direct invokes: "
          f"{(results['kumo 10 Lambda tasks'] - results['kumo 10 direct invokes']) / STATES / 1000:.2f} ms per state")


if __name__ == "__main__":
    bench_execution()
