"""Object bodies: read what the caller gave (bytes, str, file objects, iterables) in chunks, keep small
ones inline and large ones in blob files, and hand them back as botocore ``StreamingBody``s without loading
them onto the heap.

A stored body is either ``record["data"]`` (bytes, up to ``INLINE_LIMIT``) or ``record["segs"]``: a
list of ``[blob_id, size]`` segments read one after the other (a multipart object keeps its parts'
blobs as they are, so completing a 1 GiB upload copies nothing).
"""

from __future__ import annotations

import hashlib
import io
from typing import Any, Iterable, Iterator

from ...core.errors import AwsError
from ...core.streams import ResponseBody, ResponseStream, response_body
from ...store.blobs import BlobStore
from .checksums import Hasher, checksum_of
from .common import CHUNK, INLINE_LIMIT


class Body:
    """What reading an input body produced."""

    __slots__ = ("data", "segs", "size", "md5", "checksums")

    def __init__(self, data: bytes | None, segs: list | None, size: int, md5: str,
                 checksums: dict[str, str]) -> None:
        self.data = data
        self.segs = segs
        self.size = size
        self.md5 = md5
        self.checksums = checksums


def _chunks(body: Any, limit: int | None) -> Iterator[bytes]:
    """The caller's body as bytes chunks, at most ``limit`` bytes (ContentLength) when given."""
    if body is None:
        return
    if isinstance(body, str):
        body = body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        data = bytes(body)
        yield data if limit is None else data[:limit]
        return
    read = getattr(body, "read", None)
    if read is not None:
        remaining = limit
        while remaining is None or remaining > 0:
            chunk = read(CHUNK if remaining is None else min(CHUNK, remaining))
            if not chunk:
                return
            if isinstance(chunk, str):
                chunk = chunk.encode("utf-8")
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk
        return
    remaining = limit
    for chunk in body:  # any iterable of bytes
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8")
        if remaining is not None:
            chunk = chunk[:remaining]
            remaining -= len(chunk)
        yield bytes(chunk)
        if remaining == 0:
            return


def read_body(blobs: BlobStore, body: Any, content_length: int | None,
              algorithms: Iterable[str] = ()) -> Body:
    """Read ``body`` once, hashing it (MD5 and ``algorithms``); large bodies go to a blob file."""
    if isinstance(body, io.BytesIO):  # botocore's wrapping of bytes and str: fast path
        data = body.read() if content_length is None else body.read(content_length)
        if len(data) <= INLINE_LIMIT:
            _check_length(len(data), content_length)
            return Body(data, None, len(data), hashlib.md5(data).hexdigest(),
                        {algorithm: checksum_of(algorithm, (data,)) for algorithm in algorithms})
        chunks: Iterator[bytes] = iter((data,))
    else:
        chunks = _chunks(body, content_length)
    md5 = hashlib.md5()
    hashers = [Hasher(a) for a in algorithms]
    buffered: list[bytes] = []
    size = 0
    for chunk in chunks:
        if not chunk:
            continue
        md5.update(chunk)
        for hasher in hashers:
            hasher.update(chunk)
        buffered.append(chunk)
        size += len(chunk)
        if size > INLINE_LIMIT:
            break
    if size <= INLINE_LIMIT:
        _check_length(size, content_length)
        return Body(b"".join(buffered), None, size, md5.hexdigest(), {h.algorithm: h.b64() for h in hashers})

    def rest() -> Iterator[bytes]:
        yield from buffered
        buffered.clear()
        for chunk in chunks:
            if chunk:
                md5.update(chunk)
                for hasher in hashers:
                    hasher.update(chunk)
                yield chunk

    blob_id, size = blobs.write(rest())
    _check_length(size, content_length)
    return Body(None, [[blob_id, size]], size, md5.hexdigest(), {h.algorithm: h.b64() for h in hashers})


def _check_length(size: int, content_length: int | None) -> None:
    if content_length is not None and size < content_length:
        raise AwsError("IncompleteBody", "You did not provide the number of bytes specified by the "
                       "Content-Length HTTP header", 400)


def iter_record(blobs: BlobStore, record: dict, start: int = 0, length: int | None = None) -> Iterator[bytes]:
    """The bytes of a stored body (or a range of it), in chunks."""
    data = record.get("data")
    total = record["size"]
    end = total if length is None else min(total, start + length)
    if data is not None:
        if end > start:
            yield data[start:end]
        return
    offset = 0
    for blob_id, size in record.get("segs") or ():
        seg_start, seg_end = offset, offset + size
        offset = seg_end
        if seg_end <= start:
            continue
        if seg_start >= end:
            return
        lo = max(start, seg_start) - seg_start
        hi = min(end, seg_end) - seg_start
        with blobs.open(blob_id) as f:
            f.seek(lo)
            remaining = hi - lo
            while remaining > 0:
                chunk = f.read(min(CHUNK, remaining))
                if not chunk:
                    raise RuntimeError(f"blob {blob_id} is shorter than its record says")
                remaining -= len(chunk)
                yield chunk


class SegmentReader(ResponseStream):
    """A response stream over a range of a segmented body, opening one blob file at a time.

    It pins its blobs (see ``pinned``) until it is closed or read to the end, so the blob
    collector leaves them alone even if the object is deleted meanwhile.
    """

    def __init__(self, blobs: BlobStore, segs: list, start: int, length: int) -> None:
        super().__init__(iter_record(blobs, {"segs": segs, "size": sum(s[1] for s in segs)}, start, length), length)
        self.blob_ids = {seg[0] for seg in segs}

    def _release(self) -> None:
        super()._release()
        self.blob_ids = set()


def streaming_body(blobs: BlobStore, record: dict, start: int, length: int,
                   readers: Any = None) -> ResponseBody:
    data = record.get("data")
    if data is not None:
        return response_body(data if start == 0 and length == len(data) else data[start:start + length])
    reader = SegmentReader(blobs, record["segs"], start, length)
    if readers is not None:
        readers.add(reader)
    return response_body(reader)


def blob_ids(record: dict | None) -> list[str]:
    if not record:
        return []
    segs = record.get("segs")
    return [seg[0] for seg in segs] if segs else []
