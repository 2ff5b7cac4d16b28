"""IAM enforcement (``kumo(iam="enforce"|"audit")``) through real boto3 clients acting as IAM users and
role sessions.

Facts: the evaluation logic is the IAM User Guide's ("Policy evaluation logic", "Cross-account policy
evaluation logic", "Permissions boundaries", "Session policies"); denial messages follow "Troubleshoot
access denied error messages" (User: … is not authorized to perform: … on resource: … because no
identity-based policy allows …), S3's own page "Troubleshoot access denied (403 Forbidden) errors"
(the quoted resource), and recorded AWS answers quoted in public issues (SQS lower-cases the action:
aws/serverless-application-model#3633, microsoft/aspire#3333). Actions and resources per operation are
the Service Authorization Reference's.
"""

from __future__ import annotations

import inspect
import io
import json
import textwrap
import zipfile
from typing import Any, Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from iam_helpers import allow, deny, policy

from kumo_intercept import Emulator, KumoError, kumo
from kumo_intercept.core.ports import RESOURCE_POLICY_SERVICES, ResourcePolicyPort

ACCOUNT = "123456789012"
OTHER = "210987654321"


@pytest.fixture
def aws() -> Iterator[Emulator]:
    with kumo(iam="enforce", clock="virtual", strict=True) as emulator:
        yield emulator


def admin(service: str, account: str = ACCOUNT) -> Any:
    """A client acting as the account's root (a 12-digit access key names the account)."""
    return boto3.client(service, aws_access_key_id=account, aws_secret_access_key="x")


def user(name: str, *statements: dict, account: str = ACCOUNT, **user_args: Any) -> dict:
    """An IAM user with an inline policy of ``statements`` (none: no policy), and its access key."""
    iam = admin("iam", account)
    iam.create_user(UserName=name, **user_args)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    return iam.create_access_key(UserName=name)["AccessKey"]


def as_key(service: str, key: dict) -> Any:
    return boto3.client(service, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                        aws_session_token=key.get("SessionToken"))


def denied(error: ClientError) -> tuple[str, str, int]:
    return (error.response["Error"]["Code"], error.response["Error"]["Message"],
            error.response["ResponseMetadata"]["HTTPStatusCode"])


def role(name: str, *statements: dict, trusted: str = f"arn:aws:iam::{ACCOUNT}:root") -> str:
    iam = admin("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    if statements:
        iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    return str(arn)


# -- who is checked ------------------------------------------------------------------------------
def test_off_by_default_nothing_is_checked_or_recorded():
    with kumo(clock="virtual") as aws:
        key = user("nobody")
        as_key("sqs", key).create_queue(QueueName="q")  # no policy at all, and yet allowed
        assert aws.calls.last().authorization is None
        assert aws.authorize is None
        with pytest.raises(KumoError, match="enforcement is off"):
            aws.iam.explain(aws.calls.last())


def test_root_and_default_credentials_are_allowed_everything(aws):
    boto3.client("s3").create_bucket(Bucket="mine")      # the default fake credentials
    admin("sqs").create_queue(QueueName="rooted")        # the account root by its 12-digit key
    assert all(call.ok and call.authorization is None for call in aws.calls)


def test_a_user_without_policies_is_denied_as_s3_words_it(aws):
    boto3.client("s3").create_bucket(Bucket="reports")
    alice = as_key("s3", user("alice"))
    with pytest.raises(ClientError) as caught:
        alice.put_object(Bucket="reports", Key="q1.csv", Body=b"1,2")
    assert denied(caught.value) == (
        "AccessDenied",
        f'User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: s3:PutObject on resource: '
        '"arn:aws:s3:::reports/q1.csv" because no identity-based policy allows the s3:PutObject action', 403)
    assert not aws.calls.last().ok and aws.iam.denials() == [aws.calls.last()]


def test_inline_policy_allows_only_what_it_names(aws):
    boto3.client("s3").create_bucket(Bucket="reports")
    alice = as_key("s3", user("alice", allow("s3:PutObject", "arn:aws:s3:::reports/incoming/*")))
    alice.put_object(Bucket="reports", Key="incoming/a", Body=b"x")
    with pytest.raises(ClientError, match="s3:GetObject"):
        alice.get_object(Bucket="reports", Key="incoming/a")      # another action
    with pytest.raises(ClientError, match="reports/other"):
        alice.put_object(Bucket="reports", Key="other", Body=b"x")  # another resource


def test_group_and_managed_policies_grant_and_an_explicit_deny_wins(aws):
    iam = admin("iam")
    key = user("bob")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="bob")
    arn = iam.create_policy(PolicyName="queues", PolicyDocument=policy(allow("sqs:*")))["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)
    sqs = as_key("sqs", key)
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    iam.put_user_policy(UserName="bob", PolicyName="no-deletes", PolicyDocument=policy(deny("sqs:DeleteQueue")))
    with pytest.raises(ClientError) as caught:
        sqs.delete_queue(QueueUrl=url)
    assert denied(caught.value) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: sqs:deletequeue on resource: "
        f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs with an explicit deny in an identity-based policy", 403)


def test_a_batch_is_authorized_with_its_single_message_action(aws):
    # SendMessageBatch needs sqs:SendMessage (aws/serverless-application-model#3633 shows AWS's answer)
    url = admin("sqs").create_queue(QueueName="batch")["QueueUrl"]
    sqs = as_key("sqs", user("carol", allow("sqs:GetQueueUrl")))
    with pytest.raises(ClientError) as caught:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "x"}])
    assert "sqs:sendmessage on resource" in denied(caught.value)[1]


