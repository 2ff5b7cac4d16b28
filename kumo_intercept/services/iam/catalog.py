"""The AWS managed policies kumo_intercept knows (a small catalog; AWS has over a thousand).

Each is ``(name, path, document)``; the documents are the policies' published default versions
(AWS managed policy reference, docs.aws.amazon.com/aws-managed-policy/latest/reference/). Any other
``arn:<partition>:iam::aws:policy/…`` is NoSuchEntity here.

AWS managed policies are named in the partition of the account using them:
``arn:aws:iam::aws:policy/AdministratorAccess`` in aws, ``arn:aws-cn:iam::aws:policy/AdministratorAccess``
in China, ``arn:aws-us-gov:…`` in GovCloud (AWS China's "ARNs for Amazon Web Services in China",
docs.amazonaws.cn/en_us/general/latest/gr/ARNs.html; winebarrel/miam#25 detects them so in aws-cn).
"""

from __future__ import annotations

import json
from typing import Any

from ...core.partitions import arn_prefix_of

#: what follows ``arn:<partition>`` in every AWS managed policy's ARN, before its path
_AWS_POLICY_RESOURCE = ":iam::aws:policy"

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


def aws_policy_arn(prefix: str, name: str) -> str:
    """The ARN of the catalog's policy ``name`` in the partition ``prefix`` names (``arn:aws-cn``)."""
    return f"{prefix}{_AWS_POLICY_RESOURCE}{AWS_MANAGED_POLICIES[name][0]}{name}"


def is_aws_policy_arn(arn: str) -> bool:
    """Whether ``arn`` is in AWS's managed-policy namespace, in any partition (known here or not)."""
    return arn.startswith("arn:") and arn[len(arn_prefix_of(arn)):].startswith(_AWS_POLICY_RESOURCE + "/")


def aws_policy_name(arn: str) -> str | None:
    """The name of the catalog policy ``arn`` names in any partition (with the policy's own path), else None."""
    name = arn.rsplit("/", 1)[-1]
    known = name in AWS_MANAGED_POLICIES and arn == aws_policy_arn(arn_prefix_of(arn), name)
    return name if known else None
