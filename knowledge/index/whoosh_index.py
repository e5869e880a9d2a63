"""The whoosh engine of :class:`knowledge.index.port.SearchIndex`: an on-disk index in a directory.

Storage: a whoosh index (``whoosh.index``) in the directory given, with the fields ``id``
(unique), ``title``, ``lead`` (summary, tags, category words, product codes) and ``body`` (the
Markdown as plain text), all cut by the one analyzer of ``knowledge.index.analysis``; ``codes``
(the article's own product codes, normalised: ``5gplus199``) as whole keywords; and stored
``summary`` and ``meta`` (kind, category, products, language, status, validity, version, votes,
views). Every article is indexed whatever its status and dates; visibility
(``knowledge.model.is_visible``) is applied at query time, so a promotion appears and
disappears on its dates without re-indexing.

Search: whoosh's own collector scores every matching document in Python, far too slow for an
agent with a caller waiting (hundreds of milliseconds for a common word over 10,000 articles).
So the searcher reads a term's postings from the whoosh index once, turns them into impacts
(``Σ field weight × BM25`` over title, lead and body; ``knowledge.index.ranking``), keeps them
in a bounded cache, and finds the best documents with the threshold algorithm
(``ranking.top_k``), which reads only the heads of long lists. Totals and facet counts are set
operations on document sets. The article text needed for hits and snippets is kept in memory
with the per-document metadata (roughly the size of the articles' text).

Concurrency: writes in one process are serialised by a lock, and across processes by whoosh's
own lock file (``WRITELOCK``): a writer waits up to ``lock_timeout`` seconds for it, then
raises :class:`IndexBusy`. Readers never wait for writers: a search uses the searcher it has;
it is reopened after this object's own writes at once and, after other processes' writes, when
the index on disk has changed (checked at most every ``refresh_interval`` seconds). Searches
on one object are serialised by a lock (whoosh readers share file handles; the caches are
shared).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index  # type: ignore[import-untyped]
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema  # type: ignore[import-untyped]
from whoosh.index import LockError  # type: ignore[import-untyped]

from knowledge.index.analysis import MixedTokenizer, fold
from knowledge.index.port import FACET_FIELDS, Hit, SearchFilters, SearchResult, Snippet
from knowledge.index.ranking import (
    CANDIDATES,
    CODE_WEIGHT,
    FIELD_B,
    FIELD_WEIGHTS,
    QueryPlan,
    TermPostings,
    bm25,
    bm25_idf,
    plan_query,
    split_common,
    top_k,
)
from knowledge.index.snippets import SCAN_CHARS, make_snippet
from knowledge.index.suggest import Vocabulary, surface_for
from knowledge.model import (
    Article,
    Kind,
    Status,
    blend_score,
    category_matches,
    derive_summary,
    index_stamp,
    is_valid_on,
    normalize_code,
    plain_text,
)

INDEX_NAME = "kb_v1"  # bump when the schema changes: a fresh index is built beside the old one
MAX_LIMIT = 100
TEXT_FIELDS: tuple[str, ...] = tuple(FIELD_WEIGHTS)
#: Postings kept in the per-searcher cache of term impacts (about 100 bytes each).
POSTINGS_CACHE_BUDGET = 2_000_000
#: Extra weight of kinds in suggestions before anyone typed (the call has just started).
SUGGEST_KIND_WEIGHT: dict[str, float] = {
    Kind.SCRIPT: 1.5,
    Kind.SOLUTION: 1.2,
    Kind.FAQ: 1.1,
    Kind.PRODUCT: 1.0,
    Kind.POLICY: 0.9,
}
SUGGEST_MATCH_WEIGHT = 2.0
_CODE_KEY = "\x00code:"
#: Values listed per facet (the largest counts).
FACET_LIMIT = 20
#: Matches counted document by document rather than by bitmaps.
FACET_SMALL_POOL = 200


class IndexBusy(RuntimeError):
    """Another writer held the index for longer than the lock timeout."""


def schema() -> Schema:
    analyzer = MixedTokenizer()
    return Schema(
        id=ID(unique=True, stored=True),
        title=TEXT(analyzer=analyzer, phrase=False, stored=True),
        lead=TEXT(analyzer=analyzer, phrase=False),
        body=TEXT(analyzer=analyzer, phrase=False, stored=True),
        codes=KEYWORD(lowercase=True, scorable=True),
        summary=STORED,
        meta=STORED,
    )


@dataclass(frozen=True, slots=True)
class DocMeta:
    id: str
    kind: str
    category: str
    products: tuple[str, ...]  # as written
    codes: tuple[str, ...]  # normalised
    language: str
    status: str
    valid_from: date | None
    valid_to: date | None
    version: int
    views: int
    votes_up: int
    votes_down: int
    stamp: str = ""

    @classmethod
    def of(cls, article: Article) -> DocMeta:
        return cls(
            id=article.id,
            kind=str(article.kind),
            category=article.category,
            products=tuple(article.products),
            codes=tuple(normalize_code(p) for p in article.products),
            language=str(article.language),
            status=str(article.status),
            valid_from=article.valid_from,
            valid_to=article.valid_to,
            version=article.version,
            views=article.views,
            votes_up=article.votes_up,
            votes_down=article.votes_down,
            stamp=index_stamp(article),
        )

    def as_stored(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "category": self.category,
            "products": list(self.products),
            "language": self.language,
            "status": self.status,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "version": self.version,
            "views": self.views,
            "votes_up": self.votes_up,
            "votes_down": self.votes_down,
            "stamp": self.stamp,
        }

    @classmethod
    def from_stored(cls, doc_id: str, stored: Mapping[str, Any]) -> DocMeta:
        products = tuple(str(p) for p in stored.get("products", ()))
        return cls(
            id=doc_id,
            kind=str(stored.get("kind", "")),
            category=str(stored.get("category", "")),
            products=products,
            codes=tuple(normalize_code(p) for p in products),
            language=str(stored.get("language", "")),
            status=str(stored.get("status", "")),
            valid_from=_date(stored.get("valid_from")),
            valid_to=_date(stored.get("valid_to")),
            version=int(stored.get("version", 1)),
            views=int(stored.get("views", 0)),
            votes_up=int(stored.get("votes_up", 0)),
            votes_down=int(stored.get("votes_down", 0)),
            stamp=str(stored.get("stamp", "")),
        )

    def visible(self, today: date) -> bool:
        return self.status == Status.PUBLISHED and is_valid_on(
            self.valid_from, self.valid_to, today
        )


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value)
    return None


@dataclass(frozen=True, slots=True)
class _Text:
    title: str
    summary: str
    body: str
    folded: str  # the body's first SCAN_CHARS, folded (knowledge.index.analysis.fold)


@dataclass(frozen=True, slots=True)
class _DocSet:
    """Documents both as a set (membership while ranking) and as a bitmap (counting)."""

    members: frozenset[int]
    bits: int

    @classmethod
    def of(cls, docs: Iterable[int], size: int) -> _DocSet:
        members = frozenset(docs)
        return cls(members, _bitmap(members, size))


def _bitmap(docs: Iterable[int], size: int) -> int:
    """An int whose bit ``n`` is set for each document ``n``: union, intersection and count of
    sets of 10,000 documents become single C operations of about a microsecond."""
    raw = bytearray((size >> 3) + 1)
    for n in docs:
        raw[n >> 3] |= 1 << (n & 7)
    return int.from_bytes(raw, "little")


def _members(bits: int) -> frozenset[int]:
    out: list[int] = []
    raw = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for i, byte in enumerate(raw):
        while byte:
            low = byte & -byte
            out.append((i << 3) + low.bit_length() - 1)
            byte ^= low
    return frozenset(out)


@dataclass
class _View:
    """An open searcher and what is derived from it (see the module docstring)."""

    searcher: Any  # whoosh.searching.Searcher
    metas: list[DocMeta | None]
    texts: list[_Text | None]
    vocabulary: Vocabulary
    lengths: dict[str, list[int]]
    averages: dict[str, float]
    facet_bits: dict[str, dict[str, int]]
    facet_ranked: dict[str, list[tuple[str, int, int]]]  # (value, bitmap, size), largest first
    facet_values: dict[str, list[Any]]  # per document: its value (its products, a tuple)
    boost: list[float]  # per document: the popularity and approval factor of the blend
    live: _DocSet
    opened: float
    _postings: OrderedDict[Any, TermPostings] = field(default_factory=OrderedDict)
    _postings_size: int = 0
    _sets: dict[tuple[Any, ...], _DocSet] = field(default_factory=dict)
    _browse: dict[tuple[Any, ...], list[tuple[int, float]]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.metas)

    # --- visibility and filters --------------------------------------------------------------

    def visible(self, today: date, include_drafts: bool) -> _DocSet:
        if include_drafts:
            return self.live
        key = ("visible", today)
        cached = self._sets.get(key)
        if cached is None:
            docs = (n for n, m in enumerate(self.metas) if m is not None and m.visible(today))
            cached = self._remember(key, _DocSet.of(docs, self.size))
        return cached

    def passing(self, name: str, value: str) -> int:
        """The bitmap of documents passing one filter (a category includes those below it)."""
        values = self.facet_bits[name]
        if name == "category":
            wanted = value.strip("/")
            matches = [bits for c, bits in values.items() if category_matches(c, wanted)]
        elif name == "product":
            code = normalize_code(value)
            matches = [bits for p, bits in values.items() if normalize_code(p) == code]
        else:
            matches = [values.get(value, 0)]
        out = 0
        for bits in matches:
            out |= bits
        return out

    def allowed(
        self, today: date, include_drafts: bool, filters: SearchFilters, skip: str | None = None
    ) -> _DocSet:
        """Visible documents passing every filter but ``skip``."""
        active = [
            (name, getattr(filters, name))
            for name in FACET_FIELDS
            if getattr(filters, name) and name != skip
        ]
        visible = self.visible(today, include_drafts)
        if not active:
            return visible
        key = ("allowed", today, include_drafts, tuple(active))
        cached = self._sets.get(key)
        if cached is None:
            bits = visible.bits
            for name, value in active:
                bits &= self.passing(name, value)
            cached = self._remember(key, _DocSet(_members(bits), bits))
        return cached

    def _remember(self, key: tuple[Any, ...], value: _DocSet) -> _DocSet:
        if len(self._sets) > 256:
            self._sets.clear()
        self._sets[key] = value
        return value

    # --- postings ----------------------------------------------------------------------------

    def postings(self, term: str) -> TermPostings:
        """A term's impacts over title, lead and body, each times its document's boost."""
        cached = self._cached(term)
        if cached is not None:
            return cached
        reader = self.searcher.reader()
        documents = max(1, reader.doc_count_all())
        boost = self.boost
        impacts: dict[int, float] = {}
        if term.startswith(_CODE_KEY):
            code = term[len(_CODE_KEY) :]
            frequency = reader.doc_frequency("codes", code)
            if frequency:
                weight = CODE_WEIGHT * bm25_idf(documents, frequency)
                for docnum, _ in _read_postings(reader, "codes", code):
                    impacts[docnum] = weight * boost[docnum]
        else:
            for name, field_weight in FIELD_WEIGHTS.items():
                frequency = reader.doc_frequency(name, term)
                if not frequency:
                    continue
                idf = field_weight * bm25_idf(documents, frequency)
                lengths = self.lengths[name]
                average = self.averages[name]
                b = FIELD_B.get(name, 0.75)
                for docnum, tf in _read_postings(reader, name, term):
                    score = bm25(tf, lengths[docnum], average, idf, b) * boost[docnum]
                    impacts[docnum] = impacts.get(docnum, 0.0) + score
        return self._keep(term, TermPostings(impacts, _bitmap(impacts, self.size)))

    def merged(self, alternatives: tuple[tuple[str, float], ...]) -> TermPostings:
        """One list for a clause of several alternatives: ``Σ weight × impact`` (cached)."""
        if len(alternatives) == 1 and alternatives[0][1] == 1.0:
            return self.postings(alternatives[0][0])
        cached = self._cached(alternatives)
        if cached is not None:
            return cached
        impacts: dict[int, float] = {}
        bits = 0
        for term, weight in alternatives:
            postings = self.postings(term)
            bits |= postings.bits
            for docnum, impact in postings.impacts.items():
                impacts[docnum] = impacts.get(docnum, 0.0) + weight * impact
        return self._keep(alternatives, TermPostings(impacts, bits))

    def _cached(self, key: Any) -> TermPostings | None:
        cached = self._postings.get(key)
        if cached is not None:
            self._postings.move_to_end(key)
        return cached

    def _keep(self, key: Any, postings: TermPostings) -> TermPostings:
        self._postings[key] = postings
        self._postings_size += len(postings) + 1
        while self._postings_size > POSTINGS_CACHE_BUDGET and len(self._postings) > 1:
            _, old = self._postings.popitem(last=False)
            self._postings_size -= len(old) + 1
        return postings

    def browse_order(
        self, today: date, include_drafts: bool, filters: SearchFilters
    ) -> list[tuple[int, float]]:
        """Allowed documents by popularity and approval alone (an empty query)."""
        key = (today, include_drafts, filters)
        cached = self._browse.get(key)
        if cached is None:
            allowed = self.allowed(today, include_drafts, filters).members
            boost = self.boost
            cached = sorted(((n, boost[n]) for n in allowed), key=lambda p: (-p[1], p[0]))
            if len(self._browse) > 32:
                self._browse.clear()
            self._browse[key] = cached
        return cached


def _read_postings(reader: Any, fieldname: str, text: str) -> Iterable[tuple[int, float]]:
    """``(docnum, weight)`` of every posting of a term, across the index's segments."""
    for leaf, base in reader.leaf_readers():
        if (fieldname, text) not in leaf:
            continue
        matcher = leaf.postings(fieldname, text)
        while matcher.is_active():
            yield matcher.id() + base, matcher.weight()
            matcher.next()


