"""Spec: whom NEWS2 applies to (RCP 2017: not validated under 16 or in pregnancy).

Each row is one patient: age, pregnancy flag, the ward's early warning score, and the reason the board gives.
"""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.rules.news2_applicability import not_applicable_reason

PREGNANCY = "NEWS2 not applicable: pregnancy (use MEOWS)"
CHILD = "NEWS2 not applicable under 16 (use PEWS)"

CASES = [
    # (age, PREGNANT flag, ward's score, reason or None when NEWS2 applies, behaviour)
    (70, False, "NEWS2", None, "an_adult_on_a_news2_ward_is_scored"),
    (16, False, "NEWS2", None, "sixteen_is_scored"),
    (15, False, "NEWS2", CHILD, "fifteen_is_a_child"),
    (0, False, "NEWS2", CHILD, "a_baby_is_a_child"),
    (31, False, "MEOWS", PREGNANCY, "the_maternity_ward_uses_meows"),
    (29, True, "NEWS2", PREGNANCY, "a_pregnancy_flag_on_a_news2_ward"),
    (15, True, "NEWS2", PREGNANCY, "a_pregnant_child_reads_as_pregnancy"),
    (12, False, "PEWS", CHILD, "a_child_on_the_childrens_ward"),
    (17, False, "PEWS", "NEWS2 not applicable on this ward (use PEWS)", "a_seventeen_year_old_on_the_childrens_ward"),
    (None, False, "NEWS2", None, "an_unknown_age_is_not_read_as_a_child"),
    (70, False, None, None, "a_ward_without_a_setting_uses_news2"),
]


@pytest.mark.parametrize("age, pregnant, ward_score, reason, behaviour", CASES, ids=[c[-1] for c in CASES])
def test_not_applicable_reason(
    age: int | None, pregnant: bool, ward_score: str | None, reason: str | None, behaviour: str
) -> None:
    got = not_applicable_reason(
        pd.Series([age], dtype="Int64"),
        pd.Series([pregnant]),
        pd.Series([ward_score], dtype="string"),
        16,
    )
    assert (None if pd.isna(got.iloc[0]) else got.iloc[0]) == reason
