"""``flows check``: everything wrong with flow files, each with its file, line and code.

Beyond the shape of each file (``knowledge.flows.loader``), the checker looks at the graph and
the expressions:

- ``unknown-target``: ``next``, ``goto``, ``otherwise`` or ``start`` names no node;
- ``unreachable``: no path from ``start`` leads to the node;
- ``dead-end``: a node that is not an ``end`` has nowhere to go (no ``next``, or branches
  without ``otherwise``);
- ``no-exit-cycle``: nodes that lead only to each other, with no way on to an ``end``
  (loops that can be left, like "ask again", are fine);
- ``loop-without-question``: a loop of nodes the runner passes through on its own: since
  nothing changes between them, it would go round forever;
- ``undefined-variable``: ``answers.x`` read where some path from ``start`` reaches without
  answering a question that sets ``x`` (a "definitely assigned" data-flow analysis);
- ``bad-expression`` / ``bad-template``: syntax, names, functions or fields that are refused;
- ``unknown-option``: ``answers.x == 'foo'`` where no question setting ``x`` offers ``foo``;
- ``unknown-article`` / ``unknown-product``: with a knowledge base to compare with;
- ``duplicate-flow``: two files with the same id and version.

``main`` is the command line: ``FILE:LINE: CODE message`` per problem, then a summary.
"""

from __future__ import annotations

import difflib
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.flows.expressions import (
    Expression,
    ExpressionError,
    Reference,
    Template,
    compile_expression,
    compile_template,
)
from knowledge.flows.loader import LoadResult, load_file, load_source
from knowledge.flows.model import (
    AnswerKind,
    BranchNode,
    BrokenNode,
    EndNode,
    Flow,
    InfoNode,
    KbNode,
    Node,
    Problem,
    QuestionNode,
    RecommendNode,
    SetNode,
    TicketNode,
    edges,
)
from knowledge.model import normalize_code

FLOW_SUFFIXES = (".yaml", ".yml")

# --- files -----------------------------------------------------------------------------------


def flow_files(paths: str | Path | Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    """The flow files named by ``paths`` (files, or directories searched for ``*.yaml`` and
    ``*.yml``), in a stable order, and a problem for each path that does not exist."""
    if isinstance(paths, str | Path):
        paths = [paths]
    found: list[Path] = []
    problems: list[Problem] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in FLOW_SUFFIXES)
            )
        elif path.is_file():
            found.append(path)
        else:
            problems.append(
                Problem(str(path), 1, None, None, "read-error", "no such file or directory")
            )
    return list(dict.fromkeys(found)), problems


@dataclass(frozen=True, slots=True)
class KnowledgeRefs:
    """What flows may reference in the knowledge base: article ids and product codes."""

    articles: frozenset[str]
    products: frozenset[str]


def knowledge_refs(directory: str | Path) -> KnowledgeRefs:
    """Article ids and product codes of the Markdown knowledge base below ``directory``."""
    from knowledge.markdown_import import read_directory

    report = read_directory(directory)
    return KnowledgeRefs(
        frozenset(a.id for a in report.articles),
        frozenset(code for a in report.articles for code in a.products),
    )


def check(
    paths: str | Path | Iterable[str | Path], *, knowledge: KnowledgeRefs | None = None
) -> list[Problem]:
    """Every problem in the flow files under ``paths``, sorted by file and line."""
    files, problems = flow_files(paths)
    seen: dict[tuple[str, int], str] = {}
    for path in files:
        result = load_file(path)
        problems.extend(check_result(result, knowledge=knowledge))
        flow = result.flow
        if flow is not None and flow.id and flow.version:
            if flow.key in seen:
                problems.append(
                    Problem(
                        flow.file,
                        flow.line_of("id"),
                        None,
                        None,
                        "duplicate-flow",
                        f"{flow.id!r} version {flow.version} is also in {seen[flow.key]}:"
                        " publish a change under a new version",
                    )
                )
            else:
                seen[flow.key] = flow.file
    return sort_problems(problems)


def check_source(
    text: str, file: str = "<text>", *, knowledge: KnowledgeRefs | None = None
) -> list[Problem]:
    """Every problem in one flow given as YAML text."""
    return sort_problems(check_result(load_source(text, file), knowledge=knowledge))


def check_result(result: LoadResult, *, knowledge: KnowledgeRefs | None = None) -> list[Problem]:
    problems = list(result.problems)
    if result.flow is not None:
        problems.extend(check_flow(result.flow, knowledge=knowledge))
    return problems


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda p: (p.file, p.line, p.column or 0, p.code, p.message))


# --- the graph -------------------------------------------------------------------------------


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _assigns(node: Node) -> str | None:
    if isinstance(node, QuestionNode | BrokenNode) and node.var:
        return node.var
    return None


