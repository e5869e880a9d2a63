"""The campaign schedule: weekly windows, dates, holidays; with the law, the stricter wins."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.outbound.compliance import (
    CompliancePolicy,
    calling_hours_refusal,
    next_calling_time,
)
from routing.outbound.hopper import Hopper
from routing.outbound.model import DialTarget, RefusalCode
from routing.outbound.schedule import (
    WAIT_FOR_HOURS,
    CampaignSchedule,
    ScheduleError,
    check_campaign_dial,
    next_dial_time,
    schedule_from_mapping,
    wait_for_hours,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = {
    "timezone": "Asia/Shanghai",
    "windows": [
        {"days": ["mon-fri"], "start": "09:00", "end": "12:00"},
        {"days": ["mon-fri"], "start": "14:00", "end": "20:00"},
        {"days": "sat", "start": "10:00", "end": "16:00"},
    ],
    "holiday_dates": ["2026-11-25"],
    "start_date": "2026-11-23",
    "end_date": "2026-12-31",
}


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in Shanghai in the week of Monday 2026-11-23 (day 0)."""
    return datetime(2026, 11, 23 + day, hour, minute, tzinfo=SHANGHAI)


def test_windows_dates_and_holidays_say_why_not():
    schedule = schedule_from_mapping(WEEK)
    assert schedule.refusal(local(0, 9)) is None
    assert schedule.refusal(local(0, 11, 59)) is None
    between = schedule.refusal(local(0, 12))  # the end is exclusive
    assert between is not None
    assert between.code is RefusalCode.OUTSIDE_CAMPAIGN_SCHEDULE
    assert "Mon 12:00" in between.text
    assert "09:00-12:00 and 14:00-20:00" in between.text
    assert schedule.refusal(local(5, 15, 59)) is None  # Saturday
    assert schedule.refusal(local(5, 16)) is not None
    sunday = schedule.refusal(local(6, 10))
    assert sunday is not None
    assert "not at all" in sunday.text
    holiday = schedule.refusal(local(2, 10))
    assert holiday is not None
    assert "2026-11-25 is a holiday" in holiday.text
    before = schedule.refusal(local(-1, 10))
    assert before is not None
    assert "starts on 2026-11-23" in before.text
    after = schedule.refusal(datetime(2027, 1, 1, 10, tzinfo=SHANGHAI))
    assert after is not None
    assert after.code is RefusalCode.CAMPAIGN_ENDED


def test_next_open_skips_gaps_holidays_and_ends():
    schedule = schedule_from_mapping(WEEK)
    assert schedule.next_open(local(0, 10)) == local(0, 10)
    assert schedule.next_open(local(0, 12, 30)) == local(0, 14)
    assert schedule.next_open(local(0, 21)) == local(1, 9)
    assert schedule.next_open(local(1, 21)) == local(3, 9)  # Wednesday is a holiday
    assert schedule.next_open(local(5, 17)) == local(7, 9)  # Sunday off
    assert schedule.next_open(local(-3, 10)) == local(0, 9)  # before the start date
    assert schedule.next_open(datetime(2026, 12, 31, 21, tzinfo=SHANGHAI)) is None


def test_make_up_working_days_dial_with_mondays_windows_and_holidays_are_skipped():
    saturday = date(2026, 11, 28)
    raw = {"timezone": "Asia/Shanghai", "windows": WEEK["windows"][:2]}
    schedule = schedule_from_mapping(
        raw, holidays=[date(2026, 11, 24)], extra_working_days=[saturday]
    )
    assert schedule.refusal(datetime.combine(saturday, time(9), SHANGHAI)) is None
    assert schedule.refusal(local(1, 10)) is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": None}, "schedule.timezone"),
        ({"timezone": "Nowhere/City"}, "schedule.timezone"),
        ({"windows": "mon-fri"}, "schedule.windows"),
        (
            {"windows": [{"days": ["mon"], "start": "9am", "end": "12:00"}]},
            "schedule.windows[0].start",
        ),
        (
            {"windows": [{"days": ["mon"], "start": "09:00", "end": "00:00"}]},
            "schedule.windows[0].end",
        ),
        ({"windows": [{"days": ["mon"], "start": "09:00"}]}, "schedule.windows[0].end"),
        (
            {"windows": [{"days": ["fri-mon"], "start": "09:00", "end": "10:00"}]},
            "schedule.windows[0].days[0]",
        ),
        ({"windows": [{"days": [], "start": "09:00", "end": "10:00"}]}, "schedule.windows[0].days"),
        (
            {"windows": [{"days": "mon", "start": "09:00", "end": "10:00", "x": 1}]},
            "schedule.windows[0].x",
        ),
        ({"start_date": "2026-13-01"}, "schedule.start_date"),
        ({"end_date": "2026-11-01"}, "schedule.end_date"),
        ({"holiday_dates": ["2026-11-25", "soon"]}, "schedule.holiday_dates[1]"),
        ({"weekends": True}, "schedule.weekends"),
    ],
)
def test_a_bad_setting_is_named(change, field):
    raw = {**WEEK, **change}
    if change.get("timezone", "") is None:
        del raw["timezone"]
    with pytest.raises(ScheduleError) as caught:
        schedule_from_mapping(raw)
    assert caught.value.field == field


