"""EventBridge connections keep their credentials in Secrets Manager; API destination targets are not
invoked (no network): the event that would invoke one raises NotEmulatedError.

Facts: LocalStack's AWS-recorded tests/aws/services/events/test_api_destinations_and_connection.snapshot.json:
test_connection_secrets[basic|api-key|oauth] (the secret "events!connection/<name>/<uuid>" holds username /
password, api_key_name / api_key_value, client_id / client_secret / authorization_endpoint / http_method),
test_update_connection (an update writes a new secret version), test_delete_connection (DELETING, then
ResourceNotFoundException "Failed to describe the connection(s). Connection '<name>' does not exist.").
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
