"""The executive wall's column heads break only at syllables, with a visible hyphen, and codes never break."""

from __future__ import annotations

import pytest

from dashboard.common.hyphenation import SOFT_HYPHEN, soft_hyphenated


@pytest.mark.parametrize(
    ("head", "breaks"),
    [
        ("Medicines reconciliation due", "Medi|cines recon|cili|ation due"),
        ("Risk assessments outstanding", "Risk assess|ments out|stand|ing"),
        ("Least-restrictive reviews due", "Least-restrict|ive reviews due"),
        ("Unregistered nurses, day", "Unre|gistered nurses, day"),
        ("Infection isolation", "Infec|tion isol|a|tion"),
        # short words and codes stay whole
        ("Patients on ward", "Patients on ward"),
        ("Awaiting COVID-19 test", "Await|ing COVID-19 test"),
        ("NEWS2 of 5 or more", "NEWS2 of 5 or more"),
        ("Sepsis screen", "Sepsis screen"),
        ("C. difficile", "C. dif|fi|cile"),
        ("", ""),
    ],
)
def test_heads_break_at_syllables_only(head: str, breaks: str) -> None:
    shown = soft_hyphenated(head)
    assert shown.replace(SOFT_HYPHEN, "|") == breaks
    assert shown.replace(SOFT_HYPHEN, "") == head, "the words read the same when they fit"