# -- boundaries, sessions, roles -------------------------------------------------------------------
def test_a_permissions_boundary_limits_what_identity_policies_allow(aws):
    iam = admin("iam")
    boundary = iam.create_policy(PolicyName="only-sqs", PolicyDocument=policy(allow("sqs:*")))["Policy"]["Arn"]
    key = user("dan", allow("*"), PermissionsBoundary=boundary)
    as_key("sqs", key).create_queue(QueueName="ok")
    with pytest.raises(ClientError) as caught:
        as_key("sns", key).create_topic(Name="nope")
    assert denied(caught.value) == (
        "AuthorizationError",
        f"User: arn:aws:iam::{ACCOUNT}:user/dan is not authorized to perform: SNS:CreateTopic on resource: "
        f"arn:aws:sns:us-east-1:{ACCOUNT}:nope because no permissions boundary allows the SNS:CreateTopic action", 403)


def test_an_assumed_role_acts_with_the_role_policies_and_its_session_policy(aws):
    arn = role("reader", allow(["dynamodb:*"]))
    admin("dynamodb").create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                                   KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                   AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    sts = as_key("sts", user("erin", allow("sts:AssumeRole", arn)))
    session = sts.assume_role(RoleArn=arn, RoleSessionName="s1",
                              Policy=policy(allow("dynamodb:GetItem")))["Credentials"]
    ddb = as_key("dynamodb", session)
    ddb.get_item(TableName="orders", Key={"id": {"S": "1"}})
    with pytest.raises(ClientError) as caught:
        ddb.put_item(TableName="orders", Item={"id": {"S": "1"}})
    assert denied(caught.value) == (
        "AccessDeniedException",
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1 is not authorized to perform: dynamodb:PutItem on "
        f"resource: arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders because no session policy allows the "
        "dynamodb:PutItem action", 400)


def test_assume_role_itself_needs_an_identity_policy_when_the_trust_names_the_account(aws):
    arn = role("ops")
    sts = as_key("sts", user("frank"))
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=arn, RoleSessionName="ops-session")
    assert denied(caught.value)[:2] == ("AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:user/frank is not authorized "
                                        f"to perform: sts:AssumeRole on resource: {arn} because no identity-based "
                                        "policy allows the sts:AssumeRole action")
    assert as_key("sts", user("gina")).get_caller_identity()["Arn"].endswith("user/gina")  # needs no permission


# -- resource policies --------------------------------------------------------------------------
def test_a_queue_policy_naming_the_user_allows_without_an_identity_policy(aws):
    key = user("hank")
    url = admin("sqs").create_queue(QueueName="inbox")["QueueUrl"]
    admin("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/hank"}, "Action": "sqs:SendMessage",
         "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:inbox"})})
    as_key("sqs", key).send_message(QueueUrl=url, MessageBody="hi")
    assert "inbox" in aws.iam.explain(aws.calls.last()) and "allowed" in aws.iam.explain(aws.calls.last())


def test_naming_only_the_account_in_a_resource_policy_delegates_to_identity_policies(aws):
    key = user("ivy")
    url = admin("sqs").create_queue(QueueName="delegated")["QueueUrl"]
    admin("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sqs:*", "Resource": "*"})})
    with pytest.raises(ClientError, match="no identity-based policy"):
        as_key("sqs", key).send_message(QueueUrl=url, MessageBody="hi")


def test_cross_account_access_needs_both_the_identity_and_the_resource_policy(aws):
    topic = admin("sns").create_topic(Name="alerts")["TopicArn"]   # the default policy names the owner only
    sns = as_key("sns", user("jack", allow("sns:Publish"), account=OTHER))
    with pytest.raises(ClientError) as caught:
        sns.publish(TopicArn=topic, Message="x")
    assert denied(caught.value)[1].endswith("because no resource-based policy allows the SNS:Publish action")
    admin("sns").set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=policy(
        {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "sns:Publish", "Resource": topic}))
    sns.publish(TopicArn=topic, Message="x")


