"""The FreeSWITCH adapter: an event socket connection kept up, events out, commands in.

``run()`` connects to FreeSWITCH's event socket, logs in, subscribes to channel and
mod_callcenter events, and hands the CallEvents they mean to ``sink`` in order. When the
connection drops it reconnects with exponential backoff (capped, with jitter), and after every
connect it compares the calls it follows with ``show channels``: a call whose channel is gone
has lost its hangup, and is ended with cause ``reconciled`` so its agent is not left on call.

Delivery to ``sink`` runs apart from the socket: a slow or failing sink never stops events
from being read (FreeSWITCH drops a listener that falls far behind). A batch the sink refuses
is retried, in order, until it is taken; event ids are stable, so a retry stores nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable

from switchboard.core.clock import Clock
from switchboard.core.errors import BadRequest, NotFound, Unavailable, Unprocessable
from switchboard.core.wire import CallEvent
from telephony_adapters.freeswitch.client import EVENTS, EslAuthError, EslClient, EslCommandError
from telephony_adapters.freeswitch.config import FreeswitchConfig
from telephony_adapters.freeswitch.protocol import EslError, Event
from telephony_adapters.freeswitch.translate import HANGUP_CAUSES, CallTracker

log = logging.getLogger(__name__)

Sink = Callable[[list[CallEvent]], Awaitable[None]]

MAX_BATCH = 500  # the most events handed to the sink at once
_UUID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_NUMBER = re.compile(r"^\+?[0-9*#]{1,32}$")
# An extension, a queue's number or an outside number; 80 like Asterisk's, so that a predictive
# campaign's line (``campaign-<id>``, ids up to 64 characters) fits.
_DESTINATION = re.compile(r"^[A-Za-z0-9+*#._@-]{1,80}$")
_CAUSE = re.compile(r"^[A-Z_]{1,64}$")
_MESSAGE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class FreeswitchAdapter:
    """FreeSWITCH's event socket as CallEvents, and its commands as TelephonyCommands.

    Use ``await adapter.run()`` in a task (cancel it to stop), or :meth:`start` and
    :meth:`stop`. ``connected`` is set while logged in; ``last_error`` says why the last
    attempt failed (a refused password, say) and is cleared by a successful login.
    """

    def __init__(
        self,
        config: FreeswitchConfig,
        sink: Sink,
        *,
        clock: Clock,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._sink = sink
        self._clock = clock
        self._rng = rng or random.Random()
        self._tracker = CallTracker(config, now=clock.now, monotonic=clock.monotonic)
        self._client: EslClient | None = None
        self._outbox: list[CallEvent] = []
        self._pending = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.last_error: str | None = None
        self.connections = 0

    # Life cycle

    async def run(self) -> None:
        """Stay connected and deliver events until cancelled."""
        deliver = asyncio.create_task(self._deliver(), name="freeswitch-deliver")
        try:
            await self._connect_forever()
        finally:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.config.command_timeout):
                    await self._idle.wait()  # hand over what was read before stopping
            deliver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await deliver

    def start(self) -> None:
        """Run in the background until :meth:`stop`."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="freeswitch-adapter")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def resume(self, call_ids: Iterable[str]) -> None:
        """Calls Switchboard holds live from an earlier run: checked at the next connect.

        Those FreeSWITCH no longer has are ended with cause ``reconciled``; call before
        :meth:`start` with the calls of this source that have not ended.
        """
        self._tracker.expect(call_ids)

    async def settle(self) -> None:
        """Wait until every event FreeSWITCH sent before now has been handed to the sink.

        FreeSWITCH answers commands in order with the events it sends, so one answered
        command means the events before it have been read.
        """
        client = self._client
        if client is not None and client.is_open:
            with contextlib.suppress(EslError, TimeoutError):
                await client.api("status")
        await self._idle.wait()

    # Connection

    async def _connect_forever(self) -> None:
        failures = 0
        loop = asyncio.get_running_loop()
        while True:
            began = loop.time()
            try:
                await self._session()
                reason = "connection closed"
                if loop.time() - began >= self.config.backoff_max:
                    failures = 0  # it had been up a good while: start the backoff again
            except EslAuthError as exc:
                reason = str(exc)
                self.last_error = reason
                log.error(
                    "freeswitch: %s; check the password and the event socket's ACL, retrying later",
                    reason,
                )
                failures = max(failures, 32)  # straight to the longest delay: no tight loop
            except (OSError, EslError, TimeoutError) as exc:
                reason = str(exc) or type(exc).__name__
                self.last_error = reason
                log.warning("freeswitch: %s:%s: %s", self.config.host, self.config.port, reason)
            delay = self._backoff(failures)
            failures += 1
            log.info("freeswitch: reconnecting in %.2f s (%s)", delay, reason)
            await asyncio.sleep(delay)

    def _backoff(self, failures: int) -> float:
        growth: float = 2.0 ** min(failures, 32)
        base = min(self.config.backoff_max, self.config.backoff_initial * growth)
        return base * (1 - self.config.backoff_jitter * self._rng.random())

    async def _session(self) -> None:
        client = EslClient(
            self.config.host,
            self.config.port,
            self.config.password.get_secret_value(),
            on_event=self._on_event,
            connect_timeout=self.config.connect_timeout,
            command_timeout=self.config.command_timeout,
        )
        await client.connect()
        checker: asyncio.Task[None] | None = None
        try:
            # Calls known before this connection may have ended while we were away.
            candidates = self._tracker.call_ids()
            await client.subscribe(EVENTS)
            self._client = client
            self.connections += 1
            self.last_error = None
            self.connected.set()
            log.info("freeswitch: connected to %s:%s", self.config.host, self.config.port)
            await self._reconcile(client, candidates)
            if self.config.reconcile_interval > 0:
                checker = asyncio.create_task(self._check_periodically(client))
            await client.wait_closed()
            if client.disconnect_notice:
                log.warning("freeswitch: disconnected: %s", client.disconnect_notice)
        finally:
            self.connected.clear()
            self._client = None
            if checker is not None:
                checker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await checker
            client.close()

    async def _reconcile(self, client: EslClient, candidates: set[str]) -> None:
        rows = await client.show_channels()
        events = self._tracker.reconcile(rows, candidates)
        ended = sum(1 for e in events if e.cause == "reconciled")
        if ended:
            log.warning("freeswitch: %d call(s) ended while we were not listening", ended)
        self._queue(events)

    async def _check_periodically(self, client: EslClient) -> None:
        """Catch hangups FreeSWITCH dropped without dropping us (an overfull event queue)."""
        while True:
            await asyncio.sleep(self.config.reconcile_interval)
            candidates = self._tracker.calls_older_than(self.config.reconcile_grace)
            try:
                await self._reconcile(client, candidates)
            except (EslError, TimeoutError) as exc:
                log.warning("freeswitch: checking channels failed: %s", exc)

    # Events

    def _on_event(self, event: Event) -> None:
        try:
            events = self._tracker.feed(event)
        except Exception:  # one event we cannot read must not cost the connection
            log.exception("freeswitch: skipping a %s event", event.get("Event-Name"))
            return
        self._queue(events)

    def _queue(self, events: list[CallEvent]) -> None:
        if events:
            self._outbox.extend(events)
            self._idle.clear()
            self._pending.set()

    async def _deliver(self) -> None:
        failures = 0
        while True:
            await self._pending.wait()
            self._pending.clear()
            while self._outbox:
                batch = self._outbox[:MAX_BATCH]
                try:
                    await self._sink(batch)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    delay = self._backoff(failures)
                    failures += 1
                    log.warning(
                        "freeswitch: handing %d event(s) over failed (%s); retrying in %.2f s",
                        len(batch),
                        exc,
                        delay,
                    )
                    await asyncio.sleep(delay)
                    continue
                failures = 0
                del self._outbox[: len(batch)]
            self._idle.set()

    # TelephonyCommands

    async def originate(self, *, number: str, agent: str, caller_id: str | None) -> str:
        """Ring the agent's phone; when they answer, call ``number``. Returns the call id.

        ``number`` empty parks the agent's leg instead. The call id is known up front
        (``origination_uuid``) and returned once FreeSWITCH's job says ``+OK <uuid>``.
        """
        if number and not _NUMBER.match(number):
            raise BadRequest("number must be digits, with an optional leading +", field="number")
        if not _DESTINATION.match(agent):
            raise BadRequest("agent must be an extension", field="agent")
        if caller_id is not None and not _NUMBER.match(caller_id):
            raise BadRequest("caller_id must be digits, with an optional +", field="caller_id")
        extension = self.config.agents.get(agent, agent)
        call_id = str(uuid.uuid4())
        variables = {
            "origination_uuid": call_id,
            "originate_timeout": str(self.config.originate_timeout),
            "origination_caller_id_number": number or extension,
            "switchboard_agent": extension,
            "switchboard_number": number,
        }
        if caller_id:
            variables["effective_caller_id_number"] = caller_id
            variables["switchboard_caller_id"] = caller_id
        dial = self.config.agent_dial_string.replace("{extension}", extension)
        prefix = "{" + ",".join(f"{k}={v}" for k, v in variables.items() if v) + "}"
        if not number:
            then = "&park()"
        elif self.config.outbound_bridge:
            then = "&bridge(" + self.config.outbound_bridge.replace("{number}", number) + ")"
        else:
            then = f"{number} XML {self.config.context}"
        result = await self._job(
            f"originate {prefix}{dial} {then}",
            within=self.config.originate_timeout + self.config.command_timeout,
        )
        answered = result.split()[1] if result.startswith("+OK") and " " in result else call_id
        return answered

    async def transfer(self, *, call_id: str, to: str) -> None:
        """Send the caller to ``to`` (an extension, a queue's number, an outside number)
        through the dialplan; the agent's leg is released."""
        self._check_uuid(call_id)
        if not _DESTINATION.match(to):
            raise BadRequest("to must be an extension or a number", field="to")
        known = self._tracker.call_of(call_id)
        # On a call an agent placed, the call's own leg is the agent: move the other side.
        leg = "-bleg " if known is not None and known[1] is not None else ""
        await self._job(f"uuid_transfer {call_id} {leg}{to} XML {self.config.context}")

    async def hangup(self, *, call_id: str, cause: str = "normal") -> None:
        self._check_uuid(call_id)
        fs_cause = HANGUP_CAUSES.get(cause, cause.upper())
        if not _CAUSE.match(fs_cause):
            raise BadRequest(f"unknown cause {cause!r}", field="cause")
        await self._job(f"uuid_kill {call_id} {fs_cause}")

    async def play_message(self, *, call_id: str, message: str) -> None:
        """Play the recording ``message`` to the call's outside party, then hang up.

        Two broadcasts, run by FreeSWITCH one after the other on that leg: the recording
        (``message_file``), then ``hangup``. The outside party is the call's own leg (aleg)
        for a call that came in, the other leg (bleg) for one an agent placed.
        """
        self._check_uuid(call_id)
        if not _MESSAGE.match(message):
            raise BadRequest("message must be a recording's name", field="message")
        known = self._tracker.call_of(call_id)
        leg = "bleg" if known is not None and known[1] is not None else "aleg"
        path = self.config.message_file.replace("{message}", message)
        await self._job(f"uuid_broadcast {call_id} {path} {leg}")
        await self._job(f"uuid_broadcast {call_id} hangup::NORMAL_CLEARING {leg}")

    async def _job(self, command: str, *, within: float | None = None) -> str:
        client = self._client
        if client is None or not client.is_open:
            raise Unavailable("not connected to FreeSWITCH; try again shortly")
        verb = command.split(" ", 1)[0]
        try:
            result = (await client.bgapi(command, within=within)).strip()
        except TimeoutError:
            raise Unavailable(f"FreeSWITCH did not finish {verb} in time") from None
        except EslCommandError as exc:
            raise Unprocessable(f"FreeSWITCH refused {verb}: {exc.reply}") from None
        except EslError as exc:
            raise Unavailable(f"{verb}: {exc}") from None
        if result.startswith("-ERR"):
            reason = result[4:].strip() or "failed"
            if "No such channel" in reason:
                raise NotFound(f"FreeSWITCH has no such call ({verb})", field="call_id")
            raise Unprocessable(f"FreeSWITCH: {verb} failed: {reason}", reason=reason)
        return result

    @staticmethod
    def _check_uuid(call_id: str) -> None:
        if not _UUID.match(call_id):
            raise BadRequest("call_id is not a FreeSWITCH call id", field="call_id")
