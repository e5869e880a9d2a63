"""Metric definitions against a hand-computed event log of one hour in one queue."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing.metrics.agent import agent_figures
from routing.metrics.campaign import Dial, campaign_figures
from routing.metrics.facts import AgentSpan, QueueVisit
from routing.metrics.intervals import interval_starts, queue_intervals
from routing.metrics.queue import QueueMetricRules, ServiceLevelFormula, queue_figures

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)


def at(minutes: int, seconds: int = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, seconds=seconds)


LOG = [
    QueueVisit(
        "c1",
        "billing",
        at(1),
        answered_at=at(1, 10),
        ended_at=at(5, 10),
        agent="a1",
        caller="+861",
        talk_s=240,
        wrap_s=30,
    ),
    QueueVisit(
        "c2",
        "billing",
        at(2),
        answered_at=at(2, 30),
        ended_at=at(8),
        agent="a2",
        caller="+862",
        talk_s=300,
        hold_s=60,
        wrap_s=60,
    ),
    QueueVisit("c3", "billing", at(3), abandoned_at=at(3, 3), caller="+863"),  # short abandon
    QueueVisit("c4", "billing", at(4), abandoned_at=at(4, 40), caller="+864"),
    # offered before 09:15, answered after it: belongs to the 09:00 interval
    QueueVisit(
        "c5",
        "billing",
        at(14, 50),
        answered_at=at(15, 20),
        ended_at=at(20),
        agent="a1",
        caller="+861",
        talk_s=200,
        wrap_s=20,
    ),
    QueueVisit(
        "c6", "billing", at(20), answered_at=at(20, 5), agent="a2", caller="+866", talk_s=100
    ),  # still talking
    QueueVisit("c7", "billing", at(58), caller="+867"),  # waiting at 10:00
]


def test_the_first_quarter_hour_by_hand() -> None:
    f = queue_figures("billing", LOG, at(0), at(15), NOW)
    assert (f.offered, f.answered, f.abandoned, f.short_abandons) == (5, 3, 2, 1)
    assert (f.answered_within, f.abandoned_within) == (1, 1)  # c1 (10 s); c3 (3 s)
    assert f.service_level == pytest.approx(1 / 4)  # 1 / (5 offered - 1 short abandon)
    assert f.asa_s == pytest.approx((10 + 30 + 30) / 3)
    assert f.aht_s == pytest.approx((270 + 420 + 220) / 3)
    assert f.abandon_rate == pytest.approx(1 / 4)  # (2 - 1 short) / (5 - 1)
    assert f.fcr == pytest.approx(2 / 3)  # +861 called again 14 minutes later
    assert (f.waiting_now, f.longest_wait_s) == (1, 120.0)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        (ServiceLevelFormula.EXCLUDE_SHORT_ABANDONS, 1 / 4),
        (ServiceLevelFormula.OF_OFFERED, 1 / 5),
        (ServiceLevelFormula.OF_ANSWERED, 1 / 3),
        (ServiceLevelFormula.ABANDONS_WITHIN_COUNT_AS_MET, 2 / 5),
    ],
)
def test_each_service_level_formula(formula: ServiceLevelFormula, expected: float) -> None:
    f = queue_figures("billing", LOG, at(0), at(15), NOW, QueueMetricRules(formula=formula))
    assert f.service_level == pytest.approx(expected)
    assert f.service_level_formula == formula.value


def test_the_hour_and_its_intervals_agree() -> None:
    hour = queue_figures("billing", LOG, at(0), at(60), NOW)
    assert (hour.offered, hour.answered, hour.answered_within) == (7, 4, 2)
    assert hour.service_level == pytest.approx(2 / 6)
    rows = queue_intervals(["billing"], LOG, at(0), at(60), 15, NOW)
    assert [r[0] for r in rows] == [at(0), at(15), at(30), at(45)]
    assert sum(r[1].offered for r in rows) == hour.offered
    assert sum(r[1].answered for r in rows) == hour.answered
    assert sum(r[1].abandoned for r in rows) == hour.abandoned
    assert sum(r[1].answered_within for r in rows) == hour.answered_within
    second = rows[1][1]
    assert (second.offered, second.answered, second.service_level, second.aht_s) == (
        1,
        1,
        1.0,
        None,
    )


def test_a_transferred_call_is_answered_in_one_queue_and_offered_in_the_next() -> None:
    first = replace(LOG[1], transferred=True)
    second = QueueVisit(
        "c2",
        "tech",
        at(8),
        answered_at=at(8, 10),
        ended_at=at(12),
        agent="a3",
        caller="+862",
        talk_s=230,
    )
    log = [first, second]
    billing = queue_figures("billing", log, at(0), at(60), NOW)
    tech = queue_figures("tech", log, at(0), at(60), NOW)
    assert (billing.offered, billing.answered) == (1, 1)
    assert (tech.offered, tech.answered, tech.asa_s) == (1, 1, 10.0)


def test_an_agent_by_hand() -> None:
    spans = [
        AgentSpan("a1", "available", at(0), at(1, 10)),
        AgentSpan("a1", "on_call", at(1, 10), at(5, 10)),
        AgentSpan("a1", "wrap_up", at(5, 10), at(5, 40)),
        AgentSpan("a1", "available", at(5, 40), at(10)),
        AgentSpan("a1", "break", at(10), at(14), reason="coffee"),
        AgentSpan("a1", "available", at(14), at(15, 20)),
        AgentSpan("a1", "on_call", at(15, 20), at(20)),
        AgentSpan("a1", "wrap_up", at(20), at(20, 20)),
        AgentSpan("a1", "available", at(20, 20)),
    ]
    f = agent_figures("a1", spans, LOG, at(0), at(15), NOW)
    assert f.seconds_by_state == {
        "available": 70 + 260 + 60,
        "on_call": 240,
        "wrap_up": 30,
        "break": 240,
    }
    assert f.occupancy == pytest.approx(270 / (270 + 390))
    assert (f.calls, f.aht_s) == (2, (270 + 220) / 2)
    assert (f.breaks, f.break_s) == (1, 240)
    assert (f.state, f.in_state_s) == ("available", 2380.0)


def test_a_campaign_against_its_abandon_cap() -> None:
    dials = [
        Dial("renew", at(i), connected=i < 6, abandoned=i == 0, talk_s=0 if i == 0 else 120)
        for i in range(10)
    ]
    dials.append(Dial("other", at(3), connected=True))
    f = campaign_figures("renew", dials, at(0), at(60), staffed_agent_s=2 * 1800)
    assert (f.dials, f.connects, f.abandoned) == (10, 6, 1)
    assert f.answer_rate == pytest.approx(0.6)
    assert f.abandon_rate == pytest.approx(1 / 6)
    assert f.cap_used == pytest.approx((1 / 6) / 0.03)
    assert f.talk_per_agent_hour_s == pytest.approx(600.0)


def test_bad_records_are_refused() -> None:
    with pytest.raises(ValueError, match="both answered and abandoned"):
        QueueVisit("x", "q", at(0), answered_at=at(1), abandoned_at=at(1))
    with pytest.raises(ValueError, match="before it was offered"):
        QueueVisit("x", "q", at(5), answered_at=at(1))
    with pytest.raises(ValueError, match="interval must be one of"):
        list(interval_starts(at(0), at(60), 7))
    with pytest.raises(ValueError, match="only a connected dial"):
        Dial("c", at(0), connected=False, abandoned=True)


@st.composite
def visits(draw: st.DrawFn) -> QueueVisit:
    offered = T0 + timedelta(seconds=draw(st.integers(0, 3 * 3600)))
    outcome = draw(st.sampled_from(["answered", "abandoned", "waiting"]))
    wait = timedelta(seconds=draw(st.integers(0, 600)))
    return QueueVisit(
        call_id=str(draw(st.uuids())),
        queue=draw(st.sampled_from(["a", "b"])),
        offered_at=offered,
        answered_at=offered + wait if outcome == "answered" else None,
        abandoned_at=offered + wait if outcome == "abandoned" else None,
        ended_at=offered + wait + timedelta(minutes=3) if outcome == "answered" else None,
        talk_s=draw(st.floats(0, 900)),
    )


@given(st.lists(visits(), max_size=60), st.sampled_from([15, 30, 60]))
def test_intervals_always_add_up_to_the_period(log: list[QueueVisit], minutes: int) -> None:
    now = T0 + timedelta(hours=4)
    whole = queue_figures("a", log, T0, T0 + timedelta(hours=3), now)
    rows = queue_intervals(["a"], log, T0, T0 + timedelta(hours=3), minutes, now)
    for field in ("offered", "answered", "abandoned", "short_abandons", "answered_within"):
        assert sum(getattr(r, field) for _, r in rows) == getattr(whole, field)
    if whole.service_level is not None:
        assert 0.0 <= whole.service_level <= 1.0
