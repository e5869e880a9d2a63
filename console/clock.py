"""The console's time: wall time for "since" timers, monotonic time for countdowns.

Widgets read time only through a ``ConsoleClock`` handed down by the app, so tests and
snapshots can freeze it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime


class ConsoleClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


@dataclass
class FrozenClock(ConsoleClock):
    """A clock that only moves when told to (tests, snapshots)."""

    at: datetime
    mono: float = 1000.0

    def now(self) -> datetime:
        return self.at

    def monotonic(self) -> float:
        return self.mono
