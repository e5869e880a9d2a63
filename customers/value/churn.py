"""Churn risk: a 0–100 score with the reasons that make it.

Each signal adds points when it fires; the score is their sum, capped at 100:

- ``silence`` (35): no order for more than ``silence_factor`` times the customer's own
  median gap between orders (needs at least ``min_orders_for_rhythm`` orders);
- ``falling_frequency`` (25): orders in the last ``window`` fell by at least
  ``frequency_drop`` against the window before;
- ``repeated_complaints`` (20): ``complaints_threshold`` or more complaints in the last window;
- ``complaint_past_sla`` (20): an open complaint whose SLA is breached.

Levels: low below 30, medium below 60, high from 60. Reasons carry a code and the numbers
behind them, so the console can say them in the agent's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from statistics import median


class ChurnLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class ChurnReason:
    code: str
    points: int
    text: str
    facts: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Complaint:
    opened_at: datetime
    open: bool
    sla_breached: bool


@dataclass(frozen=True)
class ChurnRules:
    silence_factor: float = 2.0
    min_orders_for_rhythm: int = 3
    window: timedelta = timedelta(days=180)
    frequency_drop: float = 0.5
    complaints_threshold: int = 2
    silence_points: int = 35
    falling_points: int = 25
    complaints_points: int = 20
    past_sla_points: int = 20


@dataclass(frozen=True)
class ChurnRisk:
    score: int
    level: ChurnLevel
    reasons: tuple[ChurnReason, ...]


def level_of(score: int) -> ChurnLevel:
    if score >= 60:
        return ChurnLevel.HIGH
    if score >= 30:
        return ChurnLevel.MEDIUM
    return ChurnLevel.LOW


def churn_risk(
    order_dates: Sequence[datetime],
    complaints: Sequence[Complaint],
    now: datetime,
    rules: ChurnRules | None = None,
) -> ChurnRisk:
    r = rules or ChurnRules()
    dates = sorted(d for d in order_dates if d <= now)
    reasons: list[ChurnReason] = []
    if len(dates) >= r.min_orders_for_rhythm:
        gaps = [(b - a).total_seconds() / 86400 for a, b in pairwise(dates)]
        rhythm = median(gaps)
        silent = (now - dates[-1]).total_seconds() / 86400
        if rhythm > 0 and silent > r.silence_factor * rhythm:
            reasons.append(
                ChurnReason(
                    "silence",
                    r.silence_points,
                    f"no order for {silent:.0f} days; usually every {rhythm:.0f}",
                    {"days_silent": round(silent, 1), "usual_gap_days": round(rhythm, 1)},
                )
            )
    recent = sum(1 for d in dates if now - r.window < d)
    before = sum(1 for d in dates if now - 2 * r.window < d <= now - r.window)
    if before > 0 and recent <= before * (1 - r.frequency_drop):
        reasons.append(
            ChurnReason(
                "falling_frequency",
                r.falling_points,
                f"{recent} orders in the last {r.window.days} days against {before} before",
                {"recent_orders": recent, "previous_orders": before},
            )
        )
    recent_complaints = sum(1 for c in complaints if now - r.window < c.opened_at <= now)
    if recent_complaints >= r.complaints_threshold:
        reasons.append(
            ChurnReason(
                "repeated_complaints",
                r.complaints_points,
                f"{recent_complaints} complaints in the last {r.window.days} days",
                {"complaints": recent_complaints},
            )
        )
    late = sum(1 for c in complaints if c.open and c.sla_breached)
    if late:
        reasons.append(
            ChurnReason(
                "complaint_past_sla",
                r.past_sla_points,
                f"{late} open complaint(s) past their SLA",
                {"open_breached": late},
            )
        )
    score = min(100, sum(reason.points for reason in reasons))
    return ChurnRisk(score, level_of(score), tuple(reasons))
