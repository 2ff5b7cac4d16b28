"""Requests into operation params, driven by the operation's input shape.

Bodies go through botocore's own response parsers (``botocore.parsers``): a request body of the
REST-JSON, REST-XML and RPC-v2-CBOR protocols has the same form as a response of that protocol, so the
parser that reads AWS's answers reads the client's questions too. JSON-protocol bodies, the most
frequent and often large (DynamoDB items), are read here along the members they hold, as that parser
reads them (``_json_input``). URI labels, headers, the query string and Query-protocol forms (which
no response uses) are read here from the shapes.
"""

from __future__ import annotations

import base64
import functools
import io
import json
from dataclasses import dataclass
from typing import Any, Mapping

from botocore.parsers import ResponseParserError, create_parser
from botocore.utils import parse_timestamp

from ..core.errors import AwsError
from .encode import JSON_AS_IS, renamed
from .headers import Headers

_PARSER_PROTOCOLS = ("json", "rest-json", "rest-xml", "smithy-rpc-v2-cbor")
_PARSERS = {protocol: create_parser(protocol) for protocol in _PARSER_PROTOCOLS}
#: bodies are parsed without headers: header members are read by ``rest_params`` itself, and JSON
#: protocols have none
_NO_HEADERS: dict[str, str] = {}


def malformed(protocol: str, detail: str) -> AwsError:
    """The error AWS gives for a body it cannot read, per protocol."""
    if protocol == "rest-xml":
        return AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate "
                        "against our published schema", 400)
    if protocol in ("query", "ec2"):
        return AwsError("MalformedQueryString", detail, 400)
    return AwsError("SerializationException", detail, 400)


# -- scalars from text (query string, URI labels, Query forms) --------------------------------------
def scalar(shape: Any, text: str, protocol: str) -> Any:
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
        if kind == "boolean":
            return text.lower() == "true"
        if kind == "blob":
            return base64.b64decode(text)
    except ValueError:
        raise malformed(protocol, f"Value {text!r} is not a valid {kind}") from None
    return text  # strings; timestamps become datetimes in the emulator's dispatch


# -- REST: labels, query string, headers and body ---------------------------------------------------
@dataclass(frozen=True)
class _RestLayout:
    """Where each input member of a REST operation travels (computed once per operation)."""

    labels: tuple[tuple[str, str, Any], ...]        # member, URI label, shape
    query: tuple[tuple[str, str, Any], ...]         # member, query key, shape
    query_map: tuple[str, Any] | None               # the member taking every other query key
    headers: dict[str, tuple[str, Any]]             # lower-case header name -> member, shape
    header_maps: tuple[tuple[str, str, Any], ...]   # lower-case prefix (x-amz-meta-), member, shape
    payload: str | None
    raw_payload: bool                               # a blob or string payload: the body as it is
    body_members: bool                              # members serialized in a structured body


@functools.lru_cache(maxsize=None)
def _layout(operation: Any) -> _RestLayout:
    shape = operation.input_shape
    labels, query, header_maps = [], [], []
    headers: dict[str, tuple[str, Any]] = {}
    query_map = None
    body_members = False
    for name, member in shape.members.items():
        location, wire_name = member.serialization.get("location"), member.serialization.get("name", name)
        if location == "uri":
            labels.append((name, wire_name.replace("-", "_"), member))
        elif location == "querystring":
            if member.type_name == "map":
                query_map = (name, member)
            else:
                query.append((name, wire_name, member))
        elif location == "header":
            headers[wire_name.lower()] = (name, member)
        elif location == "headers":
            header_maps.append((wire_name.lower(), name, member))
        else:
            body_members = True
    payload = shape.serialization.get("payload")
    raw = payload is not None and shape.members[payload].type_name in ("blob", "string")
    return _RestLayout(tuple(labels), tuple(query), query_map, headers, tuple(header_maps), payload, raw,
                       body_members)


def _header_value(shape: Any, text: str, protocol: str) -> Any:
    kind = shape.type_name
    if kind == "list":  # RFC 7230 lists: comma-separated
        return [_header_value(shape.member, part.strip(), protocol) for part in text.split(",")]
    if kind == "string" and shape.serialization.get("jsonvalue"):
        try:
            return json.loads(base64.b64decode(text))
        except ValueError:
            raise malformed(protocol, f"Header value {text!r} is not base64-encoded JSON") from None
    return scalar(shape, text, protocol)  # timestamps (RFC 822 text) become datetimes in the dispatch


