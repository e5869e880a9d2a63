"""HTTP routes of outbound campaigns: create, pause/resume, stats, and the calls' progress."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from customers.leads import store as lead_store
from routing.outbound import campaigns, store
from routing.outbound.dialer import DIALER, schedule_state
from routing.outbound.model import Disposition
from routing.outbound.schemas import (
    AnsweredIn,
    CallEndIn,
    CampaignIn,
    CampaignOut,
    CampaignStats,
    RefreshOut,
    RescheduleIn,
)
from switchboard.core import audit
from switchboard.core.errors import NotFound
from switchboard.core.http import (
    CLOCK,
    DATABASE,
    SETTINGS,
    endpoint,
    json_response,
    parse,
    principal,
    read_json,
    require_agent_access,
)

routes = web.RouteTableDef()
WRAP_ROLES = ("admin", "supervisor")


@routes.post("/api/v1/campaigns")
@endpoint(
    "Create an outbound campaign",
    roles=WRAP_ROLES,
    body=CampaignIn,
    response=CampaignOut,
    description="Takes the leads of the segment still waiting for outbound calls, and with "
    "customer_segment the members of that saved customer segment (客群) as leads: one per "
    "customer with a dialable number, open leads of the same number reused; members not "
    "added (no number, do-not-call, consent withdrawn or missing) are counted with examples "
    "in customer_segment.not_added and the warnings. Refused (400 naming the field) without "
    "agents or skills, with an unknown agent or customer segment, with a schedule that does "
    "not parse (schedule.windows[0].start ...), with compliance settings outside the law "
    "(ring time under 15 s, abandon cap over 3%, abandon message later than 2 s, re-dial "
    "block under 72 h). Leads that can never be dialed (bad numbers, no consent) are named "
    "in the warnings.",
    statuses=(201, 400, 409),
)
async def create_campaign(request: web.Request) -> web.Response:
    data = parse(CampaignIn, await read_json(request))
    now = request.app[CLOCK].now()
    region = request.app[SETTINGS].default_region
    scoring = request.app[DIALER].scoring
    database = request.app[DATABASE]
    intake = None
    if data.customer_segment is not None:  # read the members off the writer
        ref = data.customer_segment
        intake = await database.read(
            lambda c: campaigns.segment_intake(c, ref, data.id, data.compliance, region)
        )
    view, leads, warnings, report = await database.writer.run(
        lambda c: campaigns.create_campaign(
            c, data, now, region=region, config=scoring, intake=intake
        )
    )
    await request.app[DIALER].load(data.id)
    return json_response(
        {
            "id": view["id"],
            "name": view["name"],
            "mode": view["mode"],
            "status": view["status"],
            "agents": view["agents"],
            "leads": leads,
            "warnings": warnings,
            "customer_segment": _public(report),
        },
        status=201,
    )


def _public(report: dict[str, Any] | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {k: v for k, v in report.items() if k != "lead_ids"}


@routes.post("/api/v1/campaigns/{id}/refresh")
@endpoint(
    "Evaluate the campaign's segments again: new members and matching leads join it",
    roles=WRAP_ROLES,
    response=RefreshOut,
    description="Idempotent: a member already in the campaign is never added twice, "
    "whatever became of its lead. A running campaign starts dialing the new leads at its "
    "next tick; lines in flight are kept.",
    statuses=(200, 400, 404),
)
async def refresh_campaign(request: web.Request) -> web.Response:
    campaign_id = request.match_info["id"]
    now = request.app[CLOCK].now()
    region = request.app[SETTINGS].default_region
    dialer = request.app[DIALER]
    who = principal(request)
    database = request.app[DATABASE]
    intake = await database.read(lambda c: campaigns.refresh_intake(c, campaign_id, region))

    def refresh(c: Any) -> Any:
        joined, warnings, report = campaigns.refresh_campaign(
            c, campaign_id, now, region=region, config=dialer.scoring, intake=intake
        )
        detail = {"joined": len(joined)}
        audit.record(c, audit.actor_of(who), "campaign_refresh", campaign_id, now, detail)
        return joined, warnings, report, campaigns.leads_left(c, campaign_id)

    joined, warnings, report, total = await database.writer.run(refresh)
    await dialer.admit(campaign_id, joined)
    body = {
        "id": campaign_id,
        "leads": len(joined),
        "leads_total": total,
        "warnings": warnings,
        "customer_segment": _public(report),
    }
    return json_response(body)


@routes.get("/api/v1/campaigns/{id}")
@endpoint("One campaign", roles=WRAP_ROLES, statuses=(200, 404))
async def get_campaign(request: web.Request) -> web.Response:
    campaign_id = request.match_info["id"]
    row = await request.app[DATABASE].read(lambda c: store.get_campaign(c, campaign_id))
    if row is None:
        raise NotFound(f"no campaign {campaign_id!r}", field="id")
    return json_response(store.campaign_view(row))


async def _set_status(request: web.Request, status: str) -> web.Response:
    campaign_id = request.match_info["id"]
    now = request.app[CLOCK].now()
    who = principal(request)
    action = "campaign_resume" if status == "active" else "campaign_pause"

    def change(c: Any) -> Any:
        view = campaigns.set_status(c, campaign_id, status, now)
        audit.record(c, audit.actor_of(who), action, campaign_id, now, {"status": status})
        return view

    view = await request.app[DATABASE].writer.run(change)
    dialer = request.app[DIALER]
    if status == "active":
        await dialer.load(campaign_id)
    else:
        dialer.unload(campaign_id)
    return json_response(view)


@routes.post("/api/v1/campaigns/{id}/pause")
@endpoint("Pause a campaign: no new dials", roles=WRAP_ROLES, statuses=(200, 404))
async def pause_campaign(request: web.Request) -> web.Response:
    return await _set_status(request, "paused")


@routes.post("/api/v1/campaigns/{id}/resume")
@endpoint("Resume a paused campaign", roles=WRAP_ROLES, statuses=(200, 404))
async def resume_campaign(request: web.Request) -> web.Response:
    return await _set_status(request, "active")


@routes.get("/api/v1/campaigns/{id}/stats")
@endpoint(
    "Campaign figures for the wallboard",
    roles=WRAP_ROLES,
    response=CampaignStats,
    description="Dials, connects, answer rate, abandon rate over 24 hours and 30 days "
    "against the cap, talk time per agent hour (agents x hours since the first dial), leads "
    "left, compliance refusals by reason, and problems (no agents, no phone system).",
    statuses=(200, 404),
)
async def campaign_stats(request: web.Request) -> web.Response:
    campaign_id = request.match_info["id"]
    now = request.app[CLOCK].now()

    def read(c: Any) -> tuple[Any, dict[str, Any], int, tuple[int, int], tuple[int, int]]:
        row = store.get_campaign(c, campaign_id)
        if row is None:
            raise NotFound(f"no campaign {campaign_id!r}", field="id")
        return (
            row,
            campaigns.totals(c, campaign_id),
            campaigns.leads_left(c, campaign_id),
            store.abandoned_count(c, campaign_id, now - timedelta(hours=24)),
            store.abandoned_count(c, campaign_id, now - timedelta(days=30)),
        )

    row, totals, left, day, month = await request.app[DATABASE].read(read)
    runtime = request.app[DIALER].runtime_stats(campaign_id)
    policy, _ = campaigns.policies(row)
    hours = 0.0
    if totals["first_dial"] is not None:
        hours = max((now - totals["first_dial"]).total_seconds() / 3600, 1 / 60)
    agent_hours = hours * max(1, len(row.agents or []))
    problems = list(runtime["problems"])
    if not row.agents:
        problems.append("no agents: nothing is dialed")
    body = {
        "id": campaign_id,
        "status": row.status,
        "dials": totals["dials"],
        "connects": totals["connects"],
        "answer_rate": round(totals["answered"] / totals["dials"], 4) if totals["dials"] else 0.0,
        "abandon_rate_24h": round(day[1] / day[0], 4) if day[0] else 0.0,
        "abandon_rate_30d": round(month[1] / month[0], 4) if month[0] else 0.0,
        "abandon_cap": policy.abandon_cap,
        "talk_time_per_agent_hour_s": round(totals["talk_s"] / agent_hours, 1)
        if agent_hours
        else 0.0,
        "leads_left": left,
        "refusals": runtime["refusals"],
        "schedule": schedule_state(campaigns.schedule_of(row), now),
        "problems": problems,
    }
    return json_response(body)


@routes.post("/api/v1/campaigns/{id}/calls/{call_id}/answered")
@endpoint(
    "A person answered a campaign call",
    roles=("admin", "cti"),
    body=AnsweredIn,
    description="The call goes to a free campaign agent (transfer), or, when none is free "
    "within the abandon-message time, is abandoned: the recorded message is commanded at "
    "once and the number is not re-dialed for 72 hours.",
    statuses=(200, 404, 409),
)
async def call_answered(request: web.Request) -> web.Response:
    parse(AnsweredIn, await read_json(request))
    result = await request.app[DIALER].answered(
        request.match_info["id"], request.match_info["call_id"]
    )
    return json_response(result)


@routes.post("/api/v1/campaigns/{id}/calls/{call_id}/end")
@endpoint(
    "How a campaign call ended (the disposition decides the retry)",
    roles=("admin", "supervisor", "agent", "cti"),
    body=CallEndIn,
    description="busy: again in 30 min; no_answer: 2 h; answering_machine: when calling "
    "hours open on the callee's next day; callback: at callback_at, to the same agent where "
    "possible; do_not_call: never again, and the number goes onto the do-not-call list; "
    "sale, not_interested, wrong_number: no retry. The outcome re-scores the lead.",
    statuses=(200, 400, 404, 409),
)
async def call_ended(request: web.Request) -> web.Response:
    body = parse(CallEndIn, await read_json(request))
    who = principal(request)
    if who.role == "agent" and body.agent is not None:
        require_agent_access(request, body.agent)
    result = await request.app[DIALER].ended(
        request.match_info["id"],
        request.match_info["call_id"],
        Disposition(body.disposition),
        talk_s=body.talk_s,
        callback_at=body.callback_at,
        agent=body.agent or who.agent_id,
    )
    return json_response(result)


@routes.post("/api/v1/campaigns/{id}/preview/{lead}/dial")
@endpoint(
    "Dial the lead on the agent's preview card",
    roles=("agent",),
    description="Compliance is checked again at the moment of the dial.",
    statuses=(200, 409),
)
async def preview_dial(request: web.Request) -> web.Response:
    who = principal(request)
    agent = who.agent_id or ""
    call_id = await request.app[DIALER].preview_dial(
        request.match_info["id"], request.match_info["lead"], agent
    )
    return json_response({"call_id": call_id})


@routes.post("/api/v1/campaigns/{id}/preview/{lead}/skip")
@endpoint(
    "Pass on the lead on the agent's preview card",
    roles=("agent",),
    description="The next card comes at the dialer's next tick; the skipped lead comes back "
    "(to any agent) 30 minutes later.",
    statuses=(200, 409),
)
async def preview_skip(request: web.Request) -> web.Response:
    agent = principal(request).agent_id or ""
    result = await request.app[DIALER].preview_skip(
        request.match_info["id"], request.match_info["lead"], agent
    )
    return json_response(result)


@routes.post("/api/v1/campaigns/{id}/preview/{lead}/reschedule")
@endpoint(
    "Book the lead on the agent's preview card for later",
    roles=("agent",),
    body=RescheduleIn,
    description="At 'at' the lead comes back on this agent's card, as a callback.",
    statuses=(200, 400, 409),
)
async def preview_reschedule(request: web.Request) -> web.Response:
    agent = principal(request).agent_id or ""
    body = parse(RescheduleIn, await read_json(request))
    result = await request.app[DIALER].preview_reschedule(
        request.match_info["id"], request.match_info["lead"], agent, body.at
    )
    return json_response(result)


@routes.get("/api/v1/leads/{id}")
@endpoint(
    "One lead with its score, class and every rule's contribution",
    roles=WRAP_ROLES,
    statuses=(200, 404),
)
async def get_lead(request: web.Request) -> web.Response:
    lead_id = request.match_info["id"]
    row = await request.app[DATABASE].read(lambda c: lead_store.get_lead(c, lead_id))
    if row is None:
        raise NotFound(f"no lead {lead_id!r}", field="id")
    return json_response(lead_store.lead_view(row))
