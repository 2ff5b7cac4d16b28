"""Fault injection: make AWS fail on purpose and check that your code copes.

Injected throttling and 5xx errors go through the client's own retry configuration exactly as
against AWS: same retry decisions, same max attempts, `RetryAttempts` in the response metadata,
and no real sleeping on a virtual clock.
"""

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


def publish_alert(sns, topic_arn: str, text: str) -> bool:
    """The code under test: publishes, and reports failure instead of raising."""
    try:
        sns.publish(TopicArn=topic_arn, Message=text)
        return True
    except ClientError:
        return False


@pytest.mark.kumo(clock="virtual")
def test_throttling_is_retried_by_the_client(kumo):
    sns = boto3.client("sns", config=Config(retries={"mode": "standard", "max_attempts": 2}))
    topic = sns.create_topic(Name="alerts")["TopicArn"]

    kumo.faults.throttle("sns", "Publish", count=2)  # the next two Publish calls are throttled
    assert publish_alert(sns, topic, "disk full")
    assert [call.error for call in kumo.calls.find("sns.Publish")] == ["Throttling", "Throttling", None]


@pytest.mark.kumo(clock="virtual")
def test_a_persistent_outage_is_reported(kumo):
    sns = boto3.client("sns", config=Config(retries={"mode": "standard", "total_max_attempts": 3}))
    topic = sns.create_topic(Name="alerts")["TopicArn"]

    with kumo.faults.server_error("sns", "Publish", status=503) as outage:
        assert not publish_alert(sns, topic, "disk full")
    assert outage.hits == 3  # the client gave up after its 3 attempts
    assert publish_alert(sns, topic, "disk full")  # the fault ended with the block


@pytest.mark.kumo(clock="virtual", seed=7)
def test_flaky_calls_with_a_seeded_probability(kumo):
    sqs = boto3.client("sqs", config=Config(retries={"mode": "standard", "total_max_attempts": 5}))
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    kumo.faults.server_error("sqs", "SendMessage", probability=0.3)  # same draws on every run
    for n in range(20):
        sqs.send_message(QueueUrl=url, MessageBody=str(n))
    assert kumo.state.sqs.queues("jobs")["visible"] == 20


@pytest.mark.kumo(clock="virtual")
def test_slow_calls_take_time_on_the_virtual_clock(kumo):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    kumo.faults.latency(2.5, "sqs", "SendMessage")
    before = kumo.clock.time()
    sqs.send_message(QueueUrl=url, MessageBody="slow")
    assert kumo.clock.time() - before == 2.5
