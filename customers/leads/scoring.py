"""Lead scoring: rules from a config file, each rule's contribution kept, classes, re-scoring.

A rule matches a lead's attributes (``field`` equals / is one of) or its channel events
(``event`` seen, optionally ``within_days``), and adds its ``points`` (negative rules too).
Call outcomes re-score the lead: each outcome's points times the configured ``weight``.
Rules are data, never code: no expression is evaluated.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta


class ScoringConfigError(ValueError):
    """The scoring config is wrong; ``field`` names the setting (e.g. ``rules[2].points``)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True, slots=True)
class ScoringRule:
    id: str
    points: float
    description: str = ""
    field: str | None = None  # an attribute rule: the lead's attribute ...
    one_of: frozenset[str] = frozenset()  # ... is one of these values (case-insensitive)
    event: str | None = None  # an event rule: the lead has this event ...
    within_days: float | None = None  # ... in the last N days (None: ever)


@dataclass(frozen=True, slots=True)
class LeadClass:
    name: str
    min_score: float
    destination: str  # "sales" or "outbound"


@dataclass(frozen=True)
class ScoringConfig:
    rules: tuple[ScoringRule, ...]
    classes: tuple[LeadClass, ...]  # highest min_score first
    outcome_points: Mapping[str, float] = field(default_factory=dict)
    outcome_weight: float = 1.0
    recycle_after_days: float = 14.0


@dataclass(frozen=True, slots=True)
class LeadEvent:
    kind: str  # e.g. "mini_program_visit", "h5_open", "live_stream_watch"
    at: datetime


@dataclass(frozen=True, slots=True)
class LeadFacts:
    attributes: Mapping[str, str]
    events: Sequence[LeadEvent] = ()
    outcomes: Sequence[str] = ()  # dispositions of the lead's calls so far, oldest first


@dataclass(frozen=True, slots=True)
class Contribution:
    rule: str
    points: float
    reason: str


@dataclass(frozen=True, slots=True)
class LeadScore:
    score: float
    lead_class: str
    destination: str
    contributions: tuple[Contribution, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "score": self.score,
            "class": self.lead_class,
            "destination": self.destination,
            "contributions": [
                {"rule": c.rule, "points": c.points, "reason": c.reason} for c in self.contributions
            ],
        }


def score_lead(facts: LeadFacts, config: ScoringConfig, now: datetime) -> LeadScore:
    """The lead's score, class and destination with every contribution that made it."""
    contributions: list[Contribution] = []
    attributes = {k.lower(): str(v).strip().lower() for k, v in facts.attributes.items()}
    for rule in config.rules:
        if rule.field is not None:
            value = attributes.get(rule.field.lower())
            if value is not None and value in rule.one_of:
                contributions.append(Contribution(rule.id, rule.points, f"{rule.field} = {value}"))
        elif rule.event is not None:
            since = None if rule.within_days is None else now - timedelta(days=rule.within_days)
            hit = [
                e for e in facts.events if e.kind == rule.event and (since is None or e.at >= since)
            ]
            if hit:
                latest = max(e.at for e in hit)
                window = "" if rule.within_days is None else f" within {rule.within_days:g} days"
                contributions.append(
                    Contribution(
                        rule.id, rule.points, f"{rule.event}{window} (last {latest:%Y-%m-%d})"
                    )
                )
    for outcome in facts.outcomes:
        points = config.outcome_points.get(outcome)
        if points:
            weighted = points * config.outcome_weight
            contributions.append(
                Contribution(f"outcome:{outcome}", weighted, f"call outcome {outcome}")
            )
    total = round(sum(c.points for c in contributions), 6)
    lead_class = classify(total, config)
    return LeadScore(total, lead_class.name, lead_class.destination, tuple(contributions))


def classify(score: float, config: ScoringConfig) -> LeadClass:
    for lead_class in config.classes:
        if score >= lead_class.min_score:
            return lead_class
    return config.classes[-1]


def rescore(
    previous: LeadFacts, outcome: str, config: ScoringConfig, now: datetime
) -> tuple[LeadFacts, LeadScore]:
    """The facts with one more call outcome, and the new score."""
    facts = LeadFacts(previous.attributes, previous.events, (*previous.outcomes, outcome))
    return facts, score_lead(facts, config, now)


def is_due_for_recycle(last_touched: datetime, now: datetime, config: ScoringConfig) -> bool:
    """True when the lead has been untouched for ``recycle_after_days`` or more."""
    return now - last_touched >= timedelta(days=config.recycle_after_days)


# --- the config file ---------------------------------------------------------------------


