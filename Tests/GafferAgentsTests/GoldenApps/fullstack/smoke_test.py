"""A create-read-update-delete round trip for every entity, against a running service.

    python3 smoke_test.py http://localhost:8000

Only the standard library: run it after a release, from anywhere that reaches the service.
It exits 0 when every step answered as it should, and prints one line per entity.
"""
import json
import sys
import urllib.error
import urllib.request

API_PREFIX = "/api"
ENTITIES = [
    ("orders", {"customer": "customer one", "total": 12.5, "paid": True}, {"customer": "customer two", "total": 40.25, "paid": False}),
    ("customers", {"name": "name one", "email": "email one"}, {"name": "name two", "email": "email two"}),
    ("line_items", {"order_id": "order_id one", "quantity": 3}, {"order_id": "order_id two", "quantity": 7}),
]


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, None


def check(what, status, expected):
    if status != expected:
        raise SystemExit(f"{what}: expected {expected}, got {status}")


def main(base):
    base = base.rstrip("/")
    status, body = call(base, "GET", "/health")
    check("GET /health", status, 200)
    for name, item, other in ENTITIES:
        path = f"{API_PREFIX}/{name}"
        status, created = call(base, "POST", path, item)
        check(f"POST {path}", status, 201)
        item_id = created["id"]
        status, read = call(base, "GET", f"{path}/{item_id}")
        check(f"GET {path}/{item_id}", status, 200)
        if read != {"id": item_id, **item}:
            raise SystemExit(f"GET {path}/{item_id}: read back {read}, not {item}")
        status, _ = call(base, "PUT", f"{path}/{item_id}", other)
        check(f"PUT {path}/{item_id}", status, 200)
        status, read = call(base, "GET", f"{path}/{item_id}")
        if read != {"id": item_id, **other}:
            raise SystemExit(f"GET {path}/{item_id} after PUT: read back {read}, not {other}")
        status, _ = call(base, "DELETE", f"{path}/{item_id}")
        check(f"DELETE {path}/{item_id}", status, 204)
        status, _ = call(base, "GET", f"{path}/{item_id}")
        check(f"GET {path}/{item_id} after DELETE", status, 404)
        print(f"{name}: created, read, updated, deleted")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python3 smoke_test.py BASE_URL")
    main(sys.argv[1])
