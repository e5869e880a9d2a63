"""The sample Kamailio configuration in front of ``switchboard serve``, with real SIP.

SIPp plays the agent's phone (it registers extension 1001 at Kamailio, then answers or just
rings) and the caller (it calls 1001 through Kamailio). Kamailio posts the call's events to
Switchboard, which records the call and pops the agent's console over the websocket.

Needs the Debian packages kamailio, kamailio-utils-modules and sip-tester; without them the
tests skip and say so.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from telephony_adapters.kamailio import SAMPLE_CONFIG as CONFIG
from tests.e2e.conftest import Cli, ServerProcess

SCENARIOS = Path(__file__).resolve().parent / "sipp"
PACKAGES = "kamailio kamailio-utils-modules sip-tester"

EXTENSION = "1001"
AGENT = "a-1001"
STORED_NUMBER = "138 1234 5678"  # as the customer's record has it
CALLER = "+8613812345678"  # as the carrier sends it: the same number, written otherwise
CTI_SOURCE = "kamailio"  # the cti token's name: the events' source

SIPP_SECONDS = 15  # SIPp gives up (and fails) after this
SETTLE_SECONDS = 8  # for Switchboard to show what Kamailio posted


@dataclass(frozen=True)
class Tools:
    kamailio: str
    sipp: str


def _which(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin:/sbin")


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> Tools:
    """The two programs, once the sample configuration is known to load; else a skip."""
    kamailio, sipp = _which("kamailio"), _which("sipp")
    missing = [name for name, path in (("kamailio", kamailio), ("sipp", sipp)) if path is None]
    if kamailio is None or sipp is None:
        pytest.skip(f"{' and '.join(missing)} not installed (apt-get install {PACKAGES})")
    config = tmp_path_factory.mktemp("kamailio-check") / CONFIG.name
    shutil.copyfile(CONFIG, config)
    check = subprocess.run(
        [kamailio, "-c", "-f", str(config)], capture_output=True, text=True, timeout=30
    )
    if check.returncode != 0:
        output = check.stdout + check.stderr
        module = re.search(r"could not find module <([^>]+)>", output)
        if module:
            pytest.skip(f"Kamailio module {module[1]} not installed (apt-get install {PACKAGES})")
        pytest.fail(f"kamailio rejects {CONFIG.name}:\n{output[-4000:]}")
    return Tools(kamailio, sipp)


def _free_udp_ports(count: int) -> list[int]:
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _udp_bound(port: int) -> bool:
    """Whether some process holds UDP ``port`` (Linux: /proc/net/udp)."""
    lines = Path("/proc/net/udp").read_text().splitlines()[1:]
    return any(int(line.split()[1].rsplit(":", 1)[1], 16) == port for line in lines)


async def _until(check: Callable[[], bool], seconds: float, what: Callable[[], str]) -> None:
    """Poll ``check`` until it holds; fail with ``what()`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(what())
        await asyncio.sleep(0.05)


def _options_answered(port: int) -> bool:
    """Whether Kamailio on ``port`` answers a SIP OPTIONS within a moment."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(0.3)
        mine = sock.getsockname()[1]
        tag = uuid.uuid4().hex
        probe = (
            f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{mine};branch=z9hG4bK{tag}\r\n"
            f"From: <sip:probe@127.0.0.1:{mine}>;tag={tag}\r\n"
            f"To: <sip:127.0.0.1:{port}>\r\n"
            f"Call-ID: probe-{tag}\r\n"
            "CSeq: 1 OPTIONS\r\n"
            "Max-Forwards: 70\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        sock.sendto(probe.encode(), ("127.0.0.1", port))
        try:
            answer = sock.recv(65535)
        except OSError:  # timeout, or nothing listening yet
            return False
        return answer.startswith(b"SIP/2.0 200")


@dataclass
class Kamailio:
    """The sample configuration, run in the foreground on 127.0.0.1:``port``."""

    binary: str
    workdir: Path
    port: int
    events_url: str
    token: str
    timeout: int = 2
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.workdir / "kamailio.log"

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def start(self) -> None:
        # A copy, so that a switchboard-local.cfg next to the sample cannot change the test.
        config = self.workdir / "kamailio.cfg"
        shutil.copyfile(CONFIG, config)
        run_dir = self.workdir / "run"
        run_dir.mkdir(exist_ok=True)
        command = [
            self.binary,
            "-f",
            str(config),
            "-DD",
            "-E",
            "-m",
            "64",
            "-M",
            "8",
            "-Y",
            str(run_dir),
            "-A",
            f"LISTEN=udp:127.0.0.1:{self.port}",
            "-A",
            f'SB_URL="{self.events_url}"',
            "-A",
            f'SB_TOKEN="{self.token}"',
            "-A",
            f"SB_TIMEOUT={self.timeout}",
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                start_new_session=True,  # its own process group: stop() ends all its children
            )
        deadline = time.monotonic() + 15
        while not _options_answered(self.port):
            if self.process.poll() is not None:
                pytest.fail(f"kamailio exited with {self.process.returncode}:\n{self.text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"kamailio does not answer OPTIONS on {self.port}:\n{self.text()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)  # the main process ends its children first
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


@contextmanager
def kamailio(
    tools: Tools, workdir: Path, events_url: str, token: str, timeout: int = 2
) -> Iterator[Kamailio]:
    workdir.mkdir(parents=True, exist_ok=True)
    (port,) = _free_udp_ports(1)
    proxy = Kamailio(tools.kamailio, workdir, port, events_url, token, timeout)
    try:
        proxy.start()
        yield proxy
    finally:
        proxy.stop()


@dataclass
class Sipp:
    """SIPp runs, each a child process in its own group, all ended by :meth:`close`."""

    binary: str
    workdir: Path
    running: list[asyncio.subprocess.Process] = field(default_factory=list)

    async def start(self, name: str, *args: str) -> asyncio.subprocess.Process:
        with (self.workdir / f"sipp-{name}.log").open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                self.binary,
                *args,
                "-i",
                "127.0.0.1",
                "-m",
                "1",
                "-nostdin",
                "-timeout",
                f"{SIPP_SECONDS}s",
                "-timeout_error",
                "-trace_err",
                "-error_file",
                str(self.workdir / f"sipp-{name}-errors.log"),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                cwd=self.workdir,
                start_new_session=True,
            )
        self.running.append(process)
        return process

    async def finish(self, name: str, process: asyncio.subprocess.Process) -> None:
        """Wait for a run; fail unless its call went as its scenario says."""
        try:
            code = await asyncio.wait_for(process.wait(), SIPP_SECONDS + 5)
        except TimeoutError:
            self._kill(process)
            await process.wait()
            code = None
        if code != 0:
            pytest.fail(f"sipp {name} ended with {code}:\n{self.report(name)}")

    def report(self, name: str) -> str:
        parts = []
        for path in (
            self.workdir / f"sipp-{name}.log",
            self.workdir / f"sipp-{name}-errors.log",
        ):
            if path.exists():
                parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)

    @staticmethod
    def _kill(process: asyncio.subprocess.Process) -> None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    async def close(self) -> None:
        for process in self.running:
            if process.returncode is None:
                self._kill(process)
                await process.wait()


@asynccontextmanager
async def sipp(tools: Tools, workdir: Path) -> AsyncIterator[Sipp]:
    runs = Sipp(tools.sipp, workdir)
    try:
        yield runs
    finally:
        await runs.close()


@dataclass
class Setup:
    admin: str
    cti: str
    agent: str
    customer_id: int


async def _switchboard(cli: Cli, server: ServerProcess, session: aiohttp.ClientSession) -> Setup:
    admin = cli.run("token", "create", "--role", "admin", "--name", "ops").stdout.strip()
    cti = cli.run("token", "create", "--role", "cti", "--name", CTI_SOURCE).stdout.strip()
    headers = {"Authorization": f"Bearer {admin}"}
    async with session.post(
        f"{server.url}/api/v1/agents",
        headers=headers,
        json={"id": AGENT, "name": "王小明", "extension": EXTENSION},
    ) as resp:
        assert resp.status == 201, await resp.text()
    async with session.post(
        f"{server.url}/api/v1/agents/{AGENT}/state", headers=headers, json={"state": "available"}
    ) as resp:
        assert resp.status == 200, await resp.text()
    async with session.post(
        f"{server.url}/api/v1/customers",
        headers=headers,
        json={"kind": "individual", "name": "张伟", "phones": [STORED_NUMBER]},
    ) as resp:
        assert resp.status == 201, await resp.text()
        customer_id = (await resp.json())["id"]
    agent = cli.run(
        "token", "create", "--role", "agent", "--name", "phone-1001", "--agent", AGENT
    ).stdout.strip()
    return Setup(admin, cti, agent, customer_id)


@asynccontextmanager
async def console(
    server: ServerProcess, session: aiohttp.ClientSession, token: str
) -> AsyncIterator[list[dict[str, Any]]]:
    """The agent's websocket; yields the list its messages are appended to as they come."""
    messages: list[dict[str, Any]] = []
    url = server.url.replace("http", "ws", 1) + "/api/v1/ws"
    async with session.ws_connect(url, headers={"Authorization": f"Bearer {token}"}) as ws:
        hello = await asyncio.wait_for(ws.receive_json(), 5)
        assert hello["type"] == "hello"

        async def read() -> None:
            async for message in ws:
                if message.type == aiohttp.WSMsgType.TEXT:
                    messages.append(message.json())

        reader = asyncio.create_task(read())
        try:
            yield messages
        finally:
            reader.cancel()
            with suppress(asyncio.CancelledError):
                await reader


async def _register(runs: Sipp, proxy: Kamailio, phone_port: int) -> None:
    """The agent's phone registers 1001 with the SIPp UAS's port as its Contact."""
    (port,) = _free_udp_ports(1)
    process = await runs.start(
        "register",
        f"127.0.0.1:{proxy.port}",
        "-sf",
        str(SCENARIOS / "register.xml"),
        "-s",
        EXTENSION,
        "-key",
        "agent_port",
        str(phone_port),
        "-p",
        str(port),
    )
    await runs.finish("register", process)


async def _call(runs: Sipp, proxy: Kamailio, phone: str, caller: str, name: str) -> None:
    """One call: the phone (UAS ``phone``) waits, the caller (UAC ``caller``) calls 1001."""
    phone_port, caller_port = _free_udp_ports(2)
    await _register(runs, proxy, phone_port)
    uas = await runs.start(
        "phone",
        "-sf",
        str(SCENARIOS / phone),
        "-s",
        EXTENSION,
        "-p",
        str(phone_port),
    )
    await _until(
        lambda: _udp_bound(phone_port) or uas.returncode is not None,
        10,
        lambda: f"the phone never listened on {phone_port}:\n{runs.report('phone')}",
    )
    uac = await runs.start(
        "caller",
        f"127.0.0.1:{proxy.port}",
        "-sf",
        str(SCENARIOS / caller),
        "-s",
        EXTENSION,
        "-key",
        "caller",
        CALLER,
        "-p",
        str(caller_port),
        "-cid_str",
        f"{name}-%u-%p@%s",
    )
    await runs.finish("caller", uac)
    await runs.finish("phone", uas)


def _database(cli: Cli) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{cli.data_dir / 'switchboard.db'}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    return db


def _calls(cli: Cli) -> list[sqlite3.Row]:
    with closing(_database(cli)) as db:
        return db.execute("SELECT * FROM calls ORDER BY id").fetchall()


def _events(cli: Cli) -> list[sqlite3.Row]:
    with closing(_database(cli)) as db:
        return db.execute("SELECT * FROM cti_events ORDER BY id").fetchall()


def _states(messages: list[dict[str, Any]]) -> list[str]:
    return [m["state"] for m in messages if m["type"] == "call"]


async def _agent_state(server: ServerProcess, session: aiohttp.ClientSession, admin: str) -> str:
    async with session.get(
        f"{server.url}/api/v1/agents/{AGENT}", headers={"Authorization": f"Bearer {admin}"}
    ) as resp:
        assert resp.status == 200
        return str((await resp.json())["state"])


async def test_answered_call_is_recorded_and_pops_the_agent(
    tools: Tools, cli: Cli, server: ServerProcess, tmp_path: Path
) -> None:
    async with aiohttp.ClientSession() as session:
        setup = await _switchboard(cli, server, session)
        async with console(server, session, setup.agent) as messages, sipp(tools, tmp_path) as runs:
            with kamailio(
                tools, tmp_path / "kamailio", f"{server.url}/api/v1/cti/events", setup.cti
            ) as proxy:
                await _call(runs, proxy, "uas_answer.xml", "uac_answer.xml", "answered")

                def diagnosis() -> str:
                    return (
                        f"websocket: {messages}\nevents: {[dict(e) for e in _events(cli)]}\n"
                        f"--- kamailio.log\n{proxy.text()[-6000:]}"
                    )

                await _until(lambda: "ended" in _states(messages), SETTLE_SECONDS, diagnosis)
                assert proxy.alive(), diagnosis()
            agent_state = await _agent_state(server, session, setup.admin)

    (call,) = _calls(cli)
    assert call["call_id"].startswith("answered-")
    assert call["source"] == CTI_SOURCE
    assert call["state"] == "ended"
    assert call["direction"] == "inbound"
    assert call["agent_id"] == AGENT
    assert call["from_number"] == CALLER
    assert call["to_number"] == EXTENSION
    assert call["cause"] == "normal"
    assert call["match_status"] == "known"
    assert call["customer_id"] == setup.customer_id
    assert call["ringing_at"] < call["answered_at"] < call["ended_at"]

    events = _events(cli)
    assert [e["type"] for e in events] == ["ringing", "answered", "ended"]
    assert [e["event_id"] for e in events] == [
        f"{call['call_id']}:ringing:1",
        f"{call['call_id']}:answered:1",
        f"{call['call_id']}:ended:2",  # the BYE's CSeq
    ]
    assert {e["source"] for e in events} == {CTI_SOURCE}

    (pop,) = [m for m in messages if m["type"] == "screen_pop"]
    assert pop["call_id"] == call["call_id"]
    assert pop["from"] == CALLER
    assert pop["match"]["status"] == "known"
    assert pop["customer"]["id"] == setup.customer_id
    assert pop["customer"]["name"] == "张伟"
    assert _states(messages) == ["ringing", "answered", "ended"]
    assert messages.index(pop) < next(i for i, m in enumerate(messages) if m["type"] == "call")
    assert agent_state == "available"


async def test_caller_who_gives_up_while_it_rings_is_abandoned(
    tools: Tools, cli: Cli, server: ServerProcess, tmp_path: Path
) -> None:
    async with aiohttp.ClientSession() as session:
        setup = await _switchboard(cli, server, session)
        async with console(server, session, setup.agent) as messages, sipp(tools, tmp_path) as runs:
            with kamailio(
                tools, tmp_path / "kamailio", f"{server.url}/api/v1/cti/events", setup.cti
            ) as proxy:
                await _call(runs, proxy, "uas_ring.xml", "uac_cancel.xml", "cancelled")

                def diagnosis() -> str:
                    return (
                        f"websocket: {messages}\nevents: {[dict(e) for e in _events(cli)]}\n"
                        f"--- kamailio.log\n{proxy.text()[-6000:]}"
                    )

                await _until(lambda: "abandoned" in _states(messages), SETTLE_SECONDS, diagnosis)
                assert proxy.alive(), diagnosis()
            agent_state = await _agent_state(server, session, setup.admin)

    (call,) = _calls(cli)
    assert call["call_id"].startswith("cancelled-")
    assert call["state"] == "abandoned"
    assert call["agent_id"] == AGENT
    assert call["from_number"] == CALLER
    assert call["cause"] == "cancel"
    assert call["answered_at"] is None
    assert call["ringing_at"] < call["ended_at"]  # the caller held on for a second

    events = _events(cli)
    assert [e["type"] for e in events] == ["ringing", "abandoned"]
    assert events[1]["event_id"] == f"{call['call_id']}:abandoned:1"

    (pop,) = [m for m in messages if m["type"] == "screen_pop"]
    assert pop["call_id"] == call["call_id"]
    assert pop["match"]["status"] == "known"
    assert _states(messages) == ["ringing", "abandoned"]
    assert agent_state == "available"


@contextmanager
def black_hole() -> Iterator[str]:
    """A TCP port that takes connections and never answers: a Switchboard that hangs."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)  # never accepted: the kernel completes the handshakes, nobody answers
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/api/v1/cti/events"


async def test_calls_go_through_while_switchboard_hangs(tools: Tools, tmp_path: Path) -> None:
    """SIP never waits on HTTP: each post hangs until its 1 s timeout, 3 times, and is given
    up with a log line; the call is connected and ended at SIP speed all the same."""
    async with sipp(tools, tmp_path) as runs:
        with (
            black_hole() as events_url,
            kamailio(tools, tmp_path / "kamailio", events_url, "sb_unused", timeout=1) as proxy,
        ):
            started = time.monotonic()
            await _call(runs, proxy, "uas_answer.xml", "uac_answer.xml", "hanging")
            # About 1 s. Posting in line would hold the INVITE, the 200 OK and the BYE for
            # 3.75 s each (three 1 s timeouts, 0.75 s of pauses).
            assert time.monotonic() - started < 5
            await _until(
                lambda: proxy.text().count("switchboard: gave up on") == 3,
                15,
                lambda: f"--- kamailio.log\n{proxy.text()[-6000:]}",
            )
            assert proxy.alive(), proxy.text()[-6000:]
    gave_up = re.findall(r'switchboard: gave up on .*"type":"(\w+)"', proxy.text())
    assert gave_up == ["ringing", "answered", "ended"]  # in order, each in turn
    assert "switchboard: posted" not in proxy.text()
