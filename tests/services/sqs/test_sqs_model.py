"""Random operation sequences checked against a brute-force reading of the records: the derived
indexes (counts, FIFO group locks and order) must agree with the messages' own state at every step."""

from __future__ import annotations

import random

import pytest
from botocore.exceptions import ClientError

from sqs_helpers import counts


def _records(backend, queue, now):
    """(n, record) of the queue's live messages, in send order, read straight from the store."""
    return sorted((n, rec) for (qid, n), rec in backend.messages.items()
                  if qid == queue.qid and rec["sent"] > now - queue.retention)


def _brute_counts(records, now):
    visible = sum(1 for _n, rec in records if rec["vis"] <= now)
    in_flight = sum(1 for _n, rec in records if rec["vis"] > now and rec["rc"])
    return visible, in_flight, len(records) - visible - in_flight


def _check_fifo_receive(records, now, messages):
    """Returned messages of each group are a prefix of its visible run: from its head up to its first
    message that is not visible (in flight or delayed), as AWS holds back only what follows an in-flight
    message (LocalStack's test_fifo_group_visibility_extends_with_change_message_visibility)."""
    visible_run: dict[str, list[str]] = {}
    blocked: set[str] = set()
    for _n, rec in records:
        group = rec["group"]
        if rec["vis"] > now:
            blocked.add(group)
        elif group not in blocked:
            visible_run.setdefault(group, []).append(rec["id"])
    got: dict[str, list[str]] = {}
    for message in messages:
        got.setdefault(message["Attributes"]["MessageGroupId"], []).append(message["MessageId"])
    for group, ids in got.items():
        assert ids == visible_run.get(group, [])[:len(ids)]


@pytest.mark.parametrize("fifo", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_random_operations_agree_with_the_records(sqs, aws, fifo, seed):
    rng = random.Random(seed)
    attributes = {"VisibilityTimeout": "20", "MessageRetentionPeriod": "600"}
    if fifo:
        attributes.update(FifoQueue="true", ContentBasedDeduplication="true")
    else:
        attributes["DelaySeconds"] = "3"
    url = sqs.create_queue(QueueName="model.fifo" if fifo else "model", Attributes=attributes)["QueueUrl"]
    backend = aws.backend("sqs")
    queue = backend._by_arn[backend.queue_arn_for_url(url)]
    handles: list[str] = []
    for step in range(300):
        action = rng.random()
        if action < 0.35:
            kwargs = {"MessageGroupId": f"g{rng.randrange(4)}"} if fifo else {"DelaySeconds": rng.choice([0, 0, 5])}
            sqs.send_message(QueueUrl=url, MessageBody=f"m{step}", **kwargs)
        elif action < 0.65:
            before = _records(backend, queue, aws.clock.time())
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=rng.randrange(1, 11),
                                           VisibilityTimeout=rng.choice([5, 20, 60]),
                                           AttributeNames=["MessageGroupId"]).get("Messages", [])
            if fifo:
                _check_fifo_receive(before, aws.clock.time(), messages)
            handles.extend(m["ReceiptHandle"] for m in messages)
        elif action < 0.8 and handles:
            try:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=handles.pop(rng.randrange(len(handles))))
            except ClientError as error:
                assert fifo and error.response["Error"]["Message"].endswith("The receipt handle has expired.")
        elif action < 0.88 and handles:
            try:
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=rng.choice(handles),
                                              VisibilityTimeout=rng.choice([0, 10, 30]))
            except ClientError as error:
                assert error.response["Error"]["QueryErrorCode"] in ("MessageNotInflight", "InvalidParameterValueException")
        else:
            aws.clock.advance(rng.choice([1, 4, 10, 25, 200]))
        now = aws.clock.time()
        assert counts(sqs, url) == _brute_counts(_records(backend, queue, now), now)
