"""The audit log: who did what to whom, and when — supervisors' actions on the floor.

An action and its audit row are written in the same transaction, so an audited action is
never lost and an action that failed leaves no row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, Connection, Index, String, Table, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from switchboard.core.db import Base, BigId


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(160))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


audit_t = cast(Table, AuditEntry.__table__)


@dataclass(frozen=True)
class Actor:
    name: str
    role: str


def record(
    conn: Connection,
    actor: Actor,
    action: str,
    subject: str,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        insert(audit_t).values(
            at=now,
            actor=actor.name,
            role=actor.role,
            action=action,
            subject=subject,
            detail=detail or {},
        )
    )


def latest(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    """The newest entries first."""
    rows = conn.execute(select(audit_t).order_by(audit_t.c.id.desc()).limit(limit))
    return [
        {
            "id": r.id,
            "at": r.at.isoformat(),
            "actor": r.actor,
            "role": r.role,
            "action": r.action,
            "subject": r.subject,
            "detail": dict(r.detail or {}),
        }
        for r in rows
    ]


def actor_of(who: Any) -> Actor:
    """The actor of a request's principal (a token: its agent, else its name)."""
    return Actor(who.agent_id or who.name, who.role)
