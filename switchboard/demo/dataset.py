"""The demo data set: agents, customers and the callers of the simulated CTI feed.

Everything here is pure and deterministic: the same seed gives the same data, and only a
private ``random.Random(seed)`` is used, never the global generator.

The customers look like real CRM data from a Chinese call center: about three quarters are
mainland Chinese (people and companies), the rest are from the US, the UK and Hong Kong, and
their numbers are written in the many shapes people type them in (``13812345678``,
``+86 138 1234 5678``, ``0086-138-1234-5678``, ``(010) 8888-6666``, ``+1 415-392-0100 x204``,
``+44 (0)20 7946 0958`` …). Every number is valid for its region per ``phonenumbers`` when
parsed with the default region CN; numbers of other regions always carry their country code
(``+cc`` or the mainland international prefix ``00cc``).

Some numbers are shared on purpose:

* an enterprise's switchboard (总机) is on the company and, for about half of the companies,
  on two or three of its contacts too, usually with the contact's extension and written in
  another shape;
* a family home landline is on two or three individual customers.

Apart from that no two people share a number (compared as E.164, extensions ignored).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberFormat

DEFAULT_REGION = "CN"
CALLER_KINDS: tuple[str, ...] = ("known", "several", "unknown", "withheld")
WITHHELD_NUMBERS: tuple[str, ...] = ("anonymous", "Anonymous", "", "private", "unknown")

Phone = str | dict[str, str]

# --------------------------------------------------------------------------------------
# Agents
# --------------------------------------------------------------------------------------

_AGENTS: tuple[tuple[str, dict[str, int], list[str]], ...] = (
    ("王小明", {"billing": 3, "sales": 2}, ["zh", "en"]),
    ("李娜", {"sales": 5, "vip": 3}, ["zh"]),
    ("Emily Carter", {"english": 5, "tech_support": 3, "sales": 2}, ["en"]),
    ("陈静", {"complaints": 4, "billing": 3}, ["zh"]),
    ("David Wong", {"english": 4, "vip": 4, "billing": 2}, ["en", "zh"]),
    ("刘洋", {"tech_support": 5, "english": 2}, ["zh", "en"]),
    ("赵磊", {"tech_support": 3, "complaints": 2}, ["zh"]),
    ("Sarah Mitchell", {"english": 5, "complaints": 3}, ["en"]),
    ("周婷", {"vip": 5, "sales": 4, "complaints": 3}, ["zh"]),
    ("孙浩", {"billing": 4, "tech_support": 1}, ["zh"]),
    ("James Li", {"sales": 3, "english": 4}, ["en", "zh"]),
    ("吴芳", {"billing": 2, "sales": 2, "complaints": 1}, ["zh"]),
)


# (team, region) in turn: two sites, two teams each, for the leaderboards by team and region.
_TEAMS: tuple[tuple[str, str], ...] = (
    ("shanghai-1", "华东"),
    ("shanghai-2", "华东"),
    ("shenzhen-1", "华南"),
    ("shenzhen-2", "华南"),
)


def demo_agents() -> list[dict[str, Any]]:
    """The demo agents, as ``POST /api/v1/agents`` takes them; the first is the console's."""
    agents: list[dict[str, Any]] = []
    for offset, (name, skills, languages) in enumerate(_AGENTS):
        extension = str(1001 + offset)
        team, region = _TEAMS[offset % len(_TEAMS)]
        agents.append(
            {
                "id": f"a-{extension}",
                "name": name,
                "extension": extension,
                "skills": dict(skills),
                "languages": list(languages),
                "team": team,
                "region": region,
            }
        )
    return agents


# --------------------------------------------------------------------------------------
# Names, places, companies
# --------------------------------------------------------------------------------------

_SURNAMES: tuple[tuple[str, str], ...] = (
    ("张", "zhang"), ("王", "wang"), ("李", "li"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
    ("郭", "guo"), ("何", "he"), ("林", "lin"), ("高", "gao"), ("罗", "luo"),
    ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
    ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("欧阳", "ouyang"), ("司马", "sima"),
)  # fmt: skip

_GIVEN: tuple[tuple[str, str], ...] = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
    ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("秀英", "xiuying"), ("霞", "xia"), ("平", "ping"),
    ("刚", "gang"), ("桂英", "guiying"), ("建华", "jianhua"), ("晓东", "xiaodong"),
    ("志强", "zhiqiang"), ("海燕", "haiyan"), ("文博", "wenbo"), ("子涵", "zihan"),
    ("欣怡", "xinyi"), ("浩然", "haoran"), ("雨桐", "yutong"), ("俊杰", "junjie"),
    ("婷", "ting"), ("鹏", "peng"), ("辉", "hui"), ("玲", "ling"),
)  # fmt: skip

