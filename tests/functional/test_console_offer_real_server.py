"""Routed offers in the console against the real server in-process: the server reserves the
agent for a queued call, the console shows the offer with its countdown, and the agent accepts
or rejects it from the keyboard, or lets it run out and ends not ready."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from console.agent_app import AgentConsoleApp
from console.client import ServerClient
from console.clock import FrozenClock
from console.config import ConsoleConfig
from console.feed import AgentFeed, Backoff
from console.widgets import OfferBanner
from routing.service import ROUTING, RoutingService
from switchboard.core.clock import ManualClock
from switchboard.core.settings import Settings
from tests.conftest import LiveServer, start_server
from tests.functional.conftest import SIZE, screen_text, wait_for_text, wait_until
from tests.functional.test_console_call_real_server import ok

START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
AGENT = {"id": "a-1001", "name": "王小明", "extension": "1001", "skills": {"billing": 3}}
QUEUE = {"id": "billing", "skills": {"billing": 2}, "offer_timeout_s": 15}
CUSTOMER = {"kind": "individual", "name": "张伟", "phones": ["13812345678"]}
RING = {
    "event_id": "r-1",
    "call_id": "c-1",
    "type": "ringing",
    "from": "+86 138 1234 5678",
    "to": "4008001234",
    "queue": "billing",
}


@dataclass
class Desk:
    live: LiveServer
    clock: ManualClock
    admin: str
    cti: str
    agent: str  # the agent's token

    @property
    def routing(self) -> RoutingService:
        return self.live.app[ROUTING]

    async def state(self) -> tuple[str, str | None]:
        body = await ok(self.live, self.admin, "GET", "/api/v1/agents/a-1001")
        return body["state"], body["state_reason"]

    async def answer(self, verb: str, reservation: str) -> tuple[int, Any]:
        path = f"/api/v1/routing/reservations/{reservation}/{verb}"
        return await self.live.call("POST", path, self.agent)


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[Desk]:
    clock = ManualClock(START)
    app, server = await start_server(settings, clock)
    try:
        async with aiohttp.ClientSession() as session:
            live = LiveServer(app, server, session, settings)
            admin = await live.token("admin", "adm")
            await ok(live, admin, "POST", "/api/v1/customers", CUSTOMER)
            await ok(live, admin, "POST", "/api/v1/agents", AGENT)
            await ok(live, admin, "POST", "/api/v1/queues", QUEUE)
            agent = await live.token("agent", "console", "a-1001")
            yield Desk(live, clock, admin, await live.token("cti", "pbx1"), agent)
    finally:
        await server.close()


def console(desk: Desk, clock: FrozenClock, language: str = "en") -> AgentConsoleApp:
    feed = AgentFeed(desk.live.url, desk.agent, backoff=Backoff(0.05, 0.2, jitter=0.0))
    return AgentConsoleApp(
        feed,
        agent_id="a-1001",
        api=ServerClient(desk.live.url, desk.agent),
        config=ConsoleConfig(language=language),
        clock=clock,
    )


async def offered(
    desk: Desk, app: AgentConsoleApp, pilot: Any, connected: str = "connected"
) -> str:
    """Make the agent available, ring the queue, and wait for the offer on screen."""
    await wait_for_text(pilot, connected)
    await ok(desk.live, desk.agent, "POST", "/api/v1/agents/a-1001/state", {"state": "available"})
    await ok(desk.live, desk.cti, "POST", "/api/v1/cti/events", RING)
    await wait_until(pilot, lambda: app.offer is not None)
    assert app.offer is not None
    return app.offer.reservation


def banner_shown(app: AgentConsoleApp) -> bool:
    return bool(app.query_one(OfferBanner).display)


async def test_the_agent_accepts_a_routed_call_and_the_caller_is_shown(desk: Desk) -> None:
    clock = FrozenClock(START)
    app = console(desk, clock)
    async with app.run_test(size=SIZE) as pilot:
        reservation = await offered(desk, app, pilot)
        await wait_for_text(
            pilot, "Offered: call from 张伟 +8613812345678", "queue billing", "0:15 left"
        )
        await wait_for_text(pilot, "a/enter accept · x reject", "a Accept", "x Reject")
        clock.at = START + timedelta(seconds=4)  # the console's clock counts the offer down
        await wait_for_text(pilot, "0:11 left")
        assert await desk.state() == ("reserved", None)
        await pilot.press("a")
        await wait_until(pilot, lambda: app.offer is None and not banner_shown(app))
        await wait_for_text(pilot, "Accepted: call from 张伟")
        # The server took the answer: the offer is over as accepted, the agent stays reserved
        # until the phone system reports the call answered, and the caller is on screen.
        status, body = await desk.answer("accept", reservation)
        assert (status, body["error"]["outcome"]) == (409, "accepted")
        assert await desk.state() == ("reserved", None)
        await wait_until(pilot, lambda: app.customer_id is not None)
        card = app.query_one("#caller-card")
        assert card.pop is not None  # type: ignore[attr-defined]
        assert card.pop.customer.name == "张伟"  # type: ignore[attr-defined]
        assert "张伟" in screen_text(app)
        assert "a Accept" not in screen_text(app)  # no offer: its keys leave the footer
        await pilot.press("x")  # and do nothing
        status, _body = await desk.answer("reject", reservation)
        assert status == 409


async def test_the_agent_rejects_a_routed_call_in_chinese(desk: Desk) -> None:
    app = console(desk, FrozenClock(START), language="zh")
    async with app.run_test(size=SIZE) as pilot:
        reservation = await offered(desk, app, pilot, connected="已连接")
        await wait_for_text(pilot, "分配给您：来电 张伟 +8613812345678", "a/enter 接受 · x 拒绝")
        await pilot.press("x")
        await wait_until(pilot, lambda: app.offer is None and not banner_shown(app))
        await wait_for_text(pilot, "已拒绝：来电 张伟")
        status, body = await desk.answer("accept", reservation)
        assert (status, body["error"]["outcome"]) == (409, "rejected")
        assert await desk.state() == ("available", None)  # never offered the same call again
        await pilot.press("enter")  # no offer: nothing is sent
        assert "接受" not in screen_text(app).splitlines()[-1]


async def test_an_offer_left_to_expire_leaves_the_agent_not_ready(desk: Desk) -> None:
    app = console(desk, FrozenClock(START))
    async with app.run_test(size=SIZE) as pilot:
        reservation = await offered(desk, app, pilot)
        await wait_for_text(pilot, "0:15 left")
        desk.clock.advance(16)
        await desk.routing.tick()  # the background loop may tick first: either is fine
        await wait_until(pilot, lambda: app.offer is None and not banner_shown(app))
        await wait_for_text(pilot, "Offer missed, time ran out: call from 张伟")
        await wait_for_text(pilot, "Not ready")
        assert await desk.state() == ("not_ready", "missed_offer")
        await pilot.press("a")  # too late, and no offer on screen: nothing is sent
        status, body = await desk.answer("accept", reservation)
        assert (status, body["error"]["outcome"]) == (409, "timeout")


async def test_accepting_an_offer_the_server_already_ended_says_so_in_one_line(
    desk: Desk,
) -> None:
    app = console(desk, FrozenClock(START))
    async with app.run_test(size=SIZE) as pilot:
        reservation = await offered(desk, app, pilot)
        # Someone else (a supervisor) rejects it while the message telling the console so is
        # still to come: the console's own accept meets a 409 and the banner goes.
        status, _body = await desk.live.call(
            "POST", f"/api/v1/routing/reservations/{reservation}/reject", desk.admin
        )
        assert status == 200
        await pilot.press("a")
        await wait_until(pilot, lambda: app.offer is None and not banner_shown(app))
        notice = app.query_one("#notice").text  # type: ignore[attr-defined]
        assert notice.startswith(("The offer is over", "Rejected", "Offer over")), notice
