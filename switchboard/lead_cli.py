"""``switchboard import leads FILE``: load leads with a validation report (file:line: field)."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable

from customers.leads.config import load_scoring_config
from customers.leads.importer import LeadFile, read_leads
from customers.leads.scoring import ScoringConfigError
from customers.leads.store import upsert_leads
from switchboard.core.clock import SystemClock
from switchboard.core.db import Database
from switchboard.core.settings import Settings
from switchboard.migrate import check_current


def add_parser(
    kinds: argparse._SubParsersAction[argparse.ArgumentParser],
    settings: Callable[[argparse.Namespace], Settings],
) -> None:
    """``import leads`` under the CLI's ``import`` command."""
    leads = kinds.add_parser(
        "leads",
        help="a CSV of leads: scored, validated line by line, idempotent by id",
        description="Columns: id, phone (required), name, source, owner, consent, events "
        "(kind@YYYY-MM-DD;...), and attributes for the scoring rules (industry, segment ...).",
    )
    leads.add_argument("path", metavar="FILE")
    leads.add_argument("--rules", help="lead scoring rules (TOML); default: the packaged rules")
    leads.add_argument("--region", help="region for numbers without a country code")
    leads.add_argument("--json", action="store_true", help="print the report as one JSON object")
    leads.set_defaults(func=lambda args: cmd_import_leads(args, settings(args)))


def cmd_import_leads(args: argparse.Namespace, settings: Settings) -> int:
    rules = args.rules or settings.lead_scoring_rules
    try:
        config = load_scoring_config(rules)
    except (OSError, ScoringConfigError) as exc:
        print(f"{rules}: {exc}")
        return 2
    now = SystemClock().now()
    region = args.region or settings.default_region
    parsed = read_leads(args.path, config=config, region=region, now=now)
    inserted = updated = 0
    if parsed.rows:
        inserted, updated = asyncio.run(_store(settings, parsed))
    report = {
        "file": args.path,
        "lines": parsed.lines,
        "inserted": inserted,
        "updated": updated,
        "rejected": parsed.rejected,
        "problems": [
            {"line": p.line, "field": p.field, "message": p.message, "severity": p.severity}
            for p in parsed.problems
        ],
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for problem in parsed.problems:
            print(problem)
        print(
            f"{args.path}: {parsed.lines} lines, {inserted} leads new, {updated} updated, "
            f"{parsed.rejected} rejected"
        )
    fatal = any(p.line == 0 or p.field == "file" for p in parsed.problems) or (
        parsed.lines == 0 and parsed.problems
    )
    return 1 if fatal or parsed.rejected else 0


async def _store(settings: Settings, parsed: LeadFile) -> tuple[int, int]:
    database = Database(settings)
    try:
        async with database.engine.connect() as conn:
            await check_current(conn)
        database.writer.start()
        return await database.writer.run(lambda c: upsert_leads(c, parsed.rows))
    finally:
        await database.close()
