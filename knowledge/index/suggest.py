"""Spelling correction against the index's own vocabulary ("did you mean").

A word of the query the index has never seen is replaced by the closest word it has:

- English words of four letters or more: the closest indexed term by optimal string alignment
  distance (a transposition counts as one edit) through rapidfuzz, at most one edit for words of
  up to five letters and two for longer ones; ties go to the term in more articles. Words with
  digits are never corrected: ``TX-1010`` is another product, not a typo of ``TX-1001``.
- Chinese: pinyin input methods produce homophones (畅想 for 畅享, 套参 for 套餐). A word (or a
  run of single characters jieba could not group) of two to four characters that the index does
  not have is replaced by an indexed word with the same toneless pinyin (heteronyms included),
  the one in most articles.

The vocabulary is built from the index when its searcher is (re)opened; the pinyin table only on
the first Chinese query that needs it.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, pinyin
from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.index.analysis import CHINESE_STOP_WORDS, CJK_CLASS, chinese_cut, stem

MIN_LATIN_LENGTH = 4
#: Endings tried after a stem when matching a misspelt word against the index's stems.
ENDINGS: tuple[str, ...] = ("e", "s", "es", "ed", "ing", "er", "ion", "ions", "ment", "y", "ies")
MAX_PINYIN_KEYS = 16  # readings of one word tried, heteronyms multiplied out
_ALPHA_TERM = re.compile(r"[a-z]{3,}")
_CJK_WORD = re.compile(f"[{CJK_CLASS}]{{2,4}}")


class Vocabulary:
    """The terms of an index with the number of articles each is in, and its product codes."""

    def __init__(self, terms: Mapping[str, int], codes: Iterable[str] = ()) -> None:
        self.terms = dict(terms)
        self.codes = frozenset(codes)
        self._forms: dict[str, tuple[list[str], list[str]]] | None = None
        self._pinyin: dict[tuple[str, ...], list[str]] | None = None
        self._lock = threading.Lock()

    def __contains__(self, term: object) -> bool:
        return term in self.terms

    def df(self, term: str) -> int:
        return self.terms.get(term, 0)

    def latin_forms(self, first: str) -> tuple[list[str], list[str]]:
        """English words as they may be written, starting with ``first``: each indexed stem
        with the usual endings (``roam``: roam, roams, roamed, roaming …), and the stem of
        each. Typos rarely touch the first letter, so the lists are kept per first letter."""
        if self._forms is None:
            with self._lock:
                if self._forms is None:
                    buckets: dict[str, tuple[list[str], list[str]]] = {}
                    for stem in sorted(t for t in self.terms if _ALPHA_TERM.fullmatch(t)):
                        forms, stems = buckets.setdefault(stem[0], ([], []))
                        base = stem[:-1] if stem.endswith("i") else stem
                        for form in {stem, *(base + ending for ending in ENDINGS)}:
                            forms.append(form)
                            stems.append(stem)
                    self._forms = buckets
        return self._forms.get(first, ([], []))

    def homophones(self, word: str) -> list[str]:
        """Indexed Chinese words with the same toneless pinyin as ``word``, most frequent first."""
        table = self._pinyin_table()
        found: set[str] = set()
        for key in pinyin_keys(word):
            found.update(table.get(key, ()))
        found.discard(word)
        return sorted(found, key=lambda w: (-self.df(w), w))

    def _pinyin_table(self) -> dict[tuple[str, ...], list[str]]:
        if self._pinyin is None:
            with self._lock:
                if self._pinyin is None:
                    table: dict[tuple[str, ...], list[str]] = {}
                    for term in self.terms:
                        if _CJK_WORD.fullmatch(term):
                            for key in pinyin_keys(term):
                                table.setdefault(key, []).append(term)
                    self._pinyin = table
        return self._pinyin


@lru_cache(maxsize=32_768)
def char_readings(char: str) -> tuple[str, ...]:
    """Toneless pinyin readings of one character (several for heteronyms like 行)."""
    readings = pinyin(char, style=Style.NORMAL, heteronym=True)
    return tuple(dict.fromkeys(readings[0])) if readings and readings[0] else (char,)


def pinyin_keys(word: str) -> list[tuple[str, ...]]:
    """Every toneless pinyin spelling of ``word`` (at most MAX_PINYIN_KEYS)."""
    choices = [char_readings(ch) for ch in word]
    return list(itertools.islice(itertools.product(*choices), MAX_PINYIN_KEYS))


def max_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def correct_latin(surface: str, term: str, vocabulary: Vocabulary) -> str | None:
    """The indexed stem to use for the unknown English word ``surface`` (stemmed: ``term``)."""
    if len(surface) < MIN_LATIN_LENGTH or not surface.isalpha() or term in vocabulary:
        return None
    forms, stems = vocabulary.latin_forms(surface[0])
    if not forms:
        return None
    limit = max_edits(surface)
    best: tuple[int, int, str] | None = None
    for _, distance, index in process.extract(
        surface, forms, scorer=OSA.distance, score_cutoff=limit, limit=12
    ):
        stem = stems[index]
        rank = (int(distance), -vocabulary.df(stem), stem)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


@dataclass(frozen=True, slots=True)
class Replacement:
    """Characters ``start:end`` of a Chinese run read as ``word``."""

    start: int
    end: int
    original: str
    word: str


def correct_chinese(run: str, vocabulary: Vocabulary) -> list[Replacement]:
    """Homophone corrections of a run of Chinese characters (see the module docstring)."""
    words = chinese_cut(run)
    offsets = list(itertools.accumulate((len(w) for w in words), initial=0))
    out: list[Replacement] = []
    i = 0
    while i < len(words):
        replaced = False
        # The longest window first: one unknown word, or several single characters.
        for j in range(min(len(words), i + 4), i, -1):
            window = words[i:j]
            text = "".join(window)
            if not 2 <= len(text) <= 4 or text in vocabulary:
                continue
            if len(window) > 1 and any(len(w) > 1 for w in window):
                continue  # several characters only when jieba left them single
            if any(w in CHINESE_STOP_WORDS for w in window):
                continue
            candidates = vocabulary.homophones(text)
            if candidates:
                out.append(Replacement(offsets[i], offsets[j], text, candidates[0]))
                i = j
                replaced = True
                break
        if not replaced:
            i += 1
    return out


def surface_for(term: str, texts: Iterable[str], typed: str = "") -> str | None:
    """A word as written in ``texts`` whose stem is ``term``, for display: the closest to what
    was ``typed`` (``refnuds`` → ``refunds`` rather than ``refund``), then the commonest."""
    counts: dict[str, int] = {}
    pattern = re.compile(rf"\b{re.escape(term)}[a-z]*\b", re.IGNORECASE)
    for text in texts:
        for match in pattern.finditer(text):
            word = match.group().lower()
            if stem(word) == term:
                counts[word] = counts.get(word, 0) + 1
    if not counts:
        return None
    return min(sorted(counts), key=lambda w: (OSA.distance(typed, w) if typed else 0, -counts[w]))
