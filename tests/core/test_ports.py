"""Each backend handed out as a port implements that port's Protocol exactly: every method, with the
same parameter names and kinds, so a signature drifting on either side fails here."""

from __future__ import annotations

import inspect
from typing import Any, Callable

import pytest

from kumo_intercept import kumo
from kumo_intercept.core.dispatch import backend_class
from kumo_intercept.core.ports import SERVICE_PORTS

EMULATED = sorted(service for service in SERVICE_PORTS if backend_class(service) is not None)


def _protocol_methods(port: type) -> list[str]:
    return sorted(name for name, value in vars(port).items() if not name.startswith("_") and callable(value))


def _shape(function: Callable[..., Any]) -> list[tuple[str, Any]]:
    parameters = inspect.signature(function).parameters.values()
    return [(p.name, p.kind) for p in parameters if p.name != "self"]


def test_the_ports_with_a_backend_here_are_checked():
    # the services every port of this tree needs; kms/iam/kinesis join the list when their backends land
    assert {"sqs", "sns", "lambda", "events", "logs", "dynamodbstreams"} <= set(EMULATED)


@pytest.mark.parametrize("service", EMULATED)
def test_backend_implements_its_port(service: str):
    port = SERVICE_PORTS[service]
    with kumo(clock="virtual") as aws:
        backend = aws.backend(service)
        assert isinstance(backend, port)
        for name in _protocol_methods(port):
            assert _shape(getattr(backend, name)) == _shape(getattr(port, name)), f"{service}.{name}"


def test_ports_hand_out_the_backends():
    with kumo(clock="virtual") as aws:
        assert aws.ports.queues is aws.backend("sqs")
        assert aws.ports.topics is aws.backend("sns")
        assert aws.ports.event_buses is aws.backend("events")
        assert aws.ports.logs is aws.backend("logs")
        assert aws.ports.functions is aws.backend("lambda")
        assert aws.ports.stream("dynamodbstreams") is aws.backend("dynamodbstreams")


def test_a_drifted_signature_is_seen():
    class Drifted:
        def deliver_message(self, queue_arn: str, text: str) -> str:  # "body" renamed, options gone
            return ""

    from kumo_intercept.core.ports import QueuePort

    assert _shape(Drifted().deliver_message) != _shape(QueuePort.deliver_message)
