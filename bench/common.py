"""What every benchmark shares: percentiles, checks, the result line, server subprocesses.

A benchmark's ``run(args)`` returns the dict built by :func:`result`; ``python -m bench`` prints
a human summary of it on stderr and, with ``--json``, the dict as the last line on stdout.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

RESULT_KEYS = (
    "bench",
    "metric",
    "value",
    "unit",
    "baseline",
    "ratio",
    "target",
    "pass",
    "params",
)


class BenchError(RuntimeError):
    """The benchmark could not run (as opposed to: it ran and missed its target)."""


def log(message: str) -> None:
    """Progress for people: stderr, flushed, so stdout keeps only the result line."""
    print(message, file=sys.stderr, flush=True)


# --- statistics -----------------------------------------------------------------------------


def percentile(values: Iterable[float], q: float) -> float:
    """The ``q``-th percentile (0 ≤ q ≤ 100) with linear interpolation between closest ranks.

    The same definition as ``numpy.percentile``'s default and ``statistics.quantiles``'s
    ``method="inclusive"``: p0 is the minimum, p100 the maximum.
    """
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100 or math.isnan(q):
        raise ValueError(f"percentile rank must be within 0..100, not {q}")
    position = (len(ordered) - 1) * q / 100
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    fraction = position - lower
    return ordered[lower] + (ordered[upper] - ordered[lower]) * fraction


def summarise(values: Sequence[float], digits: int = 2) -> dict[str, float | int]:
    """Count, mean, p50, p95, p99 and max of ``values``, rounded to ``digits``."""
    if not values:
        raise ValueError("no samples to summarise")
    return {
        "count": len(values),
        "mean": round(sum(values) / len(values), digits),
        "p50": round(percentile(values, 50), digits),
        "p95": round(percentile(values, 95), digits),
        "p99": round(percentile(values, 99), digits),
        "max": round(max(values), digits),
    }


def ratio(ours: float, baseline: float, digits: int = 2) -> float | None:
    """``ours / baseline``, or None when the baseline is zero (no meaningful ratio)."""
    if baseline <= 0:
        return None
    return round(ours / baseline, digits)


# --- checks and the result line ------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One target: ``value`` must be ``<=`` (or ``>=``) ``target``."""

    metric: str
    value: float | None
    target: float
    op: str = "<="

    @property
    def passed(self) -> bool:
        if self.value is None or math.isnan(self.value):
            return False
        if self.op == "<=":
            return self.value <= self.target
        if self.op == ">=":
            return self.value >= self.target
        raise ValueError(f"unknown comparison {self.op!r}")

    def as_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "value": self.value,
            "target": self.target,
            "op": self.op,
            "pass": self.passed,
        }


