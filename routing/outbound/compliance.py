"""The law before every dial, and the abandon ledger that keeps the abandon rate under its cap.

Every rule answers with a :class:`~routing.outbound.model.Refusal` (a code and a sentence) or
None. Time is passed in (``now``, timezone-aware); time zones come in as IANA names, already
looked up from the number by :mod:`routing.outbound.numbers`. When a number maps to several
zones the stricter rule applies: the dial must be inside calling hours in every one of them.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from routing.outbound.model import DialTarget, Refusal, RefusalCode

MIN_RING_TIME_S = 15.0  # a ring shorter than this hangs up on people reaching for the phone
MAX_ABANDON_MESSAGE_S = 2.0  # an abandoned call hears the recorded message within 2 s
DEFAULT_ABANDON_CAP = 0.03  # abandoned / answered, per campaign
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class PolicyError(ValueError):
    """A compliance setting is out of the legal range; ``field`` names it."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True, slots=True)
class DayHours:
    start: time
    end: time  # exclusive: a dial at exactly ``end`` is refused

    def contains(self, local: time) -> bool:
        return self.start <= local < self.end


def _default_hours() -> tuple[DayHours | None, ...]:
    return tuple(DayHours(time(9), time(21)) for _ in WEEKDAYS)


@dataclass(frozen=True)
class CompliancePolicy:
    """Calling hours per weekday (Monday first, None = no calls that day), holidays, caps."""

    hours: tuple[DayHours | None, ...] = field(default_factory=_default_hours)
    holidays: frozenset[date] = frozenset()
    require_consent: bool = True
    max_attempts_per_lead: int = 6
    max_attempts_per_day: int = 3
    abandon_redial_block: timedelta = timedelta(hours=72)
    ring_time_s: float = 20.0
    abandon_message_within_s: float = MAX_ABANDON_MESSAGE_S
    abandon_cap: float = DEFAULT_ABANDON_CAP

    def __post_init__(self) -> None:
        if len(self.hours) != 7:
            raise PolicyError("hours", "give the calling hours of all seven weekdays")
        for name, day in zip(WEEKDAYS, self.hours, strict=True):
            if day is not None and not day.start < day.end:
                raise PolicyError(f"hours.{name}", "the start must be before the end")
        if self.ring_time_s < MIN_RING_TIME_S:
            raise PolicyError("ring_time_s", f"a ring time of at least {MIN_RING_TIME_S:g} s")
        if not 0 < self.abandon_message_within_s <= MAX_ABANDON_MESSAGE_S:
            raise PolicyError(
                "abandon_message_within_s",
                f"the recorded message must play within {MAX_ABANDON_MESSAGE_S:g} s",
            )
        if not 0 <= self.abandon_cap <= DEFAULT_ABANDON_CAP:
            raise PolicyError("abandon_cap", f"at most {DEFAULT_ABANDON_CAP:.0%} of answered calls")
        if self.max_attempts_per_lead < 1 or self.max_attempts_per_day < 1:
            raise PolicyError("max_attempts_per_lead", "attempt caps must be at least 1")
        if self.abandon_redial_block < timedelta(hours=72):
            raise PolicyError("abandon_redial_block", "no re-dial of an abandoned number in 72 h")


def policy_from_mapping(raw: Mapping[str, object]) -> CompliancePolicy:
    """A policy from a TOML-shaped mapping; unknown keys and bad values raise PolicyError."""
    known = {
        "hours",
        "holidays",
        "require_consent",
        "max_attempts_per_lead",
        "max_attempts_per_day",
        "abandon_redial_block_hours",
        "ring_time_s",
        "abandon_message_within_s",
        "abandon_cap",
    }
    for key in raw:
        if key not in known:
            raise PolicyError(str(key), "unknown setting")
    kwargs: dict[str, object] = {}
    if "hours" in raw:
        kwargs["hours"] = _hours_from(raw["hours"])
    if "holidays" in raw:
        days = raw["holidays"]
        if not isinstance(days, list):
            raise PolicyError("holidays", "a list of dates")
        try:
            kwargs["holidays"] = frozenset(
                d if isinstance(d, date) else date.fromisoformat(str(d)) for d in days
            )
        except ValueError as exc:
            raise PolicyError("holidays", str(exc)) from None
    for key in ("max_attempts_per_lead", "max_attempts_per_day"):
        if key in raw:
            kwargs[key] = _number(raw, key, int)
    for key in ("ring_time_s", "abandon_message_within_s", "abandon_cap"):
        if key in raw:
            kwargs[key] = _number(raw, key, float)
    if "abandon_redial_block_hours" in raw:
        hours = _number(raw, "abandon_redial_block_hours", float)
        kwargs["abandon_redial_block"] = timedelta(hours=hours)
    if "require_consent" in raw:
        if not isinstance(raw["require_consent"], bool):
            raise PolicyError("require_consent", "true or false")
        kwargs["require_consent"] = raw["require_consent"]
    return CompliancePolicy(**kwargs)  # type: ignore[arg-type]


