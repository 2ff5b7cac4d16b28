"""Fuzzing every emulated operation with inputs generated from botocore's input shapes.

For each service in ``BACKENDS`` and each operation it has a handler for, a seeded generator builds
requests from the operation's input shape: values of the right types (names drawn from a small pool,
so that later calls find what earlier ones created), and, through a client made with
``Config(parameter_validation=False)``, values of the wrong types. Whatever the emulator answers must
be an AWS error or a success: an unexpected Python exception in a backend (``KumoInternalError``) fails
the test, naming the operation and the input. Each service gets a fixed budget of wall time, so the
whole run stays bounded; the seed makes every run send the same requests.
"""

from __future__ import annotations

import datetime
import itertools
import random
import time
from typing import Any, Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.model import Shape

from kumo_intercept import NotEmulatedError, kumo
from kumo_intercept.core.dispatch import BACKENDS
from kumo_intercept.emulator import KumoInternalError
from kumo_intercept.store import PersistenceError

SEED = 20261203
#: wall-clock budget per service, in seconds, once every operation was sent once each way (with
#: fourteen services: ~40 s of calls in all, ~20 s on two workers)
BUDGET = 1.5
MAX_DEPTH = 6
NAMES = ["fuzz", "fuzz-1", "Fuzz_2", "a", "x" * 64]
ARNS = [
    "arn:aws:sqs:us-east-1:123456789012:fuzz", "arn:aws:sns:us-east-1:123456789012:fuzz",
    "arn:aws:lambda:us-east-1:123456789012:function:fuzz", "arn:aws:events:us-east-1:123456789012:rule/fuzz",
    "arn:aws:logs:us-east-1:123456789012:log-group:fuzz", "arn:aws:s3:::fuzz", "arn:aws:iam::123456789012:role/r",
    "arn:aws:dynamodb:us-east-1:123456789012:table/fuzz", "arn:aws", "arn:::::",
]
TEXTS = [
    "", " ", "*", "%", "{}", "[]", "null", "{\"a\": [1]}", "{\"source\": [\"fuzz\"]}",
    "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\"}}", "[[[[[[[[[[[[1]]]]]]]]]]]]",
    "#a = :b", "attribute_exists(#a) AND (a < :b OR NOT c)", "SET a = a + :v", "fields @message | limit 5",
    "SELECT * FROM fuzz", "rate(1 minute)", "cron(0 12 ? * MON#9 *)", "cron(0 12 1W * ? *)",
    "\x00", "\ud800", "ü☃\U0001F600", "a" * 300, "0", "-1", "1e400", "2026-12-03T00:00:00Z",
    "$.a", "[a=1]", "{ $.a = 1 }", "%ERROR%", "/(a+)+$/",
]
INTS = [0, 1, -1, 2, 7, 60, 1000, 2**31 - 1, 2**31, 2**63 - 1]


