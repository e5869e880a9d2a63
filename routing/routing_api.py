"""HTTP routes of live routing: queues, answering offers, and why a call went where it went."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from routing import agents, queues, store
from routing.schemas import (
    QUEUE_ID,
    AgentConfigIn,
    AgentOut,
    AgentSkillsIn,
    OfferAnswer,
    QueueConfig,
    QueueOut,
)
from routing.service import LEADERSHIP, ROUTING, RoutingService
from switchboard.core import audit
from switchboard.core.errors import BadRequest, NotFound
from switchboard.core.http import (
    CLOCK,
    DATABASE,
    PUBLISHER,
    endpoint,
    json_response,
    parse,
    parse_body,
    principal,
    read_json,
    require_agent_access,
)

routes = web.RouteTableDef()


def _service(request: web.Request) -> RoutingService:
    return request.app[ROUTING]


def _out(
    service: RoutingService, view: dict[str, object], warnings: list[str]
) -> dict[str, object]:
    queue_id = str(view["id"])
    return {**view, "warnings": warnings, "waiting": service.waiting(queue_id)}


@routes.post("/api/v1/queues")
@endpoint(
    "Create a routing queue",
    roles=("admin",),
    body=QueueConfig,
    response=QueueOut,
    description="Refused (400 naming the field) when impossible: a skill no agent has, an "
    "unknown strategy, steps out of order, an overflow to a missing queue or round a cycle. "
    "A queue no agent can ever serve is stored with a warning.",
    statuses=(201, 400, 409),
)
async def create_queue(request: web.Request) -> web.Response:
    config = parse(QueueConfig, await read_json(request))
    now = request.app[CLOCK].now()
    view, warnings = await request.app[DATABASE].writer.run(
        lambda c: queues.create_queue(c, config, now)
    )
    service = _service(request)
    await service.set_queue(config)
    return json_response(_out(service, view, warnings), status=201)


@routes.put("/api/v1/queues/{id}")
@endpoint(
    "Replace a routing queue's configuration",
    roles=("admin",),
    body=QueueConfig,
    response=QueueOut,
    description="The body's id may be left out; calls waiting in the queue are re-ranked.",
    statuses=(200, 400, 404),
)
async def replace_queue(request: web.Request) -> web.Response:
    queue_id = request.match_info["id"]
    data = await read_json(request)
    if isinstance(data, dict):
        data.setdefault("id", queue_id)
        if data["id"] != queue_id:
            raise BadRequest(f"the body's id {data['id']!r} is not {queue_id!r}", field="id")
    config = parse(QueueConfig, data)
    now = request.app[CLOCK].now()
    view, warnings = await request.app[DATABASE].writer.run(
        lambda c: queues.replace_queue(c, config, now)
    )
    service = _service(request)
    await service.set_queue(config)
    return json_response(_out(service, view, warnings))


@routes.get("/api/v1/queues")
@endpoint("List routing queues and the calls waiting in each", roles=("admin", "supervisor"))
async def list_queues(request: web.Request) -> web.Response:
    configs = await request.app[DATABASE].read(queues.load_queues)
    service = _service(request)
    return json_response(
        {"queues": [_out(service, queues.queue_view(c), []) for c in configs.values()]}
    )


@routes.get("/api/v1/queues/{id}")
@endpoint(
    "One routing queue",
    roles=("admin", "supervisor"),
    response=QueueOut,
    statuses=(200, 404),
)
async def get_queue(request: web.Request) -> web.Response:
    queue_id = request.match_info["id"]
    configs = await request.app[DATABASE].read(queues.load_queues)
    if queue_id not in configs:
        raise NotFound(f"no queue {queue_id!r}", field="id")
    return json_response(_out(_service(request), queues.queue_view(configs[queue_id]), []))


@routes.post("/api/v1/routing/reservations/{id}/accept")
@endpoint(
    "Accept an offered call",
    roles=("admin", "supervisor", "agent"),
    response=OfferAnswer,
    description="The offered agent itself, or a supervisor or admin. With a phone system "
    "that takes commands, the call is transferred to the agent's extension; the agent "
    "stays reserved until the phone system reports the call answered. 409 when the offer "
    "is already over (timed out, withdrawn, answered).",
    statuses=(200, 403, 404, 409),
)
async def accept_offer(request: web.Request) -> web.Response:
    service = _service(request)
    res = service.reservation(request.match_info["id"])
    require_agent_access(request, res.agent_id)
    return json_response(await service.accept(res.id))


@routes.post("/api/v1/routing/reservations/{id}/reject")
@endpoint(
    "Reject an offered call: it goes to the next agent, never back to this one",
    roles=("admin", "supervisor", "agent"),
    response=OfferAnswer,
    statuses=(200, 403, 404, 409),
)
async def reject_offer(request: web.Request) -> web.Response:
    service = _service(request)
    res = service.reservation(request.match_info["id"])
    require_agent_access(request, res.agent_id)
    return json_response(await service.reject(res.id))


@routes.get("/api/v1/routing/decisions")
@endpoint(
    "Why a call went to the agent it went to: every decision for a work item, with its trace",
    roles=("admin", "supervisor"),
    query={"item": "the work item (a queued call's call id)", "limit": "at most (100)"},
    description="Each decision has the requirement, relaxation step, strategy, winner, the "
    "best few and counts of the rules that removed the others; `trace` rebuilds every agent "
    "as it stood then (the rule that removed it, or its rank and score) while the running "
    "engine still remembers the decision. `waiting` explains a call still waiting now.",
    statuses=(200, 400),
)
async def decisions(request: web.Request) -> web.Response:
    item = request.query.get("item", "").strip()
    if not item:
        raise BadRequest("item is required: the work item's id (a call id)", field="item")
    raw = request.query.get("limit", "100")
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise BadRequest("limit is a whole number from 1 to 1000", field="limit")
    return json_response(await _service(request).decisions_for(item, int(raw)))


# --- queues from a file, all at once ----------------------------------------------------------


class QueuesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queues: list[QueueConfig] = Field(min_length=1, max_length=500)


@routes.put("/api/v1/queues")
@endpoint(
    "Create or replace several routing queues together (a queues file)",
    roles=("admin",),
    body=QueuesIn,
    description="All or nothing: the first problem is a 400 naming its field "
    "(`queues.N.field`) and nothing is stored. `switchboard queues load FILE` sends a TOML "
    "file's queues here. Warnings (a queue no agent can ever serve) come back with 200.",
    statuses=(200, 400),
)
async def load_queues(request: web.Request) -> web.Response:
    data = await read_json(request)
    if isinstance(data, dict) and isinstance(data.get("queues"), list):
        for n, item in enumerate(data["queues"]):
            parse(QueueConfig, item, prefix=f"queues.{n}")
    body = parse(QueuesIn, data)
    ids = [c.id for c in body.queues]
    for n, queue_id in enumerate(ids):
        if queue_id in ids[:n]:
            raise BadRequest(f"queue {queue_id!r} is given twice", field=f"queues.{n}.id")
    now = request.app[CLOCK].now()
    try:
        warnings = await request.app[DATABASE].writer.run(
            lambda c: queues.save_queues(c, body.queues, now)
        )
    except BadRequest as exc:
        raise _with_index(exc, ids) from None
    service = _service(request)
    for config in body.queues:
        await service.set_queue(config)
    return json_response({"queues": ids, "warnings": warnings})


def _with_index(exc: BadRequest, ids: list[str]) -> BadRequest:
    """A queue's problem named by its place in the list: ``queues.N.field``."""
    problems = exc.extra.get("problems") or []
    queue = problems[0].get("queue") if problems else None
    if queue in ids and exc.field:
        return BadRequest(
            str(problems[0].get("message") or exc.message),
            field=f"queues.{ids.index(queue)}.{exc.field}",
            problems=problems,
        )
    return exc


