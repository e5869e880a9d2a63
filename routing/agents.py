"""Agent use cases: create, read, change state (and tell their console and the floor)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from routing import state_log, store
from routing.model import AGENT_STATES, CHOSEN_STATES, can_choose
from routing.schemas import AgentIn
from switchboard.core import outbox
from switchboard.core.errors import BadRequest, Conflict, NotFound
from switchboard.core.outbox import Message
from switchboard.core.statements import HotStatement

DEFAULT_CAPACITY = {"voice": 1}


def capacity_of(row: Any) -> dict[str, int]:
    return dict(row.capacity) if row.capacity is not None else dict(DEFAULT_CAPACITY)


def agent_view(row: Any, now: datetime | None = None) -> dict[str, Any]:
    view = {
        "id": row.id,
        "name": row.name,
        "extension": row.extension,
        "skills": dict(row.skills),
        "languages": list(row.languages),
        "team": row.team,
        "region": row.region,
        "capacity": capacity_of(row),
        "exclusive": sorted(row.exclusive or ()),
        "state": row.state,
        "state_reason": row.state_reason,
        "state_since": row.state_since.isoformat(),
        "state_until": row.state_until.isoformat() if row.state_until else None,
    }
    if now is not None:
        view["state_duration_s"] = round(max(0.0, (now - row.state_since).total_seconds()), 3)
    return view


def create_agent(conn: Connection, data: AgentIn, now: datetime) -> dict[str, Any]:
    if store.agent_row(conn, data.id) is not None:
        raise Conflict(f"agent {data.id!r} exists", field="id")
    if data.extension is not None:
        taken = conn.scalar(
            select(store.agents_t.c.id).where(store.agents_t.c.extension == data.extension)
        )
        if taken is not None:
            raise Conflict(
                f"extension {data.extension} belongs to agent {taken!r}", field="extension"
            )
    conn.execute(
        insert(store.agents_t).values(
            id=data.id,
            name=data.name,
            extension=data.extension,
            skills=data.skills,
            languages=data.languages,
            team=data.team,
            region=data.region,
            capacity=data.capacity,
            exclusive=data.exclusive,
            state="offline",
            state_reason=None,
            state_since=now,
            created_at=now,
        )
    )
    state_log.append(conn, data.id, "offline", None, now)
    row = store.agent_row(conn, data.id)
    return agent_view(row)


def get_agent(conn: Connection, agent_id: str, now: datetime | None = None) -> dict[str, Any]:
    row = store.agent_row(conn, agent_id)
    if row is None:
        raise NotFound(f"no agent {agent_id!r}", field="id")
    return agent_view(row, now)


def list_agents(conn: Connection, now: datetime | None = None) -> list[dict[str, Any]]:
    rows = conn.execute(select(store.agents_t).order_by(store.agents_t.c.id))
    return [agent_view(r, now) for r in rows]


_SET_STATE = HotStatement(
    update(store.agents_t).where(store.agents_t.c.id == bindparam("agent_id"))
)


def move_agent(
    conn: Connection,
    agent_id: str,
    state: str,
    reason: str | None,
    now: datetime,
    *,
    current: tuple[str, str | None] | None = None,
    until: datetime | None = None,
) -> list[Message]:
    """Set the agent's state and write the messages that announce it (none if unchanged).

    ``current`` is the (state, reason) the caller already read, to spare a query. ``until``
    ends a timed state (wrap_up) by itself.
    """
    if current is None:
        row = store.agent_row(conn, agent_id)
        if row is None:
            raise NotFound(f"no agent {agent_id!r}", field="agent")
        current = (row.state, row.state_reason)
    if current == (state, reason) and until is None:
        return []
    _SET_STATE.rows(
        conn,
        {
            "agent_id": agent_id,
            "state": state,
            "state_reason": reason,
            "state_since": now,
            "state_until": until,
        },
    )
    state_log.append(conn, agent_id, state, reason, now)
    body: dict[str, Any] = {
        "agent": agent_id,
        "state": state,
        "reason": reason,
        "since": now.isoformat(),
    }
    if until is not None:
        body["until"] = until.isoformat()
    return [
        outbox.append(conn, outbox.agent_channel(agent_id), "agent_state", body, now),
        outbox.append(conn, outbox.FLOOR, "agent_state", body, now),
    ]


REASONED = frozenset({"break", "not_ready", "offline"})
MAX_WRAP_UP_S = 3_600.0


def choose_state(
    conn: Connection,
    agent_id: str,
    state: str,
    reason: str | None,
    now: datetime,
    *,
    seconds: float | None = None,
) -> list[Message]:
    """A state the agent or a supervisor picks; call-driven states are refused.

    ``wrap_up`` is timed: it needs ``seconds`` and ends by itself (the agent becomes
    available). A reason goes with break, not_ready and offline only; ``seconds`` with
    wrap_up only. Unknown states and contradictions are 400s naming the field; a state that
    follows from calls and offers (reserved, on_call) is a 409.
    """
    if state not in AGENT_STATES:
        raise BadRequest(
            f"unknown state {state!r}; choose one of {sorted(CHOSEN_STATES | {'wrap_up'})}",
            field="state",
        )
    if state != "wrap_up" and not can_choose(state):
        raise Conflict(
            f"state {state!r} follows from calls and offers and cannot be chosen; "
            f"choose one of {sorted(CHOSEN_STATES | {'wrap_up'})}",
            field="state",
            allowed=sorted(CHOSEN_STATES | {"wrap_up"}),
        )
    if reason and state not in REASONED:
        raise BadRequest(
            f"a reason goes with break, not_ready or offline, not {state}", field="reason"
        )
    until = None
    if state == "wrap_up":
        if seconds is None:
            raise BadRequest("wrap_up is timed: say for how many seconds", field="seconds")
        if not 0 < seconds <= MAX_WRAP_UP_S:
            raise BadRequest(
                f"seconds is more than 0 and at most {MAX_WRAP_UP_S:g}", field="seconds"
            )
        row = store.agent_row(conn, agent_id)
        if row is None:
            raise NotFound(f"no agent {agent_id!r}", field="id")
        if row.state == "offline":
            raise Conflict(
                "an offline agent cannot go to wrap_up; it logs in (available) first",
                field="state",
                current_state=row.state,
            )
        until = now + timedelta(seconds=seconds)
    elif seconds is not None:
        raise BadRequest(f"seconds goes with wrap_up, not {state}", field="seconds")
    if state == "break" and not reason:
        reason = "break"
    return move_agent(conn, agent_id, state, reason, now, until=until)


# --- what an agent can do: skills, languages, channels, team ------------------------------


def known_skills_of(conn: Connection) -> set[str]:
    """Skills some queue needs (for calls or requests) or some agent has."""
    out: set[str] = set()
    for row in store.queue_rows(conn):
        config = row.config
        out |= set(config.get("skills") or {})
        for key in ("category_skills", "product_skills"):
            for need in (config.get(key) or {}).values():
                out |= set(need)
    for row in store.all_agents(conn):
        out |= set(row.skills or {})
    return out


CONFIG_FIELDS = ("skills", "languages", "team", "region", "capacity", "exclusive")


def configure_agent(
    conn: Connection,
    agent_id: str,
    changes: dict[str, Any],
    now: datetime,
    *,
    check_skills: bool = True,
) -> tuple[dict[str, Any], list[Message]]:
    """Change an agent's skills, languages, capacity, exclusive channels, team or region (only the
    keys given). With ``check_skills`` a skill no queue needs and no agent has is refused
    (400 naming ``skills.NAME``: most often a typo). Returns the agent's view and an
    ``agent_config`` message for the floor (routing, on whichever node leads, follows it)."""
    row = store.agent_row(conn, agent_id)
    if row is None:
        raise NotFound(f"no agent {agent_id!r}", field="id")
    if check_skills and "skills" in changes:
        known_skills = known_skills_of(conn)
        for name in sorted(changes["skills"]):
            if name not in known_skills and name not in (row.skills or {}):
                raise BadRequest(
                    f"unknown skill {name!r}: no queue needs it and no agent has it "
                    f"(known: {', '.join(sorted(known_skills)) or 'none'}); "
                    "add it to a queue first, or send force=true",
                    field=f"skills.{name}",
                )
    capacity = changes.get("capacity", capacity_of(row))
    exclusive = changes.get("exclusive", row.exclusive or [])
    for n, channel in enumerate(exclusive):
        if channel not in capacity:
            raise BadRequest(
                f"exclusive channel {channel!r} is not among the agent's channels "
                f"({', '.join(sorted(capacity))})",
                field=f"exclusive.{n}",
            )
    if not changes:
        return agent_view(row), []
    conn.execute(update(store.agents_t).where(store.agents_t.c.id == agent_id).values(changes))
    view = agent_view(store.agent_row(conn, agent_id))
    body = {"agent": agent_id, **{k: view[k] for k in CONFIG_FIELDS}, "changed": sorted(changes)}
    return view, [outbox.append(conn, outbox.FLOOR, "agent_config", body, now)]
