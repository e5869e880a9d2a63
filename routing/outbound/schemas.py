"""Wire shapes of the campaign API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

CAMPAIGN_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class Segment(BaseModel):
    """Which leads the campaign calls: listed ids, or leads matching all given filters."""

    model_config = ConfigDict(extra="forbid")

    lead_ids: list[str] = Field(default_factory=list, max_length=100_000)
    source_channel: str | None = None
    classes: list[str] = Field(default_factory=list)


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=CAMPAIGN_ID)
    name: str = Field(min_length=1, max_length=200)
    mode: Literal["preview", "progressive", "predictive"]
    agents: list[str] = Field(default_factory=list, max_length=2000)
    skills: dict[str, int] = Field(default_factory=dict)
    script: str | None = Field(default=None, max_length=200)
    caller_id: str | None = Field(default=None, max_length=40)
    segment: Segment = Field(default_factory=Segment)
    customer_segment: int | str | None = Field(
        default=None,
        description="a saved customer segment (客群), by name or id: its members become the "
        "campaign's leads",
    )
    schedule: dict[str, Any] | None = Field(
        default=None,
        description='when the campaign dials: {"timezone", "windows": [{"days", "start", '
        '"end"}], "start_date", "end_date", "holidays": {"country", "subdivision"}, '
        '"holiday_dates"}',
    )
    compliance: dict[str, Any] = Field(default_factory=dict)
    retry: dict[str, str] = Field(default_factory=dict)


class CampaignOut(BaseModel):
    id: str
    name: str
    mode: str
    status: str
    agents: list[str]
    leads: int
    warnings: list[str] = Field(default_factory=list)
    customer_segment: dict[str, Any] | None = None


class RefreshOut(BaseModel):
    """What re-evaluating the campaign's segments brought in."""

    id: str
    leads: int = Field(description="leads that joined the campaign now")
    leads_total: int
    warnings: list[str] = Field(default_factory=list)
    customer_segment: dict[str, Any] | None = None


class AnsweredIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime | None = None


class RescheduleIn(BaseModel):
    """When to bring the lead on the agent's preview card back."""

    model_config = ConfigDict(extra="forbid")

    at: AwareDatetime = Field(description="a time with its offset, in the future")


class CallEndIn(BaseModel):
    """How a campaign call ended; ``disposition`` decides the retry."""

    model_config = ConfigDict(extra="forbid")

    disposition: Literal[
        "sale",
        "callback",
        "not_interested",
        "wrong_number",
        "busy",
        "no_answer",
        "answering_machine",
        "do_not_call",
    ]
    talk_s: float = Field(default=0.0, ge=0, le=86_400)
    callback_at: datetime | None = None
    agent: str | None = None


class CampaignStats(BaseModel):
    id: str
    status: str
    dials: int
    connects: int
    answer_rate: float
    abandon_rate_24h: float
    abandon_rate_30d: float
    abandon_cap: float
    talk_time_per_agent_hour_s: float
    leads_left: int
    refusals: dict[str, int]
    schedule: dict[str, Any] | None = None
    problems: list[str]
