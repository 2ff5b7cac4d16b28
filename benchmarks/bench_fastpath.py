"""The fast path (issue 20): point operations against the botocore floor, the full path and moto.

    python benchmarks/bench_fastpath.py [--quick]

Targets: median over SQS send/receive, S3 put/get/list and DynamoDB put/get/query ≤ 0.5× the floor, no
operation above 0.8×, S3 PutObject of 1 KiB ≤ 0.7×; geometric mean ≥ 40× faster than moto.

Method: every operation is measured in one interleaved comparison (common.compare: rounds of N calls
each, median µs per call by CPU time of this process) of

* ``floor``: botocore with a no-op ``before-call`` short-circuit (parameter build, validation,
  endpoint resolution, serialization; nothing signed, sent or parsed);
* ``kumo``: the emulator on the fast path (core/fastpath.py);
* ``kumo-full``: the same emulator and call with a no-op ``before-send`` listener registered on the
  client, which sends the call down botocore's full path: signed, sent and answered from the
  serialized request through the wire protocols (what a third-party send-side handler costs);

moto is measured in a second comparison against the floor and scaled by the floor of the first, so
every ratio comes from one run.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from typing import Any, Callable

import boto3

from common import compare, floor_client, moto_active, report

from kumo_intercept import kumo

KIB = b"x" * 1024
Call = Callable[[Any], Any]

#: operation -> (service, the call made with a client)
OPERATIONS: dict[str, tuple[str, Call]] = {
    "sqs.SendMessage": ("sqs", lambda c: c.send_message(QueueUrl=_url(c), MessageBody="hello")),
    "sqs.ReceiveMessage": ("sqs", lambda c: c.receive_message(QueueUrl=_url(c), VisibilityTimeout=0)),
    "s3.PutObject 1 KiB": ("s3", lambda c: c.put_object(Bucket="bench", Key="k", Body=KIB)),
    "s3.GetObject 1 KiB": ("s3", lambda c: c.get_object(Bucket="bench", Key="k")),
    "s3.ListObjectsV2": ("s3", lambda c: c.list_objects_v2(Bucket="bench", MaxKeys=10)),
    "dynamodb.PutItem": ("dynamodb", lambda c: c.put_item(TableName="bench", Item={"pk": {"S": "a"}, "sk": {"N": "1"}})),
    "dynamodb.GetItem": ("dynamodb", lambda c: c.get_item(TableName="bench", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})),
    "dynamodb.Query": ("dynamodb", lambda c: c.query(
        TableName="bench", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}}, Limit=10)),
}
_URLS: dict[int, str] = {}


def _url(client: Any) -> str:
    """The bench queue's URL as this client's backend named it (the floor's canned one otherwise)."""
    return _URLS.get(id(client), "https://sqs.us-east-1.amazonaws.com/123456789012/bench")


def _set_up(clients: dict[str, Any]) -> None:
    sqs, s3, ddb = clients["sqs"], clients["s3"], clients["dynamodb"]
    _URLS[id(sqs)] = url = sqs.create_queue(QueueName="bench")["QueueUrl"]
    for _ in range(10):
        sqs.send_message(QueueUrl=url, MessageBody="hello")
    s3.create_bucket(Bucket="bench")
    for i in range(20):
        s3.put_object(Bucket="bench", Key=f"k{i:02d}" if i else "k", Body=KIB)
    ddb.create_table(TableName="bench", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"}])
    for i in range(20):
        ddb.put_item(TableName="bench", Item={"pk": {"S": "a"}, "sk": {"N": str(i)}})


def _clients() -> dict[str, Any]:
    return {service: boto3.client(service, region_name="us-east-1") for service in ("sqs", "s3", "dynamodb")}


def _full_path(client: Any) -> Any:
    """The client with a no-op listener on ``before-send``: its calls take botocore's full path."""
    client.meta.events.register("before-send", lambda **_: None)
    return client


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds")
    args = parser.parse_args(argv)
    calls, rounds, moto_calls = (200, 3, 30) if args.quick else (500, 7, 100)
    floors = {service: floor_client(service) for service in ("sqs", "s3", "dynamodb")}
    aws = kumo().start()
    try:
        fast, full = _clients(), {service: _full_path(c) for service, c in _clients().items()}
        _set_up(fast)
        _URLS[id(full["sqs"])] = _URLS[id(fast["sqs"])]
        results = {name: compare({"floor": lambda call=call, s=service: call(floors[s]),
                                  "kumo": lambda call=call, s=service: call(fast[s]),
                                  "kumo-full": lambda call=call, s=service: call(full[s])},
                                 calls=calls, rounds=rounds, emulator=aws, timer=time.process_time)
                   for name, (service, call) in OPERATIONS.items()}
    finally:
        aws.stop()
    with moto_active() as have_moto:
        if have_moto:
            moto = _clients()
            _set_up(moto)
            for name, (service, call) in OPERATIONS.items():
                measured = compare({"floor": lambda call=call, s=service: call(floors[s]),
                                    "moto": lambda call=call, s=service: call(moto[s])},
                                   calls=moto_calls, rounds=3, timer=time.process_time)
                results[name]["moto"] = measured["moto"] * results[name]["floor"] / measured["floor"]
    for name, measured in results.items():
        report(name, measured)
    _summary(results)


def _summary(results: dict[str, dict[str, float]]) -> None:
    ratios = {name: r["kumo"] / r["floor"] for name, r in results.items()}
    full = {name: r["kumo-full"] / r["floor"] for name, r in results.items()}
    print("## summary")
    print(f"kumo × floor: median {statistics.median(ratios.values()):.2f}, max {max(ratios.values()):.2f} "
          f"({max(ratios, key=ratios.__getitem__)}); full path: median {statistics.median(full.values()):.2f}")
    added = {name: r["kumo-full"] - r["kumo"] for name, r in results.items()}
    print(f"a foreign send-side listener adds {statistics.median(added.values()):.1f} µs per call (median)")
    speedups = [r["moto"] / r["kumo"] for r in results.values() if "moto" in r]
    if speedups:
        geomean = math.exp(sum(math.log(s) for s in speedups) / len(speedups))
        print(f"geometric mean over moto: {geomean:.1f}× faster")


if __name__ == "__main__":
    main()
