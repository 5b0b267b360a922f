"""Acute kidney injury (AKI) warning stage from serum creatinine, by the NHS England algorithm.

Source: NHS England Patient Safety Alert NHS/PSA/D/2014/010, *Standardising
the early identification of Acute Kidney Injury* (June 2014), and its
"Algorithm for detecting AKI based on serum creatinine changes with time"
(NHS England / Think Kidneys AKI programme, with the UK Renal Registry;
described in Selby NM, Hill R, Fluck RJ, Nephron 2015;131:113-117).

Why this exists: English laboratories attach an AKI warning stage to
creatinine results, but the board must show the stage for every patient on
the ward from the extract alone, and must say why. This module applies the
published adult algorithm to a patient's creatinine history, pure (no I/O,
no clock) and with a reason for every answer, including "no answer".
``aki_result`` applies it to one patient's results, step by step: it is the
reference. ``aki_per_patient`` applies the same rules to every patient of an
extract at once, with array operations, and must give the same answers.

The algorithm, for adults, with C1 the current result:

* RV1 = the lowest result in the 0-7 days before C1; RV2 = the median of the
  results 8-365 days before C1. The RV ratio is C1/RV1 or C1/RV2; when both
  exist the published algorithm uses the higher ratio (so does the UK Renal
  Registry's central re-implementation), and ``reference_kind`` names the one
  used (RV1 on a tie).
* Ratio >= 1.5: AKI. Stage 3 if ratio >= 3, or if C1 > 354 µmol/L (with the
  ratio >= 1.5 that made it AKI); otherwise stage 2 if ratio >= 2; otherwise
  stage 1.
* Ratio < 1.5 (or no RV): if D = C1 - the lowest result in the 48 hours
  before C1 is > 26 µmol/L, stage 1. The 48-hour rule gives stage 1 only.
* No result in the 365 days before C1 (hence none in 48 hours): no baseline,
  no stage. The algorithm then only compares C1 with the laboratory's
  reference range, which the extract does not carry; we say so, we don't guess.
* Otherwise stage 0 (no AKI).

Windows, all measured back from C1's ``collected_at`` (elapsed = C1 time -
result time), both ends inclusive as written here, so there is no gap:

* 0-7 days: 0 <= elapsed <= 7 x 24 h (a result exactly 168 h before C1 is RV1).
* 8-365 days: 7 x 24 h < elapsed <= 365 x 24 h (a result one minute past
  7 days is in the RV2 window; exactly 365 days is in; 365 days and a minute is out).
* 48 hours: 0 <= elapsed <= 48 h (exactly 48 h is in).

C1 itself is never its own reference; another result with the same
``collected_at`` counts as elapsed 0. Of results with equal ``collected_at``
the later one in the input is C1. Comparisons at the thresholds (1.5, 2, 3,
26, 354) tolerate 1e-9 of floating-point noise, so 150/100 is exactly 1.5.

A stage stands until a newer creatinine says otherwise. A C1 older than
``current_within_hours`` (72 h by default) does not drop the patient from the
board: the stage is kept, ``repeat_due`` is set and the reason ends with the
result's age ("; creatinine 80 h ago: repeat due"). Nothing in an old result
shows that the injury has resolved.

Children and young people (under 18): the published algorithm applies at every
age, with a paediatric path (summarised for clinicians by RCEM Learning, "Acute
kidney injury in children", after the NHS England algorithm and the British
Association for Paediatric Nephrology): the measured creatinine is compared with
the patient's own baseline (RV1/RV2, as for adults) or, without one, with the
laboratory's upper reference limit for age; stage 3 is also given on C1 > 3 x
that limit, in place of the adult C1 > 354 µmol/L. The extract carries no
age-related reference interval, so:

* under 18 with a baseline: staged by the ratio and 48-hour rules as for adults,
  without the adult C1 > 354 rule; the reason says the reference-limit check
  was not made;
* under 18 without a baseline: no stage, ``status`` "not_assessed" with the
  reason, counted on the board as not assessed, never silently absent.

A patient of unknown age is "not_assessed" too. ``status`` is "staged",
"not_assessed", "no_baseline" (adult, no result in 365 days) or "no_result".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

import numpy as np
import pandas as pd

MG_DL_TO_UMOL_L: Final[float] = 88.42
_UMOL_UNITS: Final[frozenset[str]] = frozenset({"umol/l", "\u00b5mol/l", "\u03bcmol/l"})  # u, micro sign, Greek mu
_MG_DL_UNITS: Final[frozenset[str]] = frozenset({"mg/dl"})

RATIO_AKI: Final[float] = 1.5
RATIO_STAGE_2: Final[float] = 2.0
RATIO_STAGE_3: Final[float] = 3.0
C1_STAGE_3_ABOVE_UMOL: Final[float] = 354.0
RISE_48H_ABOVE_UMOL: Final[float] = 26.0
ADULT_FROM_YEARS: Final[int] = 18

_EPS: Final[float] = 1e-9
_HOUR_NS: Final[int] = 3_600_000_000_000
_DAY_NS: Final[int] = 24 * _HOUR_NS
_RV1_NS: Final[int] = 7 * _DAY_NS
_RV2_NS: Final[int] = 365 * _DAY_NS
_D_NS: Final[int] = 48 * _HOUR_NS
_NAT: Final[int] = np.iinfo(np.int64).min  # NaT as int64 nanoseconds; also "before every time"

def creatinine_umol(value: float, unit: str) -> float | None:
    """A creatinine result in µmol/L: µmol/L as is (umol/L, µmol/L, any case), mg/dL x 88.42; any other unit → None."""
    if value is None or unit is None or (isinstance(value, float) and math.isnan(value)):
        return None
    key = str(unit).strip().lower()
    if key in _UMOL_UNITS:
        return float(value)
    if key in _MG_DL_UNITS:
        return float(value) * MG_DL_TO_UMOL_L
    return None


@dataclass(frozen=True)
class AkiResult:
    """The AKI warning stage for one patient now, with the numbers behind it.

    ``stage`` is 0 (no AKI), 1, 2, 3, or None when the algorithm cannot be
    applied; ``reason`` always says why. ``reference_kind`` is "RV1" (lowest in
    0-7 days), "RV2" (median of 8-365 days) or None. ``rise_48h_umol`` is C1
    minus the lowest result in the 48 hours before it, when there is one.
    """

    stage: int | None
    reason: str
    c1_umol: float | None = None
    c1_at: datetime | None = None
    reference_umol: float | None = None
    reference_kind: str | None = None
    ratio: float | None = None
    rise_48h_umol: float | None = None
    status: str = "no_result"
    result_age_hours: float | None = None
    repeat_due: bool = False


def _num(x: float) -> str:
    """A creatinine value as a lab prints it: whole numbers without decimals, else one decimal."""
    return f"{x:.0f}" if abs(x - round(x)) < 1e-6 else f"{x:.1f}"


def _ratio_text(c1: float, kind: str, reference: float, ratio: float) -> str:
    """The start of every staged reason: "C1 200 µmol/L / RV1 100 (lowest in the 7 days before) = ratio 2.00"."""
    described = {"RV1": "lowest in the 7 days before", "RV2": "median of 8-365 days before"}[kind]
    shown = math.floor(ratio * 100 + 1e-6) / 100  # truncated, so the text never rounds up across a threshold
    return f"C1 {_num(c1)} µmol/L / {kind} {_num(reference)} ({described}) = ratio {shown:.2f}"


_CHILD_NO_BASELINE: Final[str] = (
    "under 18 with no baseline: the paediatric path compares C1 with the laboratory's upper reference limit "
    "for age, which the extract does not carry: not assessed"
)
_CHILD_STAGED_NOTE: Final[str] = " (under 18: C1 not checked against 3 x the upper reference limit for age)"


def _age_text(age_hours: float, current_within_hours: int) -> str:
    """"; creatinine 80 h ago: repeat due" when C1 is older than the currency window, else ""."""
    if age_hours > current_within_hours:
        return f"; creatinine {math.floor(age_hours)} h ago: repeat due"
    return ""


def _evaluate(
    times_ns: np.ndarray,
    values: np.ndarray,
    age_years: int | None,
    now_ns: int,
    current_within_hours: int,
    time_of: Callable[[int], datetime],
) -> AkiResult:
    """The algorithm on one patient's valid results (µmol/L), sorted by time, stable (ties keep input order)."""
    k = int(np.searchsorted(times_ns, now_ns, side="right")) - 1
    if k < 0:
        return AkiResult(stage=None, reason="no creatinine result")
    c1 = float(values[k])
    c1_ns = int(times_ns[k])
    c1_at = time_of(k)
    age_hours = (now_ns - c1_ns) / _HOUR_NS
    suffix = _age_text(age_hours, current_within_hours)
    dated = {"result_age_hours": age_hours, "repeat_due": age_hours > current_within_hours}
    if age_years is None:
        reason = "age unknown: the AKI rule for the patient's age cannot be chosen: not assessed"
        return AkiResult(None, reason + suffix, c1, c1_at, status="not_assessed", **dated)  # type: ignore[arg-type]
    child = age_years < ADULT_FROM_YEARS

    # Earlier results sit at positions < k (sorted, stable), so C1 is never its own reference.
    lo_rv1 = int(np.searchsorted(times_ns, c1_ns - _RV1_NS, side="left"))
    lo_rv2 = int(np.searchsorted(times_ns, c1_ns - _RV2_NS, side="left"))
    lo_48h = int(np.searchsorted(times_ns, c1_ns - _D_NS, side="left"))
    rv1_values = values[lo_rv1:k]
    rv2_values = values[lo_rv2 : min(lo_rv1, k)]
    d48_values = values[lo_48h:k]

    candidates: list[tuple[float, str, float]] = []  # (ratio, kind, reference); RV1 first so it wins a tie
    if len(rv1_values):
        rv1 = float(rv1_values.min())
        candidates.append((c1 / rv1, "RV1", rv1))
    if len(rv2_values):
        rv2 = float(np.median(rv2_values))
        candidates.append((c1 / rv2, "RV2", rv2))
    rise = c1 - float(d48_values.min()) if len(d48_values) else None
    base = AkiResult(
        stage=None, reason="", c1_umol=c1, c1_at=c1_at, rise_48h_umol=rise, **dated  # type: ignore[arg-type]
    )

    if not candidates:
        if child:
            return replace(base, reason=_CHILD_NO_BASELINE + suffix, status="not_assessed")
        return replace(
            base, reason="no baseline: no result in the last 365 days or 48 hours" + suffix, status="no_baseline"
        )
    ratio, kind, reference = max(candidates, key=lambda c: c[0])  # max keeps the first (RV1) on a tie
    ratio_text = _ratio_text(c1, kind, reference, ratio)
    with_ref = replace(base, reference_umol=reference, reference_kind=kind, ratio=ratio, status="staged")
    staged = _staged(with_ref, ratio, ratio_text, c1, rise, child)
    return replace(staged, reason=staged.reason + (_CHILD_STAGED_NOTE if child else "") + suffix)


