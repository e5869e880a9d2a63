"""A saved customer segment (客群) turned into a campaign's outbound leads.

Reads the members of the segment as it stands now, with their numbers, do-not-call flags and
phone consent, plans the intake (:mod:`customers.leads.intake`) and carries it out in the
caller's transaction: new leads (source ``segment``, the customer's owner, the customer id
kept), open leads of the same number reused, and a report of who was not added and why.
Running it again for the same campaign adds only new members (a refresh).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from customers.leads import store as leads
from customers.leads.intake import (
    REASON_TEXT,
    REUSABLE,
    IntakePlan,
    KnownLead,
    Member,
    MemberPhone,
    NotAdded,
    plan_intake,
)
from customers.leads.numbers import read_number
from customers.leads.scoring import LeadFacts, ScoringConfig, score_lead
from customers.profile_store import consents_t, profiles_t
from customers.segments import member_id_query
from customers.store import customers_t, phones_t
from customers.value.segment_rule import RuleError, parse_rule
from customers.value_store import segments_t, values_t
from switchboard.core.errors import BadRequest

SOURCE_CHANNEL = "segment"
NEVER_DIALED = frozenset(
    {NotAdded.DO_NOT_CALL, NotAdded.CONSENT_WITHDRAWN, NotAdded.NO_PHONE, NotAdded.NO_CONSENT}
)
EXAMPLES = 5  # members named per reason in the report
CHUNK = 500


def find_segment(conn: Connection, ref: int | str, field: str) -> Any:
    """The saved segment named ``ref`` (or with that id); 400 naming ``field`` if none."""
    row = None
    if isinstance(ref, str):
        row = conn.execute(select(segments_t).where(segments_t.c.name == ref)).first()
    if row is None and (isinstance(ref, int) or ref.isdigit()):
        row = conn.execute(select(segments_t).where(segments_t.c.id == int(ref))).first()
    if row is None:
        raise BadRequest(
            f"no saved customer segment {ref!r} (see GET /api/v1/segments)", field=field
        )
    return row


def lead_id_for(campaign_id: str, customer_id: int) -> str:
    """A stable lead id: the same member of the same campaign always gets the same one."""
    lead_id = f"seg-{campaign_id}-{customer_id}"
    if len(lead_id) <= 64:
        return lead_id
    digest = hashlib.blake2b(campaign_id.encode(), digest_size=8).hexdigest()
    return f"seg-{digest}-{customer_id}"


@dataclass(frozen=True)
class SegmentIntake:
    """What a segment's members would bring a campaign, read before anything is written."""

    segment_id: int
    segment_name: str
    members: int
    plan: IntakePlan
    attributes: dict[int, dict[str, str]]  # per customer of a new lead: for the scoring rules


def plan_members(
    conn: Connection,
    segment: Any,
    *,
    campaign_id: str,
    require_consent: bool,
    region: str,
    field: str = "customer_segment",
) -> SegmentIntake:
    """Read the members of ``segment`` as they stand now and plan their leads for
    ``campaign_id``. Reads only: run it on a reading connection, so a large segment keeps
    the writer free; :func:`take_members` writes the plan."""
    try:
        rule = parse_rule(segment.rule)
    except RuleError as exc:
        raise BadRequest(
            f"the rule of segment {segment.name!r} no longer holds: {exc}", field=field
        ) from None
    ids = [int(r[0]) for r in conn.execute(member_id_query(rule).order_by(customers_t.c.id))]
    members = _members(conn, ids, region)
    numbers = sorted({p.e164 for m in members for p in m.phones if p.dialable and p.e164})
    plan = plan_intake(
        members,
        campaign_id=campaign_id,
        require_consent=require_consent,
        do_not_call=leads.do_not_call_numbers(conn, numbers),
        known=_known_leads(conn, campaign_id, numbers, ids),
    )
    attributes = _attributes(conn, [n.member.customer_id for n in plan.new])
    return SegmentIntake(int(segment.id), str(segment.name), len(ids), plan, attributes)


