"""Erlang B, C and A.

Erlang C is checked against a published example. Erlang A (closed forms with incomplete gamma
series) is checked against a reference computed here by other means:

* the stationary distribution of the M/M/n+M birth-death chain, solved numerically from the
  balance equations and truncated where the probabilities fall below 1e-18, gives P(wait) and,
  by Little's law, P(abandon) = theta E[queue] / lambda;
* a tagged caller who finds j callers ahead of them moves up at rate n mu + i theta (a service
  ends or someone ahead gives up) and gives up at rate theta. First-step analysis over that
  chain gives the share served and the mean wait of those served; integrating its forward
  equations from 0 to T with Runge-Kutta gives the share answered within T.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from routing.erlang import (
    agents_needed,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_performance,
    staffing,
)

# --- Erlang B and C ----------------------------------------------------------------------


def test_erlang_b_recursion_equals_the_factorial_formula() -> None:
    for n in (1, 2, 5, 12):
        for a in (Fraction(1, 2), Fraction(3), Fraction(17, 2)):
            exact = (a**n / math.factorial(n)) / sum(a**k / math.factorial(k) for k in range(n + 1))
            assert erlang_b(n, float(a)) == pytest.approx(float(exact), rel=1e-12)


def test_published_example_360_calls_in_30_minutes() -> None:
    # 360 calls, 30 min, 240 s handle time = 48 Erlangs; 80/20 service level target
    at_53 = staffing(360, 1800, 240, agents=53, target_time_s=20)
    at_54 = staffing(360, 1800, 240, agents=54, target_time_s=20)
    at_55 = staffing(360, 1800, 240, agents=55, target_time_s=20)
    assert at_53["service_level"] * 100 == pytest.approx(75.2, abs=0.1)
    assert at_53["asa"] == pytest.approx(18.1, abs=0.1)
    assert at_54["p_wait"] == pytest.approx(0.301, abs=0.001)
    assert at_54["service_level"] * 100 == pytest.approx(81.7, abs=0.1)
    assert at_54["asa"] == pytest.approx(12.1, abs=0.1)
    assert at_54["occupancy"] == pytest.approx(0.889, abs=0.001)
    assert at_54["abandon_rate"] == 0.0
    assert at_55["service_level"] * 100 == pytest.approx(86.7, abs=0.1)
    assert at_55["asa"] == pytest.approx(8.2, abs=0.1)
    assert set(at_54) == {"agents", "service_level", "asa", "p_wait", "abandon_rate", "occupancy"}


def test_agents_needed_for_a_target() -> None:
    assert agents_needed(48, 240, 0.80, 20) == 54
    assert agents_needed(48, 240, 0.85, 20) == 55
    assert agents_needed(48, 240, 0.75, 20) == 53
    assert staffing(360, 1800, 240, target_sl=0.8)["agents"] == 54
    # with abandonment fewer agents reach the same target, never more
    with_patience = agents_needed(48, 240, 0.80, 20, patience_s=120)
    assert with_patience < 54
    assert erlang_a(with_patience, 48, 240, 120, 20).service_level >= 0.80
    assert erlang_a(with_patience - 1, 48, 240, 120, 20).service_level < 0.80


def test_large_centres_stay_finite() -> None:
    p = erlang_c(10_000, 9_900.0)
    assert 0 < p < 1
    result = erlang_c_performance(10_000, 9_900.0, 300, 20)
    assert 0 < result.service_level < 1
    assert math.isfinite(result.asa)
    n = agents_needed(4_800, 240, 0.8, 20)
    assert erlang_c_performance(n, 4_800, 240, 20).service_level >= 0.8
    assert erlang_c_performance(n - 1, 4_800, 240, 20).service_level < 0.8
    big = erlang_a(48_000, 48_000.0, 240, 1800, 20)
    assert all(math.isfinite(v) for v in (big.p_wait, big.asa, big.abandon_rate))
    assert 0 < big.abandon_rate < 0.01


def test_zero_traffic() -> None:
    assert staffing(0, 1800, 240, agents=3) == {
        "agents": 3,
        "service_level": 1.0,
        "asa": 0.0,
        "p_wait": 0.0,
        "abandon_rate": 0.0,
        "occupancy": 0.0,
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"calls": -1, "agents": 5}, "calls must be >= 0"),
        ({"interval_s": 0, "agents": 5}, "interval_s must be > 0"),
        ({"aht_s": -240, "agents": 5}, "aht_s must be > 0"),
        ({"agents": 0}, "agents must be at least 1"),
        ({"agents": 2.5}, "whole number"),
        ({"agents": 48}, "grows without bound"),
        ({"agents": 40}, "grows without bound"),
        ({}, "either agents"),
        ({"agents": 60, "target_sl": 0.8}, "either agents"),
        ({"target_sl": 1.0}, "strictly between 0 and 1"),
        ({"target_sl": 80}, "strictly between 0 and 1"),
        ({"agents": 60, "patience_s": 0}, "patience_s must be > 0"),
        ({"agents": 60, "target_time_s": -5}, "target_time_s must be >= 0"),
        ({"calls": float("nan"), "agents": 60}, "calls must be a number"),
    ],
)
def test_impossible_input_says_why(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"calls": 360, "interval_s": 1800, "aht_s": 240}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        staffing(**args)  # type: ignore[arg-type]


def test_erlang_a_has_no_stability_condition() -> None:
    # 40 agents for 48 Erlangs: impossible under Erlang C, a busy but finite queue under A
    over = staffing(360, 1800, 240, agents=40, patience_s=120)
    assert over["abandon_rate"] > 0.1
    assert over["occupancy"] < 1.0


# --- Erlang A against an independent reference ------------------------------------------


def reference(n: int, lam: float, aht: float, patience: float, t: float) -> dict[str, float]:
    """M/M/n+M by the chain itself: balance equations, first-step analysis and an ODE."""
    mu, theta = 1.0 / aht, 1.0 / patience
    # stationary distribution, log scale: p[k+1] = p[k] lam / death(k+1)
    logs = [0.0]
    k = 0
    while True:
        k += 1
        death = min(k, n) * mu + max(k - n, 0) * theta
        logs.append(logs[-1] + math.log(lam / death))
        if k > n + 10 and logs[-1] < max(logs) - 42:
            break
    top = max(logs)
    weights = [math.exp(v - top) for v in logs]
    total = math.fsum(weights)
    p = [w / total for w in weights]
    p_wait = math.fsum(p[n:])
    queue_mean = math.fsum((k - n) * p[k] for k in range(n, len(p)))
    p_abandon_little = theta * queue_mean / lam

    # the tagged caller with j ahead (PASTA: arrivals see the stationary distribution)
    ahead = [p[n + j] for j in range(len(p) - n)]
    served, wait_served = [], []
    s_prev, w_prev = 1.0, 0.0  # "-1 ahead" = being served
    for i in range(len(ahead)):
        move = n * mu + i * theta
        rate = move + theta
        s_i = move / rate * s_prev
        w_i = move / rate * (s_prev / rate + w_prev)
        served.append(s_i)
        wait_served.append(w_i)
        s_prev, w_prev = s_i, w_i
    p_served_after_wait = math.fsum(a * s for a, s in zip(ahead, served, strict=True))
    p_abandon_chain = p_wait - p_served_after_wait
    mean_wait_served = math.fsum(a * w for a, w in zip(ahead, wait_served, strict=True))

    # answered within t: integrate dq_i/dt = -(n mu + i theta + theta) q_i + (n mu + (i+1)
    # theta) q_{i+1}, with the flux n mu q_0 into service, by classical Runge-Kutta
    size = len(ahead)

    def derivative(q: list[float]) -> tuple[list[float], float]:
        dq = [
            -(n * mu + i * theta + theta) * q[i]
            + ((n * mu + (i + 1) * theta) * q[i + 1] if i + 1 < size else 0.0)
            for i in range(size)
        ]
        return dq, n * mu * q[0]

    q = list(ahead)
    answered = 0.0
    steps = max(200, int(t / 0.01))
    h = t / steps
    for _ in range(steps):
        k1, f1 = derivative(q)
        k2, f2 = derivative([a + h / 2 * b for a, b in zip(q, k1, strict=True)])
        k3, f3 = derivative([a + h / 2 * b for a, b in zip(q, k2, strict=True)])
        k4, f4 = derivative([a + h * b for a, b in zip(q, k3, strict=True)])
        q = [
            a + h / 6 * (b1 + 2 * b2 + 2 * b3 + b4)
            for a, b1, b2, b3, b4 in zip(q, k1, k2, k3, k4, strict=True)
        ]
        answered += h / 6 * (f1 + 2 * f2 + 2 * f3 + f4)
    return {
        "p_wait": p_wait,
        "abandon_little": p_abandon_little,
        "abandon_chain": p_abandon_chain,
        "asa": mean_wait_served / (1 - p_abandon_chain),
        "service_level": (1 - p_wait) + answered,
        "occupancy": lam * (1 - p_abandon_chain) * aht / n,
    }


@pytest.mark.parametrize(
    ("agents", "calls_per_s", "aht", "patience", "target"),
    [
        (50, 0.2, 240, 120, 20),  # 48 Erlangs, near critical load
        (40, 0.2, 240, 60, 20),  # overloaded: only abandonment keeps it finite
        (54, 0.2, 240, 900, 30),  # patient callers: close to Erlang C
        (8, 0.02, 300, 200, 15),  # a small team
        (300, 1.25, 240, 300, 20),  # a large centre, 300 Erlangs
    ],
)
def test_erlang_a_matches_the_chain(
    agents: int, calls_per_s: float, aht: float, patience: float, target: float
) -> None:
    ref = reference(agents, calls_per_s, aht, patience, target)
    assert ref["abandon_little"] == pytest.approx(ref["abandon_chain"], rel=1e-9)
    got = erlang_a(agents, calls_per_s * aht, aht, patience, target)
    assert got.p_wait == pytest.approx(ref["p_wait"], rel=1e-9)
    assert got.abandon_rate == pytest.approx(ref["abandon_chain"], rel=1e-9)
    assert got.asa == pytest.approx(ref["asa"], rel=1e-9)
    assert got.occupancy == pytest.approx(ref["occupancy"], rel=1e-9)
    assert got.service_level == pytest.approx(ref["service_level"], abs=1e-7)


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    c = erlang_c_performance(54, 48.0, 240, 20)
    a = erlang_a(54, 48.0, 240, 1e8, 20)
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-5)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-5)
    assert a.asa == pytest.approx(c.asa, rel=1e-4)
    assert a.abandon_rate < 1e-6
