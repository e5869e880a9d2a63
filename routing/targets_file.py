"""Reading the targets file (``routing.metrics.targets`` parses it)."""

from __future__ import annotations

from pathlib import Path

from routing.metrics.targets import Targets, TargetsError, parse_targets


def load_targets(path: str | Path) -> Targets:
    """The targets of a TOML file; a problem raises :class:`TargetsError` naming file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TargetsError(f"{path}: cannot read: {exc}") from None
    return parse_targets(text, str(path))
