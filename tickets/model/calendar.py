"""Business calendars: a time zone, weekly opening hours, holidays and date exceptions.

Pure data with validation; the arithmetic lives in :mod:`tickets.model.business_time`.
Standard library only.

Precedence for one local date, first rule that applies:

1. ``special_hours[date]`` (an empty list closes the date);
2. ``closed_dates`` or ``holidays``: closed;
3. ``extra_working_days``: open with the hours given for that date, or else the weekly hours
   of ``extra_working_day_hours`` (Monday by default): China's make-up working weekends;
4. the weekly hours of that weekday.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tickets.model import business_time as _bt

__all__ = [
    "WEEKDAY_NAMES",
    "BusinessCalendar",
    "IntervalLike",
    "LocalInterval",
    "WeekdayKey",
    "hours",
]

US_PER_DAY = 86_400_000_000
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*$")


def _parse_time_of_day(value: time | str, *, what: str) -> int:
    """Microseconds since local midnight; ``"24:00"`` is accepted (end of day)."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError(f"{what} {value.isoformat()}: give a wall-clock time without tzinfo")
        return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + (
            value.microsecond
        )
    if not isinstance(value, str):
        raise TypeError(f"{what}: expected a datetime.time or 'HH:MM', got {value!r}")
    m = _TIME.match(value)
    if m is None:
        raise ValueError(f"{what} {value!r}: expected 'HH:MM', 'HH:MM:SS' or 'HH:MM:SS.ffffff'")
    hh, mm, ss = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    frac = int((m.group(4) or "0").ljust(6, "0"))
    if (hh, mm, ss, frac) == (24, 0, 0, 0):
        return US_PER_DAY
    if hh > 23 or mm > 59 or ss > 59:
        raise ValueError(f"{what} {value!r}: not a time of day (00:00 to 24:00)")
    return ((hh * 60 + mm) * 60 + ss) * 1_000_000 + frac


def _format_us(us: int) -> str:
    if us == US_PER_DAY:
        return "24:00"
    secs, frac = divmod(us, 1_000_000)
    hh, rest = divmod(secs, 3600)
    mm, ss = divmod(rest, 60)
    text = f"{hh:02d}:{mm:02d}"
    if ss or frac:
        text += f":{ss:02d}"
    if frac:
        text += f".{frac:06d}"
    return text


@dataclass(frozen=True, order=True)
class LocalInterval:
    """Opening hours on one day, in local wall-clock time: [start, end).

    Stored as microseconds since local midnight; ``end`` may be 24:00 (``US_PER_DAY``).
    """

    start_us: int
    end_us: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_us < US_PER_DAY:
            raise ValueError(f"interval start {self.start_us}us: must be within 00:00 and 24:00")
        if not 0 < self.end_us <= US_PER_DAY:
            raise ValueError(f"interval end {self.end_us}us: must be within 00:00 and 24:00")
        if self.end_us <= self.start_us:
            raise ValueError(
                f"interval {_format_us(self.start_us)}-{_format_us(self.end_us)}: "
                "end must be after start"
            )

    @classmethod
    def of(cls, start: time | str, end: time | str) -> LocalInterval:
        """From two times of day; ``end`` may be ``"24:00"``."""
        s = _parse_time_of_day(start, what="interval start")
        e = _parse_time_of_day(end, what="interval end")
        if s == US_PER_DAY:
            raise ValueError("interval start 24:00: an interval cannot start at the end of the day")
        if e <= s:
            raise ValueError(f"interval {_format_us(s)}-{_format_us(e)}: end must be after start")
        return cls(s, e)

    @classmethod
    def parse(cls, spec: str) -> LocalInterval:
        """From ``"09:00-12:00"`` (a hyphen or an en dash between the two times)."""
        parts = re.split(r"\s*[-–]\s*", spec.strip())
        if len(parts) != 2:
            raise ValueError(f"interval {spec!r}: expected 'HH:MM-HH:MM'")
        return cls.of(parts[0], parts[1])

    @property
    def start(self) -> time:
        return _us_to_time(self.start_us)

    @property
    def end(self) -> time | None:
        """The end as a time of day, or ``None`` for 24:00."""
        return None if self.end_us == US_PER_DAY else _us_to_time(self.end_us)

    @property
    def nominal_length(self) -> timedelta:
        """Length on the wall clock (a DST change on the day may make the real length differ)."""
        return timedelta(microseconds=self.end_us - self.start_us)

    def __str__(self) -> str:
        return f"{_format_us(self.start_us)}-{_format_us(self.end_us)}"