def take_members(
    conn: Connection,
    intake: SegmentIntake,
    *,
    campaign_id: str,
    config: ScoringConfig,
    now: datetime,
) -> dict[str, Any]:
    """Write the planned leads of ``intake`` for ``campaign_id``: new leads inserted, open
    leads reused (only if still waiting for a campaign: another may have taken them since
    the plan was read).

    Returns the report: ``members``, ``added`` (new leads), ``reused``, ``already``, the
    ids of the leads that joined (``lead_ids``) and ``not_added`` per reason with a count and
    a few examples.
    """
    joined = _carry_out(conn, intake, campaign_id, config, now)
    return _report(intake, joined)


def _members(conn: Connection, ids: Sequence[int], region: str) -> list[Member]:
    out: list[Member] = []
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        names = dict(
            conn.execute(
                select(customers_t.c.id, customers_t.c.name).where(customers_t.c.id.in_(chunk))
            ).all()
        )
        profiles = {
            r.customer_id: r
            for r in conn.execute(
                select(
                    profiles_t.c.customer_id, profiles_t.c.owner, profiles_t.c.do_not_call
                ).where(profiles_t.c.customer_id.in_(chunk))
            )
        }
        consent = {
            r.customer_id: bool(r.granted)
            for r in conn.execute(
                select(consents_t.c.customer_id, consents_t.c.granted).where(
                    consents_t.c.customer_id.in_(chunk), consents_t.c.channel == "phone"
                )
            )
        }
        phones: dict[int, list[MemberPhone]] = defaultdict(list)
        for r in conn.execute(
            select(phones_t).where(phones_t.c.customer_id.in_(chunk)).order_by(phones_t.c.id)
        ):
            read = read_number(r.e164 or r.raw, region)
            phones[r.customer_id].append(
                MemberPhone(r.raw, read.e164, read.zones, read.problem, r.ext, r.type)
            )
        for customer_id in chunk:
            profile = profiles.get(customer_id)
            out.append(
                Member(
                    customer_id,
                    str(names.get(customer_id, "")),
                    tuple(phones.get(customer_id, ())),
                    owner=profile.owner if profile else None,
                    do_not_call=bool(profile.do_not_call) if profile else False,
                    phone_consent=consent.get(customer_id),
                )
            )
    return out


def _known_leads(
    conn: Connection, campaign_id: str, numbers: Sequence[str], customer_ids: Sequence[int]
) -> list[KnownLead]:
    c = leads.leads_t.c
    found: dict[str, KnownLead] = {}
    mine = conn.execute(
        select(c.id, c.phone_e164, c.status, c.campaign_id, c.customer_id).where(
            c.campaign_id == campaign_id
        )
    )
    rows = list(mine)
    for start in range(0, len(numbers), CHUNK):
        chunk = list(numbers[start : start + CHUNK])
        rows.extend(
            conn.execute(
                select(c.id, c.phone_e164, c.status, c.campaign_id, c.customer_id).where(
                    c.phone_e164.in_(chunk),
                    or_(c.status.in_(sorted(REUSABLE | {"sales"})), c.campaign_id == campaign_id),
                )
            )
        )
    for r in rows:
        found[r.id] = KnownLead(r.id, r.phone_e164, r.status, r.campaign_id, r.customer_id)
    return list(found.values())


