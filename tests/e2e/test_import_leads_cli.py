"""``switchboard import leads`` as a process: the report, the exit status, no traceback."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Cli

GOOD = "id,name,phone,source,consent,industry\nL1,王小明,13812345678,web_form,yes,software\n"


def test_import_leads_prints_a_report_and_is_idempotent(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(GOOD + "L2,李雷,not a number,ad,yes,retail\n", encoding="utf-8")
    unmigrated = cli.run("import", "leads", str(path), check=False)
    assert unmigrated.returncode == 1
    assert "run `switchboard migrate`" in unmigrated.stderr
    cli.run("migrate")
    first = cli.run("import", "leads", str(path))
    assert f"{path}:3: phone:" in first.stdout
    assert "2 lines, 2 leads new, 0 updated, 0 rejected" in first.stdout
    again = cli.run("import", "leads", str(path))
    assert "0 leads new, 2 updated" in again.stdout


def test_import_leads_errors_name_the_file_and_line(cli: Cli, tmp_path: Path) -> None:
    cli.run("migrate")
    missing = cli.run("import", "leads", str(tmp_path / "nope.csv"), check=False)
    assert missing.returncode == 1
    assert "cannot read" in missing.stdout
    path = tmp_path / "leads.csv"
    path.write_text("name,phone\n王小明,13812345678\n", encoding="utf-8")
    result = cli.run("import", "leads", str(path), check=False)
    assert result.returncode == 1
    assert f"{path}:1: id: required column missing" in result.stdout
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rules]]\nid = "x"\npoints = "many"\nevent = "h5_open"\n')
    path.write_text(GOOD, encoding="utf-8")
    result = cli.run("import", "leads", str(path), "--rules", str(rules), check=False)
    assert result.returncode == 2
    assert "rules[0].points" in result.stdout
    for run in (missing, result):
        assert "Traceback" not in run.stderr
