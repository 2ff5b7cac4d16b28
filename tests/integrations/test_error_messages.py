"""Errors tell the user what happened and what to do: not-emulated calls, bad options, persistence."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import boto3
import pytest

from kumo_intercept import ConfigurationError, NotEmulatedError, current, kumo
from kumo_intercept.store.errors import DataDirLocked


def test_a_missing_service_names_it_and_points_to_coverage_and_stubber():
    with kumo():
        with pytest.raises(NotEmulatedError) as caught:
            boto3.client("appmesh").list_meshes()
    message = str(caught.value)
    assert "does not emulate appmesh.ListMeshes" in message and "no backend for the service 'appmesh'" in message
    assert "No request was sent anywhere" in message
    assert "docs/coverage.md" in message and "botocore.stub.Stubber" in message
    assert (caught.value.service, caught.value.operation) == ("appmesh", "ListMeshes")


def test_a_missing_operation_is_also_a_not_implemented_error():
    with kumo():
        with pytest.raises(NotImplementedError, match=r"does not emulate sts\.AssumeRoot yet"):
            boto3.client("sts").assume_root(TargetPrincipal="111122223333", TaskPolicyArn={
                "arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"})


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (dict(account_id="12"), "account_id must be 12 digits, got '12'"),
        (dict(region=""), "region must be a region name such as 'us-east-1'"),
        (dict(durability="sometimes"), "durability must be 'process', 'fsync' or an interval"),
        (dict(ledger_size=-1), "ledger_size is how many calls aws.calls keeps: a whole number of 1 or more"),
    ],
)
def test_bad_options_say_what_is_expected(options, expected):
    with pytest.raises(ConfigurationError, match=expected):
        kumo(**options)


@pytest.mark.parametrize(
    ("options", "expected"),
    [(dict(clock="fast"), "clock must be 'wall', 'virtual' or a clock object"),
     (dict(start_time="2025-01-01"), "start_time needs clock='virtual'")],
)
def test_bad_clock_options_say_what_is_expected(options, expected):
    with pytest.raises(ValueError, match=expected):
        kumo(**options)


def test_snapshot_mistakes_list_what_exists():
    with kumo() as aws:
        aws.snapshot("clean")
        with pytest.raises(ConfigurationError, match="no snapshot named 'dirty'; there are: .*clean"):
            aws.restore("dirty")
        with pytest.raises(ConfigurationError, match="a snapshot name is 1-200 letters"):
            aws.snapshot("bad name/")


def test_a_data_directory_in_use_names_the_holder_and_the_way_out(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from kumo_intercept import kumo
            with kumo(data_dir={str(tmp_path)!r}):
                print("open", flush=True)
                sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(DataDirLocked) as caught:
            kumo(data_dir=tmp_path).start()
        message = str(caught.value)
        assert f"is in use by process {holder.pid}" in message
        assert "Stop the other one, or give this emulator its own data_dir" in message
        assert current() is None, "a failed start leaves nothing active"
    finally:
        holder.communicate("\n", timeout=30)
