"""Task states: what a ``Resource`` ARN calls and how its answer comes back.

Lambda (the bare function ARN and ``arn:aws:states:::lambda:invoke``), the optimized integrations
(SQS sendMessage, SNS publish, DynamoDB getItem/putItem/updateItem/deleteItem, EventBridge putEvents,
Step Functions startExecution with ``.sync`` / ``.sync:2``), the AWS SDK integrations
``arn:aws:states:::aws-sdk:<service>:<action>``, activities, and ``.waitForTaskToken`` on any of them.
Other services are reached only through ``emulator.ports``. Error names: the developer guide's
"Handling errors in service integrations" (``<Service>.<ErrorCode>``; for the AWS SDK integrations
the SDK's exception class name, e.g. ``DynamoDb.ResourceNotFoundException``).
"""

from __future__ import annotations

import base64
import csv
import datetime as _dt
import io
import json
from typing import TYPE_CHECKING, Any

from ...core.errors import AwsError
from ...core.ports import service_model
from ...core.partitions import arn_prefix
from .failures import StateFailure, Suspend
from .interpreter import Run, Scope, iso, to_json

if TYPE_CHECKING:
    from .host import ExecutionHost

#: optimized integration -> (botocore service, operation, error prefix)
_OPTIMIZED: dict[str, tuple[str, str, str]] = {
    "sqs:sendMessage": ("sqs", "SendMessage", "SQS"),
    "sns:publish": ("sns", "Publish", "SNS"),
    "dynamodb:getItem": ("dynamodb", "GetItem", "DynamoDB"),
    "dynamodb:putItem": ("dynamodb", "PutItem", "DynamoDB"),
    "dynamodb:updateItem": ("dynamodb", "UpdateItem", "DynamoDB"),
    "dynamodb:deleteItem": ("dynamodb", "DeleteItem", "DynamoDB"),
    "events:putEvents": ("events", "PutEvents", "EventBridge"),
    "s3:getObject": ("s3", "GetObject", "S3"),
    "s3:listObjectsV2": ("s3", "ListObjectsV2", "S3"),
}
#: the AWS SDK integration's service names that differ from botocore's, and their error prefixes
_SDK_SERVICES = {"sfn": "stepfunctions", "eventbridge": "events", "cloudwatchlogs": "logs"}
_SDK_PREFIXES = {"dynamodb": "DynamoDb", "sqs": "Sqs", "sns": "Sns", "s3": "S3", "lambda": "Lambda",
                 "sfn": "Sfn", "eventbridge": "EventBridge", "secretsmanager": "SecretsManager",
                 "ssm": "Ssm", "kms": "Kms", "cloudwatchlogs": "CloudWatchLogs", "sts": "Sts"}
_PATTERNS = (".waitForTaskToken", ".sync:2", ".sync")


def split_resource(resource: str) -> tuple[str, str, str]:
    """(resourceType, resource, pattern) as history events name them: ``lambda``, ``invoke``, ``""``."""
    pattern = next((p for p in _PATTERNS if resource.endswith(p)), "")
    body = resource[: len(resource) - len(pattern)]
    parts = body.split(":")
    if parts[2] == "states" and parts[5:]:
        service = ":".join(parts[5:-1])
        return service, parts[-1] + pattern, pattern
    return parts[2], resource, pattern