class WhooshIndex:
    """A :class:`~knowledge.index.port.SearchIndex` stored in ``directory`` (created if need be)."""

    def __init__(
        self,
        directory: str | Path,
        *,
        refresh_interval: float = 1.0,
        lock_timeout: float = 10.0,
    ) -> None:
        self.directory = Path(directory)
        self.refresh_interval = refresh_interval
        self.lock_timeout = lock_timeout
        self._write_lock = threading.Lock()
        self._read_lock = threading.RLock()
        self.directory.mkdir(parents=True, exist_ok=True)
        if whoosh_index.exists_in(str(self.directory), indexname=INDEX_NAME):
            self._ix = whoosh_index.open_dir(str(self.directory), indexname=INDEX_NAME)
        else:
            self._ix = whoosh_index.create_in(str(self.directory), schema(), indexname=INDEX_NAME)
        self._view_cache: _View | None = None

    # --- writing -----------------------------------------------------------------------------

    def _writer(self) -> Any:
        try:
            return self._ix.writer(timeout=self.lock_timeout, delay=0.05, limitmb=256)
        except LockError as exc:
            raise IndexBusy(
                f"the knowledge index in {self.directory} is being written by another process "
                f"(waited {self.lock_timeout:g} s)"
            ) from exc

    def upsert(self, articles: Iterable[Article]) -> int:
        batch = {a.id: a for a in articles}  # the last one of an id wins
        if not batch:
            return 0
        with self._write_lock:
            fresh = self._ix.doc_count_all() == 0
            writer = self._writer()
            try:
                for article in batch.values():
                    document = _document(article)
                    if fresh:
                        writer.add_document(**document)
                    else:
                        writer.update_document(**document)
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            self._invalidate()
        return len(batch)

    def delete(self, ids: Iterable[str]) -> int:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return 0
        with self._write_lock:
            writer = self._writer()
            removed = 0
            try:
                for doc_id in wanted:
                    removed += int(writer.delete_by_term("id", doc_id))
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            self._invalidate()
        return removed

    def clear(self) -> None:
        with self._write_lock:
            writer = self._writer()  # hold the lock while the index is replaced
            writer.cancel()
            with self._read_lock:
                self._close_view()
                self._ix = whoosh_index.create_in(
                    str(self.directory), schema(), indexname=INDEX_NAME
                )

    def close(self) -> None:
        with self._read_lock:
            self._close_view()

    def destroy(self) -> None:
        """Close and remove the directory (tests, benchmarks)."""
        self.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    # --- reading -----------------------------------------------------------------------------

    def doc_count(self) -> int:
        with self._read_lock:
            return len(self._view().live.members)

    def ids_and_versions(self) -> dict[str, int]:
        with self._read_lock:
            return {m.id: m.version for m in self._view().metas if m is not None}

    def ids_and_stamps(self) -> dict[str, str]:
        with self._read_lock:
            return {m.id: m.stamp for m in self._view().metas if m is not None}

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        filters: SearchFilters | Mapping[str, Any] | None = None,
        today: date | None = None,
        include_drafts: bool = False,
    ) -> SearchResult:
        wanted = SearchFilters.of(filters)
        limit = max(1, min(int(limit), MAX_LIMIT))
        today = today or date.today()
        query = query if isinstance(query, str) else str(query)
        with self._read_lock:
            view = self._view()
            if not query.strip():
                return self._browse(view, query, today, include_drafts, wanted, limit)
            plan = plan_query(query, view.vocabulary)
            lists = self._lists(view, plan)
            if not lists:
                return SearchResult(query, (), 0, _no_facets(), _plain_did_you_mean(plan))
            walked, extra = split_common(lists, len(view.live.members))
            matched = 0
            for _, postings in walked:
                matched |= postings.bits
            facets = _facets(view, matched, today, include_drafts, wanted)
            allowed = view.allowed(today, include_drafts, wanted)
            total = (matched & allowed.bits).bit_count()
            hits: list[Hit] = []
            if total:
                best = top_k(walked, allowed.members, limit, extra=extra)
                for docnum, score in best:
                    hits.append(self._hit(view, docnum, score, plan))
            return SearchResult(
                query=query,
                hits=tuple(hits),
                total=total,
                facets=facets,
                did_you_mean=self._did_you_mean(plan, hits),
            )

    def suggest_for(
        self,
        context: Mapping[str, Any],
        *,
        limit: int = 5,
        today: date | None = None,
    ) -> list[Hit]:
        limit = max(1, min(int(limit), MAX_LIMIT))
        today = today or date.today()
        words = " ".join(
            _words(context.get(key)) for key in ("ivr_menu", "text", "reason", "dnis")
        ).strip()
        codes = {normalize_code(p) for p in _list(context.get("products")) if normalize_code(p)}
        category = str(context.get("category") or "").strip().strip("/")
        with self._read_lock:
            view = self._view()
            visible = view.visible(today, False)
            plan = plan_query(" ".join([words, *sorted(codes)]), view.vocabulary)
            walked, extra = split_common(self._lists(view, plan), len(view.live.members))
            scores = dict(top_k(walked, visible.members, CANDIDATES, extra=extra))
            in_category: frozenset[int] = frozenset()
            if category:
                in_category = _members(view.passing("category", category) & visible.bits)
            pool: Iterable[int] = set(scores) | in_category if category else scores
            if not scores and not category:
                pool = (n for n, _ in view.browse_order(today, False, SearchFilters())[:500])
            ranked: list[tuple[float, int]] = []
            for docnum in pool:
                meta = view.metas[docnum]
                if meta is None:
                    continue
                # Scores from the lists include the boost; a document found only by its
                # category gets the boost alone.
                score = scores.get(docnum) or view.boost[docnum]
                score *= SUGGEST_KIND_WEIGHT.get(meta.kind, 1.0)
                if docnum in in_category:
                    score *= SUGGEST_MATCH_WEIGHT
                if codes and codes.intersection(meta.codes):
                    score *= SUGGEST_MATCH_WEIGHT
                ranked.append((score, docnum))
            ranked.sort(key=lambda pair: (-pair[0], pair[1]))
            return [self._hit(view, docnum, score, plan) for score, docnum in ranked[:limit]]

    # --- internals ---------------------------------------------------------------------------

    def _lists(self, view: _View, plan: QueryPlan) -> list[tuple[float, TermPostings]]:
        """One list per clause of the plan (its alternatives merged); unknown terms left out."""
        out: list[tuple[float, TermPostings]] = []
        seen: set[tuple[tuple[str, float], ...]] = set()
        for clause in plan.clauses:
            alternatives = [(t, w) for t, w in clause.alternatives if t in view.vocabulary]
            if clause.code and clause.code in view.vocabulary.codes:
                alternatives.append((_CODE_KEY + clause.code, 1.0))
            if not alternatives:
                continue
            key = tuple(sorted(alternatives))
            if key in seen:
                continue
            seen.add(key)
            postings = view.merged(key)
            if len(postings):
                out.append((1.0, postings))
        return out

    def _browse(
        self,
        view: _View,
        query: str,
        today: date,
        include_drafts: bool,
        wanted: SearchFilters,
        limit: int,
    ) -> SearchResult:
        """An empty query: the most read and best liked visible articles, filters applied."""
        visible = view.visible(today, include_drafts)
        facets = _facets(view, visible.bits, today, include_drafts, wanted)
        order = view.browse_order(today, include_drafts, wanted)
        plan = QueryPlan(query, ())
        hits = tuple(self._hit(view, docnum, score, plan) for docnum, score in order[:limit])
        return SearchResult(query=query, hits=hits, total=len(order), facets=facets)

    def _hit(self, view: _View, docnum: int, score: float, plan: QueryPlan) -> Hit:
        meta = view.metas[docnum]
        text = view.texts[docnum]
        assert meta is not None
        assert text is not None
        snippet = (
            make_snippet(text.body, plan.highlight, fallback=text.summary, folded=text.folded)
            if plan.highlight
            else Snippet(text.summary or text.body[:160])
        )
        return Hit(
            id=meta.id,
            title=text.title,
            score=round(score, 6),
            snippet=snippet,
            kind=meta.kind,
            category=meta.category,
            summary=text.summary,
            products=meta.products,
            language=meta.language,
            version=meta.version,
        )

    def _did_you_mean(self, plan: QueryPlan, hits: Sequence[Hit]) -> str | None:
        if not plan.corrections:
            return None
        texts = [f"{h.title} {h.summary} {h.snippet.text}" for h in hits[:5]]
        display: dict[str, str] = {}
        for correction in plan.corrections:
            if correction.latin:
                word = surface_for(correction.term, texts, correction.original.lower())
                if word:
                    display[correction.term] = word
        return plan.did_you_mean(display)

    def _invalidate(self) -> None:
        with self._read_lock:
            self._close_view()

    def _close_view(self) -> None:
        if self._view_cache is not None:
            self._view_cache.searcher.close()
            self._view_cache = None

    def _view(self) -> _View:
        view = self._view_cache
        now = time.monotonic()
        if view is not None and now - view.opened < self.refresh_interval:
            return view
        if view is not None:
            if view.searcher.up_to_date():
                view.opened = now
                return view
            self._close_view()
        view = _open_view(self._ix)
        self._view_cache = view
        return view


