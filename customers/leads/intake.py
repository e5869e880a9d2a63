"""From a customer segment's members to a campaign's leads: who becomes a lead, and why not.

Pure (standard library only): the members' facts, the do-not-call list and the leads already
known for their numbers come in; the plan comes out. :mod:`customers.leads.from_segment`
reads the facts from the database and carries the plan out.

For each member, in this order:

- the customer is flagged do-not-call, or withdrew consent to phone calls: not a lead;
- no number that can be dialed (none, unreadable, no known time zone): not a lead;
- any of its dialable numbers is on the do-not-call list: not a lead (a person who asked not
  to be called on one number is not called on another);
- no consent to phone calls on record while the campaign requires consent: not a lead;
- the chosen number (a mobile first, then a number without an extension) is another member's
  already (a company switchboard): one lead only;
- a lead of this campaign already has the number or the customer: nothing to do (a refresh
  is idempotent, and a customer who said no is not called again);
- an open lead has the number: waiting for a campaign (``new``, ``outbound``, ``recycled``),
  it is reused; in another campaign or with sales, it is left there and reported;
- otherwise a new lead.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

REUSABLE = frozenset({"new", "outbound", "recycled"})  # open leads no campaign is working


class NotAdded(StrEnum):
    DO_NOT_CALL = "do_not_call"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    NO_PHONE = "no_phone"
    NO_CONSENT = "no_consent"
    SHARED_NUMBER = "shared_number"
    IN_ANOTHER_CAMPAIGN = "in_another_campaign"
    WITH_SALES = "with_sales"


@dataclass(frozen=True, slots=True)
class MemberPhone:
    raw: str
    e164: str | None  # None, or ``problem`` set: not dialable
    zones: tuple[str, ...] = ()
    problem: str | None = None
    ext: str | None = None
    type: str = "mobile"

    @property
    def dialable(self) -> bool:
        return self.e164 is not None and self.problem is None and bool(self.zones)


@dataclass(frozen=True, slots=True)
class Member:
    """A segment member as the intake sees it; ``phone_consent`` None: nothing on record."""

    customer_id: int
    name: str
    phones: tuple[MemberPhone, ...] = ()
    owner: str | None = None
    do_not_call: bool = False
    phone_consent: bool | None = None


@dataclass(frozen=True, slots=True)
class KnownLead:
    """A lead already stored for one of the members' numbers (or customers)."""

    id: str
    number: str | None
    status: str
    campaign_id: str | None
    customer_id: int | None = None


@dataclass(frozen=True, slots=True)
class NewLead:
    member: Member
    phone: MemberPhone
    consent: bool


@dataclass(frozen=True, slots=True)
class Skipped:
    member: Member
    reason: NotAdded
    detail: str


@dataclass
class IntakePlan:
    new: list[NewLead] = field(default_factory=list)
    reuse: list[str] = field(default_factory=list)  # lead ids that join the campaign
    already: list[str] = field(default_factory=list)  # lead ids already in it
    skipped: list[Skipped] = field(default_factory=list)


def best_phone(phones: Iterable[MemberPhone]) -> MemberPhone | None:
    """The number to dial: dialable, without an extension first, a mobile first."""
    usable = [p for p in phones if p.dialable]
    usable.sort(key=lambda p: (p.ext is not None, p.type != "mobile"))
    return usable[0] if usable else None


