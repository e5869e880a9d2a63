"""``POST /api/v1/cti/generic/{token}``: Zammad's generic CTI, form or JSON."""

from __future__ import annotations

from aiohttp import web

from customers.blocklist import is_blocked
from routing import gateway
from switchboard.core.errors import BadRequest
from switchboard.core.http import DATABASE, SETTINGS, endpoint, principal, read_json
from telephony_adapters.base import Fields
from telephony_adapters.zammad.translate import translate

routes = web.RouteTableDef()

REJECT = {"action": "reject", "reason": "busy"}


async def _fields(request: web.Request) -> Fields:
    if request.content_type == "application/json":
        data = await read_json(request)
        if not isinstance(data, dict):
            raise BadRequest("expected a JSON object", field="body")
        return {str(k): v if isinstance(v, list) else str(v) for k, v in data.items()}
    form = await request.post()
    fields: dict[str, str | list[str]] = {}
    for key in form:
        values = [str(v) for v in form.getall(key)]
        fields[key] = values if key.endswith("[]") or len(values) > 1 else values[0]
    return fields


@routes.post("/api/v1/cti/generic/{token}")
@endpoint(
    "Zammad-compatible generic CTI: newCall, answer, hangup (form or JSON)",
    roles=("cti",),
    path_token="token",  # noqa: S106 - the name of the path parameter
    description="The token of a cti source is part of the URL, as Zammad does it. newCall from a "
    'blocked number answers {"action": "reject", "reason": "busy"}; otherwise {}.',
    statuses=(200, 400, 401, 403, 413),
)
async def generic_event(request: web.Request) -> web.Response:
    event = translate(await _fields(request))
    app = request.app
    reject = False
    if event.type.value == "ringing" and event.direction.value == "inbound":
        region = app[SETTINGS].default_region
        reject = await app[DATABASE].read(lambda conn: is_blocked(conn, event.from_, region))
    await gateway.ingest(app, principal(request).name, [event])
    return web.json_response(REJECT if reject else {})
