"""A journey across services: an order is stored (DynamoDB), its receipt kept (S3), announced (SNS), billed
by a Lambda function subscribed to the topic, and shipped by a worker reading an SQS queue.

Run it:  python examples/order_journey.py
The application code below is plain boto3; only `main()` and the tests wrap it in kumo().
"""

from __future__ import annotations

import io
import json
import zipfile

import boto3

BILLING_HANDLER = '''
import json
import boto3

def handler(event, context):
    table = boto3.resource("dynamodb").Table("orders")
    for record in event["Records"]:
        order = json.loads(record["Sns"]["Message"])
        table.update_item(Key={"order_id": order["order_id"]},
                          UpdateExpression="SET billed = :yes", ExpressionAttributeValues={":yes": True})
'''

#: the billing function's execution role lets Lambda assume it
LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("billing.py", source)
    return buffer.getvalue()


def create_infrastructure() -> dict[str, str]:
    """What a deployment would create; returns the names and ARNs the application needs."""
    dynamodb, s3, sns, sqs, lam = (boto3.client(name) for name in ("dynamodb", "s3", "sns", "sqs", "lambda"))
    dynamodb.create_table(
        TableName="orders", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
    )
    s3.create_bucket(Bucket="order-receipts")
    topic = sns.create_topic(Name="order-events")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="shipping")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    role = boto3.client("iam").create_role(RoleName="billing", AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]
    function = lam.create_function(
        FunctionName="billing", Runtime="python3.12", Handler="billing.handler",
        Role=role["Arn"], Code={"ZipFile": _zip(BILLING_HANDLER)},
    )["FunctionArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function)
    return {"topic": topic, "queue_url": queue_url}


def place_order(infra: dict[str, str], order_id: str, items: list[str], total_cents: int) -> None:
    order = {"order_id": order_id, "items": items, "total_cents": total_cents}
    boto3.resource("dynamodb").Table("orders").put_item(Item={**order, "status": "NEW", "billed": False})
    boto3.client("s3").put_object(Bucket="order-receipts", Key=f"{order_id}.json", Body=json.dumps(order).encode())
    boto3.client("sns").publish(TopicArn=infra["topic"], Message=json.dumps(order))


def ship_next(infra: dict[str, str]) -> str | None:
    """A shipping worker's step: take one order from the queue and mark it shipped."""
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=infra["queue_url"], WaitTimeSeconds=1).get("Messages", [])
    if not messages:
        return None
    order = json.loads(messages[0]["Body"])
    boto3.resource("dynamodb").Table("orders").update_item(
        Key={"order_id": order["order_id"]}, UpdateExpression="SET #s = :shipped",
        ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":shipped": "SHIPPED"},
    )
    sqs.delete_message(QueueUrl=infra["queue_url"], ReceiptHandle=messages[0]["ReceiptHandle"])
    return order["order_id"]


def main() -> None:
    from kumo_intercept import kumo

    with kumo(clock="virtual", seed=1) as aws:
        infra = create_infrastructure()
        place_order(infra, "o-1", ["tea"], 450)
        place_order(infra, "o-2", ["cups", "saucers"], 1200)
        while ship_next(infra):
            pass
        print(aws.state)


if __name__ == "__main__":
    main()
