"""Statistical process control (SPC): XmR charts in the NHS England "Making Data Count" style.

Why this exists: ward measures move about from day to day, and a board needs
to know which movements are signals and which are noise. This module marks
each point of a dated series as common cause or special cause (improvement,
concern, or neutral high/low), using the rules and defaults of the R package
NHSRplotthedots, and gives each series its variation and assurance icons.
``docs/spc.md`` states every rule in words.

It is pure: no I/O. The work is done by one vectorised core over many series
at once (numpy over the whole long frame, never a Python loop per point), so
``spc_many`` charts a whole trust's history in about a second, and ``spc``
for a single chart calls the same core. Checking and shaping what a caller passes lives in
``metrics.spc.series_input``.

Choices where NHSRplotthedots gives no usable answer (see docs/spc.md):
a missing value (NaN) is a gap: it is left out of every calculation and rule
(the neighbours either side are treated as consecutive) but is kept in the
output with ``value``, ``rule`` and ``point_type`` missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from metrics.spc.series_input import IMPROVEMENTS as IMPROVEMENTS  # callers name it from here too
from metrics.spc.series_input import (
    IMPROVEMENT_SIGN,
    check_improvement,
    check_target,
    constant_per_series,
    per_row_improvement,
    per_row_target,
    reject_duplicate_dates,
    to_datetime_array,
    to_float_array,
)

# ---------------------------------------------------------------- constants

LIMIT_FACTOR = 2.66  # process limits: mean +/- 2.66 x mean moving range (3 sigma)
TWO_SIGMA_FACTOR = 2 * (LIMIT_FACTOR / 3)  # the "close to the limits" lines, as the R code writes it
SCREEN_FACTOR = 3.267  # a moving range is kept only if strictly below 3.267 x the mean moving range
RUN_LENGTH = 7  # shift: 7 points on one side of the mean; trend: 7 points, 6 steps one way
TRIAL_LIMIT_POINTS = 13  # a phase with fewer observed points than this has trial limits


# Rules in priority order: a point carries the first that applies.
RULES = ("beyond_limit", "trend", "two_in_three", "shift")
POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
VARIATION_ICONS = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCE_ICONS = ("consistent_pass", "consistent_fail", "inconsistent")

_RULE_DTYPE = pd.CategoricalDtype(list(RULES))
_POINT_TYPE_DTYPE = pd.CategoricalDtype(list(POINT_TYPES))

POINT_COLUMNS = (
    "date",
    "value",
    "phase",
    "trial_limits",
    "mean",
    "lower_limit",
    "upper_limit",
    "lower_2sigma",
    "upper_2sigma",
    "rule",
    "point_type",
)
SUMMARY_COLUMNS = (
    "series_id",
    "improvement",
    "target",
    "last_date",
    "last_value",
    "last_point_type",
    "variation_icon",
    "assurance_icon",
    "mean",
    "lower_limit",
    "upper_limit",
    "trial_limits",
)


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class SpcResult:
    """One chart: a frame with one row per date (columns ``POINT_COLUMNS``) and the two icons.

    ``rule`` and ``point_type`` are categoricals; both are missing on a gap
    (a date whose value is NaN). ``mean`` and the limits on every row are
    those of the row's phase; they are NaN when the phase has too few
    observed points to compute them (the mean needs 1, the limits 2).
    """

    points: pd.DataFrame
    improvement: str
    target: float | None
    variation_icon: str | None
    assurance_icon: str | None


class SpcManyResult(NamedTuple):
    """Charts for many series: one row per (series, date), and one summary row per series."""

    points: pd.DataFrame
    summary: pd.DataFrame


# ---------------------------------------------------------------- icons (scalar helpers)


def variation_icon_for(point_type: str | None, improvement: str) -> str | None:
    """The Making Data Count variation icon for the type of a chart's last point.

    Improvement and concern icons name the side of the mean: an improving
    point on an "increase" metric is high, on a "decrease" metric low.
    """
    improvement = check_improvement(improvement)
    if point_type is None or (isinstance(point_type, float) and np.isnan(point_type)):
        return None
    if point_type == "common_cause":
        return "common_cause"
    if point_type == "special_cause_neutral_high":
        return "neutral_high"
    if point_type == "special_cause_neutral_low":
        return "neutral_low"
    high_is_good = improvement == "increase"
    if point_type == "special_cause_improvement":
        return "improvement_high" if high_is_good else "improvement_low"
    if point_type == "special_cause_concern":
        return "concern_low" if high_is_good else "concern_high"
    raise ValueError(f"unknown point type {point_type!r}; expected one of {', '.join(POINT_TYPES)}")


def assurance_icon_for(target: float | None, lower_limit: float, upper_limit: float, improvement: str) -> str | None:
    """Whether the process, as it stands, will meet the target: judged against the last phase's limits.

    A target strictly outside the limits is met always or never; a target
    between them, or exactly on one, is met some of the time ("inconsistent").
    None for a neutral metric, without a target, or when the phase has no limits.
    """
    improvement = check_improvement(improvement)
    if target is None or improvement == "neutral" or not np.isfinite(target):
        return None
    if not (np.isfinite(lower_limit) and np.isfinite(upper_limit)):
        return None
    increasing = improvement == "increase"
    if target > upper_limit:
        return "consistent_fail" if increasing else "consistent_pass"
    if target < lower_limit:
        return "consistent_pass" if increasing else "consistent_fail"
    return "inconsistent"


# ---------------------------------------------------------------- public entry points


def spc(
    dates: Iterable[Any],
    values: Iterable[Any],
    improvement: str,
    target: float | None = None,
    rebase_dates: Iterable[Any] = (),
    baseline: tuple[Any, Any] | None = None,
) -> SpcResult:
    """One XmR chart over a dated series.

    ``dates`` must be distinct; they need not be sorted (the result is in date
    order). ``values`` are numbers, NaN or None for a missing day (a gap).
    ``improvement`` is "increase", "decrease" or "neutral". Each rebase date
    starts a new phase at the first date on or after it. ``baseline`` (first, last
    date, inclusive) fixes the limits: mean and moving ranges come from the points in
    that period only and are extended forward, so a change after it shows against them.
    """
    improvement = check_improvement(improvement)
    date_arr = to_datetime_array(dates, "dates")
    value_arr = to_float_array(values, "values")
    if len(date_arr) != len(value_arr):
        raise ValueError(f"dates and values differ in length ({len(date_arr)} dates, {len(value_arr)} values)")
    target_value = check_target(target)
    rebase_arr = np.sort(to_datetime_array(rebase_dates, "rebase_dates"))
    if baseline is not None and len(rebase_arr):
        raise ValueError("a fixed baseline and rebase dates cannot be combined; give one or the other")

    order = np.argsort(date_arr, kind="stable")
    date_arr = date_arr[order]
    value_arr = value_arr[order]
    reject_duplicate_dates(np.zeros(len(date_arr), dtype=np.int64), date_arr, lambda _code: "the series")

    n = len(date_arr)
    starts = np.array([0], dtype=np.int64) if n else np.zeros(0, dtype=np.int64)
    raw_phase = np.searchsorted(rebase_arr, date_arr, side="right") if len(rebase_arr) else np.zeros(n, np.int64)
    fit = None
    if baseline is not None:
        first, last = to_datetime_array(list(baseline), "baseline")
        fit = (date_arr >= first) & (date_arr <= last)
    core = _core(
        series_code=np.zeros(n, dtype=np.int64),
        series_starts=starts,
        raw_phase=raw_phase,
        values=value_arr,
        improvement_sign=np.array([IMPROVEMENT_SIGN[improvement]], dtype=np.int64),
        targets=np.array([np.nan if target_value is None else target_value]),
        fit=fit,
    )
    points = _points_frame(date_arr, value_arr, core)
    return SpcResult(
        points=points,
        improvement=improvement,
        target=target_value,
        variation_icon=core.variation_icon[0] if n else None,
        assurance_icon=core.assurance_icon[0] if n else None,
    )


def spc_many(
    frame: pd.DataFrame,
    improvement: str | Mapping[Any, str] | None = None,
    target: float | Mapping[Any, float | None] | None = None,
    rebase: Mapping[Any, Iterable[Any]] | None = None,
) -> SpcManyResult:
    """XmR charts for every series of a long frame (columns ``series_id``, ``date``, ``value``).

    ``improvement``: one direction for all series, a mapping series_id -> direction,
    or None to read a per-row ``improvement`` column (constant within a series).
    ``target``: one number, a mapping series_id -> number (or None), or None to
    read a ``target`` column if the frame has one (NaN means no target).
    ``rebase``: optional mapping series_id -> rebase dates.

    Returns ``points`` (``series_id`` then ``POINT_COLUMNS``; series in order of
    first appearance, each in date order) and ``summary`` (``SUMMARY_COLUMNS``,
    one row per series). Dates must be distinct within a series.
    """
    missing = [c for c in ("series_id", "date", "value") if c not in frame.columns]
    if missing:
        raise ValueError(f"spc_many: the frame lacks column(s) {', '.join(missing)}; it needs series_id, date, value")

    codes, uniques = pd.factorize(frame["series_id"], sort=False, use_na_sentinel=True)
    if len(codes) and codes.min() < 0:
        raise ValueError("spc_many: series_id has missing values; every row needs a series_id")
    codes = codes.astype(np.int64, copy=False)
    n_series = len(uniques)
    date_arr = to_datetime_array(frame["date"], "date")
    value_arr = to_float_array(frame["value"], "value")

    # Per-series direction and target, from arguments or columns (read per row, then taken per series).
    imp_rows = per_row_improvement(frame, improvement, codes, uniques)
    target_rows = per_row_target(frame, target, codes, uniques)

    # Sort by series, then date (skip the sort when the frame is already in that order).
    date_i8 = date_arr.view(np.int64)
    if len(codes) > 1:
        ordered = (codes[1:] > codes[:-1]) | ((codes[1:] == codes[:-1]) & (date_i8[1:] >= date_i8[:-1]))
        order = None if ordered.all() else np.lexsort((date_i8, codes))
    else:
        order = None
    if order is not None:
        codes, date_arr, value_arr = codes[order], date_arr[order], value_arr[order]
        imp_rows, target_rows = imp_rows[order], target_rows[order]
        series_ids = frame["series_id"].array.take(order)  # keeps the column's dtype, no object round trip
    else:
        series_ids = frame["series_id"].array
    reject_duplicate_dates(codes, date_arr, lambda code: f"series {uniques[code]!r}")

    n = len(codes)
    is_start = np.ones(n, dtype=bool)
    if n:
        is_start[1:] = codes[1:] != codes[:-1]
    starts = np.flatnonzero(is_start)
    series_imp = constant_per_series(imp_rows, starts, n, uniques, "improvement")
    series_target = constant_per_series(target_rows, starts, n, uniques, "target")

    raw_phase = np.zeros(n, dtype=np.int64)
    if rebase:
        # Read every rebase date in one conversion, then count, per series, those on or before each row.
        ends = np.r_[starts[1:], n]
        code_of_id = {sid: i for i, sid in enumerate(uniques)}
        rb_owner: list[int] = []
        rb_flat: list[Any] = []
        for sid, rb_dates in rebase.items():
            if isinstance(rb_dates, (str, bytes)):
                raise ValueError(f"rebase dates of series {sid!r} must be a sequence of dates, not a single string")
            listed = list(rb_dates)
            rb_owner.extend([code_of_id.get(sid, -1)] * len(listed))
            rb_flat.extend(listed)
        rb_all = to_datetime_array(rb_flat, "rebase dates")
        owner = np.asarray(rb_owner, dtype=np.int64)
        for code in np.unique(owner[owner >= 0]):
            rb = np.sort(rb_all[owner == code])
            lo, hi = starts[code], ends[code]
            raw_phase[lo:hi] = np.searchsorted(rb, date_arr[lo:hi], side="right")

    core = _core(
        series_code=codes,
        series_starts=starts,
        raw_phase=raw_phase,
        values=value_arr,
        improvement_sign=series_imp.astype(np.int64),
        targets=series_target.astype(float),
    )
    points = _points_frame(date_arr, value_arr, core)
    points.insert(0, "series_id", series_ids)

    sign_to_name = {v: k for k, v in IMPROVEMENT_SIGN.items()}
    last_date = np.full(n_series, np.datetime64("NaT", "ns"))
    has_last = core.last_date_index >= 0
    last_date[has_last] = date_arr[core.last_date_index[has_last]]
    summary = pd.DataFrame(
        {
            "series_id": uniques.to_numpy() if hasattr(uniques, "to_numpy") else np.asarray(uniques),
            "improvement": [sign_to_name[int(s)] for s in series_imp],
            "target": series_target.astype(float),
            "last_date": last_date,
            "last_value": core.last_value,
            "last_point_type": pd.Categorical.from_codes(core.last_point_type_code, dtype=_POINT_TYPE_DTYPE),
            "variation_icon": pd.Series(core.variation_icon, dtype=object),
            "assurance_icon": pd.Series(core.assurance_icon, dtype=object),
            "mean": core.last_mean,
            "lower_limit": core.last_lower,
            "upper_limit": core.last_upper,
            "trial_limits": core.last_trial,
        },
        columns=list(SUMMARY_COLUMNS),
    )
    return SpcManyResult(points=points, summary=summary)


# ---------------------------------------------------------------- the vectorised core


class _Core(NamedTuple):
    phase: np.ndarray
    trial: np.ndarray
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower2: np.ndarray
    upper2: np.ndarray
    rule_code: np.ndarray  # -1 none (or gap), else index into RULES
    type_code: np.ndarray  # -1 gap, else index into POINT_TYPES
    last_date_index: np.ndarray  # per series: row of the last observed point, -1 if none
    last_value: np.ndarray
    last_point_type_code: np.ndarray
    last_mean: np.ndarray
    last_lower: np.ndarray
    last_upper: np.ndarray
    last_trial: np.ndarray
    variation_icon: list[str | None]
    assurance_icon: list[str | None]


def _group_mean(group: np.ndarray, weights: np.ndarray, n_groups: int) -> np.ndarray:
    """Mean per group, with one correction pass (as R's mean() does) so equal values average to themselves."""
    counts = np.bincount(group, minlength=n_groups).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: np.ndarray = np.bincount(group, weights, minlength=n_groups) / counts
        if len(weights):
            mean = mean + np.bincount(group, weights - mean[group], minlength=n_groups) / counts
    return mean


def _run_lengths(new_run: np.ndarray) -> np.ndarray:
    """For each element, the length of the run it belongs to (runs start where new_run is True)."""
    run_id = np.cumsum(new_run) - 1
    return np.bincount(run_id)[run_id] if len(run_id) else np.zeros(0, dtype=np.int64)


def _core(
    series_code: np.ndarray,
    series_starts: np.ndarray,
    raw_phase: np.ndarray,
    values: np.ndarray,
    improvement_sign: np.ndarray,
    targets: np.ndarray,
    fit: np.ndarray | None = None,
) -> _Core:
    """All charts at once over rows sorted by (series, date).

    ``raw_phase`` counts the rebase dates on or before each row's date; any
    change of it within a series starts a new phase. ``fit`` (per row) marks the
    points the mean and limits are computed from (a fixed baseline); None: all.
    """
    n = len(values)
    n_series = len(improvement_sign)

    # Phases: numbered 0, 1, 2 ... within each series; a group is one (series, phase).
    is_series_start = np.zeros(n, dtype=bool)
    is_series_start[series_starts] = True
    phase_change = np.zeros(n, dtype=bool)
    if n:
        phase_change[1:] = (raw_phase[1:] != raw_phase[:-1]) & ~is_series_start[1:]
    cum_change = np.cumsum(phase_change)
    phase = cum_change - cum_change[series_starts][series_code] if n else np.zeros(0, dtype=np.int64)
    group_all = np.cumsum(is_series_start | phase_change) - 1
    n_groups = int(group_all[-1]) + 1 if n else 0

    # Work on observed points only: a gap (NaN) takes part in nothing.
    observed = ~np.isnan(values)
    obs_index = np.flatnonzero(observed)
    x = values[observed]
    g = group_all[observed]
    m = len(x)
    same_prev = np.zeros(m, dtype=bool)  # this observed point follows another of its own phase
    if m:
        same_prev[1:] = g[1:] == g[:-1]

    # Mean, moving ranges, one screen of outlying moving ranges, limits (from the baseline's points only).
    fit_obs = np.ones(m, dtype=bool) if fit is None else fit[observed]
    n_obs = np.bincount(g[fit_obs], minlength=n_groups)
    mean_g = _group_mean(g[fit_obs], x[fit_obs], n_groups)
    mr = np.abs(np.diff(x))
    mr_ok = same_prev[1:] & fit_obs[1:] & fit_obs[:-1]
    mr_group = g[1:]
    amr_all = _group_mean(mr_group[mr_ok], mr[mr_ok], n_groups)
    # Departure from R: when every moving range is 0 the strict screen would drop them all and
    # leave no limits; we keep them, so a flat phase gets limits equal to its mean.
    keep = mr_ok & ((mr < SCREEN_FACTOR * amr_all[mr_group]) | (amr_all[mr_group] == 0))
    amr_g = _group_mean(mr_group[keep], mr[keep], n_groups)
    lower_g = mean_g - LIMIT_FACTOR * amr_g
    upper_g = mean_g + LIMIT_FACTOR * amr_g
    lower2_g = mean_g - TWO_SIGMA_FACTOR * amr_g
    upper2_g = mean_g + TWO_SIGMA_FACTOR * amr_g
    trial_g = n_obs < TRIAL_LIMIT_POINTS

    # Per observed point: where it lies.
    mean_p, lower_p, upper_p = mean_g[g], lower_g[g], upper_g[g]
    outside = (x > upper_p) | (x < lower_p)  # strict; NaN limits compare False
    side = np.sign(x - mean_p).astype(np.int8)  # +1 above, -1 below, 0 exactly on the mean
    close = ~outside & ((x < lower2_g[g]) | (x > upper2_g[g]))

    # Shift: a run of >= 7 consecutive points strictly on one side of the mean (0 breaks it).
    new_side_run = ~same_prev.copy()
    if m:
        new_side_run[1:] |= side[1:] != side[:-1]
    shift = (side != 0) & (_run_lengths(new_side_run) >= RUN_LENGTH)

    # Trend: a run of >= 6 consecutive steps strictly one way (a tie breaks it) covers its 7+ points.
    step = np.zeros(m, dtype=np.int8)
    if m:
        step[1:] = np.sign(np.diff(x))
    step[~same_prev] = 0
    new_step_run = ~same_prev.copy()
    if m:
        new_step_run[1:] |= step[1:] != step[:-1]
    trend_step = (step != 0) & (_run_lengths(new_step_run) >= RUN_LENGTH - 1)
    trend_step_next = np.zeros(m, dtype=bool)
    step_next = np.zeros(m, dtype=np.int8)
    if m:
        trend_step_next[:-1] = trend_step[1:]
        step_next[:-1] = step[1:]
    trend = trend_step | trend_step_next
    # A point shared by two trends (a peak or trough) takes the later trend's direction, as R does.
    trend_dir = np.where(trend_step_next, step_next, np.where(trend_step, step, 0)).astype(np.int8)

    # Two in three: a window of 3 consecutive points of one phase, all strictly on one side of the
    # mean, with at least 2 close to a limit; the close points of such windows are flagged.
    two_in_three = np.zeros(m, dtype=bool)
    if m >= 3:
        full = same_prev[1:-1] & same_prev[2:]
        c = close.astype(np.int8)
        n_close = c[:-2] + c[1:-1] + c[2:]
        side_sum = side[:-2].astype(np.int16) + side[1:-1] + side[2:]
        window = full & (n_close >= 2) & (np.abs(side_sum) == 3)
        in_window = np.zeros(m, dtype=bool)
        in_window[:-2] |= window
        in_window[1:-1] |= window
        in_window[2:] |= window
        two_in_three = close & in_window

    # One label per point, by priority, and its direction.
    rule_obs = np.select([outside, trend, two_in_three, shift], [0, 1, 2, 3], default=-1).astype(np.int8)
    direction = np.where(rule_obs == 1, trend_dir, side) * (rule_obs >= 0)
    imp = improvement_sign[series_code[obs_index]] if m else np.zeros(0, dtype=np.int64)
    oriented = direction * imp
    type_obs = np.select(
        [rule_obs < 0, (imp == 0) & (direction > 0), (imp == 0) & (direction < 0), oriented > 0, oriented < 0],
        [0, 3, 4, 1, 2],
        default=0,
    ).astype(np.int8)

    rule_code = np.full(n, -1, dtype=np.int8)
    type_code = np.full(n, -1, dtype=np.int8)
    rule_code[obs_index] = rule_obs
    type_code[obs_index] = type_obs

    # Per series: the last observed point gives the variation icon; the last row's phase gives the
    # limits the target is judged against.
    last_obs = np.full(n_series, -1, dtype=np.int64)
    if m:
        obs_series = series_code[obs_index]
        is_last = np.ones(m, dtype=bool)
        is_last[:-1] = obs_series[1:] != obs_series[:-1]
        last_obs[obs_series[is_last]] = obs_index[is_last]
    last_row = np.r_[series_starts[1:], n] - 1 if n_series else np.zeros(0, dtype=np.int64)
    last_group = group_all[last_row] if n else np.zeros(0, dtype=np.int64)

    has_last = last_obs >= 0
    last_type = np.full(n_series, -1, dtype=np.int8)
    last_type[has_last] = type_code[last_obs[has_last]]
    last_value = np.full(n_series, np.nan)
    last_value[has_last] = values[last_obs[has_last]]

    names = {v: k for k, v in IMPROVEMENT_SIGN.items()}
    variation: list[str | None] = []
    assurance: list[str | None] = []
    for s in range(n_series):
        direction_name = names[int(improvement_sign[s])]
        t = int(last_type[s])
        variation.append(variation_icon_for(POINT_TYPES[t], direction_name) if t >= 0 else None)
        tgt = targets[s]
        if n and not np.isnan(tgt):
            grp = last_group[s]
            assurance.append(assurance_icon_for(float(tgt), lower_g[grp], upper_g[grp], direction_name))
        else:
            assurance.append(None)

    return _Core(
        phase=phase.astype(np.int64),
        trial=trial_g[group_all] if n else np.zeros(0, dtype=bool),
        mean=mean_g[group_all] if n else np.zeros(0),
        lower=lower_g[group_all] if n else np.zeros(0),
        upper=upper_g[group_all] if n else np.zeros(0),
        lower2=lower2_g[group_all] if n else np.zeros(0),
        upper2=upper2_g[group_all] if n else np.zeros(0),
        rule_code=rule_code,
        type_code=type_code,
        last_date_index=last_obs,
        last_value=last_value,
        last_point_type_code=last_type,
        last_mean=mean_g[last_group] if n else np.full(n_series, np.nan),
        last_lower=lower_g[last_group] if n else np.full(n_series, np.nan),
        last_upper=upper_g[last_group] if n else np.full(n_series, np.nan),
        last_trial=trial_g[last_group] if n else np.ones(n_series, dtype=bool),
        variation_icon=variation,
        assurance_icon=assurance,
    )


def _points_frame(dates: np.ndarray, values: np.ndarray, core: _Core) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": dates,
            "value": values,
            "phase": core.phase,
            "trial_limits": core.trial,
            "mean": core.mean,
            "lower_limit": core.lower,
            "upper_limit": core.upper,
            "lower_2sigma": core.lower2,
            "upper_2sigma": core.upper2,
            "rule": pd.Categorical.from_codes(core.rule_code, dtype=_RULE_DTYPE),
            "point_type": pd.Categorical.from_codes(core.type_code, dtype=_POINT_TYPE_DTYPE),
        },
        columns=list(POINT_COLUMNS),
    )
