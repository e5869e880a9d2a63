"""Business-time arithmetic on a :class:`~tickets.model.calendar.BusinessCalendar`.

Exact to the microsecond: instants are handled as integer microseconds since the Unix epoch
(UTC), so there is no float and no rounding anywhere.

How a local opening interval becomes real time (DST, documented in ``docs/sla.md``):

* Each interval of a local date is turned into one contiguous span of real time, from the
  *first* instant the wall clock shows the opening time to the *last* instant it shows the
  closing time. On a normal day that is the obvious thing.
* Spring forward (a gap): a wall time that never happens is mapped to the instant the clocks
  jump. So 01:00-04:00 on 2026-03-29 in Europe/Berlin is 00:00Z-02:00Z: 2 real hours; an
  interval that lies wholly inside the gap (02:00-02:30 that day) contributes nothing.
* Fall back (an overlap): an opening time that happens twice opens at its first occurrence,
  a closing time that happens twice closes at its second. So 01:00-04:00 on 2026-10-25 in
  Europe/Berlin is 4 real hours, and 02:15-02:45 that day is 1.5 real hours.
* Spans are unioned: real time is never counted twice, even where two intervals (or the end
  of one day and the start of the next) map onto the same instants.

Long spans are walked day by day (never minute by minute), up to ``MAX_HORIZON`` (10 years);
beyond that the functions raise ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from tickets.model.calendar import LocalInterval

__all__ = [
    "MAX_HORIZON",
    "SpanSource",
    "add",
    "add_us",
    "between",
    "between_us",
    "from_us",
    "is_open",
    "iter_spans",
    "local_day_spans",
    "next_close",
    "next_open",
    "open_spans",
    "to_us",
]

MAX_HORIZON = timedelta(days=3653)
"""The longest span the engine walks (10 years): longer requests raise ``ValueError``."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_ONE_US = timedelta(microseconds=1)
_ONE_DAY = timedelta(days=1)
_HORIZON_US = MAX_HORIZON // _ONE_US


class SpanSource(Protocol):
    """What the arithmetic needs from a calendar."""

    @property
    def zone(self) -> ZoneInfo: ...

    def day_spans(self, day: date) -> tuple[tuple[int, int], ...]: ...


# -- instants ------------------------------------------------------------------------------


def to_us(at: datetime, *, what: str = "datetime") -> int:
    """An aware datetime as microseconds since the epoch. Naive datetimes are refused."""
    if not isinstance(at, datetime):
        raise TypeError(f"{what}: expected a datetime, got {at!r}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} {at.isoformat()}: naive datetime, give a time zone")
    return (at - _EPOCH) // _ONE_US


def from_us(us: int) -> datetime:
    """Microseconds since the epoch as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=us)


def _duration_us(duration: timedelta, *, what: str = "duration") -> int:
    if not isinstance(duration, timedelta):
        raise TypeError(f"{what}: expected a timedelta, got {duration!r}")
    if duration < timedelta(0):
        raise ValueError(f"{what} {duration}: must not be negative")
    return duration // _ONE_US


def _local_date(zone: ZoneInfo, us: int) -> date:
    return from_us(us).astimezone(zone).date()


def _offset_us(zone: ZoneInfo, us: int) -> int:
    off = from_us(us).astimezone(zone).utcoffset()
    assert off is not None
    return off // _ONE_US


def _wall_to_us(zone: ZoneInfo, day: date, us_of_day: int, *, closing: bool) -> int:
    """A local wall-clock time on ``day`` (``us_of_day`` may be 24:00) as an instant.

    Opening times take the first occurrence, closing times the last; a time skipped by a
    spring-forward change maps to the instant of the jump.
    """
    naive = datetime.combine(day, time()) + timedelta(microseconds=us_of_day)
    wall = (naive - _NAIVE_EPOCH) // _ONE_US
    off0 = naive.replace(tzinfo=zone, fold=0).utcoffset()
    off1 = naive.replace(tzinfo=zone, fold=1).utcoffset()
    assert off0 is not None
    assert off1 is not None
    u0 = wall - off0 // _ONE_US  # PEP 495: the offset before a transition
    u1 = wall - off1 // _ONE_US  # the offset after it
    if u0 == u1:
        return u0
    if u0 < u1:  # overlap: the wall time happens twice
        return u1 if closing else u0
    # Gap: the wall time never happens. The jump is in (u1, u0]; find it exactly.
    after = off1 // _ONE_US
    lo, hi = u1, u0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset_us(zone, mid) == after:
            hi = mid
        else:
            lo = mid
    return hi


def local_day_spans(
    zone: ZoneInfo, day: date, intervals: Sequence[LocalInterval]
) -> tuple[tuple[int, int], ...]:
    """The real spans (UTC microseconds, sorted, disjoint) of one date's local intervals."""
    spans = sorted(
        (
            _wall_to_us(zone, day, iv.start_us, closing=False),
            _wall_to_us(zone, day, iv.end_us, closing=True),
        )
        for iv in intervals
    )
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if e <= s:
            continue  # wholly inside a DST gap
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return tuple(merged)


