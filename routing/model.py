"""Agents and calls: pure rules (standard library only; time comes in as arguments).

A call's record is derived from facts (when it rang, was answered, ended) rather than from the
order events arrived in, so duplicates and reordering converge on the same record. What needs
the order of events (who had the call when, when it was on hold) is kept as sets of marks and
sorted by time when read: legs per agent and the ring, talk and hold durations follow from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

# The states an agent or a supervisor may choose; the others follow from calls.
CHOSEN_STATES = frozenset({"available", "break", "not_ready", "offline"})
AGENT_STATES = frozenset(
    {"offline", "available", "reserved", "on_call", "wrap_up", "break", "not_ready"}
)


class CallState(StrEnum):
    RINGING = "ringing"
    ANSWERED = "answered"
    HELD = "held"
    ENDED = "ended"
    MISSED = "missed"
    ABANDONED = "abandoned"


FINAL = frozenset({CallState.ENDED, CallState.MISSED, CallState.ABANDONED})


@dataclass(frozen=True)
class CallFact:
    """One event reduced to what it says about the call."""

    type: str  # a CallEventType value
    at: datetime
    agent: str | None = None
    queue: str | None = None
    cause: str | None = None
    from_number: str = ""
    to_number: str = ""
    ivr: dict[str, str] = field(default_factory=dict)
    # For a transfer: where the call went when no agent is named (a queue, an outside number).
    target: str = ""


# What an agent mark says, in the order two marks at the same instant are read.
MARK_KINDS = ("ringing", "answered", "transferred")
# Where a transfer sent the call.
TO_AGENT, TO_QUEUE, TO_OUTSIDE = "agent", "queue", "outside"

# (at, kind, target kind, target): the call rang / was answered at / was transferred to target.
AgentMark = tuple[datetime, str, str, str]
# (at, "held" | "resumed")
HoldMark = tuple[datetime, str]


def _mark_key(mark: AgentMark) -> tuple[datetime, int, str, str]:
    return (mark[0], MARK_KINDS.index(mark[1]), mark[2], mark[3])


def _hold_key(mark: HoldMark) -> tuple[datetime, int]:
    # At the same instant "resumed" is read last: a call is never left on hold by a tie.
    return (mark[0], 0 if mark[1] == "held" else 1)


@dataclass(frozen=True)
class Leg:
    """One agent's part of a call: from ringing (or the transfer to them) to the next agent."""

    agent_id: str
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    outcome: str  # answered | missed | transferred | live

    def wire(self) -> dict[str, object]:
        return {
            "agent": self.agent_id,
            "started_at": self.started_at.isoformat(),
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "outcome": self.outcome,
        }


@dataclass(frozen=True)
class CallRecord:
    call_id: str
    direction: str
    from_number: str
    to_number: str
    agent_id: str | None = None
    queue: str | None = None
    ivr: dict[str, str] = field(default_factory=dict)
    ringing_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    abandoned: bool = False
    on_hold: bool = False
    hold_changed_at: datetime | None = None
    agent_changed_at: datetime | None = None
    cause: str | None = None
    agent_marks: frozenset[AgentMark] = frozenset()
    hold_marks: frozenset[HoldMark] = frozenset()
    end_causes: frozenset[tuple[datetime, str]] = frozenset()
    # (0 for ringing else 1, at, from, to) of every event naming the parties; (at, queue).
    party_marks: frozenset[tuple[int, datetime, str, str]] = frozenset()
    queue_marks: frozenset[tuple[datetime, str]] = frozenset()

    @property
    def state(self) -> CallState:
        if self.ended_at is not None:
            if self.abandoned:
                return CallState.ABANDONED
            return CallState.ENDED if self.answered_at is not None else CallState.MISSED
        if self.answered_at is not None:
            return CallState.HELD if self.on_hold else CallState.ANSWERED
        return CallState.RINGING

    @property
    def started_at(self) -> datetime | None:
        times = [t for t in (self.ringing_at, self.answered_at, self.ended_at) if t is not None]
        return min(times) if times else None

    @property
    def transfer(self) -> tuple[str, str] | None:
        """Where the last transfer sent the call: (agent|queue|outside, target)."""
        moves = [m for m in self.agent_marks if m[1] == "transferred"]
        if not moves:
            return None
        last = max(moves, key=_mark_key)
        return last[2], last[3]

    @property
    def legs(self) -> tuple[Leg, ...]:
        """The agents' parts of the call in time order.

        A leg starts when the call rings an agent, is answered by an agent who had no leg yet,
        or is transferred to an agent; it ends at the next mark naming someone else (or a
        transfer away from the agents) or when the call ends. A leg begun by a transfer is
        answered at once; an answer event naming no agent counts for the leg it falls in.
        """
        legs: list[Leg] = []
        # The open leg: (agent, started at, answered at).
        current: tuple[str, datetime, datetime | None] | None = None
        for at, kind, target_kind, target in sorted(self.agent_marks, key=_mark_key):
            if self.ended_at is not None and at > self.ended_at:
                break
            if current is not None and target_kind == TO_AGENT and target == current[0]:
                if kind == "answered" and current[2] is None:
                    current = (current[0], current[1], at)
                continue
            if current is not None:
                legs.append(
                    self._close(*current, at, "transferred" if kind == "transferred" else None)
                )
                current = None
            if target_kind == TO_AGENT:
                current = (target, at, at if kind in ("answered", "transferred") else None)
        if current is not None:
            legs.append(self._close(*current, self.ended_at, None))
        return tuple(legs)

    def _close(
        self,
        agent_id: str,
        started: datetime,
        answered: datetime | None,
        end: datetime | None,
        outcome: str | None,
    ) -> Leg:
        if answered is None and self.answered_at is not None:
            # An answer that named nobody belongs to the leg ringing at that time.
            inside = started <= self.answered_at and (end is None or self.answered_at < end)
            answered = self.answered_at if inside else None
        if outcome is None and end is None:
            outcome = "live"
        elif outcome is None:
            outcome = "answered" if answered is not None else "missed"
        return Leg(agent_id, started, answered, end, outcome)

    @property
    def ring_seconds(self) -> float | None:
        """From the first ring to the answer, or to the end of a call never answered."""
        start = self.started_at
        stop = self.answered_at or self.ended_at
        if start is None or stop is None:
            return None
        return max(0.0, (stop - start).total_seconds())

    @property
    def hold_seconds(self) -> float | None:
        """Time on hold, counted once the call has ended (a hold open at the end ends there)."""
        if self.ended_at is None:
            return None
        if self.answered_at is None:
            return 0.0
        total = 0.0
        held_since: datetime | None = None
        for at, kind in sorted(self.hold_marks, key=_hold_key):
            at = min(max(at, self.answered_at), self.ended_at)
            if kind == "held" and held_since is None:
                held_since = at
            elif kind == "resumed" and held_since is not None:
                total += (at - held_since).total_seconds()
                held_since = None
        if held_since is not None:
            total += (self.ended_at - held_since).total_seconds()
        return total

    @property
    def talk_seconds(self) -> float | None:
        """From the answer to the end, less the time on hold; 0 for a call never answered."""
        if self.ended_at is None:
            return None
        if self.answered_at is None:
            return 0.0
        hold = self.hold_seconds or 0.0
        return max(0.0, (self.ended_at - self.answered_at).total_seconds() - hold)


