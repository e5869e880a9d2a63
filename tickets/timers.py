"""The SLA scheduler: fires stored deadlines when they fall due, each exactly once.

Deadlines live in ``ticket_sla_timers`` with ``due_at`` indexed. The scheduler sleeps until
the earliest ``due_at`` (an index lookup) or at most ``max_wait`` seconds, or until poked by a
change that may have brought a deadline forward; then it claims what is due and fires it.

Firing one deadline is one writer transaction together with everything it causes: the timer's
``fired_at`` is set (and ``due_at`` cleared) by an UPDATE that only succeeds while the timer is
still pending, the level's actions are applied (priority raised, request moved to a group),
the history row and the ``sla`` and ``ticket`` channel messages are written. A crash before the
commit leaves the deadline pending, to be fired after the restart; after the commit it is
never pending again. On PostgreSQL due timers are claimed with ``FOR UPDATE SKIP LOCKED`` so
the schedulers of several server nodes share the work without waiting on each other; on
SQLite the single writer makes the claim exclusive.

Time is the app's clock. Times in the scheduler's loop are the clock's; waits are real
seconds unless a ``sleep`` is given (the benchmark's virtual time).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import Connection, bindparam, select, update

from switchboard.core.clock import Clock
from switchboard.core.db import Database
from switchboard.core.errors import SwitchboardError
from switchboard.core.http import CLOCK, DATABASE, PUBLISHER, Publisher
from switchboard.core.outbox import Message
from tickets import clocks, service, store

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(seconds=60)
COALESCE = 0.02  # seconds


@dataclass(frozen=True)
class Fired:
    timer_id: int
    ticket_id: int
    clock: str
    level: str
    due_at: datetime
    fired_at: datetime


@dataclass
class FireBatch:
    claimed: int = 0
    fired: list[Fired] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


_T = store.timers_t
_CLAIM = (
    update(_T)
    .where(_T.c.id == bindparam("timer_id"), _T.c.due_at.is_not(None))
    .values(due_at=None, fired_at=bindparam("now"), fired_due_at=bindparam("due"))
)


def fire_one(conn: Connection, row: Any, now: datetime) -> tuple[Fired, list[Message]] | None:
    """Fire one claimed deadline; None if it was no longer pending."""
    claimed = conn.execute(_CLAIM, {"timer_id": row.id, "now": now, "due": row.due_at})
    if claimed.rowcount != 1:
        return None
    ticket = store.ticket_row(conn, row.ticket_id)
    fired = Fired(row.id, row.ticket_id, row.clock, row.level, row.due_at, now)
    if ticket is None:
        return fired, []
    if row.clock == store.LIFECYCLE:
        if row.level == store.AUTO_CLOSE:
            return fired, service.auto_close(conn, ticket, now)
        return fired, []
    clock = store.clock_row(conn, ticket.id, row.clock)
    if clock is None:  # the clock went (policy change) after the claim was selected
        return fired, []
    return fired, service.escalate(conn, ticket, clock, row.level, row.due_at, now)


def fire_due(conn: Connection, now: datetime, limit: int, *, careful: bool = False) -> FireBatch:
    """Claim up to ``limit`` deadlines due at ``now`` and fire them, in this transaction.

    If anything fails the whole batch fails and nothing of it is stored; the scheduler then
    runs it again ``careful``: each firing in a savepoint, so that one that fails (a bug, bad
    data) is rolled back alone, logged and retried a minute later, and cannot hold back the
    others."""
    query = store.for_update(
        conn,
        select(_T.c.id, _T.c.ticket_id, _T.c.clock, _T.c.level, _T.c.due_at)
        .where(_T.c.due_at <= now)
        .order_by(_T.c.due_at)
        .limit(limit),
        skip_locked=True,
    )
    rows = list(conn.execute(query))
    batch = FireBatch(claimed=len(rows))
    for row in rows:
        if not careful:
            outcome = fire_one(conn, row, now)
        else:
            try:
                with conn.begin_nested():
                    outcome = fire_one(conn, row, now)
            except Exception:
                log.exception(
                    "firing %s/%s of request %s failed; retrying in %s",
                    row.clock,
                    row.level,
                    row.ticket_id,
                    RETRY_AFTER,
                )
                conn.execute(
                    update(_T)
                    .where(_T.c.id == row.id, _T.c.due_at.is_not(None))
                    .values(due_at=now + RETRY_AFTER)
                )
                continue
        if outcome is not None:
            batch.fired.append(outcome[0])
            batch.messages += outcome[1]
    return batch


class Scheduler:
    """Fires due deadlines of this database; one per server process."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        publisher: Publisher | None = None,
        *,
        max_wait: float = 1.0,
        batch: int = 200,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        on_fired: Callable[[Sequence[Fired]], None] | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self._publisher = publisher
        self._max_wait = max_wait
        self._batch = batch
        self._sleep = sleep or self._wait_or_poke
        self._on_fired = on_fired
        self._wake = asyncio.Event()
        self.fired = 0
        self.ticks = 0

    def poke(self) -> None:
        """Something may have brought a deadline forward: look again now."""
        self._wake.set()

    async def tick(self) -> list[Fired]:
        """Fire everything due now (in batches); returns what was fired."""
        out: list[Fired] = []
        self.ticks += 1
        while True:
            now = self._clock.now()

            def fire(conn: Connection, now: datetime = now, limit: int = self._batch) -> FireBatch:
                return fire_due(conn, now, limit)

            def fire_carefully(
                conn: Connection, now: datetime = now, limit: int = self._batch
            ) -> FireBatch:
                return fire_due(conn, now, limit, careful=True)

            try:
                batch = await self._database.writer.run(fire)
            except SwitchboardError:
                # Something in the batch failed and nothing of it was stored: fire the same
                # deadlines one savepoint each, so only the culprit waits.
                batch = await self._database.writer.run(fire_carefully)
            if batch.messages and self._publisher is not None:
                await self._publisher.publish(batch.messages)
            if batch.fired:
                self.fired += len(batch.fired)
                if self._on_fired is not None:
                    self._on_fired(batch.fired)
                out += batch.fired
            if batch.claimed < self._batch:
                return out

    async def next_due(self) -> datetime | None:
        return await self._database.read(store.next_due)

    async def recompute(self, budget: float | None = None) -> int:
        """Work through the recompute queue (policy and calendar changes)."""
        return await drain_recompute(self._database, self._clock, budget=budget)

    async def run(self) -> None:
        """Until cancelled: recompute what is queued, fire what is due, sleep till the next."""
        checked = float("-inf")
        while True:
            poked = self._wake.is_set()
            self._wake.clear()
            wait = self._max_wait
            try:
                if poked or self._clock.monotonic() - checked >= self._max_wait:
                    checked = self._clock.monotonic()
                    if await self._database.read(clocks.recompute_pending):
                        await self.recompute(budget=self._max_wait)
                fired = await self.tick()
                due = await self.next_due()
                if due is not None:
                    ahead = (due - self._clock.now()).total_seconds()
                    if ahead > 0:
                        # Deadlines a few ms apart are fired together: at most COALESCE late.
                        wait = min(self._max_wait, max(ahead, COALESCE))
                    else:
                        # Due again already: more fell due while firing (go on), or another
                        # node holds it locked (look again shortly).
                        wait = 0.0 if fired else 0.05
            except asyncio.CancelledError:
                raise
            except SwitchboardError as exc:
                log.warning("SLA scheduler: %s", exc.message)
            except Exception:
                log.exception("SLA scheduler: tick failed")
            await self._sleep(wait)

    async def _wait_or_poke(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()


async def drain_recompute(
    database: Database, clock: Clock, *, chunk: int = 200, budget: float | None = None
) -> int:
    """Recompute queued requests in chunks (a transaction each) until the queue is empty or
    ``budget`` real seconds have passed; returns how many were recomputed."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    total = 0
    while True:
        now = clock.now()

        def work(conn: Connection, now: datetime = now) -> int:
            return clocks.recompute_chunk(conn, now, chunk)

        done = await database.writer.run(work)
        total += done
        if done < chunk or (budget is not None and loop.time() - started > budget):
            return total


SCHEDULER = web.AppKey("ticket_scheduler", Scheduler)


async def scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: the SLA scheduler runs while the server does."""
    scheduler = Scheduler(app[DATABASE], app[CLOCK], app[PUBLISHER])
    app[SCHEDULER] = scheduler
    task = asyncio.create_task(scheduler.run(), name="sla-scheduler")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
