"""SQS queues through boto3: create and its checks, URLs, listing, attributes, tags, permissions, purge."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from sqs_helpers import attributes, counts, error_of

ACCOUNT = "123456789012"


def test_create_returns_the_aws_url_and_get_queue_url_finds_it(sqs):
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    assert url == f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/orders"
    assert sqs.get_queue_url(QueueName="orders")["QueueUrl"] == url
    assert sqs.get_queue_url(QueueName="orders", QueueOwnerAWSAccountId=ACCOUNT)["QueueUrl"] == url


def test_url_follows_the_clients_region(aws):
    west = boto3.client("sqs", region_name="eu-west-1")
    url = west.create_queue(QueueName="orders")["QueueUrl"]
    assert url == f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/orders"
    with pytest.raises(ClientError):
        boto3.client("sqs", region_name="us-east-1").get_queue_url(QueueName="orders")


def test_china_queue_urls_name_the_china_endpoint(aws):
    """A queue URL names the SQS endpoint of the region's partition: in China the DNS suffix is
    ``amazonaws.com.cn`` (botocore's partitions data, aws-cn ``dnsSuffix``; AWS General Reference,
    "Amazon SQS endpoints and quotas": sqs.cn-north-1.amazonaws.com.cn). GetQueueUrl and ListQueues give
    the same URL, and a URL of either form names the queue where QueueUrl is a parameter."""
    china = boto3.client("sqs", region_name="cn-north-1")
    url = china.create_queue(QueueName="orders")["QueueUrl"]
    assert url == f"https://sqs.cn-north-1.amazonaws.com.cn/{ACCOUNT}/orders"
    assert china.get_queue_url(QueueName="orders")["QueueUrl"] == url
    assert china.list_queues()["QueueUrls"] == [url]
    china.send_message(QueueUrl=url, MessageBody="one")
    china.send_message(QueueUrl=f"https://sqs.cn-north-1.amazonaws.com/{ACCOUNT}/orders", MessageBody="two")
    assert attributes(china, url, "ApproximateNumberOfMessages")["ApproximateNumberOfMessages"] == "2"
    queue_arn = attributes(china, url, "QueueArn")["QueueArn"]
    assert queue_arn == f"arn:aws-cn:sqs:cn-north-1:{ACCOUNT}:orders"


def test_iso_queue_urls_name_the_iso_endpoint_and_resolve_there(aws, sqs):
    """In an ISO partition a queue URL's host ends in that partition's DNS suffix (botocore's partitions data:
    aws-iso ``dnsSuffix`` ``c2s.ic.gov``, regions ``us-iso-*``), and the queue it names is the one of that
    region, account and name: a same-named queue in us-east-1 is another queue, also for the internal API
    other services resolve URLs with."""
    iso = boto3.client("sqs", region_name="us-iso-east-1")
    url = iso.create_queue(QueueName="jobs")["QueueUrl"]
    assert url == f"https://sqs.us-iso-east-1.c2s.ic.gov/{ACCOUNT}/jobs"
    home = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    iso.send_message(QueueUrl=url, MessageBody="one")
    queue_arn = attributes(iso, url, "QueueArn")["QueueArn"]
    assert queue_arn == f"arn:aws-iso:sqs:us-iso-east-1:{ACCOUNT}:jobs"
    assert attributes(iso, url, "ApproximateNumberOfMessages")["ApproximateNumberOfMessages"] == "1"
    assert attributes(sqs, home, "ApproximateNumberOfMessages")["ApproximateNumberOfMessages"] == "0"
    backend = aws.backend("sqs")
    assert backend.queue_arn_for_url(url) == queue_arn
    assert backend.queue_arn_for_url(home) == attributes(sqs, home, "QueueArn")["QueueArn"]


def test_any_url_naming_the_queue_resolves_whatever_its_host(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    for url in (f"http://localhost:4566/{ACCOUNT}/jobs", f"https://queue.amazonaws.com/{ACCOUNT}/jobs",
                f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/jobs/"):
        assert attributes(sqs, url, "ApproximateNumberOfMessages")["ApproximateNumberOfMessages"] == "1"


def test_unknown_queue_is_the_query_compatible_error(sqs):
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.get_queue_url(QueueName="missing")
    assert error_of(excinfo) == {
        "Code": "AWS.SimpleQueueService.NonExistentQueue",
        "Message": "The specified queue does not exist.",
        "QueryErrorCode": "QueueDoesNotExist",
        "Type": "Sender",
    }
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.send_message(QueueUrl=f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/missing", MessageBody="x")


def test_malformed_url_is_invalid_address(sqs):
    with pytest.raises(sqs.exceptions.InvalidAddress) as excinfo:
        sqs.send_message(QueueUrl="not a url", MessageBody="x")
    assert error_of(excinfo)["Code"] == "InvalidAddress"


def test_queue_owner_account_finds_another_accounts_queue(aws):
    other = boto3.client("sqs", aws_access_key_id="444455556666", aws_secret_access_key="x")
    url = other.create_queue(QueueName="shared")["QueueUrl"]
    me = boto3.client("sqs")
    assert me.get_queue_url(QueueName="shared", QueueOwnerAWSAccountId="444455556666")["QueueUrl"] == url
    with pytest.raises(me.exceptions.QueueDoesNotExist):
        me.get_queue_url(QueueName="shared")
    me.send_message(QueueUrl=url, MessageBody="cross-account")
    assert other.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "cross-account"


def test_default_attributes(sqs, queue, aws):
    values = attributes(sqs, queue)
    created = str(int(aws.clock.time()))
    assert values == {
        "QueueArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs",
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "CreatedTimestamp": created,
        "LastModifiedTimestamp": created,
        "VisibilityTimeout": "30",
        "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "0",
        "SqsManagedSseEnabled": "true",
    }


def test_fifo_queue_attributes(sqs, fifo):
    values = attributes(sqs, fifo)
    assert values["FifoQueue"] == "true"
    assert values["ContentBasedDeduplication"] == "false"
    assert values["DeduplicationScope"] == "queue"
    assert values["FifoThroughputLimit"] == "perQueue"


def test_selected_attributes_only(sqs, queue):
    assert attributes(sqs, queue, "VisibilityTimeout", "QueueArn") == {
        "QueueArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs", "VisibilityTimeout": "30"}
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=queue)
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["FifoQueue"])


def test_unknown_attribute_name_in_get(sqs, queue):
    with pytest.raises(sqs.exceptions.InvalidAttributeName) as excinfo:
        sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["Colour"])
    assert error_of(excinfo)["Message"] == "Unknown Attribute Colour."


@pytest.mark.parametrize("name,value", [
    ("VisibilityTimeout", "43201"), ("VisibilityTimeout", "-1"), ("VisibilityTimeout", "ten"),
    ("DelaySeconds", "901"), ("MaximumMessageSize", "1023"), ("MaximumMessageSize", "1048577"),
    ("MessageRetentionPeriod", "59"), ("MessageRetentionPeriod", "1209601"),
    ("ReceiveMessageWaitTimeSeconds", "21"), ("KmsDataKeyReusePeriodSeconds", "59"),
    ("SqsManagedSseEnabled", "yes"), ("Policy", "{not json"),
])
def test_attribute_values_out_of_range_are_refused(sqs, name, value):
    with pytest.raises(sqs.exceptions.InvalidAttributeValue) as excinfo:
        sqs.create_queue(QueueName="bad", Attributes={name: value})
    assert error_of(excinfo)["Message"] == f"Invalid value for the parameter {name}."
    assert error_of(excinfo)["QueryErrorCode"] == "InvalidAttributeValue"


@pytest.mark.parametrize("policy", [
    "[]", json.dumps({"Version": "2012-10-17"}), json.dumps({"Version": "2012-10-17", "Statement": []}),
    json.dumps({"Statement": ["Allow"]}), json.dumps({"Statement": [{"Effect": "Permit", "Action": "*"}]}),
])
def test_policy_that_is_no_policy_document_is_refused(sqs, queue, policy):
    """AWS's answer to a policy it cannot use, on create and on set: InvalidAttributeValue, as recorded in
    terraform-provider-aws PR 42209; a policy without statements is one (cloud-custodian issue 1816
    removed a queue policy's last statement and got this answer)."""
    for call in (lambda: sqs.create_queue(QueueName="bad", Attributes={"Policy": policy}),
                 lambda: sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": policy})):
        with pytest.raises(sqs.exceptions.InvalidAttributeValue) as excinfo:
            call()
        assert error_of(excinfo)["Message"] == "Invalid value for the parameter Policy."
    assert "Policy" not in attributes(sqs, queue, "All")


def test_policy_with_one_statement_object_is_kept(sqs, queue):
    policy = json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*",
                                                                "Action": "sqs:SendMessage"}})
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": policy})
    assert attributes(sqs, queue, "Policy") == {"Policy": policy}


