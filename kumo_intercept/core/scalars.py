"""Responses for sessions that replaced botocore's timestamp or blob parser.

botocore parses every timestamp and blob of a response with the callables its session's
``response_parser_factory`` holds (``set_parser_defaults(timestamp_parser=..., blob_parser=...)``); by
default timestamps become datetimes and blobs bytes, which is what the backends answer with. The AWS CLI
replaces both: it prints timestamps exactly as they came over the wire (``cli_timestamp_format = wire``,
the v1 default) or as ISO 8601 (``iso8601``), and keeps blobs base64-encoded. For a client whose session
did that, each timestamp and blob of the answer is written back as the text AWS sends for it in that
protocol and place (body or header) and handed to the session's parser, as botocore's parser would:

* JSON bodies (``json``, ``rest-json``) and CBOR: epoch seconds as a number, to the millisecond;
* XML bodies (``query``, ``ec2``, ``rest-xml``): ISO 8601 in UTC, ``2025-01-01T00:00:00Z``, with
  milliseconds when there are any; ``rest-xml`` (S3) always writes them (``…00.000Z``);
* headers: the HTTP date, ``Wed, 01 Jan 2025 00:00:00 GMT``;
* a member's own ``timestampFormat`` wins over those defaults;
* blobs: base64 text, except blobs that are the whole payload (S3 bodies, Lambda payloads) and CBOR
  byte strings, which botocore never passes to the blob parser.

Clients are recognised by their config (``context["client_config"]``, one object per client), noted when
an emulator creates them; sessions that left the defaults alone cost one emptiness check per call.
"""

from __future__ import annotations

import base64
import calendar
import datetime as _dt
import email.utils
import weakref
from typing import Any, Callable

#: client config -> its session's ResponseParserFactory, for clients whose session changed the defaults
_FACTORIES: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()
#: whether any client was noted: most processes never note one, and this is read at every call (a
#: WeakKeyDictionary's len is computed in Python)
_factories_remembered = False

_XML_PROTOCOLS = frozenset({"query", "ec2", "rest-xml"})
_NUMBER_PROTOCOLS = frozenset({"json", "rest-json", "smithy-rpc-v2-cbor"})  # numbers stay numbers on the wire
_CBOR = "smithy-rpc-v2-cbor"


def remember_parser_defaults(session: Any, client: Any) -> None:
    """Note ``client`` if its session's response parser factory has defaults of its own."""
    global _factories_remembered
    factory = session.get_component("response_parser_factory")
    if _parser_defaults(factory):
        _FACTORIES[client.meta.config] = factory
        _factories_remembered = True


def _parser_defaults(factory: Any) -> dict[str, Any]:
    # ResponseParserFactory keeps set_parser_defaults' kwargs here and passes them to every parser it makes
    defaults: dict[str, Any] = getattr(factory, "_defaults", None) or {}
    return defaults


def as_session_parses(model: Any, parsed: dict[str, Any], botocore_context: dict[str, Any] | None) -> dict[str, Any]:
    """``parsed`` (timestamps as datetimes, blobs as bytes) as the calling client's parser would give it."""
    if not _factories_remembered or not botocore_context:
        return parsed
    config = botocore_context.get("client_config")
    factory = _FACTORIES.get(config) if config is not None else None
    if factory is None or model.output_shape is None:
        return parsed
    defaults = _parser_defaults(factory)
    protocol = model.service_model.protocol
    reparser = _Reparser(protocol, defaults.get("timestamp_parser"),
                         None if protocol == _CBOR else defaults.get("blob_parser"))
    if reparser.idle:
        return parsed
    return reparser.top(model.output_shape, parsed)


class _Reparser:
    """Walks an answer along its output shape, rebuilding the containers on the way to what changes."""

    def __init__(self, protocol: str, timestamp_parser: Callable[[Any], Any] | None,
                 blob_parser: Callable[[str], Any] | None) -> None:
        self.protocol = protocol
        self.timestamp_parser = timestamp_parser
        self.blob_parser = blob_parser
        self.idle = timestamp_parser is None and blob_parser is None

    def top(self, shape: Any, parsed: dict[str, Any]) -> dict[str, Any]:
        payload = shape.serialization.get("payload")
        out = dict(parsed)
        for name, member in shape.members.items():
            value = parsed.get(name)
            if value is None:
                continue
            location = member.serialization.get("location")
            if name == payload and (member.type_name != "structure" or member.serialization.get("eventstream")):
                continue  # a raw body (bytes, a stream) or an event stream: no parser sees it
            if location in (None, "header"):
                out[name] = self.value(member, value, location)
        return out

    def value(self, shape: Any, value: Any, location: str | None = None) -> Any:
        kind = shape.type_name
        if kind == "timestamp":
            if self.timestamp_parser is None or not isinstance(value, _dt.datetime):
                return value
            return self.timestamp_parser(self.wire_timestamp(shape, value, location))
        if kind == "blob":
            if self.blob_parser is None or not isinstance(value, (bytes, bytearray)):
                return value
            return self.blob_parser(base64.b64encode(value).decode("ascii"))
        if kind == "structure" and isinstance(value, dict):
            return {name: self.value(shape.members[name], item) if name in shape.members else item
                    for name, item in value.items()}
        if kind == "list" and isinstance(value, list):
            return [self.value(shape.member, item) for item in value]
        if kind == "map" and isinstance(value, dict):
            return {key: self.value(shape.value, item) for key, item in value.items()}
        return value

    def wire_timestamp(self, shape: Any, value: _dt.datetime, location: str | None) -> Any:
        """The timestamp as AWS writes it here: text, or a number in a JSON or CBOR body."""
        default = "rfc822" if location == "header" else "iso8601" if self.protocol in _XML_PROTOCOLS \
            else "unixTimestamp"
        form = shape.serialization.get("timestampFormat", default)
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        seconds = calendar.timegm(value.utctimetuple())
        if form == "rfc822":
            return email.utils.formatdate(seconds, usegmt=True)
        millis = value.microsecond // 1000
        if form == "unixTimestamp":
            number = seconds + millis / 1000 if millis else float(seconds)
            return number if location is None and self.protocol in _NUMBER_PROTOCOLS else _epoch_text(number)
        fraction = f".{millis:03d}" if millis or self.protocol == "rest-xml" else ""
        return value.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def _epoch_text(number: float) -> str:
    return str(int(number)) if number.is_integer() else repr(number)
