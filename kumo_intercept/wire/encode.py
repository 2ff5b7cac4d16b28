"""Results and errors onto the wire, per protocol: the inverse of botocore's parsers
(``botocore/parsers.py``), driven by the operation's output shape.
"""

from __future__ import annotations

import base64
import calendar
import datetime
import email.utils
import functools
import json
import re
from typing import Any, Callable, Iterator, Mapping, Union
from xml.sax.saxutils import escape, quoteattr

from . import cbor

#: S3's answers whose body is one bare element, read by botocore's ``parse_get_bucket_location``
#: customisation rather than its parser
_BARE_ROOT = {("s3", "GetBucketLocation"): "LocationConstraint"}
_S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
#: the root elements of S3 answers that are neither ``<Operation>Result`` nor, for ``Get<X>``, the
#: element ``Put<X>`` sends; botocore's model does not record them, other SDKs check them (the AWS SDK for
#: C++ reads a CompleteMultipartUpload answer under another root as an error)
_S3_ROOTS = {"CreateMultipartUpload": "InitiateMultipartUploadResult", "ListObjects": "ListBucketResult",
             "ListObjectsV2": "ListBucketResult", "ListObjectVersions": "ListVersionsResult",
             "ListBuckets": "ListAllMyBucketsResult", "DeleteObjects": "DeleteResult",
             "GetObjectAttributes": "GetObjectAttributesResponse"}
#: characters XML 1.0 cannot carry as text, and the ones a parser would normalise away
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\ud800-\udfff\ufffe\uffff]")

#: a body is bytes, or (event streams) the messages as they come
Body = Union[bytes, Iterator[bytes]]
Wire = tuple[int, dict[str, str], Body]
#: an answer whose body is all there (every answer but an event stream)
Answer = tuple[int, dict[str, str], bytes]


# -- scalars ----------------------------------------------------------------------------------------
def _epoch(value: Any) -> float:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return calendar.timegm(value.utctimetuple()) + value.microsecond / 1e6
    if isinstance(value, str):
        from botocore.utils import parse_timestamp
        return _epoch(parse_timestamp(value))
    return float(value)


def timestamp(value: Any, fmt: str) -> Any:
    if type(value) is datetime.datetime:
        return _datetime_text(value, fmt)
    return _epoch_text(_epoch(value), fmt)


@functools.lru_cache(maxsize=1024)
def _datetime_text(value: datetime.datetime, fmt: str) -> Any:
    """A datetime's text, remembered: an object's Last-Modified is written again on every read of it.
    Equal datetimes (the same instant) have the same text."""
    return _epoch_text(_epoch(value), fmt)


def _epoch_text(epoch: float, fmt: str) -> Any:
    if fmt == "unixTimestamp":
        return int(epoch) if epoch == int(epoch) else round(epoch, 3)
    if fmt == "rfc822":
        return email.utils.formatdate(epoch, usegmt=True)
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _blob(value: Any) -> bytes:
    if hasattr(value, "read"):
        value = value.read()
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _text(shape: Any, value: Any, timestamp_format: str) -> str:
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return str(timestamp(value, shape.serialization.get("timestampFormat", timestamp_format)))
    if kind == "blob":
        return base64.b64encode(_blob(value)).decode()
    if kind in ("float", "double") and isinstance(value, float) and value == int(value):
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


# -- JSON-shaped bodies (json, rest-json, rpc-v2-cbor) -----------------------------------------------
def json_value(shape: Any, value: Any, blobs_as_bytes: bool = False) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return renamed(_body_members(shape), value, json_value, blobs_as_bytes)
    if kind == "list":
        return [json_value(shape.member, item, blobs_as_bytes) for item in value]
    if kind == "map":
        return {key: json_value(shape.value, item, blobs_as_bytes) for key, item in value.items()}
    if kind == "timestamp":
        if blobs_as_bytes:  # CBOR carries epoch seconds under tag 1
            return cbor.Timestamp(_epoch(value))
        return timestamp(value, shape.serialization.get("timestampFormat", "unixTimestamp"))
    if kind == "blob":
        return _blob(value) if blobs_as_bytes else base64.b64encode(_blob(value)).decode()
    return value