# (city, province, area code without the trunk 0); all have 8-digit subscriber numbers
_CN_CITIES: tuple[tuple[str, str, str], ...] = (
    ("北京市", "北京市", "10"), ("上海市", "上海市", "21"), ("广州市", "广东省", "20"),
    ("深圳市", "广东省", "755"), ("杭州市", "浙江省", "571"), ("南京市", "江苏省", "25"),
    ("苏州市", "江苏省", "512"), ("成都市", "四川省", "28"), ("武汉市", "湖北省", "27"),
    ("天津市", "天津市", "22"), ("重庆市", "重庆市", "23"), ("西安市", "陕西省", "29"),
    ("青岛市", "山东省", "532"), ("长沙市", "湖南省", "731"), ("福州市", "福建省", "591"),
    ("沈阳市", "辽宁省", "24"),
)  # fmt: skip
# Where people live is not uniform: the big cities come up more often.
_CN_CITY_WEIGHTS: tuple[int, ...] = (8, 8, 6, 7, 5, 4, 3, 4, 3, 3, 3, 2, 2, 2, 2, 2)

_CN_MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "180", "181", "182", "183", "185", "186", "187", "188", "189",
)  # fmt: skip

_CN_BRANDS: tuple[tuple[str, str], ...] = (
    ("腾达", "tengda"), ("华信", "huaxin"), ("鼎盛", "dingsheng"), ("恒通", "hengtong"),
    ("瑞丰", "ruifeng"), ("长青", "changqing"), ("远航", "yuanhang"), ("金桥", "jinqiao"),
    ("创联", "chuanglian"), ("博远", "boyuan"), ("新锐", "xinrui"), ("宏图", "hongtu"),
    ("海纳", "haina"), ("天成", "tiancheng"), ("优品", "youpin"), ("明德", "mingde"),
    ("联众", "lianzhong"), ("嘉禾", "jiahe"), ("东方", "dongfang"), ("星辰", "xingchen"),
    ("安泰", "antai"), ("智汇", "zhihui"), ("盛世", "shengshi"), ("云帆", "yunfan"),
)  # fmt: skip

# (word in the company name, industry)
_CN_TRADES: tuple[tuple[str, str], ...] = (
    ("科技", "信息技术"), ("贸易", "批发零售"), ("物流", "交通物流"), ("电子", "电子制造"),
    ("医药", "医药健康"), ("餐饮管理", "餐饮"), ("建设工程", "建筑"), ("文化传媒", "文化传媒"),
    ("教育咨询", "教育"), ("食品", "食品"), ("网络科技", "互联网"), ("机械设备", "制造业"),
)  # fmt: skip

_CN_TITLES: tuple[str | None, ...] = (
    "总经理", "采购经理", "财务主管", "IT主管", "行政专员", "客服主管", "运营总监", None,
)  # fmt: skip
_CN_TAGS: tuple[str, ...] = (
    "老客户", "新客户", "投诉历史", "宽带", "信用卡", "会员", "催缴", "回访", "高价值",
)  # fmt: skip
_CN_ENTERPRISE_TAGS: tuple[str, ...] = ("大客户", "合同客户", "年框", "渠道", "试用", "续约")
_CN_MAIL_DOMAINS: tuple[str, ...] = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com")

_EN_FIRST: tuple[str, ...] = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda",
    "William", "Elizabeth", "David", "Susan", "Richard", "Jessica", "Thomas", "Sarah",
    "Daniel", "Karen", "Oliver", "Emma", "Harry", "Sophie", "George", "Amelia",
)  # fmt: skip
_EN_LAST: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
    "Taylor", "Clarke", "Walker", "Wright", "Evans", "Roberts", "Turner", "Hughes",
)  # fmt: skip
_HK_SURNAMES: tuple[tuple[str, str], ...] = (
    ("陳", "Chan"), ("黃", "Wong"), ("李", "Lee"), ("張", "Cheung"), ("梁", "Leung"),
    ("劉", "Lau"), ("林", "Lam"), ("吳", "Ng"), ("何", "Ho"), ("郭", "Kwok"),
)  # fmt: skip
_HK_GIVEN: tuple[tuple[str, str], ...] = (
    ("大文", "Tai Man"), ("嘉欣", "Ka Yan"), ("志明", "Chi Ming"), ("美玲", "Mei Ling"),
    ("家豪", "Ka Ho"), ("詠詩", "Wing Sze"), ("偉強", "Wai Keung"), ("小萍", "Siu Ping"),
)  # fmt: skip

