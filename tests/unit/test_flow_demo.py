"""The demo flows: clean under ``flows check`` (against the demo knowledge base), realistic
paths end where they should, and random valid answers always reach an end."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.flows.check import check, main
from knowledge.flows.library import FlowLibrary
from knowledge.flows.model import AnswerKind, AnswerSpec, Flow, QuestionNode
from knowledge.flows.runner import ACTIVE, FINISHED, FlowRun, answer, back, start, view

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT / "knowledge" / "demo" / "flows"
ARTICLES = ROOT / "knowledge" / "demo" / "articles"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
MAX_ANSWERS = 200


@pytest.fixture(scope="module")
def library() -> FlowLibrary:
    flows = FlowLibrary()
    assert flows.load(FLOWS) == []
    return flows


def demo(library: FlowLibrary, flow_id: str) -> Flow:
    flow = library.get(flow_id)
    assert flow is not None
    return flow


def test_three_demo_flows_pass_the_checker() -> None:
    files = sorted(p.name for p in FLOWS.glob("*.yaml"))
    assert files == ["complaint-intake.yaml", "fault-diagnosis.yaml", "plan-recommendation.yaml"]
    assert check(FLOWS) == []


def test_demo_flows_reference_real_articles_and_products(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--kb", str(ARTICLES), str(FLOWS)]) == 0
    assert capsys.readouterr().out == "3 flow files checked: no problems\n"


def test_demo_flows_use_every_node_and_answer_kind(library: FlowLibrary) -> None:
    kinds = {str(n.kind) for f in library for n in f.nodes.values()}
    answers = {
        str(n.answer.kind) for f in library for n in f.nodes.values() if isinstance(n, QuestionNode)
    }
    assert kinds == {"question", "info", "branch", "recommend", "kb", "set", "create_ticket", "end"}
    assert answers == {k.value for k in AnswerKind}


def run_script(flow: Flow, customer: dict[str, Any], *answers: Any) -> FlowRun:
    run = start(flow, customer, {"queue": "demo"}, now=NOW)
    for value in answers:
        run = answer(flow, run, value, now=NOW)
        assert run.error is None, run.error
    return run


def test_plan_recommendation_for_an_a_class_family(library: FlowLibrary) -> None:
    flow = demo(library, "plan-recommendation")
    customer = {"name": "周杰", "tier": "A", "products": ["5G-PLUS-199"], "tags": []}
    run = run_script(
        flow, customer, "china_unicom", "other", "extreme", ["work", "cloud"], 2, True, True, 320
    )
    products = [r.product for r in run.recommendations]
    assert products[:2] == ["FAM-5G-259", "5G-MAX-399"]
    assert "CLOUD-50G" in products
    assert "5G-PLUS-199" not in products
    assert view(flow, run).articles == ("KB-PROMO-PORTIN-2026", "KB-SVC-002")
    for value in ("accept", "FAM-5G-259"):
        run = answer(flow, run, value, now=NOW)
    assert (run.status, run.outcome) == (FINISHED, "sold")
    ticket = run.effects[-1].data
    assert ticket["priority"] == "high"
    assert "5G全家享融合套餐 259元" in ticket["title"]


def test_plan_recommendation_for_a_student_on_a_budget(library: FlowLibrary) -> None:
    flow = demo(library, "plan-recommendation")
    run = run_script(flow, {}, "none", "student", "medium", ["video"], 1, False, False, 50)
    assert [r.product for r in run.recommendations] == [
        "5G-YOUTH-39",
        "5G-LITE-59",
        "VIDEO-VIP-15",
    ]
    run = run_script(
        flow, {}, "none", "student", "medium", ["video"], 1, False, False, 50, "decline", "price"
    )
    assert run.outcome == "not_interested"


def test_fault_diagnosis_unresolved_creates_an_urgent_ticket_for_a_class(
    library: FlowLibrary,
) -> None:
    flow = demo(library, "fault-diagnosis")
    customer = {"name": "陈静", "tier": "A", "city": "杭州"}
    run = run_script(flow, customer, "broadband", True, False, False, "2026-02-20", "13800138000")
    assert (run.status, run.outcome) == (FINISHED, "ticket_created")
    ticket = next(e.data for e in run.effects if e.kind == "create_ticket")
    assert ticket["priority"] == "urgent"
    assert ticket["title"] == "故障报修：家里宽带断网（杭州）"
    assert "光猫LOS红灯：是" in ticket["description"]
    assert "KB-SCR-004" in [a for s in run.history if s.kind == "kb" for a in s.items]


def test_fault_diagnosis_resolved_after_asking_again(library: FlowLibrary) -> None:
    flow = demo(library, "fault-diagnosis")
    run = run_script(flow, {}, "no_data", True, False, True, "no_signal", "indoors", True)
    assert (run.outcome, run.effects) == ("resolved", ())
    assert [r.product for r in run.recommendations] == ["DATA-5G-10", "5G-PLUS-199"]


def test_complaint_intake_escalates_a_class(library: FlowLibrary) -> None:
    flow = demo(library, "complaint-intake")
    run = run_script(
        flow, {"name": "吴刚", "tier": "A"}, "billing", "上月重复扣费两次，要求退款", "medium", 0,
        128.5, False,
    )  # fmt: skip
    assert (run.status, run.outcome) == (FINISHED, "escalated")
    ticket = run.effects[-1].data
    assert (ticket["category"], ticket["priority"], ticket["group"]) == (
        "complaint/billing",
        "urgent",
        "complaints-l2",
    )
    assert "涉及金额：128.5元" in ticket["description"]
    assert run.effects[0].data == {"field": "customer.tags", "mode": "add", "value": "投诉历史"}


def test_complaint_intake_handled_at_first_line(library: FlowLibrary) -> None:
    flow = demo(library, "complaint-intake")
    run = run_script(flow, {"tier": "C"}, "service", "营业员态度差", "low", 0, False, True)
    assert run.outcome == "resolved"
    ticket = run.effects[-1].data
    assert (ticket["priority"], ticket["group"]) == ("low", "complaints")
    assert "涉及金额：—元" in ticket["description"]


# --- random walks ----------------------------------------------------------------------------

_TEXT = st.text(alphabet="客户投诉网络信号abc 0123456789", min_size=1, max_size=60)


def answers_for(spec: AnswerSpec) -> st.SearchStrategy[Any]:
    values = [o.value for o in spec.options]
    if spec.kind == AnswerKind.SINGLE:
        return st.sampled_from(values)
    if spec.kind == AnswerKind.MULTIPLE:
        return st.lists(
            st.sampled_from(values),
            unique=True,
            min_size=spec.min_choices,
            max_size=spec.max_choices or len(values),
        )
    if spec.kind == AnswerKind.NUMBER:
        low = spec.minimum if spec.minimum is not None else -1e6
        high = spec.maximum if spec.maximum is not None else 1e6
        if spec.integer:
            return st.integers(int(low), int(high))
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    if spec.kind == AnswerKind.DATE:
        return st.dates(date(2024, 1, 1), date(2026, 3, 2)).map(date.isoformat)
    if spec.kind == AnswerKind.YES_NO:
        return st.booleans()
    if spec.pattern:
        return st.from_regex(spec.pattern, fullmatch=True).filter(
            lambda s: s == s.strip() and spec.min_length <= len(s) <= spec.max_length
        )
    return _TEXT.filter(lambda s: spec.min_length <= len(s.strip()) <= spec.max_length)


customers = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(["张伟", "王芳", "Li Na"]),
        "tier": st.sampled_from(["A", "B", "C", None]),
        "tags": st.lists(st.sampled_from(["投诉历史", "高价值", "老客户", "回访"]), unique=True),
        "products": st.lists(
            st.sampled_from(["5G-PLUS-129", "5G-PLUS-199", "5G-PRO-299", "5G-MAX-399"]),
            unique=True,
        ),
        "city": st.sampled_from(["上海", "成都"]),
        "created_at": st.dates(date(2020, 1, 1), date(2026, 3, 1)).map(date.isoformat),
    },
)


@pytest.mark.parametrize("flow_id", ["plan-recommendation", "fault-diagnosis", "complaint-intake"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), customer=customers)
def test_random_valid_answers_always_reach_an_end(
    library: FlowLibrary, flow_id: str, data: st.DataObject, customer: dict[str, Any]
) -> None:
    flow = demo(library, flow_id)
    run = start(flow, customer, {"queue": "demo", "dnis": "10010"}, now=NOW)
    assert run.error is None
    for count in range(MAX_ANSWERS):
        if run.status == FINISHED:
            break
        assert run.status == ACTIVE
        node = flow.nodes[run.current or ""]
        assert isinstance(node, QuestionNode)
        shown = view(flow, run)
        assert shown.error is None
        assert shown.kind == "question"
        assert "{" not in shown.text
        value = data.draw(answers_for(node.answer), label=node.id)
        following = answer(flow, run, value, now=NOW + timedelta(seconds=count))
        assert following.error is None, (node.id, value, following.error)
        assert back(following) == run  # going back is exact
        run = following
    assert run.status == FINISHED, f"no end after {MAX_ANSWERS} answers"
    assert run.outcome
    assert view(flow, run).kind == "end"
    assert FlowRun.from_json(run.to_json()) == run
