"""Hot statements give what SQLAlchemy gives, in the caller's transaction, on the sqlite3 cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import sqlite

from switchboard.core.db import UtcDateTime, make_sync_sqlite_engine
from switchboard.core.settings import Settings
from switchboard.core.statements import HotStatement

metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(40), unique=True),
    Column("tags", JSON),
    Column("seen_at", UtcDateTime()),
    Column("flag", sqlite.BOOLEAN()),
    Column("size", Integer),
)
sized = Table(
    "sized", metadata, Column("id", Integer, primary_key=True), Column("size", Integer, default=3)
)

INSERT = HotStatement(
    sqlite.insert(things).on_conflict_do_nothing(index_elements=["name"]).returning(things.c.id)
)
BY_NAME = HotStatement(select(things).where(things.c.name == bindparam("name")))
FIRST_TWO = HotStatement(select(things.c.name).order_by(things.c.id).limit(2))
RENAME = HotStatement(update(things).where(things.c.id == bindparam("row_id")))
SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    engine = make_sync_sqlite_engine(Settings(data_dir=tmp_path), pool_size=1, immediate=True)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def row(name: str, **extra: Any) -> dict[str, Any]:
    at = datetime(2026, 3, 1, 9, 30, tzinfo=SHANGHAI)
    return {"name": name, "tags": ["vip", "北京"], "seen_at": at, "flag": True, **extra}


def test_rows_come_back_typed_as_sqlalchemy_reads_them(engine: Any) -> None:
    with engine.connect() as conn, conn.begin():
        new_id = INSERT.scalar(conn, row("王芳"))
        fast = BY_NAME.first(conn, {"name": "王芳"})
        slow = conn.execute(select(things).where(things.c.name == "王芳")).first()
    assert new_id == fast.id == slow.id
    assert tuple(fast) == tuple(slow)
    assert fast.tags == ["vip", "北京"]
    assert fast.seen_at == datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    assert fast.seen_at.tzinfo is not None
    assert fast.flag is True
    assert fast.size is None
    assert on_the_driver(INSERT)
    assert on_the_driver(BY_NAME)


def on_the_driver(statement: HotStatement) -> bool:
    """The statement was compiled for the sqlite3 cursor, not left to SQLAlchemy."""
    return any(compiled is not None for compiled in statement._compiled.values())


def test_a_repeat_is_ignored_and_a_limit_written_in_the_statement_holds(engine: Any) -> None:
    with engine.connect() as conn, conn.begin():
        assert INSERT.scalar(conn, row("a")) is not None
        assert INSERT.scalar(conn, row("a")) is None  # ON CONFLICT DO NOTHING: no row back
        INSERT.scalar(conn, row("b"))
        INSERT.scalar(conn, row("c"))
        assert [r.name for r in FIRST_TWO.rows(conn)] == ["a", "b"]
        assert on_the_driver(FIRST_TWO)
        assert BY_NAME.first(conn, {"name": "nobody"}) is None


def test_it_runs_inside_the_callers_transaction(engine: Any) -> None:
    with engine.connect() as conn:
        with conn.begin() as tx:
            thing = INSERT.scalar(conn, row("gone"))
            RENAME.rows(conn, {"name": "renamed", "row_id": thing})
            assert BY_NAME.first(conn, {"name": "renamed"}) is not None
            tx.rollback()
        with conn.begin():
            assert conn.execute(select(things)).first() is None


def test_naive_times_are_refused_as_sqlalchemy_refuses_them(engine: Any) -> None:
    with engine.connect() as conn, conn.begin(), pytest.raises(ValueError, match="naive"):
        INSERT.scalar(conn, row("x", seen_at=datetime(2026, 3, 1, 9, 30)))


def test_a_default_computed_in_python_is_left_to_sqlalchemy(engine: Any) -> None:
    plain = HotStatement(insert(sized).returning(sized.c.size))
    with engine.connect() as conn, conn.begin():
        # ``size`` is not given: its Python-side default must still apply.
        assert plain.scalar(conn, {"id": 1}) == 3
    assert not on_the_driver(plain)
