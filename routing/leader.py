"""Which node routes: one routing leader, elected with a PostgreSQL advisory lock.

Several ``switchboard serve`` nodes may share one PostgreSQL database; only one of them may
run the routing engine, or two engines would offer the same call to two agents. The node
that holds a session-level advisory lock (``pg_try_advisory_lock``) on a connection of its
own is the leader. The others try again every ``poll_s`` seconds, so when the leader goes
(its process dies, its connection drops, the database terminates its session) the lock is
released by PostgreSQL and another node takes over within about ``poll_s``.

The lock alone cannot stop a leader that has not yet noticed its loss from writing once
more. So a new leader also begins a new *term* in the ``routing_leader`` row, and every
write of the routing service first reads that row (``FOR SHARE``) and refuses to write
unless it still names its own term (see ``RoutingService._fence``): the old leader's next
write fails, and it steps down. A new leader rebuilds its engine from the database, where
the calls still waiting, the open requests and the callbacks are.

On SQLite the single process is the leader (the data-directory lock keeps a second
``serve`` away).
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from switchboard.core.db import Database

log = logging.getLogger(__name__)

LEADER_POLL_S = 1.0


def lock_key(schema: str | None) -> int:
    """The advisory lock's key: one per database schema (a signed 64-bit number)."""
    digest = hashlib.blake2b(f"switchboard-routing:{schema or ''}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


class Leadership:
    """The routing lock of this node; on SQLite always held."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self.postgres = database.dialect == "postgresql"
        self.key = lock_key(database.settings.database_schema)
        self._conn: AsyncConnection | None = None
        self.backend_pid: int | None = None  # the lock connection's server process

    @property
    def holding(self) -> bool:
        return not self.postgres or self._conn is not None

    async def acquire(self) -> bool:
        """Try to take the lock (never waits); True when this node holds it."""
        if not self.postgres:
            return True
        if self._conn is not None:
            return await self.held()
        conn = await self._database.engine.connect()
        try:
            got = bool(
                (
                    await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
                ).scalar()
            )
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar()
            await conn.commit()
        except Exception as exc:
            log.warning("routing leadership: cannot ask for the lock: %s", exc)
            await _discard(conn)
            return False
        if not got:
            await conn.close()
            return False
        self._conn = conn
        self.backend_pid = int(pid) if pid is not None else None
        log.info("routing leadership taken (lock %d, backend %s)", self.key, self.backend_pid)
        return True

    async def held(self) -> bool:
        """Is the lock still ours? A lost connection means it is not."""
        if not self.postgres:
            return True
        conn = self._conn
        if conn is None:
            return False
        try:
            await conn.execute(text("SELECT 1"))
            await conn.commit()
        except Exception as exc:
            log.warning("routing leadership lost: %s", exc)
            self._conn = None
            self.backend_pid = None
            await _discard(conn)
            return False
        return True

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        self.backend_pid = None
        if conn is None:
            return
        try:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            await conn.commit()
            await conn.close()
        except Exception:
            await _discard(conn)


async def _discard(conn: AsyncConnection) -> None:
    try:
        await conn.invalidate()
        await conn.close()
    except Exception:  # the connection is gone already
        log.debug("routing leadership: closing a broken connection failed", exc_info=True)
