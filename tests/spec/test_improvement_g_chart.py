"""A project on a rare event (``chart: g``, falls): the days between falls, limits fixed on the gaps before the change.

Each row is a ward's falls by day (day 0 = 1 September 2026) and the first PDSA cycle's day. A clinician can check
by eye: the gaps before the cycle fix the centre line g and the upper limit g + 3 sqrt(g (g + 1)) (Benneyan 2001);
after the cycle, a gap past that limit, or a gap still running past it on the last day, is improvement.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from pydantic import ValidationError

from metrics.config.load import load_config
from metrics.config.models import DEFAULT_CONFIG_DIR
from metrics.evaluate.definitions import MetricDefinition, metric_as_dict
from metrics.improvement.projects import project_chart
from metrics.spc.rare import RareEventChart

START = date(2026, 9, 1)
EVERY_5_DAYS = {0: 1, 5: 1, 10: 1, 15: 1, 20: 1}  # 4 gaps of 5 days: g = 5, upper limit 5 + 3 sqrt(30) = 21.4


def _falls(by_day: dict[int, int], days: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"date": pd.date_range(START, periods=days), "value": [float(by_day.get(d, 0)) for d in range(days)]}
    )


def _cycle(day: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"id": [1], "cycle_date": [START + timedelta(days=day)], "note": ["Rounding at night"], "author": ["a"]}
    )


@pytest.mark.parametrize(
    ("case", "falls", "days", "cycle", "gaps", "baseline_to", "improved"),
    [
        # falls come 40 then 70 days apart after the change: both gaps beyond the upper limit of 21.4
        ("further apart", {**EVERY_5_DAYS, 60: 1, 130: 1}, 131, 25, [5, 5, 5, 5, 40, 70], 24, True),
        # falls keep coming every 5 days after the change
        ("no change", {**EVERY_5_DAYS, 25: 1, 30: 1, 35: 1}, 38, 22, [5, 5, 5, 5, 5, 5, 5], 21, False),
        # no fall since day 20; on day 49 the gap so far (29 days) is past the upper limit: improvement already
        ("still running past the limit", EVERY_5_DAYS, 50, 25, [5, 5, 5, 5], 24, True),
        # on day 39 the gap so far (19 days) is still inside the limit: not yet
        ("still running inside the limit", EVERY_5_DAYS, 40, 25, [5, 5, 5, 5], 24, False),
        # two falls on one day are 0 days apart
        ("two on one day", {0: 1, 5: 2, 10: 1, 40: 1}, 41, 12, [5, 0, 5, 30], 11, True),
    ],
)
def test_days_between_falls_judged_against_the_gaps_before_the_change(
    case: str, falls: dict[int, int], days: int, cycle: int, gaps: list[int], baseline_to: int, improved: bool
) -> None:
    chart = project_chart(_falls(falls, days), "decrease", _cycle(cycle), "g")
    assert isinstance(chart.result, RareEventChart), case
    assert chart.result.points["value"].tolist() == gaps
    before = [g for g, end in zip(gaps, chart.result.points["event"], strict=True) if end < START + timedelta(cycle)]
    mean = sum(before) / len(before)
    assert chart.result.points["mean"].tolist() == pytest.approx([mean] * len(gaps))
    assert chart.result.points["upper_limit"].iloc[-1] == pytest.approx(mean + 3 * (mean * (mean + 1)) ** 0.5)
    assert chart.baseline == (START, START + timedelta(days=baseline_to))
    assert chart.shows_improvement is improved, case


def test_one_gap_before_the_change_fixes_no_baseline() -> None:
    chart = project_chart(_falls({0: 1, 10: 1, 30: 1, 50: 1}, 51), "decrease", _cycle(12), "g")
    assert isinstance(chart.result, RareEventChart)
    assert chart.baseline is None and not chart.shows_improvement
    assert chart.result.points["mean"].iloc[0] == pytest.approx(50 / 3)  # limits from every gap


def test_an_xmr_measure_keeps_its_xmr_chart() -> None:
    chart = project_chart(_falls(EVERY_5_DAYS, 30), "decrease", _cycle(25))
    assert chart.result is not None and not isinstance(chart.result, RareEventChart)


def test_the_shipped_falls_measure_is_charted_as_rare_events() -> None:
    metrics = {m.id: m for m in load_config(DEFAULT_CONFIG_DIR).metrics}
    assert [i for i, m in metrics.items() if m.chart == "g"] == ["falls_last_24h"]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"direction": "higher_is_better", "rag": {"green_min": 1, "amber_min": 0}}, "lower_is_better"),
        ({"display": "percent"}, "display 'count'"),
    ],
)
def test_a_g_chart_is_refused_for_anything_but_a_count_of_harms(change: dict, why: str) -> None:
    falls = metric_as_dict(next(m for m in load_config(DEFAULT_CONFIG_DIR).metrics if m.id == "falls_last_24h"))
    with pytest.raises(ValidationError, match=why):
        MetricDefinition.model_validate({**falls, **change})
