"""SNS's tables (see store/schema.py): topics, subscriptions, platform and SMS state, what left AWS."""

from __future__ import annotations

from typing import TypedDict

from ...store.schema import ServiceSchema, TableSpec


TopicsRecord = TypedDict("TopicsRecord", {
    "Attributes": dict,
    "Created": float,
    "DataProtectionPolicy": str | None,
    "Deleted": int,
    "Sequence": int,
    "Tags": dict,
}, total=False)

SubscriptionsRecord = TypedDict("SubscriptionsRecord", {
    "Arn": str,
    "Attributes": dict,
    "Authenticated": bool,
    "Confirmed": bool,
    "Created": float,
    "Endpoint": str,
    "Owner": str,
    "Protocol": str,
    "Token": str | None,
    "TopicArn": str,
}, total=False)

DedupRecord = TypedDict("DedupRecord", {
    "Expires": float,
    "MessageId": str,
    "SequenceNumber": str,
}, total=False)

OutboxRecord = TypedDict("OutboxRecord", {
    "Attributes": dict,
    "Body": str,
    "Code": str,
    "Endpoint": str,
    "Headers": dict,
    "MessageId": str,
    "Protocol": str,
    "Subject": str | None,
    "SubscribeURL": str,
    "SubscriptionArn": str | None,
    "Timestamp": float,
    "Token": str,
    "TopicArn": str | None,
    "Type": str,
}, total=False)

DeliveryFailuresRecord = TypedDict("DeliveryFailuresRecord", {
    "Endpoint": str,
    "ErrorCode": str,
    "ErrorMessage": str,
    "MessageId": str,
    "Protocol": str,
    "SubscriptionArn": str,
    "Timestamp": float,
    "TopicArn": str,
}, total=False)

PlatformApplicationsRecord = TypedDict("PlatformApplicationsRecord", {
    "Attributes": dict,
    "Created": float,
    "Secret": dict,
}, total=False)

PlatformEndpointsRecord = TypedDict("PlatformEndpointsRecord", {
    "Attributes": dict,
    "Created": float,
}, total=False)

SmsAttributesRecord = TypedDict("SmsAttributesRecord", {
    "DefaultSMSType": str,
    "DefaultSenderID": str,
}, total=False)

OptedOutRecord = TypedDict("OptedOutRecord", {
    "Time": float,
}, total=False)

SandboxNumbersRecord = TypedDict("SandboxNumbersRecord", {
    "Code": str,
    "Status": str,
}, total=False)

#: (account, region, name) -> the topic
TOPICS = TableSpec("sns.topics", TopicsRecord, ordered=True)
#: (account, region, topic name, subscription id) -> the subscription
SUBSCRIPTIONS = TableSpec("sns.subscriptions", SubscriptionsRecord, ordered=True)
#: (account, region, topic arn) ... deduplication id -> Expires, MessageId, SequenceNumber
DEDUP = TableSpec("sns.dedup", DedupRecord)
#: sequence number -> what would have left AWS (email, http, sms, ...)
OUTBOX = TableSpec("sns.outbox", OutboxRecord, ordered=True)
#: sequence number -> a failed delivery
DELIVERY_FAILURES = TableSpec("sns.delivery_failures", DeliveryFailuresRecord, ordered=True)
#: (account, region, platform, name) -> a platform application
PLATFORM_APPLICATIONS = TableSpec("sns.platform_applications", PlatformApplicationsRecord, ordered=True)
#: (account, region, platform, application name, id) -> a platform endpoint
PLATFORM_ENDPOINTS = TableSpec("sns.platform_endpoints", PlatformEndpointsRecord, ordered=True)
#: (account, region) -> SetSMSAttributes' attributes
SMS_ATTRIBUTES = TableSpec("sns.sms_attributes", SmsAttributesRecord)
#: (account, region, phone number) -> opted out
OPTED_OUT = TableSpec("sns.opted_out", OptedOutRecord, ordered=True)
#: (account, region, phone number) -> an SMS sandbox phone number
SANDBOX_NUMBERS = TableSpec("sns.sandbox_numbers", SandboxNumbersRecord, ordered=True)

SCHEMA = ServiceSchema(
    tables=(TOPICS, SUBSCRIPTIONS, DEDUP, OUTBOX, DELIVERY_FAILURES, PLATFORM_APPLICATIONS, PLATFORM_ENDPOINTS,
            SMS_ATTRIBUTES, OPTED_OUT, SANDBOX_NUMBERS),
    # what SNS sent outside AWS (emails, http, sms) and the deliveries that failed
    views={"outbox": lambda backend: backend.outbox(),
           "delivery_failures": lambda backend: backend.delivery_failures()},
)

