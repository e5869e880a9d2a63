"""Customers and contacts: pure domain types and rules (no I/O, standard library only)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class CustomerKind(StrEnum):
    INDIVIDUAL = "individual"
    ENTERPRISE = "enterprise"


class PhoneType(StrEnum):
    MOBILE = "mobile"
    OFFICE = "office"
    HOME = "home"
    SWITCHBOARD = "switchboard"
    FAX = "fax"
    OTHER = "other"


# Strings PBXs and carriers send for a caller who withheld the number (CLIR).
WITHHELD_MARKERS = frozenset(
    {
        "",
        "anonymous",
        "private",
        "unknown",
        "restricted",
        "withheld",
        "unavailable",
        "blocked",
        "no caller id",
        "null",
        "none",
        "匿名",
        "未知",
        "隐藏号码",
        "+",  # a bare international prefix: the PBX had no digits to send
    }
)

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,253}\.[^@\s.]{2,63}$")


def is_withheld(raw: str) -> bool:
    return raw.strip().strip("<>\"'").lower() in WITHHELD_MARKERS


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text))


@dataclass(frozen=True)
class PhoneKey:
    """A number as matched: E.164 plus the extension dialled or stored beside it.

    ``reading`` names an unusual way the number had to be read ("country code without +").
    """

    e164: str
    ext: str | None = None
    national_form: bool = False
    reading: str | None = None


@dataclass
class MatchCandidate:
    customer_id: int
    contact_id: int | None
    name: str
    customer_name: str
    kind: str
    number: str
    stored_ext: str | None
    tier: str | None
    reasons: list[str] = field(default_factory=list)
    # Seconds since the epoch of the last interaction with the customer, None if never.
    last_interaction: float | None = None
    # For a number shared by many contacts of one customer: who shares it (id, name).
    shared_with: list[tuple[int, str]] = field(default_factory=list)
    shared_by: int = 0


_TIER_RANK = {"A": 0, "B": 1, "C": 2}


def rank_candidates(candidates: list[MatchCandidate]) -> list[MatchCandidate]:
    """Most likely first: a matching extension, then the customer spoken with most recently,
    then higher value tier, then the person over the company line, then a stable order by id
    so the same call always pops the same way."""
    return sorted(
        candidates,
        key=lambda c: (
            "extension matches" not in c.reasons,
            -(c.last_interaction if c.last_interaction is not None else float("-inf")),
            _TIER_RANK.get(c.tier or "", 9),
            c.contact_id is None,
            c.customer_id,
            c.contact_id or 0,
        ),
    )


def match_reasons(dialled: PhoneKey, stored_ext: str | None) -> list[str]:
    """Why a stored number is taken to be the dialled one."""
    reasons = ["national form" if dialled.national_form else "exact E.164"]
    if dialled.reading:
        reasons.append(dialled.reading)
    if dialled.ext and stored_ext:
        reasons.append("extension matches" if dialled.ext == stored_ext else "extension differs")
    elif dialled.ext or stored_ext:
        reasons.append("extension ignored")
    return reasons


def collapse_shared(candidates: list[MatchCandidate], threshold: int) -> list[MatchCandidate]:
    """One candidate per customer whose number ``threshold`` or more of its contacts share.

    A company switchboard (总机) rings for forty people; the agent is shown the company with
    the people who share the line, not forty candidates. A contact whose stored extension
    matches the dialled one is kept on its own: the extension says who it is.
    """
    by_customer: dict[int, list[MatchCandidate]] = {}
    for candidate in candidates:
        by_customer.setdefault(candidate.customer_id, []).append(candidate)
    out: list[MatchCandidate] = []
    for group in by_customer.values():
        people = [c for c in group if c.contact_id is not None]
        exact = [c for c in people if "extension matches" in c.reasons]
        if len(people) < threshold or len(exact) == 1:
            out.extend(exact if len(exact) == 1 and len(people) >= threshold else group)
            continue
        first = group[0]
        line = next((c for c in group if c.contact_id is None), None)
        reasons = list((line or first).reasons)
        reasons = [r for r in reasons if r not in ("extension differs", "extension ignored")]
        reasons.append(f"shared number ({len(people)} contacts)")
        out.append(
            MatchCandidate(
                customer_id=first.customer_id,
                contact_id=None,
                name=first.customer_name,
                customer_name=first.customer_name,
                kind=first.kind,
                number=(line or first).number,
                stored_ext=None,
                tier=first.tier,
                reasons=reasons,
                last_interaction=first.last_interaction,
                shared_with=sorted((c.contact_id, c.name) for c in people if c.contact_id),
                shared_by=len(people),
            )
        )
    return out
