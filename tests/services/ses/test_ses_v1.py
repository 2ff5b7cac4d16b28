"""SES v1 through boto3: identities, sending in the sandbox, templates, configuration sets and events.

Facts: the SES API reference and developer guide (docs.aws.amazon.com/ses) and LocalStack's
AWS-validated tests/aws/services/ses/test_ses.snapshot.json (named per test).
"""

from __future__ import annotations

import datetime
import json

import boto3
import pytest

pytestmark = pytest.mark.usefixtures("production_access")


@pytest.fixture
def ses(aws):
    return boto3.client("ses")


def test_identities_are_verified_at_once_and_listed(ses):
    """VerifyEmailIdentity / VerifyDomainIdentity / GetIdentityVerificationAttributes (API reference)."""
    ses.verify_email_identity(EmailAddress="me@example.com")
    token = ses.verify_domain_identity(Domain="example.org")["VerificationToken"]
    assert token
    assert sorted(ses.list_identities()["Identities"]) == ["example.org", "me@example.com"]
    assert ses.list_identities(IdentityType="Domain")["Identities"] == ["example.org"]
    attributes = ses.get_identity_verification_attributes(
        Identities=["me@example.com", "example.org", "unknown@example.com"])["VerificationAttributes"]
    assert attributes["me@example.com"] == {"VerificationStatus": "Success"}
    assert attributes["example.org"] == {"VerificationStatus": "Success", "VerificationToken": token}
    assert "unknown@example.com" not in attributes
    tokens = ses.verify_domain_dkim(Domain="example.org")["DkimTokens"]
    dkim = ses.get_identity_dkim_attributes(Identities=["example.org"])["DkimAttributes"]["example.org"]
    assert dkim["DkimTokens"] == tokens and len(tokens) == 3 and dkim["DkimVerificationStatus"] == "Success"
    ses.delete_identity(Identity="me@example.com")
    assert ses.list_identities()["Identities"] == ["example.org"]


def test_unverified_sender_is_rejected(ses):
    """MessageRejected "Email address is not verified. The following identities failed the check in
    region US-EAST-1: ..." (developer guide: sandbox; LocalStack snapshot code MessageRejected)."""
    with pytest.raises(ses.exceptions.MessageRejected) as err:
        ses.send_email(Source="nobody@example.com", Destination={"ToAddresses": ["a@b.com"]},
                       Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}})
    assert err.value.response["Error"]["Message"] == (
        "Email address is not verified. The following identities failed the check in region US-EAST-1: "
        "nobody@example.com")


