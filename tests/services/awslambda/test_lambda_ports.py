"""The Lambda and DynamoDB Streams backends implement, method for method and signature for signature,
the ports other services reach them through (``kumo_intercept/core/ports.py``)."""

from __future__ import annotations

import inspect

import pytest

from kumo_intercept.core.ports import FunctionPort, StreamPort


def _protocol_methods(protocol: type) -> list[str]:
    return [name for name, member in vars(protocol).items() if inspect.isfunction(member) and not name.startswith("_")]


@pytest.mark.parametrize("service, protocol", [("lambda", FunctionPort), ("dynamodbstreams", StreamPort)])
def test_backend_implements_its_port(aws, service, protocol):
    backend = aws.backend(service)
    assert isinstance(backend, protocol)
    for name in _protocol_methods(protocol):
        expected = inspect.signature(getattr(protocol, name))
        actual = inspect.signature(getattr(type(backend), name))
        assert str(actual) == str(expected), name


def test_ports_hand_out_the_backends(aws):
    assert aws.ports.functions is aws.backend("lambda")
    assert aws.ports.stream("dynamodbstreams") is aws.backend("dynamodbstreams")
