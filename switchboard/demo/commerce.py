"""The demo's larger population and what its customers bought and did.

``demo_population()`` is the 240 customers the simulated feed calls from (unchanged, first)
followed by thousands more drawn from a number pool that never reuses their numbers, so the
feed's known / several / unknown / withheld mix holds over the whole base.

``demo_activity()`` gives each customer a history of a mobile carrier's shop: 5G plans,
broadband with its modem and set-top box, phones with cases and screen film, roaming packs,
senior plans with a smart watch, business lines for companies. Baskets follow personas, so
association rules have something true to find ("bought a phone → a case"); each customer
orders at a personal rhythm and some stopped ordering (churn). Times are days before "now",
so the data ages with the day it is loaded. Pure and deterministic per seed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from customers.importer import CODE_CHARS, credit_code_check
from switchboard.demo.dataset import (
    _Builder,
    _NumberPool,
    demo_customers,
    iter_holdings,
    to_e164,
)

POPULATION = 5000
FEED_CUSTOMERS = 240

# sku, name, category, price: codes as in the knowledge base's demo articles
PRODUCTS: tuple[tuple[str, str, str, str], ...] = (
    ("5G-LITE-59", "5G轻享套餐 59元", "plan", "59"),
    ("5G-PLUS-129", "5G畅享套餐 129元", "plan", "129"),
    ("5G-PLUS-199", "5G畅享套餐 199元", "plan", "199"),
    ("5G-PRO-299", "5G尊享套餐 299元", "plan", "299"),
    ("4G-BASIC-18", "4G基础套餐 18元", "plan", "18"),
    ("5G-SENIOR-19", "5G银发关爱套餐 19元", "plan", "19"),
    ("FAM-5G-259", "5G全家享融合套餐 259元", "plan", "259"),
    ("BIZ-5G-499", "5G商务套餐 499元", "plan", "499"),
    ("BB-FIBER-100", "百兆光纤宽带", "broadband", "59"),
    ("BB-FIBER-500", "五百兆光纤宽带", "broadband", "99"),
    ("BB-FIBER-1000", "千兆光纤宽带 149元", "broadband", "149"),
    ("TX-1001", "光猫 TX-1001", "device", "199"),
    ("TX-3003", "Wi-Fi 6 路由器 TX-3003", "device", "299"),
    ("STB-4K-01", "IPTV 4K 机顶盒", "device", "249"),
    ("MIFI-M5", "随身WiFi MIFI-M5", "device", "199"),
    ("IOT-WATCH-10", "儿童/老人智能手表", "device", "599"),
    ("PHONE-MATE-70", "华为 Mate 70", "phone", "5499"),
    ("PHONE-IP-16", "iPhone 16", "phone", "5999"),
    ("PHONE-MI-15", "小米 15", "phone", "3999"),
    ("ACC-CASE", "手机保护壳", "accessory", "79"),
    ("ACC-FILM", "钢化膜", "accessory", "39"),
    ("ACC-CHARGER", "65W 快充充电器", "accessory", "149"),
    ("ACC-BUDS", "蓝牙耳机", "accessory", "399"),
    ("ROAM-ASIA-25", "亚洲漫游包", "roaming", "25"),
    ("ROAM-EU-45", "欧洲漫游包", "roaming", "45"),
    ("ROAM-GLOBAL-68", "全球漫游包", "roaming", "68"),
    ("DATA-5G-10", "5G流量加油包 10GB", "addon", "30"),
    ("CLOUD-50G", "云盘 50G", "addon", "10"),
    ("VIDEO-VIP-15", "视频会员", "addon", "15"),
    ("CRBT-5", "彩铃", "addon", "5"),
    ("SEC-GUARD-3", "防骚扰安全卫士", "addon", "3"),
)
PRICE = {sku: Decimal(price) for sku, _, _, price in PRODUCTS}

# persona -> (weight, [(sku or alternatives, chance)]); the first item is the anchor
_PERSONAS: dict[str, tuple[int, list[tuple[tuple[str, ...], float]]]] = {
    "phone": (
        30,
        [
            (("PHONE-MATE-70", "PHONE-IP-16", "PHONE-MI-15"), 1.0),
            (("ACC-CASE",), 0.75),
            (("ACC-FILM",), 0.6),
            (("ACC-CHARGER",), 0.3),
            (("ACC-BUDS",), 0.25),
            (("5G-PLUS-129", "5G-PLUS-199", "5G-PRO-299"), 0.5),
        ],
    ),
    "home": (
        25,
        [
            (("BB-FIBER-100", "BB-FIBER-500", "BB-FIBER-1000"), 1.0),
            (("TX-1001",), 0.9),
            (("STB-4K-01",), 0.5),
            (("TX-3003",), 0.35),
            (("VIDEO-VIP-15",), 0.3),
            (("FAM-5G-259",), 0.2),
        ],
    ),
    "traveller": (
        10,
        [
            (("ROAM-ASIA-25", "ROAM-EU-45", "ROAM-GLOBAL-68"), 1.0),
            (("DATA-5G-10",), 0.5),
            (("MIFI-M5",), 0.35),
            (("5G-PRO-299",), 0.2),
        ],
    ),
    "senior": (
        10,
        [
            (("5G-SENIOR-19", "4G-BASIC-18"), 1.0),
            (("IOT-WATCH-10",), 0.4),
            (("SEC-GUARD-3",), 0.35),
            (("CRBT-5",), 0.2),
        ],
    ),
    "light": (
        25,
        [
            (("5G-LITE-59", "5G-PLUS-129"), 1.0),
            (("DATA-5G-10",), 0.3),
            (("CLOUD-50G",), 0.2),
            (("VIDEO-VIP-15",), 0.2),
            (("CRBT-5",), 0.1),
        ],
    ),
}
_BUSINESS = [
    (("BIZ-5G-499",), 1.0),
    (("BB-FIBER-1000",), 0.6),
    (("CLOUD-50G",), 0.5),
    (("TX-3003",), 0.3),
    (("PHONE-MATE-70", "PHONE-IP-16"), 0.3),
]
SOURCES = ("门店", "官网", "小程序", "直播", "展会", "电话营销", "地推", "老客推荐")
OWNERS = tuple(f"a-{n}" for n in range(1001, 1013))
INTERESTS = ("5G", "宽带", "漫游", "智能家居", "游戏", "视频", "换机", "银发")
GROUPS = ("VIP俱乐部", "政企大客户", "家庭融合", "银发关爱", "校园")
CALL_TOPICS = (
    "查询话费",
    "套餐变更咨询",
    "宽带报修",
    "流量超出咨询",
    "国际漫游开通",
    "发票申请",
    "换机优惠咨询",
    "信号问题",
)
COMPLAINTS = ("话费争议投诉", "宽带多次断网投诉", "营业厅服务态度投诉", "未经同意订购增值业务投诉")
CAMPAIGNS = ("双十一换机节", "千兆宽带升级", "5G套餐升档", "春节漫游优惠")
STAGES = ("prospecting", "qualification", "proposal", "negotiation")
DISTRICTS = ("朝阳区", "海淀区", "浦东新区", "天河区", "南山区", "福田区", "西湖区", "高新区")
STREETS = ("建设路", "人民路", "中山路", "解放路", "科技园路", "长江路", "和平街")
_OPENID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def demo_population(count: int = POPULATION, seed: int = 2026) -> list[dict[str, Any]]:
    """The feed's customers first, then more up to ``count``, with fresh numbers and ids."""
    base = demo_customers(min(count, FEED_CUSTOMERS), seed)
    if count <= FEED_CUSTOMERS:
        return base
    taken = {e164 for h in iter_holdings(base) if (e164 := to_e164(h.written)) is not None}
    rng = random.Random(seed + 1)
    builder = _Builder(rng=rng, pool=_NumberPool(rng, taken=taken), used_names=set())
    extra: list[dict[str, Any]] = []
    while len(extra) < count - len(base):
        remaining = count - len(base) - len(extra)
        chinese = rng.random() < 0.85
        enterprise = rng.random() < 0.15
        if chinese and not enterprise and remaining >= 2 and rng.random() < 0.08:
            extra.extend(builder.cn_family(min(remaining, rng.randint(2, 3))))
        elif chinese:
            extra.append(builder.cn_enterprise() if enterprise else builder.cn_individual())
        else:
            extra.append(builder.intl_enterprise() if enterprise else builder.intl_individual())
    start = len(base) + 1
    return base + [
        {"external_id": f"DEMO-{position:06d}", **customer}
        for position, customer in enumerate(extra, start=start)
    ]


