"""Quickstart: unchanged boto3 code against an AWS that lives in this process.

    python examples/quickstart.py

No credentials, no region, no network, no Docker.
"""

from __future__ import annotations

import boto3
from botocore.exceptions import ClientError

from kumo_intercept import kumo


def main() -> None:
    with kumo(clock="virtual", seed=7) as aws:
        sts = boto3.client("sts")
        identity = sts.get_caller_identity()
        print("caller:", identity["Arn"])

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