_US_CITIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("San Francisco", "CA", ("415", "628")),
    ("New York", "NY", ("212", "646", "917")),
    ("Chicago", "IL", ("312", "773")),
    ("Boston", "MA", ("617",)),
    ("Seattle", "WA", ("206",)),
    ("Los Angeles", "CA", ("213", "310")),
)
_UK_CITIES: tuple[tuple[str, str, str], ...] = (
    ("London", "England", "20"),
    ("Manchester", "England", "161"),
    ("Edinburgh", "Scotland", "131"),
    ("Birmingham", "England", "121"),
)
_INTL_BRANDS: tuple[str, ...] = (
    "Brightwater", "Harbour", "Summit", "Northstar", "Bluepeak", "Redwood", "Kingsway",
    "Evergreen", "Silverline", "Oakridge", "Lighthouse", "Pacific Rim",
)  # fmt: skip
_INTL_TRADES: tuple[tuple[str, str], ...] = (
    ("Analytics", "Software"), ("Trading", "Wholesale"), ("Logistics", "Logistics"),
    ("Consulting", "Professional services"), ("Foods", "Food"), ("Medical", "Healthcare"),
)  # fmt: skip
_INTL_SUFFIX = {"US": "Inc.", "UK": "Ltd", "HK": "Co. Ltd"}
_INTL_TITLES: tuple[str | None, ...] = (
    "CEO", "Procurement Manager", "Finance Director", "IT Manager", "Office Manager", None,
)  # fmt: skip
_INTL_TAGS: tuple[str, ...] = ("overseas", "key account", "renewal", "trial", "english")
_INTL_MAIL_DOMAINS: tuple[str, ...] = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com")

# --------------------------------------------------------------------------------------
# Phone numbers: drawing fresh valid ones and writing them in the shapes people use
# --------------------------------------------------------------------------------------


def phone_text(phone: Phone | Mapping[str, Any]) -> str:
    """The written number of a phone entry, whether a plain string or a dict."""
    if isinstance(phone, str):
        return phone
    return str(phone.get("number", ""))


def to_e164(number: Phone | Mapping[str, Any], region: str = DEFAULT_REGION) -> str | None:
    """The E.164 form of a written number (extension dropped), or None if it is not valid."""
    text = phone_text(number)
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _grouped(digits: str, sizes: Sequence[int], sep: str) -> str:
    parts: list[str] = []
    start = 0
    for size in sizes:
        parts.append(digits[start : start + size])
        start += size
    if start < len(digits):
        parts.append(digits[start:])
    return sep.join(part for part in parts if part)


def _cn_area_length(nsn: str) -> int:
    return 2 if nsn.startswith(("10", "2")) else 3


def _cn_mobile_style(style: str, nsn: str) -> str:
    spaced = _grouped(nsn, (3, 4, 4), " ")
    dashed = _grouped(nsn, (3, 4, 4), "-")
    return {
        "plain": nsn,  # 13812345678
        "intl_spaced": f"+86 {spaced}",  # +86 138 1234 5678
        "idd_dashed": f"0086-{dashed}",  # 0086-138-1234-5678
        "e164": f"+86{nsn}",  # +8613812345678
        "dashed": dashed,  # 138-1234-5678
        "spaced": spaced,  # 138 1234 5678
        "intl_dashed": f"+86 {dashed}",  # +86 138-1234-5678
        "idd_plain": f"0086{nsn}",  # 008613812345678
    }[style]


def _cn_landline_style(style: str, nsn: str) -> str:
    area, sub = nsn[: _cn_area_length(nsn)], nsn[_cn_area_length(nsn) :]
    return {
        "paren": f"(0{area}) {sub[:4]}-{sub[4:]}",  # (010) 8888-6666
        "dash_space": f"0{area}-{sub[:4]} {sub[4:]}",  # 010-8888 6666
        "spaced": f"0{area} {sub[:4]} {sub[4:]}",  # 021 6666 8888
        "dashed": f"0{area}-{sub}",  # 010-88886666
        "intl": f"+86 {area} {sub[:4]} {sub[4:]}",  # +86 10 8888 6666
        "compact": f"0{nsn}",  # 01088886666
        "e164": f"+86{nsn}",  # +861088886666
        "intl_dashed": f"+86-{area}-{sub}",  # +86-10-88886666
    }[style]


def _hk_style(style: str, nsn: str) -> str:
    return {
        "intl": f"+852 {nsn[:4]} {nsn[4:]}",  # +852 2123 4567
        "e164": f"+852{nsn}",  # +85221234567
        "dashed": f"+852-{nsn[:4]}-{nsn[4:]}",  # +852-2123-4567
        "idd": f"00852 {nsn}",  # 00852 21234567 (mainland international prefix)
    }[style]


