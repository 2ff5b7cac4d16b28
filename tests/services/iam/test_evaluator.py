"""The policy evaluator on its own (kumo_intercept.services.iam.evaluator), no AWS calls.

Semantics are the IAM user guide's: "Policy evaluation logic" (explicit deny wins, boundaries must
also allow), "IAM JSON policy elements: Condition operators" (…IfExists, negated operators on a
missing key, Null), "Multivalued context keys" (ForAllValues / ForAnyValue), "Policy variables".
"""

from __future__ import annotations

import json

import pytest

from kumo_intercept.services.iam.evaluator import (UNCHECKED_IDENTITY, Authorization, Policy, PolicySet,
                                                   PreparedAuthorization, Request, authorize, conditions_hold)


def _policy(*statements: dict, source: str = "p") -> Policy:
    return Policy.parse(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}), source, "none")


def evaluate(policies: list[Policy], request: Request, *, resource_policies: list[Policy] | None = None,
             permissions_boundaries: list[Policy] | None = None, same_account: bool = True,
             missing: list[str] | None = None) -> Authorization:
    return authorize(request, PolicySet(policies),
                     resource=PolicySet(resource_policies) if resource_policies is not None else None,
                     boundary=PolicySet(permissions_boundaries) if permissions_boundaries is not None else None,
                     same_account=same_account, missing=missing)


ALLOW_S3 = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}


def test_explicit_deny_beats_allow_and_nothing_is_an_implicit_deny():
    deny_delete = {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "arn:aws:s3:::prod/*"}
    policies = [_policy(ALLOW_S3, source="allow"), _policy(deny_delete, source="deny")]
    assert evaluate(policies, Request("s3:GetObject", "arn:aws:s3:::prod/a")).decision == "allowed"
    result = evaluate(policies, Request("s3:DeleteObject", "arn:aws:s3:::prod/a"))
    assert result.decision == "explicitDeny" and [m.source_id for m in result.matched] == ["deny"]
    assert evaluate(policies, Request("s3:DeleteObject", "arn:aws:s3:::dev/a")).decision == "allowed"
    assert evaluate(policies, Request("sqs:SendMessage")).decision == "implicitDeny"


def test_actions_fold_case_and_resources_do_not():
    policies = [_policy({"Effect": "Allow", "Action": "S3:get?bject", "Resource": "arn:aws:s3:::Bucket/*"})]
    assert evaluate(policies, Request("s3:GetObject", "arn:aws:s3:::Bucket/k")).allowed
    assert not evaluate(policies, Request("s3:GetObject", "arn:aws:s3:::bucket/k")).allowed


def test_not_action_and_not_resource():
    policies = [_policy({"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"})]
    assert evaluate(policies, Request("s3:GetObject", "arn:aws:s3:::public/x")).allowed
    assert not evaluate(policies, Request("iam:CreateUser")).allowed
    assert not evaluate(policies, Request("s3:GetObject", "arn:aws:s3:::secret/x")).allowed


def test_permissions_boundary_must_also_allow():
    boundary = [_policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})]
    policies = [_policy(ALLOW_S3)]
    assert evaluate(policies, Request("s3:GetObject"), permissions_boundaries=boundary).allowed
    assert evaluate(policies, Request("s3:PutObject"), permissions_boundaries=boundary).decision == "implicitDeny"
    assert evaluate([], Request("s3:GetObject"), permissions_boundaries=boundary).decision == "implicitDeny"


def test_resource_policies_name_principals():
    # "Cross-account policy evaluation logic": naming the account needs the identity side to allow too
    bucket = _policy({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                      "Action": "s3:GetObject", "Resource": "*"})
    reader = [_policy(ALLOW_S3)]
    assert evaluate(reader, Request("s3:GetObject", principal="arn:aws:iam::111122223333:user/x"),
                    resource_policies=[bucket], same_account=False).allowed
    assert evaluate([], Request("s3:GetObject", principal="arn:aws:iam::111122223333:user/x"),
                    resource_policies=[bucket], same_account=False).decision == "implicitDeny"
    assert not evaluate(reader, Request("s3:GetObject", principal="arn:aws:iam::999999999999:user/x"),
                        resource_policies=[bucket], same_account=False).allowed
    # a trust policy checked alone (STS without enforcement): the resource side decides
    service = PolicySet([_policy({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                  "Action": "sts:AssumeRole"})])
    assert authorize(Request("sts:AssumeRole", principal="lambda.amazonaws.com", principal_kind="Service"),
                     UNCHECKED_IDENTITY, resource=service, same_account=False).allowed
    assumed = _policy({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/a"},
                       "Action": "sts:AssumeRole"})
    session = Request("sts:AssumeRole", principal="arn:aws:sts::123456789012:assumed-role/a/s",
                      principal_aliases=("arn:aws:iam::123456789012:role/a",))
    assert evaluate([], session, resource_policies=[assumed]).allowed  # the role's own grant, in its account


