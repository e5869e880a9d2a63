"""Retries by disposition, the hopper's order, and pacing within the abandon budget."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.outbound.compliance import CompliancePolicy, PolicyError
from routing.outbound.hopper import Callback, Hopper
from routing.outbound.model import DialMode, Disposition
from routing.outbound.pacing import MeanEstimate, PacingInput, RateEstimate, decide
from routing.outbound.retry import RetryPolicy, next_attempt, retry_policy_from_mapping

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai
SHANGHAI = ("Asia/Shanghai",)

# --- retry -----------------------------------------------------------------------------


def test_default_retries_by_disposition():
    policy = RetryPolicy()
    assert next_attempt(Disposition.BUSY, now=NOW, policy=policy).at == NOW + timedelta(minutes=30)
    assert next_attempt(Disposition.NO_ANSWER, now=NOW, policy=policy).at == NOW + timedelta(
        hours=2
    )
    assert next_attempt(Disposition.ABANDONED, now=NOW, policy=policy).at == NOW + timedelta(
        hours=72
    )
    for final in (Disposition.SALE, Disposition.NOT_INTERESTED, Disposition.WRONG_NUMBER):
        assert next_attempt(final, now=NOW, policy=policy).at is None


def test_answering_machine_retries_when_hours_open_on_the_callees_next_day():
    decision = next_attempt(
        Disposition.ANSWERING_MACHINE,
        now=NOW,
        policy=RetryPolicy(),
        zones=SHANGHAI,
        compliance=CompliancePolicy(),
    )
    assert decision.at == datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    no_zone = next_attempt(Disposition.ANSWERING_MACHINE, now=NOW, policy=RetryPolicy())
    assert no_zone.at == NOW + timedelta(days=1)


def test_callback_goes_to_the_agreed_time_and_the_same_agent():
    agreed = NOW + timedelta(hours=3)
    decision = next_attempt(
        Disposition.CALLBACK, now=NOW, policy=RetryPolicy(), callback_at=agreed, agent="a-7"
    )
    assert (decision.at, decision.agent) == (agreed, "a-7")


def test_do_not_call_is_never_retried_and_goes_onto_the_list():
    decision = next_attempt(Disposition.DO_NOT_CALL, now=NOW, policy=RetryPolicy())
    assert decision.at is None
    assert decision.add_to_do_not_call


def test_retry_config_is_read_and_checked():
    policy = retry_policy_from_mapping({"busy": "10m", "no_answer": "1h", "sale": "never"})
    assert next_attempt(Disposition.BUSY, now=NOW, policy=policy).at == NOW + timedelta(minutes=10)
    with pytest.raises(PolicyError) as e:
        retry_policy_from_mapping({"do_not_call": "1d"})
    assert e.value.field == "retry.do_not_call"
    with pytest.raises(PolicyError) as e:
        retry_policy_from_mapping({"abandoned": "24h"})
    assert e.value.field == "retry.abandoned"
    with pytest.raises(PolicyError) as e:
        retry_policy_from_mapping({"busy": "soon"})
    assert e.value.field == "retry.busy"
    with pytest.raises(PolicyError) as e:
        retry_policy_from_mapping({"hung_up": "1h"})
    assert e.value.field == "retry.hung_up"


# --- the hopper ----------------------------------------------------------------------------


def test_hopper_gives_due_callbacks_first_then_the_highest_score():
    hopper = Hopper()
    hopper.add_many([("low", 1), ("high", 30), ("mid", 10)])
    hopper.add_callback(Callback("cb", NOW + timedelta(minutes=5), "a-1"))
    assert hopper.due_callbacks(NOW) == []
    later = NOW + timedelta(minutes=5)
    assert [c.lead_id for c in hopper.due_callbacks(later)] == ["cb"]
    assert hopper.take_callback("cb") is not None
    assert [hopper.pop(later) for _ in range(4)] == ["high", "mid", "low", None]


def test_hopper_holds_retries_until_due_and_forgets_removed_or_requeued_leads():
    hopper = Hopper()
    hopper.add("retry", 50, not_before=NOW + timedelta(minutes=30))
    hopper.add("gone", 40)
    hopper.add("moved", 45)
    hopper.add("moved", 5)  # re-queued with a new score: only the newest entry counts
    hopper.remove("gone")
    assert hopper.pop(NOW) == "moved"
    assert hopper.pop(NOW) is None
    assert hopper.pop(NOW + timedelta(minutes=30)) == "retry"
    assert len(hopper) == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.floats(-100, 100)), max_size=60))
def test_hopper_pops_in_score_order_each_lead_once(items):
    hopper = Hopper()
    latest = {f"L{i}": score for i, score in items}
    for i, score in items:
        hopper.add(f"L{i}", score)
    popped = []
    while (lead := hopper.pop(NOW)) is not None:
        popped.append(lead)
    assert sorted(popped) == sorted(latest)
    scores = [latest[p] for p in popped]
    assert scores == sorted(scores, reverse=True)


# --- pacing ----------------------------------------------------------------------------


def pacing(mode=DialMode.PREDICTIVE, **kw):
    base = dict(
        mode=mode,
        free_agents=10,
        busy_agents=90,
        lines_in_flight=0,
        answer_rate=0.2,
        handle_s=100.0,
        answer_delay_s=10.0,
        abandon_budget=1000.0,
    )
    base.update(kw)
    return PacingInput(**base)


def test_progressive_dials_one_line_per_free_agent_and_preview_shows_cards():
    assert decide(pacing(DialMode.PROGRESSIVE, lines_in_flight=4)).dials == 6
    assert decide(pacing(DialMode.PROGRESSIVE, lines_in_flight=12)).dials == 0
    preview = decide(pacing(DialMode.PREVIEW))
    assert preview.dials == 10
    assert preview.exposure == 0


def test_predictive_dials_ahead_from_answer_rate_and_soon_free_agents():
    d = decide(pacing())
    # (10 free + 90 x 10/100 soon) / 0.2 = 95 lines
    assert d.dials == 95
    assert d.exposure == 85


def test_predictive_is_held_by_the_abandon_budget():
    d = decide(pacing(abandon_budget=3.7))
    assert d.dials == 13
    assert d.exposure == 3
    assert "budget" in d.reason
    spent = decide(pacing(abandon_budget=-2.0))
    assert spent.dials == 10
    assert spent.exposure == 0


def test_a_campaign_without_agents_dials_nothing():
    d = decide(pacing(free_agents=0, busy_agents=0))
    assert d.dials == 0
    assert "no agents" in d.reason


@settings(max_examples=300, deadline=None)
@given(
    free=st.integers(0, 500),
    busy=st.integers(0, 500),
    lines=st.integers(0, 2000),
    rate=st.floats(0, 1),
    handle=st.floats(1, 1000),
    delay=st.floats(0, 60),
    budget=st.floats(-50, 500),
    mode=st.sampled_from(list(DialMode)),
)
def test_pacing_never_adds_exposure_beyond_the_abandon_budget(
    free, busy, lines, rate, handle, delay, budget, mode
):
    state = pacing(
        mode,
        free_agents=free,
        busy_agents=busy,
        lines_in_flight=lines,
        answer_rate=rate,
        handle_s=handle,
        answer_delay_s=delay,
        abandon_budget=budget,
    )
    d = decide(state)
    assert d.dials >= 0
    before = max(0, lines - free)
    allowed = max(before, math.floor(max(budget, 0)))
    if d.dials:
        assert d.exposure <= allowed
    if mode is not DialMode.PREDICTIVE:
        assert lines + d.dials <= max(free, lines)


def test_live_estimates_start_from_the_prior_and_follow_the_data():
    rate = RateEstimate(prior=0.5, window=100)
    assert rate.value == 0.5
    for _ in range(200):
        rate.add(False)
    assert rate.value == 0.0
    mean = MeanEstimate(100.0, alpha=0.5)
    mean.add(200.0)
    assert mean.value == 150.0
