"""The floor service and the reports on a real server: one hand-built day of calls.

Real CTI events go to a real in-process server; the board's figures (the floor snapshot on the
supervisors' socket) must equal the interval report's rows summed over the same period.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from routing.floor import FLOOR
from routing.state_log import state_log_t
from switchboard.core.clock import ManualClock
from switchboard.core.http import CLOCK, DATABASE
from switchboard.core.settings import Settings
from tests.conftest import LiveServer, start_server

# 09:46 in Shanghai (the default floor time zone).
NOW = datetime(2026, 11, 23, 1, 46, tzinfo=UTC)


def ev(call: str, n: int, type_: str, at: str, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": f"{call}-{n}",
        "call_id": call,
        "type": type_,
        "from": f"+86138000000{call[-1]}",
        "to": "4008001234",
        "at": f"2026-11-23T{at}+08:00",
        **extra,
    }


DAY = [
    # c1: answered in 10 s, within the 20 s threshold.
    ev("c1", 1, "ringing", "09:00:00", queue="sales"),
    ev("c1", 2, "answered", "09:00:10", agent="1001"),
    ev("c1", 3, "ended", "09:02:00", cause="normal"),
    # c2: a short abandon (3 s).
    ev("c2", 1, "ringing", "09:05:00", queue="sales"),
    ev("c2", 2, "abandoned", "09:05:03"),
    # c3: offered in the 09:00 interval, answered in the 09:15 one, after 30 s.
    ev("c3", 1, "ringing", "09:14:50", queue="sales"),
    ev("c3", 2, "answered", "09:15:20", agent="1002"),
    ev("c3", 3, "ended", "09:16:00", cause="normal"),
    # c4: answered in sales, transferred to support, answered there after 30 s.
    ev("c4", 1, "ringing", "09:20:00", queue="sales"),
    ev("c4", 2, "answered", "09:20:05", agent="1002"),
    ev("c4", 3, "transferred", "09:21:00", queue="support"),
    ev("c4", 4, "answered", "09:21:30", agent="1001"),
    ev("c4", 5, "ended", "09:23:00", cause="normal"),
    # c6: abandoned after 40 s.
    ev("c6", 1, "ringing", "09:30:00", queue="sales"),
    ev("c6", 2, "abandoned", "09:30:40"),
    # c5: still waiting in support.
    ev("c5", 1, "ringing", "09:40:00", queue="support"),
]


@pytest.fixture
async def day(settings: Settings) -> AsyncIterator[LiveServer]:
    """The day above, lived: the server's clock follows the events, agents log in at 08:59."""
    clock = ManualClock(datetime(2026, 11, 23, 0, 59, tzinfo=UTC))
    app, server = await start_server(settings, clock)
    async with aiohttp.ClientSession() as session:
        live = LiveServer(app, server, session, settings)
        admin = await live.token("admin", "boss")
        for queue in ("sales", "support"):
            body = {"id": queue, "name": queue.title(), "service_level_target": 0.9}
            assert (await live.call("POST", "/api/v1/queues", admin, json=body))[0] == 201
        for agent_id, extension in (("a-1001", "1001"), ("a-1002", "1002")):
            body = {"id": agent_id, "name": f"坐席{extension}", "extension": extension}
            assert (await live.call("POST", "/api/v1/agents", admin, json=body))[0] == 201
            path = f"/api/v1/agents/{agent_id}/state"
            assert (await live.call("POST", path, admin, json={"state": "available"}))[0] == 200
        cti = await live.token("cti", "pbx1")
        for event in sorted(DAY, key=lambda e: e["at"]):
            clock.set(datetime.fromisoformat(event["at"]))
            status, _ = await live.call("POST", "/api/v1/cti/events", cti, json=event)
            assert status == 200
        clock.set(NOW)
        yield live
    await server.close()


async def board(live: LiveServer) -> dict[str, Any]:
    await live.app[FLOOR].refresh()
    token = await live.token("supervisor", "sup")
    url = live.url.replace("http://", "ws://") + "/api/v1/floor/ws"
    async with live.session.ws_connect(url, headers={"Authorization": f"Bearer {token}"}) as ws:
        msg = await ws.receive(timeout=15)
        data: dict[str, Any] = json.loads(msg.data)
    assert data["type"] == "floor_snapshot"
    return data


