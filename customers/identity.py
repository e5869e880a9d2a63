"""Phone identity: who is calling from a number written in any shape.

One indexed read on the E.164 key answers nearly every call. Only when it finds nobody, a
second indexed read on the national number's digits (``customer_search_keys``) finds a number
stored with another country or area code: "+44 20 7946 0958" kept as "020 7946 0958" under
the mainland default, or a local "8888 6666" without its area code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select

from customers import store
from customers.model import (
    MatchCandidate,
    PhoneKey,
    collapse_shared,
    is_withheld,
    match_reasons,
    rank_candidates,
)
from customers.phones import NotAPhoneNumber, display, national_number, normalise
from switchboard.core.statements import HotStatement
from switchboard.core.wire import Candidate, ContactRef, LookupResult, LookupStatus

SHARED_NUMBER_CONTACTS = 5
NATIONAL_MATCH_MIN = 7  # fewer digits than this say too little to match across codes
SHOWN_SHARERS = 20

REASON_WITHHELD = "number withheld by the caller"
REASON_NOT_A_NUMBER = "not a phone number"
REASON_NO_MATCH = "no stored number matches"

_phones, _customers, _contacts = store.phones_t, store.customers_t, store.contacts_t
_keys = store.search_keys_t

# Stored numbers whose national number ends with the dialled one's digits, through the
# ``phone`` search keys (every tail of every stored national number is a key).
_NUMBERS_BY_NATIONAL = HotStatement(
    select(
        _phones.c.customer_id,
        _phones.c.contact_id,
        _phones.c.ext,
        _phones.c.e164,
        _customers.c.name.label("customer_name"),
        _customers.c.kind,
        _customers.c.tier,
        _customers.c.last_interaction_at,
        _contacts.c.name.label("contact_name"),
    )
    .select_from(_keys)
    .join(
        _phones,
        and_(
            _phones.c.customer_id == _keys.c.customer_id,
            _phones.c.e164.like(bindparam("tail")),
        ),
    )
    .join(_customers, _customers.c.id == _phones.c.customer_id)
    .outerjoin(_contacts, _contacts.c.id == _phones.c.contact_id)
    .where(_keys.c.key == bindparam("digits"), _keys.c.kind == "phone")
    .distinct()
    .limit(200)
)


def lookup(
    conn: Connection, raw: str, region: str, *, shared_threshold: int = SHARED_NUMBER_CONTACTS
) -> LookupResult:
    """Who is calling from ``raw``: known, several (ranked), unknown or withheld.

    ``region`` reads a number written without its country code. Every candidate says why it
    matched; unknown and withheld results say why in ``reason``.
    """
    if is_withheld(raw):
        return LookupResult(status=LookupStatus.WITHHELD, number=raw, reason=REASON_WITHHELD)
    try:
        key = normalise(raw, region)
    except NotAPhoneNumber:
        return LookupResult(status=LookupStatus.UNKNOWN, number=raw, reason=REASON_NOT_A_NUMBER)
    candidates = _candidates(store.numbers_by_e164(conn, key.e164), key, None)
    if not candidates:
        candidates = _national_candidates(conn, key)
    if not candidates:
        return LookupResult(
            status=LookupStatus.UNKNOWN, number=raw, e164=key.e164, reason=REASON_NO_MATCH
        )
    ranked = rank_candidates(collapse_shared(candidates, shared_threshold))
    status = LookupStatus.KNOWN if len(ranked) == 1 else LookupStatus.SEVERAL
    # A dialled extension that matches exactly one person settles a number several share.
    exact = [c for c in ranked if "extension matches" in c.reasons]
    if status == LookupStatus.SEVERAL and len(exact) == 1:
        status, ranked = LookupStatus.KNOWN, exact
    return LookupResult(
        status=status,
        number=raw,
        e164=key.e164,
        candidates=[_wire(c) for c in ranked],
    )


def _national_candidates(conn: Connection, key: PhoneKey) -> list[MatchCandidate]:
    digits = national_number(key.e164)
    if digits is None or len(digits) < NATIONAL_MATCH_MIN:
        return []
    rows = _NUMBERS_BY_NATIONAL.rows(conn, {"digits": digits, "tail": f"%{digits}"})
    country = key.e164[: len(key.e164) - len(digits)]
    found = []
    for row in rows:
        if row.e164 == key.e164:
            continue
        same_country = row.e164.startswith(country) and national_number(row.e164) != digits
        found.append((row, "area code missing" if same_country else "country code differs"))
    out: list[MatchCandidate] = []
    for row, why in found:
        out.extend(_candidates([row], key, why))
    return out


def _candidates(rows: Iterable[Any], key: PhoneKey, why: str | None) -> list[MatchCandidate]:
    """One candidate per (customer, contact); a row whose extension matches wins.

    Rows unpack in the column order of both number queries; a company switchboard brings
    dozens of rows, so the reasons are worked out once per stored extension.
    """
    found: dict[tuple[int, int | None], MatchCandidate] = {}
    reasons_by_ext: dict[str | None, list[str]] = {}
    for customer_id, contact_id, ext, e164, customer_name, kind, tier, last, contact in rows:
        reasons = reasons_by_ext.get(ext)
        if reasons is None:
            reasons = match_reasons(key, ext)
            if why is not None:
                reasons = ["national number matches", why, *reasons[1:]]
            reasons_by_ext[ext] = reasons
        previous = found.get((customer_id, contact_id))
        if previous is not None and "extension matches" not in reasons:
            continue
        found[(customer_id, contact_id)] = MatchCandidate(
            customer_id,
            contact_id,
            contact or customer_name,
            customer_name,
            kind,
            display(e164, ext),
            ext,
            tier,
            list(reasons),
            last.timestamp() if last is not None else None,
        )
    return list(found.values())


def _wire(c: MatchCandidate) -> Candidate:
    return Candidate(
        customer_id=c.customer_id,
        contact_id=c.contact_id,
        name=c.name,
        customer_name=c.customer_name,
        kind=c.kind,  # type: ignore[arg-type]
        number=c.number,
        reason=", ".join(c.reasons),
        shared_by=c.shared_by or None,
        contacts=[ContactRef(contact_id=i, name=n) for i, n in c.shared_with[:SHOWN_SHARERS]],
    )
