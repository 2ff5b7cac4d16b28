"""S3 building blocks shared by the handlers: errors as botocore shows them against AWS, key order
helpers, URL encoding of listings, owner ids and request-checksum rules."""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import re
from collections.abc import Mapping
from typing import Any, TypeVar, Union
from urllib.parse import quote

from ...api import s3
from ...core.clock import from_epoch
from ...core.errors import AwsError

#: bodies up to this size live in the record as bytes; larger ones go to blob files
INLINE_LIMIT = 256 * 1024
#: read size when streaming bodies in and out
CHUNK = 1024 * 1024
MIN_PART_SIZE = 5 * 1024 * 1024
MAX_KEY_BYTES = 1024
#: the highest code point: a prefix's "next string" is built with it
_MAX_CHAR = "\U0010ffff"

#: user-visible object headers kept per object, in the order GetObject returns them
CONTENT_HEADERS = ("CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage",
                   "WebsiteRedirectLocation")
CHECKSUM_ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")


# -- errors ---------------------------------------------------------------------------------
def no_such_bucket(bucket: str) -> AwsError:
    return AwsError("NoSuchBucket", "The specified bucket does not exist", 404, BucketName=bucket)


def no_such_key(key: str, headers: dict[str, str] | None = None) -> AwsError:
    return AwsError("NoSuchKey", "The specified key does not exist.", 404, Key=key, headers=headers)


def no_such_version(key: str, version_id: str) -> AwsError:
    return AwsError("NoSuchVersion", "The specified version does not exist.", 404,
                    Key=key, VersionId=version_id)


def no_such_upload(upload_id: str) -> AwsError:
    return AwsError("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, "
                    "or the upload may have been aborted or completed.", 404, UploadId=upload_id)


def precondition_failed(condition: str) -> AwsError:
    return AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                    412, Condition=condition)


def not_modified(etag: str) -> AwsError:
    """304 Not Modified, with the ETag the 200 answer would have carried (RFC 9110, 15.4.5: a 304 sends
    the ETag a 200 would have sent)."""
    return AwsError("304", "Not Modified", 304, headers={"etag": etag})


def invalid_argument(message: str, name: str, value: Any) -> AwsError:
    """InvalidArgument naming the argument; an empty value is left out of the error, as AWS leaves it
    (test_list_objects_v2_continuation_start_after, test_bucket_ownership_controls_exc)."""
    if value is None or value == "":
        return AwsError("InvalidArgument", message, 400, ArgumentName=name)
    return AwsError("InvalidArgument", message, 400, ArgumentName=name, ArgumentValue=str(value))


_INT32_MAX = 2147483647


def query_integer(params: Mapping[str, Any], member: str, query_name: str, default: int) -> int:
    """An integer query argument of a listing checked as S3 checks it: a negative one "must be an integer
    between 0 and 2147483647", one past the 32-bit range "not an integer or within integer range"
    (AWS's words quoted in versity/versitygw#1794 for max-uploads; the same for max-parts and
    part-number-marker)."""
    value = params.get(member)
    if value is None:
        return default
    if value > _INT32_MAX:
        raise AwsError("InvalidArgument", f"Provided {query_name} not an integer or within integer range", 400)
    if value < 0:
        raise AwsError("InvalidArgument", f"Argument {query_name} must be an integer between 0 and {_INT32_MAX}", 400)
    return int(value)


def delete_marker_refused(operation: str, version_id: str) -> AwsError:
    """What an object sub-resource call on a delete marker gets: 405 naming the HTTP method of the
    operation (test_object_tagging_versioned, test_delete_object_versioned)."""
    method = next((verb.upper() for verb in ("Get", "Head", "Delete") if operation.startswith(verb)), "PUT")
    return AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405,
                    Method=method, ResourceType="DeleteMarker",
                    headers={"x-amz-delete-marker": "true", "allow": "DELETE", "x-amz-version-id": version_id})


#: what a tag key or value may hold: letters, digits and spaces, and + - = . _ : / @ (AWS's tagging rules;
#: "Key1,Key2" is refused, recorded in LocalStack's test_tagging_validation)
_TAG_TEXT = re.compile(r"[\w +\-=._:/@]*")