def _us_to_time(us: int) -> time:
    secs, frac = divmod(us, 1_000_000)
    hh, rest = divmod(secs, 3600)
    mm, ss = divmod(rest, 60)
    return time(hh, mm, ss, frac)


IntervalLike = Union[LocalInterval, str, tuple[time | str, time | str]]  # noqa: UP007
WeekdayKey = int | str


def _to_interval(value: IntervalLike) -> LocalInterval:
    if isinstance(value, LocalInterval):
        return value
    if isinstance(value, str):
        return LocalInterval.parse(value)
    if isinstance(value, tuple) and len(value) == 2:
        return LocalInterval.of(value[0], value[1])
    raise TypeError(
        f"interval {value!r}: expected a LocalInterval, 'HH:MM-HH:MM' or a (start, end) pair"
    )


def hours(*specs: IntervalLike) -> tuple[LocalInterval, ...]:
    """Shorthand: ``hours("09:00-12:00", "13:30-18:00")``."""
    return tuple(_to_interval(s) for s in specs)


def _day_hours(values: Iterable[IntervalLike], *, where: str) -> tuple[LocalInterval, ...]:
    if isinstance(values, (str, LocalInterval)):
        values = [values]
    try:
        items = sorted(_to_interval(v) for v in values)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"{where}: {exc}") from None
    for prev, cur in itertools.pairwise(items):
        if cur.start_us < prev.end_us:
            raise ValueError(f"{where}: intervals {prev} and {cur} overlap")
    # Touching intervals (12:00-13:00 and 13:00-14:00) are merged: same business time.
    merged: list[LocalInterval] = []
    for cur in items:
        if merged and cur.start_us == merged[-1].end_us:
            merged[-1] = LocalInterval(merged[-1].start_us, cur.end_us)
        else:
            merged.append(cur)
    return tuple(merged)


def _weekday_index(key: WeekdayKey) -> int:
    if isinstance(key, bool):
        raise TypeError(f"weekday {key!r}: expected 0-6 (Monday=0) or a weekday name")
    if isinstance(key, int):
        if 0 <= key <= 6:
            return key
        raise ValueError(f"weekday {key}: expected 0-6 (Monday=0)")
    if isinstance(key, str):
        k = key.strip().lower()
        for i, name in enumerate(WEEKDAY_NAMES):
            if len(k) >= 3 and name.startswith(k):
                return i
        raise ValueError(f"weekday {key!r}: expected a weekday name such as 'monday' or 'mon'")
    raise TypeError(f"weekday {key!r}: expected 0-6 (Monday=0) or a weekday name")


def _dates(values: Iterable[date], *, what: str) -> frozenset[date]:
    out: set[date] = set()
    for d in values:
        if isinstance(d, datetime) or not isinstance(d, date):
            raise TypeError(f"{what}: expected datetime.date values, got {d!r}")
        out.add(d)
    return frozenset(out)


def _check_date(d: object, *, what: str) -> date:
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"{what}: expected datetime.date keys, got {d!r}")
    return d


