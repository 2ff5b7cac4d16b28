"""Shard arithmetic of Kinesis Data Streams: hash-key ranges, shard ids, sequence numbers, iterators.

Pure functions over plain values; the backend keeps the records.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
from typing import Any

#: hash keys run over 0 .. 2**128 - 1 (the MD5 of the partition key, read as an unsigned integer)
HASH_SPACE = 2 ** 128
#: sequence numbers are 56-digit decimal strings, as AWS's are; the emulator's counter is added to this
SEQUENCE_BASE = 49_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000


def even_ranges(count: int, low: int = 0, high: int = HASH_SPACE - 1) -> list[tuple[int, int]]:
    """``count`` contiguous ranges splitting ``low..high`` evenly, the last one taking the remainder
    (what AWS gives a new stream: 2 shards start at 0 and 170141183460469231731687303715884105728)."""
    step = (high - low + 1) // count
    starts = [low + i * step for i in range(count)]
    return [(start, (starts[i + 1] - 1) if i + 1 < count else high) for i, start in enumerate(starts)]


def shard_id(number: int) -> str:
    return f"shardId-{number:012d}"


def partition_hash(partition_key: str) -> int:
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8", "surrogatepass")).digest(), "big")


def sequence_text(counter: int) -> str:
    return str(SEQUENCE_BASE + counter)


def sequence_counter(text: str) -> int | None:
    """The counter inside a sequence number string, or None if it is not one of ours."""
    if not text.isdigit():
        return None
    value = int(text) - SEQUENCE_BASE
    return value if value >= 0 else None


def shard_for_hash(starts: list[int], ids: list[str], hash_key: int) -> str:
    """The open shard whose range holds ``hash_key`` (``starts`` sorted, open ranges cover the space)."""
    return ids[bisect.bisect_right(starts, hash_key) - 1]


def encode_iterator(arn: str, shard: str, position: int, created: float) -> str:
    """An opaque iterator: where the next GetRecords starts (a counter) and when it was issued."""
    raw = json.dumps([arn, shard, position, created], separators=(",", ":")).encode()
    return base64.b64encode(raw).decode()


def decode_iterator(text: str) -> list[Any] | None:
    try:
        value = json.loads(base64.b64decode(text.encode(), validate=True))
    except (ValueError, TypeError):
        return None
    if (not isinstance(value, list) or len(value) != 4 or not isinstance(value[0], str)
            or not isinstance(value[1], str) or not isinstance(value[2], int)):
        return None
    return value