def _plain_did_you_mean(plan: QueryPlan) -> str | None:
    return plan.did_you_mean() if plan.corrections else None


def _open_view(ix: Any) -> _View:
    searcher = ix.searcher()
    reader = searcher.reader()
    size = reader.doc_count_all()
    metas: list[DocMeta | None] = [None] * size
    texts: list[_Text | None] = [None] * size
    facet_docs: dict[str, dict[str, list[int]]] = {name: {} for name in FACET_FIELDS}
    for docnum, stored in reader.iter_docs():
        meta = DocMeta.from_stored(str(stored["id"]), stored.get("meta") or {})
        metas[docnum] = meta
        body = str(stored.get("body", ""))
        texts[docnum] = _Text(
            str(stored.get("title", "")),
            str(stored.get("summary", "")),
            body,
            fold(body[:SCAN_CHARS]),
        )
        for name, value in (
            ("kind", meta.kind),
            ("category", meta.category),
            ("language", meta.language),
        ):
            facet_docs[name].setdefault(value, []).append(docnum)
        for product in dict.fromkeys(meta.products):
            facet_docs["product"].setdefault(product, []).append(docnum)
    live = _DocSet.of((n for n, m in enumerate(metas) if m is not None), size)
    lengths: dict[str, list[int]] = {}
    averages: dict[str, float] = {}
    for name in TEXT_FIELDS:
        column = [
            int(reader.doc_field_length(n, name, 0) or 0) if metas[n] is not None else 0
            for n in range(size)
        ]
        lengths[name] = column
        averages[name] = (sum(column) / len(live.members)) if live.members else 1.0
    document_frequency: dict[str, int] = {}
    for name in TEXT_FIELDS:
        for raw, info in reader.iter_field(name):
            text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            df = int(info.doc_frequency())
            if df > document_frequency.get(text, 0):
                document_frequency[text] = df
    codes = [
        raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        for raw, _ in reader.iter_field("codes")
    ]
    facet_bits = {
        name: {value: _bitmap(docs, size) for value, docs in values.items() if value}
        for name, values in facet_docs.items()
    }
    facet_ranked = {
        name: sorted(
            ((value, bits, bits.bit_count()) for value, bits in values.items()),
            key=lambda item: (-item[2], item[0]),
        )
        for name, values in facet_bits.items()
    }
    per_document: dict[str, list[Any]] = {
        "kind": [m.kind if m else "" for m in metas],
        "category": [m.category if m else "" for m in metas],
        "language": [m.language if m else "" for m in metas],
        "product": [tuple(dict.fromkeys(m.products)) if m else () for m in metas],
    }
    boost = [blend_score(1.0, m.views, m.votes_up, m.votes_down) if m else 0.0 for m in metas]
    return _View(
        searcher=searcher,
        metas=metas,
        texts=texts,
        vocabulary=Vocabulary(document_frequency, codes),
        lengths=lengths,
        averages=averages,
        facet_bits=facet_bits,
        facet_ranked=facet_ranked,
        facet_values=per_document,
        boost=boost,
        live=live,
        opened=time.monotonic(),
    )