def rest_params(operation: Any, labels: Mapping[str, str], query: Mapping[str, list[str]], headers: Headers,
                body: bytes, protocol: str) -> dict[str, Any]:
    shape = operation.input_shape
    if shape is None:
        return {}
    layout = _layout(operation)
    params: dict[str, Any] = {}
    if body and not layout.raw_payload and (layout.payload is not None or layout.body_members):
        params = _parse(protocol, body, _NO_HEADERS, shape)
    elif layout.raw_payload and layout.payload is not None:
        payload, member = layout.payload, shape.members[layout.payload]
        if body or member.serialization.get("streaming") or payload in shape.required_members:
            params[payload] = io.BytesIO(body) if member.type_name == "blob" else body.decode()
    for lower, (header, value) in headers.lowered():
        found = layout.headers.get(lower)
        if found is not None:
            params[found[0]] = _header_value(found[1], value, protocol)
            continue
        for prefix, name, _member in layout.header_maps:
            if lower.startswith(prefix):
                params.setdefault(name, {})[header[len(prefix):]] = value
    for name, label, member in layout.labels:
        if label in labels:
            params[name] = scalar(member, labels[label], protocol)
    for name, key, member in layout.query:
        if key in query:
            values = query[key]
            params[name] = ([scalar(member.member, value, protocol) for value in values]
                            if member.type_name == "list" else scalar(member, values[0], protocol))
    if layout.query_map is not None:  # every query key no other member claims
        claimed = {key for _name, key, _member in layout.query}
        params[layout.query_map[0]] = {key: values[0] for key, values in query.items() if key not in claimed}
    return params


def _parse(protocol: str, body: bytes, headers: Any, shape: Any) -> dict[str, Any]:
    try:
        parsed: dict[str, Any] = _PARSERS[protocol].parse(
            {"body": body, "headers": headers, "status_code": 200}, shape)
    except (ResponseParserError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError,
            OverflowError) as exc:
        # AttributeError: JSON of another type than the shape's (a list for a structure); RecursionError:
        # a body nested deeper than the parser recurses
        _check_json(protocol, body)
        raise malformed(protocol, f"Could not read the request: {exc}") from None
    parsed.pop("ResponseMetadata", None)
    if protocol == "rest-json" or len(parsed) <= 1:
        # botocore's JSON parser reads bad JSON as ``{"message": body}``, which leaves at most one
        # member of the input (a body of two or more members was JSON: its second parse is spared;
        # REST-JSON's parser also sets members from outside the body)
        _check_json(protocol, body)
    return parsed


def _check_json(protocol: str, body: bytes) -> None:
    """AWS refuses a body of a JSON protocol that is not JSON."""
    if body and protocol in ("json", "rest-json"):
        try:
            json.loads(body)
        except ValueError as exc:
            raise malformed(protocol, f"Could not parse the request body as JSON: {exc}") from None


def json_params(operation: Any, body: bytes, protocol: str) -> dict[str, Any]:
    """JSON and RPC-v2-CBOR protocols: the whole body is the input structure (no member travels in a
    header, so the parser is given none to copy)."""
    shape = operation.input_shape
    if shape is None:
        return {}
    if protocol == "json":
        return _json_input(body, shape)
    return _parse(protocol, body, _NO_HEADERS, shape)


# -- JSON protocol bodies ---------------------------------------------------------------------------
def _json_input(body: bytes, shape: Any) -> dict[str, Any]:
    """A JSON-protocol body as the params an in-process client that skips botocore's checks would
    give: what botocore's JSON parser reads (members by serialized name, blobs base64-decoded,
    timestamps as datetimes, nulls left out of structures), walked along the members the body holds
    rather than every member of every structure (a DynamoDB item of 22 attributes took 59 µs through
    botocore's parser, which visits all ten members of each ``AttributeValue``). Values of another
    type than their shape's are left to the dispatch's input checks, which word them as AWS does;
    only a body that is no JSON object is refused here."""
    try:
        document = json.loads(body.decode("utf-8")) if body else {}
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError too; RecursionError: nested too deep
        raise malformed("json", f"Could not parse the request body as JSON: {exc}") from None
    if not isinstance(document, dict):
        raise malformed("json", f"Could not read the request: {shape.name} must be a JSON object")
    try:
        params: dict[str, Any] = _json_value(shape, document)
    except (ValueError, TypeError, RecursionError) as exc:  # a blob or timestamp that does not read
        raise malformed("json", f"Could not read the request: {exc}") from None
    return params


