"""The Asterisk adapter feeding a real server: the recorded answered call pops agent 1001's
console with the caller's customer record and leaves the call ended in the database."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from sqlalchemy import select

from routing.gateway import ingest
from routing.store import calls_t, events_t
from switchboard.core.http import DATABASE
from switchboard.core.wire import CallEvent
from tests.conftest import LiveServer
from tests.contract.asterisk_scenarios import replay

CALL_ID = "1795199400.118"  # the Linkedid in tests/data/ami/answered.txt


async def receive(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(5):
        while True:
            message = await ws.receive_json()
            if message["type"] == kind:
                return message  # type: ignore[no-any-return]


async def test_answered_call_pops_and_is_recorded(live: LiveServer, admin: str) -> None:
    status, customer = await live.call(
        "POST",
        "/api/v1/customers",
        admin,
        json={"kind": "individual", "name": "张伟", "phones": ["+86 138 1234 5678"]},
    )
    assert status == 201
    for agent_id, extension in (("a-1001", "1001"), ("a-1002", "1002")):
        status, _ = await live.call(
            "POST",
            "/api/v1/agents",
            admin,
            json={"id": agent_id, "name": agent_id, "extension": extension},
        )
        assert status == 201
    console = await live.token("agent", "console-1001", "a-1001")

    warnings: list[str] = []

    async def sink(events: list[CallEvent]) -> None:
        for ack in await ingest(live.app, "asterisk", events):
            warnings.extend(ack.warnings)

    headers = {"Authorization": f"Bearer {console}"}
    async with live.session.ws_connect(live.ws_url(), headers=headers) as ws:
        await receive(ws, "hello")
        await replay("answered", sink)
        pop = await receive(ws, "screen_pop")
        assert pop["call_id"] == CALL_ID
        assert pop["agent"] == "a-1001"
        assert (pop["from"], pop["to"], pop["queue"]) == ("13812345678", "4008001234", "support")
        assert pop["match"]["status"] == "known"
        assert pop["customer"]["id"] == customer["id"]

    assert warnings == []
    async with live.app[DATABASE].engine.connect() as conn:
        call = (
            await conn.execute(
                select(calls_t).where(calls_t.c.source == "asterisk", calls_t.c.call_id == CALL_ID)
            )
        ).one()
        stored = (
            await conn.execute(select(events_t.c.event_id).where(events_t.c.source == "asterisk"))
        ).all()
    assert call.state == "ended"
    assert call.agent_id == "a-1001"
    assert call.cause == "normal"
    assert call.queue == "support"
    assert call.answered_at is not None
    assert not call.on_hold
    assert len(stored) == 5

    # Replayed again (a reconnect, a restart): every event is a repeat; nothing changes.
    await replay("answered", sink)
    async with live.app[DATABASE].engine.connect() as conn:
        again = (
            await conn.execute(select(events_t.c.id).where(events_t.c.source == "asterisk"))
        ).all()
    assert len(again) == 5
