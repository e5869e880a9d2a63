"""The agent state log: one row per change of an agent's state, written with the change.

``routing.agents.move_agent`` (the one place agent states are written) appends a row in the
same transaction, so the log holds exactly the committed changes. Occupancy, breaks and time
in state (``routing.metrics.agent``) are computed from the spans these rows make.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Index, String, Table, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from routing.metrics.facts import AgentSpan
from switchboard.core.db import Base, BigId
from switchboard.core.statements import HotStatement


class AgentStateChange(Base):
    __tablename__ = "agent_state_log"
    __table_args__ = (
        Index("ix_agent_state_log_at", "at"),
        Index("ix_agent_state_log_agent_at", "agent_id", "at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[datetime]


state_log_t = cast(Table, AgentStateChange.__table__)

# on the ringing path (an agent reserved or on a call): compiled once, run on the driver
_APPEND = HotStatement(insert(state_log_t))


def append(conn: Connection, agent_id: str, state: str, reason: str | None, at: datetime) -> None:
    _APPEND.rows(conn, {"agent_id": agent_id, "state": state, "reason": reason, "at": at})


def rows_after(conn: Connection, after_id: int, limit: int = 10_000) -> list[Any]:
    """Log rows with an id above ``after_id``, oldest first."""
    c = state_log_t.c
    return list(
        conn.execute(select(state_log_t).where(c.id > after_id).order_by(c.id).limit(limit))
    )


def rows_between(conn: Connection, start: datetime, end: datetime) -> list[Any]:
    """The rows that make the spans overlapping [start, end): every change in it, and for each
    agent the last change before ``start`` (the state it was in when the period began)."""
    c = state_log_t.c
    inside = list(
        conn.execute(select(state_log_t).where(c.at >= start, c.at < end).order_by(c.at, c.id))
    )
    last = (
        select(c.agent_id, func.max(c.id).label("id")).where(c.at < start).group_by(c.agent_id)
    ).subquery()
    before = list(conn.execute(select(state_log_t).join(last, last.c.id == c.id)))
    return sorted([*before, *inside], key=lambda r: (r.at, r.id))


def spans(rows: Iterable[Any]) -> list[AgentSpan]:
    """State spans from log rows (any order): each ends where the agent's next change begins."""
    by_agent: dict[str, list[Any]] = {}
    for row in sorted(rows, key=lambda r: (r.at, r.id)):
        by_agent.setdefault(row.agent_id, []).append(row)
    out: list[AgentSpan] = []
    for agent, changes in by_agent.items():
        out.extend(agent_spans(agent, changes))
    return out


def agent_spans(agent: str, changes: Sequence[Any]) -> list[AgentSpan]:
    """One agent's spans from its changes in time order."""
    out: list[AgentSpan] = []
    for n, row in enumerate(changes):
        end = changes[n + 1].at if n + 1 < len(changes) else None
        out.append(AgentSpan(agent, row.state, row.at, end, row.reason))
    return out