def run_task(host: "ExecutionHost", run: Run, scope: Scope, state: dict, params: Any, context: dict) -> Any:
    resource = state["Resource"]
    if "ItemReader" in state:
        return _read_items(host, state["ItemReader"], params)
    if ":activity:" in resource:
        return _activity(host, run, scope, state, params)
    if ":lambda:" in resource and ":function:" in resource:
        return _bare_lambda(host, run, scope, resource, params)
    resource_type, name, pattern = split_resource(resource)
    details = {"resourceType": resource_type, "resource": name, "region": host.region,
               "parameters": to_json(params)}
    for field, key in (("TimeoutSeconds", "timeoutInSeconds"), ("HeartbeatSeconds", "heartbeatInSeconds")):
        if field in state:
            details[key] = state[field]
    kind = {"resourceType": resource_type, "resource": name}
    if pattern == ".waitForTaskToken":
        host.token(context["Task"]["Token"], state)  # open before the call: the callee may answer at once
    run.event(scope, "TaskScheduled", {"taskScheduledEventDetails": details})
    run.event(scope, "TaskStarted", {"taskStartedEventDetails": kind})
    try:
        outcome = run.once(scope, lambda: _outcome(lambda: _call(host, resource_type, name, pattern, params)))
        result = _unwrap(outcome)
        if pattern == ".waitForTaskToken":
            run.event(scope, "TaskSubmitted", {"taskSubmittedEventDetails": {**kind, "output": to_json(result)}})
            result = _await_token(host, run, scope, state, context["Task"]["Token"])
        elif pattern.startswith(".sync"):
            run.event(scope, "TaskSubmitted", {"taskSubmittedEventDetails": {**kind, "output": to_json(result)}})
            result = _await_child(host, result["ExecutionArn"], pattern)
    except StateFailure as failure:
        event = "TaskTimedOut" if failure.error == "States.Timeout" else "TaskFailed"
        key = "taskTimedOutEventDetails" if event == "TaskTimedOut" else "taskFailedEventDetails"
        run.event(scope, event, {key: {**kind, "error": failure.error, "cause": failure.cause}})
        raise
    run.event(scope, "TaskSucceeded", {"taskSucceededEventDetails": {**kind, "output": to_json(result)}})
    return result


def _outcome(work: Any) -> dict:
    """A call's outcome as a journal value: ``{"ok": result}`` or ``{"error", "cause"}``."""
    try:
        return {"ok": work()}
    except StateFailure as failure:
        return {"error": failure.error, "cause": failure.cause}


def _unwrap(outcome: dict) -> Any:
    if "error" in outcome:
        raise StateFailure(outcome["error"], outcome["cause"])
    return outcome["ok"]


def _call(host: "ExecutionHost", resource_type: str, name: str, pattern: str, params: Any) -> Any:
    action = name[: len(name) - len(pattern)] if pattern else name
    if resource_type == "lambda" and action == "invoke":
        return _lambda_invoke(host, params)
    if resource_type == "states" and action == "startExecution":
        return host.start_child(params)
    if resource_type.startswith("aws-sdk:"):
        sdk_service = resource_type.split(":", 1)[1]
        service = _SDK_SERVICES.get(sdk_service, sdk_service)
        prefix = _SDK_PREFIXES.get(sdk_service, sdk_service.capitalize())
        operation = action[:1].upper() + action[1:]
        return _service_call(host, service, operation, params, prefix, sdk=True)
    optimized = _OPTIMIZED.get(f"{resource_type}:{action}")
    if optimized is None:
        raise StateFailure("States.Runtime", f"The resource arn:aws:states:::{resource_type}:{name} is not emulated")
    service, operation, prefix = optimized
    return _service_call(host, service, operation, _optimized_params(service, params), prefix, sdk=False)


def _optimized_params(service: str, params: dict) -> dict:
    """The optimized integrations take objects where the API takes JSON text."""
    text_fields = {"sqs": ("MessageBody",), "sns": ("Message",)}.get(service, ())
    out = {key: (to_json(value) if key in text_fields and not isinstance(value, str) else value)
           for key, value in params.items()}
    if service == "events":
        out["Entries"] = [{**e, "Detail": e["Detail"] if isinstance(e.get("Detail"), str) else to_json(e.get("Detail", {}))}
                          for e in params.get("Entries", [])]
    return out


def _service_call(host: "ExecutionHost", service: str, operation: str, params: Any, prefix: str, *, sdk: bool) -> Any:
    try:
        result = host.ports.call(service, operation, dict(params or {}), host.account, host.region,
                                 as_role=_role(host))
    except AwsError as exc:
        raise StateFailure(f"{prefix}.{_error_name(service, exc.code, prefix, sdk)}", f"{exc.message} (Service: {prefix}, Status Code: {exc.status}, "
                           f"Request ID: {host.ids.uuid4()})") from None
    return jsonable({k: v for k, v in result.items() if k != "ResponseMetadata"})


