"""ARNs carry the partition of the calling client's region.

Facts: AWS General Reference, "Amazon Resource Names (ARNs)": ``arn:partition:service:region:account-id:…``
where the partition is ``aws``, ``aws-cn`` (China) or ``aws-us-gov`` (GovCloud (US)); which region is in
which partition is botocore's partitions data (``cn-north-1`` → aws-cn, ``us-gov-west-1`` → aws-us-gov).
Global services (IAM, STS) and S3 leave the region out but keep the partition.
"""

from __future__ import annotations

import json
from typing import Iterator

import boto3
import pytest

from kumo_intercept import Emulator, kumo
from kumo_intercept.core.partitions import dns_suffix, partition


@pytest.fixture
def aws() -> Iterator[Emulator]:
    with kumo(strict=True) as emulator:
        yield emulator


def test_regions_are_placed_in_botocore_partitions() -> None:
    assert [partition(r) for r in ("us-east-1", "cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-isob-east-1")] == [
        "aws", "aws-cn", "aws-cn", "aws-us-gov", "aws-iso-b"]
    assert partition("") == partition("xx-nowhere-9") == "aws"


def test_each_partition_has_the_dns_suffix_botocore_names() -> None:
    # botocore's partitions data, ``outputs.dnsSuffix`` of aws, aws-cn, aws-us-gov and aws-iso-b
    assert [dns_suffix(r) for r in ("us-east-1", "cn-northwest-1", "us-gov-west-1", "us-isob-east-1")] == [
        "amazonaws.com", "amazonaws.com.cn", "amazonaws.com", "sc2s.sgov.gov"]
    assert dns_suffix("") == dns_suffix("xx-nowhere-9") == "amazonaws.com"


@pytest.mark.parametrize(("region", "prefix"), [("cn-north-1", "arn:aws-cn:"), ("us-gov-west-1", "arn:aws-us-gov:"),
                                                ("eu-west-1", "arn:aws:")])
def test_every_minted_arn_names_the_region_partition(aws: Emulator, region: str, prefix: str) -> None:
    sqs = boto3.client("sqs", region_name=region)
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert queue_arn == f"{prefix}sqs:{region}:123456789012:orders"
    sns = boto3.client("sns", region_name=region)
    assert sns.create_topic(Name="alerts")["TopicArn"] == f"{prefix}sns:{region}:123456789012:alerts"
    assert boto3.client("sts", region_name=region).get_caller_identity()["Arn"] == f"{prefix}iam::123456789012:root"
    assert (boto3.client("iam", region_name=region).create_user(UserName="alice")["User"]["Arn"]
            == f"{prefix}iam::123456789012:user/alice")
    table = boto3.client("dynamodb", region_name=region).create_table(
        TableName="items", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])["TableDescription"]
    assert table["TableArn"] == f"{prefix}dynamodb:{region}:123456789012:table/items"
    events = boto3.client("events", region_name=region)
    assert events.describe_event_bus()["Arn"] == f"{prefix}events:{region}:123456789012:event-bus/default"
    s3 = boto3.client("s3", region_name=region)
    created = s3.create_bucket(Bucket=f"reports-{region}", CreateBucketConfiguration={"LocationConstraint": region})
    assert created["BucketArn"] == f"{prefix}s3:::reports-{region}"


def test_assumed_role_sessions_stay_in_the_role_partition(aws: Emulator) -> None:
    iam = boto3.client("iam", region_name="cn-north-1")
    trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}'
    role = iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=trust)["Role"]
    assert role["Arn"] == "arn:aws-cn:iam::123456789012:role/deployer"
    session = boto3.client("sts", region_name="cn-north-1").assume_role(RoleArn=role["Arn"], RoleSessionName="ci")
    assert session["AssumedRoleUser"]["Arn"] == "arn:aws-cn:sts::123456789012:assumed-role/deployer/ci"


def test_step_functions_parse_the_arns_they_mint_in_other_partitions(aws: Emulator) -> None:
    sfn = boto3.client("stepfunctions", region_name="us-gov-west-1")
    machine = sfn.create_state_machine(name="noop", roleArn="arn:aws-us-gov:iam::123456789012:role/sfn",
                                       definition='{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}')
    assert machine["stateMachineArn"].startswith("arn:aws-us-gov:states:us-gov-west-1:")
    assert sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])["name"] == "noop"


