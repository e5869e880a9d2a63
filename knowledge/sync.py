"""Keeping the search index in step with the database: the one place the index is written.

The database is the record, the index a copy. Every change commits to the database first; then
:meth:`IndexSync.refresh` reads the changed articles back from the database and writes them to
the index. Because the index is always written from what the database holds *now*, and all
index writes of a process pass through one lock here (whoosh's own lock file serialises
processes), two writers racing can never leave an older copy in the index: whichever refresh
runs last reads the newest row.

A crash between the commit and the refresh (or during ``switchboard kb reindex``) leaves the
index behind the database. :meth:`IndexSync.reconcile`, run at every server start, compares the
two by each article's *stamp* (``knowledge.model.index_stamp``: version and time of the last
change) and repairs the difference: missing or stale articles are written, articles no longer
in the database are removed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection

from knowledge import store
from knowledge.index.port import SearchIndex
from knowledge.model import Article
from switchboard.core.db import Database

log = logging.getLogger(__name__)

#: Articles read from the database and written to the index per commit.
BATCH = 200


@dataclass(frozen=True, slots=True)
class SyncReport:
    written: int = 0
    removed: int = 0
    total: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


class IndexSync:
    """Writes ``index`` from ``database``; every index write of the process goes through here."""

    def __init__(self, database: Database, index: SearchIndex) -> None:
        self.database = database
        self.index = index
        self._lock = asyncio.Lock()
        #: Articles whose index write failed (e.g. another process held the index's lock for
        #: longer than its timeout): retried with the next refresh, and by the reconcile.
        self.pending: set[str] = set()

    async def refresh(self, ids: Iterable[str]) -> SyncReport:
        """Bring these articles' index entries to what the database holds now.

        The database write is already committed, so a failing index write does not fail the
        caller: the articles are kept in :attr:`pending`, retried with the next refresh, and in
        any case repaired by the reconcile at the next start."""
        wanted = list(dict.fromkeys([*self.pending, *ids]))
        if not wanted:
            return SyncReport()
        async with self._lock:
            try:
                report = await self._copy(wanted)
            except Exception as exc:
                self.pending.update(wanted)
                log.warning(
                    "knowledge index not updated for %d article(s), will retry: %s",
                    len(wanted),
                    exc,
                )
                return SyncReport(total=len(wanted))
            self.pending.difference_update(wanted)
            return report

    async def reconcile(self) -> SyncReport:
        """Repair every difference between the database and the index (see the module doc)."""
        async with self._lock:
            in_db = await self.database.read(store.stamps)
            in_index = await asyncio.to_thread(self.index.ids_and_stamps)
            stale = sorted(i for i, stamp in in_db.items() if in_index.get(i) != stamp)
            gone = sorted(set(in_index) - set(in_db))
            report = SyncReport(total=len(in_db))
            if gone:
                removed = await asyncio.to_thread(self.index.delete, gone)
                report = SyncReport(removed=removed, total=len(in_db))
            for start in range(0, len(stale), BATCH):
                copied = await self._copy(stale[start : start + BATCH])
                report = SyncReport(report.written + copied.written, report.removed, report.total)
            self.pending.clear()
            if report.changed:
                log.info(
                    "knowledge index reconciled: %d written, %d removed (%d articles)",
                    report.written,
                    report.removed,
                    report.total,
                )
            return report

    async def reindex(self, progress: Callable[[int, int], None] | None = None) -> SyncReport:
        """Empty the index and write every article again, ``BATCH`` per commit; ``progress``
        is told ``(done, total)`` after each commit. Interrupted, it leaves a partial index
        that the next :meth:`reconcile` completes."""
        async with self._lock:
            total = await self.database.read(store.article_count)
            await asyncio.to_thread(self.index.clear)
            done = 0
            after = ""
            while True:
                page = await self.database.read(
                    lambda c, a=after: store.article_page(c, a, BATCH)  # type: ignore[misc]
                )
                if not page:
                    break
                await asyncio.to_thread(self.index.upsert, page)
                done += len(page)
                after = page[-1].id
                if progress is not None:
                    progress(done, max(total, done))
            return SyncReport(written=done, total=done)

    async def _copy(self, ids: list[str]) -> SyncReport:
        def read(conn: Connection) -> list[Article]:
            return store.get_articles(conn, ids)

        found = await self.database.read(read)
        present = {a.id for a in found}
        missing = [i for i in ids if i not in present]
        written = await asyncio.to_thread(self.index.upsert, found) if found else 0
        removed = await asyncio.to_thread(self.index.delete, missing) if missing else 0
        return SyncReport(written=written, removed=removed, total=len(ids))
