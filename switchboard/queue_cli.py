"""``switchboard queues list|show ID|load FILE``: routing queues from the shell.

``list`` and ``show`` ask the server; ``load`` checks a TOML file here first (every problem
with file, line and field), then sends all its queues to the server at once, which checks
them against the stored queues and agents and stores all or none. ``load --check`` only
checks the file.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from routing.queues import QueueConfigError, line_in_file, load_queues_toml
from switchboard.core.settings import Settings
from switchboard.ticket_cli import ApiError, call


def _line(queue: dict[str, Any]) -> str:
    skills = ", ".join(f"{k}>={v}" for k, v in queue.get("skills", {}).items()) or "-"
    waiting = queue.get("waiting")
    return (
        f"{queue['id']:<16} {queue.get('strategy', ''):<15} "
        f"{'-' if waiting is None else waiting:>7}  {skills}"
    )


async def run(args: argparse.Namespace, settings: Settings) -> str:
    action = args.queues_command
    if action == "load":
        try:
            configs = load_queues_toml(args.file)
        except QueueConfigError as exc:
            raise ApiError(str(exc), 2) from None
        if args.check:
            return f"{args.file}: {len(configs)} queue(s), no problems"
    server = args.server or f"http://{settings.host}:{settings.port}"
    token = args.token or os.environ.get("SWITCHBOARD_TOKEN", "")
    if not token:
        raise ApiError("no token: pass --token or set SWITCHBOARD_TOKEN", 2)
    if action == "list":
        data = await call(server, token, "GET", "/api/v1/queues")
        if args.json:
            return json.dumps(data, ensure_ascii=False)
        lines = [f"{'QUEUE':<16} {'STRATEGY':<15} {'WAITING':>7}  SKILLS"]
        return "\n".join(lines + [_line(q) for q in data["queues"]])
    if action == "show":
        data = await call(server, token, "GET", f"/api/v1/queues/{args.id}")
        return json.dumps(data, ensure_ascii=False, indent=None if args.json else 2)
    body = {"queues": [c.model_dump(mode="json", exclude_unset=True) for c in configs]}
    try:
        data = await call(server, token, "PUT", "/api/v1/queues", body)
    except ApiError as exc:
        raise ApiError(_locate(str(exc), args.file), exc.status) from None
    out = [f"{args.file}: {len(data['queues'])} queue(s) stored: {', '.join(data['queues'])}"]
    out += [f"warning: {w}" for w in data.get("warnings", [])]
    return json.dumps(data, ensure_ascii=False) if args.json else "\n".join(out)


def _locate(message: str, path: str) -> str:
    """``message (queues.1.skills.x)`` from the server -> ``FILE:LINE: queues.1...: message``."""
    if message.endswith(")") and " (" in message:
        text, field = message[:-1].rsplit(" (", 1)
        line = line_in_file(path, field)
        where = f"{path}:{line}" if line is not None else path
        return f"{where}: {field}: {text}"
    return f"{path}: {message}"


def add_parser(sub: Any, func: Any) -> argparse.ArgumentParser:
    queues = sub.add_parser("queues", help="routing queues: list, show, load a TOML file")
    queues.set_defaults(func=func)
    queues.add_argument("--server", help="server URL (default: http://HOST:PORT of the settings)")
    queues.add_argument("--token", help="API token (default: SWITCHBOARD_TOKEN)")
    queues.add_argument("--json", action="store_true", help="print JSON")
    actions = queues.add_subparsers(dest="queues_command", metavar="ACTION", required=True)
    actions.add_parser("list", help="the queues and how many items wait in each")
    show = actions.add_parser("show", help="one queue's configuration")
    show.add_argument("id")
    load = actions.add_parser("load", help="create or replace the queues of a TOML file")
    load.add_argument("file", metavar="FILE")
    load.add_argument("--check", action="store_true", help="check the file only, store nothing")
    return queues