class BusinessCalendar:
    """An immutable business calendar, validated on construction.

    ``weekly`` maps weekdays (0-6 with Monday=0, or names such as ``"mon"``) to the opening
    intervals of that day: ``{"mon": ["09:00-12:00", "13:30-18:00"], ...}``. Days left out are
    closed. Raises ``ValueError`` naming the problem for an unknown time zone, an interval
    whose end is not after its start, overlapping intervals on a day, a calendar with no
    weekly working time at all, and an extra working day that is also a holiday or closed.
    """

    __slots__ = (
        "_closed_dates",
        "_extra",
        "_extra_hours_weekday",
        "_holidays",
        "_key",
        "_spans_cache",
        "_special",
        "_timezone",
        "_weekly",
        "_zone",
    )

    _timezone: str
    _zone: ZoneInfo
    _weekly: tuple[tuple[LocalInterval, ...], ...]
    _holidays: frozenset[date]
    _closed_dates: frozenset[date]
    _extra: dict[date, tuple[LocalInterval, ...]]
    _extra_hours_weekday: int
    _special: dict[date, tuple[LocalInterval, ...]]
    _key: tuple[object, ...]
    _spans_cache: dict[date, tuple[tuple[int, int], ...]]

    def __init__(
        self,
        timezone: str,
        weekly: Mapping[WeekdayKey, Iterable[IntervalLike]],
        *,
        holidays: Iterable[date] = (),
        extra_working_days: Iterable[date] | Mapping[date, Iterable[IntervalLike]] = (),
        extra_working_day_hours: WeekdayKey = 0,
        closed_dates: Iterable[date] = (),
        special_hours: Mapping[date, Iterable[IntervalLike]] | None = None,
    ) -> None:
        if not isinstance(timezone, str) or not timezone.strip():
            raise ValueError(f"time zone {timezone!r}: give an IANA name such as 'Europe/Berlin'")
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(
                f"unknown time zone {timezone!r}: give an IANA name such as 'Asia/Shanghai'"
            ) from None

        if not isinstance(weekly, Mapping):
            raise TypeError(
                "weekly: expected a mapping of weekday to intervals, such as "
                "{'mon': ['09:00-12:00', '13:30-18:00']}"
            )
        week: list[tuple[LocalInterval, ...]] = [() for _ in range(7)]
        seen: set[int] = set()
        for key, values in weekly.items():
            idx = _weekday_index(key)
            if idx in seen:
                raise ValueError(f"weekly hours: {WEEKDAY_NAMES[idx]} is given twice")
            seen.add(idx)
            week[idx] = _day_hours(values, where=f"weekly hours on {WEEKDAY_NAMES[idx]}")
        if not any(week):
            raise ValueError(
                "calendar has no working time at all: give opening hours for at least one weekday"
            )

        hol = _dates(holidays, what="holidays")
        closed = _dates(closed_dates, what="closed dates")
        extra_idx = _weekday_index(extra_working_day_hours)

        extra: dict[date, tuple[LocalInterval, ...]] = {}
        if isinstance(extra_working_days, Mapping):
            for d, values in extra_working_days.items():
                d = _check_date(d, what="extra working days")
                extra[d] = _day_hours(values, where=f"extra working day {d.isoformat()}")
                if not extra[d]:
                    raise ValueError(
                        f"extra working day {d.isoformat()}: no hours given (use closed_dates "
                        "to close a date)"
                    )
        else:
            days = _dates(extra_working_days, what="extra working days")
            if days and not week[extra_idx]:
                raise ValueError(
                    f"extra working days use the hours of {WEEKDAY_NAMES[extra_idx]}, which has "
                    "none: set extra_working_day_hours to a working weekday"
                )
            extra = dict.fromkeys(days, week[extra_idx])
        clash = sorted(set(extra) & (hol | closed))
        if clash:
            listed = ", ".join(d.isoformat() for d in clash[:5])
            raise ValueError(f"dates both extra working days and holidays/closed dates: {listed}")

        special: dict[date, tuple[LocalInterval, ...]] = {}
        for d, values in (special_hours or {}).items():
            d = _check_date(d, what="special hours")
            special[d] = _day_hours(values, where=f"special hours on {d.isoformat()}")

        set_ = object.__setattr__
        set_(self, "_timezone", timezone)
        set_(self, "_zone", zone)
        set_(self, "_weekly", tuple(week))
        set_(self, "_holidays", hol)
        set_(self, "_closed_dates", closed)
        set_(self, "_extra", extra)
        set_(self, "_extra_hours_weekday", extra_idx)
        set_(self, "_special", special)
        set_(
            self,
            "_key",
            (
                timezone,
                tuple(week),
                hol,
                closed,
                tuple(sorted(extra.items())),
                extra_idx,
                tuple(sorted(special.items())),
            ),
        )
        set_(self, "_spans_cache", {})

    @classmethod
    def always_open(cls, timezone: str = "UTC") -> BusinessCalendar:
        """24/7: every instant is business time."""
        return cls(timezone, {day: ["00:00-24:00"] for day in range(7)})

    # -- immutability, equality ------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"BusinessCalendar is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"BusinessCalendar is immutable (cannot delete {name!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        days = ", ".join(
            f"{WEEKDAY_NAMES[i][:3]}: {' '.join(str(iv) for iv in ivs)}"
            for i, ivs in enumerate(self._weekly)
            if ivs
        )
        return (
            f"BusinessCalendar({self._timezone!r}, {{{days}}}, holidays={len(self._holidays)}, "
            f"extra_working_days={len(self._extra)}, closed_dates={len(self._closed_dates)}, "
            f"special_hours={len(self._special)})"
        )

    # -- data --------------------------------------------------------------------------------

    @property
    def timezone(self) -> str:
        return self._timezone

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    @property
    def weekly(self) -> tuple[tuple[LocalInterval, ...], ...]:
        """Seven tuples of intervals, Monday first."""
        return self._weekly

    @property
    def holidays(self) -> frozenset[date]:
        return self._holidays

    @property
    def closed_dates(self) -> frozenset[date]:
        return self._closed_dates

    @property
    def extra_working_days(self) -> Mapping[date, tuple[LocalInterval, ...]]:
        return dict(self._extra)

    @property
    def special_hours(self) -> Mapping[date, tuple[LocalInterval, ...]]:
        return dict(self._special)

    def hours_on(self, day: date) -> tuple[LocalInterval, ...]:
        """The local opening intervals of one date, after holidays and exceptions."""
        if day in self._special:
            return self._special[day]
        if day in self._closed_dates or day in self._holidays:
            return ()
        if day in self._extra:
            return self._extra[day]
        return self._weekly[day.weekday()]

    def day_spans(self, day: date) -> tuple[tuple[int, int], ...]:
        """The real open spans of one local date, as UTC microseconds since the epoch.

        Sorted, disjoint; see :func:`tickets.model.business_time.local_day_spans` for DST.
        """
        cached = self._spans_cache.get(day)
        if cached is None:
            if len(self._spans_cache) > 8192:
                self._spans_cache.clear()
            cached = _bt.local_day_spans(self._zone, day, self.hours_on(day))
            self._spans_cache[day] = cached
        return cached

    def open_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The real open intervals of one local date as aware UTC datetimes."""
        return [(_bt.from_us(s), _bt.from_us(e)) for s, e in self.day_spans(day)]

    # -- arithmetic (see business_time) ---------------------------------------------------------

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant (UTC) when ``duration`` of business time has elapsed from ``start``."""
        return _bt.add(self, start, duration)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time in [start, end)."""
        return _bt.between(self, start, end)

    def is_open(self, at: datetime) -> bool:
        return _bt.is_open(self, at)

    def next_open(self, at: datetime) -> datetime:
        """``at`` (in UTC) if open, else the next instant the calendar opens."""
        return _bt.next_open(self, at)

    def next_close(self, at: datetime) -> datetime:
        """``at`` (in UTC) if closed, else the instant the current open period ends."""
        return _bt.next_close(self, at)

    def open_spans(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open parts of [start, end), as aware UTC datetimes, in order."""
        return _bt.open_spans(self, start, end)
