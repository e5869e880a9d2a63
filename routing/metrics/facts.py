"""The records metrics are computed from: one queue visit of a call, one span of agent state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class QueueVisit:
    """A call's time in one queue: offered, then answered, abandoned or still waiting.

    A call transferred from queue A to queue B makes two visits: answered in A, offered
    again in B. ``talk_s``, ``hold_s`` and ``wrap_s`` are the handling of this visit.
    """

    call_id: str
    queue: str
    offered_at: datetime
    answered_at: datetime | None = None
    abandoned_at: datetime | None = None
    ended_at: datetime | None = None
    agent: str | None = None
    caller: str | None = None
    talk_s: float = 0.0
    hold_s: float = 0.0
    wrap_s: float = 0.0
    transferred: bool = False

    def __post_init__(self) -> None:
        if self.answered_at is not None and self.abandoned_at is not None:
            raise ValueError(f"call {self.call_id} is both answered and abandoned")
        for name in ("answered_at", "abandoned_at", "ended_at"):
            at = getattr(self, name)
            if at is not None and at < self.offered_at:
                raise ValueError(f"call {self.call_id}: {name} before it was offered")
        if min(self.talk_s, self.hold_s, self.wrap_s) < 0:
            raise ValueError(f"call {self.call_id}: negative duration")

    def wait_s(self, now: datetime) -> float:
        """Seconds in queue: to the answer, to the abandon, to the end of a call that left the
        queue unanswered (transferred on, or lost), or until ``now`` while waiting."""
        until = self.answered_at or self.abandoned_at or self.ended_at or now
        return max(0.0, (until - self.offered_at).total_seconds())

    @property
    def waiting(self) -> bool:
        return self.answered_at is None and self.abandoned_at is None and self.ended_at is None

    @property
    def handle_s(self) -> float:
        return self.talk_s + self.hold_s + self.wrap_s


@dataclass(frozen=True)
class AgentSpan:
    """An agent in one state from ``start`` until ``end`` (``None``: still in it)."""

    agent: str
    state: str
    start: datetime
    end: datetime | None = None
    reason: str | None = None

    def seconds_within(self, start: datetime, end: datetime) -> float:
        """The part of this span inside [start, end)."""
        span_end = self.end if self.end is not None else end
        lo = max(self.start, start)
        hi = min(span_end, end)
        return max(0.0, (hi - lo).total_seconds())