def _json_value(shape: Any, value: Any) -> Any:
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure":
        if shape.is_document_type or not isinstance(value, dict):
            return value
        return renamed(_json_members(shape), value, _json_value)
    if kind == "list":
        return [_json_value(shape.member, item) for item in value] if isinstance(value, list) else value
    if kind == "map":
        if not isinstance(value, dict):
            return value
        return {key: _json_value(shape.value, item) for key, item in value.items()}
    if kind == "blob" and isinstance(value, str):
        return base64.b64decode(value)
    if kind == "timestamp":
        return _timestamp(value)
    return value


def _timestamp(value: Any) -> Any:
    """A timestamp as botocore reads one (epoch seconds or ISO 8601 text); ValueError when it cannot
    (botocore raises RuntimeError or OverflowError for an epoch beyond the calendar)."""
    try:
        return parse_timestamp(value)
    except (RuntimeError, OverflowError, OSError) as exc:
        raise ValueError(f"Timestamp {value!r} is out of range") from exc


@functools.lru_cache(maxsize=None)
def _json_members(shape: Any) -> dict[str, tuple[str, Any, bool]]:
    """A structure's members by the name they have in JSON: serialized name -> member name, shape, and
    whether its value is read as it is (a scalar other than a blob or timestamp)."""
    return {member.serialization.get("name", name): (name, member, member.type_name in JSON_AS_IS)
            for name, member in shape.members.items()}


# -- Query protocol forms ---------------------------------------------------------------------------
class _Node(dict):  # type: ignore[type-arg]
    """A form key's dotted path as a tree: ``Attributes.entry.1.key`` -> nested nodes; ``value`` is
    the text given for the node's own key."""

    value: str | None = None


def _tree(form: Mapping[str, list[str]]) -> _Node:
    root = _Node()
    for key, values in form.items():
        node = root
        for part in key.split("."):
            node = node.setdefault(part, _Node())
        node.value = values[0]
    return root


def _numbered(node: _Node) -> list[_Node]:
    return [node[key] for key in sorted((k for k in node if k.isascii() and k.isdigit()), key=int)]


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name


def _member_node(parent: _Node, name: str, member: Any) -> _Node | None:
    """The node of a member: its serialized name; for flattened lists and maps also the names AWS's
    own Query services use for them (the list member's name or shape, the singular), which JSON
    models of query-compatible services (SQS) no longer carry."""
    candidates = [member.serialization.get("name", name)]
    if member.type_name in ("list", "map") and member.serialization.get("flattened"):
        inner = member.member if member.type_name == "list" else member
        candidates += [inner.serialization.get("name", ""), _singular(name)]
        if member.type_name == "list":
            candidates.append(member.member.name)
    for candidate in candidates:
        if candidate in parent:
            return parent[candidate]
    return None


def _first_child(node: _Node, names: tuple[str, ...]) -> _Node | None:
    """The first of ``names`` the node has (maps name their keys and values per model)."""
    return next((node[name] for name in names if name in node), None)


def query_value(shape: Any, node: _Node, protocol: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for name, member in shape.members.items():
            child = _member_node(node, name, member)
            if child is not None:
                out[name] = query_value(member, child, protocol)
        return out
    if kind == "list":
        if node.value == "" and not node:
            return []
        items = node.get(shape.member.serialization.get("name", "member"), node)
        return [query_value(shape.member, item, protocol) for item in _numbered(items)]
    if kind == "map":
        entries = _numbered(node.get("entry", node))
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        out = {}
        for entry in entries:
            key = _first_child(entry, (key_name, "Name", "key"))
            value = _first_child(entry, (value_name, "Value", "value"))
            if key is not None and key.value is not None and value is not None:
                out[key.value] = query_value(shape.value, value, protocol)
        return out
    if node.value is None:
        raise malformed(protocol, f"Missing value for {shape.name}")
    return scalar(shape, node.value, protocol)


def query_params(operation: Any, form: Mapping[str, list[str]], protocol: str) -> dict[str, Any]:
    shape = operation.input_shape
    if shape is None:
        return {}
    params: dict[str, Any] = query_value(shape, _tree(form), protocol)
    return params
