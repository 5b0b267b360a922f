"""Missed and delayed doses of critical medicines over a rolling window, and since the last huddle.

Why this exists: for some medicines a missed or delayed dose can cause
serious harm (Parkinson's medicines, insulin, anticoagulants, anti-infectives,
anti-epileptics, steroids...). The nurse in charge needs to see, per patient,
which critical doses have been missed, separately from doses not given for a
documented reason that is acceptable for that medicine.

Sources:

* NPSA Rapid Response Report NPSA/2010/RRR009, "Reducing harm from omitted and
  delayed medicines in hospital" (February 2010): each organisation keeps a list
  of critical medicines where timeliness is crucial, to include anti-infectives,
  anticoagulants, insulin, resuscitation medicines and medicines for Parkinson's
  disease; omission or delay of a critical medicine is a patient safety incident.
  The NHS Specialist Pharmacy Service's "Reducing harm from omitted and delayed
  medicines in hospital" tool (updated December 2020) supports the local list.
  Being nil by mouth is not in itself a reason to omit a critical medicine (the
  route or formulation is changed instead), so the shipped configuration counts
  ``nil_by_mouth`` as missed, with the reason shown.
* Parkinson's UK, "Get It On Time": Parkinson's medication is time critical and
  "on time" means within 30 minutes of the prescribed time.

Which medicines are critical (names and dm+d codes per class), which not_given
reasons count as missed, and how late a pending dose of each class may be are
configuration (``config/clinical.yaml`` ``missed_doses``), not code.

Decisions:

* A dose's status is one of ``given``, ``missed``, ``excused``, ``pending``,
  ``pending_overdue`` and ``not_yet_due``. ``given`` wins whatever the time;
  any other dose scheduled after ``extracted_at`` is ``not_yet_due``.
* ``not_given`` with an empty reason, or a reason in ``missed_reasons``, is
  ``missed``; with any other reason (patient_refused, clinical_reason,
  patient_absent, ...) it is ``excused``: shown, not counted.
* A pending dose becomes ``pending_overdue`` (counted as missed) when
  ``extracted_at - scheduled_at >= `` its class's time-critical minutes
  (``time_critical_minutes``; classes not listed use ``pending_missed_after_minutes``).
  The threshold is inclusive: with 30 minutes, a dose pending 29 min 59 s is
  still ``pending`` and one pending exactly 30 min is missed.
* The window is rolling, never a calendar day: doses scheduled in
  [extracted_at - window_hours, extracted_at], both ends inclusive, so a dose
  missed at 23:30 is still on the board at 00:30. ``since_last_huddle`` marks
  the doses scheduled at or after the last huddle (London wall-clock times in
  configuration) at or before ``extracted_at``.
* A dose is critical when its dm+d code is in the code list (the code wins);
  otherwise when its name contains a listed name as a whole word or phrase,
  unless the name also contains a ``not_critical_when_named`` phrase (a heparin
  sodium flush keeps a line open; it is not anticoagulation).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import lru_cache

import numpy as np
import pandas as pd

from metrics.rules.clock import LONDON, as_utc, london_date
from metrics.rules.grouping import counts_with_text

DOSE_STATUSES = ("given", "missed", "excused", "pending", "pending_overdue", "not_yet_due")
MISSED_STATUSES = ("missed", "pending_overdue")
OUTCOMES = ("given", "not_given", "pending")
DOSE_COLUMNS_ADDED = [
    "critical_class",
    "matched_by",
    "time_critical_minutes",
    "dose_status",
    "is_missed",
    "minutes_since_scheduled",
    "since_last_huddle",
]
DEFAULT_WINDOW_HOURS = 24.0
PER_ENCOUNTER_COLUMNS = [
    "encounter_id",
    "missed_critical_doses_since_huddle",
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


@dataclass(frozen=True)
class CriticalMedicines:
    """What makes a dose critical and how late it may be: the ``missed_doses`` settings of config/clinical.yaml."""

    names: Mapping[str, Sequence[str]]
    codes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    not_critical_when_named: Sequence[str] = ()
    time_critical_minutes: Mapping[str, float] = field(default_factory=dict)
    default_minutes: float = 120.0

    def minutes_for(self, cls: str) -> float:
        """How long a pending dose of class ``cls`` may wait before it counts as missed."""
        return float(self.time_critical_minutes.get(cls, self.default_minutes))


def _excluded(medicine: str, not_critical_when_named: Sequence[str]) -> bool:
    patterns = _patterns((("x", tuple(not_critical_when_named)),))
    return bool(patterns) and bool(patterns[0][1].search(medicine))


def critical_class(
    medicine: str, critical: Mapping[str, Sequence[str]], not_critical_when_named: Sequence[str] = ()
) -> str | None:
    """The critical-medicine class whose listed name appears as a whole word (or phrase) in ``medicine``, else None.

    Case-insensitive; the first class in configuration order wins if several match. A name that also
    contains a ``not_critical_when_named`` phrase (``flush``) is not critical.
    """
    if medicine is None or pd.isna(medicine):
        return None
    if _excluded(str(medicine), tuple(not_critical_when_named)):
        return None
    for cls, pattern in _patterns(_key(critical)):
        if pattern.search(str(medicine)):
            return cls
    return None


def critical_class_by_code(dmd_code: object, codes: Mapping[str, Sequence[str]]) -> str | None:
    """The class whose code list holds ``dmd_code`` (compared as trimmed text), else None."""
    if dmd_code is None or pd.isna(dmd_code):
        return None
    text = str(dmd_code).strip()
    for cls, listed in codes.items():
        if text in {str(c).strip() for c in listed}:
            return cls
    return None


def last_huddle_at(extracted_at: pd.Timestamp | datetime, huddle_times: Sequence[time]) -> pd.Timestamp | None:
    """The latest huddle (London wall-clock times, every day) at or before ``extracted_at``, as UTC; None if none
    set."""
    if not huddle_times:
        return None
    ext = as_utc(extracted_at)
    today = london_date(ext)
    moments = []
    for back in (0, 1):
        day = pd.Timestamp(today) - pd.Timedelta(days=back)
        for t in huddle_times:
            local = pd.Timestamp.combine(day.date(), t).tz_localize(LONDON, nonexistent="shift_forward", ambiguous=True)
            moments.append(local.tz_convert("UTC"))
    return max(m for m in moments if m <= ext)


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
    pending_missed_after_minutes: float | np.ndarray,
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


def critical_doses_in_window(
    medication_administrations: pd.DataFrame,
    extracted_at: pd.Timestamp | datetime,
    medicines: CriticalMedicines,
    missed_reasons: Collection[str],
    window_hours: float = DEFAULT_WINDOW_HOURS,
    huddle_at: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Critical-medicine doses scheduled in [extracted_at - window_hours, extracted_at], with DOSE_COLUMNS_ADDED.

    ``matched_by`` says whether the dm+d code or the name made the dose critical; ``time_critical_minutes``
    is the class's pending threshold; ``since_last_huddle`` is True for doses scheduled at or after ``huddle_at``.
    """
    if window_hours <= 0:
        raise ValueError(f"window_hours must be above 0, got {window_hours}")
    ext = as_utc(extracted_at)
    start = ext - pd.Timedelta(hours=window_hours)
    meds = medication_administrations
    scheduled = meds["scheduled_at"]
    in_window = ((scheduled >= start) & (scheduled <= ext)).fillna(False).to_numpy(dtype=bool)
    recent = meds.loc[in_window]
    names = recent["medicine"].astype("string")
    uniques = names.dropna().unique()  # classify each distinct eMAR name once, not each row
    excluded = tuple(medicines.not_critical_when_named)
    by_name = pd.Series(
        [critical_class(str(m), medicines.names, excluded) for m in uniques], index=uniques, dtype=object
    )
    cls_name = names.map(by_name)
    if "dmd_code" in recent and medicines.codes:
        code_text = recent["dmd_code"].astype("string").str.strip()
        code_uniques = code_text.dropna().unique()
        by_code = pd.Series(
            [critical_class_by_code(c, medicines.codes) for c in code_uniques], index=code_uniques, dtype=object
        )
        cls_code = code_text.map(by_code)
    else:
        cls_code = pd.Series(pd.NA, index=recent.index, dtype=object)
    cls = cls_code.astype(object).where(cls_code.notna(), cls_name.astype(object))
    keep = cls.notna().to_numpy(dtype=bool)
    out = recent.loc[keep].copy()
    out["critical_class"] = cls[keep].astype(object).to_numpy()
    out["matched_by"] = np.where(cls_code[keep].notna().to_numpy(dtype=bool), "dm+d code", "name").astype(object)
    limits = np.array([medicines.minutes_for(c) for c in out["critical_class"]], dtype=float)
    out["time_critical_minutes"] = limits
    status, minutes = _dose_status_vector(out, ext, limits, missed_reasons)
    out["dose_status"] = status
    out["is_missed"] = np.isin(status, MISSED_STATUSES)
    out["minutes_since_scheduled"] = minutes
    if huddle_at is None:
        out["since_last_huddle"] = np.zeros(len(out), dtype=bool)
    else:
        out["since_last_huddle"] = (out["scheduled_at"] >= as_utc(huddle_at)).fillna(False).to_numpy(dtype=bool)
    return out.reset_index(drop=True)


