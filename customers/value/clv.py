"""CLV: customer lifetime value, the discounted margin a customer is expected to bring.

    CLV = Σ_{t=1..H} m · r^(t−1) / (1 + d)^t  =  m · (1 − q^H) / (1 + d − r),  q = r / (1 + d)

- ``m``: margin per period: the customer's revenue over the last period times the margin rate;
- ``r``: retention: the chance a customer who bought in one period buys again in the next,
  measured over the whole base (:func:`retention_rate`);
- ``d``: the discount rate per period; ``H``: the horizon in periods.

The first period's margin is discounted once (it is earned at the end of the period), and
each later period is both discounted and weighted by the chance the customer is still there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class ClvParameters:
    margin_rate: float = 0.3
    discount_rate: float = 0.1
    horizon_periods: int = 5
    period: timedelta = timedelta(days=365)
    default_retention: float = 0.6

    def __post_init__(self) -> None:
        if not 0 <= self.margin_rate <= 1:
            raise ValueError("margin_rate must be within 0..1")
        if not 0 <= self.discount_rate < 10:
            raise ValueError("discount_rate must be within 0..10")
        if self.horizon_periods < 1:
            raise ValueError("horizon_periods must be at least 1")
        if self.period <= timedelta(0):
            raise ValueError("period must be positive")
        if not 0 <= self.default_retention < 1:
            raise ValueError("default_retention must be within 0..1")


def lifetime_value(margin: float, retention: float, discount: float, horizon: int) -> float:
    """The closed form of the sum in the module docstring."""
    if not 0 <= retention <= 1:
        raise ValueError("retention must be within 0..1")
    q = retention / (1 + discount)
    if abs(1 + discount - retention) < 1e-12:  # r = 1 + d only when d = 0 and r = 1
        return margin * horizon / (1 + discount)
    return margin * (1 - q**horizon) / (1 + discount - retention)


def lifetime_value_by_sum(margin: float, retention: float, discount: float, horizon: int) -> float:
    """The same value summed period by period (the definition; used to check the closed form)."""
    return sum(margin * retention ** (t - 1) / (1 + discount) ** t for t in range(1, horizon + 1))


def retention_rate(
    order_dates_by_customer: Iterable[Sequence[datetime]],
    now: datetime,
    period: timedelta,
    default: float,
) -> float:
    """Share of the previous period's buyers who bought again in the last period."""
    last_start = now - period
    previous_start = now - 2 * period
    previous = kept = 0
    for dates in order_dates_by_customer:
        bought_before = any(previous_start <= d < last_start for d in dates)
        if not bought_before:
            continue
        previous += 1
        if any(last_start <= d <= now for d in dates):
            kept += 1
    if previous == 0:
        return default
    return min(kept / previous, 0.99)


def customer_clv(
    revenue_last_period: Decimal, retention: float, parameters: ClvParameters
) -> float:
    margin = float(revenue_last_period) * parameters.margin_rate
    return lifetime_value(margin, retention, parameters.discount_rate, parameters.horizon_periods)