def _staged(
    with_ref: AkiResult, ratio: float, ratio_text: str, c1: float, rise: float | None, child: bool
) -> AkiResult:
    """The staging steps of the algorithm once a reference exists."""

    if ratio >= RATIO_AKI - _EPS:
        if ratio >= RATIO_STAGE_3 - _EPS:
            return replace(with_ref, stage=3, reason=f"{ratio_text} ≥ 3: stage 3")
        if not child and c1 > C1_STAGE_3_ABOVE_UMOL + _EPS:
            return replace(with_ref, stage=3, reason=f"{ratio_text} ≥ 1.5 and C1 > 354 µmol/L: stage 3")
        if ratio >= RATIO_STAGE_2 - _EPS:
            return replace(with_ref, stage=2, reason=f"{ratio_text} ≥ 2: stage 2")
        return replace(with_ref, stage=1, reason=f"{ratio_text} ≥ 1.5: stage 1")
    if rise is not None and rise > RISE_48H_ABOVE_UMOL + _EPS:
        return replace(
            with_ref,
            stage=1,
            reason=f"{ratio_text} < 1.5, but a rise of {_num(rise)} µmol/L within 48 h (> 26): stage 1",
        )
    rise_text = (
        f"; rise within 48 h {_num(rise)} µmol/L (≤ 26)" if rise is not None else "; no result in the 48 h before"
    )
    return replace(with_ref, stage=0, reason=f"{ratio_text} < 1.5{rise_text}: no AKI")


