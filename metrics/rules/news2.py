"""NEWS2, the National Early Warning Score 2, exactly as the Royal College of Physicians published it.

Source: Royal College of Physicians. *National Early Warning Score (NEWS) 2:
Standardising the assessment of acute-illness severity in the NHS.* Updated
report of a working party. London: RCP, December 2017. The parameter bands
are those of the report's "NEWS2 scoring system" chart; the risk bands and
monitoring frequencies those of its "NEWS2 thresholds and triggers" and
"Clinical response to the NEWS2 trigger thresholds" charts.

Why this exists: every ward board in England reads deterioration through
NEWS2, so the dashboard must score an observation set exactly as the paper
chart would, and must say so when it cannot. This module is the one place the
chart is encoded. It is pure (no I/O, no clock, no Streamlit): the scalar
functions below are the readable reference, and :func:`news2_frame` is the
same chart vectorised with numpy for whole extracts (tested against the
scalar functions row for row).

Decisions, each deliberate:

* Missing data is never scored as normal. A set that lacks any of the seven
  parameters gets no aggregate score (``None`` / ``<NA>``), and the missing
  parameters are named.
* ``spo2_scale`` may be missing in the extract; a missing scale is read as
  SpO2 scale 1 (the RCP default: scale 2 is used only for patients with
  confirmed hypercapnic respiratory failure, on a clinician's instruction).
* Temperature bands are applied as continuous thresholds (<=35.0, <=36.0,
  <=38.0, <=39.0), so a value between the printed bands (35.05) takes the band
  above the threshold it exceeds (35.05 scores 1). All other parameters use the
  same "<= upper limit of the band" reading of the chart.
* NEWS2 is not validated in under-16s or in pregnancy (RCP 2017). The
  observation table carries no age or pregnancy, so excluding those patients
  is the caller's job (:mod:`metrics.rules.news2_applicability`).
* What a ward board shows per stay (the newest set, a partial set's minimum,
  the overdue clock) lives in :mod:`metrics.rules.news2_board`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd


# Observation columns of the extract contract, in chart order. These are also
# the names used in ``News2Result.parameter_scores`` and ``missing``.
PARAMETERS: Final[tuple[str, ...]] = (
    "respiratory_rate",
    "spo2",
    "on_oxygen",
    "systolic_bp",
    "heart_rate",
    "consciousness",
    "temperature_c",
)

# Output column of news2_frame for each parameter score.
SCORE_COLUMNS: Final[dict[str, str]] = {
    "respiratory_rate": "news2_rr",
    "spo2": "news2_spo2",
    "on_oxygen": "news2_o2",
    "systolic_bp": "news2_sbp",
    "heart_rate": "news2_hr",
    "consciousness": "news2_acvpu",
    "temperature_c": "news2_temp",
}

RISK_LEVELS: Final[tuple[str, ...]] = ("low", "low-medium", "medium", "high")
MONITORING_LEVELS: Final[tuple[str, ...]] = ("12-hourly", "4-6-hourly", "hourly", "continuous")
STATUSES: Final[tuple[str, ...]] = ("current", "overdue", "incomplete", "never_scored")

_ACVPU: Final[dict[str, int]] = {"A": 0, "C": 3, "V": 3, "P": 3, "U": 3}

# Band tables: the score for "value <= thresholds[i]" is scores[i]; above the last threshold, scores[-1].
_RR_BANDS: Final = ((8, 11, 20, 24), (3, 1, 0, 2, 3))
_SPO2_SCALE1_BANDS: Final = ((91, 93, 95), (3, 2, 1, 0))
_SPO2_SCALE2_LOW_BANDS: Final = ((83, 85, 87), (3, 2, 1, 0))  # up to 92 the score is the same on air or oxygen
_SPO2_SCALE2_OXYGEN_BANDS: Final = ((94, 96), (1, 2, 3))  # >=93 on oxygen
_SBP_BANDS: Final = ((90, 100, 110, 219), (3, 2, 1, 0, 3))
_HR_BANDS: Final = ((40, 50, 90, 110, 130), (3, 1, 0, 1, 2, 3))
_TEMP_BANDS: Final = ((35.0, 36.0, 38.0, 39.0), (3, 1, 0, 1, 2))


def _band(value: float, bands: tuple[tuple[float, ...], tuple[int, ...]]) -> int:
    thresholds, scores = bands
    for limit, score in zip(thresholds, scores, strict=False):
        if value <= limit:
            return score
    return scores[-1]


# ---- scalar scores: one function per row of the RCP chart ----------------------------------------


def score_respiration_rate(rr: int) -> int:
    """Respiration rate (breaths/min): <=8 →3, 9-11 →1, 12-20 →0, 21-24 →2, >=25 →3."""
    return _band(rr, _RR_BANDS)


def score_spo2_scale1(spo2: int) -> int:
    """SpO2 scale 1 (%): <=91 →3, 92-93 →2, 94-95 →1, >=96 →0."""
    return _band(spo2, _SPO2_SCALE1_BANDS)


def score_spo2_scale2(spo2: int, on_oxygen: bool) -> int:
    """SpO2 scale 2 (%), for confirmed hypercapnic respiratory failure only.

    <=83 →3, 84-85 →2, 86-87 →1, 88-92 →0, >=93 on air →0,
    93-94 on oxygen →1, 95-96 on oxygen →2, >=97 on oxygen →3.
    """
    if spo2 <= 92 or not on_oxygen:
        return _band(spo2, _SPO2_SCALE2_LOW_BANDS) if spo2 <= 92 else 0
    return _band(spo2, _SPO2_SCALE2_OXYGEN_BANDS)


def score_air_or_oxygen(on_oxygen: bool) -> int:
    """Air or oxygen: any supplemental oxygen →2, air →0."""
    return 2 if on_oxygen else 0


def score_systolic_bp(sbp: int) -> int:
    """Systolic blood pressure (mmHg): <=90 →3, 91-100 →2, 101-110 →1, 111-219 →0, >=220 →3."""
    return _band(sbp, _SBP_BANDS)


def score_heart_rate(hr: int) -> int:
    """Pulse (beats/min): <=40 →3, 41-50 →1, 51-90 →0, 91-110 →1, 111-130 →2, >=131 →3."""
    return _band(hr, _HR_BANDS)


def score_consciousness(acvpu: str) -> int:
    """ACVPU, case-insensitive: A (alert) →0; C (new confusion), V, P or U →3. Anything else is a ValueError."""
    code = acvpu.strip().upper()
    if code not in _ACVPU:
        raise ValueError(f"consciousness must be one of A, C, V, P, U, not {acvpu!r}")
    return _ACVPU[code]


def score_temperature(temp_c: float) -> int:
    """Temperature (°C): <=35.0 →3, 35.1-36.0 →1, 36.1-38.0 →0, 38.1-39.0 →1, >=39.1 →2 (continuous thresholds)."""
    return _band(temp_c, _TEMP_BANDS)


# ---- aggregate, risk and monitoring -------------------------------------------------------------


def risk_band(total: int, any_single_3: bool) -> str:
    """Clinical risk: 0-4 low; a single parameter scoring 3 (total <5) low-medium; 5-6 medium; 7+ high."""
    if total >= 7:
        return "high"
    if total >= 5:
        return "medium"
    return "low-medium" if any_single_3 else "low"


def monitoring_frequency(total: int, any_single_3: bool) -> str:
    """Minimum monitoring: 0 → 12-hourly; 1-4 → 4-6-hourly; a single 3 or 5-6 → hourly; 7+ → continuous."""
    if total >= 7:
        return "continuous"
    if total >= 5 or any_single_3:
        return "hourly"
    return "4-6-hourly" if total >= 1 else "12-hourly"


@dataclass(frozen=True)
class News2Result:
    """One observation set scored. ``score`` is None when any parameter is missing; ``missing`` names them.

    ``parameter_scores`` holds the scores of the parameters that could be scored
    (all seven when the set is complete), keyed by observation column name.
    ``any_single_3``, ``risk`` and ``monitoring`` are None when ``score`` is None.
    """

    score: int | None
    parameter_scores: Mapping[str, int] = field(default_factory=dict)
    any_single_3: bool | None = None
    risk: str | None = None
    monitoring: str | None = None
    missing: tuple[str, ...] = ()


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _scale_of(value: object) -> int:
    if _is_missing(value):
        return 1
    scale = float(value)  # type: ignore[arg-type]
    if scale not in (1.0, 2.0):
        raise ValueError(f"spo2_scale must be 1 or 2, not {value!r}")
    return int(scale)


def news2(obs: Mapping[str, object]) -> News2Result:
    """Score one observation set, keyed by the contract's observation columns.

    Keys read: respiratory_rate, spo2, spo2_scale, on_oxygen, systolic_bp,
    heart_rate, consciousness, temperature_c. A key that is absent, None, NaN,
    pd.NA or an empty string is missing. A missing ``spo2_scale`` means
    scale 1. Any other missing parameter leaves the set without a score
    (``score`` None) and is listed in ``missing``; never scored as zero.
    """
    values = {name: obs.get(name) for name in PARAMETERS}
    missing = tuple(name for name in PARAMETERS if _is_missing(values[name]))
    scale = _scale_of(obs.get("spo2_scale"))
    scores: dict[str, int] = {}
    rr, spo2, o2, sbp, hr, acvpu, temp = (values[name] for name in PARAMETERS)
    if "respiratory_rate" not in missing:
        scores["respiratory_rate"] = score_respiration_rate(rr)  # type: ignore[arg-type]
    if "spo2" not in missing:
        if scale == 1:
            scores["spo2"] = score_spo2_scale1(spo2)  # type: ignore[arg-type]
        elif "on_oxygen" not in missing:
            scores["spo2"] = score_spo2_scale2(spo2, bool(o2))  # type: ignore[arg-type]
        elif spo2 <= 92:  # type: ignore[operator]
            scores["spo2"] = score_spo2_scale2(spo2, False)  # type: ignore[arg-type]  # air/oxygen does not matter <=92
    if "on_oxygen" not in missing:
        scores["on_oxygen"] = score_air_or_oxygen(bool(o2))
    if "systolic_bp" not in missing:
        scores["systolic_bp"] = score_systolic_bp(sbp)  # type: ignore[arg-type]
    if "heart_rate" not in missing:
        scores["heart_rate"] = score_heart_rate(hr)  # type: ignore[arg-type]
    if "consciousness" not in missing:
        scores["consciousness"] = score_consciousness(str(acvpu))
    if "temperature_c" not in missing:
        scores["temperature_c"] = score_temperature(float(temp))  # type: ignore[arg-type]
    if missing:
        return News2Result(score=None, parameter_scores=scores, missing=missing)
    total = sum(scores.values())
    single = any(s == 3 for s in scores.values())
    return News2Result(
        score=total,
        parameter_scores=scores,
        any_single_3=single,
        risk=risk_band(total, single),
        monitoring=monitoring_frequency(total, single),
        missing=(),
    )


# ---- vectorised ----------------------------------------------------------------------------------


def _float_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """The column as float64 with NaN for missing; an absent column is all missing."""
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    col = frame[name]
    if isinstance(col.dtype, pd.BooleanDtype) or col.dtype == bool or col.dtype == object:
        col = col.astype("Float64")
    values: np.ndarray = col.to_numpy(dtype="float64", na_value=np.nan)
    return values


def _bands(values: np.ndarray, bands: tuple[tuple[float, ...], tuple[int, ...]]) -> np.ndarray:
    """Vectorised ``_band``: the index of the band is the number of thresholds the value exceeds."""
    thresholds, scores = bands
    index = np.zeros(len(values), dtype=np.int8)
    for limit in thresholds:
        index += values > limit
    return np.asarray(scores, dtype=np.int8)[index]


def _consciousness_scores(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(score, present) for the consciousness column, via factorize: one dict lookup per distinct code."""
    n = len(frame)
    if "consciousness" not in frame.columns:
        return np.zeros(n, dtype=np.int8), np.zeros(n, dtype=bool)
    codes, uniques = pd.factorize(frame["consciousness"], use_na_sentinel=True)
    lookup = np.zeros(len(uniques) + 1, dtype=np.int8)  # last slot: the NA sentinel (-1)
    present_lookup = np.zeros(len(uniques) + 1, dtype=bool)
    for i, raw in enumerate(uniques):
        if _is_missing(raw):
            continue
        lookup[i] = score_consciousness(str(raw))
        present_lookup[i] = True
    return lookup[codes], present_lookup[codes]


