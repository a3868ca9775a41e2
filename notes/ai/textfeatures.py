"""Words and character n-grams of a text, for the local classifier and hand routing."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
NGRAM_SIZES = (3, 4, 5)
TITLE_CHARS = 80


def normalise(text: str) -> str:
    return text.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    """Lower-cased words (letters and digits), "ё" read as "е"."""
    return _WORD.findall(normalise(text))


@lru_cache(maxsize=65536)
def ngrams(word: str) -> tuple[str, ...]:
    """Character n-grams of ``^word$``; a one-letter word is kept whole."""
    padded = f"^{word}$"
    if len(padded) <= NGRAM_SIZES[0]:
        return (padded,)
    return tuple(
        padded[start : start + size]
        for size in NGRAM_SIZES
        for start in range(len(padded) - size + 1)
    )


def first_line_title(text: str) -> str:
    """The first line of ``text``, cut at a word boundary to fit a title."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(line) <= TITLE_CHARS:
        return line
    cut = line[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",.;:—-")
    return cut + "…"
