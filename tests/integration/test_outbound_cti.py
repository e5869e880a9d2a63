"""The phone system's call events drive the dialer: campaign calls placed through the command
port are answered, put through, abandoned and ended by the CTI events posted for them, with
no campaign endpoint called. Both backends; the command port is the fake of the campaign tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from customers.leads.store import get_lead
from routing.outbound import campaigns
from routing.outbound.dialer import DIALER, Line
from routing.outbound.store import campaign_calls_t
from routing.service import TELEPHONY
from switchboard.app import create_app
from switchboard.core.clock import ManualClock
from switchboard.core.http import DATABASE
from switchboard.core.settings import Settings
from switchboard.migrate import upgrade
from telephony_adapters.freeswitch import FreeswitchAdapter
from tests.conftest import LiveServer
from tests.contract.freeswitch_scenarios import PASSWORD, config_for
from tests.integration.test_outbound_campaigns import START, FakePhone, lead, set_state, setup
from tests.support.fake_esl import FakeEslServer, load_session

Desk = tuple[LiveServer, FakePhone, ManualClock]


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[Desk]:
    """A server on a manual clock whose command port is the fake phone."""
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


_seq = iter(range(1, 1_000_000))


async def post(live: LiveServer, call_id: str, kind: str, seconds: int, **extra: Any) -> None:
    token = live.tokens.get("cti") or await live.token("cti", "pbx1")
    live.tokens["cti"] = token
    event = {
        "event_id": f"ev-{next(_seq)}",
        "call_id": call_id,
        "type": kind,
        "direction": "outbound",
        "from": "4008001234",
        "to": "13900000005",
        "at": (START + timedelta(seconds=seconds)).isoformat(),
        **extra,
    }
    status, answer = await live.call("POST", "/api/v1/cti/events", token, json=event)
    assert status in (200, 201), answer
    await live.app[DIALER].settle()


async def row_of(live: LiveServer, call_id: str) -> Any:
    return await live.app[DATABASE].read(
        lambda c: c.execute(
            select(campaign_calls_t).where(campaign_calls_t.c.call_id == call_id)
        ).one()
    )


async def campaign(live: LiveServer, admin: str, mode: str, agents: list[str]) -> None:
    spec = {"id": "cc", "name": "续费", "mode": mode, "agents": agents}
    status, body = await live.call("POST", "/api/v1/campaigns", admin, json=spec)
    assert status == 201, body


async def test_a_progressive_call_is_answered_and_ended_by_the_phone_system(desk: Desk) -> None:
    live, phone, _ = desk
    admin = await setup(live, ["a-1"], [lead("l-1", "13900000005", 50)])
    await campaign(live, admin, "progressive", ["a-1"])
    dialer = live.app[DIALER]
    await dialer.tick()
    assert [o["agent"] for o in phone.originated] == ["a-1"]

    await post(live, "out-1", "ringing", 0)
    await post(live, "out-1", "answered", 6)
    row = await row_of(live, "out-1")
    assert row.answered_at is not None
    assert row.agent_id == "a-1"
    assert dialer.runs["cc"].lines["out-1"].answered_at is not None
    assert phone.transfers == []  # a progressive line already has its agent

    # The campaign endpoint told the same again changes nothing.
    status, again = await live.call(
        "POST", "/api/v1/campaigns/cc/calls/out-1/answered", admin, json={}
    )
    assert (status, again["agent"]) == (200, "a-1")

    await post(live, "out-1", "ended", 96, cause="normal")
    row = await row_of(live, "out-1")
    assert row.ended_at is not None
    assert row.talk_s == 90.0
    assert row.outcome is None  # the agent gives the disposition
    assert "out-1" not in dialer.runs["cc"].lines
    assert "a-1" not in dialer.runs["cc"].holds  # the agent may be dialed for again

    status, ended = await live.call(
        "POST", "/api/v1/campaigns/cc/calls/out-1/end", admin, json={"disposition": "sale"}
    )
    assert status == 200, ended
    row = await row_of(live, "out-1")
    assert (row.outcome, row.talk_s) == ("sale", 90.0)  # the phone system's talk time stands


async def test_busy_no_answer_and_machine_are_the_outcome_the_phone_system_says(desk: Desk) -> None:
    live, phone, _ = desk
    rows = [lead(f"l-{i}", f"1390000001{i}", 50 - i) for i in range(3)]
    admin = await setup(live, ["a-1", "a-2", "a-3"], rows)
    await campaign(live, admin, "progressive", ["a-1", "a-2", "a-3"])
    dialer = live.app[DIALER]
    await dialer.tick()
    assert len(phone.originated) == 3

    await post(live, "out-1", "ended", 20, cause="busy")
    await post(live, "out-2", "ended", 30, cause="no_answer")
    # Asterisk's AMD() result passed through as a channel variable.
    await post(live, "out-3", "answered", 8, ivr={"AMDSTATUS": "MACHINE"})
    outcomes = [(await row_of(live, f"out-{i}")).outcome for i in (1, 2, 3)]
    assert outcomes == ["busy", "no_answer", "answering_machine"]
    assert phone.hangups == ["out-3"]  # the machine is hung up on, never put through
    assert phone.transfers == []
    assert dialer.runs["cc"].lines == {}
    assert dialer.runs["cc"].holds == {}
    by_call = {f"out-{i + 1}": o["number"] for i, o in enumerate(phone.originated)}
    busy_lead = next(r["id"] for r in rows if r["phone_e164"] == by_call["out-1"])
    view = await live.app[DATABASE].read(lambda c: get_lead(c, busy_lead))
    assert view.outcomes == ["busy"]
    assert view.next_attempt_at is not None  # rescheduled by the retry policy

    # The end of a call the phone system already ended changes nothing.
    await post(live, "out-1", "ended", 21, cause="normal")
    assert (await row_of(live, "out-1")).outcome == "busy"


async def test_predictive_calls_are_put_through_or_abandoned_by_cti_answers(desk: Desk) -> None:
    live, phone, _ = desk
    rows = [lead(f"p-{i}", f"1390000010{i}", 50 - i) for i in range(4)]
    admin = await setup(live, ["a-1"], rows)
    await campaign(live, admin, "predictive", ["a-1"])
    dialer = live.app[DIALER]
    await dialer.tick()
    assert [o["agent"] for o in phone.originated] == ["campaign-cc"]

    await post(live, "out-1", "answered", 5)
    assert phone.transfers == [("out-1", "a-1")]
    assert (await row_of(live, "out-1")).agent_id == "a-1"
    await post(live, "out-1", "ended", 65)
    await live.call(
        "POST", "/api/v1/campaigns/cc/calls/out-1/end", admin, json={"disposition": "sale"}
    )

    await dialer.tick()
    assert len(phone.originated) == 2
    await set_state(live, admin, "a-1", "break")  # nobody free when the next one answers
    await post(live, "out-2", "answered", 70)
    assert phone.messages == [("out-2", "outbound-abandon")]
    row = await row_of(live, "out-2")
    assert (row.outcome, row.abandoned) == ("abandoned", True)
    await post(live, "out-2", "ended", 80)
    assert (await row_of(live, "out-2")).outcome == "abandoned"


async def test_an_end_for_a_line_the_dialer_forgot_is_found_in_the_database(desk: Desk) -> None:
    live, phone, _ = desk
    admin = await setup(live, ["a-1"], [lead("l-1", "13900000005", 50)])
    await campaign(live, admin, "progressive", ["a-1"])
    dialer = live.app[DIALER]
    await dialer.tick()
    dialer.runs["cc"].lines.clear()  # as after a restart or a line given up as stale
    await post(live, "out-1", "ended", 40, cause="no_answer")
    assert (await row_of(live, "out-1")).outcome == "no_answer"
    # Inbound calls and calls of no campaign are not the dialer's.
    await post(live, "in-9", "ended", 41, direction="inbound")
    assert phone.hangups == []


async def test_an_abandon_plays_the_message_through_the_freeswitch_adapter(
    settings: Settings,
) -> None:
    """The dialer commands the recorded message through the adapter that offers it: the
    exact event-socket commands reach FreeSWITCH (a fake one replaying an answered call)."""
    events = [s for s in load_session("answered") if s.kind == "event"][:10]
    esl = await FakeEslServer(events, password=PASSWORD).start()
    call_id = next(s.event["Unique-ID"] for s in events)
    adapter = FreeswitchAdapter(config_for(esl), _ignore, clock=ManualClock(START))
    adapter.start()
    await upgrade(settings)
    clock = ManualClock(START)
    app = create_app(settings, clock=clock)
    app[TELEPHONY] = adapter
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            live = LiveServer(app, server, session, settings)
            async with asyncio.timeout(3):
                await adapter.connected.wait()
                await esl.replayed.wait()
                await adapter.settle()
            admin = await setup(live, ["a-1"], [lead("l-1", "13900000005", 50)])
            await campaign(live, admin, "predictive", ["a-1"])
            await set_state(live, admin, "a-1", "break")  # nobody to put the call through to
            dialer = live.app[DIALER]
            # The line as the dialer's originate leaves it (the fake replays a call it knows).
            dialer.runs["cc"].lines[call_id] = Line(call_id, "l-1", "+8613900000005", None, START)
            await live.app[DATABASE].writer.run(
                lambda c: campaigns.record_dial(
                    c,
                    campaign_id="cc",
                    lead_id="l-1",
                    call_id=call_id,
                    number="+8613900000005",
                    agent=None,
                    now=START,
                )
            )
            await post(live, call_id, "answered", 5)
            assert [c for c in esl.commands if c.startswith("bgapi uuid_")] == [
                f"bgapi uuid_broadcast {call_id} outbound-abandon.wav aleg",
                f"bgapi uuid_broadcast {call_id} hangup::NORMAL_CLEARING aleg",
            ]
            row = await row_of(live, call_id)
            assert (row.outcome, row.abandoned) == ("abandoned", True)
    finally:
        await server.close()
        await adapter.stop()
        await esl.close()


async def _ignore(events: list[Any]) -> None:
    return None
