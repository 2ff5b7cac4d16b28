"""Running a query: the request checked (``prepare``), records read, filtered, projected or folded
through aggregates (``run``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from ....core.errors import AwsError
from .errors import MISSING, RECORDS_CHUNK, SelectError
from .evaluate import Accumulator, Scope, evaluate, truth_of
from .inputs import CsvFormat, csv_format, csv_records, decompress, in_scan_range, json_records
from .outputs import CsvOutput, JsonOutput, output_format
from .sql import Path, Query, parse
from .values import CsvRow, step_into


@dataclass
class Outcome:
    """What the query produced: Records payloads, the byte counts of Stats/Progress, and the data error
    met part-way (sent as an error event after the records before it)."""
    payloads: list[bytes]
    scanned: int
    processed: int
    returned: int
    error: SelectError | None = None


@dataclass
class Request:
    query: Query
    input_spec: Mapping[str, Any]
    output: CsvOutput | JsonOutput
    scan_range: Mapping[str, Any] | None


def prepare(params: Mapping[str, Any]) -> Request:
    """Check the request and parse its expression: everything AWS refuses before streaming."""
    if params.get("ExpressionType", "SQL") != "SQL":
        raise SelectError("InvalidExpressionType")
    input_spec = params["InputSerialization"]
    formats = [name for name in ("CSV", "JSON", "Parquet") if name in input_spec]
    if len(formats) > 1:
        raise SelectError("ObjectSerializationConflict")
    if not formats:
        raise SelectError("MissingRequiredParameter")
    if formats[0] == "Parquet":
        raise AwsError("NotImplemented", "Parquet input is not emulated; CSV and JSON are.", 501)
    if "JSON" in input_spec and input_spec["JSON"].get("Type", "DOCUMENT").upper() not in ("DOCUMENT", "LINES"):
        raise SelectError("InvalidJsonType")
    if "CSV" in input_spec:
        csv_format(input_spec["CSV"])
    output = output_format(params["OutputSerialization"])
    query = parse(params["Expression"])
    return Request(query, input_spec, output, params.get("ScanRange"))


def scan_bounds(scan_range: Mapping[str, Any] | None, size: int) -> tuple[int, int]:
    if not scan_range:
        return 0, size
    start, end = scan_range.get("Start"), scan_range.get("End")
    if start is None and end is not None:
        return max(0, size - end), size
    start = start or 0
    end = size - 1 if end is None else end
    if start > end or start < 0:
        raise SelectError("InvalidScanRange")
    return start, end


def records_of(request: Request, data: bytes) -> tuple[Iterator[tuple[int, int, Any]], int, int]:
    """The records to read, and the (scanned, processed) byte counts; refuses what AWS refuses
    before streaming (compression unknown, scan ranges where they are not supported)."""
    spec = request.input_spec
    compression = (spec.get("CompressionType") or "NONE").upper()
    if compression not in ("NONE", "GZIP", "BZIP2"):
        raise SelectError("InvalidCompressionFormat")
    lines = "JSON" in spec and spec["JSON"].get("Type", "DOCUMENT").upper() == "LINES"
    if request.scan_range and (compression != "NONE" or ("JSON" in spec and not lines)):
        raise SelectError("UnsupportedScanRangeInput")
    scanned = len(data)
    start, end = scan_bounds(request.scan_range, len(data))
    plain = decompress(data, compression)
    if "CSV" in spec:
        raw: Iterator[tuple[int, int, Any]] = _csv_rows(plain, csv_format(spec["CSV"]), start == 0)
    else:
        raw = json_records(plain, lines)
    if request.scan_range:
        raw = in_scan_range(raw, start, end)
        scanned = min(end + 1, len(data)) - start
    return raw, scanned, len(plain) if not request.scan_range else scanned


def _csv_rows(data: bytes, fmt: CsvFormat, has_header: bool) -> Iterator[tuple[int, int, Any]]:
    names: list[str] | None = None
    records = csv_records(data, fmt)
    if fmt.header in ("USE", "IGNORE") and has_header:
        header = next(records, None)
        if header is not None and fmt.header == "USE":
            names = header[2]
    for first, last, fields in records:
        yield first, last, CsvRow(fields, names)


def source_rows(query: Query, records: Iterator[tuple[int, int, Any]]) -> Iterator[Any]:
    """Each record navigated through the FROM path: ``[*]`` fans out over an array, names step in."""
    steps = query.source[1:] if query.source[:1] == ("*",) else query.source
    for _, _, record in records:
        yield from _navigate(record, steps)


def _navigate(value: Any, steps: tuple[Any, ...]) -> Iterator[Any]:
    current = [value]
    for step in steps:
        following: list[Any] = []
        for item in current:
            if step == "*":
                following.extend(item if isinstance(item, list) else [MISSING])
            else:
                following.append(step_into(item, step, False))
        current = following
    yield from current


def project(query: Query, scope: Scope) -> list[tuple[str, Any]]:
    if query.items is None:
        return _star(scope.row)
    pairs: list[tuple[str, Any]] = []
    for position, item in enumerate(query.items, 1):
        pairs.append((item.alias or _derived_name(item.expression, position), evaluate(item.expression, scope)))
    return pairs


def _star(row: Any) -> list[tuple[str, Any]]:
    if isinstance(row, CsvRow):
        return list(row.as_dict().items())
    if isinstance(row, dict):
        return list(row.items())
    if row is MISSING:
        return []
    return [("_1", row)]


def _derived_name(expression: Any, position: int) -> str:
    """A path's last member name; ``_N`` (its position) for anything else."""
    if isinstance(expression, Path) and isinstance(expression.steps[-1], str) and len(expression.steps) > 1:
        return expression.steps[-1]
    if isinstance(expression, Path) and isinstance(expression.steps[0], str) and len(expression.steps) == 1:
        return expression.steps[0]
    return f"_{position}"


