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
        sts = boto3.client("sts")
        identity = sts.get_caller_identity()
        print("caller:", identity["Arn"])

        # a role in another account (a 12-digit access key id acts in that account) that trusts ours
        iam = boto3.client("iam", aws_access_key_id="210987654321", aws_secret_access_key="x")
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": identity["Account"]}, "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps(trust))

        role = sts.assume_role(RoleArn="arn:aws:iam::210987654321:role/reader", RoleSessionName="demo")
        creds = role["Credentials"]
        as_role = boto3.client(
            "sts",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        print("assumed:", as_role.get_caller_identity()["Arn"], "until", creds["Expiration"].isoformat())

        try:
            sts.assume_role(RoleArn="arn:aws:iam::210987654321:role/reader", RoleSessionName="bad name")
        except ClientError as err:
            print("AWS-style error:", err.response["Error"]["Code"], "-", err.response["Error"]["Message"])

        aws.clock.advance(3600)
        print("virtual time now:", aws.clock.now().isoformat())
        print("calls served:", aws.calls.names())


if __name__ == "__main__":
    main()
