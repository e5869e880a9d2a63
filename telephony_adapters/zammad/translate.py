"""Zammad generic CTI events (newCall, answer, hangup) as normalised CallEvents.

Zammad's events carry no event id; each kind happens once per call, so ``callId:event``
identifies an event and a repeat from a retrying PBX is recognised as such.
"""

from __future__ import annotations

from pydantic import ValidationError

from switchboard.core.errors import BadRequest
from switchboard.core.http import validation_error
from switchboard.core.wire import CallEvent
from telephony_adapters.base import Fields

EVENTS = {"newCall": "ringing", "answer": "answered", "hangup": "ended"}
DIRECTIONS = {"in": "inbound", "out": "outbound"}
# Zammad's hangup causes, as we spell causes.
CAUSES = {
    "normalClearing": "normal",
    "busy": "busy",
    "cancel": "cancel",
    "noAnswer": "no_answer",
    "congestion": "congestion",
    "notFound": "not_found",
    "forwarded": "forwarded",
}


def _one(fields: Fields, name: str) -> str | None:
    value = fields.get(name)
    if isinstance(value, list):
        return str(value[0]) if value else None
    return None if value is None else str(value)


def users(fields: Fields) -> list[str]:
    """``user[]`` in forms, ``user`` as a string or a list in JSON."""
    found: list[str] = []
    for key in ("user[]", "user"):
        value = fields.get(key)
        if isinstance(value, list):
            found.extend(str(v) for v in value if str(v).strip())
        elif value:
            found.append(str(value))
    return found


def translate(fields: Fields) -> CallEvent:
    """One Zammad event as a CallEvent; BadRequest names the Zammad field at fault."""
    event = _one(fields, "event")
    if event not in EVENTS:
        raise BadRequest(f"event must be one of {', '.join(EVENTS)}, not {event!r}", field="event")
    call_id = _one(fields, "callId")
    if not call_id:
        raise BadRequest("callId is required", field="callId")
    direction = _one(fields, "direction") or "in"
    if direction not in DIRECTIONS:
        raise BadRequest(f"direction must be 'in' or 'out', not {direction!r}", field="direction")
    raw_cause = _one(fields, "cause")
    if raw_cause is not None and raw_cause not in CAUSES:
        raise BadRequest(
            f"cause must be one of {', '.join(CAUSES)}, not {raw_cause!r}", field="cause"
        )
    kind = EVENTS[event]
    if kind == "ended" and raw_cause == "cancel" and direction == "in":
        kind = "abandoned"  # the caller gave up before anyone answered
    agent = _one(fields, "answeringNumber")
    named = users(fields)
    if agent is None and direction == "in" and len(named) == 1:
        agent = named[0]
    data = {
        "event_id": f"{call_id}:{event}",
        "call_id": call_id,
        "type": kind,
        "direction": DIRECTIONS[direction],
        "from": _one(fields, "from") or "",
        "to": _one(fields, "to") or "",
        "agent": agent,
        "queue": _one(fields, "queue"),
        "cause": CAUSES.get(raw_cause or ""),
    }
    try:
        return CallEvent.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as exc:
        error = validation_error(exc)
        zammad_names = {"call_id": "callId", "agent": "answeringNumber", "event_id": "callId"}
        field = zammad_names.get(error.field or "", error.field)
        raise BadRequest(error.message, field=field) from None