def _earliest(current: datetime | None, at: datetime) -> datetime:
    return at if current is None or at < current else current


def apply(record: CallRecord, fact: CallFact) -> CallRecord:
    """The record after ``fact``; applying the same facts in any order gives the same record."""
    changes: dict[str, object] = {}
    mark = _agent_mark(fact)
    if mark is not None and mark not in record.agent_marks:
        marks = record.agent_marks | {mark}
        latest = max(marks, key=_mark_key)
        changes["agent_marks"] = marks
        changes["agent_id"] = latest[3] if latest[2] == TO_AGENT else None
        changes["agent_changed_at"] = latest[0]
    if fact.from_number or fact.to_number:
        # The earliest ringing event names caller and callee; later events may swap them (an
        # agent's BYE), so they count only for a call whose ringing was never heard.
        party = (0 if fact.type == "ringing" else 1, fact.at, fact.from_number, fact.to_number)
        if party not in record.party_marks:
            parties = record.party_marks | {party}
            ordered = sorted(parties)
            changes["party_marks"] = parties
            changes["from_number"] = next((p[2] for p in ordered if p[2]), record.from_number)
            changes["to_number"] = next((p[3] for p in ordered if p[3]), record.to_number)
    if not record.ivr and fact.ivr:
        changes["ivr"] = dict(fact.ivr)
    # The queue the call was first heard of in (a transfer to another queue is the transfer's,
    # not the call's). A row stored before marks were kept keeps its queue.
    if fact.queue and (record.queue is None or record.queue_marks):
        queues = record.queue_marks | {(fact.at, fact.queue)}
        if queues != record.queue_marks:
            changes["queue_marks"] = queues
            changes["queue"] = min(queues)[1]
    if fact.type == "ringing":
        changes["ringing_at"] = _earliest(record.ringing_at, fact.at)
    elif fact.type in ("answered", "resumed", "held", "transferred"):
        changes["answered_at"] = _earliest(record.answered_at, fact.at)
        if fact.type in ("held", "resumed") and (fact.at, fact.type) not in record.hold_marks:
            holds = record.hold_marks | {(fact.at, fact.type)}
            latest_hold = max(holds, key=_hold_key)
            changes["hold_marks"] = holds
            changes["on_hold"] = latest_hold[1] == "held"
            changes["hold_changed_at"] = latest_hold[0]
    elif fact.type in ("ended", "abandoned"):
        changes["ended_at"] = _earliest(record.ended_at, fact.at)
        if fact.type == "abandoned":
            changes["abandoned"] = True
        # The earliest end that names a cause says why the call ended; at the same instant the
        # smaller cause wins, so that the record does not depend on which report came first.
        if fact.cause and (fact.at, fact.cause) not in record.end_causes:
            causes = record.end_causes | {(fact.at, fact.cause)}
            changes["end_causes"] = causes
            changes["cause"] = min(causes)[1]
    return replace(record, **changes)  # type: ignore[arg-type]


def _agent_mark(fact: CallFact) -> AgentMark | None:
    """What ``fact`` says about who has the call, or None when it says nothing."""
    if fact.type not in MARK_KINDS:
        return None
    if fact.agent:
        return (fact.at, fact.type, TO_AGENT, fact.agent)
    if fact.type != "transferred":
        return None  # a ring or answer naming no agent (a queue call) leaves the legs alone
    if fact.queue:
        return (fact.at, fact.type, TO_QUEUE, fact.queue)
    return (fact.at, fact.type, TO_OUTSIDE, fact.target)


def agent_state_after_call(agent_state: str, call_state: CallState) -> str | None:
    """The agent's next state when a call it handles moves, or None to leave it."""
    if call_state == CallState.RINGING:
        return "reserved" if agent_state == "available" else None
    if call_state in (CallState.ANSWERED, CallState.HELD):
        return "on_call" if agent_state in ("available", "reserved") else None
    if call_state in FINAL:
        return "available" if agent_state in ("reserved", "on_call") else None
    return None


def can_choose(state: str) -> bool:
    return state in CHOSEN_STATES
