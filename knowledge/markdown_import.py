"""Reading knowledge articles from Markdown files with YAML front matter.

A file is::

    ---
    id: KB-BILL-0001
    title: 话费退款怎么办理
    kind: solution            # script | solution | faq | product | policy
    category: billing/refund
    products: [5G-PLUS-199]
    tags: [退款, refund]
    language: zh              # zh | en | mixed; guessed from the text when absent
    status: published         # draft (the default) | published | archived
    valid_from: 2026-01-01    # optional, inclusive
    valid_to: 2026-03-31      # optional, inclusive
    ---
    The body, in Markdown.

Optional keys: ``summary`` (else the body's first paragraph), ``version`` (1), ``author``,
``votes_up``, ``votes_down``, ``views``, ``updated_at``. See ``docs/knowledge.md``.

Problems never raise: each is reported with the file, the line and the key at fault, e.g.
``kb/refund.md:4: kind: unknown kind 'howto': one of faq, policy, product, script, solution``.
A file with an error is skipped; the other files are still read. Unknown keys are warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from knowledge.model import (
    KINDS,
    LANGUAGES,
    MAX_BODY_CHARS,
    STATUSES,
    Article,
    Kind,
    Language,
    Status,
    derive_summary,
    detect_language,
    problems,
)

#: Files larger than this are refused without being parsed (the body limit is
#: ``knowledge.model.MAX_BODY_CHARS`` characters; Chinese takes three bytes a character).
MAX_FILE_BYTES = 4 * MAX_BODY_CHARS + 64 * 1024

KNOWN_KEYS: frozenset[str] = frozenset(
    """id title kind category products tags language status valid_from valid_to summary
    version author votes_up votes_down views updated_at""".split()  # noqa: SIM905
)
REQUIRED_KEYS: tuple[str, ...] = ("id", "title", "kind")
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FENCE = re.compile(r"^---[ \t]*$")


@dataclass(frozen=True, slots=True)
class ImportProblem:
    path: str
    line: int
    key: str | None
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        what = f"{self.key}: {self.message}" if self.key else self.message
        prefix = "" if self.severity == "error" else "warning: "
        return f"{where}: {prefix}{what}"


@dataclass
class ImportReport:
    articles: list[Article] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    files: int = 0

    @property
    def errors(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "warning"]


def read_directory(directory: str | Path, pattern: str = "**/*.md") -> ImportReport:
    """Every ``*.md`` below ``directory``, in path order; an id seen twice is an error."""
    root = Path(directory)
    report = ImportReport()
    first_seen: dict[str, str] = {}
    for path in sorted(p for p in root.glob(pattern) if p.is_file()):
        report.files += 1
        article, found = read_article(path)
        report.problems.extend(found)
        if article is None:
            continue
        if article.id in first_seen:
            report.problems.append(
                ImportProblem(
                    str(path),
                    _key_line(path, "id"),
                    "id",
                    f"id {article.id!r} is already used by {first_seen[article.id]}",
                )
            )
            continue
        first_seen[article.id] = str(path)
        report.articles.append(article)
    return report


def read_article(path: str | Path) -> tuple[Article | None, list[ImportProblem]]:
    """One file: the article (None when it has an error) and its problems."""
    where = str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [
                ImportProblem(
                    where,
                    1,
                    "body",
                    f"the file has {size:,} bytes; the limit is {MAX_FILE_BYTES:,} "
                    f"(bodies up to {MAX_BODY_CHARS:,} characters): split the article",
                )
            ]
        raw = Path(path).read_bytes()
    except OSError as exc:
        return None, [ImportProblem(where, 1, None, f"cannot read the file: {exc.strerror}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [ImportProblem(where, line, None, "the file is not UTF-8 text")]
    return parse_article(text, where)


def parse_article(text: str, path: str = "<text>") -> tuple[Article | None, list[ImportProblem]]:
    """Parse the text of one file (``path`` only names it in problems)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return None, [
            ImportProblem(path, 1, None, "no front matter: the file must start with a '---' line")
        ]
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None:
        return None, [
            ImportProblem(path, 1, None, "the front matter is not closed by a '---' line")
        ]
    header = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :]).strip("\n")
    body_line = end + 2
    # One parse gives both the node tree (for the keys' lines) and the data; libyaml's parser
    # when PyYAML has it: importing 10,000 articles is then bound by the database, not YAML.
    loader = _SafeLoader(header)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(path, header, _python_yaml_error(header) or exc)]
    finally:
        loader.dispose()
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return None, [
            ImportProblem(path, 2, None, "the front matter must be 'key: value' lines (a mapping)")
        ]
    key_lines = {
        str(k.value): 2 + k.start_mark.line for k, _ in node.value if isinstance(k, yaml.ScalarNode)
    }
    builder = _Builder(path, key_lines, body_line)
    article = builder.build({str(k): v for k, v in data.items()}, body)
    return article, builder.problems


