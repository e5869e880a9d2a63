"""Why an item went to Wang and not to Li.

On the hot path the engine keeps a :class:`Decision` per decision: the winner, the best few
candidates with their sort keys, and per-rule elimination counts. The full story (every agent,
the rule that removed it in words, every score) is rebuilt on demand by :func:`build_trace`
from the agents' records as they stood at the decision (the engine keeps each agent's record
history for the decisions it still remembers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from routing.engine.index import FREE, FULL, channel_status, static_detail
from routing.engine.model import (
    CAPACITY,
    DECLINED,
    RULES,
    STATE,
    Agent,
    Queue,
    Requirement,
)
from routing.engine.strategies import Key, describe, key_function


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision as recorded on the hot path (``winner`` None: nobody could take it)."""

    id: int
    at: float
    seq: int  # the engine's change counter at the decision: the agents' records as of then
    item_id: str
    queue_id: str
    value_class: str
    priority: float
    step: int
    step_label: str
    requirement: Requirement
    strategy: str
    trigger: str
    winner: str | None
    reservation_id: str | None
    top: tuple[tuple[str, Key], ...]
    eliminated: Mapping[str, int]
    considered: int
    eligible: int
    declined: frozenset[str]
    rr_last: str | None
    queue: Queue


@dataclass(frozen=True, slots=True)
class Candidate:
    """One agent in a full trace: eligible with a rank and key, or removed by ``rule``."""

    agent_id: str
    rule: str | None
    detail: str
    key: Key | None = None
    rank: int | None = None


@dataclass(frozen=True, slots=True)
class Trace:
    decision: Decision
    winner: str | None
    candidates: tuple[Candidate, ...]  # ranked eligible agents first, then the others
    eliminated: Mapping[str, int]

    def candidate(self, agent_id: str) -> Candidate:
        for c in self.candidates:
            if c.agent_id == agent_id:
                return c
        raise KeyError(agent_id)

    def why_not(self, agent_id: str) -> str:
        """One sentence: why ``agent_id`` did not get the item (or that it did)."""
        c = self.candidate(agent_id)
        if c.rank == 1:
            return f"{agent_id} got it: ranked first ({c.detail})"
        if c.rule is not None:
            return f"{agent_id} was not eligible: {c.rule} ({c.detail})"
        best = self.candidates[0]
        return (
            f"{agent_id} ranked {c.rank} ({c.detail}); {best.agent_id} ranked first "
            f"({best.detail}) under {self.decision.strategy}"
        )

    def render(self) -> str:
        d = self.decision
        req = d.requirement
        skills = ", ".join(f"{n}>={m}" for n, m in req.skills) or "none"
        lines = [
            f"decision {d.id} at {d.at:.3f}: item {d.item_id} (queue {d.queue_id}, "
            f"class {d.value_class}, priority {d.priority:g}), trigger {d.trigger}",
            f"  requirement: channel {req.channel}; skills {skills}; "
            f"language {req.language or 'any'}"
            + (f"; teams {', '.join(sorted(req.teams))}" if req.teams else ""),
            f"  relaxation: {d.step_label}",
            f"  strategy: {d.strategy}; winner: {self.winner or 'nobody'}",
        ]
        for c in self.candidates:
            if c.rank is not None:
                lines.append(f"  #{c.rank:<3} {c.agent_id}: {c.detail}")
        for c in self.candidates:
            if c.rule is not None:
                lines.append(f"  --   {c.agent_id}: {c.rule}: {c.detail}")
        counts = ", ".join(f"{rule} {n}" for rule, n in self.eliminated.items())
        lines.append(f"  eliminated: {counts or 'none'}")
        return "\n".join(lines)


def dynamic_detail(agent: Agent, channel: str, declined: frozenset[str]) -> tuple[str | None, str]:
    """State, capacity, declined: the rules that depend on the moment."""
    status = channel_status(agent, channel)
    if status != FREE:
        if status == FULL:
            used = agent.load.get(channel, 0)
            cap = agent.capacity.get(channel, 0)
            if used < cap:
                busy = sorted(c for c in agent.exclusive if c != channel and agent.load.get(c))
                return CAPACITY, f"busy on exclusive channel {', '.join(busy)}"
            return CAPACITY, f"{used}/{cap} {channel} in use"
        why = f"{agent.state}" + (f" ({agent.reason})" if agent.reason else "")
        return STATE, why
    if agent.id in declined:
        return DECLINED, "rejected this item before"
    return None, ""


def build_trace(decision: Decision, agents: Mapping[str, Agent]) -> Trace:
    """The full trace of ``decision`` given every agent's record as it stood then."""
    req = decision.requirement
    keyfn = key_function(decision.strategy, decision.queue, req, decision.at, decision.rr_last)
    eligible: list[tuple[Key, str, str]] = []
    removed: list[tuple[int, str, Candidate]] = []
    counts = dict.fromkeys(RULES, 0)
    for aid in sorted(agents):
        agent = agents[aid]
        rule, detail = static_detail(agent, req)
        if rule is None:
            extra = detail
            rule, detail = dynamic_detail(agent, req.channel, decision.declined)
            if rule is None:
                key = keyfn(agent)
                words = describe(decision.strategy, key, decision.at)
                eligible.append((key, aid, f"{words}; {extra}" if extra else words))
                continue
        counts[rule] += 1
        removed.append((RULES.index(rule), aid, Candidate(aid, rule, detail)))
    eligible.sort()
    ranked = [
        Candidate(aid, None, words, key, rank)
        for rank, (key, aid, words) in enumerate(eligible, start=1)
    ]
    removed.sort(key=lambda r: (r[0], r[1]))
    return Trace(
        decision=decision,
        winner=ranked[0].agent_id if ranked else None,
        candidates=tuple(ranked) + tuple(c for _, _, c in removed),
        eliminated={rule: n for rule, n in counts.items() if n},
    )
