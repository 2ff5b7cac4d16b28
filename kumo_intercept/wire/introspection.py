"""The reserved ``/_kumo/`` paths of the server: what ``aws.state``, ``aws.calls``, ``aws.clock`` and
``aws.reset()`` offer in-process, as JSON over HTTP.

    GET  /_kumo/health                   {"status": "running", "services": [...], ...}
    GET  /_kumo/state                    every record and each service's summary
    GET  /_kumo/calls                    the call ledger, oldest first
    GET  /_kumo/clock                    {"now": ISO 8601, "kind": "wall"|"virtual"}
    POST /_kumo/clock/advance?seconds=N  move a virtual clock
    POST /_kumo/reset                    forget every resource
    GET  /_kumo/snapshots                the snapshot names
    POST /_kumo/snapshots/NAME           keep the state under NAME
    POST /_kumo/snapshots/NAME/restore   go back to it
"""

from __future__ import annotations

import json
import urllib.parse
from typing import TYPE_CHECKING, Any, Callable

from ..core.dispatch import BACKENDS
from ..core.errors import KumoError
from ..inspection import state_dump, to_json

if TYPE_CHECKING:
    from ..emulator import Emulator

PREFIX = "/_kumo/"
Wire = tuple[int, dict[str, str], bytes]
_JSON = {"content-type": "application/json"}


def _ok(value: Any, status: int = 200) -> Wire:
    return status, dict(_JSON), to_json(value).encode()


def _health(emulator: "Emulator", query: dict[str, list[str]]) -> Any:
    return {"status": "running", "services": sorted(BACKENDS), "region": emulator.region,
            "account": emulator.account_id, "clock": emulator.clock.kind, "data_dir": emulator.data_dir}


def _clock(emulator: "Emulator", query: dict[str, list[str]]) -> Any:
    return {"now": emulator.clock.now().isoformat(), "kind": emulator.clock.kind}


def _advance(emulator: "Emulator", query: dict[str, list[str]]) -> Any:
    seconds = float(query.get("seconds", ["0"])[0])
    emulator.clock.advance(seconds)
    return _clock(emulator, query)


def _reset(emulator: "Emulator", query: dict[str, list[str]]) -> Any:
    emulator.reset()
    return {"reset": True}


def _calls(emulator: "Emulator", query: dict[str, list[str]]) -> Any:
    return [call.to_dict() for call in emulator.calls]


_GET: dict[str, Callable[["Emulator", dict[str, list[str]]], Any]] = {
    "health": _health, "state": lambda emulator, query: state_dump(emulator), "calls": _calls, "clock": _clock,
    "snapshots": lambda emulator, query: emulator.snapshots(),
}
_POST: dict[str, Callable[["Emulator", dict[str, list[str]]], Any]] = {
    "clock/advance": _advance, "reset": _reset,
}


def answer(emulator: "Emulator", method: str, url: str, body: bytes) -> Wire:
    parts = urllib.parse.urlsplit(url)
    route = parts.path[len(PREFIX):].strip("/")
    query = urllib.parse.parse_qs(parts.query)
    if body and method == "POST":
        try:
            query.update({key: [str(value)] for key, value in json.loads(body).items()})
        except (ValueError, AttributeError):
            return _ok({"error": "the body must be a JSON object"}, 400)
    try:
        if method in ("GET", "HEAD") and route in _GET:
            return _ok(_GET[route](emulator, query))
        if method == "POST" and route in _POST:
            return _ok(_POST[route](emulator, query))
        if method == "POST" and route.startswith("snapshots/"):
            return _ok(_snapshot(emulator, route[len("snapshots/"):]))
    except (KumoError, ValueError, KeyError) as exc:
        return _ok({"error": str(exc)}, 400)
    return _ok({"error": f"no introspection endpoint {method} {parts.path}"}, 404)


def _snapshot(emulator: "Emulator", name: str) -> Any:
    name, _, action = name.partition("/")
    if action == "restore":
        emulator.restore(name)
        return {"restored": name}
    emulator.snapshot(name)
    return {"snapshot": name}
