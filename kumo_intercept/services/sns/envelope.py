"""What SNS sends: the JSON envelope of a notification, its signature, and the Lambda event form.

The envelope text is built by hand in AWS's own layout (``"Key" : "Value"`` lines, two-space indent,
message attributes as compact one-line objects) because consumers parse it and people read it; the
parts shared by every subscriber of one publish are built once.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from ...core.clock import from_epoch
from ...core.partitions import dns_suffix

_CERT_ID = "9c6465fa7f48f5cacd23014631ec1136"
_dumps = json.JSONEncoder(ensure_ascii=False).encode


def iso_timestamp(epoch: float) -> str:
    """SNS's timestamp form: ``2025-01-01T00:00:00.000Z`` (milliseconds, UTC)."""
    moment = from_epoch(epoch)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def endpoint(region: str) -> str:
    """SNS's endpoint in ``region``, which the URLs in its messages name (``amazonaws.com.cn`` in China)."""
    return f"https://sns.{region}.{dns_suffix(region)}"


def signing_cert_url(region: str) -> str:
    return f"{endpoint(region)}/SimpleNotificationService-{_CERT_ID}.pem"


def unsubscribe_url(region: str, subscription_arn: str) -> str:
    return f"{endpoint(region)}/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"


def signature(fields: list[tuple[str, str]], version: str) -> str:
    """A stand-in for SNS's RSA signature: 256 bytes (SHA1withRSA) derived from the signed fields,
    base64-encoded like the real one. Deterministic; it verifies against nothing."""
    text = "".join(f"{name}\n{value}\n" for name, value in fields).encode()
    digest = b"".join(
        hashlib.blake2b(text, digest_size=64, salt=bytes([i, int(version or 1)]) + bytes(14)).digest()
        for i in range(4)
    )
    return base64.b64encode(digest).decode()


def envelope_attributes(attributes: dict | None) -> dict[str, dict[str, str]]:
    """Message attributes as the envelope shows them: ``{"name": {"Type": ..., "Value": ...}}``."""
    out: dict[str, dict[str, str]] = {}
    if not attributes:
        return out
    for name, attribute in attributes.items():
        data_type = attribute.get("DataType", "String")
        if "BinaryValue" in attribute and attribute.get("StringValue") is None:
            value = attribute["BinaryValue"]
            if isinstance(value, str):
                value = value.encode()
            text = base64.b64encode(value).decode()
        else:
            text = attribute.get("StringValue", "")
        out[name] = {"Type": data_type, "Value": text}
    return out


