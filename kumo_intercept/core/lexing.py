"""Splitting the text of a small query or pattern language into tokens by one regular expression.

Several services parse languages of their own (Logs filter patterns and Insights queries, CloudWatch
Metrics Insights): each gives a grammar with one named group per kind of token and an error to raise
where nothing matches; the loop is the same for all.
"""

from __future__ import annotations

import re
from typing import Callable


def tokenize(grammar: re.Pattern[str], text: str, error: Callable[[int], Exception]) -> list[tuple[str, str]]:
    """``(group name, text)`` of each token of ``grammar`` (one named group per kind) in ``text``;
    ``error(position)`` is raised where no token matches. Trailing white space is ignored."""
    out: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = grammar.match(text, position)
        if match is None or match.end() == position:
            raise error(position)
        kind = match.lastgroup
        out.append((kind, match.group(kind)))  # type: ignore[arg-type]
        position = match.end()
    return out
