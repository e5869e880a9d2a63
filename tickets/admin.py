"""What admins manage: the category tree, groups, business calendars, SLA policies and the
service-desk settings. A change of policies or of a calendar in use queues the open requests
for recomputation in the same transaction (see :func:`tickets.clocks.enqueue_open`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, delete, insert, select, update

from switchboard.core.errors import BadRequest, Conflict, NotFound
from tickets import clocks, store
from tickets.calendars import load_categories, policy_from_spec, resolve_calendar
from tickets.model import find_policy_issues
from tickets.model.status import format_duration, parse_duration, validate_number_pattern
from tickets.schemas import (
    CalendarIn,
    CategoryIn,
    CategoryPatch,
    GroupIn,
    PoliciesIn,
    TicketSettingsIn,
)
from tickets.service import load_settings

# -- categories ------------------------------------------------------------------------------


def list_categories(conn: Connection) -> list[dict[str, Any]]:
    categories = load_categories(conn)
    out = [
        {
            "id": cat_id,
            "name": row.name,
            "parent": row.parent_id,
            "path": categories.path(cat_id),
            "active": row.active,
        }
        for cat_id, row in categories.rows.items()
    ]
    return sorted(out, key=lambda c: c["path"])


def create_category(conn: Connection, data: CategoryIn, now: datetime) -> dict[str, Any]:
    c = store.categories_t
    if conn.execute(select(c.c.id).where(c.c.id == data.id)).first() is not None:
        raise Conflict(f"category {data.id!r} exists", field="id")
    parent_missing = (
        data.parent is not None
        and conn.execute(select(c.c.id).where(c.c.id == data.parent)).first() is None
    )
    if parent_missing:
        raise BadRequest(f"no parent category {data.parent!r}", field="parent")
    conn.execute(
        insert(c).values(
            id=data.id, parent_id=data.parent, name=data.name, active=True, created_at=now
        )
    )
    return next(x for x in list_categories(conn) if x["id"] == data.id)


def update_category(conn: Connection, cat_id: str, data: CategoryPatch) -> dict[str, Any]:
    c = store.categories_t
    if conn.execute(select(c.c.id).where(c.c.id == cat_id)).first() is None:
        raise NotFound(f"no category {cat_id!r}", field="id")
    values = data.model_dump(exclude_none=True)
    if values:
        conn.execute(update(c).where(c.c.id == cat_id).values(**values))
    return next(x for x in list_categories(conn) if x["id"] == cat_id)


# -- groups ----------------------------------------------------------------------------------


def _group_view(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "members": list(row.members or [])}


def list_groups(conn: Connection) -> list[dict[str, Any]]:
    g = store.groups_t
    return [_group_view(r) for r in conn.execute(select(g).order_by(g.c.id))]


def put_group(conn: Connection, group_id: str, data: GroupIn, now: datetime) -> dict[str, Any]:
    g = store.groups_t
    row = store.group_row(conn, group_id)
    if row is None:
        conn.execute(
            insert(g).values(
                id=group_id, name=data.name, members=data.members, rr_next=0, updated_at=now
            )
        )
    else:
        conn.execute(
            update(g)
            .where(g.c.id == group_id)
            .values(name=data.name, members=data.members, updated_at=now)
        )
    row = store.group_row(conn, group_id)
    return _group_view(row)


# -- calendars -------------------------------------------------------------------------------


def _calendar_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "version": row.version,
        **row.spec,
        "resolved": {
            "holidays": row.resolved["holidays"],
            "extra_working_days": row.resolved["extra_working_days"],
        },
        "updated_at": row.updated_at.isoformat(),
    }


def list_calendars(conn: Connection) -> list[dict[str, Any]]:
    k = store.calendars_t
    return [_calendar_view(r) for r in conn.execute(select(k).order_by(k.c.id))]


def get_calendar(conn: Connection, calendar_id: str) -> dict[str, Any]:
    k = store.calendars_t
    row = conn.execute(select(k).where(k.c.id == calendar_id)).first()
    if row is None:
        raise NotFound(f"no calendar {calendar_id!r}", field="id")
    return _calendar_view(row)


def put_calendar(
    conn: Connection,
    calendar_id: str,
    data: CalendarIn,
    resolved: dict[str, Any],
    warnings: list[str],
    now: datetime,
) -> dict[str, Any]:
    """Create or replace a calendar (checked and resolved by the caller); requests counting
    on it are queued for recomputation."""
    k = store.calendars_t
    spec = data.model_dump(mode="json", exclude={"name"})
    row = conn.execute(select(k).where(k.c.id == calendar_id)).first()
    queued = 0
    if row is None:
        conn.execute(
            insert(k).values(
                id=calendar_id,
                name=data.name,
                spec=spec,
                resolved=resolved,
                version=1,
                updated_at=now,
            )
        )
    else:
        conn.execute(
            update(k)
            .where(k.c.id == calendar_id)
            .values(
                name=data.name,
                spec=spec,
                resolved=resolved,
                version=row.version + 1,
                updated_at=now,
            )
        )
        if row.resolved != resolved:
            queued = clocks.enqueue_open(conn, calendar_id=calendar_id)
    return {**get_calendar(conn, calendar_id), "warnings": warnings, "queued": queued}


def delete_calendar(conn: Connection, calendar_id: str) -> None:
    k = store.calendars_t
    if conn.execute(select(k.c.id).where(k.c.id == calendar_id)).first() is None:
        raise NotFound(f"no calendar {calendar_id!r}", field="id")
    users = [
        r.name
        for r in conn.execute(select(store.policies_t))
        if r.spec.get("calendar") == calendar_id
    ]
    if users:
        raise Conflict(
            f"calendar {calendar_id!r} is used by the policies {', '.join(users)}",
            field="id",
            policies=users,
        )
    c = store.clocks_t
    in_use = conn.execute(select(c.c.ticket_id).where(c.c.calendar_id == calendar_id).limit(1))
    if in_use.first() is not None:
        raise Conflict(
            f"calendar {calendar_id!r} still counts the clocks of stored requests", field="id"
        )
    conn.execute(delete(k).where(k.c.id == calendar_id))


def check_calendar(data: CalendarIn, now: datetime) -> tuple[dict[str, Any], list[str]]:
    return resolve_calendar(data, now)


# -- policies --------------------------------------------------------------------------------


def _policy_view(spec: dict[str, Any]) -> dict[str, Any]:
    def duration(key: str) -> str | None:
        value = spec.get(key)
        return None if value is None else format_duration(timedelta(microseconds=value))

    return {
        "name": spec["name"],
        "first_response": duration("first_response_us"),
        "resolution": duration("resolution_us"),
        "first_response_seconds": None
        if spec.get("first_response_us") is None
        else spec["first_response_us"] / 1_000_000,
        "resolution_seconds": None
        if spec.get("resolution_us") is None
        else spec["resolution_us"] / 1_000_000,
        "calendar": spec["calendar"],
        "tiers": spec.get("tiers"),
        "categories": spec.get("categories"),
        "priorities": spec.get("priorities"),
        "channels": spec.get("channels"),
        "levels": [
            {**lv, "fraction": float(Decimal(str(lv["fraction"])))} for lv in spec["levels"]
        ],
    }


def list_policies(conn: Connection) -> list[dict[str, Any]]:
    p = store.policies_t
    return [_policy_view(r.spec) for r in conn.execute(select(p).order_by(p.c.position))]


def _us(value: int | float | str | None) -> int | None:
    if value is None:
        return None
    return int(parse_duration(value) / timedelta(microseconds=1))


def put_policies(conn: Connection, data: PoliciesIn, now: datetime) -> dict[str, Any]:
    """Replace the ordered policy list. Bad policies are refused (400 naming the field, nothing
    saved); shadowed and overlapping ones are saved and reported as warnings."""
    categories = load_categories(conn)
    calendars = set(conn.scalars(select(store.calendars_t.c.id)))
    groups = set(conn.scalars(select(store.groups_t.c.id)))
    specs: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, policy in enumerate(data.policies):
        where = f"policies.{i}"
        if policy.name in seen:
            raise BadRequest(
                f"policy #{i + 1} has the same name as policy #{seen[policy.name] + 1}: "
                f"{policy.name!r}",
                field=f"{where}.name",
            )
        seen[policy.name] = i
        if policy.calendar not in calendars:
            raise BadRequest(
                f"no calendar {policy.calendar!r}: create it with PUT /api/v1/calendars/ID",
                field=f"{where}.calendar",
            )
        cats = None
        if policy.categories is not None:
            cats = []
            for j, value in enumerate(policy.categories):
                cat_id = categories.resolve(value)
                if cat_id is None:
                    raise BadRequest(f"unknown category {value!r}", field=f"{where}.categories.{j}")
                cats.append(cat_id)
        for j, level in enumerate(policy.levels):
            if level.move_to_group is not None and level.move_to_group not in groups:
                raise BadRequest(
                    f"no group {level.move_to_group!r}",
                    field=f"{where}.levels.{j}.move_to_group",
                )

        specs.append(
            {
                "name": policy.name,
                "first_response_us": _us(policy.first_response),
                "resolution_us": _us(policy.resolution),
                "calendar": policy.calendar,
                "tiers": policy.tiers,
                "categories": cats,
                "priorities": policy.priorities,
                "channels": policy.channels,
                "levels": [
                    {
                        "name": lv.name,
                        "fraction": repr(lv.fraction),
                        "raise_priority": lv.raise_priority,
                        "move_to_group": lv.move_to_group,
                    }
                    for lv in policy.levels
                ],
            }
        )
    pure = [policy_from_spec(spec, categories) for spec in specs]
    warnings = [
        {
            "kind": str(issue.kind),
            "policy": issue.policy,
            "index": issue.index,
            "field": f"policies.{issue.index}",
            "others": list(issue.others),
            "message": issue.message,
        }
        for issue in find_policy_issues(pure)
    ]
    p = store.policies_t
    conn.execute(delete(p))
    if specs:
        conn.execute(
            insert(p),
            [
                {"position": i, "name": spec["name"], "spec": spec, "updated_at": now}
                for i, spec in enumerate(specs)
            ],
        )
    queued = clocks.enqueue_open(conn)
    return {"policies": [_policy_view(s) for s in specs], "warnings": warnings, "queued": queued}


# -- settings --------------------------------------------------------------------------------


def get_settings(conn: Connection) -> dict[str, Any]:
    return load_settings(conn).model_dump()


def put_settings(conn: Connection, data: TicketSettingsIn, now: datetime) -> dict[str, Any]:
    try:
        validate_number_pattern(data.number_pattern)
    except ValueError as exc:
        raise BadRequest(str(exc), field="number_pattern") from None
    try:
        ZoneInfo(data.number_timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise BadRequest(
            f"unknown time zone {data.number_timezone!r}", field="number_timezone"
        ) from None
    s = store.settings_t
    values = {**data.model_dump(), "updated_at": now}
    if conn.execute(select(s.c.id).where(s.c.id == 1)).first() is None:
        conn.execute(insert(s).values(id=1, **values))
    else:
        conn.execute(update(s).where(s.c.id == 1).values(**values))
    return get_settings(conn)
