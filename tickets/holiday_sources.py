"""Holiday data for business calendars, from the ``holidays`` library, as plain dates.

The adapter between the library and the pure model (:mod:`tickets.model`): nothing in the
model imports ``holidays``; it receives sets of dates from here.

China publishes its official schedule (State Council, usually in November for the next
year), including make-up working days (调休): Saturdays or Sundays that are worked. The
library has them as ``weekend_workdays`` for the years it knows; for a year it lacks (or
gets wrong), pass the official dates in ``extra_working_days_override`` and, if needed,
``holidays_override``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import holidays as _holidays

from tickets.model.calendar import BusinessCalendar, IntervalLike, WeekdayKey

__all__ = [
    "CHINA_DEFAULT_HOURS",
    "china_business_calendar",
    "china_calendar_data",
    "country_holiday_dates",
    "years_missing_make_up_days",
]

CHINA_DEFAULT_HOURS: tuple[str, ...] = ("09:00-12:00", "13:30-18:00")


def _years(years: Iterable[int] | int) -> list[int]:
    out = sorted({years} if isinstance(years, int) else set(years))
    if not out:
        raise ValueError("years: give at least one year")
    for y in out:
        if isinstance(y, bool) or not isinstance(y, int) or not 1900 <= y <= 2200:
            raise ValueError(f"year {y!r}: expected a year between 1900 and 2200")
    return out


def _override(
    values: Mapping[int, Iterable[date]] | None, years: list[int], *, what: str
) -> dict[int, set[date]]:
    out: dict[int, set[date]] = {}
    for year, dates in (values or {}).items():
        got = set(dates)
        wrong = sorted(d for d in got if d.year != year)
        if wrong:
            raise ValueError(f"{what} for {year}: {wrong[0].isoformat()} is not in {year}")
        if year in years:
            out[year] = got
    return out


def country_holiday_dates(
    country: str, subdivision: str | None = None, years: Iterable[int] | int = ()
) -> set[date]:
    """The public holidays of ``country`` (ISO 3166 code, e.g. ``"DE"``) and optional
    ``subdivision`` (e.g. ``"BY"``) in ``years``, as dates.

    Observed days the library adds (a holiday moved off a weekend) are included, even when
    they fall in the year before (31 December for New Year's Day).
    """
    ys = _years(years)
    try:
        table = _holidays.country_holidays(country, subdiv=subdivision, years=ys)
    except NotImplementedError as exc:
        raise ValueError(f"holidays for {country!r}/{subdivision!r}: {exc}") from None
    return set(table.keys())


def china_calendar_data(
    years: Iterable[int] | int,
    *,
    extra_working_days_override: Mapping[int, Iterable[date]] | None = None,
    holidays_override: Mapping[int, Iterable[date]] | None = None,
    require_make_up_days: bool = False,
) -> tuple[set[date], set[date]]:
    """China's official days off and make-up working days for ``years``.

    Returns ``(holidays, extra_working_days)``. A year listed in an override takes those
    dates instead of the library's. With ``require_make_up_days``, a year for which neither
    the library nor an override has make-up days raises ``LookupError`` (the library knows
    a year's make-up days only once the official schedule is out).
    """
    ys = _years(years)
    extra_over = _override(extra_working_days_override, ys, what="extra_working_days_override")
    hol_over = _override(holidays_override, ys, what="holidays_override")
    table = _holidays.country_holidays("CN", years=ys)
    lib_holidays = set(table.keys())
    # The library's set may hold make-up days of other years too: keep the asked years.
    lib_extra = {d for d in table.weekend_workdays if d.year in ys}

    holidays: set[date] = set()
    extra: set[date] = set()
    for year in ys:
        holidays |= hol_over.get(year, {d for d in lib_holidays if d.year == year})
        extra |= extra_over.get(year, {d for d in lib_extra if d.year == year})
    # Observed days the library puts in a neighbouring year (none for China so far).
    holidays |= {d for d in lib_holidays if d.year not in ys}

    if require_make_up_days:
        missing = [y for y in ys if not any(d.year == y for d in extra)]
        if missing:
            raise LookupError(
                "no make-up working days for "
                + ", ".join(str(y) for y in missing)
                + ": give the official dates in extra_working_days_override"
            )
    clash = sorted(holidays & extra)
    if clash:
        raise ValueError(f"dates both holidays and make-up working days: {clash[0].isoformat()}")
    return holidays, extra


def years_missing_make_up_days(years: Iterable[int] | int) -> list[int]:
    """The years among ``years`` for which the library has no Chinese make-up days."""
    ys = _years(years)
    known = {d.year for d in _holidays.country_holidays("CN", years=ys).weekend_workdays}
    return [y for y in ys if y not in known]


def china_business_calendar(
    years: Iterable[int] | int,
    weekly: Mapping[WeekdayKey, Iterable[IntervalLike]] | None = None,
    *,
    timezone: str = "Asia/Shanghai",
    extra_working_days_override: Mapping[int, Iterable[date]] | None = None,
    holidays_override: Mapping[int, Iterable[date]] | None = None,
    require_make_up_days: bool = False,
) -> BusinessCalendar:
    """A calendar on China's official schedule; by default Monday to Friday 09:00-12:00 and
    13:30-18:00 in Asia/Shanghai, make-up days worked with Monday's hours."""
    holidays, extra = china_calendar_data(
        years,
        extra_working_days_override=extra_working_days_override,
        holidays_override=holidays_override,
        require_make_up_days=require_make_up_days,
    )
    if weekly is None:
        weekly = {day: CHINA_DEFAULT_HOURS for day in range(5)}
    return BusinessCalendar(timezone, weekly, holidays=holidays, extra_working_days=extra)
