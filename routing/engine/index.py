"""Incremental indexes: who qualifies for what, who is free, which items wait where.

A *pool* is the set of agents that qualify statically (skills, proficiency, language,
channel, team) for one :class:`Requirement`, with counts of the rule that keeps out each of
the others. The engine also keeps, per channel, the set of agents free to take one more item
of it and the set of those routable but full; the agents who can take an item now are the
intersection of its pool with the channel's free set (a set operation in C over the smaller
of the two). A *bucket* is the heap of waiting items of one queue that share a requirement.
So a decision looks at the agents of one pool or at the heads of the buckets one agent
qualifies for, never at everything, and a change of state touches only a few sets.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

from routing.engine.model import (
    CHANNEL,
    LANGUAGE,
    MISSING_SKILL,
    PROFICIENCY,
    ROUTABLE_STATES,
    Agent,
    Requirement,
)

if TYPE_CHECKING:
    from routing.engine.model import WorkItem

# An agent's standing on one channel.
FREE, FULL, OFF = 0, 1, 2


def channel_status(agent: Agent, channel: str) -> int:
    """FREE: may be offered one more item of ``channel``; FULL: no unit left; OFF: state."""
    if agent.state not in ROUTABLE_STATES:
        return OFF
    return FREE if agent.free_units(channel) > 0 else FULL


def static_rule(agent: Agent, req: Requirement) -> str | None:
    """The first static rule that keeps ``agent`` from ``req``, or None when it qualifies.

    Order: missing skill, proficiency, language, channel. An agent of one of ``req.teams``
    skips the two skill rules.
    """
    if agent.team is None or agent.team not in req.teams:
        skills = agent.skills
        for name, _ in req.skills:
            if name not in skills:
                return MISSING_SKILL
        for name, minimum in req.skills:
            if skills[name] < minimum:
                return PROFICIENCY
    if req.language is not None and req.language not in agent.languages:
        return LANGUAGE
    if agent.capacity.get(req.channel, 0) <= 0:
        return CHANNEL
    return None


def static_detail(agent: Agent, req: Requirement) -> tuple[str | None, str]:
    """Like :func:`static_rule`, with words: which skill, which level, which language."""
    if agent.team is None or agent.team not in req.teams:
        for name, _ in req.skills:
            if name not in agent.skills:
                return MISSING_SKILL, f"has no skill {name}"
        for name, minimum in req.skills:
            if agent.skills[name] < minimum:
                return PROFICIENCY, f"{name} at {agent.skills[name]}, needs {minimum}"
    if req.language is not None and req.language not in agent.languages:
        spoken = ", ".join(sorted(agent.languages)) or "none"
        return LANGUAGE, f"does not speak {req.language} (speaks {spoken})"
    if agent.capacity.get(req.channel, 0) <= 0:
        return CHANNEL, f"takes no {req.channel} work"
    if agent.team is not None and agent.team in req.teams:
        return None, f"team {agent.team} admitted by relaxation"
    return None, ""


class Bucket:
    """Waiting items of one queue with one requirement, best first (lazy deletion)."""

    __slots__ = ("heap", "live", "pool", "queue_id", "rate")

    def __init__(self, queue_id: str, pool: Pool, rate: float) -> None:
        self.queue_id = queue_id
        self.pool = pool
        self.rate = rate  # priority points per second of waiting (the queue's ageing)
        # (tier, static key, arrival, seq, version, item): tier 0 = back at the head.
        self.heap: list[tuple[int, float, float, int, int, ItemRecord]] = []
        self.live = 0

    def push(self, item: ItemRecord) -> None:
        entry = (0 if item.head else 1, item.key, item.arrival, item.seq, item.version, item)
        heapq.heappush(self.heap, entry)
        self.live += 1
        if len(self.heap) > 64 and len(self.heap) > 3 * self.live:
            self.heap = [e for e in self.heap if e[4] == e[5].version and e[5].bucket is self]
            heapq.heapify(self.heap)

    def head(self) -> tuple[int, float, float, int, int, ItemRecord] | None:
        heap = self.heap
        while heap:
            entry = heap[0]
            if entry[4] == entry[5].version and entry[5].bucket is self:
                return entry
            heapq.heappop(heap)
        return None

    def ordered(self) -> list[tuple[int, float, float, int, int, ItemRecord]]:
        """The live entries, best first (a full sort: for the rare slow paths only)."""
        return sorted(e for e in self.heap if e[4] == e[5].version and e[5].bucket is self)


class Pool:
    """The agents that qualify statically for one requirement, and its buckets."""

    __slots__ = ("buckets", "qualified", "req", "static_counts")

    def __init__(self, req: Requirement) -> None:
        self.req = req
        self.qualified: set[str] = set()
        self.static_counts: dict[str, int] = {}
        self.buckets: dict[str, Bucket] = {}

    def count(self, rule: str, delta: int) -> None:
        self.static_counts[rule] = self.static_counts.get(rule, 0) + delta


class ItemRecord:
    """The engine's mutable record of one live item."""

    __slots__ = (
        "accepted_at",
        "agent",
        "arrival",
        "bucket",
        "callback_done",
        "cb_version",
        "declined",
        "entered_at",
        "head",
        "key",
        "relax_version",
        "requirement",
        "reservation",
        "seq",
        "skill_sig",
        "status",
        "step",
        "trigger",
        "version",
        "work",
    )

    def __init__(self, work: WorkItem, arrival: float, seq: int, now: float) -> None:
        self.work = work
        self.arrival = arrival
        self.seq = seq
        self.entered_at = now
        self.step = 0
        self.status = ""
        self.head = False
        self.key = 0.0
        self.version = 0
        self.relax_version = 0
        self.cb_version = 0
        self.bucket: Bucket | None = None
        self.requirement: Requirement | None = None
        self.declined: set[str] = set()
        self.agent: str | None = None
        self.reservation: str | None = None
        self.accepted_at: float | None = None
        self.callback_done = False
        self.trigger = "arrival"
        self.skill_sig: tuple[tuple[str, int], ...] = tuple(sorted(work.skills.items()))
