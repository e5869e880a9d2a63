"""Stored results of ``switchboard segments refresh``: per-customer value, the mined rules,
saved segments and the high-water marks that make the next refresh incremental."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Connection, ForeignKey, Index, Numeric, String, bindparam, select
from sqlalchemy.orm import Mapped, mapped_column

from switchboard.core.db import Base

Money = Numeric(14, 2)


class CustomerValue(Base):
    """One customer's order aggregates (kept incrementally) and the scores computed from them."""

    __tablename__ = "customer_values"
    __table_args__ = (Index("ix_customer_values_abc", "abc_class"),)

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    orders: Mapped[int] = mapped_column(default=0)
    revenue: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    first_order_at: Mapped[datetime | None]
    last_order_at: Mapped[datetime | None]
    recency: Mapped[int | None]
    frequency: Mapped[int | None]
    monetary: Mapped[int | None]
    rfm_segment: Mapped[str | None] = mapped_column(String(16))
    abc_class: Mapped[str | None] = mapped_column(String(1))
    revenue_share: Mapped[float] = mapped_column(default=0.0)
    clv: Mapped[float] = mapped_column(default=0.0)
    churn_score: Mapped[int] = mapped_column(default=0)
    churn_level: Mapped[str] = mapped_column(String(8), default="low")
    churn_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime]


class AssociationRuleRow(Base):
    __tablename__ = "association_rules"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    antecedent: Mapped[list[str]] = mapped_column(JSON)
    consequent: Mapped[str] = mapped_column(String(64))
    count: Mapped[int]
    antecedent_count: Mapped[int]
    support: Mapped[float]
    confidence: Mapped[float]
    lift: Mapped[float]
    rank: Mapped[int] = mapped_column(index=True)
    mined_at: Mapped[datetime]


class Segment(Base):
    """A saved rule (客群) over customers: data, checked by :mod:`customers.segments`."""

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(String(300))
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    member_count: Mapped[int] = mapped_column(default=0)
    counted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ValueRefresh(Base):
    """Each refresh run: when, what it looked at, and the high-water marks it reached."""

    __tablename__ = "value_refreshes"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    full: Mapped[bool]
    last_order_id: Mapped[int] = mapped_column(default=0)
    last_interaction_id: Mapped[int] = mapped_column(default=0)
    customers_rescanned: Mapped[int] = mapped_column(default=0)
    customers_scored: Mapped[int] = mapped_column(default=0)
    rules: Mapped[int] = mapped_column(default=0)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


values_t = CustomerValue.__table__
rules_t = AssociationRuleRow.__table__
segments_t = Segment.__table__
refreshes_t = ValueRefresh.__table__

_VALUE = select(values_t).where(values_t.c.customer_id == bindparam("id"))
_RULES = select(rules_t).order_by(rules_t.c.rank).limit(1000)  # the strongest are enough


def value_of(conn: Connection, customer_id: int) -> Any | None:
    return conn.execute(_VALUE, {"id": customer_id}).first()


def all_rules(conn: Connection) -> list[Any]:
    return list(conn.execute(_RULES))


def last_refresh(conn: Connection) -> Any | None:
    return conn.execute(select(refreshes_t).order_by(refreshes_t.c.id.desc()).limit(1)).first()
