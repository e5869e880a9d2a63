"""Customers, contacts, their numbers and emails: tables and queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    ForeignKey,
    Index,
    String,
    bindparam,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from switchboard.core.db import Base
from switchboard.core.statements import HotStatement

# Search keys compare byte-wise, so that ``key >= 'zh' AND key < 'zi'`` is a prefix range on
# both backends (SQLite's default BINARY collation; PostgreSQL needs "C" for that).
SEARCH_KEY = String(64).with_variant(postgresql.VARCHAR(64, collation="C"), "postgresql")


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), index=True)
    short_name: Mapped[str | None] = mapped_column(String(100))
    industry: Mapped[str | None] = mapped_column(String(100))
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    province: Mapped[str | None] = mapped_column(String(60))
    city: Mapped[str | None] = mapped_column(String(60))
    tier: Mapped[str | None] = mapped_column(String(1))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The last call (or other contact) with this customer; ranks the candidates of a shared number.
    last_interaction_at: Mapped[datetime | None]


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(100))
    is_primary: Mapped[bool] = mapped_column(default=False)


class PhoneNumber(Base):
    """A number of a contact, or of the enterprise itself when ``contact_id`` is null."""

    __tablename__ = "phone_numbers"
    __table_args__ = (Index("ix_phone_numbers_e164", "e164"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    raw: Mapped[str] = mapped_column(String(80))
    e164: Mapped[str] = mapped_column(String(20))
    ext: Mapped[str | None] = mapped_column(String(10))
    type: Mapped[str] = mapped_column(String(16))


class Email(Base):
    __tablename__ = "emails"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(254), index=True)


customers_t = Customer.__table__
contacts_t = Contact.__table__
phones_t = PhoneNumber.__table__
emails_t = Email.__table__


# Hot-path statements are built once; SQLAlchemy then reuses their compiled form.
_NUMBERS_BY_E164 = HotStatement(
    select(
        phones_t.c.customer_id,
        phones_t.c.contact_id,
        phones_t.c.ext,
        phones_t.c.e164,
        customers_t.c.name.label("customer_name"),
        customers_t.c.kind,
        customers_t.c.tier,
        customers_t.c.last_interaction_at,
        contacts_t.c.name.label("contact_name"),
    )
    .join(customers_t, customers_t.c.id == phones_t.c.customer_id)
    .outerjoin(contacts_t, contacts_t.c.id == phones_t.c.contact_id)
    .where(phones_t.c.e164 == bindparam("e164"))
    .limit(200)
)
_CUSTOMER = HotStatement(select(customers_t).where(customers_t.c.id == bindparam("id")))
_CONTACTS = HotStatement(
    select(contacts_t).where(contacts_t.c.customer_id == bindparam("id")).order_by(contacts_t.c.id)
)
_PHONES = HotStatement(
    select(phones_t).where(phones_t.c.customer_id == bindparam("id")).order_by(phones_t.c.id)
)
_EMAILS = HotStatement(
    select(emails_t).where(emails_t.c.customer_id == bindparam("id")).order_by(emails_t.c.id)
)


# What a screen pop's summary needs, and nothing more: three statements instead of four.
_SUMMARY_CUSTOMER = HotStatement(
    select(
        customers_t.c.id,
        customers_t.c.kind,
        customers_t.c.name,
        customers_t.c.city,
        customers_t.c.tier,
        customers_t.c.tags,
    ).where(customers_t.c.id == bindparam("id"))
)
_CONTACT_NAME = HotStatement(
    select(contacts_t.c.name).where(
        contacts_t.c.id == bindparam("contact_id"), contacts_t.c.customer_id == bindparam("id")
    )
)
# Numbers then emails, each in id order: (is_email, contact_id, value, ext).
_REACHES = HotStatement(
    union_all(
        select(
            literal(0).label("is_email"),
            phones_t.c.id,
            phones_t.c.contact_id,
            phones_t.c.e164.label("value"),
            phones_t.c.ext,
        ).where(phones_t.c.customer_id == bindparam("id")),
        select(
            literal(1),
            emails_t.c.id,
            emails_t.c.contact_id,
            emails_t.c.address,
            null(),
        ).where(emails_t.c.customer_id == bindparam("id")),
    ).order_by("is_email", "id")
)


def summary_rows(
    conn: Connection, customer_id: int, contact_id: int | None
) -> tuple[Any | None, str | None, list[Any]]:
    """The customer's summary columns, the contact's name (None when not theirs) and their
    numbers and emails (``is_email``, ``contact_id``, ``value``, ``ext``)."""
    row = _SUMMARY_CUSTOMER.first(conn, {"id": customer_id})
    if row is None:
        return None, None, []
    contact = None
    if contact_id is not None:
        contact = _CONTACT_NAME.scalar(conn, {"contact_id": contact_id, "id": customer_id})
    return row, contact, _REACHES.rows(conn, {"id": customer_id})


def numbers_by_e164(conn: Connection, e164: str) -> list[Any]:
    """Every stored number with this E.164, joined to its customer and contact."""
    return _NUMBERS_BY_E164.rows(conn, {"e164": e164})


def customer_row(conn: Connection, customer_id: int) -> Any | None:
    return _CUSTOMER.first(conn, {"id": customer_id})


def customer_id_by_external(conn: Connection, external_id: str) -> int | None:
    value = conn.scalar(select(customers_t.c.id).where(customers_t.c.external_id == external_id))
    return int(value) if value is not None else None


def contacts_of(conn: Connection, customer_id: int) -> list[Any]:
    return _CONTACTS.rows(conn, {"id": customer_id})


def phones_of(conn: Connection, customer_id: int) -> list[Any]:
    return _PHONES.rows(conn, {"id": customer_id})


def emails_of(conn: Connection, customer_id: int) -> list[Any]:
    return _EMAILS.rows(conn, {"id": customer_id})


class BlockedNumber(Base):
    """A number whose inbound calls the phone system is told to reject (Zammad's block list)."""

    __tablename__ = "blocked_numbers"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    e164: Mapped[str] = mapped_column(String(20), unique=True)
    number: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


blocked_t = BlockedNumber.__table__


def blocked_row(conn: Connection, e164: str) -> Any | None:
    return (conn.execute(select(blocked_t).where(blocked_t.c.e164 == e164))).first()


class CustomerSearchKey(Base):
    """One normalised key a customer or contact is found by while the agent types.

    Names (as written, in pinyin and by initials), company names, phone-number digit suffixes
    and emails, written by :mod:`customers.search_keys` whenever a customer is written; ``term``
    holds the whole key a one-letter-deleted ``typo`` variant came from.
    """

    __tablename__ = "customer_search_keys"
    __table_args__ = (Index("ix_customer_search_keys_key", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(SEARCH_KEY)
    term: Mapped[str | None] = mapped_column(String(64))


class QuickCreateRequest(Base):
    """The request id of a quick-create, so a retried request returns the same customer."""

    __tablename__ = "customer_quick_requests"

    request_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]


search_keys_t = CustomerSearchKey.__table__
quick_requests_t = QuickCreateRequest.__table__
