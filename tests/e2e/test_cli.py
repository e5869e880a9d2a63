"""The command line: clear one-line errors, never a traceback."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Cli


def test_migrate_twice(cli: Cli) -> None:
    first = cli.run("migrate")
    assert "migrated from empty to" in first.stdout
    assert "up to date" in cli.run("migrate").stdout


def test_token_create_prints_the_token_alone(cli: Cli) -> None:
    cli.run("migrate")
    result = cli.run("token", "create", "--role", "cti", "--name", "pbx1")
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("sb_")
    assert len(lines[0]) > 40


def test_token_errors_name_the_problem(cli: Cli) -> None:
    cli.run("migrate")
    result = cli.run("token", "create", "--role", "agent", "--name", "x", check=False)
    assert result.returncode == 1
    assert "needs --agent" in result.stderr
    assert "Traceback" not in result.stderr
    result = cli.run(
        "token", "create", "--role", "agent", "--name", "x", "--agent", "ghost", check=False
    )
    assert "no agent 'ghost'" in result.stderr


def test_serve_refuses_an_unmigrated_database(cli: Cli) -> None:
    result = cli.run("serve", "--port", "0", check=False)
    assert result.returncode == 1
    assert "run `switchboard migrate`" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_config_file_names_file(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "switchboard.toml"
    config.write_text('port = "eighty"\n')
    result = cli.run("migrate", check=False, env={**cli.env, "SWITCHBOARD_CONFIG": str(config)})
    assert result.returncode == 2
    assert str(config) in result.stderr
    assert "port" in result.stderr
    config.write_text("port = \n")
    result = cli.run("migrate", check=False, env={**cli.env, "SWITCHBOARD_CONFIG": str(config)})
    assert result.returncode == 2
    assert str(config) in result.stderr
    assert "Traceback" not in result.stderr


def test_config_file_is_read(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "switchboard.toml"
    config.write_text(f'data_dir = "{tmp_path / "elsewhere"}"\n')
    env = {k: v for k, v in cli.env.items() if k != "SWITCHBOARD_DATA_DIR"}
    cli.run("migrate", env={**env, "SWITCHBOARD_CONFIG": str(config)})
    assert (tmp_path / "elsewhere" / "switchboard.db").exists()


def test_erlang_published_example(cli: Cli) -> None:
    import json

    result = cli.run(
        "erlang", "--calls", "360", "--interval", "1800", "--aht", "240", "--agents", "54", "--json"
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["agents"] == 54
    assert round(figures["service_level"], 3) == 0.817
    assert round(figures["asa"], 1) == 12.1
    assert round(figures["p_wait"], 3) == 0.301
    assert round(figures["occupancy"], 3) == 0.889
    sized = json.loads(
        cli.run(
            "erlang",
            "--calls",
            "360",
            "--interval",
            "1800",
            "--aht",
            "240",
            "--target-sl",
            "0.8",
            "--json",
        ).stdout
    )
    assert sized["agents"] == 54


def test_erlang_refuses_an_overloaded_queue(cli: Cli) -> None:
    result = cli.run(
        "erlang",
        "--calls",
        "360",
        "--interval",
        "1800",
        "--aht",
        "240",
        "--agents",
        "40",
        check=False,
    )
    assert result.returncode == 2
    assert "grows without bound" in result.stderr
    assert "Traceback" not in result.stderr


def test_flows_check_names_file_and_line(cli: Cli, tmp_path: Path) -> None:
    demo = Path(__file__).resolve().parents[2] / "knowledge" / "demo" / "flows"
    assert cli.run("flows", "check", str(demo)).returncode == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "id: x\nversion: 1\ntitle: t\nlanguage: zh\nstart: a\nnodes:\n"
        "  a:\n    kind: question\n    text: hi\n    answer: yes_no\n    var: ok\n"
        "    next: nowhere\n"
    )
    result = cli.run("flows", "check", str(broken), check=False)
    assert result.returncode == 1
    assert f"{broken}:12: unknown-target" in result.stdout


def test_demo_feed_names_the_token_it_lacks(cli: Cli) -> None:
    """The feed follows the agent's state, so it needs the agent's token as well."""
    env = {k: v for k, v in cli.env.items() if k != "SWITCHBOARD_AGENT_TOKEN"}
    env["SWITCHBOARD_TOKEN"] = "sb_cti_token"
    args = ("demo-feed", "--server", "http://127.0.0.1:9", "--agent", "a-1001")
    result = cli.run(*args, check=False, env=env)
    assert result.returncode == 2
    assert "SWITCHBOARD_AGENT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
