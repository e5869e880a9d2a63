"""Service requests on the customer's timeline: one entry when a request is opened, one each
time it is resolved.

The opening entry carries what the churn signals read (``complaint``, ``open``); it is kept
up to date as the request moves, so a resolved complaint no longer counts as open. Keys name
the happening (``ticket:<number>:created``, ``ticket:<number>:resolved:<when>``), so a
repeated write updates the entry instead of adding a second one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from customers.records import TimelineEntry, record_interaction, update_interaction_data
from tickets.model.status import OPEN_STATUSES, Status


def is_complaint_category(category_id: str, parent_id: str | None) -> bool:
    """A complaint: the category or its parent is named as one."""
    return "complaint" in category_id or "complaint" in (parent_id or "")


def _created_key(number: str) -> str:
    return f"ticket:{number}:created"


def opened(conn: Connection, row: Any, parent_id: str | None) -> None:
    """The request ``row`` was created (nothing when it names no customer)."""
    if row.customer_id is None:
        return
    record_interaction(
        conn,
        TimelineEntry(
            customer_id=int(row.customer_id),
            kind="ticket",
            key=_created_key(row.number),
            at=row.created_at,
            ref=row.number,
            contact_id=row.contact_id,
            channel=row.channel,
            summary=f"request {row.number} opened: {row.title}",
            data={
                "event": "created",
                "status": str(row.status),
                "category": row.category_id,
                "complaint": is_complaint_category(row.category_id, parent_id),
                "open": True,
                "sla_breached": False,
            },
        ),
    )


def moved(conn: Connection, row: Any, now: datetime) -> None:
    """The request ``row`` (as it now is) changed status: the opening entry follows, and a
    resolution gets its own entry."""
    if row.customer_id is None:
        return
    customer_id = int(row.customer_id)
    still_open = row.status in OPEN_STATUSES - {Status.RESOLVED}
    update_interaction_data(
        conn,
        customer_id,
        _created_key(row.number),
        {"status": str(row.status), "open": still_open},
    )
    if row.status == Status.RESOLVED:
        record_interaction(
            conn,
            TimelineEntry(
                customer_id=customer_id,
                kind="ticket",
                key=f"ticket:{row.number}:resolved:{now.isoformat()}"[:100],
                at=now,
                ref=row.number,
                contact_id=row.contact_id,
                channel=row.channel,
                summary=f"request {row.number} resolved: {row.resolution or ''}",
                data={"event": "resolved", "status": str(row.status), "handler": row.handler},
            ),
        )
