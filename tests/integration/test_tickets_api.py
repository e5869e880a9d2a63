"""Service requests over HTTP on both backends: numbering, round robin, versions, the status
machine, history, notes, filters, bulk reassign, roles, and bad input that stores nothing."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from switchboard.core import outbox
from switchboard.core.clock import ManualClock
from switchboard.core.http import DATABASE
from switchboard.core.settings import Settings
from tests.conftest import LiveServer, start_server
from tickets import store
from tickets.timers import SCHEDULER, Fired

START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Shanghai
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class Desk:
    """A live server on a manual clock, with an admin token."""

    live: LiveServer
    clock: ManualClock
    admin: str

    async def call(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        kwargs = {} if body is None else {"json": body}
        return await self.live.call(method, path, token or self.admin, **kwargs)

    async def ok(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        status, answer = await self.call(method, path, body, token)
        assert status in (200, 201), (status, answer)
        return answer

    async def create(self, **fields: Any) -> dict[str, Any]:
        body = {"title": "退款未到账", "category": "refund", "channel": "phone", **fields}
        answer: dict[str, Any] = await self.ok("POST", "/api/v1/tickets", body)
        return answer

    async def get(self, number: str) -> dict[str, Any]:
        answer: dict[str, Any] = await self.ok("GET", f"/api/v1/tickets/{number}")
        return answer

    async def move(self, ticket: dict[str, Any], to: str, **extra: Any) -> tuple[int, Any]:
        body = {"to": to, "version": ticket["version"], **extra}
        return await self.call("POST", f"/api/v1/tickets/{ticket['number']}/transitions", body)

    async def tick(self) -> list[Fired]:
        return await self.live.app[SCHEDULER].tick()

    async def count(self, table: Any, *where: Any) -> int:
        async with self.live.app[DATABASE].engine.connect() as conn:
            query = select(func.count()).select_from(table)
            if where:
                query = query.where(*where)
            return int(await conn.scalar(query) or 0)

    async def messages(self, channel: str, type_: str) -> list[dict[str, Any]]:
        t = outbox.messages_t
        async with self.live.app[DATABASE].engine.connect() as conn:
            rows = await conn.execute(
                select(t.c.body).where(t.c.channel == channel, t.c.type == type_).order_by(t.c.id)
            )
            return [json.loads(r.body) for r in rows]


@contextlib.asynccontextmanager
async def open_desk(settings: Settings) -> AsyncIterator[Desk]:
    clock = ManualClock(START)
    app, server = await start_server(settings, clock)
    async with aiohttp.ClientSession() as session:
        live = LiveServer(app, server, session, settings)
        yield Desk(live, clock, await live.token("admin", "ops"))
    await server.close()


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[Desk]:
    async with open_desk(settings) as value:
        yield value


ALWAYS = {"name": "24/7", "timezone": "UTC", "weekly": {d: ["00:00-24:00"] for d in WEEK}}
OFFICE = {
    "name": "Shanghai office",
    "timezone": "Asia/Shanghai",
    "weekly": {d: ["09:00-12:00", "13:30-18:00"] for d in WEEK[:5]},
}
LEVELS = [
    {"name": "warning", "fraction": 0.75},
    {"name": "breach", "fraction": 1.0, "raise_priority": "urgent"},
    {"name": "escalate", "fraction": 1.5, "move_to_group": "leads"},
]
POLICIES = [
    {
        "name": "billing",
        "categories": ["billing"],
        "first_response": "1h",
        "resolution": "8h",
        "calendar": "always",
        "levels": LEVELS,
    },
    {"name": "default", "first_response": "4h", "resolution": "40h", "calendar": "office"},
]


async def set_up(desk: Desk, policies: list[dict[str, Any]] | None = None) -> None:
    """Calendars, the category tree, two groups and the policies."""
    await desk.ok("PUT", "/api/v1/calendars/always", ALWAYS)
    await desk.ok("PUT", "/api/v1/calendars/office", OFFICE)
    for category in (
        {"id": "billing", "name": "账务"},
        {"id": "refund", "name": "退款", "parent": "billing"},
        {"id": "partial", "name": "部分退款", "parent": "refund"},
        {"id": "outage", "name": "故障"},
    ):
        await desk.ok("POST", "/api/v1/ticket-categories", category)
    await desk.ok("PUT", "/api/v1/groups/l1", {"name": "一线", "members": ["a-1", "a-2", "a-3"]})
    await desk.ok("PUT", "/api/v1/groups/leads", {"name": "组长", "members": ["s-1"]})
    await desk.ok("PUT", "/api/v1/sla-policies", {"policies": policies or POLICIES})


async def agent_token(desk: Desk, agent_id: str) -> str:
    await desk.ok("POST", "/api/v1/agents", {"id": agent_id, "name": agent_id})
    return await desk.live.token("agent", f"console-{agent_id}", agent_id)


# --- create, numbers, round robin ------------------------------------------------------------


async def test_create_numbers_round_robin_and_view(desk: Desk) -> None:
    await set_up(desk)
    made = [await desk.create(group="l1") for _ in range(4)]
    assert [t["number"] for t in made] == [f"SR-2026-00000{n}" for n in range(1, 5)]
    assert [t["handler"] for t in made] == ["a-1", "a-2", "a-3", "a-1"]
    assert {t["status"] for t in made} == {"assigned"}

    view = await desk.get(made[0]["number"])
    assert view["category_path"] == "billing/refund"
    assert view["sla"]["policy"] == "billing"
    assert view["allowed_moves"] == [
        "in_progress",
        "pending_customer",
        "pending_third_party",
        "resolved",
    ]
    assert [(h["field"], h["old"], h["new"], h["actor"]) for h in view["history"]] == [
        ("created", None, "SR-2026-000001", "ops"),
        ("status", None, "assigned", "ops"),
        ("group", None, "l1", "ops"),
        ("handler", None, "a-1", "ops"),
        ("sla_policy", None, "billing", "sla"),
    ]
    first, resolution = view["sla"]["clocks"]
    assert (first["clock"], first["state"], first["target_seconds"]) == (
        "first_response",
        "running",
        3600,
    )
    assert [lv["due_at"] for lv in first["levels"]] == [
        "2026-01-05T01:45:00+00:00",
        "2026-01-05T02:00:00+00:00",
        "2026-01-05T02:30:00+00:00",
    ]
    assert resolution["due_at"] == "2026-01-05T09:00:00+00:00"
    assert [e["kind"] for e in resolution["timeline"]] == ["start", "level", "level", "level"]
    assert all(e["projected"] for e in resolution["timeline"][1:])

    # The default policy counts office hours in Shanghai: 4 h from Monday 09:00 is 14:30.
    other = await desk.create(category="outage", channel="email")
    clock = (await desk.get(other["number"]))["sla"]["clocks"][0]
    assert clock["due_at"] == "2026-01-05T06:30:00+00:00"

    assert [m["number"] for m in await desk.messages("agent:a-1", "ticket")] == [
        "SR-2026-000001",
        "SR-2026-000004",
    ]
    assert len(await desk.messages("floor", "ticket")) == 5

    settings = await desk.ok(
        "PUT",
        "/api/v1/ticket-settings",
        {"number_pattern": "HD{seq:05d}", "number_timezone": "Asia/Shanghai"},
    )
    assert settings["reopen_days"] == 7
    assert (await desk.create())["number"] == "HD00001"
    status, error = await desk.call(
        "PUT", "/api/v1/ticket-settings", {"number_pattern": "SR-{month}-{seq}"}
    )
    assert (status, error["error"]["field"]) == (400, "number_pattern")


async def test_bad_create_stores_nothing(desk: Desk) -> None:
    await set_up(desk)
    cases = [
        ({"category": "billing/nope"}, "category"),
        ({"category": "refund", "group": "nobody"}, "group"),
        ({"customer_id": 99}, "customer_id"),
        ({"parent": "SR-2026-999999"}, "parent"),
        ({"channel": "fax"}, "channel"),
        ({"colour": "red"}, "colour"),
    ]
    for fields, field in cases:
        body = {"title": "x", "category": "refund", "channel": "phone", **fields}
        status, error = await desk.call("POST", "/api/v1/tickets", body)
        assert (status, error["error"]["field"]) == (400, field), (fields, error)
    for table in (
        store.tickets_t,
        store.history_t,
        store.clocks_t,
        store.timers_t,
        store.sequences_t,
    ):
        assert await desk.count(table) == 0, table.name
    assert len(await desk.messages("floor", "ticket")) == 0
    # No number was used up by the failures.
    assert (await desk.create())["number"] == "SR-2026-000001"


# --- updates and versions ---------------------------------------------------------------------


async def test_update_needs_the_current_version_and_is_recorded(desk: Desk) -> None:
    await set_up(desk)
    ticket = await desk.create(group="l1")
    path = f"/api/v1/tickets/{ticket['number']}"
    changed = await desk.ok(
        "PATCH", path, {"version": 1, "title": "退款到账慢", "watchers": ["a-2"], "product": "宽带"}
    )
    assert (changed["version"], changed["title"], changed["watchers"]) == (2, "退款到账慢", ["a-2"])

    status, error = await desk.call("PATCH", path, {"version": 1, "title": "stale"})
    assert status == 409
    assert (error["error"]["field"], error["error"]["current_version"]) == ("version", 2)
    status, error = await desk.call("PATCH", path, {"version": 2, "status": "closed"})
    assert (status, error["error"]["field"]) == (400, "status")
    status, error = await desk.call("PATCH", path, {"version": 2, "category": "nope"})
    assert (status, error["error"]["field"]) == (400, "category")
    assert (await desk.get(ticket["number"]))["version"] == 2

    moved = await desk.ok("PATCH", path, {"version": 2, "group": "leads"})
    assert (moved["group"], moved["handler"], moved["version"]) == ("leads", "s-1", 3)
    # Another category: the SLA policy is matched again (office hours now).
    recat = await desk.ok("PATCH", path, {"version": 3, "category": "outage"})
    assert recat["sla"]["policy"] == "default"
    assert recat["sla"]["clocks"][0]["calendar"] == "office"

    fields = [(h["field"], h["old"], h["new"]) for h in recat["history"][5:]]
    assert fields == [
        ("title", "退款未到账", "退款到账慢"),
        ("product", None, "宽带"),
        ("watchers", [], ["a-2"]),
        ("group", "l1", "leads"),
        ("handler", "a-1", "s-1"),
        ("category", "refund", "outage"),
        ("sla_policy", "billing", "default"),
    ]
    # The old handler hears that it went, the new one that it came.
    assert [m["handler"] for m in await desk.messages("agent:a-1", "ticket")][-1] == "s-1"
    assert len(await desk.messages("agent:s-1", "ticket")) == 2


# --- the status machine -----------------------------------------------------------------------


async def test_status_machine(desk: Desk) -> None:
    await set_up(desk)
    agent = await agent_token(desk, "a-5")
    ticket = await desk.create()
    assert (ticket["status"], ticket["handler"]) == ("new", None)
    status, error = await desk.move(ticket, "closed")
    assert status == 409
    assert error["error"]["field"] == "to"
    assert error["error"]["allowed"] == ["assigned", "in_progress", "resolved"]

    status, ticket = await desk.call(
        "POST",
        f"/api/v1/tickets/{ticket['number']}/transitions",
        {"to": "in_progress", "version": 1},
        token=agent,
    )
    assert status == 200
    assert (ticket["status"], ticket["handler"], ticket["version"]) == ("in_progress", "a-5", 2)
    assert ticket["responded_at"] == START.isoformat()
    assert ticket["sla"]["clocks"][0]["state"] == "met"

    status, stale = await desk.call(
        "POST", f"/api/v1/tickets/{ticket['number']}/transitions", {"to": "resolved", "version": 1}
    )
    assert (status, stale["error"]["current_version"]) == (409, 2)
    status, error = await desk.move(ticket, "resolved")
    assert (status, error["error"]["field"]) == (400, "resolution")
    status, ticket = await desk.move(ticket, "resolved", resolution="已退款", note="客户确认")
    assert status == 200
    assert ticket["auto_close_at"] == (START + timedelta(days=7)).isoformat()
    assert ticket["notes"][0]["body"] == "客户确认"
    status, ticket = await desk.move(ticket, "in_progress")  # reopened
    assert (status, ticket["auto_close_at"], ticket["resolved_at"]) == (200, None, None)
    status, ticket = await desk.move(ticket, "resolved")  # the resolution is kept
    status, ticket = await desk.move(ticket, "closed")
    assert (status, ticket["status"], ticket["allowed_moves"]) == (200, "closed", [])
    status, error = await desk.move(ticket, "in_progress")
    assert (status, error["error"]["allowed"]) == (409, [])
    assert [h["new"] for h in ticket["history"] if h["field"] == "status"] == [
        "new",
        "in_progress",
        "resolved",
        "in_progress",
        "resolved",
        "closed",
    ]

    # Reopening is possible within the window only.
    await desk.ok("PUT", "/api/v1/ticket-settings", {"reopen_days": 1})
    late = await desk.create()
    _, late = await desk.move(late, "resolved", resolution="done")
    desk.clock.advance(2 * 86400)
    status, error = await desk.move(late, "in_progress")
    assert (status, error["error"]["allowed"]) == (409, ["closed"])
    assert "reopen window" in error["error"]["message"]


# --- notes, filters, pagination, bulk reassign, roles -----------------------------------------


async def test_notes_filters_pages_and_bulk_reassign(desk: Desk) -> None:
    await set_up(desk)
    customer = await desk.ok(
        "POST", "/api/v1/customers", {"kind": "individual", "name": "张伟", "tier": "A"}
    )
    tickets = [await desk.create(group="l1") for _ in range(3)]
    mine = await desk.create(category="partial", customer_id=customer["id"])
    await desk.create(category="outage")

    number = tickets[0]["number"]
    note = await desk.ok(
        "POST",
        f"/api/v1/tickets/{number}/notes",
        {"kind": "reply", "body": "已联系客户", "time_spent_minutes": 15},
    )
    assert note["note"]["kind"] == "reply"
    await desk.ok(
        "POST",
        f"/api/v1/tickets/{number}/notes",
        {"kind": "customer_feedback", "body": "满意", "satisfaction": 5, "time_spent_minutes": 5},
    )
    status, error = await desk.call(
        "POST", f"/api/v1/tickets/{number}/notes", {"body": "x", "satisfaction": 3}
    )
    assert status == 400
    view = await desk.get(number)
    assert view["time_spent_minutes"] == 20
    assert view["responded_at"] == START.isoformat()  # a reply is the first response
    assert view["sla"]["clocks"][0]["state"] == "met"

    async def numbers(query: str) -> list[str]:
        page = await desk.ok("GET", f"/api/v1/tickets?{query}")
        return [t["number"] for t in page["items"]]

    assert await numbers("category=billing") == [mine["number"]] + [
        t["number"] for t in reversed(tickets)
    ]
    assert await numbers(f"customer={customer['id']}") == [mine["number"]]
    assert await numbers("handler=a-2") == [tickets[1]["number"]]
    assert await numbers("status=new") == [
        "SR-2026-000005",
        mine["number"],
    ]
    page = await desk.ok("GET", "/api/v1/tickets?limit=2")
    assert len(page["items"]) == 2
    rest = await desk.ok("GET", f"/api/v1/tickets?limit=2&cursor={page['next_cursor']}")
    assert [t["number"] for t in rest["items"]] == ["SR-2026-000003", "SR-2026-000002"]
    status, error = await desk.call("GET", "/api/v1/tickets?status=lost")
    assert (status, error["error"]["field"]) == (400, "status")
    status, error = await desk.call("GET", "/api/v1/tickets?sla=late")
    assert (status, error["error"]["field"]) == (400, "sla")

    # Breached: the billing first-response target is 1 h of 24/7 time.
    desk.clock.advance(3 * 3600)
    await desk.tick()
    breached = await numbers("sla=breached")
    assert tickets[1]["number"] in breached
    assert number not in breached  # responded in time

    everyone = [t["number"] for t in tickets]
    body = {"numbers": [everyone[0], "SR-2026-000099"], "handler": "a-7"}
    status, error = await desk.call("POST", "/api/v1/tickets/bulk-reassign", body)
    assert (status, error["error"]["field"]) == (404, "numbers.1")
    assert (await desk.get(everyone[0]))["handler"] != "a-7"  # all or nothing
    done = await desk.ok(
        "POST", "/api/v1/tickets/bulk-reassign", {"numbers": everyone, "handler": "a-7"}
    )
    assert {u["handler"] for u in done["updated"]} == {"a-7"}
    assert len(await desk.messages("agent:a-7", "ticket")) == 3

    agent = await agent_token(desk, "a-8")
    status, _ = await desk.call(
        "POST", "/api/v1/tickets/bulk-reassign", {"numbers": everyone, "handler": "a-8"}, agent
    )
    assert status == 403
    status, _ = await desk.call("PUT", "/api/v1/sla-policies", {"policies": []}, agent)
    assert status == 403
    status, _ = await desk.call(
        "POST", "/api/v1/ticket-categories", {"id": "x", "name": "x"}, agent
    )
    assert status == 403
    assert (await desk.call("GET", "/api/v1/ticket-categories", token=agent))[0] == 200
    status, created = await desk.call(
        "POST",
        "/api/v1/tickets",
        {"title": "t", "category": "outage", "channel": "web"},
        agent,
    )
    assert (status, created["created_by"]) == (201, "a-8")