def test_attribute_names_are_exact(sqs):
    """The API reference lists the attribute names exactly; one with a trailing space is another, unknown
    name (moto's tests create queues with ``"VisibilityTimeout "``, which AWS refuses)."""
    with pytest.raises(sqs.exceptions.InvalidAttributeName) as excinfo:
        sqs.create_queue(QueueName="spaced", Attributes={"VisibilityTimeout ": "2"})
    assert error_of(excinfo)["Message"] == "Unknown Attribute VisibilityTimeout ."


def test_unknown_or_fifo_only_attribute_on_a_standard_queue(sqs):
    for name, value in (("Colour", "blue"), ("ContentBasedDeduplication", "true"), ("QueueArn", "x")):
        with pytest.raises(sqs.exceptions.InvalidAttributeName) as excinfo:
            sqs.create_queue(QueueName="bad", Attributes={name: value})
        assert error_of(excinfo)["Message"] == f"Unknown Attribute {name}."


@pytest.mark.parametrize("name", ["has space", "x" * 81, "", "dot.ted", "ends.fifo"])
def test_invalid_standard_queue_names(sqs, name):
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=name)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"


def test_fifo_queue_needs_the_fifo_suffix(sqs):
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="nofifo", Attributes={"FifoQueue": "true"})
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    assert "must end with .fifo suffix" in error_of(excinfo)["Message"]
    with pytest.raises(ClientError):
        sqs.create_queue(QueueName="x" * 76 + ".fifo", Attributes={"FifoQueue": "true"})
    assert sqs.create_queue(QueueName="x" * 75 + ".fifo", Attributes={"FifoQueue": "true"})


