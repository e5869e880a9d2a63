"""``switchboard report queues|agents|sla|leaderboard|targets``: reports to CSV or JSON.

Reads the database directly (like ``segments refresh``): a report runs where the data is, needs
no token and works while the server is down; it uses the same functions as
``GET /api/v1/reports/...`` (``routing.reports``), so the numbers are the same.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from routing.metrics.leaderboard import FIGURES, GROUPINGS
from routing.metrics.targets import Targets, TargetsError
from routing.targets_file import load_targets
from switchboard.core.settings import Settings

KINDS = ("queues", "agents", "sla", "leaderboard", "targets")


class ReportError(Exception):
    pass


def _when(raw: str | None, tz: ZoneInfo, default: datetime, name: str) -> datetime:
    if not raw:
        return default
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ReportError(f"--{name}: a date and time like 2026-11-23T09:00, not {raw!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _targets(args: argparse.Namespace, settings: Settings) -> Targets | None:
    path = getattr(args, "targets", None) or settings.targets_file
    if path is None:
        return None
    try:
        return load_targets(path)
    except TargetsError as exc:
        raise ReportError(str(exc)) from None


def _figures(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return tuple(FIGURES)
    chosen = tuple(f.strip() for f in raw.split(",") if f.strip())
    for name in chosen:
        if name not in FIGURES:
            raise ReportError(f"--figures: {name!r} is not one of {', '.join(FIGURES)}")
    return chosen


def render(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1)
    from routing.reports import csv_rows

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(csv_rows(rows))
    return out.getvalue()


def run(args: argparse.Namespace, settings: Settings) -> str:
    from routing import reports
    from routing.floor import day_start
    from switchboard.core.clock import SystemClock
    from switchboard.customer_cli import _with_database

    tz = ZoneInfo(settings.floor_timezone)
    now = SystemClock().now()
    start = _when(args.start, tz, day_start(now, tz), "from")
    end = _when(args.end, tz, min(now, start + timedelta(days=1)), "to")
    if end <= start:
        raise ReportError("--to must be after --from")
    minutes = args.interval
    targets = _targets(args, settings) if args.kind in ("leaderboard", "targets") else None
    figures = _figures(getattr(args, "figures", None))
    by, sort = getattr(args, "by", "team"), getattr(args, "sort", "answered")
    if sort not in FIGURES:
        raise ReportError(f"--sort: one of {', '.join(FIGURES)}, not {sort!r}")
    if args.kind == "targets" and targets is None:
        raise ReportError("report targets: give --targets FILE (or set targets_file)")

    def read(conn: Any) -> list[dict[str, Any]]:
        if args.kind == "leaderboard":
            return reports.leaderboard_report(conn, start, end, now, by, sort, figures, targets)
        if args.kind == "targets":
            assert targets is not None
            return reports.targets_report(conn, start, end, now, targets)
        if args.kind == "queues":
            return reports.queue_report(conn, start, end, minutes, now)
        if args.kind == "agents":
            return reports.agent_report(conn, start, end, minutes, now)
        return reports.sla_compliance(conn, start, end)

    async def work(database: Any) -> list[dict[str, Any]]:
        return await database.read(read)

    return render(asyncio.run(_with_database(settings, work)), args.format)


def add_parser(sub: Any, settings_of: Callable[[argparse.Namespace], Settings]) -> None:
    report = sub.add_parser(
        "report",
        help="interval reports per queue or agent, SLA compliance, leaderboards and targets",
        description="Reports from the database: the wallboard's figures per 15, 30 or 60 "
        "minutes, SLA compliance, the leaderboard by team, region or agent, and targets with "
        "their attainment. Times without an offset are in floor_timezone.",
    )
    report.add_argument("kind", choices=KINDS)
    report.add_argument("--from", dest="start", help="start (default: today's midnight)")
    report.add_argument("--to", dest="end", help="end, excluded (default: now)")
    report.add_argument("--interval", type=int, choices=(15, 30, 60), default=30)
    report.add_argument("--format", choices=("csv", "json"), default="csv")
    report.add_argument(
        "--by", choices=GROUPINGS, default="team", help="leaderboard: rank teams, regions or agents"
    )
    report.add_argument(
        "--sort", default="answered", help=f"leaderboard: rank on ({', '.join(FIGURES)})"
    )
    report.add_argument(
        "--figures", help="leaderboard: the figures to show, comma-separated (default: all)"
    )
    report.add_argument("--targets", help="targets TOML file (default: the targets_file setting)")

    def command(args: argparse.Namespace) -> int:
        try:
            print(run(args, settings_of(args)), end="" if args.format == "csv" else "\n")
        except ReportError as exc:
            from switchboard.cli import CommandError

            raise CommandError(str(exc), 2) from None
        return 0

    report.set_defaults(func=command)