#: scalar kinds a JSON body carries as they are
JSON_AS_IS = frozenset({"string", "integer", "long", "boolean", "double", "float"})


def renamed(members: Mapping[str, tuple[str, Any, bool]], value: dict[str, Any],
            convert: Callable[..., Any], *options: Any) -> dict[str, Any]:
    """A JSON object and a structure's params, one into the other: ``members`` maps each key to its
    new name, its shape and whether the value stays as it is (else ``convert(shape, value,
    *options)``); keys it does not name and null values are left out."""
    out = {}
    for key, item in value.items():
        found = members.get(key)
        if found is not None and item is not None:
            name, member, as_is = found
            out[name] = item if as_is else convert(member, item, *options)
    return out


@functools.lru_cache(maxsize=None)
def _body_members(shape: Any) -> dict[str, tuple[str, Any, bool]]:
    """A structure's members sent in a JSON body (not in headers, the status or the URI): member name
    -> its name in JSON, its shape, and whether its value goes out as it is (worked out once per
    shape: a DynamoDB Query answer holds an ``AttributeValue`` per attribute of every item)."""
    return {name: (member.serialization.get("name", name), member, member.type_name in JSON_AS_IS)
            for name, member in shape.members.items() if "location" not in member.serialization}


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timestamp(value, "unixTimestamp")
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    return str(value)


#: what ``json.dumps(value, separators=(",", ":"), default=_json_default)`` builds on each call, built once
_JSON_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_json_default)


def dumps(value: Any) -> bytes:
    return _JSON_ENCODER.encode(value).encode()


# -- XML bodies (query, rest-xml) --------------------------------------------------------------------
def _xml_text(text: str) -> str:
    return _XML_UNSAFE.sub(lambda m: f"&#x{ord(m.group()):X};" if m.group() < "\ud800" else "\ufffd",
                           escape(text))


class XmlWriter:
    """Serializes values by shape as botocore's XML parsers read them. ``legacy_names``: a JSON model
    answering in Query form (SQS) names flattened lists and maps as AWS's Query API did (the
    singular, or the structure's shape name), which the JSON model no longer records."""

    def __init__(self, timestamp_format: str = "iso8601", legacy_names: bool = False) -> None:
        self.timestamp_format = timestamp_format
        self.legacy_names = legacy_names
        self.parts: list[str] = []

    def element(self, name: str, shape: Any, value: Any, attributes: str = "") -> None:
        kind = shape.type_name
        out = self.parts
        if kind == "structure":
            out.append(f"<{name}{attributes}{self._xml_attributes(shape, value)}>")
            self.members(shape, value)
            out.append(f"</{name}>")
        elif kind == "list":
            if shape.serialization.get("flattened"):
                for item in value:
                    self.element(name, shape.member, item)
                return
            out.append(f"<{name}>")
            item_name = shape.member.serialization.get("name", "member")
            for item in value:
                self.element(item_name, shape.member, item)
            out.append(f"</{name}>")
        elif kind == "map":
            key_name = shape.key.serialization.get("name", "key")
            value_name = shape.value.serialization.get("name", "value")
            flattened = shape.serialization.get("flattened")
            if self.legacy_names and flattened:
                key_name, value_name = "Name", "Value"
            if not flattened:
                out.append(f"<{name}>")
            for key, item in value.items():
                out.append(f"<{name}>" if flattened else "<entry>")
                out.append(f"<{key_name}>{_xml_text(str(key))}</{key_name}>")
                self.element(value_name, shape.value, item)
                out.append(f"</{name}>" if flattened else "</entry>")
            if not flattened:
                out.append(f"</{name}>")
        else:
            out.append(f"<{name}>{_xml_text(_text(shape, value, self.timestamp_format))}</{name}>")

    def members(self, shape: Any, value: dict[str, Any]) -> None:
        members = shape.members
        for name, item in value.items():
            member = members.get(name)
            if member is None or item is None or member.serialization.get("location") \
                    or member.serialization.get("xmlAttribute"):
                continue
            self.element(self._name(name, member), member, item)

    def _name(self, name: str, member: Any) -> str:
        serialized: str | None = member.serialization.get("name")
        if member.type_name == "list" and member.serialization.get("flattened"):
            serialized = member.member.serialization.get("name") or serialized
            if serialized is None and self.legacy_names:
                inner = member.member
                serialized = inner.name if inner.type_name == "structure" else name.rstrip("s")
        elif member.type_name == "map" and member.serialization.get("flattened") and self.legacy_names:
            serialized = serialized or name.rstrip("s")
        return serialized or name

    @staticmethod
    def _xml_attributes(shape: Any, value: dict[str, Any]) -> str:
        attributes = []
        for name, member in shape.members.items():
            if member.serialization.get("xmlAttribute") and value.get(name) is not None:
                attribute = member.serialization["name"]
                if attribute.startswith("xsi:"):
                    attributes.append(' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')
                attributes.append(f" {attribute}={quoteattr(str(value[name]))}")
        return "".join(attributes)

    def text(self) -> bytes:
        return "".join(self.parts).encode("utf-8")


