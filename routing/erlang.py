"""Erlang B, Erlang C and Erlang A (M/M/n+M): service level, ASA, waiting, abandonment, staffing.

Standard library ``math`` only. Traffic ``a`` is in Erlangs (calls per second x handle time in
seconds). Everything is computed with recursions or series that stay finite for thousands of
agents: the Erlang B recursion ``B(k) = a B(k-1) / (k + a B(k-1))`` instead of factorials, and
the Erlang A series in logarithms.

Erlang C (M/M/n, callers never hang up), with ``B = B(n, a)``::

    P(wait)  C = n B / (n - a (1 - B))                  (needs a < n)
    SL(T)    = 1 - C exp(-(n - a) T / AHT)
    ASA      = C AHT / (n - a)
    occupancy = a / n

Erlang A (M/M/n+M: Palm's model with exponential patience of mean ``patience_s``, as in
Garnet, Mandelbaum and Reiman 2002). With mu = 1/AHT, theta = 1/patience, lambda the arrival
rate, x = n mu / theta, y = lambda / theta, and the series
``A(x, y) = 1 + sum_{j>=1} prod_{k=1..j} y / (x + k)``::

    P(wait)           = A B / (1 + (A - 1) B)
    P(abandon | wait) = 1 / (rho A) + 1 - 1 / rho,           rho = y / x = lambda / (n mu)
    P(answered within T) = 1 - P(wait) + P(wait) [g(x+1, y) - g(x+1, y e^(-theta T))] / (y g(x, y))
    E[wait; answered] = P(wait) x / (theta y A) * sum_{j>=1} a_j H_j,  H_j = sum_{k<=j} 1/(x+k)

where g is the lower incomplete gamma function and a_j the terms of the series. There the
service level is the share of *all* offered calls answered within T (an abandoned call counts
against it), ASA is the mean wait of the answered calls, and occupancy counts only the calls
served: a (1 - P(abandon)) / n. Erlang A has no stability condition: n may be below a.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

__all__ = [
    "Performance",
    "agents_needed",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_performance",
    "staffing",
]


@dataclass(frozen=True, slots=True)
class Performance:
    """What ``agents`` achieve on a traffic; rates are fractions, times seconds."""

    agents: int
    service_level: float
    asa: float
    p_wait: float
    abandon_rate: float
    occupancy: float


def _check_agents(agents: int) -> None:
    if isinstance(agents, bool) or not isinstance(agents, int):
        raise ValueError(f"agents must be a whole number, not {agents!r}")
    if agents < 1:
        raise ValueError(f"agents must be at least 1, not {agents}")


def _check_positive(name: str, value: float, *, zero_ok: bool = False) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
        raise ValueError(f"{name} must be a number, not {value!r}")
    if math.isinf(value):
        raise ValueError(f"{name} must be finite")
    if value < 0 or (value == 0 and not zero_ok):
        raise ValueError(f"{name} must be {'>= 0' if zero_ok else '> 0'}, not {value}")


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of an M/M/n/n system (the iterative recursion, stable for any n)."""
    _check_agents(agents)
    _check_positive("traffic", traffic, zero_ok=True)
    b = 1.0
    for k in range(1, agents + 1):
        b = traffic * b / (k + traffic * b)
    return b


