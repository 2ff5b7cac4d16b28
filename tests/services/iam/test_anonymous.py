"""Anonymous (unsigned) requests: botocore clients made with ``Config(signature_version=UNSIGNED)``, or
whose signer a ``choose-signer`` handler turns off (moto's test_s3_object_in_private_bucket does).

Facts: S3 serves an anonymous request only where a bucket policy allows everyone (``"*"``) or an ACL
grants the AllUsers group the permission, and Block Public Access (on for new buckets) restricts public
policies (RestrictPublicBuckets) and ignores public ACLs (IgnorePublicAcls) — S3 User Guide, "Blocking
public access to your Amazon S3 storage" and "Access control list (ACL) overview"; the denial is
``AccessDenied`` "Access Denied" 403. Other services refuse a request without a signature:
``MissingAuthenticationToken`` 403 (Common Errors of the query API references; STS's answer "Request is
missing Authentication Token" quoted in amzn/selling-partner-api-docs#3081), JSON services
``MissingAuthenticationTokenException``.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from kumo_intercept import Emulator, kumo

UNSIGNED = Config(signature_version=botocore.UNSIGNED)


@pytest.fixture
def aws() -> Iterator[Emulator]:
    with kumo(iam="enforce", clock="virtual", strict=True) as emulator:
        yield emulator


def _refuse_signing(**_: Any) -> Any:
    return botocore.UNSIGNED


def anonymous(service: str, path: str) -> Any:
    """A client that signs nothing: by its config (answered in-process) or by a ``choose-signer``
    handler (which sends the request over botocore's full path, unsigned)."""
    if path == "config":
        return boto3.client(service, config=UNSIGNED)
    client = boto3.client(service)
    client.meta.events.register(f"choose-signer.{client.meta.service_model.service_id.hyphenize()}", _refuse_signing)
    return client


def _error(call: Any, **params: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    response = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def bucket(aws: Emulator) -> str:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="shared")
    s3.put_object(Bucket="shared", Key="report.csv", Body=b"1,2")
    return "shared"


@pytest.mark.parametrize("path", ["config", "choose-signer"])
def test_a_private_object_is_access_denied(bucket: str, path: str) -> None:
    s3 = anonymous("s3", path)
    assert _error(s3.get_object, Bucket=bucket, Key="report.csv") == ("AccessDenied", "Access Denied", 403)
    assert _error(s3.put_object, Bucket=bucket, Key="new", Body=b"x") == ("AccessDenied", "Access Denied", 403)


@pytest.mark.parametrize("path", ["config", "choose-signer"])
def test_a_bucket_policy_allowing_everyone_serves_anonymous_reads(bucket: str, path: str) -> None:
    owner = boto3.client("s3")
    public_read = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}
    owner.delete_public_access_block(Bucket=bucket)
    owner.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public_read))
    s3 = anonymous("s3", path)
    assert s3.get_object(Bucket=bucket, Key="report.csv")["Body"].read() == b"1,2"
    assert _error(s3.list_objects_v2, Bucket=bucket)[0] == "AccessDenied", "the policy allows reads only"
    owner.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"RestrictPublicBuckets": True})
    assert _error(s3.get_object, Bucket=bucket, Key="report.csv")[0] == "AccessDenied"


def test_a_public_read_acl_serves_anonymous_reads_where_acls_count(bucket: str) -> None:
    owner = boto3.client("s3")
    owner.delete_public_access_block(Bucket=bucket)
    owner.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    owner.put_object(Bucket=bucket, Key="open.txt", Body=b"hello", ACL="public-read")
    s3 = anonymous("s3", "config")
    assert s3.get_object(Bucket=bucket, Key="open.txt")["Body"].read() == b"hello"
    assert _error(s3.get_object, Bucket=bucket, Key="report.csv")[0] == "AccessDenied", "its own ACL is private"
    owner.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"IgnorePublicAcls": True})
    assert _error(s3.get_object, Bucket=bucket, Key="open.txt")[0] == "AccessDenied"


@pytest.mark.parametrize("path", ["config", "choose-signer"])
def test_other_services_refuse_a_request_without_a_signature(aws: Emulator, path: str) -> None:
    assert _error(anonymous("sts", path).get_caller_identity) == (
        "MissingAuthenticationToken", "Request is missing Authentication Token", 403)
    assert _error(anonymous("sns", path).list_topics)[0] == "MissingAuthenticationToken"
    assert _error(anonymous("dynamodb", path).list_tables) == (
        "MissingAuthenticationTokenException", "Request is missing Authentication Token", 400)


def test_operations_anonymous_by_their_model_are_served(aws: Emulator) -> None:
    """AssumeRoleWithWebIdentity needs no signature (its model's auth is smithy.api#noAuth): the role's
    trust policy decides, not the missing signature."""
    code = _error(anonymous("sts", "config").assume_role_with_web_identity, RoleArn="arn:aws:iam::123456789012:role/none",
                  RoleSessionName="web", WebIdentityToken="x" * 20)[0]
    assert code != "MissingAuthenticationToken"


def test_audit_records_the_refusal_without_failing() -> None:
    with kumo(iam="audit") as aws:
        boto3.client("sqs").create_queue(QueueName="jobs")
        anonymous("sqs", "config").list_queues()
        [denied] = aws.iam.denials()
        assert denied.name == "sqs.ListQueues"
        assert "anonymous" in aws.iam.explain(denied)


def test_without_enforcement_an_unsigned_client_acts_as_the_default_account() -> None:
    """Documented difference (docs/iam.md): with iam="off" nothing is authorized, signed or not."""
    with kumo():
        assert anonymous("sts", "config").get_caller_identity()["Account"] == "123456789012"
