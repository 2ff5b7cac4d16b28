"""The reference data every test of this folder starts from."""

import boto3

from kumo_intercept import kumo

PRODUCTS = {"p-1": "tea", "p-2": "cups", "p-3": "saucers"}


def build_catalog(path: str) -> None:
    with kumo(seed=1) as aws:
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName="products", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        )
        for product_id, name in PRODUCTS.items():
            dynamodb.put_item(TableName="products", Item={"id": {"S": product_id}, "name": {"S": name}})
        boto3.client("s3").create_bucket(Bucket="catalog-images")
        aws.export(path)
