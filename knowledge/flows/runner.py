"""Running a flow during a call, one answer at a time.

A :class:`FlowRun` is plain data (JSON via :meth:`FlowRun.to_dict`): the flow id and version it
is pinned to, where it stands, the answers, the steps taken (the transcript), the effects to
apply and the products recommended. The functions here take a run and return a new one; they
never raise for anything a flow or an agent can do: a refused answer or a failing expression
comes back as ``run.error`` (naming the node and the expression) with the run otherwise
unchanged.

- :func:`start` begins a run and passes through every node up to the first question (or end);
- :func:`answer` checks the answer against the question, stores it, and moves on the same way;
- :func:`back` undoes the last answer and everything recorded after it;
- :func:`view` is what the console shows now.

Effects (``set``, ``create_ticket``) are only recorded; the server applies them when the run
ends. :class:`Runner` does the same against a :class:`~knowledge.flows.library.FlowLibrary`, so
that a run keeps its flow version when a newer one is published.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from knowledge.flows.expressions import (
    Env,
    EvaluationError,
    display,
    evaluate,
    render,
    to_date,
    truthy,
)
from knowledge.flows.library import FlowLibrary
from knowledge.flows.model import (
    AnswerKind,
    AnswerSpec,
    Branch,
    BranchNode,
    EndNode,
    Flow,
    InfoNode,
    KbNode,
    Node,
    QuestionNode,
    RecommendNode,
    SetNode,
    TicketNode,
)

#: Most nodes passed through between two questions (a guard: the checker refuses such loops).
MAX_AUTO_STEPS = 500
#: Statuses of a run.
ACTIVE, FINISHED, ABANDONED, FAILED = "active", "finished", "abandoned", "failed"
_YES = frozenset({"yes", "y", "true", "1", "是", "是的", "对", "有"})
_NO = frozenset({"no", "n", "false", "0", "否", "不是", "不", "没有", "无"})

# --- the run ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One node passed: what was shown, and for a question the answer and when."""

    node: str
    kind: str
    at: str  # ISO time
    text: str = ""  # as shown, fields filled in
    var: str = ""  # questions: the variable set
    answer: Any = None  # questions: the stored value
    label: str = ""  # questions: the answer as shown (option labels, 是/否)
    items: tuple[str, ...] = ()  # kb: articles; recommend: products; branch: the target
    query: str = ""  # kb: the search, fields filled in


@dataclass(frozen=True, slots=True)
class Effect:
    """A change for the server to make: ``set`` a field or ``create_ticket``."""

    step: int  # index in history of the step that recorded it
    node: str
    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Recommendation:
    step: int
    node: str
    product: str
    why: str = ""


@dataclass(frozen=True, slots=True)
class RunError:
    """Why the last call did not go through. ``kind``: answer (refused), expression (the flow
    failed at run time), state (the run cannot do that now)."""

    node: str | None
    message: str
    kind: str = "answer"
    expression: str | None = None


