"""Bucket configuration stored and returned as AWS does, with AWS's not-found errors and checks."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from s3_helpers import error_of, status_of


def _missing(call, code, **kwargs):
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    assert error_of(exc)["Code"] == code
    assert status_of(exc) == 404
    return error_of(exc)


def test_tagging(s3, bucket):
    error = _missing(s3.get_bucket_tagging, "NoSuchTagSet", Bucket=bucket)
    assert error == {"Code": "NoSuchTagSet", "Message": "The TagSet does not exist", "BucketName": bucket}
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "env", "Value": "test"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "env", "Value": "test"}]
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]})
    assert error_of(exc)["Code"] == "InvalidTag"
    assert s3.delete_bucket_tagging(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    _missing(s3.get_bucket_tagging, "NoSuchTagSet", Bucket=bucket)


def test_an_empty_tag_set_deletes_the_bucket_tags(s3, bucket):
    """PutBucketTagging with no tags answers 204 and leaves no tag set (LocalStack's AWS-validated
    test_bucket_tagging_crud, put-bucket-tags-empty)."""
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "env", "Value": "test"}]})
    emptied = s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": []})
    assert emptied["ResponseMetadata"]["HTTPStatusCode"] == 204
    _missing(s3.get_bucket_tagging, "NoSuchTagSet", Bucket=bucket)


def test_policy(s3, bucket):
    _missing(s3.get_bucket_policy, "NoSuchBucketPolicy", Bucket=bucket)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]})
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == policy
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_policy(Bucket=bucket, Policy="not json")
    assert error_of(exc)["Code"] == "MalformedPolicy"
    public = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                        "Resource": f"arn:aws:s3:::{bucket}/*"}]})
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_policy(Bucket=bucket, Policy=public)
    assert error_of(exc)["Code"] == "AccessDenied"
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=public)
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True
    s3.delete_bucket_policy(Bucket=bucket)
    _missing(s3.get_bucket_policy, "NoSuchBucketPolicy", Bucket=bucket)


def test_cors(s3, bucket):
    _missing(s3.get_bucket_cors, "NoSuchCORSConfiguration", Bucket=bucket)
    rules = [{"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["*"], "MaxAgeSeconds": 300}]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == rules
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
            {"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]}]})
    assert error_of(exc)["Code"] == "InvalidRequest"
    s3.delete_bucket_cors(Bucket=bucket)
    _missing(s3.get_bucket_cors, "NoSuchCORSConfiguration", Bucket=bucket)


def test_lifecycle(s3, bucket):
    _missing(s3.get_bucket_lifecycle_configuration, "NoSuchLifecycleConfiguration", Bucket=bucket)
    rules = [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 30}},
             {"ID": "abort", "Status": "Enabled", "Filter": {}, "AbortIncompleteMultipartUpload": {
                 "DaysAfterInitiation": 7}}]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rules
    s3.put_object(Bucket=bucket, Key="logs/a", Body=b"x")
    expiration = s3.head_object(Bucket=bucket, Key="logs/a")["Expiration"]
    assert expiration.startswith('expiry-date="') and expiration.endswith('rule-id="expire"')
    s3.put_object(Bucket=bucket, Key="other", Body=b"x")
    assert "Expiration" not in s3.head_object(Bucket=bucket, Key="other")
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
            {"ID": "same", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}},
            {"ID": "same", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 2}}]})
    assert error_of(exc)["Code"] == "InvalidArgument"
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
            {"ID": "none", "Status": "Enabled", "Filter": {}}]})
    assert error_of(exc)["Code"] == "InvalidRequest"
    s3.delete_bucket_lifecycle(Bucket=bucket)
    _missing(s3.get_bucket_lifecycle_configuration, "NoSuchLifecycleConfiguration", Bucket=bucket)


def test_lifecycle_rule_refusals(s3, bucket):
    """A rule without an action is InvalidRequest in AWS's words (an AWS answer quoted in
    crossplane-contrib/provider-aws#1337); a Filter holds exactly one criterion or And (botocore's
    LifecycleRuleFilter documentation), so two side by side do not validate against the schema."""
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
            {"ID": "idle", "Status": "Enabled", "Prefix": ""}]})
    assert error_of(exc) == {"Code": "InvalidRequest", "Message": "At least one action needs to be specified in a rule"}
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
            {"ID": "two", "Status": "Enabled", "Expiration": {"Days": 1},
             "Filter": {"Prefix": "logs/", "Tag": {"Key": "k", "Value": "v"}}}]})
    assert error_of(exc)["Code"] == "MalformedXML"
    _missing(s3.get_bucket_lifecycle_configuration, "NoSuchLifecycleConfiguration", Bucket=bucket)


def test_encryption_defaults_and_kms(s3, bucket):
    default = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert default["Rules"][0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    key_id = boto3.client("kms").create_key()["KeyMetadata"]["KeyId"]
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id},
         "BucketKeyEnabled": True}]})
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert put["ServerSideEncryption"] == "aws:kms"
    assert put["SSEKMSKeyId"] == f"arn:aws:kms:us-east-1:123456789012:key/{key_id}"
    assert put["BucketKeyEnabled"] is True
    assert s3.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "aws:kms"
    s3.delete_bucket_encryption(Bucket=bucket)
    assert s3.put_object(Bucket=bucket, Key="k2", Body=b"x")["ServerSideEncryption"] == "AES256"


def test_ownership_controls_and_acls(s3, bucket):
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    assert error_of(exc)["Code"] == "AccessControlListNotSupported"
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert {g["Permission"] for g in grants} == {"FULL_CONTROL", "READ"}
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    _missing(s3.get_bucket_ownership_controls, "OwnershipControlsNotFoundError", Bucket=bucket)


def test_public_access_block(s3, bucket):
    conf = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert conf == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True}
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicAcls": False})
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is False
    s3.delete_public_access_block(Bucket=bucket)
    _missing(s3.get_public_access_block, "NoSuchPublicAccessBlockConfiguration", Bucket=bucket)


def test_website(s3, bucket):
    _missing(s3.get_bucket_website, "NoSuchWebsiteConfiguration", Bucket=bucket)
    conf = {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}}
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=conf)
    out = s3.get_bucket_website(Bucket=bucket)
    assert out["IndexDocument"] == {"Suffix": "index.html"}
    assert out["ErrorDocument"] == {"Key": "error.html"}
    s3.delete_bucket_website(Bucket=bucket)
    _missing(s3.get_bucket_website, "NoSuchWebsiteConfiguration", Bucket=bucket)


def test_logging(s3, bucket):
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {
            "TargetBucket": "missing-target", "TargetPrefix": "logs/"}})
    assert error_of(exc)["Code"] == "InvalidTargetBucketForLogging"
    s3.create_bucket(Bucket="log-target")
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": "log-target", "TargetPrefix": "logs/"}})
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]["TargetBucket"] == "log-target"
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)


def test_object_lock_configuration(s3, bucket):
    _missing(s3.get_object_lock_configuration, "ObjectLockConfigurationNotFoundError", Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    assert error_of(exc)["Code"] == "InvalidBucketState"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    conf = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 1}}}
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=conf)
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == conf
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert error_of(exc)["Code"] == "InvalidBucketState"


def test_object_lock_configuration_without_a_body_is_refused(s3, versioned):
    """No ObjectLockConfiguration at all: MissingRequestBodyError; an empty one: MalformedXML (moto's
    AWS-verified test_s3_lock.py::test_put_object_lock_misconfiguration)."""
    with pytest.raises(ClientError) as exc:
        s3.put_object_lock_configuration(Bucket=versioned)
    assert error_of(exc) == {"Code": "MissingRequestBodyError", "Message": "Request Body is empty"}
    assert status_of(exc) == 400
    with pytest.raises(ClientError) as exc:
        s3.put_object_lock_configuration(Bucket=versioned, ObjectLockConfiguration={})
    assert error_of(exc)["Code"] == "MalformedXML"


def test_versioning_configuration(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"


def test_accelerate_request_payment_replication(s3, bucket):
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=bucket)
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    _missing(s3.get_bucket_replication, "ReplicationConfigurationNotFoundError", Bucket=bucket)


def test_replication_rules_are_named_and_their_destination_checked(s3, versioned):
    """LocalStack's AWS-validated TestS3BucketReplication: a destination without versioning (or missing) is
    InvalidRequest, no rules is MalformedXML, a rule without ID gets one (test_replication_config and
    test_replication_config_without_filter)."""
    s3.create_bucket(Bucket="replica")
    rule = {"Status": "Enabled", "Priority": 1, "DeleteMarkerReplication": {"Status": "Disabled"},
            "Filter": {"Prefix": "Tax"}, "Destination": {"Bucket": "arn:aws:s3:::replica"}}
    conf = {"Role": "arn:aws:iam::123456789012:role/replication", "Rules": [rule]}
    for destination in ("arn:aws:s3:::no-such-replica", "arn:aws:s3:::replica"):
        with pytest.raises(ClientError) as exc:
            s3.put_bucket_replication(Bucket=versioned, ReplicationConfiguration={
                **conf, "Rules": [dict(rule, Destination={"Bucket": destination})]})
        assert error_of(exc) == {"Code": "InvalidRequest", "Message": "Destination bucket must have versioning enabled."}
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_replication(Bucket=versioned, ReplicationConfiguration={**conf, "Rules": []})
    assert error_of(exc)["Code"] == "MalformedXML"
    s3.put_bucket_versioning(Bucket="replica", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(Bucket=versioned, ReplicationConfiguration=conf)
    [stored] = s3.get_bucket_replication(Bucket=versioned)["ReplicationConfiguration"]["Rules"]
    assert stored.pop("ID")
    assert stored == rule


def test_accelerate_status_outside_the_enum_is_malformed_xml(s3, bucket):
    """A Status outside botocore's BucketAccelerateStatus enum does not validate against S3's schema:
    MalformedXML, as S3 answers values outside a schema enum (LocalStack's AWS-validated
    test_s3_put_inventory_report_exceptions shows the same for inventory enums)."""
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "bad_status"})
    assert error_of(exc)["Code"] == "MalformedXML"
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=bucket)


def test_configuration_of_missing_bucket(s3):
    for call in (s3.get_bucket_tagging, s3.get_bucket_policy, s3.get_bucket_cors, s3.get_bucket_encryption,
                 s3.get_bucket_notification_configuration, s3.get_bucket_versioning):
        with pytest.raises(s3.exceptions.NoSuchBucket):
            call(Bucket="no-such-bucket")


def test_strict_configuration_calls():
    import boto3

    from kumo_intercept import kumo

    with kumo(strict=True):
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="strict-config")
        s3.put_bucket_tagging(Bucket="strict-config", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
        s3.get_bucket_tagging(Bucket="strict-config")
        s3.put_bucket_cors(Bucket="strict-config", CORSConfiguration={"CORSRules": [
            {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]})
        s3.get_bucket_cors(Bucket="strict-config")
        s3.put_bucket_lifecycle_configuration(Bucket="strict-config", LifecycleConfiguration={"Rules": [
            {"ID": "x", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}}]})
        s3.get_bucket_lifecycle_configuration(Bucket="strict-config")
        s3.get_bucket_encryption(Bucket="strict-config")
        s3.get_bucket_ownership_controls(Bucket="strict-config")
        s3.get_public_access_block(Bucket="strict-config")
        s3.get_bucket_acl(Bucket="strict-config")
        s3.get_bucket_logging(Bucket="strict-config")
        s3.get_bucket_notification_configuration(Bucket="strict-config")
