"""What S3 asks of the wire beyond its model: virtual-hosted buckets, ``aws-chunked`` bodies,
presigned URLs' expiry and browser POST uploads with their policy.

Signatures are not verified (as in-process): the access key of the credential picks the account.
"""

from __future__ import annotations

import base64
import calendar
import datetime
import functools
import io
import json
import re
import time
import urllib.parse
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from botocore.utils import parse_timestamp

from ..core import partitions
from ..core.errors import AwsError
from . import decode, encode, models
from .headers import Headers

if TYPE_CHECKING:
    from ..emulator import Emulator
    from .handler import Request

Wire = encode.Wire
_LOCAL_SUFFIX = ".localhost"
_CHECKSUM_HEADER = re.compile(r"^x-amz-checksum-(crc32c|crc32|crc64nvme|sha1|sha256)$")
_PORT = re.compile(r":\d+$")
_MAX_PRESIGN_EXPIRY = 604800
#: form fields of a POST upload a policy need not mention
_UNCONDITIONED = frozenset({"x-amz-signature", "file", "policy", "signature", "awsaccesskeyid"})


@functools.lru_cache(maxsize=256)
def virtual_bucket(host: str) -> str | None:
    """The bucket a virtual-hosted request names in its host, or None for path-style (remembered per
    host: a client sends request after request to one)."""
    name = host.rpartition(":")[0] if _PORT.search(host) else host
    if name.endswith(_LOCAL_SUFFIX):
        bucket = name[: -len(_LOCAL_SUFFIX)]
        return bucket.removesuffix(".s3") or None
    found = _aws_virtual_host().match(name)
    return found.group("bucket") if found else None


@functools.lru_cache(maxsize=1)
def _aws_virtual_host() -> "re.Pattern[str]":
    """``bucket.s3.amazonaws.com``, ``bucket.s3.us-west-2.amazonaws.com``, ``bucket.s3-us-west-2.amazonaws.com``,
    in every partition (``bucket.s3.cn-north-1.amazonaws.com.cn``, ``bucket.s3.us-iso-east-1.c2s.ic.gov``),
    FIPS, dual-stack and Transfer Acceleration ones (``bucket.s3-fips.dualstack.us-east-1.amazonaws.com``,
    ``bucket.s3-accelerate.dualstack.amazonaws.com``) as botocore's S3 endpoint rules build them."""
    return re.compile(rf"^(?P<bucket>.+?)\.s3(?:-fips|-accelerate)?(?:\.dualstack)?(?:[.-][a-z0-9-]+)?"
                      rf"\.{partitions.dns_suffix_pattern()}$")


def checksum_algorithm(headers: Headers) -> str | None:
    """The flexible checksum the client sent, as botocore records it in the request context."""
    announced = headers.get("x-amz-sdk-checksum-algorithm")
    if announced:
        return str(announced).lower()
    for name, _field in headers.lowered():
        found = _CHECKSUM_HEADER.match(name) if name.startswith("x-amz-checksum-") else None
        if found:
            return found.group(1)
    trailer = headers.get("x-amz-trailer", "")
    found = _CHECKSUM_HEADER.match(trailer.strip().lower())
    return found.group(1) if found else None


def before_dispatch(emulator: "Emulator", request: "Request") -> Wire | None:
    """Bring an S3 request into path-style form; answer the ones the model has no operation for."""
    bucket = virtual_bucket(request.host)
    if bucket is not None:
        request.path = "/" + bucket + request.path
    _decode_chunked(request)
    _check_expiry(emulator, request)
    if request.method == "POST" and request.headers.get("content-type", "").startswith("multipart/form-data"):
        return post_upload(emulator, request)
    return None


# -- aws-chunked (SigV4 streaming uploads, with or without trailing checksums) -----------------------
def _decode_chunked(request: "Request") -> None:
    encoding = request.headers.get("content-encoding", "")
    streaming = request.headers.get("x-amz-content-sha256", "").startswith("STREAMING-")
    if "aws-chunked" not in encoding and not streaming:
        return
    body, trailers = dechunk(request.body)
    request.body = body
    for name, value in trailers.items():
        request.headers[name] = value
    rest = ",".join(part for part in encoding.split(",") if part.strip() and part.strip() != "aws-chunked")
    request.headers.pop("content-encoding", None)  # a STREAMING- payload may come without one
    if rest:
        request.headers["content-encoding"] = rest
    request.headers["content-length"] = str(len(body))


