"""Knowledge articles: validity rules, visibility on a date, the ranking blend, text helpers."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.model import (
    APPROVAL_BETA,
    MAX_BODY_CHARS,
    Article,
    Kind,
    Language,
    Status,
    approval_factor,
    blend_score,
    category_matches,
    derive_summary,
    detect_language,
    is_valid_on,
    is_visible,
    normalize_code,
    plain_text,
    popularity_factor,
    problems,
    wilson_lower_bound,
)


def article(**changes: object) -> Article:
    values: dict[str, object] = {
        "id": "KB-1",
        "title": "5G畅享套餐 199元",
        "kind": Kind.PRODUCT,
        "status": Status.PUBLISHED,
    }
    values.update(changes)
    return Article(**values)  # type: ignore[arg-type]


# --- visibility -------------------------------------------------------------------------------


def test_published_without_dates_is_visible_any_day() -> None:
    assert is_visible(article(), date(2001, 1, 1))
    assert is_visible(article(), date(2099, 12, 31))


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ARCHIVED])
def test_drafts_and_archived_articles_are_not_visible(status: Status) -> None:
    assert not is_visible(article(status=status), date(2026, 6, 1))


def test_validity_window_is_inclusive_at_both_ends() -> None:
    promo = article(valid_from=date(2026, 11, 1), valid_to=date(2026, 11, 30))
    assert not is_visible(promo, date(2026, 10, 31))
    assert is_visible(promo, date(2026, 11, 1))
    assert is_visible(promo, date(2026, 11, 30))
    assert not is_visible(promo, date(2026, 12, 1))


def test_open_ended_windows() -> None:
    assert is_valid_on(None, date(2026, 1, 31), date(1990, 1, 1))
    assert not is_valid_on(None, date(2026, 1, 31), date(2026, 2, 1))
    assert is_valid_on(date(2026, 1, 1), None, date(2090, 1, 1))
    assert not is_valid_on(date(2026, 1, 1), None, date(2025, 12, 31))


# --- rules -------------------------------------------------------------------------------------


def test_a_valid_article_has_no_problems() -> None:
    assert problems(article(category="billing/refund", products=("5G-PLUS-199",))) == []


def test_problems_name_the_key_at_fault() -> None:
    bad = article(
        id="bad id!",
        title=" ",
        category="Billing Refund",
        valid_from=date(2026, 3, 1),
        valid_to=date(2026, 2, 1),
        body="x" * (MAX_BODY_CHARS + 1),
        version=0,
        views=-1,
    )
    keys = {key for key, _ in problems(bad)}
    assert keys == {"id", "title", "category", "valid_to", "body", "version", "views"}
    message = dict(problems(bad))["valid_to"]
    assert "2026-02-01" in message
    assert "2026-03-01" in message


def test_unknown_kind_status_and_language_are_problems() -> None:
    bad = article(kind="howto", status="live", language="fr")
    assert {key for key, _ in problems(bad)} == {"kind", "status", "language"}


def test_top_category() -> None:
    assert article(category="billing/refund").top_category == "billing"
    assert article(category="").top_category == ""


# --- the ranking blend ----------------------------------------------------------------------


def test_wilson_lower_bound_known_values() -> None:
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(0, 10) == 0.0
    # 9 of 10 positive: the 95 % interval's lower bound is about 0.596.
    assert wilson_lower_bound(9, 10) == pytest.approx(0.5958, abs=1e-3)
    # More evidence for the same share raises the bound.
    assert wilson_lower_bound(900, 1000) > wilson_lower_bound(9, 10)


def test_no_votes_and_no_views_leave_the_text_score_alone() -> None:
    assert approval_factor(0, 0) == 1.0
    assert popularity_factor(0) == 1.0
    assert blend_score(7.5, 0, 0, 0) == 7.5


def test_approval_is_symmetric_and_bounded() -> None:
    liked = approval_factor(500, 0)
    disliked = approval_factor(0, 500)
    assert 1.0 < liked <= 1.0 + APPROVAL_BETA
    assert 1.0 - APPROVAL_BETA <= disliked < 1.0
    assert liked - 1.0 == pytest.approx(1.0 - disliked)
    assert approval_factor(3, 0) < approval_factor(300, 0)  # a few votes move it little


def test_popularity_grows_with_the_logarithm_of_views() -> None:
    assert popularity_factor(10) < popularity_factor(1000) < popularity_factor(100_000)
    # Ten thousand views are worth about a third, never orders of magnitude.
    assert 1.2 < popularity_factor(10_000) < 1.4
    assert popularity_factor(10**12) == popularity_factor(10**6)  # capped


def test_text_relevance_stays_the_main_signal() -> None:
    # An unread article with a clearly better text score beats a popular weaker one.
    assert blend_score(10.0, 0, 0, 0) > blend_score(6.0, 50_000, 400, 0)
    assert blend_score(0.0, 50_000, 400, 0) == 0.0
    assert blend_score(float("nan"), 1, 1, 1) == 0.0


# --- text helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["5G-PLUS-199", "5g plus 199", "5g_plus_199", "５Ｇ－ＰＬＵＳ－１９９", "5GPLUS199"]
)
def test_product_codes_normalise_alike(written: str) -> None:
    assert normalize_code(written) == "5gplus199"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("手机无法开机怎么办", Language.ZH),
        ("Phone won't turn on after the update", Language.EN),
        ("iPhone 开启 VoLTE 和 Wi-Fi Calling 的 Settings 设置", Language.MIXED),
        ("", Language.EN),
    ],
)
def test_detect_language(text: str, language: Language) -> None:
    assert detect_language(text) == language


def test_plain_text_drops_markdown() -> None:
    markdown = (
        "## 步骤\n\n1. 打开 **移动数据**\n2. 见 [APN 设置](kb://KB-DEV-005)\n\n| a | b |\n|---|---|"
    )
    text = plain_text(markdown)
    assert "#" not in text
    assert "**" not in text
    assert "](" not in text
    assert "打开" in text
    assert "移动数据" in text
    assert "APN 设置" in text


def test_derive_summary_takes_the_first_paragraph() -> None:
    body = "## 标题\n\n客户反映手机有信号但无法上网。\n\n第二段。"
    assert derive_summary(body) == "客户反映手机有信号但无法上网。"
    assert derive_summary("a" * 500, limit=20).endswith("…")
    assert len(derive_summary("a" * 500, limit=20)) == 20


def test_category_matches_the_path_and_below() -> None:
    assert category_matches("billing/refund", "billing")
    assert category_matches("billing/refund", "billing/refund/")
    assert not category_matches("billing-old/refund", "billing")
    assert category_matches("anything", "")
