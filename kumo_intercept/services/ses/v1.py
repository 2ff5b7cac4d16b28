"""SES (v1, the Query API): identities, configuration sets and SNS event destinations, templates,
sending (formatted, raw, templated, bulk templated), quotas and statistics.

State is shared with SESv2 (see ``state``). Identities are verified as soon as they are created. A
message whose sender (or the sender's domain) is not a verified identity is refused with
MessageRejected; so is, while the account is in the sandbox (until SESv2 PutAccountDetails asks for
production access), one with a recipient that is neither verified nor the mailbox simulator.
UpdateAccountSendingEnabled pauses sending (AccountSendingPausedException).
"""

from __future__ import annotations

import json
from email.utils import parseaddr
from typing import Any

from ...api import ses
from ...core.clock import from_epoch
from ...core.dispatch import Ctx, RequestContext, ServiceBackend
from ...core.errors import AwsError
from ...core.tokens import offset_page
from .mail import MissingAttribute, as_bytes, build_mime, parse_mime
from .state import SesState, recipients_of as _recipients, rejected_message, render_template, template_data

#: v1 event type names <-> the v2 names the shared state keeps
_V2_TYPES = {"send": "SEND", "reject": "REJECT", "bounce": "BOUNCE", "complaint": "COMPLAINT",
             "delivery": "DELIVERY", "open": "OPEN", "click": "CLICK", "renderingFailure": "RENDERING_FAILURE",
             "deliveryDelay": "DELIVERY_DELAY", "subscription": "SUBSCRIPTION"}
_V1_TYPES = {v2: v1 for v1, v2 in _V2_TYPES.items()}
_NOTIFICATION_TYPES = ("Bounce", "Complaint", "Delivery")
#: v1 destination member -> (its v2 name, v1 -> v2 names of its fields; None: the same fields)
_DESTINATION_MEMBERS: dict[str, tuple[str, dict[str, str] | None]] = {
    "SNSDestination": ("SnsDestination", {"TopicARN": "TopicArn"}),
    "KinesisFirehoseDestination": ("KinesisFirehoseDestination",
                                   {"IAMRoleARN": "IamRoleArn", "DeliveryStreamARN": "DeliveryStreamArn"}),
    "CloudWatchDestination": ("CloudWatchDestination", None),
}


def _translated(destination: dict, types: dict[str, str], *, to_v2: bool) -> dict:
    """An event destination in the other API's names (event types and destination members)."""
    out = {"Name": destination["Name"], "Enabled": destination.get("Enabled", False),
           "MatchingEventTypes": [types[t] for t in destination["MatchingEventTypes"]]}
    for v1_member, (v2_member, fields) in _DESTINATION_MEMBERS.items():
        source, target = (v1_member, v2_member) if to_v2 else (v2_member, v1_member)
        if source not in destination:
            continue
        names = {} if fields is None else fields if to_v2 else {v2: v1 for v1, v2 in fields.items()}
        out[target] = json.loads(json.dumps({names.get(k, k): v for k, v in destination[source].items()}))
    return out


def _invalid_token() -> AwsError:
    return AwsError("InvalidParameterValue", "Invalid NextToken", 400)


def _listed(ctx: RequestContext[Any], rows: list, member: str) -> Any:
    """A List* answer: one page of ``rows`` under ``member``, and the NextToken of the next."""
    page, token = offset_page(rows, ctx.params.get("MaxItems", 1000) or 1000, ctx.params.get("NextToken"),
                              _invalid_token())
    return {member: page, "NextToken": token} if token else {member: page}


