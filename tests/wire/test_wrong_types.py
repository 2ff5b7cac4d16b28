"""Issue 17 item 6 (bad input gets AWS's error, the server never dies of a request): every operation of
every JSON-protocol service, sent bodies whose members have values of other types than their shapes
(numbers for strings, lists for structures, two-member ``AttributeValue``s, epochs beyond the calendar…),
is answered with a 4xx error in the service's form, or 501 for what is not emulated — never a 5xx and
never a dropped connection. The bodies are drawn from a fixed seed, so a failure repeats.

The facts: AWS's JSON-protocol services refuse a body they cannot deserialize with
``SerializationException`` and a value that breaks a constraint with ``ValidationException`` (botocore's
models name both in the services' errors; the other tests of tests/wire and the service suites pin the
wordings); no AWS service answers a client's bad input with a server error.
"""

from __future__ import annotations

import http.client
import json
import random
from typing import Any

import botocore.session
import pytest

from kumo_intercept import Emulator

pytestmark = pytest.mark.allow_network

#: the JSON-protocol services emulated (their models name the target prefix and JSON version)
_SERVICES = ("dynamodb", "dynamodbstreams", "events", "firehose", "kinesis", "kms", "logs", "secretsmanager",
             "sqs", "ssm", "stepfunctions")
_ODD_VALUES: tuple[Any, ...] = (None, True, 0, -1, 1.5, "", "x", [], [1], {}, {"a": 1}, "A" * 300, [[]],
                                {"S": "a", "N": "1"}, 10**30)
_BODIES_PER_OPERATION = 6


def _value(shape: Any, rng: random.Random, depth: int = 0) -> Any:
    """A value for ``shape``: mostly of its type, often of another (an odd value at any depth)."""
    if rng.random() < 0.3 or depth > 3:
        return rng.choice(_ODD_VALUES)
    kind = shape.type_name
    if kind == "structure":
        return {name: _value(member, rng, depth + 1) for name, member in shape.members.items() if rng.random() < 0.6}
    if kind == "list":
        return [_value(shape.member, rng, depth + 1) for _ in range(rng.randint(0, 2))]
    if kind == "map":
        return {rng.choice(["k", "", "S"]): _value(shape.value, rng, depth + 1) for _ in range(rng.randint(0, 2))}
    if kind == "string":
        return rng.choice(shape.enum) if shape.enum and rng.random() < 0.5 else rng.choice(["x", "a-b", ""])
    if kind in ("integer", "long"):
        return rng.choice([0, 1, -5, 10**12])
    if kind in ("double", "float"):
        return rng.choice([0.5, -1.0])
    if kind == "blob":
        return rng.choice(["aGVsbG8=", "!!", ""])
    if kind == "timestamp":
        return rng.choice([0, 1_700_000_000, "2024-01-01T00:00:00Z", "nope"])
    return rng.choice([True, False])


@pytest.mark.parametrize("service", _SERVICES)
def test_wrong_types_get_client_errors(served: Emulator, service: str) -> None:
    model = botocore.session.get_session().get_service_model(service)
    rng = random.Random(service)
    connection = http.client.HTTPConnection(served.endpoint_url.removeprefix("http://"), timeout=30)
    headers = {"Content-Type": f"application/x-amz-json-{model.metadata.get('jsonVersion', '1.0')}",
               "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/"
                                f"{model.signing_name}/aws4_request, SignedHeaders=host, Signature=0"}
    server_errors = []
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        for _ in range(_BODIES_PER_OPERATION):
            body = json.dumps(_value(shape, rng) if shape is not None else {}).encode()
            target = {**headers, "X-Amz-Target": f"{model.metadata['targetPrefix']}.{name}"}
            connection.request("POST", "/", body=body, headers=target)
            answer = connection.getresponse()
            content = answer.read()
            if answer.status >= 500 and answer.status != 501:
                server_errors.append((name, body[:200], answer.status, content[:300]))
    connection.close()
    assert server_errors == []
