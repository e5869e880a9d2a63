"""The simulated CTI feed against a fake server on 127.0.0.1 that keeps the agent's state the
way the real one does (ringing on the agent: reserved; answered: on call; over: available)."""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from switchboard.core.wire import CallEvent, CallEventType
from switchboard.demo.dataset import (
    CALLER_KINDS,
    WITHHELD_NUMBERS,
    CallerPicker,
    demo_customers,
    numbers_by_e164,
    to_e164,
)
from switchboard.demo.feed import EVENTS_PATH, EventPoster, build_event, run_feed
from switchboard.demo.pacing import AgentReadiness, DemoQueue, WaitingCall, next_arrival

TOKEN = "s3cret-cti-token"
AGENT_TOKEN = "s3cret-agent-token"
FAST: dict[str, Any] = {
    "agent_token": AGENT_TOKEN,
    "interval": 0.01,
    "first_after": 0.0,
    "ring_for": 0.01,
    "talk_for": 0.01,
    "patience": (600.0, 600.0),
    "after_call": 0.0,
    "poll": 0.01,
    "backoff": 0.01,
    "post_timeout": 2.0,
}
LIMIT = 20.0  # seconds a condition may take on a loaded machine
CALL: dict[str, Any] = {
    "caller": "+8613800000000",
    "dnis": "4001",
    "agent_id": "a-1001",
    "queue": "general",
    "ivr": {"lang": "zh", "menu": "1"},
}


@dataclass
class Recorder:
    """What the fake server saw; ``fail_with`` statuses are answered first, in order."""

    events: list[dict[str, Any]] = field(default_factory=list)
    auth: list[str | None] = field(default_factory=list)
    requests: int = 0
    fail_with: list[int] = field(default_factory=list)
    url: str = ""
    agent_state: str = "available"
    state_reads: int = 0

    def follow(self, event: dict[str, Any]) -> None:
        """The agent's state after ``event``, as the server moves it for calls."""
        if event.get("agent") != "a-1001":
            return
        if event["type"] == "ringing" and self.agent_state == "available":
            self.agent_state = "reserved"
        elif event["type"] == "answered" and self.agent_state in ("available", "reserved"):
            self.agent_state = "on_call"
        elif event["type"] in ("ended", "abandoned") and self.agent_state in (
            "reserved",
            "on_call",
        ):
            self.agent_state = "available"

    def offered(self) -> list[dict[str, Any]]:
        return [e for e in self.ringing() if e.get("agent")]

    def by_call(self) -> dict[str, list[dict[str, Any]]]:
        calls: dict[str, list[dict[str, Any]]] = {}
        for event in self.events:
            calls.setdefault(event["call_id"], []).append(event)
        return calls

    def ringing(self) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == "ringing"]


