"""Campaign use cases on one database connection: create, pause/resume, the calls, stats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, overload

from sqlalchemy import Connection, func, insert, select, update

from customers.leads import from_segment
from customers.leads import store as leads
from customers.leads.from_segment import SegmentIntake
from customers.leads.scoring import LeadEvent, LeadFacts, ScoringConfig, score_lead
from routing.outbound import store
from routing.outbound.compliance import CompliancePolicy, PolicyError, policy_from_mapping
from routing.outbound.model import Disposition
from routing.outbound.retry import RetryDecision, RetryPolicy, retry_policy_from_mapping
from routing.outbound.schedule import CampaignSchedule, ScheduleError, schedule_from_mapping
from routing.outbound.schemas import CampaignIn, Segment
from routing.store import agents_t
from switchboard.core.errors import BadRequest, Conflict, NotFound
from tickets import holiday_sources

FINAL_STATUSES = ("done", "do_not_call")


def policies(row: Any) -> tuple[CompliancePolicy, RetryPolicy]:
    """The campaign's compliance and retry policies; PolicyError names a bad setting."""
    return policy_from_mapping(row.compliance or {}), retry_policy_from_mapping(row.retry or {})


def schedule_of(row: Any) -> CampaignSchedule | None:
    """The campaign's stored schedule (holidays resolved), or None: no schedule of its own."""
    if not row.schedule:
        return None
    return schedule_from_mapping(row.schedule)


def resolve_schedule(raw: dict[str, Any], now: datetime) -> tuple[dict[str, Any], list[str]]:
    """A posted schedule checked and its holiday tables resolved into dates, as stored.

    Raises BadRequest naming the field (``schedule.windows[0].start``). The holidays are
    those of the years from the start date (or now) to the end date (or the next year).
    """
    try:
        schedule = schedule_from_mapping(raw, holidays=(), extra_working_days=())
    except ScheduleError as exc:
        raise BadRequest(str(exc), field=exc.field) from None
    stored = dict(raw)
    warnings: list[str] = []
    source = raw.get("holidays")
    if source is None:
        return stored, warnings
    if not isinstance(source, dict) or not isinstance(source.get("country"), str):
        raise BadRequest(
            'schedule.holidays: {"country": "CN"} (and an optional "subdivision")',
            field="schedule.holidays",
        )
    for key in source:
        if key not in ("country", "subdivision"):
            raise BadRequest(
                f"schedule.holidays.{key}: unknown setting", field=f"schedule.holidays.{key}"
            )
    country = source["country"].strip().upper()
    subdivision = source.get("subdivision")
    first = (schedule.start_date or now.date()).year
    last = schedule.end_date.year if schedule.end_date else max(first, now.year) + 1
    years = list(range(min(first, now.year), last + 1))[-10:]
    extra: set[Any] = set()
    try:
        if country == "CN" and not subdivision:
            days_off, extra = holiday_sources.china_calendar_data(years)
            missing = holiday_sources.years_missing_make_up_days(years)
            if missing:
                warnings.append(
                    "schedule: China's make-up working days are not known yet for "
                    + ", ".join(str(y) for y in missing)
                )
        else:
            days_off = holiday_sources.country_holiday_dates(
                country, str(subdivision) if subdivision else None, years
            )
    except ValueError as exc:
        field = (
            "schedule.holidays.subdivision"
            if "subdivision" in str(exc)
            else "schedule.holidays.country"
        )
        raise BadRequest(f"{field}: {exc}", field=field) from None
    if schedule.end_date is None:
        warnings.append(
            f"schedule: public holidays are known through {last}; the schedule has no end date"
        )
    stored["resolved_holidays"] = sorted(d.isoformat() for d in days_off)
    stored["resolved_extra_working_days"] = sorted(d.isoformat() for d in extra)
    stored["holidays_known_until"] = f"{last}-12-31"
    try:
        schedule_from_mapping(stored)
    except ScheduleError as exc:
        raise BadRequest(str(exc), field=exc.field) from None
    return stored, warnings


def segment_intake(
    conn: Connection,
    ref: int | str,
    campaign_id: str,
    compliance: dict[str, Any],
    region: str,
) -> SegmentIntake:
    """The customer segment ``ref`` (name or id) read and its leads planned for the campaign,
    on a reading connection. 400 naming ``customer_segment`` (or the compliance setting)."""
    try:
        policy = policy_from_mapping(compliance)
    except PolicyError as exc:
        raise BadRequest(str(exc), field=f"compliance.{exc.field}") from None
    segment = from_segment.find_segment(conn, ref, "customer_segment")
    return from_segment.plan_members(
        conn,
        segment,
        campaign_id=campaign_id,
        require_consent=policy.require_consent,
        region=region,
    )


def refresh_intake(conn: Connection, campaign_id: str, region: str) -> SegmentIntake | None:
    """The read half of a refresh: the campaign's customer segment planned again (None when
    the campaign has none). 404 naming ``id`` for an unknown campaign."""
    row = store.get_campaign(conn, campaign_id)
    if row is None:
        raise NotFound(f"no campaign {campaign_id!r}", field="id")
    ref = (row.segment or {}).get("customer_segment")
    if ref is None:
        return None
    return segment_intake(conn, int(ref["id"]), campaign_id, row.compliance or {}, region)


