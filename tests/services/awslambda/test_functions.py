"""Function management through boto3: create, get, list, update, delete, versions, aliases, layers,
tags, concurrency, URLs, policies, event invoke configs; states as AWS reports them."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from botocore.exceptions import ClientError

from lambda_helpers import ROLE, create, make_zip

APP = {"app.py": "def handler(event, context):\n    return {'ok': True}\n"}


def test_create_reports_pending_then_the_function_is_active(lam):
    created = create(lam, "orders", APP, Timeout=30, MemorySize=256, Environment={"Variables": {"A": "1"}},
                     Tags={"team": "x"}, Description="d")
    assert created["State"] == "Pending" and created["StateReasonCode"] == "Creating"
    assert created["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:orders"
    assert created["Version"] == "$LATEST" and created["Timeout"] == 30 and created["MemorySize"] == 256
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(make_zip(APP)).digest()).decode()
    assert created["Environment"] == {"Variables": {"A": "1"}}
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    lam.get_waiter("function_active_v2").wait(FunctionName="orders")
    got = lam.get_function(FunctionName="orders")
    assert got["Configuration"]["State"] == "Active"
    assert got["Configuration"]["LastUpdateStatus"] == "Successful"
    assert got["Tags"] == {"team": "x"}
    assert got["Code"]["RepositoryType"] == "S3"
    assert lam.get_function_configuration(FunctionName=created["FunctionArn"])["Description"] == "d"


def test_defaults_and_list(lam):
    create(lam, "b", APP)
    create(lam, "a", APP)
    config = lam.get_function_configuration(FunctionName="a")
    assert (config["Timeout"], config["MemorySize"], config["PackageType"]) == (3, 128, "Zip")
    assert config["Architectures"] == ["x86_64"]
    assert config["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/a"}
    names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert names == ["a", "b"]
    page = lam.list_functions(MaxItems=1)
    assert len(page["Functions"]) == 1 and "NextMarker" in page
    all_names = [f["FunctionName"] for p in lam.get_paginator("list_functions").paginate() for f in p["Functions"]]
    assert all_names == ["a", "b"]


def test_errors_as_aws_returns_them(lam):
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as err:
        lam.get_function(FunctionName="missing")
    assert err.value.response["Error"]["Message"] == (
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    create(lam, "f", APP)
    with pytest.raises(lam.exceptions.ResourceConflictException):
        create(lam, "f", APP)
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="Could not unzip"):
        lam.create_function(FunctionName="g", Role=ROLE, Runtime="python3.12", Handler="a.b",
                            Code={"ZipFile": b"not a zip"})
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="reserved keys"):
        create(lam, "h", APP, Environment={"Variables": {"AWS_REGION": "x"}})
    with pytest.raises(ClientError) as err:
        create(lam, "i", APP, Timeout=901)
    assert err.value.response["Error"]["Code"] == "ValidationException"


def test_update_code_and_configuration(lam):
    create(lam, "f", APP)
    updated = lam.update_function_configuration(FunctionName="f", Timeout=10, Environment={"Variables": {"K": "v"}})
    assert updated["LastUpdateStatus"] == "InProgress"
    assert lam.get_function_configuration(FunctionName="f")["LastUpdateStatus"] == "Successful"
    assert lam.get_function_configuration(FunctionName="f")["Environment"]["Variables"] == {"K": "v"}
    new_code = make_zip({"app.py": "def handler(e, c):\n    return 2\n"})
    result = lam.update_function_code(FunctionName="f", ZipFile=new_code)
    assert result["CodeSha256"] == base64.b64encode(hashlib.sha256(new_code).digest()).decode()
    assert lam.invoke(FunctionName="f")["Payload"].read() == b"2"
    revision = lam.get_function_configuration(FunctionName="f")["RevisionId"]
    with pytest.raises(lam.exceptions.PreconditionFailedException):
        lam.update_function_configuration(FunctionName="f", Timeout=5, RevisionId="stale")
    lam.update_function_configuration(FunctionName="f", Timeout=5, RevisionId=revision)


def test_delete_function(lam):
    create(lam, "f", APP)
    assert lam.delete_function(FunctionName="f")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName="f")


def test_versions_and_aliases_with_routing(lam):
    create(lam, "f", {"app.py": "def handler(e, c):\n    return 1\n"})
    v1 = lam.publish_version(FunctionName="f", Description="first")
    assert v1["Version"] == "1" and v1["FunctionArn"].endswith(":f:1")
    assert lam.publish_version(FunctionName="f")["Version"] == "1"  # nothing changed: same version
    lam.update_function_code(FunctionName="f", ZipFile=make_zip({"app.py": "def handler(e, c):\n    return 2\n"}))
    v2 = lam.publish_version(FunctionName="f")
    assert v2["Version"] == "2"
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName="f")["Versions"]]
    assert versions == ["$LATEST", "1", "2"]
    assert lam.invoke(FunctionName="f", Qualifier="1")["Payload"].read() == b"1"
    assert lam.invoke(FunctionName="f:2")["ExecutedVersion"] == "2"
    alias = lam.create_alias(FunctionName="f", Name="live", FunctionVersion="1")
    assert alias["AliasArn"].endswith(":function:f:live")
    out = lam.invoke(FunctionName="f", Qualifier="live")
    assert (out["ExecutedVersion"], out["Payload"].read()) == ("1", b"1")
    lam.update_alias(FunctionName="f", Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    executed = {lam.invoke(FunctionName="f:live")["ExecutedVersion"] for _ in range(40)}
    assert executed == {"1", "2"}
    assert lam.get_alias(FunctionName="f", Name="live")["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.5}}
    assert [a["Name"] for a in lam.list_aliases(FunctionName="f")["Aliases"]] == ["live"]
    with pytest.raises(lam.exceptions.ResourceConflictException):
        lam.delete_function(FunctionName="f", Qualifier="1")
    lam.delete_alias(FunctionName="f", Name="live")
    lam.delete_function(FunctionName="f", Qualifier="1")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName="f", Qualifier="1")


def test_layers_are_on_the_import_path(lam):
    layer = lam.publish_layer_version(
        LayerName="shared", Content={"ZipFile": make_zip({"python/greeting.py": "WORD = 'hi'\n"})},
        CompatibleRuntimes=["python3.12"])
    assert layer["Version"] == 1 and layer["LayerVersionArn"].endswith(":layer:shared:1")
    create(lam, "f", {"app.py": "import greeting\ndef handler(e, c):\n    return greeting.WORD\n"},
           Layers=[layer["LayerVersionArn"]])
    assert lam.invoke(FunctionName="f")["Payload"].read() == b'"hi"'
    assert lam.get_function_configuration(FunctionName="f")["Layers"][0]["Arn"] == layer["LayerVersionArn"]
    assert lam.list_layers()["Layers"][0]["LayerName"] == "shared"
    assert lam.get_layer_version_by_arn(Arn=layer["LayerVersionArn"])["Version"] == 1
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="does not exist"):
        create(lam, "g", APP, Layers=[layer["LayerVersionArn"][:-1] + "9"])


def test_tags_concurrency_urls_policies(lam):
    arn = create(lam, "f", APP)["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"a": "1", "b": "2"})
    lam.untag_resource(Resource=arn, TagKeys=["a"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    assert lam.put_function_concurrency(FunctionName="f", ReservedConcurrentExecutions=5)[
        "ReservedConcurrentExecutions"] == 5
    assert lam.get_function(FunctionName="f")["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    lam.put_function_concurrency(FunctionName="f", ReservedConcurrentExecutions=0)
    with pytest.raises(lam.exceptions.TooManyRequestsException):
        lam.invoke(FunctionName="f")
    lam.delete_function_concurrency(FunctionName="f")
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName="f")
    url = lam.create_function_url_config(FunctionName="f", AuthType="NONE")
    assert url["FunctionUrl"].startswith("https://") and url["FunctionUrl"].endswith(".lambda-url.us-east-1.on.aws/")
    assert lam.get_function_url_config(FunctionName="f")["AuthType"] == "NONE"
    statement = json.loads(lam.add_permission(FunctionName="f", StatementId="s3", Action="lambda:InvokeFunction",
                                              Principal="s3.amazonaws.com",
                                              SourceArn="arn:aws:s3:::bucket")["Statement"])
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    policy = json.loads(lam.get_policy(FunctionName="f")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["s3"]
    lam.remove_permission(FunctionName="f", StatementId="s3")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_policy(FunctionName="f")
    config = lam.put_function_event_invoke_config(
        FunctionName="f", MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:dlq"}})
    assert config["MaximumRetryAttempts"] == 1
    assert lam.get_function_event_invoke_config(FunctionName="f")["DestinationConfig"]["OnFailure"] == {
        "Destination": "arn:aws:sqs:us-east-1:123456789012:dlq"}
    settings = lam.get_account_settings()
    assert settings["AccountUsage"]["FunctionCount"] == 1


@pytest.mark.kumo(strict=True)
def test_responses_match_the_model_in_strict_mode(lam):
    create(lam, "f", APP, Publish=True)
    lam.get_function(FunctionName="f")
    lam.list_functions(FunctionVersion="ALL")
    lam.create_alias(FunctionName="f", Name="a", FunctionVersion="1")
    lam.invoke(FunctionName="f", LogType="Tail")
    lam.put_function_event_invoke_config(FunctionName="f", MaximumRetryAttempts=0)
    lam.list_function_event_invoke_configs(FunctionName="f")
    lam.create_function_url_config(FunctionName="f", AuthType="AWS_IAM")
    lam.list_function_url_configs(FunctionName="f")
    lam.get_account_settings()


def test_summary_lists_functions(kumo, lam):
    create(lam, "f", APP)
    lam.invoke(FunctionName="f")
    summary = kumo.backend("lambda").summary()
    assert summary["functions"][0]["name"] == "f"
    assert summary["functions"][0]["invocations"] == 1
    assert summary["functions"][0]["state"] == "Active"
