"""EventBridge Scheduler through boto3: schedules, groups, expressions, targets fired on the clock.

Facts come from the EventBridge Scheduler API reference and user guide (docs.aws.amazon.com/scheduler)
and from LocalStack's AWS-validated tests/aws/services/scheduler/test_scheduler.snapshot.json (named
per test).
"""

from __future__ import annotations

import datetime as dt
import json

import boto3
import pytest

ROLE = "arn:aws:iam::123456789012:role/scheduler-role"
START = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def aws():
    from kumo_intercept import kumo

    with kumo(clock="virtual", start_time=START, strict=True) as emulator:
        _create_role()
        yield emulator


def _create_role():
    boto3.client("iam").create_role(RoleName="scheduler-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": ["scheduler.amazonaws.com",
                                                                          "lambda.amazonaws.com",
                                                                          "states.amazonaws.com"]}}]}))


@pytest.fixture
def client(aws):
    return boto3.client("scheduler")


@pytest.fixture
def queue(aws):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="target")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return sqs, url, arn


def _create(client, name, expression, target_arn, **extra):
    target = {"Arn": target_arn, "RoleArn": ROLE, **extra.pop("target", {})}
    return client.create_schedule(Name=name, ScheduleExpression=expression,
                                  FlexibleTimeWindow=extra.pop("window", {"Mode": "OFF"}), Target=target, **extra)


def _bodies(sqs, url):
    """The queue's messages, deleted once read (so a later read sees only new ones)."""
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    for message in messages.get("Messages", []):
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return messages.get("Messages", [])


