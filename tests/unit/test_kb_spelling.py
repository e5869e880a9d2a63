"""Query planning and spelling: corrections against the index's own words, synonyms, codes."""

from __future__ import annotations

from knowledge.index.ranking import (
    JOINED_WEIGHT,
    MAX_QUERY_CHARS,
    MAX_QUERY_LISTS,
    TermPostings,
    plan_query,
    split_common,
)
from knowledge.index.suggest import (
    Vocabulary,
    correct_chinese,
    correct_latin,
    pinyin_keys,
    surface_for,
)

VOCABULARY = Vocabulary(
    {
        "refund": 40,
        "return": 30,
        "roam": 25,
        "receiv": 12,
        "charg": 20,
        "套餐": 90,
        "畅享": 15,
        "加油包": 8,
        "携号转网": 6,
        "手机": 120,
        "银行": 5,
        "5gplus199": 3,
        "tx1001": 4,
    },
    codes={"5gplus199", "tx1001"},
)


def test_an_unknown_english_word_becomes_the_closest_known_one() -> None:
    assert correct_latin("refnud", "refnud", VOCABULARY) == "refund"  # a transposition
    assert correct_latin("roamign", "roamign", VOCABULARY) == "roam"
    assert correct_latin("recieve", "reciev", VOCABULARY) == "receiv"


def test_known_short_and_coded_words_are_left_alone() -> None:
    assert correct_latin("refund", "refund", VOCABULARY) is None
    assert correct_latin("rfd", "rfd", VOCABULARY) is None  # too short to guess
    assert correct_latin("tx1010", "tx1010", VOCABULARY) is None  # a code, not a typo
    assert correct_latin("zzzzzzzz", "zzzzzzzz", VOCABULARY) is None  # nothing close


def test_short_words_allow_one_edit_long_ones_two() -> None:
    assert correct_latin("rxfxnd", "rxfxnd", VOCABULARY) == "refund"
    assert correct_latin("rxfx", "rxfx", Vocabulary({"refx": 1})) == "refx"
    assert correct_latin("rxfy", "rxfy", Vocabulary({"refx": 1})) is None


def test_chinese_homophones_from_pinyin_input() -> None:
    replacements = correct_chinese("畅想套餐", VOCABULARY)
    assert [(r.original, r.word) for r in replacements] == [("畅想", "畅享")]
    assert [(r.original, r.word) for r in correct_chinese("流量加由包", VOCABULARY)] == [
        ("加由包", "加油包")
    ]


def test_known_chinese_is_not_corrected() -> None:
    assert correct_chinese("手机套餐", VOCABULARY) == []


def test_heteronyms_are_tried() -> None:
    # 行 reads hang in 银行 and xing elsewhere: both spellings are keys.
    assert ("yin", "hang") in pinyin_keys("银行")
    assert ("yin", "xing") in pinyin_keys("银行")


def test_surface_for_a_stem() -> None:
    texts = ["Refunds are returned", "a refund request", "refunded twice"]
    assert surface_for("refund", texts) in {"refund", "refunds", "refunded"}
    assert surface_for("refund", texts, typed="refnuds") == "refunds"
    assert surface_for("roam", texts) is None


def test_plan_corrects_and_says_did_you_mean() -> None:
    plan = plan_query("Refnud for my TX-1001", VOCABULARY)
    assert plan.did_you_mean() == "refund for my TX-1001"
    assert plan.did_you_mean({"refund": "refunds"}) == "refunds for my TX-1001"
    assert "refund" in plan.all_terms()


def test_plan_without_corrections_has_no_did_you_mean() -> None:
    assert plan_query("refund", VOCABULARY).did_you_mean() is None


def test_neighbouring_words_that_spell_a_known_code() -> None:
    plan = plan_query("5g plus 199 资费", VOCABULARY)
    joined = [c for c in plan.clauses if c.code == "5gplus199"]
    assert joined
    assert joined[0].alternatives == (("5gplus199", JOINED_WEIGHT),)


def test_synonyms_are_added_with_a_lower_weight() -> None:
    plan = plan_query("money back", VOCABULARY)
    weights = {t: w for c in plan.clauses for t, w in c.alternatives}
    assert weights["refund"] < 1.0
    assert weights["monei"] == 1.0  # money
    plan = plan_query("流量不够", VOCABULARY)
    assert "data" in plan.all_terms()
    assert "数据" in plan.all_terms()


def test_the_query_is_cut_at_the_documented_length() -> None:
    plan = plan_query("手机 " * MAX_QUERY_CHARS + "refund", VOCABULARY)
    assert len(plan.text) == MAX_QUERY_CHARS
    assert "refund" not in plan.all_terms()


def test_query_syntax_is_just_text() -> None:
    plan = plan_query('title:refund AND ("tx-1001" OR -手机*)', VOCABULARY)
    assert {"titl", "refund", "tx1001", "手机"} <= plan.all_terms()
    assert "and" not in plan.all_terms()
    assert "or" not in plan.all_terms()


def test_long_queries_keep_their_rarest_words_and_treat_common_ones_as_extra() -> None:
    lists = [(1.0, TermPostings({d: 1.0 for d in range(n)})) for n in range(1, 20)]
    walked, extra = split_common(lists, documents=50)
    assert len(walked) + len(extra) == MAX_QUERY_LISTS
    assert all(len(p) <= 10 for _, p in walked)
    assert all(len(p) > 10 for _, p in extra) or not extra
    short = lists[:3]
    assert split_common(short, documents=50) == (short, [])