async def test_board_figures_are_the_hand_computed_ones(day: LiveServer) -> None:
    snap = await board(day)
    tiles = {t["queue"]: t for t in snap["queues"]}
    sales, support = tiles["sales"], tiles["support"]
    assert (sales["offered"], sales["answered"], sales["abandoned"]) == (5, 3, 2)
    assert sales["short_abandons"] == 1
    assert sales["service_level"] == 0.5  # 2 answered within 20 s of 5 offered less 1 short
    assert sales["service_level_target"] == 0.9
    assert sales["asa_s"] == pytest.approx((10 + 30 + 5) / 3, abs=0.1)
    assert (support["offered"], support["answered"], support["waiting_now"]) == (2, 1, 1)
    assert support["longest_wait_s"] == 360
    assert support["service_level"] == 0.0
    assert len(sales["sl_history"]) == 20  # 30-minute intervals from midnight to 09:46
    # 09:00-09:30: c1 and c4 in time of c1, c2 (short), c3, c4; 09:30: c6 abandoned.
    assert sales["sl_history"][18] == pytest.approx(2 / 3, abs=1e-3)
    assert sales["sl_history"][19] == 0.0
    assert sales["sl_history"][:18] == [None] * 18  # no call before 09:00: nothing to judge
    alarms = {a["key"] for a in snap["alarms"]}
    assert "call_waiting_too_long:support" in alarms
    assert {a["agent"] for a in snap["agents"]} == {"a-1001", "a-1002"}


@pytest.mark.parametrize("minutes", [15, 30, 60])
async def test_board_equals_the_summed_interval_report(day: LiveServer, minutes: int) -> None:
    snap = await board(day)
    token = await day.token("supervisor", "sup2")
    start = snap["period_start"]
    query = {"from": start, "to": "2026-11-23T09:46:00+08:00", "interval": str(minutes)}
    status, report = await day.call("GET", "/api/v1/reports/queues", token, params=query)
    assert status == 200, report
    for tile in snap["queues"]:
        rows = [r for r in report["rows"] if r["queue"] == tile["queue"]]
        for name in ("offered", "answered", "abandoned", "short_abandons"):
            assert sum(r[name] for r in rows) == tile[name], (tile["queue"], name)
        within = sum(r["answered_within"] for r in rows)
        short = sum(r["short_abandons"] for r in rows)
        offered = sum(r["offered"] for r in rows)
        assert tile["service_level"] == pytest.approx(within / (offered - short), abs=1e-4)
    status, agents = await day.call("GET", "/api/v1/reports/agents", token, params=query)
    assert status == 200, agents
    for row in snap["agents"]:
        mine = [r for r in agents["rows"] if r["agent"] == row["agent"]]
        assert sum(r["calls"] for r in mine) == row["calls"] > 0
        busy = sum(r["seconds_by_state"].get(s, 0) for r in mine for s in ("on_call", "wrap_up"))
        idle = sum(r["seconds_by_state"].get(s, 0) for r in mine for s in ("available", "reserved"))
        assert busy > 0
        assert row["occupancy"] == pytest.approx(busy / (busy + idle), abs=1e-3)


async def test_report_rejects_a_bad_interval_naming_the_field(day: LiveServer) -> None:
    token = await day.token("supervisor", "sup3")
    status, body = await day.call("GET", "/api/v1/reports/queues", token, params={"interval": "20"})
    assert status == 400
    assert body["error"]["field"] == "interval"
    agent = await day.token("agent", "a", agent="a-1001")
    assert (await day.call("GET", "/api/v1/reports/agents", agent))[0] == 403


async def test_state_changes_are_logged_and_reach_the_board(day: LiveServer) -> None:
    admin = await day.token("admin", "boss2")
    path = "/api/v1/agents/a-1001/state"
    body = {"state": "break", "reason": "午饭"}
    assert (await day.call("POST", path, admin, json=body))[0] == 200
    async with day.app[DATABASE].engine.connect() as conn:
        rows = list(
            await conn.execute(select(state_log_t).where(state_log_t.c.agent_id == "a-1001"))
        )
    assert rows[-1].state == "break"
    assert rows[-1].reason == "午饭"
    snap = await board(day)
    row = {a["agent"]: a for a in snap["agents"]}["a-1001"]
    assert (row["state"], row["reason"]) == ("break", "午饭")
    # Nothing changed: nothing to send. A second later only the waiting caller's tile moves.
    assert await day.app[FLOOR].refresh() is None
    clock = day.app[CLOCK]
    assert isinstance(clock, ManualClock)
    clock.advance(1)
    update = await day.app[FLOOR].refresh()
    assert update is not None
    assert [(t.queue, t.longest_wait_s) for t in update.queues] == [("support", 361.0)]
    assert update.agents == []


