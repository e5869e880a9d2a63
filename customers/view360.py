"""The whole customer on one screen: identity, value, tags and groups, open requests, the
timeline, products, opportunities, credit, consent, churn risk and what to offer next.

Every part is an indexed select on the customer id (or the cached rule list), so the view
stays fast with hundreds of interactions. Value scores come from the last
``segments refresh``; churn risk is computed now, from this customer's orders and complaints,
because silence grows every day.
"""

from __future__ import annotations

import weakref
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from customers import commerce_store as commerce
from customers import profile_store as profile
from customers import service
from customers import value_store as values
from customers.ports import OpenRequests, no_open_requests
from customers.refresh import CLV_FORMULA, ValueParameters, aware, complaint_of, is_complaint
from customers.value.churn import Complaint, churn_risk
from customers.value.rules import AssociationRule, recommend

TIMELINE = 20
# engine -> (refresh key, rules); weak, so a disposed database takes its rules with it
_rules_cache: weakref.WeakKeyDictionary[Any, tuple[Any, list[AssociationRule]]] = (
    weakref.WeakKeyDictionary()
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Decimal | None) -> str:
    return f"{Decimal(value or 0):.2f}"


def build(
    conn: Connection,
    customer_id: int,
    now: datetime,
    parameters: ValueParameters,
    *,
    open_requests: OpenRequests = no_open_requests,
    recommendations: int = 3,
) -> dict[str, Any]:
    view = service.view_360(conn, customer_id)  # raises NotFound
    prof = profile.profile_of(conn, customer_id)
    details = profile.contact_details_of(conn, [c["id"] for c in view["contacts"]])
    for contact in view["contacts"]:
        d = details.get(contact["id"])
        contact["department"] = d.department if d else None
        contact["role"] = d.role if d else None
    view["profile"].update(
        {
            "credit_code": prof.credit_code if prof else None,
            "country": prof.country if prof else None,
            "size": prof.size if prof else None,
            "company_type": prof.company_type if prof else None,
            "phone": prof.phone if prof else None,
            "website": prof.website if prof else None,
            "parent_id": prof.parent_id if prof else None,
            "source_channel": prof.source_channel if prof else None,
            "owner": prof.owner if prof else None,
        }
    )
    view["addresses"] = [
        {
            "kind": a.kind,
            "country": a.country,
            "province": a.province,
            "city": a.city,
            "district": a.district,
            "street": a.street,
            "postcode": a.postcode,
            "primary": a.is_primary,
        }
        for a in profile.addresses_of(conn, customer_id)
    ]
    view["channel_ids"] = [
        {"channel": c.channel, "value": c.value, "contact_id": c.contact_id}
        for c in profile.channel_ids_of(conn, customer_id)
    ]
    view["value"] = _value(conn, customer_id, view["value"].get("tier"), parameters)
    counted = [
        {
            "category": t.category,
            "name": t.name,
            "count": t.count,
            "weight": t.weight,
            "last_applied_at": _iso(t.last_applied_at),
        }
        for t in profile.tags_of(conn, customer_id)
    ]
    # labels kept on the customer record itself (from creation) that were never counted
    names = {t["name"] for t in counted}
    view["tags"] = counted + [
        {"category": None, "name": name, "count": 1, "weight": 1.0, "last_applied_at": None}
        for name in view["tags"]
        if name not in names
    ]
    view["groups"] = [g.name for g in profile.groups_of(conn, customer_id)]
    requests = open_requests(conn, customer_id)
    view["open_tickets"] = requests
    view["interactions"] = [
        {
            "id": i.id,
            "kind": i.kind,
            "at": _iso(i.at),
            "ref": i.ref,
            "channel": i.channel,
            "direction": i.direction,
            "summary": i.summary,
            "contact_id": i.contact_id,
        }
        for i in profile.timeline_of(conn, customer_id, TIMELINE)
    ]
    owned = commerce.products_owned(conn, customer_id)
    view["products_owned"] = [
        {
            "sku": p.sku,
            "name": p.name,
            "category": p.category,
            "quantity": int(p.quantity),
            "last_bought_at": _iso(aware(p.last_bought_at)),
        }
        for p in owned
    ]
    view["orders"] = [
        {
            "number": o.number,
            "ordered_at": _iso(o.ordered_at),
            "status": o.status,
            "total": _money(o.total),
            "channel": o.channel,
        }
        for o in commerce.recent_orders(conn, customer_id, 5)
    ]
    view["contracts"] = [
        {
            "number": c.number,
            "title": c.title,
            "product": c.sku,
            "starts_on": c.starts_on.isoformat(),
            "ends_on": c.ends_on.isoformat() if c.ends_on else None,
            "value": _money(c.value),
            "status": c.status,
        }
        for c in commerce.contracts_of(conn, customer_id)
    ]
    view["opportunities"] = [
        {
            "id": o.id,
            "title": o.title,
            "product": o.sku,
            "stage": o.stage,
            "amount": _money(o.amount),
            "probability": o.probability,
            "expected_close": o.expected_close.isoformat() if o.expected_close else None,
            "owner": o.owner,
        }
        for o in commerce.open_opportunities(conn, customer_id)
    ]
    limit = prof.credit_limit if prof else Decimal(0)
    balance = prof.credit_balance if prof else Decimal(0)
    view["credit"] = {
        "limit": _money(limit),
        "balance": _money(balance),
        "available": _money(Decimal(limit or 0) - Decimal(balance or 0)),
    }
    view["consent"] = [
        {"channel": c.channel, "granted": c.granted, "at": _iso(c.at), "source": c.source}
        for c in profile.consents_of(conn, customer_id)
    ]
    view["do_not_call"] = {
        "flag": bool(prof.do_not_call) if prof else False,
        "at": _iso(prof.do_not_call_at) if prof else None,
        "source": prof.do_not_call_source if prof else None,
    }
    view["churn"] = _churn(conn, customer_id, now, parameters, requests)
    view["next_products"] = _next_products(conn, [p.sku for p in owned], recommendations)
    return view