# -- spans -----------------------------------------------------------------------------------


def iter_spans(cal: SpanSource, start_us: int, limit_us: int) -> Iterator[tuple[int, int]]:
    """The open parts of [start_us, limit_us): disjoint, in order, clipped to both ends.

    Walks local dates from the day before ``start_us`` (whose last interval may reach past
    midnight in real time on a DST day) and unions the spans of consecutive days.
    """
    if limit_us <= start_us:
        return
    zone = cal.zone
    day = _local_date(zone, start_us) - _ONE_DAY
    last_day = _local_date(zone, limit_us) + _ONE_DAY
    cursor = start_us
    while day <= last_day:
        for s, e in cal.day_spans(day):
            if s < cursor:
                s = cursor
            if e <= s:
                continue
            if s >= limit_us:
                return
            yield s, min(e, limit_us)
            cursor = e
        day += _ONE_DAY


def add_us(cal: SpanSource, start_us: int, duration_us: int) -> int:
    """:func:`add` on microseconds."""
    if duration_us == 0:
        return start_us
    remaining = duration_us
    for s, e in iter_spans(cal, start_us, start_us + _HORIZON_US):
        if remaining <= e - s:
            return s + remaining
        remaining -= e - s
    raise ValueError(
        f"no {timedelta(microseconds=duration_us)} of business time within "
        f"{MAX_HORIZON.days} days of {from_us(start_us).isoformat()}: the calendar is "
        "(nearly) always closed or the duration is too long"
    )


def between_us(cal: SpanSource, start_us: int, end_us: int) -> int:
    """:func:`between` on microseconds."""
    if end_us < start_us:
        raise ValueError(
            f"between: end {from_us(end_us).isoformat()} is before start "
            f"{from_us(start_us).isoformat()}"
        )
    if end_us - start_us > _HORIZON_US:
        raise ValueError(
            f"between: span of {timedelta(microseconds=end_us - start_us)} is longer than the "
            f"{MAX_HORIZON.days}-day horizon"
        )
    return sum(e - s for s, e in iter_spans(cal, start_us, end_us))


# -- public API on datetimes ---------------------------------------------------------------


def add(cal: SpanSource, start: datetime, duration: timedelta) -> datetime:
    """The earliest instant (UTC) at which ``duration`` of business time has elapsed since
    ``start``. ``duration`` zero gives ``start`` itself; a positive duration always ends
    inside or at the end of an open interval (Friday 17:00 + 1h with 18:00 closing is
    Friday 18:00, not Monday morning)."""
    return from_us(add_us(cal, to_us(start, what="start"), _duration_us(duration)))


def between(cal: SpanSource, start: datetime, end: datetime) -> timedelta:
    """Business time in [start, end). ``end`` before ``start`` raises ``ValueError``."""
    return timedelta(
        microseconds=between_us(cal, to_us(start, what="start"), to_us(end, what="end"))
    )


def is_open(cal: SpanSource, at: datetime) -> bool:
    """Whether ``at`` is business time (intervals are closed at the start, open at the end)."""
    t = to_us(at, what="at")
    return any(True for _ in iter_spans(cal, t, t + 1))


def next_open(cal: SpanSource, at: datetime) -> datetime:
    """``at`` in UTC if open, else the next instant business time starts."""
    t = to_us(at, what="at")
    for s, _ in iter_spans(cal, t, t + _HORIZON_US):
        return from_us(s)
    raise ValueError(f"calendar does not open within {MAX_HORIZON.days} days of {at.isoformat()}")


def next_close(cal: SpanSource, at: datetime) -> datetime:
    """``at`` in UTC if closed, else the instant the current open period ends (across
    midnight when consecutive days touch)."""
    t = to_us(at, what="at")
    limit = t + _HORIZON_US
    end = t
    for s, e in iter_spans(cal, t, limit):
        if s > end:
            break
        end = e
    if end >= limit:
        raise ValueError(
            f"calendar does not close within {MAX_HORIZON.days} days of {at.isoformat()}"
        )
    return from_us(end)


def open_spans(
    cal: SpanSource, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The open parts of [start, end) as aware UTC datetimes."""
    s_us, e_us = to_us(start, what="start"), to_us(end, what="end")
    if e_us - s_us > _HORIZON_US:
        raise ValueError(f"open_spans: span longer than the {MAX_HORIZON.days}-day horizon")
    for s, e in iter_spans(cal, s_us, e_us):
        yield from_us(s), from_us(e)
