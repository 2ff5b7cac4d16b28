"""Exports to S3 and imports from S3.

Facts: DynamoDB developer guide, "DynamoDB table export output format" (``<prefix>/AWSDynamoDB/<ExportId>/``
holding ``_started``, manifest-summary.json, manifest-files.json with their checksum files and
``data/*.json.gz``, one ``{"Item": ...}`` per line; manifest-files.json one JSON line per data file) and
"Import from S3: formats" (DynamoDB JSON items, CSV with a header whose non-key values import as strings);
API reference (ExportTableToPointInTime, DescribeExport, ListExports, ImportTable, DescribeImport,
ListImports). Wording AWS answers, as moto's AWS-verified tests record it: test_export_from_missing_table,
test_export_point_in_time_recovery_not_enabled, test_export_to_missing_s3_bucket,
test_import_from_missing_s3_table, test_import_has_regular_validation."""

from __future__ import annotations

import csv
import gzip
import io
import json

import boto3
import pytest
from botocore.exceptions import ClientError

from kumo_intercept import NotEmulatedError

SCHEMA = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
          "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
          "BillingMode": "PAY_PER_REQUEST"}


@pytest.fixture
def s3(ddb):
    client = boto3.client("s3")
    client.create_bucket(Bucket="exports")
    return client


def _table_with_pitr(ddb, name="src"):
    arn = ddb.create_table(TableName=name, **SCHEMA)["TableDescription"]["TableArn"]
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    return arn


def _objects(s3, prefix):
    return {o["Key"]: s3.get_object(Bucket="exports", Key=o["Key"])["Body"].read()
            for o in s3.list_objects_v2(Bucket="exports", Prefix=prefix)["Contents"]}


def test_an_export_writes_awss_layout(ddb, s3):
    arn = _table_with_pitr(ddb)
    ddb.put_item(TableName="src", Item={"pk": {"S": "a"}, "bin": {"B": b"bar"}, "n": {"N": "1.50"}})
    ddb.put_item(TableName="src", Item={"pk": {"S": "b"}})
    started = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="exports", S3Prefix="p")["ExportDescription"]
    assert started["ExportStatus"] == "IN_PROGRESS"
    export_id = started["ExportArn"].rsplit("/", 1)[1]
    assert started["ExportArn"] == f"{arn}/export/{export_id}"
    done = ddb.describe_export(ExportArn=started["ExportArn"])["ExportDescription"]
    assert (done["ExportStatus"], done["ItemCount"], done["ExportFormat"], done["S3Prefix"]) == \
        ("COMPLETED", 2, "DYNAMODB_JSON", "p")
    folder = f"p/AWSDynamoDB/{export_id}/"
    files = _objects(s3, folder)
    data_key = next(k for k in files if k.startswith(folder + "data/"))
    assert set(files) == {folder + name for name in ("_started", "manifest-summary.json", "manifest-summary.checksum",
                                                     "manifest-files.json", "manifest-files.checksum")} | {data_key}
    rows = [json.loads(line) for line in gzip.decompress(files[data_key]).decode().splitlines()]
    assert sorted(rows, key=lambda r: r["Item"]["pk"]["S"]) == [
        {"Item": {"pk": {"S": "a"}, "bin": {"B": "YmFy"}, "n": {"N": "1.5"}}}, {"Item": {"pk": {"S": "b"}}}]
    summary = json.loads(files[folder + "manifest-summary.json"])
    assert (summary["exportArn"], summary["itemCount"], summary["manifestFilesS3Key"]) == \
        (started["ExportArn"], 2, folder + "manifest-files.json")
    assert json.loads(files[folder + "manifest-files.json"])["dataFileS3Key"] == data_key
    assert ddb.list_exports(TableArn=arn)["ExportSummaries"] == [
        {"ExportArn": started["ExportArn"], "ExportStatus": "COMPLETED", "ExportType": "FULL_EXPORT"}]


def test_export_refusals_and_a_missing_bucket(ddb, s3):
    arn = ddb.create_table(TableName="plain", **SCHEMA)["TableDescription"]["TableArn"]
    with pytest.raises(ClientError) as exc:
        ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="exports")
    assert exc.value.response["Error"] == {"Code": "PointInTimeRecoveryUnavailableException",
                                           "Message": "Point in time recovery is not enabled for table 'plain'"}
    with pytest.raises(ClientError) as exc:
        ddb.export_table_to_point_in_time(TableArn=arn + "x", S3Bucket="exports")
    assert exc.value.response["Error"] == {"Code": "TableNotFoundException", "Message": f"Table not found: {arn}x"}
    arn = _table_with_pitr(ddb)
    started = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="no-such-bucket")["ExportDescription"]
    failed = ddb.describe_export(ExportArn=started["ExportArn"])["ExportDescription"]
    assert (failed["ExportStatus"], failed["FailureCode"]) == ("FAILED", "S3NoSuchBucket")
    assert "The specified bucket does not exist" in failed["FailureMessage"]
    with pytest.raises(NotEmulatedError, match="ION"):
        ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="exports", ExportFormat="ION")


