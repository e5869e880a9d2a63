"""A call that reached its end goes on the customer's timeline (the 360 view shows it).

Written in the same transaction as the call's final state, only when the call has an
identified customer. The entry's key is the call's (``call:<source>:<call id>``): a repeated
or late event of an ended call (an ``answered`` arriving after the ``ended``) rewrites the
one entry with the record as it now stands, so the timeline never shows a call twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from customers.records import TimelineEntry, record_interaction
from routing.model import CallRecord


def _seconds(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _duration(seconds: float | None) -> str:
    whole = int(seconds or 0)
    return f"{whole // 60}m{whole % 60:02d}s"


def summary(call: CallRecord) -> str:
    """One line for the timeline, e.g. ``inbound call, queue sales, agent a1: talked 2m05s``."""
    parts = [f"{call.direction} call"]
    if call.queue:
        parts.append(f"queue {call.queue}")
    if call.agent_id:
        parts.append(f"agent {call.agent_id}")
    head = ", ".join(parts)
    state = call.state.value
    if state == "ended":
        tail = f"talked {_duration(call.talk_seconds)}"
    else:
        tail = f"{state} after {_duration(call.ring_seconds)}"
    if call.cause:
        tail += f" ({call.cause})"
    return f"{head}: {tail}"


def entry(
    source: str, call: CallRecord, customer_id: int, contact_id: int | None, at: datetime
) -> TimelineEntry:
    data: dict[str, Any] = {
        "source": source,
        "state": call.state.value,
        "queue": call.queue,
        "agent": call.agent_id,
        "cause": call.cause,
        "started_at": call.started_at.isoformat() if call.started_at else None,
        "answered_at": call.answered_at.isoformat() if call.answered_at else None,
        "ended_at": call.ended_at.isoformat() if call.ended_at else None,
        "ring_seconds": _seconds(call.ring_seconds),
        "talk_seconds": _seconds(call.talk_seconds),
        "hold_seconds": _seconds(call.hold_seconds),
    }
    return TimelineEntry(
        customer_id=customer_id,
        kind="call",
        key=f"call:{source}:{call.call_id}"[:100],
        at=call.started_at or at,
        ref=call.call_id[:64],
        contact_id=contact_id,
        channel="phone",
        direction=call.direction,
        summary=summary(call),
        data=data,
    )


def record_end(
    conn: Connection,
    source: str,
    call: CallRecord,
    customer_id: int | None,
    contact_id: int | None,
    at: datetime,
) -> None:
    """Put the ended call on its customer's timeline (nothing for an unknown caller)."""
    if customer_id is None:
        return
    record_interaction(conn, entry(source, call, int(customer_id), contact_id, at))