def dechunk(raw: bytes) -> tuple[bytes, dict[str, str]]:
    """The payload and trailing headers of an ``aws-chunked`` body."""
    chunks, position = [], 0
    try:
        while True:
            end = raw.index(b"\r\n", position)
            size = int(raw[position:end].split(b";")[0], 16)
            start = end + 2
            if size == 0:
                position = start
                break
            if start + size > len(raw):
                raise ValueError("chunk beyond the body")
            chunks.append(raw[start:start + size])
            position = start + size + 2
    except ValueError:
        raise AwsError("IncompleteBody", "The request body terminated unexpectedly", 400) from None
    trailers = {}
    for line in raw[position:].decode("latin-1").split("\r\n"):
        name, sep, value = line.partition(":")
        if sep and name.lower() != "x-amz-trailer-signature":
            trailers[name.strip()] = value.strip()
    return b"".join(chunks), trailers


# -- presigned URLs: expiry on the emulator's clock ---------------------------------------------------
def _iso(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_expiry(emulator: "Emulator", request: "Request") -> None:
    if not request.query:
        return  # not presigned
    signed_at, lifetime = request.param("X-Amz-Date"), request.param("X-Amz-Expires")
    if signed_at and lifetime:
        now = emulator.clock.time()
        try:
            seconds = int(lifetime)
            start = calendar.timegm(time.strptime(signed_at, "%Y%m%dT%H%M%SZ"))
        except ValueError:
            raise AwsError("AuthorizationQueryParametersError", "X-Amz-Date must be in the ISO8601 Long "
                           "Format \"yyyyMMdd'T'HHmmss'Z'\"", 400) from None
        if seconds > _MAX_PRESIGN_EXPIRY:
            raise AwsError("AuthorizationQueryParametersError", "X-Amz-Expires must be less than a week "
                           "(in seconds) that is; 604800", 400)
        if now > start + seconds:
            details: dict[str, Any] = {"X-Amz-Expires": lifetime, "Expires": _iso(start + seconds),
                                       "ServerTime": _iso(now)}
            raise AwsError("AccessDenied", "Request has expired", 403, **details)
        return
    legacy = request.param("Expires")
    if not (legacy and request.param("AWSAccessKeyId") and legacy.isascii() and legacy.isdigit()):
        return
    now = emulator.clock.time()
    if now > int(legacy):
        raise AwsError("AccessDenied", "Request has expired", 403, Expires=_iso(int(legacy)), ServerTime=_iso(now))


# -- POST uploads (generate_presigned_post) -----------------------------------------------------------
def _form_fields(request: "Request") -> tuple[dict[str, str], bytes | None, str | None]:
    """The text fields (names lower-cased), the file's bytes and its file name."""
    import email.parser  # only here: the email package is a noticeable part of the server's start
    import email.policy

    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    if not message.is_multipart():
        raise AwsError("MalformedPOSTRequest", "The body of your POST request is not well-formed "
                       "multipart/form-data.", 400)
    fields: dict[str, str] = {}
    content: bytes | None = None
    filename: str | None = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            payload = b""
        if name.lower() == "file":
            content, filename = payload, part.get_filename()
            break  # AWS ignores fields after the file
        fields[name.lower()] = payload.decode("utf-8")
    return fields, content, filename


def post_upload(emulator: "Emulator", request: "Request") -> Wire:
    from .handler import dispatch_operation

    bucket = request.path.strip("/").split("/")[0]
    fields, content, filename = _form_fields(request)
    if content is None:
        raise AwsError("InvalidArgument", "POST requires exactly one file upload per request.", 400,
                       ArgumentName="file", ArgumentValue="0")
    if "key" not in fields:
        raise AwsError("InvalidArgument", "Bucket POST must contain a field named 'key'.  If it is "
                       "specified, please check the order of the fields.", 400, ArgumentName="key", ArgumentValue="")
    key = fields["key"].replace("${filename}", filename or "")
    fields["key"] = key
    if "policy" in fields:
        _check_policy(emulator, fields, bucket, len(content))
    if fields.get("x-amz-credential"):
        request.access_key = fields["x-amz-credential"].split("/")[0]
    elif fields.get("awsaccesskeyid"):
        request.access_key = fields["awsaccesskeyid"]
    operation = models.service_model("s3").operation_model("PutObject")
    headers = Headers({name: value for name, value in fields.items() if name not in _UNCONDITIONED})
    params = decode.rest_params(operation, {"Bucket": bucket, "Key": key}, {}, headers, b"", "rest-xml")
    params["Body"] = io.BytesIO(content)
    status, out_headers, body = dispatch_operation(emulator, request, operation, params)
    if status >= 300:
        return status, out_headers, body
    return _post_answer(fields, bucket, key, out_headers, request)


def _post_answer(fields: dict[str, str], bucket: str, key: str, headers: dict[str, str],
                 request: "Request") -> Wire:
    etag = next((value for name, value in headers.items() if name.lower() == "etag"), "")
    folder = "" if virtual_bucket(request.host) is not None else f"/{bucket}"
    location = f"{request.scheme}://{request.host}{folder}/{urllib.parse.quote(key)}"
    redirect = fields.get("success_action_redirect") or fields.get("redirect")
    if redirect:
        query = urllib.parse.urlencode({"bucket": bucket, "key": key, "etag": etag})
        headers["Location"] = redirect + ("&" if "?" in redirect else "?") + query
        return 303, headers, b""
    status = fields.get("success_action_status", "204")
    headers["Location"] = location
    if status == "201":
        headers["content-type"] = "application/xml"
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>{escape(location)}'
                f"</Location><Bucket>{escape(bucket)}</Bucket><Key>{escape(key)}</Key>"
                f"<ETag>{escape(etag)}</ETag></PostResponse>").encode()
        return 201, headers, body
    return (200 if status == "200" else 204), headers, b""


