"""Paths into a JSON document (``$.a.b[0]``): reading one, and walking a document along it.

Two AWS languages name a value of a JSON log event this way, and spell the steps differently, so each caller
gives its own step grammar (one named group per kind of step, as ``core.lexing`` grammars do) and both share
the walk:

- Contributor Insights rules' ``Keys``, ``ValueOf`` and ``Match`` (CloudWatch user guide, "Contributor
  Insights rule syntax", *JSON property format notation*): ``.name`` and ``[index]`` steps only.
- CloudWatch Logs JSON filter patterns' property selectors (Logs user guide, "Filter pattern syntax for metric
  filters, subscription filters, filter log events, and Live Tail"): names of letters, digits, ``-`` and
  ``_`` (they stand inside a larger expression), ``['name.with.periods']``, ``[index]``, and the wildcard
  selector ``.*`` / ``[*]`` ("any array element or any JSON object field"), which may select several values.

Group names a grammar may use: ``name`` and ``quoted`` (a property), ``index`` (an array element),
``wildcard`` (every field of an object or element of an array).
"""

from __future__ import annotations

import enum
import re
from typing import Any, Callable, Iterator, Sequence, Union

from .lexing import tokenize


class Wildcard(enum.Enum):
    """The wildcard step: every field of an object, every element of an array."""

    ANY = "*"


Step = Union[str, int, Wildcard]

#: what ``value`` answers where a path selects nothing (``None`` is JSON's null, a value)
MISSING: Any = object()


def parse(grammar: re.Pattern[str], path: str, error: Callable[[int], Exception]) -> tuple[Step, ...]:
    """The steps of ``path``: ``$`` (the document's root) then steps of ``grammar``; ``error(position)`` is
    raised where ``path`` is not such a path. ``$`` alone is the root itself."""
    if not path.startswith("$"):
        raise error(0)
    return tuple(_step(kind, text) for kind, text in tokenize(grammar, path[1:], lambda at: error(at + 1)))


def _step(kind: str, text: str) -> Step:
    if kind == "index":
        return int(text)
    if kind == "wildcard":
        return Wildcard.ANY
    return text


def values(document: Any, steps: Sequence[Step]) -> Iterator[Any]:
    """Every value ``steps`` select in ``document``: at most one without a wildcard step; none where a step
    names a property an object lacks, an element past an array's end, or goes into a value of another kind."""
    for position, step in enumerate(steps):
        if isinstance(step, Wildcard):
            children = document.values() if isinstance(document, dict) else \
                document if isinstance(document, list) else ()
            for child in children:
                yield from values(child, steps[position + 1:])
            return
        document = _child(document, step)
        if document is MISSING:
            return
    yield document


def value(document: Any, steps: Sequence[Step]) -> Any:
    """The value a path without wildcard steps selects in ``document``, or ``MISSING``."""
    for step in steps:
        document = _child(document, step)
        if document is MISSING:
            break
    return document


def _child(document: Any, step: Step) -> Any:
    """The property or element one (non-wildcard) step names, or ``MISSING``."""
    if isinstance(step, int):
        return document[step] if isinstance(document, list) and step < len(document) else MISSING
    return document[step] if isinstance(document, dict) and step in document else MISSING
