"""Service requests, their history and notes, SLA clocks and timers, and the admin data they
depend on (categories, groups, calendars, policies, settings): tables and queries."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Connection,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from switchboard.core.db import Base, BigId


class TicketCategory(Base):
    """One node of the category tree; ``id`` is a slug without '/', the path is derived."""

    __tablename__ = "ticket_categories"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("ticket_categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class TicketGroup(Base):
    """A group of agents requests are assigned to; ``rr_next`` is the round-robin cursor."""

    __tablename__ = "ticket_groups"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    members: Mapped[list[str]] = mapped_column(JSON, default=list)
    rr_next: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]


class SLACalendar(Base):
    """A business calendar as the admin gave it (``spec``) and with its holiday tables
    resolved at save time (``resolved``: dates), so that loading it is pure and stable."""

    __tablename__ = "sla_calendars"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    resolved: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime]


class SLAPolicyRow(Base):
    """One SLA policy; ``position`` orders them (the first match wins)."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    position: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]


class TicketSettings(Base):
    """Service-desk settings (one row, id 1); defaults apply while there is none."""

    __tablename__ = "ticket_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    number_pattern: Mapped[str] = mapped_column(String(60))
    number_timezone: Mapped[str] = mapped_column(String(64))
    reopen_days: Mapped[int]
    auto_close_days: Mapped[int]
    updated_at: Mapped[datetime]


