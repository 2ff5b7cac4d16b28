"""DynamoDB answers pinned to responses recorded from real AWS.

Each test names the LocalStack AWS-validated test (tests/aws/services/dynamodb/test_dynamodb.py, its
``.snapshot.json``) whose recording it learned the fact from; the assertions are ours.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

pytestmark = pytest.mark.kumo(strict=True)  # every response checked against its output shape

GSI = {"IndexName": "TransactionRecordID", "KeySchema": [{"AttributeName": "TRID", "KeyType": "HASH"}],
       "Projection": {"ProjectionType": "ALL"}}
DEFINITIONS = [{"AttributeName": "TID", "AttributeType": "S"}, {"AttributeName": "TRID", "AttributeType": "S"}]


def create_with_gsi(ddb, billing_mode: str) -> dict:
    extra: dict = {}
    index = dict(GSI)
    if billing_mode == "PROVISIONED":
        extra["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        index["ProvisionedThroughput"] = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    return ddb.create_table(TableName="gsi-table", KeySchema=[{"AttributeName": "TID", "KeyType": "HASH"}],
                            AttributeDefinitions=DEFINITIONS, GlobalSecondaryIndexes=[index],
                            BillingMode=billing_mode, **extra)["TableDescription"]


def test_resource_not_found_carries_message(ddb):
    """test_batch_write_not_existing_table and test_table_crud (delete-non-existent-table): the
    modeled ``message`` member at the top level too."""
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "non-existing-table", "Item": {}}}])
    assert exc.value.response["Error"] == {"Code": "ResourceNotFoundException",
                                           "Message": "Requested resource not found"}
    assert exc.value.response["message"] == "Requested resource not found"
    with pytest.raises(ClientError) as exc:
        ddb.delete_table(TableName="non-existent")
    assert exc.value.response["message"] == "Requested resource not found: Table: non-existent not found"


def test_conditional_check_failed_carries_the_item_and_no_message(ddb, table):
    """test_return_values_on_conditions_check_failure."""
    ddb.put_item(TableName=table, Item={"pk": {"S": "1"}, "sk": {"S": "a"}})
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "1"}, "sk": {"S": "a"}},
                     ConditionExpression="attribute_not_exists(pk)", ReturnValuesOnConditionCheckFailure="ALL_OLD")
    response = {k: v for k, v in exc.value.response.items() if k != "ResponseMetadata"}
    assert response == {"Error": {"Code": "ConditionalCheckFailedException",
                                  "Message": "The conditional request failed"},
                        "Item": {"pk": {"S": "1"}, "sk": {"S": "a"}}}


def test_conditional_check_failed_without_the_item_carries_message(ddb, table):
    """Not in LocalStack's recordings: moto 5.2.1's TestReturnValuesOnConditionCheckFailure, written to
    run against AWS, finds the top-level ``message`` when the item is not asked for (or not there)."""
    ddb.put_item(TableName=table, Item={"pk": {"S": "1"}, "sk": {"S": "a"}})
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": "1"}, "sk": {"S": "a"}},
                     ConditionExpression="attribute_not_exists(pk)")
    assert exc.value.response["message"] == "The conditional request failed"
    assert "Item" not in exc.value.response
    with pytest.raises(ClientError) as exc:
        ddb.delete_item(TableName=table, Key={"pk": {"S": "2"}, "sk": {"S": "a"}},
                        ConditionExpression="attribute_exists(pk)", ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert exc.value.response["message"] == "The conditional request failed"
    assert "Item" not in exc.value.response


def test_on_demand_table_descriptions(ddb):
    """test_gsi_with_billing_mode[PAY_PER_REQUEST]: no OnDemandThroughput; the billing summary's
    date and WarmThroughput (12000/4000) from the describe after creation on."""
    created = create_with_gsi(ddb, "PAY_PER_REQUEST")
    assert created["BillingModeSummary"] == {"BillingMode": "PAY_PER_REQUEST"}
    assert "WarmThroughput" not in created and "OnDemandThroughput" not in created
    assert set(created["GlobalSecondaryIndexes"][0]) == {
        "IndexArn", "IndexName", "IndexSizeBytes", "IndexStatus", "ItemCount", "KeySchema", "Projection",
        "ProvisionedThroughput"}
    described = ddb.describe_table(TableName="gsi-table")["Table"]
    assert set(described["BillingModeSummary"]) == {"BillingMode", "LastUpdateToPayPerRequestDateTime"}
    warm = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
    assert described["WarmThroughput"] == warm
    assert described["GlobalSecondaryIndexes"][0]["WarmThroughput"] == warm
    assert "OnDemandThroughput" not in described
    assert "OnDemandThroughput" not in described["GlobalSecondaryIndexes"][0]


def test_provisioned_table_descriptions(ddb):
    """test_gsi_with_billing_mode[PROVISIONED]: no BillingModeSummary even when BillingMode is given;
    WarmThroughput is the provisioned capacity."""
    created = create_with_gsi(ddb, "PROVISIONED")
    assert "BillingModeSummary" not in created and "WarmThroughput" not in created
    described = ddb.describe_table(TableName="gsi-table")["Table"]
    assert "BillingModeSummary" not in described
    assert described["WarmThroughput"] == {"ReadUnitsPerSecond": 5, "WriteUnitsPerSecond": 5, "Status": "ACTIVE"}
    assert described["GlobalSecondaryIndexes"][0]["WarmThroughput"] == {
        "ReadUnitsPerSecond": 1, "WriteUnitsPerSecond": 1, "Status": "ACTIVE"}


def test_warm_throughput_asked_for(ddb):
    """test_table_warm_throughput: UPDATING in CreateTable's answer, ACTIVE once described."""
    created = ddb.create_table(
        TableName="warm", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        WarmThroughput={"ReadUnitsPerSecond": 1000, "WriteUnitsPerSecond": 1200})["TableDescription"]
    assert created["WarmThroughput"] == {"ReadUnitsPerSecond": 1000, "WriteUnitsPerSecond": 1200, "Status": "UPDATING"}
    assert ddb.describe_table(TableName="warm")["Table"]["WarmThroughput"] == {
        "ReadUnitsPerSecond": 1000, "WriteUnitsPerSecond": 1200, "Status": "ACTIVE"}


def test_delete_table_description(ddb):
    """test_table_crud (delete-table): only these members."""
    ddb.create_table(TableName="doomed", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    deleted = ddb.delete_table(TableName="doomed")["TableDescription"]
    assert set(deleted) == {"DeletionProtectionEnabled", "ItemCount", "ProvisionedThroughput", "TableArn",
                            "TableId", "TableName", "TableSizeBytes", "TableStatus"}
    assert deleted["TableStatus"] == "DELETING"


def test_partiql_with_empty_parameters(kumo, table):
    """test_dynamodb_execute_statement_empy_parameter (botocore refuses it client-side otherwise)."""
    client = boto3.client("dynamodb", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as exc:
        client.execute_statement(Statement=f'SELECT * FROM "{table}"', Parameters=[])
    assert exc.value.response["Error"] == {
        "Code": "ValidationException", "Message": "1 validation error detected: Value '[]' at 'parameters' failed "
                                                  "to satisfy constraint: Member must have length greater than or equal to 1"}
