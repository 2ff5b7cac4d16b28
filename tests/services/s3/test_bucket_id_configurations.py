"""Inventory, analytics and metrics configurations, and the deprecated GetBucketNotification.

Facts from LocalStack's AWS-recorded snapshots: test_s3.py::test_s3_inventory_report_crud (Put and
Delete answer 204; an empty list is only IsTruncated), test_s3_put_inventory_report_exceptions
(IdMismatch "Document ID does not match the specified configuration ID.", InvalidS3DestinationBucket
"Invalid bucket ARN.", MalformedXML for values outside the enums), test_put_bucket_inventory_config_order
(listed by Id), test_s3_analytics_configurations (an Id mismatch is MalformedXML; NoSuchConfiguration
404 "The specified configuration does not exist."), and test_s3_api.py::TestS3MetricsConfiguration (100
a page with NextContinuationToken, the token echoed as ContinuationToken, deleting twice fails).
GetBucketNotification's deprecated shape: botocore's NotificationConfigurationDeprecated.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from s3_helpers import error_of, status_of

pytestmark = pytest.mark.kumo(strict=True)  # answers checked against botocore's output shapes

MISSING = {"Code": "NoSuchConfiguration", "Message": "The specified configuration does not exist."}


def _inventory(config_id: str, **changes) -> dict:
    config = {"Id": config_id, "IsEnabled": True, "IncludedObjectVersions": "All",
              "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::reports", "Format": "CSV"}},
              "Schedule": {"Frequency": "Daily"}}
    config.update(changes)
    return config


def test_inventory_crud_in_id_order(s3, bucket):
    for config_id in ("z-test", "a-test", "test-1"):
        put = s3.put_bucket_inventory_configuration(Bucket=bucket, Id=config_id,
                                                    InventoryConfiguration=_inventory(config_id))
        assert put["ResponseMetadata"]["HTTPStatusCode"] == 204
    listed = s3.list_bucket_inventory_configurations(Bucket=bucket)
    assert [c["Id"] for c in listed["InventoryConfigurationList"]] == ["a-test", "test-1", "z-test"]
    assert listed["IsTruncated"] is False
    got = s3.get_bucket_inventory_configuration(Bucket=bucket, Id="a-test")["InventoryConfiguration"]
    assert got == _inventory("a-test")
    for config_id in ("z-test", "a-test", "test-1"):
        deleted = s3.delete_bucket_inventory_configuration(Bucket=bucket, Id=config_id)
        assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    empty = s3.list_bucket_inventory_configurations(Bucket=bucket)
    assert "InventoryConfigurationList" not in empty and empty["IsTruncated"] is False
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_inventory_configuration(Bucket=bucket, Id="a-test")
    assert error_of(exc) == MISSING and status_of(exc) == 404


@pytest.mark.parametrize("config, code", [
    (_inventory("other"), "IdMismatch"),
    (_inventory("inv", Destination={"S3BucketDestination": {"Bucket": "reports", "Format": "CSV"}}),
     "InvalidS3DestinationBucket"),
    (_inventory("inv", Destination={"S3BucketDestination": {"Bucket": "arn:aws:s3:::r", "Format": "XLS"}}),
     "MalformedXML"),
    (_inventory("inv", Schedule={"Frequency": "Hourly"}), "MalformedXML"),
    (_inventory("inv", IncludedObjectVersions="Wrong"), "MalformedXML"),
    (_inventory("inv", OptionalFields=["TestField"]), "MalformedXML"),
])
def test_inventory_refusals(s3, bucket, config, code):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_inventory_configuration(Bucket=bucket, Id="inv", InventoryConfiguration=config)
    assert error_of(exc)["Code"] == code and status_of(exc) == 400


def test_analytics_crud_and_id_mismatch(s3, bucket):
    config = {"Id": "a1", "Filter": {"Prefix": "logs/"}, "StorageClassAnalysis": {"DataExport": {
        "OutputSchemaVersion": "V_1",
        "Destination": {"S3BucketDestination": {"Format": "CSV", "Bucket": "arn:aws:s3:::reports"}}}}}
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_analytics_configuration(Bucket=bucket, Id="different", AnalyticsConfiguration=config)
    assert error_of(exc)["Code"] == "MalformedXML"
    for call in (s3.get_bucket_analytics_configuration, s3.delete_bucket_analytics_configuration):
        with pytest.raises(ClientError) as exc:
            call(Bucket=bucket, Id="a1")
        assert error_of(exc) == MISSING
    s3.put_bucket_analytics_configuration(Bucket=bucket, Id="a1", AnalyticsConfiguration=config)
    changed = {**config, "Filter": {"Prefix": "other/"}}
    s3.put_bucket_analytics_configuration(Bucket=bucket, Id="a1", AnalyticsConfiguration=changed)
    assert s3.get_bucket_analytics_configuration(Bucket=bucket, Id="a1")["AnalyticsConfiguration"] == changed
    listed = s3.list_bucket_analytics_configurations(Bucket=bucket)["AnalyticsConfigurationList"]
    assert listed == [changed]


def test_metrics_pages_of_one_hundred(s3, bucket):
    for i in range(102):
        config_id = f"{100 + i}-m"
        s3.put_bucket_metrics_configuration(Bucket=bucket, Id=config_id,
                                            MetricsConfiguration={"Id": config_id, "Filter": {"Prefix": "logs/"}})
    first = s3.list_bucket_metrics_configurations(Bucket=bucket)
    assert len(first["MetricsConfigurationList"]) == 100 and first["IsTruncated"] is True
    token = first["NextContinuationToken"]
    second = s3.list_bucket_metrics_configurations(Bucket=bucket, ContinuationToken=token)
    assert second["ContinuationToken"] == token and second["IsTruncated"] is False
    assert [c["Id"] for c in second["MetricsConfigurationList"]] == ["200-m", "201-m"]
    s3.delete_bucket_metrics_configuration(Bucket=bucket, Id="200-m")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket_metrics_configuration(Bucket=bucket, Id="200-m")
    assert error_of(exc) == MISSING


def test_configurations_need_the_bucket_and_go_with_it(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.list_bucket_metrics_configurations(Bucket="no-such-bucket-here")
    assert error_of(exc)["Code"] == "NoSuchBucket"
    s3.put_bucket_metrics_configuration(Bucket=bucket, Id="m", MetricsConfiguration={"Id": "m"})
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    assert "MetricsConfigurationList" not in s3.list_bucket_metrics_configurations(Bucket=bucket)


def test_deprecated_get_bucket_notification(kumo, s3, bucket):
    import boto3
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert {k: v for k, v in s3.get_bucket_notification(Bucket=bucket).items() if k != "ResponseMetadata"} == {}
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
        {"Id": "q", "QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    legacy = s3.get_bucket_notification(Bucket=bucket)
    assert legacy["QueueConfiguration"]["Id"] == "q" and legacy["QueueConfiguration"]["Queue"] == arn
    assert legacy["QueueConfiguration"]["Events"] == ["s3:ObjectCreated:*"]
