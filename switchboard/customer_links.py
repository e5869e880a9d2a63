"""Wiring between customers and the packages above it (the composition root's job).

``customers`` may not import ``tickets``; the 360 view gets a customer's open service requests
through the :data:`customers.ports.OpenRequests` port, bound here to the tickets store.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select

from tickets.model.status import OPEN_STATUSES, Status
from tickets.store import categories_t, tickets_t
from tickets.timeline import is_complaint_category

OPEN_LIMIT = 20
_OPEN = (
    select(
        tickets_t.c.number,
        tickets_t.c.title,
        tickets_t.c.status,
        tickets_t.c.urgency,
        tickets_t.c.priority,
        tickets_t.c.handler,
        tickets_t.c.sla_state,
        tickets_t.c.created_at,
        tickets_t.c.category_id,
        categories_t.c.name.label("category_name"),
        categories_t.c.parent_id.label("category_parent"),
    )
    .join(categories_t, categories_t.c.id == tickets_t.c.category_id)
    .where(
        tickets_t.c.customer_id == bindparam("id"),
        tickets_t.c.status.in_(sorted(OPEN_STATUSES - {Status.RESOLVED})),
    )
    .order_by(tickets_t.c.created_at.desc(), tickets_t.c.id.desc())
    .limit(OPEN_LIMIT)
)


def open_requests(conn: Connection, customer_id: int) -> list[dict[str, Any]]:
    """The customer's open service requests, newest first (what the 360 view shows)."""
    return [
        {
            "number": r.number,
            "title": r.title,
            "status": r.status,
            "urgency": r.urgency,
            "priority": r.priority,
            "handler": r.handler,
            "category": r.category_id,
            "sla_state": r.sla_state,
            "created_at": r.created_at.isoformat(),
            "complaint": is_complaint_category(r.category_id, r.category_parent),
        }
        for r in conn.execute(_OPEN, {"id": customer_id})
    ]
