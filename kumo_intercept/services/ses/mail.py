"""Mail as SES builds and reads it: template rendering and MIME.

Rendering follows SES's Handlebars subset that templates use most: ``{{name}}`` and dotted paths
``{{user.name}}`` replaced by the template data's value (HTML-escaped in the HTML part, as Handlebars
does; ``{{{name}}}`` is not escaped). Block helpers (``{{#if}}``, ``{{#each}}``) are not rendered.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from typing import Any

from ...core.clock import from_epoch

_VARIABLE = re.compile(r"\{\{\{\s*([\w.-]+)\s*\}\}\}|\{\{\s*([\w.-]+)\s*\}\}")


class MissingAttribute(KeyError):
    """A template names a variable the data does not hold."""


def _lookup(data: Any, path: str) -> Any:
    value = data
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise MissingAttribute(path)
        value = value[part]
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def render(template: str, data: dict, *, escape: bool) -> str:
    """``template`` with each ``{{path}}`` replaced from ``data``; MissingAttribute for an absent one."""
    def replace(match: re.Match[str]) -> str:
        raw, escaped = match.group(1), match.group(2)
        value = _text(_lookup(data, raw or escaped))
        return html.escape(value, quote=True) if escape and escaped else value
    return _VARIABLE.sub(replace, template)


def build_mime(message_id: str, source: str, to: list[str], cc: list[str], reply_to: list[str],
               subject: str, text: str | None, html_body: str | None, sent: float) -> str:
    """The MIME message SES sends for a formatted SendEmail (Bcc recipients are not in the headers)."""
    source, subject, text, html_body = (_encodable(part) for part in (source, subject, text, html_body))
    to, cc, reply_to = ([_encodable(address) for address in addresses] for addresses in (to, cc, reply_to))
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = source
    if to:
        message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    if reply_to:
        message["Reply-To"] = ", ".join(reply_to)
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}@email.amazonses.com>"
    message["Date"] = format_datetime(from_epoch(sent))
    message["MIME-Version"] = "1.0"
    if text is not None:
        message.set_content(text)
    if html_body is not None:
        if text is not None:
            message.add_alternative(html_body, subtype="html")
        else:
            message.set_content(html_body, subtype="html")
    return message.as_string()


def _encodable(text: Any) -> Any:
    """``text`` with what UTF-8 cannot encode (a lone surrogate, which JSON can carry) as ``?``, as an
    encoder on the service's side replaces it; anything else unchanged."""
    return text.encode("utf-8", "replace").decode("utf-8") if isinstance(text, str) else text


def as_bytes(data: bytes | str) -> bytes:
    """A raw message as bytes (botocore passes a str through unchanged when parameter validation is off)."""
    return data.encode() if isinstance(data, str) else data


def parse_mime(raw: bytes) -> dict[str, Any]:
    """What a raw message says: From, To/Cc/Bcc addresses, Subject and its text and HTML parts."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts: dict[str, str | None] = {"text": None, "html": None}
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        key = "text" if kind == "text/plain" else "html" if kind == "text/html" else None
        if key is not None and parts[key] is None:
            parts[key] = part.get_content()
    def addresses(header: str) -> list[str]:
        return [address for _, address in getaddresses(message.get_all(header, [])) if address]
    return {
        "from": addresses("From"), "to": addresses("To"), "cc": addresses("Cc"), "bcc": addresses("Bcc"),
        "subject": str(message.get("Subject", "")), "text": parts["text"], "html": parts["html"],
    }
