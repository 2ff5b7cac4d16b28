"""Typed ports: what one service asks of another, as Protocols.

Services never import each other. A backend that needs another service asks the emulator for a
port — ``self.emulator.ports.queues.deliver_message(...)`` — and gets the other backend typed as
the Protocol it implements. The backend implementing a port is built on first use, as for a call.

A port method runs inside the caller's transaction: a delivery that fails raises ``AwsError``
(wrap it in ``core.dispatch.attempt`` when a failed delivery must not undo the call that caused it).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Mapping, Protocol, Sequence, cast, runtime_checkable

if TYPE_CHECKING:
    from .dispatch import RequestContext
    from ..emulator import Emulator


@runtime_checkable
class QueuePort(Protocol):
    """SQS, for SNS subscriptions, S3 notifications, EventBridge targets, Lambda destinations."""

    def deliver_message(self, queue_arn: str, body: str, *, message_attributes: dict[str, Any] | None = None,
                        message_system_attributes: dict[str, Any] | None = None, message_group_id: str | None = None,
                        deduplication_id: str | None = None, delay_seconds: int | None = None) -> str:
        """Enqueue a message as the service would; returns its message id."""
        ...

    def queue_attributes(self, queue_arn: str) -> dict[str, str]:
        """The queue's attributes as GetQueueAttributes(All) answers them."""
        ...

    def receive_for_consumer(self, queue_arn: str, max_messages: int,
                             visibility_timeout: int | None = None) -> list[dict[str, Any]]:
        """Receive as ReceiveMessage with All attributes would (Lambda's SQS event source mappings)."""
        ...

    def delete_by_receipt(self, queue_arn: str, receipt_handle: str) -> None:
        """Delete a received message by its receipt handle (a mapping's processed batch)."""
        ...


@runtime_checkable
class TopicPort(Protocol):
    """SNS, for CloudWatch alarm actions, S3 notifications, EventBridge targets, destinations."""

    def publish_internal(self, topic_arn: str, message: str, *, subject: str | None = None,
                         message_attributes: dict[str, Any] | None = None, message_structure: str | None = None,
                         message_group_id: str | None = None, deduplication_id: str | None = None) -> str:
        """Publish as an AWS service would (FIFO topics need the group and deduplication ids);
        returns the message id."""
        ...


@runtime_checkable
class FunctionPort(Protocol):
    # FunctionPort's and StreamPort's signatures are spelt exactly as the Lambda and DynamoDB Streams
    # backends spell them (tests/services/awslambda/test_lambda_ports.py compares the text)
    """Lambda, for event sources, SNS, S3, EventBridge, Step Functions, Secrets Manager rotation."""

    def invoke_internal(self, function_arn: str, payload: bytes | str, *, invocation_type: str = "Event",
                        qualifier: str | None = None) -> dict:  # type: ignore[type-arg]  # spelt as the backend
        """Invoke a function; returns Invoke's result (``StatusCode``, ``Payload``, ``FunctionError``)."""
        ...

    def function_exists(self, function_arn: str) -> bool:
        """Whether the ARN (optionally qualified) names a function, version or alias that exists
        (S3 checks notification destinations with it)."""
        ...


