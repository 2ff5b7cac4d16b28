"""AWS partitions: the first field of every ARN after ``arn:`` (``aws``, ``aws-cn``, ``aws-us-gov``…).

A region belongs to one partition (botocore's partitions data: the regions each names, else the first
partition whose region pattern matches); a client in ``cn-north-1`` is answered ARNs such as
``arn:aws-cn:sqs:cn-north-1:…`` (AWS General Reference, "Amazon Resource Names": "partition — the
partition in which the resource is located"). Regions botocore does not know are in ``aws``.
"""

from __future__ import annotations

import functools
import re

DEFAULT = "aws"


@functools.lru_cache(maxsize=1)
def _partitions() -> tuple[tuple[str, frozenset[str], "re.Pattern[str]"], ...]:
    import botocore.loaders

    try:
        data = botocore.loaders.create_loader().load_data("partitions")
    except Exception:  # an old botocore without partitions.json: everything is in aws
        return ()
    return tuple((entry["id"], frozenset(entry.get("regions", ())), re.compile(entry["regionRegex"]))
                 for entry in data["partitions"])


@functools.lru_cache(maxsize=256)
def partition(region: str) -> str:
    """The partition ``region`` is in (``DEFAULT`` for an unknown or empty one)."""
    found = _partitions()
    for name, regions, _ in found:
        if region in regions:
            return name
    for name, _, pattern in found:
        if pattern.match(region):
            return name
    return DEFAULT


def arn_prefix(region: str) -> str:
    """``arn:<partition>`` for a resource of ``region``'s partition."""
    return f"arn:{partition(region)}"
