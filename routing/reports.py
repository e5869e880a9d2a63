"""Interval reports per queue and per agent, and SLA compliance: read from the database.

The same facts as the live board (``routing.floor_facts``: visits from call rows, spans from the
agent state log, wrap-up attached the same way) and the same figures (``routing.metrics``), so
the board and the report agree for the same period. Rows are dicts ready for JSON or CSV.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from routing import floor_facts, state_log
from routing.floor import agent_groups, queue_rules
from routing.metrics.agent import agent_figures
from routing.metrics.facts import AgentSpan, QueueVisit
from routing.metrics.intervals import INTERVAL_MINUTES, interval_starts
from routing.metrics.leaderboard import FIGURES, GroupFigures, Tally, agent_tally, leaderboard, rank
from routing.metrics.queue import QueueMetricRules, queue_figures, repeat_index
from routing.metrics.targets import Attainment, Targets, attainment
from routing.store import agents_t, calls_t, queues_t
from tickets.store import clocks_t, tickets_t, timers_t

# A visit belongs to the period it was offered in; a call is read if it began up to this long
# before the period (a transfer can offer it to a second queue later).
LOOKBACK = timedelta(hours=12)

QUEUE_FIELDS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandons",
    "answered_within",
    "abandoned_within",
    "service_level",
    "asa_s",
    "aht_s",
    "abandon_rate",
    "fcr",
)
AGENT_FIELDS = ("calls", "aht_s", "occupancy", "breaks", "break_s")


def load_facts(
    conn: Connection, start: datetime, end: datetime
) -> tuple[list[QueueVisit], list[AgentSpan]]:
    """The visits offered in [start, end) (wrap-up attached) and the spans overlapping it."""
    c = calls_t.c
    first = func.coalesce(c.ringing_at, c.answered_at, c.ended_at)
    rows = conn.execute(
        select(calls_t).where(and_(first < end, or_(first >= start - LOOKBACK, first.is_(None))))
    )
    spans = state_log.spans(state_log.rows_between(conn, start, end))
    by_agent: dict[str, list[AgentSpan]] = {}
    for span in spans:
        by_agent.setdefault(span.agent, []).append(span)
    visits = [
        floor_facts.with_wrap_up(v, by_agent.get(v.agent or "", []))
        for row in rows
        for v in floor_facts.visits_of(row)
        if start <= v.offered_at < end
    ]
    return visits, spans


def _period(start: datetime, end: datetime, now: datetime) -> datetime:
    return min(end, now) if now > start else end


def queue_report(
    conn: Connection, start: datetime, end: datetime, minutes: int, now: datetime
) -> list[dict[str, Any]]:
    """One row per interval per queue (queues configured, or seen in the period)."""
    visits, _ = load_facts(conn, start, end)
    configs = {row.id: dict(row.config) for row in conn.execute(select(queues_t))}
    queues = sorted(set(configs) | {v.queue for v in visits})
    step = timedelta(minutes=minutes)
    out: list[dict[str, Any]] = []
    for at in interval_starts(start, end, minutes):
        lo, hi = max(at, start), min(at + step, end)
        inside = [v for v in visits if lo <= v.offered_at < hi]
        for queue in queues:
            rules, target = queue_rules(configs.get(queue, {}))
            figures = queue_figures(queue, inside, lo, hi, now, rules)
            values = asdict(figures)
            row = {"interval_start": lo.isoformat(), "interval_end": hi.isoformat(), "queue": queue}
            row.update({k: _num(values[k]) for k in QUEUE_FIELDS})
            row["service_level_target"] = target
            row["service_level_formula"] = figures.service_level_formula
            out.append(row)
    return out


def agent_report(
    conn: Connection, start: datetime, end: datetime, minutes: int, now: datetime
) -> list[dict[str, Any]]:
    """One row per interval per agent: time by state, calls, AHT, occupancy, breaks."""
    visits, spans = load_facts(conn, start, end)
    agents = {row.id: row for row in conn.execute(select(agents_t))}
    names = sorted(set(agents) | {s.agent for s in spans})
    step = timedelta(minutes=minutes)
    limit = _period(start, end, now)
    out: list[dict[str, Any]] = []
    for at in interval_starts(start, end, minutes):
        lo, hi = max(at, start), min(at + step, end, limit)
        if hi <= lo:
            break
        for agent in names:
            figures = agent_figures(agent, spans, visits, lo, hi, now)
            row = agents.get(agent)
            out.append(
                {
                    "interval_start": lo.isoformat(),
                    "interval_end": min(at + step, end).isoformat(),
                    "agent": agent,
                    "name": row.name if row is not None else agent,
                    "team": (row.team or "") if row is not None else "",
                    **{k: _num(getattr(figures, k)) for k in AGENT_FIELDS},
                    "seconds_by_state": {
                        s: round(v, 3) for s, v in sorted(figures.seconds_by_state.items())
                    },
                }
            )
    return out


def sla_compliance(conn: Connection, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Requests whose SLA clocks started in the period, by policy and category: how many,
    how many breached (their breach deadline passed), and the share met."""
    k, r, t = clocks_t.c, tickets_t.c, timers_t.c
    breached = (
        select(t.ticket_id, t.clock).where(t.level == "breach", t.fired_at.is_not(None)).subquery()
    )
    query = (
        select(k.policy, r.category_id, k.clock, breached.c.ticket_id.is_not(None).label("late"))
        .join(tickets_t, tickets_t.c.id == k.ticket_id)
        .outerjoin(breached, and_(breached.c.ticket_id == k.ticket_id, breached.c.clock == k.clock))
        .where(k.started_at >= start, k.started_at < end)
    )
    groups: dict[tuple[str, str, str], list[int]] = {}
    for row in conn.execute(query):
        counts = groups.setdefault((row.policy, row.category_id, row.clock), [0, 0])
        counts[0] += 1
        counts[1] += int(bool(row.late))
    return [
        {
            "policy": policy,
            "category": category,
            "clock": clock,
            "requests": total,
            "breached": late,
            "met": total - late,
            "compliance": round((total - late) / total, 4) if total else None,
        }
        for (policy, category, clock), (total, late) in sorted(groups.items())
    ]


