"""SNS, EventBridge and CloudWatch Logs benchmarks: fan-out cost per delivered message, and single-resource
calls against the botocore floor.

    python benchmarks/bench_sns_events.py [--quick]

Targets (issue 7): Publish to a topic with 10 SQS subscribers, and PutEvents matching 10 rules (one SQS
target each), each ≤ 2× the cost of one SQS SendMessage per delivered message; every single-resource
call ≤ 1.25× the botocore floor.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, Callable

import boto3

from common import compare, floor_client, report

from kumo_intercept import kumo

FANOUT = 10
TOPIC = "arn:aws:sns:us-east-1:123456789012:bench"
EVENT = {"Source": "shop", "DetailType": "order", "Detail": json.dumps({"total": 120, "currency": "EUR"})}
PATTERN = {"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "43200"})["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _setup() -> dict[str, Callable[[], Any]]:
    """Resources and zero-argument calls, made in the active emulator."""
    sns, sqs, events, logs = (boto3.client(s) for s in ("sns", "sqs", "events", "logs"))
    fan_topic = sns.create_topic(Name="fanout")["TopicArn"]
    lone_topic = sns.create_topic(Name="bench")["TopicArn"]
    send_url, _ = _queue(sqs, "send")
    for i in range(FANOUT):
        _url, arn = _queue(sqs, f"sub{i}")
        sns.subscribe(TopicArn=fan_topic, Protocol="sqs", Endpoint=arn)
        events.put_rule(Name=f"rule{i}", EventPattern=json.dumps(PATTERN))
        events.put_targets(Rule=f"rule{i}", Targets=[{"Id": "q", "Arn": arn}])
    events.create_event_bus(Name="quiet")
    logs.create_log_group(logGroupName="/bench")
    logs.create_log_stream(logGroupName="/bench", logStreamName="s")
    clock = [1_735_689_600_000]

    def put_log() -> None:
        clock[0] += 1
        logs.put_log_events(logGroupName="/bench", logStreamName="s",
                            logEvents=[{"timestamp": clock[0], "message": "GET /index.html 200"}])

    return {
        "sqs.send": lambda: sqs.send_message(QueueUrl=send_url, MessageBody="hello"),
        "sns.publish_fanout": lambda: sns.publish(TopicArn=fan_topic, Message="hello"),
        "events.put_events_fanout": lambda: events.put_events(Entries=[EVENT]),
        "sns.publish": lambda: sns.publish(TopicArn=lone_topic, Message="hello"),
        "sns.get_topic_attributes": lambda: sns.get_topic_attributes(TopicArn=lone_topic),
        "sns.create_topic": lambda: sns.create_topic(Name="bench"),
        "events.put_events": lambda: events.put_events(Entries=[{**EVENT, "EventBusName": "quiet"}]),
        "events.describe_rule": lambda: events.describe_rule(Name="rule0"),
        "events.put_rule": lambda: events.put_rule(Name="rule0", EventPattern=json.dumps(PATTERN)),
        "logs.put_log_events": put_log,
        "logs.describe_log_groups": lambda: logs.describe_log_groups(logGroupNamePrefix="/bench"),
        "logs.get_log_events": lambda: logs.get_log_events(logGroupName="/bench", logStreamName="s", limit=10),
    }


def _floor() -> dict[str, Callable[[], Any]]:
    sns = floor_client("sns", {"Publish": {"MessageId": "m"}, "CreateTopic": {"TopicArn": TOPIC},
                               "GetTopicAttributes": {"Attributes": {"TopicArn": TOPIC}}})
    events = floor_client("events", {"PutEvents": {"FailedEntryCount": 0, "Entries": [{"EventId": "e"}]},
                                     "PutRule": {"RuleArn": "arn"}, "DescribeRule": {"Name": "rule0"}})
    logs = floor_client("logs", {"PutLogEvents": {"nextSequenceToken": "1"}, "DescribeLogGroups": {"logGroups": []},
                                 "GetLogEvents": {"events": []}})
    return {
        "sns.publish": lambda: sns.publish(TopicArn=TOPIC, Message="hello"),
        "sns.get_topic_attributes": lambda: sns.get_topic_attributes(TopicArn=TOPIC),
        "sns.create_topic": lambda: sns.create_topic(Name="bench"),
        "events.put_events": lambda: events.put_events(Entries=[{**EVENT, "EventBusName": "quiet"}]),
        "events.describe_rule": lambda: events.describe_rule(Name="rule0"),
        "events.put_rule": lambda: events.put_rule(Name="rule0", EventPattern=json.dumps(PATTERN)),
        "logs.put_log_events": lambda: logs.put_log_events(
            logGroupName="/bench", logStreamName="s",
            logEvents=[{"timestamp": 1_735_689_600_000, "message": "GET /index.html 200"}]),
        "logs.describe_log_groups": lambda: logs.describe_log_groups(logGroupNamePrefix="/bench"),
        "logs.get_log_events": lambda: logs.get_log_events(logGroupName="/bench", logStreamName="s", limit=10),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds")
    args = parser.parse_args(argv)
    calls, rounds = (100, 3) if args.quick else (400, 7)
    aws = kumo(clock="virtual").start()
    ops = _setup()
    aws.stop()
    floor = _floor()

    aws.start()
    try:
        fan = compare({f"kumo:{name}": ops[name] for name in
                       ("sqs.send", "sns.publish_fanout", "events.put_events_fanout")},
                      calls=calls // 2, rounds=rounds, emulator=aws)
    finally:
        aws.stop()
    send = fan["kumo:sqs.send"]
    print("## fan-out (10 SQS subscribers / 10 matching rules)")
    for name in ("sns.publish_fanout", "events.put_events_fanout"):
        per_message = fan[f"kumo:{name}"] / FANOUT
        print(f"{name:<28}{fan[f'kumo:{name}']:>10.1f} µs/call  {per_message:>8.1f} µs/message  "
              f"{per_message / send:.2f}× SendMessage ({send:.1f} µs; target ≤ 2)")
    print()
    for name, floor_op in floor.items():
        aws.start()
        try:
            out = compare({"floor": floor_op, "kumo": ops[name]}, calls=calls, rounds=rounds, emulator=aws)
        finally:
            aws.stop()
        report(name, out)


if __name__ == "__main__":
    main()
