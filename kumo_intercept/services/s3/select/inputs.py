"""Reading the object's records: CSV (quoted records, delimiters, headers) and JSON (document or lines),
decompression and ScanRange."""

from __future__ import annotations

import bz2
import gzip
import json
import zlib
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from .errors import SelectError


@dataclass
class CsvFormat:
    header: str = "NONE"
    comments: str | None = None
    quote_escape: str = '"'
    record_delimiter: str = "\n"
    field_delimiter: str = ","
    quote: str = '"'
    allow_quoted_record_delimiter: bool = False


def csv_format(spec: Mapping[str, Any]) -> CsvFormat:
    header = spec.get("FileHeaderInfo", "NONE").upper()
    if header not in ("USE", "IGNORE", "NONE"):
        raise SelectError("InvalidFileHeaderInfo")
    return CsvFormat(header, spec.get("Comments") or None, spec.get("QuoteEscapeCharacter") or '"',
                     spec.get("RecordDelimiter") or "\n", spec.get("FieldDelimiter") or ",",
                     spec.get("QuoteCharacter") or '"', bool(spec.get("AllowQuotedRecordDelimiter")))


def csv_records(data: bytes, fmt: CsvFormat) -> Iterator[tuple[int, int, list[str]]]:
    """(start offset, end offset, fields) of each record; comment lines skipped."""
    record_delimiter = fmt.record_delimiter.encode()
    quote = fmt.quote.encode()
    pos, size = 0, len(data)
    while pos < size:
        start = pos
        end = data.find(record_delimiter, pos)
        end = size if end < 0 else end
        line = data[pos:end]
        if quote and quote in line:
            fields, pos = _quoted_record(data, pos, fmt)
        else:
            fields, pos = _split(line, fmt), end + len(record_delimiter)
        if fmt.comments and fields[0].startswith(fmt.comments):
            continue
        yield start, min(pos, size), fields


def _split(line: bytes, fmt: CsvFormat) -> list[str]:
    if fmt.record_delimiter == "\n" and line.endswith(b"\r"):
        line = line[:-1]
    return _decode(line).split(fmt.field_delimiter)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SelectError("CSVParsingError") from None


def _quoted_record(data: bytes, pos: int, fmt: CsvFormat) -> tuple[list[str], int]:
    """One record holding quote characters, read character by character from ``pos``; the text read
    grows one delimited line at a time, as a quoted field may hold record delimiters."""
    window = _Window(data, pos, fmt.record_delimiter.encode())
    fields: list[str] = []
    current: list[str] = []
    index, in_quotes = 0, False
    record_delimiter, field_delimiter, quote = fmt.record_delimiter, fmt.field_delimiter, fmt.quote
    while index < len(window.text) or (in_quotes and window.grow()):
        text = window.text
        char = text[index]
        if in_quotes:
            if char == fmt.quote_escape and text.startswith(quote, index + 1):
                current.append(quote)
                index += 1 + len(quote)
            elif text.startswith(quote, index):
                in_quotes = False
                index += len(quote)
            elif text.startswith(record_delimiter, index) and not fmt.allow_quoted_record_delimiter:
                raise SelectError("CSVEscapingRecordDelimiter")
            else:
                current.append(char)
                index += 1
        elif text.startswith(quote, index) and not current:
            in_quotes = True
            index += len(quote)
        elif text.startswith(field_delimiter, index):
            fields.append("".join(current))
            current = []
            index += len(field_delimiter)
        elif text.startswith(record_delimiter, index):
            break
        else:
            current.append(char)
            index += 1
    if in_quotes:
        raise SelectError("CSVParsingError")
    last = "".join(current)
    if record_delimiter == "\n" and last.endswith("\r"):
        last = last[:-1]
    fields.append(last)
    return fields, window.end


class _Window:
    """The text of a record from ``start``, one delimited line at a time (delimiters included)."""

    def __init__(self, data: bytes, start: int, delimiter: bytes) -> None:
        self.data, self.delimiter = data, delimiter
        self.text = ""
        self.end = start
        self.grow()

    def grow(self) -> bool:
        if self.end >= len(self.data):
            return False
        found = self.data.find(self.delimiter, self.end)
        stop = len(self.data) if found < 0 else found + len(self.delimiter)
        self.text += _decode(self.data[self.end:stop])
        self.end = stop
        return True


def json_records(data: bytes, lines: bool) -> Iterator[tuple[int, int, Any]]:
    """(start offset, end offset, value) of each JSON value: one document after another, or one a
    line (LINES)."""
    if lines:
        yield from _json_lines(data)
        return
    text = _json_text(data)
    decoder = json.JSONDecoder()
    index, size = 0, len(text)
    while True:
        while index < size and text[index].isspace():
            index += 1
        if index >= size:
            return
        try:
            value, end = decoder.raw_decode(text, index)
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's json can read
            raise SelectError("JSONParsingError") from None
        yield index, end, value
        index = end


def _json_lines(data: bytes) -> Iterator[tuple[int, int, Any]]:
    pos, size = 0, len(data)
    while pos < size:
        end = data.find(b"\n", pos)
        end = size if end < 0 else end
        line = data[pos:end].strip()
        if line:
            try:
                value = json.loads(_json_text(line))
            except (ValueError, RecursionError):
                raise SelectError("JSONParsingError") from None
            yield pos, end + 1, value
        pos = end + 1


def _json_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SelectError("JSONParsingError") from None


def decompress(data: bytes, compression: str) -> bytes:
    try:
        if compression == "GZIP":
            return gzip.decompress(data)
        if compression == "BZIP2":
            return bz2.decompress(data)
    except (OSError, EOFError, ValueError, zlib.error):
        raise SelectError("TruncatedInput") from None
    if compression not in ("NONE", ""):
        raise SelectError("InvalidCompressionFormat")
    return data


def in_scan_range(records: Iterator[tuple[int, int, Any]], start: int, end: int) -> Iterator[tuple[int, int, Any]]:
    """The records that begin within [start, end] (a record begun before ``start`` belongs to the
    range before; one begun inside runs to its own end)."""
    for first, last, value in records:
        if first > end:
            return
        if first >= start:
            yield first, last, value
