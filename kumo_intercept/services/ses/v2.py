"""SESv2 (the REST API) over the same state as SES v1 (see ``state``): email identities, configuration
sets and their event destinations (SNS, EventBridge, Firehose), email templates, SendEmail (simple,
raw, template) and SendBulkEmail, GetAccount / PutAccountDetails (production access, granted at once) /
PutAccountSendingAttributes, and the account-level suppression list.

Identities are verified at once; the account starts in the sandbox (sender and recipients checked, see
``v1``). A suppressed recipient is recorded on the message but not delivered (no Delivery event).
"""

from __future__ import annotations

import json
from email.utils import parseaddr
from typing import Any

from ...api import sesv2
from ...core.clock import from_epoch, to_epoch
from ...core.dispatch import Ctx, RequestContext, ServiceBackend
from ...core.errors import AwsError
from ...core.tags import tags_merged, tags_without
from ...core.tokens import offset_page
from ...core.partitions import arn_prefix
from .mail import MissingAttribute, as_bytes, build_mime, parse_mime
from .state import SesState, recipients_of, rejected_message, render_template, template_data


def _invalid_token() -> AwsError:
    return sesv2.bad_request_exception("Invalid NextToken")


def _invalid_data() -> AwsError:
    return sesv2.bad_request_exception("Template data is not valid JSON.")


def _listed(ctx: RequestContext[Any], rows: list, member: str, default_size: int) -> Any:
    """A List* answer: one page of ``rows`` under ``member``, and the NextToken of the next."""
    page, token = offset_page(rows, ctx.params.get("PageSize", default_size), ctx.params.get("NextToken"),
                              _invalid_token())
    return {member: page, "NextToken": token} if token else {member: page}