# --- what an agent can do ---------------------------------------------------------------------


async def _configure(request: web.Request, changes: dict[str, Any], force: bool) -> web.Response:
    agent_id = request.match_info["id"]
    service = _service(request)
    service.check_capacity(agent_id, changes.get("capacity"))
    now = request.app[CLOCK].now()
    who = principal(request)

    def configure(c: Any) -> Any:
        view, messages = agents.configure_agent(c, agent_id, changes, now, check_skills=not force)
        # Queues follow skills: a change of skills moves the agent between queues.
        action = "agent_queues" if "skills" in changes else "agent_config"
        audit.record(c, audit.actor_of(who), action, agent_id, now, {"changes": changes})
        return view, messages

    view, messages = await request.app[DATABASE].writer.run(configure)
    await request.app[PUBLISHER].publish(messages)  # routing follows the agent_config
    return json_response(view)


@routes.put("/api/v1/agents/{id}/skills")
@endpoint(
    "Replace an agent's skills (name: proficiency 1-5)",
    roles=("admin", "supervisor"),
    body=AgentSkillsIn,
    response=AgentOut,
    description="A skill no queue needs and no agent has is refused (400 naming "
    "`skills.NAME`, usually a typo) unless `force` is true. Routing uses the new skills at "
    "once.",
    statuses=(200, 400, 404),
)
async def put_agent_skills(request: web.Request) -> web.Response:
    data = await parse_body(request, AgentSkillsIn)
    return await _configure(request, {"skills": data.skills}, data.force)


