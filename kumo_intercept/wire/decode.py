"""Requests into operation params, driven by the operation's input shape.

Bodies and headers go through botocore's own response parsers (``botocore.parsers``): a request body
of the JSON, REST-JSON, REST-XML and RPC-v2-CBOR protocols has the same form as a response of that
protocol, so the parser that reads AWS's answers reads the client's questions too. URI labels, the
query string and Query-protocol forms (which no response uses) are read here from the shapes.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any, Mapping

from botocore.parsers import ResponseParserError, create_parser

from ..core.errors import AwsError

_PARSER_PROTOCOLS = ("json", "rest-json", "rest-xml", "smithy-rpc-v2-cbor")
_PARSERS = {protocol: create_parser(protocol) for protocol in _PARSER_PROTOCOLS}


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
def rest_params(operation: Any, labels: Mapping[str, str], query: Mapping[str, list[str]], headers: Any,
                body: bytes, protocol: str) -> dict[str, Any]:
    shape = operation.input_shape
    if shape is None:
        return {}
    members = shape.members
    payload = shape.serialization.get("payload")
    raw_payload = payload is not None and members[payload].type_name in ("blob", "string")
    params = _parse(protocol, b"" if raw_payload else body, headers, shape)
    if payload is not None and not body:
        params.pop(payload, None)  # no body: the payload member is absent, not empty
    if raw_payload:
        if body or members[payload].serialization.get("streaming") or payload in shape.required_members:
            params[payload] = io.BytesIO(body) if members[payload].type_name == "blob" else body.decode()
    for name, member in members.items():
        location = member.serialization.get("location")
        if location == "uri":
            label = member.serialization.get("name", name).replace("-", "_")
            if label in labels:
                params[name] = scalar(member, labels[label], protocol)
        elif location == "querystring":
            _query_member(params, name, member, query, shape, protocol)
    return params


def _query_member(params: dict[str, Any], name: str, member: Any, query: Mapping[str, list[str]],
                  shape: Any, protocol: str) -> None:
    if member.type_name == "map":  # every query key no other member claims
        claimed = {other.serialization.get("name", key) for key, other in shape.members.items()
                   if other.serialization.get("location") == "querystring"}
        params[name] = {key: values[0] for key, values in query.items() if key not in claimed}
        return
    key = member.serialization.get("name", name)
    if key not in query:
        return
    values = query[key]
    if member.type_name == "list":
        params[name] = [scalar(member.member, value, protocol) for value in values]
    else:
        params[name] = scalar(member, values[0], protocol)


def _parse(protocol: str, body: bytes, headers: Any, shape: Any) -> dict[str, Any]:
    if body and protocol in ("json", "rest-json"):
        try:
            json.loads(body)  # botocore's parser reads bad JSON as a message; AWS refuses it
        except ValueError as exc:
            raise malformed(protocol, f"Could not parse the request body as JSON: {exc}") from None
    try:
        parsed: dict[str, Any] = _PARSERS[protocol].parse(
            {"body": body, "headers": headers, "status_code": 200}, shape)
    except (ResponseParserError, ValueError, TypeError, KeyError, IndexError) as exc:
        raise malformed(protocol, f"Could not read the request: {exc}") from None
    parsed.pop("ResponseMetadata", None)
    return parsed


def json_params(operation: Any, headers: Any, body: bytes, protocol: str) -> dict[str, Any]:
    """JSON and RPC-v2-CBOR protocols: the whole body is the input structure."""
    shape = operation.input_shape
    if shape is None:
        return {}
    return _parse(protocol, body, headers, shape)


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
    return [node[key] for key in sorted((k for k in node if k.isdigit()), key=int)]


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
