"""S3 Select (SelectObjectContent): AWS's SQL subset over CSV and JSON objects, answered as the event
stream botocore parses from AWS (Records, Progress, Stats, End).

Facts: the S3 API reference (SelectObjectContent, "Appendix: SelectObjectContent Response"), the S3
user guide's "SQL reference for Amazon S3 Select" (SELECT command, data types, operators, aggregate,
conditional, conversion and string functions) and "List of SELECT Object Content Error Codes" (codes,
wording, statuses).

Pipeline: ``parse`` (lexer and recursive-descent parser, bounded) -> ``Query``; ``run`` decompresses
the object, reads its records (``csv_records`` / ``json_records``, honouring ScanRange), filters and
projects them (or folds them through aggregates) and serializes rows as CSV or JSON. The parser cannot
hang or recurse without bound: the expression is at most 256 KiB (ExpressionTooLong), nesting is at
most ``MAX_DEPTH`` levels and an expression has at most ``MAX_OPERATORS`` operators
(MaxOperatorsExceeded); chains of one precedence are flat lists, evaluated in loops.

Values: ``None`` is SQL NULL, ``MISSING`` an absent attribute (left out of JSON output). CSV fields are
strings; comparisons and arithmetic between a string and a number read the string as a number.
"""

from __future__ import annotations

from .query import prepare, run
from .stream import event_stream

__all__ = ["event_stream", "prepare", "run"]
