"""The websocket ingest and the HMAC option of the JSON endpoint."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from routing.cti_signature import HEADER, sign
from routing.store import events_t
from switchboard.core.http import DATABASE
from tests.conftest import LiveServer, start_server
from tests.integration.test_cti_events import ringing

SECRET = "s3cret-for-pbx-signed"


async def stored(live: LiveServer) -> int:
    async with live.app[DATABASE].engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(events_t)) or 0)


def ws_url(live: LiveServer) -> str:
    return live.url.replace("http://", "ws://") + "/api/v1/cti/ws"


async def answers(ws: aiohttp.ClientWebSocketResponse, count: int) -> dict[int, dict[str, Any]]:
    got: dict[int, dict[str, Any]] = {}
    while len(got) < count:
        message = await ws.receive_json(timeout=10)
        got[message["seq"]] = message
    return got


async def test_ws_acks_each_message_with_the_stored_id(live: LiveServer, cti: str) -> None:
    headers = {"Authorization": f"Bearer {cti}"}
    async with live.session.ws_connect(ws_url(live), headers=headers) as ws:
        await ws.send_str(json.dumps(ringing("ws-1")))
        await ws.send_str(json.dumps([ringing("ws-2", call_id="c-2"), ringing("ws-3")]))
        await ws.send_str(json.dumps(ringing("ws-1")))  # a repeat
        await ws.send_str("{not json")
        await ws.send_str(json.dumps(ringing("ws-4", type="exploded")))
        await ws.send_str(json.dumps([ringing("ws-5"), {**ringing("ws-6"), "at": "yesterday"}]))
        got = await answers(ws, 6)
    async with live.app[DATABASE].engine.connect() as conn:
        ids = {r.event_id: r.id for r in await conn.execute(select(events_t))}
    assert set(ids) == {"ws-1", "ws-2", "ws-3"}
    assert [r["id"] for r in got[2]["results"]] == [ids["ws-2"], ids["ws-3"]]
    # messages are stored concurrently, so either copy of ws-1 may be the one stored first:
    # both are acknowledged with the one stored id, and exactly one of them is the repeat
    assert (got[1]["type"], got[3]["type"]) == ("ack", "ack")
    assert (got[1]["id"], got[3]["id"]) == (ids["ws-1"], ids["ws-1"])
    assert sorted([got[1]["duplicate"], got[3]["duplicate"]]) == [False, True]
    assert got[4]["type"] == "error"
    assert got[4]["error"]["field"] == "body"
    assert got[5]["error"]["field"] == "type"
    assert got[6]["error"]["field"] == "1.at"  # nothing of a bad list is stored


async def test_ws_needs_a_cti_token(live: LiveServer, admin: str) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await live.session.ws_connect(ws_url(live))
    assert refused.value.status == 401
    headers = {"Authorization": f"Bearer {admin}"}
    with pytest.raises(aiohttp.WSServerHandshakeError) as wrong_role:
        await live.session.ws_connect(ws_url(live), headers=headers)
    assert wrong_role.value.status == 403


async def test_ws_rate_limit_answers_429_per_message(settings_factory: Any) -> None:
    settings = settings_factory(cti_rate=1.0, cti_burst=3.0)
    app, server = await start_server(settings)
    try:
        async with aiohttp.ClientSession() as session:
            live = LiveServer(app, server, session, settings)
            token = await live.token("cti", "busy-pbx")
            headers = {"Authorization": f"Bearer {token}"}
            async with session.ws_connect(ws_url(live), headers=headers) as ws:
                # The handshake took one token; a list of five is over the two left.
                await ws.send_str(json.dumps([ringing(f"r-{i}") for i in range(5)]))
                got = await answers(ws, 1)
            assert got[1]["error"]["code"] == "too_many_requests"
            assert await stored(live) == 0
    finally:
        await server.close()


@pytest.fixture
async def signed_live(settings_factory: Any) -> AsyncIterator[LiveServer]:
    settings = settings_factory(cti_secrets={"pbx-signed": SECRET})
    app, server = await start_server(settings)
    async with aiohttp.ClientSession() as session:
        yield LiveServer(app, server, session, settings)
    await server.close()


async def post_raw(
    live: LiveServer, token: str, body: bytes, signature: str | None
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[HEADER] = signature
    return await live.call("POST", "/api/v1/cti/events", token, data=body, headers=headers)


async def test_signed_body_is_accepted(signed_live: LiveServer) -> None:
    token = await signed_live.token("cti", "pbx-signed")
    body = json.dumps(ringing("h-1")).encode()
    status, answer = await post_raw(signed_live, token, body, sign(SECRET, body))
    assert status == 200, answer
    status, _ = await post_raw(signed_live, token, body, "sha256=" + sign(SECRET, body).upper())
    assert status == 200
    assert await stored(signed_live) == 1


async def test_unsigned_or_badly_signed_is_refused_and_not_logged(
    signed_live: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    token = await signed_live.token("cti", "pbx-signed")
    body = json.dumps(ringing("h-2")).encode()
    good = sign(SECRET, body)
    caplog.set_level(logging.INFO)
    status, answer = await post_raw(signed_live, token, body, None)
    assert status == 401
    assert answer["error"]["field"] == HEADER
    tampered = body.replace(b"4008001234", b"4008009999")
    status, answer = await post_raw(signed_live, token, tampered, good)
    assert status == 403
    assert answer["error"]["field"] == HEADER
    status, _ = await post_raw(signed_live, token, body, sign("another secret", body))
    assert status == 403
    assert await stored(signed_live) == 0
    assert "refused" in caplog.text
    for secret in (SECRET, good, token):
        assert secret not in caplog.text


async def test_sources_without_a_secret_need_no_signature(signed_live: LiveServer) -> None:
    token = await signed_live.token("cti", "pbx-plain")
    body = json.dumps(ringing("h-3")).encode()
    assert (await post_raw(signed_live, token, body, None))[0] == 200


async def test_signing_sources_are_refused_on_the_websocket(signed_live: LiveServer) -> None:
    token = await signed_live.token("cti", "pbx-signed")
    headers = {"Authorization": f"Bearer {token}"}
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await signed_live.session.ws_connect(ws_url(signed_live), headers=headers)
    assert refused.value.status == 403


async def test_ws_message_over_the_body_limit_closes_and_stores_nothing(
    live: LiveServer, cti: str
) -> None:
    headers = {"Authorization": f"Bearer {cti}"}
    huge = json.dumps([ringing("big-1")]) + " " * (2 * 1024 * 1024)  # over the 1 MiB limit
    async with live.session.ws_connect(ws_url(live), headers=headers) as ws:
        await ws.send_str(huge)
        message = await ws.receive(timeout=10)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert ws.close_code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
    assert await stored(live) == 0
