"""The NEWS2 a ward board shows for each stay: the newest set first, even when it is incomplete.

Source: Royal College of Physicians. *National Early Warning Score (NEWS) 2:
Standardising the assessment of acute-illness severity in the NHS.* Updated
report of a working party. London: RCP, December 2017: chart "NEWS2 thresholds
and triggers" (a score of 3 in any single parameter is a red score; the
response is an urgent ward-based response with a minimum of hourly monitoring)
and chart "Clinical response to the NEWS2 trigger thresholds" (the monitoring
frequency for each band, from which the overdue clock is set).

Why this exists: a board that scores only the last complete set shows a
patient as safer than they are when the newest set is incomplete. A patient
whose 08:00 set scored 0 and whose 12:00 set has RR 30 and systolic 85 but no
temperature is at least NEWS2 6 with two red scores, and must be on hourly
observations now. So, per stay:

* The newest set (of any kind) is read first. Its scored parameters are added
  up: that is the score exactly when the set is complete, and the least it can
  be (``news2_minimum_score``) when a parameter is missing, since a missing
  parameter can only add to a NEWS2 score. The board shows it as
  "≥ 6, temperature missing".
* A parameter scoring 3 in the newest set, complete or not, is a red score:
  ``news2_any_single_3`` is True and monitoring is hourly at least.
* Monitoring and risk are those of the newest set; when it is incomplete they
  are the more urgent of its minimum and the last complete set's (an
  incomplete set can raise the monitoring level, never lower it).
* The overdue clock runs from the newest set, against that monitoring level.
  Every stay with a set has a monitoring level, so overdue is always judged.
* ``news2_score`` stays the last complete set's score, with
  ``news2_scored_at`` its time, for trends; the reason says which set is which.

Statuses, first match wins: ``overdue``, ``never_scored`` (no complete set at
all), ``incomplete`` (the newest set lacks a parameter), ``current``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from metrics.rules.clock import LONDON
from metrics.rules.durations import duration_text
from metrics.rules.news2 import (
    MONITORING_LEVELS,
    PARAMETERS,
    RISK_LEVELS,
    STATUSES,
    boolean_array,
    int64_array,
    score_sets,
)


# How a nurse names each parameter (the RCP chart's row titles, shortened).
PARAMETER_WORDS: Final[dict[str, str]] = {
    "respiratory_rate": "respiration rate",
    "spo2": "SpO2",
    "on_oxygen": "air or oxygen",
    "systolic_bp": "systolic BP",
    "heart_rate": "pulse",
    "consciousness": "consciousness",
    "temperature_c": "temperature",
}

PER_ENCOUNTER_COLUMNS: Final[tuple[str, ...]] = (
    "encounter_id",
    "news2_score",
    "news2_minimum_score",
    "news2_shown",
    "news2_missing",
    "news2_any_single_3",
    "news2_risk",
    "news2_monitoring",
    "news2_scored_at",
    "news2_age_minutes",
    "news2_latest_at",
    "news2_status",
    "news2_status_reason",
)


def _missing_words() -> list[str]:
    """Every 'missing' text in a nurse's words, indexed by the bitmask of missing parameters (bit i: PARAMETERS[i])."""
    names = [PARAMETER_WORDS[p] for p in PARAMETERS]
    out = []
    for mask in range(1 << len(PARAMETERS)):
        words = [n for i, n in enumerate(names) if mask >> i & 1]
        out.append(" and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words))
    return out


_MISSING_WORDS: Final[list[str]] = _missing_words()


def shown_score(score: int, missing: str) -> str:
    """What the board shows for the newest set: '6' when complete, '≥ 6, temperature missing' when not."""
    return str(score) if not missing else f"≥ {score}, {missing} missing"


def _durations(nanoseconds: np.ndarray) -> np.ndarray:
    """Vectorised ``duration_text`` (object array of text), formatting each distinct whole minute once."""
    minutes = nanoseconds // 60_000_000_000
    distinct, inverse = np.unique(minutes, return_inverse=True)
    return np.asarray([duration_text(float(m)) for m in distinct], dtype=object)[inverse.reshape(-1)]


def clock_texts(times: pd.DatetimeIndex, reference: pd.Timestamp) -> np.ndarray:
    """HH:MM in UK local time, with the date in front when not on the reference's local day (object array).

    Each distinct minute is formatted once, so a large extract costs a few thousand strftime calls.
    """
    minute_ns = times.asi8 - times.asi8 % 60_000_000_000
    distinct, inverse = np.unique(minute_ns, return_inverse=True)
    local = pd.DatetimeIndex(distinct.view("M8[ns]"))
    if times.tz is not None:
        local = local.tz_localize("UTC").tz_convert(LONDON)
        reference = reference.tz_convert(LONDON)
    same_day = np.asarray(local.normalize() == reference.normalize().as_unit("ns"))
    labels = np.where(
        same_day,
        np.asarray(local.strftime("%H:%M"), dtype=object),
        np.asarray(local.strftime("%d %b %H:%M"), dtype=object),
    )
    return labels[inverse.reshape(-1)]


def _last_per_group(codes: np.ndarray, times: np.ndarray, eligible: np.ndarray, n_groups: int) -> np.ndarray:
    """Row position of each group's latest eligible row (ties on time: the later row); -1 if none. O(n), no sort."""
    rows = np.flatnonzero(eligible)
    latest_time = np.full(n_groups, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(latest_time, codes[rows], times[rows])
    at_latest = rows[times[rows] == latest_time[codes[rows]]]
    position = np.full(n_groups, -1, dtype=np.int64)
    np.maximum.at(position, codes[at_latest], at_latest)
    return position


def _empty_per_encounter(tz: object) -> pd.DataFrame:
    when = pd.DatetimeTZDtype("ns", tz) if tz is not None else np.dtype("datetime64[ns]")
    dtypes = {
        "encounter_id": "str",
        "news2_score": "Int64",
        "news2_minimum_score": "Int64",
        "news2_shown": "str",
        "news2_missing": "str",
        "news2_any_single_3": "boolean",
        "news2_risk": "str",
        "news2_monitoring": "str",
        "news2_scored_at": when,
        "news2_age_minutes": "float64",
        "news2_latest_at": when,
        "news2_status": "str",
        "news2_status_reason": "str",
    }
    return pd.DataFrame({name: pd.Series([], dtype=dtypes[name]) for name in PER_ENCOUNTER_COLUMNS})


def _risk_and_monitoring_codes(total: np.ndarray, red: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RCP 2017 bands as indexes into RISK_LEVELS and MONITORING_LEVELS (same reading as news2.risk_band)."""
    risk = np.where(total >= 7, 3, np.where(total >= 5, 2, np.where(red, 1, 0)))
    monitoring = np.where(total >= 7, 3, np.where((total >= 5) | red, 2, np.where(total >= 1, 1, 0)))
    return risk.astype(np.int8), monitoring.astype(np.int8)


def latest_news2_per_encounter(
    observations: pd.DataFrame,
    extracted_at: pd.Timestamp,
    overdue_after_minutes: Mapping[str, int],
    grace_minutes: int,
) -> pd.DataFrame:
    """One row per stay with a set taken at or before ``extracted_at``: what the board shows (module docstring).

    Sets after ``extracted_at`` and sets without ``taken_at`` are ignored. Of two
    sets with the same ``taken_at`` the later row in the input is the newer.
    ``news2_age_minutes`` is from the newest set to ``extracted_at``. Overdue
    means older than ``overdue_after_minutes[monitoring] + grace_minutes``;
    exactly at the limit is not overdue, a minute past is. Times in the reason
    are UK local time.
    """
    missing_keys = [m for m in MONITORING_LEVELS if m not in overdue_after_minutes]
    if missing_keys:
        raise ValueError(f"overdue_after_minutes has no entry for: {', '.join(missing_keys)}")
    if grace_minutes < 0:
        raise ValueError("grace_minutes must not be negative")
    now = pd.Timestamp(extracted_at)
    taken_all = pd.DatetimeIndex(observations["taken_at"])
    if (taken_all.tz is None) != (now.tz is None):
        raise ValueError("taken_at and extracted_at must both be timezone-aware, or both naive")
    enc_codes, enc_ids = pd.factorize(observations["encounter_id"], sort=True)
    keep = np.asarray(taken_all.notna() & (taken_all <= now)) & (enc_codes >= 0)
    if not keep.any():
        return _empty_per_encounter(taken_all.tz)

    taken = taken_all.as_unit("ns")
    taken_ns = taken.asi8
    now_ns = now.as_unit("ns").value
    scored = score_sets(observations)
    latest = _last_per_group(enc_codes, taken_ns, keep, len(enc_ids))
    present = latest >= 0  # stays whose every set is after extracted_at (or undated) get no row
    enc_ids, latest = enc_ids[present], latest[present]
    best = _last_per_group(enc_codes, taken_ns, keep & scored.complete, len(present))[present]  # -1: none complete
    has_score = best >= 0
    take = np.where(has_score, best, 0)

    # The newest set: its scored parameters summed (the score, or its minimum) and any red score among them.
    minimum = np.zeros(len(latest), dtype=np.int64)
    red = np.zeros(len(latest), dtype=bool)
    for name in PARAMETERS:
        known = scored.parameter_known[name][latest]
        value = scored.parameter_scores[name][latest].astype(np.int64)
        minimum += np.where(known, value, 0)
        red |= known & (value == 3)
    newest_complete = scored.complete[latest]
    risk_code, monitoring_code = _risk_and_monitoring_codes(minimum, red)
    older = has_score & ~newest_complete  # an earlier complete set can hold the level up, never bring it down
    risk_code = np.where(older, np.maximum(risk_code, scored.risk_code[take]), risk_code)
    monitoring_code = np.where(older, np.maximum(monitoring_code, scored.monitoring_code[take]), monitoring_code)

    age_ns = now_ns - taken_ns[latest]
    limits_min = np.array([overdue_after_minutes[m] + grace_minutes for m in MONITORING_LEVELS], dtype=np.int64)
    overdue = age_ns > limits_min[monitoring_code] * 60_000_000_000
    status_code = np.where(overdue, 1, np.where(~has_score, 3, np.where(~newest_complete, 2, 0)))

    # Reason text, built column-wise (object-array concatenation) rather than per stay.
    missing = np.asarray(_MISSING_WORDS, dtype=object)[scored.missing_mask[latest]]
    score_words = np.asarray([str(i) for i in range(22)], dtype=object)
    shown = np.where(newest_complete, score_words[minimum], "≥ " + score_words[minimum] + ", " + missing + " missing")
    latest_at = clock_texts(taken[latest], now)
    scored_from = clock_texts(taken[take], now)  # only read where has_score
    age_text = _durations(age_ns)
    monitoring_name = np.asarray(MONITORING_LEVELS, dtype=object)[monitoring_code]
    limit_text = np.asarray([duration_text(float(m)) for m in limits_min], dtype=object)[monitoring_code]
    last_complete = np.where(
        has_score,
        "last complete set scored " + score_words[scored.total[take]] + " at " + scored_from,
        "no complete set",
    )
    partial = "latest set at " + latest_at + " scores " + shown + "; " + monitoring_name + " monitoring at least; "
    late = (
        "last set "
        + age_text
        + " ago at "
        + latest_at
        + "; "
        + monitoring_name
        + " monitoring due (overdue after "
        + limit_text
        + ", grace included)"
        + np.where(newest_complete, "", "; that set scores " + shown + "; " + last_complete)
    )
    never = "no complete set: " + partial + "taken " + age_text + " ago"
    incomplete = partial + last_complete
    current = "NEWS2 " + shown + " at " + latest_at + " (" + age_text + " ago); " + monitoring_name + " monitoring"
    reasons = np.select([status_code == 1, status_code == 3, status_code == 2], [late, never, incomplete], current)

    return pd.DataFrame(
        {
            "encounter_id": pd.Series(enc_ids),
            "news2_score": pd.Series(int64_array(scored.total[take], has_score)),
            "news2_minimum_score": pd.Series(minimum, dtype="Int64"),
            "news2_shown": pd.Series(shown, dtype="str"),
            "news2_missing": pd.Series(missing, dtype="str"),
            "news2_any_single_3": pd.Series(boolean_array(red, red | newest_complete)),
            "news2_risk": pd.Series(np.asarray(RISK_LEVELS, dtype=object)[risk_code], dtype="str"),
            "news2_monitoring": pd.Series(monitoring_name, dtype="str"),
            "news2_scored_at": pd.Series(taken[take]).where(has_score),
            "news2_age_minutes": pd.Series(age_ns / 60e9, dtype="float64"),
            "news2_latest_at": pd.Series(taken[latest]),
            "news2_status": pd.Series(np.asarray(STATUSES, dtype=object)[status_code], dtype="str"),
            "news2_status_reason": pd.Series(reasons, dtype="str"),
        }
    )
