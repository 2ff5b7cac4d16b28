"""Kinesis Data Streams' tables (see store/schema.py): streams, their records, the sequence counter and
SubscribeToShard subscriptions."""

from __future__ import annotations

from typing import TypedDict

from ...store.schema import ServiceSchema, TableSpec

StreamRecord = TypedDict("StreamRecord", {
    "Name": str,
    "Arn": str,
    "Account": str,
    "Region": str,
    "Created": float,
    "Mode": str,
    "Retention": int,
    "Encryption": str,
    "KeyId": str | None,
    "Tags": dict,
    "Metrics": list,
    "Policy": str | None,
    "Shards": list,
    "NextShard": int,
    "Consumers": dict,
    "MaxRecordKiB": int,
    "WarmMiBps": int,
}, total=False)

#: an account's minimum throughput billing commitment (UpdateAccountSettings), epoch times
CommitmentRecord = TypedDict("CommitmentRecord", {
    "Status": str, "Started": float | None, "Ended": float | None, "EarliestEnd": float | None})

#: stream ARN -> the stream, its shards (hash ranges, lineage, counters) and consumers
STREAMS = TableSpec("kinesis.streams", StreamRecord)
#: (stream ARN, shard id, counter) -> [data, partition key, arrival time, encrypted]
RECORDS = TableSpec("kinesis.records", list, ordered=True)
#: "seq" -> the last counter handed out (sequence numbers and shard boundaries)
META = TableSpec("kinesis.meta", int)
#: (consumer ARN, shard id) -> when its current SubscribeToShard subscription began
SUBSCRIPTIONS = TableSpec("kinesis.subscriptions", float)

#: (account, region) -> its minimum throughput billing commitment (absent: never enabled)
COMMITMENTS = TableSpec("kinesis.commitments", CommitmentRecord)

SCHEMA = ServiceSchema(tables=(STREAMS, RECORDS, META, SUBSCRIPTIONS, COMMITMENTS))