# -- headers --------------------------------------------------------------------------------------
def header_text(shape: Any, value: Any) -> str:
    if type(value) is str and value.isascii() and shape.type_name == "string" \
            and not shape.serialization.get("jsonvalue"):
        return value  # most headers (ETag, Content-Type…): what ``_text`` would give back
    if shape.type_name == "list":
        return ",".join(header_text(shape.member, item) for item in value)
    if shape.type_name == "string" and shape.serialization.get("jsonvalue"):
        return base64.b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()
    text = _text(shape, value, "rfc822")
    if text.isascii():
        return text
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:  # as S3 sends non-Latin-1 metadata: an RFC 2047 encoded word
        text = "=?UTF-8?B?" + base64.b64encode(text.encode("utf-8")).decode() + "?="
    return text


def modeled_headers(shape: Any, parsed: dict[str, Any], headers: dict[str, str]) -> int | None:
    """Put the output's header members into ``headers``; returns its status-code member, if any."""
    status = None
    outside = _outside_body(shape)
    for name, value in parsed.items():
        found = outside.get(name)
        if found is None or value is None:
            continue
        location, wire_name, member = found
        if location == "header":
            headers[wire_name] = header_text(member, value)
        elif location == "headers":
            for key, item in value.items():
                headers[wire_name + key] = header_text(member.value, item)
        elif location == "statusCode":
            status = int(value)
    return status


@functools.lru_cache(maxsize=None)
def _outside_body(shape: Any) -> dict[str, tuple[str, str, Any]]:
    """The members of an output shape sent outside the body: name -> location, wire name (the
    prefix for a ``headers`` map), shape. Worked out once per shape: S3's GetObject output has some
    forty members and an answer sets a few."""
    outside = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if location:
            default = "" if location == "headers" else name
            outside[name] = (location, member.serialization.get("name", default), member)
    return outside


# -- results --------------------------------------------------------------------------------------
def _content_type(service_model: Any, protocol: str) -> str:
    if protocol == "json":
        return f"application/x-amz-json-{service_model.metadata.get('jsonVersion', '1.0')}"
    if protocol == "rest-json":
        return "application/json"
    if protocol == "smithy-rpc-v2-cbor":
        return "application/cbor"
    return "text/xml" if protocol == "query" else "application/xml"


def _base_headers(service_model: Any, protocol: str, metadata: dict[str, Any]) -> dict[str, str]:
    headers = dict(metadata.get("HTTPHeaders", {}))
    headers["content-type"] = _content_type(service_model, protocol)
    if protocol == "smithy-rpc-v2-cbor":
        headers["smithy-protocol"] = "rpc-v2-cbor"
    return headers