def _error_name(service: str, code: str, prefix: str, sdk: bool) -> str:
    """An AWS SDK integration names a modeled error by its SDK exception class (``NoSuchBucket`` ->
    ``NoSuchBucketException``) and any other by the service's base exception (``DynamoDbException``),
    as recorded in LocalStack's error_handling/test_aws_sdk.snapshot.json."""
    if not sdk:
        return code
    modeled = {shape.error_code for shape in service_model(service).error_shapes}
    if code not in modeled:
        return f"{prefix}Exception"
    return code if code.endswith("Exception") else f"{code}Exception"


def jsonable(value: Any) -> Any:
    """A service's parsed output as state data: timestamps as ISO text, blobs as base64, bodies read."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, _dt.datetime):
        return iso(value.timestamp())
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if hasattr(value, "read"):
        data = value.read()
        return data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return value


def _role(host: "ExecutionHost") -> str | None:
    """The role the execution's tasks act as (IAM enforcement authorizes their calls as it)."""
    role: str | None = host.execution.get("roleArn")
    return role


def _function_arn(host: "ExecutionHost", name: str) -> str:
    return name if name.startswith("arn:") else f"{arn_prefix(host.region)}:lambda:{host.region}:{host.account}:function:{name}"


def _invoke(host: "ExecutionHost", function: str, payload: Any, qualifier: str | None = None) -> tuple[dict, Any]:
    body = payload if isinstance(payload, str) else to_json(payload)
    try:
        role = _role(host)
        if role is not None:
            host.ports.authorize_as_role(role, "lambda", "Invoke",
                                         {"FunctionName": _function_arn(host, function), "Qualifier": qualifier},
                                         host.account, host.region)
        answer = host.ports.functions.invoke_internal(_function_arn(host, function), body.encode(),
                                                      invocation_type="RequestResponse", qualifier=qualifier)
    except AwsError as exc:
        raise StateFailure(f"Lambda.{exc.code}", f"{exc.message} (Service: Lambda, Status Code: {exc.status})") from None
    raw = answer.get("Payload") or b""
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    if answer.get("FunctionError"):
        try:
            error = json.loads(text).get("errorType", "Exception")
        except (ValueError, AttributeError):
            error = "Exception"
        raise StateFailure(str(error), text)
    return answer, (json.loads(text) if text.strip() else None)


def _lambda_invoke(host: "ExecutionHost", params: dict) -> dict:
    answer, payload = _invoke(host, params["FunctionName"], params.get("Payload", {}), params.get("Qualifier"))
    return {"ExecutedVersion": answer.get("ExecutedVersion", "$LATEST"), "Payload": payload,
            "StatusCode": answer.get("StatusCode", 200)}


def _bare_lambda(host: "ExecutionHost", run: Run, scope: Scope, resource: str, params: Any) -> Any:
    run.event(scope, "LambdaFunctionScheduled", {"lambdaFunctionScheduledEventDetails": {
        "resource": resource, "input": to_json(params), "inputDetails": {"truncated": False}}})
    run.event(scope, "LambdaFunctionStarted")
    outcome = run.once(scope, lambda: _outcome(lambda: _invoke(host, resource, params)[1]))
    if "error" in outcome:
        run.event(scope, "LambdaFunctionFailed", {"lambdaFunctionFailedEventDetails": {
            "error": outcome["error"], "cause": outcome["cause"]}})
        raise StateFailure(outcome["error"], outcome["cause"])
    run.event(scope, "LambdaFunctionSucceeded", {"lambdaFunctionSucceededEventDetails": {
        "output": to_json(outcome["ok"]), "outputDetails": {"truncated": False}}})
    return outcome["ok"]


