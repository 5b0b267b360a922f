"""The 'how safe do we feel' SPC panel's series: each day's median, gaps where nobody rated, no chart under 10 days."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from dashboard.huddle.feel_safe_trend import feel_safe_spc

TODAY = date(2026, 11, 30)


def _ratings(days: int, scores: tuple[int, ...] = (3, 4, 5)) -> pd.DataFrame:
    rows = [
        {"huddle_date": TODAY - timedelta(days=back), "kind": "feel_safe", "score": s}
        for back in range(days)
        for s in scores
    ]
    rows.append({"huddle_date": TODAY, "kind": "reliability", "score": 1})  # the other question is not read
    return pd.DataFrame(rows)


def test_fewer_than_ten_rated_days_give_no_chart():
    assert feel_safe_spc(_ratings(9), TODAY) is None


def test_each_day_is_its_median_and_unrated_days_are_gaps():
    result = feel_safe_spc(_ratings(10), TODAY)
    assert result is not None
    points = result.points
    assert len(points) == 90
    assert points["value"].notna().sum() == 10
    assert set(points["value"].dropna()) == {4.0}  # median of 3, 4, 5
    assert result.improvement == "increase"
