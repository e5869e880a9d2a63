"""The database: declarative base, engines for SQLite and PostgreSQL, and the group-commit writer.

Every write goes through one :class:`Writer` per process. On SQLite that is the only way to
write at thousands of events a second without ``database is locked``: one connection,
``BEGIN IMMEDIATE``, many operations per commit, each caller told only after the commit.
Readers use the pooled engine and never block the writer (WAL).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar, cast

from sqlalchemy import (
    BigInteger,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import QueuePool
from sqlalchemy.types import TypeDecorator

from switchboard.core.errors import Unavailable
from switchboard.core.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# 64-bit ids on PostgreSQL; on SQLite an INTEGER PRIMARY KEY is the 64-bit rowid already.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: pass timezone-aware times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime()}


# Page cache of each SQLite connection, in KiB.
CACHE_KIB = 65536

# WAL frames (pages) past which a checkpoint finishes with writes held back, so that the WAL
# restarts: 16,384 pages of 4 KiB is 64 MiB.
WAL_RESTART_FRAMES = 16384

# Commits between two WAL checkpoints of the writing connection; at a few pages per call
# event this keeps the WAL near SQLite's default of 1,000 pages.
CHECKPOINT_EVERY = 200


def _sqlite_pragmas(engine: Engine, *, immediate: bool, autocheckpoint: bool = True) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that BEGIN is ours to say.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a committed transaction survives a crash of the process.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        # SQLite's default page cache is 2 MiB a connection: smaller than the customers and
        # calls a contact centre keeps, so hot-path point reads would go to the file each time.
        cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        if not autocheckpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"
    direct = engine.dialect.driver == "pysqlite"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if direct:  # straight to sqlite3: this runs once per transaction on the hot path
            conn.connection.driver_connection.execute(begin)
        else:
            conn.exec_driver_sql(begin)


def _sqlite_path(settings: Settings) -> str:
    url = make_url(settings.resolved_database_url)
    return url.database or ":memory:"


def make_engine(settings: Settings, *, for_writer: bool = False) -> AsyncEngine:
    """The async engine: migrations, health checks and ad-hoc reads. Hot paths use
    :class:`Database`'s ``read`` and ``writer``."""
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            pool_size=1 if for_writer else 2,
            max_overflow=0 if for_writer else 4,
            connect_args={"timeout": 30},
        )
        _sqlite_pragmas(engine.sync_engine, immediate=for_writer)
        return engine
    connect_args: dict[str, Any] = {}
    if settings.database_schema:
        connect_args["server_settings"] = {"search_path": settings.database_schema}
    return create_async_engine(
        url, pool_size=10, max_overflow=10, pool_pre_ping=True, connect_args=connect_args
    )


