"""SQS errors exactly as botocore parses them from AWS.

SQS speaks the JSON protocol with the ``awsQueryCompatible`` trait. AWS answers an error with a JSON
body whose ``__type`` names the error shape and an ``x-amzn-query-error: <legacy code>;Sender``
header. botocore's JSON parser turns that into ``Error = {"Code": <legacy code>, "Message": ...,
"QueryErrorCode": <shape name>, "Type": "Sender"}``, and ``after-call.sqs.*`` picks the exception
class from ``QueryErrorCode``: ``client.exceptions.QueueDoesNotExist`` is raised while
``err.response["Error"]["Code"]`` reads ``AWS.SimpleQueueService.NonExistentQueue``.
"""

from __future__ import annotations

from ...core.errors import AwsError

#: error shape name (QueryErrorCode, the exception class) -> the legacy Query code AWS sends in the header
QUERY_CODES: dict[str, str] = {
    "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
    "QueueNameExists": "QueueAlreadyExists",
    "QueueDeletedRecently": "AWS.SimpleQueueService.QueueDeletedRecently",
    "PurgeQueueInProgress": "AWS.SimpleQueueService.PurgeQueueInProgress",
    "BatchEntryIdsNotDistinct": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
    "BatchRequestTooLong": "AWS.SimpleQueueService.BatchRequestTooLong",
    "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
    "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
    "TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    "MessageNotInflight": "AWS.SimpleQueueService.MessageNotInflight",
    "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
}


def sqs_error(shape: str, message: str, status: int = 400) -> AwsError:
    """The error AWS returns for ``shape`` (a modeled error shape, or an unmodeled code such as
    ``InvalidParameterValue``), as botocore parses it."""
    code = QUERY_CODES.get(shape, shape)
    return AwsError(code, message, status, QueryErrorCode=shape, Type="Sender",
                    headers={"x-amzn-query-error": f"{code};Sender"})


def invalid_parameter(message: str) -> AwsError:
    return sqs_error("InvalidParameterValue", message)


def invalid_value(name: str, value: object, reason: str) -> AwsError:
    """AWS's usual wording for a parameter it refuses: ``Value X for parameter Y is invalid. Reason: …``."""
    return invalid_parameter(f"Value {value} for parameter {name} is invalid. Reason: {reason}")


def missing_parameter(name: str) -> AwsError:
    return sqs_error("MissingParameter", f"The request must contain the parameter {name}.")


def no_such_queue() -> AwsError:
    return sqs_error("QueueDoesNotExist", "The specified queue does not exist.")
