"""The floor service: today's figures for the supervisors' wallboards, kept live.

It keeps today's queue visits (from call rows) and agent state spans (from the agent state
log) in memory and refreshes them from the database several times a second (every
``interval()``: a quarter second, or one second over the number of queues if that is longer,
so a board never gets more than one message per second per queue): calls by ``updated_at``,
log rows by id. Only the queues and agents that changed are recomputed (and queues with
callers waiting, whose longest wait grows), always with the one set of metric definitions
(``routing.metrics``). Each connected board gets a ``floor_snapshot`` when it connects and then
at most one ``floor_update`` per interval carrying only what changed.

"Today" is the calendar day in ``floor_timezone``; at midnight the service starts afresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import Connection, or_, select

from routing import floor_facts, state_log
from routing.metrics.agent import AgentFigures, agent_figures
from routing.metrics.alarms import (
    AdapterHealth,
    Alarm,
    AlarmRules,
    SlaDeadline,
    diff_alarms,
    evaluate_alarms,
)
from routing.metrics.campaign import CampaignFigures, Dial, campaign_figures
from routing.metrics.facts import AgentSpan, QueueVisit
from routing.metrics.leaderboard import GroupFigures, Tally, agent_tally, leaderboard
from routing.metrics.queue import QueueFigures, QueueMetricRules, queue_figures, repeat_index
from routing.metrics.targets import Attainment, Target, Targets, TargetsError, attainment
from routing.outbound.store import campaign_calls_t, campaigns_t
from routing.store import agents_t, calls_t, queues_t
from routing.targets_file import load_targets
from switchboard.core.db import Database
from switchboard.core.floor_wire import (
    AgentRow,
    AlarmWire,
    CampaignTile,
    FloorSnapshot,
    FloorUpdate,
    LeaderRow,
    QueueTile,
    TargetWire,
)
from switchboard.core.http import CLOCK, DATABASE, SETTINGS, endpoint
from tickets.store import tickets_t, timers_t

log = logging.getLogger(__name__)

IDLE_INTERVAL_S = 5.0  # no board connected: figures for /metrics only
MIN_INTERVAL_S = 0.25  # the quickest a board hears of a change
CONFIG_EVERY_S = 5.0  # agents' names and skills, queues, campaigns, SLA deadlines
LEADERBOARD_EVERY_S = 10.0  # teams', regions' and targets' figures: every agent recomputed
HISTORY_MINUTES = 30
DEFAULT_SL_TARGET = 0.8
DEFAULT_SL_SECONDS = 20.0
CLOSED_TICKETS = frozenset({"resolved", "closed", "cancelled"})
SEND_TIMEOUT_S = 2.0

AdapterSource = Callable[[], Iterable[AdapterHealth]]


def day_start(now: datetime, tz: ZoneInfo) -> datetime:
    """Midnight of ``now``'s day in ``tz``, as an aware datetime."""
    local = now.astimezone(tz)
    return datetime.combine(local.date(), time(0), tzinfo=tz)


def queue_rules(config: dict[str, Any]) -> tuple[QueueMetricRules, float]:
    """The queue's service-level threshold (and target): from its config, else 80% in 20 s."""
    seconds = float(config.get("service_level_s") or DEFAULT_SL_SECONDS)
    target = float(config.get("service_level_target") or DEFAULT_SL_TARGET)
    return QueueMetricRules(threshold_s=seconds), target


def serves(skills: dict[str, int], needs: dict[str, int]) -> bool:
    return all(skills.get(name, 0) >= level for name, level in needs.items())


