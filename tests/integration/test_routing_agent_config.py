"""Configuring routing over HTTP on both backends: an agent's skills, languages, team and
channels with capacity take effect in the engine at once; states with durations, timed
wrap-up, and contradictory states refused naming the field; queues loaded all together from
a file (CLI and API) with file, line and field for what is wrong."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from routing.service import ROUTING, RoutingService
from switchboard.core.clock import ManualClock
from tests.conftest import LiveServer


def routing(live: LiveServer) -> RoutingService:
    return live.app[ROUTING]


async def make(live: LiveServer, admin: str, agent_id: str, **spec: Any) -> None:
    status, body = await live.call(
        "POST", "/api/v1/agents", admin, json={"id": agent_id, "name": agent_id, **spec}
    )
    assert status == 201, body


async def test_skills_languages_team_and_capacity_reach_the_engine(
    live: LiveServer, admin: str
) -> None:
    await make(live, admin, "wang", skills={"billing": 3})
    status, _ = await live.call(
        "POST", "/api/v1/queues", admin, json={"id": "billing", "skills": {"billing": 2}}
    )
    assert status == 201
    await routing(live).sync_agents()

    status, body = await live.call(
        "PUT", "/api/v1/agents/wang/skills", admin, json={"skills": {"billing": 5, "sales": 2}}
    )
    assert (status, body["error"]["field"]) == (400, "skills.sales"), body
    status, body = await live.call(
        "PUT", "/api/v1/agents/wang/skills", admin, json={"skills": {"billing": 5}}
    )
    assert (status, body["skills"]) == (200, {"billing": 5})
    status, body = await live.call(
        "PUT",
        "/api/v1/agents/wang/skills",
        admin,
        json={"skills": {"billing": 5, "sales": 2}, "force": True},
    )
    assert status == 200, body
    change = {
        "languages": ["zh", "EN"],
        "team": "backoffice",
        "capacity": {"voice": 1, "ticket": 4, "chat": 2},
        "exclusive": ["voice", "chat"],
    }
    status, body = await live.call("PATCH", "/api/v1/agents/wang", admin, json=change)
    assert status == 200, body
    assert (body["capacity"], body["exclusive"], body["team"]) == (
        {"voice": 1, "ticket": 4, "chat": 2},
        ["chat", "voice"],
        "backoffice",
    )
    engine_agent = routing(live).engine.agent("wang")
    assert dict(engine_agent.skills) == {"billing": 5, "sales": 2}
    assert engine_agent.languages == frozenset({"zh", "en"})
    assert dict(engine_agent.capacity) == {"voice": 1, "ticket": 4, "chat": 2}
    assert engine_agent.exclusive == frozenset({"voice", "chat"})
    assert engine_agent.team == "backoffice"

    for path, body, code, field in (
        ("/api/v1/agents/wang", {"capacity": {"fax": 1}}, 400, "capacity"),
        ("/api/v1/agents/wang", {"capacity": {"voice": 2}}, 400, "capacity"),
        ("/api/v1/agents/wang", {"exclusive": ["email"]}, 400, "exclusive.0"),
        ("/api/v1/agents/wang", {"languages": ["中文"]}, 400, "languages"),
        ("/api/v1/agents/wang", {"skills": {"billing": 6}}, 400, "skills"),
        ("/api/v1/agents/wang", {"shoe_size": 42}, 400, "shoe_size"),
        ("/api/v1/agents/nobody", {"team": "x"}, 404, "id"),
    ):
        status, answer = await live.call("PATCH", path, admin, json=body)
        assert (status, answer["error"]["field"]) == (code, field), (body, answer)
    status, answer = await live.call(
        "PUT", "/api/v1/agents/nobody/skills", admin, json={"skills": {"billing": 1}}
    )
    assert (status, answer["error"]["field"]) == (404, "id")


async def test_states_have_durations_wrap_up_is_timed_and_contradictions_are_refused(
    settings: Any,
) -> None:
    from datetime import UTC, datetime

    import aiohttp

    from tests.conftest import start_server

    clock = ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    app, server = await start_server(settings, clock)
    try:
        async with aiohttp.ClientSession() as session:
            live = LiveServer(app, server, session, settings)
            admin = await live.token("admin", "ops")
            await make(live, admin, "li", skills={"billing": 3})
            token = await live.token("agent", "console-li", "li")

            async def choose(body: dict[str, Any]) -> tuple[int, Any]:
                return await live.call("POST", "/api/v1/agents/li/state", token, json=body)

            for body, code, field in (
                ({"state": "sleeping"}, 400, "state"),
                ({"state": "available", "reason": "lunch"}, 400, "reason"),
                ({"state": "break", "seconds": 30}, 400, "seconds"),
                ({"state": "wrap_up", "seconds": 30}, 409, "state"),  # offline
                ({"state": "on_call"}, 409, "state"),
                ({"state": "reserved"}, 409, "state"),
            ):
                status, answer = await choose(body)
                assert (status, answer["error"]["field"]) == (code, field), (body, answer)

            status, view = await choose({"state": "available"})
            assert (status, view["state"], view["state_duration_s"]) == (200, "available", 0.0)
            clock.advance(90)
            status, view = await live.call("GET", "/api/v1/agents/li", admin)
            assert view["state_duration_s"] == 90.0
            status, answer = await choose({"state": "wrap_up"})
            assert (status, answer["error"]["field"]) == (400, "seconds")
            status, view = await choose({"state": "wrap_up", "seconds": 30})
            assert (status, view["state"]) == (200, "wrap_up")
            assert view["state_until"] == "2026-03-02T01:02:00+00:00"
            service = routing(live)
            assert service.engine.agent("li").state == "wrap_up"
            clock.advance(29)
            await service.tick()
            assert service.engine.agent("li").state == "wrap_up"
            clock.advance(1)
            await service.tick()
            status, view = await live.call("GET", "/api/v1/agents/li", admin)
            assert (view["state"], view["state_until"]) == ("available", None)

            status, view = await choose({"state": "break", "reason": "午饭"})
            assert (status, view["state"], view["state_reason"]) == (200, "break", "午饭")
            status, view = await live.call("GET", "/api/v1/agents", admin)
            assert [(a["id"], a["state_duration_s"]) for a in view["agents"]] == [("li", 0.0)]
    finally:
        await server.close()


QUEUES_FILE = """\
[[queues]]
id = "general"

