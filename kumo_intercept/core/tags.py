"""Tags kept as AWS lists them, ``[{"Key": k, "Value": v}, ...]``, in the order they were first set."""

from __future__ import annotations

from typing import Iterable


def tags_merged(tags: list[dict[str, str]], added: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """``tags`` with ``added`` set: a key already there takes the new value, new keys come last."""
    new = {t["Key"]: t for t in added}
    return [new.pop(t["Key"], t) for t in tags] + list(new.values())


def tags_without(tags: list[dict[str, str]], keys: Iterable[str]) -> list[dict[str, str]]:
    removed = set(keys)
    return [t for t in tags if t["Key"] not in removed]
