"""Sepsis screen: which patients with suspected infection need sepsis action now, and which criterion says so.

This is a screen, not a diagnosis: it finds the patients a clinician must
assess for sepsis now, from what an EPR extract carries.

Sources:

* NICE guideline NG51, *Suspected sepsis: recognition, diagnosis and early
  management* (2016, updated January 2024), recommendation 1.11.5: in people
  aged 16 or over with suspected or confirmed infection, in acute hospital
  settings, a NEWS2 of 7 or more suggests high risk of severe illness or death
  from sepsis, 5 or 6 moderate risk, 1 to 4 low risk, and 0 very low risk.
  NG51 grades by NEWS2 only for people aged 16 or over who are not pregnant or
  recently pregnant.
* Royal College of Physicians, *National Early Warning Score (NEWS) 2*, 2017:
  a score of 3 in any single parameter (a red score) needs an urgent
  ward-based response. NICE (NG51 research recommendation 6) names the risk
  of a single red parameter as uncertain; the screen counts it, since it
  cannot be shown as safe.
* UK Sepsis Trust red flags that NEWS2 does not carry and an extract can:
  lactate 2 mmol/L or more, new need for oxygen, non-blanching rash, mottled
  or ashen skin, no urine passed in 18 hours. Lactate comes from lab_results
  (test ``lactate``, mmol/L); the others are EPR flags (config/clinical.yaml).

Rules, each deliberate:

* Only a NEWS2 within its monitoring interval grades risk (the board's NEWS2
  status is not ``overdue``). An incomplete newest set grades by its minimum
  only when that minimum already reaches 5: a partial 6 is at least moderate
  risk; a partial 2 cannot be graded.
* A patient with suspected infection whose risk cannot be graded (no NEWS2
  within its interval, an incomplete set, NEWS2 not applicable, no
  observations) screens positive with the reason: never a silent negative.
* The latest lactate collected within the configured window counts (a repeat
  lactate below 2 after a high one clears that criterion).
* Every criterion that fires is listed, in a fixed order, so the board can
  say which one fired.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

import numpy as np
import pandas as pd

from metrics.rules.clock import as_utc

SEPSIS_COLUMNS: Final[list[str]] = [
    "encounter_id",
    "sepsis_positive",
    "sepsis_risk",
    "sepsis_trigger",
    "sepsis_note",
]
RISK_GRADES: Final[tuple[str, ...]] = ("very low", "low", "moderate", "high")
SOURCE: Final[str] = "NICE NG51"


@dataclass(frozen=True)
class SepsisSettings:
    """The screen's configuration: which flags mean what, and the lactate red flag."""

    sepsis_flags: tuple[str, ...] = ("SEPSIS",)
    infection_flags: tuple[str, ...] = ("SUSPECTED_INFECTION",)
    red_flags: Mapping[str, str] = field(default_factory=dict)  # flag code -> the red flag in words
    lactate_test: str = "lactate"
    lactate_at_least_mmol_l: float = 2.0
    lactate_within_hours: float = 24.0


@dataclass(frozen=True)
class News2Reading:
    """What the NEWS2 board says about one stay, as the screen needs it.

    ``minimum`` is the newest set's score (exact when ``missing`` is empty, else
    the least it can be); ``red`` a parameter scoring 3 in it; ``usable`` False
    when the NEWS2 is overdue or does not apply, with ``why_not`` saying so.
    """

    minimum: int | None
    missing: str = ""
    red: bool = False
    usable: bool = True
    why_not: str | None = None


@dataclass(frozen=True)
class Lactate:
    """The latest lactate in the window: value in mmol/L and when it was taken (UK local text)."""

    value: float
    taken: str


@dataclass(frozen=True)
class SepsisResult:
    """One stay screened: positive, the NICE risk grade (None if not graded), criteria fired, and a note."""

    positive: bool
    risk: str | None
    criteria: tuple[str, ...]
    note: str | None


