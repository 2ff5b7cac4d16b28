"""DynamoDB benchmarks: GetItem, PutItem and a conditional UpdateItem against the botocore floor and
moto, and the cost of a Query with Limit=10 as its partition grows.

    python benchmarks/bench_dynamodb.py [--quick]

Targets (issue 6): GetItem, PutItem and UpdateItem with a condition each ≤ 1.25× the floor and ≥ 8×
faster than moto side by side; a Query with Limit=10 in a 100,000-item partition costs ≤ 2× the same
query in a 100-item partition (items are kept in key order, so a Query seeks instead of scanning).
"""

from __future__ import annotations

from typing import Any, Callable

import boto3

from common import compare, depth_run, floor_client, moto_active, report

from kumo_intercept import kumo

TABLE = "bench"
ITEM = {"pk": {"S": "user#1"}, "sk": {"S": "profile"}, "name": {"S": "Ada"}, "visits": {"N": "1"},
        "tags": {"SS": ["a", "b"]}}
KEY = {"pk": ITEM["pk"], "sk": ITEM["sk"]}
UPDATE = dict(UpdateExpression="SET visits = visits + :one", ConditionExpression="attribute_exists(pk)",
              ExpressionAttributeValues={":one": {"N": "1"}})
QUERY = dict(KeyConditionExpression="pk = :p AND sk > :s", Limit=10,
             ExpressionAttributeValues={":p": {"S": "part"}, ":s": {"S": "item#000050"}})


def _table(client: Any, partition: int) -> None:
    client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                   {"AttributeName": "sk", "KeyType": "RANGE"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "sk", "AttributeType": "S"}])
    client.put_item(TableName=TABLE, Item=ITEM)
    for start in range(0, partition, 25):
        client.batch_write_item(RequestItems={TABLE: [
            {"PutRequest": {"Item": {"pk": {"S": "part"}, "sk": {"S": f"item#{i:06d}"}, "v": {"N": str(i)}}}}
            for i in range(start, min(start + 25, partition))]})


def _operations(client: Any) -> dict[str, Callable[[], Any]]:
    return {
        "get_item": lambda: client.get_item(TableName=TABLE, Key=KEY),
        "put_item": lambda: client.put_item(TableName=TABLE, Item=ITEM),
        "update_item": lambda: client.update_item(TableName=TABLE, Key=KEY, **UPDATE),
        "query": lambda: client.query(TableName=TABLE, **QUERY),
    }


def _floor_operations() -> dict[str, Callable[[], Any]]:
    client = floor_client("dynamodb", {"GetItem": {"Item": ITEM}, "PutItem": {}, "UpdateItem": {},
                                       "Query": {"Items": [ITEM] * 10, "Count": 10, "ScannedCount": 10}})
    return _operations(client)


def bench(partitions: tuple[int, int], calls: int, rounds: int, moto_calls: int) -> dict[str, dict[str, float]]:
    floor = _floor_operations()
    emulators, kumo_ops = {}, {}
    for size in partitions:
        aws = kumo().start()
        client = boto3.client("dynamodb")
        _table(client, size)
        emulators[size], kumo_ops[size] = aws, _operations(client)
        aws.stop()
    results: dict[str, dict[str, float]] = {}
    for op in ("get_item", "put_item", "update_item", "query"):
        measured: dict[str, float] = {}
        measured["floor"] = compare({"floor": floor[op]}, calls=calls, rounds=rounds)["floor"]
        sizes = partitions if op == "query" else partitions[:1]
        for size in sizes:
            aws = emulators[size]
            aws.start()
            name = f"kumo@{size:,}"
            try:
                out = compare({"floor": floor[op], name: kumo_ops[size][op]}, calls=calls, rounds=rounds,
                              emulator=aws)
            finally:
                aws.stop()
            measured[name] = out[name] * measured["floor"] / out["floor"]
        results[op] = measured
    with moto_active() as have_moto:
        if have_moto:
            client = boto3.client("dynamodb", region_name="us-east-1")
            _table(client, partitions[0])
            ops = _operations(client)
            for op, measured in results.items():
                name = f"moto@{partitions[0]:,}"
                out = compare({"floor": floor[op], name: ops[op]}, calls=moto_calls, rounds=3, warmup=5)
                measured[name] = out[name] * measured["floor"] / out["floor"]
    return results


def main(argv: list[str] | None = None) -> None:
    run = depth_run(__doc__, "fewer calls, 10,000 items in the large partition", argv)
    partitions = run.depths
    results = bench(partitions, run.calls, run.rounds, run.moto_calls)
    for op, measured in results.items():
        report(f"dynamodb.{op}", measured)
    small, large = (results["query"][f"kumo@{p:,}"] for p in partitions)
    print(f"query cost at {partitions[1]:,} items / at {partitions[0]:,}: {large / small:.2f} (target ≤ 2)")


if __name__ == "__main__":
    main()
