"""Reading the emulator's state and calls from a test or a notebook, without boto3 calls.

``aws.state`` lists what each service holds, from the services' own ``summary()``::

    aws.state.services()                     # ["s3", "sqs"]
    aws.state.sqs.queues                     # [{"name": "orders", "visible": 3, ...}, ...]
    aws.state.sqs.queues("orders")["visible"]
    aws.state.s3.buckets("photos")["objects"]
    aws.state["lambda"].functions            # "lambda" is a Python keyword
    aws.state.summary()                      # {"sqs": {"queues": [...]}, ...}
    aws.state.s3.objects("photos", prefix="2025/")   # [{"key", "size", "etag", "last_modified", ...}]
    aws.state.sqs.messages("jobs")           # [{"id", "body", "sent", "visible", "receive_count"}]
    aws.state.dynamodb.items("orders")       # [{"pk": "1", "total": Decimal("9.5")}, ...]
    aws.state.sns.outbox()                   # what SNS sent outside AWS (emails, http, sms)
    aws.state.sns.delivery_failures(), aws.state.events.undelivered()

``aws.calls`` (a ``Calls`` ledger) answers assertions about requests::

    aws.calls.assert_called("sqs.SendMessage", QueueUrl=url, MessageBody="hi")
    aws.calls.assert_order("s3.PutObject", "sqs.SendMessage")
    aws.calls.find("dynamodb.PutItem", Item={"pk": {"S": "1"}})   # params contain these members

The emulator, ``aws.state`` and ``aws.calls`` render as HTML tables in Jupyter and as aligned text
elsewhere (``print(aws.state)``).
"""

from __future__ import annotations

import base64
import datetime
import functools
import html
import json
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from botocore import xform_name

from .core.dispatch import BACKENDS, service_schema
from .core.errors import ConfigurationError
from .core.ledger import BodyPreview, Call, CallLedger

if TYPE_CHECKING:
    from .emulator import Emulator
    from .store.schema import View

Rows = list[dict[str, Any]]
RECENT_CALLS = 10
_SIZE_COLUMNS = frozenset({"bytes", "size"})


# -- state ----------------------------------------------------------------------------------------
class Resources(list):
    """A list of resource dicts (one kind, one service); call it with a name to get one of them."""

    def __init__(self, service: str, kind: str, rows: Iterable[dict[str, Any]]) -> None:
        super().__init__(rows)
        self.service = service
        self.kind = kind

    def __call__(self, name: str, *, account: str | None = None, region: str | None = None) -> dict[str, Any]:
        """The resource called ``name`` (narrowed by account/region when the name repeats)."""
        found = [
            row for row in self
            if row.get("name") == name
            and (account is None or row.get("account") == account)
            and (region is None or row.get("region") == region)
        ]
        if len(found) == 1:
            return found[0]
        names = sorted({str(row.get("name")) for row in self})
        if not found:
            raise KeyError(f"{self.service} has no {self.kind} named {name!r}; it has: {names or 'none'}")
        raise KeyError(f"{len(found)} {self.kind} are named {name!r} in {self.service}; "
                       "pass account= or region= to choose one")

    def names(self) -> list[str]:
        return [row.get("name") for row in self]

    def _repr_html_(self) -> str:
        return _html_table(list(self))

    def __repr__(self) -> str:
        return f"{self.service} {self.kind} ({len(self)})\n" + _text_table(list(self), indent="  ")


