"""Service-request use cases: create, read, list, update, move, note, reassign, escalate.

Every function that changes something takes the writer's connection and ``now``, writes the
change, its history rows, the recomputed SLA deadlines and the channel messages that announce
it in that one transaction, and returns the messages for the caller to publish after commit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, func, insert, select, update

from customers import store as customer_store
from switchboard.core import outbox
from switchboard.core.errors import BadRequest, Conflict, NotFound
from switchboard.core.outbox import Message
from tickets import clocks, store, timeline
from tickets.calendars import Categories, load_categories
from tickets.model.status import (
    RESPONDED_STATUSES,
    IllegalMove,
    Status,
    allowed_moves,
    check_move,
    format_number,
    higher_priority,
    priority_for_urgency,
)
from tickets.schemas import (
    BulkReassignIn,
    NoteIn,
    TicketIn,
    TicketPatch,
    TicketQuery,
    TicketSettingsIn,
    TransitionIn,
)

SLA_ACTOR = clocks.SLA_ACTOR
SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class Actor:
    """Who makes a change: the agent id for an agent token, else the token's name."""

    name: str
    agent_id: str | None = None


# -- settings --------------------------------------------------------------------------------


def load_settings(conn: Connection) -> TicketSettingsIn:
    row = conn.execute(select(store.settings_t).where(store.settings_t.c.id == 1)).first()
    if row is None:
        return TicketSettingsIn()
    return TicketSettingsIn(
        number_pattern=row.number_pattern,
        number_timezone=row.number_timezone,
        reopen_days=row.reopen_days,
        auto_close_days=row.auto_close_days,
    )


def allocate_number(conn: Connection, settings: TicketSettingsIn, now: datetime) -> str:
    """The next request number, allocated in the caller's transaction (never given twice)."""
    year = now.astimezone(ZoneInfo(settings.number_timezone)).year
    key = str(year) if "{year" in settings.number_pattern else "all"
    seq = store.next_sequence(conn, key)
    return format_number(settings.number_pattern, year, seq)


# -- helpers ---------------------------------------------------------------------------------


_SLA_STATE = update(store.tickets_t).where(store.tickets_t.c.id == bindparam("ticket_id"))


record = store.record


def _ticket(conn: Connection, number: str) -> Any:
    row = store.ticket_by_number(conn, number)
    if row is None:
        raise NotFound(f"no service request {number!r}", field="number")
    return row


def _check_version(row: Any, version: int) -> None:
    if row.version != version:
        raise Conflict(
            f"request {row.number} was changed since version {version}: it is at version "
            f"{row.version}; reload it and apply your change again",
            field="version",
            current_version=row.version,
        )


def _save(conn: Connection, row: Any, values: dict[str, Any]) -> None:
    """Update with the version read (another node's concurrent change gets a 409 here)."""
    t = store.tickets_t
    result = conn.execute(
        update(t).where(t.c.id == row.id, t.c.version == row.version).values(**values)
    )
    if result.rowcount != 1:
        current = conn.scalar(select(t.c.version).where(t.c.id == row.id))
        raise Conflict(
            f"request {row.number} was changed at the same time; reload it",
            field="version",
            current_version=current,
        )


def _category(categories: Categories, value: str, field: str = "category") -> str:
    cat_id = categories.resolve(value)
    if cat_id is None:
        raise BadRequest(
            f"unknown category {value!r}: see GET /api/v1/ticket-categories", field=field
        )
    if not categories.rows[cat_id].active:
        raise BadRequest(f"category {value!r} is retired", field=field)
    return cat_id


def _customer(conn: Connection, customer_id: int | None, contact_id: int | None) -> None:
    if customer_id is not None and customer_store.customer_row(conn, customer_id) is None:
        raise BadRequest(f"no customer {customer_id}", field="customer_id")
    if contact_id is not None:
        if customer_id is None:
            raise BadRequest("a contact goes with its customer_id", field="contact_id")
        contacts = {c.id for c in customer_store.contacts_of(conn, customer_id)}
        if contact_id not in contacts:
            raise BadRequest(
                f"contact {contact_id} is not a contact of customer {customer_id}",
                field="contact_id",
            )


def _group(conn: Connection, group_id: str, field: str = "group") -> Any:
    row = store.group_row(conn, group_id)
    if row is None:
        raise BadRequest(f"no group {group_id!r}: see GET /api/v1/groups", field=field)
    return row


