"""The console's link to the server: losing it, getting it back without losing a pop, auth."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from console.agent_app import AgentConsoleApp, console_bindings, run_agent_console
from console.feed import AgentFeed, FeedSink
from console.widgets import ConnectionBanner, NoticeLine
from tests.functional.conftest import (
    SIZE,
    TOKEN,
    FakeSwitchboard,
    console_for,
    known_pop,
    screen_pop,
    screen_text,
    wait_for_text,
    wait_until,
)


async def test_a_pop_sent_while_disconnected_arrives_after_reconnect(
    fake_server: FakeSwitchboard,
) -> None:
    app = console_for(fake_server)
    async with app.run_test(size=SIZE) as pilot:
        banner = app.query_one(ConnectionBanner)
        await wait_for_text(pilot, "connected")
        assert not banner.display
        fake_server.publish(known_pop("c-1"))
        await wait_for_text(pilot, "深圳市腾达科技有限公司")

        fake_server.refuse_with = 503  # the server is "restarting"
        await fake_server.drop()
        await wait_for_text(pilot, "Connection lost — reconnecting in", "Server answered HTTP 503")
        assert banner.display
        assert "↻ reconnecting in" in screen_text(app)  # the status bar says it too
        missed = fake_server.publish(
            screen_pop("unknown", call_id="c-2", number="+86 139 0000 1111", e164=None)
        )
        await fake_server.wait_for(lambda: len(fake_server.attempts) >= 3)
        assert banner.display  # still down: the banner stays up

        fake_server.refuse_with = None
        await wait_for_text(pilot, "No customer with this number", "+86 139 0000 1111")
        await wait_until(pilot, lambda: not banner.display)
        assert "● connected" in screen_text(app)
        assert "深圳市腾达科技有限公司" not in screen_text(app)
    resumed = [attempt.since for attempt in fake_server.attempts[1:]]
    assert resumed == [missed["id"] - 1] * len(resumed)


async def test_a_server_that_vanishes_is_noticed(fake_server: FakeSwitchboard) -> None:
    app = console_for(fake_server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        fake_server.refuse_with = 503
        await fake_server.drop(abrupt=True)
        await wait_for_text(pilot, "Connection lost")
        fake_server.refuse_with = None
        await wait_until(pilot, lambda: not app.query_one(ConnectionBanner).display)


async def test_a_refused_token_stops_retrying_and_says_so(fake_server: FakeSwitchboard) -> None:
    app = console_for(fake_server, token="stolen")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "Sign-in refused", "HTTP 401", "auth failed")
        assert app.query_one(ConnectionBanner).has_class("-fatal")
        assert "a-1001" in screen_text(app)  # no hello, but the agent still sees who they are
        await asyncio.sleep(0.3)  # longer than the whole backoff schedule in these tests
        assert len(fake_server.attempts) == 1


async def test_junk_from_the_server_is_one_line_not_a_traceback(
    fake_server: FakeSwitchboard,
) -> None:
    app = console_for(fake_server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        assert not app.query_one(NoticeLine).display
        fake_server.inject("definitely not json")
        fake_server.publish({**known_pop("c-bad"), "match": {"status": "perhaps"}})
        await wait_for_text(pilot, "Ignored screen_pop message 1")
        notice = app.query_one(NoticeLine)
        assert notice.display
        assert notice.size.height == 1
        fake_server.publish(known_pop("c-good"))
        await wait_for_text(pilot, "深圳市腾达科技有限公司")


class _BrokenFeed:
    async def run(self, sink: FeedSink) -> None:
        raise RuntimeError("socket exploded")


async def test_a_crashing_feed_becomes_one_line() -> None:
    app = AgentConsoleApp(_BrokenFeed(), agent_id="a-1001")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "Connection to the server stopped: socket exploded")
        assert app.is_running
        assert "Traceback" not in screen_text(app)


async def test_ctrl_q_quits(fake_server: FakeSwitchboard) -> None:
    app = console_for(fake_server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected", "^q Quit")
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: not app.is_running)


def test_bindings_have_ids() -> None:
    ids = [binding.id for binding in console_bindings()]
    assert {"console.quit", "console.focus_candidates", "console.available"} <= set(ids)
    assert None not in ids
    assert len(ids) == len(set(ids))


def test_run_agent_console_points_the_feed_at_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[AgentConsoleApp] = []
    monkeypatch.setattr(AgentConsoleApp, "run", lambda self, **_: started.append(self))
    monkeypatch.setenv("SWITCHBOARD_CONSOLE_CONFIG", "/nonexistent/console.toml")
    run_agent_console("http://sb.example:8080", TOKEN, "a-1001")
    [app] = started
    feed = app._feed
    assert isinstance(feed, AgentFeed)
    assert feed.url == "http://sb.example:8080/api/v1/ws"
    assert app.agent_id == "a-1001"


def test_a_bad_console_config_stops_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "console.toml"
    path.write_text('language = "fr"\n', encoding="utf-8")
    monkeypatch.setenv("SWITCHBOARD_CONSOLE_CONFIG", str(path))
    monkeypatch.setattr(AgentConsoleApp, "run", lambda self, **_: pytest.fail("started"))
    with pytest.raises(SystemExit) as stopped:
        run_agent_console("http://sb.example:8080", TOKEN, "a-1001")
    message = str(stopped.value.code)
    assert message.startswith(f"switchboard console: cannot use {path}: ")
    assert "language" in message
    assert "\n" not in message
