"""Running flows: every node kind, answer validation, going back, version pinning, JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from knowledge.flows.library import FlowError, FlowLibrary, load_flow, parse_flow
from knowledge.flows.model import Flow
from knowledge.flows.runner import (
    ABANDONED,
    ACTIVE,
    FAILED,
    FINISHED,
    FlowRun,
    RunError,
    Runner,
    abandon,
    answer,
    back,
    start,
    transcript,
    view,
)

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
CUSTOMER = {
    "name": "李娜",
    "tier": "A",
    "tags": ["老客户"],
    "products": ["5G-PLUS-129"],
    "created_at": "2025-12-01",
}
CALL = {"queue": "sales", "dnis": "10010", "ivr": "2"}

EVERY_KIND = """\
id: every-kind
version: 1
title: 每种节点
language: zh
start: hello
nodes:
  hello:
    kind: info
    text: "{customer.name}您好，您是{customer.tier}类客户，来电队列 {call.queue}。"
    next: scripts
  scripts:
    kind: kb
    text: 开场话术
    articles: [KB-SCR-001]
    query: "开场 {customer.name}"
    next: usage
  usage:
    kind: question
    text: 每月流量？
    hint: 问问看视频多不多
    answer: single
    options:
      - {value: light, label: 少}
      - {value: heavy, label: 多}
    var: usage
    next: apps
  apps:
    kind: question
    text: 常用应用？
    answer: multiple
    options:
      - {value: video, label: 视频}
      - {value: games, label: 游戏}
      - {value: work, label: 办公}
    min_choices: 1
    max_choices: 2
    var: apps
    next: budget
  budget:
    kind: question
    text: 预算（{answers.usage}流量）？
    answer: number
    min: 10
    max: 1000
    integer: true
    var: budget
    next: route
  route:
    kind: branch
    branches:
      - when: answers.budget >= 150
        goto: offer
    otherwise: email
  offer:
    kind: recommend
    text: 推荐：
    limit: 2
    products:
      - product: 5G-PLUS-199
        when: answers.usage == 'heavy' and not owns('5G-PLUS-199')
        why: "{answers.usage}流量用户，预算{answers.budget}元"
      - product: VIDEO-VIP-15
        when: "'video' in answers.apps"
        why: 爱看视频
      - product: 5G-LITE-59
        why: 兜底
    next: email
  email:
    kind: question
    text: 邮箱？
    answer: text
    pattern: "[^@ ]+@[^@ ]+\\\\.[a-z]+"
    max_length: 40
    var: email
    next: since
  since:
    kind: question
    text: 从哪天开始？
    answer: date
    var: since
    next: agree
  agree:
    kind: question
    text: 同意办理吗？
    answer: yes_no
    var: agree
    branches:
      - when: answers.agree
        goto: tag
    otherwise: no_deal
  tag:
    kind: set
    field: customer.tags
    mode: add
    value: "'意向-' + answers.usage"
    next: ticket
  ticket:
    kind: create_ticket
    category: sales/{answers.usage}
    title: "办理：{answers.usage}"
    description: "预算 {answers.budget}，邮箱 {answers.email}，始于 {answers.since}"
    priority: normal
    priority_rules:
      - when: days_since(answers.since) > 30
        priority: low
      - when: customer.tier == 'A'
        priority: high
    group: sales
    next: sold
  sold:
    kind: end
    outcome: sold
    text: 谢谢{customer.name}！
  no_deal:
    kind: end
    outcome: not_interested
