"""One Lambda function per entity, behind API Gateway's proxy integration.

POST /<entity> 201 with the item, GET /<entity> 200 with the items, GET /<entity>/{id} 200 or
404, PUT /<entity>/{id} 200 or 404 (every field, as in POST), DELETE /<entity>/{id} 204 or 404.
Input that breaks the rules gets 422 with the reasons; a body that is not JSON gets 400.
"""
import json
import os
import uuid
from decimal import Decimal

import boto3

from .entities import ENTITIES
from .validation import problems

_table = None


def table():
    # Made on first use, so tests can point boto3 at their own endpoint before it exists.
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    return _table


def respond(status: int, body=None) -> dict:
    response = {"statusCode": status, "headers": {"Content-Type": "application/json"}}
    response["body"] = "" if body is None else json.dumps(body)
    return response


def to_item(values: dict) -> dict:
    # DynamoDB takes numbers as Decimal; str() keeps 0.1 as 0.1.
    return {key: Decimal(str(value)) if isinstance(value, float) else value for key, value in values.items()}


def from_item(item: dict, fields: dict) -> dict:
    values = {"id": item["id"]}
    for key, kind in fields.items():
        value = item.get(key)
        if isinstance(value, Decimal):
            value = int(value) if kind == "integer" else float(value)
        values[key] = value
    return values


def handle(event, context):
    entity = os.environ["ENTITY"]
    fields = ENTITIES[entity]
    method = event.get("httpMethod", "")
    item_id = (event.get("pathParameters") or {}).get("id")
    body = None
    if method in ("POST", "PUT"):
        try:
            body = json.loads(event.get("body") or "")
        except ValueError:
            return respond(400, {"detail": "the body is not JSON"})
        found = problems(fields, body)
        if found:
            return respond(422, {"detail": found})
    if item_id is None:
        if method == "POST":
            values = {"id": uuid.uuid4().hex, **body}
            table().put_item(Item=to_item(values))
            return respond(201, values)
        if method == "GET":
            items, start = [], {}
            while True:
                page = table().scan(**start)
                items += [from_item(item, fields) for item in page.get("Items", [])]
                if "LastEvaluatedKey" not in page:
                    return respond(200, sorted(items, key=lambda item: item["id"]))
                start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    else:
        missing = respond(404, {"detail": f"there is no {entity} item {item_id}"})
        if method == "GET":
            item = table().get_item(Key={"id": item_id}).get("Item")
            return respond(200, from_item(item, fields)) if item else missing
        if method == "PUT":
            values = {"id": item_id, **body}
            try:
                table().put_item(Item=to_item(values), ConditionExpression="attribute_exists(id)")
            except table().meta.client.exceptions.ConditionalCheckFailedException:
                return missing
            return respond(200, values)
        if method == "DELETE":
            try:
                table().delete_item(Key={"id": item_id}, ConditionExpression="attribute_exists(id)")
            except table().meta.client.exceptions.ConditionalCheckFailedException:
                return missing
            return respond(204)
    return respond(405, {"detail": f"{method} is not allowed here"})
