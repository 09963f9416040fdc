"""store's HTTP service: /health for the load balancer, and CRUD for each entity.

Run it with `uvicorn --factory app.main:create_app`; the database is migrated at start.
"""
import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import create_engine, text

from .crud import crud_router
from .entities import ENTITIES
from .migrate import migrate
from .settings import database_url

API_PREFIX = ""


def create_app(url=None) -> FastAPI:
    engine = create_engine(url or database_url(), pool_pre_ping=True)

    @asynccontextmanager
    async def lifespan(app):
        migrate(engine)
        yield
        engine.dispose()

    app = FastAPI(title="store", lifespan=lifespan)
    # Only for a front end on another origin (a laptop); in AWS the page and the API share one.
    origins = [origin for origin in os.environ.get("CORS_ORIGINS", "").split(",") if origin]
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["*"], allow_headers=["*"])

    @app.get("/health")
    def health():
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # the load balancer only needs to know the service cannot serve
            raise HTTPException(status_code=503, detail=f"the database is unavailable ({type(error).__name__})")
        return {"status": "ok"}

    for name, (table, model) in ENTITIES.items():
        app.include_router(crud_router(engine, name, table, model), prefix=API_PREFIX)
    return app
