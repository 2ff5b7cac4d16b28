"""Logs Insights ``parse``: the cost per event of the linear-time engine against Python's ``re``.

    python benchmarks/bench_logs.py [--quick]

``re`` backtracks (a user's pattern can hang it); ``core/linear_regex`` cannot, and pays for that in
pure Python. Measured side by side on 200-character messages, matching and not: a regex with named
groups (``Regex.find``: DFA then Pike VM, against ``re.search``) and a glob (the literal-piece search
``ParseGlob``, against the regex ``(.*?)…(.*)`` it stands for).
"""

from __future__ import annotations

import random
import re
import sys
from typing import Any, Callable

from common import compare, report

from kumo_intercept.core.linear_regex import Regex
from kumo_intercept.services.logs.insights import ParseGlob

PATTERN = r"user=(?P<user>\w+) id=(?P<id>\d+)"
GLOB = "* user=* id=* *"


def messages(matching: bool, count: int = 50) -> list[str]:
    """200-character log lines, with ``user=… id=…`` in the middle when ``matching``."""
    rng = random.Random(1)
    lines = []
    for _ in range(count):
        noise = "".join(rng.choice("abcdefghij klmnop=:/0123456789") for _ in range(200))
        middle = f" user=u{rng.randrange(999)} id={rng.randrange(99999)} " if matching else " user=u1 id=x "
        lines.append(noise[:100] + middle + noise[100 + len(middle):])
    return lines


def per_event(find: Callable[[str], Any], lines: list[str]) -> Callable[[], None]:
    """A contender: one call runs ``find`` over each of the lines."""
    def run() -> None:
        for line in lines:
            find(line)
    return run


def main(quick: bool) -> None:
    compiled, linear = re.compile(PATTERN), Regex(PATTERN)
    glob_regex = re.compile("(.*?)".join(re.escape(p) for p in GLOB.split("*")[:-1]) + "(.*)", re.DOTALL)
    glob = ParseGlob(GLOB)
    calls, rounds = (5, 3) if quick else (20, 7)
    for matching in (True, False):
        lines = messages(matching)
        kind = "matching" if matching else "not matching"
        results = compare({
            "re.search": per_event(lambda t: (m := compiled.search(t)) and m.groupdict(), lines),
            "Regex.find": per_event(lambda t: (m := linear.find(t)) and m.groupdict(), lines),
            "re glob (.*?)": per_event(glob_regex.search, lines),
            "ParseGlob.search": per_event(glob.search, lines),
        }, calls=calls, rounds=rounds, warmup=2)
        report(f"parse, µs per 50 events of 200 chars ({kind})", results, baseline="re.search")


if __name__ == "__main__":
    main("--quick" in sys.argv)
