"""Routing queues over the API: impossible configurations are refused naming the field."""

from __future__ import annotations

from typing import Any

import aiohttp

from routing.service import ROUTING, TELEPHONY
from switchboard.app import create_app
from switchboard.core.settings import Settings
from tests.conftest import LiveServer

AGENTS = [
    {"id": "a-1", "name": "甲", "skills": {"billing": 3}, "languages": ["zh"], "team": "back"},
    {"id": "a-2", "name": "乙", "skills": {"sales": 2}, "languages": ["en"]},
]


async def agents(live: LiveServer, admin: str) -> None:
    for spec in AGENTS:
        status, body = await live.call("POST", "/api/v1/agents", admin, json=spec)
        assert status == 201, body


async def post(live: LiveServer, admin: str, **config: Any) -> tuple[int, Any]:
    return await live.call("POST", "/api/v1/queues", admin, json=config)


async def test_a_queue_is_stored_listed_and_routed(live: LiveServer, admin: str) -> None:
    await agents(live, admin)
    status, body = await post(
        live,
        admin,
        id="billing",
        name="账单",
        skills={"billing": 2},
        strategy="most_skilled",
        relaxation=[{"after_s": 30, "min_proficiency": 1}, {"after_s": 60, "team": "back"}],
        max_wait_s=300,
        offer_timeout_s=15,
    )
    assert status == 201, body
    assert body["warnings"] == []
    assert body["waiting"] == 0
    assert body["offer_timeout_s"] == 15
    status, body = await post(live, admin, id="general", overflow_to=None)
    assert status == 201
    status, body = await live.call(
        "PUT",
        "/api/v1/queues/billing",
        admin,
        json={"skills": {"billing": 2}, "overflow_to": "general", "overflow_after_s": 120},
    )
    assert (status, body["id"], body["strategy"]) == (200, "billing", "longest_idle")
    supervisor = await live.token("supervisor", "sup")
    status, body = await live.call("GET", "/api/v1/queues", supervisor)
    assert status == 200
    assert [q["id"] for q in body["queues"]] == ["billing", "general"]
    assert body["queues"][0]["overflow_to"] == "general"
    status, body = await live.call("GET", "/api/v1/queues/billing", supervisor)
    assert (status, body["overflow_after_s"]) == (200, 120)
    engine = live.app[ROUTING].engine
    assert engine.queue("billing").relaxation[-1].overflow_to == "general"
    status, body = await live.call("GET", "/api/v1/queues/nope", supervisor)
    assert status == 404
    status, body = await post(live, admin, id="billing")
    assert (status, body["error"]["field"]) == (409, "id")
    status, _ = await post(live, supervisor, id="other")
    assert status == 403


async def test_impossible_queues_are_refused_naming_the_field(live: LiveServer, admin: str) -> None:
    await agents(live, admin)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"strategy": "fastest"}, "strategy", "unknown strategy 'fastest'"),
        ({"a_class_strategy": "vip"}, "a_class_strategy", "unknown strategy"),
        ({"skills": {"billing": 2, "legal": 1}}, "skills.legal", "no agent has skill 'legal'"),
        ({"skills": {"billing": 7}}, "skills", "proficiency is 1 to 5"),
        (
            {"relaxation": [{"after_s": 60, "min_proficiency": 1}, {"after_s": 30, "team": "x"}]},
            "relaxation.1.after_s",
            "in order",
        ),
        ({"relaxation": [{"after_s": 30}]}, "relaxation.0", "must relax something"),
        ({"relaxation": [{"after_s": 30, "min_proficency": 1}]}, "relaxation.0.min_proficency", ""),
        ({"overflow_to": "nowhere", "overflow_after_s": 60}, "overflow_to", "no queue 'nowhere'"),
        ({"overflow_to": "q"}, "overflow_after_s", "overflow_to needs overflow_after_s"),
        ({"overflow_to": "q", "overflow_after_s": 60}, "overflow_to", "cannot overflow to itself"),
        ({"offer_timeout_s": 0}, "offer_timeout_s", "greater than 0"),
        ({"skill_weights": {"sales": 2}}, "skill_weights.sales", "not one of the queue's skills"),
        ({"colour": "red"}, "colour", "Extra inputs"),
    ]
    for changes, field, words in cases:
        status, body = await post(live, admin, id="q", **changes)
        assert (status, body["error"].get("field")) == (400, field), (changes, body)
        assert words in body["error"]["message"], (changes, body)
    status, body = await live.call("GET", "/api/v1/queues", admin)
    assert body["queues"] == []


