"""Targets and attainment: "service level ≥ 80%", "AHT ≤ 300 s", "answered ≥ 120 a day".

Targets are written in a TOML file, one table per team, region, agent or queue::

    [team."shanghai-1"]
    service_level = ">= 80%"
    aht_s = "<= 300 s"
    answered = ">= 120"        # a day

    [region."华东"]
    fcr = ">= 70%"

    [queue.sales]
    abandon_rate = "<= 5%"

Counts (``answered``, ``offered``) are per day: over a period of several days the target is
multiplied by the days it covers. Attainment of an "at least" target is value over target, of
an "at most" target target over value (a 250 s AHT against 300 s is 120%); ``met`` says
whether the value is on the right side. A problem names the file and the line.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from typing import Literal

SCOPES = ("team", "region", "agent", "queue")
PERCENT = frozenset({"service_level", "fcr", "occupancy", "abandon_rate"})
PER_DAY = frozenset({"answered", "offered"})
SCOPE_FIGURES: dict[str, frozenset[str]] = {
    "team": frozenset({"answered", "aht_s", "fcr", "occupancy", "service_level"}),
    "region": frozenset({"answered", "aht_s", "fcr", "occupancy", "service_level"}),
    "agent": frozenset({"answered", "aht_s", "fcr", "occupancy", "service_level"}),
    "queue": frozenset(
        {"offered", "answered", "aht_s", "asa_s", "fcr", "service_level", "abandon_rate"}
    ),
}
_GOAL = re.compile(r"^\s*(>=|<=|≥|≤)\s*([0-9]+(?:\.[0-9]+)?)\s*(%|s)?\s*$")

Op = Literal[">=", "<="]


class TargetsError(ValueError):
    """A problem in a targets file; the message names the file and line."""


@dataclass(frozen=True)
class Target:
    scope: str
    subject: str
    figure: str
    op: Op
    value: float
    line: int = 0

    def goal(self, days: float = 1.0) -> float:
        return self.value * days if self.figure in PER_DAY else self.value


@dataclass(frozen=True)
class Attainment:
    figure: str
    op: Op
    target: float
    value: float | None
    attained: float | None
    met: bool | None


def attainment(target: Target, value: float | None, days: float = 1.0) -> Attainment:
    """How far ``value`` goes toward ``target`` over a period of ``days`` (no value: unknown)."""
    goal = target.goal(days)
    if value is None:
        return Attainment(target.figure, target.op, goal, None, None, None)
    if target.op == ">=":
        met = value >= goal
        attained = value / goal if goal > 0 else 1.0
    else:
        met = value <= goal
        attained = goal / value if value > 0 else 1.0
    return Attainment(target.figure, target.op, goal, value, round(attained, 4), met)


@dataclass(frozen=True)
class Targets:
    targets: tuple[Target, ...] = ()

    def of(self, scope: str, subject: str) -> list[Target]:
        return [t for t in self.targets if t.scope == scope and t.subject == subject]

    def subjects(self, scope: str) -> list[str]:
        return sorted({t.subject for t in self.targets if t.scope == scope})


def _locate(lines: list[str], scope: str, subject: str, key: str | None) -> int:
    """The line (from 1) of ``key`` in the table [scope.subject], or of the table itself."""
    table = -1
    for n, line in enumerate(lines):
        text = line.strip()
        if text.startswith("[") and not text.startswith("[["):
            try:
                header = tomllib.loads(text + "\n")
            except tomllib.TOMLDecodeError:
                continue
            inside = header.get(scope)
            if isinstance(inside, dict) and subject in inside:
                table = n
                if key is None:
                    return n + 1
                continue
            if table >= 0:
                break
        elif table >= 0 and key is not None:
            bare = re.escape(key)
            if re.match(rf"^\s*(?:{bare}|\"{bare}\"|'{bare}')\s*=", line):
                return n + 1
    return table + 1 if table >= 0 else 1


def parse_targets(text: str, source: str) -> Targets:
    """The targets of a TOML text; ``source`` names the file in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TargetsError(f"{source}: not valid TOML: {exc}") from None
    lines = text.splitlines()
    out: list[Target] = []
    problems: list[str] = []

    def problem(scope: str, subject: str | None, key: str | None, message: str) -> None:
        line = _locate(lines, scope, subject, key) if subject is not None else 1
        problems.append(f"{source}:{line}: {message}")

    for scope, tables in data.items():
        if scope not in SCOPES:
            line = next(
                (n + 1 for n, t in enumerate(lines) if t.strip().startswith(f"[{scope}")), 1
            )
            problems.append(
                f"{source}:{line}: unknown section {scope!r} (one of {', '.join(SCOPES)})"
            )
            continue
        if not isinstance(tables, dict) or not all(isinstance(v, dict) for v in tables.values()):
            problem(scope, None, None, f'{scope}: write one table per {scope}, [{scope}."NAME"]')
            continue
        for subject, goals in tables.items():
            for figure, raw in goals.items():
                where = f"{scope}.{subject}.{figure}"
                if figure not in SCOPE_FIGURES[scope]:
                    known = ", ".join(sorted(SCOPE_FIGURES[scope]))
                    problem(scope, subject, figure, f"{where}: unknown figure (one of {known})")
                    continue
                match = _GOAL.match(raw) if isinstance(raw, str) else None
                if match is None:
                    problem(
                        scope,
                        subject,
                        figure,
                        f'{where}: write the target as ">= 80%", "<= 300 s" or ">= 120", '
                        f"not {raw!r}",
                    )
                    continue
                op_raw, number, unit = match.groups()
                op: Op = ">=" if op_raw in (">=", "≥") else "<="
                value = float(number)
                if figure in PERCENT:
                    if unit == "s":
                        problem(scope, subject, figure, f"{where}: a share takes %, not seconds")
                        continue
                    if unit == "%":
                        value /= 100
                    elif value > 1:
                        problem(scope, subject, figure, f"{where}: write a share as 80% or 0.8")
                        continue
                elif unit == "%":
                    problem(scope, subject, figure, f"{where}: {figure} is not a share: drop %")
                    continue
                if not math.isfinite(value):
                    problem(scope, subject, figure, f"{where}: not a number")
                    continue
                line = _locate(lines, scope, subject, figure)
                out.append(Target(scope, subject, figure, op, value, line))
    if problems:
        raise TargetsError("\n".join(problems))
    return Targets(tuple(out))
