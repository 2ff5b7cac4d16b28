"""Moving from moto: `mock_aws` is an alias of `kumo`, so most suites change one import.

    - from moto import mock_aws
    + from kumo_intercept import mock_aws

What differs (see docs/guide.md#moving-from-moto):
- No fake credentials or region needed: clients work without AWS_ACCESS_KEY_ID / AWS_DEFAULT_REGION.
- Import kumo_intercept (or let its pytest plugin load) before creating boto3 clients; a client made
  earlier fails loudly with NetworkBlockedError instead of reaching AWS.
- An operation that is not emulated raises NotEmulatedError (a NotImplementedError), never a fake success.
- Inspect state with `aws.state` / `aws.calls` instead of moto's backends; ids are seeded and repeatable.
- Options are kumo()'s (clock, seed, account_id, region, strict, data_dir), not moto's config dict.
"""

import boto3
import pytest

from kumo_intercept import NotEmulatedError, current, mock_aws


@mock_aws
def test_decorator_as_with_moto():
    sqs = boto3.client("sqs", region_name="eu-west-1")
    sqs.create_queue(QueueName="jobs")
    assert sqs.list_queues()["QueueUrls"] == ["https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"]


def test_context_manager_as_with_moto():
    with mock_aws():
        sns = boto3.client("sns")
        sns.create_topic(Name="alerts")
        assert len(sns.list_topics()["Topics"]) == 1
    assert current() is None  # state is discarded on exit, as with moto


@mock_aws
def test_what_is_not_emulated_says_so():
    with pytest.raises(NotImplementedError) as caught:  # moto-era `except NotImplementedError` still works
        boto3.client("sts").assume_root(TargetPrincipal="111122223333", TaskPolicyArn={
            "arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"})
    assert isinstance(caught.value, NotEmulatedError)


def _first_message_id(seed: int) -> str:
    with mock_aws(seed=seed):
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        return sqs.send_message(QueueUrl=url, MessageBody="x")["MessageId"]


def test_ids_are_repeatable():
    """Unlike moto's random ids, the same seed and calls give the same ids on every run."""
    assert _first_message_id(1) == _first_message_id(1) != _first_message_id(2)
