"""Wire shapes of the service-request API: what comes in (refused when it has unknown keys)."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tickets.model.status import parse_duration

Channel = Literal["phone", "email", "web", "sms", "self_service"]
Urgency = Literal["low", "medium", "high"]
Priority = Literal["low", "normal", "high", "urgent"]
StatusName = Literal[
    "new",
    "assigned",
    "in_progress",
    "pending_customer",
    "pending_third_party",
    "resolved",
    "closed",
]
NoteKind = Literal["note", "reply", "customer_feedback", "work"]

_SLUG = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
AgentId = str


def _agent_ids(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        value = value.strip()
        if not value or len(value) > 64:
            raise ValueError("agent ids are 1 to 64 characters")
        if value not in out:
            out.append(value)
    return out


def _call_ids(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        value = value.strip()
        if not value or len(value) > 128:
            raise ValueError("call ids are 1 to 128 characters")
        if value not in out:
            out.append(value)
    return out


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- service requests -----------------------------------------------------------------------


class TicketIn(_In):
    """A new service request. ``category`` is a category id (or its full path);
    ``priority`` defaults from ``urgency``; with a ``group`` and no ``handler`` the request
    goes round robin to the group's members."""

    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    category: str = Field(min_length=1, max_length=500)
    channel: Channel
    customer_id: int | None = Field(default=None, ge=1)
    contact_id: int | None = Field(default=None, ge=1)
    product: str | None = Field(default=None, max_length=200)
    urgency: Urgency = "medium"
    priority: Priority | None = None
    group: str | None = Field(default=None, max_length=64)
    handler: AgentId | None = Field(default=None, min_length=1, max_length=64)
    parent: str | None = Field(default=None, max_length=40, description="the parent's number")
    watchers: list[str] = Field(default_factory=list, max_length=50)
    linked_calls: list[str] = Field(default_factory=list, max_length=50)

    _watchers = field_validator("watchers")(_agent_ids)
    _calls = field_validator("linked_calls")(_call_ids)


