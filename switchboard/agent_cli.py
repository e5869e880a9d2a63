"""``switchboard agents list|show|set|state|load``: agents' configuration from the shell.

Everything goes through the server's API with a token, as the console does, so routing
takes every change at once. ``load FILE`` reads agents from a TOML file::

    [[agents]]
    id = "wang"
    name = "王芳"
    extension = "1002"
    skills = { billing = 5, sales = 2 }
    languages = ["zh", "en"]
    team = "backoffice"
    region = "华东"
    capacity = { voice = 1, ticket = 5 }

checks every agent first (problems as ``file:line: agents.N.field: message``), then creates
the new ones and updates the others (skills, languages, team, region, capacity, exclusive).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from routing.schemas import AgentIn
from switchboard.core.http import field_path
from switchboard.core.settings import Settings
from switchboard.ticket_cli import ApiError, call

CONFIG_KEYS = ("skills", "languages", "team", "region", "capacity", "exclusive")


def _pairs(text: str, what: str) -> dict[str, int]:
    """``billing=3,sales=2`` -> {"billing": 3, "sales": 2}."""
    out: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        if not name or not value.strip().isdigit():
            raise ApiError(f"--{what}: {part!r} is not NAME=NUMBER", 2)
        out[name.strip()] = int(value)
    return out


def _line(agent: dict[str, Any]) -> str:
    skills = ", ".join(f"{k}={v}" for k, v in agent.get("skills", {}).items()) or "-"
    since = agent.get("state_duration_s")
    held = f"{since:.0f}s" if isinstance(since, (int, float)) else ""
    return f"{agent['id']:<12} {agent['state']:<10} {held:>7}  {skills}"


def read_agents_file(path: str | Path) -> list[AgentIn]:
    """The agents of a TOML file, every problem with file, line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ApiError(f"{path}: cannot read: {exc}", 2) from None
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip().replace(" ", "") == "[[agents]]"]

    def where(n: int, key: str | None) -> str:
        if n >= len(starts):
            return str(path)
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        if key is not None:
            pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
            for i in range(starts[n], end):
                if pattern.match(lines[i]):
                    return f"{path}:{i + 1}"
        return f"{path}:{starts[n] + 1}"

    problems: list[str] = []
    raw = data.get("agents")
    if not isinstance(raw, list) or not all(isinstance(a, dict) for a in raw):
        raise ApiError(f"{path}: the file holds [[agents]] tables", 2)
    out: list[AgentIn] = []
    seen: set[str] = set()
    for n, item in enumerate(raw):
        try:
            agent = AgentIn.model_validate(item)
        except ValidationError as exc:
            for error in exc.errors(include_url=False, include_input=False):
                loc = [str(p) for p in error["loc"]]
                field = field_path(["agents", n, *loc])
                problems.append(f"{where(n, loc[0] if loc else None)}: {field}: {error['msg']}")
            continue
        if agent.id in seen:
            problems.append(f"{where(n, 'id')}: agents.{n}.id: agent {agent.id!r} is given twice")
        seen.add(agent.id)
        out.append(agent)
    if problems:
        raise ApiError("\n".join(problems), 2)
    return out


