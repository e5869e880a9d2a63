"""Reading flow files: YAML with line numbers, turned into :mod:`knowledge.flows.model` types.

The YAML is read by a ``SafeLoader`` subclass whose mappings and lists remember where they
start and where each key is, so every problem names its line. This module checks the *shape*
of a file (known keys, required keys, types, values in range); the checker
(``knowledge.flows.check``) adds what needs the whole graph (targets, reachability, variables,
expressions). Problems are returned, never raised.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from knowledge.flows.model import (
    ANSWER_KINDS,
    FLOW_ID_PATTERN,
    LANGUAGES,
    NODE_ID_PATTERN,
    NODE_KINDS,
    OUTCOME_PATTERN,
    PRIORITIES,
    SET_FIELDS,
    SET_MODES,
    VAR_PATTERN,
    AnswerKind,
    AnswerSpec,
    Branch,
    BranchNode,
    BrokenNode,
    EndNode,
    Flow,
    InfoNode,
    KbNode,
    Node,
    NodeKind,
    Option,
    PriorityRule,
    Problem,
    ProductRule,
    QuestionNode,
    RecommendNode,
    SetNode,
    TicketNode,
)

#: Largest flow file read, in bytes.
MAX_FILE_BYTES = 1_000_000
#: Most nodes in one flow.
MAX_NODES = 2_000
#: Longest text answer a question may allow.
MAX_TEXT_ANSWER = 10_000

# --- YAML with positions ---------------------------------------------------------------------


class YMap(dict[Any, Any]):
    """A YAML mapping that knows its line and the line of each key (1-based)."""

    line: int = 0
    column: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class YList(list[Any]):
    """A YAML list that knows its line and the line of each item (1-based)."""

    line: int = 0
    column: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.item_lines: list[int] = []

    def line_at(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    key: Any
    line: int
    column: int
    first_line: int


class LineLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` building :class:`YMap`/:class:`YList` and noting duplicate keys
    (which plain YAML silently overwrites)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[DuplicateKey] = []


def _construct_map(loader: LineLoader, node: yaml.MappingNode) -> Iterator[YMap]:
    data = YMap()
    data.line = node.start_mark.line + 1
    data.column = node.start_mark.column + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=False)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found an unhashable key",
                key_node.start_mark,
            )
        line = key_node.start_mark.line + 1
        if key in data:
            loader.duplicates.append(
                DuplicateKey(key, line, key_node.start_mark.column + 1, data.key_lines[key])
            )
            continue
        data[key] = loader.construct_object(value_node, deep=False)
        data.key_lines[key] = line


def _construct_seq(loader: LineLoader, node: yaml.SequenceNode) -> Iterator[YList]:
    data = YList()
    data.line = node.start_mark.line + 1
    data.column = node.start_mark.column + 1
    yield data
    for child in node.value:
        data.append(loader.construct_object(child, deep=False))
        data.item_lines.append(child.start_mark.line + 1)


LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def parse_yaml(text: str) -> tuple[Any, list[DuplicateKey]]:
    """The document in ``text`` and its duplicate keys; raises ``yaml.YAMLError``."""
    loader = LineLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


# --- loading ---------------------------------------------------------------------------------


@dataclass
class LoadResult:
    """A flow as far as it could be built (None when the file is not a flow at all), and the
    problems found on the way."""

    flow: Flow | None
    problems: list[Problem] = field(default_factory=list)


def load_file(path: str | Path) -> LoadResult:
    """Read and build one flow file."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return LoadResult(None, [Problem(name, 1, None, None, "read-error", exc.strerror or "")])
    if len(raw) > MAX_FILE_BYTES:
        return LoadResult(
            None,
            [
                Problem(
                    name,
                    1,
                    None,
                    None,
                    "read-error",
                    f"the file has {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}",
                )
            ],
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return LoadResult(
            None, [Problem(name, line, None, None, "read-error", "the file is not UTF-8 text")]
        )
    return load_source(text, name)


def load_source(text: str, file: str = "<text>") -> LoadResult:
    """Build a flow from YAML ``text``; ``file`` is the name problems carry."""
    text = text.removeprefix("\ufeff")
    try:
        data, duplicates = parse_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        column = mark.column + 1 if mark else None
        what = exc.problem or "not valid YAML"
        context = f" ({exc.context})" if exc.context else ""
        lines = text.splitlines()
        near = lines[max(0, line - 2) : line]
        hint = ""
        if any(_BRACE_VALUE.search(row) for row in near):
            hint = "; text that starts with '{' or '[' must be in quotes"
        return LoadResult(
            None, [Problem(file, line, column, None, "yaml-syntax", f"{what}{context}{hint}")]
        )
    except yaml.YAMLError as exc:
        return LoadResult(None, [Problem(file, 1, None, None, "yaml-syntax", str(exc))])
    builder = _Builder(file)
    for duplicate in duplicates:
        builder.add(
            duplicate.line,
            "duplicate-key",
            f"{duplicate.key!r} appears twice here (first on line {duplicate.first_line});"
            " only the first is used",
            column=duplicate.column,
        )
    flow = builder.build(data)
    return LoadResult(flow, builder.problems)


# --- building --------------------------------------------------------------------------------

_TOP_KEYS = ("id", "version", "title", "language", "start", "nodes", "description")
_QUESTION_KEYS = ("kind", "text", "answer", "var", "hint", "next", "branches", "otherwise")
_ANSWER_KEYS: dict[str, tuple[str, ...]] = {
    "single": ("options",),
    "multiple": ("options", "min_choices", "max_choices"),
    "text": ("pattern", "min_length", "max_length"),
    "number": ("min", "max", "integer"),
    "date": (),
    "yes_no": (),
}
_NODE_KEYS: dict[str, tuple[str, ...]] = {
    "info": ("kind", "text", "hint", "next"),
    "branch": ("kind", "branches", "otherwise"),
    "recommend": ("kind", "text", "products", "limit", "next"),
    "kb": ("kind", "text", "articles", "query", "next"),
    "set": ("kind", "field", "value", "mode", "next"),
    "create_ticket": (
        "kind",
        "category",
        "title",
        "description",
        "priority",
        "priority_rules",
        "group",
        "next",
    ),
    "end": ("kind", "outcome", "text"),
}
_BRACE_VALUE = re.compile(r"^\s*[\w-]+:\s+[{\[][^}\]]*[}\]]\s*\S")
_YAML_WORDS = "YAML reads yes/no/on/off/true/false without quotes as true/false"


def _suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, date):
        return "a date"
    return type(value).__name__


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(
        self,
        line: int,
        code: str,
        message: str,
        node: str | None = None,
        column: int | None = None,
    ) -> None:
        self.problems.append(Problem(self.file, line, column, node, code, message))

    # -- typed getters: each reports its own problem and returns None when unusable --

    def unknown_keys(
        self,
        data: YMap,
        allowed: tuple[str, ...],
        where: str,
        node: str | None,
        hints: dict[str, str] | None = None,
    ) -> None:
        for key in data:
            if key in allowed:
                continue
            line = data.line_of(key)
            if hints and key in hints:
                self.add(line, "unknown-field", hints[key], node)
                continue
            self.add(
                line,
                "unknown-field",
                f"unknown field {key!r} in {where}{_suggest(str(key), allowed)}"
                f" (known: {', '.join(allowed)})",
                node,
            )

    def missing(self, data: YMap, key: str, where: str, node: str | None) -> None:
        self.add(data.line, "missing-field", f"{where} needs {key!r}", node)

    def text(
        self, data: YMap, key: str, node: str | None, *, required: bool = False, where: str = ""
    ) -> str | None:
        """Free text (also accepts numbers and dates, shown as written)."""
        value = data.get(key)
        if value is None:
            if required:
                self.missing(data, key, where or "this node", node)
            return None
        if isinstance(value, bool):
            self.add(
                data.line_of(key),
                "bad-value",
                f"{key!r} is {str(value).lower()}: {_YAML_WORDS}; put the text in quotes",
                node,
            )
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, date):
            return value.isoformat()
        hint = ""
        if isinstance(value, dict | list):
            hint = " (text that starts with '{' or '[' must be in quotes)"
        self.add(
            data.line_of(key),
            "bad-value",
            f"{key!r} must be text, not {_type_name(value)}{hint}",
            node,
        )
        return None

    def name(
        self,
        data: YMap,
        key: str,
        node: str | None,
        *,
        required: bool = False,
        pattern: re.Pattern[str] | None = None,
        what: str = "a name",
        where: str = "",
    ) -> str | None:
        """An id-like value: a node id, a variable, a product code..."""
        value = data.get(key)
        if value is None:
            if required:
                self.missing(data, key, where or "this node", node)
            return None
        if isinstance(value, bool):
            self.add(
                data.line_of(key),
                "bad-value",
                f"{key!r} is {str(value).lower()}: {_YAML_WORDS}; put the name in quotes",
                node,
            )
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.add(
                data.line_of(key),
                "bad-value",
                f"{key!r} must be {what}, not {_type_name(value)}",
                node,
            )
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.add(data.line_of(key), "bad-value", f"{value!r} is not {what}", node)
            return None
        return value

    def expression(
        self, data: YMap, key: str, node: str | None, *, required: bool = False, where: str = ""
    ) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.missing(data, key, where or "this node", node)
            return None
        if isinstance(value, bool | int | float):
            return repr(value)
        if isinstance(value, str):
            return value
        self.add(
            data.line_of(key),
            "bad-expression",
            f"{key!r} must be an expression (text), not {_type_name(value)}",
            node,
        )
        return None

    def integer(
        self, data: YMap, key: str, node: str | None, *, low: int, high: int | None = None
    ) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(
                data.line_of(key),
                "bad-value",
                f"{key!r} must be a whole number, not {_type_name(value)}",
                node,
            )
            return None
        if value < low or (high is not None and value > high):
            limit = f"from {low} to {high}" if high is not None else f"{low} or more"
            self.add(data.line_of(key), "bad-value", f"{key!r} must be {limit}", node)
            return None
        return value

    def number(self, data: YMap, key: str, node: str | None) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(
                data.line_of(key),
                "bad-value",
                f"{key!r} must be a number, not {_type_name(value)}",
                node,
            )
            return None
        return value

    def flag(self, data: YMap, key: str, node: str | None) -> bool:
        value = data.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.add(data.line_of(key), "bad-value", f"{key!r} must be true or false", node)
            return False
        return value

    def items(self, data: YMap, key: str, node: str | None) -> YList | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, YList):
            self.add(
                data.line_of(key),
                "bad-value",
                f"{key!r} must be a list (lines starting with '- '), not {_type_name(value)}",
                node,
            )
            return None
        return value

    # -- the flow --

    def build(self, data: Any) -> Flow | None:
        if data is None:
            self.add(1, "not-a-flow", "the file is empty")
            return None
        if not isinstance(data, YMap):
            self.add(
                getattr(data, "line", 1),
                "not-a-flow",
                "a flow file is a mapping: id, version, title, language, start, nodes",
            )
            return None
        self.unknown_keys(data, _TOP_KEYS, "a flow", None)
        where = "a flow"
        flow_id = self.name(
            data,
            "id",
            None,
            required=True,
            pattern=FLOW_ID_PATTERN,
            what="a flow id (letters, digits, '.', '_', '-'; at most 64)",
            where=where,
        )
        version = data.get("version")
        if version is None:
            self.missing(data, "version", where, None)
            version = 0
        elif isinstance(version, bool) or not isinstance(version, int) or version < 1:
            self.add(
                data.line_of("version"),
                "bad-value",
                f"'version' must be a whole number 1 or more, not {version!r}",
            )
            version = 0
        title = self.text(data, "title", None, required=True, where=where) or ""
        language = self.name(data, "language", None, required=True, where=where) or ""
        if language and language not in LANGUAGES:
            self.add(
                data.line_of("language"),
                "bad-value",
                f"unknown language {language!r}: one of {', '.join(LANGUAGES)}",
            )
        start = self.name(data, "start", None, required=True, where=where) or ""
        description = self.text(data, "description", None) or ""
        nodes: dict[str, Node] = {}
        raw_nodes = data.get("nodes")
        if raw_nodes is None:
            self.missing(data, "nodes", where, None)
        elif not isinstance(raw_nodes, YMap) or not raw_nodes:
            self.add(
                data.line_of("nodes"),
                "bad-value",
                "'nodes' must be a mapping of node id → node, with at least one node",
            )
        elif len(raw_nodes) > MAX_NODES:
            self.add(
                data.line_of("nodes"),
                "bad-value",
                f"the flow has {len(raw_nodes)} nodes; the limit is {MAX_NODES}",
            )
        else:
            for key, value in raw_nodes.items():
                line = raw_nodes.line_of(key)
                if not isinstance(key, str):
                    extra = f" ({_YAML_WORDS})" if isinstance(key, bool) else ""
                    self.add(line, "bad-id", f"the node id {key!r} is not text{extra}; quote it")
                    continue
                if not NODE_ID_PATTERN.fullmatch(key):
                    self.add(
                        line,
                        "bad-id",
                        f"{key!r} is not a node id: a letter or '_', then letters, digits,"
                        " '_' or '-' (at most 64)",
                        key,
                    )
                nodes[key] = self.node(key, value, line)
        return Flow(
            id=flow_id or "",
            version=version,
            title=title,
            language=language,
            start=start,
            nodes=nodes,
            description=description,
            file=self.file,
            key_lines={str(k): v for k, v in data.key_lines.items()},
        )

    # -- nodes --

    def node(self, node_id: str, data: Any, line: int) -> Node:
        if not isinstance(data, YMap):
            self.add(
                line,
                "bad-value",
                f"a node is a mapping with 'kind' and its fields, not {_type_name(data)}",
                node_id,
            )
            return BrokenNode(node_id, line)
        data.line = line  # a node's missing fields are reported at its id
        kind = data.get("kind")
        if kind is None:
            self.add(
                line,
                "missing-field",
                f"the node needs 'kind': one of {', '.join(NODE_KINDS)}",
                node_id,
            )
            return _salvage(node_id, data, line)
        if not isinstance(kind, str) or kind not in NODE_KINDS:
            self.add(
                data.line_of("kind"),
                "unknown-kind",
                f"unknown node kind {kind!r}{_suggest(str(kind), NODE_KINDS)}"
                f" (known: {', '.join(NODE_KINDS)})",
                node_id,
            )
            return _salvage(node_id, data, line)
        key_lines = {str(k): v for k, v in data.key_lines.items()}
        built: Node
        if kind == NodeKind.QUESTION:
            built = self.question(node_id, data, line, key_lines)
        else:
            self.unknown_keys(data, _NODE_KEYS[kind], f"a {kind} node", node_id)
            built = getattr(self, "node_" + kind)(node_id, data, line, key_lines)
        if isinstance(built, BrokenNode):
            return _salvage(node_id, data, line)
        return built

    def target(self, data: YMap, key: str, node_id: str) -> str | None:
        return self.name(data, key, node_id, what="a node id")

    def branches(self, data: YMap, node_id: str) -> tuple[Branch, ...]:
        raw = self.items(data, "branches", node_id)
        if raw is None:
            return ()
        found: list[Branch] = []
        for index, item in enumerate(raw):
            where = "a branch"
            if not isinstance(item, YMap):
                self.add(
                    raw.line_at(index),
                    "bad-value",
                    "a branch is a mapping: '- when: <expression>' and 'goto: <node>'",
                    node_id,
                )
                continue
            self.unknown_keys(item, ("when", "goto"), where, node_id)
            when = self.expression(item, "when", node_id, required=True, where=where)
            goto = self.name(item, "goto", node_id, required=True, what="a node id", where=where)
            if when is not None and goto is not None:
                found.append(Branch(when, goto, item.line_of("when"), item.line_of("goto")))
        if not raw:
            self.add(data.line_of("branches"), "bad-value", "'branches' is empty", node_id)
        return tuple(found)

    def question(
        self, node_id: str, data: YMap, line: int, key_lines: dict[str, int]
    ) -> QuestionNode | BrokenNode:
        where = "a question"
        answer_raw = data.get("answer")
        answer_kind: str | None = None
        if answer_raw is None:
            self.missing(data, "answer", f"{where} (one of {', '.join(ANSWER_KINDS)})", node_id)
        elif not isinstance(answer_raw, str) or answer_raw not in ANSWER_KINDS:
            self.add(
                data.line_of("answer"),
                "bad-value",
                f"unknown answer kind {answer_raw!r}{_suggest(str(answer_raw), ANSWER_KINDS)}"
                f" (known: {', '.join(ANSWER_KINDS)})",
                node_id,
            )
        else:
            answer_kind = answer_raw
        allowed = _QUESTION_KEYS + (_ANSWER_KEYS[answer_kind] if answer_kind else ())
        hints: dict[str, str] = {}
        if answer_kind:
            for other, keys in _ANSWER_KEYS.items():
                for key in keys:
                    if key not in allowed:
                        hints.setdefault(
                            key, f"{key!r} is for answer: {other}, not answer: {answer_kind}"
                        )
        else:  # unknown answer kind: do not report its fields on top
            allowed = allowed + tuple(k for keys in _ANSWER_KEYS.values() for k in keys)
        self.unknown_keys(data, allowed, where, node_id, hints)
        text = self.text(data, "text", node_id, required=True, where=where)
        var = self.name(
            data,
            "var",
            node_id,
            required=True,
            pattern=VAR_PATTERN,
            what="a variable name (a letter, then letters, digits or '_')",
            where=where,
        )
        hint = self.text(data, "hint", node_id) or ""
        next_ = self.target(data, "next", node_id)
        branches = self.branches(data, node_id)
        otherwise = self.target(data, "otherwise", node_id)
        if "next" in data and "branches" in data:
            self.add(
                data.line_of("branches"),
                "bad-value",
                "a question has 'next' or 'branches' (with 'otherwise'), not both",
                node_id,
            )
        if "otherwise" in data and "branches" not in data:
            self.add(
                data.line_of("otherwise"),
                "bad-value",
                "'otherwise' goes with 'branches'; use 'next' instead",
                node_id,
            )
        spec = self.answer_spec(node_id, data, answer_kind) if answer_kind else None
        if var is None:
            return BrokenNode(node_id, line, key_lines)
        return QuestionNode(  # with placeholders for broken parts: their problems are reported
            node_id,
            line,
            key_lines,
            text=text or "",
            answer=spec or AnswerSpec(AnswerKind.TEXT),
            var=var,
            hint=hint,
            next=next_,
            branches=branches,
            otherwise=otherwise,
        )

    def answer_spec(self, node_id: str, data: YMap, kind: str) -> AnswerSpec | None:
        answer = AnswerKind(kind)
        if answer in (AnswerKind.SINGLE, AnswerKind.MULTIPLE):
            options = self.options(node_id, data, answer)
            if options is None:
                return None
            min_choices = self.integer(data, "min_choices", node_id, low=0, high=len(options))
            max_choices = self.integer(data, "max_choices", node_id, low=1, high=len(options))
            low = 1 if min_choices is None else min_choices
            if max_choices is not None and max_choices < low:
                self.add(
                    data.line_of("max_choices"),
                    "bad-value",
                    f"max_choices ({max_choices}) is below min_choices ({low})",
                    node_id,
                )
            return AnswerSpec(answer, options=options, min_choices=low, max_choices=max_choices)
        if answer == AnswerKind.TEXT:
            pattern = self.text(data, "pattern", node_id)
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    self.add(
                        data.line_of("pattern"),
                        "bad-value",
                        f"the pattern is not a valid regular expression: {exc}",
                        node_id,
                    )
                    pattern = None
            max_length = self.integer(data, "max_length", node_id, low=1, high=MAX_TEXT_ANSWER)
            min_length = self.integer(data, "min_length", node_id, low=0, high=MAX_TEXT_ANSWER)
            top = max_length if max_length is not None else 500
            bottom = min_length if min_length is not None else 1
            if bottom > top:
                self.add(
                    data.line_of("min_length"),
                    "bad-value",
                    f"min_length ({bottom}) is above max_length ({top})",
                    node_id,
                )
            return AnswerSpec(answer, pattern=pattern, min_length=bottom, max_length=top)
        if answer == AnswerKind.NUMBER:
            low_n = self.number(data, "min", node_id)
            high_n = self.number(data, "max", node_id)
            if low_n is not None and high_n is not None and low_n > high_n:
                self.add(
                    data.line_of("max"),
                    "bad-value",
                    f"max ({high_n}) is below min ({low_n})",
                    node_id,
                )
            return AnswerSpec(
                answer,
                minimum=low_n,
                maximum=high_n,
                integer=self.flag(data, "integer", node_id),
            )
        return AnswerSpec(answer)

    def options(self, node_id: str, data: YMap, answer: AnswerKind) -> tuple[Option, ...] | None:
        if data.get("options") is None:
            self.missing(data, "options", f"a {answer.value}-choice question", node_id)
            return None
        raw = self.items(data, "options", node_id)
        if raw is None:
            return None
        found: list[Option] = []
        first_line: dict[str, int] = {}
        for index, item in enumerate(raw):
            line = raw.line_at(index)
            if isinstance(item, YMap):
                self.unknown_keys(item, ("value", "label"), "an option", node_id)
                value: Any = item.get("value")
                label: Any = item.get("label", value)
                if value is None:
                    self.missing(item, "value", "an option", node_id)
                    continue
            else:
                value = label = item
            if isinstance(value, bool):
                self.add(
                    line,
                    "bad-value",
                    f"the option value is {str(value).lower()}: {_YAML_WORDS}; quote it"
                    " ('yes', 'no')",
                    node_id,
                )
                continue
            if isinstance(value, int | float):
                self.add(
                    line,
                    "bad-value",
                    f"the option value {value} is a number: quote it ('{value}') so that"
                    " answers compare as text",
                    node_id,
                )
                continue
            if not isinstance(value, str) or not value.strip():
                self.add(line, "bad-value", "an option value must be non-empty text", node_id)
                continue
            if isinstance(label, bool) or not isinstance(label, str | int | float):
                self.add(line, "bad-value", "an option label must be text", node_id)
                continue
            if value in first_line:
                self.add(
                    line,
                    "duplicate-option",
                    f"the option value {value!r} is already used on line {first_line[value]}",
                    node_id,
                )
                continue
            first_line[value] = line
            found.append(Option(value, str(label), line))
        needed = 2 if answer == AnswerKind.SINGLE else 1
        if len(raw) < needed:
            self.add(
                data.line_of("options"),
                "bad-value",
                f"a {answer.value}-choice question needs at least {needed} option(s)",
                node_id,
            )
        return tuple(found)

    def node_info(self, node_id: str, data: YMap, line: int, key_lines: dict[str, int]) -> Node:
        text = self.text(data, "text", node_id, required=True, where="an info node")
        if text is None:
            return BrokenNode(node_id, line, key_lines)
        return InfoNode(
            node_id,
            line,
            key_lines,
            text=text,
            hint=self.text(data, "hint", node_id) or "",
            next=self.target(data, "next", node_id),
        )

    def node_branch(self, node_id: str, data: YMap, line: int, key_lines: dict[str, int]) -> Node:
        if "branches" not in data:
            self.missing(data, "branches", "a branch node", node_id)
        return BranchNode(
            node_id,
            line,
            key_lines,
            branches=self.branches(data, node_id),
            otherwise=self.target(data, "otherwise", node_id),
        )

    def node_recommend(
        self, node_id: str, data: YMap, line: int, key_lines: dict[str, int]
    ) -> Node:
        if "products" not in data:
            self.missing(data, "products", "a recommend node", node_id)
        raw = self.items(data, "products", node_id)
        rules: list[ProductRule] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(raw or []):
            item_line = raw.line_at(index) if raw is not None else line
            if isinstance(item, str):
                item_map = YMap()
                item_map.line = item_line
                item_map["product"] = item
            elif isinstance(item, YMap):
                item_map = item
            else:
                self.add(
                    item_line,
                    "bad-value",
                    "a product is a mapping: '- product: <code>', 'when', 'why'",
                    node_id,
                )
                continue
            self.unknown_keys(item_map, ("product", "when", "why"), "a product", node_id)
            product = self.name(
                item_map,
                "product",
                node_id,
                required=True,
                what="a product code",
                where="a product",
            )
            when = self.expression(item_map, "when", node_id) or ""
            why = self.text(item_map, "why", node_id) or ""
            if product is None:
                continue
            if product in seen:
                self.add(
                    item_line,
                    "duplicate-product",
                    f"{product!r} is already recommended on line {seen[product]}",
                    node_id,
                )
                continue
            seen[product] = item_line
            rules.append(
                ProductRule(
                    product,
                    when,
                    why,
                    item_line,
                    item_map.line_of("when"),
                    item_map.line_of("why"),
                )
            )
        if raw is not None and not raw:
            self.add(data.line_of("products"), "bad-value", "'products' is empty", node_id)
        return RecommendNode(
            node_id,
            line,
            key_lines,
            products=tuple(rules),
            text=self.text(data, "text", node_id) or "",
            limit=self.integer(data, "limit", node_id, low=1),
            next=self.target(data, "next", node_id),
        )

    def node_kb(self, node_id: str, data: YMap, line: int, key_lines: dict[str, int]) -> Node:
        articles: list[str] = []
        raw = data.get("articles")
        if isinstance(raw, str):
            articles = [raw]
        elif raw is not None:
            listed = self.items(data, "articles", node_id)
            for index, item in enumerate(listed or []):
                item_line = listed.line_at(index) if listed is not None else line
                if not isinstance(item, str) or not item.strip():
                    self.add(item_line, "bad-value", "an article id must be text", node_id)
                elif item in articles:
                    self.add(item_line, "duplicate-article", f"{item!r} is listed twice", node_id)
                else:
                    articles.append(item)
        query = self.text(data, "query", node_id) or ""
        if not articles and not query.strip() and "articles" not in data:
            self.add(
                line,
                "missing-field",
                "a kb node needs 'articles' (a list of ids), 'query' (a search), or both",
                node_id,
            )
        return KbNode(
            node_id,
            line,
            key_lines,
            articles=tuple(articles),
            query=query,
            text=self.text(data, "text", node_id) or "",
            next=self.target(data, "next", node_id),
        )

    def node_set(self, node_id: str, data: YMap, line: int, key_lines: dict[str, int]) -> Node:
        where = "a set node"
        target = self.name(data, "field", node_id, required=True, what="a field", where=where)
        value = self.expression(data, "value", node_id, required=True, where=where)
        mode = self.name(data, "mode", node_id) or "set"
        if mode not in SET_MODES:
            self.add(
                data.line_of("mode"),
                "bad-value",
                f"unknown mode {mode!r}: one of {', '.join(SET_MODES)}",
                node_id,
            )
            mode = "set"
        if target is not None:
            root, _, name = target.partition(".")
            fields = SET_FIELDS.get(root)
            if fields is None or name not in fields:
                known = ", ".join(f"{r}.{f}" for r, fs in SET_FIELDS.items() for f in fs)
                self.add(
                    data.line_of("field"),
                    "bad-value",
                    f"{target!r} cannot be written by a flow{_suggest(target, known.split(', '))}"
                    f" (writable: {known})",
                    node_id,
                )
                target = None
            elif mode != "set" and not fields[name]:
                self.add(
                    data.line_of("mode"),
                    "bad-value",
                    f"mode {mode!r} is for list fields (tags); {target} takes mode: set",
                    node_id,
                )
        if target is None or value is None:
            return BrokenNode(node_id, line, key_lines)
        return SetNode(
            node_id,
            line,
            key_lines,
            field=target,
            value=value,
            mode=mode,
            next=self.target(data, "next", node_id),
        )

    def node_create_ticket(
        self, node_id: str, data: YMap, line: int, key_lines: dict[str, int]
    ) -> Node:
        where = "a create_ticket node"
        category = self.text(data, "category", node_id, required=True, where=where)
        title = self.text(data, "title", node_id, required=True, where=where)
        priority = self.name(data, "priority", node_id) or "normal"
        if priority not in PRIORITIES:
            self.add(
                data.line_of("priority"),
                "bad-value",
                f"unknown priority {priority!r}: one of {', '.join(PRIORITIES)}",
                node_id,
            )
        rules: list[PriorityRule] = []
        raw = self.items(data, "priority_rules", node_id)
        for index, item in enumerate(raw or []):
            item_line = raw.line_at(index) if raw is not None else line
            if not isinstance(item, YMap):
                self.add(
                    item_line,
                    "bad-value",
                    "a priority rule is a mapping: '- when: <expression>', 'priority: high'",
                    node_id,
                )
                continue
            self.unknown_keys(item, ("when", "priority"), "a priority rule", node_id)
            when = self.expression(item, "when", node_id, required=True, where="a priority rule")
            level = self.name(item, "priority", node_id, required=True, where="a priority rule")
            if level is not None and level not in PRIORITIES:
                self.add(
                    item.line_of("priority"),
                    "bad-value",
                    f"unknown priority {level!r}: one of {', '.join(PRIORITIES)}",
                    node_id,
                )
                continue
            if when is not None and level is not None:
                rules.append(PriorityRule(when, level, item.line_of("when")))
        if category is None or title is None:
            return BrokenNode(node_id, line, key_lines)
        return TicketNode(
            node_id,
            line,
            key_lines,
            category=category,
            title=title,
            description=self.text(data, "description", node_id) or "",
            priority=priority if priority in PRIORITIES else "normal",
            priority_rules=tuple(rules),
            group=self.name(data, "group", node_id) or "",
            next=self.target(data, "next", node_id),
        )

    def node_end(self, node_id: str, data: YMap, line: int, key_lines: dict[str, int]) -> Node:
        outcome = self.name(
            data,
            "outcome",
            node_id,
            required=True,
            pattern=OUTCOME_PATTERN,
            what="an outcome (lower-case words joined by '_', e.g. not_interested)",
            where="an end node",
        )
        if outcome is None:
            return BrokenNode(node_id, line, key_lines)
        return EndNode(
            node_id, line, key_lines, outcome=outcome, text=self.text(data, "text", node_id) or ""
        )


def _salvage(node_id: str, data: YMap, line: int) -> BrokenNode:
    """A placeholder for a node that could not be built, keeping where it leads and what it
    sets so that one broken node does not make the rest of the flow look wrong."""
    targets: list[str] = []
    for key in ("next", "otherwise"):
        if isinstance(data.get(key), str):
            targets.append(data[key])
    branches = data.get("branches")
    if isinstance(branches, list):
        targets.extend(
            b["goto"] for b in branches if isinstance(b, dict) and isinstance(b.get("goto"), str)
        )
    var = data.get("var")
    return BrokenNode(
        node_id,
        line,
        {str(k): v for k, v in data.key_lines.items()},
        targets=tuple(targets),
        var=var if isinstance(var, str) else "",
    )
