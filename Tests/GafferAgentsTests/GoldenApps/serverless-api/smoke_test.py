"""A create-read-update-delete round trip for every entity, by calling each function's handler
with API Gateway's event shape, against whatever DynamoDB boto3 is pointed at.

    TABLE_PREFIX=orders- AWS_ENDPOINT_URL=http://127.0.0.1:5000 python3 smoke_test.py

The tables are named TABLE_PREFIX + entity, as the stack names them. It exits 0 when every
step answered as it should, and prints one line per entity.
"""
import json
import os

from api import handler

ENTITIES = [
    ("orders", {"customer": "customer one", "total": 12.5, "paid": True}, {"customer": "customer two", "total": 40.25, "paid": False}),
    ("customers", {"name": "name one", "email": "email one"}, {"name": "name two", "email": "email two"}),
    ("line_items", {"order_id": "order_id one", "quantity": 3}, {"order_id": "order_id two", "quantity": 7}),
]


def call(entity, method, item_id=None, body=None):
    os.environ["ENTITY"] = entity
    os.environ["TABLE_NAME"] = os.environ.get("TABLE_PREFIX", "") + entity
    handler._table = None
    event = {
        "httpMethod": method,
        "resource": f"/{entity}" + ("/{id}" if item_id else ""),
        "path": f"/{entity}" + (f"/{item_id}" if item_id else ""),
        "pathParameters": {"id": item_id} if item_id else None,
        "body": None if body is None else json.dumps(body),
    }
    response = handler.handle(event, None)
    return response["statusCode"], json.loads(response["body"]) if response["body"] else None


def expect(what, got, expected):
    if got != expected:
        raise SystemExit(f"{what}: expected {expected}, got {got}")


def main():
    for name, item, other in ENTITIES:
        status, created = call(name, "POST", body=item)
        expect(f"POST /{name}", status, 201)
        item_id = created["id"]
        expect(f"GET /{name}/{item_id}", call(name, "GET", item_id), (200, {"id": item_id, **item}))
        expect(f"PUT /{name}/{item_id}", call(name, "PUT", item_id, other), (200, {"id": item_id, **other}))
        expect(f"GET /{name}/{item_id} after PUT", call(name, "GET", item_id), (200, {"id": item_id, **other}))
        expect(f"DELETE /{name}/{item_id}", call(name, "DELETE", item_id)[0], 204)
        expect(f"GET /{name}/{item_id} after DELETE", call(name, "GET", item_id)[0], 404)
        print(f"{name}: created, read, updated, deleted")


if __name__ == "__main__":
    main()