async def run(args: argparse.Namespace, settings: Settings) -> str:
    action = args.agents_command
    agents = read_agents_file(args.file) if action == "load" else []
    server = args.server or f"http://{settings.host}:{settings.port}"
    token = args.token or os.environ.get("SWITCHBOARD_TOKEN", "")
    if not token:
        raise ApiError("no token: pass --token or set SWITCHBOARD_TOKEN", 2)
    if action == "list":
        data = await call(server, token, "GET", "/api/v1/agents")
        if args.json:
            return json.dumps(data, ensure_ascii=False)
        return "\n".join(
            [f"{'AGENT':<12} {'STATE':<10} {'FOR':>7}  SKILLS"] + [_line(a) for a in data["agents"]]
        )
    if action == "show":
        data = await call(server, token, "GET", f"/api/v1/agents/{args.id}")
        return json.dumps(data, ensure_ascii=False, indent=None if args.json else 2)
    if action == "state":
        body: dict[str, Any] = {"state": args.state}
        if args.reason is not None:
            body["reason"] = args.reason
        if args.seconds is not None:
            body["seconds"] = args.seconds
        data = await call(server, token, "POST", f"/api/v1/agents/{args.id}/state", body)
        return json.dumps(data, ensure_ascii=False) if args.json else _line(data)
    if action == "set":
        body = {}
        if args.skills is not None:
            body["skills"] = _pairs(args.skills, "skills")
        if args.capacity is not None:
            body["capacity"] = _pairs(args.capacity, "capacity")
        if args.languages is not None:
            body["languages"] = [x for x in args.languages.split(",") if x]
        if args.exclusive is not None:
            body["exclusive"] = [x for x in args.exclusive.split(",") if x]
        if args.team is not None:
            body["team"] = args.team
        if args.region is not None:
            body["region"] = args.region
        if not body:
            raise ApiError("nothing to set: give --skills, --languages, --team, --region, ...", 2)
        body["force"] = args.force
        data = await call(server, token, "PATCH", f"/api/v1/agents/{args.id}", body)
        return json.dumps(data, ensure_ascii=False, indent=None if args.json else 2)
    created, updated = [], []
    for n, agent in enumerate(agents):
        spec = agent.model_dump(exclude_unset=True)
        try:
            try:
                await call(server, token, "GET", f"/api/v1/agents/{agent.id}")
            except ApiError as exc:
                if exc.status != 404:
                    raise
                await call(server, token, "POST", "/api/v1/agents", spec)
                created.append(agent.id)
                continue
            change = {k: v for k, v in spec.items() if k in CONFIG_KEYS}
            if change:
                await call(
                    server, token, "PATCH", f"/api/v1/agents/{agent.id}", {**change, "force": True}
                )
            updated.append(agent.id)
        except ApiError as exc:
            raise ApiError(f"{args.file}: agents.{n} ({agent.id}): {exc}", exc.status) from None
    return f"{args.file}: created {len(created)}, updated {len(updated)}"


def add_parser(sub: Any, func: Any) -> argparse.ArgumentParser:
    agents = sub.add_parser("agents", help="agents: list, show, set skills and channels, state")
    agents.set_defaults(func=func)
    agents.add_argument("--server", help="server URL (default: http://HOST:PORT of the settings)")
    agents.add_argument("--token", help="API token (default: SWITCHBOARD_TOKEN)")
    agents.add_argument("--json", action="store_true", help="print JSON")
    actions = agents.add_subparsers(dest="agents_command", metavar="ACTION", required=True)
    actions.add_parser("list", help="agents with their states and how long")
    show = actions.add_parser("show", help="one agent")
    show.add_argument("id")
    change = actions.add_parser("set", help="change what an agent can do")
    change.add_argument("id")
    change.add_argument("--skills", help="billing=3,sales=2 (replaces all skills)")
    change.add_argument("--languages", help="zh,en")
    change.add_argument("--team", help='a team ("" for none)')
    change.add_argument("--region", help='a region or site, e.g. 华东 ("" for none)')
    change.add_argument("--capacity", help="voice=1,ticket=5")
    change.add_argument("--exclusive", help="voice,chat: channels never mixed")
    change.add_argument("--force", action="store_true", help="accept skills no queue needs")
    state = actions.add_parser("state", help="choose an agent's state")
    state.add_argument("id")
    state.add_argument("state", choices=["available", "break", "not_ready", "offline", "wrap_up"])
    state.add_argument("--reason", help="break, not_ready or offline")
    state.add_argument("--seconds", type=float, help="wrap_up: how long")
    load = actions.add_parser("load", help="create or update the agents of a TOML file")
    load.add_argument("file", metavar="FILE")
    return agents