def _us_style(style: str, nsn: str, ext: str | None = None) -> str:
    area, exchange, line = nsn[:3], nsn[3:6], nsn[6:]
    if style == "x_ext":  # +1 415-392-0100 x204
        return f"+1 {area}-{exchange}-{line} x{ext or '100'}"
    return {
        "paren": f"+1 ({area}) {exchange}-{line}",  # +1 (415) 392-0100
        "intl": f"+1 {area}-{exchange}-{line}",  # +1 415-392-0100
        "e164": f"+1{nsn}",  # +14153920100
        "dotted": f"+1.{area}.{exchange}.{line}",  # +1.415.392.0100
        "idd": f"001{nsn}",  # 0014153920100
    }[style]


def _uk_style(style: str, number: PhoneNumber) -> str:
    intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    nsn = phonenumbers.national_significant_number(number)
    return {
        "intl": intl,  # +44 20 7946 0958
        "trunk": intl.replace("+44 ", "+44 (0)", 1),  # +44 (0)20 7946 0958
        "idd": "00" + intl[1:],  # 0044 20 7946 0958
        "e164": f"+44{nsn}",  # +442079460958
    }[style]


_STYLES: dict[str, tuple[str, ...]] = {
    "cn_mobile": ("plain", "intl_spaced", "idd_dashed", "e164", "dashed", "spaced"),
    "cn_landline": ("paren", "spaced", "dashed", "intl", "compact", "dash_space"),
    "cn_landline_ext": ("dash_space", "paren", "spaced", "dashed"),
    "hk": ("intl", "e164", "dashed"),
    "us": ("paren", "intl", "e164", "dotted"),
    "uk": ("intl", "trunk", "idd", "e164"),
}
# After every style has been used once, they come up with these weights: plain digits are
# by far the most common in real CRM data.
_STYLE_WEIGHTS: dict[str, tuple[int, ...]] = {
    "cn_mobile": (10, 3, 1, 2, 2, 2),
    "cn_landline": (3, 3, 3, 1, 2, 2),
    "cn_landline_ext": (4, 2, 2, 2),
    "hk": (4, 2, 1),
    "us": (3, 3, 2, 1),
    "uk": (4, 2, 1, 2),
}


def _category(number: PhoneNumber) -> str:
    region = phonenumbers.region_code_for_number(number)
    if region == "CN":
        kind = phonenumbers.number_type(number)
        return "cn_mobile" if kind == phonenumbers.PhoneNumberType.MOBILE else "cn_landline"
    return {"HK": "hk", "US": "us", "GB": "uk"}.get(region or "", "other")


def write_number(number: PhoneNumber, style: str, ext: str | None = None) -> str:
    """``number`` written in ``style`` (see ``_STYLES``); ``ext`` is only used by ``x_ext``."""
    nsn = phonenumbers.national_significant_number(number)
    category = _category(number)
    if category == "cn_mobile":
        return _cn_mobile_style(style, nsn)
    if category == "cn_landline":
        return _cn_landline_style(style, nsn)
    if category == "hk":
        return _hk_style(style, nsn)
    if category == "us":
        return _us_style(style, nsn, ext)
    if category == "uk":
        return _uk_style(style, number)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def dial_variants(number: PhoneNumber) -> list[str]:
    """The shapes a PBX or a caller might present ``number`` in (no extension)."""
    nsn = phonenumbers.national_significant_number(number)
    category = _category(number)
    if category == "cn_mobile":
        mobile = ("intl_dashed", "plain", "e164", "idd_plain", "intl_spaced")
        return [_cn_mobile_style(style, nsn) for style in mobile]
    if category == "cn_landline":
        landline = ("compact", "e164", "dashed", "intl")
        return [_cn_landline_style(style, nsn) for style in landline]
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    return [e164, "00" + e164[1:], intl]


