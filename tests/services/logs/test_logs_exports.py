"""CloudWatch Logs export tasks to S3.

Facts: AWS-recorded in moto's aws_verified test_export_tasks.py and LocalStack's test_logs_export_tasks.py (the UUID task id, the
``aws-logs-write-test`` probe object, the ``exportedlogs`` default prefix, the missing-bucket and
unknown-task errors and their words) and the user guide's "Exporting log data to Amazon S3" (objects
``<prefix>/<task id>/<stream>/000000.gz`` of gzipped ``<timestamp> <message>`` lines); botocore's
ExportTaskStatusCode enum for the status codes.
"""

from __future__ import annotations

import gzip
import uuid

import boto3
import pytest


@pytest.fixture
def s3(aws):
    client = boto3.client("s3")
    client.create_bucket(Bucket="exports")
    return client


def test_export_writes_the_events_in_range_to_s3(logs, s3, stream, now_ms):
    group, name = stream
    logs.put_log_events(logGroupName=group, logStreamName=name, logEvents=[
        {"timestamp": now_ms - 2000, "message": "too early"},
        {"timestamp": now_ms - 1000, "message": "first"},
        {"timestamp": now_ms, "message": "last"}])
    task_id = logs.create_export_task(logGroupName=group, fromTime=now_ms - 1000, to=now_ms,
                                      destination="exports", destinationPrefix="out", taskName="nightly")["taskId"]
    assert uuid.UUID(task_id)
    probe = s3.get_object(Bucket="exports", Key="aws-logs-write-test")["Body"].read()
    assert probe == b"Permission Check Successful"
    body = s3.get_object(Bucket="exports", Key=f"out/{task_id}/{name}/000000.gz")["Body"].read()
    lines = gzip.decompress(body).decode().splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == ["first", "last"]
    assert lines[0].split(" ", 1)[0].endswith("Z")
    task = logs.describe_export_tasks(taskId=task_id)["exportTasks"][0]
    assert task["status"] == {"code": "COMPLETED", "message": "Completed successfully"}
    assert (task["taskName"], task["destination"], task["destinationPrefix"]) == ("nightly", "exports", "out")
    assert (task["from"], task["to"]) == (now_ms - 1000, now_ms)
    with pytest.raises(logs.exceptions.InvalidOperationException) as err:
        logs.cancel_export_task(taskId=task_id)
    assert err.value.response["Error"]["Message"] == "The specified export task has already finished"


def test_export_defaults_and_errors(logs, s3, stream):
    group, _name = stream
    task_id = logs.create_export_task(logGroupName=group, fromTime=0, to=1, destination="exports")["taskId"]
    assert logs.describe_export_tasks()["exportTasks"][0]["destinationPrefix"] == "exportedlogs"
    assert logs.describe_export_tasks(statusCode="RUNNING")["exportTasks"] == []
    assert [t["taskId"] for t in logs.describe_export_tasks(statusCode="COMPLETED")["exportTasks"]] == [task_id]
    with pytest.raises(logs.exceptions.InvalidParameterException) as err:
        logs.create_export_task(logGroupName=group, fromTime=0, to=1, destination="no-such-bucket")
    assert err.value.response["Error"]["Message"] == ("The given bucket does not exist. Please make sure the "
                                                      "bucket is valid.")
    with pytest.raises(logs.exceptions.ResourceNotFoundException) as err:
        logs.create_export_task(logGroupName="/nope", fromTime=0, to=1, destination="exports")
    assert err.value.response["Error"]["Message"] == "The specified log group does not exist."
    with pytest.raises(logs.exceptions.ResourceNotFoundException) as err:
        logs.cancel_export_task(taskId=str(uuid.uuid4()))
    assert err.value.response["Error"]["Message"] == "The specified export task does not exist."
    # LocalStack's AWS-recorded test_describe_export_tasks_not_found: an unknown id lists nothing
    assert logs.describe_export_tasks(taskId="non-existent-task-id")["exportTasks"] == []


def test_export_tasks_show_in_the_inspection_view(aws, logs, s3, stream, now_ms):
    task_id = logs.create_export_task(logGroupName=stream[0], fromTime=0, to=now_ms, destination="exports",
                                      taskName="nightly")["taskId"]
    assert aws.state.logs.summary()["export_tasks"] == [{
        "id": task_id, "account": "123456789012", "region": "us-east-1", "name": "nightly",
        "log_group": stream[0], "bucket": "exports", "prefix": "exportedlogs", "status": "COMPLETED"}]
