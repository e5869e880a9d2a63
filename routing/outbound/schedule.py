"""A campaign's own dialing schedule: weekly windows, start and end dates, holidays skipped.

The schedule is the business's choice (e.g. Monday to Friday 09:00-12:00 and 14:00-20:00,
Saturday 10:00-16:00, in Asia/Shanghai) and holds *on top of* the callee's legal calling
hours (:mod:`routing.outbound.compliance`): a dial must be inside both, so the stricter wins.

The weekly windows and holidays are a :class:`tickets.model.BusinessCalendar` in the
campaign's time zone (the calendar the SLA clocks use, so holidays and China's make-up
working days mean the same thing in both places). Holidays come in as plain dates: the
campaign resolves its holiday tables when it is saved, as business calendars do. Pure:
time comes in as ``now``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from routing.outbound.compliance import CompliancePolicy, check_dial, next_calling_time
from routing.outbound.model import DialTarget, Refusal, RefusalCode
from tickets.model import WEEKDAY_NAMES, BusinessCalendar, LocalInterval
from tickets.model.calendar import IntervalLike, WeekdayKey

KNOWN_KEYS = frozenset(
    {"timezone", "windows", "start_date", "end_date", "holidays", "holiday_dates"}
)
# How far ahead next_dial_time looks for a time both the schedule and the callee's hours allow.
SEARCH_DAYS = 60


class ScheduleError(ValueError):
    """A schedule setting is wrong; ``field`` names it (``schedule.windows[0].start``)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True)
class CampaignSchedule:
    """When the campaign may dial, in its own time zone.

    ``start_date`` and ``end_date`` are local dates, both included; None leaves that side open.
    """

    calendar: BusinessCalendar
    start_date: date | None = None
    end_date: date | None = None

    @property
    def timezone(self) -> str:
        return self.calendar.timezone

    def _local(self, now: datetime) -> datetime:
        return now.astimezone(self.calendar.zone)

    def ended(self, now: datetime) -> bool:
        return self.end_date is not None and self._local(now).date() > self.end_date

    def refusal(self, now: datetime) -> Refusal | None:
        """None when the schedule lets the campaign dial at ``now``, else why not."""
        local = self._local(now)
        day = local.date()
        if self.end_date is not None and day > self.end_date:
            return Refusal(
                RefusalCode.CAMPAIGN_ENDED,
                f"the campaign's schedule ended on {self.end_date.isoformat()}",
            )
        if self.start_date is not None and day < self.start_date:
            return Refusal(
                RefusalCode.OUTSIDE_CAMPAIGN_SCHEDULE,
                f"the campaign's schedule starts on {self.start_date.isoformat()}",
            )
        if self.calendar.is_open(now):
            return None
        if day in self.calendar.holidays and day not in self.calendar.special_hours:
            return Refusal(
                RefusalCode.OUTSIDE_CAMPAIGN_SCHEDULE,
                f"{day.isoformat()} is a holiday in the campaign's schedule ({self.timezone})",
            )
        return Refusal(
            RefusalCode.OUTSIDE_CAMPAIGN_SCHEDULE,
            f"it is {local:%a %H:%M} in {self.timezone}; the campaign's windows that day: "
            f"{self.describe_day(day)}",
        )

    def describe_day(self, day: date) -> str:
        hours = self.calendar.hours_on(day)
        return " and ".join(str(interval) for interval in hours) or "not at all"

    def next_open(self, now: datetime) -> datetime | None:
        """``now`` if the schedule is open, else the next moment it opens; None if never."""
        if self.ended(now):
            return None
        at = now
        if self.start_date is not None:
            first = datetime.combine(self.start_date, datetime.min.time(), self.calendar.zone)
            at = max(at, first)
        try:
            opening = self.calendar.next_open(at)
        except ValueError:  # no opening ahead at all
            return None
        if self.ended(opening):
            return None
        return opening


def next_dial_time(
    schedule: CampaignSchedule | None,
    legal_next: Callable[[datetime], datetime | None],
    now: datetime,
    *,
    search_days: int = SEARCH_DAYS,
) -> datetime | None:
    """The first moment at or after ``now`` allowed by both the schedule and the callee's
    hours; ``legal_next(at)`` gives the callee's next calling time at or after ``at`` (or
    None). None when there is none within ``search_days``.

    Alternates between the two until they agree: each step moves forward to the next
    opening of one of them, so it ends within a few steps for ordinary hours.
    """
    limit = now + timedelta(days=search_days)
    at: datetime | None = now
    while at is not None and at <= limit:
        legal = legal_next(at)
        if legal is None:
            return None
        if schedule is None:
            return legal
        opening = schedule.next_open(legal)
        if opening is None:
            return None
        if opening == legal:
            return opening
        at = opening
    return None


