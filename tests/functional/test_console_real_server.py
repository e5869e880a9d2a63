"""The console against the real server in-process: a ring posted to the CTI gateway shows the
caller's card, and a pop that rang while the console was away shows after it reconnects."""

from __future__ import annotations

from console.agent_app import AgentConsoleApp
from console.feed import AgentFeed, Backoff
from switchboard.app import HUB
from tests.conftest import LiveServer
from tests.functional.conftest import SIZE, screen_text, wait_for_text

CUSTOMER = {
    "kind": "individual",
    "name": "欧阳娜娜",
    "city": "杭州市",
    "phones": ["+86 139 0571 2233"],
}


async def setup(live: LiveServer, admin: str) -> str:
    assert (await live.call("POST", "/api/v1/customers", admin, json=CUSTOMER))[0] == 201
    agent = {"id": "a-1001", "name": "王小明", "extension": "1001"}
    assert (await live.call("POST", "/api/v1/agents", admin, json=agent))[0] == 201
    return await live.token("agent", "console", "a-1001")


def ring(n: int) -> dict[str, str]:
    return {
        "event_id": f"r-{n}",
        "call_id": f"c-{n}",
        "type": "ringing",
        "from": "13905712233",
        "to": "4008001234",
        "agent": "1001",
    }


async def test_ring_shows_the_card(live: LiveServer, admin: str, cti: str) -> None:
    token = await setup(live, admin)
    feed = AgentFeed(live.url, token, backoff=Backoff(initial=0.05, maximum=0.2, jitter=0.0))
    app = AgentConsoleApp(feed, agent_id="a-1001")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected", "王小明")
        status, _ = await live.call("POST", "/api/v1/cti/events", cti, json=ring(1))
        assert status == 200
        await wait_for_text(pilot, "RINGING", "欧阳娜娜", "杭州市")


async def test_pop_missed_while_disconnected_arrives(
    live: LiveServer, admin: str, cti: str
) -> None:
    token = await setup(live, admin)
    feed = AgentFeed(live.url, token, backoff=Backoff(initial=0.3, maximum=0.3, jitter=0.0))
    app = AgentConsoleApp(feed, agent_id="a-1001")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        await live.app[HUB].close()  # the server drops every console
        await live.call("POST", "/api/v1/cti/events", cti, json=ring(2))
        await wait_for_text(pilot, "RINGING", "欧阳娜娜")
        assert "c-2" in screen_text(app)
