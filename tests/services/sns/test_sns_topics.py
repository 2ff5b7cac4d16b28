"""SNS topics, subscriptions and their attributes, tags, permissions, errors, pagination."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from queue_helpers import make_queue


def test_create_topic_is_idempotent_and_listed(sns):
    arn = sns.create_topic(Name="orders")["TopicArn"]
    assert arn == "arn:aws:sns:us-east-1:123456789012:orders"
    assert sns.create_topic(Name="orders")["TopicArn"] == arn
    assert sns.list_topics()["Topics"] == [{"TopicArn": arn}]


def test_topic_attributes_defaults_and_updates(sns, topic):
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["TopicArn"] == topic
    assert attributes["Owner"] == "123456789012"
    assert attributes["SubscriptionsConfirmed"] == "0"
    assert attributes["SubscriptionsPending"] == "0"
    assert attributes["DisplayName"] == ""
    policy = json.loads(attributes["Policy"])
    assert policy["Statement"][0]["Resource"] == topic
    assert "http" in json.loads(attributes["EffectiveDeliveryPolicy"])
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName", AttributeValue="Orders")
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"] == "Orders"
    with pytest.raises(ClientError) as err:
        sns.set_topic_attributes(TopicArn=topic, AttributeName="Nope", AttributeValue="x")
    assert err.value.response["Error"]["Code"] == "InvalidParameter"
    assert err.value.response["Error"]["Message"] == "Invalid parameter: AttributeName"


def test_create_topic_with_different_attributes_fails(sns, topic):
    with pytest.raises(ClientError) as err:
        sns.create_topic(Name="orders", Attributes={"DisplayName": "other"})
    assert err.value.response["Error"]["Message"] == (
        "Invalid parameter: Attributes Reason: Topic already exists with different attributes")


@pytest.mark.parametrize("name", ["bad name", "x" * 257, "dots.are.bad", ".fifo"])
def test_invalid_topic_names(sns, name):
    with pytest.raises(ClientError) as err:
        sns.create_topic(Name=name)
    error = err.value.response["Error"]
    assert error["Code"] == "InvalidParameter"
    assert error["Type"] == "Sender"
    assert error["Message"] == "Invalid parameter: Topic Name"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_fifo_topic_names_and_attributes(sns):
    """A FIFO topic needs both the .fifo name and FifoTopic=true (recorded from AWS: LocalStack's
    test_create_topic_name_constraints)."""
    for name, attributes in (("jobs", {"FifoTopic": "true"}), ("named.fifo", {})):
        with pytest.raises(ClientError) as err:
            sns.create_topic(Name=name, Attributes=attributes)
        assert err.value.response["Error"]["Message"] == "Invalid parameter: Topic Name"
    arn = sns.create_topic(Name="jobs.fifo", Attributes={"FifoTopic": "true",
                                                         "ContentBasedDeduplication": "true"})["TopicArn"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["FifoTopic"] == "true"
    assert attributes["ContentBasedDeduplication"] == "true"
    with pytest.raises(ClientError):
        sns.create_topic(Name="std", Attributes={"ContentBasedDeduplication": "true"})


def test_missing_topic_is_not_found(sns):
    missing = "arn:aws:sns:us-east-1:123456789012:missing"
    for call in (lambda: sns.get_topic_attributes(TopicArn=missing),
                 lambda: sns.publish(TopicArn=missing, Message="x"),
                 lambda: sns.subscribe(TopicArn=missing, Protocol="email", Endpoint="a@b.co")):
        with pytest.raises(sns.exceptions.NotFoundException) as err:
            call()
        assert err.value.response["Error"] == {"Code": "NotFound", "Message": "Topic does not exist",
                                               "Type": "Sender"}
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    sns.delete_topic(TopicArn=missing)  # deleting what is not there succeeds


def test_malformed_topic_arn_is_invalid_parameter(sns):
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.get_topic_attributes(TopicArn="not-an-arn")
    assert err.value.response["Error"]["Message"] == (
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1")


def test_list_topics_paginates_by_100(sns):
    arns = {sns.create_topic(Name=f"t{i:03d}")["TopicArn"] for i in range(150)}
    first = sns.list_topics()
    assert len(first["Topics"]) == 100 and "NextToken" in first
    second = sns.list_topics(NextToken=first["NextToken"])
    assert len(second["Topics"]) == 50 and "NextToken" not in second
    assert {t["TopicArn"] for t in first["Topics"] + second["Topics"]} == arns
    paged = [t["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]]
    assert set(paged) == arns


def test_topics_are_per_region_and_account(aws, sns, topic):
    west = boto3.client("sns", region_name="eu-west-1")
    assert west.list_topics()["Topics"] == []
    other = boto3.client("sns", aws_access_key_id="111122223333", aws_secret_access_key="x")
    assert other.list_topics()["Topics"] == []
    assert west.create_topic(Name="orders")["TopicArn"] == "arn:aws:sns:eu-west-1:123456789012:orders"


def test_delete_topic_removes_subscriptions(sns, sqs, topic, queue):
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue[1])
    sns.delete_topic(TopicArn=topic)
    assert sns.list_topics()["Topics"] == []
    assert sns.list_subscriptions()["Subscriptions"] == []


def test_tags(sns):
    arn = sns.create_topic(Name="tagged", Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    tags = sns.list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "dev"), ("team", "a")]
    sns.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    with pytest.raises(ClientError) as err:
        sns.list_tags_for_resource(ResourceArn="arn:aws:sns:us-east-1:123456789012:missing")
    assert err.value.response["Error"]["Code"] == "ResourceNotFound"
    with pytest.raises(ClientError) as err:
        sns.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert err.value.response["Error"]["Code"] == "TagLimitExceeded"


def test_permissions_edit_the_policy(sns, topic):
    sns.add_permission(TopicArn=topic, Label="share", AWSAccountId=["111122223333"], ActionName=["Publish"])
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    statement = [s for s in policy["Statement"] if s["Sid"] == "share"][0]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert statement["Action"] == "SNS:Publish"
    with pytest.raises(ClientError) as err:
        sns.add_permission(TopicArn=topic, Label="share", AWSAccountId=["1"], ActionName=["Publish"])
    assert err.value.response["Error"]["Message"] == "Invalid parameter: Statement already exists"
    sns.remove_permission(TopicArn=topic, Label="share")
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["__default_statement_ID"]


def test_data_protection_policy_is_stored(sns, topic):
    assert "DataProtectionPolicy" not in sns.get_data_protection_policy(ResourceArn=topic)
    policy = json.dumps({"Name": "p", "Version": "2021-06-01", "Statement": []})
    sns.put_data_protection_policy(ResourceArn=topic, DataProtectionPolicy=policy)
    assert sns.get_data_protection_policy(ResourceArn=topic)["DataProtectionPolicy"] == policy


# -- subscriptions -----------------------------------------------------------------------------------
def test_sqs_subscription_is_confirmed_at_once(sns, topic, queue):
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue[1])["SubscriptionArn"]
    assert arn.startswith(topic + ":")
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert attributes["ConfirmationWasAuthenticated"] == "true"
    assert attributes["RawMessageDelivery"] == "false"
    assert attributes["Protocol"] == "sqs" and attributes["Endpoint"] == queue[1]
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsConfirmed"] == "1"
    # subscribing again returns the same subscription
    assert sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue[1])["SubscriptionArn"] == arn


def test_subscribe_again_with_other_attributes_fails(sns, topic, queue):
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue[1])
    with pytest.raises(ClientError) as err:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue[1],
                      Attributes={"RawMessageDelivery": "true"})
    assert "Subscription already exists with different attributes" in err.value.response["Error"]["Message"]


@pytest.mark.parametrize("protocol, endpoint, message", [
    ("sqs", "not-an-arn", "Invalid parameter: SQS endpoint ARN"),
    ("lambda", "arn:aws:sqs:us-east-1:123456789012:q", "Invalid parameter: Lambda endpoint ARN"),
    ("http", "https://x.example", "Invalid parameter: Endpoint must match the specified protocol"),
    ("email", "not-an-email", "Invalid parameter: Email address"),
    ("carrier-pigeon", "x", "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon"),
])
def test_subscribe_checks_the_endpoint(sns, topic, protocol, endpoint, message):
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=endpoint)
    assert err.value.response["Error"]["Message"] == message


def test_http_subscription_waits_for_confirmation(aws, sns, topic):
    response = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://hooks.example.com/sns")
    assert response["SubscriptionArn"] == "pending confirmation"
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed[0]["SubscriptionArn"] == "PendingConfirmation"
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsPending"] == "1"
    outbox = aws.backend("sns").outbox()
    assert len(outbox) == 1
    request = outbox[0]
    assert request["Type"] == "SubscriptionConfirmation"
    assert request["Endpoint"] == "https://hooks.example.com/sns"
    assert request["Headers"]["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    body = json.loads(request["Body"])
    assert body["Type"] == "SubscriptionConfirmation" and body["Token"] == request["Token"]
    assert body["SubscribeURL"].startswith("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription")
    # nothing is delivered while pending
    sns.publish(TopicArn=topic, Message="early")
    assert len(aws.backend("sns").outbox()) == 1
    with pytest.raises(ClientError) as err:
        sns.confirm_subscription(TopicArn=topic, Token="wrong")
    assert err.value.response["Error"]["Code"] == "InvalidParameter"
    arn = sns.confirm_subscription(TopicArn=topic, Token=request["Token"])["SubscriptionArn"]
    assert arn.startswith(topic + ":")
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "false"
    sns.publish(TopicArn=topic, Message="hello", Subject="Greeting")
    delivered = aws.backend("sns").outbox()[-1]
    assert delivered["Type"] == "Notification"
    assert delivered["Headers"]["x-amz-sns-subscription-arn"] == arn
    envelope = json.loads(delivered["Body"])
    assert envelope["Message"] == "hello" and envelope["Subject"] == "Greeting"


def test_return_subscription_arn_gives_the_pending_arn(sns, topic):
    arn = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com",
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert arn.startswith(topic + ":")
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "true"


def test_email_delivery_goes_to_the_outbox(aws, sns, topic):
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
    token = aws.backend("sns").outbox()[0]["Token"]
    sns.confirm_subscription(TopicArn=topic, Token=token)
    sns.publish(TopicArn=topic, Message="disk full")
    mail = aws.backend("sns").outbox()[-1]
    assert mail["Protocol"] == "email" and mail["Endpoint"] == "ops@example.com"
    assert mail["Subject"] == "AWS Notification Message"
    assert mail["Body"] == "disk full"


def test_sms_subscription_is_confirmed_and_delivered_to_the_outbox(aws, sns, topic):
    arn = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100")["SubscriptionArn"]
    assert arn.startswith(topic + ":")
    sns.publish(TopicArn=topic, Message="code 1234")
    text = aws.backend("sns").outbox()[-1]
    assert (text["Protocol"], text["Endpoint"], text["Body"]) == ("sms", "+15555550100", "code 1234")


def test_unsubscribe(sns, topic, queue):
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue[1])["SubscriptionArn"]
    sns.unsubscribe(SubscriptionArn=arn)
    assert sns.list_subscriptions()["Subscriptions"] == []
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsDeleted"] == "1"
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.get_subscription_attributes(SubscriptionArn=arn)
    sns.unsubscribe(SubscriptionArn=arn)  # twice is fine
    with pytest.raises(ClientError) as err:
        sns.get_subscription_attributes(SubscriptionArn=topic)
    assert err.value.response["Error"]["Message"] == "Invalid parameter: SubscriptionId"


def test_set_subscription_attributes(sns, topic, queue):
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue[1])["SubscriptionArn"]
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="RawMessageDelivery",
                                    AttributeValue="true")
    policy = json.dumps({"color": ["red"]})
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=policy)
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["RawMessageDelivery"] == "true"
    assert attributes["FilterPolicy"] == policy
    assert attributes["FilterPolicyScope"] == "MessageAttributes"
    with pytest.raises(ClientError) as err:
        sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="Bogus", AttributeValue="1")
    assert err.value.response["Error"]["Message"] == "Invalid parameter: AttributeName"


def test_raw_delivery_is_refused_for_lambda(sns, topic):
    with pytest.raises(ClientError) as err:
        sns.subscribe(TopicArn=topic, Protocol="lambda",
                      Endpoint="arn:aws:lambda:us-east-1:123456789012:function:f",
                      Attributes={"RawMessageDelivery": "true"})
    assert err.value.response["Error"]["Message"] == (
        "Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support raw message delivery.")
    arn = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com",
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    with pytest.raises(ClientError) as err:
        sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="RawMessageDelivery", AttributeValue="true")
    assert err.value.response["Error"]["Message"] == (
        "Invalid parameter: Delivery protocol [email] does not support raw message delivery.")


@pytest.mark.parametrize("policy, reason", [
    ({"a": "x"}, '"a" must be an object or an array'),
    ({"a": [{"numeric": ["<", "x"]}]}, "Value of < must be numeric"),
    ({"a": [{"exists": "yes"}]}, "exists match pattern must be either true or false."),
    ({"a": [{"regex": "x"}]}, "Unrecognized match type regex"),
    ({"a": []}, "Empty arrays are not allowed"),
    ({"a": [{"numeric": [">", 5, "<", 1]}]}, "Bottom must be less than top"),
])
def test_invalid_filter_policies(sns, topic, queue, policy, reason):
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue[1])["SubscriptionArn"]
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy",
                                        AttributeValue=json.dumps(policy))
    message = err.value.response["Error"]["Message"]
    assert message.startswith(f"Invalid parameter: FilterPolicy: {reason}\n at [Source: (String)")


def test_filter_policy_errors_carry_the_parser_location(sns, topic, queue):
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue[1])["SubscriptionArn"]
    policy = '{"price":[{"numeric":["<","100"]}]}'
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=policy)
    assert err.value.response["Error"]["Message"] == (
        'Invalid parameter: FilterPolicy: Value of < must be numeric\n'
        ' at [Source: (String)"{"price":[{"numeric":["<","100"]}]}"; line: 1, column: 28]')


def test_filter_policy_limits(sns, topic, queue):
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue[1])["SubscriptionArn"]
    too_many_keys = {f"k{i}": ["v"] for i in range(6)}
    with pytest.raises(ClientError) as err:
        sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy",
                                        AttributeValue=json.dumps(too_many_keys))
    assert "can not have more than 5 keys" in err.value.response["Error"]["Message"]
    too_complex = {f"k{i}": [str(v) for v in range(10)] for i in range(3)}
    with pytest.raises(ClientError) as err:
        sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy",
                                        AttributeValue=json.dumps(too_complex))
    assert "Filter policy is too complex" in err.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as err:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=make_queue(boto3.client("sqs"), "n")[1],
                      Attributes={"FilterPolicy": json.dumps({"a": {"b": ["c"]}})})
    assert "does not support nested filter policy" in err.value.response["Error"]["Message"]


def test_list_subscriptions_paginates(sns, sqs, topic):
    for i in range(120):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:us-east-1:123456789012:q{i}")
    first = sns.list_subscriptions_by_topic(TopicArn=topic)
    assert len(first["Subscriptions"]) == 100
    second = sns.list_subscriptions_by_topic(TopicArn=topic, NextToken=first["NextToken"])
    assert len(second["Subscriptions"]) == 20
    all_subs = [s for page in sns.get_paginator("list_subscriptions").paginate() for s in page["Subscriptions"]]
    assert len(all_subs) == 120


# -- platform applications and SMS --------------------------------------------------------------------
def test_disabled_or_deleted_endpoint_is_refused_first(sns, topic):
    """moto's aws_verified test_publish_to_disabled_platform_endpoint: publishing to a disabled endpoint is
    EndpointDisabled even when the message is no JSON for MessageStructure=json; and (its
    test_publish_to_deleted_platform_endpoint) a deleted endpoint cannot be subscribed, in AWS's words."""
    app = sns.create_platform_application(Name="app", Platform="GCM",
                                          Attributes={"PlatformCredential": "key"})["PlatformApplicationArn"]
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1",
                                           Attributes={"Enabled": "false"})["EndpointArn"]
    with pytest.raises(sns.exceptions.EndpointDisabledException) as err:
        sns.publish(TargetArn=endpoint, Message="msg", MessageStructure="json")
    assert err.value.response["Error"]["Message"] == "Endpoint is disabled"
    sns.delete_endpoint(EndpointArn=endpoint)
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=endpoint)
    assert err.value.response["Error"]["Message"] == (
        f"Invalid parameter: Endpoint Reason: Endpoint does not exist for endpoint arn{endpoint}")


