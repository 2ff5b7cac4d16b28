"""The state SES v1 and v2 share: identities, configuration sets with their event destinations,
templates, the account's suppression list and every message sent.

Tables: see ``schema``. Event destinations are
kept in SESv2's form (``MatchingEventTypes`` such as ``SEND``; ``SnsDestination.TopicArn``…) and
translated by the v1 backend.

Sending (``record_send``) publishes the configuration set's Send and Delivery events through the
ports: SNS topics, EventBridge buses, Firehose delivery streams (a JSON record and a newline) and
CloudWatch metrics (``AWS/SES``, one count per event). An event no destination took is kept in
``ses.undelivered_events``; a failed publication never undoes the send.
"""

from __future__ import annotations

import datetime as _dt
import json
from email.utils import parseaddr
from typing import Any

from ...core.clock import from_epoch
from ...core.dispatch import attempt
from ...core.errors import AwsError, NotEmulatedError
from ...core.partitions import arn_prefix
from . import schema
from .mail import build_mime, render

#: SES's sandbox quota (AWS: 200 messages per 24 hours, 1 per second)
SANDBOX_MAX_24_HOUR_SEND = 200.0
SANDBOX_MAX_SEND_RATE = 1.0
#: the quota a new production account starts with (developer guide "Request production access")
PRODUCTION_MAX_24_HOUR_SEND = 50_000.0
PRODUCTION_MAX_SEND_RATE = 14.0
#: the mailbox simulator's domain: sandboxed accounts may send to it (developer guide "Mailbox simulator")
SIMULATOR_DOMAIN = "simulator.amazonses.com"
_DEFAULT_ACCOUNT = {"ProductionAccess": False, "Details": None, "SendingEnabled": True}
_STATISTICS_INTERVAL = 15 * 60
_EVENT_NAMES = {"SEND": ("Send", "send", "Email Sent"), "DELIVERY": ("Delivery", "delivery", "Email Delivered")}


def _iso(epoch: float) -> str:
    return from_epoch(epoch).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()