class TicketSequence(Base):
    """The last number given per key (the year, or ``all`` for patterns without a year)."""

    __tablename__ = "ticket_sequences"

    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class ServiceRequest(Base):
    __tablename__ = "service_requests"
    __table_args__ = (
        Index("ix_service_requests_status_id", "status", "id"),
        Index("ix_service_requests_handler_status", "handler", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    product: Mapped[str | None] = mapped_column(String(200))
    category_id: Mapped[str] = mapped_column(ForeignKey("ticket_categories.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(8))
    priority: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(24))
    group_id: Mapped[str | None] = mapped_column(ForeignKey("ticket_groups.id"), index=True)
    handler: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("service_requests.id"), index=True
    )
    watchers: Mapped[list[str]] = mapped_column(JSON, default=list)
    linked_calls: Mapped[list[str]] = mapped_column(JSON, default=list)
    sla_policy: Mapped[str | None] = mapped_column(String(100))
    sla_state: Mapped[str] = mapped_column(String(16), default="none", index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class TicketHistory(Base):
    """Every change of a request: who, when, which field, old and new (JSON text)."""

    __tablename__ = "ticket_history"
    __table_args__ = (Index("ix_ticket_history_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("service_requests.id"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(40))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)


class TicketNote(Base):
    """A handling record: a note, a reply to the customer, customer feedback, time spent."""

    __tablename__ = "ticket_notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("service_requests.id"), index=True)
    at: Mapped[datetime]
    author: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(24))
    body: Mapped[str] = mapped_column(Text)
    time_spent_minutes: Mapped[int] = mapped_column(default=0)
    satisfaction: Mapped[int | None]


class TicketClock(Base):
    """An SLA clock of a request: the policy's target and levels as matched (a snapshot),
    the calendar it counts on, and when it started and stopped. Pauses come from the status
    history."""

    __tablename__ = "ticket_sla_clocks"

    ticket_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("service_requests.id"), primary_key=True
    )
    clock: Mapped[str] = mapped_column(String(24), primary_key=True)
    policy: Mapped[str] = mapped_column(String(100))
    calendar_id: Mapped[str] = mapped_column(String(64), index=True)
    target_us: Mapped[int] = mapped_column(BigInteger)
    levels: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    started_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]


class SLATimer(Base):
    """A deadline: one escalation level of one clock (or the auto-close of a resolved request).

    ``due_at`` is set only while the deadline is pending (indexed: the scheduler finds what
    is due by a range scan, never by looking at requests); firing clears it and sets
    ``fired_at`` and ``fired_due_at`` in the same transaction as the escalation itself.
    """

    __tablename__ = "ticket_sla_timers"
    __table_args__ = (UniqueConstraint("ticket_id", "clock", "level"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("service_requests.id"))
    clock: Mapped[str] = mapped_column(String(24))
    level: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    fired_at: Mapped[datetime | None]
    fired_due_at: Mapped[datetime | None]


class SLARecompute(Base):
    """Requests whose clocks must be recomputed after a policy or calendar change: a durable
    queue, so a crash half-way leaves the rest to be done on the next start."""

    __tablename__ = "ticket_sla_recompute"

    ticket_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("service_requests.id"), primary_key=True
    )


categories_t = cast(Table, TicketCategory.__table__)
groups_t = cast(Table, TicketGroup.__table__)
calendars_t = cast(Table, SLACalendar.__table__)
policies_t = cast(Table, SLAPolicyRow.__table__)
settings_t = cast(Table, TicketSettings.__table__)
sequences_t = cast(Table, TicketSequence.__table__)
tickets_t = cast(Table, ServiceRequest.__table__)
history_t = cast(Table, TicketHistory.__table__)
notes_t = cast(Table, TicketNote.__table__)
clocks_t = cast(Table, TicketClock.__table__)
timers_t = cast(Table, SLATimer.__table__)
recompute_t = cast(Table, SLARecompute.__table__)

LIFECYCLE = "lifecycle"  # the clock name of non-SLA timers
AUTO_CLOSE = "auto_close"


# -- prebuilt statements ---------------------------------------------------------------------

_TICKET = select(tickets_t).where(tickets_t.c.id == bindparam("id"))
_TICKET_BY_NUMBER = select(tickets_t).where(tickets_t.c.number == bindparam("number"))
_STATUS_CHANGES = (
    select(history_t.c.at, history_t.c.new)
    .where(history_t.c.ticket_id == bindparam("id"), history_t.c.field == "status")
    .order_by(history_t.c.id)
)
_CLOCKS = select(clocks_t).where(clocks_t.c.ticket_id == bindparam("id"))
_CLOCK = select(clocks_t).where(
    clocks_t.c.ticket_id == bindparam("id"), clocks_t.c.clock == bindparam("clock")
)
_TIMERS = select(timers_t).where(timers_t.c.ticket_id == bindparam("id")).order_by(timers_t.c.id)
_NEXT_DUE = (
    select(timers_t.c.due_at)
    .where(timers_t.c.due_at.is_not(None))
    .order_by(timers_t.c.due_at)
    .limit(1)
)
_GROUP = select(groups_t).where(groups_t.c.id == bindparam("id"))


_HISTORY = insert(history_t)


def dumps(value: Any) -> str | None:
    """A history value as stored: JSON text (None stays NULL)."""
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def record(
    conn: Connection,
    ticket_id: int,
    now: datetime,
    actor: str,
    field: str,
    old: Any,
    new: Any,
) -> None:
    """One history row: who changed which field of the request, when, from what to what."""
    conn.execute(
        _HISTORY,
        {
            "ticket_id": ticket_id,
            "at": now,
            "actor": actor,
            "field": field,
            "old": dumps(old),
            "new": dumps(new),
        },
    )


def ticket_row(conn: Connection, ticket_id: int) -> Any:
    return conn.execute(_TICKET, {"id": ticket_id}).first()


def ticket_by_number(conn: Connection, number: str) -> Any | None:
    return conn.execute(_TICKET_BY_NUMBER, {"number": number}).first()


def status_changes(conn: Connection, ticket_id: int) -> list[tuple[datetime, str]]:
    """The request's status history, oldest first: ``[(at, status), ...]``."""
    return [(r.at, json.loads(r.new)) for r in conn.execute(_STATUS_CHANGES, {"id": ticket_id})]


def clock_rows(conn: Connection, ticket_id: int) -> list[Any]:
    return list(conn.execute(_CLOCKS, {"id": ticket_id}))


def clock_row(conn: Connection, ticket_id: int, clock: str) -> Any | None:
    return conn.execute(_CLOCK, {"id": ticket_id, "clock": clock}).first()


def timer_rows(conn: Connection, ticket_id: int) -> list[Any]:
    return list(conn.execute(_TIMERS, {"id": ticket_id}))


def next_due(conn: Connection) -> datetime | None:
    """The earliest pending deadline (an index lookup)."""
    value: datetime | None = conn.scalar(_NEXT_DUE)
    return value


def group_row(conn: Connection, group_id: str) -> Any | None:
    return conn.execute(_GROUP, {"id": group_id}).first()


def dialect_insert(conn: Connection, table: Table) -> Any:
    """INSERT with ``on_conflict_*`` for the connection's dialect."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def next_sequence(conn: Connection, key: str) -> int:
    """The next number for ``key``, inside the caller's transaction: never given twice."""
    stmt = (
        dialect_insert(conn, sequences_t)
        .values(key=key, value=1)
        .on_conflict_do_update(index_elements=["key"], set_={"value": sequences_t.c.value + 1})
        .returning(sequences_t.c.value)
    )
    return int(conn.execute(stmt).scalar_one())


def for_update(conn: Connection, query: Any, *, skip_locked: bool = False) -> Any:
    """``query`` with FOR UPDATE on PostgreSQL (SQLite's single writer is exclusive anyway)."""
    if conn.dialect.name == "postgresql":
        return query.with_for_update(skip_locked=skip_locked)
    return query
