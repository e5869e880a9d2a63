"""Call scripts (flows): the pure node and flow types, and the graph they form.

A flow is a directed graph of nodes keyed by id. Questions wait for the agent; every other
node kind is passed through automatically by the runner (``knowledge.flows.runner``). Each
node keeps the line of its id in the YAML file and the line of each of its keys, so that the
checker (``knowledge.flows.check``) can name the file and line of every problem.

Standard library only; no I/O. The format is documented in ``docs/flows.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

# --- vocabulary ------------------------------------------------------------------------------


class NodeKind(StrEnum):
    QUESTION = "question"
    INFO = "info"
    BRANCH = "branch"
    RECOMMEND = "recommend"
    KB = "kb"
    SET = "set"
    CREATE_TICKET = "create_ticket"
    END = "end"


class AnswerKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    YES_NO = "yes_no"


NODE_KINDS: tuple[str, ...] = tuple(k.value for k in NodeKind)
ANSWER_KINDS: tuple[str, ...] = tuple(k.value for k in AnswerKind)
LANGUAGES: tuple[str, ...] = ("zh", "en", "mixed")
#: Ticket priorities, as the ticket service knows them.
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")
#: Outcomes the reports know by name; any lower-case word is accepted.
COMMON_OUTCOMES: tuple[str, ...] = (
    "sold",
    "not_interested",
    "ticket_created",
    "resolved",
    "escalated",
    "callback",
    "transferred",
)
#: How a ``set`` node writes its field: replace it, or add to / remove from a list field.
SET_MODES: tuple[str, ...] = ("set", "add", "remove")
#: Fields a ``set`` node may write (the server applies them; the runner only records them).
#: The values are True for list fields (which take ``mode: add`` and ``mode: remove``).
SET_FIELDS: Mapping[str, Mapping[str, bool]] = {
    "customer": {
        "tags": True,
        "tier": False,
        "city": False,
        "province": False,
        "industry": False,
        "note": False,
    },
    "request": {
        "category": False,
        "priority": False,
        "urgency": False,
        "product": False,
        "title": False,
        "description": False,
        "group": False,
        "tags": True,
    },
}

#: Flow ids: like knowledge article ids.
FLOW_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: Node ids: a letter or ``_``, then letters, digits, ``_`` or ``-``; at most 64.
NODE_ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
#: Answer variables: used as ``answers.<var>`` in expressions, so an identifier.
VAR_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
#: Outcomes: lower-case words joined by ``_``.
OUTCOME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")

# --- parts of nodes --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Option:
    """One choice of a single- or multiple-choice question."""

    value: str
    label: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class Branch:
    """``when: <expression>`` → ``goto: <node>``; the first true one is taken."""

    when: str
    goto: str
    line: int = 0  # of the ``when`` key
    goto_line: int = 0


@dataclass(frozen=True, slots=True)
class ProductRule:
    """A product to recommend when ``when`` holds (always when it is empty)."""

    product: str
    when: str = ""
    why: str = ""
    line: int = 0
    when_line: int = 0
    why_line: int = 0


@dataclass(frozen=True, slots=True)
class PriorityRule:
    """A ticket priority to use when ``when`` holds; the first true rule wins."""

    when: str
    priority: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class AnswerSpec:
    """What a question accepts. Only the fields of its kind are used."""

    kind: AnswerKind
    options: tuple[Option, ...] = ()
    pattern: str | None = None  # text: the whole answer must match
    min_length: int = 1  # text
    max_length: int = 500  # text
    minimum: float | None = None  # number
    maximum: float | None = None  # number
    integer: bool = False  # number: whole numbers only
    min_choices: int = 1  # multiple
    max_choices: int | None = None  # multiple

    def label_of(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return value


# --- nodes -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _NodeBase:
    id: str
    line: int = 0  # the line of the node's id in the file
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def line_of(self, key: str) -> int:
        """The line of ``key`` in this node, or the node's own line when it is absent."""
        return self.key_lines.get(key, self.line)


@dataclass(frozen=True, slots=True)
class QuestionNode(_NodeBase):
    text: str = ""
    answer: AnswerSpec = AnswerSpec(AnswerKind.TEXT)
    var: str = ""
    hint: str = ""
    next: str | None = None
    branches: tuple[Branch, ...] = ()
    otherwise: str | None = None
    kind: NodeKind = NodeKind.QUESTION


