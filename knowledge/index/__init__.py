"""Full-text search over knowledge articles.

Callers use :class:`~knowledge.index.port.SearchIndex` and the values in ``port``; the engine
is ``knowledge.index.whoosh_index.WhooshIndex`` (imported on demand: it loads whoosh).
"""

from knowledge.index.port import Hit, SearchFilters, SearchIndex, SearchResult, Snippet

__all__ = ["Hit", "SearchFilters", "SearchIndex", "SearchResult", "Snippet"]
