"""g and t charts for rare events, checked against an independent reference computation with exact figures.

The reference here is written out from the published formulas (Benneyan 2001 for the g chart; Provost and Murray,
The Health Care Data Guide, chapter 7, with Nelson's y = t ** (1 / 3.6) for the t chart) in plain Python
(``statistics`` and ``math``), not by calling the code under test.
"""

from __future__ import annotations

import math
import statistics
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from metrics.spc.rare import days_between, event_days_from_counts, g_chart, g_chart_values, label_points, t_chart
from metrics.spc.xmr import spc

# Falls with harm on one ward: the day of each (two on 2026-03-02).
FALL_DAYS = [
    date(2026, 1, 3),
    date(2026, 1, 20),
    date(2026, 2, 4),
    date(2026, 3, 2),
    date(2026, 3, 2),
    date(2026, 4, 15),
    date(2026, 5, 1),
]
#            gap ends on   days since the one before
GAPS = [
    (date(2026, 1, 20), 17),
    (date(2026, 2, 4), 15),
    (date(2026, 3, 2), 26),
    (date(2026, 3, 2), 0),  # two falls on one day: 0 days apart
    (date(2026, 4, 15), 44),
    (date(2026, 5, 1), 16),
]


def test_days_between_counts_whole_days_from_one_event_to_the_next() -> None:
    ends, gaps = days_between(FALL_DAYS)
    assert list(zip(ends, gaps, strict=True)) == GAPS


def test_g_chart_limits_match_benneyan_by_hand() -> None:
    chart = g_chart(FALL_DAYS, as_of=date(2026, 6, 10))
    gaps = [g for _, g in GAPS]
    mean = statistics.fmean(gaps)  # 118 / 6
    sigma = math.sqrt(mean * (mean + 1))
    assert mean == pytest.approx(19.666667, abs=1e-6)
    assert mean + 3 * sigma == pytest.approx(80.1481, abs=1e-4)  # the figure itself, not only the formula
    row = chart.points.iloc[0]
    assert row["mean"] == pytest.approx(mean, abs=1e-12)
    assert row["upper_limit"] == pytest.approx(mean + 3 * sigma, abs=1e-12)
    assert row["upper_2sigma"] == pytest.approx(mean + 2 * sigma, abs=1e-12)
    assert row["lower_limit"] == 0.0  # g - 3 sigma is negative: no lower limit
    assert list(chart.points["value"]) == gaps
    assert set(chart.points["point_type"]) == {"common_cause"}
    assert chart.so_far == 40.0  # 2026-05-01 to 2026-06-10
    assert not chart.so_far_beyond_limit
    assert chart.events == 7


def test_a_gap_longer_than_the_upper_limit_is_improvement() -> None:
    #   gaps                          the last one is beyond g + 3 sqrt(g (g + 1))
    gaps = [5, 7, 6, 4, 8, 5, 100]
    points = g_chart_values(gaps, list(range(7)), baseline_points=6)
    mean = statistics.fmean(gaps[:6])  # 35 / 6, the fixed baseline
    upper = mean + 3 * math.sqrt(mean * (mean + 1))
    assert upper == pytest.approx(24.7740, abs=1e-4)
    assert points["upper_limit"].iloc[-1] == pytest.approx(upper, abs=1e-12)
    assert list(points["point_type"]) == ["common_cause"] * 6 + ["special_cause_improvement"]
    assert points["rule"].iloc[-1] == "beyond_limit"


def test_seven_gaps_below_the_centre_line_are_a_shift_of_concern() -> None:
    #   harms coming closer together: 7 gaps in a row below the mean of the baseline
    gaps = [30, 25, 40, 35, 28, 32, 3, 2, 4, 1, 3, 2, 2]
    points = g_chart_values(gaps, list(range(len(gaps))), baseline_points=6)
    assert points["mean"].iloc[0] == pytest.approx(190 / 6)
    assert list(points["rule"][6:]) == ["shift"] * 7
    assert list(points["point_type"][6:]) == ["special_cause_concern"] * 7


def test_days_since_the_last_event_beyond_the_upper_limit_reads_as_improvement() -> None:
    days = [date(2026, 1, 1) + timedelta(days=10 * k) for k in range(8)]  # every 10 days
    chart = g_chart(days, as_of=days[-1] + timedelta(days=60))
    upper = 10 + 3 * math.sqrt(10 * 11)  # 41.46
    assert chart.points["upper_limit"].iloc[0] == pytest.approx(upper)
    assert chart.so_far == 60.0
    assert chart.so_far_beyond_limit
    assert chart.variation_icon == "improvement_high"