def strongly_connected(graph: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _is_cycle(component: list[str], graph: Mapping[str, Sequence[str]]) -> bool:
    return len(component) > 1 or component[0] in graph[component[0]]


@dataclass
class _Graph:
    flow: Flow
    succ: dict[str, list[str]]
    pred: dict[str, list[str]]
    reachable: list[str]  # breadth-first from start
    broken_targets: set[str]  # nodes with an edge to no node

    def order(self, names: Iterable[str]) -> list[str]:
        position = {name: i for i, name in enumerate(self.flow.nodes)}
        return sorted(names, key=lambda n: position[n])


class _Checker:
    def __init__(self, flow: Flow, knowledge: KnowledgeRefs | None) -> None:
        self.flow = flow
        self.knowledge = knowledge
        self.problems: list[Problem] = []

    def add(
        self, line: int, node: str | None, code: str, message: str, column: int | None = None
    ) -> None:
        self.problems.append(Problem(self.flow.file, line, column, node, code, message))

    def run(self) -> list[Problem]:
        graph = self.graph()
        self.dead_ends()
        if self.flow.start in self.flow.nodes:
            self.unreachable(graph)
            self.cycles(graph)
            inside = self.definitely_assigned(graph)
        else:
            inside = {}
        self.expressions(graph, inside)
        self.references()
        return self.problems

    def graph(self) -> _Graph:
        nodes = self.flow.nodes
        succ: dict[str, list[str]] = {}
        pred: dict[str, list[str]] = {name: [] for name in nodes}
        broken: set[str] = set()
        for name, node in nodes.items():
            targets: list[str] = []
            for edge in edges(node):
                if edge.target in nodes:
                    if edge.target not in targets:
                        targets.append(edge.target)
                else:
                    broken.add(name)
                    self.add(
                        edge.line,
                        name,
                        "unknown-target",
                        f"{edge.via} goes to {edge.target!r}, which is not a node"
                        f"{_suggest(edge.target, nodes)}",
                    )
            succ[name] = targets
            for target in targets:
                pred[target].append(name)
        start = self.flow.start
        reachable: list[str] = []
        if start and start not in nodes:
            self.add(
                self.flow.line_of("start"),
                None,
                "unknown-target",
                f"start is {start!r}, which is not a node{_suggest(start, nodes)}",
            )
        elif start:
            seen = {start}
            queue = deque([start])
            while queue:
                name = queue.popleft()
                reachable.append(name)
                for target in succ[name]:
                    if target not in seen:
                        seen.add(target)
                        queue.append(target)
        return _Graph(self.flow, succ, pred, reachable, broken)

    def dead_ends(self) -> None:
        for name, node in self.flow.nodes.items():
            if isinstance(node, EndNode | BrokenNode):
                continue
            if isinstance(node, BranchNode) or (isinstance(node, QuestionNode) and node.branches):
                if node.otherwise is None:
                    self.add(
                        node.line,
                        name,
                        "dead-end",
                        "when no branch matches, the call stops here: add 'otherwise'",
                    )
            elif node.next is None:
                what = "'next' or 'branches'" if isinstance(node, QuestionNode) else "'next'"
                article = "an" if str(node.kind)[0] in "aeiou" else "a"
                self.add(
                    node.line,
                    name,
                    "dead-end",
                    f"{article} {node.kind} node needs {what}: only 'end' nodes may stop the flow",
                )

    def unreachable(self, graph: _Graph) -> None:
        seen = set(graph.reachable)
        for name, node in self.flow.nodes.items():
            if name not in seen:
                self.add(node.line, name, "unreachable", "no path from start leads here")

    def cycles(self, graph: _Graph) -> None:
        nodes = self.flow.nodes
        reachable = set(graph.reachable)
        for component in strongly_connected(graph.succ):
            if not _is_cycle(component, graph.succ) or not reachable.intersection(component):
                continue
            members = set(component)
            leaves = any(t not in members for n in component for t in graph.succ[n])
            trouble = members & graph.broken_targets or any(
                isinstance(nodes[n], BrokenNode) for n in component
            )
            if leaves or trouble:
                continue
            ordered = graph.order(component)
            first = nodes[ordered[0]]
            self.add(
                first.line,
                ordered[0],
                "no-exit-cycle",
                f"{_names(ordered)} lead only to each other: no way on to an end;"
                " add a branch (or otherwise) that leaves the loop",
            )
        auto = {
            name: [t for t in targets if _is_auto(nodes[t])]
            for name, targets in graph.succ.items()
            if _is_auto(nodes[name])
        }
        for component in strongly_connected(auto):
            if not _is_cycle(component, auto) or not reachable.intersection(component):
                continue
            ordered = graph.order(component)
            self.add(
                nodes[ordered[0]].line,
                ordered[0],
                "loop-without-question",
                f"{_names(ordered)} loop without a question: nothing changes between them, so"
                " a call that enters the loop goes round forever; put a question in the loop",
            )

    def definitely_assigned(self, graph: _Graph) -> dict[str, frozenset[str]]:
        """For each reachable node, the variables set on every path from start to it
        (before the node itself): the greatest fixed point of
        IN(start) = ∅, IN(n) = ⋂ OUT(p) over predecessors p, OUT(n) = IN(n) ∪ var(n)."""
        nodes = self.flow.nodes
        universe = frozenset(v for n in nodes.values() if (v := _assigns(n)))
        reachable = set(graph.reachable)
        inside = {name: universe for name in graph.reachable}
        inside[self.flow.start] = frozenset()

        def out(name: str) -> frozenset[str]:
            var = _assigns(nodes[name])
            return inside[name] | {var} if var else inside[name]

        changed = True
        while changed:
            changed = False
            for name in graph.reachable:
                if name == self.flow.start:
                    continue
                preds = [p for p in graph.pred[name] if p in reachable]
                new = frozenset.intersection(*(out(p) for p in preds)) if preds else frozenset()
                if new != inside[name]:
                    inside[name] = new
                    changed = True
        return inside

    def witness(self, graph: _Graph, var: str, target: str) -> list[str]:
        """A path from start to ``target`` on which no node before ``target`` sets ``var``."""
        nodes = self.flow.nodes
        start = self.flow.start
        parent: dict[str, str | None] = {start: None}
        queue = deque([start])
        while queue:
            name = queue.popleft()
            if name == target:
                path = [name]
                while (previous := parent[path[-1]]) is not None:
                    path.append(previous)
                return path[::-1]
            if _assigns(nodes[name]) == var:
                continue
            for child in graph.succ[name]:
                if child not in parent:
                    parent[child] = name
                    queue.append(child)
        return [target]

    def expressions(self, graph: _Graph, inside: Mapping[str, frozenset[str]]) -> None:
        universe = {v for n in self.flow.nodes.values() if (v := _assigns(n))}
        for name, node in self.flow.nodes.items():
            for item in _sources(node):
                try:
                    compiled: Expression | Template = (
                        compile_expression(item.source)
                        if item.is_expression
                        else compile_template(item.source)
                    )
                except ExpressionError as exc:
                    code = "bad-expression" if item.is_expression else "bad-template"
                    at = f" (at character {exc.column})" if exc.column else ""
                    self.add(item.line, name, code, f"{item.key}: {exc.message}{at}")
                    continue
                self.variables(graph, inside, universe, name, item, compiled.references)
                if isinstance(compiled, Expression):
                    self.options(name, item, compiled)

    def variables(
        self,
        graph: _Graph,
        inside: Mapping[str, frozenset[str]],
        universe: set[str],
        name: str,
        item: _Source,
        references: Iterable[Reference],
    ) -> None:
        node = self.flow.nodes[name]
        for ref in references:
            if ref.root != "answers":
                continue
            var = ref.name
            if var not in universe:
                self.add(
                    item.line,
                    name,
                    "undefined-variable",
                    f"{item.key}: no question sets answers.{var}{_suggest(var, universe)}",
                )
                continue
            if ref.has_default or name not in inside:
                continue
            known = inside[name]
            if item.after_answer and isinstance(node, QuestionNode):
                known = known | {node.var}
            if var in known:
                continue
            path = self.witness(graph, var, name)
            self.add(
                item.line,
                name,
                "undefined-variable",
                f"{item.key}: answers.{var} may have no answer here: the path"
                f" {' → '.join(path)} does not ask it"
                + ("" if item.is_expression else f" (or give a default: {{answers.{var}|...}})"),
            )

    def options(self, name: str, item: _Source, expression: Expression) -> None:
        for use in expression.option_uses:
            questions = self.flow.questions_setting(use.var)
            if not questions:
                continue
            kinds = {q.answer.kind for q in questions}
            where = ", ".join(q.id for q in questions)
            if kinds <= {AnswerKind.SINGLE, AnswerKind.MULTIPLE}:
                values = [o.value for q in questions for o in q.answer.options]
                if use.value not in values:
                    self.add(
                        item.line,
                        name,
                        "unknown-option",
                        f"{item.key}: answers.{use.var} is compared with {use.value!r}, which is"
                        f" not an option of {where} (options: {', '.join(dict.fromkeys(values))})"
                        f"{_suggest(str(use.value), values)}",
                    )
            elif kinds == {AnswerKind.YES_NO} and not isinstance(use.value, bool):
                self.add(
                    item.line,
                    name,
                    "unknown-option",
                    f"{item.key}: answers.{use.var} is a yes/no answer (true or false), compared"
                    f" with {use.value!r}: write answers.{use.var} or not answers.{use.var}",
                )

    def references(self) -> None:
        if self.knowledge is None:
            return
        articles = self.knowledge.articles
        products = {normalize_code(p) for p in self.knowledge.products}
        for name, node in self.flow.nodes.items():
            if isinstance(node, KbNode):
                for article in node.articles:
                    if article not in articles:
                        self.add(
                            node.line_of("articles"),
                            name,
                            "unknown-article",
                            f"no article {article!r} in the knowledge base"
                            f"{_suggest(article, articles)}",
                        )
            if isinstance(node, RecommendNode):
                for rule in node.products:
                    if normalize_code(rule.product) not in products:
                        self.add(
                            rule.line,
                            name,
                            "unknown-product",
                            f"no product {rule.product!r} in the knowledge base"
                            f"{_suggest(rule.product, self.knowledge.products)}",
                        )


def _is_auto(node: Node) -> bool:
    return not isinstance(node, QuestionNode | EndNode | BrokenNode)


def _names(names: Sequence[str]) -> str:
    shown = " → ".join(names[:8])
    return shown + (f" (and {len(names) - 8} more)" if len(names) > 8 else "")


@dataclass(frozen=True, slots=True)
class _Source:
    key: str
    source: str
    line: int
    is_expression: bool
    after_answer: bool = False  # a question's branches see its own answer


def _sources(node: Node) -> list[_Source]:
    """The expressions and templates of ``node``, with their lines."""
    found: list[_Source] = []

    def template(key: str, text: str, line: int | None = None) -> None:
        if text:
            found.append(_Source(key, text, line or node.line_of(key), False))

    if isinstance(node, QuestionNode | InfoNode):
        template("text", node.text)
        template("hint", node.hint)
    if isinstance(node, QuestionNode | BranchNode):
        after = isinstance(node, QuestionNode)
        for branch in node.branches:
            found.append(_Source("when", branch.when, branch.line, True, after))
    if isinstance(node, RecommendNode):
        template("text", node.text)
        for rule in node.products:
            if rule.when:
                found.append(_Source("when", rule.when, rule.when_line or rule.line, True))
            template("why", rule.why, rule.why_line or rule.line)
    if isinstance(node, KbNode):
        template("text", node.text)
        template("query", node.query)
    if isinstance(node, SetNode):
        found.append(_Source("value", node.value, node.line_of("value"), True))
    if isinstance(node, TicketNode):
        template("category", node.category)
        template("title", node.title)
        template("description", node.description)
        for level in node.priority_rules:
            found.append(_Source("when", level.when, level.line, True))
    if isinstance(node, EndNode):
        template("text", node.text)
    return found


def check_flow(flow: Flow, *, knowledge: KnowledgeRefs | None = None) -> list[Problem]:
    """The graph and expression problems of one built flow (not its shape: the loader's)."""
    return _Checker(flow, knowledge).run()


# --- the command line ------------------------------------------------------------------------

USAGE = """usage: flows check [--kb DIRECTORY] PATH...

Check call-script flow files (a file, or a directory searched for *.yaml and *.yml).
Prints FILE:LINE: CODE message for each problem; exits 1 when there is any.
  --kb DIRECTORY  also check article ids and product codes against this knowledge base
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    paths: list[str] = []
    kb: str | None = None
    while args:
        arg = args.pop(0)
        if arg in ("-h", "--help"):
            print(USAGE, end="")
            return 0
        if arg == "--kb" or arg.startswith("--kb="):
            value = arg.partition("=")[2] if "=" in arg else (args.pop(0) if args else "")
            if not value:
                print("flows check: --kb needs a directory\n" + USAGE, end="", file=sys.stderr)
                return 1
            kb = value
        elif arg.startswith("-") and arg != "-":
            print(f"flows check: unknown option {arg}\n" + USAGE, end="", file=sys.stderr)
            return 1
        else:
            paths.append(arg)
    if not paths:
        print(USAGE, end="", file=sys.stderr)
        return 1
    knowledge = None
    if kb is not None:
        if not Path(kb).is_dir():
            print(f"flows check: {kb}: not a directory", file=sys.stderr)
            return 1
        knowledge = knowledge_refs(kb)
    files, _ = flow_files(paths)
    problems = check(paths, knowledge=knowledge)
    for problem in problems:
        print(problem)
    bad_files = len({p.file for p in problems})
    noun = "file" if len(files) == 1 else "files"
    if not files and not problems:
        print(f"no flow files (*.yaml, *.yml) in {', '.join(paths)}")
        return 1
    if problems:
        print(
            f"{len(files)} flow {noun} checked: {len(problems)} problem(s) in {bad_files} file(s)"
        )
        return 1
    print(f"{len(files)} flow {noun} checked: no problems")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
