"""Lifecycle expiration applied against the emulator clock.

AWS applies lifecycle rules in the background, about once a day. The emulator applies them when a call
touches the bucket and something is due: ``s3.lifecycle`` keeps, per bucket, the earliest moment a rule
can next expire something (a lower bound). Until then a call costs one dict look-up; at that moment
one walk over the bucket applies every due rule and records the next moment. Any write into the
bucket lowers the bound to the earliest expiry the write could bring, so nothing due is missed.

Rules applied: ``Expiration`` (``Days`` or ``Date``; in a versioned bucket it adds a delete marker),
``Expiration.ExpiredObjectDeleteMarker`` (removes delete markers left without versions),
``NoncurrentVersionExpiration`` (``NoncurrentDays``, ``NewerNoncurrentVersions``), filtered by prefix,
tags and object size. ``AbortIncompleteMultipartUpload`` is applied by the multipart code. Transitions
are stored but do not change storage classes. Events: ``LifecycleExpiration:Delete`` and
``LifecycleExpiration:DeleteMarkerCreated``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ...core.dispatch import RequestContext
from .config import DAY, midnight_after, rule_prefix, rule_tags
from .listing import entries_of
from . import schema

if TYPE_CHECKING:
    from ...store.store import OrderedTable, Store, Table
    from .notifications import Notifications

_INF = float("inf")


def _size_ok(rule: dict, size: int) -> bool:
    flt = rule.get("Filter") or {}
    scope = flt.get("And") or flt
    above = scope.get("ObjectSizeGreaterThan")
    below = scope.get("ObjectSizeLessThan")
    return (above is None or size > above) and (below is None or size < below)


def applies(rule: dict, key: str, record: dict) -> bool:
    if rule.get("Status") != "Enabled" or not key.startswith(rule_prefix(rule)):
        return False
    tags = rule_tags(rule)
    if tags and any((record.get("tags") or {}).get(k) != v for k, v in tags.items()):
        return False
    return record.get("dm") or _size_ok(rule, record.get("size", 0))


def current_expiry(rules: list, key: str, record: dict) -> tuple[float, str] | None:
    """When a current version expires, and by which rule (the earliest), or None."""
    best = None
    for rule in rules:
        expiration = rule.get("Expiration") or {}
        if "Days" not in expiration and "Date" not in expiration:
            continue
        if not applies(rule, key, record):
            continue
        if "Days" in expiration:
            when = midnight_after(record["mtime"] + expiration["Days"] * DAY)
        else:
            when = expiration["Date"]["__epoch__"]
        if best is None or when < best[0]:
            best = (when, rule["ID"])
    return best


def earliest_possible(rules: list, now: float) -> float:
    """A lower bound of any expiry a write at ``now`` can bring about."""
    bound = _INF
    for rule in rules:
        if rule.get("Status") != "Enabled":
            continue
        expiration = rule.get("Expiration") or {}
        if "Days" in expiration:
            bound = min(bound, midnight_after(now + expiration["Days"] * DAY))
        if "Date" in expiration:
            bound = min(bound, max(now, expiration["Date"]["__epoch__"]))
        if expiration.get("ExpiredObjectDeleteMarker"):
            bound = min(bound, midnight_after(now))
        noncurrent = rule.get("NoncurrentVersionExpiration") or {}
        if "NoncurrentDays" in noncurrent:
            bound = min(bound, midnight_after(now + noncurrent["NoncurrentDays"] * DAY))
    return bound


class Lifecycle:
    """Applies a bucket's lifecycle rules lazily (a component of the S3 backend). ``delete_current``
    deletes an object's current version as DeleteObject would in a versioned bucket (a delete marker)."""

    def __init__(self, store: Store, config: Table, objects: OrderedTable, versions: OrderedTable,
                 notifications: Notifications,
                 delete_current: Callable[[RequestContext, dict, str], object]) -> None:
        self.config = config
        self.objects = objects
        self.versions = versions
        self.notifications = notifications
        self.delete_current = delete_current
        #: per bucket, the earliest moment a rule can next expire something
        self.due = schema.LIFECYCLE.open(store)

    def forget(self, bucket_name: str) -> None:
        """The bucket is deleted."""
        self.due.delete(bucket_name)

    def check(self, ctx: RequestContext, bucket: dict) -> None:
        """Apply the bucket's due lifecycle rules (called when a call touches a bucket with rules)."""
        name = bucket["name"]
        due = self.due.get(name, 0.0)
        now = ctx.time()
        if now < due:
            return
        conf = self.config.get((name, "lifecycle"))
        rules = conf["Rules"] if conf else []
        next_due = self._expire_current(ctx, bucket, rules, now)
        next_due = min(next_due, self._expire_noncurrent(ctx, bucket, rules, now))
        self.due.put(name, next_due if next_due != _INF else 1e18)

    def written(self, ctx: RequestContext, bucket: dict) -> None:
        """A write into a bucket with rules: lower the bucket's next due moment if it could be earlier."""
        name = bucket["name"]
        conf = self.config.get((name, "lifecycle"))
        if not conf:
            return
        bound = earliest_possible(conf["Rules"], ctx.time())
        table = self.due
        if bound < table.get(name, 0.0):
            table.put(name, bound)

    def _expire_current(self, ctx: RequestContext, bucket: dict, rules: list, now: float) -> float:
        name = bucket["name"]
        next_due = _INF
        if not any((r.get("Expiration") or {}).keys() & {"Days", "Date"} for r in rules):
            return next_due
        due_keys = []
        for tkey, record in self.objects.items_range((name,), (name + "\x00",), (True, False)):
            expiry = current_expiry(rules, tkey[1], record)
            if expiry is None:
                continue
            if expiry[0] <= now:
                due_keys.append((tkey[1], record))
            else:
                next_due = min(next_due, expiry[0])
        for key, record in due_keys:
            if bucket.get("versioning"):
                self.delete_current(ctx, bucket, key)
            else:
                self.objects.delete((name, key))
                self.notifications.notify(ctx, bucket, "LifecycleExpiration:Delete", key, record)
        return next_due

    def _expire_noncurrent(self, ctx: RequestContext, bucket: dict, rules: list, now: float) -> float:
        name = bucket["name"]
        next_due = _INF
        noncurrent_rules = [r for r in rules if (r.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")
                            is not None]
        marker_rules = [r for r in rules if (r.get("Expiration") or {}).get("ExpiredObjectDeleteMarker")]
        if not noncurrent_rules and not marker_rules:
            return next_due
        keys = []
        last = None
        for tkey in self.versions.irange((name,), (name + "\x00",), (True, False)):
            if tkey[1] != last:
                keys.append(tkey[1])
                last = tkey[1]
        for key in keys:
            current = self.objects.get((name, key))
            entries = list(entries_of(self.versions, name, key))
            superseded_at = current["mtime"] if current is not None else None
            newer_noncurrent = 0
            doomed = []
            for tkey, record in entries:
                since = superseded_at
                superseded_at = record["mtime"]
                if record.get("dm"):
                    continue
                newer_noncurrent += 1
                for rule in noncurrent_rules:
                    if not applies(rule, key, record):
                        continue
                    settings = rule["NoncurrentVersionExpiration"]
                    if newer_noncurrent <= settings.get("NewerNoncurrentVersions", 0):
                        continue
                    when = midnight_after((since or record["mtime"]) + settings["NoncurrentDays"] * DAY)
                    if when <= now and not locked(ctx, record):
                        doomed.append((tkey, record))
                    elif when > now:
                        next_due = min(next_due, when)
                    break
            for tkey, record in doomed:
                self.versions.delete(tkey)
                self.notifications.notify(ctx, bucket, "LifecycleExpiration:Delete", key, record)
            remaining = list(entries_of(self.versions, name, key))
            if (current is None and len(remaining) == 1 and remaining[0][1].get("dm")
                    and any(applies(rule, key, remaining[0][1]) for rule in marker_rules)):
                self.versions.delete(remaining[0][0])
                self.notifications.notify(ctx, bucket, "LifecycleExpiration:Delete", key, remaining[0][1])
        return next_due


def locked(ctx: RequestContext, record: dict) -> bool:
    """Whether a version is under a legal hold or an object lock retention period."""
    lock = record.get("lock")
    return record.get("hold") == "ON" or bool(lock and lock["Until"] > ctx.time())