def test_send_email_is_recorded_with_its_mime(aws, ses):
    ses.verify_domain_identity(Domain="example.com")
    message_id = ses.send_email(
        Source="Sender <sender@example.com>",
        Destination={"ToAddresses": ["to@x.com"], "CcAddresses": ["cc@x.com"], "BccAddresses": ["bcc@x.com"]},
        Message={"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "plain"}, "Html": {"Data": "<b>hi</b>"}}},
    )["MessageId"]
    [sent] = aws.state.ses.sent_messages()
    assert sent["MessageId"] == message_id and sent["Source"] == "sender@example.com"
    assert (sent["To"], sent["Cc"], sent["Bcc"]) == (["to@x.com"], ["cc@x.com"], ["bcc@x.com"])
    assert (sent["Subject"], sent["Text"], sent["Html"]) == ("Hello", "plain", "<b>hi</b>")
    assert "Subject: Hello" in sent["Raw"] and "bcc@x.com" not in sent["Raw"]
    assert ses.get_send_quota()["SentLast24Hours"] == 3.0
    [point] = ses.get_send_statistics()["SendDataPoints"]
    assert point["DeliveryAttempts"] == 3


def test_send_raw_email(aws, ses):
    ses.verify_email_identity(EmailAddress="me@example.com")
    raw = (b"From: me@example.com\r\nTo: you@example.com\r\nSubject: Raw one\r\n"
           b"Content-Type: text/plain\r\n\r\nbody text\r\n")
    ses.send_raw_email(RawMessage={"Data": raw})
    [sent] = aws.state.ses.sent_messages()
    assert sent["To"] == ["you@example.com"] and sent["Subject"] == "Raw one"
    assert sent["Text"].strip() == "body text" and sent["Raw"].startswith("From: me@example.com")


def test_templates_render_and_templated_sends(aws, ses):
    """{{var}} substitution (developer guide: sending personalized email); TestRenderTemplate and
    MissingRenderingAttribute (API reference)."""
    ses.verify_email_identity(EmailAddress="me@example.com")
    ses.create_template(Template={"TemplateName": "t", "SubjectPart": "Hi {{name}}",
                                  "TextPart": "Dear {{name}} of {{city.name}}", "HtmlPart": "<p>{{name}}</p>"})
    with pytest.raises(ses.exceptions.AlreadyExistsException):
        ses.create_template(Template={"TemplateName": "t", "SubjectPart": "x"})
    rendered = ses.test_render_template(TemplateName="t", TemplateData=json.dumps(
        {"name": "<Ann>", "city": {"name": "Oslo"}}))["RenderedTemplate"]
    assert "Subject: Hi <Ann>" in rendered and "Dear <Ann> of Oslo" in rendered
    with pytest.raises(ses.exceptions.MissingRenderingAttributeException):
        ses.test_render_template(TemplateName="t", TemplateData="{}")
    with pytest.raises(ses.exceptions.TemplateDoesNotExistException):
        ses.get_template(TemplateName="nope")
    ses.send_templated_email(Source="me@example.com", Destination={"ToAddresses": ["a@x.com"]}, Template="t",
                             TemplateData=json.dumps({"name": "Bo", "city": {"name": "Rome"}}))
    status = ses.send_bulk_templated_email(
        Source="me@example.com", Template="t", DefaultTemplateData=json.dumps({"city": {"name": "Paris"}}),
        Destinations=[{"Destination": {"ToAddresses": ["c@x.com"]}, "ReplacementTemplateData": '{"name": "Cy"}'},
                      {"Destination": {"ToAddresses": ["d@x.com"]}}])["Status"]
    assert status[0]["Status"] == "Success" and status[1]["Status"] != "Success"
    sent = aws.state.ses.sent_messages()
    assert [(m["Subject"], m["Text"]) for m in sent] == [("Hi Bo", "Dear Bo of Rome"), ("Hi Cy", "Dear Cy of Paris")]
    assert sent[0]["Html"] == "<p>Bo</p>"
    assert [t["Name"] for t in ses.list_templates()["TemplatesMetadata"]] == ["t"]


def test_configuration_sets_and_sns_events(aws, ses):
    """Event publishing to SNS: Send and Delivery events with eventType and mail (developer guide:
    event publishing contents); ConfigurationSetDoesNotExist wording from LocalStack's snapshot."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns = boto3.client("sns")
    topic = sns.create_topic(Name="ses-events")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    ses.verify_email_identity(EmailAddress="me@example.com")
    with pytest.raises(ses.exceptions.ConfigurationSetDoesNotExistException) as err:
        ses.describe_configuration_set(ConfigurationSetName="cs")
    assert err.value.response["Error"]["Message"] == "Configuration set <cs> does not exist."
    ses.create_configuration_set(ConfigurationSet={"Name": "cs"})
    ses.create_configuration_set_event_destination(ConfigurationSetName="cs", EventDestination={
        "Name": "to-sns", "Enabled": True, "MatchingEventTypes": ["send", "delivery"],
        "SNSDestination": {"TopicARN": topic}})
    described = ses.describe_configuration_set(ConfigurationSetName="cs",
                                               ConfigurationSetAttributeNames=["eventDestinations"])
    assert described["EventDestinations"][0]["MatchingEventTypes"] == ["send", "delivery"]
    assert described["EventDestinations"][0]["SNSDestination"] == {"TopicARN": topic}
    message_id = ses.send_email(Source="me@example.com", Destination={"ToAddresses": ["a@x.com"]},
                                Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}},
                                ConfigurationSetName="cs", Tags=[{"Name": "campaign", "Value": "c1"}])["MessageId"]
    events = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    assert [e["eventType"] for e in events] == ["Send", "Delivery"]
    assert events[0]["mail"]["messageId"] == message_id
    assert events[0]["mail"]["tags"]["campaign"] == ["c1"]
    assert events[1]["delivery"]["recipients"] == ["a@x.com"]
    with pytest.raises(ses.exceptions.EventDestinationDoesNotExistException):
        ses.delete_configuration_set_event_destination(ConfigurationSetName="cs", EventDestinationName="x")
    with pytest.raises(ses.exceptions.ConfigurationSetDoesNotExistException):
        ses.send_email(Source="me@example.com", Destination={"ToAddresses": ["a@x.com"]},
                       Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}},
                       ConfigurationSetName="missing")
    assert [c["Name"] for c in ses.list_configuration_sets()["ConfigurationSets"]] == ["cs"]
    ses.delete_configuration_set(ConfigurationSetName="cs")
    assert ses.list_configuration_sets()["ConfigurationSets"] == []


def test_firehose_and_cloudwatch_destinations_receive_events(aws, ses):
    """Event publishing to Firehose ("SES follows each JSON record with a newline character", developer
    guide: contents of event data published to Firehose) and to CloudWatch (metrics in AWS/SES named after
    the event type, dimensions from message tags or their default: API reference CloudWatchDimensionConfiguration)."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="events")
    firehose = boto3.client("firehose")
    stream = firehose.create_delivery_stream(
        DeliveryStreamName="ses-events", ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/r", "BucketARN": "arn:aws:s3:::events",
            "BufferingHints": {"IntervalInSeconds": 60, "SizeInMBs": 1}})["DeliveryStreamARN"]
    ses.verify_email_identity(EmailAddress="me@example.com")
    ses.create_configuration_set(ConfigurationSet={"Name": "cs"})
    ses.create_configuration_set_event_destination(ConfigurationSetName="cs", EventDestination={
        "Name": "fh", "Enabled": True, "MatchingEventTypes": ["send", "delivery"],
        "KinesisFirehoseDestination": {"IAMRoleARN": "arn:aws:iam::123456789012:role/r", "DeliveryStreamARN": stream}})
    ses.create_configuration_set_event_destination(ConfigurationSetName="cs", EventDestination={
        "Name": "cw", "Enabled": True, "MatchingEventTypes": ["send"],
        "CloudWatchDestination": {"DimensionConfigurations": [
            {"DimensionName": "campaign", "DimensionValueSource": "messageTag", "DefaultDimensionValue": "none"}]}})
    for campaign in ("spring", "spring", None):
        ses.send_email(Source="me@example.com", Destination={"ToAddresses": ["a@x.com"]},
                       Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}, ConfigurationSetName="cs",
                       Tags=[{"Name": "campaign", "Value": campaign}] if campaign else [])
    assert aws.state.ses.undelivered_events() == []
    aws.clock.advance(60)  # the delivery stream's buffering interval
    [key] = [o["Key"] for o in s3.list_objects_v2(Bucket="events")["Contents"]]
    lines = s3.get_object(Bucket="events", Key=key)["Body"].read().decode().split("\n")
    assert lines[-1] == "" and [json.loads(line)["eventType"] for line in lines[:-1]] == ["Send", "Delivery"] * 3
    cloudwatch = boto3.client("cloudwatch")
    metrics = cloudwatch.list_metrics(Namespace="AWS/SES", MetricName="Send")["Metrics"]
    assert sorted(m["Dimensions"][0]["Value"] for m in metrics) == ["none", "spring"]
    stats = cloudwatch.get_metric_statistics(
        Namespace="AWS/SES", MetricName="Send", Dimensions=[{"Name": "campaign", "Value": "spring"}],
        StartTime=aws.clock.now() - datetime.timedelta(hours=1), EndTime=aws.clock.now(), Period=3600,
        Statistics=["Sum"])["Datapoints"]
    assert stats[0]["Sum"] == 2.0