async def test_supervisor_actions_are_audited(day: LiveServer) -> None:
    sup = await day.token("supervisor", "王主管")
    ok = (200, 201)
    path = "/api/v1/agents/a-1001/state"
    assert (await day.call("POST", path, sup, json={"state": "not_ready"}))[0] in ok
    assert (await day.call("POST", path, sup, json={"state": "offline"}))[0] in ok
    skills = {"skills": {"billing": 3}, "force": True}
    assert (await day.call("PUT", "/api/v1/agents/a-1002/skills", sup, json=skills))[0] in ok
    campaign = {"id": "k1", "name": "宽带续费", "mode": "preview", "agents": ["a-1001"]}
    admin = await day.token("admin", "root")
    assert (await day.call("POST", "/api/v1/campaigns", admin, json=campaign))[0] in ok
    assert (await day.call("POST", "/api/v1/campaigns/k1/pause", sup))[0] in ok
    assert (await day.call("POST", "/api/v1/campaigns/k1/resume", sup))[0] in ok
    refund = {"id": "refund", "name": "退款"}
    assert (await day.call("POST", "/api/v1/ticket-categories", admin, json=refund))[0] == 201
    body = {"title": "退款未到账", "category": "refund", "channel": "phone"}
    status, ticket = await day.call("POST", "/api/v1/tickets", sup, json=body)
    assert status == 201, ticket
    patch = {"version": ticket["version"], "handler": "a-1002"}
    number = ticket["number"]
    assert (await day.call("PATCH", f"/api/v1/tickets/{number}", sup, json=patch))[0] == 200
    # An agent choosing its own state is not a supervisor action; a refused action leaves no row.
    agent = await day.token("agent", "a2", agent="a-1002")
    mine = {"state": "break"}
    assert (await day.call("POST", "/api/v1/agents/a-1002/state", agent, json=mine))[0] == 200
    bad = {"state": "on_call"}
    assert (await day.call("POST", path, sup, json=bad))[0] == 409

    status, log = await day.call("GET", "/api/v1/audit", sup, params={"limit": "50"})
    assert status == 200
    # (The admin who logged the agents in this morning is in the log too.)
    entries = [e for e in reversed(log["entries"]) if e["actor"] == "王主管"]
    assert [(e["action"], e["subject"]) for e in entries] == [
        ("agent_state", "a-1001"),
        ("agent_logout", "a-1001"),
        ("agent_queues", "a-1002"),
        ("campaign_pause", "k1"),
        ("campaign_resume", "k1"),
        ("request_reassign", number),
    ]
    assert {(e["actor"], e["role"]) for e in entries} == {("王主管", "supervisor")}
    assert entries[0]["at"] == NOW.isoformat()
    assert entries[-1]["detail"] == {"handler": "a-1002"}
    assert (await day.call("GET", "/api/v1/audit", agent))[0] == 403
    assert (await day.call("GET", "/api/v1/audit", sup, params={"limit": "0"}))[1]["error"][
        "field"
    ] == "limit"


async def test_metrics_export_the_board_figures(day: LiveServer) -> None:
    await board(day)
    status, text = await day.call("GET", "/metrics")
    assert status == 200
    assert 'switchboard_queue_offered_today{queue="sales"} 5.0' in text
    assert 'switchboard_queue_service_level{queue="sales"} 0.5' in text
    assert 'switchboard_queue_waiting{queue="support"} 1.0' in text
    assert 'switchboard_queue_longest_wait_seconds{queue="support"} 360.0' in text
    assert 'switchboard_agents{state="available"}' in text


@pytest.mark.parametrize("fmt", ["csv", "json"])
async def test_report_command_gives_the_same_rows(day: LiveServer, fmt: str) -> None:
    import argparse
    import csv
    import io

    from switchboard import report_cli

    snap = await board(day)
    args = argparse.Namespace(
        kind="queues",
        start="2026-11-23T00:00",
        end="2026-11-23T09:46",
        interval=15,
        format=fmt,
    )
    text = await asyncio.to_thread(report_cli.run, args, day.settings)
    rows = json.loads(text) if fmt == "json" else list(csv.DictReader(io.StringIO(text)))
    for tile in snap["queues"]:
        mine = [r for r in rows if r["queue"] == tile["queue"]]
        assert len(mine) == 4 * 9 + 4  # 15-minute rows from midnight to 09:46
        for name in ("offered", "answered", "abandoned"):
            assert sum(int(r[name]) for r in mine) == tile[name]