class _NumberPool:
    """Draws fresh valid numbers and writes them in rotating shapes."""

    def __init__(self, rng: random.Random, taken: set[str] | None = None) -> None:
        self.rng = rng
        self.taken: set[str] = taken if taken is not None else set()
        self._style_uses: dict[str, int] = {}

    def _fresh(self, make: Callable[[], str], region: str) -> PhoneNumber:
        for _ in range(10_000):
            candidate = phonenumbers.parse(make(), region)
            if not phonenumbers.is_valid_number(candidate):
                continue
            # +44 7781… is Guernsey, not GB: keep to the region asked for
            if phonenumbers.region_code_for_number(candidate) != region:
                continue
            e164 = phonenumbers.format_number(candidate, PhoneNumberFormat.E164)
            if e164 in self.taken:
                continue
            self.taken.add(e164)
            return candidate
        raise RuntimeError("could not draw a fresh valid number")  # pragma: no cover

    def _rand_digits(self, count: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(count))

    def cn_mobile(self) -> PhoneNumber:
        return self._fresh(
            lambda: self.rng.choice(_CN_MOBILE_PREFIXES) + self._rand_digits(8), "CN"
        )

    def cn_landline(self, area: str) -> PhoneNumber:
        return self._fresh(lambda: f"0{area}{self.rng.randint(2, 8)}{self._rand_digits(7)}", "CN")

    def hk(self, mobile: bool) -> PhoneNumber:
        first = self.rng.choice("569") if mobile else self.rng.choice("23")
        return self._fresh(lambda: f"+852{first}{self._rand_digits(7)}", "HK")

    def us(self, areas: Sequence[str]) -> PhoneNumber:
        def make() -> str:
            exchange = f"{self.rng.randint(2, 9)}{self._rand_digits(2)}"
            while exchange == "555" or exchange[1:] == "11":
                exchange = f"{self.rng.randint(2, 9)}{self._rand_digits(2)}"
            return f"+1{self.rng.choice(areas)}{exchange}{self._rand_digits(4)}"

        return self._fresh(make, "US")

    def uk(self, area: str | None) -> PhoneNumber:
        if area is None:  # mobile
            return self._fresh(lambda: f"+447{self.rng.randint(4, 9)}{self._rand_digits(8)}", "GB")
        if area == "20":
            return self._fresh(lambda: f"+4420{self.rng.choice('378')}{self._rand_digits(7)}", "GB")
        return self._fresh(lambda: f"+44{area}{self.rng.randint(2, 8)}{self._rand_digits(6)}", "GB")

    def style(self, category: str, avoid: Sequence[str] = ()) -> str:
        """The next shape for ``category``: each shape once in turn, then weighted at random."""
        styles = _STYLES[category]
        used = self._style_uses.get(category, 0)
        self._style_uses[category] = used + 1
        if used < len(styles) and styles[used] not in avoid:
            return styles[used]
        choices = [s for s in styles if s not in avoid] or list(styles)
        weights = [_STYLE_WEIGHTS[category][styles.index(s)] for s in choices]
        return self.rng.choices(choices, weights=weights)[0]

    def write(self, number: PhoneNumber, avoid: Sequence[str] = ()) -> tuple[str, str]:
        category = _category(number)
        style = self.style(category, avoid)
        return write_number(number, style), style


# --------------------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------------------


# city, province/state, and makers of a mobile and of a landline number there
_Place = tuple[str | None, str | None, Callable[[], PhoneNumber], Callable[[], PhoneNumber]]