def _score_arrays(
    frame: pd.DataFrame,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per parameter, keyed by observation column name: (scores int8, scored bool, value present bool).

    Scored and present differ only for scale-2 SpO2 >= 93 with air/oxygen missing: the SpO2 value is
    there but cannot be scored; the set is incomplete through ``on_oxygen`` either way.
    """
    n = len(frame)
    rr = _float_column(frame, "respiratory_rate")
    spo2 = _float_column(frame, "spo2")
    o2 = _float_column(frame, "on_oxygen")
    sbp = _float_column(frame, "systolic_bp")
    hr = _float_column(frame, "heart_rate")
    temp = _float_column(frame, "temperature_c")
    scale = _float_column(frame, "spo2_scale") if "spo2_scale" in frame.columns else np.full(n, np.nan)
    bad_scale = ~np.isnan(scale) & (scale != 1.0) & (scale != 2.0)
    if bad_scale.any():
        raise ValueError(f"spo2_scale must be 1 or 2; found {sorted(set(scale[bad_scale].tolist()))[:5]}")
    scale2 = scale == 2.0  # NaN (missing) reads as scale 1

    on_o2 = o2 == 1.0
    o2_known = ~np.isnan(o2)
    spo2_known = ~np.isnan(spo2)
    s1 = _bands(spo2, _SPO2_SCALE1_BANDS)
    s2_low = _bands(spo2, _SPO2_SCALE2_LOW_BANDS)
    s2_oxygen = _bands(spo2, _SPO2_SCALE2_OXYGEN_BANDS)
    above_92 = spo2 > 92
    s2 = np.where(above_92, np.where(on_o2, s2_oxygen, 0), s2_low).astype(np.int8)
    s2_known = spo2_known & (~above_92 | o2_known)

    acvpu, acvpu_known = _consciousness_scores(frame)
    scores = {
        "respiratory_rate": _bands(rr, _RR_BANDS),
        "spo2": np.where(scale2, s2, s1).astype(np.int8),
        "on_oxygen": np.where(on_o2, 2, 0).astype(np.int8),
        "systolic_bp": _bands(sbp, _SBP_BANDS),
        "heart_rate": _bands(hr, _HR_BANDS),
        "consciousness": acvpu,
        "temperature_c": _bands(temp, _TEMP_BANDS),
    }
    known = {
        "respiratory_rate": ~np.isnan(rr),
        "spo2": np.where(scale2, s2_known, spo2_known),
        "on_oxygen": o2_known,
        "systolic_bp": ~np.isnan(sbp),
        "heart_rate": ~np.isnan(hr),
        "consciousness": acvpu_known,
        "temperature_c": ~np.isnan(temp),
    }
    present = {**known, "spo2": spo2_known}
    return scores, known, present


def _missing_labels() -> list[str]:
    """All 128 comma-separated 'missing' labels, indexed by the bitmask of missing parameters (bit i =
    PARAMETERS[i])."""
    return [", ".join(p for i, p in enumerate(PARAMETERS) if mask >> i & 1) for mask in range(1 << len(PARAMETERS))]


_MISSING_LABELS: Final[list[str]] = _missing_labels()


@dataclass(frozen=True)
class ScoredSets:
    """news2_frame's answers as plain arrays, so the per-stay board (news2_board) reuses them without a frame copy."""

    parameter_scores: dict[str, np.ndarray]
    parameter_known: dict[str, np.ndarray]
    total: np.ndarray  # int8, meaningful where complete
    complete: np.ndarray  # bool
    single3: np.ndarray  # bool, meaningful where complete
    risk_code: np.ndarray  # int8 index into RISK_LEVELS, -1 where incomplete
    monitoring_code: np.ndarray  # int8 index into MONITORING_LEVELS, -1 where incomplete
    missing_mask: np.ndarray  # int16 bitmask over PARAMETERS


def score_sets(frame: pd.DataFrame) -> ScoredSets:
    scores, known, present = _score_arrays(frame)
    n = len(frame)
    total = np.zeros(n, dtype=np.int8)
    single3 = np.zeros(n, dtype=bool)
    missing_mask = np.zeros(n, dtype=np.int16)
    for i, name in enumerate(PARAMETERS):
        total += scores[name]
        single3 |= scores[name] == 3
        missing_mask |= (~present[name]).astype(np.int16) << i
    complete = missing_mask == 0
    risk = np.where(total >= 7, 3, np.where(total >= 5, 2, np.where(single3, 1, 0))).astype(np.int8)
    monitoring = np.where(total >= 7, 3, np.where((total >= 5) | single3, 2, np.where(total >= 1, 1, 0))).astype(
        np.int8
    )
    return ScoredSets(
        parameter_scores=scores,
        parameter_known=known,
        total=total,
        complete=complete,
        single3=single3,
        risk_code=np.where(complete, risk, -1).astype(np.int8),
        monitoring_code=np.where(complete, monitoring, -1).astype(np.int8),
        missing_mask=missing_mask,
    )


def int64_array(values: np.ndarray, valid: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(values.astype(np.int64), ~valid)


def boolean_array(values: np.ndarray, valid: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(values.astype(bool), ~valid)


def news2_frame(observations: pd.DataFrame) -> pd.DataFrame:
    """Score every observation set at once (numpy; no Python loop per row).

    Returns the observations with these columns added:

    * ``news2_score`` (Int64; <NA> when any parameter is missing)
    * ``news2_any_single_3`` (boolean; <NA> when incomplete)
    * ``news2_risk`` (categorical, ordered: low < low-medium < medium < high; NaN when incomplete)
    * ``news2_monitoring`` (categorical, ordered: 12-hourly < 4-6-hourly < hourly < continuous; NaN when incomplete)
    * ``news2_missing`` (categorical of text: missing parameters, comma-separated, "" when complete)
    * ``news2_rr``, ``news2_spo2``, ``news2_o2``, ``news2_sbp``, ``news2_hr``, ``news2_acvpu``,
      ``news2_temp`` (Int64 parameter scores; <NA> where that parameter cannot be scored)

    The three text columns are categoricals because a 10-million-row extract
    would otherwise hold 30 million Python strings; they compare equal to
    plain strings (``== "high"``, ``.isin([...])``), but fill missing values
    only after ``.astype("string")``. A missing ``spo2_scale`` means scale 1.
    """
    scored = score_sets(observations)
    added: dict[str, object] = {
        "news2_score": int64_array(scored.total, scored.complete),
        "news2_any_single_3": boolean_array(scored.single3, scored.complete),
        "news2_risk": pd.Categorical.from_codes(
            scored.risk_code, dtype=pd.CategoricalDtype(list(RISK_LEVELS), ordered=True)
        ),
        "news2_monitoring": pd.Categorical.from_codes(
            scored.monitoring_code, dtype=pd.CategoricalDtype(list(MONITORING_LEVELS), ordered=True)
        ),
        "news2_missing": pd.Categorical.from_codes(scored.missing_mask, categories=_MISSING_LABELS),
    }
    for name, column in SCORE_COLUMNS.items():
        added[column] = int64_array(scored.parameter_scores[name], scored.parameter_known[name])
    return observations.assign(**{k: pd.Series(v, index=observations.index, copy=False) for k, v in added.items()})
