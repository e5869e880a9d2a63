"""Routing queues: their configuration, the checks that catch impossible ones, TOML files.

A queue (:class:`~routing.schemas.QueueConfig`, the same shape in the API and in a file)
names the skills its calls need with a minimum proficiency, the strategy that picks among
qualified agents, the relaxation steps, an overflow target, the maximum wait and the offer
timeout. Checking comes in two parts:

- :func:`problems_of` looks at one queue alone (steps in order, overflow complete, ...);
- :func:`check_queues` looks at the queues together and at the agents: a skill no agent has
  and an overflow to a queue that does not exist or that comes back round (a cycle) are
  errors; a queue that no agent can ever serve and a team no agent belongs to are warnings.

Every problem names its field (``relaxation.1.after_s``); a file's problems also name the
file and, where it can be found, the line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, insert, update

from routing import store
from routing.engine import Queue, Relaxation
from routing.schemas import QueueConfig
from switchboard.core.errors import BadRequest, Conflict, NotFound
from switchboard.core.http import field_path

__all__ = [
    "AgentSkills",
    "Problem",
    "QueueConfig",
    "QueueConfigError",
    "check_queues",
    "create_queue",
    "load_queues",
    "load_queues_toml",
    "problems_of",
    "queue_view",
    "replace_queue",
    "save_queues",
    "to_engine",
]


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    warning: bool = False
    queue: str | None = None

    def text(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


@dataclass(frozen=True)
class AgentSkills:
    """What the checks need to know of an agent."""

    id: str
    skills: Mapping[str, int]
    team: str | None = None


# --- one queue ---------------------------------------------------------------------------


def problems_of(config: QueueConfig) -> list[Problem]:
    """What is wrong with ``config`` on its own (pydantic has checked each field's type)."""
    out: list[Problem] = []
    previous = -1.0
    for n, step in enumerate(config.relaxation):
        where = f"relaxation.{n}"
        if step.after_s <= previous:
            out.append(
                Problem(
                    f"{where}.after_s",
                    f"steps must come in order of after_s: {step.after_s:g} is not after "
                    f"{previous:g}",
                )
            )
        previous = max(previous, step.after_s)
        if step.min_proficiency is None and not step.drop_language and step.team is None:
            out.append(
                Problem(
                    where, "a step must relax something: min_proficiency, drop_language or team"
                )
            )
    if config.overflow_to is not None and config.overflow_after_s is None:
        out.append(Problem("overflow_after_s", "overflow_to needs overflow_after_s"))
    if config.overflow_after_s is not None and config.overflow_to is None:
        out.append(Problem("overflow_to", "overflow_after_s needs overflow_to"))
    if config.overflow_to == config.id:
        out.append(Problem("overflow_to", f"queue {config.id!r} cannot overflow to itself"))
    if config.overflow_after_s is not None and config.overflow_after_s <= previous:
        out.append(
            Problem(
                "overflow_after_s",
                f"the overflow comes after the relaxation steps: {config.overflow_after_s:g} "
                f"is not after {previous:g}",
            )
        )
    for level, step in config.escalation.items():
        actions = [step.add_priority is not None, step.to_queue is not None, step.to_supervisor]
        if not any(actions):
            out.append(
                Problem(
                    f"escalation.{level}",
                    "an escalation must do something: add_priority, to_queue or to_supervisor",
                )
            )
        if step.to_queue is not None and step.to_supervisor:
            out.append(
                Problem(
                    f"escalation.{level}.to_supervisor",
                    "an item goes to a queue or to supervisors, not both",
                )
            )
        if step.to_queue == config.id:
            out.append(
                Problem(f"escalation.{level}.to_queue", f"queue {config.id!r} is this queue")
            )
    for name in config.skill_weights:
        if name not in config.skills:
            out.append(
                Problem(f"skill_weights.{name}", f"{name!r} is not one of the queue's skills")
            )
    if not out:
        try:
            to_engine(config).validate()
        except ValueError as exc:  # a rule of the engine's these checks do not know yet
            out.append(Problem("", str(exc)))
    return [Problem(p.field, p.message, p.warning, config.id) for p in out]


def to_engine(config: QueueConfig) -> Queue:
    steps = tuple(
        Relaxation(
            s.after_s,
            min_proficiency=s.min_proficiency,
            drop_language=s.drop_language,
            team=s.team,
        )
        for s in config.relaxation
    )
    if config.overflow_to is not None and config.overflow_after_s is not None:
        steps += (Relaxation(config.overflow_after_s, overflow_to=config.overflow_to),)
    return Queue(
        config.id,
        skills=dict(config.skills),
        strategy=config.strategy,
        relaxation=steps,
        ageing_per_min=config.ageing_per_min,
        a_class_boost=config.a_class_boost,
        a_class_strategy=config.a_class_strategy,
        max_wait_s=config.max_wait_s,
        offer_timeout_s=config.offer_timeout_s,
        wrap_up_s=config.wrap_up_s,
        skill_weights=dict(config.skill_weights),
        idle_weight=config.idle_weight,
    )


# --- queues together, and the agents -----------------------------------------------------


def check_queues(
    configs: Sequence[QueueConfig],
    *,
    existing: Mapping[str, QueueConfig] | None = None,
    agents: Sequence[AgentSkills] | None = None,
) -> list[Problem]:
    """Every problem of ``configs`` (new or replacing queues of ``existing``).

    ``agents`` None skips the checks against agents (a file read before any agent exists).
    """
    out: list[Problem] = []
    for config in configs:
        out.extend(problems_of(config))
    everything = dict(existing or {})
    everything.update({c.id: c for c in configs})
    for config in configs:
        target = config.overflow_to
        if target is not None and target != config.id and target not in everything:
            out.append(Problem("overflow_to", f"no queue {target!r}", queue=config.id))
        for level, step in config.escalation.items():
            if step.to_queue is not None and step.to_queue not in everything:
                out.append(
                    Problem(
                        f"escalation.{level}.to_queue",
                        f"no queue {step.to_queue!r}",
                        queue=config.id,
                    )
                )
        cycle = _overflow_cycle(config.id, everything)
        if cycle:
            out.append(
                Problem("overflow_to", "overflow cycle: " + " -> ".join(cycle), queue=config.id)
            )
    if agents is not None:
        for config in configs:
            out.extend(_against_agents(config, agents))
    return out


def _overflow_cycle(start: str, queues: Mapping[str, QueueConfig]) -> list[str]:
    path = [start]
    current = queues[start].overflow_to
    while current is not None and current in queues:
        path.append(current)
        if current == start:
            return path if len(path) > 2 else []  # a -> a is reported on its own
        if current in path[:-1]:
            return []  # a cycle further on, reported for its own queues
        current = queues[current].overflow_to
    return []


def _against_agents(config: QueueConfig, agents: Sequence[AgentSkills]) -> list[Problem]:
    out: list[Problem] = []
    held = {name for agent in agents for name in agent.skills}
    for name in config.skills:
        if name not in held:
            out.append(Problem(f"skills.{name}", f"no agent has skill {name!r}", queue=config.id))
    for what in ("category_skills", "product_skills"):
        for key, skills in getattr(config, what).items():
            for name in skills:
                if name not in held:
                    out.append(
                        Problem(
                            f"{what}.{key}.{name}",
                            f"no agent has skill {name!r}",
                            queue=config.id,
                        )
                    )
    teams = {agent.team for agent in agents if agent.team}
    for n, step in enumerate(config.relaxation):
        if step.team is not None and step.team not in teams:
            out.append(
                Problem(
                    f"relaxation.{n}.team",
                    f"no agent is in team {step.team!r}",
                    warning=True,
                    queue=config.id,
                )
            )
    if out:
        return out
    lowest = min(
        (s.min_proficiency for s in config.relaxation if s.min_proficiency is not None),
        default=None,
    )
    admitted = {s.team for s in config.relaxation if s.team is not None}

    def can_serve(agent: AgentSkills) -> bool:
        if agent.team is not None and agent.team in admitted:
            return True
        for name, minimum in config.skills.items():
            need = minimum if lowest is None else min(minimum, lowest)
            if agent.skills.get(name, 0) < need:
                return False
        return True

    if not any(can_serve(agent) for agent in agents):
        needs = ", ".join(f"{n}>={m}" for n, m in config.skills.items()) or "nothing"
        out.append(
            Problem(
                "skills",
                f"no agent can ever serve queue {config.id!r} (needs {needs}, even relaxed)",
                warning=True,
                queue=config.id,
            )
        )
    return out


def refuse(problems: Iterable[Problem]) -> list[str]:
    """Raise a 400 naming the first error's field; return the warnings' texts."""
    problems = list(problems)
    errors = [p for p in problems if not p.warning]
    if errors:
        first = errors[0]
        raise BadRequest(
            first.text(),
            field=first.field or None,
            problems=[
                {"field": p.field, "message": p.message, "queue": p.queue} for p in errors[:20]
            ],
        )
    return [p.text() for p in problems if p.warning]


# --- the database ------------------------------------------------------------------------


def config_of(row: Any) -> QueueConfig:
    return QueueConfig.model_validate({**row.config, "id": row.id})


def load_queues(conn: Connection) -> dict[str, QueueConfig]:
    return {row.id: config_of(row) for row in store.queue_rows(conn)}


def agent_skills(conn: Connection) -> list[AgentSkills]:
    return [AgentSkills(row.id, dict(row.skills or {}), row.team) for row in store.all_agents(conn)]


def queue_view(config: QueueConfig) -> dict[str, Any]:
    return config.model_dump(mode="json")


def _stored(config: QueueConfig) -> dict[str, Any]:
    return config.model_dump(mode="json", exclude={"id"})


def create_queue(
    conn: Connection, config: QueueConfig, now: datetime
) -> tuple[dict[str, Any], list[str]]:
    """Check ``config`` against the queues and agents, store it; (view, warnings)."""
    if store.queue_row(conn, config.id) is not None:
        raise Conflict(f"queue {config.id!r} exists", field="id")
    warnings = refuse(check_queues([config], existing=load_queues(conn), agents=agent_skills(conn)))
    conn.execute(
        insert(store.queues_t).values(
            id=config.id, config=_stored(config), created_at=now, updated_at=now
        )
    )
    return queue_view(config), warnings


def replace_queue(
    conn: Connection, config: QueueConfig, now: datetime
) -> tuple[dict[str, Any], list[str]]:
    if store.queue_row(conn, config.id) is None:
        raise NotFound(f"no queue {config.id!r}", field="id")
    warnings = refuse(check_queues([config], existing=load_queues(conn), agents=agent_skills(conn)))
    conn.execute(
        update(store.queues_t)
        .where(store.queues_t.c.id == config.id)
        .values(config=_stored(config), updated_at=now)
    )
    return queue_view(config), warnings


def save_queues(
    conn: Connection, configs: Sequence[QueueConfig], now: datetime, *, check_agents: bool = True
) -> list[str]:
    """Create or replace ``configs`` together (a file's queues); returns the warnings.

    Raises :class:`BadRequest` naming the first problem, and then stores nothing.
    """
    existing = load_queues(conn)
    agents = agent_skills(conn) if check_agents else None
    warnings = refuse(check_queues(configs, existing=existing, agents=agents))
    for config in configs:
        if config.id in existing:
            conn.execute(
                update(store.queues_t)
                .where(store.queues_t.c.id == config.id)
                .values(config=_stored(config), updated_at=now)
            )
        else:
            conn.execute(
                insert(store.queues_t).values(
                    id=config.id, config=_stored(config), created_at=now, updated_at=now
                )
            )
    return warnings


# --- TOML files --------------------------------------------------------------------------


class QueueConfigError(ValueError):
    """A queues file that cannot be used; every problem with file, line and field."""

    def __init__(self, path: Path, problems: list[tuple[int | None, str, str]]) -> None:
        self.path = path
        self.problems = problems  # (line, field, message)
        super().__init__("\n".join(self.describe(*p) for p in problems))

    def describe(self, line: int | None, field: str, message: str) -> str:
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        return f"{where}: {field}: {message}" if field else f"{where}: {message}"


_LINE = re.compile(r"line (\d+)")


def load_queues_toml(path: str | Path) -> list[QueueConfig]:
    """Read and check the queues of a TOML file::

        [[queues]]
        id = "billing"
        skills = { billing = 3 }
        strategy = "most_skilled"
        offer_timeout_s = 15
        overflow_to = "general"
        overflow_after_s = 180

        [[queues.relaxation]]
        after_s = 30
        min_proficiency = 2

    Raises :class:`QueueConfigError` naming the file, the line where it can be found and the
    field (``queues.0.strategy``) of every problem. Checks that need the database (skills no
    agent has, overflow to a queue defined elsewhere) are :func:`check_queues`' with the
    stored queues and agents.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueueConfigError(path, [(None, "", f"cannot read the file: {exc}")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _LINE.search(str(exc))
        raise QueueConfigError(
            path, [(int(found.group(1)) if found else None, "", f"not valid TOML: {exc}")]
        ) from None
    lines = _Lines(text)
    problems: list[tuple[int | None, str, str]] = []
    for key in data:
        if key != "queues":
            problems.append((lines.find(key), key, "unknown key; the file holds [[queues]]"))
    raw = data.get("queues", [])
    if not isinstance(raw, list) or not all(isinstance(q, dict) for q in raw):
        problems.append((lines.find("queues"), "queues", "must be tables: [[queues]]"))
        raw = []
    configs: list[QueueConfig] = []
    seen: dict[str, int] = {}
    for n, item in enumerate(raw):
        try:
            config = QueueConfig.model_validate(item)
        except ValidationError as exc:
            for error in exc.errors(include_url=False, include_input=False):
                loc = [str(part) for part in error["loc"]]
                problems.append(
                    (lines.line_of(n, loc), field_path(["queues", n, *loc]), error["msg"])
                )
            continue
        if config.id in seen:
            problems.append(
                (
                    lines.line_of(n, ["id"]),
                    f"queues.{n}.id",
                    f"queue {config.id!r} is defined twice (also queues.{seen[config.id]})",
                )
            )
            continue
        seen[config.id] = n
        configs.append(config)
    index = {c.id: seen[c.id] for c in configs}
    for problem in check_queues(configs):
        if problem.warning:
            continue
        if problem.message.startswith("no queue ") and (
            problem.field == "overflow_to" or problem.field.endswith(".to_queue")
        ):
            continue  # may be stored already: check_queues with the database decides
        n = index[problem.queue or ""]
        loc = problem.field.split(".") if problem.field else []
        problems.append((lines.line_of(n, loc), field_path(["queues", n, *loc]), problem.message))
    if problems:
        raise QueueConfigError(path, problems)
    return configs


class _Lines:
    """Best-effort line numbers for a field of the n-th ``[[queues]]`` table."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.starts = [
            i for i, line in enumerate(self.lines) if line.strip().replace(" ", "") == "[[queues]]"
        ]

    def find(self, key: str, start: int = 0, end: int | None = None) -> int | None:
        pattern = re.compile(
            rf"^\s*(\[\[?\s*(queues\.)?{re.escape(key)}\s*\]\]?|{re.escape(key)}\s*=)"
        )
        for i in range(start, len(self.lines) if end is None else end):
            if pattern.match(self.lines[i]):
                return i + 1
        return None

    def line_of(self, n: int, loc: list[str]) -> int | None:
        if n >= len(self.starts):
            return None
        start = self.starts[n]
        end = self.starts[n + 1] if n + 1 < len(self.starts) else len(self.lines)
        best: int | None = start + 1
        if not loc:
            return best
        if loc[0] == "relaxation" and len(loc) > 1 and loc[1].isdigit():
            steps = [
                i
                for i in range(start, end)
                if self.lines[i].strip().replace(" ", "") == "[[queues.relaxation]]"
            ]
            k = int(loc[1])
            if k < len(steps):
                step_end = steps[k + 1] if k + 1 < len(steps) else end
                best = steps[k] + 1
                if len(loc) > 2:
                    best = self.find(loc[2], steps[k] + 1, step_end) or best
                return best
        for k in range(len(loc) - 1, 0, -1):  # a nested table: [queues.escalation.breach]
            header = "[queues." + ".".join(loc[:k]) + "]"
            for i in range(start, end):
                if self.lines[i].strip().replace(" ", "") == header:
                    stop = next(
                        (j for j in range(i + 1, end) if self.lines[j].lstrip().startswith("[")),
                        end,
                    )
                    return self.find(loc[k], i + 1, stop) or i + 1
        found = self.find(loc[0], start, end)
        return found or best


def line_in_file(path: str | Path, field: str) -> int | None:
    """The line of ``field`` (``queues.N.name...``) in a queues file, where it can be found."""
    parts = field.split(".")
    if len(parts) < 2 or parts[0] != "queues" or not parts[1].isdigit():
        return None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return _Lines(text).line_of(int(parts[1]), parts[2:])
