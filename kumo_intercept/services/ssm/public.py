"""The public ``/aws/service/...`` parameters: a small, documented, illustrative set.

AWS publishes thousands of read-only parameters under ``/aws/service/``. The emulator serves:

- ``/aws/service/global-infrastructure/regions/<region>`` (value: the region code), with
  ``.../<region>/longName`` and ``.../<region>/partition``, for every region of botocore's ``aws``
  partition data (botocore/data/endpoints.json) — real names, from botocore;
- ``/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`` and ``-arm64`` and
  ``/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2``: AMI ids that are made up (a
  stable hash of region and name), shaped like real ones. They are not real images.
"""

from __future__ import annotations

import functools
import hashlib

import botocore.session  # type: ignore[import-untyped]

PREFIX = "/aws/service/"
REGIONS = "/aws/service/global-infrastructure/regions"
AMI_ALIASES = (
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
    "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2",
)
#: what these parameters report as LastModifiedDate (2024-01-01T00:00:00Z)
PUBLISHED = 1704067200.0


@functools.lru_cache(maxsize=1)
def _regions() -> dict[str, str]:
    """Region code -> long name, from botocore's partition data."""
    endpoints = botocore.session.get_session().get_data("endpoints")
    partition = next(p for p in endpoints["partitions"] if p["partition"] == "aws")
    return {code: info.get("description", code) for code, info in partition["regions"].items()}


def _ami(region: str, name: str) -> str:
    return "ami-0" + hashlib.sha256(f"{region}{name}".encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=64)
def public_parameters(region: str) -> dict[str, tuple[str, str]]:
    """Name -> (value, data type) of every public parameter the emulator serves in ``region``."""
    out: dict[str, tuple[str, str]] = {}
    for code, long_name in _regions().items():
        out[f"{REGIONS}/{code}"] = (code, "text")
        out[f"{REGIONS}/{code}/longName"] = (long_name, "text")
        out[f"{REGIONS}/{code}/partition"] = ("aws", "text")
    for name in AMI_ALIASES:
        out[name] = (_ami(region, name), "aws:ec2:image")
    return dict(sorted(out.items()))
