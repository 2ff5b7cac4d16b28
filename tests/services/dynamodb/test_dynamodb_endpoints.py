"""DynamoDB's account-based endpoints on botocore's full path.

AWS SDKs and Tools Reference Guide, "Account-based endpoints": DynamoDB requests go to
``https://<account-id>.ddb.<region>.amazonaws.com`` when the client's ``account_id_endpoint_mode``
is ``preferred`` (the default) or ``required`` and the credentials carry an account ID
(botocore's DynamoDB endpoint rule set builds that host). A call takes the full path when another
handler listens to the request pipeline (a tracing library, moto's ``before-send`` hook)."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

from kumo_intercept import kumo


@pytest.mark.parametrize("mode", ["preferred", "required"])
def test_a_request_to_the_account_endpoint_is_answered(mode):
    sent_to = []
    with kumo():
        session = boto3.Session(aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="secret",
                                region_name="us-west-2")
        credentials = session.get_credentials()
        credentials.account_id = "123456789012"  # as an SSO or assume-role provider sets it
        client = session.client("dynamodb", config=Config(account_id_endpoint_mode=mode))
        client.meta.events.register("request-created.dynamodb.*",
                                    lambda request, **_: sent_to.append(request.url))
        client.create_table(TableName="t", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            BillingMode="PAY_PER_REQUEST")
        assert client.list_tables()["TableNames"] == ["t"]
    assert sent_to[0] == "https://123456789012.ddb.us-west-2.amazonaws.com/"
