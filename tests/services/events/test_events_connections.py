"""EventBridge connections keep their credentials in Secrets Manager; API destination targets are not
invoked (no network): the event that would invoke one raises NotEmulatedError.

Facts: LocalStack's AWS-recorded tests/aws/services/events/test_api_destinations_and_connection.snapshot.json:
test_connection_secrets[basic|api-key|oauth] (the secret "events!connection/<name>/<uuid>" holds username /
password, api_key_name / api_key_value, client_id / client_secret / authorization_endpoint / http_method),
test_update_connection (an update writes a new secret version), test_delete_connection (DELETING, then
ResourceNotFoundException "Failed to describe the connection(s). Connection '<name>' does not exist.").
The secret is managed by EventBridge (Secrets Manager User Guide, "How Amazon EventBridge uses AWS Secrets
Manager": the secret is updated through EventBridge, not Secrets Manager); moto's
aws_verified test_kms_key_is_created reads from AWS its OwningService ``events``, its only tag
``aws:secretsmanager:owningService=events``, and header parameters snake_cased in the secret.
"""

from __future__ import annotations

import json

import boto3
import pytest

from kumo_intercept import NotEmulatedError


@pytest.fixture
def events(aws):
    return boto3.client("events")


@pytest.mark.parametrize("kind, parameters, expected", [
    ("BASIC", {"BasicAuthParameters": {"Username": "user", "Password": "pass"}},
     {"username": "user", "password": "pass"}),
    ("API_KEY", {"ApiKeyAuthParameters": {"ApiKeyName": "ApiKey", "ApiKeyValue": "secret"}},
     {"api_key_name": "ApiKey", "api_key_value": "secret"}),
    ("OAUTH_CLIENT_CREDENTIALS", {"OAuthParameters": {
        "AuthorizationEndpoint": "https://example.com/oauth", "HttpMethod": "POST",
        "ClientParameters": {"ClientID": "client_id", "ClientSecret": "client_secret"}}},
     {"client_id": "client_id", "client_secret": "client_secret",
      "authorization_endpoint": "https://example.com/oauth", "http_method": "POST"}),
])
def test_connection_secret_in_secrets_manager(events, kind, parameters, expected):
    events.create_connection(Name="conn", AuthorizationType=kind, AuthParameters=parameters)
    secret_arn = events.describe_connection(Name="conn")["SecretArn"]
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)
    assert secret["Name"].startswith("events!connection/conn/")
    assert json.loads(secret["SecretString"]) == expected


@pytest.mark.parametrize("kind, parameters, expected", [
    ("BASIC", {"BasicAuthParameters": {"Username": "un", "Password": "pw"}}, {"username": "un", "password": "pw"}),
    ("API_KEY", {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}},
     {"api_key_name": "k", "api_key_value": "v"}),
])
def test_connection_secret_is_owned_by_eventbridge(events, kind, parameters, expected):
    headers = [{"Key": "k1", "Value": "v1", "IsValueSecret": True}, {"Key": "k2", "Value": "v2", "IsValueSecret": False}]
    connection_arn = events.create_connection(Name="conn", AuthorizationType=kind, AuthParameters={
        **parameters, "InvocationHttpParameters": {"HeaderParameters": headers}})["ConnectionArn"]
    secret_arn = events.describe_connection(Name="conn")["SecretArn"]
    assert secret_arn.startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:events!connection/conn/")
    # the secret's id is its own (LocalStack's recorded test_create_connection: <resource:2>, not <resource:1>)
    secret_id = secret_arn.split("events!connection/conn/")[1].rsplit("-", 1)[0]
    assert secret_id != connection_arn.rsplit("/", 1)[1]
    secrets = boto3.client("secretsmanager")
    described = secrets.describe_secret(SecretId=secret_arn)
    assert described["OwningService"] == "events"
    assert described["Tags"] == [{"Key": "aws:secretsmanager:owningService", "Value": "events"}]
    listed = secrets.list_secrets(Filters=[{"Key": "owning-service", "Values": ["events"]}])["SecretList"]
    assert [entry["ARN"] for entry in listed] == [secret_arn]
    assert json.loads(secrets.get_secret_value(SecretId=secret_arn)["SecretString"]) == {
        **expected, "invocation_http_parameters": {"header_parameters": [
            {"key": "k1", "value": "v1", "is_value_secret": True},
            {"key": "k2", "value": "v2", "is_value_secret": False}]}}


