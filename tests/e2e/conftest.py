"""Fixtures that run the real ``switchboard`` command as child processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Cli:
    data_dir: Path

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
        env["SWITCHBOARD_DATA_DIR"] = str(self.data_dir)
        return env

    def run(
        self, *args: str, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "switchboard", *args],
            capture_output=True,
            text=True,
            env=env or self.env,
            timeout=60,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"switchboard {' '.join(args)} failed: {result.stderr}")
        return result

    def serve(self) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.data_dir.parent / "serve.log"
        with log.open("a") as log_file:
            process = subprocess.Popen(
                [sys.executable, "-m", "switchboard", "serve", "--port", "0"],
                stdout=subprocess.PIPE,
                stderr=log_file,
                text=True,
                env=self.env,
            )
        assert process.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if line.startswith("switchboard listening on "):
                return ServerProcess(process, line.split(" on ", 1)[1].strip())
            if not line and process.poll() is not None:
                break
        process.kill()
        process.wait()
        process.stdout.close()
        raise AssertionError(f"serve did not start: {log.read_text()}")


@dataclass
class ServerProcess:
    process: subprocess.Popen[str]
    url: str

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._close()

    def _close(self) -> None:
        if self.process.stdout is not None and not self.process.stdout.closed:
            self.process.stdout.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._close()


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "var")


@pytest.fixture
def server(cli: Cli) -> Iterator[ServerProcess]:
    cli.run("migrate")
    started = cli.serve()
    yield started
    started.stop()