@dataclass
class _Builder:
    rng: random.Random
    pool: _NumberPool
    used_names: set[str]

    # ---- small helpers --------------------------------------------------------------

    def cn_person(self, surname: tuple[str, str] | None = None) -> tuple[str, str]:
        """A Chinese name and its pinyin (for e-mail addresses)."""
        family = surname or self.rng.choice(_SURNAMES)
        given = self.rng.choice(_GIVEN)
        if len(given[0]) == 1 and self.rng.random() < 0.35:
            second = self.rng.choice([g for g in _GIVEN if len(g[0]) == 1])
            given = (given[0] + second[0], given[1] + second[1])
        return family[0] + given[0], family[1] + given[1]

    def cn_city(self) -> tuple[str, str, str]:
        return self.rng.choices(_CN_CITIES, weights=_CN_CITY_WEIGHTS)[0]

    def tier(self) -> str | None:
        return self.rng.choices(["A", "B", "C", None], weights=[2, 4, 5, 2])[0]

    def tags(self, choices: Sequence[str], most: int = 2) -> list[str]:
        return sorted(self.rng.sample(list(choices), self.rng.randint(0, most)))

    def mobile_entry(self, number: PhoneNumber) -> Phone:
        text, _ = self.pool.write(number)
        if self.rng.random() < 0.25:
            return {"number": text, "type": "mobile"}
        return text

    def office_entry(
        self, number: PhoneNumber, ext: str | None = None, written: set[str] | None = None
    ) -> Phone:
        """An office phone entry; its text differs from those in ``written`` (then added)."""
        written = written if written is not None else set()
        category = _category(number)
        nsn = phonenumbers.national_significant_number(number)
        text: str | None = None
        if ext is not None and category == "us" and self.rng.random() < 0.6:
            # +1 415-392-0100 x204: the extension inside the written number
            text, ext = _us_style("x_ext", nsn, ext), None
        elif ext is not None and category == "cn_landline":
            text = write_number(number, self.pool.style("cn_landline_ext"))
        else:
            text, _ = self.pool.write(number)
        if text in written:
            styles = list(_STYLES.get(category, ()))
            self.rng.shuffle(styles)
            text = next(
                (t for t in (write_number(number, s) for s in styles) if t not in written), text
            )
        written.add(text)
        entry = {"number": text, "type": "office"}
        if ext is not None:
            entry["ext"] = ext
        return entry

    def cn_email(self, pinyin: str) -> str:
        return f"{pinyin}{self.rng.randint(1, 999)}@{self.rng.choice(_CN_MAIL_DOMAINS)}"

    # ---- customers ------------------------------------------------------------------

    def cn_individual(self) -> dict[str, Any]:
        name, pinyin = self.cn_person()
        city, province, area = self.cn_city()
        phones: list[Phone] = [self.mobile_entry(self.pool.cn_mobile())]
        if self.rng.random() < 0.15:
            phones.append(self.mobile_entry(self.pool.cn_mobile()))
        if self.rng.random() < 0.15:
            text, _ = self.pool.write(self.pool.cn_landline(area))
            phones.append({"number": text, "type": "home"})
        emails = [self.cn_email(pinyin)] if self.rng.random() < 0.5 else []
        return {
            "kind": "individual",
            "name": name,
            "city": city,
            "province": province,
            "tier": self.tier(),
            "tags": self.tags(_CN_TAGS),
            "phones": phones,
            "emails": emails,
        }

    def cn_family(self, size: int) -> list[dict[str, Any]]:
        """``size`` individuals sharing one home landline, each written in its own shape."""
        city, province, area = self.cn_city()
        home = self.pool.cn_landline(area)
        surname = self.rng.choice(_SURNAMES)
        written: list[str] = []
        members: list[dict[str, Any]] = []
        for position in range(size):
            # a spouse often keeps their own surname
            family = surname if position != 1 or self.rng.random() < 0.3 else None
            name, pinyin = self.cn_person(family)
            text, style = self.pool.write(home, avoid=written)
            written.append(style)
            home_entry: Phone = {"number": text, "type": "home"} if position % 2 == 0 else text
            members.append(
                {
                    "kind": "individual",
                    "name": name,
                    "city": city,
                    "province": province,
                    "tier": self.tier(),
                    "tags": sorted({*self.tags(_CN_TAGS, 1), "家庭"}),
                    "phones": [self.mobile_entry(self.pool.cn_mobile()), home_entry],
                    "emails": [self.cn_email(pinyin)] if self.rng.random() < 0.4 else [],
                }
            )
        return members

    def cn_enterprise(self) -> dict[str, Any]:
        city, province, area = self.cn_city()
        for _ in range(1000):
            brand, brand_pinyin = self.rng.choice(_CN_BRANDS)
            word, industry = self.rng.choice(_CN_TRADES)
            name = f"{city}{brand}{word}有限公司"  # 深圳市腾达科技有限公司
            if name not in self.used_names:
                break
        self.used_names.add(name)
        domain = f"{brand_pinyin}{self.rng.randint(1, 99)}.com.cn"
        switchboard = self.pool.cn_landline(area)
        contacts: list[dict[str, Any]] = []
        for _ in range(self.rng.randint(2, 4)):
            person, pinyin = self.cn_person()
            phones: list[Phone] = [self.mobile_entry(self.pool.cn_mobile())]
            if self.rng.random() < 0.3:
                phones.append(self.office_entry(self.pool.cn_landline(area)))
            contacts.append(
                {
                    "name": person,
                    "title": self.rng.choice(_CN_TITLES),
                    "phones": phones,
                    "emails": [f"{pinyin}@{domain}"] if self.rng.random() < 0.7 else [],
                }
            )
        company_phones: list[Phone] = [self.office_entry(switchboard)]
        self.share_switchboard(switchboard, company_phones[0], contacts)
        return {
            "kind": "enterprise",
            "name": name,
            "short_name": f"{brand}{word}",
            "industry": industry,
            "city": city,
            "province": province,
            "tier": self.tier(),
            "tags": self.tags(_CN_ENTERPRISE_TAGS),
            "phones": company_phones,
            "emails": [f"service@{domain}"],
            "contacts": contacts,
        }

    def share_switchboard(
        self, switchboard: PhoneNumber, company: Phone, contacts: list[dict[str, Any]]
    ) -> None:
        """About half the companies list their 总机 on two or three contacts too.

        Each listing is written in a shape of its own, mostly with the contact's extension.
        """
        if self.rng.random() >= 0.5:
            return
        written = {phone_text(company)}
        count = min(len(contacts), self.rng.randint(2, 3))
        exts = self.rng.sample(range(200, 900), count)
        for contact, ext in zip(contacts[:count], exts, strict=True):
            with_ext = str(ext) if self.rng.random() < 0.8 else None
            contact["phones"].append(self.office_entry(switchboard, with_ext, written))

    def intl_region(self) -> str:
        return self.rng.choices(["US", "UK", "HK"], weights=[4, 3, 3])[0]

    def intl_place(self, region: str) -> _Place:
        """City, province/state and makers of a mobile and a landline number there."""
        if region == "US":
            us_city, state, areas = self.rng.choice(_US_CITIES)
            return us_city, state, lambda: self.pool.us(areas), lambda: self.pool.us(areas)
        if region == "UK":
            uk_city, nation, area = self.rng.choice(_UK_CITIES)
            return uk_city, nation, lambda: self.pool.uk(None), lambda: self.pool.uk(area)
        return "Hong Kong", None, lambda: self.pool.hk(True), lambda: self.pool.hk(False)

    def intl_person(self, region: str) -> tuple[str, str]:
        if region == "HK":
            family, given = self.rng.choice(_HK_SURNAMES), self.rng.choice(_HK_GIVEN)
            if self.rng.random() < 0.4:
                return family[0] + given[0], f"{given[1]} {family[1]}".lower().replace(" ", ".")
            return f"{family[1]} {given[1]}", f"{given[1]} {family[1]}".lower().replace(" ", ".")
        first, last = self.rng.choice(_EN_FIRST), self.rng.choice(_EN_LAST)
        return f"{first} {last}", f"{first}.{last}".lower()

    def intl_individual(self) -> dict[str, Any]:
        region = self.intl_region()
        city, province, mobile, landline = self.intl_place(region)
        name, handle = self.intl_person(region)
        phones: list[Phone] = [self.mobile_entry(mobile())]
        if self.rng.random() < 0.2:
            text, _ = self.pool.write(landline())
            phones.append({"number": text, "type": "home"})
        emails = []
        if self.rng.random() < 0.7:
            emails.append(
                f"{handle}{self.rng.randint(1, 99)}@{self.rng.choice(_INTL_MAIL_DOMAINS)}"
            )
        return {
            "kind": "individual",
            "name": name,
            "city": city,
            "province": province,
            "tier": self.tier(),
            "tags": self.tags(_INTL_TAGS),
            "phones": phones,
            "emails": emails,
        }

    def intl_enterprise(self) -> dict[str, Any]:
        region = self.intl_region()
        city, province, mobile, landline = self.intl_place(region)
        for _ in range(1000):
            brand = self.rng.choice(_INTL_BRANDS)
            word, industry = self.rng.choice(_INTL_TRADES)
            name = f"{brand} {word} {_INTL_SUFFIX[region]}"
            if name not in self.used_names:
                break
        self.used_names.add(name)
        tld = {"US": ".com", "UK": ".co.uk", "HK": ".com.hk"}[region]
        domain = f"{brand}{word}".lower().replace(" ", "") + tld
        switchboard = landline()
        contacts: list[dict[str, Any]] = []
        for _ in range(self.rng.randint(2, 4)):
            person, handle = self.intl_person(region)
            contacts.append(
                {
                    "name": person,
                    "title": self.rng.choice(_INTL_TITLES),
                    "phones": [self.mobile_entry(mobile())],
                    "emails": [f"{handle}@{domain}"] if self.rng.random() < 0.8 else [],
                }
            )
        company_phones: list[Phone] = [self.office_entry(switchboard)]
        self.share_switchboard(switchboard, company_phones[0], contacts)
        return {
            "kind": "enterprise",
            "name": name,
            "short_name": f"{brand} {word}",
            "industry": industry,
            "city": city,
            "province": province,
            "tier": self.tier(),
            "tags": self.tags(_INTL_TAGS),
            "phones": company_phones,
            "emails": [f"info@{domain}"],
            "contacts": contacts,
        }


