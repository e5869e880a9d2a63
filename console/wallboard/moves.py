"""Moving an agent between queues when queues take agents by skills.

A queue serves every agent whose skills meet its needs ({"billing": 2}: billing at level 2 or
more). Joining a queue raises the agent's skills to its needs; leaving one drops the skills
only that queue needs among those the agent serves, so the agent stays in every other queue.
When every skill the queue needs is needed by another of the agent's queues too, leaving is
impossible without leaving those: the answer says which.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Skills = Mapping[str, int]


def serves(skills: Skills, needs: Skills) -> bool:
    return all(skills.get(name, 0) >= level for name, level in needs.items())


@dataclass(frozen=True)
class Move:
    """The agent's skills after the move, or why there is no such move."""

    skills: dict[str, int]
    problem: str | None = None


def join(skills: Skills, needs: Skills) -> Move:
    out = dict(skills)
    for name, level in needs.items():
        out[name] = max(out.get(name, 0), level)
    return Move(out)


def leave(skills: Skills, queue: str, needs_by_queue: Mapping[str, Skills]) -> Move:
    needs = needs_by_queue.get(queue, {})
    if not needs:
        return Move(dict(skills), f"{queue} needs no skill: every agent serves it")
    staying = [q for q, n in needs_by_queue.items() if q != queue and serves(skills, n)]
    kept = {name for q in staying for name in needs_by_queue[q]}
    dropped = [name for name in needs if name not in kept]
    if not dropped:
        shared = sorted(q for q in staying if set(needs_by_queue[q]) & set(needs))
        return Move(dict(skills), f"its skills are needed by {', '.join(shared)} too")
    return Move({name: level for name, level in skills.items() if name not in dropped})
