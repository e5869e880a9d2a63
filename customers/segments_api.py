"""HTTP routes of saved segments (客群): list with live member counts, save a rule."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from customers import segments
from switchboard.core.http import CLOCK, DATABASE, endpoint, json_response, parse_body

routes = web.RouteTableDef()


class SegmentIn(BaseModel):
    """A segment: a name and a rule (see docs/customers.md for the rule language)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=300)
    rule: dict[str, Any]


@routes.get("/api/v1/segments")
@endpoint("Saved segments with live member counts", roles=("admin", "supervisor"))
async def list_segments(request: web.Request) -> web.Response:
    return json_response({"segments": await request.app[DATABASE].read(segments.listing)})


@routes.post("/api/v1/segments")
@endpoint(
    "Save a segment rule; answers with its member count",
    roles=("admin", "supervisor"),
    body=SegmentIn,
    statuses=(201, 400, 409),
)
async def add_segment(request: web.Request) -> web.Response:
    data = await parse_body(request, SegmentIn)
    now = request.app[CLOCK].now()
    made = await request.app[DATABASE].writer.run(
        lambda conn: segments.create_segment(conn, data.name, data.rule, now, data.description)
    )
    return json_response(made, status=201)
