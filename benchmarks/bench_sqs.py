"""SQS benchmarks: send, receive and delete against the botocore floor and moto, and cost at depth.

    python benchmarks/bench_sqs.py [--quick]

Targets (issue 4): SendMessage, ReceiveMessage and DeleteMessage each ≤ 1.25× the floor and ≥ 8× faster
than moto; per-call cost with 100,000 messages in the queue ≤ 2× the cost with 100 (moto's cost grows
linearly with depth). FIFO queues are measured the same way (kumo only), with messages spread over
10,000 message groups.

Each operation is measured in its own interleaved comparison (see common.py): sends add messages,
receives take fresh ones (a long visibility timeout keeps them in flight), deletes remove those, so the
queue stays within a few thousand messages of its starting depth throughout.
"""

from __future__ import annotations

from typing import Any, Callable

import boto3

from common import at_depths, compare, depth_run, floor_client, moto_active, report

from kumo_intercept import kumo

MESSAGE = {"MessageId": "3f9a4e1c-2f7c-4a47-9d2b-0c1e5f6a7b8c", "MD5OfMessageBody": "5d41402abc4b2a76b9719d911017c592"}
RECEIVED = {"Messages": [{"MessageId": MESSAGE["MessageId"], "ReceiptHandle": "AQEB" + "x" * 60,
                          "MD5OfBody": MESSAGE["MD5OfMessageBody"], "Body": "hello"}]}
FLOOR_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/bench"


GROUPS = 10_000  # FIFO queues: messages spread over this many message groups


def _operations(client: Any, url: str, fifo: bool = False) -> dict[str, Callable[[], Any]]:
    """send / receive / delete as zero-argument calls; receive hands its receipt handles to delete."""
    handles: list[str] = []
    sent = iter(range(10**9))

    def send() -> None:
        if fifo:
            i = next(sent)
            client.send_message(QueueUrl=url, MessageBody="hello", MessageGroupId=f"g{i % GROUPS}",
                                MessageDeduplicationId=f"s{i}")
        else:
            client.send_message(QueueUrl=url, MessageBody="hello")

    def receive() -> None:
        handles.append(client.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"])

    def delete() -> None:
        client.delete_message(QueueUrl=url, ReceiptHandle=handles.pop())

    return {"send": send, "receive": receive, "delete": delete}


def _queue(client: Any, depth: int, fifo: bool = False) -> str:
    attributes = {"VisibilityTimeout": "43200"}
    if fifo:
        attributes["FifoQueue"] = "true"
    url = client.create_queue(QueueName="bench.fifo" if fifo else "bench", Attributes=attributes)["QueueUrl"]
    for start in range(0, depth - depth % 10, 10):
        entries = [{"Id": str(i), "MessageBody": "filler"} for i in range(10)]
        if fifo:
            for i, entry in enumerate(entries):
                entry.update(MessageGroupId=f"g{(start + i) % GROUPS}", MessageDeduplicationId=f"f{start + i}")
        client.send_message_batch(QueueUrl=url, Entries=entries)
    return url


def _floor_operations() -> dict[str, Callable[[], Any]]:
    client = floor_client("sqs", {"SendMessage": MESSAGE, "ReceiveMessage": RECEIVED, "DeleteMessage": {}})
    return {
        "send": lambda: client.send_message(QueueUrl=FLOOR_URL, MessageBody="hello"),
        "receive": lambda: client.receive_message(QueueUrl=FLOOR_URL),
        "delete": lambda: client.delete_message(QueueUrl=FLOOR_URL, ReceiptHandle=RECEIVED["Messages"][0]["ReceiptHandle"]),
    }


def bench(depths: tuple[int, int], calls: int, rounds: int, moto_calls: int,
          fifo: bool = False) -> dict[str, dict[str, float]]:
    floor = _floor_operations()
    emulators = {}
    kumo_ops = {}
    for depth in depths:
        aws = kumo().start()
        emulators[depth] = aws
        client = boto3.client("sqs")
        kumo_ops[depth] = _operations(client, _queue(client, depth, fifo), fifo)
        aws.stop()
    results: dict[str, dict[str, float]] = {}
    for op in ("send", "receive", "delete"):
        results[op] = at_depths(floor[op], {depth: (emulators[depth], kumo_ops[depth][op]) for depth in depths},
                                calls, rounds)
    with moto_active() as have_moto:
        if have_moto and not fifo:
            client = boto3.client("sqs", region_name="us-east-1")
            ops = _operations(client, _queue(client, depths[0]))
            for op, measured in results.items():
                out = compare({"floor": floor[op], "moto@100": ops[op]}, calls=moto_calls, rounds=3, warmup=5)
                measured["moto@100"] = out["moto@100"] * measured["floor"] / out["floor"]
    return results


def main(argv: list[str] | None = None) -> None:
    run = depth_run(__doc__, "fewer calls, 10,000 messages for the deep queue", argv)
    depths = run.depths
    for fifo in (False, True):
        results = bench(depths, run.calls, run.rounds, run.moto_calls, fifo)
        for op, measured in results.items():
            report(f"sqs.{op}" + (f" (FIFO, {GROUPS:,} message groups)" if fifo else ""), measured)
            shallow, deep = (measured[f"kumo@{d:,}"] for d in depths)
            print(f"cost at {depths[1]:,} messages / at {depths[0]:,}: {deep / shallow:.2f} (target ≤ 2)\n")


if __name__ == "__main__":
    main()
