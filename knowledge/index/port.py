"""The search index as callers see it: a Protocol and the plain values it returns.

Callers (the API, the console's search, the screen pop's suggestions) depend on
:class:`SearchIndex` only; the whoosh engine (``knowledge.index.whoosh_index``) is one
implementation, and another (e.g. SQLite FTS5 over jieba tokens) can be added next to it without
touching them. Everything here is engine-neutral: no whoosh type crosses this boundary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable

from knowledge.model import Article

FACET_FIELDS: tuple[str, ...] = ("kind", "category", "product", "language")


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Narrow a search. ``category`` matches the path and everything below it (``billing``
    matches ``billing/refund``); ``product`` is compared as a normalised code (``5g-plus-199``
    matches ``5G-PLUS-199``). None means no restriction."""

    kind: str | None = None
    category: str | None = None
    product: str | None = None
    language: str | None = None

    @classmethod
    def of(cls, value: SearchFilters | Mapping[str, Any] | None) -> SearchFilters:
        if value is None:
            return cls()
        if isinstance(value, SearchFilters):
            return value
        unknown = set(value) - set(FACET_FIELDS)
        if unknown:
            raise ValueError(f"unknown filter(s): {', '.join(sorted(unknown))}")
        return cls(**{k: (str(v) if v not in (None, "") else None) for k, v in value.items()})

    def is_empty(self) -> bool:
        return not (self.kind or self.category or self.product or self.language)


@dataclass(frozen=True, slots=True)
class Snippet:
    """A short passage of the article with the matched words marked by ``spans``.

    ``spans`` are ``(start, end)`` character offsets into ``text``, sorted, not overlapping.
    """

    text: str
    spans: tuple[tuple[int, int], ...] = ()

    def render(self, before: str = "<b>", after: str = "</b>") -> str:
        """The text with each span wrapped, e.g. ``[`` and ``]`` for a terminal."""
        out: list[str] = []
        last = 0
        for start, end in self.spans:
            out.append(self.text[last:start])
            out.append(before + self.text[start:end] + after)
            last = end
        out.append(self.text[last:])
        return "".join(out)

    @property
    def highlighted(self) -> tuple[str, ...]:
        return tuple(self.text[s:e] for s, e in self.spans)


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    title: str
    score: float
    snippet: Snippet
    kind: str
    category: str
    summary: str = ""
    products: tuple[str, ...] = ()
    language: str = ""
    version: int = 1


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page of hits, best first.

    ``total`` counts every matching visible article (after filters), not only this page.
    ``facets`` maps each of ``kind``, ``category``, ``product``, ``language`` to counts of the
    matching visible articles per value, largest first (an engine may list only the largest,
    the whoosh engine lists 20); each facet's counts ignore that facet's own filter (so
    filtering on ``kind=faq`` still shows how many scripts there are). ``did_you_mean`` is the
    corrected query when a word was unknown to the index and a close one was searched instead.
    """

    query: str
    hits: tuple[Hit, ...]
    total: int
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    did_you_mean: str | None = None

    @property
    def ids(self) -> list[str]:
        return [h.id for h in self.hits]


@runtime_checkable
class SearchIndex(Protocol):
    """Full-text search over knowledge articles.

    Articles of every status and date are indexed; :meth:`search` and :meth:`suggest_for`
    return only those visible to agents on ``today`` (published, within their validity dates;
    ``today`` defaults to the local date) unless ``include_drafts`` is set (admins: every
    status, every date). ``limit`` is clamped to 1..100. No input makes them raise: operators,
    punctuation, an empty or a 10 kB query give an ordinary (perhaps empty) result.
    """

    def upsert(self, articles: Iterable[Article]) -> int:
        """Add or replace articles by id; returns how many were written."""
        ...

    def delete(self, ids: Iterable[str]) -> int:
        """Remove articles by id; returns how many were present."""
        ...

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        filters: SearchFilters | Mapping[str, Any] | None = None,
        today: date | None = None,
        include_drafts: bool = False,
    ) -> SearchResult: ...

    def suggest_for(
        self,
        context: Mapping[str, Any],
        *,
        limit: int = 5,
        today: date | None = None,
    ) -> Sequence[Hit]:
        """Articles for a call before anyone typed: ``context`` may hold ``ivr_menu`` (the menu
        path or label the caller chose), ``dnis`` (the number dialled), ``category``,
        ``products`` (codes of the caller's products) and ``text`` (any words, e.g. a
        reason). Unknown keys are ignored; an empty context gives the most useful scripts."""
        ...

    def doc_count(self) -> int:
        """Articles in the index, of every status."""
        ...

    def ids_and_versions(self) -> dict[str, int]:
        """``{id: version}`` of every indexed article, to reconcile with the database."""
        ...

    def ids_and_stamps(self) -> dict[str, str]:
        """``{id: stamp}`` of every indexed article (``knowledge.model.index_stamp``): what the
        reconcile compares with the database."""
        ...

    def clear(self) -> None:
        """Remove every article."""
        ...

    def close(self) -> None: ...
