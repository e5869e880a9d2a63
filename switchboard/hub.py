"""The websocket hub: each client hears exactly its channel, and resumes where it left off.

On connect the client is subscribed first, then sent what it missed (ids after ``since``)
from the stored channel messages, then live messages; ids at or below what was already sent
are skipped, so nothing is lost or doubled across the switch from replay to live.
A client too slow to keep up is disconnected rather than buffered without bound; it comes
back with ``since`` and replays from the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from aiohttp import WSCloseCode, web

from switchboard.core import outbox
from switchboard.core.outbox import Message

log = logging.getLogger(__name__)

QUEUE_LIMIT = 1000


class Subscriber:
    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.queue: asyncio.Queue[Message | None] = asyncio.Queue(QUEUE_LIMIT)
        self.overflowed = False

    def offer(self, message: Message) -> None:
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed = True
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
            self.queue.put_nowait(None)  # wakes the sender, which closes the socket


class Hub:
    def __init__(self) -> None:
        self._channels: dict[str, set[Subscriber]] = defaultdict(set)
        self._sockets: set[web.WebSocketResponse] = set()
        self.delivered = 0

    @property
    def connections(self) -> int:
        return len(self._sockets)

    def subscribe(self, channel: str) -> Subscriber:
        subscriber = Subscriber(channel)
        self._channels[channel].add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        listeners = self._channels.get(subscriber.channel)
        if listeners is not None:
            listeners.discard(subscriber)
            if not listeners:
                del self._channels[subscriber.channel]

    async def publish(self, messages: Sequence[Message]) -> None:
        offered = False
        for message in messages:
            for subscriber in self._channels.get(message.channel, ()):
                subscriber.offer(message)
                offered = True
        if offered:
            # Let the subscribers' senders put the messages on the wire now, before the
            # publisher goes on (a CTI event's acknowledgement, routing): a pop is what the
            # agent waits for.
            await asyncio.sleep(0)

    def track(self, ws: web.WebSocketResponse) -> None:
        self._sockets.add(ws)

    def untrack(self, ws: web.WebSocketResponse) -> None:
        self._sockets.discard(ws)

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")


async def serve_subscriber(
    ws: web.WebSocketResponse,
    hub: Hub,
    subscriber: Subscriber,
    backlog: Any,
    first: dict[str, Any],
    start_after: int,
) -> None:
    """Send ``first`` (hello), the backlog (an async iterator of messages), then live ones
    with ids above ``start_after`` and above everything already sent."""
    await ws.send_json(first)
    last = start_after
    async for message in backlog:
        await ws.send_str(message.wire_json())
        last = max(last, message.id)
    while True:
        message = await subscriber.queue.get()
        if message is None:
            await ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"too slow: resume with since")
            return
        if message.id <= last:
            continue
        await ws.send_str(message.wire_json())
        hub.delivered += 1
        last = message.id


async def nothing() -> Any:
    """An empty backlog."""
    for message in ():
        yield message


async def replay(database: Any, channel: str, since: int, limit: int) -> Any:
    """Every stored message of ``channel`` after ``since``, in pages of ``limit``."""
    cursor = since
    while True:
        page = await database.read(
            lambda conn, after=cursor: outbox.after(conn, channel, after, limit)
        )
        for message in page:
            yield message
        if len(page) < limit:
            return
        cursor = page[-1].id
