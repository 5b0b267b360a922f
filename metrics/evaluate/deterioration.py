"""Deriving the deterioration columns of each stay: NEWS2 as the board shows it, and the sepsis screen.

Why this exists: NEWS2 and the sepsis screen depend on each other and on
who NEWS2 applies to (children, pregnancy, the ward's early warning score).
The rules are pure modules under ``metrics.rules``; this module wires them to
the encounter table once per extract, so ``derive`` stays a list of steps.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from metrics.config.models import AppConfig
from metrics.rules import news2_applicability, news2_board, sepsis

NEWS2_COLUMNS: Final[list[str]] = [c for c in news2_board.PER_ENCOUNTER_COLUMNS if c != "encounter_id"]
SEPSIS_COLUMNS: Final[list[str]] = [c for c in sepsis.SEPSIS_COLUMNS if c != "encounter_id"]
NOT_APPLICABLE_CLEARED: Final[tuple[str, ...]] = (
    "news2_score",
    "news2_minimum_score",
    "news2_any_single_3",
    "news2_risk",
    "news2_monitoring",
)


def _left_join(base: pd.DataFrame, extra: pd.DataFrame, key: str, columns: list[str]) -> pd.DataFrame:
    merged = base.merge(extra[[key] + [c for c in columns if c in extra.columns]], on=key, how="left")
    for col in columns:
        if col not in merged.columns:
            merged[col] = pd.NA
    return merged


def with_news2(
    enc: pd.DataFrame, observations: pd.DataFrame, active_flags: pd.DataFrame, cfg: AppConfig, now: pd.Timestamp
) -> pd.DataFrame:
    """The encounters with NEWS2 columns, ``news2_not_applicable`` and ``obs_hourly_or_more`` added."""
    settings = cfg.clinical.news2
    latest = news2_board.latest_news2_per_encounter(
        observations, now, settings.overdue_after_minutes, settings.grace_minutes
    )
    enc = _left_join(enc, latest, "encounter_id", NEWS2_COLUMNS)
    enc["news2_status"] = enc["news2_status"].astype("string").fillna("no_observations")
    enc["news2_status_reason"] = (
        enc["news2_status_reason"].astype("string").fillna("no observations recorded in this extract")
    )
    pregnancy_flag = settings.pregnancy_flag.upper()
    pregnant = enc["encounter_id"].isin(active_flags.loc[active_flags["flag"] == pregnancy_flag, "encounter_id"])
    ward_score = {w.code.upper(): w.early_warning_score for w in cfg.wards.wards}
    reason = news2_applicability.not_applicable_reason(
        enc["age_years"],
        pregnant,
        enc["ward_code"].astype("string").str.upper().map(ward_score),
        settings.minimum_age_years,
    )
    not_applicable = reason.notna().to_numpy(dtype=bool)
    if not_applicable.any():
        for col in NOT_APPLICABLE_CLEARED:
            enc[col] = enc[col].astype(object).where(~not_applicable, None)
        enc.loc[not_applicable, "news2_status"] = "not_applicable"
        enc.loc[not_applicable, "news2_status_reason"] = reason[not_applicable].to_numpy()
        enc.loc[not_applicable, "news2_shown"] = "not applicable"
    enc["news2_not_applicable"] = reason
    enc["obs_hourly_or_more"] = enc["news2_monitoring"].isin(["hourly", "continuous"]).fillna(False).astype(bool)
    return enc


def _why_news2_not_usable(enc: pd.DataFrame) -> pd.Series:
    """Per stay, why its NEWS2 cannot grade sepsis risk (text), or <NA> when it can."""
    status = enc["news2_status"].astype("string")
    why = pd.Series(pd.NA, index=enc.index, dtype="string")
    why = why.mask(status == "overdue", "NEWS2 overdue (" + enc["news2_status_reason"].astype("string") + ")")
    why = why.mask(status == "no_observations", "no observations recorded")
    return why.mask(status == "not_applicable", enc["news2_not_applicable"].astype("string"))


def with_sepsis(
    enc: pd.DataFrame, lab_results: pd.DataFrame, active_flags: pd.DataFrame, cfg: AppConfig, now: pd.Timestamp
) -> pd.DataFrame:
    """The encounters with the sepsis screen's columns added (``sepsis_positive`` a plain bool)."""
    screen = cfg.clinical.sepsis_screen
    labels = {f.code.upper(): f.label for f in cfg.clinical.flag_codes}
    settings = sepsis.SepsisSettings(
        sepsis_flags=tuple(f.upper() for f in screen.sepsis_flags),
        infection_flags=tuple(f.upper() for f in screen.infection_flags),
        red_flags={f.upper(): labels.get(f.upper(), f).lower() for f in screen.red_flags},
        lactate_test=screen.lactate.test,
        lactate_at_least_mmol_l=screen.lactate.at_least_mmol_l,
        lactate_within_hours=screen.lactate.within_hours,
    )
    lactate = sepsis.latest_lactate_per_patient(lab_results, now, settings)
    lactate["lactate_text"] = news2_board.clock_texts(pd.DatetimeIndex(lactate["lactate_at"]), now)
    stays = enc[["encounter_id", "patient_id", "news2_minimum_score", "news2_missing", "news2_any_single_3"]].merge(
        lactate[["patient_id", "lactate_mmol_l", "lactate_text"]], on="patient_id", how="left"
    )
    why = _why_news2_not_usable(enc)
    stays["news2_why_not"] = why.to_numpy()
    stays["news2_usable"] = why.isna().to_numpy(dtype=bool)
    screened = sepsis.sepsis_per_encounter(stays, active_flags, settings)
    enc = _left_join(enc, screened, "encounter_id", SEPSIS_COLUMNS)
    enc["sepsis_positive"] = enc["sepsis_positive"].fillna(False).astype(bool)
    enc["lactate_mmol_l"] = enc["patient_id"].map(lactate.set_index("patient_id")["lactate_mmol_l"]).astype(np.float64)
    return enc
