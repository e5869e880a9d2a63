"""Websocket ingest for high-volume CTI sources: ``GET /api/v1/cti/ws`` with a cti token.

One connection carries many events without a request per event. Each text message is a
CallEvent or a list of them (as on ``POST /api/v1/cti/events``); each is answered once:

- ``{"type": "ack", "seq": N, "id", "event_id", "call_id", "duplicate", "warnings"}`` after the
  event is stored (a list gets ``{"type": "ack", "seq": N, "results": [...]}``), or
- ``{"type": "error", "seq": N, "error": {"code", "message", "field"}}`` when nothing of the
  message was stored (bad JSON, a bad field, over the rate).

``seq`` counts the connection's messages from 1, so a client can match answers that come back
out of order: messages are worked on concurrently (up to ``MAX_IN_FLIGHT``), since the call
records do not depend on the order events arrive in. A source configured with an HMAC secret
posts signed bodies over HTTP and is refused here with 403: the socket carries no signature.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from aiohttp import WSMsgType, web

from routing import gateway
from routing.api import MAX_BATCH
from switchboard.core.errors import (
    BadRequest,
    Forbidden,
    PayloadTooLarge,
    SwitchboardError,
    TooManyRequests,
)
from switchboard.core.http import SETTINGS, endpoint, parse, principal
from switchboard.core.ratelimit import RateLimiter
from switchboard.core.wire import CallEvent

log = logging.getLogger(__name__)

routes = web.RouteTableDef()

# The per-source limiter shared with the HTTP endpoint (set by the composition root).
LIMITER = web.AppKey("cti_ws_limiter", RateLimiter)
MAX_IN_FLIGHT = 256


def events_of(data: Any) -> tuple[list[CallEvent], bool]:
    """The events of one message and whether it was a list; BadRequest naming the field."""
    if isinstance(data, list):
        if not data:
            raise BadRequest("the list of events is empty", field="body")
        if len(data) > MAX_BATCH:
            raise PayloadTooLarge(f"at most {MAX_BATCH} events per message", field="body")
        return [parse(CallEvent, item, prefix=str(i)) for i, item in enumerate(data)], True
    return [parse(CallEvent, data)], False


def decode(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"the message is not valid JSON at line {exc.lineno} column {exc.colno}",
            field="body",
        ) from None


class Connection:
    """One source's socket: takes messages, answers each after its events are stored."""

    def __init__(self, app: web.Application, ws: web.WebSocketResponse, source: str) -> None:
        self.app = app
        self.ws = ws
        self.source = source
        self.limiter = app.get(LIMITER)
        self.slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        self.send_lock = asyncio.Lock()
        self.tasks: set[asyncio.Task[None]] = set()

    async def serve(self) -> None:
        seq = 0
        async for msg in self.ws:
            if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                continue
            seq += 1
            await self.slots.acquire()
            task = asyncio.create_task(self.handle(seq, msg.data))
            self.tasks.add(task)
            task.add_done_callback(self._done)
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        self.slots.release()

    async def handle(self, seq: int, data: str | bytes) -> None:
        try:
            text = data.decode("utf-8") if isinstance(data, bytes) else data
            events, batch = events_of(decode(text))
            self._take(len(events))
            acks = await gateway.ingest(self.app, self.source, events)
        except UnicodeDecodeError:
            await self.send({"type": "error", "seq": seq, **_error(BadRequest("not UTF-8"))})
            return
        except SwitchboardError as exc:
            if exc.status >= 500:
                log.warning("cti ws %s: message %d not stored: %s", self.source, seq, exc.message)
            await self.send({"type": "error", "seq": seq, **_error(exc)})
            return
        except Exception:
            log.exception("cti ws %s: message %d failed", self.source, seq)
            internal = {"code": "internal", "message": "internal error; the server log says more"}
            await self.send({"type": "error", "seq": seq, "error": internal})
            return
        if batch:
            body: dict[str, Any] = {"results": [_ack(a) for a in acks]}
        else:
            body = _ack(acks[0])
        await self.send({"type": "ack", "seq": seq, **body})

    def _take(self, count: int) -> None:
        if self.limiter is None:
            return
        wait = self.limiter.take(self.source, time.monotonic(), cost=float(count))
        if wait > 0:
            log.warning("rate limit: CTI source %r is over its rate (websocket)", self.source)
            rate = self.app[SETTINGS].cti_rate
            raise TooManyRequests(
                f"source {self.source!r} is over {rate:g} events/s", retry_after=round(wait, 3)
            )

    async def send(self, body: dict[str, Any]) -> None:
        if self.ws.closed:
            return
        async with self.send_lock:
            # A source that went away misses its answer; what was stored stays stored.
            with contextlib.suppress(ConnectionError):
                await self.ws.send_str(json.dumps(body, ensure_ascii=False))


def _ack(ack: gateway.Ack) -> dict[str, Any]:
    return {**ack.wire(), "duplicate": ack.duplicate}


def _error(exc: SwitchboardError) -> dict[str, Any]:
    return exc.body()


@routes.get("/api/v1/cti/ws")
@endpoint(
    "Websocket ingest of call events for high-volume sources",
    roles=("cti",),
    description="Each text message is a CallEvent or a list of them; each is answered with "
    "{'type':'ack','seq',...} once stored (the same fields as POST /api/v1/cti/events) or "
    "{'type':'error','seq','error':{...}} naming the field. Sources with an HMAC secret are "
    "refused (403): they post signed bodies.",
    statuses=(101, 401, 403, 429),
)
async def cti_websocket(request: web.Request) -> web.StreamResponse:
    source = principal(request).name
    settings = request.app[SETTINGS]
    if source in settings.cti_secrets:
        raise Forbidden(
            f"source {source!r} signs its events: post them to /api/v1/cti/events "
            "with X-Switchboard-Signature"
        )
    ws = web.WebSocketResponse(heartbeat=20.0, max_msg_size=settings.max_body_bytes)
    await ws.prepare(request)
    try:
        await Connection(request.app, ws, source).serve()
    finally:
        if not ws.closed:
            await ws.close()
    return ws
