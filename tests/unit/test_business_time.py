"""Business calendars and business-time arithmetic: validation and fixed vectors.

Vectors are worked out by hand; every instant is checked to the microsecond in UTC.
DST changes in 2026: Europe/Berlin 29 March (02:00 CET -> 03:00 CEST, 01:00Z) and
25 October (03:00 CEST -> 02:00 CET, 01:00Z); America/New_York 8 March (02:00 EST -> 03:00
EDT, 07:00Z) and 1 November (02:00 EDT -> 01:00 EST, 06:00Z).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tickets.model import MAX_HORIZON, BusinessCalendar, LocalInterval, hours

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
M = timedelta(minutes=1)
US = timedelta(microseconds=1)
OFFICE = ("09:00-12:00", "13:30-18:00")  # 7.5 h a day


def z(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """A UTC instant."""
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def office(tz: str, **kwargs: object) -> BusinessCalendar:
    return BusinessCalendar(tz, {d: OFFICE for d in range(5)}, **kwargs)  # type: ignore[arg-type]


def every_day(tz: str, *specs: str) -> BusinessCalendar:
    return BusinessCalendar(tz, {d: specs for d in range(7)})


# -- construction and validation ------------------------------------------------------------


def test_intervals_parse_and_print() -> None:
    iv = LocalInterval.parse("09:00-12:00")
    assert (iv.start, iv.end) == (time(9), time(12))
    assert str(LocalInterval.parse("13:30 – 24:00")) == "13:30-24:00"
    assert LocalInterval.of(time(8, 15, 30, 250), "09:00").nominal_length == timedelta(
        minutes=44, seconds=29, microseconds=999_750
    )
    assert LocalInterval.of("22:00", "24:00").end is None
    assert hours("09:00-12:00", ("13:30", "18:00")) == (
        LocalInterval.parse("09:00-12:00"),
        LocalInterval.parse("13:30-18:00"),
    )


@pytest.mark.parametrize(
    ("weekly", "message"),
    [
        (
            {0: ["09:00-12:00", "11:00-14:00"]},
            "monday: intervals 09:00-12:00 and 11:00-14:00 overlap",
        ),
        ({"fri": ["18:00-09:00"]}, "friday: interval 18:00-09:00: end must be after start"),
        ({2: ["10:00-10:00"]}, "interval 10:00-10:00: end must be after start"),
        ({}, "no working time at all"),
        ({0: [], "sun": []}, "no working time at all"),
        ({0: ["25:00-26:00"]}, "not a time of day"),
        ({0: ["9-10"]}, "expected 'HH:MM'"),
        ({7: ["09:00-10:00"]}, "weekday 7"),
        ({"someday": ["09:00-10:00"]}, "weekday 'someday'"),
        ({0: ["09:00-10:00"], "monday": ["11:00-12:00"]}, "monday is given twice"),
        ({0: ["24:00-24:00"]}, "cannot start at the end of the day"),
    ],
)
def test_invalid_weekly_hours_are_named(weekly: dict[object, list[str]], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        BusinessCalendar("UTC", weekly)  # type: ignore[arg-type]


def test_unknown_time_zone() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Atlantis'"):
        office("Europe/Atlantis")
    with pytest.raises(ValueError, match="time zone"):
        office("")


def test_extra_working_days_need_hours_and_must_not_be_holidays() -> None:
    with pytest.raises(ValueError, match="hours of saturday, which has none"):
        office("UTC", extra_working_days=[date(2026, 2, 14)], extra_working_day_hours="sat")
    with pytest.raises(ValueError, match="2026-02-14"):
        office("UTC", extra_working_days=[date(2026, 2, 14)], holidays=[date(2026, 2, 14)])
    with pytest.raises(TypeError, match=r"datetime\.date"):
        office("UTC", holidays=[datetime(2026, 1, 1, tzinfo=UTC)])


def test_touching_intervals_merge_and_calendar_is_immutable_and_hashable() -> None:
    a = BusinessCalendar("UTC", {0: ["09:00-12:00", "12:00-13:00"]})
    b = BusinessCalendar("UTC", {"mon": ["09:00-13:00"]})
    assert a == b
    assert hash(a) == hash(b)
    assert a.weekly[0] == hours("09:00-13:00")
    with pytest.raises(AttributeError, match="immutable"):
        a._timezone = "Europe/Berlin"
    assert a != BusinessCalendar("UTC", {"mon": ["09:00-13:00"]}, holidays=[date(2026, 1, 5)])


def test_hours_on_precedence() -> None:
    cal = office(
        "UTC",
        holidays=[date(2026, 1, 1)],
        closed_dates=[date(2026, 1, 7)],
        extra_working_days=[date(2026, 1, 10)],  # a Saturday
        special_hours={date(2026, 1, 1): ["10:00-14:00"], date(2026, 1, 8): []},
    )
    assert cal.hours_on(date(2026, 1, 1)) == hours("10:00-14:00")  # special beats holiday
    assert cal.hours_on(date(2026, 1, 7)) == ()  # closed Wednesday
    assert cal.hours_on(date(2026, 1, 8)) == ()  # special hours: closed
    assert cal.hours_on(date(2026, 1, 10)) == hours(*OFFICE)  # Monday's hours
    assert cal.hours_on(date(2026, 1, 11)) == ()  # Sunday
    assert cal.hours_on(date(2026, 1, 9)) == hours(*OFFICE)


def test_extra_working_days_with_their_own_hours() -> None:
    cal = office("UTC", extra_working_days={date(2026, 1, 10): ["10:00-12:00"]})
    assert cal.between(z(2026, 1, 10), z(2026, 1, 11)) == 2 * H


def test_naive_datetimes_and_negative_durations_are_refused() -> None:
    cal = office("UTC")
    with pytest.raises(ValueError, match="naive"):
        cal.add(datetime(2026, 1, 5, 9), H)
    with pytest.raises(ValueError, match="must not be negative"):
        cal.add(z(2026, 1, 5, 9), -H)
    with pytest.raises(ValueError, match="before start"):
        cal.between(z(2026, 1, 6), z(2026, 1, 5))


# -- plain arithmetic -----------------------------------------------------------------------


def test_add_and_between_with_a_lunch_break() -> None:
    cal = office("Asia/Shanghai")

    def wed(h: int, m: int = 0) -> datetime:
        return datetime(2026, 1, 7, h, m, tzinfo=SHANGHAI)

    # Ends exactly at the lunch break: the earliest instant, not 13:30.
    assert cal.add(wed(11), H) == wed(12).astimezone(UTC)
    assert cal.add(wed(11), H + US) == (wed(13, 30) + US).astimezone(UTC)
    assert cal.add(wed(7), H) == wed(10).astimezone(UTC)  # starts before opening
    assert cal.add(wed(12, 45), 30 * M) == wed(14).astimezone(UTC)  # starts in the break
    assert cal.between(wed(0), wed(23, 59)) == 7.5 * H
    assert cal.between(wed(11, 30), wed(14)) == H
    assert cal.add(wed(11), timedelta(0)) == wed(11).astimezone(UTC)
    assert cal.add(wed(11), H).tzinfo is UTC


def test_friday_evening_rolls_over_the_weekend() -> None:
    cal = office("Asia/Shanghai")
    fri = datetime(2026, 1, 9, 17, tzinfo=SHANGHAI)
    assert cal.add(fri, H) == z(2026, 1, 9, 10)  # Friday 18:00, not Monday 09:00
    assert cal.add(fri, 2 * H) == z(2026, 1, 12, 2)  # Monday 10:00 CST
    assert cal.between(fri, datetime(2026, 1, 12, 10, tzinfo=SHANGHAI)) == 2 * H


def test_is_open_next_open_next_close() -> None:
    cal = office("Asia/Shanghai")
    noon = datetime(2026, 1, 7, 12, tzinfo=SHANGHAI)
    assert cal.is_open(noon - US)
    assert not cal.is_open(noon)  # intervals are [start, end)
    assert cal.next_open(noon) == datetime(2026, 1, 7, 13, 30, tzinfo=SHANGHAI)
    assert cal.next_close(noon - H) == noon
    assert cal.next_close(noon) == noon
    sat = datetime(2026, 1, 10, 9, tzinfo=SHANGHAI)
    assert cal.next_open(sat) == datetime(2026, 1, 12, 9, tzinfo=SHANGHAI)


def test_next_close_runs_across_midnight_when_days_touch() -> None:
    cal = BusinessCalendar("UTC", {"mon": ["20:00-24:00"], "tue": ["00:00-06:00"]})
    assert cal.next_close(z(2026, 1, 5, 21)) == z(2026, 1, 6, 6)


def test_thirty_business_days_with_easter_holidays() -> None:
    # 30 working days of 7.5 h from Monday 2 March 2026, 09:00 Berlin; Good Friday and
    # Easter Monday closed; the DST change on 29 March on the way.
    cal = office("Europe/Berlin", holidays=[date(2026, 4, 3), date(2026, 4, 6)])
    start = datetime(2026, 3, 2, 9, tzinfo=BERLIN)
    due = cal.add(start, 30 * 7.5 * H)
    assert due == datetime(2026, 4, 14, 18, tzinfo=BERLIN)
    assert due == z(2026, 4, 14, 16)
    assert cal.between(start, due) == 30 * 7.5 * H


def test_horizon_is_bounded() -> None:
    cal = BusinessCalendar(
        "UTC",
        {"mon": ["09:00-10:00"]},
        closed_dates=[date(2026, 1, 5) + timedelta(weeks=w) for w in range(600)],
    )
    with pytest.raises(ValueError, match="within 3653 days"):
        cal.add(z(2026, 1, 1), H)
    with pytest.raises(ValueError, match="does not open within"):
        cal.next_open(z(2026, 1, 1))
    with pytest.raises(ValueError, match="horizon"):
        cal.between(z(2026, 1, 1), z(2026, 1, 1) + MAX_HORIZON + US)
    # Long but within the horizon: 9 years of 1 h/week, answered day by day.
    assert office("UTC").between(z(2026, 1, 1), z(2035, 1, 1)) > timedelta(0)
    with pytest.raises(ValueError, match="always closed or the duration is too long"):
        office("UTC").add(z(2026, 1, 1), timedelta(days=3000))


# -- DST: Europe/Berlin -------------------------------------------------------------------------


def test_berlin_spring_forward_interval_spanning_the_gap_is_two_real_hours() -> None:
    cal = every_day("Europe/Berlin", "01:00-04:00")
    day = date(2026, 3, 29)
    assert cal.open_intervals(day) == [(z(2026, 3, 29, 0), z(2026, 3, 29, 2))]
    assert cal.between(z(2026, 3, 28, 12), z(2026, 3, 29, 12)) == 2 * H
    # 30 min after opening is 01:30 CET; 90 min is 03:30 CEST (01:30Z).
    assert cal.add(z(2026, 3, 28, 12), 30 * M) == z(2026, 3, 29, 0, 30)
    assert cal.add(z(2026, 3, 28, 12), 90 * M) == z(2026, 3, 29, 1, 30)
    assert cal.add(z(2026, 3, 28, 12), 2 * H) == z(2026, 3, 29, 2)  # 04:00 CEST
    # Other days: 3 real hours.
    assert cal.between(z(2026, 3, 30), z(2026, 3, 31)) == 3 * H


def test_berlin_gap_endpoints_map_to_the_jump() -> None:
    assert every_day("Europe/Berlin", "02:15-02:45").open_intervals(date(2026, 3, 29)) == []
    starts_in_gap = every_day("Europe/Berlin", "02:30-05:00")
    assert starts_in_gap.open_intervals(date(2026, 3, 29)) == [
        (z(2026, 3, 29, 1), z(2026, 3, 29, 3))
    ]
    ends_in_gap = every_day("Europe/Berlin", "00:00-02:30")
    assert ends_in_gap.open_intervals(date(2026, 3, 29)) == [
        (z(2026, 3, 28, 23), z(2026, 3, 29, 1))
    ]


def test_berlin_fall_back_overlap() -> None:
    day = date(2026, 10, 25)
    cal = every_day("Europe/Berlin", "01:00-04:00")
    assert cal.open_intervals(day) == [(z(2026, 10, 24, 23), z(2026, 10, 25, 3))]  # 4 h
    # Opening at the first 02:15 (CEST), closing at the second 02:45 (CET): 1.5 h.
    twice = every_day("Europe/Berlin", "02:15-02:45")
    assert twice.open_intervals(day) == [(z(2026, 10, 25, 0, 15), z(2026, 10, 25, 1, 45))]
    # Two intervals, apart on the wall clock, whose real spans overlap: 01:00-02:20 closes at
    # the second 02:20 (01:20Z), 02:40-04:00 opens at the first 02:40 (00:40Z). Counted once.
    split = BusinessCalendar("Europe/Berlin", {6: ["01:00-02:20", "02:40-04:00"]})
    assert split.open_intervals(day) == [(z(2026, 10, 24, 23), z(2026, 10, 25, 3))]
    assert split.between(z(2026, 10, 24), z(2026, 10, 26)) == 4 * H
    assert split.add(z(2026, 10, 24), 4 * H) == z(2026, 10, 25, 3)
    # Landing in the repeated hour: 01:30 CEST + 1 h is the first 02:30, + 2 h the second.
    always = BusinessCalendar.always_open("Europe/Berlin")
    start = datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)
    assert always.add(start, H) == z(2026, 10, 25, 0, 30)
    assert always.add(start, 2 * H) == z(2026, 10, 25, 1, 30)
    assert (
        always.between(datetime(2026, 10, 25, tzinfo=BERLIN), datetime(2026, 10, 26, tzinfo=BERLIN))
        == 25 * H
    )
    assert (
        always.between(datetime(2026, 3, 29, tzinfo=BERLIN), datetime(2026, 3, 30, tzinfo=BERLIN))
        == 23 * H
    )


def test_berlin_office_hours_across_both_weekends() -> None:
    cal = office("Europe/Berlin")
    fri = datetime(2026, 3, 27, 17, tzinfo=BERLIN)  # CET
    assert cal.add(fri, 3 * H) == z(2026, 3, 30, 9)  # Monday 11:00 CEST
    assert cal.between(fri, datetime(2026, 3, 30, 11, tzinfo=BERLIN)) == 3 * H
    fri = datetime(2026, 10, 23, 10, tzinfo=BERLIN)  # CEST
    mon = datetime(2026, 10, 26, 10, tzinfo=BERLIN)  # CET
    assert cal.between(fri, mon) == 7.5 * H
    assert cal.add(fri, 7.5 * H) == z(2026, 10, 26, 9)


def test_berlin_night_shift_across_midnight_and_the_change() -> None:
    # Saturday 22:00-24:00 and Sunday 00:00-06:00: one shift, 7 real hours on 28/29 March.
    cal = BusinessCalendar("Europe/Berlin", {"sat": ["22:00-24:00"], "sun": ["00:00-06:00"]})
    assert cal.between(z(2026, 3, 28), z(2026, 3, 30)) == 7 * H
    assert cal.next_close(datetime(2026, 3, 28, 23, tzinfo=BERLIN)) == z(2026, 3, 29, 4)
    assert cal.add(datetime(2026, 3, 28, 23, tzinfo=BERLIN), 3 * H) == z(
        2026, 3, 29, 1
    )  # 03:00 CEST
    assert cal.between(z(2026, 10, 24), z(2026, 10, 26)) == 9 * H


# -- DST: America/New_York ----------------------------------------------------------------------


def test_new_york_spring_forward() -> None:
    cal = every_day("America/New_York", "00:00-06:00")
    assert cal.open_intervals(date(2026, 3, 8)) == [(z(2026, 3, 8, 5), z(2026, 3, 8, 10))]  # 5 h
    assert cal.add(datetime(2026, 3, 8, 1, 30, tzinfo=NEW_YORK), H) == z(
        2026, 3, 8, 7, 30
    )  # 03:30 EDT
    shift = BusinessCalendar("America/New_York", {"sat": ["22:00-24:00"], "sun": ["00:00-04:00"]})
    assert shift.between(z(2026, 3, 7), z(2026, 3, 9)) == 5 * H
    assert shift.add(datetime(2026, 3, 7, 23, tzinfo=NEW_YORK), 3 * H) == z(2026, 3, 8, 7)


def test_new_york_fall_back() -> None:
    day = date(2026, 11, 1)
    assert every_day("America/New_York", "00:00-06:00").open_intervals(day) == [
        (z(2026, 11, 1, 4), z(2026, 11, 1, 11))
    ]  # 7 h
    assert every_day("America/New_York", "01:00-02:00").open_intervals(day) == [
        (z(2026, 11, 1, 5), z(2026, 11, 1, 7))
    ]  # the repeated hour is counted twice over: 2 h
    assert every_day("America/New_York", "01:30-01:45").open_intervals(day) == [
        (z(2026, 11, 1, 5, 30), z(2026, 11, 1, 6, 45))
    ]
    cal = office("America/New_York")
    fri = datetime(2026, 10, 30, 17, tzinfo=NEW_YORK)  # EDT
    assert cal.add(fri, 2 * H) == z(2026, 11, 2, 15)  # Monday 10:00 EST
    assert cal.between(fri, datetime(2026, 11, 2, 10, tzinfo=NEW_YORK)) == 2 * H


# -- DST at midnight: America/Havana ------------------------------------------------------------


def test_havana_changes_at_midnight_and_days_are_unioned() -> None:
    # 8 March 2026: 00:00 CST -> 01:00 CDT. Saturday's 24:00 and Sunday's 00:00 both map to
    # the jump (05:00Z).
    cal = BusinessCalendar("America/Havana", {"sat": ["22:00-24:00"], "sun": ["00:00-03:00"]})
    assert cal.open_intervals(date(2026, 3, 7)) == [(z(2026, 3, 8, 3), z(2026, 3, 8, 5))]
    assert cal.open_intervals(date(2026, 3, 8)) == [(z(2026, 3, 8, 5), z(2026, 3, 8, 7))]
    assert cal.between(z(2026, 3, 7), z(2026, 3, 9)) == 4 * H
    # 1 November 2026: 01:00 CDT -> 00:00 CST, so midnight happens twice. Saturday closes at
    # the second midnight (05:00Z), Sunday opens at the first (04:00Z): the hour in common
    # is counted once, 23:00-02:00 on the wall clock is 4 real hours.
    cal = BusinessCalendar("America/Havana", {"sat": ["23:00-24:00"], "sun": ["00:00-02:00"]})
    assert cal.open_intervals(date(2026, 10, 31)) == [(z(2026, 11, 1, 3), z(2026, 11, 1, 5))]
    assert cal.open_intervals(date(2026, 11, 1)) == [(z(2026, 11, 1, 4), z(2026, 11, 1, 7))]
    assert cal.between(z(2026, 10, 31), z(2026, 11, 2)) == 4 * H
    assert list(cal.open_spans(z(2026, 10, 31), z(2026, 11, 2))) == [
        (z(2026, 11, 1, 3), z(2026, 11, 1, 5)),
        (z(2026, 11, 1, 5), z(2026, 11, 1, 7)),
    ]
    assert cal.add(z(2026, 10, 31), 3 * H + 30 * M) == z(2026, 11, 1, 6, 30)
    assert cal.next_close(z(2026, 11, 1, 3)) == z(2026, 11, 1, 7)


# -- China 2026 ---------------------------------------------------------------------------------

# The official 2026 schedule, as the holidays library gives it (see test_holiday_sources).
CN_2026_HOLIDAYS = frozenset(
    [date(2026, 1, 1), date(2026, 1, 2)]
    + [date(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)]
    + [date(2026, 4, 5), date(2026, 4, 6)]
    + [date(2026, 5, d) for d in (1, 2, 4, 5)]
    + [date(2026, 6, 19), date(2026, 9, 25)]
    + [date(2026, 10, d) for d in (1, 2, 3, 5, 6, 7)]
)
CN_2026_MAKE_UP = frozenset(
    [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
)


def cn() -> BusinessCalendar:
    return office("Asia/Shanghai", holidays=CN_2026_HOLIDAYS, extra_working_days=CN_2026_MAKE_UP)


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI)


def test_china_spring_festival_friday_before() -> None:
    cal = cn()
    fri = sh(2026, 2, 13, 17)
    # Saturday 14 February is a make-up working day: 1 h Friday + 7.5 h Saturday.
    assert cal.is_open(sh(2026, 2, 14, 10))
    assert cal.add(fri, 8 * H) == sh(2026, 2, 14, 17, 30)
    assert cal.add(fri, 8.5 * H) == sh(2026, 2, 14, 18)
    # Then 15-23 February are off (holidays and weekend): next is Tuesday 24 February.
    assert cal.add(fri, 9 * H) == sh(2026, 2, 24, 9, 30)
    assert cal.add(fri, 16 * H) == sh(2026, 2, 24, 18)
    assert cal.between(fri, sh(2026, 2, 24, 9, 30)) == 9 * H
    assert cal.next_open(sh(2026, 2, 14, 18)) == sh(2026, 2, 24, 9)
    # Saturday 28 February is worked too.
    assert cal.between(sh(2026, 2, 28), sh(2026, 3, 1)) == 7.5 * H


def test_china_make_up_sunday_counts_as_a_working_day() -> None:
    cal = cn()
    assert cal.add(sh(2026, 9, 18, 17), 2 * H) == sh(2026, 9, 20, 10)  # Sunday 20 Sept
    assert cal.between(sh(2026, 9, 20), sh(2026, 9, 21)) == 7.5 * H
    assert not cal.is_open(sh(2026, 9, 27, 10))  # an ordinary Sunday
    assert cal.between(sh(2026, 1, 4), sh(2026, 1, 5)) == 7.5 * H  # Sunday 4 January


def test_china_labour_day_and_national_day() -> None:
    cal = cn()
    assert cal.add(sh(2026, 4, 30, 17), 2 * H) == sh(2026, 5, 6, 10)
    assert cal.between(sh(2026, 5, 9), sh(2026, 5, 10)) == 7.5 * H  # make-up Saturday
    assert cal.add(sh(2026, 9, 30, 17), 2 * H) == sh(2026, 10, 8, 10)
    assert cal.between(sh(2026, 10, 10), sh(2026, 10, 11)) == 7.5 * H  # make-up Saturday


def test_china_whole_year_is_248_working_days() -> None:
    # 261 weekdays - 19 weekday holidays + 6 make-up weekend days.
    assert cn().between(sh(2026, 1, 1), sh(2027, 1, 1)) == 248 * 7.5 * H
