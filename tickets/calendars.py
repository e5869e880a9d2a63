"""From the database to the pure model: business calendars, the category tree, SLA policies.

Calendars are checked and their holiday tables resolved when they are saved; the stored
``resolved`` form is all that loading needs, so a calendar means the same thing on every node
and after a restart, whatever version of the holidays tables is installed. Loaded calendars
are memoised by (id, version): a :class:`BusinessCalendar` is immutable and keeps its own
cache of open spans per day.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, bindparam, select

from switchboard.core.errors import BadRequest
from tickets import holiday_sources, store
from tickets.model import (
    WEEKDAY_NAMES,
    BusinessCalendar,
    CategoryTree,
    EscalationLevel,
    SLAPolicy,
)
from tickets.schemas import CalendarIn

# -- calendars -------------------------------------------------------------------------------


def _weekday(key: str, field: str) -> str:
    k = key.strip().lower()
    for name in WEEKDAY_NAMES:
        if len(k) >= 3 and name.startswith(k):
            return name
    raise BadRequest(f"{key!r} is not a weekday: use monday ... sunday", field=field)


def _check_day(intervals: list[str], field: str) -> None:
    if not intervals:
        return
    try:
        BusinessCalendar("UTC", {0: intervals})
    except (ValueError, TypeError) as exc:
        text = str(exc).replace("weekly hours on monday: ", "")
        raise BadRequest(f"{field}: {text}", field=field) from None


def resolve_calendar(data: CalendarIn, now: datetime) -> tuple[dict[str, Any], list[str]]:
    """Check a calendar as given and resolve its holiday tables into plain dates.

    Returns the ``resolved`` form (what :func:`calendar_from_resolved` builds from) and
    warnings. Raises :class:`BadRequest` naming the field at fault.
    """
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise BadRequest(
            f"unknown time zone {data.timezone!r}: give an IANA name such as 'Asia/Shanghai'",
            field="timezone",
        ) from None
    weekly: dict[str, list[str]] = {}
    for key, intervals in data.weekly.items():
        field = f"weekly.{key}"
        name = _weekday(key, field)
        if name in weekly:
            raise BadRequest(f"{name} is given twice", field=field)
        _check_day(intervals, field)
        weekly[name] = list(intervals)
    if not any(weekly.values()):
        raise BadRequest(
            "the calendar has no working time at all: give opening hours for at least one weekday",
            field="weekly",
        )
    extra_hours = _weekday(data.extra_working_day_hours, "extra_working_day_hours")
    special: dict[str, list[str]] = {}
    for day, intervals in data.special_hours.items():
        field = f"special_hours.{day.isoformat()}"
        _check_day(intervals, field)
        special[day.isoformat()] = list(intervals)

    holidays = set(data.holiday_dates)
    extra = set(data.extra_working_days)
    warnings: list[str] = []
    if data.holidays is not None:
        source = data.holidays
        years = source.years or [now.year, now.year + 1]
        try:
            if source.country == "CN" and source.subdivision is None:
                official, make_up = holiday_sources.china_calendar_data(years)
                holidays |= official
                extra |= make_up
                missing = holiday_sources.years_missing_make_up_days(years)
                if missing:
                    warnings.append(
                        "no official make-up working days known yet for "
                        + ", ".join(str(y) for y in missing)
                        + ": add them to extra_working_days when they are published"
                    )
            else:
                holidays |= holiday_sources.country_holiday_dates(
                    source.country, source.subdivision, years
                )
        except ValueError as exc:
            field = "holidays.subdivision" if "subdivision" in str(exc) else "holidays.country"
            raise BadRequest(str(exc), field=field) from None

    for listed, what in ((data.closed_dates, "a closed date"), (data.holiday_dates, "a holiday")):
        clash = sorted(set(data.extra_working_days) & set(listed))
        if clash:
            raise BadRequest(
                f"{clash[0].isoformat()} is both an extra working day and {what}",
                field="extra_working_days",
            )
    clash = sorted(extra & set(data.closed_dates))
    if clash:  # a make-up working day from the tables, closed by the admin: closed wins
        extra -= set(clash)
    # A make-up day the admin closes anyway, or a holiday they work anyway, is their call:
    # the explicit list wins over the holiday tables.
    holidays -= set(data.extra_working_days)
    extra -= set(data.holiday_dates)
    resolved = {
        "timezone": data.timezone,
        "weekly": weekly,
        "holidays": sorted(d.isoformat() for d in holidays),
        "extra_working_days": sorted(d.isoformat() for d in extra),
        "extra_working_day_hours": extra_hours,
        "closed_dates": sorted(d.isoformat() for d in data.closed_dates),
        "special_hours": special,
    }
    try:
        calendar_from_resolved(resolved)
    except (ValueError, TypeError) as exc:
        text = str(exc)
        field = "extra_working_days"
        if "extra_working_day_hours" in text or "use the hours of" in text:
            field = "extra_working_day_hours"
        raise BadRequest(text, field=field) from None
    return resolved, warnings


def calendar_from_resolved(resolved: dict[str, Any]) -> BusinessCalendar:
    def dates(key: str) -> list[date]:
        return [date.fromisoformat(d) for d in resolved.get(key, [])]

    return BusinessCalendar(
        resolved["timezone"],
        {name: intervals for name, intervals in resolved["weekly"].items()},
        holidays=dates("holidays"),
        extra_working_days=dates("extra_working_days"),
        extra_working_day_hours=resolved.get("extra_working_day_hours", "monday"),
        closed_dates=dates("closed_dates"),
        special_hours={
            date.fromisoformat(d): intervals
            for d, intervals in resolved.get("special_hours", {}).items()
        },
    )


_CACHE: dict[tuple[str, int], BusinessCalendar] = {}
_CACHE_LOCK = threading.Lock()
_VERSION = select(store.calendars_t.c.version).where(store.calendars_t.c.id == bindparam("id"))
_RESOLVED = select(store.calendars_t.c.version, store.calendars_t.c.resolved).where(
    store.calendars_t.c.id == bindparam("id")
)


class UnknownCalendar(LookupError):
    pass


def load_calendar(conn: Connection, calendar_id: str) -> BusinessCalendar:
    """The stored calendar as a :class:`BusinessCalendar` (memoised by id and version)."""
    version = conn.scalar(_VERSION, {"id": calendar_id})
    if version is None:
        raise UnknownCalendar(calendar_id)
    key = (calendar_id, int(version))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    row = conn.execute(_RESOLVED, {"id": calendar_id}).one()
    calendar = calendar_from_resolved(row.resolved)
    with _CACHE_LOCK:
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[(calendar_id, int(row.version))] = calendar
    return calendar


# -- categories ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Categories:
    tree: CategoryTree
    rows: dict[str, Any]

    def resolve(self, value: str) -> str | None:
        """A category id from an id or a full path; None when unknown."""
        if value in self.rows:
            return value
        text = value.strip().strip("/")
        for cat_id in self.rows:
            if self.tree.path(cat_id) == text:
                return cat_id
        return None

    def path(self, cat_id: str) -> str:
        return self.tree.path(cat_id)

    def below(self, cat_id: str) -> list[str]:
        """The category and every category under it."""
        prefix = self.tree.path(cat_id)
        return [
            c for c in self.rows if (p := self.tree.path(c)) == prefix or p.startswith(prefix + "/")
        ]


def load_categories(conn: Connection) -> Categories:
    rows = {r.id: r for r in conn.execute(select(store.categories_t))}
    return Categories(CategoryTree({k: r.parent_id for k, r in rows.items()}), rows)


# -- policies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyEntry:
    """A stored policy: the pure policy for matching and its level actions."""

    policy: SLAPolicy
    spec: dict[str, Any]

    def levels_json(self) -> list[dict[str, Any]]:
        return [dict(level) for level in self.spec["levels"]]


def levels_of(spec_levels: list[dict[str, Any]]) -> tuple[EscalationLevel, ...]:
    return tuple(EscalationLevel(lv["name"], Decimal(str(lv["fraction"]))) for lv in spec_levels)


def policy_from_spec(spec: dict[str, Any], categories: Categories) -> SLAPolicy:
    def us(key: str) -> timedelta | None:
        value = spec.get(key)
        return None if value is None else timedelta(microseconds=int(value))

    def values(key: str) -> frozenset[str] | None:
        value = spec.get(key)
        return None if value is None else frozenset(value)

    cats = spec.get("categories")
    return SLAPolicy(
        spec["name"],
        first_response=us("first_response_us"),
        resolution=us("resolution_us"),
        calendar=spec["calendar"],
        tiers=values("tiers"),
        categories=None if cats is None else frozenset(categories.path(c) for c in cats),
        priorities=values("priorities"),
        channels=values("channels"),
        levels=levels_of(spec["levels"]),
    )


def load_policies(conn: Connection, categories: Categories | None = None) -> list[PolicyEntry]:
    cats = categories or load_categories(conn)
    rows = conn.execute(select(store.policies_t).order_by(store.policies_t.c.position))
    return [PolicyEntry(policy_from_spec(r.spec, cats), r.spec) for r in rows]
