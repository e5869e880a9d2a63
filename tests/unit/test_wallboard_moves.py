"""Moving an agent between skill-based queues from the wallboard."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from console.wallboard.moves import join, leave, serves

QUEUES = {
    "billing": {"billing": 2},
    "vip": {"billing": 3, "vip": 1},
    "tech": {"tech": 2},
    "all": {},
}


def test_joining_raises_the_skills_to_the_queues_needs_and_keeps_the_rest() -> None:
    move = join({"billing": 4, "tech": 1}, QUEUES["tech"])
    assert move.problem is None
    assert move.skills == {"billing": 4, "tech": 2}
    assert join({"tech": 5}, QUEUES["tech"]).skills == {"tech": 5}  # never lowered


def test_leaving_drops_only_what_that_queue_alone_needs() -> None:
    skills = {"billing": 3, "vip": 1, "tech": 2, "english": 4}
    move = leave(skills, "tech", QUEUES)
    assert move.problem is None
    assert move.skills == {"billing": 3, "vip": 1, "english": 4}
    # Leaving vip drops vip but keeps billing, which the billing queue needs as well.
    assert leave(skills, "vip", QUEUES).skills == {"billing": 3, "tech": 2, "english": 4}


def test_a_queue_whose_skills_other_queues_need_cannot_be_left_alone() -> None:
    move = leave({"billing": 3, "vip": 1}, "billing", QUEUES)
    assert move.problem == "its skills are needed by vip too"
    assert move.skills == {"billing": 3, "vip": 1}
    assert leave({"tech": 2}, "all", QUEUES).problem == "all needs no skill: every agent serves it"


skill_sets = st.dictionaries(st.sampled_from(["billing", "vip", "tech"]), st.integers(1, 5))


@given(skill_sets, st.sampled_from(sorted(QUEUES)))
def test_after_joining_the_agent_serves_the_queue_and_every_queue_served_before(
    skills: dict[str, int], queue: str
) -> None:
    after = join(skills, QUEUES[queue]).skills
    assert serves(after, QUEUES[queue])
    assert all(serves(after, n) for n in QUEUES.values() if serves(skills, n))


@given(skill_sets, st.sampled_from(sorted(QUEUES)))
def test_after_leaving_the_agent_serves_every_other_queue_served_before(
    skills: dict[str, int], queue: str
) -> None:
    if not serves(skills, QUEUES[queue]):
        return
    move = leave(skills, queue, QUEUES)
    others = [q for q, n in QUEUES.items() if q != queue and serves(skills, n)]
    assert all(serves(move.skills, QUEUES[q]) for q in others)
    if move.problem is None:
        assert not serves(move.skills, QUEUES[queue])