def plan_intake(
    members: Iterable[Member],
    *,
    campaign_id: str,
    require_consent: bool,
    do_not_call: Container[str],
    known: Collection[KnownLead],
) -> IntakePlan:
    """What to do with each member (see the module's docstring for the rules)."""
    mine_by_number: dict[str, str] = {}
    mine_by_customer: dict[int, str] = {}
    open_by_number: dict[str, KnownLead] = {}
    for lead in known:
        if lead.campaign_id == campaign_id:
            if lead.number:
                mine_by_number.setdefault(lead.number, lead.id)
            if lead.customer_id is not None:
                mine_by_customer.setdefault(lead.customer_id, lead.id)
        elif lead.number and (lead.status in REUSABLE or lead.status == "sales"):
            _prefer(open_by_number, lead)
    plan = IntakePlan()
    seen: dict[str, Member] = {}
    taken: set[str] = set()
    for member in members:
        skip = _refusal(member, require_consent, do_not_call)
        if skip is not None:
            plan.skipped.append(Skipped(member, *skip))
            continue
        phone = best_phone(member.phones)
        assert phone is not None  # _refusal checked
        assert phone.e164 is not None
        number = phone.e164
        mine = mine_by_customer.get(member.customer_id) or mine_by_number.get(number)
        if mine is not None:
            if mine not in taken:
                plan.already.append(mine)
                taken.add(mine)
            seen.setdefault(number, member)
            continue
        if number in seen:
            first = seen[number]
            plan.skipped.append(
                Skipped(
                    member,
                    NotAdded.SHARED_NUMBER,
                    f"{number} is also the number of {first.name} (#{first.customer_id}): "
                    "one lead for both",
                )
            )
            continue
        seen[number] = member
        found = open_by_number.get(number)
        if found is None:
            plan.new.append(NewLead(member, phone, bool(member.phone_consent)))
            continue
        lead = found
        if lead.status in REUSABLE and lead.campaign_id is None:
            plan.reuse.append(lead.id)
            taken.add(lead.id)
        elif lead.status == "sales":
            plan.skipped.append(
                Skipped(member, NotAdded.WITH_SALES, f"lead {lead.id} for {number} is with sales")
            )
        else:
            plan.skipped.append(
                Skipped(
                    member,
                    NotAdded.IN_ANOTHER_CAMPAIGN,
                    f"lead {lead.id} for {number} is in campaign {lead.campaign_id}",
                )
            )
    return plan


def _prefer(by_number: dict[str, KnownLead], lead: KnownLead) -> None:
    """One open lead per number: one waiting for a campaign first, then the smallest id."""
    assert lead.number is not None
    current = by_number.get(lead.number)

    def rank(x: KnownLead) -> tuple[bool, str]:
        return (not (x.status in REUSABLE and x.campaign_id is None), x.id)

    if current is None or rank(lead) < rank(current):
        by_number[lead.number] = lead


def _refusal(
    member: Member, require_consent: bool, do_not_call: Container[str]
) -> tuple[NotAdded, str] | None:
    if member.do_not_call:
        return NotAdded.DO_NOT_CALL, "the customer is flagged do-not-call"
    if member.phone_consent is False:
        return NotAdded.CONSENT_WITHDRAWN, "the customer withdrew consent to phone calls"
    phone = best_phone(member.phones)
    if phone is None:
        problems = [f"{p.raw!r}: {p.problem}" for p in member.phones if p.problem]
        detail = "no phone number" if not member.phones else "no dialable number"
        return NotAdded.NO_PHONE, detail + (f" ({'; '.join(problems)})" if problems else "")
    listed = [p.e164 for p in member.phones if p.dialable and p.e164 in do_not_call]
    if listed:
        return NotAdded.DO_NOT_CALL, f"{listed[0]} is on the do-not-call list"
    if require_consent and member.phone_consent is None:
        return NotAdded.NO_CONSENT, "no consent to phone calls on record"
    return None


REASON_TEXT: Mapping[NotAdded, str] = {
    NotAdded.DO_NOT_CALL: "do not call (the customer's flag or the do-not-call list)",
    NotAdded.CONSENT_WITHDRAWN: "consent to phone calls withdrawn",
    NotAdded.NO_PHONE: "no dialable phone number",
    NotAdded.NO_CONSENT: "no consent to phone calls on record",
    NotAdded.SHARED_NUMBER: "number shared with another member: one lead for both",
    NotAdded.IN_ANOTHER_CAMPAIGN: "their number's lead is in another campaign",
    NotAdded.WITH_SALES: "their number's lead is with sales",
}