[[queues]]
id = "billing"
skills = { billing = 3 }
overflow_to = "general"
overflow_after_s = 120
"""


async def test_queues_load_all_or_nothing_with_the_field(live: LiveServer, admin: str) -> None:
    await make(live, admin, "wang", skills={"billing": 3})
    good = {
        "queues": [
            {"id": "general"},
            {
                "id": "billing",
                "skills": {"billing": 3},
                "overflow_to": "general",
                "overflow_after_s": 120,
            },
        ]
    }
    status, body = await live.call("PUT", "/api/v1/queues", admin, json=good)
    assert (status, body["queues"]) == (200, ["general", "billing"]), body
    assert routing(live).queue_ids() == frozenset({"general", "billing"})

    for queues, field in (
        ([{"id": "a"}, {"id": "b", "skills": {"biling": 3}}], "queues.1.skills.biling"),
        ([{"id": "a"}, {"id": "b", "strategy": "fastest"}], "queues.1.strategy"),
        ([{"id": "a", "overflow_to": "zz", "overflow_after_s": 5}], "queues.0.overflow_to"),
        ([{"id": "a"}, {"id": "a"}], "queues.1.id"),
    ):
        status, body = await live.call("PUT", "/api/v1/queues", admin, json={"queues": queues})
        assert (status, body["error"]["field"]) == (400, field), (queues, body)
    status, body = await live.call("GET", "/api/v1/queues", admin)
    assert [q["id"] for q in body["queues"]] == ["billing", "general"]  # nothing stored


async def _cli(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "switchboard",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_queues_cli_list_show_and_load(live: LiveServer, admin: str, tmp_path: Path) -> None:
    import os

    await make(live, admin, "wang", skills={"billing": 3})
    env = {**os.environ, "SWITCHBOARD_TOKEN": admin, "PYTHONPATH": os.getcwd()}
    path = tmp_path / "queues.toml"
    path.write_text(QUEUES_FILE, encoding="utf-8")
    code, out, err = await _cli("queues", "--server", live.url, "load", str(path), env=env)
    assert code == 0, err
    assert "2 queue(s) stored: general, billing" in out
    code, out, err = await _cli("queues", "--server", live.url, "list", env=env)
    assert code == 0, err
    assert [line.split()[0] for line in out.splitlines()] == ["QUEUE", "billing", "general"]
    code, out, err = await _cli("queues", "--server", live.url, "show", "billing", env=env)
    assert code == 0, err
    assert '"overflow_to": "general"' in out

    # The server's objection (no agent has the skill) comes back with the file's line.
    path.write_text(QUEUES_FILE.replace("billing = 3", "biling = 3"), encoding="utf-8")
    code, out, err = await _cli("queues", "--server", live.url, "load", str(path), env=env)
    assert code == 1
    assert f"{path}:6: queues.1.skills.biling: no agent has skill 'biling'" in err, err
    # A problem of the file alone is found without a server.
    path.write_text(QUEUES_FILE.replace('id = "general"', 'id = "general"\nstrategy = "x"'))
    code, out, err = await _cli("queues", "load", "--check", str(path), env=env)
    assert code == 2
    assert f"{path}:3: queues.0.strategy:" in err, err


AGENTS_FILE = """\
[[agents]]
id = "wang"
name = "王芳"
skills = { billing = 5 }
languages = ["zh"]
capacity = { voice = 1, ticket = 3 }