@runtime_checkable
class EventBusPort(Protocol):
    """EventBridge, for S3 and other services' events and for targets that are buses."""

    def put_events_internal(self, account: str, region: str,
                            entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """PutEvents as a service would send them; returns the per-entry results."""
        ...


@runtime_checkable
class LogPort(Protocol):
    """CloudWatch Logs, for Lambda's function logs, other services' log delivery and CloudWatch's
    Contributor Insights rules."""

    def put_log_events_internal(self, account: str, region: str, group: str, stream: str,
                                events: list[tuple[int, str]]) -> None:
        """Append (epoch milliseconds, message) events, creating the group and stream if needed."""
        ...

    def read_log_events_internal(self, account: str, region: str, group_patterns: Sequence[str], start_ms: int,
                                 end_ms: int) -> list[tuple[int, str, int]]:
        """(timestamp, message, ingestion time), epoch milliseconds, oldest first, of the events with
        ``start_ms <= timestamp < end_ms`` in the log groups named (a name ending in ``*`` names every group
        with that prefix) and within their retention, for CloudWatch's Contributor Insights rules."""
        ...


@runtime_checkable
class StreamPort(Protocol):
    """A record stream (DynamoDB Streams, Kinesis) read by event source mappings."""

    def shard_ids(self, stream_arn: str) -> list[str]:
        """The stream's open shards; KeyError when there is no such stream."""
        ...

    def read_records(self, stream_arn: str, shard_id: str, after_sequence_number: str | None,
                     limit: int) -> list[dict]:  # type: ignore[type-arg]  # spelt as the backend
        """Up to ``limit`` records after a sequence number (from the trim horizon when None)."""
        ...


@runtime_checkable
class ObjectStorePort(Protocol):
    """S3, for services that write objects (Firehose deliveries)."""

    def put_object_internal(self, bucket: str, key: str, body: bytes, account: str, region: str,
                            content_type: str | None = None) -> None:
        """Store an object as PutObject by ``account`` would; AwsError NoSuchBucket when there is no bucket."""
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
class SecretPort(Protocol):
    """Secrets Manager, for secrets a service manages on the customer's behalf (EventBridge connections):
    the customer reads them, only the owning service changes them."""

    def create_managed_secret(self, account: str, region: str, name: str, value: str, owning_service: str) -> str:
        """CreateSecret as ``owning_service`` makes it (``OwningService`` and the
        ``aws:secretsmanager:owningService`` tag set); returns the secret's ARN."""
        ...

    def put_managed_secret_value(self, secret_arn: str, value: str) -> None:
        """A new AWSCURRENT version of a managed secret, as its owning service writes it."""
        ...

    def delete_managed_secret(self, secret_arn: str) -> None:
        """Delete a managed secret at once, as its owning service does when the resource goes."""
        ...


@runtime_checkable
class IdentityPort(Protocol):
    """IAM, for roles that other services assume or check (Lambda, STS, EventBridge, Step Functions)."""

    def role_exists(self, role_arn: str) -> bool:
        """Whether the role ARN names an existing role."""
        ...

    def role_record(self, role_arn: str) -> dict[str, Any] | None:
        """The role as GetRole answers it (with ``AssumeRolePolicyDocument`` decoded), or None."""
        ...

    def principal_for_access_key(self, access_key: str) -> dict[str, Any] | None:
        """For an IAM user's access key: ``{"Account", "Arn", "UserId", "UserName"}``; else None."""
        ...

    def identity_provider(self, provider_arn: str) -> dict[str, Any] | None:
        """An OIDC or SAML provider by ARN (``{"Kind": "oidc"|"saml", "Arn", …}``), or None."""
        ...

    def trust_allows(self, role_arn: str, principal: str, *, principal_kind: str = "AWS",
                     aliases: Sequence[str] = (), action: str = "sts:AssumeRole",
                     context: Mapping[str, str | Sequence[str]] | None = None) -> bool:
        """Whether the role's trust policy lets ``principal`` (an ARN, a service or a federated
        provider; ``aliases`` are its other names, e.g. the role behind a session) do ``action``."""
        ...


@runtime_checkable
class CredentialsPort(Protocol):
    """STS, for services that act as a role on their own (a Lambda function's execution role)."""

    def issue_role_session(self, role_arn: str, session_name: str, seconds: int = 3600) -> dict[str, Any]:
        """Session credentials acting as the role, as AssumeRole issues them (``AccessKeyId``,
        ``SecretAccessKey``, ``SessionToken``, ``Expiration`` in epoch seconds); no trust check, the
        asking service made its own. KeyError when IAM holds no such role."""
        ...

    def session_for_access_key(self, access_key: str) -> dict[str, Any] | None:
        """Whom credentials STS issued act as (``Kind``, ``Arn``, ``Account``, ``UserId``; ``RoleArn`` for
        role sessions, ``ParentArn`` for federated users and session tokens, ``Policies`` (session
        policy texts) and ``PolicyArns``, session ``Tags``), expired or not; None for other keys."""
        ...


@runtime_checkable
class ResourcePolicyPort(Protocol):
    """A service whose resources carry resource-based policies and tags, for IAM enforcement
    (services/iam/enforcement.py); ``RESOURCE_POLICY_SERVICES`` names them."""

    def resource_facts(self, arn: str) -> dict[str, Any] | None:
        """What a request on the resource ``arn`` is authorized against, the ARN as the request names it
        (a secret's without its suffix, a KMS alias's): ``{"Arn": the resource's own ARN, "Policy": the
        resource policy text or None, "Tags": {key: value}}``, plus ``"Grants"`` for KMS keys (each with
        ``GranteePrincipal``, ``Operations``, ``Constraints``) and ``"PartitionKey"`` for DynamoDB tables
        and indexes; None when there is no such resource."""
        ...


@runtime_checkable
class WorkflowPort(Protocol):
    """Step Functions, for EventBridge rule targets and other services starting executions."""

    def start_execution_internal(self, state_machine_arn: str, input: str, account: str, region: str) -> str:
        """StartExecution as a service would; returns the execution ARN (AwsError as StartExecution)."""
        ...


@runtime_checkable
class DeliveryStreamPort(Protocol):
    """Firehose, for services that publish records to a delivery stream (SES event destinations)."""

    def put_record_internal(self, delivery_stream_arn: str, data: bytes) -> str:
        """PutRecord as a service would (AwsError ResourceNotFoundException and the like); the record id."""
        ...


@runtime_checkable
class MetricPort(Protocol):
    """CloudWatch, for services that publish their own metrics (SES event destinations)."""

    def put_metric_data_internal(self, account: str, region: str, namespace: str,
                                 metric_data: list[dict[str, Any]]) -> None:
        """Store data points as PutMetricData would (``MetricName``, ``Dimensions``, ``Value``, ``Unit``);
        ``AWS/`` namespaces are allowed: they are what AWS services publish to."""
        ...


#: the service part of a resource ARN -> the service (botocore name) answering ``ResourcePolicyPort``
#: for it (IAM answers for roles: their trust policy is the resource policy of sts:AssumeRole)
RESOURCE_POLICY_SERVICES: dict[str, str] = {
    "s3": "s3", "sqs": "sqs", "sns": "sns", "lambda": "lambda", "kms": "kms", "secretsmanager": "secretsmanager",
    "events": "events", "dynamodb": "dynamodb", "iam": "iam",
}

#: the service (botocore name) whose backend serves each port; a test asserts every emulated one
#: implements its Protocol exactly
SERVICE_PORTS: dict[str, type] = {
    "sqs": QueuePort, "sns": TopicPort, "lambda": FunctionPort, "events": EventBusPort, "logs": LogPort,
    "kms": KeyPort, "iam": IdentityPort, "sts": CredentialsPort, "dynamodbstreams": StreamPort, "kinesis": StreamPort,
    "s3": ObjectStorePort, "stepfunctions": WorkflowPort,
    "firehose": DeliveryStreamPort, "cloudwatch": MetricPort, "secretsmanager": SecretPort,
}


@functools.lru_cache(maxsize=None)
def service_model(service: str) -> Any:
    """botocore's ServiceModel of a service (cached), for ``Ports.call`` and services that read
    another service's model (Step Functions names the errors of its AWS SDK integrations from it)."""
    return _botocore_session().get_service_model(service)


@functools.lru_cache(maxsize=1)
def _botocore_session() -> Any:
    import botocore.session

    return botocore.session.get_session()


class Ports:
    """The typed accessor: ``emulator.ports.queues`` and so on. Each property builds the backend
    that serves the port on first use and raises NotEmulatedError if the service is not emulated."""

    __slots__ = ("_emulator", "_sessions")

    def __init__(self, emulator: "Emulator") -> None:
        self._emulator = emulator
        #: role ARN -> the access key of the session services act as it with (enforcement only)
        self._sessions: dict[str, str] = {}

    def _get(self, service: str) -> Any:
        # not checked with isinstance here (it costs microseconds per delivery): a test asserts that
        # each backend implements the Protocol it is handed out as (SERVICE_PORTS)
        return self._emulator.backend(service)

    @property
    def queues(self) -> QueuePort:
        return cast(QueuePort, self._get("sqs"))

    @property
    def topics(self) -> TopicPort:
        return cast(TopicPort, self._get("sns"))

    @property
    def functions(self) -> FunctionPort:
        return cast(FunctionPort, self._get("lambda"))

    @property
    def event_buses(self) -> EventBusPort:
        return cast(EventBusPort, self._get("events"))

    @property
    def logs(self) -> LogPort:
        return cast(LogPort, self._get("logs"))

    @property
    def objects(self) -> ObjectStorePort:
        return cast(ObjectStorePort, self._get("s3"))

    @property
    def keys(self) -> KeyPort:
        return cast(KeyPort, self._get("kms"))

    @property
    def secrets(self) -> SecretPort:
        return cast(SecretPort, self._get("secretsmanager"))

    @property
    def identity(self) -> IdentityPort:
        return cast(IdentityPort, self._get("iam"))

    @property
    def credentials(self) -> CredentialsPort:
        return cast(CredentialsPort, self._get("sts"))

    @property
    def workflows(self) -> WorkflowPort:
        return cast(WorkflowPort, self._get("stepfunctions"))

    @property
    def delivery_streams(self) -> DeliveryStreamPort:
        return cast(DeliveryStreamPort, self._get("firehose"))

    @property
    def metrics(self) -> MetricPort:
        return cast(MetricPort, self._get("cloudwatch"))

    def call(self, service: str, operation: str, params: dict[str, Any], account: str,
             region: str, *, as_role: str | None = None) -> dict[str, Any]:
        """Any emulated operation, as a service acting in ``account``/``region`` calls it (Step Functions'
        AWS SDK integrations): ``params`` as botocore would send them (PascalCase API members), the
        parsed output without ResponseMetadata returned, AwsError raised with the call's changes undone.
        With IAM enforcement on, a service acting as a role (``as_role``) is authorized as that role."""
        from .dispatch import attempt

        emulator = self._emulator
        handler = emulator.handler(service, operation)

        def authorized_call(ctx: "RequestContext[Any]") -> dict[str, Any]:
            if emulator.authorize is not None and ctx.access_key is not None:
                emulator.authorize(ctx)
            return handler(ctx)

        ctx = self._context(service, operation, params, account, region, as_role)
        result, error = attempt(emulator.store, authorized_call, ctx)
        if error is not None:
            raise error
        return cast(dict[str, Any], result)

    def authorize_as_role(self, role_arn: str, service: str, operation: str, params: dict[str, Any], account: str,
                          region: str) -> None:
        """With IAM enforcement on: raise the service's AwsError AccessDenied unless ``role_arn`` may make
        this call (a service acting as a role without going through ``call``: Step Functions invoking
        Lambda). Nothing happens with enforcement off."""
        authorize = self._emulator.authorize
        if authorize is not None:
            authorize(self._context(service, operation, params, account, region, role_arn))

    def _context(self, service: str, operation: str, params: dict[str, Any], account: str, region: str,
                 as_role: str | None) -> "RequestContext[Any]":
        """The request of a service's call, carrying credentials of ``as_role`` when enforcement is on."""
        from .dispatch import RequestContext
        from .errors import AwsError
        from .responses import new_request_id

        emulator = self._emulator
        access_key = None
        if as_role is not None and emulator.authorize is not None:
            access_key = self._sessions.get(as_role)
            session = self.credentials.session_for_access_key(access_key) if access_key else None
            if session is None or session["Expiration"] <= emulator.clock.time():
                try:
                    access_key = self.credentials.issue_role_session(as_role, service)["AccessKeyId"]
                except KeyError:
                    raise AwsError("AccessDeniedException", f"The service could not assume the role {as_role}: "
                                   "it does not exist.", 400) from None
                self._sessions[as_role] = access_key
        return RequestContext(emulator, service, operation, params, account, region,
                              new_request_id(service, emulator.ids), access_key,
                              service_model(service).operation_model(operation))

    def resource_policies(self, service: str) -> ResourcePolicyPort:
        """The ResourcePolicyPort of a service in ``RESOURCE_POLICY_SERVICES``."""
        return cast(ResourcePolicyPort, self._get(service))

    def authorize_delivery(self, service_principal: str, target_arn: str, source_arn: str, source_account: str) -> None:
        """With IAM enforcement on (``kumo(iam="enforce")``): raise AwsError AccessDenied unless the
        target's resource policy lets the AWS service (``s3.amazonaws.com``…) send to it (an SQS
        queue, SNS topic or Lambda function) for that source, as AWS checks before an S3 notification,
        SNS delivery or EventBridge target; with ``iam="audit"`` the refusal is only recorded
        (``aws.iam.refused_deliveries``). Nothing happens with enforcement off."""
        if self._emulator.authorize is not None:
            self._emulator.iam.authorize_delivery(service_principal, target_arn, source_arn, source_account)

    def stream(self, service: str) -> StreamPort:
        """The stream port of ``"dynamodbstreams"`` or ``"kinesis"``."""
        return cast(StreamPort, self._get(service))


__all__ = [
    "CredentialsPort", "DeliveryStreamPort", "EventBusPort", "FunctionPort", "IdentityPort", "KeyPort", "LogPort",
    "MetricPort", "ObjectStorePort", "Ports", "QueuePort", "RESOURCE_POLICY_SERVICES", "ResourcePolicyPort",
    "SecretPort", "SERVICE_PORTS", "StreamPort", "TopicPort", "WorkflowPort",
]
