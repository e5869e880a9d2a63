"""The status machine, what statuses do to the SLA clocks, numbers and durations (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tickets.clocks import sla_state
from tickets.model import BusinessCalendar, SLAClock
from tickets.model.status import (
    ClockName,
    IllegalMove,
    Status,
    allowed_moves,
    check_move,
    clock_events,
    format_duration,
    format_number,
    higher_priority,
    level_dues,
    parse_duration,
    validate_number_pattern,
)
from tickets.service import escalated_state

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)
WEEK = timedelta(days=7)


def moves(status: str, resolved_at: datetime | None = None, now: datetime = T0) -> list[str]:
    return list(allowed_moves(status, now=now, resolved_at=resolved_at, reopen_window=WEEK))


def test_moves_from_each_status() -> None:
    assert moves("new") == ["assigned", "in_progress", "resolved"]
    assert moves("pending_customer") == ["in_progress", "pending_third_party", "resolved"]
    assert moves("resolved", resolved_at=T0) == ["in_progress", "closed"]
    assert moves("resolved", resolved_at=T0 - 8 * timedelta(days=1)) == ["closed"]
    assert moves("closed") == []
    with pytest.raises(ValueError, match="not a status"):
        moves("lost")


def test_illegal_moves_name_the_allowed_ones() -> None:
    with pytest.raises(IllegalMove) as caught:
        check_move("new", "closed", now=T0, resolved_at=None, reopen_window=WEEK)
    assert caught.value.allowed == ("assigned", "in_progress", "resolved")
    assert "allowed: assigned, in_progress, resolved" in str(caught.value)
    with pytest.raises(IllegalMove, match="reopen window of 7 days"):
        check_move(
            "resolved", "in_progress", now=T0, resolved_at=T0 - 8 * 24 * H, reopen_window=WEEK
        )
    with pytest.raises(IllegalMove, match="already there"):
        check_move("in_progress", "in_progress", now=T0, resolved_at=None, reopen_window=WEEK)
    with pytest.raises(IllegalMove, match="none: the request is closed"):
        check_move("closed", "in_progress", now=T0, resolved_at=None, reopen_window=WEEK)
    check_move("resolved", "in_progress", now=T0, resolved_at=T0 - 6 * H, reopen_window=WEEK)


def test_statuses_pause_the_clocks_they_should() -> None:
    changes = [
        (T0, Status.NEW),
        (T0 + H, Status.IN_PROGRESS),
        (T0 + 2 * H, Status.PENDING_CUSTOMER),
        (T0 + 3 * H, Status.PENDING_THIRD_PARTY),
        (T0 + 4 * H, Status.IN_PROGRESS),
        (T0 + 5 * H, Status.RESOLVED),
        (T0 + 6 * H, Status.IN_PROGRESS),
        (T0 + 7 * H, Status.RESOLVED),
        (T0 + 8 * H, Status.CLOSED),
    ]
    resolution = clock_events(ClockName.RESOLUTION, changes, stopped_at=T0 + 8 * H)
    assert [(e.at - T0, str(e.action)) for e in resolution] == [
        (2 * H, "pause"),
        (4 * H, "resume"),
        (5 * H, "pause"),  # resolved: waiting for the customer to confirm
        (6 * H, "resume"),  # reopened
        (7 * H, "pause"),
    ]
    first = clock_events(ClockName.FIRST_RESPONSE, changes, stopped_at=T0 + H)
    assert first == []  # responded before anything paused it


def test_level_dues_of_a_stopped_clock() -> None:
    clock = SLAClock(8 * H, BusinessCalendar.always_open(), T0)
    running = [(d.level.name, d.due_at) for d in level_dues(clock, T0, None)]
    assert running == [("warning", T0 + 6 * H), ("breach", T0 + 8 * H), ("escalate", T0 + 12 * H)]
    stopped = [(d.level.name, d.due_at) for d in level_dues(clock, T0 + 20 * H, T0 + 9 * H)]
    # Reached before the stop: still due (fired late if the server was down); after: never.
    assert stopped == [("warning", T0 + 6 * H), ("breach", T0 + 8 * H), ("escalate", None)]


def test_sla_state_and_escalation_only_rise() -> None:
    levels = [
        {"name": "warning", "fraction": "0.75"},
        {"name": "breach", "fraction": "1.0"},
    ]
    running = SimpleNamespace(clock="resolution", levels=levels, stopped_at=None)
    stopped = SimpleNamespace(clock="resolution", levels=levels, stopped_at=T0)

    def timer(level: str, fired: bool) -> SimpleNamespace:
        return SimpleNamespace(clock="resolution", level=level, fired_at=T0 if fired else None)

    assert sla_state([], []) == "none"
    assert sla_state([running], [timer("warning", False)]) == "ok"
    assert sla_state([running], [timer("warning", True)]) == "at_risk"
    assert sla_state([stopped], [timer("warning", True)]) == "ok"  # met after a warning
    assert sla_state([stopped], [timer("breach", True)]) == "breached"  # stays missed
    assert escalated_state("ok", Decimal("0.75"), running=True) == "at_risk"
    assert escalated_state("breached", Decimal("0.75"), running=True) == "breached"
    assert escalated_state("ok", Decimal("1.5"), running=False) == "breached"
    assert higher_priority("high", "normal") == "high"
    assert higher_priority("normal", "urgent") == "urgent"


def test_numbers() -> None:
    assert format_number("SR-{year}-{seq:06d}", 2026, 42) == "SR-2026-000042"
    validate_number_pattern("SR-{year}-{seq:06d}")
    validate_number_pattern("{seq}")
    for bad, words in [
        ("SR-{year}", "needs {seq}"),
        ("SR-{month}-{seq}", "unknown field {month}"),
        ("SR {seq}", "letters, digits"),
        ("SR-{seq", "SR-{seq"),
        ("{seq:s}", "{seq:s}"),
    ]:
        with pytest.raises(ValueError, match=None) as caught:
            validate_number_pattern(bad)
        assert words in str(caught.value), (bad, caught.value)


def test_durations() -> None:
    assert parse_duration("4h") == 4 * H
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration(" 90s ") == timedelta(seconds=90)
    assert parse_duration(2) == timedelta(seconds=2)
    assert format_duration(timedelta(minutes=90)) == "1h30m"
    assert format_duration(timedelta(seconds=2)) == "2s"
    for bad in ("", "soon", "0h", "4d", -1, 0, True):
        with pytest.raises(ValueError):
            parse_duration(bad)
