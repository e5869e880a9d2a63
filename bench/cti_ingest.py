"""CTI ingest: call events through the whole pipeline on SQLite, throughput and ack latency.

Acceptance: sustained ≥ 1,000 events/s through the whole pipeline (auth, rate limit,
validation, the read side, the stored event, the call record, the agent's state and the
channel messages in one group commit, the acknowledgement), p99 acknowledgement latency
≤ 50 ms at 500 events/s, and at least half the throughput of a bare aiohttp handler storing
the same row with the same driver (``bench/baseline_ingest.py``), measured in the same run.

One run: a fresh data dir (schema by migration; agents and a cti token through the project's
services), ``switchboard serve`` as a subprocess; then

1. throughput: ``--calls`` calls of three events each (ringing and answered naming an agent,
   ended), ``--concurrency`` calls in flight, each event a POST of its own, acknowledged
   before the call's next event is posted; events/s over the whole phase;
2. latency: ``--rate`` events/s for ``--seconds`` seconds, open loop (posted on schedule
   whatever the answers do); the time from the start of each POST to its acknowledgement.

Then the same two phases against the baseline on a copy of the same migrated database.
The per-source rate limit is raised for the run (it is a policy, not a capacity). Everything
listens on 127.0.0.1; processes and temp dirs go at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bench.common import (
    BenchError,
    Check,
    ServerProcess,
    baseline_process,
    in_scratch_dir,
    log,
    machine,
    result,
    summarise,
    switchboard_process,
)
from bench.common import ratio as ratio_of

NAME = "cti_ingest"
TARGET_EVENTS_PER_S = 1000.0
TARGET_P99_MS = 50.0
TARGET_RATIO = 0.5
AGENTS = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--calls", type=int, default=3000, help="calls in the throughput phase (3 events each)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=64, help="calls in flight in that phase (default 64)"
    )
    parser.add_argument(
        "--rate", type=float, default=500.0, help="events/s of the latency phase (default 500)"
    )
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="length of the latency phase (default 10)"
    )
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds for the whole run (default 300)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary data dir and server logs"
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.calls < 10 or args.concurrency < 1:
        raise BenchError("--calls must be at least 10 and --concurrency at least 1")
    if args.rate <= 0 or not 1 <= args.seconds <= 120:
        raise BenchError("--rate must be positive and --seconds within 1..120")
    return asyncio.run(_run(args))


# --- data ------------------------------------------------------------------------------------


async def load(data_dir: Path) -> str:
    """Schema, agents (available) and a cti token; the token's secret."""
    from sqlalchemy import Table, update

    from routing import agents as routing_agents
    from routing import store as routing_store
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

    def make(conn: Any) -> str:
        for n in range(1, AGENTS + 1):
            agent = AgentIn(id=f"a-{n:03d}", name=f"坐席 {n}", extension=str(3000 + n))
            routing_agents.create_agent(conn, agent, now)
        agents_t: Table = routing_store.agents_t  # type: ignore[assignment]
        conn.execute(update(agents_t).values(state="available", state_since=now))
        return create_token(conn, role="cti", name="bench-pbx", agent_id=None, now=now).secret

    try:
        return await database.writer.run(make)
    finally:
        await database.close()


def event(call: int, kind: str, prefix: str, at: datetime) -> bytes:
    body: dict[str, Any] = {
        "event_id": f"{prefix}{call}-{kind}",
        "call_id": f"{prefix}{call}",
        "type": kind,
        "direction": "inbound",
        "from": f"+86138{call % 100_000_000:08d}",
        "to": "4008001234",
        "at": at.isoformat(),
    }
    if kind != "ended":
        body["agent"] = str(3001 + call % AGENTS)
    else:
        body["cause"] = "normal"
    return json.dumps(body).encode()


# --- driving ---------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    url: str
    headers: dict[str, str]


@dataclass
class Phase:
    events: int = 0
    errors: int = 0
    first_error: str = ""
    seconds: float = 0.0
    acks_ms: list[float] = field(default_factory=list)