async def test_a_new_day_starts_the_figures_again(day: LiveServer) -> None:
    await board(day)
    clock = day.app[CLOCK]
    assert isinstance(clock, ManualClock)
    clock.set(datetime(2026, 11, 23, 16, 0, 5, tzinfo=UTC))  # 00:00:05 in Shanghai
    snap = await board(day)
    assert snap["period_start"].startswith("2026-11-24T00:00:00")
    tiles = {t["queue"]: t for t in snap["queues"]}
    assert (tiles["sales"]["offered"], tiles["sales"]["answered"]) == (0, 0)
    # The caller who has waited since yesterday still waits.
    assert (tiles["support"]["offered"], tiles["support"]["waiting_now"]) == (0, 1)
    assert {a["agent"]: a["calls"] for a in snap["agents"]} == {"a-1001": 0, "a-1002": 0}


async def test_the_floor_socket_is_for_supervisors(day: LiveServer) -> None:
    url = day.url.replace("http://", "ws://") + "/api/v1/floor/ws"
    agent = await day.token("agent", "a1", agent="a-1001")
    for headers, status in (({}, 401), ({"Authorization": f"Bearer {agent}"}, 403)):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await day.session.ws_connect(url, headers=headers)
        assert refused.value.status == status


async def test_campaign_tiles_and_the_abandon_cap_alarm(day: LiveServer) -> None:
    from routing.outbound.store import campaign_calls_t

    admin = await day.token("admin", "root2")
    campaign = {"id": "k2", "name": "宽带续费", "mode": "preview", "agents": ["a-1001"]}
    assert (await day.call("POST", "/api/v1/campaigns", admin, json=campaign))[0] == 201
    dialed = datetime(2026, 11, 23, 1, 10, tzinfo=UTC)
    rows = [
        {
            "campaign_id": "k2",
            "lead_id": f"l{n}",
            "call_id": f"o{n}",
            "number": f"+8613900000{n:03d}",
            "dialed_at": dialed,
            "answered_at": dialed if n < 8 else None,
            "abandoned": n == 0,
            "talk_s": 30.0 if 0 < n < 8 else 0.0,
        }
        for n in range(10)
    ]
    await day.app[DATABASE].writer.run(lambda c: c.execute(campaign_calls_t.insert(), rows))
    day.app[FLOOR]._config_due = 0.0  # campaigns are read every few seconds: now
    snap = await board(day)
    (tile,) = [c for c in snap["campaigns"] if c["campaign"] == "k2"]
    assert (tile["dials"], tile["connects"], tile["status"]) == (10, 8, "running")
    assert tile["abandon_rate"] == 0.125  # 1 of 8 connects, over the 3% cap
    alarms = {a["key"]: a for a in snap["alarms"]}
    assert alarms["campaign_near_abandon_cap:k2"]["severity"] == "critical"


async def test_an_adapter_down_raises_an_alarm_and_clears_it(day: LiveServer) -> None:
    from routing.metrics.alarms import AdapterHealth

    service = day.app[FLOOR]
    await service.refresh()  # the day's other alarms
    health = [AdapterHealth("asterisk", False)]
    service.adapters = lambda: health
    update = await service.refresh()
    assert update is not None
    assert [a.key for a in update.alarms_raised] == ["adapter_down:asterisk"]
    health[0] = AdapterHealth("asterisk", True)
    update = await service.refresh()
    assert update is not None
    assert update.alarms_cleared == ["adapter_down:asterisk"]