def demo_customers(count: int = 240, seed: int = 2026) -> list[dict[str, Any]]:
    """``count`` demo customers in the shape ``POST /api/v1/customers`` takes."""
    if count < 0:
        raise ValueError("count must not be negative")
    rng = random.Random(seed)
    builder = _Builder(rng=rng, pool=_NumberPool(rng), used_names=set())
    customers: list[dict[str, Any]] = []
    while len(customers) < count:
        remaining = count - len(customers)
        chinese = rng.random() < 0.75
        enterprise = rng.random() < 0.25
        if chinese and not enterprise and remaining >= 2 and rng.random() < 0.1:
            customers.extend(builder.cn_family(min(remaining, rng.randint(2, 3))))
        elif chinese:
            customers.append(builder.cn_enterprise() if enterprise else builder.cn_individual())
        else:
            customers.append(builder.intl_enterprise() if enterprise else builder.intl_individual())
    return [
        {"external_id": f"DEMO-{position:06d}", **customer}
        for position, customer in enumerate(customers, start=1)
    ]


# --------------------------------------------------------------------------------------
# Who holds which number, and the callers of the feed
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    """One written number of one person: the customer itself or one of its contacts."""

    customer: int  # index in the customer list
    contact: int | None  # index in its contacts, None for the customer itself
    written: str
    ext: str | None


