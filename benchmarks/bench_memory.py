"""Memory: what a stored record costs beyond its payload, and the RSS a 1 GiB multipart upload from
in-memory parts adds with a data directory.

    python benchmarks/bench_memory.py [--quick] [--skip-multipart] [--skip-records]

Targets (issue "Reliability and security II", item 6): ≤ 1 KiB per record beyond its payload for
100,000 DynamoDB items, 100,000 SQS messages and 20,000 S3 objects; a 1 GiB multipart upload from
in-memory parts raises peak RSS by ≤ 64 MiB with a data directory. Each measurement runs in its own
child process, so the figures are that process's own.

Per record: the growth of the Python heap (``tracemalloc``, after a full collection; with ``--rss``
also of the RSS, in a run without tracemalloc) while the records are created through boto3, divided
by their number, minus the payload each carries (the bytes of its key and body or attribute values,
which any store must keep). The call ledger is set to one
entry, so what it keeps (bounded separately) is not counted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from common import CHILD_PRELUDE

_COMMON = CHILD_PRELUDE + r"""
import gc, json, os, sys, tempfile, tracemalloc
import boto3
from common import current_rss, peak_rss, reset_peak_rss
from kumo_intercept import kumo
"""

_MULTIPART_CHILD = _COMMON + r"""
SIZE = int(sys.argv[1])
PART = 8 * 1024 * 1024
LEDGER = int(sys.argv[2])
with tempfile.TemporaryDirectory(prefix="kumo-bench-memory-") as data_dir, kumo(data_dir=data_dir, ledger_size=LEDGER) as aws:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="memory-bucket")
    warm = s3.create_multipart_upload(Bucket="memory-bucket", Key="warm")["UploadId"]
    s3.upload_part(Bucket="memory-bucket", Key="warm", UploadId=warm, PartNumber=1, Body=b"w" * PART)
    s3.abort_multipart_upload(Bucket="memory-bucket", Key="warm", UploadId=warm)
    gc.collect()
    reset_peak_rss()
    before = current_rss()
    upload = s3.create_multipart_upload(Bucket="memory-bucket", Key="big")["UploadId"]
    block = os.urandom(PART)
    parts = []
    for number in range(1, SIZE // PART + 1):
        body = number.to_bytes(8, "big") + block[8:]  # a new part in memory, a distinct blob
        etag = s3.upload_part(Bucket="memory-bucket", Key="big", UploadId=upload, PartNumber=number,
                              Body=body)["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
        del body
    after_parts = peak_rss()
    s3.complete_multipart_upload(Bucket="memory-bucket", Key="big", UploadId=upload,
                                 MultipartUpload={"Parts": parts})
    after_complete = peak_rss()
    total = 0
    for chunk in s3.get_object(Bucket="memory-bucket", Key="big")["Body"].iter_chunks(1 << 20):
        total += len(chunk)
    assert total == SIZE, total
    after_get = peak_rss()
    print(json.dumps({"before": before, "parts": after_parts, "complete": after_complete, "get": after_get,
                      "part": PART}))
"""

_RECORDS_CHILD = _COMMON + r"""
KIND, COUNT, TRACE = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "tracemalloc"
PAYLOAD = 100  # bytes of body / attribute value per record

def dynamodb(n):
    client = boto3.client("dynamodb")
    client.create_table(TableName="t", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    def run(start, stop):
        for i in range(start, stop):
            client.put_item(TableName="t", Item={"pk": {"S": f"item-{i:08d}"}, "v": {"S": "v" * (PAYLOAD - 13)}})
    return run, len("item-00000000") + (PAYLOAD - 13)

def sqs(n):
    client = boto3.client("sqs")
    url = client.create_queue(QueueName="q")["QueueUrl"]
    def run(start, stop):
        for i in range(start, stop, 10):
            client.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(j), "MessageBody": f"{i + j:08d}" + "m" * (PAYLOAD - 8)} for j in range(min(10, stop - i))])
    return run, PAYLOAD

def s3(n):
    client = boto3.client("s3")
    client.create_bucket(Bucket="bucket-memory")
    def run(start, stop):
        for i in range(start, stop):
            client.put_object(Bucket="bucket-memory", Key=f"key-{i:08d}", Body=b"o" * PAYLOAD)
    return run, len("key-00000000") + PAYLOAD

with kumo(ledger_size=1) as aws:
    run, payload = {"dynamodb": dynamodb, "sqs": sqs, "s3": s3}[KIND](COUNT)
    run(0, 100)  # warm: clients, handlers, tables exist before measuring
    gc.collect()
    if TRACE:
        tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0] if TRACE else current_rss()
    run(100, 100 + COUNT)
    gc.collect()
    grown = (tracemalloc.get_traced_memory()[0] if TRACE else current_rss()) - base
    print(json.dumps({"kind": KIND, "count": COUNT, "grown": grown, "payload": payload}))
"""


def _child(code: str, *args: object) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def multipart(size: int, ledger: int) -> None:
    figures = _child(_MULTIPART_CHILD, size, ledger)
    mib = 1 << 20
    grown = {step: (figures[step] - figures["before"]) / mib for step in ("parts", "complete", "get")}
    print(f"## {size // mib} MiB multipart upload from {figures['part'] // mib} MiB in-memory parts, data directory, "
          f"call ledger of {ledger:,}")
    print(f"peak RSS growth: parts {grown['parts']:.1f} MiB, + complete {grown['complete']:.1f} MiB, "
          f"+ read back {grown['get']:.1f} MiB (target ≤ 64)\n")


def records(counts: dict[str, int], measure: str) -> None:
    print(f"## per-record memory ({measure}), beyond the payload")
    print(f"{'records':<28}{'count':>10}{'B/record':>12}{'payload':>10}{'overhead':>10}")
    for kind, count in counts.items():
        figures = _child(_RECORDS_CHILD, kind, count, measure)
        per = figures["grown"] / count
        print(f"{kind:<28}{count:>10,}{per:>12.0f}{figures['payload']:>10}{per - figures['payload']:>10.0f}")
    print("(target: overhead ≤ 1024 bytes per record)\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the records, 256 MiB")
    parser.add_argument("--skip-multipart", action="store_true")
    parser.add_argument("--skip-records", action="store_true")
    parser.add_argument("--rss", action="store_true", help="per record: also the RSS growth (a run without "
                                                           "tracemalloc, whose own bookkeeping would count)")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    if not args.skip_records:
        counts = {"dynamodb": 100_000 // scale, "sqs": 100_000 // scale, "s3": 20_000 // scale}
        for measure in ("tracemalloc", "rss") if args.rss else ("tracemalloc",):
            records(counts, measure)
    if not args.skip_multipart:
        for ledger in (1, 10_000):  # the ledger (bounded elsewhere) keeps each call's parameters
            multipart((256 if args.quick else 1024) << 20, ledger)


if __name__ == "__main__":
    main()
