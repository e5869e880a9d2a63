"""The cti_ingest baseline: a bare aiohttp handler storing the same row with the same driver.

``POST /api/v1/cti/events`` parses the JSON event and inserts the row Switchboard stores for
it (``cti_events``: source, event_id, call_id, type, at, received_at, payload; a repeat
ignored by the same unique key) with aiosqlite (sqlite3 in a thread, as Switchboard's writer
uses it), on the same schema, in WAL mode with ``synchronous=NORMAL``, committing before it
answers with the stored id. No auth, no validation, no call record, no agents, no messages:
the least a server can do to acknowledge a stored event.

    python -m bench.baseline_ingest --db FILE [--host 127.0.0.1] [--port 0]

prints ``baseline listening on http://HOST:PORT`` on stdout when ready; stops on SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
from aiohttp import web

from bench import baseline_server

INSERT = """
INSERT INTO cti_events (source, event_id, call_id, type, at, received_at, payload)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source, event_id) DO NOTHING
RETURNING id
"""
SOURCE = "bench-pbx"

DB = web.AppKey("db", aiosqlite.Connection)
LOCK = web.AppKey("lock", asyncio.Lock)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


async def events(request: web.Request) -> web.Response:
    event: dict[str, Any] = json.loads(await request.read())
    now = datetime.now(UTC)
    at = datetime.fromisoformat(event["at"]) if event.get("at") else now
    row = (
        SOURCE,
        event["event_id"],
        event["call_id"],
        event["type"],
        _stamp(at),
        _stamp(now),
        json.dumps(event, ensure_ascii=False),
    )
    db = request.app[DB]
    async with request.app[LOCK]:  # one transaction at a time on the one connection
        async with db.execute(INSERT, row) as cursor:
            found = await cursor.fetchone()
        await db.commit()
    return web.json_response(
        {
            "id": found[0] if found else None,
            "event_id": event["event_id"],
            "call_id": event["call_id"],
        }
    )


def create_app(db_path: Path) -> web.Application:
    app = web.Application()
    app[LOCK] = asyncio.Lock()

    async def database(app: web.Application) -> Any:
        async with aiosqlite.connect(str(db_path)) as db:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")
            app[DB] = db
            yield

    app.cleanup_ctx.append(database)
    app.router.add_post("/api/v1/cti/events", events)
    return app


def main(argv: list[str] | None = None) -> int:
    return baseline_server.main(
        "python -m bench.baseline_ingest", create_app, "the SQLite file (migrated)", argv
    )


if __name__ == "__main__":
    sys.exit(main())
