"""A topic encrypted with a KMS key (KmsMasterKeyId) needs the key usable when publishing.

Facts: botocore's SNS model lists KMSNotFoundException (code KMSNotFound), KMSDisabledException
(KMSDisabled) and KMSInvalidStateException (KMSInvalidState), all 400, among Publish's errors;
SetTopicAttributes does not list them (the key is not checked when it is set). The message is KMS's.
"""

from __future__ import annotations

import boto3
import pytest


def test_publishing_needs_a_usable_key(sns, topic):
    kms = boto3.client("kms")
    sns.set_topic_attributes(TopicArn=topic, AttributeName="KmsMasterKeyId", AttributeValue="alias/missing")
    with pytest.raises(sns.exceptions.KMSNotFoundException) as err:
        sns.publish(TopicArn=topic, Message="x")
    assert err.value.response["Error"]["Code"] == "KMSNotFound"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    key = kms.create_key()["KeyMetadata"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="KmsMasterKeyId", AttributeValue=key["Arn"])
    assert sns.publish(TopicArn=topic, Message="x")["MessageId"]
    kms.disable_key(KeyId=key["KeyId"])
    with pytest.raises(sns.exceptions.KMSDisabledException) as err:
        sns.publish(TopicArn=topic, Message="x")
    assert err.value.response["Error"]["Message"] == f"{key['Arn']} is disabled."