"""


@pytest.fixture(scope="module")
def every_kind() -> Flow:
    return parse_flow(EVERY_KIND, "every-kind.yaml")


def walk(flow: Flow, run: FlowRun, *answers: Any) -> FlowRun:
    for value in answers:
        run = answer(flow, run, value, now=NOW)
        assert run.error is None, run.error
    return run


def test_start_passes_info_and_kb_up_to_the_first_question(every_kind: Flow) -> None:
    run = start(every_kind, CUSTOMER, CALL, now=NOW)
    assert (run.status, run.current, run.error) == (ACTIVE, "usage", None)
    shown = view(every_kind, run)
    assert shown.kind == "question"
    assert shown.text == "每月流量？"
    assert shown.hint == "问问看视频多不多"
    assert shown.answer == "single"
    assert [(o.value, o.label) for o in shown.options] == [("light", "少"), ("heavy", "多")]
    assert shown.notes == ("李娜您好，您是A类客户，来电队列 sales。", "开场话术")
    assert shown.articles == ("KB-SCR-001",)
    assert shown.queries == ("开场 李娜",)
    assert not shown.can_back


def test_every_node_kind_to_the_end(every_kind: Flow) -> None:
    run = start(every_kind, CUSTOMER, CALL, now=NOW)
    run = walk(every_kind, run, "heavy", ["video", "work"], 199)
    shown = view(every_kind, run)
    assert (shown.kind, shown.node, shown.answer) == ("question", "email", "text")
    assert (shown.pattern, shown.max_length, shown.min_length) == (
        "[^@ ]+@[^@ ]+\\.[a-z]+",
        40,
        1,
    )
    assert shown.notes == ("推荐：",)
    assert [(r.product, r.why) for r in shown.recommendations] == [
        ("5G-PLUS-199", "多流量用户，预算199元"),
        ("VIDEO-VIP-15", "爱看视频"),
    ]  # limit 2: the fallback is not reached
    run = walk(every_kind, run, "li@example.com", "2026-02-20")
    assert view(every_kind, run).notes == ()
    run = walk(every_kind, run, "是")
    assert (run.status, run.outcome, run.current) == (FINISHED, "sold", "sold")
    assert run.ended_at == NOW.isoformat()
    assert [(e.kind, dict(e.data)) for e in run.effects] == [
        ("set", {"field": "customer.tags", "mode": "add", "value": "意向-heavy"}),
        (
            "create_ticket",
            {
                "category": "sales/heavy",
                "priority": "high",
                "title": "办理：多",
                "description": "预算 199，邮箱 li@example.com，始于 2026-02-20",
                "group": "sales",
            },
        ),
    ]
    assert run.customer["tags"] == ["老客户"]  # effects are recorded, never applied
    end = view(every_kind, run)
    assert (end.kind, end.text, end.outcome) == ("end", "谢谢李娜！", "sold")
    assert [s.kind for s in run.history] == [
        "info",
        "kb",
        "question",
        "question",
        "question",
        "branch",
        "recommend",
        "question",
        "question",
        "question",
        "set",
        "create_ticket",
        "end",
    ]


def test_the_otherwise_path_and_priority_rules(every_kind: Flow) -> None:
    run = start(every_kind, {"name": "赵", "tier": "C"}, None, now=NOW)
    run = walk(every_kind, run, "light", ["games"], 50, "z@x.cn", "2025-12-01", True)
    assert run.recommendations == ()
    ticket = run.effects[-1].data
    assert ticket["priority"] == "low"  # started over 30 days ago
    run = start(every_kind, {"name": "赵"}, None, now=NOW)
    run = walk(every_kind, run, "light", ["games"], 50, "z@x.cn", "2026-02-28", "否")
    assert (run.outcome, run.effects) == ("not_interested", ())


@pytest.mark.parametrize(
    ("node_answers", "bad", "words"),
    [
        ((), "medium", "not one of the options: light, heavy"),
        ((), 3, "not one of the options"),
        (("heavy",), [], "choose at least 1"),
        (("heavy",), ["video", "games", "work"], "choose at most 2"),
        (("heavy",), ["video", "video"], "chosen twice"),
        (("heavy",), ["music"], "not one of the options"),
        (("heavy",), 5, "a list of values"),
        (("heavy", ["video"]), "lots", "is not a number"),
        (("heavy", ["video"]), True, "must be a number"),
        (("heavy", ["video"]), 5, "at least 10"),
        (("heavy", ["video"]), 1001, "at most 1000"),
        (("heavy", ["video"]), 99.5, "whole number"),
        (("heavy", ["video"]), float("nan"), "finite"),
        (("heavy", ["video"], 100), "not an email", "expected form"),
        (("heavy", ["video"], 100), "", "empty"),
        (("heavy", ["video"], 100), "a" * 30 + "@example.com", "longer than 40"),
        (("heavy", ["video"], 100), 42, "must be text"),
        (("heavy", ["video"], 100, "a@b.cn"), "yesterday", "not a date"),
        (("heavy", ["video"], 100, "a@b.cn"), "2026-02-30", "not a date"),
        (("heavy", ["video"], 100, "a@b.cn", "2026-02-01"), "maybe", "not yes or no"),
    ],
)
def test_refused_answers_leave_the_run_unchanged(
    every_kind: Flow, node_answers: tuple[Any, ...], bad: Any, words: str
) -> None:
    run = walk(every_kind, start(every_kind, CUSTOMER, CALL, now=NOW), *node_answers)
    refused = answer(every_kind, run, bad, now=NOW + timedelta(minutes=1))
    assert refused.error is not None
    assert refused.error.kind == "answer"
    assert refused.error.node == run.current
    assert words in refused.error.message
    assert refused == FlowRun(**{**_fields(run), "error": refused.error})


def _fields(run: FlowRun) -> dict[str, Any]:
    return {name: getattr(run, name) for name in FlowRun.__dataclass_fields__}


def test_accepted_answer_forms(every_kind: Flow) -> None:
    run = start(every_kind, CUSTOMER, CALL, now=NOW)
    run = walk(every_kind, run, "多", ("work", "video"), "120", "  a@b.cn ", "2026-02-01")
    assert run.answers == {
        "usage": "heavy",  # a label is taken for its value
        "apps": ["video", "work"],  # in the options' order
        "budget": 120,
        "email": "a@b.cn",
        "since": "2026-02-01",
    }
    assert view(every_kind, run).value is None
    labels = [s.label for s in run.history if s.kind == "question"]
    assert labels == ["多", "视频、办公", "120", "a@b.cn", "2026-02-01"]


def test_back_undoes_the_last_answer_and_what_followed(every_kind: Flow) -> None:
    run = start(every_kind, CUSTOMER, CALL, now=NOW)
    refused = back(run).error
    assert refused is not None
    assert refused.kind == "state"
    before_budget = walk(every_kind, run, "heavy", ["video"])
    after_budget = walk(every_kind, before_budget, 300)
    assert after_budget.recommendations
    undone = back(after_budget)
    assert undone == before_budget
    finished = walk(every_kind, after_budget, "a@b.cn", "2026-02-01", True)
    assert finished.status == FINISHED
    assert len(finished.effects) == 2
    reopened = back(finished)
    assert (reopened.status, reopened.current, reopened.outcome) == (ACTIVE, "agree", None)
    assert reopened.effects == ()
    assert "agree" not in reopened.answers
    assert len(reopened.recommendations) == 2  # recorded before the undone answer
    again = walk(every_kind, reopened, False)
    assert again.outcome == "not_interested"


def test_answering_a_finished_or_abandoned_run_is_refused(every_kind: Flow) -> None:
    run = start(every_kind, CUSTOMER, CALL, now=NOW)
    left = abandon(run, now=NOW)
    assert left.status == ABANDONED
    assert answer(every_kind, left, "heavy", now=NOW).error is not None
    assert back(left).error is not None
    assert abandon(left, now=NOW) is left


def test_an_expression_error_names_node_and_expression() -> None:
    flow = parse_flow(
        """\
