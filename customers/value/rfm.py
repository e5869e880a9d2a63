"""RFM: recency, frequency and monetary value, each scored 1–5 by quintile.

The population is the customers with at least one order. For frequency and monetary value a
customer's score is ``1 + floor(5 * below / n)``, where ``below`` counts the customers with a
strictly smaller value and ``n`` the population: the lowest fifth scores 1, the highest fifth
5, and equal values always score the same. Recency counts the other way (fewer days since the
last order is better), so ``below`` counts customers whose last order is strictly older.
Customers who never ordered get no RFM score: there is nothing to rank.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


@dataclass(frozen=True)
class PurchaseSummary:
    """What RFM needs of one customer's order history."""

    customer_id: str
    last_order_at: datetime | None
    orders: int
    revenue: Decimal


class RfmSegment(StrEnum):
    CHAMPIONS = "champions"
    LOYAL = "loyal"
    POTENTIAL = "potential"
    NEW = "new"
    AT_RISK = "at_risk"
    CANNOT_LOSE = "cannot_lose"
    HIBERNATING = "hibernating"
    LOST = "lost"


@dataclass(frozen=True)
class RfmScore:
    recency: int
    frequency: int
    monetary: int
    days_since_last_order: int

    @property
    def code(self) -> str:
        """The usual three-digit form, e.g. ``"545"``."""
        return f"{self.recency}{self.frequency}{self.monetary}"

    @property
    def segment(self) -> RfmSegment:
        return segment_of(self.recency, self.frequency, self.monetary)


def quintile_score(value: float, sorted_values: Sequence[float]) -> int:
    """1–5: ``1 + floor(5 * below / n)`` with ``below`` the values strictly under ``value``."""
    n = len(sorted_values)
    if n == 0:
        raise ValueError("no population to score against")
    below = bisect_left(sorted_values, value)
    return 1 + (5 * below) // n


def segment_of(recency: int, frequency: int, monetary: int) -> RfmSegment:
    """A named segment from the three scores (the common R × FM grid)."""
    fm = (frequency + monetary) / 2
    if recency >= 4 and fm >= 4:
        return RfmSegment.CHAMPIONS
    if recency >= 3 and fm >= 3:
        return RfmSegment.LOYAL
    if recency >= 4 and frequency <= 1:
        return RfmSegment.NEW
    if recency >= 3:
        return RfmSegment.POTENTIAL
    if fm >= 4:
        return RfmSegment.CANNOT_LOSE
    if fm >= 3:
        return RfmSegment.AT_RISK
    if recency == 2:
        return RfmSegment.HIBERNATING
    return RfmSegment.LOST


def score_rfm(summaries: Iterable[PurchaseSummary], now: datetime) -> Mapping[str, RfmScore]:
    """RFM scores of every customer with an order, by customer id."""
    buyers = [s for s in summaries if s.orders > 0 and s.last_order_at is not None]
    if not buyers:
        return {}
    days = {s.customer_id: max(0, (now - s.last_order_at).days) for s in buyers if s.last_order_at}
    # recency: a larger "minus days" is better, so rank on the negated day count
    recency_values = sorted(-d for d in days.values())
    frequency_values = sorted(float(s.orders) for s in buyers)
    monetary_values = sorted(float(s.revenue) for s in buyers)
    return {
        s.customer_id: RfmScore(
            recency=quintile_score(-days[s.customer_id], recency_values),
            frequency=quintile_score(float(s.orders), frequency_values),
            monetary=quintile_score(float(s.revenue), monetary_values),
            days_since_last_order=days[s.customer_id],
        )
        for s in buyers
    }
