"""The Asterisk adapter: AMI events in, CallEvents out to a sink; commands back to Asterisk.

Run it next to the server::

    adapter = AsteriskAdapter(config, sink, clock=SystemClock())
    task = asyncio.create_task(adapter.run())   # until adapter.stop()
    ...
    adapter.stop(); await task

``sink`` receives the translated events in order, in batches of up to 500; if it raises, the
same batch is offered again after a growing pause (events are idempotent by id), while the
AMI connection keeps being read so Asterisk never waits on us.

After every login the adapter asks ``CoreShowChannels`` and reconciles (and again every
``reconcile_interval``): a call whose channels all went away while the connection was down is
ended with cause ``reconciled``. ``live_calls``, if given, names the calls the server holds as
live for this source; those Asterisk no longer has are ended the same way (after a restart of
Switchboard, the adapter cannot know them otherwise).

The adapter implements ``switchboard.core.telephony.TelephonyCommands``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import ssl
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict
from typing import Any

from switchboard.core.clock import Clock
from switchboard.core.errors import BadRequest, NotFound, Unavailable, Unprocessable
from switchboard.core.wire import CallEvent
from telephony_adapters.asterisk.client import (
    AmiActionError,
    AmiClient,
    AmiConnectionError,
    AmiError,
    AmiReply,
    AmiSession,
    AmiTimeout,
    Backoff,
)
from telephony_adapters.asterisk.config import AsteriskConfig
from telephony_adapters.asterisk.protocol import AmiMessage
from telephony_adapters.asterisk.translate import Translator

log = logging.getLogger(__name__)

Sink = Callable[[list[CallEvent]], Awaitable[None]]
LiveCalls = Callable[[], Awaitable[Iterable[str]]]

BATCH = 500
MAX_PENDING = 100_000
_DIALABLE = re.compile(r"\+?[0-9*#]{1,40}")
_EXTENSION = re.compile(r"[A-Za-z0-9_\-.+*#]{1,80}")
_MESSAGE = re.compile(r"[A-Za-z0-9_\-]{1,64}")  # a recording's name: an extension in the context
# Our hangup causes as Q.850 codes for Action: Hangup.
HANGUP_CODES = {
    "normal": 16,
    "busy": 17,
    "no_answer": 19,
    "rejected": 21,
    "congestion": 34,
    "failed": 41,
}
# OriginateResponse Reason: the AST_CONTROL_* the first leg ended with.
ORIGINATE_REASONS = {
    0: "the channel could not be created",
    1: "the phone hung up",
    3: "the phone rang but nobody answered",
    5: "the phone was busy",
    8: "the line was congested",
}


class AsteriskUnavailable(Unavailable):
    """Not connected to Asterisk, or it did not answer in time."""


class AsteriskRefused(Unprocessable):
    """Asterisk refused a command or could not carry it out."""


class AsteriskAdapter:
    """One Asterisk system, through its manager interface."""

    def __init__(
        self,
        config: AsteriskConfig,
        sink: Sink,
        *,
        clock: Clock,
        live_calls: LiveCalls | None = None,
    ) -> None:
        self.config = config
        self._sink = sink
        self._clock = clock
        self._live_calls = live_calls
        self.translator = Translator(
            clock=clock, agents=config.agents, extension_pattern=config.extension_pattern
        )
        tls: ssl.SSLContext | None = None
        if config.tls:
            tls = ssl.create_default_context(
                cafile=str(config.tls_ca_file) if config.tls_ca_file else None
            )
        self._client = AmiClient(
            host=config.host,
            port=config.port,
            username=config.username,
            secret=config.secret.get_secret_value(),
            on_event=self._on_event,
            on_open=self.translator.begin_epoch,
            on_connect=self._on_connect,
            tls=tls,
            connect_timeout=config.connect_timeout,
            action_timeout=config.action_timeout,
            ping_interval=config.ping_interval,
            ping_timeout=config.ping_timeout,
            backoff=Backoff(
                config.reconnect_initial, config.reconnect_max, jitter=config.reconnect_jitter
            ),
        )
        self._outbox: deque[CallEvent] = deque()
        self._queued = 0
        self._delivered = 0
        self._dropped = 0
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._running = False

    # -- lifecycle -----------------------------------------------------------------------

    async def run(self) -> None:
        """Connect and keep connected until :meth:`stop`; never raises for Asterisk's faults."""
        if self._running:
            raise RuntimeError("this adapter is already running")
        self._running = True
        deliver = asyncio.create_task(self._deliver(), name="asterisk-deliver")
        try:
            await self._client.run()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.config.action_timeout):
                    await self._delivered_up_to(self._queued)
        finally:
            for task in (deliver, *self._tasks):
                task.cancel()
            await asyncio.gather(deliver, *self._tasks, return_exceptions=True)
            self._running = False

    def stop(self) -> None:
        """Disconnect and end :meth:`run` (after handing the sink what is already translated)."""
        self._client.stop()

    @property
    def connected(self) -> bool:
        return self._client.ready.is_set()

    async def wait_connected(self, within: float | None = None) -> None:
        async with asyncio.timeout(within):
            await self._client.ready.wait()

    async def flush(self, within: float = 10.0) -> None:
        """Wait until everything Asterisk sent so far has been through the sink."""
        async with asyncio.timeout(within):
            await self._client.ready.wait()
            with contextlib.suppress(AmiError):
                # Asterisk answers in order: once the Pong is here, so is every earlier event.
                await self._client.send("Ping")
            await self._delivered_up_to(self._queued)

    @property
    def status(self) -> dict[str, Any]:
        return {
            **asdict(self._client.status),
            "source": self.config.source,
            "live_calls": len(self.translator.calls),
            "pending_events": len(self._outbox),
            "dropped_events": self._dropped,
        }

    # -- events --------------------------------------------------------------------------

    def _on_event(self, message: AmiMessage) -> None:
        self._enqueue(self.translator.feed(message))

    def _enqueue(self, events: list[CallEvent]) -> None:
        if not events:
            return
        self._outbox.extend(events)
        self._queued += len(events)
        while len(self._outbox) > MAX_PENDING:
            lost = self._outbox.popleft()
            self._dropped += 1
            self._delivered += 1
            log.error("the sink is too far behind: dropped event %s", lost.event_id)
        self._wake.set()

    async def _deliver(self) -> None:
        retry = Backoff(0.2, 5.0)
        while True:
            while not self._outbox:
                self._wake.clear()
                await self._wake.wait()
            batch = [self._outbox.popleft() for _ in range(min(BATCH, len(self._outbox)))]
            while True:
                try:
                    await self._sink(batch)
                    break
                except Exception as exc:
                    first = retry.attempts == 0
                    delay = retry.next()
                    if first:
                        log.exception(
                            "the sink refused %d Asterisk events; again in %.1f s",
                            len(batch),
                            delay,
                        )
                    else:
                        log.warning(
                            "the sink still refuses events (%s); again in %.1f s", exc, delay
                        )
                    await asyncio.sleep(delay)
            retry.reset()
            self._delivered += len(batch)
            self._progress.set()

    async def _delivered_up_to(self, target: int) -> None:
        while self._delivered < target:
            self._progress.clear()
            await self._progress.wait()

    async def _on_connect(self, session: AmiSession) -> None:
        await self._reconcile(session)
        task = asyncio.create_task(self._reconcile_every(session), name="asterisk-reconcile")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _reconcile(self, session: AmiSession) -> None:
        server_live: list[str] = []
        if self._live_calls is not None:
            try:
                server_live = list(await self._live_calls())
            except Exception:
                log.exception("could not read the server's live calls; reconciling without")
        reply = await session.send(
            "CoreShowChannels", within=self.config.action_timeout, list_action=True
        )
        listed = [e for e in reply.events if e.event == "CoreShowChannel"]
        events = self.translator.reconcile(listed, server_live)
        if events:
            log.info(
                "reconciled with Asterisk: ended %d calls it no longer has",
                sum(1 for e in events if e.type.value == "ended"),
            )
        self._enqueue(events)

    async def _reconcile_every(self, session: AmiSession) -> None:
        while True:
            try:
                async with asyncio.timeout(self.config.reconcile_interval):
                    await session.wait_closed()
                return  # this session is over; the next one reconciles on its own
            except TimeoutError:
                pass
            self.translator.begin_epoch()
            try:
                await self._reconcile(session)
            except AmiError as exc:
                log.warning("periodic reconcile failed: %s", exc)

    # -- commands (TelephonyCommands) ------------------------------------------------------

    async def originate(self, *, number: str, agent: str, caller_id: str | None) -> str:
        """Ring the agent's phone; when they answer, dial ``number``. Returns the call id.

        Answers when Asterisk's OriginateResponse comes, i.e. once the agent picked up (or
        the phone was busy or did not answer: AsteriskRefused saying which).
        """
        extension = _checked(agent, _EXTENSION, "agent")
        dial = _checked(_digits(number), _DIALABLE, "number")
        call_id = f"sb-{uuid.uuid4().hex}"
        fields = [
            ("Channel", self.config.originate_channel.format(extension=extension)),
            ("Context", self.config.originate_context),
            ("Exten", dial),
            ("Priority", "1"),
            ("Timeout", str(int(self.config.originate_timeout * 1000))),
            ("Async", "true"),
            ("ChannelId", call_id),
        ]
        if caller_id:
            fields.append(("CallerID", _checked(_digits(caller_id), _DIALABLE, "caller_id")))
        self.translator.expect_originate(call_id, agent=extension, number=dial)
        try:
            reply = await self._command(
                "Originate",
                fields,
                within=self.config.originate_timeout + self.config.action_timeout,
                follow_event="OriginateResponse",
            )
        except Exception:
            self.translator.forget_originate(call_id)
            raise
        outcome = reply.events[0]
        if (outcome.get("Response") or "") != "Success":
            self.translator.forget_originate(call_id)
            text = outcome.get("Reason") or ""
            reason = int(text) if text.isdigit() else 0
            raise AsteriskRefused(
                f"could not call from {extension}: "
                f"{ORIGINATE_REASONS.get(reason, f'reason {reason}')}",
                field="agent",
            )
        return outcome.get("Uniqueid") or call_id

    async def transfer(self, *, call_id: str, to: str) -> None:
        """Blind transfer to ``to``, an extension in ``transfer_context`` (agent, queue, number).

        With an agent on the call, their channel is the transferer (``BlindTransfer``);
        a call nobody answered yet is moved with ``Redirect``.
        """
        target = _checked(to, _EXTENSION, "to")
        if call_id not in self.translator.calls:
            raise NotFound(f"no live Asterisk call {call_id!r}", field="call_id")
        context = self.config.transfer_context
        agent = self.translator.agent_channel(call_id)
        if agent is not None:
            await self._command(
                "BlindTransfer", [("Channel", agent.name), ("Context", context), ("Exten", target)]
            )
            return
        caller = self.translator.caller_channel(call_id)
        if caller is None:
            raise NotFound(f"call {call_id!r} has no live channel", field="call_id")
        await self._command(
            "Redirect",
            [("Channel", caller.name), ("Context", context), ("Exten", target), ("Priority", "1")],
        )

    async def hangup(self, *, call_id: str, cause: str = "normal") -> None:
        """Hang up the call's caller channel (Asterisk then clears the rest of the call)."""
        channel = self.translator.caller_channel(call_id)
        if channel is None:
            channels = self.translator.live_channels(call_id)
            if not channels:
                raise NotFound(f"no live Asterisk call {call_id!r}", field="call_id")
            channel = channels[0]
        code = HANGUP_CODES.get(cause, 16)
        try:
            await self._command("Hangup", [("Channel", channel.name), ("Cause", str(code))])
        except AsteriskRefused as exc:
            if "no such channel" not in exc.message.lower():
                raise
            # It hung up by itself meanwhile: the call is over either way.

    async def play_message(self, *, call_id: str, message: str) -> None:
        """Play the recording ``message`` to the call's outside party, then hang up.

        The party's channel is redirected (``Redirect``) to extension ``message`` of
        ``message_context``, whose dialplan plays the recording and hangs up (see
        docs/cti/asterisk.md); an agent's channel on the call is left to hang up by itself.
        """
        name = _checked(message, _MESSAGE, "message")
        if call_id not in self.translator.calls:
            raise NotFound(f"no live Asterisk call {call_id!r}", field="call_id")
        party = self._outside_party(call_id)
        if party is None:
            raise NotFound(f"call {call_id!r} has no live outside party", field="call_id")
        await self._command(
            "Redirect",
            [
                ("Channel", party.name),
                ("Context", self.config.message_context),
                ("Exten", name),
                ("Priority", "1"),
            ],
        )

    def _outside_party(self, call_id: str) -> Any:
        """The live channel that is no agent's: the caller of an inbound call, the called
        party of an outbound one (the newest such, i.e. the one answered last)."""
        outside = [c for c in self.translator.live_channels(call_id) if c.agent is None]
        return outside[-1] if outside else None

    async def _command(
        self,
        name: str,
        fields: list[tuple[str, str]],
        *,
        within: float | None = None,
        follow_event: str | None = None,
    ) -> AmiReply:
        try:
            return await self._client.send(name, fields, within=within, follow_event=follow_event)
        except AmiActionError as exc:
            raise AsteriskRefused(f"Asterisk refused {name}: {exc.message}") from None
        except AmiConnectionError as exc:
            raise AsteriskUnavailable(f"Asterisk is not connected: {exc}") from None
        except AmiTimeout as exc:
            raise AsteriskUnavailable(str(exc)) from None


def _digits(number: str) -> str:
    return re.sub(r"[\s\-().]", "", number or "")


def _checked(value: str, pattern: re.Pattern[str], field: str) -> str:
    text = (value or "").strip()
    if not pattern.fullmatch(text):
        raise BadRequest(f"{field} {value!r} cannot be dialled", field=field)
    return text