class SesV2Backend(ServiceBackend):
    service_name = "sesv2"
    input_error_code = "BadRequestException"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.state = SesState(emulator)

    # -- identities -------------------------------------------------------------------------------
    def _dkim(self, record: dict) -> sesv2.DkimAttributes:
        return {"SigningEnabled": record["DkimEnabled"], "Status": "SUCCESS", "Tokens": list(record["DkimTokens"]),
                "SigningAttributesOrigin": "AWS_SES"}

    @staticmethod
    def _identity_type(record: dict) -> str:
        return "EMAIL_ADDRESS" if record["Type"] == "EmailAddress" else "DOMAIN"

    def create_email_identity(self, ctx: Ctx[sesv2.CreateEmailIdentityRequest]) -> sesv2.CreateEmailIdentityResult:
        identity = ctx.params["EmailIdentity"]
        if (ctx.account, ctx.region, identity) in self.state.identities:
            raise sesv2.already_exists_exception(f"Email identity {identity} already exist.")
        record = self.state.verify(ctx.account, ctx.region, identity, ctx.time())
        tags = [{"Key": t["Key"], "Value": t["Value"]} for t in ctx.params.get("Tags", [])]
        if tags:
            record = {**record, "Tags": tags}
            self.state.identities.put((ctx.account, ctx.region, identity), record)
        return {"IdentityType": self._identity_type(record), "VerifiedForSendingStatus": True,
                "DkimAttributes": self._dkim(record)}

    def _identity(self, ctx: RequestContext[Any]) -> tuple[str, dict]:
        identity = ctx.params["EmailIdentity"]
        record = self.state.identities.get((ctx.account, ctx.region, identity))
        if record is None:
            raise sesv2.not_found_exception(f"Email identity {identity} does not exist.")
        return identity, record

    def get_email_identity(self, ctx: Ctx[sesv2.GetEmailIdentityRequest]) -> sesv2.GetEmailIdentityResult:
        _, record = self._identity(ctx)
        return {"IdentityType": self._identity_type(record), "FeedbackForwardingStatus": True,
                "VerifiedForSendingStatus": True, "VerificationStatus": "SUCCESS",
                "DkimAttributes": self._dkim(record), "Policies": {},
                "Tags": [dict(t) for t in record["Tags"]]}  # type: ignore[misc]

    def delete_email_identity(self, ctx: Ctx[sesv2.DeleteEmailIdentityRequest]) -> sesv2.DeleteEmailIdentityResult:
        identity, _ = self._identity(ctx)
        self.state.identities.delete((ctx.account, ctx.region, identity))
        return {}

    def list_email_identities(self, ctx: Ctx[sesv2.ListEmailIdentitiesRequest]) -> sesv2.ListEmailIdentitiesResult:
        rows: list[sesv2.IdentityInfo] = [
            {"IdentityType": self._identity_type(record), "IdentityName": name, "SendingEnabled": True,
             "VerificationStatus": "SUCCESS"}
            for name, record in self.state.identities_of(ctx.account, ctx.region)]
        return _listed(ctx, rows, "EmailIdentities", 100)

    # -- configuration sets -----------------------------------------------------------------------
    def _configuration_set(self, ctx: RequestContext[Any]) -> tuple[tuple, dict]:
        name = ctx.params["ConfigurationSetName"]
        key = (ctx.account, ctx.region, name)
        record = self.state.configuration_sets.get(key)
        if record is None:
            raise sesv2.not_found_exception(f"Configuration set <{name}> does not exist.")
        return key, record

    def create_configuration_set(self, ctx: Ctx[sesv2.CreateConfigurationSetRequest]) -> sesv2.CreateConfigurationSetResult:
        name = ctx.params["ConfigurationSetName"]
        key = (ctx.account, ctx.region, name)
        if key in self.state.configuration_sets:
            raise sesv2.already_exists_exception(f"Configuration set <{name}> already exists.")
        tags = [{"Key": t["Key"], "Value": t["Value"]} for t in ctx.params.get("Tags", [])]
        self.state.configuration_sets.put(key, {"EventDestinations": [], "Created": ctx.time(), "Tags": tags})
        return {}

    def get_configuration_set(self, ctx: Ctx[sesv2.GetConfigurationSetRequest]) -> sesv2.GetConfigurationSetResult:
        key, record = self._configuration_set(ctx)
        return {"ConfigurationSetName": key[2], "Tags": [dict(t) for t in record["Tags"]],  # type: ignore[misc]
                "SendingOptions": {"SendingEnabled": True}}

    def delete_configuration_set(self, ctx: Ctx[sesv2.DeleteConfigurationSetRequest]) -> sesv2.DeleteConfigurationSetResult:
        key, _ = self._configuration_set(ctx)
        self.state.configuration_sets.delete(key)
        return {}

    def list_configuration_sets(self, ctx: Ctx[sesv2.ListConfigurationSetsRequest]) -> sesv2.ListConfigurationSetsResult:
        names = [key[2] for key in self.state.configuration_sets.irange(
            (ctx.account, ctx.region), (ctx.account, ctx.region, "\uffff"))]
        return _listed(ctx, names, "ConfigurationSets", 100)

    def create_configuration_set_event_destination(
            self, ctx: Ctx[sesv2.CreateConfigurationSetEventDestinationRequest]
    ) -> sesv2.CreateConfigurationSetEventDestinationResult:
        key, record = self._configuration_set(ctx)
        name = ctx.params["EventDestinationName"]
        if any(d["Name"] == name for d in record["EventDestinations"]):
            raise sesv2.already_exists_exception(f"Event destination {name} already exists.")
        destination = {"Name": name, **json.loads(json.dumps(ctx.params["EventDestination"]))}
        destination.setdefault("Enabled", False)
        self.state.configuration_sets.put(key, {**record, "EventDestinations": [*record["EventDestinations"], destination]})
        return {}

    def update_configuration_set_event_destination(
            self, ctx: Ctx[sesv2.UpdateConfigurationSetEventDestinationRequest]
    ) -> sesv2.UpdateConfigurationSetEventDestinationResult:
        key, record = self._configuration_set(ctx)
        name = ctx.params["EventDestinationName"]
        if not any(d["Name"] == name for d in record["EventDestinations"]):
            raise sesv2.not_found_exception(f"No EventDestination found for {name}")
        destination = {"Name": name, **json.loads(json.dumps(ctx.params["EventDestination"]))}
        destination.setdefault("Enabled", False)
        self.state.configuration_sets.put(key, {**record, "EventDestinations": [
            destination if d["Name"] == name else d for d in record["EventDestinations"]]})
        return {}

    def get_configuration_set_event_destinations(
            self, ctx: Ctx[sesv2.GetConfigurationSetEventDestinationsRequest]
    ) -> sesv2.GetConfigurationSetEventDestinationsResult:
        _, record = self._configuration_set(ctx)
        return {"EventDestinations": [dict(d) for d in record["EventDestinations"]]}  # type: ignore[misc]

    def delete_configuration_set_event_destination(
            self, ctx: Ctx[sesv2.DeleteConfigurationSetEventDestinationRequest]
    ) -> sesv2.DeleteConfigurationSetEventDestinationResult:
        key, record = self._configuration_set(ctx)
        name = ctx.params["EventDestinationName"]
        kept = [d for d in record["EventDestinations"] if d["Name"] != name]
        if len(kept) == len(record["EventDestinations"]):
            raise sesv2.not_found_exception(f"No EventDestination found for {name}")
        self.state.configuration_sets.put(key, {**record, "EventDestinations": kept})
        return {}

    # -- templates --------------------------------------------------------------------------------
    def _template(self, ctx: RequestContext[Any], name: str) -> dict:
        record = self.state.templates.get((ctx.account, ctx.region, name))
        if record is None:
            raise sesv2.not_found_exception(f"Template {name} does not exist.")
        return record

    def create_email_template(self, ctx: Ctx[sesv2.CreateEmailTemplateRequest]) -> sesv2.CreateEmailTemplateResult:
        name = ctx.params["TemplateName"]
        key = (ctx.account, ctx.region, name)
        if key in self.state.templates:
            raise sesv2.already_exists_exception(f"Template {name} already exists.")
        content = ctx.params["TemplateContent"]
        self.state.templates.put(key, {"Subject": content.get("Subject"), "Text": content.get("Text"),
                                       "Html": content.get("Html"), "Created": ctx.time()})
        return {}

    def update_email_template(self, ctx: Ctx[sesv2.UpdateEmailTemplateRequest]) -> sesv2.UpdateEmailTemplateResult:
        name = ctx.params["TemplateName"]
        existing = self._template(ctx, name)
        content = ctx.params["TemplateContent"]
        self.state.templates.put((ctx.account, ctx.region, name), {
            "Subject": content.get("Subject"), "Text": content.get("Text"), "Html": content.get("Html"),
            "Created": existing["Created"]})
        return {}

    def get_email_template(self, ctx: Ctx[sesv2.GetEmailTemplateRequest]) -> sesv2.GetEmailTemplateResult:
        name = ctx.params["TemplateName"]
        record = self._template(ctx, name)
        content: sesv2.EmailTemplateContent = {}
        for member in ("Subject", "Text", "Html"):
            if record.get(member) is not None:
                content[member] = record[member]  # type: ignore[literal-required]
        return {"TemplateName": name, "TemplateContent": content}

    def delete_email_template(self, ctx: Ctx[sesv2.DeleteEmailTemplateRequest]) -> sesv2.DeleteEmailTemplateResult:
        name = ctx.params["TemplateName"]
        self._template(ctx, name)
        self.state.templates.delete((ctx.account, ctx.region, name))
        return {}

    def list_email_templates(self, ctx: Ctx[sesv2.ListEmailTemplatesRequest]) -> sesv2.ListEmailTemplatesResult:
        rows: list[sesv2.EmailTemplateMetadata] = [
            {"TemplateName": key[2], "CreatedTimestamp": from_epoch(record["Created"])}
            for key, record in self.state.templates.items_range((ctx.account, ctx.region),
                                                                (ctx.account, ctx.region, "\uffff"))]
        return _listed(ctx, rows, "TemplatesMetadata", 10)

    def _rendered(self, ctx: RequestContext[Any], name: str, data_text: str) -> tuple[str, str | None, str | None]:
        template = self._template(ctx, name)
        data = template_data(data_text, _invalid_data())
        try:
            return render_template(template, data)
        except MissingAttribute as exc:
            raise sesv2.bad_request_exception(
                f"Attribute '{exc.args[0]}' is not present in the rendering data.") from None

    def test_render_email_template(
            self, ctx: Ctx[sesv2.TestRenderEmailTemplateRequest]) -> sesv2.TestRenderEmailTemplateResult:
        subject, text, html_body = self._rendered(ctx, ctx.params["TemplateName"], ctx.params["TemplateData"])
        return {"RenderedTemplate": build_mime("test", "sender@example.com", [], [], [], subject, text,
                                               html_body, ctx.time())}

    # -- sending ----------------------------------------------------------------------------------
    def _check_send(self, ctx: RequestContext[Any], source: str, recipients: list[str]) -> str:
        address = parseaddr(source)[1] or source
        if not self.state.account(ctx.account, ctx.region)["SendingEnabled"]:
            raise sesv2.sending_paused_exception("Email sending is disabled for your entire Amazon SES account.")
        failed = self.state.unverified(ctx.account, ctx.region, address, recipients)
        if failed:
            raise sesv2.message_rejected(rejected_message(ctx.region, failed))
        if ctx.params.get("ConfigurationSetName"):
            self._configuration_set(ctx)
        return address

    def _send(self, ctx: RequestContext[Any], source: str, destination: sesv2.Destination, tags: list,
              subject: str, text: str | None, html_body: str | None, raw: str | None, template: str | None) -> str:
        return self.state.send(
            ctx.account, ctx.region, ctx.time(), source=source, to=list(destination.get("ToAddresses", [])),
            cc=list(destination.get("CcAddresses", [])), bcc=list(destination.get("BccAddresses", [])),
            reply_to=list(ctx.params.get("ReplyToAddresses", [])), subject=subject, text=text,
            html_body=html_body, raw=raw, configuration_set=ctx.params.get("ConfigurationSetName"), tags=tags,
            template=template, api="sesv2")

    def send_email(self, ctx: Ctx[sesv2.SendEmailRequest]) -> sesv2.SendEmailResult:
        params = ctx.params
        content = params["Content"]
        tags = list(params.get("EmailTags", []))
        destination: sesv2.Destination = params.get("Destination", {})
        if "Raw" in content:
            data = as_bytes(content["Raw"]["Data"])
            parsed = parse_mime(data)
            if not destination:
                destination = {"ToAddresses": parsed["to"], "CcAddresses": parsed["cc"], "BccAddresses": parsed["bcc"]}
            source = self._check_send(ctx, params.get("FromEmailAddress") or (parsed["from"] or [""])[0],
                                      recipients_of(destination))
            message_id = self._send(ctx, source, destination, tags, parsed["subject"], parsed["text"],
                                    parsed["html"], data.decode("utf-8", "replace"), None)
            return {"MessageId": message_id}
        source = self._check_send(ctx, params.get("FromEmailAddress", ""), recipients_of(destination))
        if "Template" in content:
            template = content["Template"]
            name = template.get("TemplateName", "")
            subject, text, html_body = self._rendered(ctx, name, template.get("TemplateData", "{}"))
            return {"MessageId": self._send(ctx, source, destination, tags, subject, text, html_body, None, name)}
        simple = content.get("Simple")
        if simple is None:
            raise sesv2.bad_request_exception("Content must contain Simple, Raw or Template.")
        body = simple["Body"]
        return {"MessageId": self._send(ctx, source, destination, tags, simple["Subject"]["Data"],
                                        body.get("Text", {}).get("Data"), body.get("Html", {}).get("Data"),
                                        None, None)}

    def send_bulk_email(self, ctx: Ctx[sesv2.SendBulkEmailRequest]) -> sesv2.SendBulkEmailResult:
        params = ctx.params
        source = self._check_send(ctx, params.get("FromEmailAddress", ""), [])
        default = params["DefaultContent"].get("Template")
        if default is None:
            raise sesv2.bad_request_exception("DefaultContent must contain a Template.")
        name = default.get("TemplateName", "")
        template = self._template(ctx, name)
        default_data = template_data(default.get("TemplateData"), _invalid_data())
        results: list[sesv2.BulkEmailEntryResult] = []
        for entry in params["BulkEmailEntries"]:
            replacement = entry.get("ReplacementEmailContent", {}).get("ReplacementTemplate", {})
            data = {**default_data, **template_data(replacement.get("ReplacementTemplateData"), _invalid_data())}
            try:
                subject, text, html_body = render_template(template, data)
            except MissingAttribute as exc:
                results.append({"Status": "INVALID_PARAMETER",
                                "Error": f"Attribute '{exc.args[0]}' is not present in the rendering data."})
                continue
            failed = self.state.unverified(ctx.account, ctx.region, None, recipients_of(entry["Destination"]))
            if failed:
                results.append({"Status": "MESSAGE_REJECTED", "Error": rejected_message(ctx.region, failed)})
                continue
            tags = [*params.get("DefaultEmailTags", []), *entry.get("ReplacementTags", [])]
            message_id = self._send(ctx, source, entry["Destination"], tags, subject, text, html_body, None, name)
            results.append({"Status": "SUCCESS", "MessageId": message_id})
        return {"BulkEmailEntryResults": results}

    # -- account ----------------------------------------------------------------------------------
    def get_account(self, ctx: Ctx[sesv2.GetAccountRequest]) -> sesv2.GetAccountResult:
        sent = self.state.sent_since(ctx.account, ctx.region, ctx.time() - 86400)
        account = self.state.account(ctx.account, ctx.region)
        per_day, per_second = self.state.quota(ctx.account, ctx.region)
        out: sesv2.GetAccountResult = {
            "DedicatedIpAutoWarmupEnabled": False, "EnforcementStatus": "HEALTHY",
            "ProductionAccessEnabled": account["ProductionAccess"], "SendingEnabled": account["SendingEnabled"],
            "SendQuota": {"Max24HourSend": per_day, "MaxSendRate": per_second, "SentLast24Hours": float(sent)},
            "SuppressionAttributes": {"SuppressedReasons": []}}
        if account["Details"] is not None:
            out["Details"] = account["Details"]  # type: ignore[typeddict-item]
        return out

    def put_account_details(self, ctx: Ctx[sesv2.PutAccountDetailsRequest]) -> sesv2.PutAccountDetailsResult:
        """The details AWS reviews before granting production access; the emulator grants it at once
        (ReviewDetails GRANTED), so a test can leave the sandbox as an account owner would."""
        params = ctx.params
        details: dict[str, Any] = {key: params[key] for key in  # type: ignore[literal-required]
                                   ("MailType", "WebsiteURL", "ContactLanguage", "UseCaseDescription",
                                    "AdditionalContactEmailAddresses") if key in params}
        production = self.state.account(ctx.account, ctx.region)["ProductionAccess"]
        if params.get("ProductionAccessEnabled"):
            details["ReviewDetails"] = {"Status": "GRANTED", "CaseId": self.emulator.ids.digits(10)}
            production = True
        self.state.update_account(ctx.account, ctx.region, Details=details, ProductionAccess=production)
        return {}

    def put_account_sending_attributes(self, ctx: Ctx[sesv2.PutAccountSendingAttributesRequest]
                                       ) -> sesv2.PutAccountSendingAttributesResult:
        self.state.update_account(ctx.account, ctx.region, SendingEnabled=ctx.params.get("SendingEnabled", False))
        return {}

    # -- suppression list -------------------------------------------------------------------------
    def put_suppressed_destination(
            self, ctx: Ctx[sesv2.PutSuppressedDestinationRequest]) -> sesv2.PutSuppressedDestinationResult:
        address = ctx.params["EmailAddress"].lower()
        self.state.suppressed.put((ctx.account, ctx.region, address),
                                  {"EmailAddress": ctx.params["EmailAddress"], "Reason": ctx.params["Reason"],
                                   "LastUpdateTime": ctx.time()})
        return {}

    def _suppressed(self, ctx: RequestContext[Any]) -> tuple[tuple, dict]:
        address = ctx.params["EmailAddress"]
        key = (ctx.account, ctx.region, address.lower())
        record = self.state.suppressed.get(key)
        if record is None:
            raise sesv2.not_found_exception(f"Email address {address} does not exist on your suppression list.")
        return key, record

    def get_suppressed_destination(
            self, ctx: Ctx[sesv2.GetSuppressedDestinationRequest]) -> sesv2.GetSuppressedDestinationResult:
        _, record = self._suppressed(ctx)
        return {"SuppressedDestination": {"EmailAddress": record["EmailAddress"], "Reason": record["Reason"],
                                          "LastUpdateTime": from_epoch(record["LastUpdateTime"])}}

    def delete_suppressed_destination(
            self, ctx: Ctx[sesv2.DeleteSuppressedDestinationRequest]) -> sesv2.DeleteSuppressedDestinationResult:
        key, _ = self._suppressed(ctx)
        self.state.suppressed.delete(key)
        return {}

    def list_suppressed_destinations(
            self, ctx: Ctx[sesv2.ListSuppressedDestinationsRequest]) -> sesv2.ListSuppressedDestinationsResult:
        params = ctx.params
        reasons = params.get("Reasons")
        start = to_epoch(params["StartDate"]) if "StartDate" in params else None
        end = to_epoch(params["EndDate"]) if "EndDate" in params else None
        rows: list[sesv2.SuppressedDestinationSummary] = []
        for _, record in self.state.suppressed.items_range((ctx.account, ctx.region), (ctx.account, ctx.region, "\uffff")):
            when = record["LastUpdateTime"]
            if (reasons and record["Reason"] not in reasons) or (start is not None and when < start) \
                    or (end is not None and when > end):
                continue
            rows.append({"EmailAddress": record["EmailAddress"], "Reason": record["Reason"],
                         "LastUpdateTime": from_epoch(when)})
        return _listed(ctx, rows, "SuppressedDestinationSummaries", 100)

    # -- tags (identities, configuration sets and templates) ----------------------------------------
    def _tagged(self, ctx: RequestContext[Any]) -> tuple[Any, tuple, dict]:
        """The table, key and record an ARN of this account and region names."""
        arn = ctx.params["ResourceArn"]
        prefix = f"{arn_prefix(ctx.region)}:ses:{ctx.region}:{ctx.account}:"
        kind, _, name = arn[len(prefix):].partition("/") if arn.startswith(prefix) else ("", "", "")
        table = {"identity": self.state.identities, "configuration-set": self.state.configuration_sets,
                 "template": self.state.templates}.get(kind)
        record = None if table is None else table.get((ctx.account, ctx.region, name))
        if record is None:
            raise sesv2.not_found_exception(f"Resource {arn} does not exist.")
        return table, (ctx.account, ctx.region, name), record

    def tag_resource(self, ctx: Ctx[sesv2.TagResourceRequest]) -> sesv2.TagResourceResult:
        table, key, record = self._tagged(ctx)
        added = [{"Key": t["Key"], "Value": t["Value"]} for t in ctx.params["Tags"]]
        table.put(key, {**record, "Tags": tags_merged(record.get("Tags", []), added)})
        return {}

    def untag_resource(self, ctx: Ctx[sesv2.UntagResourceRequest]) -> sesv2.UntagResourceResult:
        table, key, record = self._tagged(ctx)
        table.put(key, {**record, "Tags": tags_without(record.get("Tags", []), ctx.params["TagKeys"])})
        return {}

    def list_tags_for_resource(self, ctx: Ctx[sesv2.ListTagsForResourceRequest]) -> sesv2.ListTagsForResourceResult:
        _, _, record = self._tagged(ctx)
        return {"Tags": [dict(t) for t in record.get("Tags", [])]}  # type: ignore[misc]

    # -- inspection -------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        return self.state.summary()