class Notification:
    """One published message as every subscriber will receive it (built once per publish)."""

    __slots__ = (
        "message_id", "topic_arn", "region", "subject", "message", "per_protocol", "timestamp",
        "attributes", "sequence_number", "fifo", "signature_version", "_signature",
        "_attributes_text", "_protocol_heads",
    )

    def __init__(
        self,
        *,
        message_id: str,
        topic_arn: str,
        region: str,
        subject: str | None,
        message: str,
        per_protocol: dict[str, str] | None,
        timestamp: str,
        attributes: dict | None,
        sequence_number: str | None,
        fifo: bool,
        signature_version: str,
    ) -> None:
        self.message_id = message_id
        self.topic_arn = topic_arn
        self.region = region
        self.subject = subject
        self.message = message
        self.per_protocol = per_protocol
        self.timestamp = timestamp
        self.attributes = attributes
        self.sequence_number = sequence_number
        self.fifo = fifo
        self.signature_version = signature_version or "1"
        self._signature: str | None = None
        self._attributes_text: str | None = None
        self._protocol_heads: dict[str, str] = {}

    def message_for(self, protocol: str) -> str:
        """The text for one protocol: with MessageStructure=json, its own entry or ``default``."""
        per = self.per_protocol
        if per is None:
            return self.message
        return per.get(protocol, per["default"])

    def signature(self) -> str:
        if self._signature is None:
            fields = [("Message", self.message), ("MessageId", self.message_id)]
            if self.subject is not None:
                fields.append(("Subject", self.subject))
            fields += [("Timestamp", self.timestamp), ("TopicArn", self.topic_arn), ("Type", "Notification")]
            self._signature = signature(fields, self.signature_version)
        return self._signature

    def _attributes_part(self) -> str:
        text = self._attributes_text
        if text is None:
            attributes = envelope_attributes(self.attributes)
            if attributes:
                lines = ",\n".join(
                    f"    {_dumps(name)} : {{\"Type\":{_dumps(a['Type'])},\"Value\":{_dumps(a['Value'])}}}"
                    for name, a in attributes.items()
                )
                text = f",\n  \"MessageAttributes\" : {{\n{lines}\n  }}"
            else:
                text = ""
            self._attributes_text = text
        return text

    def _head(self, protocol: str) -> str:
        head = self._protocol_heads.get(protocol)
        if head is None:
            message = self.message_for(protocol)
            parts = [f"{{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : {_dumps(self.message_id)}"]
            if self.sequence_number is not None:
                parts.append(f",\n  \"SequenceNumber\" : {_dumps(self.sequence_number)}")
            parts.append(f",\n  \"TopicArn\" : {_dumps(self.topic_arn)}")
            if self.subject is not None:
                parts.append(f",\n  \"Subject\" : {_dumps(self.subject)}")
            parts.append(f",\n  \"Message\" : {_dumps(message)},\n  \"Timestamp\" : {_dumps(self.timestamp)}")
            if not self.fifo:
                parts.append(
                    f",\n  \"SignatureVersion\" : {_dumps(self.signature_version)}"
                    f",\n  \"Signature\" : {_dumps(self.signature())}"
                    f",\n  \"SigningCertURL\" : {_dumps(signing_cert_url(self.region))}"
                )
            head = self._protocol_heads[protocol] = "".join(parts)
        return head

    def envelope(self, protocol: str, subscription_arn: str) -> str:
        """The JSON text an SQS queue, HTTP endpoint or email-json address receives."""
        return (
            f"{self._head(protocol)},\n  \"UnsubscribeURL\" : "
            f"{_dumps(unsubscribe_url(self.region, subscription_arn))}{self._attributes_part()}\n}}"
        )

    def lambda_event(self, subscription_arn: str) -> dict[str, Any]:
        """The event a Lambda subscriber is invoked with."""
        sns: dict[str, Any] = {
            "Type": "Notification",
            "MessageId": self.message_id,
            "TopicArn": self.topic_arn,
            "Subject": self.subject,
            "Message": self.message_for("lambda"),
            "Timestamp": self.timestamp,
            "SignatureVersion": self.signature_version,
            "Signature": self.signature(),
            "SigningCertUrl": signing_cert_url(self.region),
            "UnsubscribeUrl": unsubscribe_url(self.region, subscription_arn),
            "MessageAttributes": envelope_attributes(self.attributes),
        }
        if self.sequence_number is not None:
            sns["SequenceNumber"] = self.sequence_number
        return {"Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": subscription_arn,
            "Sns": sns,
        }]}


def confirmation_message(*, kind: str, message_id: str, token: str, topic_arn: str, region: str,
                         timestamp: str, subscribe: bool, subscription_arn: str) -> str:
    """The body of a SubscriptionConfirmation / UnsubscribeConfirmation sent to HTTP(S) endpoints."""
    action = "ConfirmSubscription"
    url = f"{endpoint(region)}/?Action={action}&TopicArn={topic_arn}&Token={token}"
    text = (f"You have chosen to subscribe to the topic {topic_arn}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message."
            if subscribe else
            f"You have chosen to deactivate subscription {subscription_arn}.\n"
            "To cancel this operation and restore the subscription, visit the SubscribeURL included "
            "in this message.")
    fields = [("Message", text), ("MessageId", message_id), ("SubscribeURL", url),
              ("Timestamp", timestamp), ("Token", token), ("TopicArn", topic_arn), ("Type", kind)]
    body = {
        "Type": kind,
        "MessageId": message_id,
        "Token": token,
        "TopicArn": topic_arn,
        "Message": text,
        "SubscribeURL": url,
        "Timestamp": timestamp,
        "SignatureVersion": "1",
        "Signature": signature(fields, "1"),
        "SigningCertURL": signing_cert_url(region),
    }
    return json.dumps(body, indent=2, separators=(",", " : "), ensure_ascii=False)
