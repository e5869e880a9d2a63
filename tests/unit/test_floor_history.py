"""The floor's service-level history: kept past intervals give the figures computed afresh."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from routing.floor import history_bucket, sl_history
from routing.metrics.facts import QueueVisit
from routing.metrics.queue import QueueMetricRules

START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
RULES = QueueMetricRules(threshold_s=20)


def visit(call: str, minute: int, wait_s: float | None) -> QueueVisit:
    offered = START + timedelta(minutes=minute)
    if wait_s is None:
        return QueueVisit(call, "sales", offered)
    return QueueVisit(call, "sales", offered, answered_at=offered + timedelta(seconds=wait_s))


def test_kept_intervals_give_the_same_history_and_a_changed_visit_is_recomputed() -> None:
    visits = [visit("c1", 5, 10), visit("c2", 40, 30), visit("c3", 45, None), visit("c4", 70, 5)]
    now = START + timedelta(minutes=80)
    known: dict[int, float] = {}
    fresh = sl_history("sales", visits, START, now, RULES)
    assert fresh == [1.0, 0.0, 1.0]
    assert sl_history("sales", visits, START, now, RULES, known=known) == fresh
    assert known == {0: 1.0, 1: 0.0}  # the current interval is never kept
    # c3, waiting in a past interval, is answered within 20 s: its interval is dropped and
    # recomputed; the history is again the one computed from nothing.
    answered = replace(visits[2], answered_at=visits[2].offered_at + timedelta(seconds=15))
    visits[2] = answered
    known.pop(history_bucket(START, answered.offered_at))
    expected = sl_history("sales", visits, START, now, RULES)
    assert expected == [1.0, 0.5, 1.0]
    assert sl_history("sales", visits, START, now, RULES, known=known) == expected
    # Later, the current interval becomes a past one and is kept.
    later = START + timedelta(minutes=95)
    assert sl_history("sales", visits, START, later, RULES, known=known) == [
        1.0,
        0.5,
        1.0,
        None,
    ]  # no call yet in the new one
    assert known == {0: 1.0, 1: 0.5, 2: 1.0}