class SesState:
    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        store = emulator.store
        self.identities = schema.IDENTITIES.open_ordered(store)
        self.configuration_sets = schema.CONFIGURATION_SETS.open_ordered(store)
        self.templates = schema.TEMPLATES.open_ordered(store)
        self.suppressed = schema.SUPPRESSED.open_ordered(store)
        self.sent = schema.SENT.open_ordered(store)
        self.undelivered = schema.UNDELIVERED_EVENTS.open_ordered(store)
        self.accounts = schema.ACCOUNTS.open(store)

    # -- identities -------------------------------------------------------------------------------
    def verify(self, account: str, region: str, identity: str, now: float) -> dict:
        """Create (or keep) an identity; the emulator verifies every identity at once."""
        key = (account, region, identity)
        record = self.identities.get(key)
        if record is None:
            ids = self.emulator.ids
            record = {
                "Type": "EmailAddress" if "@" in identity else "Domain", "Created": now,
                "VerificationToken": ids.b64(32), "DkimTokens": [ids.hex(32) for _ in range(3)],
                "DkimEnabled": True, "Tags": [],
            }
            self.identities.put(key, record)
        return record

    def identities_of(self, account: str, region: str) -> list[tuple[str, dict]]:
        return [(key[2], record) for key, record in
                self.identities.items_range((account, region), (account, region, "\uffff"))]

    def is_verified(self, account: str, region: str, address: str) -> bool:
        """Whether SES may send from ``address``: it, or its domain, is a verified identity."""
        return ((account, region, address) in self.identities
                or (account, region, domain_of(address)) in self.identities)

    # -- the account: sandbox, production access, sending paused ------------------------------------
    def account(self, account: str, region: str) -> dict:
        return {**_DEFAULT_ACCOUNT, **self.accounts.get((account, region), {})}

    def update_account(self, account: str, region: str, **changes: Any) -> None:
        self.accounts.put((account, region), {**self.account(account, region), **changes})

    def quota(self, account: str, region: str) -> tuple[float, float]:
        """(messages per 24 hours, messages per second) of the account."""
        if self.account(account, region)["ProductionAccess"]:
            return PRODUCTION_MAX_24_HOUR_SEND, PRODUCTION_MAX_SEND_RATE
        return SANDBOX_MAX_24_HOUR_SEND, SANDBOX_MAX_SEND_RATE

    def unverified(self, account: str, region: str, source: str | None, recipients: list[str]) -> list[str]:
        """The identities a send fails the check on: an unverified sender, and while the account is in
        the sandbox every recipient that is neither verified (address or domain) nor the mailbox
        simulator (developer guide "Moving out of the Amazon SES sandbox")."""
        failed = [] if source is None or self.is_verified(account, region, source) else [source]
        if self.account(account, region)["ProductionAccess"]:
            return failed
        addresses = [parseaddr(r)[1] or r for r in recipients]
        return failed + [a for a in addresses if domain_of(a) != SIMULATOR_DOMAIN
                         and not self.is_verified(account, region, a) and a not in failed]

    # -- sending ----------------------------------------------------------------------------------
    def record_send(self, account: str, region: str, message: dict, now: float) -> str:
        """Record one sent message (``Source``, ``To``/``Cc``/``Bcc``, ``Subject``, ``Text``, ``Html``,
        ``Raw``, ``ConfigurationSet``, ``Tags``…) and publish its events; returns its message id."""
        ids = self.emulator.ids
        message_id = f"{ids.hex(16)}-{ids.uuid4()}-000000"
        recipients = message["To"] + message["Cc"] + message["Bcc"]
        suppressed = [r for r in recipients if (account, region, r.lower()) in self.suppressed]
        record = {**message, "MessageId": message_id, "Account": account, "Region": region, "Timestamp": now,
                  "Suppressed": suppressed, "Delivered": [r for r in recipients if r not in suppressed]}
        last = self.sent.last_key()
        self.sent.put(0 if last is None else last + 1, record)
        if message.get("ConfigurationSet"):
            self._publish_events(record)
        self._notify_delivery(record)
        return message_id

    def send(self, account: str, region: str, now: float, *, source: str, to: list[str], cc: list[str],
             bcc: list[str], reply_to: list[str], subject: str, text: str | None, html_body: str | None,
             raw: str | None, configuration_set: str | None, tags: list, template: str | None, api: str) -> str:
        """Record a message the caller has checked; its message id. The MIME of a formatted message
        (``raw`` None) is built when it is read (``sent_messages``): building it costs more than the
        rest of the call, and everything it is made of is in the record."""
        message = {"Source": source, "To": to, "Cc": cc, "Bcc": bcc, "ReplyTo": reply_to, "Subject": subject,
                   "Text": text, "Html": html_body, "Raw": raw, "ConfigurationSet": configuration_set,
                   "Tags": [{"Name": t["Name"], "Value": t["Value"]} for t in tags], "Template": template,
                   "Api": api}
        return self.record_send(account, region, message, now)

    def sent_messages(self) -> list[dict]:
        return [{**record, "Raw": self._mime(record)} for record in self.sent.values()]

    @staticmethod
    def _mime(record: dict) -> str:
        if record["Raw"] is not None:
            return str(record["Raw"])
        return build_mime(record["MessageId"], record["Source"], record["To"], record["Cc"], record["ReplyTo"],
                          record["Subject"], record["Text"], record["Html"], record["Timestamp"])

    def sent_since(self, account: str, region: str, since: float) -> int:
        return sum(len(r["Delivered"]) + len(r["Suppressed"]) for r in self.sent.values()
                   if r["Account"] == account and r["Region"] == region and r["Timestamp"] > since)

    def statistics(self, account: str, region: str, now: float) -> list[dict]:
        """GetSendStatistics' data points: one per 15-minute interval of the last two weeks with sends."""
        points: dict[int, dict] = {}
        for record in self.sent.values():
            if record["Account"] != account or record["Region"] != region or record["Timestamp"] < now - 14 * 86400:
                continue
            slot = int(record["Timestamp"] // _STATISTICS_INTERVAL) * _STATISTICS_INTERVAL
            point = points.setdefault(slot, {"DeliveryAttempts": 0, "Bounces": 0, "Complaints": 0, "Rejects": 0})
            point["DeliveryAttempts"] += len(record["Delivered"]) + len(record["Suppressed"])
            point["Bounces"] += len(record["Suppressed"])
        return [{"Timestamp": from_epoch(slot), **point} for slot, point in sorted(points.items())]

    # -- event publishing -------------------------------------------------------------------------
    def _publish_events(self, record: dict) -> None:
        key = (record["Account"], record["Region"], record["ConfigurationSet"])
        configuration_set = self.configuration_sets.get(key)
        if configuration_set is None:
            return
        for destination in configuration_set["EventDestinations"]:
            if not destination.get("Enabled", False):
                continue
            for event_type in destination["MatchingEventTypes"]:
                if event_type in _EVENT_NAMES and (event_type == "SEND" or record["Delivered"]):
                    self._publish(destination, event_type, self._event(record, event_type), record)

    def _notify_delivery(self, record: dict) -> None:
        """The sending identity's Delivery notification (SetIdentityNotificationTopic), if it has one."""
        account, region, source = record["Account"], record["Region"], record["Source"]
        identity = (self.identities.get((account, region, source))
                    or self.identities.get((account, region, domain_of(source))) or {})
        topic = identity.get("NotificationTopics", {}).get("Delivery")
        if topic is None or not record["Delivered"]:
            return
        event = self._event(record, "DELIVERY")
        notification = {"notificationType": "Delivery", "mail": event["mail"], "delivery": event["delivery"]}
        destination = {"Name": f"identity notification {topic}", "SnsDestination": {"TopicArn": topic}}
        self._publish(destination, "DELIVERY", notification, record)

    def _event(self, record: dict, event_type: str) -> dict:
        name, member, _ = _EVENT_NAMES[event_type]
        destination = record["To"] + record["Cc"] + record["Bcc"]
        tags = {"ses:configuration-set": [record["ConfigurationSet"]],
                "ses:from-domain": [domain_of(record["Source"])],
                "ses:caller-identity": ["root"]}
        for tag in record.get("Tags", []):
            tags[tag["Name"]] = [tag["Value"]]
        mail = {
            "timestamp": _iso(record["Timestamp"]), "source": record["Source"],
            "sourceArn": f"{arn_prefix(record['Region'])}:ses:{record['Region']}:{record['Account']}:identity/{record['Source']}",
            "sendingAccountId": record["Account"], "messageId": record["MessageId"],
            "destination": destination, "headersTruncated": False,
            "commonHeaders": {"from": [record["Source"]], "to": record["To"], "messageId": record["MessageId"],
                              "subject": record["Subject"]},
            "tags": tags,
        }
        detail: dict = {}
        if event_type == "DELIVERY":
            detail = {"timestamp": _iso(record["Timestamp"]), "processingTimeMillis": 0,
                      "recipients": record["Delivered"], "smtpResponse": "250 2.6.0 Message received",
                      "reportingMTA": "a8-1.smtp-out.amazonses.com"}
        return {"eventType": name, "mail": mail, member: detail}

    def _publish(self, destination: dict, event_type: str, event: dict, record: dict) -> None:
        text = json.dumps(event, separators=(",", ":"))
        try:
            _, error = attempt(self.emulator.store, self._deliver, destination, event_type, text, record)
        except NotEmulatedError as exc:
            error = AwsError("NotEmulated", str(exc), 400)
        if error is not None:
            last = self.undelivered.last_key()
            self.undelivered.put(0 if last is None else last + 1, {
                "Destination": destination["Name"], "EventType": event_type, "Event": text,
                "ErrorCode": error.code, "ErrorMessage": error.message})

    def _deliver(self, destination: dict, event_type: str, text: str, record: dict) -> None:
        ports = self.emulator.ports
        if "SnsDestination" in destination:
            ports.topics.publish_internal(destination["SnsDestination"]["TopicArn"], text)
        elif "EventBridgeDestination" in destination:
            entry = {"Source": "aws.ses", "DetailType": _EVENT_NAMES[event_type][2], "Detail": text,
                     "EventBusName": destination["EventBridgeDestination"]["EventBusArn"],
                     "Resources": [f"{arn_prefix(record['Region'])}:ses:{record['Region']}:{record['Account']}:configuration-set/"
                                   f"{record['ConfigurationSet']}"]}
            results = ports.event_buses.put_events_internal(record["Account"], record["Region"], [entry])
            if results and results[0].get("ErrorCode"):
                raise AwsError(results[0]["ErrorCode"], results[0].get("ErrorMessage", ""), 400)
        elif "KinesisFirehoseDestination" in destination:
            # "SES follows each JSON record with a newline character" (developer guide, Firehose contents)
            ports.delivery_streams.put_record_internal(
                destination["KinesisFirehoseDestination"]["DeliveryStreamArn"], (text + "\n").encode())
        elif "CloudWatchDestination" in destination:
            datum = {"MetricName": _EVENT_NAMES[event_type][0], "Value": 1.0, "Unit": "Count",
                     "Dimensions": _metric_dimensions(destination["CloudWatchDestination"], record)}
            ports.metrics.put_metric_data_internal(record["Account"], record["Region"], "AWS/SES", [datum])
        else:
            raise NotEmulatedError("sesv2", "event destination", f"{sorted(destination)} is not emulated")

    def undelivered_events(self) -> list[dict]:
        return [dict(record) for record in self.undelivered.values()]

    # -- inspection -------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        return {
            "identities": [{"identity": k[2], "account": k[0], "region": k[1], "type": r["Type"]}
                           for k, r in self.identities.items()],
            "configuration_sets": [{"name": k[2], "account": k[0], "region": k[1],
                                    "event_destinations": len(r["EventDestinations"])}
                                   for k, r in self.configuration_sets.items()],
            "templates": [{"name": k[2], "account": k[0], "region": k[1], "subject": r.get("Subject")}
                          for k, r in self.templates.items()],
            "suppressed": [{"address": k[2], "account": k[0], "region": k[1], "reason": r["Reason"]}
                           for k, r in self.suppressed.items()],
            "sent_messages": [{"id": r["MessageId"], "from": r["Source"], "to": r["To"], "subject": r["Subject"],
                               "configuration_set": r.get("ConfigurationSet"),
                               "time": _dt.datetime.fromtimestamp(r["Timestamp"], _dt.timezone.utc).isoformat()}
                              for r in self.sent.values()],
        }


