"""KMS benchmarks: Encrypt and Decrypt of 4 KiB against the botocore floor and moto, side by side.

    python benchmarks/bench_kms.py [--quick] [--cpu]

Targets (issue "Identity and configuration", item 5): each ≤ 1.0× the floor and ≥ 10× faster than
moto. The floor client returns canned parsed responses of the same shape (a ciphertext blob of the
size kumo produces, a 4 KiB plaintext), so every contender pays botocore's serialisation of the
4 KiB blob. ``--cpu`` measures this process's CPU time instead of wall time: on a shared, busy
machine wall-time ratios swing by ±30 % from run to run.
"""

from __future__ import annotations

import argparse
import time
from typing import Any, Callable

import boto3

from common import compare, floor_client, moto_active, report

from kumo_intercept import kumo

PLAINTEXT = bytes(range(256)) * 16  # 4 KiB
CONTEXT = {"purpose": "bench"}
ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-8444-555555555555"


def _operations(client: Any) -> dict[str, Callable[[], Any]]:
    key = client.create_key(Description="bench")["KeyMetadata"]["KeyId"]
    blob = client.encrypt(KeyId=key, Plaintext=PLAINTEXT, EncryptionContext=CONTEXT)["CiphertextBlob"]
    return {
        "encrypt": lambda: client.encrypt(KeyId=key, Plaintext=PLAINTEXT, EncryptionContext=CONTEXT),
        "decrypt": lambda: client.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT),
    }


def _floor_operations(blob_size: int) -> dict[str, Callable[[], Any]]:
    blob = b"\x01" * blob_size
    client = floor_client("kms", {
        "Encrypt": {"CiphertextBlob": blob, "KeyId": ARN, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"},
        "Decrypt": {"Plaintext": PLAINTEXT, "KeyId": ARN, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"},
    })
    return {
        "encrypt": lambda: client.encrypt(KeyId=ARN, Plaintext=PLAINTEXT, EncryptionContext=CONTEXT),
        "decrypt": lambda: client.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds")
    parser.add_argument("--cpu", action="store_true", help="measure process CPU time, not wall time")
    run = parser.parse_args(argv)
    timer = time.process_time if run.cpu else time.perf_counter
    calls, rounds, moto_calls = (200, 3, 50) if run.quick else (1000, 7, 200)
    aws = kumo().start()
    try:
        client = boto3.client("kms")
        kumo_ops = _operations(client)
        blob_size = len(client.encrypt(KeyId=client.list_keys()["Keys"][0]["KeyId"], Plaintext=PLAINTEXT,
                                       EncryptionContext=CONTEXT)["CiphertextBlob"])
    finally:
        aws.stop()
    floor = _floor_operations(blob_size)
    results: dict[str, dict[str, float]] = {}
    aws.start()
    try:
        for op in ("encrypt", "decrypt"):
            results[op] = compare({"floor": floor[op], "kumo": kumo_ops[op]}, calls=calls, rounds=rounds,
                                  emulator=aws, timer=timer)
    finally:
        aws.stop()
    with moto_active() as have_moto:
        if have_moto:
            moto_ops = _operations(boto3.client("kms", region_name="us-east-1"))
            for op, measured in results.items():
                out = compare({"floor": floor[op], "moto": moto_ops[op]}, calls=moto_calls, rounds=3, warmup=5,
                              timer=timer)
                # normalised to the kumo comparison's floor, so the ratios are side by side
                measured["moto"] = out["moto"] * measured["floor"] / out["floor"]
    for op, measured in results.items():
        report(f"kms.{op} (4 KiB, encryption context{', CPU time' if run.cpu else ''})", measured)


if __name__ == "__main__":
    main()