def test_platform_applications_and_endpoints(aws, sns):
    app = sns.create_platform_application(Name="app", Platform="GCM",
                                          Attributes={"PlatformCredential": "key"})["PlatformApplicationArn"]
    assert app == "arn:aws:sns:us-east-1:123456789012:app/GCM/app"
    assert sns.list_platform_applications()["PlatformApplications"][0]["PlatformApplicationArn"] == app
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1",
                                           CustomUserData="alice")["EndpointArn"]
    assert sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1",
                                        CustomUserData="alice")["EndpointArn"] == endpoint
    attributes = sns.get_endpoint_attributes(EndpointArn=endpoint)["Attributes"]
    assert attributes == {"Enabled": "true", "CustomUserData": "alice", "Token": "device-1"}
    listed = sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"]
    assert [e["EndpointArn"] for e in listed] == [endpoint]
    message_id = sns.publish(TargetArn=endpoint, Message=json.dumps({"default": "hi", "GCM": '{"data":1}'}),
                             MessageStructure="json")["MessageId"]
    push = aws.backend("sns").outbox()[-1]
    assert push["MessageId"] == message_id and push["Body"] == '{"data":1}' and push["Token"] == "device-1"
    sns.set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})
    with pytest.raises(ClientError) as err:
        sns.publish(TargetArn=endpoint, Message="x")
    assert err.value.response["Error"]["Code"] == "EndpointDisabled"
    with pytest.raises(ClientError) as err:
        sns.publish(TargetArn=endpoint.replace(endpoint[-8:], "00000000"), Message="x")
    assert err.value.response["Error"]["Message"] == (
        "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified")
    sns.delete_endpoint(EndpointArn=endpoint)
    sns.delete_platform_application(PlatformApplicationArn=app)
    with pytest.raises(ClientError) as err:
        sns.create_platform_application(Name="x", Platform="GCM", Attributes={"Other": "1"})
    assert err.value.response["Error"]["Message"] == (
        "Invalid parameter: Attributes Reason: PlatformCredential attribute required")
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.get_platform_application_attributes(PlatformApplicationArn=app)


