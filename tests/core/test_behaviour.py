"""Dispatch behaviour: errors, metadata, determinism, clock, ledger, strict mode, threads, rollback."""

from __future__ import annotations

import datetime
import threading

import boto3
import pytest
from botocore.exceptions import ClientError

from kumo_intercept import AwsError, KumoInternalError, StrictModeError, kumo
from kumo_intercept.services.sts.backend import StsBackend
from role_helpers import create_role

ROLE = "arn:aws:iam::123456789012:role/r"


def _calls(aws):
    create_role(ROLE)
    sts = boto3.client("sts")
    out = [sts.get_caller_identity()]
    out.append(sts.assume_role(RoleArn=ROLE, RoleSessionName="one"))
    aws.clock.advance(61)
    out.append(sts.get_session_token(DurationSeconds=900))
    try:
        sts.assume_role(RoleArn=ROLE, RoleSessionName="bad name")
    except ClientError as err:
        out.append(err.response)
    return out


def test_seeded_virtual_runs_replay_byte_for_byte():
    with kumo(clock="virtual", seed=5) as aws:
        first = _calls(aws)
    with kumo(clock="virtual", seed=5) as aws:
        second = _calls(aws)
    assert first == second
    with kumo(clock="virtual", seed=6) as aws:
        third = _calls(aws)
    assert third[1]["Credentials"]["AccessKeyId"] != first[1]["Credentials"]["AccessKeyId"]


def test_seed_none_gives_different_ids_each_run():
    keys = set()
    for _ in range(2):
        with kumo(seed=None):
            keys.add(boto3.client("sts").get_session_token()["Credentials"]["AccessKeyId"])
    assert len(keys) == 2


