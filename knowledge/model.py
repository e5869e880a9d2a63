"""Knowledge articles and their rules: what an article is, who may see it, how it ranks.

Pure: standard library only, the date passed in. The Markdown reader
(``knowledge.markdown_import``) and the search index (``knowledge.index``) build on these.

The ranking blend (see :func:`blend_score`, documented in ``docs/knowledge.md``)::

    final = text_score × popularity(views) × approval(votes_up, votes_down)

    popularity = 1 + POPULARITY_ALPHA · ln(1 + min(views, POPULARITY_VIEWS_CAP))
    approval   = 1 + APPROVAL_BETA · (wilson_lower(up, n) − wilson_lower(down, n)),  n = up + down

``text_score`` is the engine's relevance (BM25F for the whoosh index). Popularity grows with the
logarithm of views, so an article read 10,000 times is ahead of an unread one by at most about a
third, never by orders of magnitude: text relevance stays the main signal. Approval uses the
lower bounds of the Wilson score interval (95 %) of the shares of up and down votes: with no
votes it is exactly 1, a few votes move it little, and many consistent votes move it by at most
±``APPROVAL_BETA``. An article nobody voted on is therefore neither helped nor punished.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

# --- vocabulary ----------------------------------------------------------------------------


class Kind(StrEnum):
    SCRIPT = "script"  # 话术: what to say
    SOLUTION = "solution"  # steps that fix a problem
    FAQ = "faq"
    PRODUCT = "product"  # a plan, an add-on, a device
    POLICY = "policy"  # tariffs and rules


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Language(StrEnum):
    ZH = "zh"
    EN = "en"
    MIXED = "mixed"


KINDS: frozenset[str] = frozenset(k.value for k in Kind)
STATUSES: frozenset[str] = frozenset(s.value for s in Status)
LANGUAGES: frozenset[str] = frozenset(lang.value for lang in Language)

# --- limits --------------------------------------------------------------------------------

#: Longest body accepted, in characters (about 30 printed pages). Longer ones are refused
#: with an error naming the file: split the article.
MAX_BODY_CHARS = 100_000
#: Longest title, in characters.
MAX_TITLE_CHARS = 200
#: Longest summary, in characters; a derived summary is cut to SUMMARY_CHARS.
MAX_SUMMARY_CHARS = 1_000
SUMMARY_CHARS = 160
#: Article ids: a letter or digit, then letters, digits, ``.``, ``_`` or ``-``; at most 64.
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: Category paths: lower-case segments separated by ``/``, e.g. ``billing/refund``.
CATEGORY_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*(?:/[a-z0-9][a-z0-9_-]*)*")

# --- the article ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Article:
    """One knowledge article. ``valid_from``/``valid_to`` are inclusive; None is open-ended."""

    id: str
    title: str
    kind: Kind
    body: str = ""
    summary: str = ""
    category: str = ""
    products: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    language: Language = Language.ZH
    status: Status = Status.DRAFT
    valid_from: date | None = None
    valid_to: date | None = None
    version: int = 1
    author: str = ""
    votes_up: int = 0
    votes_down: int = 0
    views: int = 0
    updated_at: datetime | None = None

    @property
    def top_category(self) -> str:
        return self.category.split("/", 1)[0] if self.category else ""


def problems(article: Article) -> list[tuple[str, str]]:
    """What is wrong with ``article`` as ``(key, message)`` pairs; empty when it is valid."""
    found: list[tuple[str, str]] = []
    if not ID_PATTERN.fullmatch(article.id):
        found.append(
            ("id", f"{article.id!r} is not an id: letters, digits, '.', '_', '-'; at most 64")
        )
    if not article.title.strip():
        found.append(("title", "the title is empty"))
    elif len(article.title) > MAX_TITLE_CHARS:
        found.append(("title", f"the title is over {MAX_TITLE_CHARS} characters"))
    if article.kind not in KINDS:
        found.append(("kind", f"unknown kind {article.kind!r}: one of {_names(KINDS)}"))
    if article.status not in STATUSES:
        found.append(("status", f"unknown status {article.status!r}: one of {_names(STATUSES)}"))
    if article.language not in LANGUAGES:
        found.append(
            ("language", f"unknown language {article.language!r}: one of {_names(LANGUAGES)}")
        )
    if article.category and not CATEGORY_PATTERN.fullmatch(article.category):
        found.append(
            (
                "category",
                f"{article.category!r} is not a category path like 'billing/refund' "
                "(lower-case letters, digits, '-', '_', separated by '/')",
            )
        )
    if article.valid_from and article.valid_to and article.valid_to < article.valid_from:
        found.append(
            (
                "valid_to",
                f"valid_to {article.valid_to.isoformat()} is before "
                f"valid_from {article.valid_from.isoformat()}",
            )
        )
    if len(article.body) > MAX_BODY_CHARS:
        found.append(
            (
                "body",
                f"the body has {len(article.body):,} characters; the limit is {MAX_BODY_CHARS:,}",
            )
        )
    if len(article.summary) > MAX_SUMMARY_CHARS:
        found.append(("summary", f"the summary is over {MAX_SUMMARY_CHARS} characters"))
    if article.version < 1:
        found.append(("version", "the version must be 1 or more"))
    for key, number in (
        ("votes_up", article.votes_up),
        ("votes_down", article.votes_down),
        ("views", article.views),
    ):
        if number < 0:
            found.append((key, f"{key} must not be negative"))
    return found


def index_stamp(article: Article) -> str:
    """What tells the database's article from the indexed one: its version and last change.

    Views are left out on purpose: they change on every read, and reach the index with the
    article's next change or a reindex."""
    when = article.updated_at.isoformat() if article.updated_at else ""
    return f"{article.version}@{when}"


