"""Leaderboards: the agents' figures summed over teams, regions (or per agent) and ranked.

Each agent's period makes a :class:`Tally` of additive counts; a group's tally is the sum of
its agents' tallies, and its figures come from the sums (never an average of averages):

- answered: visits offered in the period that the group's agents answered;
- AHT: their talk + hold + wrap over those of them that have ended (as for queues);
- service level: answered within the threshold of the visit's queue over answered (the
  ``OF_ANSWERED`` formula: an agent cannot answer a caller who hung up);
- FCR: answered visits with a known caller who did not call the same queue again within the
  window, over answered visits with a known caller (as for queues);
- occupancy: on_call + wrap_up time over that plus available + reserved time (as for agents).

The live board and ``switchboard report leaderboard`` both build tallies with
:func:`agent_tally`, so their figures for the same period are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from routing.metrics.agent import BUSY, IDLE, AgentFigures
from routing.metrics.facts import QueueVisit
from routing.metrics.queue import (
    CallerVisits,
    ServiceLevelFormula,
    resolved_first_time,
    service_level,
)

GROUPINGS = ("team", "region", "agent")
# figure -> True when more is better
FIGURES: dict[str, bool] = {
    "answered": True,
    "aht_s": False,
    "fcr": True,
    "occupancy": True,
    "service_level": True,
}


@dataclass(frozen=True)
class Tally:
    """Counts behind the figures; the tally of a group is the sum of its agents' tallies."""

    agents: int = 0
    answered: int = 0
    ended: int = 0
    handle_s: float = 0.0
    answered_within: int = 0
    known_callers: int = 0
    resolved: int = 0
    busy_s: float = 0.0
    idle_s: float = 0.0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.agents + other.agents,
            self.answered + other.answered,
            self.ended + other.ended,
            self.handle_s + other.handle_s,
            self.answered_within + other.answered_within,
            self.known_callers + other.known_callers,
            self.resolved + other.resolved,
            self.busy_s + other.busy_s,
            self.idle_s + other.idle_s,
        )


@dataclass(frozen=True)
class GroupFigures:
    key: str
    agents: int
    answered: int
    aht_s: float | None
    fcr: float | None
    occupancy: float | None
    service_level: float | None

    def figure(self, name: str) -> float | None:
        if name not in FIGURES:
            raise ValueError(f"unknown figure {name!r} (one of {', '.join(FIGURES)})")
        value: float | int | None = getattr(self, name)
        return None if value is None else float(value)


def agent_tally(
    figures: AgentFigures,
    visits: Iterable[QueueVisit],
    start: datetime,
    end: datetime,
    repeats: CallerVisits,
    threshold_of: Callable[[str], float],
    fcr_window: timedelta,
    now: datetime,
) -> Tally:
    """One agent's tally: ``figures`` for the period, ``visits`` any that include theirs
    (with wrap-up attached), ``repeats`` the period's ``repeat_index``."""
    answered = [
        v
        for v in visits
        if v.agent == figures.agent and v.answered_at is not None and start <= v.offered_at < end
    ]
    ended = [v for v in answered if v.ended_at is not None]
    known = [v for v in answered if v.caller]
    seconds = figures.seconds_by_state
    return Tally(
        agents=1,
        answered=len(answered),
        ended=len(ended),
        handle_s=sum(v.handle_s for v in ended),
        answered_within=sum(1 for v in answered if v.wait_s(now) <= threshold_of(v.queue)),
        known_callers=len(known),
        resolved=sum(resolved_first_time(v, repeats, fcr_window) for v in known),
        busy_s=sum(seconds.get(state, 0.0) for state in BUSY),
        idle_s=sum(seconds.get(state, 0.0) for state in IDLE),
    )


def group_figures(key: str, tally: Tally) -> GroupFigures:
    def ratio(a: float, b: float) -> float | None:
        return a / b if b > 0 else None

    return GroupFigures(
        key=key,
        agents=tally.agents,
        answered=tally.answered,
        aht_s=ratio(tally.handle_s, tally.ended),
        fcr=ratio(tally.resolved, tally.known_callers),
        occupancy=ratio(tally.busy_s, tally.busy_s + tally.idle_s),
        service_level=service_level(
            ServiceLevelFormula.OF_ANSWERED,
            tally.answered,
            tally.answered,
            0,
            tally.answered_within,
            0,
        ),
    )


def leaderboard(groups: Mapping[str, str], tallies: Mapping[str, Tally]) -> list[GroupFigures]:
    """Figures per group (``groups``: agent -> group key), in order of key."""
    sums: dict[str, Tally] = {}
    for agent, tally in tallies.items():
        key = groups.get(agent, "")
        sums[key] = sums.get(key, Tally()) + tally
    return [group_figures(key, sums[key]) for key in sorted(sums)]


@dataclass(frozen=True)
class Ranked:
    rank: int
    figures: GroupFigures


def rank(rows: Sequence[GroupFigures], by: str) -> list[Ranked]:
    """Best first on figure ``by`` (the lower AHT the better); equal values share a rank,
    groups without the figure come last, unranked (rank 0)."""
    if by not in FIGURES:
        raise ValueError(f"unknown figure {by!r} (one of {', '.join(FIGURES)})")
    more_is_better = FIGURES[by]
    scored = [(r.figure(by), r) for r in rows]
    known = [(v, r) for v, r in scored if v is not None]
    known.sort(key=lambda p: (-p[0] if more_is_better else p[0], p[1].key))
    out: list[Ranked] = []
    previous: float | None = None
    for n, (value, row) in enumerate(known, start=1):
        place = out[-1].rank if out and value == previous else n
        out.append(Ranked(place, row))
        previous = value
    out += [Ranked(0, r) for v, r in scored if v is None]
    return out
