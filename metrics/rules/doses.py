"""Missed and delayed doses of critical medicines since London midnight.

Why this exists: for some medicines a missed or delayed dose can cause
serious harm (Parkinson's medicines, insulin, anticoagulants, anti-infectives
in sepsis, anti-epileptics, steroids...). The nurse in charge needs to see,
per patient, which critical doses due today have been missed, separately
from doses not given for a documented clinical or patient reason.

Source: the national critical medicines list published by the NHS Specialist
Pharmacy Service (SPS, "Critical medicines list", after the NPSA rapid
response report NPSA/2010/RRR009 "Reducing harm from omitted and delayed
medicines in hospital") and NHS England's patient safety guidance on
omitted and delayed doses. Which medicines are critical, which not_given
reasons count as missed and how late a pending dose may be are configuration
(``config/clinical.yaml`` ``missed_doses``), not code.

Decisions:

* A dose's status is one of ``given``, ``missed``, ``excused``, ``pending``,
  ``pending_overdue`` and ``not_yet_due``. ``given`` wins whatever the time;
  any other dose scheduled after ``extracted_at`` is ``not_yet_due``.
* ``not_given`` with an empty reason, or a reason in ``missed_reasons``, is
  ``missed``; with any other reason (patient_refused, nil_by_mouth,
  clinical_reason, patient_absent, ...) it is ``excused``: shown, not counted.
* A pending dose becomes ``pending_overdue`` (counted as missed) when
  ``extracted_at - scheduled_at >= pending_missed_after_minutes``: the
  threshold is inclusive, so with 120 minutes a dose pending 119 min 59 s
  is still ``pending`` and one pending exactly 120 min is missed.
* "Today" is [London midnight of extracted_at, extracted_at], both ends
  inclusive: a dose scheduled exactly at midnight is today's, one second
  before midnight is yesterday's.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from functools import lru_cache

import numpy as np
import pandas as pd

from metrics.rules.clock import as_utc, london_midnight

DOSE_STATUSES = ("given", "missed", "excused", "pending", "pending_overdue", "not_yet_due")
MISSED_STATUSES = ("missed", "pending_overdue")
OUTCOMES = ("given", "not_given", "pending")
DOSE_COLUMNS_ADDED = ["critical_class", "dose_status", "is_missed", "minutes_since_scheduled"]
PER_ENCOUNTER_COLUMNS = [
    "encounter_id",
    "missed_critical_doses",
    "excused_critical_doses",
    "missed_critical_medicines",
    "first_missed_at",
]


@lru_cache(maxsize=32)
def _patterns(key: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for cls, names in key:
        alternatives = [r"\s+".join(re.escape(word) for word in name.split()) for name in names if name.strip()]
        if alternatives:
            # whole words: the name may not continue into a neighbouring letter or digit
            pattern = r"(?<![0-9a-z])(?:" + "|".join(alternatives) + r")(?![0-9a-z])"
            out.append((cls, re.compile(pattern, re.IGNORECASE)))
    return tuple(out)


def _key(critical: Mapping[str, Sequence[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((str(cls), tuple(str(n) for n in names)) for cls, names in critical.items())


def critical_class(medicine: str, critical: Mapping[str, Sequence[str]]) -> str | None:
    """The critical-medicine class whose listed name appears as a whole word (or phrase) in ``medicine``, else None.

    Case-insensitive; the first class in configuration order wins if several match.
    """
    if medicine is None or pd.isna(medicine):
        return None
    for cls, pattern in _patterns(_key(critical)):
        if pattern.search(str(medicine)):
            return cls
    return None


def dose_status(
    outcome: str,
    reason: str | None,
    scheduled_at: pd.Timestamp | datetime,
    extracted_at: pd.Timestamp | datetime,
    pending_missed_after_minutes: float,
    missed_reasons: Collection[str],
) -> str:
    """Status of one scheduled dose at ``extracted_at`` (one of ``DOSE_STATUSES``); see the module notes."""
    out = str(outcome).strip().lower() if outcome is not None and not pd.isna(outcome) else ""
    if out not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
    if out == "given":
        return "given"
    scheduled, ext = as_utc(scheduled_at), as_utc(extracted_at)
    if scheduled > ext:
        return "not_yet_due"
    if out == "not_given":
        text = "" if reason is None or pd.isna(reason) else str(reason).strip().lower()
        return "missed" if text == "" or text in {r.lower() for r in missed_reasons} else "excused"
    minutes = (ext - scheduled).total_seconds() / 60.0
    return "pending_overdue" if minutes >= pending_missed_after_minutes else "pending"


def _dose_status_vector(
    frame: pd.DataFrame,
    ext: pd.Timestamp,
    pending_missed_after_minutes: float,
    missed_reasons: Collection[str],
) -> tuple[np.ndarray, np.ndarray]:
    """(dose_status, minutes_since_scheduled) for every row of ``frame``, the vectorised twin of dose_status."""
    outcome = frame["outcome"].astype("string").str.strip().str.lower()
    bad = ~outcome.isin(OUTCOMES).fillna(False).to_numpy(dtype=bool)
    if bad.any():
        raise ValueError(
            f"outcome must be one of {', '.join(OUTCOMES)}, got {sorted(set(map(str, frame['outcome'][bad])))}"
        )
    reason = (
        frame["reason"].astype("string").str.strip().str.lower()
        if "reason" in frame
        else pd.Series(pd.NA, index=frame.index, dtype="string")
    )
    minutes = ((ext - frame["scheduled_at"]).dt.total_seconds() / 60.0).to_numpy(dtype=float)
    given = (outcome == "given").to_numpy(dtype=bool)
    not_given = (outcome == "not_given").to_numpy(dtype=bool)
    future = minutes < 0
    reason_empty = (reason.isna() | (reason == "")).fillna(True).to_numpy(dtype=bool)
    reason_missed = reason.isin([r.lower() for r in missed_reasons]).fillna(False).to_numpy(dtype=bool)
    status = np.select(
        [
            given,
            future,
            not_given & (reason_empty | reason_missed),
            not_given,
            minutes >= pending_missed_after_minutes,
        ],
        ["given", "not_yet_due", "missed", "excused", "pending_overdue"],
        default="pending",
    ).astype(object)
    return status, minutes


def critical_doses_today(
    medication_administrations: pd.DataFrame,
    extracted_at: pd.Timestamp | datetime,
    critical: Mapping[str, Sequence[str]],
    pending_missed_after_minutes: float,
    missed_reasons: Collection[str],
) -> pd.DataFrame:
    """Critical-medicine doses scheduled in [London midnight, extracted_at], with critical_class, dose_status, is_missed, minutes_since_scheduled."""
    ext = as_utc(extracted_at)
    start = london_midnight(ext)
    meds = medication_administrations
    scheduled = meds["scheduled_at"]
    in_window = ((scheduled >= start) & (scheduled <= ext)).fillna(False).to_numpy(dtype=bool)
    today = meds.loc[in_window]
    names = today["medicine"].astype("string")
    uniques = names.dropna().unique()  # classify each distinct eMAR name once, not each row
    classes = pd.Series([critical_class(str(m), critical) for m in uniques], index=uniques, dtype=object)
    cls = names.map(classes)
    out = today.loc[cls.notna().to_numpy(dtype=bool)].copy()
    out["critical_class"] = cls[cls.notna()].astype(object).to_numpy()
    status, minutes = _dose_status_vector(out, ext, pending_missed_after_minutes, missed_reasons)
    out["dose_status"] = status
    out["is_missed"] = np.isin(status, MISSED_STATUSES)
    out["minutes_since_scheduled"] = minutes
    return out.reset_index(drop=True)


def doses_per_encounter(critical_doses_today_frame: pd.DataFrame) -> pd.DataFrame:
    """Per encounter with a critical dose today: missed and excused counts, missed medicines, first missed time.

    An encounter with no critical dose today is absent (its true count is zero).
    ``missed_critical_medicines`` is the sorted, comma-separated eMAR names, or None
    when nothing was missed; ``first_missed_at`` is NaT then.
    """
    frame = critical_doses_today_frame
    if frame.empty:
        return pd.DataFrame(
            {
                "encounter_id": pd.Series(dtype=frame["encounter_id"].dtype if "encounter_id" in frame else object),
                "missed_critical_doses": pd.Series(dtype="int64"),
                "excused_critical_doses": pd.Series(dtype="int64"),
                "missed_critical_medicines": pd.Series(dtype=object),
                "first_missed_at": pd.Series(
                    dtype=frame["scheduled_at"].dtype if "scheduled_at" in frame else "datetime64[ns, UTC]"
                ),
            }
        )
    missed = frame["is_missed"].to_numpy(dtype=bool)
    work = frame[["encounter_id"]].copy()  # keeps the caller's encounter_id dtype for later merges
    work["missed"] = missed.astype("int64")
    work["excused"] = (frame["dose_status"] == "excused").to_numpy(dtype=bool).astype("int64")
    work["missed_at"] = frame["scheduled_at"].where(missed)
    counts = work.groupby("encounter_id", sort=True).agg(
        missed_critical_doses=("missed", "sum"),
        excused_critical_doses=("excused", "sum"),
        first_missed_at=("missed_at", "min"),
    )
    names = (
        frame.loc[missed, ["encounter_id", "medicine"]]
        .dropna()
        .drop_duplicates()
        .sort_values(["encounter_id", "medicine"])
        .groupby("encounter_id", sort=True)["medicine"]
        .agg(", ".join)
        .rename("missed_critical_medicines")
    )
    out = counts.join(names, how="left").reset_index()
    out["missed_critical_medicines"] = (
        out["missed_critical_medicines"].astype(object).where(out["missed_critical_medicines"].notna(), None)
    )
    out["missed_critical_doses"] = out["missed_critical_doses"].astype("int64")
    out["excused_critical_doses"] = out["excused_critical_doses"].astype("int64")
    return out[PER_ENCOUNTER_COLUMNS]
