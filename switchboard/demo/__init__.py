"""Demo data and the simulated CTI feed behind ``switchboard demo``."""

from switchboard.demo.dataset import (
    CALLER_KINDS,
    WITHHELD_NUMBERS,
    CallerPicker,
    demo_agents,
    demo_customers,
    to_e164,
)
from switchboard.demo.feed import run_feed

__all__ = [
    "CALLER_KINDS",
    "WITHHELD_NUMBERS",
    "CallerPicker",
    "demo_agents",
    "demo_customers",
    "run_feed",
    "to_e164",
]
