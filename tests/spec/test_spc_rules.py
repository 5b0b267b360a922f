"""The SPC rules at their edges, as NHSRplotthedots applies them (see docs/spc.md).

Series are written out in full. Two quiet backgrounds keep the constructed
segments away from unintended signals: QUIET alternates 8 and 12 (mean about
10, limits about 2 to 18), WIDE alternates 6 and 14 (mean about 10, limits
about -11 to 31, 2-sigma lines about -4 and 25). Labels are compared as strings,
one character per point: '.' no rule, 'B' beyond a limit, 'T' trend,
'2' two in three, 'S' shift, '_' gap. Point types: '.' common cause,
'i' improvement, 'c' concern, 'h' neutral high, 'l' neutral low, '_' gap.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from metrics.spc.xmr import spc, spc_many

QUIET = [8, 12] * 6
WIDE = [6, 14] * 20

RULE_CHAR = {"beyond_limit": "B", "trend": "T", "two_in_three": "2", "shift": "S"}
TYPE_CHAR = {
    "common_cause": ".",
    "special_cause_improvement": "i",
    "special_cause_concern": "c",
    "special_cause_neutral_high": "h",
    "special_cause_neutral_low": "l",
}


def days(n: int, start: str = "2024-01-01") -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="D")


def chart(values, improvement="increase", **kwargs):
    return spc(days(len(values)), values, improvement, **kwargs)


def rules(result) -> str:
    p = result.points
    return "".join(
        "_" if pd.isna(v) else ("." if pd.isna(r) else RULE_CHAR[r]) for v, r in zip(p["value"], p["rule"], strict=True)
    )


def types(result) -> str:
    return "".join("_" if pd.isna(t) else TYPE_CHAR[t] for t in result.points["point_type"])


def segment(result, before: list, length: int, what=rules) -> str:
    return what(result)[len(before) : len(before) + length]


# ---------------------------------------------------------------- limits


def test_limits_screen_outlying_moving_ranges_as_in_the_nhsrplotthedots_vignette():
    # The package's own example: 18 points, one spike of 10. Moving ranges 8 and 9 are at least
    # 3.267 x their mean (32/17) and are screened, leaving fifteen 1s: mean MR 1.
    values = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    p = chart(values).points.iloc[0]
    assert p["mean"] == pytest.approx(35 / 18)
    assert p["upper_limit"] == pytest.approx(35 / 18 + 2.66 * 1)
    assert p["lower_limit"] == pytest.approx(35 / 18 - 2.66 * 1)
    assert (round(p["upper_limit"], 2), round(p["mean"], 2), round(p["lower_limit"], 2)) == (4.6, 1.94, -0.72)


def test_a_screened_moving_range_narrows_the_limits_compared_with_the_excel_tool():
    values = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    p = chart(values).points.iloc[0]
    excel_upper = 35 / 18 + 2.66 * (32 / 17)  # the Excel tool keeps every moving range: 6.95 in the vignette
    assert round(excel_upper, 2) == 6.95
    assert p["upper_limit"] < excel_upper
    assert chart(values).points["rule"].iloc[4] == "beyond_limit"


def test_without_outlying_moving_ranges_limits_are_mean_plus_minus_2_66_mean_moving_ranges():
    values = [10, 12, 11, 13, 12, 10, 11, 12, 13, 11, 10, 12, 11]
    mr = np.abs(np.diff(values))
    assert mr.max() < 3.267 * mr.mean()
    p = chart(values).points.iloc[0]
    assert p["mean"] == pytest.approx(np.mean(values))
    assert p["upper_limit"] == pytest.approx(np.mean(values) + 2.66 * mr.mean())
    assert p["lower_limit"] == pytest.approx(np.mean(values) - 2.66 * mr.mean())


def test_two_sigma_lines_lie_two_thirds_of_the_way_from_mean_to_limits():
    p = chart(WIDE).points.iloc[0]
    assert p["upper_2sigma"] - p["mean"] == pytest.approx((p["upper_limit"] - p["mean"]) * 2 / 3)
    assert p["mean"] - p["lower_2sigma"] == pytest.approx((p["mean"] - p["lower_limit"]) * 2 / 3)


def test_a_phase_of_one_point_has_a_mean_but_no_limits_and_is_common_cause():
    p = chart([5.0]).points.iloc[0]
    assert p["mean"] == 5.0
    assert math.isnan(p["upper_limit"]) and math.isnan(p["lower_limit"])
    assert p["point_type"] == "common_cause" and p["trial_limits"]


def test_a_flat_phase_gets_limits_equal_to_its_mean_rather_than_none():
    # Departure from R (documented): all moving ranges are 0, and R's strict screen would drop them all.
    p = chart([3.0] * 15).points
    assert (p["upper_limit"] == 3.0).all() and (p["lower_limit"] == 3.0).all()
    assert (p["point_type"] == "common_cause").all()


# ---------------------------------------------------------------- the rules at their edges

RULE_CASES = [
    # (id, before, segment, after, expected labels of the segment)
    ("shift_6_points_above_mean_is_not_a_shift", QUIET + [8], [11] * 6, [8] + QUIET, "......"),
    ("shift_7_points_above_mean_flags_all_seven", QUIET + [8], [11] * 7, [8] + QUIET, "SSSSSSS"),
    ("shift_9_points_below_mean_flags_all_nine", QUIET + [12], [9] * 9, [12] + QUIET, "SSSSSSSSS"),
    ("trend_6_rising_points_is_not_a_trend", QUIET + [12], [7, 8, 9, 10.5, 11, 12], [8] + QUIET, "......"),
    ("trend_7_rising_points_flags_all_seven", QUIET + [12], [7, 8, 9, 10.5, 11, 12, 13], [8] + QUIET, "TTTTTTT"),
    ("trend_7_falling_points_flags_all_seven", QUIET + [8], [13, 12, 11, 9.5, 9, 8, 7], [12] + QUIET, "TTTTTTT"),
    ("trend_broken_by_equal_neighbours", QUIET + [12], [7, 8, 9, 9, 10.5, 11, 12, 13], [8] + QUIET, "........"),
    ("two_in_three_same_side_flags_only_the_close_points", WIDE, [27, 14, 27], WIDE, "2.2"),
    ("two_in_three_adjacent_close_points", WIDE, [27, 27, 14], WIDE, "22."),
    ("two_in_three_below_the_mean", WIDE, [-7, 6, -7], WIDE, "2.2"),
    ("two_in_three_chains_across_overlapping_windows", WIDE, [27, 14, 27, 14, 27], WIDE, "2.2.2"),
    ("one_close_point_in_three_is_not_two_in_three", WIDE, [27, 14, 14], WIDE, "..."),
    ("two_in_three_on_split_sides_of_the_mean_is_not_flagged", WIDE, [27, 6, 27], WIDE, "..."),
    ("close_points_near_opposite_limits_are_not_two_in_three", WIDE, [27, 14, -7], WIDE, "..."),
    ("close_points_four_apart_are_not_two_in_three", WIDE, [27, 14, 14, 27], WIDE, "...."),
    ("a_point_beyond_the_limit_does_not_count_as_close", WIDE, [40, 14, 27], WIDE, "B.."),
    ("a_point_above_the_upper_limit_is_beyond", WIDE, [40], WIDE, "B"),
    ("a_point_below_the_lower_limit_is_beyond", WIDE, [-20], WIDE, "B"),
]


@pytest.mark.parametrize(
    ("before", "seg", "after", "expected"), [c[1:] for c in RULE_CASES], ids=[c[0] for c in RULE_CASES]
)
def test_rule_edges(before, seg, after, expected):
    result = chart(before + seg + after)
    labels = rules(result)
    assert labels[len(before) : len(before) + len(seg)] == expected
    assert set(labels[: len(before)] + labels[len(before) + len(seg) :]) == {"."}, "the background must stay quiet"
    p = result.points.iloc[0]
    for v in seg:  # precondition: 27 and -7 lie between the 2-sigma line and the limit
        if v == 27:
            assert p["upper_2sigma"] < v < p["upper_limit"]
        if v == -7:
            assert p["lower_limit"] < v < p["lower_2sigma"]


def test_a_point_exactly_on_the_mean_breaks_a_shift():
    # Seven points above 10 but the fourth sits exactly on the mean, which is exactly 10 here.
    before, seg, after = QUIET + [8], [11, 11, 11, 10, 11, 11, 11], [8, 8, 10] + QUIET[2:]
    result = chart(before + seg + after)
    assert (result.points["mean"] == 10.0).all()
    assert rules(result) == "." * len(before + seg + after)


# Found by iterating the limit to its fixed point: with this value in the middle of WIDE the computed
# upper (lower) limit equals the value itself. The test asserts that precondition before relying on it.
ON_UPPER_LIMIT = 32.523913232860004
ON_LOWER_LIMIT = -12.523913232860005


@pytest.mark.parametrize(
    ("value", "limit"), [(ON_UPPER_LIMIT, "upper_limit"), (ON_LOWER_LIMIT, "lower_limit")], ids=["upper", "lower"]
)
def test_a_point_exactly_on_a_limit_is_not_beyond_it(value, limit):
    result = chart(WIDE + [value] + WIDE)
    point = result.points.iloc[len(WIDE)]
    assert point[limit] == value  # precondition: exactly on the limit
    assert pd.isna(point["rule"]) and point["point_type"] == "common_cause"


# ---------------------------------------------------------------- priority and direction


def test_beyond_limit_outranks_trend_on_the_same_point():
    before, seg = WIDE, [0, 5, 10, 15, 20, 25, 40]
    assert segment(chart(before + seg + WIDE), before, len(seg)) == "TTTTTTB"


def test_trend_outranks_shift_and_its_direction_sets_the_point_type():
    # Seven falling points all above the mean: a trend and a shift; the trend wins, and its falling
    # direction makes them concern on an 'increase' measure although they are high (the current R code).
    before, seg = WIDE + [6], [24, 23, 22, 21, 20, 19, 18]
    result = chart(before + seg + [6] + WIDE)
    assert (result.points["value"].iloc[len(before) : len(before) + 7] > result.points["mean"].iloc[0]).all()
    assert segment(result, before, 7) == "TTTTTTT"
    assert segment(result, before, 7, types) == "ccccccc"


def test_two_in_three_outranks_shift():
    before, seg = WIDE + [6], [27, 14, 27, 14, 14, 14, 14]
    assert segment(chart(before + seg + [6] + WIDE), before, len(seg)) == "2S2SSSS"


def test_a_peak_shared_by_a_rising_and_a_falling_trend_takes_the_later_falling_direction():
    before, seg = WIDE + [6], [4, 6, 8, 10, 12, 14, 16, 14, 12, 10, 8, 6, 4]
    result = chart(before + seg + [14] + WIDE)
    assert segment(result, before, len(seg)) == "T" * 13
    assert segment(result, before, len(seg), types) == "iiiiii" + "ccccccc"


def test_the_last_point_of_a_trend_followed_by_a_tie_keeps_its_own_direction():
    # Departure from R (documented): R reads this point's direction from the tied step after it and
    # calls it decreasing; both trends here rise, so every point is an improvement.
    before, seg = WIDE + [14], [0, 2, 4, 6, 8, 10, 12, 12, 14, 16, 18, 20, 22, 24]
    result = chart(before + seg + [6] + WIDE)
    assert segment(result, before, len(seg)) == "T" * 14
    assert segment(result, before, len(seg), types) == "i" * 14


DIRECTION_CASES = [
    ("increase", 40, "special_cause_improvement"),
    ("increase", -20, "special_cause_concern"),
    ("decrease", 40, "special_cause_concern"),
    ("decrease", -20, "special_cause_improvement"),
    ("neutral", 40, "special_cause_neutral_high"),
    ("neutral", -20, "special_cause_neutral_low"),
]


@pytest.mark.parametrize(
    ("improvement", "value", "expected"),
    DIRECTION_CASES,
    ids=[f"{c[0]}_{'high' if c[1] > 0 else 'low'}" for c in DIRECTION_CASES],
)
def test_point_type_follows_the_side_and_the_improvement_direction(improvement, value, expected):
    assert chart(WIDE + [value] + WIDE, improvement).points["point_type"].iloc[len(WIDE)] == expected


TREND_DIRECTION_CASES = [
    ("increase", [7, 8, 9, 10.5, 11, 12, 13], "iiiiiii"),
    ("decrease", [7, 8, 9, 10.5, 11, 12, 13], "ccccccc"),
    ("neutral", [7, 8, 9, 10.5, 11, 12, 13], "hhhhhhh"),
    ("increase", [13, 12, 11, 9.5, 9, 8, 7], "ccccccc"),
    ("decrease", [13, 12, 11, 9.5, 9, 8, 7], "iiiiiii"),
    ("neutral", [13, 12, 11, 9.5, 9, 8, 7], "lllllll"),
]


@pytest.mark.parametrize(
    ("improvement", "seg", "expected"),
    TREND_DIRECTION_CASES,
    ids=[f"{c[0]}_{'rising' if c[1][0] < c[1][1] else 'falling'}" for c in TREND_DIRECTION_CASES],
)
def test_a_trend_is_typed_by_its_direction(improvement, seg, expected):
    before = QUIET + ([12] if seg[0] < seg[1] else [8])
    after = ([8] if seg[0] < seg[1] else [12]) + QUIET
    assert segment(chart(before + seg + after, improvement), before, 7, types) == expected


# ---------------------------------------------------------------- icons

VARIATION_CASES = [
    ("increase", WIDE, "common_cause"),
    ("increase", WIDE + [40], "improvement_high"),
    ("increase", WIDE + [-20], "concern_low"),
    ("decrease", WIDE + [40], "concern_high"),
    ("decrease", WIDE + [-20], "improvement_low"),
    ("neutral", WIDE + [40], "neutral_high"),
    ("neutral", WIDE + [-20], "neutral_low"),
]


@pytest.mark.parametrize(
    ("improvement", "values", "expected"), VARIATION_CASES, ids=[c[2] + "_" + c[0] for c in VARIATION_CASES]
)
def test_variation_icon_comes_from_the_last_point(improvement, values, expected):
    assert chart(values, improvement).variation_icon == expected


def _wide_limits():
    p = chart(WIDE).points.iloc[0]
    return p["lower_limit"], p["upper_limit"]


ASSURANCE_CASES = [
    ("increase", "above", "consistent_fail"),
    ("increase", "below", "consistent_pass"),
    ("increase", "inside", "inconsistent"),
    ("increase", "on_upper", "inconsistent"),
    ("increase", "on_lower", "inconsistent"),
    ("decrease", "above", "consistent_pass"),
    ("decrease", "below", "consistent_fail"),
    ("decrease", "inside", "inconsistent"),
    ("decrease", "on_upper", "inconsistent"),
    ("neutral", "above", None),
    ("neutral", "inside", None),
]


@pytest.mark.parametrize(
    ("improvement", "where", "expected"), ASSURANCE_CASES, ids=[f"{c[0]}_target_{c[1]}" for c in ASSURANCE_CASES]
)
def test_assurance_icon_compares_the_target_with_the_limits(improvement, where, expected):
    lower, upper = _wide_limits()
    target = {"above": upper + 1, "below": lower - 1, "inside": 10.0, "on_upper": upper, "on_lower": lower}[where]
    assert chart(WIDE, improvement, target=target).assurance_icon == expected


def test_no_target_means_no_assurance_icon():
    assert chart(WIDE, "increase").assurance_icon is None


def test_assurance_uses_the_last_phases_limits():
    first, second = [8, 12] * 7, [28, 32] * 7
    result = chart(first + second, "increase", target=15, rebase_dates=[days(len(first))[-1] + pd.Timedelta(days=1)])
    last = result.points.iloc[-1]
    assert 15 < last["lower_limit"]  # the target lies inside phase 0's limits but below phase 1's
    assert result.assurance_icon == "consistent_pass"


# ---------------------------------------------------------------- phases


def test_each_phase_has_its_own_mean_and_limits():
    first, second = [8, 12] * 7, [18, 22] * 7
    result = chart(first + second, rebase_dates=["2024-01-15"])
    by_phase = result.points.groupby("phase")["mean"].unique()
    assert list(by_phase.index) == [0, 1]
    assert by_phase[0].tolist() == [10.0] and by_phase[1].tolist() == [20.0]


def test_a_shift_does_not_run_across_a_rebase():
    # Four points above phase 0's mean, then three above phase 1's: seven in a row, but split by the rebase.
    first, second = [8, 12] * 6 + [11] * 4, [21] * 3 + [18, 22] * 6
    result = chart(first + second, rebase_dates=[days(len(first) + 1)[-1]])
    assert rules(result) == "." * len(first + second)


def test_a_trend_does_not_run_across_a_rebase():
    first, second = [8, 12] * 6 + [8, 9, 10, 11], [19, 20, 21] + [18, 22] * 6
    result = chart(first + second, rebase_dates=[days(len(first) + 1)[-1]])
    assert rules(result) == "." * len(first + second)


def test_a_rebase_date_without_data_starts_the_phase_at_the_next_date():
    dates = list(days(10)[:5]) + list(days(10, "2024-02-01"))
    result = spc(dates, list(range(15)), "increase", rebase_dates=["2024-01-20"])
    assert result.points["phase"].tolist() == [0] * 5 + [1] * 10


def test_rebase_dates_outside_the_series_change_nothing():
    result = chart(WIDE, rebase_dates=["2020-01-01", "2030-01-01"])
    assert (result.points["phase"] == 0).all()
    assert result.points["mean"].iloc[0] == chart(WIDE).points["mean"].iloc[0]


@pytest.mark.parametrize(("n", "trial"), [(12, True), (13, False)], ids=["12_points_trial", "13_points_not_trial"])
def test_a_phase_of_fewer_than_13_points_has_trial_limits(n, trial):
    result = chart(WIDE[:n] + [10] * 13, rebase_dates=[days(n + 1)[-1]])
    assert result.points.loc[result.points["phase"] == 0, "trial_limits"].unique().tolist() == [trial]
    assert result.points.loc[result.points["phase"] == 1, "trial_limits"].unique().tolist() == [False]


# ---------------------------------------------------------------- gaps


def test_a_gap_is_kept_with_no_value_rule_or_point_type_but_with_its_phase_limits():
    values = WIDE[:10] + [np.nan] + WIDE[10:]
    p = chart(values).points.iloc[10]
    assert math.isnan(p["value"]) and pd.isna(p["rule"]) and pd.isna(p["point_type"])
    assert p["mean"] == chart(WIDE).points["mean"].iloc[0]


def test_limits_ignore_a_gap_as_if_its_neighbours_were_consecutive():
    values = WIDE[:10] + [None] + WIDE[10:]
    with_gap = chart(values).points.iloc[0]
    without = chart(WIDE).points.iloc[0]
    assert with_gap["upper_limit"] == without["upper_limit"] and with_gap["lower_limit"] == without["lower_limit"]


def test_a_gap_neither_breaks_nor_extends_a_shift():
    before, seg = QUIET + [8], [11, 11, 11, np.nan, 11, 11, 11, 11]
    assert segment(chart(before + seg + [8] + QUIET), before, len(seg)) == "SSS_SSSS"
    seg_short = [11, 11, 11, np.nan, 11, 11, 11]
    assert segment(chart(before + seg_short + [8] + QUIET), before, len(seg_short)) == "..._..."


def test_the_variation_icon_comes_from_the_last_observed_point_when_the_last_day_is_missing():
    assert chart(WIDE + [40, np.nan], "increase").variation_icon == "improvement_high"


def test_a_series_of_only_gaps_has_no_icons():
    result = chart([np.nan] * 5, "increase", target=3)
    assert result.variation_icon is None and result.assurance_icon is None
    assert result.points["point_type"].isna().all()


def test_an_empty_series_gives_an_empty_chart():
    result = spc([], [], "increase", target=1)
    assert result.points.empty and result.variation_icon is None and result.assurance_icon is None


# ---------------------------------------------------------------- inputs


def test_dates_are_put_in_order():
    result = spc(["2024-01-03", "2024-01-01", "2024-01-02"], [3, 1, 2], "increase")
    assert result.points["value"].tolist() == [1, 2, 3]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"dates": ["2024-01-01", "2024-01-01"], "values": [1, 2], "improvement": "increase"},
            "the series has the date 2024-01-01 more than once",
        ),
        (
            {"dates": ["2024-01-01"], "values": [1], "improvement": "up"},
            "improvement must be one of increase, decrease, neutral",
        ),
        ({"dates": ["2024-01-01"], "values": [1, 2], "improvement": "increase"}, "dates and values differ in length"),
        ({"dates": ["2024-01-01"], "values": ["x"], "improvement": "increase"}, "values: not all values are numbers"),
        ({"dates": ["2024-01-01"], "values": [math.inf], "improvement": "increase"}, "infinite values are not allowed"),
    ],
    ids=["duplicate_date", "unknown_direction", "length_mismatch", "non_number", "infinite"],
)
def test_bad_input_is_refused_with_a_reason(kwargs, message):
    with pytest.raises(ValueError, match=message):
        spc(**kwargs)


# ---------------------------------------------------------------- spc_many


def _long_frame():
    a, b = WIDE + [40], WIDE + [-20]
    return pd.DataFrame(
        {
            "series_id": ["a"] * len(a) + ["b"] * len(b),
            "date": list(days(len(a))) + list(days(len(b))),
            "value": a + b,
        }
    )


def test_spc_many_reads_directions_and_targets_from_columns():
    frame = _long_frame()
    frame["improvement"] = np.where(frame["series_id"] == "a", "increase", "decrease")
    frame["target"] = np.where(frame["series_id"] == "a", 100.0, np.nan)
    summary = spc_many(frame).summary.set_index("series_id")
    assert summary.loc["a", "variation_icon"] == "improvement_high"
    assert summary.loc["b", "variation_icon"] == "improvement_low"
    assert summary.loc["a", "assurance_icon"] == "consistent_fail"
    assert summary.loc["b", "assurance_icon"] is None
    assert summary.loc["a", "last_value"] == 40 and summary.loc["a", "last_date"] == days(len(WIDE) + 1)[-1]


def test_spc_many_takes_mappings_and_rebase_dates_per_series():
    frame = _long_frame()
    out = spc_many(
        frame, improvement={"a": "neutral", "b": "increase"}, target={"b": -100}, rebase={"a": ["2024-01-20"]}
    )
    summary = out.summary.set_index("series_id")
    assert (
        summary.loc["a", "variation_icon"] == "neutral_high" and summary.loc["b", "assurance_icon"] == "consistent_pass"
    )
    phases = out.points.groupby("series_id")["phase"].max()
    assert phases["a"] == 1 and phases["b"] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda f: f.assign(improvement=["increase"] * 5 + ["decrease"] * (len(f) - 5)),
            "series 'a' has more than one improvement",
        ),
        (
            lambda f: pd.concat([f, f.iloc[[0]]]).assign(improvement="increase"),
            "series 'a' has the date 2024-01-01 more than once",
        ),
        (lambda f: f.drop(columns="value"), "lacks column"),
        (lambda f: f, "give improvement= or an 'improvement' column"),
    ],
    ids=["direction_changes_within_a_series", "duplicate_date", "missing_column", "no_direction"],
)
def test_spc_many_refuses_inconsistent_input(change, message):
    with pytest.raises(ValueError, match=message):
        spc_many(change(_long_frame()))
