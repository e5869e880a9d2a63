"""The whoosh search index: writes, search, filters, facets, visibility, codes, typos, snippets."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from knowledge.index.port import SearchFilters, SearchIndex, SearchResult, Snippet
from knowledge.index.ranking import TermPostings, top_k
from knowledge.index.snippets import make_snippet
from knowledge.index.whoosh_index import WhooshIndex
from knowledge.model import Article, Kind, Language, Status

TODAY = date(2026, 11, 20)


def art(id: str, title: str, body: str, **changes: object) -> Article:
    values: dict[str, object] = {
        "id": id,
        "title": title,
        "body": body,
        "kind": Kind.SOLUTION,
        "status": Status.PUBLISHED,
        "language": Language.ZH,
        "category": "device/network",
    }
    values.update(changes)
    return Article(**values)  # type: ignore[arg-type]


ARTICLES = [
    art(
        "plan-199",
        "5G畅享套餐 199元",
        "5G畅享套餐每月199元，含80GB通用流量和1000分钟通话。产品编码 5G-PLUS-199。",
        kind=Kind.PRODUCT,
        category="plans/5g",
        products=("5G-PLUS-199",),
        views=300,
    ),
    art(
        "plan-129",
        "5G畅享套餐 129元",
        "5G畅享套餐每月129元，含40GB通用流量。产品编码 5G-PLUS-129。",
        kind=Kind.PRODUCT,
        category="plans/5g",
        products=("5G-PLUS-129",),
    ),
    art(
        "no-power",
        "手机无法开机怎么办",
        "请客户先充电三十分钟，再长按电源键十五秒强制重启。",
        category="device/power",
    ),
    art(
        "no-data",
        "手机无法上网",
        "请检查移动数据开关和APN设置，然后重启手机。光猫 TX-1001 断网见另一篇。",
        products=("TX-1001",),
    ),
    art(
        "refund-en",
        "Refund for a double charge",
        "When a customer was charged twice, open a refund request. Refunds arrive in 3 to 7 "
        "working days on the original payment method.",
        category="billing/refund",
        language=Language.EN,
        kind=Kind.FAQ,
    ),
    art(
        "roaming-en",
        "No data while roaming abroad",
        "Turn on data roaming and buy the ROAM-ASIA-25 day pass before travelling.",
        category="roaming",
        language=Language.EN,
        products=("ROAM-ASIA-25",),
    ),
    art(
        "promo-now",
        "双十一流量翻倍",
        "11月套餐内流量翻倍。",
        kind=Kind.PRODUCT,
        category="promotions/data",
        valid_from=date(2026, 11, 1),
        valid_to=date(2026, 11, 30),
    ),
    art(
        "promo-old",
        "春节流量包",
        "春节期间流量包优惠。",
        kind=Kind.PRODUCT,
        category="promotions/data",
        valid_from=date(2026, 1, 20),
        valid_to=date(2026, 2, 28),
    ),
    art("draft", "新套餐草稿", "还没有发布的套餐。", kind=Kind.PRODUCT, status=Status.DRAFT),
    art("old", "已下架的老套餐", "老用户的套餐。", kind=Kind.PRODUCT, status=Status.ARCHIVED),
    art(
        "greeting",
        "标准开场白话术",
        "您好，云海通信，很高兴为您服务。",
        kind=Kind.SCRIPT,
        category="scripts/opening",
        tags=("开场白",),
        views=5000,
    ),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhooshIndex]:
    ix = WhooshIndex(tmp_path_factory.mktemp("kb-index"))
    ix.upsert(ARTICLES)
    yield ix
    ix.close()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[WhooshIndex]:
    ix = WhooshIndex(tmp_path / "index")
    yield ix
    ix.close()


def search(index: WhooshIndex, query: str, **kwargs: object) -> SearchResult:
    kwargs.setdefault("today", TODAY)
    return index.search(query, **kwargs)  # type: ignore[arg-type]


# --- the port ---------------------------------------------------------------------------------


def test_the_whoosh_index_is_a_search_index(index: WhooshIndex) -> None:
    assert isinstance(index, SearchIndex)


def test_counts_and_versions(index: WhooshIndex) -> None:
    assert index.doc_count() == len(ARTICLES)
    assert index.ids_and_versions() == {a.id: 1 for a in ARTICLES}


# --- writes -------------------------------------------------------------------------------------


def test_upsert_replaces_by_id_and_delete_removes(fresh: WhooshIndex) -> None:
    assert fresh.upsert(ARTICLES[:3]) == 3
    assert fresh.doc_count() == 3
    newer = art("plan-199", "5G畅享套餐 199元（新版）", "改版后的说明：尊享权益。", version=2)
    assert fresh.upsert([newer]) == 1
    assert fresh.doc_count() == 3
    assert fresh.ids_and_versions()["plan-199"] == 2
    assert search(fresh, "尊享权益").ids == ["plan-199"]
    assert search(fresh, "80GB").ids == []  # the old text is gone
    assert fresh.delete(["plan-199", "no-such-id"]) == 1
    assert fresh.doc_count() == 2
    assert search(fresh, "尊享权益").total == 0


def test_the_last_of_an_id_in_one_batch_wins(fresh: WhooshIndex) -> None:
    fresh.upsert([art("a", "旧标题", "旧的"), art("a", "新标题", "新的", version=3)])
    assert fresh.ids_and_versions() == {"a": 3}
    assert search(fresh, "新标题").ids == ["a"]


def test_clear(fresh: WhooshIndex) -> None:
    fresh.upsert(ARTICLES)
    fresh.clear()
    assert fresh.doc_count() == 0
    assert search(fresh, "套餐").total == 0
    fresh.upsert(ARTICLES[:1])
    assert fresh.doc_count() == 1


def test_the_index_persists_on_disk(tmp_path: Path) -> None:
    first = WhooshIndex(tmp_path)
    first.upsert(ARTICLES)
    first.close()
    second = WhooshIndex(tmp_path)
    assert second.doc_count() == len(ARTICLES)
    assert search(second, "开机").ids[0] == "no-power"
    second.close()


def test_another_writer_is_seen_by_a_reader(tmp_path: Path) -> None:
    reader = WhooshIndex(tmp_path, refresh_interval=0)
    writer = WhooshIndex(tmp_path)
    assert reader.doc_count() == 0
    writer.upsert(ARTICLES[:2])
    assert reader.doc_count() == 2
    writer.close()
    reader.close()


def test_concurrent_writers_do_not_lose_articles(tmp_path: Path) -> None:
    one, two = WhooshIndex(tmp_path), WhooshIndex(tmp_path)
    errors: list[BaseException] = []

    def write(ix: WhooshIndex, prefix: str) -> None:
        try:
            for i in range(4):
                ix.upsert([art(f"{prefix}-{i}", f"文章 {prefix} {i}", "内容")])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(one, "a")),
        threading.Thread(target=write, args=(two, "b")),
        threading.Thread(target=write, args=(one, "c")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert one.doc_count() == 12
    one.close()
    two.close()


# --- search ---------------------------------------------------------------------------------


def test_chinese_search(index: WhooshIndex) -> None:
    result = search(index, "手机无法开机")
    assert result.ids[0] == "no-power"
    assert search(index, "开不了机").ids[:1] == ["no-power"]  # a synonym


def test_title_outweighs_body(index: WhooshIndex) -> None:
    # "无法上网" is the title of no-data; no-power mentions neither word of it in its title.
    assert search(index, "无法上网").ids[0] == "no-data"


def test_english_search_is_stemmed(index: WhooshIndex) -> None:
    assert search(index, "refunded").ids[0] == "refund-en"
    assert search(index, "money back").ids[0] == "refund-en"  # a synonym of refund


def test_mixed_query(index: WhooshIndex) -> None:
    assert search(index, "APN 设置").ids[0] == "no-data"


def test_popularity_breaks_near_ties(index: WhooshIndex) -> None:
    # Both plans match 畅享套餐 alike; the much-read one comes first.
    assert search(index, "畅享套餐").ids[:2] == ["plan-199", "plan-129"]


def test_hits_carry_what_the_console_shows(index: WhooshIndex) -> None:
    hit = search(index, "5G畅享套餐 199").hits[0]
    assert hit.id == "plan-199"
    assert hit.title == "5G畅享套餐 199元"
    assert hit.kind == "product"
    assert hit.category == "plans/5g"
    assert hit.products == ("5G-PLUS-199",)
    assert hit.score > 0
    assert hit.summary.startswith("5G畅享套餐每月199元")


@pytest.mark.parametrize("query", ["5G-PLUS-199", "5g plus 199", "5GPLUS199", "5g_plus_199"])
def test_product_codes_in_any_spelling(index: WhooshIndex, query: str) -> None:
    assert search(index, query).ids[0] == "plan-199"


def test_a_code_mentioned_in_the_text_is_found(index: WhooshIndex) -> None:
    assert search(index, "tx1001").ids == ["no-data"]
    assert search(index, "TX-1001").ids == ["no-data"]
    assert search(index, "roam asia 25").ids == ["roaming-en"]


def test_a_close_code_is_not_another_product(index: WhooshIndex) -> None:
    exact = search(index, "TX-1001").hits[0]
    close = search(index, "TX-1010")
    assert close.did_you_mean is None  # codes are never "corrected" into another product
    # Only the "TX" part matches: far below the exact code.
    assert all(h.score < exact.score / 3 for h in close.hits)


# --- typos ------------------------------------------------------------------------------------


def test_english_typo_is_corrected_with_did_you_mean(index: WhooshIndex) -> None:
    result = search(index, "refnud")
    assert result.ids[0] == "refund-en"
    assert result.did_you_mean == "refund"


def test_did_you_mean_keeps_the_rest_of_the_query(index: WhooshIndex) -> None:
    result = search(index, "doubel charged")
    assert result.did_you_mean == "double charged"
    assert result.ids[0] == "refund-en"


def test_chinese_homophone_typo(index: WhooshIndex) -> None:
    result = search(index, "畅想套餐")
    assert result.did_you_mean == "畅享套餐"
    assert result.ids[0] in {"plan-199", "plan-129"}


def test_known_words_are_not_corrected(index: WhooshIndex) -> None:
    assert search(index, "refund").did_you_mean is None
    assert search(index, "套餐").did_you_mean is None


# --- snippets -------------------------------------------------------------------------------


def test_snippets_mark_the_matched_words(index: WhooshIndex) -> None:
    snippet = search(index, "refunds").hits[0].snippet
    assert "refund" in [w.lower() for w in snippet.highlighted]
    assert "<b>" in snippet.render()
    assert snippet.render("[", "]").count("[") == len(snippet.spans)


def test_chinese_snippet(index: WhooshIndex) -> None:
    snippet = search(index, "电源键").hits[0].snippet
    assert snippet.highlighted == ("电源键",)


def test_snippet_window_prefers_the_densest_passage() -> None:
    text = (
        ("无关的内容。" * 40) + "退款在三到七个工作日原路退回，退款进度可以查询。" + ("其他。" * 40)
    )
    snippet = make_snippet(text, ("退款", "进度"))
    assert "退款" in snippet.text
    assert "进度" in snippet.text
    assert snippet.text.startswith("…")
    assert snippet.text.endswith("…")
    # Marks of words next to each other are joined.
    assert snippet.highlighted == ("退款", "退款进度")


def test_snippet_without_a_match_falls_back_to_the_summary() -> None:
    assert make_snippet("正文", ("退款",), fallback="摘要") == Snippet("摘要")


# --- filters, facets, visibility --------------------------------------------------------------


def test_facets_count_every_match(index: WhooshIndex) -> None:
    result = search(index, "套餐")
    assert result.total == len(result.ids)
    assert result.facets["kind"] == {"product": result.total}
    assert result.facets["category"]["plans/5g"] == 2
    assert result.facets["language"] == {"zh": result.total}
    assert result.facets["product"] == {"5G-PLUS-129": 1, "5G-PLUS-199": 1}


def test_filters_and_disjunctive_facets(index: WhooshIndex) -> None:
    everything = search(index, "手机 refund 套餐")
    faqs = search(index, "手机 refund 套餐", filters={"kind": "faq"})
    assert faqs.ids == ["refund-en"]
    assert faqs.total == 1
    # The kind facet ignores the kind filter, so the other kinds are still counted.
    assert faqs.facets["kind"] == everything.facets["kind"]
    assert faqs.facets["language"] == {"en": 1}


def test_category_filter_includes_subcategories(index: WhooshIndex) -> None:
    result = search(index, "套餐 流量", filters=SearchFilters(category="plans"))
    assert set(result.ids) == {"plan-199", "plan-129"}
    assert search(index, "套餐 流量", filters={"category": "plans/4g"}).total == 0


def test_product_and_language_filters(index: WhooshIndex) -> None:
    assert search(index, "套餐", filters={"product": "5g plus 199"}).ids == ["plan-199"]
    assert search(index, "double charge", filters={"language": "zh"}).total == 0
    assert search(index, "double charge", filters={"language": "en"}).ids == ["refund-en"]


def test_unknown_filters_are_refused() -> None:
    with pytest.raises(ValueError, match="colour"):
        SearchFilters.of({"colour": "red"})


def test_agents_see_only_published_articles_valid_today(index: WhooshIndex) -> None:
    ids = set(search(index, "套餐 流量 草稿 老用户").ids)
    assert "draft" not in ids
    assert "old" not in ids
    assert "promo-now" in set(search(index, "流量翻倍").ids)
    assert search(index, "春节流量包").ids[:1] != ["promo-old"]
    assert "promo-old" in search(index, "春节流量包", today=date(2026, 2, 1)).ids
    assert "promo-now" not in search(index, "流量翻倍", today=date(2026, 12, 1)).ids


def test_admins_see_drafts_and_archived_articles(index: WhooshIndex) -> None:
    ids = search(index, "草稿 老套餐", include_drafts=True).ids
    assert {"draft", "old"} <= set(ids)


# --- bad queries ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "AND OR NOT",
        '"5G" -plan +data* ~2 ^3',
        "title:refund OR body:(退款",
        "(((((",
        "*?",
        "\\ / : ; ' \" ` ~ ! @ # $ % ^ & * ( ) [ ] { } < > |",
        "，。！？、；：“”‘’（）【】《》",
        "\x00\x01\u200b\ufeff",
        "😀🎉",
    ],
)
def test_operators_and_punctuation_never_break_a_search(index: WhooshIndex, query: str) -> None:
    result = search(index, query)
    assert isinstance(result, SearchResult)
    assert result.total >= len(result.hits)


def test_a_10_kb_query(index: WhooshIndex) -> None:
    query = ("客户说手机无法开机，要求退款 refund TX-1001 " * 400)[:10_240]
    result = search(index, query)
    assert result.hits  # the first words still count
    assert len(search(index, "x" * 10_240).hits) == 0


def test_an_empty_query_browses_the_most_useful_articles(index: WhooshIndex) -> None:
    result = search(index, "   ")
    assert result.ids[0] == "greeting"  # the most read
    assert result.total == 8  # every visible article
    assert "draft" not in result.ids
    scripts = search(index, "", filters={"kind": "script"})
    assert scripts.ids == ["greeting"]


def test_stop_words_only(index: WhooshIndex) -> None:
    assert search(index, "的 了 the").total == 0


def test_limit_is_clamped(index: WhooshIndex) -> None:
    assert len(search(index, "套餐 流量 手机", limit=1).hits) == 1
    assert len(search(index, "套餐", limit=0).hits) == 1
    assert len(search(index, "套餐", limit=10_000).hits) <= 100


# --- suggestions for a ringing call ---------------------------------------------------------


def test_suggest_for_a_product_and_menu(index: WhooshIndex) -> None:
    hits = index.suggest_for({"ivr_menu": "套餐", "products": ["5G-PLUS-199"]}, today=TODAY)
    assert hits[0].id == "plan-199"


def test_suggest_for_a_category(index: WhooshIndex) -> None:
    hits = index.suggest_for({"category": "billing"}, today=TODAY)
    assert [h.id for h in hits] == ["refund-en"]


def test_suggest_for_nothing_offers_the_scripts_first(index: WhooshIndex) -> None:
    hits = index.suggest_for({}, today=TODAY)
    assert hits[0].id == "greeting"
    assert all(h.id not in {"draft", "old", "promo-old"} for h in hits)


def test_suggest_ignores_unknown_keys_and_odd_values(index: WhooshIndex) -> None:
    hits = index.suggest_for({"ivr_menu": ["2", "billing"], "dnis": 4008001234, "x": object()})
    assert isinstance(hits, list)


# --- the ranking algorithm --------------------------------------------------------------------


def test_threshold_algorithm_equals_brute_force() -> None:
    rng = random.Random(5)
    for _ in range(200):
        lists = []
        for _ in range(rng.randint(1, 6)):
            docs = rng.sample(range(300), rng.randint(1, 120))
            lists.append(
                (rng.choice([1.0, 0.5, 2.0]), TermPostings({d: rng.random() for d in docs}))
            )
        allowed = frozenset(rng.sample(range(300), rng.randint(0, 300)))
        k = rng.randint(1, 15)
        brute: dict[int, float] = {}
        for weight, postings in lists:
            for doc, impact in postings.impacts.items():
                if doc in allowed:
                    brute[doc] = brute.get(doc, 0.0) + weight * impact
        expected = sorted(brute.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        got = top_k(lists, allowed, k)
        assert [d for d, _ in got] == [d for d, _ in expected]
        assert [s for _, s in got] == pytest.approx([s for _, s in expected])
