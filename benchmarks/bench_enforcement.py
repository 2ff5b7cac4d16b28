"""IAM enforcement's cost per call: an IAM user with ten policies attached (five managed, five inline,
one of them with a condition) sends SQS messages and reads an S3 object, with enforcement on and off;
then users whose condition reads the clock (decided once per second of the emulator clock) and the
queue's tags (checked at every call).

    python benchmarks/bench_enforcement.py

Target (issue 21): ≤ 30 µs added per call. Both sides run in one emulator (the hook is switched per
contender). "added" is the median of paired rounds, enforcement off and on measured back to back
(order alternating), with the 25th–75th percentile range beside it: on a shared machine a difference
of two medians taken apart swings by more than the cost itself. "hook" is the authorization hook
alone on that call's captured request, the part of "added" that is enforcement's own work.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any, Callable

import boto3

from common import compare, floor_client, per_call_us

from kumo_intercept import kumo

ACCOUNT = "123456789012"


def _document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _user_with_ten_policies(name: str, condition: dict) -> dict:
    """A user with five managed and five inline policies; the one that grants the benchmarked calls
    has ``condition``."""
    iam = boto3.client("iam")
    iam.create_user(UserName=name)
    for index in range(5):
        arn = iam.create_policy(PolicyName=f"{name}{index}", PolicyDocument=_document(
            {"Effect": "Allow", "Action": [f"dynamodb:Query{index}", "logs:PutLogEvents"], "Resource": "*"}))["Policy"]["Arn"]
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    for index in range(4):
        iam.put_user_policy(UserName=name, PolicyName=f"inline{index}", PolicyDocument=_document(
            {"Effect": "Deny", "Action": f"kms:Decrypt{index}", "Resource": "*"}))
    iam.put_user_policy(UserName=name, PolicyName="work", PolicyDocument=_document(
        {"Effect": "Allow", "Action": ["sqs:SendMessage", "s3:GetObject"], "Resource": "*", "Condition": condition}))
    return iam.create_access_key(UserName=name)["AccessKey"]


def _client(service: str, key: dict) -> Any:
    return boto3.client(service, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                        region_name="us-east-1")


def _paired_added(off: Callable[[], Any], on: Callable[[], Any], rounds: int = 31, calls: int = 100
                  ) -> tuple[float, float, float]:
    """(p25, median, p75) of on − off over rounds that measure both back to back, order alternating."""
    differences = []
    for index in range(rounds):
        first, second = (off, on) if index % 2 else (on, off)
        a, b = per_call_us(first, calls, time.process_time), per_call_us(second, calls, time.process_time)
        differences.append(b - a if index % 2 else a - b)
    quartiles = statistics.quantiles(differences, n=4)
    return quartiles[0], statistics.median(differences), quartiles[2]


def _hook_alone(aws: Any, hook: Callable[[Any], None], call: Callable[[], Any], calls: int = 5000) -> float:
    """µs of the authorization hook alone, on the request ``call`` makes (captured once)."""
    captured: list[Any] = []
    aws.authorize = lambda ctx: (captured.append(ctx), hook(ctx))
    call()
    aws.authorize = hook
    return min(per_call_us(lambda: hook(captured[0]), calls, time.process_time) for _ in range(5))


def main() -> None:
    aws = kumo(iam="enforce").start()
    try:
        steady = _user_with_ten_policies("steady", {"Bool": {"aws:SecureTransport": "true"}})
        # a condition on the clock: its decision holds for one second of the emulator clock
        timed = _user_with_ten_policies("timed", {"DateLessThan": {"aws:CurrentTime": "2100-01-01T00:00:00Z"}})
        # a condition on the queue's tags: checked at every call (the tags may change in between)
        tagged = _user_with_ten_policies("tagged", {"StringEquals": {"aws:ResourceTag/team": "bench"}})
        url = boto3.client("sqs").create_queue(QueueName="bench", tags={"team": "bench"})["QueueUrl"]
        boto3.client("s3").create_bucket(Bucket="bench-bucket")
        boto3.client("s3").put_object(Bucket="bench-bucket", Key="k", Body=b"x" * 100)
        sqs, s3, timed_sqs, tagged_sqs = (_client("sqs", steady), _client("s3", steady), _client("sqs", timed),
                                          _client("sqs", tagged))
        hook = aws.authorize
        sqs_floor = floor_client("sqs", {"SendMessage": {"MessageId": "m", "MD5OfMessageBody": "x"}})
        cases = {
            "sqs.SendMessage": (lambda: sqs.send_message(QueueUrl=url, MessageBody="m"), sqs_floor,
                                lambda floor: floor.send_message(QueueUrl=url, MessageBody="m")),
            "s3.GetObject": (lambda: s3.get_object(Bucket="bench-bucket", Key="k")["Body"].read(),
                             floor_client("s3"), lambda floor: floor.get_object(Bucket="bench-bucket", Key="k")),
            "sqs.SendMessage, aws:CurrentTime condition": (
                lambda: timed_sqs.send_message(QueueUrl=url, MessageBody="m"), sqs_floor,
                lambda floor: floor.send_message(QueueUrl=url, MessageBody="m")),
            "sqs.SendMessage, aws:ResourceTag condition": (
                lambda: tagged_sqs.send_message(QueueUrl=url, MessageBody="m"), sqs_floor,
                lambda floor: floor.send_message(QueueUrl=url, MessageBody="m")),
        }
        print("## IAM enforcement: ten policies attached to the caller (µs per call, side by side)\n")
        print("| call | floor | kumo, iam off | kumo, iam enforce | added (p25–p75) | hook | added / floor |")
        print("|---|---|---|---|---|---|---|")
        for name, (call, floor, floor_call) in cases.items():
            def off() -> None:
                aws.authorize = None
                call()

            def on() -> None:
                aws.authorize = hook
                call()

            results = compare({"floor": lambda: floor_call(floor), "kumo-off": off, "kumo-on": on},
                              calls=300, emulator=aws, timer=time.process_time)
            added = _paired_added(off, on)
            alone = _hook_alone(aws, hook, call)
            print(f"| {name} | {results['floor']:.1f} | {results['kumo-off']:.1f} | {results['kumo-on']:.1f} "
                  f"| {added[1]:.1f} ({added[0]:.1f}–{added[2]:.1f}) (target ≤ 30) | {alone:.1f} "
                  f"| {added[1] / results['floor']:.2f}× |")
        aws.authorize = hook
    finally:
        aws.stop()


if __name__ == "__main__":
    main()
