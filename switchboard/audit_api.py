"""The audit log over HTTP: who did what on the floor, newest first."""

from __future__ import annotations

from aiohttp import web

from switchboard.core import audit
from switchboard.core.errors import BadRequest
from switchboard.core.http import DATABASE, endpoint, json_response

routes = web.RouteTableDef()

MAX_LIMIT = 1000


@routes.get("/api/v1/audit")
@endpoint(
    "Supervisors' audited actions, newest first",
    roles=("admin", "supervisor"),
    query={"limit": f"how many (1..{MAX_LIMIT}, default 100)"},
    statuses=(200, 400),
)
async def audit_log(request: web.Request) -> web.Response:
    raw = request.query.get("limit", "100")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest(f"limit is a whole number from 1 to {MAX_LIMIT}", field="limit")
    limit = int(raw)
    return json_response(
        {"entries": await request.app[DATABASE].read(lambda c: audit.latest(c, limit))}
    )
