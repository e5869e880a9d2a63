"""The console's work pane against the real server in-process: an unknown caller made a
customer by quick-create, a call script published through the API run to its end, and a
knowledge search that finds an article created through the API and opens it."""

from __future__ import annotations

from console.widgets.knowledge import KnowledgePane
from console.widgets.request_editor import RequestEditor
from console.widgets.script_runner import ScriptRunner
from switchboard.core.http import CLOCK, DATABASE
from switchboard.demo.service_desk import seed_service_desk
from tests.conftest import LiveServer
from tests.functional.conftest import SIZE, screen_text, wait_for_text, wait_until
from tests.functional.test_console_call_real_server import console, event, ok

UNKNOWN = "13905712233"  # the number of ``event``'s caller, in nobody's record

FLOW = """
id: line-fault
version: 1
title: 宽带报障
language: zh
start: ask_kind
nodes:
  ask_kind:
    kind: question
    text: "{customer.name|您}好，请问是哪类故障？"
    answer: single
    options:
      - {value: slow, label: 网速慢}
      - {value: down, label: 断网}
    var: kind
    next: ask_since
  ask_since:
    kind: question
    text: 故障持续几天了？
    answer: number
    min: 0
    max: 60
    integer: true
    var: days
    next: done
  done:
    kind: end
    outcome: recorded
"""

ARTICLE = {
    "id": "KB-REFUND",
    "title": "话费退款怎么办理",
    "kind": "solution",
    "category": "billing/refund",
    "status": "published",
    "body": "多扣的话费可以申请退款，**三个工作日**内退回原账户。",
}


async def test_an_unknown_caller_is_made_a_customer_by_quick_create(
    live: LiveServer, admin: str, cti: str
) -> None:
    app = await console(live, admin)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        await ok(live, cti, "POST", "/api/v1/cti/events", event(1, "ringing"))
        await wait_for_text(pilot, "No customer with this number", "New customer")
        await pilot.press("n", *"欧阳娜娜", "enter")
        await wait_for_text(pilot, "Caller · known", "created on this call")
        await wait_until(pilot, lambda: app.customer_id is not None)
    found = await ok(live, admin, "GET", f"/api/v1/customers/lookup?phone={UNKNOWN}")
    assert found["status"] == "known"
    [match] = found["candidates"]
    assert match["customer_id"] == app.customer_id
    assert match["name"] == "欧阳娜娜"


async def test_a_published_script_runs_to_its_end_on_the_call(
    live: LiveServer, admin: str, cti: str
) -> None:
    await ok(live, admin, "POST", "/api/v1/flows", {"source": FLOW})
    app = await console(live, admin)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_text(pilot, "connected")
        await ok(live, cti, "POST", "/api/v1/cti/events", event(1, "ringing"))
        await wait_for_text(pilot, "No customer with this number")
        await pilot.press("f3")
        app.query_one("#script-flow").value = "line-fault"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for_text(pilot, "您好，请问是哪类故障？", "1. 网速慢", "2. 断网")
        await pilot.press("down", "enter")  # 断网
        await wait_for_text(pilot, "故障持续几天了？")
        await pilot.press(*"x", "enter")  # refused by the server: one line, the run unchanged
        await wait_for_text(pilot, "is not a number")
        assert app.query_one("#script-answer").value == "x"  # type: ignore[attr-defined]
        await pilot.press("backspace", "3", "enter")  # the agent corrects what was typed
        await wait_for_text(pilot, "Script finished", "recorded")
        step = app.query_one(ScriptRunner).step
        assert step is not None
        assert step.finished
        assert "Traceback" not in screen_text(app)
    runs = (await ok(live, admin, "GET", "/api/v1/flow-runs?call_id=c-1"))["runs"]
    assert [(r["flow_id"], r["status"], r["outcome"]) for r in runs] == [
        ("line-fault", "finished", "recorded")
    ]


async def test_a_knowledge_search_finds_an_article_and_opens_it(
    live: LiveServer, admin: str
) -> None:
    await ok(live, admin, "POST", "/api/v1/kb/articles", ARTICLE)
    app = await console(live, admin)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_text(pilot, "connected")
        await pilot.press("f4", *"退款")
        pane = app.query_one(KnowledgePane)
        await wait_until(pilot, lambda: [h.id for h in pane.hits] == ["KB-REFUND"])
        await wait_for_text(pilot, "话费退款怎么办理")
        await pilot.press("enter", "enter")  # to the hits, open the first
        await wait_for_text(pilot, "三个工作日")
    article = await ok(live, admin, "GET", "/api/v1/kb/articles/KB-REFUND")
    assert article["views"] == 2  # the console's open, and this read


async def test_a_request_on_the_demo_desk_gets_the_complaint_deadlines(
    live: LiveServer, admin: str, cti: str
) -> None:
    """What `switchboard seed-demo` sets up is enough for a request made from the console."""
    now = live.app[CLOCK].now()
    await live.app[DATABASE].writer.run(lambda c: seed_service_desk(c, now))
    app = await console(live, admin)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_text(pilot, "connected")
        await ok(live, cti, "POST", "/api/v1/cti/events", event(1, "ringing"))
        await wait_for_text(pilot, "No customer with this number")
        await pilot.press("f5", *"重复扣费", "tab", *"complaint/bi", "right", "ctrl+s")
        await wait_for_text(pilot, "SLA First response: 1:59:", "SLA Resolution: 23:59:")
        ticket = app.query_one(RequestEditor).ticket
        assert ticket is not None
    view = await ok(live, admin, "GET", f"/api/v1/tickets/{ticket.number}")
    assert view["category_path"] == "complaint/billing"