class SesBackend(ServiceBackend):
    service_name = "ses"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.state = SesState(emulator)

    # -- identities -------------------------------------------------------------------------------
    def verify_email_identity(self, ctx: Ctx[ses.VerifyEmailIdentityRequest]) -> ses.VerifyEmailIdentityResult:
        self.state.verify(ctx.account, ctx.region, ctx.params["EmailAddress"], ctx.time())
        return {}

    def verify_email_address(self, ctx: Ctx[ses.VerifyEmailAddressRequest]) -> dict:
        self.state.verify(ctx.account, ctx.region, ctx.params["EmailAddress"], ctx.time())
        return {}

    def verify_domain_identity(self, ctx: Ctx[ses.VerifyDomainIdentityRequest]) -> ses.VerifyDomainIdentityResult:
        record = self.state.verify(ctx.account, ctx.region, ctx.params["Domain"], ctx.time())
        return {"VerificationToken": record["VerificationToken"]}

    def verify_domain_dkim(self, ctx: Ctx[ses.VerifyDomainDkimRequest]) -> ses.VerifyDomainDkimResult:
        record = self.state.verify(ctx.account, ctx.region, ctx.params["Domain"], ctx.time())
        return {"DkimTokens": list(record["DkimTokens"])}

    def list_identities(self, ctx: Ctx[ses.ListIdentitiesRequest]) -> ses.ListIdentitiesResult:
        kind = ctx.params.get("IdentityType")
        names = [name for name, record in self.state.identities_of(ctx.account, ctx.region)
                 if kind is None or record["Type"] == kind]
        return _listed(ctx, names, "Identities")

    def list_verified_email_addresses(self, ctx: Ctx[Any]) -> ses.ListVerifiedEmailAddressesResult:
        return {"VerifiedEmailAddresses": [name for name, record in self.state.identities_of(ctx.account, ctx.region)
                                           if record["Type"] == "EmailAddress"]}

    def get_identity_verification_attributes(
            self, ctx: Ctx[ses.GetIdentityVerificationAttributesRequest]) -> ses.GetIdentityVerificationAttributesResult:
        out: dict[str, ses.IdentityVerificationAttributes] = {}
        for identity in ctx.params["Identities"]:
            record = self.state.identities.get((ctx.account, ctx.region, identity))
            if record is None:
                continue
            out[identity] = {"VerificationStatus": "Success"}
            if record["Type"] == "Domain":
                out[identity]["VerificationToken"] = record["VerificationToken"]
        return {"VerificationAttributes": out}

    def get_identity_dkim_attributes(
            self, ctx: Ctx[ses.GetIdentityDkimAttributesRequest]) -> ses.GetIdentityDkimAttributesResult:
        out: dict[str, ses.IdentityDkimAttributes] = {}
        for identity in ctx.params["Identities"]:
            record = self.state.identities.get((ctx.account, ctx.region, identity))
            if record is None:
                out[identity] = {"DkimEnabled": False, "DkimVerificationStatus": "NotStarted"}
                continue
            out[identity] = {"DkimEnabled": record["DkimEnabled"], "DkimVerificationStatus": "Success",
                             "DkimTokens": list(record["DkimTokens"])}
        return {"DkimAttributes": out}

    def delete_identity(self, ctx: Ctx[ses.DeleteIdentityRequest]) -> ses.DeleteIdentityResult:
        self.state.identities.delete((ctx.account, ctx.region, ctx.params["Identity"]))
        return {}

    def delete_verified_email_address(self, ctx: Ctx[ses.DeleteVerifiedEmailAddressRequest]) -> dict:
        self.state.identities.delete((ctx.account, ctx.region, ctx.params["EmailAddress"]))
        return {}

    # -- identity notifications -------------------------------------------------------------------
    def _known_identity(self, ctx: RequestContext[Any]) -> tuple[tuple, dict]:
        identity = ctx.params["Identity"]
        key = (ctx.account, ctx.region, identity)
        record = self.state.identities.get(key)
        if record is None:
            # wording and code from LocalStack's AWS-validated snapshot
            # (test_set_identity_headers_in_notifications_enabled_failure_unknown_identity)
            raise ses.message_rejected(f"Identity {identity} is not verified or does not exist.")
        return key, record

    @staticmethod
    def _notification_type(kind: str) -> str:
        if kind not in _NOTIFICATION_TYPES:
            # LocalStack snapshot test_set_identity_headers_in_notifications_enabled_failure_invalid_type
            raise AwsError("InvalidParameterValue", f"Invalid notification type: {kind}. "
                           "Valid values are: Bounce, Complaint, Delivery.", 400)
        return kind

    def set_identity_notification_topic(
            self, ctx: Ctx[ses.SetIdentityNotificationTopicRequest]) -> ses.SetIdentityNotificationTopicResult:
        kind = self._notification_type(ctx.params["NotificationType"])
        key, record = self._known_identity(ctx)
        topics = {**record.get("NotificationTopics", {})}
        if ctx.params.get("SnsTopic"):
            topics[kind] = ctx.params["SnsTopic"]
        else:
            topics.pop(kind, None)
        self.state.identities.put(key, {**record, "NotificationTopics": topics})
        return {}

    def set_identity_headers_in_notifications_enabled(
            self, ctx: Ctx[ses.SetIdentityHeadersInNotificationsEnabledRequest]
    ) -> ses.SetIdentityHeadersInNotificationsEnabledResult:
        kind = self._notification_type(ctx.params["NotificationType"])
        key, record = self._known_identity(ctx)
        headers = {**record.get("HeadersInNotifications", {}), kind: ctx.params["Enabled"]}
        self.state.identities.put(key, {**record, "HeadersInNotifications": headers})
        return {}

    def set_identity_feedback_forwarding_enabled(
            self, ctx: Ctx[ses.SetIdentityFeedbackForwardingEnabledRequest]
    ) -> ses.SetIdentityFeedbackForwardingEnabledResult:
        key, record = self._known_identity(ctx)
        self.state.identities.put(key, {**record, "ForwardingEnabled": ctx.params["ForwardingEnabled"]})
        return {}

    def get_identity_notification_attributes(
            self, ctx: Ctx[ses.GetIdentityNotificationAttributesRequest]
    ) -> ses.GetIdentityNotificationAttributesResult:
        out: dict[str, ses.IdentityNotificationAttributes] = {}
        for identity in ctx.params["Identities"]:
            record = self.state.identities.get((ctx.account, ctx.region, identity))
            if record is None:
                continue
            headers = record.get("HeadersInNotifications", {})
            attributes: dict[str, Any] = {
                "ForwardingEnabled": record.get("ForwardingEnabled", True),
                **{f"{kind}Topic": topic for kind, topic in record.get("NotificationTopics", {}).items()},
                **{f"HeadersIn{kind}NotificationsEnabled": headers.get(kind, False) for kind in _NOTIFICATION_TYPES}}
            out[identity] = attributes  # type: ignore[assignment]
        return {"NotificationAttributes": out}

    # -- configuration sets -----------------------------------------------------------------------
    def _configuration_set(self, ctx: RequestContext[Any], name: str) -> tuple[tuple, dict]:
        key = (ctx.account, ctx.region, name)
        record = self.state.configuration_sets.get(key)
        if record is None:
            raise ses.configuration_set_does_not_exist_exception(
                f"Configuration set <{name}> does not exist.", ConfigurationSetName=name)
        return key, record

    def create_configuration_set(self, ctx: Ctx[ses.CreateConfigurationSetRequest]) -> ses.CreateConfigurationSetResult:
        name = ctx.params["ConfigurationSet"]["Name"]
        key = (ctx.account, ctx.region, name)
        if key in self.state.configuration_sets:
            raise ses.configuration_set_already_exists_exception(
                f"Configuration set <{name}> already exists.", ConfigurationSetName=name)
        self.state.configuration_sets.put(key, {"EventDestinations": [], "Created": ctx.time(), "Tags": []})
        return {}

    def delete_configuration_set(self, ctx: Ctx[ses.DeleteConfigurationSetRequest]) -> ses.DeleteConfigurationSetResult:
        key, _ = self._configuration_set(ctx, ctx.params["ConfigurationSetName"])
        self.state.configuration_sets.delete(key)
        return {}

    def describe_configuration_set(
            self, ctx: Ctx[ses.DescribeConfigurationSetRequest]) -> ses.DescribeConfigurationSetResult:
        name = ctx.params["ConfigurationSetName"]
        _, record = self._configuration_set(ctx, name)
        out: ses.DescribeConfigurationSetResult = {"ConfigurationSet": {"Name": name}}
        if "eventDestinations" in ctx.params.get("ConfigurationSetAttributeNames", []):
            out["EventDestinations"] = [self._v1_destination(d) for d in record["EventDestinations"]]
        return out

    def list_configuration_sets(self, ctx: Ctx[ses.ListConfigurationSetsRequest]) -> ses.ListConfigurationSetsResult:
        names = [{"Name": key[2]} for key in self.state.configuration_sets.irange(
            (ctx.account, ctx.region), (ctx.account, ctx.region, "\uffff"))]
        return _listed(ctx, names, "ConfigurationSets")

    @staticmethod
    def _v2_destination(destination: ses.EventDestination) -> dict:
        """The destination in v2's form, its event types checked (botocore does not check the enum)."""
        for t in destination["MatchingEventTypes"]:
            if t not in _V2_TYPES:
                raise AwsError("InvalidParameterValue", f"Invalid event type: {t}.", 400)
        return _translated(dict(destination), _V2_TYPES, to_v2=True)

    @staticmethod
    def _v1_destination(destination: dict) -> ses.EventDestination:
        return _translated(destination, _V1_TYPES, to_v2=False)  # type: ignore[return-value]

    def create_configuration_set_event_destination(
            self, ctx: Ctx[ses.CreateConfigurationSetEventDestinationRequest]
    ) -> ses.CreateConfigurationSetEventDestinationResult:
        name = ctx.params["ConfigurationSetName"]
        key, record = self._configuration_set(ctx, name)
        destination = ctx.params["EventDestination"]
        new = self._v2_destination(destination)
        if any(d["Name"] == destination["Name"] for d in record["EventDestinations"]):
            raise ses.event_destination_already_exists_exception(
                f"Event destination {destination['Name']} already exists.",
                ConfigurationSetName=name, EventDestinationName=destination["Name"])
        self.state.configuration_sets.put(key, {**record, "EventDestinations": [*record["EventDestinations"], new]})
        return {}

    def update_configuration_set_event_destination(
            self, ctx: Ctx[ses.UpdateConfigurationSetEventDestinationRequest]
    ) -> ses.UpdateConfigurationSetEventDestinationResult:
        name = ctx.params["ConfigurationSetName"]
        key, record = self._configuration_set(ctx, name)
        destination = ctx.params["EventDestination"]
        if not any(d["Name"] == destination["Name"] for d in record["EventDestinations"]):
            raise ses.event_destination_does_not_exist_exception(
                f"No EventDestination found for {destination['Name']}",
                ConfigurationSetName=name, EventDestinationName=destination["Name"])
        new = self._v2_destination(destination)
        self.state.configuration_sets.put(key, {**record, "EventDestinations": [
            new if d["Name"] == new["Name"] else d for d in record["EventDestinations"]]})
        return {}

    def delete_configuration_set_event_destination(
            self, ctx: Ctx[ses.DeleteConfigurationSetEventDestinationRequest]
    ) -> ses.DeleteConfigurationSetEventDestinationResult:
        name, destination = ctx.params["ConfigurationSetName"], ctx.params["EventDestinationName"]
        key, record = self._configuration_set(ctx, name)
        kept = [d for d in record["EventDestinations"] if d["Name"] != destination]
        if len(kept) == len(record["EventDestinations"]):
            # wording from LocalStack's AWS-validated snapshot (test_ses.py, delete event destination)
            raise ses.event_destination_does_not_exist_exception(
                f"No EventDestination found for {destination}",
                ConfigurationSetName=name, EventDestinationName=destination)
        self.state.configuration_sets.put(key, {**record, "EventDestinations": kept})
        return {}

    # -- templates --------------------------------------------------------------------------------
    def _template(self, ctx: RequestContext[Any], name: str) -> dict:
        record = self.state.templates.get((ctx.account, ctx.region, name))
        if record is None:
            raise ses.template_does_not_exist_exception(f"Template {name} does not exist.", TemplateName=name)
        return record

    @staticmethod
    def _stored_template(template: ses.Template, created: float) -> dict:
        return {"Subject": template.get("SubjectPart"), "Text": template.get("TextPart"),
                "Html": template.get("HtmlPart"), "Created": created}

    def create_template(self, ctx: Ctx[ses.CreateTemplateRequest]) -> ses.CreateTemplateResult:
        template = ctx.params["Template"]
        key = (ctx.account, ctx.region, template["TemplateName"])
        if key in self.state.templates:
            raise ses.already_exists_exception(f"Template {key[2]} already exists.", Name=key[2])
        self.state.templates.put(key, self._stored_template(template, ctx.time()))
        return {}

    def update_template(self, ctx: Ctx[ses.UpdateTemplateRequest]) -> ses.UpdateTemplateResult:
        template = ctx.params["Template"]
        existing = self._template(ctx, template["TemplateName"])
        self.state.templates.put((ctx.account, ctx.region, template["TemplateName"]),
                                 self._stored_template(template, existing["Created"]))
        return {}

    def get_template(self, ctx: Ctx[ses.GetTemplateRequest]) -> ses.GetTemplateResult:
        name = ctx.params["TemplateName"]
        record = self._template(ctx, name)
        out: ses.Template = {"TemplateName": name}
        for member, stored in (("SubjectPart", "Subject"), ("TextPart", "Text"), ("HtmlPart", "Html")):
            if record.get(stored) is not None:
                out[member] = record[stored]  # type: ignore[literal-required]
        return {"Template": out}

    def delete_template(self, ctx: Ctx[ses.DeleteTemplateRequest]) -> ses.DeleteTemplateResult:
        self.state.templates.delete((ctx.account, ctx.region, ctx.params["TemplateName"]))
        return {}

    def list_templates(self, ctx: Ctx[ses.ListTemplatesRequest]) -> ses.ListTemplatesResult:
        rows: list[ses.TemplateMetadata] = [
            {"Name": key[2], "CreatedTimestamp": from_epoch(record["Created"])}
            for key, record in self.state.templates.items_range((ctx.account, ctx.region), (ctx.account, ctx.region, "\uffff"))]
        return _listed(ctx, rows, "TemplatesMetadata")

    @staticmethod
    def _data(text: str | None, name: str) -> dict:
        return template_data(text, ses.invalid_rendering_parameter_exception(
            "Template rendering data is invalid", TemplateName=name))

    def _rendered(self, ctx: RequestContext[Any], name: str, data_text: str) -> tuple[str, str | None, str | None]:
        template = self._template(ctx, name)
        data = self._data(data_text, name)
        try:
            return render_template(template, data)
        except MissingAttribute as exc:
            raise ses.missing_rendering_attribute_exception(
                f"Attribute '{exc.args[0]}' is not present in the rendering data.", TemplateName=name) from None

    def test_render_template(self, ctx: Ctx[ses.TestRenderTemplateRequest]) -> ses.TestRenderTemplateResult:
        subject, text, html_body = self._rendered(ctx, ctx.params["TemplateName"], ctx.params["TemplateData"])
        mime = build_mime("test", "sender@example.com", [], [], [], subject, text, html_body, ctx.time())
        return {"RenderedTemplate": mime}

    # -- sending ----------------------------------------------------------------------------------
    def _check_send(self, ctx: RequestContext[Any], source: str, configuration_set: str | None,
                    recipients: list[str]) -> str:
        address = parseaddr(source)[1] or source
        if not self.state.account(ctx.account, ctx.region)["SendingEnabled"]:
            raise ses.account_sending_paused_exception("Email sending is disabled for your entire Amazon SES account.")
        failed = self.state.unverified(ctx.account, ctx.region, address, recipients)
        if failed:
            raise ses.message_rejected(rejected_message(ctx.region, failed))
        if configuration_set:
            self._configuration_set(ctx, configuration_set)
        return address

    def _send(self, ctx: RequestContext[Any], **message: Any) -> str:
        message.setdefault("template", None)
        return self.state.send(ctx.account, ctx.region, ctx.time(), api="ses",
                               reply_to=list(ctx.params.get("ReplyToAddresses", [])), **message)

    def send_email(self, ctx: Ctx[ses.SendEmailRequest]) -> ses.SendEmailResult:
        params = ctx.params
        configuration_set = params.get("ConfigurationSetName")
        destination, body = params["Destination"], params["Message"]["Body"]
        source = self._check_send(ctx, params["Source"], configuration_set, _recipients(destination))
        message_id = self._send(
            ctx, source=source, to=list(destination.get("ToAddresses", [])),
            cc=list(destination.get("CcAddresses", [])), bcc=list(destination.get("BccAddresses", [])),
            subject=params["Message"]["Subject"]["Data"], text=body.get("Text", {}).get("Data"),
            html_body=body.get("Html", {}).get("Data"), raw=None, configuration_set=configuration_set,
            tags=params.get("Tags", []))
        return {"MessageId": message_id}

    def send_raw_email(self, ctx: Ctx[ses.SendRawEmailRequest]) -> ses.SendRawEmailResult:
        params = ctx.params
        data = as_bytes(params["RawMessage"]["Data"])
        parsed = parse_mime(data)
        source = params.get("Source") or (parsed["from"][0] if parsed["from"] else "")
        configuration_set = params.get("ConfigurationSetName")
        destinations = list(params.get("Destinations", []))
        to, cc, bcc = (destinations, [], []) if destinations else (parsed["to"], parsed["cc"], parsed["bcc"])
        address = self._check_send(ctx, source, configuration_set, to + cc + bcc)
        message_id = self._send(ctx, source=address, to=to, cc=cc, bcc=bcc, subject=parsed["subject"],
                                text=parsed["text"], html_body=parsed["html"], raw=data.decode("utf-8", "replace"),
                                configuration_set=configuration_set, tags=params.get("Tags", []))
        return {"MessageId": message_id}

    def send_templated_email(self, ctx: Ctx[ses.SendTemplatedEmailRequest]) -> ses.SendTemplatedEmailResult:
        params = ctx.params
        configuration_set = params.get("ConfigurationSetName")
        destination = params["Destination"]
        source = self._check_send(ctx, params["Source"], configuration_set, _recipients(destination))
        subject, text, html_body = self._rendered(ctx, params["Template"], params["TemplateData"])
        message_id = self._send(
            ctx, source=source, to=list(destination.get("ToAddresses", [])),
            cc=list(destination.get("CcAddresses", [])), bcc=list(destination.get("BccAddresses", [])),
            subject=subject, text=text, html_body=html_body, raw=None, configuration_set=configuration_set,
            tags=params.get("Tags", []), template=params["Template"])
        return {"MessageId": message_id}

    def send_bulk_templated_email(
            self, ctx: Ctx[ses.SendBulkTemplatedEmailRequest]) -> ses.SendBulkTemplatedEmailResult:
        params = ctx.params
        configuration_set = params.get("ConfigurationSetName")
        source = self._check_send(ctx, params["Source"], configuration_set, [])
        name = params["Template"]
        self._template(ctx, name)
        default_data = self._data(params.get("DefaultTemplateData"), name)
        statuses: list[ses.BulkEmailDestinationStatus] = []
        for entry in params["Destinations"]:
            data = {**default_data, **self._data(entry.get("ReplacementTemplateData"), name)}
            try:
                subject, text, html_body = render_template(self._template(ctx, name), data)
            except MissingAttribute:
                statuses.append({"Status": "InvalidRenderingParameter",
                                 "Error": "Template rendering data is missing an attribute"})
                continue
            destination = entry["Destination"]
            failed = self.state.unverified(ctx.account, ctx.region, None, _recipients(destination))
            if failed:
                statuses.append({"Status": "MessageRejected", "Error": rejected_message(ctx.region, failed)})
                continue
            message_id = self._send(
                ctx, source=source, to=list(destination.get("ToAddresses", [])),
                cc=list(destination.get("CcAddresses", [])), bcc=list(destination.get("BccAddresses", [])),
                subject=subject, text=text, html_body=html_body, raw=None, configuration_set=configuration_set,
                tags=[*params.get("DefaultTags", []), *entry.get("ReplacementTags", [])], template=name)
            statuses.append({"Status": "Success", "MessageId": message_id})
        return {"Status": statuses}

    # -- quotas and statistics --------------------------------------------------------------------
    def get_send_quota(self, ctx: Ctx[ses.GetSendQuotaRequest]) -> ses.GetSendQuotaResult:
        per_day, per_second = self.state.quota(ctx.account, ctx.region)
        return {"Max24HourSend": per_day, "MaxSendRate": per_second,
                "SentLast24Hours": float(self.state.sent_since(ctx.account, ctx.region, ctx.time() - 86400))}

    def update_account_sending_enabled(self, ctx: Ctx[ses.UpdateAccountSendingEnabledRequest]
                                       ) -> ses.UpdateAccountSendingEnabledResult:
        self.state.update_account(ctx.account, ctx.region, SendingEnabled=ctx.params.get("Enabled", False))
        return {}

    def get_account_sending_enabled(self, ctx: Ctx[ses.GetAccountSendingEnabledRequest]
                                    ) -> ses.GetAccountSendingEnabledResult:
        return {"Enabled": self.state.account(ctx.account, ctx.region)["SendingEnabled"]}

    def get_send_statistics(self, ctx: Ctx[ses.GetSendStatisticsRequest]) -> ses.GetSendStatisticsResult:
        return {"SendDataPoints": self.state.statistics(ctx.account, ctx.region, ctx.time())}  # type: ignore[typeddict-item]

    # -- inspection -------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        return self.state.summary()

