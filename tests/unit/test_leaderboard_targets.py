"""Leaderboards and targets against a hand-computed hour of two teams."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from routing.metrics.agent import agent_figures
from routing.metrics.facts import AgentSpan, QueueVisit
from routing.metrics.leaderboard import Tally, agent_tally, leaderboard, rank
from routing.metrics.queue import repeat_index
from routing.metrics.targets import Target, TargetsError, attainment, parse_targets

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
END = T0 + timedelta(hours=1)
WINDOW = timedelta(hours=24)


def at(minutes: int, seconds: int = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, seconds=seconds)


VISITS = [
    # a1: answered in 10 s, 240 s handled; the caller calls back at 09:30 -> not resolved.
    QueueVisit("c1", "sales", at(1), at(1, 10), None, at(5, 10), "a1", "+861", talk_s=240),
    # a1: answered after 40 s (over 20 s), 300 s talk + 60 s wrap.
    QueueVisit("c2", "sales", at(10), at(10, 40), None, at(15, 40), "a1", "+862", 300, 0, 60),
    # a2: the call back of +861, answered in 5 s, still talking (no AHT yet).
    QueueVisit("c3", "sales", at(30), at(30, 5), None, None, "a2", "+861"),
    # a3 (another team): answered in 15 s, 120 s.
    QueueVisit("c4", "support", at(20), at(20, 15), None, at(22, 15), "a3", "+864", talk_s=120),
    # nobody's: abandoned.
    QueueVisit("c5", "sales", at(40), None, at(40, 30), caller="+865"),
]
SPANS = [
    AgentSpan("a1", "available", T0, at(1, 10)),
    AgentSpan("a1", "on_call", at(1, 10), at(20)),  # 1130 s busy
    AgentSpan("a1", "available", at(20), None),  # 2400 s idle to 10:00
    AgentSpan("a2", "break", T0, at(30)),  # not capacity
    AgentSpan("a2", "on_call", at(30), None),  # 1800 s busy
    AgentSpan("a3", "available", T0, None),  # 3600 s idle
]
TEAMS = {"a1": "east", "a2": "east", "a3": "south"}


def tallies() -> dict[str, Tally]:
    repeats = repeat_index(VISITS)
    out = {}
    for agent in TEAMS:
        figures = agent_figures(agent, SPANS, VISITS, T0, END, END)
        out[agent] = agent_tally(figures, VISITS, T0, END, repeats, lambda q: 20.0, WINDOW, END)
    return out


def test_team_figures_are_sums_not_averages_of_averages() -> None:
    east, south = leaderboard(TEAMS, tallies())
    assert (east.key, east.agents, east.answered) == ("east", 2, 3)
    assert east.aht_s == pytest.approx((240 + 360) / 2)  # c3 has not ended
    assert east.service_level == pytest.approx(2 / 3)  # c1 and c3 within 20 s of 3 answered
    assert east.fcr == pytest.approx(2 / 3)  # c1's caller called again
    assert east.occupancy == pytest.approx((1130 + 1800) / (1130 + 1800 + 70 + 2400))
    assert (south.answered, south.aht_s, south.service_level, south.fcr) == (1, 120, 1.0, 1.0)
    assert south.occupancy == 0.0


def test_ranking_puts_the_best_first_and_lower_aht_is_better() -> None:
    rows = leaderboard(TEAMS, tallies())
    assert [(r.rank, r.figures.key) for r in rank(rows, "answered")] == [(1, "east"), (2, "south")]
    assert [(r.rank, r.figures.key) for r in rank(rows, "aht_s")] == [(1, "south"), (2, "east")]
    by_agent = leaderboard({a: a for a in TEAMS}, tallies())
    ranked = rank(by_agent, "aht_s")  # a2 has no ended call: unranked, last
    assert [(r.rank, r.figures.key) for r in ranked] == [(1, "a3"), (2, "a1"), (0, "a2")]
    with pytest.raises(ValueError, match="unknown figure"):
        rank(rows, "conversions")


def test_attainment_of_at_least_and_at_most_targets() -> None:
    sl = Target("team", "east", "service_level", ">=", 0.8)
    assert attainment(sl, 0.6) == attainment(sl, 0.6)
    got = attainment(sl, 0.6)
    assert (got.attained, got.met) == (0.75, False)
    aht = attainment(Target("team", "east", "aht_s", "<=", 300), 250)
    assert (aht.attained, aht.met) == (1.2, True)
    answered = attainment(Target("team", "east", "answered", ">=", 120), 300, days=2)
    assert (answered.target, answered.attained, answered.met) == (240, 1.25, True)
    unknown = attainment(sl, None)
    assert (unknown.value, unknown.attained, unknown.met) == (None, None, None)


TARGETS = """\
# targets of the floor
[team."shanghai-1"]
service_level = ">= 80%"
aht_s = "<= 300 s"
answered = ">= 120"

[region."华东"]
fcr = "≥ 0.7"

[queue.sales]
abandon_rate = "<= 5%"
"""


def test_a_targets_file_is_read() -> None:
    targets = parse_targets(TARGETS, "targets.toml")
    team = targets.of("team", "shanghai-1")
    assert [(t.figure, t.op, t.value, t.line) for t in team] == [
        ("service_level", ">=", 0.8, 3),
        ("aht_s", "<=", 300.0, 4),
        ("answered", ">=", 120.0, 5),
    ]
    assert [(t.figure, t.value) for t in targets.of("region", "华东")] == [("fcr", 0.7)]
    assert targets.subjects("queue") == ["sales"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('aht_s = "<> 300"', "targets.toml:4: team.shanghai-1.aht_s: write the target as"),
        ('aht_s = "about 300"', "targets.toml:4: team.shanghai-1.aht_s: write the target as"),
        ('speed = ">= 3"', "targets.toml:4: team.shanghai-1.speed: unknown figure"),
        ('occupancy = ">= 80"', "targets.toml:4: team.shanghai-1.occupancy: write a share"),
        ('aht_s = "<= 300%"', "targets.toml:4: team.shanghai-1.aht_s: aht_s is not a share"),
        ("aht_s = [", "targets.toml: not valid TOML"),
    ],
)
def test_a_bad_target_names_the_file_and_line(change: str, message: str) -> None:
    text = TARGETS.replace('aht_s = "<= 300 s"', change)
    with pytest.raises(TargetsError) as raised:
        parse_targets(text, "targets.toml")
    assert str(raised.value).startswith(message)


def test_an_unknown_section_names_its_line() -> None:
    with pytest.raises(TargetsError, match=r"^t.toml:2: unknown section 'site'"):
        parse_targets('\n[site."x"]\nanswered = ">= 1"\n', "t.toml")


def test_a_sum_of_tallies_adds_every_count() -> None:
    a = Tally(1, 2, 1, 100.0, 1, 2, 1, 50.0, 150.0)
    b = Tally(1, 3, 3, 600.0, 2, 3, 3, 30.0, 10.0)
    assert a + b == Tally(2, 5, 4, 700.0, 3, 5, 4, 80.0, 160.0)
    assert a + Tally() == a
