"""What botocore's parser would have produced: response metadata, error dicts, the HTTP stand-in."""

from __future__ import annotations

import email.utils
from typing import TYPE_CHECKING, Any

from .errors import AwsError

if TYPE_CHECKING:
    from .ids import IdGenerator

_S3_STYLE = frozenset({"s3", "s3control"})
_QUERY_PROTOCOLS = frozenset({"query", "ec2"})


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


def error_response(error: AwsError, protocol: str) -> dict[str, Any]:
    """The parsed error dict botocore would build from AWS's error body for this protocol."""
    body: dict[str, Any] = {"Code": error.code, "Message": error.message}
    if protocol in _QUERY_PROTOCOLS and "Type" not in error.extra:
        body["Type"] = "Sender" if error.status < 500 else "Receiver"
    body.update(error.extra)
    parsed: dict[str, Any] = {"Error": body}
    if error.fields:
        parsed.update(error.fields)
    return parsed
