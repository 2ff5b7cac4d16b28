"""Testing the multi-service journey of order_journey.py: assert on outcomes through boto3, on state
through `kumo.state`, and on the conversation through `kumo.calls`."""

import boto3
import pytest

from order_journey import create_infrastructure, place_order, ship_next


@pytest.fixture
def infra(kumo):
    return create_infrastructure()


def _order(order_id: str) -> dict:
    return boto3.resource("dynamodb").Table("orders").get_item(Key={"order_id": order_id})["Item"]


@pytest.mark.kumo(clock="virtual", seed=1)
def test_an_order_is_stored_billed_and_shipped(kumo, infra):
    place_order(infra, "o-1", ["tea"], 450)

    # the receipt is in S3, the Lambda subscriber billed the order, the shipping queue has it
    assert [obj["key"] for obj in kumo.state.s3.objects("order-receipts")] == ["o-1.json"]
    assert kumo.state["lambda"].functions("billing")["invocations"] == 1
    assert kumo.state.dynamodb.items("orders") == [
        {"order_id": "o-1", "items": ["tea"], "total_cents": 450, "status": "NEW", "billed": True}]
    assert kumo.state.sqs.queues("shipping")["visible"] == 1

    assert ship_next(infra) == "o-1"
    assert _order("o-1")["status"] == "SHIPPED"
    assert kumo.state.sqs.queues("shipping")["visible"] == 0
    assert ship_next(infra) is None  # the 1-second long poll returns at once on the virtual clock

    kumo.calls.assert_order("dynamodb.PutItem", "s3.PutObject", "sns.Publish", "sqs.ReceiveMessage",
                            "dynamodb.UpdateItem", "sqs.DeleteMessage")
    kumo.calls.assert_called("s3.PutObject", Bucket="order-receipts", Key="o-1.json")


@pytest.mark.kumo(clock="virtual", seed=1)
def test_the_worker_rides_out_throttling(kumo, infra):
    place_order(infra, "o-2", ["cups"], 900)
    kumo.faults.throttle("dynamodb", "UpdateItem", count=2)
    assert ship_next(infra) == "o-2"
    updates = kumo.calls.find("dynamodb.UpdateItem", UpdateExpression="SET #s = :shipped")
    assert [call.error for call in updates] == ["ThrottlingException", "ThrottlingException", None]
    assert _order("o-2")["status"] == "SHIPPED"


@pytest.mark.kumo(clock="virtual", seed=1)
def test_faults_reach_calls_made_inside_a_lambda_handler(kumo, infra):
    kumo.faults.throttle("dynamodb", "UpdateItem", count=2)  # the billing function's update
    place_order(infra, "o-3", ["tray"], 300)
    updates = kumo.calls.find("dynamodb.UpdateItem")
    assert [call.error for call in updates] == ["ThrottlingException", "ThrottlingException", None]
    assert _order("o-3")["billed"] is True