def test_create_get_and_arn_in_the_default_group(client, queue):
    """The ARN form schedule/<group>/<name> is in LocalStack's test_create_schedule snapshot."""
    arn = _create(client, "s1", "rate(5 minutes)", queue[2], Description="d")["ScheduleArn"]
    assert arn == "arn:aws:scheduler:us-east-1:123456789012:schedule/default/s1"
    got = client.get_schedule(Name="s1")
    assert got["GroupName"] == "default" and got["State"] == "ENABLED"
    assert got["Target"] == {"Arn": queue[2], "RoleArn": ROLE}
    assert got["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert got["Description"] == "d"


@pytest.mark.parametrize("expression", [
    "cron(0 1 * * * *)", "cron(7 20 * * NOT *)", "cron(INVALID)", "cron(71 8 1 * ? *)", "cron()",
    "rate(10 seconds)", "rate(10 years)", "rate()", "rate(10)", "rate(-10 minutes)", " rate(10 minutes)",
    "at(2021-12-31T23:59:59Z)", "at(2021-12-31)",
])
def test_invalid_expressions_are_refused_with_aws_wording(client, queue, expression):
    """LocalStack snapshot tests_create_schedule_with_invalid_schedule_expression[...]."""
    with pytest.raises(client.exceptions.ValidationException) as err:
        _create(client, "bad", expression, queue[2])
    assert err.value.response["Error"]["Message"] == f"Invalid Schedule Expression {expression}."


def test_missing_schedule_and_conflicts(client, queue):
    """ResourceNotFoundException "Schedule x does not exist." and ConflictException on a second create
    (API reference: GetSchedule / CreateSchedule errors)."""
    with pytest.raises(client.exceptions.ResourceNotFoundException) as err:
        client.get_schedule(Name="nope")
    assert err.value.response["Error"]["Message"] == "Schedule nope does not exist."
    _create(client, "s1", "rate(1 hour)", queue[2])
    with pytest.raises(client.exceptions.ConflictException):
        _create(client, "s1", "rate(1 hour)", queue[2])
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        _create(client, "s2", "rate(1 hour)", queue[2], GroupName="missing")


def test_role_must_be_well_formed_and_exist(client, queue):
    """RoleArn's pattern is in the botocore model; the role must exist in IAM (user guide: execution role)."""
    with pytest.raises(client.exceptions.ValidationException):
        _create(client, "s1", "rate(1 hour)", queue[2], target={"RoleArn": "not-a-role"})
    with pytest.raises(client.exceptions.ValidationException):
        _create(client, "s1", "rate(1 hour)", queue[2],
                target={"RoleArn": "arn:aws:iam::123456789012:role/nobody"})


def test_rate_schedule_delivers_to_sqs_every_period(aws, client, queue):
    """Templated SQS target: SendMessage with Input as the body (user guide: templated targets)."""
    sqs, url, arn = queue
    _create(client, "tick", "rate(5 minutes)", arn, target={"Input": "hello"})
    aws.clock.advance(299)
    assert _bodies(sqs, url) == []
    aws.clock.advance(1 + 600)
    bodies = [m["Body"] for m in _bodies(sqs, url)]
    assert bodies == ["hello", "hello", "hello"]


def test_cron_in_a_time_zone(aws, client, queue):
    """cron fields are read in ScheduleExpressionTimezone (user guide: schedule types, time zones)."""
    sqs, url, arn = queue
    # 09:00 in New York on 1 Jan 2030 is 14:00 UTC
    _create(client, "ny", "cron(0 9 * * ? *)", arn, ScheduleExpressionTimezone="America/New_York",
            target={"Input": "<aws.scheduler.scheduled-time>"})
    aws.clock.advance(13 * 3600 + 59 * 60)
    assert _bodies(sqs, url) == []
    aws.clock.advance(60)
    assert [m["Body"] for m in _bodies(sqs, url)] == ["2030-01-01T14:00:00Z"]


def test_one_time_schedule_and_action_after_completion_delete(aws, client, queue):
    """at() fires once; ActionAfterCompletion DELETE removes it afterwards (API reference)."""
    sqs, url, arn = queue
    _create(client, "once", "at(2030-01-01T00:10:00)", arn, ActionAfterCompletion="DELETE",
            target={"Input": "{\"k\": 1}"})
    _create(client, "kept", "at(2030-01-01T00:10:00)", arn, target={"Input": "kept"})
    aws.clock.advance(600)
    assert sorted(m["Body"] for m in _bodies(sqs, url)) == ["kept", "{\"k\": 1}"]
    names = [s["Name"] for s in client.list_schedules()["Schedules"]]
    assert names == ["kept"]
    aws.clock.advance(3600)
    assert _bodies(sqs, url) == []


def test_disabled_schedules_and_end_date(aws, client, queue):
    sqs, url, arn = queue
    _create(client, "off", "rate(1 minute)", arn, State="DISABLED")
    _create(client, "ends", "rate(1 minute)", arn, EndDate=START + dt.timedelta(minutes=2, seconds=30),
            target={"Input": "e"})
    aws.clock.advance(600)
    assert [m["Body"] for m in _bodies(sqs, url)] == ["e", "e"]
    assert [s["Name"] for s in client.list_schedules(State="DISABLED")["Schedules"]] == ["off"]


def test_start_date_delays_the_first_invocation(aws, client, queue):
    sqs, url, arn = queue
    _create(client, "later", "rate(1 hour)", arn, StartDate=START + dt.timedelta(hours=5),
            target={"Input": "s"})
    aws.clock.advance(5 * 3600 + 59 * 60)
    assert _bodies(sqs, url) == []
    aws.clock.advance(60)
    assert [m["Body"] for m in _bodies(sqs, url)] == ["s"]


def test_flexible_window_fires_within_the_window_deterministically(aws, client, queue):
    """FLEXIBLE mode invokes within MaximumWindowInMinutes after the tick (user guide: flexible time
    windows); the emulator's choice comes from the seeded ids, so a rerun picks the same moment."""
    sqs, url, arn = queue
    _create(client, "flex", "at(2030-01-01T01:00:00)", arn,
            window={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}, target={"Input": "f"})
    aws.clock.advance(3600 - 1)
    assert _bodies(sqs, url) == []
    aws.clock.advance(15 * 60 + 1)
    assert [m["Body"] for m in _bodies(sqs, url)] == ["f"]
    with pytest.raises(client.exceptions.ValidationException):
        _create(client, "flex2", "rate(1 hour)", arn, window={"Mode": "FLEXIBLE"})


def test_failed_invocations_go_to_the_dead_letter_queue(aws, client, queue):
    """DeadLetterConfig: the failed invocation reaches the SQS queue with error attributes (user guide:
    configuring a schedule's dead-letter queue)."""
    sqs, url, arn = queue
    missing = arn.replace(":target", ":gone")
    _create(client, "broken", "at(2030-01-01T00:01:00)", missing,
            target={"Input": "payload", "RetryPolicy": {"MaximumRetryAttempts": 2},
                    "DeadLetterConfig": {"Arn": arn}})
    aws.clock.advance(60)  # the first attempt fails; its 2 retries come 1 s and 3 s later
    assert _bodies(sqs, url) == []
    aws.clock.advance(3)
    [message] = _bodies(sqs, url)
    assert message["Body"] == "payload"
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["TARGET_ARN"] == missing
    assert attributes["RETRY_ATTEMPTS"] == "2"
    assert attributes["ERROR_CODE"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert aws.state.scheduler.failed_invocations()[0]["ScheduleArn"].endswith("/default/broken")


def test_lambda_sns_and_event_bus_targets(aws, client, queue):
    sqs, url, arn = queue
    sns = boto3.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    events = boto3.client("events")
    events.put_rule(Name="all", EventPattern=json.dumps({"source": ["my.app"]}))
    events.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": arn}])
    bus = "arn:aws:events:us-east-1:123456789012:event-bus/default"
    _create(client, "to-sns", "at(2030-01-01T00:01:00)", topic, target={"Input": "via-sns"})
    _create(client, "to-bus", "at(2030-01-01T00:02:00)", bus,
            target={"Input": json.dumps({"a": 1}),
                    "EventBridgeParameters": {"Source": "my.app", "DetailType": "tick"}})
    aws.clock.advance(120)
    bodies = [m["Body"] for m in _bodies(sqs, url)]
    assert bodies[0] == "via-sns"
    event = json.loads(bodies[1])
    assert event["source"] == "my.app" and event["detail-type"] == "tick" and event["detail"] == {"a": 1}


def test_universal_target_calls_an_emulated_service(aws, client, queue):
    """Universal target arn:aws:scheduler:::aws-sdk:<service>:<apiAction> (user guide: universal targets)."""
    sqs, url, arn = queue
    _create(client, "utp", "at(2030-01-01T00:01:00)", "arn:aws:scheduler:::aws-sdk:sqs:sendMessage",
            target={"Input": json.dumps({"QueueUrl": url, "MessageBody": "universal"})})
    aws.clock.advance(60)
    assert [m["Body"] for m in _bodies(sqs, url)] == ["universal"]


def test_update_replaces_the_schedule(aws, client, queue):
    sqs, url, arn = queue
    _create(client, "u", "rate(1 hour)", arn, target={"Input": "old"})
    client.update_schedule(Name="u", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow={"Mode": "OFF"},
                           Target={"Arn": arn, "RoleArn": ROLE, "Input": "new"})
    aws.clock.advance(60)
    assert [m["Body"] for m in _bodies(sqs, url)] == ["new"]
    assert client.get_schedule(Name="u")["ScheduleExpression"] == "rate(1 minute)"
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.update_schedule(Name="x", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow={"Mode": "OFF"},
                               Target={"Arn": arn, "RoleArn": ROLE})


def test_groups_tags_and_listing_with_filters_and_pages(client, queue):
    """Tags live on schedule groups (LocalStack snapshot test_tag_resource / test_untag_resource)."""
    group_arn = client.create_schedule_group(Name="g", Tags=[{"Key": "TagKey", "Value": "TagValue"}])["ScheduleGroupArn"]
    assert group_arn == "arn:aws:scheduler:us-east-1:123456789012:schedule-group/g"
    assert client.list_tags_for_resource(ResourceArn=group_arn)["Tags"] == [{"Key": "TagKey", "Value": "TagValue"}]
    client.untag_resource(ResourceArn=group_arn, TagKeys=["TagKey"])
    assert client.list_tags_for_resource(ResourceArn=group_arn)["Tags"] == []
    with pytest.raises(client.exceptions.ConflictException):
        client.create_schedule_group(Name="g")
    for i in range(5):
        _create(client, f"a{i}", "rate(1 hour)", queue[2], GroupName="g")
    _create(client, "b0", "rate(1 hour)", queue[2])
    assert [s["Name"] for s in client.list_schedules(GroupName="g", NamePrefix="a")["Schedules"]] == [
        f"a{i}" for i in range(5)]
    pages = client.get_paginator("list_schedules").paginate(PaginationConfig={"PageSize": 2})
    assert [len(p["Schedules"]) for p in pages] == [2, 2, 2]
    groups = client.list_schedule_groups()["ScheduleGroups"]
    assert [g["Name"] for g in groups] == ["default", "g"] and groups[1]["State"] == "ACTIVE"
    client.delete_schedule_group(Name="g")
    assert [s["Name"] for s in client.list_schedules()["Schedules"]] == ["b0"]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_schedule_group(Name="g")


def test_delete_schedule(client, queue):
    _create(client, "d", "rate(1 hour)", queue[2])
    client.delete_schedule(Name="d")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.delete_schedule(Name="d")


def test_lambda_target_gets_the_input_as_its_event(aws, client, queue):
    """Templated Lambda target: an asynchronous Invoke with Input as the payload (user guide)."""
    import io
    import zipfile

    sqs, url, arn = queue
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "import boto3, json\n"
                                   "def handler(event, context):\n"
                                   "    boto3.client('sqs').send_message(QueueUrl=event['url'], MessageBody=json.dumps(event))\n")
    function = boto3.client("lambda").create_function(
        FunctionName="f", Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": code.getvalue()})["FunctionArn"]
    _create(client, "to-lambda", "at(2030-01-01T00:01:00)", function,
            target={"Input": json.dumps({"url": url, "arn": "<aws.scheduler.schedule-arn>"})})
    aws.clock.advance(60)
    aws.drain()
    [message] = _bodies(sqs, url)
    assert json.loads(message["Body"])["arn"].endswith(":schedule/default/to-lambda")


def test_step_functions_target_starts_an_execution_with_the_input(aws, client):
    """Templated Step Functions target: StartExecution with Input as the execution input (user guide)."""
    sfn = boto3.client("stepfunctions")
    machine = sfn.create_state_machine(name="m", roleArn=ROLE, definition=json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    _create(client, "sfn", "at(2030-01-01T00:01:00)", machine, target={"Input": json.dumps({"go": 1})})
    aws.clock.advance(60)
    aws.drain()
    [execution] = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert json.loads(sfn.describe_execution(executionArn=execution["executionArn"])["input"]) == {"go": 1}


def test_the_flexible_moment_is_the_same_in_every_run_with_the_same_seed():
    """docs/scheduler.md: the offset comes from the seeded ids, so two runs agree (and it stays in the window)."""
    from kumo_intercept import kumo

    moments = []
    for _ in range(2):
        with kumo(clock="virtual", start_time=START, seed=7) as aws:
            _create_role()
            _create(boto3.client("scheduler"), "flex", "at(2030-01-01T01:00:00)",
                    "arn:aws:sqs:us-east-1:123456789012:q",
                    window={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 60})
            moments.append(aws.state.scheduler.summary()["schedules"][0]["next"])
    assert moments[0] == moments[1]
    fire = dt.datetime.fromisoformat(moments[0])
    assert START + dt.timedelta(hours=1) <= fire < START + dt.timedelta(hours=2)


def test_cron_follows_daylight_saving_time_in_its_zone(aws, client, queue):
    """User guide (time zones): a cron schedule keeps local time across a DST change. US DST starts on
    10 March 2030, so 09:00 New York is 14:00 UTC on the 9th and 13:00 UTC on the 10th."""
    sqs, url, arn = queue
    aws.clock.set(dt.datetime(2030, 3, 9, tzinfo=dt.timezone.utc))
    _create(client, "dst", "cron(0 9 * * ? *)", arn, ScheduleExpressionTimezone="America/New_York",
            target={"Input": "<aws.scheduler.scheduled-time>"})
    aws.clock.advance(2 * 86400)
    assert [m["Body"] for m in _bodies(sqs, url)] == ["2030-03-09T14:00:00Z", "2030-03-10T13:00:00Z"]


def test_retries_back_off_on_the_clock_and_succeed_once_the_target_exists(aws, client, queue):
    """RetryPolicy (API reference RetryPolicy: retries with exponential backoff until MaximumRetryAttempts
    or MaximumEventAgeInSeconds): a retry that finds its target delivers, with its attempt number."""
    sqs, _, _ = queue
    late_arn = "arn:aws:sqs:us-east-1:123456789012:late"
    _create(client, "late", "at(2030-01-01T00:01:00)", late_arn,
            target={"Input": "attempt <aws.scheduler.attempt-number>"})
    aws.clock.advance(60)  # attempt 1 fails (no queue); attempt 2 is due 1 s later, attempt 3 2 s after it
    late = sqs.create_queue(QueueName="late")["QueueUrl"]
    aws.clock.advance(1)
    assert [m["Body"] for m in _bodies(sqs, late)] == ["attempt 2"]
    aws.clock.advance(3600)
    assert _bodies(sqs, late) == [] and aws.state.scheduler.failed_invocations() == []


def test_event_age_ends_the_retries(aws, client, queue):
    """MaximumEventAgeInSeconds (60..86400): no retry is made later than that after the first attempt;
    the dead-letter message says which limit was reached."""
    sqs, url, arn = queue
    _create(client, "old", "at(2030-01-01T00:01:00)", arn.replace(":target", ":gone"),
            target={"RetryPolicy": {"MaximumEventAgeInSeconds": 60}, "DeadLetterConfig": {"Arn": arn}})
    aws.clock.advance(60 + 30)
    assert _bodies(sqs, url) == []  # retries at +1, +3, +7, +15 s; the next, at +31 s, is still to come
    aws.clock.advance(60)
    [message] = _bodies(sqs, url)
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"
    assert attributes["RETRY_ATTEMPTS"] == "5"  # a 6th retry would come 63 s after the first attempt


def test_default_policy_retries_185_times_within_a_day(aws, client, queue):
    """Defaults (API reference RetryPolicy): 185 retries, 86400 seconds of event age."""
    _, _, arn = queue
    _create(client, "daily", "at(2030-01-01T00:01:00)", arn.replace(":target", ":gone"))
    aws.clock.advance(60 + 3600)
    assert aws.state.scheduler.failed_invocations() == []  # still retrying an hour later
    aws.clock.advance(86400)
    [failure] = aws.state.scheduler.failed_invocations()
    assert failure["RetryAttempts"] == 185


def test_no_retries_goes_straight_to_the_dead_letter_queue(aws, client, queue):
    sqs, url, arn = queue
    _create(client, "once", "at(2030-01-01T00:01:00)", arn.replace(":target", ":gone"),
            target={"RetryPolicy": {"MaximumRetryAttempts": 0}, "DeadLetterConfig": {"Arn": arn}})
    aws.clock.advance(60)
    [message] = _bodies(sqs, url)
    assert message["MessageAttributes"]["RETRY_ATTEMPTS"]["StringValue"] == "0"
