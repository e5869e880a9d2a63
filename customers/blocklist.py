"""The block list: numbers whose inbound calls are rejected at signalling time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from customers import store
from customers.model import is_withheld
from customers.phones import NotAPhoneNumber, normalise
from switchboard.core.errors import BadRequest, Conflict, NotFound


def _key(number: str, region: str) -> str:
    try:
        return normalise(number, region).e164
    except NotAPhoneNumber as exc:
        raise BadRequest(str(exc), field="number") from None


def _view(row: Any) -> dict[str, Any]:
    return {
        "e164": row.e164,
        "number": row.number,
        "reason": row.reason,
        "created_at": row.created_at.isoformat(),
    }


def block(
    conn: Connection, number: str, reason: str | None, region: str, now: datetime
) -> dict[str, Any]:
    e164 = _key(number, region)
    if store.blocked_row(conn, e164) is not None:
        raise Conflict(f"{e164} is already blocked", field="number")
    conn.execute(
        insert(store.blocked_t).values(e164=e164, number=number, reason=reason, created_at=now)
    )
    row = store.blocked_row(conn, e164)
    return _view(row)


def unblock(conn: Connection, number: str, region: str) -> None:
    e164 = _key(number, region)
    result = conn.execute(delete(store.blocked_t).where(store.blocked_t.c.e164 == e164))
    if not result.rowcount:
        raise NotFound(f"{e164} is not blocked", field="number")


def listing(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(store.blocked_t).order_by(store.blocked_t.c.e164))
    return [_view(r) for r in rows]


def is_blocked(conn: Connection, number: str, region: str) -> bool:
    """Whether calls from ``number`` are to be rejected; withheld numbers never match."""
    if is_withheld(number):
        return False
    try:
        e164 = normalise(number, region).e164
    except NotAPhoneNumber:
        return False
    return store.blocked_row(conn, e164) is not None
