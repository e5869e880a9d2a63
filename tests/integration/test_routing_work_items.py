"""Service requests and callbacks as routing work items, on both backends: a request waiting in
a queue's group is offered to an agent with ticket capacity and the skill its category needs,
accepting makes the agent its handler through the tickets service, capacity N holds, resolving
frees the unit; SLA warning and breach raise the priority and move it to a tier-2 queue with
the escalation written down; a caller's callback takes the call's place and is offered,
accepted and completed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from routing.service import ROUTING, RoutingService
from routing.store import callbacks_t
from switchboard.core.http import DATABASE
from tests.integration.test_tickets_api import Desk, desk, set_up

__all__ = ["desk"]  # the fixture

SUPPORT = {
    "id": "support",
    "category_skills": {"billing": {"refunds": 2}},
    "escalation": {"warning": {"add_priority": 10}, "breach": {"to_queue": "tier2"}},
}
TIER2 = {"id": "tier2", "skills": {"refunds": 4}}


def routing(desk: Desk) -> RoutingService:
    return desk.live.app[ROUTING]


async def until(check: Callable[[], Awaitable[Any]], seconds: float = 10.0) -> Any:
    """The first truthy answer of ``check``, asked every 20 ms for up to ``seconds``."""
    async with asyncio.timeout(seconds):
        while True:
            answer = await check()
            if answer:
                return answer
            await asyncio.sleep(0.02)


async def agent(desk: Desk, agent_id: str, **spec: Any) -> str:
    await desk.ok("POST", "/api/v1/agents", {"id": agent_id, "name": agent_id, **spec})
    return await desk.live.token("agent", f"console-{agent_id}", agent_id)


async def available(desk: Desk, agent_id: str, token: str) -> None:
    await desk.ok("POST", f"/api/v1/agents/{agent_id}/state", {"state": "available"}, token)


async def offers(desk: Desk, agent_id: str) -> list[dict[str, Any]]:
    return await desk.messages(f"agent:{agent_id}", "offer")


async def desk_with_queues(desk: Desk) -> None:
    await set_up(desk)
    for group in ("support", "tier2"):
        await desk.ok("PUT", f"/api/v1/groups/{group}", {"name": group, "members": []})


async def test_requests_are_offered_to_agents_with_ticket_capacity_and_the_skill(
    desk: Desk,
) -> None:
    await desk_with_queues(desk)
    zhang = await agent(desk, "zhang", skills={"refunds": 3}, capacity={"voice": 1, "ticket": 2})
    liu = await agent(desk, "liu", skills={"refunds": 5})  # voice only: never a request
    await desk.ok("POST", "/api/v1/queues", TIER2)
    await desk.ok("POST", "/api/v1/queues", SUPPORT)
    await available(desk, "liu", liu)
    await available(desk, "zhang", zhang)

    first = await desk.create(group="support", category="refund")
    assert (first["handler"], first["status"]) == (None, "new")
    offer = (await until(lambda: offers(desk, "zhang")))[0]
    assert (offer["kind"], offer["number"], offer["item"], offer["queue"]) == (
        "ticket",
        first["number"],
        f"ticket:{first['number']}",
        "support",
    )
    assert await offers(desk, "liu") == []
    # A request offered does not take zhang off the phone.
    assert (await desk.ok("GET", "/api/v1/agents/zhang"))["state"] == "available"

    status, answer = await desk.call(
        "POST", f"/api/v1/routing/reservations/{offer['reservation']}/accept", None, zhang
    )
    assert status == 200, answer
    assert (answer["kind"], answer["item"], answer["outcome"]) == (
        "ticket",
        f"ticket:{first['number']}",
        "accepted",
    )
    ticket = await desk.get(first["number"])
    assert (ticket["handler"], ticket["status"]) == ("zhang", "assigned")
    assert ("handler", None, "zhang", "routing") in [
        (h["field"], h["old"], h["new"], h["actor"]) for h in ticket["history"]
    ]

    # Capacity 2: a second request is offered to zhang, a third waits.
    second = await desk.create(group="support", category="partial")
    third = await desk.create(group="support", category="refund")
    await until(lambda: _count(offers(desk, "zhang"), 2))
    got = await offers(desk, "zhang")
    assert [o["number"] for o in got] == [first["number"], second["number"]]
    status, answer = await desk.call(
        "POST", f"/api/v1/routing/reservations/{got[1]['reservation']}/accept", None, zhang
    )
    assert status == 200, answer
    waiting = await desk.ok("GET", f"/api/v1/routing/decisions?item=ticket:{third['number']}")
    rules = {c["agent"]: c["rule"] for c in waiting["waiting"]["candidates"]}
    assert rules == {"zhang": "capacity", "liu": "channel"}

    # Resolving a request frees its unit: the third is offered at once.
    _, moved = await desk.move(ticket, "in_progress")
    status, resolved = await desk.move(moved, "resolved", resolution="已退款")
    assert status == 200, resolved
    got = await until(lambda: _count(offers(desk, "zhang"), 3))
    assert got[-1]["number"] == third["number"]


async def _count(pending: Awaitable[list[dict[str, Any]]], n: int) -> list[dict[str, Any]]:
    found = await pending
    return found if len(found) >= n else []


async def test_reassigned_and_handled_requests_follow_the_request(desk: Desk) -> None:
    await desk_with_queues(desk)
    await desk.ok("PUT", "/api/v1/groups/l1", {"name": "一线", "members": []})
    await agent(desk, "zhang", skills={"refunds": 3}, capacity={"voice": 1, "ticket": 2})
    await desk.ok("POST", "/api/v1/queues", TIER2)
    await desk.ok("POST", "/api/v1/queues", SUPPORT)
    service = routing(desk)
    ticket = await desk.create(group="l1", category="refund")  # not a routing queue's group
    item = f"ticket:{ticket['number']}"
    assert service.engine.waiting_count() == 0
    body = {"numbers": [ticket["number"]], "group": "support"}
    await desk.ok("POST", "/api/v1/tickets/bulk-reassign", body)
    assert service.engine.item(item).item.queue == "support"
    assert service.engine.item(item).item.skills == {"refunds": 2}
    # Someone gives it a handler by hand: it leaves routing.
    await desk.ok("POST", "/api/v1/tickets/bulk-reassign", {**body, "handler": "zhang"})
    assert service.engine.waiting_count() == 0


async def test_sla_warning_raises_priority_and_breach_moves_to_tier_two(desk: Desk) -> None:
    await desk_with_queues(desk)
    he = await agent(desk, "he", skills={"refunds": 5}, capacity={"ticket": 1})
    await desk.ok("POST", "/api/v1/queues", TIER2)
    await desk.ok("POST", "/api/v1/queues", SUPPORT)
    service = routing(desk)
    ticket = await desk.create(group="support", category="refund")  # billing: 1 h response
    item = f"ticket:{ticket['number']}"
    assert service.engine.item(item).item.priority == 1.0  # normal

    desk.clock.advance(timedelta(minutes=45).total_seconds())
    fired = await desk.tick()
    assert [f.level for f in fired] == ["warning"]
    assert service.engine.item(item).item.priority == 11.0
    assert service.engine.item(item).item.queue == "support"

    desk.clock.advance(timedelta(minutes=15).total_seconds())
    fired = await desk.tick()
    assert [f.level for f in fired] == ["breach"]
    view = service.engine.item(item)
    # The request's own breach action made it urgent (3), routing's warning added 10.
    assert (view.item.queue, view.item.priority) == ("tier2", 13.0)

    found = await desk.ok("GET", f"/api/v1/routing/decisions?item={item}")
    escalations = [d for d in found["decisions"] if d.get("kind") == "escalation"]
    assert [(e["level"], e["actions"], e["to_queue"]) for e in escalations] == [
        ("warning", ["priority +10"], None),
        ("breach", ["moved to queue tier2"], "tier2"),
    ]
    floor = await desk.messages("floor", "routing_escalation")
    assert [m["level"] for m in floor] == ["warning", "breach"]

    await available(desk, "he", he)
    offer = (await until(lambda: offers(desk, "he")))[0]
    assert (offer["number"], offer["queue"]) == (ticket["number"], "tier2")


async def test_breach_can_hand_the_request_to_supervisors(desk: Desk) -> None:
    await desk_with_queues(desk)
    await agent(desk, "he", skills={"refunds": 5}, capacity={"ticket": 1})
    queue = {**SUPPORT, "escalation": {"breach": {"to_supervisor": True}}}
    await desk.ok("POST", "/api/v1/queues", queue)
    service = routing(desk)
    ticket = await desk.create(group="support", category="refund")
    desk.clock.advance(3600)
    await desk.tick()
    assert service.engine.waiting_count() == 0
    await service.reconcile_tickets()  # not routed again while supervisors have it
    assert service.engine.waiting_count() == 0
    floor = await desk.messages("floor", "routing_escalation")
    assert [(m["number"], m["to_supervisor"]) for m in floor] == [(ticket["number"], True)]


async def test_escalation_config_is_checked(desk: Desk) -> None:
    await desk_with_queues(desk)
    await agent(desk, "he", skills={"refunds": 5})
    for escalation, field in (
        ({"breach": {}}, "escalation.breach"),
        ({"breach": {"to_queue": "nowhere"}}, "escalation.breach.to_queue"),
        ({"breach": {"to_queue": "tier2", "to_supervisor": True}}, None),
        ({"breach": {"add_priority": -1}}, "escalation.breach.add_priority"),
    ):
        status, answer = await desk.call(
            "POST", "/api/v1/queues", {"id": "q", "escalation": escalation}
        )
        assert status == 400, answer
        if field is not None:
            assert answer["error"]["field"] == field, answer
    status, answer = await desk.call(
        "POST", "/api/v1/queues", {"id": "q", "category_skills": {"billing": {"refundz": 2}}}
    )
    assert (status, answer["error"]["field"]) == (400, "category_skills.billing.refundz")


CALL_QUEUE = {"id": "billing", "skills": {"billing": 2}, "max_wait_s": 60}


async def test_a_callback_takes_the_calls_place_and_is_offered(desk: Desk) -> None:
    await set_up(desk)
    cti = await desk.live.token("cti", "pbx1")
    li = await agent(desk, "li", skills={"billing": 3}, languages=["zh"])
    await desk.ok("POST", "/api/v1/queues", CALL_QUEUE)
    service = routing(desk)
    ring = {
        "event_id": "r-1",
        "call_id": "c-1",
        "type": "ringing",
        "from": "13812345678",
        "to": "4008001234",
        "queue": "billing",
        "ivr": {"lang": "zh"},
    }
    await desk.ok("POST", "/api/v1/cti/events", ring, cti)
    assert service.waiting("billing") == 1
    desk.clock.advance(61)
    await service.tick()
    notices = await desk.messages("floor", "routing_notice")
    assert [(n["kind"], n["call_id"]) for n in notices] == [("callback_offer", "c-1")]

    created = await desk.ok("POST", "/api/v1/routing/callbacks", {"call_id": "c-1"}, cti)
    assert (created["queue"], created["number"], created["status"]) == (
        "billing",
        "13812345678",
        "waiting",
    )
    assert service.waiting("billing") == 1  # the callback, in the call's place
    item = service.engine.item(created["item"])
    assert (item.item.kind, item.item.language) == ("callback", "zh")
    assert item.item.arrival == service.now() - 61  # keeps the call's wait

    await available(desk, "li", li)
    offer = (await until(lambda: offers(desk, "li")))[0]
    assert (offer["kind"], offer["callback"], offer["number"]) == (
        "callback",
        created["id"],
        "13812345678",
    )
    status, answer = await desk.call(
        "POST", f"/api/v1/routing/reservations/{offer['reservation']}/accept", None, li
    )
    assert (status, answer["kind"]) == (200, "callback")
    status, done = await desk.call(
        "POST", f"/api/v1/routing/callbacks/{created['id']}/complete", {"outcome": "reached"}, li
    )
    assert status == 200, done
    async with desk.live.app[DATABASE].engine.connect() as conn:
        row = (await conn.execute(select(callbacks_t))).one()
    assert (row.status, row.agent, row.outcome) == ("done", "li", "reached")
    assert (await desk.ok("GET", "/api/v1/agents/li"))["state"] == "available"

    # Completed once only; bad requests name the field.
    status, again = await desk.call(
        "POST", f"/api/v1/routing/callbacks/{created['id']}/complete", {}, li
    )
    assert (status, again["error"]["field"]) == (409, "id")
    for body, code, field in (
        ({}, 400, "number"),
        ({"number": "13900000000"}, 400, "queue"),
        ({"number": "13900000000", "queue": "nowhere"}, 404, "queue"),
        ({"call_id": "c-404"}, 404, "call_id"),
        ({"number": "call me", "queue": "billing"}, 400, "number"),
    ):
        status, answer = await desk.call("POST", "/api/v1/routing/callbacks", body, cti)
        assert (status, answer["error"]["field"]) == (code, field), (body, answer)


async def test_an_accepted_request_is_left_to_its_handler_when_sla_levels_fire(
    desk: Desk,
) -> None:
    await desk_with_queues(desk)
    he = await agent(desk, "he", skills={"refunds": 5}, capacity={"ticket": 1})
    await desk.ok("POST", "/api/v1/queues", TIER2)
    await desk.ok("POST", "/api/v1/queues", SUPPORT)
    await available(desk, "he", he)
    ticket = await desk.create(group="support", category="refund")
    offer = (await until(lambda: offers(desk, "he")))[0]
    status, _ = await desk.call(
        "POST", f"/api/v1/routing/reservations/{offer['reservation']}/accept", None, he
    )
    assert status == 200
    desk.clock.advance(3600)
    assert [f.level for f in await desk.tick()] == ["warning", "breach"]
    view = routing(desk).engine.item(f"ticket:{ticket['number']}")
    assert (view.status, view.agent_id, view.item.queue) == ("active", "he", "support")
    assert await desk.messages("floor", "routing_escalation") == []
