"""Customer use cases: create, phone identity (who is calling), the 360 view."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from customers import identity, search_keys, store
from customers.model import CustomerKind, PhoneKey, is_withheld
from customers.phones import NotAPhoneNumber, display, normalise
from customers.schemas import CustomerIn, PhoneIn, QuickCreateIn
from switchboard.core.errors import BadRequest, Conflict, NotFound
from switchboard.core.statements import HotStatement
from switchboard.core.wire import CustomerSummary, LookupResult


def _keys(phones: list[PhoneIn], region: str, field: str) -> list[tuple[PhoneIn, PhoneKey]]:
    keyed = []
    for index, phone in enumerate(phones):
        try:
            keyed.append((phone, normalise(phone.number, region, phone.ext)))
        except NotAPhoneNumber as exc:
            raise BadRequest(str(exc), field=f"{field}.{index}.number") from None
    return keyed


def prepare(data: CustomerIn, region: str) -> dict[str, Any]:
    """Check every number before anything is written, so a bad one stores nothing."""
    return {
        "phones": _keys(data.phones, region, "phones"),
        "contacts": [
            _keys(contact.phones, region, f"contacts.{i}.phones")
            for i, contact in enumerate(data.contacts)
        ],
    }


def create_customer(
    conn: Connection, data: CustomerIn, prepared: dict[str, Any], now: datetime
) -> int:
    """Insert the customer with contacts, numbers and emails; the caller owns the transaction."""
    if data.external_id:
        existing = store.customer_id_by_external(conn, data.external_id)
        if existing is not None:
            raise Conflict(
                f"a customer with external_id {data.external_id!r} exists",
                field="external_id",
                id=existing,
            )
    result = conn.execute(
        insert(store.customers_t)
        .values(
            kind=data.kind,
            name=data.name,
            short_name=data.short_name,
            industry=data.industry,
            external_id=data.external_id,
            province=data.province,
            city=data.city,
            tier=data.tier,
            tags=data.tags,
            created_at=now,
            updated_at=now,
        )
        .returning(store.customers_t.c.id)
    )
    customer_id = int(result.scalar_one())
    own_contact: int | None = None
    if data.kind == CustomerKind.INDIVIDUAL:
        own_contact = _insert_contact(conn, customer_id, data.name, None, primary=True)
    insert_numbers(conn, customer_id, own_contact, prepared["phones"], data.emails)
    for index, contact in enumerate(data.contacts):
        contact_id = _insert_contact(
            conn, customer_id, contact.name, contact.title, primary=index == 0
        )
        insert_numbers(conn, customer_id, contact_id, prepared["contacts"][index], contact.emails)
    search_keys.write_keys(conn, customer_id)
    return customer_id


# on the ringing path (every pop of a known caller): compiled once, run on the driver
_NOTE_INTERACTION = HotStatement(
    update(store.customers_t)
    .where(store.customers_t.c.id == bindparam("customer_id"))
    .values(last_interaction_at=bindparam("now"))
)


def note_interaction(conn: Connection, customer_id: int, now: datetime) -> None:
    """Remember that the customer was spoken with at ``now``: it ranks shared numbers."""
    _NOTE_INTERACTION.rows(conn, {"customer_id": customer_id, "now": now})


def _insert_contact(
    conn: Connection, customer_id: int, name: str, title: str | None, *, primary: bool
) -> int:
    result = conn.execute(
        insert(store.contacts_t)
        .values(customer_id=customer_id, name=name, title=title, is_primary=primary)
        .returning(store.contacts_t.c.id)
    )
    return int(result.scalar_one())


def insert_numbers(
    conn: Connection,
    customer_id: int,
    contact_id: int | None,
    phones: list[tuple[PhoneIn, PhoneKey]],
    emails: list[str],
) -> None:
    if phones:
        conn.execute(
            insert(store.phones_t),
            [
                {
                    "customer_id": customer_id,
                    "contact_id": contact_id,
                    "raw": phone.number,
                    "e164": key.e164,
                    "ext": key.ext,
                    "type": phone.type.value,
                }
                for phone, key in phones
            ],
        )
    if emails:
        conn.execute(
            insert(store.emails_t),
            [
                {"customer_id": customer_id, "contact_id": contact_id, "address": e.lower()}
                for e in emails
            ],
        )


SHARED_NUMBER_CONTACTS = identity.SHARED_NUMBER_CONTACTS


def lookup(
    conn: Connection, raw: str, region: str, *, shared_threshold: int = SHARED_NUMBER_CONTACTS
) -> LookupResult:
    """Who is calling from ``raw``: see :func:`customers.identity.lookup`."""
    return identity.lookup(conn, raw, region, shared_threshold=shared_threshold)


def summary(
    conn: Connection, customer_id: int, contact_id: int | None = None
) -> CustomerSummary | None:
    """What travels with a screen pop: the customer and, when known, the contact who calls."""
    row, contact_name, reaches = store.summary_rows(conn, customer_id, contact_id)
    if row is None:
        return None
    mine = contact_name is not None

    def shown(item: Any) -> bool:
        return not mine or item.contact_id in (contact_id, None)

    return CustomerSummary(
        id=row.id,
        kind=row.kind,
        name=row.name,
        contact_name=contact_name if mine else row.name,
        phones=[display(r.value, r.ext) for r in reaches if not r.is_email and shown(r)][:10],
        emails=[r.value for r in reaches if r.is_email and shown(r)][:10],
        city=row.city,
        tier=row.tier,
        tags=list(row.tags or []),
    )


def view_360(conn: Connection, customer_id: int) -> dict[str, Any]:
    row = store.customer_row(conn, customer_id)
    if row is None:
        raise NotFound(f"no customer {customer_id}", field="id")
    contacts = store.contacts_of(conn, customer_id)
    phones = store.phones_of(conn, customer_id)
    emails = store.emails_of(conn, customer_id)

    def numbers(contact_id: int | None) -> list[dict[str, Any]]:
        return [
            {
                "number": display(p.e164, p.ext),
                "e164": p.e164,
                "ext": p.ext,
                "type": p.type,
                "as_entered": p.raw,
            }
            for p in phones
            if p.contact_id == contact_id
        ]

    return {
        "profile": {
            "id": row.id,
            "kind": row.kind,
            "name": row.name,
            "short_name": row.short_name,
            "industry": row.industry,
            "external_id": row.external_id,
            "province": row.province,
            "city": row.city,
            "created_at": row.created_at.isoformat(),
        },
        "value": {"tier": row.tier},
        "tags": list(row.tags or []),
        "phones": numbers(None),
        "emails": [e.address for e in emails if e.contact_id is None],
        "contacts": [
            {
                "id": c.id,
                "name": c.name,
                "title": c.title,
                "primary": c.is_primary,
                "phones": numbers(c.id),
                "emails": [e.address for e in emails if e.contact_id == c.id],
            }
            for c in contacts
        ],
    }


def quick_key(number: str, ext: str | None, region: str) -> PhoneKey:
    """The key of an unknown caller's number, checked before anything is written."""
    if is_withheld(number):
        raise BadRequest("a withheld number cannot make a customer", field="number")
    try:
        return normalise(number, region, ext)
    except NotAPhoneNumber as exc:
        raise BadRequest(str(exc), field="number") from None


