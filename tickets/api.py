"""HTTP routes of service requests, SLA policies, calendars, categories and groups: thin,
parse → use case in the writer (or a read) → publish the committed messages → answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web

from switchboard.core import audit
from switchboard.core.errors import BadRequest
from switchboard.core.http import (
    CLOCK,
    DATABASE,
    PUBLISHER,
    endpoint,
    json_response,
    parse,
    parse_body,
    principal,
)
from switchboard.core.outbox import Message
from tickets import admin, clocks, service
from tickets.schemas import (
    BulkReassignIn,
    CalendarIn,
    CategoryIn,
    CategoryPatch,
    GroupIn,
    NoteIn,
    PoliciesIn,
    TicketIn,
    TicketPatch,
    TicketQuery,
    TicketSettingsIn,
    TransitionIn,
    is_slug,
)
from tickets.timers import SCHEDULER, drain_recompute

routes = web.RouteTableDef()

STAFF = ("admin", "supervisor", "agent")
LEADS = ("admin", "supervisor")
ADMIN = ("admin",)
RECOMPUTE_BUDGET = 10.0  # seconds a request waits for recomputation; the scheduler does the rest


def _actor(request: web.Request) -> service.Actor:
    who = principal(request)
    return service.Actor(who.agent_id or who.name, who.agent_id)


async def _commit(
    request: web.Request, work: Callable[[Any], tuple[Any, Sequence[Message]]], status: int = 200
) -> web.Response:
    """Run ``work`` in one transaction, deliver its messages after commit, answer its view."""
    view, messages = await request.app[DATABASE].writer.run(work)
    await _done(request, messages)
    return json_response(view, status=status)


async def _done(request: web.Request, messages: Sequence[Message]) -> None:
    """After commit: deliver the messages; deadlines may have moved, so wake the scheduler."""
    if messages:
        await request.app[PUBLISHER].publish(messages)
    scheduler = request.app.get(SCHEDULER)
    if scheduler is not None:
        scheduler.poke()


def _slug(request: web.Request, name: str = "id") -> str:
    value = request.match_info[name]
    if not is_slug(value):
        raise BadRequest(
            f"{name} {value!r}: letters, digits, '.', '_' and '-', at most 64", field=name
        )
    return value


# -- service requests -----------------------------------------------------------------------


@routes.post("/api/v1/tickets")
@endpoint(
    "Create a service request",
    roles=STAFF,
    body=TicketIn,
    description="Numbered from the configured pattern; the first matching SLA policy starts "
    "its clocks; with a group and no handler, assigned round robin in the group.",
    statuses=(201, 400),
)
async def create_ticket(request: web.Request) -> web.Response:
    data = await parse_body(request, TicketIn)
    actor = _actor(request)
    now = request.app[CLOCK].now()
    return await _commit(request, lambda c: service.create_ticket(c, data, actor, now), status=201)


@routes.get("/api/v1/tickets")
@endpoint(
    "List service requests, newest first",
    roles=STAFF,
    query={
        "status": "statuses, comma-separated",
        "sla": "ok, at_risk, breached or none",
        "customer": "customer id",
        "handler": "agent id",
        "group": "group id",
        "category": "category id or path (includes the categories below it)",
        "limit": "page size, 1-200 (default 50)",
        "cursor": "next_cursor of the previous page",
    },
    statuses=(200, 400),
)
async def list_tickets(request: web.Request) -> web.Response:
    query = parse(TicketQuery, dict(request.query))
    result = await request.app[DATABASE].read(lambda c: service.list_tickets(c, query))
    return json_response(result)


@routes.post("/api/v1/tickets/bulk-reassign")
@endpoint(
    "Reassign many requests to a handler and/or a group, all or none",
    roles=LEADS,
    body=BulkReassignIn,
    statuses=(200, 400, 404, 409),
)
async def bulk_reassign(request: web.Request) -> web.Response:
    data = await parse_body(request, BulkReassignIn)
    actor = _actor(request)
    now = request.app[CLOCK].now()
    who = principal(request)
    detail = {"numbers": data.numbers, "handler": data.handler, "group": data.group}

    def reassign(c: Any) -> Any:
        out = service.bulk_reassign(c, data, actor, now)
        audit.record(
            c, audit.actor_of(who), "request_reassign", ",".join(data.numbers)[:160], now, detail
        )
        return out

    return await _commit(request, reassign)


@routes.get("/api/v1/tickets/{number}")
@endpoint(
    "One service request with notes, SLA clocks (timeline) and full history",
    roles=STAFF,
    statuses=(200, 404),
)
async def get_ticket(request: web.Request) -> web.Response:
    number = request.match_info["number"]
    now = request.app[CLOCK].now()
    view = await request.app[DATABASE].read(lambda c: service.get_ticket(c, number, now))
    return json_response(view)


@routes.patch("/api/v1/tickets/{number}")
@endpoint(
    "Change a service request (with the version it was read at)",
    roles=STAFF,
    body=TicketPatch,
    description="A stale version gets 409 with current_version. Status changes go through "
    "/transitions.",
    statuses=(200, 400, 404, 409),
)
async def update_ticket(request: web.Request) -> web.Response:
    number = request.match_info["number"]
    data = await parse_body(request, TicketPatch)
    actor = _actor(request)
    now = request.app[CLOCK].now()
    who = principal(request)
    moved = {k: getattr(data, k) for k in ("handler", "group") if k in data.model_fields_set}

    def update(c: Any) -> Any:
        out = service.update_ticket(c, number, data, actor, now)
        if moved:
            audit.record(c, audit.actor_of(who), "request_reassign", number, now, moved)
        return out

    return await _commit(request, update)


@routes.post("/api/v1/tickets/{number}/transitions")
@endpoint(
    "Move a service request to another status",
    roles=STAFF,
    body=TransitionIn,
    description="409 names the allowed moves (`allowed`) or the current version.",
    statuses=(200, 400, 404, 409),
)
async def transition(request: web.Request) -> web.Response:
    number = request.match_info["number"]
    data = await parse_body(request, TransitionIn)
    actor = _actor(request)
    now = request.app[CLOCK].now()
    return await _commit(request, lambda c: service.transition(c, number, data, actor, now))


@routes.post("/api/v1/tickets/{number}/notes")
@endpoint(
    "Add a handling record: note, reply to the customer, customer feedback, work done",
    roles=STAFF,
    body=NoteIn,
    statuses=(201, 400, 404, 409),
)
async def add_note(request: web.Request) -> web.Response:
    number = request.match_info["number"]
    data = await parse_body(request, NoteIn)
    actor = _actor(request)
    now = request.app[CLOCK].now()
    return await _commit(
        request, lambda c: service.add_note(c, number, data, actor, now), status=201
    )


# -- categories ------------------------------------------------------------------------------


@routes.get("/api/v1/ticket-categories")
@endpoint("The category tree", roles=STAFF)
async def list_categories(request: web.Request) -> web.Response:
    categories = await request.app[DATABASE].read(admin.list_categories)
    return json_response({"categories": categories})


@routes.post("/api/v1/ticket-categories")
@endpoint("Add a category", roles=ADMIN, body=CategoryIn, statuses=(201, 400, 409))
async def create_category(request: web.Request) -> web.Response:
    data = await parse_body(request, CategoryIn)
    now = request.app[CLOCK].now()
    view = await request.app[DATABASE].writer.run(lambda c: admin.create_category(c, data, now))
    return json_response(view, status=201)


@routes.patch("/api/v1/ticket-categories/{id}")
@endpoint("Rename or retire a category", roles=ADMIN, body=CategoryPatch, statuses=(200, 400, 404))
async def update_category(request: web.Request) -> web.Response:
    cat_id = _slug(request)
    data = await parse_body(request, CategoryPatch)
    view = await request.app[DATABASE].writer.run(lambda c: admin.update_category(c, cat_id, data))
    return json_response(view)


# -- groups ----------------------------------------------------------------------------------


@routes.get("/api/v1/groups")
@endpoint("Groups and their members", roles=STAFF)
async def list_groups(request: web.Request) -> web.Response:
    return json_response({"groups": await request.app[DATABASE].read(admin.list_groups)})


@routes.put("/api/v1/groups/{id}")
@endpoint(
    "Create or replace a group (members in round-robin order)",
    roles=LEADS,
    body=GroupIn,
    statuses=(200, 400),
)
async def put_group(request: web.Request) -> web.Response:
    group_id = _slug(request)
    data = await parse_body(request, GroupIn)
    now = request.app[CLOCK].now()
    view = await request.app[DATABASE].writer.run(lambda c: admin.put_group(c, group_id, data, now))
    return json_response(view)


# -- calendars -------------------------------------------------------------------------------


async def _recompute(request: web.Request, view: dict[str, Any]) -> dict[str, Any]:
    """Recompute the queued requests before answering (the scheduler helps, and finishes
    what the budget leaves); ``recomputed`` counts the requests queued by this change."""
    database = request.app[DATABASE]
    await drain_recompute(database, request.app[CLOCK], budget=RECOMPUTE_BUDGET)
    pending = await database.read(clocks.recompute_pending)
    await _done(request, [])
    queued = view.pop("queued")
    return {**view, "recomputed": queued, "recompute_pending": pending}


@routes.get("/api/v1/calendars")
@endpoint("Business calendars", roles=LEADS)
async def list_calendars(request: web.Request) -> web.Response:
    return json_response({"calendars": await request.app[DATABASE].read(admin.list_calendars)})


@routes.get("/api/v1/calendars/{id}")
@endpoint("One business calendar", roles=LEADS, statuses=(200, 404))
async def get_calendar(request: web.Request) -> web.Response:
    calendar_id = _slug(request)
    view = await request.app[DATABASE].read(lambda c: admin.get_calendar(c, calendar_id))
    return json_response(view)


@routes.put("/api/v1/calendars/{id}")
@endpoint(
    "Create or replace a business calendar",
    roles=ADMIN,
    body=CalendarIn,
    description="Checked (400 naming the field) and its holidays resolved; open requests "
    "whose clocks count on it are recomputed.",
    statuses=(200, 400),
)
async def put_calendar(request: web.Request) -> web.Response:
    calendar_id = _slug(request)
    data = await parse_body(request, CalendarIn)
    now = request.app[CLOCK].now()
    resolved, warnings = admin.check_calendar(data, now)
    view = await request.app[DATABASE].writer.run(
        lambda c: admin.put_calendar(c, calendar_id, data, resolved, warnings, now)
    )
    return json_response(await _recompute(request, view))


@routes.delete("/api/v1/calendars/{id}")
@endpoint("Delete a calendar no policy uses", roles=ADMIN, statuses=(204, 404, 409))
async def delete_calendar(request: web.Request) -> web.Response:
    calendar_id = _slug(request)
    await request.app[DATABASE].writer.run(lambda c: admin.delete_calendar(c, calendar_id))
    return web.Response(status=204)


# -- policies --------------------------------------------------------------------------------


@routes.get("/api/v1/sla-policies")
@endpoint("The SLA policies, in order (the first match wins)", roles=LEADS)
async def list_policies(request: web.Request) -> web.Response:
    return json_response({"policies": await request.app[DATABASE].read(admin.list_policies)})


@routes.put("/api/v1/sla-policies")
@endpoint(
    "Replace the ordered SLA policies",
    roles=ADMIN,
    body=PoliciesIn,
    description="Bad policies are refused whole (400 naming the field); shadowed and "
    "overlapping ones are saved and reported in `warnings`. Open requests are re-matched and "
    "their deadlines recomputed.",
    statuses=(200, 400),
)
async def put_policies(request: web.Request) -> web.Response:
    data = await parse_body(request, PoliciesIn)
    now = request.app[CLOCK].now()
    view = await request.app[DATABASE].writer.run(lambda c: admin.put_policies(c, data, now))
    return json_response(await _recompute(request, view))


# -- settings --------------------------------------------------------------------------------


@routes.get("/api/v1/ticket-settings")
@endpoint("Service-desk settings: number pattern, reopen and auto-close days", roles=LEADS)
async def get_settings(request: web.Request) -> web.Response:
    return json_response(await request.app[DATABASE].read(admin.get_settings))


@routes.put("/api/v1/ticket-settings")
@endpoint(
    "Change the service-desk settings", roles=ADMIN, body=TicketSettingsIn, statuses=(200, 400)
)
async def put_settings(request: web.Request) -> web.Response:
    data = await parse_body(request, TicketSettingsIn)
    now = request.app[CLOCK].now()
    view = await request.app[DATABASE].writer.run(lambda c: admin.put_settings(c, data, now))
    return json_response(view)
