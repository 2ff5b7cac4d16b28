"""A function's execution role: CreateFunction/UpdateFunctionConfiguration check that Lambda can
assume it, and the handler's boto3 calls act as the role.

Facts: the Lambda API reference's InvalidParameterValueException ("if you provided an IAM role for
AWS Lambda to assume in the CreateFunction or the UpdateFunctionConfiguration API, that AWS Lambda is
unable to assume you will get this exception"; the message AWS sends is "The role defined for the
function cannot be assumed by Lambda."), and the Lambda developer guide's "Lambda execution role"
page: Lambda assumes the role and hands the function its temporary credentials in
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN ("Defined runtime environment
variables"), so the function's session is ``assumed-role/<role>/<function name>``.
"""

from __future__ import annotations

import json

import boto3
import pytest

from kumo_intercept.services.awslambda import register_callable
from lambda_helpers import ROLE, create, execution_role, make_zip
from role_helpers import create_role

WHO_AM_I = {"app.py": """
    import os
    import boto3

    def handler(event, context):
        identity = boto3.client("sts").get_caller_identity()
        session = boto3.session.Session().get_credentials()
        return {"arn": identity["Arn"], "account": identity["Account"],
                "key": os.environ["AWS_ACCESS_KEY_ID"], "session_key": session.access_key,
                "token": bool(os.environ["AWS_SESSION_TOKEN"])}
"""}


def _invoke(lam, name):
    return json.loads(lam.invoke(FunctionName=name)["Payload"].read())


def test_a_role_iam_does_not_hold_is_refused(lam):
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as err:
        lam.create_function(FunctionName="f", Role="arn:aws:iam::123456789012:role/missing", Runtime="python3.12",
                            Handler="app.handler", Code={"ZipFile": make_zip(WHO_AM_I)})
    assert err.value.response["Error"]["Message"] == "The role defined for the function cannot be assumed by Lambda."
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert lam.list_functions()["Functions"] == []


def test_a_role_that_does_not_trust_lambda_is_refused(lam):
    role = create_role("arn:aws:iam::123456789012:role/for-people")["Arn"]  # trusts the account, not Lambda
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="cannot be assumed by Lambda"):
        create(lam, "f", WHO_AM_I, Role=role)


def test_update_function_configuration_checks_the_new_role(lam):
    create(lam, "f", WHO_AM_I)
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="cannot be assumed by Lambda"):
        lam.update_function_configuration(FunctionName="f", Role="arn:aws:iam::123456789012:role/missing")
    assert lam.get_function_configuration(FunctionName="f")["Role"] == ROLE
    other = execution_role("arn:aws:iam::123456789012:role/other")
    assert lam.update_function_configuration(FunctionName="f", Role=other)["Role"] == other


def test_the_handler_acts_as_its_execution_role(lam):
    create(lam, "who", WHO_AM_I)
    seen = _invoke(lam, "who")
    assert seen["arn"] == "arn:aws:sts::123456789012:assumed-role/lambda-role/who"
    assert seen["key"].startswith("ASIA") and seen["session_key"] == seen["key"] and seen["token"]
    # the caller outside the handler is not affected
    assert boto3.client("sts").get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"


def test_the_role_session_is_renewed_before_it_expires(aws):
    lam = boto3.client("lambda")
    create(lam, "who", WHO_AM_I)
    first = _invoke(lam, "who")
    aws.clock.advance(2 * 3600)
    second = _invoke(lam, "who")
    assert second["arn"] == first["arn"] and second["key"] != first["key"]


def test_a_new_role_takes_effect_at_the_next_call(lam):
    create(lam, "who", WHO_AM_I)
    _invoke(lam, "who")
    lam.update_function_configuration(FunctionName="who", Role=execution_role("arn:aws:iam::123456789012:role/next"))
    assert _invoke(lam, "who")["arn"] == "arn:aws:sts::123456789012:assumed-role/next/who"


def test_a_registered_callable_needs_no_role(lam):
    """register_callable creates no role: without one in IAM its calls act as the account."""
    register_callable("plain", lambda event, context: boto3.client("sts").get_caller_identity()["Arn"])
    assert _invoke(lam, "plain") == "arn:aws:iam::123456789012:root"
    role = execution_role("arn:aws:iam::123456789012:role/callable-role")
    register_callable("as-role", lambda event, context: boto3.client("sts").get_caller_identity()["Arn"], role=role)
    assert _invoke(lam, "as-role") == "arn:aws:sts::123456789012:assumed-role/callable-role/as-role"
