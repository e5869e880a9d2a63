"""What knowledge is told about a call or a service request (``knowledge.service.Interaction``).

Knowledge may not read the other domains' tables itself (the layers forbid it), so the
composition root reads the call or the request and its customer here and hands knowledge
plain data: the suggestion context (IVR menu, number dialled, category, products, text), the
customer's summary and the call's fields that flows may read.

The customer's products are the customer's tags that look like product codes (a letter or digit
run with a dash or digits, e.g. ``5G-PLUS-199``); the index compares them as normalised codes.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, select

from customers.store import Customer
from knowledge.service import Interaction
from routing.store import Call
from tickets.store import ServiceRequest, TicketCategory

_CODE = re.compile(r"[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)+|[A-Za-z]+\d+[A-Za-z0-9]*")


def _customer(conn: Connection, customer_id: int | None) -> dict[str, Any]:
    if customer_id is None:
        return {}
    table = Customer.__table__
    row = conn.execute(select(table).where(table.c.id == customer_id)).first()
    if row is None:
        return {}
    tags = [str(t) for t in row.tags or []]
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "short_name": row.short_name,
        "tier": row.tier,
        "tags": tags,
        "products": [t for t in tags if _CODE.fullmatch(t)],
        "city": row.city,
        "province": row.province,
        "industry": row.industry,
        "created_at": row.created_at.date().isoformat() if row.created_at else None,
    }


def _category_path(conn: Connection, category_id: str) -> str:
    table = TicketCategory.__table__
    parts: list[str] = []
    current: str | None = category_id
    while current and len(parts) < 10:
        parts.append(current)
        current = conn.execute(
            select(table.c.parent_id).where(table.c.id == current)
        ).scalar_one_or_none()
    return "/".join(reversed(parts))


def interaction(
    conn: Connection, *, call_id: str | None = None, ticket: str | None = None
) -> Interaction | None:
    """The call ``call_id`` (its latest record) or the request numbered ``ticket``."""
    if call_id is not None:
        calls = Call.__table__
        row = conn.execute(
            select(calls).where(calls.c.call_id == call_id).order_by(calls.c.id.desc()).limit(1)
        ).first()
        if row is None:
            return None
        customer = _customer(conn, row.customer_id)
        ivr = {str(k): str(v) for k, v in (row.ivr or {}).items()}
        menu = [v for k, v in ivr.items() if k != "lang"]
        context: dict[str, Any] = {
            "ivr_menu": " ".join(menu),
            "dnis": row.to_number,
            "products": customer.get("products", []),
        }
        if row.queue:
            context["text"] = row.queue
        call = {
            "ivr": ivr,
            "queue": row.queue,
            "dnis": row.to_number,
            "ani": row.from_number,
            "channel": "phone",
        }
        return Interaction("call", call_id, context, customer, call)
    if ticket is not None:
        requests = ServiceRequest.__table__
        row = conn.execute(select(requests).where(requests.c.number == ticket)).first()
        if row is None:
            return None
        customer = _customer(conn, row.customer_id)
        products = list(customer.get("products", []))
        if row.product:
            products.insert(0, row.product)
        context = {
            "category": _category_path(conn, row.category_id),
            "products": products,
            "text": f"{row.title} {row.description or ''}"[:2000],
        }
        call = {"channel": row.channel}
        return Interaction("ticket", ticket, context, customer, call)
    return None
