"""Properties of SLA clocks on random calendars and random pause histories."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_business_time_properties import PROPS, calendars, instants, weekly_us
from tickets.model import BusinessCalendar, ClockEvent, SLAClock

US = timedelta(microseconds=1)


@st.composite
def clocks(draw: st.DrawFn) -> SLAClock:
    cal: BusinessCalendar = draw(calendars())
    start = draw(instants)
    target_us = draw(st.integers(1, max(1, weekly_us(cal) * 3)))
    gaps = draw(st.lists(st.integers(0, 3 * 86_400_000_000), max_size=6))
    events = []
    t = start
    for i, gap in enumerate(gaps):
        t += timedelta(microseconds=gap)
        events.append(ClockEvent.pause(t) if i % 2 == 0 else ClockEvent.resume(t))
    return SLAClock(timedelta(microseconds=target_us), cal, start, events)


def inside_a_pause(clock: SLAClock, at: datetime, now: datetime) -> bool:
    """Strictly after a pause and before its resume, as known at ``now``."""
    marks = [e.at for e in clock.events if e.at <= now]
    return any(
        p < at < (marks[i + 1] if i + 1 < len(marks) else datetime.max.replace(tzinfo=at.tzinfo))
        for i, p in enumerate(marks)
        if i % 2 == 0
    )


@settings(PROPS, max_examples=30)
@given(clocks(), instants)
def test_levels_are_reached_exactly_and_never_inside_a_pause(
    clock: SLAClock, now: datetime
) -> None:
    for state in clock.level_states(now):
        if state.at is None:
            assert clock.is_paused(now)
            assert clock.elapsed(now) < state.threshold
            continue
        assert state.reached == (state.at <= now)
        assert not inside_a_pause(clock, state.at, now)
        if state.reached:
            assert clock.elapsed(state.at) == state.threshold
            assert clock.elapsed(state.at - US) < state.threshold
        else:
            assert clock.elapsed(now) < state.threshold
            assert not clock.is_paused(now)


@settings(PROPS, max_examples=30)
@given(clocks(), instants, instants)
def test_elapsed_never_goes_back_and_stands_still_while_paused(
    clock: SLAClock, a: datetime, b: datetime
) -> None:
    a, b = sorted((a, b))
    ea, eb = clock.elapsed(a), clock.elapsed(b)
    assert ea <= eb
    assert eb - ea <= clock.calendar.between(a, b)
    if clock.is_paused(a) and not any(a < e.at <= b for e in clock.events):
        assert ea == eb
    timeline = clock.timeline(b)
    assert [r.at for r in timeline] == sorted(r.at for r in timeline)