def _ns(t: datetime) -> tuple[int, bool]:
    stamp = pd.Timestamp(t)
    return stamp.as_unit("ns").value, stamp.tzinfo is not None


def aki_result(
    results: Sequence[tuple[datetime, float]],
    age_years: int | None,
    now: datetime,
    current_within_hours: int = 72,
) -> AkiResult:
    """The AKI warning stage now from one patient's creatinine results, (collected_at, µmol/L) pairs.

    C1 is the latest result at or before ``now``; later results are ignored,
    and so are values that are not positive finite numbers. If C1 is more than
    ``current_within_hours`` old, the stage stands and ``repeat_due`` is set. Datetimes must be all timezone-aware
    or all naive (``now`` included). See the module docstring for the windows.
    """
    now_ns, now_aware = _ns(now)
    stamps: list[int] = []
    kept_values: list[float] = []
    kept_times: list[datetime] = []
    for when, value in results:
        t_ns, aware = _ns(when)
        if aware != now_aware:
            raise ValueError("results and now must be all timezone-aware or all naive")
        if value is None or not math.isfinite(value) or value <= 0:
            continue
        stamps.append(t_ns)
        kept_values.append(float(value))
        kept_times.append(when)
    times_ns = np.asarray(stamps, dtype=np.int64)
    order = np.argsort(times_ns, kind="stable")
    return _evaluate(
        times_ns[order],
        np.asarray(kept_values, dtype=np.float64)[order],
        age_years,
        now_ns,
        current_within_hours,
        lambda i: kept_times[int(order[i])],
    )


