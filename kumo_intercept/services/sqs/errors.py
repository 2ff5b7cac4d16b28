"""SQS errors exactly as botocore parses them from AWS.

SQS speaks the JSON protocol with the ``awsQueryCompatible`` trait. AWS answers an error with a JSON
body whose ``__type`` names the error shape and an ``x-amzn-query-error: <legacy code>;Sender``
header. botocore's JSON parser turns that into ``Error = {"Code": <legacy code>, "Message": ...,
"QueryErrorCode": <shape name>, "Type": "Sender"}``, and ``after-call.sqs.*`` picks the exception
class from ``QueryErrorCode``: ``client.exceptions.QueueDoesNotExist`` is raised while
``err.response["Error"]["Code"]`` reads ``AWS.SimpleQueueService.NonExistentQueue``.

Modeled error shapes have generated factories in ``kumo_intercept.api.sqs`` (``sqs.queue_does_not_exist``,
which know the legacy codes); ``sqs_error`` is for the codes AWS sends without a modeled shape.
"""

from __future__ import annotations

from ...api import sqs
from ...core.errors import AwsError, modeled_error


#: codes AWS sends without a modeled shape -> the ``__type`` botocore reads as ``QueryErrorCode``
#: (recorded: LocalStack's test_send_receive_max_number_of_messages, test_send_empty_message)
_UNMODELED_TYPES = {"InvalidParameterValue": "InvalidParameterValueException",
                    "MissingParameter": "MissingRequiredParameterException"}


def sqs_error(code: str, message: str, status: int = 400) -> AwsError:
    """An error AWS returns with a code no error shape models (``InvalidParameterValue``…)."""
    return modeled_error(code, message, status, {}, query_error_shape=_UNMODELED_TYPES.get(code, code))


def invalid_parameter(message: str) -> AwsError:
    return sqs_error("InvalidParameterValue", message)


def invalid_value(name: str, value: object, reason: str) -> AwsError:
    """AWS's usual wording for a parameter it refuses: ``Value X for parameter Y is invalid. Reason: …``."""
    return invalid_parameter(f"Value {value} for parameter {name} is invalid. Reason: {reason}")


def missing_parameter(name: str) -> AwsError:
    return sqs_error("MissingParameter", f"The request must contain the parameter {name}.")


#: the statuses AWS answers these error shapes with; botocore's JSON model of SQS no longer carries them
#: (its Query-protocol model did: OverLimit and PurgeQueueInProgress 403, ResourceNotFoundException 404;
#: recorded: LocalStack's test_successive_purge_calls_fail and test_cancel_with_invalid_task_id_in_task_handle)
def over_limit(message: str) -> AwsError:
    return modeled_error("OverLimit", message, 403, {}, query_error_shape="OverLimit")


def purge_in_progress(message: str) -> AwsError:
    return modeled_error("AWS.SimpleQueueService.PurgeQueueInProgress", message, 403, {},
                         query_error_shape="PurgeQueueInProgress")


def resource_not_found(message: str) -> AwsError:
    return modeled_error("ResourceNotFoundException", message, 404, {}, query_error_shape="ResourceNotFoundException")


def no_such_queue() -> AwsError:
    return sqs.queue_does_not_exist("The specified queue does not exist.")


#: KMS's error code -> (SQS's error shape, the legacy Query code AWS sends for it); the codes are
#: the ``awsQueryError`` traits of SQS's Smithy model (KmsNotFound -> KMS.NotFoundException, …)
_KMS_REFUSALS = {
    "NotFoundException": ("KmsNotFound", "KMS.NotFoundException"),
    "DisabledException": ("KmsDisabled", "KMS.DisabledException"),
    "KMSInvalidStateException": ("KmsInvalidState", "KMS.InvalidStateException"),
    "InvalidKeyUsageException": ("KmsInvalidKeyUsage", "KMS.InvalidKeyUsageException"),
}


def kms_refusal(refused: AwsError) -> AwsError:
    """SQS's answer when KMS refuses the queue's key: its Kms* error with KMS's message."""
    shape, code = _KMS_REFUSALS.get(refused.code, ("KmsAccessDenied", "KMS.AccessDeniedException"))
    return modeled_error(code, refused.message, 400, {}, query_error_shape=shape)
