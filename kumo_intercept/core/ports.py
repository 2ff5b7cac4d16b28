"""Typed ports: what one service asks of another, as Protocols.

Services never import each other. A backend that needs another service asks the emulator for a
port — ``self.emulator.ports.queues.deliver_message(...)`` — and gets the other backend typed as
the Protocol it implements. The backend implementing a port is built on first use, as for a call.

A port method runs inside the caller's transaction: a delivery that fails raises ``AwsError``
(wrap it in ``core.dispatch.attempt`` when a failed delivery must not undo the call that caused it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Protocol, Sequence, runtime_checkable

if TYPE_CHECKING:
    from ..emulator import Emulator


@runtime_checkable
class QueuePort(Protocol):
    """SQS, for SNS subscriptions, S3 notifications, EventBridge targets, Lambda destinations."""

    def deliver_message(self, queue_arn: str, body: str, *, message_attributes: dict | None = None,
                        message_system_attributes: dict | None = None, message_group_id: str | None = None,
                        deduplication_id: str | None = None, delay_seconds: int | None = None) -> str:
        """Enqueue a message as the service would; returns its message id."""
        ...

    def queue_attributes(self, queue_arn: str) -> dict[str, str]:
        """The queue's attributes as GetQueueAttributes(All) answers them."""
        ...

    def receive_for_consumer(self, queue_arn: str, max_messages: int,
                             visibility_timeout: int | None = None) -> list[dict]:
        """Receive as ReceiveMessage with All attributes would (Lambda's SQS event source mappings)."""
        ...

    def delete_by_receipt(self, queue_arn: str, receipt_handle: str) -> None:
        """Delete a received message by its receipt handle (a mapping's processed batch)."""
        ...


@runtime_checkable
class TopicPort(Protocol):
    """SNS, for CloudWatch alarm actions, S3 notifications, EventBridge targets, destinations."""

    def publish_internal(self, topic_arn: str, message: str, *, subject: str | None = None,
                         message_attributes: dict | None = None, message_structure: str | None = None,
                         message_group_id: str | None = None, deduplication_id: str | None = None) -> str:
        """Publish as an AWS service would (FIFO topics need the group and deduplication ids);
        returns the message id."""
        ...


@runtime_checkable
class FunctionPort(Protocol):
    """Lambda, for event sources, SNS, S3, EventBridge, Step Functions, Secrets Manager rotation."""

    def invoke_internal(self, function_arn: str, payload: bytes | str, *, invocation_type: str = "Event",
                        qualifier: str | None = None) -> dict:
        """Invoke a function; returns Invoke's result (``StatusCode``, ``Payload``, ``FunctionError``)."""
        ...

    def function_exists(self, function_arn: str) -> bool:
        """Whether the ARN (optionally qualified) names a function, version or alias that exists
        (S3 checks notification destinations with it)."""
        ...


@runtime_checkable
class EventBusPort(Protocol):
    """EventBridge, for S3 and other services' events and for targets that are buses."""

    def put_events_internal(self, account: str, region: str, entries: list[dict]) -> list[dict]:
        """PutEvents as a service would send them; returns the per-entry results."""
        ...


@runtime_checkable
class LogPort(Protocol):
    """CloudWatch Logs, for Lambda's function logs and other services' log delivery."""

    def put_log_events_internal(self, account: str, region: str, group: str, stream: str,
                                events: list[tuple[int, str]]) -> None:
        """Append (epoch milliseconds, message) events, creating the group and stream if needed."""
        ...


@runtime_checkable
class StreamPort(Protocol):
    """A record stream (DynamoDB Streams, Kinesis) read by event source mappings."""

    def shard_ids(self, stream_arn: str) -> list[str]:
        """The stream's open shards; KeyError when there is no such stream."""
        ...

    def read_records(self, stream_arn: str, shard_id: str, after_sequence_number: str | None,
                     limit: int) -> list[dict]:
        """Up to ``limit`` records after a sequence number (from the trim horizon when None)."""
        ...