def result(operation: Any, parsed: dict[str, Any], protocol: str) -> Wire:
    service_model = operation.service_model
    metadata = parsed.pop("ResponseMetadata", {})
    status: int = metadata.get("HTTPStatusCode", 200)
    headers = _base_headers(service_model, protocol, metadata)
    shape = operation.output_shape
    if operation.has_event_stream_output:
        from . import eventstream
        headers["content-type"] = eventstream.CONTENT_TYPE
        return status, _one_per_name(headers), eventstream.messages(operation, parsed)
    status, headers, body = ENCODERS[protocol](operation, shape, parsed, status, headers, metadata)
    return status, _one_per_name(headers), body


def _one_per_name(headers: dict[str, str]) -> dict[str, str]:
    """Header names are case-insensitive: the last value set under any spelling wins."""
    if len(set(map(str.lower, headers))) == len(headers):
        return headers  # no name given twice: as it is, in its order
    unique = {name.lower(): (name, value) for name, value in headers.items()}
    return dict(unique.values())


def _json(operation: Any, shape: Any, parsed: dict[str, Any], status: int, headers: dict[str, str],
          metadata: dict[str, Any]) -> Answer:
    return status, headers, dumps(json_value(shape, parsed)) if shape is not None else b"{}"


def _cbor(operation: Any, shape: Any, parsed: dict[str, Any], status: int, headers: dict[str, str],
          metadata: dict[str, Any]) -> Answer:
    return status, headers, cbor.dumps(json_value(shape, parsed, True) if shape is not None else {})


