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
from typing import Any

DEFAULT = "aws"
DEFAULT_DNS_SUFFIX = "amazonaws.com"


@functools.lru_cache(maxsize=1)
def _data() -> tuple[dict[str, Any], ...]:
    """botocore's partitions data, one entry per partition."""
    import botocore.loaders

    try:
        return tuple(botocore.loaders.create_loader().load_data("partitions")["partitions"])
    except Exception:  # an old botocore without partitions.json: everything is in aws
        return ()


@functools.lru_cache(maxsize=1)
def _partitions() -> tuple[tuple[str, frozenset[str], "re.Pattern[str]", str], ...]:
    """(id, its regions, its region pattern, its DNS suffix) of each partition botocore knows."""
    return tuple((entry["id"], frozenset(entry.get("regions", ())), re.compile(entry["regionRegex"]),
                  entry.get("outputs", {}).get("dnsSuffix", DEFAULT_DNS_SUFFIX))
                 for entry in _data())


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


@functools.lru_cache(maxsize=1)
def dns_suffix_pattern() -> str:
    """A regular expression matching the DNS suffix of any AWS partition: ``amazonaws.com``,
    ``amazonaws.com.cn``, ``c2s.ic.gov``, ``sc2s.sgov.gov``… and their dual-stack suffixes, as
    botocore's partition data names them."""
    suffixes = {DEFAULT_DNS_SUFFIX} | {entry["outputs"][key] for entry in _data()
                                       for key in ("dnsSuffix", "dualStackDnsSuffix") if key in entry["outputs"]}
    # the longest first: ``amazonaws.com.cn`` before ``amazonaws.com``
    return "(?:" + "|".join(re.escape(suffix) for suffix in sorted(suffixes, key=len, reverse=True)) + ")"


@functools.lru_cache(maxsize=1)
def region_pattern() -> str:
    """A regular expression matching a region of any AWS partition (``us-east-1``, ``cn-north-1``,
    ``us-iso-east-1``, ``eusc-de-east-1``), from each partition's ``regionRegex``."""
    patterns = [entry["regionRegex"].removeprefix("^").removesuffix("$") for entry in _data()]
    return "(?:" + "|".join(patterns or [r"[a-z]{2}(?:-[a-z]+)+-\d+"]) + ")"


def arn_prefix_of(arn: str) -> str:
    """``arn:<partition>`` of an existing ARN, for one minted beside it (``arn:aws`` if it is not one)."""
    parts = arn.split(":", 2)
    return f"arn:{parts[1]}" if len(parts) == 3 and parts[0] == "arn" and parts[1] else f"arn:{DEFAULT}"
