"""Small text helpers that count terminal cells, so Chinese (double-width) text lines up."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

ELLIPSIS = "…"


def fit(text: str, width: int) -> str:
    """``text`` padded or cut to exactly ``width`` cells; a cut ends with an ellipsis."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length <= width:
        return text + " " * (width - length)
    return set_cell_size(text, width - 1) + ELLIPSIS


def column_width(values: list[str], cap: int, floor: int = 1) -> int:
    """The cell width of the widest value, between ``floor`` and ``cap``."""
    widest = max((cell_len(value) for value in values), default=0)
    return max(floor, min(cap, widest))


def elapsed(seconds: float) -> str:
    """``m:ss`` under an hour, ``h:mm:ss`` above; negative (clock skew) counts as zero."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def humanize(token: str) -> str:
    """``on_call`` → ``On call``."""
    words = token.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "—"
