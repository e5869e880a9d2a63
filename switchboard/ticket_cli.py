"""``switchboard tickets ...``: service requests from the shell, through the server's API.

The commands talk HTTP with a token, like every other client, so a change made here is
checked, audited and announced to consoles exactly as one made in the console.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

import aiohttp

from switchboard.core.settings import Settings


class ApiError(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


async def call(
    server: str,
    token: str,
    method: str,
    path: str,
    body: Any = None,
    params: dict[str, str] | None = None,
) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    timeout = aiohttp.ClientTimeout(total=30)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.request(
                method, server.rstrip("/") + path, json=body, params=params, headers=headers
            ) as response,
        ):
            text = await response.text()
            data = json.loads(text) if text else None
    except aiohttp.ClientError as exc:
        raise ApiError(f"cannot reach the server at {server}: {exc}", 0) from None
    except json.JSONDecodeError:
        raise ApiError(
            f"the server answered {response.status} with something not JSON", 0
        ) from None
    if response.status >= 400:
        error = (data if isinstance(data, dict) else {}).get("error", {})
        field = f" ({error['field']})" if error.get("field") else ""
        raise ApiError(f"{error.get('message', response.reason)}{field}", response.status)
    return data


def _line(ticket: dict[str, Any]) -> str:
    handler = ticket.get("handler") or "-"
    return (
        f"{ticket['number']:<16} {ticket['status']:<20} {ticket.get('priority', ''):<8} "
        f"{handler:<10} {ticket.get('title', '')}"
    )


async def run(args: argparse.Namespace, settings: Settings) -> str:
    server = args.server or f"http://{settings.host}:{settings.port}"
    token = args.token or os.environ.get("SWITCHBOARD_TOKEN", "")
    if not token:
        raise ApiError("no token: pass --token or set SWITCHBOARD_TOKEN", 2)
    action = args.tickets_command
    if action == "create":
        body = {
            "title": args.title,
            "category": args.category,
            "channel": args.channel,
            "description": args.description or "",
            "urgency": args.urgency,
        }
        for key, value in (
            ("customer_id", args.customer),
            ("group", args.group),
            ("handler", args.handler),
        ):
            if value is not None:
                body[key] = value
        created = await call(server, token, "POST", "/api/v1/tickets", body)
        return created["number"] if not args.json else json.dumps(created, ensure_ascii=False)
    if action == "list":
        params = {
            k: v
            for k, v in (("status", args.status), ("sla", args.sla), ("handler", args.handler))
            if v
        }
        page = await call(server, token, "GET", "/api/v1/tickets", params=params)
        if args.json:
            return json.dumps(page, ensure_ascii=False)
        return "\n".join(_line(t) for t in page["items"]) or "no service requests"
    if action == "show":
        ticket = await call(server, token, "GET", f"/api/v1/tickets/{args.number}")
        return json.dumps(ticket, ensure_ascii=False, indent=None if args.json else 2)
    if action == "move":
        ticket = await call(server, token, "GET", f"/api/v1/tickets/{args.number}")
        body = {"to": args.to, "version": ticket["version"]}
        if args.resolution:
            body["resolution"] = args.resolution
        if args.note:
            body["note"] = args.note
        moved = await call(
            server, token, "POST", f"/api/v1/tickets/{args.number}/transitions", body
        )
        return f"{moved['number']} is {moved['status']}"
    if action == "note":
        body = {"body": args.body, "kind": args.kind, "time_spent_minutes": args.minutes}
        await call(server, token, "POST", f"/api/v1/tickets/{args.number}/notes", body)
        return f"note added to {args.number}"
    if action == "reassign":
        body = {"numbers": args.numbers, "handler": args.handler, "group": args.group}
        result = await call(server, token, "POST", "/api/v1/tickets/bulk-reassign", body)
        return (
            json.dumps(result, ensure_ascii=False)
            if args.json
            else f"{len(args.numbers)} reassigned"
        )
    raise ApiError("say what to do: create, list, show, move, note, reassign", 2)


def add_parser(sub: Any, func: Any) -> argparse.ArgumentParser:
    tickets = sub.add_parser("tickets", help="service requests through the server's API")
    tickets.set_defaults(func=func)
    tickets.add_argument("--server", help="server URL (default: http://HOST:PORT of the settings)")
    tickets.add_argument("--token", help="API token (default: SWITCHBOARD_TOKEN)")
    tickets.add_argument("--json", action="store_true", help="print JSON")
    actions = tickets.add_subparsers(dest="tickets_command", metavar="ACTION")
    create = actions.add_parser("create", help="open a service request; prints its number")
    create.add_argument("--title", required=True)
    create.add_argument("--category", required=True, help="category id or full path")
    create.add_argument(
        "--channel", default="phone", choices=["phone", "email", "web", "sms", "self_service"]
    )
    create.add_argument("--description")
    create.add_argument(
        "--urgency", default="medium", choices=["low", "medium", "high", "critical"]
    )
    create.add_argument("--customer", type=int)
    create.add_argument("--group")
    create.add_argument("--handler")
    listing = actions.add_parser("list", help="service requests, newest first")
    listing.add_argument("--status")
    listing.add_argument("--sla", choices=["ok", "at_risk", "breached"])
    listing.add_argument("--handler")
    show = actions.add_parser("show", help="one request with its history and SLA timeline")
    show.add_argument("number")
    move = actions.add_parser("move", help="change the status (new, assigned, in_progress, ...)")
    move.add_argument("number")
    move.add_argument("--to", required=True)
    move.add_argument("--resolution")
    move.add_argument("--note")
    note = actions.add_parser("note", help="add a handling record")
    note.add_argument("number")
    note.add_argument("--body", required=True)
    note.add_argument("--kind", default="note")
    note.add_argument("--minutes", type=int, default=0)
    reassign = actions.add_parser("reassign", help="hand requests to an agent or group")
    reassign.add_argument("numbers", nargs="+")
    reassign.add_argument("--handler")
    reassign.add_argument("--group")
    return tickets


__all__ = ["ApiError", "add_parser", "call", "run"]
