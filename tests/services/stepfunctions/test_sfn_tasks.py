"""Task states: Lambda, service integrations, the AWS SDK integrations, task tokens, activities,
Retry/Catch and timeouts, nested executions, EventBridge rule targets.

Facts: developer guide "Call other AWS services", "Wait for a callback with task token", "Activities",
"Handling errors in Step Functions workflows"; LocalStack's AWS-recorded snapshots
tests/aws/services/stepfunctions/v2/services/test_lambda_task_service.snapshot.json (lambda:invoke's
result has ExecutedVersion, Payload and StatusCode) and error_handling/test_aws_sdk.snapshot.json
(AWS SDK errors named "<Service>.<Exception>").
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from sfn_helpers import history, output


def task(resource: str, **fields: Any) -> dict:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True, **fields}}}


def test_lambda_bare_arn_and_invoke_integration(sfn, run, function):
    arn = function("double", "return {'n': event['n'] * 2}")
    described = run(task(arn), {"n": 21})
    assert output(described) == {"n": 42}
    types = [e["type"] for e in history(sfn, described["executionArn"])]
    assert types[2:5] == ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded"]
    got = output(run(task("arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "double", "Payload.$": "$"},
                          ResultSelector={"body.$": "$.Payload", "code.$": "$.StatusCode"}), {"n": 2}))
    assert got == {"body": {"n": 4}, "code": 200}


def test_lambda_error_retry_and_catch(aws, sfn, machine, function):
    # Retry with backoff on the emulator clock, then Catch with ResultPath (error handling guide)
    function("flaky", "raise ValueError('boom')")
    arn = machine({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "flaky"},
              "Retry": [{"ErrorEquals": ["ValueError"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 2}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Caught"}], "End": True},
        "Caught": {"Type": "Pass", "End": True}}})
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    aws.clock.advance(2)
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    aws.clock.advance(6)  # second retry after 2 * 3 seconds
    described = sfn.describe_execution(executionArn=execution)
    assert output(described)["err"]["Error"] == "ValueError"
    assert "boom" in json.loads(output(described)["err"]["Cause"])["errorMessage"]
    assert [e["type"] for e in history(sfn, execution)].count("TaskFailed") == 3


def test_sqs_and_dynamodb_integrations(aws, run):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="out")["QueueUrl"]
    ddb = boto3.client("dynamodb")
    ddb.create_table(TableName="t", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    definition = {"StartAt": "Send", "States": {
        "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "ResultPath": "$.sent",
                 "Parameters": {"QueueUrl": url, "MessageBody.$": "$.body"}, "Next": "Put"},
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "ResultPath": None,
                "Parameters": {"TableName": "t", "Item": {"id": {"S.$": "$.id"}}}, "Next": "Get"},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "ResultSelector": {"item.$": "$.Item"},
                "Parameters": {"TableName": "t", "Key": {"id": {"S.$": "$.id"}}}, "End": True}}}
    got = output(run(definition, {"id": "k1", "body": {"hello": "world"}}))
    assert got == {"item": {"id": {"S": "k1"}}}
    message = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert json.loads(message["Body"]) == {"hello": "world"}


def test_aws_sdk_integration_and_its_error_names(aws, run):
    boto3.client("s3").create_bucket(Bucket="bucket-b")
    got = output(run(task("arn:aws:states:::aws-sdk:s3:listBuckets", ResultSelector={"names.$": "$.Buckets[*].Name"})))
    assert got == {"names": ["bucket-b"]}
    described = run(task("arn:aws:states:::aws-sdk:dynamodb:getItem",
                         Parameters={"TableName": "missing", "Key": {"id": {"S": "x"}}}))
    assert described["status"] == "FAILED"
    assert described["error"] == "DynamoDb.ResourceNotFoundException"
    # an unmodeled error is the service's base exception; a modeled one its exception class
    # (test_aws_sdk.snapshot.json: DynamoDb.DynamoDbException, S3.NoSuchBucketException)
    boto3.client("dynamodb").create_table(
        TableName="x", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    invalid = run(task("arn:aws:states:::aws-sdk:dynamodb:putItem", Parameters={"TableName": "x", "Item": {}}))
    assert invalid["error"] == "DynamoDb.DynamoDbException"
    missing = run(task("arn:aws:states:::aws-sdk:s3:listObjects", Parameters={"Bucket": "no-such-bucket-here"}))
    assert missing["error"] == "S3.NoSuchBucketException"
    assert missing["cause"].startswith("The specified bucket does not exist (Service: S3, Status Code: 404")


def test_wait_for_task_token(aws, sfn, machine):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="tokens")["QueueUrl"]
    arn = machine(task("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                       Parameters={"QueueUrl": url, "MessageBody": {"token.$": "$$.Task.Token"}}))
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    token = json.loads(sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"])["token"]
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    sfn.send_task_heartbeat(taskToken=token)
    sfn.send_task_success(taskToken=token, output=json.dumps({"done": True}))
    assert output(sfn.describe_execution(executionArn=execution)) == {"done": True}
    with pytest.raises(sfn.exceptions.TaskTimedOut):
        sfn.send_task_success(taskToken=token, output="{}")
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_failure(taskToken="not-a-token")


def test_a_function_may_answer_its_token_at_once(sfn, machine, function):
    # lambda:invoke.waitForTaskToken whose function calls SendTaskSuccess itself, inside the invoke
    function("answer", """
        import boto3, json
        boto3.client("stepfunctions").send_task_success(taskToken=event["token"], output=json.dumps({"via": "lambda"}))
        return None
    """)
    arn = machine(task("arn:aws:states:::lambda:invoke.waitForTaskToken",
                       Parameters={"FunctionName": "answer", "Payload": {"token.$": "$$.Task.Token"}}))
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    assert output(sfn.describe_execution(executionArn=execution)) == {"via": "lambda"}


def test_a_restart_from_the_data_directory_continues_a_waiting_execution(tmp_path):
    # durable executions: the record, history and journal are store tables (docs/persistence.md)
    from kumo_intercept import kumo
    with kumo(clock="virtual", data_dir=str(tmp_path)) as aws:
        sfn = boto3.client("stepfunctions")
        arn = sfn.create_state_machine(name="w", roleArn="arn:aws:iam::123456789012:role/r", definition=json.dumps(
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}))["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn, input='{"k": 1}')["executionArn"]
        aws.restart()
        assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
        aws.clock.advance(3600)
        assert output(sfn.describe_execution(executionArn=execution)) == {"k": 1}


def test_task_token_timeout_and_heartbeat(aws, sfn, machine):
    # TimeoutSeconds/HeartbeatSeconds on the emulator clock fail the task with States.Timeout
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="t2")["QueueUrl"]
    arn = machine(task("arn:aws:states:::sqs:sendMessage.waitForTaskToken", TimeoutSeconds=100, HeartbeatSeconds=10,
                       Parameters={"QueueUrl": url, "MessageBody.$": "$$.Task.Token"}))
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    token = sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"]
    aws.clock.advance(8)
    sfn.send_task_heartbeat(taskToken=token)
    aws.clock.advance(8)
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    aws.clock.advance(3)
    described = sfn.describe_execution(executionArn=execution)
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    assert "TaskTimedOut" in [e["type"] for e in history(sfn, execution)]


def test_activities(aws, sfn, machine):
    activity = sfn.create_activity(name="work")["activityArn"]
    assert sfn.create_activity(name="work")["activityArn"] == activity  # idempotent by name
    arn = machine(task(activity))
    execution = sfn.start_execution(stateMachineArn=arn, input='{"job": 1}')["executionArn"]
    got = sfn.get_activity_task(activityArn=activity, workerName="w")
    assert json.loads(got["input"]) == {"job": 1}
    sfn.send_task_success(taskToken=got["taskToken"], output='{"ok": 1}')
    assert output(sfn.describe_execution(executionArn=execution)) == {"ok": 1}
    before = aws.clock.time()
    assert "taskToken" not in sfn.get_activity_task(activityArn=activity)
    assert aws.clock.time() - before == 60  # the empty long poll moves the virtual clock by its window
    assert [a["name"] for a in sfn.list_activities()["activities"]] == ["work"]
    sfn.delete_activity(activityArn=activity)
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.describe_activity(activityArn=activity)


def test_nested_execution_sync(aws, sfn, machine):
    child = machine({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "Next": "P"},
                                               "P": {"Type": "Pass", "Result": {"child": 1}, "End": True}}})
    parent = machine(task("arn:aws:states:::states:startExecution.sync:2",
                          Parameters={"StateMachineArn": child, "Input": {"x": 1}}, ResultSelector={"out.$": "$.Output"}))
    execution = sfn.start_execution(stateMachineArn=parent, input="{}")["executionArn"]
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    aws.clock.advance(5)
    assert output(sfn.describe_execution(executionArn=execution)) == {"out": {"child": 1}}


def test_execution_timeout_and_stop(aws, sfn, machine):
    arn = machine({"TimeoutSeconds": 30, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}})
    timed = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    stopped = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    sfn.stop_execution(executionArn=stopped, error="E", cause="c")
    aws.clock.advance(30)
    assert sfn.describe_execution(executionArn=timed)["status"] == "TIMED_OUT"
    assert history(sfn, timed)[-1]["type"] == "ExecutionTimedOut"
    assert history(sfn, stopped)[-1]["type"] == "ExecutionAborted"
    listed = sfn.list_executions(stateMachineArn=arn, statusFilter="ABORTED")["executions"]
    assert [e["executionArn"] for e in listed] == [stopped]


def test_start_sync_execution_express(sfn, machine):
    arn = machine({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3, "Next": "P"},
                                             "P": {"Type": "Pass", "Result": 7, "End": True}}}, type="EXPRESS")
    answer = sfn.start_sync_execution(stateMachineArn=arn, input="{}")
    assert (answer["status"], answer["output"]) == ("SUCCEEDED", "7")
    standard = machine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
        sfn.start_sync_execution(stateMachineArn=standard)


def test_eventbridge_rule_starts_an_execution(aws, sfn, machine):
    # EventBridge targets can be state machines (EventBridge user guide "Targets")
    arn = machine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    events = boto3.client("events")
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["app"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "1", "Arn": arn, "RoleArn": "arn:aws:iam::123456789012:role/e"}])
    events.put_events(Entries=[{"Source": "app", "DetailType": "t", "Detail": "{}"}])
    listed = sfn.list_executions(stateMachineArn=arn)["executions"]
    assert [e["status"] for e in listed] == ["SUCCEEDED"]
    assert json.loads(sfn.describe_execution(executionArn=listed[0]["executionArn"])["input"])["source"] == "app"


def test_the_backend_serves_the_workflow_port(aws):
    from kumo_intercept.core.ports import WorkflowPort
    assert isinstance(aws.ports.workflows, WorkflowPort)


def test_bad_input_is_refused(sfn, machine):
    arn = machine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    with pytest.raises(sfn.exceptions.InvalidExecutionInput):
        sfn.start_execution(stateMachineArn=arn, input="{not json")
    with pytest.raises(ClientError) as info:
        sfn.describe_execution(executionArn=arn.replace(":stateMachine:", ":execution:") + ":nope")
    assert info.value.response["Error"]["Code"] == "ExecutionDoesNotExist"


def test_redrive_runs_again_from_the_failed_state(aws, sfn, machine, function):
    # RedriveExecution (API reference; developer guide "Redriving executions"): the states that
    # succeeded are not run again, the failed one is, and the history goes on after ExecutionRedriven
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="once")["QueueUrl"]
    function("step", "raise RuntimeError('not yet')")
    arn = machine({"StartAt": "Send", "States": {
        "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "ResultPath": None,
                 "Parameters": {"QueueUrl": url, "MessageBody": "sent"}, "Next": "Step"},
        "Step": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload",
                 "Parameters": {"FunctionName": "step", "Payload.$": "$"}, "End": True}}})
    execution = sfn.start_execution(stateMachineArn=arn, input='{"v": 1}')["executionArn"]
    failed = sfn.describe_execution(executionArn=execution)
    assert (failed["status"], failed["redriveStatus"]) == ("FAILED", "REDRIVABLE")
    function_code = "def handler(event, context):\n    return {'fixed': event['v']}\n"
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", function_code)
    boto3.client("lambda").update_function_code(FunctionName="step", ZipFile=buffer.getvalue())
    sfn.redrive_execution(executionArn=execution)
    described = sfn.describe_execution(executionArn=execution)
    assert output(described) == {"fixed": 1} and described["redriveCount"] == 1
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 1
    types = [e["type"] for e in history(sfn, execution)]
    assert types[types.index("ExecutionRedriven") + 1] == "TaskStateEntered"
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=execution)
