"""Exceptions: the AWS errors handlers raise, and kumo_intercept's own errors."""

from __future__ import annotations

from typing import Any


class KumoError(Exception):
    """Base class of every error kumo_intercept raises on its own behalf (not an AWS error)."""


class NotEmulatedError(KumoError, NotImplementedError):
    """A service or operation that kumo_intercept does not emulate (yet) was called.

    Raised instead of any network call, so a gap is loud and never a fake success.
    """

    def __init__(self, service: str, operation: str | None = None, detail: str = "") -> None:
        self.service = service
        self.operation = operation
        what = f"{service}.{operation}" if operation else f"the service {service!r}"
        #: what is missing, without the advice to a caller in this process (the HTTP server's 501 says it)
        self.summary = f"kumo_intercept does not emulate {what} yet" + (f": {detail}" if detail else "")
        super().__init__(
            self.summary + ". No request was sent anywhere. See docs/coverage.md for what is emulated; "
            "to stub this call yourself, use botocore.stub.Stubber on that client."
        )


class StrictModeError(KumoError):
    """A backend produced a response that does not match botocore's output shape (strict mode)."""


class ConfigurationError(KumoError, ValueError):
    """An option given to kumo() is invalid."""


class AwsError(Exception):
    """An error as AWS would return it; the dispatcher turns it into botocore's modeled exception.

    ``code`` and ``message`` are what the user sees in ``err.response["Error"]``; ``status`` is the
    HTTP status. Keyword arguments go into the ``Error`` dict as extra members (S3's ``BucketName``,
    ``Key``…); ``fields`` are members of the modeled error shape, which botocore places at the top
    level of the parsed response (DynamoDB's ``CancellationReasons``, ``Item``…). ``headers`` are
    extra HTTP response headers.
    """

    def __init__(
        self,
        code: str,
        message: str = "",
        status: int = 400,
        *,
        fields: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields or {}
        self.headers = headers or {}
        self.extra = extra


def modeled_error(
    code: str,
    message: str,
    status: int,
    fields: dict[str, Any],
    *,
    query_error_shape: str | None = None,
) -> AwsError:
    """The AwsError of a modeled error shape, as the generated factories in kumo_intercept.api build it.

    ``fields`` are the shape's members (None ones left out). ``query_error_shape`` is set for services
    speaking JSON with the ``awsQueryCompatible`` trait (SQS): AWS then sends the legacy Query ``code``
    in an ``x-amzn-query-error`` header and botocore picks the exception class from ``QueryErrorCode``.
    """
    present = {name: value for name, value in fields.items() if value is not None}
    if query_error_shape is None:
        return AwsError(code, message, status, fields=present)
    fault = "Sender" if status < 500 else "Receiver"
    return AwsError(code, message, status, fields=present, QueryErrorCode=query_error_shape, Type=fault,
                    headers={"x-amzn-query-error": f"{code};{fault}"})
