"""Loading the demo data set into a migrated database, once."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select

from customers import records, segments
from customers import service as customers
from customers.commerce_store import contracts_t, opportunities_t
from customers.profile_store import (
    channel_ids_t,
    consents_t,
    customer_tags_t,
    group_members_t,
    profiles_t,
)
from customers.refresh import ValueParameters, refresh
from customers.schemas import CustomerIn
from customers.store import customers_t
from routing import agents
from routing.schemas import AgentIn
from routing.store import agent_row
from switchboard.core.clock import SystemClock
from switchboard.core.db import Database
from switchboard.core.settings import Settings
from switchboard.demo.commerce import (
    POPULATION,
    PRICE,
    PRODUCTS,
    demo_activity,
    demo_population,
)
from switchboard.demo.dataset import demo_agents
from switchboard.demo.service_desk import seed_service_desk
from switchboard.migrate import check_current

BATCH = 250


async def seed_demo(settings: Settings, count: int = POPULATION) -> str:
    """Load the demo agents and customers unless they are there; say what was done."""
    database = Database(settings)
    try:
        async with database.engine.connect() as conn:
            await check_current(conn)
            present = await conn.scalar(
                select(func.count())
                .select_from(customers_t)
                .where(customers_t.c.external_id.like("DEMO-%"))
            )
        now = SystemClock().now()
        added_agents = 0
        for data in demo_agents():
            agent = AgentIn.model_validate(data)

            def add(conn: Connection, agent: AgentIn = agent) -> int:
                if agent_row(conn, agent.id) is not None:
                    return 0
                agents.create_agent(conn, agent, now)
                return 1

            added_agents += await database.writer.run(add)
        knowledge = await seed_knowledge(database, settings)
        desk = await database.writer.run(lambda conn: seed_service_desk(conn, now))
        knowledge += (
            f"; {desk['categories']} request categories, {desk['calendars']} calendars and"
            f" {desk['policies']} SLA policies added"
        )
        if present:
            return (
                f"demo data already loaded ({present} customers); {added_agents} agents added;"
                f" {knowledge}"
            )
        region = settings.default_region
        population = demo_population(count)
        rows = [CustomerIn.model_validate(c) for c in population]
        prepared = [(row, customers.prepare(row, region)) for row in rows]
        for start in range(0, len(prepared), BATCH):
            chunk = prepared[start : start + BATCH]

            def add_many(conn: Connection, chunk: list[Any] = chunk) -> None:
                for row, keys in chunk:
                    customers.create_customer(conn, row, keys, now)

            await database.writer.run(add_many)
        history = await database.writer.run(
            lambda conn: load_activity(conn, population, now, settings)
        )
        return (
            f"loaded {len(rows)} demo customers ({history}) and {added_agents} agents; {knowledge}"
        )
    finally:
        await database.close()


async def seed_knowledge(database: Database, settings: Settings) -> str:
    """The demo knowledge base and call scripts: articles imported (unchanged ones left alone)
    and the three flows published (a version already published is left alone)."""
    from pathlib import Path

    import knowledge.demo
    from knowledge import flow_service
    from knowledge.api import INDEX_DIR
    from knowledge.index.whoosh_index import WhooshIndex
    from knowledge.markdown_import import read_directory
    from knowledge.service import KnowledgeBase
    from switchboard.core.errors import SwitchboardError

    root = Path(knowledge.demo.__file__).parent
    now = SystemClock().now()
    report = read_directory(root / "articles")
    index = WhooshIndex(settings.data_dir / INDEX_DIR)
    try:
        counts = await KnowledgeBase(database, index).import_articles(report.articles, now)
    finally:
        index.close()
    published = 0
    for path in sorted((root / "flows").glob("*.yaml")):
        source = path.read_text(encoding="utf-8")
        try:
            result = await database.writer.run(
                lambda c, s=source: flow_service.publish(c, s, "demo", now)  # type: ignore[misc]
            )
        except SwitchboardError:
            continue  # another flow under that version: the operator's, keep it
        published += int(result["created"])
    return f"{counts.created} knowledge articles and {published} call scripts added"


def load_activity(
    conn: Connection, population: list[dict[str, Any]], now: datetime, settings: Settings
) -> str:
    """Orders, timeline, profiles, consent, tags, groups, opportunities and contracts of the
    demo customers, in bulk; then one value refresh so the 360 view has scores at once."""
    ids = {
        row.external_id: int(row.id)
        for row in conn.execute(
            select(customers_t.c.external_id, customers_t.c.id).where(
                customers_t.c.external_id.like("DEMO-%")
            )
        )
    }
    skus = records.upsert_products(
        conn,
        [
            {"sku": sku, "name": name, "category": category, "price": Decimal(price)}
            for sku, name, category, price in PRODUCTS
        ],
    )
    orders: list[records.OrderIn] = []
    interactions: list[dict[str, Any]] = []
    profiles: list[dict[str, Any]] = []
    consents: list[dict[str, Any]] = []
    tags: list[tuple[int, str, str, int, float]] = []
    members: list[tuple[int, str]] = []
    opportunities: list[dict[str, Any]] = []
    contracts: list[dict[str, Any]] = []
    addresses: list[dict[str, Any]] = []
    openids: list[dict[str, Any]] = []
    activity = demo_activity(population)
    for customer, act in zip(population, activity, strict=True):
        cid = ids[customer["external_id"]]
        for n, (days, lines, status, channel) in enumerate(act.orders):
            orders.append(
                records.OrderIn(
                    cid,
                    f"SO-{cid:06d}-{n:02d}",
                    now - timedelta(days=days),
                    [(sku, qty, PRICE[sku]) for sku, qty in lines],
                    status,
                    channel,
                )
            )
        for item in act.interactions:
            entry = {k: v for k, v in item.items() if k != "days_ago"}
            entry.update(customer_id=cid, at=now - timedelta(days=item["days_ago"]))
            interactions.append(entry)
        profile = {
            k: v for k, v in act.profile.items() if k in records.PROFILE_FIELDS and v is not None
        }
        if profile.get("do_not_call"):
            profile["do_not_call_at"] = now - timedelta(days=30)
        profiles.append({"customer_id": cid, "updated_at": now, **profile})
        for channel, granted, days, source in act.consents:
            consents.append(
                {
                    "customer_id": cid,
                    "channel": channel,
                    "granted": granted,
                    "at": now - timedelta(days=days),
                    "source": source,
                }
            )
        if act.address:
            addresses.append(
                {
                    "customer_id": cid,
                    "country": "CN",
                    "province": customer.get("province"),
                    "city": customer.get("city"),
                    "is_primary": True,
                    **act.address,
                }
            )
        if act.openid:
            openids.append({"customer_id": cid, "channel": "wechat_openid", "value": act.openid})
        tags.extend(
            (cid, category, name, count, weight) for category, name, count, weight in act.tags
        )
        members.extend((cid, group) for group in act.groups)
        for opp in act.opportunities:
            opportunities.append(
                {
                    "customer_id": cid,
                    "title": opp["title"],
                    "product_id": skus[opp["sku"]],
                    "stage": opp["stage"],
                    "amount": opp["amount"],
                    "probability": opp["probability"],
                    "expected_close": (now + timedelta(days=opp["close_in_days"])).date(),
                    "owner": opp["owner"],
                    "updated_at": now,
                }
            )
        for n, contract in enumerate(act.contracts):
            start = (now - timedelta(days=contract["days_ago"])).date()
            end = start.replace(year=start.year + contract["years"])
            contracts.append(
                {
                    "number": f"HT-{cid:06d}-{n}",
                    "customer_id": cid,
                    "product_id": skus[contract["sku"]],
                    "title": "5G商务套餐年度合同",
                    "starts_on": start,
                    "ends_on": end,
                    "value": contract["value"],
                    "status": "active" if end > now.date() else "expired",
                }
            )
    records.add_orders(conn, orders, skus)
    records.add_interactions(conn, interactions)
    conn.execute(insert(profiles_t), profiles)
    if consents:
        conn.execute(insert(consents_t), consents)
    records.add_addresses(conn, addresses)
    if openids:
        conn.execute(insert(channel_ids_t), openids)
    tag_ids = {key: records.tag_id(conn, *key) for key in sorted({(t[1], t[2]) for t in tags})}
    if tags:
        conn.execute(
            insert(customer_tags_t),
            [
                {
                    "customer_id": cid,
                    "tag_id": tag_ids[(category, name)],
                    "count": count,
                    "weight": weight,
                    "last_applied_at": now,
                }
                for cid, category, name, count, weight in tags
            ],
        )
    group_ids = {name: records.group_id(conn, name) for name in sorted({g for _, g in members})}
    if members:
        conn.execute(
            insert(group_members_t),
            [{"group_id": group_ids[g], "customer_id": cid} for cid, g in members],
        )
    if opportunities:
        conn.execute(insert(opportunities_t), opportunities)
    if contracts:
        conn.execute(insert(contracts_t), contracts)
    for name, rule in DEMO_SEGMENTS:
        segments.create_segment(conn, name, rule, now)
    report = refresh(conn, now, ValueParameters.from_settings(settings.value))
    return (
        f"{len(orders)} orders, {len(interactions) + len(orders)} interactions, "
        f"{report.rules} association rules"
    )


DEMO_SEGMENTS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "广东 5G 兴趣 A 类",
        {
            "all": [
                {"tag": "5G", "min_count": 3},
                {"field": "province", "op": "eq", "value": "广东省"},
                {"field": "abc_class", "op": "eq", "value": "A"},
            ]
        },
    ),
    ("流失预警", {"all": [{"field": "churn_level", "op": "in", "value": ["medium", "high"]}]}),
    (
        "家庭融合潜客",
        {"all": [{"tag": "宽带"}, {"field": "orders", "op": "gte", "value": 2}]},
    ),
)
