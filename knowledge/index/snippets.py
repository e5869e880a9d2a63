"""Snippets: the passage of an article where the query's words are densest, words marked.

Engine-neutral and cheap: the article's plain text is searched with one regular expression
built from the query's terms (Chinese words as written, English stems followed by any letters
so ``refund`` marks ``refunds``, codes with optional separators so ``5gplus199`` marks
``5G-PLUS-199``); no re-analysis of the article with jieba.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from knowledge.index.analysis import fold, has_cjk
from knowledge.index.port import Snippet

#: Characters of a snippet (Chinese text is denser: it gets fewer).
SNIPPET_CHARS = 160
SNIPPET_CHARS_CJK = 90
#: Characters of an article scanned for matches.
SCAN_CHARS = 20_000
#: Matches considered when choosing the window.
MAX_MATCHES = 200
#: Characters kept before the first match, for context.
LEAD_CHARS = 24


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    words: list[str] = []  # English stems: the stem and any letters after it
    literals: list[str] = []  # Chinese words: as they are
    codes: list[str] = []  # anything with digits: separators allowed between characters
    for term in sorted(set(terms), key=len, reverse=True):
        if not term:
            continue
        if has_cjk(term):
            literals.append(re.escape(term))
        elif term.isalpha():
            # A Porter stem is a prefix of its words except for y → i (batteri: battery).
            words.append(re.escape(term[:-1] if term.endswith("i") and len(term) > 3 else term))
        else:
            codes.append(r"[-_ ]?".join(re.escape(ch) for ch in term))
    alternatives = list(literals)
    if words:
        alternatives.append(rf"(?<![a-z0-9])(?:{'|'.join(words)})[a-z]*")
    if codes:
        alternatives.append(rf"(?<![a-z0-9])(?:{'|'.join(codes)})(?![a-z0-9])")
    if not alternatives:
        return None
    # A one-character look-ahead lets the regex engine skip most positions at once.
    firsts = "".join(sorted({re.escape(t[0]) for t in terms if t}))
    return re.compile(f"(?=[{firsts}])(?:{'|'.join(alternatives)})")


def make_snippet(
    text: str, terms: Iterable[str], fallback: str = "", folded: str | None = None
) -> Snippet:
    """The best window of ``text`` for ``terms``; ``fallback`` (the summary) when none match.

    ``folded`` is ``fold(text[:SCAN_CHARS])`` when the caller has it already.
    """
    pattern = _pattern(terms if isinstance(terms, tuple) else tuple(sorted(set(terms))))
    scanned = text[:SCAN_CHARS]
    if folded is None:
        folded = fold(scanned)
    matches = list(pattern.finditer(folded))[:MAX_MATCHES] if pattern else []
    if not matches:
        source = fallback or text
        prefix, piece, suffix = _cut(source, 0, _width(source))
        return Snippet(prefix + piece + suffix)
    width = _width(scanned)
    best_start, best_score = matches[0].start(), -1
    counts: dict[str, int] = {}
    j = 0  # matches[i:j] fit in a window starting at matches[i]
    for i, first in enumerate(matches):
        while j < len(matches) and matches[j].end() - first.start() <= width:
            word = matches[j].group()
            counts[word] = counts.get(word, 0) + 1
            j += 1
        score = len(counts) * 10 + (j - i)
        if score > best_score:
            best_start, best_score = first.start(), score
        word = first.group()
        counts[word] -= 1
        if not counts[word]:
            del counts[word]
    start = _back_to_boundary(scanned, max(0, best_start - LEAD_CHARS), best_start)
    prefix, piece, suffix = _cut(text, start, width)
    spans: list[tuple[int, int]] = []
    for match in matches:
        if match.start() >= start and match.end() <= start + len(piece):
            s, e = match.start() - start + len(prefix), match.end() - start + len(prefix)
            if spans and s == spans[-1][1]:
                spans[-1] = (spans[-1][0], e)  # 电源 + 键: one mark for 电源键
            elif not spans or s > spans[-1][1]:
                spans.append((s, e))
    return Snippet(prefix + piece + suffix, tuple(spans))


def _width(text: str) -> int:
    return SNIPPET_CHARS_CJK if has_cjk(text[:200]) else SNIPPET_CHARS


def _back_to_boundary(text: str, earliest: int, match_start: int) -> int:
    """Start at a sentence or word boundary between ``earliest`` and the match, if one."""
    for i in range(match_start - 1, earliest - 1, -1):
        if text[i] in "。！？；\n.!?;":
            return i + 1
    if earliest == 0:
        return 0
    for i in range(earliest, match_start):
        if text[i] in " \t，,、":
            return i + 1
    return earliest


def _cut(text: str, start: int, width: int) -> tuple[str, str, str]:
    """``text[start:start+width]`` on one line, cut at a word end for English; with ellipses."""
    piece = text[start : start + width].replace("\n", " ")
    suffix = "…" if start + width < len(text) else ""
    if suffix and not has_cjk(piece[-20:]):
        cut = piece.rfind(" ")
        if cut > width // 2:
            piece = piece[:cut]
    return ("…" if start > 0 else ""), piece, suffix
