"""CloudWatch Logs limits and refusals pinned to responses recorded from real AWS.

Each test names the LocalStack AWS-validated test (tests/aws/services/logs/, its ``.snapshot.json``)
whose recording it learned the fact from; the assertions are ours.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

TRANSFORMATION = {"metricNamespace": "shop", "metricName": "orders", "metricValue": "1"}
KINESIS = "arn:aws:kinesis:us-east-1:123456789012:stream/audit"
ROLE = "arn:aws:iam::123456789012:role/logs-to-kinesis"


def error_of(call) -> dict:
    with pytest.raises(ClientError) as err:
        call()
    return err.value.response["Error"]


def too_long(member: str, value: str, limit: int) -> dict:
    return {"Code": "InvalidParameterException",
            "Message": f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
                       f"Member must have length less than or equal to {limit}"}


def test_metric_filter_name_and_pattern_lengths(logs, stream):
    """test_put_metric_filter_invalid_filter_name and test_put_metric_filter_invalid_filter_pattern."""
    group, _ = stream
    name, pattern = "N" * 513, "P" * 1025
    assert error_of(lambda: logs.put_metric_filter(
        logGroupName=group, filterName=name, filterPattern="ERROR", metricTransformations=[TRANSFORMATION],
    )) == too_long("filterName", name, 512)
    assert error_of(lambda: logs.put_metric_filter(
        logGroupName=group, filterName="errors", filterPattern=pattern, metricTransformations=[TRANSFORMATION],
    )) == too_long("filterPattern", pattern, 1024)


def test_metric_filter_takes_one_transformation(logs, stream):
    """test_put_metric_filter_too_many_transformations."""
    group, _ = stream
    error = error_of(lambda: logs.put_metric_filter(
        logGroupName=group, filterName="errors", filterPattern="ERROR",
        metricTransformations=[TRANSFORMATION, {**TRANSFORMATION, "metricName": "other"}]))
    assert error["Code"] == "InvalidParameterException"
    assert error["Message"].endswith("at 'metricTransformations' failed to satisfy constraint: Member must have "
                                     "length less than or equal to 1")


def test_subscription_filter_name_and_pattern_lengths(logs, stream):
    """The same model limits on PutSubscriptionFilter (its filterName and filterPattern members)."""
    group, _ = stream
    name, pattern = "N" * 513, "P" * 1025
    assert error_of(lambda: logs.put_subscription_filter(
        logGroupName=group, filterName=name, filterPattern="", destinationArn=KINESIS, roleArn=ROLE,
    )) == too_long("filterName", name, 512)
    assert error_of(lambda: logs.put_subscription_filter(
        logGroupName=group, filterName="audit", filterPattern=pattern, destinationArn=KINESIS, roleArn=ROLE,
    )) == too_long("filterPattern", pattern, 1024)


def test_kinesis_subscription_needs_a_role(logs, stream):
    """test_put_subscription_filter_errors (error-kinesis-not-found)."""
    group, _ = stream
    assert error_of(lambda: logs.put_subscription_filter(
        logGroupName=group, filterName="audit", filterPattern="", destinationArn=KINESIS,
    )) == {"Code": "InvalidParameterException", "Message": "destinationArn for vendor kinesis cannot be used without roleArn"}


def test_group_and_stream_names_up_to_512(logs, stream):
    """test_create_log_group_invalid_name_length."""
    group, _ = stream
    expected = {"Code": "InvalidParameterException",
                "Message": "Invalid LogGroup or LogStream, both must have length less than or equal to 512."}
    assert error_of(lambda: logs.create_log_group(logGroupName="g" * 513)) == expected
    assert error_of(lambda: logs.create_log_stream(logGroupName=group, logStreamName="s" * 513)) == expected
    logs.create_log_group(logGroupName="g" * 512)


def test_event_reads_limit_10000(logs, stream):
    """test_get_log_events_limit_validation and test_filter_log_events_limit_validation."""
    group, name = stream
    expected = {"Code": "InvalidParameterException",
                "Message": "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: "
                           "Member must have value less than or equal to 10000"}
    assert error_of(lambda: logs.get_log_events(logGroupName=group, logStreamName=name, limit=10001)) == expected
    assert error_of(lambda: logs.filter_log_events(logGroupName=group, limit=10001)) == expected


def test_delete_metric_filter_checks_the_group_name_first(logs, stream):
    """test_delete_metric_filter_invalid_log_group_name and test_delete_metric_filter_invalid_filter_name."""
    group, _ = stream
    assert error_of(lambda: logs.delete_metric_filter(logGroupName="X" * 513, filterName="valid-filter")) == {
        "Code": "InvalidParameterException",
        "Message": "Invalid LogGroup or LogStream, both must have length less than or equal to 512."}
    assert error_of(lambda: logs.delete_metric_filter(logGroupName=group, filterName="X" * 513)) == too_long(
        "filterName", "X" * 513, 512)


def test_group_name_and_identifier_together(logs, stream):
    """test_describe_log_streams_with_log_group_identifier (error-both-name-and-identifier)."""
    group, _ = stream
    assert error_of(lambda: logs.describe_log_streams(logGroupName=group, logGroupIdentifier=group)) == {
        "Code": "ValidationException", "Message": "LogGroup name and LogGroup ARN are mutually exclusive parameters."}


def test_not_found_words(logs, stream):
    """test_delete_resource_policy_not_found, test_delete_delivery_source (AWS's two full stops),
    test_get_delivery_source_not_found and test_start_query_log_group_not_found (the Java SDK's suffix)."""
    assert error_of(lambda: logs.delete_resource_policy(policyName="non-existent")) == {
        "Code": "ResourceNotFoundException", "Message": "Policy with name [non-existent] does not exist."}
    assert error_of(lambda: logs.delete_delivery_source(name="gone"))["Message"] == \
        "Requested Delivery Source does not exist in this account.."
    assert error_of(lambda: logs.get_delivery_source(name="gone"))["Message"] == \
        "Requested Delivery Source does not exist in this account."
    message = error_of(lambda: logs.start_query(logGroupName="non-existent", startTime=0, endTime=100,
                                                queryString="fields @message"))["Message"]
    assert message.startswith("Log group 'non-existent' does not exist for account ID '123456789012' (Service: "
                              "AWSLogs; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: ")
    assert message.endswith("; Proxy: null)")


def test_lambda_destinations_of_other_accounts_are_refused_first(logs, stream):
    """test_put_subscription_filter_errors (error-log-group-not-found, error-lambda-not-found: the
    recording's destination was in another account, refused even for a group that does not exist)."""
    group, _ = stream
    other = "arn:aws:lambda:us-east-1:210987654321:function:test"
    expected = {"Code": "AccessDeniedException",
                "Message": "Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies "
                           "to create cross account lambda triggers."}
    for name in ("not-existing-log-group", group):
        assert error_of(lambda: logs.put_subscription_filter(
            logGroupName=name, filterName="test", filterPattern="", destinationArn=other)) == expected
