"""The simulated CTI feed against a real aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
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

TOKEN = "s3cret-cti-token"
FAST: dict[str, Any] = {
    "interval": 0.01,
    "first_after": 0.0,
    "ring_for": 0.01,
    "talk_for": 0.01,
    "backoff": 0.01,
    "post_timeout": 2.0,
}
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
        return web.json_response({"accepted": True}, status=202)

    app = web.Application()
    app.router.add_post("/api/v1/cti/events", events)
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


async def test_calls_are_posted_with_the_token_in_order(
    server: Recorder, customers: list[dict[str, Any]]
) -> None:
    picker = RecordingPicker(CallerPicker(customers, seed=3))
    started = await run_feed(
        server.url, TOKEN, "a-1001", picker, calls=12, rng=random.Random(5), **FAST
    )
    assert started == 12
    assert server.auth
    assert all(a == f"Bearer {TOKEN}" for a in server.auth)

    calls = server.by_call()
    assert len(calls) == 12
    event_ids = [e["event_id"] for e in server.events]
    assert len(set(event_ids)) == len(event_ids)
    sequences = set()
    for call_id, events in calls.items():
        assert call_id.startswith("demo-")
        kinds = tuple(e["type"] for e in events)
        assert kinds in {("ringing", "answered", "ended"), ("ringing", "abandoned")}, kinds
        sequences.add(kinds)
        first = events[0]
        assert first["direction"] == "inbound"
        assert first["agent"] == "a-1001"
        assert first["to"].isdigit()
        assert first["to"].startswith("400")
        assert first["queue"] in {"sales", "billing", "tech_support", "complaints", "vip"}
        assert first["ivr"]["lang"] in {"zh", "en"}
        assert first["ivr"]["menu"].isdigit()
        for event in events:
            assert event["from"] == first["from"]
            assert event["to"] == first["to"]
            assert event["agent"] == "a-1001"
            assert datetime.fromisoformat(event["at"]).utcoffset() is not None
        times = [datetime.fromisoformat(e["at"]) for e in events]
        assert times == sorted(times)
        if kinds[-1] == "ended":
            assert events[-1]["cause"] == "normal"
    # with this seed both endings occur within a dozen calls
    assert sequences == {("ringing", "answered", "ended"), ("ringing", "abandoned")}


async def test_every_kind_of_caller_appears_known_first(
    server: Recorder, customers: list[dict[str, Any]]
) -> None:
    picker = RecordingPicker(CallerPicker(customers, seed=8))
    await run_feed(server.url, TOKEN, "a-1001", picker, calls=4, rng=random.Random(1), **FAST)
    assert picker.kinds[0] == "known"
    assert set(picker.kinds) == set(CALLER_KINDS)

    index = numbers_by_e164(customers)
    posted = [classify(e["from"], index) for e in server.ringing()]
    assert sorted(posted) == sorted(CALLER_KINDS)


async def test_abandon_rate_is_about_one_in_five(
    server: Recorder, customers: list[dict[str, Any]]
) -> None:
    fast = {**FAST, "ring_for": 0.0, "talk_for": 0.0, "interval": 0.0}
    picker = CallerPicker(customers, seed=2)
    await run_feed(server.url, TOKEN, "a-1001", picker, calls=100, rng=random.Random(9), **fast)
    abandoned = sum(e["type"] == "abandoned" for e in server.events)
    assert len(server.by_call()) == 100
    assert 8 <= abandoned <= 35


async def test_two_503s_are_survived(server: Recorder, customers: list[dict[str, Any]]) -> None:
    server.fail_with = [503, 503]
    picker = CallerPicker(customers, seed=1)
    started = await run_feed(
        server.url, TOKEN, "a-1001", picker, calls=1, rng=random.Random(3), **FAST
    )
    assert started == 1
    kinds = [e["type"] for e in server.events]
    assert kinds in (["ringing", "answered", "ended"], ["ringing", "abandoned"])
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
    for _ in range(2000):
        if any(e["type"] == "answered" for e in server.events) and len(server.ringing()) >= 3:
            break
        await asyncio.sleep(0.01)
    else:
        pytest.fail("the feed did not get calls going")
    loop = asyncio.get_running_loop()
    stopped_at = loop.time()
    stop.set()
    await asyncio.wait_for(feed, timeout=10)
    assert loop.time() - stopped_at < 5.0  # not the minute its calls would talk for
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
        run_feed(server.url, TOKEN, "a-1001", picker, stop=stop, first_after=30.0)
    )
    await asyncio.sleep(0.05)
    stop.set()
    assert await asyncio.wait_for(feed, timeout=10) == 0  # not the 30 s to the first call
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
