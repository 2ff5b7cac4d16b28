"""Derived per-queue indexes over the message records: what makes every SQS call O(log n) at any depth.

Nothing here is durable: a ``QueueIndex`` is rebuilt from the ``sqs.messages`` records when the
backend is built and kept in step through ``Table.watch`` (which also replays rolled-back changes).

A message record's state is read from two numbers and the clock: ``vis`` (the moment it is, or will
be, visible) and ``rc`` (how often it was received). Never received and ``vis`` in the future: delayed;
received and ``vis`` in the future: in flight; ``vis`` now or past: visible. So two sorted lists of
``(vis, n)`` — one for never-received messages, one for received ones — answer every count with a
bisection and give the next visible messages from their fronts, with no sweep when time passes.

FIFO queues add, per message group, the group's members in send order; a group is ready when its head
is visible, and a receive takes its members in order up to the first one that is not (so a message
whose visibility was extended holds back the ones after it, not the ones before: recorded from AWS in
LocalStack's test_fifo_group_visibility_extends_with_change_message_visibility). The queue keeps one
sorted list of ``(ready_at, head, group)`` to find ready groups in O(log n).
"""

from __future__ import annotations

from collections import deque
from typing import Any, Callable

from sortedcontainers import SortedList

INF = float("inf")


class QueueIndex:
    __slots__ = ("fifo", "last_n", "new", "recv", "sent", "groups", "ready", "ready_entry",
                 "dedup_order", "attempt_order", "_record")

    def __init__(self, fifo: bool, record: Callable[[int], Any]) -> None:
        self.fifo = fifo
        self._record = record  # n -> the message record (for a group's head)
        self.last_n = 0            # the highest message number seen (next send takes last_n + 1)
        self.new = SortedList()    # (vis, n) of messages never received
        self.recv = SortedList()   # (vis, n) of messages received at least once
        self.sent = SortedList()   # (sent, n): retention order
        # FIFO only
        self.groups: dict[str, SortedList] = {}      # group -> n of its messages, in send order
        self.ready = SortedList()                    # (ready_at, head n, group)
        self.ready_entry: dict[str, tuple] = {}      # group -> its entry in ``ready``
        # pruning order of deduplication ids and receive attempts (FIFO): (time, key)
        self.dedup_order: deque = deque()
        self.attempt_order: deque = deque()

    # -- maintenance (called by the table watcher) ----------------------------------------------
    def change(self, n: int, old: dict | None, new: dict | None) -> None:
        if old is not None:
            (self.recv if old["rc"] else self.new).remove((old["vis"], n))
            if new is None:
                self.sent.remove((old["sent"], n))
        if new is not None:
            (self.recv if new["rc"] else self.new).add((new["vis"], n))
            if old is None:
                self.sent.add((new["sent"], n))
                if n > self.last_n:
                    self.last_n = n
        if self.fifo:
            self._change_group(n, old, new)

    def _change_group(self, n: int, old: dict | None, new: dict | None) -> None:
        group = (new if new is not None else old)["group"]  # type: ignore[index]
        members = self.groups.get(group)
        if members is None:
            members = self.groups[group] = SortedList()
        if old is None:
            members.add(n)
        elif new is None:
            members.remove(n)
        current = self.ready_entry.get(group)
        entry = None
        if members:
            head = members[0]
            ready_at = self._record(head)["vis"]
            entry = (ready_at, head, group)
            if entry == current:
                return
        if current is not None:
            self.ready.remove(current)
        if entry is None:
            del self.groups[group]
            self.ready_entry.pop(group, None)
            return
        self.ready.add(entry)
        self.ready_entry[group] = entry

    # -- reads ----------------------------------------------------------------------------------
    def counts(self, now: float) -> tuple[int, int, int]:
        """(visible, in flight, delayed) at ``now``."""
        bound = (now, INF)
        new_visible = self.new.bisect_right(bound)
        recv_visible = self.recv.bisect_right(bound)
        return (new_visible + recv_visible, len(self.recv) - recv_visible, len(self.new) - new_visible)

    def in_flight(self, now: float) -> int:
        return len(self.recv) - self.recv.bisect_right((now, INF))

    def has_visible(self, now: float) -> bool:
        if self.fifo:
            return bool(self.ready) and self.ready[0][0] <= now
        return (bool(self.new) and self.new[0][0] <= now) or (bool(self.recv) and self.recv[0][0] <= now)

    def next_visible(self, now: float) -> float | None:
        """The first moment after ``now`` at which a message becomes receivable, if any."""
        bound = (now, INF)
        if self.fifo:
            index = self.ready.bisect_right(bound)
            return self.ready[index][0] if index < len(self.ready) else None
        best = None
        for entries in (self.new, self.recv):
            index = entries.bisect_right(bound)
            if index < len(entries):
                vis = entries[index][0]
                if best is None or vis < best:
                    best = vis
        return best

    def visible_in_order(self, now: float, count: int, skip: set) -> list[int]:
        """Up to ``count`` visible messages in the order a receive takes them (oldest visibility
        first; on FIFO queues, whole runs of ready groups in send order)."""
        if self.fifo:
            return self._fifo_candidates(now, count, skip)
        # merge the fronts of the two lists by position (cheap at the front of a SortedList)
        new, recv = self.new, self.recv
        len_new, len_recv = len(new), len(recv)
        i = j = 0
        out: list[int] = []
        while len(out) < count:
            a = new[i] if i < len_new else None
            b = recv[j] if j < len_recv else None
            if a is not None and (b is None or a < b):
                entry = a
                i += 1
            elif b is not None:
                entry = b
                j += 1
            else:
                break
            if entry[0] > now:
                break
            if entry[1] not in skip:
                out.append(entry[1])
        return out

    def _fifo_candidates(self, now: float, count: int, skip: set) -> list[int]:
        # by position, not irange: the front of a SortedList is reached without copying a sublist
        out: list[int] = []
        ready, groups, record = self.ready, self.groups, self._record
        for position in range(len(ready)):
            ready_at, _head, group = ready[position]
            if ready_at > now:
                break
            members = groups[group]
            for index in range(len(members)):
                n = members[index]
                if n in skip:
                    continue
                if record(n)["vis"] > now:
                    break
                out.append(n)
                if len(out) == count:
                    return out
        return out

    def expired(self, cutoff: float) -> list[int]:
        """Messages sent at or before ``cutoff`` (past their retention period)."""
        if not self.sent or self.sent[0][0] > cutoff:
            return []
        return [n for _sent, n in self.sent.irange(maximum=(cutoff, INF))]

    def all_messages(self) -> list[int]:
        return [n for _sent, n in self.sent]
