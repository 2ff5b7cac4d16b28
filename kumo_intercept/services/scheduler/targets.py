"""Invoking a schedule's target, only through the emulator's ports.

Templated targets: Lambda (asynchronous invoke), SQS (SendMessage, ``SqsParameters.MessageGroupId``),
SNS (Publish), Step Functions (StartExecution through ``ports.workflows.start_execution_internal``) and EventBridge buses (PutEvents with ``EventBridgeParameters``).
Universal targets ``arn:aws:scheduler:::aws-sdk:<service>:<apiAction>`` call the emulated service's
operation with ``Input`` (the API's request as JSON) through a boto3 client acting in the schedule's
account and region.

``Input`` is sent as given, after substituting the context attributes ``<aws.scheduler.schedule-arn>``,
``<aws.scheduler.scheduled-time>``, ``<aws.scheduler.execution-id>`` and
``<aws.scheduler.attempt-number>``; without ``Input``, ``{}`` is sent.

A failed invocation is retried on the emulator clock with exponential backoff (``retry_delay``: 1 s,
doubling, at most 8 minutes between attempts, so the 185 default retries span about 24 hours) while
fewer than ``RetryPolicy.MaximumRetryAttempts`` retries were made (default 185) and the next attempt
lies within ``MaximumEventAgeInSeconds`` of the first (default 86400). Pending retries are records of
``scheduler.retries``, fired by the backend's poller. An invocation out of retries is recorded in
``scheduler.failures`` and, with a ``DeadLetterConfig``, sent to that queue with the dead-letter
attributes AWS sets (``EXHAUSTED_RETRY_CONDITION`` names the limit reached). A target whose service is
not emulated is recorded as failed with code ``NotEmulated`` (nothing is retried).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from botocore import xform_name

from ...api import scheduler
from ...core.clock import from_epoch
from ...core.dispatch import RequestContext, attempt
from ...core.errors import AwsError, NotEmulatedError
from . import schema

_UNIVERSAL = re.compile(r"^arn:aws[\w-]*:scheduler:::aws-sdk:([a-z0-9-]+):([a-zA-Z0-9]+)$")
_BUS = re.compile(r"^arn:aws[\w-]*:events:([\w-]+):(\d{12}):event-bus/.+$")
#: a templated target's ARN service -> the call its role must be allowed to make (botocore service,
#: operation, its params from the target ARN)
_ROLE_CALLS: dict[str, tuple[str, str, Callable[[str], dict]]] = {
    "lambda": ("lambda", "Invoke", lambda arn: {"FunctionName": arn}),
    "sqs": ("sqs", "SendMessage", lambda arn: {"QueueUrl": arn}),
    "sns": ("sns", "Publish", lambda arn: {"TopicArn": arn}),
    "states": ("stepfunctions", "StartExecution", lambda arn: {"stateMachineArn": arn}),
    "events": ("events", "PutEvents", lambda arn: {"Entries": [{"EventBusName": arn}]}),
}
_DEFAULT_RETRIES = 185
_DEFAULT_EVENT_AGE = 86_400
_MAX_BACKOFF = 480.0
#: AWS's message for a role it cannot use (an unknown role, or one EventBridge Scheduler may not assume)
_ROLE_MESSAGE = "The execution role you provide must allow AWS EventBridge Scheduler to assume the role."


def retry_delay(attempt_number: int) -> float:
    """Seconds between attempt ``attempt_number`` and the next: AWS documents exponential backoff
    without its constants; these make 185 retries last about a day, the default event age."""
    return min(2.0 ** (attempt_number - 1), _MAX_BACKOFF)


def _iso(epoch: float) -> str:
    return from_epoch(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")


class TargetInvoker:
    """Sends a schedule's invocation to its target; keeps the failed ones for inspection."""

    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        self.failed = schema.FAILURES.open_ordered(emulator.store)
        self.retries = schema.RETRIES.open_ordered(emulator.store)

    # -- checks at CreateSchedule / UpdateSchedule ------------------------------------------------
    def check_target(self, ctx: RequestContext[Any], target: dict) -> None:
        try:
            role_known = self.emulator.ports.identity.role_exists(target["RoleArn"])
        except NotEmulatedError:
            role_known = True  # without IAM any well-formed role is taken
        if not role_known:
            raise scheduler.validation_exception(_ROLE_MESSAGE)
        arn = target["Arn"]
        universal = _UNIVERSAL.match(arn)
        if universal is None and not arn.startswith("arn:aws"):
            raise scheduler.validation_exception(f"Invalid target ARN {arn}.")
        if "Input" in target and universal is not None:
            try:
                json.loads(target["Input"])
            except ValueError:
                raise scheduler.validation_exception("Invalid RequestJson provided.") from None

    # -- invocation -------------------------------------------------------------------------------
    def invoke(self, key: tuple, schedule_arn: str, schedule: dict, tick: float) -> None:
        """The invocation of a schedule that is due: its first attempt, at the time it was due (a clock
        moved past several attempts' times runs them all, each as of its own time)."""
        pending = {"Key": list(key), "ScheduleArn": schedule_arn, "Target": schedule["Target"], "Tick": tick,
                   "FirstAttempt": schedule["FireAt"], "Attempt": 1}
        self._attempt(self.emulator.ids.uuid4(), pending, schedule["FireAt"])

    def next_retry(self) -> float | None:
        """When the earliest pending retry is due (None: none pending)."""
        first = self.retries.first_key()
        return None if first is None else first[0]

    def retry_due(self) -> None:
        """The earliest pending retry, which is due."""
        due, execution_id = self.retries.first_key()
        self._attempt(execution_id, self.retries.delete((due, execution_id)), due)

    def _attempt(self, execution_id: str, pending: dict, due: float) -> None:
        target, number = pending["Target"], pending["Attempt"]
        key = tuple(pending["Key"])
        body = self._input(target, pending["ScheduleArn"], pending["Tick"], execution_id, number)
        try:
            _, error = attempt(self.emulator.store, self._send, key, target, body)
        except NotEmulatedError as exc:
            self._record(pending["ScheduleArn"], target, body, pending["Tick"], "NotEmulated", str(exc), number - 1)
            return
        if error is None:
            return
        policy = target.get("RetryPolicy") or {}
        next_at = due + retry_delay(number)
        if number - 1 >= policy.get("MaximumRetryAttempts", _DEFAULT_RETRIES):
            self._exhausted(execution_id, pending, body, error, "MaximumRetryAttempts")
        elif next_at - pending["FirstAttempt"] > policy.get("MaximumEventAgeInSeconds", _DEFAULT_EVENT_AGE):
            self._exhausted(execution_id, pending, body, error, "MaximumEventAgeInSeconds")
        else:
            self.retries.put((next_at, execution_id), {**pending, "Attempt": number + 1})

    def _exhausted(self, execution_id: str, pending: dict, body: str, error: AwsError, condition: str) -> None:
        """An invocation out of retries: recorded, and sent to the dead-letter queue if there is one."""
        target, retries = pending["Target"], pending["Attempt"] - 1
        self._record(pending["ScheduleArn"], target, body, pending["Tick"], error.code, error.message, retries)
        dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
        if dead_letter:
            attributes = {
                "ERROR_CODE": error.code, "ERROR_MESSAGE": error.message or error.code,
                "EXHAUSTED_RETRY_CONDITION": condition, "RETRY_ATTEMPTS": str(retries),
                "SCHEDULE_ARN": pending["ScheduleArn"], "TARGET_ARN": target["Arn"], "EXECUTION_ID": execution_id,
            }
            typed = {name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()}
            attempt(self.emulator.store, self._dead_letter, dead_letter, body, typed)

    @staticmethod
    def _input(target: dict, schedule_arn: str, tick: float, execution_id: str, attempt_number: int) -> str:
        text = target.get("Input", "{}")
        for name, value in (("schedule-arn", schedule_arn), ("scheduled-time", _iso(tick)),
                            ("execution-id", execution_id), ("attempt-number", str(attempt_number))):
            text = text.replace(f"<aws.scheduler.{name}>", value)
        return text

    def _send(self, key: tuple, target: dict, body: str) -> None:
        arn = target["Arn"]
        universal = _UNIVERSAL.match(arn)
        if universal is not None:
            self._universal(key[0], key[1], universal.group(1), universal.group(2), body)
            return
        service = arn.split(":")[2]
        ports = self.emulator.ports
        self._authorize(key, target, service, body)
        if service == "lambda":
            ports.functions.invoke_internal(arn, body, invocation_type="Event")
        elif service == "sqs":
            group = (target.get("SqsParameters") or {}).get("MessageGroupId")
            ports.queues.deliver_message(arn, body, message_group_id=group)
        elif service == "sns":
            ports.topics.publish_internal(arn, body)
        elif service == "states":
            self._start_execution(arn, body, key)
        elif service == "events" and _BUS.match(arn):
            self._put_event(arn, target, body, key)
        else:
            raise NotEmulatedError("scheduler", f"target {arn}", "this templated target is not emulated")

    def _authorize(self, key: tuple, target: dict, service: str, body: str) -> None:
        """With IAM enforcement on, the schedule's role must allow what the target does (EventBridge
        Scheduler User Guide, "Setting up the execution role")."""
        call = _ROLE_CALLS.get(service)
        if call is not None:
            api, operation, params = call
            self.emulator.ports.authorize_as_role(target["RoleArn"], api, operation, params(target["Arn"]),
                                                  key[0], key[1])

    def _start_execution(self, arn: str, body: str, key: tuple) -> None:
        self.emulator.ports.workflows.start_execution_internal(arn, body, key[0], key[1])

    def _put_event(self, arn: str, target: dict, body: str, key: tuple) -> None:
        parameters = target.get("EventBridgeParameters") or {}
        entry = {"EventBusName": arn, "Source": parameters.get("Source", "aws.scheduler"),
                 "DetailType": parameters.get("DetailType", "Scheduled Event"), "Detail": body}
        result = self.emulator.ports.event_buses.put_events_internal(key[0], key[1], [entry])
        failed = [r for r in result if r.get("ErrorCode")]
        if failed:
            raise AwsError(failed[0]["ErrorCode"], failed[0].get("ErrorMessage", ""), 400)

    def _universal(self, account: str, region: str, service: str, action: str, body: str) -> None:
        """A universal target: the service's operation called as the schedule's account would."""
        import boto3  # only here: universal targets are rare

        client = boto3.client(service, region_name=region, aws_access_key_id=account,
                              aws_secret_access_key="scheduler")
        operation: Callable[..., Any] | None = getattr(client, xform_name(action[:1].upper() + action[1:]), None)
        if operation is None:
            raise AwsError("ValidationException", f"Unknown action {action} of {service}.", 400)
        try:
            operation(**json.loads(body))
        except client.exceptions.ClientError as exc:
            error = exc.response["Error"]
            raise AwsError(error.get("Code", "Error"), error.get("Message", ""), 400) from None

    def _dead_letter(self, queue_arn: str, body: str, attributes: dict) -> None:
        self.emulator.ports.queues.deliver_message(queue_arn, body, message_attributes=attributes)

    # -- records ----------------------------------------------------------------------------------
    def _record(self, schedule_arn: str, target: dict, body: str, tick: float, code: str, message: str,
                retries: int) -> None:
        last = self.failed.last_key()
        self.failed.put(0 if last is None else last + 1, {
            "ScheduleArn": schedule_arn, "TargetArn": target["Arn"], "Input": body,
            "ScheduledTime": tick, "ErrorCode": code, "ErrorMessage": message, "RetryAttempts": retries,
        })

    def failures(self) -> list[dict]:
        """Invocations that failed after their retries (or whose target is not emulated), oldest first."""
        return [dict(record) for record in self.failed.values()]
