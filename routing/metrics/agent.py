"""Per-agent figures over a period.

- time in each state: the parts of the agent's state spans inside the period;
- calls: visits the agent answered that were offered in the period (as for queues);
- AHT: mean talk + hold + wrap of those calls that have ended;
- occupancy: time handling work (on_call, wrap_up) over that time plus time available or
  reserved: breaks, not_ready and offline are not capacity, so they are left out;
- breaks: how many break spans started in the period, and their time within it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from routing.metrics.facts import AgentSpan, QueueVisit

BUSY = frozenset({"on_call", "wrap_up"})
IDLE = frozenset({"available", "reserved"})


@dataclass(frozen=True)
class AgentFigures:
    agent: str
    state: str | None
    in_state_s: float
    seconds_by_state: dict[str, float]
    calls: int
    aht_s: float | None
    occupancy: float | None
    breaks: int
    break_s: float


def agent_figures(
    agent: str,
    spans: Iterable[AgentSpan],
    visits: Iterable[QueueVisit],
    start: datetime,
    end: datetime,
    now: datetime,
) -> AgentFigures:
    mine = sorted((s for s in spans if s.agent == agent), key=lambda s: s.start)
    seconds: dict[str, float] = {}
    for span in mine:
        part = span.seconds_within(start, end)
        if part > 0:
            seconds[span.state] = seconds.get(span.state, 0.0) + part
    current = next((s for s in reversed(mine) if s.start <= now and s.end is None), None)
    handled = [
        v for v in visits if v.agent == agent and v.answered_at and start <= v.offered_at < end
    ]
    ended = [v for v in handled if v.ended_at is not None]
    busy = sum(seconds.get(state, 0.0) for state in BUSY)
    idle = sum(seconds.get(state, 0.0) for state in IDLE)
    breaks = [s for s in mine if s.state == "break" and start <= s.start < end]
    return AgentFigures(
        agent=agent,
        state=current.state if current else None,
        in_state_s=max(0.0, (now - current.start).total_seconds()) if current else 0.0,
        seconds_by_state=seconds,
        calls=len(handled),
        aht_s=sum(v.handle_s for v in ended) / len(ended) if ended else None,
        occupancy=busy / (busy + idle) if busy + idle > 0 else None,
        breaks=len(breaks),
        break_s=seconds.get("break", 0.0),
    )
