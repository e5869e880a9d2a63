"""SLA clocks of requests, kept as stored deadlines.

A request's clocks are matched from the policies (a snapshot of target, calendar and levels
in ``ticket_sla_clocks``); their pauses come from the status history; the pure model
(:class:`~tickets.model.SLAClock`) says when each level is due; the result is stored in
``ticket_sla_timers``, one row per clock and level, which is all the scheduler looks at.
:func:`sync` recomputes one request's deadlines from scratch and is called inside the writer
transaction of every change that can move them: creation, status changes, first responses,
edits of what policies match on, policy and calendar changes. Fired levels stay fired.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, exists, insert, select, update

from customers import store as customer_store
from tickets import store
from tickets.calendars import (
    Categories,
    PolicyEntry,
    UnknownCalendar,
    levels_of,
    load_calendar,
    load_categories,
    load_policies,
)
from tickets.model import RequestFacts, SLAClock, policy_matches
from tickets.model.status import ClockName, Status, clock_events, level_dues

log = logging.getLogger(__name__)

_ONE_US = timedelta(microseconds=1)
CLOCK_NAMES = (ClockName.FIRST_RESPONSE, ClockName.RESOLUTION)
SLA_ACTOR = "sla"  # the actor of what the SLA engine changes


def facts_of(conn: Connection, ticket: Any, categories: Categories) -> RequestFacts:
    tier = None
    if ticket.customer_id is not None:
        customer = customer_store.customer_row(conn, ticket.customer_id)
        tier = customer.tier if customer is not None else None
    return RequestFacts(
        tier=tier,
        category=categories.path(ticket.category_id),
        priority=ticket.priority,
        channel=ticket.channel,
    )


def match(entries: Sequence[PolicyEntry], facts: RequestFacts) -> PolicyEntry | None:
    return next((e for e in entries if policy_matches(e.policy, facts)), None)


def stop_of(clock: str, ticket: Any) -> datetime | None:
    """The first response stops the first-response clock; closing stops the resolution clock."""
    if clock == ClockName.FIRST_RESPONSE:
        value: datetime | None = ticket.responded_at
    else:
        value = ticket.closed_at
    return value


def _monotonic(changes: list[tuple[datetime, str]]) -> list[tuple[datetime, str]]:
    """Status changes in time order even if the wall clock was stepped back between them."""
    out: list[tuple[datetime, str]] = []
    for at, status in changes:
        if out and at < out[-1][0]:
            at = out[-1][0]
        out.append((at, status))
    return out


def build_clock(row: Any, conn: Connection, changes: list[tuple[datetime, str]]) -> SLAClock:
    stopped = row.stopped_at
    calendar = load_calendar(conn, row.calendar_id)
    return SLAClock(
        timedelta(microseconds=row.target_us),
        calendar,
        row.started_at,
        clock_events(ClockName(row.clock), changes, stopped),
        levels_of(row.levels),
    )


def _rematch(
    conn: Connection,
    ticket: Any,
    clocks: dict[str, Any],
    entries: Sequence[PolicyEntry] | None,
    categories: Categories | None,
) -> str | None:
    """Bring the request's clock rows in line with the policy that matches it now."""
    cats = categories or load_categories(conn)
    policies = entries if entries is not None else load_policies(conn, cats)
    entry = match(policies, facts_of(conn, ticket, cats))
    wanted: dict[str, dict[str, Any]] = {}
    if entry is not None:
        targets = (
            (ClockName.FIRST_RESPONSE, entry.policy.first_response),
            (ClockName.RESOLUTION, entry.policy.resolution),
        )
        for clock_name, target in targets:
            if target is not None:
                wanted[str(clock_name)] = {
                    "policy": entry.policy.name,
                    "calendar_id": entry.policy.calendar,
                    "target_us": target // _ONE_US,
                    "levels": entry.levels_json(),
                }
    t = store.clocks_t
    timers = store.timers_t
    for name in clocks:
        if name not in wanted:
            conn.execute(delete(t).where(t.c.ticket_id == ticket.id, t.c.clock == name))
            conn.execute(
                delete(timers).where(
                    timers.c.ticket_id == ticket.id,
                    timers.c.clock == name,
                    timers.c.fired_at.is_(None),
                )
            )
    for name, values in wanted.items():
        row = clocks.get(name)
        if row is None:
            conn.execute(
                insert(t).values(
                    ticket_id=ticket.id,
                    clock=name,
                    started_at=ticket.created_at,
                    stopped_at=None,
                    **values,
                )
            )
        elif any(getattr(row, k) != v for k, v in values.items()):
            conn.execute(
                update(t).where(t.c.ticket_id == ticket.id, t.c.clock == name).values(**values)
            )
    return entry.policy.name if entry is not None else None


