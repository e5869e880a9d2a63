"""The keys a customer is found by while the agent types, written with every customer write.

A key is lower-case NFKC text without spaces or punctuation, at most 64 characters, looked up
by prefix on one indexed column (``customer_search_keys.key``):

- ``name``: the name as written ("张伟", "johnsmith") and each of its words ("smith"); for a
  Chinese name also the given name alone ("伟");
- ``pinyin`` / ``initials``: a Chinese name read out ("zhangwei", "wei") and its initials ("zw");
- ``company``: an enterprise's name and short name, and every tail of a Chinese company name
  ("华强电子有限公司" in "深圳市华强电子有限公司"), so the middle word a caller says is found;
- ``phone``: the digits of each number from every position on, so any fragment typed
  ("5678", "1234", "13812") is a prefix of some key, plus the number with its country code and
  in its national form with the trunk 0 ("01088886666");
- ``email``: the address and its domain;
- ``typo``: the Latin keys with one letter deleted (within their first eight letters), so a
  query with a missing, extra, wrong or swapped letter shares a deletion variant with the key
  (symmetric deletion); stored behind a ``~`` so ordinary prefixes never reach them, with the
  key they came from in ``term``, for re-ranking.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import phonenumbers
from pypinyin import Style, lazy_pinyin
from sqlalchemy import Connection, delete, insert, select

from customers import store

KEY_MAX = 64
# Typo keys start with a mark no folded key starts with, so a plain prefix range never meets
# them and the typo probes meet nothing else.
TYPO_MARK = "~"
TYPO_MIN = 4  # keys shorter than this get no typo variants: too many near neighbours
TYPO_SPAN = 8  # letters of a key where a deleted letter makes a typo variant
PHONE_SUFFIX_MIN = 4
COMPANY_TAILS = 12

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W_]+")
_LATIN_KEY = re.compile(r"^[a-z]+$")

Key = tuple[str, str, str | None]  # (kind, key, term)


def fold(text: str) -> str:
    """Text as keys are written: NFKC (full-width letters and digits to ASCII), lower case."""
    return unicodedata.normalize("NFKC", text).lower().strip()


def compact(text: str) -> str:
    """Folded text without spaces and punctuation: "Zhang Wei" and "zhang-wei" meet."""
    return "".join(_WORD.findall(fold(text)))[:KEY_MAX]


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


@lru_cache(maxsize=65536)
def syllables(han: str) -> tuple[str, ...]:
    """The pinyin of the Chinese characters in ``han``, one syllable each, without tones."""
    return tuple(lazy_pinyin(han, style=Style.NORMAL, errors="ignore"))


def typo_variants(key: str) -> set[str]:
    """``key`` with one letter deleted, at each of its first :data:`TYPO_SPAN` letters."""
    if len(key) < TYPO_MIN or not _LATIN_KEY.match(key):
        return set()
    return {key[:i] + key[i + 1 :] for i in range(min(len(key), TYPO_SPAN))} - {key}


def name_keys(name: str, *, company: bool = False) -> set[tuple[str, str]]:
    """(kind, key) pairs of a person's or company's name."""
    kind = "company" if company else "name"
    whole = compact(name)
    if not whole:
        return set()
    keys = {(kind, whole)}
    words = [w for w in _WORD.findall(fold(name)) if w != whole]
    keys.update((kind, w[:KEY_MAX]) for w in words if len(w) >= 2 or has_han(w))
    han = "".join(_HAN.findall(whole))
    if han:
        spoken = syllables(han)
        if spoken:
            keys.add(("pinyin", "".join(spoken)[:KEY_MAX]))
            keys.add(("initials", "".join(s[0] for s in spoken)[:KEY_MAX]))
        if company:
            # Tails of a company name: "华强" is how a caller names 深圳市华强电子有限公司.
            for start in range(1, min(len(han) - 1, COMPANY_TAILS)):
                keys.add((kind, han[start:][:KEY_MAX]))
                keys.add(("pinyin", "".join(spoken[start:])[:KEY_MAX]))
        elif 2 <= len(han) <= 4 and len(spoken) == len(han):
            # The given name alone: agents type "伟" or "wei" for 张伟.
            keys.add((kind, han[1:]))
            keys.add(("pinyin", "".join(spoken[1:])))
    return {(k, v) for k, v in keys if v}


def phone_keys(e164: str) -> set[tuple[str, str]]:
    """Digit keys of a stored E.164 number: every tail of its national number and more."""
    try:
        parsed = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        digits = re.sub(r"\D", "", e164)
        return {("phone", digits)} if digits else set()
    national = phonenumbers.national_significant_number(parsed)
    keys = {("phone", f"{parsed.country_code}{national}")}
    written = re.sub(
        r"\D",
        "",
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
    )
    if written and written != national:
        keys.add(("phone", written))  # with the trunk 0: 010 8888 6666
    for start in range(len(national) - PHONE_SUFFIX_MIN + 1):
        keys.add(("phone", national[start:]))
    return keys


def email_keys(address: str) -> set[tuple[str, str]]:
    address = fold(address)
    keys = {("email", address[:KEY_MAX])}
    if "@" in address:
        keys.add(("email", address.split("@", 1)[1][:KEY_MAX]))
    return keys


def with_typos(pairs: Iterable[tuple[str, str]]) -> set[Key]:
    """The keys plus their one-deletion ``typo`` variants (names and pinyin only)."""
    out: set[Key] = set()
    for kind, key in pairs:
        out.add((kind, key, None))
        if kind in ("name", "company", "pinyin"):
            out.update(("typo", TYPO_MARK + variant, key) for variant in typo_variants(key))
    return out


def customer_keys(
    kind: str,
    name: str,
    short_name: str | None,
    contacts: Iterable[tuple[int, str]],
    phones: Iterable[tuple[int | None, str]],
    emails: Iterable[tuple[int | None, str]],
) -> Iterator[tuple[int | None, str, str, str | None]]:
    """(contact_id, kind, key, term) rows for one customer.

    An enterprise's names are keys of the company itself (contact ``None``); an individual's
    name is its own contact's, like its numbers.
    """
    rows: dict[int | None, set[tuple[str, str]]] = {}
    if kind == "enterprise":
        company = name_keys(name, company=True)
        if short_name:
            company |= name_keys(short_name, company=True)
        rows.setdefault(None, set()).update(company)
    for contact_id, contact_name in contacts:
        rows.setdefault(contact_id, set()).update(name_keys(contact_name))
    for owner, e164 in phones:
        rows.setdefault(owner, set()).update(phone_keys(e164))
    for owner, address in emails:
        rows.setdefault(owner, set()).update(email_keys(address))
    for contact_id, pairs in rows.items():
        for key_kind, key, term in sorted(with_typos(pairs), key=lambda k: (k[0], k[1])):
            yield contact_id, key_kind, key, term


def write_keys(conn: Connection, customer_id: int) -> int:
    """Replace the search keys of one customer from its stored rows; returns how many.

    Reads only the columns keys are made of, so a migration may call it on any later schema.
    """
    keys_t = store.search_keys_t
    conn.execute(delete(keys_t).where(keys_t.c.customer_id == customer_id))
    customers_t = store.customers_t
    row = conn.execute(
        select(customers_t.c.kind, customers_t.c.name, customers_t.c.short_name).where(
            customers_t.c.id == customer_id
        )
    ).first()
    if row is None:
        return 0
    contacts_t, phones_t, emails_t = store.contacts_t, store.phones_t, store.emails_t
    contacts = conn.execute(
        select(contacts_t.c.id, contacts_t.c.name).where(contacts_t.c.customer_id == customer_id)
    )
    phones = conn.execute(
        select(phones_t.c.contact_id, phones_t.c.e164).where(phones_t.c.customer_id == customer_id)
    )
    emails = conn.execute(
        select(emails_t.c.contact_id, emails_t.c.address).where(
            emails_t.c.customer_id == customer_id
        )
    )
    values = [
        {"customer_id": customer_id, "contact_id": c, "kind": k, "key": key, "term": term}
        for c, k, key, term in customer_keys(
            row.kind,
            row.name,
            row.short_name,
            [(c.id, c.name) for c in contacts],
            [(p.contact_id, p.e164) for p in phones],
            [(e.contact_id, e.address) for e in emails],
        )
    ]
    if values:
        conn.execute(insert(keys_t), values)
    return len(values)


def rebuild(conn: Connection, batch: int = 500) -> int:
    """Write the keys of every customer (after a migration or a bulk load); returns the count."""
    total = 0
    last = 0
    while True:
        ids: list[Any] = list(
            conn.scalars(
                select(store.customers_t.c.id)
                .where(store.customers_t.c.id > last)
                .order_by(store.customers_t.c.id)
                .limit(batch)
            )
        )
        if not ids:
            return total
        for customer_id in ids:
            total += write_keys(conn, int(customer_id))
        last = int(ids[-1])
