#!/usr/bin/env python3
"""Checks HTTP exchanges against GitHub's own API description.

    github_contract.py SPEC EXCHANGES.jsonl

Each line of EXCHANGES is {"method", "path", "status", "request_body",
"response_body"} (bodies as JSON text, or null). For each, the operation is
found in SPEC by method and path template; the request body is validated
against the operation's requestBody schema and the response body against the
schema of the answered status. Prints one line per problem and a summary;
exits 1 if any exchange does not validate or matches no operation.
"""
import json
import re
import sys

from openapi_schema_validator import OAS30Validator

spec = json.load(open(sys.argv[1]))


def allow_null_in_nullable_enums(node):
    """GitHub marks fields such as a check run's `conclusion` `nullable` and sends
    null for them (a run in progress has no conclusion), but lists an `enum`
    without null, which a strict OpenAPI 3.0.3 reading would refuse. Read
    `nullable` as GitHub means it."""
    if isinstance(node, dict):
        if node.get("nullable") and isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = node["enum"] + [None]
        for value in node.values():
            allow_null_in_nullable_enums(value)
    elif isinstance(node, list):
        for value in node:
            allow_null_in_nullable_enums(value)


allow_null_in_nullable_enums(spec)

operations = []
for template, methods in spec["paths"].items():
    # A ref or a file path may hold slashes; other parameters may not.
    pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", re.sub(r"\{(ref|path)\}", ".+", template)) + "$")
    for method, operation in methods.items():
        if isinstance(operation, dict) and "responses" in operation:
            operations.append((method.upper(), pattern, template, operation))


def schema_at(node):
    """The JSON schema of an application/json content node, as a reference into the spec."""
    content = (node or {}).get("content", {}).get("application/json")
    return content.get("schema") if content else None


def validate(schema, instance):
    # The schema with the description's components beside it, so "#/components/..." resolves.
    wrapped = dict(schema, components=spec["components"])
    validator = OAS30Validator(wrapped)
    return sorted(validator.iter_errors(instance), key=lambda e: list(e.path))


problems = 0
checked = 0
for line in open(sys.argv[2]):
    if not line.strip():
        continue
    exchange = json.loads(line)
    method, path = exchange["method"], exchange["path"].split("?")[0]
    match = next(((t, op) for m, p, t, op in operations if m == method and p.match(path)), None)
    if match is None:
        print(f"no operation in the description for {method} {path}")
        problems += 1
        continue
    template, operation = match
    pairs = []
    if exchange.get("request_body"):
        schema = schema_at(operation.get("requestBody"))
        if schema:
            pairs.append(("request", schema, json.loads(exchange["request_body"])))
    status = str(exchange["status"])
    if exchange.get("response_body") and status in operation["responses"]:
        schema = schema_at(operation["responses"][status])
        if schema:
            pairs.append((f"response {status}", schema, json.loads(exchange["response_body"])))
    elif status not in operation["responses"] and not status.startswith(("4", "5")) and status != "304":
        print(f"{method} {template}: status {status} is not one the description lists")
        problems += 1
    for what, schema, body in pairs:
        checked += 1
        for error in validate(schema, body)[:5]:
            where = "/".join(str(p) for p in error.path) or "(top)"
            print(f"{method} {template} {what}: {where}: {error.message[:300]}")
            problems += 1
print(f"checked {checked} bodies, {problems} problems")
sys.exit(1 if problems else 0)
