"""SLA policy matching (first match wins, category trees) and shadowing reports."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tickets.model import (
    CategoryTree,
    IssueKind,
    RequestFacts,
    SLAPolicy,
    category_matches,
    find_policy_issues,
    match_policy,
    normalize_category,
)

H = timedelta(hours=1)


def names(policy: SLAPolicy | None) -> str | None:
    return None if policy is None else policy.name


POLICIES = [
    SLAPolicy("vip-outage", H, 4 * H, tiers={"gold"}, categories={"outage"}),
    SLAPolicy("refunds-phone", 2 * H, 8 * H, categories={"billing/refund"}, channels={"phone"}),
    SLAPolicy("billing", 4 * H, 24 * H, categories={"billing"}),
    SLAPolicy("urgent", H, 8 * H, priorities={"urgent", "high"}),
    SLAPolicy("default", 8 * H, 40 * H),
]


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (RequestFacts("gold", "outage/datacenter", "low", "email"), "vip-outage"),
        (RequestFacts("silver", "outage", "urgent", "email"), "urgent"),
        (RequestFacts("gold", "billing/refund/partial", "low", "phone"), "refunds-phone"),
        (RequestFacts("gold", "billing/refund", "urgent", "chat"), "billing"),  # first wins
        (RequestFacts(None, "billing", None, None), "billing"),
        (RequestFacts(None, "billing-old", "low", None), "default"),  # not a descendant
        (RequestFacts(None, None, "high", None), "urgent"),
        (RequestFacts(), "default"),
    ],
)
def test_first_matching_policy_wins(facts: RequestFacts, expected: str) -> None:
    assert names(match_policy(POLICIES, facts)) == expected


def test_no_policy_matches() -> None:
    assert match_policy(POLICIES[:2], RequestFacts("silver", "billing", "low", "email")) is None
    assert match_policy([], RequestFacts()) is None


def test_categories_are_paths() -> None:
    assert normalize_category(" /billing/ refund/") == "billing/refund"
    assert category_matches("billing", "billing/refund")
    assert category_matches("billing/refund", "billing/refund")
    assert not category_matches("billing/refund", "billing")
    assert not category_matches("bill", "billing")
    with pytest.raises(ValueError, match="expected a path"):
        normalize_category("billing//refund")
    with pytest.raises(TypeError, match="set of strings"):
        SLAPolicy("x", H, tiers="gold")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        SLAPolicy("x", timedelta(0))


def test_category_tree_gives_paths() -> None:
    tree = CategoryTree({"billing": None, "refund": "billing", "partial": "refund", "outage": None})
    assert tree.path("partial") == "billing/refund/partial"
    facts = RequestFacts(category=tree.path("partial"))
    assert names(match_policy(POLICIES, facts)) == "billing"
    with pytest.raises(ValueError, match="cycle"):
        CategoryTree({"a": "b", "b": "a"})
    with pytest.raises(ValueError, match="unknown parent"):
        CategoryTree({"a": "nope"})
    with pytest.raises(ValueError, match="unknown category"):
        tree.path("shipping")


def kinds(policies: list[SLAPolicy]) -> list[tuple[IssueKind, str, tuple[str, ...]]]:
    return [(i.kind, i.policy, i.others) for i in find_policy_issues(policies)]


def test_a_well_ordered_list_has_no_issues_only_overlap_notes() -> None:
    assert find_policy_issues(POLICIES, overlaps=False) == []
    # Gold outages that are urgent take "vip-outage", not "urgent"; urgent refunds by phone
    # take "refunds-phone". Partial overlaps with other targets: worth a look, not errors.
    assert kinds(POLICIES) == [
        (IssueKind.OVERLAP, "urgent", ("vip-outage",)),
        (IssueKind.OVERLAP, "urgent", ("refunds-phone",)),
        (IssueKind.OVERLAP, "urgent", ("billing",)),
    ]


def test_shadowed_by_one_earlier_policy() -> None:
    policies = [
        SLAPolicy("billing", 4 * H, categories={"billing"}),
        SLAPolicy("refunds", 2 * H, categories={"billing/refund"}, tiers={"gold"}),
        SLAPolicy("default", 8 * H),
    ]
    issues = find_policy_issues(policies)
    assert [(i.kind, i.policy, i.index, i.others) for i in issues] == [
        (IssueKind.UNREACHABLE, "refunds", 1, ("billing",))
    ]
    assert "shadowed by the earlier policy 'billing'" in issues[0].message


def test_shadowed_by_several_earlier_policies_together() -> None:
    policies = [
        SLAPolicy("high", H, priorities={"high"}),
        SLAPolicy("low", 8 * H, priorities={"low"}),
        SLAPolicy("both-phone", 2 * H, priorities={"high", "low"}, channels={"phone"}),
        SLAPolicy("high-or-normal", 3 * H, priorities={"high", "normal"}),
    ]
    # "high-or-normal" after "high" is specific-before-general: no note; the unreachable
    # "both-phone" takes nothing, so it overlaps nothing.
    issues = find_policy_issues(policies)
    assert [(i.kind, i.policy, i.others) for i in issues] == [
        (IssueKind.UNREACHABLE, "both-phone", ("high", "low"))
    ]
    assert "'high', 'low' together match every request it matches" in issues[0].message


def test_a_catch_all_before_specific_policies_shadows_them() -> None:
    policies = [SLAPolicy("default", 8 * H), SLAPolicy("gold", H, tiers={"gold"})]
    assert kinds(policies) == [(IssueKind.UNREACHABLE, "gold", ("default",))]


def test_a_condition_on_any_value_is_not_covered_by_listed_values() -> None:
    # "Any tier" includes tiers nobody listed, and requests without a tier.
    policies = [
        SLAPolicy("gold", H, tiers={"gold"}),
        SLAPolicy("silver", 2 * H, tiers={"silver"}),
        SLAPolicy("any", 8 * H),
    ]
    assert kinds(policies) == []


def test_descendant_categories_and_duplicates() -> None:
    policies = [
        SLAPolicy("refund", H, categories={"billing/refund"}),
        SLAPolicy("invoice", H, categories={"billing/invoice"}),
        SLAPolicy("refund-partial", 2 * H, categories={"billing/refund/partial"}),
        SLAPolicy("billing", 4 * H, categories={"billing"}),  # still reaches billing/other
        SLAPolicy("billing", 4 * H, categories={"billing"}),
        SLAPolicy("nothing", 4 * H, channels=set()),
    ]
    assert kinds(policies) == [
        (IssueKind.UNREACHABLE, "refund-partial", ("refund",)),
        (IssueKind.DUPLICATE_NAME, "billing", ("billing",)),
        (IssueKind.UNREACHABLE, "billing", ("billing",)),
        (IssueKind.MATCHES_NOTHING, "nothing", ()),
    ]


def test_overlap_with_same_targets_is_not_reported() -> None:
    policies = [
        SLAPolicy("gold", H, 4 * H, tiers={"gold"}),
        SLAPolicy("phone", H, 4 * H, channels={"phone"}),
        SLAPolicy("phone-slow", 2 * H, 4 * H, channels={"chat"}, tiers={"gold", "silver"}),
    ]
    assert kinds(policies) == [(IssueKind.OVERLAP, "phone-slow", ("gold",))]
