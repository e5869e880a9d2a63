"""What the console shows, read from the server's JSON answers.

Parsing is lenient: a field the server does not send (yet) is simply absent on screen, so the
console works with today's 360 view and with the richer one (value, churn, recommendations,
timeline, consent) as it lands.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else []


def _text(value: Any) -> str:
    return "" if value is None else str(value)


# --- the customer 360 -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Profile360:
    customer_id: int
    name: str
    kind: str = ""
    city: str = ""
    industry: str = ""
    tags: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    value: Mapping[str, Any] = field(default_factory=dict)
    churn: Mapping[str, Any] = field(default_factory=dict)
    recommendations: tuple[tuple[str, str], ...] = ()
    products: tuple[str, ...] = ()
    timeline: tuple[tuple[str, str, str], ...] = ()  # (at, kind, summary)
    consent: tuple[tuple[str, str], ...] = ()  # (channel / purpose, status)

    @classmethod
    def from_json(cls, data: Any) -> Profile360:
        data = _map(data)
        profile = _map(data.get("profile"))
        value = dict(_map(data.get("value")))
        churn = _map(data.get("churn")) or _map(value.pop("churn", None))
        recommendations = tuple(
            (
                _text(item.get("name") or item.get("product") or item.get("sku")),
                _text(item.get("why")),
            )
            for item in map(_map, _list(data.get("next_products") or data.get("recommendations")))
        )
        products = tuple(
            _text(item.get("name") or item.get("product") or item.get("sku"))
            if isinstance(item, Mapping)
            else str(item)
            for item in _list(data.get("products_owned") or data.get("products"))
        )
        timeline = tuple(
            (
                _text(item.get("at"))[:16].replace("T", " "),
                _text(item.get("kind") or item.get("type")),
                _text(item.get("summary") or item.get("title") or item.get("text")),
            )
            for item in map(_map, _list(data.get("interactions") or data.get("timeline")))
        )
        consent_data = data.get("consent")
        if isinstance(consent_data, Mapping):
            consent = tuple((str(k), _consent_status(v)) for k, v in consent_data.items())
        else:
            consent = tuple(
                (
                    _text(item.get("channel") or item.get("purpose")),
                    _consent_status(item.get("status", item.get("granted"))),
                )
                for item in map(_map, _list(consent_data))
            )
        phones = tuple(
            _text(p.get("number")) if isinstance(p, Mapping) else str(p)
            for p in _list(data.get("phones"))
        )
        contacts = tuple(
            _text(_map(c).get("name")) for c in _list(data.get("contacts")) if _map(c).get("name")
        )
        return cls(
            customer_id=int(profile.get("id") or data.get("id") or 0),
            name=_text(profile.get("name") or data.get("name")),
            kind=_text(profile.get("kind")),
            city=_text(profile.get("city")),
            industry=_text(profile.get("industry")),
            tags=tuple(
                _text(t.get("name")) if isinstance(t, Mapping) else str(t)
                for t in _list(data.get("tags"))
            ),
            phones=phones,
            emails=tuple(str(e) for e in _list(data.get("emails"))),
            contacts=contacts,
            value=value,
            churn=dict(churn),
            recommendations=recommendations,
            products=products,
            timeline=timeline,
            consent=consent,
        )


def _consent_status(value: Any) -> str:
    if value is True:
        return "granted"
    if value is False:
        return "refused"
    if isinstance(value, Mapping):
        return _consent_status(value.get("status", value.get("granted")))
    return _text(value) or "unknown"


# --- service requests -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One SLA clock as the server computed it at ``read_at`` (a monotonic time)."""

    name: str
    state: str
    paused: bool
    remaining_seconds: float | None
    due_at: str | None
    read_at: float

    def remaining(self, now: float) -> float | None:
        """Seconds left at monotonic ``now``; a paused or stopped clock does not move."""
        if self.remaining_seconds is None:
            return None
        if self.paused or self.state not in ("running", "breached"):
            return self.remaining_seconds
        return self.remaining_seconds - (now - self.read_at)


@dataclass(frozen=True, slots=True)
class TicketView:
    number: str
    title: str
    status: str
    priority: str = ""
    category: str = ""
    version: int = 1
    description: str = ""
    clocks: tuple[SlaClock, ...] = ()

    @classmethod
    def from_json(cls, data: Any, read_at: float) -> TicketView:
        data = _map(data)
        clocks = tuple(
            SlaClock(
                name=_text(c.get("clock")),
                state=_text(c.get("state")),
                paused=bool(c.get("paused")),
                remaining_seconds=(
                    float(c["remaining_seconds"])
                    if isinstance(c.get("remaining_seconds"), int | float)
                    else None
                ),
                due_at=c.get("due_at"),
                read_at=read_at,
            )
            for c in map(_map, _list(_map(data.get("sla")).get("clocks")))
        )
        return cls(
            number=_text(data.get("number")),
            title=_text(data.get("title")),
            status=_text(data.get("status")),
            priority=_text(data.get("priority")),
            category=_text(data.get("category_path") or data.get("category")),
            version=int(data.get("version") or 1),
            description=_text(data.get("description")),
            clocks=clocks,
        )


