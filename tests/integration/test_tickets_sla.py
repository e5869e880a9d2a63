"""SLA clocks on both backends: pauses move deadlines, levels fire once with their actions,
policy and calendar changes recompute open requests, bad calendars and policies are refused
whole, resolved requests close by themselves, and two schedulers never fire a level twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from switchboard.core.clock import ManualClock
from switchboard.core.db import Database
from switchboard.core.http import DATABASE
from switchboard.core.settings import Settings
from tests.conftest import start_server
from tests.integration.test_tickets_api import (
    ALWAYS,
    LEVELS,
    POLICIES,
    START,
    Desk,
    desk,
    open_desk,
    set_up,
)
from tickets import store
from tickets.timers import Scheduler

H = 3600
ALWAYS_CAL = {"calendar": "always"}
__all__ = ["desk"]  # the fixture


def levels(view: dict[str, Any], clock: str) -> dict[str, tuple[str | None, str | None]]:
    found = next(c for c in view["sla"]["clocks"] if c["clock"] == clock)
    return {lv["name"]: (lv["due_at"], lv["fired_at"]) for lv in found["levels"]}


def at(hours: float) -> str:
    return (START + timedelta(hours=hours)).isoformat()


async def test_pause_and_resume_move_the_deadlines(desk: Desk) -> None:
    await set_up(desk)
    ticket = await desk.create(group="l1")
    assert levels(ticket, "resolution") == {
        "warning": (at(6), None),
        "breach": (at(8), None),
        "escalate": (at(12), None),
    }
    desk.clock.advance(0.5 * H)
    _, ticket = await desk.move(ticket, "in_progress")
    desk.clock.advance(4.5 * H)  # 5 h elapsed
    _, ticket = await desk.move(ticket, "pending_customer")
    assert levels(ticket, "resolution") == {name: (None, None) for name in LEVELS_NAMES}
    assert (
        await desk.count(
            store.timers_t,
            store.timers_t.c.clock == "resolution",
            store.timers_t.c.due_at.is_not(None),
        )
        == 0
    )
    desk.clock.advance(2 * H)
    _, ticket = await desk.move(ticket, "pending_third_party")  # still waiting: no change
    desk.clock.advance(1 * H)
    _, ticket = await desk.move(ticket, "in_progress")  # resumed after 3 h
    assert levels(ticket, "resolution") == {
        "warning": (at(9), None),
        "breach": (at(11), None),
        "escalate": (at(15), None),
    }
    clock = ticket["sla"]["clocks"][1]
    assert [(e["kind"], e["name"]) for e in clock["timeline"]] == [
        ("start", "start"),
        ("pause", "pending_customer"),
        ("resume", "in_progress"),
        ("level", "warning"),
        ("level", "breach"),
        ("level", "escalate"),
    ]
    assert clock["timeline"][1]["elapsed_seconds"] == 5 * H
    # Nothing fires while paused or before its time; at 9 h the warning does.
    desk.clock.set(START + timedelta(hours=8.9))
    await desk.tick()
    assert levels(await desk.get(ticket["number"]), "resolution")["warning"][1] is None
    desk.clock.set(START + timedelta(hours=9))
    await desk.tick()
    view = await desk.get(ticket["number"])
    assert levels(view, "resolution")["warning"] == (at(9), at(9))
    assert view["sla"]["state"] == "at_risk"
    # A resolved request's resolution clock stops counting: nothing more fires.
    _, view = await desk.move(view, "resolved", resolution="ok")
    desk.clock.advance(10 * H)
    assert await desk.tick() == []


LEVELS_NAMES = ("warning", "breach", "escalate")


async def test_levels_fire_once_with_their_actions(desk: Desk) -> None:
    await set_up(desk)
    ticket = await desk.create(group="l1")  # handler a-1, first response due in 1 h
    desk.clock.advance(0.8 * H)
    await desk.tick()
    view = await desk.get(ticket["number"])
    assert (view["sla"]["state"], view["priority"], view["version"]) == ("at_risk", "normal", 1)
    desk.clock.advance(0.8 * H)  # 1.6 h: breach and escalate of the first response
    await desk.tick()
    view = await desk.get(ticket["number"])
    assert (view["priority"], view["group"], view["handler"]) == ("urgent", "leads", "s-1")
    assert view["sla"]["state"] == "breached"
    assert view["version"] == 3  # two escalations changed what people edit
    assert levels(view, "first_response") == {
        "warning": (at(0.75), at(0.8)),
        "breach": (at(1), at(1.6)),
        "escalate": (at(1.5), at(1.6)),
    }
    sla = [(h["actor"], h["field"], h["old"], h["new"]) for h in view["history"][5:]]
    assert sla == [
        ("sla", "sla", None, {"clock": "first_response", "level": "warning", "due_at": at(0.75)}),
        ("sla", "sla", None, {"clock": "first_response", "level": "breach", "due_at": at(1)}),
        ("sla", "priority", "normal", "urgent"),
        ("sla", "sla", None, {"clock": "first_response", "level": "escalate", "due_at": at(1.5)}),
        ("sla", "group", "l1", "leads"),
        ("sla", "handler", "a-1", "s-1"),
    ]
    floor = await desk.messages("floor", "sla")
    assert [(m["clock"], m["level"]) for m in floor] == [
        ("first_response", "warning"),
        ("first_response", "breach"),
        ("first_response", "escalate"),
    ]
    assert [m["level"] for m in await desk.messages("agent:a-1", "sla")] == [
        "warning",
        "breach",
        "escalate",
    ]
    assert [m["level"] for m in await desk.messages("agent:s-1", "sla")] == ["escalate"]
    # Ticking again, or much later, fires nothing more for these levels.
    assert await desk.tick() == []
    assert await desk.count(store.history_t, store.history_t.c.field == "sla") == 3


async def test_policy_change_recomputes_open_requests(desk: Desk) -> None:
    await set_up(desk)
    ticket = await desk.create()
    closed = await desk.create()
    _, closed = await desk.move(closed, "resolved", resolution="done")
    _, closed = await desk.move(closed, "closed")
    desk.clock.advance(0.5 * H)  # nothing due yet (the first-response warning is at 0.75 h)
    tighter = [{**POLICIES[0], "resolution": "4h", "first_response": None}, POLICIES[1]]
    answer = await desk.ok(
        "PUT",
        "/api/v1/sla-policies",
        {
            "policies": [
                *tighter,
                {"name": "refunds", "categories": ["refund"], "calendar": "always"},
            ]
        },
    )
    assert answer["recomputed"] == 1  # the open one
    assert answer["recompute_pending"] is False
    assert [(w["kind"], w["policy"], w["field"]) for w in answer["warnings"]] == [
        ("unreachable", "refunds", "policies.2")
    ]
    view = await desk.get(ticket["number"])
    assert [c["clock"] for c in view["sla"]["clocks"]] == ["resolution"]
    assert levels(view, "resolution")["breach"] == (at(4), None)
    # Only the closed request keeps first-response deadlines (never due: it was answered).
    assert await desk.count(store.timers_t, store.timers_t.c.clock == "first_response") == 3
    assert (await desk.get(closed["number"]))["sla"]["clocks"][1]["target_seconds"] == 8 * H
    # A level that fired stays fired when the policy moves it.
    desk.clock.advance(2.5 * H)  # 3 h: warning (3 h) fires
    await desk.tick()
    await desk.ok("PUT", "/api/v1/sla-policies", {"policies": POLICIES})
    view = await desk.get(ticket["number"])
    assert levels(view, "resolution")["warning"] == (at(3), at(3))
    assert levels(view, "resolution")["breach"] == (at(8), None)
    listed = await desk.ok("GET", "/api/v1/sla-policies")
    assert [p["name"] for p in listed["policies"]] == ["billing", "default"]
    assert listed["policies"][0]["resolution"] == "8h"


async def test_calendar_change_recomputes_open_requests(desk: Desk) -> None:
    await set_up(desk)
    ticket = await desk.create(category="outage")  # default policy: office, 4 h / 40 h
    assert levels(ticket, "first_response")["breach"] == (at(5.5), None)  # Mon 14:30 Shanghai
    closed_monday = {**ALWAYS_OFFICE, "closed_dates": ["2026-01-05"]}
    answer = await desk.ok("PUT", "/api/v1/calendars/office", closed_monday)
    assert (answer["recomputed"], answer["version"]) == (1, 2)
    view = await desk.get(ticket["number"])
    assert levels(view, "first_response")["breach"] == (at(24 + 5.5), None)  # Tue 14:30
    cn = {**ALWAYS_OFFICE, "holidays": {"country": "CN", "years": [2026]}}
    answer = await desk.ok("PUT", "/api/v1/calendars/office", cn)
    assert "2026-02-14" in answer["resolved"]["extra_working_days"]
    assert "2026-10-01" in answer["resolved"]["holidays"]
    status, error = await desk.call("DELETE", "/api/v1/calendars/office")
    assert (status, error["error"]["field"]) == (409, "id")


ALWAYS_OFFICE = {
    "name": "Shanghai office",
    "timezone": "Asia/Shanghai",
    "weekly": {d: ["09:00-12:00", "13:30-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
}


async def test_bad_calendars_and_policies_are_refused_whole(desk: Desk) -> None:
    await set_up(desk)
    bad_calendars = [
        ({**ALWAYS, "weekly": {"mon": ["09:00-12:00", "11:00-13:00"]}}, "weekly.mon"),
        ({**ALWAYS, "weekly": {"mon": [], "tue": []}}, "weekly"),
        ({**ALWAYS, "weekly": {"funday": ["09:00-10:00"]}}, "weekly.funday"),
        ({**ALWAYS, "weekly": {"mon": ["18:00-09:00"]}}, "weekly.mon"),
        ({**ALWAYS, "timezone": "Mars/Olympus"}, "timezone"),
        ({**ALWAYS, "holidays": {"country": "XX"}}, "holidays.country"),
        ({**ALWAYS, "special_hours": {"2026-05-01": ["10:00-09:00"]}}, "special_hours.2026-05-01"),
        (
            {**ALWAYS, "extra_working_days": ["2026-02-14"], "closed_dates": ["2026-02-14"]},
            "extra_working_days",
        ),
    ]
    before = await desk.ok("GET", "/api/v1/calendars/always")
    for body, field in bad_calendars:
        status, error = await desk.call("PUT", "/api/v1/calendars/always", body)
        assert (status, error["error"]["field"]) == (400, field), (body, error)
    assert await desk.ok("GET", "/api/v1/calendars/always") == before

    bad_policies = [
        ([POLICIES[0], {**POLICIES[1], "name": "billing"}], "policies.1.name"),
        ([{**POLICIES[0], "calendar": "nowhere"}], "policies.0.calendar"),
        ([{**POLICIES[0], "categories": ["billing", "nope"]}], "policies.0.categories.1"),
        ([{**POLICIES[0], "resolution": "soon"}], "policies.0.resolution"),
        ([{**POLICIES[0], "resolution": -5}], "policies.0.resolution"),
        ([{**POLICIES[0], "levels": [LEVELS[0], LEVELS[0]]}], "policies.0.levels"),
        (
            [{**POLICIES[0], "levels": [{"name": "x", "fraction": 1, "move_to_group": "nope"}]}],
            "policies.0.levels.0.move_to_group",
        ),
    ]
    for policies, field in bad_policies:
        status, error = await desk.call("PUT", "/api/v1/sla-policies", {"policies": policies})
        assert (status, error["error"]["field"]) == (400, field), (policies, error)
    listed = await desk.ok("GET", "/api/v1/sla-policies")
    assert [p["name"] for p in listed["policies"]] == ["billing", "default"]


async def test_resolved_requests_close_by_themselves(desk: Desk) -> None:
    await set_up(desk)
    await desk.ok("PUT", "/api/v1/ticket-settings", {"auto_close_days": 2})
    ticket = await desk.create(group="l1")
    _, ticket = await desk.move(ticket, "resolved", resolution="已处理")
    desk.clock.advance(47 * H)
    await desk.tick()
    assert (await desk.get(ticket["number"]))["status"] == "resolved"
    desk.clock.advance(1 * H)
    await desk.tick()
    view = await desk.get(ticket["number"])
    assert (view["status"], view["closed_at"]) == ("closed", at(48))
    assert view["history"][-1]["actor"] == "system"
    assert view["sla"]["clocks"][1]["state"] == "met"
    assert (await desk.messages("agent:a-1", "ticket"))[-1]["status"] == "closed"


async def test_two_schedulers_fire_each_level_once(settings: Settings, backend: str) -> None:
    """Two schedulers with their own writers on one database (two app instances on one
    PostgreSQL schema; on SQLite, a second database handle on the same file) race for the
    same due deadlines: every level fires exactly once."""
    async with open_desk(settings) as desk:
        policies = [
            {"name": "all", "first_response": "1h", "resolution": "2h", "calendar": "always"}
        ]
        await set_up(desk, policies)
        numbers = [(await desk.create(group="l1"))["number"] for _ in range(25)]
        # The racing schedulers' clock is 4 h on: every level of both clocks is due (25 x 6).
        # The servers' own clock stays put, so their background schedulers stay out of it.
        racing = ManualClock(START + timedelta(hours=4))
        second_app = None
        second_db = None
        if backend == "postgresql":
            second_app, second_server = await start_server(settings, desk.clock)
            other_database = second_app[DATABASE]
        else:
            second_db = other_database = Database(settings)
        try:
            schedulers = [
                Scheduler(desk.live.app[DATABASE], racing, batch=7),
                Scheduler(other_database, racing, batch=7),
            ]
            fired = await asyncio.gather(*(s.tick() for s in schedulers * 3))
        finally:
            if second_app is not None:
                await second_server.close()
            if second_db is not None:
                await second_db.close()
        ids = [f.timer_id for batch in fired for f in batch]
        assert sum(len(batch) for batch in fired) == 25 * 6
        assert len(ids) == len(set(ids))
        t = store.timers_t
        assert await desk.count(t, t.c.fired_at.is_not(None)) == 25 * 6
        assert await desk.count(t, t.c.due_at.is_not(None)) == 0
        h = store.history_t
        async with desk.live.app[DATABASE].engine.connect() as conn:
            per_level = await conn.execute(
                select(h.c.ticket_id, h.c.new, func.count())
                .where(h.c.field == "sla")
                .group_by(h.c.ticket_id, h.c.new)
            )
            counts = [row[2] for row in per_level]
        assert counts == [1] * (25 * 6)
        assert len(await desk.messages("floor", "sla")) == 25 * 6
        view = await desk.get(numbers[0])
        assert all(fired_at for _, fired_at in levels(view, "resolution").values())


async def test_scheduler_fires_in_the_background(settings: Settings) -> None:
    """Without anyone calling tick: the server's own scheduler wakes and fires."""
    async with open_desk(settings) as desk:
        await set_up(desk)
        ticket = await desk.create(group="l1")
        desk.clock.advance(0.8 * H)
        async with asyncio.timeout(5):
            while not await desk.messages("floor", "sla"):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        view = await desk.get(ticket["number"])
        assert view["sla"]["state"] == "at_risk"
