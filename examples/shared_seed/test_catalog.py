"""Every test starts from the shared catalog seed, changes it freely, and never sees another's changes.

Run: python -m pytest -n 2 examples/shared_seed
"""

import boto3
import pytest

from catalog import PRODUCTS


@pytest.mark.parametrize("product_id", sorted(PRODUCTS))
def test_each_test_starts_from_the_seed(aws, product_id):
    dynamodb = boto3.client("dynamodb")
    assert aws.state.dynamodb.tables("products")["items"] == len(PRODUCTS)
    item = dynamodb.get_item(TableName="products", Key={"id": {"S": product_id}})["Item"]
    assert item["name"]["S"] == PRODUCTS[product_id]
    dynamodb.delete_item(TableName="products", Key={"id": {"S": product_id}})  # gone for this test only
    assert aws.state.dynamodb.tables("products")["items"] == len(PRODUCTS) - 1


def test_the_seed_includes_the_bucket(aws):
    assert aws.state.s3.buckets.names() == ["catalog-images"]