def test_customers_cannot_change_the_secret_of_a_connection(events):
    """InvalidRequestException: "The secret is managed by another service, and you must use that service to
    update it" (Secrets Manager API reference, the exception's documented causes; no recording of the
    message was found). Reading it is allowed; the connection still updates it."""
    events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters={
        "BasicAuthParameters": {"Username": "user", "Password": "pass"}})
    secret_arn = events.describe_connection(Name="conn")["SecretArn"]
    secrets = boto3.client("secretsmanager")
    current = secrets.get_secret_value(SecretId=secret_arn)["VersionId"]
    refused = [
        lambda: secrets.put_secret_value(SecretId=secret_arn, SecretString="{}"),
        lambda: secrets.update_secret(SecretId=secret_arn, Description="mine now"),
        lambda: secrets.update_secret_version_stage(SecretId=secret_arn, VersionStage="MINE", MoveToVersionId=current),
        lambda: secrets.rotate_secret(SecretId=secret_arn, RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:"
                                      "function:rotate"),
        lambda: secrets.cancel_rotate_secret(SecretId=secret_arn),
    ]
    for call in refused:
        with pytest.raises(secrets.exceptions.InvalidRequestException) as exc:
            call()
        assert exc.value.response["Error"]["Message"] == (
            "The secret is managed by another service, and you must use that service to update it.")
    assert "Description" not in secrets.describe_secret(SecretId=secret_arn)
    events.update_connection(Name="conn", AuthParameters={"BasicAuthParameters": {"Username": "u2", "Password": "p2"}})
    assert json.loads(secrets.get_secret_value(SecretId=secret_arn)["SecretString"]) == {
        "username": "u2", "password": "p2"}


def test_update_and_delete_follow_the_secret(events):
    events.create_connection(Name="conn", AuthorizationType="BASIC", AuthParameters={
        "BasicAuthParameters": {"Username": "user", "Password": "pass"}, "InvocationHttpParameters": {}})
    secret_arn = events.describe_connection(Name="conn")["SecretArn"]
    secrets = boto3.client("secretsmanager")
    first = secrets.get_secret_value(SecretId=secret_arn)
    assert json.loads(first["SecretString"])["invocation_http_parameters"] == {}
    events.update_connection(Name="conn", AuthParameters={
        "BasicAuthParameters": {"Username": "new_user", "Password": "new_pass"}, "InvocationHttpParameters": {}})
    second = secrets.get_secret_value(SecretId=secret_arn)
    assert json.loads(second["SecretString"])["username"] == "new_user" and second["VersionId"] != first["VersionId"]
    assert events.describe_connection(Name="conn")["AuthParameters"]["BasicAuthParameters"] == {"Username": "new_user"}
    assert events.delete_connection(Name="conn")["ConnectionState"] == "DELETING"
    with pytest.raises(events.exceptions.ResourceNotFoundException) as exc:
        events.describe_connection(Name="conn")
    assert exc.value.response["Error"]["Message"] == (
        "Failed to describe the connection(s). Connection 'conn' does not exist.")
    with pytest.raises(secrets.exceptions.ResourceNotFoundException):
        secrets.get_secret_value(SecretId=secret_arn)


def test_api_destination_invocation_is_not_emulated(events):
    connection = events.create_connection(Name="partner", AuthorizationType="API_KEY", AuthParameters={
        "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "secret"}})["ConnectionArn"]
    destination = events.create_api_destination(
        Name="hook", ConnectionArn=connection, InvocationEndpoint="https://partner.example/hook",
        HttpMethod="POST")["ApiDestinationArn"]
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "api", "Arn": destination}])  # setting it up is fine
    with pytest.raises(NotEmulatedError) as exc:
        events.put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": "{}"}])
    assert "POST https://partner.example/hook" in str(exc.value)
    # an event no rule sends there is delivered as usual
    assert events.put_events(Entries=[{"Source": "other", "DetailType": "x", "Detail": "{}"}])["FailedEntryCount"] == 0
