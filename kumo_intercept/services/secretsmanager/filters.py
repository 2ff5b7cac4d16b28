"""ListSecrets / BatchGetSecretValue filters, as the Filter API reference and "Find secrets" describe:

- ``name``, ``tag-key``, ``tag-value``, ``primary-region``, ``owning-service``: prefix match, case-sensitive;
- ``description``: prefix match of the description or of one of its words, not case-sensitive;
- ``all``: the value is broken into words; each must prefix a word of the name, description, a tag key or
  a tag value, not case-sensitive.
A value starting with ``!`` negates. Values of one filter are OR-ed, filters are AND-ed.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Sequence

from ...api import secretsmanager

# words break at punctuation, at lower->upper case changes and between letters and digits
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _prefixes(candidates: Iterable[str], value: str) -> bool:
    return any(c.startswith(value) for c in candidates)


def _tags(secret: dict[str, Any], part: str) -> list[str]:
    return [tag[part] for tag in secret.get("Tags", []) if part in tag]  # a tag's Value is optional


def _all_words(secret: dict[str, Any]) -> list[str]:
    texts = [secret["Name"], secret.get("Description", ""), *_tags(secret, "Key"), *_tags(secret, "Value")]
    return [word for text in texts for word in _words(text)]


_MATCHERS: dict[str, Callable[[dict[str, Any], str], bool]] = {
    "name": lambda s, v: s["Name"].startswith(v),
    "tag-key": lambda s, v: _prefixes(_tags(s, "Key"), v),
    "tag-value": lambda s, v: _prefixes(_tags(s, "Value"), v),
    "primary-region": lambda s, v: s.get("PrimaryRegion", "").startswith(v),
    "owning-service": lambda s, v: s.get("OwningService", "").startswith(v),
    "description": lambda s, v: _prefixes([s.get("Description", "").lower(), *_words(s.get("Description", ""))],
                                          v.lower()),
    "all": lambda s, v: all(_prefixes(_all_words(s), word) for word in _words(v)),
}


def _value_matches(secret: dict[str, Any], key: str, value: str) -> bool:
    if value.startswith("!"):
        return not _MATCHERS[key](secret, value[1:])
    return _MATCHERS[key](secret, value)


def matches(secret: dict[str, Any], filters: Sequence[secretsmanager.Filter]) -> bool:
    """Whether a secret (its described form: Name, Description, Tags, PrimaryRegion…) passes every filter."""
    return all(any(_value_matches(secret, f["Key"], v) for v in f.get("Values", []))
               for f in filters if "Key" in f)
