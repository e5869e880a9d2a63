"""Twilio's voice webhook and status callbacks as normalised CallEvents.

``CallStatus`` decides the event; ``SequenceNumber`` (status callbacks) or the status itself
makes the event id, so Twilio's retries are recognised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from email.utils import parsedate_to_datetime

from switchboard.core.errors import BadRequest
from switchboard.core.wire import CallEvent

STATUS = {
    "queued": "ringing",
    "initiated": "ringing",
    "ringing": "ringing",
    "in-progress": "answered",
    "completed": "ended",
    "busy": "ended",
    "failed": "ended",
    "no-answer": "ended",
    "canceled": "ended",
}
CAUSES = {
    "completed": "normal",
    "busy": "busy",
    "failed": "failed",
    "no-answer": "no_answer",
    "canceled": "cancel",
}


def _get(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def translate(
    params: Mapping[str, Sequence[str]],
    *,
    hook: str,
    queue: str | None,
    agent: str | None = None,
) -> CallEvent:
    """One webhook as a CallEvent. ``agent`` comes from the callback URL (``?agent=1001``):
    Twilio's parameters do not say which agent a call was given to, its URL can."""
    call_sid = _get(params, "CallSid")
    if not call_sid:
        raise BadRequest("CallSid is required", field="CallSid")
    status = _get(params, "CallStatus") or ("ringing" if hook == "voice" else None)
    if status not in STATUS:
        raise BadRequest(f"unknown CallStatus {status!r}", field="CallStatus")
    direction = "inbound" if (_get(params, "Direction") or "inbound") == "inbound" else "outbound"
    kind = STATUS[status]
    if status == "canceled" and direction == "inbound":
        kind = "abandoned"
    sequence = _get(params, "SequenceNumber")
    event_id = f"{call_sid}:{hook}:{sequence if sequence is not None else status}"
    at: datetime | None = None
    stamp = _get(params, "Timestamp")
    if stamp:
        try:
            at = parsedate_to_datetime(stamp)
        except (TypeError, ValueError):
            raise BadRequest(
                f"Timestamp {stamp!r} is not an RFC 2822 date", field="Timestamp"
            ) from None
    data: dict[str, object] = {
        "event_id": event_id,
        "call_id": call_sid,
        "type": kind,
        "direction": direction,
        "from": _get(params, "From") or "",
        "to": _get(params, "To") or "",
    }
    if queue:
        data["queue"] = queue
    if agent:
        data["agent"] = agent
    if kind in ("ended", "abandoned"):
        data["cause"] = CAUSES.get(status, status)
    if at is not None:
        data["at"] = at
    digits = _get(params, "Digits")
    if digits:
        data["ivr"] = {"digits": digits}
    try:
        return CallEvent.model_validate(data)
    except ValueError as exc:
        raise BadRequest(f"not a call event Switchboard can take: {exc}", field="body") from None