def doses_per_encounter(critical_doses_frame: pd.DataFrame) -> pd.DataFrame:
    """Per encounter with a critical dose in the window: missed (all, and since the huddle) and excused counts,
    missed medicines, first missed time.

    An encounter with no critical dose in the window is absent (its true count is zero).
    ``missed_critical_medicines`` is the sorted, comma-separated eMAR names, or None
    when nothing was missed; ``first_missed_at`` is NaT then.
    """
    frame = critical_doses_frame
    if frame.empty:
        return pd.DataFrame(
            {
                "encounter_id": pd.Series(dtype=frame["encounter_id"].dtype if "encounter_id" in frame else object),
                "missed_critical_doses_since_huddle": pd.Series(dtype="int64"),
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
    since = (
        frame["since_last_huddle"].to_numpy(dtype=bool) if "since_last_huddle" in frame else np.zeros(len(frame), bool)
    )
    work["missed_since_huddle"] = (missed & since).astype("int64")
    work["excused"] = (frame["dose_status"] == "excused").to_numpy(dtype=bool).astype("int64")
    work["missed_at"] = frame["scheduled_at"].where(missed)
    counts = work.groupby("encounter_id", sort=True).agg(
        missed_critical_doses=("missed", "sum"),
        missed_critical_doses_since_huddle=("missed_since_huddle", "sum"),
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
    whole = ["missed_critical_doses", "missed_critical_doses_since_huddle", "excused_critical_doses"]
    out = counts_with_text(counts, names, whole)
    return out[PER_ENCOUNTER_COLUMNS]
