"""Create, read, update and delete for one entity, over its table.

POST /<entity> 201 with the item, GET /<entity> 200 with a page of items, GET /<entity>/<id>
200 or 404, PUT /<entity>/<id> 200 or 404 (every field, as in POST), DELETE /<entity>/<id>
204 or 404. Input that breaks the model's rules is refused with 422 and the reason.
"""
import uuid

from fastapi import APIRouter, HTTPException, Query, Response
from sqlalchemy import select


def crud_router(engine, name, table, model) -> APIRouter:
    router = APIRouter(prefix=f"/{name}", tags=[name])

    def existing(connection, item_id):
        row = connection.execute(select(table).where(table.c.id == item_id)).mappings().first()
        if row is None:
            raise HTTPException(status_code=404, detail=f"there is no {name} item {item_id}")
        return dict(row)

    @router.post("", status_code=201)
    def create(item: model):
        values = {"id": uuid.uuid4().hex, **item.model_dump()}
        with engine.begin() as connection:
            connection.execute(table.insert().values(**values))
        return values

    @router.get("")
    def list_items(limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)):
        with engine.connect() as connection:
            rows = connection.execute(select(table).order_by(table.c.id).limit(limit).offset(offset)).mappings()
            return [dict(row) for row in rows]

    @router.get("/{item_id}")
    def read(item_id: str):
        with engine.connect() as connection:
            return existing(connection, item_id)

    @router.put("/{item_id}")
    def replace(item_id: str, item: model):
        with engine.begin() as connection:
            existing(connection, item_id)
            connection.execute(table.update().where(table.c.id == item_id).values(**item.model_dump()))
        return {"id": item_id, **item.model_dump()}

    @router.delete("/{item_id}", status_code=204)
    def delete(item_id: str):
        with engine.begin() as connection:
            if connection.execute(table.delete().where(table.c.id == item_id)).rowcount == 0:
                raise HTTPException(status_code=404, detail=f"there is no {name} item {item_id}")
        return Response(status_code=204)

    return router
