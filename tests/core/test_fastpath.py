"""The fast path (core/fastpath.py): while an emulator is active, calls skip endpoint resolution and
serialization, yet keep botocore's validation, customisations and checksum resolution; a listener
other than botocore's own on the request pipeline brings the full path back."""

from __future__ import annotations

import base64
import hashlib
import inspect

import boto3
import botocore.client
import botocore.hooks
import botocore.regions
import botocore.serialize
import pytest
from botocore.config import Config
from botocore.exceptions import ParamValidationError
from botocore.stub import Stubber

from kumo_intercept import kumo


@pytest.fixture
def counted(monkeypatch):
    """How often botocore resolved an endpoint and serialized a request."""
    counts = {"endpoint": 0, "serialize": 0}

    def counting(owner, name, key):
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            counts[key] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapper)

    counting(botocore.regions.EndpointRulesetResolver, "construct_endpoint", "endpoint")
    for serializer in (botocore.serialize.JSONSerializer, botocore.serialize.RestXMLSerializer,
                       botocore.serialize.QuerySerializer):
        counting(serializer, "serialize_to_request", "serialize")
    return counts


def test_served_calls_neither_resolve_endpoints_nor_serialize(counted):
    with kumo():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="fast")
        s3.put_object(Bucket="fast", Key="k", Body=b"data")
        sqs = boto3.client("sqs")
        sqs.send_message(QueueUrl=sqs.create_queue(QueueName="q")["QueueUrl"], MessageBody="m")
        assert s3.get_object(Bucket="fast", Key="k")["Body"].read() == b"data"
    assert counted == {"endpoint": 0, "serialize": 0}


def test_botocore_validation_still_refuses_bad_params():
    with kumo():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="fast")
        with pytest.raises(ParamValidationError, match="Invalid type for parameter Body"):
            s3.put_object(Bucket="fast", Key="k", Body=123)
        with pytest.raises(ParamValidationError, match='Missing required parameter in input: "Key"'):
            s3.get_object(Bucket="fast")
        # botocore's own customisations (before-parameter-build) still run: its bucket-name check
        with pytest.raises(ParamValidationError, match="Invalid bucket name"):
            s3.list_objects_v2(Bucket="no/slash")


#: (service, method, bad params): every kind of finding botocore's ParamValidator reports — types,
#: ranges, lengths, required and unknown members, tagged unions (DynamoDB's AttributeValue), JSON-value
#: headers (Lex's sessionAttributes) and documents (Bedrock's additionalModelRequestFields)
_BAD_PARAMS = [
    ("dynamodb", "put_item", {"TableName": "t", "Item": {"a": {"S": "x", "N": "1"}, "b": {}, "c": {"L": [{"S": 1}]}},
                              "Bogus": 1}),
    ("dynamodb", "query", {"TableName": "t", "Limit": 0, "Select": 5, "ExpressionAttributeValues": {":v": {"M": {"k": {"BOOL": "y"}}}}}),
    ("sqs", "send_message_batch", {"QueueUrl": "u", "Entries": [{"Id": "1", "MessageAttributes": {"a": "text"}}]}),
    ("s3", "put_object", {"Bucket": "b", "Key": "k", "Body": 123, "ContentLength": "1", "Tagging": 5}),
    ("lex-runtime", "post_content", {"botName": "b", "botAlias": "a", "userId": "u", "contentType": "t",
                                     "inputStream": b"", "sessionAttributes": {"a": object()}}),
    ("bedrock-runtime", "converse", {"modelId": "m", "messages": [], "additionalModelRequestFields": {"a": {1, 2}}}),
]


def _validation_report(client, method, params):
    with pytest.raises(ParamValidationError) as err:
        getattr(client, method)(**params)
    return str(err.value)


@pytest.mark.parametrize("service, method, params", _BAD_PARAMS, ids=[f"{s}.{m}" for s, m, _ in _BAD_PARAMS])
def test_the_fast_paths_validation_reports_what_botocore_reports(service, method, params):
    # the oracle is botocore itself: the same call validated with no emulator active
    outside = boto3.client(service, region_name="us-east-1", aws_access_key_id="AKIAOUTSIDE",
                           aws_secret_access_key="outside")
    expected = _validation_report(outside, method, params)
    with kumo():
        assert _validation_report(boto3.client(service), method, params) == expected