class TicketPatch(_In):
    """Changes to a request, with the ``version`` they were made on (a stale one gets 409).
    Status changes go through ``/transitions``. ``null`` clears an optional field."""

    version: int = Field(ge=1)
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    category: str | None = Field(default=None, min_length=1, max_length=500)
    channel: Channel | None = None
    customer_id: int | None = Field(default=None, ge=1)
    contact_id: int | None = Field(default=None, ge=1)
    product: str | None = Field(default=None, max_length=200)
    urgency: Urgency | None = None
    priority: Priority | None = None
    group: str | None = Field(default=None, max_length=64)
    handler: AgentId | None = Field(default=None, min_length=1, max_length=64)
    parent: str | None = Field(default=None, max_length=40)
    resolution: str | None = Field(default=None, max_length=20_000)
    watchers: list[str] | None = Field(default=None, max_length=50)
    linked_calls: list[str] | None = Field(default=None, max_length=50)
    status: str | None = Field(default=None, description="refused: use /transitions")

    @field_validator("watchers")
    @classmethod
    def _w(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _agent_ids(value)

    @field_validator("linked_calls")
    @classmethod
    def _c(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _call_ids(value)

    @field_validator("status")
    @classmethod
    def _no_status(cls, value: str | None) -> str | None:
        if value is not None:
            raise ValueError("status changes go through POST /api/v1/tickets/{number}/transitions")
        return value

    @model_validator(mode="after")
    def _required_stay(self) -> TicketPatch:
        for name in ("title", "category", "channel", "urgency", "priority", "description"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be cleared")
        return self


class TransitionIn(_In):
    to: StatusName
    version: int = Field(ge=1)
    resolution: str | None = Field(
        default=None, min_length=1, max_length=20_000, description="required to resolve"
    )
    note: str | None = Field(default=None, min_length=1, max_length=20_000)


class NoteIn(_In):
    """A handling record. ``reply`` is an answer to the customer (it counts as the first
    response); ``customer_feedback`` may carry ``satisfaction`` 1-5."""

    kind: NoteKind = "note"
    body: str = Field(min_length=1, max_length=20_000)
    time_spent_minutes: int = Field(default=0, ge=0, le=24 * 60)
    satisfaction: int | None = Field(default=None, ge=1, le=5)

    @model_validator(mode="after")
    def _feedback_only(self) -> NoteIn:
        if self.satisfaction is not None and self.kind != "customer_feedback":
            raise ValueError("satisfaction goes with kind 'customer_feedback'")
        return self


class BulkReassignIn(_In):
    numbers: list[str] = Field(min_length=1, max_length=500)
    handler: AgentId | None = Field(default=None, min_length=1, max_length=64)
    group: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _something(self) -> BulkReassignIn:
        if self.handler is None and self.group is None:
            raise ValueError("give a handler, a group or both")
        if len(set(self.numbers)) != len(self.numbers):
            raise ValueError("numbers: each request once")
        return self


class TicketQuery(_In):
    status: str | None = None
    sla: Literal["ok", "at_risk", "breached", "none"] | None = None
    customer: int | None = Field(default=None, ge=1)
    handler: str | None = None
    group: str | None = None
    category: str | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: int | None = Field(default=None, ge=1)


# -- admin data ------------------------------------------------------------------------------


class CategoryIn(_In):
    id: str = Field(pattern=_SLUG, description="a slug, no '/'")
    name: str = Field(min_length=1, max_length=200)
    parent: str | None = Field(default=None, max_length=64)


class CategoryPatch(_In):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    active: bool | None = None


class GroupIn(_In):
    name: str = Field(min_length=1, max_length=200)
    members: list[str] = Field(default_factory=list, max_length=500)

    _members = field_validator("members")(_agent_ids)


class HolidaySourceIn(_In):
    """Public holidays from the holidays tables: ``CN`` also gives China's make-up working
    days. ``years`` default to the current and the next year."""

    country: str = Field(min_length=2, max_length=3)
    subdivision: str | None = Field(default=None, min_length=1, max_length=10)
    years: list[int] | None = Field(default=None, min_length=1, max_length=20)

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("years")
    @classmethod
    def _years(cls, value: list[int] | None) -> list[int] | None:
        if value is not None:
            for year in value:
                if not 1900 <= year <= 2200:
                    raise ValueError(f"year {year}: between 1900 and 2200")
        return value


class CalendarIn(_In):
    """A business calendar. ``weekly`` maps weekday names to intervals ``"09:00-12:00"``."""

    name: str = Field(min_length=1, max_length=200)
    timezone: str = Field(min_length=1, max_length=64)
    weekly: dict[str, list[str]]
    holidays: HolidaySourceIn | None = None
    holiday_dates: list[date] = Field(default_factory=list, max_length=1000)
    extra_working_days: list[date] = Field(default_factory=list, max_length=1000)
    extra_working_day_hours: str = "monday"
    closed_dates: list[date] = Field(default_factory=list, max_length=1000)
    special_hours: dict[date, list[str]] = Field(default_factory=dict)


class LevelIn(_In):
    """An escalation level: a share of the target and what happens when it is reached
    (always: an ``sla`` message to the floor and the handler)."""

    name: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")
    fraction: float = Field(gt=0, le=100)
    raise_priority: Priority | None = None
    move_to_group: str | None = Field(default=None, max_length=64)


DEFAULT_LEVELS_IN = (
    LevelIn(name="warning", fraction=0.75),
    LevelIn(name="breach", fraction=1.0),
    LevelIn(name="escalate", fraction=1.5),
)


class PolicyIn(_In):
    """Targets in business time (seconds, or text such as ``"4h"``, ``"1h30m"``) on a
    calendar, for requests matching every condition given (``null``: any)."""

    name: str = Field(min_length=1, max_length=100)
    first_response: int | float | str | None = None
    resolution: int | float | str | None = None
    calendar: str = Field(min_length=1, max_length=64)
    tiers: list[str] | None = Field(default=None, max_length=20)
    categories: list[str] | None = Field(default=None, max_length=200)
    priorities: list[Priority] | None = None
    channels: list[Channel] | None = None
    levels: list[LevelIn] = Field(default_factory=lambda: list(DEFAULT_LEVELS_IN), max_length=10)

    @field_validator("first_response", "resolution")
    @classmethod
    def _duration(cls, value: int | float | str | None) -> int | float | str | None:
        if value is not None:
            parse_duration(value)
        return value

    @field_validator("levels")
    @classmethod
    def _unique_levels(cls, value: list[LevelIn]) -> list[LevelIn]:
        names = [lv.name for lv in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"level names must differ: {', '.join(dupes)}")
        return value


class PoliciesIn(_In):
    policies: list[PolicyIn] = Field(max_length=200)


class TicketSettingsIn(_In):
    number_pattern: str = Field(default="SR-{year}-{seq:06d}", min_length=1, max_length=60)
    number_timezone: str = Field(default="UTC", min_length=1, max_length=64)
    reopen_days: int = Field(default=7, ge=0, le=365)
    auto_close_days: int = Field(default=7, ge=1, le=365)


def is_slug(value: str) -> bool:
    return re.match(_SLUG, value) is not None