def test_response_metadata_is_complete():
    with kumo(clock="virtual") as aws:
        response = boto3.client("sts").get_caller_identity()
    meta = response["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 200 and meta["RetryAttempts"] == 0
    assert meta["RequestId"] == meta["HTTPHeaders"]["x-amzn-requestid"]
    assert len(meta["RequestId"]) == 36
    assert meta["HTTPHeaders"]["date"] == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert aws.calls[0].request_id == meta["RequestId"]


def test_errors_reach_the_user_as_botocore_raises_them():
    with kumo():
        create_role(ROLE)
        sts = boto3.client("sts")
        with pytest.raises(sts.exceptions.ClientError) as err:
            sts.assume_role(RoleArn=ROLE, RoleSessionName="ab", DurationSeconds=5000)
    response = err.value.response
    assert response["Error"]["Code"] == "ValidationError"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ResponseMetadata"]["RequestId"]
    assert err.value.operation_name == "AssumeRole"


def test_modeled_error_codes_raise_the_modeled_exception_class(monkeypatch):
    def refuse(self, ctx):
        raise AwsError("RegionDisabledException", "STS is not activated in this region", 403)

    monkeypatch.setattr(StsBackend, "get_session_token", refuse)
    with kumo():
        sts = boto3.client("sts")
        with pytest.raises(sts.exceptions.RegionDisabledException) as err:
            sts.get_session_token()
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert err.value.response["Error"]["Type"] == "Sender"


def test_wall_clock_reads_system_time():
    with kumo() as aws:
        before = datetime.datetime.now(datetime.timezone.utc)
        now = aws.clock.now()
        assert before <= now <= datetime.datetime.now(datetime.timezone.utc)
        assert now.tzinfo is not None


def test_virtual_clock_moves_only_when_told():
    with kumo(clock="virtual", start_time=datetime.datetime(2031, 2, 3)) as aws:
        assert aws.clock.now() == datetime.datetime(2031, 2, 3, tzinfo=datetime.timezone.utc)
        aws.clock.advance(90)
        assert aws.clock.time() == datetime.datetime(2031, 2, 3, 0, 1, 30, tzinfo=datetime.timezone.utc).timestamp()
        aws.clock.set("2032-01-01T00:00:00Z")
        assert aws.clock.now().year == 2032
        with pytest.raises(ValueError):
            aws.clock.advance(-1)


def test_ledger_records_every_call_with_outcome_and_filters():
    with kumo() as aws:
        create_role(ROLE)
        sts = boto3.client("sts", region_name="eu-central-1")
        sts.get_caller_identity()
        with pytest.raises(ClientError):
            sts.assume_role(RoleArn=ROLE, RoleSessionName="bad name")
        sts.assume_role(RoleArn=ROLE, RoleSessionName="good")
        assert aws.calls.names() == ["iam.CreateRole", "sts.GetCallerIdentity", "sts.AssumeRole", "sts.AssumeRole"]
        failed = aws.calls.filter(ok=False)
        assert [c.error for c in failed] == ["ValidationError"]
        assert failed[0].params == {"RoleArn": ROLE, "RoleSessionName": "bad name"}
        assert aws.calls.filter(operation="AssumeRole", ok=True)[0].response["AssumedRoleUser"]
        assert aws.calls.last("sts", "GetCallerIdentity").region == "eu-central-1"
        assert all(c.account == "123456789012" for c in aws.calls)


def test_ledger_is_bounded():
    with kumo(ledger_size=5) as aws:
        sts = boto3.client("sts")
        for _ in range(12):
            sts.get_caller_identity()
        assert len(aws.calls) == 5


def test_strict_mode_catches_a_malformed_response(monkeypatch):
    monkeypatch.setattr(StsBackend, "get_caller_identity",
                        lambda self, ctx: {"Account": 123456789012, "Arn": "x", "UserId": "y"})
    with kumo(strict=True):
        with pytest.raises(StrictModeError, match=r"Account: expected str, got int"):
            boto3.client("sts").get_caller_identity()
    with kumo(strict=False):  # off by default: the malformed value reaches the user
        assert boto3.client("sts").get_caller_identity()["Account"] == 123456789012


def test_strict_mode_catches_unknown_members(monkeypatch):
    monkeypatch.setattr(StsBackend, "get_caller_identity", lambda self, ctx: {"Acount": "1"})
    with kumo(strict=True):
        with pytest.raises(StrictModeError, match="'Acount' is not a member"):
            boto3.client("sts").get_caller_identity()


def test_strict_mode_accepts_real_responses():
    with kumo(strict=True, clock="virtual") as aws:
        _calls(aws)


def test_a_bug_in_a_backend_is_reported_as_one(monkeypatch):
    monkeypatch.setattr(StsBackend, "get_caller_identity", lambda self, ctx: 1 / 0)
    with kumo():
        with pytest.raises(KumoInternalError, match="sts.GetCallerIdentity") as err:
            boto3.client("sts").get_caller_identity()
    assert isinstance(err.value.__cause__, ZeroDivisionError)


def test_a_failed_call_leaves_no_trace(monkeypatch):
    def half_done(self, ctx):
        self.credentials.put("ASIAHALFDONE", {"Account": "1", "UserId": "u", "Arn": "a", "Expiration": 0})
        raise AwsError("InternalError", "boom", 500)

    monkeypatch.setattr(StsBackend, "get_session_token", half_done)
    with kumo() as aws:
        with pytest.raises(ClientError):
            boto3.client("sts").get_session_token()
        assert "ASIAHALFDONE" not in aws.store.table("sts.credentials")


def test_reset_forgets_resources():
    with kumo() as aws:
        creds = boto3.client("sts").get_session_token()["Credentials"]
        aws.reset()
        client = boto3.client("sts", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key="x")
        assert client.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"
        assert len(aws.store.table("sts.credentials")) == 0


def test_accounts_and_regions_are_recorded_per_client():
    with kumo() as aws:
        boto3.client("sts", region_name="us-west-2", aws_access_key_id="210987654321",
                     aws_secret_access_key="x").get_caller_identity()
        call = aws.calls.last()
        assert (call.account, call.region) == ("210987654321", "us-west-2")


def test_many_threads_never_corrupt_state():
    with kumo() as aws:
        create_role(ROLE)
        errors = []

        def worker(n: int) -> None:
            try:
                sts = boto3.Session().client("sts")
                for i in range(25):
                    sts.assume_role(RoleArn=ROLE, RoleSessionName=f"t{n}-{i}")
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        issued = aws.store.table("sts.credentials")
        assert len(issued) == 200, "every issued key is distinct and stored"
        assert len(aws.calls) == 201  # with the CreateRole
        assert len({c.request_id for c in aws.calls}) == 201


def test_advancing_the_virtual_clock_runs_pollers_outside_calls():
    with kumo(clock="virtual") as aws:
        due = aws.clock.time() + 60
        fired = []

        def poller() -> bool:
            if aws.clock.time() >= due and not fired:
                fired.append(aws.clock.time())
                return True
            return False

        aws.pollers.append(poller)
        aws.clock.advance(30)
        assert fired == []
        aws.clock.advance(30)
        assert fired == [due], "work that came due ran as the clock moved, before any call"