@dataclass(frozen=True, slots=True)
class FlowRun:
    flow_id: str
    flow_version: int
    status: str  # active | finished | abandoned | failed
    current: str | None  # the question waiting, the end reached, or the failing node
    answers: Mapping[str, Any]
    history: tuple[Step, ...]
    effects: tuple[Effect, ...]
    recommendations: tuple[Recommendation, ...]
    customer: Mapping[str, Any]
    call: Mapping[str, Any]
    started_at: str
    outcome: str | None = None
    ended_at: str | None = None
    error: RunError | None = None

    @property
    def finished(self) -> bool:
        return self.status == FINISHED

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; :meth:`from_dict` reads it back."""
        data: dict[str, Any] = _jsonable(dataclasses.asdict(self))
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FlowRun:
        error = data.get("error")
        return cls(
            flow_id=str(data["flow_id"]),
            flow_version=int(data["flow_version"]),
            status=str(data["status"]),
            current=data.get("current"),
            answers=dict(data.get("answers") or {}),
            history=tuple(
                Step(**{**s, "items": tuple(s.get("items") or ())}) for s in data.get("history", ())
            ),
            effects=tuple(
                Effect(e["step"], e["node"], e["kind"], dict(e.get("data") or {}))
                for e in data.get("effects", ())
            ),
            recommendations=tuple(Recommendation(**r) for r in data.get("recommendations", ())),
            customer=dict(data.get("customer") or {}),
            call=dict(data.get("call") or {}),
            started_at=str(data["started_at"]),
            outcome=data.get("outcome"),
            ended_at=data.get("ended_at"),
            error=RunError(**error) if error else None,
        )

    @classmethod
    def from_json(cls, text: str) -> FlowRun:
        return cls.from_dict(json.loads(text))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _plain(value: Any) -> dict[str, Any]:
    """A customer or call given as a mapping, a dataclass or a pydantic model, as JSON data."""
    if value is None:
        return {}
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if not isinstance(value, Mapping):
        return {}
    result: dict[str, Any] = _jsonable(value)
    return result


# --- what the console shows ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ViewOption:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class View:
    """The run as the console shows it now."""

    flow_id: str
    flow_version: int
    flow_title: str
    status: str
    node: str | None
    kind: str | None  # question, end, or None when the run failed
    text: str = ""
    hint: str = ""
    answer: str | None = None  # the answer kind of the question
    options: tuple[ViewOption, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_choices: int | None = None
    max_choices: int | None = None
    value: Any = None  # the answer already given to this variable, if any (to pre-fill)
    notes: tuple[str, ...] = ()  # texts of info, kb and recommend nodes since the last question
    articles: tuple[str, ...] = ()  # articles to show, since the last question
    queries: tuple[str, ...] = ()  # searches to run, since the last question
    recommendations: tuple[Recommendation, ...] = ()  # all so far
    effects: tuple[Effect, ...] = ()  # all so far
    outcome: str | None = None
    error: RunError | None = None
    can_back: bool = False
    answered: int = 0


# --- answers ---------------------------------------------------------------------------------


class _Refused(Exception):
    pass


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise _Refused("the answer must be a number")
    if isinstance(value, int | float):
        number: float | int = value
    elif isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+(\.\d+)?\s*", value):
        text = value.strip()
        number = float(text) if "." in text else int(text)
    else:
        raise _Refused(f"{value!r} is not a number")
    if isinstance(number, float) and not math.isfinite(number):
        raise _Refused("the answer must be a finite number")
    return number


def validate_answer(spec: AnswerSpec, value: Any, language: str = "zh") -> tuple[Any, str]:
    """The value to store for ``value`` and how it is shown; raises ``ValueError`` with a
    message for the agent when the question does not accept it."""
    try:
        return _validate(spec, value, language)
    except _Refused as exc:
        raise ValueError(str(exc)) from None


def _validate(spec: AnswerSpec, value: Any, language: str) -> tuple[Any, str]:
    kind = spec.kind
    if kind == AnswerKind.SINGLE:
        chosen = _option(spec, value)
        return chosen, spec.label_of(chosen)
    if kind == AnswerKind.MULTIPLE:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple | set | frozenset):
            raise _Refused("choose from the options (a list of values)")
        picked = {_option(spec, v) for v in value}
        if len(picked) != len(list(value)):
            raise _Refused("an option is chosen twice")
        ordered = [o.value for o in spec.options if o.value in picked]
        if len(ordered) < spec.min_choices:
            raise _Refused(f"choose at least {spec.min_choices}")
        if spec.max_choices is not None and len(ordered) > spec.max_choices:
            raise _Refused(f"choose at most {spec.max_choices}")
        return ordered, display([spec.label_of(v) for v in ordered], language)
    if kind == AnswerKind.TEXT:
        if not isinstance(value, str):
            raise _Refused("the answer must be text")
        text = value.strip()
        if len(text) < spec.min_length:
            raise _Refused(
                "the answer is empty"
                if spec.min_length == 1
                else f"the answer needs at least {spec.min_length} characters"
            )
        if len(text) > spec.max_length:
            raise _Refused(f"the answer is longer than {spec.max_length} characters")
        if spec.pattern and not re.fullmatch(spec.pattern, text):
            raise _Refused(f"{text!r} does not have the expected form ({spec.pattern})")
        return text, text
    if kind == AnswerKind.NUMBER:
        number = _number(value)
        if spec.integer:
            if number != int(number):
                raise _Refused("the answer must be a whole number")
            number = int(number)
        if spec.minimum is not None and number < spec.minimum:
            raise _Refused(f"the answer must be at least {display(spec.minimum)}")
        if spec.maximum is not None and number > spec.maximum:
            raise _Refused(f"the answer must be at most {display(spec.maximum)}")
        return number, display(number)
    if kind == AnswerKind.DATE:
        try:
            day = to_date(value)
        except EvaluationError:
            raise _Refused(f"{value!r} is not a date (write it like 2026-03-01)") from None
        return day.isoformat(), day.isoformat()
    if kind == AnswerKind.YES_NO:
        if isinstance(value, bool):
            flag = value
        elif isinstance(value, str) and value.strip().lower() in _YES:
            flag = True
        elif isinstance(value, str) and value.strip().lower() in _NO:
            flag = False
        else:
            raise _Refused(f"{value!r} is not yes or no")
        return flag, display(flag, language)
    raise _Refused(f"unknown answer kind {kind!r}")  # pragma: no cover


def _option(spec: AnswerSpec, value: Any) -> str:
    if isinstance(value, str):
        wanted = value.strip()
        for option in spec.options:
            if option.value == wanted:
                return option.value
        for option in spec.options:  # the console may send what it shows
            if option.label == wanted:
                return option.value
    values = ", ".join(o.value for o in spec.options)
    raise _Refused(f"{value!r} is not one of the options: {values}")


# --- moving on -------------------------------------------------------------------------------


@dataclass
class _Draft:
    answers: dict[str, Any]
    history: list[Step]
    effects: list[Effect]
    recommendations: list[Recommendation]
    current: str | None = None
    status: str = ACTIVE
    outcome: str | None = None
    ended_at: str | None = None

    @classmethod
    def of(cls, run: FlowRun) -> _Draft:
        return cls(
            dict(run.answers),
            list(run.history),
            list(run.effects),
            list(run.recommendations),
            run.current,
            run.status,
            run.outcome,
            run.ended_at,
        )

    def into(self, run: FlowRun) -> FlowRun:
        return replace(
            run,
            answers=self.answers,
            history=tuple(self.history),
            effects=tuple(self.effects),
            recommendations=tuple(self.recommendations),
            current=self.current,
            status=self.status,
            outcome=self.outcome,
            ended_at=self.ended_at,
            error=None,
        )


class _Failed(Exception):
    def __init__(self, error: RunError) -> None:
        super().__init__(error.message)
        self.error = error


class _Context:
    def __init__(self, flow: Flow, draft: _Draft, run: FlowRun, now: datetime) -> None:
        self.flow = flow
        self.draft = draft
        self.customer = run.customer
        self.call = run.call
        self.now = now
        self.at = now.isoformat()

    def env(self) -> Env:
        return Env(
            self.draft.answers, self.customer, self.call, self.now.date(), self.flow.language
        )

    def render(self, node: Node, key: str, text: str, *, labels: bool = True) -> str:
        """``text`` filled in; choice answers show their labels unless ``labels`` is False
        (values that are codes, such as a ticket category)."""
        if not text:
            return ""
        try:
            return render(text, self.env(), self.flow.option_labels if labels else None)
        except EvaluationError as exc:
            raise _Failed(RunError(node.id, f"{key}: {exc.message}", "expression", text)) from None

    def value(self, node: Node, key: str, source: str) -> Any:
        try:
            return evaluate(source, self.env())
        except EvaluationError as exc:
            raise _Failed(
                RunError(node.id, f"{key}: {exc.message}", "expression", source)
            ) from None

    def test(self, node: Node, key: str, source: str) -> bool:
        try:
            return truthy(source, self.env())
        except EvaluationError as exc:
            raise _Failed(
                RunError(node.id, f"{key}: {exc.message}", "expression", source)
            ) from None

    def choose(self, node: Node, branches: Sequence[Branch], otherwise: str | None) -> str:
        for branch in branches:
            if self.test(node, "when", branch.when):
                return branch.goto
        if otherwise is None:
            raise _Failed(RunError(node.id, "no branch matched and there is no otherwise", "state"))
        return otherwise

    def step(self, node: Node, **fields: Any) -> int:
        self.draft.history.append(Step(node.id, str(node.kind), self.at, **fields))
        return len(self.draft.history) - 1

    def advance(self, node_id: str | None, came_from: str) -> None:
        """Pass through nodes from ``node_id`` until a question or an end."""
        previous = came_from
        for _ in range(MAX_AUTO_STEPS):
            if node_id is None:
                raise _Failed(RunError(previous, "the flow does not say where to go next", "state"))
            node = self.flow.nodes.get(node_id)
            if node is None:
                raise _Failed(RunError(previous, f"there is no node {node_id!r}", "state"))
            previous, node_id = node_id, self.pass_through(node)
            if node_id is None:
                return
        raise _Failed(
            RunError(
                previous,
                f"passed {MAX_AUTO_STEPS} nodes without reaching a question: a loop",
                "state",
            )
        )

    def onward(self, node: Node, target: str | None) -> str:
        if target is None:
            raise _Failed(RunError(node.id, "the flow does not say where to go next", "state"))
        return target

    def pass_through(self, node: Node) -> str | None:
        """Do what ``node`` does; return where to go, or None when the run waits or ends."""
        draft = self.draft
        if isinstance(node, QuestionNode):
            self.render(node, "text", node.text)  # fail here, not in front of the agent
            self.render(node, "hint", node.hint)
            draft.current, draft.status = node.id, ACTIVE
            return None
        if isinstance(node, EndNode):
            self.step(node, text=self.render(node, "text", node.text))
            draft.current, draft.status = node.id, FINISHED
            draft.outcome, draft.ended_at = node.outcome, self.at
            return None
        if isinstance(node, InfoNode):
            self.step(node, text=self.render(node, "text", node.text))
            return self.onward(node, node.next)
        if isinstance(node, BranchNode):
            target = self.choose(node, node.branches, node.otherwise)
            self.step(node, items=(target,))
            return target
        if isinstance(node, RecommendNode):
            chosen: list[tuple[str, str]] = []
            for rule in node.products:
                if node.limit is not None and len(chosen) >= node.limit:
                    break
                if not rule.when or self.test(node, "when", rule.when):
                    chosen.append((rule.product, self.render(node, "why", rule.why)))
            index = self.step(
                node,
                text=self.render(node, "text", node.text),
                items=tuple(p for p, _ in chosen),
            )
            draft.recommendations.extend(
                Recommendation(index, node.id, product, why) for product, why in chosen
            )
            return self.onward(node, node.next)
        if isinstance(node, KbNode):
            self.step(
                node,
                text=self.render(node, "text", node.text),
                items=node.articles,
                query=self.render(node, "query", node.query),
            )
            return self.onward(node, node.next)
        if isinstance(node, SetNode):
            value = _jsonable(self.value(node, "value", node.value))
            index = self.step(node)
            data = {"field": node.field, "mode": node.mode, "value": value}
            draft.effects.append(Effect(index, node.id, "set", data))
            return self.onward(node, node.next)
        if isinstance(node, TicketNode):
            priority = node.priority
            for level in node.priority_rules:
                if self.test(node, "priority_rules", level.when):
                    priority = level.priority
                    break
            ticket = {
                "category": self.render(node, "category", node.category, labels=False),
                "priority": priority,
                "title": self.render(node, "title", node.title),
                "description": self.render(node, "description", node.description),
                "group": node.group or None,
            }
            index = self.step(node)
            draft.effects.append(Effect(index, node.id, "create_ticket", ticket))
            return self.onward(node, node.next)
        raise _Failed(RunError(node.id, "this node is broken: run flows check", "state"))


# --- the public functions --------------------------------------------------------------------


def _pinned(flow: Flow, run: FlowRun) -> RunError | None:
    if (flow.id, flow.version) != (run.flow_id, run.flow_version):
        return RunError(
            run.current,
            f"the run follows {run.flow_id!r} version {run.flow_version}, not"
            f" {flow.id!r} version {flow.version}",
            "state",
        )
    return None


def start(flow: Flow, customer: Any = None, call: Any = None, *, now: datetime) -> FlowRun:
    """A new run of ``flow`` for ``customer`` (the 360 summary: a mapping, dataclass or model)
    on ``call``, moved on to the first question. A failure is a run with status ``failed``."""
    run = FlowRun(
        flow_id=flow.id,
        flow_version=flow.version,
        status=ACTIVE,
        current=None,
        answers={},
        history=(),
        effects=(),
        recommendations=(),
        customer=_plain(customer),
        call=_plain(call),
        started_at=now.isoformat(),
    )
    draft = _Draft.of(run)
    context = _Context(flow, draft, run, now)
    try:
        context.advance(flow.start, flow.start)
    except _Failed as failed:
        return replace(
            draft.into(run), status=FAILED, current=failed.error.node, error=failed.error
        )
    return draft.into(run)


def answer(flow: Flow, run: FlowRun, value: Any, *, now: datetime) -> FlowRun:
    """``run`` with ``value`` as the answer to its question, moved on to the next question or
    the end. A refused answer or a failing expression: ``run`` unchanged but for ``error``."""
    problem = _pinned(flow, run)
    if problem is None and run.status != ACTIVE:
        problem = RunError(
            run.current, f"the run is {run.status}: go back to change an answer", "state"
        )
    node = flow.nodes.get(run.current or "")
    if problem is None and not isinstance(node, QuestionNode):
        problem = RunError(run.current, "the run is not waiting for an answer", "state")
    if problem is not None or not isinstance(node, QuestionNode):
        return replace(run, error=problem)
    try:
        stored, label = validate_answer(node.answer, value, flow.language)
    except ValueError as exc:
        return replace(run, error=RunError(node.id, str(exc), "answer"))
    draft = _Draft.of(run)
    context = _Context(flow, draft, run, now)
    try:
        shown = context.render(node, "text", node.text)
        draft.answers[node.var] = stored
        context.step(node, text=shown, var=node.var, answer=stored, label=label)
        if node.branches:
            target: str | None = context.choose(node, node.branches, node.otherwise)
        else:
            target = node.next
        context.advance(target, node.id)
    except _Failed as failed:
        return replace(run, error=failed.error)
    return draft.into(run)


def back(run: FlowRun) -> FlowRun:
    """``run`` as it was before its last answer: that question is asked again, and every
    step, effect and recommendation recorded after it is dropped."""
    if run.status not in (ACTIVE, FINISHED):
        return replace(run, error=RunError(run.current, f"the run is {run.status}", "state"))
    answered = [i for i, s in enumerate(run.history) if s.kind == "question"]
    if not answered:
        return replace(
            run, error=RunError(run.current, "nothing to go back to: no answer yet", "state")
        )
    cut = answered[-1]
    history = run.history[:cut]
    answers: dict[str, Any] = {}
    for step in history:
        if step.kind == "question":
            answers[step.var] = step.answer
    return replace(
        run,
        status=ACTIVE,
        current=run.history[cut].node,
        answers=answers,
        history=history,
        effects=tuple(e for e in run.effects if e.step < cut),
        recommendations=tuple(r for r in run.recommendations if r.step < cut),
        outcome=None,
        ended_at=None,
        error=None,
    )


def abandon(run: FlowRun, *, now: datetime) -> FlowRun:
    """``run`` left before its end (the call ended): it counts as a drop-off at its node."""
    if run.status != ACTIVE:
        return run
    return replace(run, status=ABANDONED, ended_at=now.isoformat(), error=None)


def view(flow: Flow, run: FlowRun, *, now: datetime | None = None) -> View:
    """What the console shows for ``run`` now (``now``: the date ``days_since`` counts to;
    by default the time of the run's last step)."""
    since = 0
    for index, step in enumerate(run.history):
        if step.kind == "question":
            since = index + 1
    recent = run.history[since:]
    base = View(
        flow_id=run.flow_id,
        flow_version=run.flow_version,
        flow_title=flow.title,
        status=run.status,
        node=run.current,
        kind=None,
        notes=tuple(s.text for s in recent if s.kind in ("info", "kb", "recommend") and s.text),
        articles=tuple(dict.fromkeys(a for s in recent if s.kind == "kb" for a in s.items)),
        queries=tuple(s.query for s in recent if s.kind == "kb" and s.query),
        recommendations=run.recommendations,
        effects=run.effects,
        outcome=run.outcome,
        error=run.error or _pinned(flow, run),
        can_back=any(s.kind == "question" for s in run.history)
        and run.status in (ACTIVE, FINISHED),
        answered=sum(1 for s in run.history if s.kind == "question"),
    )
    if _pinned(flow, run) is not None:
        return base
    node = flow.nodes.get(run.current or "")
    if run.status == FINISHED and isinstance(node, EndNode):
        text = run.history[-1].text if run.history and run.history[-1].node == node.id else ""
        return replace(base, kind="end", text=text)
    if run.status != ACTIVE or not isinstance(node, QuestionNode):
        return base
    today = now.date() if now is not None else _today(run)
    env = Env(run.answers, run.customer, run.call, today, flow.language)
    try:
        text = render(node.text, env, flow.option_labels)
        hint = render(node.hint, env, flow.option_labels) if node.hint else ""
    except EvaluationError as exc:
        error = RunError(node.id, exc.message, "expression", node.text)
        return replace(base, kind="question", text=node.text, error=run.error or error)
    spec = node.answer
    return replace(
        base,
        kind="question",
        text=text,
        hint=hint,
        answer=str(spec.kind),
        options=tuple(ViewOption(o.value, o.label) for o in spec.options),
        minimum=spec.minimum if spec.kind == AnswerKind.NUMBER else None,
        maximum=spec.maximum if spec.kind == AnswerKind.NUMBER else None,
        integer=spec.integer,
        pattern=spec.pattern,
        min_length=spec.min_length if spec.kind == AnswerKind.TEXT else None,
        max_length=spec.max_length if spec.kind == AnswerKind.TEXT else None,
        min_choices=spec.min_choices if spec.kind == AnswerKind.MULTIPLE else None,
        max_choices=spec.max_choices if spec.kind == AnswerKind.MULTIPLE else None,
        value=run.answers.get(node.var),
    )


def _today(run: FlowRun) -> date:
    stamp = run.history[-1].at if run.history else run.started_at
    try:
        return datetime.fromisoformat(stamp).date()
    except ValueError:
        return date.today()


def transcript(run: FlowRun) -> list[dict[str, Any]]:
    """The questions asked and answered, in order: node, question as shown, answer, time."""
    return [
        {"node": s.node, "question": s.text, "answer": s.answer, "shown": s.label, "at": s.at}
        for s in run.history
        if s.kind == "question"
    ]


# --- against a library -----------------------------------------------------------------------


class Runner:
    """The functions above against a :class:`FlowLibrary`: a run finds the flow version it
    started with, even after a newer version is published."""

    def __init__(self, library: FlowLibrary) -> None:
        self.library = library

    def start(
        self,
        flow_id: str,
        customer: Any = None,
        call: Any = None,
        *,
        now: datetime,
        version: int | None = None,
    ) -> FlowRun:
        flow = self.library.get(flow_id, version)
        if flow is None:
            wanted = f"{flow_id!r}" + (f" version {version}" if version is not None else "")
            return FlowRun(
                flow_id=flow_id,
                flow_version=version or 0,
                status=FAILED,
                current=None,
                answers={},
                history=(),
                effects=(),
                recommendations=(),
                customer=_plain(customer),
                call=_plain(call),
                started_at=now.isoformat(),
                error=RunError(None, f"no flow {wanted} is loaded", "state"),
            )
        return start(flow, customer, call, now=now)

    def _flow(self, run: FlowRun) -> Flow | RunError:
        flow = self.library.get(run.flow_id, run.flow_version)
        if flow is None:
            return RunError(
                run.current,
                f"flow {run.flow_id!r} version {run.flow_version} is not loaded",
                "state",
            )
        return flow

    def answer(self, run: FlowRun, value: Any, *, now: datetime) -> FlowRun:
        flow = self._flow(run)
        if isinstance(flow, RunError):
            return replace(run, error=flow)
        return answer(flow, run, value, now=now)

    def back(self, run: FlowRun) -> FlowRun:
        return back(run)

    def view(self, run: FlowRun, *, now: datetime | None = None) -> View | RunError:
        flow = self._flow(run)
        if isinstance(flow, RunError):
            return flow
        return view(flow, run, now=now)
