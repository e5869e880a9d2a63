"""Ringing event to screen pop: POST /api/v1/cti/events until the pop is on the agent's websocket.

The foundation's acceptance: 1,000 calls with 200 consoles connected and 10,000 customers
stored; p95 ≤ 100 ms, and at most twice the p95 of a bare aiohttp handler doing the same
lookup and websocket send (``bench/baseline_pop.py``), measured in the same run with the same
data, client and load.

One run: build a data dir (the schema by migration; agents and tokens through the project's
services; customers normalised by ``customers.service.prepare`` and bulk-inserted), start
``switchboard serve`` as a subprocess, connect one websocket per agent, post ringing events at
a steady rate (callers are stored customers written in another format, plus some unknown
numbers), time each from the start of the POST to the pop arriving on the right websocket,
end every call (untimed); then the same against the baseline on a copy of the SQLite file.
Everything listens on 127.0.0.1; processes and temp dirs go at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

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

NAME = "screen_pop"
TARGET_P95_MS = 100.0
TARGET_RATIO = 2.0
AGENT_ACCESS_NUMBER = "4008001234"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calls", type=int, default=1000, help="timed calls (default 1000)")
    parser.add_argument(
        "--consoles", type=int, default=200, help="agents, each with a websocket (default 200)"
    )
    parser.add_argument(
        "--customers", type=int, default=10_000, help="customers stored (default 10000)"
    )
    parser.add_argument(
        "--rate", type=float, default=50.0, help="ringing events posted per second (default 50)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=100, help="most calls in flight at once (default 100)"
    )
    parser.add_argument(
        "--warmup", type=int, default=20, help="untimed calls before the timed ones (default 20)"
    )
    parser.add_argument(
        "--unknown-share",
        type=float,
        default=0.1,
        help="share of calls from numbers no customer has (default 0.1)",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed of data and callers")
    parser.add_argument(
        "--pop-timeout", type=float, default=10.0, help="seconds to wait for one pop (default 10)"
    )
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds for the whole run (default 300)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary data dir and server logs"
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.calls < 1 or args.consoles < 1 or args.customers < 1:
        raise BenchError("--calls, --consoles and --customers must be at least 1")
    if args.rate <= 0 or args.concurrency < 1:
        raise BenchError("--rate must be positive and --concurrency at least 1")
    if not 0 <= args.unknown_share <= 1:
        raise BenchError("--unknown-share is a share: 0 to 1")
    return asyncio.run(_run(args))


# --- data ----------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文红建国志海"
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "苏州"]
TRADES = ["科技", "贸易", "物流", "医疗", "电子", "建设", "餐饮", "教育", "咨询", "制造"]
MOBILE_PREFIXES = ["135", "136", "137", "138", "139", "150", "151", "158", "186", "188"]
UNKNOWN_PREFIX = "170"  # no stored customer has a 170 number


@dataclass
class Dataset:
    customers: list[dict[str, Any]]
    callers: list[str]  # stored numbers, written in another format than stored


def _mobile(rng: random.Random, taken: set[str]) -> str:
    while True:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if number not in taken:
            taken.add(number)
            return number


def _landline(rng: random.Random, taken: set[str]) -> str:
    while True:
        area = rng.choice(["10", "21"])
        number = area + f"{rng.randrange(2 * 10**7, 9 * 10**7):08d}"
        if number not in taken:
            taken.add(number)
            return number


def _stored_mobile(number: str, style: int) -> str:
    if style == 0:
        return number
    return f"{number[:3]} {number[3:7]} {number[7:]}"


def _called_mobile(number: str, style: int) -> str:
    return [
        f"+86{number}",
        f"+86 {number[:3]}-{number[3:7]}-{number[7:]}",
        f"0086 {number[:3]} {number[3:7]} {number[7:]}",
    ][style % 3]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def make_dataset(count: int, rng: random.Random) -> Dataset:
    """``count`` customers: most individuals with a mobile or two, some enterprises with a
    switchboard line and two contacts. Numbers are stored nationally written."""
    taken: set[str] = set()
    customers: list[dict[str, Any]] = []
    callers: list[str] = []
    for index in range(count):
        tier = rng.choice(["A", "B", "C", None])
        city = rng.choice(CITIES)
        if rng.random() < 0.85:
            phones = []
            for _ in range(2 if rng.random() < 0.2 else 1):
                mobile = _mobile(rng, taken)
                phones.append(
                    {"number": _stored_mobile(mobile, rng.randrange(2)), "type": "mobile"}
                )
                callers.append(_called_mobile(mobile, rng.randrange(3)))
            customers.append(
                {
                    "kind": "individual",
                    "name": _name(rng),
                    "city": city,
                    "tier": tier,
                    "phones": phones,
                    "emails": [f"c{index}@example.cn"],
                }
            )
            continue
        line = _landline(rng, taken)
        area, local = line[:2], line[2:]
        callers.append(f"+86 {area} {local[:4]} {local[4:]}")
        contacts = []
        for n in range(2):
            mobile = _mobile(rng, taken)
            callers.append(_called_mobile(mobile, rng.randrange(3)))
            contacts.append(
                {
                    "name": _name(rng),
                    "title": "经理" if n == 0 else "采购",
                    "phones": [{"number": _stored_mobile(mobile, 1), "type": "mobile"}],
                }
            )
        customers.append(
            {
                "kind": "enterprise",
                "name": f"{city}{rng.choice(TRADES)}{index}有限公司",
                "city": city,
                "tier": tier,
                "phones": [{"number": f"0{area}-{local[:4]} {local[4:]}", "type": "switchboard"}],
                "contacts": contacts,
            }
        )
    return Dataset(customers, callers)


def agent_ids(consoles: int) -> list[str]:
    return [f"a-{n:04d}" for n in range(1, consoles + 1)]


@dataclass
class Credentials:
    cti: str
    agents: dict[str, str]


async def load(data_dir: Path, dataset: Dataset, consoles: int) -> Credentials:
    """Schema, agents (available), one token per agent, a CTI token and the customers."""
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
    ids = agent_ids(consoles)
    try:

        def make_agents(conn: Any) -> Credentials:
            secrets: dict[str, str] = {}
            for n, agent_id in enumerate(ids, start=1):
                data = AgentIn(id=agent_id, name=f"Agent {n}", extension=str(2000 + n))
                routing_agents.create_agent(conn, data, now)
                issued = create_token(
                    conn, role="agent", name=f"console-{agent_id}", agent_id=agent_id, now=now
                )
                secrets[agent_id] = issued.secret
            agents_t = cast("Table", routing_store.agents_t)
            conn.execute(update(agents_t).values(state="available", state_since=now))
            cti = create_token(conn, role="cti", name="bench-pbx", agent_id=None, now=now)
            return Credentials(cti.secret, secrets)

        credentials = await database.writer.run(make_agents)
        rows = customer_rows(dataset.customers, settings.default_region, now)
        await database.writer.run(lambda conn: insert_rows(conn, rows))
        return credentials
    finally:
        await database.close()


def customer_rows(
    customers: Sequence[dict[str, Any]], region: str, now: Any
) -> dict[str, list[dict[str, Any]]]:
    """The rows ``customers.service.create_customer`` would write for a fresh database, with
    ids assigned here so that all of them go in one bulk insert per table.

    Numbers are validated and normalised by the service's own ``prepare``.
    """
    from customers import service
    from customers.schemas import CustomerIn

    tables: dict[str, list[dict[str, Any]]] = {
        "customers": [],
        "contacts": [],
        "phone_numbers": [],
        "emails": [],
    }
    contact_ids = iter(range(1, 10**9))

    def numbers(customer_id: int, contact_id: int | None, keyed: Any, emails: Any) -> None:
        for phone, key in keyed:
            tables["phone_numbers"].append(
                {
                    "customer_id": customer_id,
                    "contact_id": contact_id,
                    "raw": phone.number,
                    "e164": key.e164,
                    "ext": key.ext,
                    "type": phone.type.value,
                }
            )
        for address in emails:
            tables["emails"].append(
                {"customer_id": customer_id, "contact_id": contact_id, "address": address.lower()}
            )

    for customer_id, raw in enumerate(customers, start=1):
        data = CustomerIn(**raw)
        keys = service.prepare(data, region)
        tables["customers"].append(
            {
                "id": customer_id,
                "kind": data.kind,
                "name": data.name,
                "short_name": data.short_name,
                "industry": data.industry,
                "external_id": data.external_id,
                "province": data.province,
                "city": data.city,
                "tier": data.tier,
                "tags": data.tags,
                "created_at": now,
                "updated_at": now,
            }
        )
        own: int | None = None
        if data.kind == "individual":
            own = next(contact_ids)
            tables["contacts"].append(
                {
                    "id": own,
                    "customer_id": customer_id,
                    "name": data.name,
                    "title": None,
                    "is_primary": True,
                }
            )
        numbers(customer_id, own, keys["phones"], data.emails)
        for index, contact in enumerate(data.contacts):
            contact_id = next(contact_ids)
            tables["contacts"].append(
                {
                    "id": contact_id,
                    "customer_id": customer_id,
                    "name": contact.name,
                    "title": contact.title,
                    "is_primary": index == 0,
                }
            )
            numbers(customer_id, contact_id, keys["contacts"][index], contact.emails)
    return tables


def insert_rows(conn: Any, tables: dict[str, list[dict[str, Any]]]) -> None:
    from sqlalchemy import Table, insert

    from customers import store

    table_of = {
        "customers": store.customers_t,
        "contacts": store.contacts_t,
        "phone_numbers": store.phones_t,
        "emails": store.emails_t,
    }
    for name, rows in tables.items():
        if rows:
            conn.execute(insert(cast("Table", table_of[name])), rows)


# --- the load and the clock ------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    index: int
    call_id: str
    agent: str
    number: str
    known: bool


def make_plan(
    total: int, agents: Sequence[str], callers: Sequence[str], unknown_share: float, seed: int
) -> list[Call]:
    """The calls, in order: agents in turn (each has at most one call at a time at sane
    rates), callers drawn from stored numbers or, for ``unknown_share``, from nobody's."""
    rng = random.Random(seed + 1)
    plan = []
    for index in range(total):
        if rng.random() < unknown_share or not callers:
            number = f"+86 {UNKNOWN_PREFIX} {rng.randrange(10**4):04d} {rng.randrange(10**4):04d}"
            known = False
        else:
            number, known = rng.choice(callers), True
        plan.append(Call(index, f"bc-{index + 1}", agents[index % len(agents)], number, known))
    return plan


