"""Properties of the SPC engine that hold for any series.

The vectorised engine is checked against a slow, point-by-point reading of
the NHSRplotthedots rule helpers (windows of 7 for shift and trend, windows
of 3 for two-in-three), and against the textbook XmR formulas; and the
charts must behave sensibly under scaling, shifting, reversing the direction,
and batching many series into one call.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.spc.xmr import assurance_icon_for, spc, spc_many, variation_icon_for

SETTINGS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 100)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Small integer steps make ties, points on the mean and equal neighbours common: the edges matter.
values_st = st.lists(
    st.one_of(st.integers(-20, 20).map(float), st.integers(-2000, 2000).map(lambda v: v / 100), st.just(math.nan)),
    min_size=0,
    max_size=60,
)
direction_st = st.sampled_from(["increase", "decrease", "neutral"])


@st.composite
def series_st(draw):
    values = draw(values_st)
    n = len(values)
    cut_points = draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=2)) if n else []
    start = pd.Timestamp("2024-01-01")
    dates = [start + pd.Timedelta(days=i) for i in range(n)]
    rebase = [start + pd.Timedelta(days=i) for i in cut_points]
    return dates, values, rebase


# ---------------------------------------------------------------- a literal reading of the rules


def reference_labels(y, mean, lower, upper, lower2, upper2, sign):
    """Rule and point type per observed point of one phase, window by window, as the R helpers read."""
    n = len(y)
    outside = [y[i] > upper or y[i] < lower for i in range(n)]
    side = [int(np.sign(y[i] - mean)) for i in range(n)]
    close = [not outside[i] and (y[i] < lower2 or y[i] > upper2) for i in range(n)]

    shift_end = [i >= 6 and side[i] != 0 and all(side[i - k] == side[i] for k in range(1, 7)) for i in range(n)]
    in_shift = [any(shift_end[j] for j in range(i, min(n, i + 7))) for i in range(n)]

    def trend_end(i):
        if i < 6:
            return 0
        if all(y[j] > y[j - 1] for j in range(i - 5, i + 1)):
            return 1
        if all(y[j] < y[j - 1] for j in range(i - 5, i + 1)):
            return -1
        return 0

    ends = [trend_end(i) for i in range(n)]
    covering = [[ends[j] for j in range(i, min(n, i + 7)) if ends[j]] for i in range(n)]
    in_trend = [bool(c) for c in covering]
    trend_dir = [c[-1] if c else 0 for c in covering]  # the latest trend covering the point

    def window(s):
        return 0 <= s and s + 2 < n and sum(close[s : s + 3]) >= 2 and abs(sum(side[s : s + 3])) == 3

    in_two3 = [close[i] and any(window(s) for s in (i - 2, i - 1, i)) for i in range(n)]

    out = []
    for i in range(n):
        if outside[i]:
            rule, d = "beyond_limit", side[i]
        elif in_trend[i]:
            rule, d = "trend", trend_dir[i]
        elif in_two3[i]:
            rule, d = "two_in_three", side[i]
        elif in_shift[i]:
            rule, d = "shift", side[i]
        else:
            out.append((None, "common_cause"))
            continue
        if sign == 0:
            kind = "special_cause_neutral_high" if d > 0 else "special_cause_neutral_low"
        else:
            kind = "special_cause_improvement" if d * sign > 0 else "special_cause_concern"
        out.append((rule, kind))
    return out


def _none(v):
    return None if pd.isna(v) else v


@SETTINGS
@given(series_st(), direction_st)
def test_rules_agree_with_a_point_by_point_reading_of_the_r_helpers(series, improvement):
    dates, values, rebase = series
    points = spc(dates, values, improvement, rebase_dates=rebase).points
    sign = {"increase": 1, "decrease": -1, "neutral": 0}[improvement]
    for _, phase in points.groupby("phase"):
        obs = phase[phase["value"].notna()]
        if obs.empty:
            continue
        first = obs.iloc[0]
        expected = reference_labels(
            obs["value"].tolist(),
            first["mean"],
            first["lower_limit"],
            first["upper_limit"],
            first["lower_2sigma"],
            first["upper_2sigma"],
            sign,
        )
        actual = [(_none(r), t) for r, t in zip(obs["rule"], obs["point_type"], strict=True)]
        assert actual == expected


@SETTINGS
@given(series_st())
def test_limits_agree_with_the_textbook_xmr_formulas(series):
    dates, values, rebase = series
    points = spc(dates, values, "increase", rebase_dates=rebase).points
    for _, phase in points.groupby("phase"):
        y = phase["value"].dropna().to_numpy()
        if len(y) == 0:
            continue
        mean = np.mean(y)
        mr = np.abs(np.diff(y))
        kept = mr[mr < 3.267 * mr.mean()] if len(mr) and mr.mean() > 0 else mr
        amr = kept.mean() if len(kept) else math.nan
        first = phase.iloc[0]
        assert first["mean"] == pytest.approx(mean, abs=1e-9)
        if math.isnan(amr):
            assert math.isnan(first["upper_limit"])
        else:
            assert first["upper_limit"] == pytest.approx(mean + 2.66 * amr, abs=1e-9)
            assert first["lower_limit"] == pytest.approx(mean - 2.66 * amr, abs=1e-9)
            assert first["upper_2sigma"] == pytest.approx(mean + 2 * 2.66 / 3 * amr, abs=1e-9)
        assert bool(first["trial_limits"]) == (len(y) < 13)


# ---------------------------------------------------------------- invariances

LINES = ["mean", "lower_limit", "upper_limit", "lower_2sigma", "upper_2sigma"]


@SETTINGS
@given(series_st(), st.floats(0.01, 1000))
def test_scaling_the_series_by_k_scales_the_mean_and_limits_by_k(series, k):
    dates, values, rebase = series
    base = spc(dates, values, "increase", rebase_dates=rebase).points
    scaled = spc(dates, [v * k for v in values], "increase", rebase_dates=rebase).points
    for col in LINES:
        np.testing.assert_allclose(scaled[col].to_numpy(), base[col].to_numpy() * k, rtol=1e-9, atol=1e-9 * k)


@SETTINGS
@given(series_st(), st.integers(-8, 8), direction_st)
def test_scaling_by_a_power_of_two_keeps_every_rule_and_point_type(series, power, improvement):
    # Multiplying by 2**p is exact in floating point, so every comparison comes out the same.
    dates, values, rebase = series
    base = spc(dates, values, improvement, rebase_dates=rebase).points
    scaled = spc(dates, [v * 2.0**power for v in values], improvement, rebase_dates=rebase).points
    assert scaled["rule"].equals(base["rule"])
    assert scaled["point_type"].equals(base["point_type"])


@SETTINGS
@given(series_st(), st.floats(-1000, 1000))
def test_adding_c_to_the_series_shifts_the_mean_and_limits_by_c(series, c):
    dates, values, rebase = series
    base = spc(dates, values, "increase", rebase_dates=rebase).points
    moved = spc(dates, [v + c for v in values], "increase", rebase_dates=rebase).points
    for col in LINES:
        np.testing.assert_allclose(moved[col].to_numpy(), base[col].to_numpy() + c, rtol=0, atol=1e-9 * (1 + abs(c)))


SWAP = {
    "special_cause_improvement": "special_cause_concern",
    "special_cause_concern": "special_cause_improvement",
    "common_cause": "common_cause",
}


@SETTINGS
@given(series_st(), st.sampled_from(["increase", "decrease"]), st.none() | st.floats(-30, 30))
def test_reversing_the_direction_swaps_improvement_and_concern_and_leaves_the_limits(series, improvement, target):
    dates, values, rebase = series
    other = "decrease" if improvement == "increase" else "increase"
    a = spc(dates, values, improvement, target=target, rebase_dates=rebase)
    b = spc(dates, values, other, target=target, rebase_dates=rebase)
    for col in LINES:
        np.testing.assert_array_equal(a.points[col].to_numpy(), b.points[col].to_numpy())
    assert [None if pd.isna(t) else SWAP[t] for t in a.points["point_type"]] == [
        None if pd.isna(t) else t for t in b.points["point_type"]
    ]
    icon_swap = {
        "consistent_pass": "consistent_fail",
        "consistent_fail": "consistent_pass",
        "inconsistent": "inconsistent",
        None: None,
    }
    assert icon_swap[a.assurance_icon] == b.assurance_icon


# ---------------------------------------------------------------- batching


@SETTINGS
@given(
    st.lists(st.tuples(series_st(), direction_st, st.none() | st.floats(-30, 30)), min_size=1, max_size=5),
    st.randoms(use_true_random=False),
)
def test_spc_many_agrees_with_spc_for_every_series(many, rnd):
    frames, improvements, targets, rebases = [], {}, {}, {}
    for i, ((dates, values, rebase), improvement, target) in enumerate(many):
        sid = f"s{i}"
        frames.append(
            pd.DataFrame({"series_id": sid, "date": pd.to_datetime(dates), "value": pd.Series(values, dtype=float)})
        )
        improvements[sid], targets[sid], rebases[sid] = improvement, target, rebase
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.iloc[rnd.sample(range(len(frame)), len(frame))].reset_index(drop=True)  # any row order

    out = spc_many(frame, improvement=improvements, target=targets, rebase=rebases)
    summary = out.summary.set_index("series_id")
    for i, ((dates, values, rebase), improvement, target) in enumerate(many):
        sid = f"s{i}"
        single = spc(dates, values, improvement, target=target, rebase_dates=rebase)
        mine = out.points[out.points["series_id"] == sid].drop(columns="series_id").reset_index(drop=True)
        if not len(values):
            assert sid not in summary.index
            continue
        pd.testing.assert_frame_equal(mine, single.points, check_dtype=False)
        assert summary.loc[sid, "variation_icon"] == single.variation_icon
        assert summary.loc[sid, "assurance_icon"] == single.assurance_icon


@SETTINGS
@given(series_st(), direction_st, st.none() | st.floats(-30, 30))
def test_icons_follow_the_last_observed_point_and_the_last_phase(series, improvement, target):
    dates, values, rebase = series
    result = spc(dates, values, improvement, target=target, rebase_dates=rebase)
    observed = result.points[result.points["value"].notna()]
    expected_variation = variation_icon_for(observed["point_type"].iloc[-1], improvement) if len(observed) else None
    assert result.variation_icon == expected_variation
    if len(result.points) and target is not None:
        last = result.points.iloc[-1]
        assert result.assurance_icon == assurance_icon_for(
            target, last["lower_limit"], last["upper_limit"], improvement
        )
    else:
        assert result.assurance_icon is None