def test_create_again_with_same_attributes_returns_the_queue(sqs):
    url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    assert sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "60"})["QueueUrl"] == url
    assert sqs.create_queue(QueueName="q")["QueueUrl"] == url
    assert sqs.create_queue(QueueName="q", Attributes={"DelaySeconds": "0"})["QueueUrl"] == url


def test_create_again_with_different_attributes_is_queue_name_exists(sqs):
    sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "60"})
    with pytest.raises(sqs.exceptions.QueueNameExists) as excinfo:
        sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "30"})
    error = error_of(excinfo)
    assert error["Code"] == "QueueAlreadyExists"
    assert error["QueryErrorCode"] == "QueueNameExists"
    assert error["Message"] == ("A queue already exists with the same name and a different value for "
                                "attribute VisibilityTimeout")


def test_recreating_a_deleted_queue_within_60_seconds(sqs, queue, aws):
    sqs.delete_queue(QueueUrl=queue)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="jobs")
    with pytest.raises(sqs.exceptions.QueueDeletedRecently) as excinfo:
        sqs.create_queue(QueueName="jobs")
    assert error_of(excinfo)["Code"] == "AWS.SimpleQueueService.QueueDeletedRecently"
    aws.clock.advance(60)
    assert sqs.create_queue(QueueName="jobs")["QueueUrl"] == queue


