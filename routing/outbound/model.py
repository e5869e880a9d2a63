"""Outbound domain types: dial modes, dispositions, refusals and the lead as the dialer sees it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DialMode(StrEnum):
    PREVIEW = "preview"  # the agent sees the lead first, then dials
    PROGRESSIVE = "progressive"  # one dial per free agent
    PREDICTIVE = "predictive"  # dial ahead of free agents, predicting answers


class Disposition(StrEnum):
    SALE = "sale"
    CALLBACK = "callback"
    NOT_INTERESTED = "not_interested"
    WRONG_NUMBER = "wrong_number"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    ANSWERING_MACHINE = "answering_machine"
    DO_NOT_CALL = "do_not_call"
    ABANDONED = "abandoned"  # a person answered and no agent was free: the dialer's fault


class RefusalCode(StrEnum):
    INVALID_NUMBER = "invalid_number"
    UNKNOWN_TIME_ZONE = "unknown_time_zone"
    DO_NOT_CALL = "do_not_call"
    NO_CONSENT = "no_consent"
    OUTSIDE_CALLING_HOURS = "outside_calling_hours"
    OUTSIDE_CAMPAIGN_SCHEDULE = "outside_campaign_schedule"  # the campaign's own windows
    CAMPAIGN_ENDED = "campaign_ended"  # past the schedule's end date
    HOLIDAY = "holiday"
    ATTEMPTS_PER_LEAD = "attempts_per_lead"
    ATTEMPTS_PER_DAY = "attempts_per_day"
    ABANDONED_RECENTLY = "abandoned_recently"
    NO_AGENTS = "no_agents"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a dial is not allowed: a stable code for machines and a sentence for people."""

    code: RefusalCode
    text: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code.value, "text": self.text}


@dataclass(frozen=True, slots=True)
class DialTarget:
    """A lead as compliance sees it.

    ``number`` is E.164 or None when the number could not be read (``number_problem`` says
    why); ``zones`` are the IANA time zones the number maps to (several for some numbers).
    """

    lead_id: str
    number: str | None
    zones: tuple[str, ...]
    consent: bool = True
    number_problem: str | None = None