def test_a_bucket_policy_deny_wins_over_the_identity_allow(aws):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="vault")
    s3.put_bucket_policy(Bucket="vault", Policy=policy(
        {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::vault/*"}))
    alice = as_key("s3", user("kim", allow("s3:*")))
    alice.put_object(Bucket="vault", Key="k", Body=b"x")
    with pytest.raises(ClientError, match="with an explicit deny in a resource-based policy"):
        alice.delete_object(Bucket="vault", Key="k")


def test_a_kms_key_policy_must_allow_and_a_grant_can(aws):
    kms = admin("kms")
    owner_only = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/owner"},
                         "Action": "kms:*", "Resource": "*"})
    key_id = kms.create_key(Policy=owner_only, BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]["KeyId"]
    lee = user("lee", allow("kms:*"))
    with pytest.raises(ClientError) as caught:
        as_key("kms", lee).encrypt(KeyId=key_id, Plaintext=b"x")
    assert denied(caught.value)[0] == "AccessDeniedException"
    assert "because no resource-based policy allows the kms:Encrypt action" in denied(caught.value)[1]
    kms.create_grant(KeyId=key_id, GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:user/lee", Operations=["Encrypt"],
                     Constraints={"EncryptionContextSubset": {"app": "billing"}})
    as_key("kms", lee).encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"app": "billing"})
    with pytest.raises(ClientError):
        as_key("kms", lee).encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"app": "other"})


# -- conditions ----------------------------------------------------------------------------------
def test_s3_prefix_condition_on_list_bucket(aws):
    boto3.client("s3").create_bucket(Bucket="home")
    s3 = as_key("s3", user("mia", allow("s3:ListBucket", "arn:aws:s3:::home",
                                        Condition={"StringLike": {"s3:prefix": ["mia/*"]}})))
    s3.list_objects_v2(Bucket="home", Prefix="mia/docs/")
    with pytest.raises(ClientError, match="s3:ListBucket"):
        s3.list_objects_v2(Bucket="home", Prefix="ned/")


def test_principal_and_request_tags_and_the_emulator_clock(aws):
    key = user("ola", allow("sqs:CreateQueue", Condition={
        "StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"},
        "DateLessThan": {"aws:CurrentTime": "2025-01-02T00:00:00Z"}}), Tags=[{"Key": "team", "Value": "blue"}])
    sqs = as_key("sqs", key)
    sqs.create_queue(QueueName="blue-q", tags={"team": "blue"})
    with pytest.raises(ClientError):
        sqs.create_queue(QueueName="red-q", tags={"team": "red"})
    aws.clock.advance(2 * 86400)  # the virtual clock starts on 2025-01-01
    with pytest.raises(ClientError):
        sqs.create_queue(QueueName="late-q", tags={"team": "blue"})


def test_dynamodb_leading_keys_limit_items_to_the_caller(aws):
    admin("dynamodb").create_table(TableName="profiles", BillingMode="PAY_PER_REQUEST",
                                   KeySchema=[{"AttributeName": "user", "KeyType": "HASH"}],
                                   AttributeDefinitions=[{"AttributeName": "user", "AttributeType": "S"}])
    ddb = as_key("dynamodb", user("pat", allow("dynamodb:PutItem", Condition={
        "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}})))
    ddb.put_item(TableName="profiles", Item={"user": {"S": "pat"}})
    with pytest.raises(ClientError, match="dynamodb:PutItem"):
        ddb.put_item(TableName="profiles", Item={"user": {"S": "quinn"}})


# -- audit, explain ------------------------------------------------------------------------------
def test_audit_records_would_be_denials_without_failing():
    with kumo(iam="audit", clock="virtual") as aws:
        queue = as_key("sqs", user("ray")).create_queue(QueueName="audited")
        assert queue["QueueUrl"].endswith("/audited")
        [call] = aws.iam.denials()
        assert call.ok and call.name == "sqs.CreateQueue"
        assert aws.iam.explain(call).startswith(
            f"implicitDeny: arn:aws:iam::{ACCOUNT}:user/ray sqs:CreateQueue on arn:aws:sqs:us-east-1:{ACCOUNT}:audited "
            "(no allow in identity-based policy)")


def test_explain_names_the_deciding_statement(aws):
    key = user("sam", allow("sqs:*"), deny("sqs:PurgeQueue", Sid="NoPurge"))
    sqs = as_key("sqs", key)
    url = sqs.create_queue(QueueName="explained")["QueueUrl"]
    with pytest.raises(ClientError):
        sqs.purge_queue(QueueUrl=url)
    text = aws.iam.explain(aws.calls.last())
    assert text.startswith("explicitDeny:") and '"Sid": "NoPurge"' in text and "inline (user) Deny" in text


# -- services acting as a role -----------------------------------------------------------------
def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", textwrap.dedent(source))
    return buffer.getvalue()


def test_a_lambda_function_acts_as_its_execution_role(aws):
    arn = role("fn-role", allow("sqs:SendMessage"), trusted="*")
    admin("iam").update_assume_role_policy(RoleName="fn-role", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                               "Action": "sts:AssumeRole"}]}))
    url = admin("sqs").create_queue(QueueName="out")["QueueUrl"]
    admin("lambda").create_function(
        FunctionName="worker", Runtime="python3.12", Role=arn, Handler="app.handler", Code={"ZipFile": _zip(f"""
            import boto3
            def handler(event, context):
                sqs = boto3.client("sqs")
                sqs.send_message(QueueUrl="{url}", MessageBody="done")
                try:
                    sqs.purge_queue(QueueUrl="{url}")
                except Exception as error:
                    return error.response["Error"]["Message"]
            """)})
    result = admin("lambda").invoke(FunctionName="worker")
    message = json.loads(result["Payload"].read())
    assert message == (f"User: arn:aws:sts::{ACCOUNT}:assumed-role/fn-role/worker is not authorized to perform: "
                       f"sqs:purgequeue on resource: arn:aws:sqs:us-east-1:{ACCOUNT}:out because no identity-based "
                       "policy allows the sqs:purgequeue action")


# -- AWS services delivering to resources -------------------------------------------------------
def _queue_allowing(name: str, service: str | None = None, source: str | None = None) -> tuple[str, str]:
    """A queue (URL, ARN) whose policy lets ``service`` send to it from ``source`` (none: no policy)."""
    sqs = admin("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"
    if service is not None:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sqs:SendMessage", "Resource": arn,
             "Condition": {"ArnEquals": {"aws:SourceArn": source}}})})
    return url, arn


def _received(url: str) -> int:
    return len(admin("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []))


def test_s3_notifications_need_the_queue_policy_to_allow_s3_for_the_bucket(aws):
    # S3 User Guide, "Walkthrough: Configuring a bucket for notifications": the queue policy must allow
    # s3.amazonaws.com with aws:SourceArn naming the bucket; PutBucketNotificationConfiguration checks it
    # ("Unable to validate the following destination configurations"), and a later delivery is dropped
    s3 = admin("s3")
    s3.create_bucket(Bucket="uploads")
    url, arn = _queue_allowing("from-s3", "s3.amazonaws.com", "arn:aws:s3:::uploads")
    _, closed = _queue_allowing("not-from-s3")
    with pytest.raises(ClientError, match="Unable to validate the following destination configurations"):
        s3.put_bucket_notification_configuration(Bucket="uploads", NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": closed, "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_bucket_notification_configuration(Bucket="uploads", NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_object(Bucket="uploads", Key="a", Body=b"x")
    assert _received(url) == 2  # S3's s3:TestEvent, then the object's event
    admin("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    s3.put_object(Bucket="uploads", Key="b", Body=b"x")
    assert _received(url) == 0
    assert {verdict.principal for verdict in aws.iam.refused_deliveries} == {"s3.amazonaws.com"}


def test_sns_delivers_to_a_queue_only_when_its_policy_allows_the_topic(aws):
    sns = admin("sns")
    topic = sns.create_topic(Name="news")["TopicArn"]
    allowed_url, allowed = _queue_allowing("subscriber", "sns.amazonaws.com", topic)
    refused_url, refused = _queue_allowing("stranger", "sns.amazonaws.com", f"arn:aws:sns:us-east-1:{ACCOUNT}:other")
    for arn in (allowed, refused):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="hello")
    assert (_received(allowed_url), _received(refused_url)) == (1, 0)


def test_eventbridge_targets_need_their_resource_policy(aws):
    events = admin("events")
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"]}))
    rule = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/orders"
    url, arn = _queue_allowing("order-events")
    events.put_targets(Rule="orders", Targets=[{"Id": "q", "Arn": arn}])
    events.put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": "{}"}])
    assert _received(url) == 0
    admin("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(
        {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
         "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": rule}}})})
    events.put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": "{}"}])
    assert _received(url) == 1


def test_a_changed_policy_is_seen_by_the_next_call(aws):
    key = user("tess", allow("sqs:*"))
    sqs = as_key("sqs", key)
    url = sqs.create_queue(QueueName="changing")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="1")
    admin("iam").put_user_policy(UserName="tess", PolicyName="stop", PolicyDocument=policy(deny("sqs:SendMessage")))
    with pytest.raises(ClientError, match="explicit deny"):
        sqs.send_message(QueueUrl=url, MessageBody="2")
    admin("iam").delete_user_policy(UserName="tess", PolicyName="stop")
    sqs.send_message(QueueUrl=url, MessageBody="3")


def test_step_functions_tasks_act_as_the_state_machine_role(aws):
    # Step Functions Developer Guide, "How Step Functions works with IAM": tasks call services with the
    # state machine's execution role
    arn = role("machine-role", allow("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:allowed"), trusted="*")
    allowed, _ = _queue_allowing("allowed")
    forbidden, _ = _queue_allowing("forbidden")
    sfn = admin("stepfunctions")

    def run(url: str) -> dict:
        machine = sfn.create_state_machine(name=url.rsplit("/", 1)[1], roleArn=arn, definition=json.dumps({
            "StartAt": "Send", "States": {"Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                                                   "Parameters": {"QueueUrl": url, "MessageBody": "hi"}, "End": True}}}))
        execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"])
        return sfn.describe_execution(executionArn=execution["executionArn"])

    assert run(allowed)["status"] == "SUCCEEDED"
    failed = run(forbidden)
    assert failed["status"] == "FAILED" and failed["error"] == "SQS.AccessDenied"
    assert "assumed-role/machine-role/" in failed["cause"] and "sqs:sendmessage" in failed["cause"]


def test_delete_objects_fails_per_key_as_aws_authorizes_each(aws):
    # S3 API Reference, DeleteObjects: each key needs s3:DeleteObject; a refused one is an Error entry
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="mixed")
    for key in ("tmp/a", "keep/b"):
        s3.put_object(Bucket="mixed", Key=key, Body=b"x")
    alice = as_key("s3", user("uma", allow("s3:DeleteObject", "arn:aws:s3:::mixed/tmp/*")))
    answer = alice.delete_objects(Bucket="mixed", Delete={"Objects": [{"Key": "tmp/a"}, {"Key": "keep/b"}]})
    assert [entry["Key"] for entry in answer["Deleted"]] == ["tmp/a"]
    assert answer["Errors"] == [{"Key": "keep/b", "Code": "AccessDenied", "Message": "Access Denied"}]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="mixed")["Contents"]] == ["keep/b"]


def test_a_federated_user_has_only_what_its_session_policy_and_user_both_allow(aws):
    key = user("vic", allow(["sts:GetFederationToken", "sqs:*"]))
    token = as_key("sts", key).get_federation_token(Name="guest", Policy=policy(allow("sqs:ListQueues")))
    sqs = as_key("sqs", token["Credentials"])
    sqs.list_queues()
    with pytest.raises(ClientError) as caught:
        sqs.create_queue(QueueName="nope")
    assert denied(caught.value)[1].startswith(f"User: arn:aws:sts::{ACCOUNT}:federated-user/guest is not authorized")
    assert denied(caught.value)[1].endswith("because no session policy allows the sqs:createqueue action")


def test_simulation_and_enforcement_decide_alike(aws):
    # SimulatePrincipalPolicy and enforcement read the same policies with the same evaluator module
    key = user("wes", allow("sqs:*"), deny("sqs:DeleteQueue"))
    decisions = {result["EvalActionName"]: result["EvalDecision"] for result in admin("iam").simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/wes",
        ActionNames=["sqs:CreateQueue", "sqs:DeleteQueue", "sns:CreateTopic"])["EvaluationResults"]}
    assert decisions == {"sqs:CreateQueue": "allowed", "sqs:DeleteQueue": "explicitDeny", "sns:CreateTopic": "implicitDeny"}
    url = as_key("sqs", key).create_queue(QueueName="simulated")["QueueUrl"]
    with pytest.raises(ClientError, match="explicit deny"):
        as_key("sqs", key).delete_queue(QueueUrl=url)
    with pytest.raises(ClientError, match="no identity-based policy"):
        as_key("sns", key).create_topic(Name="simulated")
    assert "explicitDeny" in aws.calls.to_jsonl().splitlines()[-2]


def test_sse_kms_uploads_need_kms_permission_through_s3(aws):
    # S3 User Guide, "Specifying server-side encryption with AWS KMS": the uploader needs
    # kms:GenerateDataKey on the key; kms:ViaService names S3 (KMS Developer Guide, "kms:ViaService")
    key_id = admin("kms").create_key()["KeyMetadata"]["Arn"]
    boto3.client("s3").create_bucket(Bucket="sealed")
    only_via_s3 = allow("kms:GenerateDataKey", key_id, Condition={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}})
    s3 = as_key("s3", user("xan", allow("s3:PutObject"), only_via_s3))
    s3.put_object(Bucket="sealed", Key="a", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id)
    plain = as_key("s3", user("yara", allow("s3:PutObject")))
    with pytest.raises(ClientError, match="kms:GenerateDataKey"):
        plain.put_object(Bucket="sealed", Key="b", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id)
    with pytest.raises(ClientError, match="kms:GenerateDataKey"):  # outside S3 the condition does not hold
        as_key("kms", user("zed", only_via_s3)).generate_data_key(KeyId=key_id, KeySpec="AES_256")


@pytest.mark.parametrize("service", sorted(set(RESOURCE_POLICY_SERVICES.values())))
def test_each_resource_policy_service_implements_the_port(aws, service):
    # as tests/core/test_ports.py checks SERVICE_PORTS: same method, same parameters
    backend = aws.backend(service)
    assert isinstance(backend, ResourcePolicyPort)
    assert (inspect.signature(backend.resource_facts).parameters.keys()
            == inspect.signature(ResourcePolicyPort.resource_facts).parameters.keys() - {"self"})


def test_scheduler_targets_act_as_the_schedule_role(aws):
    # EventBridge Scheduler User Guide, "Setting up the execution role": the role must allow the target action
    allowed = role("schedule-role", allow("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:ticks"), trusted="*")
    url, arn = _queue_allowing("ticks")
    other_url, other = _queue_allowing("not-ticks")
    scheduler = admin("scheduler")
    for name, target in (("good", arn), ("bad", other)):
        scheduler.create_schedule(Name=name, ScheduleExpression="rate(1 minute)", FlexibleTimeWindow={"Mode": "OFF"},
                                  Target={"Arn": target, "RoleArn": allowed, "Input": "tick",
                                          "RetryPolicy": {"MaximumRetryAttempts": 0}})
    aws.clock.advance(61)
    assert (_received(url), _received(other_url)) == (1, 0)


def test_eventbridge_targets_with_a_role_act_as_it(aws):
    # EventBridge User Guide, "IAM roles for sending events to targets": Step Functions targets are
    # started as the target's RoleArn
    sfn = admin("stepfunctions")
    machine_role = role("pass-role", trusted="*")
    machine = sfn.create_state_machine(name="on-order", roleArn=machine_role, definition=json.dumps(
        {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    events = admin("events")
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"]}))
    mute = role("mute-role", trusted="*")
    starter = role("starter-role", allow("states:StartExecution", machine), trusted="*")
    for target_role in (mute, starter):
        events.put_targets(Rule="orders", Targets=[{"Id": "sfn", "Arn": machine, "RoleArn": target_role}])
        events.put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": "{}"}])
    assert len(sfn.list_executions(stateMachineArn=machine)["executions"]) == 1


def test_a_secret_shared_across_accounts_by_its_resource_policy(aws):
    # Secrets Manager User Guide, "Access AWS Secrets Manager secrets from a different account"
    # (the secret here uses the AWS managed key, so only the secret's policy is in question)
    secrets = admin("secretsmanager")
    arn = secrets.create_secret(Name="db", SecretString="s3cr3t")["ARN"]
    reader = as_key("secretsmanager", user("ann", allow("secretsmanager:GetSecretValue"), account=OTHER))
    with pytest.raises(ClientError) as caught:
        reader.get_secret_value(SecretId=arn)
    assert denied(caught.value) == (
        "AccessDeniedException",
        f"User: arn:aws:iam::{OTHER}:user/ann is not authorized to perform: secretsmanager:GetSecretValue on "
        f"resource: {arn} because no resource-based policy allows the secretsmanager:GetSecretValue action", 400)
    secrets.put_resource_policy(SecretId=arn, ResourcePolicy=policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "secretsmanager:GetSecretValue",
         "Resource": "*"}))
    assert reader.get_secret_value(SecretId=arn)["SecretString"] == "s3cr3t"


def test_lambda_function_policy_lets_another_account_invoke(aws):
    arn = role("fn-basic", trusted="*")
    admin("iam").update_assume_role_policy(RoleName="fn-basic", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                               "Action": "sts:AssumeRole"}]}))
    lam = admin("lambda")
    function = lam.create_function(FunctionName="echo", Runtime="python3.12", Role=arn, Handler="app.handler",
                                   Code={"ZipFile": _zip("def handler(event, context):\n    return event\n")})
    caller = as_key("lambda", user("bea", allow("lambda:InvokeFunction"), account=OTHER))
    with pytest.raises(ClientError) as caught:
        caller.invoke(FunctionName=function["FunctionArn"], Payload=b"{}")
    assert denied(caught.value)[0::2] == ("AccessDeniedException", 403)
    lam.add_permission(FunctionName="echo", StatementId="other", Action="lambda:InvokeFunction", Principal=OTHER)
    assert caller.invoke(FunctionName=function["FunctionArn"], Payload=b"{}")["StatusCode"] == 200


def test_iam_itself_is_enforced(aws):
    iam = as_key("iam", user("cal", allow("iam:GetUser")))
    assert iam.get_user(UserName="cal")["User"]["UserName"] == "cal"
    with pytest.raises(ClientError) as caught:
        iam.create_user(UserName="mallory")
    assert denied(caught.value) == (
        "AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:user/cal is not authorized to perform: iam:CreateUser on "
        f"resource: arn:aws:iam::{ACCOUNT}:user/mallory because no identity-based policy allows the iam:CreateUser "
        "action", 403)
    with pytest.raises(ClientError, match="iam:GetRole"):
        iam.get_role(RoleName=role("someone", trusted=f"arn:aws:iam::{ACCOUNT}:user/cal").rsplit("/", 1)[1])


def test_get_session_token_needs_no_permission_and_acts_as_its_user(aws):
    # IAM User Guide, "Permissions for GetSessionToken": no permissions are required; the credentials
    # have the user's permissions
    key = user("dora", allow("sqs:ListQueues"))
    session = as_key("sts", key).get_session_token()["Credentials"]
    sqs = as_key("sqs", session)
    sqs.list_queues()
    with pytest.raises(ClientError, match=f"User: arn:aws:iam::{ACCOUNT}:user/dora is not authorized"):
        sqs.create_queue(QueueName="nope")


def test_batch_get_secret_value_refuses_secret_by_secret(aws):
    # Secrets Manager API Reference, BatchGetSecretValue: secretsmanager:GetSecretValue is needed on each
    # secret; a secret the caller may not read is an entry of Errors
    secrets = admin("secretsmanager")
    open_arn = secrets.create_secret(Name="app/open", SecretString="1")["ARN"]
    secrets.create_secret(Name="ops/closed", SecretString="2")
    reader = as_key("secretsmanager", user("eli", allow("secretsmanager:BatchGetSecretValue"),
                                           allow("secretsmanager:GetSecretValue", f"{open_arn[:-7]}-*")))
    answer = reader.batch_get_secret_value(SecretIdList=["app/open", "ops/closed"])
    assert [value["Name"] for value in answer["SecretValues"]] == ["app/open"]
    [error] = answer["Errors"]
    assert (error["SecretId"], error["ErrorCode"]) == ("ops/closed", "AccessDeniedException")
    assert error["Message"].endswith("because no identity-based policy allows the secretsmanager:GetSecretValue action")
    with pytest.raises(ClientError, match="secretsmanager:BatchGetSecretValue"):
        as_key("secretsmanager", user("fay", allow("secretsmanager:GetSecretValue"))).batch_get_secret_value(
            SecretIdList=["app/open"])


def test_policy_variables_name_the_session(aws):
    # IAM User Guide, "IAM policy elements: Variables and tags": aws:userid of a role session is
    # <role id>:<session name>
    boto3.client("s3").create_bucket(Bucket="homes")
    arn = role("homes-role", allow("s3:PutObject", "arn:aws:s3:::homes/${aws:userid}/*"))
    session = as_key("sts", user("gus", allow("sts:AssumeRole", arn))).assume_role(RoleArn=arn, RoleSessionName="gus")
    s3 = as_key("s3", session["Credentials"])
    s3.put_object(Bucket="homes", Key=f"{session['AssumedRoleUser']['AssumedRoleId']}/notes.txt", Body=b"x")
    with pytest.raises(ClientError, match="s3:PutObject"):
        s3.put_object(Bucket="homes", Key="someone-else/notes.txt", Body=b"x")


# -- remembered decisions follow every change ---------------------------------------------------
# Enforcement prepares each (caller, action, resource, resource policy) decision once; each test below
# makes a call, changes what decided it, and expects the very next call to be decided anew.
def _sends(sqs: Any, url: str) -> bool:
    try:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    except ClientError as error:
        assert denied(error)[0] == "AccessDenied"
        return False
    return True


def test_attaching_detaching_and_a_new_default_version_are_seen_by_the_next_call(aws):
    iam = admin("iam")
    sqs = as_key("sqs", user("pia"))
    url = admin("sqs").create_queue(QueueName="attached")["QueueUrl"]
    arn = iam.create_policy(PolicyName="send", PolicyDocument=policy(allow("sqs:SendMessage")))["Policy"]["Arn"]
    assert not _sends(sqs, url)
    iam.attach_user_policy(UserName="pia", PolicyArn=arn)
    assert _sends(sqs, url)
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=policy(allow("sqs:ReceiveMessage")), SetAsDefault=True)
    assert not _sends(sqs, url)
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert _sends(sqs, url)
    iam.detach_user_policy(UserName="pia", PolicyArn=arn)
    assert not _sends(sqs, url)


def test_group_membership_and_group_policies_are_seen_by_the_next_call(aws):
    iam = admin("iam")
    sqs = as_key("sqs", user("quin"))
    url = admin("sqs").create_queue(QueueName="grouped")["QueueUrl"]
    iam.create_group(GroupName="senders")
    iam.put_group_policy(GroupName="senders", PolicyName="send", PolicyDocument=policy(allow("sqs:SendMessage")))
    assert not _sends(sqs, url)
    iam.add_user_to_group(GroupName="senders", UserName="quin")
    assert _sends(sqs, url)
    iam.put_group_policy(GroupName="senders", PolicyName="stop", PolicyDocument=policy(deny("sqs:SendMessage")))
    assert not _sends(sqs, url)
    iam.delete_group_policy(GroupName="senders", PolicyName="stop")
    assert _sends(sqs, url)
    iam.remove_user_from_group(GroupName="senders", UserName="quin")
    assert not _sends(sqs, url)


def test_a_permissions_boundary_put_or_removed_is_seen_by_the_next_call(aws):
    iam = admin("iam")
    sqs = as_key("sqs", user("rex", allow("sqs:*")))
    url = admin("sqs").create_queue(QueueName="bounded")["QueueUrl"]
    boundary = iam.create_policy(PolicyName="sns-only", PolicyDocument=policy(allow("sns:*")))["Policy"]["Arn"]
    assert _sends(sqs, url)
    iam.put_user_permissions_boundary(UserName="rex", PermissionsBoundary=boundary)
    assert not _sends(sqs, url)
    iam.delete_user_permissions_boundary(UserName="rex")
    assert _sends(sqs, url)


def test_a_resource_policy_set_or_removed_is_seen_by_the_next_call(aws):
    sqs = as_key("sqs", user("sol"))
    url = admin("sqs").create_queue(QueueName="shared")["QueueUrl"]
    assert not _sends(sqs, url)
    admin("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/sol"}, "Action": "sqs:SendMessage",
         "Resource": "*"})})
    assert _sends(sqs, url)
    admin("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    assert not _sends(sqs, url)


def test_a_role_change_reaches_its_live_sessions_and_each_session_keeps_its_own_policy(aws):
    arn = role("worker", allow("sqs:*"))
    sts = as_key("sts", user("tia", allow("sts:AssumeRole", arn)))
    url = admin("sqs").create_queue(QueueName="work")["QueueUrl"]
    broad = as_key("sqs", sts.assume_role(RoleArn=arn, RoleSessionName="broad")["Credentials"])
    narrow = as_key("sqs", sts.assume_role(RoleArn=arn, RoleSessionName="narrow",
                                           Policy=policy(allow("sqs:ReceiveMessage")))["Credentials"])
    assert _sends(broad, url) and not _sends(narrow, url)
    admin("iam").put_role_policy(RoleName="worker", PolicyName="stop", PolicyDocument=policy(deny("sqs:SendMessage")))
    assert not _sends(broad, url)
    admin("iam").delete_role_policy(RoleName="worker", PolicyName="stop")
    assert _sends(broad, url) and not _sends(narrow, url)


def test_clock_and_resource_tag_conditions_are_checked_at_every_call(aws):
    # aws:CurrentTime is the emulator clock's (decisions on it hold for one second), aws:ResourceTag the
    # queue's tags as they are at the call (IAM User Guide, "AWS global condition context keys")
    url = admin("sqs").create_queue(QueueName="timed", tags={"team": "blue"})["QueueUrl"]
    until = {"DateLessThan": {"aws:CurrentTime": "2025-01-01T00:00:10Z"}}
    clocked = as_key("sqs", user("uri", allow("sqs:SendMessage", Condition=until)))
    tagged = as_key("sqs", user("uma", allow("sqs:SendMessage", Condition={
        **until, "StringEquals": {"aws:ResourceTag/team": "blue"}})))
    assert _sends(clocked, url) and _sends(tagged, url)
    admin("sqs").tag_queue(QueueUrl=url, Tags={"team": "red"})
    assert not _sends(tagged, url)
    admin("sqs").tag_queue(QueueUrl=url, Tags={"team": "blue"})
    assert _sends(tagged, url)
    aws.clock.advance(9.5)  # the virtual clock starts at 2025-01-01T00:00:00Z
    assert _sends(clocked, url)
    aws.clock.advance(0.5)
    assert not _sends(clocked, url) and not _sends(tagged, url)


def test_explain_names_the_allowing_statement(aws):
    key = user("val", allow("sqs:*", Sid="Queues"), allow("sns:*", Sid="Topics"))
    as_key("sqs", key).create_queue(QueueName="explained-allow")
    text = aws.iam.explain(aws.calls.last())
    assert text.startswith(f"allowed: arn:aws:iam::{ACCOUNT}:user/val sqs:CreateQueue on ")
    assert '"Sid": "Queues"' in text and "Topics" not in text
    assert f"user_val_inline (user) Allow" in text  # named as the simulation names an inline policy


# -- denials of JSON-protocol services, as AWS words them ---------------------------------------
# Each case names the AWS answer it follows (error messages quoted in public issues and pull requests;
# LocalStack's snapshots record none of these: their tests run as the account root).
_NOBODY = f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform:"


def _no_identity_policy(action: str) -> str:
    return f"because no identity-based policy allows the {action} action"


@pytest.mark.parametrize(("service", "call", "expected"), [
    # modernisation-platform#6789: "…dynamodb:PutItem on resource: arn:aws:dynamodb:eu-west-2:…:table/…", 400
    ("dynamodb", lambda c: c.put_item(TableName="orders", Item={"id": {"S": "1"}}),
     ("dynamodb:PutItem", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders", 400)),
    # chanzuckerberg/napari-hub#1048: a batch names its own action and the table
    ("dynamodb", lambda c: c.batch_write_item(RequestItems={"orders": [{"PutRequest": {"Item": {"id": {"S": "1"}}}}]}),
     ("dynamodb:BatchWriteItem", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders", 400)),
    # nautobot-app-secrets-providers#64: "…secretsmanager:GetSecretValue on resource: sharepoint_account…"
    ("secretsmanager", lambda c: c.get_secret_value(SecretId="sharepoint_account"),
     ("secretsmanager:GetSecretValue", "sharepoint_account", 400)),
    # binbashar/le-tf-infra-aws#869: an ARN given is named as it is
    ("secretsmanager", lambda c: c.describe_secret(
        SecretId=f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:/devops/alertmanager-ev0FIK"),
     ("secretsmanager:DescribeSecret", f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:/devops/alertmanager-ev0FIK",
      400)),
    # elastic/apm-aws-lambda#526: "…logs:CreateLogGroup on resource: arn:aws:logs:…:log-group:/aws/lambda/…:log-stream: …", 400
    ("logs", lambda c: c.create_log_group(logGroupName="/aws/lambda/smoke"),
     ("logs:CreateLogGroup", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/smoke:log-stream:", 400)),
    # aws-solutions/aws-crr-monitor#8: a stream's calls name the stream
    ("logs", lambda c: c.create_log_stream(logGroupName="/aws/lambda/smoke", logStreamName="2019/12/16"),
     ("logs:CreateLogStream", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/smoke:log-stream:2019/12/16",
      400)),
    # ministryofjustice/modernisation-platform#1253: "…events:PutRule on resource: arn:aws:events:eu-west-2:…:rule/…", 400
    ("events", lambda c: c.put_rule(Name="nightly", ScheduleExpression="rate(1 day)"),
     ("events:PutRule", f"arn:aws:events:us-east-1:{ACCOUNT}:rule/nightly", 400)),
    # anomalyco/sst#4176: "…ssm:GetParameter on resource: arn:aws:ssm:eu-west-2:…:parameter/sst/bootstrap…", 400
    ("ssm", lambda c: c.get_parameter(Name="/sst/bootstrap"),
     ("ssm:GetParameter", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/sst/bootstrap", 400)),
    # awslabs/aws-deployment-framework#460: "…lambda:InvokeFunction on resource: arn:aws:lambda:…:function:…
    # (… Status Code: 403; Error Code: AccessDeniedException …)"
    ("lambda", lambda c: c.invoke(FunctionName="AccountAlias"),
     ("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:AccountAlias", 403)),
])
def test_json_services_deny_as_aws_words_it(aws, service, call, expected):
    action, resource, status = expected
    with pytest.raises(ClientError) as caught:
        call(as_key(service, user("nobody")))
    assert denied(caught.value) == (
        "AccessDeniedException", f"{_NOBODY} {action} on resource: {resource} {_no_identity_policy(action)}", status)


def test_kms_and_lambda_deny_with_their_variants(aws):
    # trussworks/terraform-aws-s3-anti-virus#48: "…kms:Decrypt on resource: arn:aws:kms:…:key/… because no
    # identity-based policy allows the kms:Decrypt action (… Status Code: 400; Error Code: AccessDeniedException …)"
    # when the key policy names the account; jbrt/ec2cryptomatic#26: "…because no resource-based policy allows
    # the kms:DescribeKey action" when it does not
    kms = admin("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    client = as_key("kms", user("nobody"))
    with pytest.raises(ClientError) as caught:
        client.encrypt(KeyId=key, Plaintext=b"x")
    assert denied(caught.value) == (
        "AccessDeniedException", f"{_NOBODY} kms:Encrypt on resource: {key} {_no_identity_policy('kms:Encrypt')}", 400)
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/someone-else"}, "Action": "kms:*",
         "Resource": "*"}), BypassPolicyLockoutSafetyCheck=True)
    with pytest.raises(ClientError) as caught:
        client.describe_key(KeyId=key)
    assert denied(caught.value)[1] == (f"{_NOBODY} kms:DescribeKey on resource: {key} because no resource-based "
                                       "policy allows the kms:DescribeKey action")
    # nficano/python-lambda#715: "…lambda:GetFunction on resource: arn:aws:lambda:…:function:GKQA with an explicit
    # deny in an identity-based policy"
    fn = as_key("lambda", user("denied", deny("lambda:GetFunction")))
    with pytest.raises(ClientError) as caught:
        fn.get_function(FunctionName="GKQA")
    assert denied(caught.value) == (
        "AccessDeniedException", f"User: arn:aws:iam::{ACCOUNT}:user/denied is not authorized to perform: "
        f"lambda:GetFunction on resource: arn:aws:lambda:us-east-1:{ACCOUNT}:function:GKQA with an explicit deny in "
        "an identity-based policy", 403)
