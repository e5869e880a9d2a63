"""Live routing in the server: queued calls go to the most qualified idle agent, with the
offer, the pop, accept, reject, missed offers, hangups, the decision trace and a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from routing.service import ROUTING, RoutingService
from routing.store import decisions_t
from switchboard.core.clock import ManualClock
from switchboard.core.http import DATABASE
from switchboard.core.settings import Settings
from tests.conftest import LiveServer, start_server

CUSTOMER = {"kind": "individual", "name": "张伟", "tier": "B", "phones": ["13812345678"]}
QUEUE: dict[str, Any] = {
    "id": "billing",
    "skills": {"billing": 2},
    "strategy": "most_skilled",
    "offer_timeout_s": 5,
}
# wang is the most skilled; li is idle longest (longest_idle would pick li); zhao lacks the
# skill; qian has it below the minimum.
AGENTS = [
    {
        "id": "li",
        "name": "李娜",
        "extension": "1001",
        "skills": {"billing": 3},
        "languages": ["zh"],
    },
    {
        "id": "wang",
        "name": "王芳",
        "extension": "1002",
        "skills": {"billing": 5},
        "languages": ["zh", "en"],
    },
    {
        "id": "zhao",
        "name": "赵磊",
        "extension": "1003",
        "skills": {"sales": 4},
        "languages": ["zh"],
    },
    {
        "id": "qian",
        "name": "钱进",
        "extension": "1004",
        "skills": {"billing": 1},
        "languages": ["zh"],
    },
]


def ring(n: int, queue: str = "billing", **extra: Any) -> dict[str, Any]:
    event = {
        "event_id": f"r-{n}",
        "call_id": f"c-{n}",
        "type": "ringing",
        "from": "+86 138 1234 5678",
        "to": "4008001234",
        "queue": queue,
        "ivr": {"lang": "zh"},
    }
    event.update(extra)
    return event


def event(n: int, kind: str, call: int, **extra: Any) -> dict[str, Any]:
    return {"event_id": f"{kind}-{n}", "call_id": f"c-{call}", "type": kind, **extra}


class Floor:
    """The server, its tokens, and shortcuts for what the tests do over and over."""

    def __init__(self, live: LiveServer, admin: str, cti: str) -> None:
        self.live = live
        self.admin = admin
        self.cti = cti
        self.tokens: dict[str, str] = {}

    @property
    def routing(self) -> RoutingService:
        return self.live.app[ROUTING]

    async def agents(self, *ids: str) -> None:
        for spec in AGENTS:
            if spec["id"] in ids:
                status, body = await self.live.call("POST", "/api/v1/agents", self.admin, json=spec)
                assert status == 201, body
                self.tokens[spec["id"]] = await self.live.token(
                    "agent", f"console-{spec['id']}", spec["id"]
                )

    async def set_state(self, agent: str, state: str, reason: str | None = None) -> None:
        body = {"state": state, "reason": reason} if reason else {"state": state}
        status, answer = await self.live.call(
            "POST", f"/api/v1/agents/{agent}/state", self.tokens[agent], json=body
        )
        assert status == 200, answer

    async def state(self, agent: str) -> tuple[str, str | None]:
        status, body = await self.live.call("GET", f"/api/v1/agents/{agent}", self.admin)
        assert status == 200
        return body["state"], body["state_reason"]

    async def queue(self, **changes: Any) -> dict[str, Any]:
        status, body = await self.live.call(
            "POST", "/api/v1/queues", self.admin, json={**QUEUE, **changes}
        )
        assert status == 201, body
        return body  # type: ignore[no-any-return]

    async def post(self, *events: dict[str, Any]) -> None:
        for e in events:
            status, body = await self.live.call("POST", "/api/v1/cti/events", self.cti, json=e)
            assert status == 200, body

    async def answer(self, verb: str, reservation: str, agent: str) -> tuple[int, Any]:
        return await self.live.call(
            "POST",
            f"/api/v1/routing/reservations/{reservation}/{verb}",
            self.tokens[agent],
        )

    def console(self, agent: str | None = None) -> Any:
        token = self.tokens[agent] if agent else self.admin
        return self.live.session.ws_connect(
            self.live.ws_url(), headers={"Authorization": f"Bearer {token}"}
        )


async def messages(
    ws: aiohttp.ClientWebSocketResponse, *, until: str | None = None, wait: float = 0.4
) -> list[dict[str, Any]]:
    """What arrives: up to and including the first ``until`` message (3 s at most), or
    whatever comes within ``wait`` seconds of quiet."""
    seen: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(3.0 if until else wait):
            while True:
                message = await ws.receive_json()
                seen.append(message)
                if until is not None and message["type"] == until:
                    return seen
    except TimeoutError:
        if until is not None:
            raise AssertionError(f"no {until!r} message; got {[m['type'] for m in seen]}") from None
        return seen


def of(kind: str, seen: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in seen if m["type"] == kind]


@pytest.fixture
async def floor(live: LiveServer, admin: str, cti: str) -> Floor:
    return Floor(live, admin, cti)


async def ready(floor: Floor, *ids: str) -> None:
    """Agents created, and made available in this order (the first is idle longest)."""
    await floor.agents(*ids)
    for agent in ids:
        await floor.set_state(agent, "available")


async def test_queued_call_goes_to_the_most_qualified_idle_agent_only(floor: Floor) -> None:
    status, customer = await floor.live.call(
        "POST", "/api/v1/customers", floor.admin, json=CUSTOMER
    )
    assert status == 201
    await ready(floor, "li", "wang", "zhao", "qian")
    await floor.queue()
    async with floor.console("wang") as wang, floor.console("li") as li:
        await messages(wang, until="hello")
        await messages(li, until="hello")
        await floor.post(ring(1))
        got = await messages(wang, until="offer")
        others = await messages(li)
    pop = of("screen_pop", got)[0]
    offer = of("offer", got)[0]
    # The pop has the shape of a pop for a call naming the agent.
    assert set(pop) == {
        "type",
        "id",
        "call_id",
        "agent",
        "direction",
        "from",
        "to",
        "queue",
        "ivr",
        "at",
        "match",
        "customer",
    }
    assert (pop["call_id"], pop["agent"], pop["queue"]) == ("c-1", "wang", "billing")
    assert pop["match"]["status"] == "known"
    assert pop["customer"]["id"] == customer["id"]
    assert offer["call_id"] == "c-1"
    assert offer["queue"] == "billing"
    assert offer["reservation"].startswith("R")
    assert offer["expires_at"].endswith("+00:00")
    assert [m["state"] for m in of("agent_state", got)] == ["reserved"]
    assert pop["id"] < offer["id"]
    assert of("screen_pop", others) == []
    assert of("offer", others) == []
    assert await floor.state("wang") == ("reserved", None)
    assert await floor.state("li") == ("available", None)


async def test_accept_then_answered_then_ended(floor: Floor) -> None:
    await ready(floor, "li", "wang")
    await floor.queue(wrap_up_s=0)
    async with floor.console("wang") as wang:
        await messages(wang, until="hello")
        await floor.post(ring(1))
        offer = of("offer", await messages(wang, until="offer"))[0]
        status, body = await floor.answer("accept", offer["reservation"], "wang")
        assert status == 200, body
        assert body == {
            "reservation": offer["reservation"],
            "call_id": "c-1",
            "item": "c-1",
            "kind": "call",
            "queue": "billing",
            "agent": "wang",
            "outcome": "accepted",
            "transfer": None,
        }
        assert await floor.state("wang") == ("reserved", None)
        # Another agent may not answer wang's offer, and it cannot be answered twice.
        status, _ = await floor.answer("reject", offer["reservation"], "li")
        assert status == 409
        await floor.post(event(1, "answered", 1, agent="1002"))
        assert await floor.state("wang") == ("on_call", None)
        await floor.post(event(1, "ended", 1))
        seen = await messages(wang)
    assert await floor.state("wang") == ("available", None)
    assert floor.routing.engine.items() == []
    assert floor.routing.engine.agent("wang").state == "available"
    assert [m["outcome"] for m in of("offer_ended", seen)] == ["accepted"]
    assert [m["state"] for m in of("agent_state", seen)] == ["on_call", "available"]


async def test_reject_goes_to_the_next_agent(floor: Floor) -> None:
    await ready(floor, "li", "wang")
    await floor.queue()
    async with floor.console("wang") as wang, floor.console("li") as li:
        await messages(wang, until="hello")
        await messages(li, until="hello")
        await floor.post(ring(1))
        first = of("offer", await messages(wang, until="offer"))[0]
        status, body = await floor.answer("reject", first["reservation"], "wang")
        assert (status, body["outcome"]) == (200, "rejected")
        second = of("offer", await messages(li, until="offer"))[0]
        ended = of("offer_ended", await messages(wang))
    assert second["call_id"] == "c-1"
    assert second["reservation"] != first["reservation"]
    assert [e["outcome"] for e in ended] == ["rejected"]
    assert await floor.state("wang") == ("available", None)
    assert await floor.state("li") == ("reserved", None)
    status, body = await floor.answer("accept", first["reservation"], "wang")
    assert (status, body["error"]["outcome"]) == (409, "rejected")
    status, body = await floor.answer("accept", "R999", "wang")
    assert status == 404


async def test_a_caller_hanging_up_leaves_the_queue(floor: Floor) -> None:
    await floor.agents("li", "wang")
    await floor.set_state("wang", "available")
    await floor.queue()
    # Nobody free: both calls wait.
    await floor.set_state("wang", "break", "lunch")
    await floor.post(ring(1), ring(2))
    engine = floor.routing.engine
    assert [v.item.id for v in engine.items()] == ["c-1", "c-2"]
    await floor.post(event(1, "abandoned", 1, cause="caller_hangup"))
    assert [v.item.id for v in engine.items()] == ["c-2"]
    async with floor.console("wang") as wang:
        await messages(wang, until="hello")
        await floor.set_state("wang", "available")
        offer = of("offer", await messages(wang, until="offer"))[0]
        assert offer["call_id"] == "c-2"
        # The caller hangs up while it rings the agent: the agent is free again.
        await floor.post(event(2, "ended", 2))
        ended = of("offer_ended", await messages(wang, until="offer_ended"))
    assert ended[0]["outcome"] == "cancelled"
    assert engine.items() == []
    assert await floor.state("wang") == ("available", None)
    # A repeated hangup, or one for a call routing never had, changes nothing.
    await floor.post(event(2, "ended", 2), event(3, "ended", 99))


async def test_decisions_explain_why_the_loser_lost(floor: Floor) -> None:
    await ready(floor, "li", "wang", "zhao", "qian")
    await floor.set_state("qian", "break", "training")
    await floor.queue()
    supervisor = await floor.live.token("supervisor", "sup")
    floor.tokens["sup"] = supervisor
    async with floor.console("sup") as wall:
        await messages(wall, until="hello")
        await floor.post(ring(1))
        seen = await messages(wall, until="routing_decision")
    note = of("routing_decision", seen)[0]
    assert (note["item"], note["call_id"], note["winner"]) == ("c-1", "c-1", "wang")
    assert [t["agent"] for t in note["top"]] == ["wang", "li"]
    assert note["eliminated"] == {"missing_skill": 1, "proficiency": 1}
    status, body = await floor.live.call("GET", "/api/v1/routing/decisions?item=c-1", supervisor)
    assert status == 200, body
    (decision,) = body["decisions"]
    assert decision["winner"] == "wang"
    assert decision["strategy"] == "most_skilled"
    assert decision["trigger"] == "arrival"
    assert decision["relaxation"] == {"step": 0, "label": "step 0 (none)"}
    assert decision["requirement"]["skills"] == {"billing": 2}
    assert decision["requirement"]["language"] == "zh"
    trace = decision["trace"]
    by_agent = {c["agent"]: c for c in trace["candidates"]}
    assert by_agent["wang"]["rank"] == 1
    assert by_agent["li"]["rank"] == 2
    assert "li ranked 2 (skill sum 3" in by_agent["li"]["why"]
    assert "wang ranked first (skill sum 5" in by_agent["li"]["why"]
    assert by_agent["zhao"]["rule"] == "missing_skill"
    assert by_agent["zhao"]["detail"] == "has no skill billing"
    assert by_agent["qian"]["rule"] == "proficiency"
    assert by_agent["qian"]["detail"] == "billing at 1, needs 2"
    assert "#2   li: skill sum 3" in trace["text"]
    # Who may ask, and what must be said.
    status, _ = await floor.live.call(
        "GET", "/api/v1/routing/decisions?item=c-1", floor.tokens["li"]
    )
    assert status == 403
    status, body = await floor.live.call("GET", "/api/v1/routing/decisions", supervisor)
    assert (status, body["error"]["field"]) == (400, "item")


async def test_an_item_waiting_says_what_holds_it(floor: Floor) -> None:
    await floor.agents("li", "zhao")
    await floor.set_state("zhao", "available")
    await floor.queue()
    await floor.post(ring(1))
    status, body = await floor.live.call("GET", "/api/v1/routing/decisions?item=c-1", floor.admin)
    assert status == 200
    assert body["decisions"][0]["winner"] is None
    waiting = {c["agent"]: c for c in body["waiting"]["candidates"]}
    assert waiting["zhao"]["rule"] == "missing_skill"
    assert waiting["li"]["rule"] == "state"
    assert waiting["li"]["detail"] == "offline"


@pytest.fixture
async def manual(settings: Settings) -> AsyncIterator[tuple[Floor, ManualClock]]:
    clock = ManualClock()
    app, server = await start_server(settings, clock)
    async with aiohttp.ClientSession() as session:
        live = LiveServer(app, server, session, settings)
        admin = await live.token("admin", "adm")
        cti = await live.token("cti", "pbx1")
        yield Floor(live, admin, cti), clock
    await server.close()


async def test_a_missed_offer_makes_the_agent_not_ready_and_goes_on(
    manual: tuple[Floor, ManualClock],
) -> None:
    floor, clock = manual
    await ready(floor, "li", "wang")
    await floor.queue()
    async with floor.console("wang") as wang, floor.console("li") as li:
        await messages(wang, until="hello")
        await messages(li, until="hello")
        await floor.post(ring(1))
        first = of("offer", await messages(wang, until="offer"))[0]
        clock.advance(4.9)
        await floor.routing.tick()
        assert await floor.state("wang") == ("reserved", None)
        clock.advance(0.2)
        await floor.routing.tick()
        second = of("offer", await messages(li, until="offer"))[0]
        gone = of("offer_ended", await messages(wang, until="offer_ended"))
    assert second["call_id"] == "c-1"
    assert gone[0]["reservation"] == first["reservation"]
    assert gone[0]["outcome"] == "timeout"
    assert await floor.state("wang") == ("not_ready", "missed_offer")
    assert await floor.state("li") == ("reserved", None)
    engine = floor.routing.engine
    assert (engine.agent("wang").state, engine.agent("wang").reason) == (
        "not_ready",
        "missed_offer",
    )
    status, body = await floor.answer("accept", first["reservation"], "wang")
    assert (status, body["error"]["outcome"]) == (409, "timeout")


async def test_relaxation_lets_a_less_skilled_agent_take_a_waiting_call(
    manual: tuple[Floor, ManualClock],
) -> None:
    floor, clock = manual
    await ready(floor, "qian")
    await floor.queue(relaxation=[{"after_s": 30, "min_proficiency": 1}])
    await floor.post(ring(1))
    assert await floor.state("qian") == ("available", None)
    clock.advance(31)
    await floor.routing.tick()
    assert await floor.state("qian") == ("reserved", None)
    status, body = await floor.live.call("GET", "/api/v1/routing/decisions?item=c-1", floor.admin)
    assert status == 200
    last = body["decisions"][-1]
    assert (last["winner"], last["trigger"], last["relaxation"]["step"]) == ("qian", "relaxed", 1)


async def test_a_restart_rebuilds_routing_from_the_database(settings: Settings) -> None:
    clock = ManualClock()
    app, server = await start_server(settings, clock)
    async with aiohttp.ClientSession() as session:
        live = LiveServer(app, server, session, settings)
        floor = Floor(live, await live.token("admin", "adm"), await live.token("cti", "pbx1"))
        await ready(floor, "li", "wang", "zhao")
        await floor.set_state("wang", "break", "lunch")
        await floor.queue()
        await floor.post(ring(1), ring(2))  # c-1 is offered to li, c-2 waits
        assert await floor.state("li") == ("reserved", None)
        tokens = dict(floor.tokens)
    await server.close()

    clock.advance(10)
    app, server = await start_server(settings, clock)
    async with aiohttp.ClientSession() as session:
        live = LiveServer(app, server, session, settings)
        floor = Floor(live, await live.token("admin", "adm2"), await live.token("cti", "pbx1"))
        floor.tokens = tokens
        engine = floor.routing.engine
        assert (engine.agent("wang").state, engine.agent("wang").reason) == ("break", "lunch")
        assert engine.agent("zhao").state == "available"
        assert engine.agent("wang").skills == {"billing": 5}
        assert engine.queue("billing").strategy == "most_skilled"
        # The offer of the last run is gone: li is offered the oldest call again.
        views = {v.item.id: v for v in engine.items()}
        assert sorted(views) == ["c-1", "c-2"]
        assert (views["c-1"].status, views["c-1"].agent_id) == ("offered", "li")
        assert views["c-2"].status == "waiting"
        assert await floor.state("li") == ("reserved", None)
        res = views["c-1"].reservation_id
        assert res is not None
        status, _ = await floor.answer("accept", res, "li")
        assert status == 200
        await floor.set_state("wang", "available")
        assert await floor.state("wang") == ("reserved", None)
        assert engine.item("c-2").agent_id == "wang"
        async with live.app[DATABASE].engine.connect() as conn:
            rows = (await conn.execute(select(decisions_t.c.run).distinct())).all()
        assert len(rows) == 2  # decisions of both runs are kept
        status, body = await live.call("GET", "/api/v1/routing/decisions?item=c-1", floor.admin)
        assert [d["trace"] is None for d in body["decisions"]] == [True, False]
    await server.close()


async def test_the_phone_system_answering_counts_and_wrap_up_is_timed(
    manual: tuple[Floor, ManualClock],
) -> None:
    floor, clock = manual
    await ready(floor, "li", "wang")
    await floor.queue(wrap_up_s=10, offer_timeout_s=60)
    await floor.post(ring(1))
    assert await floor.state("wang") == ("reserved", None)
    # Nobody pressed accept: the phone system says wang answered, which settles the offer.
    await floor.post(event(1, "answered", 1, agent="wang"))
    assert await floor.state("wang") == ("on_call", None)
    assert floor.routing.engine.item("c-1").status == "active"
    assert floor.routing.engine.reservations() == []
    await floor.post(ring(2))  # wang is busy: li gets it
    assert await floor.state("li") == ("reserved", None)
    await floor.post(event(2, "ended", 1, agent="wang"))
    assert await floor.state("wang") == ("wrap_up", None)
    clock.advance(9)
    await floor.routing.tick()
    assert await floor.state("wang") == ("wrap_up", None)
    clock.advance(2)
    await floor.routing.tick()
    assert await floor.state("wang") == ("available", None)
    # li's offer runs out: the call goes to wang, straight from wrap-up's end.
    clock.advance(50)
    await floor.routing.tick()
    assert await floor.state("li") == ("not_ready", "missed_offer")
    assert await floor.state("wang") == ("reserved", None)


async def test_a_call_the_phone_system_gives_to_another_agent_leaves_routing(
    floor: Floor,
) -> None:
    await ready(floor, "li", "wang")
    await floor.queue()
    await floor.post(ring(1))
    assert await floor.state("wang") == ("reserved", None)
    await floor.post(event(1, "answered", 1, agent="li"))
    assert floor.routing.engine.items() == []
    assert await floor.state("wang") == ("available", None)
    assert await floor.state("li") == ("on_call", None)
    # li is busy on a call routing did not place: not offered the next one.
    await floor.post(ring(2))
    assert await floor.state("wang") == ("reserved", None)
    assert floor.routing.engine.agent("li").reason == "outside_call"
