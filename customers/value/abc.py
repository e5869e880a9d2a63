"""ABC classes by Pareto share of revenue.

Customers are ranked by revenue, largest first (ties by customer id, so the result never
depends on input order). A customer is in class A while the revenue of the customers ranked
above it is under ``a_share`` of the total (default 80%), B while it is under ``b_share``
(default 95%), and C after that. So the biggest customer is always A, and the A class is the
smallest set of top customers that reaches ``a_share``. Customers with no revenue are C.
Shares are exact fractions: they add up to exactly 100% of a positive total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction


class AbcClass(StrEnum):
    A = "A"
    B = "B"
    C = "C"


@dataclass(frozen=True)
class AbcThresholds:
    a_share: Fraction = Fraction(80, 100)
    b_share: Fraction = Fraction(95, 100)

    def __post_init__(self) -> None:
        if not 0 < self.a_share <= self.b_share <= 1:
            raise ValueError("need 0 < a_share <= b_share <= 1")


@dataclass(frozen=True)
class AbcRank:
    abc_class: AbcClass
    rank: int
    share: Fraction
    cumulative_share: Fraction

    @property
    def share_percent(self) -> float:
        return float(self.share * 100)


def classify_abc(
    revenue_by_customer: Mapping[str, Decimal],
    thresholds: AbcThresholds | None = None,
) -> dict[str, AbcRank]:
    """The ABC class, rank and revenue share of every customer."""
    limits = thresholds or AbcThresholds()
    for customer_id, revenue in revenue_by_customer.items():
        if revenue < 0:
            raise ValueError(f"negative revenue for customer {customer_id}")
    ranked = sorted(revenue_by_customer.items(), key=lambda item: (-item[1], item[0]))
    total = Fraction(sum((revenue for _, revenue in ranked), Decimal(0)))
    result: dict[str, AbcRank] = {}
    before = Fraction(0)
    for rank, (customer_id, revenue) in enumerate(ranked, start=1):
        share = Fraction(revenue) / total if total else Fraction(0)
        if revenue <= 0:
            abc = AbcClass.C
        elif before < limits.a_share:
            abc = AbcClass.A
        elif before < limits.b_share:
            abc = AbcClass.B
        else:
            abc = AbcClass.C
        before += share
        result[customer_id] = AbcRank(abc, rank, share, before)
    return result
