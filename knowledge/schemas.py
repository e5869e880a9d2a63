"""Wire types of the knowledge routes: article bodies, votes, searches, flows and flow runs."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from knowledge.model import MAX_BODY_CHARS, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS

#: Longest query accepted, in characters (the index reads at most its first words anyway).
MAX_QUERY_CHARS = 20_000

KindName = Literal["script", "solution", "faq", "product", "policy"]
StatusName = Literal["draft", "published", "archived"]
LanguageName = Literal["zh", "en", "mixed"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArticleFields(_Strict):
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    kind: KindName
    body: str = Field(default="", max_length=MAX_BODY_CHARS)
    summary: str = Field(default="", max_length=MAX_SUMMARY_CHARS)
    category: str = Field(default="", max_length=200)
    products: list[str] = Field(default_factory=list, max_length=100)
    tags: list[str] = Field(default_factory=list, max_length=100)
    language: LanguageName | None = None
    status: StatusName = "draft"
    valid_from: date | None = None
    valid_to: date | None = None


class ArticleIn(ArticleFields):
    """A new article; ``language`` is guessed from the text when absent."""

    id: str = Field(min_length=1, max_length=64)


class ArticleUpdate(ArticleFields):
    """The whole article as it should be, and the version it was read at (409 when stale)."""

    version: int = Field(ge=1)


class VoteIn(_Strict):
    helpful: bool


class SearchIn(_Strict):
    """A search as a body, for queries too long for a URL."""

    q: str = Field(default="", max_length=MAX_QUERY_CHARS)
    kind: KindName | None = None
    category: str | None = Field(default=None, max_length=200)
    product: str | None = Field(default=None, max_length=100)
    lang: LanguageName | None = None
    limit: int = Field(default=10, ge=1, le=100)
    status: Literal["visible", "all"] = "visible"


class FlowIn(_Strict):
    """A flow's YAML source (``docs/flows.md``); its ``id`` and ``version`` are inside."""

    source: str = Field(min_length=1)


class RunStartIn(_Strict):
    """Start a flow on a call or on a service request: exactly one of the two."""

    call_id: str | None = Field(default=None, min_length=1, max_length=128)
    ticket: str | None = Field(default=None, min_length=1, max_length=40)

    @model_validator(mode="after")
    def _one(self) -> RunStartIn:
        if (self.call_id is None) == (self.ticket is None):
            raise ValueError("give exactly one of call_id and ticket")
        return self


class AnswerIn(_Strict):
    value: Any = None
    rev: int | None = Field(default=None, ge=1)


class StepIn(_Strict):
    rev: int | None = Field(default=None, ge=1)
