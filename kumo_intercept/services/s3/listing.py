"""Ordered walks over keys: prefixes, delimiters (a whole common prefix is skipped with one seek),
markers. Every table walked here is keyed ``(bucket, key, ...)``; the cost of a page is
O(log n + page size), never O(bucket size)."""

from __future__ import annotations

from typing import Iterator

from ...store import OrderedTable
from .common import prefix_end

_INF = float("inf")


def upper_bound(bucket: str, prefix: str) -> tuple:
    end = prefix_end(prefix) if prefix else None
    return (bucket, end) if end is not None else (bucket + "\x00",)


def start_after(prefix: str, delimiter: str | None, marker: str | None) -> tuple[str, bool]:
    """Where a walk begins: ``(key, inclusive)`` from the prefix and an exclusive marker.

    A marker that falls inside a common prefix (or is one: a previous page's last entry) moves the
    start past that whole prefix, as S3 does.
    """
    if not marker or marker < prefix:
        return prefix, True
    if delimiter and marker.startswith(prefix):
        idx = marker.find(delimiter, len(prefix))
        if idx >= 0:
            common = marker[: idx + len(delimiter)]
            end = prefix_end(common)
            if end is None:
                return marker + "\x00", True  # nothing can follow; the walk ends at once
            return end, True
    return marker, False


def walk_keys(table: OrderedTable, bucket: str, prefix: str, delimiter: str | None,
              start: str, inclusive: bool) -> Iterator[tuple[bool, str, tuple]]:
    """For a table keyed ``(bucket, key)``: yields ``(is_common_prefix, name, table_key)``."""
    hi = upper_bound(bucket, prefix)
    plen = len(prefix)
    lo = (bucket, start)
    incl = inclusive
    while True:
        for tkey in table.irange(lo, hi, (incl, False)):
            key = tkey[1]
            if delimiter:
                idx = key.find(delimiter, plen)
                if idx >= 0:
                    common = key[: idx + len(delimiter)]
                    yield True, common, tkey
                    end = prefix_end(common)
                    if end is None:
                        return
                    lo, incl = (bucket, end), True
                    break
            yield False, key, tkey
        else:
            return


def _first_key(table: OrderedTable, bucket: str, lo: str, inclusive: bool, hi: tuple,
               wide: bool) -> str | None:
    if wide:  # keys (bucket, key, n): "after lo" means after every entry of lo
        bound = (bucket, lo) if inclusive else (bucket, lo, _INF)
        it = table.irange(bound, hi, (True, False))
    else:
        it = table.irange((bucket, lo), hi, (inclusive, False))
    for tkey in it:
        return tkey[1]
    return None


def walk_merged(tables: list[tuple[OrderedTable, bool]], bucket: str, prefix: str,
                delimiter: str | None, start: str, inclusive: bool) -> Iterator[tuple[bool, str]]:
    """Distinct keys (or common prefixes) over several tables, in order. ``tables`` pairs each table
    with True when its keys are ``(bucket, key, n)`` (many entries per key)."""
    hi = upper_bound(bucket, prefix)
    plen = len(prefix)
    lo, incl = start, inclusive
    while True:
        found = [k for k in (_first_key(t, bucket, lo, incl, hi, wide) for t, wide in tables) if k is not None]
        if not found:
            return
        key = min(found)
        if delimiter:
            idx = key.find(delimiter, plen)
            if idx >= 0:
                common = key[: idx + len(delimiter)]
                yield True, common
                end = prefix_end(common)
                if end is None:
                    return
                lo, incl = end, True
                continue
        yield False, key
        lo, incl = key, False


def entries_of(table: OrderedTable, bucket: str, key: str) -> Iterator[tuple[tuple, dict]]:
    """Every entry of one key in a ``(bucket, key, n)`` table, in table order."""
    return table.items_range((bucket, key), (bucket, key, _INF))
