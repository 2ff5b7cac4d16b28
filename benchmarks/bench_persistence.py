"""Persistence benchmarks (run by hand: ``python benchmarks/bench_persistence.py [--quick]``).

1. Per-call cost of put-style calls with a data directory (durability ``process``) against in memory,
   measured interleaved round by round. Target: ≤ 1.15×.
2. Group commit: journaled changes per second with durability ``fsync`` and 8 writer threads, against
   one fsync per change (a single writer). Target: ≥ 5×.
3. Recovery of 100k journaled mutations (open of a directory whose journal holds them). Target: ≤ 2 s.
4. Compaction of 100k records while a writer keeps writing: compaction time and the writer's longest
   wait. Targets: ≤ 2 s, no stall over 50 ms.

Ratios are what to compare across machines; absolute times are noisy. ``--per-call`` runs section 1 only;
``--cpu`` times section 1 in CPU time of the calling thread (for a loaded machine).
"""

from __future__ import annotations

import gc
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from typing import Any, Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402

from kumo_intercept import Emulator  # noqa: E402
from kumo_intercept.core import interceptor  # noqa: E402

QUICK = "--quick" in sys.argv
#: ``--cpu``: section 1 times the calling thread's CPU time instead of the wall clock, so time spent
#: descheduled on a loaded, shared machine does not count (cache contention still does)
CLOCK = time.thread_time if "--cpu" in sys.argv else time.perf_counter


def _put_style_calls() -> dict[str, Callable[[], Any]]:
    """One put-style call per emulated service available, on clients made once."""
    calls: dict[str, Callable[[], Any]] = {}
    counter = iter(range(10**9))
    sqs = boto3.client("sqs", region_name="us-east-1")
    s3 = boto3.client("s3", region_name="us-east-1")
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    sts = boto3.client("sts", region_name="us-east-1")
    calls["sqs.send_message"] = lambda: sqs.send_message(QueueUrl=_state["queue"], MessageBody="hello world")
    calls["s3.put_object"] = lambda: s3.put_object(Bucket="bench", Key=f"k{next(counter) % 1000}", Body=b"x" * 512)
    calls["dynamodb.put_item"] = lambda: ddb.put_item(
        TableName="bench", Item={"pk": {"S": f"p{next(counter) % 1000}"}, "v": {"N": "1"}})
    calls["sts.assume_role"] = lambda: sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/r",
                                                       RoleSessionName="bench")
    return calls


_state: dict[str, Any] = {}
#: AssumeRole needs the role to exist and trust the caller (the account's root here)
TRUST_ACCOUNT = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", '
                 '"Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}')


def _setup(emulator: Emulator) -> None:
    with _active(emulator):
        try:
            _state["queue"] = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="bench")["QueueUrl"]
            boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="bench")
            boto3.client("dynamodb", region_name="us-east-1").create_table(
                TableName="bench", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
            boto3.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST_ACCOUNT)
        except Exception as exc:  # a service not in this build: its row is skipped
            print(f"(setup: {exc})")


class _active:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def __enter__(self) -> None:
        interceptor.activate(self.emulator)

    def __exit__(self, *exc: Any) -> None:
        interceptor.deactivate()


def per_call_overhead() -> list[str]:
    """Each round times ``n`` calls on each emulator, back to back in alternating order; the ratio is
    taken per round (so drift in machine speed cancels) and the median over rounds is reported."""
    root = tempfile.mkdtemp(prefix="kumo-bench-")
    memory = Emulator()
    disk = Emulator(data_dir=os.path.join(root, "d"))
    disk.start()  # opens the directory
    interceptor.deactivate()
    lines = ["## per-call cost, durability 'process' vs in memory (target ≤ 1.15×)",
             f"{'call':<24}{'memory µs':>12}{'disk µs':>12}{'ratio':>8}{'middle half of rounds':>24}"]
    try:
        for emulator in (memory, disk):
            _setup(emulator)
        calls = _put_style_calls()
        rounds, n = (12, 100) if QUICK else (40, 100)
        for name, fn in calls.items():
            times: dict[str, list[float]] = {"memory": [], "disk": []}
            try:
                for emulator in (memory, disk):
                    with _active(emulator):
                        for _ in range(50):
                            fn()
                gc.disable()  # as benchmarks/common.py measures
                for round_ in range(rounds):
                    order = [("disk", disk), ("memory", memory)]
                    for label, emulator in order if round_ % 2 else order[::-1]:
                        with _active(emulator):
                            start = CLOCK()
                            for _ in range(n):
                                fn()
                            times[label].append((CLOCK() - start) / n * 1e6)
            except Exception as exc:
                lines.append(f"{name:<24}(skipped: {type(exc).__name__})")
                continue
            finally:
                gc.enable()
            ratios = sorted(d / m for d, m in zip(times["disk"], times["memory"]))
            quarter = len(ratios) // 4
            lines.append(f"{name:<24}{statistics.median(times['memory']):>12.1f}"
                         f"{statistics.median(times['disk']):>12.1f}{statistics.median(ratios):>8.2f}"
                         f"{ratios[quarter]:>16.2f} – {ratios[-quarter - 1]:.2f}")
    finally:
        disk.persistence.close()
        shutil.rmtree(root, ignore_errors=True)
    return lines


