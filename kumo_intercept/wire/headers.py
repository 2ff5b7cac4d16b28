"""HTTP header fields as the wire layer reads them: looked up whatever the case, listed as sent."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import TypeVar, Union, overload

_T = TypeVar("_T")
Fields = Union[Mapping[str, str], Iterable[tuple[str, str]]]


class Headers(MutableMapping[str, str]):
    """Header fields, case-insensitive for lookups, with their names as sent when listed (S3's
    ``x-amz-meta-*`` keys keep their case). One dict keyed by the lower-case name: a request is read
    a dozen times on the server's hot path, and botocore's ``HeadersDict`` builds a key object per
    lookup. A name given twice keeps its last value."""

    __slots__ = ("_fields",)

    def __init__(self, fields: Fields = ()) -> None:
        pairs = fields.items() if isinstance(fields, Mapping) else fields
        self._fields: dict[str, tuple[str, str]] = {name.lower(): (name, value) for name, value in pairs}

    def __getitem__(self, name: str) -> str:
        return self._fields[name.lower()][1]

    @overload
    def get(self, name: str) -> str | None: ...

    @overload
    def get(self, name: str, default: str | _T) -> str | _T: ...

    def get(self, name: str, default: object = None) -> object:
        found = self._fields.get(name.lower())
        return default if found is None else found[1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._fields

    def __setitem__(self, name: str, value: str) -> None:
        self._fields[name.lower()] = (name, value)

    def __delitem__(self, name: str) -> None:
        del self._fields[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _value in self._fields.values())

    def __len__(self) -> int:
        return len(self._fields)

    def lowered(self) -> Iterable[tuple[str, tuple[str, str]]]:
        """Each field as (lower-case name, (name as sent, value)), without lower-casing again."""
        return self._fields.items()

    def copy(self) -> "Headers":
        copied = Headers()
        copied._fields = dict(self._fields)
        return copied

    def __repr__(self) -> str:
        return f"Headers({dict(self._fields.values())!r})"
