"""S3 benchmarks: 1 KiB put/get/head against the botocore floor and moto, ListObjectsV2 cost at depth,
and the peak memory of putting and reading back a 1 GiB object.

    python benchmarks/bench_s3.py [--quick] [--skip-memory]

Targets (issue 5): put/get/head of a 1 KiB object each ≤ 1.25× the floor and ≥ 8× faster than moto;
ListObjectsV2 with MaxKeys=10 in a 100,000-key bucket ≤ 2× its cost in a 100-key bucket; putting and
reading back a 1 GiB object raises peak RSS by ≤ 64 MiB (measured in a child process, so the numbers
are that process's own).
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from typing import Any, Callable

import boto3

from common import CHILD_PRELUDE, compare, depth_run, floor_client, moto_active, report

from kumo_intercept import kumo

BODY = b"x" * 1024
ETAG = '"%s"' % ("0" * 32)
NOW = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
CANNED = {
    "PutObject": {"ETag": ETAG, "ServerSideEncryption": "AES256"},
    "GetObject": {"ETag": ETAG, "ContentLength": 1024, "LastModified": NOW, "ContentType": "binary/octet-stream",
                  "Metadata": {}},
    "HeadObject": {"ETag": ETAG, "ContentLength": 1024, "LastModified": NOW, "ContentType": "binary/octet-stream",
                   "Metadata": {}},
    "ListObjectsV2": {"IsTruncated": True, "KeyCount": 10, "MaxKeys": 10, "Name": "bench-bucket", "Prefix": "",
                      "Contents": [{"Key": f"key-{i:06d}", "LastModified": NOW, "ETag": ETAG, "Size": 1024,
                                    "StorageClass": "STANDARD"} for i in range(10)]},
}


def _operations(client: Any, bucket: str) -> dict[str, Callable[[], Any]]:
    def put() -> None:
        client.put_object(Bucket=bucket, Key="bench-key", Body=BODY)

    def get() -> None:
        client.get_object(Bucket=bucket, Key="bench-key")["Body"].read()

    def head() -> None:
        client.head_object(Bucket=bucket, Key="bench-key")

    def list10() -> None:
        client.list_objects_v2(Bucket=bucket, MaxKeys=10, StartAfter="key-000050")

    return {"put": put, "get": get, "head": head, "list10": list10}


def _floor_operations() -> dict[str, Callable[[], Any]]:
    client = floor_client("s3", CANNED)

    def get() -> None:
        import io

        from botocore.response import StreamingBody

        CANNED["GetObject"]["Body"] = StreamingBody(io.BytesIO(BODY), 1024)
        client.get_object(Bucket="bench-bucket", Key="bench-key")["Body"].read()

    return {
        "put": lambda: client.put_object(Bucket="bench-bucket", Key="bench-key", Body=BODY),
        "get": get,
        "head": lambda: client.head_object(Bucket="bench-bucket", Key="bench-key"),
        "list10": lambda: client.list_objects_v2(Bucket="bench-bucket", MaxKeys=10, StartAfter="key-000050"),
    }


def _fill(aws: Any, client: Any, bucket: str, keys: int) -> None:
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="bench-key", Body=BODY)
    # load the table directly: 100,000 put_object calls would only measure put_object again
    backend = aws.backend("s3")
    record = dict(backend.objects[(bucket, "bench-key")])
    with aws.store.transaction():
        for i in range(keys):
            backend.objects.put((bucket, f"key-{i:06d}"), record)


def bench(depths: tuple[int, int], calls: int, rounds: int, moto_calls: int) -> dict[str, dict[str, float]]:
    floor = _floor_operations()
    emulators, kumo_ops = {}, {}
    for depth in depths:
        aws = kumo().start()
        emulators[depth] = aws
        client = boto3.client("s3")
        _fill(aws, client, "bench-bucket", depth)
        kumo_ops[depth] = _operations(client, "bench-bucket")
        aws.stop()
    results: dict[str, dict[str, float]] = {}
    for op in ("put", "get", "head", "list10"):
        measured: dict[str, float] = {}
        measured["floor"] = compare({"floor": floor[op]}, calls=calls, rounds=rounds)["floor"]
        for depth in (depths if op == "list10" else depths[:1]):
            aws = emulators[depth]
            aws.start()
            try:
                name = f"kumo@{depth:,}"
                out = compare({"floor": floor[op], name: kumo_ops[depth][op]}, calls=calls, rounds=rounds, emulator=aws)
            finally:
                aws.stop()
            measured[name] = out[name] * measured["floor"] / out["floor"]
        results[op] = measured
    with moto_active() as have_moto:
        if have_moto:
            client = boto3.client("s3", region_name="us-east-1")
            client.create_bucket(Bucket="bench-bucket")
            client.put_object(Bucket="bench-bucket", Key="bench-key", Body=BODY)
            for i in range(depths[0]):
                client.put_object(Bucket="bench-bucket", Key=f"key-{i:06d}", Body=BODY)
            ops = _operations(client, "bench-bucket")
            for op, measured in results.items():
                out = compare({"floor": floor[op], f"moto@{depths[0]:,}": ops[op]}, calls=moto_calls, rounds=3, warmup=5)
                measured[f"moto@{depths[0]:,}"] = out[f"moto@{depths[0]:,}"] * measured["floor"] / out["floor"]
    return results


_MEMORY_CHILD = CHILD_PRELUDE + r"""
import hashlib, json
import boto3
from common import current_rss as current, peak_rss as peak, reset_peak_rss as reset_peak
from kumo_intercept import kumo