def _thread_wake_seconds(rounds: int = 2000) -> float:
    """One thread waking another through a lock, as the group commit's waiters are woken."""
    ping, pong = threading.Lock(), threading.Lock()
    ping.acquire()
    pong.acquire()

    def echo() -> None:
        for _ in range(rounds):
            ping.acquire()
            pong.release()

    thread = threading.Thread(target=echo)
    thread.start()
    start = time.perf_counter()
    for _ in range(rounds):
        ping.release()
        pong.acquire()
    elapsed = time.perf_counter() - start
    thread.join()
    return elapsed / rounds / 2


def group_commit() -> list[str]:
    from kumo_intercept.store import journal as journal_module

    root = tempfile.mkdtemp(prefix="kumo-bench-")
    lines = ["## durability 'fsync': 8 writer threads (group commit) vs one fsync per change (target ≥ 5×)"]
    syncs = [0]
    real_sync = journal_module._fdatasync
    extra_latency = [0.0]  # added to every fdatasync: a slower disk

    def counted(fd: int) -> None:
        syncs[0] += 1
        real_sync(fd)
        if extra_latency[0]:
            time.sleep(extra_latency[0])

    journal_module._fdatasync = counted
    try:
        total = 2000 if QUICK else 8000

        def run(threads: int, name: str, durability: str = "fsync", changes: int = total,
                own_fsync: bool = False) -> tuple[float, float]:
            """Changes per second and per fdatasync; ``own_fsync``: durability 'process' plus one
            fdatasync per change in the writing thread (no group commit: the kernel may merge them)."""
            gc.collect()  # garbage left by earlier sections (made with the GC off) must not be collected here
            aws = Emulator(data_dir=os.path.join(root, name), durability=durability)
            aws.start()
            syncs[0] = 0
            try:
                table = aws.store.table("bench.items")
                journal = aws.store.journal
                per_thread = changes // threads

                def writer(t: int) -> None:
                    for i in range(per_thread):
                        with journal.deferred():  # as dispatch does: wait for the fsync outside the lock
                            with aws.lock, aws.store.transaction():
                                table.put((t, i), {"v": i, "pad": "x" * 100})
                        if own_fsync:
                            counted(journal._fd)

                workers = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
                start = time.perf_counter()
                for w in workers:
                    w.start()
                for w in workers:
                    w.join()
                rate = threads * per_thread / (time.perf_counter() - start)
                return rate, threads * per_thread / max(1, syncs[0])
            finally:
                aws.stop()

        one, _ = run(1, "one")
        eight, per_sync = run(8, "eight")
        ceiling, _ = run(8, "ceiling", "process")
        each, _ = run(8, "each", "process", own_fsync=True)
        fd = os.open(os.path.join(root, "raw"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        start = time.perf_counter()
        for _ in range(500):
            os.write(fd, b"x" * 150)
            real_sync(fd)
        raw = (time.perf_counter() - start) / 500
        os.close(fd)
        wake = _thread_wake_seconds()
        lines.append(f"raw write+fdatasync on this disk:  {1 / raw:,.0f}/s ({raw * 1e6:.0f} µs)")
        lines.append(f"one thread waking another:         {wake * 1e6:.0f} µs (idle machine; more under load)")
        lines.append(f"one fsync per change (1 writer):   {one:,.0f} changes/s")
        lines.append(f"8 writers, group commit:           {eight:,.0f} changes/s ({per_sync:.1f} changes per fsync)")
        lines.append(f"8 writers, durability 'process':   {ceiling:,.0f} changes/s (the CPU/GIL ceiling)")
        lines.append(f"8 writers, each its own fdatasync: {each:,.0f} changes/s (no group commit; the kernel "
                     "merges concurrent ones)")
        lines.append(f"ratio group commit / one fsync per change: {eight / one:.1f}×")
        extra_latency[0] = 0.001
        slow = total // 4
        one, _ = run(1, "slow-one", changes=slow)
        eight, per_sync = run(8, "slow-eight", changes=slow)
        lines.append(f"with every fdatasync 1 ms slower (a disk without a write cache): {one:,.0f} vs "
                     f"{eight:,.0f} changes/s ({per_sync:.1f} per fsync), ratio {eight / one:.1f}×")
    finally:
        journal_module._fdatasync = real_sync
        shutil.rmtree(root, ignore_errors=True)
    return lines


def _record(i: int) -> dict:
    return {"body": f"message {i}", "md5": "d41d8cd98f00b204e9800998ecf8427e", "sent": 1.7e9 + i, "vis": 1.7e9,
            "rc": 0, "attrs": {"a": "b"}}


def recovery() -> list[str]:
    n = 20_000 if QUICK else 100_000
    root = tempfile.mkdtemp(prefix="kumo-bench-")
    path = os.path.join(root, "d")
    lines = [f"## recovery of {n:,} journaled mutations (target ≤ 2 s)"]
    try:
        aws = Emulator(data_dir=path)
        aws.start()
        aws.persistence.directory.auto_compact = False
        table = aws.store.table("bench.messages")
        for i in range(n):
            table.put(("123456789012", "us-east-1", i % 50_000), _record(i))
        aws.stop()
        size = sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path) if f.startswith("seg-"))
        start = time.perf_counter()
        aws = Emulator(data_dir=path)
        aws.start()
        elapsed = time.perf_counter() - start
        assert len(aws.store.table("bench.messages")) == min(n, 50_000)
        aws.stop()
        lines.append(f"journal {size / 2**20:.1f} MiB; open + recover: {elapsed:.2f} s "
                     f"({n / elapsed:,.0f} mutations/s)")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return lines


