"""``switchboard demo``: one command from nothing to a console that pops callers.

It migrates, seeds, starts ``switchboard serve`` and the simulated CTI feed as child processes
(their logs go to the data dir), opens the agent console in the foreground, and stops both
children when the console is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Connection, update

from routing import agents
from switchboard.core.clock import SystemClock
from switchboard.core.db import Database
from switchboard.core.settings import Settings
from switchboard.demo.seed import seed_demo
from switchboard.migrate import upgrade
from switchboard.tokens import create_token, tokens_t

FEED_TOKEN = "demo-feed"  # noqa: S105 - the name of the token, not a secret


class DemoError(RuntimeError):
    pass


async def prepare(settings: Settings, agent_id: str) -> tuple[str, str, str]:
    """Migrate, seed, make fresh tokens for the feed and the console, make the agent available."""
    await upgrade(settings)
    report = await seed_demo(settings)
    database = Database(settings)
    console_name = f"demo-console-{agent_id}"
    try:
        now = SystemClock().now()

        def tokens(conn: Connection) -> tuple[str, str]:
            # Each demo run issues new tokens and retires the last run's.
            conn.execute(
                update(tokens_t)
                .where(
                    tokens_t.c.name.in_([FEED_TOKEN, console_name]), tokens_t.c.revoked_at.is_(None)
                )
                .values(revoked_at=now)
            )
            feed = create_token(conn, role="cti", name=FEED_TOKEN, agent_id=None, now=now)
            agent = create_token(conn, role="agent", name=console_name, agent_id=agent_id, now=now)
            agents.choose_state(conn, agent_id, "available", None, now)
            return feed.secret, agent.secret

        feed_token, agent_token = await database.writer.run(tokens)
    finally:
        await database.close()
    return report, feed_token, agent_token


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _child_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["SWITCHBOARD_DATA_DIR"] = str(settings.data_dir.resolve())
    if settings.database_url:
        env["SWITCHBOARD_DATABASE_URL"] = settings.database_url
    env.update(extra)
    return env


def start_server(
    settings: Settings, log_path: Path, port: int
) -> tuple[subprocess.Popen[str], str]:
    log_file = log_path.open("a")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "switchboard",
            "serve",
            "--host",
            settings.host,
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=log_file,
        text=True,
        env=_child_env(settings),
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("switchboard listening on "):
            return process, line.split(" on ", 1)[1].strip()
        if not line and process.poll() is not None:
            break
    process.kill()
    tail = log_path.read_text(errors="replace").strip().splitlines()[-5:]
    raise DemoError("the demo server did not start:\n  " + "\n  ".join(tail))


def stop(process: subprocess.Popen[str] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=8)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def run_demo(settings: Settings, *, agent_id: str, interval: float) -> int:
    from console.agent_app import run_agent_console

    print("Preparing the demo database…", flush=True)
    report, feed_token, agent_token = asyncio.run(prepare(settings, agent_id))
    print(report, flush=True)
    port = settings.port if _port_free(settings.host, settings.port) else 0
    server: subprocess.Popen[str] | None = None
    feed: subprocess.Popen[str] | None = None
    try:
        server, url = start_server(settings, settings.data_dir / "demo-server.log", port)
        print(
            f"Server on {url}; a simulated caller about every {interval:g} s, offered when "
            f"{agent_id} is available; logs in {settings.data_dir}/",
            flush=True,
        )
        feed = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "switchboard",
                "demo-feed",
                "--server",
                url,
                "--agent",
                agent_id,
                "--interval",
                str(interval),
            ],
            stdout=subprocess.DEVNULL,
            stderr=(settings.data_dir / "demo-feed.log").open("a"),
            env=_child_env(
                settings, SWITCHBOARD_TOKEN=feed_token, SWITCHBOARD_AGENT_TOKEN=agent_token
            ),
            text=True,
        )
        run_agent_console(url, agent_token, agent_id)
    except DemoError as exc:
        print(f"switchboard: {exc}", file=sys.stderr)
        return 1
    finally:
        stop(feed)
        stop(server)
    return 0


def run_feed_process(
    server: str, token: str, agent_token: str, agent_id: str, interval: float
) -> int:
    from switchboard.demo.dataset import CallerPicker, demo_customers
    from switchboard.demo.feed import run_feed

    logging.basicConfig(level="INFO", format="%(asctime)s %(levelname)s %(message)s")

    async def main() -> None:
        halt = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, halt.set)
        picker = CallerPicker(demo_customers())
        await run_feed(
            server,
            token,
            agent_id,
            picker,
            agent_token=agent_token,
            interval=interval,
            stop=halt,
        )

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
    return 0
