"""``switchboard report``: bad options and bad targets files are one line naming what is wrong,
before any database is touched."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from switchboard.core.settings import Settings
from switchboard.report_cli import ReportError, run


def args(**given: object) -> argparse.Namespace:
    base: dict[str, object] = {
        "kind": "leaderboard",
        "start": None,
        "end": None,
        "interval": 30,
        "format": "csv",
        "by": "team",
        "sort": "answered",
        "figures": None,
        "targets": None,
    }
    return argparse.Namespace(**{**base, **given})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", database_url=None, database_schema=None)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"sort": "conversions"}, "--sort: one of answered, aht_s, fcr, occupancy, service_level"),
        ({"figures": "answered,speed"}, "--figures: 'speed' is not one of"),
        ({"kind": "targets"}, "report targets: give --targets FILE"),
        ({"start": "monday"}, "--from: a date and time like"),
    ],
)
def test_bad_options_are_refused(
    settings: Settings, given: dict[str, object], message: str
) -> None:
    with pytest.raises(ReportError) as refused:
        run(args(**given), settings)
    assert str(refused.value).startswith(message)
    assert not (settings.data_dir / "switchboard.db").exists()


def test_a_bad_targets_file_names_the_file_and_line(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "目标.toml"
    path.write_text('[region."华东"]\nfcr = ">= 70%"\naht_s = "<= 300%"\n', encoding="utf-8")
    with pytest.raises(
        ReportError, match=r"目标\.toml:3: region\.华东\.aht_s: aht_s is not a share"
    ):
        run(args(targets=str(path)), settings)
    with pytest.raises(ReportError, match=r"missing\.toml: cannot read"):
        run(args(targets=str(tmp_path / "missing.toml")), settings)
