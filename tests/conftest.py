"""Shared fixtures: settings on a temporary data dir, both database backends, a live server.

PostgreSQL runs when ``SWITCHBOARD_TEST_PG_URL`` is set (CI sets it); each test gets a schema of
its own, dropped afterwards. Unset, the PostgreSQL cases skip and say why. Set but not
answering, they fail: a CI that asked for PostgreSQL must not go green without it.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from switchboard.app import create_app
from switchboard.core.clock import Clock
from switchboard.core.settings import Settings

PG_URL = os.environ.get("SWITCHBOARD_TEST_PG_URL", "")
BACKENDS = ["sqlite", "postgresql"]


def _pg_async_url() -> str:
    url = PG_URL
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url[len("postgresql://") :]
    return url


async def _pg_exec(sql: str) -> None:
    import asyncpg

    dsn = _pg_async_url().replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgresql" and not PG_URL:
        pytest.skip(
            "PostgreSQL case: set SWITCHBOARD_TEST_PG_URL "
            "(e.g. postgresql://postgres@127.0.0.1:5432/test) to run it"
        )
    return name


@pytest.fixture
def settings_factory(tmp_path: Path, backend: str) -> Iterator[Any]:
    """Make settings on this test's data dir and backend; PostgreSQL schemas dropped at the end."""
    schemas: list[str] = []

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"data_dir": tmp_path / "var", "port": 0}
        if backend == "postgresql":
            schema = f"t_{uuid.uuid4().hex[:12]}"
            schemas.append(schema)
            values.update(database_url=_pg_async_url(), database_schema=schema)
        values.update(overrides)
        return Settings(**values)

    yield make
    for schema in schemas:
        asyncio.run(_pg_exec(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture
def settings(settings_factory: Any) -> Settings:
    return settings_factory()  # type: ignore[no-any-return]


@dataclass
class LiveServer:
    """A real server on a loopback port, with helpers to make tokens and call it."""

    app: web.Application
    server: TestServer
    session: aiohttp.ClientSession
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    def ws_url(self, since: int | None = None) -> str:
        base = self.url.replace("http://", "ws://") + "/api/v1/ws"
        return base if since is None else f"{base}?since={since}"

    async def token(self, role: str, name: str, agent: str | None = None) -> str:
        from switchboard.core.http import CLOCK, DATABASE
        from switchboard.tokens import create_token

        now = self.app[CLOCK].now()
        issued = await self.app[DATABASE].writer.run(
            lambda c: create_token(c, role=role, name=name, agent_id=agent, now=now)
        )
        return issued.secret

    async def call(
        self, method: str, path: str, token: str | None = None, **kwargs: Any
    ) -> tuple[int, Any]:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with self.session.request(method, self.url + path, headers=headers, **kwargs) as resp:
            text = await resp.text()
            try:
                import json

                return resp.status, json.loads(text)
            except ValueError:
                return resp.status, text


async def start_server(
    settings: Settings, clock: Clock | None = None
) -> tuple[web.Application, TestServer]:
    from switchboard.migrate import upgrade

    await upgrade(settings)
    app = create_app(settings, clock=clock)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    return app, server


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    app, server = await start_server(settings)
    async with aiohttp.ClientSession() as session:
        yield LiveServer(app, server, session, settings)
    await server.close()


@pytest.fixture
async def admin(live: LiveServer) -> str:
    return await live.token("admin", "test-admin")


@pytest.fixture
async def cti(live: LiveServer) -> str:
    return await live.token("cti", "pbx1")
