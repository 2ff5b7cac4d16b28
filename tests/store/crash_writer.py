"""A writer for the kill -9 tests: ``python crash_writer.py DATA_DIR START DURABILITY [COMPACT_EVERY]``.

Applies op START, START+1, … (see ``op``) each as one transaction, and prints ``ack N`` only after op N
returned (its durability point). Every COMPACT_EVERY ops it compacts synchronously, so kills and
failpoints (KUMO_FAILPOINTS) land inside compaction too. Runs until killed.
"""

from __future__ import annotations

import sys
from typing import Any


def op(n: int) -> list[tuple[str, Any, Any]]:
    """Op n: a put, plus on every third op a delete and a tuple-keyed put in the same transaction."""
    ops: list[tuple[str, Any, Any]] = [("w.items", f"k{n % 40}", {"n": n, "pad": "x" * (n % 50), "l": [n, n]})]
    if n % 3 == 0:
        ops.append(("w.items", f"k{(n * 7) % 40}", None))
        ops.append(("w.pairs", (n % 5, ("t", n % 2)), [n, b"\x01" * (n % 4)]))
    return ops


def model(count: int) -> dict:
    """Records after ops 0..count-1."""
    tables: dict[str, dict] = {}
    for n in range(count):
        for table, key, value in op(n):
            data = tables.setdefault(table, {})
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
    return {name: data for name, data in tables.items() if data}


def main() -> None:
    path, start, durability = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    compact_every = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    from kumo_intercept import kumo

    with kumo(data_dir=path, durability=durability) as aws:
        store = aws.store
        n = start
        while True:
            with aws.lock, store.transaction():
                for table, key, value in op(n):
                    if value is None:
                        store.table(table).delete(key)
                    else:
                        store.table(table).put(key, value)
            sys.stdout.write(f"ack {n}\n")
            sys.stdout.flush()
            n += 1
            if compact_every and n % compact_every == 0:
                aws.compact()


if __name__ == "__main__":
    main()
