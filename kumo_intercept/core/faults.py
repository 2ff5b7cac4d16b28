"""Fault injection: make chosen calls fail or take time, and let the client retry them as against AWS.

A test adds rules to ``aws.faults``::

    aws.faults.throttle("dynamodb", "PutItem", count=2)          # the next two PutItems are throttled
    aws.faults.server_error("s3", status=503, probability=0.1)   # 10% of S3 calls, seeded
    aws.faults.error("ConditionalCheckFailedException", "dynamodb", "PutItem",
                     when=lambda params: params["TableName"] == "orders")
    aws.faults.latency(2.5, "sqs", "ReceiveMessage")              # on the emulator's clock

Each call is checked against the rules in the order they were added: every matching latency rule adds
its delay (a virtual clock moves, a wall clock sleeps), the first matching error rule answers the call
instead of the service. Probabilities draw from a generator seeded from the emulator's seed (apart from
the identifier generator, so ids do not shift when faults are added).

Retries: once an injected error has answered an attempt, the interception runs botocore's own retry
loop (``botocore.endpoint.Endpoint._send_request``): it emits ``needs-retry.<service>.<Operation>`` on the
client's event emitter, so the client's retry mode, max attempts and retry quota decide, waits the delay
the client's handler returns (advancing a virtual clock instead of sleeping), and sets
``ResponseMetadata.RetryAttempts``. Errors the services return by themselves are not retried: state has not
changed, so they would fail again the same way.
"""

from __future__ import annotations

import functools
import random
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterator

import botocore.session
from botocore import xform_name

from .errors import AwsError

if TYPE_CHECKING:
    from ..emulator import Emulator
    from .dispatch import RequestContext

Predicate = Callable[[dict[str, Any]], bool]
Response = tuple[Any, dict[str, Any]]

#: modeled throttling errors, preferred in this order when a service models one
_THROTTLING_CODES = ("ThrottlingException", "RequestThrottled", "TooManyRequestsException",
                     "ProvisionedThroughputExceededException", "Throttling")
_SERVER_ERROR_CODES = {500: "InternalFailure", 502: "BadGateway", 503: "ServiceUnavailable",
                       504: "GatewayTimeout"}


class Fault:
    """One rule of ``aws.faults``. ``hits`` counts the calls it answered; ``remove()`` ends it.

    Usable as a context manager: the rule is removed when the block exits.
    """

    def __init__(
        self,
        faults: "Faults",
        service: str | None,
        operation: str | None,
        *,
        error: Callable[[Any], AwsError] | None,
        latency: float,
        when: Predicate | None,
        count: int | None,
        probability: float,
        after: int,
    ) -> None:
        if count is not None and count < 1:
            raise ValueError(f"count must be at least 1 (or None for every matching call), got {count!r}")
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"probability must be between 0 and 1, got {probability!r}")
        if latency < 0:
            raise ValueError(f"latency must be zero or more seconds, got {latency!r}")
        self._faults = faults
        self.service = service
        self.operation = operation
        self._operation_key = xform_name(operation) if operation else None  # "SendMessage" or "send_message"
        self._error = error
        self.latency = latency
        self.when = when
        self.count = count
        self.probability = probability
        self.after = after
        #: matching calls seen (including the ones ``after`` let through) and calls answered
        self.seen = 0
        self.hits = 0

    @property
    def exhausted(self) -> bool:
        return self.count is not None and self.hits >= self.count

    def _fires(self, service: str, operation: str, params: dict[str, Any], rng: random.Random) -> bool:
        if self.exhausted or (self.service is not None and self.service != service):
            return False
        if self._operation_key is not None and self._operation_key != xform_name(operation):
            return False
        if self.when is not None and not self.when(params):
            return False
        self.seen += 1
        if self.seen <= self.after:
            return False
        if self.probability < 1.0 and rng.random() >= self.probability:
            return False
        self.hits += 1
        return True

    def remove(self) -> None:
        self._faults.remove(self)

    def __enter__(self) -> "Fault":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.remove()

    @property
    def injects_error(self) -> bool:
        """Whether a hit answers with an error (else it only adds latency)."""
        return self._error is not None

    def __repr__(self) -> str:
        what = "error" if self.injects_error else "latency"
        target = f"{self.service or '*'}.{self.operation or '*'}"
        limit = "" if self.count is None else f"/{self.count}"
        return f"<Fault {what} {target} hits={self.hits}{limit}>"