def _num(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def parse_interval(raw: str | None) -> int:
    if raw is None or raw == "":
        return 30
    if not raw.isdigit() or int(raw) not in INTERVAL_MINUTES:
        raise ValueError(f"interval is one of {', '.join(map(str, INTERVAL_MINUTES))} minutes")
    return int(raw)


def period_days(start: datetime, end: datetime) -> float:
    """Days a period covers, for per-day targets: at least one, whole days counted."""
    return max(1.0, float(-(-(end - start) // timedelta(days=1))))


def agent_tallies(
    agents: Sequence[str],
    spans: Sequence[AgentSpan],
    visits: Sequence[QueueVisit],
    configs: dict[str, dict[str, Any]],
    start: datetime,
    end: datetime,
    now: datetime,
) -> dict[str, Tally]:
    """Each agent's leaderboard tally for [start, end): the same call the floor makes."""
    rules: dict[str, QueueMetricRules] = {}

    def rules_of(queue: str) -> QueueMetricRules:
        if queue not in rules:
            rules[queue] = queue_rules(configs.get(queue, {}))[0]
        return rules[queue]

    repeats = repeat_index(visits)
    window = timedelta(seconds=QueueMetricRules().fcr_window_s)
    spans_of: dict[str, list[AgentSpan]] = {}
    for span in spans:
        spans_of.setdefault(span.agent, []).append(span)
    visits_of: dict[str, list[QueueVisit]] = {}
    for visit in visits:
        if visit.agent:
            visits_of.setdefault(visit.agent, []).append(visit)
    out: dict[str, Tally] = {}
    for agent in agents:
        mine = visits_of.get(agent, [])
        figures = agent_figures(agent, spans_of.get(agent, []), mine, start, end, now)
        out[agent] = agent_tally(
            figures, mine, start, end, repeats, lambda q: rules_of(q).threshold_s, window, now
        )
    return out


def attainment_view(a: Attainment) -> dict[str, Any]:
    return {
        "value": _num(a.value),
        "op": a.op,
        "target": _num(a.target),
        "attained": a.attained,
        "met": None if a.met is None else ("yes" if a.met else "no"),
    }


@dataclass(frozen=True)
class _Tallied:
    """What the leaderboard and the targets are computed from, for one period."""

    visits: list[QueueVisit]
    agents: dict[str, Any]
    configs: dict[str, dict[str, Any]]
    tallies: dict[str, Tally]


def _tallied(conn: Connection, start: datetime, end: datetime, now: datetime) -> _Tallied:
    visits, spans = load_facts(conn, start, end)
    agents = {row.id: row for row in conn.execute(select(agents_t))}
    configs = {row.id: dict(row.config) for row in conn.execute(select(queues_t))}
    names = sorted(set(agents) | {s.agent for s in spans})
    limit = _period(start, end, now)
    tallies = agent_tallies(names, spans, visits, configs, start, limit, now)
    return _Tallied(list(visits), agents, configs, tallies)


def leaderboard_report(
    conn: Connection,
    start: datetime,
    end: datetime,
    now: datetime,
    by: str,
    sort: str = "answered",
    figures: Sequence[str] = tuple(FIGURES),
    targets: Targets | None = None,
) -> list[dict[str, Any]]:
    """Teams, regions or agents ranked on ``sort`` (best first), with ``figures`` and the
    attainment of their targets, for [start, end)."""
    period = _tallied(conn, start, end, now)
    agents, tallies = period.agents, period.tallies
    groups = agent_groups(agents, by)
    rows = leaderboard(groups, tallies)
    days = period_days(start, end)
    out: list[dict[str, Any]] = []
    for ranked in rank(rows, sort):
        row: dict[str, Any] = {"rank": ranked.rank or None, by: ranked.figures.key}
        if by == "agent":
            agent = agents.get(ranked.figures.key)
            row["name"] = agent.name if agent is not None else ranked.figures.key
        else:
            row["agents"] = ranked.figures.agents
        row.update({f: _num(getattr(ranked.figures, f)) for f in figures})
        for target in (targets or Targets()).of(by, ranked.figures.key):
            value = _group_value(ranked.figures, target.figure)
            row[f"target.{target.figure}"] = attainment_view(attainment(target, value, days))
        out.append(row)
    return out


def _group_value(figures: GroupFigures, name: str) -> float | None:
    return figures.figure(name) if name in FIGURES else None


def targets_report(
    conn: Connection, start: datetime, end: datetime, now: datetime, targets: Targets
) -> list[dict[str, Any]]:
    """Every target of the file with its value for [start, end) and its attainment."""
    period = _tallied(conn, start, end, now)
    visits, agents, configs, tallies = period.visits, period.agents, period.configs, period.tallies
    by_scope = {
        scope: {g.key: g for g in leaderboard(agent_groups(agents, scope), tallies)}
        for scope in ("team", "region", "agent")
    }
    days = period_days(start, end)
    out: list[dict[str, Any]] = []
    for target in targets.targets:
        value: float | None
        if target.scope == "queue":
            rules, _ = queue_rules(configs.get(target.subject, {}))
            figures = queue_figures(target.subject, visits, start, end, now, rules)
            raw = getattr(figures, target.figure)
            value = None if raw is None else float(raw)
        else:
            group = by_scope[target.scope].get(target.subject)
            value = group.figure(target.figure) if group is not None else None
        out.append(
            {
                "scope": target.scope,
                "subject": target.subject,
                "figure": target.figure,
                **attainment_view(attainment(target, value, days)),
            }
        )
    return out


def csv_rows(rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """Rows for a CSV writer: a header, then values (nested dicts flattened as ``key.sub``)."""
    flat: list[dict[str, Any]] = []
    for row in rows:
        item: dict[str, Any] = {}
        for key, value in row.items():
            if isinstance(value, dict):
                item.update({f"{key}.{sub}": v for sub, v in value.items()})

            else:
                item[key] = value
        flat.append(item)
    header: list[str] = []
    for item in flat:
        header += [key for key in item if key not in header]
    return [header, *[[item.get(key, "") for key in header] for item in flat]]
