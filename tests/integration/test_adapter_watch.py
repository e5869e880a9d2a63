"""A phone system silent past its heartbeat is reported down on the supervisors' feed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aiohttp

from switchboard.adapter_watch import AdapterWatch
from tests.conftest import LiveServer, start_server
from tests.support.fake_ami import FakeAmi


async def next_of_type(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    while True:
        message = await ws.receive_json(timeout=10)
        if message["type"] == kind:
            return message


async def test_silent_asterisk_is_reported_down_then_up(settings_factory: Any) -> None:
    async with FakeAmi("answered") as ami:
        settings = settings_factory(
            adapter_watch_interval=0.05,
            asterisk={
                "host": ami.host,
                "port": ami.port,
                "username": ami.username,
                "secret": ami.secret,
                "connect_timeout": 2.0,
                "ping_interval": 0.1,
                "ping_timeout": 0.2,
                "reconnect_initial": 1.0,
                "reconnect_max": 1.0,
            },
        )
        app, server = await start_server(settings)
        try:
            async with aiohttp.ClientSession() as session:
                live = LiveServer(app, server, session, settings)
                supervisor = await live.token("supervisor", "floor-lead")
                headers = {"Authorization": f"Bearer {supervisor}"}
                async with session.ws_connect(live.ws_url(), headers=headers) as ws:
                    assert (await ws.receive_json(timeout=10))["type"] == "hello"
                    ami.answer_pings = False  # Asterisk hangs: the heartbeat goes unanswered
                    down = await next_of_type(ws, "telephony")
                    assert (down["adapter"], down["connected"]) == ("asterisk", False)
                    _status, health = await live.call("GET", "/healthz")
                    assert health["telephony"]["asterisk"]["connected"] is False
                    ami.answer_pings = True
                    up = await next_of_type(ws, "telephony")
                    assert (up["adapter"], up["connected"]) == ("asterisk", True)
                    assert up["id"] > down["id"]
        finally:
            await server.close()


def test_a_link_is_reported_on_change_and_when_first_seen_down() -> None:
    now = datetime(2026, 11, 22, tzinfo=UTC)
    watch = AdapterWatch()
    up = {"asterisk": {"connected": True, "last_error": None}}
    down = {"asterisk": {"connected": False, "last_error": "no Pong within 10 s"}}
    assert watch.changes(up, now) == []
    assert [b["connected"] for b in watch.changes(down, now)] == [False]
    assert watch.changes(down, now) == []
    assert [b["connected"] for b in watch.changes(up, now)] == [True]
    fresh = AdapterWatch()
    assert fresh.changes(down, now)[0]["last_error"] == "no Pong within 10 s"
