"""Customer value: RFM, ABC, CLV, churn and association rules against hand-computed sets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customers.value.abc import AbcClass, AbcThresholds, classify_abc
from customers.value.churn import ChurnLevel, Complaint, churn_risk
from customers.value.clv import (
    ClvParameters,
    customer_clv,
    lifetime_value,
    lifetime_value_by_sum,
    retention_rate,
)
from customers.value.rfm import PurchaseSummary, RfmSegment, quintile_score, score_rfm
from customers.value.rules import RuleThresholds, mine_rules, recommend

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


# --- RFM ---------------------------------------------------------------------------------


def test_rfm_of_five_customers_spread_over_the_quintiles() -> None:
    summaries = [
        PurchaseSummary("c1", days_ago(1), 10, Decimal("1000")),
        PurchaseSummary("c2", days_ago(10), 5, Decimal("500")),
        PurchaseSummary("c3", days_ago(30), 3, Decimal("300")),
        PurchaseSummary("c4", days_ago(100), 2, Decimal("200")),
        PurchaseSummary("c5", days_ago(400), 1, Decimal("100")),
        PurchaseSummary("never", None, 0, Decimal("0")),
    ]
    scores = score_rfm(summaries, NOW)
    assert {cid: s.code for cid, s in scores.items()} == {
        "c1": "555",
        "c2": "444",
        "c3": "333",
        "c4": "222",
        "c5": "111",
    }
    assert "never" not in scores  # nothing to rank a customer without orders against
    assert scores["c4"].days_since_last_order == 100
    assert scores["c1"].segment is RfmSegment.CHAMPIONS
    assert scores["c5"].segment is RfmSegment.LOST


def test_equal_values_always_get_the_same_quintile() -> None:
    values = sorted([1.0, 1, 1, 1, 1, 1, 2, 2, 3, 9])
    # below(1)=0 → 1; below(2)=6 → 1+30//10=4; below(3)=8 → 5; below(9)=9 → 5
    assert [quintile_score(v, values) for v in (1, 2, 3, 9)] == [1, 4, 5, 5]


def test_a_recent_big_spender_who_stopped_is_one_we_cannot_lose() -> None:
    summaries = [
        PurchaseSummary(f"c{i}", days_ago(5 + i), 1 + i, Decimal(10 + i)) for i in range(9)
    ]
    summaries.append(PurchaseSummary("whale", days_ago(900), 50, Decimal("99999")))
    assert score_rfm(summaries, NOW)["whale"].segment is RfmSegment.CANNOT_LOSE


purchase = st.builds(
    PurchaseSummary,
    customer_id=st.uuids().map(str),
    last_order_at=st.one_of(st.none(), st.integers(0, 5000).map(days_ago)),
    orders=st.integers(0, 500),
    revenue=st.decimals(0, 10**7, places=2, allow_nan=False, allow_infinity=False),
)


@given(st.lists(purchase, max_size=60))
def test_rfm_scores_stay_within_one_to_five(summaries: list[PurchaseSummary]) -> None:
    for score in score_rfm(summaries, NOW).values():
        assert 1 <= score.recency <= 5
        assert 1 <= score.frequency <= 5
        assert 1 <= score.monetary <= 5


@given(st.lists(purchase, min_size=1, max_size=40, unique_by=lambda p: p.customer_id))
def test_rfm_is_monotonic_in_revenue(summaries: list[PurchaseSummary]) -> None:
    scores = score_rfm(summaries, NOW)
    buyers = [s for s in summaries if s.customer_id in scores]
    for a in buyers:
        for b in buyers:
            if a.revenue < b.revenue:
                assert scores[a.customer_id].monetary <= scores[b.customer_id].monetary


# --- ABC ---------------------------------------------------------------------------------


def test_abc_by_pareto_share() -> None:
    revenue = {
        "a": Decimal(500),
        "b": Decimal(300),
        "c": Decimal(100),
        "d": Decimal(60),
        "e": Decimal(40),
        "f": Decimal(0),
    }
    ranks = classify_abc(revenue)
    # cumulative share before each: a 0, b 50%, c 80%, d 90%, e 96%
    assert {k: r.abc_class for k, r in ranks.items()} == {
        "a": AbcClass.A,
        "b": AbcClass.A,
        "c": AbcClass.B,
        "d": AbcClass.B,
        "e": AbcClass.C,
        "f": AbcClass.C,
    }
    assert [ranks[k].share_percent for k in "abcdef"] == [50, 30, 10, 6, 4, 0]
    assert ranks["e"].cumulative_share == 1


def test_one_dominant_customer_is_a_alone() -> None:
    # before x: 90% (B); before y: 97% (C)
    ranks = classify_abc({"big": Decimal(9000), "x": Decimal(700), "y": Decimal(300)})
    assert [ranks[k].abc_class for k in ("big", "x", "y")] == [AbcClass.A, AbcClass.B, AbcClass.C]


def test_abc_thresholds_are_configurable_and_checked() -> None:
    ranks = classify_abc(
        {"a": Decimal(50), "b": Decimal(50)}, AbcThresholds(Fraction(1, 2), Fraction(1, 2))
    )
    assert [ranks["a"].abc_class, ranks["b"].abc_class] == [AbcClass.A, AbcClass.C]
    with pytest.raises(ValueError):
        AbcThresholds(Fraction(9, 10), Fraction(1, 2))
    with pytest.raises(ValueError, match="negative revenue"):
        classify_abc({"refund": Decimal(-1)})


revenues = st.dictionaries(
    st.text(min_size=1, max_size=6),
    st.decimals(0, 10**6, places=2, allow_nan=False, allow_infinity=False),
    max_size=50,
)


@given(revenues)
def test_abc_shares_add_up_to_one_hundred_percent(revenue: dict[str, Decimal]) -> None:
    ranks = classify_abc(revenue)
    total = sum(revenue.values(), Decimal(0))
    shares = sum((r.share for r in ranks.values()), Fraction(0))
    assert shares == (1 if total > 0 else 0)
    if total > 0:
        top = min(ranks.values(), key=lambda r: r.rank)
        assert top.abc_class is AbcClass.A


@given(revenues, st.randoms())
def test_abc_does_not_depend_on_input_order(revenue: dict[str, Decimal], rnd: object) -> None:
    items = list(revenue.items())
    rnd.shuffle(items)  # type: ignore[attr-defined]
    assert classify_abc(dict(items)) == classify_abc(revenue)


# --- CLV ---------------------------------------------------------------------------------


def test_clv_by_hand() -> None:
    # 100/1.1 + 50/1.21 + 25/1.331 = 90.909 + 41.322 + 18.783
    assert lifetime_value(100, 0.5, 0.1, 3) == pytest.approx(151.014, abs=1e-3)
    assert lifetime_value_by_sum(100, 0.5, 0.1, 3) == pytest.approx(151.014, abs=1e-3)
    assert lifetime_value(100, 1.0, 0.0, 4) == pytest.approx(400)


@given(
    st.floats(0, 1e6),
    st.floats(0, 1),
    st.floats(0, 1),
    st.integers(1, 30),
)
def test_clv_closed_form_equals_the_sum(m: float, r: float, d: float, h: int) -> None:
    assert lifetime_value(m, r, d, h) == pytest.approx(
        lifetime_value_by_sum(m, r, d, h), rel=1e-9, abs=1e-6
    )


def test_retention_is_the_share_of_last_periods_buyers_who_came_back() -> None:
    period = timedelta(days=365)
    histories = [
        [days_ago(500), days_ago(30)],  # bought before and again
        [days_ago(400)],  # bought before only
        [days_ago(10)],  # new this period: not in the base
        [days_ago(700), days_ago(200)],  # before and again
    ]
    assert retention_rate(histories, NOW, period, default=0.6) == pytest.approx(2 / 3)
    assert retention_rate([], NOW, period, default=0.6) == 0.6


def test_customer_clv_uses_the_margin_rate() -> None:
    params = ClvParameters(margin_rate=0.25, discount_rate=0.1, horizon_periods=3)
    assert customer_clv(Decimal(400), 0.5, params) == pytest.approx(151.014, abs=1e-3)
    with pytest.raises(ValueError):
        ClvParameters(margin_rate=2)


# --- churn -------------------------------------------------------------------------------


def test_silence_complaints_and_a_late_complaint_make_high_risk() -> None:
    orders = [days_ago(d) for d in (160, 130, 100, 70)]  # every 30 days, silent for 70
    complaints = [
        Complaint(days_ago(20), open=False, sla_breached=False),
        Complaint(days_ago(5), open=True, sla_breached=True),
    ]
    risk = churn_risk(orders, complaints, NOW)
    assert [r.code for r in risk.reasons] == [
        "silence",
        "repeated_complaints",
        "complaint_past_sla",
    ]
    assert risk.score == 75
    assert risk.level is ChurnLevel.HIGH
    assert risk.reasons[0].facts == {"days_silent": 70.0, "usual_gap_days": 30.0}


def test_a_regular_customer_is_low_risk() -> None:
    orders = [days_ago(d) for d in (100, 70, 40, 10)]
    risk = churn_risk(orders, [], NOW)
    assert risk.score == 0
    assert risk.level is ChurnLevel.LOW
    assert risk.reasons == ()


def test_falling_frequency() -> None:
    orders = [days_ago(d) for d in (350, 320, 300, 280, 250, 220, 20)]
    risk = churn_risk(orders, [], NOW)
    assert [r.code for r in risk.reasons] == ["falling_frequency"]
    assert risk.reasons[0].facts == {"recent_orders": 1, "previous_orders": 6}
    assert risk.level is ChurnLevel.LOW  # 25 points alone is a warning sign, not a verdict


# --- association rules -------------------------------------------------------------------

BASKETS = [
    {"phone", "case"},
    {"phone", "case"},
    {"phone", "case", "plan"},
    {"plan"},
    {"plan", "sim"},
    {"sim"},
]
LOOSE = RuleThresholds(min_support=0.1, min_confidence=0.2, min_lift=1.2, min_count=1)


def test_rules_by_hand() -> None:
    rules = mine_rules(BASKETS, LOOSE)
    got = [(r.antecedent, r.consequent, r.count, r.support, r.confidence, r.lift) for r in rules]
    # phone=3 case=3 plan=3 sim=2; phone+case=3; phone+case+plan=1; n=6
    assert got == [
        (("case",), "phone", 3, 0.5, 1.0, 2.0),
        (("phone",), "case", 3, 0.5, 1.0, 2.0),
        (("case", "plan"), "phone", 1, 1 / 6, 1.0, 2.0),
        (("phone", "plan"), "case", 1, 1 / 6, 1.0, 2.0),
    ]
    # plan → sim: confidence 1/3, lift (1/3)/(2/6) = 1.0: below the lift threshold
    assert not any(r.antecedent == ("plan",) for r in rules)


def test_recommendations_say_why() -> None:
    rules = mine_rules(BASKETS, LOOSE)
    (rec,) = recommend({"phone"}, rules)
    assert rec.product == "case"
    assert rec.why == "100% of the 3 customers who bought phone also bought case (lift 2.0)"
    assert recommend({"phone", "case"}, rules) == []


def test_support_threshold_drops_rare_itemsets() -> None:
    strict = RuleThresholds(min_support=0.3, min_confidence=0.2, min_lift=1.2, min_count=1)
    assert [(r.antecedent, r.consequent) for r in mine_rules(BASKETS, strict)] == [
        (("case",), "phone"),
        (("phone",), "case"),
    ]


products = st.sampled_from(["a", "b", "c", "d", "e"])


@given(st.lists(st.frozensets(products, max_size=4), max_size=40))
def test_rule_measures_match_brute_force_counts(baskets: list[frozenset[str]]) -> None:
    rules = mine_rules(baskets, RuleThresholds(0.05, 0.1, 0.0, 2, 1))
    nonempty = [b for b in baskets if b]
    n = len(nonempty)
    for r in rules:
        x = set(r.antecedent)
        with_x = sum(1 for b in nonempty if x <= b)
        both = sum(1 for b in nonempty if x <= b and r.consequent in b)
        with_y = sum(1 for b in nonempty if r.consequent in b)
        assert r.count == both
        assert r.confidence == pytest.approx(both / with_x)
        assert r.support == pytest.approx(both / n)
        assert r.lift == pytest.approx((both / with_x) / (with_y / n))
        assert r.support <= r.confidence <= 1
