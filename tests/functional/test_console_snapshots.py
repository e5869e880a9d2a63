"""Snapshots of the console's main screens at 80×24 and 120×40, in English and Chinese.

The clock is frozen and the server is in memory, so each picture is exact. Update them with
``pytest tests/functional/test_console_snapshots.py --snapshot-update`` after a deliberate
change, and look at the SVGs before committing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from textual.pilot import Pilot

from console.agent_app import AgentConsoleApp
from console.clock import FrozenClock
from console.config import ConsoleConfig
from console.feed import Offer
from console.i18n import use_language
from console.widgets.candidate_picker import CandidatePicker
from console.widgets.profile import ProfileTabs
from console.widgets.request_editor import RequestEditor
from tests.functional.conftest import known_pop, several_pop, wait_until
from tests.functional.fake_api import AT, MemoryApi, ScriptedFeed

SIZES = [(80, 24), (120, 40)]
LANGUAGES = ["en", "zh"]


@pytest.fixture(autouse=True)
def english_afterwards() -> Any:
    yield
    use_language("en")


def console(language: str, *events: dict[str, Any], then: Any = ()) -> AgentConsoleApp:
    clock = FrozenClock(AT + timedelta(seconds=95))
    pop_events: list[Any] = []
    for event in events:
        pop = dict(event)
        pop["id"] = len(pop_events) + 1
        pop["at"] = AT.isoformat()
        pop_events.append(pop)
    return AgentConsoleApp(
        ScriptedFeed([*pop_events, *then]),
        agent_id="a-1001",
        api=MemoryApi(),
        config=ConsoleConfig(language=language, theme="textual-dark"),
        clock=clock,
    )


async def settle(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.pause()


def loaded(app: Any) -> bool:
    return app.query_one(ProfileTabs).profile is not None


def pressing(
    *keys: str,
    ready: Callable[[Any], bool] = loaded,
    until: Callable[[Any], bool] = loaded,
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Press ``keys`` once ``ready`` holds, then wait for ``until`` (answers come in workers)."""

    async def run(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, lambda: ready(pilot.app))
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await wait_until(pilot, lambda: until(pilot.app))
        pilot.app.set_focus(None)  # a blinking cursor would make the picture flicker
        await settle(pilot)

    return run


def picking(app: Any) -> bool:
    return bool(app.query_one(CandidatePicker).candidates)


def ticket_shown(app: Any) -> bool:
    return app.query_one(RequestEditor).ticket is not None


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
class TestConsoleScreens:
    def test_known_caller_with_360(
        self, snap_compare: Any, language: str, size: tuple[int, int]
    ) -> None:
        app = console(language, known_pop())
        assert snap_compare(app, terminal_size=size, run_before=pressing())

    def test_routed_offer(self, snap_compare: Any, language: str, size: tuple[int, int]) -> None:
        expires = AT + timedelta(seconds=95 + 17)
        offer = Offer(id=9, reservation="r-7", call_id="c-77", queue="sales", expires_at=expires)
        app = console(language, known_pop(), then=[offer])
        offered = pressing(until=lambda app: loaded(app) and app.offer is not None)
        assert snap_compare(app, terminal_size=size, run_before=offered)

    def test_several_callers_picker(
        self, snap_compare: Any, language: str, size: tuple[int, int]
    ) -> None:
        app = console(language, several_pop())
        waiting = pressing("c", ready=picking, until=picking)
        assert snap_compare(app, terminal_size=size, run_before=waiting)

    def test_request_with_sla_countdown(
        self, snap_compare: Any, language: str, size: tuple[int, int]
    ) -> None:
        app = console(language, known_pop())
        keys = ("f5", *"宽带频繁断线", "tab", *"fault/broadband", "ctrl+s")
        waiting = pressing(*keys, until=ticket_shown)
        assert snap_compare(app, terminal_size=size, run_before=waiting)

    def test_wrap_up_form(self, snap_compare: Any, language: str, size: tuple[int, int]) -> None:
        app = console(language, known_pop())
        assert snap_compare(app, terminal_size=size, run_before=pressing("f6", "ctrl+s"))
