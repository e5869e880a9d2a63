"""A call through the console against the real server in-process: several matches give the
picker, state keys reach the server and the server's changes show at once, a request created
from the call shows its SLA countdown, and wrap-up makes the agent available."""

from __future__ import annotations

from typing import Any

from console.agent_app import AgentConsoleApp
from console.client import ServerClient
from console.config import ConsoleConfig
from console.feed import AgentFeed, Backoff
from console.widgets.request_editor import RequestEditor
from tests.conftest import LiveServer
from tests.functional.conftest import SIZE, screen_text, wait_for_text, wait_until

AGENT = {"id": "a-1001", "name": "王小明", "extension": "1001"}
NUMBER = "+86 139 0571 2233"
ALWAYS = {
    "name": "24/7",
    "timezone": "UTC",
    "weekly": {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}


async def ok(live: LiveServer, token: str, method: str, path: str, body: Any = None) -> Any:
    status, answer = await live.call(method, path, token, json=body)
    assert status in (200, 201), (path, status, answer)
    return answer


async def console(live: LiveServer, admin: str) -> AgentConsoleApp:
    await ok(live, admin, "POST", "/api/v1/agents", AGENT)
    token = await live.token("agent", "console", "a-1001")
    feed = AgentFeed(live.url, token, backoff=Backoff(initial=0.05, maximum=0.2, jitter=0.0))
    return AgentConsoleApp(
        feed,
        agent_id="a-1001",
        api=ServerClient(live.url, token),
        config=ConsoleConfig(language="en"),
    )


def event(n: int, kind: str, call: str = "c-1") -> dict[str, str]:
    return {
        "event_id": f"e-{n}",
        "call_id": call,
        "type": kind,
        "from": "13905712233",
        "to": "4008001234",
        "agent": "1001",
    }


async def agent_state(live: LiveServer, admin: str) -> str:
    return str((await ok(live, admin, "GET", "/api/v1/agents/a-1001"))["state"])


async def test_several_matches_give_the_picker_and_the_pick_loads_the_360(
    live: LiveServer, admin: str, cti: str
) -> None:
    for name, city in (("欧阳娜娜", "杭州市"), ("张伟", "深圳")):
        body = {"kind": "individual", "name": name, "city": city, "phones": [NUMBER]}
        await ok(live, admin, "POST", "/api/v1/customers", body)
    app = await console(live, admin)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        await ok(live, cti, "POST", "/api/v1/cti/events", event(1, "ringing"))
        await wait_for_text(pilot, "Possible callers (2)", "欧阳娜娜", "张伟")
        await pilot.press("c", "down", "enter")
        await wait_for_text(pilot, "Chosen by the agent")
        await wait_until(pilot, lambda: app.customer_id is not None)
        await wait_until(pilot, lambda: app.query_one("#profile").profile is not None)  # type: ignore[attr-defined]
        profile = app.query_one("#profile").profile  # type: ignore[attr-defined]
        assert profile.name == app.query_one("#caller-card").chosen.customer_name  # type: ignore[attr-defined]


async def test_state_keys_reach_the_server_and_server_changes_show(
    live: LiveServer, admin: str
) -> None:
    app = await console(live, admin)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        await pilot.press("f7")
        await wait_for_text(pilot, "Available")
        await pilot.press("f8")
        await wait_for_text(pilot, "Break — why?")
        await pilot.press("enter")  # lunch
        await wait_for_text(pilot, "Break (Lunch)")
        assert await agent_state(live, admin) == "break"
        # A supervisor (here the admin) moves the agent: the console shows it at once.
        await ok(live, admin, "POST", "/api/v1/agents/a-1001/state", {"state": "not_ready"})
        await wait_for_text(pilot, "Not ready")


async def test_a_request_from_the_call_shows_its_sla_countdown(
    live: LiveServer, admin: str, cti: str
) -> None:
    await ok(live, admin, "PUT", "/api/v1/calendars/always", ALWAYS)
    await ok(live, admin, "POST", "/api/v1/ticket-categories", {"id": "refund", "name": "退款"})
    policy = {"name": "std", "first_response": "1h", "resolution": "8h", "calendar": "always"}
    await ok(live, admin, "PUT", "/api/v1/sla-policies", {"policies": [policy]})
    customer = await ok(
        live,
        admin,
        "POST",
        "/api/v1/customers",
        {"kind": "individual", "name": "欧阳娜娜", "phones": [NUMBER]},
    )
    app = await console(live, admin)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_text(pilot, "connected")
        await ok(live, cti, "POST", "/api/v1/cti/events", event(1, "ringing"))
        await wait_for_text(pilot, "Caller · known", "欧阳娜娜")
        await pilot.press("f5")
        for key in "退款未到账":
            await pilot.press(key)
        await pilot.press("tab", *"ref", "right", "ctrl+s")  # → takes the completion
        await wait_for_text(pilot, "SLA First response: 59:", "SLA Resolution: 7:59:")
        ticket = app.query_one(RequestEditor).ticket
        assert ticket is not None
        view = await ok(live, admin, "GET", f"/api/v1/tickets/{ticket.number}")
        assert view["customer_id"] == customer["id"]
        assert view["linked_calls"] == ["c-1"]
        assert view["channel"] == "phone"
        assert view["category_path"] == "refund"
        await wait_for_text(pilot, ticket.number, "退款未到账")  # listed under Requests too


async def test_wrap_up_makes_the_agent_available(live: LiveServer, admin: str, cti: str) -> None:
    app = await console(live, admin)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        await ok(live, cti, "POST", "/api/v1/cti/events", event(1, "ringing"))
        await wait_for_text(pilot, "RINGING")
        await ok(live, cti, "POST", "/api/v1/cti/events", event(2, "answered"))
        await wait_for_text(pilot, "ANSWERED")
        await ok(live, cti, "POST", "/api/v1/cti/events", event(3, "ended"))
        await wait_for_text(pilot, "ENDED")
        await pilot.press("f6")
        await wait_for_text(pilot, "Wrap-up 0:")
        await pilot.press("ctrl+s")
        await wait_for_text(pilot, "Choose a disposition")
        await pilot.press("enter", "down", "down", "down", "enter")  # call back: needs notes
        await pilot.press("ctrl+s")
        await wait_for_text(pilot, "Notes are required")
        await pilot.press("tab", *"客户投诉", "ctrl+s")
        await wait_until(pilot, lambda: "No call" in screen_text(app))
        assert await agent_state(live, admin) == "available"
        await wait_for_text(pilot, "Available")