def compaction() -> list[str]:
    n = 20_000 if QUICK else 100_000
    root = tempfile.mkdtemp(prefix="kumo-bench-")
    lines = [f"## compaction of {n:,} records with a writer running (targets ≤ 2 s, no stall over 50 ms)"]
    try:
        aws = Emulator(data_dir=os.path.join(root, "d"))
        aws.start()
        aws.persistence.directory.auto_compact = False
        table = aws.store.table("bench.messages")
        with aws.lock, aws.store.transaction():
            for i in range(n):
                table.put(("123456789012", "us-east-1", i), _record(i))
        # A full collection of this 100k-record heap holds the GIL for ~50 ms whenever Python's GC
        # decides to run one, with or without compaction. Do it now, so that pause (reported on its
        # own) does not land in the window measured.
        start = time.perf_counter()
        gc.collect()
        full_gc = time.perf_counter() - start
        waits: list[float] = []
        stop = threading.Event()

        def writer() -> None:
            i = 0
            while not stop.is_set():
                start = time.perf_counter()
                with aws.lock, aws.store.transaction():
                    table.put(("writer", i % 1000), _record(i))
                waits.append(time.perf_counter() - start)
                i += 1
                time.sleep(0.0005)

        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(0.2)
        waits.clear()
        start = time.perf_counter()
        result = aws.compact()
        elapsed = time.perf_counter() - start
        time.sleep(0.05)
        stop.set()
        thread.join()
        aws.stop()
        lines.append(f"compaction: {elapsed:.2f} s, snapshot {result['bytes'] / 2**20:.1f} MiB; writer: "
                     f"{len(waits)} writes meanwhile, longest wait {max(waits) * 1000:.1f} ms, "
                     f"median {statistics.median(waits) * 1e6:.0f} µs (a full GC of this heap: "
                     f"{full_gc * 1000:.0f} ms, done before)")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return lines


def main() -> None:
    sections = [per_call_overhead, group_commit, recovery, compaction]
    if "--per-call" in sys.argv:  # section 1 only (comparing two checkouts run after one another)
        sections = sections[:1]
    for section in sections:
        print("\n".join(section()) + "\n", flush=True)


if __name__ == "__main__":
    main()
