"""Multipart uploads: create, parts (uploaded or copied), listings, complete, abort, and lifecycle rules
that abort incomplete uploads after N days (against the emulator clock, checked whenever an upload
is touched or listed)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote

from ...core.clock import from_epoch
from ...api import s3
from ...core.dispatch import Ctx, RequestContext
from ...core.errors import AwsError
from .bodies import iter_record, read_body
from .checksums import Hasher, composite
from .common import (
    CHECKSUM_ALGORITHMS, INLINE_LIMIT, MIN_PART_SIZE, Listing, SseResult, etag_of, invalid_argument,
    invalid_request, malformed_xml, no_such_upload, owner, query_integer, sdk_checksum_algorithm, unencoded,
)
from .listing import entries_of, start_after, walk_merged

if TYPE_CHECKING:
    from ...core.ids import IdGenerator
    from ...store.blobs import BlobStore
    from ...store.store import OrderedTable, Table
    from .config import BucketConfig
    from .notifications import Notifications

#: the results that name the lifecycle rule aborting an upload
_WithAbort = TypeVar("_WithAbort", s3.CreateMultipartUploadOutput, s3.ListPartsOutput)

_INF = float("inf")
_UPLOAD_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"


class ObjectHost(Protocol):
    """What multipart uploads use of the S3 backend's object handling (the backend implements it)."""

    def bucket_of(self, ctx: RequestContext, name: str) -> dict: ...
    def object_attributes(self, ctx: RequestContext, bucket: dict, p: Mapping[str, Any]) -> dict: ...
    def check_write_conditions(self, p: Mapping[str, Any], name: str, key: str) -> None: ...
    def copy_source(self, ctx: RequestContext, p: Mapping[str, Any]) -> tuple[dict, str, dict, str | None]: ...
    def install(self, ctx: RequestContext, bucket: dict, key: str, record: dict) -> None: ...
    def current_record(self, name: str, key: str) -> dict | None: ...
    def new_version_id(self, bucket: dict) -> str | None: ...
    def new_blob(self, segs: list | None) -> None: ...
    def next_seq(self) -> int: ...
    def given_checksums(self, p: Mapping[str, Any]) -> dict[str, str]: ...
    def verify_checksums(self, p: Mapping[str, Any], body: Any, given: dict[str, str]) -> None: ...
    def sse_out(self, record: dict, out: SseResult, customer_key: bool = True) -> None: ...
    def encoder(self, p: Mapping[str, Any]) -> Any: ...
    def finish_listing(self, out: Listing, delimiter: str | None, prefixes: list, enc: Any, max_member: str,
                       max_value: int) -> Listing: ...


