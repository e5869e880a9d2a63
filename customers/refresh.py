"""``switchboard segments refresh``: RFM, ABC, CLV, churn and the association rules, stored.

Incremental by default. Per-customer order aggregates (count, revenue, first and last order)
are recomputed only for customers with orders added since the last run (the high-water mark
is the largest order id seen). Everything that depends on the whole population or on today's
date is then recomputed from those aggregates and one ordered pass over order dates, which is
cheap: RFM quintiles, ABC classes, retention and CLV, churn (silence grows every day). The
rules are mined again only when there are new orders. ``full=True`` rebuilds every aggregate.
An order changed in place (refunded later) needs a full run; the docs say so.

Everything runs in the caller's transaction: a refresh is stored whole or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from customers.commerce_store import order_lines_t, orders_t, products_t
from customers.profile_store import interactions_t
from customers.segments import recount_all
from customers.store import customers_t
from customers.value.abc import AbcThresholds, classify_abc
from customers.value.churn import ChurnRules, Complaint, churn_risk
from customers.value.clv import ClvParameters, customer_clv, retention_rate
from customers.value.rfm import PurchaseSummary, score_rfm
from customers.value.rules import RuleThresholds, mine_rules
from customers.value_store import last_refresh, refreshes_t, rules_t, values_t
from switchboard.core.settings import ValueSettings

# (step, done, total): called as work progresses, for a progress bar.
Progress = Callable[[str, int, int], None]
CHUNK = 500
CLV_FORMULA = "CLV = m·(1−q^H)/(1+d−r), q = r/(1+d); m = revenue last period × margin rate"


def _quiet(step: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class ValueParameters:
    abc: AbcThresholds
    clv: ClvParameters
    rules: RuleThresholds
    churn: ChurnRules

    @classmethod
    def from_settings(cls, s: ValueSettings) -> ValueParameters:
        return cls(
            abc=AbcThresholds(
                Fraction(str(s.abc_a_share)), Fraction(str(max(s.abc_a_share, s.abc_b_share)))
            ),
            clv=ClvParameters(
                margin_rate=s.clv_margin_rate,
                discount_rate=s.clv_discount_rate,
                horizon_periods=s.clv_horizon_periods,
                period=timedelta(days=s.clv_period_days),
                default_retention=s.clv_default_retention,
            ),
            rules=RuleThresholds(
                min_support=s.rules_min_support,
                min_confidence=s.rules_min_confidence,
                min_lift=s.rules_min_lift,
                max_antecedent=s.rules_max_antecedent,
                min_count=s.rules_min_count,
            ),
            churn=ChurnRules(
                silence_factor=s.churn_silence_factor,
                window=timedelta(days=s.churn_window_days),
                frequency_drop=s.churn_frequency_drop,
                complaints_threshold=s.churn_complaints_threshold,
            ),
        )

    def as_json(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, timedelta):
                return value.days
            if isinstance(value, Fraction):
                return float(value)
            return value

        return {
            name: plain(asdict(getattr(self, name))) for name in ("abc", "clv", "rules", "churn")
        }


@dataclass
class RefreshReport:
    full: bool
    rescanned: int = 0
    scored: int = 0
    rules: int | None = None  # None: rules kept from the last run
    segments: dict[str, int] = field(default_factory=dict)
    retention: float = 0.0

    def __str__(self) -> str:
        mode = "full" if self.full else "incremental"
        rules = "kept" if self.rules is None else f"{self.rules} mined"
        return (
            f"{mode} refresh: {self.rescanned} customers re-aggregated, {self.scored} scored "
            f"(retention {self.retention:.0%}), rules {rules}, "
            f"{len(self.segments)} segments counted"
        )


def is_complaint(data: Any) -> bool:
    return isinstance(data, dict) and bool(data.get("complaint"))


def complaint_of(at: datetime, data: dict[str, Any]) -> Complaint:
    return Complaint(at, bool(data.get("open")), bool(data.get("sla_breached")))


def refresh(
    conn: Connection,
    now: datetime,
    parameters: ValueParameters,
    *,
    full: bool = False,
    progress: Progress = _quiet,
) -> RefreshReport:
    report = RefreshReport(full=full)
    previous = last_refresh(conn)
    order_mark = 0 if full or previous is None else int(previous.last_order_id)
    top_order = int(conn.scalar(select(func.coalesce(func.max(orders_t.c.id), 0))) or 0)
    top_interaction = int(conn.scalar(select(func.coalesce(func.max(interactions_t.c.id), 0))) or 0)

    # 1. aggregates of customers with new orders (or all of them on a full run)
    if full:
        conn.execute(delete(values_t))
        dirty = [int(r[0]) for r in conn.execute(select(orders_t.c.customer_id).distinct())]
    else:
        dirty = [
            int(r[0])
            for r in conn.execute(
                select(orders_t.c.customer_id).where(orders_t.c.id > order_mark).distinct()
            )
        ]
    dirty.sort()
    for start in range(0, len(dirty), CHUNK):
        _aggregate(conn, dirty[start : start + CHUNK], now)
        progress("aggregates", min(start + CHUNK, len(dirty)), len(dirty))
    progress("aggregates", len(dirty), len(dirty))
    report.rescanned = len(dirty)

    # 2. population-wide scores from the aggregates and one ordered pass over order dates
    _score(conn, now, parameters, report, progress)

    # 3. association rules, when the orders changed
    if full or dirty or previous is None:
        report.rules = _mine(conn, now, parameters.rules)
    progress("rules", 1, 1)

    # 4. saved segments, counted against the new scores
    report.segments = recount_all(conn, now)
    progress("segments", 1, 1)
    conn.execute(
        insert(refreshes_t).values(
            started_at=now,
            finished_at=now,
            full=full,
            last_order_id=top_order,
            last_interaction_id=top_interaction,
            customers_rescanned=report.rescanned,
            customers_scored=report.scored,
            rules=report.rules if report.rules is not None else (previous.rules if previous else 0),
            parameters=parameters.as_json(),
        )
    )
    return report


def _aggregate(conn: Connection, customer_ids: list[int], now: datetime) -> None:
    rows = conn.execute(
        select(
            orders_t.c.customer_id,
            func.count().label("orders"),
            func.coalesce(func.sum(orders_t.c.total), 0).label("revenue"),
            func.min(orders_t.c.ordered_at).label("first_at"),
            func.max(orders_t.c.ordered_at).label("last_at"),
        )
        .where(orders_t.c.customer_id.in_(customer_ids), orders_t.c.status != "refunded")
        .group_by(orders_t.c.customer_id)
    )
    found = {int(r.customer_id): r for r in rows}
    conn.execute(delete(values_t).where(values_t.c.customer_id.in_(customer_ids)))
    conn.execute(
        insert(values_t),
        [
            {
                "customer_id": cid,
                "orders": int(found[cid].orders) if cid in found else 0,
                "revenue": Decimal(str(found[cid].revenue)) if cid in found else Decimal(0),
                "first_order_at": aware(found[cid].first_at) if cid in found else None,
                "last_order_at": aware(found[cid].last_at) if cid in found else None,
                "computed_at": now,
                "churn_reasons": [],
            }
            for cid in customer_ids
        ],
    )


def aware(value: Any) -> datetime | None:
    """Aggregates bypass the column type on SQLite (a string or naive value comes back)."""
    from datetime import UTC

    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value  # type: ignore[no-any-return]


def _score(
    conn: Connection,
    now: datetime,
    p: ValueParameters,
    report: RefreshReport,
    progress: Progress,
) -> None:
    aggregates = list(
        conn.execute(
            select(
                values_t.c.customer_id,
                values_t.c.orders,
                values_t.c.revenue,
                values_t.c.last_order_at,
            )
        )
    )
    summaries = [
        PurchaseSummary(str(r.customer_id), r.last_order_at, int(r.orders), Decimal(r.revenue))
        for r in aggregates
    ]
    rfm = score_rfm(summaries, now)
    abc = classify_abc({s.customer_id: s.revenue for s in summaries}, p.abc)

    # One ordered pass over the order dates (churn, retention) and last period's revenue (CLV).
    dates: dict[int, list[datetime]] = defaultdict(list)
    since = now - 2 * max(p.churn.window, p.clv.period)
    for row in conn.execute(
        select(orders_t.c.customer_id, orders_t.c.ordered_at).where(orders_t.c.status != "refunded")
    ):
        dates[int(row.customer_id)].append(row.ordered_at)
    last_period: dict[int, Decimal] = {
        int(r.customer_id): Decimal(str(r.revenue))
        for r in conn.execute(
            select(orders_t.c.customer_id, func.sum(orders_t.c.total).label("revenue"))
            .where(orders_t.c.status != "refunded", orders_t.c.ordered_at > now - p.clv.period)
            .group_by(orders_t.c.customer_id)
        )
    }
    complaints: dict[int, list[Complaint]] = defaultdict(list)
    for row in conn.execute(
        select(interactions_t.c.customer_id, interactions_t.c.at, interactions_t.c.data).where(
            interactions_t.c.kind == "ticket", interactions_t.c.at > since
        )
    ):
        if is_complaint(row.data):
            complaints[int(row.customer_id)].append(complaint_of(row.at, row.data))
    retention = retention_rate(dates.values(), now, p.clv.period, p.clv.default_retention)
    report.retention = retention

    updates = []
    tiers = []
    for index, summary in enumerate(summaries, start=1):
        cid = int(summary.customer_id)
        score = rfm.get(summary.customer_id)
        rank = abc[summary.customer_id]
        risk = churn_risk(dates.get(cid, []), complaints.get(cid, []), now, p.churn)
        clv = customer_clv(last_period.get(cid, Decimal(0)), retention, p.clv)
        abc_class = rank.abc_class.value if summary.orders else None
        updates.append(
            {
                "cid": cid,
                "recency": score.recency if score else None,
                "frequency": score.frequency if score else None,
                "monetary": score.monetary if score else None,
                "rfm_segment": score.segment.value if score else None,
                "abc_class": abc_class,
                "revenue_share": float(rank.share),
                "clv": round(clv, 2),
                "churn_score": risk.score,
                "churn_level": risk.level.value,
                "churn_reasons": [
                    {"code": r.code, "points": r.points, "text": r.text, "facts": r.facts}
                    for r in risk.reasons
                ],
                "computed_at": now,
            }
        )
        if abc_class:
            tiers.append({"cid": cid, "v_tier": abc_class})
        if index % CHUNK == 0:
            progress("scores", index, len(summaries))
    if updates:
        names = [name for name in updates[0] if name != "cid"]
        conn.execute(
            update(values_t)
            .where(values_t.c.customer_id == bindparam("cid"))
            .values({name: bindparam(f"v_{name}") for name in names}),
            [{"cid": u["cid"], **{f"v_{n}": u[n] for n in names}} for u in updates],
        )
    if tiers:
        # Value drives routing: the tier routing and the lookup ranking read is the ABC class.
        conn.execute(
            update(customers_t)
            .where(customers_t.c.id == bindparam("cid"))
            .values(tier=bindparam("v_tier")),
            tiers,
        )
    report.scored = len(updates)
    progress("scores", len(summaries), len(summaries))


def _mine(conn: Connection, now: datetime, thresholds: RuleThresholds) -> int:
    baskets: dict[int, set[str]] = defaultdict(set)
    for row in conn.execute(
        select(orders_t.c.customer_id, products_t.c.sku)
        .join(order_lines_t, order_lines_t.c.order_id == orders_t.c.id)
        .join(products_t, products_t.c.id == order_lines_t.c.product_id)
        .where(orders_t.c.status != "refunded")
        .distinct()
    ):
        baskets[int(row.customer_id)].add(row.sku)
    rules = mine_rules(baskets.values(), thresholds)
    conn.execute(delete(rules_t))
    if rules:
        conn.execute(
            insert(rules_t),
            [
                {
                    "antecedent": list(r.antecedent),
                    "consequent": r.consequent,
                    "count": r.count,
                    "antecedent_count": r.antecedent_count,
                    "support": r.support,
                    "confidence": r.confidence,
                    "lift": r.lift,
                    "rank": rank,
                    "mined_at": now,
                }
                for rank, r in enumerate(rules, start=1)
            ],
        )
    return len(rules)
