"""HTTP routes of the customers package: thin, parse → service → serialise."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import Connection

from customers import blocklist, identity, search, service, view360
from customers.phones import region_policy
from customers.ports import OPEN_REQUESTS, no_open_requests
from customers.refresh import ValueParameters
from customers.schemas import (
    BlockIn,
    CreatedOut,
    CustomerIn,
    LookupQuery,
    QuickCreatedOut,
    QuickCreateIn,
    SearchOut,
    SearchQuery,
)
from switchboard.core.errors import BadRequest
from switchboard.core.http import (
    CLOCK,
    DATABASE,
    SETTINGS,
    endpoint,
    json_response,
    parse,
    parse_body,
)
from switchboard.core.wire import CustomerSummary, LookupResult

routes = web.RouteTableDef()


@routes.post("/api/v1/customers")
@endpoint(
    "Create a customer with contacts, numbers and emails",
    roles=("admin", "supervisor", "agent"),
    body=CustomerIn,
    response=CreatedOut,
    statuses=(201, 400, 409),
)
async def create_customer(request: web.Request) -> web.Response:
    data = await parse_body(request, CustomerIn)
    prepared = service.prepare(data, request.app[SETTINGS].default_region)
    now = request.app[CLOCK].now()
    customer_id = await request.app[DATABASE].writer.run(
        lambda conn: service.create_customer(conn, data, prepared, now)
    )
    return json_response({"id": customer_id}, status=201)


@routes.get("/api/v1/customers/lookup")
@endpoint(
    "Phone identity: who is calling from this number",
    roles=("admin", "supervisor", "agent", "cti"),
    response=LookupResult,
    query={
        "phone": "the number in any written form",
        "region": "read a number without country code in this region (default: by trunk, "
        "DNIS, then SWITCHBOARD_DEFAULT_REGION)",
        "dnis": "the number the caller dialled; may choose the region",
        "trunk": "the telephony source the call came in on; may choose the region",
    },
    statuses=(200, 400),
)
async def lookup(request: web.Request) -> web.Response:
    if "phone" not in request.query:
        raise BadRequest("query parameter 'phone' is required", field="phone")
    query = parse(LookupQuery, dict(request.query))
    settings = request.app[SETTINGS]
    region = (query.region or "").upper() or region_policy(settings).region_for(
        query.dnis, query.trunk
    )
    threshold = settings.phone.shared_number_contacts
    result = await request.app[DATABASE].read_point(
        lambda conn: identity.lookup(conn, query.phone, region, shared_threshold=threshold)
    )
    return json_response(result.model_dump(mode="json"))


@routes.get("/api/v1/customers/search")
@endpoint(
    "Search customers as the agent types: name, pinyin, initials, company, number, email",
    roles=("admin", "supervisor", "agent"),
    response=SearchOut,
    query={"q": "what the agent typed", "limit": "results wanted, 1..50 (default 10)"},
    statuses=(200, 400),
)
async def search_customers(request: web.Request) -> web.Response:
    if "q" not in request.query:
        raise BadRequest("query parameter 'q' is required", field="q")
    query = parse(SearchQuery, dict(request.query))
    results = await request.app[DATABASE].read(
        lambda conn: search.search(conn, query.q, query.limit)
    )
    return json_response({"query": query.q, "results": results})


@routes.post("/api/v1/customers/quick")
@endpoint(
    "Make an unknown caller a customer in one call (idempotent)",
    roles=("admin", "supervisor", "agent"),
    body=QuickCreateIn,
    response=QuickCreatedOut,
    description="201 with the new customer; 200 with the same customer for a repeated "
    "request_id or the same number within the quick-create window.",
    statuses=(200, 201, 400),
)
async def quick_create(request: web.Request) -> web.Response:
    data = await parse_body(request, QuickCreateIn)
    settings = request.app[SETTINGS]
    region = region_policy(settings).region_for(data.dnis)
    key = service.quick_key(data.number, data.ext, region)
    window = settings.phone.quick_create_window_s
    now = request.app[CLOCK].now()

    def create(conn: Connection) -> tuple[int, bool, CustomerSummary | None]:
        customer_id, created = service.quick_create(conn, data, key, region, window, now)
        return customer_id, created, service.summary(conn, customer_id)

    _customer_id, created, summary = await request.app[DATABASE].writer.run(create)
    assert summary is not None
    return json_response(
        {**summary.model_dump(mode="json"), "created": created}, status=201 if created else 200
    )


@routes.get("/api/v1/customers/{id}/360")
@endpoint("The customer's 360 view", roles=("admin", "supervisor", "agent"), statuses=(200, 404))
async def view_360(request: web.Request) -> web.Response:
    raw = request.match_info["id"]
    if not raw.isdigit():
        raise BadRequest(f"customer id must be a number, not {raw!r}", field="id")
    settings = request.app[SETTINGS]
    parameters = ValueParameters.from_settings(settings.value)
    open_requests = request.app.get(OPEN_REQUESTS, no_open_requests)
    now = request.app[CLOCK].now()
    view = await request.app[DATABASE].read(
        lambda conn: view360.build(
            conn,
            int(raw),
            now,
            parameters,
            open_requests=open_requests,
            recommendations=settings.value.recommendations,
        )
    )
    return json_response(view)


@routes.get("/api/v1/blocked-numbers")
@endpoint("The block list: numbers whose inbound calls are rejected", roles=("admin", "supervisor"))
async def list_blocked(request: web.Request) -> web.Response:
    return json_response({"blocked": await request.app[DATABASE].read(blocklist.listing)})


@routes.post("/api/v1/blocked-numbers")
@endpoint(
    "Block a number (any written form)",
    roles=("admin", "supervisor"),
    body=BlockIn,
    statuses=(201, 400, 409),
)
async def add_blocked(request: web.Request) -> web.Response:
    data = await parse_body(request, BlockIn)
    region = request.app[SETTINGS].default_region
    now = request.app[CLOCK].now()
    view = await request.app[DATABASE].writer.run(
        lambda conn: blocklist.block(conn, data.number, data.reason, region, now)
    )
    return json_response(view, status=201)


@routes.delete("/api/v1/blocked-numbers/{number}")
@endpoint("Unblock a number", roles=("admin", "supervisor"), statuses=(204, 400, 404))
async def remove_blocked(request: web.Request) -> web.Response:
    number = request.match_info["number"]
    region = request.app[SETTINGS].default_region
    await request.app[DATABASE].writer.run(lambda conn: blocklist.unblock(conn, number, region))
    return web.Response(status=204)
