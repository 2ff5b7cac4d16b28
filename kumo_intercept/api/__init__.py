"""Typed API of the emulated services, generated from botocore's models by ``kumo_intercept.codegen``.

One module per botocore service (``kumo_intercept.api.sqs``, ``kumo_intercept.api.awslambda``…): its
shapes are types in a stub (``sqs.pyi``) that only type checkers read; the module itself holds what runs
(operations, error factories, paginators). The definitions here are what every generated module shares.
See docs/writing-a-backend.md, "The typed API".
"""

from __future__ import annotations

from typing import IO, Callable, NamedTuple, Protocol, TypedDict, Union


class NoMembers(TypedDict):
    """The params or result of an operation whose model has no input or output shape."""


class Readable(Protocol):
    """What a handler may hand back as a streaming body (botocore's StreamingBody, a file…)."""

    def read(self, amt: int | None = ..., /) -> bytes: ...


#: a streaming blob member (S3's ``Body``): what a caller passes in, or a readable the handler returns
StreamingBlob = Union[bytes, bytearray, str, IO[bytes], Readable]


class Paginator(NamedTuple):
    """One operation's entry of botocore's paginators-1 model, every token key as a tuple."""

    input_token: tuple[str, ...]
    output_token: tuple[str, ...]
    result_key: tuple[str, ...]
    limit_key: str | None
    more_results: str | None


def shapes_as_dict(module: str) -> Callable[[str], type]:
    """A generated module's ``__getattr__``: its shapes are types of its stub (``<module>.pyi``), for
    type checkers; named at run time (``cast(sqs.SendMessageResult, out)``, a ``TypeVar``'s
    constraints) a shape is ``dict``, which every value of a TypedDict is."""

    def shape(name: str) -> type:
        if name[:1].isupper():  # every capitalised name of a generated module is a shape or an alias
            return dict
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return shape
