"""Calendars as admins give them: checked field by field, holiday tables resolved to dates,
and loaded back into the same business time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from switchboard.core.errors import BadRequest
from tickets.calendars import calendar_from_resolved, resolve_calendar
from tickets.schemas import CalendarIn

NOW = datetime(2026, 1, 5, tzinfo=UTC)
OFFICE = {
    "name": "上海",
    "timezone": "Asia/Shanghai",
    "weekly": {d: ["09:00-12:00", "13:30-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
}


def resolve(**changes: Any) -> tuple[dict[str, Any], list[str]]:
    return resolve_calendar(CalendarIn.model_validate({**OFFICE, **changes}), NOW)


def test_china_with_official_holidays_and_make_up_days() -> None:
    resolved, warnings = resolve(holidays={"country": "CN", "years": [2026]})
    assert warnings == []
    assert "2026-02-14" in resolved["extra_working_days"]  # a worked Saturday
    assert "2026-10-01" in resolved["holidays"]
    calendar = calendar_from_resolved(resolved)
    # docs/sla.md: opened Fri 13 Feb 17:00 with 9 business hours, due Tue 24 Feb 09:30.
    opened = datetime(2026, 2, 13, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
    assert calendar.add(opened, timedelta(hours=9)) == datetime(2026, 2, 24, 1, 30, tzinfo=UTC)


def test_years_without_make_up_days_are_warned_about() -> None:
    _, warnings = resolve(holidays={"country": "CN", "years": [2030]})
    assert "2030" in warnings[0]


def test_explicit_lists_win_over_the_holiday_tables() -> None:
    resolved, _ = resolve(
        holidays={"country": "DE", "subdivision": "BY", "years": [2026]},
        extra_working_days=["2026-01-06"],  # Epiphany, worked anyway
        closed_dates=["2026-12-24", "2026-12-25"],
        special_hours={"2026-12-31": ["09:00-12:00"]},
        extra_working_day_hours="tue",
    )
    assert "2026-01-06" not in resolved["holidays"]
    assert "2026-01-06" in resolved["extra_working_days"]
    calendar = calendar_from_resolved(resolved)
    assert calendar.hours_on(date(2026, 12, 24)) == ()
    assert [str(i) for i in calendar.hours_on(date(2026, 12, 31))] == ["09:00-12:00"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone": "Asia/Nowhere"}, "timezone"),
        ({"weekly": {"mon": ["09:00-12:00", "11:30-14:00"]}}, "weekly.mon"),
        ({"weekly": {"mon": ["12:00-09:00"]}}, "weekly.mon"),
        ({"weekly": {"mon": ["9 to 5"]}}, "weekly.mon"),
        ({"weekly": {"mon": [], "sun": []}}, "weekly"),
        ({"weekly": {}}, "weekly"),
        ({"weekly": {"mon": ["09:00-10:00"], "monday": ["10:00-11:00"]}}, "weekly.monday"),
        ({"weekly": {"someday": ["09:00-10:00"]}}, "weekly.someday"),
        ({"extra_working_day_hours": "holiday"}, "extra_working_day_hours"),
        (
            {"extra_working_day_hours": "sat", "extra_working_days": ["2026-02-14"]},
            "extra_working_day_hours",
        ),
        ({"special_hours": {"2026-05-01": ["10:00-10:00"]}}, "special_hours.2026-05-01"),
        ({"holidays": {"country": "XX"}}, "holidays.country"),
        ({"holidays": {"country": "DE", "subdivision": "ZZ"}}, "holidays.subdivision"),
        (
            {"extra_working_days": ["2026-03-07"], "closed_dates": ["2026-03-07"]},
            "extra_working_days",
        ),
        (
            {"holiday_dates": ["2026-03-07"], "extra_working_days": ["2026-03-07"]},
            "extra_working_days",
        ),
    ],
)
def test_bad_calendars_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(BadRequest) as caught:
        resolve(**changes)
    assert caught.value.field == field, caught.value.message
