"""Token buckets: bursts allowed, then the steady rate; keys independent."""

from __future__ import annotations

import pytest

from switchboard.core.ratelimit import RateLimiter


def test_burst_then_rate() -> None:
    limiter = RateLimiter(rate=10, burst=5)
    assert [limiter.take("pbx1", 0.0) for _ in range(5)] == [0.0] * 5
    assert limiter.take("pbx1", 0.0) == pytest.approx(0.1)
    assert limiter.take("pbx1", 0.1) == 0.0  # one token refilled
    assert limiter.take("pbx1", 0.1) > 0


def test_keys_are_independent() -> None:
    limiter = RateLimiter(rate=1, burst=1)
    assert limiter.take("a", 0.0) == 0.0
    assert limiter.take("a", 0.0) > 0
    assert limiter.take("b", 0.0) == 0.0


def test_never_more_than_burst() -> None:
    limiter = RateLimiter(rate=100, burst=3)
    limiter.take("a", 0.0)
    allowed = sum(limiter.take("a", 1000.0) == 0.0 for _ in range(10))
    assert allowed == 3


def test_bad_config() -> None:
    with pytest.raises(ValueError, match="rate"):
        RateLimiter(rate=0, burst=1)
