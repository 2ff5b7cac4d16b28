"""S3's tables (see store/schema.py): buckets, configurations, objects and versions, uploads.

Object, version and part records hold their body inline (``data``) or as blob segments (``segs``:
``[[blob id, size], ...]``); ``segment_blobs`` names those blobs for compaction and exports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, TypedDict

from ...core.clock import from_epoch
from ...store.schema import ServiceSchema, TableSpec

if TYPE_CHECKING:
    from ...core.dispatch import ServiceBackend


def segment_blobs(record: Mapping[str, Any]) -> list[str]:
    """The blob ids of a body kept as segments (``segs``: ``[[blob id, size], ...]``)."""
    return [segment[0] for segment in record.get("segs") or ()]


BucketsRecord = TypedDict("BucketsRecord", {
    "account": str,
    "created": float,
    "lock": bool,
    "name": str,
    "region": str,
    "versioning": str | None,
}, total=False)

# s3.config: one configuration of a bucket: the document its Put* call stored, or a string

ObjectsRecord = TypedDict("ObjectsRecord", {
    "acl": str,
    "ck": dict,
    "ckt": str,
    "ct": str,
    "data": bytes,
    "etag": str,
    "hdr": dict,
    "hold": str,
    "lock": dict,
    "meta": dict,
    "mpu": str,
    "mtime": float,
    "parts": list,
    "restore": str,
    "restored": bool,
    "sc": str,
    "segs": list,
    "size": int,
    "sse": dict,
    "tags": dict,
    "vid": str | None,
}, total=False)

VersionsRecord = TypedDict("VersionsRecord", {
    "ck": dict,
    "ct": str,
    "data": bytes,
    "dm": bool,
    "etag": str,
    "hdr": dict,
    "hold": str,
    "lock": dict,
    "meta": dict,
    "mpu": str,
    "mtime": float,
    "owner": str,
    "segs": list,
    "size": int,
    "tags": dict,
    "vid": str | None,
}, total=False)

UploadsRecord = TypedDict("UploadsRecord", {
    "attrs": dict,
    "ckalg": str,
    "ckt": str,
    "id": str,
    "initiated": float,
    "owner": str,
}, total=False)

PartsRecord = TypedDict("PartsRecord", {
    "ck": dict,
    "data": bytes,
    "etag": str,
    "mtime": float,
    "segs": list,
    "size": int,
}, total=False)


#: bucket name -> the bucket
BUCKETS = TableSpec("s3.buckets", BucketsRecord)
#: (bucket, configuration kind) -> the configuration
CONFIG = TableSpec("s3.config", Any)
#: (bucket, key) -> the current object
OBJECTS = TableSpec("s3.objects", ObjectsRecord, ordered=True, blobs=segment_blobs)
#: (bucket, key, n) -> a version (or delete marker) of a versioned bucket's object
VERSIONS = TableSpec("s3.versions", VersionsRecord, ordered=True, blobs=segment_blobs)
#: (bucket, key, n) -> a multipart upload in progress
UPLOADS = TableSpec("s3.uploads", UploadsRecord, ordered=True)
#: (upload id, part number) -> an uploaded part
PARTS = TableSpec("s3.parts", PartsRecord, ordered=True, blobs=segment_blobs)
#: bucket -> when lifecycle rules were last applied
LIFECYCLE = TableSpec("s3.lifecycle", float)


def objects_view(backend: "ServiceBackend", bucket: str, prefix: str = "") -> list[dict[str, Any]]:
    """``aws.state.s3.objects(bucket, prefix="")``: the current objects whose keys start with
    ``prefix``, in key order."""
    buckets = BUCKETS.open(backend.store)
    if bucket not in buckets:
        raise KeyError(f"s3 has no bucket named {bucket!r}; it has: {sorted(buckets) or 'none'}")
    rows = []
    for (_bucket, key), record in OBJECTS.open_ordered(backend.store).items_range(
            (bucket, prefix), (bucket + "\x00",), (True, False)):
        if not key.startswith(prefix):
            break
        rows.append({"key": key, "size": record["size"], "etag": record["etag"],
                     "last_modified": from_epoch(record["mtime"]), "content_type": record.get("ct"),
                     "metadata": record.get("meta") or {}, "version_id": record.get("vid")})
    return rows


SCHEMA = ServiceSchema(tables=(BUCKETS, CONFIG, OBJECTS, VERSIONS, UPLOADS, PARTS, LIFECYCLE),
                       views={"objects": objects_view})

