"""Soft hyphens in the executive wall's narrow column heads.

Why this exists: thirty measures across one 1920x1080 (or 1366x768) screen leave each head a column a
few letters wide. Left to itself the browser either widens the table off the screen or, told to break
anywhere, splits words where no reader expects ("Patien/ts", "COVI/D-19"). Chromium on Linux has no
hyphenation dictionary for ``hyphens: auto``, so the heads carry soft hyphens (U+00AD) placed by the TeX
en-GB patterns (pyphen): a word breaks only at a syllable, with a visible hyphen, and not at all when it fits.
Codes and abbreviations (any capital after the first letter, or a digit: "COVID-19", "NEWS2") never break.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyphen

SOFT_HYPHEN = "\u00ad"
_SHORTEST = 7  # words shorter than this stay whole: the column is at least that wide
_PLAIN_WORD = re.compile(r"^[A-Za-z][a-z]+$")


@lru_cache(maxsize=1)
def _patterns() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_GB", left=3, right=3)


def _word(word: str) -> str:
    """One word's break points; pieces of a hyphenated compound are taken one by one."""
    if "-" in word:
        return "-".join(_word(part) for part in word.split("-"))
    if len(word) < _SHORTEST or not _PLAIN_WORD.match(word):
        return word
    return str(_patterns().inserted(word, hyphen=SOFT_HYPHEN))


@lru_cache(maxsize=2048)
def soft_hyphenated(text: str) -> str:
    """``text`` with soft hyphens at the syllable breaks of its long plain words; reads the same when it fits."""
    return " ".join(_word(w) for w in text.split(" "))
