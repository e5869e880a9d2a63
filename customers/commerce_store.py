"""What customers buy: products, orders and their lines, contracts, opportunities."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    ForeignKey,
    Index,
    Numeric,
    String,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from switchboard.core.db import Base, BigId

Money = Numeric(14, 2)

OPEN_STAGES = ("prospecting", "qualification", "proposal", "negotiation")
CLOSED_STAGES = ("won", "lost")
STAGES = OPEN_STAGES + CLOSED_STAGES


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64))
    price: Mapped[Decimal] = mapped_column(Money)
    active: Mapped[bool] = mapped_column(default=True)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_customer_at", "customer_id", "ordered_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    ordered_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # paid, shipped, completed, refunded
    channel: Mapped[str | None] = mapped_column(String(16))
    total: Mapped[Decimal] = mapped_column(Money)


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)


class Contract(Base):
    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    value: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(16))  # active, expired, terminated


class Opportunity(Base):
    __tablename__ = "opportunities"
    __table_args__ = (Index("ix_opportunities_customer_stage", "customer_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    stage: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    probability: Mapped[int] = mapped_column(default=10)
    expected_close: Mapped[date | None]
    owner: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime]


products_t = Product.__table__
orders_t = Order.__table__
order_lines_t = OrderLine.__table__
contracts_t = Contract.__table__
opportunities_t = Opportunity.__table__

# Products owned: every product on a non-refunded order, with how many and when last bought.
_OWNED = (
    select(
        products_t.c.sku,
        products_t.c.name,
        products_t.c.category,
        func.sum(order_lines_t.c.quantity).label("quantity"),
        func.max(orders_t.c.ordered_at).label("last_bought_at"),
    )
    .select_from(orders_t)
    .join(order_lines_t, order_lines_t.c.order_id == orders_t.c.id)
    .join(products_t, products_t.c.id == order_lines_t.c.product_id)
    .where(orders_t.c.customer_id == bindparam("id"), orders_t.c.status != "refunded")
    .group_by(products_t.c.sku, products_t.c.name, products_t.c.category)
    .order_by(func.max(orders_t.c.ordered_at).desc(), products_t.c.sku)
)
_RECENT_ORDERS = (
    select(orders_t)
    .where(orders_t.c.customer_id == bindparam("id"))
    .order_by(orders_t.c.ordered_at.desc(), orders_t.c.id.desc())
    .limit(bindparam("limit"))
)
_ORDER_DATES = (
    select(orders_t.c.ordered_at)
    .where(orders_t.c.customer_id == bindparam("id"), orders_t.c.status != "refunded")
    .order_by(orders_t.c.ordered_at)
)
_CONTRACTS = (
    select(contracts_t, products_t.c.sku)
    .outerjoin(products_t, products_t.c.id == contracts_t.c.product_id)
    .where(contracts_t.c.customer_id == bindparam("id"))
    .order_by(contracts_t.c.starts_on.desc(), contracts_t.c.id.desc())
)
_OPEN_OPPORTUNITIES = (
    select(opportunities_t, products_t.c.sku)
    .outerjoin(products_t, products_t.c.id == opportunities_t.c.product_id)
    .where(
        opportunities_t.c.customer_id == bindparam("id"),
        opportunities_t.c.stage.in_(OPEN_STAGES),
    )
    .order_by(opportunities_t.c.expected_close, opportunities_t.c.id)
)


def products_owned(conn: Connection, customer_id: int) -> list[Any]:
    return list(conn.execute(_OWNED, {"id": customer_id}))


def recent_orders(conn: Connection, customer_id: int, limit: int = 10) -> list[Any]:
    return list(conn.execute(_RECENT_ORDERS, {"id": customer_id, "limit": limit}))


def order_dates(conn: Connection, customer_id: int) -> list[datetime]:
    return [r.ordered_at for r in conn.execute(_ORDER_DATES, {"id": customer_id})]


def contracts_of(conn: Connection, customer_id: int) -> list[Any]:
    return list(conn.execute(_CONTRACTS, {"id": customer_id}))


def open_opportunities(conn: Connection, customer_id: int) -> list[Any]:
    return list(conn.execute(_OPEN_OPPORTUNITIES, {"id": customer_id}))


def product_names(conn: Connection, skus: list[str]) -> dict[str, str]:
    if not skus:
        return {}
    rows = conn.execute(
        select(products_t.c.sku, products_t.c.name).where(products_t.c.sku.in_(skus))
    )
    return {r.sku: r.name for r in rows}
