"""One contract for every telephony adapter: the same call, told by each phone system in its
own words, gives the same normalised call record in Switchboard.

Each system's ``tests/contract/<system>_scenarios.py`` tells the scenarios it can express:
Asterisk and FreeSWITCH replay recorded wire sessions through their adapters (``replay``, the
events then go through the server's real ingest path); Zammad's generic CTI, Twilio and the
sample kamailio.cfg post to the server's HTTP endpoints as those systems do (``post``). A
scenario a protocol cannot express is named in the module's ``UNSUPPORTED`` with the reason
(and in the event table of docs/cti/<system>.md); ``DIFFERENCES`` lists the fields a system
cannot tell, with the value it gives instead.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from routing import gateway
from routing.store import calls_t
from switchboard.core.http import DATABASE
from tests.conftest import LiveServer, start_server
from tests.contract.twilio_scenarios import AUTH_TOKEN

VENDORS = ("asterisk", "freeswitch", "zammad", "twilio", "kamailio")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "cti"

# What every system must produce: the final record of the one call in each scenario.
# "handled" is the agents' legs that reached someone (missed rings are where the recorded
# sessions differ: a queue may try an agent before the caller gives up).
EXPECTED: dict[str, dict[str, Any]] = {
    "answered": {
        "state": "ended",
        "agent_id": "a-1001",
        "cause": "normal",
        "answered": True,
        "handled": [("a-1001", "answered")],
        "held": False,
    },
    "missed": {
        "state": "missed",
        "agent_id": "a-1001",
        "answered": False,
        "handled": [],
        "missed_by": "a-1001",
        "held": False,
    },
    "abandoned": {
        "state": "abandoned",
        "queue": "support",
        "answered": False,
        "handled": [],
        "held": False,
    },
    "transferred": {
        "state": "ended",
        "agent_id": "a-1002",
        "answered": True,
        "handled": [("a-1001", "transferred"), ("a-1002", "answered")],
        "transfer": ("agent", "a-1002"),
        "held": False,
    },
    "held": {
        "state": "ended",
        "agent_id": "a-1001",
        "on_hold": False,
        "answered": True,
        "handled": [("a-1001", "answered")],
        "held": True,
    },
}


def module(vendor: str) -> Any:
    return importlib.import_module(f"tests.contract.{vendor}_scenarios")


CASES = [
    (vendor, scenario)
    for vendor in VENDORS
    for scenario in EXPECTED
    if scenario in module(vendor).SCENARIOS
]


@pytest.fixture
async def contract_live(settings_factory: Any) -> AsyncIterator[LiveServer]:
    settings = settings_factory(twilio_auth_token=AUTH_TOKEN)
    app, server = await start_server(settings)
    async with aiohttp.ClientSession() as session:
        live = LiveServer(app, server, session, settings)
        admin = await live.token("admin", "contract-admin")
        for agent_id, extension in (("a-1001", "1001"), ("a-1002", "1002")):
            body = {"id": agent_id, "name": agent_id, "extension": extension}
            assert (await live.call("POST", "/api/v1/agents", admin, json=body))[0] == 201
        customer = {"kind": "individual", "name": "张伟", "phones": ["+86 138 1234 5678"]}
        assert (await live.call("POST", "/api/v1/customers", admin, json=customer))[0] == 201
        yield live
    await server.close()


@pytest.mark.parametrize(("vendor", "scenario"), CASES)
async def test_scenario_gives_the_same_call_record(
    contract_live: LiveServer, vendor: str, scenario: str
) -> None:
    live = contract_live
    scenarios = module(vendor)
    source = getattr(scenarios, "SOURCE", vendor)
    if hasattr(scenarios, "post"):
        await scenarios.post(scenario, live)
    else:

        async def sink(events: list[Any]) -> None:
            await gateway.ingest(live.app, source, events)

        await scenarios.replay(scenario, sink)
    async with live.app[DATABASE].engine.connect() as conn:
        calls = list(await conn.execute(select(calls_t).where(calls_t.c.source == source)))
    assert len(calls) == 1, [dict(c._mapping) for c in calls]
    call = calls[0]
    expected = {**EXPECTED[scenario], **getattr(scenarios, "DIFFERENCES", {}).get(scenario, {})}
    assert call.state == expected["state"]
    assert (call.answered_at is not None) == expected["answered"]
    for column in ("agent_id", "cause", "queue", "on_hold"):
        if column in expected:
            assert getattr(call, column) == expected[column], column
    assert call.from_number.endswith("13812345678")
    # Legs per agent, durations and the transfer, normalised the same way for every system.
    handled = [(leg["agent"], leg["outcome"]) for leg in call.legs if leg["outcome"] != "missed"]
    assert handled == expected["handled"]
    if "missed_by" in expected:
        assert [leg["agent"] for leg in call.legs if leg["outcome"] == "missed"] == [
            expected["missed_by"]
        ]
    assert (call.transfer_kind, call.transfer_to) == expected.get("transfer", (None, None))
    assert call.ring_seconds is not None
    assert call.ring_seconds >= 0
    assert (call.talk_seconds > 0) == expected["answered"]
    assert (call.hold_seconds > 0) == expected["held"]


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_scenario_is_run_or_said_impossible(vendor: str) -> None:
    """A system either runs a scenario or says why it cannot, in the test and in its docs."""
    scenarios = module(vendor)
    unsupported = getattr(scenarios, "UNSUPPORTED", {})
    assert set(scenarios.SCENARIOS) | set(unsupported) == set(EXPECTED)
    assert not set(scenarios.SCENARIOS) & set(unsupported)
    page = (DOCS / f"{vendor}.md").read_text(encoding="utf-8")
    assert "## Contract scenarios" in page
    for scenario in EXPECTED:
        marker = "not expressible" if scenario in unsupported else "covered"
        assert f"| {scenario} | {marker}" in page, (vendor, scenario)
