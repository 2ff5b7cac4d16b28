"""Tables: CreateTable's validation, DescribeTable, UpdateTable, DeleteTable, ListTables, tags, TTL, PITR."""

from __future__ import annotations

import datetime

import boto3
import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.kumo(strict=True)

KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}]
DEFS = [{"AttributeName": "pk", "AttributeType": "S"}]


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_create_and_describe(ddb):
    out = ddb.create_table(TableName="t", KeySchema=KEYS, AttributeDefinitions=DEFS,
                           ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7},
                           Tags=[{"Key": "team", "Value": "x"}])["TableDescription"]
    assert out["TableStatus"] == "CREATING"
    table = ddb.describe_table(TableName="t")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["TableArn"] == "arn:aws:dynamodb:us-east-1:123456789012:table/t"
    assert table["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 5,
                                              "WriteCapacityUnits": 7}
    assert table["ItemCount"] == 0 and table["TableSizeBytes"] == 0
    assert isinstance(table["CreationDateTime"], datetime.datetime)
    assert table["DeletionProtectionEnabled"] is False
    assert "BillingModeSummary" not in table
    ddb.get_waiter("table_exists").wait(TableName="t")
    assert ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"] == [{"Key": "team", "Value": "x"}]


def test_counts_and_sizes_follow_the_items(ddb, table):
    for i in range(3):
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": str(i)}, "v": {"S": "xyz"}})
    described = ddb.describe_table(TableName=table)["Table"]
    assert described["ItemCount"] == 3
    assert described["TableSizeBytes"] == 3 * (2 + 1 + 2 + 1 + 1 + 3)
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


@pytest.mark.parametrize("kwargs, code, message", [
    ({"KeySchema": KEYS, "AttributeDefinitions": DEFS + [{"AttributeName": "x", "AttributeType": "S"}],
      "BillingMode": "PAY_PER_REQUEST"}, "ValidationException",
     "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number "
     "of attributes defined in AttributeDefinitions"),
    ({"KeySchema": [{"AttributeName": "nope", "KeyType": "HASH"}], "AttributeDefinitions": DEFS,
      "BillingMode": "PAY_PER_REQUEST"}, "ValidationException",
     "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. "
     "Keys: [nope], AttributeDefinitions: [pk]"),
    ({"KeySchema": [{"AttributeName": "pk", "KeyType": "RANGE"}], "AttributeDefinitions": DEFS,
      "BillingMode": "PAY_PER_REQUEST"}, "ValidationException",
     "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
    ({"KeySchema": KEYS, "AttributeDefinitions": DEFS}, "ValidationException",
     "No provisioned throughput specified for the table"),
    ({"KeySchema": KEYS, "AttributeDefinitions": DEFS, "BillingMode": "PAY_PER_REQUEST",
      "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}, "ValidationException",
     "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified "
     "when BillingMode is PAY_PER_REQUEST"),
    ({"KeySchema": KEYS, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "X"}],
      "BillingMode": "PAY_PER_REQUEST"}, "ValidationException",
     "1 validation error detected: Value 'X' at 'attributeDefinitions.1.member.attributeType' failed to satisfy "
     "constraint: Member must satisfy enum value set: [S, N, B]"),
    ({"KeySchema": KEYS, "AttributeDefinitions": DEFS, "BillingMode": "PAY_PER_REQUEST",
      "LocalSecondaryIndexes": [{"IndexName": "lsi", "KeySchema": KEYS + [{"AttributeName": "pk", "KeyType": "RANGE"}],
                                 "Projection": {"ProjectionType": "ALL"}}]}, "ValidationException",
     "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when "
     "specifying a LocalSecondaryIndex"),
])
def test_create_table_validation(ddb, kwargs, code, message):
    with pytest.raises(ClientError) as exc:
        ddb.create_table(TableName="bad", **kwargs)
    assert error(exc) == (code, message)