async def test_sla_deadlines_raise_alarms_and_the_sla_report_counts_them(day: LiveServer) -> None:
    admin = await day.token("admin", "desk")
    week = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    always = {"name": "24/7", "timezone": "UTC", "weekly": {d: ["00:00-24:00"] for d in week}}
    assert (await day.call("PUT", "/api/v1/calendars/always", admin, json=always))[0] == 200
    category = {"id": "billing", "name": "账务"}
    assert (await day.call("POST", "/api/v1/ticket-categories", admin, json=category))[0] == 201
    policy = {
        "name": "快速",
        "categories": ["billing"],
        "first_response": "10m",
        "resolution": "1h",
        "calendar": "always",
        "levels": [{"name": "breach", "fraction": 1.0}],
    }
    body = {"policies": [policy]}
    assert (await day.call("PUT", "/api/v1/sla-policies", admin, json=body))[0] == 200
    ticket = {"title": "账单错误", "category": "billing", "channel": "phone"}
    status, created = await day.call("POST", "/api/v1/tickets", admin, json=ticket)
    assert status == 201, created
    service = day.app[FLOOR]
    service._config_due = 0.0
    snap = await board(day)
    alarms = {a["key"]: a for a in snap["alarms"]}
    # The first response is due in 10 minutes: about to breach.
    assert alarms[f"sla_about_to_breach:{created['number']}"]["severity"] == "warning"
    sup = await day.token("supervisor", "sup-sla")
    query = {"from": "2026-11-23T00:00", "to": "2026-11-24T00:00"}
    status, report = await day.call("GET", "/api/v1/reports/sla", sup, params=query)
    assert status == 200
    assert {(r["policy"], r["category"], r["clock"], r["requests"]) for r in report["rows"]} >= {
        ("快速", "billing", "first_response", 1)
    }
    # Eleven minutes on, the first response is late.
    clock = day.app[CLOCK]
    assert isinstance(clock, ManualClock)
    clock.advance(11 * 60)
    service._config_due = 0.0
    update = await service.refresh()
    assert update is not None
    raised = {a.key: a.severity for a in update.alarms_raised}
    assert raised[f"sla_breached:{created['number']}"] == "critical"
    assert f"sla_about_to_breach:{created['number']}" in update.alarms_cleared


async def test_wrap_up_after_a_call_counts_in_its_handling_time(settings: Settings) -> None:
    clock = ManualClock(datetime(2026, 11, 23, 0, 59, tzinfo=UTC))
    app, server = await start_server(settings, clock)
    try:
        async with aiohttp.ClientSession() as session:
            live = LiveServer(app, server, session, settings)
            admin = await live.token("admin", "boss")
            assert (await live.call("POST", "/api/v1/queues", admin, json={"id": "sales"}))[
                0
            ] == 201
            body = {"id": "a-1001", "name": "张伟", "extension": "1001"}
            assert (await live.call("POST", "/api/v1/agents", admin, json=body))[0] == 201
            path = "/api/v1/agents/a-1001/state"
            assert (await live.call("POST", path, admin, json={"state": "available"}))[0] == 200
            cti = await live.token("cti", "pbx1")
            for event in DAY[:3]:  # c1: answered at 09:00:10, ended at 09:02:00
                clock.set(datetime.fromisoformat(event["at"]))
                assert (await live.call("POST", "/api/v1/cti/events", cti, json=event))[0] == 200
            service = app[FLOOR]
            await service.refresh()
            assert service.queue_tiles["sales"].aht_s == 110.0  # talk only, no wrap-up yet
            wrap = {"state": "wrap_up", "seconds": 60}
            assert (await live.call("POST", path, admin, json=wrap))[0] == 200
            clock.advance(45)
            assert (await live.call("POST", path, admin, json={"state": "available"}))[0] == 200
            clock.advance(1)
            await service.refresh()
            assert service.queue_tiles["sales"].aht_s == 155.0  # 110 s talk + 45 s wrap-up
            assert service.agent_rows["a-1001"].aht_s == 155.0
    finally:
        await server.close()


