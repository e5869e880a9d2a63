"""Leads and the do-not-call list: tables and queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, Connection, Float, Index, String, Table, Text, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from switchboard.core.db import Base

LEAD_STATUSES = ("new", "sales", "outbound", "done", "do_not_call", "recycled")


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_campaign_status", "campaign_id", "status"),
        Index("ix_leads_phone_e164", "phone_e164"),
        Index("ix_leads_customer_id", "customer_id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone_raw: Mapped[str] = mapped_column(String(80))
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    zones: Mapped[list[str]] = mapped_column(JSON, default=list)
    number_problem: Mapped[str | None] = mapped_column(Text)
    source_channel: Mapped[str] = mapped_column(String(40))
    owner: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[int | None]  # the customer a segment's lead was made for
    status: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    lead_class: Mapped[str] = mapped_column(String(16))
    contributions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    events: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    consent: Mapped[bool]
    campaign_id: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO times of dials
    next_attempt_at: Mapped[datetime | None]
    callback_agent: Mapped[str | None] = mapped_column(String(64))
    last_touched_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DoNotCallNumber(Base):
    __tablename__ = "do_not_call_numbers"

    e164: Mapped[str] = mapped_column(String(20), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class AbandonedNumber(Base):
    """The last time a call to a number was abandoned (any campaign): the 72 h re-dial block."""

    __tablename__ = "abandoned_numbers"

    e164: Mapped[str] = mapped_column(String(20), primary_key=True)
    at: Mapped[datetime]


leads_t = cast(Table, Lead.__table__)
dnc_t = cast(Table, DoNotCallNumber.__table__)
abandoned_t = cast(Table, AbandonedNumber.__table__)


def lead_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "phone": row.phone_raw,
        "e164": row.phone_e164,
        "zones": list(row.zones or []),
        "number_problem": row.number_problem,
        "source_channel": row.source_channel,
        "owner": row.owner,
        "customer_id": row.customer_id,
        "status": row.status,
        "score": row.score,
        "class": row.lead_class,
        "contributions": list(row.contributions or []),
        "consent": row.consent,
        "campaign_id": row.campaign_id,
        "attempts": len(row.attempts or []),
        "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
    }


def existing_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        found.update(conn.execute(select(leads_t.c.id).where(leads_t.c.id.in_(chunk))).scalars())
    return found


def upsert_leads(conn: Connection, rows: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """Insert new leads and refresh known ones (by id); returns (inserted, updated).

    A re-import refreshes what the file says (name, number, source, owner, attributes,
    events, consent, score) and keeps what the call center did (attempts, outcomes, status
    of leads already worked, campaign).
    """
    known = existing_ids(conn, [r["id"] for r in rows])
    fresh = [r for r in rows if r["id"] not in known]
    if fresh:
        conn.execute(insert(leads_t), fresh)
    refreshed = 0
    keep = {"attempts", "outcomes", "campaign_id", "created_at", "status", "next_attempt_at"}
    for row in rows:
        if row["id"] in known:
            values = {k: v for k, v in row.items() if k not in keep and k != "id"}
            conn.execute(update(leads_t).where(leads_t.c.id == row["id"]).values(**values))
            refreshed += 1
    return len(fresh), refreshed


def get_lead(conn: Connection, lead_id: str) -> Any | None:
    return conn.execute(select(leads_t).where(leads_t.c.id == lead_id)).first()


def do_not_call_numbers(conn: Connection, numbers: Iterable[str]) -> set[str]:
    wanted = sorted(set(numbers))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(conn.execute(select(dnc_t.c.e164).where(dnc_t.c.e164.in_(chunk))).scalars())
    return found


def add_do_not_call(conn: Connection, e164: str, reason: str, now: datetime) -> None:
    if conn.execute(select(dnc_t.c.e164).where(dnc_t.c.e164 == e164)).first() is None:
        conn.execute(insert(dnc_t).values(e164=e164, reason=reason, created_at=now))


def abandoned_at(conn: Connection, numbers: Iterable[str]) -> dict[str, datetime]:
    wanted = sorted(set(numbers))
    out: dict[str, datetime] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = conn.execute(select(abandoned_t).where(abandoned_t.c.e164.in_(chunk)))
        out.update({row.e164: row.at for row in rows})
    return out


def mark_abandoned(conn: Connection, e164: str, at: datetime) -> None:
    if conn.execute(select(abandoned_t.c.e164).where(abandoned_t.c.e164 == e164)).first():
        conn.execute(update(abandoned_t).where(abandoned_t.c.e164 == e164).values(at=at))
    else:
        conn.execute(insert(abandoned_t).values(e164=e164, at=at))


def recycle_untouched(conn: Connection, before: datetime, now: datetime) -> list[Any]:
    """Leads waiting for outbound calls and untouched since ``before`` go back to the pool.

    They leave their campaign (status ``recycled``, no campaign) so another team may take
    them. Returns (id, campaign_id) of each recycled lead.
    """
    c = leads_t.c
    where = (c.status == "outbound") & (c.last_touched_at < before)
    rows = list(conn.execute(select(c.id, c.campaign_id).where(where)))
    if rows:
        conn.execute(
            update(leads_t).where(where).values(status="recycled", campaign_id=None, updated_at=now)
        )
    return rows
