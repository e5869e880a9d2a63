"""Console pop: from a screen pop arriving on the agent's socket to the caller card drawn.

A small websocket server in this process speaks the agent-feed protocol (a hello, then
pops). The real console runs headless at 120×40 in a child process (``python -m
console.pop_probe``) and says when the screen refresh after each pop has been composed. Pops
go one at a time, each a different customer with Chinese names; the clock (``monotonic``,
shared by the processes) starts just before the server writes the frame and stops when the
console reports the card drawn.

Baseline: the same child process with ``--bare``: a plain Textual app with one Static fed by
a plain websocket reader, the least any Textual console does for a pop. Target: p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bench.common import BenchError, Check, clean_env, log, result, summarise

NAME = "console_pop"
TARGET_P95_MS = 50.0
TOKEN = "bench-token"
AGENT = {"id": "a-1001", "name": "王小明", "extension": "1001"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰"]


def pop_frame(n: int) -> dict[str, Any]:
    name = SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)]
    company = f"{name}的公司{n}号"
    number = f"+86 138 {n // 10000 % 10000:04d} {n % 10000:04d}"
    return {
        "type": "screen_pop",
        "id": n,
        "call_id": f"c-{n}",
        "agent": AGENT["id"],
        "direction": "inbound",
        "from": number,
        "to": "4008001234",
        "queue": "sales",
        "ivr": {"lang": "zh"},
        "at": datetime.now(UTC).isoformat(),
        "match": {
            "status": "known",
            "number": number,
            "e164": number.replace(" ", ""),
            "candidates": [
                {
                    "customer_id": n,
                    "contact_id": n * 10,
                    "name": name,
                    "customer_name": company,
                    "kind": "enterprise",
                    "number": number,
                    "reason": "exact E.164",
                }
            ],
        },
        "customer": {
            "id": n,
            "kind": "enterprise",
            "name": company,
            "contact_name": name,
            "phones": [number],
            "emails": [f"c{n}@example.cn"],
            "city": "深圳",
            "tier": "gold",
            "tags": ["vip", "华南大区"],
        },
    }


class PopServer:
    """The agent websocket: a hello on connect, then the frames ``send`` is given."""

    def __init__(self) -> None:
        self.sockets: list[web.WebSocketResponse] = []
        self.connected = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_get("/api/v1/ws", self._ws)
        self.runner = web.AppRunner(self.app)
        self.url = ""

    async def start(self) -> None:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for ws in self.sockets:
            await ws.close()
        await self.runner.cleanup()

    async def _ws(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json(
            {"type": "hello", "id": 0, "agent": AGENT, "state": "available", "cursor": 0}
        )
        self.sockets.append(ws)
        self.connected.set()
        async for _ in ws:
            pass
        return ws

    async def send(self, frame: dict[str, Any]) -> float:
        """Write ``frame`` to the console; returns ``time.monotonic()`` just before writing."""
        text = json.dumps(frame, ensure_ascii=False)
        started = time.monotonic()
        await self.sockets[-1].send_str(text)
        return started


async def _drawn(stdout: asyncio.StreamReader, call_id: str) -> float:
    while True:
        line = (await stdout.readline()).decode().split()
        if not line:
            raise BenchError("the console process ended")
        if line[:2] == ["drawn", call_id]:
            return float(line[2])


async def measure(bare: bool, pops: int, warmup: int, per_pop: float) -> list[float]:
    """Latencies in ms of ``pops`` pops (after ``warmup`` untimed ones) for one console."""
    server = PopServer()
    await server.start()
    command = [sys.executable, "-m", "console.pop_probe", server.url, TOKEN]
    child = await asyncio.create_subprocess_exec(
        *([*command, "--bare"] if bare else command),
        stdout=asyncio.subprocess.PIPE,
        env=clean_env(),
    )
    assert child.stdout is not None
    latencies: list[float] = []
    try:
        await asyncio.wait_for(server.connected.wait(), 30.0)
        await asyncio.sleep(0.5)  # the first layout and paint
        for n in range(1, warmup + pops + 1):
            frame = pop_frame(n)
            started = await server.send(frame)
            try:
                finished = await asyncio.wait_for(_drawn(child.stdout, frame["call_id"]), per_pop)
            except TimeoutError as exc:
                raise BenchError(f"pop {n} was not drawn within {per_pop} s") from exc
            if n > warmup:
                latencies.append((finished - started) * 1000)
            await asyncio.sleep(0.005)  # let timers settle between calls
    except TimeoutError as exc:
        raise BenchError("the console did not connect within 30 s") from exc
    finally:
        with contextlib.suppress(ProcessLookupError):
            child.terminate()
        await child.wait()
        await server.stop()
    return latencies


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pops", type=int, default=300, help="timed pops (default 300)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed pops first (default 20)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per pop (default 5)")


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.pops < 1 or args.warmup < 0:
        raise BenchError("--pops must be at least 1 and --warmup not negative")
    log(f"{NAME}: {args.pops} pops to the real console (headless, 120×40), then the baseline")
    ours = asyncio.run(measure(False, args.pops, args.warmup, args.timeout))
    bare = asyncio.run(measure(True, args.pops, args.warmup, args.timeout))
    o, b = summarise(ours), summarise(bare)
    checks = [
        Check("pop_to_card_p95", o["p95"], TARGET_P95_MS),
        Check("pops_drawn", len(ours), args.pops, op=">="),
    ]
    return result(
        bench=NAME,
        metric="pop_to_card_p95",
        value=o["p95"],
        unit="ms",
        baseline=b["p95"],
        target=TARGET_P95_MS,
        params={"pops": args.pops, "warmup": args.warmup, "size": "120x40", "language": "zh"},
        checks=checks,
        stats={"console": o, "baseline": b},
    )
