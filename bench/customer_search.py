"""Search as the agent types at 100,000 customers: p95 of ``customers.search.search``.

The data: 100,000 customers (Chinese and Latin-named individuals, enterprises with contacts),
with numbers, emails and the search keys the write path makes (``customers.search_keys``),
bulk-loaded into a migrated SQLite database kept in a cache directory between runs. The
queries, drawn from stored customers: a Chinese name, its pinyin, a pinyin prefix, initials,
pinyin with two letters swapped (a typo), a Latin surname, a 4-digit number tail, 6 digits
from the middle of a number, an email prefix and a fragment of a company name.

Baseline, same database and run: the search a first version would write, a ``LIKE '%q%'``
scan of customer and contact names, numbers and emails (which finds no pinyin, initials or
typos at all). Target (issue 5): p95 ≤ 20 ms. Recall (the customer a query was drawn from is
among the first ten) is reported per kind of query.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench import customer_data as data
from bench.common import Check, log, machine, result, summarise

NAME = "customer_search"
TARGET_P95_MS = 20.0
LIMIT = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--customers", type=int, default=100_000, help="customers stored")
    parser.add_argument("--queries", type=int, default=1000, help="timed queries")
    parser.add_argument(
        "--baseline-queries", type=int, default=100, help="queries timed on the LIKE scan"
    )
    parser.add_argument("--seed", type=int, default=11, help="random seed of data and queries")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path("var") / "bench-cache",
        help="where the built database is kept between runs (default var/bench-cache)",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the database again")


def people(count: int, seed: int) -> list[data.Person]:
    rng = random.Random(seed)
    taken: set[str] = set()
    out = []
    for i in range(count):
        roll = rng.random()
        customer_id = i + 1
        if roll < 0.85:
            name = data.chinese_name(rng) if rng.random() < 0.8 else data.latin_name(rng)
            person = data.Person(customer_id, name)
            person.numbers = list(data.unique_numbers(rng, 1, taken))
            if rng.random() < 0.5:
                person.email = f"u{customer_id}.{rng.randrange(1000)}@example{rng.randrange(50)}.cn"
        else:
            person = data.Person(customer_id, data.company_name(rng), kind="enterprise")
            person.numbers = list(data.unique_numbers(rng, 1, taken))
            person.email = f"info{customer_id}@corp{customer_id}.com.cn"
            for _ in range(rng.randrange(1, 4)):
                person.contacts.append(
                    (data.chinese_name(rng), next(data.unique_numbers(rng, 1, taken)))
                )
        out.append(person)
    return out


def build(db_path: Path, everyone: list[data.Person]) -> None:
    from customers.search_keys import customer_keys

    data.remove_db(db_path)
    data.migrate(db_path)
    conn = data.open_for_load(db_path)
    conn.execute("DROP INDEX ix_customer_search_keys_key")
    conn.execute("DROP INDEX ix_customer_search_keys_customer_id")
    customers, contacts, phones, emails, keys = [], [], [], [], []
    started = time.perf_counter()
    next_contact = 1
    for p in everyone:
        customers.append(
            (p.customer_id, p.kind, p.name, data.CREATED, data.CREATED, "ABC"[p.customer_id % 3])
        )
        own: list[tuple[int, str]] = []
        numbers: list[tuple[int | None, str]] = []
        mails: list[tuple[int | None, str]] = []
        if p.kind == "individual":
            own.append((next_contact, p.name))
            numbers += [(next_contact, n.e164) for n in p.numbers]
            if p.email:
                mails.append((next_contact, p.email))
            next_contact += 1
        else:
            numbers += [(None, n.e164) for n in p.numbers]
            if p.email:
                mails.append((None, p.email))
            for name, number in p.contacts:
                own.append((next_contact, name))
                numbers.append((next_contact, number.e164))
                next_contact += 1
        contacts += [(cid, p.customer_id, name, i == 0) for i, (cid, name) in enumerate(own)]
        phones += [(p.customer_id, c, e, e, None, "mobile") for c, e in numbers]
        emails += [(p.customer_id, c, a) for c, a in mails]
        keys += [
            (p.customer_id, c, kind, key, term)
            for c, kind, key, term in customer_keys(p.kind, p.name, None, own, numbers, mails)
        ]
    log(f"  {len(keys):,} search keys made in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    data.bulk(conn, data.INSERT_CUSTOMER, customers, 100_000)
    data.bulk(conn, data.INSERT_CONTACT, contacts, 100_000)
    data.bulk(conn, data.INSERT_PHONE, phones, 100_000)
    data.bulk(conn, data.INSERT_EMAIL, emails, 100_000)
    n = data.bulk(
        conn,
        "INSERT INTO customer_search_keys (customer_id, contact_id, kind, key, term) "
        "VALUES (?, ?, ?, ?, ?)",
        keys,
        200_000,
    )
    data.report("rows (search keys)", n, time.perf_counter() - started)
    started = time.perf_counter()
    conn.execute("CREATE INDEX ix_customer_search_keys_key ON customer_search_keys (key)")
    conn.execute(
        "CREATE INDEX ix_customer_search_keys_customer_id ON customer_search_keys (customer_id)"
    )
    conn.execute("ANALYZE")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    log(f"  indexes in {time.perf_counter() - started:.1f} s")
    data.done_marker(db_path).write_text("ok\n")


def _swap(text: str, rng: random.Random) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def queries(everyone: list[data.Person], count: int, seed: int) -> list[tuple[str, str, int]]:
    """(kind of query, what the agent typed, the customer it was drawn from)."""
    from customers.phones import national_number
    from customers.search_keys import compact, syllables

    rng = random.Random(seed)
    out: list[tuple[str, str, int]] = []
    while len(out) < count:
        p = rng.choice(everyone)
        name = p.name if p.kind == "individual" else rng.choice(p.contacts)[0]
        han = name if all("\u4e00" <= ch <= "\u9fff" for ch in name) else ""
        spoken = "".join(syllables(han)) if han else compact(name)
        digits = national_number(p.numbers[0].e164) or ""
        kinds = {
            "name": name,
            "pinyin": spoken,
            "pinyin_prefix": spoken[: rng.randrange(4, 7)],
            "initials": "".join(s[0] for s in syllables(han)) if han else "",
            "typo": _swap(spoken, rng),
            "latin_surname": name.split()[-1] if not han else "",
            "number_tail": digits[-4:],
            "number_middle": digits[-9:-3],
            "email_prefix": (p.email or "")[:6],
            "company": p.name[3:5] if p.kind == "enterprise" else "",
        }
        kind = rng.choice([k for k, v in kinds.items() if v])
        out.append((kind, kinds[kind], p.customer_id))
    return out


def like_scan(conn: sqlite3.Connection, query: str) -> list[Any]:
    pattern = f"%{query}%"
    return conn.execute(
        "SELECT id, name FROM customers WHERE name LIKE ?1 "
        "OR id IN (SELECT customer_id FROM contacts WHERE name LIKE ?1) "
        "OR id IN (SELECT customer_id FROM phone_numbers WHERE e164 LIKE ?1) "
        "OR id IN (SELECT customer_id FROM emails WHERE address LIKE ?1) LIMIT 10",
        (pattern,),
    ).fetchall()


def run(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import create_engine

    from customers.search import search
    from switchboard.migrate import head_revision

    if args.cache_dir is None:
        args.cache_dir = Path(tempfile.mkdtemp(prefix="customer-search-"))
    db_path = data.cached_path(
        args.cache_dir, f"customer_search-{args.customers}-{args.seed}-r{head_revision()}.db"
    )
    if args.rebuild:
        data.remove_db(db_path)
    log(f"{NAME}: {args.customers:,} customers in {db_path}")
    started = time.perf_counter()
    everyone = people(args.customers, args.seed)
    if not data.done_marker(db_path).exists():
        build(db_path, everyone)
    build_s = time.perf_counter() - started
    work = queries(everyone, args.queries, args.seed + 1)
    warm = queries(everyone, 200, args.seed + 2)
    engine = create_engine(f"sqlite:///{db_path}")
    times: list[float] = []
    found: dict[str, list[int]] = defaultdict(list)
    per_kind: dict[str, list[float]] = defaultdict(list)
    with engine.connect() as conn:
        for _, text, _ in warm:
            search(conn, text, LIMIT)
        for kind, text, customer_id in work:
            start = time.perf_counter_ns()
            results = search(conn, text, LIMIT)
            elapsed = (time.perf_counter_ns() - start) / 1e6
            times.append(elapsed)
            per_kind[kind].append(elapsed)
            found[kind].append(int(any(r["customer_id"] == customer_id for r in results)))
    engine.dispose()
    plain = sqlite3.connect(db_path)
    base_times = []
    for _, text, _ in work[: args.baseline_queries]:
        start = time.perf_counter_ns()
        like_scan(plain, text)
        base_times.append((time.perf_counter_ns() - start) / 1e6)
    plain.close()
    mine = summarise(times, 3)
    base = summarise(base_times, 3)
    return result(
        bench=NAME,
        metric="p95_ms",
        value=mine["p95"],
        unit="ms",
        baseline=base["p95"],
        target=TARGET_P95_MS,
        params={
            "customers": args.customers,
            "queries": len(work),
            "baseline_queries": len(base_times),
            "limit": LIMIT,
            "seed": args.seed,
            "machine": machine(),
        },
        checks=[Check("p95_ms", mine["p95"], TARGET_P95_MS)],
        stats={
            "search_ms": mine,
            "like_scan_ms": base,
            "p95_ms_by_kind": {k: summarise(v, 3)["p95"] for k, v in sorted(per_kind.items())},
            "recall_at_10_by_kind": {
                k: round(sum(v) / len(v), 3) for k, v in sorted(found.items())
            },
            "build_or_load_s": round(build_s, 1),
        },
    )
