"""The ``switchboard`` command. Every failure is one line naming what to fix, never a traceback."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from switchboard.core.settings import ConfigError, Settings, load_settings


class CommandError(Exception):
    """A failure to report as one line, with an exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "host", None):
        overrides["host"] = args.host
    if getattr(args, "port", None) is not None:
        overrides["port"] = args.port
    return load_settings(**overrides)


def cmd_migrate(args: argparse.Namespace) -> int:
    from switchboard.migrate import run_upgrade

    settings = _settings(args)
    before, after = run_upgrade(settings)
    where = settings.resolved_database_url.split("@")[-1]
    if before == after:
        print(f"database {where} is up to date (revision {after})")
    else:
        print(f"database {where} migrated from {before or 'empty'} to {after}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from switchboard.serve import configure_logging, serve

    settings = _settings(args)
    configure_logging(settings.log_level)
    asyncio.run(serve(settings))
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from switchboard.core.clock import SystemClock
    from switchboard.core.db import Database
    from switchboard.migrate import check_current
    from switchboard.tokens import create_token

    settings = _settings(args)

    async def run() -> str:
        database = Database(settings)
        try:
            async with database.engine.connect() as conn:
                await check_current(conn)
            now = SystemClock().now()
            issued = await database.writer.run(
                lambda c: create_token(
                    c, role=args.role, name=args.name, agent_id=args.agent, now=now
                )
            )
            return issued.secret
        finally:
            await database.close()

    print(asyncio.run(run()))
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from switchboard.demo.seed import seed_demo

    settings = _settings(args)
    report = asyncio.run(seed_demo(settings))
    print(report)
    return 0


def cmd_supervisor(args: argparse.Namespace) -> int:
    from console.wallboard.app import run_wallboard

    settings = _settings(args)
    token = args.token or os.environ.get("SWITCHBOARD_TOKEN")
    if not token:
        raise CommandError(
            "no token: pass --token or set SWITCHBOARD_TOKEN "
            "(switchboard token create --role supervisor --name N)",
            2,
        )
    server = args.server or f"http://{settings.host}:{settings.port}"
    run_wallboard(server, token)
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    from console.agent_app import run_agent_console

    settings = _settings(args)
    token = args.token or os.environ.get("SWITCHBOARD_TOKEN")
    if not token:
        raise CommandError(
            "no token: pass --token or set SWITCHBOARD_TOKEN "
            "(switchboard token create --role agent --name N --agent ID)",
            2,
        )
    server = args.server or f"http://{settings.host}:{settings.port}"
    run_agent_console(server, token, args.agent)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from switchboard.demo.launch import run_demo

    return run_demo(_settings(args), agent_id=args.agent, interval=args.interval)


def cmd_demo_feed(args: argparse.Namespace) -> int:
    from switchboard.demo.launch import run_feed_process

    token = os.environ.get("SWITCHBOARD_TOKEN", "")
    if not token:
        raise CommandError("demo-feed needs a cti token in SWITCHBOARD_TOKEN", 2)
    agent_token = os.environ.get("SWITCHBOARD_AGENT_TOKEN", "")
    if not agent_token:
        raise CommandError(
            "demo-feed needs the agent's token in SWITCHBOARD_AGENT_TOKEN (to follow its state)", 2
        )
    return run_feed_process(args.server, token, agent_token, args.agent, args.interval)


def cmd_erlang(args: argparse.Namespace) -> int:
    import json

    from routing.erlang import staffing

    try:
        result = staffing(
            args.calls,
            args.interval,
            args.aht,
            agents=args.agents,
            target_sl=args.target_sl,
            target_time_s=args.target_time,
            patience_s=args.patience,
        )
    except ValueError as exc:
        raise CommandError(str(exc), 2) from None
    if args.json:
        print(json.dumps(result))
        return 0
    model = "Erlang A" if args.patience is not None else "Erlang C"
    traffic = args.calls * args.aht / args.interval
    print(
        f"{model}: {args.calls:g} calls in {args.interval:g} s, AHT {args.aht:g} s "
        f"= {traffic:.2f} Erlangs"
    )
    print(f"  agents          {result['agents']}")
    print(f"  service level   {result['service_level']:.1%} answered within {args.target_time:g} s")
    print(f"  ASA             {result['asa']:.1f} s")
    print(f"  P(wait)         {result['p_wait']:.3f}")
    if args.patience is not None:
        print(f"  abandon rate    {result['abandon_rate']:.1%}")
    print(f"  occupancy       {result['occupancy']:.1%}")
    return 0


def cmd_flows_check(args: argparse.Namespace) -> int:
    from knowledge.flows.check import main as check_flows

    argv = list(args.paths)
    if args.kb:
        argv += ["--kb", args.kb]
    return check_flows(argv)


def cmd_tickets(args: argparse.Namespace) -> int:
    from switchboard.ticket_cli import ApiError, run

    try:
        print(asyncio.run(run(args, _settings(args))))
    except ApiError as exc:
        raise CommandError(str(exc), 2 if exc.status in (0, 2) else 1) from None
    return 0


def cmd_queues(args: argparse.Namespace) -> int:
    from switchboard.queue_cli import run
    from switchboard.ticket_cli import ApiError

    try:
        print(asyncio.run(run(args, _settings(args))))
    except ApiError as exc:
        raise CommandError(str(exc), 2 if exc.status in (0, 2) else 1) from None
    return 0


def cmd_campaigns(args: argparse.Namespace) -> int:
    from switchboard.campaign_cli import run
    from switchboard.ticket_cli import ApiError

    try:
        print(asyncio.run(run(args, _settings(args))))
    except ApiError as exc:
        raise CommandError(str(exc), 2 if exc.status in (0, 2) else 1) from None
    return 0


def cmd_agents(args: argparse.Namespace) -> int:
    from switchboard.agent_cli import run
    from switchboard.ticket_cli import ApiError

    try:
        print(asyncio.run(run(args, _settings(args))))
    except ApiError as exc:
        raise CommandError(str(exc), 2 if exc.status in (0, 2) else 1) from None
    return 0


def _kb(func: Callable[[argparse.Namespace, Settings], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from switchboard.kb_cli import KbCommandError

        try:
            return func(args, _settings(args))
        except KbCommandError as exc:
            raise CommandError(str(exc), exc.status) from None

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="switchboard",
        description="Switchboard: CTI gateway, screen pops, agent console, routing and SLAs.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(
        name: str, func: Callable[[argparse.Namespace], int], text: str
    ) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=text, description=text)
        command.set_defaults(func=func)
        return command

    add("migrate", cmd_migrate, "create or upgrade the database schema")
    serve = add("serve", cmd_serve, "run the server (CTI gateway, API, websocket hub)")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8080; 0 picks a free one)")
    demo = add(
        "demo", cmd_demo, "seed demo data if empty, start server, simulated calls and console"
    )
    demo.add_argument("--agent", default="a-1001", help="the demo agent to log in as")
    demo.add_argument(
        "--interval", type=float, default=30.0, help="mean seconds between simulated callers"
    )
    demo.add_argument(
        "--port", type=int, help="port for the demo server (default: 8080, else free)"
    )
    add(
        "seed-demo",
        cmd_seed_demo,
        "load the demo data (agents, customers, knowledge base, call scripts) once",
    )
    console = add("console", cmd_console, "the agent console")
    console.add_argument("--agent", required=True, help="agent id, e.g. a-1001")
    console.add_argument("--token", help="agent token (default: SWITCHBOARD_TOKEN)")
    console.add_argument("--server", help="server URL (default: http://HOST:PORT of the settings)")
    token = add("token", lambda a: _usage(token), "manage API tokens")
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION")
    create = token_sub.add_parser("create", help="print a new API token alone on stdout")
    create.set_defaults(func=cmd_token_create)
    create.add_argument("--role", required=True, choices=["admin", "supervisor", "agent", "cti"])
    create.add_argument("--name", required=True, help="who or what uses it (also the CTI source)")
    create.add_argument("--agent", help="the agent an agent token is bound to")
    erlang = add("erlang", cmd_erlang, "staffing calculator: Erlang C, or Erlang A with --patience")
    erlang.add_argument("--calls", type=float, required=True, help="calls offered in the interval")
    erlang.add_argument("--interval", type=float, required=True, help="interval length, s")
    erlang.add_argument("--aht", type=float, required=True, help="average handle time, s")
    erlang.add_argument("--patience", type=float, help="mean caller patience, s (Erlang A)")
    erlang.add_argument(
        "--target-time",
        type=float,
        default=20.0,
        help="answer within this many seconds (default 20)",
    )
    size = erlang.add_mutually_exclusive_group(required=True)
    size.add_argument("--agents", type=int, help="evaluate this many agents")
    size.add_argument("--target-sl", type=float, help="agents needed for this service level (0.8)")
    erlang.add_argument("--json", action="store_true", help="print one JSON object")
    flows = add("flows", lambda a: _usage(flows), "call scripts (branching flows)")
    flows_sub = flows.add_subparsers(dest="flows_command", metavar="ACTION")
    check = flows_sub.add_parser(
        "check", help="validate call scripts: FILE:LINE: CODE for every problem"
    )
    check.set_defaults(func=cmd_flows_check)
    check.add_argument("paths", nargs="+", metavar="PATH", help="flow files or directories")
    check.add_argument("--kb", help="knowledge base directory to check article ids against")
    from switchboard.ticket_cli import add_parser as add_tickets

    add_tickets(sub, cmd_tickets)
    importer = sub.add_parser(
        "import",
        help="import data with a validation report; re-importing the same data changes nothing",
    )
    import_kinds = importer.add_subparsers(dest="import_kind", metavar="KIND")
    importer.set_defaults(func=lambda a: _usage(importer))
    from switchboard.lead_cli import add_parser as add_import_leads

    add_import_leads(import_kinds, _settings)
    supervisor = add("supervisor", cmd_supervisor, "the supervisor wallboard")
    supervisor.add_argument("--token", help="supervisor token (default: SWITCHBOARD_TOKEN)")
    supervisor.add_argument(
        "--server", help="server URL (default: http://HOST:PORT of the settings)"
    )
    from switchboard.report_cli import add_parser as add_report

    add_report(sub, _settings)
    from switchboard.queue_cli import add_parser as add_queues

    add_queues(sub, cmd_queues)
    from switchboard.campaign_cli import add_parser as add_campaigns

    add_campaigns(sub, cmd_campaigns)
    from switchboard.agent_cli import add_parser as add_agents

    add_agents(sub, cmd_agents)
    from switchboard.kb_cli import add_parsers as add_kb

    add_kb(sub, import_kinds, _kb)
    from switchboard.customer_cli import add_parsers as add_customer_commands

    add_customer_commands(sub, import_kinds, _settings)
    feed = sub.add_parser("demo-feed")  # internal: the simulated CTI feed of `switchboard demo`
    feed.set_defaults(func=cmd_demo_feed)
    feed.add_argument("--server", required=True)
    feed.add_argument("--agent", required=True)
    feed.add_argument("--interval", type=float, default=30.0)
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except CommandError as exc:
        print(f"switchboard: {exc}", file=sys.stderr)
        return exc.status
    except ConfigError as exc:
        print(f"switchboard: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        return _report(exc)


def _report(exc: Exception) -> int:
    from switchboard.core.errors import SwitchboardError
    from switchboard.datadir import DataDirBusy
    from switchboard.migrate import SchemaBehind

    if isinstance(exc, SwitchboardError):
        where = f" ({exc.field})" if exc.field else ""
        print(f"switchboard: {exc.message}{where}", file=sys.stderr)
        return 1
    if isinstance(exc, (SchemaBehind, DataDirBusy)):
        print(f"switchboard: {exc}", file=sys.stderr)
        return 1
    if isinstance(exc, OSError):
        print(f"switchboard: {exc.strerror or exc}", file=sys.stderr)
        return 1
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, SQLAlchemyError):
        print(f"switchboard: database error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    raise exc
