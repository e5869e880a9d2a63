"""From the words an agent typed to weighted terms, and from term impacts to the best page.

Engine-neutral, so that another engine (e.g. SQLite FTS5 over the same jieba tokens) can reuse
it: :func:`plan_query` turns a query into a :class:`QueryPlan` (clauses of weighted alternative
terms, product codes, spelling corrections); an engine gives each term's impacts
(:class:`TermPostings`: ``Σ FIELD_WEIGHTS[field] × BM25`` over title, lead and body, times the
article's blend factor of ``knowledge.model.blend_score``) and :func:`top_k` finds the best
articles without reading whole lists.

A query is never parsed as a query language: ``AND``, ``-``, ``"``, ``*``, ``:`` and brackets
are ordinary characters, so nothing an agent types can make a search fail.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
from collections.abc import Container, Sequence
from dataclasses import dataclass

from knowledge.index.analysis import (
    CJK_CLASS,
    Piece,
    fold,
    is_code,
    pieces,
    terms,
)
from knowledge.index.suggest import Vocabulary, correct_chinese, correct_latin
from knowledge.model import normalize_code

#: Weight of a match in each field, multiplied into its BM25F score: a word in the title counts
#: three times a word in the body; ``lead`` is the summary, the tags, the category's words and
#: the product codes.
FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "lead": 1.5, "body": 1.0}
#: Weight of a query code equal to one of the article's own product codes.
CODE_WEIGHT = 6.0
#: Weight of the parts of a joined code (``5g``, ``plus``, ``199`` of ``5G-PLUS-199``).
PART_WEIGHT = 0.5
#: Weight of a synonym relative to the word typed.
SYNONYM_WEIGHT = 0.5
#: Weight of neighbouring words joined into a code the index knows (``tx 1001``).
JOINED_WEIGHT = 1.5
#: Characters of a query analysed; the rest is ignored.
MAX_QUERY_CHARS = 1_000
#: Distinct terms of a query used; the rest is ignored.
MAX_QUERY_TERMS = 32
#: How many articles found by words are weighed again for call suggestions.
CANDIDATES = 40

#: Groups of words agents use for the same thing. A query with one of them also looks for the
#: others (with SYNONYM_WEIGHT). Phrases of several English words only trigger; they are not
#: added (without positions they would match their words anywhere).
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("流量", "数据", "上网流量", "数据流量", "data", "mobile data"),
    ("退款", "退费", "退钱", "返还", "refund", "money back", "reimburse", "reimbursement"),
    ("账单", "话单", "bill", "statement"),
    ("话费", "电话费", "余额", "balance", "credit"),
    ("发票", "invoice", "receipt", "fapiao"),
    ("无法上网", "上不了网", "不能上网", "没网", "no internet", "cannot connect", "offline"),
    ("信号差", "信号不好", "信号弱", "没信号", "无信号", "weak signal", "no signal", "reception"),
    ("无法开机", "开不了机", "不开机", "黑屏", "won't turn on", "dead", "power on"),
    ("套餐", "资费", "plan", "tariff", "package"),
    ("宽带", "光纤", "broadband", "fiber", "fibre"),
    ("漫游", "国际漫游", "roaming", "abroad", "travel"),
    ("携号转网", "转网", "port", "porting", "number transfer", "keep my number"),
    ("停机保号", "保号", "suspend", "suspension"),
    ("补卡", "换卡", "补办", "replace sim", "sim replacement", "lost sim"),
    ("退货", "退机", "return", "send back"),
    ("换货", "exchange", "swap"),
    ("充值", "缴费", "交费", "top up", "topup", "recharge"),
    ("取消", "退订", "cancel", "unsubscribe", "opt out"),
    ("升级", "upgrade"),
    ("降档", "降级", "downgrade"),
    ("投诉", "complaint", "complain"),
    ("密码", "服务密码", "password", "pin"),
    ("实名认证", "实名", "real-name", "identity verification", "verify identity"),
    ("路由器", "router", "光猫", "modem", "cpe"),
    ("电池", "耗电", "battery", "drain"),
    ("发热", "发烫", "过热", "overheat", "overheating", "hot"),
    ("欠费", "停机", "arrears", "overdue", "unpaid"),
    ("积分", "points", "loyalty"),
    ("违约金", "解约", "early termination", "termination fee", "penalty"),
    ("副卡", "家庭成员", "secondary", "add-on sim", "family member"),
    ("网速慢", "网速", "卡顿", "slow", "speed", "lag"),
    ("维修", "保修", "三包", "repair", "warranty"),
    ("优惠", "活动", "促销", "promotion", "promo", "offer", "discount"),
)

_CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
_BETWEEN_CODE_PARTS = re.compile(r"[\s\-_.]*")


@dataclass(frozen=True, slots=True)
class Clause:
    """One thing the query asks for: any of ``alternatives`` (term, weight) in any text field;
    with ``code``, also that normalised code among the article's products."""

    alternatives: tuple[tuple[str, float], ...]
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Correction:
    start: int
    end: int
    original: str
    term: str  # the indexed term used instead
    latin: bool


