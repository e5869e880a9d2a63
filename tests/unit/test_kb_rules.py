"""The rules behind storing articles: what counts as a change, the stamp the reconcile compares,
and why a suggestion was made."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from knowledge.index.port import Hit, Snippet
from knowledge.model import Article, Kind, Status, index_stamp, same_content
from knowledge.service import reasons

BASE = Article(
    id="KB-1",
    title="话费退款",
    kind=Kind.SOLUTION,
    body="多扣的话费可以退款。",
    category="billing/refund",
    products=("5G-PLUS-199",),
    status=Status.PUBLISHED,
    updated_at=datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
)


def test_counters_version_and_author_are_not_content() -> None:
    other = replace(BASE, version=7, votes_up=3, votes_down=1, views=99, author="王芳")
    assert same_content(BASE, other)


@pytest.mark.parametrize(
    "change",
    [
        {"title": "话费退款办理"},
        {"body": "多扣的话费可以退款，三天到账。"},
        {"status": Status.ARCHIVED},
        {"valid_to": date(2026, 12, 31)},
        {"products": ("5G-PLUS-199", "TX-1001")},
        {"tags": ("退款",)},
        {"category": "billing"},
    ],
)
def test_any_field_of_the_file_is_content(change: dict[str, object]) -> None:
    assert not same_content(BASE, replace(BASE, **change))  # type: ignore[arg-type]


def test_the_stamp_moves_with_version_and_change_time_not_views() -> None:
    stamp = index_stamp(BASE)
    assert stamp == "1@2026-11-20T08:00:00+00:00"
    assert index_stamp(replace(BASE, views=500)) == stamp
    assert index_stamp(replace(BASE, version=2)) != stamp
    later = datetime(2026, 11, 20, 8, 0, 1, tzinfo=UTC)
    assert index_stamp(replace(BASE, updated_at=later)) != stamp
    assert index_stamp(replace(BASE, updated_at=None)) == "1@"


def _hit(**fields: object) -> Hit:
    values: dict[str, object] = {
        "id": "KB-1",
        "title": "Refund of an overcharge",
        "score": 1.0,
        "snippet": Snippet("Money back for a billing error."),
        "kind": "solution",
        "category": "billing/refund",
        "products": ("5G-PLUS-199",),
    }
    values.update(fields)
    return Hit(**values)  # type: ignore[arg-type]


def test_reasons_name_the_shared_product_category_and_words() -> None:
    why = reasons(
        _hit(),
        {
            "products": ["5g plus 199", "TX-1001"],
            "category": "billing",
            "ivr_menu": "billing refund",
        },
    )
    assert why == [
        "the customer's product 5G-PLUS-199",
        "category billing",
        "IVR menu: billing refund",
    ]


def test_a_suggestion_with_nothing_shared_says_so() -> None:
    assert reasons(_hit(kind="script", products=()), {"dnis": "4008001234"}) == [
        "a useful script at the start of a call"
    ]
