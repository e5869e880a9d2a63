"""SLA clocks: pauses, escalation levels at 75/100/150 %, timelines, to the microsecond."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from tickets.model import (
    DEFAULT_LEVELS,
    BusinessCalendar,
    ClockEvent,
    EscalationLevel,
    SLAClock,
    TimelineKind,
    events_from_status_changes,
)

H = timedelta(hours=1)
M = timedelta(minutes=1)
US = timedelta(microseconds=1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
ALWAYS = BusinessCalendar.always_open("UTC")
OFFICE = BusinessCalendar("Asia/Shanghai", {d: ["09:00-12:00", "13:30-18:00"] for d in range(5)})


def z(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI)


def level_times(clock: SLAClock, now: datetime) -> dict[str, datetime | None]:
    return {st.level.name: st.at for st in clock.level_states(now)}


START = z(2026, 1, 5, 8)  # a Monday, 08:00 UTC


def test_levels_without_pauses() -> None:
    clock = SLAClock(8 * H, ALWAYS, START)
    assert [lv.name for lv in clock.levels] == ["warning", "breach", "escalate"]
    assert level_times(clock, START) == {
        "warning": z(2026, 1, 5, 14),
        "breach": z(2026, 1, 5, 16),
        "escalate": z(2026, 1, 5, 20),
    }
    assert clock.due(START) == z(2026, 1, 5, 16)
    assert clock.elapsed(z(2026, 1, 5, 10)) == 2 * H
    assert clock.remaining(z(2026, 1, 5, 10)) == 6 * H
    assert clock.current_level(z(2026, 1, 5, 14) - US) is None
    assert clock.current_level(z(2026, 1, 5, 14)) == DEFAULT_LEVELS[0]
    assert clock.current_level(z(2026, 1, 5, 21)) == DEFAULT_LEVELS[2]
    assert clock.overrun(z(2026, 1, 5, 21)) == 5 * H
    assert clock.remaining(z(2026, 1, 5, 21)) == timedelta(0)
    assert clock.elapsed(START - H) == timedelta(0)  # before the start


def test_a_pause_shifts_every_later_level_by_its_length() -> None:
    clock = SLAClock(
        8 * H,
        ALWAYS,
        START,
        [ClockEvent.pause(z(2026, 1, 5, 12)), ClockEvent.resume(z(2026, 1, 5, 13))],
    )
    now = z(2026, 1, 5, 13)
    assert level_times(clock, now) == {
        "warning": z(2026, 1, 5, 15),
        "breach": z(2026, 1, 5, 17),
        "escalate": z(2026, 1, 5, 21),
    }
    assert clock.elapsed(z(2026, 1, 5, 12, 30)) == 4 * H
    assert clock.elapsed(z(2026, 1, 5, 14)) == 5 * H


def test_a_level_inside_a_pause_moves_out_by_the_pause_length() -> None:
    # Warning would be at 14:00; paused 13:00-15:00, it comes at 16:00.
    events = [ClockEvent.pause(z(2026, 1, 5, 13)), ClockEvent.resume(z(2026, 1, 5, 15))]
    clock = SLAClock(8 * H, ALWAYS, START, events)
    during = z(2026, 1, 5, 14, 30)
    assert clock.is_paused(during)
    # While paused: nothing reached, nothing projected, the elapsed time frozen.
    states = clock.level_states(during)
    assert [(st.at, st.reached) for st in states] == [(None, False)] * 3
    assert clock.due(during) is None
    assert clock.current_level(during) is None
    assert clock.elapsed(during) == clock.elapsed(z(2026, 1, 5, 13)) == 5 * H
    after = z(2026, 1, 5, 15)
    assert level_times(clock, after)["warning"] == z(2026, 1, 5, 16)
    assert clock.due(after) == z(2026, 1, 5, 18)


def test_pause_with_business_hours_excludes_only_business_time() -> None:
    # Opened Monday 10:00 Shanghai, 4 h target; waiting on the customer Monday 11:00 to
    # Tuesday 10:00 (the night is closed anyway). Runs 10-11 Monday, then from Tuesday 10:00.
    events = [ClockEvent.pause(sh(2026, 1, 5, 11)), ClockEvent.resume(sh(2026, 1, 6, 10))]
    clock = SLAClock(4 * H, OFFICE, sh(2026, 1, 5, 10), events)
    now = sh(2026, 1, 6, 11)
    assert clock.elapsed(now) == 2 * H
    # 3 h left after Tuesday 10:00: 10-12 then 13:30-14:30.
    assert clock.due(now) == sh(2026, 1, 6, 14, 30)
    assert level_times(clock, now)["warning"] == sh(2026, 1, 6, 12)  # 3 h elapsed
    # 150 % = 6 h: 1 h on Monday, 2 h Tuesday morning, the last 3 h from 13:30: 16:30.
    assert level_times(clock, now)["escalate"] == sh(2026, 1, 6, 16, 30)


def test_timeline() -> None:
    events = [
        ClockEvent.pause(z(2026, 1, 5, 12), "waiting_on_customer"),
        ClockEvent.resume(z(2026, 1, 5, 13), "open"),
        ClockEvent.pause(z(2026, 1, 5, 17), "waiting_on_customer"),
    ]
    clock = SLAClock(8 * H, ALWAYS, START, events)
    rows = clock.timeline(z(2026, 1, 5, 18))
    assert [(r.at, r.kind, r.name, r.elapsed, r.projected) for r in rows] == [
        (START, TimelineKind.START, "start", timedelta(0), False),
        (z(2026, 1, 5, 12), TimelineKind.PAUSE, "waiting_on_customer", 4 * H, False),
        (z(2026, 1, 5, 13), TimelineKind.RESUME, "open", 4 * H, False),
        (z(2026, 1, 5, 15), TimelineKind.LEVEL, "warning", 6 * H, False),
        (z(2026, 1, 5, 17), TimelineKind.LEVEL, "breach", 8 * H, False),  # before the pause
        (z(2026, 1, 5, 17), TimelineKind.PAUSE, "waiting_on_customer", 8 * H, False),
    ]
    # Earlier, while running: levels ahead are projected.
    rows = clock.timeline(z(2026, 1, 5, 14))
    assert [(r.kind, r.name, r.at, r.projected) for r in rows if r.kind is TimelineKind.LEVEL] == [
        (TimelineKind.LEVEL, "warning", z(2026, 1, 5, 15), True),
        (TimelineKind.LEVEL, "breach", z(2026, 1, 5, 17), True),
        (TimelineKind.LEVEL, "escalate", z(2026, 1, 5, 21), True),
    ]


def test_due_stays_known_once_reached_even_when_paused() -> None:
    events = [ClockEvent.pause(z(2026, 1, 5, 18))]
    clock = SLAClock(8 * H, ALWAYS, START, events)
    now = z(2026, 1, 6)
    assert clock.is_paused(now)
    assert clock.due(now) == z(2026, 1, 5, 16)
    assert level_times(clock, now) == {
        "warning": z(2026, 1, 5, 14),
        "breach": z(2026, 1, 5, 16),
        "escalate": None,  # 10 h elapsed of 12: paused short of it
    }
    status = clock.status(now)
    assert status.paused
    assert status.elapsed == 10 * H
    assert status.overrun == 2 * H
    assert status.current_level is not None
    assert status.current_level.name == "breach"


def test_repeated_pauses_and_resumes_are_no_ops() -> None:
    events = [
        ClockEvent.resume(z(2026, 1, 5, 9)),  # running already: ignored
        ClockEvent.pause(z(2026, 1, 5, 10), "waiting_on_customer"),
        ClockEvent.pause(z(2026, 1, 5, 11), "waiting_on_vendor"),  # paused already: ignored
        ClockEvent.resume(z(2026, 1, 5, 12)),
        ClockEvent.resume(z(2026, 1, 5, 12, 30)),  # ignored
    ]
    clock = SLAClock(8 * H, ALWAYS, START, events)
    plain = SLAClock(8 * H, ALWAYS, START, [events[1], events[3]])
    assert clock.ignored_events == (events[0], events[2], events[4])
    for now in (z(2026, 1, 5, 11), z(2026, 1, 5, 13), z(2026, 1, 6)):
        assert clock.elapsed(now) == plain.elapsed(now)
        assert clock.level_states(now) == plain.level_states(now)
        assert clock.timeline(now) == plain.timeline(now)


def test_invalid_events_are_refused() -> None:
    with pytest.raises(ValueError, match="before the clock start"):
        SLAClock(8 * H, ALWAYS, START, [ClockEvent.pause(START - US)])
    with pytest.raises(ValueError, match="out of order"):
        SLAClock(
            8 * H, ALWAYS, START, [ClockEvent.pause(START + 2 * H), ClockEvent.resume(START + H)]
        )
    with pytest.raises(ValueError, match="naive"):
        ClockEvent.pause(datetime(2026, 1, 5, 9))
    with pytest.raises(ValueError, match="positive"):
        SLAClock(timedelta(0), ALWAYS, START)
    with pytest.raises(ValueError, match="duplicate names breach"):
        SLAClock(
            H, ALWAYS, START, levels=[EscalationLevel("breach", 1), EscalationLevel("breach", 2)]
        )
    with pytest.raises(ValueError, match="must be positive"):
        EscalationLevel("x", 0)


def test_events_after_now_are_not_known_yet() -> None:
    events = [ClockEvent.pause(z(2026, 1, 5, 12)), ClockEvent.resume(z(2026, 1, 5, 13))]
    clock = SLAClock(8 * H, ALWAYS, START, events)
    before = z(2026, 1, 5, 11)
    assert not clock.is_paused(before)
    assert clock.due(before) == z(2026, 1, 5, 16)  # as if no pause were coming
    assert clock.due(z(2026, 1, 5, 13)) == z(2026, 1, 5, 17)


def test_paused_at_start_and_zero_length_pause() -> None:
    clock = SLAClock(H, ALWAYS, START, [ClockEvent.pause(START), ClockEvent.resume(START + H)])
    assert clock.is_paused(START)
    assert clock.elapsed(START + H) == timedelta(0)
    assert clock.due(START + H) == START + 2 * H
    zero = SLAClock(H, ALWAYS, START, [ClockEvent.pause(START + M), ClockEvent.resume(START + M)])
    assert zero.due(START + 2 * M) == START + H
    assert zero.with_events(ClockEvent.pause(START + 2 * M)).is_paused(START + 2 * M)


def test_level_thresholds_are_exact_and_round_up() -> None:
    assert EscalationLevel("x", 0.1).ratio == Fraction(1, 10)
    assert EscalationLevel("x", 0.1).threshold(timedelta(seconds=3)) == timedelta(
        microseconds=300_000
    )
    assert EscalationLevel("x", 0.75).threshold(US) == US  # ceil(0.75 us)
    assert EscalationLevel("x", Fraction(2, 3)).threshold(timedelta(seconds=1)) == timedelta(
        microseconds=666_667
    )
    custom = SLAClock(
        timedelta(seconds=3),
        ALWAYS,
        START,
        levels=[EscalationLevel("late", 2), EscalationLevel("early", 0.5)],
    )
    assert [lv.name for lv in custom.levels] == ["early", "late"]
    assert level_times(custom, START) == {
        "early": START + timedelta(seconds=1.5),
        "late": START + timedelta(seconds=6),
    }


def test_a_clock_across_a_chinese_holiday() -> None:
    cal = BusinessCalendar(
        "Asia/Shanghai",
        {d: ["09:00-12:00", "13:30-18:00"] for d in range(5)},
        holidays=[datetime(2026, 10, d).date() for d in (1, 2, 5, 6, 7)],
        extra_working_days=[datetime(2026, 9, 20).date(), datetime(2026, 10, 10).date()],
    )
    # Opened Wednesday 30 September 17:00, 4 h first-response target: 1 h on the 30th, then
    # Thursday 8 October 09:00-12:00.
    clock = SLAClock(4 * H, cal, sh(2026, 9, 30, 17))
    assert clock.due(sh(2026, 9, 30, 17)) == sh(2026, 10, 8, 12)
    assert level_times(clock, sh(2026, 9, 30, 17))["warning"] == sh(2026, 10, 8, 11)
    assert level_times(clock, sh(2026, 9, 30, 17))["escalate"] == sh(2026, 10, 8, 15, 30)


def test_events_from_status_changes() -> None:
    changes = [
        (z(2026, 1, 5, 9), "open"),
        (z(2026, 1, 5, 10), "waiting_on_customer"),
        (z(2026, 1, 5, 11), "waiting_on_vendor"),
        (z(2026, 1, 5, 12), "in_progress"),
        (z(2026, 1, 5, 13), "open"),
        (z(2026, 1, 5, 14), "waiting_on_customer"),
    ]
    events = events_from_status_changes(changes, {"waiting_on_customer", "waiting_on_vendor"})
    assert events == [
        ClockEvent.pause(z(2026, 1, 5, 10), "waiting_on_customer"),
        ClockEvent.resume(z(2026, 1, 5, 12), "in_progress"),
        ClockEvent.pause(z(2026, 1, 5, 14), "waiting_on_customer"),
    ]
    clock = SLAClock(8 * H, ALWAYS, z(2026, 1, 5, 9), events)
    assert clock.elapsed(z(2026, 1, 5, 15)) == 3 * H