def create_campaign(
    conn: Connection,
    data: CampaignIn,
    now: datetime,
    *,
    region: str = "CN",
    config: ScoringConfig | None = None,
    intake: SegmentIntake | None = None,
) -> tuple[dict[str, Any], int, list[str], dict[str, Any] | None]:
    """Store the campaign and give it its leads; refused (400) when it could never dial.

    ``intake`` is the customer segment read beforehand (:func:`segment_intake`), so the
    writer only writes; without it the segment is read here. Returns the campaign, how many
    leads it took, warnings, and the report of its customer segment (None without one).
    """
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
    schedule, warnings = (
        (None, []) if data.schedule is None else resolve_schedule(data.schedule, now)
    )
    if data.customer_segment is not None and intake is None:
        intake = segment_intake(conn, data.customer_segment, data.id, data.compliance, region)
    agents = _campaign_agents(conn, data)
    lead_filter = data.segment.model_dump()
    if intake is not None:
        lead_filter["customer_segment"] = {"id": intake.segment_id, "name": intake.segment_name}
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
        "segment": lead_filter,
        "schedule": schedule,
        "created_at": now,
        "updated_at": now,
    }
    conn.execute(insert(store.campaigns_t).values(**values))
    count = 0
    if intake is None or _filters(data.segment):
        count = _assign_leads(conn, data.id, data.segment, now)
    report = None
    if intake is not None:
        report = from_segment.take_members(
            conn, intake, campaign_id=data.id, config=config or _default_scoring(), now=now
        )
        count += len(report["lead_ids"])
        warnings.extend(from_segment.report_warnings(report))
    warnings.extend(_lead_warnings(conn, data.id))
    if count == 0:
        warnings.append("no lead matches the segment: the campaign has nothing to dial")
    row = store.get_campaign(conn, data.id)
    return store.campaign_view(row), count, warnings, report


def refresh_campaign(
    conn: Connection,
    campaign_id: str,
    now: datetime,
    *,
    region: str = "CN",
    config: ScoringConfig | None = None,
    intake: SegmentIntake | None = None,
) -> tuple[list[str], list[str], dict[str, Any] | None]:
    """Evaluate the campaign's segments again: leads and members that match now join it.

    Idempotent: members already in the campaign (whatever became of their lead) are not
    added twice. ``intake`` is the read half (:func:`refresh_intake`); without it the
    segment is read here. Returns the ids of the leads that joined, warnings and the
    customer segment's report.
    """
    row = store.get_campaign(conn, campaign_id)
    if row is None:
        raise NotFound(f"no campaign {campaign_id!r}", field="id")
    stored = dict(row.segment or {})
    ref = stored.pop("customer_segment", None)
    lead_filter = Segment.model_validate(stored)
    joined: list[str] = []
    if ref is None or _filters(lead_filter):
        joined += _assign_leads(conn, campaign_id, lead_filter, now, returning=True)
    warnings: list[str] = []
    report = None
    if ref is not None:
        if intake is None:
            intake = refresh_intake(conn, campaign_id, region)
        assert intake is not None
        report = from_segment.take_members(
            conn, intake, campaign_id=campaign_id, config=config or _default_scoring(), now=now
        )
        joined += report["lead_ids"]
        warnings.extend(from_segment.report_warnings(report))
    conn.execute(
        update(store.campaigns_t)
        .where(store.campaigns_t.c.id == campaign_id)
        .values(updated_at=now)
    )
    return joined, warnings, report


def _filters(segment: Segment) -> bool:
    """Whether the lead filter names anything (an empty one takes every waiting lead)."""
    return bool(segment.lead_ids or segment.source_channel or segment.classes)


def _default_scoring() -> ScoringConfig:
    from customers.leads.config import load_scoring_config

    return load_scoring_config()


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


@overload
def _assign_leads(conn: Connection, campaign_id: str, segment: Segment, now: datetime) -> int: ...


@overload
def _assign_leads(
    conn: Connection, campaign_id: str, segment: Segment, now: datetime, *, returning: bool
) -> list[str]: ...


def _assign_leads(
    conn: Connection, campaign_id: str, segment: Segment, now: datetime, *, returning: bool = False
) -> int | list[str]:
    """Waiting leads matching the filter join the campaign: how many (or which, ``returning``)."""
    c = leads.leads_t.c
    where = (c.status == "outbound") & c.campaign_id.is_(None)
    if segment.lead_ids:
        where &= c.id.in_(segment.lead_ids)
    if segment.source_channel:
        where &= c.source_channel == segment.source_channel
    if segment.classes:
        where &= c.lead_class.in_(segment.classes)
    if returning:
        ids = list(conn.execute(select(c.id).where(where)).scalars())
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            conn.execute(
                update(leads.leads_t)
                .where(c.id.in_(chunk) & c.campaign_id.is_(None))
                .values(campaign_id=campaign_id, updated_at=now)
            )
        return ids
    result = conn.execute(
        update(leads.leads_t).where(where).values(campaign_id=campaign_id, updated_at=now)
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


def campaign_leads_by_id(conn: Connection, campaign_id: str, lead_ids: Sequence[str]) -> list[Any]:
    """The campaign's leads waiting for calls among ``lead_ids``."""
    c = leads.leads_t.c
    out: list[Any] = []
    for start in range(0, len(lead_ids), 500):
        chunk = list(lead_ids[start : start + 500])
        where = (c.campaign_id == campaign_id) & (c.status == "outbound") & c.id.in_(chunk)
        out.extend(conn.execute(select(leads.leads_t).where(where)))
    return out


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
