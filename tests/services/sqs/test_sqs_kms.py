"""A queue encrypted with a KMS key (KmsMasterKeyId) needs the key usable when messages are sent.

Facts: SetQueueAttributes/CreateQueue accept any key id (LocalStack snapshot
tests/aws/services/sqs/test_sqs.snapshot.json records KmsMasterKeyId "testKeyId" set on a queue);
SendMessage/SendMessageBatch list KmsNotFound, KmsDisabled, KmsInvalidState… among their errors in
botocore's SQS model, and SQS's Smithy model gives their legacy Query codes (``awsQueryError``:
KmsNotFound -> KMS.NotFoundException, KmsDisabled -> KMS.DisabledException, 400). The message is KMS's.
"""

from __future__ import annotations

import boto3
import pytest


@pytest.fixture
def kms(aws):
    return boto3.client("kms")


def test_any_key_id_is_accepted_but_sending_needs_the_key(sqs):
    url = sqs.create_queue(QueueName="secret", Attributes={"KmsMasterKeyId": "alias/missing"})["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["KmsMasterKeyId"])["Attributes"] == {
        "KmsMasterKeyId": "alias/missing"}
    with pytest.raises(sqs.exceptions.KmsNotFound) as err:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    assert err.value.response["Error"]["Code"] == "KMS.NotFoundException"
    assert err.value.response["Error"]["Message"] == "Alias arn:aws:kms:us-east-1:123456789012:alias/missing is not found."
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    batch = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}])
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in batch["Failed"]] == [("a", "KMS.NotFoundException", True)]
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []


def test_a_customer_key_works_until_it_is_disabled(sqs, kms):
    key = kms.create_key()["KeyMetadata"]
    url = sqs.create_queue(QueueName="secret", Attributes={"KmsMasterKeyId": key["KeyId"]})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="one")
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["one"]
    kms.disable_key(KeyId=key["KeyId"])
    with pytest.raises(sqs.exceptions.KmsDisabled) as err:
        sqs.send_message(QueueUrl=url, MessageBody="two")
    assert err.value.response["Error"]["Code"] == "KMS.DisabledException"
    assert err.value.response["Error"]["Message"] == f"{key['Arn']} is disabled."


def test_the_aws_sqs_key_is_created_on_first_send(sqs, kms):
    url = sqs.create_queue(QueueName="managed", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    assert kms.describe_key(KeyId="alias/aws/sqs")["KeyMetadata"]["KeyManager"] == "AWS"