@dataclass(frozen=True, slots=True)
class QueryPlan:
    text: str
    clauses: tuple[Clause, ...]
    corrections: tuple[Correction, ...] = ()
    highlight: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    def all_terms(self) -> set[str]:
        return {t for c in self.clauses for t, _ in c.alternatives}

    def did_you_mean(self, display: dict[str, str] | None = None) -> str | None:
        """The query with its corrections applied; ``display`` maps a corrected stem to the
        word as written in the articles (``refund`` → ``refunds``)."""
        if not self.corrections:
            return None
        out: list[str] = []
        last = 0
        for c in sorted(self.corrections, key=lambda c: c.start):
            out.append(self.text[last : c.start])
            out.append((display or {}).get(c.term, c.term))
            last = c.end
        out.append(self.text[last:])
        return "".join(out)


def plan_query(query: str, vocabulary: Vocabulary) -> QueryPlan:
    """Analyse ``query`` into a plan against the index's ``vocabulary`` (see the module)."""
    text = query[:MAX_QUERY_CHARS]
    folded = fold(text)
    found = list(pieces(text))
    corrections: list[Correction] = []
    if vocabulary.terms:
        found, corrections = _correct(folded, found, vocabulary)

    weights: dict[str, float] = {}
    codes: dict[str, str] = {}
    order: list[str] = []

    def want(term: str, weight: float, code: str | None = None) -> None:
        if term not in weights:
            order.append(term)
            weights[term] = weight
        else:
            weights[term] = max(weights[term], weight)
        if code:
            codes[term] = code

    for piece in found:
        if piece.kind == "part":
            want(piece.term, PART_WEIGHT)
        elif piece.kind == "code":
            code = normalize_code(piece.surface)
            want(piece.term, 1.0, code if code in vocabulary.codes else None)
        else:
            want(piece.term, 1.0)
    for joined in _joined_codes(folded, found, vocabulary):
        want(joined, JOINED_WEIGHT, joined if joined in vocabulary.codes else None)

    clauses = [
        Clause(((term, weights[term]),), codes.get(term)) for term in order[:MAX_QUERY_TERMS]
    ]
    present = set(order)
    for alternatives in _synonyms(folded):
        extra = tuple((t, SYNONYM_WEIGHT) for t in alternatives if t not in present)
        if extra:
            clauses.append(Clause(extra))
            present.update(t for t, _ in extra)
    highlight = tuple(sorted(present))
    return QueryPlan(text, tuple(clauses), tuple(corrections), highlight)


def _correct(
    folded: str, found: list[Piece], vocabulary: Vocabulary
) -> tuple[list[Piece], list[Correction]]:
    corrections: list[Correction] = []
    kept: list[Piece] = []
    for piece in found:
        if piece.kind == "word" and piece.term not in vocabulary:
            fixed = correct_latin(piece.surface, piece.term, vocabulary)
            if fixed:
                corrections.append(Correction(piece.start, piece.end, piece.surface, fixed, True))
                kept.append(
                    Piece(fixed, piece.start, piece.end, "word", piece.surface, piece.group)
                )
                continue
        kept.append(piece)
    replaced: list[tuple[int, int]] = []
    added: list[Piece] = []
    unknown = {p.start for p in found if p.kind == "cjk" and p.term not in vocabulary}
    for run in list(_CJK_RUN.finditer(folded))[:8]:
        if not any(run.start() <= u < run.end() for u in unknown):
            continue  # every word of the run is known: nothing to correct
        for rep in correct_chinese(run.group(), vocabulary):
            start, end = run.start() + rep.start, run.start() + rep.end
            corrections.append(Correction(start, end, rep.original, rep.word, False))
            replaced.append((start, end))
            added.append(Piece(rep.word, start, end, "cjk", rep.word, -1))
    if replaced:
        kept = [
            p
            for p in kept
            if p.kind != "cjk" or not any(s <= p.start and p.end <= e for s, e in replaced)
        ]
        kept.extend(added)
    return kept, corrections


