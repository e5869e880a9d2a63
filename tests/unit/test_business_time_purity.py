"""The time engine is pure: standard library and its own package only, and no clock reads."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import tickets.model

MODEL_DIR = Path(tickets.model.__file__).parent
SOURCES = sorted(MODEL_DIR.glob("*.py"))
CLOCK_READS = {"now", "utcnow", "today", "time", "monotonic", "perf_counter", "time_ns"}


def test_there_are_sources() -> None:
    assert {p.name for p in SOURCES} >= {"calendar.py", "business_time.py", "sla.py"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_imports_only_the_standard_library(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: use absolute imports"
            roots = [node.module or ""]
        else:
            continue
        for name in roots:
            ok = name.split(".")[0] in sys.stdlib_module_names or name.startswith("tickets.model")
            assert ok, f"{path.name}:{node.lineno} imports {name}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_never_reads_the_clock(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in CLOCK_READS, (
                f"{path.name}:{node.lineno} calls .{node.func.attr}(): pass `now` in instead"
            )
