"""Campaign use cases on one database connection: create, pause/resume, the calls, stats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from customers.leads import store as leads
from customers.leads.scoring import LeadEvent, LeadFacts, ScoringConfig, score_lead
from routing.outbound import store
from routing.outbound.compliance import CompliancePolicy, PolicyError, policy_from_mapping
from routing.outbound.model import Disposition
from routing.outbound.retry import RetryDecision, RetryPolicy, retry_policy_from_mapping
from routing.outbound.schemas import CampaignIn
from routing.store import agents_t
from switchboard.core.errors import BadRequest, Conflict, NotFound

FINAL_STATUSES = ("done", "do_not_call")


def policies(row: Any) -> tuple[CompliancePolicy, RetryPolicy]:
    """The campaign's compliance and retry policies; PolicyError names a bad setting."""
    return policy_from_mapping(row.compliance or {}), retry_policy_from_mapping(row.retry or {})


def create_campaign(
    conn: Connection, data: CampaignIn, now: datetime
) -> tuple[dict[str, Any], int, list[str]]:
    """Store the campaign and give it its leads; refused (400) when it could never dial."""
    if store.get_campaign(conn, data.id) is not None:
        raise Conflict(f"campaign {data.id!r} exists", field="id")
    try:
        policy_from_mapping(data.compliance)
    except PolicyError as exc:
        raise BadRequest(str(exc), field=f"compliance.{exc.field}") from None
    try:
        retry_policy_from_mapping(data.retry)
    except PolicyError as exc:
        raise BadRequest(str(exc), field=exc.field) from None
    agents = _campaign_agents(conn, data)
    values = {
        "id": data.id,
        "name": data.name,
        "mode": data.mode,
        "status": "active",
        "agents": agents,
        "skills": data.skills,
        "script": data.script,
        "caller_id": data.caller_id,
        "compliance": data.compliance,
        "retry": data.retry,
        "segment": data.segment.model_dump(),
        "created_at": now,
        "updated_at": now,
    }
    conn.execute(insert(store.campaigns_t).values(**values))
    count = _assign_leads(conn, data, now)
    warnings = _lead_warnings(conn, data.id)
    if count == 0:
        warnings.append("no lead matches the segment: the campaign has nothing to dial")
    row = store.get_campaign(conn, data.id)
    return store.campaign_view(row), count, warnings


def _campaign_agents(conn: Connection, data: CampaignIn) -> list[str]:
    if not data.agents and not data.skills:
        raise BadRequest("a campaign needs agents or skills to dial for", field="agents")
    rows = conn.execute(select(agents_t.c.id, agents_t.c.skills)).all()
    known = {row.id: row.skills or {} for row in rows}
    for index, agent in enumerate(data.agents):
        if agent not in known:
            raise BadRequest(f"no agent {agent!r}", field=f"agents.{index}")
    chosen = list(dict.fromkeys(data.agents))
    if data.skills:
        for agent, skills in known.items():
            skilled = all(skills.get(s, 0) >= level for s, level in data.skills.items())
            if skilled and agent not in chosen:
                chosen.append(agent)
    if not chosen:
        raise BadRequest("no agent has the campaign's skills", field="skills")
    return chosen


def _assign_leads(conn: Connection, data: CampaignIn, now: datetime) -> int:
    c = leads.leads_t.c
    where = (c.status == "outbound") & c.campaign_id.is_(None)
    segment = data.segment
    if segment.lead_ids:
        where &= c.id.in_(segment.lead_ids)
    if segment.source_channel:
        where &= c.source_channel == segment.source_channel
    if segment.classes:
        where &= c.lead_class.in_(segment.classes)
    result = conn.execute(
        update(leads.leads_t).where(where).values(campaign_id=data.id, updated_at=now)
    )
    return int(result.rowcount or 0)


def _lead_warnings(conn: Connection, campaign_id: str) -> list[str]:
    c = leads.leads_t.c
    mine = c.campaign_id == campaign_id
    bad_numbers = conn.execute(
        select(func.count()).where(mine & c.number_problem.is_not(None))
    ).scalar_one()
    no_consent = conn.execute(select(func.count()).where(mine & ~c.consent)).scalar_one()
    out = []
    if bad_numbers:
        out.append(f"{bad_numbers} leads have numbers that cannot be dialed; they never will be")
    if no_consent:
        out.append(f"{no_consent} leads have not consented to calls; they will not be dialed")
    return out