def test_deleting_a_queue_deletes_its_messages(sqs, queue, aws):
    sqs.send_message(QueueUrl=queue, MessageBody="old")
    sqs.delete_queue(QueueUrl=queue)
    aws.clock.advance(61)
    sqs.create_queue(QueueName="jobs")
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)


def test_list_queues_with_prefix_and_pagination(sqs):
    for name in ("b-2", "a-1", "b-1", "b-3", "c"):
        sqs.create_queue(QueueName=name)
    base = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/"
    assert sqs.list_queues()["QueueUrls"] == [base + n for n in ("a-1", "b-1", "b-2", "b-3", "c")]
    assert sqs.list_queues(QueueNamePrefix="b-")["QueueUrls"] == [base + n for n in ("b-1", "b-2", "b-3")]
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="zzz")
    page = sqs.list_queues(QueueNamePrefix="b-", MaxResults=2)
    assert page["QueueUrls"] == [base + "b-1", base + "b-2"]
    rest = sqs.list_queues(QueueNamePrefix="b-", MaxResults=2, NextToken=page["NextToken"])
    assert rest["QueueUrls"] == [base + "b-3"] and "NextToken" not in rest
    pages = sqs.get_paginator("list_queues").paginate(PaginationConfig={"PageSize": 2})
    assert [u for p in pages for u in p.get("QueueUrls", [])] == sqs.list_queues()["QueueUrls"]
    with pytest.raises(ClientError) as excinfo:
        sqs.list_queues(MaxResults=1001)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"


def test_list_queues_is_per_account_and_region(aws):
    boto3.client("sqs").create_queue(QueueName="mine")
    boto3.client("sqs", region_name="us-west-2").create_queue(QueueName="west")
    other = boto3.client("sqs", aws_access_key_id="444455556666", aws_secret_access_key="x")
    other.create_queue(QueueName="theirs")
    assert [u.rsplit("/", 1)[1] for u in boto3.client("sqs").list_queues()["QueueUrls"]] == ["mine"]
    assert [u.rsplit("/", 1)[1] for u in other.list_queues()["QueueUrls"]] == ["theirs"]


def test_set_attributes_and_last_modified(sqs, queue, aws):
    aws.clock.advance(100)
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": "5", "DelaySeconds": "7"})
    values = attributes(sqs, queue)
    assert values["VisibilityTimeout"] == "5" and values["DelaySeconds"] == "7"
    assert int(values["LastModifiedTimestamp"]) == int(values["CreatedTimestamp"]) + 100


def test_queue_type_cannot_change(sqs, queue):
    """Recorded from AWS: LocalStack's test_set_unsupported_attribute_standard/_fifo."""
    for value in ("true", "false"):  # a standard queue knows no FifoQueue attribute
        with pytest.raises(sqs.exceptions.InvalidAttributeName) as excinfo:
            sqs.set_queue_attributes(QueueUrl=queue, Attributes={"FifoQueue": value})
        assert error_of(excinfo)["Message"] == "Unknown Attribute FifoQueue."
        assert excinfo.value.response["message"] == "Unknown Attribute FifoQueue."
    fifo = sqs.create_queue(QueueName="typed.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=fifo, Attributes={"FifoQueue": "true"})  # what it is already
    with pytest.raises(sqs.exceptions.InvalidAttributeValue) as excinfo:
        sqs.set_queue_attributes(QueueUrl=fifo, Attributes={"FifoQueue": "false"})
    assert error_of(excinfo)["Message"] == ("Invalid value for the parameter FifoQueue. Reason: Modifying queue "
                                           "type is not supported.")


def test_kms_and_sse_settings(sqs, queue):
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    values = attributes(sqs, queue)
    assert values["KmsMasterKeyId"] == "alias/aws/sqs"
    assert values["KmsDataKeyReusePeriodSeconds"] == "300"
    assert values["SqsManagedSseEnabled"] == "false"
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"SqsManagedSseEnabled": "true"})
    values = attributes(sqs, queue)
    assert "KmsMasterKeyId" not in values and values["SqsManagedSseEnabled"] == "true"


