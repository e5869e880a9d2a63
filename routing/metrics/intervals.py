"""Interval reports: the same figures, one row per queue per 15, 30 or 60 minutes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from routing.metrics.facts import QueueVisit
from routing.metrics.queue import QueueFigures, QueueMetricRules, queue_figures

INTERVAL_MINUTES = (15, 30, 60)


def interval_starts(start: datetime, end: datetime, minutes: int) -> Iterator[datetime]:
    """Interval boundaries from ``start`` (floored to the interval) up to ``end``."""
    if minutes not in INTERVAL_MINUTES:
        raise ValueError(f"interval must be one of {INTERVAL_MINUTES} minutes, not {minutes}")
    if end <= start:
        raise ValueError("the report must end after it starts")
    step = timedelta(minutes=minutes)
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    at = midnight + step * ((start - midnight) // step)
    while at < end:
        yield at
        at += step


def queue_intervals(
    queues: Sequence[str],
    visits: Sequence[QueueVisit],
    start: datetime,
    end: datetime,
    minutes: int,
    now: datetime,
    rules: QueueMetricRules | None = None,
) -> list[tuple[datetime, QueueFigures]]:
    rows: list[tuple[datetime, QueueFigures]] = []
    step = timedelta(minutes=minutes)
    for at in interval_starts(start, end, minutes):
        for queue in queues:
            rows.append((at, queue_figures(queue, visits, at, at + step, now, rules)))
    return rows
