"""The sweeper ends calls that can no longer be live and frees their agents, once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import aiohttp
from sqlalchemy import select

from routing import sweeper
from routing.store import agents_t, calls_t, events_t
from switchboard.core import outbox
from switchboard.core.http import CLOCK, DATABASE
from tests.conftest import LiveServer, start_server
from tests.integration.test_call_lifecycle import agents, event


async def post(live: LiveServer, token: str, *items: dict[str, Any]) -> None:
    for item in items:
        assert (await live.call("POST", "/api/v1/cti/events", token, json=item))[0] == 200


async def rows(live: LiveServer, table: Any) -> list[Any]:
    async with live.app[DATABASE].engine.connect() as conn:
        return list(await conn.execute(select(table)))


def call(call_id: str, n: int, type_: str, **extra: Any) -> dict[str, Any]:
    return {**event(n, type_, 0, **extra), "call_id": call_id, "event_id": f"{call_id}-{n}"}


async def test_silent_calls_end_reconciled_and_free_agents(
    live: LiveServer, admin: str, cti: str
) -> None:
    await agents(live, admin)
    await post(
        live,
        cti,
        call("talking", 1, "ringing", agent="1001"),
        call("talking", 2, "answered", agent="1001"),
        call("ringing", 1, "ringing", agent="1002"),
    )
    now = live.app[CLOCK].now()
    states = {r.id: r.state for r in await rows(live, agents_t)}
    assert states == {"a-1001": "on_call", "a-1002": "reserved"}

    # Eleven minutes on: the ringing call is lost, a conversation may still go on.
    assert await sweeper.sweep_once(live.app, now + timedelta(minutes=11)) == 1
    by_id = {r.call_id: r for r in await rows(live, calls_t)}
    assert (by_id["ringing"].state, by_id["ringing"].cause) == ("missed", "reconciled")
    assert by_id["talking"].state == "answered"
    states = {r.id: r.state for r in await rows(live, agents_t)}
    assert states == {"a-1001": "on_call", "a-1002": "available"}

    # Five hours on, the conversation is taken as lost too.
    assert await sweeper.sweep_once(live.app, now + timedelta(hours=5)) == 1
    talking = {r.call_id: r for r in await rows(live, calls_t)}["talking"]
    assert (talking.state, talking.cause) == ("ended", "reconciled")
    assert talking.talk_seconds is not None
    assert talking.talk_seconds > 4 * 3600
    states = {r.id: r.state for r in await rows(live, agents_t)}
    assert states == {"a-1001": "available", "a-1002": "available"}
    swept = [e for e in await rows(live, events_t) if e.event_id.startswith("sweep:")]
    assert len(swept) == 2
    assert {e.type for e in swept} == {"ended"}
    async with live.app[DATABASE].engine.connect() as conn:
        told = await conn.run_sync(lambda c: outbox.after(c, "agent:a-1001", 0, 100))
    assert any(m.type == "call" and m.body["state"] == "ended" for m in told)

    # Nothing is left to sweep.
    assert await sweeper.sweep_once(live.app, now + timedelta(days=1)) == 0


async def test_a_call_that_spoke_recently_is_left_alone(live: LiveServer, cti: str) -> None:
    await post(live, cti, call("fresh", 1, "ringing"))
    now = live.app[CLOCK].now()
    assert await sweeper.sweep_once(live.app, now + timedelta(minutes=9)) == 0
    assert (await rows(live, calls_t))[0].state == "ringing"


async def test_a_late_real_hangup_still_gives_its_cause(live: LiveServer, cti: str) -> None:
    await post(live, cti, call("late", 1, "ringing"))
    now = live.app[CLOCK].now()
    await sweeper.sweep_once(live.app, now + timedelta(minutes=11))
    await post(live, cti, call("late", 2, "ended", cause="busy"))
    row = (await rows(live, calls_t))[0]
    assert (row.state, row.cause) == ("missed", "busy")


async def test_two_nodes_do_not_both_claim_a_call(live: LiveServer, cti: str, backend: str) -> None:
    await post(live, cti, call("contended", 1, "ringing"))
    later = live.app[CLOCK].now() + timedelta(hours=1)
    if backend == "sqlite":
        # One writer per data dir: two sweeps at once are serialised and the second finds
        # nothing left.
        both = await asyncio.gather(
            sweeper.sweep_once(live.app, later), sweeper.sweep_once(live.app, later)
        )
        assert sorted(both) == [0, 1]
        return
    limits = sweeper.Limits(timedelta(minutes=10), timedelta(hours=4))
    engine = live.app[DATABASE].engine
    async with engine.connect() as first, engine.connect() as second:
        await first.begin()
        claimed = await first.run_sync(lambda c: sweeper.sweep(c, later, limits))
        await second.begin()
        skipped = await second.run_sync(lambda c: sweeper.claim(c, later, limits))
        await first.commit()
        await second.rollback()
    assert [p.event.call_id for _, p, _ in claimed] == ["contended"]
    assert skipped == []


async def test_the_server_sweeps_on_its_own(settings_factory: Any) -> None:
    settings = settings_factory(sweep_interval=0.1, sweep_ringing_after=0.3)
    app, server = await start_server(settings)
    try:
        async with aiohttp.ClientSession() as session:
            live = LiveServer(app, server, session, settings)
            token = await live.token("cti", "pbx-quiet")
            await post(live, token, call("forgotten", 1, "ringing"))
            async with asyncio.timeout(10):
                while (await rows(live, calls_t))[0].state == "ringing":  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
            row = (await rows(live, calls_t))[0]
            assert (row.state, row.cause) == ("missed", "reconciled")
    finally:
        await server.close()


async def test_a_swept_queue_call_leaves_routing_and_frees_the_offered_agent(
    live: LiveServer, admin: str, cti: str
) -> None:
    from tests.integration.test_routing_service import Floor, of, ready, ring
    from tests.integration.test_routing_service import messages as heard

    floor = Floor(live, admin, cti)
    await ready(floor, "wang")
    await floor.queue()
    async with floor.console("wang") as wang:
        await heard(wang, until="hello")
        await floor.post(ring(1))
        assert of("offer", await heard(wang, until="offer"))[0]["call_id"] == "c-1"
        assert await floor.state("wang") == ("reserved", None)
        later = live.app[CLOCK].now() + timedelta(minutes=11)
        assert await sweeper.sweep_once(live.app, later) == 1
        ended = of("offer_ended", await heard(wang, until="offer_ended"))
    assert ended[0]["outcome"] == "cancelled"
    assert floor.routing.engine.items() == []
    assert await floor.state("wang") == ("available", None)
