"""Agents, calls, the CTI event log, routing queues and decisions: tables and queries."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Connection,
    Float,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    bindparam,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from switchboard.core import outbox
from switchboard.core.db import Base, BigId
from switchboard.core.outbox import Message
from switchboard.core.statements import HotStatement


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    extension: Mapped[str | None] = mapped_column(String(32), unique=True)
    skills: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    team: Mapped[str | None] = mapped_column(String(64))
    # The site or region the agent works in (华东, 华南...), for leaderboards by region.
    region: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="offline")
    state_reason: Mapped[str | None] = mapped_column(String(100))
    state_since: Mapped[datetime]
    created_at: Mapped[datetime]
    # Units of work per channel at once ({"voice": 1, "ticket": 5}); None: voice 1.
    capacity: Mapped[dict[str, int] | None] = mapped_column(JSON)
    # Channels never mixed (no chat during a call); None: none.
    exclusive: Mapped[list[str] | None] = mapped_column(JSON)
    # When a timed state (wrap_up) ends by itself.
    state_until: Mapped[datetime | None]


class CtiEvent(Base):
    """Every acknowledged call event, as received: the durable log the call records come from."""

    __tablename__ = "cti_events"
    __table_args__ = (UniqueConstraint("source", "event_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(100))
    event_id: Mapped[str] = mapped_column(String(128))
    call_id: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    received_at: Mapped[datetime]
    payload: Mapped[str] = mapped_column(Text)


class Call(Base):
    __tablename__ = "calls"
    __table_args__ = (
        UniqueConstraint("source", "call_id"),
        Index("ix_calls_agent_state", "agent_id", "state"),
        Index("ix_calls_open", "ended_at", "updated_at"),
        # The floor (routing.floor) reads what changed since its last look, several times a second.
        Index("ix_calls_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(100))
    call_id: Mapped[str] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(16))
    from_number: Mapped[str] = mapped_column(String(64))
    to_number: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[str | None] = mapped_column(String(64))
    queue: Mapped[str | None] = mapped_column(String(128))
    ivr: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[int | None]
    contact_id: Mapped[int | None]
    match_status: Mapped[str | None] = mapped_column(String(16))
    popped_agent: Mapped[str | None] = mapped_column(String(64))
    ringing_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    abandoned: Mapped[bool] = mapped_column(default=False)
    on_hold: Mapped[bool] = mapped_column(default=False)
    hold_changed_at: Mapped[datetime | None]
    agent_changed_at: Mapped[datetime | None]
    cause: Mapped[str | None] = mapped_column(String(64))
    # The agent routing offered or gave this call to; cleared when it goes back to the queue.
    routed_agent: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime]
    # Who had the call when and its holds, as sets of marks (routing.model); what follows
    # from them is kept too, for reports: the legs per agent, the durations, the last transfer.
    marks: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    legs: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    ring_seconds: Mapped[float | None] = mapped_column(Float)
    talk_seconds: Mapped[float | None] = mapped_column(Float)
    hold_seconds: Mapped[float | None] = mapped_column(Float)
    transfer_kind: Mapped[str | None] = mapped_column(String(16))
    transfer_to: Mapped[str | None] = mapped_column(String(128))


class RoutingQueue(Base):
    """A routing queue's configuration (``routing.schemas.QueueConfig`` without the id)."""

    __tablename__ = "routing_queues"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RoutingDecision(Base):
    """One routing decision as it was made: who won and the few best, counts of the rules that
    removed the others. The full trace is rebuilt by the engine that made it (``run``) while
    it still remembers the decision."""

    __tablename__ = "routing_decisions"
    __table_args__ = (
        Index("ix_routing_decisions_item_id", "item_id", "id"),
        Index("ix_routing_decisions_at", "at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run: Mapped[str] = mapped_column(String(32))
    decision: Mapped[int]
    item_id: Mapped[str] = mapped_column(String(160))
    call_id: Mapped[str | None] = mapped_column(String(128))
    queue: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    winner: Mapped[str | None] = mapped_column(String(64))
    reservation: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class RoutingCallback(Base):
    """A callback promised to a caller: a work item until an agent has called back."""

    __tablename__ = "routing_callbacks"
    __table_args__ = (Index("ix_routing_callbacks_status", "status"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    queue: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(100))
    call_id: Mapped[str | None] = mapped_column(String(128))
    customer_id: Mapped[int | None]
    value_class: Mapped[str] = mapped_column(String(1))
    priority: Mapped[float]
    language: Mapped[str | None] = mapped_column(String(16))
    arrival: Mapped[datetime]
    # waiting (also while offered), accepted, done, cancelled
    status: Mapped[str] = mapped_column(String(16))
    agent: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RoutingLeader(Base):
    """The one row naming the node that routes (``holder``), and its term. A leader writes
    nothing once another node's term has begun: each write checks this row first."""

    __tablename__ = "routing_leader"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    holder: Mapped[str] = mapped_column(String(64))
    term: Mapped[int]
    since: Mapped[datetime]


agents_t = Agent.__table__
events_t = CtiEvent.__table__
calls_t = Call.__table__
queues_t = cast(Table, RoutingQueue.__table__)
decisions_t = cast(Table, RoutingDecision.__table__)
callbacks_t = cast(Table, RoutingCallback.__table__)
leader_t = cast(Table, RoutingLeader.__table__)


_AGENT = select(agents_t).where(agents_t.c.id == bindparam("id"))
# Two point lookups: SQLite answers each from its index, where ``id = ? OR extension = ?``
# costs several times as much.
_AGENT_BY_ID = HotStatement(select(agents_t.c.id).where(agents_t.c.id == bindparam("key")))
_AGENT_BY_EXTENSION = HotStatement(
    select(agents_t.c.id).where(agents_t.c.extension == bindparam("key"))
)
_AGENT_STATE = HotStatement(
    select(agents_t.c.state, agents_t.c.state_reason).where(agents_t.c.id == bindparam("id"))
)
_STORED_EVENT = HotStatement(
    select(events_t.c.id).where(
        events_t.c.source == bindparam("source"), events_t.c.event_id == bindparam("event_id")
    )
)
_CALL = HotStatement(
    select(calls_t).where(
        calls_t.c.source == bindparam("source"), calls_t.c.call_id == bindparam("call_id")
    )
)


def agent_row(conn: Connection, agent_id: str) -> Any | None:
    return conn.execute(_AGENT, {"id": agent_id}).first()


def agent_state(conn: Connection, agent_id: str) -> tuple[str, str | None] | None:
    """The agent's (state, reason), or None for an unknown agent."""
    row = _AGENT_STATE.first(conn, {"id": agent_id})
    return None if row is None else (row.state, row.state_reason)


def agent_id_by_key(conn: Connection, key: str) -> str | None:
    """The agent an event names: by id first, else by extension."""
    if _AGENT_BY_ID.first(conn, {"key": key}) is not None:
        return key
    row = _AGENT_BY_EXTENSION.first(conn, {"key": key})
    return None if row is None else str(row.id)


def stored_event_id(conn: Connection, source: str, event_id: str) -> int | None:
    value = _STORED_EVENT.scalar(conn, {"source": source, "event_id": event_id})
    return int(value) if value is not None else None


def call_row(conn: Connection, source: str, call_id: str) -> Any | None:
    return _CALL.first(conn, {"source": source, "call_id": call_id})


# --- routing ---------------------------------------------------------------------------------


def all_agents(conn: Connection) -> list[Any]:
    return list(conn.execute(select(agents_t).order_by(agents_t.c.id)))


def agents_not_in(conn: Connection, known: set[str]) -> list[Any]:
    """The agents whose id is not in ``known`` (ids are read first: the set is usually all)."""
    ids = [row.id for row in conn.execute(select(agents_t.c.id)) if row.id not in known]
    return agents_by_id(conn, ids)


def agents_by_id(conn: Connection, ids: list[str]) -> list[Any]:
    if not ids:
        return []
    return list(conn.execute(select(agents_t).where(agents_t.c.id.in_(ids))))


def queue_rows(conn: Connection) -> list[Any]:
    return list(conn.execute(select(queues_t).order_by(queues_t.c.id)))


def queue_row(conn: Connection, queue_id: str) -> Any | None:
    return conn.execute(select(queues_t).where(queues_t.c.id == queue_id)).first()


def queued_calls(conn: Connection, queues: list[str], since: datetime) -> list[Any]:
    """Calls waiting in a routing queue: not ended, no agent of the phone system's, rung since
    ``since`` (older ones are taken as lost hangups), oldest first."""
    if not queues:
        return []
    c = calls_t.c
    return list(
        conn.execute(
            select(calls_t)
            .where(
                c.queue.in_(queues),
                c.ended_at.is_(None),
                c.agent_id.is_(None),
                c.direction != "internal",
                c.ringing_at >= since,
            )
            .order_by(c.ringing_at, c.id)
        )
    )


def calls_by_keys(conn: Connection, keys: list[tuple[str, str]]) -> list[Any]:
    """The calls of these (source, call id) pairs."""
    out: list[Any] = []
    c = calls_t.c
    for start in range(0, len(keys), 200):
        chunk = keys[start : start + 200]
        where = or_(*(and_(c.source == source, c.call_id == call_id) for source, call_id in chunk))
        out += conn.execute(select(calls_t).where(where))
    return out


_UNROUTE_CALL = (
    update(calls_t)
    .where(
        calls_t.c.source == bindparam("b_source"),
        calls_t.c.call_id == bindparam("b_call_id"),
        calls_t.c.routed_agent == bindparam("b_agent"),
    )
    .values(routed_agent=None)
)


def set_routed_agent(
    conn: Connection, source: str, call_id: str, agent_id: str, pop: dict[str, Any] | None
) -> None:
    """Routing offered the call to ``agent_id`` (and popped its screen with ``pop``'s match)."""
    values: dict[str, Any] = {"routed_agent": agent_id}
    if pop is not None:
        values.update(pop)
    c = calls_t.c
    conn.execute(update(calls_t).where(c.source == source, c.call_id == call_id).values(**values))


def clear_routed_agent(conn: Connection, source: str, call_id: str, agent_id: str) -> None:
    """The call came back from ``agent_id`` to its queue (rejected, missed, withdrawn)."""
    conn.execute(_UNROUTE_CALL, {"b_source": source, "b_call_id": call_id, "b_agent": agent_id})


def add_decision(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(decisions_t).values(**values))


def decisions_of(conn: Connection, item_id: str, limit: int) -> list[Any]:
    return list(
        conn.execute(
            select(decisions_t)
            .where(decisions_t.c.item_id == item_id)
            .order_by(decisions_t.c.id)
            .limit(limit)
        )
    )


def prune_decisions(conn: Connection, before: datetime) -> int:
    result = conn.execute(delete(decisions_t).where(decisions_t.c.at < before))
    return int(result.rowcount or 0)


# --- callbacks ---------------------------------------------------------------------------------


def add_callback(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(callbacks_t).values(**values))


def callback_row(conn: Connection, callback_id: str) -> Any | None:
    return conn.execute(select(callbacks_t).where(callbacks_t.c.id == callback_id)).first()


def open_callbacks(conn: Connection) -> list[Any]:
    """Callbacks still to be made (waiting or accepted), oldest first."""
    c = callbacks_t.c
    return list(
        conn.execute(
            select(callbacks_t)
            .where(c.status.in_(("waiting", "accepted")))
            .order_by(c.arrival, c.id)
        )
    )


def set_callback(conn: Connection, callback_id: str, now: datetime, **values: Any) -> None:
    conn.execute(
        update(callbacks_t).where(callbacks_t.c.id == callback_id).values(**values, updated_at=now)
    )


# --- the routing leader ------------------------------------------------------------------------


def leader_row(conn: Connection, *, lock: bool = False) -> Any | None:
    query = select(leader_t).where(leader_t.c.id == 1)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update(read=True)
    return conn.execute(query).first()


def take_leadership(conn: Connection, holder: str, now: datetime) -> int:
    """Begin a new term held by ``holder``; returns the term."""
    row = conn.execute(select(leader_t).where(leader_t.c.id == 1).with_for_update()).first()
    if row is None:
        conn.execute(insert(leader_t).values(id=1, holder=holder, term=1, since=now))
        return 1
    term = int(row.term) + 1
    conn.execute(
        update(leader_t).where(leader_t.c.id == 1).values(holder=holder, term=term, since=now)
    )
    return term


# --- following other nodes ---------------------------------------------------------------------


def floor_after(
    conn: Connection, mark: int, types: tuple[str, ...], limit: int
) -> tuple[int, list[Message]]:
    """Floor messages of ``types`` after id ``mark`` (at most ``limit``), and the new mark."""
    t = outbox.messages_t
    latest = outbox.latest_id(conn, outbox.FLOOR)
    rows = list(
        conn.execute(
            select(t.c.id, t.c.type, t.c.body)
            .where(t.c.channel == outbox.FLOOR, t.c.id > mark, t.c.id <= latest)
            .where(t.c.type.in_(types))
            .order_by(t.c.id)
            .limit(limit)
        )
    )
    found = [Message(outbox.FLOOR, int(r.id), r.type, json.loads(r.body)) for r in rows]
    if len(found) == limit:
        return found[-1].id, found
    return max(mark, latest), found
