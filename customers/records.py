"""Writing the customer's record beyond identity: profile, consent, tags, groups, products,
orders (each also on the timeline), contracts, opportunities and interactions.

Plain functions on the caller's connection and transaction, used by the import, the demo and
the tests; bulk forms take lists so thousands of rows cost a few statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from customers.commerce_store import order_lines_t, orders_t, products_t
from customers.profile_store import (
    addresses_t,
    channel_ids_t,
    consents_t,
    contact_details_t,
    customer_tags_t,
    group_members_t,
    groups_t,
    interactions_t,
    profiles_t,
    tags_t,
)

PROFILE_FIELDS = (
    "credit_code",
    "country",
    "size",
    "company_type",
    "phone",
    "website",
    "parent_id",
    "source_channel",
    "owner",
    "credit_limit",
    "credit_balance",
    "do_not_call",
    "do_not_call_at",
    "do_not_call_source",
)


def set_profile(conn: Connection, customer_id: int, now: datetime, **fields: Any) -> None:
    """Create or update the customer's profile row with the fields given."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"unknown profile field(s) {sorted(unknown)}")
    exists = conn.scalar(
        select(profiles_t.c.customer_id).where(profiles_t.c.customer_id == customer_id)
    )
    if exists is None:
        conn.execute(insert(profiles_t).values(customer_id=customer_id, updated_at=now, **fields))
    elif fields:
        conn.execute(
            update(profiles_t)
            .where(profiles_t.c.customer_id == customer_id)
            .values(updated_at=now, **fields)
        )


def set_consent(
    conn: Connection, customer_id: int, channel: str, granted: bool, at: datetime, source: str
) -> None:
    row = conn.execute(
        select(consents_t.c.id).where(
            consents_t.c.customer_id == customer_id, consents_t.c.channel == channel
        )
    ).first()
    if row is None:
        conn.execute(
            insert(consents_t).values(
                customer_id=customer_id, channel=channel, granted=granted, at=at, source=source
            )
        )
    else:
        conn.execute(
            update(consents_t)
            .where(consents_t.c.id == row.id)
            .values(granted=granted, at=at, source=source)
        )


def tag_id(conn: Connection, category: str, name: str, weight: float = 1.0) -> int:
    found = conn.scalar(
        select(tags_t.c.id).where(tags_t.c.category == category, tags_t.c.name == name)
    )
    if found is not None:
        return int(found)
    return int(
        conn.execute(
            insert(tags_t)
            .values(category=category, name=name, weight=weight)
            .returning(tags_t.c.id)
        ).scalar_one()
    )


def apply_tag(
    conn: Connection,
    customer_id: int,
    category: str,
    name: str,
    now: datetime,
    weight: float | None = None,
) -> None:
    """Apply a tag once more: the count goes up; the weight is the tag's unless given."""
    tid = tag_id(conn, category, name)
    row = conn.execute(
        select(customer_tags_t.c.count).where(
            customer_tags_t.c.customer_id == customer_id, customer_tags_t.c.tag_id == tid
        )
    ).first()
    if row is None:
        default = conn.scalar(select(tags_t.c.weight).where(tags_t.c.id == tid))
        conn.execute(
            insert(customer_tags_t).values(
                customer_id=customer_id,
                tag_id=tid,
                count=1,
                weight=weight if weight is not None else default,
                last_applied_at=now,
            )
        )
    else:
        values: dict[str, Any] = {"count": row.count + 1, "last_applied_at": now}
        if weight is not None:
            values["weight"] = weight
        conn.execute(
            update(customer_tags_t)
            .where(customer_tags_t.c.customer_id == customer_id, customer_tags_t.c.tag_id == tid)
            .values(**values)
        )


def group_id(conn: Connection, name: str, description: str | None = None) -> int:
    found = conn.scalar(select(groups_t.c.id).where(groups_t.c.name == name))
    if found is not None:
        return int(found)
    return int(
        conn.execute(
            insert(groups_t).values(name=name, description=description).returning(groups_t.c.id)
        ).scalar_one()
    )


def add_to_group(conn: Connection, customer_id: int, name: str) -> None:
    gid = group_id(conn, name)
    present = conn.scalar(
        select(group_members_t.c.group_id).where(
            group_members_t.c.group_id == gid, group_members_t.c.customer_id == customer_id
        )
    )
    if present is None:
        conn.execute(insert(group_members_t).values(group_id=gid, customer_id=customer_id))


