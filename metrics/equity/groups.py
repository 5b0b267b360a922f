"""The groups a proportion metric is split by: deprivation quintile, ethnic group, age band and sex.

Why this exists: every split, its group labels and their order are declared once here, so the engine that counts
them and the view that draws them agree.

Sources:
* Deprivation: the English Indices of Deprivation 2019 (Ministry of Housing, Communities and Local Government,
  September 2019) rank every Lower-layer Super Output Area; the decile is 1 (most deprived 10 %) to 10 (least).
  Quintile q holds deciles 2q-1 and 2q, so quintile 1 is the most deprived fifth: the "Core20" of NHS England's
  Core20PLUS5 approach to reducing healthcare inequalities (the most deprived 20 % of the national population as
  identified by the national Index of Multiple Deprivation).
* Ethnic group: NHS Data Dictionary, ETHNIC CATEGORY (the 2001 census categories): codes A-C White, D-G Mixed,
  H-L Asian or Asian British, M-P Black or Black British, R-S Other ethnic groups; Z not stated; 99 not known.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

NOT_KNOWN = "Not known"
NOT_STATED = "Not stated or not known"

QUINTILES: tuple[str, ...] = (
    "Q1 most deprived (Core20)",
    "Q2",
    "Q3",
    "Q4",
    "Q5 least deprived",
)
ETHNIC_GROUPS: tuple[str, ...] = (
    "White",
    "Mixed",
    "Asian or Asian British",
    "Black or Black British",
    "Other ethnic group",
)
AGE_BANDS: tuple[str, ...] = ("0-17", "18-64", "65-74", "75-84", "85+")
SEXES: tuple[str, ...] = ("Female", "Male")

# ETHNIC CATEGORY code -> broad group (NHS Data Dictionary); Z and 99 are "not stated or not known"
ETHNIC_CATEGORY_GROUP: Mapping[str, str] = {
    **dict.fromkeys(("A", "B", "C"), "White"),
    **dict.fromkeys(("D", "E", "F", "G"), "Mixed"),
    **dict.fromkeys(("H", "J", "K", "L"), "Asian or Asian British"),
    **dict.fromkeys(("M", "N", "P"), "Black or Black British"),
    **dict.fromkeys(("R", "S"), "Other ethnic group"),
}

# split code -> (label shown, the groups in order; the last is the "not known" group)
SPLITS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "deprivation": ("Deprivation quintile (IMD 2019)", (*QUINTILES, NOT_KNOWN)),
    "ethnicity": ("Ethnic group", (*ETHNIC_GROUPS, NOT_STATED)),
    "age": ("Age band", (*AGE_BANDS, NOT_KNOWN)),
    "sex": ("Sex", (*SEXES, NOT_KNOWN)),
}


def quintile_of_decile(decile: float | None) -> int | None:
    """IMD quintile 1 (most deprived) to 5 of an IMD decile 1 to 10; None when the decile is missing or impossible."""
    if decile is None or pd.isna(decile) or decile != int(decile) or not 1 <= decile <= 10:
        return None
    return (int(decile) + 1) // 2


def quintile_label(decile: float | None) -> str:
    quintile = quintile_of_decile(decile)
    return NOT_KNOWN if quintile is None else QUINTILES[quintile - 1]


def ethnic_group(code: str | None) -> str:
    """The broad ethnic group of an NHS Data Dictionary ETHNIC CATEGORY code (any case); else not stated."""
    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return NOT_STATED
    return ETHNIC_CATEGORY_GROUP.get(str(code).strip().upper(), NOT_STATED)


def age_band(age: float | None) -> str:
    """The age band of an age in whole years: 0-17, 18-64, 65-74, 75-84, 85+."""
    if age is None or pd.isna(age) or age < 0:
        return NOT_KNOWN
    for upper, band in ((18, "0-17"), (65, "18-64"), (75, "65-74"), (85, "75-84")):
        if age < upper:
            return band
    return "85+"


def sex_label(code: str | None) -> str:
    text = "" if code is None or (not isinstance(code, str) and pd.isna(code)) else str(code).strip().upper()
    return {"F": "Female", "M": "Male"}.get(text, NOT_KNOWN)


def _column(encounters: pd.DataFrame, name: str) -> pd.Series:
    """A column of the encounters, or all missing when the extract did not supply it."""
    if name in encounters.columns:
        return encounters[name]
    return pd.Series([None] * len(encounters), index=encounters.index, dtype=object)


def encounter_groups(encounters: pd.DataFrame) -> pd.DataFrame:
    """One row per encounter_id: the group of each split it falls in (a trust that supplies no decile or ethnic
    category sees every patient in that split's "not known" group, never an error)."""
    decile = pd.to_numeric(_column(encounters, "imd_decile"), errors="coerce").to_numpy(dtype="float64")
    valid = np.isfinite(decile) & (decile >= 1) & (decile <= 10) & (np.floor(decile) == decile)
    quintile = np.where(valid, (np.nan_to_num(decile) + 1) // 2, 0).astype(np.int64)
    labels = np.array((NOT_KNOWN, *QUINTILES), dtype=object)
    age = pd.to_numeric(_column(encounters, "age_years"), errors="coerce")
    bands = pd.cut(age, [-0.5, 17.5, 64.5, 74.5, 84.5, np.inf], labels=list(AGE_BANDS)).astype(object)
    ethnic = _column(encounters, "ethnic_category").astype(object)
    ethnic_text = ethnic.where(ethnic.notna(), "").astype(str).str.strip().str.upper()
    sex = _column(encounters, "sex").astype(object)
    sex_text = sex.where(sex.notna(), "").astype(str).str.strip().str.upper()
    return pd.DataFrame(
        {
            "encounter_id": encounters["encounter_id"].to_numpy(),
            "deprivation": labels[quintile],
            "ethnicity": ethnic_text.map(ETHNIC_CATEGORY_GROUP).fillna(NOT_STATED).to_numpy(),
            "age": bands.where(bands.notna(), NOT_KNOWN).to_numpy(),
            "sex": sex_text.map({"F": "Female", "M": "Male"}).fillna(NOT_KNOWN).to_numpy(),
        }
    )
