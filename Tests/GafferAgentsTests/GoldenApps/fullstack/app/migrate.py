"""Applies app/migrations/*.sql in name order, each once, recorded in schema_migrations.

Add a change to the schema as a new file (0002_add_a_column.sql); never edit one that has run.
"""
from pathlib import Path

from sqlalchemy import text

MIGRATIONS = Path(__file__).parent / "migrations"


def statements(sql: str):
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [part.strip() for part in body.split(";") if part.strip()]


def migrate(engine) -> list:
    applied = []
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Several containers start at once: one migrates while the others wait here.
            connection.execute(text("SELECT pg_advisory_xact_lock(7310)"))
        connection.execute(text("CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(200) PRIMARY KEY)"))
        done = {row[0] for row in connection.execute(text("SELECT version FROM schema_migrations"))}
        for path in sorted(MIGRATIONS.glob("*.sql")):
            if path.stem in done:
                continue
            for statement in statements(path.read_text()):
                connection.execute(text(statement))
            connection.execute(text("INSERT INTO schema_migrations (version) VALUES (:version)"), {"version": path.stem})
            applied.append(path.stem)
    return applied
