"""Use cases of the knowledge base: write articles (database first, then the index), read them,
vote, search, and suggest articles for a call or a request before anyone typed.

:class:`KnowledgeBase` is what the HTTP routes and the CLI use. Writes run in the database's
single writer; once committed, :class:`~knowledge.sync.IndexSync` copies the changed articles
from the database into the index. Reads of the index run in a worker thread, so a search never
holds up the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Connection

from knowledge import store
from knowledge.index.port import Hit, SearchFilters, SearchIndex, SearchResult
from knowledge.model import (
    Article,
    category_matches,
    is_visible,
    normalize_code,
    problems,
    same_content,
)
from knowledge.sync import IndexSync, SyncReport
from switchboard.core.db import Database
from switchboard.core.errors import BadRequest, Conflict, NotFound

# --- what the caller or request tells us --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Interaction:
    """A call or a service request as knowledge sees it: the suggestion context
    (``ivr_menu``, ``dnis``, ``category``, ``products``, ``text``), the customer's 360 summary
    and the call's fields (what flows may read)."""

    kind: str  # call | ticket
    id: str
    context: Mapping[str, Any] = field(default_factory=dict)
    customer: Mapping[str, Any] = field(default_factory=dict)
    call: Mapping[str, Any] = field(default_factory=dict)


class InteractionSource(Protocol):
    """Finds a call (by ``call_id``) or a request (by ``ticket`` number); None when unknown.
    Given by the composition root, which may read the calls, requests and customers."""

    def __call__(
        self, conn: Connection, *, call_id: str | None = None, ticket: str | None = None
    ) -> Interaction | None: ...


def no_interactions(
    conn: Connection, *, call_id: str | None = None, ticket: str | None = None
) -> Interaction | None:
    return None


# --- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Saved:
    article: Article
    outcome: str  # created | updated | unchanged


def _check(article: Article) -> None:
    found = problems(article)
    if found:
        key, message = found[0]
        raise BadRequest(
            f"{key}: {message}",
            field=key,
            problems=[{"field": k, "message": m} for k, m in found],
        )


def save_article(
    conn: Connection,
    article: Article,
    now: datetime,
    *,
    mode: str,
    expected_version: int | None = None,
) -> Saved:
    """Store ``article``. ``mode``: ``create`` (409 when the id exists), ``update`` (404 when it
    does not; 409 when ``expected_version`` is not the current one) or ``import`` (either).

    An article whose content is unchanged is left alone (``unchanged``); a changed one becomes
    the next version, the previous one kept in ``kb_article_versions``. Votes and views belong
    to the database: an update never resets them.
    """
    _check(article)
    current = store.get_article(conn, article.id)
    if current is None:
        if mode == "update":
            raise NotFound(f"no article {article.id!r}", field="id")
        fresh = replace(article, version=max(1, article.version), updated_at=now)
        store.insert_article(conn, fresh, now)
        return Saved(fresh, "created")
    if mode == "create":
        raise Conflict(f"article {article.id!r} exists: update it instead", field="id")
    if expected_version is not None and expected_version != current.version:
        raise Conflict(
            f"article {article.id!r} is at version {current.version}, not {expected_version}:"
            " reload it and apply your change again",
            field="version",
            current_version=current.version,
        )
    if same_content(current, article):
        return Saved(current, "unchanged")
    after = replace(
        article,
        version=current.version + 1,
        author=article.author or current.author,
        votes_up=current.votes_up,
        votes_down=current.votes_down,
        views=current.views,
        updated_at=now,
    )
    store.replace_article(conn, current, after, now)
    return Saved(after, "updated")


def vote(conn: Connection, article_id: str, voter: str, helpful: bool, now: datetime) -> Article:
    article = store.get_article(conn, article_id)
    if article is None:
        raise NotFound(f"no article {article_id!r}", field="id")
    before = store.put_vote(conn, article_id, voter, helpful, now)
    up, down = article.votes_up, article.votes_down
    if before is not None and before == helpful:
        return article
    if before is True:
        up -= 1
    elif before is False:
        down -= 1
    if helpful:
        up += 1
    else:
        down += 1
    up, down = max(up, 0), max(down, 0)
    store.set_votes(conn, article_id, up, down, now)
    return replace(article, votes_up=up, votes_down=down, updated_at=now)


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


# --- the knowledge base --------------------------------------------------------------------------


