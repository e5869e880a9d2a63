"""SLA timers: 10,000 deadlines due in one minute among 100,000 open requests fire once, on time.

The ticket-SLA acceptance, on SQLite: every deadline fires, none twice, the lag from due
time to committed firing has p99 ≤ 2 s, and a scheduler tick costs at most twice as much with
100,000 open requests as with 10,000 (deadlines are found by an index, never by looking at
requests). The baseline, measured in the same run, is one full scan of the open requests:
what a scheduler that polls requests would pay on every tick.

One run: a fresh data dir (schema by migration); calendar, category, group and SLA policy
through the service; open requests bulk-loaded with the clocks and deadlines the service
would store for them (checked on a sample by letting the service recompute them). Tick cost is
measured at 10,000 open requests, then at 100,000 after the rest are loaded: each sample is
one tick firing 100 deadlines and finding the next. Then the real scheduler loop runs through
the busy minute on a virtual clock: time flows with real time while the scheduler works and
jumps forward while it sleeps, so a minute of deadlines takes seconds to run and every lag
measured is real processing delay.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sqlite3
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import BenchError, Check, in_scratch_dir, log, machine, result, summarise
from bench.common import ratio as ratio_of

NAME = "sla_timers"
TARGET_LAG_P99_S = 2.0
TARGET_TICK_RATIO = 2.0
FIRST_RESPONSE = timedelta(hours=4)  # warning at 3 h, breach at 4 h, escalate at 6 h
RESOLUTION = timedelta(days=5)
BUSY_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the start of the busy minute
AGENTS = [f"a-{n:03d}" for n in range(1, 51)]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--open", type=int, default=100_000, help="open requests (default 100000)")
    parser.add_argument(
        "--due", type=int, default=10_000, help="deadlines due in the busy minute (default 10000)"
    )
    parser.add_argument(
        "--small",
        type=int,
        default=10_000,
        help="open requests for the first tick-cost measurement (default 10000)",
    )
    parser.add_argument(
        "--window", type=float, default=60.0, help="seconds the deadlines spread over (60)"
    )
    parser.add_argument("--samples", type=int, default=10, help="timed ticks per size (default 10)")
    parser.add_argument(
        "--tick-size", type=int, default=100, help="deadlines fired by each timed tick (100)"
    )
    parser.add_argument("--seed", type=int, default=11, help="random seed")
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds for the whole run (default 300)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")


def run(args: argparse.Namespace) -> dict[str, Any]:
    probes = args.samples * 2 * args.tick_size
    if args.due < 1 or args.samples < 1 or args.tick_size < 1 or args.window <= 0:
        raise BenchError("--due, --samples and --tick-size must be at least 1, --window > 0")
    if not probes < args.small <= args.open - args.due:
        raise BenchError(
            f"need {probes} (2 x samples x tick-size) < --small <= --open - --due; "
            f"got --small {args.small}, --open {args.open}, --due {args.due}"
        )
    return asyncio.run(_run(args))


# --- virtual time ------------------------------------------------------------------------------


class VirtualClock:
    """Real time from a chosen instant, except that sleeping jumps forward at once."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._t0 = time.perf_counter()
        self._skipped = 0.0

    def monotonic(self) -> float:
        return time.perf_counter() - self._t0 + self._skipped

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self.monotonic())

    def jump_to(self, when: datetime) -> None:
        ahead = (when - self.now()).total_seconds()
        if ahead > 0:
            self._skipped += ahead

    async def sleep(self, seconds: float) -> None:
        self._skipped += max(0.0, seconds)
        await asyncio.sleep(0)


# --- data ------------------------------------------------------------------------------------


LEVELS_JSON = [
    {"name": "warning", "fraction": "0.75", "raise_priority": None, "move_to_group": None},
    {"name": "breach", "fraction": "1.0", "raise_priority": "high", "move_to_group": None},
    {"name": "escalate", "fraction": "1.5", "raise_priority": None, "move_to_group": "leads"},
]
LEVELS = [("warning", 0.75), ("breach", 1.0), ("escalate", 1.5)]
TICKET_COLUMNS = (
    "id, number, title, description, customer_id, contact_id, product, category_id, channel, "
    "urgency, priority, status, group_id, handler, resolution, parent_id, watchers, "
    "linked_calls, sla_policy, sla_state, version, created_by, created_at, updated_at, "
    "responded_at, resolved_at, closed_at"
)
HISTORY_COLUMNS = "ticket_id, at, actor, field, old, new"
CLOCK_COLUMNS = "ticket_id, clock, policy, calendar_id, target_us, levels, started_at, stopped_at"
TIMER_COLUMNS = "ticket_id, clock, level, due_at, fired_at, fired_due_at"