class Faults:
    """The fault rules of one emulator (``aws.faults``)."""

    def __init__(self, emulator: "Emulator") -> None:
        self._emulator = emulator
        self._rules: list[Fault] = []
        self._lock = threading.Lock()
        self._local = threading.local()
        seed = emulator.ids.seed
        self._rng = random.Random(None if seed is None else f"kumo-faults:{seed!s}")

    # -- adding rules -------------------------------------------------------------------------
    def inject(
        self,
        service: str | None = None,
        operation: str | None = None,
        *,
        error: str | AwsError | None = None,
        status: int | None = None,
        message: str | None = None,
        latency: float = 0.0,
        when: Predicate | None = None,
        count: int | None = None,
        probability: float = 1.0,
        after: int = 0,
    ) -> Fault:
        """Add a rule; the most general form of the helpers below.

        ``service`` is botocore's service name (``"sqs"``), ``operation`` the API name (``"SendMessage"``
        or ``"send_message"``); None matches any. ``when(params)`` sees the call's api params.
        ``count`` limits how many calls the rule answers, ``after`` lets that many matching calls
        through first, ``probability`` answers each matching call with that chance (seeded).
        ``error`` is an AWS error code or an ``AwsError``; ``status`` and ``message`` default to what
        the service models for that code. ``latency`` is seconds on the emulator's clock.
        """
        if error is None and not latency:
            raise ValueError("a fault needs an error, a latency or both")
        _check_target(service, operation)
        make_error = None
        if isinstance(error, AwsError):
            make_error = lambda _model, fixed=error: fixed  # noqa: E731  (one instance serves every hit)
        elif error is not None:
            make_error = lambda model, code=error: _modeled_error(model, code, status, message)  # noqa: E731
        fault = Fault(self, service, operation, error=make_error, latency=latency, when=when,
                      count=count, probability=probability, after=after)
        with self._lock:
            self._rules.append(fault)
        return fault

    def error(self, code: str, service: str | None = None, operation: str | None = None, *,
              status: int | None = None, message: str | None = None, **match: Any) -> Fault:
        """Answer matching calls with the AWS error ``code`` (e.g. ``"ConditionalCheckFailedException"``)."""
        return self.inject(service, operation, error=code, status=status, message=message, **match)

    def throttle(self, service: str | None = None, operation: str | None = None, **match: Any) -> Fault:
        """Answer matching calls with the service's own throttling error (S3's 503 ``SlowDown``,
        DynamoDB's ``ThrottlingException``, SQS's ``RequestThrottled``, query services' ``Throttling``)."""
        return self.inject(service, operation, error=_THROTTLE, **match)

    def server_error(self, service: str | None = None, operation: str | None = None, *,
                     status: int = 500, code: str | None = None, **match: Any) -> Fault:
        """Answer matching calls with a 5xx (``InternalFailure``, S3's ``InternalError``…)."""
        if not 500 <= status <= 599:
            raise ValueError(f"a server error has a 5xx status, got {status!r}")
        return self.inject(service, operation, error=code or f"{_SERVER}{status}", status=status, **match)

    def latency(self, seconds: float, service: str | None = None, operation: str | None = None,
                **match: Any) -> Fault:
        """Make matching calls take ``seconds`` on the emulator's clock before they are served."""
        return self.inject(service, operation, latency=seconds, **match)

    # -- managing rules -----------------------------------------------------------------------
    def remove(self, fault: Fault) -> None:
        with self._lock:
            if fault in self._rules:
                self._rules.remove(fault)

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def __iter__(self) -> Iterator[Fault]:
        return iter(list(self._rules))

    def __len__(self) -> int:
        return len(self._rules)

    def __repr__(self) -> str:
        return f"<Faults {self._rules!r}>"

    # -- serving (called by the emulator and the interceptor) ---------------------------------
    def check(self, model: Any, params: dict[str, Any]) -> Callable[["RequestContext[Any]"], dict[str, Any]] | None:
        """Apply the latency of the rules matching this call; return a handler raising the first
        matching rule's error, or None to let the service answer."""
        if not self._rules:
            return None
        service, operation = model.service_model.service_name, model.name
        with self._lock:
            fired = [rule for rule in self._rules if rule._fires(service, operation, params, self._rng)]
        delay = sum(rule.latency for rule in fired)
        if delay:
            self._wait(delay)
        for rule in fired:
            if rule._error is not None:
                self._local.fired = True
                error = rule._error(model)
                return lambda _ctx: _raise(error)
        return None

    def serve(self, model: Any, request_dict: dict[str, Any], request_signer: Any,
              attempt: Callable[[], Response]) -> Response:
        """Run ``attempt``; if an injected error answered it, retry as botocore's endpoint would."""
        if not self._rules:  # the common case costs one check per call
            return attempt()
        response, retry = self.first_attempt(model, request_dict, request_signer, attempt)
        if retry is None:
            return response
        while (delay := retry.delay(retry.emitter.emit(retry.event, **retry.needs_retry_kwargs()))) is not None:
            self._wait(delay)
            retry.again(attempt)
        return retry.finish()

    def first_attempt(self, model: Any, request_dict: dict[str, Any], request_signer: Any,
                      attempt: Callable[[], Response]) -> "tuple[Response, Retry | None]":
        """Run ``attempt`` once; with its response, a ``Retry`` to drive if an injected error answered
        it (None if not, or if the client has no retry handler)."""
        outer, self._local.fired = getattr(self._local, "fired", False), False
        try:
            response = attempt()
            fired = self._local.fired
        finally:
            self._local.fired = outer
        emitter = getattr(request_signer, "_event_emitter", None)
        if not fired or emitter is None:  # without botocore's signer nothing decides retries
            return response, None
        return response, Retry(model, request_dict, emitter, response)

    def _wait(self, seconds: float) -> None:
        """Let ``seconds`` pass on the emulator's clock: move a virtual one, sleep on any other."""
        self._emulator.clock.sleep(seconds)


