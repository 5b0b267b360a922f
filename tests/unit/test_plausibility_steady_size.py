"""The row-drop gate skips a table whose size swings by nature: expected admissions halving (a Sunday after a Friday)
never holds an extract, while the same fall in a steady table still does."""

from __future__ import annotations

from metrics.config.models import GatesFile
from metrics.extract.plausibility import shrunk_tables


def test_expected_admissions_falling_by_half_does_not_hold_the_extract_but_falls_risk_does():
    before = {"expected_admissions": {"used": 80}, "falls_risk": {"used": 80}}
    now = {"expected_admissions": {"used": 20}, "falls_risk": {"used": 20}}
    assert shrunk_tables(now, GatesFile(), before, "yesterday") == [
        "falls_risk 20 rows (yesterday 80), down more than 50%"
    ]
