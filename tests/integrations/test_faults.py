"""Fault injection through real boto3 clients: errors as AWS returns them, retried by the client's own
retry configuration, latency on the emulator's clock, seeded probabilities."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from kumo_intercept import AwsError, kumo
from role_helpers import create_role

ROLE = "arn:aws:iam::111122223333:role/deployer"


def _client(service: str, mode: str = "standard", max_attempts: int | None = None):
    retries: dict = {"mode": mode}
    if max_attempts is not None:
        retries["total_max_attempts"] = max_attempts
    return boto3.client(service, config=Config(retries=retries))


@pytest.fixture
def aws():
    with kumo(clock="virtual") as emulator:
        yield emulator


def test_throttled_calls_are_retried_and_then_succeed(aws):
    fault = aws.faults.throttle("sts", "GetCallerIdentity", count=2)
    start = aws.clock.time()
    identity = _client("sts").get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert identity["ResponseMetadata"]["RetryAttempts"] == 2
    assert fault.hits == 2 and fault.exhausted
    assert [call.error for call in aws.calls] == ["Throttling", "Throttling", None]
    assert aws.clock.time() > start, "the backoff delays pass on the virtual clock"


def test_retries_stop_at_the_clients_max_attempts(aws):
    fault = aws.faults.throttle("sts")
    with pytest.raises(ClientError) as caught:
        _client("sts", max_attempts=3).get_caller_identity()
    response = caught.value.response
    assert response["Error"]["Code"] == "Throttling"
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert response["ResponseMetadata"]["MaxAttemptsReached"] is True
    assert fault.hits == 3


def test_legacy_retry_mode_uses_its_own_service_limits(aws):
    aws.faults.throttle("dynamodb")
    client = _client("dynamodb", mode="legacy")
    with pytest.raises(client.exceptions.ThrottlingException) as caught:
        client.list_tables()
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 9  # legacy DynamoDB: 10 attempts


def test_a_client_without_retries_sees_the_first_fault(aws):
    aws.faults.throttle("sts", count=1)
    with pytest.raises(ClientError) as caught:
        _client("sts", max_attempts=1).get_caller_identity()
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert _client("sts").get_caller_identity()["ResponseMetadata"]["RetryAttempts"] == 0


@pytest.mark.parametrize(
    ("service", "call", "code", "status"),
    [
        ("s3", "list_buckets", "SlowDown", 503),
        ("dynamodb", "list_tables", "ThrottlingException", 400),
        ("sqs", "list_queues", "RequestThrottled", 400),
        ("lambda", "list_functions", "TooManyRequestsException", 429),
        ("sns", "list_topics", "Throttling", 400),
    ],
)
def test_each_service_throttles_with_its_own_error(aws, service, call, code, status):
    aws.faults.throttle(service)
    client = _client(service, max_attempts=1)
    with pytest.raises(ClientError) as caught:
        getattr(client, call)()
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    if code in client.exceptions._code_to_exception:
        assert isinstance(caught.value, client.exceptions.from_code(code))


def test_server_errors_are_retried_as_transient(aws):
    fault = aws.faults.server_error("s3", status=503, count=2)
    aws.faults.server_error("sts", count=1)
    with pytest.raises(ClientError) as caught:
        _client("s3", max_attempts=2).list_buckets()
    assert caught.value.response["Error"]["Code"] == "ServiceUnavailable"
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    assert fault.hits == 2
    identity = _client("sts").get_caller_identity()
    assert identity["ResponseMetadata"]["RetryAttempts"] == 1
    assert aws.calls.filter("sts", ok=False)[0].error == "InternalFailure"


def test_a_specific_error_is_the_modeled_exception_and_not_retried(aws):
    sts = _client("sts")
    fault = aws.faults.error("ExpiredTokenException", "sts", "GetCallerIdentity")
    with pytest.raises(sts.exceptions.ExpiredTokenException) as caught:
        sts.get_caller_identity()
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert fault.hits == 1


def test_query_compatible_errors_map_to_their_exception_class(aws):
    sqs = _client("sqs")
    aws.faults.error("QueueDoesNotExist", "sqs", "get_queue_url", message="no such queue")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as caught:
        sqs.get_queue_url(QueueName="orders")
    assert caught.value.response["Error"]["Message"] == "no such queue"


def test_an_aws_error_instance_is_returned_as_given(aws):
    aws.faults.inject("sts", error=AwsError("AccessDenied", "not today", 403))
    with pytest.raises(ClientError) as caught:
        _client("sts").get_caller_identity()
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    assert caught.value.response["Error"]["Message"] == "not today"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_predicate_on_params_chooses_the_calls(aws):
    create_role(ROLE)
    sts = _client("sts")
    aws.faults.error("AccessDenied", "sts", "AssumeRole", status=403,
                     when=lambda params: params["RoleSessionName"] == "intruder")
    assert sts.assume_role(RoleArn=ROLE, RoleSessionName="deploy")["AssumedRoleUser"]
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=ROLE, RoleSessionName="intruder")
    assert caught.value.response["Error"]["Code"] == "AccessDenied"


def test_after_lets_the_first_calls_through(aws):
    sts = _client("sts", max_attempts=1)
    aws.faults.error("AccessDenied", "sts", after=2, count=1)
    sts.get_caller_identity()
    sts.get_caller_identity()
    with pytest.raises(ClientError):
        sts.get_caller_identity()
    sts.get_caller_identity()
    assert [call.ok for call in aws.calls] == [True, True, False, True]


def _outcomes(seed: int, probability: float) -> list[bool]:
    with kumo(seed=seed) as emulator:
        emulator.faults.error("AccessDenied", "sts", probability=probability)
        sts = _client("sts", max_attempts=1)
        outcomes = []
        for _ in range(40):
            try:
                sts.get_caller_identity()
                outcomes.append(True)
            except ClientError:
                outcomes.append(False)
        return outcomes


def test_probabilities_are_drawn_from_the_seeded_generator():
    first = _outcomes(seed=7, probability=0.5)
    assert first == _outcomes(seed=7, probability=0.5)
    assert 5 < first.count(False) < 35
    assert first != _outcomes(seed=8, probability=0.5)
    assert all(_outcomes(seed=7, probability=0.0))


def test_faults_do_not_shift_the_generated_ids():
    def request_ids(with_fault: bool) -> list[str]:
        with kumo(seed=3) as emulator:
            if with_fault:
                emulator.faults.error("AccessDenied", "sqs", probability=0.5)
            sts = _client("sts")
            return [sts.get_caller_identity()["ResponseMetadata"]["RequestId"] for _ in range(3)]

    assert request_ids(True) == request_ids(False)


def test_latency_moves_the_virtual_clock(aws):
    aws.faults.latency(2.5, "sts", count=1)
    start = aws.clock.time()
    _client("sts").get_caller_identity()
    assert aws.clock.time() == pytest.approx(start + 2.5)
    assert aws.calls[0].time == pytest.approx(start + 2.5)
    _client("sts").get_caller_identity()
    assert aws.clock.time() == pytest.approx(start + 2.5)


def test_latency_sleeps_on_the_wall_clock(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr("kumo_intercept.core.clock._time.sleep", slept.append)  # the wall clock sleeps
    with kumo() as emulator:
        emulator.faults.latency(0.25, "sts")
        emulator.faults.throttle("sts", count=1)
        _client("sts").get_caller_identity()
    assert slept[0] == 0.25 and len(slept) == 3, "latency, backoff, latency of the retried attempt"


def test_a_fault_used_as_a_context_manager_is_removed_on_exit(aws):
    sts = _client("sts", max_attempts=1)
    with aws.faults.error("AccessDenied", "sts") as fault:
        with pytest.raises(ClientError):
            sts.get_caller_identity()
        assert list(aws.faults) == [fault]
    assert len(aws.faults) == 0
    assert sts.get_caller_identity()["Account"]


def test_clear_removes_every_rule_and_faults_survive_reset(aws):
    aws.faults.throttle("sts")
    aws.faults.latency(1, "sqs")
    aws.reset()
    assert len(aws.faults) == 2
    aws.faults.clear()
    assert _client("sts").get_caller_identity()["ResponseMetadata"]["RetryAttempts"] == 0


@pytest.mark.parametrize(
    "kwargs",
    [dict(count=0), dict(probability=1.5), dict(latency=-1), dict()],
)
def test_invalid_rules_are_refused(aws, kwargs):
    with pytest.raises(ValueError):
        aws.faults.inject("sts", **kwargs)


def test_server_error_needs_a_5xx_status(aws):
    with pytest.raises(ValueError, match="5xx"):
        aws.faults.server_error("sts", status=404)


@pytest.mark.parametrize(
    ("service", "operation", "message"),
    [
        ("dynamo", None, r"botocore has no service 'dynamo'; did you mean \['dynamodb'"),
        ("sqs", "SendMesage", r"sqs has no operation 'SendMesage'; did you mean \['SendMessage'"),
        (None, "SendMessage", "name the service of operation 'SendMessage'"),
    ],
)
def test_misspelt_targets_are_refused_with_a_suggestion(aws, service, operation, message):
    with pytest.raises(ValueError, match=message):
        aws.faults.throttle(service, operation)


@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_every_retry_mode_of_botocore_retries_injected_throttling(aws, mode):
    aws.faults.throttle("dynamodb", "ListTables", count=2)
    response = _client("dynamodb", mode=mode).list_tables()
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert response["TableNames"] == []