def nice_risk(news2_score: int) -> str:
    """NICE NG51 1.11.5: 7+ high, 5-6 moderate, 1-4 low, 0 very low."""
    if news2_score >= 7:
        return "high"
    if news2_score >= 5:
        return "moderate"
    return "low" if news2_score >= 1 else "very low"


def _graded(news2: News2Reading | None) -> tuple[str | None, str]:
    """(risk grade or None, the note that explains it)."""
    if news2 is not None and not news2.usable:
        return None, f"{news2.why_not}: sepsis risk cannot be graded by NEWS2"
    if news2 is None or news2.minimum is None:
        return None, "no observations: sepsis risk cannot be graded"
    if not news2.missing:
        risk = nice_risk(news2.minimum)
        return risk, f"NEWS2 {news2.minimum}: {risk} risk ({SOURCE})"
    if news2.minimum >= 5:
        risk = nice_risk(news2.minimum)
        return risk, f"NEWS2 ≥ {news2.minimum} ({news2.missing} missing): {risk} risk at least ({SOURCE})"
    return None, f"newest set incomplete ({news2.missing} missing): sepsis risk cannot be graded"


def sepsis_screen(
    active_flags: Iterable[str],
    news2: News2Reading | None,
    lactate: Lactate | None,
    settings: SepsisSettings,
) -> SepsisResult:
    """Screen one stay (module docstring); the reference the per-stay frame follows row for row."""
    flags = {str(f).upper() for f in active_flags}
    has_sepsis_flag = any(f.upper() in flags for f in settings.sepsis_flags)
    infected = has_sepsis_flag or any(f.upper() in flags for f in settings.infection_flags)
    if not infected:
        return SepsisResult(False, None, (), None)
    risk, note = _graded(news2)
    fired: list[str] = []
    if has_sepsis_flag:
        fired.append("active sepsis flag")
    if risk in ("high", "moderate"):
        fired.append(f"suspected infection with {note}")
    if news2 is not None and news2.usable and news2.red:
        fired.append("suspected infection with a NEWS2 parameter scoring 3 (RCP red score)")
    if lactate is not None and lactate.value >= settings.lactate_at_least_mmol_l:
        fired.append(f"suspected infection with lactate {lactate.value:g} mmol/L at {lactate.taken} (red flag)")
    for code, words in settings.red_flags.items():
        if code.upper() in flags:
            fired.append(f"suspected infection with {words} (red flag)")
    if risk is None and not fired:
        fired.append(f"suspected infection, not graded: {note}")
    return SepsisResult(bool(fired), risk, tuple(fired), note)


def flag_is_active(patient_flags: pd.DataFrame, extracted_at: pd.Timestamp | datetime) -> np.ndarray:
    """Per flag row: raised at or before ``extracted_at`` and not cleared at or before it."""
    ext = as_utc(extracted_at)
    raised = patient_flags["raised_at"]
    cleared = patient_flags["cleared_at"]
    active: np.ndarray = (
        (raised <= ext).fillna(False) & (cleared.isna() | (cleared > ext).fillna(False))
    ).to_numpy(dtype=bool)
    return active


def active_flags_per_encounter(patient_flags: pd.DataFrame, extracted_at: pd.Timestamp | datetime) -> pd.DataFrame:
    """Flags active at ``extracted_at`` (see :func:`flag_is_active`), one row per (encounter_id, flag)."""
    out = patient_flags.loc[flag_is_active(patient_flags, extracted_at), ["encounter_id", "flag"]].copy()
    out["flag"] = out["flag"].astype("string").str.upper()
    return out.drop_duplicates().reset_index(drop=True)