class KnowledgeBase:
    """Articles in ``database``, searchable through ``index``; see the module docstring."""

    def __init__(
        self,
        database: Database,
        index: SearchIndex,
        interactions: InteractionSource = no_interactions,
    ) -> None:
        self.database = database
        self.index = index
        self.sync = IndexSync(database, index)
        self.interactions = interactions

    # writing

    async def save(
        self,
        article: Article,
        now: datetime,
        *,
        mode: str,
        expected_version: int | None = None,
    ) -> Saved:
        saved = await self.database.writer.run(
            lambda c: save_article(c, article, now, mode=mode, expected_version=expected_version)
        )
        if saved.outcome != "unchanged":
            await self.sync.refresh([saved.article.id])
        return saved

    async def import_articles(
        self, articles: Sequence[Article], now: datetime, *, batch: int = 200
    ) -> ImportCounts:
        """Create or update ``articles``; unchanged ones are left alone (idempotent)."""
        counts = ImportCounts()
        for start in range(0, len(articles), batch):
            chunk = list(articles[start : start + batch])

            def op(conn: Connection, chunk: list[Article] = chunk) -> list[Saved]:
                return [save_article(conn, a, now, mode="import") for a in chunk]

            saved = await self.database.writer.run(op)
            for item in saved:
                counts.add(item.outcome)
            await self.sync.refresh(s.article.id for s in saved if s.outcome != "unchanged")
        return counts

    async def vote(self, article_id: str, voter: str, helpful: bool, now: datetime) -> Article:
        article = await self.database.writer.run(lambda c: vote(c, article_id, voter, helpful, now))
        await self.sync.refresh([article_id])
        return article

    # reading

    async def get(self, article_id: str) -> Article | None:
        return await self.database.read(lambda c: store.get_article(c, article_id))

    async def count_view(self, article_id: str) -> None:
        """One more view, in the database only (views reach the index with the next change)."""
        await self.database.writer.run(lambda c: store.add_view(c, article_id))

    async def versions(self, article_id: str) -> list[dict[str, Any]]:
        return await self.database.read(lambda c: store.article_versions_of(c, article_id))

    async def search(
        self,
        query: str,
        *,
        limit: int = 10,
        filters: SearchFilters | None = None,
        today: date,
        include_drafts: bool = False,
    ) -> SearchResult:
        return await asyncio.to_thread(
            self.index.search,
            query,
            limit=limit,
            filters=filters,
            today=today,
            include_drafts=include_drafts,
        )

    async def interaction(
        self, *, call_id: str | None = None, ticket: str | None = None
    ) -> Interaction | None:
        source = self.interactions
        return await self.database.read(lambda c: source(c, call_id=call_id, ticket=ticket))

    async def suggest(
        self, interaction: Interaction, *, today: date, limit: int = 5
    ) -> list[tuple[Hit, list[str]]]:
        """The best articles for ``interaction``, each with why it was chosen."""
        hits = await asyncio.to_thread(
            self.index.suggest_for, interaction.context, limit=limit, today=today
        )
        return [(hit, reasons(hit, interaction.context)) for hit in hits]

    # maintenance

    async def reconcile(self) -> SyncReport:
        return await self.sync.reconcile()

    async def reindex(self, progress: Callable[[int, int], None] | None = None) -> SyncReport:
        return await self.sync.reindex(progress)


def visible_to(article: Article, role: str, today: date) -> bool:
    """Agents read published articles valid today; supervisors and admins read every one."""
    return role in ("admin", "supervisor") or is_visible(article, today)


def reasons(hit: Hit, context: Mapping[str, Any]) -> list[str]:
    """Why a suggestion fits the call: the products, category and words it shares with it."""
    why: list[str] = []
    codes = {normalize_code(str(p)): str(p) for p in _as_list(context.get("products"))}
    shared = [p for p in hit.products if normalize_code(p) in codes]
    if shared:
        why.append("the customer's product " + ", ".join(shared))
    category = str(context.get("category") or "").strip("/")
    if category and category_matches(hit.category, category):
        why.append(f"category {category}")
    text = f"{hit.title} {hit.summary} {hit.snippet.text}".casefold()
    for key, label in (("ivr_menu", "IVR menu"), ("text", "the request"), ("dnis", "number")):
        words = [w for w in _words(context.get(key)) if len(w) > 1 and w.casefold() in text]
        if words:
            why.append(f"{label}: " + " ".join(dict.fromkeys(words)))
    if not why:
        why.append(f"a useful {hit.kind} at the start of a call")
    return why


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p for p in value.replace(",", " ").split() if p]
    if isinstance(value, Iterable):
        return list(value)
    return [value]


def _words(value: Any) -> list[str]:
    out: list[str] = []
    for item in _as_list(value):
        out.extend(str(item).replace("/", " ").replace(">", " ").split())
    return out
