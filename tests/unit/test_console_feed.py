"""The console's websocket feed: cursor, duplicates, backoff, reconnect with since=, auth."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from console.feed import (
    AgentFeed,
    AgentStateUpdate,
    Backoff,
    CallUpdate,
    Cursor,
    FeedEvent,
    FeedProblem,
    Hello,
    LinkPhase,
    LinkStatus,
    Offer,
    OfferEnded,
    PreviewCard,
    decode,
)
from switchboard.core.wire import LookupStatus, ScreenPop
from tests.functional.conftest import TOKEN, FakeSwitchboard, known_pop, screen_pop

# --- helpers -----------------------------------------------------------------------------


class Recorder:
    """A feed sink that remembers events and lets a test wait for one."""

    def __init__(self) -> None:
        self.events: list[FeedEvent] = []
        self._arrived = asyncio.Event()

    def __call__(self, event: FeedEvent) -> None:
        self.events.append(event)
        self._arrived.set()

    async def wait_for(self, predicate: Callable[[], bool], within: float = 3.0) -> None:
        async with asyncio.timeout(within):
            while not predicate():
                self._arrived.clear()
                await self._arrived.wait()

    @property
    def pops(self) -> list[ScreenPop]:
        return [event for event in self.events if isinstance(event, ScreenPop)]

    @property
    def links(self) -> list[LinkStatus]:
        return [event for event in self.events if isinstance(event, LinkStatus)]

    def phases(self) -> list[LinkPhase]:
        return [link.phase for link in self.links]

    def connected_count(self) -> int:
        return self.phases().count(LinkPhase.CONNECTED)


def fast_backoff(initial: float = 0.01, maximum: float = 0.05) -> Backoff:
    return Backoff(initial=initial, maximum=maximum, jitter=0.0)


@contextlib.asynccontextmanager
async def running(feed: AgentFeed, sink: Recorder) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(feed.run(sink))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
async def server() -> AsyncIterator[FakeSwitchboard]:
    fake = FakeSwitchboard()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


def frame(message: dict[str, Any]) -> str:
    return json.dumps(message)


HELLO = {"type": "hello", "agent": {"id": "a-1001", "name": "王小明", "extension": "1001"}}


# --- backoff -----------------------------------------------------------------------------


def test_backoff_doubles_from_half_a_second_to_ten() -> None:
    backoff = Backoff(rng=lambda: 0.0)
    assert [backoff.next() for _ in range(8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]


def test_backoff_reset_starts_again_from_the_first_step() -> None:
    backoff = Backoff(rng=lambda: 0.0)
    for _ in range(5):
        backoff.next()
    backoff.reset()
    assert backoff.next() == 0.5


def test_backoff_jitter_only_shortens_and_stays_in_band() -> None:
    assert Backoff(jitter=0.2, rng=lambda: 1.0).next() == pytest.approx(0.4)
    rng = random.Random(7)
    backoff = Backoff(jitter=0.2, rng=rng.random)
    delays = [backoff.next() for _ in range(40)]
    for step, delay in enumerate(delays):
        base = min(10.0, 0.5 * 2**step)
        assert 0.8 * base <= delay <= base
    assert len(set(delays[6:])) > 1  # jitter actually spreads the capped retries


def test_backoff_survives_a_very_long_outage() -> None:
    backoff = Backoff(rng=lambda: 0.0)
    for _ in range(5000):
        delay = backoff.next()
    assert delay == 10.0


@pytest.mark.parametrize(
    "kwargs",
    [{"initial": 0}, {"initial": 2, "maximum": 1}, {"factor": 0.5}, {"jitter": 1.0}],
)
def test_backoff_refuses_nonsense(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Backoff(**kwargs)


# --- cursor and decoding -----------------------------------------------------------------


def test_fresh_client_takes_the_cursor_from_hello() -> None:
    cursor = Cursor()
    [hello] = decode(frame({**HELLO, "id": 41, "state": "available", "cursor": 41}), cursor)
    assert isinstance(hello, Hello)
    assert hello.agent.name == "王小明"
    assert cursor.value == 41
    assert decode(frame({"type": "call", "id": 41, "call_id": "c", "state": "x"}), cursor) == []
    [call] = decode(frame({"type": "call", "id": 42, "call_id": "c", "state": "ringing"}), cursor)
    assert isinstance(call, CallUpdate)
    assert cursor.value == 42


def test_hello_does_not_move_a_resuming_clients_cursor() -> None:
    cursor = Cursor(since=5)
    decode(frame({**HELLO, "id": 5, "state": "available", "cursor": 9}), cursor)
    assert cursor.value == 5  # the server now replays 6..9
    events = [
        decode(frame({"type": "call", "id": i, "call_id": "c", "state": "held"}), cursor)
        for i in (6, 7, 7, 5, 8)
    ]
    assert [len(batch) for batch in events] == [1, 1, 0, 0, 1]
    assert cursor.value == 8


def test_server_history_reset_is_followed_and_reported() -> None:
    cursor = Cursor(since=500)
    events = decode(frame({**HELLO, "id": 500, "cursor": 3}), cursor)
    assert isinstance(events[0], Hello)
    assert isinstance(events[1], FeedProblem)
    assert cursor.value == 3
    assert len(decode(frame({"type": "call", "id": 4, "call_id": "c", "state": "x"}), cursor)) == 1


def test_unknown_types_are_ignored_but_advance_the_cursor() -> None:
    cursor = Cursor(since=1)
    assert decode(frame({"type": "supervisor_whisper", "id": 2, "text": "hi"}), cursor) == []
    assert cursor.value == 2


def test_a_preview_card_is_decoded() -> None:
    cursor = Cursor(since=0)
    message = {
        "type": "preview_card",
        "id": 1,
        "campaign": "renew",
        "lead": "p-1",
        "number": "+8613900000401",
        "score": 90.0,
        "attempts": 2,
    }
    [card] = decode(frame(message), cursor)
    assert isinstance(card, PreviewCard)
    assert (card.campaign, card.lead, card.number, card.attempts) == (
        "renew",
        "p-1",
        "+8613900000401",
        2,
    )
    [problem] = decode(frame({"type": "preview_card", "id": 2, "lead": "p-2"}), cursor)
    assert isinstance(problem, FeedProblem)
    assert "preview_card" in problem.text


def test_a_routed_call_offer_is_decoded_and_extra_fields_are_ignored() -> None:
    cursor = Cursor(since=0)
    message = {
        "type": "offer",
        "id": 1,
        "reservation": "r-7",
        "call_id": "c-1",
        "queue": "billing",
        "expires_at": "2026-01-05T01:00:15Z",
        "decision": 3,
        "screen_pop": {"call_id": "c-1"},  # a newer server may send more: it is ignored
    }
    [offer] = decode(frame(message), cursor)
    assert isinstance(offer, Offer)
    assert (offer.reservation, offer.call_id, offer.queue, offer.work) == (
        "r-7",
        "c-1",
        "billing",
        "call",
    )
    assert offer.expires_at == datetime(2026, 1, 5, 1, 0, 15, tzinfo=UTC)


def test_routed_request_and_callback_offers_name_their_work() -> None:
    cursor = Cursor(since=0)
    common = {"type": "offer", "queue": "售后", "expires_at": "2026-01-05T01:00:15+00:00"}
    ticket = {**common, "id": 1, "reservation": "r-1", "item": "t:SR-1", "call_id": None}
    ticket.update(kind="ticket", number="SR-2026-000812")
    callback = {**common, "id": 2, "reservation": "r-2", "item": "cb-1", "call_id": None}
    callback.update(kind="callback", callback="cb-1", number="+8613900000401")
    [request] = decode(frame(ticket), cursor)
    [back] = decode(frame(callback), cursor)
    assert isinstance(request, Offer)
    assert isinstance(back, Offer)
    assert (request.work, request.number, request.call_id) == ("ticket", "SR-2026-000812", None)
    assert (back.work, back.number) == ("callback", "+8613900000401")


def test_an_offer_without_its_reservation_or_expiry_is_one_line() -> None:
    cursor = Cursor(since=0)
    [problem] = decode(frame({"type": "offer", "id": 1, "queue": "billing"}), cursor)
    assert isinstance(problem, FeedProblem)
    assert "offer message 1" in problem.text
    [bad_time] = decode(
        frame({"type": "offer", "id": 2, "reservation": "r", "queue": "q", "expires_at": "soon"}),
        cursor,
    )
    assert isinstance(bad_time, FeedProblem)
    assert "expires_at" in bad_time.text


def test_the_end_of_an_offer_is_decoded() -> None:
    cursor = Cursor(since=0)
    message = {
        "type": "offer_ended",
        "id": 4,
        "reservation": "r-7",
        "call_id": "c-1",
        "queue": "billing",
        "outcome": "timeout",
    }
    [ended] = decode(frame(message), cursor)
    assert isinstance(ended, OfferEnded)
    assert (ended.reservation, ended.outcome) == ("r-7", "timeout")


def test_agent_state_is_decoded() -> None:
    cursor = Cursor(since=0)
    message = {
        "type": "agent_state",
        "id": 1,
        "agent": "a-1001",
        "state": "break",
        "reason": "lunch",
        "since": "2026-11-22T01:00:00Z",
    }
    [update] = decode(frame(message), cursor)
    assert isinstance(update, AgentStateUpdate)
    assert (update.state, update.reason, update.since is not None) == ("break", "lunch", True)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (frame({"type": "call", "call_id": "c", "state": "x"}), "without a numeric id"),
        (frame({"type": "call", "id": "7", "call_id": "c", "state": "x"}), "numeric id"),
        (frame({"type": "hello", "cursor": 1}), "Bad hello"),
    ],
)
def test_junk_becomes_one_line_and_does_not_move_the_cursor(raw: str, words: str) -> None:
    cursor = Cursor(since=3)
    [problem] = decode(raw, cursor)
    assert isinstance(problem, FeedProblem)
    assert words in problem.text
    assert "\n" not in problem.text
    assert cursor.value == 3


def test_invalid_screen_pop_is_reported_and_not_replayed_forever() -> None:
    cursor = Cursor(since=0)
    broken = {**screen_pop("known"), "id": 1, "match": {"status": "maybe", "number": "1"}}
    [problem] = decode(frame(broken), cursor)
    assert isinstance(problem, FeedProblem)
    assert "screen_pop message 1" in problem.text
    assert cursor.value == 1


def test_screen_pop_is_decoded_with_its_match() -> None:
    cursor = Cursor(since=0)
    [pop] = decode(frame({**known_pop(), "id": 1}), cursor)
    assert isinstance(pop, ScreenPop)
    assert pop.match.status is LookupStatus.KNOWN
    assert pop.customer is not None
    assert pop.customer.name == "深圳市腾达科技有限公司"


# --- against a real server ---------------------------------------------------------------


async def test_first_connect_sends_the_token_and_starts_at_the_servers_cursor(
    server: FakeSwitchboard,
) -> None:
    server.publish(known_pop("c-old-1"))
    server.publish(known_pop("c-old-2"))
    feed = AgentFeed(server.url, TOKEN, backoff=fast_backoff())
    sink = Recorder()
    async with running(feed, sink):
        await sink.wait_for(lambda: sink.connected_count() == 1)
        assert feed.cursor.value == 2
        server.publish(known_pop("c-new"))
        await sink.wait_for(lambda: len(sink.pops) == 1)
    assert [pop.call_id for pop in sink.pops] == ["c-new"]  # history before connect not replayed
    assert server.attempts[0].since is None
    assert server.attempts[0].authorization == f"Bearer {TOKEN}"
    assert sink.phases()[:2] == [LinkPhase.CONNECTING, LinkPhase.CONNECTED]
    assert isinstance(sink.events[1], Hello)  # hello is delivered before "connected"


@pytest.mark.parametrize("abrupt", [False, True], ids=["closed", "vanished"])
async def test_reconnects_with_since_and_gets_what_it_missed(
    server: FakeSwitchboard, abrupt: bool
) -> None:
    feed = AgentFeed(server.url, TOKEN, backoff=fast_backoff())
    sink = Recorder()
    async with running(feed, sink):
        await sink.wait_for(lambda: sink.connected_count() == 1)
        server.publish(known_pop("c-1"))
        await sink.wait_for(lambda: len(sink.pops) == 1)

        server.refuse_with = 503
        await server.drop(abrupt=abrupt)
        server.publish(known_pop("c-2"))  # while the console is away
        server.publish(known_pop("c-3"))
        await server.wait_for(lambda: len(server.attempts) >= 3)
        server.refuse_with = None

        await sink.wait_for(lambda: len(sink.pops) == 3)
        server.publish(known_pop("c-4"))
        await sink.wait_for(lambda: len(sink.pops) == 4)

    assert [pop.call_id for pop in sink.pops] == ["c-1", "c-2", "c-3", "c-4"]
    assert [attempt.since for attempt in server.attempts][1:] == [1] * (len(server.attempts) - 1)
    assert feed.cursor.value == 4
    lost = next(link for link in sink.links if link.phase is LinkPhase.RECONNECTING)
    assert lost.ever_connected
    assert lost.attempt == 1
    assert lost.reason


async def test_duplicates_and_stale_messages_from_the_server_are_dropped(
    server: FakeSwitchboard,
) -> None:
    feed = AgentFeed(server.url, TOKEN, backoff=fast_backoff())
    sink = Recorder()
    async with running(feed, sink):
        await sink.wait_for(lambda: sink.connected_count() == 1)
        first = server.publish(known_pop("c-1"))
        second = server.publish(known_pop("c-2"))
        server.inject({**first, "call_id": "c-dup"})
        server.inject({**second, "call_id": "c-dup"})
        server.inject({**known_pop("c-stale"), "id": 0})
        third = server.publish(known_pop("c-3"))
        await sink.wait_for(lambda: feed.cursor.value == third["id"])
    assert [pop.call_id for pop in sink.pops] == ["c-1", "c-2", "c-3"]


async def test_unknown_types_count_for_the_resume_cursor(server: FakeSwitchboard) -> None:
    feed = AgentFeed(server.url, TOKEN, backoff=fast_backoff())
    sink = Recorder()
    async with running(feed, sink):
        await sink.wait_for(lambda: sink.connected_count() == 1)
        server.publish({"type": "supervisor_whisper", "text": "psst"})
        server.publish({"type": "queue_stats", "waiting": 3})
        await server.drop()
        await sink.wait_for(lambda: sink.connected_count() == 2)
    assert server.attempts[-1].since == 2
    assert not [event for event in sink.events if isinstance(event, FeedProblem)]


async def test_a_junk_frame_does_not_break_the_connection(server: FakeSwitchboard) -> None:
    feed = AgentFeed(server.url, TOKEN, backoff=fast_backoff())
    sink = Recorder()
    async with running(feed, sink):
        await sink.wait_for(lambda: sink.connected_count() == 1)
        server.inject("<html>oops</html>")
        server.publish(known_pop("c-after"))
        await sink.wait_for(lambda: len(sink.pops) == 1)
    assert any(isinstance(event, FeedProblem) for event in sink.events)
    assert sink.connected_count() == 1


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_token_is_fatal(server: FakeSwitchboard, status: int) -> None:
    if status == 403:
        server.refuse_with = 403
    token = "wrong" if status == 401 else TOKEN
    feed = AgentFeed(server.url, token, backoff=fast_backoff())
    sink = Recorder()
    await asyncio.wait_for(feed.run(sink), timeout=3)  # returns by itself: no retry loop
    assert len(server.attempts) == 1
    last = sink.links[-1]
    assert last.phase is LinkPhase.AUTH_FAILED
    assert last.reason is not None
    assert str(status) in last.reason


async def test_server_errors_are_retried_on_the_backoff_schedule(server: FakeSwitchboard) -> None:
    server.refuse_with = 500
    feed = AgentFeed(server.url, TOKEN, backoff=fast_backoff(initial=0.01, maximum=0.04))
    sink = Recorder()
    async with running(feed, sink):
        await server.wait_for(lambda: len(server.attempts) >= 5)
        waiting = [link for link in sink.links if link.phase is LinkPhase.RECONNECTING]
        assert [link.retry_in for link in waiting[:4]] == [0.01, 0.02, 0.04, 0.04]
        assert [link.attempt for link in waiting[:4]] == [2, 3, 4, 5]
        assert not waiting[0].ever_connected
        assert waiting[0].reason == "Server answered HTTP 500"

        server.refuse_with = None  # a successful connect resets the schedule
        await sink.wait_for(lambda: sink.connected_count() == 1)
        await server.drop()
        await sink.wait_for(lambda: sink.connected_count() == 2)
    after = [link for link in sink.links if link.phase is LinkPhase.RECONNECTING][-1]
    assert (after.retry_in, after.attempt, after.ever_connected) == (0.01, 1, True)


async def test_an_unreachable_server_is_retried(server: FakeSwitchboard) -> None:
    url = server.url
    await server.close()  # nothing listens there any more
    feed = AgentFeed(url, TOKEN, backoff=fast_backoff())
    sink = Recorder()
    async with running(feed, sink):
        await sink.wait_for(lambda: len(sink.links) >= 6)
    waiting = [link for link in sink.links if link.phase is LinkPhase.RECONNECTING]
    assert len(waiting) >= 3
    assert all(link.reason and "Cannot reach the server" in link.reason for link in waiting)


def test_the_websocket_url_keeps_a_path_prefix() -> None:
    assert AgentFeed("http://h:8080/", "t").url == "http://h:8080/api/v1/ws"
    assert AgentFeed("https://h/sb", "t").url == "https://h/sb/api/v1/ws"
