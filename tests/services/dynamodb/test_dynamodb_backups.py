"""DynamoDB on-demand backups and point-in-time restores through boto3.

Facts: the DynamoDB API reference (CreateBackup, DescribeBackup, ListBackups, DeleteBackup,
RestoreTableFromBackup, RestoreTableToPointInTime; BackupDetails' statuses CREATING | AVAILABLE | DELETED;
the backup ARN form table/<name>/backup/<epoch ms>-<id> of the CreateBackup example; RestoreSummary) and
the developer guide ("Restoring a DynamoDB table from a backup": streams, TTL, tags and point-in-time
recovery settings are not restored; "Point-in-time recovery": LatestRestorableDateTime is typically five
minutes before now). "Table not found: x" as LocalStack's AWS-recorded test_continuous_backup_update shows
for the continuous-backup operations.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.kumo(clock="virtual", strict=True)


def _error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    error = exc.value.response["Error"]
    return error["Code"], error["Message"]


def _put(ddb, table: str, pk: str, value: str) -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": "s"}, "v": {"S": value}})


def _values(ddb, table: str) -> dict[str, str]:
    return {i["pk"]["S"]: i["v"]["S"] for i in ddb.scan(TableName=table)["Items"]}


def test_backup_and_restore_round_trip(ddb, create):
    create(name="orders", GlobalSecondaryIndexes=[{
        "IndexName": "by-v", "KeySchema": [{"AttributeName": "v", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}}], types={"v": "S"},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    _put(ddb, "orders", "a", "1")
    _put(ddb, "orders", "b", "2")
    details = ddb.create_backup(TableName="orders", BackupName="nightly")["BackupDetails"]
    assert re.fullmatch(r"arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/\d{13}-[0-9a-f]{8}",
                        details["BackupArn"])
    assert (details["BackupStatus"], details["BackupType"], details["BackupName"]) == ("CREATING", "USER", "nightly")
    _put(ddb, "orders", "c", "3")  # after the backup: not in it
    described = ddb.describe_backup(BackupArn=details["BackupArn"])["BackupDescription"]
    assert described["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    assert described["SourceTableDetails"]["ItemCount"] == 2
    assert described["SourceTableFeatureDetails"]["GlobalSecondaryIndexes"][0]["IndexName"] == "by-v"
    restored = ddb.restore_table_from_backup(TargetTableName="orders-copy",
                                             BackupArn=details["BackupArn"])["TableDescription"]
    assert restored["TableStatus"] == "CREATING"
    assert restored["RestoreSummary"]["SourceBackupArn"] == details["BackupArn"]
    assert restored["RestoreSummary"]["RestoreInProgress"] is True
    assert _values(ddb, "orders-copy") == {"a": "1", "b": "2"}
    table = ddb.describe_table(TableName="orders-copy")["Table"]
    assert table["TableStatus"] == "ACTIVE" and table["RestoreSummary"]["RestoreInProgress"] is False
    assert "StreamSpecification" not in table  # streams are not restored
    # the restored index answers queries
    query = ddb.query(TableName="orders-copy", IndexName="by-v", KeyConditionExpression="v = :v",
                      ExpressionAttributeValues={":v": {"S": "2"}})
    assert [i["pk"]["S"] for i in query["Items"]] == ["b"]


def test_backups_outlive_their_table_and_are_listed(ddb, create):
    create(name="aaa")
    create(name="bbb")
    first = ddb.create_backup(TableName="aaa", BackupName="one")["BackupDetails"]["BackupArn"]
    ddb.create_backup(TableName="bbb", BackupName="two")
    ddb.delete_table(TableName="aaa")
    summaries = ddb.list_backups()["BackupSummaries"]
    assert [(s["TableName"], s["BackupName"], s["BackupStatus"]) for s in summaries] == [
        ("aaa", "one", "AVAILABLE"), ("bbb", "two", "AVAILABLE")]
    assert [s["BackupName"] for s in ddb.list_backups(TableName="bbb")["BackupSummaries"]] == ["two"]
    page = ddb.list_backups(Limit=1)
    assert page["LastEvaluatedBackupArn"] == first
    assert [s["BackupName"] for s in ddb.list_backups(ExclusiveStartBackupArn=first)["BackupSummaries"]] == ["two"]
    assert ddb.list_backups(BackupType="SYSTEM")["BackupSummaries"] == []
    ddb.restore_table_from_backup(TargetTableName="aaa", BackupArn=first)
    assert ddb.describe_table(TableName="aaa")["Table"]["TableStatus"] == "ACTIVE"


def test_delete_backup_and_the_errors(ddb, create):
    create(name="ttt")
    arn = ddb.create_backup(TableName="ttt", BackupName="bkp")["BackupDetails"]["BackupArn"]
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_from_backup(TargetTableName="ttt", BackupArn=arn)
    assert _error(exc) == ("TableAlreadyExistsException", "Table already exists: ttt")
    deleted = ddb.delete_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]
    assert deleted["BackupStatus"] == "DELETED"
    for call in (lambda: ddb.describe_backup(BackupArn=arn), lambda: ddb.delete_backup(BackupArn=arn),
                 lambda: ddb.restore_table_from_backup(TargetTableName="uuu", BackupArn=arn)):
        with pytest.raises(ClientError) as exc:
            call()
        assert _error(exc) == ("BackupNotFoundException", f"Backup not found: {arn}")
    with pytest.raises(ClientError) as exc:
        ddb.create_backup(TableName="ghost", BackupName="bkp")
    assert _error(exc) == ("TableNotFoundException", "Table not found: ghost")
    with pytest.raises(ClientError) as exc:  # BackupName's pattern [a-zA-Z0-9_.-]+ (API reference)
        ddb.create_backup(TableName="ttt", BackupName="no spaces")
    assert _error(exc)[0] == "ValidationException" and "backupName" in _error(exc)[1]


def test_restore_overrides_billing_mode(ddb, create):
    create(name="ttt")
    arn = ddb.create_backup(TableName="ttt", BackupName="bkp")["BackupDetails"]["BackupArn"]
    table = ddb.restore_table_from_backup(
        TargetTableName="ppp", BackupArn=arn, BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3})["TableDescription"]
    assert table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5


def test_point_in_time_restore_on_the_emulator_clock(kumo, ddb, create):
    create(name="live")
    ddb.update_continuous_backups(TableName="live",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    _put(ddb, "live", "a", "first")
    kumo.clock.advance(600)
    moment = kumo.clock.now()
    kumo.clock.advance(600)
    _put(ddb, "live", "a", "second")       # changed after the moment
    _put(ddb, "live", "b", "new")          # created after it
    kumo.clock.advance(600)
    restored = ddb.restore_table_to_point_in_time(SourceTableName="live", TargetTableName="then",
                                                  RestoreDateTime=moment)["TableDescription"]
    assert restored["RestoreSummary"]["SourceTableArn"].endswith(":table/live")
    assert restored["RestoreSummary"]["RestoreDateTime"] == moment
    assert _values(ddb, "then") == {"a": "first"}
    ddb.delete_item(TableName="live", Key={"pk": {"S": "b"}, "sk": {"S": "s"}})
    kumo.clock.advance(600)
    ddb.restore_table_to_point_in_time(SourceTableName="live", TargetTableName="latest",
                                       UseLatestRestorableTime=True)
    assert _values(ddb, "latest") == {"a": "second"}


def test_point_in_time_restore_errors(kumo, ddb, create):
    create(name="plain")
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_to_point_in_time(SourceTableName="plain", TargetTableName="xxx",
                                           UseLatestRestorableTime=True)
    assert _error(exc) == ("PointInTimeRecoveryUnavailableException",
                           "Point in time recovery is not enabled for table 'plain'")
    ddb.update_continuous_backups(TableName="plain",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    with pytest.raises(ClientError) as exc:  # before recovery was enabled
        ddb.restore_table_to_point_in_time(SourceTableName="plain", TargetTableName="xxx",
                                           RestoreDateTime=kumo.clock.now() - dt.timedelta(days=1))
    assert _error(exc)[0] == "InvalidRestoreTimeException"
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_to_point_in_time(SourceTableName="ghost", TargetTableName="xxx",
                                           UseLatestRestorableTime=True)
    assert _error(exc) == ("TableNotFoundException", "Table not found: ghost")
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_to_point_in_time(SourceTableName="plain", TargetTableName="plain",
                                           UseLatestRestorableTime=True)
    assert _error(exc) == ("TableAlreadyExistsException", "Table already exists: plain")


def test_deleting_a_table_with_pitr_keeps_a_system_backup(kumo, ddb, create):
    """BackupDetails/ListBackups (API reference): deleting a table with point-in-time recovery on creates a
    SYSTEM backup kept 35 days; ListBackups lists USER backups unless BackupType says otherwise."""
    create(name="gone")
    ddb.update_continuous_backups(TableName="gone",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    _put(ddb, "gone", "a", "kept")
    ddb.delete_table(TableName="gone")
    assert ddb.list_backups()["BackupSummaries"] == []
    [system] = ddb.list_backups(BackupType="SYSTEM")["BackupSummaries"]
    assert system["BackupType"] == "SYSTEM" and system["TableName"] == "gone"
    assert system["BackupExpiryDateTime"] - system["BackupCreationDateTime"] == dt.timedelta(days=35)
    assert ddb.list_backups(BackupType="ALL")["BackupSummaries"] == [system]
    ddb.restore_table_from_backup(TargetTableName="back", BackupArn=system["BackupArn"])
    assert _values(ddb, "back") == {"a": "kept"}
    kumo.clock.advance(35 * 86400)
    assert ddb.list_backups(BackupType="ALL")["BackupSummaries"] == []
    with pytest.raises(ClientError) as exc:
        ddb.describe_backup(BackupArn=system["BackupArn"])
    assert _error(exc)[0] == "BackupNotFoundException"



def test_backups_show_in_the_inspection_view(kumo, ddb, create):
    create(name="kept")
    _put(ddb, "kept", "a", "1")
    ddb.create_backup(TableName="kept", BackupName="nightly")
    assert kumo.state.dynamodb.summary()["backups"] == [
        {"name": "nightly", "account": "123456789012", "region": "us-east-1", "table": "kept", "type": "USER",
         "items": 1, "bytes": kumo.state.dynamodb.summary()["tables"][0]["bytes"]}]