@dataclass(frozen=True)
class Target:
    """Where the client sends events and opens the agents' websockets."""

    name: str
    events_url: str
    post_headers: dict[str, str]
    ws_url: Callable[[str], str]
    ws_headers: Callable[[str], dict[str, str]]


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    acks_ms: list[float] = field(default_factory=list)
    errors: int = 0  # POST not answered 200
    lost: int = 0  # no pop within the timeout
    misrouted: int = 0  # a pop on another agent's websocket
    wrong_match: int = 0  # known caller not popped as known, or the reverse
    seconds: float = 0.0
    first_error: str = ""

    @property
    def failed(self) -> int:
        return self.errors + self.lost + self.misrouted + self.wrong_match


@dataclass
class _Waiting:
    agent: str
    future: asyncio.Future[tuple[float, str]]


class Consoles:
    """One websocket per agent; pops are matched to the calls waiting for them by call_id."""

    def __init__(self, target: Target, agents: Sequence[str]) -> None:
        self.target = target
        self.agents = list(agents)
        self.waiting: dict[str, _Waiting] = {}
        self.misrouted = 0
        self._session: aiohttp.ClientSession | None = None
        self._sockets: list[aiohttp.ClientWebSocketResponse] = []
        self._readers: list[asyncio.Task[None]] = []

    async def connect(self, parallel: int = 20) -> None:
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        gate = asyncio.Semaphore(parallel)

        async def one(agent: str) -> None:
            async with gate:
                assert self._session is not None
                ws = await self._session.ws_connect(
                    self.target.ws_url(agent),
                    headers=self.target.ws_headers(agent),
                    max_msg_size=0,
                )
                self._sockets.append(ws)
                async with asyncio.timeout(30):
                    first = await ws.receive()
                if (
                    first.type != aiohttp.WSMsgType.TEXT
                    or json.loads(first.data)["type"] != "hello"
                ):
                    raise BenchError(f"{self.target.name}: {agent}'s websocket did not say hello")
                self._readers.append(asyncio.create_task(self._read(agent, ws)))

        await asyncio.gather(*(one(agent) for agent in self.agents))

    async def _read(self, agent: str, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for message in ws:
            arrived = time.perf_counter()
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if data.get("type") != "screen_pop":
                continue
            waiting = self.waiting.get(data.get("call_id"))
            if waiting is None:
                continue
            if waiting.agent != agent:
                self.misrouted += 1
                continue
            del self.waiting[data["call_id"]]
            if not waiting.future.done():
                status = (data.get("match") or {}).get("status", "")
                waiting.future.set_result((arrived, status))

    async def close(self) -> None:
        for ws in self._sockets:
            with contextlib.suppress(Exception):
                await ws.close()
        for reader in self._readers:
            reader.cancel()
        for reader in self._readers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
        if self._session is not None:
            await self._session.close()


async def drive(
    target: Target,
    plan: Sequence[Call],
    *,
    warmup: int,
    rate: float,
    concurrency: int,
    pop_timeout: float,
) -> Outcome:
    """Post the plan's ringing events at ``rate`` per second; time the calls after ``warmup``."""
    consoles = Consoles(target, sorted({c.agent for c in plan}))
    outcome = Outcome()
    loop = asyncio.get_running_loop()
    headers = {**target.post_headers, "Content-Type": "application/json"}
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))
    try:
        await consoles.connect()
        log(f"   {target.name}: {len(consoles.agents)} consoles connected")

        def body(call: Call, kind: str) -> bytes:
            event = {
                "event_id": f"{call.call_id}-{kind}",
                "call_id": call.call_id,
                "type": kind,
                "direction": "inbound",
                "from": call.number,
                "to": AGENT_ACCESS_NUMBER,
                "agent": call.agent,
            }
            return json.dumps(event, ensure_ascii=False).encode()

        async def one(call: Call) -> None:
            timed = call.index >= warmup
            future: asyncio.Future[tuple[float, str]] = loop.create_future()
            consoles.waiting[call.call_id] = _Waiting(call.agent, future)
            ring = body(call, "ringing")
            started = time.perf_counter()
            async with session.post(target.events_url, data=ring, headers=headers) as response:
                await response.read()
                status = response.status
            acked = time.perf_counter()
            if status != 200:
                consoles.waiting.pop(call.call_id, None)
                if timed:
                    outcome.errors += 1
                    outcome.first_error = outcome.first_error or f"ringing answered {status}"
                return
            try:
                arrived, match = await asyncio.wait_for(future, pop_timeout)
            except TimeoutError:
                consoles.waiting.pop(call.call_id, None)
                if timed:
                    outcome.lost += 1
                arrived, match = 0.0, ""
            if timed and arrived:
                outcome.latencies_ms.append((arrived - started) * 1000)
                outcome.acks_ms.append((acked - started) * 1000)
                if (match == "known") != call.known:
                    outcome.wrong_match += 1
            async with session.post(
                target.events_url, data=body(call, "ended"), headers=headers
            ) as response:
                await response.read()
                if response.status != 200 and timed:
                    outcome.errors += 1
                    outcome.first_error = outcome.first_error or f"ended answered {response.status}"

        gate = asyncio.Semaphore(concurrency)
        tasks: list[asyncio.Task[None]] = []

        async def gated(call: Call) -> None:
            try:
                await one(call)
            finally:
                gate.release()

        began = time.perf_counter()
        step = max(1, len(plan) // 4)
        for position, call in enumerate(plan):
            delay = began + position / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await gate.acquire()
            tasks.append(asyncio.create_task(gated(call)))
            if position and position % step == 0:
                log(f"   {target.name}: {position}/{len(plan)} calls posted")
        await asyncio.gather(*tasks)
        outcome.seconds = time.perf_counter() - began
        outcome.misrouted = consoles.misrouted
    finally:
        await session.close()
        await consoles.close()
    return outcome


# --- one run ---------------------------------------------------------------------------------


def _stats(outcome: Outcome) -> dict[str, Any]:
    stats: dict[str, Any] = dict(summarise(outcome.latencies_ms)) if outcome.latencies_ms else {}
    if outcome.acks_ms:
        ack = summarise(outcome.acks_ms)
        stats["ack_p50"], stats["ack_p95"] = ack["p50"], ack["p95"]
    stats.update(
        errors=outcome.errors,
        lost=outcome.lost,
        misrouted=outcome.misrouted,
        wrong_match=outcome.wrong_match,
        seconds=round(outcome.seconds, 1),
    )
    return stats


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    return await in_scratch_dir(
        "screen_pop", args, lambda workdir, servers: _measure(args, workdir, servers)
    )


async def _measure(
    args: argparse.Namespace, workdir: Path, servers: list[ServerProcess]
) -> dict[str, Any]:
    rng = random.Random(args.seed)
    data_dir = workdir / "var"
    began = time.perf_counter()
    dataset = make_dataset(args.customers, rng)
    credentials = await load(data_dir, dataset, args.consoles)
    loaded = time.perf_counter() - began
    log(
        f"   loaded {args.customers} customers ({len(dataset.callers)} numbers), "
        f"{args.consoles} agents and tokens in {loaded:.1f} s"
    )
    baseline_db = workdir / "baseline.db"
    shutil.copyfile(data_dir / "switchboard.db", baseline_db)

    agents = agent_ids(args.consoles)
    plan = make_plan(
        args.warmup + args.calls, agents, dataset.callers, args.unknown_share, args.seed
    )
    drive_options: dict[str, Any] = {
        "warmup": args.warmup,
        "rate": args.rate,
        "concurrency": args.concurrency,
        "pop_timeout": args.pop_timeout,
    }

    # Switchboard, as an operator runs it.
    ours = switchboard_process(data_dir, workdir)
    servers.append(ours)
    url = await ours.start()
    log(f"   switchboard listening on {url} (pid {ours.pid})")
    cti = {"Authorization": f"Bearer {credentials.cti}"}
    ws_base = url.replace("http://", "ws://")
    switchboard = Target(
        "switchboard",
        f"{url}/api/v1/cti/events",
        cti,
        lambda _agent: f"{ws_base}/api/v1/ws",
        lambda agent: {"Authorization": f"Bearer {credentials.agents[agent]}"},
    )
    ours_outcome = await drive(switchboard, plan, **drive_options)
    await ours.stop()
    if not ours_outcome.latencies_ms:
        raise BenchError(
            f"switchboard delivered no pop ({ours_outcome.first_error or 'all lost'}):\n"
            f"{ours.log_tail()}"
        )

    # The bare baseline, same data, same client, same load.
    bare = baseline_process("baseline_pop", baseline_db, workdir)
    servers.append(bare)
    bare_url = await bare.start()
    log(f"   baseline listening on {bare_url} (pid {bare.pid})")
    bare_ws = bare_url.replace("http://", "ws://")
    baseline = Target(
        "baseline",
        f"{bare_url}/api/v1/cti/events",
        {},
        lambda agent: f"{bare_ws}/ws?agent={agent}",
        lambda _agent: {},
    )
    bare_outcome = await drive(baseline, plan, **drive_options)
    await bare.stop()
    if not bare_outcome.latencies_ms or bare_outcome.failed:
        raise BenchError(
            f"the baseline failed {bare_outcome.failed} calls "
            f"({bare_outcome.first_error or 'pops lost or wrong'}):\n{bare.log_tail()}"
        )

    ours_stats = _stats(ours_outcome)
    bare_stats = _stats(bare_outcome)
    p95 = float(ours_stats["p95"])
    base_p95 = float(bare_stats["p95"])
    ratio = ratio_of(p95, base_p95)
    checks = [
        Check("pop_latency_p95", p95, TARGET_P95_MS),
        Check("ratio_p95_vs_baseline", ratio, TARGET_RATIO),
        Check("failed_calls", ours_outcome.failed, 0),
    ]
    return result(
        bench=NAME,
        metric="pop_latency_p95",
        value=p95,
        unit="ms",
        baseline=base_p95,
        ratio_value=ratio,
        target=TARGET_P95_MS,
        checks=checks,
        params={
            "calls": args.calls,
            "consoles": args.consoles,
            "customers": args.customers,
            "rate": args.rate,
            "concurrency": args.concurrency,
            "warmup": args.warmup,
            "unknown_share": args.unknown_share,
            "seed": args.seed,
        },
        stats={
            "switchboard": ours_stats,
            "baseline": bare_stats,
            "load_seconds": round(loaded, 1),
            "machine": machine(),
        },
    )
