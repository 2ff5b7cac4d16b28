"""CloudWatch Logs vended-log deliveries: sources, destinations, their policy, deliveries.

Facts: LocalStack's AWS-recorded test_logs_delivery.py (views, not-found words), the API reference of PutDeliverySource (logType per service: CloudFront sends ACCESS_LOGS),
PutDeliveryDestination (the destination type follows the resource: S3, CWL, FH), CreateDelivery
(ConflictException for a second delivery between the same pair; ResourceNotFoundException for a
source or destination that does not exist) and botocore's model (outputFormat's enum, name patterns).
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

DISTRIBUTION = "arn:aws:cloudfront::123456789012:distribution/E1EXAMPLE"
BUCKET = "arn:aws:s3:::access-logs"


def _code(err: pytest.ExceptionInfo) -> str:
    return err.value.response["Error"]["Code"]


def test_source_round_trip_and_errors(logs):
    made = logs.put_delivery_source(name="cdn", resourceArn=DISTRIBUTION, logType="ACCESS_LOGS",
                                    tags={"team": "web"})["deliverySource"]
    assert made == {"name": "cdn", "arn": "arn:aws:logs:us-east-1:123456789012:delivery-source:cdn",
                    "resourceArns": [DISTRIBUTION], "service": "cloudfront", "logType": "ACCESS_LOGS",
                    "tags": {"team": "web"}}
    assert logs.get_delivery_source(name="cdn")["deliverySource"] == made
    assert [s["name"] for s in logs.describe_delivery_sources()["deliverySources"]] == ["cdn"]
    with pytest.raises(ClientError) as err:  # CloudFront's only log type is ACCESS_LOGS
        logs.put_delivery_source(name="other", resourceArn=DISTRIBUTION, logType="EVENT_LOGS")
    assert _code(err) == "ValidationException"
    with pytest.raises(ClientError) as err:  # S3 buckets are not among the supported sources
        logs.put_delivery_source(name="other", resourceArn=BUCKET, logType="ACCESS_LOGS")
    assert _code(err) == "ResourceNotFoundException"
    assert err.value.response["Error"]["Message"] == "Cannot access provided service."
    with pytest.raises(ClientError) as err:  # a source stays bound to its resource
        logs.put_delivery_source(name="cdn", resourceArn=DISTRIBUTION + "2", logType="ACCESS_LOGS")
    assert _code(err) == "ConflictException"
    with pytest.raises(ClientError) as err:  # the model's name pattern [\w-]*
        logs.put_delivery_source(name="bad name", resourceArn=DISTRIBUTION, logType="ACCESS_LOGS")
    assert _code(err) == "ValidationException"
    logs.delete_delivery_source(name="cdn")
    with pytest.raises(logs.exceptions.ResourceNotFoundException) as err:
        logs.get_delivery_source(name="cdn")
    assert err.value.response["Error"]["Message"] == "Requested Delivery Source does not exist in this account."


def test_destination_round_trip_policy_and_errors(logs):
    made = logs.put_delivery_destination(name="to-s3", outputFormat="json", tags={"team": "web"},
                                         deliveryDestinationConfiguration={"destinationResourceArn": BUCKET})
    assert made["deliveryDestination"] == {  # no tags in the answer, as AWS records it
        "name": "to-s3", "arn": "arn:aws:logs:us-east-1:123456789012:delivery-destination:to-s3",
        "deliveryDestinationType": "S3", "outputFormat": "json",
        "deliveryDestinationConfiguration": {"destinationResourceArn": BUCKET}}
    moved = logs.put_delivery_destination(name="to-s3", deliveryDestinationConfiguration={
        "destinationResourceArn": BUCKET + "-2"})["deliveryDestination"]
    assert moved["deliveryDestinationConfiguration"] == {"destinationResourceArn": BUCKET + "-2"}
    assert moved["outputFormat"] == "json"
    plain = logs.put_delivery_destination(name="plain", deliveryDestinationConfiguration={
        "destinationResourceArn": BUCKET})["deliveryDestination"]
    assert "outputFormat" not in plain
    with pytest.raises(ClientError) as err:  # outside the model's outputFormat enum
        logs.put_delivery_destination(name="x", outputFormat="yaml",
                                      deliveryDestinationConfiguration={"destinationResourceArn": BUCKET})
    assert _code(err) == "ValidationException"
    assert logs.get_delivery_destination_policy(deliveryDestinationName="to-s3")["policy"] == {}
    policy = json.dumps({"Version": "2012-10-17", "Statement": []})
    assert logs.put_delivery_destination_policy(deliveryDestinationName="to-s3", deliveryDestinationPolicy=policy)[
        "policy"] == {"deliveryDestinationPolicy": policy}
    assert logs.get_delivery_destination_policy(deliveryDestinationName="to-s3")["policy"] == {
        "deliveryDestinationPolicy": policy}
    logs.delete_delivery_destination_policy(deliveryDestinationName="to-s3")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.delete_delivery_destination_policy(deliveryDestinationName="to-s3")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.put_delivery_destination_policy(deliveryDestinationName="nope", deliveryDestinationPolicy=policy)
    logs.delete_delivery_destination(name="to-s3")
    assert [d["name"] for d in logs.describe_delivery_destinations()["deliveryDestinations"]] == ["plain"]
    with pytest.raises(logs.exceptions.ResourceNotFoundException) as err:
        logs.get_delivery_destination(name="to-s3")
    assert err.value.response["Error"]["Message"] == ("Requested Delivery Destination does not exist in "
                                                      "this account.")


def test_deliveries_pair_a_source_with_destinations(logs):
    logs.put_delivery_source(name="cdn", resourceArn=DISTRIBUTION, logType="ACCESS_LOGS")
    logs.put_delivery_destination(name="to-s3", deliveryDestinationConfiguration={"destinationResourceArn": BUCKET})
    logs.put_delivery_destination(name="to-fh", deliveryDestinationConfiguration={
        "destinationResourceArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/logs"})
    arn = "arn:aws:logs:us-east-1:123456789012:delivery-destination:"
    delivery = logs.create_delivery(deliverySourceName="cdn", deliveryDestinationArn=arn + "to-s3",
                                    recordFields=["date"], fieldDelimiter=",",
                                    s3DeliveryConfiguration={"enableHiveCompatiblePath": True})["delivery"]
    assert delivery["deliveryDestinationType"] == "S3" and delivery["recordFields"] == ["date"]
    assert "tags" not in delivery
    assert delivery["arn"] == f"arn:aws:logs:us-east-1:123456789012:delivery:{delivery['id']}"
    to_firehose = logs.create_delivery(deliverySourceName="cdn", deliveryDestinationArn=arn + "to-fh")["delivery"]
    assert to_firehose["deliveryDestinationType"] == "FH"
    assert logs.get_delivery(id=delivery["id"])["delivery"] == delivery
    assert len(logs.describe_deliveries()["deliveries"]) == 2
    with pytest.raises(ClientError) as err:
        logs.create_delivery(deliverySourceName="cdn", deliveryDestinationArn=arn + "to-s3")
    assert _code(err) == "ConflictException"
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.create_delivery(deliverySourceName="cdn", deliveryDestinationArn=arn + "nope")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.create_delivery(deliverySourceName="nope", deliveryDestinationArn=arn + "to-s3")
    logs.update_delivery_configuration(id=delivery["id"], fieldDelimiter="\t")
    assert logs.get_delivery(id=delivery["id"])["delivery"]["fieldDelimiter"] == "\t"
    with pytest.raises(ClientError) as err:  # a source in use by a delivery stays
        logs.delete_delivery_source(name="cdn")
    assert _code(err) == "ConflictException"
    logs.delete_delivery(id=delivery["id"])
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.delete_delivery(id=delivery["id"])
    assert [d["id"] for d in logs.describe_deliveries()["deliveries"]] == [to_firehose["id"]]


def test_tag_resource_covers_destinations_and_delivery_resources(logs):
    """TagResource's resource types (API reference): log groups, destinations, delivery sources,
    delivery destinations and deliveries."""
    destination = logs.put_destination(destinationName="d", targetArn="arn:aws:kinesis:us-east-1:123456789012:stream/s",
                                       roleArn="arn:aws:iam::123456789012:role/r", tags={"a": "1"})["destination"]
    source = logs.put_delivery_source(name="cdn", resourceArn=DISTRIBUTION, logType="ACCESS_LOGS")["deliverySource"]
    for arn in (destination["arn"], source["arn"]):
        logs.tag_resource(resourceArn=arn, tags={"b": "2"})
        logs.untag_resource(resourceArn=arn, tagKeys=["a"])
        assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2"}
    assert logs.get_delivery_source(name="cdn")["deliverySource"]["tags"] == {"b": "2"}
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.list_tags_for_resource(resourceArn="arn:aws:logs:us-east-1:123456789012:delivery:nope")


def test_deliveries_show_in_the_inspection_view(aws, logs):
    logs.put_delivery_source(name="cdn", resourceArn=DISTRIBUTION, logType="ACCESS_LOGS")
    logs.put_delivery_destination(name="to-s3", deliveryDestinationConfiguration={"destinationResourceArn": BUCKET})
    logs.put_delivery_destination_policy(deliveryDestinationName="to-s3", deliveryDestinationPolicy="{}")
    arn = "arn:aws:logs:us-east-1:123456789012:delivery-destination:to-s3"
    delivery_id = logs.create_delivery(deliverySourceName="cdn", deliveryDestinationArn=arn)["delivery"]["id"]
    summary = aws.state.logs.summary()
    where = {"account": "123456789012", "region": "us-east-1"}
    assert summary["delivery_sources"] == [{"name": "cdn", **where, "service": "cloudfront",
                                            "log_type": "ACCESS_LOGS", "resource_arn": DISTRIBUTION}]
    assert summary["delivery_destinations"] == [{"name": "to-s3", **where, "type": "S3", "resource_arn": BUCKET,
                                                 "has_policy": True}]
    assert summary["deliveries"] == [{"id": delivery_id, **where, "source": "cdn", "destination_arn": arn,
                                      "type": "S3"}]