class ServiceState:
    """What one service holds: each kind of resource its ``summary()`` reports is an attribute."""

    def __init__(self, emulator: "Emulator", service: str) -> None:
        self._emulator = emulator
        self.service = service

    def summary(self) -> dict[str, Any]:
        """The service's own ``summary()``: ``{"queues": [{"name": …, "visible": 3, …}]}``."""
        with self._emulator.lock:
            return self._emulator.backend(self.service).summary()

    def kinds(self) -> list[str]:
        """The kinds of resource this service reports (``["queues"]``…)."""
        return [kind for kind, rows in self.summary().items() if isinstance(rows, list)]

    def views(self) -> dict[str, View]:
        """The read-only views the service's schema offers (``aws.state.sqs.messages("jobs")``)."""
        schema = service_schema(self.service)
        return dict(schema.views) if schema is not None else {}

    def __getattr__(self, kind: str) -> Any:
        if kind.startswith("_"):
            raise AttributeError(kind)
        views = self.views()
        view = views.get(kind)
        if view is not None:
            return self._read(kind, view)
        summary = self.summary()
        rows = summary.get(kind)
        if rows is None:
            reported = sorted(summary) + sorted(views)
            raise AttributeError(f"{self.service} reports {reported or 'no resources'}, not {kind!r}")
        return Resources(self.service, kind, rows)

    def _read(self, name: str, view: View) -> Callable[..., Any]:
        @functools.wraps(view)
        def read(*args: Any, **kwargs: Any) -> Any:
            with self._emulator.lock:
                return view(self._emulator.backend(self.service), *args, **kwargs)
        read.__name__ = name
        return read

    def records(self) -> dict[str, int]:
        """Record count of each of this service's store tables (``{"sqs.queues": 2}``)."""
        return _record_counts(self._emulator, self.service)

    def _repr_html_(self) -> str:
        return _html_service(self.service, self.summary(), self.records())

    def __repr__(self) -> str:
        return "\n".join(_text_service(self.service, self.summary(), self.records()))


class State:
    """``aws.state``: every service's resources, read from the store without boto3 calls."""

    def __init__(self, emulator: "Emulator") -> None:
        self._emulator = emulator

    def services(self) -> list[str]:
        """Services that hold state or have served a call, in alphabetical order."""
        return sorted(_services_with_state(self._emulator))

    def summary(self) -> dict[str, dict[str, Any]]:
        """``{service: its summary()}`` for every service that holds state."""
        return {service: self[service].summary() for service in self.services()}

    def tables(self) -> dict[str, int]:
        """Record count of every store table (``{"sqs.queues": 2, ...}``): the raw view."""
        return {name: len(table) for name, table in sorted(self._emulator.store.tables().items())}

    def __getitem__(self, service: str) -> ServiceState:
        if service not in BACKENDS:
            raise KeyError(f"{service!r} is not an emulated service; emulated: {sorted(BACKENDS)}")
        return ServiceState(self._emulator, service)

    def __getattr__(self, service: str) -> ServiceState:
        if service.startswith("_"):
            raise AttributeError(service)
        try:
            return self[service]
        except KeyError as exc:
            raise AttributeError(exc.args[0]) from None

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(BACKENDS))

    def _repr_html_(self) -> str:
        parts = [_html_service(service, summary, _record_counts(self._emulator, service))
                 for service, summary in self.summary().items()]
        return "".join(parts) or "<p><em>No resources yet.</em></p>"

    def __repr__(self) -> str:
        lines: list[str] = []
        for service, summary in self.summary().items():
            lines.extend(_text_service(service, summary, _record_counts(self._emulator, service)))
        return "\n".join(lines) or "no resources yet"


def _record_counts(emulator: "Emulator", service: str) -> dict[str, int]:
    return {name: len(table) for name, table in sorted(emulator.store.tables().items())
            if name.partition(".")[0] == service and len(table)}


def _services_with_state(emulator: "Emulator") -> set[str]:
    """Services with records in the store (backends keep every resource there)."""
    return {name.partition(".")[0] for name, table in emulator.store.tables().items()
            if len(table) and name.partition(".")[0] in BACKENDS}


# -- calls ----------------------------------------------------------------------------------------
def _split_name(name: str | None, operation: str | None) -> tuple[str | None, str | None]:
    """``"sqs.SendMessage"`` (or ``"sqs"``, ``"sqs", "send_message"``) -> (service, snake operation)."""
    if name is not None and operation is None and "." in name:
        name, operation = name.split(".", 1)
    return name, xform_name(operation) if operation else None


