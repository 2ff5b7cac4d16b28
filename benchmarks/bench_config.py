"""Secrets Manager and SSM Parameter Store benchmarks: GetSecretValue and GetParameter against the
botocore floor and moto, measured side by side in one run.

    python benchmarks/bench_config.py [--quick]

Targets (issue "Identity and configuration"): each ≤ 1.0× the floor, ≥ 10× faster than moto. The kumo
contenders read a secret / parameter among 1,000 others of their account and region.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any, Callable

import boto3

from common import compare, floor_client, moto_active, report

from kumo_intercept import kumo

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench/secret-AbCdEf"
WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
CANNED: dict[str, dict] = {
    "GetSecretValue": {"ARN": SECRET_ARN, "Name": "bench/secret", "VersionId": "0" * 32,
                       "SecretString": "s3cret", "VersionStages": ["AWSCURRENT"], "CreatedDate": WHEN},
    "GetParameter": {"Parameter": {"Name": "/bench/param", "Type": "String", "Value": "value", "Version": 1,
                                   "LastModifiedDate": WHEN, "DataType": "text",
                                   "ARN": "arn:aws:ssm:us-east-1:123456789012:parameter/bench/param"}},
}
FILLER = 1_000


def _seed(secrets: Any, ssm: Any, filler: int) -> None:
    for i in range(filler):
        secrets.create_secret(Name=f"filler/{i}", SecretString="x")
        ssm.put_parameter(Name=f"/filler/{i}", Value="x", Type="String")
    secrets.create_secret(Name="bench/secret", SecretString="s3cret")
    ssm.put_parameter(Name="/bench/param", Value="value", Type="String")


def _operations(secrets: Any, ssm: Any) -> dict[str, Callable[[], Any]]:
    return {"GetSecretValue": lambda: secrets.get_secret_value(SecretId="bench/secret"),
            "GetParameter": lambda: ssm.get_parameter(Name="/bench/param")}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds")
    args = parser.parse_args(argv)
    calls, rounds, moto_calls = (300, 3, 30) if args.quick else (1000, 7, 100)
    floor = _operations(floor_client("secretsmanager", CANNED), floor_client("ssm", CANNED))
    aws = kumo().start()
    ours = _operations(boto3.client("secretsmanager"), boto3.client("ssm"))
    _seed(boto3.client("secretsmanager"), boto3.client("ssm"), FILLER)
    results: dict[str, dict[str, float]] = {}
    try:
        for op in ours:
            out = compare({"floor": floor[op], "kumo": ours[op]}, calls=calls, rounds=rounds, emulator=aws)
            results[op] = dict(out)
    finally:
        aws.stop()
    with moto_active() as have_moto:
        if have_moto:
            theirs = _operations(boto3.client("secretsmanager", region_name="us-east-1"),
                                 boto3.client("ssm", region_name="us-east-1"))
            _seed(boto3.client("secretsmanager", region_name="us-east-1"),
                  boto3.client("ssm", region_name="us-east-1"), FILLER)
            for op, measured in results.items():
                out = compare({"floor": floor[op], "moto": theirs[op]}, calls=moto_calls, rounds=3, warmup=5)
                # normalised to the floor of the kumo comparison, so both ratios share one floor
                measured["moto"] = out["moto"] * measured["floor"] / out["floor"]
    for op, measured in results.items():
        report(f"{op} (among {FILLER:,})", measured)


if __name__ == "__main__":
    main()