def set_status(conn: Connection, campaign_id: str, status: str, now: datetime) -> dict[str, Any]:
    row = store.get_campaign(conn, campaign_id)
    if row is None:
        raise NotFound(f"no campaign {campaign_id!r}", field="id")
    conn.execute(
        update(store.campaigns_t)
        .where(store.campaigns_t.c.id == campaign_id)
        .values(status=status, updated_at=now)
    )
    return store.campaign_view(store.get_campaign(conn, campaign_id))


def campaign_leads(conn: Connection, campaign_id: str) -> list[Any]:
    c = leads.leads_t.c
    return list(
        conn.execute(
            select(leads.leads_t).where((c.campaign_id == campaign_id) & (c.status == "outbound"))
        )
    )


def leads_left(conn: Connection, campaign_id: str) -> int:
    c = leads.leads_t.c
    query = select(func.count()).where((c.campaign_id == campaign_id) & (c.status == "outbound"))
    return int(conn.execute(query).scalar_one())


def record_dial(
    conn: Connection,
    *,
    campaign_id: str,
    lead_id: str,
    call_id: str,
    number: str,
    agent: str | None,
    now: datetime,
) -> None:
    """The dial and the lead's attempt, in one transaction."""
    conn.execute(
        insert(store.campaign_calls_t).values(
            campaign_id=campaign_id,
            lead_id=lead_id,
            call_id=call_id,
            number=number,
            agent_id=agent,
            dialed_at=now,
            talk_s=0.0,
            abandoned=False,
        )
    )
    row = leads.get_lead(conn, lead_id)
    if row is not None:
        attempts = [*list(row.attempts or []), now.isoformat()]
        conn.execute(
            update(leads.leads_t)
            .where(leads.leads_t.c.id == lead_id)
            .values(attempts=attempts, last_touched_at=now, updated_at=now)
        )


def set_next_attempt(
    conn: Connection, lead_id: str, at: datetime, agent: str | None, now: datetime
) -> None:
    """A preview lead skipped or rescheduled: when it is dialed next (and by whom, if anyone)."""
    conn.execute(
        update(leads.leads_t)
        .where(leads.leads_t.c.id == lead_id)
        .values(next_attempt_at=at, callback_agent=agent, updated_at=now)
    )