def make_sync_sqlite_engine(
    settings: Settings, *, pool_size: int, immediate: bool, autocheckpoint: bool = True
) -> Engine:
    """A plain sqlite3 engine whose connections may be used from worker threads.

    ``autocheckpoint=False`` leaves WAL checkpoints to the caller (see ``Database``)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{_sqlite_path(settings)}",
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=0,
        connect_args={"timeout": 30, "check_same_thread": False},
    )
    _sqlite_pragmas(engine, immediate=immediate, autocheckpoint=autocheckpoint)
    return engine


# An operation: a plain function on a synchronous SQLAlchemy connection. On SQLite it runs in a
# worker thread, on PostgreSQL inside AsyncConnection.run_sync: either way one await per batch.
Op = Callable[[Connection], T]


@dataclass
class _Pending:
    op: Op[Any]
    quick: bool = False
    future: asyncio.Future[Any] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class Writer:
    """Runs write operations one transaction per batch, and answers each only after commit.

    An operation is a function taking a synchronous ``Connection``. It must have no effect
    outside that connection: when one operation of a batch fails, the batch is rolled back and
    its operations run again one transaction each, so only the failing one fails.
    """

    def __init__(
        self,
        run_batch: Callable[[list[Op[Any]], bool], Awaitable[list[Any]]],
        *,
        max_batch: int = 200,
        inline_quick: bool = False,
    ) -> None:
        """``inline_quick``: ``run_batch`` runs a quick batch without suspending (SQLite), so
        a quick operation submitted while the writer is idle commits at once in its caller's
        task instead of going through the queue and the writer task."""
        self._run_batch = run_batch
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._inline_quick = inline_quick
        self._lock = asyncio.Lock()  # held while a batch commits
        self.batches = 0
        self.operations = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="switchboard-writer")

    async def close(self) -> None:
        """Finish what was submitted, then stop."""
        self._closing = True
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def run(self, op: Op[T], *, quick: bool = False) -> T:
        """Run ``op`` inside the next group commit; return its result once it is durable.

        ``quick`` declares ``op`` a few indexed statements (a call event, a state change):
        a batch of quick operations only may run where it costs least (on SQLite, on the
        event loop thread, see :class:`Database`). Anything that may scan or write many rows
        leaves it false.
        """
        if self._closing:
            raise Unavailable("the server is shutting down")
        if self._task is None:
            self.start()
        pending = _Pending(op, quick)
        if quick and self._inline_quick and not self._lock.locked() and self._queue.empty():
            # Nothing ahead of it and nothing under way: a batch of one, committed now
            # (taking a free lock does not suspend).
            async with self._lock:
                await self._commit([pending])
            return cast(T, pending.future.result())
        self._queue.put_nowait(pending)
        result: T = await pending.future
        return result

    def held(self) -> asyncio.Lock:
        """``async with writer.held():`` no batch commits meanwhile."""
        return self._lock

    async def _loop(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                async with self._lock:
                    await self._commit(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _commit(self, batch: list[_Pending]) -> None:
        try:
            results = await self._run_batch([p.op for p in batch], all(p.quick for p in batch))
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0], error=_storage_error(exc))
                return
            for pending in batch:
                await self._commit([pending])
            return
        self.batches += 1
        self.operations += len(batch)
        for pending, result in zip(batch, results, strict=True):
            _settle(pending, result=result)


def _in_transaction(conn: Connection, ops: list[Op[Any]]) -> list[Any]:
    with conn.begin():
        return [op(conn) for op in ops]


def _storage_error(exc: Exception) -> Exception:
    from switchboard.core.errors import SwitchboardError

    if isinstance(exc, SwitchboardError):
        return exc
    log.error("write failed: %s: %s", type(exc).__name__, exc)
    return Unavailable("the database did not take the write; nothing was stored")


def _settle(pending: _Pending, *, result: Any = None, error: Exception | None = None) -> None:
    if pending.future.done():
        return
    if error is not None:
        pending.future.set_exception(error)
    else:
        pending.future.set_result(result)


class Database:
    """The database of one process: ``read`` for queries, ``writer`` for every change.

    Both take plain functions on a synchronous connection, so a use case costs one await
    whatever number of statements it runs.
    """

    def __init__(self, settings: Settings, *, readers: int = 4) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        self._threads: list[ThreadPoolExecutor] = []
        self._write_conn: Connection | None = None  # SQLite's one writing connection
        self._checkpoint_conn: sqlite3.Connection | None = None
        self._checkpointing: asyncio.Future[None] | None = None
        if settings.is_sqlite:
            self._read_engine: Engine | None = make_sync_sqlite_engine(
                settings, pool_size=readers, immediate=False
            )
            self._write_engine: Engine | None = make_sync_sqlite_engine(
                settings, pool_size=1, immediate=True, autocheckpoint=False
            )
            self._read_threads = ThreadPoolExecutor(readers, thread_name_prefix="sb-read")
            self._point_conn: Connection | None = None
            self._write_thread = ThreadPoolExecutor(1, thread_name_prefix="sb-write")
            self._commits = 0
            self._checkpoint_thread = ThreadPoolExecutor(1, thread_name_prefix="sb-checkpoint")
            self._threads = [self._read_threads, self._write_thread, self._checkpoint_thread]
            self.writer = Writer(self._sqlite_batch, inline_quick=True)
        else:
            self._read_engine = self._write_engine = None
            self._point_conn = None
            self.writer = Writer(self._async_batch)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def read(self, op: Op[T]) -> T:
        """Run the query function ``op`` on a reading connection."""
        if self._read_engine is not None:
            engine = self._read_engine

            def run() -> T:
                with engine.connect() as conn:
                    return op(conn)

            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._read_threads, run)
        async with self.engine.connect() as aconn:
            return await aconn.run_sync(op)

    async def read_point(self, op: Op[T]) -> T:
        """Run a small indexed query ``op`` where it costs least.

        On SQLite that is inline on the calling (event loop) thread: a point read in WAL mode
        takes tens of microseconds and never waits for the writer, while a hop to a reader
        thread and back costs more than the query. Keep ``op`` to a few indexed lookups;
        anything that scans goes through :meth:`read`. On PostgreSQL it is :meth:`read`.
        """
        if self._read_engine is None:
            return await self.read(op)
        if self._point_conn is None:
            self._point_conn = self._read_engine.connect()
        conn = self._point_conn
        try:
            return op(conn)
        finally:
            # End the read transaction so WAL checkpoints are never held back by it.
            conn.rollback()

    async def _sqlite_batch(self, ops: list[Op[Any]], quick: bool) -> list[Any]:
        """One transaction on the one writing connection.

        A batch of quick operations runs right here on the event loop thread: in WAL mode
        with ``synchronous=NORMAL`` its commit is a write to the WAL file and no fsync, a few
        hundred microseconds at most, less than the hop to the writer thread and back. The
        writing connection never checkpoints by itself (``wal_autocheckpoint=0``): a
        checkpoint writes and syncs the database file, so every ``CHECKPOINT_EVERY`` commits
        one runs in a thread of its own, beside the writes (:meth:`_checkpoint`). A commit is
        as durable either way: once written to the WAL it survives the process being killed.
        """
        if quick:
            results = self._write_batch(ops)
        else:
            loop = asyncio.get_running_loop()
            results = await loop.run_in_executor(self._write_thread, self._write_batch, ops)
        self._after_commit()
        return results

    def _write_batch(self, ops: list[Op[Any]]) -> list[Any]:
        engine = self._write_engine
        assert engine is not None
        if self._write_conn is None:
            self._write_conn = engine.connect()
        try:
            return _in_transaction(self._write_conn, ops)
        except BaseException:
            # Rolled back already; start the next batch on a fresh connection all the same,
            # in case this one is broken.
            self._write_conn.close()
            self._write_conn = None
            raise

    def _after_commit(self) -> None:
        self._commits += 1
        if self._commits < CHECKPOINT_EVERY or self._checkpointing is not None:
            return
        self._commits = 0
        self._checkpointing = asyncio.ensure_future(self._checkpoint_wal())
        self._checkpointing.add_done_callback(self._checkpointed)

    async def _checkpoint_wal(self) -> None:
        """Copy the WAL into the database file, beside the writes.

        A checkpoint syncs the database file: tens of milliseconds on a busy disk, so it runs
        in a thread of its own on a connection of its own while writes go on. Frames written
        meanwhile stay in the WAL, which therefore never starts afresh by itself under a
        steady stream of writes; once it is over ``WAL_RESTART_FRAMES`` the checkpoint is
        finished with writes held back (only the frames written meanwhile are left to copy),
        and the next write starts the WAL from its beginning again.
        """
        loop = asyncio.get_running_loop()
        frames = await loop.run_in_executor(self._checkpoint_thread, self._checkpoint)
        if frames > WAL_RESTART_FRAMES:
            async with self.writer.held():
                await loop.run_in_executor(self._checkpoint_thread, self._checkpoint)

    def _checkpoint(self) -> int:
        """One PASSIVE checkpoint; the number of frames in the WAL."""
        if self._checkpoint_conn is None:
            self._checkpoint_conn = sqlite3.connect(
                _sqlite_path(self.settings), isolation_level=None, check_same_thread=False
            )
        _busy, frames, _copied = self._checkpoint_conn.execute(
            "PRAGMA wal_checkpoint(PASSIVE)"
        ).fetchone()
        return int(frames)

    async def checkpoint_settled(self) -> None:
        """Return once the WAL checkpoint under way, if any, is over (SQLite only)."""
        if self._checkpointing is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._checkpointing)

    def _checkpointed(self, done: asyncio.Future[None]) -> None:
        self._checkpointing = None
        if not done.cancelled() and done.exception() is not None:
            log.warning("WAL checkpoint failed: %s", done.exception())

    async def _async_batch(self, ops: list[Op[Any]], quick: bool) -> list[Any]:
        async with self.engine.connect() as aconn:
            return await aconn.run_sync(_in_transaction, ops)

    async def close(self) -> None:
        await self.writer.close()
        await self.checkpoint_settled()
        if self._write_conn is not None:
            self._write_conn.close()
            self._write_conn = None
        if self._checkpoint_conn is not None:
            self._checkpoint_conn.close()
            self._checkpoint_conn = None
        if self._point_conn is not None:
            self._point_conn.close()
            self._point_conn = None
        await self.engine.dispose()
        for engine in {self._read_engine, self._write_engine} - {None}:
            assert engine is not None
            engine.dispose()
        for pool in self._threads:
            pool.shutdown(wait=True)


def utcnow_from(clock_now: datetime) -> datetime:
    return clock_now.astimezone(UTC)
