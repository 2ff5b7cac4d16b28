"""SESv2 through boto3: identities, sending (simple, raw, template, bulk), account, suppression list,
EventBridge event destinations, and the state shared with SES v1.

Facts: the SESv2 API reference (docs.aws.amazon.com/ses/latest/APIReference-V2) and developer guide
(sandbox, suppression list, event publishing to EventBridge: source "aws.ses", detail-type "Email Sent").
"""

from __future__ import annotations

import json

import boto3
import pytest

pytestmark = pytest.mark.usefixtures("production_access")

SIMPLE = {"Simple": {"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "text"}}}}


@pytest.fixture
def v2(aws):
    return boto3.client("sesv2")


def test_identities_shared_with_v1(v2):
    created = v2.create_email_identity(EmailIdentity="example.com", Tags=[{"Key": "k", "Value": "v"}])
    assert created["IdentityType"] == "DOMAIN" and created["VerifiedForSendingStatus"] is True
    assert len(created["DkimAttributes"]["Tokens"]) == 3
    with pytest.raises(v2.exceptions.AlreadyExistsException):
        v2.create_email_identity(EmailIdentity="example.com")
    boto3.client("ses").verify_email_identity(EmailAddress="me@other.com")
    names = {i["IdentityName"]: i["IdentityType"] for i in v2.list_email_identities()["EmailIdentities"]}
    assert names == {"example.com": "DOMAIN", "me@other.com": "EMAIL_ADDRESS"}
    got = v2.get_email_identity(EmailIdentity="example.com")
    assert got["VerificationStatus"] == "SUCCESS" and got["Tags"] == [{"Key": "k", "Value": "v"}]
    v2.delete_email_identity(EmailIdentity="example.com")
    with pytest.raises(v2.exceptions.NotFoundException):
        v2.get_email_identity(EmailIdentity="example.com")


def test_unverified_sender_is_rejected(v2):
    with pytest.raises(v2.exceptions.MessageRejected) as err:
        v2.send_email(FromEmailAddress="x@nowhere.com", Destination={"ToAddresses": ["a@b.com"]}, Content=SIMPLE)
    assert "failed the check in region US-EAST-1: x@nowhere.com" in err.value.response["Error"]["Message"]


def test_simple_raw_and_template_sends_are_recorded(aws, v2):
    v2.create_email_identity(EmailIdentity="me@example.com")
    v2.send_email(FromEmailAddress="me@example.com", Destination={"ToAddresses": ["a@x.com"]}, Content=SIMPLE)
    raw = b"From: me@example.com\r\nTo: b@x.com\r\nSubject: Raw\r\n\r\nraw body\r\n"
    v2.send_email(Content={"Raw": {"Data": raw}})
    v2.create_email_template(TemplateName="t", TemplateContent={"Subject": "Hi {{n}}", "Text": "T {{n}}"})
    assert v2.test_render_email_template(TemplateName="t", TemplateData='{"n": "Z"}')["RenderedTemplate"].count("Hi Z") == 1
    v2.send_email(FromEmailAddress="me@example.com", Destination={"ToAddresses": ["c@x.com"]},
                  Content={"Template": {"TemplateName": "t", "TemplateData": '{"n": "Q"}'}})
    sent = aws.state.sesv2.sent_messages()
    assert [(m["To"], m["Subject"]) for m in sent] == [(["a@x.com"], "Hello"), (["b@x.com"], "Raw"), (["c@x.com"], "Hi Q")]
    assert sent[2]["Text"] == "T Q" and sent[2]["Template"] == "t"
    assert aws.state.ses.sent_messages() == sent  # one store for both APIs
    account = v2.get_account()
    assert account["ProductionAccessEnabled"] is True and account["SendQuota"]["SentLast24Hours"] == 3.0


def test_bulk_email(aws, v2):
    v2.create_email_identity(EmailIdentity="example.com")
    v2.create_email_template(TemplateName="t", TemplateContent={"Subject": "For {{who}}", "Html": "<i>{{who}}</i>"})
    results = v2.send_bulk_email(
        FromEmailAddress="news@example.com",
        DefaultContent={"Template": {"TemplateName": "t", "TemplateData": '{"who": "all"}'}},
        BulkEmailEntries=[{"Destination": {"ToAddresses": ["a@x.com"]}},
                          {"Destination": {"ToAddresses": ["b@x.com"]},
                           "ReplacementEmailContent": {"ReplacementTemplate": {"ReplacementTemplateData": '{"who": "B"}'}}}],
    )["BulkEmailEntryResults"]
    assert [r["Status"] for r in results] == ["SUCCESS", "SUCCESS"]
    assert [m["Subject"] for m in aws.state.sesv2.sent_messages()] == ["For all", "For B"]


def test_suppressed_recipients_are_not_delivered(aws, v2):
    """Account-level suppression list (developer guide): suppressed addresses get no delivery."""
    v2.create_email_identity(EmailIdentity="me@example.com")
    v2.put_suppressed_destination(EmailAddress="gone@x.com", Reason="BOUNCE")
    assert v2.get_suppressed_destination(EmailAddress="gone@x.com")["SuppressedDestination"]["Reason"] == "BOUNCE"
    v2.send_email(FromEmailAddress="me@example.com", Destination={"ToAddresses": ["gone@x.com", "ok@x.com"]},
                  Content=SIMPLE)
    [sent] = aws.state.sesv2.sent_messages()
    assert sent["Suppressed"] == ["gone@x.com"] and sent["Delivered"] == ["ok@x.com"]
    listed = v2.list_suppressed_destinations(Reasons=["BOUNCE"])["SuppressedDestinationSummaries"]
    assert [s["EmailAddress"] for s in listed] == ["gone@x.com"]
    assert v2.list_suppressed_destinations(Reasons=["COMPLAINT"])["SuppressedDestinationSummaries"] == []
    v2.delete_suppressed_destination(EmailAddress="gone@x.com")
    with pytest.raises(v2.exceptions.NotFoundException):
        v2.get_suppressed_destination(EmailAddress="gone@x.com")


def test_eventbridge_destination_receives_email_sent(aws, v2):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="ev")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = boto3.client("events")
    events.put_rule(Name="ses", EventPattern=json.dumps({"source": ["aws.ses"]}))
    events.put_targets(Rule="ses", Targets=[{"Id": "q", "Arn": queue_arn}])
    v2.create_email_identity(EmailIdentity="me@example.com")
    v2.create_configuration_set(ConfigurationSetName="cs")
    v2.create_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestinationName="eb",
        EventDestination={"Enabled": True, "MatchingEventTypes": ["SEND"],
                          "EventBridgeDestination": {"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}})
    [destination] = v2.get_configuration_set_event_destinations(ConfigurationSetName="cs")["EventDestinations"]
    assert destination["Name"] == "eb" and destination["MatchingEventTypes"] == ["SEND"]
    v2.send_email(FromEmailAddress="me@example.com", Destination={"ToAddresses": ["a@x.com"]}, Content=SIMPLE,
                  ConfigurationSetName="cs")
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    event = json.loads(message["Body"])
    assert event["source"] == "aws.ses" and event["detail-type"] == "Email Sent"
    assert event["detail"]["eventType"] == "Send"
    with pytest.raises(v2.exceptions.NotFoundException):
        v2.get_configuration_set(ConfigurationSetName="missing")
    assert v2.list_configuration_sets()["ConfigurationSets"] == ["cs"]


def test_tags_on_identities_configuration_sets_and_templates(v2):
    """TagResource / UntagResource / ListTagsForResource take the resource's ARN (API reference)."""
    v2.create_email_identity(EmailIdentity="example.com")
    v2.create_configuration_set(ConfigurationSetName="cs", Tags=[{"Key": "a", "Value": "1"}])
    v2.create_email_template(TemplateName="t", TemplateContent={"Subject": "s", "Text": "t"})
    prefix = "arn:aws:ses:us-east-1:123456789012:"
    for arn in (prefix + "identity/example.com", prefix + "configuration-set/cs", prefix + "template/t"):
        v2.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
        assert {"Key": "k", "Value": "v"} in v2.list_tags_for_resource(ResourceArn=arn)["Tags"]
        v2.untag_resource(ResourceArn=arn, TagKeys=["k"])
        assert {"Key": "k", "Value": "v"} not in v2.list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert v2.list_tags_for_resource(ResourceArn=prefix + "configuration-set/cs")["Tags"] == [{"Key": "a", "Value": "1"}]
    with pytest.raises(v2.exceptions.NotFoundException):
        v2.list_tags_for_resource(ResourceArn=prefix + "template/missing")


def test_lists_are_paged(v2):
    """PageSize / NextToken (API reference: ListEmailIdentities, ListEmailTemplates)."""
    for name in ("a.com", "b.com", "c.com"):
        v2.create_email_identity(EmailIdentity=name)
    first = v2.list_email_identities(PageSize=2)
    rest = v2.list_email_identities(PageSize=2, NextToken=first["NextToken"])
    assert [i["IdentityName"] for i in first["EmailIdentities"] + rest["EmailIdentities"]] == ["a.com", "b.com", "c.com"]
    assert "NextToken" not in rest
    v1 = boto3.client("ses")
    pages = list(v1.get_paginator("list_identities").paginate(PaginationConfig={"PageSize": 1}))
    assert [p["Identities"] for p in pages] == [["a.com"], ["b.com"], ["c.com"]]