id: fragile
version: 1
title: t
language: zh
start: ask
nodes:
  ask:
    kind: question
    text: 好吗？
    answer: yes_no
    var: ok
    next: check
  check:
    kind: branch
    branches:
      - when: days_since(customer.created_at) < 30
        goto: done
    otherwise: done
  done:
    kind: end
    outcome: resolved
"""
    )
    run = start(flow, {"name": "无开户日期"}, None, now=NOW)
    failed = answer(flow, run, True, now=NOW)
    assert failed.error is not None
    assert (failed.error.node, failed.error.kind) == ("check", "expression")
    assert failed.error.expression == "days_since(customer.created_at) < 30"
    assert "got no date" in failed.error.message
    assert failed == FlowRun(**{**_fields(run), "error": failed.error})
    ok = answer(flow, start(flow, {"created_at": "2026-02-20"}, None, now=NOW), True, now=NOW)
    assert ok.outcome == "resolved"


def test_a_failing_start_is_a_failed_run() -> None:
    flow = parse_flow(
        """\
id: fails-at-once
version: 1
title: t
language: zh
start: pick
nodes:
  pick:
    kind: branch
    branches:
      - when: len(customer.tags) > 1 / 0
        goto: done
    otherwise: done
  done:
    kind: end
    outcome: resolved