def _activity(host: "ExecutionHost", run: Run, scope: Scope, state: dict, params: Any) -> Any:
    resource = state["Resource"]
    details: dict[str, Any] = {"resource": resource, "input": to_json(params), "inputDetails": {"truncated": False}}
    if "TimeoutSeconds" in state:
        details["timeoutInSeconds"] = state["TimeoutSeconds"]
    if "HeartbeatSeconds" in state:
        details["heartbeatInSeconds"] = state["HeartbeatSeconds"]
    run.event(scope, "ActivityScheduled", {"activityScheduledEventDetails": details})
    token = run.once(scope, host.new_token)
    run.once(scope, lambda: host.schedule_activity(resource, token, to_json(params), state))
    try:
        result = _await_token(host, run, scope, state, token)
    except StateFailure as failure:
        event = "ActivityTimedOut" if failure.error == "States.Timeout" else "ActivityFailed"
        key = "activityTimedOutEventDetails" if event == "ActivityTimedOut" else "activityFailedEventDetails"
        run.event(scope, event, {key: {"error": failure.error, "cause": failure.cause}})
        raise
    run.event(scope, "ActivitySucceeded", {"activitySucceededEventDetails": {
        "output": to_json(result), "outputDetails": {"truncated": False}}})
    return result


def _await_token(host: "ExecutionHost", run: Run, scope: Scope, state: dict, token: str) -> Any:
    """The answer sent with SendTaskSuccess/Failure, States.Timeout past TimeoutSeconds or a missed
    heartbeat, else suspend until the earliest of those deadlines."""
    record = host.token(token, state)
    if record.get("outcome") is not None:
        return _unwrap(record["outcome"])
    deadlines = [d for d in (record.get("timeout_at"), record.get("heartbeat_at")) if d is not None]
    if deadlines and host.now() >= min(deadlines):
        host.close_token(token)
        raise StateFailure("States.Timeout", "")
    raise Suspend(min(deadlines) if deadlines else None)


def _await_child(host: "ExecutionHost", execution_arn: str, pattern: str) -> Any:
    child = host.child(execution_arn)
    if child["status"] == "RUNNING":
        raise Suspend(None)
    described = {"ExecutionArn": execution_arn, "StateMachineArn": child["stateMachineArn"],
                 "Name": child["name"], "Status": child["status"], "StartDate": iso(child["startDate"]),
                 "StopDate": iso(child["stopDate"]), "Input": child["input"]}
    if child["status"] != "SUCCEEDED":
        described.update({"Error": child.get("error", ""), "Cause": child.get("cause", "")})
        raise StateFailure("States.TaskFailed", to_json(described))
    output = child.get("output")
    described["Output"] = json.loads(output) if pattern == ".sync:2" and output is not None else output
    return described


def _read_items(host: "ExecutionHost", reader: dict, params: dict) -> list:
    """ItemReader: a JSON array or CSV rows from an S3 object, or the objects an S3 listing names."""
    resource_type, name, _ = split_resource(reader["Resource"])
    try:
        if name == "listObjectsV2":
            listing = host.ports.call("s3", "ListObjectsV2", dict(params), host.account, host.region,
                                      as_role=_role(host))
            return jsonable(listing.get("Contents", []))
        answer = host.ports.call("s3", "GetObject", dict(params), host.account, host.region,
                                 as_role=_role(host))
    except AwsError as exc:
        raise StateFailure(f"S3.{exc.code}", exc.message) from None
    text = answer["Body"].read().decode()
    config = reader.get("ReaderConfig", {})
    if config.get("InputType", "JSON") == "JSON":
        items = json.loads(text)
        if not isinstance(items, list):
            raise StateFailure("States.ItemReaderFailed", "The JSON object in S3 must be an array")
        return items
    rows = list(csv.reader(io.StringIO(text)))
    if config.get("CSVHeaderLocation", "FIRST_ROW") == "FIRST_ROW":
        headers, rows = rows[0], rows[1:]
    else:
        headers = config["CSVHeaders"]
    return [dict(zip(headers, row)) for row in rows]
