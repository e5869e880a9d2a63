"""A fake Switchboard server speaking the agent websocket protocol, for the console tests.

``FakeSwitchboard`` is a real aiohttp server on 127.0.0.1 (random port). It keeps the
agent's channel (every published message with its id), replays ``id > since`` on connect,
and can drop connections, refuse new ones, or push raw frames on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import WSCloseCode, web
from aiohttp.test_utils import TestServer
from rich.cells import cell_len
from textual.app import App
from textual.pilot import Pilot

from console.agent_app import AgentConsoleApp
from console.feed import AgentFeed, Backoff

TOKEN = "tok-a-1001"
AGENT: dict[str, str] = {"id": "a-1001", "name": "王小明", "extension": "1001"}
AT = "2026-11-22T09:00:00+08:00"

Frame = dict[str, Any] | str


@dataclass
class Attempt:
    """One connection attempt as the server saw it."""

    since: int | None
    authorization: str | None
    accepted: bool = False


@dataclass
class _Live:
    request: web.Request
    ws: web.WebSocketResponse
    queue: asyncio.Queue[Frame | None] = field(default_factory=asyncio.Queue)


class FakeSwitchboard:
    def __init__(self, token: str = TOKEN, agent: dict[str, str] | None = None) -> None:
        self.token = token
        self.agent = dict(agent or AGENT)
        self.state = "available"
        self.channel: list[dict[str, Any]] = []
        self.attempts: list[Attempt] = []
        self.refuse_with: int | None = None  # answer this HTTP status instead of upgrading
        self._ids = itertools.count(1)
        self._live: list[_Live] = []
        self._changed = asyncio.Condition()
        self._app = web.Application()
        self._app.router.add_get("/api/v1/ws", self._ws)
        self._server = TestServer(self._app, host="127.0.0.1")

    @property
    def url(self) -> str:
        return str(self._server.make_url("")).rstrip("/")

    @property
    def cursor(self) -> int:
        return self.channel[-1]["id"] if self.channel else 0

    @property
    def live(self) -> int:
        return len(self._live)

    async def start(self) -> None:
        await self._server.start_server()

    async def close(self) -> None:
        for live in list(self._live):
            live.queue.put_nowait(None)
        await self._server.close()

    # --- driving the channel -------------------------------------------------------------

    def publish(self, message: dict[str, Any]) -> dict[str, Any]:
        """Give ``message`` the next id, keep it in the channel, send it to live sockets."""
        stored = {**message, "id": next(self._ids)}
        self.channel.append(stored)
        for live in self._live:
            live.queue.put_nowait(stored)
        return stored

    def inject(self, frame: Frame) -> None:
        """Send ``frame`` as is to live sockets, outside the channel (duplicates, junk)."""
        for live in self._live:
            live.queue.put_nowait(frame)

    async def drop(self, *, abrupt: bool = False) -> None:
        """Close every live connection: politely (close frame) or by cutting the TCP link."""
        for live in list(self._live):
            if abrupt and live.request.transport is not None:
                live.request.transport.abort()
            live.queue.put_nowait(None)
        await self.wait_for(lambda: not self._live)

    async def wait_for(self, predicate: Callable[[], bool], within: float = 3.0) -> None:
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(predicate)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- the endpoint --------------------------------------------------------------------

    async def _ws(self, request: web.Request) -> web.StreamResponse:
        raw_since = request.query.get("since")
        attempt = Attempt(
            since=int(raw_since) if raw_since is not None else None,
            authorization=request.headers.get("Authorization"),
        )
        self.attempts.append(attempt)
        await self._notify()
        if self.refuse_with is not None:
            return web.Response(status=self.refuse_with, text="not now")
        if attempt.authorization != f"Bearer {self.token}":
            return web.Response(status=401, text="bad token")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        live = _Live(request, ws)
        # Snapshot and register with no await in between, so nothing falls in a gap.
        since = attempt.since
        for message in self.channel:
            if since is not None and message["id"] > since:
                live.queue.put_nowait(message)
        hello = {
            "type": "hello",
            "id": since if since is not None else self.cursor,
            "agent": self.agent,
            "state": self.state,
            "cursor": self.cursor,
        }
        self._live.append(live)
        attempt.accepted = True
        await self._notify()
        reader = asyncio.create_task(self._read(ws))
        try:
            await ws.send_json(hello)
            while True:
                getter = asyncio.ensure_future(live.queue.get())
                await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    break
                frame = getter.result()
                if frame is None or ws.closed:
                    break
                if isinstance(frame, str):
                    await ws.send_str(frame)
                else:
                    await ws.send_json(frame)
        except ConnectionError:
            pass
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            self._live.remove(live)
            await self._notify()
            if not ws.closed:
                with contextlib.suppress(ConnectionError):
                    await ws.close(code=WSCloseCode.GOING_AWAY)
        return ws

    async def _read(self, ws: web.WebSocketResponse) -> None:
        async for _ in ws:
            pass


# --- payload builders --------------------------------------------------------------------


def candidate(
    customer_id: int,
    name: str,
    customer_name: str,
    *,
    kind: str = "enterprise",
    number: str = "+8613812345678",
    reason: str = "exact E.164",
) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "contact_id": customer_id * 10,
        "name": name,
        "customer_name": customer_name,
        "kind": kind,
        "number": number,
        "reason": reason,
    }


def screen_pop(
    status: str,
    *,
    call_id: str = "c-77",
    number: str = "+86 138 1234 5678",
    e164: str | None = "+8613812345678",
    candidates: list[dict[str, Any]] | None = None,
    customer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "type": "screen_pop",
        "call_id": call_id,
        "agent": AGENT["id"],
        "direction": "inbound",
        "from": number,
        "to": "4008001234",
        "queue": "sales",
        "ivr": {"lang": "zh"},
        "at": AT,
        "match": {
            "status": status,
            "number": number,
            "e164": e164,
            "candidates": candidates or [],
        },
        "customer": customer,
    }


TENGDA = candidate(1, "张伟", "深圳市腾达科技有限公司")
TENGDA_SUMMARY: dict[str, Any] = {
    "id": 1,
    "kind": "enterprise",
    "name": "深圳市腾达科技有限公司",
    "contact_name": "张伟",
    "phones": ["+86 138 1234 5678", "+86 755 8888 0000"],
    "emails": ["zhang.wei@tengda.cn"],
    "city": "深圳",
    "tier": "gold",
    "tags": ["vip", "华南大区"],
}


def known_pop(call_id: str = "c-77") -> dict[str, Any]:
    return screen_pop("known", call_id=call_id, candidates=[TENGDA], customer=TENGDA_SUMMARY)


def several_pop() -> dict[str, Any]:
    return screen_pop(
        "several",
        candidates=[
            TENGDA,
            candidate(2, "李娜", "李娜", kind="individual", reason="exact E.164"),
            candidate(3, "王芳", "广州华南物流有限公司", reason="same national number"),
        ],
    )


@pytest.fixture
async def fake_server() -> AsyncIterator[FakeSwitchboard]:
    server = FakeSwitchboard()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


# --- the console under test --------------------------------------------------------------

SIZE = (80, 24)


def screen_lines(app: App[Any]) -> list[str]:
    """What the terminal shows now, one string per row (wide characters count twice)."""
    # The compositor is private, but it is exactly what would reach the terminal.
    return [strip.text for strip in app.screen._compositor.render_strips()]


def screen_text(app: App[Any]) -> str:
    return "\n".join(screen_lines(app))


def cell_column(line: str, text: str) -> int:
    """The terminal column where ``text`` starts in ``line``."""
    return cell_len(line[: line.index(text)])


async def wait_until(
    pilot: Pilot[Any], predicate: Callable[[], bool], within: float = 10.0
) -> None:
    """Let the app run until ``predicate`` holds; fail with the screen if it never does.

    It returns as soon as the predicate holds; the generous limit only matters on a machine
    busy with other work, where a real server's answer can take seconds."""
    try:
        async with asyncio.timeout(within):
            while True:
                await pilot.pause()
                if predicate():
                    return
                await asyncio.sleep(0.02)
    except TimeoutError:
        pytest.fail("condition not met; the screen shows:\n" + screen_text(pilot.app))


async def wait_for_text(pilot: Pilot[Any], *texts: str, within: float = 10.0) -> None:
    await wait_until(pilot, lambda: all(t in screen_text(pilot.app) for t in texts), within)


def console_for(server: FakeSwitchboard, token: str = TOKEN) -> AgentConsoleApp:
    backoff = Backoff(initial=0.05, maximum=0.2, jitter=0.0)
    return AgentConsoleApp(AgentFeed(server.url, token, backoff=backoff), agent_id=AGENT["id"])
