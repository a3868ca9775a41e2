"""Word forms from maintained morphology: pymorphy3 for Russian, Snowball for English.

``lemma("купила") == lemma("купить") == "купить"``, ``lemma("papers") == lemma("paper")``.
Both libraries ship their data (pymorphy3-dicts-ru, the Snowball algorithms), so
nothing is downloaded. The analyser is loaded once, on first use (about 0.1 s),
and every word's answer is cached, so a note's words cost a dictionary look-up.

Function words (prepositions, conjunctions, particles, pronouns — as pymorphy3
tags them, and a short English list) have no lemma: they say nothing about a
note's topic.
"""

from __future__ import annotations

import logging
import re
from functools import cache, lru_cache
from typing import Any

_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"^[a-z]+$")
# pymorphy3's grammemes of words that carry no topic.
_FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL", "NPRO", "INTJ"})
_STOPWORDS = """
    a an the and or but if so as of to in on at by for from with without into onto about over
    under than then this that these those there here it its is are was were be been being am
    i me my mine we us our you your he him his she her they them their who whom which what
    when where why how all any some no not do does did doing done have has had having will
    would shall should can could may might must just also very too up out off again once
    s t ll ve re d m
"""
_ENGLISH_STOPWORDS = frozenset(_STOPWORDS.split())


@cache
def _russian() -> Any:
    import pymorphy3  # type: ignore[import-untyped]

    # It logs where it loads its dictionaries from, at info level, on every start.
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)
    return pymorphy3.MorphAnalyzer(lang="ru")


@cache
def _english() -> Any:
    import snowballstemmer  # type: ignore[import-untyped]

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=131072)
def lemma(word: str) -> str:
    """The dictionary form (Russian) or stem (English) of a lower-cased word; "" if none.

    Digits-only words and function words have none.
    """
    if not word or word.isdigit():
        return ""
    if _CYRILLIC.search(word):
        parse = _russian().parse(word)[0]
        if parse.tag.POS in _FUNCTION_POS:
            return ""
        return str(parse.normal_form).replace("ё", "е")
    if _LATIN.match(word):
        if word in _ENGLISH_STOPWORDS:
            return ""
        return str(_english().stemWord(word))
    return word