def upsert_products(conn: Connection, products: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """sku -> id; products not yet stored are inserted, stored ones left as they are."""
    wanted = list(products)
    existing = {
        r.sku: int(r.id)
        for r in conn.execute(
            select(products_t.c.sku, products_t.c.id).where(
                products_t.c.sku.in_([p["sku"] for p in wanted])
            )
        )
    }
    new = [dict(p) for p in wanted if p["sku"] not in existing]
    if new:
        conn.execute(insert(products_t), new)
        existing = {
            r.sku: int(r.id) for r in conn.execute(select(products_t.c.sku, products_t.c.id))
        }
    return existing


@dataclass(frozen=True)
class OrderIn:
    customer_id: int
    number: str
    ordered_at: datetime
    lines: Sequence[tuple[str, int, Decimal]]  # (sku, quantity, unit price)
    status: str = "completed"
    channel: str | None = None


def add_orders(conn: Connection, orders: Sequence[OrderIn], product_ids: Mapping[str, int]) -> int:
    """Insert orders with their lines, and an ``order`` entry on each customer's timeline."""
    if not orders:
        return 0
    result = conn.execute(
        insert(orders_t).returning(orders_t.c.id, orders_t.c.number),
        [
            {
                "number": o.number,
                "customer_id": o.customer_id,
                "ordered_at": o.ordered_at,
                "status": o.status,
                "channel": o.channel,
                "total": sum((q * p for _, q, p in o.lines), Decimal(0)),
            }
            for o in orders
        ],
    )
    ids = {r.number: int(r.id) for r in result}
    conn.execute(
        insert(order_lines_t),
        [
            {
                "order_id": ids[o.number],
                "product_id": product_ids[sku],
                "quantity": qty,
                "unit_price": price,
                "amount": qty * price,
            }
            for o in orders
            for sku, qty, price in o.lines
        ],
    )
    add_interactions(
        conn,
        [
            {
                "customer_id": o.customer_id,
                "kind": "order",
                "ref": o.number,
                "at": o.ordered_at,
                "channel": o.channel,
                "summary": f"order {o.number}: "
                + ", ".join(sku for sku, _, _ in o.lines)
                + f" ({sum((q * p for _, q, p in o.lines), Decimal(0)):.2f})",
                "data": {"status": o.status},
            }
            for o in orders
        ],
    )
    return len(orders)


def add_interactions(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        conn.execute(
            insert(interactions_t),
            [
                {
                    "contact_id": None,
                    "ref": None,
                    "channel": None,
                    "direction": None,
                    "summary": "",
                    "data": {},
                    "key": None,
                    **row,
                }
                for row in rows
            ],
        )


@dataclass(frozen=True)
class TimelineEntry:
    """One happening on a customer's timeline, written by the package it happened in.

    ``key`` names the happening (``call:<source>:<call id>``, ``ticket:<number>:created``):
    written again, the entry is brought up to date instead of added twice.
    """

    customer_id: int
    kind: str  # call, ticket, order, campaign
    key: str
    at: datetime
    ref: str | None = None
    contact_id: int | None = None
    channel: str | None = None
    direction: str | None = None
    summary: str = ""
    data: Mapping[str, Any] | None = None


_UPSERT_FIELDS = ("contact_id", "kind", "ref", "at", "channel", "direction", "summary", "data")


def _upsert(dialect: Any) -> Any:
    statement = dialect.insert(interactions_t)
    return statement.on_conflict_do_update(
        index_elements=["customer_id", "key"],
        set_={name: statement.excluded[name] for name in _UPSERT_FIELDS},
    )


# Built once: the statement is on the path of every ended call with a known customer.
_UPSERT = {"postgresql": _upsert(postgresql), "sqlite": _upsert(sqlite)}


def record_interaction(conn: Connection, entry: TimelineEntry) -> None:
    """Add the entry to the customer's timeline, or update the one with the same key."""
    conn.execute(
        _UPSERT[conn.dialect.name],
        {
            "customer_id": entry.customer_id,
            "contact_id": entry.contact_id,
            "kind": entry.kind,
            "ref": entry.ref,
            "at": entry.at,
            "channel": entry.channel,
            "direction": entry.direction,
            "summary": entry.summary[:300],
            "data": dict(entry.data or {}),
            "key": entry.key,
        },
    )


def update_interaction_data(
    conn: Connection, customer_id: int, key: str, changes: Mapping[str, Any]
) -> bool:
    """Merge ``changes`` into the data of the customer's entry with ``key``; False if none."""
    row = conn.execute(
        select(interactions_t.c.id, interactions_t.c.data).where(
            interactions_t.c.customer_id == customer_id, interactions_t.c.key == key
        )
    ).first()
    if row is None:
        return False
    conn.execute(
        update(interactions_t)
        .where(interactions_t.c.id == row.id)
        .values(data={**dict(row.data or {}), **changes})
    )
    return True


def set_contact_details(conn: Connection, contact_id: int, **fields: Any) -> None:
    """Create or replace the contact's department, role, gender, birthday and note."""
    unknown = set(fields) - {"department", "role", "gender", "birthday", "note"}
    if unknown:
        raise ValueError(f"unknown contact detail(s) {sorted(unknown)}")
    conn.execute(delete(contact_details_t).where(contact_details_t.c.contact_id == contact_id))
    conn.execute(insert(contact_details_t).values(contact_id=contact_id, **fields))


def add_addresses(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Addresses: each a dict with ``customer_id``, ``kind`` and the parts known."""
    if rows:
        conn.execute(
            insert(addresses_t),
            [
                {
                    "contact_id": None,
                    "country": None,
                    "province": None,
                    "city": None,
                    "district": None,
                    "street": None,
                    "postcode": None,
                    "is_primary": False,
                    **row,
                }
                for row in rows
            ],
        )


def add_channel_id(
    conn: Connection, customer_id: int, channel: str, value: str, contact_id: int | None = None
) -> None:
    conn.execute(
        insert(channel_ids_t).values(
            customer_id=customer_id, contact_id=contact_id, channel=channel, value=value
        )
    )