def test_overlapping_windows_name_the_later_one():
    raw = {
        "timezone": "Asia/Shanghai",
        "windows": [
            {"days": ["mon-wed"], "start": "09:00", "end": "12:00"},
            {"days": ["wed"], "start": "11:00", "end": "13:00"},
        ],
    }
    with pytest.raises(ScheduleError) as caught:
        schedule_from_mapping(raw)
    assert caught.value.field == "schedule.windows[1]"
    assert "wed" in str(caught.value)


def test_the_stricter_of_the_schedule_and_the_callees_hours_wins():
    """Shanghai's 09:00-12:00 window meets New York's 09:00-21:00 only 09:00-10:00 Shanghai."""
    schedule = schedule_from_mapping({**WEEK, "holiday_dates": []})
    policy = CompliancePolicy()
    new_york = DialTarget("ny", "+12125550100", ("America/New_York",))
    monday_noon_utc = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)  # 12:30 Shanghai
    opening = next_dial_time(
        schedule, lambda at: next_calling_time(new_york.zones, at, policy), monday_noon_utc
    )
    assert opening == local(1, 9)  # Tue 09:00 Shanghai = Mon 20:00 New York
    refused_by_law = check_campaign_dial(
        new_york, now=local(1, 11), policy=policy, schedule=schedule, do_not_call=()
    )
    assert refused_by_law is not None
    assert refused_by_law.code is RefusalCode.OUTSIDE_CALLING_HOURS
    refused_by_schedule = check_campaign_dial(
        new_york, now=local(0, 22), policy=policy, schedule=schedule, do_not_call=()
    )
    assert refused_by_schedule is not None
    assert refused_by_schedule.code is RefusalCode.OUTSIDE_CAMPAIGN_SCHEDULE
    assert (
        check_campaign_dial(
            new_york, now=local(1, 9, 30), policy=policy, schedule=schedule, do_not_call=()
        )
        is None
    )
    assert wait_for_hours(new_york, local(1, 11), policy, schedule) == local(2, 9)


# --- properties ----------------------------------------------------------------------------

ZONES = ("Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Sydney")


@st.composite
def schedules(draw: st.DrawFn) -> tuple[dict, CampaignSchedule, date]:
    """Random windows between 06:00 and 23:00 (clear of DST changes), dates and holidays."""
    windows = []
    for _ in range(draw(st.integers(1, 4))):
        days = sorted(draw(st.sets(st.integers(0, 6), min_size=1, max_size=7)))
        start = draw(st.integers(6 * 4, 22 * 4))  # quarter hours
        end = draw(st.integers(start + 1, 23 * 4))
        window = {
            "days": [("mon", "tue", "wed", "thu", "fri", "sat", "sun")[d] for d in days],
            "start": f"{start // 4:02d}:{start % 4 * 15:02d}",
            "end": f"{end // 4:02d}:{end % 4 * 15:02d}",
        }
        candidate = [*windows, window]
        try:
            schedule_from_mapping({"timezone": "UTC", "windows": candidate})
        except ScheduleError:
            continue  # overlapping: leave it out
        windows = candidate
    if not windows:
        windows = [{"days": ["mon-sun"], "start": "09:00", "end": "17:00"}]
    first = date(2026, 3, 1) + timedelta(days=draw(st.integers(0, 300)))
    raw: dict = {
        "timezone": draw(st.sampled_from(ZONES)),
        "windows": windows,
        "holiday_dates": [
            (first + timedelta(days=d)).isoformat()
            for d in draw(st.sets(st.integers(0, 30), max_size=5))
        ],
    }
    if draw(st.booleans()):
        raw["start_date"] = first.isoformat()
    if draw(st.booleans()):
        raw["end_date"] = (first + timedelta(days=draw(st.integers(0, 40)))).isoformat()
    return raw, schedule_from_mapping(raw), first


