"""The migrations build exactly the schema the mappings describe, on both backends."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from switchboard.core.db import make_engine
from switchboard.core.settings import Settings
from switchboard.migrate import head_revision, upgrade
from switchboard.schema import metadata


def _diff(sync_conn: Any) -> list[Any]:
    context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_migrated_schema_matches_the_models(settings: Settings) -> None:
    before, after = await upgrade(settings)
    assert (before, after) == (None, head_revision())
    engine = make_engine(settings)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(_diff)
    finally:
        await engine.dispose()
    assert differences == []


async def test_upgrade_is_idempotent(settings: Settings) -> None:
    await upgrade(settings)
    assert await upgrade(settings) == (head_revision(), head_revision())
