"""DynamoDB state survives snapshots, restores and restarts: derived indexes are rebuilt from records."""

from __future__ import annotations

import boto3

from kumo_intercept import kumo


def _query(client, **kwargs):
    return client.query(TableName="tab", **kwargs)


def test_snapshot_restore_and_restart_keep_items_indexes_and_streams(tmp_path):
    with kumo(data_dir=str(tmp_path), clock="virtual") as aws:
        ddb = boto3.client("dynamodb")
        ddb.create_table(
            TableName="tab", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"},
                                  {"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "ALL"}}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        for i in range(10):
            ddb.put_item(TableName="tab", Item={"pk": {"S": "a"}, "sk": {"N": str(i - 3)}, "g": {"S": "xy"[i % 2]},
                                                "b": {"B": b"\x00\x01"}})
        by_g = dict(IndexName="by_g", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": "y"}})
        aws.snapshot("before")
        ddb.delete_item(TableName="tab", Key={"pk": {"S": "a"}, "sk": {"N": "-2"}})
        assert _query(ddb, **by_g)["Count"] == 4
        aws.restore("before")
        assert _query(ddb, **by_g)["Count"] == 5
        aws.restart()
        assert _query(ddb, **by_g)["Count"] == 5
        assert ddb.describe_table(TableName="tab")["Table"]["ItemCount"] == 10
    with kumo(data_dir=str(tmp_path), clock="virtual"):
        ddb = boto3.client("dynamodb")
        got = _query(ddb, KeyConditionExpression="pk = :p AND sk > :s",
                     ExpressionAttributeValues={":p": {"S": "a"}, ":s": {"N": "-1"}})
        assert [i["sk"]["N"] for i in got["Items"]] == ["0", "1", "2", "3", "4", "5", "6"]
        assert got["Items"][0]["b"] == {"B": b"\x00\x01"}
        streams = boto3.client("dynamodbstreams")
        arn = streams.list_streams()["Streams"][0]["StreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        assert len(streams.get_records(ShardIterator=iterator)["Records"]) == 10


def test_backups_and_write_history_survive_a_restart(tmp_path):
    """The backup tables and the point-in-time history are store records (docs/persistence.md)."""
    with kumo(data_dir=str(tmp_path), clock="virtual") as aws:
        ddb = boto3.client("dynamodb")
        ddb.create_table(TableName="kept", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                               {"AttributeName": "sk", "AttributeType": "S"}])
        ddb.update_continuous_backups(TableName="kept",
                                      PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        ddb.put_item(TableName="kept", Item={"pk": {"S": "a"}, "sk": {"S": "s"}, "v": {"S": "old"}})
        arn = ddb.create_backup(TableName="kept", BackupName="bkp")["BackupDetails"]["BackupArn"]
        aws.clock.advance(600)
        moment = aws.clock.now()
        aws.clock.advance(600)
        ddb.put_item(TableName="kept", Item={"pk": {"S": "a"}, "sk": {"S": "s"}, "v": {"S": "new"}})
        aws.clock.advance(600)
        aws.restart()
        ddb.restore_table_from_backup(TargetTableName="from-backup", BackupArn=arn)
        ddb.restore_table_to_point_in_time(SourceTableName="kept", TargetTableName="from-history",
                                           RestoreDateTime=moment)
        for restored in ("from-backup", "from-history"):
            assert [i["v"]["S"] for i in ddb.scan(TableName=restored)["Items"]] == ["old"]