def test_sms_settings_opt_out_and_direct_publish(aws, sns):
    sns.set_sms_attributes(attributes={"DefaultSMSType": "Transactional", "DefaultSenderID": "Shop"})
    assert sns.get_sms_attributes(attributes=["DefaultSMSType"])["attributes"] == {"DefaultSMSType": "Transactional"}
    assert sns.get_sms_attributes()["attributes"]["MonthlySpendLimit"] == "1"
    with pytest.raises(ClientError) as err:
        sns.set_sms_attributes(attributes={"Bogus": "1"})
    assert err.value.response["Error"]["Message"] == "Bogus is not a valid attribute"
    assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15555550100")["isOptedOut"] is False
    sns.publish(PhoneNumber="+15555550100", Message="your code is 1")
    assert aws.backend("sns").outbox()[-1]["Body"] == "your code is 1"
    aws.backend("sns").opt_out_internal("123456789012", "us-east-1", "+15555550100")
    assert sns.list_phone_numbers_opted_out()["phoneNumbers"] == ["+15555550100"]
    with pytest.raises(ClientError) as err:
        sns.publish(PhoneNumber="+15555550100", Message="again")
    assert err.value.response["Error"]["Code"] == "OptedOut"
    sns.opt_in_phone_number(phoneNumber="+15555550100")
    assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15555550100")["isOptedOut"] is False


def test_sms_sandbox_numbers_verify_with_the_code_from_the_outbox(aws, sns):
    assert sns.get_sms_sandbox_account_status()["IsInSandbox"] is False
    sns.create_sms_sandbox_phone_number(PhoneNumber="+15555550101")
    code = aws.backend("sns").outbox()[-1]["Code"]
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [
        {"PhoneNumber": "+15555550101", "Status": "Pending"}]
    sns.verify_sms_sandbox_phone_number(PhoneNumber="+15555550101", OneTimePassword=code)
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"][0]["Status"] == "Verified"
    sns.delete_sms_sandbox_phone_number(PhoneNumber="+15555550101")
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == []


def test_summary(aws, sns, topic, queue):
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue[1])
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com")
    summary = aws.backend("sns").summary()
    assert summary["topics"] == [{"name": "orders", "arn": topic, "account": "123456789012",
                                  "region": "us-east-1", "fifo": False, "subscriptions": 1, "pending": 1}]
    assert summary["outbox"] == 1
