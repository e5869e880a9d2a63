"""The demo's simulated queue against the real server, its background loops running: callers
wait in their queue (the wallboard counts them) until the agent is available, one call at a
time, and the next one waits for the end of the agent's wrap-up."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from routing.floor import FLOOR
from switchboard.demo.feed import run_feed
from tests.conftest import LiveServer

AGENT = {"id": "a-1001", "name": "王小明", "extension": "1001"}
LIMIT = 20.0  # seconds a condition may take on a loaded machine


class Callers:
    def __init__(self, numbers: list[str]) -> None:
        self.numbers = numbers

    def next(self, kind: str) -> str:
        return self.numbers.pop(0)


async def until(what: str, check: Callable[[], Awaitable[bool]]) -> None:
    try:
        async with asyncio.timeout(LIMIT):
            while True:
                if await check():
                    return
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


async def waiting(live: LiveServer, supervisor: str) -> int:
    """Callers waiting, summed over the wallboard's queue tiles."""
    await live.app[FLOOR].refresh()
    url = live.url.replace("http://", "ws://") + "/api/v1/floor/ws"
    headers = {"Authorization": f"Bearer {supervisor}"}
    async with live.session.ws_connect(url, headers=headers) as ws:
        data: dict[str, Any] = json.loads((await ws.receive(timeout=LIMIT)).data)
    return sum(int(tile["waiting_now"]) for tile in data["queues"])


def pops_in(ws: aiohttp.ClientWebSocketResponse, seen: list[dict[str, Any]]) -> Callable[[], Any]:
    async def read() -> None:
        async for message in ws:
            data = json.loads(message.data)
            if data["type"] == "screen_pop":
                seen.append(data)

    return read


async def test_callers_wait_until_the_agent_is_available_and_out_of_wrap_up(
    live: LiveServer, admin: str, cti: str
) -> None:
    status, _ = await live.call("POST", "/api/v1/agents", admin, json=AGENT)
    assert status == 201
    agent = await live.token("agent", "console", "a-1001")
    supervisor = await live.token("supervisor", "wallboard")
    state_path = "/api/v1/agents/a-1001/state"

    async def set_state(body: dict[str, Any]) -> None:
        status, answer = await live.call("POST", state_path, agent, json=body)
        assert status == 200, answer

    async def agent_state() -> str:
        status, answer = await live.call("GET", "/api/v1/agents/a-1001", agent)
        assert status == 200
        return str(answer["state"])

    await set_state({"state": "break", "reason": "lunch"})
    pops: list[dict[str, Any]] = []
    stop = asyncio.Event()
    headers = {"Authorization": f"Bearer {agent}"}
    async with live.session.ws_connect(live.ws_url(), headers=headers) as ws:
        reader = asyncio.create_task(pops_in(ws, pops)())
        feed = asyncio.create_task(
            run_feed(
                live.url,
                cti,
                "a-1001",
                Callers(["+8613900000001", "+8613900000002"]),
                agent_token=agent,
                calls=2,
                stop=stop,
                interval=0.01,
                first_after=0.0,
                ring_for=0.05,
                talk_for=0.2,
                patience=(3600.0, 3600.0),
                after_call=3600.0,
                poll=0.05,
            )
        )
        try:
            # on break: both callers wait in their queues, on the wallboard
            await until("two callers waiting", lambda: _eq(waiting(live, supervisor), 2))
            assert pops == []
            assert await agent_state() == "break"

            await set_state({"state": "available"})
            await until("the first caller popped", lambda: _true(len(pops) == 1))
            assert pops[0]["from"] == "+8613900000001"  # first come, first served
            # the call is answered and ends; the server shows the agent available at once,
            # and the console reports wrap-up: the second caller keeps waiting meanwhile
            await until("the first call answered", lambda: _eq(waiting(live, supervisor), 1))
            await until("the agent free", lambda: _in(agent_state(), ("available", "wrap_up")))
            await set_state({"state": "wrap_up", "seconds": 600})
            assert await waiting(live, supervisor) == 1
            assert len(pops) == 1

            await set_state({"state": "available"})  # wrap-up done
            await until("the second caller popped", lambda: _true(len(pops) == 2))
            assert pops[1]["from"] == "+8613900000002"
            await asyncio.wait_for(feed, timeout=LIMIT)  # both calls served: the feed is done
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(feed, return_exceptions=True), timeout=LIMIT)
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
    assert feed.result() == 2
    await until("nobody waiting", lambda: _eq(waiting(live, supervisor), 0))


async def _eq(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def _in(value: Awaitable[str], expected: tuple[str, ...]) -> bool:
    return await value in expected


async def _true(value: bool) -> bool:
    return value