def iter_holdings(customers: Sequence[Mapping[str, Any]]) -> Iterator[Holding]:
    """Every phone entry of every customer and contact."""
    for index, customer in enumerate(customers):
        for phone in customer.get("phones", []):
            yield _holding(index, None, phone)
        for position, contact in enumerate(customer.get("contacts", []) or []):
            for phone in contact.get("phones", []):
                yield _holding(index, position, phone)


def _holding(customer: int, contact: int | None, phone: Phone | Mapping[str, Any]) -> Holding:
    ext: str | None = None
    if not isinstance(phone, str):
        ext = phone.get("ext") or None
    return Holding(customer, contact, phone_text(phone), ext)


def numbers_by_e164(
    customers: Sequence[Mapping[str, Any]], region: str = DEFAULT_REGION
) -> dict[str, list[Holding]]:
    """E.164 → every holding of it; raises ValueError for a number that is not valid."""
    index: dict[str, list[Holding]] = {}
    for holding in iter_holdings(customers):
        e164 = to_e164(holding.written, region)
        if e164 is None:
            raise ValueError(f"not a valid number: {holding.written!r}")
        index.setdefault(e164, []).append(holding)
    return index


def _holders(holdings: Sequence[Holding]) -> set[tuple[int, int | None]]:
    return {(h.customer, h.contact) for h in holdings}


class CallerPicker:
    """Gives the number a simulated caller presents, for each kind of caller.

    * ``known``: a number held by exactly one person, written differently from how it is
      stored (``13812345678`` stored, ``+86 138-1234-5678`` dialled);
    * ``several``: a number deliberately shared (a switchboard or a family landline);
    * ``unknown``: a valid number that no one in the data set holds;
    * ``withheld``: what PBXs send for a withheld number (``anonymous``, ``""`` …).
    """

    def __init__(self, customers: Sequence[Mapping[str, Any]], seed: int = 2026) -> None:
        self.rng = random.Random(seed)
        self.index = numbers_by_e164(customers)
        self.known: list[str] = sorted(
            e164
            for e164, holdings in self.index.items()
            if len(holdings) == 1 and holdings[0].ext is None
        )
        self.shared: list[str] = sorted(
            e164 for e164, holdings in self.index.items() if len(_holders(holdings)) >= 2
        )
        self._pool = _NumberPool(self.rng, taken=set(self.index))

    def next(self, kind: str) -> str:
        """A caller number of ``kind`` (one of ``CALLER_KINDS``)."""
        if kind == "known":
            return self._dialled(self.rng.choice(self._need(self.known, kind)))
        if kind == "several":
            return self._dialled(self.rng.choice(self._need(self.shared, kind)))
        if kind == "unknown":
            return self._unknown()
        if kind == "withheld":
            return self.rng.choice(WITHHELD_NUMBERS)
        raise ValueError(f"unknown caller kind {kind!r}; expected one of {CALLER_KINDS}")

    @staticmethod
    def _need(numbers: list[str], kind: str) -> list[str]:
        if not numbers:
            raise ValueError(f"the data set has no {kind!r} numbers")
        return numbers

    def _dialled(self, e164: str) -> str:
        """``e164`` written as a caller would present it, unlike any stored writing."""
        stored = [h.written for h in self.index[e164]]
        stored_digits = {_digits(text) for text in stored}
        variants = dial_variants(phonenumbers.parse(e164, None))
        different = [v for v in variants if _digits(v) not in stored_digits]
        if not different:
            different = [v for v in variants if v not in stored] or variants
        return self.rng.choice(different)

    def _unknown(self) -> str:
        roll = self.rng.random()
        if roll < 0.7:
            number = self._pool.cn_mobile()
        elif roll < 0.85:
            number = self._pool.cn_landline(self.rng.choice(_CN_CITIES)[2])
        elif roll < 0.93:
            number = self._pool.us(self.rng.choice(_US_CITIES)[2])
        else:
            number = self._pool.hk(True)
        return self.rng.choice(dial_variants(number))