def _document(article: Article) -> dict[str, Any]:
    meta = DocMeta.of(article)
    summary = article.summary or derive_summary(article.body)
    lead = [summary, *article.tags, *article.category.replace("/", " ").split()]
    return {
        "id": article.id,
        "title": article.title,
        "summary": summary,
        "lead": " ".join([*lead, *article.products]),
        "body": plain_text(article.body),
        "codes": " ".join(c for c in meta.codes if c),
        "meta": meta.as_stored(),
    }


def _no_facets() -> dict[str, dict[str, int]]:
    return {name: {} for name in FACET_FIELDS}


def _facets(
    view: _View, matched: int, today: date, include_drafts: bool, wanted: SearchFilters
) -> dict[str, dict[str, int]]:
    """The FACET_LIMIT largest counts per facet of the matching documents, largest first; each
    facet ignores its own filter.

    Counting is an AND and a popcount of two bitmaps per value. Values are tried largest first
    and the count stops once no remaining value could enter the list (a value's size bounds
    its count), so a facet with a thousand product codes costs a few dozen operations; a small
    set of matches is counted document by document instead.
    """
    out: dict[str, dict[str, int]] = {}
    members: dict[int, list[int]] = {}
    for name in FACET_FIELDS:
        pool = matched & view.allowed(today, include_drafts, wanted, skip=name).bits
        counts: dict[str, int] = {}
        if pool:
            size = pool.bit_count()
            if size <= FACET_SMALL_POOL:
                docs = members.get(pool)
                if docs is None:
                    docs = members[pool] = sorted(_members(pool))
                values = view.facet_values[name]
                if name == "product":
                    counts = Counter(p for n in docs for p in values[n])
                else:
                    counts = Counter(values[n] for n in docs)
                counts.pop("", None)
            else:
                floor = 0
                found: list[int] = []
                for value, bits, total in view.facet_ranked[name]:
                    if total < floor:
                        break
                    count = (pool & bits).bit_count()
                    if count:
                        counts[value] = count
                        if len(counts) >= FACET_LIMIT:
                            found.append(count)
                            found.sort(reverse=True)
                            floor = found[FACET_LIMIT - 1] if len(found) >= FACET_LIMIT else 0
                        else:
                            found.append(count)
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_LIMIT]
        out[name] = dict(top)
    return out


def _words(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str | int | float):
        return fold(str(value)).replace("/", " ").replace(">", " ")
    if isinstance(value, Iterable):
        return " ".join(_words(v) for v in value)
    return ""


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p for p in value.replace(",", " ").split() if p]
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return [str(value)]