def pick_round_robin(conn: Connection, group_id: str) -> str | None:
    """The group's next member in turn (the cursor moves in this transaction)."""
    g = store.groups_t
    row = conn.execute(store.for_update(conn, select(g).where(g.c.id == group_id))).first()
    if row is None or not row.members:
        return None
    members = list(row.members)
    chosen = members[row.rr_next % len(members)]
    conn.execute(update(g).where(g.c.id == group_id).values(rr_next=(row.rr_next + 1) % 1_000_000))
    return str(chosen)


def _parent(conn: Connection, number: str, child_id: int | None) -> int:
    row = store.ticket_by_number(conn, number)
    if row is None:
        raise BadRequest(f"no parent request {number!r}", field="parent")
    seen: set[int] = set()
    cursor: Any = row
    while cursor is not None:
        if child_id is not None and cursor.id == child_id:
            raise BadRequest(
                f"request {number!r} cannot be its own ancestor's parent", field="parent"
            )
        if cursor.id in seen or cursor.parent_id is None:
            break
        seen.add(cursor.id)
        cursor = store.ticket_row(conn, cursor.parent_id)
    return int(row.id)


def _channels(*handlers: str | None) -> list[str]:
    out = [outbox.FLOOR]
    for handler in handlers:
        if handler and outbox.agent_channel(handler) not in out:
            out.append(outbox.agent_channel(handler))
    return out


def ticket_messages(
    conn: Connection,
    row: Any,
    change: str,
    now: datetime,
    also: Iterable[str | None] = (),
    group: str | None = None,
) -> list[Message]:
    """``ticket`` messages on the floor and to the handler (and a previous handler)."""
    body = {
        "number": row.number,
        "title": row.title,
        "status": row.status,
        "priority": row.priority,
        "handler": row.handler,
        "group": row.group_id,
        "sla_state": row.sla_state,
        "version": row.version,
        "change": change,
    }
    return [
        outbox.append(conn, channel, "ticket", body, now)
        for channel in _channels(row.handler, *also)
    ]


# -- views -----------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def summary_view(row: Any, categories: Categories) -> dict[str, Any]:
    return {
        "id": row.id,
        "number": row.number,
        "title": row.title,
        "status": row.status,
        "priority": row.priority,
        "urgency": row.urgency,
        "channel": row.channel,
        "category": row.category_id,
        "category_path": categories.path(row.category_id),
        "customer_id": row.customer_id,
        "contact_id": row.contact_id,
        "group": row.group_id,
        "handler": row.handler,
        "sla_policy": row.sla_policy,
        "sla_state": row.sla_state,
        "version": row.version,
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
    }


def ticket_view(conn: Connection, row: Any, now: datetime) -> dict[str, Any]:
    """Everything about one request: fields, notes, SLA clocks with timelines, history."""
    categories = load_categories(conn)
    settings = load_settings(conn)
    t = store.tickets_t
    parent = None
    if row.parent_id is not None:
        parent = conn.scalar(select(t.c.number).where(t.c.id == row.parent_id))
    children = list(
        conn.scalars(select(t.c.number).where(t.c.parent_id == row.id).order_by(t.c.id))
    )
    notes = [
        {
            "id": n.id,
            "at": _iso(n.at),
            "author": n.author,
            "kind": n.kind,
            "body": n.body,
            "time_spent_minutes": n.time_spent_minutes,
            "satisfaction": n.satisfaction,
        }
        for n in conn.execute(
            select(store.notes_t)
            .where(store.notes_t.c.ticket_id == row.id)
            .order_by(store.notes_t.c.id)
        )
    ]
    history = [
        {
            "id": h.id,
            "at": _iso(h.at),
            "actor": h.actor,
            "field": h.field,
            "old": None if h.old is None else json.loads(h.old),
            "new": None if h.new is None else json.loads(h.new),
        }
        for h in conn.execute(
            select(store.history_t)
            .where(store.history_t.c.ticket_id == row.id)
            .order_by(store.history_t.c.id)
        )
    ]
    auto_close = next(
        (
            timer.due_at
            for timer in store.timer_rows(conn, row.id)
            if timer.clock == store.LIFECYCLE and timer.level == store.AUTO_CLOSE
        ),
        None,
    )
    return {
        **summary_view(row, categories),
        "description": row.description,
        "product": row.product,
        "resolution": row.resolution,
        "parent": parent,
        "children": children,
        "watchers": list(row.watchers or []),
        "linked_calls": list(row.linked_calls or []),
        "created_by": row.created_by,
        "responded_at": _iso(row.responded_at),
        "resolved_at": _iso(row.resolved_at),
        "closed_at": _iso(row.closed_at),
        "auto_close_at": _iso(auto_close),
        "allowed_moves": list(
            allowed_moves(
                row.status,
                now=now,
                resolved_at=row.resolved_at,
                reopen_window=timedelta(days=settings.reopen_days),
            )
        ),
        "time_spent_minutes": sum(n["time_spent_minutes"] for n in notes),
        "notes": notes,
        "sla": {
            "policy": row.sla_policy,
            "state": row.sla_state,
            "clocks": clocks.clock_views(conn, row, now),
        },
        "history": history,
    }


