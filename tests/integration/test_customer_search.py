"""Search as the agent types, and quick-create of an unknown caller, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, delete

from customers import search, search_keys, service, store
from customers.schemas import CustomerIn
from switchboard.schema import metadata
from tests.conftest import LiveServer

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

PEOPLE: list[dict[str, Any]] = [
    {"kind": "individual", "name": "张伟", "phones": ["13812345678"], "emails": ["zw@example.cn"]},
    {"kind": "individual", "name": "张薇", "phones": ["13912340000"]},
    {"kind": "individual", "name": "王芳", "phones": ["13700001111"]},
    {"kind": "individual", "name": "John Smith", "phones": ["+1 415 555 0100"]},
    {"kind": "individual", "name": "Jane Smithers", "emails": ["jane@smithers.co.uk"]},
    {
        "kind": "enterprise",
        "name": "深圳市华强电子有限公司",
        "short_name": "华强电子",
        "phones": ["0755-8888 1234"],
        "contacts": [{"name": "李娜", "emails": ["li.na@huaqiang.com"]}],
    },
]

# (what the agent typed, the name expected first, what matched)
CASES = [
    ("张伟", "张伟", "name"),
    ("zhangwei", "张伟", "pinyin"),
    ("Zhang Wei", "张伟", "pinyin"),
    ("zw", "张伟", "initials"),
    ("zhnagwei", "张伟", "typo"),  # two letters swapped
    ("zhangwie", "张伟", "typo"),
    ("wangfang", "王芳", "pinyin"),
    ("wnagfang", "王芳", "typo"),
    ("芳", "王芳", "name"),
    ("john", "John Smith", "name"),
    ("smith", "John Smith", "name"),
    ("jonh smith", "John Smith", "name"),
    ("smithers", "Jane Smithers", "name"),
    ("华强", "深圳市华强电子有限公司", "company"),
    ("huaqiang", "深圳市华强电子有限公司", "pinyin"),
    ("李娜", "李娜", "name"),
    ("lina", "李娜", "pinyin"),
    ("5678", "张伟", "phone"),  # the tail of a number
    ("2345", "张伟", "phone"),  # the middle of a number
    ("1234", "深圳市华强电子有限公司", "phone"),  # its whole tail beats another's middle
    ("138 1234", "张伟", "phone"),
    ("+86 138-1234-5678", "张伟", "phone"),
    ("0755 8888", "深圳市华强电子有限公司", "phone"),
    ("415-555", "John Smith", "phone"),
    ("li.na@", "李娜", "email"),
    ("huaqiang.com", "李娜", "email"),
    ("ＺＨＡＮＧＷＥＩ", "张伟", "pinyin"),  # full-width letters
]


def load(conn: Connection) -> None:
    for data in PEOPLE:
        row = CustomerIn.model_validate(data)
        service.create_customer(conn, row, service.prepare(row, "CN"), NOW)


@pytest.fixture(scope="module")
def conn() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as connection:
        load(connection)
        yield connection
    engine.dispose()


@pytest.mark.parametrize(("query", "name", "matched"), CASES)
def test_search(conn: Connection, query: str, name: str, matched: str) -> None:
    results = search.search(conn, query, 5)
    assert results, query
    assert (results[0]["name"], results[0]["matched"]) == (name, matched), results


@pytest.mark.parametrize("query", ["", "   ", "--", "qqqqqq", "0000000"])
def test_nothing_found(conn: Connection, query: str) -> None:
    assert search.search(conn, query, 5) == []


def test_a_prefix_finds_everyone_it_begins(conn: Connection) -> None:
    names = [r["name"] for r in search.search(conn, "zhang", 10)]
    assert sorted(names[:2]) == ["张伟", "张薇"]


def test_a_homophone_finds_the_name_by_its_pinyin(conn: Connection) -> None:
    results = search.search(conn, "张为", 5)  # 为 sounds as 伟 and 薇: wei
    assert {r["name"] for r in results[:2]} == {"张伟", "张薇"}
    assert {r["matched"] for r in results[:2]} == {"pinyin"}


def test_limit_is_kept(conn: Connection) -> None:
    assert len(search.search(conn, "1", 2)) <= 2
    assert len(search.search(conn, "13", 2)) == 2


def test_rebuild_writes_the_same_keys(conn: Connection) -> None:
    before = search.count_keys(conn)
    conn.execute(delete(store.search_keys_t))
    assert search.search(conn, "zhangwei", 5) == []
    assert search_keys.rebuild(conn) == before
    assert search.search(conn, "zhangwei", 5)[0]["name"] == "张伟"


async def test_search_and_quick_create_over_http(live: LiveServer, admin: str) -> None:
    for data in PEOPLE:
        status, body = await live.call("POST", "/api/v1/customers", admin, json=data)
        assert status == 201, body
    failures = []
    for query, name, matched in CASES:
        status, body = await live.call(
            "GET", "/api/v1/customers/search", admin, params={"q": query, "limit": "5"}
        )
        assert status == 200, body
        top = body["results"][0] if body["results"] else {}
        if (top.get("name"), top.get("matched")) != (name, matched):
            failures.append((query, body["results"][:2]))
    assert failures == []

    # The unknown caller: made a customer in one call, then found by lookup and search.
    number = "+86 135 0000 4321"
    status, body = await live.call(
        "GET", "/api/v1/customers/lookup", admin, params={"phone": number}
    )
    assert body["status"] == "unknown"
    status, made = await live.call(
        "POST", "/api/v1/customers/quick", admin, json={"number": number, "name": "赵雷"}
    )
    assert (status, made["created"], made["name"]) == (201, True, "赵雷")
    status, body = await live.call(
        "GET", "/api/v1/customers/lookup", admin, params={"phone": "13500004321"}
    )
    assert (body["status"], body["candidates"][0]["customer_id"]) == ("known", made["id"])
    status, body = await live.call(
        "GET", "/api/v1/customers/search", admin, params={"q": "zhaolei"}
    )
    assert body["results"][0]["customer_id"] == made["id"]

    # A second agent (or a double click) within the window gets the same customer.
    status, again = await live.call(
        "POST", "/api/v1/customers/quick", admin, json={"number": "135-0000-4321"}
    )
    assert (status, again["created"], again["id"]) == (200, False, made["id"])


async def test_quick_create_is_idempotent_on_the_request_id(
    settings_factory: Any,
) -> None:
    import aiohttp

    from tests.conftest import start_server

    settings = settings_factory(phone={"quick_create_window_s": 0})
    app, server = await start_server(settings)
    async with aiohttp.ClientSession() as session:
        live = LiveServer(app, server, session, settings)
        agent = await live.token("supervisor", "sup")
        body = {"number": "13600001234", "request_id": "req-1"}
        first = await live.call("POST", "/api/v1/customers/quick", agent, json=body)
        second = await live.call("POST", "/api/v1/customers/quick", agent, json=body)
        assert first[0] == 201
        assert second[0] == 200
        assert first[1]["id"] == second[1]["id"]
        assert first[1]["name"] == "+86 136 0000 1234"  # no name said: the number stands in
        # Without the window and with a new request id, the same number is a new customer.
        third = await live.call(
            "POST", "/api/v1/customers/quick", agent, json={**body, "request_id": "req-2"}
        )
        assert third[0] == 201
        assert third[1]["id"] != first[1]["id"]
        _status, lookup = await live.call(
            "GET", "/api/v1/customers/lookup", agent, params={"phone": "13600001234"}
        )
        assert lookup["status"] == "several"
    await server.close()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"number": "anonymous"}, "number"),
        ({"number": "12"}, "number"),
        ({"number": "13600001234", "ext": "abc"}, "ext"),
        ({}, "number"),
    ],
)
async def test_quick_create_refuses_what_is_not_a_number(
    live: LiveServer, admin: str, body: dict[str, Any], field: str
) -> None:
    status, answer = await live.call("POST", "/api/v1/customers/quick", admin, json=body)
    assert status == 400
    assert answer["error"]["field"] == field


async def test_search_needs_q(live: LiveServer, admin: str) -> None:
    status, answer = await live.call("GET", "/api/v1/customers/search", admin)
    assert (status, answer["error"]["field"]) == (400, "q")
    status, answer = await live.call(
        "GET", "/api/v1/customers/search", admin, params={"q": "x", "limit": "500"}
    )
    assert (status, answer["error"]["field"]) == (400, "limit")


async def test_migration_0007_writes_keys_of_customers_stored_before(settings: Any) -> None:
    """Customers stored before the search keys existed are found once the schema is upgraded."""
    from sqlalchemy import text

    from switchboard.core.db import make_engine
    from switchboard.migrate import alembic_config, upgrade

    def to_0004(sync_conn: Any) -> None:
        from alembic import command

        config = alembic_config(settings)
        config.attributes["connection"] = sync_conn
        command.upgrade(config, "0004")

    engine = make_engine(settings, for_writer=True)
    try:
        async with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                await conn.exec_driver_sql(
                    f'CREATE SCHEMA IF NOT EXISTS "{settings.database_schema}"'
                )
                await conn.commit()
        async with engine.begin() as conn:
            await conn.run_sync(to_0004)
            await conn.execute(
                text(
                    "INSERT INTO customers (id, kind, name, tags, created_at, updated_at) "
                    "VALUES (1, 'individual', '王芳', '[]', :now, :now)"
                ),
                {"now": NOW},
            )
            await conn.execute(
                text(
                    "INSERT INTO contacts (id, customer_id, name, is_primary) "
                    "VALUES (1, 1, '王芳', true)"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO phone_numbers (customer_id, contact_id, raw, e164, type) "
                    "VALUES (1, 1, '13700001111', '+8613700001111', 'mobile')"
                )
            )
    finally:
        await engine.dispose()
    before, _ = await upgrade(settings)
    assert before == "0004"
    engine = make_engine(settings)
    try:
        async with engine.connect() as conn:
            found = await conn.run_sync(lambda c: search.search(c, "wangfang", 5))
            by_number = await conn.run_sync(lambda c: search.search(c, "0000 1111", 5))
    finally:
        await engine.dispose()
    assert [r["name"] for r in found] == ["王芳"]
    assert [r["customer_id"] for r in by_number] == [1]