def _policy_failed(condition: Any) -> AwsError:
    return AwsError("AccessDenied", "Invalid according to Policy: Policy Condition failed: "
                    + json.dumps(condition), 403)


def _check_policy(emulator: "Emulator", fields: dict[str, str], bucket: str, size: int) -> None:
    """The policy's expiration on the emulator's clock, then each condition, then no field left
    without a condition (the rules of S3's POST policy document)."""
    try:
        policy = json.loads(base64.b64decode(fields["policy"]))
        expiration = parse_timestamp(policy["expiration"]).timestamp()
        conditions = policy.get("conditions", [])
    except (ValueError, KeyError, TypeError):
        raise AwsError("InvalidPolicyDocument", "Invalid Policy: Invalid JSON.", 400) from None
    if emulator.clock.time() > expiration:
        raise AwsError("AccessDenied", "Invalid according to Policy: Policy expired.", 403)
    values = {**fields, "bucket": bucket}
    covered = {"bucket"}
    for condition in conditions:
        covered |= _check_condition(condition, values, size)
    extra = [name for name in fields if name not in covered and name not in _UNCONDITIONED
             and not name.startswith("x-ignore-")]
    if extra:
        raise AwsError("AccessDenied", "Invalid according to Policy: Extra input fields: " + extra[0], 403)


def _check_condition(condition: Any, values: dict[str, str], size: int) -> set[str]:
    """Check one condition; returns the fields it covers."""
    if isinstance(condition, dict):
        covered = set()
        for name, expected in condition.items():
            if values.get(name.lower()) != expected:
                raise _policy_failed(["eq", f"${name}", expected])
            covered.add(name.lower())
        return covered
    if not isinstance(condition, list) or len(condition) != 3:
        raise AwsError("InvalidPolicyDocument", "Invalid Policy: Invalid Condition.", 400)
    operator, subject, expected = condition
    if str(operator).lower() == "content-length-range":
        if size > int(expected):
            raise AwsError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400,
                           ProposedSize=str(size), MaxSizeAllowed=str(expected))
        if size < int(subject):
            raise AwsError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size",
                           400, ProposedSize=str(size), MinSizeAllowed=str(subject))
        return set()
    name = str(subject).lstrip("$").lower()
    actual = values.get(name, "")
    if str(operator).lower() == "eq" and actual != expected:
        raise _policy_failed(condition)
    if str(operator).lower() == "starts-with" and not actual.startswith(expected):
        raise _policy_failed(condition)
    return {name}