def _python_yaml_error(header: str) -> yaml.YAMLError | None:
    """The pure-Python parser's error for ``header``: its marks point where a person looks
    (libyaml's differ for some errors, e.g. a tab); only parsed again when broken."""
    try:
        yaml.compose(header, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        return exc
    return None


def _yaml_problem(path: str, header: str, exc: yaml.YAMLError) -> ImportProblem:
    """Where YAML broke: the line where the broken construct began (an unclosed ``[`` on line
    3 is noticed on line 4, and line 3 is the one to fix), and the key written there."""
    problem = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    mark = context or problem
    line = 2 + (mark.line if mark is not None else 0)
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if context is not None and problem is not None and problem.line != context.line:
        reason = f"{reason} (on line {2 + problem.line})"
    key = _key_at(header, mark.line if mark is not None else 0)
    return ImportProblem(path, line, key, f"broken YAML: {reason}")


def _key_at(header: str, line: int) -> str | None:
    """The key written on ``line`` (0-based) of the front matter, or on the nearest line above."""
    rows = header.split("\n")
    for i in range(min(line, len(rows) - 1), -1, -1):
        match = re.match(r"^\s*([A-Za-z_][\w-]*)\s*:", rows[i])
        if match:
            return match.group(1)
    return None


def _key_line(path: Path, key: str) -> int:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.startswith(f"{key}:"):
                return number
    except (OSError, UnicodeDecodeError):
        pass
    return 1


class _Builder:
    def __init__(self, path: str, key_lines: Mapping[str, int], body_line: int) -> None:
        self.path = path
        self.key_lines = key_lines
        self.body_line = body_line
        self.problems: list[ImportProblem] = []

    def error(self, key: str, message: str, *, warning: bool = False) -> None:
        line = self.body_line if key == "body" else self.key_lines.get(key, 1)
        self.problems.append(
            ImportProblem(self.path, line, key, message, "warning" if warning else "error")
        )

    def build(self, data: dict[str, Any], body: str) -> Article | None:
        for key in sorted(set(data) - KNOWN_KEYS):
            self.error(key, "unknown key, ignored", warning=True)
        for key in REQUIRED_KEYS:
            if data.get(key) in (None, ""):
                self.problems.append(
                    ImportProblem(self.path, 2, key, f"the required key {key!r} is missing")
                )
        if len(body) > MAX_BODY_CHARS:
            self.error(
                "body",
                f"the body has {len(body):,} characters; the limit is {MAX_BODY_CHARS:,}: "
                "split the article",
            )
        if any(p.severity == "error" for p in self.problems):
            return None
        doc_id = self.text(data, "id")
        title = self.text(data, "title")
        kind = self.choice(data, "kind", KINDS, None)
        status = self.choice(data, "status", STATUSES, Status.DRAFT.value)
        summary = self.text(data, "summary") or derive_summary(body)
        language = self.choice(data, "language", LANGUAGES, None)
        if language is None:
            language = detect_language(f"{title}\n{summary}\n{body}").value
        valid_from = self.day(data, "valid_from")
        valid_to = self.day(data, "valid_to")
        article = Article(
            id=doc_id,
            title=title,
            kind=Kind(kind) if kind in KINDS else Kind.FAQ,
            body=body,
            summary=summary,
            category=self.text(data, "category").strip("/"),
            products=self.words(data, "products"),
            tags=self.words(data, "tags"),
            language=Language(language) if language in LANGUAGES else Language.ZH,
            status=Status(status) if status in STATUSES else Status.DRAFT,
            valid_from=valid_from,
            valid_to=valid_to,
            version=self.number(data, "version", 1),
            author=self.text(data, "author"),
            votes_up=self.number(data, "votes_up", 0),
            votes_down=self.number(data, "votes_down", 0),
            views=self.number(data, "views", 0),
            updated_at=self.moment(data, "updated_at"),
        )
        if any(p.severity == "error" for p in self.problems):
            return None
        for key, message in problems(article):
            self.error(key, message)
        if any(p.severity == "error" for p in self.problems):
            return None
        return article

    def text(self, data: Mapping[str, Any], key: str) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(key, f"expected text, found {_yaml_type(value)}")
            return ""
        return str(value).strip()

    def choice(
        self, data: Mapping[str, Any], key: str, allowed: frozenset[str], default: str | None
    ) -> str | None:
        value = data.get(key)
        if value in (None, ""):
            return default
        text = str(value).strip().lower()
        if text not in allowed:
            self.error(key, f"unknown {key} {value!r}: one of {', '.join(sorted(allowed))}")
            return default
        return text

    def words(self, data: Mapping[str, Any], key: str) -> tuple[str, ...]:
        value = data.get(key)
        if value in (None, ""):
            return ()
        items: Iterable[Any]
        if isinstance(value, str):
            items = value.split(",")
        elif isinstance(value, list):
            items = value
        else:
            self.error(key, f"expected a list like [a, b], found {_yaml_type(value)}")
            return ()
        out: list[str] = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.error(key, f"expected words, found {_yaml_type(item)} in the list")
                return ()
            word = str(item).strip()
            if word and word not in out:
                out.append(word)
        return tuple(out)

    def day(self, data: Mapping[str, Any], key: str) -> date | None:
        value = data.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.error(key, f"{value!r} is not a date like 2026-03-31")
        return None

    def moment(self, data: Mapping[str, Any], key: str) -> datetime | None:
        value = data.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day)
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.strip())
            except ValueError:
                pass
        self.error(key, f"{value!r} is not a date and time like 2026-03-31T09:30:00")
        return None

    def number(self, data: Mapping[str, Any], key: str, default: int) -> int:
        value = data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                return int(str(value).strip())
            except ValueError:
                self.error(key, f"expected a whole number, found {value!r}")
                return default
        return value


def _yaml_type(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    return type(value).__name__


# --- writing ---------------------------------------------------------------------------------


def dump_article(article: Article) -> str:
    """The Markdown file of ``article`` (front matter, blank line, body): what is read back."""
    header: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "kind": str(article.kind),
        "category": article.category,
        "products": list(article.products),
        "tags": list(article.tags),
        "language": str(article.language),
        "status": str(article.status),
    }
    if article.valid_from is not None:
        header["valid_from"] = article.valid_from
    if article.valid_to is not None:
        header["valid_to"] = article.valid_to
    if article.summary:
        header["summary"] = article.summary
    for key, value, default in (
        ("version", article.version, 1),
        ("author", article.author, ""),
        ("votes_up", article.votes_up, 0),
        ("votes_down", article.votes_down, 0),
        ("views", article.views, 0),
    ):
        if value != default:
            header[key] = value
    if article.updated_at is not None:
        header["updated_at"] = article.updated_at.isoformat(timespec="seconds")
    front = yaml.safe_dump(
        header, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100
    )
    return f"---\n{front}---\n\n{article.body.strip()}\n"
