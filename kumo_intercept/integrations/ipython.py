"""IPython/Jupyter extension: ``%load_ext kumo_intercept`` starts an emulator for the kernel.

Every boto3 client of the kernel is then served by it. The emulator is bound to ``aws`` in the
notebook (unless that name is taken) and displays as tables of its resources and recent calls. The
``%kumo`` line magic drives it::

    %kumo                       the emulator (same as %kumo status)
    %kumo state                 resources per service
    %kumo calls                 the call ledger (recent calls)
    %kumo reset                 forget every resource
    %kumo advance 90            move the virtual clock (90, 90s, 15m, 2h, 1d)
    %kumo clock                 the emulator's time
    %kumo start clock=virtual seed=3    a new emulator with these kumo() options (replaces the current one)
    %kumo snapshot NAME         keep the state under NAME (%kumo restore NAME goes back to it)
    %kumo snapshots             the names kept so far
    %kumo stop                  stop serving boto3 calls
"""

from __future__ import annotations

import ast
import re
from typing import Any, Callable

from IPython.core.error import UsageError

from ..core.clock import FixedClockError
from .. import Emulator, kumo

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd]?)$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
#: kumo() options that are always text (an account id is digits, not a number)
_TEXT_OPTIONS = frozenset({"account_id", "region", "clock", "data_dir", "durability", "start_time"})


class _Session:
    """The emulator the extension started for this kernel."""

    emulator: Emulator | None = None


session = _Session()


def load_ipython_extension(ipython: Any) -> None:
    """Start an emulator for the kernel and register the ``%kumo`` magic."""
    if session.emulator is None:
        _start(ipython, {})
    ipython.register_magic_function(kumo_magic, "line", "kumo")


def unload_ipython_extension(ipython: Any) -> None:
    """Stop the kernel's emulator (its state is discarded)."""
    _stop()


def _start(ipython: Any, options: dict[str, Any]) -> Emulator:
    emulator = kumo(**options)
    session.emulator = emulator.start()
    if "aws" not in ipython.user_ns or isinstance(ipython.user_ns["aws"], Emulator):
        ipython.push({"aws": session.emulator})
    return session.emulator


def _stop() -> None:
    if session.emulator is not None:
        session.emulator.stop()
        session.emulator = None


def _running() -> Emulator:
    if session.emulator is None:
        raise UsageError("no emulator is running: %kumo start starts one")
    return session.emulator


# -- the magic ------------------------------------------------------------------------------------
def kumo_magic(line: str) -> Any:
    """Drive the kernel's kumo_intercept emulator; ``%kumo help`` lists the commands."""
    command, _, rest = line.strip().partition(" ")
    action = _COMMANDS.get(command or "status")
    if action is None:
        raise UsageError(f"unknown %kumo command {command!r}; the commands are:\n{_usage()}")
    return action(rest.strip())


def _help(_: str) -> None:
    print(_usage())


def _usage() -> str:
    return __doc__.split("::", 1)[1].rstrip()  # type: ignore[union-attr]


def _status(_: str) -> Emulator:
    return _running()


def _state(_: str) -> Any:
    return _running().state


def _calls(_: str) -> Any:
    return _running().calls


def _reset(_: str) -> None:
    _running().reset()
    print("every resource was forgotten (the clock, ids and call ledger go on)")


def parse_duration(text: str) -> float:
    """Seconds in ``"90"``, ``"90s"``, ``"15m"``, ``"2h"``, ``"1d"``."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise UsageError(f"expected a duration such as 90, 90s, 15m, 2h or 1d, got {text!r}")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _advance(text: str) -> Any:
    emulator = _running()
    seconds = parse_duration(text or "0")
    try:
        return emulator.clock.advance(seconds)
    except FixedClockError:
        raise UsageError("the emulator runs on the wall clock, which cannot be moved; "
                         "%kumo start clock=virtual gives it a virtual clock") from None


def _clock(_: str) -> Any:
    return _running().clock.now()


def parse_options(text: str) -> dict[str, Any]:
    """``clock=virtual seed=3`` -> ``{"clock": "virtual", "seed": 3}`` (values as Python literals
    when they are, else as text; text options such as account_id stay text)."""
    options: dict[str, Any] = {}
    for word in text.split():
        key, equals, value = word.partition("=")
        if not equals or not key.isidentifier():
            raise UsageError(f"expected key=value options of kumo(), got {word!r}")
        try:
            literal = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            literal = value
        options[key] = str(literal) if key in _TEXT_OPTIONS else literal
    return options


def _start_command(text: str) -> Emulator:
    from IPython import get_ipython

    options = parse_options(text)
    _stop()
    return _start(get_ipython(), options)


def _stop_command(_: str) -> None:
    _running()
    _stop()
    print("stopped: boto3 calls are no longer served (%kumo start starts a new emulator)")


def _checkpoint(method: str) -> Callable[[str], Any]:
    def run(name: str) -> Any:
        emulator = _running()
        if not name:
            raise UsageError(f"%kumo {method} needs a name, e.g. %kumo {method} before-import")
        return getattr(emulator, method)(name)
    return run


def _snapshots(_: str) -> list[str]:
    return _running().snapshots()


_COMMANDS: dict[str, Callable[[str], Any]] = {
    "status": _status, "state": _state, "calls": _calls, "reset": _reset, "advance": _advance,
    "clock": _clock, "start": _start_command, "stop": _stop_command, "help": _help,
    "snapshots": _snapshots,
    "snapshot": _checkpoint("snapshot"), "restore": _checkpoint("restore"),
}
