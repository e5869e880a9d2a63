"""Wire shapes of the routing API: agents and their states, queues, offers."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from routing.engine.model import STRATEGIES as STRATEGY_NAMES

AGENT_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
QUEUE_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
TEAM = r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,63}$"
# A region or site: any letters (华东, 华南, Shanghai-2), digits, dot, dash, space.
REGION = r"^[^\W_][\w. -]{0,63}$"


def _check_skills(value: dict[str, int]) -> dict[str, int]:
    for skill, level in value.items():
        if not skill or len(skill) > 64:
            raise ValueError("skill names are 1 to 64 characters")
        if not 1 <= level <= 5:
            raise ValueError(f"skill {skill!r}: proficiency is 1 to 5, not {level}")
    return value


def _check_strategy(value: str | None) -> str | None:
    if value is not None and value not in STRATEGY_NAMES:
        raise ValueError(f"unknown strategy {value!r}; use one of {', '.join(STRATEGY_NAMES)}")
    return value


CHANNELS = ("voice", "chat", "ticket", "email")
LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"


def _check_capacity(value: dict[str, int] | None) -> dict[str, int] | None:
    if value is None:
        return value
    for channel, units in value.items():
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}; channels are {', '.join(CHANNELS)}")
        if not 0 <= units <= 100:
            raise ValueError(f"{channel}: capacity is 0 to 100 units, not {units}")
    if value.get("voice", 0) > 1:
        raise ValueError("voice: an agent takes one call at a time (capacity 0 or 1)")
    return value


def _check_languages(value: list[str] | None) -> list[str] | None:
    if value is None:
        return value
    out = []
    for lang in value:
        lang = lang.strip().lower()
        if not re.match(LANGUAGE, lang):
            raise ValueError(f"{lang!r} is not a language code (zh, en, yue, zh-hk)")
        out.append(lang)
    return out


class AgentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=AGENT_ID)
    name: str = Field(min_length=1, max_length=200)
    extension: str | None = Field(default=None, pattern=r"^[0-9*#]{1,32}$")
    skills: dict[str, int] = Field(default_factory=dict, max_length=100)
    languages: list[str] = Field(default_factory=list, max_length=20)
    team: str | None = Field(default=None, pattern=TEAM)
    region: str | None = Field(
        default=None, pattern=REGION, description="site or region (华东, 华南), for leaderboards"
    )
    capacity: dict[str, int] | None = Field(
        default=None, description='units per channel at once (default {"voice": 1})'
    )
    exclusive: list[str] | None = Field(
        default=None, description="channels never mixed (no chat during a call)"
    )

    @field_validator("skills")
    @classmethod
    def _proficiency(cls, value: dict[str, int]) -> dict[str, int]:
        return _check_skills(value)

    @field_validator("capacity")
    @classmethod
    def _capacity(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        return _check_capacity(value)


class AgentConfigIn(BaseModel):
    """What an agent can do; only the keys sent change."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    skills: dict[str, int] | None = Field(default=None, max_length=100)
    languages: list[str] | None = Field(default=None, max_length=20)
    team: str | None = Field(default=None, pattern=TEAM)
    region: str | None = Field(default=None, pattern=rf"{REGION}|^$")
    capacity: dict[str, int] | None = None
    exclusive: list[str] | None = Field(default=None, max_length=4)
    force: bool = Field(default=False, description="accept skills no queue needs yet")

    @field_validator("skills")
    @classmethod
    def _proficiency(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        return None if value is None else _check_skills(value)

    @field_validator("capacity")
    @classmethod
    def _capacity(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        return _check_capacity(value)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str] | None) -> list[str] | None:
        return _check_languages(value)


class AgentSkillsIn(BaseModel):
    """An agent's skills, replaced whole: name -> proficiency 1-5."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    skills: dict[str, int] = Field(max_length=100)
    force: bool = Field(default=False, description="accept skills no queue needs yet")

    @field_validator("skills")
    @classmethod
    def _proficiency(cls, value: dict[str, int]) -> dict[str, int]:
        return _check_skills(value)


class AgentStateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    state: str = Field(min_length=1, max_length=16)
    reason: str | None = Field(default=None, max_length=100)
    seconds: float | None = Field(default=None, description="wrap_up only: how long it lasts")


class AgentOut(BaseModel):
    id: str
    name: str
    extension: str | None
    skills: dict[str, int]
    languages: list[str]
    team: str | None = None
    region: str | None = None
    capacity: dict[str, int] = Field(default_factory=lambda: {"voice": 1})
    exclusive: list[str] = Field(default_factory=list)
    state: str
    state_reason: str | None
    state_since: str
    state_until: str | None = None
    state_duration_s: float | None = Field(default=None, description="seconds in this state")


class CtiAck(BaseModel):
    id: int = Field(description="the stored event's id")
    event_id: str
    call_id: str
    warnings: list[str] = Field(default_factory=list)


# --- queues ------------------------------------------------------------------------------


class RelaxationStep(BaseModel):
    """One bullseye step, ``after_s`` seconds after the call entered the queue."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    after_s: float = Field(ge=0, le=86_400)
    min_proficiency: int | None = Field(
        default=None, ge=1, le=5, description="lower every required minimum to this level"
    )
    drop_language: bool = Field(default=False, description="stop requiring the caller's language")
    team: str | None = Field(
        default=None, pattern=TEAM, description="admit any agent of this team, skills ignored"
    )


