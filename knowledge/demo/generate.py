"""Write the demo knowledge base: ``python -m knowledge.demo.generate [--out DIR] [--check]``.

Deterministic: the same files every run (views, votes and authors come from a hash of the
article id). The committed files under ``knowledge/demo/articles/`` are this module's output;
``--check`` says whether they still match it.
"""

from __future__ import annotations

import argparse
import random
import sys
import zlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from knowledge.demo import kb_billing, kb_devices, kb_more, kb_scripts, kb_services
from knowledge.demo.catalog import ADDONS, PLANS, PROMOTIONS, AddOn, Plan, Promotion
from knowledge.demo.entry import Entry
from knowledge.markdown_import import dump_article
from knowledge.model import Article, Kind, Language, Status, derive_summary

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"
AUTHORS = ("王静", "李强", "陈晓", "Emily Zhang", "赵敏", "Tom Li", "刘洋", "周婷")


def demo_articles() -> list[Article]:
    """Every demo article, in a stable order."""
    articles: list[Article] = []
    for plan in PLANS:
        articles.append(_plan_zh(plan))
        if plan.english:
            articles.append(_plan_en(plan))
    for addon in ADDONS:
        articles.append(_addon(addon, english=False))
        articles.append(_addon(addon, english=True))
    for promotion in PROMOTIONS:
        articles.append(_promotion(promotion, english=False))
        if promotion.en and promotion.body_en:
            articles.append(_promotion(promotion, english=True))
    for module in (kb_devices, kb_billing, kb_services, kb_scripts, kb_more):
        articles.extend(_entry(e) for e in module.ENTRIES)
    ids = [a.id for a in articles]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate demo ids: {sorted(duplicates)}")
    return articles


def write(directory: Path, articles: Iterable[Article]) -> list[Path]:
    """One ``<top category>/<id>.md`` per article below ``directory``; returns the paths."""
    paths: list[Path] = []
    for article in articles:
        path = directory / (article.top_category or "misc") / f"{article.id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_article(article), encoding="utf-8")
        paths.append(path)
    return paths


def differences(directory: Path, articles: Iterable[Article]) -> list[str]:
    """Files under ``directory`` that are missing, stale or extra compared with ``articles``."""
    expected = {
        (directory / (a.top_category or "misc") / f"{a.id}.md"): dump_article(a) for a in articles
    }
    found = set(directory.glob("**/*.md")) if directory.exists() else set()
    out: list[str] = []
    for path, text in sorted(expected.items()):
        if path not in found:
            out.append(f"missing {path}")
        elif path.read_text(encoding="utf-8") != text:
            out.append(f"stale {path}")
    out.extend(f"extra {p}" for p in sorted(found - set(expected)))
    return out


# --- rendering -----------------------------------------------------------------------------


