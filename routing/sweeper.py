"""The sweeper: ends calls that can no longer be live, so no call or agent stays stuck.

A call is taken as lost when nothing was heard of it for a while: ``sweep_ringing_after``
seconds for a call still ringing or queued, ``sweep_live_after`` for one answered or held (a
long conversation sends no events). It is ended with cause ``reconciled`` by an event of our
own, ``sweep:<row id>``, that goes the same way as any phone system's: stored, applied to the
call record, its agent released, the consoles and routing told. Calls whose channel the phone
system no longer has are ended the same way by their adapter when it reconciles.

Several servers may share one PostgreSQL database: each sweep claims its calls with
``SELECT ... FOR UPDATE SKIP LOCKED`` inside the transaction that ends them, so a call is ended
by one node only (and the event id would make a second end a repeat anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import Connection, and_, or_, select

from routing import calls
from routing.service import ROUTING
from routing.store import calls_t
from switchboard.core.errors import SwitchboardError
from switchboard.core.http import CLOCK, DATABASE, PUBLISHER, SETTINGS
from switchboard.core.wire import CallEvent

log = logging.getLogger(__name__)

CAUSE = "reconciled"
MAX_PER_SWEEP = 200


@dataclass(frozen=True)
class Limits:
    ringing_after: timedelta
    live_after: timedelta
    batch: int = MAX_PER_SWEEP


def claim(conn: Connection, now: datetime, limits: Limits) -> list[Any]:
    """The calls silent past their limit, locked for this transaction (others skip them)."""
    c = calls_t.c
    query = (
        select(calls_t)
        .where(
            c.ended_at.is_(None),
            or_(
                and_(c.state == "ringing", c.updated_at < now - limits.ringing_after),
                and_(c.state.in_(("answered", "held")), c.updated_at < now - limits.live_after),
            ),
        )
        .order_by(c.updated_at, c.id)
        .limit(limits.batch)
        .with_for_update(skip_locked=True)
    )
    return list(conn.execute(query))


def end_event(row: Any, now: datetime) -> CallEvent:
    """Our own ``ended`` event for a call the sweeper gives up on."""
    return CallEvent.model_validate(
        {
            "event_id": f"sweep:{row.id}",
            "call_id": row.call_id,
            "type": "ended",
            "direction": row.direction,
            "from": row.from_number,
            "to": row.to_number,
            "cause": CAUSE,
            "at": now,
        }
    )


def sweep(
    conn: Connection, now: datetime, limits: Limits
) -> list[tuple[str, calls.Prepared, calls.Ingested]]:
    """End every claimed call inside the caller's transaction; (source, prepared, result)."""
    done = []
    for row in claim(conn, now, limits):
        prepared = calls.Prepared(end_event(row, now), row.source, now)
        done.append((row.source, prepared, calls.record(conn, prepared, now)))
    return done


async def sweep_once(app: web.Application, now: datetime | None = None) -> int:
    """One sweep: end what is stale, tell consoles and routing; the number of calls ended."""
    settings = app[SETTINGS]
    limits = Limits(
        timedelta(seconds=settings.sweep_ringing_after),
        timedelta(seconds=settings.sweep_live_after),
    )
    when = now or app[CLOCK].now()
    done = await app[DATABASE].writer.run(lambda c: sweep(c, when, limits))
    if not done:
        return 0
    await app[PUBLISHER].publish([m for _, _, result in done for m in result.messages])
    routing = app.get(ROUTING)
    if routing is not None:
        by_source: dict[str, list[tuple[calls.Prepared, calls.Ingested]]] = {}
        for source, prepared, result in done:
            by_source.setdefault(source, []).append((prepared, result))
        for source, events in by_source.items():
            try:
                await routing.on_call_events(source, events)
            except Exception:
                log.exception("routing did not follow swept calls of %s", source)
    ended = [r for _, _, r in done if not r.duplicate]
    log.warning(
        "sweeper ended %d call(s) silent too long with cause %s: %s",
        len(ended),
        CAUSE,
        ", ".join(f"{source}/{p.event.call_id}" for source, p, _ in done[:10]),
    )
    return len(ended)


async def sweeper_ctx(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: sweep every ``sweep_interval`` seconds while the server runs."""

    async def forever() -> None:
        while True:
            await asyncio.sleep(app[SETTINGS].sweep_interval)
            try:
                while await sweep_once(app) >= MAX_PER_SWEEP:
                    pass  # more than one batch was stale: go on at once
            except SwitchboardError as exc:
                log.warning("sweep failed: %s", exc.message)
            except Exception:
                log.exception("sweep failed")

    task = asyncio.create_task(forever(), name="call-sweeper")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
