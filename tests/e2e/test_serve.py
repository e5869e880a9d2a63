"""``switchboard serve`` as a child process: a ring posted over HTTP pops on a websocket,
and SIGKILL right after acknowledgements loses none of them."""

from __future__ import annotations

import asyncio
import sqlite3

import aiohttp

from tests.e2e.conftest import Cli, ServerProcess


async def make_agent(session: aiohttp.ClientSession, url: str, admin: str) -> None:
    async with session.post(
        f"{url}/api/v1/agents",
        headers={"Authorization": f"Bearer {admin}"},
        json={"id": "a-1001", "name": "王小明", "extension": "1001"},
    ) as resp:
        assert resp.status == 201


async def test_ring_over_http_pops_on_the_websocket(cli: Cli, server: ServerProcess) -> None:
    admin = cli.run("token", "create", "--role", "admin", "--name", "ops").stdout.strip()
    cti = cli.run("token", "create", "--role", "cti", "--name", "pbx1").stdout.strip()
    async with aiohttp.ClientSession() as session:
        await make_agent(session, server.url, admin)
        agent = cli.run(
            "token", "create", "--role", "agent", "--name", "w", "--agent", "a-1001"
        ).stdout.strip()
        customer = {"kind": "individual", "name": "张伟", "phones": ["13812345678"]}
        async with session.post(
            f"{server.url}/api/v1/customers",
            json=customer,
            headers={"Authorization": f"Bearer {admin}"},
        ) as resp:
            assert resp.status == 201
        ws_url = server.url.replace("http", "ws") + "/api/v1/ws"
        async with session.ws_connect(ws_url, headers={"Authorization": f"Bearer {agent}"}) as ws:
            assert (await ws.receive_json())["type"] == "hello"
            event = {
                "event_id": "pbx1-000123",
                "call_id": "c-77",
                "type": "ringing",
                "from": "+86 138 1234 5678",
                "to": "4008001234",
                "agent": "1001",
            }
            async with session.post(
                f"{server.url}/api/v1/cti/events",
                json=event,
                headers={"Authorization": f"Bearer {cti}"},
            ) as resp:
                assert resp.status == 200
                ack = await resp.json()
            async with asyncio.timeout(5):
                while (pop := await ws.receive_json())["type"] != "screen_pop":
                    pass
    assert ack["event_id"] == "pbx1-000123"
    assert pop["call_id"] == "c-77"
    assert pop["customer"]["name"] == "张伟"


async def test_sigkill_after_acknowledgement_loses_nothing(cli: Cli, server: ServerProcess) -> None:
    cti = cli.run("token", "create", "--role", "cti", "--name", "pbx1").stdout.strip()
    acked: list[str] = []
    killed = asyncio.Event()

    async def post(session: aiohttp.ClientSession, n: int) -> None:
        event = {
            "event_id": f"k-{n}",
            "call_id": f"c-{n % 50}",
            "type": "ringing",
            "from": f"1381234{n:04d}",
        }
        try:
            async with session.post(
                f"{server.url}/api/v1/cti/events",
                json=event,
                headers={"Authorization": f"Bearer {cti}"},
            ) as resp:
                if resp.status == 200:
                    body = await resp.json()
                    acked.append(body["event_id"])
                    if len(acked) == 150 and not killed.is_set():
                        server.kill()  # the very moment the 150th acknowledgement arrives
                        killed.set()
        except (TimeoutError, aiohttp.ClientError):
            pass  # posts in flight when the server died: never acknowledged

    connector = aiohttp.TCPConnector(limit=40)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(post(session, n) for n in range(2000)))
    assert killed.is_set()
    assert server.process.returncode == -9
    with sqlite3.connect(cli.data_dir / "switchboard.db") as db:
        stored = {row[0] for row in db.execute("SELECT event_id FROM cti_events")}
    assert len(acked) >= 150
    missing = set(acked) - stored
    assert not missing, f"{len(missing)} acknowledged events lost"
    # The lock died with the process: a new server starts on the same data dir.
    again = cli.serve()
    try:
        async with aiohttp.ClientSession() as session, session.get(f"{again.url}/healthz") as resp:
            assert resp.status == 200
    finally:
        again.stop()
