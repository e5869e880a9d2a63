"""Holiday data from the holidays library: China's official 2026 schedule as fixed vectors.

The State Council's 2026 schedule: New Year 1-3 January (work Sunday 4 January); Spring
Festival 15-23 February (work Saturday 14 and Saturday 28 February); Qingming 4-6 April;
Labour Day 1-5 May (work Saturday 9 May); Dragon Boat 19-21 June; Mid-Autumn 25-27 September;
National Day 1-7 October (work Sunday 20 September and Saturday 10 October). The library
lists the weekday days off (and some weekend ones) as holidays, and the worked weekend days
as ``weekend_workdays``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tickets.holiday_sources import (
    china_business_calendar,
    china_calendar_data,
    country_holiday_dates,
    years_missing_make_up_days,
)

CN_2026_HOLIDAYS = {
    date(2026, 1, 1),
    date(2026, 1, 2),
    date(2026, 2, 16),
    date(2026, 2, 17),
    date(2026, 2, 18),
    date(2026, 2, 19),
    date(2026, 2, 20),
    date(2026, 2, 23),
    date(2026, 4, 5),
    date(2026, 4, 6),
    date(2026, 5, 1),
    date(2026, 5, 2),
    date(2026, 5, 4),
    date(2026, 5, 5),
    date(2026, 6, 19),
    date(2026, 9, 25),
    date(2026, 10, 1),
    date(2026, 10, 2),
    date(2026, 10, 3),
    date(2026, 10, 5),
    date(2026, 10, 6),
    date(2026, 10, 7),
}
CN_2026_MAKE_UP = {
    date(2026, 1, 4),  # Sunday
    date(2026, 2, 14),  # Saturday
    date(2026, 2, 28),  # Saturday
    date(2026, 5, 9),  # Saturday
    date(2026, 9, 20),  # Sunday
    date(2026, 10, 10),  # Saturday
}
# Every day off of each holiday period, weekends included.
CN_2026_BREAKS = {
    "new_year": (date(2026, 1, 1), date(2026, 1, 3)),
    "spring_festival": (date(2026, 2, 15), date(2026, 2, 23)),
    "qingming": (date(2026, 4, 4), date(2026, 4, 6)),
    "labour_day": (date(2026, 5, 1), date(2026, 5, 5)),
    "dragon_boat": (date(2026, 6, 19), date(2026, 6, 21)),
    "mid_autumn": (date(2026, 9, 25), date(2026, 9, 27)),
    "national_day": (date(2026, 10, 1), date(2026, 10, 7)),
}


def test_china_2026_from_the_library() -> None:
    holidays, extra = china_calendar_data([2026])
    assert holidays == CN_2026_HOLIDAYS
    assert extra == CN_2026_MAKE_UP
    assert all(d.weekday() >= 5 for d in extra)


@pytest.mark.parametrize("period", sorted(CN_2026_BREAKS))
def test_china_2026_breaks_are_wholly_off(period: str) -> None:
    holidays, extra = china_calendar_data(2026)
    first, last = CN_2026_BREAKS[period]
    day = first
    while day <= last:
        assert day in holidays or (day.weekday() >= 5 and day not in extra), day
        day += timedelta(days=1)
    # And the working days just around the break are worked.
    for day in (first - timedelta(days=1), last + timedelta(days=1)):
        assert day not in holidays
        assert day.weekday() < 5 or day in extra, day


def test_china_calendar_working_days_2026() -> None:
    cal = china_business_calendar(2026)
    zone = ZoneInfo("Asia/Shanghai")
    total = cal.between(datetime(2026, 1, 1, tzinfo=zone), datetime(2027, 1, 1, tzinfo=zone))
    assert total == 248 * timedelta(hours=7.5)
    assert cal.is_open(datetime(2026, 9, 20, 10, tzinfo=zone))  # make-up Sunday


def test_years_the_library_lacks_and_overrides() -> None:
    missing = years_missing_make_up_days([2025, 2026, 2027])
    assert 2025 not in missing
    assert 2026 not in missing
    # A year without make-up days: refuse when asked to, or take the official dates given.
    year = missing[0] if missing else 2027
    official = {date(year, 8, 1)}  # no Chinese holiday falls in August
    if missing:
        with pytest.raises(LookupError, match=f"no make-up working days for {year}"):
            china_calendar_data([2026, year], require_make_up_days=True)
    _, extra = china_calendar_data(
        [2026, year], extra_working_days_override={year: official}, require_make_up_days=True
    )
    assert extra == CN_2026_MAKE_UP | official


def test_overrides_replace_the_library_for_their_year() -> None:
    holidays, extra = china_calendar_data(
        2026,
        extra_working_days_override={2026: [date(2026, 2, 14)]},
        holidays_override={2026: [date(2026, 2, 17)]},
    )
    assert extra == {date(2026, 2, 14)}
    assert holidays == {date(2026, 2, 17)}
    with pytest.raises(ValueError, match="2025-12-31 is not in 2026"):
        china_calendar_data(2026, extra_working_days_override={2026: [date(2025, 12, 31)]})
    with pytest.raises(ValueError, match="both holidays and make-up"):
        china_calendar_data(2026, extra_working_days_override={2026: [date(2026, 2, 17)]})


def test_other_countries() -> None:
    bavaria = country_holiday_dates("DE", "BY", [2026])
    germany = country_holiday_dates("DE", None, [2026])
    assert date(2026, 1, 6) in bavaria  # Epiphany: Bavaria only
    assert date(2026, 1, 6) not in germany
    assert {date(2026, 4, 3), date(2026, 4, 6), date(2026, 12, 25)} <= germany
    us = country_holiday_dates("US", None, 2026)
    assert date(2026, 7, 3) in us  # Independence Day observed (4 July is a Saturday)
    with pytest.raises(ValueError, match="holidays for 'XX'"):
        country_holiday_dates("XX", None, [2026])
    with pytest.raises(ValueError, match="at least one year"):
        country_holiday_dates("DE", None, [])
