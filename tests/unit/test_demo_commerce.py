"""The demo population and its purchase history: size, the feed's customers kept, rules to find."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from customers.importer import is_credit_code
from customers.value.rules import RuleThresholds, mine_rules
from switchboard.demo.commerce import (
    FEED_CUSTOMERS,
    POPULATION,
    PRICE,
    demo_activity,
    demo_population,
)
from switchboard.demo.dataset import CallerPicker, demo_customers, numbers_by_e164


@pytest.fixture(scope="module")
def population() -> list[dict[str, Any]]:
    return demo_population()


@pytest.fixture(scope="module")
def activity(population: list[dict[str, Any]]) -> list[Any]:
    return demo_activity(population)


def test_at_least_5000_customers_with_unique_external_ids(population: list[dict[str, Any]]) -> None:
    assert len(population) == POPULATION >= 5000
    ids = [c["external_id"] for c in population]
    assert len(set(ids)) == len(ids)


def test_the_feed_customers_come_first_unchanged(population: list[dict[str, Any]]) -> None:
    assert population[:FEED_CUSTOMERS] == demo_customers()


def test_the_feed_mix_holds_over_the_whole_population(population: list[dict[str, Any]]) -> None:
    """A number the feed dials as 'known' has one holder in the whole base, too."""
    everyone = numbers_by_e164(population)
    picker = CallerPicker(demo_customers())
    for e164 in picker.known:
        assert len(everyone[e164]) == 1
    for e164 in picker.shared:
        assert len({(h.customer, h.contact) for h in everyone[e164]}) >= 2
        assert all(h.customer < FEED_CUSTOMERS for h in everyone[e164])


def test_deterministic(population: list[dict[str, Any]], activity: list[Any]) -> None:
    assert demo_population(POPULATION) == population
    again = demo_activity(population[:200])
    assert [a.orders for a in again] == [a.orders for a in activity[:200]]


def test_most_customers_buy_and_baskets_hold_rules(activity: list[Any]) -> None:
    buyers = [a for a in activity if a.orders]
    assert len(buyers) / len(activity) > 0.8
    assert all(sku in PRICE for a in buyers for _, lines, _, _ in a.orders for sku, _ in lines)
    baskets = [{sku for _, lines, _, _ in a.orders for sku, _ in lines} for a in buyers]
    rules = mine_rules(baskets, RuleThresholds())
    pairs = {(r.antecedent, r.consequent) for r in rules}
    assert (("TX-1001",), "STB-4K-01") in pairs or (("BB-FIBER-500",), "TX-1001") in pairs
    assert any(r.consequent == "ACC-CASE" and r.antecedent[0].startswith("PHONE-") for r in rules)


def test_some_customers_lapse_and_some_complain(activity: list[Any]) -> None:
    last = [min(days for days, *_ in a.orders) for a in activity if a.orders]
    assert sum(1 for d in last if d > 150) / len(last) > 0.1
    kinds = Counter(i["kind"] for a in activity for i in a.interactions)
    assert set(kinds) == {"call", "ticket", "campaign"}
    complaints = [i for a in activity for i in a.interactions if i.get("data", {}).get("complaint")]
    assert complaints


def test_enterprise_credit_codes_are_valid(
    population: list[dict[str, Any]], activity: list[Any]
) -> None:
    codes = [a.profile["credit_code"] for a in activity if a.profile.get("credit_code")]
    assert codes
    assert all(is_credit_code(code) for code in codes)
    assert len(set(codes)) == len(codes)
