"""What a new user meets first: options, nesting, fixtures, classes, clocks, waiters, the ledger.

Each test pins one footgun found when the project was tried as a newcomer would; the moto behaviours
(`mock_aws` on a plain class, `config=`, `DEFAULT_ACCOUNT_ID`) are from moto's documentation
("Configuration" and "Getting started" pages).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings

import boto3
import pytest

from kumo_intercept import DEFAULT_ACCOUNT_ID, BodyPreview, ConfigurationError, current, kumo, mock_aws
from kumo_intercept.core.clock import FixedClockError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# -- nesting -------------------------------------------------------------------------------------
def test_a_nested_emulator_with_other_options_is_refused_naming_them():
    with kumo(seed=1):
        with pytest.raises(ConfigurationError, match=r"seed=99 here, 1 active"):
            with kumo(seed=99):
                pass
        assert current() is not None  # the refused one did not end the outer activation


def test_a_nested_emulator_with_default_or_equal_options_joins():
    with kumo(clock="virtual", seed=5) as outer:
        with kumo() as inner, kumo(seed=5) as again:
            assert inner is outer and again is outer


def test_the_fixture_plus_a_decorator_with_other_options_says_what_to_do(kumo):
    from kumo_intercept import kumo as make_emulator

    @make_emulator(seed=99)
    def inner() -> None:
        pass

    with pytest.raises(ConfigurationError, match=r"@pytest\.mark\.kumo"):
        inner()


def test_calling_the_fixture_like_the_function_explains_the_shadowing(kumo):
    with pytest.raises(ConfigurationError, match="pytest fixture `kumo`, whose name shadows"):
        kumo(seed=99)


# -- option values -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(region="us-esat-1"), r"region 'us-esat-1' is not a region botocore knows \(did you mean"),
        (dict(seed=1.5), "seed must be an int, a str or None, got float"),
        (dict(seed=True), "seed must be an int, a str or None"),
        (dict(strict="yes"), "strict must be True or False, got 'yes'"),
        (dict(clock="virtual", start_time="yesterday"), "start_time must be a datetime"),
        (dict(sed=3), "kumo\\(\\) has no option 'sed'; did you mean 'seed'"),
    ],
)
def test_bad_option_values_name_the_option(options, message):
    with pytest.raises(ConfigurationError, match=message):
        kumo(**options)


def test_regions_of_other_partitions_are_accepted():
    for region in ("eu-central-1", "cn-north-1", "us-gov-west-1"):
        with kumo(region=region) as aws:
            assert aws.region == region


# -- moto's forms --------------------------------------------------------------------------------
def test_moto_config_known_keys_are_accepted_with_a_warning_where_behaviour_differs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mock_aws(config={"core": {"mock_credentials": True, "passthrough": {"urls": [], "services": []}}})
    with pytest.warns(UserWarning, match="lambda.use_docker=False is ignored"):
        mock_aws(config={"lambda": {"use_docker": False}})


def test_moto_config_passthrough_and_unknown_keys_are_refused():
    with pytest.raises(ConfigurationError, match="would send calls to real AWS"):
        mock_aws(config={"core": {"passthrough": {"services": ["dynamodb"]}}})
    with pytest.raises(ConfigurationError, match="config key core.use_docker is not one moto knows"):
        mock_aws(config={"core": {"use_docker": True}})


def test_the_default_account_id_is_exported_as_moto_names_it():
    with kumo():
        assert boto3.client("sts").get_caller_identity()["Account"] == DEFAULT_ACCOUNT_ID == "123456789012"


@mock_aws
class TestAPlainClassUnderMockAws:
    """Collected by pytest: each test method in a fresh emulator, setup_method inside it (moto's
    behaviour for class decorators)."""

    def setup_method(self, method):
        assert current() is not None, "setup_method runs inside the emulator"
        self.s3 = boto3.client("s3")
        self.s3.create_bucket(Bucket="made-in-setup")

    def teardown_method(self, method):
        assert current() is not None, "teardown_method runs inside the emulator"

    def _names(self):
        return [bucket["Name"] for bucket in self.s3.list_buckets()["Buckets"]]

    def test_one_sees_only_its_own_state(self):
        assert self._names() == ["made-in-setup"]
        self.s3.create_bucket(Bucket="made-in-one")

    def test_two_sees_only_its_own_state(self):
        assert self._names() == ["made-in-setup"]
        self.s3.create_bucket(Bucket="made-in-two")


def test_a_plain_class_called_outside_pytest_still_gets_a_fresh_emulator_per_method():
    @kumo
    class Plain:
        def test_it(self):
            return current()

    first, second = Plain().test_it(), Plain().test_it()
    assert first is not None and second is not None and first is not second
    assert current() is None


# -- the pytest fixture and KUMO_DATA_DIR ---------------------------------------------------------
def test_kumo_data_dir_keeps_tests_of_the_fixture_isolated(tmp_path):
    test_file = tmp_path / "test_isolated.py"
    test_file.write_text(textwrap.dedent("""
        import boto3

        def test_first(kumo):
            boto3.client("sqs").create_queue(QueueName="left-behind")

        def test_second(kumo):
            assert boto3.client("sqs").list_queues().get("QueueUrls", []) == []
    """))
    data_root = tmp_path / "data"
    env = {**os.environ, "KUMO_DATA_DIR": str(data_root)}
    env.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:randomly", str(test_file)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert sorted(folder.name for folder in data_root.iterdir()) == [
        "test_isolated.py_test_first", "test_isolated.py_test_second"]


# -- clocks and waiters --------------------------------------------------------------------------
def test_advancing_a_wall_clock_says_to_use_the_virtual_one():
    with kumo() as aws:
        with pytest.raises(FixedClockError, match=r'kumo\(clock="virtual"\)'):
            aws.clock.advance(60)


def test_waiters_move_the_virtual_clock_instead_of_sleeping():
    with kumo(clock="virtual") as aws:
        s3 = boto3.client("s3")
        started, wall = aws.clock.time(), time.monotonic()
        with pytest.raises(Exception, match="Max attempts exceeded"):
            s3.get_waiter("bucket_exists").wait(Bucket="never-made", WaiterConfig={"Delay": 20, "MaxAttempts": 4})
        assert aws.clock.time() - started == 60  # three waits of 20 s between four attempts
        assert time.monotonic() - wall < 5


def test_a_waiter_that_finds_its_resource_at_once_does_not_move_the_clock():
    with kumo(clock="virtual") as aws:
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="appears")
        started = aws.clock.time()
        s3.get_waiter("bucket_exists").wait(Bucket="appears", WaiterConfig={"Delay": 5})
        assert aws.clock.time() == started


# -- the call ledger keeps payloads small ---------------------------------------------------------
def test_the_ledger_keeps_small_bodies_as_bytes_and_large_ones_as_size_and_digest():
    with kumo() as aws:
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="bodies")
        s3.put_object(Bucket="bodies", Key="small", Body=b"x")
        aws.calls.assert_called("s3.PutObject", Key="small", Body=b"x")
        large = os.urandom(5 * 1024 * 1024)
        s3.put_object(Bucket="bodies", Key="large", Body=large)
        kept = aws.calls.last("s3", "PutObject").params["Body"]
        assert isinstance(kept, BodyPreview) and kept.size == len(large) and kept.head == large[:64]
        aws.calls.assert_called("s3.PutObject", Key="large", Body=large)  # compared by size and digest
        assert s3.get_object(Bucket="bodies", Key="large")["Body"].read() == large


def test_the_ledger_never_keeps_the_callers_file_or_a_response_stream():
    with kumo() as aws:
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="bodies")
        data = os.urandom(100_000)
        with tempfile.TemporaryFile() as handle:
            handle.write(data)
            handle.seek(0)
            s3.put_object(Bucket="bodies", Key="from-file", Body=handle)
        kept = aws.calls.last("s3", "PutObject").params["Body"]
        assert kept == data and kept.size == len(data)
        assert s3.get_object(Bucket="bodies", Key="from-file")["Body"].read() == data
        response_body = aws.calls.last("s3", "GetObject").response["Body"]
        assert isinstance(response_body, BodyPreview) and response_body.size is None
        assert '"sha256": null' in aws.calls.to_jsonl()


# -- async -----------------------------------------------------------------------------------------
def test_async_with_activates_an_emulator():
    async def scenario() -> str:
        async with kumo() as aws:
            assert current() is aws
            return boto3.client("sts").get_caller_identity()["Account"]

    assert asyncio.run(scenario()) == DEFAULT_ACCOUNT_ID
    assert current() is None
