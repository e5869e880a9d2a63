"""The FreeSWITCH adapter feeding a real server: the call record, the pop, the agent's state."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from sqlalchemy import select

from routing.gateway import ingest
from routing.store import calls_t, events_t
from switchboard.core.clock import SystemClock
from switchboard.core.http import DATABASE
from switchboard.core.wire import CallEvent
from telephony_adapters.freeswitch import FreeswitchAdapter
from tests.conftest import LiveServer
from tests.contract.freeswitch_scenarios import PASSWORD, config_for, replay
from tests.support.fake_esl import FakeEslServer, load_session

CUSTOMER = {"kind": "individual", "name": "张伟", "tier": "A", "phones": ["138 1234 5678"]}


async def setup(live: LiveServer, admin: str) -> dict[str, str]:
    tokens = {}
    for agent_id, extension in (("a-1", "1001"), ("a-2", "1002")):
        body = {"id": agent_id, "name": agent_id, "extension": extension}
        status, _ = await live.call("POST", "/api/v1/agents", admin, json=body)
        assert status == 201
        status, _ = await live.call(
            "POST", f"/api/v1/agents/{agent_id}/state", admin, json={"state": "available"}
        )
        assert status == 200
        tokens[agent_id] = await live.token("agent", f"console-{agent_id}", agent_id)
    status, _ = await live.call("POST", "/api/v1/customers", admin, json=CUSTOMER)
    assert status == 201
    return tokens


async def receive(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(3):
        while True:
            message = await ws.receive_json()
            if message["type"] == kind:
                return message  # type: ignore[no-any-return]


async def call_row(live: LiveServer, call_id: str) -> Any:
    async with live.app[DATABASE].engine.connect() as conn:
        query = select(calls_t).where(
            calls_t.c.source == "freeswitch", calls_t.c.call_id == call_id
        )
        return (await conn.execute(query)).one()


async def agent_state(live: LiveServer, admin: str, agent_id: str) -> str:
    status, body = await live.call("GET", f"/api/v1/agents/{agent_id}", admin)
    assert status == 200
    return str(body["state"])


def callers(session: str) -> list[str]:
    return [
        s.event["Unique-ID"]
        for s in load_session(session)
        if s.kind == "event"
        and s.event["Event-Name"] == "CHANNEL_CREATE"
        and s.event["Call-Direction"] == "inbound"
    ]


async def test_an_answered_call_pops_agent_1001_and_is_recorded(
    live: LiveServer, admin: str
) -> None:
    tokens = await setup(live, admin)
    (call_id,) = callers("answered")

    async def sink(events: list[CallEvent]) -> None:
        await ingest(live.app, "freeswitch", events)

    headers = {"Authorization": f"Bearer {tokens['a-1']}"}
    async with live.session.ws_connect(live.ws_url(), headers=headers) as ws:
        await receive(ws, "hello")
        await replay("answered", sink)
        pop = await receive(ws, "screen_pop")
    assert pop["call_id"] == call_id
    assert pop["agent"] == "a-1"
    assert pop["queue"] == "support"
    assert pop["from"] == "+8613812345678"
    assert pop["match"]["status"] == "known"
    assert pop["customer"]["name"] == "张伟"

    row = await call_row(live, call_id)
    assert row.state == "ended"
    assert row.agent_id == "a-1"
    assert row.cause == "normal"
    assert row.queue == "support"
    assert row.to_number == "4008001234"
    assert row.answered_at is not None
    assert await agent_state(live, admin, "a-1") == "available"

    async with live.app[DATABASE].engine.connect() as conn:
        stored = (await conn.execute(select(events_t.c.event_id))).scalars().all()
    assert len(stored) == 5
    await replay("answered", sink)  # the same session again: nothing new is stored
    async with live.app[DATABASE].engine.connect() as conn:
        assert len((await conn.execute(select(events_t.c.id))).all()) == 5


async def test_a_lost_hangup_does_not_leave_the_agent_on_call(live: LiveServer, admin: str) -> None:
    await setup(live, admin)
    vanished, live_call, born_away = callers("drop")
    after_reconcile: list[str] = []

    async def sink(events: list[CallEvent]) -> None:
        for event in events:  # one by one, to look at the agent right after the check
            await ingest(live.app, "freeswitch", [event])
            if event.cause == "reconciled":
                after_reconcile.append(await agent_state(live, admin, "a-1"))

    server = await FakeEslServer(load_session("drop"), password=PASSWORD).start()
    adapter = FreeswitchAdapter(config_for(server), sink, clock=SystemClock())
    try:
        adapter.start()
        async with asyncio.timeout(10):
            await server.replayed.wait()
            await adapter.settle()
    finally:
        await adapter.stop()
        await server.close()

    # 1001's call ended while the connection was down: 1001 is free again at once.
    assert after_reconcile == ["available"]
    gone = await call_row(live, vanished)
    assert (gone.state, gone.cause, gone.agent_id) == ("ended", "reconciled", "a-1")
    kept = await call_row(live, live_call)
    assert (kept.state, kept.cause, kept.agent_id, kept.on_hold) == (
        "ended",
        "normal",
        "a-2",
        False,
    )
    adopted = await call_row(live, born_away)
    assert (adopted.state, adopted.agent_id, adopted.queue) == ("ended", "a-1", "support")
    assert await agent_state(live, admin, "a-1") == "available"
    assert await agent_state(live, admin, "a-2") == "available"