def sl_history(
    queue: str,
    visits: Iterable[QueueVisit],
    start: datetime,
    now: datetime,
    rules: QueueMetricRules,
    minutes: int = HISTORY_MINUTES,
    known: dict[int, float | None] | None = None,
) -> list[float | None]:
    """The service level of each ``minutes`` interval of the day so far.

    None where it is undefined (no call offered in the interval, or only short abandons): a
    quiet half hour is not a half hour of failure. ``known`` holds the figures of past
    intervals already computed: they are reused and the new ones are added (the caller drops
    an interval when one of its visits changes; a past interval's service level depends on its
    visits alone). The current interval is always computed afresh."""
    step = timedelta(minutes=minutes)
    count = int((now - start) // step) + 1
    known = {} if known is None else known
    buckets: dict[int, list[QueueVisit]] = {
        n: [] for n in range(count) if n == count - 1 or n not in known
    }
    for visit in visits:
        bucket = buckets.get(int((visit.offered_at - start) // step))
        if bucket is not None:
            bucket.append(visit)
    current: float | None = None
    for n, bucket in buckets.items():
        at = start + step * n
        level = queue_figures(queue, bucket, at, at + step, now, rules).service_level
        value = None if level is None else round(level, 4)
        if n < count - 1:
            known[n] = value
        else:
            known.pop(n, None)
            current = value
    return [known[n] for n in range(count - 1)] + [current]


def history_bucket(start: datetime, at: datetime, minutes: int = HISTORY_MINUTES) -> int:
    return int((at - start) // timedelta(minutes=minutes))


@dataclass
class _Day:
    start: datetime
    calls: dict[int, list[QueueVisit]] = field(default_factory=dict)
    calls_cursor: datetime | None = None
    log_cursor: int = 0
    spans: dict[str, list[Any]] = field(default_factory=dict)  # agent -> log rows in order


@dataclass
class _Read:
    calls: list[Any]
    changes: list[Any]
    agents: list[Any] | None = None
    queues: list[Any] | None = None
    campaigns: list[Any] | None = None
    dials: list[Any] | None = None
    deadlines: list[SlaDeadline] | None = None


class FloorService:
    """Today's figures in memory, refreshed every interval; boards subscribe to the changes."""

    def __init__(
        self,
        database: Database,
        now: Callable[[], datetime],
        tz: ZoneInfo,
        adapters: AdapterSource | None = None,
        targets_file: Path | None = None,
    ) -> None:
        self.database = database
        self.targets_file = targets_file
        self.targets = Targets()
        self._targets_mtime: float | None = None
        self.leader_rows: dict[str, LeaderRow] = {}
        self._leaders_due = 0.0
        self._now = now
        self.tz = tz
        self.adapters = adapters or (lambda: ())
        self.day = _Day(day_start(now(), tz))
        self.agents: dict[str, Any] = {}
        self.queue_configs: dict[str, dict[str, Any]] = {}
        self.campaign_rows: dict[str, Any] = {}
        self.dials: list[Dial] = []
        self.deadlines: list[SlaDeadline] = []
        self.queue_tiles: dict[str, QueueTile] = {}
        self.queue_figs: dict[str, QueueFigures] = {}
        self.agent_rows: dict[str, AgentRow] = {}
        self.agent_figs: dict[str, AgentFigures] = {}
        self.campaign_tiles: dict[str, CampaignTile] = {}
        self.alarms: dict[str, Alarm] = {}
        self.alarm_rules = AlarmRules()
        self.by_queue: dict[str, dict[int, list[QueueVisit]]] = {}
        self.by_agent: dict[str, dict[int, list[QueueVisit]]] = {}
        self.boards: set[web.WebSocketResponse] = set()
        self.updates_sent = 0  # floor_update messages, summed over boards
        self.last_refresh: datetime | None = None
        self._config_due = 0.0
        self._lock = asyncio.Lock()
        self._span_cache: dict[str, list[AgentSpan]] = {}
        self._all_agents_dirty = False
        self._wrapped: dict[int, list[QueueVisit]] = {}  # call row id -> visits with wrap-up
        self.refresh_seconds: list[float] = []  # the last refreshes' durations, for /metrics
        # Past intervals' service level per queue (sl_history), dropped when a visit changes.
        self._sl_known: dict[str, dict[int, float | None]] = {}
        # Queues each agent serves, by the skills they need (until agents or queues change).
        self._serves: dict[str, list[str]] = {}
        self.available: dict[str, int] = {}  # queue -> agents available for it now
        self._figs_at: dict[str, datetime] = {}  # when each agent's figures were computed

    # --- reading -----------------------------------------------------------------------------

    def _read(self, conn: Connection, with_config: bool) -> _Read:
        day = self.day
        c = calls_t.c
        if day.calls_cursor is None:
            where = or_(c.updated_at >= day.start, c.ended_at.is_(None))
        else:
            where = c.updated_at >= day.calls_cursor
        calls = list(conn.execute(select(calls_t).where(where).order_by(c.updated_at, c.id)))
        if day.log_cursor == 0 and not day.spans:
            changes = state_log.rows_between(conn, day.start, day.start + timedelta(days=2))
        else:
            changes = state_log.rows_after(conn, day.log_cursor)
        out = _Read(calls, changes)
        if with_config:
            out.agents = list(conn.execute(select(agents_t)))
            out.queues = list(conn.execute(select(queues_t)))
            out.campaigns = list(conn.execute(select(campaigns_t)))
            cc = campaign_calls_t.c
            out.dials = list(
                conn.execute(select(campaign_calls_t).where(cc.dialed_at >= day.start))
            )
            out.deadlines = _deadlines(conn)
        return out

    # --- the tick ----------------------------------------------------------------------------

    async def refresh(self, *, full: bool = False) -> FloorUpdate | None:
        """Read what changed, recompute what it touches; the update to send, or None.
        ``full`` re-reads the configuration and recomputes the leaderboard now."""
        async with self._lock:
            now = self._now()
            if day_start(now, self.tz) != self.day.start:
                # A new day: every figure starts again from nothing.
                self.day = _Day(day_start(now, self.tz))
                self.by_queue.clear()
                self.by_agent.clear()
                self.queue_tiles.clear()
                self._wrapped.clear()
                self._sl_known.clear()
                self._all_agents_dirty = True
            mono = asyncio.get_running_loop().time()
            with_config = full or mono >= self._config_due or not self.agents
            if with_config:
                self._config_due = mono + CONFIG_EVERY_S
                self._load_targets()
            read = await self.database.read(lambda conn: self._read(conn, with_config))
            update = self._apply(read, now)
            if full or (self.boards and mono >= self._leaders_due):
                self._leaders_due = mono + LEADERBOARD_EVERY_S
                update = self._leaderboard(now, update)
            return update

    def _apply(self, read: _Read, now: datetime) -> FloorUpdate | None:
        day = self.day
        dirty_queues: set[str] = set()
        dirty_agents: set[str] = set()
        config_changed = False
        if read.agents is not None:
            fresh = {row.id: row for row in read.agents}
            for agent_id, row in fresh.items():
                old = self.agents.get(agent_id)
                if old is None or (old.name, old.team, old.region, old.skills) != (
                    row.name,
                    row.team,
                    row.region,
                    row.skills,
                ):
                    dirty_agents.add(agent_id)
                    config_changed = True
            gone = set(self.agents) - set(fresh)
            self.agents = fresh
            for agent_id in gone:
                day.spans.pop(agent_id, None)
            config_changed |= bool(gone)
        if read.queues is not None:
            fresh_q = {row.id: dict(row.config) for row in read.queues}
            if fresh_q != self.queue_configs:
                config_changed = True
                dirty_queues |= set(fresh_q) | set(self.queue_configs)
                dirty_agents |= set(self.agents)  # the queues they serve may change
                self._sl_known.clear()
            self.queue_configs = fresh_q
        if config_changed:
            self._serves.clear()
        self._span_cache.clear()
        if self._all_agents_dirty:
            dirty_agents |= set(self.agents) | set(self.agent_rows)
            self._all_agents_dirty = False
        wrap_closed: set[str] = set()
        for row in read.changes:
            earlier = day.spans.setdefault(row.agent_id, [])
            if earlier and earlier[-1].state == "wrap_up":
                wrap_closed.add(row.agent_id)
            earlier.append(row)
            day.log_cursor = max(day.log_cursor, row.id)
            dirty_agents.add(row.agent_id)
        for row in read.calls:
            if day.calls_cursor is None or row.updated_at > day.calls_cursor:
                day.calls_cursor = row.updated_at
            old = day.calls.get(row.id, [])
            visits = floor_facts.visits_of(row)
            if visits == old:
                continue
            for visit in (*old, *visits):
                known = self._sl_known.get(visit.queue)
                if known:
                    known.pop(history_bucket(day.start, visit.offered_at), None)
            for visit in old:
                self.by_queue.get(visit.queue, {}).pop(row.id, None)
                if visit.agent:
                    self.by_agent.get(visit.agent, {}).pop(row.id, None)
                    dirty_agents.add(visit.agent)
                dirty_queues.add(visit.queue)
            day.calls[row.id] = visits
            self._wrapped.pop(row.id, None)
            for visit in visits:
                self.by_queue.setdefault(visit.queue, {})[row.id] = visits
                dirty_queues.add(visit.queue)
                if visit.agent:
                    self.by_agent.setdefault(visit.agent, {})[row.id] = visits
                    dirty_agents.add(visit.agent)
        if day.calls_cursor is None:
            day.calls_cursor = day.start
        # Queues whose callers wait: the longest wait grows. Agents' state changes move the
        # queues they serve (agents available).
        for queue, tile in self.queue_tiles.items():
            if tile.waiting_now:
                dirty_queues.add(queue)
        if config_changed:
            dirty_queues |= set(self.queue_configs)
        dirty_queues |= {q for q in self.queue_configs if q not in self.queue_tiles}
        spans_by_agent = {a: self._spans(a) for a in dirty_agents}
        # Wrap-up belongs to the call before it: a wrap span that ends changes its visits.
        for agent in wrap_closed:
            for row_id, visits in self.by_agent.get(agent, {}).items():
                self._wrapped.pop(row_id, None)
                dirty_queues.update(v.queue for v in visits)
        update = FloorUpdate(at=now)
        for agent in sorted(dirty_agents):
            row = self._agent_row(agent, now, spans_by_agent[agent])
            before = self.agent_rows.get(agent)
            if row is None:
                if self.agent_rows.pop(agent, None) is not None:
                    self.agent_figs.pop(agent, None)
                    update.agents_gone.append(agent)
                    self._count_available(before, -1)
                continue
            if before != row:
                self.agent_rows[agent] = row
                update.agents.append(row)
                self._count_available(before, -1)
                self._count_available(row, 1)
        if config_changed:
            self.available = {}
            for agent_row in self.agent_rows.values():
                self._count_available(agent_row, 1)
        available = self.available
        for queue in sorted(set(self.queue_tiles) | dirty_queues):
            old = self.queue_tiles.get(queue)
            if queue in dirty_queues or old is None:
                tile = self._queue_tile(queue, now, available.get(queue, 0))
            elif old.agents_available != available.get(queue, 0):
                tile = old.model_copy(update={"agents_available": available.get(queue, 0)})
            else:
                continue
            if old != tile:
                self.queue_tiles[queue] = tile
                update.queues.append(tile)
        if read.campaigns is not None and read.dials is not None:
            update.campaigns = self._campaigns(read.campaigns, read.dials, now)
        if read.deadlines is not None:
            self.deadlines = read.deadlines
        changes = diff_alarms(self.alarms, self._evaluate(now))
        self.alarms = changes.current
        update.alarms_raised = [alarm_wire(a) for a in changes.raised]
        update.alarms_cleared = changes.cleared
        self.last_refresh = now
        empty = not (
            update.queues
            or update.agents
            or update.agents_gone
            or update.campaigns
            or update.alarms_raised
            or update.alarms_cleared
        )
        return None if empty else update

    def _load_targets(self) -> None:
        """(Re)read the targets file when it changed; a bad file is logged, the last good
        targets stay."""
        if self.targets_file is None:
            return
        try:
            mtime = self.targets_file.stat().st_mtime
        except OSError:
            mtime = None
        if mtime == self._targets_mtime:
            return
        self._targets_mtime = mtime
        try:
            self.targets = load_targets(self.targets_file) if mtime is not None else Targets()
        except TargetsError as exc:
            log.error("targets not loaded: %s", exc)
        self.leader_rows.clear()

    def _leaderboard(self, now: datetime, update: FloorUpdate | None) -> FloorUpdate | None:
        """Teams and regions (and agents and queues with targets) with their figures, by the
        definitions the report uses; the rows that changed are added to ``update``."""
        visits = self.visits()
        rules = {q: queue_rules(c)[0] for q, c in self.queue_configs.items()}
        default = QueueMetricRules(threshold_s=DEFAULT_SL_SECONDS)
        repeats = repeat_index(visits)
        window = timedelta(seconds=default.fcr_window_s)
        visits_of: dict[str, list[QueueVisit]] = {}
        for visit in visits:
            if visit.agent:
                visits_of.setdefault(visit.agent, []).append(visit)
        end = max(now, self.day.start)
        tallies: dict[str, Tally] = {}
        for agent in self.agents:
            figures = self._figures_now(agent, now, end, visits_of.get(agent, []))
            tallies[agent] = agent_tally(
                figures,
                visits_of.get(agent, []),
                self.day.start,
                end,
                repeats,
                lambda q: rules.get(q, default).threshold_s,
                window,
                now,
            )
        rows: dict[str, LeaderRow] = {}
        for by in ("team", "region", "agent"):
            wanted = set(self.targets.subjects(by))
            for group in leaderboard(agent_groups(self.agents, by), tallies):
                if by == "agent" and group.key not in wanted:
                    continue
                row = leader_row(by, group, self.targets.of(by, group.key))
                rows[row.row_key] = row
        for queue in self.targets.subjects("queue"):
            figures_q = self.queue_figs.get(queue)
            found = [
                attainment(t, _queue_value(figures_q, t.figure))
                for t in self.targets.of("queue", queue)
            ]
            row = LeaderRow(
                by="queue",
                key=queue,
                answered=figures_q.answered if figures_q else 0,
                aht_s=_round(figures_q.aht_s, 1) if figures_q else None,
                fcr=_round(figures_q.fcr) if figures_q else None,
                service_level=_round(figures_q.service_level) if figures_q else None,
                targets=[target_wire(a) for a in found],
            )
            rows[row.row_key] = row
        changed = [r for key, r in sorted(rows.items()) if self.leader_rows.get(key) != r]
        gone = sorted(set(self.leader_rows) - set(rows))
        self.leader_rows = rows
        if not changed and not gone:
            return update
        update = update or FloorUpdate(at=now)
        update.leaderboard = changed
        update.leaderboard_gone = gone
        return update

    def _figures_now(
        self, agent: str, now: datetime, end: datetime, visits: list[QueueVisit]
    ) -> AgentFigures:
        """The agent's figures to ``now``: those of its last change, the open span carried on
        to now (exact: an agent with no new change is still in that span), else computed."""
        figures, at = self.agent_figs.get(agent), self._figs_at.get(agent)
        if figures is None or at is None or at > now or figures.state is None:
            return agent_figures(agent, self._spans(agent), visits, self.day.start, end, now)
        seconds = dict(figures.seconds_by_state)
        seconds[figures.state] = seconds.get(figures.state, 0.0) + (now - at).total_seconds()
        return replace(figures, seconds_by_state=seconds)

    def _count_available(self, row: AgentRow | None, sign: int) -> None:
        """Keep ``available`` (agents available per queue) as rows change, not by a count of
        every agent each tick."""
        if row is not None and row.state == "available":
            for queue in row.queues:
                self.available[queue] = self.available.get(queue, 0) + sign

    # --- figures -----------------------------------------------------------------------------

    def _spans(self, agent: str) -> list[AgentSpan]:
        cached = self._span_cache.get(agent)
        if cached is not None:
            return cached
        rows = self.day.spans.get(agent)
        if rows:
            spans = state_log.agent_spans(agent, rows)
        elif (row := self.agents.get(agent)) is not None:
            spans = [AgentSpan(agent, row.state, row.state_since, None, row.state_reason)]
        else:
            spans = []
        self._span_cache[agent] = spans
        return spans

    def visits(self, queue: str | None = None) -> list[QueueVisit]:
        """Today's visits (of one queue), with the wrap-up their agents did after them."""
        groups = self.day.calls if queue is None else self.by_queue.get(queue, {})
        out: list[QueueVisit] = []
        for row_id, visits in groups.items():
            # Wrapped once per call: again only when the call changes or a wrap-up ends.
            wrapped = self._wrapped.get(row_id)
            if wrapped is None:
                wrapped = [
                    floor_facts.with_wrap_up(v, self._spans(v.agent) if v.agent else [])
                    for v in visits
                ]
                self._wrapped[row_id] = wrapped
            out.extend(v for v in wrapped if queue is None or v.queue == queue)
        return out

    def _queue_tile(self, queue: str, now: datetime, available: int) -> QueueTile:
        config = self.queue_configs.get(queue, {})
        rules, target = queue_rules(config)
        visits = self.visits(queue)
        end = self.day.start + timedelta(days=1)
        figures = queue_figures(queue, visits, self.day.start, end, now, rules)
        self.queue_figs[queue] = figures
        known = self._sl_known.setdefault(queue, {})
        history = sl_history(queue, visits, self.day.start, now, rules, known=known)
        return QueueTile(
            queue=queue,
            name=str(config.get("name") or queue),
            offered=figures.offered,
            answered=figures.answered,
            abandoned=figures.abandoned,
            short_abandons=figures.short_abandons,
            waiting_now=figures.waiting_now,
            longest_wait_s=float(int(figures.longest_wait_s)),
            service_level=_round(figures.service_level),
            service_level_target=target,
            service_level_formula=figures.service_level_formula,
            asa_s=_round(figures.asa_s, 1),
            aht_s=_round(figures.aht_s, 1),
            abandon_rate=_round(figures.abandon_rate),
            agents_available=available,
            sl_history=history,
        )

    def agent_figures(self, agent: str, now: datetime, spans: list[AgentSpan]) -> AgentFigures:
        visits = [
            floor_facts.with_wrap_up(v, spans)
            for group in self.by_agent.get(agent, {}).values()
            for v in group
            if v.agent == agent
        ]
        # Time by state runs to now: an open span counts as far as it has gone.
        return agent_figures(agent, spans, visits, self.day.start, max(now, self.day.start), now)

    def _agent_row(self, agent: str, now: datetime, spans: list[AgentSpan]) -> AgentRow | None:
        row = self.agents.get(agent)
        if row is None:
            return None
        figures = self.agent_figures(agent, now, spans)
        self.agent_figs[agent] = figures
        self._figs_at[agent] = now
        current = spans[-1] if spans else None
        queues = self._serves.get(agent)
        if queues is None:
            skills = dict(row.skills or {})
            queues = sorted(
                q
                for q, c in self.queue_configs.items()
                if serves(skills, dict(c.get("skills") or {}))
            )
            self._serves[agent] = queues
        return AgentRow(
            agent=agent,
            name=row.name,
            team=row.team or "",
            state=current.state if current else row.state,
            since=current.start if current else row.state_since,
            reason=current.reason if current else row.state_reason,
            queues=list(queues),
            calls=figures.calls,
            aht_s=_round(figures.aht_s, 1),
            occupancy=_round(figures.occupancy),
        )

    def _campaigns(
        self, rows: list[Any], dial_rows: list[Any], now: datetime
    ) -> list[CampaignTile]:
        dials = [
            Dial(
                r.campaign_id,
                r.dialed_at,
                r.answered_at is not None,
                bool(r.abandoned) and r.answered_at is not None,
                float(r.talk_s or 0.0),
            )
            for r in dial_rows
        ]
        self.dials = dials
        changed: list[CampaignTile] = []
        seen: set[str] = set()
        end = self.day.start + timedelta(days=1)
        for row in rows:
            cap = float((row.compliance or {}).get("abandon_cap") or 0.03)
            figures = campaign_figures(row.id, dials, self.day.start, end, 0.0, cap)
            tile = CampaignTile(
                campaign=row.id,
                status="running" if row.status == "active" else row.status,
                dials=figures.dials,
                connects=figures.connects,
                answer_rate=_round(figures.answer_rate),
                abandon_rate=_round(figures.abandon_rate),
                abandon_cap=cap,
            )
            seen.add(row.id)
            self.campaign_rows[row.id] = figures
            if self.campaign_tiles.get(row.id) != tile:
                self.campaign_tiles[row.id] = tile
                changed.append(tile)
        for gone in set(self.campaign_tiles) - seen:
            self.campaign_tiles.pop(gone)
            self.campaign_rows.pop(gone, None)
        return changed

    def _evaluate(self, now: datetime) -> list[Alarm]:
        # Only agents past their state's limit can raise an alarm: figures for those alone,
        # not a copy of every agent's figures each tick.
        limits = self.alarm_rules.state_limits_s
        agents = []
        for agent, row in self.agent_rows.items():
            limit = limits.get(row.state)
            if limit is None or row.since is None:
                continue
            in_state = max(0.0, (now - row.since).total_seconds())
            figures = self.agent_figs.get(agent)
            if in_state > limit and figures is not None:
                agents.append(replace(figures, state=row.state, in_state_s=in_state))
        campaigns: list[CampaignFigures] = list(self.campaign_rows.values())
        return evaluate_alarms(
            now,
            agents=agents,
            queues=self.queue_figs.values(),
            deadlines=self.deadlines,
            campaigns=campaigns,
            adapters=self.adapters(),
            rules=self.alarm_rules,
        )

    # --- boards ------------------------------------------------------------------------------

    def snapshot(self) -> FloorSnapshot:
        return FloorSnapshot(
            at=self.last_refresh or self._now(),
            period_start=self.day.start,
            queues=[self.queue_tiles[q] for q in sorted(self.queue_tiles)],
            agents=[self.agent_rows[a] for a in sorted(self.agent_rows)],
            campaigns=[self.campaign_tiles[c] for c in sorted(self.campaign_tiles)],
            alarms=[alarm_wire(a) for a in self.alarms.values()],
            leaderboard=[self.leader_rows[k] for k in sorted(self.leader_rows)],
        )

    async def broadcast(self, update: FloorUpdate) -> None:
        if not self.boards:
            return
        text = update.model_dump_json()
        for ws in list(self.boards):
            try:
                async with asyncio.timeout(SEND_TIMEOUT_S):
                    await ws.send_str(text)
                self.updates_sent += 1
            except (ConnectionError, RuntimeError, TimeoutError):
                self.boards.discard(ws)

    async def tick(self) -> None:
        update = await self.refresh()
        if update is not None:
            await self.broadcast(update)

    async def run(self) -> None:
        while True:
            started = asyncio.get_running_loop().time()
            try:
                await self.tick()
            except Exception:
                log.exception("the floor refresh failed")
            spent = asyncio.get_running_loop().time() - started
            self.refresh_seconds = [*self.refresh_seconds[-99:], spent]
            await asyncio.sleep(max(0.05, self.interval() - spent))

    def interval(self) -> float:
        """Seconds between updates: quick (a board hears of a change within a quarter second)
        but never more than one message per second per queue on the board. With no board
        connected only /metrics reads the figures, and a slower pace spares the event loop
        that acknowledges call events."""
        if not self.boards:
            return IDLE_INTERVAL_S
        return max(MIN_INTERVAL_S, 1.0 / max(1, len(self.queue_configs)))


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def agent_groups(agents: dict[str, Any], by: str) -> dict[str, str]:
    """agent -> the key of its group (team, region or itself); "" when it has none."""
    if by == "agent":
        return {a: a for a in agents}
    return {a: (getattr(row, by, None) or "") for a, row in agents.items()}


def _queue_value(figures: QueueFigures | None, name: str) -> float | None:
    raw = getattr(figures, name, None) if figures is not None else None
    return None if raw is None else float(raw)


def target_wire(a: Attainment) -> TargetWire:
    return TargetWire(
        figure=a.figure,
        op=a.op,
        target=a.target,
        value=_round(a.value),
        attained=a.attained,
        met=a.met,
    )


def leader_row(by: str, group: GroupFigures, targets: Iterable[Target]) -> LeaderRow:
    return LeaderRow(
        by=by,  # type: ignore[arg-type]
        key=group.key,
        agents=group.agents,
        answered=group.answered,
        aht_s=_round(group.aht_s, 1),
        fcr=_round(group.fcr),
        occupancy=_round(group.occupancy),
        service_level=_round(group.service_level),
        targets=[target_wire(attainment(t, group.figure(t.figure))) for t in targets],
    )


def alarm_wire(alarm: Alarm) -> AlarmWire:
    return AlarmWire(
        key=alarm.key,
        kind=alarm.kind,
        subject=alarm.subject,
        severity=alarm.severity.value,
        text=alarm.text,
        since=alarm.since,
    )


def _deadlines(conn: Connection) -> list[SlaDeadline]:
    """Breach deadlines of open requests: pending ones, and those already passed."""
    t, r = timers_t.c, tickets_t.c
    query = (
        select(r.number, r.sla_policy, t.due_at, t.fired_due_at)
        .join(tickets_t, tickets_t.c.id == t.ticket_id)
        .where(t.level == "breach", r.status.not_in(CLOSED_TICKETS))
        .where(or_(t.due_at.is_not(None), t.fired_due_at.is_not(None)))
    )
    out: list[SlaDeadline] = []
    for row in conn.execute(query):
        due = row.due_at or row.fired_due_at
        out.append(SlaDeadline(row.number, due, row.sla_policy or ""))
    return out


FLOOR = web.AppKey("floor", FloorService)
FLOOR_ADAPTERS = web.AppKey("floor_adapters", AdapterSource)  # type: ignore[type-abstract]

routes = web.RouteTableDef()


@routes.get("/api/v1/floor/ws")
@endpoint(
    "Websocket of the supervisors' floor: aggregates for the wallboard",
    roles=("admin", "supervisor"),
    description="The first message is a 'floor_snapshot' (queue tiles, agent rows, campaign "
    "tiles, alarms); then at most one 'floor_update' every 0.25 s (and never more than one "
    "a second per queue) with only what changed. "
    "Never replayed: a reconnecting board gets a new snapshot.",
    statuses=(101, 401, 403),
)
async def floor_ws(request: web.Request) -> web.StreamResponse:
    service = request.app[FLOOR]
    ws = web.WebSocketResponse(heartbeat=20.0)
    await ws.prepare(request)
    try:
        async with service._lock:
            await ws.send_str(service.snapshot().model_dump_json())
            service.boards.add(ws)
        async for _ in ws:
            pass  # boards have nothing to say on this socket
    finally:
        service.boards.discard(ws)
        if not ws.closed:
            await ws.close()
    return ws


async def floor_ctx(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: the floor service refreshing while the server runs."""
    clock = app[CLOCK]
    service = FloorService(
        app[DATABASE],
        clock.now,
        ZoneInfo(app[SETTINGS].floor_timezone),
        app.get(FLOOR_ADAPTERS),
        app[SETTINGS].targets_file,
    )
    app[FLOOR] = service
    try:
        await service.refresh()
    except Exception:
        log.exception("the first floor refresh failed")
    task = asyncio.create_task(service.run(), name="floor")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    for ws in list(service.boards):
        with contextlib.suppress(Exception):
            await ws.close()
