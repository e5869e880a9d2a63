"""Calls and service requests land on the customer's timeline (the 360 view's interactions),
once each, whatever the order and repetition of the phone system's events. Both backends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from customers.profile_store import interactions_t, timeline_of
from switchboard.core.http import DATABASE
from tests.conftest import LiveServer

CUSTOMER = {"kind": "individual", "name": "李娜", "phones": ["13812345678"]}


async def _setup(live: LiveServer, admin: str) -> int:
    status, made = await live.call("POST", "/api/v1/customers", admin, json=CUSTOMER)
    assert status == 201
    status, _ = await live.call(
        "POST", "/api/v1/agents", admin, json={"id": "a-1", "name": "a-1", "extension": "1001"}
    )
    assert status == 201
    return int(made["id"])


def _event(n: int, call: str, kind: str, at: str, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": f"{call}-{n}",
        "call_id": call,
        "type": kind,
        "at": f"2026-11-23T{at}+08:00",
        **extra,
    }


async def _post(live: LiveServer, cti: str, events: list[dict[str, Any]]) -> None:
    for event in events:
        status, answer = await live.call("POST", "/api/v1/cti/events", cti, json=event)
        assert status in (200, 201), answer


async def _timeline(live: LiveServer, cid: int) -> list[Any]:
    return await live.app[DATABASE].read(lambda c: timeline_of(c, cid, 50))


async def test_an_inbound_call_lands_once_even_repeated_and_reordered(
    live: LiveServer, admin: str, cti: str
) -> None:
    cid = await _setup(live, admin)
    inbound = {"direction": "inbound", "from": "138 1234 5678", "to": "4008001234"}
    ringing = _event(1, "c-in", "ringing", "10:00:00", agent="1001", queue="sales", **inbound)
    answered = _event(2, "c-in", "answered", "10:00:08", agent="1001", queue="sales", **inbound)
    ended = _event(3, "c-in", "ended", "10:02:13", cause="normal", **inbound)
    # The end arrives before the answer, then everything again under new event ids.
    await _post(live, cti, [ringing, ended, answered, ended])
    late = [{**e, "event_id": e["event_id"] + "-again"} for e in (answered, ended)]
    await _post(live, cti, late)

    entries = [e for e in await _timeline(live, cid) if e.kind == "call"]
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.ref, entry.direction, entry.channel) == ("c-in", "inbound", "phone")
    assert entry.data["state"] == "ended"  # the late answer turned "missed" into "ended"
    assert entry.data["queue"] == "sales"
    assert entry.data["agent"] == "a-1"
    assert entry.data["cause"] == "normal"
    assert entry.data["ring_seconds"] == 8.0
    assert entry.data["talk_seconds"] == 125.0
    assert "agent a-1" in entry.summary
    assert "talked 2m05s" in entry.summary

    status, view = await live.call("GET", f"/api/v1/customers/{cid}/360", admin)
    assert status == 200
    calls = [i for i in view["interactions"] if i["kind"] == "call"]
    assert [(c["ref"], c["direction"]) for c in calls] == [("c-in", "inbound")]


async def test_an_outbound_call_and_a_missed_one_land_with_their_direction(
    live: LiveServer, admin: str, cti: str
) -> None:
    cid = await _setup(live, admin)
    out = {"direction": "outbound", "from": "1001", "to": "13812345678"}
    await _post(
        live,
        cti,
        [
            _event(1, "c-out", "ringing", "11:00:00", agent="1001", **out),
            _event(2, "c-out", "ended", "11:00:30", cause="no_answer", **out),
        ],
    )
    entries = [e for e in await _timeline(live, cid) if e.kind == "call"]
    assert [(e.ref, e.direction, e.data["state"]) for e in entries] == [
        ("c-out", "outbound", "missed")
    ]
    assert entries[0].data["talk_seconds"] == 0.0
    assert "missed after 0m30s (no_answer)" in entries[0].summary


async def test_a_call_from_an_unknown_number_writes_no_entry(
    live: LiveServer, admin: str, cti: str
) -> None:
    await _setup(live, admin)
    other = {"direction": "inbound", "from": "13900000000", "to": "4008001234"}
    await _post(
        live,
        cti,
        [
            _event(1, "c-x", "ringing", "12:00:00", agent="1001", **other),
            _event(2, "c-x", "ended", "12:00:05", **other),
        ],
    )
    count = await live.app[DATABASE].read(
        lambda c: c.scalar(select(func.count()).select_from(interactions_t))
    )
    assert count == 0


async def test_a_service_request_lands_when_opened_and_when_resolved(
    live: LiveServer, admin: str
) -> None:
    cid = await _setup(live, admin)
    for category in ({"id": "complaint", "name": "投诉"}, {"id": "billing", "name": "账单"}):
        status, answer = await live.call("POST", "/api/v1/ticket-categories", admin, json=category)
        assert status == 201, answer
    body = {"title": "话费多扣", "category": "complaint", "channel": "phone", "customer_id": cid}
    status, ticket = await live.call("POST", "/api/v1/tickets", admin, json=body)
    assert status == 201, ticket
    number = ticket["number"]
    opened = [e for e in await _timeline(live, cid) if e.kind == "ticket"]
    assert len(opened) == 1
    assert opened[0].ref == number
    assert opened[0].data["complaint"] is True
    assert opened[0].data["open"] is True

    status, moved = await live.call(
        "POST",
        f"/api/v1/tickets/{number}/transitions",
        admin,
        json={"to": "resolved", "version": ticket["version"], "resolution": "已退款"},
    )
    assert status == 200, moved
    entries = {e.data["event"]: e for e in await _timeline(live, cid) if e.kind == "ticket"}
    assert set(entries) == {"created", "resolved"}
    assert entries["created"].data["open"] is False  # a resolved complaint is no longer open
    assert entries["resolved"].ref == number
    assert "已退款" in entries["resolved"].summary

    # A request for no customer writes nothing.
    status, answer = await live.call(
        "POST",
        "/api/v1/tickets",
        admin,
        json={"title": "咨询", "category": "billing", "channel": "phone"},
    )
    assert status == 201, answer
    status, view = await live.call("GET", f"/api/v1/customers/{cid}/360", admin)
    assert [i["ref"] for i in view["interactions"] if i["kind"] == "ticket"] == [number, number]
