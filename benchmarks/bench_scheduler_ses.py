"""EventBridge Scheduler and SES benchmarks against the botocore floor, side by side.

    python benchmarks/bench_scheduler_ses.py [--quick] [--cpu]

Measured: scheduler.get_schedule, ses.send_email (a formatted message: the emulator builds its MIME
and records it) and sesv2.send_email. The floor client returns canned parsed responses of the same
shape. ``--cpu`` measures this process's CPU time instead of wall time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from typing import Any, Callable

import boto3

from common import compare, floor_client, report

from kumo_intercept import kumo

ROLE = "arn:aws:iam::123456789012:role/bench"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:bench"
MESSAGE = {"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "x" * 1000}}}
DESTINATION = {"ToAddresses": ["to@example.net"]}
SIMPLE = {"Simple": MESSAGE}


def _operations() -> dict[str, Callable[[], Any]]:
    boto3.client("iam").create_role(RoleName="bench", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "scheduler.amazonaws.com"}}]}))
    boto3.client("sqs").create_queue(QueueName="bench")
    scheduler = boto3.client("scheduler")
    scheduler.create_schedule(Name="s", ScheduleExpression="rate(1 day)", FlexibleTimeWindow={"Mode": "OFF"},
                              Target={"Arn": QUEUE, "RoleArn": ROLE})
    ses, sesv2 = boto3.client("ses"), boto3.client("sesv2")
    ses.verify_domain_identity(Domain="example.com")
    return {
        "scheduler.get_schedule": lambda: scheduler.get_schedule(Name="s"),
        "ses.send_email": lambda: ses.send_email(Source="me@example.com", Destination=DESTINATION, Message=MESSAGE),
        "sesv2.send_email": lambda: sesv2.send_email(FromEmailAddress="me@example.com", Destination=DESTINATION,
                                                     Content=SIMPLE),
    }


def _floor_operations() -> dict[str, Callable[[], Any]]:
    now = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    scheduler = floor_client("scheduler", {"GetSchedule": {
        "Arn": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/s", "Name": "s", "GroupName": "default",
        "ScheduleExpression": "rate(1 day)", "State": "ENABLED", "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {"Arn": QUEUE, "RoleArn": ROLE}, "CreationDate": now, "LastModificationDate": now,
        "ActionAfterCompletion": "NONE"}})
    ses = floor_client("ses", {"SendEmail": {"MessageId": "0" * 60}})
    sesv2 = floor_client("sesv2", {"SendEmail": {"MessageId": "0" * 60}})
    return {
        "scheduler.get_schedule": lambda: scheduler.get_schedule(Name="s"),
        "ses.send_email": lambda: ses.send_email(Source="me@example.com", Destination=DESTINATION, Message=MESSAGE),
        "sesv2.send_email": lambda: sesv2.send_email(FromEmailAddress="me@example.com", Destination=DESTINATION,
                                                     Content=SIMPLE),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds")
    parser.add_argument("--cpu", action="store_true", help="measure process CPU time, not wall time")
    run = parser.parse_args(argv)
    timer = time.process_time if run.cpu else time.perf_counter
    calls, rounds = (200, 3) if run.quick else (1000, 7)
    floor = _floor_operations()
    aws = kumo().start()
    try:
        kumo_ops = _operations()
        for op in kumo_ops:
            measured = compare({"floor": floor[op], "kumo": kumo_ops[op]}, calls=calls, rounds=rounds,
                               emulator=aws, timer=timer)
            report(f"{op}{' (CPU time)' if run.cpu else ''}", measured)
    finally:
        aws.stop()


if __name__ == "__main__":
    main()
