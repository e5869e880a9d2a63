"""``switchboard report queues|agents|sla``: interval reports to CSV or JSON.

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

from switchboard.core.settings import Settings

KINDS = ("queues", "agents", "sla")


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

    def read(conn: Any) -> list[dict[str, Any]]:
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
        help="interval reports per queue or agent, SLA compliance (CSV or JSON)",
        description="Interval reports from the database: the wallboard's figures per 15, 30 "
        "or 60 minutes. Times without an offset are in floor_timezone.",
    )
    report.add_argument("kind", choices=KINDS)
    report.add_argument("--from", dest="start", help="start (default: today's midnight)")
    report.add_argument("--to", dest="end", help="end, excluded (default: now)")
    report.add_argument("--interval", type=int, choices=(15, 30, 60), default=30)
    report.add_argument("--format", choices=("csv", "json"), default="csv")

    def command(args: argparse.Namespace) -> int:
        try:
            print(run(args, settings_of(args)), end="" if args.format == "csv" else "\n")
        except ReportError as exc:
            from switchboard.cli import CommandError

            raise CommandError(str(exc), 2) from None
        return 0

    report.set_defaults(func=command)