@pytest.mark.parametrize(("condition", "context", "expected"), [
    ({"StringEquals": {"aws:username": "bob"}}, {"aws:username": "bob"}, True),
    ({"StringEquals": {"aws:username": ["amy", "bob"]}}, {"aws:username": "bob"}, True),
    ({"StringEquals": {"aws:username": "bob"}}, {"AWS:UserName": "bob"}, True),  # keys fold case
    ({"StringEquals": {"aws:username": "bob"}}, {}, False),
    ({"StringNotEquals": {"aws:username": "bob"}}, {}, True),  # a negated operator on a missing key
    ({"StringEqualsIfExists": {"aws:username": "bob"}}, {}, True),
    ({"StringEqualsIgnoreCase": {"aws:username": "BOB"}}, {"aws:username": "bob"}, True),
    ({"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/bob/x"}, True),
    ({"StringNotLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "tmp/x"}, True),
    ({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "5"}, True),
    ({"NumericGreaterThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "5"}, False),
    ({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}, {"aws:CurrentTime": "2029-12-31T23:59:59Z"}, True),
    ({"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}, {"aws:CurrentTime": "1893456000"}, False),
    ({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "true"}, True),
    ({"Bool": {"aws:SecureTransport": True}}, {"aws:SecureTransport": "false"}, False),
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "10.1.2.3"}, True),
    ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "192.168.0.1"}, True),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}}, {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"}, True),
    ({"ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"}}, {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"}, False),
    ({"Null": {"aws:TokenIssueTime": "true"}}, {}, True),
    ({"Null": {"aws:TokenIssueTime": "false"}}, {}, False),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["a"]}, True),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["a", "c"]}, False),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}}, {}, True),  # vacuously true
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["c", "b"]}, True),
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}}, {}, False),
    ({"StringEquals": {"aws:username": "bob"}, "Bool": {"aws:MultiFactorAuthPresent": "true"}},
     {"aws:username": "bob"}, False),  # operators are ANDed
    ({"UnknownOperator": {"k": "v"}}, {"k": "v"}, False),
])
def test_condition_operators(condition, context, expected):
    assert conditions_hold(condition, Request("s3:ListBucket", context=context)) is expected


def test_policy_variables_in_resources():
    policies = [_policy({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"})]
    assert evaluate(policies, Request("s3:GetObject", "arn:aws:s3:::home/bob/f", context={"aws:username": "bob"})).allowed
    assert not evaluate(policies, Request("s3:GetObject", "arn:aws:s3:::home/amy/f", context={"aws:username": "bob"})).allowed


def test_statement_positions_and_missing_context():
    # positions as the simulation reports them: just past the opening brace and just past the closing one
    # (AWS CLI example simulate-custom-policy: the statement's "{" is character 37 of line 1, StartPosition
    # column 38, its "}" character 166, EndPosition column 167)
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "s3:*", "Resource": "*",\n     "Condition": {"StringEquals": {"aws:username": "x\\"}"}}}\n  ]\n}'
    policy = Policy.parse(text, "p", "none")
    statement = policy.statements[0]
    assert (statement.start.line, statement.start.column) == (4, 6)
    assert (statement.end.line, statement.end.column) == (5, 62)
    missing: list[str] = []
    result = evaluate([policy], Request("s3:GetObject"), missing=missing)
    assert result.decision == "implicitDeny" and missing == ["aws:username"]
    example = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
               '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}')
    [statement] = Policy.parse(example).statements
    assert (statement.start.column, statement.end.column) == (38, 167)


def test_a_prepared_decision_answers_as_authorize_does():
    """Enforcement's PreparedAuthorization (statements matched once, conditions checked per request) must
    decide every request exactly as authorize does (IAM User Guide, "Policy evaluation logic")."""
    identity = PolicySet([_policy(
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/t": "a"}}},
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:*:*:${aws:username}-*"},
        {"Effect": "Deny", "Action": "sqs:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Effect": "Deny", "Action": "sqs:SendMessage", "Resource": "*",
         "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}})])
    boundary = PolicySet([_policy({"Effect": "Allow", "Action": "sqs:*", "Resource": "*",
                                   "Condition": {"StringEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}}})])
    resource = PolicySet([_policy({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/bob"},
                                   "Action": "sqs:SendMessage", "Resource": "*",
                                   "Condition": {"StringEquals": {"aws:ResourceTag/t": "open"}}})])
    stable = {"aws:username": "bob", "aws:securetransport": "true"}
    contexts = [{**stable, **extra} for extra in (
        {}, {"aws:resourcetag/t": "a"}, {"aws:resourcetag/t": "open"}, {"aws:currenttime": "2031-01-01T00:00:00Z"},
        {"aws:requestedregion": "eu-west-1", "aws:resourcetag/t": "a"})]

    def request(queue: str, context: dict) -> Request:
        return Request("sqs:SendMessage", f"arn:aws:sqs:us-east-1:123456789012:{queue}",
                       principal="arn:aws:iam::123456789012:user/bob", context=context)

    for queue in ("bob-jobs", "other"):
        for policy_on_resource in (None, resource):
            prepared = PreparedAuthorization(request(queue, contexts[0]), identity, policy_on_resource, boundary, None,
                                             True, False, stable=stable)
            for context in contexts:
                expected = authorize(request(queue, context), identity, resource=policy_on_resource, boundary=boundary)
                assert prepared.decide(request(queue, context)) == expected, (queue, context)