def _joined_codes(folded: str, found: Sequence[Piece], vocabulary: Vocabulary) -> list[str]:
    """Neighbouring Latin words that together spell a code the index knows: ``5g plus 199``."""
    latin = [p for p in found if p.kind in ("word", "number", "code", "part") and p.group >= 0]
    # A joined hyphenated run is already a piece of its own; use its parts for neighbours.
    latin = [p for p in latin if not (p.kind == "code" and "-" in p.surface)]
    out: list[str] = []
    for i in range(len(latin)):
        for j in range(i + 2, min(i + 4, len(latin)) + 1):
            window = latin[i:j]
            if any(
                not _BETWEEN_CODE_PARTS.fullmatch(folded[a.end : b.start])
                for a, b in itertools.pairwise(window)
            ):
                break
            joined = normalize_code("".join(p.surface for p in window))
            if is_code(joined) and (joined in vocabulary.codes or joined in vocabulary):
                out.append(joined)
    return out


_SYNONYM_LATIN = re.compile(
    "|".join(
        rf"(?<![a-z0-9]){re.escape(form)}(?![a-z0-9])"
        for group in SYNONYMS
        for form in sorted(group, key=len, reverse=True)
        if not _CJK_RUN.fullmatch(form)
    )
)
_SYNONYM_GROUP: dict[str, int] = {
    form: i for i, group in enumerate(SYNONYMS) for form in group if not _CJK_RUN.fullmatch(form)
}
_SYNONYM_CJK: tuple[tuple[str, int], ...] = tuple(
    (form, i) for i, group in enumerate(SYNONYMS) for form in group if _CJK_RUN.fullmatch(form)
)
_synonym_terms: dict[int, list[str]] = {}


def _synonyms(folded: str) -> list[list[str]]:
    """The alternatives (as index terms) of every synonym group the query mentions."""
    hit = {_SYNONYM_GROUP[m.group()] for m in _SYNONYM_LATIN.finditer(folded)}
    hit.update(i for form, i in _SYNONYM_CJK if form in folded)
    return [_group_terms(i) for i in sorted(hit)]


def _group_terms(index: int) -> list[str]:
    cached = _synonym_terms.get(index)
    if cached is None:
        alternatives: list[str] = []
        for form in SYNONYMS[index]:
            analysed = terms(form)
            if len(analysed) == 1:
                alternatives.append(analysed[0])
            elif _CJK_RUN.fullmatch(form) and fold(form) in analysed:
                alternatives.append(fold(form))
        cached = _synonym_terms[index] = list(dict.fromkeys(alternatives))
    return cached


# --- scoring ----------------------------------------------------------------------------------

#: BM25 parameters: ``K1`` saturates term frequency; ``B`` per field normalises by length (a
#: short title is not penalised for being short, a long body is for being long).
BM25_K1 = 1.2
FIELD_B: dict[str, float] = {"title": 0.5, "lead": 0.5, "body": 0.75}


def bm25_idf(documents: int, frequency: int) -> float:
    """Inverse document frequency, the BM25 (always positive) form."""
    return math.log(1.0 + (documents - frequency + 0.5) / (frequency + 0.5))


def bm25(tf: float, length: float, average: float, idf: float, b: float) -> float:
    """One field's BM25 score of a term occurring ``tf`` times in ``length`` terms."""
    norm = 1.0 - b + b * (length / average if average > 0 else 1.0)
    return idf * tf * (BM25_K1 + 1.0) / (tf + BM25_K1 * norm)


class TermPostings:
    """A term's documents with their impact: the sum over fields of weight × BM25.

    ``impacts`` maps document handles to impacts; ``bits`` is the same set of documents as a
    bitmap (bit ``n`` for document ``n``) for counting; :meth:`ordered` lists the documents
    best first, built on first use, for :func:`top_k`.
    """

    __slots__ = ("_ordered", "bits", "impacts")

    def __init__(self, impacts: dict[int, float], bits: int = 0) -> None:
        self.impacts = impacts
        self.bits = bits
        self._ordered: list[tuple[float, int]] | None = None

    def ordered(self) -> list[tuple[float, int]]:
        if self._ordered is None:
            self._ordered = sorted(
                ((score, doc) for doc, score in self.impacts.items()),
                key=lambda pair: (-pair[0], pair[1]),
            )
        return self._ordered

    def __len__(self) -> int:
        return len(self.impacts)