def _call(conn: Connection, campaign_id: str, call_id: str) -> Any:
    c = store.campaign_calls_t.c
    row = conn.execute(
        select(store.campaign_calls_t).where(
            (c.campaign_id == campaign_id) & (c.call_id == call_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"no call {call_id!r} in campaign {campaign_id!r}", field="call_id")
    return row


def record_answered(
    conn: Connection,
    campaign_id: str,
    call_id: str,
    *,
    agent: str | None,
    abandoned: bool,
    now: datetime,
) -> None:
    row = _call(conn, campaign_id, call_id)
    values: dict[str, Any] = {"answered_at": now, "abandoned": abandoned}
    if agent is not None:
        values["agent_id"] = agent
    if abandoned:
        values.update(ended_at=now, outcome=Disposition.ABANDONED.value)
        leads.mark_abandoned(conn, row.number, now)
    conn.execute(
        update(store.campaign_calls_t).where(store.campaign_calls_t.c.id == row.id).values(**values)
    )


def open_call(conn: Connection, call_id: str) -> Any:
    """The campaign call with this call id that has no outcome yet, if any."""
    c = store.campaign_calls_t.c
    return conn.execute(
        select(store.campaign_calls_t)
        .where((c.call_id == call_id) & c.outcome.is_(None))
        .order_by(c.id.desc())
        .limit(1)
    ).first()


def record_hangup(
    conn: Connection, campaign_id: str, call_id: str, *, talk_s: float, now: datetime
) -> None:
    """A call put through to an agent hung up: its end and talk time; the disposition is the
    agent's to give (``record_end``)."""
    row = _call(conn, campaign_id, call_id)
    if row.outcome is not None or row.ended_at is not None:
        return
    conn.execute(
        update(store.campaign_calls_t)
        .where(store.campaign_calls_t.c.id == row.id)
        .values(ended_at=now, talk_s=talk_s)
    )


def record_end(
    conn: Connection,
    campaign_id: str,
    call_id: str,
    *,
    disposition: Disposition,
    talk_s: float,
    decision: RetryDecision,
    config: ScoringConfig,
    now: datetime,
) -> dict[str, Any]:
    """The call's end, the lead re-scored and rescheduled (or closed, or onto the DNC list)."""
    row = _call(conn, campaign_id, call_id)
    if row.outcome is not None:
        raise Conflict(f"call {call_id!r} already ended ({row.outcome})", field="call_id")
    conn.execute(
        update(store.campaign_calls_t)
        .where(store.campaign_calls_t.c.id == row.id)
        .values(
            outcome=disposition.value,
            # The phone system's measure stands when the agent gives none.
            talk_s=talk_s or row.talk_s or 0.0,
            ended_at=row.ended_at or now,
        )
    )
    lead = leads.get_lead(conn, row.lead_id)
    if lead is None:
        return {}
    outcomes = [*list(lead.outcomes or []), disposition.value]
    events = [LeadEvent(e["kind"], datetime.fromisoformat(e["at"])) for e in (lead.events or [])]
    scored = score_lead(LeadFacts(lead.attributes or {}, events, outcomes), config, now)
    status = "outbound"
    if decision.add_to_do_not_call:
        leads.add_do_not_call(conn, row.number, f"asked on call {call_id}", now)
        status = "do_not_call"
    elif decision.at is None:
        status = "done"
    elif scored.destination == "sales":
        status = "sales"  # the call made it a hot lead: straight to a sales owner
    conn.execute(
        update(leads.leads_t)
        .where(leads.leads_t.c.id == lead.id)
        .values(
            outcomes=outcomes,
            score=scored.score,
            lead_class=scored.lead_class,
            contributions=scored.as_json()["contributions"],
            status=status,
            next_attempt_at=decision.at,
            callback_agent=decision.agent,
            last_touched_at=now,
            updated_at=now,
        )
    )
    return {"lead": lead.id, "status": status, "score": scored.score, "class": scored.lead_class}


def ledger_history(
    conn: Connection, campaign_id: str, now: datetime
) -> list[tuple[datetime, bool]]:
    """(answered_at, abandoned) of the campaign's calls answered in the last 30 days."""
    c = store.campaign_calls_t.c
    rows = conn.execute(
        select(c.answered_at, c.abandoned)
        .where((c.campaign_id == campaign_id) & (c.answered_at >= now - timedelta(days=30)))
        .order_by(c.answered_at)
    )
    return [(r.answered_at, bool(r.abandoned)) for r in rows]


def do_not_call_and_abandoned(
    conn: Connection, numbers: Sequence[str]
) -> tuple[set[str], dict[str, datetime]]:
    return leads.do_not_call_numbers(conn, numbers), leads.abandoned_at(conn, numbers)


def agent_states(conn: Connection, agent_ids: Sequence[str]) -> dict[str, str]:
    rows = conn.execute(
        select(agents_t.c.id, agents_t.c.state).where(agents_t.c.id.in_(list(agent_ids)))
    )
    return {row.id: row.state for row in rows}


def totals(conn: Connection, campaign_id: str) -> dict[str, Any]:
    c = store.campaign_calls_t.c
    mine = c.campaign_id == campaign_id
    dials = conn.execute(select(func.count()).where(mine)).scalar_one()
    answered = conn.execute(
        select(func.count()).where(mine & c.answered_at.is_not(None))
    ).scalar_one()
    connects = conn.execute(
        select(func.count()).where(mine & c.answered_at.is_not(None) & ~c.abandoned)
    ).scalar_one()
    talk = conn.execute(select(func.coalesce(func.sum(c.talk_s), 0.0)).where(mine)).scalar_one()
    first = conn.execute(select(func.min(c.dialed_at)).where(mine)).scalar_one()
    return {
        "dials": int(dials),
        "answered": int(answered),
        "connects": int(connects),
        "talk_s": float(talk or 0.0),
        "first_dial": first,
    }
