"""Deriving the clinical columns that metric definitions count.

Why this exists: a condition language cannot express NEWS2 or the AKI
algorithm, so the rules (one pure module each) are applied here, once per
extract, and their answers become ordinary columns of a few derived tables.
Metric definitions and drill-downs name these tables and columns. The table
and column names are declared in ``DERIVED_TABLE_COLUMNS`` so that
config/metrics.yaml is checked against them at start-up, before any data.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable

from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from metrics.rules import aki
from metrics.rules import assessments
from metrics.rules import doses
from metrics.rules import sepsis
from metrics.rules import staffing
from metrics.rules.clock import london_date
from metrics.rules.grouping import joined_per_key
from metrics.config.models import AppConfig
from metrics.evaluate.anticipation import TREND_COLUMNS, anticipation_tables, derived_columns, with_news2_trend
from metrics.evaluate.deterioration import NEWS2_COLUMNS, SEPSIS_COLUMNS, with_news2, with_sepsis
from metrics.evaluate.optional_sources import supplied_inputs
from metrics.evaluate.ward_days import WARD_DAY_COLUMNS, midnight_census, ward_days
from metrics.extract.contract import TABLES_BY_NAME

if TYPE_CHECKING:  # only a type here: loading the config (which names derived columns) need not import pandera
    from metrics.extract.validate import ValidatedExtract

ENCOUNTER_CONTEXT = ["ward_code", "bed", "age_years", "patient_id", "on_ward"]

AKI_COLUMNS = [c for c in aki.PER_PATIENT_COLUMNS if c != "patient_id"]
DOSE_COLUMNS = [
    "missed_critical_doses",
    "missed_critical_doses_since_huddle",
    "excused_critical_doses",
    "missed_critical_medicines",
    "first_missed_at",
    "minutes_since_first_missed",
]
ASSESSMENT_COLUMNS = [
    "assessments_outstanding",
    "assessments_overdue",
    "assessments_outstanding_types",
    "assessments_max_overdue_minutes",
]
ENCOUNTER_EXTRA = ["on_ward", "discharged_last_24h", "hours_on_ward", "obs_hourly_or_more", "active_flags"]
DETERIORATION_EXTRA = ["news2_not_applicable", "lactate_mmol_l"]


def _contract_columns(table: str) -> list[str]:
    return list(TABLES_BY_NAME[table].column_names)


def DERIVED_TABLE_COLUMNS(cfg: AppConfig) -> dict[str, list[str]]:  # noqa: N802 - reads as a constant
    """Every table a metric may count, with the columns it may name."""
    flag_cols = [f"flag_{f.code.upper()}" for f in cfg.clinical.flag_codes]
    context = [c for c in ENCOUNTER_CONTEXT]
    return {
        "encounters": _contract_columns("encounters")
        + ENCOUNTER_EXTRA
        + NEWS2_COLUMNS
        + AKI_COLUMNS
        + SEPSIS_COLUMNS
        + DETERIORATION_EXTRA
        + TREND_COLUMNS
        + DOSE_COLUMNS
        + ASSESSMENT_COLUMNS
        + flag_cols,
        "assessments": _contract_columns("assessments")
        + list(assessments.ROW_COLUMNS_ADDED)
        + ["assessment_label"]
        + context,
        "critical_doses": _contract_columns("medication_administrations")
        + list(doses.DOSE_COLUMNS_ADDED)
        + context,
        "patient_flags": _contract_columns("patient_flags") + ["active", "hours_active", "flag_label"] + context,
        "staffing": [c for c in staffing.BOARD_COLUMNS if c != "fill_rate_note"],
        "wards": ["ward_code", "census_midnight", "care_hours", "chppd"],
        "ward_days": list(WARD_DAY_COLUMNS),
        **derived_columns(),
    }


@dataclass(frozen=True)
class DerivedExtract:
    """The derived tables, keyed by the names metric definitions use."""

    extracted_at: pd.Timestamp
    tables: dict[str, pd.DataFrame]
    # the inputs the extract carried: its tables and, as ``table.column``, the optional columns its files carried
    # (``metrics.evaluate.optional_sources.supplied_inputs``)
    supplied: frozenset[str] = frozenset()


def _with_context(frame: pd.DataFrame, encounters: pd.DataFrame) -> pd.DataFrame:
    context = encounters[["encounter_id"] + ENCOUNTER_CONTEXT]
    return frame.drop(columns=[c for c in ENCOUNTER_CONTEXT if c in frame.columns]).merge(
        context, on="encounter_id", how="inner"
    )


def _left_join(base: pd.DataFrame, extra: pd.DataFrame, key: str, columns: list[str]) -> pd.DataFrame:
    present = [c for c in columns if c in extra.columns]
    merged = base.merge(extra[[key] + present], on=key, how="left")
    for col in columns:
        if col not in merged.columns:
            merged[col] = pd.NA
    return merged


def derive(valid: ValidatedExtract, cfg: AppConfig, progress: Callable[[str], None] | None = None) -> DerivedExtract:
    """Apply every clinical rule to the validated extract and build the derived tables."""
    say = progress or (lambda _msg: None)
    now = valid.extracted_at
    t = valid.tables
    clinical = cfg.clinical
    enc = t["encounters"].drop(columns=["source_row"], errors="ignore").copy()
    enc["on_ward"] = (enc["admitted_at"] <= now) & (enc["discharged_at"].isna() | (enc["discharged_at"] > now))
    enc["discharged_last_24h"] = (
        enc["discharged_at"].notna()
        & (enc["discharged_at"] <= now)
        & (enc["discharged_at"] > now - pd.Timedelta(hours=24))
    )
    enc["hours_on_ward"] = (now - enc["admitted_at"]).dt.total_seconds() / 3600.0

    flags = t["patient_flags"].drop(columns=["source_row"], errors="ignore").copy()
    active = sepsis.active_flags_per_encounter(flags, now)

    say("NEWS2")
    enc = with_news2(enc, t["observations"], active, cfg, now)
    enc = with_news2_trend(enc, t["observations"], now)

    say("AKI")
    ages = enc.drop_duplicates("patient_id", keep="last").set_index("patient_id")["age_years"]
    aki_frame = aki.aki_per_patient(t["lab_results"], ages, now, clinical.aki.current_result_within_hours)
    enc = _left_join(enc, aki_frame, "patient_id", AKI_COLUMNS)

    say("flags and sepsis")
    for code in (f.code.upper() for f in clinical.flag_codes):
        enc[f"flag_{code}"] = enc["encounter_id"].isin(active.loc[active["flag"] == code, "encounter_id"])
    flag_labels = {f.code.upper(): f.label for f in clinical.flag_codes}
    # what the patient list says: the flags' labels ("Medicines reconciliation outstanding"), not their codes
    readable = active["flag"].map(flag_labels).fillna(active["flag"])
    listing = joined_per_key(active["encounter_id"], readable, "active_flags").rename_axis("encounter_id").reset_index()
    enc = _left_join(enc, listing, "encounter_id", ["active_flags"])
    enc = with_sepsis(enc, t["lab_results"], active, cfg, now)

    say("critical doses")
    md = clinical.missed_doses
    medicines = doses.CriticalMedicines(
        names={k: list(v) for k, v in md.critical_medicines.items()},
        codes={k: list(v) for k, v in md.critical_medicine_codes.items()},
        not_critical_when_named=tuple(md.not_critical_when_named),
        time_critical_minutes=dict(md.time_critical_minutes),
        default_minutes=md.pending_missed_after_minutes,
    )
    dose_rows = doses.critical_doses_in_window(
        t["medication_administrations"].drop(columns=["source_row"], errors="ignore"),
        now,
        medicines,
        list(md.missed_reasons),
        md.window_hours,
        doses.last_huddle_at(now, md.huddle_times),
    )
    per_enc = doses.doses_per_encounter(dose_rows)
    enc = _left_join(enc, per_enc, "encounter_id", DOSE_COLUMNS)
    enc["minutes_since_first_missed"] = (
        now - pd.to_datetime(enc["first_missed_at"], utc=True)
    ).dt.total_seconds() / 60.0
    for col in ("missed_critical_doses", "missed_critical_doses_since_huddle", "excused_critical_doses"):
        enc[col] = enc[col].fillna(0).astype("int64")

    say("risk assessments")
    schedule = {
        code: assessments.AssessmentDue(d.due_within_hours_of_admission, d.reassess_every_hours, d.from_age_years)
        for code, d in clinical.assessment_schedule.items()
    }
    scheduled = assessments.with_schedule(
        t["assessments"].drop(columns=["source_row"], errors="ignore"),
        enc[["encounter_id", "admitted_at", "age_years"]],
        schedule,
        now,
    )
    assess_rows = assessments.assessment_rows(scheduled, now)
    labels = {a.code.upper(): a.label for a in clinical.assessment_types}
    assess_rows["assessment_label"] = assess_rows["assessment_type"].astype("string").str.upper().map(labels)
    enc = _left_join(enc, assessments.assessments_per_encounter(assess_rows), "encounter_id", ASSESSMENT_COLUMNS)
    for col in ("assessments_outstanding", "assessments_overdue"):
        enc[col] = enc[col].fillna(0).astype("int64")

    say("staffing")
    rag = clinical.staffing.fill_rate_rag
    flags_cfg = clinical.staffing.red_flags
    staff = staffing.staffing_board(
        t["staffing"].drop(columns=["source_row"], errors="ignore"),
        now,
        rag.green_at_least,
        rag.amber_at_least,
        unit=clinical.staffing.unit,
        shift_hours=clinical.staffing.shift_hours,
        red_flags=staffing.RedFlagRules(
            flags_cfg.fewer_registered_than, flags_cfg.shortfall_hours_above, flags_cfg.shortfall_fraction_above
        ),
    )

    wards = care_hours_per_ward(t["staffing"], enc, now, clinical.staffing.unit, clinical.staffing.shift_hours)

    flags["active"] = sepsis.flag_is_active(flags, now)
    flags["hours_active"] = np.where(flags["active"], (now - flags["raised_at"]).dt.total_seconds() / 3600.0, np.nan)
    flags["flag_label"] = flags["flag"].map(flag_labels)

    tables = {
        "encounters": enc,
        "assessments": _with_context(assess_rows, enc),
        "critical_doses": _with_context(dose_rows, enc),
        "patient_flags": _with_context(flags, enc),
        "staffing": staff,
        "wards": wards,
    }
    say("anticipation")
    tables.update(anticipation_tables(t, enc, cfg, now))
    tables["ward_days"] = ward_days(enc, t.get("incidents"), sorted(cfg.ward_codes), now)
    return DerivedExtract(now, tables, supplied_inputs(valid.row_counts, valid.supplied_columns))


def care_hours_per_ward(
    staff: pd.DataFrame, enc: pd.DataFrame, now: pd.Timestamp, unit: str, shift_hours: dict[str, float]
) -> pd.DataFrame:
    """Care hours per patient day for yesterday (its day and night shifts) over the census at the midnight that ended
    it.

    Only wards with both shifts recorded and patients at midnight get a row, so a ward without data is
    'no data' on the board and is left out of site and trust totals, never counted as zero.
    """
    yesterday = london_date(now) - timedelta(days=1)
    census = midnight_census(enc, now)
    rows = staff[pd.to_datetime(staff["shift_date"]).dt.date == yesterday]
    return staffing.care_hours_by_ward(rows, census, unit, shift_hours)
