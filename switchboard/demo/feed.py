"""The simulated CTI feed of ``switchboard demo``.

It plays the part of a telephony adapter: every ``interval`` seconds a call rings on the demo
agent, is answered after ``ring_for`` seconds (or, one time in five, abandoned by the
caller) and ends ``talk_for`` seconds later. Each step is posted as a normalised
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
from collections.abc import Coroutine
from datetime import datetime
from typing import Any, Protocol

import aiohttp

from switchboard.core.wire import CallDirection, CallEvent, CallEventType

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
ABANDON_RATE = 0.2


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
    agent_id: str,
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


async def _one_call(
    poster: EventPoster,
    number: int,
    caller: str,
    agent_id: str,
    rng: random.Random,
    stop: asyncio.Event,
    ring_for: float,
    talk_for: float,
) -> None:
    queue, menu, dnis = rng.choices(QUEUES, weights=QUEUE_WEIGHTS)[0]
    lang = "en" if caller.startswith(("+1", "+44", "001", "0044")) else "zh"
    ivr = {"lang": lang, "menu": menu}
    call_id = f"demo-{uuid.uuid4()}"
    abandon = rng.random() < ABANDON_RATE
    log.info("demo feed: call %d from %r to %s (%s)", number, caller, dnis, queue)

    def event(kind: CallEventType, cause: str | None = None) -> dict[str, Any]:
        return build_event(
            call_id,
            kind,
            caller=caller,
            dnis=dnis,
            agent_id=agent_id,
            queue=queue,
            ivr=ivr,
            cause=cause,
        )

    if not await poster.post(event(CallEventType.RINGING)):
        return
    if abandon:
        await _wait(stop, ring_for * rng.uniform(0.4, 0.9))
        await poster.post(event(CallEventType.ABANDONED, "caller_hangup"), closing=True)
        return
    if await _wait(stop, ring_for):
        # the demo is stopping: do not leave the call ringing on the server
        await poster.post(event(CallEventType.ABANDONED, "caller_hangup"), closing=True)
        return
    if not await poster.post(event(CallEventType.ANSWERED)):
        if stop.is_set():
            await poster.post(event(CallEventType.ABANDONED, "caller_hangup"), closing=True)
        return
    # a closing post is always sent, even when ``stop`` was set in the instant between the
    # wait timing out and this line: the server already knows the call
    await _wait(stop, talk_for)
    await poster.post(event(CallEventType.ENDED, "normal"), closing=True)


async def _guarded(call: Coroutine[Any, Any, None], number: int) -> None:
    try:
        await call
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("demo feed: call %d failed", number)


async def run_feed(
    base_url: str,
    cti_token: str,
    agent_id: str,
    picker: CallerSource,
    *,
    interval: float = 20.0,
    first_after: float = 2.0,
    ring_for: float = 6.0,
    talk_for: float = 10.0,
    rng: random.Random | None = None,
    stop: asyncio.Event | None = None,
    calls: int | None = None,
    retries: int = 4,
    backoff: float = 0.5,
    post_timeout: float = 5.0,
) -> int:
    """Simulate calls until ``stop`` is set or ``calls`` calls have been placed.

    Calls may overlap when ``interval`` is shorter than a call. Returns the number of calls
    started (a slot whose caller the picker could not give counts too). When ``stop`` is
    set, calls in flight are closed (``abandoned`` or ``ended``) with a single post and the
    feed returns.
    """
    rng = rng if rng is not None else random.Random()
    stop = stop if stop is not None else asyncio.Event()
    url = base_url.rstrip("/") + EVENTS_PATH
    headers = {"Authorization": f"Bearer {cti_token}"}
    started = 0
    tasks: set[asyncio.Task[None]] = set()
    async with aiohttp.ClientSession(
        headers=headers, timeout=aiohttp.ClientTimeout(total=post_timeout)
    ) as session:
        poster = EventPoster(session, url, stop, retries, backoff)
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
                    call = _one_call(
                        poster, started, caller, agent_id, rng, stop, ring_for, talk_for
                    )
                    task = asyncio.create_task(_guarded(call, started))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                if calls is not None and started >= calls:
                    break
                stopped = await _wait(stop, interval)
            if tasks:
                await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
    return started
