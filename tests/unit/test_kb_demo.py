"""The demo knowledge base: it reads cleanly, it is varied, and the files match the generator."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from knowledge.demo import DEMO_DIR, load_demo
from knowledge.demo.generate import demo_articles, differences, write
from knowledge.markdown_import import ImportReport
from knowledge.model import Kind, Language, Status, is_visible

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo() -> ImportReport:
    return load_demo()


def test_the_demo_reads_without_problems(demo: ImportReport) -> None:
    assert demo.problems == []
    assert len(demo.articles) >= 300
    assert demo.files == len(demo.articles)


def test_every_kind_and_both_languages(demo: ImportReport) -> None:
    kinds = Counter(a.kind for a in demo.articles)
    languages = Counter(a.language for a in demo.articles)
    assert set(kinds) == set(Kind)
    assert languages[Language.ZH] >= 150
    assert languages[Language.EN] >= 80
    assert languages[Language.MIXED] >= 5


def test_promotions_come_and_go(demo: ImportReport) -> None:
    dated = [a for a in demo.articles if a.valid_to is not None]
    assert any(
        not is_visible(a, TODAY) and a.valid_to is not None and a.valid_to < TODAY for a in dated
    )  # expired
    assert any(is_visible(a, TODAY) for a in dated)  # running
    assert any(a.valid_from is not None and a.valid_from > TODAY for a in dated)  # not yet
    assert any(a.status == Status.DRAFT for a in demo.articles)
    assert any(a.status == Status.ARCHIVED for a in demo.articles)


def test_product_codes_are_used(demo: ImportReport) -> None:
    codes = {p for a in demo.articles for p in a.products}
    assert {"5G-PLUS-199", "TX-1001", "ROAM-ASIA-25", "IOT-WATCH-10"} <= codes


def test_articles_are_not_one_template(demo: ImportReport) -> None:
    bodies = [a.body for a in demo.articles]
    assert len(set(bodies)) == len(bodies)
    titles = [a.title for a in demo.articles]
    assert len(set(titles)) == len(titles)
    # Most articles do not share their opening line with any other.
    openings = Counter(b.splitlines()[0] for b in bodies)
    assert sum(1 for b in bodies if openings[b.splitlines()[0]] == 1) > 0.8 * len(bodies)


def test_the_committed_files_are_the_generators_output() -> None:
    assert differences(DEMO_DIR, demo_articles()) == []


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    write(tmp_path / "a", demo_articles())
    write(tmp_path / "b", demo_articles())
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.md")}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.md")}
    assert a == b


def test_the_demo_is_small_enough_to_commit() -> None:
    size = sum(p.stat().st_size for p in DEMO_DIR.rglob("*.md"))
    assert size < 2 * 1024 * 1024