SIZE = int(sys.argv[1])
CHUNK = 1024 * 1024

class Source:
    '''A file-like 1 GiB body made up as it is read: nothing of it is ever whole in memory.'''
    def __init__(self):
        self.left = SIZE
        self.block = bytes(range(256)) * (CHUNK // 256)
    def read(self, n=-1):
        n = self.left if n is None or n < 0 else min(n, self.left)
        out = (self.block * (n // CHUNK + 1))[:n]
        self.left -= n
        return out

with kumo() as aws:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="memory-bucket")
    s3.put_object(Bucket="memory-bucket", Key="warm", Body=b"x" * 300_000)
    s3.get_object(Bucket="memory-bucket", Key="warm")["Body"].read()
    reset_peak()  # growth is measured from the RSS now, not from an earlier peak
    before = current()
    s3.put_object(Bucket="memory-bucket", Key="big", Body=Source(), ContentLength=SIZE)
    after_put = peak()
    digest = hashlib.md5()
    total = 0
    for chunk in s3.get_object(Bucket="memory-bucket", Key="big")["Body"].iter_chunks(CHUNK):
        digest.update(chunk)
        total += len(chunk)
    after_get = peak()
    assert total == SIZE, total
    print(json.dumps({"before": before, "after_put": after_put, "after_get": after_get}))
"""


def memory(size: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _MEMORY_CHILD, str(size)], capture_output=True, text=True, check=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    mib = 1024 * 1024
    return {"put": (figures["after_put"] - figures["before"]) / mib,
            "put+get": (figures["after_get"] - figures["before"]) / mib}


def main(argv: list[str] | None = None) -> None:
    args = depth_run(__doc__, "fewer calls, 10,000 keys for the deep bucket, 256 MiB", argv,
                     lambda parser: parser.add_argument("--skip-memory", action="store_true",
                                                        help="skip the 1 GiB memory measurement"))
    depths = args.depths
    results = bench(depths, args.calls, args.rounds, args.moto_calls)
    for op, measured in results.items():
        report(f"s3.{op}", measured)
    shallow, deep = (results["list10"][f"kumo@{d:,}"] for d in depths)
    print(f"ListObjectsV2 MaxKeys=10 at {depths[1]:,} keys / at {depths[0]:,}: {deep / shallow:.2f} (target ≤ 2)\n")
    if not args.skip_memory:
        size = (256 if args.quick else 1024) * 1024 * 1024
        grown = memory(size)
        print(f"peak RSS growth for a {size // 2**20} MiB object: put {grown['put']:.1f} MiB, "
              f"put + read back {grown['put+get']:.1f} MiB (target ≤ 64)")


if __name__ == "__main__":
    main()