def _number(raw: Mapping[str, object], key: str, kind: type[int] | type[float]) -> float:
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(key, "a number")
    if kind is int and not isinstance(value, int):
        raise PolicyError(key, "a whole number")
    return kind(value)


def _hours_from(raw: object) -> tuple[DayHours | None, ...]:
    if not isinstance(raw, Mapping):
        raise PolicyError("hours", 'a table such as {mon = "09:00-21:00", sun = "off"}')
    days: list[DayHours | None] = list(_default_hours())
    for key, text in raw.items():
        if key not in WEEKDAYS:
            raise PolicyError(f"hours.{key}", "a weekday: mon, tue, wed, thu, fri, sat or sun")
        if text == "off":
            days[WEEKDAYS.index(key)] = None
            continue
        try:
            start, end = str(text).split("-")
            days[WEEKDAYS.index(key)] = DayHours(time.fromisoformat(start), time.fromisoformat(end))
        except ValueError:
            raise PolicyError(f"hours.{key}", '"HH:MM-HH:MM" or "off"') from None
    return tuple(days)


# --- time zones -------------------------------------------------------------------------


def zone(name: str) -> ZoneInfo | None:
    """The zone named ``name``, or None when there is no such zone."""
    if not name or name.startswith("Etc/Unknown"):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def calling_hours_refusal(
    zones: Sequence[str], now: datetime, policy: CompliancePolicy
) -> Refusal | None:
    """None when ``now`` is inside calling hours in every zone, else why not."""
    if not zones:
        return Refusal(RefusalCode.UNKNOWN_TIME_ZONE, "the number maps to no time zone")
    for name in zones:
        tz = zone(name)
        if tz is None:
            return Refusal(RefusalCode.UNKNOWN_TIME_ZONE, f"unknown time zone {name!r}")
        local = now.astimezone(tz)
        if local.date() in policy.holidays:
            return Refusal(
                RefusalCode.HOLIDAY, f"{local.date().isoformat()} is a holiday in {name}"
            )
        day = policy.hours[local.weekday()]
        if day is None or not day.contains(local.time()):
            allowed = "no calls" if day is None else f"{day.start:%H:%M}-{day.end:%H:%M}"
            return Refusal(
                RefusalCode.OUTSIDE_CALLING_HOURS,
                f"it is {local:%a %H:%M} in {name}; calling hours there: {allowed}",
            )
    return None


def next_calling_time(
    zones: Sequence[str], now: datetime, policy: CompliancePolicy, *, days: int = 14
) -> datetime | None:
    """The earliest moment at or after ``now`` inside calling hours in every zone, or None.

    Candidates are ``now`` and the local opening times of each zone over the next ``days``
    days; the first one that passes :func:`calling_hours_refusal` wins.
    """
    if calling_hours_refusal(zones, now, policy) is None:
        return now
    candidates: set[datetime] = set()
    for name in zones:
        tz = zone(name)
        if tz is None:
            return None
        local_day = now.astimezone(tz).date()
        for offset in range(days + 1):
            day = local_day + timedelta(days=offset)
            hours = policy.hours[day.weekday()]
            if hours is not None:
                opening = datetime.combine(day, hours.start, tzinfo=tz)
                if opening > now:
                    candidates.add(opening)
    for candidate in sorted(candidates):
        if calling_hours_refusal(zones, candidate, policy) is None:
            return candidate
    return None


# --- the whole check --------------------------------------------------------------------


def check_dial(
    target: DialTarget,
    *,
    now: datetime,
    policy: CompliancePolicy,
    do_not_call: Container[str],
    attempts: Sequence[datetime] = (),
    last_abandoned_at: datetime | None = None,
) -> Refusal | None:
    """None when ``target`` may be dialed at ``now``; else the first rule that refuses.

    ``attempts`` are the times of earlier dials of this lead; ``last_abandoned_at`` the last
    time a call to this number was abandoned (in any campaign).
    """
    if target.number is None:
        problem = target.number_problem or "no number"
        return Refusal(RefusalCode.INVALID_NUMBER, f"not a dialable number: {problem}")
    if target.number in do_not_call:
        return Refusal(RefusalCode.DO_NOT_CALL, f"{target.number} is on the do-not-call list")
    if policy.require_consent and not target.consent:
        return Refusal(RefusalCode.NO_CONSENT, "the lead has not consented to calls")
    if len(attempts) >= policy.max_attempts_per_lead:
        return Refusal(
            RefusalCode.ATTEMPTS_PER_LEAD,
            f"{len(attempts)} attempts made; the cap is {policy.max_attempts_per_lead}",
        )
    day_ago = now - timedelta(days=1)
    today = sum(1 for at in attempts if at > day_ago)
    if today >= policy.max_attempts_per_day:
        return Refusal(
            RefusalCode.ATTEMPTS_PER_DAY,
            f"{today} attempts in the last 24 h; the cap is {policy.max_attempts_per_day}",
        )
    if last_abandoned_at is not None and now - last_abandoned_at < policy.abandon_redial_block:
        until = last_abandoned_at + policy.abandon_redial_block
        return Refusal(
            RefusalCode.ABANDONED_RECENTLY,
            f"a call to this number was abandoned at {last_abandoned_at.isoformat()}; "
            f"no re-dial before {until.isoformat()}",
        )
    return calling_hours_refusal(target.zones, now, policy)


