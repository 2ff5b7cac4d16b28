"""The entry point: context manager, decorators, start/stop, nesting, leaving no trace."""

from __future__ import annotations

import asyncio
import os
import unittest

import boto3
import botocore.handlers
import botocore.httpsession
import botocore.session
import pytest

import kumo_intercept
from kumo_intercept import Emulator, NetworkBlockedError, NotEmulatedError, current, kumo, mock_aws


def _account() -> str:
    return boto3.client("sts").get_caller_identity()["Account"]


def _issue_credentials(client=None) -> None:
    """One call that changes state and needs nothing to exist first."""
    (client or boto3.client("sts")).get_session_token(DurationSeconds=900)


def test_context_manager_serves_calls_and_ends():
    with kumo() as aws:
        assert isinstance(aws, Emulator)
        assert current() is aws
        assert _account() == "123456789012"
        assert aws.calls.names() == ["sts.GetCallerIdentity"]
    assert current() is None


def test_decorator_without_arguments_runs_in_a_fresh_emulator():
    seen = []

    @kumo
    def body(x):
        seen.append(current())
        _issue_credentials()
        return x * 2

    assert body(21) == 42
    assert body(1) == 2
    assert seen[0] is not None and seen[1] is not None and seen[0] is not seen[1]
    assert len(seen[1].calls) == 1, "the second call starts with an empty ledger"
    assert current() is None


def test_decorator_with_arguments_passes_options():
    @kumo(account_id="222233334444")
    def body():
        return _account()

    assert body() == "222233334444"


def test_decorator_keeps_the_function_signature_for_pytest():
    @kumo
    def body(a, b=2):
        """doc"""

    assert body.__name__ == "body" and body.__doc__ == "doc"
    assert list(body.__wrapped__.__code__.co_varnames[:2]) == ["a", "b"]


def test_async_function_decorator():
    @kumo(account_id="333344445555")
    async def body():
        await asyncio.sleep(0)
        return _account(), current() is not None

    assert asyncio.run(body()) == ("333344445555", True)
    assert current() is None


def test_unittest_testcase_decorator_gives_each_test_a_fresh_emulator():
    emulators = []

    @kumo
    class Case(unittest.TestCase):
        def setUp(self):
            emulators.append(("setUp", current()))
            _issue_credentials()

        def tearDown(self):
            emulators.append(("tearDown", current()))

        def test_one(self):
            emulators.append(("test", current()))
            assert len(current().calls) == 1

        def test_two(self):
            emulators.append(("test", current()))
            assert len(current().calls) == 1

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(Case).run(result)
    assert result.wasSuccessful(), result.failures + result.errors
    assert len(emulators) == 6
    first, second = {id(e) for _, e in emulators[:3]}, {id(e) for _, e in emulators[3:]}
    assert len(first) == 1 and len(second) == 1 and first != second
    assert all(e is not None for _, e in emulators)
    assert current() is None


def test_decorating_something_that_is_not_a_function_or_class_is_refused():
    with pytest.raises(TypeError, match="kumo decorates functions and classes, not int"):
        kumo(3)


def test_start_and_stop_for_notebooks():
    aws = kumo().start()
    try:
        assert current() is aws
        assert _account() == "123456789012"
    finally:
        aws.stop()
    assert current() is None


def test_mock_aws_is_the_same_entry_point():
    with mock_aws() as aws:
        assert current() is aws


def test_nested_activation_joins_the_outer_emulator():
    with kumo() as outer:
        _issue_credentials()
        with kumo() as inner:
            assert inner is outer
            _issue_credentials()
        assert current() is outer, "the inner exit does not end the emulator"
        assert len(outer.calls) == 2
    assert current() is None
    with kumo() as again:
        assert len(again.calls) == 0, "a new activation after the outermost exit starts empty"


def test_stacked_decorators_share_one_emulator():
    @kumo
    @kumo
    def body():
        _issue_credentials()
        return current()

    emulator = body()
    assert len(emulator.calls) == 1