def test_duplicate_table_is_in_use(ddb, table):
    with pytest.raises(ddb.exceptions.ResourceInUseException) as exc:
        ddb.create_table(TableName=table, KeySchema=KEYS, AttributeDefinitions=DEFS, BillingMode="PAY_PER_REQUEST")
    assert error(exc)[1] == f"Table already exists: {table}"


def test_describe_missing_table(ddb):
    with pytest.raises(ddb.exceptions.ResourceNotFoundException) as exc:
        ddb.describe_table(TableName="ghost")
    assert error(exc)[1] == "Requested resource not found: Table: ghost not found"


def test_list_tables_paginates(ddb):
    for i in range(5):
        ddb.create_table(TableName=f"tab{i}", KeySchema=KEYS, AttributeDefinitions=DEFS, BillingMode="PAY_PER_REQUEST")
    first = ddb.list_tables(Limit=2)
    assert first["TableNames"] == ["tab0", "tab1"] and first["LastEvaluatedTableName"] == "tab1"
    rest = ddb.list_tables(ExclusiveStartTableName="tab1")
    assert rest["TableNames"] == ["tab2", "tab3", "tab4"] and "LastEvaluatedTableName" not in rest
    names = [n for page in ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2})
             for n in page["TableNames"]]
    assert names == [f"tab{i}" for i in range(5)]


def test_tables_are_per_region_and_account(ddb, table):
    assert boto3.client("dynamodb", region_name="eu-west-1").list_tables()["TableNames"] == []
    other = boto3.client("dynamodb", aws_access_key_id="111111111111", aws_secret_access_key="x")
    assert other.list_tables()["TableNames"] == []


def test_delete_table_and_deletion_protection(ddb):
    ddb.create_table(TableName="p", KeySchema=KEYS, AttributeDefinitions=DEFS, BillingMode="PAY_PER_REQUEST",
                     DeletionProtectionEnabled=True)
    ddb.put_item(TableName="p", Item={"pk": {"S": "a"}})
    with pytest.raises(ClientError) as exc:
        ddb.delete_table(TableName="p")
    assert error(exc) == ("ValidationException", "Resource cannot be deleted as it is currently protected against "
                          "deletion. Disable deletion protection first.")
    ddb.update_table(TableName="p", DeletionProtectionEnabled=False)
    assert ddb.delete_table(TableName="p")["TableDescription"]["TableStatus"] == "DELETING"
    assert ddb.list_tables()["TableNames"] == []
    ddb.create_table(TableName="p", KeySchema=KEYS, AttributeDefinitions=DEFS, BillingMode="PAY_PER_REQUEST")
    assert ddb.scan(TableName="p")["Count"] == 0


