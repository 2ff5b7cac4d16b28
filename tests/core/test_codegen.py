"""The typed API in kumo_intercept/api: checked-in modules and stubs equal what the generator writes
from the installed botocore, their error factories reach boto3 as the modeled exception classes, and
their paginator specs are botocore's (the oracle for all three is botocore's own models)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any, Callable

import boto3
import botocore.session
import pytest

from role_helpers import create_role
from botocore import xform_name
from botocore.exceptions import ClientError, DataNotFoundError

from kumo_intercept import kumo
from kumo_intercept.api import dynamodb, sqs, sts
from kumo_intercept.codegen import API_DIR, SUFFIXES, default_services, generate, module_name
from kumo_intercept.core.dispatch import backend_class
from kumo_intercept.core.errors import AwsError

SESSION = botocore.session.get_session()
GENERATED = sorted(path for path in API_DIR.glob("*.py*") if path.name != "__init__.py")
#: the run-time modules (each has its stub, a .pyi, beside it)
MODULES = [path for path in GENERATED if path.suffix == ".py"]


def _service_of(path: Path) -> str:
    match = re.search(r"^SERVICE_NAME = '([^']+)'$", path.with_suffix(".py").read_text(), re.M)
    assert match, f"{path} has no SERVICE_NAME: regenerate it with python -m kumo_intercept.codegen"
    return match.group(1)


@pytest.mark.parametrize("path", GENERATED, ids=lambda p: p.name)
def test_checked_in_module_is_what_the_generator_writes(path: Path) -> None:
    service = _service_of(path)
    assert path.read_text() == generate(service, SESSION)[path.suffix], (
        f"{path} is stale for botocore {botocore.__version__}: "
        f"regenerate with `python -m kumo_intercept.codegen {service}` and commit the result")


def test_every_emulated_service_has_a_module() -> None:
    missing = [s for s in default_services() for suffix in SUFFIXES
               if not (API_DIR / f"{module_name(s)}{suffix}").exists()]
    assert not missing, f"run `python -m kumo_intercept.codegen {' '.join(missing)}`"


def test_module_names() -> None:
    assert module_name("lambda") == "awslambda"
    assert module_name("sqs") == "sqs"
    assert module_name("resource-groups") == "resource_groups"


def test_generation_is_deterministic() -> None:
    assert generate("s3", botocore.session.get_session()) == generate("s3", SESSION)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_paginators_are_botocores(path: Path) -> None:
    module = importlib.import_module(f"kumo_intercept.api.{path.stem}")
    service = module.SERVICE_NAME
    try:
        paginators = SESSION.get_paginator_model(service)
    except DataNotFoundError:  # a service without paginators
        paginators = None
    expected: dict[str, Any] = {}
    for op_name in SESSION.get_service_model(service).operation_names:
        try:
            expected[op_name] = paginators.get_paginator(op_name) if paginators else None
        except ValueError:  # botocore: "Paginator for operation does not exist"
            continue
    expected = {name: config for name, config in expected.items() if config is not None}

    def as_tuple(value: Any) -> tuple[str, ...]:
        return () if value is None else tuple(value) if isinstance(value, list) else (value,)

    assert sorted(module.PAGINATORS) == sorted(expected)
    for op_name, spec in module.PAGINATORS.items():
        config = expected[op_name]
        assert spec.input_token == as_tuple(config["input_token"])
        assert spec.output_token == as_tuple(config["output_token"])
        assert spec.result_key == as_tuple(config.get("result_key"))
        assert spec.limit_key == config.get("limit_key")
        assert spec.more_results == config.get("more_results")


def _stub_names(module: str) -> dict[str, str]:
    """The names a stub defines: a class -> "class", an alias -> the name it stands for."""
    tree = ast.parse((API_DIR / f"{module}.pyi").read_text())
    names = {node.name: "class" for node in tree.body if isinstance(node, ast.ClassDef)}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):
            names[node.targets[0].id] = node.value.id  # type: ignore[attr-defined]
    return names


def test_operations_and_aliases_cover_the_model() -> None:
    assert sqs.OPERATIONS == tuple(sorted(SESSION.get_service_model("sqs").operation_names))
    sts_names = _stub_names("sts")
    assert sts_names["GetCallerIdentityResult"] == "GetCallerIdentityResponse"
    assert _stub_names("sqs")["SendMessageRequest"] == "class"
    for op_name in sts.OPERATIONS:
        assert op_name + "Request" in sts_names and op_name + "Result" in sts_names


def test_a_shape_named_at_run_time_is_dict() -> None:
    # the shapes live in the stub; a TypedDict's values are dicts, and cast() or a TypeVar may name one
    assert sqs.SendMessageRequest is dict
    with pytest.raises(AttributeError, match=r"has no attribute 'not_a_factory'$"):
        sqs.not_a_factory  # noqa: B018


# -- error factories through boto3 -----------------------------------------------------------------

#: per service, an operation to stand in for a failing handler, with valid params
CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "sts": ("GetCallerIdentity", {}),
    "sqs": ("ListQueues", {}),
    "dynamodb": ("ListTables", {}),
    "s3": ("ListBuckets", {}),
    "sns": ("ListTopics", {}),
}


def _raise_from_handler(monkeypatch: pytest.MonkeyPatch, service: str, error: AwsError) -> Callable[[], Any]:
    """Make the service's CALLS operation raise ``error`` from its handler; returns the boto3 call."""
    op_name, params = CALLS[service]

    def failing(self: Any, ctx: Any) -> Any:
        raise error

    cls = backend_class(service)
    assert cls is not None
    monkeypatch.setattr(cls, xform_name(op_name), failing)
    client = boto3.client(service, region_name="us-east-1")
    return lambda: getattr(client, xform_name(op_name))(**params)


