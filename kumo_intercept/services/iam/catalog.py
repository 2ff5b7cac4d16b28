"""The AWS managed policies kumo_intercept knows (a small catalog; AWS has over a thousand).

Each is ``(name, path, document)``; the documents are the policies' published default versions
(AWS managed policy reference, docs.aws.amazon.com/aws-managed-policy/latest/reference/). Any other
``arn:aws:iam::aws:policy/…`` is NoSuchEntity here.
"""

from __future__ import annotations

import json
from typing import Any

_LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]


def _allow(actions: Any, resource: str = "*") -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]})


AWS_MANAGED_POLICIES: dict[str, tuple[str, str]] = {
    "AdministratorAccess": ("/", _allow("*")),
    "AmazonS3FullAccess": ("/", _allow(["s3:*", "s3-object-lambda:*"])),
    "AmazonS3ReadOnlyAccess": ("/", _allow(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*",
                                            "s3-object-lambda:List*"])),
    "AmazonSQSFullAccess": ("/", _allow(["sqs:*"])),
    "AmazonSNSFullAccess": ("/", _allow(["sns:*"])),
    "AWSLambdaBasicExecutionRole": ("/service-role/", _allow(_LOGS)),
    "AWSLambdaSQSQueueExecutionRole": ("/service-role/", _allow(
        ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", *_LOGS])),
    "AWSLambdaDynamoDBExecutionRole": ("/service-role/", _allow(
        ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
         "dynamodb:ListStreams", *_LOGS])),
}