@runtime_checkable
class KeyPort(Protocol):
    """KMS, for SSE-KMS, SQS/SNS encryption, SecureString parameters and secrets."""

    def check_key_usable(self, key_id: str, account: str, region: str) -> str:
        """The key's ARN; AwsError (NotFoundException, DisabledException, KMSInvalidStateException…)
        as KMS would answer when the key cannot encrypt."""
        ...

    def encrypt_internal(self, key_id: str, plaintext: bytes, account: str, region: str,
                         context: Mapping[str, str] | None = None) -> bytes:
        """A ciphertext blob only this emulator decrypts, bound to the key and context."""
        ...

    def decrypt_internal(self, ciphertext: bytes, account: str, region: str,
                         context: Mapping[str, str] | None = None) -> tuple[bytes, str]:
        """(plaintext, key ARN); AwsError InvalidCiphertextException when it is not ours or tampered."""
        ...

    def generate_data_key_internal(self, key_id: str, account: str, region: str,
                                   context: Mapping[str, str] | None = None,
                                   length: int = 32) -> tuple[bytes, bytes, str]:
        """(plaintext, ciphertext, key ARN) of a new data key."""
        ...


@runtime_checkable
class IdentityPort(Protocol):
    """IAM, for roles that other services assume or check (Lambda, STS, EventBridge, Step Functions)."""

    def role_exists(self, role_arn: str) -> bool:
        """Whether the role ARN names an existing role."""
        ...

    def role_record(self, role_arn: str) -> dict | None:
        """The role as GetRole answers it (with ``AssumeRolePolicyDocument`` decoded), or None."""
        ...

    def principal_for_access_key(self, access_key: str) -> dict | None:
        """For an IAM user's access key: ``{"Account", "Arn", "UserId", "UserName"}``; else None."""
        ...

    def identity_provider(self, provider_arn: str) -> dict | None:
        """An OIDC or SAML provider by ARN (``{"Kind": "oidc"|"saml", "Arn", …}``), or None."""
        ...

    def trust_allows(self, role_arn: str, principal: str, *, principal_kind: str = "AWS",
                     aliases: Sequence[str] = (), action: str = "sts:AssumeRole",
                     context: Mapping[str, str | Sequence[str]] | None = None) -> bool:
        """Whether the role's trust policy lets ``principal`` (an ARN, a service or a federated
        provider; ``aliases`` are its other names, e.g. the role behind a session) do ``action``."""
        ...


#: the service (botocore name) whose backend serves each port; a test asserts every emulated one
#: implements its Protocol exactly
SERVICE_PORTS: dict[str, type] = {
    "sqs": QueuePort, "sns": TopicPort, "lambda": FunctionPort, "events": EventBusPort, "logs": LogPort,
    "kms": KeyPort, "iam": IdentityPort, "dynamodbstreams": StreamPort, "kinesis": StreamPort,
}


class Ports:
    """The typed accessor: ``emulator.ports.queues`` and so on. Each property builds the backend
    that serves the port on first use and raises NotEmulatedError if the service is not emulated."""

    __slots__ = ("_emulator",)

    def __init__(self, emulator: "Emulator") -> None:
        self._emulator = emulator

    def _get(self, service: str, port: type) -> Any:
        # not checked with isinstance here (it costs microseconds per delivery): a test asserts that
        # each backend implements the Protocol it is handed out as
        return self._emulator.backend(service)

    @property
    def queues(self) -> QueuePort:
        return self._get("sqs", QueuePort)

    @property
    def topics(self) -> TopicPort:
        return self._get("sns", TopicPort)

    @property
    def functions(self) -> FunctionPort:
        return self._get("lambda", FunctionPort)

    @property
    def event_buses(self) -> EventBusPort:
        return self._get("events", EventBusPort)

    @property
    def logs(self) -> LogPort:
        return self._get("logs", LogPort)

    @property
    def keys(self) -> KeyPort:
        return self._get("kms", KeyPort)

    @property
    def identity(self) -> IdentityPort:
        return self._get("iam", IdentityPort)

    def stream(self, service: str) -> StreamPort:
        """The stream port of ``"dynamodbstreams"`` or ``"kinesis"``."""
        return self._get(service, StreamPort)


__all__ = [
    "EventBusPort", "FunctionPort", "IdentityPort", "KeyPort", "LogPort", "Ports", "QueuePort",
    "SERVICE_PORTS", "StreamPort", "TopicPort",
]