def _carry_out(
    conn: Connection, intake: SegmentIntake, campaign_id: str, config: ScoringConfig, now: datetime
) -> tuple[list[str], list[str]]:
    """(ids of the new leads, ids of the reused leads) actually written."""
    plan = intake.plan
    rows = []
    for new in plan.new:
        member = new.member
        attributes = {
            "customer_segment": intake.segment_name,
            **intake.attributes.get(member.customer_id, {}),
        }
        scored = score_lead(LeadFacts(attributes, []), config, now)
        rows.append(
            {
                "id": lead_id_for(campaign_id, member.customer_id),
                "name": member.name[:200],
                "phone_raw": new.phone.raw[:80],
                "phone_e164": new.phone.e164,
                "zones": list(new.phone.zones),
                "number_problem": None,
                "source_channel": SOURCE_CHANNEL,
                "owner": member.owner,
                "customer_id": member.customer_id,
                "status": "outbound",  # the campaign chose them: not routed to sales by score
                "score": scored.score,
                "lead_class": scored.lead_class,
                "contributions": scored.as_json()["contributions"],
                "attributes": attributes,
                "events": [],
                "outcomes": [],
                "consent": new.consent,
                "campaign_id": campaign_id,
                "attempts": [],
                "next_attempt_at": None,
                "callback_agent": None,
                "last_touched_at": now,
                "created_at": now,
                "updated_at": now,
            }
        )
    # a refresh running at the same time may have written some already
    known = leads.existing_ids(conn, [str(r["id"]) for r in rows])
    rows = [r for r in rows if r["id"] not in known]
    if rows:
        conn.execute(insert(leads.leads_t), rows)
    c = leads.leads_t.c
    reused: list[str] = []
    for start in range(0, len(plan.reuse), CHUNK):
        waiting = c.id.in_(plan.reuse[start : start + CHUNK]) & c.campaign_id.is_(None)
        waiting &= c.status.in_(sorted(REUSABLE))
        chunk = list(conn.execute(select(c.id).where(waiting)).scalars())
        if chunk:
            conn.execute(
                update(leads.leads_t)
                .where(c.id.in_(chunk))
                .values(
                    campaign_id=campaign_id, status="outbound", last_touched_at=now, updated_at=now
                )
            )
            reused += chunk
    return [str(r["id"]) for r in rows], reused


def _attributes(conn: Connection, customer_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """What the scoring rules may match about a customer: industry, province, city, tier,
    ABC class."""
    out: dict[int, dict[str, str]] = {}
    for start in range(0, len(customer_ids), CHUNK):
        chunk = list(customer_ids[start : start + CHUNK])
        query = (
            select(
                customers_t.c.id,
                customers_t.c.industry,
                customers_t.c.province,
                customers_t.c.city,
                customers_t.c.tier,
                values_t.c.abc_class,
            )
            .select_from(
                customers_t.outerjoin(values_t, values_t.c.customer_id == customers_t.c.id)
            )
            .where(customers_t.c.id.in_(chunk))
        )
        for r in conn.execute(query):
            values = {
                "industry": r.industry,
                "province": r.province,
                "city": r.city,
                "tier": r.tier,
                "abc_class": r.abc_class,
            }
            out[int(r.id)] = {k: str(v) for k, v in values.items() if v}
    return out


def _report(intake: SegmentIntake, joined: tuple[list[str], list[str]]) -> dict[str, Any]:
    added, reused = joined
    not_added: dict[str, dict[str, Any]] = {}
    for skipped in intake.plan.skipped:
        entry = not_added.setdefault(
            skipped.reason.value,
            {"count": 0, "text": REASON_TEXT[skipped.reason], "examples": []},
        )
        entry["count"] += 1
        if len(entry["examples"]) < EXAMPLES:
            entry["examples"].append(
                {
                    "customer_id": skipped.member.customer_id,
                    "name": skipped.member.name,
                    "reason": skipped.detail,
                }
            )
    return {
        "id": intake.segment_id,
        "name": intake.segment_name,
        "members": intake.members,
        "added": len(added),
        "reused": len(reused),
        "already": len(intake.plan.already) + len(intake.plan.new) - len(added),
        "lead_ids": added + reused,
        "not_added": not_added,
    }


def report_warnings(report: dict[str, Any]) -> list[str]:
    """One sentence per reason members were not added, naming a few of them."""
    out = []
    for reason in NotAdded:
        entry = report["not_added"].get(reason.value)
        if entry is None:
            continue
        named = ", ".join(f"{e['name']} (#{e['customer_id']})" for e in entry["examples"])
        more = ", …" if entry["count"] > len(entry["examples"]) else ""
        never = "; never dialed" if reason in NEVER_DIALED else ""
        out.append(
            f"{entry['count']} members of segment {report['name']!r} not added "
            f"({entry['text']}){never}: {named}{more}"
        )
    return out
