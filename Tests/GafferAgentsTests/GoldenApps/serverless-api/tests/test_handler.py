"""Written by Gaffer: each entity's function, called with API Gateway's proxy event, against
DynamoDB as moto plays it in-process."""
import json

import boto3
import pytest
from moto import mock_aws

from api import handler

# (entity, a valid item, another valid item, an item with a field of the wrong type)
ENTITIES = [
    ("orders", {"customer": "customer one", "total": 12.5, "paid": True}, {"customer": "customer two", "total": 40.25, "paid": False}, {"customer": 42, "total": 12.5, "paid": True}),
    ("customers", {"name": "name one", "email": "email one"}, {"name": "name two", "email": "email two"}, {"name": 42, "email": "email one"}),
    ("line_items", {"order_id": "order_id one", "quantity": 3}, {"order_id": "order_id two", "quantity": 7}, {"order_id": 42, "quantity": 3}),
]
NAMES = [entity[0] for entity in ENTITIES]


@pytest.fixture()
def call(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        handler._table = None

        def call(entity, method, item_id=None, body=None):
            monkeypatch.setenv("ENTITY", entity)
            monkeypatch.setenv("TABLE_NAME", f"test-{entity}")
            handler._table = None
            tables = boto3.client("dynamodb").list_tables()["TableNames"]
            if f"test-{entity}" not in tables:
                boto3.client("dynamodb").create_table(
                    TableName=f"test-{entity}",
                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                    BillingMode="PAY_PER_REQUEST",
                )
            event = {
                "httpMethod": method,
                "resource": f"/{entity}" + ("/{id}" if item_id else ""),
                "path": f"/{entity}" + (f"/{item_id}" if item_id else ""),
                "pathParameters": {"id": item_id} if item_id else None,
                "body": body if isinstance(body, str) or body is None else json.dumps(body),
            }
            response = handler.handle(event, None)
            return response["statusCode"], json.loads(response["body"]) if response["body"] else None

        yield call


@pytest.mark.parametrize("name,item,other,_", ENTITIES, ids=NAMES)
def test_create_read_update_delete(call, name, item, other, _):
    status, created = call(name, "POST", body=item)
    assert status == 201, created
    item_id = created.pop("id")
    assert created == item
    assert call(name, "GET", item_id) == (200, {"id": item_id, **item})
    status, listed = call(name, "GET")
    assert status == 200 and item_id in [each["id"] for each in listed]
    assert call(name, "PUT", item_id, other) == (200, {"id": item_id, **other})
    assert call(name, "GET", item_id) == (200, {"id": item_id, **other})
    assert call(name, "DELETE", item_id)[0] == 204
    assert call(name, "GET", item_id)[0] == 404
    assert call(name, "DELETE", item_id)[0] == 404


@pytest.mark.parametrize("name,item,_,invalid", ENTITIES, ids=NAMES)
def test_bad_input_is_refused(call, name, item, _, invalid):
    assert call(name, "POST", body=invalid)[0] == 422
    assert call(name, "POST", body={})[0] == 422
    assert call(name, "POST", body={**item, "unexpected": "field"})[0] == 422
    assert call(name, "POST", body="{not json")[0] == 400
    assert call(name, "PUT", "no-such-id", item)[0] == 404
    assert call(name, "PATCH", "no-such-id", None)[0] == 405
    assert call(name, "GET") == (200, [])
