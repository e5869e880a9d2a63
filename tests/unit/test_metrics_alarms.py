"""Alarms are raised past their thresholds and cleared when the cause goes away."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from routing.metrics.agent import AgentFigures
from routing.metrics.alarms import (
    AdapterHealth,
    Severity,
    SlaDeadline,
    diff_alarms,
    evaluate_alarms,
)
from routing.metrics.campaign import CampaignFigures
from routing.metrics.queue import QueueFigures

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def agent(state: str, seconds: float, name: str = "a1") -> AgentFigures:
    return AgentFigures(name, state, seconds, {}, 0, None, None, 0, 0.0)


def queue(longest: float, waiting: int = 1) -> QueueFigures:
    return QueueFigures(
        "billing", 0, 0, 0, 0, 0, 0, waiting, longest, None, "", None, None, None, None
    )


def campaign(rate: float) -> CampaignFigures:
    return CampaignFigures("renew", 100, 50, 0, 0.5, rate, 0.03, rate / 0.03, None)


def test_each_rule_fires_past_its_threshold_only() -> None:
    alarms = evaluate_alarms(
        NOW,
        agents=[agent("wrap_up", 119), agent("wrap_up", 200, "a2"), agent("break", 2000, "a3")],
        queues=[queue(61)],
        deadlines=[
            SlaDeadline("SR-1", NOW + timedelta(minutes=10)),
            SlaDeadline("SR-2", NOW - timedelta(minutes=3)),
            SlaDeadline("SR-3", NOW + timedelta(hours=2)),
        ],
        campaigns=[campaign(0.025)],
        adapters=[AdapterHealth("asterisk", up=False), AdapterHealth("freeswitch", up=True)],
    )
    got = {(a.kind, a.subject, a.severity) for a in alarms}
    assert got == {
        ("agent_state_too_long", "a2", Severity.WARNING),
        ("agent_state_too_long", "a3", Severity.CRITICAL),  # more than twice the 15 min limit
        ("call_waiting_too_long", "billing", Severity.WARNING),
        ("sla_about_to_breach", "SR-1", Severity.WARNING),
        ("sla_breached", "SR-2", Severity.CRITICAL),
        ("campaign_near_abandon_cap", "renew", Severity.WARNING),
        ("adapter_down", "asterisk", Severity.CRITICAL),
    }
    assert alarms[0].severity is Severity.CRITICAL
    assert "a3 in break for 33 min (limit 15)" in [a.text for a in alarms]


def test_no_waiting_caller_no_wait_alarm() -> None:
    assert evaluate_alarms(NOW, queues=[queue(500, waiting=0)]) == []


def test_alarms_appear_change_and_clear() -> None:
    first = diff_alarms({}, evaluate_alarms(NOW, agents=[agent("wrap_up", 150)]))
    assert [a.key for a in first.raised] == ["agent_state_too_long:a1"]
    same = diff_alarms(first.current, evaluate_alarms(NOW, agents=[agent("wrap_up", 160)]))
    assert (same.raised, same.cleared) == ([], [])
    worse = diff_alarms(same.current, evaluate_alarms(NOW, agents=[agent("wrap_up", 300)]))
    assert [a.severity for a in worse.raised] == [Severity.CRITICAL]
    gone = diff_alarms(worse.current, evaluate_alarms(NOW, agents=[agent("available", 5)]))
    assert gone.cleared == ["agent_state_too_long:a1"]
    assert gone.current == {}


def test_a_campaign_over_its_cap_is_critical() -> None:
    (alarm,) = evaluate_alarms(NOW, campaigns=[replace(campaign(0.031))])
    assert alarm.severity is Severity.CRITICAL
    assert alarm.text == "renew: abandon rate 3.1% of a 3% cap"