def contains(expected: Any, actual: Any) -> bool:
    """Whether ``actual`` has everything ``expected`` names: dicts match on the keys given (nested),
    callables are predicates, anything else (lists, scalars, ``unittest.mock.ANY``) compares equal."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and contains(value, actual[key]) for key, value in expected.items()
        )
    if callable(expected) and not isinstance(expected, type):
        return bool(expected(actual))
    return expected == actual


class Calls(CallLedger):
    """The call ledger (``aws.calls``) with assertion helpers.

    Names are ``"service.Operation"``; the operation may be snake_case (``"sqs.send_message"``) and may
    be left out (``"sqs"`` means every SQS call).
    """

    def __init__(self, maxlen: int = 10_000) -> None:
        if not isinstance(maxlen, int) or isinstance(maxlen, bool) or maxlen < 1:
            raise ConfigurationError(
                f"ledger_size is how many calls aws.calls keeps: a whole number of 1 or more "
                f"(default 10,000), got {maxlen!r}")
        super().__init__(maxlen)

    def find(self, name: str | None = None, operation: str | None = None, *, ok: bool | None = None,
             **params: Any) -> list[Call]:
        """Calls to ``name`` whose params contain ``params`` (see ``contains``), in order."""
        service, snake = _split_name(name, operation)
        return [
            call for call in self
            if (service is None or call.service == service)
            and (snake is None or xform_name(call.operation) == snake)
            and (ok is None or call.ok == ok)
            and contains(params, call.params)
        ]

    def assert_called(self, name: str, *, times: int | None = None, **params: Any) -> list[Call]:
        """Fail unless ``name`` was called with these params (exactly ``times`` times if given);
        returns the matching calls."""
        found = self.find(name, **params)
        if (times is None and found) or (times is not None and len(found) == times):
            return found
        expected = "at least once" if times is None else f"{times} time(s)"
        raise AssertionError(
            f"expected {_wanted(name, params)} {expected}, found {len(found)}.\n"
            + self._describe(self.find(name), f"calls to {name}")
        )

    def assert_not_called(self, name: str, **params: Any) -> None:
        found = self.find(name, **params)
        if found:
            raise AssertionError(f"expected no {_wanted(name, params)}, found {len(found)}.\n"
                                 + self._describe(found, "matching calls"))

    def assert_order(self, *names: str) -> None:
        """Fail unless calls to ``names`` happened in this order (other calls may come in between)."""
        wanted = [_split_name(name, None) for name in names]
        position = 0
        for call in self:
            service, snake = wanted[position]
            if call.service == service and (snake is None or xform_name(call.operation) == snake):
                position += 1
                if position == len(wanted):
                    return
        raise AssertionError(
            f"expected calls in the order {list(names)}; {names[position]} did not follow "
            f"{list(names[:position]) or 'the start'}.\n" + self._describe(list(self), "calls so far")
        )

    def _describe(self, calls: Sequence[Call], title: str) -> str:
        if not calls:
            return f"There were no {title}."
        shown = calls[-RECENT_CALLS:]
        lines = [f"{title} ({len(calls)}, last {len(shown)} shown):"]
        lines += [f"  {call.name} {'ok' if call.ok else call.error} {_short(call.params)}" for call in shown]
        return "\n".join(lines)

    def to_jsonl(self) -> str:
        """Every call as one JSON object per line (bytes as base64, times as ISO 8601)."""
        return "".join(to_json(call.to_dict()) + "\n" for call in self)

    def _repr_html_(self) -> str:
        return _html_table(_call_rows(list(self)[-RECENT_CALLS:]))

    def __repr__(self) -> str:
        return f"<Calls {len(self)} calls>"


def _wanted(name: str, params: dict[str, Any]) -> str:
    return f"{name} with params containing {params!r}" if params else name


def _call_rows(calls: Sequence[Call]) -> Rows:
    return [
        {"time": datetime.datetime.fromtimestamp(call.time, datetime.timezone.utc).strftime("%H:%M:%S.%f")[:-3],
         "call": call.name, "outcome": "ok" if call.ok else call.error, "account": call.account,
         "region": call.region}
        for call in calls
    ]


def _short(params: dict[str, Any], limit: int = 120) -> str:
    text = to_json(params)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- JSON -----------------------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, BodyPreview):
        return value.to_dict()
    return f"<{type(value).__name__}>"  # streams and file objects: never read them


def to_json(value: Any) -> str:
    """JSON text of params, responses and records, whatever botocore types they hold."""
    return json.dumps(value, default=_jsonable, sort_keys=False, ensure_ascii=False)


def state_dump(emulator: "Emulator") -> dict[str, Any]:
    """Everything the emulator holds, as JSON-able data: summaries and every store record."""
    with emulator.lock:
        records = {
            name: [[key, value] for key, value in table.items()]
            for name, table in sorted(emulator.store.tables().items())
        }
        return {
            "clock": emulator.clock.now().isoformat(),
            "account": emulator.account_id,
            "region": emulator.region,
            "summary": State(emulator).summary(),
            "tables": records,
        }


# -- rendering ------------------------------------------------------------------------------------
def _cell(column: str, value: Any) -> str:
    if (column in _SIZE_COLUMNS or column.endswith("_bytes")) and isinstance(value, int):
        return human_size(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value) if all(isinstance(i, str) for i in value) else str(len(value))
    if isinstance(value, dict):
        return str(len(value))
    return "" if value is None else str(value)


def human_size(size: int) -> str:
    amount = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            return f"{size} B" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    raise AssertionError("unreachable")


def _columns(rows: Rows) -> list[str]:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


def _text_table(rows: Rows, indent: str = "") -> str:
    if not rows:
        return f"{indent}(none)"
    columns = _columns(rows)
    cells = [[_cell(c, row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip() for line in cells]
    return "\n".join(indent + line for line in lines)


def _html_table(rows: Rows) -> str:
    if not rows:
        return "<p><em>none</em></p>"
    columns = _columns(rows)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(c, row.get(c)))}</td>" for c in columns) + "</tr>"
        for row in rows
    )
    return f'<table class="kumo"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _resource_sections(summary: dict[str, Any]) -> list[tuple[str, Rows]]:
    return [(kind, rows) for kind, rows in summary.items() if isinstance(rows, list)]


def _records_note(records: dict[str, int]) -> str:
    """What a service without a summary holds: its tables' record counts."""
    if not records:
        return "no resources"
    return "records: " + ", ".join(f"{name} {count}" for name, count in records.items())


