"""What botocore's parser would have produced: response metadata, error dicts, the HTTP stand-in."""

from __future__ import annotations

import email.utils
from typing import TYPE_CHECKING, Any

from .errors import AwsError

if TYPE_CHECKING:
    from .ids import IdGenerator

_S3_STYLE = frozenset({"s3", "s3control"})
_QUERY_PROTOCOLS = frozenset({"query", "ec2"})
_XML_PROTOCOLS = frozenset({"query", "ec2", "rest-xml"})


class HttpResponse:
    """The minimal HTTP response ``after-call`` handlers look at; ``raw`` is None (nothing was read)."""

    __slots__ = ("status_code", "headers", "url")
    raw = None
    content = b""
    text = ""

    def __init__(self, status_code: int, headers: dict[str, str], url: str = "") -> None:
        self.status_code = status_code
        self.headers = headers
        self.url = url


def new_request_id(service: str, ids: "IdGenerator") -> str:
    """A request id in the service's own format."""
    return ids.hex(16, upper=True) if service in _S3_STYLE else ids.uuid4()


class _HttpDate:
    """``Date`` header text, formatted once per second."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def __call__(self, epoch: float) -> str:
        second = int(epoch)
        if second != self._second:
            self._text = email.utils.formatdate(second, usegmt=True)
            self._second = second
        return self._text


http_date = _HttpDate()


def response_metadata(
    service: str,
    request_id: str,
    status: int,
    extra_headers: dict[str, str],
    epoch: float,
    host_id: str | None = None,
) -> dict[str, Any]:
    if service in _S3_STYLE:
        headers = {"x-amz-id-2": host_id or "", "x-amz-request-id": request_id, "date": http_date(epoch)}
        metadata: dict[str, Any] = {"RequestId": request_id, "HostId": host_id or ""}
    else:
        headers = {"x-amzn-requestid": request_id, "date": http_date(epoch)}
        metadata = {"RequestId": request_id}
    if extra_headers:
        headers.update(extra_headers)
    metadata["HTTPStatusCode"] = status
    metadata["HTTPHeaders"] = headers
    metadata["RetryAttempts"] = 0
    return metadata


#: modeled errors whose body carries ``Message`` instead of ``message`` when they carry the named member,
#: so botocore leaves ``message`` out (recorded with the item: LocalStack test_dynamodb.py::
#: test_return_values_on_conditions_check_failure; without it AWS sends ``message``: moto 5.2.1's
#: TestReturnValuesOnConditionCheckFailure, written to run against AWS)
_MESSAGE_NOT_SENT_WITH = {("dynamodb", "ConditionalCheckFailedException"): "Item"}


def error_response(error: AwsError, service_model: Any) -> dict[str, Any]:
    """The parsed error dict botocore would build from AWS's error body for this service.

    botocore parses the body twice: into ``Error`` (for XML protocols every child of ``<Error>``), and,
    when ``Error.Code`` names a modeled error shape, against that shape, whose members land at the top
    level (S3's ``StorageClass`` on InvalidObjectState, DynamoDB's and SQS's ``message``). SQS's legacy
    codes (``AWS.SimpleQueueService.NonExistentQueue``) name no shape, so those errors carry no
    ``message``, as recorded from AWS.
    """
    protocol = service_model.protocol
    body: dict[str, Any] = {"Code": error.code, "Message": error.message}
    if protocol in _QUERY_PROTOCOLS and "Type" not in error.extra:
        body["Type"] = "Sender" if error.status < 500 else "Receiver"
    body.update(error.extra)
    parsed: dict[str, Any] = {"Error": body}
    shape = service_model.shape_for_error_code(error.code)
    if shape is not None:
        parsed.update(_modeled_members(error, shape, service_model, body))
    if error.fields:
        parsed.update(error.fields)
        if protocol in _XML_PROTOCOLS:
            body.update((name, value) for name, value in error.fields.items() if isinstance(value, str))
    return parsed


def _modeled_members(error: AwsError, shape: Any, service_model: Any, body: dict[str, Any]) -> dict[str, Any]:
    """The members of the error's modeled shape that botocore finds in AWS's error body."""
    members = shape.members
    if service_model.protocol in _XML_PROTOCOLS:
        return {name: body[name] for name in members if name in body}
    withheld_by = _MESSAGE_NOT_SENT_WITH.get((service_model.service_name, shape.name))
    if "message" in members and withheld_by not in error.fields:
        return {"message": error.message}
    return {}
