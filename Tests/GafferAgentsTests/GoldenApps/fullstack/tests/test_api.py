"""Written by Gaffer: each entity's endpoints over HTTP, against SQLite in a temporary file.

The service runs on PostgreSQL in AWS; the SQL it uses is the part both databases share, and
Gaffer also runs it against a real PostgreSQL before opening the pull request.
"""
import pytest
from fastapi.testclient import TestClient

from app.main import API_PREFIX, create_app

# (entity, a valid item, another valid item, an item with a field of the wrong type)
ENTITIES = [
    ("orders", {"customer": "customer one", "total": 12.5, "paid": True}, {"customer": "customer two", "total": 40.25, "paid": False}, {"customer": 42, "total": 12.5, "paid": True}),
    ("customers", {"name": "name one", "email": "email one"}, {"name": "name two", "email": "email two"}, {"name": 42, "email": "email one"}),
    ("line_items", {"order_id": "order_id one", "quantity": 3}, {"order_id": "order_id two", "quantity": 7}, {"order_id": 42, "quantity": 3}),
]
NAMES = [entity[0] for entity in ENTITIES]


@pytest.fixture()
def client(tmp_path):
    with TestClient(create_app(f"sqlite:///{tmp_path / 'test.db'}")) as client:
        yield client


def test_health_says_ok_when_the_database_answers(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("name,item,other,_", ENTITIES, ids=NAMES)
def test_create_read_update_delete(client, name, item, other, _):
    path = f"{API_PREFIX}/{name}"
    created = client.post(path, json=item)
    assert created.status_code == 201, created.text
    body = created.json()
    item_id = body.pop("id")
    assert body == item
    assert client.get(f"{path}/{item_id}").json() == {"id": item_id, **item}
    assert item_id in [listed["id"] for listed in client.get(path).json()]
    replaced = client.put(f"{path}/{item_id}", json=other)
    assert replaced.status_code == 200, replaced.text
    assert client.get(f"{path}/{item_id}").json() == {"id": item_id, **other}
    assert client.delete(f"{path}/{item_id}").status_code == 204
    assert client.get(f"{path}/{item_id}").status_code == 404
    assert client.delete(f"{path}/{item_id}").status_code == 404


@pytest.mark.parametrize("name,item,_,invalid", ENTITIES, ids=NAMES)
def test_bad_input_is_refused_with_422(client, name, item, _, invalid):
    path = f"{API_PREFIX}/{name}"
    assert client.post(path, json=invalid).status_code == 422
    assert client.post(path, json={}).status_code == 422
    assert client.post(path, json={**item, "unexpected": "field"}).status_code == 422
    assert client.get(path, params={"limit": 0}).status_code == 422
    assert client.put(f"{path}/no-such-id", json=item).status_code == 404
    assert client.get(path).json() == []


@pytest.mark.parametrize("name,item,_,__", ENTITIES, ids=NAMES)
def test_listing_pages(client, name, item, _, __):
    path = f"{API_PREFIX}/{name}"
    ids = sorted(client.post(path, json=item).json()["id"] for _ in range(3))
    assert [listed["id"] for listed in client.get(path, params={"limit": 2}).json()] == ids[:2]
    assert [listed["id"] for listed in client.get(path, params={"limit": 2, "offset": 2}).json()] == ids[2:]