def _age_or_none(value: object) -> int | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    whole: int = int(value)  # type: ignore[call-overload]  # an age of any numeric type; not a number raises here
    return whole


def _unit_factors(units: pd.Series) -> np.ndarray:
    """Multiplier to µmol/L per row; NaN where the unit cannot be converted."""
    codes, uniques = pd.factorize(units, use_na_sentinel=True)
    lookup = np.full(len(uniques) + 1, np.nan)  # last slot: missing unit (code -1)
    for i, unit in enumerate(uniques):
        converted = creatinine_umol(1.0, unit) if isinstance(unit, str) else None
        if converted is not None:
            lookup[i] = converted
    factors: np.ndarray = lookup[codes]
    return factors


def _ages_in_years(ages: Mapping[str, int] | pd.Series) -> np.ndarray:
    """Each age as a float, NaN when unknown (comparing with 18 is the same as for the whole number of years)."""
    if isinstance(ages, pd.Series) and pd.api.types.is_numeric_dtype(ages.dtype):
        years: np.ndarray = ages.to_numpy(dtype="float64", na_value=np.nan)
        return years
    whole = (_age_or_none(age) for _, age in ages.items())
    return np.array([np.nan if age is None else float(age) for age in whole], dtype="float64")


def _min_by(codes: np.ndarray, values: np.ndarray, selected: np.ndarray, n: int) -> np.ndarray:
    """Per code 0..n-1, the lowest of the selected values; NaN where none is selected."""
    lowest = np.full(n, np.inf)
    np.minimum.at(lowest, codes[selected], values[selected])
    lowest[np.bincount(codes[selected], minlength=n) == 0] = np.nan
    return lowest


