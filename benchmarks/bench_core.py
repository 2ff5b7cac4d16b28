"""Foundation benchmarks: an STS call against the botocore floor (and moto), activation cost, import cost.

    python benchmarks/bench_core.py

Targets (issue 2): STS call ≤ 1.15× floor; `with kumo(): pass` ≤ 0.5 ms; `import kumo_intercept`
adds ≤ 50 ms to importing boto3.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

import boto3

from common import compare, floor_client, moto_active, per_call_us, report

from kumo_intercept import kumo

IDENTITY = {"UserId": "123456789012", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:root"}


def bench_sts() -> None:
    floor = floor_client("sts", {"GetCallerIdentity": IDENTITY})
    contenders = {"floor": floor.get_caller_identity}
    aws = kumo().start()
    try:
        kumo_client = boto3.client("sts")
        contenders["kumo"] = kumo_client.get_caller_identity
        results = compare(contenders, emulator=aws)
    finally:
        aws.stop()
    with moto_active() as have_moto:
        if have_moto:
            moto_client = boto3.client("sts", region_name="us-east-1")
            moto_results = compare({"floor": floor.get_caller_identity,
                                    "moto": moto_client.get_caller_identity}, calls=200)
            results["moto"] = moto_results["moto"] * results["floor"] / moto_results["floor"]
    report("sts.GetCallerIdentity", results)


def bench_activation() -> None:
    def enter_exit() -> None:
        with kumo():
            pass

    samples = [per_call_us(enter_exit, 500) for _ in range(7)]
    print(f"## activation\n`with kumo(): pass`: {statistics.median(samples):.1f} µs (target ≤ 500 µs)\n")


def _import_ms(code: str) -> float:
    timings = []
    for _ in range(7):
        out = subprocess.run(
            [sys.executable, "-c", f"import time; t=time.perf_counter(); {code}; "
             "print((time.perf_counter()-t)*1000)"],
            capture_output=True, text=True, check=True)
        timings.append(float(out.stdout))
    return statistics.median(timings)


def bench_import() -> None:
    boto = _import_ms("import boto3")
    both = _import_ms("import boto3; import kumo_intercept")
    print(f"## import\nimport boto3: {boto:.1f} ms; boto3 + kumo_intercept: {both:.1f} ms; "
          f"kumo_intercept adds {both - boto:.1f} ms (target ≤ 50 ms)\n")


if __name__ == "__main__":
    bench_sts()
    bench_activation()
    bench_import()
