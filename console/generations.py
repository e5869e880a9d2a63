"""Stale-answer dropping: each request of a kind gets a number; only the newest may land."""

from __future__ import annotations


class Generations:
    """Per-kind counters. ``issue(kind)`` before asking; ``is_current`` before showing."""

    def __init__(self) -> None:
        self._latest: dict[str, int] = {}

    def issue(self, kind: str) -> int:
        number = self._latest.get(kind, 0) + 1
        self._latest[kind] = number
        return number

    def is_current(self, kind: str, number: int) -> bool:
        return self._latest.get(kind) == number
