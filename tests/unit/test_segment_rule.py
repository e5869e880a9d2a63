"""Segment rules are data: parsed into terms or refused with the path of the problem."""

from __future__ import annotations

import pytest

from customers.value.segment_rule import (
    MAX_TERMS,
    FieldTerm,
    Group,
    GroupTerm,
    RuleError,
    TagTerm,
    parse_rule,
)


def test_the_domain_example_parses() -> None:
    rule = parse_rule(
        {
            "all": [
                {"tag": "5G", "min_count": 3},
                {"field": "province", "op": "eq", "value": "广东省"},
                {"field": "abc_class", "value": "A"},
                {"any": [{"group": "VIP"}, {"field": "clv", "op": "gte", "value": 1000}]},
            ]
        }
    )
    assert rule == Group(
        "all",
        (
            TagTerm("5G", None, 3),
            FieldTerm("province", "eq", "广东省"),
            FieldTerm("abc_class", "eq", "A"),
            Group("any", (GroupTerm("VIP"), FieldTerm("clv", "gte", 1000))),
        ),
    )


def test_a_single_condition_is_wrapped_in_all() -> None:
    assert parse_rule({"group": "VIP"}) == Group("all", (GroupTerm("VIP"),))


@pytest.mark.parametrize(
    ("rule", "path", "words"),
    [
        ("__import__('os')", "rule", "must be an object"),
        ({"all": []}, "rule.all", "non-empty list"),
        ({"all": [{"field": "password", "value": "x"}]}, "rule.all.0.field", "unknown field"),
        ({"all": [{"field": "city", "op": "like", "value": "x"}]}, "rule.all.0.op", "unknown"),
        ({"field": "city", "op": "gte", "value": "x"}, "rule.value", "numeric fields"),
        ({"field": "orders", "op": "gte", "value": "3"}, "rule.value", "takes a number"),
        ({"field": "orders", "op": "gte", "value": True}, "rule.value", "takes a number"),
        ({"field": "city", "op": "in", "value": []}, "rule.value", "non-empty list"),
        ({"field": "do_not_call", "op": "gt", "value": True}, "rule.value", "true or false"),
        ({"field": "city"}, "rule.value", "missing"),
        ({"tag": "5G", "min_count": 0}, "rule.min_count", "≥ 1"),
        ({"tag": "5G", "sql": "1=1"}, "rule", "unknown key"),
        ({"group": ""}, "rule", "group condition"),
        ({"nothing": 1}, "rule", "expected"),
        (
            {"all": [{"all": [{"all": [{"all": [{"group": "x"}]}]}]}]},
            "rule.all.0.all.0.all.0.all.0",
            "deeper",
        ),
    ],
)
def test_bad_rules_name_the_place(rule: object, path: str, words: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(rule)
    assert caught.value.path == path
    assert words in str(caught.value)


def test_too_many_conditions() -> None:
    with pytest.raises(RuleError, match="more than"):
        parse_rule({"any": [{"group": str(n)} for n in range(MAX_TERMS + 1)]})
