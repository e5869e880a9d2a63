"""SLA clocks: business time elapsed against a target, with pauses and escalation levels.

Pure: the calendar does the arithmetic, ``now`` is always an argument, nothing is stored.

Semantics (see ``docs/sla.md``):

* The clock runs from ``start`` in business time of its calendar, except between a pause and
  the following resume.
* Events are given in time order (equal times keep their given order); an event before
  ``start`` or out of order raises ``ValueError``.
* A pause while already paused, or a resume while running, is an idempotent no-op (it is
  kept in :attr:`SLAClock.ignored_events` for audit): status changes between two paused
  statuses, or a replayed event, must not disturb the clock.
* Events after ``now`` are not yet known at ``now`` and are ignored by every query at ``now``:
  one clock built from the full history answers for any ``now``.
* A level is reached at the earliest instant its share of the target has elapsed. Paused
  time does not count, so a level that would fall inside a pause moves out by the
  (business) length of the pause; nothing is reached while paused.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from tickets.model import business_time as _bt
from tickets.model.calendar import BusinessCalendar

__all__ = [
    "DEFAULT_LEVELS",
    "ClockAction",
    "ClockEvent",
    "EscalationLevel",
    "LevelState",
    "SLAClock",
    "SLAStatus",
    "TimelineEntry",
    "TimelineKind",
    "events_from_status_changes",
]

_ONE_US = timedelta(microseconds=1)


class ClockAction(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"


@dataclass(frozen=True)
class ClockEvent:
    """A pause or resume at an instant; ``note`` is free text (e.g. the status entered)."""

    at: datetime
    action: ClockAction
    note: str = ""

    def __post_init__(self) -> None:
        _bt.to_us(self.at, what=f"{self.action} event")
        object.__setattr__(self, "action", ClockAction(self.action))

    @classmethod
    def pause(cls, at: datetime, note: str = "") -> ClockEvent:
        return cls(at, ClockAction.PAUSE, note)

    @classmethod
    def resume(cls, at: datetime, note: str = "") -> ClockEvent:
        return cls(at, ClockAction.RESUME, note)


def events_from_status_changes(
    changes: Iterable[tuple[datetime, str]], paused_statuses: Collection[str]
) -> list[ClockEvent]:
    """Pause/resume events from a request's status history ``[(at, new_status), ...]``.

    Entering a paused status from a running one pauses; leaving the paused statuses resumes;
    moving between two paused (or two running) statuses changes nothing. The history starts
    running: give the initial status as the first change if it may be a paused one.
    """
    events: list[ClockEvent] = []
    paused = False
    for at, status in changes:
        now_paused = status in paused_statuses
        if now_paused and not paused:
            events.append(ClockEvent.pause(at, status))
        elif paused and not now_paused:
            events.append(ClockEvent.resume(at, status))
        paused = now_paused
    return events


def _ratio(value: float | int | Fraction | Decimal) -> Fraction:
    if isinstance(value, bool):
        raise TypeError(f"level fraction {value!r}: expected a number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"level fraction {value!r}: must be finite")
        return Fraction(repr(value))  # 0.1 means one tenth, not the nearest binary float
    if isinstance(value, (int, Fraction, Decimal)):
        return Fraction(value)
    raise TypeError(f"level fraction {value!r}: expected a number")


@dataclass(frozen=True)
class EscalationLevel:
    """A named share of the target: ``EscalationLevel("breach", 1.0)``."""

    name: str
    fraction: float | int | Fraction | Decimal

    def __post_init__(self) -> None:
        if not self.name or not self.name.strip():
            raise ValueError("escalation level: name must not be empty")
        if self.ratio <= 0:
            raise ValueError(f"escalation level {self.name!r}: fraction must be positive")

    @property
    def ratio(self) -> Fraction:
        """The fraction as an exact rational (0.75 -> 3/4)."""
        return _ratio(self.fraction)

    def threshold(self, target: timedelta) -> timedelta:
        """``fraction`` x ``target``, rounded up to the microsecond."""
        return timedelta(microseconds=math.ceil((target // _ONE_US) * self.ratio))


DEFAULT_LEVELS: tuple[EscalationLevel, ...] = (
    EscalationLevel("warning", 0.75),
    EscalationLevel("breach", 1.0),
    EscalationLevel("escalate", 1.5),
)
"""Warn at 75 %, breach at 100 %, escalate to the supervisor at 150 % of the target."""


@dataclass(frozen=True)
class LevelState:
    """Where one level stands at ``now``: ``at`` is the instant it was (``reached``) or will
    be reached if the clock keeps running, or ``None`` while paused short of it."""

    level: EscalationLevel
    threshold: timedelta
    at: datetime | None
    reached: bool


class TimelineKind(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    LEVEL = "level"


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a clock's history. ``elapsed`` is the business time elapsed at ``at``;
    ``projected`` marks a level not reached yet (the clock is running towards it)."""

    at: datetime
    kind: TimelineKind
    name: str
    elapsed: timedelta
    projected: bool = False


