"""Call records to queue visits, the way the board and the reports read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from routing import call_marks
from routing.floor_facts import visits_of, with_wrap_up
from routing.metrics.facts import AgentSpan
from routing.model import CallFact, CallRecord, apply

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def row(*facts: CallFact) -> Any:
    record = CallRecord("c1", "inbound", "+8613800000001", "4008001234")
    for fact in facts:
        record = apply(record, fact)
    return SimpleNamespace(
        call_id=record.call_id,
        queue=record.queue,
        agent_id=record.agent_id,
        from_number=record.from_number,
        ringing_at=record.ringing_at,
        answered_at=record.answered_at,
        ended_at=record.ended_at,
        abandoned=record.abandoned,
        updated_at=at(10_000),
        **call_marks.values(record),
    )


def test_a_transfer_between_queues_makes_two_visits() -> None:
    visits = visits_of(
        row(
            CallFact("ringing", at(0), queue="sales"),
            CallFact("answered", at(8), agent="a1"),
            CallFact("held", at(20)),
            CallFact("resumed", at(30)),
            CallFact("transferred", at(60), queue="support"),
            CallFact("answered", at(95), agent="a2"),
            CallFact("ended", at(200), cause="normal"),
        )
    )
    first, second = visits
    assert (first.queue, first.offered_at, first.answered_at, first.agent) == (
        "sales",
        at(0),
        at(8),
        "a1",
    )
    assert (first.ended_at, first.transferred) == (at(60), True)
    assert (first.talk_s, first.hold_s) == (42.0, 10.0)  # 52 s answered, 10 of them on hold
    assert (second.queue, second.offered_at, second.answered_at, second.agent) == (
        "support",
        at(60),
        at(95),
        "a2",
    )
    assert second.wait_s(at(1000)) == 35.0
    assert (second.talk_s, second.hold_s, second.transferred) == (105.0, 0.0, False)


def test_abandoned_lost_and_waiting_calls() -> None:
    (abandoned,) = visits_of(
        row(CallFact("ringing", at(0), queue="sales"), CallFact("abandoned", at(4)))
    )
    assert (abandoned.abandoned_at, abandoned.answered_at, abandoned.waiting) == (
        at(4),
        None,
        False,
    )
    (lost,) = visits_of(
        row(CallFact("ringing", at(0), queue="sales"), CallFact("ended", at(30), cause="x"))
    )
    assert (lost.abandoned_at, lost.waiting, lost.wait_s(at(500))) == (None, False, 30.0)
    (waiting,) = visits_of(row(CallFact("ringing", at(0), queue="sales")))
    assert waiting.waiting
    assert waiting.wait_s(at(75)) == 75.0
    assert visits_of(row(CallFact("ringing", at(0), agent="a1"))) == []  # never in a queue


def test_wrap_up_is_the_span_that_follows_the_call() -> None:
    (visit,) = visits_of(
        row(
            CallFact("ringing", at(0), queue="sales"),
            CallFact("answered", at(5), agent="a1"),
            CallFact("ended", at(65), cause="normal"),
        )
    )
    spans = [
        AgentSpan("a1", "on_call", at(5), at(65)),
        AgentSpan("a1", "wrap_up", at(65), at(95)),
        AgentSpan("a1", "available", at(95)),
        AgentSpan("a2", "wrap_up", at(65), at(300)),  # someone else's
    ]
    wrapped = with_wrap_up(visit, spans)
    assert (wrapped.talk_s, wrapped.wrap_s, wrapped.handle_s) == (60.0, 30.0, 90.0)
    late = [AgentSpan("a1", "wrap_up", at(400), at(430))]  # a later call's
    assert with_wrap_up(visit, late).wrap_s == 0.0
    assert with_wrap_up(visit, [AgentSpan("a1", "wrap_up", at(65))]).wrap_s == 0.0  # still open


def test_the_floor_refreshes_slowly_with_no_board_and_quickly_with_one() -> None:
    from datetime import UTC, datetime
    from typing import Any, cast
    from zoneinfo import ZoneInfo

    from routing.floor import IDLE_INTERVAL_S, MIN_INTERVAL_S, FloorService

    floor = FloorService(
        cast(Any, None), lambda: datetime(2026, 11, 23, 9, tzinfo=UTC), ZoneInfo("Asia/Shanghai")
    )
    floor.queue_configs = {"billing": {}, "tech": {}}
    assert floor.interval() == IDLE_INTERVAL_S  # only /metrics reads the figures
    floor.boards.add(cast(Any, object()))
    assert floor.interval() == max(MIN_INTERVAL_S, 1 / 2)  # one update per second per queue
