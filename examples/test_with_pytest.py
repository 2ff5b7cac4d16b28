"""kumo_intercept with pytest: the `kumo` fixture, the `kumo` marker and the `@kumo` decorator.

Run: python -m pytest examples/test_with_pytest.py
The plugin is registered when kumo_intercept is installed; nothing to add to conftest.py.
"""

import boto3
import pytest

from kumo_intercept import kumo


def test_with_the_fixture(kumo):
    """The fixture yields an active emulator: every boto3 client in the test is served by it."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="resize photo 1")

    # assert on state without another boto3 call
    assert kumo.state.sqs.queues("jobs")["visible"] == 1
    assert [message["body"] for message in kumo.state.sqs.messages("jobs")] == ["resize photo 1"]
    kumo.calls.assert_called("sqs.SendMessage", MessageBody="resize photo 1")


@pytest.mark.kumo(clock="virtual", seed=42)
def test_with_options_from_the_marker(kumo):
    """Marker options are kumo() options; a virtual clock makes timeouts instant."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="resize photo 1")
    sqs.receive_message(QueueUrl=url)
    assert "Messages" not in sqs.receive_message(QueueUrl=url), "in flight"

    kumo.clock.advance(31)  # the visibility timeout passes, no sleeping
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "resize photo 1"


@pytest.mark.kumo(account_id="111122223333")
def test_with_the_marker_alone():
    """The marker alone runs the test in an emulator; no fixture argument needed."""
    assert boto3.client("sts").get_caller_identity()["Account"] == "111122223333"


@kumo
def test_with_the_decorator():
    """@kumo (or @kumo(**options)) gives the test a fresh emulator, in or out of pytest."""
    sns = boto3.client("sns")
    sns.create_topic(Name="alerts")
    assert [t["TopicArn"].rsplit(":", 1)[1] for t in sns.list_topics()["Topics"]] == ["alerts"]
