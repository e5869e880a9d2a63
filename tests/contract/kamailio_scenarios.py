"""The contract scenarios as the sample kamailio.cfg posts them to /api/v1/cti/events.

The JSON is built as route[SB_EVENT] builds it: event_id ``<Call-ID>:<type>:<CSeq>``, the
agent named on the INVITE's events only, a BYE with From and To swapped when the agent's
phone hangs up. A SIP proxy has no queue, so the caller who gives up does so while the
agent's phone rings (the record has no queue); transfers (REFER) and holds (re-INVITE with
sendonly) are relayed but not reported by the sample configuration: ``UNSUPPORTED``, as in
docs/cti/kamailio.md.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import LiveServer

SOURCE = "kamailio"
SCENARIOS = ("answered", "missed", "abandoned")
UNSUPPORTED = {
    "transferred": "the sample kamailio.cfg relays REFER without reporting it",
    "held": "the sample kamailio.cfg relays hold re-INVITEs without reporting them",
}
DIFFERENCES: dict[str, dict[str, object]] = {"abandoned": {"queue": None}}

CALLER, DNIS, EXT = "+8613812345678", "4008001234", "1001"

# (type, CSeq, seconds, swapped, agent named, cause)
Step = tuple[str, int, int, bool, bool, str | None]
SESSIONS: dict[str, list[Step]] = {
    "answered": [
        ("ringing", 1, 0, False, True, None),
        ("answered", 1, 5, False, True, None),
        ("ended", 2, 185, True, False, "normal"),  # the agent hangs up: From and To swapped
    ],
    "missed": [
        ("ringing", 1, 0, False, True, None),
        ("ended", 1, 30, False, True, "no_answer"),  # 408 from the phone
    ],
    "abandoned": [
        ("ringing", 1, 0, False, True, None),
        ("abandoned", 1, 12, False, True, "cancel"),
    ],
}


def event(call_id: str, step: Step) -> dict[str, Any]:
    kind, cseq, seconds, swapped, named, cause = step
    data: dict[str, Any] = {
        "event_id": f"{call_id}:{kind}:{cseq}",
        "call_id": call_id,
        "type": kind,
        "direction": "inbound",
        "from": EXT if swapped else CALLER,
        "to": CALLER if swapped else EXT,
    }
    if named:
        data["agent"] = EXT
    if cause:
        data["cause"] = cause
    minutes, secs = divmod(seconds, 60)
    data["at"] = f"2026-11-22T09:{minutes:02d}:{secs:02d}.250000+0800"
    return data


async def post(scenario: str, live: LiveServer) -> None:
    token = await live.token("cti", SOURCE)
    call_id = f"a84b4c76e66710@127.0.0.1-{scenario}"
    for step in SESSIONS[scenario]:
        status, body = await live.call(
            "POST", "/api/v1/cti/events", token, json=event(call_id, step)
        )
        assert status == 200, body