@dataclass(frozen=True, slots=True)
class InfoNode(_NodeBase):
    text: str = ""
    hint: str = ""
    next: str | None = None
    kind: NodeKind = NodeKind.INFO


@dataclass(frozen=True, slots=True)
class BranchNode(_NodeBase):
    branches: tuple[Branch, ...] = ()
    otherwise: str | None = None
    kind: NodeKind = NodeKind.BRANCH


@dataclass(frozen=True, slots=True)
class RecommendNode(_NodeBase):
    products: tuple[ProductRule, ...] = ()
    text: str = ""
    limit: int | None = None
    next: str | None = None
    kind: NodeKind = NodeKind.RECOMMEND


@dataclass(frozen=True, slots=True)
class KbNode(_NodeBase):
    articles: tuple[str, ...] = ()
    query: str = ""
    text: str = ""
    next: str | None = None
    kind: NodeKind = NodeKind.KB


@dataclass(frozen=True, slots=True)
class SetNode(_NodeBase):
    field: str = ""  # e.g. customer.tags, request.category
    value: str = ""  # an expression
    mode: str = "set"
    next: str | None = None
    kind: NodeKind = NodeKind.SET


@dataclass(frozen=True, slots=True)
class TicketNode(_NodeBase):
    category: str = ""  # a template: "complaint/{answers.kind}"
    title: str = ""  # a template
    description: str = ""  # a template
    priority: str = "normal"
    priority_rules: tuple[PriorityRule, ...] = ()
    group: str = ""
    next: str | None = None
    kind: NodeKind = NodeKind.CREATE_TICKET


@dataclass(frozen=True, slots=True)
class EndNode(_NodeBase):
    outcome: str = ""
    text: str = ""
    kind: NodeKind = NodeKind.END


@dataclass(frozen=True, slots=True)
class BrokenNode(_NodeBase):
    """A node the loader could not build (its problems are reported): a placeholder that keeps
    references to it valid, so that one mistake does not cascade into many."""

    targets: tuple[str, ...] = ()
    var: str = ""
    kind: str = "broken"


Node = (
    QuestionNode
    | InfoNode
    | BranchNode
    | RecommendNode
    | KbNode
    | SetNode
    | TicketNode
    | EndNode
    | BrokenNode
)
#: Nodes the runner passes through without waiting for the agent.
AUTO_KINDS: frozenset[str] = frozenset(NODE_KINDS) - {NodeKind.QUESTION, NodeKind.END}


# --- the flow --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Flow:
    id: str
    version: int
    title: str
    language: str
    start: str
    nodes: Mapping[str, Node] = field(compare=False)
    description: str = ""
    file: str = ""
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    def questions_setting(self, var: str) -> list[QuestionNode]:
        return [n for n in self.nodes.values() if isinstance(n, QuestionNode) and n.var == var]

    def option_labels(self, var: str) -> dict[str, str]:
        """Option value → label over every choice question that sets ``var``."""
        labels: dict[str, str] = {}
        for question in self.questions_setting(var):
            for option in question.answer.options:
                labels.setdefault(option.value, option.label)
        return labels


@dataclass(frozen=True, slots=True)
class Edge:
    target: str
    line: int
    via: str  # next, goto, otherwise


def edges(node: Node) -> Iterator[Edge]:
    """Where ``node`` can go next, in the order the runner tries them."""
    if isinstance(node, QuestionNode | BranchNode):
        for branch in node.branches:
            yield Edge(branch.goto, branch.goto_line or branch.line, "goto")
        if node.otherwise is not None:
            yield Edge(node.otherwise, node.line_of("otherwise"), "otherwise")
    if (
        isinstance(node, QuestionNode | InfoNode | RecommendNode | KbNode | SetNode | TicketNode)
        and node.next is not None
    ):
        yield Edge(node.next, node.line_of("next"), "next")
    if isinstance(node, BrokenNode):
        for target in node.targets:
            yield Edge(target, node.line, "next")


# --- problems --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a flow file, where it is, and a stable code (``docs/flows.md``)."""

    file: str
    line: int
    column: int | None
    node: str | None
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.node}: " if self.node else ""
        return f"{self.file}:{self.line}: {self.code} {where}{self.message}"