def _stats(article_id: str) -> dict[str, object]:
    rng = random.Random(zlib.crc32(article_id.encode()))
    views = min(int(rng.lognormvariate(5.0, 1.3)), 60_000)
    up = rng.randint(0, max(1, views // 25))
    down = rng.randint(0, max(1, up // 5))
    updated = datetime(2026, rng.randint(1, 10), rng.randint(1, 28), rng.randint(8, 19), 0)
    return {
        "views": views,
        "votes_up": up,
        "votes_down": down,
        "updated_at": updated,
        "author": rng.choice(AUTHORS),
        "version": rng.randint(1, 6),
    }


def _article(**fields: object) -> Article:
    article_id = str(fields["id"])
    values = {**_stats(article_id), **fields}
    if not values.get("summary"):
        values["summary"] = derive_summary(str(values["body"]))
    return Article(**values)  # type: ignore[arg-type]


def _plan_zh(plan: Plan) -> Article:
    rows = [("月费", f"{plan.price}元/月"), ("流量", plan.data)]
    if plan.minutes:
        rows.append(("国内通话", f"{plan.minutes}分钟"))
    rows.append(("产品编码", plan.code))
    table = "\n".join(["| 项目 | 内容 |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)])
    sections = [f"适合人群：{plan.audience_zh}", "## 套餐内容\n" + table]
    if plan.perks_zh:
        sections.append("## 包含权益\n" + "\n".join(f"- {p}" for p in plan.perks_zh))
    sections.append("## 套外资费\n" + plan.overage_zh)
    if plan.notes_zh:
        sections.append("## 注意事项\n" + "\n".join(f"- {n}" for n in plan.notes_zh))
    how = (
        "宽带需先查询地址是否可装，可在App“宽带新装”或营业厅办理。"
        if plan.segment in ("plans/broadband", "plans/family")
        else f"App“套餐变更”、拨打10010或到营业厅办理，办理时说明产品编码 {plan.code}。"
    )
    if plan.status == "published" and not plan.valid_to:
        sections.append("## 办理方式\n" + how)
    minutes = f"、{plan.minutes}分钟通话" if plan.minutes else ""
    return _article(
        id=f"KB-PLAN-{plan.code}",
        title=plan.zh,
        kind=Kind.PRODUCT,
        category=plan.segment,
        products=(plan.code,),
        tags=plan.tags,
        language=Language.ZH,
        status=Status(plan.status),
        valid_from=plan.valid_from,
        valid_to=plan.valid_to,
        summary=f"{plan.zh}：月费{plan.price}元，{plan.data}流量{minutes}。",
        body="\n\n".join(sections),
    )


def _plan_en(plan: Plan) -> Article:
    lines = [
        f"Who it is for: {plan.audience_en}",
        "## What's included\n"
        + "\n".join(
            [
                f"- Monthly fee: {plan.price} yuan",
                f"- Data: {_en_data(plan.data)}",
                *([f"- Domestic calls: {plan.minutes} minutes"] if plan.minutes else []),
                f"- Product code: {plan.code}",
                *(f"- {p}" for p in plan.perks_en),
            ]
        ),
        "## Beyond the plan\n" + plan.overage_en,
    ]
    if plan.notes_en:
        lines.append("## Good to know\n" + "\n".join(f"- {n}" for n in plan.notes_en))
    minutes = f", {plan.minutes} minutes" if plan.minutes else ""
    return _article(
        id=f"KB-PLAN-{plan.code}-EN",
        title=plan.en,
        kind=Kind.PRODUCT,
        category=plan.segment,
        products=(plan.code,),
        tags=tuple(t for t in plan.tags if t.isascii()),
        language=Language.EN,
        status=Status(plan.status),
        valid_from=plan.valid_from,
        valid_to=plan.valid_to,
        summary=f"{plan.en}: {_en_data(plan.data)} of data{minutes}.",
        body="\n\n".join(lines),
    )


_EN_DATA = {
    "不限流量": "unlimited",
    "不限量": "unlimited",
    "共享主卡": "shared with the main line",
    "40GB（含30GB校园定向）": "40GB (30GB for campus apps)",
    "100GB（全家共享）": "100GB shared by the family",
    "200GB（全家共享）": "200GB shared by the family",
}


def _en_data(data: str) -> str:
    return _EN_DATA.get(data, data)


def _addon(addon: AddOn, *, english: bool) -> Article:
    if english:
        body = f"Price: {addon.price_en}. Code: {addon.code}.\n\n" + "\n\n".join(addon.body_en)
        return _article(
            id=f"KB-ADDON-{addon.code}-EN",
            title=addon.en,
            kind=Kind.PRODUCT,
            category=addon.category,
            products=(addon.code,),
            tags=tuple(t for t in addon.tags if t.isascii()),
            language=Language.EN,
            status=Status.PUBLISHED,
            body=body,
        )
    body = f"资费：{addon.price_zh}。产品编码：{addon.code}。\n\n" + "\n\n".join(
        f"- {line}" if i else line for i, line in enumerate(addon.body_zh)
    )
    return _article(
        id=f"KB-ADDON-{addon.code}",
        title=f"{addon.zh}（{addon.code}）",
        kind=Kind.PRODUCT,
        category=addon.category,
        products=(addon.code,),
        tags=addon.tags,
        language=Language.ZH,
        status=Status.PUBLISHED,
        body=body,
    )


def _promotion(promotion: Promotion, *, english: bool) -> Article:
    code = promotion.id
    window_zh = (
        f"活动时间：{promotion.valid_from:%Y年%m月%d日}至{promotion.valid_to:%Y年%m月%d日}。"
    )
    window_en = f"Runs {promotion.valid_from:%d %b %Y} to {promotion.valid_to:%d %b %Y}."
    products = (code, *promotion.products)
    if english:
        title = promotion.en or promotion.zh
        body = window_en + f" Code: {code}.\n\n" + "\n\n".join(promotion.body_en)
        if promotion.products:
            body += "\n\nApplies to: " + ", ".join(promotion.products) + "."
        return _article(
            id=f"KB-{code}-EN",
            title=title,
            kind=Kind.PRODUCT,
            category=promotion.category,
            products=products,
            tags=(*(t for t in promotion.tags if t.isascii()), "promotion"),
            language=Language.EN,
            status=Status.PUBLISHED,
            valid_from=promotion.valid_from,
            valid_to=promotion.valid_to,
            summary=f"{promotion.body_en[0]} {window_en}",
            body=body,
        )
    body = window_zh + f"活动编码：{code}。\n\n" + "\n".join(f"- {p}" for p in promotion.body_zh)
    if promotion.products:
        body += "\n\n适用产品：" + "、".join(promotion.products) + "。"
    return _article(
        id=f"KB-{code}",
        title=promotion.zh,
        kind=Kind.PRODUCT,
        category=promotion.category,
        products=products,
        tags=(*promotion.tags, "活动", "优惠"),
        language=Language.ZH,
        status=Status.PUBLISHED,
        valid_from=promotion.valid_from,
        valid_to=promotion.valid_to,
        summary=f"{promotion.body_zh[0]}{window_zh}",
        body=body,
    )


def _entry(entry: Entry) -> Article:
    return _article(
        id=entry.id,
        title=entry.title,
        kind=Kind(entry.kind),
        category=entry.category,
        products=entry.products,
        tags=entry.tags,
        language=Language(entry.language),
        status=Status(entry.status),
        valid_from=entry.valid_from,
        valid_to=entry.valid_to,
        body=entry.body,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ARTICLES_DIR, help="where to write")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on change")
    args = parser.parse_args(argv)
    articles = demo_articles()
    if args.check:
        found = differences(args.out, articles)
        for line in found:
            print(line)
        return 1 if found else 0
    for stale in differences(args.out, articles):
        if stale.startswith("extra "):
            Path(stale.removeprefix("extra ")).unlink()
    paths = write(args.out, articles)
    print(f"{len(paths)} articles written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
