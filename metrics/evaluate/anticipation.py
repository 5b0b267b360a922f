"""Deriving the anticipation tables: what the board reads to answer "will care be safe later today and tomorrow?".

Why this exists: four of "today's risks" are counted by YAML metrics, but each needs a little wiring first: the next
shift's acuity and roster per ward (``metrics.rules.acuity``), a rising NEWS2 per stay
(``metrics.rules.news2_trend``), free beds against the admissions expected, and each stay's latest falls risk. The
rules are pure modules; this module builds their derived tables once per extract so ``derive`` stays a list of steps.
Tables built from an optional extract table the extract did not carry are left empty, and
``metrics.evaluate.optional_sources`` tells the engine and the views they were not supplied.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from metrics.config.models import AppConfig
from metrics.rules import acuity, news2_trend

ENCOUNTER_CONTEXT: Final[list[str]] = ["ward_code", "bed", "age_years", "patient_id", "on_ward"]
TREND_COLUMNS: Final[list[str]] = ["news2_rising", "news2_trend"]
BED_STATE_COLUMNS: Final[list[str]] = [
    "ward_code",
    "beds",
    "patients_on_ward",
    "free_beds",
    "expected_admissions",
    "admissions_without_bed",
]
FALLS_RISK_COLUMNS: Final[list[str]] = [
    "encounter_id",
    "assessed_at",
    "risk_level",
    "care_plan_in_place",
    "high_risk_no_plan",
    "hours_since_assessed",
    *ENCOUNTER_CONTEXT,
]
EXPECTED_WITHIN_HOURS: Final[int] = 24


def derived_columns() -> dict[str, list[str]]:
    """The anticipation tables a metric may count, with their columns (for config checks before any data)."""
    return {
        "acuity": list(acuity.WARD_COLUMNS),
        "next_shift": list(acuity.WARD_COLUMNS),
        "bed_state": list(BED_STATE_COLUMNS),
        "falls_risk": list(FALLS_RISK_COLUMNS),
    }


def with_news2_trend(enc: pd.DataFrame, observations: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """The encounters with ``news2_rising`` (False where NEWS2 does not apply) and ``news2_trend`` added."""
    trend = news2_trend.news2_trend_per_encounter(observations, now)
    out = enc.merge(trend, on="encounter_id", how="left")
    applies = out["news2_not_applicable"].isna()  # the column holds why NEWS2 does not apply, empty where it does
    out["news2_rising"] = out["news2_rising"].fillna(False).astype(bool) & applies
    out["news2_trend"] = out["news2_trend"].astype("string")
    return out


def bed_state(enc: pd.DataFrame, expected: pd.DataFrame | None, cfg: AppConfig, now: pd.Timestamp) -> pd.DataFrame:
    """Per ward: funded beds, patients on the ward, free beds, admissions expected in the next 24 hours (and any
    expected earlier still listed), and those without a free bed. Empty when the extract carried no expected admissions.
    """
    if expected is None:
        return pd.DataFrame(columns=BED_STATE_COLUMNS)
    wards = pd.DataFrame(
        {"ward_code": [w.code.upper() for w in cfg.wards.wards], "beds": [w.beds for w in cfg.wards.wards]}
    )
    on_ward = enc.loc[enc["on_ward"].astype(bool), "ward_code"].astype(str).str.upper().value_counts()
    soon = expected.loc[expected["expected_at"] < now + pd.Timedelta(hours=EXPECTED_WITHIN_HOURS), "ward_code"]
    coming = soon.astype(str).str.upper().value_counts()
    wards["patients_on_ward"] = wards["ward_code"].map(on_ward).fillna(0).astype("int64")
    wards["free_beds"] = np.clip(wards["beds"] - wards["patients_on_ward"], 0, None)
    wards["expected_admissions"] = wards["ward_code"].map(coming).fillna(0).astype("int64")
    wards["admissions_without_bed"] = np.clip(wards["expected_admissions"] - wards["free_beds"], 0, None)
    return wards[BED_STATE_COLUMNS]


def falls_risk(enc: pd.DataFrame, assessments: pd.DataFrame | None, now: pd.Timestamp) -> pd.DataFrame:
    """Each stay's latest falls risk assessment, with ``high_risk_no_plan`` (high risk and no plan recorded as in
    place). Empty when the extract carried no falls risk table."""
    if assessments is None or assessments.empty:
        return pd.DataFrame(columns=FALLS_RISK_COLUMNS)
    latest = (
        assessments.drop(columns=["source_row"], errors="ignore")
        .sort_values(["encounter_id", "assessed_at"], kind="stable")
        .drop_duplicates("encounter_id", keep="last")
    )
    out = latest.merge(enc[["encounter_id", *ENCOUNTER_CONTEXT]], on="encounter_id", how="inner")
    plan = out["care_plan_in_place"].astype("boolean").fillna(False).astype(bool)
    out["high_risk_no_plan"] = (out["risk_level"].astype(str).str.lower() == "high") & ~plan
    out["hours_since_assessed"] = (now - out["assessed_at"]).dt.total_seconds() / 3600.0
    return out[FALLS_RISK_COLUMNS]


def anticipation_tables(
    tables: dict[str, pd.DataFrame], enc: pd.DataFrame, cfg: AppConfig, now: pd.Timestamp
) -> dict[str, pd.DataFrame]:
    """The derived tables acuity, next_shift, bed_state and falls_risk for one extract."""
    settings = cfg.clinical.acuity
    staffing_cfg = cfg.clinical.staffing
    on_ward = enc.loc[enc["on_ward"].astype(bool), ["encounter_id", "ward_code"]]
    next_shift = acuity.next_shift_by_ward(
        cfg.ward_codes,
        on_ward,
        tables.get("acuity"),
        tables["staffing"],
        now,
        dict(settings.multipliers),
        staffing_cfg.unit,
        dict(staffing_cfg.shift_hours),
    )
    return {
        "acuity": next_shift if "acuity" in tables else pd.DataFrame(columns=acuity.WARD_COLUMNS),
        "next_shift": next_shift,
        "bed_state": bed_state(enc, tables.get("expected_admissions"), cfg, now),
        "falls_risk": falls_risk(enc, tables.get("falls_risk"), now),
    }
