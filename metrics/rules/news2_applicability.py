"""Whom NEWS2 applies to: never a low score for a child or a pregnant woman.

Source: Royal College of Physicians. *National Early Warning Score (NEWS) 2:
Standardising the assessment of acute-illness severity in the NHS.* Updated
report of a working party. London: RCP, December 2017: NEWS2 is not validated
for use in children under 16 or in pregnancy (where a modified obstetric early
warning score, MEOWS, is used; children use a paediatric early warning score,
PEWS). NICE NG51 (2024) likewise grades sepsis risk by NEWS2 only for people
aged 16 or over who are not pregnant or recently pregnant.

Why this exists: a NEWS2 of 0 computed for a pregnant woman reads as
reassurance the score cannot give. A stay on a ward whose configured early
warning score is not NEWS2 (the maternity ward: MEOWS), or with an active
PREGNANT flag, or a patient under 16, gets no NEWS2 score, risk or monitoring
level, is counted on no NEWS2 tile, and carries the reason instead.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

PREGNANCY_REASON: Final[str] = "NEWS2 not applicable: pregnancy (use MEOWS)"
NOT_NEWS2_WARD_REASON: Final[str] = "NEWS2 not applicable on this ward (use {score})"


def child_reason(minimum_age_years: int) -> str:
    """The reason a child's board row gives instead of a NEWS2."""
    return f"NEWS2 not applicable under {minimum_age_years} (use PEWS)"


def not_applicable_reason(
    age_years: pd.Series,
    pregnant: pd.Series,
    ward_score: pd.Series,
    minimum_age_years: int,
) -> pd.Series:
    """Per stay, why NEWS2 does not apply (text), or <NA> where it does.

    ``ward_score`` is the early warning score configured for the stay's ward
    (``NEWS2``, ``MEOWS``, ``PEWS``). First match wins: a pregnant patient
    (PREGNANT flag, or a ward whose score is MEOWS), then a child (age under
    ``minimum_age_years``), then any other ward whose score is not NEWS2.
    An unknown age is not read as a child: the stay keeps NEWS2.
    """
    index = age_years.index
    ward = ward_score.astype("string").str.upper().fillna("NEWS2").to_numpy(dtype=object)
    is_pregnant = pregnant.fillna(False).to_numpy(dtype=bool) | (ward == "MEOWS")
    is_child = (pd.to_numeric(age_years, errors="coerce") < minimum_age_years).fillna(False).to_numpy(dtype=bool)
    other_ward = ward != "NEWS2"
    reason = np.select(
        [is_pregnant, is_child, other_ward],
        [
            np.full(len(index), PREGNANCY_REASON, dtype=object),
            np.full(len(index), child_reason(minimum_age_years), dtype=object),
            np.asarray([NOT_NEWS2_WARD_REASON.format(score=w) for w in ward], dtype=object),
        ],
        default=np.full(len(index), None, dtype=object),
    )
    return pd.Series(reason, index=index, dtype="string")
