"""`switchboard import customers` and `export customers` from the command line, both backends.

The acceptance case: a CSV with 10% bad rows imports the good rows, reports each bad row with
its line, field and reason, and a second run changes nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from switchboard.cli import main
from switchboard.core.settings import Settings

GOOD = 45
BAD_ROWS = {  # data line index (0-based among data rows) -> (field, cells patch, reason part)
    3: ("phone", {"手机": "n/a"}, "not a phone number"),
    11: ("name", {"姓名": ""}, "missing"),
    19: ("email", {"邮箱": "not-an-email"}, "not an email"),
    27: ("credit_code", {"统一社会信用代码": "12345"}, "18-character"),
    35: ("do_not_call", {"拒绝来电": "maybe"}, "yes/no"),
}
HEADERS = [
    "客户编号",
    "姓名",
    "手机",
    "邮箱",
    "省份",
    "城市",
    "标签",
    "统一社会信用代码",
    "拒绝来电",
]


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key in ("SWITCHBOARD_CONFIG", "SWITCHBOARD_DATABASE_URL", "SWITCHBOARD_DATABASE_SCHEMA"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(settings.data_dir))
    if settings.database_url:
        monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", settings.database_url)
    if settings.database_schema:
        monkeypatch.setenv("SWITCHBOARD_DATABASE_SCHEMA", settings.database_schema)
    assert main(["migrate"]) == 0
    return settings


def _rows() -> list[dict[str, str]]:
    rows = []
    for i in range(GOOD + len(BAD_ROWS)):
        row = {
            "客户编号": f"CRM-{i:04d}",
            "姓名": f"测试客户{i}",
            "手机": f"+86 139 {i:04d} {i:04d}",
            "邮箱": f"user{i}@example.cn",
            "省份": "广东省",
            "城市": "深圳市",
            "标签": "5G;宽带" if i % 2 else "",
            "统一社会信用代码": "",
            "拒绝来电": "否",
        }
        if i in BAD_ROWS:
            row.update(BAD_ROWS[i][1])
        rows.append(row)
    return rows


def _write_csv(path: Path, rows: list[dict[str, str]], headers: list[str] = HEADERS) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=headers)
        writer.writeheader()
        writer.writerows(rows)


def test_bad_rows_reported_good_rows_in_and_a_second_run_changes_nothing(
    env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "客户.csv"
    _write_csv(source, _rows())
    report = tmp_path / "problems.csv"
    assert main(["import", "customers", str(source), "--report", str(report)]) == 1
    out = capsys.readouterr().out
    assert f"{GOOD + len(BAD_ROWS)} rows: {GOOD} added, 0 updated, 0 unchanged, 5 invalid" in out
    with report.open(encoding="utf-8-sig") as f:
        problems = list(csv.DictReader(f))
    assert len(problems) == len(BAD_ROWS)
    for problem, (index, (field, _patch, reason)) in zip(
        problems, sorted(BAD_ROWS.items()), strict=True
    ):
        assert problem["line"] == str(index + 2)  # the header is line 1
        assert problem["field"] == field
        assert reason in problem["reason"]
        assert f"客户.csv:{index + 2}: {field}: " in out

    assert main(["import", "customers", str(source)]) == 1
    again = capsys.readouterr().out
    assert f"{GOOD} unchanged, 5 invalid" in again
    assert "0 added, 0 updated" in again

    # fixing a bad row adds just that customer; the rest stays unchanged
    fixed = _rows()
    fixed[3]["手机"] = "13900030003"
    _write_csv(source, fixed)
    main(["import", "customers", str(source)])
    assert "1 added, 0 updated, 45 unchanged, 4 invalid" in capsys.readouterr().out


def test_xlsx_with_a_mapping_file_and_matching_by_phone(
    env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Kunde", "Firma", "Telefon", "备注"])
    sheet.append(["张伟", "深圳云帆科技有限公司", 13812345678, "x"])
    sheet.append(["李娜", "", "021-6888 1234", ""])
    path = tmp_path / "kunden.xlsx"
    book.save(path)
    mapping = tmp_path / "map.yaml"
    mapping.write_text("Kunde: name\nFirma: company\nTelefon: phone\n", encoding="utf-8")
    assert main(["import", "customers", str(path), "--map", str(mapping)]) == 0
    assert "2 added" in capsys.readouterr().out

    # the same people by another sheet: matched on the phone number, whatever its shape
    again = tmp_path / "again.csv"
    again.write_text("姓名,手机\n李娜,+86 21 6888 1234\n", encoding="utf-8")
    assert main(["import", "customers", str(again)]) == 0
    assert "0 added, 0 updated, 1 unchanged" in capsys.readouterr().out

    export = tmp_path / "out.csv"
    assert main(["export", "customers", str(export)]) == 0
    with export.open(encoding="utf-8-sig") as f:
        exported = list(csv.DictReader(f))
    company = next(r for r in exported if r["kind"] == "enterprise")
    assert company["company"] == "深圳云帆科技有限公司"
    assert company["name"] == "张伟"
    assert company["phone"] == "+86 138 1234 5678"
    capsys.readouterr()
    # an export imports again without changing anything
    assert main(["import", "customers", str(export)]) == 0
    assert "0 added, 0 updated, 2 unchanged" in capsys.readouterr().out


def test_a_file_without_a_name_column_is_refused(
    env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    assert main(["import", "customers", str(path)]) == 2
    assert "no name column" in capsys.readouterr().err


def test_segments_refresh_reports_progress_and_is_incremental(
    env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from switchboard.demo.seed import seed_demo

    asyncio.run(seed_demo(env, count=120))  # seeding ends with a full refresh
    capsys.readouterr()
    assert main(["segments", "refresh"]) == 0
    captured = capsys.readouterr()
    assert "incremental refresh: 0 customers re-aggregated" in captured.out
    assert "rules kept" in captured.out
    assert "scores: " in captured.err  # one plain progress line per step off a terminal
    assert main(["segments", "refresh", "--full"]) == 0
    captured = capsys.readouterr()
    assert "full refresh: " in captured.out
    assert "0 customers re-aggregated" not in captured.out
    rule = '{"all": [{"field": "churn_level", "op": "in", "value": ["low", "medium", "high"]}]}'
    assert main(["segments", "add", "everyone scored", "--rule", rule]) == 0
    assert "members" in capsys.readouterr().out
    assert main(["segments", "list"]) == 0
    assert "everyone scored" in capsys.readouterr().out
    assert main(["segments", "add", "bad", "--rule", '{"field": "x"}']) == 1
    assert "rule.field" in capsys.readouterr().err


def test_a_shared_number_does_not_merge_two_people(
    env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    family = tmp_path / "family.csv"
    family.write_text(
        "姓名,手机,座机\n张伟,13800000001,010-6666 8888\n李娜,13800000002,(010) 6666-8888\n"
        "王芳,,010 6666 8888\n",
        encoding="utf-8",
    )
    assert main(["import", "customers", str(family)]) == 0
    assert "3 added" in capsys.readouterr().out
    assert main(["import", "customers", str(family)]) == 0
    assert "0 added, 0 updated, 3 unchanged" in capsys.readouterr().out
    # the landline alone, with a name: that person; with an unknown name: someone new
    more = tmp_path / "more.csv"
    more.write_text("姓名,座机,邮箱\n李娜,+86 10 6666 8888,lina@example.cn\n", encoding="utf-8")
    assert main(["import", "customers", str(more)]) == 0
    assert "0 added, 1 updated" in capsys.readouterr().out
    more.write_text("姓名,座机\n赵磊,+86 10 6666 8888\n", encoding="utf-8")
    assert main(["import", "customers", str(more)]) == 0
    assert "1 added" in capsys.readouterr().out
    # an external id that differs marks a different customer, whatever the number
    ids = tmp_path / "ids.csv"
    ids.write_text("编号,姓名,手机\nX-1,张伟,13800000001\nX-2,张伟,13800000001\n", encoding="utf-8")
    assert main(["import", "customers", str(ids)]) == 0
    assert "1 added, 1 updated" in capsys.readouterr().out


def test_a_reimport_that_adds_a_number_makes_it_searchable(
    env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from customers import search
    from switchboard.core.db import Database

    first = tmp_path / "first.csv"
    first.write_text("客户编号,姓名,手机\nCRM-7,周杰,13912340001\n", encoding="utf-8")
    assert main(["import", "customers", str(first)]) == 0
    second = tmp_path / "second.csv"
    second.write_text(
        "客户编号,姓名,手机,邮箱\nCRM-7,周杰,13912340001;13700007777,zhou@example.cn\n",
        encoding="utf-8",
    )
    assert main(["import", "customers", str(second)]) == 0
    assert "1 updated" in capsys.readouterr().out

    async def find(query: str) -> list[str]:
        database = Database(env)
        try:
            hits = await database.read(lambda conn: search.search(conn, query))
        finally:
            await database.close()
        return [hit["name"] for hit in hits]

    assert asyncio.run(find("13700007777")) == ["周杰"]
    assert asyncio.run(find("zhou@example.cn")) == ["周杰"]
