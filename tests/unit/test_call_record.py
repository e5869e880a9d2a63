"""A call's record converges whatever order and however often its events arrive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from routing.model import CallFact, CallRecord, CallState, agent_state_after_call, apply

T0 = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


def fold(facts: list[CallFact]) -> CallRecord:
    record = CallRecord("c-1", "inbound", "+8613812345678", "4008001234")
    for fact in facts:
        record = apply(record, fact)
    return record


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


ANSWERED_CALL = [
    CallFact("ringing", at(0), agent="a-1"),
    CallFact("answered", at(5), agent="a-1"),
    CallFact("held", at(20)),
    CallFact("resumed", at(30)),
    CallFact("ended", at(60), cause="normal"),
]


def test_answered_call() -> None:
    record = fold(ANSWERED_CALL)
    assert record.state == CallState.ENDED
    assert (record.ringing_at, record.answered_at, record.ended_at) == (at(0), at(5), at(60))
    assert record.agent_id == "a-1"
    assert not record.on_hold


def test_states_on_the_way() -> None:
    assert fold(ANSWERED_CALL[:1]).state == CallState.RINGING
    assert fold(ANSWERED_CALL[:2]).state == CallState.ANSWERED
    assert fold(ANSWERED_CALL[:3]).state == CallState.HELD
    assert fold(ANSWERED_CALL[:4]).state == CallState.ANSWERED


def test_missed_and_abandoned() -> None:
    assert fold([CallFact("ringing", at(0)), CallFact("ended", at(9))]).state == CallState.MISSED
    abandoned = fold([CallFact("ringing", at(0)), CallFact("abandoned", at(9), cause="caller")])
    assert abandoned.state == CallState.ABANDONED
    assert abandoned.cause == "caller"


def test_late_ringing_after_end_does_not_reopen() -> None:
    record = fold([ANSWERED_CALL[1], ANSWERED_CALL[4], ANSWERED_CALL[0]])
    assert record.state == CallState.ENDED
    assert record.ringing_at == at(0)


@given(st.permutations(ANSWERED_CALL), st.lists(st.sampled_from(ANSWERED_CALL), max_size=5))
def test_any_order_and_repeats_converge(order: list[CallFact], repeats: list[CallFact]) -> None:
    assert fold([*order, *repeats]) == fold(ANSWERED_CALL)


TRANSFER = [
    CallFact("ringing", at(0), agent="a-1"),
    CallFact("answered", at(3), agent="a-1"),
    CallFact("transferred", at(40), agent="a-2"),
    CallFact("ended", at(90)),
]


@given(st.permutations(TRANSFER))
def test_transfer_lands_on_the_last_agent_in_any_order(order: list[CallFact]) -> None:
    record = fold(order)
    assert record.agent_id == "a-2"
    assert record.state == CallState.ENDED


def test_agent_follows_the_call() -> None:
    assert agent_state_after_call("available", CallState.RINGING) == "reserved"
    assert agent_state_after_call("break", CallState.RINGING) is None
    assert agent_state_after_call("reserved", CallState.ANSWERED) == "on_call"
    assert agent_state_after_call("on_call", CallState.ENDED) == "available"
    assert agent_state_after_call("break", CallState.ENDED) is None


TWO_ENDS = [
    CallFact("ringing", at(0), agent="a-1"),
    CallFact("answered", at(3), agent="a-1"),
    CallFact("ended", at(60), cause="normal"),
    CallFact("ended", at(61), cause="reconciled"),
    CallFact("abandoned", at(60), cause="caller_hangup"),
]


@given(st.permutations(TWO_ENDS))
def test_the_earliest_end_gives_the_cause_in_any_order(order: list[CallFact]) -> None:
    record = fold(order)
    assert record.ended_at == at(60)
    assert record.cause == "caller_hangup"  # the earlier of the two ends at 60 s, by name
    assert record == fold(TWO_ENDS)


@given(st.permutations(TWO_ENDS[:4]))
def test_an_earlier_normal_end_beats_a_later_reconcile(order: list[CallFact]) -> None:
    assert fold(order).cause == "normal"


SWAPPED_BYE = [
    CallFact(
        "ringing",
        at(0),
        agent="a-1",
        from_number="+8613812345678",
        to_number="4008001234",
        ivr={"lang": "zh"},
    ),
    CallFact("answered", at(3), agent="a-1"),
    CallFact("ended", at(60), cause="normal", from_number="1001", to_number="+8613812345678"),
]


@given(st.permutations(SWAPPED_BYE))
def test_the_ringing_event_names_caller_and_callee_in_any_order(order: list[CallFact]) -> None:
    record = apply(CallRecord("c-1", "inbound", "", ""), order[0])
    for fact in order[1:]:
        record = apply(record, fact)
    assert (record.from_number, record.to_number) == ("+8613812345678", "4008001234")
    assert record.ivr == {"lang": "zh"}


# --- legs per agent, durations, transfers -----------------------------------------------------

FULL_LIFE = [
    CallFact("ringing", at(0), queue="sales"),
    CallFact("ringing", at(10), agent="a-1"),  # a-1 does not answer: a missed leg
    CallFact("ringing", at(25), agent="a-2"),
    CallFact("answered", at(30), agent="a-2"),
    CallFact("held", at(40)),
    CallFact("resumed", at(55)),
    CallFact("held", at(70)),
    CallFact("resumed", at(75)),
    CallFact("transferred", at(90), agent="a-3"),
    CallFact("held", at(100)),  # never resumed: the hold ends with the call
    CallFact("ended", at(120), cause="normal"),
]


def test_legs_and_durations_of_a_full_call() -> None:
    record = fold(FULL_LIFE)
    legs = [(leg.agent_id, leg.outcome) for leg in record.legs]
    assert legs == [("a-1", "missed"), ("a-2", "transferred"), ("a-3", "answered")]
    assert record.legs[1].answered_at == at(30)
    assert record.legs[1].ended_at == at(90)
    assert record.legs[2].answered_at == at(90)
    assert record.legs[2].ended_at == at(120)
    assert record.ring_seconds == 30
    assert record.hold_seconds == 15 + 5 + 20
    assert record.talk_seconds == 90 - 40
    assert record.transfer == ("agent", "a-3")
    assert record.agent_id == "a-3"
    assert record.cause == "normal"


def test_live_call_has_no_durations_yet() -> None:
    record = fold(FULL_LIFE[:5])
    assert record.state == CallState.HELD
    assert (record.ring_seconds, record.hold_seconds, record.talk_seconds) == (30, None, None)
    assert record.legs[-1].outcome == "live"


def test_missed_and_abandoned_durations() -> None:
    missed = fold([CallFact("ringing", at(0), agent="a-1"), CallFact("ended", at(20))])
    assert missed.state == CallState.MISSED
    assert [leg.outcome for leg in missed.legs] == ["missed"]
    assert (missed.ring_seconds, missed.talk_seconds, missed.hold_seconds) == (20, 0, 0)
    abandoned = fold(
        [CallFact("ringing", at(0), queue="sales"), CallFact("abandoned", at(45), cause="caller")]
    )
    assert abandoned.state == CallState.ABANDONED
    assert abandoned.legs == ()
    assert abandoned.ring_seconds == 45


def test_transfer_to_a_queue_or_outside_frees_the_agent() -> None:
    base = [CallFact("ringing", at(0), agent="a-1"), CallFact("answered", at(2), agent="a-1")]
    queued = fold([*base, CallFact("transferred", at(30), queue="billing")])
    assert queued.agent_id is None
    assert queued.transfer == ("queue", "billing")
    assert [leg.outcome for leg in queued.legs] == ["transferred"]
    outside = fold([*base, CallFact("transferred", at(30), target="+8610888866")])
    assert outside.transfer == ("outside", "+8610888866")
    assert outside.agent_id is None
    assert outside.legs[0].ended_at == at(30)


def test_an_answer_naming_nobody_counts_for_the_ringing_leg() -> None:
    record = fold(
        [
            CallFact("ringing", at(0), agent="a-1"),
            CallFact("answered", at(4)),
            CallFact("ended", at(9)),
        ]
    )
    assert [(leg.agent_id, leg.outcome, leg.answered_at) for leg in record.legs] == [
        ("a-1", "answered", at(4))
    ]


def test_hold_and_resume_at_the_same_instant_is_not_on_hold() -> None:
    facts = [CallFact("answered", at(0)), CallFact("held", at(5)), CallFact("resumed", at(5))]
    assert not fold(facts).on_hold
    assert not fold(list(reversed(facts))).on_hold


TIED_AGENTS = [
    CallFact("ringing", at(0), agent="a-1"),
    CallFact("ringing", at(0), agent="a-2"),
    CallFact("answered", at(3), agent="a-2"),
    CallFact("transferred", at(3), agent="a-1"),
]


@given(st.permutations(TIED_AGENTS))
def test_agents_at_the_same_instant_converge(order: list[CallFact]) -> None:
    assert fold(order) == fold(TIED_AGENTS)


def fold_from(facts: list[CallFact]) -> CallRecord:
    first = facts[0]
    record = CallRecord("c-1", "inbound", first.from_number, first.to_number)
    for fact in facts:
        record = apply(record, fact)
    return record


# Every kind of fact a call can get, at times that collide on purpose.
_FACTS = st.builds(
    CallFact,
    type=st.sampled_from(
        ["ringing", "answered", "held", "resumed", "transferred", "ended", "abandoned"]
    ),
    at=st.integers(0, 6).map(at),
    agent=st.sampled_from([None, "a-1", "a-2"]),
    queue=st.sampled_from([None, "sales", "billing"]),
    cause=st.sampled_from([None, "normal", "busy"]),
    from_number=st.sampled_from(["", "+8613812345678", "13812345678", "1001"]),
    to_number=st.sampled_from(["", "4008001234", "1001"]),
    target=st.sampled_from(["", "+8610888866"]),
)


@given(st.lists(_FACTS, min_size=1, max_size=9), st.randoms(use_true_random=False))
def test_any_call_converges_with_its_legs_and_durations(facts: list[CallFact], rnd: object) -> None:
    shuffled = list(facts)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    repeated = [*shuffled, *shuffled[: len(shuffled) // 2]]
    # As the gateway does: a new call's record starts from its first event's numbers.
    one, two = fold_from(facts), fold_from(repeated)
    assert one == two
    assert one.legs == two.legs
    assert (one.ring_seconds, one.talk_seconds, one.hold_seconds) == (
        two.ring_seconds,
        two.talk_seconds,
        two.hold_seconds,
    )
    assert one.state == two.state


QUEUE_HOP = [
    CallFact("ringing", at(0), queue="sales", from_number="13812345678", to_number="4008001234"),
    CallFact("answered", at(5), agent="a-1"),
    CallFact("transferred", at(30), queue="billing"),
    CallFact("ended", at(90), from_number="1001", to_number="13812345678"),
]


@given(st.permutations(QUEUE_HOP))
def test_the_call_keeps_its_first_queue_and_caller_in_any_order(order: list[CallFact]) -> None:
    record = fold_from(order)
    assert record.queue == "sales"
    assert record.transfer == ("queue", "billing")
    assert (record.from_number, record.to_number) == ("13812345678", "4008001234")
