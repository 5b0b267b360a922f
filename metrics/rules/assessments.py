"""Outstanding and overdue risk assessments per patient.

Why this exists: admission risk assessments (VTE, falls, pressure ulcer,
nutrition, delirium, ...) protect patients only if they are done on time.
The board shows, per patient, which are still outstanding and how long the
overdue ones have been overdue, counted from the extract's ``extracted_at``.

Source: NICE NG89 (venous thromboembolism in over 16s: reducing the risk of
hospital-acquired deep vein thrombosis or pulmonary embolism; VTE risk
assessment on admission), NICE CG161 (falls in older people), NICE CG179
(pressure ulcers), NICE CG32 (nutrition support, MUST screening) and NICE
CG103 (delirium); which assessment types a trust tracks is configuration
(``config/clinical.yaml`` ``assessment_types``).

Decisions:

* Outstanding: ``completed_at`` is missing, or lies after ``extracted_at``
  (the extract reflects the moment ``extracted_at``; a later completion had
  not happened yet).
* Overdue: outstanding and ``due_at < extracted_at``, strictly: an
  assessment due exactly at ``extracted_at`` is not yet overdue.
  A missing ``due_at`` is never overdue (it cannot be timed) but is still outstanding.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from metrics.rules.grouping import joined_per_key

from metrics.rules.clock import as_utc

ROW_COLUMNS_ADDED = ["outstanding", "overdue", "overdue_minutes"]
PER_ENCOUNTER_COLUMNS = [
    "encounter_id",
    "assessments_outstanding",
    "assessments_overdue",
    "assessments_outstanding_types",
    "assessments_max_overdue_minutes",
]


def assessment_rows(assessments: pd.DataFrame, extracted_at: pd.Timestamp | datetime) -> pd.DataFrame:
    """Every assessment with ``outstanding``, ``overdue`` (bool) and ``overdue_minutes`` (NaN unless overdue) added."""
    ext = as_utc(extracted_at)
    out = assessments.copy()
    completed = out["completed_at"]
    outstanding = (completed.isna() | (completed > ext).fillna(False)).to_numpy(dtype=bool)
    late = ((out["due_at"] < ext).fillna(False)).to_numpy(dtype=bool)
    overdue = outstanding & late
    minutes = ((ext - out["due_at"]).dt.total_seconds() / 60.0).to_numpy(dtype=float)
    out["outstanding"] = outstanding
    out["overdue"] = overdue
    out["overdue_minutes"] = np.where(overdue, minutes, np.nan)
    return out


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
    out = counts.join(types, how="left").reset_index()
    out["assessments_outstanding_types"] = (
        out["assessments_outstanding_types"].astype(object).where(out["assessments_outstanding_types"].notna(), None)
    )
    out["assessments_outstanding"] = out["assessments_outstanding"].astype("int64")
    out["assessments_overdue"] = out["assessments_overdue"].astype("int64")
    out["assessments_max_overdue_minutes"] = out["assessments_max_overdue_minutes"].astype("float64")
    return out[PER_ENCOUNTER_COLUMNS]
