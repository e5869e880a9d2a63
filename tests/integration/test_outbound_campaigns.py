"""Outbound campaigns in the server: the dialer dials through a fake command port.

The clock is manual (10:00 in Shanghai, 21:00 the evening before in New York) and the dialer
is ticked by the test; its own once-a-second loop may tick too, which only repeats decisions
already made (agents already held, leads already taken).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from customers.leads.store import abandoned_t, dnc_t, get_lead, upsert_leads
from routing.outbound.dialer import DIALER
from routing.service import TELEPHONY
from switchboard.app import create_app
from switchboard.core.clock import ManualClock
from switchboard.core.http import DATABASE
from switchboard.core.settings import Settings
from switchboard.lead_cli import cmd_import_leads
from switchboard.migrate import upgrade
from tests.conftest import LiveServer

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 Shanghai, 21:00 New York


class FakePhone:
    """The telephony command port, recording what it was told."""

    def __init__(self) -> None:
        self.originated: list[dict[str, Any]] = []
        self.transfers: list[tuple[str, str]] = []
        self.messages: list[tuple[str, str]] = []
        self.hangups: list[str] = []

    async def originate(self, *, number: str, agent: str, caller_id: str | None) -> str:
        self.originated.append({"number": number, "agent": agent, "caller_id": caller_id})
        return f"out-{len(self.originated)}"

    async def transfer(self, *, call_id: str, to: str) -> None:
        self.transfers.append((call_id, to))

    async def hangup(self, *, call_id: str, cause: str = "normal") -> None:
        self.hangups.append(call_id)

    async def play_message(self, *, call_id: str, message: str) -> None:
        self.messages.append((call_id, message))


@pytest.fixture
async def outbound(settings: Settings) -> AsyncIterator[tuple[LiveServer, FakePhone, ManualClock]]:
    await upgrade(settings)
    clock = ManualClock(START)
    app = create_app(settings, clock=clock)
    phone = FakePhone()
    app[TELEPHONY] = phone
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            yield LiveServer(app, server, session, settings), phone, clock
    finally:
        await server.close()


def lead(lead_id: str, phone: str, score: float, **extra: Any) -> dict[str, Any]:
    from customers.leads.numbers import read_number

    number = read_number(phone, "CN")
    row = {
        "id": lead_id,
        "name": lead_id,
        "phone_raw": phone,
        "phone_e164": number.e164 if number.problem is None else None,
        "zones": list(number.zones),
        "number_problem": number.problem,
        "source_channel": "web_form",
        "owner": None,
        "status": "outbound",
        "score": score,
        "lead_class": "B",
        "contributions": [],
        "attributes": {},
        "events": [],
        "outcomes": [],
        "consent": True,
        "campaign_id": None,
        "attempts": [],
        "next_attempt_at": None,
        "callback_agent": None,
        "last_touched_at": START,
        "created_at": START,
        "updated_at": START,
    }
    row.update(extra)
    return row


async def setup(live: LiveServer, agents: list[str], rows: list[dict[str, Any]]) -> str:
    admin = await live.token("admin", "adm")
    for agent in agents:
        spec = {"id": agent, "name": agent, "skills": {"outbound": 2}}
        assert (await live.call("POST", "/api/v1/agents", admin, json=spec))[0] == 201
        await set_state(live, admin, agent, "available")
    await live.app[DATABASE].writer.run(lambda c: upsert_leads(c, rows))
    return admin


async def set_state(live: LiveServer, admin: str, agent: str, state: str) -> None:
    body: dict[str, Any] = {"state": state}
    if state == "break":
        body["reason"] = "lunch"
    status, reply = await live.call("POST", f"/api/v1/agents/{agent}/state", admin, json=body)
    assert status == 200, reply


async def test_progressive_dials_within_the_law_and_reschedules_by_disposition(outbound) -> None:
    live, phone, _ = outbound
    rows = [
        lead("bad-number", "12345", 99),
        lead("on-dnc", "13900000002", 98),
        lead("no-consent", "13900000003", 97, consent=False),
        lead("new-york", "+1 212 555 0100", 96),
        lead("good-1", "13900000005", 50),
        lead("good-2", "13900000006", 40),
        lead("good-3", "13900000007", 30),
    ]
    admin = await setup(live, ["a-1", "a-2"], rows)
    await live.app[DATABASE].writer.run(
        lambda c: c.execute(
            dnc_t.insert().values(e164="+8613900000002", reason="asked", created_at=START)
        )
    )
    campaign = {
        "id": "c1",
        "name": "宽带续费",
        "mode": "progressive",
        "agents": ["a-1", "a-2"],
        "caller_id": "4008001234",
    }
    status, body = await live.call("POST", "/api/v1/campaigns", admin, json=campaign)
    assert status == 201, body
    assert body["leads"] == 7
    assert any("cannot be dialed" in w for w in body["warnings"])
    assert any("not consented" in w for w in body["warnings"])

    await live.app[DIALER].tick()
    await live.app[DIALER].tick()
    dialed = sorted(o["number"] for o in phone.originated)
    assert dialed == ["+8613900000005", "+8613900000006"]  # one per free agent, best first
    assert sorted(o["agent"] for o in phone.originated) == ["a-1", "a-2"]
    assert {o["caller_id"] for o in phone.originated} == {"4008001234"}

    status, stats = await live.call("GET", "/api/v1/campaigns/c1/stats", admin)
    assert status == 200, stats
    assert stats["dials"] == 2
    assert stats["leads_left"] == 7
    for code in ("invalid_number", "do_not_call", "no_consent", "outside_calling_hours"):
        assert stats["refusals"].get(code, 0) >= 1, (code, stats["refusals"])
    assert stats["abandon_cap"] == 0.03

    first, second = (f"out-{i}" for i in (1, 2))
    by_call = {f"out-{i + 1}": o for i, o in enumerate(phone.originated)}
    status, ended = await live.call(
        "POST", f"/api/v1/campaigns/c1/calls/{first}/end", admin, json={"disposition": "busy"}
    )
    assert status == 200, ended
    assert ended["next_attempt_at"] == (START + timedelta(minutes=30)).isoformat()
    status, ended = await live.call(
        "POST",
        f"/api/v1/campaigns/c1/calls/{second}/end",
        admin,
        json={"disposition": "do_not_call", "talk_s": 12},
    )
    assert (status, ended["status"], ended["next_attempt_at"]) == (200, "do_not_call", None)
    dnc_number = by_call[second]["number"]

    def listed(c: Any) -> bool:
        return c.execute(select(dnc_t.c.e164).where(dnc_t.c.e164 == dnc_number)).first() is not None

    assert await live.app[DATABASE].read(listed)
    status, again = await live.call(
        "POST", f"/api/v1/campaigns/c1/calls/{second}/end", admin, json={"disposition": "sale"}
    )
    assert (status, again["error"]["field"]) == (409, "call_id")

    # paused: no dials; resumed: the next lead, never the DNC one, never the busy one (30 min)
    assert (await live.call("POST", "/api/v1/campaigns/c1/pause", admin))[0] == 200
    await live.app[DIALER].tick()
    assert len(phone.originated) == 2
    assert (await live.call("POST", "/api/v1/campaigns/c1/resume", admin))[0] == 200
    await live.app[DIALER].tick()
    assert [o["number"] for o in phone.originated[2:]] == ["+8613900000007"]
    never = {"+8613900000002", "+8613900000003", "+12125550100"}
    assert never.isdisjoint(o["number"] for o in phone.originated)

    status, view = await live.call("GET", "/api/v1/leads/good-2", admin)
    assert (status, view["status"], view["attempts"]) == (200, "do_not_call", 1)
    assert view["contributions"][-1]["rule"] == "outcome:do_not_call"


async def test_predictive_answer_goes_to_a_free_agent_or_is_abandoned_with_the_message(
    outbound,
) -> None:
    live, phone, _ = outbound
    rows = [lead(f"p-{i}", f"1390000010{i}", 50 - i) for i in range(4)]
    admin = await setup(live, ["a-1"], rows)
    spec = {"id": "c2", "name": "predictive", "mode": "predictive", "agents": ["a-1"]}
    assert (await live.call("POST", "/api/v1/campaigns", admin, json=spec))[0] == 201
    await live.app[DIALER].tick()
    # no abandon budget yet (nothing answered): one line for the one free agent
    assert len(phone.originated) == 1
    assert phone.originated[0]["agent"] == "campaign-c2"

    cti = await live.token("cti", "pbx1")
    status, body = await live.call(
        "POST", "/api/v1/campaigns/c2/calls/out-1/answered", cti, json={}
    )
    assert (status, body["abandoned"], body["agent"]) == (200, False, "a-1")
    assert phone.transfers == [("out-1", "a-1")]
    await live.call(
        "POST",
        "/api/v1/campaigns/c2/calls/out-1/end",
        admin,
        json={"disposition": "not_interested", "talk_s": 60},
    )
    await live.app[DIALER].tick()
    assert len(phone.originated) == 2
    await set_state(live, admin, "a-1", "break")  # nobody free when the next one answers
    status, body = await live.call(
        "POST", "/api/v1/campaigns/c2/calls/out-2/answered", cti, json={}
    )
    assert (status, body["abandoned"]) == (200, True)
    assert phone.messages == [("out-2", "outbound-abandon")]
    abandoned_number = phone.originated[1]["number"]

    def blocked(c: Any) -> Any:
        return c.execute(select(abandoned_t).where(abandoned_t.c.e164 == abandoned_number)).first()

    assert await live.app[DATABASE].read(blocked) is not None
    status, stats = await live.call("GET", "/api/v1/campaigns/c2/stats", admin)
    assert stats["abandon_rate_24h"] == 0.5
    assert stats["connects"] == 1


async def test_preview_pushes_a_card_and_the_agent_dials_it(outbound) -> None:
    live, phone, _ = outbound
    admin = await setup(live, ["a-1"], [lead("v-1", "13900000201", 10)])
    spec = {"id": "c3", "name": "preview", "mode": "preview", "agents": ["a-1"]}
    assert (await live.call("POST", "/api/v1/campaigns", admin, json=spec))[0] == 201
    await live.app[DIALER].tick()
    assert phone.originated == []  # the agent sees the lead first

    def cards(c: Any) -> list[Any]:
        from switchboard.core.outbox import messages_t

        query = select(messages_t).where(
            (messages_t.c.channel == "agent:a-1") & (messages_t.c.type == "preview_card")
        )
        return [json.loads(row.body) for row in c.execute(query)]

    (card,) = await live.app[DATABASE].read(cards)
    assert (card["campaign"], card["lead"], card["number"]) == ("c3", "v-1", "+8613900000201")
    agent = await live.token("agent", "a-1", agent="a-1")
    status, body = await live.call("POST", "/api/v1/campaigns/c3/preview/v-1/dial", agent)
    assert (status, body["call_id"]) == (200, "out-1")
    assert phone.originated == [{"number": "+8613900000201", "agent": "a-1", "caller_id": None}]
    status, body = await live.call("POST", "/api/v1/campaigns/c3/preview/v-1/dial", agent)
    assert status == 409


async def test_campaigns_that_could_never_dial_are_refused_naming_the_field(outbound) -> None:
    live, _, _ = outbound
    admin = await setup(live, ["a-1"], [])
    cases = [
        ({"agents": []}, "agents"),
        ({"agents": ["ghost"]}, "agents.0"),
        ({"agents": [], "skills": {"french": 3}}, "skills"),
        ({"compliance": {"ring_time_s": 10}}, "compliance.ring_time_s"),
        ({"compliance": {"abandon_cap": 0.05}}, "compliance.abandon_cap"),
        ({"retry": {"do_not_call": "1d"}}, "retry.do_not_call"),
        ({"mode": "robocall"}, "mode"),
    ]
    for change, field in cases:
        spec = {"id": "bad", "name": "bad", "mode": "progressive", "agents": ["a-1"], **change}
        status, body = await live.call("POST", "/api/v1/campaigns", admin, json=spec)
        assert (status, body["error"]["field"]) == (400, field), (change, body)
    spec = {"id": "ok", "name": "ok", "mode": "progressive", "skills": {"outbound": 1}}
    status, body = await live.call("POST", "/api/v1/campaigns", admin, json=spec)
    assert (status, body["agents"], body["leads"]) == (201, ["a-1"], 0)
    assert body["warnings"] == ["no lead matches the segment: the campaign has nothing to dial"]


def test_import_leads_reports_file_line_and_field_and_is_idempotent(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(upgrade(settings))
    path = tmp_path / "leads.csv"
    visited = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()  # scored on import day
    path.write_text(
        "id,name,phone,source,consent,industry,events\n"
        f"L1,王小明,138 1234 5678,mini_program,yes,software,mini_program_visit@{visited}\n"
        "L2,李雷,abc,web_form,yes,retail,\n"
        ",无名,13812345679,web_form,yes,,\n"
        "L4,韩梅梅,13812345670,fair,maybe,,\n"
        "L5,Bob,+1 212 555 0100,ad,no,,h5_open@yesterday\n"
        "L6,Ann,+44 20 7946 0958,ad,1,education,live_stream_watch@2026-11-22\n",
        encoding="utf-8",
    )
    args = argparse.Namespace(path=str(path), rules=None, region="CN", json=True)
    assert cmd_import_leads(args, settings) == 1  # some lines were rejected
    report = json.loads(capsys.readouterr().out)
    assert (report["lines"], report["inserted"], report["rejected"]) == (6, 3, 3)
    problems = {(p["line"], p["field"], p["severity"]) for p in report["problems"]}
    assert problems == {
        (3, "phone", "warning"),
        (4, "id", "error"),
        (5, "consent", "error"),
        (6, "events", "error"),
    }
    assert cmd_import_leads(args, settings) == 1
    again = json.loads(capsys.readouterr().out)
    assert (again["inserted"], again["updated"]) == (0, 3)

    async def read() -> Any:
        from switchboard.core.db import Database

        database = Database(settings)
        try:
            return await database.read(lambda c: (get_lead(c, "L1"), get_lead(c, "L2")))
        finally:
            await database.close()

    l1, l2 = asyncio.run(read())
    assert l1.phone_e164 == "+8613812345678"
    assert l1.zones == ["Asia/Shanghai"]
    assert l1.score == 15  # industry +5, mini-program in the last 7 days +10
    assert l2.phone_e164 is None
    assert "not a phone number" in l2.number_problem


async def test_a_callback_goes_back_to_the_agent_who_agreed_it(outbound) -> None:
    live, phone, clock = outbound
    rows = [lead("cb-1", "13900000301", 90), lead("cb-2", "13900000302", 10)]
    admin = await setup(live, ["a-1", "a-2"], rows)
    spec = {"id": "c4", "name": "callbacks", "mode": "progressive", "agents": ["a-1", "a-2"]}
    assert (await live.call("POST", "/api/v1/campaigns", admin, json=spec))[0] == 201
    await set_state(live, admin, "a-2", "break")
    await live.app[DIALER].tick()
    assert phone.originated == [{"number": "+8613900000301", "agent": "a-1", "caller_id": None}]
    agreed = START + timedelta(hours=2)
    status, body = await live.call(
        "POST",
        "/api/v1/campaigns/c4/calls/out-1/end",
        admin,
        json={"disposition": "callback", "talk_s": 30, "callback_at": agreed.isoformat()},
    )
    assert (status, body["next_attempt_at"]) == (200, agreed.isoformat())
    await set_state(live, admin, "a-2", "available")
    await set_state(live, admin, "a-1", "break")
    await live.app[DIALER].tick()  # a-2 is free: it takes the other lead, not the callback
    assert [o["number"] for o in phone.originated[1:]] == ["+8613900000302"]
    await live.call(
        "POST", "/api/v1/campaigns/c4/calls/out-2/end", admin, json={"disposition": "sale"}
    )
    clock.set(agreed + timedelta(minutes=1))
    await live.app[DIALER].tick()  # due, but a-1 is on a break: the callback waits for a-1
    assert len(phone.originated) == 2
    await set_state(live, admin, "a-1", "available")
    await live.app[DIALER].tick()
    assert phone.originated[2] == {"number": "+8613900000301", "agent": "a-1", "caller_id": None}


async def test_leads_untouched_too_long_are_recycled_out_of_their_campaign(outbound) -> None:
    live, phone, clock = outbound
    admin = await setup(live, ["a-1"], [lead("old-1", "13900000401", 10)])
    await set_state(live, admin, "a-1", "break")
    spec = {"id": "c5", "name": "old", "mode": "progressive", "agents": ["a-1"]}
    assert (await live.call("POST", "/api/v1/campaigns", admin, json=spec))[0] == 201
    dialer = live.app[DIALER]
    clock.set(START + timedelta(days=13))
    assert await dialer.recycle() == 0
    clock.set(START + timedelta(days=14, hours=1))
    assert await dialer.recycle() == 1
    status, view = await live.call("GET", "/api/v1/leads/old-1", admin)
    assert (status, view["status"], view["campaign_id"]) == (200, "recycled", None)
    await set_state(live, admin, "a-1", "available")
    await dialer.tick()
    assert phone.originated == []


async def test_a_line_never_reported_frees_its_agent_after_the_ring_time(outbound) -> None:
    live, phone, clock = outbound
    rows = [lead("s-1", "13900000501", 20), lead("s-2", "13900000502", 10)]
    admin = await setup(live, ["a-1"], rows)
    spec = {"id": "c6", "name": "stale", "mode": "progressive", "agents": ["a-1"]}
    assert (await live.call("POST", "/api/v1/campaigns", admin, json=spec))[0] == 201
    dialer = live.app[DIALER]
    await dialer.tick()
    clock.advance(60)  # within ring time + 60 s: a-1 still waits for its line
    await dialer.tick()
    assert len(phone.originated) == 1
    clock.advance(30)
    await dialer.tick()
    assert [o["number"] for o in phone.originated] == ["+8613900000501", "+8613900000502"]
    status, stats = await live.call("GET", "/api/v1/campaigns/c6/stats", admin)
    assert status == 200
    assert "calls dialed but never reported answered or ended" in stats["problems"]


async def test_a_preview_card_is_skipped_or_rescheduled_by_its_agent(outbound) -> None:
    live, phone, clock = outbound
    rows = [lead("p-1", "13900000401", 90), lead("p-2", "13900000402", 10)]
    admin = await setup(live, ["a-1"], rows)
    spec = {"id": "c9", "name": "preview", "mode": "preview", "agents": ["a-1"]}
    assert (await live.call("POST", "/api/v1/campaigns", admin, json=spec))[0] == 201

    def cards(c: Any) -> list[str]:
        from switchboard.core.outbox import messages_t

        query = (
            select(messages_t)
            .where((messages_t.c.channel == "agent:a-1") & (messages_t.c.type == "preview_card"))
            .order_by(messages_t.c.id)
        )
        return [json.loads(row.body)["lead"] for row in c.execute(query)]

    agent = await live.token("agent", "a-1", agent="a-1")
    await live.app[DIALER].tick()
    assert await live.app[DATABASE].read(cards) == ["p-1"]
    status, body = await live.call("POST", "/api/v1/campaigns/c9/preview/p-2/skip", agent)
    assert (status, body["error"]["field"]) == (409, "lead")  # not the lead on the card
    status, body = await live.call("POST", "/api/v1/campaigns/c9/preview/p-1/skip", agent)
    assert (status, body["next_attempt_at"]) == (200, (START + timedelta(minutes=30)).isoformat())
    await live.app[DIALER].tick()
    assert await live.app[DATABASE].read(cards) == ["p-1", "p-2"]  # the next card
    past = {"at": (START - timedelta(hours=1)).isoformat()}
    reschedule = "/api/v1/campaigns/c9/preview/p-2/reschedule"
    status, body = await live.call("POST", reschedule, agent, json=past)
    assert (status, body["error"]["field"]) == (400, "at")
    later = START + timedelta(hours=3)
    status, body = await live.call("POST", reschedule, agent, json={"at": later.isoformat()})
    assert (status, body["agent"]) == (200, "a-1")
    row = await live.app[DATABASE].read(lambda c: get_lead(c, "p-2"))
    assert (row.next_attempt_at, row.callback_agent) == (later, "a-1")
    clock.set(START + timedelta(hours=1))
    await live.app[DIALER].tick()  # the skipped lead is back; the rescheduled one waits
    assert await live.app[DATABASE].read(cards) == ["p-1", "p-2", "p-1"]
    await live.call("POST", "/api/v1/campaigns/c9/preview/p-1/skip", agent)
    clock.set(later + timedelta(minutes=1))
    await live.app[DIALER].tick()  # the rescheduled card comes back to its agent
    assert (await live.app[DATABASE].read(cards))[-1] == "p-2"
    assert phone.originated == []
