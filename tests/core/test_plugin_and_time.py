"""The pytest marker without the fixture, and the wall clock following freezegun."""

from __future__ import annotations

import datetime

import boto3
import pytest
from freezegun import freeze_time

from kumo_intercept import current, kumo


@pytest.mark.kumo(account_id="777788889999")
def test_marker_alone_activates_an_emulator():
    assert current() is not None
    assert boto3.client("sts").get_caller_identity()["Account"] == "777788889999"


def test_no_marker_no_emulator():
    assert current() is None


def test_fixture_yields_the_active_emulator(kumo):
    assert current() is kumo


def test_wall_clock_follows_freezegun():
    with freeze_time("2020-02-29 12:00:00"):
        with kumo() as aws:
            assert aws.clock.now() == datetime.datetime(2020, 2, 29, 12, tzinfo=datetime.timezone.utc)
            creds = boto3.client("sts").get_session_token(DurationSeconds=3600)["Credentials"]
    assert creds["Expiration"] == datetime.datetime(2020, 2, 29, 13, tzinfo=datetime.timezone.utc)
