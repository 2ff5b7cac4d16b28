"""IAM's tables (see store/schema.py): entities, managed policies, credentials and per-account settings.

IAM is global: every key starts with the account, never a region. Names of users, groups, roles and
instance profiles are unique per account regardless of case, so those tables are keyed by
``(account, name.lower())`` and ordered (the order List* answers in).
"""

from __future__ import annotations

from typing import TypedDict

from ...store.schema import ServiceSchema, TableSpec

UsersRecord = TypedDict("UsersRecord", {
    "Arn": str,
    "Attached": list,
    "CreateDate": float,
    "Groups": list,
    "Inline": dict,
    "Path": str,
    "PermissionsBoundary": str | None,
    "Tags": list,
    "UserId": str,
    "UserName": str,
}, total=False)

GroupsRecord = TypedDict("GroupsRecord", {
    "Arn": str,
    "Attached": list,
    "CreateDate": float,
    "GroupId": str,
    "GroupName": str,
    "Inline": dict,
    "Path": str,
    "Tags": list,
}, total=False)

RolesRecord = TypedDict("RolesRecord", {
    "Arn": str,
    "AssumeRolePolicyDocument": str,
    "Attached": list,
    "CreateDate": float,
    "Description": str,
    "Inline": dict,
    "MaxSessionDuration": int,
    "Path": str,
    "PermissionsBoundary": str | None,
    "RoleId": str,
    "RoleName": str,
    "ServiceLinked": bool,
    "Tags": list,
}, total=False)

InstanceProfilesRecord = TypedDict("InstanceProfilesRecord", {
    "Arn": str,
    "CreateDate": float,
    "InstanceProfileId": str,
    "InstanceProfileName": str,
    "Path": str,
    "Roles": list,
    "Tags": list,
}, total=False)

PoliciesRecord = TypedDict("PoliciesRecord", {
    "Arn": str,
    "CreateDate": float,
    "DefaultVersionId": str,
    "Description": str,
    "NextVersion": int,
    "Path": str,
    "PolicyId": str,
    "PolicyName": str,
    "Tags": list,
    "UpdateDate": float,
    "Versions": dict,
}, total=False)

AccessKeysRecord = TypedDict("AccessKeysRecord", {
    "Account": str,
    "CreateDate": float,
    "Status": str,
    "UserName": str,
}, total=False)

LoginProfilesRecord = TypedDict("LoginProfilesRecord", {
    "CreateDate": float,
    "PasswordHash": str,
    "PasswordResetRequired": bool,
    "UserName": str,
}, total=False)

MfaDevicesRecord = TypedDict("MfaDevicesRecord", {
    "EnableDate": float | None,
    "Seed": str,
    "SerialNumber": str,
    "Tags": list,
    "UserName": str | None,
}, total=False)

ProvidersRecord = TypedDict("ProvidersRecord", {
    "Arn": str,
    "ClientIDList": list,
    "CreateDate": float,
    "Kind": str,
    "Metadata": str,
    "Tags": list,
    "ThumbprintList": list,
    "UUID": str,
    "Url": str,
    "ValidUntil": float,
}, total=False)

AccountsRecord = TypedDict("AccountsRecord", {
    "Aliases": list,
    "OutboundEnabled": bool,
    "OutboundIssuer": str | None,
    "PasswordPolicy": dict | None,
    "Report": dict | None,
    "TokenVersion": int,
}, total=False)

DeletionTasksRecord = TypedDict("DeletionTasksRecord", {
    "Service": str,
    "Status": str,
}, total=False)

AccessReportsRecord = TypedDict("AccessReportsRecord", {
    "Arn": str,
    "CreateDate": float,
    "Entities": list,
    "JobType": str,
    "Services": list,
}, total=False)

#: server and signing certificates, SSH public keys and service-specific credentials share a table;
#: which fields a record has depends on its kind (the key's middle element)
CertificatesRecord = TypedDict("CertificatesRecord", {
    "Arn": str,
    "CertificateBody": str,
    "CertificateChain": str | None,
    "CertificateId": str,
    "Expiration": float,
    "Fingerprint": str,
    "Path": str,
    "SSHPublicKeyBody": str,
    "SSHPublicKeyId": str,
    "ServerCertificateId": str,
    "ServerCertificateName": str,
    "ServiceName": str,
    "ServiceSpecificCredentialId": str,
    "ServiceUserName": str,
    "Status": str,
    "Tags": list,
    "UploadDate": float,
    "UserName": str,
}, total=False)

#: (account, user name lower-cased) -> the user: policies attached and inline, groups, tags
USERS = TableSpec("iam.users", UsersRecord, ordered=True)
#: (account, group name lower-cased) -> the group
GROUPS = TableSpec("iam.groups", GroupsRecord, ordered=True)
#: (account, role name lower-cased) -> the role and its trust policy
ROLES = TableSpec("iam.roles", RolesRecord, ordered=True)
#: (account, instance profile name lower-cased) -> the instance profile and its role names
INSTANCE_PROFILES = TableSpec("iam.instance_profiles", InstanceProfilesRecord, ordered=True)
#: (account, policy name) -> a customer managed policy and its versions
POLICIES = TableSpec("iam.policies", PoliciesRecord, ordered=True)
#: access key id -> the user it belongs to and its status
ACCESS_KEYS = TableSpec("iam.access_keys", AccessKeysRecord)
#: (account, user name lower-cased) -> the user's console password
LOGIN_PROFILES = TableSpec("iam.login_profiles", LoginProfilesRecord)
#: (account, serial number) -> a virtual MFA device and the user it is enabled for
MFA_DEVICES = TableSpec("iam.mfa_devices", MfaDevicesRecord, ordered=True)
#: (account, provider ARN) -> an OIDC or SAML identity provider
PROVIDERS = TableSpec("iam.providers", ProvidersRecord, ordered=True)
#: account -> its aliases, password policy, credential report, token version, outbound federation issuer
ACCOUNTS = TableSpec("iam.accounts", AccountsRecord)
#: (account, job id) -> a service-last-accessed report: the namespaces granted, the entities it covers
ACCESS_REPORTS = TableSpec("iam.access_reports", AccessReportsRecord)
#: (account, deletion task id) -> a service-linked role deletion
DELETION_TASKS = TableSpec("iam.deletion_tasks", DeletionTasksRecord)
#: (account, kind, id) -> a server or signing certificate, SSH key or service-specific credential
CERTIFICATES = TableSpec("iam.certificates", CertificatesRecord)

#: the entity tables by kind (``iam.<kind>s``)
ENTITIES = {"user": USERS, "group": GROUPS, "role": ROLES, "instance_profile": INSTANCE_PROFILES}

SCHEMA = ServiceSchema(tables=(USERS, GROUPS, ROLES, INSTANCE_PROFILES, POLICIES, ACCESS_KEYS, LOGIN_PROFILES,
                               MFA_DEVICES, PROVIDERS, ACCOUNTS, DELETION_TASKS, CERTIFICATES, ACCESS_REPORTS))