def _text_service(service: str, summary: dict[str, Any], records: dict[str, int]) -> list[str]:
    sections = _resource_sections(summary)
    if not sections:
        return [f"{service}: {_records_note(records)}"]
    return [f"{service} · {kind} ({len(rows)})\n{_text_table(rows, '  ')}" for kind, rows in sections]


def _html_service(service: str, summary: dict[str, Any], records: dict[str, int]) -> str:
    sections = _resource_sections(summary)
    if not sections:
        return f"<h4>{html.escape(service)}</h4><p><em>{html.escape(_records_note(records))}</em></p>"
    return "".join(
        f"<h4>{html.escape(service)} · {html.escape(kind)} ({len(rows)})</h4>{_html_table(rows)}"
        for kind, rows in sections
    )


def _headline(emulator: "Emulator") -> str:
    state = "active" if emulator.active else "inactive"
    clock = getattr(emulator.clock, "kind", type(emulator.clock).__name__)
    return (f"kumo_intercept emulator ({state}) · account {emulator.account_id} · {emulator.region} · "
            f"{clock} clock {emulator.clock.now().isoformat(timespec='seconds')} · seed {emulator.ids.seed!r}")


def _fault_rows(emulator: "Emulator") -> Rows:
    return [{"fault": "latency" if fault.latency and not fault.injects_error else "error",
             "service": fault.service or "*", "operation": fault.operation or "*",
             "hits": fault.hits if fault.count is None else f"{fault.hits} of {fault.count}"}
            for fault in emulator.faults]


def emulator_text(emulator: "Emulator") -> str:
    """The emulator as plain text: headline, resources per service, faults, recent calls."""
    calls = list(emulator.calls)
    parts = [_headline(emulator), repr(State(emulator))]
    faults = _fault_rows(emulator)
    if faults:
        parts += [f"faults ({len(faults)})", _text_table(faults, "  ")]
    parts.append(f"recent calls ({min(len(calls), RECENT_CALLS)} of {len(calls)})")
    parts.append(_text_table(_call_rows(calls[-RECENT_CALLS:]), "  "))
    return "\n".join(parts)


def emulator_html(emulator: "Emulator") -> str:
    """The emulator as HTML for Jupyter: headline, resources per service, faults, recent calls."""
    calls = list(emulator.calls)
    faults = _fault_rows(emulator)
    fault_part = f"<h4>faults ({len(faults)})</h4>{_html_table(faults)}" if faults else ""
    return (
        f'<div class="kumo-emulator"><p><strong>{html.escape(_headline(emulator))}</strong></p>'
        f"{State(emulator)._repr_html_()}{fault_part}"
        f"<h4>recent calls ({min(len(calls), RECENT_CALLS)} of {len(calls)})</h4>"
        f"{_html_table(_call_rows(calls[-RECENT_CALLS:]))}</div>"
    )
