"""Settings: defaults serve the demo; variables and the TOML file override them."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.core.settings import ConfigError, Settings, load_settings


def test_defaults_serve_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SWITCHBOARD_DATA_DIR", "SWITCHBOARD_DATABASE_URL", "SWITCHBOARD_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert (settings.host, settings.port, settings.default_region) == ("127.0.0.1", 8080, "CN")
    assert settings.resolved_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.resolved_database_url.endswith("var/switchboard.db")
    assert settings.is_sqlite


@pytest.mark.parametrize(
    ("given", "resolved"),
    [
        ("postgresql://u@db:5432/sb", "postgresql+asyncpg://u@db:5432/sb"),
        ("postgres://u@db/sb", "postgresql+asyncpg://u@db/sb"),
        ("postgresql+asyncpg://u@db/sb", "postgresql+asyncpg://u@db/sb"),
        ("sqlite:////srv/sb.db", "sqlite+aiosqlite:////srv/sb.db"),
    ],
)
def test_database_urls_get_their_async_driver(given: str, resolved: str) -> None:
    assert Settings(database_url=given).resolved_database_url == resolved


def test_environment_beats_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "sb.toml"
    config.write_text('port = 9000\ndefault_region = "hk"\n')
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(config))
    monkeypatch.setenv("SWITCHBOARD_PORT", "9100")
    settings = load_settings()
    assert (settings.port, settings.default_region) == (9100, "HK")


def test_unknown_key_in_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "sb.toml"
    config.write_text("prot = 9000\n")
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(config))
    with pytest.raises(ConfigError, match="prot"):
        load_settings()


def test_missing_file_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_CONFIG", "/nonexistent/sb.toml")
    with pytest.raises(ConfigError, match=r"/nonexistent/sb\.toml"):
        load_settings()
