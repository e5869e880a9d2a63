"""Queue configuration files and checks, and which agent states routing may write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from routing.queues import (
    AgentSkills,
    QueueConfig,
    QueueConfigError,
    check_queues,
    load_queues_toml,
    to_engine,
)
from routing.service import MISSED, OUTSIDE, db_target

GOOD = """\
# queues of the demo call center
[[queues]]
id = "billing"
name = "账单"
skills = { billing = 3 }
strategy = "most_skilled"
offer_timeout_s = 15
max_wait_s = 300
overflow_to = "general"
overflow_after_s = 180

[[queues.relaxation]]
after_s = 30
min_proficiency = 2

[[queues.relaxation]]
after_s = 60
drop_language = true

[[queues]]
id = "general"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "queues.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_gives_its_queues(tmp_path: Path) -> None:
    billing, general = load_queues_toml(write(tmp_path, GOOD))
    assert billing.id == "billing"
    assert billing.skills == {"billing": 3}
    assert [s.after_s for s in billing.relaxation] == [30, 60]
    queue = to_engine(billing)
    queue.validate()
    assert queue.relaxation[-1].overflow_to == "general"
    assert queue.relaxation[-1].after_s == 180
    assert queue.offer_timeout_s == 15
    assert general.strategy == "longest_idle"


@pytest.mark.parametrize(
    ("change", "line", "field", "words"),
    [
        (('strategy = "most_skilled"', 'strategy = "fastest"'), 6, "queues.0.strategy", "fastest"),
        (
            ("min_proficiency = 2", "min_proficiency = 9"),
            14,
            "queues.0.relaxation.0.min_proficiency",
            "less than or equal to 5",
        ),
        (("after_s = 60", "after_s = 20"), 17, "queues.0.relaxation.1.after_s", "in order"),
        (
            ("offer_timeout_s = 15", "offer_timout_s = 15"),
            7,
            "queues.0.offer_timout_s",
            "Extra inputs",
        ),
        (('id = "general"', 'id = "billing"'), 21, "queues.1.id", "defined twice"),
        (
            ('id = "general"', 'id = "general"\noverflow_to = "billing"\noverflow_after_s = 60'),
            9,
            "queues.0.overflow_to",
            "overflow cycle: billing -> general -> billing",
        ),
    ],
)
def test_a_bad_file_names_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], line: int, field: str, words: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(QueueConfigError) as caught:
        load_queues_toml(path)
    first = caught.value.problems[0]
    assert first[:2] == (line, field), caught.value.problems
    assert words in first[2]
    assert str(caught.value).startswith(f"{path}:{line}: {field}: ")


def test_syntax_errors_and_unknown_keys(tmp_path: Path) -> None:
    with pytest.raises(QueueConfigError, match=r"queues.toml:3: not valid TOML"):
        load_queues_toml(write(tmp_path, '[[queues]]\nid = "a"\nskills = {\n'))
    with pytest.raises(QueueConfigError, match=r"queues.toml:1: queue: unknown key"):
        load_queues_toml(write(tmp_path, '[[queue]]\nid = "a"\n'))
    with pytest.raises(QueueConfigError, match="cannot read the file"):
        load_queues_toml(tmp_path / "missing.toml")


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    text = '[[queues]]\nid = "a"\nstrategy = "x"\n\n[[queues]]\nid = "b"\noffer_timeout_s = -1\n'
    with pytest.raises(QueueConfigError) as caught:
        load_queues_toml(write(tmp_path, text))
    assert [(p[0], p[1]) for p in caught.value.problems] == [
        (3, "queues.0.strategy"),
        (7, "queues.1.offer_timeout_s"),
    ]


def test_checks_against_the_agents() -> None:
    agents = [AgentSkills("a-1", {"billing": 3}, "back"), AgentSkills("a-2", {"sales": 5})]
    queues = [
        QueueConfig(id="ok", skills={"billing": 2}),
        QueueConfig(id="unknown", skills={"legal": 1}),
        QueueConfig(id="nobody", skills={"billing": 3, "sales": 1}),
        QueueConfig.model_validate(
            {
                "id": "relaxed",
                "skills": {"billing": 3, "sales": 1},
                "relaxation": [{"after_s": 5, "team": "back"}],
            }
        ),
    ]
    found = [(p.queue, p.field, p.warning) for p in check_queues(queues, agents=agents)]
    assert found == [("unknown", "skills.legal", False), ("nobody", "skills", True)]
    assert check_queues(queues, agents=None) == []