def ticket_rows(data: Any) -> list[Mapping[str, Any]]:
    """The items of a ticket listing (``{"tickets": [...]}`` or a bare list)."""
    if isinstance(data, Mapping):
        for key in ("tickets", "items", "results"):
            if key in data:
                return [_map(t) for t in _list(data[key])]
    return [_map(t) for t in _list(data)]


def category_choices(data: Any) -> tuple[str, ...]:
    """Paths and ids of the active request categories, for completing the category field."""
    rows = [_map(c) for c in _list(_map(data).get("categories"))]
    active = [c for c in rows if c.get("active", True)]
    paths = [_text(c.get("path") or c.get("id")) for c in active]
    ids = [_text(c.get("id")) for c in active if c.get("id") and c.get("id") not in paths]
    return tuple(p for p in paths + ids if p)


# --- knowledge ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KbHit:
    id: str
    title: str
    snippet: str = ""
    kind: str = ""
    score: float = 0.0


def _snippet(value: Any) -> str:
    """A hit's snippet: the server sends ``{"text", "highlights", "html"}``; plain text too."""
    if isinstance(value, Mapping):
        return _text(value.get("text"))
    return _text(value)


def _first(data: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in data:
            return data[key]
    return None


def kb_hits(data: Any) -> tuple[tuple[KbHit, ...], str | None]:
    """The hits of a knowledge search (``hits``) or the suggestions for a call (``articles``)
    and the search's "did you mean", if any."""
    data = _map(data)
    hits = tuple(
        KbHit(
            id=_text(item.get("id")),
            title=_text(item.get("title")),
            snippet=" ".join(_snippet(item.get("snippet")).split()),
            kind=_text(item.get("kind")),
            score=float(item.get("score") or 0.0),
        )
        for item in map(_map, _list(_first(data, "hits", "articles")))
    )
    did_you_mean = data.get("did_you_mean")
    return hits, (str(did_you_mean) if did_you_mean else None)


# --- call scripts ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlowStep:
    """Where a script run stands: the question waiting (or the end reached)."""

    run_id: str
    status: str
    node: str | None
    kind: str | None
    text: str = ""
    hint: str = ""
    answer: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    notes: tuple[str, ...] = ()
    outcome: str | None = None
    error: str | None = None
    can_back: bool = False
    title: str = ""
    rev: int | None = None  # the run's revision: an answer to an older one is refused

    @property
    def finished(self) -> bool:
        return self.status != "active" or self.kind == "end"

    @classmethod
    def from_json(cls, data: Any, run_id: str = "") -> FlowStep:
        data = _map(data)
        view = _map(data.get("view")) or data
        error = _map(view.get("error") or data.get("error"))
        return cls(
            run_id=_text(data.get("run_id") or data.get("id") or run_id),
            status=_text(view.get("status") or "active"),
            node=view.get("node"),
            kind=view.get("kind"),
            text=_text(view.get("text")),
            hint=_text(view.get("hint")),
            answer=view.get("answer"),
            options=tuple(
                (_text(o.get("value")), _text(o.get("label") or o.get("value")))
                for o in map(_map, _list(view.get("options")))
            ),
            notes=tuple(_text(n) for n in _list(view.get("notes"))),
            outcome=view.get("outcome"),
            error=_text(error.get("message")) or None,
            can_back=bool(view.get("can_back")),
            title=_text(view.get("flow_title")),
            rev=data["rev"] if isinstance(data.get("rev"), int) else None,
        )


# --- outbound preview -----------------------------------------------------------------------

_IN = re.compile(r"^\+?\s*(\d{1,4})\s*([mh]?)$")
_AT = re.compile(r"^(\d{1,2}):(\d{2})$")


def reschedule_at(text: str, now: datetime, zone: tzinfo) -> datetime | None:
    """When the agent wants the lead back: ``+90`` or ``90m`` (minutes), ``2h``, ``14:30``
    (today, or tomorrow when that has passed, in ``zone``) or ``2026-11-24 10:00``; None when
    the text is none of these or not in the future."""
    text = text.strip().lower()
    if match := _IN.match(text):
        amount = int(match.group(1))
        at = now + (timedelta(hours=amount) if match.group(2) == "h" else timedelta(minutes=amount))
    elif match := _AT.match(text):
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            return None
        local = now.astimezone(zone)
        at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if at <= local:
            at += timedelta(days=1)
    else:
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            return None
        if at.tzinfo is None:
            at = at.replace(tzinfo=zone)
    return at if at > now else None