def _query(operation: Any, shape: Any, parsed: dict[str, Any], status: int, headers: dict[str, str],
           metadata: dict[str, Any]) -> Answer:
    service_model = operation.service_model
    name = operation.name
    writer = XmlWriter(legacy_names=service_model.protocol not in ("query", "ec2"))
    writer.parts.append(f'<{name}Response xmlns="{_namespace(service_model)}">')
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
        writer.parts.append(f"<{wrapper}>")
        writer.members(shape, parsed)
        writer.parts.append(f"</{wrapper}>")
    request_id = escape(str(metadata.get("RequestId", "")))
    writer.parts.append(f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{name}Response>")
    return status, headers, writer.text()


def _namespace(service_model: Any) -> str:
    namespace: str = service_model.metadata.get("xmlNamespace") or \
        f"http://{service_model.endpoint_prefix}.amazonaws.com/doc/{service_model.api_version}/"
    return namespace


def _rest(operation: Any, shape: Any, parsed: dict[str, Any], status: int, headers: dict[str, str],
          metadata: dict[str, Any]) -> Answer:
    if shape is None:
        return status, headers, b""
    status = modeled_headers(shape, parsed, headers) or status
    payload = shape.serialization.get("payload")
    xml = operation.service_model.protocol == "rest-xml"
    if payload is not None:
        member = shape.members[payload]
        value = parsed.get(payload)
        if member.type_name in ("blob", "string"):
            return status, _raw_content_type(headers, parsed), b"" if value is None else _blob(value)
        if value is None:
            return status, headers, b""
        if not xml:
            return status, headers, dumps(json_value(member, value))
        writer = XmlWriter()
        writer.element(member.serialization.get("name", member.name), member, value,
                       f' xmlns="{_S3_NAMESPACE}"')
        return status, headers, writer.text()
    body = {name: value for name, value in parsed.items()
            if name in shape.members and "location" not in shape.members[name].serialization}
    if not xml:
        return status, headers, dumps(json_value(shape, body))
    bare = _BARE_ROOT.get((operation.service_model.service_name, operation.name))
    if bare is not None:
        text = _xml_text(str(body.get(bare) or ""))
        return status, headers, f'<{bare} xmlns="{_S3_NAMESPACE}">{text}</{bare}>'.encode()
    if not body:
        return status, headers, b""
    writer = XmlWriter()
    root = _xml_root(operation)
    writer.parts.append(f'<{root} xmlns="{_S3_NAMESPACE}">')
    writer.members(shape, body)
    writer.parts.append(f"</{root}>")
    return status, headers, writer.text()


def _xml_root(operation: Any) -> str:
    """The root element of a REST-XML answer without a payload member."""
    name = operation.name
    if name in _S3_ROOTS:
        return _S3_ROOTS[name]
    service = operation.service_model
    if name.startswith("Get") and "Put" + name[3:] in service.operation_names:
        sent = service.operation_model("Put" + name[3:]).input_shape
        payload = sent.serialization.get("payload") if sent is not None else None
        if payload is not None:
            root: str = sent.members[payload].serialization.get("name", payload)
            return root
    return f"{name}Result"


def _raw_content_type(headers: dict[str, str], parsed: dict[str, Any]) -> dict[str, str]:
    """A raw payload (an object's bytes) carries its own Content-Type member, or none."""
    headers.pop("content-type", None)
    return headers


ENCODERS: dict[str, Callable[..., Answer]] = {
    "json": _json, "rest-json": _rest, "rest-xml": _rest, "query": _query, "smithy-rpc-v2-cbor": _cbor,
}


# -- errors ---------------------------------------------------------------------------------------
def error(service_model: Any, parsed: dict[str, Any], status: int, protocol: str) -> Answer:
    """``parsed`` is the error dict the emulator answers with (``{"Error": {...}, **fields}``)."""
    metadata = parsed.pop("ResponseMetadata", {})
    details = dict(parsed.pop("Error"))
    code, message = str(details.pop("Code", "")), str(details.pop("Message", ""))
    headers = _base_headers(service_model, protocol, metadata)
    request_id = str(metadata.get("RequestId", ""))
    if protocol in ("query", "ec2"):
        return status, headers, _query_error(service_model, code, message, details, request_id)
    if protocol == "rest-xml":
        host_id = str(metadata.get("HostId", ""))
        return status, headers, _s3_error(code, message, details, request_id, host_id)
    shape_name = details.get("QueryErrorCode", code)
    shape = next((s for s in service_model.error_shapes if s.name == shape_name), None)
    fields = json_value(shape, parsed, protocol == "smithy-rpc-v2-cbor") if shape is not None and parsed else parsed
    message_key = _message_key(shape, parsed)
    if protocol == "rest-json":
        headers["x-amzn-errortype"] = code
        body = {"Type": "User" if status < 500 else "Service", message_key: message, **fields}
        return status, headers, dumps(body)
    body = {"__type": shape_name, message_key: message, **fields}
    if protocol == "smithy-rpc-v2-cbor":
        return status, headers, cbor.dumps(body)
    return status, headers, dumps(body)


def _message_key(shape: Any, parsed: dict[str, Any]) -> str:
    """botocore reads an error's message from ``message`` or ``Message`` but fills a modeled error's
    ``message`` member from ``message`` only: an answer whose modeled ``message`` member is absent
    was sent by AWS with ``Message`` (DynamoDB's ConditionalCheckFailedException)."""
    if shape is not None and "message" in shape.members and "message" not in parsed:
        return "Message"
    return "message"


def _elements(details: dict[str, Any]) -> str:
    return "".join(f"<{name}>{_xml_text(str(value))}</{name}>" for name, value in details.items()
                   if value is not None and name not in ("QueryErrorCode", "Type"))


def _query_error(service_model: Any, code: str, message: str, details: dict[str, Any], request_id: str) -> bytes:
    kind = details.get("Type", "Sender")
    return (f'<ErrorResponse xmlns="{_namespace(service_model)}"><Error><Type>{kind}</Type>'
            f"<Code>{_xml_text(code)}</Code><Message>{_xml_text(message)}</Message>{_elements(details)}"
            f"</Error><RequestId>{escape(request_id)}</RequestId></ErrorResponse>").encode()


def _s3_error(code: str, message: str, details: dict[str, Any], request_id: str, host_id: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{_xml_text(code)}</Code><Message>{_xml_text(message)}</Message>{_elements(details)}"
            f"<RequestId>{escape(request_id)}</RequestId><HostId>{escape(host_id)}</HostId></Error>").encode()
