"""Customer commands: `segments refresh|list|add`, `import customers`, `export customers`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from switchboard.core.settings import Settings

T = TypeVar("T")
Command = Callable[[argparse.Namespace], int]


async def _with_database(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    from switchboard.core.db import Database
    from switchboard.migrate import check_current

    database = Database(settings)
    try:
        async with database.engine.connect() as conn:
            await check_current(conn)
        return await work(database)
    finally:
        await database.close()


class ProgressBar:
    """A rich progress bar on a terminal; one plain line per step otherwise (logs, CI)."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self._tasks: dict[str, Any] = {}
        self._progress: Any = None
        self._last: dict[str, tuple[int, int]] = {}

    def __enter__(self) -> ProgressBar:
        if self.live:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("{task.description:<12}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(file=self.stream),
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __call__(self, step: str, done: int, total: int) -> None:
        if self._progress is not None:
            if step not in self._tasks:
                self._tasks[step] = self._progress.add_task(step, total=max(total, 1))
            self._progress.update(self._tasks[step], completed=done, total=max(total, 1))
            return
        if done >= total and self._last.get(step) != (done, total):
            print(f"{step}: {done}/{total}", file=self.stream, flush=True)
        self._last[step] = (done, total)


def cmd_segments_refresh(args: argparse.Namespace, settings: Settings) -> int:
    from customers.refresh import ValueParameters, refresh
    from switchboard.core.clock import SystemClock

    parameters = ValueParameters.from_settings(settings.value)
    now = SystemClock().now()

    async def work(database: Any) -> Any:
        with ProgressBar() as bar:
            return await database.writer.run(
                lambda conn: refresh(conn, now, parameters, full=args.full, progress=bar)
            )

    print(asyncio.run(_with_database(settings, work)))
    return 0


def cmd_segments_list(args: argparse.Namespace, settings: Settings) -> int:
    from customers.segments import listing

    rows = asyncio.run(_with_database(settings, lambda db: db.read(listing)))
    for row in rows:
        print(f"{row['member_count']:>7}  {row['name']}")
    return 0


def cmd_segments_add(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from customers.segments import create_segment
    from switchboard.core.clock import SystemClock

    try:
        rule = json.loads(args.rule)
    except ValueError as exc:
        print(f"switchboard: --rule is not JSON: {exc}", file=sys.stderr)
        return 2
    now = SystemClock().now()
    made = asyncio.run(
        _with_database(
            settings,
            lambda db: db.writer.run(
                lambda c: create_segment(c, args.name, rule, now, args.description)
            ),
        )
    )
    print(f"segment {made['name']!r}: {made['member_count']} members")
    return 0


def cmd_import_customers(args: argparse.Namespace, settings: Settings) -> int:
    from customers.importer import ImportFileError, import_file, load_mapping
    from switchboard.core.clock import SystemClock

    path = Path(args.path)
    if not path.is_file():
        print(f"switchboard: no file {path}", file=sys.stderr)
        return 2
    try:
        mapping = load_mapping(Path(args.map)) if args.map else None
        report = asyncio.run(
            _with_database(
                settings,
                lambda db: import_file(
                    db,
                    path,
                    region=settings.default_region,
                    now=SystemClock().now(),
                    mapping=mapping,
                ),
            )
        )
    except ImportFileError as exc:
        print(f"switchboard: {exc}", file=sys.stderr)
        return 2
    for problem in report.problems:
        print(problem)
    if args.report:
        import csv

        with Path(args.report).open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["file", "line", "field", "reason"])
            for p in report.problems:
                writer.writerow([p.file, p.line, p.field, p.reason])
    print(report)
    return 1 if report.problems else 0


def cmd_export_customers(args: argparse.Namespace, settings: Settings) -> int:
    from customers.export import export_file

    path = Path(args.path)
    count = asyncio.run(
        _with_database(settings, lambda db: db.read(lambda c: export_file(c, path)))
    )
    print(f"exported {count} customers to {path}")
    return 0


def add_parsers(
    sub: Any, import_kinds: Any, settings_of: Callable[[argparse.Namespace], Settings]
) -> None:
    def bind(command: Callable[[argparse.Namespace, Settings], int]) -> Command:
        return lambda args: command(args, settings_of(args))

    segments = sub.add_parser(
        "segments", help="customer value and segments", description="customer value and segments"
    )
    segments.set_defaults(func=lambda a: _usage(segments))
    seg = segments.add_subparsers(dest="segments_command", metavar="ACTION")
    refresh = seg.add_parser(
        "refresh", help="recompute RFM, ABC, CLV, churn, association rules and segment counts"
    )
    refresh.add_argument(
        "--full", action="store_true", help="rebuild every customer's aggregates, not only changed"
    )
    refresh.set_defaults(func=bind(cmd_segments_refresh))
    listing = seg.add_parser("list", help="saved segments with their live member counts")
    listing.set_defaults(func=bind(cmd_segments_list))
    add = seg.add_parser("add", help="save a segment rule (JSON, see docs/customers.md)")
    add.add_argument("name")
    add.add_argument("--rule", required=True, help='e.g. {"all":[{"tag":"5G","min_count":3}]}')
    add.add_argument("--description")
    add.set_defaults(func=bind(cmd_segments_add))

    customers = import_kinds.add_parser(
        "customers",
        help="customers from CSV or XLSX; FILE:LINE: FIELD: reason for each bad row",
    )
    customers.add_argument("path", metavar="FILE")
    customers.add_argument("--map", help="YAML/JSON mapping of file headers to fields")
    customers.add_argument("--report", help="also write the problems to this CSV file")
    customers.set_defaults(func=bind(cmd_import_customers))

    exp = sub.add_parser("export", help="export data")
    exp.set_defaults(func=lambda a: _usage(exp))
    exp_sub = exp.add_subparsers(dest="export_what", metavar="WHAT")
    out = exp_sub.add_parser("customers", help="every customer as CSV (re-importable)")
    out.add_argument("path", metavar="FILE.csv")
    out.set_defaults(func=bind(cmd_export_customers))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2
