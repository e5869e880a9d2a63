"""How a queue picks among the agents free to take an item.

Every strategy maps an agent to a sort key; the smallest key wins. Every key ends with the
agent's id, so two agents never tie and the same state always gives the same winner:

=================  ==========================================================================
longest_idle       last_idle_since (earliest first), then agent id
most_skilled       sum of the agent's levels in the required skills (highest first), then
                   longest idle, then agent id
least_occupied     share of capacity in use (lowest first), then busy seconds so far (lowest
                   first), then longest idle, then agent id
round_robin        the first agent id after the one this queue offered to last (wrapping
                   round in id order)
weighted           sum of weight x level over the required skills plus idle_weight x idle
                   minutes (highest first), then longest idle, then agent id
=================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Callable

from routing.engine.model import Agent, Queue, Requirement

Key = tuple[float | str, ...]
KeyFunction = Callable[[Agent], Key]


def idle_key(agent: Agent) -> Key:
    return (agent.last_idle_since, agent.id)


def occupancy_key(agent: Agent) -> Key:
    units = sum(agent.capacity.values()) or 1
    share = round(sum(agent.load.values()) / units, 9)
    return (share, round(agent.busy_s, 6), agent.last_idle_since, agent.id)


def id_key(agent: Agent) -> Key:
    return (agent.id,)


def skill_key(agent: Agent, skill: str) -> Key:
    """most_skilled's order when one skill is required."""
    return (-agent.skills[skill], agent.last_idle_since, agent.id)


# Strategies whose order does not depend on the item: the engine keeps the free agents of
# each channel sorted by these keys and walks them instead of scoring every candidate.
AGENT_ORDERS: dict[str, KeyFunction] = {
    "longest_idle": idle_key,
    "least_occupied": occupancy_key,
    "round_robin": id_key,
}


def key_function(
    strategy: str, queue: Queue, req: Requirement, now: float, rr_last: str | None
) -> KeyFunction:
    """The sort key of ``strategy`` for one decision (smaller is better)."""
    names = [name for name, _ in req.skills]
    if strategy == "longest_idle":
        return idle_key
    if strategy == "most_skilled":

        def most_skilled(agent: Agent) -> Key:
            skills = agent.skills
            total = 0
            for name in names:
                total += skills.get(name, 0)
            return (-total, agent.last_idle_since, agent.id)

        return most_skilled
    if strategy == "least_occupied":
        return occupancy_key
    if strategy == "round_robin":
        last = rr_last

        def round_robin(agent: Agent) -> Key:
            after = last is None or agent.id > last
            return (0 if after else 1, agent.id)

        return round_robin
    if strategy == "weighted":
        weights = [(name, float(queue.skill_weights.get(name, 1.0))) for name in names]
        per_idle_s = queue.idle_weight / 60.0

        def weighted(agent: Agent) -> Key:
            skills = agent.skills
            score = 0.0
            for name, weight in weights:
                score += weight * skills.get(name, 0)
            idle = now - agent.last_idle_since
            if idle > 0:
                score += per_idle_s * idle
            return (-round(score, 9), agent.last_idle_since, agent.id)

        return weighted
    raise ValueError(f"unknown strategy {strategy!r}")


def describe(strategy: str, key: Key, now: float) -> str:
    """A key in words, for the trace."""
    if strategy == "longest_idle":
        return f"idle {now - float(key[0]):.1f} s"
    if strategy == "most_skilled":
        return f"skill sum {-float(key[0]):g}, idle {now - float(key[1]):.1f} s"
    if strategy == "least_occupied":
        return f"occupied {float(key[0]):.0%}, busy {float(key[1]):.0f} s"
    if strategy == "round_robin":
        return "next in turn" if key[0] == 0 else "after wrapping round"
    if strategy == "weighted":
        return f"score {-float(key[0]):.2f}, idle {now - float(key[1]):.1f} s"
    return repr(key)