class Retry:
    """botocore's retry loop (``Endpoint._send_request``) after an injected error, as steps that a sync
    or an async caller drives: ask the client's ``needs-retry`` handlers (``emitter.emit(event,
    **needs_retry_kwargs())``), turn their answer into ``delay()``, wait it, run the next attempt with
    ``again()``; ``finish()`` once the delay is None."""

    def __init__(self, model: Any, request_dict: dict[str, Any], emitter: Any, response: Response) -> None:
        self.event = f"needs-retry.{model.service_model.service_id.hyphenize()}.{model.name}"
        self.emitter = emitter
        self.response = response
        self.attempts = 1
        self._model = model
        self._request_dict = request_dict

    def needs_retry_kwargs(self) -> dict[str, Any]:
        return {"response": self.response, "endpoint": None, "operation": self._model,
                "attempts": self.attempts, "caught_exception": None, "request_dict": self._request_dict}

    def delay(self, answers: list[tuple[Any, Any]]) -> float | None:
        """The seconds to wait before the next attempt, or None when the handlers stop retrying."""
        delay = _first_answer(answers)
        return None if delay is None or delay is False else float(delay)

    def again(self, attempt: Callable[[], Response]) -> None:
        self.attempts += 1
        self._request_dict.get("context", {}).setdefault("retries", {})["attempt"] = self.attempts
        self.response = attempt()

    def finish(self) -> Response:
        self.response[1].setdefault("ResponseMetadata", {})["RetryAttempts"] = self.attempts - 1
        return self.response


# -- the errors a rule answers with -------------------------------------------------------------
_THROTTLE = "kumo:throttle"
_SERVER = "kumo:server-"


@functools.lru_cache(maxsize=None)
def _operations(service: str) -> dict[str, str] | None:
    """snake_case -> API name of every operation of ``service``; None if botocore does not know it."""
    session = _session()
    if service not in session.get_available_services():
        return None
    return {xform_name(name): name for name in session.get_service_model(service).operation_names}


@functools.lru_cache(maxsize=1)
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


def _check_target(service: str | None, operation: str | None) -> None:
    """A misspelt service or operation would never match: refuse it, with the likely intended name."""
    from difflib import get_close_matches  # only needed to refuse a target
    if service is None:
        if operation is not None:
            raise ValueError(f"name the service of operation {operation!r}, "
                             f"e.g. faults.throttle('sqs', {operation!r})")
        return
    operations = _operations(service)
    if operations is None:
        close = get_close_matches(service, _session().get_available_services(), n=3)
        raise ValueError(f"botocore has no service {service!r}"
                         + (f"; did you mean {close}?" if close else ""))
    if operation is not None and xform_name(operation) not in operations:
        close = get_close_matches(operation, list(operations.values()), n=3)
        raise ValueError(f"{service} has no operation {operation!r}"
                         + (f"; did you mean {close}?" if close else ""))


def _raise(error: AwsError) -> dict[str, Any]:
    raise error


def _first_answer(responses: list[tuple[Any, Any]]) -> Any:
    """botocore's ``first_non_none_response``."""
    for _handler, answer in responses:
        if answer is not None:
            return answer
    return None


def _modeled_error(model: Any, code: str, status: int | None, message: str | None) -> AwsError:
    """The error ``code`` as the service would return it: status and query-compatible code from its
    model when it models that error."""
    service_model = model.service_model
    if code == _THROTTLE:
        code, status = _throttling_code(service_model), status
        message = message or "Rate exceeded"
    elif code.startswith(_SERVER):
        status = int(code[len(_SERVER):])
        code = "InternalError" if status == 500 and service_model.protocol == "rest-xml" else (
            _SERVER_ERROR_CODES.get(status, "InternalFailure"))
        message = message or "We encountered an internal error. Please try again."
    shape = _error_shape(service_model, code)
    if status is None:
        if code == "SlowDown":
            status = 503
        else:
            status = shape.metadata.get("error", {}).get("httpStatusCode", 400) if shape else 400
    extra: dict[str, Any] = {}
    if shape is not None and service_model.metadata.get("awsQueryCompatible") is not None:
        extra["QueryErrorCode"] = code  # botocore finds the exception class through it (SQS)
    return AwsError(code, message if message is not None else f"Injected fault: {code}", status, **extra)


def _error_shape(service_model: Any, code: str) -> Any:
    for shape in service_model.error_shapes:
        if shape.name == code or shape.metadata.get("error", {}).get("code") == code:
            return shape
    return None


def _throttling_code(service_model: Any) -> str:
    modeled = {shape.name for shape in service_model.error_shapes}
    for code in _THROTTLING_CODES:
        if code in modeled:
            return code
    if service_model.protocol == "rest-xml":
        return "SlowDown"
    return "Throttling" if service_model.protocol in ("query", "ec2") else "ThrottlingException"