def parse_scoring_config(text: str) -> ScoringConfig:
    """A config from TOML text; every mistake raises ScoringConfigError naming the setting."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScoringConfigError("file", f"not valid TOML: {exc}") from None
    return scoring_config_from_mapping(raw)


def scoring_config_from_mapping(raw: Mapping[str, object]) -> ScoringConfig:
    rules_raw = raw.get("rules", [])
    if not isinstance(rules_raw, list):
        raise ScoringConfigError("rules", "an array of tables ([[rules]])")
    rules: list[ScoringRule] = []
    seen: set[str] = set()
    for index, item in enumerate(rules_raw):
        where = f"rules[{index}]"
        if not isinstance(item, Mapping):
            raise ScoringConfigError(where, "a table")
        rule = _rule(where, item)
        if rule.id in seen:
            raise ScoringConfigError(f"{where}.id", f"duplicate rule id {rule.id!r}")
        seen.add(rule.id)
        rules.append(rule)
    classes = _classes(raw.get("classes"))
    outcomes = raw.get("outcomes", {})
    if not isinstance(outcomes, Mapping):
        raise ScoringConfigError("outcomes", "a table of outcome = points")
    weight = outcomes.get("weight", 1.0)
    points: dict[str, float] = {}
    for key, value in outcomes.items():
        if key == "weight":
            continue
        points[key] = _float(f"outcomes.{key}", value)
    recycle = raw.get("recycle", {})
    if not isinstance(recycle, Mapping):
        raise ScoringConfigError("recycle", "a table with after_days")
    after_days = _float("recycle.after_days", recycle.get("after_days", 14))
    if after_days <= 0:
        raise ScoringConfigError("recycle.after_days", "must be positive")
    weight_value = _float("outcomes.weight", weight)
    if weight_value < 0:
        raise ScoringConfigError("outcomes.weight", "must not be negative")
    return ScoringConfig(tuple(rules), classes, points, weight_value, after_days)


def _rule(where: str, item: Mapping[str, object]) -> ScoringRule:
    allowed = {"id", "points", "description", "field", "in", "equals", "event", "within_days"}
    for key in item:
        if key not in allowed:
            raise ScoringConfigError(f"{where}.{key}", "unknown key")
    rule_id = item.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise ScoringConfigError(f"{where}.id", "a non-empty string")
    points = _float(f"{where}.points", item.get("points"))
    description = str(item.get("description", ""))
    has_field, has_event = "field" in item, "event" in item
    if has_field == has_event:
        raise ScoringConfigError(where, "give exactly one of field or event")
    if has_field:
        values: list[object]
        if "in" in item:
            values = item["in"] if isinstance(item["in"], list) else [item["in"]]
        elif "equals" in item:
            values = [item["equals"]]
        else:
            raise ScoringConfigError(f"{where}.in", "an attribute rule needs in or equals")
        one_of = frozenset(str(v).strip().lower() for v in values)
        return ScoringRule(rule_id, points, description, field=str(item["field"]), one_of=one_of)
    within = item.get("within_days")
    within_days = None if within is None else _float(f"{where}.within_days", within)
    if within_days is not None and within_days <= 0:
        raise ScoringConfigError(f"{where}.within_days", "must be positive")
    return ScoringRule(
        rule_id, points, description, event=str(item["event"]), within_days=within_days
    )


def _classes(raw: object) -> tuple[LeadClass, ...]:
    if raw is None:
        return (
            LeadClass("A", 25, "sales"),
            LeadClass("B", 10, "outbound"),
            LeadClass("C", float("-inf"), "outbound"),
        )
    if not isinstance(raw, list) or not raw:
        raise ScoringConfigError("classes", "an array of tables ([[classes]])")
    out: list[LeadClass] = []
    for index, item in enumerate(raw):
        where = f"classes[{index}]"
        if not isinstance(item, Mapping):
            raise ScoringConfigError(where, "a table")
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise ScoringConfigError(f"{where}.name", "a non-empty string")
        destination = item.get("destination", "outbound")
        if destination not in ("sales", "outbound"):
            raise ScoringConfigError(f"{where}.destination", "sales or outbound")
        minimum = item.get("min_score")
        min_score = float("-inf") if minimum is None else _float(f"{where}.min_score", minimum)
        out.append(LeadClass(name, min_score, str(destination)))
    out.sort(key=lambda c: c.min_score, reverse=True)
    if out[-1].min_score != float("-inf"):
        raise ScoringConfigError(
            "classes", "the lowest class needs no min_score (it takes the rest)"
        )
    return tuple(out)


def _float(where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScoringConfigError(where, "a number")
    return float(value)
