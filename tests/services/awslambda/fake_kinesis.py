"""A stand-in Kinesis backend with just the internal API event source mappings read (the emulator has
no Kinesis yet): records are added by the test, read back as GetRecords shows them."""

from __future__ import annotations

from typing import Any

from kumo_intercept import ServiceBackend
from kumo_intercept.core.clock import from_epoch


class FakeKinesisBackend(ServiceBackend):
    service_name = "kinesis"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.records = self.store.ordered_table("fake_kinesis.records")

    def add(self, stream_arn: str, data: bytes, partition_key: str) -> str:
        number = len(self.records) + 1
        sequence = f"{49590338271490256608559692538361571095921575989136588800 + number}"
        self.records.put((stream_arn, number), {"SequenceNumber": sequence, "Data": data,
                                                "PartitionKey": partition_key,
                                                "Arrival": self.emulator.clock.time()})
        return sequence

    def shard_ids(self, stream_arn: str) -> list[str]:
        return ["shardId-000000000000"]

    def read_records(self, stream_arn: str, shard_id: str, after: str | None, limit: int) -> list[dict]:
        out = []
        for (arn, _), record in self.records.items():
            if arn == stream_arn and (after is None or int(record["SequenceNumber"]) > int(after)):
                out.append({"SequenceNumber": record["SequenceNumber"], "Data": record["Data"],
                            "PartitionKey": record["PartitionKey"],
                            "ApproximateArrivalTimestamp": from_epoch(record["Arrival"])})
        return out[:limit]
