"""HTTP routes of routing: agents, their states, and the CTI event gateway."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from routing import agents, cti_signature, gateway
from routing.schemas import AgentIn, AgentOut, AgentStateIn, CtiAck
from switchboard.core import audit
from switchboard.core.errors import BadRequest, PayloadTooLarge
from switchboard.core.http import (
    CLOCK,
    DATABASE,
    PUBLISHER,
    SETTINGS,
    endpoint,
    json_response,
    parse,
    parse_body,
    principal,
    read_json,
    require_agent_access,
)
from switchboard.core.wire import CallEvent

routes = web.RouteTableDef()

MAX_BATCH = 500


@routes.post("/api/v1/agents")
@endpoint(
    "Create an agent", roles=("admin",), body=AgentIn, response=AgentOut, statuses=(201, 400, 409)
)
async def create_agent(request: web.Request) -> web.Response:
    data = await parse_body(request, AgentIn)
    now = request.app[CLOCK].now()
    view = await request.app[DATABASE].writer.run(lambda c: agents.create_agent(c, data, now))
    return json_response(view, status=201)


@routes.get("/api/v1/agents")
@endpoint("List agents with their states", roles=("admin", "supervisor"))
async def list_agents(request: web.Request) -> web.Response:
    now = request.app[CLOCK].now()
    return json_response(
        {"agents": await request.app[DATABASE].read(lambda c: agents.list_agents(c, now))}
    )


@routes.get("/api/v1/agents/{id}")
@endpoint(
    "One agent and its state",
    roles=("admin", "supervisor", "agent"),
    response=AgentOut,
    statuses=(200, 403, 404),
)
async def get_agent(request: web.Request) -> web.Response:
    agent_id = request.match_info["id"]
    require_agent_access(request, agent_id)
    now = request.app[CLOCK].now()
    return json_response(
        await request.app[DATABASE].read(lambda c: agents.get_agent(c, agent_id, now))
    )


@routes.post("/api/v1/agents/{id}/state")
@endpoint(
    "Choose an agent's state: available, break (with reason), not_ready, offline, wrap_up "
    "(timed: with seconds)",
    roles=("admin", "supervisor", "agent"),
    body=AgentStateIn,
    description="400 naming the field for an unknown state, a reason with a state that takes "
    "none, seconds without wrap_up or wrap_up without seconds; 409 for reserved/on_call (they "
    "follow from offers and calls) and wrap_up while offline.",
    statuses=(200, 400, 403, 404, 409),
)
async def set_agent_state(request: web.Request) -> web.Response:
    agent_id = request.match_info["id"]
    require_agent_access(request, agent_id)
    data = await parse_body(request, AgentStateIn)
    now = request.app[CLOCK].now()
    seconds = data.seconds
    who = principal(request)

    def change(c: Any) -> Any:
        messages = agents.choose_state(c, agent_id, data.state, data.reason, now, seconds=seconds)
        if messages and who.agent_id != agent_id:  # someone else's state: a supervisor action
            action = "agent_logout" if data.state == "offline" else "agent_state"
            detail = {"state": data.state, "reason": data.reason}
            audit.record(c, audit.actor_of(who), action, agent_id, now, detail)
        return messages

    messages = await request.app[DATABASE].writer.run(change)
    await request.app[PUBLISHER].publish(messages)
    now = request.app[CLOCK].now()
    return json_response(
        await request.app[DATABASE].read(lambda c: agents.get_agent(c, agent_id, now))
    )


def _events(data: Any) -> tuple[list[CallEvent], bool]:
    if isinstance(data, list):
        if not data:
            raise BadRequest("the list of events is empty", field="body")
        if len(data) > MAX_BATCH:
            raise PayloadTooLarge(f"at most {MAX_BATCH} events per request", field="body")
        return [parse(CallEvent, item, prefix=str(i)) for i, item in enumerate(data)], True
    return [parse(CallEvent, data)], False


@routes.post("/api/v1/cti/events")
@endpoint(
    "Post a normalised call event or a list of them",
    roles=("cti",),
    body=CallEvent,
    response=CtiAck,
    description="Stored before acknowledged; a repeated event_id from the same source is "
    "acknowledged again with the same id and changes nothing. A source configured with a "
    "secret signs the body: X-Switchboard-Signature, hex HMAC-SHA256 of the raw body.",
    statuses=(200, 400, 401, 403, 413, 429),
)
async def post_events(request: web.Request) -> web.Response:
    source = principal(request).name
    secret = request.app[SETTINGS].cti_secrets.get(source)
    if secret is not None:
        raw = await _raw_body(request)
        header = request.headers.get(cti_signature.HEADER)
        cti_signature.check(source, secret.get_secret_value(), raw, header)
    events, batch = _events(await read_json(request))
    acks = await gateway.ingest(request.app, source, events)
    duplicate = all(a.duplicate for a in acks)
    headers = {"X-Switchboard-Duplicate": "true" if duplicate else "false"}
    body = {"results": [a.wire() for a in acks]} if batch else acks[0].wire()
    return json_response(body, headers=headers)


async def _raw_body(request: web.Request) -> bytes:
    try:
        return await request.read()  # aiohttp keeps it: read_json reads the same bytes
    except web.HTTPRequestEntityTooLarge:
        raise PayloadTooLarge(
            f"body is over the limit of {request.app[SETTINGS].max_body_bytes} bytes"
        ) from None
