"""Segment rules compiled to SQL select exactly the customers a plain Python reading of the
same rule selects: random customers, random rules, both backends."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert

from customers import records, segments, service
from customers.schemas import CustomerIn
from customers.value.segment_rule import FieldTerm, Group, GroupTerm, TagTerm, Term, parse_rule
from customers.value_store import values_t
from switchboard.core.db import Database
from switchboard.core.settings import Settings
from switchboard.migrate import upgrade

NOW = datetime(2026, 11, 20, tzinfo=UTC)
CITIES = ("深圳市", "广州市", "上海市", None)
TAGS = ("5G", "宽带", "漫游")
GROUPS = ("VIP", "家庭")


def _population(rng: random.Random) -> list[dict[str, Any]]:
    people = []
    for n in range(60):
        scored = rng.random() < 0.8
        people.append(
            {
                "name": f"客户{n}",
                "city": rng.choice(CITIES),
                "kind": rng.choice(("individual", "enterprise")),
                "tags": {t: rng.randint(1, 4) for t in TAGS if rng.random() < 0.4},
                "groups": [g for g in GROUPS if rng.random() < 0.3],
                "abc_class": rng.choice("ABC") if scored else None,
                "orders": rng.randint(0, 6) if scored else None,
                "clv": round(rng.uniform(0, 2000), 2) if scored else None,
                "do_not_call": rng.random() < 0.2,
            }
        )
    return people


def _load(conn: Connection, people: list[dict[str, Any]]) -> None:
    for person in people:
        data = CustomerIn(kind=person["kind"], name=person["name"], city=person["city"])
        cid = service.create_customer(conn, data, service.prepare(data, "CN"), NOW)
        person["id"] = cid
        for tag, count in person["tags"].items():
            for _ in range(count):
                records.apply_tag(conn, cid, "interest", tag, NOW)
        for group in person["groups"]:
            records.add_to_group(conn, cid, group)
        records.set_profile(conn, cid, NOW, do_not_call=person["do_not_call"])
        if person["abc_class"] is not None:
            conn.execute(
                insert(values_t).values(
                    customer_id=cid,
                    orders=person["orders"],
                    revenue=Decimal(0),
                    abc_class=person["abc_class"],
                    clv=person["clv"],
                    churn_reasons=[],
                    computed_at=NOW,
                )
            )


def _condition(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    roll = rng.random()
    if depth < 2 and roll < 0.25:
        mode = rng.choice(("all", "any"))
        return {mode: [_condition(rng, depth + 1) for _ in range(rng.randint(1, 3))]}
    if roll < 0.45:
        return {"tag": rng.choice(TAGS), "min_count": rng.randint(1, 4)}
    if roll < 0.55:
        return {"group": rng.choice(GROUPS)}
    choice = rng.randrange(5)
    if choice == 0:
        return {"field": "city", "op": rng.choice(("eq", "ne")), "value": rng.choice(CITIES[:3])}
    if choice == 1:
        return {"field": "abc_class", "op": "in", "value": rng.sample("ABC", rng.randint(1, 2))}
    if choice == 2:
        op = rng.choice(("gte", "gt", "lte", "lt", "eq"))
        return {"field": "orders", "op": op, "value": rng.randint(0, 6)}
    if choice == 3:
        return {"field": "clv", "op": rng.choice(("gte", "lt")), "value": rng.uniform(0, 2000)}
    return {"field": "do_not_call", "op": rng.choice(("eq", "ne")), "value": rng.random() < 0.5}


def _python(term: Term, person: dict[str, Any]) -> bool:
    """The rule read the obvious way; a missing value never satisfies a comparison."""
    if isinstance(term, Group):
        results = [_python(t, person) for t in term.terms]
        return all(results) if term.mode == "all" else any(results)
    if isinstance(term, TagTerm):
        return person["tags"].get(term.tag, 0) >= term.min_count
    if isinstance(term, GroupTerm):
        return term.group in person["groups"]
    assert isinstance(term, FieldTerm)
    value = person[term.field]
    if term.op == "ne":
        return value is None or value != term.value
    if value is None:
        return False
    ops = {
        "eq": lambda a, b: a == b,
        "in": lambda a, b: a in b,
        "gte": lambda a, b: a >= b,
        "gt": lambda a, b: a > b,
        "lte": lambda a, b: a <= b,
        "lt": lambda a, b: a < b,
    }
    return bool(ops[term.op](value, term.value))


async def test_sql_and_python_agree_on_random_rules(settings: Settings) -> None:
    await upgrade(settings)
    rng = random.Random(20261120)
    people = _population(rng)
    database = Database(settings)
    try:
        await database.writer.run(lambda c: _load(c, people))
        rules = [
            parse_rule({"all": [_condition(rng) for _ in range(rng.randint(1, 3))]})
            for _ in range(60)
        ]

        def members(conn: Connection) -> list[set[int]]:
            return [set(segments.member_ids(conn, rule)) for rule in rules]

        found = await database.read(members)
    finally:
        await database.close()
    nonempty = 0
    for rule, got in zip(rules, found, strict=True):
        expected = {p["id"] for p in people if _python(rule, p)}
        assert got == expected, rule
        nonempty += bool(expected)
    assert nonempty > 20  # the rules were not all trivially empty
