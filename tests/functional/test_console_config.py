"""Console settings: TOML file, environment on top, a rebound key works, palette and theme."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.agent_app import AgentConsoleApp
from console.config import ConsoleConfig, config_path, load_config
from console.feed import FeedSink
from tests.functional.conftest import SIZE, wait_for_text


class SilentFeed:
    """A feed that never says anything: the console without a server."""

    async def run(self, sink: FeedSink) -> None:
        return None


def test_config_path_follows_the_environment(tmp_path: Path) -> None:
    assert config_path({"SWITCHBOARD_CONSOLE_CONFIG": "/x/c.toml"}) == Path("/x/c.toml")
    home = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert config_path(home) == tmp_path / "switchboard" / "console.toml"


def test_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "console.toml"
    path.write_text(
        'language = "zh"\ntheme = "textual-light"\n'
        '[keymap]\n"console.available" = "f12"\n"console.not_ready" = "ctrl+n"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert (config.language, config.theme) == ("zh", "textual-light")
    assert config.keymap == {"console.available": "f12", "console.not_ready": "ctrl+n"}
    monkeypatch.setenv("SWITCHBOARD_CONSOLE__KEYMAP", '{"console.available": "f11"}')
    monkeypatch.setenv("SWITCHBOARD_CONSOLE__LANGUAGE", "en")
    config = load_config(path)
    # The environment wins key by key; bindings it does not name keep the file's keys.
    assert config.keymap == {"console.available": "f11", "console.not_ready": "ctrl+n"}
    assert config.language == "en"


def test_a_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "none.toml")
    assert config.theme == "textual-dark"
    assert "lunch" in config.break_reasons


def test_a_bad_language_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "console.toml"
    path.write_text('language = "fr"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="language"):
        load_config(path)


async def test_a_rebound_key_runs_its_action_and_the_footer_says_so() -> None:
    config = ConsoleConfig(language="en", keymap={"console.show_knowledge": "f12"})
    app = AgentConsoleApp(SilentFeed(), agent_id="a-1", config=config)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for_text(pilot, "f12 Knowledge")
        await pilot.press("f4")  # the old key no longer does it
        assert app.pane == "caller"
        await pilot.press("f12")
        assert app.pane == "work"
        assert app.focused is app.query_one("#kb-query")


async def test_chinese_interface_and_light_theme_from_the_config() -> None:
    config = ConsoleConfig(language="zh", theme="textual-light")
    app = AgentConsoleApp(SilentFeed(), agent_id="a-1", config=config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "无通话", "退出", "知识库")
        assert app.theme == "textual-light"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-dark"


async def test_the_command_palette_offers_the_console_actions() -> None:
    app = AgentConsoleApp(SilentFeed(), agent_id="a-1", config=ConsoleConfig(language="en"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        for key in "Knowl":
            await pilot.press(key)
        await wait_for_text(pilot, "Knowledge")
        await pilot.press("enter")
        await wait_for_text(pilot, "Search the knowledge base")
        assert app.pane == "work"


async def test_chinese_labels_and_values_line_up_in_cells() -> None:
    """客户 is four cells, 联系人 six, 流失风险 eight: the values still start in one column."""
    from tests.functional.conftest import cell_column, known_pop, screen_lines
    from tests.functional.fake_api import MemoryApi, ScriptedFeed

    pop = {**known_pop(), "id": 1}
    app = AgentConsoleApp(
        ScriptedFeed([pop]), agent_id="a-1001", api=MemoryApi(), config=ConsoleConfig(language="zh")
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_text(pilot, "流失风险", "联系人    张伟")
        lines = screen_lines(app)
        card = {
            label: next(line for line in lines if f"│ {label}" in line)
            for label in ("客户", "联系人", "城市")
        }
        values = {"客户": "深圳市腾达科技有限公司", "联系人": "张伟", "城市": "深圳"}
        assert len({cell_column(card[k], values[k]) for k in card}) == 1
        profile = {
            label: next(line for line in lines if line.startswith(label))
            for label in ("客户", "行业", "流失风险")
        }
        values = {"客户": "深圳市腾达科技有限公司", "行业": "电子制造", "流失风险": "high"}
        assert len({cell_column(profile[k], values[k]) for k in profile}) == 1
