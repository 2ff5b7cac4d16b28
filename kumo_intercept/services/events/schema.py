"""EventBridge's tables (see store/schema.py): buses, rules, archives and replays, connections."""

from __future__ import annotations

from typing import Any, TypedDict

from ...store.schema import ServiceSchema, TableSpec


BusesRecord = TypedDict("BusesRecord", {
    "Created": float,
    "DeadLetterConfig": Any,
    "Description": str | None,
    "KmsKeyIdentifier": Any,
    "LogConfig": Any,
    "Modified": float,
    "Policy": str | None,
    "Tags": dict,
}, total=False)

RulesRecord = TypedDict("RulesRecord", {
    "Anchor": float,
    "Created": float,
    "CreatedBy": str,
    "Description": str | None,
    "EventPattern": str | None,
    "ManagedBy": str,
    "NextFire": float | None,
    "RoleArn": Any,
    "ScheduleExpression": str | None,
    "State": str,
    "Tags": dict,
    "Targets": list,
}, total=False)

ArchivesRecord = TypedDict("ArchivesRecord", {
    "Created": float,
    "Description": Any,
    "EventCount": int,
    "EventPattern": str | None,
    "EventSourceArn": str,
    "KmsKeyIdentifier": Any,
    "RetentionDays": int,
    "Seq": int,
    "SizeBytes": int,
    "State": str,
}, total=False)

ArchivedRecord = TypedDict("ArchivedRecord", {
    "Event": str,
    "Ingested": float,
    "Time": float,
}, total=False)

ReplaysRecord = TypedDict("ReplaysRecord", {
    "Description": Any,
    "Destination": dict,
    "EventEndTime": float,
    "EventLastReplayedTime": float | None,
    "EventSourceArn": str,
    "EventStartTime": float,
    "ReplayEndTime": float | None,
    "ReplayStartTime": float,
    "State": str,
}, total=False)

UndeliveredRecord = TypedDict("UndeliveredRecord", {
    "Body": str,
    "ErrorCode": str,
    "ErrorMessage": str,
    "RuleArn": str,
    "TargetArn": str,
    "TargetId": str,
    "Timestamp": float,
}, total=False)

ConnectionsRecord = TypedDict("ConnectionsRecord", {
    "Arn": str,
    "AuthParameters": dict,
    "AuthorizationType": str,
    "Authorized": float,
    "Created": float,
    "Description": Any,
    "Modified": float,
    "SecretArn": str,
    "State": str,
}, total=False)

ApiDestinationsRecord = TypedDict("ApiDestinationsRecord", {
    "Arn": str,
    "ConnectionArn": str,
    "Created": float,
    "Description": Any,
    "HttpMethod": str,
    "InvocationEndpoint": str,
    "InvocationRateLimitPerSecond": int,
    "Modified": float,
    "State": str,
}, total=False)

#: (account, region, name) -> the event bus
BUSES = TableSpec("events.buses", BusesRecord, ordered=True)
#: (account, region, bus, name) -> the rule with its targets
RULES = TableSpec("events.rules", RulesRecord, ordered=True)
#: (account, region, name) -> the archive
ARCHIVES = TableSpec("events.archives", ArchivesRecord, ordered=True)
#: (account, region, archive, seq) -> an archived event
ARCHIVED = TableSpec("events.archived", ArchivedRecord, ordered=True)
#: (account, region, name) -> the replay
REPLAYS = TableSpec("events.replays", ReplaysRecord, ordered=True)
#: sequence number -> a target delivery that did not happen
UNDELIVERED = TableSpec("events.undelivered", UndeliveredRecord, ordered=True)
#: (account, region, name) -> the connection
CONNECTIONS = TableSpec("events.connections", ConnectionsRecord, ordered=True)
#: (account, region, name) -> the API destination
API_DESTINATIONS = TableSpec("events.api_destinations", ApiDestinationsRecord, ordered=True)

SCHEMA = ServiceSchema(
    tables=(BUSES, RULES, ARCHIVES, ARCHIVED, REPLAYS, UNDELIVERED, CONNECTIONS, API_DESTINATIONS),
    views={"undelivered": lambda backend: backend.undelivered()},  # target deliveries that did not happen
)

