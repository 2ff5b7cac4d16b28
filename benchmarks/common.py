"""Shared helpers for the benchmarks: a botocore floor client, side-by-side timing, a table.

Every benchmark measures its contenders in one run, interleaved round by round, and reports the
median µs per call and ratios: absolute times on these machines are noisy, ratios much less so.

The *floor* is what botocore itself costs for a call: the same client pipeline (parameter
customisation, validation, serialisation, endpoint resolution) with a no-op ``before-call`` handler
that returns a canned response, so nothing is signed, sent or parsed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import resource
import statistics
import time
from typing import Any, Callable, Iterator

import boto3

from kumo_intercept import Emulator
from kumo_intercept.core import interceptor
from kumo_intercept.core.responses import HttpResponse

_CANNED_META = {"RequestId": "0", "HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0}


def floor_client(service: str, responses: dict[str, Any] | None = None, **client_kwargs: Any) -> Any:
    """A boto3 client whose calls stop at ``before-call`` with a canned response.

    ``responses`` maps operation names to the parsed output to return (default: just metadata), or
    to a function building it, for outputs botocore's handlers change in place (IAM's policy documents).
    """
    client = boto3.Session().client(
        service, region_name=client_kwargs.pop("region_name", "us-east-1"),
        aws_access_key_id="AKIAFLOOR", aws_secret_access_key="floor", **client_kwargs)
    canned = responses or {}

    def short_circuit(model: Any, **_: Any) -> Any:
        canned_output = canned.get(model.name, {})
        parsed = canned_output() if callable(canned_output) else dict(canned_output)
        parsed["ResponseMetadata"] = _CANNED_META
        return HttpResponse(200, {}), parsed

    client.meta.events.register_first(f"before-call.{client.meta.service_model.service_id.hyphenize()}",
                                      short_circuit)
    return client


@contextlib.contextmanager
def moto_active() -> Iterator[bool]:
    """moto's mock_aws if moto is installed (yields True), else nothing (yields False)."""
    try:
        from moto import mock_aws
    except ImportError:
        yield False
        return
    with mock_aws():
        yield True


def per_call_us(fn: Callable[[], Any], calls: int, timer: Callable[[], float] = time.perf_counter) -> float:
    """µs per call by ``timer``: wall time, or ``time.process_time`` (CPU time of this process, which
    other processes on a busy machine disturb much less)."""
    gc.disable()
    try:
        start = timer()
        for _ in range(calls):
            fn()
        return (timer() - start) / calls * 1e6
    finally:
        gc.enable()


@contextlib.contextmanager
def activation(emulator: Emulator | None, on: bool) -> Iterator[None]:
    """Run a block with ``emulator`` serving calls (``on``) or with botocore untouched, keeping its state.

    The floor must be measured against botocore as it is: while an emulator is active, botocore's
    User-Agent formatting is cached (see core/interceptor.py), which would flatter the floor.
    """
    if emulator is None or on == emulator.active:
        yield
        return
    if on:
        interceptor.activate(emulator)
        try:
            yield
        finally:
            interceptor.deactivate()
    else:
        interceptor.deactivate()
        try:
            yield
        finally:
            interceptor.activate(emulator)


def compare(contenders: dict[str, Callable[[], Any]], calls: int = 500, rounds: int = 7,
            warmup: int = 50, emulator: Emulator | None = None,
            timer: Callable[[], float] = time.perf_counter) -> dict[str, float]:
    """Median µs/call of each contender, measured interleaved round by round.

    Contenders named ``kumo…`` run with ``emulator`` active, the others with it suspended.
    """
    for name, fn in contenders.items():
        with activation(emulator, name.startswith("kumo")):
            for _ in range(warmup):
                fn()
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            with activation(emulator, name.startswith("kumo")):
                samples[name].append(per_call_us(fn, calls, timer))
    return {name: statistics.median(values) for name, values in samples.items()}


def at_depths(floor: Callable[[], Any], contenders: dict[int, tuple[Emulator, Callable[[], Any]]],
              calls: int, rounds: int) -> dict[str, float]:
    """µs/call of the floor and of ``kumo@<depth>`` for each (emulator, call) per depth, each measured
    side by side with the floor and normalised to the floor measured on its own, so every ratio is
    taken in one interleaved run."""
    measured = {"floor": compare({"floor": floor}, calls=calls, rounds=rounds)["floor"]}
    for depth, (aws, call) in contenders.items():
        name = f"kumo@{depth:,}"
        aws.start()
        try:
            out = compare({"floor": floor, name: call}, calls=calls, rounds=rounds, emulator=aws)
        finally:
            aws.stop()
        measured[name] = out[name] * measured["floor"] / out["floor"]
    return measured


def report(title: str, results: dict[str, float], baseline: str = "floor") -> str:
    """A small table: µs/call and the ratio to ``baseline`` (and kumo's speed-up over moto)."""
    lines = [f"## {title}", f"{'contender':<28}{'µs/call':>12}{'× ' + baseline:>12}"]
    base = results.get(baseline)
    for name, value in results.items():
        ratio = f"{value / base:.2f}" if base else "-"
        lines.append(f"{name:<28}{value:>12.1f}{ratio:>12}")
    kumo_value = next((v for k, v in results.items() if k.startswith("kumo")), None)
    moto_value = next((v for k, v in results.items() if k.startswith("moto")), None)
    if kumo_value and moto_value:
        lines.append(f"kumo is {moto_value / kumo_value:.1f}× faster than moto")
    text = "\n".join(lines)
    print(text + "\n")
    return text


class DepthRun(argparse.Namespace):
    """What a depth benchmark's command line chose: the two sizes compared and how much to measure."""

    quick: bool
    deep: int | None
    depths: tuple[int, int]
    calls: int
    rounds: int
    moto_calls: int


def depth_run(doc: str | None, quick_help: str, argv: list[str] | None = None,
              extra: Callable[[argparse.ArgumentParser], None] | None = None) -> DepthRun:
    """Parse ``--quick`` (smaller deep state, fewer calls), ``--deep N`` and any ``extra`` options of a
    benchmark that compares a shallow and a deep state (100 vs 100,000; 100 vs 10,000 with --quick)."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--deep", type=int, default=None,
                        help="records in the deep state (default 100,000; 10,000 with --quick)")
    if extra is not None:
        extra(parser)
    run = parser.parse_args(argv, namespace=DepthRun())
    run.depths = (100, run.deep or (10_000 if run.quick else 100_000))
    run.calls, run.rounds, run.moto_calls = (200, 3, 20) if run.quick else (500, 7, 60)
    return run


# -- memory (Linux /proc; the child processes of the memory benchmarks import these) ----------------
def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def reset_peak_rss() -> None:
    """Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_rss() -> int:
    try:
        return _status("VmHWM")
    except (OSError, KeyError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def current_rss() -> int:
    try:
        return _status("VmRSS")
    except (OSError, KeyError):
        return peak_rss()


#: the first lines of a memory benchmark's child script: ``common`` importable from it
CHILD_PRELUDE = f"import sys\nsys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})\n"
