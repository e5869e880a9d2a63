"""Wallboard: 1,000 agents and 50 queues changing at 200 events/s; the board keeps up.

Acceptance: a headless wallboard (``WallboardApp`` with the real floor feed) against a real
server keeps up — render lag p95 ≤ 500 ms, where the lag of an agent row is the time from the
state change on the server (the row's ``since``) until the board has applied the update that
carries it — and the server's feed costs less than one message per second per board per queue.

One run: a fresh SQLite data dir (schema by migration; ``--agents`` agents logged in through
the project's services, so each has a state log), ``switchboard serve`` as a subprocess,
``--queues`` queues created over HTTP; the board connects; then for ``--seconds`` seconds
``--rate`` events/s, open loop: half are agent state changes posted by a supervisor (break,
not ready, available), half are call events (a call rings in a queue, is answered by an agent
and ends, three events). Everything listens on 127.0.0.1; the process and temp dir go at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import (
    BenchError,
    Check,
    ServerProcess,
    clean_env,
    log,
    machine,
    remove_tree,
    result,
    summarise,
)

NAME = "wallboard"
TARGET_LAG_P95_MS = 500.0
TARGET_MSGS_PER_QUEUE = 1.0
ROOT = Path(__file__).resolve().parent.parent
CHOSEN = ("break", "not_ready", "available", "available")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agents", type=int, default=1000, help="agents (default 1000)")
    parser.add_argument("--queues", type=int, default=50, help="queues (default 50)")
    parser.add_argument("--rate", type=float, default=200.0, help="events/s (default 200)")
    parser.add_argument("--seconds", type=float, default=30.0, help="load time (default 30)")
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds for the whole run (default 300)"
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    if not 10 <= args.agents <= 5000 or not 1 <= args.queues <= 200:
        raise BenchError("--agents within 10..5000 and --queues within 1..200")
    if not 0 < args.rate <= 2000 or not 5 <= args.seconds <= 300:
        raise BenchError("--rate within 0..2000 and --seconds within 5..300")
    return asyncio.run(asyncio.wait_for(_run(args), args.timeout))


async def load(data_dir: Path, agents: int) -> tuple[str, str]:
    """Schema, agents logged in (available), an admin and a cti token."""
    from routing import agents as routing_agents
    from routing.schemas import AgentIn
    from switchboard.core.clock import SystemClock
    from switchboard.core.db import Database
    from switchboard.core.settings import Settings
    from switchboard.migrate import upgrade
    from switchboard.tokens import create_token

    settings = Settings(data_dir=data_dir, database_url=None, database_schema=None)
    await upgrade(settings)
    database = Database(settings)
    now = SystemClock().now()

    def make(conn: Any) -> tuple[str, str]:
        for n in range(1, agents + 1):
            agent = AgentIn(
                id=f"a-{n:04d}", name=f"坐席 {n}", extension=str(10000 + n), team=f"t{n % 20}"
            )
            routing_agents.create_agent(conn, agent, now)
            routing_agents.move_agent(conn, agent.id, "available", None, now)
        admin = create_token(conn, role="admin", name="bench-admin", agent_id=None, now=now)
        cti = create_token(conn, role="cti", name="bench-pbx", agent_id=None, now=now)
        return admin.secret, cti.secret

    try:
        return await database.writer.run(make)
    finally:
        await database.close()


async def _post(
    session: aiohttp.ClientSession,
    url: str,
    body: Any,
    token: str,
    counts: dict[str, int],
    acks: list[float],
) -> None:
    started = time.monotonic()
    try:
        async with session.post(url, json=body, headers={"Authorization": f"Bearer {token}"}) as r:
            await r.read()
            counts["ok" if r.status < 400 else f"http_{r.status}"] += 1
            acks.append((time.monotonic() - started) * 1000)
    except (aiohttp.ClientError, TimeoutError):
        counts["error"] += 1


async def drive(
    url: str,
    admin: str,
    cti: str,
    args: argparse.Namespace,
    counts: dict[str, int],
    acks: list[float],
) -> float:
    """Post ``rate`` events/s for ``seconds`` seconds, open loop; returns the seconds taken."""
    rng = random.Random(7)
    connector = aiohttp.TCPConnector(limit=64)
    tasks: set[asyncio.Task[None]] = set()
    calls: list[tuple[int, int]] = []  # (call number, events sent)
    call_no = 0
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.monotonic()
        n = 0
        total = int(args.rate * args.seconds)
        while n < total:
            due = start + n / args.rate
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            at = datetime.now(UTC).isoformat()
            if n % 2 == 0:
                agent = f"a-{rng.randint(1, args.agents):04d}"
                state = rng.choice(CHOSEN)
                body: Any = {"state": state}
                target, token = f"{url}/api/v1/agents/{agent}/state", admin
            else:
                if calls and (len(calls) > 40 or rng.random() < 0.6):
                    i = rng.randrange(len(calls))
                    number, sent = calls[i]
                    kind = ("answered", "ended")[sent - 1]
                    extra: dict[str, Any] = {"cause": "normal"} if kind == "ended" else {}
                    if kind == "answered":
                        extra["agent"] = str(10000 + 1 + number % args.agents)
                    calls[i] = (number, sent + 1)
                    if sent + 1 == 3:
                        calls.pop(i)
                else:
                    call_no += 1
                    number, kind = call_no, "ringing"
                    extra = {"queue": f"q{number % args.queues:02d}"}
                    calls.append((number, 1))
                body = {
                    "event_id": f"w{number}-{kind}",
                    "call_id": f"w{number}",
                    "type": kind,
                    "from": f"+86139{number % 100_000_000:08d}",
                    "to": "4008001234",
                    "at": at,
                    **extra,
                }
                target, token = f"{url}/api/v1/cti/events", cti
            task = asyncio.create_task(_post(session, target, body, token, counts, acks))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            n += 1
        if tasks:
            await asyncio.wait(tasks, timeout=30)
        return time.monotonic() - start


async def _refresh_seconds(url: str) -> float | None:
    """The server's longest floor refresh of the last hundred (from /metrics)."""
    async with aiohttp.ClientSession() as session, session.get(f"{url}/metrics") as r:
        for line in (await r.text()).splitlines():
            if line.startswith("switchboard_floor_refresh_seconds "):
                return round(float(line.split()[1]), 4)
    return None


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="sb-wallboard-"))
    data_dir = workdir / "var"
    server: ServerProcess | None = None
    try:
        log(f"1. loading {args.agents} agents into {data_dir}")
        admin, cti = await load(data_dir, args.agents)
        server = ServerProcess(
            "switchboard",
            [sys.executable, "-m", "switchboard", "serve", "--port", "0"],
            env=clean_env(
                SWITCHBOARD_DATA_DIR=str(data_dir),
                SWITCHBOARD_CTI_RATE="1000000",
                SWITCHBOARD_CTI_BURST="1000000",
                SWITCHBOARD_LOG_LEVEL="WARNING",
            ),
            ready=r"switchboard listening on (http://\S+)",
            log_path=workdir / "switchboard.log",
            cwd=ROOT,
        )
        url = await server.start()
        log(f"2. server on {url}; creating {args.queues} queues")
        async with aiohttp.ClientSession() as session:
            for q in range(args.queues):
                body = {"id": f"q{q:02d}", "name": f"队列 {q}"}
                headers = {"Authorization": f"Bearer {admin}"}
                async with session.post(f"{url}/api/v1/queues", json=body, headers=headers) as r:
                    if r.status != 201:
                        raise BenchError(f"creating a queue: HTTP {r.status} {await r.text()}")
        counts: dict[str, int] = Counter()
        acks: list[float] = []
        # The board runs in a process of its own: the real app, headless, timing itself.
        measure = args.seconds + 3.0
        board = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "console.wallboard.probe",
            url,
            "--seconds",
            str(measure),
            stdout=asyncio.subprocess.PIPE,
            env=clean_env(SWITCHBOARD_TOKEN=admin),
            cwd=ROOT,
        )
        assert board.stdout is not None
        try:
            async with asyncio.timeout(60):
                ready = await board.stdout.readline()
            if ready.strip() != b"ready":
                raise BenchError(f"the board did not start: {ready!r}")
            log(f"3. {args.rate:g} events/s for {args.seconds:g} s")
            await drive(url, admin, cti, args, counts, acks)
            async with asyncio.timeout(measure + 60):
                out = json.loads(await board.stdout.readline())
                await board.wait()
        finally:
            if board.returncode is None:
                board.kill()
                await board.wait()
        updates = out["updates"]
        elapsed = out["seconds"]
        board_bytes = out["bytes"]
        refresh_s = await _refresh_seconds(url)
        per_s = updates / elapsed
        per_queue = per_s / args.queues
        lag = summarise(out["change_ms"]) if out["change_ms"] else {"count": 0}
        render = summarise(out["render_ms"]) if out["render_ms"] else {"count": 0}
        p95 = render.get("p95") if out["render_ms"] else None
        checks = [
            Check("render_lag_p95_ms", p95, TARGET_LAG_P95_MS),
            Check("messages_per_s_per_queue", round(per_queue, 4), TARGET_MSGS_PER_QUEUE),
        ]
        return result(
            bench=NAME,
            metric="render_lag_p95_ms",
            value=p95,
            unit="ms",
            baseline=None,
            target=TARGET_LAG_P95_MS,
            params={
                "agents": args.agents,
                "queues": args.queues,
                "rate": args.rate,
                "seconds": args.seconds,
                "machine": machine(),
            },
            checks=checks,
            stats={
                "render_lag_ms": render,
                "state_change_to_board_ms": lag,
                "update_arrival_ms": summarise(out["arrive_ms"]) if out["arrive_ms"] else {},
                "board_apply_ms": summarise(out["apply_ms"]) if out["apply_ms"] else {},
                "floor_updates": updates,
                "floor_updates_per_s": round(per_s, 3),
                "floor_bytes_per_s": round(board_bytes / elapsed),
                "messages_per_s_per_queue": round(per_queue, 4),
                "floor_refresh_max_s": refresh_s,
                "posts": dict(counts),
                "post_ack_ms": summarise(acks) if acks else {"count": 0},
            },
        )
    finally:
        if server is not None:
            await server.stop()
        remove_tree(workdir)
