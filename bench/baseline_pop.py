"""The screen_pop baseline: a bare aiohttp server doing the same lookup and websocket send.

One POST handler parses the JSON event, normalises the caller's number with phonenumbers
(region CN), runs the same indexed lookup as Switchboard (``phone_numbers`` by ``e164``,
joined to ``customers`` and ``contacts``) with aiosqlite, sends a JSON pop to the agent's
websocket and answers 200. ``/ws?agent=ID`` is the agent's websocket (first message: hello).
No auth, no validation, no storage: the least a server can do for the same result.

    python -m bench.baseline_pop --db FILE [--host 127.0.0.1] [--port 0]

prints ``baseline listening on http://HOST:PORT`` on stdout when ready; stops on SIGTERM.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import aiosqlite
import phonenumbers
from aiohttp import web

from bench import baseline_server

LOOKUP = """
SELECT p.customer_id, p.contact_id, p.ext, p.e164,
       c.name AS customer_name, c.kind, c.tier, k.name AS contact_name
FROM phone_numbers AS p
JOIN customers AS c ON c.id = p.customer_id
LEFT OUTER JOIN contacts AS k ON k.id = p.contact_id
WHERE p.e164 = ?
LIMIT 200
"""

DB = web.AppKey("db", aiosqlite.Connection)
SOCKETS = web.AppKey("sockets", dict[str, web.WebSocketResponse])


class Ids:
    """Message ids, increasing like the server's."""

    def __init__(self) -> None:
        self.last = 0

    def next(self) -> int:
        self.last += 1
        return self.last


IDS = web.AppKey("ids", Ids)


def e164_of(raw: str, region: str = "CN") -> str | None:
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


async def events(request: web.Request) -> web.Response:
    event: dict[str, Any] = await request.json()
    message_id = request.app[IDS].next()
    if event.get("type") == "ringing":
        number = str(event.get("from", ""))
        e164 = e164_of(number)
        rows: list[Any] = []
        if e164 is not None:
            async with request.app[DB].execute(LOOKUP, (e164,)) as cursor:
                rows = list(await cursor.fetchall())
        candidates = [
            {
                "customer_id": row[0],
                "contact_id": row[1],
                "name": row[7] or row[4],
                "customer_name": row[4],
                "kind": row[5],
                "number": row[3],
                "tier": row[6],
            }
            for row in rows
        ]
        status = {0: "unknown", 1: "known"}.get(len(candidates), "several")
        pop = {
            "type": "screen_pop",
            "id": message_id,
            "call_id": event.get("call_id"),
            "agent": event.get("agent"),
            "direction": event.get("direction", "inbound"),
            "from": number,
            "to": event.get("to", ""),
            "match": {"status": status, "number": number, "e164": e164, "candidates": candidates},
        }
        ws = request.app[SOCKETS].get(str(event.get("agent")))
        if ws is not None and not ws.closed:
            await ws.send_json(pop)
    return web.json_response(
        {"id": message_id, "event_id": event.get("event_id"), "call_id": event.get("call_id")}
    )


async def websocket(request: web.Request) -> web.StreamResponse:
    agent = request.query.get("agent", "")
    ws = web.WebSocketResponse(heartbeat=20.0)
    await ws.prepare(request)
    sockets = request.app[SOCKETS]
    sockets[agent] = ws
    try:
        await ws.send_json({"type": "hello", "id": 0, "agent": agent})
        async for _ in ws:
            pass
    finally:
        if sockets.get(agent) is ws:
            del sockets[agent]
    return ws


def create_app(db_path: Path) -> web.Application:
    app = web.Application()
    app[SOCKETS] = {}
    app[IDS] = Ids()

    uri = db_path.resolve().as_uri() + "?mode=ro"

    async def database(app: web.Application) -> Any:
        async with aiosqlite.connect(uri, uri=True) as db:
            app[DB] = db
            yield

    async def close_sockets(app: web.Application) -> None:
        for ws in list(app[SOCKETS].values()):
            await ws.close()

    app.cleanup_ctx.append(database)
    app.on_shutdown.append(close_sockets)
    app.router.add_post("/api/v1/cti/events", events)
    app.router.add_get("/ws", websocket)
    return app


def main(argv: list[str] | None = None) -> int:
    return baseline_server.main(
        "python -m bench.baseline_pop", create_app, "the SQLite file (read-only)", argv
    )


if __name__ == "__main__":
    sys.exit(main())
