"""The server connects to the phone systems it is configured for, and their calls land."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from routing.store import calls_t
from switchboard.core.http import DATABASE
from switchboard.core.settings import ConfigError, Settings
from tests.conftest import LiveServer, start_server
from tests.support.fake_ami import FakeAmi
from tests.support.fake_esl import FakeEslServer, load_session

FAST = {"connect_timeout": 2.0}


async def wait_for(predicate: Callable[[], Any], within: float = 10.0) -> None:
    async with asyncio.timeout(within):
        # Polling the database: there is no event to wait on.
        while not await predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def answered_call(live: LiveServer, source: str) -> Any:
    async def ended() -> bool:
        async with live.app[DATABASE].engine.connect() as conn:
            row = (await conn.execute(select(calls_t).where(calls_t.c.source == source))).first()
        return row is not None and row.state == "ended"

    await wait_for(ended)
    async with live.app[DATABASE].engine.connect() as conn:
        return (await conn.execute(select(calls_t).where(calls_t.c.source == source))).one()


async def seed_agent(settings: Settings) -> None:
    """The agent must exist before the server starts: the adapter connects at start-up."""
    from routing.agents import create_agent
    from routing.schemas import AgentIn
    from switchboard.core.clock import SystemClock
    from switchboard.core.db import Database
    from switchboard.migrate import upgrade

    await upgrade(settings)
    database = Database(settings)
    agent = AgentIn(id="a-1001", name="王小明", extension="1001")
    try:
        await database.writer.run(lambda c: create_agent(c, agent, SystemClock().now()))
    finally:
        await database.close()


async def test_asterisk_configured_server_records_its_calls(settings_factory: Any) -> None:
    async with FakeAmi("answered") as ami:
        settings = settings_factory(
            asterisk={
                "host": ami.host,
                "port": ami.port,
                "username": ami.username,
                "secret": ami.secret,
                **FAST,
            }
        )
        await seed_agent(settings)
        app, server = await start_server(settings)
        try:
            async with aiohttp.ClientSession() as session:
                live = LiveServer(app, server, session, settings)
                call = await answered_call(live, "asterisk")
                assert call.agent_id == "a-1001"
                _status, health = await live.call("GET", "/healthz")
                assert health["telephony"]["asterisk"]["connected"] is True
        finally:
            await server.close()


async def test_freeswitch_configured_server_records_its_calls(settings_factory: Any) -> None:
    esl = FakeEslServer(load_session("answered"), password="ClueCon")
    await esl.start()
    try:
        settings = settings_factory(
            freeswitch={
                "host": "127.0.0.1",
                "port": esl.port,
                "password": "ClueCon",
                **FAST,
            }
        )
        await seed_agent(settings)
        app, server = await start_server(settings)
        try:
            async with aiohttp.ClientSession() as session:
                live = LiveServer(app, server, session, settings)
                call = await answered_call(live, "freeswitch")
                assert call.agent_id == "a-1001"
        finally:
            await server.close()
    finally:
        await esl.close()


def test_bad_adapter_settings_name_the_field_before_anything_starts(
    settings_factory: Any,
) -> None:
    from switchboard.app import create_app

    with pytest.raises(ConfigError, match=r"asterisk\.(secret|port)"):
        create_app(settings_factory(asterisk={"username": "sb", "port": "not-a-port"}))
    with pytest.raises(ConfigError, match=r"freeswitch\.port"):
        create_app(settings_factory(freeswitch={"password": "x", "port": 0}))
