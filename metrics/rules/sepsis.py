"""Sepsis screen: which patients on a ward screen positive for possible sepsis now.

Why this exists: sepsis is time-critical, and the board has to show every
patient who meets the trust's screening trigger, and every patient for whom
the screen cannot be decided because observations are incomplete, without
anyone reading each chart. The criteria are configuration
(``config/clinical.yaml`` ``sepsis_screen``); this module interprets them.

Source of the default screen: NICE guideline NG51 "Suspected sepsis:
recognition, diagnosis and early management" and the UK Sepsis Trust
screening tools, as operationalised by NHS England's guidance on using NEWS2
in adults with suspected infection ("think sepsis" at an aggregate NEWS2 of
5 or more, or a score of 3 in any single parameter, in a patient with
suspected infection; Royal College of Physicians NEWS2, 2017). An active
SEPSIS flag on the EPR always screens positive.

A criterion matches when one of its ``flags_any`` is active and, if it names
NEWS2 conditions (``news2_at_least`` and/or ``or_single_parameter_3``), at
least one of them holds. The first matching criterion, in configuration
order, is reported. When a flag matches but the NEWS2 conditions cannot be
decided because NEWS2 is unknown, the patient is not positive but carries a
note saying why, never a silent negative.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from metrics.rules.clock import as_utc

SEPSIS_COLUMNS = ["encounter_id", "sepsis_positive", "sepsis_trigger", "sepsis_note"]
NOTE_INCOMPLETE = "incomplete observations"
NOTE_NO_OBSERVATIONS = "no observations"


@dataclass(frozen=True)
class SepsisCriterion:
    """One screening rule: any of ``flags_any`` active, plus (optionally) a NEWS2 condition."""

    id: str
    label: str
    flags_any: tuple[str, ...]
    news2_at_least: int | None = None
    or_single_parameter_3: bool = False

    @property
    def needs_news2(self) -> bool:
        """True when the criterion names at least one NEWS2 condition."""
        return self.news2_at_least is not None or self.or_single_parameter_3


@dataclass(frozen=True)
class SepsisResult:
    """Outcome of the screen for one patient; ``note`` explains an undecidable screen."""

    positive: bool
    trigger_id: str | None
    trigger_label: str | None
    note: str | None


def criteria_from_config(items: Iterable[Any]) -> tuple[SepsisCriterion, ...]:
    """Build criteria from the validated config models (or plain mappings) of ``sepsis_screen.criteria``."""
    out = []
    for item in items:
        get = item.get if isinstance(item, Mapping) else lambda k, d=None, _i=item: getattr(_i, k, d)
        out.append(
            SepsisCriterion(
                id=str(get("id")),
                label=str(get("label")),
                flags_any=tuple(str(f).upper() for f in get("flags_any", ())),
                news2_at_least=get("news2_at_least"),
                or_single_parameter_3=bool(get("or_single_parameter_3", False)),
            )
        )
    return tuple(out)


def _unknown_note(flag: str, reason: str) -> str:
    return f"{flag.replace('_', ' ').lower()} but NEWS2 not available ({reason})"


def sepsis_screen(
    active_flags: Iterable[str],
    news2_score: int | None,
    any_single_3: bool | None,
    criteria: Sequence[SepsisCriterion],
    *,
    news2_missing_reason: str = NOTE_INCOMPLETE,
) -> SepsisResult:
    """Screen one patient: the first criterion that matches wins; an undecidable NEWS2 gives a note, not a negative."""
    flags = {str(f).upper() for f in active_flags}
    score = None if news2_score is None or pd.isna(news2_score) else int(news2_score)
    single = None if any_single_3 is None or pd.isna(any_single_3) else bool(any_single_3)
    note: str | None = None
    for crit in criteria:
        matched = next((f for f in crit.flags_any if f.upper() in flags), None)
        if matched is None:
            continue
        if not crit.needs_news2:
            return SepsisResult(True, crit.id, crit.label, None)
        score_holds = crit.news2_at_least is not None and score is not None and score >= crit.news2_at_least
        single_holds = crit.or_single_parameter_3 and single is True
        if score_holds or single_holds:
            return SepsisResult(True, crit.id, crit.label, None)
        unknown = (crit.news2_at_least is not None and score is None) or (crit.or_single_parameter_3 and single is None)
        if unknown and note is None:
            note = _unknown_note(matched, news2_missing_reason)
    return SepsisResult(False, None, None, note)


def flag_is_active(patient_flags: pd.DataFrame, extracted_at: pd.Timestamp | datetime) -> np.ndarray:
    """Per flag row: raised at or before ``extracted_at`` and not cleared at or before it."""
    ext = as_utc(extracted_at)
    raised = patient_flags["raised_at"]
    cleared = patient_flags["cleared_at"]
    return ((raised <= ext).fillna(False) & (cleared.isna() | (cleared > ext).fillna(False))).to_numpy(dtype=bool)


def active_flags_per_encounter(patient_flags: pd.DataFrame, extracted_at: pd.Timestamp | datetime) -> pd.DataFrame:
    """Flags active at ``extracted_at`` (see :func:`flag_is_active`), one row per (encounter_id, flag)."""
    out = patient_flags.loc[flag_is_active(patient_flags, extracted_at), ["encounter_id", "flag"]].copy()
    out["flag"] = out["flag"].astype("string").str.upper()
    return out.drop_duplicates().reset_index(drop=True)


def sepsis_per_encounter(
    encounter_ids: pd.Series,
    patient_flags: pd.DataFrame,
    news2: pd.DataFrame,
    extracted_at: pd.Timestamp | datetime,
    criteria: Sequence[SepsisCriterion],
) -> pd.DataFrame:
    """Screen every encounter at once; columns encounter_id, sepsis_positive, sepsis_trigger, sepsis_note.

    ``news2`` has one row per encounter (encounter_id, news2_score, news2_any_single_3);
    an encounter absent from it is treated as having no observations.
    Same result, row for row, as :func:`sepsis_screen`.
    """
    if news2["encounter_id"].duplicated().any():
        raise ValueError("news2 must have at most one row per encounter_id")
    enc = pd.DataFrame({"encounter_id": pd.Series(encounter_ids).drop_duplicates().reset_index(drop=True)})
    n = len(enc)
    merged = enc.merge(
        news2[["encounter_id", "news2_score", "news2_any_single_3"]].assign(_in_news2=True),
        on="encounter_id",
        how="left",
    )
    score = pd.to_numeric(merged["news2_score"], errors="coerce").astype("Float64")
    score_known = score.notna().to_numpy(dtype=bool)
    score_values = score.fillna(-1).to_numpy(dtype=float)
    single = merged["news2_any_single_3"].astype("boolean")
    single_known = single.notna().to_numpy(dtype=bool)
    single_true = single.fillna(False).to_numpy(dtype=bool)
    reason = np.where(merged["_in_news2"].eq(True).to_numpy(dtype=bool), NOTE_INCOMPLETE, NOTE_NO_OBSERVATIONS)

    flags = active_flags_per_encounter(patient_flags, extracted_at)
    positive = np.zeros(n, dtype=bool)
    trigger = np.full(n, None, dtype=object)
    note = np.full(n, None, dtype=object)
    for crit in criteria:  # a handful of criteria; every step inside is vectorised over encounters
        matched_flag = np.full(n, None, dtype=object)
        for flag in reversed(crit.flags_any):  # first listed flag wins the note wording
            has = (
                enc["encounter_id"].isin(flags.loc[flags["flag"] == flag.upper(), "encounter_id"]).to_numpy(dtype=bool)
            )
            matched_flag[has] = flag
        has_flag = pd.notna(matched_flag)
        if crit.needs_news2:
            holds = np.zeros(n, dtype=bool)
            unknown = np.zeros(n, dtype=bool)
            if crit.news2_at_least is not None:
                holds |= score_known & (score_values >= crit.news2_at_least)
                unknown |= ~score_known
            if crit.or_single_parameter_3:
                holds |= single_true
                unknown |= ~single_known
            hit = has_flag & holds
            undecided = has_flag & ~holds & unknown
        else:
            hit = has_flag
            undecided = np.zeros(n, dtype=bool)
        new_hit = hit & ~positive
        trigger[new_hit] = crit.label
        positive |= hit
        fill = undecided & pd.isna(note)
        if fill.any():
            flag_text = pd.Series(matched_flag[fill], dtype="string").str.replace("_", " ").str.lower()
            note[fill] = (
                flag_text + " but NEWS2 not available (" + pd.Series(reason[fill], dtype="string") + ")"
            ).to_numpy(dtype=object)
    note[positive] = None
    return pd.DataFrame(
        {
            "encounter_id": enc["encounter_id"],
            "sepsis_positive": positive,
            "sepsis_trigger": pd.Series(trigger, dtype=object),  # object keeps None (pandas 3 would infer str/NaN)
            "sepsis_note": pd.Series(note, dtype=object),
        }
    )
