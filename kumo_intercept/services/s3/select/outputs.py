"""Serializing result rows as CSV or JSON (OutputSerialization)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from .errors import MISSING, SelectError
from .values import CsvRow, render_text




@dataclass
class CsvOutput:
    record_delimiter: str = "\n"
    field_delimiter: str = ","
    quote: str = '"'
    quote_escape: str = '"'
    always: bool = False

    def row(self, pairs: list[tuple[str, Any]]) -> str:
        return self.field_delimiter.join(self.field(value) for _, value in pairs) + self.record_delimiter

    def field(self, value: Any) -> str:
        text = render_text(value)
        needs = self.always or any(mark in text for mark in (self.field_delimiter, self.quote,
                                                              self.record_delimiter, "\n", "\r"))
        if not needs:
            return text
        return self.quote + text.replace(self.quote, self.quote_escape + self.quote) + self.quote


@dataclass
class JsonOutput:
    record_delimiter: str = "\n"

    def row(self, pairs: list[tuple[str, Any]]) -> str:
        body = {name: _json_ready(value) for name, value in pairs if value is not MISSING}
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False) + self.record_delimiter


def _json_ready(value: Any) -> Any:
    return value.as_dict() if isinstance(value, CsvRow) else value


def output_format(spec: Mapping[str, Any]) -> CsvOutput | JsonOutput:
    if "CSV" in spec and "JSON" in spec:
        raise SelectError("ObjectSerializationConflict")
    if "JSON" in spec:
        return JsonOutput(spec["JSON"].get("RecordDelimiter") or "\n")
    if "CSV" not in spec:
        raise SelectError("MissingRequiredParameter")
    csv = spec["CSV"]
    quote_fields = csv.get("QuoteFields", "ASNEEDED").upper()
    if quote_fields not in ("ALWAYS", "ASNEEDED"):
        raise SelectError("InvalidQuoteFields")
    return CsvOutput(csv.get("RecordDelimiter") or "\n", csv.get("FieldDelimiter") or ",",
                     csv.get("QuoteCharacter") or '"', csv.get("QuoteEscapeCharacter") or '"',
                     quote_fields == "ALWAYS")
