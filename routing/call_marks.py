"""A call record's marks and what follows from them, as the ``calls`` row stores them.

The marks (who had the call when, its holds) are what the record is rebuilt from on the next
event; the legs, durations and last transfer are derived from them and kept for reports.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from routing.model import AgentMark, CallRecord, HoldMark

Marks = tuple[
    frozenset[AgentMark],
    frozenset[HoldMark],
    frozenset[tuple[datetime, str]],
    frozenset[tuple[int, datetime, str, str]],
    frozenset[tuple[datetime, str]],
]


def read(stored: dict[str, Any] | None) -> Marks:
    """The marks of a ``marks`` column, in CallRecord's order; empty for older rows."""
    if not stored:
        return frozenset(), frozenset(), frozenset(), frozenset(), frozenset()
    agents = frozenset(
        (datetime.fromisoformat(at), kind, target_kind, target)
        for at, kind, target_kind, target in stored.get("agents", ())
    )
    holds = frozenset((datetime.fromisoformat(at), kind) for at, kind in stored.get("holds", ()))
    ends = frozenset((datetime.fromisoformat(at), cause) for at, cause in stored.get("ends", ()))
    parties = frozenset(
        (rank, datetime.fromisoformat(at), caller, callee)
        for rank, at, caller, callee in stored.get("parties", ())
    )
    queues = frozenset((datetime.fromisoformat(at), q) for at, q in stored.get("queues", ()))
    return agents, holds, ends, parties, queues


def write(record: CallRecord) -> dict[str, Any]:
    """The marks as JSON, sorted so that equal records store equal documents."""
    return {
        "agents": sorted([m[0].isoformat(), m[1], m[2], m[3]] for m in record.agent_marks),
        "holds": sorted([m[0].isoformat(), m[1]] for m in record.hold_marks),
        "ends": sorted([m[0].isoformat(), m[1]] for m in record.end_causes),
        "parties": sorted([m[0], m[1].isoformat(), m[2], m[3]] for m in record.party_marks),
        "queues": sorted([m[0].isoformat(), m[1]] for m in record.queue_marks),
    }


def values(record: CallRecord) -> dict[str, Any]:
    """The ``calls`` columns the marks give."""
    transfer = record.transfer
    return {
        "marks": write(record),
        "legs": [leg.wire() for leg in record.legs],
        "ring_seconds": record.ring_seconds,
        "talk_seconds": record.talk_seconds,
        "hold_seconds": record.hold_seconds,
        "transfer_kind": transfer[0] if transfer else None,
        "transfer_to": transfer[1] if transfer else None,
    }
