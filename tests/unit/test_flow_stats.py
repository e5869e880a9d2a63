"""Flow statistics: drop-off per node and outcome rates per flow version."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from knowledge.flows.library import parse_flow
from knowledge.flows.runner import FlowRun, abandon, answer, start
from knowledge.flows.stats import NodeDropOff, flow_stats

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FLOW = """\
id: survey
version: {version}
title: 调查
language: zh
start: first
nodes:
  first:
    kind: question
    text: 满意吗？
    answer: yes_no
    var: happy
    branches:
      - when: answers.happy
        goto: good
    otherwise: second
  second:
    kind: question
    text: 哪里不满意？
    answer: text
    var: why
    next: bad
  good:
    kind: end
    outcome: resolved
  bad:
    kind: end
    outcome: escalated
"""


def runs_of(version: int, script: list[list[object]]) -> list[FlowRun]:
    flow = parse_flow(FLOW.replace("{version}", str(version)))
    runs = []
    for answers in script:
        run = start(flow, None, None, now=NOW)
        for value in answers:
            run = answer(flow, run, value, now=NOW)
        runs.append(run if run.status == "finished" else abandon(run, now=NOW))
    return runs


def test_drop_off_and_outcomes_per_version() -> None:
    v1 = runs_of(1, [[True], [True], [False, "太贵"], [False], [], []])
    v2 = runs_of(2, [[True], [False, "信号差"]])
    first, second = flow_stats([*v1, *v2])
    assert (first.flow_id, first.version, first.runs) == ("survey", 1, 6)
    assert (first.finished, first.stopped) == (3, 3)
    assert first.completion_rate == pytest.approx(0.5)
    assert first.outcomes == {"escalated": 1, "resolved": 2}
    assert first.outcome_rates == {
        "escalated": pytest.approx(1 / 6),
        "resolved": pytest.approx(2 / 6),
    }
    assert first.drop_off == (
        NodeDropOff("first", reached=6, stopped=2, rate=2 / 6),
        NodeDropOff("second", reached=2, stopped=1, rate=0.5),
    )
    assert (second.version, second.runs, second.completion_rate, second.drop_off) == (2, 2, 1.0, ())
    assert second.outcome_rates == {"escalated": 0.5, "resolved": 0.5}


def test_no_runs_no_stats() -> None:
    assert flow_stats([]) == []


def test_a_node_visited_twice_counts_once_per_run() -> None:
    looping = parse_flow(
        FLOW.replace("{version}", "1").replace(
            "next: bad",
            "branches:\n      - when: answers.why == '再来'\n"
            "        goto: first\n    otherwise: bad",
        )
    )
    run = start(looping, None, None, now=NOW)
    for value in (False, "再来", False, "再来"):
        run = answer(looping, run, value, now=NOW)
    (stats,) = flow_stats([abandon(run, now=NOW)])
    assert stats.drop_off == (NodeDropOff("first", 1, 1, 1.0),)