def test_clients_created_before_activation_are_served():
    client = boto3.client("sts", region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b")
    with kumo() as aws:
        client.get_caller_identity()
        assert aws.calls.last().region == "eu-west-1"


def test_no_region_and_no_credentials_needed(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    with kumo(region="ap-southeast-2") as aws:
        session = boto3.Session()
        assert session.client("sts").get_caller_identity()["Account"] == "123456789012"
        assert aws.calls.last().region == "ap-southeast-2"


def _no_credentials_anywhere(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No credential variables in the environment and no ~/.aws (nor instance metadata to ask)."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("HOME", str(tmp_path))


@pytest.mark.parametrize("path", ["fast", "full"])
def test_a_client_made_before_activation_without_credentials_is_served(monkeypatch, tmp_path, path):
    """moto's suites make clients in setUp, before ``mock_aws`` starts, on machines with no credentials
    (moto's test_s3_file_handles): such a client holds none, yet its calls are answered. The full path
    (a listener on the request pipeline) signs the request, which botocore refuses without credentials."""
    _no_credentials_anywhere(monkeypatch, tmp_path)
    client = boto3.Session().client("s3", region_name="us-east-1")
    assert client._request_signer._credentials is None
    if path == "full":
        client.meta.events.register("before-sign.s3", lambda **_: None)
    with kumo():
        client.create_bucket(Bucket="made-before")
        client.put_object(Bucket="made-before", Key="k", Body=b"stuff")
        assert client.get_object(Bucket="made-before", Key="k")["Body"].read() == b"stuff"
    assert client._request_signer._credentials is None, "the client is left as it was"


def test_instance_metadata_is_never_asked_for_credentials(monkeypatch, tmp_path):
    """With no credentials anywhere, botocore's chain would end at instance metadata over HTTP."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    asked = []
    monkeypatch.setattr(botocore.utils.IMDSFetcher, "_fetch_metadata_token",
                        lambda *a, **k: asked.append(1))
    with kumo():
        boto3.Session(region_name="us-east-1").client("sts").get_caller_identity()
    assert asked == []


def test_process_is_left_as_found():
    handlers_before = list(botocore.handlers.BUILTIN_HANDLERS)
    env_before = dict(os.environ)
    default_session_before = boto3.DEFAULT_SESSION
    methods_before = (botocore.session.Session.get_credentials, botocore.session.Session.create_client,
                      botocore.httpsession.URLLib3Session.send)
    with kumo():
        # an own session: boto3.client() would create boto3's default session, which is boto3's doing
        boto3.Session().client("sts").get_caller_identity()
        assert botocore.session.Session.get_credentials is not methods_before[0]
    assert botocore.handlers.BUILTIN_HANDLERS == handlers_before
    assert dict(os.environ) == env_before
    assert boto3.DEFAULT_SESSION is default_session_before
    assert (botocore.session.Session.get_credentials, botocore.session.Session.create_client,
            botocore.httpsession.URLLib3Session.send) == methods_before


def test_default_session_made_before_import_is_served_and_restored(monkeypatch):
    """A boto3 default session whose emitter lacks the hooks gets them for the activation only."""
    session = boto3.Session(region_name="us-east-1")
    emitter = session._session.get_component("event_emitter")
    for event, handler in (("before-call", kumo_intercept.core.interceptor._serve),
                           ("before-parameter-build", kumo_intercept.core.interceptor._remember_params)):
        emitter.unregister(event, handler)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", session)
    with kumo():
        assert boto3.client("sts").get_caller_identity()["Account"] == "123456789012"
    with pytest.raises(Exception) as err:  # no hooks any more: a real (blocked-by-conftest) request
        boto3.client("sts").get_caller_identity()
    assert not isinstance(err.value, NotEmulatedError)


def test_a_client_without_hooks_is_blocked_loudly():
    session = botocore.session.Session()
    emitter = session.get_component("event_emitter")
    emitter.unregister("before-call", kumo_intercept.core.interceptor._serve)
    emitter.unregister("before-parameter-build", kumo_intercept.core.interceptor._remember_params)
    client = session.create_client("sts", region_name="us-east-1", aws_access_key_id="a",
                                    aws_secret_access_key="b")
    with kumo():
        with pytest.raises(NetworkBlockedError, match="before kumo_intercept was imported"):
            client.get_caller_identity()


def test_not_emulated_operation_is_loud():
    with kumo():
        with pytest.raises(NotEmulatedError) as err:
            boto3.client("sts").assume_root(TargetPrincipal="111122223333", TaskPolicyArn={
                "arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"})
    assert isinstance(err.value, NotImplementedError)
    assert "sts.AssumeRoot" in str(err.value)


def test_not_emulated_service_names_service_and_operation():
    with kumo():
        with pytest.raises(NotEmulatedError) as err:
            boto3.client("route53").list_hosted_zones()
    assert "route53.ListHostedZones" in str(err.value)
    assert err.value.service == "route53" and err.value.operation == "ListHostedZones"


def test_without_an_emulator_the_hooks_do_nothing():
    client = boto3.client("sts", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    with pytest.raises(Exception) as err:  # a real request, refused by the suite's socket guard
        client.get_caller_identity()
    assert "network" in str(err.value).lower() or "connect" in str(err.value).lower()


def test_bad_options_are_clear_errors():
    with pytest.raises(kumo_intercept.ConfigurationError):
        kumo(account_id="12")
    with pytest.raises(ValueError):
        kumo(clock="sundial")
    with pytest.raises(ValueError):
        kumo(start_time="2024-01-01")  # start_time needs the virtual clock


def test_kumo_strict_environment_variable_sets_the_default(monkeypatch):
    """KUMO_STRICT=1 makes strict the default (the suite runs so); an explicit strict= still wins."""
    monkeypatch.setenv("KUMO_STRICT", "1")
    assert kumo().strict is True
    assert kumo(strict=False).strict is False
    monkeypatch.setenv("KUMO_STRICT", "0")
    assert kumo().strict is False
    monkeypatch.delenv("KUMO_STRICT")
    assert kumo().strict is False
