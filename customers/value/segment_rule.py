"""Segment rules as data: parsed and checked here, never evaluated as code.

A rule is JSON. A group is ``{"all": [...]}`` or ``{"any": [...]}`` (nested freely, at most
``MAX_DEPTH`` deep, at most ``MAX_TERMS`` conditions in all); a condition is one of

- ``{"field": "province", "op": "eq", "value": "广东省"}`` on a whitelisted field;
- ``{"tag": "5G", "category": "interest", "min_count": 3}`` (category optional, min_count 1);
- ``{"group": "VIP"}``.

Operators: ``eq ne in gte gt lte lt``. ``in`` takes a list; the ordering operators take a
number on a numeric field. Any other shape is refused with the path of the offending part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TEXT_FIELDS = frozenset(
    {
        "kind",
        "province",
        "city",
        "industry",
        "tier",
        "abc_class",
        "rfm_segment",
        "churn_level",
        "source_channel",
        "owner",
        "country",
    }
)
NUMBER_FIELDS = frozenset(
    {"recency", "frequency", "monetary", "clv", "churn_score", "orders", "revenue"}
)
FLAG_FIELDS = frozenset({"do_not_call"})
FIELDS = TEXT_FIELDS | NUMBER_FIELDS | FLAG_FIELDS
OPERATORS = frozenset({"eq", "ne", "in", "gte", "gt", "lte", "lt"})
ORDERING = frozenset({"gte", "gt", "lte", "lt"})
MAX_DEPTH = 4
MAX_TERMS = 50


class RuleError(ValueError):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


@dataclass(frozen=True)
class FieldTerm:
    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class TagTerm:
    tag: str
    category: str | None
    min_count: int


@dataclass(frozen=True)
class GroupTerm:
    group: str


@dataclass(frozen=True)
class Group:
    mode: str  # "all" or "any"
    terms: tuple[Term, ...]


Term = FieldTerm | TagTerm | GroupTerm | Group


def parse_rule(raw: Any) -> Group:
    """The checked rule; raises :class:`RuleError` naming the offending path."""
    counter = [0]
    term = _parse(raw, "rule", 1, counter)
    if not isinstance(term, Group):
        return Group("all", (term,))
    return term


def _parse(raw: Any, path: str, depth: int, counter: list[int]) -> Term:
    if not isinstance(raw, Mapping):
        raise RuleError(path, "must be an object")
    if depth > MAX_DEPTH:
        raise RuleError(path, f"nested deeper than {MAX_DEPTH}")
    keys = set(raw)
    if keys in ({"all"}, {"any"}):
        mode = "all" if "all" in raw else "any"
        items = raw[mode]
        if not isinstance(items, list) or not items:
            raise RuleError(f"{path}.{mode}", "must be a non-empty list")
        return Group(
            mode,
            tuple(
                _parse(item, f"{path}.{mode}.{i}", depth + 1, counter)
                for i, item in enumerate(items)
            ),
        )
    counter[0] += 1
    if counter[0] > MAX_TERMS:
        raise RuleError(path, f"more than {MAX_TERMS} conditions")
    if "field" in raw:
        return _field(raw, path)
    if "tag" in raw:
        extra = keys - {"tag", "category", "min_count"}
        if extra:
            raise RuleError(path, f"unknown key(s) {sorted(extra)}")
        tag, category = raw["tag"], raw.get("category")
        count = raw.get("min_count", 1)
        if not isinstance(tag, str) or not tag:
            raise RuleError(f"{path}.tag", "must be a non-empty string")
        if category is not None and not isinstance(category, str):
            raise RuleError(f"{path}.category", "must be a string")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise RuleError(f"{path}.min_count", "must be a whole number ≥ 1")
        return TagTerm(tag, category, count)
    if "group" in raw:
        if keys != {"group"} or not isinstance(raw["group"], str) or not raw["group"]:
            raise RuleError(path, 'a group condition is {"group": "NAME"}')
        return GroupTerm(raw["group"])
    raise RuleError(path, 'expected "all", "any", "field", "tag" or "group"')


def _field(raw: Mapping[str, Any], path: str) -> FieldTerm:
    extra = set(raw) - {"field", "op", "value"}
    if extra:
        raise RuleError(path, f"unknown key(s) {sorted(extra)}")
    name, op = raw["field"], raw.get("op", "eq")
    if name not in FIELDS:
        raise RuleError(f"{path}.field", f"unknown field {name!r}; one of {sorted(FIELDS)}")
    if op not in OPERATORS:
        raise RuleError(f"{path}.op", f"unknown operator {op!r}; one of {sorted(OPERATORS)}")
    if "value" not in raw:
        raise RuleError(f"{path}.value", "missing")
    value = raw["value"]
    values = value if op == "in" else [value]
    if op == "in" and (not isinstance(value, list) or not value):
        raise RuleError(f"{path}.value", "'in' takes a non-empty list")
    for item in values:
        _check_value(name, op, item, f"{path}.value")
    return FieldTerm(name, op, tuple(value) if op == "in" else value)


def _check_value(name: str, op: str, value: Any, path: str) -> None:
    if name in NUMBER_FIELDS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RuleError(path, f"{name} takes a number")
    elif name in FLAG_FIELDS:
        if not isinstance(value, bool) or op in ORDERING:
            raise RuleError(path, f"{name} takes true or false with eq/ne")
    else:
        if not isinstance(value, str):
            raise RuleError(path, f"{name} takes a string")
        if op in ORDERING:
            raise RuleError(path, f"{op} is for numeric fields")
