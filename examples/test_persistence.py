"""Persistence: state on disk that survives a restart, and named snapshots to go back to.

`kumo(data_dir=...)` journals every change; `aws.restart()` drops everything in memory and recovers it
from disk as a new process would. See docs/persistence.md for the guarantees.
"""

import boto3

from kumo_intercept import kumo


def test_state_survives_a_restart(tmp_path):
    with kumo(data_dir=tmp_path / "aws", clock="virtual") as aws:
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="resize photo 1")
        boto3.client("s3").create_bucket(Bucket="photos")
        boto3.client("s3").put_object(Bucket="photos", Key="1.jpg", Body=b"\xff\xd8 not really a jpeg")

        aws.restart()  # as if the process had been killed and started again
        assert aws.state.sqs.queues("jobs")["visible"] == 1
        assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "resize photo 1"

    # a new emulator on the same directory finds everything again
    with kumo(data_dir=tmp_path / "aws") as aws:
        body = boto3.client("s3").get_object(Bucket="photos", Key="1.jpg")["Body"].read()
        assert body == b"\xff\xd8 not really a jpeg"


def test_snapshots_let_a_test_go_back(tmp_path):
    with kumo() as aws:  # snapshots work in memory too
        sns = boto3.client("sns")
        sns.create_topic(Name="alerts")
        aws.snapshot("one-topic")
        sns.create_topic(Name="audit")
        assert aws.state.sns.topics.names() == ["alerts", "audit"]

        aws.restore("one-topic")
        assert aws.state.sns.topics.names() == ["alerts"]