class EscalationStep(BaseModel):
    """What an SLA level of a routed service request does to its work item."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    add_priority: float | None = Field(
        default=None, gt=0, le=1_000, description="raise the item's priority by this much"
    )
    to_queue: str | None = Field(
        default=None, pattern=QUEUE_ID, description="move the item to this queue (tier 2)"
    )
    to_supervisor: bool = Field(
        default=False, description="take the item out of routing and hand it to supervisors"
    )


class QueueConfig(BaseModel):
    """A queue: what its calls need, how an agent is picked, how the needs relax, where it
    overflows. The same shape in the API and in a queues TOML file (``[[queues]]``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=QUEUE_ID)
    name: str | None = Field(default=None, max_length=200)
    skills: dict[str, int] = Field(
        default_factory=dict, max_length=50, description="required skills: minimum proficiency"
    )
    strategy: str = Field(default="longest_idle", description=f"one of {', '.join(STRATEGY_NAMES)}")
    a_class_strategy: str | None = Field(
        default="most_skilled", description="the strategy for class-A callers (null: strategy)"
    )
    relaxation: list[RelaxationStep] = Field(default_factory=list, max_length=20)
    overflow_to: str | None = Field(default=None, pattern=QUEUE_ID)
    overflow_after_s: float | None = Field(default=None, gt=0, le=86_400)
    max_wait_s: float | None = Field(
        default=None,
        gt=0,
        le=86_400,
        description="after this wait the caller is offered a callback",
    )
    offer_timeout_s: float = Field(
        default=20.0, gt=0, le=600, description="how long an offered agent has to accept"
    )
    wrap_up_s: float = Field(default=0.0, ge=0, le=3_600)
    service_level_target: float | None = Field(
        default=None, gt=0, le=1, description="wallboard target: share answered in time (0.8)"
    )
    service_level_s: float | None = Field(
        default=None, gt=0, le=3_600, description="service level: answered within (20 s)"
    )
    ageing_per_min: float = Field(default=0.0, ge=0, le=1_000)
    a_class_boost: float = Field(default=5.0, ge=0, le=1_000)
    skill_weights: dict[str, float] = Field(default_factory=dict, max_length=50)
    idle_weight: float = Field(default=0.1, ge=0, le=1_000)
    category_skills: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        max_length=200,
        description="service requests: skills a category (or one below it) needs",
    )
    product_skills: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        max_length=200,
        description="service requests: skills a product needs",
    )
    escalation: dict[str, EscalationStep] = Field(
        default_factory=dict,
        max_length=10,
        description="per SLA level name (warning, breach): what happens to the request's item",
    )

    @field_validator("skills")
    @classmethod
    def _skills(cls, value: dict[str, int]) -> dict[str, int]:
        return _check_skills(value)

    @field_validator("category_skills", "product_skills")
    @classmethod
    def _mapped_skills(cls, value: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        for key, skills in value.items():
            try:
                _check_skills(skills)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        return value

    @field_validator("strategy", "a_class_strategy")
    @classmethod
    def _strategy(cls, value: str | None) -> str | None:
        return _check_strategy(value)


class QueueOut(QueueConfig):
    warnings: list[str] = Field(default_factory=list)
    waiting: int | None = Field(default=None, description="calls waiting now")


# --- offers and decisions ----------------------------------------------------------------


class OfferAnswer(BaseModel):
    reservation: str
    call_id: str = Field(description="the call's id; for a request or callback, the item's id")
    item: str | None = Field(default=None, description="the work item")
    kind: str | None = Field(default=None, description="call, ticket or callback")
    queue: str
    agent: str
    outcome: str = Field(description="accepted or rejected")
    transfer: str | None = Field(
        default=None, description="on accept: requested, failed: why, or null (no phone port)"
    )
