"""Text analysis: Chinese through jieba, English through a stemming chain, mixed text both.

One analyzer serves every text field and every query, so what is indexed and what is searched
are cut the same way:

- the text is folded (full-width forms to ASCII, lower case);
- runs of Chinese characters go to jieba in search mode (``jieba.Tokenizer.tokenize(...,
  mode="search")``, the tokenizer behind ``jieba.cut_for_search``): ``5G畅享套餐`` gives
  ``畅享``, ``套餐`` and, when the dictionary knows it, ``畅享套餐``; a small stop list drops
  particles (的, 了, 吗, 怎么 …);
- runs of Latin letters and digits go through the English chain: split on non-word characters,
  English stop words dropped, Porter stemming (the same stemmer and stop list as whoosh's
  ``StemmingAnalyzer``): ``refunds``, ``refunded`` → ``refund``;
- hyphenated or underscored runs (``5G-PLUS-199``, ``e-SIM``) give their parts *and* the parts
  joined (``5gplus199``, ``esim``), so a product code is found whole whether it is typed
  ``5G-PLUS-199``, ``5g_plus_199`` or ``5GPLUS199``; the query side also joins neighbouring words
  (``5g plus 199``) against the index's own codes (``knowledge.index.ranking``).

jieba is loaded once per process, lazily, on first use, with its logging turned down; it is a
private ``jieba.Tokenizer`` with the domain words below added, so it does not change the global
``jieba`` dictionary other code may use.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jieba  # type: ignore[import-untyped]
from whoosh.analysis import STOP_WORDS, Token, Tokenizer  # type: ignore[import-untyped]
from whoosh.lang.porter import stem as porter_stem  # type: ignore[import-untyped]

from knowledge.model import normalize_code

# --- folding ---------------------------------------------------------------------------------

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space
_FOLD_TABLE = str.maketrans(_FULLWIDTH)


def fold(text: str) -> str:
    """Full-width letters, digits and punctuation to ASCII, then lower case; same length."""
    return text.translate(_FOLD_TABLE).lower()


CJK_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"(?P<cjk>[{CJK_CLASS}]+)|(?P<latin>[a-z0-9]+(?:[-_.][a-z0-9]+)*)")
_JOINERS = re.compile(r"[-_.]")
_LATIN_RUN = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")
_CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
_HAS_DIGIT = re.compile(r"\d")
_HAS_ALPHA = re.compile(r"[a-z]")
_CJK_CHAR = re.compile(f"[{CJK_CLASS}]")


def has_cjk(text: str) -> bool:
    return _CJK_CHAR.search(text) is not None


# --- English ---------------------------------------------------------------------------------

ENGLISH_STOP_WORDS: frozenset[str] = frozenset(STOP_WORDS) | frozenset(
    {"how", "what", "why", "my", "i", "me", "do", "does", "can", "cannot", "t", "s", "please"}
)


#: Contractions typed without their apostrophe: ``wont`` is ``won't`` (→ ``won``), not a typo of
#: ``want``; the negations carry nothing a search can use.
CONTRACTIONS: dict[str, str | None] = {
    "wont": "won",
    "cant": None,
    "dont": None,
    "doesnt": None,
    "didnt": None,
    "isnt": None,
    "arent": None,
    "wasnt": None,
    "couldnt": None,
    "wouldnt": None,
    "shouldnt": None,
    "havent": None,
    "hasnt": None,
}


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The Porter stem of a lower-case English word (cached)."""
    return str(porter_stem(word))


def is_code(token: str) -> bool:
    """A product-code-like token: letters and digits together, at least three characters."""
    return len(token) >= 3 and bool(_HAS_DIGIT.search(token)) and bool(_HAS_ALPHA.search(token))


# --- Chinese ---------------------------------------------------------------------------------

CHINESE_STOP_WORDS: frozenset[str] = frozenset(
    """的 了 吗 呢 吧 啊 呀 哦 嘛 么 着 过 是 我 你 您 他 她 它 我们 你们 他们 咱 在 和 与
    及 或 也 都 就 还 把 被 让 给 对 从 向 之 其 个 这 那 这个 那个 这些 那些 哪 哪个
    哪些 怎么 怎样 怎么办 如何 什么 为什么 为何 请问 请 一下 一个 一些 有 有没有 要 想
    能 会 可以 可 该 应该 需要 呗 啦 哈 嗯 吧 得 地 等 等等 以及 并 并且 而 而且 但 但是
    如果 因为 所以 然后""".split()  # noqa: SIM905
)

