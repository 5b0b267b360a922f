"""A fixed baseline: the limits come from a chosen period and are extended forward, checked against limits by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.spc.xmr import spc

#  day         value   in the baseline (1-5 Jan)
SERIES = [
    ("2026-01-01", 10.0),  # yes
    ("2026-01-02", 12.0),  # yes   moving range 2
    ("2026-01-03", 11.0),  # yes   1
    ("2026-01-04", 13.0),  # yes   2
    ("2026-01-05", 9.0),  # yes    4
    ("2026-01-06", 5.0),  # after the change: below the lower limit
    ("2026-01-07", 8.0),
    ("2026-01-08", 20.0),  # after: above the upper limit
]
# By hand: mean = 55 / 5 = 11; mean moving range = (2 + 1 + 2 + 4) / 4 = 2.25 (none is 3.267 x 2.25 = 7.35 or more);
# limits 11 -/+ 2.66 x 2.25 = 5.015 and 16.985; 2-sigma lines 11 -/+ 1.7733 x 2.25 = 7.01 and 14.99.
MEAN, LOWER, UPPER = 11.0, 5.015, 16.985


def _chart(improvement: str = "decrease") -> pd.DataFrame:
    dates, values = zip(*SERIES, strict=True)
    return spc(dates, values, improvement, baseline=(date(2026, 1, 1), date(2026, 1, 5))).points


def test_limits_come_from_the_baseline_and_extend_forward() -> None:
    points = _chart()
    assert points["mean"].tolist() == pytest.approx([MEAN] * 8)
    assert points["lower_limit"].tolist() == pytest.approx([LOWER] * 8)
    assert points["upper_limit"].tolist() == pytest.approx([UPPER] * 8)
    assert points["lower_2sigma"].tolist() == pytest.approx([11 - 2 * 2.66 / 3 * 2.25] * 8)
    assert points["trial_limits"].all()  # 5 baseline points: fewer than 13


def test_points_after_the_baseline_are_read_against_its_limits() -> None:
    points = _chart("decrease")
    assert points["point_type"].astype(str).tolist() == ["common_cause"] * 5 + [
        "special_cause_improvement",  # 5 < 5.015
        "common_cause",
        "special_cause_concern",  # 20 > 16.985
    ]


def test_without_a_baseline_every_point_sets_the_limits() -> None:
    dates, values = zip(*SERIES, strict=True)
    points = spc(dates, values, "decrease").points
    assert points["mean"].iloc[0] == pytest.approx(88 / 8)
    assert points["lower_limit"].iloc[0] != pytest.approx(LOWER)


def test_a_baseline_and_rebase_dates_together_are_refused() -> None:
    dates, values = zip(*SERIES, strict=True)
    with pytest.raises(ValueError, match="a fixed baseline and rebase dates cannot be combined"):
        spc(dates, values, "decrease", rebase_dates=["2026-01-06"], baseline=("2026-01-01", "2026-01-05"))
