"""QueryLanguage "JSONata": ``{% expression %}`` strings evaluated with the optional ``jsonata-python``
package (``pip install kumo_intercept[jsonata]``), with ``$states.input``, ``$states.result``,
``$states.errorOutput``, ``$states.context`` and the workflow variables bound.

Reference: the developer guide's "Transforming data with JSONata in Step Functions" and
"Passing data between states with variables". Evaluation errors fail the state with
``States.QueryEvaluationError``.
"""

from __future__ import annotations

import functools
from typing import Any

from .failures import StateFailure

EXTRA_MISSING = ("QueryLanguage JSONata needs the optional jsonata-python package: "
                 "pip install 'kumo_intercept[jsonata]'")


def available() -> bool:
    try:
        import jsonata  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def _compiled(expression: str) -> Any:
    import jsonata  # type: ignore[import-untyped]

    return jsonata.Jsonata(expression)


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def evaluate(text: str, bindings: dict) -> Any:
    """A ``{% … %}`` string's value (other values are returned as they are)."""
    if not is_expression(text):
        return text
    expression = text[2:-2].strip()
    try:
        return _compiled(expression).evaluate(None, bindings)
    except Exception as exc:  # jsonata-python raises its own JException (a RuntimeError) and others
        raise StateFailure("States.QueryEvaluationError",
                           f"An error occurred while evaluating the expression '{expression}': {exc}") from None


def fill(template: Any, bindings: dict) -> Any:
    """A template (Arguments, Output, Assign, ItemSelector) with every expression string evaluated."""
    if isinstance(template, dict):
        return {key: fill(value, bindings) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, bindings) for value in template]
    return evaluate(template, bindings)
