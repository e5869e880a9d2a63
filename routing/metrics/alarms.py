"""Alarms: what needs a supervisor now.

Each rule looks at the figures of one moment and says which alarms are raised; an alarm is
keyed (kind + subject), so the board can add it when it first appears and clear it when a
later evaluation no longer raises it. Thresholds come from :class:`AlarmRules`.

- ``agent_state_too_long``: an agent in a state longer than its limit (e.g. wrap-up 2 min,
  break 15 min, not ready 5 min, on a call 30 min);
- ``call_waiting_too_long``: a queue's longest wait over its threshold;
- ``sla_about_to_breach``: a service request whose SLA deadline is within the warning lead;
- ``sla_breached``: a service request past its deadline;
- ``campaign_near_abandon_cap``: a campaign's abandon rate over ``abandon_warning`` of its cap;
- ``adapter_down``: a telephony adapter silent past its heartbeat.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from routing.metrics.agent import AgentFigures
from routing.metrics.campaign import CampaignFigures
from routing.metrics.queue import QueueFigures


class Severity(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True)
class Alarm:
    kind: str
    subject: str
    severity: Severity
    text: str
    since: datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.subject}"


@dataclass(frozen=True)
class SlaDeadline:
    request: str
    due_at: datetime
    policy: str = ""


@dataclass(frozen=True)
class AdapterHealth:
    name: str
    up: bool
    last_seen: datetime | None = None


def _default_state_limits() -> dict[str, float]:
    return {"wrap_up": 120.0, "break": 900.0, "not_ready": 300.0, "on_call": 1800.0}


@dataclass(frozen=True)
class AlarmRules:
    state_limits_s: Mapping[str, float] = field(default_factory=_default_state_limits)
    longest_wait_s: float = 60.0
    sla_warning_lead: timedelta = timedelta(minutes=15)
    abandon_warning: float = 0.8


def evaluate_alarms(
    now: datetime,
    *,
    agents: Iterable[AgentFigures] = (),
    queues: Iterable[QueueFigures] = (),
    deadlines: Iterable[SlaDeadline] = (),
    campaigns: Iterable[CampaignFigures] = (),
    adapters: Iterable[AdapterHealth] = (),
    rules: AlarmRules | None = None,
) -> list[Alarm]:
    """Every alarm raised at ``now``, ordered critical first, then by kind and subject."""
    r = rules or AlarmRules()
    alarms: list[Alarm] = []
    for agent in agents:
        limit = r.state_limits_s.get(agent.state or "")
        if limit is not None and agent.in_state_s > limit:
            severity = Severity.CRITICAL if agent.in_state_s > 2 * limit else Severity.WARNING
            alarms.append(
                Alarm(
                    "agent_state_too_long",
                    agent.agent,
                    severity,
                    f"{agent.agent} in {agent.state} for {agent.in_state_s / 60:.0f} min "
                    f"(limit {limit / 60:.0f})",
                    now - timedelta(seconds=agent.in_state_s - limit),
                )
            )
    for queue in queues:
        if queue.waiting_now and queue.longest_wait_s > r.longest_wait_s:
            severity = (
                Severity.CRITICAL
                if queue.longest_wait_s > 2 * r.longest_wait_s
                else Severity.WARNING
            )
            alarms.append(
                Alarm(
                    "call_waiting_too_long",
                    queue.queue,
                    severity,
                    f"{queue.queue}: a caller waiting {queue.longest_wait_s:.0f} s "
                    f"({queue.waiting_now} waiting)",
                )
            )
    for deadline in deadlines:
        if deadline.due_at <= now:
            alarms.append(
                Alarm(
                    "sla_breached",
                    deadline.request,
                    Severity.CRITICAL,
                    f"request {deadline.request} breached its SLA "
                    f"{(now - deadline.due_at).total_seconds() / 60:.0f} min ago",
                    deadline.due_at,
                )
            )
        elif deadline.due_at - now <= r.sla_warning_lead:
            alarms.append(
                Alarm(
                    "sla_about_to_breach",
                    deadline.request,
                    Severity.WARNING,
                    f"request {deadline.request} breaches its SLA in "
                    f"{(deadline.due_at - now).total_seconds() / 60:.0f} min",
                    deadline.due_at - r.sla_warning_lead,
                )
            )
    for campaign in campaigns:
        if campaign.cap_used is not None and campaign.cap_used >= r.abandon_warning:
            severity = Severity.CRITICAL if campaign.cap_used >= 1 else Severity.WARNING
            alarms.append(
                Alarm(
                    "campaign_near_abandon_cap",
                    campaign.campaign,
                    severity,
                    f"{campaign.campaign}: abandon rate {campaign.abandon_rate or 0:.1%} "
                    f"of a {campaign.abandon_cap:.0%} cap",
                )
            )
    for adapter in adapters:
        if not adapter.up:
            alarms.append(
                Alarm(
                    "adapter_down",
                    adapter.name,
                    Severity.CRITICAL,
                    f"telephony adapter {adapter.name} is down",
                    adapter.last_seen,
                )
            )
    order = {Severity.CRITICAL: 0, Severity.WARNING: 1}
    alarms.sort(key=lambda a: (order[a.severity], a.kind, a.subject))
    return alarms


@dataclass(frozen=True)
class AlarmChanges:
    raised: list[Alarm]
    cleared: list[str]
    current: dict[str, Alarm]


def diff_alarms(previous: Mapping[str, Alarm], now_raised: Iterable[Alarm]) -> AlarmChanges:
    """What appeared and what cleared since the last evaluation (a severity change re-raises)."""
    current = {alarm.key: alarm for alarm in now_raised}
    raised = [
        alarm
        for key, alarm in current.items()
        if key not in previous or previous[key].severity != alarm.severity
    ]
    cleared = sorted(key for key in previous if key not in current)
    return AlarmChanges(raised, cleared, current)
