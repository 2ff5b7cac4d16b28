"""AWS's wire protocols over the emulator: an HTTP request in, the HTTP response AWS would give out.

``handle(emulator, method, url, headers, body) -> (status, headers, body)`` routes the request as AWS
does (``handler.py``), reads it into operation params by botocore's models (``decode.py``), runs the
emulator's own dispatch (the same backends, state, ledger, clock and faults as in-process calls) and
writes the result or error in the request's protocol (``encode.py``). S3's extras (virtual hosts,
aws-chunked bodies, presigned URLs, POST uploads) are in ``s3.py``. The HTTP server is ``server.py``;
the in-process interception of HTTP libraries (presigned URLs fetched with requests, urllib3…) is
``httpclients.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Mapping, Union

if TYPE_CHECKING:
    from ..emulator import Emulator

__all__ = ["handle"]


def handle(emulator: "Emulator", method: str, url: str, headers: Mapping[str, str],
           body: bytes) -> tuple[int, dict[str, str], Union[bytes, Iterator[bytes]]]:
    """Serve one HTTP request with ``emulator``; see ``handler.handle``. The body is bytes, or for an
    event stream an iterator of its messages. The wire layer (botocore's parsers, the route tables)
    loads on the first request, not when an emulator is activated."""
    from .handler import handle as serve

    return serve(emulator, method, url, headers, body)
