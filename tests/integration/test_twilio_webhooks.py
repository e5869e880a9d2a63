"""Twilio webhooks: signed requests are taken and recorded; anything else is 403."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from routing.store import calls_t, events_t
from switchboard.core.http import DATABASE
from telephony_adapters.twilio.signature import sign
from tests.conftest import LiveServer, start_server

TOKEN = "twilio-auth-token-for-tests"


@pytest.fixture
async def twilio_live(settings_factory: Any) -> AsyncIterator[LiveServer]:
    settings = settings_factory(twilio_auth_token=TOKEN)
    app, server = await start_server(settings)
    async with aiohttp.ClientSession() as session:
        yield LiveServer(app, server, session, settings)
    await server.close()


async def post(
    live: LiveServer,
    path: str,
    form: dict[str, str],
    *,
    signed_url: str | None = None,
    tamper: dict[str, str] | None = None,
    token: str = TOKEN,
) -> tuple[int, str]:
    url = live.url + path
    params = {k: [v] for k, v in form.items()}
    signed = sign(signed_url or url, params, token)
    body = {**form, **(tamper or {})}
    async with live.session.post(url, data=body, headers={"X-Twilio-Signature": signed}) as resp:
        return resp.status, await resp.text()


VOICE = {
    "CallSid": "CA1",
    "AccountSid": "AC1",
    "From": "+8613812345678",
    "To": "+864008001234",
    "CallStatus": "ringing",
    "Direction": "inbound",
}


async def count_events(live: LiveServer) -> int:
    async with live.app[DATABASE].engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(events_t)) or 0)


async def test_voice_webhook_enqueues_and_records(twilio_live: LiveServer) -> None:
    status, twiml = await post(twilio_live, "/api/v1/cti/twilio/voice?queue=sales", VOICE)
    assert status == 200
    assert "<Enqueue>sales</Enqueue>" in twiml
    for n, call_status in enumerate(["in-progress", "completed"], start=1):
        form = {
            **VOICE,
            "CallStatus": call_status,
            "SequenceNumber": str(n),
            "Timestamp": f"Sun, 22 Nov 2026 01:00:0{n} +0000",
        }
        status, _ = await post(twilio_live, "/api/v1/cti/twilio/status", form)
        assert status == 204
    async with twilio_live.app[DATABASE].engine.connect() as conn:
        call = (await conn.execute(select(calls_t))).one()
    assert (call.state, call.queue, call.source, call.cause) == (
        "ended",
        "sales",
        "twilio",
        "normal",
    )
    # Twilio retries a callback: nothing doubles.
    form = {
        **VOICE,
        "CallStatus": "completed",
        "SequenceNumber": "2",
        "Timestamp": "Sun, 22 Nov 2026 01:00:02 +0000",
    }
    assert (await post(twilio_live, "/api/v1/cti/twilio/status", form))[0] == 204
    assert await count_events(twilio_live) == 3


async def test_changed_body_or_url_is_403(twilio_live: LiveServer) -> None:
    status, body = await post(
        twilio_live, "/api/v1/cti/twilio/voice", VOICE, tamper={"From": "+1 212 555 0000"}
    )
    assert status == 403
    assert "X-Twilio-Signature" in body
    status, _ = await post(
        twilio_live,
        "/api/v1/cti/twilio/voice",
        VOICE,
        signed_url=twilio_live.url + "/api/v1/cti/twilio/voice?queue=vip",
    )
    assert status == 403
    status, _ = await post(twilio_live, "/api/v1/cti/twilio/voice", VOICE, token="someone-else")
    assert status == 403
    async with twilio_live.session.post(
        twilio_live.url + "/api/v1/cti/twilio/voice", data=VOICE
    ) as resp:
        assert resp.status == 403
    assert await count_events(twilio_live) == 0


async def test_public_url_behind_a_proxy(settings_factory: Any) -> None:
    settings = settings_factory(twilio_auth_token=TOKEN, public_url="https://sb.example.com")
    app, server = await start_server(settings)
    try:
        async with aiohttp.ClientSession() as session:
            live = LiveServer(app, server, session, settings)
            status, _ = await post(
                live,
                "/api/v1/cti/twilio/voice",
                VOICE,
                signed_url="https://sb.example.com/api/v1/cti/twilio/voice",
            )
            assert status == 200
            status, _ = await post(live, "/api/v1/cti/twilio/voice", {**VOICE, "CallSid": "CA2"})
            assert status == 403  # signed for the internal address, not the public one
    finally:
        await server.close()


async def test_unconfigured_twilio_is_503(live: LiveServer) -> None:
    status, _ = await post(live, "/api/v1/cti/twilio/voice", VOICE)
    assert status == 503


async def test_bad_status_names_the_field(twilio_live: LiveServer) -> None:
    status, body = await post(
        twilio_live, "/api/v1/cti/twilio/status", {**VOICE, "CallStatus": "exploded"}
    )
    assert status == 400
    assert '"field": "CallStatus"' in body
