"""EventBridge Scheduler's tables (see store/schema.py): schedule groups, schedules, failed invocations."""

from __future__ import annotations

from typing import TypedDict

from ...store.schema import ServiceSchema, TableSpec

GroupRecord = TypedDict("GroupRecord", {
    "CreationDate": float,
    "LastModificationDate": float,
    "Tags": list,
}, total=False)

ScheduleRecord = TypedDict("ScheduleRecord", {
    "ScheduleExpression": str,
    "ScheduleExpressionTimezone": str,
    "FlexibleTimeWindow": dict,
    "Target": dict,
    "State": str,
    "Description": str,
    "KmsKeyArn": str,
    "ActionAfterCompletion": str,
    "CreationDate": float,
    "LastModificationDate": float,
    "StartDate": "float | None",
    "EndDate": "float | None",
    "Seed": str,            # the seeded id the flexible window's offset is drawn from
    "Anchor": float,        # where a rate's grid starts
    "NextTick": "float | None",  # the next nominal invocation (None: complete)
    "FireAt": "float | None",    # when it fires: NextTick plus the flexible offset
}, total=False)

FailureRecord = TypedDict("FailureRecord", {
    "ScheduleArn": str,
    "TargetArn": str,
    "Input": str,
    "ScheduledTime": float,
    "ErrorCode": str,
    "ErrorMessage": str,
    "RetryAttempts": int,
}, total=False)

RetryRecord = TypedDict("RetryRecord", {
    "Key": list,            # the schedule's key
    "ScheduleArn": str,
    "Target": dict,         # the target as it was when the invocation fired
    "Tick": float,          # the scheduled time
    "FirstAttempt": float,  # when the first attempt ran (the event's age counts from it)
    "Attempt": int,         # the number of the attempt due
}, total=False)

#: (account, region, name) -> a schedule group
GROUPS = TableSpec("scheduler.groups", GroupRecord, ordered=True)
#: (account, region, group, name) -> a schedule
SCHEDULES = TableSpec("scheduler.schedules", ScheduleRecord, ordered=True)
#: sequence number -> an invocation that failed after its retries
FAILURES = TableSpec("scheduler.failures", FailureRecord, ordered=True)

#: (due time, execution id) -> a failed invocation waiting for its next attempt
RETRIES = TableSpec("scheduler.retries", RetryRecord, ordered=True)

SCHEMA = ServiceSchema(tables=(GROUPS, SCHEDULES, FAILURES, RETRIES),
                       views={"failed_invocations": lambda backend: backend.invoker.failures()})