def run(request: Request, data: bytes) -> Outcome:
    """Run a prepared query over an object's bytes."""
    records, scanned, processed = records_of(request, data)
    query = request.query
    alias = (query.alias or "s3object").lower()
    out = Writer(request.output)
    try:
        if query.aggregates:
            _aggregate(query, source_rows(query, records), alias, out)
        else:
            _select(query, source_rows(query, records), alias, out)
    except SelectError as exc:
        return Outcome(out.payloads(), scanned, processed, out.returned, exc)
    return Outcome(out.payloads(), scanned, processed, out.returned)


def _selected(query: Query, scope: Scope) -> bool:
    return query.where is None or truth_of(evaluate(query.where, scope)) is True


def _select(query: Query, rows: Iterator[Any], alias: str, out: Writer) -> None:
    emitted = 0
    if query.limit == 0:
        return
    for row in rows:
        scope = Scope(row, alias)
        if not _selected(query, scope):
            continue
        out.add(project(query, scope))
        emitted += 1
        if query.limit is not None and emitted >= query.limit:
            return


def _aggregate(query: Query, rows: Iterator[Any], alias: str, out: Writer) -> None:
    accumulators = [Accumulator(aggregate) for aggregate in query.aggregates]
    for row in rows:
        scope = Scope(row, alias)
        if _selected(query, scope):
            for accumulator in accumulators:
                accumulator.add(scope)
    folded = {id(acc.aggregate): acc.result() for acc in accumulators}
    if query.limit != 0:
        out.add(project(query, Scope(None, alias, folded)))


class Writer:
    """Serialized rows gathered into Records payloads of about ``RECORDS_CHUNK`` bytes."""

    def __init__(self, output: CsvOutput | JsonOutput) -> None:
        self.output = output
        self.done: list[bytes] = []
        self.pending: list[bytes] = []
        self.pending_size = 0
        self.returned = 0

    def add(self, pairs: list[tuple[str, Any]]) -> None:
        raw = self.output.row(pairs).encode("utf-8")
        self.pending.append(raw)
        self.pending_size += len(raw)
        self.returned += len(raw)
        if self.pending_size >= RECORDS_CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.done.append(b"".join(self.pending))
            self.pending, self.pending_size = [], 0

    def payloads(self) -> list[bytes]:
        self.flush()
        return self.done
