"""Aliases and grants through boto3.

Facts: the AWS KMS API reference (CreateAlias, UpdateAlias, ListAliases, CreateGrant, ListGrants,
RetireGrant, RevokeGrant) and LocalStack's AWS-validated snapshot test_create_alias.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def error(exc_info: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc_info.value.response["Error"]
    return err["Code"], err["Message"]


def test_alias_names_every_way_kms_accepts(kms, key_id):
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key_id)
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    alias_arn = "arn:aws:kms:us-east-1:123456789012:alias/orders"
    for name in (key_id, arn, "alias/orders", alias_arn):
        assert kms.describe_key(KeyId=name)["KeyMetadata"]["Arn"] == arn
        assert kms.encrypt(KeyId=name, Plaintext=b"p")["KeyId"] == arn


def test_alias_rules(kms, key_id):
    # snapshot test_create_alias: the message for a name without the alias/ prefix
    with pytest.raises(ClientError) as exc:
        kms.create_alias(AliasName="orders", TargetKeyId=key_id)
    assert error(exc) == ("ValidationException", 'Alias must start with the prefix "alias/". Please see '
                                                 "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")
    with pytest.raises(ClientError) as exc:  # API reference: alias/aws/ is reserved for AWS managed keys
        kms.create_alias(AliasName="alias/aws/mine", TargetKeyId=key_id)
    assert error(exc)[0] == "NotAuthorizedException"
    kms.create_alias(AliasName="alias/once", TargetKeyId=key_id)
    with pytest.raises(kms.exceptions.AlreadyExistsException) as exc:
        kms.create_alias(AliasName="alias/once", TargetKeyId=key_id)
    assert error(exc)[1] == "An alias with the name arn:aws:kms:us-east-1:123456789012:alias/once already exists"
    with pytest.raises(ClientError) as exc:
        kms.create_alias(AliasName="alias/bad name", TargetKeyId=key_id)
    assert error(exc)[0] == "ValidationException"
    with pytest.raises(kms.exceptions.NotFoundException):
        kms.delete_alias(AliasName="alias/never")


def test_update_alias_moves_it_to_a_key_of_the_same_kind(kms, key_id):
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/current", TargetKeyId=key_id)
    before = kms.list_aliases(KeyId=key_id)["Aliases"][0]
    kms.update_alias(AliasName="alias/current", TargetKeyId=other)
    assert kms.describe_key(KeyId="alias/current")["KeyMetadata"]["KeyId"] == other
    assert kms.list_aliases(KeyId=key_id)["Aliases"] == []
    moved = kms.list_aliases(KeyId=other)["Aliases"][0]
    assert moved["CreationDate"] == before["CreationDate"] and moved["TargetKeyId"] == other
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as exc:
        kms.update_alias(AliasName="alias/current", TargetKeyId=signing)
    assert error(exc)[0] == "ValidationException"
    kms.delete_alias(AliasName="alias/current")
    with pytest.raises(kms.exceptions.NotFoundException):
        kms.describe_key(KeyId="alias/current")


def test_list_aliases_pages_and_filters_by_key(kms, key_id):
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    for n in range(5):
        kms.create_alias(AliasName=f"alias/a{n}", TargetKeyId=key_id if n % 2 else other)
    names = [a["AliasName"] for p in kms.get_paginator("list_aliases").paginate(PaginationConfig={"PageSize": 2})
             for a in p["Aliases"]]
    assert names == [f"alias/a{n}" for n in range(5)]
    mine = kms.list_aliases(KeyId=kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"])["Aliases"]
    assert [a["AliasName"] for a in mine] == ["alias/a1", "alias/a3"]
    assert all(a["AliasArn"] == f"arn:aws:kms:us-east-1:123456789012:{a['AliasName']}" for a in mine)


def test_an_alias_of_a_key_pending_deletion_cannot_be_created(kms, key_id):
    kms.schedule_key_deletion(KeyId=key_id)
    with pytest.raises(kms.exceptions.KMSInvalidStateException):
        kms.create_alias(AliasName="alias/late", TargetKeyId=key_id)


ROLE = "arn:aws:iam::123456789012:role/worker"
RETIRER = "arn:aws:iam::123456789012:role/retirer"


def test_grants_list_retire_and_revoke(kms, key_id):
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    first = kms.create_grant(KeyId=key_id, GranteePrincipal=ROLE, RetiringPrincipal=RETIRER,
                             Operations=["Encrypt", "Decrypt"], Name="first",
                             Constraints={"EncryptionContextSubset": {"dept": "it"}})
    second = kms.create_grant(KeyId=key_id, GranteePrincipal=RETIRER, Operations=["DescribeKey"])
    assert len(first["GrantId"]) == 64 and first["GrantToken"] != second["GrantToken"]
    grants = kms.list_grants(KeyId=key_id)["Grants"]
    assert {g["GrantId"] for g in grants} == {first["GrantId"], second["GrantId"]}
    entry = next(g for g in grants if g["GrantId"] == first["GrantId"])
    assert entry["KeyId"] == arn and entry["Name"] == "first" and entry["Operations"] == ["Encrypt", "Decrypt"]
    assert entry["IssuingAccount"] == "arn:aws:iam::123456789012:root"
    assert entry["Constraints"] == {"EncryptionContextSubset": {"dept": "it"}}
    assert [g["GrantId"] for g in kms.list_grants(KeyId=key_id, GranteePrincipal=RETIRER)["Grants"]] == \
        [second["GrantId"]]
    assert [g["GrantId"] for g in kms.list_retirable_grants(RetiringPrincipal=RETIRER)["Grants"]] == \
        [first["GrantId"]]
    # the same named grant again is the same grant (API reference CreateGrant: idempotent by Name)
    again = kms.create_grant(KeyId=key_id, GranteePrincipal=ROLE, RetiringPrincipal=RETIRER,
                             Operations=["Encrypt", "Decrypt"], Name="first",
                             Constraints={"EncryptionContextSubset": {"dept": "it"}})
    assert again["GrantId"] == first["GrantId"]
    kms.retire_grant(GrantToken=first["GrantToken"])
    with pytest.raises(kms.exceptions.InvalidGrantTokenException):
        kms.retire_grant(GrantToken=first["GrantToken"])
    with pytest.raises(kms.exceptions.InvalidGrantIdException):
        kms.list_grants(KeyId=key_id, GrantId=first["GrantId"])
    kms.revoke_grant(KeyId=key_id, GrantId=second["GrantId"])
    with pytest.raises(kms.exceptions.InvalidGrantIdException):
        kms.revoke_grant(KeyId=key_id, GrantId=second["GrantId"])
    assert kms.list_grants(KeyId=key_id)["Grants"] == []


def test_retire_by_key_and_grant_id_and_dry_run(kms, key_id):
    grant = kms.create_grant(KeyId=key_id, GranteePrincipal=ROLE, Operations=["Decrypt"])
    with pytest.raises(kms.exceptions.DryRunOperationException):
        kms.retire_grant(KeyId=key_id, GrantId=grant["GrantId"], DryRun=True)
    assert len(kms.list_grants(KeyId=key_id)["Grants"]) == 1
    kms.retire_grant(KeyId=key_id, GrantId=grant["GrantId"])
    assert kms.list_grants(KeyId=key_id)["Grants"] == []


def test_grants_go_with_their_key_and_list_in_pages(aws, kms, key_id):
    made = sorted(kms.create_grant(KeyId=key_id, GranteePrincipal=ROLE, Operations=["Decrypt"])["GrantId"]
                  for _ in range(3))
    listed = [g["GrantId"] for p in kms.get_paginator("list_grants").paginate(
        KeyId=key_id, PaginationConfig={"PageSize": 2}) for g in p["Grants"]]
    assert sorted(listed) == made
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    with pytest.raises(kms.exceptions.KMSInvalidStateException):
        kms.create_grant(KeyId=key_id, GranteePrincipal=ROLE, Operations=["Decrypt"])
    aws.clock.advance(7 * 86400)
    assert aws.state.kms.summary()["keys"] == []
    assert kms.list_retirable_grants(RetiringPrincipal=ROLE)["Grants"] == []