@dataclass(frozen=True)
class SLAStatus:
    """Everything about a clock at ``now``, in one value."""

    now: datetime
    target: timedelta
    elapsed: timedelta
    remaining: timedelta
    overrun: timedelta
    paused: bool
    due: datetime | None
    current_level: EscalationLevel | None
    levels: tuple[LevelState, ...]


@dataclass(frozen=True)
class SLAClock:
    """A target of business time counted on ``calendar`` from ``start``, with pauses.

    ``events`` are :class:`ClockEvent` pauses and resumes; ``levels`` are the escalation
    levels (any order in, sorted by fraction). All results are aware UTC datetimes.
    """

    target: timedelta
    calendar: BusinessCalendar
    start: datetime
    events: Sequence[ClockEvent] = ()
    levels: Sequence[EscalationLevel] = DEFAULT_LEVELS
    _effective: tuple[tuple[int, ClockAction, ClockEvent], ...] = field(
        init=False, repr=False, compare=False
    )
    _ignored: tuple[ClockEvent, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.target, timedelta) or self.target <= timedelta(0):
            raise ValueError(f"SLA target {self.target!r}: must be a positive timedelta")
        if not isinstance(self.calendar, BusinessCalendar):
            raise TypeError(f"calendar: expected a BusinessCalendar, got {self.calendar!r}")
        start_us = _bt.to_us(self.start, what="clock start")
        events = tuple(self.events)
        levels = tuple(sorted(self.levels, key=lambda lv: lv.ratio))
        names = [lv.name for lv in levels]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"escalation levels: duplicate names {', '.join(dupes)}")

        effective: list[tuple[int, ClockAction, ClockEvent]] = []
        ignored: list[ClockEvent] = []
        paused = False
        last = start_us
        for ev in events:
            if not isinstance(ev, ClockEvent):
                raise TypeError(f"events: expected ClockEvent values, got {ev!r}")
            t = _bt.to_us(ev.at, what=f"{ev.action} event")
            if t < start_us:
                raise ValueError(
                    f"{ev.action} at {ev.at.isoformat()} is before the clock start "
                    f"{self.start.isoformat()}"
                )
            if t < last:
                raise ValueError(
                    f"events out of order: {ev.action} at {ev.at.isoformat()} comes after an "
                    f"event at {_bt.from_us(last).isoformat()}"
                )
            last = t
            if (ev.action is ClockAction.PAUSE) == paused:
                ignored.append(ev)  # pause while paused / resume while running: no-op
                continue
            paused = ev.action is ClockAction.PAUSE
            effective.append((t, ev.action, ev))

        object.__setattr__(self, "events", events)
        object.__setattr__(self, "levels", levels)
        object.__setattr__(self, "_effective", tuple(effective))
        object.__setattr__(self, "_ignored", tuple(ignored))

    # -- building ------------------------------------------------------------------------------

    def with_events(self, *events: ClockEvent) -> SLAClock:
        """A new clock with ``events`` appended (they must not be earlier than the last)."""
        return SLAClock(
            self.target, self.calendar, self.start, (*self.events, *events), self.levels
        )

    @property
    def ignored_events(self) -> tuple[ClockEvent, ...]:
        """Pauses while paused and resumes while running: accepted, without effect."""
        return self._ignored

    # -- internals on microseconds -------------------------------------------------------------

    def _runs(self, now_us: int) -> tuple[list[tuple[int, int]], int | None]:
        """Running periods closed by ``now`` and the start of the open one (None: paused)."""
        runs: list[tuple[int, int]] = []
        run_from: int | None = _bt.to_us(self.start)
        for t, action, _ in self._effective:
            if t > now_us:
                break
            if action is ClockAction.PAUSE:
                assert run_from is not None
                runs.append((run_from, t))
                run_from = None
            else:
                run_from = t
        return runs, run_from

    def _elapsed_us(self, now_us: int) -> int:
        runs, run_from = self._runs(now_us)
        total = sum(_bt.between_us(self.calendar, a, b) for a, b in runs)
        if run_from is not None and now_us > run_from:
            total += _bt.between_us(self.calendar, run_from, now_us)
        return total

    def _reached_at(self, threshold_us: int, now_us: int) -> int | None:
        """When ``threshold_us`` of business time has elapsed; a projection if it is after
        ``now`` and the clock runs; ``None`` if paused at ``now`` short of it."""
        runs, run_from = self._runs(now_us)
        acc = 0
        for a, b in runs:
            got = _bt.between_us(self.calendar, a, b)
            if acc + got >= threshold_us:
                return _bt.add_us(self.calendar, a, threshold_us - acc)
            acc += got
        if run_from is None:
            return None
        return _bt.add_us(self.calendar, run_from, threshold_us - acc)

    # -- queries ---------------------------------------------------------------------------------

    def elapsed(self, now: datetime) -> timedelta:
        """Business time counted by ``now`` (pauses excluded; zero before ``start``)."""
        return timedelta(microseconds=self._elapsed_us(_bt.to_us(now, what="now")))

    def remaining(self, now: datetime) -> timedelta:
        """Business time left before the target is reached; zero once it is."""
        return max(self.target - self.elapsed(now), timedelta(0))

    def overrun(self, now: datetime) -> timedelta:
        """Business time past the target; zero before it is reached."""
        return max(self.elapsed(now) - self.target, timedelta(0))

    def is_paused(self, now: datetime) -> bool:
        return self._runs(_bt.to_us(now, what="now"))[1] is None

    def due(self, now: datetime) -> datetime | None:
        """The instant the target is (or was) reached given the pauses known at ``now``:
        the past instant once reached, a projection while running, ``None`` while paused
        short of the target."""
        at = self._reached_at(self.target // _ONE_US, _bt.to_us(now, what="now"))
        return None if at is None else _bt.from_us(at)

    def level_states(self, now: datetime) -> tuple[LevelState, ...]:
        now_us = _bt.to_us(now, what="now")
        out: list[LevelState] = []
        for lv in self.levels:
            threshold = lv.threshold(self.target)
            at = self._reached_at(threshold // _ONE_US, now_us)
            out.append(
                LevelState(
                    level=lv,
                    threshold=threshold,
                    at=None if at is None else _bt.from_us(at),
                    reached=at is not None and at <= now_us,
                )
            )
        return tuple(out)

    def current_level(self, now: datetime) -> EscalationLevel | None:
        """The highest level reached by ``now``, or ``None``."""
        reached = [st.level for st in self.level_states(now) if st.reached]
        return reached[-1] if reached else None

    def timeline(self, now: datetime) -> tuple[TimelineEntry, ...]:
        """Start, every effective pause and resume up to ``now``, every level reached (and,
        while running, the levels still ahead, marked ``projected``), in time order."""
        now_us = _bt.to_us(now, what="now")
        start_us = _bt.to_us(self.start)
        rows: list[tuple[int, int, int, TimelineEntry]] = [
            (
                start_us,
                0,
                0,
                TimelineEntry(
                    _bt.from_us(start_us),
                    TimelineKind.START,
                    "start",
                    timedelta(0),
                    projected=start_us > now_us,
                ),
            )
        ]
        for i, (t, action, ev) in enumerate(self._effective):
            if t > now_us:
                break
            kind = TimelineKind.PAUSE if action is ClockAction.PAUSE else TimelineKind.RESUME
            rows.append(
                (
                    t,
                    2,
                    i,
                    TimelineEntry(
                        _bt.from_us(t),
                        kind,
                        ev.note or str(action),
                        timedelta(microseconds=self._elapsed_us(t)),
                    ),
                )
            )
        for i, st in enumerate(self.level_states(now)):
            if st.at is None:
                continue
            rows.append(
                (
                    _bt.to_us(st.at),
                    1,
                    i,
                    TimelineEntry(
                        st.at, TimelineKind.LEVEL, st.level.name, st.threshold, not st.reached
                    ),
                )
            )
        rows.sort(key=lambda r: (r[0], r[1], r[2]))
        return tuple(r[3] for r in rows)

    def status(self, now: datetime) -> SLAStatus:
        """All of the above at ``now``."""
        elapsed = self.elapsed(now)
        levels = self.level_states(now)
        reached = [st.level for st in levels if st.reached]
        return SLAStatus(
            now=now,
            target=self.target,
            elapsed=elapsed,
            remaining=max(self.target - elapsed, timedelta(0)),
            overrun=max(elapsed - self.target, timedelta(0)),
            paused=self.is_paused(now),
            due=self.due(now),
            current_level=reached[-1] if reached else None,
            levels=levels,
        )
