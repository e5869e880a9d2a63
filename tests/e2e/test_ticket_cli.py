"""``switchboard tickets``: service requests from the shell, through a running server."""

from __future__ import annotations

import json

import aiohttp

from tests.e2e.conftest import Cli, ServerProcess


async def test_ticket_lifecycle_from_the_shell(cli: Cli, server: ServerProcess) -> None:
    admin = cli.run("token", "create", "--role", "admin", "--name", "ops").stdout.strip()
    headers = {"Authorization": f"Bearer {admin}"}
    async with aiohttp.ClientSession() as session:
        for body in (
            {"id": "billing", "name": "账单"},
            {"id": "refund", "name": "退款", "parent": "billing"},
        ):
            async with session.post(
                f"{server.url}/api/v1/ticket-categories", json=body, headers=headers
            ) as resp:
                assert resp.status in (200, 201), await resp.text()
    env = {**cli.env, "SWITCHBOARD_TOKEN": admin}

    def tickets(*args: str, check: bool = True) -> str:
        result = cli.run("tickets", "--server", server.url, *args, check=check, env=env)
        return result.stdout.strip() if check else result.stderr.strip()

    number = tickets(
        "create",
        "--title",
        "话费多扣 30 元",
        "--category",
        "refund",
        "--description",
        "客户称本月多扣费",
    )
    assert number.startswith("SR-")
    assert number in tickets("list")
    assert tickets("move", number, "--to", "in_progress") == f"{number} is in_progress"
    assert tickets("note", number, "--body", "已核实, 将退款") == f"note added to {number}"
    shown = json.loads(tickets("--json", "show", number))
    assert shown["status"] == "in_progress"
    assert any(n["body"] == "已核实, 将退款" for n in shown["notes"])
    error = tickets("move", number, "--to", "closed", check=False)
    assert "closed" in error
    assert "Traceback" not in error
    missing = tickets("show", "SR-0000-000000", check=False)
    assert "SR-0000-000000" in missing


def test_ticket_cli_without_a_token_says_so(cli: Cli) -> None:
    result = cli.run("tickets", "--server", "http://127.0.0.1:9", "list", check=False)
    assert result.returncode == 2
    assert "SWITCHBOARD_TOKEN" in result.stderr