def test_overflow_checks_see_the_stored_queues() -> None:
    stored = {"general": QueueConfig(id="general", overflow_to="sales", overflow_after_s=60)}
    sales = QueueConfig(id="sales", overflow_to="general", overflow_after_s=60)
    (problem,) = check_queues([sales], existing=stored)
    assert problem.message == "overflow cycle: sales -> general -> sales"
    fine = QueueConfig(id="sales", overflow_to="general", overflow_after_s=60)
    assert check_queues([fine], existing={"general": QueueConfig(id="general")}) == []


@pytest.mark.parametrize(
    ("engine", "db", "written"),
    [
        (("reserved", None), "available", ("reserved", None)),
        (("reserved", None), "wrap_up", ("reserved", None)),  # the timed wrap-up ended
        (("reserved", None), "break", None),  # chosen meanwhile: never undone
        (("reserved", None), "on_call", None),
        (("available", None), "reserved", ("available", None)),
        (("available", None), "wrap_up", ("available", None)),
        (("available", None), "not_ready", None),
        (("not_ready", MISSED), "reserved", ("not_ready", MISSED)),
        (("not_ready", MISSED), "break", None),
        (("not_ready", OUTSIDE), "reserved", None),
        (("wrap_up", None), "available", ("wrap_up", None)),
        (("on_call", None), "reserved", None),
        (("break", "lunch"), "available", None),
    ],
)
def test_routing_writes_only_its_own_transitions(
    engine: tuple[str, str | None], db: str, written: tuple[str, str | None] | None
) -> None:
    assert db_target(engine[0], engine[1], db) == written


ESCALATING = """\
[[queues]]
id = "support"
category_skills = { billing = { refunds = 2 } }

[queues.escalation.warning]
add_priority = 10

[queues.escalation.breach]
to_queue = "tier2"
to_supervisor = true
"""


def test_escalation_steps_are_checked_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "queues.toml"
    path.write_text(ESCALATING, encoding="utf-8")
    with pytest.raises(QueueConfigError) as caught:
        load_queues_toml(path)
    assert [(p[0], p[1]) for p in caught.value.problems] == [
        (10, "queues.0.escalation.breach.to_supervisor")
    ]
    # A queue named elsewhere (stored already) is left to the check with the database...
    path.write_text(ESCALATING.replace("to_supervisor = true\n", ""), encoding="utf-8")
    (support,) = load_queues_toml(path)
    assert support.escalation["breach"].to_queue == "tier2"
    problems = check_queues([support], existing={})
    assert [(p.field, p.message) for p in problems] == [
        ("escalation.breach.to_queue", "no queue 'tier2'")
    ]
    # ...which knows the stored queues.
    tier2 = QueueConfig(id="tier2")
    assert check_queues([support], existing={"tier2": tier2}) == []


@pytest.mark.parametrize(
    ("escalation", "field"),
    [
        ({"breach": {}}, "escalation.breach"),
        ({"warning": {"to_queue": "support"}}, "escalation.warning.to_queue"),
    ],
)
def test_an_escalation_must_do_something_sensible(escalation: dict[str, Any], field: str) -> None:
    config = QueueConfig.model_validate({"id": "support", "escalation": escalation})
    assert [p.field for p in check_queues([config])] == [field]


def test_request_skills_are_checked_against_the_agents() -> None:
    config = QueueConfig.model_validate(
        {
            "id": "support",
            "category_skills": {"billing": {"refunds": 2}},
            "product_skills": {"宽带": {"network": 3}},
        }
    )
    agents = [AgentSkills("zhang", {"refunds": 3})]
    assert [(p.field, p.warning) for p in check_queues([config], agents=agents)] == [
        ("product_skills.宽带.network", False)
    ]
    with pytest.raises(ValueError, match="proficiency is 1 to 5"):
        QueueConfig.model_validate({"id": "s", "category_skills": {"billing": {"refunds": 9}}})


def test_the_leader_lock_is_one_per_schema() -> None:
    from routing.leader import lock_key

    assert lock_key("t_a") == lock_key("t_a")
    assert lock_key("t_a") != lock_key("t_b") != lock_key(None)
    assert -(2**63) <= lock_key(None) < 2**63
