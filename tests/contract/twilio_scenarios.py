"""The contract scenarios as Twilio's webhooks tell them, signed by Twilio's scheme.

The voice webhook puts the call in a queue; status callbacks follow (with ``Timestamp``). The
agent a call is given to is named on the callback URL (``?agent=1001``): Twilio's parameters
do not carry it. Transfers and holds happen in Twilio Conferences or TaskRouter, whose
callbacks Switchboard does not take: ``UNSUPPORTED`` says so, as docs/cti/twilio.md does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from telephony_adapters.twilio.signature import sign
from tests.conftest import LiveServer

SOURCE = "twilio"
AUTH_TOKEN = "twilio-auth-token-for-the-contract"
SCENARIOS = ("answered", "missed", "abandoned")
UNSUPPORTED = {
    "transferred": "transfers happen in Conferences or TaskRouter; their callbacks are not taken",
    "held": "holds happen in Conferences; call status callbacks have no hold",
}
DIFFERENCES: dict[str, dict[str, object]] = {}

# (hook, query, CallStatus, seconds after the start)
Step = tuple[str, str, str, int]
SESSIONS: dict[str, list[Step]] = {
    "answered": [
        ("voice", "queue=support", "ringing", 0),
        ("status", "agent=1001", "ringing", 2),
        ("status", "agent=1001", "in-progress", 6),
        ("status", "agent=1001", "completed", 180),
    ],
    "missed": [
        ("voice", "queue=support&agent=1001", "ringing", 0),
        ("status", "agent=1001", "no-answer", 30),
    ],
    "abandoned": [
        ("voice", "queue=support", "ringing", 0),
        ("status", "queue=support", "canceled", 25),
    ],
}


async def post(scenario: str, live: LiveServer) -> None:
    # The voice webhook carries no Timestamp: it is taken at arrival, the callbacks after it.
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    for sequence, (hook, query, status, seconds) in enumerate(SESSIONS[scenario]):
        form = {
            "CallSid": f"CA{scenario}",
            "AccountSid": "AC0001",
            "From": "+8613812345678",
            "To": "4008001234",
            "Direction": "inbound",
            "CallStatus": status,
        }
        if hook == "status":
            form["SequenceNumber"] = str(sequence)
            form["Timestamp"] = format_datetime(start + timedelta(seconds=seconds))
        url = f"{live.url}/api/v1/cti/twilio/{hook}?{query}"
        signature = sign(url, {k: [v] for k, v in form.items()}, AUTH_TOKEN)
        headers = {"X-Twilio-Signature": signature}
        async with live.session.post(url, data=form, headers=headers) as resp:
            assert resp.status in (200, 204), await resp.text()