def _value(
    conn: Connection, customer_id: int, tier: str | None, p: ValueParameters
) -> dict[str, Any]:
    row = values.value_of(conn, customer_id)
    clv_parameters = {
        "margin_rate": p.clv.margin_rate,
        "discount_rate": p.clv.discount_rate,
        "horizon_periods": p.clv.horizon_periods,
        "period_days": p.clv.period.days,
    }
    if row is None:
        return {
            "tier": tier,
            "rfm": None,
            "abc_class": None,
            "clv": None,
            "computed_at": None,
            "note": "not scored yet: run `switchboard segments refresh`",
        }
    rfm = None
    if row.recency is not None:
        rfm = {
            "recency": row.recency,
            "frequency": row.frequency,
            "monetary": row.monetary,
            "code": f"{row.recency}{row.frequency}{row.monetary}",
            "segment": row.rfm_segment,
        }
    return {
        "tier": tier,
        "rfm": rfm,
        "abc_class": row.abc_class,
        "revenue_share": row.revenue_share,
        "orders": row.orders,
        "revenue": _money(row.revenue),
        "last_order_at": _iso(row.last_order_at),
        "clv": {"value": row.clv, "formula": CLV_FORMULA, "parameters": clv_parameters},
        "computed_at": _iso(row.computed_at),
    }


def _churn(
    conn: Connection,
    customer_id: int,
    now: datetime,
    p: ValueParameters,
    requests: list[dict[str, Any]],
) -> dict[str, Any]:
    dates = commerce.order_dates(conn, customer_id)
    complaints: list[Complaint] = [
        complaint_of(row.at, row.data)
        for row in profile.ticket_interactions_since(conn, customer_id, now - 2 * p.churn.window)
        if is_complaint(row.data)
    ]
    # Open complaints the tickets package reports count even when the timeline lags.
    for request in requests:
        if request.get("complaint") and request.get("sla_state") == "breached":
            opened = datetime.fromisoformat(request["created_at"])
            complaints.append(Complaint(opened, True, True))
    risk = churn_risk(dates, complaints, now, p.churn)
    return {
        "score": risk.score,
        "level": risk.level.value,
        "reasons": [
            {"code": r.code, "points": r.points, "text": r.text, "facts": r.facts}
            for r in risk.reasons
        ],
    }


def cached_rules(conn: Connection) -> list[AssociationRule]:
    """The mined rules, reloaded only when a refresh ran since they were read."""
    last = values.last_refresh(conn)
    key = (last.id, last.finished_at) if last is not None else None
    cached = _rules_cache.get(conn.engine)
    if cached is not None and key is not None and cached[0] == key:
        return cached[1]
    rules = [
        AssociationRule(
            tuple(r.antecedent),
            r.consequent,
            r.count,
            r.antecedent_count,
            r.support,
            r.confidence,
            r.lift,
        )
        for r in values.all_rules(conn)
    ]
    _rules_cache[conn.engine] = (key, rules)
    return rules


def _next_products(conn: Connection, owned: list[str], limit: int) -> list[dict[str, Any]]:
    if limit <= 0:
        return []
    picks = recommend(owned, cached_rules(conn), limit)
    names = commerce.product_names(conn, [p.product for p in picks])
    return [
        {
            "sku": pick.product,
            "name": names.get(pick.product, pick.product),
            "why": pick.why,
            "because_of": list(pick.rule.antecedent),
            "support": round(pick.rule.support, 4),
            "confidence": round(pick.rule.confidence, 4),
            "lift": round(pick.rule.lift, 3),
        }
        for pick in picks
    ]
