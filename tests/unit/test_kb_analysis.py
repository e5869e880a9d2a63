"""Text analysis: jieba for Chinese, stemming for English, both for mixed text, product codes."""

from __future__ import annotations

import jieba  # type: ignore[import-untyped]
import pytest

from knowledge.index.analysis import (
    ChineseTokenizer,
    MixedTokenizer,
    codes_in,
    english_analyzer,
    fold,
    jieba_tokenizer,
    pieces,
    stem,
    terms,
)


def test_chinese_segmentation_finds_the_words_of_a_plan_name() -> None:
    found = terms("5G畅享套餐 199元")
    assert "套餐" in found
    assert "畅享" in found
    assert "5g" in found
    assert "199" in found


def test_search_mode_gives_the_whole_word_and_its_parts() -> None:
    found = terms("手机无法开机")
    assert {"手机", "无法", "开机", "无法开机"} <= set(found)


def test_chinese_particles_are_dropped() -> None:
    found = terms("我的手机怎么上不了网呢")
    assert "的" not in found
    assert "怎么" not in found
    assert "呢" not in found
    assert "手机" in found


def test_english_is_stemmed_and_stop_words_dropped() -> None:
    found = terms("Refunds are refunded for the devices")
    assert found.count("refund") == 2
    assert "devic" in found
    assert "the" not in found
    assert "are" not in found


def test_english_stems_match_whooshs_stemming_analyzer() -> None:
    text = "running batteries refunded connections roaming charged"
    ours = terms(text)
    theirs = [t.text for t in english_analyzer()(text)]
    assert ours == theirs


def test_mixed_text_routes_each_run() -> None:
    found = terms("iPhone 15无法开机, VoLTE设置")
    assert {"iphon", "15", "无法", "开机", "volt", "设置"} <= set(found)


def test_contractions_without_apostrophes() -> None:
    assert terms("phone wont turn on") == terms("phone won't turn on")


@pytest.mark.parametrize(
    "written", ["5G-PLUS-199", "5g_plus_199", "5GPLUS199", "５Ｇ－ＰＬＵＳ－１９９"]
)
def test_a_product_code_is_indexed_whole_in_any_spelling(written: str) -> None:
    assert "5gplus199" in terms(written)


def test_hyphenated_codes_keep_their_parts_too() -> None:
    assert terms("光猫TX-1001的LOS灯") == ["tx", "1001", "tx1001", "lo", "光猫", "灯"]


def test_codes_in_text() -> None:
    assert codes_in("plan 5G-PLUS-199 and the TX1001 modem, not e-SIM") == {"5gplus199", "tx1001"}


def test_decimals_stay_numbers() -> None:
    assert terms("version 3.5") == ["version", "3.5"]


def test_full_width_forms_fold_to_ascii_with_the_same_length() -> None:
    text = "ＴＸ－１００１　套餐"
    assert fold(text) == "tx-1001 套餐"
    assert len(fold(text)) == len(text)


def test_pieces_carry_offsets_into_the_text() -> None:
    text = "退款 refunds TX-1001"
    for piece in pieces(text):
        assert fold(text)[piece.start : piece.end] == piece.surface


def test_whoosh_tokenizers_give_the_same_terms() -> None:
    text = "5G畅享套餐 refunds TX-1001"
    plain = [t.text for t in MixedTokenizer()(text)]
    with_offsets = [t.text for t in MixedTokenizer()(text, positions=True, chars=True)]
    assert sorted(plain) == sorted(with_offsets) == sorted(terms(text))
    chinese = [t.text for t in ChineseTokenizer()("5G畅享套餐 refunds")]
    assert "套餐" in chinese
    assert "refund" not in chinese


def test_offsets_from_the_whoosh_tokenizer() -> None:
    text = "请退款 refund"
    for token in MixedTokenizer()(text, chars=True, keeporiginal=True):
        assert fold(text)[token.startchar : token.endchar] == token.original


def test_jieba_is_loaded_once_and_privately() -> None:
    assert jieba_tokenizer() is jieba_tokenizer()
    assert jieba_tokenizer() is not jieba.dt  # the global dictionary is left alone


def test_stem_is_cached() -> None:
    stem.cache_clear()
    stem("connections")
    stem("connections")
    assert stem.cache_info().hits == 1


def test_empty_and_junk_text() -> None:
    assert terms("") == []
    assert terms("!!! ??? ，。") == []
    assert terms("的 了 the a") == []