def sync(
    conn: Connection,
    ticket_id: int,
    now: datetime,
    *,
    rematch: bool = False,
    entries: Sequence[PolicyEntry] | None = None,
    categories: Categories | None = None,
) -> None:
    """Recompute the request's deadlines at ``now`` (and, with ``rematch``, which policy
    applies). Pending deadlines move; paused or stopped clocks have none; fired ones stay."""
    ticket = store.ticket_row(conn, ticket_id)
    if ticket is None:
        return
    clocks = {r.clock: r for r in store.clock_rows(conn, ticket_id)}
    policy_name = ticket.sla_policy
    if rematch:
        policy_name = _rematch(conn, ticket, clocks, entries, categories)
        clocks = {r.clock: r for r in store.clock_rows(conn, ticket_id)}
    changes = _monotonic(store.status_changes(conn, ticket_id))
    timers = {(r.clock, r.level): r for r in store.timer_rows(conn, ticket_id)}
    t = store.timers_t
    for name, row in clocks.items():
        stopped = stop_of(name, ticket)
        if row.stopped_at != stopped:
            conn.execute(
                update(store.clocks_t)
                .where(store.clocks_t.c.ticket_id == ticket_id, store.clocks_t.c.clock == name)
                .values(stopped_at=stopped)
            )
        levels = levels_of(row.levels)
        try:
            clock = SLAClock(
                timedelta(microseconds=row.target_us),
                load_calendar(conn, row.calendar_id),
                row.started_at,
                clock_events(ClockName(name), changes, stopped),
                levels,
            )
            dues = {d.level.name: d.due_at for d in level_dues(clock, now, stopped)}
        except (UnknownCalendar, ValueError) as exc:
            log.warning("request %s, clock %s: no deadlines (%s)", ticket.number, name, exc)
            dues = {}
        for level in levels:
            due = dues.get(level.name)
            timer = timers.get((name, level.name))
            if timer is None:
                conn.execute(
                    insert(t).values(ticket_id=ticket_id, clock=name, level=level.name, due_at=due)
                )
            elif timer.fired_at is None and timer.due_at != due:
                conn.execute(update(t).where(t.c.id == timer.id).values(due_at=due))
        names = {lv.name for lv in levels}
        for (clock_name, level_name), timer in timers.items():
            if clock_name == name and level_name not in names and timer.fired_at is None:
                conn.execute(delete(t).where(t.c.id == timer.id))
    state = sla_state(store.clock_rows(conn, ticket_id), store.timer_rows(conn, ticket_id))
    if policy_name != ticket.sla_policy:
        store.record(conn, ticket_id, now, SLA_ACTOR, "sla_policy", ticket.sla_policy, policy_name)
    if state != ticket.sla_state or policy_name != ticket.sla_policy:
        conn.execute(
            update(store.tickets_t)
            .where(store.tickets_t.c.id == ticket_id)
            .values(sla_state=state, sla_policy=policy_name)
        )


def sla_state(clock_rows: Sequence[Any], timer_rows: Sequence[Any]) -> str:
    """``breached`` once a level at or past the target fired (a missed target stays missed);
    ``at_risk`` while an earlier level fired on a clock still counting; ``ok`` with clocks;
    ``none`` without."""
    if not clock_rows:
        return "none"
    fraction: dict[tuple[str, str], Decimal] = {}
    for row in clock_rows:
        for level in row.levels:
            fraction[(row.clock, level["name"])] = Decimal(str(level["fraction"]))
    running = {row.clock for row in clock_rows if row.stopped_at is None}
    at_risk = False
    for timer in timer_rows:
        share = fraction.get((timer.clock, timer.level))
        if timer.fired_at is None or share is None:
            continue
        if share >= 1:
            return "breached"
        if timer.clock in running:
            at_risk = True
    return "at_risk" if at_risk else "ok"


def refresh_state(conn: Connection, ticket_id: int) -> str:
    state = sla_state(store.clock_rows(conn, ticket_id), store.timer_rows(conn, ticket_id))
    conn.execute(
        update(store.tickets_t).where(store.tickets_t.c.id == ticket_id).values(sla_state=state)
    )
    return state


# -- the view --------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _seconds(value: timedelta) -> float:
    return round(value / timedelta(seconds=1), 6)


