"""The 360 view and ``segments refresh`` on a real database, both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from customers import records, segments, service
from customers.records import OrderIn
from customers.refresh import ValueParameters, refresh
from customers.schemas import CustomerIn
from customers.store import contacts_t, customers_t
from customers.value_store import values_t
from switchboard.core.clock import ManualClock
from switchboard.core.settings import Settings, ValueSettings
from tests.conftest import LiveServer, start_server

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PRODUCTS = [
    {"sku": "PHONE", "name": "5G 手机", "category": "device", "price": Decimal("3999")},
    {"sku": "CASE", "name": "手机壳", "category": "accessory", "price": Decimal("99")},
    {"sku": "PLAN", "name": "5G 套餐", "category": "plan", "price": Decimal("199")},
    {"sku": "BUDS", "name": "蓝牙耳机", "category": "accessory", "price": Decimal("599")},
]
PARAMS = ValueParameters.from_settings(ValueSettings(rules_min_count=2, rules_min_support=0.1))


def _customer(conn: Connection, name: str, phone: str) -> int:
    data = CustomerIn(kind="individual", name=name, phones=[phone])
    return service.create_customer(conn, data, service.prepare(data, "CN"), NOW)


def build_base(conn: Connection) -> dict[str, int]:
    """Ten buyers: PHONE buyers mostly also bought CASE; one big spender; one silent one."""
    ids = {f"c{i}": _customer(conn, f"客户{i}", f"1380000{i:04d}") for i in range(10)}
    skus = records.upsert_products(conn, PRODUCTS)
    orders = []
    for i in range(9):
        cid = ids[f"c{i}"]
        basket = (
            [("PHONE", 1, Decimal("3999")), ("CASE", 1, Decimal("99"))]
            if i < 6
            else [("PLAN", 1, Decimal("199"))]
        )
        for n in range(i % 3 + 1):
            orders.append(
                OrderIn(cid, f"O-{i}-{n}", NOW - timedelta(days=30 * (n + 1) + i), basket)
            )
    # c0 spends most: ten phones
    orders.append(
        OrderIn(ids["c0"], "O-big", NOW - timedelta(days=2), [("PHONE", 10, Decimal("3999"))])
    )
    # c9 bought the plan three times long ago, at a steady 30-day rhythm, then nothing
    for n in range(3):
        orders.append(
            OrderIn(
                ids["c9"],
                f"O-old-{n}",
                NOW - timedelta(days=400 + 30 * n),
                [("PLAN", 1, Decimal("199"))],
            )
        )
    records.add_orders(conn, orders, skus)
    return ids


async def test_refresh_scores_and_the_360_view(settings: Settings) -> None:
    clock = ManualClock(NOW)
    app, server = await start_server(settings, clock=clock)
    import aiohttp

    from switchboard.core.http import DATABASE

    try:
        db = app[DATABASE]
        ids = await db.writer.run(build_base)
        c0, c7 = ids["c0"], ids["c7"]

        def extras(conn: Connection) -> None:
            records.set_profile(
                conn,
                c0,
                NOW,
                credit_limit=Decimal("5000"),
                credit_balance=Decimal("1200.5"),
                source_channel="mini-program",
                owner="a-1001",
                do_not_call=True,
                do_not_call_at=NOW,
                do_not_call_source="call c-1",
            )
            records.set_consent(conn, c0, "sms", False, NOW, "call c-1")
            records.apply_tag(conn, c0, "interest", "5G", NOW)
            records.apply_tag(conn, c0, "interest", "5G", NOW)
            records.add_to_group(conn, c0, "VIP")
            contact = conn.scalar(select(contacts_t.c.id).where(contacts_t.c.customer_id == c0))
            records.set_contact_details(conn, contact, department="采购部", role="decision maker")
            records.add_addresses(
                conn,
                [
                    {
                        "customer_id": c0,
                        "kind": "home",
                        "province": "广东省",
                        "city": "深圳市",
                        "district": "南山区",
                        "street": "科技园路 1 号",
                        "is_primary": True,
                    }
                ],
            )
            records.add_channel_id(conn, c0, "wechat_openid", "o6_bmjrPTlm6_2sgVt7hMZOPfL2M")
            records.add_to_group(conn, c0, "家庭套餐")
            records.add_interactions(
                conn,
                [
                    {
                        "customer_id": c0,
                        "kind": "call",
                        "at": NOW - timedelta(minutes=m),
                        "summary": f"call {m}",
                    }
                    for m in range(30)
                ],
            )

        await db.writer.run(extras)
        report = await db.writer.run(lambda c: refresh(c, NOW, PARAMS))
        assert report.rescanned == 10
        assert report.scored == 10
        assert report.rules

        async with aiohttp.ClientSession() as session:
            live = LiveServer(app, server, session, settings)
            token = await live.token("supervisor", "t")
            status, view = await live.call("GET", f"/api/v1/customers/{c0}/360", token)
            assert status == 200, view
            assert view["value"]["abc_class"] == "A"
            assert view["value"]["rfm"]["monetary"] == 5
            assert view["value"]["clv"]["value"] > 0
            assert "CLV" in view["value"]["clv"]["formula"]
            assert [t["name"] for t in view["tags"]] == ["5G"]
            assert view["tags"][0]["count"] == 2
            assert view["groups"] == ["VIP", "家庭套餐"]
            assert len(view["interactions"]) == 20
            assert view["interactions"][0]["summary"] == "call 0"  # newest first
            assert {p["sku"] for p in view["products_owned"]} == {"PHONE", "CASE"}
            assert view["credit"] == {
                "limit": "5000.00",
                "balance": "1200.50",
                "available": "3799.50",
            }
            assert view["do_not_call"]["flag"] is True
            assert view["consent"][0]["channel"] == "sms"
            assert view["consent"][0]["granted"] is False
            assert view["open_tickets"] == []
            assert view["contacts"][0]["department"] == "采购部"
            assert view["addresses"][0]["district"] == "南山区"
            assert view["channel_ids"][0]["channel"] == "wechat_openid"
            assert view["profile"]["source_channel"] == "mini-program"

            # c7 bought only the plan: PHONE buyers' rules do not apply; c9 is silent
            status, silent = await live.call("GET", f"/api/v1/customers/{ids['c9']}/360", token)
            assert silent["churn"]["level"] in ("medium", "high"), silent["churn"]
            assert "silence" in {r["code"] for r in silent["churn"]["reasons"]}
            status, other = await live.call("GET", f"/api/v1/customers/{c7}/360", token)
            assert other["value"]["abc_class"] in ("B", "C")
            status, _missing = await live.call("GET", "/api/v1/customers/999999/360", token)
            assert status == 404
    finally:
        await server.close()


async def test_next_products_come_with_why(settings: Settings) -> None:
    app, server = await start_server(settings, clock=ManualClock(NOW))
    from switchboard.core.http import DATABASE

    try:
        db = app[DATABASE]
        ids = await db.writer.run(build_base)

        # a customer who bought only a PHONE: CASE is the rule's suggestion
        def lone(conn: Connection) -> int:
            cid = _customer(conn, "新客户", "13900000001")
            skus = records.upsert_products(conn, PRODUCTS)
            records.add_orders(
                conn, [OrderIn(cid, "O-lone", NOW, [("PHONE", 1, Decimal("3999"))])], skus
            )
            return cid

        cid = await db.writer.run(lone)
        await db.writer.run(lambda c: refresh(c, NOW, PARAMS))
        from customers import view360

        view = await db.read(lambda c: view360.build(c, cid, NOW, PARAMS))
        picks = view["next_products"]
        assert picks
        assert picks[0]["sku"] == "CASE"
        assert picks[0]["because_of"] == ["PHONE"]
        assert "PHONE" in picks[0]["why"]
        assert picks[0]["lift"] > 1
        assert ids
    finally:
        await server.close()


async def test_refresh_is_incremental(settings: Settings) -> None:
    app, server = await start_server(settings, clock=ManualClock(NOW))
    from switchboard.core.http import DATABASE

    try:
        db = app[DATABASE]
        ids = await db.writer.run(build_base)
        first = await db.writer.run(lambda c: refresh(c, NOW, PARAMS))
        assert first.rescanned == 10
        again = await db.writer.run(lambda c: refresh(c, NOW, PARAMS))
        assert again.rescanned == 0
        assert again.rules is None
        assert again.scored == 10

        def more(conn: Connection) -> None:
            skus = records.upsert_products(conn, PRODUCTS)
            records.add_orders(
                conn, [OrderIn(ids["c7"], "O-new", NOW, [("BUDS", 100, Decimal("599"))])], skus
            )

        await db.writer.run(more)
        third = await db.writer.run(lambda c: refresh(c, NOW, PARAMS))
        assert third.rescanned == 1
        assert third.rules is not None

        def c7_value(conn: Connection) -> Any:
            return conn.execute(select(values_t).where(values_t.c.customer_id == ids["c7"])).one()

        row = await db.read(c7_value)
        assert row.abc_class == "A"
        assert row.orders == 3
        tier = await db.read(
            lambda c: c.scalar(select(customers_t.c.tier).where(customers_t.c.id == ids["c7"]))
        )
        assert tier == "A"
        full = await db.writer.run(lambda c: refresh(c, NOW, PARAMS, full=True))
        assert full.rescanned == 10
        rebuilt = (await db.read(c7_value))._asdict()
        assert rebuilt == row._asdict()  # the same refresh time, the same scores
    finally:
        await server.close()


async def test_segments_count_members_by_rule(settings: Settings) -> None:
    app, server = await start_server(settings, clock=ManualClock(NOW))
    from switchboard.core.http import DATABASE

    try:
        db = app[DATABASE]
        ids = await db.writer.run(build_base)

        def tag(conn: Connection) -> None:
            for _ in range(3):
                records.apply_tag(conn, ids["c0"], "interest", "5G", NOW)
            records.apply_tag(conn, ids["c1"], "interest", "5G", NOW)

        await db.writer.run(tag)
        await db.writer.run(lambda c: refresh(c, NOW, PARAMS))
        rule = {
            "all": [{"tag": "5G", "min_count": 3}, {"field": "abc_class", "op": "eq", "value": "A"}]
        }
        made = await db.writer.run(lambda c: segments.create_segment(c, "5G fans", rule, NOW))
        assert made["member_count"] == 1
        any_rule = {"any": [{"tag": "5G"}, {"field": "orders", "op": "gte", "value": 3}]}
        count = await db.read(lambda c: segments.count_members(c, segments.checked(any_rule)))
        # c0 and c1 by tag; c2, c5, c8 have three orders; c9 has three old ones
        assert count == 6
    finally:
        await server.close()