@pytest.fixture
async def server() -> AsyncIterator[Recorder]:
    recorder = Recorder()

    async def events(request: web.Request) -> web.Response:
        recorder.requests += 1
        recorder.auth.append(request.headers.get("Authorization"))
        if recorder.fail_with:
            return web.Response(status=recorder.fail_with.pop(0), text="not now")
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": "unauthorised"}, status=401)
        body = await request.json()
        CallEvent.model_validate(body)  # a 500 if the feed sent something malformed
        recorder.events.append(body)
        recorder.follow(body)
        return web.json_response({"accepted": True}, status=202)

    async def agent(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {AGENT_TOKEN}":
            return web.json_response({"error": "unauthorised"}, status=401)
        recorder.state_reads += 1
        return web.json_response({"id": request.match_info["id"], "state": recorder.agent_state})

    app = web.Application()
    app.router.add_post("/api/v1/cti/events", events)
    app.router.add_get("/api/v1/agents/{id}", agent)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    recorder.url = f"http://127.0.0.1:{port}/"
    yield recorder
    await runner.cleanup()


@pytest.fixture(scope="module")
def customers() -> list[dict[str, Any]]:
    return demo_customers()


class RecordingPicker:
    def __init__(self, picker: CallerPicker) -> None:
        self.picker = picker
        self.kinds: list[str] = []

    def next(self, kind: str) -> str:
        self.kinds.append(kind)
        return self.picker.next(kind)


def classify(number: str, index: dict[str, list[Any]]) -> str:
    if number in WITHHELD_NUMBERS:
        return "withheld"
    e164 = to_e164(number)
    assert e164 is not None, number
    if e164 not in index:
        return "unknown"
    return "known" if len(index[e164]) == 1 else "several"


async def wait_until(condition: Any, what: str) -> None:
    """Wait for ``condition()`` (the feed and the fake server run meanwhile)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LIMIT
    while not condition():
        if loop.time() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def test_calls_wait_in_their_queue_then_ring_on_the_agent(
    server: Recorder, customers: list[dict[str, Any]]
) -> None:
    picker = RecordingPicker(CallerPicker(customers, seed=3))
    started = await asyncio.wait_for(
        run_feed(server.url, TOKEN, "a-1001", picker, calls=12, rng=random.Random(5), **FAST),
        timeout=LIMIT,
    )
    assert started == 12
    assert server.auth
    assert all(a == f"Bearer {TOKEN}" for a in server.auth)

    calls = server.by_call()
    assert len(calls) == 12
    event_ids = [e["event_id"] for e in server.events]
    assert len(set(event_ids)) == len(event_ids)
    for call_id, events in calls.items():
        assert call_id.startswith("demo-")
        kinds = tuple(e["type"] for e in events)
        assert kinds == ("ringing", "ringing", "answered", "ended"), kinds
        first = events[0]
        assert "agent" not in first  # in the queue first: the wallboard counts it as waiting
        assert first["direction"] == "inbound"
        assert first["to"].isdigit()
        assert first["to"].startswith("400")
        assert first["queue"] in {"sales", "billing", "tech_support", "complaints", "vip"}
        assert first["ivr"]["lang"] in {"zh", "en"}
        assert first["ivr"]["menu"].isdigit()
        for event in events[1:]:
            assert event["agent"] == "a-1001"
        for event in events:
            assert event["from"] == first["from"]
            assert event["to"] == first["to"]
            assert event["queue"] == first["queue"]
            assert datetime.fromisoformat(event["at"]).utcoffset() is not None
        times = [datetime.fromisoformat(e["at"]) for e in events]
        assert times == sorted(times)
        assert events[-1]["cause"] == "normal"
    assert server.agent_state == "available"


async def test_no_call_is_offered_until_the_agent_is_available(
    server: Recorder, customers: list[dict[str, Any]]
) -> None:
    """Callers arriving while the agent is away wait; they are offered first come first served,
    one at a time, and the next only once the agent is back from after-call work."""
    server.agent_state = "break"
    picker = CallerPicker(customers, seed=4)
    slow = {**FAST, "talk_for": 3600.0, "after_call": 3600.0}
    stop = asyncio.Event()
    feed = asyncio.create_task(
        run_feed(server.url, TOKEN, "a-1001", picker, calls=3, stop=stop, **slow)
    )
    try:
        await wait_until(lambda: len(server.ringing()) == 3, "three callers in the queue")
        reads = server.state_reads
        await wait_until(lambda: server.state_reads >= reads + 5, "the feed to look again")
        assert server.offered() == []  # the agent is on break: everybody waits

        server.agent_state = "available"
        await wait_until(lambda: server.agent_state == "on_call", "the first call answered")
        arrived = [e["call_id"] for e in server.ringing() if "agent" not in e]
        assert [e["call_id"] for e in server.offered()] == arrived[:1]  # the first to come
    finally:
        stop.set()
        await asyncio.wait_for(feed, timeout=LIMIT)
    # stopping hung up the call in progress and the callers still waiting
    for events in server.by_call().values():
        assert events[-1]["type"] in {"ended", "abandoned"}, events
    assert len(server.offered()) == 1


async def test_after_a_call_the_next_waits_for_the_end_of_wrap_up(
    server: Recorder, customers: list[dict[str, Any]]
) -> None:
    picker = CallerPicker(customers, seed=5)
    gap = {**FAST, "after_call": 3600.0}
    stop = asyncio.Event()
    feed = asyncio.create_task(
        run_feed(server.url, TOKEN, "a-1001", picker, calls=2, stop=stop, **gap)
    )
    try:
        await wait_until(lambda: any(e["type"] == "ended" for e in server.events), "a call end")
        await wait_until(lambda: len(server.ringing()) >= 3, "the second caller waiting")
        # the server shows the agent available right after the end: not enough
        reads = server.state_reads
        await wait_until(lambda: server.state_reads >= reads + 5, "the feed to look again")
        assert len(server.offered()) == 1
        server.agent_state = "wrap_up"  # the console reports after-call work
        reads = server.state_reads
        await wait_until(lambda: server.state_reads >= reads + 2, "the feed to see wrap-up")
        assert len(server.offered()) == 1
        server.agent_state = "available"  # wrap-up done
        await wait_until(lambda: len(server.offered()) == 2, "the second call offered")
        await asyncio.wait_for(feed, timeout=LIMIT)
    finally:
        stop.set()
        await asyncio.wait_for(feed, timeout=LIMIT)
    assert [e["type"] for e in server.events].count("ended") == 2


async def test_a_caller_who_waits_too_long_hangs_up(
    server: Recorder, customers: list[dict[str, Any]]
) -> None:
    server.agent_state = "not_ready"
    picker = CallerPicker(customers, seed=2)
    impatient = {**FAST, "patience": (0.0, 0.0)}
    started = await asyncio.wait_for(
        run_feed(server.url, TOKEN, "a-1001", picker, calls=3, **impatient), timeout=LIMIT
    )
    assert started == 3
    for events in server.by_call().values():
        assert [e["type"] for e in events] == ["ringing", "abandoned"]
        assert "agent" not in events[-1]
        assert events[-1]["cause"] == "caller_hangup"


async def test_every_kind_of_caller_appears_known_first(
    server: Recorder, customers: list[dict[str, Any]]
) -> None:
    picker = RecordingPicker(CallerPicker(customers, seed=8))
    await run_feed(server.url, TOKEN, "a-1001", picker, calls=4, rng=random.Random(1), **FAST)
    assert picker.kinds[0] == "known"
    assert set(picker.kinds) == set(CALLER_KINDS)

    index = numbers_by_e164(customers)
    posted = [classify(e["from"], index) for e in server.offered()]
    assert sorted(posted) == sorted(CALLER_KINDS)


async def test_two_503s_are_survived(server: Recorder, customers: list[dict[str, Any]]) -> None:
    server.fail_with = [503, 503]
    picker = CallerPicker(customers, seed=1)
    started = await run_feed(
        server.url, TOKEN, "a-1001", picker, calls=1, rng=random.Random(3), **FAST
    )
    assert started == 1
    kinds = [e["type"] for e in server.events]
    assert kinds == ["ringing", "ringing", "answered", "ended"]
    assert server.requests == 2 + len(kinds)


async def test_a_refused_event_is_not_retried(
    server: Recorder, customers: list[dict[str, Any]]
) -> None:
    picker = CallerPicker(customers, seed=1)
    await run_feed(server.url, "wrong-token", "a-1001", picker, calls=2, **FAST)
    assert server.events == []
    assert server.requests == 2  # one refused ringing per call, nothing more


async def test_a_server_that_is_down_does_not_crash_the_feed(
    customers: list[dict[str, Any]],
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # nothing listens on the port now
    picker = CallerPicker(customers, seed=1)
    started = await asyncio.wait_for(
        run_feed(f"http://127.0.0.1:{port}", TOKEN, "a-1001", picker, calls=3, retries=2, **FAST),
        timeout=10,
    )
    assert started == 3


async def test_stop_ends_it_promptly_and_closes_calls_in_flight(
    server: Recorder, customers: list[dict[str, Any]]
) -> None:
    stop = asyncio.Event()
    picker = CallerPicker(customers, seed=6)
    slow = {**FAST, "ring_for": 0.3, "talk_for": 60.0, "interval": 0.05}
    feed = asyncio.create_task(
        run_feed(server.url, TOKEN, "a-1001", picker, stop=stop, rng=random.Random(2), **slow)
    )
    await wait_until(
        lambda: any(e["type"] == "answered" for e in server.events) and len(server.ringing()) >= 3,
        "a call answered and callers waiting",
    )
    loop = asyncio.get_running_loop()
    stopped_at = loop.time()
    stop.set()
    await asyncio.wait_for(feed, timeout=LIMIT)
    assert loop.time() - stopped_at < 10.0  # not the minute of talk left
    assert feed.result() >= 3
    for events in server.by_call().values():
        # nothing is left ringing or talking on the server
        assert events[-1]["type"] in {"ended", "abandoned"}, events


async def test_a_closing_event_is_posted_even_once_stop_is_set(server: Recorder) -> None:
    """The race CI once hit: a call's wait timed out in the same instant stop was set.

    The ringing is on the server, so the event that closes the call must still go out
    (once), while a new call's ringing must not.
    """
    stop = asyncio.Event()
    stop.set()
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as session:
        poster = EventPoster(session, server.url.rstrip("/") + EVENTS_PATH, stop, 4, 0.01)
        ringing = build_event("c-1", CallEventType.RINGING, **CALL)
        ended = build_event("c-1", CallEventType.ENDED, cause="normal", **CALL)
        assert await poster.post(ringing) is False
        assert await poster.post(ended, closing=True) is True
    assert [e["type"] for e in server.events] == ["ended"]


async def test_a_closing_post_that_fails_after_stop_is_tried_once_more_only(
    server: Recorder,
) -> None:
    stop = asyncio.Event()
    server.fail_with = [503, 503, 503, 503]
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as session:
        poster = EventPoster(session, server.url.rstrip("/") + EVENTS_PATH, stop, 4, 5.0)
        ended = build_event("c-2", CallEventType.ENDED, cause="normal", **CALL)
        task = asyncio.create_task(poster.post(ended, closing=True))
        for _ in range(2000):
            if server.requests:
                break
            await asyncio.sleep(0.005)
        stop.set()  # during the 5 s backoff: one more try at once, then give up
        assert await asyncio.wait_for(task, timeout=4.0) is False  # not the 5 s backoff
    assert server.requests == 2


async def test_stop_before_the_first_call(server: Recorder) -> None:
    stop = asyncio.Event()
    picker = CallerPicker(demo_customers(20, seed=1), seed=1)
    feed = asyncio.create_task(
        run_feed(
            server.url,
            TOKEN,
            "a-1001",
            picker,
            stop=stop,
            first_after=30.0,
            agent_token=AGENT_TOKEN,
        )
    )
    await asyncio.sleep(0.05)
    stop.set()
    assert await asyncio.wait_for(feed, timeout=LIMIT) == 0
    assert server.requests == 0


def test_built_events_validate() -> None:
    from switchboard.core.wire import CallEventType

    event = build_event(
        "demo-x",
        CallEventType.RINGING,
        caller="",
        dnis="4008001234",
        agent_id="a-1001",
        queue="sales",
        ivr={"lang": "zh", "menu": "1"},
    )
    assert CallEvent.model_validate(event).from_ == ""
    assert event["event_id"] == "demo-x-ringing"
    assert "cause" not in event
    assert datetime.fromisoformat(event["at"]).utcoffset() is not None


def test_readiness_holds_the_next_call_until_after_call_work_is_over() -> None:
    readiness = AgentReadiness(after_call=20.0)
    assert readiness.ready("available", 0.0)
    assert not readiness.ready("on_call", 1.0)
    assert not readiness.ready(None, 1.0)  # state unknown: offer nothing
    readiness.call_ended(10.0)
    assert not readiness.ready("available", 10.5)  # the instant before the console's wrap-up
    assert not readiness.ready("wrap_up", 11.0)
    assert readiness.ready("available", 12.0)  # back from wrap-up


def test_readiness_without_a_wrap_up_waits_after_call_seconds() -> None:
    readiness = AgentReadiness(after_call=20.0)
    readiness.call_ended(10.0)
    assert not readiness.ready("available", 29.9)
    assert readiness.ready("available", 30.0)


def test_the_queue_is_first_come_first_served_and_the_impatient_leave() -> None:
    queue = DemoQueue()
    for number, patience in ((1, 100.0), (2, 5.0), (3, 100.0)):
        queue.join(
            WaitingCall(number, f"c-{number}", "+8613800000000", "sales", "400", {}, 0.0, patience)
        )
    assert [c.number for c in queue.leavers(4.0)] == []
    assert [c.number for c in queue.leavers(5.0)] == [2]
    first = queue.next()
    assert first is not None
    assert first.number == 1
    assert len(queue) == 1


def test_arrivals_are_paced_around_the_mean() -> None:
    rng = random.Random(7)
    gaps = [next_arrival(rng, 30.0) for _ in range(2000)]
    assert min(gaps) >= 6.0
    assert max(gaps) <= 90.0
    assert 20.0 <= sum(gaps) / len(gaps) <= 35.0


def test_an_availability_that_began_after_the_end_counts_as_back_from_wrap_up() -> None:
    """A wrap-up shorter than the time between two reads is not missed."""
    end = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)
    readiness = AgentReadiness(after_call=20.0)
    readiness.call_ended(10.0, acknowledged=end)
    assert not readiness.ready("available", 10.5, since=end - timedelta(milliseconds=3))
    assert readiness.ready("available", 11.0, since=end + timedelta(seconds=1))


def test_an_availability_renewed_between_two_reads_counts_too() -> None:
    readiness = AgentReadiness(after_call=20.0)
    first = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)
    readiness.call_ended(10.0)  # no acknowledgement time known
    assert not readiness.ready("available", 10.5, since=first)
    assert not readiness.ready("available", 11.0, since=first)
    assert readiness.ready("available", 11.5, since=first + timedelta(seconds=3))
