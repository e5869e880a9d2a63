"""``switchboard export customers FILE.csv``: every customer as one CSV row.

The headers are the import's field names, so an exported file imports again unchanged.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, select

from customers.phones import display
from customers.profile_store import customer_tags_t, profiles_t, tags_t
from customers.store import contacts_t, customers_t, emails_t, phones_t

HEADERS = (
    "external_id",
    "kind",
    "name",
    "company",
    "short_name",
    "phone",
    "office_phone",
    "email",
    "industry",
    "country",
    "province",
    "city",
    "tier",
    "tags",
    "credit_code",
    "website",
    "source_channel",
    "owner",
    "credit_limit",
    "do_not_call",
)


def write_csv(conn: Connection, out: IO[str]) -> int:
    phones: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for p in conn.execute(select(phones_t).order_by(phones_t.c.id)):
        column = "office_phone" if p.type in ("office", "switchboard") else "phone"
        phones[p.customer_id][column].append(display(p.e164, p.ext))
    emails: dict[int, list[str]] = defaultdict(list)
    for e in conn.execute(
        select(emails_t.c.customer_id, emails_t.c.address).order_by(emails_t.c.id)
    ):
        emails[e.customer_id].append(e.address)
    tags: dict[int, list[str]] = defaultdict(list)
    for t in conn.execute(
        select(customer_tags_t.c.customer_id, tags_t.c.name)
        .join(tags_t, tags_t.c.id == customer_tags_t.c.tag_id)
        .order_by(tags_t.c.name)
    ):
        tags[t.customer_id].append(t.name)
    first_contact: dict[int, str] = {}
    for c in conn.execute(
        select(contacts_t.c.customer_id, contacts_t.c.name).order_by(
            contacts_t.c.is_primary.desc(), contacts_t.c.id
        )
    ):
        first_contact.setdefault(c.customer_id, c.name)
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    count = 0
    query = (
        select(customers_t, profiles_t)
        .outerjoin(profiles_t, profiles_t.c.customer_id == customers_t.c.id)
        .order_by(customers_t.c.id)
    )
    for r in conn.execute(query):
        enterprise = r.kind == "enterprise"
        contact = first_contact.get(r.id, "") if enterprise else r.name
        row = {
            "external_id": r.external_id or "",
            "kind": r.kind,
            "name": contact or "",
            "company": r.name if enterprise else "",
            "short_name": r.short_name or "",
            "phone": ";".join(phones[r.id]["phone"]),
            "office_phone": ";".join(phones[r.id]["office_phone"]),
            "email": ";".join(emails[r.id]),
            "industry": r.industry or "",
            "country": r.country or "",
            "province": r.province or "",
            "city": r.city or "",
            "tier": r.tier or "",
            "tags": ";".join(sorted(set(tags[r.id]) | set(r.tags or []))),
            "credit_code": r.credit_code or "",
            "website": r.website or "",
            "source_channel": r.source_channel or "",
            "owner": r.owner or "",
            "credit_limit": f"{r.credit_limit:.2f}" if r.credit_limit else "",
            "do_not_call": "yes" if r.do_not_call else "",
        }
        writer.writerow([row[h] for h in HEADERS])
        count += 1
    return count


def export_file(conn: Connection, path: Path) -> int:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        return write_csv(conn, out)
