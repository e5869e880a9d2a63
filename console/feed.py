"""The console's only line to the server: the agent's websocket feed.

``AgentFeed.run`` connects to ``{server}/api/v1/ws``, keeps a cursor (the highest message id
seen), drops duplicates, reconnects with exponential backoff passing ``since=<cursor>`` so no
screen pop is lost, and hands every event to a plain callback. It knows nothing about Textual:
the app runs it in a worker and turns the events into Messages (see ``console.messages``).

Events handed to the sink (``FeedEvent``):

- ``LinkStatus``: the connection changed (connecting, connected, reconnecting, auth failed);
- ``Hello``, ``ScreenPop``, ``CallUpdate``, ``AgentStateUpdate``, ``PreviewCard``, ``Offer``,
  ``OfferEnded``: decoded server messages;
- ``FeedProblem``: one line about a message that could not be understood.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, Protocol

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from switchboard.core.wire import (
    MSG_AGENT_STATE,
    MSG_CALL,
    MSG_HELLO,
    MSG_SCREEN_POP,
    ScreenPop,
)

log = logging.getLogger(__name__)

WS_PATH = "/api/v1/ws"
FATAL_STATUSES = frozenset({401, 403})
MAX_REASON_LEN = 160


# --- decoded messages --------------------------------------------------------------------


class _Message(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class AgentInfo(_Message):
    id: str
    name: str = ""
    extension: str = ""


class Hello(_Message):
    """First message after connect. Its ``id`` is only an echo and never moves the cursor."""

    type: Literal["hello"] = "hello"
    id: int | None = None
    agent: AgentInfo
    state: str = "offline"
    cursor: int = 0


class CallUpdate(_Message):
    """A call of this agent changed state (``ringing``, ``answered``, ``held``, ``ended``…)."""

    type: Literal["call"] = "call"
    id: int
    call_id: str
    state: str
    agent: str | None = None
    from_: str = Field(default="", alias="from")
    to: str = ""
    at: datetime | None = None


class PreviewCard(_Message):
    """An outbound preview campaign offers this agent a lead to dial, skip or reschedule."""

    type: Literal["preview_card"] = "preview_card"
    id: int
    campaign: str
    lead: str
    number: str
    score: float | None = None
    attempts: int = 0


class Offer(_Message):
    """Routing reserved this agent for a call, a request or a callback: accept or reject it
    before ``expires_at``. ``kind`` is ``ticket`` or ``callback`` for work that is not a call
    (then ``item`` names it and ``number`` is the request's number or the number to call)."""

    type: Literal["offer"] = "offer"
    id: int
    reservation: str
    queue: str
    expires_at: datetime
    call_id: str | None = None
    item: str | None = None
    kind: str | None = None
    number: str | None = None
    decision: int | None = None

    @property
    def work(self) -> str:
        """What is offered: ``call``, ``ticket`` or ``callback``."""
        return self.kind or ("call" if self.call_id else "ticket")


class OfferEnded(_Message):
    """An offer to this agent is over: ``accepted``, ``rejected``, ``timeout`` or ``withdrawn``."""

    type: Literal["offer_ended"] = "offer_ended"
    id: int
    reservation: str
    outcome: str
    call_id: str | None = None
    queue: str | None = None


class AgentStateUpdate(_Message):
    type: Literal["agent_state"] = "agent_state"
    id: int
    agent: str
    state: str
    reason: str | None = None
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedProblem:
    """A message the console could not understand, as one line for the status area."""

    text: str


class LinkPhase(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    AUTH_FAILED = "auth_failed"


@dataclass(frozen=True, slots=True)
class LinkStatus:
    """The state of the websocket.

    ``attempt`` counts connection attempts since the last successful connect (1 = first).
    While ``RECONNECTING`` it is the attempt that will be made after ``retry_in`` seconds.
    ``ever_connected`` tells "connection lost" apart from "server not reachable yet".
    """

    phase: LinkPhase
    attempt: int = 0
    retry_in: float | None = None
    reason: str | None = None
    ever_connected: bool = False


FeedEvent = (
    LinkStatus
    | Hello
    | ScreenPop
    | CallUpdate
    | AgentStateUpdate
    | PreviewCard
    | Offer
    | OfferEnded
    | FeedProblem
)
FeedSink = Callable[[FeedEvent], None]
# Turns one frame into events; the wallboard plugs in its own for the floor socket.
Decoder = Callable[[str | bytes, "Cursor"], list[Any]]


class FeedSource(Protocol):
    """Anything the console can take events from; ``AgentFeed`` in production."""

    async def run(self, sink: FeedSink) -> None:
        """Deliver events to ``sink`` until cancelled or a fatal error."""
        ...


# --- cursor ------------------------------------------------------------------------------


class Cursor:
    """The highest message id seen on the channel, and the duplicate filter built on it."""

    def __init__(self, since: int | None = None) -> None:
        self.value: int | None = since

    def on_hello(self, hello: Hello) -> str | None:
        """Adopt the server's cursor on a fresh start; returns a notice if the channel was reset.

        Without a cursor (first connect, no ``since=``) the client starts at the server's
        cursor. With one, the hello does not move it: the server replays what we missed. If
        the server's cursor is *behind* ours, its channel was reset (e.g. a new database); we
        follow it, or every future message would be dropped as a duplicate.
        """
        if self.value is None:
            self.value = hello.cursor
            return None
        if hello.cursor < self.value:
            old, self.value = self.value, hello.cursor
            return f"Server message history restarted (cursor {old} → {hello.cursor})"
        return None

    def admit(self, message_id: int) -> bool:
        """True, and advance, if ``message_id`` is new; False for a duplicate."""
        if self.value is not None and message_id <= self.value:
            return False
        self.value = message_id
        return True


_DECODERS: dict[str, Callable[[Any], FeedEvent]] = {
    MSG_SCREEN_POP: ScreenPop.model_validate,
    MSG_CALL: CallUpdate.model_validate,
    MSG_AGENT_STATE: AgentStateUpdate.model_validate,
    "preview_card": PreviewCard.model_validate,
    "offer": Offer.model_validate,
    "offer_ended": OfferEnded.model_validate,
}


def _short(text: str, limit: int = MAX_REASON_LEN) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _validation_summary(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "message"
    return f"{where}: {first.get('msg', 'invalid')}"


def decode(raw: str | bytes, cursor: Cursor) -> list[FeedEvent]:
    """Turn one websocket frame into events, advancing ``cursor``; never raises.

    Duplicates (id ≤ cursor) and unknown types yield nothing; unknown types still advance the
    cursor. A frame that cannot be understood yields a ``FeedProblem``.
    """
    try:
        data: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return [FeedProblem("Ignored a message that is not JSON")]
    if not isinstance(data, Mapping):
        return [FeedProblem("Ignored a message that is not a JSON object")]
    kind = data.get("type")
    if kind == MSG_HELLO:
        try:
            hello = Hello.model_validate(data)
        except ValidationError as exc:
            return [FeedProblem(_short(f"Bad hello from server ({_validation_summary(exc)})"))]
        notice = cursor.on_hello(hello)
        return [hello] if notice is None else [hello, FeedProblem(notice)]
    message_id = data.get("id")
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        return [FeedProblem(_short(f"Ignored a {kind!s} message without a numeric id"))]
    if not cursor.admit(message_id):
        return []
    parse = _DECODERS.get(kind) if isinstance(kind, str) else None
    if parse is None:
        log.debug("ignoring message type %r (id %s)", kind, message_id)
        return []
    try:
        event = parse(data)
    except ValidationError as exc:
        return [
            FeedProblem(_short(f"Ignored {kind} message {message_id} ({_validation_summary(exc)})"))
        ]
    return [event]


# --- backoff -----------------------------------------------------------------------------


class Backoff:
    """Exponential backoff with jitter: ``initial`` doubling up to ``maximum``.

    Each delay is the step's base shortened by up to ``jitter`` (a fraction), so it never
    exceeds ``maximum`` and clients that lost the server together do not return together.
    """

    def __init__(
        self,
        initial: float = 0.5,
        maximum: float = 10.0,
        factor: float = 2.0,
        jitter: float = 0.2,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if initial <= 0 or maximum < initial or factor < 1 or not 0 <= jitter < 1:
            raise ValueError("need 0 < initial <= maximum, factor >= 1, 0 <= jitter < 1")
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
        self._rng = rng
        self._step = 0

    def base(self, step: int) -> float:
        """The delay before jitter for the ``step``-th retry (0-based)."""
        # Cap the exponent so a very long outage cannot overflow the float.
        return min(self.maximum, self.initial * self.factor ** min(step, 64))

    def next(self) -> float:
        delay = self.base(self._step) * (1.0 - self.jitter * self._rng())
        self._step += 1
        return delay

    def reset(self) -> None:
        self._step = 0


# --- the feed ----------------------------------------------------------------------------


class AuthRefused(Exception):
    """The server refused the token (401/403): retrying would not help."""


class AgentFeed:
    """Websocket client for one agent; see the module docstring.

    Args:
        server_url: ``http(s)://host:port`` (a path prefix is kept), or ``ws(s)://``.
        token: the agent's bearer token.
        since: resume after this message id (e.g. kept from a previous session).
        backoff: reconnect schedule; defaults to 0.5 s doubling to 10 s with jitter.
        heartbeat: seconds between pings; a server that stops answering is dropped.
        connect_timeout: seconds to open the connection and finish the handshake.
        sleep: how to wait between attempts (tests may speed it up).
    """

    def __init__(
        self,
        server_url: str,
        token: str,
        *,
        since: int | None = None,
        backoff: Backoff | None = None,
        heartbeat: float | None = 15.0,
        connect_timeout: float = 10.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        path: str = WS_PATH,
        decoder: Decoder | None = None,
        greetings: tuple[type, ...] = (),
    ) -> None:
        self.url = server_url.rstrip("/") + path
        self._decode: Decoder = decoder or decode
        self._greetings = (Hello, *greetings)
        self._token = token
        self.cursor = Cursor(since)
        self.backoff = backoff or Backoff()
        self._heartbeat = heartbeat
        self._connect_timeout = connect_timeout
        self._sleep = sleep

    async def run(self, sink: FeedSink) -> None:
        """Stay connected, delivering events to ``sink``, until cancelled or auth is refused.

        Returns normally only after a 401/403 (reported as ``LinkPhase.AUTH_FAILED``).
        """
        timeout = aiohttp.ClientTimeout(
            total=None, connect=self._connect_timeout, sock_read=self._connect_timeout
        )
        attempt = 0
        ever_connected = False
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                attempt += 1
                sink(LinkStatus(LinkPhase.CONNECTING, attempt, ever_connected=ever_connected))
                try:
                    reason, greeted = await self._session(session, sink, attempt)
                except AuthRefused as exc:
                    sink(LinkStatus(LinkPhase.AUTH_FAILED, attempt, reason=str(exc)))
                    return
                if greeted:
                    ever_connected = True
                    attempt = 0
                    self.backoff.reset()
                delay = self.backoff.next()
                sink(
                    LinkStatus(
                        LinkPhase.RECONNECTING,
                        attempt + 1,
                        retry_in=delay,
                        reason=reason,
                        ever_connected=ever_connected,
                    )
                )
                await self._sleep(delay)

    async def _session(
        self, session: aiohttp.ClientSession, sink: FeedSink, attempt: int
    ) -> tuple[str, bool]:
        """One connection, from handshake to close: returns (why it ended, got a hello)."""
        params = {} if self.cursor.value is None else {"since": str(self.cursor.value)}
        greeted = False
        try:
            async with session.ws_connect(
                self.url,
                params=params,
                headers={"Authorization": f"Bearer {self._token}"},
                heartbeat=self._heartbeat,
            ) as ws:
                async for frame in ws:
                    if frame.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                        break  # CLOSING / ERROR: the iterator ends on CLOSE itself
                    for event in self._decode(frame.data, self.cursor):
                        if any(isinstance(event, kind) for kind in self._greetings):
                            greeted = True
                            sink(event)
                            sink(LinkStatus(LinkPhase.CONNECTED, attempt, ever_connected=True))
                        else:
                            sink(event)
                code = ws.close_code
                error = ws.exception()
            if error is not None:
                return _short(f"Connection error: {error}"), greeted
            return f"Server closed the connection (code {code})", greeted
        except aiohttp.WSServerHandshakeError as exc:
            if exc.status in FATAL_STATUSES:
                raise AuthRefused(f"Server refused the agent token (HTTP {exc.status})") from exc
            return f"Server answered HTTP {exc.status}", greeted
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            detail = str(exc) or type(exc).__name__
            return _short(f"Cannot reach the server: {detail}"), greeted
