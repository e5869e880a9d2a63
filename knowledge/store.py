"""Knowledge articles, their earlier versions and votes, published call-script versions and the
runs of those scripts on calls and requests: tables and queries.

The database is the record; the search index (``knowledge.index``) is derived from it and can
be rebuilt from it at any time (``knowledge.sync``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Connection,
    Date,
    Index,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.model import Article, Kind, Language, Status, index_stamp
from switchboard.core.db import Base, BigId


class KbArticle(Base):
    """The current version of an article; earlier versions are in ``kb_article_versions``."""

    __tablename__ = "kb_articles"
    __table_args__ = (Index("ix_kb_articles_status_kind", "status", "kind"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(200), default="")
    products: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(default=1)
    author: Mapped[str] = mapped_column(String(100), default="")
    votes_up: Mapped[int] = mapped_column(default=0)
    votes_down: Mapped[int] = mapped_column(default=0)
    views: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class KbArticleVersion(Base):
    """An article as it was before a change: every field, as JSON."""

    __tablename__ = "kb_article_versions"

    article_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[datetime]


class KbVote(Base):
    """One voter's say on one article; voting again replaces it."""

    __tablename__ = "kb_votes"

    article_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    voter: Mapped[str] = mapped_column(String(100), primary_key=True)
    helpful: Mapped[bool]
    at: Mapped[datetime]


class FlowVersion(Base):
    """A published version of a call script, as its YAML source (never changed once stored)."""

    __tablename__ = "flow_versions"

    flow_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    published_by: Mapped[str] = mapped_column(String(100), default="")
    published_at: Mapped[datetime]


class FlowRunRow(Base):
    """A run of a call script on a call or a service request; ``data`` is the whole run
    (``FlowRun.to_dict``: answers, steps taken, effects), ``transcript`` the questions asked
    and answered, kept with the interaction."""

    __tablename__ = "flow_runs"
    __table_args__ = (Index("ix_flow_runs_flow", "flow_id", "flow_version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    flow_id: Mapped[str] = mapped_column(String(64))
    flow_version: Mapped[int]
    call_id: Mapped[str | None] = mapped_column(String(128), index=True)
    ticket: Mapped[str | None] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(16))
    current: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    started_by: Mapped[str] = mapped_column(String(100))
    rev: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


articles = cast(Table, KbArticle.__table__)
article_versions = cast(Table, KbArticleVersion.__table__)
votes = cast(Table, KbVote.__table__)
flow_versions = cast(Table, FlowVersion.__table__)
flow_runs = cast(Table, FlowRunRow.__table__)

# --- articles --------------------------------------------------------------------------------


def _article(row: Any) -> Article:
    return Article(
        id=row.id,
        title=row.title,
        kind=Kind(row.kind),
        body=row.body or "",
        summary=row.summary or "",
        category=row.category or "",
        products=tuple(row.products or ()),
        tags=tuple(row.tags or ()),
        language=Language(row.language),
        status=Status(row.status),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        version=row.version,
        author=row.author or "",
        votes_up=row.votes_up,
        votes_down=row.votes_down,
        views=row.views,
        updated_at=row.updated_at,
    )


def article_values(article: Article) -> dict[str, Any]:
    """The columns of ``article`` (not the timestamps)."""
    return {
        "id": article.id,
        "title": article.title,
        "kind": str(article.kind),
        "body": article.body,
        "summary": article.summary,
        "category": article.category,
        "products": list(article.products),
        "tags": list(article.tags),
        "language": str(article.language),
        "status": str(article.status),
        "valid_from": article.valid_from,
        "valid_to": article.valid_to,
        "version": article.version,
        "author": article.author,
        "votes_up": article.votes_up,
        "votes_down": article.votes_down,
        "views": article.views,
    }


def snapshot(article: Article) -> dict[str, Any]:
    """``article`` as JSON data (for ``kb_article_versions`` and the API)."""
    data = article_values(article)
    for key in ("valid_from", "valid_to"):
        data[key] = data[key].isoformat() if data[key] else None
    data["updated_at"] = article.updated_at.isoformat() if article.updated_at else None
    return data


def get_article(conn: Connection, article_id: str) -> Article | None:
    row = conn.execute(select(articles).where(articles.c.id == article_id)).first()
    return _article(row) if row is not None else None


def get_articles(conn: Connection, ids: Iterable[str]) -> list[Article]:
    wanted = list(dict.fromkeys(ids))
    found: list[Article] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = conn.execute(select(articles).where(articles.c.id.in_(chunk))).all()
        found.extend(_article(r) for r in rows)
    return found


def article_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(articles)).scalar_one())


def article_page(conn: Connection, after: str, limit: int) -> list[Article]:
    """Up to ``limit`` articles with ids after ``after``, in id order (keyset paging)."""
    rows = conn.execute(
        select(articles).where(articles.c.id > after).order_by(articles.c.id).limit(limit)
    ).all()
    return [_article(r) for r in rows]


def stamps(conn: Connection) -> dict[str, str]:
    """``{id: index stamp}`` of every article (``knowledge.model.index_stamp``)."""
    rows = conn.execute(select(articles.c.id, articles.c.version, articles.c.updated_at)).all()
    return {
        r.id: index_stamp(
            Article(id=r.id, title="-", kind=Kind.FAQ, version=r.version, updated_at=r.updated_at)
        )
        for r in rows
    }


def insert_article(conn: Connection, article: Article, now: datetime) -> None:
    conn.execute(insert(articles).values(**article_values(article), created_at=now, updated_at=now))


def replace_article(conn: Connection, before: Article, after: Article, now: datetime) -> None:
    """Store ``after`` as the current version, keeping ``before`` in the versions table."""
    conn.execute(
        insert(article_versions).values(
            article_id=before.id, version=before.version, data=snapshot(before), saved_at=now
        )
    )
    values = article_values(after)
    values.pop("id")
    conn.execute(update(articles).where(articles.c.id == after.id).values(**values, updated_at=now))


def article_versions_of(conn: Connection, article_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(article_versions.c.version, article_versions.c.saved_at)
        .where(article_versions.c.article_id == article_id)
        .order_by(article_versions.c.version)
    ).all()
    return [{"version": r.version, "replaced_at": r.saved_at.isoformat()} for r in rows]


def add_view(conn: Connection, article_id: str) -> bool:
    result = conn.execute(
        update(articles).where(articles.c.id == article_id).values(views=articles.c.views + 1)
    )
    return bool(result.rowcount)


def put_vote(
    conn: Connection, article_id: str, voter: str, helpful: bool, now: datetime
) -> bool | None:
    """Record ``voter``'s vote, replacing an earlier one; returns that earlier vote (or None)."""
    existing = conn.execute(
        select(votes.c.helpful).where(votes.c.article_id == article_id, votes.c.voter == voter)
    ).first()
    if existing is None:
        conn.execute(
            insert(votes).values(article_id=article_id, voter=voter, helpful=helpful, at=now)
        )
        return None
    conn.execute(
        update(votes)
        .where(votes.c.article_id == article_id, votes.c.voter == voter)
        .values(helpful=helpful, at=now)
    )
    return bool(existing.helpful)


def set_votes(conn: Connection, article_id: str, up: int, down: int, now: datetime) -> None:
    conn.execute(
        update(articles)
        .where(articles.c.id == article_id)
        .values(votes_up=up, votes_down=down, updated_at=now)
    )
