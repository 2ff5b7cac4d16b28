"""SQS's tables (see store/schema.py): queues, their messages and what FIFO and deletion remember."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from ...core.clock import from_epoch
from ...store.schema import ServiceSchema, TableSpec

if TYPE_CHECKING:
    from ...core.dispatch import ServiceBackend

QueuesRecord = TypedDict("QueuesRecord", {
    "arn": str,
    "attrs": dict,
    "created": float,
    "modified": float,
    "purged": float | None,
    "qid": int,
    "tags": dict,
    "url": str,
}, total=False)

MessagesRecord = TypedDict("MessagesRecord", {
    "body": str,
    "dedup": str,
    "dlq": str,
    "first": float,
    "group": str,
    "id": str,
    "ma": dict,
    "md5": str,
    "md5a": str,
    "rc": int,
    "rt": float,
    "sa": dict,
    "sender": str,
    "sent": float,
    "seq": str,
    "vis": float,
}, total=False)


DedupRecord = TypedDict("DedupRecord", {
    "id": str,
    "seq": str,
    "t": float,
}, total=False)

AttemptsRecord = TypedDict("AttemptsRecord", {
    "messages": list,
    "t": float,
}, total=False)

TasksRecord = TypedDict("TasksRecord", {
    "dest": str | None,
    "failure": str,
    "id": str,
    "moved": int,
    "rate": int | None,
    "source": str,
    "started": float,
    "status": str,
    "to_move": int,
}, total=False)

#: (account, region, queue name) -> the queue: its qid, attributes, tags
QUEUES = TableSpec("sqs.queues", QueuesRecord, ordered=True)
#: (qid, n) -> a message; n orders a queue's messages
MESSAGES = TableSpec("sqs.messages", MessagesRecord)
#: qid -> the last message number of the queue; "qid" -> the last queue id
SEQ = TableSpec("sqs.seq", int)
#: (account, region, queue name) -> when it was deleted (a name is reusable 60 s later)
DELETED = TableSpec("sqs.deleted", float)
#: (qid, ...) -> a FIFO deduplication entry: sent at, message id, sequence
DEDUP = TableSpec("sqs.dedup", DedupRecord)
#: (qid, receive request attempt id) -> the FIFO receive it answered
ATTEMPTS = TableSpec("sqs.attempts", AttemptsRecord)
#: task id -> a message move task (StartMessageMoveTask)
TASKS = TableSpec("sqs.tasks", TasksRecord)


def messages_view(backend: "ServiceBackend", queue: str, *, account: str | None = None,
                  region: str | None = None) -> list[dict[str, Any]]:
    """``aws.state.sqs.messages(queue)``: every message (visible, in flight or delayed), oldest first."""
    emulator = backend.emulator
    where = (account or emulator.account_id, region or emulator.region)
    record = QUEUES.open(backend.store).get((*where, queue))
    if record is None:
        raise KeyError(f"sqs has no queue named {queue!r} in {where[0]}/{where[1]}")
    now = emulator.clock.time()
    found = sorted((n, message) for (qid, n), message in MESSAGES.open(backend.store).items()
                   if qid == record["qid"])
    return [{"id": message["id"], "body": message["body"], "sent": from_epoch(message["sent"]),
             "visible": message["vis"] <= now, "receive_count": message["rc"]} for _n, message in found]


SCHEMA = ServiceSchema(tables=(QUEUES, MESSAGES, SEQ, DELETED, DEDUP, ATTEMPTS, TASKS),
                       views={"messages": messages_view})

