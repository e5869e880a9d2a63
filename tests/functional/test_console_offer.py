"""Routed offers in the console with a scripted feed: an answer the server refuses because the
offer is over, an offer ended by the agent's state, a request offered and accepted, and the
accept key rebound through the keymap."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from console.agent_app import AgentConsoleApp
from console.client import ServerError
from console.clock import FrozenClock
from console.config import ConsoleConfig
from console.feed import AgentStateUpdate, FeedEvent, FeedSink, Offer, OfferEnded
from console.widgets import OfferBanner
from console.widgets.request_editor import RequestEditor
from tests.functional.conftest import AGENT, SIZE, screen_text, wait_for_text, wait_until
from tests.functional.fake_api import AT, MemoryApi, connected


class PushFeed:
    """A feed the test pushes events into, one at a time."""

    def __init__(self) -> None:
        self.sink: FeedSink | None = None

    async def run(self, sink: FeedSink) -> None:
        for event in connected():
            sink(event)
        self.sink = sink
        await asyncio.Event().wait()

    def push(self, event: FeedEvent) -> None:
        assert self.sink is not None
        self.sink(event)


class OverApi(MemoryApi):
    """The server has ended every offer already."""

    async def accept_offer(self, reservation: str) -> Any:
        self._note("accept_offer", reservation)
        raise ServerError(
            f"Server said 409: offer {reservation} is over (timeout) (id)", status=409, field="id"
        )


def offer(n: int = 1, **fields: Any) -> Offer:
    body = {"id": n, "reservation": f"r-{n}", "queue": "billing", "call_id": f"c-{n}"}
    body["expires_at"] = (AT + timedelta(seconds=20)).isoformat()
    return Offer.model_validate({**body, **fields})


def state(n: int, name: str, reason: str | None = None) -> AgentStateUpdate:
    return AgentStateUpdate(id=n, agent=AGENT["id"], state=name, reason=reason)


def console(
    feed: PushFeed, api: MemoryApi, keymap: dict[str, str] | None = None
) -> AgentConsoleApp:
    config = ConsoleConfig(language="en", keymap=keymap or {})
    return AgentConsoleApp(
        feed, agent_id=AGENT["id"], api=api, config=config, clock=FrozenClock(AT)
    )


def shown(app: AgentConsoleApp) -> bool:
    return bool(app.query_one(OfferBanner).display)


def notice(app: AgentConsoleApp) -> str:
    return str(app.query_one("#notice").text)  # type: ignore[attr-defined]


async def test_an_accept_refused_with_409_takes_the_offer_away_in_one_line() -> None:
    feed, api = PushFeed(), OverApi()
    app = console(feed, api)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: feed.sink is not None)
        feed.push(offer())
        await wait_for_text(pilot, "Offered: call from — · queue billing · 0:20 left")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.offer is None and not shown(app))
        assert api.calls == [("accept_offer", ("r-1",))]
        assert notice(app) == (
            "The offer is over — Server said 409: offer r-1 is over (timeout) (id)"
        )
        assert "\n" not in notice(app)


async def test_leaving_reserved_ends_a_call_offer_but_not_a_request_offer() -> None:
    feed, api = PushFeed(), MemoryApi()
    app = console(feed, api)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: feed.sink is not None)
        feed.push(state(1, "reserved"))
        feed.push(offer(2))
        await wait_until(pilot, lambda: shown(app))
        feed.push(state(3, "not_ready", "missed_offer"))
        await wait_until(pilot, lambda: app.offer is None and not shown(app))
        assert notice(app) == "Offer over: you are now Not ready"
        # A request offered does not reserve the agent: their state says nothing about it.
        feed.push(offer(4, call_id=None, item="t:SR-2026-000901", kind="ticket"))
        feed.push(state(5, "available"))
        await wait_for_text(pilot, "Offered: request t:SR-2026-000901")
        assert app.offer is not None
        # Its end comes as offer_ended; one for another reservation changes nothing.
        feed.push(OfferEnded(id=6, reservation="r-2", outcome="timeout"))
        feed.push(OfferEnded(id=7, reservation="r-4", outcome="withdrawn"))
        await wait_until(pilot, lambda: app.offer is None and not shown(app))
        assert notice(app) == "Offer withdrawn: request t:SR-2026-000901"
        assert api.calls == []


async def test_an_accepted_request_opens_in_the_request_pane() -> None:
    feed, api = PushFeed(), MemoryApi()
    app = console(feed, api)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: feed.sink is not None)
        feed.push(offer(1, call_id=None, item="t:1", kind="ticket", number="SR-2026-000812"))
        await wait_for_text(pilot, "Offered: request SR-2026-000812")
        await pilot.press("a")
        await wait_until(pilot, lambda: app.query_one(RequestEditor).ticket is not None)
        assert api.calls == [("accept_offer", ("r-1",))]
        assert app.query_one(RequestEditor).ticket.number == "SR-2026-000812"  # type: ignore[union-attr]
        assert app.pane == "work"
        assert notice(app) == "Accepted: request SR-2026-000812"


async def test_the_offer_keys_follow_the_keymap() -> None:
    feed, api = PushFeed(), MemoryApi()
    keymap = {"console.offer_accept": "y", "console.offer_reject": "ctrl+r"}
    app = console(feed, api, keymap)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: feed.sink is not None)
        feed.push(offer())
        await wait_for_text(pilot, "y accept · ctrl+r reject")
        await pilot.press("a")  # the default key no longer answers
        await pilot.press("y")
        await wait_until(pilot, lambda: app.offer is None)
        assert api.calls == [("accept_offer", ("r-1",))]
        assert "Accepted: call from" in screen_text(app)