class Multipart:
    """Multipart uploads (a component of the S3 backend): the ``s3.uploads`` and ``s3.parts`` tables and
    the upload handlers, which the backend's handlers of the same names delegate to."""

    def __init__(self, objects: ObjectHost, uploads: OrderedTable, parts: OrderedTable, blobs: BlobStore,
                 config: Table, bucket_config: BucketConfig, notifications: Notifications,
                 ids: IdGenerator) -> None:
        self.objects = objects
        self.uploads = uploads
        self.parts = parts
        self.blobs = blobs
        self.config = config
        self.bucket_config = bucket_config
        self.notifications = notifications
        self.ids = ids

    # -- finding uploads ----------------------------------------------------------------------
    def _upload(self, ctx: RequestContext, bucket: dict, key: str, upload_id: str) -> tuple[tuple, dict]:
        name = bucket["name"]
        for tkey, upload in entries_of(self.uploads, name, key):
            if upload["id"] == upload_id:
                if self._expired_upload(ctx, name, key, upload):
                    self.drop_upload(tkey, upload)
                    break
                return tkey, upload
        raise no_such_upload(upload_id)

    def _expired_upload(self, ctx: RequestContext, name: str, key: str, upload: dict) -> bool:
        abort = self.bucket_config.abort_date(name, key, upload["initiated"])
        return abort is not None and abort[0] <= ctx.time()

    def drop_upload(self, tkey: tuple, upload: dict) -> None:
        upload_id = upload["id"]
        for part_key in list(self.parts.irange((upload_id,), (upload_id, _INF))):
            self.parts.delete(part_key)
        self.uploads.delete(tkey)

    def _expire_uploads(self, ctx: RequestContext, name: str) -> None:
        """Apply AbortIncompleteMultipartUpload rules to a bucket's uploads (before listing them)."""
        if (name, "lifecycle") not in self.config:
            return
        for tkey, upload in list(self.uploads.items_range((name,), (name + "\x00",), (True, False))):
            if self._expired_upload(ctx, name, tkey[1], upload):
                self.drop_upload(tkey, upload)

    def _upload_extras(self, name: str, key: str, upload: dict, out: _WithAbort) -> _WithAbort:
        abort = self.bucket_config.abort_date(name, key, upload["initiated"])
        if abort is not None:
            out["AbortDate"] = from_epoch(abort[0])
            out["AbortRuleId"] = abort[1]
        return out

    # -- create -------------------------------------------------------------------------------
    def create_multipart_upload(self, ctx: Ctx[s3.CreateMultipartUploadRequest]) -> s3.CreateMultipartUploadResult:
        p = ctx.params
        bucket = self.objects.bucket_of(ctx, p["Bucket"])
        key = p["Key"]
        attrs = self.objects.object_attributes(ctx, bucket, p)
        algorithm = p.get("ChecksumAlgorithm")
        checksum_type = p.get("ChecksumType")
        if checksum_type and not algorithm:
            raise invalid_request("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm "
                                  "header.")
        if algorithm:
            algorithm = algorithm.upper()
            if algorithm not in CHECKSUM_ALGORITHMS:
                raise invalid_request(f"Checksum algorithm {algorithm} is not supported for multipart uploads")
            if checksum_type is None:
                checksum_type = "FULL_OBJECT" if algorithm == "CRC64NVME" else "COMPOSITE"
            if checksum_type == "FULL_OBJECT" and algorithm.startswith("SHA"):
                raise invalid_request(f"The FULL_OBJECT checksum type cannot be used with the {algorithm.lower()} "
                                      "checksum algorithm.")
            if checksum_type == "COMPOSITE" and algorithm == "CRC64NVME":
                raise invalid_request("The COMPOSITE checksum type cannot be used with the crc64nvme checksum "
                                      "algorithm.")
        upload_id = self.ids.chars(88, _UPLOAD_ALPHABET)
        upload = {"id": upload_id, "initiated": ctx.time(), "attrs": attrs, "owner": ctx.account}
        if algorithm:
            upload["ckalg"] = algorithm
            upload["ckt"] = checksum_type
        self.uploads.put((bucket["name"], key, self.objects.next_seq()), upload)
        out: s3.CreateMultipartUploadResult = {"Bucket": bucket["name"], "Key": key, "UploadId": upload_id}
        self.objects.sse_out(attrs, out)
        if algorithm:
            out["ChecksumAlgorithm"] = algorithm
            if checksum_type is not None:  # always: defaulted above when an algorithm is given
                out["ChecksumType"] = checksum_type
        return self._upload_extras(bucket["name"], key, upload, out)

    # -- parts --------------------------------------------------------------------------------
    @staticmethod
    def _part_number(number: int) -> None:
        if not 1 <= number <= 10000:
            raise invalid_argument("Part number must be an integer between 1 and 10000, inclusive", "partNumber",
                                   number)

    def upload_part(self, ctx: Ctx[s3.UploadPartRequest]) -> s3.UploadPartResult:
        p = ctx.params
        bucket = self.objects.bucket_of(ctx, p["Bucket"])
        self._part_number(p["PartNumber"])
        _tkey, upload = self._upload(ctx, bucket, p["Key"], p["UploadId"])
        given = self.objects.given_checksums(p)
        expected = upload.get("ckalg")
        sent = next(iter(given)) if given else sdk_checksum_algorithm(ctx, p)
        if expected and sent and sent != expected:
            raise invalid_request(f"Checksum Type mismatch occurred, expected checksum Type: {expected.lower()}, "
                                  f"actual checksum Type: {sent.lower()}")
        algorithms = {a for a in (expected, sent) if a}
        body = read_body(self.blobs, p.get("Body"), p.get("ContentLength"), algorithms)
        self.objects.new_blob(body.segs)
        self.objects.verify_checksums(p, body, given)
        part: dict[str, Any] = {"etag": etag_of(body.md5), "size": body.size, "mtime": ctx.time()}
        if body.data is not None:
            part["data"] = body.data
        else:
            part["segs"] = body.segs
        if body.checksums:
            part["ck"] = body.checksums
        self.parts.put((upload["id"], p["PartNumber"]), part)
        out: s3.UploadPartResult = {"ETag": part["etag"]}
        self.objects.sse_out(upload["attrs"], out)
        members: Any = out  # a checksum member's name is the algorithm's
        for alg in algorithms:
            members["Checksum" + alg] = body.checksums[alg]
        return out

    def upload_part_copy(self, ctx: Ctx[s3.UploadPartCopyRequest]) -> s3.UploadPartCopyResult:
        p = ctx.params
        bucket = self.objects.bucket_of(ctx, p["Bucket"])
        self._part_number(p["PartNumber"])
        _tkey, upload = self._upload(ctx, bucket, p["Key"], p["UploadId"])
        src_bucket, _src_key, source, _version = self.objects.copy_source(ctx, p)
        size = source["size"]
        start, length = 0, size
        spec = p.get("CopySourceRange")
        if spec is not None:
            match = re.fullmatch(r"bytes=(\d+)-(\d+)", spec.strip())
            if match is None:
                raise invalid_argument("The x-amz-copy-source-range value must be of the form bytes=first-last where "
                                       "first and last are the zero-based offsets of the first and last bytes to copy",
                                       "x-amz-copy-source-range", spec)
            first, last = int(match.group(1)), int(match.group(2))
            if first > last or last >= size:
                raise invalid_argument(f"Range specified is not valid for source object of size: {size}",
                                       "x-amz-copy-source-range", spec)
            start, length = first, last - first + 1
        algorithm = upload.get("ckalg")
        body = read_body(self.blobs, iter_record(self.blobs, source, start, length), None,
                         [algorithm] if algorithm else [])
        self.objects.new_blob(body.segs)
        part: dict[str, Any] = {"etag": etag_of(body.md5), "size": body.size, "mtime": ctx.time()}
        if body.data is not None:
            part["data"] = body.data
        else:
            part["segs"] = body.segs
        if body.checksums:
            part["ck"] = body.checksums
        self.parts.put((upload["id"], p["PartNumber"]), part)
        result: s3.CopyPartResult = {"ETag": part["etag"], "LastModified": from_epoch(int(part["mtime"]))}
        checksums: Any = result  # a checksum member's name is the algorithm's
        for alg, value in body.checksums.items():
            checksums["Checksum" + alg] = value
        out: s3.UploadPartCopyResult = {"CopyPartResult": result}
        self.objects.sse_out(upload["attrs"], out)
        if source.get("vid"):  # a null version goes unnamed
            out["CopySourceVersionId"] = source["vid"]
        return out

    def list_parts(self, ctx: Ctx[s3.ListPartsRequest]) -> s3.ListPartsResult:
        p = ctx.params
        bucket = self.objects.bucket_of(ctx, p["Bucket"])
        key = p["Key"]
        max_parts = min(query_integer(p, "MaxParts", "max-parts", 1000), 1000)
        marker = query_integer(p, "PartNumberMarker", "part-number-marker", 0)
        _tkey, upload = self._upload(ctx, bucket, key, p["UploadId"])
        listed: list[s3.Part] = []
        truncated = False
        for (_uid, number), part in self.parts.items_range((upload["id"], marker), (upload["id"], _INF),
                                                           (False, False)):
            if len(listed) == max_parts:
                truncated = True
                break
            entry: s3.Part = {"PartNumber": number, "LastModified": from_epoch(int(part["mtime"])),
                              "ETag": part["etag"], "Size": part["size"]}
            members: Any = entry  # a checksum member's name is the algorithm's
            for alg, value in (part.get("ck") or {}).items():
                if alg == upload.get("ckalg"):
                    members["Checksum" + alg] = value
            listed.append(entry)
        out: s3.ListPartsResult = {"Bucket": bucket["name"], "Key": key, "UploadId": upload["id"],
                               "PartNumberMarker": marker, "MaxParts": p.get("MaxParts", 1000),
                               "IsTruncated": truncated}
        # always there: the last part listed, else 0 (test_multipart_and_list_parts)
        out["NextPartNumberMarker"] = listed[-1]["PartNumber"] if listed else 0
        if listed:
            out["Parts"] = listed
        who = owner(upload["owner"])
        out["Initiator"] = who
        out["Owner"] = who
        out["StorageClass"] = upload["attrs"].get("sc", "STANDARD")
        if upload.get("ckalg"):
            out["ChecksumAlgorithm"] = upload["ckalg"]
            out["ChecksumType"] = upload["ckt"]
        return self._upload_extras(bucket["name"], key, upload, out)

    def list_multipart_uploads(self, ctx: Ctx[s3.ListMultipartUploadsRequest]) -> s3.ListMultipartUploadsResult:
        p = ctx.params
        bucket = self.objects.bucket_of(ctx, p["Bucket"])
        name = bucket["name"]
        self._expire_uploads(ctx, name)
        prefix = p.get("Prefix", "")
        delimiter = p.get("Delimiter") or None
        max_uploads = min(query_integer(p, "MaxUploads", "max-uploads", 1000), 1000)
        key_marker = p.get("KeyMarker", "")
        id_marker = p.get("UploadIdMarker")
        enc = self.objects.encoder(p) or unencoded
        if id_marker and key_marker:
            start, inclusive = key_marker, True
        else:
            start, inclusive = start_after(prefix, delimiter, key_marker or None)
        uploads: list[s3.MultipartUpload] = []
        prefixes: list[s3.CommonPrefix] = []
        truncated = False
        last_key = last_id = None  # the last upload listed (a common prefix is no marker)
        skipping = bool(id_marker and key_marker)
        count = 0
        for is_prefix, value in ([] if max_uploads <= 0 else
                                 walk_merged([(self.uploads, True)], name, prefix, delimiter, start, inclusive)):
            if is_prefix:
                if count == max_uploads:
                    truncated = True
                    break
                prefixes.append({"Prefix": enc(value)})
                count += 1
                skipping = False
                continue
            for _tkey, upload in entries_of(self.uploads, name, value):
                if skipping and value == key_marker:
                    if upload["id"] == id_marker:
                        skipping = False
                    continue
                skipping = False
                if count == max_uploads:
                    truncated = True
                    break
                who = owner(upload["owner"])
                entry: s3.MultipartUpload = {"UploadId": upload["id"], "Key": enc(value), "Initiated": from_epoch(int(upload["initiated"])),
                         "StorageClass": upload["attrs"].get("sc", "STANDARD"), "Owner": who, "Initiator": who}
                if upload.get("ckalg"):
                    entry["ChecksumAlgorithm"] = upload["ckalg"]
                    entry["ChecksumType"] = upload["ckt"]
                uploads.append(entry)
                count += 1
                last_key, last_id = value, upload["id"]
            if truncated:
                break
        out: s3.ListMultipartUploadsResult = {"Bucket": name, "KeyMarker": enc(key_marker), "UploadIdMarker": id_marker or ""}
        # always there, empty when no upload was listed (test_list_multipart_uploads_marker_common_prefixes)
        out["NextKeyMarker"] = enc(last_key) if last_key is not None else ""
        out["NextUploadIdMarker"] = last_id or ""
        if prefix:
            out["Prefix"] = enc(prefix)
        out["IsTruncated"] = truncated
        if uploads:
            out["Uploads"] = uploads
        return self.objects.finish_listing(out, delimiter, prefixes, self.objects.encoder(p), "MaxUploads",
                                    p.get("MaxUploads", 1000))

    # -- complete / abort ---------------------------------------------------------------------
    def abort_multipart_upload(self, ctx: Ctx[s3.AbortMultipartUploadRequest]) -> s3.AbortMultipartUploadResult:
        p = ctx.params
        bucket = self.objects.bucket_of(ctx, p["Bucket"])
        tkey, upload = self._upload(ctx, bucket, p["Key"], p["UploadId"])
        self.drop_upload(tkey, upload)
        ctx.status = 204
        return {}

    def complete_multipart_upload(self, ctx: Ctx[s3.CompleteMultipartUploadRequest]) -> s3.CompleteMultipartUploadResult:
        p = ctx.params
        bucket = self.objects.bucket_of(ctx, p["Bucket"])
        key = p["Key"]
        name = bucket["name"]
        upload_id = p["UploadId"]
        current = self.objects.current_record(name, key)
        if current is not None and current.get("mpu") == upload_id:
            # completing again answers as the first time (moto's AWS-verified test_idempotent_multipart_upload)
            return self._completed(bucket, key, current)
        tkey, upload = self._upload(ctx, bucket, key, upload_id)
        requested = (p.get("MultipartUpload") or {}).get("Parts") or []
        if not requested:
            raise malformed_xml()
        self.objects.check_write_conditions(p, name, key)
        algorithm = upload.get("ckalg")
        previous = 0
        chosen: list[tuple[int, dict]] = []
        for item in requested:
            number = item["PartNumber"]
            if number <= previous:
                raise AwsError("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be "
                               "ordered by part number.", 400, UploadId=upload_id)
            previous = number
            part = self.parts.get((upload_id, number))
            etag = item.get("ETag", "")
            if part is None or part["etag"].strip('"') != etag.strip('"'):
                raise self._invalid_part(upload_id, number, etag)
            if algorithm:
                value = item.get("Checksum" + algorithm)
                if value is None and upload["ckt"] == "COMPOSITE":
                    raise invalid_request(f"The upload was created using a {algorithm.lower()} checksum. The complete "
                                          "request must include the checksum for each part. It was missing for part "
                                          f"{number} in the request.")
                if value is not None and value != (part.get("ck") or {}).get(algorithm):
                    raise self._invalid_part(upload_id, number, etag)
            chosen.append((number, part))
        for index, (number, part) in enumerate(chosen[:-1]):
            if part["size"] < MIN_PART_SIZE:
                raise AwsError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", 400,
                               ProposedSize=str(part["size"]), MinSizeAllowed=str(MIN_PART_SIZE),
                               PartNumber=str(number), ETag=part["etag"].strip('"'))
        total = sum(part["size"] for _n, part in chosen)
        if "MpuObjectSize" in p and int(p["MpuObjectSize"]) != total:
            raise invalid_request(f"The provided 'x-amz-mp-object-size' header value {p['MpuObjectSize']} does not "
                                  f"match what was computed: {total}")
        digest = hashlib.md5(b"".join(bytes.fromhex(part["etag"].strip('"')) for _n, part in chosen)).hexdigest()
        record = dict(upload["attrs"])
        record["etag"] = f'"{digest}-{len(chosen)}"'
        record["size"] = total
        record["mtime"] = ctx.time()
        if total <= INLINE_LIMIT:
            record["data"] = b"".join(b"".join(iter_record(self.blobs, part)) for _n, part in chosen)
        else:
            segs = []
            for _n, part in chosen:
                if "data" in part:
                    if part["size"]:
                        blob_id, size = self.blobs.write([part["data"]])
                        self.objects.new_blob([[blob_id, size]])
                        segs.append([blob_id, size])
                else:
                    segs.extend(part["segs"])
            record["segs"] = segs
        part_checksums: list[Any] = [(part.get("ck") or {}).get(algorithm) for _n, part in chosen] if algorithm else []
        record["parts"] = [[part["size"], {algorithm: ck} if ck else None] for (_n, part), ck in
                           zip(chosen, part_checksums or [None] * len(chosen))]
        if algorithm:
            if upload["ckt"] == "COMPOSITE":
                record["ck"] = {algorithm: composite(algorithm, part_checksums)}
                record["ckt"] = "COMPOSITE"
            else:
                hasher = Hasher(algorithm)
                for chunk in iter_record(self.blobs, record):
                    hasher.update(chunk)
                value = hasher.b64()
                given = p.get("Checksum" + algorithm)
                if given is not None and given != value:
                    raise AwsError("BadDigest", f"The {algorithm.lower()} you specified did not match the calculated "
                                   "checksum.", 400)
                record["ck"] = {algorithm: value}
                record["ckt"] = "FULL_OBJECT"
        record["vid"] = self.objects.new_version_id(bucket)
        record["mpu"] = upload_id
        self.objects.install(ctx, bucket, key, record)
        self.drop_upload(tkey, upload)
        self.notifications.notify(ctx, bucket, "ObjectCreated:CompleteMultipartUpload", key, record)
        return self._completed(bucket, key, record)

    def _completed(self, bucket: dict, key: str, record: dict) -> s3.CompleteMultipartUploadResult:
        """CompleteMultipartUpload's answer for the object ``record`` it made."""
        name = bucket["name"]
        out: s3.CompleteMultipartUploadResult = {
            "Location": f"https://{name}.s3.amazonaws.com/{quote(key)}", "Bucket": name, "Key": key,
            "ETag": record["etag"]}
        members: Any = out  # a checksum member's name is the algorithm's
        for alg, value in (record.get("ck") or {}).items():
            members["Checksum" + alg] = value
            out["ChecksumType"] = record["ckt"]
        self.objects.sse_out(record, out, customer_key=False)  # the SSE-C members are not in its shape
        if record["vid"]:  # null versions go unnamed, as PutObject's
            out["VersionId"] = record["vid"]
        return out

    @staticmethod
    def _invalid_part(upload_id: str, number: int, etag: str) -> AwsError:
        return AwsError("InvalidPart", "One or more of the specified parts could not be found.  The part may not "
                        "have been uploaded, or the specified entity tag may not match the part's entity tag.", 400,
                        UploadId=upload_id, PartNumber=str(number), ETag=etag.strip('"'))