#: Words of the trade jieba's general dictionary lacks; added to the private tokenizer so they
#: are kept whole (search mode still yields their known parts as well).
DOMAIN_WORDS: tuple[str, ...] = tuple(
    """畅享 畅享套餐 套餐 流量包 定向流量 通用流量 日租包 月租 话费 话单 账单 退款 退费
    扣费 乱扣费 携号转网 停机保号 保号 实名认证 实名制 副卡 主卡 亲情号 亲情网 宽带 光猫
    路由器 信号差 无信号 无法上网 上不了网 无法开机 开不了机 无法通话 国际漫游 漫游
    来电显示 呼叫转移 语音信箱 彩铃 积分 合约机 合约期 违约金 限速 降速 补卡 换卡 销户
    过户 充值 缴费 自动扣款 代扣 发票 电子发票 欠费 停机 复机 销号 靓号 热点 个人热点
    飞行模式 网络设置 接入点 高清通话 语音通话 短信 彩信 验证码 服务密码 客服 工单 投诉
    升级 降档 改套餐 变更套餐 退订 增值业务 会员 权益 视频会员 副卡共享 家庭套餐
    融合套餐 校园卡 老年卡 物联网卡 流量卡 信号弱 掉线 卡顿 网速慢 发烫 耗电快 死机 重启
    刷机 恢复出厂设置 三包 七天无理由 无理由退货 换货 退货 维修 保修 以旧换新 预存
    话费券 流量券 返还 到账 未到账 重复扣费 账户余额 余额 信用额度 滞纳金 违约 解约 合约
    套外 超出 资费 月费 功能费 套餐外 上网 数据 通话 分钟 双十一 双11 黑五 以旧换新
    加油包""".split()  # noqa: SIM905
)

_jieba_lock = threading.Lock()
_jieba_tokenizer: jieba.Tokenizer | None = None


def jieba_tokenizer() -> jieba.Tokenizer:
    """The process's private jieba tokenizer, loaded on first use (about a second, once)."""
    global _jieba_tokenizer
    tokenizer = _jieba_tokenizer
    if tokenizer is not None:
        return tokenizer
    with _jieba_lock:
        if _jieba_tokenizer is None:
            jieba.setLogLevel(logging.WARNING)  # it announces its dictionary on stderr
            logging.getLogger("jieba").setLevel(logging.WARNING)
            fresh = jieba.Tokenizer()
            fresh.initialize()
            for word in DOMAIN_WORDS:
                fresh.add_word(word, freq=max(2000, fresh.suggest_freq(word)))
            _jieba_tokenizer = fresh
        return _jieba_tokenizer


def chinese_words(run: str) -> Iterator[tuple[str, int, int]]:
    """``(word, start, end)`` of a run of Chinese characters in jieba's search mode, stops out."""
    for word, start, end in jieba_tokenizer().tokenize(run, mode="search", HMM=True):
        if word not in CHINESE_STOP_WORDS:
            yield word, start, end


def chinese_cut(run: str) -> list[str]:
    """jieba's plain segmentation (no overlapping sub-words), for spelling correction."""
    return [str(w) for w in jieba_tokenizer().cut(run, HMM=True)]


# --- the mixed analyzer ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Piece:
    """One term with where it came from in the (folded) text.

    ``kind`` is ``cjk``, ``word`` (an English word, stemmed in ``term``), ``number``, ``code``
    (letters with digits, or a joined hyphenated run) or ``part`` (a part of a joined run).
    ``surface`` is the text as written (folded), ``group`` numbers the run it belongs to.
    """

    term: str
    start: int
    end: int
    kind: str
    surface: str
    group: int


def pieces(text: str) -> Iterator[Piece]:
    """Every term of ``text`` (see the module docstring), in order, with its offsets."""
    folded = fold(text)
    group = 0
    for match in _RUN.finditer(folded):
        group += 1
        cjk = match.group("cjk")
        base = match.start()
        if cjk is not None:
            for word, start, end in chinese_words(cjk):
                yield Piece(word, base + start, base + end, "cjk", word, group)
            continue
        run = match.group("latin")
        parts = _JOINERS.split(run)
        if len(parts) > 1 and all(p.isdigit() for p in parts) and "." in run:
            yield Piece(run, base, base + len(run), "number", run, group)  # 3.5, 1.2.3
            continue
        offset = base
        emitted_parts = 0
        for part in parts:
            start = folded.index(part, offset)
            offset = start + len(part)
            term = _latin_term(part)
            if term is None:
                continue
            emitted_parts += 1
            kind = "part" if len(parts) > 1 else _latin_kind(part)
            yield Piece(term, start, offset, kind, part, group)
        if len(parts) > 1:
            joined = "".join(parts)
            yield Piece(joined, base, base + len(run), "code", run, group)


def _latin_kind(part: str) -> str:
    if part.isdigit():
        return "number"
    if is_code(part):
        return "code"
    return "word"


def _latin_term(part: str) -> str | None:
    if part.isdigit() or _HAS_DIGIT.search(part):
        return part
    if part in ENGLISH_STOP_WORDS or len(part) < 2:
        return None
    if part in CONTRACTIONS:
        contracted = CONTRACTIONS[part]
        return stem(contracted) if contracted else None
    return stem(part)


