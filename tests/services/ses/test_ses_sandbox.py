"""The SES sandbox, production access and paused sending, through both APIs.

Facts: the developer guide's "Request production access (Moving out of the Amazon SES sandbox)" (in the
sandbox mail goes only to verified addresses and domains or the mailbox simulator; 200 messages per 24
hours, 1 per second; production accounts start at 50,000 per day and 14 per second), "Using the mailbox
simulator" (simulator.amazonses.com), the troubleshooting page "Amazon SES email sending errors"
(MessageRejected "Email address is not verified. The following identities failed the check in region
REGION: identity1, identity2"), and the SESv2 API reference (PutAccountDetails, GetAccount's
ProductionAccessEnabled and Details.ReviewDetails, PutAccountSendingAttributes, SendingPausedException;
v1 UpdateAccountSendingEnabled, AccountSendingPausedException).
"""

from __future__ import annotations

import boto3
import pytest

SIMPLE = {"Simple": {"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "text"}}}}
MESSAGE = {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}


@pytest.fixture
def v2(aws):
    return boto3.client("sesv2")


@pytest.fixture
def v1(aws):
    return boto3.client("ses")


def test_sandbox_refuses_unverified_recipients(aws, v1, v2):
    v2.create_email_identity(EmailIdentity="me@example.com")
    with pytest.raises(v2.exceptions.MessageRejected) as err:
        v2.send_email(FromEmailAddress="me@example.com", Content=SIMPLE,
                      Destination={"ToAddresses": ["a@x.com"], "CcAddresses": ["B <b@y.com>"]})
    assert err.value.response["Error"]["Message"] == (
        "Email address is not verified. The following identities failed the check in region US-EAST-1: "
        "a@x.com, b@y.com")
    with pytest.raises(v1.exceptions.MessageRejected):
        v1.send_email(Source="me@example.com", Destination={"BccAddresses": ["a@x.com"]}, Message=MESSAGE)
    assert aws.state.ses.sent_messages() == []


def test_sandbox_sends_to_verified_recipients_and_the_simulator(aws, v1, v2):
    v2.create_email_identity(EmailIdentity="me@example.com")
    v2.create_email_identity(EmailIdentity="y.com")         # a verified domain covers its addresses
    v1.verify_email_identity(EmailAddress="a@x.com")
    v2.send_email(FromEmailAddress="me@example.com", Content=SIMPLE,
                  Destination={"ToAddresses": ["a@x.com", "anyone@y.com", "success@simulator.amazonses.com"]})
    v1.send_raw_email(RawMessage={"Data": b"From: me@example.com\r\nTo: a@x.com\r\nSubject: r\r\n\r\nb\r\n"})
    assert len(aws.state.ses.sent_messages()) == 2
    with pytest.raises(v1.exceptions.MessageRejected):
        v1.send_raw_email(RawMessage={"Data": b"From: me@example.com\r\nTo: z@z.com\r\nSubject: r\r\n\r\nb\r\n"})


def test_unverified_sender_and_recipient_are_both_named(v1):
    with pytest.raises(v1.exceptions.MessageRejected) as err:
        v1.send_email(Source="x@nowhere.com", Destination={"ToAddresses": ["a@x.com"]}, Message=MESSAGE)
    assert err.value.response["Error"]["Message"].endswith("US-EAST-1: x@nowhere.com, a@x.com")


def test_bulk_sends_reject_single_entries(v1, v2):
    v2.create_email_identity(EmailIdentity="example.com")
    v2.create_email_identity(EmailIdentity="ok@x.com")
    v2.create_email_template(TemplateName="t", TemplateContent={"Subject": "S", "Text": "T"})
    results = v2.send_bulk_email(
        FromEmailAddress="news@example.com", DefaultContent={"Template": {"TemplateName": "t", "TemplateData": "{}"}},
        BulkEmailEntries=[{"Destination": {"ToAddresses": ["ok@x.com"]}},
                          {"Destination": {"ToAddresses": ["no@x.com"]}}])["BulkEmailEntryResults"]
    assert [r["Status"] for r in results] == ["SUCCESS", "MESSAGE_REJECTED"]
    v1.create_template(Template={"TemplateName": "t1", "SubjectPart": "S", "TextPart": "T"})
    statuses = v1.send_bulk_templated_email(
        Source="news@example.com", Template="t1", DefaultTemplateData="{}",
        Destinations=[{"Destination": {"ToAddresses": ["no@x.com"]}}])["Status"]
    assert statuses[0]["Status"] == "MessageRejected"


def test_production_access_lifts_the_sandbox_and_raises_the_quota(aws, v1, v2):
    assert v2.get_account()["ProductionAccessEnabled"] is False
    assert v1.get_send_quota()["Max24HourSend"] == 200.0
    v2.put_account_details(MailType="TRANSACTIONAL", WebsiteURL="https://example.com",
                           UseCaseDescription="receipts", ProductionAccessEnabled=True)
    account = v2.get_account()
    assert account["ProductionAccessEnabled"] is True
    assert account["Details"]["MailType"] == "TRANSACTIONAL"
    assert account["Details"]["ReviewDetails"]["Status"] == "GRANTED"
    assert (account["SendQuota"]["Max24HourSend"], account["SendQuota"]["MaxSendRate"]) == (50000.0, 14.0)
    v2.create_email_identity(EmailIdentity="me@example.com")
    v1.send_email(Source="me@example.com", Destination={"ToAddresses": ["anyone@x.com"]}, Message=MESSAGE)
    assert aws.state.ses.sent_messages()[0]["To"] == ["anyone@x.com"]


def test_paused_sending_refuses_every_send(v1, v2):
    v2.create_email_identity(EmailIdentity="me@example.com")
    v2.put_account_sending_attributes(SendingEnabled=False)
    assert v1.get_account_sending_enabled()["Enabled"] is False
    assert v2.get_account()["SendingEnabled"] is False
    with pytest.raises(v2.exceptions.SendingPausedException):
        v2.send_email(FromEmailAddress="me@example.com", Destination={"ToAddresses": ["me@example.com"]},
                      Content=SIMPLE)
    with pytest.raises(v1.exceptions.AccountSendingPausedException):
        v1.send_email(Source="me@example.com", Destination={"ToAddresses": ["me@example.com"]}, Message=MESSAGE)
    v1.update_account_sending_enabled(Enabled=True)
    v1.send_email(Source="me@example.com", Destination={"ToAddresses": ["me@example.com"]}, Message=MESSAGE)