# Refusals that pass with time: the lead waits until both are open.
WAIT_FOR_HOURS = frozenset(
    {
        RefusalCode.OUTSIDE_CALLING_HOURS,
        RefusalCode.HOLIDAY,
        RefusalCode.OUTSIDE_CAMPAIGN_SCHEDULE,
    }
)


def check_campaign_dial(
    target: DialTarget,
    *,
    now: datetime,
    policy: CompliancePolicy,
    schedule: CampaignSchedule | None,
    do_not_call: Container[str],
    attempts: Sequence[datetime] = (),
    last_abandoned_at: datetime | None = None,
) -> Refusal | None:
    """The dialer's gate: None when ``target`` may be dialed at ``now``.

    The law first (:func:`~routing.outbound.compliance.check_dial`: numbers, do-not-call,
    consent, attempts, the callee's calling hours), then the campaign's schedule; a dial
    must pass both, so the stricter wins.
    """
    refusal = check_dial(
        target,
        now=now,
        policy=policy,
        do_not_call=do_not_call,
        attempts=attempts,
        last_abandoned_at=last_abandoned_at,
    )
    if refusal is None and schedule is not None:
        refusal = schedule.refusal(now)
    return refusal


def wait_for_hours(
    target: DialTarget,
    now: datetime,
    policy: CompliancePolicy,
    schedule: CampaignSchedule | None,
) -> datetime | None:
    """When a lead refused for the hours (the callee's or the schedule's) may be tried
    again: strictly after ``now`` (a minute on at least), or None when never."""
    at = next_dial_time(schedule, lambda t: next_calling_time(target.zones, t, policy), now)
    if at is not None and at <= now:
        at = now + timedelta(minutes=1)
    return at


# --- from the stored / posted form -----------------------------------------------------------


def _day_indexes(field_name: str, raw: object) -> list[int]:
    items: Sequence[object]
    if isinstance(raw, str):
        items = [raw]
    elif isinstance(raw, list) and raw:
        items = raw
    else:
        raise ScheduleError(field_name, 'weekdays such as ["mon-fri"] or ["sat", "sun"]')
    days: list[int] = []
    for index, item in enumerate(items):
        where = f"{field_name}[{index}]"
        text = str(item).strip().lower()
        first, _, last = text.partition("-")
        lo = _weekday(first)
        hi = _weekday(last) if last else lo
        if lo < 0 or hi < lo or not isinstance(item, str):
            raise ScheduleError(where, f"{item!r} is not a weekday or a range such as 'mon-fri'")
        days.extend(range(lo, hi + 1))
    return days


def _weekday(text: str) -> int:
    """0 (Monday) .. 6 from "mon" or "monday"; -1 for anything else."""
    for index, name in enumerate(WEEKDAY_NAMES):
        if text.strip() in (name, name[:3]):
            return index
    return -1


def _date(field_name: str, raw: object) -> date | None:
    if raw is None:
        return None
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ScheduleError(field_name, f"{raw!r} is not a date (YYYY-MM-DD)") from None


def _hhmm(field_name: str, raw: object, *, end: bool = False) -> LocalInterval:
    """A time of day as the calendar reads it (``24:00`` only as an end)."""
    if not isinstance(raw, str):
        raise ScheduleError(field_name, "a time of day such as '09:00'")
    if end and raw.strip() in ("0:00", "00:00"):
        raise ScheduleError(field_name, "a window ends after it starts: use 24:00 for midnight")
    try:
        return LocalInterval.of("00:00", raw) if end else LocalInterval.of(raw, "24:00")
    except (ValueError, TypeError):
        raise ScheduleError(field_name, f"{raw!r} is not a time of day (HH:MM)") from None


