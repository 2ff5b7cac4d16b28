"""``python -m kumo_intercept aws [OPTIONS] ARGS...``: the AWS CLI (v1) run in-process against an emulator.

The CLI is a botocore program, so it runs unchanged under ``kumo(...)``: its clients are served by the
emulator, and their timestamps and blobs come as its session asks for them (raw wire timestamps, base64
blobs; see core/scalars.py). Options of the emulator come first, before anything meant for the CLI:

  --data-dir DIR     keep the state in DIR between invocations (default: $KUMO_DATA_DIR; none: each
                     invocation starts empty)
  --seed N           seed of generated identifiers in a new state (default 0; ``random`` for random ones)
  --account-id ID    the account calls act in (default 123456789012)

The exit status is the CLI's (0, 1, 2, 130, 252, 253, 254, 255); an emulator that cannot start (the
directory is in use by another process, the CLI is not installed) prints why and exits 255.
"""

from __future__ import annotations

import sys
from typing import Any, Sequence

from ..core.errors import KumoError

USAGE = "usage: python -m kumo_intercept aws [--data-dir DIR] [--seed N] [--account-id ID] ARGS..."
EXIT_FAILED = 255  # the CLI's own status for a command that failed
_OPTIONS = {"--data-dir": "data_dir", "--seed": "seed", "--account-id": "account_id"}


def split_options(argv: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """The emulator's options (leading ``--name VALUE`` or ``--name=VALUE``) and the CLI's arguments."""
    options: dict[str, Any] = {}
    args = list(argv)
    while args:
        name, has_value, value = args[0].partition("=")
        if name not in _OPTIONS:
            break
        if not has_value:
            if len(args) < 2:
                raise ValueError(f"{name} needs a value")
            value = args[1]
            del args[1]
        del args[0]
        options[_OPTIONS[name]] = _seed(value) if name == "--seed" else value
    return options, args


def _seed(text: str) -> int | str | None:
    if text == "random":
        return None
    return int(text) if text.lstrip("-").isdigit() else text


def main(argv: Sequence[str]) -> int:
    try:
        options, args = split_options(argv)
    except ValueError as exc:
        print(f"{USAGE}\nerror: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        from awscli.clidriver import create_clidriver
    except ImportError:
        print("error: the AWS CLI v1 is not installed in this Python environment: pip install awscli",
              file=sys.stderr)
        return EXIT_FAILED
    from .. import kumo

    try:
        with kumo(**options):
            status: int = create_clidriver().main(args)
    except KumoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return status
