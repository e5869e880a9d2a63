"""From stored rows to the facts metrics are computed from: queue visits and agent spans.

A call row becomes one visit per queue it was in. The queues come from the record's queue
marks and from its transfers to a queue (``routing.model``): a call transferred from queue A to
queue B makes two visits, the first ending at the transfer, the second offered at it. Talk and
hold are split between the visits by time; wrap-up is the answering agent's ``wrap_up`` span
that begins when the call ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from routing import call_marks
from routing.metrics.facts import AgentSpan, QueueVisit
from routing.model import TO_QUEUE

WRAP_STARTS_WITHIN = timedelta(seconds=60)


def _overlap(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> float:
    return max(0.0, (min(a1, b1) - max(a0, b0)).total_seconds())


def _holds(marks: Iterable[tuple[datetime, str]], end: datetime) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    held: datetime | None = None
    for at, kind in sorted(marks):
        if kind == "held" and held is None:
            held = at
        elif kind == "resumed" and held is not None:
            out.append((held, at))
            held = None
    if held is not None:
        out.append((held, end))
    return out


def visits_of(row: Any) -> list[QueueVisit]:
    """The queue visits of one ``calls`` row (none for a call that never was in a queue)."""
    agent_marks, hold_marks, _, _, queue_marks = call_marks.read(row.marks)
    first_at = row.ringing_at or row.answered_at or row.ended_at or row.updated_at
    # (offered at, queue) of each visit, in time order.
    starts: list[tuple[datetime, str]] = []
    for at, queue in sorted(queue_marks):
        if not starts:
            starts.append((min(at, first_at), queue))
    if not starts and row.queue:
        starts.append((first_at, row.queue))
    if not starts:
        return []
    for at, kind, target_kind, target in sorted(agent_marks):
        moved = kind == "transferred" and target_kind == TO_QUEUE and target != starts[-1][1]
        if moved and (row.ended_at is None or at <= row.ended_at):
            starts.append((at, target))
    legs = [
        (
            leg["agent"],
            datetime.fromisoformat(leg["answered_at"]) if leg.get("answered_at") else None,
            datetime.fromisoformat(leg["ended_at"]) if leg.get("ended_at") else None,
        )
        for leg in row.legs or ()
    ]
    visits: list[QueueVisit] = []
    for n, (offered, queue) in enumerate(starts):
        last = n + 1 == len(starts)
        until = row.ended_at if last else starts[n + 1][0]
        answered_at: datetime | None = None
        agent: str | None = None
        for leg_agent, leg_answered, _ in legs:
            if leg_answered is None or leg_answered < offered:
                continue
            if until is None or leg_answered < until:
                answered_at, agent = leg_answered, leg_agent
                break
        first_answer = row.answered_at if answered_at is None and n == 0 else None
        if first_answer is not None and (until is None or first_answer < until):
            answered_at, agent = first_answer, row.agent_id
        abandoned_at = row.ended_at if last and row.abandoned and answered_at is None else None
        talk = hold = 0.0
        if answered_at is not None and until is not None:
            hold = sum(
                _overlap(h0, h1, answered_at, until)
                for h0, h1 in _holds(hold_marks, row.ended_at or until)
            )
            talk = max(0.0, (until - answered_at).total_seconds() - hold)
        visits.append(
            QueueVisit(
                call_id=row.call_id,
                queue=queue,
                offered_at=offered,
                answered_at=answered_at,
                abandoned_at=abandoned_at,
                ended_at=until,
                agent=agent,
                caller=row.from_number or None,
                talk_s=talk,
                hold_s=hold,
                transferred=not last,
            )
        )
    return visits


def with_wrap_up(visit: QueueVisit, spans: Sequence[AgentSpan]) -> QueueVisit:
    """The visit with the wrap-up its agent did after it (a closed ``wrap_up`` span of the
    agent beginning within a minute of the call's end); the last visit of a call only."""
    if visit.transferred or visit.agent is None or visit.ended_at is None:
        return visit
    if visit.answered_at is None:
        return visit
    for span in spans:
        if span.state != "wrap_up" or span.end is None or span.agent != visit.agent:
            continue
        if (
            visit.ended_at - timedelta(seconds=1)
            <= span.start
            <= visit.ended_at + WRAP_STARTS_WITHIN
        ):
            return replace(visit, wrap_s=(span.end - span.start).total_seconds())
    return visit