def _c_from_b(agents: int, traffic: float, b: float) -> float:
    return agents * b / (agents - traffic * (1.0 - b))


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a caller waits at all (M/M/n); needs traffic < agents."""
    _check_agents(agents)
    _check_positive("traffic", traffic, zero_ok=True)
    if traffic >= agents:
        raise ValueError(
            f"load {traffic:g} Erlangs >= {agents} agents: without abandonment "
            "the queue grows without bound"
        )
    return _c_from_b(agents, traffic, erlang_b(agents, traffic))


def _erlang_c_from(agents: int, traffic: float, aht_s: float, t: float, b: float) -> Performance:
    if traffic == 0:
        return Performance(agents, 1.0, 0.0, 0.0, 0.0, 0.0)
    c = _c_from_b(agents, traffic, b)
    gap = agents - traffic
    return Performance(
        agents=agents,
        service_level=max(0.0, 1.0 - c * math.exp(-gap * t / aht_s)),
        asa=c * aht_s / gap,
        p_wait=c,
        abandon_rate=0.0,
        occupancy=traffic / agents,
    )


def erlang_c_performance(
    agents: int, traffic: float, aht_s: float, target_time_s: float = 20.0
) -> Performance:
    """Service level within ``target_time_s``, ASA, P(wait) and occupancy (Erlang C)."""
    _check_positive("aht_s", aht_s)
    _check_positive("target_time_s", target_time_s, zero_ok=True)
    erlang_c(agents, traffic)  # validates, and refuses traffic >= agents
    return _erlang_c_from(agents, traffic, aht_s, target_time_s, erlang_b(agents, traffic))


# --- Erlang A ----------------------------------------------------------------------------------


def _log_sum_exp(terms: list[float]) -> float:
    top = max(terms)
    return top + math.log(math.fsum(math.exp(t - top) for t in terms))


def _peak(x: float, y: float) -> int:
    """The index of the largest term of A(x, y): the terms grow while x + j <= y."""
    return max(0, math.floor(y - x))


def _log_series(x: float, y: float) -> float:
    """log A(x, y), A = sum_{j>=0} a_j, a_j = prod_{k=1..j} y/(x+k), summed in logarithms.

    Starts at the largest term (found with lgamma) and walks both ways until the terms fall
    below e^-40 of it, so the cost grows like sqrt(y), not y.
    """
    if y <= 0:
        return 0.0
    log_y = math.log(y)
    top_j = _peak(x, y)
    top = top_j * log_y - (math.lgamma(x + top_j + 1) - math.lgamma(x + 1))
    terms = [top]
    log_term, j = top, top_j
    while j > 0 and log_term > top - 40.0:
        log_term -= log_y - math.log(x + j)
        j -= 1
        terms.append(log_term)
    log_term, j = top, top_j
    while log_term > top - 40.0:
        j += 1
        log_term += log_y - math.log(x + j)
        terms.append(log_term)
    return _log_sum_exp(terms)


def _digamma(v: float) -> float:
    """psi(v) for v > 0: recurrence up to v >= 8, then the asymptotic series."""
    shift = 0.0
    while v < 8.0:
        shift -= 1.0 / v
        v += 1.0
    inv = 1.0 / v
    inv2 = inv * inv
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240))))
    return shift + math.log(v) - 0.5 * inv - series


def _log_lower_gamma(s: float, z: float) -> float:
    """log of the lower incomplete gamma g(s, z) = z^s e^-z A(s, z) / s (z > 0)."""
    return s * math.log(z) - z + _log_series(s, z) - math.log(s)


def _log_weighted_series(x: float, y: float) -> float:
    """log sum_{j>=1} a_j H_j with H_j = sum_{k=1..j} 1/(x+k) = psi(x+j+1) - psi(x+1)."""
    log_y = math.log(y)
    top_j = max(1, _peak(x, y))
    log_a = top_j * log_y - (math.lgamma(x + top_j + 1) - math.lgamma(x + 1))
    harmonic = _digamma(x + top_j + 1) - _digamma(x + 1)
    if top_j == 1:
        harmonic = 1.0 / (x + 1)
    first = log_a + math.log(harmonic)
    terms = [first]
    peak = first
    la, h, j = log_a, harmonic, top_j
    while j > 1:
        la -= log_y - math.log(x + j)
        h -= 1.0 / (x + j)
        j -= 1
        terms.append(la + math.log(h))
        peak = max(peak, terms[-1])
        if terms[-1] < peak - 40.0:
            break
    la, h, j = log_a, harmonic, top_j
    while True:
        j += 1
        la += log_y - math.log(x + j)
        h += 1.0 / (x + j)
        terms.append(la + math.log(h))
        peak = max(peak, terms[-1])
        if x + j > y and terms[-1] < peak - 40.0:
            break
    return _log_sum_exp(terms)


def erlang_a(
    agents: int,
    traffic: float,
    aht_s: float,
    patience_s: float,
    target_time_s: float = 20.0,
) -> Performance:
    """M/M/n+M with mean patience ``patience_s`` (exponential); see the module docstring."""
    _check_agents(agents)
    _check_positive("traffic", traffic, zero_ok=True)
    _check_positive("aht_s", aht_s)
    _check_positive("patience_s", patience_s)
    _check_positive("target_time_s", target_time_s, zero_ok=True)
    if traffic == 0:
        return Performance(agents, 1.0, 0.0, 0.0, 0.0, 0.0)
    n = agents
    mu = 1.0 / aht_s
    theta = 1.0 / patience_s
    lam = traffic * mu
    x = n * mu / theta
    y = lam / theta
    b = erlang_b(n, traffic)
    log_a = _log_series(x, y)
    # P(wait) = A B / (1 + (A - 1) B) = B / (1/A + B - B/A), stable when A is huge
    inv_a = math.exp(-log_a)
    p_wait = b / (inv_a + b - b * inv_a)
    rho = y / x
    p_ab_given_wait = max(0.0, inv_a / rho + 1.0 - 1.0 / rho)
    abandon = p_wait * p_ab_given_wait
    # answered within T: [g(x+1, y) - g(x+1, y e^-theta T)] / (y g(x, y)) of those who wait
    log_base = _log_lower_gamma(x, y) + math.log(y)
    within = math.exp(_log_lower_gamma(x + 1, y) - log_base)
    z = y * math.exp(-theta * target_time_s)
    if z > 0:
        within -= math.exp(_log_lower_gamma(x + 1, z) - log_base)
    service_level = (1.0 - p_wait) + p_wait * max(0.0, within)
    # mean wait of the answered: P(wait) x/(theta y A) sum a_j H_j, over P(answered)
    wait_answered = p_wait * x / (theta * y) * math.exp(_log_weighted_series(x, y) - log_a)
    answered = 1.0 - abandon
    asa = wait_answered / answered if answered > 0 else math.inf
    return Performance(
        agents=n,
        service_level=min(1.0, max(0.0, service_level)),
        asa=asa,
        p_wait=p_wait,
        abandon_rate=abandon,
        occupancy=traffic * answered / n,
    )


# --- staffing ----------------------------------------------------------------------------------


def agents_needed(
    traffic: float,
    aht_s: float,
    target_sl: float,
    target_time_s: float = 20.0,
    patience_s: float | None = None,
) -> int:
    """The fewest agents whose service level within ``target_time_s`` reaches ``target_sl``.

    Erlang C without ``patience_s`` (at least ``floor(traffic) + 1`` agents), Erlang A with it.
    """
    _check_positive("traffic", traffic, zero_ok=True)
    _check_positive("aht_s", aht_s)
    _check_positive("target_time_s", target_time_s, zero_ok=True)
    if not isinstance(target_sl, int | float) or not 0 < target_sl < 1:
        raise ValueError(f"target_sl is a fraction strictly between 0 and 1, not {target_sl!r}")
    if patience_s is not None:
        _check_positive("patience_s", patience_s)
    if traffic == 0:
        return 1

    def reaches(n: int) -> bool:
        if patience_s is None:
            b = erlang_b(n, traffic)
            return _erlang_c_from(n, traffic, aht_s, target_time_s, b).service_level >= target_sl
        return erlang_a(n, traffic, aht_s, patience_s, target_time_s).service_level >= target_sl

    low = 1 if patience_s is not None else math.floor(traffic) + 1  # Erlang C needs n > a
    if reaches(low):
        return low
    limit = 10 * math.ceil(traffic) + 1000
    high = low
    while True:  # the service level rises with every agent: double, then halve
        low, high = high, min(limit, high * 2)
        if reaches(high):
            break
        if high == limit:
            raise ValueError(f"no staffing up to {limit} agents reaches {target_sl}")
    while high - low > 1:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle
    return high


def staffing(
    calls: float,
    interval_s: float,
    aht_s: float,
    *,
    agents: int | None = None,
    target_sl: float | None = None,
    target_time_s: float = 20.0,
    patience_s: float | None = None,
) -> dict[str, float | int]:
    """Erlang C (or Erlang A with ``patience_s``) for ``calls`` arriving in ``interval_s``.

    Give ``agents`` to see what they achieve, or ``target_sl`` (e.g. 0.8 for 80 %) to get the
    agents needed. Returns ``agents``, ``service_level`` (within ``target_time_s``), ``asa``
    (seconds), ``p_wait``, ``abandon_rate`` (0 under Erlang C) and ``occupancy``.
    """
    _check_positive("calls", calls, zero_ok=True)
    _check_positive("interval_s", interval_s)
    _check_positive("aht_s", aht_s)
    _check_positive("target_time_s", target_time_s, zero_ok=True)
    if patience_s is not None:
        _check_positive("patience_s", patience_s)
    if (agents is None) == (target_sl is None):
        raise ValueError("give either agents (to evaluate) or target_sl (to size), not both")
    traffic = calls * aht_s / interval_s
    if agents is None:
        assert target_sl is not None
        agents = agents_needed(traffic, aht_s, target_sl, target_time_s, patience_s)
    _check_agents(agents)
    if patience_s is None:
        result = erlang_c_performance(agents, traffic, aht_s, target_time_s)
    else:
        result = erlang_a(agents, traffic, aht_s, patience_s, target_time_s)
    return asdict(result)