def test_g_chart_with_no_events_or_one_has_nothing_to_chart() -> None:
    none = g_chart([], as_of=date(2026, 1, 1))
    assert none.points.empty and none.so_far is None and none.events == 0
    one = g_chart([date(2026, 1, 1)], as_of=date(2026, 1, 31))
    assert one.points.empty and one.so_far == 30.0 and one.events == 1


def test_an_event_after_the_charts_date_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="2026-02-01 is after the chart's date 2026-01-31"):
        g_chart([date(2026, 2, 1)], as_of=date(2026, 1, 31))


def test_event_days_from_daily_counts_list_each_event() -> None:
    counts = pd.DataFrame({"day": [date(2026, 1, 5), date(2026, 1, 2)], "incidents": [2, 1]})
    assert event_days_from_counts(counts) == [date(2026, 1, 2), date(2026, 1, 5), date(2026, 1, 5)]


# ---- t chart -------------------------------------------------------------------------------------------------

T_EVENTS = [
    datetime(2026, 1, 1, 8, 0),
    datetime(2026, 1, 6, 20, 0),  # 5.5 days
    datetime(2026, 1, 9, 8, 0),  # 2.5
    datetime(2026, 1, 21, 8, 0),  # 12
    datetime(2026, 1, 25, 14, 0),  # 4.25
    datetime(2026, 2, 3, 2, 0),  # 8.5
    datetime(2026, 2, 4, 2, 0),  # 1
]
T_GAPS = [5.5, 2.5, 12.0, 4.25, 8.5, 1.0]


def _t_reference(times: list[float]) -> tuple[float, float, float]:
    """Centre line and limits of a t chart in days, from the formulas (no moving range here is screened out)."""
    y = [t ** (1 / 3.6) for t in times]
    mean = statistics.fmean(y)
    mr = statistics.fmean(abs(b - a) for a, b in zip(y, y[1:], strict=False))
    assert all(abs(b - a) < 3.267 * mr for a, b in zip(y, y[1:], strict=False))
    lower = mean - 2.66 * mr
    return mean**3.6, (0.0 if lower < 0 else lower**3.6), (mean + 2.66 * mr) ** 3.6


def test_t_chart_matches_nelsons_transformation_by_hand() -> None:
    chart = t_chart(T_EVENTS, as_of=datetime(2026, 2, 10, 2, 0))
    assert list(chart.points["value"]) == pytest.approx(T_GAPS)
    centre, lower, upper = _t_reference(T_GAPS)
    assert centre == pytest.approx(4.6526, abs=1e-4)
    assert upper == pytest.approx(48.6586, abs=1e-4)
    assert lower == pytest.approx(0.1234096**3.6, rel=1e-5)
    row = chart.points.iloc[-1]
    assert row["mean"] == pytest.approx(centre, abs=1e-9)
    assert row["upper_limit"] == pytest.approx(upper, abs=1e-9)
    assert row["lower_limit"] == pytest.approx(lower, rel=1e-9)
    assert chart.so_far == pytest.approx(6.0)
    assert set(chart.points["point_type"]) == {"common_cause"}


def test_t_chart_refuses_two_events_at_the_same_moment() -> None:
    with pytest.raises(ValueError, match="two events at 2026-01-01T08:00:00"):
        t_chart([datetime(2026, 1, 1, 8), datetime(2026, 1, 1, 8)])


# ---- the rules on given limits agree with the XmR engine ---------------------------------------------------


@pytest.mark.parametrize("improvement", ["increase", "decrease", "neutral"])
@pytest.mark.parametrize("seed", range(40))
def test_label_points_reads_special_cause_exactly_as_the_xmr_engine(seed: int, improvement: str) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    x = rng.integers(0, 6, n).astype(float) if seed % 2 else rng.normal(10, 3, n).round(1)
    x[n // 2 :] += int(rng.integers(0, 8))
    points = spc(pd.date_range("2026-01-01", periods=n), x, improvement).points
    rules, types = label_points(
        x,
        points["mean"],
        points["lower_limit"],
        points["upper_limit"],
        points["lower_2sigma"],
        points["upper_2sigma"],
        improvement,
    )
    assert rules == [None if pd.isna(r) else r for r in points["rule"]]
    assert types == list(points["point_type"].astype(str))


def test_t_chart_lower_limit_below_zero_on_the_transformed_scale_becomes_zero() -> None:
    #   very uneven times: mean - 2.66 x mean moving range is negative for y, so no lower limit in days
    start = datetime(2026, 1, 1)
    gaps = [0.01, 30.0, 0.02, 25.0, 0.05, 40.0]
    times = [start]
    for g in gaps:
        times.append(times[-1] + timedelta(days=g))
    chart = t_chart(times)
    assert (chart.points["lower_limit"] == 0.0).all()
