"""Kinesis benchmarks: PutRecord and GetRecords against the botocore floor and moto, and cost at depth.

    python benchmarks/bench_kinesis.py [--quick]

Targets (issue "Streams and workflows"): PutRecord and GetRecords ≤ 1.0× the floor; per-call cost with
100,000 records in the stream flat (the same as with 100).

GetRecords reads one record (``Limit=1``) from an iterator at the middle of the shard, reused on every
call (the emulator's clock is virtual, so it never expires); PutRecord appends 100-byte records to a
one-shard stream, which grows by a few thousand records during the run.
"""

from __future__ import annotations

import datetime
from typing import Any, Callable

import boto3

from common import at_depths, compare, depth_run, floor_client, moto_active, report

from kumo_intercept import kumo

DATA = b"x" * 100
SEQUENCE = "49000000000000000000000000000000000000000000000000000001"
FLOOR_RESPONSES: dict[str, dict[str, Any]] = {
    "PutRecord": {"ShardId": "shardId-000000000000", "SequenceNumber": SEQUENCE},
    "GetRecords": {"Records": [{"SequenceNumber": SEQUENCE, "Data": DATA, "PartitionKey": "k",
                                "ApproximateArrivalTimestamp": datetime.datetime(2025, 1, 1,
                                                                                 tzinfo=datetime.timezone.utc)}],
                   "NextShardIterator": "AAAA", "MillisBehindLatest": 0},
}


def _stream(client: Any, depth: int) -> str:
    """A one-shard stream holding ``depth`` records; returns an iterator at its middle record."""
    client.create_stream(StreamName="bench", ShardCount=1)
    if hasattr(client, "get_waiter"):
        client.get_waiter("stream_exists").wait(StreamName="bench", WaiterConfig={"Delay": 0.01})
    sequences = []
    for start in range(0, depth, 500):
        out = client.put_records(StreamName="bench", Records=[{"Data": DATA, "PartitionKey": str(i)}
                                                               for i in range(start, min(depth, start + 500))])
        sequences += [r["SequenceNumber"] for r in out["Records"]]
    return client.get_shard_iterator(StreamName="bench", ShardId="shardId-000000000000",
                                     ShardIteratorType="AT_SEQUENCE_NUMBER",
                                     StartingSequenceNumber=sequences[len(sequences) // 2])["ShardIterator"]


def _operations(client: Any, iterator: str) -> dict[str, Callable[[], Any]]:
    return {
        "put_record": lambda: client.put_record(StreamName="bench", Data=DATA, PartitionKey="k"),
        "get_records": lambda: client.get_records(ShardIterator=iterator, Limit=1),
    }


def bench(depths: tuple[int, int], calls: int, rounds: int, moto_calls: int) -> dict[str, dict[str, float]]:
    floor_client_ = floor_client("kinesis", FLOOR_RESPONSES)
    floor = {"put_record": lambda: floor_client_.put_record(StreamName="bench", Data=DATA, PartitionKey="k"),
             "get_records": lambda: floor_client_.get_records(ShardIterator="AAAA", Limit=1)}
    emulators = {}
    kumo_ops = {}
    for depth in depths:
        aws = kumo(clock="virtual").start()
        emulators[depth] = aws
        client = boto3.client("kinesis")
        kumo_ops[depth] = _operations(client, _stream(client, depth))
        aws.stop()
    results: dict[str, dict[str, float]] = {}
    for op in ("put_record", "get_records"):
        results[op] = at_depths(floor[op], {depth: (emulators[depth], kumo_ops[depth][op]) for depth in depths},
                                calls, rounds)
    with moto_active() as have_moto:
        if have_moto:
            client = boto3.client("kinesis", region_name="us-east-1")
            ops = _operations(client, _stream(client, depths[0]))
            for op, measured in results.items():
                out = compare({"floor": floor[op], "moto@100": ops[op]}, calls=moto_calls, rounds=3, warmup=5)
                measured["moto@100"] = out["moto@100"] * measured["floor"] / out["floor"]
    return results


def main(argv: list[str] | None = None) -> None:
    run = depth_run(__doc__, "fewer calls, 10,000 records for the deep stream", argv)
    results = bench(run.depths, run.calls, run.rounds, run.moto_calls)
    for op, measured in results.items():
        report(f"kinesis.{op}", measured)
        shallow, deep = (measured[f"kumo@{d:,}"] for d in run.depths)
        print(f"cost at {run.depths[1]:,} records / at {run.depths[0]:,}: {deep / shallow:.2f} (target: flat)\n")


if __name__ == "__main__":
    main()
