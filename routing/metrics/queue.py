"""Per-queue figures over a period.

A visit belongs to the period it was **offered** in, wherever its answer or hangup falls, so
adding the rows of consecutive intervals gives the row of their union, and the board and the
report agree. "Waiting now" and "longest wait" are about the moment ``now`` instead.

- offered: visits offered in the period;
- answered, abandoned: of those, answered by an agent, or hung up while waiting;
- short abandons: abandoned after waiting under ``short_abandon_s`` (default 5 s): callers
  who hung up before anyone could answer, counted apart and left out of service level;
- service level: one of the formulas in :class:`ServiceLevelFormula` (configurable; the
  default is answered within T over offered minus short abandons), T = ``threshold_s``;
- ASA: mean wait of answered visits; AHT: mean talk + hold + wrap of answered visits that
  have ended; abandon rate: abandoned (short ones excluded) over offered minus short ones;
- first-contact resolution: answered visits whose caller did not call the same queue again
  within ``fcr_window_s`` (default 24 h), over answered visits with a known caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from routing.metrics.facts import QueueVisit


class ServiceLevelFormula(StrEnum):
    EXCLUDE_SHORT_ABANDONS = "answered_within / (offered - short_abandons)"
    OF_OFFERED = "answered_within / offered"
    OF_ANSWERED = "answered_within / answered"
    ABANDONS_WITHIN_COUNT_AS_MET = "(answered_within + abandoned_within) / offered"


@dataclass(frozen=True)
class QueueMetricRules:
    threshold_s: float = 20.0
    short_abandon_s: float = 5.0
    formula: ServiceLevelFormula = ServiceLevelFormula.EXCLUDE_SHORT_ABANDONS
    fcr_window_s: float = 24 * 3600.0


@dataclass(frozen=True)
class QueueFigures:
    queue: str
    offered: int
    answered: int
    abandoned: int
    short_abandons: int
    answered_within: int
    abandoned_within: int
    waiting_now: int
    longest_wait_s: float
    service_level: float | None
    service_level_formula: str
    asa_s: float | None
    aht_s: float | None
    abandon_rate: float | None
    fcr: float | None


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def service_level(
    formula: ServiceLevelFormula,
    offered: int,
    answered: int,
    short_abandons: int,
    answered_within: int,
    abandoned_within: int,
) -> float | None:
    if formula is ServiceLevelFormula.EXCLUDE_SHORT_ABANDONS:
        return _ratio(answered_within, offered - short_abandons)
    if formula is ServiceLevelFormula.OF_OFFERED:
        return _ratio(answered_within, offered)
    if formula is ServiceLevelFormula.OF_ANSWERED:
        return _ratio(answered_within, answered)
    return _ratio(answered_within + abandoned_within, offered)


CallerVisits = dict[tuple[str, str], list[datetime]]


def repeat_index(visits: Iterable[QueueVisit]) -> CallerVisits:
    """When each (caller, queue) was offered: what first-contact resolution looks up."""
    later: CallerVisits = {}
    for visit in visits:
        if visit.caller:
            later.setdefault((visit.caller, visit.queue), []).append(visit.offered_at)
    return later


def resolved_first_time(visit: QueueVisit, later: CallerVisits, window: timedelta) -> bool:
    """The caller did not call the same queue again within ``window`` after this visit."""
    assert visit.caller is not None
    times = later.get((visit.caller, visit.queue), ())
    return not any(visit.offered_at < t <= visit.offered_at + window for t in times)


def first_contact_resolution(
    answered: Sequence[QueueVisit], all_visits: Iterable[QueueVisit], window: timedelta
) -> float | None:
    later = repeat_index(all_visits)
    known = [v for v in answered if v.caller]
    resolved = sum(resolved_first_time(v, later, window) for v in known)
    return _ratio(resolved, len(known))


def queue_figures(
    queue: str,
    visits: Iterable[QueueVisit],
    start: datetime,
    end: datetime,
    now: datetime,
    rules: QueueMetricRules | None = None,
) -> QueueFigures:
    """The queue's figures for visits offered in [start, end), and its waiting calls at ``now``."""
    r = rules or QueueMetricRules()
    mine = [v for v in visits if v.queue == queue]
    period = [v for v in mine if start <= v.offered_at < end]
    answered = [v for v in period if v.answered_at is not None]
    abandoned = [v for v in period if v.abandoned_at is not None]
    short = [v for v in abandoned if v.wait_s(now) < r.short_abandon_s]
    answered_within = sum(1 for v in answered if v.wait_s(now) <= r.threshold_s)
    abandoned_within = sum(1 for v in abandoned if v.wait_s(now) <= r.threshold_s)
    waiting = [v for v in mine if v.waiting and v.offered_at <= now]
    ended = [v for v in answered if v.ended_at is not None]
    return QueueFigures(
        queue=queue,
        offered=len(period),
        answered=len(answered),
        abandoned=len(abandoned),
        short_abandons=len(short),
        answered_within=answered_within,
        abandoned_within=abandoned_within,
        waiting_now=len(waiting),
        longest_wait_s=max((v.wait_s(now) for v in waiting), default=0.0),
        service_level=service_level(
            r.formula, len(period), len(answered), len(short), answered_within, abandoned_within
        ),
        service_level_formula=r.formula.value,
        asa_s=_mean([v.wait_s(now) for v in answered]),
        aht_s=_mean([v.handle_s for v in ended]),
        abandon_rate=_ratio(len(abandoned) - len(short), len(period) - len(short)),
        fcr=first_contact_resolution(answered, mine, timedelta(seconds=r.fcr_window_s)),
    )