async def test_overflow_cycles_are_refused(live: LiveServer, admin: str) -> None:
    await agents(live, admin)
    assert (await post(live, admin, id="a"))[0] == 201
    assert (await post(live, admin, id="b", overflow_to="a", overflow_after_s=60))[0] == 201
    assert (await post(live, admin, id="c", overflow_to="b", overflow_after_s=60))[0] == 201
    status, body = await live.call(
        "PUT", "/api/v1/queues/a", admin, json={"overflow_to": "c", "overflow_after_s": 90}
    )
    assert (status, body["error"]["field"]) == (400, "overflow_to")
    assert body["error"]["message"] == "overflow_to: overflow cycle: a -> c -> b -> a"
    status, body = await live.call("PUT", "/api/v1/queues/a", admin, json={"id": "z"})
    assert (status, body["error"]["field"]) == (400, "id")


async def test_a_queue_nobody_can_serve_is_stored_with_a_warning(
    live: LiveServer, admin: str
) -> None:
    await agents(live, admin)
    status, body = await post(live, admin, id="vip", skills={"billing": 5, "sales": 1})
    assert status == 201, body
    assert body["warnings"] == [
        "skills: no agent can ever serve queue 'vip' (needs billing>=5, sales>=1, even relaxed)"
    ]
    status, body = await post(
        live,
        admin,
        id="vip2",
        skills={"billing": 5},
        relaxation=[{"after_s": 10, "min_proficiency": 3}],
    )
    assert (status, body["warnings"]) == (201, [])
    status, body = await post(
        live, admin, id="vip3", skills={"sales": 4}, relaxation=[{"after_s": 10, "team": "x"}]
    )
    assert status == 201
    assert body["warnings"] == ["relaxation.0.team: no agent is in team 'x'"]


class FakePhone:
    def __init__(self) -> None:
        self.transfers: list[tuple[str, str]] = []

    async def originate(self, *, number: str, agent: str, caller_id: str | None) -> str:
        raise NotImplementedError

    async def transfer(self, *, call_id: str, to: str) -> None:
        self.transfers.append((call_id, to))

    async def hangup(self, *, call_id: str, cause: str = "normal") -> None:
        raise NotImplementedError


async def test_accept_asks_the_phone_system_to_transfer_when_it_can(settings: Settings) -> None:
    from aiohttp.test_utils import TestServer

    from switchboard.migrate import upgrade

    await upgrade(settings)
    app = create_app(settings)
    phone = FakePhone()
    app[TELEPHONY] = phone
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            live = LiveServer(app, server, session, settings)
            admin = await live.token("admin", "adm")
            cti = await live.token("cti", "pbx1")
            spec = {"id": "a-1", "name": "甲", "extension": "8001", "skills": {"billing": 3}}
            await live.call("POST", "/api/v1/agents", admin, json=spec)
            await live.call("POST", "/api/v1/agents/a-1/state", admin, json={"state": "available"})
            await post(live, admin, id="billing", skills={"billing": 1})
            ring = {"event_id": "e1", "call_id": "c-9", "type": "ringing", "queue": "billing"}
            await live.call("POST", "/api/v1/cti/events", cti, json=ring)
            (res,) = app[ROUTING].engine.reservations()
            status, body = await live.call(
                "POST", f"/api/v1/routing/reservations/{res.id}/accept", admin
            )
            assert (status, body["transfer"]) == (200, "requested")
            assert phone.transfers == [("c-9", "8001")]
    finally:
        await server.close()
