"""Properties of the business-time engine on random calendars, starts and durations.

Checked against an independent oracle too: minute by minute, is the wall clock inside an
opening interval of its local date? On days without a DST change at an interval's edge the
engine must agree with it exactly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tickets.model import BusinessCalendar, ClockEvent, LocalInterval, SLAClock

ZONES = [
    "UTC",
    "Asia/Shanghai",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # 30-minute DST
    "America/Santiago",  # DST changes at midnight
    "America/Havana",  # midnight skipped or repeated
    "Asia/Kolkata",
]
FIRST_DAY = date(2025, 12, 1)
DAYS = 500
US_PER_DAY = 86_400_000_000
MINUTE = 60_000_000

PROPS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def day_hours(draw: st.DrawFn, *, step_us: int = MINUTE, lo_us: int = 0) -> list[LocalInterval]:
    """0-3 disjoint intervals on one day, edges on multiples of ``step_us`` from ``lo_us``."""
    n = draw(st.integers(0, 3))
    slots = (US_PER_DAY - lo_us) // step_us
    cuts = draw(st.lists(st.integers(0, slots), min_size=2 * n, max_size=2 * n, unique=True))
    cuts.sort()
    return [
        LocalInterval(lo_us + a * step_us, lo_us + b * step_us)
        for a, b in zip(cuts[::2], cuts[1::2], strict=True)
    ]


@st.composite
def calendars(draw: st.DrawFn, *, zones: list[str] = ZONES, lo_us: int = 0) -> BusinessCalendar:
    tz = draw(st.sampled_from(zones))
    step = draw(st.sampled_from([MINUTE, 15 * MINUTE, 1_000_000, 1]))
    if lo_us:
        step = MINUTE
    week = [draw(day_hours(step_us=step, lo_us=lo_us)) for _ in range(7)]
    if not any(week):
        week[draw(st.integers(0, 6))] = [LocalInterval(9 * 3600_000_000, 17 * 3600_000_000)]
    offsets = st.integers(0, DAYS)
    holidays = {FIRST_DAY + timedelta(days=i) for i in draw(st.lists(offsets, max_size=40))}
    extra = {FIRST_DAY + timedelta(days=i) for i in draw(st.lists(offsets, max_size=10))}
    extra -= holidays
    hour_day = draw(st.sampled_from([i for i in range(7) if week[i]]))
    special = {
        FIRST_DAY + timedelta(days=i): draw(day_hours(step_us=step, lo_us=lo_us))
        for i in draw(st.lists(offsets, max_size=5))
    }
    return BusinessCalendar(
        tz,
        dict(enumerate(week)),
        holidays=holidays,
        extra_working_days=extra,
        extra_working_day_hours=hour_day,
        special_hours=special,
    )


BASE = datetime(2025, 12, 1, tzinfo=UTC)
instants = st.integers(0, 400 * US_PER_DAY).map(lambda us: BASE + timedelta(microseconds=us))


def weekly_us(cal: BusinessCalendar) -> int:
    return sum(iv.end_us - iv.start_us for day in cal.weekly for iv in day)


@st.composite
def durations_for(draw: st.DrawFn, cal: BusinessCalendar, weeks: int = 30) -> timedelta:
    """Up to ``weeks`` weeks' worth of the calendar's business time (within the horizon even
    for a calendar open one microsecond a week), biased to small values too."""
    cap = weekly_us(cal) * weeks
    us = draw(st.one_of(st.integers(0, cap), st.integers(0, min(cap, 10 * MINUTE))))
    return timedelta(microseconds=us)


@PROPS
@given(calendars(), instants, st.data())
def test_between_inverts_add(cal: BusinessCalendar, start: datetime, data: st.DataObject) -> None:
    d = data.draw(durations_for(cal))
    end = cal.add(start, d)
    assert end >= start
    assert end.tzinfo is UTC
    assert cal.between(start, end) == d
    if d:  # the earliest such instant: one microsecond less is not enough
        assert cal.between(start, end - timedelta(microseconds=1)) == d - timedelta(microseconds=1)


@PROPS
@given(calendars(), instants, st.data())
def test_add_is_monotonic_in_duration(
    cal: BusinessCalendar, start: datetime, data: st.DataObject
) -> None:
    d1, d2 = sorted((data.draw(durations_for(cal)), data.draw(durations_for(cal))))
    assert cal.add(start, d1) <= cal.add(start, d2)
    if d1 < d2:
        assert cal.add(start, d1) < cal.add(start, d2)


@PROPS
@given(calendars(), instants, instants, st.data())
def test_add_is_monotonic_in_start(
    cal: BusinessCalendar, s1: datetime, s2: datetime, data: st.DataObject
) -> None:
    s1, s2 = sorted((s1, s2))
    d = data.draw(durations_for(cal, weeks=2))
    assert cal.add(s1, d) <= cal.add(s2, d)


@PROPS
@given(calendars(), instants, instants, instants)
def test_between_is_additive(cal: BusinessCalendar, a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    ab, bc, ac = cal.between(a, b), cal.between(b, c), cal.between(a, c)
    assert ab + bc == ac
    assert timedelta(0) <= ac <= c - a


@PROPS
@given(calendars(), instants)
def test_next_open_and_is_open_agree(cal: BusinessCalendar, at: datetime) -> None:
    nxt = cal.next_open(at)
    assert nxt >= at
    assert cal.is_open(nxt)
    assert cal.between(at, nxt) == timedelta(0)
    assert cal.is_open(at) == (nxt == at)
    close = cal.next_close(nxt)
    assert close > nxt
    assert not cal.is_open(close)
    assert cal.between(nxt, close) == close - nxt


@PROPS
@given(calendars(), instants, st.lists(instants, min_size=1, max_size=6), instants)
def test_pauses_are_excluded(
    cal: BusinessCalendar, start: datetime, marks: list[datetime], now: datetime
) -> None:
    """Elapsed with pauses == the sum of business time over the running parts."""
    marks = sorted(m for m in marks if m >= start)
    events = [
        ClockEvent.pause(t) if i % 2 == 0 else ClockEvent.resume(t) for i, t in enumerate(marks)
    ]
    clock = SLAClock(timedelta(hours=8), cal, start, events)
    # The running parts: [start, p1), [r1, p2), ... clipped at now.
    bounds = [start, *marks]
    expected = timedelta(0)
    for i in range(0, len(bounds), 2):
        lo = bounds[i]
        hi = bounds[i + 1] if i + 1 < len(bounds) else max(now, lo)
        lo, hi = min(lo, now), min(hi, now)
        if hi > lo:
            expected += cal.between(lo, hi)
    assert clock.elapsed(now) == expected
    assert clock.is_paused(now) == (sum(1 for m in marks if m <= now) % 2 == 1 and now >= start)


# -- the oracle ---------------------------------------------------------------------------------


def oracle_between(cal: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Minute by minute: is the local wall clock inside an interval of its local date?"""
    zone = ZoneInfo(cal.timezone)
    total = 0
    t = start.astimezone(UTC)  # step in real time, not on the wall clock
    while t < end:
        local = t.astimezone(zone)
        us = (local.hour * 3600 + local.minute * 60 + local.second) * 1_000_000
        if any(iv.start_us <= us < iv.end_us for iv in cal.hours_on(local.date())):
            total += 1
        t += timedelta(minutes=1)
    return timedelta(minutes=total)