def open_by_hand(raw: dict, at: datetime) -> bool:
    """The schedule's meaning, computed directly from its JSON form."""
    here = at.astimezone(ZoneInfo(raw["timezone"]))
    day = here.date()
    if day.isoformat() in raw["holiday_dates"]:
        return False
    if "start_date" in raw and day < date.fromisoformat(raw["start_date"]):
        return False
    if "end_date" in raw and day > date.fromisoformat(raw["end_date"]):
        return False
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    wall = here.time().replace(tzinfo=None)
    return any(
        names[day.weekday()] in w["days"]
        and time.fromisoformat(w["start"]) <= wall < time.fromisoformat(w["end"])
        for w in raw["windows"]
    )


def moments(first: date) -> st.SearchStrategy[datetime]:
    """Times around the schedule's dates (a few days before its first to after its last)."""
    base = datetime.combine(first, time(), UTC)
    return st.integers(-3 * 24 * 60, 50 * 24 * 60).map(lambda m: base + timedelta(minutes=m))


@st.composite
def schedule_and_moment(draw: st.DrawFn) -> tuple[dict, CampaignSchedule, datetime]:
    raw, schedule, first = draw(schedules())
    # near a date where something changes (the start, the end, a holiday), or anywhere
    anchors = [first, *(date.fromisoformat(d) for d in raw["holiday_dates"])]
    anchors += [date.fromisoformat(raw[k]) for k in ("start_date", "end_date") if k in raw]
    anchor = draw(st.sampled_from(anchors))
    if draw(st.booleans()):
        return raw, schedule, draw(moments(first))
    # a local day near the anchor, at a time inside one of the windows, or at its edges
    day = anchor + timedelta(days=draw(st.sampled_from((0, 1, -1, 2, -2))))
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    that_day = [w for w in raw["windows"] if names[day.weekday()] in w["days"]]
    window = draw(st.sampled_from(that_day or raw["windows"]))
    start = datetime.combine(day, time.fromisoformat(window["start"]))
    end = datetime.combine(day, time.fromisoformat(window["end"]))
    minutes = int((end - start).total_seconds() // 60)
    wall = start + timedelta(minutes=draw(st.integers(-1, minutes)))
    return raw, schedule, wall.replace(tzinfo=ZoneInfo(raw["timezone"])).astimezone(UTC)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedule_and_moment())
def test_refusal_agrees_with_the_windows_read_by_hand(made):
    raw, schedule, at = made
    assert (schedule.refusal(at) is None) == open_by_hand(raw, at)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedule_and_moment())
def test_next_open_is_open_and_nothing_opens_earlier(made):
    raw, schedule, at = made
    opening = schedule.next_open(at)
    if opening is None:
        assert "end_date" in raw
        return
    assert opening >= at
    assert schedule.refusal(opening) is None
    # every quarter hour before it (windows start on quarter hours) is closed
    probe = at
    while probe < opening and probe < at + timedelta(days=3):
        assert not open_by_hand(raw, probe), probe
        probe = (probe + timedelta(minutes=15)).replace(second=0, microsecond=0)
        probe -= timedelta(minutes=probe.minute % 15)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    schedule_and_moment(),
    st.lists(st.sampled_from(ZONES), min_size=1, max_size=6),
    st.lists(st.integers(1, 180), min_size=20, max_size=120),
)
def test_no_dial_ever_outside_the_window_or_the_callees_hours(made, lead_zones, steps):
    """The dialer's loop, with its gate and its waits: every dial is inside both."""
    raw, schedule, start = made
    policy = CompliancePolicy(max_attempts_per_lead=1000, max_attempts_per_day=1000)
    targets = {
        f"l{i}": DialTarget(f"l{i}", f"+8613900000{i:03d}", (zone,))
        for i, zone in enumerate(lead_zones)
    }
    hopper = Hopper()
    hopper.add_many([(lead_id, 1.0) for lead_id in targets])
    now = start
    for minutes in steps:
        now += timedelta(minutes=minutes)
        while (lead_id := hopper.pop(now)) is not None:
            target = targets[lead_id]
            refusal = check_campaign_dial(
                target, now=now, policy=policy, schedule=schedule, do_not_call=()
            )
            if refusal is None:
                assert open_by_hand(raw, now)
                assert calling_hours_refusal(target.zones, now, policy) is None
                hopper.add(lead_id, 1.0, not_before=now + timedelta(hours=2))
                continue
            if refusal.code is RefusalCode.CAMPAIGN_ENDED:
                assert schedule.ended(now)
                continue
            assert refusal.code in WAIT_FOR_HOURS
            retry = wait_for_hours(target, now, policy, schedule)
            if retry is not None:
                assert retry > now
                if retry > now + timedelta(minutes=1):  # a real opening: dialable then
                    allowed = check_campaign_dial(
                        target, now=retry, policy=policy, schedule=schedule, do_not_call=()
                    )
                    assert allowed is None, (retry, allowed)
                hopper.add(lead_id, 1.0, not_before=retry)