def quick_create(
    conn: Connection,
    data: QuickCreateIn,
    key: PhoneKey,
    region: str,
    window_s: float,
    now: datetime,
) -> tuple[int, bool]:
    """Make the unknown caller a customer; returns (customer id, whether it was made now).

    Idempotent: the same ``request_id``, or the same number made a customer within the last
    ``window_s`` seconds (two agents, or one double click), returns that customer instead.
    """
    requests = store.quick_requests_t
    if data.request_id:
        seen = conn.scalar(
            select(requests.c.customer_id).where(requests.c.request_id == data.request_id)
        )
        if seen is not None:
            return int(seen), False
    phones, customers = store.phones_t, store.customers_t
    recent = conn.scalar(
        select(phones.c.customer_id)
        .join(customers, customers.c.id == phones.c.customer_id)
        .where(
            phones.c.e164 == key.e164, customers.c.created_at >= now - timedelta(seconds=window_s)
        )
        .order_by(customers.c.id)
        .limit(1)
    )
    created = recent is None
    if recent is None:
        customer = CustomerIn(
            kind="individual",
            name=data.name or display(key.e164, key.ext),
            phones=[PhoneIn(number=data.number, ext=key.ext)],
        )
        customer_id = create_customer(conn, customer, prepare(customer, region), now)
        note_interaction(conn, customer_id, now)  # the caller is on the line
    else:
        customer_id = int(recent)
    if data.request_id:
        conn.execute(
            insert(requests).values(
                request_id=data.request_id, customer_id=customer_id, created_at=now
            )
        )
    return customer_id, created
