"""Inputs that used to fail inside kumo_intercept, each answered as AWS answers, through boto3.

Clients made with ``Config(parameter_validation=False)`` send whatever they are given; AWS's own
deserializer answers wrong types (SerializationException for JSON protocols, MalformedXML for an S3
XML body) and missing members ("Value null at '…' failed to satisfy constraint: Member must not be
null"; SQS and CloudWatch word it "MissingParameter").
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from typing import Any, Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from kumo_intercept import Emulator, kumo

UNCHECKED = Config(parameter_validation=False)
START = datetime.datetime(2026, 12, 3, tzinfo=datetime.timezone.utc)


@pytest.fixture
def aws() -> Iterator[Emulator]:
    with kumo(clock="virtual", start_time=START, strict=True) as emulator:
        yield emulator


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response: Any = exc.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


# -- central checks for clients without parameter validation -----------------------------------------
def test_wrong_type_in_a_json_protocol_is_a_serialization_exception(aws: Emulator) -> None:
    for service, call in (("dynamodb", lambda c: c.list_tables(Limit="ten")),
                          ("sqs", lambda c: c.delete_queue(QueueUrl=["a"])),
                          ("logs", lambda c: c.create_log_group(logGroupName={"a": 1}))):
        client = boto3.client(service, config=UNCHECKED)
        with pytest.raises(ClientError) as exc:
            call(client)
        assert error(exc)[0] == "SerializationException" and error(exc)[2] == 400, service
    with pytest.raises(ClientError) as exc:
        boto3.client("dynamodb", config=UNCHECKED).list_tables(Limit="ten")
    assert error(exc)[1] == "STRING_VALUE can not be converted to an Integer"


def test_missing_required_member_gets_the_services_own_words(aws: Emulator) -> None:
    with pytest.raises(ClientError) as exc:
        boto3.client("dynamodb", config=UNCHECKED).describe_table()
    assert error(exc) == ("ValidationException", "1 validation error detected: Value null at 'tableName' failed "
                          "to satisfy constraint: Member must not be null", 400)
    with pytest.raises(ClientError) as exc:
        boto3.client("sqs", config=UNCHECKED).delete_queue()
    assert error(exc)[:2] == ("MissingParameter", "The request must contain the parameter QueueUrl.")


def test_below_a_minimum_botocore_would_check(aws: Emulator) -> None:
    with pytest.raises(ClientError) as exc:
        boto3.client("dynamodbstreams", config=UNCHECKED).list_streams(Limit=-1)
    assert error(exc)[0] == "ValidationException"
    assert "Member must have value greater than or equal to 1" in error(exc)[1]


def test_s3_xml_body_of_the_wrong_shape_is_malformed_xml(aws: Emulator) -> None:
    s3 = boto3.client("s3", config=UNCHECKED)
    s3.create_bucket(Bucket="bucket-one")
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_cors(Bucket="bucket-one", CORSConfiguration={"CORSRules": [
            {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "MaxAgeSeconds": "soon"}]})
    assert error(exc)[0] == "MalformedXML"


def test_nulls_from_an_unchecked_client_read_as_absent(aws: Emulator) -> None:
    sts = boto3.client("sts", config=UNCHECKED)
    assert sts.get_session_token(DurationSeconds=None)["Credentials"]["AccessKeyId"]


# -- CloudWatch ------------------------------------------------------------------------------------
def test_cloudwatch_timestamps_as_epoch_numbers_or_iso_text(aws: Emulator) -> None:
    """botocore accepts a datetime, epoch seconds or ISO 8601 text for a timestamp member."""
    cw = boto3.client("cloudwatch")
    now = START.timestamp()
    cw.put_metric_data(Namespace="app", MetricData=[
        {"MetricName": "m", "Value": 1.0, "Timestamp": now - 60},
        {"MetricName": "m", "Value": 3.0, "Timestamp": "2026-12-02T23:59:30Z"},
    ])
    stats = cw.get_metric_statistics(Namespace="app", MetricName="m", StartTime=int(now - 3600),
                                     EndTime="2026-12-03T00:00:00Z", Period=3600, Statistics=["Sum"])
    assert [p["Sum"] for p in stats["Datapoints"]] == [4.0]


def test_get_metric_data_query_needs_metric_stat_or_expression(aws: Emulator) -> None:
    """MetricDataQuery (CloudWatch API reference): "you must specify either Expression or MetricStat"."""
    with pytest.raises(ClientError) as exc:
        boto3.client("cloudwatch").get_metric_data(MetricDataQueries=[{"Id": "q"}], StartTime=START,
                                                   EndTime=START + datetime.timedelta(hours=1))
    assert error(exc)[0] == "InvalidParameterValue"


def test_put_metric_alarm_without_evaluation_periods(aws: Emulator) -> None:
    cw = boto3.client("cloudwatch", config=UNCHECKED)
    with pytest.raises(ClientError) as exc:
        cw.put_metric_alarm(AlarmName="a", MetricName="m", Namespace="app", Statistic="Sum", Period=60,
                            Threshold=1.0, ComparisonOperator="GreaterThanThreshold")
    assert error(exc)[:2] == ("MissingParameter", "The parameter EvaluationPeriods is required.")


def test_year_one_datetimes(aws: Emulator) -> None:
    cw = boto3.client("cloudwatch")
    year_one = datetime.datetime(1, 1, 1, tzinfo=datetime.timezone.utc)
    # a Period long enough to stay under GetMetricStatistics' 1,440 data points over two thousand years
    stats = cw.get_metric_statistics(Namespace="app", MetricName="m", StartTime=year_one, EndTime=START,
                                     Period=50_000_000, Statistics=["Sum"])
    assert stats["Datapoints"] == []
    with pytest.raises(ClientError) as exc:
        cw.put_metric_data(Namespace="app", MetricData=[{"MetricName": "m", "Value": 1.0, "Timestamp": year_one}])
    assert error(exc)[0] == "InvalidParameterValue"


# -- DynamoDB -------------------------------------------------------------------------------------
def test_create_table_without_key_schema(aws: Emulator) -> None:
    ddb = boto3.client("dynamodb", config=UNCHECKED)
    with pytest.raises(ClientError) as exc:
        ddb.create_table(TableName="t", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
    assert error(exc)[:2] == ("ValidationException", "1 validation error detected: Value null at 'keySchema' "
                              "failed to satisfy constraint: Member must not be null")


def test_foreign_next_token_and_exclusive_start_table_name(aws: Emulator) -> None:
    ddb = boto3.client("dynamodb")
    arn = ddb.create_table(TableName="t", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                           AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                           BillingMode="PAY_PER_REQUEST")["TableDescription"]["TableArn"]
    with pytest.raises(ClientError) as exc:
        ddb.list_tags_of_resource(ResourceArn=arn, NextToken="not-a-token")
    assert error(exc)[0] == "ValidationException"
    assert ddb.list_tables(ExclusiveStartTableName="zz-not-a-table")["TableNames"] == []


# -- S3 ----------------------------------------------------------------------------------------------
def test_bucket_policy_whose_statement_is_not_a_list(aws: Emulator) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bucket-one")
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_policy(Bucket="bucket-one", Policy=json.dumps({"Version": "2012-10-17", "Statement": "nope"}))
    assert error(exc)[0] == "MalformedPolicy"


def test_notification_with_a_malformed_arn(aws: Emulator) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bucket-one")
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket="bucket-one", NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": "not-an-arn", "Events": ["s3:ObjectCreated:*"]}]})
    assert error(exc)[:2] == ("InvalidArgument", "The ARN is not well formed")


# -- SNS ---------------------------------------------------------------------------------------------
def test_add_permission_with_no_actions(aws: Emulator) -> None:
    sns = boto3.client("sns")
    arn = sns.create_topic(Name="t")["TopicArn"]
    with pytest.raises(ClientError) as exc:
        sns.add_permission(TopicArn=arn, Label="l", AWSAccountId=["111122223333"], ActionName=[])
    assert error(exc)[0] == "InvalidParameter"


def test_lone_surrogate_in_a_message_fails_as_botocore_fails_to_encode_it(aws: Emulator) -> None:
    """SNS is a query protocol: botocore UTF-8-encodes the form body before sending, and a lone
    surrogate makes that raise UnicodeEncodeError in the client; the request never reaches AWS."""
    sns = boto3.client("sns")
    arn = sns.create_topic(Name="t")["TopicArn"]
    with pytest.raises(UnicodeEncodeError):
        sns.publish(TopicArn=arn, Message="broken \ud800 text")


# -- EventBridge --------------------------------------------------------------------------------------
@pytest.mark.parametrize("expression", ["cron(0 12 ? * MON#9 *)", "cron(0 12 ? * MON#x *)", "cron(0 12 ? * 9#1 *)",
                                        "cron(0 12 0W * ? *)", "cron(0 12 40W * ? *)", "cron(0 12 ? * 8L *)"])
def test_cron_with_bad_hash_or_w_fields(aws: Emulator, expression: str) -> None:
    with pytest.raises(ClientError) as exc:
        boto3.client("events").put_rule(Name="r", ScheduleExpression=expression)
    assert error(exc)[:2] == ("ValidationException", "Parameter ScheduleExpression is not valid.")


# -- Lambda ------------------------------------------------------------------------------------------
def test_nul_in_an_environment_variable_name(aws: Emulator) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("app.py", "def handler(event, context):\n    return 1\n")
    with pytest.raises(ClientError) as exc:
        boto3.client("lambda").create_function(
            FunctionName="f", Runtime="python3.12", Role="arn:aws:iam::123456789012:role/r", Handler="app.handler",
            Code={"ZipFile": archive.getvalue()}, Environment={"Variables": {"A\x00B": "x"}})
    assert error(exc)[0] == "ValidationException"
    assert "Map keys must satisfy constraint" in error(exc)[1]


# -- JSON nested too deeply ---------------------------------------------------------------------------
def test_json_nested_deeper_than_parsers_go(aws: Emulator) -> None:
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    with pytest.raises(ClientError) as exc:
        boto3.client("sns").create_topic(Name="t", Attributes={"Policy": deep})
    assert error(exc)[0] == "InvalidParameter"
    with pytest.raises(ClientError) as exc:
        boto3.client("events").test_event_pattern(EventPattern='{"source": ["s"]}', Event=deep)
    assert error(exc)[0] == "ValidationException"


def test_deep_dynamodb_expressions_within_the_length_limit_parse(aws: Emulator) -> None:
    ddb = boto3.client("dynamodb")
    ddb.create_table(TableName="t", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="t", Item={"k": {"S": "a"}, "a": {"N": "1"}})
    values = {":v": {"N": "1"}}
    for expression in (" AND ".join(["a = :v"] * 370), "(a = :v AND " * 300 + "a = :v" + ")" * 300,
                       "NOT NOT " * 500 + "a = :v"):
        assert len(expression) <= 4096
        assert ddb.scan(TableName="t", FilterExpression=expression, ExpressionAttributeValues=values)["Count"] == 1
    statement = "SELECT * FROM t WHERE " + " AND ".join(["a = 1"] * 600)
    assert len(ddb.execute_statement(Statement=statement)["Items"]) == 1


# -- persistence ----------------------------------------------------------------------------------------
def test_lone_surrogates_and_huge_ints_answer_the_same_from_a_data_directory(tmp_path: Any) -> None:
    answers = []
    for data_dir in (None, str(tmp_path)):
        with kumo(clock="virtual", data_dir=data_dir) as emulator:
            logs = boto3.client("logs")
            logs.create_log_group(logGroupName="g", tags={"t": "x\ud800y"})
            ddb = boto3.client("dynamodb")
            ddb.create_table(TableName="t", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                             BillingMode="PAY_PER_REQUEST")
            ddb.put_item(TableName="t", Item={"k": {"S": "a"}, "n": {"N": str(2 ** 70)}})
            if data_dir:
                emulator.restart()
            arn = "arn:aws:logs:us-east-1:123456789012:log-group:g"
            answers.append((logs.list_tags_for_resource(resourceArn=arn)["tags"],
                            ddb.get_item(TableName="t", Key={"k": {"S": "a"}})["Item"]))
    assert answers[0] == answers[1] == ({"t": "x\ud800y"}, {"k": {"S": "a"}, "n": {"N": str(2 ** 70)}})
