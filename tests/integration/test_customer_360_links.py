"""The 360 view over HTTP with the rest of the server: open service requests through the port
the composition root binds, saved segments with live counts, bad input named. Both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from switchboard.core.settings import Settings
from tests.conftest import LiveServer, start_server


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[tuple[LiveServer, str]]:
    app, server = await start_server(settings)
    async with aiohttp.ClientSession() as session:
        live = LiveServer(app, server, session, settings)
        yield live, await live.token("admin", "ops")
    await server.close()


async def test_open_requests_show_on_the_360(desk: tuple[LiveServer, str]) -> None:
    live, admin = desk
    for category in (
        {"id": "complaint", "name": "投诉"},
        {"id": "service-complaint", "name": "服务投诉", "parent": "complaint"},
        {"id": "billing", "name": "账单"},
    ):
        status, answer = await live.call("POST", "/api/v1/ticket-categories", admin, json=category)
        assert status == 201, answer
    status, made = await live.call(
        "POST",
        "/api/v1/customers",
        admin,
        json={"kind": "individual", "name": "王芳", "phones": ["13812345678"]},
    )
    assert status == 201
    cid = made["id"]
    opened = []
    for title, category in (("营业厅态度差", "service-complaint"), ("账单疑问", "billing")):
        body = {"title": title, "category": category, "channel": "phone", "customer_id": cid}
        status, ticket = await live.call("POST", "/api/v1/tickets", admin, json=body)
        assert status == 201, ticket
        opened.append(ticket)
    status, view = await live.call("GET", f"/api/v1/customers/{cid}/360", admin)
    assert status == 200
    tickets = {t["number"]: t for t in view["open_tickets"]}
    assert set(tickets) == {t["number"] for t in opened}
    by_title = {t["title"]: t for t in view["open_tickets"]}
    assert by_title["营业厅态度差"]["complaint"] is True
    assert by_title["账单疑问"]["complaint"] is False
    assert view["value"]["rfm"] is None  # never refreshed: said, not invented
    assert "segments refresh" in view["value"]["note"]


async def test_segments_api(desk: tuple[LiveServer, str]) -> None:
    live, admin = desk
    for name, city in (("甲", "深圳市"), ("乙", "广州市")):
        body = {"kind": "individual", "name": name, "city": city, "tags": []}
        assert (await live.call("POST", "/api/v1/customers", admin, json=body))[0] == 201
    rule = {"all": [{"field": "city", "op": "eq", "value": "深圳市"}]}
    status, made = await live.call(
        "POST", "/api/v1/segments", admin, json={"name": "深圳", "rule": rule}
    )
    assert status == 201
    assert made["member_count"] == 1
    body = {"kind": "individual", "name": "丙", "city": "深圳市"}
    assert (await live.call("POST", "/api/v1/customers", admin, json=body))[0] == 201
    status, listing = await live.call("GET", "/api/v1/segments", admin)
    assert listing["segments"][0]["member_count"] == 2  # live, not as of saving
    status, error = await live.call(
        "POST",
        "/api/v1/segments",
        admin,
        json={"name": "x", "rule": {"all": [{"field": "password", "value": "1"}]}},
    )
    assert status == 400
    assert error["error"]["field"] == "rule.all.0.field"
    status, error = await live.call(
        "POST", "/api/v1/segments", admin, json={"name": "深圳", "rule": rule}
    )
    assert status == 409
    status, _ = await live.call("GET", "/api/v1/customers/abc/360", admin)
    assert status == 400
