"""Screen pops over the websocket: to the right agent only, and never lost across a reconnect."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from tests.conftest import LiveServer

CUSTOMER = {
    "kind": "individual",
    "name": "张伟",
    "tier": "A",
    "phones": ["13812345678", {"number": "010-8888 6666", "ext": "12", "type": "office"}],
    "emails": ["zhang.wei@example.cn"],
}


async def setup_agents(live: LiveServer, admin: str) -> dict[str, str]:
    tokens = {}
    for agent_id, ext in (("a-1", "1001"), ("a-2", "1002")):
        status, _ = await live.call(
            "POST",
            "/api/v1/agents",
            admin,
            json={"id": agent_id, "name": agent_id, "extension": ext},
        )
        assert status == 201
        tokens[agent_id] = await live.token("agent", f"console-{agent_id}", agent_id)
    return tokens


def ring(n: int, agent: str, number: str = "+86 138-1234-5678") -> dict[str, Any]:
    return {
        "event_id": f"e-{n}",
        "call_id": f"c-{n}",
        "type": "ringing",
        "from": number,
        "to": "4008001234",
        "agent": agent,
        "queue": "sales",
        "ivr": {"lang": "zh"},
    }


async def receive(
    ws: aiohttp.ClientWebSocketResponse, kind: str, within: float = 3.0
) -> dict[str, Any]:
    async with asyncio.timeout(within):
        while True:
            message = await ws.receive_json()
            if message["type"] == kind:
                return message  # type: ignore[no-any-return]


async def drain(ws: aiohttp.ClientWebSocketResponse, wait: float = 0.3) -> list[dict[str, Any]]:
    seen = []
    try:
        async with asyncio.timeout(wait):
            while True:
                seen.append(await ws.receive_json())
    except TimeoutError:
        return seen


async def test_pop_reaches_the_named_agent_only(live: LiveServer, admin: str, cti: str) -> None:
    status, created = await live.call("POST", "/api/v1/customers", admin, json=CUSTOMER)
    assert status == 201
    tokens = await setup_agents(live, admin)
    hdr = {"Authorization": f"Bearer {tokens['a-1']}"}
    hdr2 = {"Authorization": f"Bearer {tokens['a-2']}"}
    async with (
        live.session.ws_connect(live.ws_url(), headers=hdr) as ws1,
        live.session.ws_connect(live.ws_url(), headers=hdr2) as ws2,
    ):
        hello = await receive(ws1, "hello")
        assert hello["agent"]["id"] == "a-1"
        await receive(ws2, "hello")
        status, _ = await live.call("POST", "/api/v1/cti/events", cti, json=ring(1, "1001"))
        assert status == 200
        pop = await receive(ws1, "screen_pop")
        assert pop["call_id"] == "c-1"
        assert pop["agent"] == "a-1"
        assert pop["match"]["status"] == "known"
        assert pop["match"]["candidates"][0]["customer_id"] == created["id"]
        assert pop["match"]["candidates"][0]["reason"] == "exact E.164"
        assert pop["customer"]["name"] == "张伟"
        assert pop["customer"]["tier"] == "A"
        assert pop["id"] > hello["cursor"]
        assert all(m.get("agent") != "a-1" for m in await drain(ws2))


async def test_pop_cases_known_several_unknown_withheld(
    live: LiveServer, admin: str, cti: str
) -> None:
    await live.call("POST", "/api/v1/customers", admin, json=CUSTOMER)
    shared = {"kind": "individual", "name": "李娜", "phones": ["(010) 8888-6666"]}
    await live.call("POST", "/api/v1/customers", admin, json=shared)
    tokens = await setup_agents(live, admin)
    hdr = {"Authorization": f"Bearer {tokens['a-1']}"}
    async with live.session.ws_connect(live.ws_url(), headers=hdr) as ws:
        await receive(ws, "hello")
        cases = [
            ("+86 10 8888 6666", "several"),
            ("+1 212 476 1660", "unknown"),
            ("anonymous", "withheld"),
            ("0086 138 1234 5678", "known"),
        ]
        for n, (number, expected) in enumerate(cases):
            await live.call("POST", "/api/v1/cti/events", cti, json=ring(n, "a-1", number))
            pop = await receive(ws, "screen_pop")
            assert pop["match"]["status"] == expected, number
            assert (pop["customer"] is not None) == (expected == "known")
        await live.call(
            "POST", "/api/v1/cti/events", cti, json=ring(9, "a-1", "010-8888-6666 转 12")
        )
        pop = await receive(ws, "screen_pop")
        assert pop["match"]["status"] == "known"
        assert pop["match"]["candidates"][0]["reason"] == "national form, extension matches"


async def test_missed_pop_is_replayed_on_reconnect(live: LiveServer, admin: str, cti: str) -> None:
    tokens = await setup_agents(live, admin)
    hdr = {"Authorization": f"Bearer {tokens['a-1']}"}
    async with live.session.ws_connect(live.ws_url(), headers=hdr) as ws:
        await receive(ws, "hello")
        await live.call("POST", "/api/v1/cti/events", cti, json=ring(1, "a-1"))
        first = await receive(ws, "screen_pop")
        seen = [first, *await drain(ws)]
    last_seen = max(m["id"] for m in seen)
    # Disconnected: two calls ring meanwhile.
    await live.call("POST", "/api/v1/cti/events", cti, json=ring(2, "a-1"))
    await live.call("POST", "/api/v1/cti/events", cti, json=ring(3, "a-1"))
    async with live.session.ws_connect(live.ws_url(last_seen), headers=hdr) as ws:
        hello = await receive(ws, "hello")
        assert hello["id"] == last_seen
        replayed = await drain(ws)
    pops = [m["call_id"] for m in replayed if m["type"] == "screen_pop"]
    assert pops == ["c-2", "c-3"]
    ids = [m["id"] for m in replayed]
    assert ids == sorted(ids)
    assert ids[0] > last_seen
    assert len(set(ids)) == len(ids)


async def test_replay_is_per_channel(live: LiveServer, admin: str, cti: str) -> None:
    tokens = await setup_agents(live, admin)
    await live.call("POST", "/api/v1/cti/events", cti, json=ring(1, "a-1"))
    hdr2 = {"Authorization": f"Bearer {tokens['a-2']}"}
    async with live.session.ws_connect(live.ws_url(0), headers=hdr2) as ws:
        await receive(ws, "hello")
        assert [m for m in await drain(ws) if m.get("call_id") == "c-1"] == []


async def test_live_and_replayed_messages_are_not_doubled(
    live: LiveServer, admin: str, cti: str
) -> None:
    tokens = await setup_agents(live, admin)
    hdr = {"Authorization": f"Bearer {tokens['a-1']}"}
    await live.call("POST", "/api/v1/cti/events", cti, json=ring(1, "a-1"))
    async with live.session.ws_connect(live.ws_url(0), headers=hdr) as ws:
        posting = asyncio.gather(
            *(
                live.call("POST", "/api/v1/cti/events", cti, json=ring(n, "a-1"))
                for n in range(2, 12)
            )
        )
        messages = await drain(ws, 0.2)
        await posting
        messages += await drain(ws, 0.5)
    ids = [m["id"] for m in messages if m["type"] != "hello"]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)
    pops = {m["call_id"] for m in messages if m["type"] == "screen_pop"}
    assert pops == {f"c-{n}" for n in range(1, 12)}


async def test_agent_state_follows_the_call(live: LiveServer, admin: str, cti: str) -> None:
    tokens = await setup_agents(live, admin)
    hdr = {"Authorization": f"Bearer {tokens['a-1']}"}
    status, body = await live.call(
        "POST", "/api/v1/agents/a-1/state", tokens["a-1"], json={"state": "available"}
    )
    assert (status, body["state"]) == (200, "available")
    async with live.session.ws_connect(live.ws_url(), headers=hdr) as ws:
        hello = await receive(ws, "hello")
        assert hello["state"] == "available"
        for kind in ("ringing", "answered", "ended"):
            event = {**ring(1, "a-1"), "event_id": f"e-{kind}", "type": kind}
            await live.call("POST", "/api/v1/cti/events", cti, json=event)
        states = [m["state"] for m in await drain(ws) if m["type"] == "agent_state"]
    assert states == ["reserved", "on_call", "available"]


async def test_state_rules(live: LiveServer, admin: str) -> None:
    tokens = await setup_agents(live, admin)
    status, body = await live.call(
        "POST", "/api/v1/agents/a-1/state", tokens["a-1"], json={"state": "on_call"}
    )
    assert status == 409
    assert "available" in body["error"]["allowed"]
    status, _ = await live.call(
        "POST",
        "/api/v1/agents/a-2/state",
        tokens["a-1"],
        json={"state": "break", "reason": "lunch"},
    )
    assert status == 403
    status, body = await live.call(
        "POST",
        "/api/v1/agents/a-1/state",
        tokens["a-1"],
        json={"state": "break", "reason": "lunch"},
    )
    assert (status, body["state_reason"]) == (200, "lunch")


@pytest.mark.parametrize("role", ["cti"])
async def test_websocket_refuses_cti_tokens_and_bad_since(
    live: LiveServer, cti: str, role: str
) -> None:
    async with live.session.get(
        live.ws_url().replace("ws://", "http://"), headers={"Authorization": f"Bearer {cti}"}
    ) as resp:
        assert resp.status == 403
    async with live.session.get(
        live.ws_url().replace("ws://", "http://") + "?since=abc",
        headers={"Authorization": f"Bearer {cti}"},
    ) as resp:
        assert resp.status == 403
    admin = await live.token("admin", "adm")
    async with live.session.get(
        live.ws_url().replace("ws://", "http://") + "?since=-1",
        headers={"Authorization": f"Bearer {admin}"},
    ) as resp:
        assert resp.status == 400
        assert (await resp.json())["error"]["field"] == "since"
    async with live.session.get(live.ws_url().replace("ws://", "http://")) as resp:
        assert resp.status == 401


async def test_a_contacts_pop_carries_their_summary_and_the_companys_lines(
    live: LiveServer, admin: str, cti: str
) -> None:
    company = {
        "kind": "enterprise",
        "name": "杭州西湖科技有限公司",
        "city": "杭州",
        "tier": "B",
        "tags": ["key account"],
        "phones": [{"number": "0571-8888 1234", "type": "switchboard"}],
        "emails": ["info@xihu.example.cn"],
        "contacts": [
            {"name": "陈静", "phones": ["13912345678"], "emails": ["chen.jing@xihu.example.cn"]},
            {"name": "Li Ming", "phones": ["13712345678"], "emails": ["li.ming@xihu.example.cn"]},
        ],
    }
    status, created = await live.call("POST", "/api/v1/customers", admin, json=company)
    assert status == 201
    tokens = await setup_agents(live, admin)
    hdr = {"Authorization": f"Bearer {tokens['a-1']}"}
    async with live.session.ws_connect(live.ws_url(), headers=hdr) as ws:
        await receive(ws, "hello")
        for n, number in ((1, "+86 139 1234 5678"), (2, "+86 571 8888 1234")):
            status, _ = await live.call(
                "POST", "/api/v1/cti/events", cti, json=ring(n, "a-1", number)
            )
            assert status == 200
        by_contact = (await receive(ws, "screen_pop"))["customer"]
        by_switchboard = (await receive(ws, "screen_pop"))["customer"]
    # The contact who calls: their name, their number and email, and the company's own.
    assert by_contact == {
        "id": created["id"],
        "kind": "enterprise",
        "name": "杭州西湖科技有限公司",
        "contact_name": "陈静",
        "phones": ["+86 571 8888 1234", "+86 139 1234 5678"],
        "emails": ["info@xihu.example.cn", "chen.jing@xihu.example.cn"],
        "city": "杭州",
        "tier": "B",
        "tags": ["key account"],
    }
    # The company's line: the company, every number and email it has.
    assert by_switchboard["contact_name"] == "杭州西湖科技有限公司"
    assert by_switchboard["phones"] == [
        "+86 571 8888 1234",
        "+86 139 1234 5678",
        "+86 137 1234 5678",
    ]
    assert by_switchboard["emails"] == [
        "info@xihu.example.cn",
        "chen.jing@xihu.example.cn",
        "li.ming@xihu.example.cn",
    ]


async def test_a_call_that_waited_in_a_queue_pops_with_the_time_it_first_rang(
    live: LiveServer, admin: str, cti: str
) -> None:
    """The demo's queue (and a PBX queue) rings first without an agent, later on the agent:
    the pop's ``at`` is the first ring, so the console's "waited" counts the whole wait."""
    tokens = await setup_agents(live, admin)
    queued = {**ring(1, "a-1"), "at": "2026-11-22T09:00:00+08:00"}
    del queued["agent"]
    offered = {**ring(1, "a-1"), "event_id": "e-1-offered", "at": "2026-11-22T09:01:30+08:00"}
    hdr = {"Authorization": f"Bearer {tokens['a-1']}"}
    async with live.session.ws_connect(live.ws_url(), headers=hdr) as ws:
        await receive(ws, "hello")
        status, _ = await live.call("POST", "/api/v1/cti/events", cti, json=queued)
        assert status in (200, 202)
        status, _ = await live.call("POST", "/api/v1/cti/events", cti, json=offered)
        assert status in (200, 202)
        pop = await receive(ws, "screen_pop", within=20.0)
    assert pop["call_id"] == "c-1"
    assert pop["at"].startswith("2026-11-22T01:00:00") or pop["at"].startswith(
        "2026-11-22T09:00:00"
    )
