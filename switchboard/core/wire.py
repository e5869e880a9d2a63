"""Wire types shared by the server, the telephony adapters and the console.

The console never imports a domain package; everything it needs to understand a message
from the server is here. Messages on the websocket are JSON objects with a ``type`` and a
per-channel increasing ``id``; the models below describe their payloads.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_ID_LEN = 128
MAX_NUMBER_LEN = 64


class CallEventType(StrEnum):
    RINGING = "ringing"
    ANSWERED = "answered"
    HELD = "held"
    RESUMED = "resumed"
    TRANSFERRED = "transferred"
    ENDED = "ended"
    ABANDONED = "abandoned"


class CallDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


class CallEvent(BaseModel):
    """One normalised call event, as every telephony adapter produces it.

    Unknown keys are refused so that a misspelt optional field is reported, not ignored.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)

    event_id: str = Field(min_length=1, max_length=MAX_ID_LEN)
    call_id: str = Field(min_length=1, max_length=MAX_ID_LEN)
    type: CallEventType
    direction: CallDirection = CallDirection.INBOUND
    from_: str = Field(alias="from", default="", max_length=MAX_NUMBER_LEN)
    to: str = Field(default="", max_length=MAX_NUMBER_LEN)
    agent: str | None = Field(default=None, max_length=MAX_ID_LEN)
    queue: str | None = Field(default=None, max_length=MAX_ID_LEN)
    ivr: dict[str, str] = Field(default_factory=dict)
    cause: str | None = Field(default=None, max_length=64)
    at: datetime | None = None

    @field_validator("ivr")
    @classmethod
    def _ivr_small(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 32:
            raise ValueError("at most 32 IVR keys")
        for key, item in value.items():
            if len(key) > 64 or len(item) > 256:
                raise ValueError("IVR keys are at most 64 and values 256 characters")
        return value

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamp needs a UTC offset, e.g. 2026-11-22T09:00:00+08:00")
        return value

    def wire(self) -> dict[str, Any]:
        """The event as JSON-ready dict, with ``from`` spelt as on the wire."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class LookupStatus(StrEnum):
    KNOWN = "known"
    SEVERAL = "several"
    UNKNOWN = "unknown"
    WITHHELD = "withheld"


class ContactRef(BaseModel):
    contact_id: int
    name: str


class Candidate(BaseModel):
    """One person (or company line) the number belongs to, and why we think so.

    ``contact_id`` is None for an enterprise's own number (its switchboard, 总机). A number
    many contacts of one customer share comes as one candidate, the company, with
    ``shared_by`` (how many share it) and ``contacts`` (the first of them, for a picker).
    """

    customer_id: int
    contact_id: int | None
    name: str
    customer_name: str
    kind: Literal["individual", "enterprise"]
    number: str
    reason: str
    shared_by: int | None = None
    contacts: list[ContactRef] = Field(default_factory=list)


class LookupResult(BaseModel):
    """Who is calling: the answer of phone identity for one number."""

    status: LookupStatus
    number: str
    e164: str | None = None
    candidates: list[Candidate] = Field(default_factory=list)
    reason: str | None = Field(default=None, description="why nobody matched (unknown or withheld)")


class CustomerSummary(BaseModel):
    """The part of the 360 view that travels with a screen pop."""

    id: int
    kind: Literal["individual", "enterprise"]
    name: str
    contact_name: str
    phones: list[str] = Field(default_factory=list)
    emails: list[str] = Field(default_factory=list)
    city: str | None = None
    tier: str | None = None
    tags: list[str] = Field(default_factory=list)


class AgentState(StrEnum):
    OFFLINE = "offline"
    AVAILABLE = "available"
    RESERVED = "reserved"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    BREAK = "break"
    NOT_READY = "not_ready"


# Message types on the websocket. Every message carries "type" and "id".
MSG_HELLO = (
    "hello"  # first message after connect: {"agent", "state", "cursor"}; id echoes the cursor
)
MSG_SCREEN_POP = "screen_pop"  # ScreenPop below
MSG_CALL = "call"  # {"call_id", "state", "agent", "from", "to", "at"}: a call of this agent changed
MSG_AGENT_STATE = "agent_state"  # {"agent", "state", "reason", "since"}
# On "floor", a phone-system link went down or came back:
# {"adapter", "connected", "last_error", "at"}
MSG_TELEPHONY = "telephony"


class ScreenPop(BaseModel):
    type: Literal["screen_pop"] = "screen_pop"
    id: int
    call_id: str
    agent: str
    direction: CallDirection
    from_: str = Field(alias="from")
    to: str
    queue: str | None = None
    ivr: dict[str, str] = Field(default_factory=dict)
    at: datetime
    match: LookupResult
    customer: CustomerSummary | None = None

    model_config = ConfigDict(populate_by_name=True)
