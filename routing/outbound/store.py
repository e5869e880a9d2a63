"""Campaigns and their calls: tables and queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, Connection, Float, Index, String, Table, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from switchboard.core.db import Base, BigId


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # active | paused
    agents: Mapped[list[str]] = mapped_column(JSON, default=list)
    skills: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    script: Mapped[str | None] = mapped_column(String(200))
    caller_id: Mapped[str | None] = mapped_column(String(40))
    compliance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    retry: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    segment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # when the campaign may dial (routing.outbound.schedule), holidays resolved; None: always
    schedule: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CampaignCall(Base):
    __tablename__ = "campaign_calls"
    __table_args__ = (
        Index("ix_campaign_calls_campaign_dialed", "campaign_id", "dialed_at"),
        Index("ix_campaign_calls_call_id", "call_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    campaign_id: Mapped[str] = mapped_column(String(64))
    lead_id: Mapped[str] = mapped_column(String(64))
    call_id: Mapped[str] = mapped_column(String(128))
    number: Mapped[str] = mapped_column(String(20))
    agent_id: Mapped[str | None] = mapped_column(String(64))
    dialed_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(24))
    talk_s: Mapped[float] = mapped_column(Float, default=0.0)
    abandoned: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)


campaigns_t = cast(Table, Campaign.__table__)
campaign_calls_t = cast(Table, CampaignCall.__table__)


def campaign_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "mode": row.mode,
        "status": row.status,
        "agents": list(row.agents or []),
        "skills": dict(row.skills or {}),
        "script": row.script,
        "caller_id": row.caller_id,
        "compliance": dict(row.compliance or {}),
        "retry": dict(row.retry or {}),
        "segment": dict(row.segment or {}),
        "schedule": row.schedule,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def get_campaign(conn: Connection, campaign_id: str) -> Any | None:
    return conn.execute(select(campaigns_t).where(campaigns_t.c.id == campaign_id)).first()


def abandoned_count(conn: Connection, campaign_id: str, since: datetime) -> tuple[int, int]:
    """(answered, abandoned) of the campaign's calls answered since ``since``."""
    c = campaign_calls_t.c
    where = (c.campaign_id == campaign_id) & (c.answered_at >= since)
    answered = conn.execute(select(func.count()).where(where)).scalar_one()
    abandoned = conn.execute(select(func.count()).where(where & c.abandoned)).scalar_one()
    return int(answered), int(abandoned)