def clock_views(conn: Connection, ticket: Any, now: datetime) -> list[dict[str, Any]]:
    """Each clock with its state, levels (due and fired) and timeline at ``now``."""
    changes = _monotonic(store.status_changes(conn, ticket.id))
    timers = {(r.clock, r.level): r for r in store.timer_rows(conn, ticket.id)}
    out: list[dict[str, Any]] = []
    rows = sorted(store.clock_rows(conn, ticket.id), key=lambda r: CLOCK_NAMES.index(r.clock))
    for row in rows:
        stopped = row.stopped_at
        target = timedelta(microseconds=row.target_us)
        view: dict[str, Any] = {
            "clock": row.clock,
            "policy": row.policy,
            "calendar": row.calendar_id,
            "target_seconds": _seconds(target),
            "started_at": _iso(row.started_at),
            "stopped_at": _iso(stopped),
        }
        try:
            clock = build_clock(row, conn, changes)
        except (UnknownCalendar, ValueError) as exc:
            view.update(state="unknown", error=str(exc), levels=[], timeline=[])
            out.append(view)
            continue
        at = now if stopped is None else min(now, stopped)
        status = clock.status(at)
        if stopped is not None and stopped <= now:
            state = "met" if status.elapsed < target else "missed"
        elif status.paused:
            state = "paused"
        elif status.elapsed >= target:
            state = "breached"
        else:
            state = "running"
        fired = {lv: timers[(row.clock, lv)] for (c, lv) in timers if c == row.clock}
        levels = []
        for due in level_dues(clock, now, stopped):
            timer = fired.get(due.level.name)
            levels.append(
                {
                    "name": due.level.name,
                    "fraction": float(due.level.ratio),
                    "due_at": _iso(
                        timer.fired_due_at if timer is not None and timer.fired_at else due.due_at
                    ),
                    "fired_at": _iso(timer.fired_at if timer is not None else None),
                }
            )
        timeline = []
        for entry in clock.timeline(at):
            if stopped is not None and entry.projected:
                continue
            item: dict[str, Any] = {
                "at": entry.at.isoformat(),
                "kind": str(entry.kind),
                "name": entry.name,
                "elapsed_seconds": _seconds(entry.elapsed),
                "projected": entry.projected,
            }
            if entry.kind == "level":
                timer = fired.get(entry.name)
                item["fired_at"] = _iso(timer.fired_at if timer is not None else None)
            timeline.append(item)
        if stopped is not None and stopped <= now:
            timeline.append(
                {
                    "at": stopped.isoformat(),
                    "kind": "stop",
                    "name": "responded" if row.clock == ClockName.FIRST_RESPONSE else "closed",
                    "elapsed_seconds": _seconds(status.elapsed),
                    "projected": False,
                }
            )
        view.update(
            state=state,
            paused=status.paused,
            elapsed_seconds=_seconds(status.elapsed),
            remaining_seconds=_seconds(status.remaining),
            due_at=_iso(status.due) if stopped is None else None,
            levels=levels,
            timeline=timeline,
        )
        out.append(view)
    return out


# -- recomputing after a policy or calendar change -------------------------------------------


def enqueue_open(conn: Connection, *, calendar_id: str | None = None) -> int:
    """Queue every open request (or those with a clock on ``calendar_id``) for recompute."""
    tickets = store.tickets_t
    query = select(tickets.c.id).where(tickets.c.status != Status.CLOSED)
    if calendar_id is not None:
        clocks = store.clocks_t
        query = query.where(
            exists().where(clocks.c.ticket_id == tickets.c.id, clocks.c.calendar_id == calendar_id)
        )
    stmt = (
        store.dialect_insert(conn, store.recompute_t)
        .from_select(["ticket_id"], query)
        .on_conflict_do_nothing(index_elements=["ticket_id"])
    )
    return int(conn.execute(stmt).rowcount or 0)


def recompute_pending(conn: Connection) -> bool:
    return conn.execute(select(store.recompute_t.c.ticket_id).limit(1)).first() is not None


def recompute_chunk(conn: Connection, now: datetime, limit: int) -> int:
    """Recompute up to ``limit`` queued requests; returns how many were taken."""
    q = store.recompute_t
    query = store.for_update(
        conn, select(q.c.ticket_id).order_by(q.c.ticket_id).limit(limit), skip_locked=True
    )
    ids = [int(r.ticket_id) for r in conn.execute(query)]
    if not ids:
        return 0
    categories = load_categories(conn)
    entries = load_policies(conn, categories)
    for ticket_id in ids:
        row = store.ticket_row(conn, ticket_id)
        if row is not None and row.status != Status.CLOSED:
            sync(conn, ticket_id, now, rematch=True, entries=entries, categories=categories)
    conn.execute(delete(q).where(q.c.ticket_id.in_(ids)))
    return len(ids)
