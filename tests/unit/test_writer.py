"""The group-commit writer: many operations per commit, one failure fails only itself."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from switchboard.core import db as db_module
from switchboard.core.db import CHECKPOINT_EVERY, Database
from switchboard.core.errors import Conflict, Unavailable
from switchboard.core.settings import Settings


@pytest.fixture
async def database(tmp_path: Path) -> Database:
    db = Database(Settings(data_dir=tmp_path))
    await db.writer.run(lambda conn: conn.execute(text("CREATE TABLE t (v INTEGER UNIQUE)")))
    yield db  # type: ignore[misc]
    await db.close()


def insert(value: int):  # type: ignore[no-untyped-def]
    def op(conn: Connection) -> int:
        conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": value})
        return value

    return op


async def values(db: Database) -> list[int]:
    return await db.read(
        lambda conn: [row[0] for row in conn.execute(text("SELECT v FROM t ORDER BY v"))]
    )


async def test_batches_commit_together(database: Database) -> None:
    results = await asyncio.gather(*(database.writer.run(insert(i)) for i in range(50)))
    assert results == list(range(50))
    assert await values(database) == list(range(50))
    assert database.writer.batches < 50


async def test_a_failing_operation_fails_alone(database: Database) -> None:
    def refuse(conn: Connection) -> None:
        conn.execute(text("INSERT INTO t (v) VALUES (1000)"))
        raise Conflict("no", field="v")

    ops = [insert(1), insert(2), refuse, insert(3), insert(2)]
    results = await asyncio.gather(*(database.writer.run(op) for op in ops), return_exceptions=True)
    assert results[:2] == [1, 2]
    assert isinstance(results[2], Conflict)
    assert results[3] == 3
    assert isinstance(results[4], Unavailable)  # the duplicate value broke the constraint
    assert await values(database) == [1, 2, 3]


async def test_closing_finishes_submitted_work(database: Database) -> None:
    pending = [asyncio.ensure_future(database.writer.run(insert(i))) for i in range(10)]
    await asyncio.sleep(0)
    await database.writer.close()
    assert [p.result() for p in pending] == list(range(10))
    with pytest.raises(Unavailable):
        await database.writer.run(insert(99))


async def test_quick_batches_run_on_the_loop_thread_others_in_the_writer_thread(
    database: Database,
) -> None:
    def where(conn: Connection) -> int:
        conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": threading.get_ident() % 1000})
        return threading.get_ident()

    assert await database.writer.run(where, quick=True) == threading.get_ident()
    await database.writer.run(text_delete)
    assert await database.writer.run(where) != threading.get_ident()


def text_delete(conn: Connection) -> None:
    conn.execute(text("DELETE FROM t"))


async def test_a_failing_quick_batch_rolls_back_and_the_next_one_commits(
    database: Database,
) -> None:
    def half(conn: Connection) -> None:
        conn.execute(text("INSERT INTO t (v) VALUES (7)"))
        raise Conflict("no", field="v")

    with pytest.raises(Conflict):
        await database.writer.run(half, quick=True)
    assert await database.writer.run(insert(8), quick=True) == 8
    assert await values(database) == [8]


async def test_the_wal_is_checkpointed_beside_the_writes(
    database: Database, tmp_path: Path
) -> None:
    for i in range(CHECKPOINT_EVERY):
        await database.writer.run(insert(i), quick=True)
    await database.checkpoint_settled()  # the checkpoint runs in a thread of its own
    # The database file alone (without its WAL) holds what was checkpointed into it.
    copy = tmp_path / "copy.db"
    shutil.copyfile(tmp_path / "switchboard.db", copy)
    with sqlite3.connect(copy) as conn:
        (count,) = conn.execute("SELECT count(*) FROM t").fetchone()
    assert count >= CHECKPOINT_EVERY - 2  # the last commits may have come after it began
    assert len(await values(database)) == CHECKPOINT_EVERY


async def test_a_quick_operation_waits_for_the_batch_under_way(database: Database) -> None:
    under_way = threading.Event()

    def slow(conn: Connection) -> None:
        conn.execute(text("INSERT INTO t (v) VALUES (1)"))
        under_way.set()
        time.sleep(0.2)  # in the writer thread: the loop goes on meanwhile

    def after(conn: Connection) -> int:
        return int(conn.execute(text("SELECT count(*) FROM t")).scalar_one())

    first = asyncio.ensure_future(database.writer.run(slow))
    assert await asyncio.to_thread(under_way.wait, 10.0)  # the slow batch is under way
    assert await database.writer.run(after, quick=True) == 1
    await first


async def test_the_wal_starts_afresh_under_a_steady_stream_of_writes(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "WAL_RESTART_FRAMES", 100)

    seen = []
    for round_ in range(6):
        for i in range(CHECKPOINT_EVERY):
            await database.writer.run(insert(round_ * CHECKPOINT_EVERY + i), quick=True)
            await asyncio.sleep(0)  # the checkpoint thread runs beside the writes
        await database.checkpoint_settled()
        seen.append((tmp_path / "switchboard.db-wal").stat().st_size)
    # Six rounds of writes, yet the WAL file is no longer than about two rounds' worth.
    assert seen[-1] < 2.5 * seen[0], seen