def latest_lactate_per_patient(
    lab_results: pd.DataFrame, extracted_at: pd.Timestamp | datetime, settings: SepsisSettings
) -> pd.DataFrame:
    """Per patient, the latest lactate (mmol/L) collected in the window up to ``extracted_at``.

    Columns patient_id, lactate_mmol_l, lactate_at. Rows of another unit are
    not read (the contract asks for lactate in mmol/L).
    """
    now = as_utc(extracted_at)
    test = lab_results["test"].astype("string").str.strip().str.lower()
    unit = lab_results["unit"].astype("string").str.strip().str.lower()
    when = lab_results["collected_at"]
    window = pd.Timedelta(hours=settings.lactate_within_hours)
    keep = (
        (test == settings.lactate_test.lower())
        & unit.isin(["mmol/l", "mmol"])
        & (when <= now).fillna(False)
        & (when > now - window).fillna(False)
    )
    rows = lab_results.loc[keep.to_numpy(dtype=bool), ["patient_id", "value", "collected_at"]]
    rows = rows.sort_values("collected_at", kind="stable").drop_duplicates("patient_id", keep="last")
    return rows.rename(columns={"value": "lactate_mmol_l", "collected_at": "lactate_at"}).reset_index(drop=True)


def _is_true(value: object) -> bool:
    """True only for a true value; None, NaN and <NA> (unknown) are not true."""
    return not pd.isna(value) and bool(value)


def sepsis_per_encounter(stays: pd.DataFrame, active_flags: pd.DataFrame, settings: SepsisSettings) -> pd.DataFrame:
    """Screen every stay; columns ``SEPSIS_COLUMNS``. Only stays with an infection or sepsis flag are read row by row.

    ``stays`` has one row per encounter_id with: news2_minimum_score, news2_missing,
    news2_any_single_3, news2_usable (bool), news2_why_not, lactate_mmol_l and
    lactate_text (the lactate's time as a nurse reads it).
    """
    if stays["encounter_id"].duplicated().any():
        raise ValueError("stays must have at most one row per encounter_id")
    watched = {f.upper() for f in (*settings.sepsis_flags, *settings.infection_flags)}
    flagged = active_flags[active_flags["flag"].isin(watched)]["encounter_id"]
    # the flags of the stays screened below only: a tuple per encounter is built in Python
    of_flagged = active_flags[active_flags["encounter_id"].isin(flagged)]
    flags_of = of_flagged.groupby("encounter_id", sort=False)["flag"].agg(tuple).to_dict()
    n = len(stays)
    positive = np.zeros(n, dtype=bool)
    risk = np.full(n, None, dtype=object)
    trigger = np.full(n, None, dtype=object)
    note = np.full(n, None, dtype=object)
    rows = np.flatnonzero(stays["encounter_id"].isin(flagged).to_numpy(dtype=bool))
    for i in rows:
        row = stays.iloc[i]
        minimum = row["news2_minimum_score"]
        reading = (
            None
            if pd.isna(minimum) and pd.isna(row["news2_why_not"])
            else News2Reading(
                minimum=None if pd.isna(minimum) else int(minimum),
                missing="" if pd.isna(row["news2_missing"]) else str(row["news2_missing"]),
                red=_is_true(row["news2_any_single_3"]),
                usable=bool(row["news2_usable"]),
                why_not=None if pd.isna(row["news2_why_not"]) else str(row["news2_why_not"]),
            )
        )
        lactate = (
            None if pd.isna(row["lactate_mmol_l"]) else Lactate(float(row["lactate_mmol_l"]), str(row["lactate_text"]))
        )
        result = sepsis_screen(flags_of.get(row["encounter_id"], ()), reading, lactate, settings)
        positive[i] = result.positive
        risk[i] = result.risk
        trigger[i] = "; ".join(result.criteria) or None
        note[i] = result.note
    return pd.DataFrame(
        {
            "encounter_id": stays["encounter_id"].to_numpy(),
            "sepsis_positive": positive,
            "sepsis_risk": pd.Series(risk, dtype=object),  # object keeps None (pandas 3 would infer str/NaN)
            "sepsis_trigger": pd.Series(trigger, dtype=object),
            "sepsis_note": pd.Series(note, dtype=object),
        }
    )