def test_missing_delivery_stream_is_an_undelivered_event(aws, ses):
    ses.verify_email_identity(EmailAddress="me@example.com")
    ses.create_configuration_set(ConfigurationSet={"Name": "cs"})
    ses.create_configuration_set_event_destination(ConfigurationSetName="cs", EventDestination={
        "Name": "fh", "Enabled": True, "MatchingEventTypes": ["send"],
        "KinesisFirehoseDestination": {"IAMRoleARN": "arn:aws:iam::123456789012:role/r",
                                       "DeliveryStreamARN": "arn:aws:firehose:us-east-1:123456789012:deliverystream/s"}})
    ses.send_email(Source="me@example.com", Destination={"ToAddresses": ["a@x.com"]},
                   Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}, ConfigurationSetName="cs")
    [undelivered] = aws.state.ses.undelivered_events()
    assert undelivered["ErrorCode"] == "ResourceNotFoundException" and undelivered["Destination"] == "fh"
    assert len(aws.state.ses.sent_messages()) == 1


def test_identity_notification_topics_receive_delivery_notifications(aws, ses):
    """SetIdentityNotificationTopic: a Delivery topic gets {"notificationType": "Delivery", "mail",
    "delivery"} (developer guide: notification contents); unknown identity and bad type wording from
    LocalStack's snapshot test_set_identity_headers_in_notifications_enabled_failure_*."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="notes")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns = boto3.client("sns")
    topic = sns.create_topic(Name="deliveries")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    ses.verify_domain_identity(Domain="example.com")
    ses.set_identity_notification_topic(Identity="example.com", NotificationType="Delivery", SnsTopic=topic)
    ses.set_identity_headers_in_notifications_enabled(Identity="example.com", NotificationType="Delivery",
                                                      Enabled=True)
    attributes = ses.get_identity_notification_attributes(Identities=["example.com"])["NotificationAttributes"]
    assert attributes["example.com"]["DeliveryTopic"] == topic
    assert attributes["example.com"]["HeadersInDeliveryNotificationsEnabled"] is True
    ses.send_email(Source="me@example.com", Destination={"ToAddresses": ["a@x.com"]},
                   Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}})
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    notification = json.loads(message["Body"])
    assert notification["notificationType"] == "Delivery" and notification["delivery"]["recipients"] == ["a@x.com"]
    with pytest.raises(ses.exceptions.ClientError) as err:
        ses.set_identity_headers_in_notifications_enabled(Identity="example.com", NotificationType="InvalidType",
                                                          Enabled=True)
    assert err.value.response["Error"] == {
        "Code": "InvalidParameterValue", "Type": "Sender",
        "Message": "Invalid notification type: InvalidType. Valid values are: Bounce, Complaint, Delivery."}
    with pytest.raises(ses.exceptions.MessageRejected) as err:
        ses.set_identity_headers_in_notifications_enabled(Identity="unknown@example.com", NotificationType="Bounce",
                                                          Enabled=True)
    assert err.value.response["Error"]["Message"] == "Identity unknown@example.com is not verified or does not exist."
