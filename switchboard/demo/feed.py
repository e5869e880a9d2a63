"""The simulated CTI feed of ``switchboard demo``.

It plays the part of a telephone system with one queue in front of the demo agent. Callers
arrive about every ``interval`` seconds (Poisson arrivals) and ring in their queue, where the
server counts them as waiting (the wallboard shows them). The feed follows the agent's state
on the server (``GET /api/v1/agents/{id}`` with the agent's token) and offers the next
caller, first come first served, only when the agent is available and not in after-call work
(:mod:`switchboard.demo.pacing`): the call rings on the agent (the screen pop), is answered
after ``ring_for`` seconds, and ends after about ``talk_for`` seconds. A caller who waits
longer than their patience hangs up (``abandoned``). Each step is posted as a normalised
:class:`~switchboard.core.wire.CallEvent` to ``POST {base_url}/api/v1/cti/events`` with
``Authorization: Bearer {cti_token}``.

The feed never brings the demo down: a post that fails (server restarting, 5xx, timeout) is
logged and retried a few times with a short backoff, then dropped.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from datetime import datetime
from typing import Any, Protocol

import aiohttp

from switchboard.core.wire import CallDirection, CallEvent, CallEventType
from switchboard.demo.pacing import (
    AgentReadiness,
    DemoQueue,
    WaitingCall,
    next_arrival,
)

log = logging.getLogger(__name__)

EVENTS_PATH = "/api/v1/cti/events"
# Every kind shows up in the first four calls, known first; then known callers dominate.
KIND_CYCLE: tuple[str, ...] = (
    "known", "several", "unknown", "withheld",
    "known", "known", "several", "known", "unknown", "known",
)  # fmt: skip
# (queue, IVR menu digit, DNIS)
QUEUES: tuple[tuple[str, str, str], ...] = (
    ("sales", "1", "4008001234"),
    ("billing", "2", "4008001234"),
    ("tech_support", "3", "4008005678"),
    ("complaints", "4", "4008001234"),
    ("vip", "9", "4008009999"),
)
QUEUE_WEIGHTS: tuple[int, ...] = (4, 4, 3, 2, 1)
AGENT_PATH = "/api/v1/agents/{agent}"


class CallerSource(Protocol):
    def next(self, kind: str) -> str: ...


def _now() -> datetime:
    return datetime.now().astimezone()


def build_event(
    call_id: str,
    event_type: CallEventType,
    *,
    caller: str,
    dnis: str,
    agent_id: str | None,
    queue: str,
    ivr: dict[str, str],
    cause: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """One call event as JSON-ready dict, validated by :class:`CallEvent`."""
    event = CallEvent.model_validate(
        {
            "event_id": f"{call_id}-{event_type.value}",
            "call_id": call_id,
            "type": event_type,
            "direction": CallDirection.INBOUND,
            "from": caller,
            "to": dnis,
            "agent": agent_id,
            "queue": queue,
            "ivr": ivr,
            "cause": cause,
            "at": at or _now(),
        }
    )
    return event.wire()


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep ``seconds``; True if ``stop`` was set meanwhile (returns at once then)."""
    if stop.is_set():
        return True
    if seconds <= 0:
        await asyncio.sleep(0)
        return stop.is_set()
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True


class EventPoster:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        stop: asyncio.Event,
        retries: int,
        backoff: float,
    ) -> None:
        self.session = session
        self.url = url
        self.stop = stop
        self.retries = retries
        self.backoff = backoff

    async def post(self, event: dict[str, Any], *, closing: bool = False) -> bool:
        """Post ``event``; retried on connection errors and 5xx/429. True if accepted.

        Once ``stop`` is set, only ``closing`` posts (the event that ends a call the server
        already knows) are still tried, and only once more: the demo must stop promptly but
        never leave a call ringing or talking on the server.
        """
        delay = self.backoff
        attempt = 0
        while True:
            if self.stop.is_set() and not closing:
                return False
            attempt += 1
            last_try = self.stop.is_set() or attempt >= max(1, self.retries)
            problem: str
            try:
                async with self.session.post(self.url, json=event) as response:
                    if response.status < 300:
                        return True
                    body = (await response.text())[:200]
                    problem = f"HTTP {response.status}: {body}"
                    if response.status < 500 and response.status != 429:
                        log.error(
                            "demo feed: %s refused %s: %s", self.url, event["event_id"], problem
                        )
                        return False
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            if last_try:
                log.warning(
                    "demo feed: giving up on %s after %d attempts (%s)",
                    event["event_id"],
                    attempt,
                    problem,
                )
                return False
            log.warning(
                "demo feed: posting %s failed (%s); retry %d/%d in %.1fs",
                event["event_id"],
                problem,
                attempt,
                self.retries - 1,
                delay,
            )
            await _wait(self.stop, delay)
            delay *= 2


