"""Every emulated operation, called through boto3 with params botocore accepts (types, required members,
enums and lengths of the model) but odd values, in a shuffled order so that creates and reads of the
same names interleave: each call is answered or refused as AWS refuses (ClientError), refused by botocore
itself, or not emulated — never a KumoInternalError or another Python exception. The params are drawn
from a fixed seed, so a failure repeats. (Runs like it with other seeds found a KeyError in IAM's
Simulate* for a context entry without its optional ContextKeyName, which this seed does not reach;
tests/services/iam/test_simulate.py pins that one.)

The fact: no AWS API answers a request its model allows with anything but a result or a modeled error.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore import xform_name

from kumo_intercept import kumo
from kumo_intercept.core.errors import NotEmulatedError
from kumo_intercept.emulator import backend_class

#: answers a call may end in: AWS's refusal, botocore's own client-side refusals (a checksum algorithm
#: that needs the crt extra, an endpoint it cannot build), an operation not emulated
_EXPECTED = (botocore.exceptions.ClientError, botocore.exceptions.ParamValidationError, NotEmulatedError,
             botocore.exceptions.MissingDependencyException, botocore.exceptions.FlexibleChecksumError,
             botocore.exceptions.EndpointResolutionError)
_CALLS_PER_OPERATION = 8


class _OddParams:
    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)

    def text(self, shape: Any) -> str:
        low, high = shape.metadata.get("min", 0) or 0, shape.metadata.get("max", 64) or 64
        if shape.enum:
            return str(self.rng.choice(shape.enum))
        value = self.rng.choice(["x", "x", "x", "a-b_c", "arn:aws:sqs:us-east-1:123456789012:q", "123456789012",
                                 "/path/x", "{}", "*", " ", "é", "x" * 300])
        return (value + "x" * max(0, low - len(value)))[:high]

    def value(self, shape: Any, depth: int = 0) -> Any:
        kind, rng = shape.type_name, self.rng
        if kind == "structure":
            chosen = {name: self.value(member, depth + 1) for name, member in shape.members.items()
                      if name in shape.required_members or (depth < 3 and rng.random() < 0.4)}
            if shape.metadata.get("union") and chosen:
                name = rng.choice(sorted(chosen))
                chosen = {name: chosen[name]}
            return chosen
        if kind == "list":
            count = max(shape.metadata.get("min", 0) or 0, rng.randint(0, 2 if depth < 3 else 0))
            return [self.value(shape.member, depth + 1) for _ in range(count)]
        if kind == "map":
            return {self.text(shape.key): self.value(shape.value, depth + 1) for _ in range(rng.randint(0, 2 if depth < 3 else 0))}
        if kind == "string":
            return self.text(shape)
        if kind in ("integer", "long"):
            low, high = shape.metadata.get("min", -5), shape.metadata.get("max", 10**6)
            return rng.choice([low, high, max(low, min(high, 0)), max(low, min(high, 1))])
        if kind in ("double", "float"):
            return rng.choice([0.0, 1.5, -2.0, 1e9])
        if kind == "blob":
            return rng.choice([b"x", b"\x00\xff" * 10, b"{}"])
        if kind == "timestamp":
            return rng.choice([datetime.datetime(2020, 1, 1), datetime.datetime(2100, 1, 1), datetime.datetime(1970, 1, 1)])
        return rng.choice([True, False])


_SERVICES = sorted(name for name in boto3.session.Session().get_available_services() if backend_class(name) is not None)


@pytest.mark.parametrize("service", _SERVICES)
def test_odd_params_get_answers_or_modeled_errors(service: str) -> None:
    odd = _OddParams(service)
    unexpected = []
    with kumo(strict=True):
        client = boto3.client(service, region_name="us-east-1")
        names = list(client.meta.service_model.operation_names) * _CALLS_PER_OPERATION
        odd.rng.shuffle(names)
        for name in names:
            shape = client.meta.service_model.operation_model(name).input_shape
            params = odd.value(shape) if shape is not None else {}
            try:
                answer = getattr(client, xform_name(name))(**params)
                body = answer.get("Body")
                if hasattr(body, "read"):
                    body.read()
            except _EXPECTED:
                continue
            except Exception as exc:  # noqa: BLE001 - anything else is what this test looks for
                unexpected.append((name, repr(params)[:200], repr(exc)[:300]))
    assert unexpected == []
