"""Customers API, OpenAPI completeness, health and metrics, start-up refusals."""

from __future__ import annotations

import pytest
from aiohttp import web
from sqlalchemy import func, select

from customers.store import contacts_t, customers_t, phones_t
from switchboard.app import create_app
from switchboard.core.db import Database
from switchboard.core.http import DATABASE, endpoint_of
from switchboard.core.settings import Settings
from switchboard.datadir import DataDirBusy, DataDirLock
from switchboard.migrate import SchemaBehind, check_current
from tests.conftest import LiveServer


async def count(live: LiveServer, table: object) -> int:
    async with live.app[DATABASE].engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


async def test_enterprise_with_contacts_and_switchboard(live: LiveServer, admin: str) -> None:
    body = {
        "kind": "enterprise",
        "name": "深圳市腾达科技有限公司",
        "external_id": "E-1",
        "phones": [{"number": "0755-8888 6666", "type": "switchboard"}],
        "contacts": [
            {
                "name": "王芳",
                "title": "采购经理",
                "phones": [{"number": "(0755) 8888-6666", "ext": "801"}],
            },
            {"name": "Peter Chan", "phones": ["+852 2123 4567"], "emails": ["peter@tengda.cn"]},
        ],
    }
    status, created = await live.call("POST", "/api/v1/customers", admin, json=body)
    assert status == 201
    status, view = await live.call("GET", f"/api/v1/customers/{created['id']}/360", admin)
    assert status == 200
    assert view["profile"]["name"] == "深圳市腾达科技有限公司"
    assert [c["name"] for c in view["contacts"]] == ["王芳", "Peter Chan"]
    assert view["phones"][0]["e164"] == "+8675588886666"
    status, found = await live.call("GET", "/api/v1/customers/lookup?phone=075588886666", admin)
    assert found["status"] == "several"
    assert {c["contact_id"] is None for c in found["candidates"]} == {True, False}
    status, found = await live.call(
        "GET", "/api/v1/customers/lookup", admin, params={"phone": "0755 8888 6666 ext 801"}
    )
    assert found["status"] == "known"
    assert found["candidates"][0]["name"] == "王芳"
    status, again = await live.call("POST", "/api/v1/customers", admin, json=body)
    assert status == 409
    assert again["error"]["field"] == "external_id"
    assert again["error"]["id"] == created["id"]


async def test_bad_customer_stores_nothing(live: LiveServer, admin: str) -> None:
    body = {
        "kind": "enterprise",
        "name": "Acme",
        "contacts": [{"name": "A", "phones": ["13812345678"]}, {"name": "B", "phones": ["12"]}],
    }
    status, error = await live.call("POST", "/api/v1/customers", admin, json=body)
    assert status == 400
    assert error["error"]["field"] == "contacts.1.phones.0.number"
    status, error = await live.call(
        "POST",
        "/api/v1/customers",
        admin,
        json={"kind": "individual", "name": "X", "emails": ["nope"]},
    )
    assert (status, error["error"]["field"]) == (400, "emails")
    status, error = await live.call(
        "POST", "/api/v1/customers", admin, json={"kind": "person", "name": "X"}
    )
    assert (status, error["error"]["field"]) == (400, "kind")
    for table in (customers_t, contacts_t, phones_t):
        assert await count(live, table) == 0


async def test_lookup_errors_and_withheld(live: LiveServer, admin: str) -> None:
    status, body = await live.call("GET", "/api/v1/customers/lookup", admin)
    assert (status, body["error"]["field"]) == (400, "phone")
    status, body = await live.call("GET", "/api/v1/customers/lookup?phone=anonymous", admin)
    assert (status, body["status"]) == (200, "withheld")
    status, body = await live.call("GET", "/api/v1/customers/lookup?phone=hello", admin)
    assert (status, body["status"], body["e164"]) == (200, "unknown", None)
    status, body = await live.call("GET", "/api/v1/customers/abc/360", admin)
    assert (status, body["error"]["field"]) == (400, "id")
    status, body = await live.call("GET", "/api/v1/customers/999/360", admin)
    assert status == 404


async def test_agent_errors(live: LiveServer, admin: str) -> None:
    agent = {"id": "a-1", "name": "李雷", "extension": "1001", "skills": {"billing": 3}}
    assert (await live.call("POST", "/api/v1/agents", admin, json=agent))[0] == 201
    status, body = await live.call("POST", "/api/v1/agents", admin, json=agent)
    assert (status, body["error"]["field"]) == (409, "id")
    status, body = await live.call("POST", "/api/v1/agents", admin, json={**agent, "id": "a-2"})
    assert (status, body["error"]["field"]) == (409, "extension")
    status, body = await live.call(
        "POST", "/api/v1/agents", admin, json={"id": "a-3", "name": "x", "skills": {"billing": 9}}
    )
    assert (status, body["error"]["field"]) == (400, "skills")
    cti = await live.token("cti", "pbx")
    status, _ = await live.call("POST", "/api/v1/agents", cti, json={"id": "a-4", "name": "x"})
    assert status == 403


async def test_every_route_is_declared_and_described(live: LiveServer) -> None:
    status, spec = await live.call("GET", "/api/v1/openapi.json")
    assert status == 200
    assert spec["openapi"].startswith("3.")
    for route in live.app.router.routes():
        if route.method == "HEAD":
            continue
        assert endpoint_of(route.handler) is not None, f"{route.method} {route.resource} undeclared"
        path = route.resource.get_info().get("path") or route.resource.get_info()["formatter"]
        assert route.method.lower() in spec["paths"][path], f"{route.method} {path} not in spec"
    post = spec["paths"]["/api/v1/cti/events"]["post"]
    assert post["x-roles"] == ["cti"]
    schema_name = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/")[
        -1
    ]
    assert "from" in spec["components"]["schemas"][schema_name]["properties"]


async def test_health_and_metrics(live: LiveServer, cti: str) -> None:
    status, body = await live.call("GET", "/healthz")
    assert (status, body["status"], body["database"]) == (200, "ok", "ok")
    await live.call(
        "POST", "/api/v1/cti/events", cti, json={"event_id": "1", "call_id": "c", "type": "ringing"}
    )
    status, text = await live.call("GET", "/metrics")
    assert status == 200
    assert (
        'switchboard_http_requests_total{method="POST",route="/api/v1/cti/events",status="200"} 1.0'
        in text
    )
    assert "switchboard_writer_operations" in text


async def test_unknown_path_and_method_are_json(live: LiveServer) -> None:
    status, body = await live.call("GET", "/api/v1/nothing-here")
    assert (status, body["error"]["code"]) == (404, "not_found")
    status, body = await live.call("DELETE", "/api/v1/cti/events")
    assert (status, body["error"]["code"]) == (405, "method_not_allowed")


async def test_server_refuses_a_schema_that_is_behind(settings: Settings) -> None:
    database = Database(settings)
    try:
        async with database.engine.connect() as conn:
            with pytest.raises(SchemaBehind, match="switchboard migrate"):
                await check_current(conn)
    finally:
        await database.close()
    runner = web.AppRunner(create_app(settings))
    with pytest.raises(SchemaBehind, match="run `switchboard migrate`"):
        await runner.setup()
    await runner.cleanup()


def test_second_server_on_one_data_dir_is_refused(tmp_path: object) -> None:
    from pathlib import Path

    first = DataDirLock(Path(str(tmp_path)))
    first.acquire()
    try:
        with pytest.raises(DataDirBusy, match="another switchboard server"):
            DataDirLock(Path(str(tmp_path))).acquire()
    finally:
        first.release()
    DataDirLock(Path(str(tmp_path))).acquire()
