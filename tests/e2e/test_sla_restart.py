"""``switchboard serve`` killed before an escalation falls due: after a restart every level that
fell due while it was down fires exactly once, and a second restart fires nothing more."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import datetime
from typing import Any

import aiohttp

from tests.e2e.conftest import Cli

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = {"name": "24/7", "timezone": "UTC", "weekly": {d: ["00:00-24:00"] for d in WEEK}}


async def call(
    session: aiohttp.ClientSession, method: str, url: str, token: str, body: Any = None
) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    async with session.request(method, url, json=body, headers=headers) as resp:
        answer = await resp.json()
        assert resp.status in (200, 201), answer
        return answer


def firings(cli: Cli) -> tuple[list[tuple[str, str]], int, int]:
    """(level, fired_at) of fired timers, sla history rows, sla channel messages."""
    with sqlite3.connect(cli.data_dir / "switchboard.db") as db:
        fired = db.execute(
            "SELECT level, fired_at FROM ticket_sla_timers WHERE fired_at IS NOT NULL "
            "ORDER BY fired_due_at"
        ).fetchall()
        history = db.execute("SELECT count(*) FROM ticket_history WHERE field = 'sla'").fetchone()
        messages = db.execute("SELECT count(*) FROM channel_messages WHERE type = 'sla'").fetchone()
    return [(level, at) for level, at in fired], history[0], messages[0]


async def test_escalation_due_while_down_fires_once_after_restart(cli: Cli) -> None:
    cli.run("migrate")
    admin = cli.run("token", "create", "--role", "admin", "--name", "ops").stdout.strip()
    server = cli.serve()
    try:
        api = f"{server.url}/api/v1"
        async with aiohttp.ClientSession() as session:
            always = {
                "name": "24/7",
                "timezone": "UTC",
                "weekly": {d: ["00:00-24:00"] for d in WEEK},
            }
            await call(session, "PUT", f"{api}/calendars/always", admin, always)
            await call(session, "POST", f"{api}/ticket-categories", admin, {"id": "t", "name": "t"})
            policy = {"name": "fast", "first_response": "4s", "calendar": "always"}
            await call(session, "PUT", f"{api}/sla-policies", admin, {"policies": [policy]})
            body = {"title": "断网", "category": "t", "channel": "phone", "handler": "a-1"}
            ticket = await call(session, "POST", f"{api}/tickets", admin, body)
            # Levels: warning at 3 s, breach at 4 s, escalate at 6 s of a 24/7 clock.
            server.kill()
            killed = time.time()
    finally:
        server.stop()
    due = [datetime.fromisoformat(lv["due_at"]) for lv in ticket["sla"]["clocks"][0]["levels"]]
    assert killed < due[0].timestamp(), "the server was killed only after the first level"
    assert firings(cli) == ([], 0, 0)

    await asyncio.sleep(max(0.0, due[-1].timestamp() + 0.5 - time.time()))
    server = cli.serve()
    try:
        deadline = time.monotonic() + 15
        while len(firings(cli)[0]) < 3 and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        fired, history, messages = firings(cli)
        async with aiohttp.ClientSession() as session:
            view = await call(
                session, "GET", f"{server.url}/api/v1/tickets/{ticket['number']}", admin
            )
    finally:
        server.kill()
    assert [level for level, _ in fired] == ["warning", "breach", "escalate"]
    assert (history, messages) == (3, 6)  # once each, to the floor and to the handler
    assert view["sla"]["state"] == "breached"
    assert all(lv["fired_at"] for lv in view["sla"]["clocks"][0]["levels"])

    server = cli.serve()  # a second restart: nothing is due any more
    try:
        await asyncio.sleep(1.5)
    finally:
        server.stop()
    assert firings(cli) == (fired, 3, 6)