@dataclass
class Activity:
    """One customer's history; every time is whole days (with a fraction) before now."""

    orders: list[tuple[float, list[tuple[str, int]], str, str]] = field(default_factory=list)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)
    consents: list[tuple[str, bool, float, str]] = field(default_factory=list)
    tags: list[tuple[str, str, int, float]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    contracts: list[dict[str, Any]] = field(default_factory=list)
    address: dict[str, Any] = field(default_factory=dict)
    openid: str | None = None


def _basket(rng: random.Random, plan: Sequence[tuple[tuple[str, ...], float]]) -> list[str]:
    return [rng.choice(choices) for choices, chance in plan if rng.random() < chance]


def demo_activity(customers: Sequence[Mapping[str, Any]], seed: int = 2026) -> list[Activity]:
    rng = random.Random(seed + 7)
    names = list(_PERSONAS)
    weights = [_PERSONAS[n][0] for n in names]
    out: list[Activity] = []
    for index, customer in enumerate(customers):
        act = Activity()
        enterprise = customer["kind"] == "enterprise"
        persona = "business" if enterprise else rng.choices(names, weights)[0]
        plan = _BUSINESS if enterprise else _PERSONAS[persona][1]
        buyer = rng.random() < 0.9
        if buyer:
            rhythm = rng.uniform(30, 200)  # days between orders, this customer's own
            lapsed = rng.random() < 0.15  # stopped ordering a while ago: churn risk
            day = rng.uniform(0, rhythm) + (rng.uniform(150, 400) if lapsed else 0)
            orders = 0
            anchor_bought = False
            while day < 720 and orders < 12:
                items = _basket(rng, plan) if not anchor_bought else _basket(rng, plan[1:])
                if not items:
                    items = [rng.choice(plan[0][0])]
                anchor_bought = True
                quantity = rng.randint(5, 40) if enterprise and items[0] == "BIZ-5G-499" else 1
                lines = [(sku, quantity if sku == "BIZ-5G-499" else 1) for sku in items]
                status = "refunded" if rng.random() < 0.02 else "completed"
                channel = rng.choice(("store", "web", "app", "phone"))
                act.orders.append((round(day, 3), lines, status, channel))
                orders += 1
                day += rng.expovariate(1 / rhythm) + 1
        for _ in range(rng.randint(0, 8)):
            act.interactions.append(
                {
                    "kind": "call",
                    "days_ago": round(rng.uniform(0, 365), 3),
                    "channel": "phone",
                    "direction": rng.choice(("inbound", "inbound", "outbound")),
                    "summary": rng.choice(CALL_TOPICS),
                }
            )
        for _ in range(rng.choices((0, 1, 2, 3), (60, 25, 10, 5))[0]):
            complaint = rng.random() < 0.35
            days = round(rng.uniform(0, 300), 3)
            still_open = days < 20 and rng.random() < 0.5
            act.interactions.append(
                {
                    "kind": "ticket",
                    "days_ago": days,
                    "channel": rng.choice(("phone", "web", "email")),
                    "summary": rng.choice(COMPLAINTS if complaint else CALL_TOPICS),
                    "data": {
                        "complaint": complaint,
                        "open": still_open,
                        "sla_breached": still_open and rng.random() < 0.4,
                    },
                }
            )
        for _ in range(rng.choices((0, 1, 2, 3), (40, 35, 15, 10))[0]):
            act.interactions.append(
                {
                    "kind": "campaign",
                    "days_ago": round(rng.uniform(0, 200), 3),
                    "channel": rng.choice(("sms", "phone", "wechat")),
                    "direction": "outbound",
                    "summary": rng.choice(CAMPAIGNS),
                }
            )
        act.profile = {
            "source_channel": rng.choice(SOURCES),
            "owner": rng.choice(OWNERS),
            "country": {"US": "US", "UK": "GB", "HK": "HK"}.get(_region_of(customer), "CN"),
        }
        if enterprise:
            limit = Decimal(rng.choice((10_000, 50_000, 100_000, 200_000, 500_000)))
            act.profile.update(
                credit_limit=limit,
                credit_balance=(limit * Decimal(rng.randint(0, 90)) / 100).quantize(
                    Decimal("0.01")
                ),
                size=rng.choice(("1-49", "50-199", "200-999", "1000+")),
                company_type=rng.choice(("有限责任公司", "股份有限公司", "外商独资", "个体工商户")),
                credit_code=_credit_code(rng) if act.profile["country"] == "CN" else None,
                website=f"https://www.{customer.get('emails', ['x@example.com'])[0].split('@')[1]}",
            )
            act.contracts.append(
                {
                    "days_ago": round(rng.uniform(30, 700), 1),
                    "years": rng.choice((1, 2, 3)),
                    "sku": "BIZ-5G-499",
                    "value": Decimal(rng.randint(20, 400) * 1000),
                }
            )
        elif rng.random() < 0.3:
            limit = Decimal(rng.choice((500, 1000, 2000)))
            act.profile.update(credit_limit=limit, credit_balance=Decimal(rng.randint(0, 400)))
        if rng.random() < 0.03:
            act.profile.update(do_not_call=True, do_not_call_source="customer asked on a call")
        for channel in ("sms", "phone", "email", "wechat"):
            if rng.random() < 0.7:
                act.consents.append(
                    (
                        channel,
                        rng.random() < 0.85,
                        round(rng.uniform(0, 700), 1),
                        rng.choice(SOURCES),
                    )
                )
        for tag in rng.sample(INTERESTS, rng.randint(0, 3)):
            act.tags.append(("interest", tag, rng.randint(1, 5), round(rng.uniform(0.5, 2.0), 2)))
        if persona == "senior":
            act.groups.append("银发关爱")
        if persona == "home" and rng.random() < 0.5:
            act.groups.append("家庭融合")
        if enterprise and rng.random() < 0.5:
            act.groups.append("政企大客户")
        if rng.random() < 0.08:
            act.groups.append("VIP俱乐部")
        if rng.random() < (0.4 if enterprise else 0.08):
            sku = rng.choice(plan[0][0]) if not enterprise else "BB-FIBER-1000"
            act.opportunities.append(
                {
                    "title": f"{'升级' if not enterprise else '扩容'} {sku}",
                    "sku": sku,
                    "stage": rng.choice(STAGES),
                    "amount": PRICE[sku] * (rng.randint(10, 100) if enterprise else 1),
                    "probability": rng.choice((10, 25, 50, 75)),
                    "close_in_days": rng.randint(5, 90),
                    "owner": act.profile["owner"],
                }
            )
        if act.profile["country"] == "CN":
            act.address = {
                "kind": "office" if enterprise else "home",
                "district": rng.choice(DISTRICTS),
                "street": f"{rng.choice(STREETS)}{rng.randint(1, 999)}号",
                "postcode": f"{rng.randint(100000, 859999)}",
            }
            if not enterprise and rng.random() < 0.4:
                act.openid = "o" + "".join(rng.choice(_OPENID_CHARS) for _ in range(27))
        out.append(act)
        del index
    return out


def _region_of(customer: Mapping[str, Any]) -> str:
    phones = [h.written for h in iter_holdings([customer])]
    for text in phones:
        if text.startswith(("+1", "001")):
            return "US"
        if text.startswith(("+44", "0044")):
            return "UK"
        if text.startswith(("+852", "00852")):
            return "HK"
    return "CN"


def _credit_code(rng: random.Random) -> str:
    """A unified social credit code with its check character (91: a company)."""
    body = (
        "91"
        + "".join(rng.choice("0123456789") for _ in range(6))
        + "".join(rng.choice(CODE_CHARS) for _ in range(9))
    )
    return body + credit_code_check(body)