def get_ticket(conn: Connection, number: str, now: datetime) -> dict[str, Any]:
    return ticket_view(conn, _ticket(conn, number), now)


def list_tickets(conn: Connection, query: TicketQuery) -> dict[str, Any]:
    t = store.tickets_t
    categories = load_categories(conn)
    sel = select(t)
    if query.status:
        wanted = [s.strip() for s in query.status.split(",") if s.strip()]
        unknown = [s for s in wanted if s not in set(Status)]
        if unknown:
            raise BadRequest(
                f"unknown status {unknown[0]!r}: one of {', '.join(Status)}", field="status"
            )
        sel = sel.where(t.c.status.in_(wanted))
    if query.sla:
        sel = sel.where(t.c.sla_state == query.sla)
    if query.customer is not None:
        sel = sel.where(t.c.customer_id == query.customer)
    if query.handler:
        sel = sel.where(t.c.handler == query.handler)
    if query.group:
        sel = sel.where(t.c.group_id == query.group)
    if query.category:
        cat_id = categories.resolve(query.category)
        if cat_id is None:
            raise BadRequest(f"unknown category {query.category!r}", field="category")
        sel = sel.where(t.c.category_id.in_(categories.below(cat_id)))
    if query.cursor is not None:
        sel = sel.where(t.c.id < query.cursor)
    rows = list(conn.execute(sel.order_by(t.c.id.desc()).limit(query.limit + 1)))
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return {
        "items": [summary_view(r, categories) for r in rows],
        "next_cursor": rows[-1].id if more and rows else None,
    }


# -- create ----------------------------------------------------------------------------------


def create_ticket(
    conn: Connection, data: TicketIn, actor: Actor, now: datetime
) -> tuple[dict[str, Any], list[Message]]:
    categories = load_categories(conn)
    category_id = _category(categories, data.category)
    _customer(conn, data.customer_id, data.contact_id)
    parent_id = _parent(conn, data.parent, None) if data.parent else None
    handler = data.handler
    if data.group is not None:
        _group(conn, data.group)
        if handler is None:
            handler = pick_round_robin(conn, data.group)
    status = Status.ASSIGNED if handler else Status.NEW
    settings = load_settings(conn)
    number = allocate_number(conn, settings, now)
    t = store.tickets_t
    ticket_id = int(
        conn.execute(
            insert(t)
            .values(
                number=number,
                title=data.title,
                description=data.description,
                customer_id=data.customer_id,
                contact_id=data.contact_id,
                product=data.product,
                category_id=category_id,
                channel=data.channel,
                urgency=data.urgency,
                priority=data.priority or priority_for_urgency(data.urgency),
                status=status,
                group_id=data.group,
                handler=handler,
                resolution=None,
                parent_id=parent_id,
                watchers=data.watchers,
                linked_calls=data.linked_calls,
                sla_policy=None,
                sla_state="none",
                version=1,
                created_by=actor.name,
                created_at=now,
                updated_at=now,
                responded_at=None,
                resolved_at=None,
                closed_at=None,
            )
            .returning(t.c.id)
        ).scalar_one()
    )
    record(conn, ticket_id, now, actor.name, "created", None, number)
    record(conn, ticket_id, now, actor.name, "status", None, str(status))
    if data.group is not None:
        record(conn, ticket_id, now, actor.name, "group", None, data.group)
    if handler is not None:
        record(conn, ticket_id, now, actor.name, "handler", None, handler)
    clocks.sync(conn, ticket_id, now, rematch=True, categories=categories)
    row = store.ticket_row(conn, ticket_id)
    timeline.opened(conn, row, categories.rows[category_id].parent_id)
    messages = ticket_messages(conn, row, "created", now)
    return ticket_view(conn, row, now), messages


