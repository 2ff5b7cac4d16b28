"""kill -9 at random moments — including inside compaction, through failpoints — never loses an
acknowledged write and always recovers exactly the state after some prefix of the operations."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from kumo_intercept import kumo
from kumo_intercept.store.persistence import recover

sys.path.insert(0, os.path.dirname(__file__))
from crash_writer import op  # noqa: E402

WRITER = os.path.join(os.path.dirname(__file__), "crash_writer.py")
FAILPOINTS = [
    "compact.rolled", "compact.snapshot.tmp_written", "compact.snapshot.renamed", "compact.snapshot_published",
    "manifest.tmp_written", "manifest.renamed", "compact.manifest_published", "compact.files_deleted",
    "append=torn", "open.tail_cut",
]


class Model:
    """Records after ops 0..count-1, advanced incrementally."""

    def __init__(self) -> None:
        self.count = 0
        self.tables: dict[str, dict] = {}

    def advance(self) -> None:
        for table, key, value in op(self.count):
            data = self.tables.setdefault(table, {})
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        self.count += 1

    def snapshot(self) -> dict:
        return {name: dict(data) for name, data in self.tables.items() if data}


def _run_writer(path: str, start: int, durability: str, failpoint: str | None, kill_after: int,
                kill_delay: float) -> int:
    """Start the writer, SIGKILL it after ``kill_after`` acks (+ a random delay); returns the last op it
    acknowledged (including acks still in the pipe when it died)."""
    env = dict(os.environ)
    env.pop("KUMO_RESTART_EVERY_CALL", None)
    if failpoint:
        env["KUMO_FAILPOINTS"] = failpoint
    proc = subprocess.Popen([sys.executable, WRITER, path, str(start), durability, "25"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    last = start - 1
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            last = int(line.split()[1])
            if last - start + 1 >= kill_after:
                time.sleep(kill_delay)
                break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.stdout is not None and proc.stderr is not None
        for line in proc.stdout:  # acks still in the pipe were acknowledged too
            last = int(line.split()[1])
        stderr = proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
    assert "Traceback" not in stderr, stderr
    return last


@pytest.mark.parametrize("durability,kills", [("process", 32), ("fsync", 8)])
def test_kill_9_at_random_moments_keeps_every_acknowledged_write(tmp_path, durability, kills):
    rng = random.Random(20261121 + len(durability))
    path = str(tmp_path / "data")
    model = Model()
    start = 0
    for round_ in range(kills):
        failpoint = None
        if round_ % 3 == 1:
            point = rng.choice(FAILPOINTS)
            failpoint = point if "=" in point else f"{point}=kill@{rng.randint(1, 3)}"
        last_ack = _run_writer(path, start, durability, failpoint, rng.randint(1, 120), rng.random() * 0.02)
        state = recover(path).state
        got = {name: data for name, data in state.records.items() if data}
        while model.count <= last_ack:  # every acknowledged op must be there
            model.advance()
        matched = model.snapshot() == got
        while not matched and model.count < last_ack + 2:  # the op after the last ack may be on disk
            model.advance()
            matched = model.snapshot() == got
        assert matched, f"round {round_}: recovered state is not a prefix including op {last_ack}"
        start = model.count
    with kumo(data_dir=path) as aws:  # an open removes what a kill between two publish steps left
        assert {name: dict(t.items()) for name, t in aws.store.tables().items() if len(t)} == model.snapshot()
    names = os.listdir(path)
    assert "MANIFEST" in names and not [n for n in names if n.endswith(".tmp")]
