"""`switchboard seed-demo` loads customers with their history and scores, once, both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from customers import view360
from customers.commerce_store import orders_t
from customers.export import export_file
from customers.importer import import_file
from customers.refresh import ValueParameters
from customers.store import customers_t
from customers.value_store import rules_t, segments_t, values_t
from switchboard.core.db import Database
from switchboard.core.settings import Settings, ValueSettings
from switchboard.demo.seed import seed_demo
from switchboard.migrate import upgrade


async def test_seed_loads_history_scores_and_segments(settings: Settings) -> None:
    await upgrade(settings)
    report = await seed_demo(settings, count=300)
    assert report.startswith("loaded 300 demo customers (")
    assert "association rules" in report
    again = await seed_demo(settings, count=300)
    assert again.startswith("demo data already loaded (300 customers)")
    database = Database(settings)
    try:

        def counts(conn: object) -> dict[str, int]:
            def n(table: object) -> int:
                return int(conn.scalar(select(func.count()).select_from(table)))  # type: ignore[attr-defined]

            return {
                "customers": n(customers_t),
                "orders": n(orders_t),
                "values": n(values_t),
                "rules": n(rules_t),
                "segments": n(segments_t),
            }

        seen = await database.read(counts)
        assert seen["customers"] == 300
        assert seen["orders"] > 300
        assert seen["values"] > 250
        assert seen["rules"] > 0
        assert seen["segments"] == 3
        buyer = await database.read(
            lambda c: c.scalar(
                select(values_t.c.customer_id)
                .where(values_t.c.orders > 3)
                .order_by(values_t.c.customer_id)
            )
        )
        params = ValueParameters.from_settings(ValueSettings())
        view = await database.read(lambda c: view360.build(c, buyer, datetime.now(UTC), params))
        assert view["value"]["rfm"] is not None
        assert view["products_owned"]
        assert view["interactions"]
        assert view["profile"]["source_channel"]
        assert view["consent"]
        assert view["churn"]["level"] in ("low", "medium", "high")
    finally:
        await database.close()


def _sorted_lines(path: Path) -> list[str]:
    return sorted(path.read_text(encoding="utf-8-sig").splitlines())


async def test_an_export_imports_into_an_empty_database_unchanged(
    settings_factory: Any, tmp_path: Path
) -> None:
    """Families share landlines and companies a switchboard: the round trip merges nobody."""
    source = settings_factory()
    target = settings_factory(data_dir=tmp_path / "other")
    for s in (source, target):
        await upgrade(s)
    await seed_demo(source, count=300)
    now = datetime.now(UTC)

    async def export(settings: Settings, path: Path) -> list[str]:
        database = Database(settings)
        try:
            await database.read(lambda c: export_file(c, path))
        finally:
            await database.close()
        return _sorted_lines(path)

    async def load(settings: Settings, path: Path) -> str:
        database = Database(settings)
        try:
            report = await import_file(database, path, region="CN", now=now)
        finally:
            await database.close()
        return str(report).split(": ", 1)[1]

    first = await export(source, tmp_path / "a.csv")
    assert await load(target, tmp_path / "a.csv") == (
        "300 rows: 300 added, 0 updated, 0 unchanged, 0 invalid"
    )
    assert await load(target, tmp_path / "a.csv") == (
        "300 rows: 0 added, 0 updated, 300 unchanged, 0 invalid"
    )
    assert await load(source, tmp_path / "a.csv") == (
        "300 rows: 0 added, 0 updated, 300 unchanged, 0 invalid"
    )
    assert await export(target, tmp_path / "b.csv") == first


async def test_seed_sets_up_the_service_desk_once_and_keeps_the_operators(
    settings: Settings,
) -> None:
    """Categories the demo scripts file under, calendars and SLA policies: a request made from
    the console in the demo gets its deadlines; an operator's policies are never replaced."""
    from tickets import admin
    from tickets.schemas import PoliciesIn

    await upgrade(settings)
    report = await seed_demo(settings, count=20)
    assert "12 request categories, 2 calendars and 3 SLA policies added" in report
    database = Database(settings)
    try:
        paths = {c["path"] for c in await database.read(admin.list_categories)}
        assert {"complaint/billing", "complaint/fraud", "outage", "sales/new-line"} <= paths
        policies = await database.read(admin.list_policies)
        assert [p["name"] for p in policies] == ["complaint", "outage", "standard"]
        mine = PoliciesIn.model_validate(
            {"policies": [{"name": "mine", "resolution": "1h", "calendar": "always"}]}
        )
        now = datetime.now(UTC)
        await database.writer.run(lambda c: admin.put_policies(c, mine, now))
    finally:
        await database.close()
    again = await seed_demo(settings, count=20)
    assert "0 request categories, 0 calendars and 0 SLA policies added" in again
    database = Database(settings)
    try:
        assert [p["name"] for p in await database.read(admin.list_policies)] == ["mine"]
    finally:
        await database.close()
