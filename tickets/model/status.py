"""The life of a service request: statuses, the moves between them, and what they do to the
SLA clocks. Pure: standard library only, ``now`` passed in.

::

    new → assigned → in_progress ⇄ pending_customer | pending_third_party → resolved → closed
                                                 (clocks paused)        ↘ reopen ↗

* ``new``, ``assigned`` and ``in_progress`` may go straight to ``resolved`` (a simple
  request is resolved by the agent on the call).
* ``resolved`` goes to ``closed``, or back to ``in_progress`` (a reopen) within the reopen
  window after it was resolved.
* ``closed`` is final.

Clocks: the first-response clock stops at the first response (the first move out of
``new``/``assigned``, or the first reply to the customer); the resolution clock pauses while
the request waits on the customer or a third party and while it is resolved (a reopen resumes
it) and stops when the request is closed.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tickets.model.sla import ClockEvent, EscalationLevel, SLAClock, events_from_status_changes

__all__ = [
    "CHANNELS",
    "CLOCK_PAUSED_IN",
    "OPEN_STATUSES",
    "PAUSED_STATUSES",
    "PRIORITIES",
    "RESPONDED_STATUSES",
    "URGENCIES",
    "ClockName",
    "IllegalMove",
    "LevelDue",
    "Status",
    "allowed_moves",
    "check_move",
    "clock_events",
    "format_duration",
    "format_number",
    "higher_priority",
    "level_dues",
    "parse_duration",
    "priority_for_urgency",
    "validate_number_pattern",
]


class Status(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    PENDING_CUSTOMER = "pending_customer"
    PENDING_THIRD_PARTY = "pending_third_party"
    RESOLVED = "resolved"
    CLOSED = "closed"


PAUSED_STATUSES = frozenset({Status.PENDING_CUSTOMER, Status.PENDING_THIRD_PARTY})
OPEN_STATUSES = frozenset(Status) - {Status.CLOSED}
RESPONDED_STATUSES = frozenset(Status) - {Status.NEW, Status.ASSIGNED}

_MOVES: dict[Status, tuple[Status, ...]] = {
    Status.NEW: (Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED),
    Status.ASSIGNED: (
        Status.IN_PROGRESS,
        Status.PENDING_CUSTOMER,
        Status.PENDING_THIRD_PARTY,
        Status.RESOLVED,
    ),
    Status.IN_PROGRESS: (
        Status.ASSIGNED,
        Status.PENDING_CUSTOMER,
        Status.PENDING_THIRD_PARTY,
        Status.RESOLVED,
    ),
    Status.PENDING_CUSTOMER: (Status.IN_PROGRESS, Status.PENDING_THIRD_PARTY, Status.RESOLVED),
    Status.PENDING_THIRD_PARTY: (Status.IN_PROGRESS, Status.PENDING_CUSTOMER, Status.RESOLVED),
    Status.RESOLVED: (Status.IN_PROGRESS, Status.CLOSED),
    Status.CLOSED: (),
}

PRIORITIES = ("low", "normal", "high", "urgent")
URGENCIES = ("low", "medium", "high")
CHANNELS = ("phone", "email", "web", "sms", "self_service")


class ClockName(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


CLOCK_PAUSED_IN: dict[ClockName, frozenset[Status]] = {
    ClockName.FIRST_RESPONSE: PAUSED_STATUSES,
    ClockName.RESOLUTION: PAUSED_STATUSES | {Status.RESOLVED},
}


class IllegalMove(ValueError):
    """A move the status machine does not allow; ``allowed`` lists the ones it does."""

    def __init__(self, current: str, to: str, allowed: tuple[str, ...], reason: str = "") -> None:
        self.current = current
        self.to = to
        self.allowed = allowed
        self.reason = reason
        listed = ", ".join(allowed) if allowed else "none: the request is closed"
        why = f" ({reason})" if reason else ""
        super().__init__(f"cannot move from {current} to {to}{why}; allowed: {listed}")


def _status(value: str, *, what: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise ValueError(f"{what} {value!r}: not a status") from None


def allowed_moves(
    current: str,
    *,
    now: datetime,
    resolved_at: datetime | None,
    reopen_window: timedelta,
) -> tuple[str, ...]:
    """The statuses ``current`` may move to at ``now``. A resolved request may be reopened
    (moved back to in_progress) while ``now`` is within ``reopen_window`` of ``resolved_at``."""
    status = _status(current, what="status")
    moves = list(_MOVES[status])
    if status is Status.RESOLVED and not _reopenable(now, resolved_at, reopen_window):
        moves.remove(Status.IN_PROGRESS)
    return tuple(str(m) for m in moves)


def _reopenable(now: datetime, resolved_at: datetime | None, window: timedelta) -> bool:
    return resolved_at is None or now - resolved_at <= window


def check_move(
    current: str,
    to: str,
    *,
    now: datetime,
    resolved_at: datetime | None,
    reopen_window: timedelta,
) -> None:
    """Raise :class:`IllegalMove` unless ``current`` → ``to`` is allowed at ``now``."""
    allowed = allowed_moves(current, now=now, resolved_at=resolved_at, reopen_window=reopen_window)
    if to in allowed:
        return
    reason = ""
    if current == Status.RESOLVED and to == Status.IN_PROGRESS:
        days = reopen_window / timedelta(days=1)
        reason = f"the reopen window of {days:g} days after resolution has passed"
    elif current == to:
        reason = "it is already there"
    raise IllegalMove(current, to, allowed, reason)


def clock_events(
    clock: ClockName, changes: Iterable[tuple[datetime, str]], stopped_at: datetime | None
) -> list[ClockEvent]:
    """Pauses and resumes of ``clock`` from the status history ``[(at, status), ...]`` (the
    first entry is the initial status); nothing from ``stopped_at`` on counts (the status
    that stops a clock does not also pause or resume it)."""
    kept = [(at, s) for at, s in changes if stopped_at is None or at < stopped_at]
    return events_from_status_changes(kept, CLOCK_PAUSED_IN[clock])


@dataclass(frozen=True)
class LevelDue:
    """When one escalation level of a clock is due: ``None`` while the clock is paused short
    of it or when the clock stopped before reaching it."""

    level: EscalationLevel
    due_at: datetime | None


def level_dues(clock: SLAClock, now: datetime, stopped_at: datetime | None) -> list[LevelDue]:
    """Each level's due instant at ``now``: reached levels keep the instant they were reached,
    levels ahead get their projection while the clock runs. A stopped clock reaches nothing
    after ``stopped_at``."""
    at_now = now if stopped_at is None else min(now, stopped_at)
    out: list[LevelDue] = []
    for state in clock.level_states(at_now):
        due = state.at
        if stopped_at is not None and (due is None or due > stopped_at):
            due = None
        out.append(LevelDue(state.level, due))
    return out


def higher_priority(current: str, wanted: str) -> str:
    """``wanted`` if it is above ``current``, else ``current``: escalation never lowers."""
    if PRIORITIES.index(wanted) > PRIORITIES.index(current):
        return wanted
    return current


def priority_for_urgency(urgency: str) -> str:
    return {"low": "low", "medium": "normal", "high": "high"}[urgency]


# -- request numbers -------------------------------------------------------------------------

_FIELDS = {"year", "seq"}


def validate_number_pattern(pattern: str) -> None:
    """A pattern such as ``SR-{year}-{seq:06d}``: ``{seq}`` required, ``{year}`` optional,
    nothing else between braces. Raises ``ValueError`` naming the problem."""
    if not pattern or len(pattern) > 60:
        raise ValueError("number pattern: 1 to 60 characters")
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise ValueError(f"number pattern {pattern!r}: {exc}") from None
    names = [name for _, name, _, _ in parsed if name is not None]
    unknown = sorted({n for n in names if n not in _FIELDS})
    if unknown:
        raise ValueError(
            f"number pattern {pattern!r}: unknown field {{{unknown[0]}}}; use {{year}} and {{seq}}"
        )
    if "seq" not in names:
        raise ValueError(
            f"number pattern {pattern!r}: needs {{seq}}, e.g. 'SR-{{year}}-{{seq:06d}}'"
        )
    try:
        sample = format_number(pattern, 2026, 1)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"number pattern {pattern!r}: {exc}") from None
    if not re.fullmatch(r"[A-Za-z0-9._\-]{1,40}", sample):
        raise ValueError(
            f"number pattern {pattern!r} gives {sample!r}: a number is 1 to 40 letters, "
            "digits, '.', '_' or '-' (it goes in URLs)"
        )


def format_number(pattern: str, year: int, seq: int) -> str:
    return pattern.format(year=year, seq=seq)


# -- durations -------------------------------------------------------------------------------

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(value: str | int | float) -> timedelta:
    """A target of business time: seconds as a number, or ``"4h"``, ``"1h30m"``, ``"90s"``."""
    if isinstance(value, bool):
        raise ValueError(f"duration {value!r}: give seconds or a text such as '4h30m'")
    if isinstance(value, int | float):
        if value <= 0:
            raise ValueError(f"duration {value!r}: must be positive")
        return timedelta(seconds=value)
    text = value.strip().lower().replace(" ", "")
    m = _DURATION.match(text)
    if not text or m is None:
        raise ValueError(f"duration {value!r}: give seconds or a text such as '4h', '1h30m', '90s'")
    hh, mm, ss = (int(g or 0) for g in m.groups())
    out = timedelta(hours=hh, minutes=mm, seconds=ss)
    if out <= timedelta(0):
        raise ValueError(f"duration {value!r}: must be positive")
    return out


def format_duration(value: timedelta) -> str:
    """``timedelta(hours=1, minutes=30)`` → ``"1h30m"``; whole seconds only."""
    total = int(value.total_seconds())
    hh, rest = divmod(total, 3600)
    mm, ss = divmod(rest, 60)
    parts: Sequence[tuple[int, str]] = ((hh, "h"), (mm, "m"), (ss, "s"))
    text = "".join(f"{n}{unit}" for n, unit in parts if n)
    return text or "0s"
