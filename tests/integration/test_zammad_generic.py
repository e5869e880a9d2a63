"""Zammad's generic CTI: a PBX configured for Zammad works by changing its URL."""

from __future__ import annotations

import aiohttp
from sqlalchemy import func, select

from routing.store import calls_t, events_t
from switchboard.core.http import DATABASE
from tests.conftest import LiveServer


async def post_form(
    live: LiveServer, token: str, fields: list[tuple[str, str]]
) -> tuple[int, dict]:
    form = aiohttp.FormData(fields)
    async with live.session.post(f"{live.url}/api/v1/cti/generic/{token}", data=form) as resp:
        return resp.status, await resp.json()


async def call_row(live: LiveServer, call_id: str) -> object:
    async with live.app[DATABASE].engine.connect() as conn:
        return (await conn.execute(select(calls_t).where(calls_t.c.call_id == call_id))).one()


async def test_form_new_call_answer_hangup(live: LiveServer, admin: str, cti: str) -> None:
    await live.call(
        "POST",
        "/api/v1/agents",
        admin,
        json={"id": "emma", "name": "Emma Taylor", "extension": "42"},
    )
    base = [
        ("from", "493023125741"),
        ("to", "492214710334"),
        ("direction", "in"),
        ("callId", "307fa962"),
    ]
    status, body = await post_form(
        live, cti, [("event", "newCall"), *base, ("user[]", "Emma Taylor"), ("queue", "support")]
    )
    assert (status, body) == (200, {})
    status, body = await post_form(
        live, cti, [("event", "answer"), *base, ("answeringNumber", "42")]
    )
    assert (status, body) == (200, {})
    status, body = await post_form(
        live, cti, [("event", "hangup"), *base, ("cause", "normalClearing")]
    )
    assert (status, body) == (200, {})
    call = await call_row(live, "307fa962")
    assert call.state == "ended"  # type: ignore[attr-defined]
    assert call.agent_id == "emma"  # type: ignore[attr-defined]
    assert call.cause == "normal"  # type: ignore[attr-defined]
    assert call.queue == "support"  # type: ignore[attr-defined]


async def test_json_and_retries_are_idempotent(live: LiveServer, cti: str) -> None:
    event = {
        "event": "newCall",
        "from": "13812345678",
        "to": "4008001234",
        "direction": "in",
        "callId": "c-1",
        "user": ["Alice", "Bob"],
    }
    for _ in range(3):
        async with live.session.post(f"{live.url}/api/v1/cti/generic/{cti}", json=event) as resp:
            assert resp.status == 200
    async with live.app[DATABASE].engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(events_t)) == 1


async def test_cancelled_inbound_call_is_abandoned(live: LiveServer, cti: str) -> None:
    base = [("from", "13812345678"), ("to", "4008001234"), ("direction", "in"), ("callId", "x")]
    await post_form(live, cti, [("event", "newCall"), *base])
    await post_form(live, cti, [("event", "hangup"), *base, ("cause", "cancel")])
    assert (await call_row(live, "x")).state == "abandoned"  # type: ignore[attr-defined]


async def test_blocked_caller_is_rejected_busy(live: LiveServer, admin: str, cti: str) -> None:
    status, _ = await live.call(
        "POST",
        "/api/v1/blocked-numbers",
        admin,
        json={"number": "+86 138 0000 1111", "reason": "abusive"},
    )
    assert status == 201
    status, body = await post_form(
        live,
        cti,
        [
            ("event", "newCall"),
            ("from", "13800001111"),
            ("to", "4008001234"),
            ("direction", "in"),
            ("callId", "b-1"),
        ],
    )
    assert (status, body) == (200, {"action": "reject", "reason": "busy"})
    status, body = await post_form(
        live,
        cti,
        [
            ("event", "newCall"),
            ("from", "13800002222"),
            ("to", "4008001234"),
            ("direction", "in"),
            ("callId", "b-2"),
        ],
    )
    assert body == {}
    status, listing = await live.call("GET", "/api/v1/blocked-numbers", admin)
    assert [b["e164"] for b in listing["blocked"]] == ["+8613800001111"]
    status, _ = await live.call("DELETE", "/api/v1/blocked-numbers/+8613800001111", admin)
    assert status == 204
    status, body = await post_form(
        live,
        cti,
        [
            ("event", "newCall"),
            ("from", "13800001111"),
            ("to", "4008001234"),
            ("direction", "in"),
            ("callId", "b-3"),
        ],
    )
    assert body == {}


async def test_bad_zammad_input_names_the_field(live: LiveServer, cti: str) -> None:
    status, body = await post_form(live, cti, [("event", "ring"), ("callId", "1")])
    assert (status, body["error"]["field"]) == (400, "event")
    status, body = await post_form(live, cti, [("event", "newCall")])
    assert (status, body["error"]["field"]) == (400, "callId")
    status, body = await post_form(
        live, cti, [("event", "hangup"), ("callId", "1"), ("cause", "exploded")]
    )
    assert (status, body["error"]["field"]) == (400, "cause")
    status, body = await post_form(
        live, cti, [("event", "newCall"), ("callId", "1"), ("direction", "sideways")]
    )
    assert (status, body["error"]["field"]) == (400, "direction")
    async with live.app[DATABASE].engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(events_t)) == 0


async def test_token_in_the_url(live: LiveServer, admin: str) -> None:
    status, body = await post_form(live, "sb_wrong", [("event", "newCall"), ("callId", "1")])
    assert (status, body["error"]["code"]) == (401, "unauthorized")
    status, body = await post_form(live, admin, [("event", "newCall"), ("callId", "1")])
    assert status == 403