# Interval edges at 04:00 or later and on whole minutes: no edge falls in any DST gap or
# overlap of these zones (Santiago changes at midnight, so it is left out), and a wall-clock
# minute is then all in or all out.
ORACLE_ZONES = ["UTC", "Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]
minute_instants = st.integers(0, 400 * 24 * 60).map(lambda m: BASE + timedelta(minutes=m))


@settings(PROPS, max_examples=40)
@given(
    calendars(zones=ORACLE_ZONES, lo_us=4 * 3600_000_000),
    minute_instants,
    st.integers(0, 4 * 24 * 60),
)
def test_between_matches_a_minute_by_minute_oracle(
    cal: BusinessCalendar, start: datetime, minutes: int
) -> None:
    end = start + timedelta(minutes=minutes)
    assert cal.between(start, end) == oracle_between(cal, start, end)


@settings(PROPS, max_examples=20)
@given(st.sampled_from(["Europe/Berlin", "America/New_York"]), st.sampled_from([0, 1]))
def test_oracle_across_dst_weekends(tz: str, which: int) -> None:
    """Office hours with a night shift straddling the change, against the oracle."""
    cal = BusinessCalendar(
        tz,
        {
            "fri": ["09:00-12:00", "13:30-18:00", "22:00-24:00"],
            "sat": ["00:00-06:00", "22:00-24:00"],
            "sun": ["00:00-06:00"],
            "mon": ["09:00-18:00"],
        },
    )
    friday = {
        "Europe/Berlin": [date(2026, 3, 27), date(2026, 10, 23)],
        "America/New_York": [date(2026, 3, 6), date(2026, 10, 30)],
    }[tz][which]
    start = datetime(friday.year, friday.month, friday.day, tzinfo=ZoneInfo(tz))
    end = start + timedelta(days=4)
    assert cal.between(start, end) == oracle_between(cal, start, end)