def terms(text: str) -> list[str]:
    """The index terms of ``text``: the same terms as :func:`pieces`, faster, without offsets.

    The Chinese runs of the text not in the segmentation cache go to jieba in one call (it
    splits them again at the spaces): jieba's per-call cost is most of the cost of a short run.
    """
    folded = fold(text)
    out: list[str] = []
    append = out.append
    for run in _LATIN_RUN.findall(folded):
        if "." in run or "-" in run or "_" in run:
            parts = _JOINERS.split(run)
            if all(p.isdigit() for p in parts) and "." in run:
                append(run)
                continue
            for part in parts:
                term = _latin_term(part)
                if term is not None:
                    append(term)
            append("".join(parts))
        else:
            term = _latin_term(run)
            if term is not None:
                append(term)
    runs = _CJK_RUN.findall(folded)
    if runs:
        stops = CHINESE_STOP_WORDS
        for words in _segment(runs):
            out.extend(w for w in words if w not in stops)
    return out


# --- the segmentation cache ------------------------------------------------------------------

#: Runs of Chinese text whose segmentation is remembered (least recently used out). Knowledge
#: bases repeat themselves: headings (注意事项, 办理方式), boilerplate, per-region copies of an
#: article that differ in a few lines, and every edit re-indexes the unchanged rest. Measured
#: on the benchmark's regional variants it almost halves indexing time; bounded, about 20 MB.
SEGMENTATION_CACHE_SIZE = 50_000
_segment_cache: OrderedDict[str, tuple[str, ...]] = OrderedDict()
_segment_lock = threading.Lock()
_segment_limit = SEGMENTATION_CACHE_SIZE


def set_segmentation_cache(size: int) -> None:
    """Resize the cache of segmentations (0 turns it off) and empty it."""
    global _segment_limit
    with _segment_lock:
        _segment_limit = max(0, size)
        _segment_cache.clear()


def _segment(runs: list[str]) -> list[tuple[str, ...]]:
    """jieba's search-mode words of each run, from the cache or from one call to jieba."""
    found: list[tuple[str, ...] | None] = []
    missing: list[str] = []
    with _segment_lock:
        for run in runs:
            words = _segment_cache.get(run)
            if words is not None:
                _segment_cache.move_to_end(run)
            else:
                missing.append(run)
            found.append(words)
    if not missing:
        return [w for w in found if w is not None]
    fresh: list[list[str]] = [[]]
    for word in jieba_tokenizer().cut_for_search(" ".join(missing), HMM=True):
        if word == " ":
            fresh.append([])
        else:
            fresh[-1].append(word)
    segmented = dict(zip(missing, map(tuple, fresh), strict=True))
    with _segment_lock:
        if _segment_limit:
            _segment_cache.update(segmented)
            while len(_segment_cache) > _segment_limit:
                _segment_cache.popitem(last=False)
    return [w if w is not None else segmented[run] for w, run in zip(found, runs, strict=True)]


def codes_in(text: str) -> set[str]:
    """Normalised product codes written in ``text`` (hyphenated runs with a digit, ``TX1001``)."""
    return {normalize_code(p.surface) for p in pieces(text) if p.kind == "code" and is_code(p.term)}


# --- whoosh adaptors -------------------------------------------------------------------------


class MixedTokenizer(Tokenizer):  # type: ignore[misc]  # whoosh is untyped
    """The whoosh face of :func:`pieces`: one analyzer for Chinese, English and mixed fields."""

    def __eq__(self, other: object) -> bool:
        return other is not None and self.__class__ is other.__class__

    def __hash__(self) -> int:
        return hash(self.__class__.__name__)

    def __call__(  # whoosh's signature
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not (positions or chars or keeporiginal):
            for text in terms(value) if tokenize else (value,):
                token.text = text
                token.boost = 1.0
                token.stopped = False
                yield token
            return
        for pos, piece in enumerate(pieces(value) if tokenize else ()):
            token.text = piece.term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = piece.surface
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + piece.start
                token.endchar = start_char + piece.end
            yield token


class ChineseTokenizer(Tokenizer):  # type: ignore[misc]
    """Chinese only: jieba's search mode, stop words out (for fields known to be Chinese)."""

    def __eq__(self, other: object) -> bool:
        return other is not None and self.__class__ is other.__class__

    def __hash__(self) -> int:
        return hash(self.__class__.__name__)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        folded = fold(value)
        pos = 0
        for match in re.finditer(f"[{CJK_CLASS}]+", folded):
            for word, start, end in chinese_words(match.group()):
                token.text = word
                token.boost = 1.0
                if keeporiginal:
                    token.original = word
                if positions:
                    token.pos = start_pos + pos
                if chars:
                    token.startchar = start_char + match.start() + start
                    token.endchar = start_char + match.start() + end
                pos += 1
                yield token


def mixed_analyzer() -> MixedTokenizer:
    """The analyzer of every text field: routes Chinese runs to jieba, Latin runs to English."""
    return MixedTokenizer()


def chinese_analyzer() -> ChineseTokenizer:
    return ChineseTokenizer()


def english_analyzer() -> Any:
    """whoosh's own English chain (regex words, lower case, stop words, Porter stems)."""
    from whoosh.analysis import StemmingAnalyzer

    return StemmingAnalyzer()
