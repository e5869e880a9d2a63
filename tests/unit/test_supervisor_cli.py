"""`switchboard supervisor` opens the wallboard with the supervisor's token, or says what to do."""

from __future__ import annotations

import pytest

import console.wallboard.app
from switchboard.cli import main


def test_without_a_token_it_says_how_to_make_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SWITCHBOARD_TOKEN", raising=False)
    assert main(["supervisor"]) == 2
    assert "token create --role supervisor" in capsys.readouterr().err


def test_it_opens_the_board_on_the_server_of_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[tuple[str, str]] = []
    monkeypatch.setattr(
        console.wallboard.app, "run_wallboard", lambda url, token: opened.append((url, token))
    )
    monkeypatch.setenv("SWITCHBOARD_TOKEN", "sb_from_env")
    monkeypatch.setenv("SWITCHBOARD_PORT", "18123")
    assert main(["supervisor"]) == 0
    assert main(["supervisor", "--server", "http://10.0.0.5:8080", "--token", "sb_flag"]) == 0
    assert opened == [
        ("http://127.0.0.1:18123", "sb_from_env"),
        ("http://10.0.0.5:8080", "sb_flag"),
    ]