def _error_cases() -> list[tuple[str, str]]:
    return [(service, shape.name) for service in sorted(CALLS)
            for shape in SESSION.get_service_model(service).error_shapes]


@pytest.mark.parametrize(("service", "shape_name"), _error_cases())
def test_every_error_factory_reaches_boto3_as_its_modeled_exception(
        monkeypatch: pytest.MonkeyPatch, service: str, shape_name: str) -> None:
    module = importlib.import_module(f"kumo_intercept.api.{module_name(service)}")
    shape = SESSION.get_service_model(service).shape_for(shape_name)
    factory = getattr(module, xform_name(shape_name))
    required = {name: "x" for name in shape.required_members if name.lower() != "message"}
    with kumo(clock="virtual"):
        call = _raise_from_handler(monkeypatch, service, factory("it failed", **required))
        client_exceptions = boto3.client(service, region_name="us-east-1").exceptions
        with pytest.raises(getattr(client_exceptions, shape_name)) as caught:
            call()
    error = caught.value.response["Error"]
    assert error["Message"] == "it failed"
    status = shape.metadata.get("error", {}).get("httpStatusCode")
    if status is not None:
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


def test_sqs_factory_sends_the_legacy_query_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQS's QueueDoesNotExist arrives with the legacy code AWS sends in x-amzn-query-error (Amazon SQS
    API Reference, GetQueueUrl errors: AWS.SimpleQueueService.NonExistentQueue)."""
    with kumo(clock="virtual"):
        call = _raise_from_handler(monkeypatch, "sqs", sqs.queue_does_not_exist("gone"))
        client = boto3.client("sqs", region_name="us-east-1")
        with pytest.raises(client.exceptions.QueueDoesNotExist) as caught:
            call()
    assert caught.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert caught.value.response["Error"]["QueryErrorCode"] == "QueueDoesNotExist"


def test_error_members_reach_boto3(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB's ConditionalCheckFailedException carries the item (ReturnValuesOnConditionCheckFailure
    in the DynamoDB API Reference, PutItem) and TransactionCanceledException its CancellationReasons."""
    item: dict[str, dynamodb.AttributeValue] = {"pk": {"S": "a"}, "n": {"N": "1"}}
    with kumo(clock="virtual"):
        call = _raise_from_handler(monkeypatch, "dynamodb",
                                   dynamodb.conditional_check_failed_exception("The conditional request failed",
                                                                               Item=item))
        client = boto3.client("dynamodb", region_name="us-east-1")
        with pytest.raises(client.exceptions.ConditionalCheckFailedException) as caught:
            call()
    assert caught.value.response["Item"] == item

    reasons: list[dynamodb.CancellationReason] = [{"Code": "ConditionalCheckFailed", "Message": "no"},
                                                  {"Code": "None"}]
    with kumo(clock="virtual"):
        call = _raise_from_handler(monkeypatch, "dynamodb",
                                   dynamodb.transaction_canceled_exception("cancelled", CancellationReasons=reasons))
        with pytest.raises(client.exceptions.TransactionCanceledException) as cancelled:
            call()
    assert cancelled.value.response["CancellationReasons"] == reasons


def test_handler_error_through_the_real_sts_handler() -> None:
    """The STS backend raises the generated factory: PackedPolicyTooLarge is its query error code
    (AWS STS API Reference, AssumeRole errors)."""
    with kumo(clock="virtual"):
        client = boto3.client("sts", region_name="us-east-1")
        create_role("arn:aws:iam::123456789012:role/r")
        with pytest.raises(client.exceptions.PackedPolicyTooLargeException) as caught:
            client.assume_role(RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="session",
                               Policy='{"Version":"2012-10-17","Statement":[' + '{"Sid":"x"},' * 300 + "]}")
    assert caught.value.response["Error"]["Code"] == "PackedPolicyTooLarge"
    assert isinstance(caught.value, ClientError)


def _query_compatible_services() -> list[str]:
    session = botocore.session.get_session()
    return [s for s in default_services() if "awsQueryCompatible" in session.get_service_model(s).metadata]


@pytest.mark.parametrize("service", _query_compatible_services())
def test_query_compatible_errors_carry_the_legacy_code_their_model_keeps(service: str) -> None:
    # botocore maps a code to a client.exceptions class through each shape's modeled "error.code";
    # CloudWatch's model keeps those codes (DashboardNotFoundError answers "ResourceNotFound")
    model = botocore.session.get_session().get_service_model(service)
    module = importlib.import_module(f"kumo_intercept.api.{module_name(service)}")
    for shape in model.error_shapes:
        modeled = shape.metadata.get("error", {}).get("code")
        if modeled is not None:
            assert getattr(module, xform_name(shape.name))("m").code == modeled, shape.name

