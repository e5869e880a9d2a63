"""Customer 360: GET /api/v1/customers/{id}/360 for customers with 500 interactions each.

The acceptance of the customer issue: p95 ≤ 30 ms for a customer with 500 interactions, on
SQLite, over the real HTTP path (auth, the view's reads, JSON). The baseline, measured in the
same run on the same file, is the same reads as bare indexed selects through plain sqlite3
(no SQLAlchemy, no HTTP, no JSON): what the database alone costs.

One run: a fresh data dir (schema by migration), the demo population seeded through
``switchboard.demo.seed`` (5,000 customers with orders, timeline, tags, groups, rules, value
refreshed); then ``--customers`` of them get calls, tickets and campaign touches until each
has ``--interactions`` on its timeline. ``switchboard serve`` on 127.0.0.1 (a child process,
as an operator runs it) answers ``--samples`` sequential requests, round-robin over those
customers, after a warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import (
    BenchError,
    Check,
    log,
    machine,
    remove_tree,
    result,
    summarise,
    switchboard_process,
)

NAME = "customer_360"
TARGET_P95_MS = 30.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--customers", type=int, default=20, help="customers given the long timeline (20)"
    )
    parser.add_argument(
        "--interactions", type=int, default=500, help="interactions of each (default 500)"
    )
    parser.add_argument("--samples", type=int, default=1000, help="timed requests (default 1000)")
    parser.add_argument("--warmup", type=int, default=100, help="untimed requests first (100)")
    parser.add_argument("--seed", type=int, default=5, help="random seed")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.customers < 1 or args.interactions < 20 or args.samples < 20:
        raise BenchError("need --customers ≥ 1, --interactions ≥ 20, --samples ≥ 20")
    work = Path(tempfile.mkdtemp(prefix="sb-bench-360-"))
    try:
        return asyncio.run(_run(args, work))
    finally:
        if not args.keep:
            remove_tree(work)
        else:
            log(f"kept {work}")


async def _run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    import aiohttp

    from switchboard.core.clock import SystemClock
    from switchboard.core.db import Database
    from switchboard.core.settings import Settings
    from switchboard.demo.seed import seed_demo
    from switchboard.migrate import upgrade
    from switchboard.tokens import create_token

    settings = Settings(data_dir=work / "var", port=0)
    await upgrade(settings)
    started = time.perf_counter()
    log(f"{NAME}: seeding the demo population …")
    log(f"{NAME}: {await seed_demo(settings)} in {time.perf_counter() - started:.1f} s")
    database = Database(settings)
    now = SystemClock().now()
    try:
        targets = await database.writer.run(
            lambda conn: _lengthen(conn, args.customers, args.interactions, now, args.seed)
        )
        issued = await database.writer.run(
            lambda c: create_token(c, role="supervisor", name="bench", agent_id=None, now=now)
        )
        secret = issued.secret
    finally:
        await database.close()
    log(f"{NAME}: {len(targets)} customers with {args.interactions} interactions each")

    server = switchboard_process(settings.data_dir, work)
    base = await server.start()
    latencies: list[float] = []
    sizes: list[int] = []
    try:
        headers = {"Authorization": f"Bearer {secret}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            for n in range(args.warmup + args.samples):
                cid = targets[n % len(targets)]
                t0 = time.perf_counter()
                async with session.get(f"{base}/api/v1/customers/{cid}/360") as response:
                    body = await response.read()
                    if response.status != 200:
                        raise BenchError(f"360 of {cid}: HTTP {response.status}: {body[:200]!r}")
                elapsed = (time.perf_counter() - t0) * 1000
                if n >= args.warmup:
                    latencies.append(elapsed)
                    sizes.append(len(body))
            view = json.loads(body)
    finally:
        await server.stop()
    if len(view["interactions"]) != 20:
        raise BenchError("the view did not carry the last 20 interactions")

    baseline = _bare_selects(settings.data_dir / "switchboard.db", targets, args, now)
    ours = summarise(latencies)
    bare = summarise(baseline)
    checks = [Check("p95_ms", ours["p95"], TARGET_P95_MS)]
    return result(
        bench=NAME,
        metric="p95_ms",
        value=ours["p95"],
        unit="ms",
        baseline=bare["p95"],
        target=TARGET_P95_MS,
        params={
            "customers": 5000,
            "long_timelines": len(targets),
            "interactions_each": args.interactions,
            "samples": args.samples,
            "backend": "sqlite",
            "path": "HTTP GET to `switchboard serve` (one aiohttp client, sequential)",
            "machine": machine(),
        },
        checks=checks,
        stats={"ours": ours, "bare_selects": bare, "mean_body_bytes": sum(sizes) // len(sizes)},
    )


def _lengthen(conn: Any, count: int, total: int, now: Any, seed: int) -> list[int]:
    """Pick ``count`` demo customers with orders; pad each timeline to ``total`` entries."""
    from sqlalchemy import func, select

    from customers import records
    from customers.profile_store import interactions_t
    from customers.value_store import values_t

    rng = random.Random(seed)
    buyers = [
        int(r[0])
        for r in conn.execute(
            select(values_t.c.customer_id)
            .where(values_t.c.orders > 0)
            .order_by(values_t.c.customer_id)
        )
    ]
    targets = sorted(rng.sample(buyers, min(count, len(buyers))))
    rows = []
    for cid in targets:
        have = conn.scalar(
            select(func.count())
            .select_from(interactions_t)
            .where(interactions_t.c.customer_id == cid)
        )
        for _ in range(max(0, total - int(have))):
            kind = rng.choice(("call", "call", "ticket", "campaign"))
            rows.append(
                {
                    "customer_id": cid,
                    "kind": kind,
                    "at": now - timedelta(days=rng.uniform(0, 700)),
                    "channel": "phone",
                    "summary": f"bench {kind}",
                    "data": {"complaint": kind == "ticket" and rng.random() < 0.2},
                }
            )
    records.add_interactions(conn, rows)
    return targets


_BARE = (
    "SELECT * FROM customers WHERE id = ?",
    "SELECT * FROM contacts WHERE customer_id = ? ORDER BY id",
    "SELECT * FROM phone_numbers WHERE customer_id = ? ORDER BY id",
    "SELECT * FROM emails WHERE customer_id = ? ORDER BY id",
    "SELECT * FROM customer_profiles WHERE customer_id = ?",
    "SELECT * FROM customer_addresses WHERE customer_id = ?",
    "SELECT * FROM channel_ids WHERE customer_id = ?",
    "SELECT * FROM customer_values WHERE customer_id = ?",
    "SELECT t.category, t.name, ct.count, ct.weight FROM customer_tags ct "
    "JOIN tags t ON t.id = ct.tag_id WHERE ct.customer_id = ?",
    "SELECT g.name FROM customer_groups g JOIN customer_group_members m ON m.group_id = g.id "
    "WHERE m.customer_id = ?",
    "SELECT * FROM interactions WHERE customer_id = ? ORDER BY at DESC, id DESC LIMIT 20",
    "SELECT p.sku, p.name, sum(l.quantity), max(o.ordered_at) FROM orders o "
    "JOIN order_lines l ON l.order_id = o.id JOIN products p ON p.id = l.product_id "
    "WHERE o.customer_id = ? AND o.status != 'refunded' GROUP BY p.sku, p.name",
    "SELECT * FROM orders WHERE customer_id = ? ORDER BY ordered_at DESC, id DESC LIMIT 5",
    "SELECT ordered_at FROM orders WHERE customer_id = ? AND status != 'refunded' "
    "ORDER BY ordered_at",
    "SELECT * FROM contracts WHERE customer_id = ?",
    "SELECT * FROM opportunities WHERE customer_id = ? AND stage IN "
    "('prospecting','qualification','proposal','negotiation')",
    "SELECT * FROM consents WHERE customer_id = ?",
    "SELECT * FROM service_requests WHERE customer_id = ? AND status NOT IN ('resolved','closed')",
    "SELECT at, data FROM interactions WHERE customer_id = ? AND kind = 'ticket' AND at >= ?",
)


def _bare_selects(
    path: Path, targets: list[int], args: argparse.Namespace, now: Any
) -> list[float]:
    """The same reads with plain sqlite3: every statement prepared once, rows fetched."""
    conn = sqlite3.connect(path)
    since = (now - timedelta(days=360)).isoformat()
    out: list[float] = []
    try:
        for n in range(args.warmup + args.samples):
            cid = targets[n % len(targets)]
            t0 = time.perf_counter()
            for statement in _BARE:
                params: tuple[Any, ...] = (cid, since) if statement.count("?") == 2 else (cid,)
                conn.execute(statement, params).fetchall()
            # the view reads the mined rules once per refresh, then only checks for a newer one
            conn.execute("SELECT * FROM value_refreshes ORDER BY id DESC LIMIT 1").fetchall()
            elapsed = (time.perf_counter() - t0) * 1000
            if n >= args.warmup:
                out.append(elapsed)
    finally:
        conn.close()
    return out
