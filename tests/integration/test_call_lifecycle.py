"""A call's whole life through the JSON endpoint: legs per agent, durations, transfers, agents."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select

from routing.store import agents_t, calls_t
from switchboard.core.http import DATABASE
from tests.conftest import LiveServer


def event(n: int, type_: str, second: int, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": f"life-{n}",
        "call_id": "c-life",
        "type": type_,
        "from": "+8613812345678",
        "to": "4008001234",
        "at": f"2026-11-22T09:00:{second:02d}+08:00",
        **extra,
    }


LIFE = [
    event(1, "ringing", 0, queue="sales"),
    event(2, "ringing", 5, agent="1001"),
    event(3, "ringing", 12, agent="1002"),
    event(4, "answered", 15, agent="1002"),
    event(5, "held", 20),
    event(6, "resumed", 32),
    event(7, "transferred", 40, agent="1001"),
    event(8, "ended", 50, cause="normal"),
]


async def agents(live: LiveServer, admin: str) -> None:
    for agent_id, extension in (("a-1001", "1001"), ("a-1002", "1002")):
        body = {"id": agent_id, "name": agent_id, "extension": extension}
        assert (await live.call("POST", "/api/v1/agents", admin, json=body))[0] == 201
        state = {"state": "available"}
        path = f"/api/v1/agents/{agent_id}/state"
        assert (await live.call("POST", path, admin, json=state))[0] == 200


async def call_row(live: LiveServer) -> Any:
    async with live.app[DATABASE].engine.connect() as conn:
        return (await conn.execute(select(calls_t))).one()


async def agent_states(live: LiveServer) -> dict[str, str]:
    async with live.app[DATABASE].engine.connect() as conn:
        return {r.id: r.state for r in await conn.execute(select(agents_t))}


async def test_legs_and_durations_are_stored(live: LiveServer, admin: str, cti: str) -> None:
    await agents(live, admin)
    shuffled = list(LIFE)
    random.Random(4).shuffle(shuffled)
    for item in [*shuffled, LIFE[3], LIFE[0]]:
        assert (await live.call("POST", "/api/v1/cti/events", cti, json=item))[0] == 200
    row = await call_row(live)
    assert row.state == "ended"
    assert row.cause == "normal"
    assert row.agent_id == "a-1001"
    assert [(leg["agent"], leg["outcome"]) for leg in row.legs] == [
        ("a-1001", "missed"),
        ("a-1002", "transferred"),
        ("a-1001", "answered"),
    ]
    assert (row.ring_seconds, row.hold_seconds, row.talk_seconds) == (15, 12, 35 - 12)
    assert (row.transfer_kind, row.transfer_to) == ("agent", "a-1001")
    assert await agent_states(live) == {"a-1001": "available", "a-1002": "available"}


async def test_transfer_to_a_queue_frees_the_agent(live: LiveServer, admin: str, cti: str) -> None:
    await agents(live, admin)
    for item in (
        event(1, "ringing", 0, agent="1001"),
        event(2, "answered", 3, agent="1001"),
    ):
        assert (await live.call("POST", "/api/v1/cti/events", cti, json=item))[0] == 200
    assert (await agent_states(live))["a-1001"] == "on_call"
    moved = event(3, "transferred", 30, queue="billing")
    assert (await live.call("POST", "/api/v1/cti/events", cti, json=moved))[0] == 200
    row = await call_row(live)
    assert row.agent_id is None
    assert (row.transfer_kind, row.transfer_to) == ("queue", "billing")
    assert row.legs[0]["outcome"] == "transferred"
    assert (await agent_states(live))["a-1001"] == "available"


async def test_transfer_outside_names_the_number(live: LiveServer, admin: str, cti: str) -> None:
    await agents(live, admin)
    for item in (
        event(1, "ringing", 0, agent="1001"),
        event(2, "answered", 3, agent="1001"),
        event(3, "transferred", 30, to="+861088886666"),
        event(4, "ended", 59, cause="normal"),
    ):
        assert (await live.call("POST", "/api/v1/cti/events", cti, json=item))[0] == 200
    row = await call_row(live)
    assert (row.transfer_kind, row.transfer_to) == ("outside", "+861088886666")
    assert row.talk_seconds == 56
    assert (await agent_states(live))["a-1001"] == "available"