def test_a_client_without_validation_is_not_validated_by_botocore():
    with kumo():
        sqs = boto3.client("sqs", config=Config(parameter_validation=False))
        # botocore would raise ParamValidationError; the service's own answer comes back instead
        with pytest.raises(sqs.exceptions.ClientError) as err:
            sqs.send_message(QueueUrl=sqs.create_queue(QueueName="q")["QueueUrl"], MessageBody=5)
        assert err.value.response["Error"]["Code"] != "ParamValidationError"


def test_checksums_are_resolved_from_the_params_as_botocore_does():
    body = b"checksummed"
    sha256 = base64.b64encode(hashlib.sha256(body).digest()).decode()
    with kumo():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="fast")
        put = s3.put_object(Bucket="fast", Key="k", Body=body, ChecksumAlgorithm="SHA256")
        assert put["ChecksumSHA256"] == sha256
        # a checksum the caller supplies is checked against the body
        with pytest.raises(s3.exceptions.ClientError) as err:
            s3.put_object(Bucket="fast", Key="k", Body=body, ChecksumSHA256=base64.b64encode(b"x" * 32).decode())
        assert err.value.response["Error"]["Code"] == "BadDigest"


def test_a_foreign_listener_gets_the_real_request_and_its_removal_restores_the_fast_path(counted):
    seen = []

    def foreign_before_call(params, **_):
        seen.append(params["url"])

    with kumo():
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        sqs.meta.events.register("before-call.sqs.SendMessage", foreign_before_call)
        sqs.send_message(QueueUrl=url, MessageBody="m")
        assert seen == ["https://sqs.us-east-1.amazonaws.com/"]
        assert counted["endpoint"] == 1 and counted["serialize"] == 1
        sqs.meta.events.unregister("before-call.sqs.SendMessage", foreign_before_call)
        sqs.send_message(QueueUrl=url, MessageBody="m")
        assert counted == {"endpoint": 1, "serialize": 1}


def test_a_listener_on_another_operation_leaves_this_one_fast(counted):
    with kumo():
        sqs = boto3.client("sqs")
        sqs.meta.events.register("before-send.sqs.ReceiveMessage", lambda **_: None)
        sqs.send_message(QueueUrl=sqs.create_queue(QueueName="q")["QueueUrl"], MessageBody="m")
    assert counted == {"endpoint": 0, "serialize": 0}


def test_presigned_urls_still_name_the_real_endpoint():
    with kumo():
        s3 = boto3.client("s3")
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "fast", "Key": "k"})
    assert url.startswith("https://fast.s3.amazonaws.com/k?")


def test_a_stubber_still_answers_before_the_emulator():
    with kumo():
        sts = boto3.client("sts")
        with Stubber(sts) as stub:
            stub.add_response("get_caller_identity", {"Account": "999999999999", "Arn": "arn:aws:iam::999999999999:root",
                                                      "UserId": "999999999999"})
            assert sts.get_caller_identity()["Account"] == "999999999999"
        assert sts.get_caller_identity()["Account"] == "123456789012"


def test_answered_calls_emit_no_before_call_yet_after_call_listeners_see_the_answer(monkeypatch):
    # botocore's own before-call listeners only build the request (headers, URL) that is never sent;
    # after-call is where customisations read the answer, so it still runs
    emitted = []
    original = botocore.hooks.HierarchicalEmitter.emit_until_response

    def counting(self, event_name, **kwargs):
        emitted.append(event_name)
        return original(self, event_name, **kwargs)

    monkeypatch.setattr(botocore.hooks.HierarchicalEmitter, "emit_until_response", counting)
    answers = []
    with kumo():
        s3 = boto3.client("s3")
        s3.meta.events.register("after-call.s3.PutObject", lambda parsed, **_: answers.append(parsed["ETag"]))
        s3.create_bucket(Bucket="fast")
        etag = s3.put_object(Bucket="fast", Key="k", Body=b"data")["ETag"]
    assert answers == [etag] == [f'"{hashlib.md5(b"data").hexdigest()}"']
    assert not [event for event in emitted if event.startswith("before-call.")]


def test_botocore_make_api_call_mirrored():
    """core/fastpath.py's ``_call_in_process`` repeats the steps of botocore's ``_make_api_call`` that
    a call answered in process needs: a botocore that changes them must be read again."""
    source = inspect.getsource(botocore.client.BaseClient.__dict__["_make_api_call"])
    assert hashlib.sha256(source.encode()).hexdigest() == (
        "75ba491f61ffbd4e04da4ef9c3c4e942b52183ea2896f7a6df447a940805d456")