"""
    )
    run = start(flow, {}, None, now=NOW)
    assert run.status == FAILED
    assert run.error is not None
    assert run.error.node == "pick"
    assert "ZeroDivisionError" in run.error.message


def test_json_round_trip(every_kind: Flow) -> None:
    run = start(every_kind, CUSTOMER, CALL, now=NOW)
    run = walk(every_kind, run, "heavy", ["video"], 300, "a@b.cn", "2026-02-01", True)
    text = run.to_json()
    assert json.loads(text)["flow_version"] == 1
    assert FlowRun.from_json(text) == run
    refused = answer(every_kind, start(every_kind, CUSTOMER, CALL, now=NOW), "x", now=NOW)
    assert FlowRun.from_dict(json.loads(refused.to_json())) == refused


def test_transcript_has_question_answer_and_time(every_kind: Flow) -> None:
    run = start(every_kind, CUSTOMER, CALL, now=NOW)
    run = answer(every_kind, run, "heavy", now=NOW + timedelta(seconds=20))
    run = answer(every_kind, run, ["games"], now=NOW + timedelta(seconds=45))
    run = answer(every_kind, run, 88, now=NOW + timedelta(seconds=60))
    assert transcript(run) == [
        {"node": "usage", "question": "每月流量？", "answer": "heavy", "shown": "多",
         "at": "2026-03-01T09:30:20+00:00"},
        {"node": "apps", "question": "常用应用？", "answer": ["games"], "shown": "游戏",
         "at": "2026-03-01T09:30:45+00:00"},
        {"node": "budget", "question": "预算（多流量）？", "answer": 88, "shown": "88",
         "at": "2026-03-01T09:31:00+00:00"},
    ]  # fmt: skip


# --- versions --------------------------------------------------------------------------------

V1 = """\
id: greeting
version: 1
title: 问候
language: zh
start: ask
nodes:
  ask:
    kind: question
    text: 第一版：满意吗？
    answer: yes_no
    var: happy
    next: done
  done:
    kind: end
    outcome: resolved
"""
V2 = (
    V1.replace("version: 1", "version: 2")
    .replace("第一版", "第二版")
    .replace("next: done", "next: why")
    + """\
  why:
    kind: question
    text: 为什么？
    answer: text
    var: reason
    next: done
"""
)


def test_a_run_keeps_its_version_when_a_new_one_is_published(tmp_path: Path) -> None:
    (tmp_path / "v1.yaml").write_text(V1, encoding="utf-8")
    library = FlowLibrary()
    assert library.load(tmp_path) == []
    runner = Runner(library)
    old = runner.start("greeting", CUSTOMER, CALL, now=NOW)
    assert old.flow_version == 1

    (tmp_path / "v2.yaml").write_text(V2, encoding="utf-8")
    assert library.load(tmp_path / "v2.yaml") == []
    assert library.versions("greeting") == (1, 2)
    new = runner.start("greeting", CUSTOMER, CALL, now=NOW)
    assert new.flow_version == 2
    shown = runner.view(old)
    assert not isinstance(shown, RunError)
    assert shown.text == "第一版：满意吗？"

    old = runner.answer(FlowRun.from_json(old.to_json()), True, now=NOW)
    assert (old.status, old.outcome) == (FINISHED, "resolved")  # v1 has no "why"
    new = runner.answer(new, True, now=NOW)
    assert new.current == "why"

    v2 = library.get("greeting")
    assert v2 is not None
    assert v2.version == 2
    mixed = answer(v2, runner.start("greeting", None, None, now=NOW, version=1), True, now=NOW)
    assert mixed.error is not None
    assert "version 1" in mixed.error.message


def test_library_refuses_to_replace_a_version_and_reports_unknown_flows(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(V1, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(V1.replace("第一版", "改过"), encoding="utf-8")
    library = FlowLibrary()
    problems = library.load(tmp_path)
    assert [(Path(p.file).name, p.code) for p in problems] == [("b.yaml", "duplicate-flow")]
    assert len(library) == 1
    runner = Runner(library)
    missing = runner.start("nope", None, None, now=NOW)
    assert missing.status == FAILED
    assert missing.error is not None
    ghost = FlowRun.from_dict({**missing.to_dict(), "flow_id": "ghost", "status": "active"})
    assert runner.answer(ghost, True, now=NOW).error is not None
    assert isinstance(runner.view(ghost), RunError)


def test_flows_with_problems_are_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(V1.replace("next: done", "next: gone"), encoding="utf-8")
    library = FlowLibrary()
    assert [p.code for p in library.load(path)] == ["unknown-target", "unreachable"]
    assert len(library) == 0
    with pytest.raises(FlowError, match="unknown-target"):
        load_flow(path)
