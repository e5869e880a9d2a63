"""Wire types of the supervisor feed: aggregates for the wallboard, not raw events.

The server sends a supervisor's websocket one ``floor_snapshot`` when it connects and then
``floor_update`` messages carrying only the queue tiles, agent rows, campaign tiles and alarms
that changed, at most one per second. These are views of the moment: they carry no per-channel
``id`` and are never replayed; a reconnecting board simply gets a fresh snapshot. Figures are
computed by the one set of metric definitions (docs/metrics.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MSG_FLOOR_SNAPSHOT = "floor_snapshot"
MSG_FLOOR_UPDATE = "floor_update"


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class QueueTile(_Wire):
    queue: str
    name: str = ""
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandons: int = 0
    waiting_now: int = 0
    longest_wait_s: float = 0.0
    service_level: float | None = None
    service_level_target: float | None = None
    service_level_formula: str = ""
    asa_s: float | None = None
    aht_s: float | None = None
    abandon_rate: float | None = None
    agents_available: int = 0
    sl_history: list[float | None] = Field(default_factory=list)  # None: no call to judge


class AgentRow(_Wire):
    agent: str
    name: str = ""
    team: str = ""
    state: str
    since: datetime | None = None
    reason: str | None = None
    queues: list[str] = Field(default_factory=list)
    calls: int = 0
    aht_s: float | None = None
    occupancy: float | None = None


class CampaignTile(_Wire):
    campaign: str
    status: str = "running"
    dials: int = 0
    connects: int = 0
    answer_rate: float | None = None
    abandon_rate: float | None = None
    abandon_cap: float = 0.03
    leads_left: int = 0


class AlarmWire(_Wire):
    key: str
    kind: str
    subject: str
    severity: Literal["warning", "critical"]
    text: str
    since: datetime | None = None


class TargetWire(_Wire):
    """One target with its attainment (docs/metrics.md)."""

    figure: str
    op: Literal[">=", "<="]
    target: float
    value: float | None = None
    attained: float | None = None
    met: bool | None = None


class LeaderRow(_Wire):
    """A team's, region's, agent's or queue's leaderboard figures today, and its targets."""

    by: Literal["team", "region", "agent", "queue"]
    key: str
    agents: int = 0
    answered: int = 0
    aht_s: float | None = None
    fcr: float | None = None
    occupancy: float | None = None
    service_level: float | None = None
    targets: list[TargetWire] = Field(default_factory=list)

    @property
    def row_key(self) -> str:
        return f"{self.by}:{self.key}"


class FloorSnapshot(_Wire):
    type: Literal["floor_snapshot"] = "floor_snapshot"
    at: datetime
    period_start: datetime
    queues: list[QueueTile] = Field(default_factory=list)
    agents: list[AgentRow] = Field(default_factory=list)
    campaigns: list[CampaignTile] = Field(default_factory=list)
    alarms: list[AlarmWire] = Field(default_factory=list)
    leaderboard: list[LeaderRow] = Field(default_factory=list)


class FloorUpdate(_Wire):
    type: Literal["floor_update"] = "floor_update"
    at: datetime
    queues: list[QueueTile] = Field(default_factory=list)
    agents: list[AgentRow] = Field(default_factory=list)
    agents_gone: list[str] = Field(default_factory=list)
    campaigns: list[CampaignTile] = Field(default_factory=list)
    alarms_raised: list[AlarmWire] = Field(default_factory=list)
    alarms_cleared: list[str] = Field(default_factory=list)
    leaderboard: list[LeaderRow] = Field(default_factory=list)
    leaderboard_gone: list[str] = Field(default_factory=list)