# -- update ----------------------------------------------------------------------------------

# Fields whose change may change which SLA policy applies.
_MATCHED_ON = {"category_id", "priority", "channel", "customer_id"}


def _assignment(
    conn: Connection,
    row: Any,
    *,
    group: str | None,
    group_given: bool,
    handler: str | None,
    handler_given: bool,
    keep_handler_if_empty: bool = False,
) -> dict[str, Any]:
    """New ``group_id``/``handler``/``status`` values for a reassignment (only what changes).

    A new group without a named handler goes round robin to its members (no members: no
    handler, unless ``keep_handler_if_empty``)."""
    values: dict[str, Any] = {}
    new_group = row.group_id
    if group_given and group != row.group_id:
        if group is not None:
            _group(conn, group)
        values["group_id"] = new_group = group
    new_handler = row.handler
    if handler_given:
        new_handler = handler
    elif "group_id" in values and new_group is not None:
        picked = pick_round_robin(conn, new_group)
        if picked is not None or not keep_handler_if_empty:
            new_handler = picked
    if new_handler != row.handler:
        values["handler"] = new_handler
    if row.status == Status.NEW and new_handler is not None:
        values["status"] = str(Status.ASSIGNED)
    return values


def _apply(
    conn: Connection,
    row: Any,
    values: dict[str, Any],
    actor: str,
    now: datetime,
    *,
    bump: bool = True,
) -> Any:
    """Save ``values`` (with history rows) and return the fresh row."""
    names = {"group_id": "group", "category_id": "category", "parent_id": "parent"}
    for column, new in values.items():
        old = getattr(row, column)
        if column == "parent_id":
            t = store.tickets_t
            old = None if old is None else conn.scalar(select(t.c.number).where(t.c.id == old))
            new = None if new is None else conn.scalar(select(t.c.number).where(t.c.id == new))
        record(conn, row.id, now, actor, names.get(column, column), old, new)
    extra = {"updated_at": now}
    if bump:
        extra["version"] = row.version + 1
    _save(conn, row, {**values, **extra})
    return store.ticket_row(conn, row.id)


def update_ticket(
    conn: Connection, number: str, patch: TicketPatch, actor: Actor, now: datetime
) -> tuple[dict[str, Any], list[Message]]:
    row = _ticket(conn, number)
    _check_version(row, patch.version)
    if row.status == Status.CLOSED:
        raise Conflict(f"request {number} is closed", field="status", allowed=[])
    given = patch.model_fields_set - {"version"}
    values: dict[str, Any] = {}
    for name in ("title", "description", "product", "urgency", "priority", "channel"):
        if name in given and getattr(patch, name) != getattr(row, name):
            values[name] = getattr(patch, name)
    for name in ("watchers", "linked_calls"):
        if name in given:
            new_list = getattr(patch, name) or []
            if new_list != list(getattr(row, name) or []):
                values[name] = new_list
    if "resolution" in given and patch.resolution != row.resolution:
        values["resolution"] = patch.resolution
    if "category" in given and patch.category is not None:
        cat_id = _category(load_categories(conn), patch.category)
        if cat_id != row.category_id:
            values["category_id"] = cat_id
    if "customer_id" in given or "contact_id" in given:
        customer_id = patch.customer_id if "customer_id" in given else row.customer_id
        contact_id = patch.contact_id if "contact_id" in given else row.contact_id
        if "customer_id" in given and "contact_id" not in given and customer_id != row.customer_id:
            contact_id = None  # the old contact belongs to the old customer
        _customer(conn, customer_id, contact_id)
        if customer_id != row.customer_id:
            values["customer_id"] = customer_id
        if contact_id != row.contact_id:
            values["contact_id"] = contact_id
    if "parent" in given:
        parent_id = _parent(conn, patch.parent, row.id) if patch.parent else None
        if parent_id != row.parent_id:
            values["parent_id"] = parent_id
    values.update(
        _assignment(
            conn,
            row,
            group=patch.group,
            group_given="group" in given,
            handler=patch.handler,
            handler_given="handler" in given,
        )
    )
    if not values:
        return ticket_view(conn, row, now), []
    fresh = _apply(conn, row, values, actor.name, now)
    if "status" in values or _MATCHED_ON & set(values):
        clocks.sync(conn, row.id, now, rematch=bool(_MATCHED_ON & set(values)))
        fresh = store.ticket_row(conn, row.id)
    messages = ticket_messages(conn, fresh, "updated", now, also=[row.handler])
    return ticket_view(conn, fresh, now), messages