def invalid_tag_text(key: str, value: str) -> AwsError | None:
    """InvalidTag for a tag key or value with a character S3 does not take, else None."""
    if not _TAG_TEXT.fullmatch(key):
        return AwsError("InvalidTag", "The TagKey you have provided is invalid", 400, TagKey=key)
    if not _TAG_TEXT.fullmatch(value):
        return AwsError("InvalidTag", "The TagValue you have provided is invalid", 400, TagKey=key, TagValue=value)
    return None


def invalid_request(message: str) -> AwsError:
    return AwsError("InvalidRequest", message, 400)


def malformed_xml() -> AwsError:
    return AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate "
                    "against our published schema", 400)


def head_error(error: AwsError) -> AwsError:
    """What botocore shows for a HEAD request's error: no body, so the status code and its phrase."""
    import http.client

    return AwsError(str(error.status), http.client.responses.get(error.status, ""), error.status,
                    headers=error.headers)


# -- names and keys -------------------------------------------------------------------------
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_ADDRESS = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")
_BAD_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BAD_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def valid_bucket_name(name: str) -> bool:
    return bool(
        _BUCKET_NAME.match(name)
        and ".." not in name and ".-" not in name and "-." not in name
        and not _IP_ADDRESS.match(name)
        and not name.startswith(_BAD_PREFIXES)
        and not name.endswith(_BAD_SUFFIXES)
    )


def prefix_end(prefix: str) -> str | None:
    """The smallest string greater than every string starting with ``prefix`` (None: no bound)."""
    stripped = prefix.rstrip(_MAX_CHAR)
    if not stripped:
        return None
    return stripped[:-1] + chr(ord(stripped[-1]) + 1)


def unencoded(value: str) -> str:
    """Listed names as they are (no ``EncodingType``)."""
    return value


#: a name made only of characters ``quote`` leaves alone (botocore asks for url encoding on every listing)
_NEEDS_NO_QUOTING = re.compile(r"[A-Za-z0-9/_.~-]*").fullmatch


def url_encode(value: str) -> str:
    """S3's encoding of listed names with ``EncodingType=url`` (botocore decodes it with unquote_plus)."""
    if _NEEDS_NO_QUOTING(value) is not None:
        return value
    return quote(value, safe="/-_.~").replace("%20", "+")


# -- identities -----------------------------------------------------------------------------
def canonical_id(account: str) -> str:
    """The 64-hex canonical user id S3 shows for an account."""
    return hashlib.sha256(f"kumo-canonical-{account}".encode()).hexdigest()


#: the results that carry an object's encryption members (``sse_out`` fills them in)
SseResult = Union[s3.PutObjectOutput, s3.GetObjectOutput, s3.HeadObjectOutput, s3.CopyObjectOutput,
                  s3.CreateMultipartUploadOutput, s3.UploadPartOutput, s3.UploadPartCopyOutput,
                  s3.CompleteMultipartUploadOutput]
#: a listing's result (``finish_listing`` adds the members every listing ends with)
Listing = TypeVar("Listing", s3.ListObjectsV2Output, s3.ListObjectsOutput, s3.ListObjectVersionsOutput,
                  s3.ListMultipartUploadsOutput)


def owner(account: str) -> s3.Owner:
    return {"ID": canonical_id(account)}


# -- request checksums ----------------------------------------------------------------------
def sdk_checksum_algorithm(ctx: Any, params: Mapping[str, Any]) -> str | None:
    """The checksum algorithm botocore would have sent with this request (upper case), or None.

    botocore resolves it, from the params and the client's ``request_checksum_calculation``
    setting, before ``before-call`` but computes it only after; AWS returns what was sent.
    """
    resolved = ctx.botocore_context.get("checksum", {}).get("request_algorithm")
    return resolved["algorithm"].upper() if resolved else None


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def etag_of(md5_hex: str) -> str:
    return f'"{md5_hex}"'


def dt(epoch: float):
    """A LastModified-style timestamp: S3 reports whole seconds in headers, ms in listings."""
    return from_epoch(epoch)


#: whole-second datetimes by second (immutable, so shared): a listing shows one per object
_SECONDS: dict[int, _dt.datetime] = {}


def http_seconds(epoch: float) -> _dt.datetime:
    """A time as S3 shows an object's LastModified: whole seconds."""
    second = int(epoch)
    shown = _SECONDS.get(second)
    if shown is None:
        if len(_SECONDS) > 4096:
            _SECONDS.clear()
        shown = _SECONDS[second] = from_epoch(second)
    return shown
