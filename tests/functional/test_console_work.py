"""The console's work against routes being built elsewhere, served by ``FakeDesk``:
quick-create makes the customer, a script runs to its end, a knowledge search finds an
article, a slow search's stale answer never lands, and server errors show as one line."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from console.agent_app import AgentConsoleApp
from console.client import ServerClient
from console.config import ConsoleConfig
from console.feed import AgentFeed, Backoff
from console.widgets import StatusBar
from console.widgets.knowledge import KnowledgePane
from console.widgets.script_runner import ScriptRunner
from tests.functional.conftest import (
    AGENT,
    SIZE,
    TOKEN,
    known_pop,
    screen_pop,
    screen_text,
    wait_for_text,
    wait_until,
)
from tests.functional.fake_desk import FakeDesk


@pytest.fixture
async def desk() -> AsyncIterator[FakeDesk]:
    server = FakeDesk()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


def console(desk: FakeDesk, **config: object) -> AgentConsoleApp:
    feed = AgentFeed(desk.url, TOKEN, backoff=Backoff(initial=0.05, maximum=0.2, jitter=0.0))
    return AgentConsoleApp(
        feed,
        agent_id=AGENT["id"],
        api=ServerClient(desk.url, TOKEN),
        config=ConsoleConfig(**{"language": "en", "default_flow": "broadband", **config}),
    )


async def test_unknown_caller_is_created_from_the_call(desk: FakeDesk) -> None:
    app = console(desk)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        desk.publish(screen_pop("unknown", number="+86 139 0000 1111", e164="+8613900001111"))
        await wait_for_text(pilot, "No customer with this number", "New customer")
        await pilot.press("n")
        await pilot.press("ctrl+s")  # no name yet: refused, naming the field
        await wait_for_text(pilot, "Name is required")
        assert not any(path.startswith("/api/v1/customers/quick") for _m, path, _b in desk.requests)
        for key in "张伟":
            await pilot.press(key)
        await pilot.press("enter")
        await wait_for_text(pilot, "Caller · known", "created on this call")
        assert (
            "POST",
            "/api/v1/customers/quick",
            {"number": "+8613900001111", "name": "张伟"},
        ) in (desk.requests)
        await wait_until(pilot, lambda: any("/360" in p for _m, p, _b in desk.requests))
        assert "张伟" in screen_text(app)


async def test_a_script_runs_to_its_end(desk: FakeDesk) -> None:
    app = console(desk)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        desk.publish(screen_pop("unknown"))
        await wait_for_text(pilot, "No customer with this number")  # a pop brings the caller up
        await pilot.press("f3")
        await pilot.press("enter")  # the default script id is filled in
        await wait_for_text(pilot, "请问是宽带故障吗", "1. 是")
        await pilot.press("enter")  # the highlighted answer: 是
        await wait_for_text(pilot, "故障从什么时候开始")
        await pilot.press("ctrl+b")  # back to the first question
        await wait_for_text(pilot, "请问是宽带故障吗")
        await pilot.press("down", "enter")  # 否
        await wait_for_text(pilot, "故障从什么时候开始")
        for key in "昨天":
            await pilot.press(key)
        await pilot.press("enter")
        await wait_for_text(pilot, "Script finished", "recorded")
        run = desk.runs[1]
        assert run["call"] == "c-77"
        assert run["answers"] == {"q1": "no", "q2": "昨天"}
        assert app.query_one(ScriptRunner).step is not None


async def test_an_unknown_script_is_one_line(desk: FakeDesk) -> None:
    app = console(desk, default_flow="nope")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        await pilot.press("f3", "enter")
        await wait_for_text(pilot, "Server said 404: no flow 'nope' (flow_id)")
        assert "Traceback" not in screen_text(app)


async def test_knowledge_search_finds_and_opens_an_article(desk: FakeDesk) -> None:
    app = console(desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_text(pilot, "connected")
        await pilot.press("f4")
        for key in "退款":
            await pilot.press(key)
        await wait_for_text(pilot, "退款多久到账")
        await pilot.press("enter", "enter")  # to the hits, open the first
        await wait_for_text(pilot, "3-5 个工作日")
        assert any(p.startswith("/api/v1/kb/articles/kb-1") for _m, p, _b in desk.requests)


async def test_a_slow_search_never_paints_a_stale_answer(desk: FakeDesk) -> None:
    desk.kb_delays["宽"] = 1.0  # the first keystroke's search is slow
    app = console(desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_text(pilot, "connected")
        await pilot.press("f4", "宽")
        await wait_until(pilot, lambda: any("q=%E5%AE%BD&" in p for _m, p, _b in desk.requests))
        await pilot.press("带")  # typing goes on while the slow answer is on its way
        pane = app.query_one(KnowledgePane)
        assert app.query_one("#kb-query").value == "宽带"  # type: ignore[attr-defined]
        await wait_for_text(pilot, "宽带故障排查")
        await pilot.pause(1.2)  # the slow answer for "宽" would have arrived by now
        assert [hit.id for hit in pane.hits] == ["kb-2"]


async def test_state_keys_reach_the_server(desk: FakeDesk) -> None:
    app = console(desk)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        await pilot.press("f9")
        await wait_for_text(pilot, "Not ready")
        await pilot.press("f8")
        await wait_for_text(pilot, "Break — why?")
        await pilot.press("down", "enter")  # the second reason: rest
        await wait_until(pilot, lambda: desk.state == "break")
        bodies = [b for m, p, b in desk.requests if p.endswith("/state")]
        assert bodies == [{"state": "not_ready"}, {"state": "break", "reason": "rest"}]


async def test_a_server_error_is_one_line_and_goes_when_the_server_recovers(
    desk: FakeDesk,
) -> None:
    desk.kb_broken = True
    app = console(desk)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        await pilot.press("f4", "退")
        await wait_for_text(pilot, "Server said 500: Internal Server Error (GET /api/v1/kb/search)")
        assert "Traceback" not in screen_text(app)
        assert app.query_one("#kb-query").value == "退"  # type: ignore[attr-defined]
        desk.kb_broken = False
        await pilot.press("款")
        await wait_for_text(pilot, "退款多久到账")
        await wait_until(pilot, lambda: "Server said" not in screen_text(app))


async def test_a_pop_during_the_wrap_up_save_stays_on_screen(desk: FakeDesk) -> None:
    desk.state_delay = 0.5
    desk.state = "on_call"  # so the hello says so, and "available" can only come from the save
    app = console(desk)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        desk.publish(known_pop("c-77"))
        desk.publish({"type": "call", "call_id": "c-77", "state": "ended", "agent": "a-1001"})
        await wait_for_text(pilot, "ENDED")
        await pilot.press("f6", "enter", "down", "enter", "ctrl+s")  # resolved, no notes needed
        await wait_until(pilot, lambda: any(p.endswith("/state") for _m, p, _b in desk.requests))
        desk.publish(known_pop("c-78"))  # the next caller, while the save is on its way
        status = app.query_one(StatusBar)
        await wait_until(pilot, lambda: status.agent_state == "available")  # the save is done
        assert app.call is not None
        assert app.call.call_id == "c-78"
        assert app.pop is not None
        await wait_for_text(pilot, "RINGING", "c-78", "深圳市腾达科技有限公司")


async def test_articles_suggested_for_the_call_wait_in_the_knowledge_pane(desk: FakeDesk) -> None:
    app = console(desk)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        desk.publish(known_pop("c-77"))
        await wait_for_text(pilot, "Caller · known")
        await pilot.press("f4")
        await wait_for_text(pilot, "Suggested for this call", "宽带故障排查")
        assert ("GET", "/api/v1/kb/suggestions?call_id=c-77", None) in desk.requests
        for key in "退款":  # a search replaces the suggestions
            await pilot.press(key)
        await wait_for_text(pilot, "退款多久到账")
        assert "Suggested for this call" not in screen_text(app)


async def test_a_server_without_suggestions_says_nothing(desk: FakeDesk) -> None:
    desk.without_suggestions = True
    desk.customers[1] = {"id": 1, "name": "深圳市腾达科技有限公司", "phone": "+8613812345678"}
    app = console(desk)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        desk.publish(known_pop("c-77"))
        await wait_for_text(pilot, "Caller · known")
        await wait_until(pilot, lambda: any("suggestions" in p for _m, p, _b in desk.requests))
        await pilot.pause(0.3)
        assert "Server said" not in screen_text(app)
