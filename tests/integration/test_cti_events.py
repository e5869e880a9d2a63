"""The CTI gateway's promises: stored before acknowledged, deduplicated, errors name the field."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from routing.store import calls_t, events_t
from switchboard.core.http import DATABASE
from tests.conftest import LiveServer


def ringing(event_id: str = "pbx1-000123", **extra: Any) -> dict[str, Any]:
    event = {
        "event_id": event_id,
        "call_id": "c-77",
        "type": "ringing",
        "direction": "inbound",
        "from": "+86 138 1234 5678",
        "to": "4008001234",
        "at": "2026-11-22T09:00:00.123+08:00",
    }
    event.update(extra)
    return event


async def stored_events(live: LiveServer) -> int:
    async with live.app[DATABASE].engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(events_t)) or 0)


async def test_ringing_is_acknowledged_with_the_stored_id(live: LiveServer, cti: str) -> None:
    status, body = await live.call("POST", "/api/v1/cti/events", cti, json=ringing())
    assert status == 200
    assert body["event_id"] == "pbx1-000123"
    assert body["call_id"] == "c-77"
    async with live.app[DATABASE].engine.connect() as conn:
        row = (await conn.execute(select(events_t))).one()
    assert row.id == body["id"]
    assert row.source == "pbx1"


async def test_same_event_twice_same_ack_one_row(live: LiveServer, cti: str) -> None:
    first = await live.call("POST", "/api/v1/cti/events", cti, json=ringing())
    second = await live.call("POST", "/api/v1/cti/events", cti, json=ringing())
    assert first == second
    assert await stored_events(live) == 1


async def test_same_event_id_from_another_source_is_another_event(
    live: LiveServer, cti: str
) -> None:
    other = await live.token("cti", "pbx2")
    await live.call("POST", "/api/v1/cti/events", cti, json=ringing())
    await live.call("POST", "/api/v1/cti/events", other, json=ringing())
    assert await stored_events(live) == 2


async def test_malformed_json_is_400_naming_the_body(live: LiveServer, cti: str) -> None:
    status, body = await live.call(
        "POST",
        "/api/v1/cti/events",
        cti,
        data=b'{"event_id": "x",',
        headers={"Content-Type": "application/json"},
    )
    assert status == 400
    assert body["error"]["field"] == "body"
    assert "not valid JSON" in body["error"]["message"]
    assert await stored_events(live) == 0


async def test_bad_field_is_400_naming_the_field(live: LiveServer, cti: str) -> None:
    status, body = await live.call("POST", "/api/v1/cti/events", cti, json=ringing(type="ring"))
    assert status == 400
    assert body["error"]["field"] == "type"
    status, body = await live.call("POST", "/api/v1/cti/events", cti, json=ringing(agnet="a-1"))
    assert status == 400
    assert body["error"]["field"] == "agnet"
    status, body = await live.call(
        "POST", "/api/v1/cti/events", cti, json=ringing(**{"from": "1" * 500})
    )
    assert status == 400
    assert body["error"]["field"] == "from"
    event = ringing()
    del event["call_id"]
    status, body = await live.call("POST", "/api/v1/cti/events", cti, json=event)
    assert (status, body["error"]["field"]) == (400, "call_id")
    assert await stored_events(live) == 0


async def test_batch_with_one_bad_event_stores_nothing(live: LiveServer, cti: str) -> None:
    batch = [ringing("e1"), ringing("e2", type="bogus")]
    status, body = await live.call("POST", "/api/v1/cti/events", cti, json=batch)
    assert status == 400
    assert body["error"]["field"] == "1.type"
    assert await stored_events(live) == 0


async def test_batch_is_acknowledged_per_event(live: LiveServer, cti: str) -> None:
    batch = [ringing("e1"), ringing("e2", type="answered"), ringing("e3", type="ended")]
    status, body = await live.call("POST", "/api/v1/cti/events", cti, json=batch)
    assert status == 200
    assert [ack["event_id"] for ack in body["results"]] == ["e1", "e2", "e3"]
    async with live.app[DATABASE].engine.connect() as conn:
        call = (await conn.execute(select(calls_t))).one()
    assert call.state == "ended"


async def test_no_token_is_401(live: LiveServer) -> None:
    status, body = await live.call("POST", "/api/v1/cti/events", None, json=ringing())
    assert status == 401
    assert body["error"]["code"] == "unauthorized"
    status, _ = await live.call("POST", "/api/v1/cti/events", "sb_not-a-token", json=ringing())
    assert status == 401
    assert await stored_events(live) == 0


async def test_agent_token_posting_cti_is_403(live: LiveServer, admin: str) -> None:
    await live.call("POST", "/api/v1/agents", admin, json={"id": "a-1", "name": "Li"})
    agent = await live.token("agent", "li", "a-1")
    status, body = await live.call("POST", "/api/v1/cti/events", agent, json=ringing())
    assert status == 403
    assert body["error"]["code"] == "forbidden"
    assert await stored_events(live) == 0


async def test_oversized_body_is_413(live: LiveServer, cti: str) -> None:
    import io

    big = io.BytesIO(b"[" + b" " * (live.settings.max_body_bytes + 10) + b"]")
    status, body = await live.call(
        "POST", "/api/v1/cti/events", cti, data=big, headers={"Content-Type": "application/json"}
    )
    assert status == 413
    assert body["error"]["code"] == "payload_too_large"


async def test_unknown_agent_is_stored_with_a_warning(live: LiveServer, cti: str) -> None:
    status, body = await live.call("POST", "/api/v1/cti/events", cti, json=ringing(agent="a-404"))
    assert status == 200
    assert "a-404" in body["warnings"][0]
    assert await stored_events(live) == 1


async def test_a_source_over_its_rate_gets_429(settings_factory: Any) -> None:
    import aiohttp

    from tests.conftest import start_server

    settings = settings_factory(cti_rate=1.0, cti_burst=3.0)
    app, server = await start_server(settings)
    try:
        async with aiohttp.ClientSession() as session:
            live = LiveServer(app, server, session, settings)
            noisy = await live.token("cti", "noisy")
            quiet = await live.token("cti", "quiet")
            statuses = []
            for n in range(5):
                status, body = await live.call(
                    "POST", "/api/v1/cti/events", noisy, json=ringing(f"n-{n}")
                )
                statuses.append(status)
            assert statuses[:3] == [200, 200, 200]
            assert statuses[3:] == [429, 429]
            assert body["error"]["code"] == "too_many_requests"
            async with session.post(
                f"{live.url}/api/v1/cti/events",
                json=ringing("n-9"),
                headers={"Authorization": f"Bearer {noisy}"},
            ) as resp:
                assert resp.status == 429
                assert int(resp.headers["Retry-After"]) >= 1
            status, _ = await live.call("POST", "/api/v1/cti/events", quiet, json=ringing("q-1"))
            assert status == 200
            assert await stored_events(live) == 4
    finally:
        await server.close()


async def test_the_ringing_event_names_caller_and_callee(live: LiveServer, cti: str) -> None:
    # The agent hangs up first and the PBX reports its BYE with the numbers swapped, before
    # the ringing event arrives: the call still records the caller from the ringing event.
    bye = ringing("e-bye", type="ended", **{"from": "1001", "to": "+86 138 1234 5678"})
    await live.call("POST", "/api/v1/cti/events", cti, json=bye)
    await live.call("POST", "/api/v1/cti/events", cti, json=ringing("e-ring"))
    async with live.app[DATABASE].engine.connect() as conn:
        call = (await conn.execute(select(calls_t))).one()
    assert (call.from_number, call.to_number) == ("+86 138 1234 5678", "4008001234")
    assert call.state == "missed"