def _metric_dimensions(cloudwatch: dict, record: dict) -> list[dict[str, str]]:
    """The dimensions of an event's metric: each configured dimension from the message tag of its name
    (``messageTag``), else its default value (headers and link tags are not tracked here)."""
    tags = {tag["Name"]: tag["Value"] for tag in record.get("Tags", [])}
    dimensions = []
    for configured in cloudwatch.get("DimensionConfigurations", []):
        name = configured["DimensionName"]
        # v1 spells the source messageTag, v2 MESSAGE_TAG
        from_tag = configured["DimensionValueSource"].replace("_", "").upper() == "MESSAGETAG"
        value = tags.get(name) if from_tag else None
        dimensions.append({"Name": name, "Value": value or configured["DefaultDimensionValue"]})
    return dimensions


def recipients_of(destination: Any) -> list[str]:
    """Every address of a Destination (To, Cc and Bcc; both APIs name them alike)."""
    return [*destination.get("ToAddresses", []), *destination.get("CcAddresses", []),
            *destination.get("BccAddresses", [])]


def rejected_message(region: str, identities: list[str]) -> str:
    """MessageRejected's text when the sandbox refuses unverified identities."""
    return ("Email address is not verified. The following identities failed the check in region "
            f"{region.upper()}: {', '.join(identities)}")


def template_data(text: str | None, invalid: AwsError) -> dict:
    """The JSON template data of a templated send (``{}`` when absent); ``invalid`` when it is not JSON."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        raise invalid from None
    return data if isinstance(data, dict) else {}


def render_template(template: dict, data: dict) -> tuple[str, str | None, str | None]:
    """(subject, text, html) of a stored template; MissingAttribute when data lacks a variable."""
    subject = render(template.get("Subject") or "", data, escape=False)
    text = None if template.get("Text") is None else render(template["Text"], data, escape=False)
    html_body = None if template.get("Html") is None else render(template["Html"], data, escape=True)
    return subject, text, html_body