[[agents]]
id = "li"
name = "李娜"
skills = { billing = 3 }
"""


async def test_agents_cli_load_set_state_and_list(
    live: LiveServer, admin: str, tmp_path: Path
) -> None:
    import os

    env = {**os.environ, "SWITCHBOARD_TOKEN": admin, "PYTHONPATH": os.getcwd()}
    server = ("agents", "--server", live.url)
    path = tmp_path / "agents.toml"
    path.write_text(AGENTS_FILE, encoding="utf-8")
    code, out, err = await _cli(*server, "load", str(path), env=env)
    assert code == 0, err
    assert out.strip() == f"{path}: created 2, updated 0"
    path.write_text(AGENTS_FILE.replace("ticket = 3", "ticket = 4"), encoding="utf-8")
    code, out, err = await _cli(*server, "load", str(path), env=env)
    assert out.strip() == f"{path}: created 0, updated 2", err
    await routing(live).sync_agents()
    assert dict(routing(live).engine.agent("wang").capacity) == {"voice": 1, "ticket": 4}

    code, out, err = await _cli(*server, "set", "li", "--skills", "billing=4", env=env)
    assert code == 0, err
    assert dict(routing(live).engine.agent("li").skills) == {"billing": 4}
    code, out, err = await _cli(*server, "set", "li", "--skills", "bilin=4", env=env)
    assert code == 1
    assert "unknown skill 'bilin'" in err
    assert "(skills.bilin)" in err
    code, out, err = await _cli(
        *server, "--json", "state", "li", "break", "--reason", "培训", env=env
    )
    assert code == 0, err
    assert '"state_reason": "培训"' in out
    code, out, err = await _cli(*server, "list", env=env)
    assert [line.split()[:2] for line in out.splitlines()[1:]] == [
        ["li", "break"],
        ["wang", "offline"],
    ]

    # A bad file: every problem with its line and field, nothing sent.
    path.write_text(
        AGENTS_FILE.replace("billing = 5", "billing = 9").replace('id = "li"', 'id = "li li"'),
        encoding="utf-8",
    )
    code, out, err = await _cli(*server, "load", str(path), env=env)
    assert code == 2
    assert f"{path}:4: agents.0.skills:" in err
    assert f"{path}:9: agents.1.id:" in err


async def test_an_agents_region_is_created_changed_cleared_and_checked(
    live: LiveServer, admin: str
) -> None:
    import os

    await make(live, admin, "li", team="shanghai-1", region="华东")
    status, body = await live.call("GET", "/api/v1/agents/li", admin)
    assert (status, body["team"], body["region"]) == (200, "shanghai-1", "华东")
    status, body = await live.call("PATCH", "/api/v1/agents/li", admin, json={"region": "华南"})
    assert (status, body["region"], body["team"]) == (200, "华南", "shanghai-1")
    status, body = await live.call("PATCH", "/api/v1/agents/li", admin, json={"region": ""})
    assert (status, body["region"]) == (200, None)
    env = {**os.environ, "SWITCHBOARD_TOKEN": admin, "PYTHONPATH": os.getcwd()}
    code, out, err = await _cli(
        "agents", "--server", live.url, "--json", "set", "li", "--region", "华北", env=env
    )
    assert code == 0, err
    assert '"region": "华北"' in out
    for bad in ("", "-东", "x" * 65, "华东/一区"):
        status, body = await live.call(
            "POST", "/api/v1/agents", admin, json={"id": "zhao", "name": "赵", "region": bad}
        )
        assert (status, body["error"]["field"]) == (400, "region"), (bad, body)
