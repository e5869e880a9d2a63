"""The customer's profile beyond identity: enterprise fields, contact details, addresses,
channel ids, consent, tags, groups and the interactions timeline.

The identity tables (customers, contacts, phone numbers, emails) live in :mod:`customers.store`;
everything here hangs off a customer id and is read by the 360 view with indexed selects.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    bindparam,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from switchboard.core.db import Base, BigId

Money = Numeric(14, 2)


class CustomerProfile(Base):
    """One row per customer (optional): enterprise fields, where it came from, credit, DNC."""

    __tablename__ = "customer_profiles"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    country: Mapped[str | None] = mapped_column(String(2))
    size: Mapped[str | None] = mapped_column(String(32))
    company_type: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(80))
    website: Mapped[str | None] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    source_channel: Mapped[str | None] = mapped_column(String(32))
    owner: Mapped[str | None] = mapped_column(String(64), index=True)
    credit_limit: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    credit_balance: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    do_not_call: Mapped[bool] = mapped_column(default=False)
    do_not_call_at: Mapped[datetime | None]
    do_not_call_source: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class ContactDetail(Base):
    """What a contact card carries beside the name: department, role, gender, birthday."""

    __tablename__ = "contact_details"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    department: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(64))  # decision maker, user, payer …
    gender: Mapped[str | None] = mapped_column(String(8))
    birthday: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(String(500))


class Address(Base):
    __tablename__ = "customer_addresses"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # office, home, billing, shipping
    country: Mapped[str | None] = mapped_column(String(2))
    province: Mapped[str | None] = mapped_column(String(60))
    city: Mapped[str | None] = mapped_column(String(60))
    district: Mapped[str | None] = mapped_column(String(60))
    street: Mapped[str | None] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(16))
    is_primary: Mapped[bool] = mapped_column(default=False)


class ChannelId(Base):
    """An id of the person on another channel: WeChat openid, mini-program user, …"""

    __tablename__ = "channel_ids"
    __table_args__ = (UniqueConstraint("channel", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(32))  # wechat_openid, miniprogram, unionid
    value: Mapped[str] = mapped_column(String(128))


class Consent(Base):
    """Whether the customer may be contacted on a channel, since when, and who said so."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("customer_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))  # phone, sms, email, wechat
    granted: Mapped[bool]
    at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(64))  # web form, call recording id, import …


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("category", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    category: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    weight: Mapped[float] = mapped_column(default=1.0)


class CustomerTag(Base):
    """A tag on a customer: how often it was applied and its weight for this customer."""

    __tablename__ = "customer_tags"
    __table_args__ = (Index("ix_customer_tags_tag", "tag_id", "count"),)

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    count: Mapped[int] = mapped_column(default=1)
    weight: Mapped[float] = mapped_column(default=1.0)
    last_applied_at: Mapped[datetime]


class CustomerGroup(Base):
    """A stable class of customers (VIP club, key accounts …); a customer may be in several."""

    __tablename__ = "customer_groups"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(String(300))


class GroupMember(Base):
    __tablename__ = "customer_group_members"
    __table_args__ = (Index("ix_customer_group_members_customer", "customer_id"),)

    group_id: Mapped[int] = mapped_column(
        ForeignKey("customer_groups.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )


class Interaction(Base):
    """One entry of the customer's timeline: a call, a ticket, an order, a campaign touch."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_customer_at", "customer_id", "at", "id"),
        # One entry per happening (a call, a request opened or resolved): written again, it
        # is updated in place, so repeated or reordered reports never double it.
        Index("ux_interactions_customer_key", "customer_id", "key", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))  # call, ticket, order, campaign
    ref: Mapped[str | None] = mapped_column(String(64))  # call id, ticket number, order number
    at: Mapped[datetime]
    channel: Mapped[str | None] = mapped_column(String(16))
    direction: Mapped[str | None] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(String(300), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    key: Mapped[str | None] = mapped_column(String(100))  # e.g. call:<source>:<call id>


profiles_t = CustomerProfile.__table__
contact_details_t = ContactDetail.__table__
addresses_t = Address.__table__
channel_ids_t = ChannelId.__table__
consents_t = Consent.__table__
tags_t = Tag.__table__
customer_tags_t = CustomerTag.__table__
groups_t = CustomerGroup.__table__
group_members_t = GroupMember.__table__
interactions_t = Interaction.__table__

INTERACTION_KINDS = ("call", "ticket", "order", "campaign")

_PROFILE = select(profiles_t).where(profiles_t.c.customer_id == bindparam("id"))
_CONTACT_DETAILS = select(contact_details_t).where(
    contact_details_t.c.contact_id.in_(bindparam("ids", expanding=True))
)
_ADDRESSES = (
    select(addresses_t)
    .where(addresses_t.c.customer_id == bindparam("id"))
    .order_by(addresses_t.c.is_primary.desc(), addresses_t.c.id)
)
_CHANNEL_IDS = (
    select(channel_ids_t)
    .where(channel_ids_t.c.customer_id == bindparam("id"))
    .order_by(channel_ids_t.c.id)
)
_CONSENTS = (
    select(consents_t)
    .where(consents_t.c.customer_id == bindparam("id"))
    .order_by(consents_t.c.channel)
)
_TAGS = (
    select(
        tags_t.c.category,
        tags_t.c.name,
        customer_tags_t.c.count,
        customer_tags_t.c.weight,
        customer_tags_t.c.last_applied_at,
    )
    .join(tags_t, tags_t.c.id == customer_tags_t.c.tag_id)
    .where(customer_tags_t.c.customer_id == bindparam("id"))
    .order_by(customer_tags_t.c.weight.desc(), tags_t.c.category, tags_t.c.name)
)
_GROUPS = (
    select(groups_t.c.id, groups_t.c.name)
    .join(group_members_t, group_members_t.c.group_id == groups_t.c.id)
    .where(group_members_t.c.customer_id == bindparam("id"))
    .order_by(groups_t.c.name)
)
_TIMELINE = (
    select(interactions_t)
    .where(interactions_t.c.customer_id == bindparam("id"))
    .order_by(interactions_t.c.at.desc(), interactions_t.c.id.desc())
    .limit(bindparam("limit"))
)
_COMPLAINTS = (
    select(interactions_t.c.at, interactions_t.c.data)
    .where(
        interactions_t.c.customer_id == bindparam("id"),
        interactions_t.c.kind == "ticket",
        interactions_t.c.at >= bindparam("since"),
    )
    .order_by(interactions_t.c.at.desc(), interactions_t.c.id.desc())
)


def profile_of(conn: Connection, customer_id: int) -> Any | None:
    return conn.execute(_PROFILE, {"id": customer_id}).first()


def contact_details_of(conn: Connection, contact_ids: list[int]) -> dict[int, Any]:
    if not contact_ids:
        return {}
    return {r.contact_id: r for r in conn.execute(_CONTACT_DETAILS, {"ids": contact_ids})}


def addresses_of(conn: Connection, customer_id: int) -> list[Any]:
    return list(conn.execute(_ADDRESSES, {"id": customer_id}))


def channel_ids_of(conn: Connection, customer_id: int) -> list[Any]:
    return list(conn.execute(_CHANNEL_IDS, {"id": customer_id}))


def consents_of(conn: Connection, customer_id: int) -> list[Any]:
    return list(conn.execute(_CONSENTS, {"id": customer_id}))


def tags_of(conn: Connection, customer_id: int) -> list[Any]:
    return list(conn.execute(_TAGS, {"id": customer_id}))


def groups_of(conn: Connection, customer_id: int) -> list[Any]:
    return list(conn.execute(_GROUPS, {"id": customer_id}))


def timeline_of(conn: Connection, customer_id: int, limit: int = 20) -> list[Any]:
    """The newest ``limit`` interactions, newest first (served by the (customer, at, id) index)."""
    return list(conn.execute(_TIMELINE, {"id": customer_id, "limit": limit}))


def ticket_interactions_since(conn: Connection, customer_id: int, since: datetime) -> list[Any]:
    return list(conn.execute(_COMPLAINTS, {"id": customer_id, "since": since}))