def test_an_export_imports_back(ddb, s3):
    arn = _table_with_pitr(ddb)
    for pk in ("a", "b", "c"):
        ddb.put_item(TableName="src", Item={"pk": {"S": pk}, "bin": {"B": pk.encode()}})
    export_id = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="exports")["ExportDescription"]["ExportArn"]
    data_prefix = f"AWSDynamoDB/{export_id.rsplit('/', 1)[1]}/data/"
    started = ddb.import_table(S3BucketSource={"S3Bucket": "exports", "S3KeyPrefix": data_prefix},
                               InputFormat="DYNAMODB_JSON", InputCompressionType="GZIP",
                               TableCreationParameters={"TableName": "copy", **SCHEMA})["ImportTableDescription"]
    assert started["ImportStatus"] == "IN_PROGRESS"
    done = ddb.describe_import(ImportArn=started["ImportArn"])["ImportTableDescription"]
    assert (done["ImportStatus"], done["ProcessedItemCount"], done["ImportedItemCount"], done["ErrorCount"]) == \
        ("COMPLETED", 3, 3, 0)
    assert sorted(ddb.scan(TableName="src")["Items"], key=str) == sorted(ddb.scan(TableName="copy")["Items"], key=str)
    assert [s["ImportArn"] for s in ddb.list_imports()["ImportSummaryList"]] == [started["ImportArn"]]


def test_a_csv_import_types_keys_and_counts_bad_rows(ddb, s3):
    text = io.StringIO()
    csv.writer(text).writerows([["id", "name", "age"], ["1", "ann", "40"], ["2", "bob", ""], ["3", "too", "many", "x"]])
    s3.put_object(Bucket="exports", Key="in/people.csv", Body=text.getvalue().encode())
    started = ddb.import_table(
        S3BucketSource={"S3Bucket": "exports", "S3KeyPrefix": "in/"}, InputFormat="CSV",
        TableCreationParameters={"TableName": "people", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                                 "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}],
                                 "BillingMode": "PAY_PER_REQUEST"})["ImportTableDescription"]
    done = ddb.describe_import(ImportArn=started["ImportArn"])["ImportTableDescription"]
    assert (done["ProcessedItemCount"], done["ImportedItemCount"], done["ErrorCount"]) == (3, 2, 1)
    # an error fails the import; the valid items stay (moto's AWS-verified
    # test_some_successfull_files_and_some_with_unknown_data)
    assert done["ImportStatus"] == "FAILED" and "FailureCode" not in done
    assert ddb.get_item(TableName="people", Key={"id": {"N": "1"}})["Item"] == \
        {"id": {"N": "1"}, "name": {"S": "ann"}, "age": {"S": "40"}}
    assert ddb.get_item(TableName="people", Key={"id": {"N": "2"}})["Item"] == {"id": {"N": "2"}, "name": {"S": "bob"}}


def test_an_import_from_a_missing_bucket_fails_without_a_table(ddb):
    started = ddb.import_table(S3BucketSource={"S3Bucket": "no-such-bucket"}, InputFormat="DYNAMODB_JSON",
                               TableCreationParameters={"TableName": "imported", **SCHEMA})["ImportTableDescription"]
    failed = ddb.describe_import(ImportArn=started["ImportArn"])["ImportTableDescription"]
    assert (failed["ImportStatus"], failed["FailureCode"]) == ("FAILED", "S3NoSuchBucket")
    assert failed["TableArn"].endswith(":table/imported")
    assert ddb.list_tables()["TableNames"] == []
    with pytest.raises(ClientError) as exc:
        ddb.import_table(S3BucketSource={"S3Bucket": "no-such-bucket"}, InputFormat="DYNAMODB_JSON",
                         TableCreationParameters={"TableName": "imported", **SCHEMA, "BillingMode": "PROVISIONED"})
    assert exc.value.response["Error"]["Message"] == (
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be "
        "specified when BillingMode is PROVISIONED")
    assert ddb.list_tables()["TableNames"] == []


def test_exports_and_imports_show_in_the_inspection_view(kumo, ddb, s3):
    arn = _table_with_pitr(ddb)
    ddb.put_item(TableName="src", Item={"pk": {"S": "a"}})
    export_arn = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="exports")["ExportDescription"]["ExportArn"]
    s3.put_object(Bucket="exports", Key="in/rows.json", Body=b'{"Item": {"pk": {"S": "x"}}}\n{"Item": {}}\n')
    started = ddb.import_table(S3BucketSource={"S3Bucket": "exports", "S3KeyPrefix": "in/"}, InputFormat="DYNAMODB_JSON",
                               TableCreationParameters={"TableName": "copy", **SCHEMA})["ImportTableDescription"]
    import_arn = started["ImportArn"]
    summary = kumo.state.dynamodb.summary()
    where = {"account": "123456789012", "region": "us-east-1"}
    assert summary["exports"] == [{"arn": export_arn, "table": "src", **where, "status": "COMPLETED",
                                   "bucket": "exports", "items": 1}]
    assert summary["imports"] == [{"arn": import_arn, "table": "copy", **where, "status": "FAILED",
                                   "bucket": "exports", "items": 1, "errors": 1}]
