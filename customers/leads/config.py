"""Reading the lead-scoring rules file (the default ships with the package)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from customers.leads.scoring import ScoringConfig, parse_scoring_config


def default_scoring_text() -> str:
    return resources.files("customers.leads").joinpath("default_scoring.toml").read_text("utf-8")


def load_scoring_config(path: str | Path | None = None) -> ScoringConfig:
    """The rules in ``path``, or the packaged defaults when ``path`` is None."""
    text = default_scoring_text() if path is None else Path(path).read_text("utf-8")
    return parse_scoring_config(text)