def stored(value: datetime | None) -> str | None:
    """A UTC instant as the SQLite column stores it (checked against SQLAlchemy's own
    rendering by :func:`check_rendering`)."""
    if value is None:
        return None
    v = value.astimezone(UTC)
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d} "
        f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}"
    )


def check_rendering() -> None:
    from sqlalchemy.dialects import sqlite

    from switchboard.core.db import UtcDateTime
    from tickets import store

    dialect = sqlite.dialect()
    process = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    json_process = store.clocks_t.c.levels.type.dialect_impl(dialect).bind_processor(dialect)
    for sample in (BUSY_AT, BUSY_AT + timedelta(microseconds=5, days=400)):
        if process is None or process(sample) != stored(sample):
            raise BenchError("bulk rows would not be stored the way the service stores them")
    if json_process is None or json_process(LEVELS_JSON) != json.dumps(LEVELS_JSON):
        raise BenchError("bulk JSON would not be stored the way the service stores it")


class Loader:
    """Rows for open requests as the service stores them, ids and numbers assigned here."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.next_id = 1

    def rows(self, kind: str, count: int, *, at: Sequence[datetime] = ()) -> dict[str, list[Any]]:
        """``kind``: ``due`` (first-response warning due at each of ``at``) or ``quiet``
        (responded; resolution levels due hours to days after the busy minute)."""
        out: dict[str, list[Any]] = {"tickets": [], "history": [], "clocks": [], "timers": []}
        levels_json = json.dumps(LEVELS_JSON)
        first_us = FIRST_RESPONSE // timedelta(microseconds=1)
        resolution_us = RESOLUTION // timedelta(microseconds=1)
        for n in range(count):
            ticket_id = self.next_id
            self.next_id += 1
            handler = AGENTS[ticket_id % len(AGENTS)]
            number = f"SR-2026-{ticket_id:06d}"
            if kind == "due":
                created = at[n] - FIRST_RESPONSE * 0.75
                responded = None
                status = "assigned"
            else:
                ahead = timedelta(seconds=self.rng.uniform(3600, 3.5 * 86400))
                created = BUSY_AT + ahead - RESOLUTION * 0.75
                responded = created + timedelta(minutes=10)
                status = "in_progress"
            c, r = stored(created), stored(responded)
            out["tickets"].append(
                (
                    ticket_id, number, f"request {ticket_id}", "", None, None, None, "general",
                    "phone", "medium", "normal", status, "l1", handler, None, None, "[]", "[]",
                    "bench", "ok", 1, "bench", c, r or c, r, None, None,
                )
            )  # fmt: skip
            history = out["history"]
            history.append((ticket_id, c, "bench", "created", None, f'"{number}"'))
            history.append((ticket_id, c, "bench", "status", None, '"assigned"'))
            history.append((ticket_id, c, "bench", "group", None, '"l1"'))
            history.append((ticket_id, c, "bench", "handler", None, f'"{handler}"'))
            history.append((ticket_id, c, "sla", "sla_policy", None, '"bench"'))
            if responded is not None:
                history.append((ticket_id, r, "bench", "status", '"assigned"', '"in_progress"'))
            for clock, target, target_us in (
                ("first_response", FIRST_RESPONSE, first_us),
                ("resolution", RESOLUTION, resolution_us),
            ):
                stopped = responded if clock == "first_response" else None
                out["clocks"].append(
                    (ticket_id, clock, "bench", "always", target_us, levels_json, c,
                     stored(stopped))
                )  # fmt: skip
                for name, share in LEVELS:
                    due: datetime | None = created + target * share
                    if stopped is not None and due is not None and due > stopped:
                        due = None
                    out["timers"].append((ticket_id, clock, name, stored(due), None, None))
        return out


def _insert(conn: Any, tables: dict[str, list[Any]]) -> None:
    """Bulk insert straight through the driver (values rendered as the service's column
    types render them, see :func:`check_rendering`)."""
    for table, columns in (
        ("service_requests", TICKET_COLUMNS),
        ("ticket_history", HISTORY_COLUMNS),
        ("ticket_sla_clocks", CLOCK_COLUMNS),
        ("ticket_sla_timers", TIMER_COLUMNS),
    ):
        key = {
            "service_requests": "tickets",
            "ticket_history": "history",
            "ticket_sla_clocks": "clocks",
            "ticket_sla_timers": "timers",
        }[table]
        rows = tables[key]
        if rows:
            marks = ", ".join("?" for _ in columns.split(","))
            conn.exec_driver_sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


async def _setup(database: Any, now: datetime) -> None:
    """Calendar, category, groups and the policy, through the service."""
    from tickets import admin
    from tickets.schemas import CalendarIn, CategoryIn, GroupIn, PoliciesIn

    always = CalendarIn(
        name="24/7",
        timezone="UTC",
        weekly={day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )
    resolved, _ = admin.check_calendar(always, now)
    policies = PoliciesIn.model_validate(
        {
            "policies": [
                {
                    "name": "bench",
                    "first_response": "4h",
                    "resolution": "120h",
                    "calendar": "always",
                    "levels": [
                        {"name": "warning", "fraction": 0.75},
                        {"name": "breach", "fraction": 1.0, "raise_priority": "high"},
                        {"name": "escalate", "fraction": 1.5, "move_to_group": "leads"},
                    ],
                }
            ]
        }
    )

    def setup(conn: Any) -> None:
        admin.put_calendar(conn, "always", always, resolved, [], now)
        admin.create_category(conn, CategoryIn(id="general", name="General"), now)
        admin.put_group(conn, "l1", GroupIn(name="First line", members=AGENTS), now)
        admin.put_group(conn, "leads", GroupIn(name="Team leads", members=["s-1"]), now)
        admin.put_policies(conn, policies, now)

    await database.writer.run(setup)


async def _load(database: Any, tables: dict[str, list[Any]], last_id: int) -> None:
    from tickets import store

    def load(conn: Any) -> None:
        _insert(conn, tables)
        conn.execute(store.sequences_t.delete())
        conn.execute(store.sequences_t.insert().values(key="2026", value=last_id))

    await database.writer.run(load)
    # Fold the write-ahead log into the database file, as SQLite does by itself over time,
    # so that reads measured next do not wade through a fresh WAL of a million rows.
    path = database.settings.data_dir / "switchboard.db"
    with contextlib.closing(sqlite3.connect(path)) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


async def _mismatches(database: Any, ticket_ids: Sequence[int], now: datetime) -> int:
    """Let the service recompute a sample of bulk-loaded requests: nothing may change."""
    from tickets import clocks, store

    class Rollback(Exception):
        pass

    def check(conn: Any) -> int:
        bad = 0
        with conn.begin_nested() as savepoint:
            for ticket_id in ticket_ids:
                before = [tuple(r) for r in store.timer_rows(conn, ticket_id)]
                state = store.ticket_row(conn, ticket_id).sla_state
                clocks.sync(conn, ticket_id, now, rematch=True)
                after = [tuple(r) for r in store.timer_rows(conn, ticket_id)]
                if before != after or store.ticket_row(conn, ticket_id).sla_state != state:
                    bad += 1
            savepoint.rollback()
        return bad

    result_: int = await database.writer.run(check)
    return result_


# --- measurements ----------------------------------------------------------------------------


async def _tick_costs(
    scheduler: Any, clock: Any, instants: Sequence[datetime], expect: int, idle_each: int = 5
) -> tuple[list[float], list[float]]:
    """Per instant: a tick that fires ``expect`` deadlines and looks up the next one (ms),
    then ``idle_each`` ticks with nothing due (ms): a scheduler's wake-up cost."""
    busy: list[float] = []
    idle: list[float] = []
    for instant in instants:
        clock.set(instant + timedelta(seconds=1))
        started = time.perf_counter()
        fired = await scheduler.tick()
        await scheduler.next_due()
        busy.append((time.perf_counter() - started) * 1000)
        if len(fired) != expect:
            raise BenchError(f"a timed tick fired {len(fired)} deadlines, expected {expect}")
        for _ in range(idle_each):
            started = time.perf_counter()
            await scheduler.tick()
            await scheduler.next_due()
            idle.append((time.perf_counter() - started) * 1000)
    return busy, idle