def top_k(
    lists: Sequence[tuple[float, TermPostings]],
    allowed: Container[int],
    k: int,
    boost: Sequence[float] | None = None,
    max_boost: float = 1.0,
    extra: Sequence[tuple[float, TermPostings]] = (),
) -> list[tuple[int, float]]:
    """The ``k`` allowed documents with the highest ``boost[doc] × Σ weight × impact``.

    Fagin's threshold algorithm: walk every list in impact order one rank at a time, score each
    newly seen document exactly by looking it up in every list, and stop as soon as the k-th
    best score reaches what an unseen document could still get (the sum of the impacts at the
    current rank, times the largest boost). Exact, and it reads only the heads of long lists,
    so a query of common words costs little more than one of rare words. ``boost`` is the
    per-document factor of the blend (popularity and approval, ``knowledge.model``) when the
    impacts do not include it already. ``extra`` lists are not walked: they only add to the
    score of documents found in ``lists`` (see :func:`split_common`). Returns ``(doc, score)``,
    best first, ties by document.
    """
    lists = [(w, p) for w, p in lists if w > 0 and len(p)]
    extra = [(w, p) for w, p in extra if w > 0 and len(p)]
    if not lists or k <= 0:
        return []
    ordered = [(w, p.ordered()) for w, p in lists]
    lookups = [(w, p.impacts) for w, p in (*lists, *extra)]
    bonus = sum(w * p.ordered()[0][0] for w, p in extra)
    ceiling = max_boost if boost is not None else 1.0
    heap: list[tuple[float, int]] = []  # (score, -doc): the worst of the best on top
    push, replace = heapq.heappush, heapq.heapreplace
    seen: set[int] = set()
    mark = seen.add
    if len(ordered) == 1 and not extra and boost is None:
        # One list: its order is the answer.
        weight, entries = ordered[0]
        out: list[tuple[int, float]] = []
        for impact, doc in entries:
            if doc in allowed:
                out.append((doc, weight * impact))
                if len(out) >= k:
                    break
        return out
    longest = max(len(o) for _, o in ordered)
    depth = 0
    while depth < longest:
        threshold = bonus
        for weight, entries in ordered:
            if depth >= len(entries):
                continue
            impact, doc = entries[depth]
            threshold += weight * impact
            if doc in seen:
                continue
            mark(doc)
            if doc not in allowed:
                continue
            score = 0.0
            for w, impacts in lookups:
                value = impacts.get(doc)
                if value is not None:
                    score += w * value
            if boost is not None:
                score *= boost[doc]
            item = (score, -doc)
            if len(heap) < k:
                push(heap, item)
            elif item > heap[0]:
                replace(heap, item)
        if len(heap) >= k and heap[0][0] >= threshold * ceiling:
            break
        depth += 1
    return [(-neg, score) for score, neg in sorted(heap, reverse=True)]


#: In a query of COMMON_MIN_LISTS words or more, a word in more than COMMON_SHARE of the
#: articles is "common": it adds to the score of the articles the other words find but finds
#: none by itself (Lucene's common-terms query). A long pasted sentence then costs little more
#: than its few telling words.
COMMON_MIN_LISTS = 6
COMMON_SHARE = 0.2


#: A query of more words than this (a pasted sentence) keeps its rarest (most telling) ones.
MAX_QUERY_LISTS = 10


def split_common(
    lists: Sequence[tuple[float, TermPostings]], documents: int
) -> tuple[list[tuple[float, TermPostings]], list[tuple[float, TermPostings]]]:
    """``(walked, extra)`` for :func:`top_k`: the common lists apart when the rule applies,
    and at most MAX_QUERY_LISTS lists, the rarest."""
    if len(lists) > MAX_QUERY_LISTS:
        lists = sorted(lists, key=lambda wp: len(wp[1]))[:MAX_QUERY_LISTS]
    if len(lists) < COMMON_MIN_LISTS:
        return list(lists), []
    limit = COMMON_SHARE * documents
    rare = [(w, p) for w, p in lists if len(p) <= limit]
    common = [(w, p) for w, p in lists if len(p) > limit]
    if not rare or not common:
        return list(lists), []
    return rare, common
