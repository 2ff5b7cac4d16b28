"""AWS partitions: the first field of every ARN after ``arn:`` (``aws``, ``aws-cn``, ``aws-us-gov``…).

A region belongs to one partition (botocore's partitions data: the regions each names, else the first
partition whose region pattern matches); a client in ``cn-north-1`` is answered ARNs such as
``arn:aws-cn:sqs:cn-north-1:…`` (AWS General Reference, "Amazon Resource Names": "partition — the
partition in which the resource is located"). Regions botocore does not know are in ``aws``.

Each partition also names the DNS suffix of its endpoints (``outputs.dnsSuffix``: ``amazonaws.com``,
``amazonaws.com.cn`` in China), which URLs that name an endpoint carry (SQS queue URLs).
"""

from __future__ import annotations

import functools
import re

DEFAULT = "aws"
DEFAULT_DNS_SUFFIX = "amazonaws.com"


@functools.lru_cache(maxsize=1)
def _partitions() -> tuple[tuple[str, frozenset[str], "re.Pattern[str]", str], ...]:
    """(id, its regions, its region pattern, its DNS suffix) of each partition botocore knows."""
    import botocore.loaders

    try:
        data = botocore.loaders.create_loader().load_data("partitions")
    except Exception:  # an old botocore without partitions.json: everything is in aws
        return ()
    return tuple((entry["id"], frozenset(entry.get("regions", ())), re.compile(entry["regionRegex"]),
                  entry.get("outputs", {}).get("dnsSuffix", DEFAULT_DNS_SUFFIX))
                 for entry in data["partitions"])


@functools.lru_cache(maxsize=256)
def partition(region: str) -> str:
    """The partition ``region`` is in (``DEFAULT`` for an unknown or empty one)."""
    entry = _entry(region)
    return entry[0] if entry else DEFAULT


@functools.lru_cache(maxsize=256)
def dns_suffix(region: str) -> str:
    """The DNS suffix of endpoints in ``region``'s partition (``amazonaws.com.cn`` for ``cn-north-1``;
    ``DEFAULT_DNS_SUFFIX`` for an unknown or empty region)."""
    entry = _entry(region)
    return entry[3] if entry else DEFAULT_DNS_SUFFIX


def _entry(region: str) -> tuple[str, frozenset[str], "re.Pattern[str]", str] | None:
    """The partition ``region`` is in: the one naming it, else the first whose pattern matches it."""
    found = _partitions()
    named = next((entry for entry in found if region in entry[1]), None)
    return named or next((entry for entry in found if entry[2].match(region)), None)


def arn_prefix(region: str) -> str:
    """``arn:<partition>`` for a resource of ``region``'s partition."""
    return f"arn:{partition(region)}"
