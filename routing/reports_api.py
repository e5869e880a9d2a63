"""HTTP routes of the reports: per queue, per agent, SLA compliance, leaderboard, targets."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web

from routing import reports
from routing.floor import FLOOR, day_start
from routing.metrics.leaderboard import FIGURES, GROUPINGS
from switchboard.core.errors import BadRequest
from switchboard.core.http import CLOCK, DATABASE, SETTINGS, endpoint, json_response

routes = web.RouteTableDef()

QUERY = {
    "from": "start (ISO 8601; without an offset: in floor_timezone); default: today's midnight",
    "to": "end, excluded; default: now",
    "interval": "15, 30 or 60 minutes (default 30)",
}
MAX_DAYS = 62


def period(request: web.Request) -> tuple[datetime, datetime, int, datetime]:
    tz = ZoneInfo(request.app[SETTINGS].floor_timezone)
    now = request.app[CLOCK].now()

    def when(name: str, default: datetime) -> datetime:
        raw = request.query.get(name)
        if not raw:
            return default
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise BadRequest(
                f"{name} is a date and time like 2026-11-23T09:00, not {raw!r}", field=name
            ) from None
        return value if value.tzinfo else value.replace(tzinfo=tz)

    start = when("from", day_start(now, tz))
    end = when("to", now)
    if end <= start:
        raise BadRequest("to must be after from", field="to")
    if end - start > timedelta(days=MAX_DAYS):
        raise BadRequest(f"a report covers at most {MAX_DAYS} days", field="to")
    try:
        minutes = reports.parse_interval(request.query.get("interval"))
    except ValueError as exc:
        raise BadRequest(str(exc), field="interval") from None
    return start, end, minutes, now


@routes.get("/api/v1/reports/queues")
@endpoint(
    "Interval report per queue: offered, answered, abandoned, service level, ASA, AHT",
    roles=("admin", "supervisor"),
    query=QUERY,
    statuses=(200, 400),
)
async def queue_report(request: web.Request) -> web.Response:
    start, end, minutes, now = period(request)
    rows = await request.app[DATABASE].read(
        lambda c: reports.queue_report(c, start, end, minutes, now)
    )
    return json_response(
        {"from": start.isoformat(), "to": end.isoformat(), "interval": minutes, "rows": rows}
    )


@routes.get("/api/v1/reports/agents")
@endpoint(
    "Interval report per agent: time by state, calls, AHT, occupancy, breaks",
    roles=("admin", "supervisor"),
    query=QUERY,
    statuses=(200, 400),
)
async def agent_report(request: web.Request) -> web.Response:
    start, end, minutes, now = period(request)
    rows = await request.app[DATABASE].read(
        lambda c: reports.agent_report(c, start, end, minutes, now)
    )
    return json_response(
        {"from": start.isoformat(), "to": end.isoformat(), "interval": minutes, "rows": rows}
    )


@routes.get("/api/v1/reports/sla")
@endpoint(
    "SLA compliance of requests whose clocks started in the period, by policy and category",
    roles=("admin", "supervisor"),
    query={"from": QUERY["from"], "to": QUERY["to"]},
    statuses=(200, 400),
)
async def sla_report(request: web.Request) -> web.Response:
    start, end, _, _ = period(request)
    rows = await request.app[DATABASE].read(lambda c: reports.sla_compliance(c, start, end))
    return json_response({"from": start.isoformat(), "to": end.isoformat(), "rows": rows})


@routes.get("/api/v1/reports/leaderboard")
@endpoint(
    "Leaderboard by team, region or agent, with the attainment of their targets",
    roles=("admin", "supervisor"),
    query={
        "from": QUERY["from"],
        "to": QUERY["to"],
        "by": "team, region or agent (default team)",
        "sort": f"the figure ranked on, best first: {', '.join(FIGURES)} (default answered)",
    },
    statuses=(200, 400),
)
async def leaderboard_report(request: web.Request) -> web.Response:
    start, end, _, now = period(request)
    by = request.query.get("by") or "team"
    if by not in GROUPINGS:
        raise BadRequest(f"by is one of {', '.join(GROUPINGS)}, not {by!r}", field="by")
    sort = request.query.get("sort") or "answered"
    if sort not in FIGURES:
        raise BadRequest(f"sort is one of {', '.join(FIGURES)}, not {sort!r}", field="sort")
    targets = request.app[FLOOR].targets
    rows = await request.app[DATABASE].read(
        lambda c: reports.leaderboard_report(c, start, end, now, by, sort, tuple(FIGURES), targets)
    )
    return json_response(
        {"from": start.isoformat(), "to": end.isoformat(), "by": by, "sort": sort, "rows": rows}
    )


@routes.get("/api/v1/reports/targets")
@endpoint(
    "Every target of the server's targets file with its value and attainment for the period",
    roles=("admin", "supervisor"),
    query={"from": QUERY["from"], "to": QUERY["to"]},
    statuses=(200, 400),
)
async def targets_report(request: web.Request) -> web.Response:
    start, end, _, now = period(request)
    targets = request.app[FLOOR].targets
    rows = await request.app[DATABASE].read(
        lambda c: reports.targets_report(c, start, end, now, targets)
    )
    return json_response({"from": start.isoformat(), "to": end.isoformat(), "rows": rows})