# -- transitions -----------------------------------------------------------------------------


def _set_auto_close(conn: Connection, ticket_id: int, due: datetime | None) -> None:
    t = store.timers_t
    where = (
        t.c.ticket_id == ticket_id,
        t.c.clock == store.LIFECYCLE,
        t.c.level == store.AUTO_CLOSE,
    )
    row = conn.execute(select(t).where(*where)).first()
    if row is None:
        if due is not None:
            conn.execute(
                insert(t).values(
                    ticket_id=ticket_id, clock=store.LIFECYCLE, level=store.AUTO_CLOSE, due_at=due
                )
            )
    elif row.fired_at is None:
        conn.execute(update(t).where(*where).values(due_at=due))


def _move(
    conn: Connection,
    row: Any,
    to: str,
    actor: str,
    now: datetime,
    *,
    settings: TicketSettingsIn,
    resolution: str | None = None,
    actor_agent: str | None = None,
) -> Any:
    """Change the status (checked by the status machine), with everything that follows."""
    try:
        check_move(
            row.status,
            to,
            now=now,
            resolved_at=row.resolved_at,
            reopen_window=timedelta(days=settings.reopen_days),
        )
    except IllegalMove as exc:
        raise Conflict(
            str(exc), field="to", allowed=list(exc.allowed), current_status=row.status
        ) from None
    values: dict[str, Any] = {"status": to}
    if to == Status.RESOLVED:
        text = resolution or row.resolution
        if not text:
            raise BadRequest("say how the request was resolved", field="resolution")
        if text != row.resolution:
            values["resolution"] = text
    if to in RESPONDED_STATUSES and row.responded_at is None:
        values["responded_at"] = now
    if to == Status.IN_PROGRESS and row.handler is None and actor_agent:
        values["handler"] = actor_agent
    history = {k: v for k, v in values.items() if k in ("status", "resolution", "handler")}
    fresh = _apply(conn, row, history, actor, now)
    stamps: dict[str, Any] = {}
    if "responded_at" in values:
        stamps["responded_at"] = now
    if to == Status.RESOLVED:
        stamps["resolved_at"] = now
        _set_auto_close(conn, row.id, now + timedelta(days=settings.auto_close_days))
    elif row.status == Status.RESOLVED:
        stamps["resolved_at"] = None  # reopened (or closed: closed_at says when)
        _set_auto_close(conn, row.id, None)
    if to == Status.CLOSED:
        stamps["closed_at"] = now
    if stamps:
        t = store.tickets_t
        conn.execute(update(t).where(t.c.id == row.id).values(**stamps))
    clocks.sync(conn, row.id, now)
    moved = store.ticket_row(conn, fresh.id)
    timeline.moved(conn, moved, now)
    return moved


def transition(
    conn: Connection, number: str, data: TransitionIn, actor: Actor, now: datetime
) -> tuple[dict[str, Any], list[Message]]:
    row = _ticket(conn, number)
    _check_version(row, data.version)
    settings = load_settings(conn)
    fresh = _move(
        conn,
        row,
        data.to,
        actor.name,
        now,
        settings=settings,
        resolution=data.resolution,
        actor_agent=actor.agent_id,
    )
    if data.note:
        _insert_note(conn, fresh.id, NoteIn(kind="note", body=data.note), actor.name, now)
    messages = ticket_messages(conn, fresh, "status", now, also=[row.handler])
    return ticket_view(conn, fresh, now), messages


def auto_close(conn: Connection, row: Any, now: datetime) -> list[Message]:
    """The auto-close timer of a resolved request fired: close it."""
    if row.status != Status.RESOLVED:
        return []
    settings = load_settings(conn)
    fresh = _move(conn, row, Status.CLOSED, SYSTEM_ACTOR, now, settings=settings)
    return ticket_messages(conn, fresh, "status", now)


# -- notes -----------------------------------------------------------------------------------


