"""A project's chart: limits fixed on the days before its first PDSA cycle, and special cause after it read as such.

Each table is a ward's daily falls: a clinician can check by eye which days fall before the first cycle and which
points after it sit beyond the baseline's limits or form a run of 7 on the good side of its mean.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from metrics.improvement.projects import is_active, project_chart

START = date(2026, 9, 1)


def _series(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"date": pd.date_range(START, periods=len(values)), "value": values})


def _cycles(*days_and_notes: tuple[int, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": range(1, len(days_and_notes) + 1),
            "project_id": 1,
            "cycle_date": [START + timedelta(days=d) for d, _ in days_and_notes],
            "note": [n for _, n in days_and_notes],
            "author": "device-a",
        }
    )


#          days 0-13: before the change (mean 3, moving ranges all 1 or 2)    days 14-20: after, 7 days below 3
BEFORE = [3, 4, 2, 3, 4, 2, 3, 4, 2, 3, 4, 2, 3, 3]
AFTER = [1, 2, 1, 2, 1, 1, 2]


def test_a_run_below_the_baseline_mean_after_the_first_cycle_is_improvement() -> None:
    chart = project_chart(_series(BEFORE + AFTER), "decrease", _cycles((14, "Rounding at night"), (17, "Sensors")))
    assert chart.baseline == (START, START + timedelta(days=13))
    assert chart.result is not None
    points = chart.result.points
    assert points["mean"].iloc[-1] == pytest.approx(42 / 14)  # the baseline's mean, extended forward
    assert points["point_type"].astype(str).tolist()[14:] == ["special_cause_improvement"] * 7
    assert chart.shows_improvement
    assert chart.annotations.values.tolist() == [
        [START + timedelta(days=14), "PDSA 1: Rounding at night", "device-a"],
        [START + timedelta(days=17), "PDSA 2: Sensors", "device-a"],
    ]


def test_no_change_after_the_cycle_shows_no_improvement() -> None:
    chart = project_chart(_series(BEFORE + [3, 4, 2, 3]), "decrease", _cycles((14, "Rounding at night")))
    assert chart.baseline is not None
    assert not chart.shows_improvement


def test_without_a_cycle_the_limits_come_from_every_point() -> None:
    chart = project_chart(_series(BEFORE + AFTER), "decrease", _cycles())
    assert chart.baseline is None and not chart.shows_improvement
    assert chart.result is not None
    assert chart.result.points["mean"].iloc[0] == pytest.approx(sum(BEFORE + AFTER) / 21)


def test_a_cycle_before_any_history_has_no_baseline_to_judge_against() -> None:
    chart = project_chart(_series(BEFORE), "decrease", _cycles((1, "Too early")))
    assert chart.baseline is None  # one day before the cycle: no moving range, no limits
    assert not chart.shows_improvement


def test_a_measure_with_no_history_has_no_chart() -> None:
    chart = project_chart(pd.DataFrame(columns=["date", "value"]), "decrease", _cycles((1, "x")))
    assert chart.result is None and not chart.shows_improvement


@pytest.mark.parametrize(
    ("today", "active"),
    [(date(2026, 9, 30), False), (date(2026, 10, 1), True), (date(2026, 12, 31), True), (date(2027, 1, 1), False)],
)
def test_a_project_is_active_from_its_opening_to_its_target_date(today: date, active: bool) -> None:
    assert is_active({"opened_on": date(2026, 10, 1), "target_date": date(2026, 12, 31)}, today) is active