async def _full_scan_ms(database: Any, repeats: int = 3) -> float:
    """One full scan of the open requests, as cheap as it gets: raw rows, no mapping."""

    def scan(conn: Any) -> int:
        sql = "SELECT * FROM service_requests WHERE status != 'closed'"
        return len(conn.exec_driver_sql(sql).fetchall())

    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await database.read(scan)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    return await in_scratch_dir(
        "sla_timers", args, lambda workdir, _servers: _measure(args, workdir)
    )


async def _measure(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from sqlalchemy import func, select

    from switchboard.core import outbox
    from switchboard.core.clock import ManualClock
    from switchboard.core.db import Database
    from switchboard.core.settings import Settings
    from switchboard.migrate import upgrade
    from tickets import store
    from tickets.timers import Fired, Scheduler

    rng = random.Random(args.seed)
    began = time.perf_counter()
    check_rendering()
    settings = Settings(data_dir=workdir / "var", database_url=None, database_schema=None)
    await upgrade(settings)
    database = Database(settings)
    try:
        setup_at = BUSY_AT - timedelta(days=10)
        await _setup(database, setup_at)
        loader = Loader(rng)
        # Probes: 2 x samples ticks of tick_size deadlines each, before the busy minute.
        probe_at = [
            BUSY_AT - timedelta(minutes=20) + timedelta(seconds=30 * i)
            for i in range(2 * args.samples)
        ]
        probe_times = [
            at + timedelta(milliseconds=j) for at in probe_at for j in range(args.tick_size)
        ]
        small = loader.rows("due", len(probe_times), at=probe_times)
        quiet_small = loader.rows("quiet", args.small - len(probe_times))
        for name in small:
            small[name] += quiet_small[name]
        await _load(database, small, loader.next_id - 1)
        log(f"   loaded {args.small} open requests in {time.perf_counter() - began:.1f} s")

        clock = ManualClock(probe_at[0] - timedelta(seconds=5))
        scheduler = Scheduler(database, clock)
        sample_ids = [1, len(probe_times) + 1, args.small]
        bad = await _mismatches(database, sample_ids, clock.now())
        busy_small, idle_small = await _tick_costs(
            scheduler, clock, probe_at[: args.samples], args.tick_size
        )
        scan_small = await _full_scan_ms(database)

        loaded_at = time.perf_counter()
        due_times = sorted(
            BUSY_AT + timedelta(seconds=rng.uniform(0, args.window)) for _ in range(args.due)
        )
        more = loader.rows("due", args.due, at=due_times)
        first_due_id = more["tickets"][0][0]
        quiet_more = loader.rows("quiet", args.open - args.small - args.due)
        for name in more:
            more[name] += quiet_more[name]
        await _load(database, more, loader.next_id - 1)
        log(
            f"   loaded {args.open - args.small} more open requests in "
            f"{time.perf_counter() - loaded_at:.1f} s"
        )
        sample_ids = [first_due_id, first_due_id + args.due - 1, args.open]
        bad += await _mismatches(database, sample_ids, clock.now())
        busy_large, idle_large = await _tick_costs(
            scheduler, clock, probe_at[args.samples :], args.tick_size
        )
        scan_large = await _full_scan_ms(database)

        # The busy minute, with the real scheduler loop on virtual time.
        virtual = VirtualClock(BUSY_AT - timedelta(seconds=1))
        lags: list[float] = []
        claim_lags: list[float] = []

        def on_fired(fired: Sequence[Fired]) -> None:
            committed = virtual.now()
            for item in fired:
                lags.append((committed - item.due_at).total_seconds())
                claim_lags.append((item.fired_at - item.due_at).total_seconds())

        loop_scheduler = Scheduler(
            database, virtual, max_wait=1.0, sleep=virtual.sleep, on_fired=on_fired
        )
        run_started = time.perf_counter()
        task = asyncio.create_task(loop_scheduler.run())
        end = BUSY_AT + timedelta(seconds=args.window + 30)
        try:
            while len(lags) < args.due and virtual.now() < end:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        busy_real = time.perf_counter() - run_started
        log(
            f"   busy minute: {len(lags)} fired in {busy_real:.1f} s real time, "
            f"virtual clock at +{(virtual.now() - BUSY_AT).total_seconds():.1f} s"
        )

        def tally(conn: Any) -> dict[str, int]:
            timers = store.timers_t
            history = store.history_t
            in_window = timers.c.fired_due_at >= BUSY_AT
            fired = conn.scalar(select(func.count()).where(in_window))
            pending = conn.scalar(
                select(func.count()).where(
                    timers.c.due_at >= BUSY_AT,
                    timers.c.due_at < BUSY_AT + timedelta(seconds=args.window),
                )
            )
            sla_rows = conn.scalar(
                select(func.count()).where(history.c.field == "sla", history.c.at >= BUSY_AT)
            )
            distinct = conn.scalar(
                select(func.count()).select_from(
                    select(history.c.ticket_id, history.c.new)
                    .where(history.c.field == "sla", history.c.at >= BUSY_AT)
                    .distinct()
                    .subquery()
                )
            )
            messages = conn.scalar(
                select(func.count()).where(
                    outbox.messages_t.c.type == "sla", outbox.messages_t.c.created_at >= BUSY_AT
                )
            )
            return {
                "fired": int(fired or 0),
                "still_pending": int(pending or 0),
                "sla_history_rows": int(sla_rows or 0),
                "distinct_firings": int(distinct or 0),
                "sla_messages": int(messages or 0),
            }

        counts = await database.read(tally)
    finally:
        await database.close()

    tick_small = statistics.median(busy_small)
    tick_large = statistics.median(busy_large)
    idle_small_ms = statistics.median(idle_small)
    idle_large_ms = statistics.median(idle_large)
    twice = counts["sla_history_rows"] - counts["distinct_firings"]
    lag_stats = summarise(lags, 3) if lags else {}
    checks = [
        Check("fired", counts["fired"], args.due, ">="),
        Check("fired_twice", twice, 0),
        Check("lag_p99_s", lag_stats.get("p99"), TARGET_LAG_P99_S),
        Check(
            "idle_tick_ratio_large_over_small",
            ratio_of(idle_large_ms, idle_small_ms),
            TARGET_TICK_RATIO,
        ),
        Check(
            "busy_tick_ratio_large_over_small", ratio_of(tick_large, tick_small), TARGET_TICK_RATIO
        ),
        Check("bulk_rows_differing_from_service", bad, 0),
    ]
    return result(
        bench=NAME,
        metric=f"tick_ms_at_{args.open}_open",
        value=round(idle_large_ms, 3),
        unit="ms",
        baseline=round(scan_large, 3),
        target=round(TARGET_TICK_RATIO * idle_small_ms, 3),
        ratio_value=ratio_of(idle_large_ms, scan_large, 5),
        params={
            "open": args.open,
            "due": args.due,
            "small": args.small,
            "window_s": args.window,
            "samples": args.samples,
            "tick_size": args.tick_size,
            "seed": args.seed,
            "backend": "sqlite",
            "machine": machine(),
        },
        checks=checks,
        stats={
            "tick_ms": {
                "idle_small": round(idle_small_ms, 3),
                "idle_large": round(idle_large_ms, 3),
                f"firing_{args.tick_size}_small": round(tick_small, 3),
                f"firing_{args.tick_size}_large": round(tick_large, 3),
            },
            "full_scan_ms": {"small": round(scan_small, 3), "large": round(scan_large, 3)},
            "lag_s": lag_stats,
            "claim_lag_s": summarise(claim_lags, 3) if claim_lags else {},
            "busy_minute_real_s": round(busy_real, 2),
            "counts": counts,
            "total_s": round(time.perf_counter() - began, 1),
        },
    )


if __name__ == "__main__":
    import sys

    from bench.common import json_line, print_summary

    parser = argparse.ArgumentParser(prog="python -m bench.sla_timers", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    add_arguments(parser)
    options = parser.parse_args()
    try:
        outcome = run(options)
    except BenchError as exc:
        log(f"bench: {NAME} could not run: {exc}")
        sys.exit(1)
    print_summary(outcome)
    if options.json:
        print(json_line(outcome), flush=True)
