"""Words of a text and a title from its first line, for the classifiers and hand routing."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
TITLE_CHARS = 80


def normalise(text: str) -> str:
    return text.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    """Lower-cased words (letters and digits), "ё" read as "е"."""
    return _WORD.findall(normalise(text))


def first_line_title(text: str) -> str:
    """The first line of ``text``, cut at a word boundary to fit a title."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(line) <= TITLE_CHARS:
        return line
    cut = line[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",.;:—-")
    return cut + "…"