def test_policy_principals_are_written_in_the_partition(aws: Emulator) -> None:
    """AddPermission writes the accounts it names as ``arn:<partition>:iam::<account>:root`` principals."""
    sqs = boto3.client("sqs", region_name="cn-north-1")
    url = sqs.create_queue(QueueName="shared")["QueueUrl"]
    sqs.add_permission(QueueUrl=url, Label="peer", AWSAccountIds=["210987654321"], Actions=["SendMessage"])
    policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    assert '"arn:aws-cn:iam::210987654321:root"' in policy


@pytest.mark.parametrize(("region", "prefix"), [("cn-north-1", "arn:aws-cn:"), ("us-gov-west-1", "arn:aws-us-gov:")])
def test_log_group_and_table_key_arns_carry_the_partition(aws: Emulator, region: str, prefix: str) -> None:
    """Logs' log-group ARN (DescribeLogGroups ``arn``/``logGroupArn``) and DynamoDB's SSE key
    (``SSEDescription.KMSMasterKeyArn`` for a key given by id) are ARNs of the calling region's partition."""
    logs = boto3.client("logs", region_name=region)
    logs.create_log_group(logGroupName="app")
    group = logs.describe_log_groups(logGroupNamePrefix="app")["logGroups"][0]
    assert group["arn"].startswith(f"{prefix}logs:{region}:") and group["logGroupArn"].startswith(prefix)
    ddb = boto3.client("dynamodb", region_name=region)
    table = ddb.create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
    )["TableDescription"]
    assert table["SSEDescription"]["KMSMasterKeyArn"].startswith(f"{prefix}kms:{region}:")


def test_account_level_arns_carry_the_partition(aws: Emulator) -> None:
    """ARNs that name an account rather than a regional resource keep the caller's partition too: a
    CloudWatch dashboard (``arn:<partition>:cloudwatch::<account>:dashboard/<name>``, PutDashboard/
    GetDashboard), the root principal of a KMS key's default policy ("Default key policy") and an SNS
    subscription's ``SubscriptionPrincipal``."""
    region = "cn-north-1"
    cw = boto3.client("cloudwatch", region_name=region)
    cw.put_dashboard(DashboardName="d", DashboardBody='{"widgets": []}')
    assert cw.get_dashboard(DashboardName="d")["DashboardArn"].startswith("arn:aws-cn:cloudwatch::")
    kms = boto3.client("kms", region_name=region)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    policy = kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"]
    assert '"AWS" : "arn:aws-cn:iam::' in policy
    sns = boto3.client("sns", region_name=region)
    topic = sns.create_topic(Name="t")["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws-cn:sqs:{region}:123456789012:q",
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attributes["SubscriptionPrincipal"].startswith("arn:aws-cn:iam::")


def test_endpoint_urls_in_answers_carry_the_partitions_dns_suffix(aws: Emulator) -> None:
    """URLs that name a service endpoint end in the partition's DNS suffix (botocore's partitions data:
    ``amazonaws.com.cn`` for China): DynamoDB DescribeEndpoints' address, and an SNS notification's
    ``UnsubscribeURL`` and ``SigningCertURL`` (SNS developer guide, "Parsing message formats")."""
    region = "cn-north-1"
    ddb = boto3.client("dynamodb", region_name=region)
    assert ddb.describe_endpoints()["Endpoints"][0]["Address"] == "dynamodb.cn-north-1.amazonaws.com.cn"
    sqs = boto3.client("sqs", region_name=region)
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns = boto3.client("sns", region_name=region)
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    sns.publish(TopicArn=topic, Message="hello")
    body = json.loads(sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"])
    assert body["UnsubscribeURL"].startswith("https://sns.cn-north-1.amazonaws.com.cn/?Action=Unsubscribe")
    assert body["SigningCertURL"].startswith("https://sns.cn-north-1.amazonaws.com.cn/")
