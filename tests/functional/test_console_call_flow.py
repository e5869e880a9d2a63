"""A call's course through the console as the demo's newcomer met it: after-call work is
reported to the server (so no call is offered meanwhile), the next call starts on the script,
the footer keeps to what matters, a knowledge hit stays on one line, and ctrl+c quits."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len

from console.agent_app import KEYS, AgentConsoleApp
from console.config import ConsoleConfig
from console.feed import AgentFeed, Backoff
from console.footer_keys import FooterContext, footer_keys
from console.i18n import _, use_language
from console.views import KbHit
from console.widgets.knowledge import KnowledgePane
from tests.functional.conftest import (
    AGENT,
    SIZE,
    TOKEN,
    FakeSwitchboard,
    known_pop,
    screen_lines,
    wait_for_text,
    wait_until,
)
from tests.functional.fake_api import MemoryApi


def call(call_id: str, state: str) -> dict[str, Any]:
    return {
        "type": "call",
        "call_id": call_id,
        "state": state,
        "agent": AGENT["id"],
        "from": "+86 138 1234 5678",
        "to": "4008001234",
        "at": "2026-11-22T09:01:00Z",
    }


def console(server: FakeSwitchboard, api: MemoryApi, **config: Any) -> AgentConsoleApp:
    feed = AgentFeed(server.url, TOKEN, backoff=Backoff(initial=0.05, maximum=0.2, jitter=0.0))
    settings = ConsoleConfig(**{"language": "en", **config})
    return AgentConsoleApp(feed, agent_id=AGENT["id"], api=api, config=settings)


async def test_an_answered_call_that_ends_puts_the_agent_in_wrap_up(
    fake_server: FakeSwitchboard,
) -> None:
    api = MemoryApi()
    app = console(fake_server, api, wrap_up_seconds=240)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        fake_server.publish(known_pop("c-1"))
        fake_server.publish(call("c-1", "answered"))
        await wait_for_text(pilot, "ANSWERED")
        assert not [c for c in api.calls if c[0] == "start_wrap_up"]
        fake_server.publish(call("c-1", "ended"))
        await wait_until(pilot, lambda: ("start_wrap_up", (AGENT["id"], 240)) in api.calls)
        await wait_for_text(pilot, "Wrap-up")


async def test_a_call_missed_while_ringing_asks_no_wrap_up(fake_server: FakeSwitchboard) -> None:
    api = MemoryApi()
    app = console(fake_server, api)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        fake_server.publish(known_pop("c-1"))
        await wait_for_text(pilot, "RINGING")
        fake_server.publish(call("c-1", "abandoned"))
        await wait_for_text(pilot, "ABANDONED")
        fake_server.publish(known_pop("c-2"))  # the feed's order: what came before is handled
        await wait_until(pilot, lambda: app.call is not None and app.call.call_id == "c-2")
        assert not [c for c in api.calls if c[0] == "start_wrap_up"]


async def test_the_next_call_starts_on_the_script_not_on_the_last_wrap_up(
    fake_server: FakeSwitchboard,
) -> None:
    api = MemoryApi()
    app = console(fake_server, api)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        fake_server.publish(known_pop("c-1"))
        fake_server.publish(call("c-1", "answered"))
        fake_server.publish(call("c-1", "ended"))
        await wait_until(pilot, lambda: app.query_one("#work").active == "tab-wrapup")  # type: ignore[attr-defined]
        fake_server.publish(known_pop("c-2"))
        await wait_until(pilot, lambda: app.call is not None and app.call.call_id == "c-2")
        await wait_until(pilot, lambda: app.query_one("#work").active == "tab-script")  # type: ignore[attr-defined]


async def test_ctrl_c_quits(fake_server: FakeSwitchboard) -> None:
    app = console(fake_server, MemoryApi())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: not app.is_running or app._exit_renderables is not None)
    assert app.return_code == 0


async def test_a_knowledge_hit_is_one_line_and_down_reaches_it(
    fake_server: FakeSwitchboard,
) -> None:
    app = console(fake_server, MemoryApi())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        await pilot.press("f4")
        pane = app.query_one(KnowledgePane)
        snippet = "…测速网站\nspeed.example）。有线正常、Wi-Fi慢\n\n处理" + "，先测速" * 40
        pane.show_results((KbHit("kb-1", "宽带网速慢", snippet), KbHit("kb-2", "限速")), None)
        await wait_for_text(pilot, "宽带网速慢  …测速网站 speed.example）", "限速")
        lines = screen_lines(app)
        first = next(n for n, line in enumerate(lines) if "宽带网速慢" in line)
        assert "限速" in lines[first + 1]  # the long first hit took one line
        await pilot.press("down")
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "kb-hits")


# --- the footer -------------------------------------------------------------------------


POP_KEYS = frozenset({"console.focus_candidates", "console.quick_create"})


def footer_width(shown: frozenset[str]) -> int:
    """Cells the compact footer takes for these bindings: "key description" items, spaced."""
    items = []
    for key, _action, text, binding_id, _show in KEYS:
        if binding_id in shown and binding_id not in POP_KEYS:
            shown_key = "^" + key.removeprefix("ctrl+") if key.startswith("ctrl+") else key
            items.append(f"{shown_key} {_(text)}")
    return cell_len(" ".join(items)) + 1


def every_context() -> list[FooterContext]:
    contexts = []
    for where in ("caller", "script", "knowledge", "request", "wrapup"):
        for state in ("available", "reserved", "on_call", "wrap_up", "break", "not_ready"):
            for on_call, call_over in ((False, False), (True, False), (True, True)):
                for preview, offer in ((False, False), (True, False), (False, True)):
                    form_up = where in ("request", "wrapup")
                    contexts.append(
                        FooterContext(where, state, on_call, call_over, form_up, preview, offer)
                    )
    return contexts


def test_the_footer_fits_80_columns_in_english_and_chinese() -> None:
    try:
        for language in ("en", "zh"):
            use_language(language)
            for context in every_context():
                shown = footer_keys(context)
                # with a call, the pick-caller or new-customer key may join (never both)
                extra = cell_len(f"n {_('New customer')} ") if shown >= POP_KEYS else 0
                assert footer_width(shown) + extra <= 80, (language, context, shown)
    finally:
        use_language("en")


def test_the_footer_shows_what_the_moment_needs() -> None:
    ringing = footer_keys(FooterContext("caller", "reserved", True, False, False, False))
    assert "console.show_script" in ringing
    assert "console.available" not in ringing  # the call decides the state now
    wrap_up = footer_keys(FooterContext("wrapup", "wrap_up", True, True, True, False))
    assert {"console.save", "console.available"} <= wrap_up
    assert "console.show_wrapup" not in wrap_up  # already there
    idle = footer_keys(FooterContext("caller", "available", False, False, False, False))
    assert {"console.take_break", "console.not_ready", "console.show_knowledge"} <= idle
    assert "console.available" not in idle
    assert "console.show_wrapup" not in idle  # no call to wrap up
    on_break = footer_keys(FooterContext("caller", "break", False, False, False, False))
    assert "console.available" in on_break
    preview = footer_keys(FooterContext("caller", "available", False, False, False, True))
    assert {"console.preview_dial", "console.preview_skip"} <= preview
    offered = footer_keys(FooterContext("caller", "reserved", True, False, False, False, True))
    assert {"console.offer_accept", "console.offer_reject"} <= offered
    assert "console.show_script" not in offered  # the answer comes first
    assert "console.offer_accept" not in ringing  # no offer: its keys stay out of the way
