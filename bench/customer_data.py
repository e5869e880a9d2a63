"""Large customer data sets for the ``ani_lookup`` and ``customer_search`` benchmarks.

Numbers are made from the numbering plans directly (mainland mobiles and landlines with area
codes, Hong Kong, US and UK), so a million of them take seconds, not the minutes that parsing
each with ``phonenumbers`` would; every query form is still read by the real normaliser at
lookup time. Rows go in with plain ``sqlite3`` ``executemany`` in big transactions into a
database the project's migrations created, and the file is kept in a cache directory keyed
by size, seed and schema revision, so a second run starts at once.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import log

CREATED = "2026-11-01 09:00:00.000000"
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139",
    "150", "151", "152", "155", "156", "158", "159", "166", "177",
    "180", "181", "186", "187", "188", "189", "198", "199",
]  # fmt: skip
AREAS = [("10", 8), ("21", 8), ("20", 8), ("755", 8), ("571", 8), ("28", 8), ("25", 8)]
US_AREAS = ["212", "415", "646", "310", "617", "312", "206"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"  # noqa: E501
LATIN_FIRST = ["John", "Mary", "James", "Emma", "Oliver", "Sophia", "William", "Olivia", "Jack"]
LATIN_LAST = ["Smith", "Brown", "Taylor", "Wilson", "Johnson", "Davies", "Evans", "Walker"]
COMPANY_WORDS = [
    "华强",
    "恒通",
    "远大",
    "宏图",
    "新世纪",
    "金桥",
    "东方",
    "天元",
    "联创",
    "嘉禾",
    "瑞丰",
    "中兴",
    "海信",
    "长城",
    "富源",
    "安达",
    "鼎盛",
    "汇丰",
    "信达",
    "顺发",
]
COMPANY_CITIES = ["北京", "上海", "深圳", "广州", "杭州", "成都", "南京", "武汉"]
COMPANY_TRADES = ["科技", "电子", "物流", "贸易", "医药", "建设", "文化", "食品"]


@dataclass
class Number:
    e164: str
    written: list[str]  # ways a PBX or a person writes it
    ext: str | None = None


@dataclass
class Person:
    customer_id: int
    name: str
    kind: str = "individual"
    numbers: list[Number] = field(default_factory=list)
    email: str | None = None
    contacts: list[tuple[str, Number]] = field(default_factory=list)


def _fullwidth(text: str) -> str:
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789+"})


def cn_mobile(rng: random.Random) -> Number:
    nsn = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    a, b, c = nsn[:3], nsn[3:7], nsn[7:]
    return Number(
        "+86" + nsn,
        [
            nsn,
            f"{a} {b} {c}",
            f"+86 {a}-{b}-{c}",
            f"0086{nsn}",
            f"(+86) {a} {b} {c}",
            _fullwidth(nsn),
        ],
    )


def cn_landline(rng: random.Random) -> Number:
    area, length = rng.choice(AREAS)
    local = str(rng.randrange(2, 9)) + f"{rng.randrange(10 ** (length - 1)):0{length - 1}d}"
    half = len(local) // 2
    return Number(
        f"+86{area}{local}",
        [
            f"0{area}-{local[:half]} {local[half:]}",
            f"+86 {area} {local}",
            f"(0{area}){local}",
            f"0086-{area}-{local}",
        ],
    )


def hk_number(rng: random.Random) -> Number:
    local = rng.choice("235689") + f"{rng.randrange(10**7):07d}"
    return Number("+852" + local, [f"+852 {local[:4]} {local[4:]}", f"00852{local}"])


def us_number(rng: random.Random) -> Number:
    area = rng.choice(US_AREAS)
    exchange = str(rng.randrange(2, 10)) + f"{rng.randrange(100):02d}"
    line = f"{rng.randrange(10**4):04d}"
    ext = str(rng.randrange(100, 999)) if rng.random() < 0.3 else None
    tail = f" ext {ext}" if ext else ""
    return Number(
        f"+1{area}{exchange}{line}",
        [f"+1 ({area}) {exchange}-{line}{tail}", f"001 {area} {exchange} {line}"],
        ext,
    )


def uk_number(rng: random.Random) -> Number:
    local = rng.choice("378") + f"{rng.randrange(10**7):07d}"
    return Number(
        f"+4420{local}", [f"+44 20 {local[:4]} {local[4:]}", f"0044 (0)20 {local[:4]} {local[4:]}"]
    )


def any_number(rng: random.Random) -> Number:
    roll = rng.random()
    if roll < 0.70:
        return cn_mobile(rng)
    if roll < 0.90:
        return cn_landline(rng)
    if roll < 0.95:
        return hk_number(rng)
    return us_number(rng) if roll < 0.975 else uk_number(rng)


def unique_numbers(rng: random.Random, count: int, taken: set[str]) -> Iterator[Number]:
    made = 0
    while made < count:
        number = any_number(rng)
        if number.e164 not in taken:
            taken.add(number.e164)
            made += 1
            yield number


def chinese_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given


def latin_name(rng: random.Random) -> str:
    return f"{rng.choice(LATIN_FIRST)} {rng.choice(LATIN_LAST)}"


def company_name(rng: random.Random) -> str:
    return (
        rng.choice(COMPANY_CITIES)
        + "市"
        + rng.choice(COMPANY_WORDS)
        + rng.choice(COMPANY_TRADES)
        + "有限公司"
    )


# --- loading ---------------------------------------------------------------------------------


def migrate(db_path: Path) -> str:
    """Create the schema in ``db_path`` with the project's migrations; returns the revision."""
    from switchboard.core.settings import Settings
    from switchboard.migrate import head_revision, upgrade

    settings = Settings(data_dir=db_path.parent, database_url=f"sqlite:///{db_path}")
    asyncio.run(upgrade(settings))
    return head_revision()


def bulk(conn: sqlite3.Connection, sql: str, rows: Iterable[Sequence[object]], batch: int) -> int:
    """``executemany`` in transactions of ``batch`` rows; returns how many went in."""
    total = 0
    chunk: list[Sequence[object]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            conn.executemany(sql, chunk)
            conn.commit()
            total += len(chunk)
            chunk.clear()
    if chunk:
        conn.executemany(sql, chunk)
        conn.commit()
        total += len(chunk)
    return total


def open_for_load(db_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-200000")
    return conn


INSERT_CUSTOMER = (
    "INSERT INTO customers (id, kind, name, tags, created_at, updated_at, tier) "
    "VALUES (?, ?, ?, '[]', ?, ?, ?)"
)
INSERT_CONTACT = "INSERT INTO contacts (id, customer_id, name, is_primary) VALUES (?, ?, ?, ?)"
INSERT_PHONE = (
    "INSERT INTO phone_numbers (customer_id, contact_id, raw, e164, ext, type) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
INSERT_EMAIL = "INSERT INTO emails (customer_id, contact_id, address) VALUES (?, ?, ?)"


def cached_path(cache_dir: Path, name: str) -> Path:
    cache_dir.mkdir(parents=True, exist_ok=True)
    return cache_dir / name


def done_marker(db_path: Path) -> Path:
    return db_path.with_suffix(".complete")


def remove_db(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    done_marker(db_path).unlink(missing_ok=True)


def report(label: str, count: int, seconds: float) -> None:
    log(f"  {label}: {count:,} rows in {seconds:.1f} s ({count / max(seconds, 1e-9):,.0f}/s)")
