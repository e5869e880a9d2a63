"""The wallboard's actions against the real server in-process: each one reaches the server
and lands in the audit log under the supervisor's name."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from textual.widgets import Label

from console.wallboard.app import WallboardApp
from console.wallboard.client import SupervisorClient
from console.wallboard.widgets import AlarmList
from switchboard.core.floor_wire import AgentRow, AlarmWire, CampaignTile, FloorSnapshot
from tests.conftest import LiveServer
from tests.functional.conftest import wait_until
from tests.functional.test_wallboard import ScriptedFeed, choose, settle

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def ok(live: LiveServer, token: str, method: str, path: str, body: Any = None) -> Any:
    status, reply = await live.call(method, path, token, json=body)
    assert status in (200, 201), (path, reply)
    return reply


async def test_board_actions_reach_the_server_and_are_audited(live: LiveServer) -> None:
    admin = await live.token("admin", "root")
    for agent, skills in (("a-1", {"billing": 3}), ("a-2", {"tech": 2})):
        await ok(
            live, admin, "POST", "/api/v1/agents", {"id": agent, "name": agent, "skills": skills}
        )
    for queue in ("billing", "tech"):
        await ok(live, admin, "POST", "/api/v1/queues", {"id": queue, "skills": {queue: 2}})
    campaign = {"id": "k1", "name": "宽带续费", "mode": "preview", "agents": ["a-1"]}
    await ok(live, admin, "POST", "/api/v1/campaigns", campaign)
    await ok(live, admin, "POST", "/api/v1/ticket-categories", {"id": "refund", "name": "退款"})
    body = {"title": "退款未到账", "category": "refund", "channel": "phone", "handler": "a-1"}
    number = (await ok(live, admin, "POST", "/api/v1/tickets", body))["number"]

    supervisor = await live.token("supervisor", "王主管")
    api = SupervisorClient(live.url, supervisor)
    feed = ScriptedFeed()
    app = WallboardApp(feed, api, clock=lambda: NOW, tick=3600)
    floor = FloorSnapshot(
        at=NOW,
        period_start=NOW.replace(hour=0),
        agents=[
            AgentRow(agent="a-1", name="张伟", state="available", since=NOW),
            AgentRow(agent="a-2", name="李娜", state="available", since=NOW),
        ],
        campaigns=[CampaignTile(campaign="k1")],
        alarms=[
            AlarmWire(
                key=f"sla_about_to_breach:{number}",
                kind="sla_about_to_breach",
                subject=number,
                severity="warning",
                text=f"request {number} breaches its SLA in 10 min",
            )
        ],
    )

    def notice() -> str:
        return str(app.query_one("#board-notice", Label).render())

    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, feed, floor)
            await pilot.press("g", "m")  # a-1's queues: billing ✓, tech
            await choose(pilot, app, "  tech")
            await wait_until(pilot, lambda: notice() == "a-1 joins tech")
            await pilot.press("a")
            app.query_one(AlarmList).move_cursor(row=0)
            await pilot.press("r")
            await choose(pilot, app, "a-2")
            await wait_until(pilot, lambda: notice() == f"{number} → a-2")
            await pilot.press("p")
            await choose(pilot, app, "pause k1")
            await wait_until(pilot, lambda: notice() == "k1 paused")
    finally:
        await api.close()

    agent = await ok(live, admin, "GET", "/api/v1/agents/a-1")
    assert agent["skills"] == {"billing": 3, "tech": 2}
    ticket = await ok(live, admin, "GET", f"/api/v1/tickets/{number}")
    assert ticket["handler"] == "a-2"
    stats = await ok(live, admin, "GET", "/api/v1/campaigns/k1")
    assert stats["status"] == "paused"
    log = await ok(live, supervisor, "GET", "/api/v1/audit?limit=50")
    entries = [e for e in reversed(log["entries"]) if e["actor"] == "王主管"]
    assert [(e["action"], e["subject"]) for e in entries] == [
        ("agent_queues", "a-1"),
        ("request_reassign", number),
        ("campaign_pause", "k1"),
    ]
