"""Phone identity rules that need no database: regions, shared numbers, ranking, search keys."""

from __future__ import annotations

import pytest

from customers.model import MatchCandidate, collapse_shared, rank_candidates
from customers.phones import RegionPolicy
from customers.search import plan, spoken
from customers.search_keys import name_keys, phone_keys, typo_variants, with_typos


def test_region_by_trunk_then_dnis_then_default() -> None:
    policy = RegionPolicy("CN", {"+852 3001 2345": "hk"}, {"hk-sbc": "HK", "us-sbc": "US"})
    assert policy.region_for("85230012345") == "HK"  # DNIS keys compare by digits
    assert policy.region_for("+852-3001-2345") == "HK"
    assert policy.region_for("4008001234") == "CN"
    assert policy.region_for(None, "us-sbc") == "US"
    assert policy.region_for("85230012345", "us-sbc") == "US"  # the trunk wins
    assert policy.region_for() == "CN"


def person(
    customer: int,
    contact: int | None,
    *,
    reasons: list[str] | None = None,
    tier: str | None = None,
    last: float | None = None,
) -> MatchCandidate:
    return MatchCandidate(
        customer, contact, f"p{contact}", f"c{customer}", "enterprise", "+86 10 8888 6666",
        None, tier, reasons or ["national form"], last,
    )  # fmt: skip


def test_a_company_line_many_share_collapses_to_the_company() -> None:
    group = [person(1, None)] + [person(1, i) for i in range(2, 8)] + [person(9, 10)]
    out = collapse_shared(group, threshold=5)
    assert [(c.customer_id, c.contact_id, c.shared_by) for c in out] == [(1, None, 6), (9, 10, 0)]
    assert out[0].reasons == ["national form", "shared number (6 contacts)"]
    assert [i for i, _ in out[0].shared_with] == [2, 3, 4, 5, 6, 7]


def test_an_extension_that_matches_one_sharer_names_them() -> None:
    group = [person(1, i) for i in range(2, 8)]
    group[3].reasons = ["national form", "extension matches"]
    assert [c.contact_id for c in collapse_shared(group, threshold=5)] == [5]


def test_below_the_threshold_nothing_collapses() -> None:
    group = [person(1, i) for i in range(2, 5)]
    assert collapse_shared(group, threshold=5) == group


def test_rank_extension_then_recency_then_tier() -> None:
    a = person(1, 1, tier="A")
    recent = person(2, 2, tier="C", last=1000.0)
    older = person(3, 3, tier="C", last=10.0)
    ext = person(4, 4, reasons=["national form", "extension matches"])
    assert [c.customer_id for c in rank_candidates([a, older, recent, ext])] == [4, 2, 3, 1]


def test_name_keys_of_a_chinese_person() -> None:
    assert name_keys("张伟") == {
        ("name", "张伟"),
        ("name", "伟"),
        ("pinyin", "zhangwei"),
        ("pinyin", "wei"),
        ("initials", "zw"),
    }


def test_name_keys_fold_full_width_and_case() -> None:
    assert ("name", "johnsmith") in name_keys("ＪＯＨＮ  Smith")
    assert ("name", "smith") in name_keys("John Smith")


def test_company_tails_find_the_middle_word() -> None:
    keys = name_keys("深圳市华强电子有限公司", company=True)
    assert ("company", "华强电子有限公司") in keys
    assert ("pinyin", "huaqiangdianziyouxiangongsi") in keys


def test_phone_keys_hold_every_tail_and_the_trunk_form() -> None:
    keys = {k for _, k in phone_keys("+861088886666")}
    assert {"861088886666", "01088886666", "1088886666", "88886666", "6666"} <= keys
    assert "666" not in keys  # fewer than four digits say nothing


def test_typo_variants_are_one_deletion_in_the_first_letters() -> None:
    assert typo_variants("zhangwei") == {
        "hangwei", "zangwei", "zhngwei", "zhagwei", "zhanwei", "zhangei", "zhangwi", "zhangwe",
    }  # fmt: skip
    assert typo_variants("abc") == set()
    assert typo_variants("张伟伟伟") == set()
    marked = {k for kind, k, _ in with_typos({("pinyin", "zhangwei")}) if kind == "typo"}
    assert all(k.startswith("~") for k in marked)


@pytest.mark.parametrize(
    ("query", "probes", "number"),
    [
        ("Zhang Wei", ["zhangwei", "zhang", "wei"], False),
        ("0085291234567", ["0085291234567", "85291234567"], True),
        ("010-8888", ["0108888", "108888"], True),
        ("li.na@", ["li.na@", "lina"], False),
        ("  ", [], False),
        ("张为", ["张为"], False),
    ],
)
def test_search_plan(query: str, probes: list[str], number: bool) -> None:
    assert plan(query) == (probes, number)


def test_spoken_reads_only_the_chinese() -> None:
    assert spoken("张为") == "zhangwei"
    assert spoken("abc") == ""