def weekly_from_windows(raw: object) -> dict[WeekdayKey, list[IntervalLike]]:
    """``[{"days": ["mon-fri"], "start": "09:00", "end": "12:00"}, ...]`` as weekly hours;
    raises :class:`ScheduleError` naming the window and key at fault."""
    if not isinstance(raw, list) or not raw:
        raise ScheduleError(
            "schedule.windows",
            'a list of windows such as {"days": ["mon-fri"], "start": "09:00", "end": "12:00"}',
        )
    weekly: dict[int, list[tuple[int, int, int]]] = {}
    for index, window in enumerate(raw):
        where = f"schedule.windows[{index}]"
        if not isinstance(window, Mapping):
            raise ScheduleError(where, 'an object with "days", "start" and "end"')
        for key in window:
            if key not in ("days", "start", "end"):
                raise ScheduleError(f"{where}.{key}", "unknown setting")
        for key in ("days", "start", "end"):
            if key not in window:
                raise ScheduleError(f"{where}.{key}", "required")
        days = _day_indexes(f"{where}.days", window["days"])
        start = _hhmm(f"{where}.start", window["start"]).start_us
        end = _hhmm(f"{where}.end", window["end"], end=True).end_us
        if end <= start:
            raise ScheduleError(
                f"{where}.end", f"{window['end']} is not after the start {window['start']}"
            )
        for day in days:
            weekly.setdefault(day, []).append((start, end, index))
    out: dict[WeekdayKey, list[IntervalLike]] = {}
    for day, spans in weekly.items():
        spans.sort()
        for (_, end_a, a), (start_b, _, b) in itertools.pairwise(spans):
            if start_b < end_a:
                raise ScheduleError(
                    f"schedule.windows[{max(a, b)}]",
                    f"overlaps schedule.windows[{min(a, b)}] on {WEEKDAY_NAMES[day]}",
                )
        out[day] = [str(LocalInterval(s, e)) for s, e, _ in spans]
    return out


def schedule_from_mapping(
    raw: Mapping[str, object],
    *,
    holidays: Iterable[date] | None = None,
    extra_working_days: Iterable[date] | None = None,
) -> CampaignSchedule:
    """A schedule from its JSON form; ``holidays``/``extra_working_days`` default to the
    resolved lists stored in ``raw`` (``resolved_holidays``, ``resolved_extra_working_days``).

    Raises :class:`ScheduleError` naming the field (``schedule.windows[0].start``).
    """
    stored = {"resolved_holidays", "resolved_extra_working_days", "holidays_known_until"}
    for key in raw:
        if key not in KNOWN_KEYS and key not in stored:
            raise ScheduleError(f"schedule.{key}", "unknown setting")
    zone_name = raw.get("timezone")
    if not isinstance(zone_name, str) or not zone_name.strip():
        raise ScheduleError("schedule.timezone", "required: an IANA name such as 'Asia/Shanghai'")
    weekly = weekly_from_windows(raw.get("windows"))
    start = _date("schedule.start_date", raw.get("start_date"))
    end = _date("schedule.end_date", raw.get("end_date"))
    if start is not None and end is not None and end < start:
        raise ScheduleError("schedule.end_date", "the end date is before the start date")
    listed = raw.get("holiday_dates", [])
    if not isinstance(listed, list):
        raise ScheduleError("schedule.holiday_dates", "a list of dates")
    own = {
        d
        for i, item in enumerate(listed)
        if (d := _date(f"schedule.holiday_dates[{i}]", item)) is not None
    }
    if holidays is None:
        holidays = (_date("schedule", d) or date.min for d in _list(raw, "resolved_holidays"))
    if extra_working_days is None:
        extra_working_days = (
            _date("schedule", d) or date.min for d in _list(raw, "resolved_extra_working_days")
        )
    days_off = own | set(holidays)
    # China's make-up working days (调休) dial with Monday's windows, as business calendars
    # work them; a date the campaign lists as a holiday stays off.
    extra = set(extra_working_days) - days_off if weekly.get(0) else set()
    try:
        calendar = BusinessCalendar(
            zone_name.strip(), weekly, holidays=days_off, extra_working_days=extra
        )
    except (ValueError, TypeError) as exc:
        text = str(exc)
        field_name = "schedule.timezone" if "time zone" in text else "schedule.windows"
        raise ScheduleError(field_name, text) from None
    return CampaignSchedule(calendar, start, end)


def _list(raw: Mapping[str, object], key: str) -> list[object]:
    value = raw.get(key, [])
    return list(value) if isinstance(value, list) else []
