"""The demo knowledge base: a fictional operator's plans, bills, faults, rules and scripts.

``knowledge/demo/articles/`` holds the Markdown files (written by
``python -m knowledge.demo.generate``); :func:`load_demo` reads them like any other knowledge
base.
"""

from __future__ import annotations

from pathlib import Path

from knowledge.markdown_import import ImportReport, read_directory

DEMO_DIR = Path(__file__).resolve().parent / "articles"


def load_demo(directory: Path = DEMO_DIR) -> ImportReport:
    """Read the demo articles (problems, if any, are in the report)."""
    return read_directory(directory)