CONTENT_FIELDS: tuple[str, ...] = (
    "title",
    "kind",
    "body",
    "summary",
    "category",
    "products",
    "tags",
    "language",
    "status",
    "valid_from",
    "valid_to",
)


def same_content(a: Article, b: Article) -> bool:
    """True when ``a`` and ``b`` say the same (counters, version and author aside): a re-import
    of an unchanged file changes nothing."""
    return all(getattr(a, name) == getattr(b, name) for name in CONTENT_FIELDS)


def _names(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))


# --- visibility -----------------------------------------------------------------------------


def is_valid_on(valid_from: date | None, valid_to: date | None, today: date) -> bool:
    """True when ``today`` is within the inclusive validity window."""
    if valid_from is not None and today < valid_from:
        return False
    return not (valid_to is not None and today > valid_to)


def is_visible(article: Article, today: date) -> bool:
    """Agents see an article when it is published and valid on ``today``."""
    return article.status == Status.PUBLISHED and is_valid_on(
        article.valid_from, article.valid_to, today
    )


# --- text helpers -----------------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str) -> Language:
    """zh when the text is Chinese, en when it has no Chinese, mixed when both weigh."""
    cjk = len(_CJK.findall(text))
    latin_words = len(re.findall(r"[A-Za-z]{2,}", text))
    if cjk == 0:
        return Language.EN
    if latin_words == 0:
        return Language.ZH
    # A Chinese character carries about as much as an English word.
    share = latin_words / (latin_words + cjk / 1.5)
    if share > 0.8:
        return Language.EN
    if share < 0.2:
        return Language.ZH
    return Language.MIXED


_MD_NOISE = [
    (re.compile(r"```.*?```", re.S), " "),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"<[^>\n]{1,200}>"), " "),
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M), ""),
    (re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*$", re.M), " "),
    (re.compile(r"[*_`|]{1,3}"), " "),
]


def plain_text(markdown: str) -> str:
    """Markdown without its markup: what is indexed and what snippets are cut from."""
    text = markdown
    for pattern, repl in _MD_NOISE:
        text = pattern.sub(repl, text)
    text = re.sub(r"[ \t\u3000]+", " ", text)
    text = re.sub(r" ?\n ?", "\n", text)
    return re.sub(r"\n{2,}", "\n", text).strip()


def derive_summary(body: str, limit: int = SUMMARY_CHARS) -> str:
    """The first paragraph of the body as plain text, cut at ``limit`` characters."""
    for paragraph in re.split(r"\n\s*\n", body):
        stripped = paragraph.strip()
        if not stripped or stripped.startswith("#"):
            continue
        text = plain_text(stripped).replace("\n", " ")
        if text:
            return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return ""


def normalize_code(code: str) -> str:
    """A product code as compared everywhere: NFKC, lower case, letters and digits only.

    ``"5G-PLUS-199"``, ``"5g plus 199"`` and ``"５Ｇ＿ＰＬＵＳ＿１９９"`` are all ``"5gplus199"``.
    """
    folded = unicodedata.normalize("NFKC", code).lower()
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum())


def category_matches(category: str, wanted: str) -> bool:
    """True when ``category`` is ``wanted`` or below it (``billing/refund`` is in ``billing``)."""
    wanted = wanted.strip("/")
    return not wanted or category == wanted or category.startswith(wanted + "/")


# --- ranking -------------------------------------------------------------------------------

POPULARITY_ALPHA = 0.03
POPULARITY_VIEWS_CAP = 1_000_000
APPROVAL_BETA = 0.2
WILSON_Z = 1.96


def wilson_lower_bound(positive: int, total: int, z: float = WILSON_Z) -> float:
    """Lower bound of the Wilson score interval of ``positive / total``; 0 when total is 0."""
    if total <= 0:
        return 0.0
    positive = max(0, min(positive, total))
    p = positive / total
    z2 = z * z
    centre = p + z2 / (2 * total)
    margin = z * math.sqrt((p * (1 - p) + z2 / (4 * total)) / total)
    return max(0.0, (centre - margin) / (1 + z2 / total))


def popularity_factor(views: int) -> float:
    return 1.0 + POPULARITY_ALPHA * math.log1p(min(max(views, 0), POPULARITY_VIEWS_CAP))


def approval_factor(votes_up: int, votes_down: int) -> float:
    up, down = max(votes_up, 0), max(votes_down, 0)
    n = up + down
    if n == 0:
        return 1.0
    return 1.0 + APPROVAL_BETA * (wilson_lower_bound(up, n) - wilson_lower_bound(down, n))


def blend_score(text_score: float, views: int, votes_up: int, votes_down: int) -> float:
    """The final score: text relevance, nudged by popularity and approval (module docstring)."""
    if text_score <= 0 or math.isnan(text_score):
        return 0.0
    return text_score * popularity_factor(views) * approval_factor(votes_up, votes_down)