class AgentWatch:
    """The agent's state as the server has it, and since when; None while it cannot be read."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        self.session = session
        self.url = url
        self.headers = {"Authorization": f"Bearer {token}"}

    async def state(self) -> tuple[str | None, datetime | None]:
        try:
            async with self.session.get(self.url, headers=self.headers) as response:
                if response.status != 200:
                    log.warning("demo feed: agent state: HTTP %d", response.status)
                    return None, None
                data = await response.json()
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            log.warning("demo feed: agent state: %s: %s", type(exc).__name__, exc)
            return None, None
        if not isinstance(data, dict):
            return None, None
        state, since = data.get("state"), data.get("state_since")
        try:
            at = datetime.fromisoformat(since) if isinstance(since, str) else None
        except ValueError:
            at = None
        return (state if isinstance(state, str) else None), at


class QueueSimulation:
    """One queue of simulated callers in front of one agent (see the module's docstring)."""

    def __init__(
        self,
        poster: EventPoster,
        watch: AgentWatch,
        agent_id: str,
        rng: random.Random,
        stop: asyncio.Event,
        *,
        ring_for: float,
        talk_for: float,
        patience: tuple[float, float],
        after_call: float,
        poll: float,
    ) -> None:
        self.poster = poster
        self.watch = watch
        self.agent_id = agent_id
        self.rng = rng
        self.stop = stop
        self.ring_for = ring_for
        self.talk_for = talk_for
        self.patience = patience
        self.poll = poll
        self.queue = DemoQueue()
        self.readiness = AgentReadiness(after_call)
        self.arrivals_done = False
        self.loop = asyncio.get_running_loop()

    def _event(
        self, call: WaitingCall, kind: CallEventType, *, to_agent: bool, cause: str | None = None
    ) -> dict[str, Any]:
        event = build_event(
            call.call_id,
            kind,
            caller=call.caller,
            dnis=call.dnis,
            agent_id=self.agent_id if to_agent else None,
            queue=call.queue,
            ivr=call.ivr,
            cause=cause,
        )
        if to_agent and kind is CallEventType.RINGING:
            event["event_id"] = f"{call.call_id}-offered"  # the queue's ringing came first
        return event

    async def arrive(self, number: int, caller: str) -> None:
        """A caller rings in a queue and waits there."""
        queue, menu, dnis = self.rng.choices(QUEUES, weights=QUEUE_WEIGHTS)[0]
        lang = "en" if caller.startswith(("+1", "+44", "001", "0044")) else "zh"
        call = WaitingCall(
            number=number,
            call_id=f"demo-{uuid.uuid4().hex[:8]}",  # short: the banner shows it at 80 columns
            caller=caller,
            queue=queue,
            dnis=dnis,
            ivr={"lang": lang, "menu": menu},
            arrived=self.loop.time(),
            patience=self.rng.uniform(*self.patience),
        )
        log.info("demo feed: call %d from %r waits in %s", number, caller, queue)
        if await self.poster.post(self._event(call, CallEventType.RINGING, to_agent=False)):
            self.queue.join(call)

    async def serve(self) -> None:
        """Offer waiting callers to the agent whenever it is ready, until arrivals are over
        and nobody waits, or ``stop``; hang up the callers still waiting when stopping."""
        while not self.stop.is_set():
            for call in self.queue.leavers(self.loop.time()):
                log.info("demo feed: call %d hung up after waiting", call.number)
                await self.poster.post(
                    self._event(
                        call, CallEventType.ABANDONED, to_agent=False, cause="caller_hangup"
                    ),
                    closing=True,
                )
            if self.arrivals_done and not self.queue:
                return
            # the state is read even with nobody waiting, so that a wrap-up is not missed
            state, since = await self.watch.state()
            ready = self.readiness.ready(state, self.loop.time(), since)
            call = self.queue.next() if ready else None
            if call is not None:
                await self._talk(call)
                continue
            await _wait(self.stop, self.poll)
        while (call := self.queue.next()) is not None:
            await self.poster.post(
                self._event(call, CallEventType.ABANDONED, to_agent=False, cause="caller_hangup"),
                closing=True,
            )

    async def _talk(self, call: WaitingCall) -> None:
        """Ring the agent, answer, talk, hang up: a call the server never sees unfinished."""
        log.info("demo feed: call %d offered to %s", call.number, self.agent_id)
        if not await self.poster.post(self._event(call, CallEventType.RINGING, to_agent=True)):
            await self.poster.post(
                self._event(call, CallEventType.ABANDONED, to_agent=False, cause="caller_hangup"),
                closing=True,
            )
            return
        try:
            if await _wait(self.stop, self.ring_for) or not await self.poster.post(
                self._event(call, CallEventType.ANSWERED, to_agent=True)
            ):
                await self.poster.post(
                    self._event(
                        call, CallEventType.ABANDONED, to_agent=True, cause="caller_hangup"
                    ),
                    closing=True,
                )
                return
            # a closing post is always sent, even when ``stop`` was set in the instant between
            # the wait timing out and this line: the server already knows the call
            await _wait(self.stop, self.talk_for * self.rng.uniform(0.6, 1.4))
            await self.poster.post(
                self._event(call, CallEventType.ENDED, to_agent=True, cause="normal"), closing=True
            )
        finally:
            # the server has moved the agent by the time it acknowledged the end
            self.readiness.call_ended(self.loop.time(), _now())


async def run_feed(
    base_url: str,
    cti_token: str,
    agent_id: str,
    picker: CallerSource,
    *,
    agent_token: str,
    interval: float = 30.0,
    first_after: float = 2.0,
    ring_for: float = 4.0,
    talk_for: float = 60.0,
    patience: tuple[float, float] = (90.0, 300.0),
    after_call: float = 15.0,
    poll: float = 1.0,
    rng: random.Random | None = None,
    stop: asyncio.Event | None = None,
    calls: int | None = None,
    retries: int = 4,
    backoff: float = 0.5,
    post_timeout: float = 5.0,
) -> int:
    """Simulate a queue of callers for ``agent_id`` until ``stop`` is set, or until ``calls``
    callers have arrived and each was served or hung up.

    ``interval`` is the mean time between arrivals; ``agent_token`` reads the agent's state.
    Returns the number of callers who arrived (a slot whose caller the picker could not give
    counts too). When ``stop`` is set, calls in flight and callers waiting are closed
    (``abandoned`` or ``ended``) with a single post each and the feed returns.
    """
    rng = rng if rng is not None else random.Random()
    stop = stop if stop is not None else asyncio.Event()
    base = base_url.rstrip("/")
    headers = {"Authorization": f"Bearer {cti_token}"}
    started = 0
    async with aiohttp.ClientSession(
        headers=headers, timeout=aiohttp.ClientTimeout(total=post_timeout)
    ) as session:
        poster = EventPoster(session, base + EVENTS_PATH, stop, retries, backoff)
        watch = AgentWatch(session, base + AGENT_PATH.format(agent=agent_id), agent_token)
        simulation = QueueSimulation(
            poster,
            watch,
            agent_id,
            rng,
            stop,
            ring_for=ring_for,
            talk_for=talk_for,
            patience=patience,
            after_call=after_call,
            poll=poll,
        )
        server = asyncio.create_task(simulation.serve())
        try:
            stopped = await _wait(stop, first_after)
            while not stopped and (calls is None or started < calls):
                kind = KIND_CYCLE[started % len(KIND_CYCLE)]
                try:
                    caller = picker.next(kind)
                except Exception:
                    log.exception("demo feed: no %s caller; trying the next kind", kind)
                    caller = None
                started += 1
                if caller is not None:
                    await simulation.arrive(started, caller)
                if calls is not None and started >= calls:
                    break
                stopped = await _wait(stop, next_arrival(rng, interval))
            simulation.arrivals_done = True
            await server
        finally:
            if not server.done():
                server.cancel()
                await asyncio.gather(server, return_exceptions=True)
    return started