def test_high_throughput_fifo_settings(sqs):
    url = sqs.create_queue(QueueName="fast.fifo", Attributes={
        "FifoQueue": "true", "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"})["QueueUrl"]
    values = attributes(sqs, url, "DeduplicationScope", "FifoThroughputLimit")
    assert values == {"DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"}
    with pytest.raises(sqs.exceptions.InvalidAttributeValue):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "queue"})
    with pytest.raises(sqs.exceptions.InvalidAttributeValue):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoThroughputLimit": "perGroup"})


def test_policy_round_trips(sqs, queue):
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}]})
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": policy})
    assert attributes(sqs, queue, "Policy")["Policy"] == policy
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": ""})
    assert "Policy" not in attributes(sqs, queue)


def test_tags(sqs):
    url = sqs.create_queue(QueueName="tagged", tags={"team": "core"})["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "core"}
    sqs.tag_queue(QueueUrl=url, Tags={"env": "test", "team": "platform"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "platform", "env": "test"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team", "absent"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "test"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)
    with pytest.raises(ClientError) as excinfo:
        sqs.tag_queue(QueueUrl=url, Tags={f"k{i}": "v" for i in range(51)})
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"


def test_permissions_build_the_queue_policy(sqs, queue):
    sqs.add_permission(QueueUrl=queue, Label="send", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    sqs.add_permission(QueueUrl=queue, Label="both", AWSAccountIds=["111122223333", "444455556666"],
                       Actions=["ReceiveMessage", "DeleteMessage"])
    policy = json.loads(attributes(sqs, queue, "Policy")["Policy"])
    assert policy["Version"] == "2012-10-17"
    assert policy["Id"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs/SQSDefaultPolicy"
    assert policy["Statement"][0] == {
        "Sid": "send", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "SQS:SendMessage", "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"}
    assert policy["Statement"][1]["Action"] == ["SQS:ReceiveMessage", "SQS:DeleteMessage"]
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=queue, Label="send", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    sqs.remove_permission(QueueUrl=queue, Label="send")
    sqs.remove_permission(QueueUrl=queue, Label="both")
    assert "Policy" not in attributes(sqs, queue)
    with pytest.raises(ClientError):
        sqs.remove_permission(QueueUrl=queue, Label="send")


def test_too_many_permission_actions_is_over_limit(sqs, queue):
    with pytest.raises(sqs.exceptions.OverLimit):
        sqs.add_permission(QueueUrl=queue, Label="l", AWSAccountIds=["111122223333"],
                           Actions=["SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
                                    "GetQueueAttributes", "GetQueueUrl", "PurgeQueue", "ListQueueTags"])


def test_purge_and_its_60_second_rule(sqs, queue, aws):
    for i in range(3):
        sqs.send_message(QueueUrl=queue, MessageBody=str(i))
    sqs.receive_message(QueueUrl=queue)
    sqs.purge_queue(QueueUrl=queue)
    assert counts(sqs, queue) == (0, 0, 0)
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress) as excinfo:
        sqs.purge_queue(QueueUrl=queue)
    assert error_of(excinfo) == {
        "Code": "AWS.SimpleQueueService.PurgeQueueInProgress",
        "Message": "Only one PurgeQueue operation on jobs is allowed every 60 seconds.",
        "QueryErrorCode": "PurgeQueueInProgress", "Type": "Sender"}
    aws.clock.advance(60)
    sqs.purge_queue(QueueUrl=queue)


def test_dead_letter_source_queues(sqs):
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq_arn = attributes(sqs, dlq, "QueueArn")["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
    sources = [sqs.create_queue(QueueName=f"src-{i}", Attributes={"RedrivePolicy": policy})["QueueUrl"]
               for i in range(3)]
    sqs.create_queue(QueueName="unrelated")
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == sources
    page = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2)
    assert page["queueUrls"] == sources[:2]
    rest = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2, NextToken=page["NextToken"])
    assert rest["queueUrls"] == sources[2:]
    assert sqs.list_dead_letter_source_queues(QueueUrl=sources[0])["queueUrls"] == []