class Generator:
    """Random values for botocore shapes; ``wrong`` makes some of them the wrong type."""

    def __init__(self, rng: random.Random, wrong: bool) -> None:
        self.rng = rng
        self.wrong = wrong

    def value(self, shape: Shape, depth: int = 0) -> Any:
        rng = self.rng
        if self.wrong and rng.random() < 0.15:
            return rng.choice([12, "text", ["a"], {"a": 1}, 1.5, True, None])
        kind = shape.type_name
        if kind == "structure":
            return self.structure(shape, depth)
        if kind == "list":
            if depth >= MAX_DEPTH:
                return []
            return [self.value(shape.member, depth + 1) for _ in range(rng.choice([0, 1, 1, 2, 3]))]
        if kind == "map":
            if depth >= MAX_DEPTH:
                return {}
            return {self.string(shape.key): self.value(shape.value, depth + 1)
                    for _ in range(rng.choice([0, 1, 2]))}
        if kind == "string":
            return self.string(shape)
        if kind in ("integer", "long"):
            return self.integer(shape)
        if kind in ("double", "float"):
            return rng.choice([0.0, 1.5, -2.0, 1e300, 3.0, 60.0])
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "timestamp":
            return rng.choice([
                datetime.datetime(2026, 12, 3, tzinfo=datetime.timezone.utc),
                datetime.datetime(2026, 12, 2, 23, 30, tzinfo=datetime.timezone.utc),
                datetime.datetime(1, 1, 1, tzinfo=datetime.timezone.utc),
                1796256000, 1796256000.5, "2026-12-03T00:00:00Z",
            ])
        if kind == "blob":
            return rng.choice([b"", b"data", b"\x00\xff" * 8, "text"])
        return None

    def structure(self, shape: Shape, depth: int) -> dict:
        rng = self.rng
        required = set(shape.required_members)
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            if member.serialization.get("location") == "header" and member.type_name == "map":
                continue  # prefixed header maps (S3 Metadata) need ASCII; botocore refuses others
            if name in required:
                if self.wrong and rng.random() < 0.05:
                    continue
            elif depth >= MAX_DEPTH or rng.random() < 0.6:
                continue
            out[name] = self.value(member, depth + 1)
        return out

    def string(self, shape: Shape) -> str:
        rng = self.rng
        if shape.enum and rng.random() < 0.8:
            return rng.choice(shape.enum)
        choice = rng.random()
        if choice < 0.45:
            return rng.choice(NAMES)
        if choice < 0.6:
            return rng.choice(ARNS)
        if choice < 0.95:
            return rng.choice(TEXTS)
        return "".join(chr(rng.randrange(32, 0x2FF)) for _ in range(rng.randrange(1, 20)))

    def integer(self, shape: Shape) -> int:
        rng = self.rng
        meta = shape.metadata
        if rng.random() < 0.7:
            low = int(meta.get("min", 0))
            high = int(meta.get("max", max(low, 100)))
            return rng.randint(low, max(low, min(high, low + 100)))
        value = rng.choice(INTS)
        if shape.type_name == "integer" and value >= 2**31:
            value = 2**31 - 1
        return value


def emulated_operations(service: str) -> list[str]:
    """The operations of ``service`` that have a handler, in model order."""
    session = boto3.session.Session()
    model = session._session.get_service_model(service)
    with kumo(clock="virtual") as aws:
        return aws.backend(service).emulated_operations(list(model.operation_names))


def requests(service: str, operations: list[str], rng: random.Random) -> Iterator[tuple[str, dict, bool]]:
    """A seeded stream of (operation, params, validation off?) for ``service``: every operation once
    with valid types and once without validation, then operations drawn at random, endlessly."""
    session = boto3.session.Session()
    model = session._session.get_service_model(service)
    valid, wrong = Generator(rng, wrong=False), Generator(rng, wrong=True)
    rounds = itertools.chain(((name, False) for name in operations), ((name, True) for name in operations))
    while True:
        name, off = next(rounds, None) or (rng.choice(operations), rng.random() < 0.3)
        shape = model.operation_model(name).input_shape
        generator = wrong if off else valid
        params = generator.structure(shape, 0) if shape is not None else {}
        yield name, params, off


@pytest.mark.parametrize("service", sorted(BACKENDS))
def test_fuzz_never_fails_internally(service: str) -> None:
    rng = random.Random(f"{SEED}-{service}")
    operations = emulated_operations(service)
    sent = 0
    with kumo(clock="virtual", start_time="2026-12-03T00:00:00Z", seed=SEED):
        checked = boto3.client(service)
        unchecked = boto3.client(service, config=Config(parameter_validation=False))
        deadline = time.monotonic() + BUDGET
        for operation, params, off in requests(service, operations, rng):
            if sent >= 2 * len(operations) and time.monotonic() > deadline:
                break
            client = unchecked if off else checked
            method = getattr(client, _method_name(client, operation))
            sent += 1
            try:
                method(**params)
            except ClientError:
                pass  # an AWS error
            except (KumoInternalError, PersistenceError) as exc:
                pytest.fail(f"{service}.{operation} failed internally "
                            f"(parameter_validation={not off}) with params {params!r}: {exc.__cause__ or exc!r}")
            except NotEmulatedError:
                pass  # a feature the backend says loudly it does not emulate
            except Exception:  # botocore refusing the input before the call (it serializes first)
                pass
    assert sent >= 2 * len(operations) > 0


def _method_name(client: Any, operation: str) -> str:
    from botocore import xform_name

    return xform_name(operation)