class Connection:
    """One keep-alive HTTP/1.1 connection, spoken by hand.

    A general-purpose client costs more CPU per request than the servers measured here; on two
    cores shared by client and server that would measure the client. Both servers are driven
    by this same small client.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def post(self, head: bytes, body: bytes) -> int:
        self.writer.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
        status_line = await self.reader.readuntil(b"\r\n")
        length = 0
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if length:
            await self.reader.readexactly(length)
        return int(status_line.split(b" ", 2)[1])

    def close(self) -> None:
        self.writer.close()


class Client:
    """A pool of :class:`Connection` to one target; ``post`` waits for a free one."""

    def __init__(self, target: Target, size: int) -> None:
        url = urlsplit(target.url)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        lines = [f"POST {url.path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in target.headers.items()]
        self.head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode()
        self.size = size
        self.free: asyncio.Queue[Connection] = asyncio.Queue()
        self.all: list[Connection] = []

    async def __aenter__(self) -> Client:
        for _ in range(self.size):
            connection = await Connection.open(self.host, self.port)
            self.all.append(connection)
            self.free.put_nowait(connection)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for connection in self.all:
            connection.close()

    async def post(self, body: bytes, phase: Phase, started: float | None = None) -> bool:
        """Post ``body``; its time counts from ``started`` (default now) to the answer."""
        began = time.perf_counter() if started is None else started
        connection = await self.free.get()
        try:
            status = await connection.post(self.head, body)
        finally:
            self.free.put_nowait(connection)
        phase.acks_ms.append((time.perf_counter() - began) * 1000)
        if status != 200:
            phase.errors += 1
            phase.first_error = phase.first_error or f"answered {status}"
            return False
        phase.events += 1
        return True


async def throughput(target: Target, calls: int, concurrency: int) -> Phase:
    """Closed loop: ``concurrency`` calls at a time, each event acknowledged before the next."""
    phase = Phase()
    start = datetime.now(UTC)
    async with Client(target, concurrency) as client:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for call in range(calls):
            queue.put_nowait(call)

        async def worker() -> None:
            while not queue.empty():
                call = queue.get_nowait()
                at = start + timedelta(seconds=call * 0.01)
                for offset, kind in ((0, "ringing"), (3, "answered"), (60, "ended")):
                    body = event(call, kind, "t", at + timedelta(seconds=offset))
                    if not await client.post(body, phase):
                        break

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        phase.seconds = time.perf_counter() - began
    return phase


async def latency(target: Target, rate: float, seconds: float) -> Phase:
    """Open loop: events posted on schedule at ``rate``; each one's time from its scheduled
    start to its acknowledgement (waiting for a free connection included)."""
    phase = Phase()
    total = int(rate * seconds)
    start = datetime.now(UTC)
    kinds = ("ringing", "answered", "ended")
    async with Client(target, 64) as client:
        tasks: list[asyncio.Task[bool]] = []
        began = time.perf_counter()
        for n in range(total):
            due = began + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            call, kind = divmod(n, 3)
            at = start + timedelta(seconds=call * 0.01 + kind * 3)
            body = event(call, kinds[kind], "l", at)
            tasks.append(asyncio.create_task(client.post(body, phase, started=due)))
        await asyncio.gather(*tasks)
        phase.seconds = time.perf_counter() - began
    return phase


async def websocket(url: str, token: str, calls: int, window: int = 256) -> Phase:
    """Switchboard's websocket ingest: one connection, one event per message, up to ``window``
    messages unanswered; events/s until every message is acknowledged. For information: the
    baseline has no websocket."""
    phase = Phase()
    start = datetime.now(UTC)
    kinds = ("ringing", "answered", "ended")
    total = calls * 3
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, headers=headers, max_msg_size=0) as ws,
    ):
        slots = asyncio.Semaphore(window)
        sent: dict[int, float] = {}

        async def read() -> None:
            while len(phase.acks_ms) < total:
                answer = json.loads((await ws.receive()).data)
                phase.acks_ms.append((time.perf_counter() - sent.pop(answer["seq"])) * 1000)
                if answer["type"] == "ack":
                    phase.events += 1
                else:
                    phase.errors += 1
                    phase.first_error = phase.first_error or str(answer.get("error"))
                slots.release()

        began = time.perf_counter()
        reader = asyncio.create_task(read())
        for n in range(total):
            await slots.acquire()
            call, kind = divmod(n, 3)
            at = start + timedelta(seconds=call * 0.01 + kind * 3)
            sent[n + 1] = time.perf_counter()
            await ws.send_bytes(event(call, kinds[kind], "w", at))
        await reader
        phase.seconds = time.perf_counter() - began
    return phase


async def measure(target: Target, args: argparse.Namespace) -> dict[str, Any]:
    log(
        f"   {target.name}: throughput, {args.calls} calls × 3 events, {args.concurrency} in flight"
    )
    flow = await throughput(target, args.calls, args.concurrency)
    log(f"   {target.name}: latency, {args.rate:g} events/s for {args.seconds:g} s")
    paced = await latency(target, args.rate, args.seconds)
    if flow.errors or paced.errors:
        raise BenchError(
            f"{target.name} refused events ({flow.first_error or paced.first_error}); "
            f"{flow.errors + paced.errors} errors"
        )
    ack = summarise(paced.acks_ms)
    return {
        "events_per_s": round(flow.events / flow.seconds, 1),
        "throughput_events": flow.events,
        "throughput_seconds": round(flow.seconds, 2),
        "throughput_ack_ms": summarise(flow.acks_ms),
        "paced_rate": round(paced.events / paced.seconds, 1),
        "paced_ack_ms": ack,
    }


# --- one run ---------------------------------------------------------------------------------


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    return await in_scratch_dir(
        "cti_ingest", args, lambda workdir, servers: _measure(args, workdir, servers)
    )


async def _measure(
    args: argparse.Namespace, workdir: Path, servers: list[ServerProcess]
) -> dict[str, Any]:
    data_dir = workdir / "var"
    token = await load(data_dir)
    baseline_db = workdir / "baseline.db"
    shutil.copyfile(data_dir / "switchboard.db", baseline_db)

    ours = switchboard_process(
        data_dir,
        workdir,
        SWITCHBOARD_CTI_RATE="1000000",
        SWITCHBOARD_CTI_BURST="1000000",
        SWITCHBOARD_LOG_LEVEL="WARNING",
    )
    servers.append(ours)
    url = await ours.start()
    log(f"   switchboard listening on {url} (pid {ours.pid})")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        ours_stats = await measure(Target("switchboard", f"{url}/api/v1/cti/events", headers), args)
        log(f"   switchboard: websocket ingest, {args.calls} calls × 3 events on one connection")
        ws_phase = await websocket(
            url.replace("http://", "ws://") + "/api/v1/cti/ws", token, args.calls
        )
    except BenchError as exc:
        raise BenchError(f"{exc}:\n{ours.log_tail()}") from None
    await ours.stop()
    if ws_phase.errors:
        raise BenchError(f"the websocket ingest refused events: {ws_phase.first_error}")
    ours_stats["websocket"] = {
        "events_per_s": round(ws_phase.events / ws_phase.seconds, 1),
        "ack_ms": summarise(ws_phase.acks_ms),
    }

    bare = baseline_process("baseline_ingest", baseline_db, workdir)
    servers.append(bare)
    bare_url = await bare.start()
    log(f"   baseline listening on {bare_url} (pid {bare.pid})")
    json_headers = {"Content-Type": "application/json"}
    try:
        bare_stats = await measure(
            Target("baseline", f"{bare_url}/api/v1/cti/events", json_headers), args
        )
    except BenchError as exc:
        raise BenchError(f"{exc}:\n{bare.log_tail()}") from None
    await bare.stop()

    rate = float(ours_stats["events_per_s"])
    base_rate = float(bare_stats["events_per_s"])
    p99 = float(ours_stats["paced_ack_ms"]["p99"])
    ratio = ratio_of(rate, base_rate)
    checks = [
        Check("events_per_s", rate, TARGET_EVENTS_PER_S, ">="),
        Check(f"ack_p99_ms_at_{args.rate:g}_per_s", p99, TARGET_P99_MS),
        Check("ratio_events_per_s_vs_baseline", ratio, TARGET_RATIO, ">="),
    ]
    return result(
        bench=NAME,
        metric="events_per_s",
        value=rate,
        unit="events/s",
        baseline=base_rate,
        ratio_value=ratio,
        target=TARGET_EVENTS_PER_S,
        checks=checks,
        params={
            "calls": args.calls,
            "concurrency": args.concurrency,
            "rate": args.rate,
            "seconds": args.seconds,
            "database": "sqlite",
        },
        stats={"switchboard": ours_stats, "baseline": bare_stats, "machine": machine()},
    )
