"""Several servers on one PostgreSQL database: only the routing leader dials. Two dialers
would call the same leads and hand the same agents two calls at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from routing.outbound.dialer import DIALER
from routing.service import ROUTING, TELEPHONY
from switchboard.app import create_app
from switchboard.core.clock import ManualClock
from switchboard.core.http import DATABASE
from switchboard.core.settings import Settings
from switchboard.migrate import upgrade
from tests.conftest import LiveServer
from tests.integration.test_outbound_campaigns import START, FakePhone, lead, setup
from tests.integration.test_routing_leader import until


async def node(settings: Settings) -> tuple[Any, TestServer, FakePhone]:
    await upgrade(settings)
    app = create_app(settings, clock=ManualClock(START))
    phone = FakePhone()
    app[TELEPHONY] = phone
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    return app, server, phone


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite has one process
async def test_only_the_routing_leader_dials(
    settings_factory: Callable[..., Settings], tmp_path: Path
) -> None:
    first = settings_factory()
    app1, server1, phone1 = await node(first)
    servers = [server1]
    try:
        async with aiohttp.ClientSession() as session:
            live = LiveServer(app1, server1, session, first)
            rows = [lead(f"p-{n}", f"1390000050{n}", 90 - n) for n in range(1, 5)]
            admin = await setup(live, ["a-1", "a-2"], rows)
            campaign = {"id": "c1", "name": "续约", "mode": "progressive", "agents": ["a-1", "a-2"]}
            status, body = await live.call("POST", "/api/v1/campaigns", admin, json=campaign)
            assert status == 201, body
            await until(lambda: len(phone1.originated) == 2)  # one line per free agent

            # A second server starts on the same database and loads the active campaign.
            second = first.model_copy(update={"data_dir": tmp_path / "var2"})
            app2, server2, phone2 = await node(second)
            servers.append(server2)
            assert (app1[ROUTING].leading, app2[ROUTING].leading) == (True, False)
            assert "c1" in app2[DIALER].runs
            rounds = app2[DIALER].rounds
            await until(lambda: app2[DIALER].rounds >= rounds + 3)  # three seconds of its loop
            assert phone2.originated == []  # the agents hold node 1's calls: nothing more
            assert len(phone1.originated) == 2
            count = await app1[DATABASE].read(
                lambda c: c.exec_driver_sql("SELECT count(*) FROM campaign_calls").scalar_one()
            )
            assert count == 2
    finally:
        for server in reversed(servers):
            await server.close()
