"""The board's picture of the floor, kept from the server's snapshot and updates.

Plain data, no Textual: ``apply`` folds a message in and says what changed, so the widgets
update those rows in place instead of redrawing the board.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from switchboard.core.floor_wire import (
    AgentRow,
    AlarmWire,
    CampaignTile,
    FloorSnapshot,
    FloorUpdate,
    LeaderRow,
    QueueTile,
)

SEVERITY_ORDER = {"critical": 0, "warning": 1}


@dataclass
class Changes:
    """What a message changed: keys of rows to redraw, and whether the whole board is new."""

    reset: bool = False
    queues: set[str] = field(default_factory=set)
    agents: set[str] = field(default_factory=set)
    agents_gone: set[str] = field(default_factory=set)
    campaigns: set[str] = field(default_factory=set)
    alarms: bool = False
    raised: list[AlarmWire] = field(default_factory=list)
    leaderboard: bool = False

    @property
    def empty(self) -> bool:
        return not (
            self.reset
            or self.queues
            or self.agents
            or self.agents_gone
            or self.campaigns
            or self.alarms
            or self.leaderboard
        )


@dataclass
class Floor:
    at: datetime | None = None
    period_start: datetime | None = None
    queues: dict[str, QueueTile] = field(default_factory=dict)
    agents: dict[str, AgentRow] = field(default_factory=dict)
    campaigns: dict[str, CampaignTile] = field(default_factory=dict)
    alarms: dict[str, AlarmWire] = field(default_factory=dict)
    leaderboard: dict[str, LeaderRow] = field(default_factory=dict)

    def apply(self, message: FloorSnapshot | FloorUpdate) -> Changes:
        if isinstance(message, FloorSnapshot):
            return self._reset(message)
        if self.at is not None and message.at < self.at:
            return Changes()  # an update older than what is shown: stale, drop it
        self.at = message.at
        changes = Changes()
        for tile in message.queues:
            self.queues[tile.queue] = tile
            changes.queues.add(tile.queue)
        for row in message.agents:
            self.agents[row.agent] = row
            changes.agents.add(row.agent)
        for agent in message.agents_gone:
            if self.agents.pop(agent, None) is not None:
                changes.agents_gone.add(agent)
        for campaign in message.campaigns:
            self.campaigns[campaign.campaign] = campaign
            changes.campaigns.add(campaign.campaign)
        for alarm in message.alarms_raised:
            self.alarms[alarm.key] = alarm
            changes.raised.append(alarm)
            changes.alarms = True
        for key in message.alarms_cleared:
            if self.alarms.pop(key, None) is not None:
                changes.alarms = True
        for leader in message.leaderboard:
            self.leaderboard[leader.row_key] = leader
            changes.leaderboard = True
        for key in message.leaderboard_gone:
            changes.leaderboard |= self.leaderboard.pop(key, None) is not None
        return changes

    def _reset(self, snapshot: FloorSnapshot) -> Changes:
        self.at = snapshot.at
        self.period_start = snapshot.period_start
        self.queues = {t.queue: t for t in snapshot.queues}
        self.agents = {r.agent: r for r in snapshot.agents}
        self.campaigns = {c.campaign: c for c in snapshot.campaigns}
        self.alarms = {a.key: a for a in snapshot.alarms}
        self.leaderboard = {r.row_key: r for r in snapshot.leaderboard}
        return Changes(reset=True, alarms=True, raised=list(snapshot.alarms), leaderboard=True)

    def alarms_in_order(self) -> list[AlarmWire]:
        return sorted(
            self.alarms.values(),
            key=lambda a: (SEVERITY_ORDER.get(a.severity, 9), a.kind, a.subject),
        )

    def leaders(self, by: str) -> list[LeaderRow]:
        """The rows of one leaderboard, most calls answered first."""
        rows = [r for r in self.leaderboard.values() if r.by == by]
        return sorted(rows, key=lambda r: (-r.answered, r.key))

    def agents_by_state(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.agents.values():
            counts[row.state] = counts.get(row.state, 0) + 1
        return counts
