"""Outstanding and overdue risk assessments per patient.

Why this exists: admission risk assessments (VTE, falls, pressure ulcer,
nutrition, delirium, ...) protect patients only if they are done on time.
The board shows, per patient, which are still outstanding and how long the
overdue ones have been overdue, counted from the extract's ``extracted_at``.

Sources: NICE NG89 (venous thromboembolism in over 16s: reducing the risk of
hospital-acquired deep vein thrombosis or pulmonary embolism; VTE risk
assessment on admission), NICE CG161 (falls in older people), NICE CG179
(pressure ulcers), NICE CG32 (nutrition support, MUST screening) and NICE
CG103 (delirium); which assessment types a trust tracks is configuration
(``config/clinical.yaml`` ``assessment_types``).

Due times where the extract gives none, and required types (``config/clinical.yaml``
``assessment_schedule``): the EPR's ``due_at`` is used when present. Otherwise
the due time is worked out from admission: VTE by 14 hours after admission
(NICE NG89 1.1: assess on admission, reassess at consultant review; the NHS
seven-day services standard puts that review within 14 hours), pressure-ulcer
risk within 6 hours (NICE CG179, quality standard QS89 statement 1), MUST on
admission (NICE CG32 1.2), all configurable. A stay with no row of a required
type is itself outstanding for that type: a patient with no VTE row is the
likeliest to have had none, and must not be absent from the tile. A type with a
reassessment cadence (MUST weekly, CG32) is outstanding again once the cadence
has passed since the latest completion. ``due_basis`` says where each due time
came from.

Decisions:

* Outstanding: ``completed_at`` is missing, or lies after ``extracted_at``
  (the extract reflects the moment ``extracted_at``; a later completion had
  not happened yet).
* Overdue: outstanding and ``due_at < extracted_at``, strictly: an
  assessment due exactly at ``extracted_at`` is not yet overdue.
  A missing ``due_at`` is never overdue (it cannot be timed) but is still outstanding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from metrics.rules.grouping import counts_with_text, joined_per_key

from metrics.rules.clock import as_utc

ROW_COLUMNS_ADDED = ["outstanding", "overdue", "overdue_minutes", "due_basis"]
FROM_EXTRACT = "due time from the extract"
# None as an array value for np.where (numpy's type hints take no bare None there).
_NONE = np.array(None, dtype=object)


@dataclass(frozen=True)
class AssessmentDue:
    """When one assessment type is due: hours after admission, an optional reassessment cadence, from what age."""

    due_within_hours_of_admission: float
    reassess_every_hours: float | None = None
    from_age_years: int = 0
PER_ENCOUNTER_COLUMNS = [
    "encounter_id",
    "assessments_outstanding",
    "assessments_overdue",
    "assessments_outstanding_types",
    "assessments_max_overdue_minutes",
]


def _hours(h: float) -> str:
    return f"{h:g} h"


def with_schedule(
    assessments: pd.DataFrame,
    encounters: pd.DataFrame,
    schedule: Mapping[str, AssessmentDue],
    extracted_at: pd.Timestamp | datetime,
) -> pd.DataFrame:
    """The assessments with due times filled from admission, plus a row per required type a stay lacks or is due again.

    ``encounters`` needs encounter_id, admitted_at and age_years. Types compare case-insensitively; added rows
    have no completed_at. ``due_basis`` says where each due time came from.
    """
    ext = as_utc(extracted_at)
    rows = assessments.copy()
    rows["due_basis"] = np.where(rows["due_at"].notna().to_numpy(dtype=bool), FROM_EXTRACT, _NONE).astype(object)
    types = rows["assessment_type"].astype("string").str.strip().str.upper()
    by_encounter = encounters.drop_duplicates("encounter_id").set_index("encounter_id")["admitted_at"]
    # reindex, not map: it keeps the datetime type when there are no encounters at all (an empty extract is held)
    admitted = pd.Series(by_encounter.reindex(rows["encounter_id"].to_numpy()).to_numpy(), index=rows.index)
    added: list[pd.DataFrame] = []
    for code, due in schedule.items():
        code = code.upper()
        hours = due.due_within_hours_of_admission
        fill = (types == code).fillna(False).to_numpy(dtype=bool) & rows["due_at"].isna().to_numpy(dtype=bool)
        if fill.any():
            rows.loc[fill, "due_at"] = admitted[fill] + pd.Timedelta(hours=hours)
            rows.loc[fill, "due_basis"] = f"no due time in the extract: due {_hours(hours)} after admission"
        eligible = encounters[(encounters["age_years"] >= due.from_age_years).fillna(True)]
        have = set(rows.loc[(types == code).fillna(False).to_numpy(dtype=bool), "encounter_id"])
        lacking = eligible[~eligible["encounter_id"].isin(have)]
        if len(lacking):
            added.append(
                pd.DataFrame(
                    {
                        "encounter_id": lacking["encounter_id"].to_numpy(),
                        "assessment_type": code,
                        "due_at": (lacking["admitted_at"] + pd.Timedelta(hours=hours)).to_numpy(),
                        "completed_at": pd.NaT,
                        "due_basis": f"no {code} assessment in the extract: due {_hours(hours)} after admission",
                    }
                )
            )
        if due.reassess_every_hours:
            mine = rows[(types == code).fillna(False).to_numpy(dtype=bool)]
            done = mine["completed_at"].notna() & (mine["completed_at"] <= ext).fillna(False)
            open_rows = set(mine.loc[~done.to_numpy(dtype=bool), "encounter_id"])
            latest = mine[done.to_numpy(dtype=bool)].groupby("encounter_id")["completed_at"].max()
            again = latest + pd.Timedelta(hours=due.reassess_every_hours)
            again = again[(again <= ext) & ~again.index.isin(open_rows) & again.index.isin(eligible["encounter_id"])]
            if len(again):
                added.append(
                    pd.DataFrame(
                        {
                            "encounter_id": again.index.to_numpy(),
                            "assessment_type": code,
                            "due_at": again.to_numpy(),
                            "completed_at": pd.NaT,
                            "due_basis": f"reassessment due {_hours(due.reassess_every_hours)} after the last one",
                        }
                    )
                )
    if not added:
        return rows
    extra = pd.concat(added, ignore_index=True)
    extra["encounter_id"] = extra["encounter_id"].astype(rows["encounter_id"].dtype)
    extra["due_at"] = pd.to_datetime(extra["due_at"], utc=True).astype(rows["due_at"].dtype)
    extra["completed_at"] = pd.Series(pd.NaT, index=extra.index, dtype=rows["completed_at"].dtype)
    return pd.concat([rows, extra], ignore_index=True)


def assessment_rows(assessments: pd.DataFrame, extracted_at: pd.Timestamp | datetime) -> pd.DataFrame:
    """Every assessment with ``outstanding``, ``overdue`` (bool) and ``overdue_minutes`` (NaN unless overdue) added."""
    ext = as_utc(extracted_at)
    out = assessments.copy()
    if "due_basis" not in out:
        out["due_basis"] = np.where(out["due_at"].notna().to_numpy(dtype=bool), FROM_EXTRACT, _NONE).astype(object)
    completed = out["completed_at"]
    outstanding = (completed.isna() | (completed > ext).fillna(False)).to_numpy(dtype=bool)
    late = ((out["due_at"] < ext).fillna(False)).to_numpy(dtype=bool)
    overdue = outstanding & late
    minutes = ((ext - out["due_at"]).dt.total_seconds() / 60.0).to_numpy(dtype=float)
    out["outstanding"] = outstanding
    out["overdue"] = overdue
    out["overdue_minutes"] = np.where(overdue, minutes, np.nan)
    return out[[c for c in out.columns if c not in ROW_COLUMNS_ADDED] + ROW_COLUMNS_ADDED]


def assessments_per_encounter(rows: pd.DataFrame) -> pd.DataFrame:
    """Per encounter with any assessment: outstanding and overdue counts, outstanding types, longest overdue minutes.

    ``assessments_outstanding_types`` is the sorted, comma-separated distinct types, or
    None when nothing is outstanding; ``assessments_max_overdue_minutes`` is NaN when nothing is overdue.
    """
    if rows.empty:
        return pd.DataFrame(
            {
                "encounter_id": pd.Series(dtype=rows["encounter_id"].dtype if "encounter_id" in rows else object),
                "assessments_outstanding": pd.Series(dtype="int64"),
                "assessments_overdue": pd.Series(dtype="int64"),
                "assessments_outstanding_types": pd.Series(dtype=object),
                "assessments_max_overdue_minutes": pd.Series(dtype="float64"),
            }
        )
    outstanding = rows["outstanding"].to_numpy(dtype=bool)
    work = rows[["encounter_id"]].copy()  # keeps the caller's encounter_id dtype for later merges
    work["outstanding"] = outstanding.astype("int64")
    work["overdue"] = rows["overdue"].to_numpy(dtype=bool).astype("int64")
    work["overdue_minutes"] = rows["overdue_minutes"].to_numpy(dtype=float)
    counts = work.groupby("encounter_id", sort=True).agg(
        assessments_outstanding=("outstanding", "sum"),
        assessments_overdue=("overdue", "sum"),
        assessments_max_overdue_minutes=("overdue_minutes", "max"),
    )
    types = joined_per_key(
        rows.loc[outstanding, "encounter_id"], rows.loc[outstanding, "assessment_type"], "assessments_outstanding_types"
    )
    out = counts_with_text(counts, types, ["assessments_outstanding", "assessments_overdue"])
    out["assessments_max_overdue_minutes"] = out["assessments_max_overdue_minutes"].astype("float64")
    return out[PER_ENCOUNTER_COLUMNS]