def _median_by(codes: np.ndarray, values: np.ndarray, selected: np.ndarray, n: int) -> np.ndarray:
    """Per code 0..n-1, the median of the selected values as ``np.median`` gives it; NaN where none is selected."""
    c, v = codes[selected], values[selected]
    v = v[np.lexsort((v, c))]  # by code, then value
    counts = np.bincount(c, minlength=n)
    start = np.cumsum(counts) - counts
    some = counts > 0
    lower = v[(start + (counts - 1) // 2)[some]]
    upper = v[(start + counts // 2)[some]]
    median = np.full(n, np.nan)
    median[some] = np.where(counts[some] % 2 == 1, lower, (lower + upper) / 2)
    return median


@dataclass(frozen=True)
class _PerPatient:
    """What ``_evaluate`` reads from one patient's history, for every patient at once (arrays indexed by code).

    NaN (``_NAT`` for ``c1_ns``) where there is no such result.
    """

    c1: np.ndarray
    c1_ns: np.ndarray
    rv1: np.ndarray
    rv2: np.ndarray
    lowest_48h: np.ndarray


def _per_patient(times: np.ndarray, values: np.ndarray, codes: np.ndarray, n: int) -> _PerPatient:
    """C1, RV1, RV2 and the 48-hour minimum per patient code 0..n-1.

    ``times``, ``values`` and ``codes`` are the valid results, sorted by code,
    then time, then input order, all at or before ``extracted_at``: so each
    patient's C1 is the last row of its group, and the windows of the module
    docstring are row masks measured back from that row's time.
    """
    counts = np.bincount(codes, minlength=n)
    has_c1 = counts > 0
    c1_row = (np.cumsum(counts) - 1)[has_c1]
    c1 = np.full(n, np.nan)
    c1[has_c1] = values[c1_row]
    c1_ns = np.full(n, _NAT, dtype=np.int64)
    c1_ns[has_c1] = times[c1_row]

    earlier = np.ones(len(times), dtype=bool)
    earlier[c1_row] = False  # C1 is never its own reference; a result at the same time is (elapsed 0)
    c1_ns_of_row = c1_ns[codes]
    within_7d = earlier & (times >= c1_ns_of_row - _RV1_NS)
    within_365d = earlier & (times >= c1_ns_of_row - _RV2_NS)
    within_48h = earlier & (times >= c1_ns_of_row - _D_NS)
    return _PerPatient(
        c1=c1,
        c1_ns=c1_ns,
        rv1=_min_by(codes, values, within_7d, n),
        rv2=_median_by(codes, values, within_365d & ~within_7d, n),
        lowest_48h=_min_by(codes, values, within_48h, n),
    )


# The branches of ``_evaluate``, in its order; the first five give no stage and no reference.
_RULES: Final[tuple[str, ...]] = (
    "no_result", "age_unknown", "no_baseline_child", "no_baseline",
    "ratio_3", "c1_above_354", "ratio_2", "ratio_1_5", "rise_48h", "no_aki",
)  # fmt: skip
_RULE_STAGE: Final[np.ndarray] = np.array([-1, -1, -1, -1, 3, 3, 2, 1, 1, 0], dtype=np.int64)  # -1: no stage
_RULE_STATUS: Final[tuple[str, ...]] = ("no_result", "not_assessed", "not_assessed", "no_baseline") + ("staged",) * 6
_FIRST_STAGED_RULE: Final[int] = _RULES.index("ratio_3")


def _reason(
    rule: str,
    c1: float,
    kind: str,
    reference: float,
    ratio: float,
    rise: float,
    current_within_hours: int,
    age_hours: float,
    child: bool,
) -> str:
    """The words ``_evaluate`` gives for a branch (rise NaN: no result in the 48 h before)."""
    if rule == "no_result":
        return "no creatinine result"
    suffix = _age_text(age_hours, current_within_hours)
    if rule == "age_unknown":
        return "age unknown: the AKI rule for the patient's age cannot be chosen: not assessed" + suffix
    if rule == "no_baseline_child":
        return _CHILD_NO_BASELINE + suffix
    if rule == "no_baseline":
        return "no baseline: no result in the last 365 days or 48 hours" + suffix
    return _staged_reason(rule, c1, kind, reference, ratio, rise) + (_CHILD_STAGED_NOTE if child else "") + suffix


def _staged_reason(rule: str, c1: float, kind: str, reference: float, ratio: float, rise: float) -> str:
    """The words of a staged branch."""
    ratio_text = _ratio_text(c1, kind, reference, ratio)
    if rule == "ratio_3":
        return f"{ratio_text} ≥ 3: stage 3"
    if rule == "c1_above_354":
        return f"{ratio_text} ≥ 1.5 and C1 > 354 µmol/L: stage 3"
    if rule == "ratio_2":
        return f"{ratio_text} ≥ 2: stage 2"
    if rule == "ratio_1_5":
        return f"{ratio_text} ≥ 1.5: stage 1"
    if rule == "rise_48h":
        return f"{ratio_text} < 1.5, but a rise of {_num(rise)} µmol/L within 48 h (> 26): stage 1"
    rise_text = (
        "; no result in the 48 h before" if math.isnan(rise) else f"; rise within 48 h {_num(rise)} µmol/L (≤ 26)"
    )
    return f"{ratio_text} < 1.5{rise_text}: no AKI"


# The columns of ``aki_per_patient``, in its order; the derive step joins all but ``patient_id`` to each encounter.
PER_PATIENT_COLUMNS: Final[tuple[str, ...]] = (
    "patient_id",
    "aki_stage",
    "aki_status",
    "aki_reason",
    "aki_result_age_hours",
    "aki_repeat_due",
    "aki_c1_umol",
    "aki_c1_at",
    "aki_reference_umol",
    "aki_reference_kind",
    "aki_ratio",
)


def aki_per_patient(
    lab_results: pd.DataFrame,
    ages: Mapping[str, int] | pd.Series,
    extracted_at: pd.Timestamp,
    current_within_hours: int = 72,
) -> pd.DataFrame:
    """The AKI warning stage at ``extracted_at`` for every patient in ``ages`` (patient_id → age in years).

    Reads only rows with ``test`` "creatinine" (case-insensitive) collected at or
    before ``extracted_at``. A row whose unit cannot be converted is ignored; if
    such rows are the patient's latest, the reason counts them and names the unit.

    Columns: ``patient_id``; ``aki_stage`` (Int64, <NA> when no stage);
    ``aki_status`` (staged, not_assessed, no_baseline, no_result); ``aki_reason`` (text, always set);
    ``aki_result_age_hours`` (hours from C1 to ``extracted_at``); ``aki_repeat_due`` (C1 older than
    ``current_within_hours``: the stage stands, a repeat is due); ``aki_c1_umol`` (float); ``aki_c1_at``
    (datetime, as ``collected_at``); ``aki_reference_umol`` (float);
    ``aki_reference_kind`` ("RV1", "RV2" or missing); ``aki_ratio`` (float).

    Why vectorised: a refresh stages every patient in the extract (about 15,000
    with 375,000 lab rows), and ``_evaluate`` once per patient cost over a
    second. This applies the same algorithm to all patients at once with array
    operations (C1, the windows, the stage), and builds only the reason texts
    per patient. ``_evaluate`` (via ``aki_result``) stays the readable reference;
    tests/property/test_aki_properties.py checks the two agree, frame for frame.
    """
    now = pd.Timestamp(extracted_at)
    now_ns = now.as_unit("ns").value
    collected = pd.DatetimeIndex(lab_results["collected_at"])
    if len(collected) and (collected.tz is None) != (now.tz is None):
        raise ValueError("collected_at and extracted_at must both be timezone-aware, or both naive")
    tz = collected.tz

    is_creatinine = np.asarray(lab_results["test"].astype("string").str.strip().str.lower() == "creatinine", dtype=bool)
    dated = np.asarray(collected.notna() & (collected <= now), dtype=bool)
    rows = np.flatnonzero(is_creatinine & dated)
    sub = lab_results.iloc[rows]
    factor = _unit_factors(sub["unit"])
    raw = pd.to_numeric(sub["value"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    umol = raw * factor
    times = collected[rows].as_unit("ns").asi8
    patient_codes, patient_ids = pd.factorize(sub["patient_id"].astype("string"))
    usable_unit = ~np.isnan(factor)
    valid = usable_unit & np.isfinite(umol) & (umol > 0) & (patient_codes >= 0)
    bad_unit = ~usable_unit & (patient_codes >= 0)
    n = len(patient_ids) + 1  # one more code, never in the data: the patient with no creatinine row

    def by_patient(mask: np.ndarray) -> np.ndarray:
        """Positions of the ``mask`` rows, sorted by patient, time and input order."""
        idx = np.flatnonzero(mask)
        return idx[np.lexsort((idx, times[idx], patient_codes[idx]))]

    good = by_patient(valid)
    per = _per_patient(times[good], umol[good], patient_codes[good], n)

    # Each listed patient's code, and the inputs of every branch of _evaluate.
    patient_keys = list(ages.keys())
    found = pd.Index(patient_ids).get_indexer([str(key) for key in patient_keys])
    code = np.where(found >= 0, found, n - 1)
    age = _ages_in_years(ages)
    c1, c1_ns, rv1, rv2 = per.c1[code], per.c1_ns[code], per.rv1[code], per.rv2[code]
    rise = c1 - per.lowest_48h[code]
    ratio_rv1, ratio_rv2 = c1 / rv1, c1 / rv2
    use_rv2 = ~np.isnan(rv2) & (np.isnan(rv1) | (ratio_rv2 > ratio_rv1))  # RV1 wins a tie
    ratio = np.where(use_rv2, ratio_rv2, ratio_rv1)
    reference = np.where(use_rv2, rv2, rv1)
    is_aki = ratio >= RATIO_AKI - _EPS
    child = age < ADULT_FROM_YEARS
    age_hours = np.where(np.isnan(c1), np.nan, (now_ns - c1_ns) / _HOUR_NS)
    rule = np.select(  # one condition per rule of _RULES but the last, in order: the first that holds applies
        [
            np.isnan(c1),
            np.isnan(age),
            child & np.isnan(reference),
            np.isnan(reference),
            ratio >= RATIO_STAGE_3 - _EPS,
            is_aki & ~child & (c1 > C1_STAGE_3_ABOVE_UMOL + _EPS),
            ratio >= RATIO_STAGE_2 - _EPS,
            is_aki,
            rise > RISE_48H_ABOVE_UMOL + _EPS,
        ],
        np.arange(len(_RULES) - 1),
        default=len(_RULES) - 1,
    )
    staged = rule >= _FIRST_STAGED_RULE
    kind = np.where(use_rv2, "RV2", "RV1").astype(object)
    reasons = [
        _reason(_RULES[rule_i], c1_i, kind_i, reference_i, ratio_i, rise_i, current_within_hours, hours_i, child_i)
        for rule_i, c1_i, kind_i, reference_i, ratio_i, rise_i, hours_i, child_i in zip(
            rule.tolist(),
            c1.tolist(),
            kind.tolist(),
            reference.tolist(),
            ratio.tolist(),
            rise.tolist(),
            age_hours.tolist(),
            child.tolist(),
            strict=True,
        )
    ]
    kind[~staged] = None  # a reference is shown only with a stage, as in _evaluate

    # Unconvertible units newer than C1 (or any, with no C1): counted, and the latest one named.
    bad = by_patient(bad_unit)
    bad_codes = patient_codes[bad]
    ignored = np.bincount(bad_codes[times[bad] >= per.c1_ns[bad_codes]], minlength=n)[code]
    latest_bad = (np.cumsum(np.bincount(bad_codes, minlength=n)) - 1)[code]
    flagged = np.flatnonzero(ignored)
    units = sub["unit"].iloc[bad[latest_bad[flagged]]].astype("string").to_numpy(dtype=object, na_value=None)
    for i, unit in zip(flagged.tolist(), units, strict=True):
        plural = "s" if ignored[i] != 1 else ""
        which = "newer than C1 " if not np.isnan(c1[i]) else ""
        reasons[i] += f" ({ignored[i]} result{plural} {which}ignored: unit '{unit}' cannot be converted to µmol/L)"

    c1_at = pd.DatetimeIndex(c1_ns.view("M8[ns]"))
    if tz is not None:
        c1_at = c1_at.tz_localize("UTC").tz_convert(tz)
    return pd.DataFrame(
        {
            "patient_id": pd.Series(patient_keys, dtype="str"),
            "aki_stage": pd.Series(pd.arrays.IntegerArray(_RULE_STAGE[rule], ~staged)),
            "aki_status": pd.Series([_RULE_STATUS[r] for r in rule.tolist()], dtype="str"),
            "aki_reason": pd.Series(reasons, dtype="str"),
            "aki_result_age_hours": pd.Series(age_hours, dtype="float64"),
            "aki_repeat_due": pd.Series(~np.isnan(age_hours) & (age_hours > current_within_hours), dtype=bool),
            "aki_c1_umol": pd.Series(c1, dtype="float64"),
            "aki_c1_at": pd.Series(c1_at),
            "aki_reference_umol": pd.Series(np.where(staged, reference, np.nan), dtype="float64"),
            "aki_reference_kind": pd.Series(kind.tolist(), dtype="str"),
            "aki_ratio": pd.Series(np.where(staged, ratio, np.nan), dtype="float64"),
        }
    )
