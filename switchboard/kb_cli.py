"""``switchboard import kb DIR``, ``switchboard kb reindex`` and ``switchboard kb search QUERY``.

They work on the database and the index directly (no server needed); with a server running on
the same data, the index's lock file orders their writes, and the server sees them within a
second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

from knowledge.api import INDEX_DIR
from knowledge.service import KnowledgeBase
from switchboard.core.settings import Settings


class KbCommandError(Exception):
    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


@asynccontextmanager
async def opened(settings: Settings) -> AsyncIterator[KnowledgeBase]:
    from knowledge.index.whoosh_index import WhooshIndex
    from switchboard.core.db import Database
    from switchboard.migrate import check_current

    database = Database(settings)
    index = None
    try:
        async with database.engine.connect() as conn:
            await check_current(conn)
        index = WhooshIndex(settings.data_dir / INDEX_DIR)
        yield KnowledgeBase(database, index)
    finally:
        if index is not None:
            index.close()
        await database.close()


def import_kb(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.markdown_import import read_directory
    from switchboard.core.clock import SystemClock

    directory = Path(args.path)
    if not directory.is_dir():
        raise KbCommandError(f"{directory} is not a directory of *.md files", 2)
    report = read_directory(directory)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    errors = len(report.errors)
    if args.dry_run:
        print(
            f"checked {report.files} files in {directory}: {len(report.articles)} articles valid,"
            f" {errors} errors, {len(report.warnings)} warnings (nothing imported)"
        )
        return 1 if errors else 0

    async def run() -> Any:
        async with opened(settings) as kb:
            return await kb.import_articles(report.articles, SystemClock().now())

    counts = asyncio.run(run())
    print(
        f"imported {directory}: {report.files} files, {counts.created} created, "
        f"{counts.updated} updated, {counts.unchanged} unchanged, {errors} with errors (skipped)"
    )
    return 1 if errors else 0


def reindex(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        print(f"indexed {done}/{total}", flush=True)

    async def run() -> int:
        async with opened(settings) as kb:
            report = await kb.reindex(progress)
            return report.written

    written = asyncio.run(run())
    elapsed = time.perf_counter() - started
    rate = written / elapsed if elapsed > 0 else 0.0
    print(f"reindexed {written} articles in {elapsed:.1f} s ({rate:.0f} articles/s)")
    return 0


def search(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.api import hit_out
    from knowledge.index.port import SearchFilters
    from knowledge.index.whoosh_index import WhooshIndex

    if not 1 <= args.limit <= 100:
        raise KbCommandError("--limit must be from 1 to 100", 2)
    directory = settings.data_dir / INDEX_DIR
    if not directory.is_dir():
        raise KbCommandError(
            f"no knowledge index in {directory}: run `switchboard import kb DIR` first"
        )
    index = WhooshIndex(directory)
    try:
        filters = SearchFilters(
            kind=args.kind, category=args.category, product=args.product, language=args.lang
        )
        result = index.search(
            args.query,
            limit=args.limit,
            filters=filters,
            today=date.today(),
            include_drafts=args.all,
        )
    finally:
        index.close()
    if args.json:
        print(json.dumps([hit_out(h) for h in result.hits], ensure_ascii=False))
        return 0
    if result.did_you_mean:
        print(f"did you mean: {result.did_you_mean}")
    if not result.hits:
        print("no articles found")
        return 0
    for hit in result.hits:
        print(f"{hit.score:9.3f}  {hit.id}  {hit.title}")
        print(f"           {hit.snippet.render('[', ']')}")
    print(f"{len(result.hits)} of {result.total}")
    return 0


def add_parsers(sub: Any, import_kinds: Any, run: Any) -> None:
    """``import kb`` under the CLI's ``import`` command and ``kb reindex|search``; ``run(func)``
    makes the handler (the CLI reports errors its way)."""
    from knowledge.model import KINDS, LANGUAGES

    kb_import = import_kinds.add_parser(
        "kb", help="knowledge articles: *.md files with YAML front matter (docs/knowledge.md)"
    )
    kb_import.add_argument("path", metavar="DIR")
    kb_import.add_argument(
        "--dry-run", action="store_true", help="check the files only; import nothing"
    )
    kb_import.set_defaults(func=run(import_kb))

    kb = sub.add_parser("kb", help="the knowledge base: reindex, search")
    kb_sub = kb.add_subparsers(dest="kb_command", metavar="ACTION")
    re_index = kb_sub.add_parser(
        "reindex", help="rebuild the search index from the database, with progress"
    )
    re_index.set_defaults(func=run(reindex))
    find = kb_sub.add_parser("search", help="search the knowledge base from the shell")
    find.add_argument("query", metavar="QUERY")
    find.add_argument("--limit", type=int, default=10, help="hits (1-100, default 10)")
    find.add_argument(
        "--json", action="store_true", help='print a list of {"id","title","score",...}'
    )
    find.add_argument("--kind", choices=sorted(KINDS))
    find.add_argument("--category", help="a category path (includes those below it)")
    find.add_argument("--product", help="a product code")
    find.add_argument("--lang", choices=sorted(LANGUAGES))
    find.add_argument(
        "--all", action="store_true", help="every status and date (drafts, archived, expired)"
    )
    find.set_defaults(func=run(search))
    kb.set_defaults(func=lambda a: _usage(kb))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2
