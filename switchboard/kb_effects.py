"""Applying a finished call script's effects: ``set`` a customer or request field, and
``create_ticket`` (``knowledge.flow_service.EffectApplier``).

Knowledge may not write the other domains' tables (the layers forbid it), so the composition
root does it here, in the same transaction as the run that finished. Each effect runs inside a
savepoint: one that cannot be applied (no customer identified, an unknown category, a field
with no column) is rolled back alone and reported with its reason, and the others still apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Connection, Table, select, update

from customers import records
from customers.store import customers_t as _customers
from knowledge.flow_service import RunTarget
from switchboard.core.errors import SwitchboardError
from switchboard.core.outbox import Message
from tickets import service as tickets
from tickets.schemas import TicketIn, TicketPatch

#: Customer fields a flow may write, and their columns.
CUSTOMER_COLUMNS = {"tags", "tier", "city", "province", "industry"}
SCRIPT_TAG_CATEGORY = "script"  # the category of tags that call scripts apply
#: Request fields a flow may write through a request change.
customers_t = cast(Table, _customers)
REQUEST_FIELDS = {"category", "priority", "urgency", "product", "title", "description", "group"}


class NotApplied(Exception):
    """Why an effect was left out."""


def apply_effects(
    conn: Connection, effects: Sequence[dict[str, Any]], target: RunTarget, now: datetime
) -> tuple[list[dict[str, Any]], list[Message]]:
    results: list[dict[str, Any]] = []
    messages: list[Message] = []
    for effect in effects:
        outcome = {"node": effect["node"], "kind": effect["kind"]}
        try:
            with conn.begin_nested():
                done, sent = _apply(conn, effect, target, now)
        except (NotApplied, SwitchboardError, ValidationError) as exc:
            results.append({**outcome, "applied": False, "error": _reason(exc)})
            continue
        results.append({**outcome, "applied": True, **done})
        messages.extend(sent)
    return results, messages


def _reason(exc: Exception) -> str:
    if isinstance(exc, SwitchboardError):
        return exc.message
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False)[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)


def _apply(
    conn: Connection, effect: dict[str, Any], target: RunTarget, now: datetime
) -> tuple[dict[str, Any], list[Message]]:
    data = effect.get("data") or {}
    actor = tickets.Actor(target.by)
    if effect["kind"] == "create_ticket":
        ticket = TicketIn.model_validate(
            {
                "title": data.get("title") or "",
                "description": data.get("description") or "",
                "category": data.get("category") or "",
                "priority": data.get("priority") or None,
                "group": data.get("group") or None,
                "channel": "phone" if target.call_id else "web",
                "customer_id": target.customer_id,
                "linked_calls": [target.call_id] if target.call_id else [],
            }
        )
        view, messages = tickets.create_ticket(conn, ticket, actor, now)
        return {"ticket": view["number"]}, messages
    if effect["kind"] != "set":
        raise NotApplied(f"unknown effect {effect['kind']!r}")
    root, _, name = str(data.get("field", "")).partition(".")
    mode, value = data.get("mode") or "set", data.get("value")
    if root == "customer":
        return _set_customer(conn, target, name, mode, value, now), []
    if root == "request":
        return _set_request(conn, target, name, value, actor, now)
    raise NotApplied(f"a flow cannot write {data.get('field')!r}")


def _set_customer(
    conn: Connection, target: RunTarget, name: str, mode: str, value: Any, now: datetime
) -> dict[str, Any]:
    if target.customer_id is None:
        raise NotApplied("no customer was identified for this call")
    if name not in CUSTOMER_COLUMNS:
        raise NotApplied(f"customers have no field {name!r} to write")
    row = conn.execute(select(customers_t).where(customers_t.c.id == target.customer_id)).first()
    if row is None:
        raise NotApplied(f"customer {target.customer_id} no longer exists")
    if name == "tags":
        tags = [str(t) for t in row.tags or []]
        given = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        if mode == "add":
            # a script applying a tag counts as one more application (segments use counts)
            for tag in dict.fromkeys(given):
                records.apply_tag(conn, target.customer_id, SCRIPT_TAG_CATEGORY, tag, now)
            new: Any = [*tags, *(t for t in given if t not in tags)]
        elif mode == "remove":
            new = [t for t in tags if t not in given]
        else:
            new = list(dict.fromkeys(given))
    else:
        new = None if value is None else str(value)
        if name == "tier" and new not in (None, "A", "B", "C"):
            raise NotApplied(f"tier {new!r} is not A, B or C")
    conn.execute(
        update(customers_t)
        .where(customers_t.c.id == target.customer_id)
        .values({name: new, "updated_at": now})
    )
    return {"field": f"customer.{name}", "value": new}


def _set_request(
    conn: Connection, target: RunTarget, name: str, value: Any, actor: Any, now: datetime
) -> tuple[dict[str, Any], list[Message]]:
    if target.ticket is None:
        raise NotApplied("the run is not on a service request")
    if name not in REQUEST_FIELDS:
        raise NotApplied(f"service requests have no field {name!r} to write")
    current = tickets.get_ticket(conn, target.ticket, now)
    patch = TicketPatch.model_validate({"version": current["version"], name: value})
    view, messages = tickets.update_ticket(conn, target.ticket, patch, actor, now)
    return {"field": f"request.{name}", "value": view.get(name, value)}, messages
