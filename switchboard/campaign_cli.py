"""``switchboard campaigns refresh|stats ID``: outbound campaigns from the shell.

Both ask the server (the dialer runs there): ``refresh`` evaluates the campaign's segments
again and prints who joined and who was not added and why; ``stats`` prints the campaign's
figures, its schedule's state included.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any
from urllib.parse import quote

from switchboard.core.settings import Settings
from switchboard.ticket_cli import ApiError, call


async def run(args: argparse.Namespace, settings: Settings) -> str:
    server = args.server or f"http://{settings.host}:{settings.port}"
    token = args.token or os.environ.get("SWITCHBOARD_TOKEN", "")
    if not token:
        raise ApiError("no token: pass --token or set SWITCHBOARD_TOKEN", 2)
    path = f"/api/v1/campaigns/{quote(args.id, safe='')}"
    if args.campaigns_command == "refresh":
        data = await call(server, token, "POST", f"{path}/refresh")
        if args.json:
            return json.dumps(data, ensure_ascii=False)
        return "\n".join(_refresh_lines(data))
    data = await call(server, token, "GET", f"{path}/stats")
    return json.dumps(data, ensure_ascii=False, indent=None if args.json else 2)


def _refresh_lines(data: dict[str, Any]) -> list[str]:
    lines = [
        f"campaign {data['id']}: {data['leads']} leads joined, "
        f"{data['leads_total']} waiting for calls"
    ]
    report = data.get("customer_segment")
    if report:
        lines.append(
            f"segment {report['name']!r} (#{report['id']}): {report['members']} members, "
            f"{report['added']} new leads, {report['reused']} reused, "
            f"{report['already']} already in the campaign"
        )
    lines += [f"warning: {w}" for w in data.get("warnings", [])]
    return lines


def add_parser(sub: Any, func: Any) -> argparse.ArgumentParser:
    campaigns = sub.add_parser("campaigns", help="outbound campaigns: refresh, stats")
    campaigns.set_defaults(func=func)
    campaigns.add_argument(
        "--server", help="server URL (default: http://HOST:PORT of the settings)"
    )
    campaigns.add_argument("--token", help="API token (default: SWITCHBOARD_TOKEN)")
    campaigns.add_argument("--json", action="store_true", help="print JSON")
    actions = campaigns.add_subparsers(dest="campaigns_command", metavar="ACTION", required=True)
    refresh = actions.add_parser(
        "refresh", help="evaluate the campaign's segments again: new members become leads"
    )
    refresh.add_argument("id")
    stats = actions.add_parser("stats", help="the campaign's figures and schedule")
    stats.add_argument("id")
    return campaigns
