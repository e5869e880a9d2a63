"""One routing leader: on PostgreSQL two servers share a database and only the holder of the
advisory lock routes; when its lock connection is dropped the other takes over, rebuilds the
engine from the database and routes on, and the old one can no longer write (its term is
over). Changes stored by the follower (calls, hangups, agent states) reach the leader. On SQLite
the single process leads."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from routing.service import LEADERSHIP, ROUTING, NotLeader, Plan, RoutingService
from routing.store import calls_t, decisions_t
from switchboard.core.http import DATABASE
from tests.conftest import LiveServer, _pg_exec, start_server

QUEUE = {"id": "billing", "skills": {"billing": 2}, "strategy": "most_skilled"}
AGENTS = [
    {"id": "wang", "name": "王芳", "skills": {"billing": 5}, "languages": ["zh"]},
    {"id": "li", "name": "李娜", "skills": {"billing": 3}, "languages": ["zh"]},
]


def ring(n: int) -> dict[str, Any]:
    return {
        "event_id": f"r-{n}",
        "call_id": f"c-{n}",
        "type": "ringing",
        "from": "+86 138 1234 5678",
        "to": "4008001234",
        "queue": "billing",
        "ivr": {"lang": "zh"},
    }


async def until(check: Callable[[], bool], seconds: float = 15.0) -> None:
    """Wait for ``check`` to hold (the nodes poll each other every second)."""
    async with asyncio.timeout(seconds):
        while True:
            if check():
                return
            await asyncio.sleep(0.05)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # PostgreSQL: the case below
async def test_sqlite_single_process_leads(live: LiveServer, admin: str) -> None:
    status, body = await live.call("GET", "/api/v1/routing/leader", admin)
    assert status == 200
    assert (body["leading"], body["lock"]) == (True, "single")


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite has one process
async def test_the_other_node_takes_over_when_the_leaders_connection_drops(
    settings_factory: Any, tmp_path: Path
) -> None:
    first = settings_factory()
    second = first.model_copy(update={"data_dir": tmp_path / "var2"})
    app1, server1 = await start_server(first)
    app2, server2 = await start_server(second)
    try:
        async with aiohttp.ClientSession() as session:
            node1 = LiveServer(app1, server1, session, first)
            node2 = LiveServer(app2, server2, session, second)
            r1: RoutingService = app1[ROUTING]
            r2: RoutingService = app2[ROUTING]
            assert (r1.leading, r2.leading) == (True, False)
            admin = await node1.token("admin", "ops")
            cti = await node1.token("cti", "pbx1")
            tokens = {}
            for spec in AGENTS:
                status, body = await node1.call("POST", "/api/v1/agents", admin, json=spec)
                assert status == 201, body
                tokens[spec["id"]] = await node1.token("agent", f"c-{spec['id']}", spec["id"])
            status, body = await node1.call("POST", "/api/v1/queues", admin, json=QUEUE)
            assert status == 201, body
            for agent_id in ("wang", "li"):
                status, body = await node1.call(
                    "POST",
                    f"/api/v1/agents/{agent_id}/state",
                    tokens[agent_id],
                    json={"state": "available"},
                )
                assert status == 200, body
            status, body = await node2.call("GET", "/api/v1/routing/leader", admin)
            assert (body["leading"], body["holder"]) == (False, r1.run_id)

            # Node 1 routes: c-1 to wang (most skilled), who takes it; c-2 is offered to li.
            await node1.call("POST", "/api/v1/cti/events", cti, json=ring(1))
            (offer1,) = r1.engine.reservations()
            assert offer1.agent_id == "wang"
            status, body = await node1.call(
                "POST", f"/api/v1/routing/reservations/{offer1.id}/accept", tokens["wang"]
            )
            assert status == 200, body
            answered = {"event_id": "a-1", "call_id": "c-1", "type": "answered", "agent": "wang"}
            await node1.call("POST", "/api/v1/cti/events", cti, json=answered)
            await node1.call("POST", "/api/v1/cti/events", cti, json=ring(2))
            (offer2,) = r1.engine.reservations()
            assert (offer2.item_id, offer2.agent_id) == ("c-2", "li")
            old_run, old_term = r1.run_id, r1.term

            # The leader's lock connection is dropped: node 2 takes over, node 1 stops.
            pid = app1[LEADERSHIP].backend_pid
            assert pid is not None
            await _pg_exec(f"SELECT pg_terminate_backend({pid})")
            await until(lambda: r2.leading and not r1.leading)
            assert r2.term == (old_term or 0) + 1

            # Node 2 rebuilt from the database: c-2 is offered again, to li, and only once.
            await until(lambda: len(r2.engine.reservations()) == 1)
            (again,) = r2.engine.reservations()
            assert (again.item_id, again.agent_id) == ("c-2", "li")
            assert r1.engine.reservations() == []
            status, body = await node1.call(
                "POST", f"/api/v1/routing/reservations/{offer2.id}/accept", tokens["li"]
            )
            assert (status, body["error"]["field"]) == (409, "id")
            status, body = await node2.call(
                "POST", f"/api/v1/routing/reservations/{again.id}/accept", tokens["li"]
            )
            assert status == 200, body

            # Routing goes on at node 2: c-3 waits (wang is on c-1, li has c-2).
            await node2.call("POST", "/api/v1/cti/events", cti, json=ring(3))
            assert r2.engine.reservations() == []
            assert r2.waiting("billing") == 1

            # Events stored by the follower reach the leader: a call rung there waits, a
            # hangup there ends c-3, an agent's break and new capacity set there take effect.
            await node1.call("POST", "/api/v1/cti/events", cti, json=ring(4))
            await until(lambda: r2.waiting("billing") == 2)
            hangup = {"event_id": "e-3", "call_id": "c-3", "type": "ended", "cause": "normal"}
            await node1.call("POST", "/api/v1/cti/events", cti, json=hangup)
            await until(lambda: r2.waiting("billing") == 1)
            status, body = await node1.call(
                "POST", "/api/v1/agents/wang/state", tokens["wang"], json={"state": "break"}
            )
            assert status == 200, body
            await until(lambda: r2.engine.agent("wang").state == "break")
            status, body = await node1.call(
                "PATCH", "/api/v1/agents/li", admin, json={"capacity": {"voice": 1, "ticket": 3}}
            )
            assert status == 200, body
            await until(lambda: r2.engine.agent("li").capacity.get("ticket") == 3)
            assert not r1.leading

            async with app2[DATABASE].engine.connect() as conn:
                calls = {
                    r.call_id: r.routed_agent
                    for r in await conn.execute(select(calls_t.c.call_id, calls_t.c.routed_agent))
                }
                winners = [
                    (r.item_id, r.winner, r.run)
                    for r in await conn.execute(
                        select(decisions_t)
                        .where(decisions_t.c.winner.is_not(None))
                        .order_by(decisions_t.c.id)
                    )
                ]
            assert calls == {"c-1": "wang", "c-2": "li", "c-3": None, "c-4": None}
            # Never one call with two agents: every offer of a call went to the same agent.
            assert {(item, winner) for item, winner, _ in winners} == {
                ("c-1", "wang"),
                ("c-2", "li"),
            }
            assert {run for _, _, run in winners} == {old_run, r2.run_id}

            # A leader that has not noticed its loss cannot write: its term is over.
            r1.leading, r1.run_id, r1.term, r1._fenced = True, old_run, old_term, True
            notice = {"kind": "test", "item": None, "call_id": None, "detail": "", "at": ""}
            with pytest.raises(NotLeader):
                await r1._persist(Plan(notices=[notice]))
            assert r1.leading is False
    finally:
        await server1.close()
        await server2.close()