def test_update_throughput_and_billing(ddb):
    ddb.create_table(TableName="u", KeySchema=KEYS, AttributeDefinitions=DEFS,
                     ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName="u", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    assert error(exc)[1].startswith("The provisioned throughput for the table will not change.")
    out = ddb.update_table(TableName="u", ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4})
    assert out["TableDescription"]["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    ddb.update_table(TableName="u", BillingMode="PAY_PER_REQUEST")
    assert ddb.describe_table(TableName="u")["Table"]["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_gsi_create_backfills_and_delete(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "g": {"S": "x"}})
    out = ddb.update_table(TableName=table, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                           GlobalSecondaryIndexUpdates=[{"Create": {
                               "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                               "Projection": {"ProjectionType": "ALL"}}}])
    assert out["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
    described = ddb.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"][0]
    assert described["IndexStatus"] == "ACTIVE" and described["ItemCount"] == 1
    assert described["IndexArn"].endswith(f"table/{table}/index/by_g")
    got = ddb.query(TableName=table, IndexName="by_g", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": "x"}})
    assert got["Count"] == 1
    ddb.update_table(TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_g"}}])
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=table)["Table"]


def test_tags(ddb, table):
    arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.list_tags_of_resource(ResourceArn=arn + "x")


def test_ttl_settings(ddb, table):
    assert ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    out = ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert out["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "exp"}
    assert ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    with pytest.raises(ClientError) as exc:
        ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert error(exc) == ("ValidationException", "TimeToLive is already enabled")


def test_point_in_time_recovery_settings(ddb, table):
    status = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert status["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    out = ddb.update_continuous_backups(TableName=table,
                                        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    assert out["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    with pytest.raises(ClientError) as exc:
        ddb.describe_continuous_backups(TableName="ghost")
    assert error(exc) == ("TableNotFoundException", "Table not found: ghost")


def test_summary_lists_tables(kumo, ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": "b"}})
    summary = kumo.backend("dynamodb").summary()
    assert summary["tables"] == [{"name": table, "account": "123456789012", "region": "us-east-1", "items": 1,
                                  "bytes": 6, "status": "ACTIVE", "indexes": []}]


def test_table_size_after_updates_equals_size_of_the_same_items_put(ddb, create):
    create(name="updated")
    create(name="written")
    key = {"pk": {"S": "a"}, "sk": {"S": "b"}}
    ddb.put_item(TableName="updated", Item={**key, "x": {"S": "long text"}, "n": {"N": "12345"}})
    ddb.update_item(TableName="updated", Key=key, UpdateExpression="SET x = :short, m = :m ADD n :n REMOVE nothing",
                    ExpressionAttributeValues={":short": {"S": "s"}, ":m": {"M": {"k": {"L": [{"N": "1"}]}}},
                                               ":n": {"N": "1"}})
    ddb.update_item(TableName="updated", Key=key, UpdateExpression="SET m.k[1] = :v REMOVE x",
                    ExpressionAttributeValues={":v": {"BOOL": True}})
    final = ddb.get_item(TableName="updated", Key=key)["Item"]
    ddb.put_item(TableName="written", Item=final)
    sizes = [ddb.describe_table(TableName=n)["Table"]["TableSizeBytes"] for n in ("updated", "written")]
    assert sizes[0] == sizes[1] > 0


@pytest.mark.parametrize("kwargs, message", [
    ({"KeySchema": KEYS + [{"AttributeName": "pk", "KeyType": "RANGE"}]},
     "Invalid KeySchema: Both the Hash Key and the Range Key element in the KeySchema have the same name"),
    ({"KeySchema": KEYS + [{"AttributeName": "sk", "KeyType": "HASH"}],
      "AttributeDefinitions": DEFS + [{"AttributeName": "sk", "AttributeType": "S"}]},
     "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"),
    ({"AttributeDefinitions": DEFS + DEFS}, "Attribute Name is duplicated: pk"),
    ({"StreamSpecification": {"StreamEnabled": True}},
     "One or more parameter values were invalid: Table is being created with a stream enabled, UpdateViewType is "
     "required"),
    ({"StreamSpecification": {"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"}},
     "One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType "
     "should not be specified"),
])
def test_more_create_table_messages(ddb, kwargs, message):
    params = {"TableName": "bad", "KeySchema": KEYS, "AttributeDefinitions": DEFS, "BillingMode": "PAY_PER_REQUEST",
              **kwargs}
    with pytest.raises(ClientError) as exc:
        ddb.create_table(**params)
    assert error(exc) == ("ValidationException", message)


def test_update_table_messages(ddb, table):
    cases = [
        ({}, "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, "
             "SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, "
             "DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required"),
        ({"DeletionProtectionEnabled": True, "TableClass": "STANDARD"},
         "One or more parameter values were invalid: TableClass modification must be the only operation in the request"),
        ({"StreamSpecification": {"StreamEnabled": False}}, f"Table has no stream to disable: TableName: {table}"),
        ({"StreamSpecification": {"StreamEnabled": True}},
         "One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ClientError) as exc:
            ddb.update_table(TableName=table, **kwargs)
        assert error(exc) == ("ValidationException", message)
    ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    assert error(exc)[1] == f"Table already has an enabled stream: TableName: {table}"


def test_moto_leniencies_aws_refuses(ddb, create):
    # DynamoDB API reference, CreateTable: "LocalSecondaryIndexes … Each local secondary index … must have
    # the same partition key as the table" and exists only on a table with a composite primary key
    # (moto's test_only_return_consumed_capacity_when_required creates one on a partition-key-only table)
    with pytest.raises(ClientError) as exc:
        create(name="flat", range_key=None, LocalSecondaryIndexes=[{
            "IndexName": "local", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "other", "KeyType": "RANGE"}]}])
    assert error(exc) == ("ValidationException", "One or more parameter values were invalid: Table KeySchema does "
                          "not have a range key, which is required when specifying a LocalSecondaryIndex")
    # UpdateTimeToLive, "Enabled": false on a table whose TTL is not enabled is refused
    # (moto's test_describe_table_using_arn disables a TTL it never enabled)
    name = create(name="ttl")
    with pytest.raises(ClientError) as exc:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "a"})
    assert error(exc) == ("ValidationException", "TimeToLive is already disabled")


def test_list_tables_is_in_name_order(ddb, create):
    # DynamoDB API reference, ListTables: ExclusiveStartTableName/LastEvaluatedTableName page through the
    # names in order (moto's test_list_tables[multiple-tables] expects creation order)
    for name in ("zeta", "alpha", "mid"):
        create(name=name)
    assert ddb.list_tables()["TableNames"] == ["alpha", "mid", "zeta"]


WARM_GUIDE = ("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html"
              "#on-demand-capacity-mode-initial")


def _warm_table(ddb, name, warm, index_warm=None, **extra):
    index = {"IndexName": "gix", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "ALL"}}
    if index_warm:
        index["WarmThroughput"] = index_warm
    extra.setdefault("BillingMode", "PAY_PER_REQUEST")
    return ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                  {"AttributeName": "g", "AttributeType": "S"}],
                            GlobalSecondaryIndexes=[index], **({"WarmThroughput": warm} if warm else {}), **extra)


@pytest.mark.parametrize("warm, index_warm, message", [
    ({"ReadUnitsPerSecond": 1, "WriteUnitsPerSecond": 1}, None,
     f"Requested ReadUnitsPerSecond for WarmThroughput for table is lower than initial throughput for OnDemand. "
     f"See: {WARM_GUIDE}"),
    ({"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 3999}, None,
     f"Requested WriteUnitsPerSecond for WarmThroughput for table is lower than initial throughput for OnDemand. "
     f"See: {WARM_GUIDE}"),
    (None, {"ReadUnitsPerSecond": 100, "WriteUnitsPerSecond": 5000},
     f"Requested ReadUnitsPerSecond for WarmThroughput for index gix is lower than initial throughput for OnDemand. "
     f"See: {WARM_GUIDE}"),
])
def test_warm_throughput_below_the_on_demand_start_is_refused(ddb, warm, index_warm, message):
    """Probed on AWS (ack-api-quirks DynamoDB catalogue, DDB-TABLE-039, October 2026)."""
    with pytest.raises(ClientError) as exc:
        _warm_table(ddb, "warm", warm, index_warm)
    assert exc.value.response["Error"] == {"Code": "ValidationException",
                                           "Message": f"One or more parameter values were invalid: {message}"}


def test_warm_throughput_below_provisioned_capacity_is_refused(ddb):
    """ack-api-quirks DynamoDB catalogue, DDB-TABLE-039: PROVISIONED 10/10 with WarmThroughput 5/5."""
    with pytest.raises(ClientError) as exc:
        ddb.create_table(TableName="prov", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 10},
                         WarmThroughput={"ReadUnitsPerSecond": 5, "WriteUnitsPerSecond": 5})
    assert exc.value.response["Error"]["Message"] == (
        "One or more parameter values were invalid: Requested ReadUnitsPerSecond for WarmThroughput for table is "
        "lower than ReadCapacityUnits of ProvisionedThroughput")


def test_warm_throughput_asked_for_is_shown_and_only_rises(ddb):
    """ack-api-quirks DynamoDB catalogue: a one-member WarmThroughput keeps the other at its default
    (DDB-TABLE-039); UpdateTable answers with the values before the change, UPDATING, and refuses a
    decrease (DDB-TABLE-059). The emulator completes the raise at once."""
    _warm_table(ddb, "warm", {"ReadUnitsPerSecond": 12001}, {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000})
    table = ddb.describe_table(TableName="warm")["Table"]
    assert table["WarmThroughput"] == {"ReadUnitsPerSecond": 12001, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
    assert table["GlobalSecondaryIndexes"][0]["WarmThroughput"] == {
        "ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000, "Status": "ACTIVE"}
    answer = ddb.update_table(TableName="warm", WarmThroughput={"WriteUnitsPerSecond": 6000})["TableDescription"]
    assert answer["WarmThroughput"] == {"ReadUnitsPerSecond": 12001, "WriteUnitsPerSecond": 4000, "Status": "UPDATING"}
    assert ddb.describe_table(TableName="warm")["Table"]["WarmThroughput"] == {
        "ReadUnitsPerSecond": 12001, "WriteUnitsPerSecond": 6000, "Status": "ACTIVE"}
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName="warm", WarmThroughput={"ReadUnitsPerSecond": 12000})
    assert exc.value.response["Error"]["Message"] == (
        "One or more parameter values were invalid: Requested ReadUnitsPerSecond for WarmThroughput for table is "
        "lower than current WarmThroughput, decreasing WarmThroughput is not supported")


def test_key_attributes_without_definitions(ddb):
    """ack-api-quirks DynamoDB catalogue, DDB-TABLE-042 (probed on AWS, October 2026): no definitions at all
    is an invalid key schema; definitions that miss a key attribute are named."""
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    with pytest.raises(ClientError) as exc:
        ddb.create_table(TableName="t", KeySchema=schema, AttributeDefinitions=[], BillingMode="PAY_PER_REQUEST")
    assert exc.value.response["Error"]["Message"] == "Invalid KeySchema: Some index key attribute have no definition"
    with pytest.raises(ClientError) as exc:
        ddb.create_table(TableName="t", KeySchema=schema, AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    assert exc.value.response["Error"]["Message"] == (
        "One or more parameter values were invalid: Some index key attributes are not defined in "
        "AttributeDefinitions. Keys: [sk], AttributeDefinitions: [pk]")


def test_describe_limits_are_the_default_quotas(ddb):
    """The per-table (40000) and per-account (80000) capacity maxima AWS names in its LimitExceededException
    messages (ack-api-quirks DynamoDB catalogue, DDB-TABLE-171); moto still answers 10000/20000."""
    limits = ddb.describe_limits()
    assert (limits["TableMaxReadCapacityUnits"], limits["TableMaxWriteCapacityUnits"]) == (40000, 40000)
    assert (limits["AccountMaxReadCapacityUnits"], limits["AccountMaxWriteCapacityUnits"]) == (80000, 80000)


def test_a_table_key_schema_has_two_elements_at_most(ddb):
    """ack-api-quirks DynamoDB catalogue, DDB-TABLE-042: three elements fail the model's length constraint
    in AWS's Java wording (each element printed as ``…KeySchemaElement@<hash>``); a GSI may have more."""
    schema = [{"AttributeName": n, "KeyType": k} for n, k in (("a", "HASH"), ("b", "RANGE"), ("c", "RANGE"))]
    with pytest.raises(ClientError) as exc:
        ddb.create_table(TableName="t", KeySchema=schema, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in "abc"])
    message = exc.value.response["Error"]["Message"]
    assert message.startswith("1 validation error detected: Value '[com.amazonaws.dynamodb.v20120810.KeySchemaElement@")
    assert message.endswith("]' at 'keySchema' failed to satisfy constraint: Member must have length less than or "
                            "equal to 2")
    assert message.count("KeySchemaElement@") == 3
