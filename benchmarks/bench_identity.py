"""IAM and STS benchmarks: iam.GetRole and sts.GetCallerIdentity against the botocore floor and moto.

    python benchmarks/bench_identity.py [--quick]

Targets (issue "Identity and configuration"): GetRole ≤ 1.0× the floor and ≥ 10× faster than moto,
measured side by side in one run. The account holds 1,000 roles so lookups are not measured on an
empty table; GetCallerIdentity is measured with an IAM user's access key (the path every call of an
IAM-user client takes to find its account).
"""

from __future__ import annotations

import argparse
import json
from typing import Any, Callable
from urllib.parse import quote

import boto3

from common import compare, floor_client, moto_active, report

from kumo_intercept import kumo

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
ROLES = 1_000


def _fill(iam: Any) -> None:
    for i in range(ROLES):
        iam.create_role(RoleName=f"role-{i:04d}", AssumeRolePolicyDocument=TRUST)


def _floor() -> dict[str, Callable[[], Any]]:
    quoted = quote(TRUST)  # IAM returns policy documents URL-encoded; botocore decodes them in place

    def role() -> dict:
        return {"Role": {"Path": "/", "RoleName": "role-0500", "RoleId": "AROA" + "X" * 17,
                         "Arn": "arn:aws:iam::123456789012:role/role-0500", "AssumeRolePolicyDocument": quoted,
                         "MaxSessionDuration": 3600, "RoleLastUsed": {}}}
    identity = {"UserId": "AIDA" + "X" * 17, "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/u"}
    iam = floor_client("iam", {"GetRole": role})
    sts = floor_client("sts", {"GetCallerIdentity": identity})
    return {"get_role": lambda: iam.get_role(RoleName="role-0500"), "caller": sts.get_caller_identity}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds")
    args = parser.parse_args(argv)
    calls, rounds, moto_calls = (300, 3, 30) if args.quick else (1000, 7, 100)
    floor = _floor()
    aws = kumo().start()
    try:
        iam = boto3.client("iam")
        _fill(iam)
        iam.create_user(UserName="u")
        key = iam.create_access_key(UserName="u")["AccessKey"]
        as_user = boto3.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key="x")
        ops = {"get_role": lambda: iam.get_role(RoleName="role-0500"), "caller": as_user.get_caller_identity}
        results = {op: compare({"floor": floor[op], "kumo": ops[op]}, calls=calls, rounds=rounds, emulator=aws)
                   for op in ops}
    finally:
        aws.stop()
    with moto_active() as have_moto:
        if have_moto:
            moto_iam = boto3.client("iam", region_name="us-east-1")
            _fill(moto_iam)
            moto_iam.create_user(UserName="u")
            moto_key = moto_iam.create_access_key(UserName="u")["AccessKey"]
            moto_sts = boto3.client("sts", region_name="us-east-1", aws_access_key_id=moto_key["AccessKeyId"],
                                    aws_secret_access_key=moto_key["SecretAccessKey"])
            moto_ops = {"get_role": lambda: moto_iam.get_role(RoleName="role-0500"),
                        "caller": moto_sts.get_caller_identity}
            for op, measured in results.items():
                out = compare({"floor": floor[op], "moto": moto_ops[op]}, calls=moto_calls, rounds=3, warmup=5)
                measured["moto"] = out["moto"] * measured["floor"] / out["floor"]
    report(f"iam.GetRole ({ROLES:,} roles in the account)", results["get_role"])
    report("sts.GetCallerIdentity (an IAM user's access key)", results["caller"])


if __name__ == "__main__":
    main()