@routes.patch("/api/v1/agents/{id}")
@endpoint(
    "Change what an agent can do: skills, languages, team, region, channels with capacity",
    roles=("admin", "supervisor"),
    body=AgentConfigIn,
    response=AgentOut,
    description="Only the keys sent change. `capacity` is units per channel at once "
    '({"voice": 1, "ticket": 5}; voice at most 1); `exclusive` lists channels never mixed. '
    "409 naming `capacity.CHANNEL` when the agent holds more work than the new capacity.",
    statuses=(200, 400, 404, 409),
)
async def patch_agent(request: web.Request) -> web.Response:
    data = await parse_body(request, AgentConfigIn)
    changes = data.model_dump(exclude_unset=True, exclude={"force"})
    for key in ("team", "region"):
        if key in changes and changes[key] == "":
            changes[key] = None
    return await _configure(request, changes, data.force)


# --- callbacks --------------------------------------------------------------------------------


class CallbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    call_id: str | None = Field(default=None, min_length=1, max_length=128)
    number: str | None = Field(default=None, pattern=r"^\+?[0-9 ()*#-]{3,40}$")
    queue: str | None = Field(default=None, pattern=QUEUE_ID)
    value_class: str | None = Field(default=None, pattern=r"^[ABC]$")


class CallbackDoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: str = Field(default="called_back", min_length=1, max_length=100)


@routes.post("/api/v1/routing/callbacks")
@endpoint(
    "A callback: the caller took the one offered after the queue's maximum wait",
    roles=("admin", "supervisor", "cti"),
    body=CallbackIn,
    description="With `call_id` (a call waiting in a queue) the call leaves the queue and a "
    "callback item takes its place, keeping its queue, wait, priority and class; the "
    "caller's number is the call's. Without it, `number` and `queue` are needed. The "
    "callback is offered to agents like a call; accepting it asks the phone system to dial.",
    statuses=(201, 400, 404, 409),
)
async def request_callback(request: web.Request) -> web.Response:
    data = await parse_body(request, CallbackIn)
    number = data.number.replace(" ", "") if data.number else None
    body = await _service(request).request_callback(
        call_id=data.call_id, number=number, queue=data.queue, value_class=data.value_class
    )
    return json_response(body, status=201)


@routes.post("/api/v1/routing/callbacks/{id}/complete")
@endpoint(
    "The agent has called back: the callback is done",
    roles=("admin", "supervisor", "agent"),
    body=CallbackDoneIn,
    statuses=(200, 400, 403, 404, 409),
)
async def complete_callback(request: web.Request) -> web.Response:
    callback_id = request.match_info["id"]
    row = await request.app[DATABASE].read(lambda c: store.callback_row(c, callback_id))
    if row is None:
        raise NotFound(f"no callback {callback_id!r}", field="id")
    if row.agent:
        require_agent_access(request, row.agent)
    data = await parse_body(request, CallbackDoneIn)
    return json_response(await _service(request).complete_callback(callback_id, data.outcome))


@routes.get("/api/v1/routing/leader")
@endpoint("Whether this node routes now (the routing leader)", roles=("admin", "supervisor"))
async def leader(request: web.Request) -> web.Response:
    service = _service(request)
    row = await request.app[DATABASE].read(lambda c: store.leader_row(c))
    return json_response(
        {
            "leading": service.leading,
            "lock": "postgresql advisory lock" if request.app[LEADERSHIP].postgres else "single",
            "term": row.term if row is not None else None,
            "holder": row.holder if row is not None else None,
            "run": service.run_id,
        }
    )
