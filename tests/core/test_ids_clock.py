"""The seeded id generator and the clocks."""

from __future__ import annotations

import datetime
import re

from kumo_intercept.core.clock import VirtualClock, WallClock, make_clock, to_epoch
from kumo_intercept.core.ids import IdGenerator


def test_same_seed_same_ids_and_counter_resumes_exactly():
    a, b = IdGenerator(3), IdGenerator(3)
    assert [a.uuid4() for _ in range(3)] == [b.uuid4() for _ in range(3)]
    resumed = IdGenerator(3)
    resumed.resume(a.counter)
    assert resumed.hex(20) == a.hex(20)


def test_resume_never_goes_backwards():
    gen = IdGenerator(1)
    gen.bytes(64)
    counter = gen.counter
    gen.resume(0)
    assert gen.counter == counter


def test_formats():
    gen = IdGenerator(0)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", gen.uuid4())
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", gen.access_key_id())
    assert re.fullmatch(r"[0-9A-F]{16}", gen.hex(16, upper=True))
    assert re.fullmatch(r"\d{12}", gen.digits(12))


def test_ids_are_distinct_in_bulk():
    gen = IdGenerator(0)
    assert len({gen.hex(32) for _ in range(10_000)}) == 10_000


def test_virtual_clock_notifies_listeners():
    clock = VirtualClock("2024-06-01T00:00:00Z")
    seen = []
    clock.on_change(lambda: seen.append(clock.time()))
    clock.advance(5)
    clock.set(datetime.datetime(2024, 6, 2))
    assert seen == [to_epoch("2024-06-01T00:00:05Z"), to_epoch("2024-06-02T00:00:00Z")]


def test_make_clock_accepts_a_clock_object():
    clock = WallClock()
    assert make_clock(clock, None) is clock
    assert isinstance(make_clock("virtual", 0), VirtualClock)