@dataclass(frozen=True, slots=True)
class PlayAbandonMessage:
    """The command sent when a person answers and no agent is free: play the recording."""

    call_id: str
    number: str
    answered_at: datetime
    play_by: datetime


def abandon_command(
    call_id: str, number: str, answered_at: datetime, policy: CompliancePolicy
) -> PlayAbandonMessage:
    return PlayAbandonMessage(
        call_id,
        number,
        answered_at,
        answered_at + timedelta(seconds=policy.abandon_message_within_s),
    )


# --- the abandon ledger -----------------------------------------------------------------


class RollingCount:
    """A count of events over the last ``length``, kept in one-minute buckets."""

    __slots__ = ("_bucket_s", "_buckets", "_length_s", "total")

    def __init__(self, length: timedelta, bucket: timedelta = timedelta(minutes=1)) -> None:
        self._length_s = length.total_seconds()
        self._bucket_s = bucket.total_seconds()
        self._buckets: deque[list[float]] = deque()  # [bucket start (epoch s), count]
        self.total = 0.0

    def add(self, at: datetime, n: float = 1.0) -> None:
        start = math.floor(at.timestamp() / self._bucket_s) * self._bucket_s
        if self._buckets and self._buckets[-1][0] >= start:
            self._buckets[-1][1] += n  # late events join the newest bucket
        else:
            self._buckets.append([start, n])
        self.total += n

    def at(self, now: datetime) -> float:
        """The count over (now - length, now]; older buckets are dropped for good."""
        horizon = now.timestamp() - self._length_s
        buckets = self._buckets
        while buckets and buckets[0][0] + self._bucket_s <= horizon:
            self.total -= buckets.popleft()[1]
        return self.total


class AbandonLedger:
    """Answered and abandoned calls of one campaign over rolling windows (30 days and 24 h).

    An abandoned call was answered by a person, so it counts in both. The budget is how many
    more abandons the campaign could take *now* and stay within the cap in every window, with
    answered calls counted only if they will still be in the window ``horizon`` from now, so
    that the budget does not vanish as old answers leave the window.
    """

    def __init__(
        self,
        cap: float = DEFAULT_ABANDON_CAP,
        windows: Sequence[timedelta] = (timedelta(days=30), timedelta(hours=24)),
        horizon: timedelta = timedelta(hours=1),
    ) -> None:
        self.cap = cap
        self.windows = tuple(windows)
        self._answered = [RollingCount(w) for w in self.windows]
        self._answered_lasting = [RollingCount(max(w - horizon, horizon)) for w in self.windows]
        self._abandoned = [RollingCount(w) for w in self.windows]

    def record(self, at: datetime, *, abandoned: bool) -> None:
        for counts in (self._answered, self._answered_lasting):
            for count in counts:
                count.add(at)
        if abandoned:
            for count in self._abandoned:
                count.add(at)

    def rates(self, now: datetime) -> list[tuple[timedelta, float, float]]:
        """(window, answered, abandoned) per window."""
        return [
            (w, a.at(now), b.at(now))
            for w, a, b in zip(self.windows, self._answered, self._abandoned, strict=True)
        ]

    def rate(self, now: datetime, window: timedelta) -> float:
        for w, answered, abandoned in self.rates(now):
            if w == window:
                return abandoned / answered if answered else 0.0
        raise KeyError(window)

    def budget(self, now: datetime) -> float:
        """Abandons still affordable: the largest k with (B + k) <= cap (A + k) in every window.

        Counting k in the answered calls too is what makes it safe to dial k lines that might
        all be answered and abandoned. Negative when a window is already over the cap.
        """
        best = math.inf
        for lasting, abandoned in zip(self._answered_lasting, self._abandoned, strict=True):
            answered = lasting.at(now)
            spent = abandoned.at(now)
            best = min(best, (self.cap * answered - spent) / (1 - self.cap))
        return best
