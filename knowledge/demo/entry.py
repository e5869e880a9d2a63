"""One hand-written demo article: its front matter and its Markdown body."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    category: str
    title: str
    body: str
    products: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    language: str = "zh"
    status: str = "published"
    valid_from: date | None = None
    valid_to: date | None = None


def E(  # short on purpose: the content modules call it hundreds of times
    id: str,
    kind: str,
    category: str,
    title: str,
    body: str,
    *,
    products: str = "",
    tags: str = "",
    language: str = "zh",
    status: str = "published",
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Entry:
    """An entry; ``products`` and ``tags`` are space-separated, ``body`` is dedented."""
    return Entry(
        id=id,
        kind=kind,
        category=category,
        title=title,
        body=textwrap.dedent(body).strip(),
        products=tuple(products.split()),
        tags=tuple(tags.split()),
        language=language,
        status=status,
        valid_from=valid_from,
        valid_to=valid_to,
    )
