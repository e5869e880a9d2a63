"""The knowledge commands as a user runs them: ``import kb``, ``kb reindex``, ``kb search``; and a
reindex killed half-way, after which a server start leaves a correct index."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from knowledge.markdown_import import dump_article
from knowledge.model import Article, Kind, Status
from switchboard.core.settings import Settings
from tests.e2e.conftest import Cli

DEMO = Path(__file__).resolve().parents[2] / "knowledge" / "demo" / "articles"
DEMO_FILES = len(list(DEMO.glob("**/*.md")))


def write_articles(directory: Path, count: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        article = Article(
            id=f"KB-T-{n:04d}",
            title=f"套餐资费说明 {n} plan tariff note",
            kind=Kind.FAQ if n % 2 else Kind.POLICY,
            body=f"第{n}条：月租、流量和通话分钟数的说明。Monthly fee and data allowance {n}.",
            category="billing/plans",
            products=[f"PLAN-{n % 7}"],  # type: ignore[arg-type]
            status=Status.PUBLISHED,
        )
        (directory / f"t-{n:04d}.md").write_text(dump_article(article), encoding="utf-8")


def test_import_is_idempotent_and_search_works(cli: Cli) -> None:
    cli.run("migrate")
    first = cli.run("import", "kb", str(DEMO))
    n = DEMO_FILES
    assert f"{n} files, {n} created, 0 updated, 0 unchanged, 0 with errors" in first.stdout
    again = cli.run("import", "kb", str(DEMO))
    assert f"0 created, 0 updated, {n} unchanged" in again.stdout
    found = cli.run("kb", "search", "话费退款", "--json", "--limit", "3")
    hits = json.loads(found.stdout)
    assert len(hits) == 3
    assert {"id", "title", "score"} <= set(hits[0])
    assert hits[0]["score"] >= hits[1]["score"] >= hits[2]["score"]
    typo = cli.run("kb", "search", "refnd")
    assert "did you mean: refund" in typo.stdout
    for query in ('&&||**"', "AND OR", "?" * 50, "退款 " * 2000):
        result = cli.run("kb", "search", query, check=False)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr


def test_import_reports_file_and_line_and_keeps_the_good_files(cli: Cli, tmp_path: Path) -> None:
    cli.run("migrate")
    kb = tmp_path / "kb"
    write_articles(kb, 3)
    (kb / "broken.md").write_text("---\nid: KB-X\ntitle: X\nkind: howto\n---\nbody\n")
    (kb / "yaml.md").write_text("---\nid: KB-Y\ntitle: [unclosed\n---\nbody\n")
    (kb / "huge.md").write_text("---\nid: KB-H\ntitle: H\nkind: faq\n---\n" + "字" * 100_001)
    result = cli.run("import", "kb", str(kb), check=False)
    assert result.returncode == 1
    assert f"{kb / 'broken.md'}:4: kind: unknown kind 'howto'" in result.stderr
    assert f"{kb / 'yaml.md'}:" in result.stderr
    assert f"{kb / 'huge.md'}:6: body:" in result.stderr
    assert "3 created" in result.stdout
    assert "Traceback" not in result.stderr
    checked = cli.run("import", "kb", str(kb), "--dry-run", check=False)
    assert "nothing imported" in checked.stdout
    assert cli.run("import", "kb", str(tmp_path / "none"), check=False).returncode == 2


def test_reindex_prints_progress(cli: Cli) -> None:
    cli.run("migrate")
    cli.run("import", "kb", str(DEMO))
    result = cli.run("kb", "reindex")
    lines = result.stdout.splitlines()
    n = DEMO_FILES
    assert lines[:2] == [f"indexed 200/{n}", f"indexed {n}/{n}"]
    assert lines[-1].startswith(f"reindexed {n} articles in ")
    assert json.loads(cli.run("kb", "search", "宽带", "--json").stdout)


def _env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env["SWITCHBOARD_DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        env["SWITCHBOARD_DATABASE_URL"] = settings.database_url
    if settings.database_schema:
        env["SWITCHBOARD_DATABASE_SCHEMA"] = settings.database_schema
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "switchboard", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_a_kill_during_reindex_then_a_start_leaves_a_correct_index(
    settings: Settings, tmp_path: Path
) -> None:
    env = _env(settings)
    _run(env, "migrate")
    kb = tmp_path / "kb"
    write_articles(kb, 700)
    _run(env, "import", "kb", str(kb))
    process = subprocess.Popen(
        [sys.executable, "-m", "switchboard", "kb", "reindex"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    first = ""
    while time.monotonic() < deadline and not first.startswith("indexed "):
        first = process.stdout.readline()
        if not first and process.poll() is not None:
            break
    assert first == "indexed 200/700\n", first
    process.send_signal(signal.SIGKILL)  # mid-way: 200 of 700 written, the next batch under way
    rest, _ = process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    assert "reindexed" not in rest

    async def start_and_check() -> dict[str, Any]:
        from knowledge.api import KB
        from knowledge.store import stamps
        from switchboard.core.http import DATABASE
        from tests.conftest import start_server

        app, server = await start_server(settings)
        try:
            index = app[KB].index
            in_db = await app[DATABASE].read(stamps)
            in_index = await asyncio.to_thread(index.ids_and_stamps)
            result = await app[KB].search("plan tariff", limit=5, today=date.today())
            return {"db": in_db, "index": in_index, "total": result.total}
        finally:
            await server.close()

    seen = asyncio.run(start_and_check())
    assert len(seen["db"]) == 700
    assert seen["index"] == seen["db"]
    assert seen["total"] == 700


def test_an_edited_file_becomes_the_next_version(cli: Cli, tmp_path: Path) -> None:
    cli.run("migrate")
    kb = tmp_path / "kb"
    write_articles(kb, 3)
    cli.run("import", "kb", str(kb))
    edited = kb / "t-0001.md"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("plan tariff note", "roaming pass note"),
        encoding="utf-8",
    )
    result = cli.run("import", "kb", str(kb))
    assert "0 created, 1 updated, 2 unchanged" in result.stdout
    hits = json.loads(cli.run("kb", "search", "roaming pass", "--json").stdout)
    assert [(h["id"], h["version"]) for h in hits] == [("KB-T-0001", 2)]
