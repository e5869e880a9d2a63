"""Lead scoring: rules from the config file, contributions kept, classes, outcomes, recycling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from customers.leads.config import load_scoring_config
from customers.leads.scoring import (
    LeadEvent,
    LeadFacts,
    ScoringConfigError,
    is_due_for_recycle,
    parse_scoring_config,
    rescore,
    score_lead,
)

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
CONFIG = load_scoring_config()


def test_the_domain_examples_add_up_and_each_contribution_is_kept():
    facts = LeadFacts(
        {"industry": "Software", "name": "王小明"},
        [
            LeadEvent("mini_program_visit", NOW - timedelta(days=2)),
            LeadEvent("h5_open", NOW - timedelta(days=30)),
            LeadEvent("live_stream_watch", NOW - timedelta(days=1)),
        ],
    )
    result = score_lead(facts, CONFIG, NOW)
    assert result.score == 30
    assert {c.rule: c.points for c in result.contributions} == {
        "industry_match": 5,
        "mini_program_7d": 10,
        "opened_h5": 5,
        "live_stream": 10,
    }
    assert (result.lead_class, result.destination) == ("A", "sales")


def test_old_visits_do_not_count_and_negative_rules_subtract():
    facts = LeadFacts(
        {"industry": "零售", "segment": "competitor"},
        [LeadEvent("mini_program_visit", NOW - timedelta(days=8)), LeadEvent("unsubscribe", NOW)],
    )
    result = score_lead(facts, CONFIG, NOW)
    assert [c.rule for c in result.contributions] == [
        "industry_match",
        "unsubscribed",
        "competitor",
    ]
    assert result.score == 5 - 15 - 30
    assert (result.lead_class, result.destination) == ("C", "outbound")


def test_a_call_outcome_rescores_with_the_configured_weight_enough_to_change_class():
    facts = LeadFacts({"industry": "education"}, [LeadEvent("live_stream_watch", NOW)])
    before = score_lead(facts, CONFIG, NOW)
    assert (before.score, before.lead_class) == (15, "B")
    facts, after = rescore(facts, "sale", CONFIG, NOW)
    assert (after.score, after.lead_class, after.destination) == (45, "A", "sales")
    assert after.contributions[-1].rule == "outcome:sale"
    heavy = parse_scoring_config(
        '[outcomes]\nweight = 2.0\nnot_interested = -10\n[[classes]]\nname = "X"\n'
    )
    _, weighted = rescore(LeadFacts({}), "not_interested", heavy, NOW)
    assert weighted.score == -20


def test_leads_untouched_for_n_days_are_recycled():
    assert not is_due_for_recycle(NOW - timedelta(days=13), NOW, CONFIG)
    assert is_due_for_recycle(NOW - timedelta(days=14), NOW, CONFIG)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("rules = 3", "rules"),
        ('[[rules]]\nid = "a"\npoints = "ten"\nevent = "x"', "rules[0].points"),
        ('[[rules]]\nid = "a"\npoints = 1', "rules[0]"),
        ('[[rules]]\nid = "a"\npoints = 1\nfield = "f"', "rules[0].in"),
        ('[[rules]]\nid = "a"\npoints = 1\nevent = "x"\ncode = "import os"', "rules[0].code"),
        (
            '[[rules]]\nid = "a"\npoints = 1\nevent = "x"\n'
            '[[rules]]\nid = "a"\npoints = 2\nevent = "y"',
            "rules[1].id",
        ),
        ('[[classes]]\nname = "A"\nmin_score = 5', "classes"),
        ("[recycle]\nafter_days = 0", "recycle.after_days"),
        ("[outcomes]\nweight = -1", "outcomes.weight"),
        ("not toml [", "file"),
    ],
)
def test_bad_configs_are_refused_naming_the_setting(text, field):
    with pytest.raises(ScoringConfigError) as e:
        parse_scoring_config(text)
    assert e.value.field == field
