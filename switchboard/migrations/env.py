"""Alembic environment: runs on the connection handed in by switchboard.migrate."""

from __future__ import annotations

from alembic import context

from switchboard.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `switchboard migrate`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    compare_type=True,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
