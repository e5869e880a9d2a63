"""The contract scenarios as a PBX set up for Zammad's generic CTI posts them (form fields).

Zammad's generic CTI has three events, each once per call (newCall, answer, hangup), so it
cannot tell a transfer (a second answer by someone else) or a hold: those scenarios are listed
in ``UNSUPPORTED`` with the reason, as in docs/cti/zammad.md.
"""

from __future__ import annotations

from tests.conftest import LiveServer

SOURCE = "zammad"
SCENARIOS = ("answered", "missed", "abandoned")
UNSUPPORTED = {
    "transferred": "each Zammad event kind comes once per call: a second answer cannot be said",
    "held": "Zammad's generic CTI has no hold event",
}
DIFFERENCES: dict[str, dict[str, object]] = {}

CALLER = {"from": "+8613812345678", "to": "4008001234", "direction": "in"}

SESSIONS: dict[str, list[dict[str, str | list[str]]]] = {
    "answered": [
        {"event": "newCall", "queue": "support", "user[]": ["1001"]},
        {"event": "answer", "answeringNumber": "1001"},
        {"event": "hangup", "cause": "normalClearing", "answeringNumber": "1001"},
    ],
    "missed": [
        {"event": "newCall", "queue": "support", "user[]": ["1001"]},
        {"event": "hangup", "cause": "noAnswer"},
    ],
    "abandoned": [
        {"event": "newCall", "queue": "support"},
        {"event": "hangup", "cause": "cancel"},
    ],
}


async def post(scenario: str, live: LiveServer) -> None:
    token = await live.token("cti", SOURCE)
    call_id = f"zammad-{scenario}"
    for fields in SESSIONS[scenario]:
        form = [(k, v) for k, v in {**CALLER, "callId": call_id}.items()]
        for key, value in fields.items():
            form.extend((key, item) for item in (value if isinstance(value, list) else [value]))
        status, body = await live.call("POST", f"/api/v1/cti/generic/{token}", data=form)
        assert status == 200, body