def result(
    *,
    bench: str,
    metric: str,
    value: float | None,
    unit: str,
    baseline: float | None,
    target: float | None,
    params: Mapping[str, Any],
    checks: Sequence[Check] = (),
    ratio_value: float | None = None,
    passed: bool | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The result object of one run, in the shape every benchmark reports.

    ``ratio`` is ours against the baseline measured in the same run (computed when not given);
    ``pass`` is true when every check passes (or ``passed`` when given explicitly). Extra
    keyword arguments (e.g. ``stats``) are carried after the standard keys.
    """
    if ratio_value is None and value is not None and baseline is not None:
        ratio_value = ratio(value, baseline)
    if passed is None:
        passed = bool(checks) and all(c.passed for c in checks)
    out: dict[str, Any] = {
        "bench": bench,
        "metric": metric,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "ratio": ratio_value,
        "target": target,
        "pass": passed,
        "params": dict(params),
    }
    if checks:
        out["checks"] = [c.as_json() for c in checks]
    out.update(extra)
    return out


def json_line(outcome: Mapping[str, Any]) -> str:
    """The result as exactly one line of JSON (no NaN: those become null)."""
    return json.dumps(_finite(outcome), ensure_ascii=False, separators=(", ", ": "))


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def print_summary(outcome: Mapping[str, Any], stream: IO[str] | None = None) -> None:
    """A few lines a person reads: the headline figure, the baseline and each check."""
    out = stream or sys.stderr
    verdict = "PASS" if outcome.get("pass") else "FAIL"
    unit = outcome.get("unit") or ""
    print(f"== {outcome['bench']}: {verdict}", file=out)
    print(f"   {outcome['metric']} = {_fmt(outcome.get('value'))} {unit}", file=out)
    if outcome.get("baseline") is not None:
        print(
            f"   baseline = {_fmt(outcome['baseline'])} {unit}, ratio = {_fmt(outcome['ratio'])}",
            file=out,
        )
    for check in outcome.get("checks", []):
        mark = "ok  " if check["pass"] else "MISS"
        print(
            f"   [{mark}] {check['metric']} = {_fmt(check['value'])} "
            f"(target {check.get('op', '<=')} {_fmt(check['target'])})",
            file=out,
        )
    out.flush()


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return "n/a" if value is None else str(value)


# --- the machine ------------------------------------------------------------------------------


def machine() -> str:
    """'2 cores x86_64, <cpu model>, 23.4 GiB, Python 3.11.7': what a figure was measured on."""
    cores = os.cpu_count() or 0
    model = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    return (
        f"{cores} cores {platform.machine()}, {model}{memory}, Python {platform.python_version()}"
    )


# --- server subprocesses -------------------------------------------------------------------


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without any ``SWITCHBOARD_*`` variable, plus ``overrides``.

    A benchmark's server must not pick up the operator's database URL or config file.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env.update(overrides)
    return env


class ServerProcess:
    """A server run as a child process until :meth:`stop`; ready when stdout matches ``ready``.

    The ``ready`` pattern's first group is the base URL. Stdout after that line and all of
    stderr go to ``log_path``, whose tail is quoted when the server fails to start.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        ready: str,
        log_path: Path,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = dict(env)
        self.ready = re.compile(ready)
        self.log_path = log_path
        self.cwd = cwd
        self.url = ""
        self._proc: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None
        self._drain: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    async def start(self, startup_seconds: float = 60.0) -> str:
        """Start the process and return its URL once it says it listens."""
        self._log = self.log_path.open("ab")
        self._proc = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=self._log,
            env=self.env,
            cwd=self.cwd,
        )
        assert self._proc.stdout is not None
        try:
            async with asyncio.timeout(startup_seconds):
                while True:
                    line = await self._proc.stdout.readline()
                    if not line:
                        await self._proc.wait()
                        raise BenchError(
                            f"{self.name} exited with status {self._proc.returncode} "
                            f"before listening:\n{self.log_tail()}"
                        )
                    self._log.write(line)
                    match = self.ready.search(line.decode(errors="replace"))
                    if match:
                        self.url = match.group(1).rstrip("/")
                        break
        except TimeoutError:
            raise BenchError(
                f"{self.name} did not say it listens within {startup_seconds:.0f} s:\n"
                f"{self.log_tail()}"
            ) from None
        self._drain = asyncio.create_task(self._keep_draining())
        return self.url

    async def _keep_draining(self) -> None:
        assert self._proc is not None
        assert self._proc.stdout is not None
        assert self._log is not None
        while line := await self._proc.stdout.readline():
            self._log.write(line)

    async def stop(self, grace: float = 10.0) -> int | None:
        """SIGTERM, then SIGKILL after ``grace`` seconds; returns the exit status."""
        proc = self._proc
        if proc is None:
            return None
        try:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), grace)
                except TimeoutError:
                    with contextlib.suppress(ProcessLookupError):
                        proc.kill()
                    await proc.wait()
        finally:
            if self._drain is not None:
                self._drain.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self._drain
            if self._log is not None:
                self._log.close()
                self._log = None
        return proc.returncode

    def log_tail(self, lines: int = 20) -> str:
        if self._log is not None:
            self._log.flush()
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join("    " + line for line in text.splitlines()[-lines:]) or "    (empty log)"


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


# --- one run in a scratch directory ----------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


async def in_scratch_dir(
    name: str,
    args: Any,
    measure: Callable[[Path, list[ServerProcess]], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """Run ``measure(workdir, servers)`` within ``args.timeout`` seconds in a fresh directory.

    Every server ``measure`` appends to ``servers`` is stopped whatever happens, and the
    directory is removed unless ``args.keep`` (then its path is logged).
    """
    log(f"{name} on {machine()}")
    workdir = Path(tempfile.mkdtemp(prefix="switchboard-bench-"))
    servers: list[ServerProcess] = []
    try:
        async with asyncio.timeout(args.timeout):
            return await measure(workdir, servers)
    except TimeoutError:
        raise BenchError(f"the run took longer than --timeout {args.timeout:.0f} s") from None
    finally:
        for server in servers:
            await server.stop()
        if args.keep:
            log(f"kept {workdir}")
        else:
            remove_tree(workdir)


def switchboard_process(data_dir: Path, workdir: Path, **env: str) -> ServerProcess:
    """``switchboard serve`` on a free port over ``data_dir``, as an operator runs it."""
    return ServerProcess(
        "switchboard",
        [sys.executable, "-m", "switchboard", "serve", "--port", "0"],
        env=clean_env(SWITCHBOARD_DATA_DIR=str(data_dir), **env),
        ready=r"switchboard listening on (http://\S+)",
        log_path=workdir / "switchboard.log",
        cwd=ROOT,
    )


def baseline_process(module: str, db: Path, workdir: Path) -> ServerProcess:
    """``python -m bench.<module> --db DB`` on a free port: a bare baseline server."""
    return ServerProcess(
        "baseline",
        [sys.executable, "-m", f"bench.{module}", "--db", str(db), "--port", "0"],
        env=clean_env(),
        ready=r"baseline listening on (http://\S+)",
        log_path=workdir / "baseline.log",
        cwd=ROOT,
    )