def _insert_note(conn: Connection, ticket_id: int, data: NoteIn, author: str, now: datetime) -> int:
    n = store.notes_t
    note_id = int(
        conn.execute(
            insert(n)
            .values(
                ticket_id=ticket_id,
                at=now,
                author=author,
                kind=data.kind,
                body=data.body,
                time_spent_minutes=data.time_spent_minutes,
                satisfaction=data.satisfaction,
            )
            .returning(n.c.id)
        ).scalar_one()
    )
    record(
        conn,
        ticket_id,
        now,
        author,
        "note",
        None,
        {"id": note_id, "kind": data.kind, "time_spent_minutes": data.time_spent_minutes},
    )
    return note_id


def add_note(
    conn: Connection, number: str, data: NoteIn, actor: Actor, now: datetime
) -> tuple[dict[str, Any], list[Message]]:
    row = _ticket(conn, number)
    if row.status == Status.CLOSED:
        raise Conflict(f"request {number} is closed", field="status", allowed=[])
    note_id = _insert_note(conn, row.id, data, actor.name, now)
    t = store.tickets_t
    stamps: dict[str, Any] = {"updated_at": now}
    if data.kind == "reply" and row.responded_at is None:
        stamps["responded_at"] = now  # the first reply to the customer is the first response
    conn.execute(update(t).where(t.c.id == row.id).values(**stamps))
    if "responded_at" in stamps:
        clocks.sync(conn, row.id, now)
    fresh = store.ticket_row(conn, row.id)
    messages = ticket_messages(conn, fresh, "note", now)
    note = {
        "id": note_id,
        "at": now.isoformat(),
        "author": actor.name,
        "kind": data.kind,
        "body": data.body,
        "time_spent_minutes": data.time_spent_minutes,
        "satisfaction": data.satisfaction,
    }
    return {"note": note, "number": row.number, "version": fresh.version}, messages


# -- bulk reassign ---------------------------------------------------------------------------


def bulk_reassign(
    conn: Connection, data: BulkReassignIn, actor: Actor, now: datetime
) -> tuple[dict[str, Any], list[Message]]:
    """Reassign many requests at once, all or none."""
    if data.group is not None:
        _group(conn, data.group)
    messages: list[Message] = []
    updated: list[dict[str, Any]] = []
    for index, number in enumerate(data.numbers):
        row = store.ticket_by_number(conn, number)
        if row is None:
            raise NotFound(f"no service request {number!r}", field=f"numbers.{index}")
        if row.status == Status.CLOSED:
            raise Conflict(f"request {number} is closed", field=f"numbers.{index}", allowed=[])
        values = _assignment(
            conn,
            row,
            group=data.group,
            group_given=data.group is not None,
            handler=data.handler,
            handler_given=data.handler is not None,
        )
        fresh = row
        if values:
            fresh = _apply(conn, row, values, actor.name, now)
            if "status" in values:
                clocks.sync(conn, row.id, now)
            messages += ticket_messages(conn, fresh, "reassigned", now, also=[row.handler])
        updated.append(
            {
                "number": fresh.number,
                "version": fresh.version,
                "group": fresh.group_id,
                "handler": fresh.handler,
                "status": fresh.status,
            }
        )
    return {"updated": updated}, messages


# -- escalation (called by the scheduler) ---------------------------------------------------


def escalated_state(current: str, share: Decimal, running: bool) -> str:
    """The request's SLA state after a level of ``share`` fired (it only ever rises)."""
    if current == "breached" or share >= 1:
        return "breached"
    return "at_risk" if running else current


def escalate(
    conn: Connection,
    row: Any,
    clock: Any,
    level: str,
    due_at: datetime,
    now: datetime,
) -> list[Message]:
    """A level of ``clock`` (its stored row) was reached: apply the level's actions, record
    it, tell the floor and the handler."""
    action: dict[str, Any] = next((lv for lv in clock.levels if lv.get("name") == level), {})
    values: dict[str, Any] = {}
    if row.status != Status.CLOSED:
        wanted = action.get("raise_priority")
        if wanted and higher_priority(row.priority, wanted) != row.priority:
            values["priority"] = wanted
        group = action.get("move_to_group")
        if group and group != row.group_id and store.group_row(conn, group) is not None:
            values.update(
                _assignment(
                    conn,
                    row,
                    group=group,
                    group_given=True,
                    handler=None,
                    handler_given=False,
                    keep_handler_if_empty=True,
                )
            )
    record(
        conn,
        row.id,
        now,
        SLA_ACTOR,
        "sla",
        None,
        {"clock": clock.clock, "level": level, "due_at": due_at.isoformat()},
    )
    share = Decimal(str(action.get("fraction", "1")))
    state = escalated_state(row.sla_state, share, clock.stopped_at is None)
    if state != row.sla_state:
        conn.execute(_SLA_STATE, {"ticket_id": row.id, "sla_state": state})
    fresh = row
    if values:
        fresh = _apply(conn, row, values, SLA_ACTOR, now)
        if "status" in values:
            clocks.sync(conn, row.id, now)
            fresh = store.ticket_row(conn, row.id)
    body = {
        "number": row.number,
        "title": row.title,
        "clock": clock.clock,
        "level": level,
        "due_at": due_at.isoformat(),
        "fired_at": now.isoformat(),
        "priority": fresh.priority,
        "group": fresh.group_id,
        "handler": fresh.handler,
        "status": fresh.status,
        "sla_state": state,
    }
    messages = [
        outbox.append(conn, channel, "sla", body, now)
        for channel in _channels(fresh.handler, row.handler)
    ]
    if values:
        messages += ticket_messages(conn, fresh, "sla", now, also=[row.handler])
    return messages


