"""Schema migrations with alembic, run from code (no alembic.ini needed by operators)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncConnection

from switchboard.core.db import make_engine
from switchboard.core.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaBehind(RuntimeError):
    """The database is not at the schema this code needs."""


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["settings"] = settings
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def _upgrade(connection: object, settings: Settings) -> None:
    config = alembic_config(settings)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade(settings: Settings) -> tuple[str | None, str]:
    """Bring the database to the newest schema; returns (revision before, revision after)."""
    engine = make_engine(settings, for_writer=True)
    try:
        async with engine.connect() as conn:
            if conn.dialect.name == "postgresql" and settings.database_schema:
                await conn.exec_driver_sql(
                    f'CREATE SCHEMA IF NOT EXISTS "{_schema_name(settings.database_schema)}"'
                )
                await conn.commit()
            before = await conn.run_sync(_current)
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade, settings)
        return before, head_revision()
    finally:
        await engine.dispose()


def _schema_name(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"schema name {name!r}: letters, digits and _ only")
    return name


def _current(sync_conn: object) -> str | None:
    return MigrationContext.configure(sync_conn).get_current_revision()  # type: ignore[arg-type]


async def current_revision(conn: AsyncConnection) -> str | None:
    return await conn.run_sync(_current)


async def check_current(conn: AsyncConnection) -> None:
    """Raise :class:`SchemaBehind`, naming the command that fixes it, unless at head."""
    current = await current_revision(conn)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaBehind("the database has no Switchboard schema yet: run `switchboard migrate`")
    script = ScriptDirectory(str(MIGRATIONS))
    known = {rev.revision for rev in script.walk_revisions()}
    if current not in known:
        raise SchemaBehind(
            f"the database is at revision {current}, which this version does not know "
            "(is it newer than this server?)"
        )
    raise SchemaBehind(
        f"the database schema is behind (at {current}, this server needs {head}): "
        "run `switchboard migrate`"
    )


def run_upgrade(settings: Settings) -> tuple[str | None, str]:
    return asyncio.run(upgrade(settings))


async def new_revision(settings: Settings, message: str) -> None:
    """For contributors: write the next migration by comparing a database at head with the
    mappings (review it before committing)."""
    from alembic import command as alembic_command

    await upgrade(settings)
    engine = make_engine(settings, for_writer=True)
    try:
        async with engine.begin() as conn:

            def generate(sync_conn: object) -> None:
                config = alembic_config(settings)
                config.attributes["connection"] = sync_conn
                head = int(head_revision())
                alembic_command.revision(
                    config, message=message, autogenerate=True, rev_id=f"{head + 1:04d}"
                )

            await conn.run_sync(generate)
    finally:
        await engine.dispose()
