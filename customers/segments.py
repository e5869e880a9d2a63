"""Segments (客群): saved rules turned into SQL over whitelisted columns, and their counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    exists,
    false,
    func,
    insert,
    or_,
    select,
    true,
    update,
)

from customers.profile_store import (
    customer_tags_t,
    group_members_t,
    groups_t,
    profiles_t,
    tags_t,
)
from customers.store import customers_t
from customers.value.segment_rule import FieldTerm, Group, GroupTerm, TagTerm, Term, parse_rule
from customers.value_store import segments_t, values_t
from switchboard.core.errors import BadRequest, Conflict

_COLUMNS: dict[str, Any] = {
    "kind": customers_t.c.kind,
    "province": customers_t.c.province,
    "city": customers_t.c.city,
    "industry": customers_t.c.industry,
    "tier": customers_t.c.tier,
    "abc_class": values_t.c.abc_class,
    "rfm_segment": values_t.c.rfm_segment,
    "churn_level": values_t.c.churn_level,
    "recency": values_t.c.recency,
    "frequency": values_t.c.frequency,
    "monetary": values_t.c.monetary,
    "clv": values_t.c.clv,
    "churn_score": values_t.c.churn_score,
    "orders": values_t.c.orders,
    "revenue": values_t.c.revenue,
    "source_channel": profiles_t.c.source_channel,
    "owner": profiles_t.c.owner,
    "country": profiles_t.c.country,
    "do_not_call": profiles_t.c.do_not_call,
}


def where_clause(term: Term) -> ColumnElement[bool]:
    if isinstance(term, Group):
        parts = [where_clause(t) for t in term.terms]
        return and_(true(), *parts) if term.mode == "all" else or_(false(), *parts)
    if isinstance(term, FieldTerm):
        column = _COLUMNS[term.field]
        ops = {
            "eq": lambda v: column == v,
            "ne": lambda v: or_(column != v, column.is_(None)),
            "gte": lambda v: column >= v,
            "gt": lambda v: column > v,
            "lte": lambda v: column <= v,
            "lt": lambda v: column < v,
        }
        if term.op == "in":
            return column.in_(list(term.value))  # type: ignore[no-any-return]
        return ops[term.op](term.value)  # type: ignore[no-any-return]
    if isinstance(term, TagTerm):
        tag_match = [tags_t.c.name == term.tag]
        if term.category is not None:
            tag_match.append(tags_t.c.category == term.category)
        return exists(
            select(1)
            .select_from(customer_tags_t.join(tags_t, tags_t.c.id == customer_tags_t.c.tag_id))
            .where(
                customer_tags_t.c.customer_id == customers_t.c.id,
                customer_tags_t.c.count >= term.min_count,
                *tag_match,
            )
        )
    assert isinstance(term, GroupTerm)
    return exists(
        select(1)
        .select_from(group_members_t.join(groups_t, groups_t.c.id == group_members_t.c.group_id))
        .where(group_members_t.c.customer_id == customers_t.c.id, groups_t.c.name == term.group)
    )


def member_id_query(rule: Group) -> Any:
    """SELECT of the ids of the customers the rule matches (order and limit are the caller's)."""
    return _members_query(rule)


def _members_query(rule: Group) -> Any:
    source = customers_t.outerjoin(values_t, values_t.c.customer_id == customers_t.c.id).outerjoin(
        profiles_t, profiles_t.c.customer_id == customers_t.c.id
    )
    return select(customers_t.c.id).select_from(source).where(where_clause(rule))


def count_members(conn: Connection, rule: Group) -> int:
    return int(conn.scalar(select(func.count()).select_from(_members_query(rule).subquery())) or 0)


def member_ids(conn: Connection, rule: Group, limit: int = 1000) -> list[int]:
    query = _members_query(rule).order_by(customers_t.c.id).limit(limit)
    return [int(r[0]) for r in conn.execute(query)]


def checked(rule: Any) -> Group:
    from customers.value.segment_rule import RuleError

    try:
        return parse_rule(rule)
    except RuleError as exc:
        raise BadRequest(str(exc), field=exc.path) from None


def create_segment(
    conn: Connection, name: str, rule: Any, now: datetime, description: str | None = None
) -> dict[str, Any]:
    parsed = checked(rule)
    if conn.scalar(select(segments_t.c.id).where(segments_t.c.name == name)) is not None:
        raise Conflict(f"a segment named {name!r} exists", field="name")
    count = count_members(conn, parsed)
    segment_id = conn.execute(
        insert(segments_t)
        .values(
            name=name,
            description=description,
            rule=rule,
            member_count=count,
            counted_at=now,
            created_at=now,
        )
        .returning(segments_t.c.id)
    ).scalar_one()
    return {"id": int(segment_id), "name": name, "member_count": count}


def recount_all(conn: Connection, now: datetime) -> dict[str, int]:
    """Count every saved segment again; a rule that no longer parses counts as 0."""
    counts: dict[str, int] = {}
    for row in list(conn.execute(select(segments_t.c.id, segments_t.c.name, segments_t.c.rule))):
        try:
            count = count_members(conn, parse_rule(row.rule))
        except ValueError:
            count = 0
        conn.execute(
            update(segments_t)
            .where(segments_t.c.id == row.id)
            .values(member_count=count, counted_at=now)
        )
        counts[row.name] = count
    return counts


def listing(conn: Connection) -> list[dict[str, Any]]:
    """Saved segments with a live member count (counted now, not at the last refresh)."""
    out = []
    for row in conn.execute(select(segments_t).order_by(segments_t.c.name)):
        try:
            live = count_members(conn, parse_rule(row.rule))
        except ValueError:
            live = 0
        out.append(
            {
                "id": row.id,
                "name": row.name,
                "description": row.description,
                "rule": row.rule,
                "member_count": live,
            }
        )
    return out