def count_rows(conn: Connection, table: Any) -> int:
    return int(conn.scalar(select(func.count()).select_from(table)) or 0)


# -- routing (called by the routing service, which sits above tickets) ----------------------

ROUTING_ACTOR = "routing"


@dataclass(frozen=True)
class RoutableRequest:
    """What routing needs to know of a service request to route it."""

    id: int
    number: str
    status: str
    priority: str
    group: str | None
    handler: str | None
    categories: tuple[str, ...]  # the category and its ancestors, nearest first
    product: str | None
    customer_tier: str | None
    created_at: datetime

    @property
    def open(self) -> bool:
        return self.status not in (Status.RESOLVED, Status.CLOSED)


def routable_requests(
    conn: Connection, groups: Iterable[str], numbers: Iterable[str] = ()
) -> list[RoutableRequest]:
    """Open requests without a handler in ``groups``, plus the requests ``numbers`` whatever
    their state (routing checks those it holds), oldest first."""
    t = store.tickets_t
    c = customer_store.customers_t.c
    groups, numbers = list(groups), list(numbers)
    clauses = []
    if groups:
        clauses.append(
            t.c.group_id.in_(groups)
            & t.c.handler.is_(None)
            & t.c.status.not_in([str(Status.RESOLVED), str(Status.CLOSED)])
        )
    if numbers:
        clauses.append(t.c.number.in_(numbers))
    if not clauses:
        return []
    where = clauses[0] if len(clauses) == 1 else clauses[0] | clauses[1]
    query = (
        select(t, c.tier.label("customer_tier"))
        .select_from(t.outerjoin(customer_store.customers_t, t.c.customer_id == c.id))
        .where(where)
        .order_by(t.c.created_at, t.c.id)
    )
    categories = load_categories(conn)
    out = []
    for row in conn.execute(query):
        chain: list[str] = []
        cursor: str | None = row.category_id
        while cursor is not None and cursor not in chain and cursor in categories.rows:
            chain.append(cursor)
            cursor = categories.rows[cursor].parent_id
        out.append(
            RoutableRequest(
                id=row.id,
                number=row.number,
                status=row.status,
                priority=row.priority,
                group=row.group_id,
                handler=row.handler,
                categories=tuple(chain),
                product=row.product,
                customer_tier=row.customer_tier,
                created_at=row.created_at,
            )
        )
    return out


def assign_routed(conn: Connection, number: str, agent_id: str, now: datetime) -> list[Message]:
    """An agent accepted routing's offer of a request: it becomes the handler (with the
    history row and the messages of any reassignment). 409 if the request was closed or
    given to someone else meanwhile."""
    row = _ticket(conn, number)
    if row.status in (Status.RESOLVED, Status.CLOSED):
        raise Conflict(f"request {number} is {row.status}", field="status", allowed=[])
    if row.handler == agent_id:
        return []
    if row.handler is not None:
        raise Conflict(f"request {number} is handled by {row.handler} already", field="handler")
    values = _assignment(
        conn, row, group=None, group_given=False, handler=agent_id, handler_given=True
    )
    fresh = _apply(conn, row, values, ROUTING_ACTOR, now)
    if "status" in values:
        clocks.sync(conn, row.id, now)
        fresh = store.ticket_row(conn, row.id)
    return ticket_messages(conn, fresh, "routed", now)
