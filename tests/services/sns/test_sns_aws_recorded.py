"""SNS answers pinned to responses recorded from real AWS.

Each test names the LocalStack AWS-validated test (tests/aws/services/sns/, its ``.snapshot.json``)
whose recording it learned the fact from; the policies and names here are our own.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def subscribe_error(sns, topic: str, attributes: dict) -> str:
    with pytest.raises(ClientError) as err:
        sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100", Attributes=attributes)
    return err.value.response["Error"]["Message"]


def test_filter_policy_errors_quote_the_policy_as_compact_json(sns, topic):
    """test_validate_policy: AWS checks (and quotes) the policy re-serialised without spaces."""
    policy = {"key": [{"suffix": "value", "prefix": "value2"}]}  # the recorded policy and column
    assert subscribe_error(sns, topic, {"FilterPolicy": json.dumps(policy)}) == (
        "Invalid parameter: Attributes Reason: FilterPolicy: Only one key allowed in match expression\n"
        ' at [Source: (String)"{"key":[{"suffix":"value","prefix":"value2"}]}"; line: 1, column: 37]')


@pytest.mark.parametrize("operand, reason, column", [
    ({"suffix": "test"}, "Unsupported anything-but pattern: suffix", 36),
    ({"exists": False}, "Unsupported anything-but pattern: exists", 40),
    ({"prefix": False}, "prefix match pattern must be a string", 40),
])
def test_anything_but_takes_only_prefix_in_sns(sns, topic, operand, reason, column):
    """test_validate_policy_nested_anything_but_operator (the recorded policies and columns)."""
    policy = json.dumps({"key": [{"anything-but": operand}]}, separators=(",", ":"))
    assert subscribe_error(sns, topic, {"FilterPolicy": policy}) == (
        f"Invalid parameter: Attributes Reason: FilterPolicy: {reason}\n"
        f' at [Source: (String)"{policy}"; line: 1, column: {column}]')


def test_policy_syntax_is_checked_before_its_scope(sns, topic):
    """test_validate_policy_string_operators (error-condition-is-not-list-and-operator): an operator
    outside a list is a syntax error even where nested policies are not allowed."""
    message = subscribe_error(sns, topic, {"FilterPolicy": json.dumps({"size": {"prefix": "x"}})})
    assert message.startswith('Invalid parameter: Attributes Reason: FilterPolicy: "prefix" must be an object or '
                              "an array\n at [Source:")


def test_subscribe_is_idempotent_with_default_attributes(sns, topic, queue):
    """test_subscribe_idempotency: attributes equal to the defaults are no difference."""
    _url, arn = queue
    first = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True,
                          Attributes={"RawMessageDelivery": "True"})["SubscriptionArn"]
    for attributes in ({"RawMessageDelivery": "true", "FilterPolicyScope": "MessageAttributes"}, {},
                       {"FilterPolicyScope": "MessageAttributes"}):
        again = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True,
                              Attributes=attributes)
        assert again["SubscriptionArn"] == first
    with pytest.raises(ClientError) as err:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True,
                      Attributes={"RawMessageDelivery": "false", "FilterPolicyScope": "MessageBody"})
    assert err.value.response["Error"]["Message"] == ("Invalid parameter: Attributes Reason: Subscription already "
                                                     "exists with different attributes")


def test_empty_filter_policy_leaves_no_policy_attributes(sns, topic, queue):
    """test_create_subscriptions_with_attributes: no FilterPolicy nor FilterPolicyScope afterwards."""
    _url, arn = queue
    subscription = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True,
                                 Attributes={"RawMessageDelivery": "TrUe", "FilterPolicyScope": "MessageBody",
                                             "FilterPolicy": ""})["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription)["Attributes"]
    assert attributes["RawMessageDelivery"] == "true"
    assert "FilterPolicy" not in attributes and "FilterPolicyScope" not in attributes


@pytest.mark.parametrize("name, attributes", [("orders.fifo", {}), ("orders", {"FifoTopic": "true"})])
def test_fifo_names_and_fifo_topic_go_together(sns, name, attributes):
    """test_create_topic_name_constraints (name-contains-fifo, fifo-name-not-contains-fifo)."""
    with pytest.raises(ClientError) as err:
        sns.create_topic(Name=name, Attributes=attributes)
    assert err.value.response["Error"]["Message"] == "Invalid parameter: Topic Name"