async def test_board_and_report_give_the_same_leaderboard(day: LiveServer, tmp_path: Any) -> None:
    import argparse
    import csv
    import io

    from switchboard import report_cli

    admin = await day.token("admin", "boss2")
    for agent_id, team, region in (("a-1001", "east-1", "华东"), ("a-1002", "south-1", "华南")):
        body = {"team": team, "region": region}
        status, _ = await day.call("PATCH", f"/api/v1/agents/{agent_id}", admin, json=body)
        assert status == 200
    targets = tmp_path / "targets.toml"
    targets.write_text(
        '[team."east-1"]\nanswered = ">= 2"\naht_s = "<= 60 s"\n\n[queue.sales]\n'
        'service_level = ">= 90%"\n',
        encoding="utf-8",
    )
    service = day.app[FLOOR]
    service.targets_file = targets
    await service.refresh(full=True)
    snap = await board(day)
    shown = {(r["by"], r["key"]): r for r in snap["leaderboard"]}
    for by in ("team", "region"):
        args = argparse.Namespace(
            kind="leaderboard",
            start="2026-11-23T00:00",
            end="2026-11-23T09:46",
            interval=30,
            format="json",
            by=by,
            sort="answered",
            figures=None,
            targets=str(targets),
        )
        rows = json.loads(await asyncio.to_thread(report_cli.run, args, day.settings))
        assert {r[by] for r in rows} == {k for b, k in shown if b == by}
        query = {"from": args.start, "to": args.end, "by": by}
        status, over_http = await day.call(
            "GET", "/api/v1/reports/leaderboard", admin, params=query
        )
        assert (status, over_http["rows"]) == (200, rows)
        for row in rows:
            live = shown[(by, row[by])]
            assert (row["agents"], row["answered"]) == (live["agents"], live["answered"])
            # The board rounds AHT to 0.1 s and shares to 4 places, as it does for queues.
            assert row["aht_s"] == pytest.approx(live["aht_s"], abs=0.05)
            for name in ("fcr", "occupancy", "service_level"):
                assert row[name] == pytest.approx(live[name], abs=1e-4), (by, row[by], name)
            if row[by] == "east-1":
                assert row["target.aht_s"] == {
                    "value": 100.0,
                    "op": "<=",
                    "target": 60.0,
                    "attained": 0.6,
                    "met": "no",
                }
    args.by, args.format, args.sort = "team", "csv", "aht_s"
    text = await asyncio.to_thread(report_cli.run, args, day.settings)
    table = list(csv.DictReader(io.StringIO(text)))
    assert [(r["rank"], r["team"]) for r in table] == [("1", "south-1"), ("2", "east-1")]
    assert (table[1]["target.aht_s.met"], table[1]["target.answered.met"]) == ("no", "yes")
    status, body = await day.call("GET", "/api/v1/reports/leaderboard?by=site", admin)
    assert (status, body["error"]["field"]) == (400, "by")
    status, body = await day.call("GET", "/api/v1/reports/targets", admin, params=query)
    assert status == 200
    assert [(r["scope"], r["subject"], r["figure"], r["met"]) for r in body["rows"]] == [
        ("team", "east-1", "answered", "yes"),
        ("team", "east-1", "aht_s", "no"),
        ("queue", "sales", "service_level", "no"),
    ]
    east = shown[("team", "east-1")]
    # a-1001 answered c1 (110 s) and c4 in support (90 s): 2 answered, AHT 100 s > 60 s.
    assert (east["answered"], east["aht_s"]) == (2, 100.0)
    assert [(t["figure"], t["met"]) for t in east["targets"]] == [
        ("answered", True),
        ("aht_s", False),
    ]
    assert shown[("queue", "sales")]["targets"][0]["attained"] == pytest.approx(0.5 / 0.9, 1e-3)


async def test_a_bad_targets_file_is_refused_naming_the_line(
    day: LiveServer, tmp_path: Any
) -> None:
    import argparse

    from switchboard import report_cli
    from switchboard.report_cli import ReportError

    targets = tmp_path / "targets.toml"
    targets.write_text('[team."east-1"]\n\naht_s = "fast"\n', encoding="utf-8")
    args = argparse.Namespace(
        kind="leaderboard",
        start=None,
        end=None,
        interval=30,
        format="csv",
        by="team",
        sort="answered",
        figures=None,
        targets=str(targets),
    )
    with pytest.raises(ReportError, match=rf"^{targets}:3: team.east-1.aht_s: write the target"):
        await asyncio.to_thread(report_cli.run, args, day.settings)


async def test_the_floor_keeps_its_targets_when_the_file_goes_bad(
    day: LiveServer, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import os

    targets = tmp_path / "targets.toml"
    targets.write_text('[team."east-1"]\nanswered = ">= 2"\n', encoding="utf-8")
    service = day.app[FLOOR]
    service.targets_file = targets
    await service.refresh(full=True)
    assert [(t.scope, t.figure) for t in service.targets.targets] == [("team", "answered")]
    targets.write_text('[team."east-1"]\nanswered = "lots"\n', encoding="utf-8")
    os.utime(targets, (1_900_000_000, 1_900_000_000))  # a new mtime, whatever the clock
    with caplog.at_level("ERROR", logger="routing.floor"):
        await service.refresh(full=True)
    assert f"{targets}:2: team.east-1.answered: write the target" in caplog.text
    assert [(t.scope, t.figure) for t in service.targets.targets] == [("team", "answered")]
