"""SES's tables (see store/schema.py), shared by the v1 (``ses``) and v2 (``sesv2``) backends."""

from __future__ import annotations

from typing import TypedDict

from ...store.schema import ServiceSchema, TableSpec

IdentityRecord = TypedDict("IdentityRecord", {
    "Type": str,                 # EmailAddress or Domain
    "Created": float,
    "VerificationToken": str,
    "DkimTokens": list,
    "DkimEnabled": bool,
    "Tags": list,
    "NotificationTopics": dict,  # Bounce / Complaint / Delivery -> topic ARN
    "HeadersInNotifications": dict,
    "ForwardingEnabled": bool,
}, total=False)

ConfigurationSetRecord = TypedDict("ConfigurationSetRecord", {
    "EventDestinations": list,   # in SESv2's form (MatchingEventTypes SEND…, SnsDestination…)
    "Created": float,
    "Tags": list,
}, total=False)

TemplateRecord = TypedDict("TemplateRecord", {
    "Subject": "str | None",
    "Text": "str | None",
    "Html": "str | None",
    "Created": float,
    "Tags": list,
}, total=False)

SuppressedRecord = TypedDict("SuppressedRecord", {
    "EmailAddress": str,
    "Reason": str,
    "LastUpdateTime": float,
}, total=False)

SentRecord = TypedDict("SentRecord", {
    "MessageId": str, "Account": str, "Region": str, "Timestamp": float, "Api": str,
    "Source": str, "To": list, "Cc": list, "Bcc": list, "ReplyTo": list, "Subject": str,
    "Text": "str | None", "Html": "str | None",
    "Raw": "str | None",         # SendRawEmail's message; None: built from the fields when read
    "ConfigurationSet": "str | None", "Tags": list, "Template": "str | None",
    "Delivered": list, "Suppressed": list,
}, total=False)

UndeliveredRecord = TypedDict("UndeliveredRecord", {
    "Destination": str, "EventType": str, "Event": str, "ErrorCode": str, "ErrorMessage": str,
}, total=False)

AccountRecord = TypedDict("AccountRecord", {
    "ProductionAccess": bool,    # out of the sandbox (PutAccountDetails with ProductionAccessEnabled)
    "Details": "dict | None",    # PutAccountDetails' details, with ReviewDetails
    "SendingEnabled": bool,      # PutAccountSendingAttributes / UpdateAccountSendingEnabled
}, total=False)

#: (account, region, email address or domain) -> an identity
IDENTITIES = TableSpec("ses.identities", IdentityRecord, ordered=True)
#: (account, region, name) -> a configuration set with its event destinations
CONFIGURATION_SETS = TableSpec("ses.configuration_sets", ConfigurationSetRecord, ordered=True)
#: (account, region, name) -> a template
TEMPLATES = TableSpec("ses.templates", TemplateRecord, ordered=True)
#: (account, region, lower-cased address) -> on the account's suppression list
SUPPRESSED = TableSpec("ses.suppressed", SuppressedRecord, ordered=True)
#: sequence number -> a message SES accepted
SENT = TableSpec("ses.sent", SentRecord, ordered=True)
#: (account, region) -> the SES account's settings (absent: in the sandbox, sending enabled)
ACCOUNTS = TableSpec("ses.accounts", AccountRecord)
#: sequence number -> an event that could not be published
UNDELIVERED_EVENTS = TableSpec("ses.undelivered_events", UndeliveredRecord, ordered=True)

SCHEMA = ServiceSchema(
    tables=(IDENTITIES, CONFIGURATION_SETS, TEMPLATES, SUPPRESSED, SENT, UNDELIVERED_EVENTS, ACCOUNTS),
    # every message sent (with its MIME), and the configuration-set events no destination took
    views={"sent_messages": lambda backend: backend.state.sent_messages(),
           "undelivered_events": lambda backend: backend.state.undelivered_events()},
)
