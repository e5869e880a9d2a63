"""The benchmark harness: percentile math, checks, and the one-JSON-line result contract."""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import types
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench import __main__ as bench_main
from bench.common import (
    RESULT_KEYS,
    BenchError,
    Check,
    json_line,
    percentile,
    ratio,
    result,
    summarise,
)

# --- percentiles ---------------------------------------------------------------------------


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [1.0, 2.0, 3.0, 4.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile(values, 50) == 2.5
    assert percentile(values, 25) == pytest.approx(1.75)
    assert percentile(values, 95) == pytest.approx(3.85)


def test_percentile_ignores_input_order_and_handles_one_value() -> None:
    assert percentile([9.0, 1.0, 5.0], 50) == 5.0
    assert percentile([7.0], 0) == 7.0
    assert percentile([7.0], 99) == 7.0


def test_percentile_of_1_to_100() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 99) == pytest.approx(99.01)


@pytest.mark.parametrize("q", [-1, 100.5, math.nan])
def test_percentile_refuses_ranks_outside_0_to_100(q: float) -> None:
    with pytest.raises(ValueError, match=r"within 0\.\.100"):
        percentile([1.0, 2.0], q)


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=200))
def test_percentile_agrees_with_statistics_inclusive_quantiles(values: list[float]) -> None:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    for q in (1, 25, 50, 95, 99):
        assert percentile(values, q) == pytest.approx(cuts[q - 1], rel=1e-9, abs=1e-6)


@given(st.lists(st.floats(0, 1e4), min_size=1, max_size=100))
def test_percentiles_are_ordered_and_bounded(values: list[float]) -> None:
    ranks = [percentile(values, q) for q in (0, 50, 95, 99, 100)]
    assert ranks == sorted(ranks)
    assert ranks[0] == min(values)
    assert ranks[-1] == max(values)


def test_summarise_reports_the_usual_figures_rounded() -> None:
    stats = summarise([float(v) for v in range(1, 101)])
    assert stats == {
        "count": 100,
        "mean": 50.5,
        "p50": 50.5,
        "p95": 95.05,
        "p99": 99.01,
        "max": 100.0,
    }
    with pytest.raises(ValueError):
        summarise([])


def test_ratio_is_ours_over_baseline_and_none_without_a_baseline() -> None:
    assert ratio(30.0, 10.0) == 3.0
    assert ratio(1.0, 3.0) == 0.33
    assert ratio(5.0, 0.0) is None


# --- checks and the result object ----------------------------------------------------------


def test_checks_compare_both_ways_and_fail_without_a_value() -> None:
    assert Check("p95", 100.0, 100.0).passed
    assert not Check("p95", 100.1, 100.0).passed
    assert Check("throughput", 5000, 4000, ">=").passed
    assert not Check("throughput", 3000, 4000, ">=").passed
    assert not Check("ratio", None, 2.0).passed
    assert not Check("ratio", math.nan, 2.0).passed
    assert Check("p95", 1.0, 2.0).as_json() == {
        "metric": "p95",
        "value": 1.0,
        "target": 2.0,
        "op": "<=",
        "pass": True,
    }


def _sample(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "bench": "demo",
        "metric": "p95",
        "value": 40.0,
        "unit": "ms",
        "baseline": 20.0,
        "target": 100.0,
        "params": {"calls": 10},
        "checks": [Check("p95", 40.0, 100.0), Check("ratio", 2.0, 2.0)],
    }
    values.update(changes)
    return result(**values)


def test_result_has_the_contract_keys_in_order_and_passes_when_every_check_does() -> None:
    outcome = _sample()
    assert list(outcome)[: len(RESULT_KEYS)] == list(RESULT_KEYS)
    assert outcome["ratio"] == 2.0
    assert outcome["pass"] is True
    assert [c["metric"] for c in outcome["checks"]] == ["p95", "ratio"]


def test_one_missed_check_fails_the_result() -> None:
    outcome = _sample(checks=[Check("p95", 40.0, 100.0), Check("ratio", 2.5, 2.0)])
    assert outcome["pass"] is False


def test_result_without_checks_fails_unless_told_and_carries_extras() -> None:
    assert _sample(checks=[])["pass"] is False
    outcome = _sample(checks=[], passed=True, stats={"p50": 1.0})
    assert outcome["pass"] is True
    assert "checks" not in outcome
    assert outcome["stats"] == {"p50": 1.0}


def test_json_line_is_one_line_of_json_with_nan_as_null() -> None:
    outcome = _sample(params={"name": "张伟\nline two"}, stats={"odd": [math.nan, math.inf]})
    line = json_line(outcome)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["params"]["name"] == "张伟\nline two"
    assert parsed["stats"]["odd"] == [None, None]
    assert parsed["pass"] is True


# --- the command ---------------------------------------------------------------------------


@pytest.fixture
def fake_bench(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    """A registered benchmark ``fake`` whose outcome each test chooses."""
    module = types.ModuleType("tests_fake_bench")
    module.__doc__ = "A fake benchmark for the harness tests."
    state = types.SimpleNamespace(outcome=None, error=None, seen=None)

    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--calls", type=int, default=3)

    def run(args: argparse.Namespace) -> dict[str, Any]:
        state.seen = args
        if state.error is not None:
            raise state.error
        print("progress on stdout would break nothing as long as the JSON is last")
        return state.outcome or _sample()

    module.add_arguments = add_arguments  # type: ignore[attr-defined]
    module.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tests_fake_bench", module)
    monkeypatch.setitem(bench_main.BENCHMARKS, "fake", "tests_fake_bench")
    return state


def test_json_flag_makes_the_last_stdout_line_the_result(
    fake_bench: types.SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench_main.main(["fake", "--json", "--calls", "7"]) == 0
    out, err = capsys.readouterr()
    parsed = json.loads(out.strip().splitlines()[-1])
    assert set(RESULT_KEYS) <= set(parsed)
    assert parsed["bench"] == "demo"
    assert fake_bench.seen.calls == 7
    assert "== demo: PASS" in err


def test_a_missed_target_still_exits_0(
    fake_bench: types.SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_bench.outcome = _sample(checks=[Check("p95", 400.0, 100.0)])
    assert bench_main.main(["--json", "fake"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out.strip().splitlines()[-1])["pass"] is False
    assert "FAIL" in err
    assert "[MISS] p95" in err


def test_without_json_stdout_has_no_result(
    fake_bench: types.SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench_main.main(["fake"]) == 0
    out, _ = capsys.readouterr()
    assert "{" not in out


def test_a_benchmark_that_cannot_run_exits_non_zero(
    fake_bench: types.SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_bench.error = BenchError("server did not start")
    assert bench_main.main(["fake", "--json"]) == 1
    out, err = capsys.readouterr()
    assert "{" not in out
    assert "could not run: server did not start" in err


def test_unknown_names_and_no_name_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_main.main(["no-such-bench"]) == 2
    assert "no benchmark named 'no-such-bench'" in capsys.readouterr().err
    assert bench_main.main([]) == 2
    assert "usage: python -m bench NAME" in capsys.readouterr().err


def test_list_names_every_registered_benchmark(
    fake_bench: types.SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench_main.main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "fake" in out
    assert "A fake benchmark for the harness tests." in out
    assert "screen_pop" in out


def test_every_registered_benchmark_has_the_interface() -> None:
    for name in bench_main.BENCHMARKS:
        module = bench_main.load(name)
        parser = argparse.ArgumentParser()
        module.add_arguments(parser)
        assert callable(module.run)
