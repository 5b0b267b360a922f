"""Acuity-based staffing for the next shift: the care hours the patients' levels need against the hours rostered.

Why this exists: a fill rate says whether the ward has the staff it planned, not whether the plan fits the
patients on the ward tonight. The huddle asks "will care be safe later today and tomorrow?"; this rule answers the
staffing half of it from each patient's acuity and dependency level.

Source: the Safer Nursing Care Tool (SNCT; Shelford Group, "Safer Nursing Care Tool Implementation Resource Pack",
2014, section 8 "How to use the multipliers"; endorsed by NICE for adult inpatient wards alongside NICE SG1 "Safe
staffing for nursing in adult inpatient wards in acute hospitals", 2014). The tool scores each patient at one of five
levels of care: 0 (needs met by normal ward care), 1a (acutely ill, needing intervention or more frequent
observation), 1b (stable but dependent on nursing care), 2 (may be managed on a ward with more support: a high
dependency patient) and 3 (needs advanced respiratory support or two organ systems supported: intensive care),
and multiplies the number of patients at each level by a level multiplier.

The tool's convention: the published multipliers are whole-time equivalent nursing staff per patient at each level,
for setting a ward's establishment from twenty days' census. They are not hours for one shift, and this project
could not confirm the published figures from a source it could read. So the multipliers in ``config/clinical.yaml``
(``acuity.multipliers``) are local values to be set by the trust: hours of nursing care one patient at that level
needs over one shift. A shift's required care hours are the sum, over the ward's patients, of the multiplier of the
level each was scored at for that shift; nothing else is added.

Decisions:

* The next shift: day shifts start at 08:00 and night shifts at 20:00, London time (the huddle times in
  ``config/clinical.yaml``). Before 08:00 the next shift is today's day shift; from 08:00 tonight's night shift;
  from 20:00 tomorrow's day shift.
* Only patients on the ward at the extract are counted. A patient with no level for the next shift is counted as
  not scored (``patients_not_scored``), never as level 0: the required hours are then a floor, and the tile says so.
* Rostered hours for the next shift are its staffing rows' actual hours (for a shift not yet worked, the hours
  rostered), or actual headcount x shift length where the extract gives headcount only (as ``staffing.row_hours``).
  No staffing rows for the next shift: rostered hours and the shortfall are unknown (None), never zero.
* Shortfall = required - rostered when positive, else 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from metrics.rules.clock import london_time
from metrics.rules.staffing import NIGHT_SHIFT_STARTS_AT_HOUR, row_hours

SNCT_LEVELS: tuple[str, ...] = ("0", "1a", "1b", "2", "3")
DAY_SHIFT_STARTS_AT_HOUR = 8
WARD_COLUMNS = [
    "ward_code",
    "shift_date",
    "shift",
    "patients_on_ward",
    "patients_scored",
    "patients_not_scored",
    "required_hours",
    "rostered_hours",
    "shortfall_hours",
    "planned_staff",
    "rostered_staff",
    "staff_gap",
]


def next_shift(extracted_at: pd.Timestamp | datetime) -> tuple[date, str]:
    """(start date, "day" or "night") of the shift that starts next after ``extracted_at`` (London time)."""
    local = london_time(extracted_at)
    today = local.date()
    if local.hour < DAY_SHIFT_STARTS_AT_HOUR:
        return today, "day"
    if local.hour < NIGHT_SHIFT_STARTS_AT_HOUR:
        return today, "night"
    return today + timedelta(days=1), "day"


def multiplier_of(level: str, multipliers: Mapping[str, float]) -> float:
    """The configured multiplier of one SNCT level ('1A' and '1a' alike); a level not configured is an error."""
    key = str(level).strip().lower()
    if key not in multipliers:
        raise ValueError(f"SNCT level {level!r} has no multiplier; configured: {', '.join(multipliers)}")
    return float(multipliers[key])


def required_care_hours(levels: Iterable[str], multipliers: Mapping[str, float]) -> float:
    """The care hours a shift's patients need: the sum of their levels' multipliers."""
    return float(sum(multiplier_of(level, multipliers) for level in levels))


def shortfall_hours(required: float | None, rostered: float | None) -> float | None:
    """Required - rostered when positive, else 0; None when either is unknown."""
    if required is None or rostered is None or pd.isna(required) or pd.isna(rostered):
        return None
    return max(float(required) - float(rostered), 0.0)


def _next_shift_staffing(
    staffing: pd.DataFrame, shift_date: date, shift: str, unit: str, shift_hours: Mapping[str, float]
) -> pd.DataFrame:
    """Per ward: rostered hours, planned and rostered headcount and the staff gap for the next shift."""
    dates = pd.to_datetime(staffing["shift_date"]).dt.tz_localize(None).dt.normalize()
    keep = (
        (dates == pd.Timestamp(shift_date)) & (staffing["shift"].astype("string").str.strip().str.lower() == shift)
    ).fillna(False).to_numpy(dtype=bool)
    rows = staffing.loc[keep]
    if rows.empty:
        return pd.DataFrame(columns=["ward_code", "rostered_hours", "planned_staff", "rostered_staff", "staff_gap"])
    _planned_h, actual_h, _from_hours = row_hours(rows, unit, shift_hours)
    planned = pd.to_numeric(rows["planned"], errors="coerce").astype("float64")
    actual = pd.to_numeric(rows["actual"], errors="coerce").astype("float64")
    work = pd.DataFrame(
        {
            "ward_code": rows["ward_code"].astype(str).str.upper().to_numpy(),
            "rostered_hours": actual_h.to_numpy(),
            "planned_staff": planned.to_numpy(),
            "rostered_staff": actual.to_numpy(),
            "staff_gap": np.clip((planned - actual).to_numpy(), 0, None),
        }
    )
    # min_count=1: a ward whose figures are all missing sums to missing, never 0
    return work.groupby("ward_code", sort=True).sum(min_count=1).reset_index()


def next_shift_by_ward(
    ward_codes: Iterable[str],
    on_ward: pd.DataFrame,
    acuity: pd.DataFrame | None,
    staffing: pd.DataFrame,
    extracted_at: pd.Timestamp,
    multipliers: Mapping[str, float],
    unit: str,
    shift_hours: Mapping[str, float],
) -> pd.DataFrame:
    """One row per ward (WARD_COLUMNS): the next shift's required and rostered care hours, shortfall and staff gap.

    ``on_ward``: encounter_id and ward_code of the patients on the ward at the extract. ``acuity``: the validated
    acuity table, or None when the extract did not carry it (then the required hours and shortfall are None).
    """
    shift_date, shift = next_shift(extracted_at)
    wards = sorted({str(w).upper() for w in ward_codes})
    out = pd.DataFrame({"ward_code": wards})
    out["shift_date"] = shift_date
    out["shift"] = shift
    patients = on_ward.assign(ward_code=on_ward["ward_code"].astype(str).str.upper())
    out["patients_on_ward"] = out["ward_code"].map(patients.groupby("ward_code").size()).fillna(0).astype("int64")
    if acuity is not None:
        dates = pd.to_datetime(acuity["shift_date"]).dt.tz_localize(None).dt.normalize()
        chosen = acuity.loc[
            ((dates == pd.Timestamp(shift_date)) & (acuity["shift"].astype("string").str.lower() == shift))
            .fillna(False)
            .to_numpy(dtype=bool),
            ["encounter_id", "snct_level"],
        ].drop_duplicates("encounter_id", keep="last")
        scored = patients.merge(chosen, on="encounter_id", how="inner")
        scored["hours"] = [multiplier_of(level, multipliers) for level in scored["snct_level"].astype(str)]
        per_ward = scored.groupby("ward_code").agg(patients_scored=("hours", "size"), required_hours=("hours", "sum"))
        out["patients_scored"] = out["ward_code"].map(per_ward["patients_scored"]).fillna(0).astype("int64")
        out["required_hours"] = out["ward_code"].map(per_ward["required_hours"]).fillna(0.0).astype("float64")
        out["patients_not_scored"] = out["patients_on_ward"] - out["patients_scored"]
    else:
        out["patients_scored"] = pd.NA
        out["required_hours"] = np.nan
        out["patients_not_scored"] = pd.NA
    staff = _next_shift_staffing(staffing, shift_date, shift, unit, shift_hours)
    out = out.merge(staff, on="ward_code", how="left")
    out["shortfall_hours"] = [
        shortfall_hours(r, h) for r, h in zip(out["required_hours"], out["rostered_hours"], strict=True)
    ]
    out["shortfall_hours"] = pd.to_numeric(out["shortfall_hours"], errors="coerce").astype("float64")
    return out[WARD_COLUMNS]
