"""Keys, their states and life cycle, key policies, rotation status and tags, through boto3.

Facts: the AWS KMS API reference and developer guide ("Key states", "Default key policy",
"Scheduling key deletion", "Rotating keys"); error messages from LocalStack's AWS-validated
snapshots in tests/aws/services/kms/test_kms.snapshot.json (test names cited per test).
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

DAY = 86400


def error(exc_info: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc_info.value.response["Error"]
    return err["Code"], err["Message"]


def test_create_key_defaults_to_an_enabled_symmetric_key(kms):
    # snapshot test_create_key: the metadata fields AWS returns for a symmetric key
    meta = kms.create_key(Description="test key 123")["KeyMetadata"]
    assert meta["KeySpec"] == meta["CustomerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
    assert meta["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert meta["KeyState"] == "Enabled" and meta["Enabled"] is True
    assert meta["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    assert meta["Origin"] == "AWS_KMS" and meta["KeyManager"] == "CUSTOMER" and meta["MultiRegion"] is False
    assert meta["Arn"] == f"arn:aws:kms:us-east-1:123456789012:key/{meta['KeyId']}"
    assert len(meta["CurrentKeyMaterialId"]) == 64
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"] == meta


@pytest.mark.parametrize("spec, usage, listed", [
    ("RSA_2048", "ENCRYPT_DECRYPT", {"EncryptionAlgorithms": ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]}),
    ("RSA_4096", "SIGN_VERIFY", {"SigningAlgorithms": [
        "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
        "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"]}),
    ("ECC_NIST_P384", "SIGN_VERIFY", {"SigningAlgorithms": ["ECDSA_SHA_384"]}),
    ("ECC_SECG_P256K1", "SIGN_VERIFY", {"SigningAlgorithms": ["ECDSA_SHA_256"]}),
    ("ECC_NIST_P256", "KEY_AGREEMENT", {"KeyAgreementAlgorithms": ["ECDH"]}),
    ("HMAC_224", "GENERATE_VERIFY_MAC", {"MacAlgorithms": ["HMAC_SHA_224"]}),
])
def test_each_key_spec_reports_its_algorithms(kms, spec, usage, listed):
    # docs "Key spec reference"; snapshot test_hmac_create_key for the HMAC fields
    meta = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
    assert meta["KeySpec"] == spec and meta["KeyUsage"] == usage
    for field, values in listed.items():
        assert meta[field] == values
    assert "CurrentKeyMaterialId" not in meta


def test_key_spec_and_usage_combinations_are_checked(kms):
    # snapshots test_hmac_create_key_invalid_operations and test_derive_shared_secret
    with pytest.raises(ClientError) as exc:
        kms.create_key(KeySpec="HMAC_256")
    assert error(exc) == ("ValidationException", "You must specify a KeyUsage value for all KMS keys "
                                                 "except for symmetric encryption keys.")
    with pytest.raises(ClientError) as exc:
        kms.create_key(KeySpec="RSA_2048", KeyUsage="KEY_AGREEMENT")
    assert error(exc) == ("ValidationException", "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048")
    with pytest.raises(ClientError) as exc:
        kms.create_key(KeySpec="HMAC_random", KeyUsage="GENERATE_VERIFY_MAC")
    code, message = error(exc)
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value 'HMAC_random' at 'keySpec' failed to satisfy "
                              "constraint: Member must satisfy enum value set: [")
    with pytest.raises(ClientError) as exc:
        kms.create_key(KeySpec="SYMMETRIC_DEFAULT", KeyUsage="SIGN_VERIFY")
    assert error(exc)[0] == "ValidationException"


def test_unknown_and_malformed_key_ids_are_not_found(kms):
    # snapshot test_get_key_invalid_uuid and test_get_key_does_not_exist
    with pytest.raises(kms.exceptions.NotFoundException) as exc:
        kms.describe_key(KeyId="fake-key-id")
    assert error(exc)[1] == "Invalid keyId 'fake-key-id'"
    missing = "11111111-2222-4333-8444-555555555555"
    with pytest.raises(kms.exceptions.NotFoundException) as exc:
        kms.describe_key(KeyId=missing)
    assert error(exc)[1] == f"Key 'arn:aws:kms:us-east-1:123456789012:key/{missing}' does not exist"
    with pytest.raises(kms.exceptions.NotFoundException) as exc:
        kms.describe_key(KeyId="alias/nothing")
    assert error(exc)[1] == "Alias arn:aws:kms:us-east-1:123456789012:alias/nothing is not found."


def test_a_key_arn_of_another_region_is_refused(kms, key_id):
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    import boto3
    west = boto3.client("kms", region_name="eu-west-1")
    with pytest.raises(west.exceptions.NotFoundException) as exc:
        west.describe_key(KeyId=arn)
    assert error(exc)[1] == "Invalid arn us-east-1"
    with pytest.raises(west.exceptions.NotFoundException):
        west.describe_key(KeyId=key_id)  # keys are regional


def test_disable_and_enable(kms, key_id):
    # snapshot test_rotate_key_on_demand_raises_error_given_key_is_disabled: "<key-arn> is disabled."
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    kms.disable_key(KeyId=key_id)
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "Disabled" and meta["Enabled"] is False
    with pytest.raises(kms.exceptions.DisabledException) as exc:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
    assert error(exc)[1] == f"{arn} is disabled."
    kms.enable_key(KeyId=key_id)
    assert kms.encrypt(KeyId=key_id, Plaintext=b"x")["KeyId"] == arn


def test_scheduled_deletion_removes_the_key_when_the_window_has_passed(aws, kms, key_id):
    """docs "Deleting AWS KMS keys": 7–30 days, PendingDeletion meanwhile, then the key is gone."""
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/doomed", TargetKeyId=key_id)
    with pytest.raises(ClientError) as exc:
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=6)
    assert error(exc)[0] == "ValidationException"
    answer = kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert answer["KeyState"] == "PendingDeletion" and answer["PendingWindowInDays"] == 7
    assert answer["KeyId"] == arn
    assert answer["DeletionDate"].timestamp() == aws.clock.time() + 7 * DAY
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "PendingDeletion" and meta["DeletionDate"] == answer["DeletionDate"]
    with pytest.raises(kms.exceptions.KMSInvalidStateException) as exc:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
    assert error(exc)[1] == f"{arn} is pending deletion."
    with pytest.raises(kms.exceptions.KMSInvalidStateException):
        kms.enable_key(KeyId=key_id)
    aws.clock.advance(7 * DAY - 1)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    aws.clock.advance(1)
    with pytest.raises(kms.exceptions.NotFoundException) as exc:
        kms.describe_key(KeyId=key_id)
    assert error(exc)[1] == f"Key '{arn}' does not exist"
    assert kms.list_keys()["Keys"] == []
    assert kms.list_aliases()["Aliases"] == []


def test_cancelled_deletion_leaves_the_key_disabled(aws, kms, key_id):
    """docs "Cancel key deletion": the key state changes from Pending deletion to Disabled."""
    kms.schedule_key_deletion(KeyId=key_id)
    arn = kms.cancel_key_deletion(KeyId=key_id)["KeyId"]
    assert arn.endswith(key_id)
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "Disabled" and "DeletionDate" not in meta
    aws.clock.advance(31 * DAY)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Disabled"
    with pytest.raises(kms.exceptions.KMSInvalidStateException):
        kms.cancel_key_deletion(KeyId=key_id)


def test_update_description_and_list_keys_in_pages(kms):
    ids = sorted(kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(5))
    kms.update_key_description(KeyId=ids[0], Description="new words")
    assert kms.describe_key(KeyId=ids[0])["KeyMetadata"]["Description"] == "new words"
    seen, marker = [], None
    while True:
        page = kms.list_keys(Limit=2, **({"Marker": marker} if marker else {}))
        seen += [row["KeyId"] for row in page["Keys"]]
        assert all(row["KeyArn"].endswith(row["KeyId"]) for row in page["Keys"])
        if not page["Truncated"]:
            assert "NextMarker" not in page
            break
        marker = page["NextMarker"]
    assert sorted(seen) == ids
    with pytest.raises(kms.exceptions.InvalidMarkerException):
        kms.list_keys(Marker="not-a-marker")
    for forged in ("MTI=", "WzFd"):  # well-formed tokens of the wrong kind: 12, [1]
        with pytest.raises(kms.exceptions.InvalidMarkerException):
            kms.list_keys(Marker=forged)
        with pytest.raises(kms.exceptions.InvalidMarkerException):
            kms.list_key_rotations(KeyId=ids[0], Marker=forged)
    paginated = [k["KeyId"] for p in kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 3})
                 for k in p["Keys"]]
    assert sorted(paginated) == ids


def test_default_key_policy_is_the_one_aws_writes(kms, key_id):
    """docs "Default key policy": one statement giving the account (root) kms:* on the key."""
    policy = kms.get_key_policy(KeyId=key_id, PolicyName="default")
    assert policy["PolicyName"] == "default"
    document = json.loads(policy["Policy"])
    assert document["Id"] == "key-default-1" and document["Version"] == "2012-10-17"
    assert document["Statement"] == [{
        "Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]
    assert kms.list_key_policies(KeyId=key_id)["PolicyNames"] == ["default"]


def test_put_key_policy_replaces_it_and_refuses_what_is_not_a_policy(kms, key_id):
    new = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}]})
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=new)
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == new
    with pytest.raises(kms.exceptions.MalformedPolicyDocumentException):
        kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy="{not json")
    custom = kms.create_key(Policy=new)["KeyMetadata"]["KeyId"]
    assert kms.get_key_policy(KeyId=custom)["Policy"] == new


def test_rotation_status_and_automatic_rotation_on_the_clock(aws, kms, key_id):
    """API reference EnableKeyRotation: RotationPeriodInDays 90–2560, default 365; snapshot
    test_key_enable_rotation_status."""
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 90
    assert status["NextRotationDate"].timestamp() == aws.clock.time() + 90 * DAY
    before = kms.encrypt(KeyId=key_id, Plaintext=b"old")["CiphertextBlob"]
    first_material = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    aws.clock.advance(181 * DAY)
    rotations = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    assert [r["RotationType"] for r in rotations] == ["AUTOMATIC", "AUTOMATIC"]
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"] != first_material
    assert kms.decrypt(CiphertextBlob=before)["Plaintext"] == b"old"
    with pytest.raises(ClientError) as exc:
        kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=2561)
    assert error(exc)[0] == "ValidationException"
    kms.disable_key_rotation(KeyId=key_id)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is False and "NextRotationDate" not in status


def test_rotate_on_demand_keeps_old_ciphertexts_decrypting(kms, key_id):
    """snapshots test_rotate_on_demand_returns_arn_for_key_id, test_key_rotations_limits,
    test_key_rotation_updates_current_key_material_id_for_aws_symmetric_keys."""
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    blobs = []
    for round_ in range(10):
        blobs.append(kms.encrypt(KeyId=key_id, Plaintext=b"round %d" % round_)["CiphertextBlob"])
        assert kms.rotate_key_on_demand(KeyId=key_id)["KeyId"] == arn
    for round_, blob in enumerate(blobs):
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"round %d" % round_
    rotations = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    assert len(rotations) == 10 and {r["RotationType"] for r in rotations} == {"ON_DEMAND"}
    everything = kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert len(everything) == 11
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False
    with pytest.raises(kms.exceptions.LimitExceededException) as exc:
        kms.rotate_key_on_demand(KeyId=key_id)
    assert error(exc)[1] == ("The on-demand rotations limit has been reached for the given keyId. "
                             f"No more on-demand rotations can be performed for this key: {arn}")
    page = kms.list_key_rotations(KeyId=key_id, Limit=4)
    assert len(page["Rotations"]) == 4 and page["Truncated"]
    rest = kms.list_key_rotations(KeyId=key_id, Marker=page["NextMarker"], Limit=100)["Rotations"]
    assert page["Rotations"] + rest == rotations


def test_rotation_needs_an_enabled_symmetric_key(kms, key_id):
    # snapshots test_rotate_key_on_demand_raises_error_given_non_symmetric_key / …_key_is_disabled
    hmac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    with pytest.raises(kms.exceptions.UnsupportedOperationException) as exc:
        kms.rotate_key_on_demand(KeyId=hmac_key)
    assert error(exc) == ("UnsupportedOperationException", "")
    with pytest.raises(kms.exceptions.UnsupportedOperationException):
        kms.enable_key_rotation(KeyId=hmac_key)
    kms.disable_key(KeyId=key_id)
    with pytest.raises(kms.exceptions.DisabledException):
        kms.rotate_key_on_demand(KeyId=key_id)
    with pytest.raises(kms.exceptions.DisabledException):
        kms.enable_key_rotation(KeyId=key_id)


def test_tags_with_aws_limits(kms):
    # snapshots test_create_key_with_tag_and_untag, test_tag_key_with_duplicate_tag_keys_raises_error,
    # test_create_key_with_too_many_tags_raises_error, test_create_key_with_invalid_tag_key
    key = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "a"}])["KeyMetadata"]["KeyId"]
    kms.tag_resource(KeyId=key, Tags=[{"TagKey": "team", "TagValue": "b"}, {"TagKey": "env", "TagValue": "x"}])
    assert kms.list_resource_tags(KeyId=key)["Tags"] == [{"TagKey": "env", "TagValue": "x"},
                                                         {"TagKey": "team", "TagValue": "b"}]
    kms.untag_resource(KeyId=key, TagKeys=["env", "absent"])
    assert kms.list_resource_tags(KeyId=key)["Tags"] == [{"TagKey": "team", "TagValue": "b"}]
    cases = [
        ([{"TagKey": "k", "TagValue": "1"}, {"TagKey": "k", "TagValue": "2"}], "Duplicate tag keys"),
        ([{"TagKey": "aws:x", "TagValue": "1"}], "Tags beginning with aws: are reserved"),
        ([{"TagKey": "AWS:x", "TagValue": "1"}], "Tags beginning with aws: are reserved"),
        ([{"TagKey": f"k{i}", "TagValue": "v"} for i in range(51)], "Too many tags"),
    ]
    for tags, message in cases:
        with pytest.raises(kms.exceptions.TagException) as exc:
            kms.create_key(Tags=tags)
        assert error(exc)[1] == message
    with pytest.raises(kms.exceptions.TagException):
        kms.tag_resource(KeyId=key, Tags=[{"TagKey": f"n{i}", "TagValue": "v"} for i in range(50)])
    with pytest.raises(ClientError) as exc:
        kms.tag_resource(KeyId=key, Tags=[{"TagKey": "k" * 129, "TagValue": "v"}])
    assert error(exc) == ("ValidationException", "1 validation error detected: Value '" + "k" * 129 +
                          "' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length "
                          "less than or equal to 128")
    page = kms.list_resource_tags(KeyId=key, Limit=1)
    assert page["Truncated"] is False and len(page["Tags"]) == 1


def test_aws_managed_key_is_created_on_first_use_of_its_alias(kms):
    """API reference DescribeKey: a predefined AWS alias gets its AWS managed key when first used."""
    meta = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert meta["KeyManager"] == "AWS"
    assert kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"] == meta["KeyId"]
    assert kms.get_key_rotation_status(KeyId=meta["KeyId"])["KeyRotationEnabled"] is True
    aliases = kms.list_aliases(KeyId=meta["KeyId"])["Aliases"]
    assert [a["AliasName"] for a in aliases] == ["alias/aws/s3"]


def test_inspection_lists_keys_with_their_aliases_grants_and_rotations(aws, kms, key_id):
    kms.create_alias(AliasName="alias/seen", TargetKeyId=key_id)
    kms.create_grant(KeyId=key_id, GranteePrincipal="arn:aws:iam::123456789012:role/r", Operations=["Decrypt"])
    kms.rotate_key_on_demand(KeyId=key_id)
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "team", "TagValue": "a"}])
    [row] = list(aws.state.kms.keys)
    assert row == {"id": key_id, "account": "123456789012", "region": "us-east-1", "spec": "SYMMETRIC_DEFAULT",
                   "usage": "ENCRYPT_DECRYPT", "state": "Enabled", "manager": "CUSTOMER", "aliases": ["alias/seen"],
                   "grants": 1, "rotations": 1, "tags": {"team": "a"}}
