"""Quickstart: unchanged boto3 code against an AWS that lives in this process.

    python examples/quickstart.py

No credentials, no region, no network, no Docker.
"""

from __future__ import annotations

import json

import boto3
from botocore.exceptions import ClientError

from kumo_intercept import kumo


def main() -> None:
    with kumo(clock="virtual", seed=7) as aws:
        # S3: a bucket, an object, and the object back
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="invoices")
        s3.put_object(Bucket="invoices", Key="2025/001.json", Body=b'{"total": 42}')
        print("s3 object:", s3.get_object(Bucket="invoices", Key="2025/001.json")["Body"].read())

        # SQS: a message, received, hidden for its visibility timeout, visible again when time moves
        sqs = boto3.client("sqs")
        queue_url = sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
        sqs.send_message(QueueUrl=queue_url, MessageBody="order 1")
        first = sqs.receive_message(QueueUrl=queue_url)["Messages"][0]
        print("sqs message:", first["Body"])
        print("while in flight:", sqs.receive_message(QueueUrl=queue_url).get("Messages", []))
        aws.clock.advance(31)  # virtual time: nothing sleeps
        print("after the timeout:", sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"])

        # DynamoDB: a table, items, a query on the sort key
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"},
                       {"AttributeName": "order", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"},
                                  {"AttributeName": "order", "AttributeType": "N"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for order in (1, 2, 3):
            dynamodb.put_item(TableName="orders", Item={"customer": {"S": "ada"}, "order": {"N": str(order)}})
        found = dynamodb.query(
            TableName="orders",
            KeyConditionExpression="customer = :c AND #o >= :n",
            ExpressionAttributeNames={"#o": "order"},
            ExpressionAttributeValues={":c": {"S": "ada"}, ":n": {"N": "2"}},
        )
        print("dynamodb query:", [item["order"]["N"] for item in found["Items"]])

        # errors are AWS's own: code, message and the modeled exception class
        try:
            s3.get_object(Bucket="invoices", Key="missing")
        except s3.exceptions.NoSuchKey as err:
            print("AWS-style error:", err.response["Error"]["Code"], "-", err.response["Error"]["Message"])
        try:
            dynamodb.put_item(TableName="orders", Item={"customer": {"S": "ada"}, "order": {"N": "1"}},
                              ConditionExpression="attribute_not_exists(customer)")
        except ClientError as err:
            print("AWS-style error:", err.response["Error"]["Code"])

        # IAM and STS: a role that trusts this account, assumed; its credentials act as the role
        sts = boto3.client("sts")
        account = sts.get_caller_identity()["Account"]
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]}
        boto3.client("iam").create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps(trust))
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/reader", RoleSessionName="demo")["Credentials"]
        as_role = boto3.client("sts", aws_access_key_id=creds["AccessKeyId"],
                               aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
        print("assumed:", as_role.get_caller_identity()["Arn"])
        print("calls served:", len(aws.calls), "- the first three:", aws.calls.names()[:3])


if __name__ == "__main__":
    main()
