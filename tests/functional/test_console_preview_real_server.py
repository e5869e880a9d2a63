"""Outbound preview in the console against the real server in-process: the dialer's card shows
the lead, and the agent skips, reschedules and dials from the keyboard."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from console.agent_app import AgentConsoleApp
from console.client import ServerClient
from console.clock import FrozenClock
from console.config import ConsoleConfig
from console.feed import AgentFeed, Backoff
from customers.leads.store import get_lead, upsert_leads
from routing.outbound.dialer import DIALER
from routing.service import TELEPHONY
from switchboard.app import create_app
from switchboard.core.clock import ManualClock
from switchboard.core.http import DATABASE
from switchboard.core.settings import Settings
from switchboard.migrate import upgrade
from tests.conftest import LiveServer
from tests.functional.conftest import SIZE, screen_text, wait_for_text, wait_until
from tests.functional.test_console_call_real_server import ok
from tests.integration.test_outbound_campaigns import START, FakePhone, lead

AGENT = {"id": "a-1001", "name": "王小明", "extension": "1001", "skills": {"outbound": 2}}


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[tuple[LiveServer, FakePhone, ManualClock]]:
    await upgrade(settings)
    clock = ManualClock(START)
    app = create_app(settings, clock=clock)
    phone = FakePhone()
    app[TELEPHONY] = phone
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            yield LiveServer(app, server, session, settings), phone, clock
    finally:
        await server.close()


async def test_the_preview_card_is_skipped_rescheduled_and_dialed_from_the_keyboard(
    desk: tuple[LiveServer, FakePhone, ManualClock],
) -> None:
    live, phone, clock = desk
    admin = await live.token("admin", "adm")
    await ok(live, admin, "POST", "/api/v1/agents", AGENT)
    await ok(live, admin, "POST", "/api/v1/agents/a-1001/state", {"state": "available"})
    rows = [lead("p-1", "13900000401", 90), lead("p-2", "13900000402", 10)]
    await live.app[DATABASE].writer.run(lambda c: upsert_leads(c, rows))
    spec = {"id": "renew", "name": "续约回访", "mode": "preview", "agents": ["a-1001"]}
    token = await live.token("agent", "console", "a-1001")
    feed = AgentFeed(live.url, token, backoff=Backoff(initial=0.05, maximum=0.2, jitter=0.0))
    app = AgentConsoleApp(
        feed,
        agent_id="a-1001",
        api=ServerClient(live.url, token),
        config=ConsoleConfig(language="en"),
        clock=FrozenClock(START),
    )
    dialer = live.app[DIALER]

    def lead_on_card() -> str | None:
        return app.preview_card.lead if app.preview_card is not None else None

    async def row(lead_id: str) -> Any:
        return await live.app[DATABASE].read(lambda c: get_lead(c, lead_id))

    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        assert "Outbound preview" not in screen_text(app)
        # The server's own dialer ticks every second as well: every wait below holds whichever
        # of the two ticks hands out the next card.
        await ok(live, admin, "POST", "/api/v1/campaigns", spec)
        await dialer.tick()
        await wait_for_text(pilot, "Outbound preview", "+8613900000401", "renew", "d dial")
        await pilot.press("k")  # skip: it comes back in 30 minutes
        await wait_for_text(pilot, "Skipped +8613900000401")
        assert lead_on_card() != "p-1"
        assert (await row("p-1")).next_attempt_at == START + timedelta(minutes=30)
        await dialer.tick()
        await wait_until(pilot, lambda: lead_on_card() == "p-2")
        await pilot.press("r", *"25:00", "enter")  # not a time: one line, the card stays
        await wait_for_text(pilot, "Give a time in the future")
        assert lead_on_card() == "p-2"
        await pilot.press(*["backspace"] * 5, *"+90", "enter")
        await wait_until(pilot, lambda: app.preview_card is None)
        booked = await row("p-2")
        assert (booked.next_attempt_at, booked.callback_agent) == (
            START + timedelta(minutes=90),
            "a-1001",
        )
        clock.set(START + timedelta(minutes=31))
        await dialer.tick()  # the skipped lead is back
        await wait_until(pilot, lambda: lead_on_card() == "p-1")
        await pilot.press("d")
        await wait_until(pilot, lambda: app.preview_card is None)
        await wait_for_text(pilot, "Dialing +8613900000401")
        assert phone.originated == [
            {"number": "+8613900000401", "agent": "a-1001", "caller_id": None}
        ]
        await pilot.press("d")  # no card: the key does nothing
        assert len(phone.originated) == 1
