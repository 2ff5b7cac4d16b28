"""Firehose's tables (see store/schema.py): delivery streams, the records buffered for delivery, the
buffer counter and the Kinesis positions of Kinesis-sourced streams."""

from __future__ import annotations

from typing import TypedDict

from ...store.schema import ServiceSchema, TableSpec

DeliveryStreamRecord = TypedDict("DeliveryStreamRecord", {
    "Name": str,
    "Arn": str,
    "Account": str,
    "Region": str,
    "Created": float,
    "Updated": float,
    "Type": str,
    "Version": int,
    "Destination": dict,
    "Source": dict | None,
    "Tags": dict,
    "Encryption": dict | None,
}, total=False)

#: (account, region, name) -> the delivery stream, its S3 destination and source
STREAMS = TableSpec("firehose.streams", DeliveryStreamRecord)
#: (delivery stream ARN, n) -> [data, arrival time, record id], waiting for delivery
BUFFER = TableSpec("firehose.buffer", list, ordered=True)
#: "seq" -> the last buffer counter handed out
META = TableSpec("firehose.meta", int)
#: (delivery stream ARN, shard id) -> the last Kinesis sequence number read from the shard
POSITIONS = TableSpec("firehose.positions", str)

SCHEMA = ServiceSchema(tables=(STREAMS, BUFFER, META, POSITIONS))
