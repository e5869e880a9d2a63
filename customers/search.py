"""Search as the agent types: name, company, number, email, pinyin, initials, typos.

A query becomes a few prefix probes of ``customer_search_keys.key`` (an indexed range
``key >= q AND key < q'``, each bounded by :data:`PROBE_CAP` rows), so the cost does not grow
with the number of customers. When the exact prefixes find fewer than the rows asked for,
the query's one-letter deletions probe the ``typo`` keys (symmetric deletion: a missing,
extra, wrong or swapped letter). The bounded candidate set is then re-ranked with rapidfuzz.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import Connection, bindparam, func, select

from customers import store
from customers.phones import display
from customers.search_keys import (
    TYPO_MARK,
    TYPO_MIN,
    compact,
    fold,
    has_han,
    syllables,
    typo_variants,
)

PROBE_CAP = 200
TYPO_CAP = 50
TIE_CAP = 200  # hits with the same score as the last one shown, ordered by recency
LIMIT_MAX = 50
QUERY_MAX = 64

_PHONEISH = re.compile(r"^[\d\s\-+().（）/]+$")
_EMAILISH = re.compile(r"^[^\s@]*[@.][^\s]*$")
# An email's domain names everyone at a company: weaker than a name, unless an email was typed.
_KIND_WEIGHT = {"email": 0.9}
_KIND_RANK = {"name": 0, "company": 0, "pinyin": 1, "initials": 2, "phone": 1, "email": 1}

_keys = store.search_keys_t
_PREFIX = (
    select(_keys.c.customer_id, _keys.c.contact_id, _keys.c.kind, _keys.c.key, _keys.c.term)
    .where(_keys.c.key >= bindparam("low"), _keys.c.key < bindparam("high"))
    .limit(bindparam("cap"))
)

# The statements of the result rows, built once ("expanding" lists of ids).
_c, _p, _e, _k = store.customers_t, store.phones_t, store.emails_t, store.contacts_t
_FACTS = select(_c.c.id, _c.c.name, _c.c.kind, _c.c.tier, _c.c.last_interaction_at).where(
    _c.c.id.in_(bindparam("ids", expanding=True))
)
_CONTACT_NAMES = select(_k.c.id, _k.c.name).where(_k.c.id.in_(bindparam("ids", expanding=True)))
_PHONES = (
    select(_p.c.customer_id, _p.c.contact_id, _p.c.e164, _p.c.ext)
    .where(_p.c.customer_id.in_(bindparam("ids", expanding=True)))
    .order_by(_p.c.id)
)
_EMAILS = (
    select(_e.c.customer_id, _e.c.contact_id, _e.c.address)
    .where(_e.c.customer_id.in_(bindparam("ids", expanding=True)))
    .order_by(_e.c.id)
)


@dataclass
class Hit:
    """A customer or contact a probe found, with its best score so far."""

    customer_id: int
    contact_id: int | None
    score: float = 0.0
    matched: str = ""
    probes: set[str] = field(default_factory=set)


def plan(query: str) -> tuple[list[str], bool]:
    """The prefixes to probe for ``query`` and whether it is a number fragment."""
    folded = fold(query)[:QUERY_MAX]
    if _PHONEISH.match(folded) and sum(c.isdigit() for c in folded) >= 3:
        digits = re.sub(r"\D", "", folded)
        probes = [digits]
        if digits.startswith("00"):
            probes.append(digits[2:])  # 00 852 ... : the key holds 852...
        elif digits.startswith("0") and len(digits) > 4:
            probes.append(digits[1:])  # trunk 0 written before an area code
        return probes, True
    whole = compact(folded)
    if not whole:
        return [], False
    words = [compact(w) for w in folded.split()]
    probes = [whole] + [w for w in words if w and w != whole and len(w) >= 2]
    if _EMAILISH.match(folded):  # "li.na@", "huaqiang.com": emails keep their punctuation
        probes.insert(0, folded)
    return probes, False


def spoken(query: str) -> str:
    """The pinyin of the Chinese characters in ``query`` ("" when there are none)."""
    han = "".join(ch for ch in compact(query) if has_han(ch))
    return "".join(syllables(han)) if han else ""


def _upper(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _probe(conn: Connection, prefix: str, cap: int) -> Iterable[Any]:
    return conn.execute(_PREFIX, {"low": prefix, "high": _upper(prefix), "cap": cap})


def _score(probe: str, key: str) -> float:
    """How well an exact ``probe`` names ``key``: 100 for the whole key, less for a prefix."""
    if key == probe:
        return 100.0
    return 80.0 + 20.0 * len(probe) / max(len(key), 1)


def _typo_score(query: str, key: str) -> float:
    """How well a mistyped ``query`` names ``key``: its likeness to as much of the key, scaled
    below every exact prefix (at most 75 against their 80)."""
    return 0.75 * fuzz.ratio(query, key[: len(query) + 1])


def candidates(conn: Connection, query: str, limit: int) -> dict[tuple[int, int | None], Hit]:
    """The customers and contacts ``query`` may mean, scored; at most a few hundred."""
    probes, number = plan(query)
    hits: dict[tuple[int, int | None], Hit] = {}

    def take(row: Any, probe: str, score: float, matched: str) -> None:
        hit = hits.get((row.customer_id, row.contact_id))
        if hit is None:
            hit = hits[(row.customer_id, row.contact_id)] = Hit(row.customer_id, row.contact_id)
        hit.probes.add(probe)
        if score > hit.score:
            hit.score, hit.matched = score, matched

    for index, probe in enumerate(probes):
        if index and len(hits) >= limit:
            break  # the whole query found enough; its words alone would only add noise
        weight = 1.0 if index == 0 or number else 0.85
        emailish = "@" in probe or "." in probe
        for row in _probe(conn, probe, PROBE_CAP):
            if not number or row.kind == "phone":
                kind_weight = 1.0 if emailish else _KIND_WEIGHT.get(row.kind, 1.0)
                take(row, probe, _score(probe, row.key) * weight * kind_weight, row.kind)
    reading = spoken(query) if not number and len(hits) < limit else ""
    if reading and reading not in probes:
        # Few hits for the characters: the homophone an input method offered first (张为
        # for 张伟) is found by its pinyin.
        for row in _probe(conn, reading, PROBE_CAP):
            take(row, reading, _score(reading, row.key) * 0.85, row.kind)
    whole = next((p for p in probes if "@" not in p and "." not in p), "")
    if not number and len(hits) < limit and len(whole) >= TYPO_MIN and whole.isascii():
        # Few or no exact prefixes: the query's deletion neighbourhood meets the keys' one.
        variants = sorted(typo_variants(whole))
        for variant in [whole, *variants]:
            for row in _probe(conn, TYPO_MARK + variant, TYPO_CAP):
                take(row, whole, _typo_score(whole, row.term or ""), "typo")
        for variant in variants:  # an extra letter typed: its deletion is the key itself
            for row in _probe(conn, variant, TYPO_CAP):
                take(row, whole, _typo_score(whole, row.key), "typo")
    for hit in hits.values():  # every word of "wei zhang" found counts
        hit.score += 3.0 * (len(hit.probes) - 1)
    return hits


def search(conn: Connection, query: str, limit: int = 10) -> list[dict[str, Any]]:
    """The best ``limit`` customers and contacts for what the agent typed, best first.

    Each result names the customer, the contact when it is one, a number and an email to tell
    people apart, what matched (name, pinyin, initials, company, phone, email) and a score.
    """
    limit = max(1, min(limit, LIMIT_MAX))
    hits = candidates(conn, query, limit)
    if not hits:
        return []
    # Recency only breaks ties: read it for the hits that can still make the first ``limit``.
    by_score = sorted(hits.values(), key=lambda h: -round(h.score, 3))
    cut = round(by_score[min(limit, len(by_score)) - 1].score, 3)
    contenders = [h for h in by_score if round(h.score, 3) >= cut][:TIE_CAP]
    facts = _facts(conn, sorted({h.customer_id for h in contenders}))
    ranked = sorted(
        contenders,
        key=lambda h: (
            -round(h.score, 3),
            _KIND_RANK.get(h.matched, 3),
            -(facts[h.customer_id]["recent"]),
            h.customer_id,
            h.contact_id or 0,
        ),
    )[:limit]
    return _results(conn, ranked, facts)


def _facts(conn: Connection, customer_ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = conn.execute(_FACTS, {"ids": customer_ids})
    return {
        r.id: {
            "name": r.name,
            "kind": r.kind,
            "tier": r.tier,
            "recent": r.last_interaction_at.timestamp() if r.last_interaction_at else 0.0,
        }
        for r in rows
    }


def _results(
    conn: Connection, ranked: list[Hit], facts: dict[int, dict[str, Any]]
) -> list[dict[str, Any]]:
    ids = sorted({h.customer_id for h in ranked})
    contact_ids = sorted({h.contact_id for h in ranked if h.contact_id is not None})
    names = dict(conn.execute(_CONTACT_NAMES, {"ids": contact_ids or [-1]}).all())
    phones: dict[tuple[int, int | None], tuple[str, str | None]] = {}
    for row in conn.execute(_PHONES, {"ids": ids}):
        phones.setdefault((row.customer_id, row.contact_id), (row.e164, row.ext))
    emails: dict[tuple[int, int | None], str] = {}
    for row in conn.execute(_EMAILS, {"ids": ids}):
        emails.setdefault((row.customer_id, row.contact_id), row.address)
    out = []
    for hit in ranked:
        fact = facts[hit.customer_id]
        own = (hit.customer_id, hit.contact_id)
        company = (hit.customer_id, None)
        out.append(
            {
                "customer_id": hit.customer_id,
                "contact_id": hit.contact_id,
                "name": names.get(hit.contact_id, fact["name"]) if hit.contact_id else fact["name"],
                "customer_name": fact["name"],
                "kind": fact["kind"],
                "tier": fact["tier"],
                "number": _shown(phones.get(own) or phones.get(company)),
                "email": emails.get(own) or emails.get(company),
                "matched": hit.matched,
                "score": round(min(hit.score, 100.0), 1),
            }
        )
    return out


def _shown(number: tuple[str, str | None] | None) -> str | None:
    return display(*number) if number else None


def count_keys(conn: Connection) -> int:
    return int(conn.scalar(select(func.count()).select_from(_keys)) or 0)
